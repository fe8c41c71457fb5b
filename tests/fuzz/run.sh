#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run libFuzzer harnesses for a bounded time each (make fuzz-run).
#
#   run.sh --srcdir=TOP_SRCDIR --dir=BUILD/tests/fuzz [--seconds=60] [--jobs=1] HARNESS...
#
# For each harness (capture tls x509 keylog decrypt app decomp quic starttls pcapng): build its seeds
# with make-seeds.py into DIR/seeds/HARNESS (from captures/ and
# tests/unit/data; add directories of extra captures with
# FUZZ_EXTRA_SEEDS="dir1 dir2", e.g. ../shared/corpus, which stay in the
# build tree), then run DIR/fuzz_HARNESS for --seconds on the working
# corpus DIR/corpus/HARNESS (kept between runs: it grows), the seeds and
# the committed regression inputs.  A crash, sanitizer report, leak,
# timeout (10 s per input) or oracle abort fails the run: the input is
# in DIR/findings/, the log in DIR/logs/HARNESS.log.  --jobs runs that
# many harnesses at once.  Prints one line per harness: executions,
# executions per second, coverage (cov: edges, ft: features), corpus.
set -u
srcdir=. dir=tests/fuzz seconds=60 jobs=1
harnesses=()
for a in "$@"; do
	case $a in
	--srcdir=*) srcdir=${a#*=} ;;
	--dir=*) dir=${a#*=} ;;
	--seconds=*) seconds=${a#*=} ;;
	--jobs=*) jobs=${a#*=} ;;
	-*) echo "run.sh: unknown option $a" >&2; exit 2 ;;
	*) harnesses+=("$a") ;;
	esac
done
[ ${#harnesses[@]} -gt 0 ] || harnesses=(capture tls x509 keylog decrypt app decomp quic starttls pcapng)
case $seconds in ''|*[!0-9]*) echo "run.sh: --seconds wants a number" >&2; exit 2 ;; esac
command -v python3 >/dev/null || { echo "run.sh: python3 is needed for the seeds" >&2; exit 2; }

mkdir -p "$dir/seeds" "$dir/corpus" "$dir/findings" "$dir/logs" || exit 2
extra=()
for e in ${FUZZ_EXTRA_SEEDS:-}; do extra+=(--extra "$e"); done
python3 "$srcdir/tests/fuzz/make-seeds.py" --srcdir "$srcdir" --out "$dir/seeds" "${extra[@]}" || {
	echo "run.sh: building the seeds failed" >&2; exit 2; }

# Longest input per harness: big enough for the seeds' shapes, small
# enough to keep executions fast.
max_len() {
	case $1 in
	capture) echo 262144 ;;
	tls) echo 131072 ;;
	decrypt) echo 65536 ;;
	x509) echo 32768 ;;
	keylog) echo 16384 ;;
	app) echo 32768 ;;
	decomp) echo 16384 ;;
	quic) echo 4096 ;;
	starttls) echo 8192 ;;
	pcapng) echo 16384 ;;
	*) echo 65536 ;;
	esac
}

run_one() {
	h=$1
	bin="$dir/fuzz_$h"
	log="$dir/logs/$h.log"
	if [ ! -x "$bin" ]; then
		echo "FAIL $h: $bin not built (make fuzz)"
		return 1
	fi
	mkdir -p "$dir/corpus/$h"
	regress="$srcdir/tests/fuzz/regress/$h"
	dirs=("$dir/corpus/$h" "$dir/seeds/$h")
	[ -d "$regress" ] && dirs+=("$regress")
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}:abort_on_error=0 \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}:halt_on_error=1 \
	TD_FUZZ_SRCDIR="$srcdir" \
	"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-max_len="$(max_len "$h")" -print_final_stats=1 \
		-artifact_prefix="$dir/findings/$h-" "${dirs[@]}" >"$log" 2>&1
	st=$?
	# The last status line: "#N DONE cov: C ft: F corp: K/Sb ... exec/s: E rss: R"
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
	execs=$(grep -E '^stat::number_of_executed_units:' "$log" | awk '{print $2}')
	rate=$(grep -E '^stat::average_exec_per_sec:' "$log" | awk '{print $2}')
	cov=$(echo "$last" | grep -oE 'cov: [0-9]+' | awk '{print $2}')
	ft=$(echo "$last" | grep -oE 'ft: [0-9]+' | awk '{print $2}')
	corp=$(echo "$last" | grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]*' | awk '{print $2}')
	if [ $st -ne 0 ]; then
		echo "FAIL $h: libFuzzer exit $st after ${execs:-?} executions; log $log"
		grep -E 'ERROR: |SUMMARY: |runtime error|fuzz oracle|Test unit written' "$log" | head -n 8
		return 1
	fi
	echo "ok   $h: ${seconds} s, ${execs:-?} execs, ${rate:-?} exec/s, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}"
	return 0
}

fail=0
running=0
pids=()
outs=()
for h in "${harnesses[@]}"; do
	out=$(mktemp)
	run_one "$h" >"$out" 2>&1 &
	pids+=($!)
	outs+=("$out")
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n || fail=1
		running=$((running - 1))
	fi
done
while [ "$running" -gt 0 ]; do
	wait -n || fail=1
	running=$((running - 1))
done
for o in "${outs[@]}"; do cat "$o"; rm -f "$o"; done
if [ $fail -ne 0 ]; then
	echo "fuzz-run: FAILED (inputs in $dir/findings/, logs in $dir/logs/)"
	exit 1
fi
echo "fuzz-run: ${#harnesses[@]} harnesses, ${seconds} s each, no finding"
