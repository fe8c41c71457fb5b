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

# par_each FUNC ITEM...: FUNC ITEM for every ITEM, up to $par_jobs at
# once (default: the processors; TD_TEST_JOBS overrides), each in a
# subshell with a $tmp of its own.  Their output is printed afterwards
# in ITEM order, and their ok/bad counts added here.  What a run must
# hand back besides (a global it would have set) it writes to
# "$tmp/ret", which the callback par_ret, when defined, reads as
# "par_ret ITEM RETFILE" in ITEM order.  Why: the suites run tlsdiag a
# few hundred times, one capture after another, on machines with more
# than one processor, and make check runs them thrice in CI.
par_jobs=${TD_TEST_JOBS:-$(nproc 2>/dev/null || echo 2)}
# (one mkdir, one cat and one rm for all the runs: on a machine whose
# processors are all busy anyway, only fewer processes save time)
par_each() {
	local fn=$1 n=$# i=0 running=0 ret=0 j p f
	shift
	declare -F par_ret >/dev/null && ret=1
	[ "$n" -gt 1 ] || return 0
	eval "mkdir \"\$tmp\"/par.{1..$((n - 1))}"
	for j; do
		i=$((i + 1))
		(
			tmp=$tmp/par.$i pass=0 fail=0
			"$fn" "$j"
			echo "$pass $fail" >"$tmp/counts"
		) >"$tmp/par.$i/out" 2>&1 </dev/null &
		running=$((running + 1))
		if [ "$running" -ge "$par_jobs" ]; then
			wait -n
			running=$((running - 1))
		fi
	done
	wait
	eval "cat \"\$tmp\"/par.{1..$i}/out"
	i=0
	for j; do
		i=$((i + 1))
		if { read -r p f <"$tmp/par.$i/counts"; } 2>/dev/null; then
			pass=$((pass + p)) fail=$((fail + f))
		else
			bad "$fn $j: did not finish"
		fi
		[ $ret = 1 ] && par_ret "$j" "$tmp/par.$i/ret"
	done
	rm -rf "$tmp"/par.*
}
