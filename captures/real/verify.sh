#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# verify.sh -- re-derive the real-server lab's facts with tshark (facts.py,
# via make-real.sh facts and make-starttls.sh facts) into a temporary folder
# and diff them against captures/real/expected/.  Needs tshark, openssl,
# python3; no root, no servers.  Exit 0 when identical.  Not part of
# `make check`.
#
#   captures/real/verify.sh [NAME...]      (all scenarios of both scripts when none)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
SCRIPTS=(make-real.sh make-starttls.sh)
declare -A OWNER
for s in "${SCRIPTS[@]}"; do
    [[ -x $HERE/$s ]] || continue
    while read -r n _; do OWNER[$n]=$s; done < <("$HERE/$s" list)
done
names=("$@")
if [[ ${#names[@]} -eq 0 ]]; then
    for s in "${SCRIPTS[@]}"; do
        [[ -x $HERE/$s ]] || continue
        mapfile -t -O "${#names[@]}" names < <("$HERE/$s" list | awk '{print $1}')
    done
fi
for s in "${SCRIPTS[@]}"; do
    mine=()
    for n in "${names[@]}"; do
        [[ -n ${OWNER[$n]:-} ]] || { echo "verify: no scenario $n" >&2; exit 2; }
        [[ ${OWNER[$n]} == "$s" ]] && mine+=("$n")
    done
    ((${#mine[@]})) || continue
    FACTS_OUT=$tmp "$HERE/$s" facts "${mine[@]}"
done
rc=0
for n in "${names[@]}"; do
    for f in "$n.facts" "$n.decrypted.facts"; do
        if ! diff -u "$HERE/expected/$f" "$tmp/$f"; then
            echo "verify: $f differs" >&2; rc=1
        fi
    done
done
n_ok=$(( ${#names[@]} ))
if ((rc == 0)); then echo "verify: ${n_ok} scenarios, facts identical"; fi
exit $rc
