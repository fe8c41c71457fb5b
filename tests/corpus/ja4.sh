#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# JA4 on the public corpus: every line of tests/corpus/ja4-expected (the
# ja4 project's published values for its own captures) must be the
# client_hello.ja4 tlsdiag writes for that client endpoint.
# Skips (exit 77, saying so) when ../shared/corpus is absent.
# Usage: tests/corpus/ja4.sh path/to/tlsdiag [corpus-dir]
set -u
bin=${1:?usage: ja4.sh TLSDIAG [CORPUS]}
here=$(cd "$(dirname "$0")" && pwd)
corpus=${2:-$here/../../../shared/corpus}
if [ ! -d "$corpus/ja4" ]; then
	echo "SKIPPED: JA4 corpus check: no corpus at $corpus (it lives beside the project in ../shared/corpus)"
	exit 77
fi
command -v jq >/dev/null || { echo "FAIL: jq is required"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
while read -r file client want; do
	case $file in ''|'#'*) continue ;; esac
	out="$tmp/$(echo "$file" | tr / _).json"
	[ -f "$out" ] || "$bin" -r "$corpus/$file" -o json >"$out" 2>/dev/null
	got=$(jq -r --arg c "$client" 'select(.client == $c) | .client_hello.ja4 // "none"' "$out" | head -1)
	if [ "$got" = "$want" ]; then
		pass=$((pass + 1))
	else
		echo "FAIL $file $client: JA4 ${got:-no connection}, expected $want"
		fail=$((fail + 1))
	fi
done <"$here/ja4-expected"
echo "JA4 corpus check: $pass agree, $fail differ"
[ $fail -eq 0 ]
