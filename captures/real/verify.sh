#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# verify.sh -- re-derive the real-server lab's facts with tshark (facts.py,
# via make-real.sh facts) into a temporary folder and diff them against
# captures/real/expected/.  Needs tshark, openssl, python3; no root, no
# servers.  Exit 0 when identical.  Not part of `make check`.
#
#   captures/real/verify.sh [NAME...]      (all scenarios when none)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
names=("$@")
[[ ${#names[@]} -gt 0 ]] || mapfile -t names < <("$HERE/make-real.sh" list | awk '{print $1}')
FACTS_OUT=$tmp "$HERE/make-real.sh" facts "${names[@]}"
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
