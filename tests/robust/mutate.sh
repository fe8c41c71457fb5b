#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Mutation robustness: tlsdiag over truncated and corrupted captures.
#
#   mutate.sh [--srcdir=DIR] [--corpus=DIR] [--jobs=N] [--timeout=S]
#             [--cuts=50] [--flips=3] [--keep=DIR] path/to/tlsdiag
#
# Every capture (*.pcap *.pcapng *.cap *.gz) in DIR/captures and, when
# it exists, in the corpus (default DIR/../shared/corpus, or
# $ROBUST_CORPUS) is mutated by mutate.py, reproducibly (fixed seed):
# --cuts truncations at random offsets, --flips copies with 1% of the
# bytes changed, one copy with 1% of the packet bytes changed (framing
# kept), and for gzip files five cuts of the compressed bytes.  Each
# mutant runs through `tlsdiag -r` under `timeout`, with its capture's
# key log (NAME.keylog beside it) when there is one, alternately as JSON
# with the system trust store and as verbose coloured text with the lab
# PKI.  A run fails on an exit status above 2, a timeout, or any
# sanitizer report on stderr; the mutant is copied to --keep (default
# ./robust-failures) with the command that reproduces it.  Build tlsdiag
# with --enable-sanitizers for the sanitizer reports to exist.
# Prints counts; exits 1 when a run failed.
set -u
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
corpus=
jobs=$(nproc 2>/dev/null || echo 2)
tmo=30 ncuts=50 nflips=3 keep=robust-failures
bin=
for a in "$@"; do
	case $a in
	--srcdir=*) srcdir=${a#*=} ;;
	--corpus=*) corpus=${a#*=} ;;
	--jobs=*) jobs=${a#*=} ;;
	--timeout=*) tmo=${a#*=} ;;
	--cuts=*) ncuts=${a#*=} ;;
	--flips=*) nflips=${a#*=} ;;
	--keep=*) keep=${a#*=} ;;
	-*) echo "mutate.sh: unknown option $a" >&2; exit 2 ;;
	*) bin=$a ;;
	esac
done
[ -n "$bin" ] || { echo "usage: mutate.sh [options] path/to/tlsdiag" >&2; exit 2; }
[ -x "$bin" ] || { echo "mutate.sh: $bin is not an executable" >&2; exit 2; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
command -v python3 >/dev/null || { echo "mutate.sh: python3 is required" >&2; exit 2; }
corpus=${corpus:-${ROBUST_CORPUS:-$srcdir/../shared/corpus}}
if ! grep -aqE '__asan_init|__ubsan_handle' "$bin"; then
	echo "WARNING: $bin is not built with --enable-sanitizers: only crashes and hangs are caught"
fi

dirs=("$srcdir/captures")
if [ -d "$corpus" ]; then
	dirs+=("$corpus")
else
	echo "note: no corpus at $corpus: captures/ only"
fi
mapfile -t files < <(find "${dirs[@]}" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' -o -name '*.gz' \) | sort)
[ ${#files[@]} -gt 0 ] || { echo "mutate.sh: no capture found" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
lab="$srcdir/captures/lab"

# One run: mutant path, its run index, the key log or "-".  Appends one
# line to $tmp/results: "ok", or "FAIL <why> <mutant>".
run_one() {
	m=$1 i=$2 kl=$3
	args=(-r "$m")
	[ "$kl" != - ] && args+=(-k "$kl")
	if [ $((i % 2)) -eq 0 ]; then
		# The system bundle is not what is under test: loading it would
		# double the cost of each of these thousands of runs.
		args+=(-o json --no-system-ca)
	else
		args+=(--color=always -v --no-system-ca --ca-file "$lab/rootCA.crt"
		       --client-ca-file "$lab/clientCAs.pem")
	fi
	err="$m.err"
	timeout -k 5 "$tmo" "$bin" "${args[@]}" >/dev/null 2>"$err"
	st=$?
	why=
	if [ $st -eq 124 ] || [ $st -eq 137 ]; then
		why="timeout(${tmo}s)"
	elif [ $st -gt 2 ]; then
		why="exit-$st"
	fi
	if grep -qE 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:|SUMMARY: ' "$err"; then
		why="${why:+$why,}sanitizer"
	fi
	if [ -n "$why" ]; then
		printf 'FAIL %s %s %s\n' "$why" "$m" "$(printf '%q ' "$bin" "${args[@]}")" >>"$tmp/results"
		mkdir -p "$tmp/fail"
		cp "$m" "$tmp/fail/$(basename "$(dirname "$m")")-$(basename "$m")"
		cp "$err" "$tmp/fail/$(basename "$(dirname "$m")")-$(basename "$m").stderr"
	else
		echo ok >>"$tmp/results"
	fi
	rm -f "$err"
}
# xargs hands over "mutant<TAB>index<TAB>keylog".
run_line() {
	local p i k
	IFS=$'\t' read -r p i k <<<"$1"
	run_one "$p" "$i" "$k"
}
export -f run_one run_line
export bin tmo tmp lab

start=$(date +%s)
nfiles=0
: >"$tmp/results"
for f in "${files[@]}"; do
	nfiles=$((nfiles + 1))
	base=$(basename "$f")
	stem=${base%.gz}
	stem=${stem%.*}
	kl="$(dirname "$f")/$stem.keylog"
	[ -s "$kl" ] || kl=-
	m="$tmp/m/$nfiles-$stem"
	mkdir -p "$m"
	python3 "$srcdir/tests/robust/mutate.py" --out "$m" --cuts "$ncuts" --flips "$nflips" "$f" >/dev/null || {
		echo "FAIL mutate.py $f" >>"$tmp/results"; continue; }
	find "$m" -type f | sort | awk -v kl="$kl" '{ print $0 "\t" NR "\t" kl }' |
		xargs -d '\n' -n 1 -P "$jobs" bash -c 'run_line "$1"' _
	rm -rf "$m"
done

runs=$(wc -l <"$tmp/results")
fails=$(grep -c '^FAIL' "$tmp/results")
if [ "$fails" -gt 0 ]; then
	mkdir -p "$keep"
	cp "$tmp"/fail/* "$keep"/ 2>/dev/null
	grep '^FAIL' "$tmp/results" | sed "s|$tmp/m/\([^/ ]*\)/|$keep/\1-|g" | head -n 50
	echo "(mutants and their stderr kept in $keep/: reproduce with the command shown, on the kept file)"
fi
timeouts=$(grep -c '^FAIL timeout' "$tmp/results")
sanitizer=$(grep -c '^FAIL .*sanitizer' "$tmp/results")
echo "robust: $nfiles captures, $runs runs, $fails failed ($timeouts timeouts, $sanitizer sanitizer reports), $(( $(date +%s) - start )) s"
[ "$fails" -eq 0 ]
