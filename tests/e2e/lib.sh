# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/lib.sh - what every end-to-end script starts with, sourced
# after `set -u`: where the tree, the build, the binary and the captures
# are (make check's top_srcdir and top_builddir, or this tree), a
# temporary directory removed on exit, and the ok/bad counters.  The
# script names itself in TD_E2E_NAME for its closing line, which
# finish prints ("NAME: N passed, N failed") before exiting with the
# verdict.
top_srcdir=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
bin="$top_builddir/src/tlsdiag"
caps="$top_srcdir/captures"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok()     { pass=$((pass + 1)); echo "ok   $*"; }
bad()    { fail=$((fail + 1)); echo "FAIL $*"; }
finish() { echo "${TD_E2E_NAME:-e2e}: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }
