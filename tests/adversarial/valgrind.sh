#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# valgrind memcheck over every capture: `make valgrind-check`.
#
#   valgrind.sh [--srcdir=DIR] [--jobs=N] [--no-adversarial] TLSDIAG
#
# Runs TLSDIAG -r NAME.pcap [-k NAME.keylog] -o json for every capture in
# DIR/captures (with its key log when that is not empty), and -- unless
# --no-adversarial, or python3 is missing -- for the small hostile captures
# of tests/adversarial/gen.py (huge-handshake, big-chain, overlap), under
#
#   valgrind --error-exitcode=99 --leak-check=full
#            --errors-for-leak-kinds=definite,indirect
#
# (99, not 1: tlsdiag itself exits 1 when a handshake has an error
# diagnosis).  A run fails when valgrind reports an error -- invalid
# reads or writes, uninitialised values, definite or indirect leaks --
# or when tlsdiag exits 2 or more or dies of a signal.  Prints one line
# per capture, then "valgrind: N captures, M failed, E errors (T s)".
# Meant for a plain build (not --enable-sanitizers: ASan and valgrind do
# not mix).  Exit status 0 when every run is clean; 77 without valgrind.
set -u
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
jobs=2
adversarial=1
while [ $# -gt 1 ]; do
	case "$1" in
	--srcdir=*) srcdir=${1#--srcdir=} ;;
	--jobs=*) jobs=${1#--jobs=} ;;
	--no-adversarial) adversarial=0 ;;
	*) echo "valgrind.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
bin=${1:?usage: valgrind.sh [--srcdir=DIR] [--jobs=N] [--no-adversarial] TLSDIAG}
command -v valgrind >/dev/null || { echo "SKIP valgrind-check: valgrind not installed"; exit 77; }
[ -x "$bin" ] || { echo "FAIL no binary at $bin"; exit 1; }
if nm "$bin" 2>/dev/null | grep -q __asan_init; then
	echo "FAIL $bin is built with AddressSanitizer: run valgrind-check in a plain build"
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The list: NAME PCAP [KEYLOG]
: >"$tmp/list"
for pcap in "$srcdir"/captures/*.pcap "$srcdir"/captures/*.pcapng; do
	[ -e "$pcap" ] || continue
	name=$(basename "$pcap"); name=${name%.pcap*}
	kl="${pcap%.pcap*}.keylog"
	if [ -s "$kl" ]; then echo "$name $pcap $kl"; else echo "$name $pcap"; fi
done >>"$tmp/list"
if [ $adversarial = 1 ] && command -v python3 >/dev/null; then
	python3 "$srcdir/tests/adversarial/gen.py" "$tmp/adv" \
		--only huge-handshake,big-chain,overlap >/dev/null &&
		for n in huge-handshake big-chain overlap; do
			echo "adversarial/$n $tmp/adv/$n.pcap"
		done >>"$tmp/list"
fi

# one NAME PCAP [KEYLOG]: one run; its verdict in $tmp/NAME.res
one() {
	local name=$1 pcap=$2 kl=${3:-} id t0 t1 st
	id=$(echo "$name" | tr / _)
	local args=(-r "$pcap" -o json)
	[ -n "$kl" ] && args+=(-k "$kl")
	t0=$(date +%s.%N)
	valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--log-file="$tmp/$id.vg" "$bin" "${args[@]}" >/dev/null 2>"$tmp/$id.err"
	st=$?
	t1=$(date +%s.%N)
	local errs
	errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$tmp/$id.vg" | tail -1)
	printf '%s %s %s %s\n' "$st" "${errs:-?}" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" \
		"$name" >"$tmp/$id.res"
}

t0=$(date +%s)
running=0
while read -r name pcap kl; do
	one "$name" "$pcap" "$kl" &
	running=$((running + 1))
	if [ $running -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done <"$tmp/list"
wait

n=0 failed=0 errors=0
while read -r name pcap kl; do
	id=$(echo "$name" | tr / _)
	read -r st errs secs _ <"$tmp/$id.res"
	n=$((n + 1))
	[ "$errs" != '?' ] && errors=$((errors + errs))
	if [ "$st" -le 1 ] && [ "$errs" = 0 ]; then
		echo "ok   $name ($secs s${kl:+, with its key log})"
	else
		failed=$((failed + 1))
		echo "FAIL $name: exit status $st, $errs valgrind errors ($secs s)"
		grep -v '^==[0-9]*== *$' "$tmp/$id.vg" | head -60 | sed 's/^/     | /'
		head -5 "$tmp/$id.err" | sed 's/^/     | /'
	fi
done <"$tmp/list"
echo "valgrind: $n captures, $failed failed, $errors errors ($(( $(date +%s) - t0 )) s, $jobs at once)"
[ $failed -eq 0 ]
