#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile traffic against tlsdiag's resource caps (include/caps.h), measured.
#
# tests/adversarial/gen.py writes the captures (see its header): a SYN
# flood, a 16 MiB handshake message, a 100 KB certificate chain, a million
# one-byte records, conflicting overlaps, a flow that never ends, an
# out-of-order flood, a pile of chains held in memory; and, protected by
# quicgen.py as real peers do (RFC 9001 Initial keys, TLS 1.3 records with
# a key log; checked against RFC 9001 Appendix A first), a flood of QUIC
# connections, QUIC CRYPTO streams full of holes and tiny fragments, and
# compressed-certificate bombs.  Each one is run
# through src/tlsdiag under tests/adversarial/rss (fork, exec, wait4: the
# peak RSS from getrusage, not a guess from timing), three times:
#
#   text  default caps                              RSS <= 256 MiB
#   json  default caps                              RSS <= 256 MiB
#   small --max-memory 16M --max-flows 1000, json   RSS <= 64 MiB
#
# 256 MiB: the default --max-memory (buffered bytes), which the issue asks
# to hold as the total.  64 MiB for the small run: 16 MiB of buffers, plus
# 1000 flows at ~4-5 KiB of flow and connection state each (5 MiB), plus the
# process itself (~7 MiB: libc, wolfSSL, libpcap, stdio), plus what live
# connections keep (hellos, timelines) and malloc's slack: 64 MiB is twice
# that sum, and four times the cap -- a run over it is not noise.
#
# Every run must exit 0 or 1 (2 or more, or a signal, fails), and each
# drop the capture provokes must be in the end-of-run summary with the
# count the capture was built to provoke (gen.py writes NAME.expect): the
# text summary's lines for text runs, the JSON summary object for json
# runs (falling back on a text run when the JSON report has no summary).
#
# Known defects are listed in KNOWN below: their checks report XFAIL
# while they fail and XPASS -- a failure, so the list stays true -- once
# fixed.  ADV_STRICT=1 makes them plain failures.
#
# Sanitizer builds (config.log shows -fsanitize=address, or
# ADV_SANITIZED=1): ASan's shadow memory and quarantine inflate RSS, so
# RSS is reported there, not asserted; and the SYN flood is smaller
# (100,000 flows instead of 1,000,000) to keep the file near a minute.
#
# The QUIC flood, the QUIC CRYPTO gaps and the certificate bombs have
# bounds of their own, reasoned where they are checked.  They need
# Python's cryptography package (python3-cryptography): without it they
# are skipped, loudly.
#
# Environment: ADV_SYN_FLOWS (the big SYN flood), ADV_QUIC_FLOWS (the QUIC
# flood, default 40,000), ADV_JOBS (runs at once,
# default 2), ADV_CACHE=0 (do not keep the captures; by default they are
# cached in $TMPDIR keyed by gen.py's hash: ~300 MB), ADV_STRICT,
# ADV_SANITIZED, PYTHON.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
bin="$top_builddir/src/tlsdiag"
rss="$top_builddir/tests/adversarial/rss"
here="$top_srcdir/tests/adversarial"
py=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
xfail=0

# Defects this test found, by the tag their checks carry; KNOWN lists those
# not fixed yet (none now; quic-conn-state, a QUIC connection's 12 KiB, was
# the last: see quic-flood below):
#   hs-skip            src/engine/records.c resets the handshake joiner on
#                      TD_ERR_CAP, which clears the skip that handshake.c set
#                      up: an oversize message's body is parsed as messages
#   hs-oversize-summary  an oversize handshake message is not counted in the
#                      summary (only a per-connection anomaly says so)
#   overlap-report     overlapping segments with conflicting bytes are
#                      dropped (first copy wins) without a word: the
#                      dup_bytes of the model are in no report
#   nontls-drops       per-flow buffer drops of flows that turn out not to be
#                      TLS are not added to the summary (engine.c finish_conn)
#   model-unbudgeted   what connections keep (certificates' DER, strings,
#                      timelines) is outside --max-memory: 300 flows holding
#                      16 x 16 KB certificates take ~80 MiB with --max-memory 16M
#   diag-timeline-cap  the diagnosis reads the timeline, which TD_CAP_EVENTS
#                      truncates: a ServerHello past the cap gives SERVER_SILENT
KNOWN=""

ok()   { pass=$((pass + 1)); echo "ok   $*"; }
bad()  { fail=$((fail + 1)); echo "FAIL $*"; }
# known TAG COND MESSAGE: a check of a known defect (COND: "true"/"false")
known() {
	local tag=$1 cond=$2; shift 2
	case " $KNOWN " in
	*" $tag "*)
		if [ "$cond" = true ]; then
			fail=$((fail + 1)); echo "XPASS $* [$tag: fixed? remove it from KNOWN in $0]"
		elif [ "${ADV_STRICT:-0}" = 1 ]; then
			bad "$* [known defect $tag, ADV_STRICT=1]"
		else
			xfail=$((xfail + 1)); echo "XFAIL $* [known defect $tag]"
		fi ;;
	*)
		if [ "$cond" = true ]; then ok "$*"; else bad "$*"; fi ;;
	esac
}
finish() {
	echo "adversarial: $pass passed, $fail failed, $xfail known defects (XFAIL)"
	[ $fail -eq 0 ] && exit 0
	exit 1
}

[ -x "$bin" ] || { bad "no binary at $bin"; finish; }
[ -x "$rss" ] || { bad "no rss runner at $rss (make check builds it)"; finish; }
if ! command -v "$py" >/dev/null 2>&1; then
	echo "SKIP adversarial: $py not found (gen.py needs python3)"
	exit 77
fi

sanitized=${ADV_SANITIZED:-}
if [ -z "$sanitized" ]; then
	sanitized=0
	grep -q -e '-fsanitize=[a-z,]*address' "$top_builddir/config.log" 2>/dev/null && sanitized=1
fi
if [ "$sanitized" = 1 ]; then
	syn_big=${ADV_SYN_FLOWS:-100000}
	syn_small=20000
	quic_flows=${ADV_QUIC_FLOWS:-10000}
	echo "NOTE: sanitizer build: peak RSS is REPORTED, NOT ASSERTED (ASan's shadow memory and"
	echo "NOTE: quarantine inflate it); SYN flood of $syn_big flows, not 1,000,000, for time"
	# A leak or an error must not pass for tlsdiag's own exit status 1.
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:exitcode=86"
	export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:exitcode=87"
else
	syn_big=${ADV_SYN_FLOWS:-1000000}
	syn_small=100000
	quic_flows=${ADV_QUIC_FLOWS:-40000}
fi
[ "$syn_small" -gt "$syn_big" ] && syn_small=$syn_big
cap_default_kib=$((256 * 1024))  # TD_DEFAULT_MAX_MEMORY
cap_small_kib=$((64 * 1024))
small_args=(--max-memory 16M --max-flows 1000)
default_flows=$(sed -n "s/^#define TD_DEFAULT_MAX_FLOWS *\([0-9]*\)u.*/\1/p" "$top_srcdir/include/caps.h")  # TD_DEFAULT_MAX_FLOWS

# ---- the captures, cached by gen.py's hash ---------------------------------
gen_hash=$(cat "$here/gen.py" "$here/quicgen.py" | sha256sum | cut -c1-16)
cache_root=${TMPDIR:-/tmp}
if [ "${ADV_CACHE:-1}" = 0 ]; then
	cache="$tmp/captures"
else
	cache="$cache_root/tlsdiag-adversarial-$gen_hash"
	# older generations of the captures (another gen.py), idle for a day
	find "$cache_root" -maxdepth 1 -name 'tlsdiag-adversarial-*' ! -name "*-$gen_hash" \
		-mmin +1440 -exec rm -rf {} + 2>/dev/null
fi
# gen_into DIR ARGS...: generate unless there, atomically (two builds may
# run this test at once)
gen_into() {
	local dir=$1; shift
	[ -f "$dir/.done" ] && return 0
	local part="$dir.part.$$"
	rm -rf "$part"
	mkdir -p "$part" || return 1
	"$py" "$here/gen.py" "$part" "$@" | sed 's/^/gen: /' || return 1
	touch "$part/.done"
	mkdir -p "$(dirname "$dir")"
	mv -T "$part" "$dir" 2>/dev/null || rm -rf "$part"  # lost the race: fine
	[ -f "$dir/.done" ]
}
t0=$(date +%s)
# The QUIC and TLS 1.3 captures need AES (python3-cryptography); the
# generator's protection is first checked against RFC 9001 Appendix A,
# without which a capture tlsdiag cannot open would test nothing.
quic_names="quic-flood quic-crypto-gaps cert-bomb"
if "$py" -c 'import cryptography' 2>/dev/null; then
	if "$py" "$here/gen.py" --self-test; then
		ok "gen.py --self-test: QUIC Initial protection matches RFC 9001 Appendix A"
	else
		bad "gen.py --self-test: the QUIC protection does not match RFC 9001 Appendix A"
		quic_names=""
	fi
else
	echo "SKIP quic-flood quic-crypto-gaps cert-bomb: $py has no cryptography module"
	echo "SKIP (Debian: apt-get install python3-cryptography; .ci/install-deps has it)"
	quic_names=""
fi
others=$("$py" "$here/gen.py" --list | grep -v -e '^syn-flood$' -e '^quic-' -e '^cert-bomb$' |
	tr '\n' ',' | sed 's/,$//')
gen_into "$cache/base" --only "$others" || { bad "gen.py failed"; finish; }
gen_into "$cache/syn-$syn_big" --only syn-flood --syn-flows "$syn_big" || { bad "gen.py failed"; finish; }
gen_into "$cache/syn-$syn_small" --only syn-flood --syn-flows "$syn_small" || { bad "gen.py failed"; finish; }
if [ -n "$quic_names" ]; then
	gen_into "$cache/quic" --only quic-crypto-gaps,cert-bomb || { bad "gen.py failed"; finish; }
	gen_into "$cache/quic-$quic_flows" --only quic-flood --quic-flows "$quic_flows" ||
		{ bad "gen.py failed"; finish; }
fi
echo "captures in $cache ($(( $(date +%s) - t0 )) s to make or find)"

# expect NAME KEY: a figure gen.py built into the capture
expect() {
	local f
	case "$1" in
	syn-flood-big) f="$cache/syn-$syn_big/syn-flood.expect" ;;
	syn-flood-small) f="$cache/syn-$syn_small/syn-flood.expect" ;;
	quic-flood) f="$cache/quic-$quic_flows/quic-flood.expect" ;;
	quic-*|cert-bomb) f="$cache/quic/$1.expect" ;;
	*) f="$cache/base/$1.expect" ;;
	esac
	awk -v k="$2" '$1 == k { print $2 }' "$f"
}
pcap_of() {
	case "$1" in
	syn-flood-big) echo "$cache/syn-$syn_big/syn-flood.pcap" ;;
	syn-flood-small) echo "$cache/syn-$syn_small/syn-flood.pcap" ;;
	quic-flood) echo "$cache/quic-$quic_flows/quic-flood.pcap" ;;
	quic-*|cert-bomb) echo "$cache/quic/$1.pcap" ;;
	*) echo "$cache/base/$1.pcap" ;;
	esac
}

# ---- the runs ----------------------------------------------------------------
# run_one ID NAME FORMAT [ARGS...]: tlsdiag under rss; $tmp/ID.{out,err}.
# The SYN floods' reports run to hundreds of MB: only their end is kept.
run_one() {
	local id=$1 name=$2 fmt=$3; shift 3
	local keep=cat
	case "$name" in syn-flood*|quic-flood) keep="tail -n 40" ;; esac
	# the certificate bombs are in the server's encrypted flight
	case "$name" in cert-bomb) set -- -k "$(pcap_of "$name" | sed 's/\.pcap$/.keylog/')" "$@" ;; esac
	"$rss" "$bin" -r "$(pcap_of "$name")" -o "$fmt" --color=never "$@" 2>"$tmp/$id.err" |
		$keep >"$tmp/$id.out"
}

jobs_max=${ADV_JOBS:-2}
running=0
start() {
	run_one "$@" &
	running=$((running + 1))
	if [ $running -ge "$jobs_max" ]; then
		wait -n
		running=$((running - 1))
	fi
}

names="huge-handshake big-chain one-byte-records overlap never-ends ooo-flood chain-hoard"
t0=$(date +%s)
# the longest first
# The million flows in JSON (text output of a million blocks is the
# slow part, not the caps under test); text on the smaller flood.
start syn-flood.text syn-flood-small text
start syn-flood.json syn-flood-big json
start syn-flood.small syn-flood-small json "${small_args[@]}"
for n in $names; do
	start "$n.text" "$n" text
	start "$n.json" "$n" json
	start "$n.small" "$n" json "${small_args[@]}"
done
# STARTTLS preambles that never end: JSON (starttls_dropped is there),
# default caps and small.
for n in stls-endless stls-endless-line stls-many; do
	start "$n.json" "$n" json
	start "$n.small" "$n" json "${small_args[@]}"
done
# The QUIC flood in JSON only (its text is what the SYN flood's text run
# already measures: a long report, not a cap).
for n in $quic_names; do
	[ "$n" = quic-flood ] || start "$n.text" "$n" text
	start "$n.json" "$n" json
	start "$n.small" "$n" json "${small_args[@]}"
done
wait
echo "all runs: $(( $(date +%s) - t0 )) s with $jobs_max at once"

# ---- the checks --------------------------------------------------------------
# field ID KEY: a figure of the run's rss line
field() { sed -n "s/^rss: .*$2=\([^ ]*\).*/\1/p" "$tmp/$1.err" | tail -1; }
# val ID KEY: a figure of the run's summary ("" when absent)
val() { awk -v k="$2" '$1 == k { print $2 }' "$tmp/$1.sum"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# check_run ID NAME BOUND_KIB [KNOWN_TAG]: status, sanitizers, RSS
check_run() {
	local id=$1 name=$2 bound=$3 tag=${4:-}
	local st kib ms
	st=$(field "$id" status)
	kib=$(field "$id" maxrss_kib)
	ms=$(field "$id" wall_ms)
	echo "     $id: peak RSS $(mib "${kib:-0}") MiB, $(awk -v m="${ms:-0}" 'BEGIN { printf "%.2f", m / 1000 }') s, $st"
	case "$st" in
	exit:0|exit:1) ok "$id: exit status ${st#exit:}" ;;
	*) bad "$id: $st (want exit 0 or 1)"; sed 's/^/     | /' "$tmp/$id.err" | head -30 ;;
	esac
	if grep -q -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' -e 'runtime error:' \
		"$tmp/$id.err"; then
		bad "$id: sanitizer report"
		grep -m 20 -e 'ERROR:' -e 'runtime error:' -e '#[0-9]' "$tmp/$id.err" | sed 's/^/     | /'
	fi
	if [ "$sanitized" = 1 ]; then
		echo "     $id: RSS not asserted (sanitizer build)"
	elif [ -z "$kib" ]; then
		bad "$id: no RSS figure"
	else
		local cond=false
		[ "$kib" -le "$bound" ] && cond=true
		local msg="$id: peak RSS $(mib "$kib") MiB <= $(mib "$bound") MiB"
		if [ -n "$tag" ]; then known "$tag" $cond "$msg"; else
			if $cond; then ok "$msg"; else bad "$msg"; fi
		fi
	fi
	# the summary, under common names (summary.py)
	local fmt=json
	case "$id" in *.text) fmt=text ;; esac
	if ! "$py" "$here/summary.py" $fmt "$tmp/$id.out" >"$tmp/$id.sum" 2>"$tmp/$id.sumerr"; then
		bad "$id: $(cat "$tmp/$id.sumerr")"
		: >"$tmp/$id.sum"
	fi
	if [ "$(val "$id" no-summary)" = 1 ]; then
		if [ $fmt = json ]; then
			echo "     $id: the JSON report has no summary line: checking a text run instead"
			local args=()
			case "$id" in *.small) args=("${small_args[@]}") ;; esac
			run_one "$id.t" "$name" text "${args[@]}"
			"$py" "$here/summary.py" text "$tmp/$id.t.out" >"$tmp/$id.sum"
		fi
		[ -s "$tmp/$id.sum" ] && [ "$(val "$id" no-summary)" != 1 ] ||
			bad "$id: no summary at the end of the report"
	fi
}

# eq ID KEY WANT [TAG]: the summary says KEY is WANT
eq() {
	local got
	got=$(val "$1" "$2")
	# The text summary leaves out what is zero (nothing was dropped).
	[ -z "$got" ] && [ "$3" = 0 ] && case "$1" in *.text) got=0 ;; esac
	if [ -n "${4:-}" ]; then
		known "$4" "$([ "${got:-x}" = "$3" ] && echo true || echo false)" \
			"$1: summary $2 = ${got:-(absent)}, want $3"
	elif [ "${got:-x}" = "$3" ]; then ok "$1: summary $2 = $got"
	else bad "$1: summary $2 = ${got:-(absent)}, want $3"; fi
}
# ge ID KEY MIN: the summary says KEY is at least MIN (and so is shown)
ge() {
	local got
	got=$(val "$1" "$2")
	if [ -n "$got" ] && [ "$got" -ge "$3" ] && [ "$got" -gt 0 ]; then ok "$1: summary $2 = $got (>= $3)"
	else bad "$1: summary $2 = ${got:-(absent)}, want >= $3 and > 0"; fi
}
# conns ID EXPR: connection lines of a JSON run for which EXPR holds
conns() { "$py" "$here/summary.py" conns "$tmp/$1.out" "$2"; }

# --- syn-flood: the flow table evicts; every flow is still reported.
# A flow holding only a SYN costs ~4.2 KiB (measured: the slope of peak
# RSS between 5,000 and 1,000,000 SYNs, 32,768 live flows at the peak;
# 7.5 KiB before the key-log keys and the timeline's first 32 events
# were allocated on first use): the big flood peaks at ~140 MiB (247
# MiB before), under the 256 MiB of the defaults.
check_run syn-flood.text syn-flood-small $cap_default_kib
check_run syn-flood.json syn-flood-big $cap_default_kib
check_run syn-flood.small syn-flood-small $cap_small_kib
over() { [ "$1" -gt "$2" ] && echo $(($1 - $2)) || echo 0; }
eq syn-flood.text flows_evicted "$(over "$syn_small" $default_flows)"
eq syn-flood.text connections "$syn_small"
eq syn-flood.json flows_evicted "$(over "$syn_big" $default_flows)"
eq syn-flood.json connections "$syn_big"
eq syn-flood.small flows_evicted "$(over "$syn_small" 1000)"
eq syn-flood.small connections "$syn_small"

# --- huge-handshake: a message claiming 16 MiB is skipped, not buffered
n=huge-handshake
for r in text json small; do
	check_run $n.$r $n $([ $r = small ] && echo $cap_small_kib || echo $cap_default_kib)
done
c=$(grep -c 'handshake message from the server: limit reached' "$tmp/$n.text.out")
[ "$c" -ge 2 ] && ok "$n.text: the oversize messages are reported ($c anomaly lines)" ||
	bad "$n.text: no anomaly reports the oversize handshake messages"
c=$(conns $n.json 'any("handshake message" in a["message"] for a in c["anomalies"])')
[ "$c" = 2 ] && ok "$n.json: both connections report their oversize message" ||
	bad "$n.json: $c of 2 connections report their oversize message"
c=$(conns $n.json 'sum("handshake message" in a["message"] for a in c["anomalies"]) == 1 and c.get("dropped", {}).get("anomalies", 0) == 0')
known hs-skip "$([ "$c" = 2 ] && echo true || echo false)" \
	"$n.json: one oversize message, one anomaly per connection (its body skipped): $c of 2"
c=$(awk '/^(hs|handshake|message|dropped\.(hs|handshake|message))/ && $2 >= 2' "$tmp/$n.json.sum" | wc -l)
known hs-oversize-summary "$([ "$c" -ge 1 ] && echo true || echo false)" \
	"$n.json: the summary counts the 2 oversize handshake messages"

# --- big-chain: certificates past TD_CAP_CHAIN are counted
n=big-chain
for r in text json small; do
	check_run $n.$r $n $([ $r = small ] && echo $cap_small_kib || echo $cap_default_kib)
	eq $n.$r certs "$(expect $n certs_dropped)"
done
c=$(conns $n.json 'len(c["server_certs"]) == 16')
[ "$c" = 1 ] && ok "$n.json: the 100 KB chain keeps TD_CAP_CHAIN (16) certificates" ||
	bad "$n.json: $c connections keep 16 certificates, want 1"
c=$(conns $n.json 'c["certificate_request"] is None')
known hs-skip "$([ "$c" = 2 ] && echo true || echo false)" \
	"$n.json: no CertificateRequest made up from the skipped 300 KB chain ($c of 2 clean)"

# --- one-byte-records: a million 1-byte records, 250,000 messages
n=one-byte-records
for r in text json small; do
	check_run $n.$r $n $([ $r = small ] && echo $cap_small_kib || echo $cap_default_kib)
	ge $n.$r events "$(expect $n events_dropped_min)"
done
c=$(conns $n.json 'c["server_hello"] is not None')
[ "$c" = 1 ] && ok "$n.json: the ServerHello after 1,000,000 records is decoded" ||
	bad "$n.json: the ServerHello after the records is lost"
c=$(conns $n.json 'c["server_hello"] is not None and not any(d["code"] == "SERVER_SILENT" for d in c["diagnoses"])')
known diag-timeline-cap "$([ "$c" = 1 ] && echo true || echo false)" \
	"$n.json: a server whose ServerHello was decoded is not diagnosed SERVER_SILENT"

# --- overlap: the first copy of each byte wins; conflicts are reported
n=overlap
for r in text json small; do
	check_run $n.$r $n $([ $r = small ] && echo $cap_small_kib || echo $cap_default_kib)
	eq $n.$r connections "$(expect $n flows)"
done
c=$(conns $n.json 'c["sni"] == "adversarial.example" and len(c["server_certs"]) == 3 and not c["anomalies"]')
[ "$c" = "$(expect $n flows)" ] &&
	ok "$n.json: every handshake decoded from the first copies ($c of $(expect $n flows))" ||
	bad "$n.json: $c of $(expect $n flows) handshakes decoded cleanly from the first copies"
c=$(awk '/(overlap|conflict|dup|retrans)/ && $2 > 0' "$tmp/$n.json.sum" | wc -l)
known overlap-report "$([ "$c" -ge 1 ] && echo true || echo false)" \
	"$n.json: the summary reports the conflicting overlapped bytes it dropped"

# --- never-ends: memory stays flat; idle flows end by the timeout
n=never-ends
for r in text json small; do
	check_run $n.$r $n $([ $r = small ] && echo $cap_small_kib || echo $cap_default_kib)
done
eq $n.text flows_idle "$(expect $n idle_flows)"
eq $n.json flows_idle "$(expect $n idle_flows)"
ev=$(val $n.small flows_evicted); id=$(val $n.small flows_idle)
[ $(( ${ev:-0} + ${id:-0} )) = "$(expect $n idle_flows)" ] && [ "${ev:-0}" -gt 0 ] &&
	ok "$n.small: $ev idle flows evicted (table full) + $id ended by the timeout = $(expect $n idle_flows)" ||
	bad "$n.small: ${ev:-?} evicted + ${id:-?} idle, want $(expect $n idle_flows) with evictions"
c=$(conns $n.json 'c["client"].endswith(":44000") and c["outcome"] == "established"')
[ "$c" = 1 ] && ok "$n.json: the endless connection is reported once, established" ||
	bad "$n.json: the endless connection reported $c times (want once, established)"

# --- ooo-flood: segments far ahead of a hole never filled
n=ooo-flood
for r in text json small; do
	check_run $n.$r $n $([ $r = small ] && echo $cap_small_kib || echo $cap_default_kib)
done
for r in text json; do
	ge $n.$r flow_buffer_bytes "$(expect $n flow_buffer_bytes_tls)"
	eq $n.$r flow_buffer_bytes "$(expect $n flow_buffer_bytes)" nontls-drops
done
ge $n.small memory_bytes 1

# --- chain-hoard: chains kept by open connections
n=chain-hoard
check_run $n.text $n $cap_default_kib
check_run $n.json $n $cap_default_kib
check_run $n.small $n $cap_small_kib model-unbudgeted
eq $n.json connections "$(expect $n flows)"

# --- STARTTLS preambles that never end (issue 17, Must 4)
# The recogniser (src/starttls) keeps no preamble: each direction has one
# frame buffer of TD_CAP_STLS_LINE (512) bytes, it reads at most
# TD_CAP_STLS_PREAMBLE (16 KiB) per direction, and at most
# TD_CAP_STLS_STEPS (40) steps reach the timeline; past the preamble cap
# every byte, either way, is counted in starttls_dropped.bytes.  So one
# flow talking 50 MB, or sending a 20 MB line, costs what any flow costs:
# 16 MiB is the process (~7 MiB measured: libc, wolfSSL, libpcap, stdio)
# plus one flow, its recogniser (~1.3 KiB) and its 40 steps (< 10 KiB),
# doubled for malloc's slack -- and below the 20 MB a kept line or the
# 50 MB a kept talk would take.  (Measured: 7.3 MiB for both.)
stls_one_kib=$((16 * 1024))
for n in stls-endless stls-endless-line; do
	check_run $n.json $n $stls_one_kib
	check_run $n.small $n $stls_one_kib
	total=$(expect $n stls_bytes)
	readmax=$(expect $n stls_read_max)
	for r in json small; do
		c=$(conns $n.$r "c.get('starttls') == 'smtp' and $total - $readmax <= (c.get('starttls_dropped') or {}).get('bytes', 0) <= $total")
		[ "$c" = 1 ] && ok "$n.$r: the preamble past the caps is counted: starttls_dropped.bytes within $readmax of the $total plaintext bytes" ||
			bad "$n.$r: starttls_dropped.bytes does not count the $total - at most $readmax plaintext bytes not read"
	done
done
# 2000 flows, each at the cap both ways and open at the end: ~10 KiB a
# flow measured (27 MiB peak): the flow and connection (~4.2 KiB, as the
# SYN flood measures), the recogniser (~1.3 KiB), 40 steps with their
# texts (<= 160 bytes each) and the timeline's other events.  48 MiB is
# 7 MiB of process plus 2000 x 20 KiB, twice the measured cost a flow;
# 2000 preambles kept whole (2 x 16 KiB each, 62.5 MiB) would go past it.
# The small run evicts half of the flows (--max-flows 1000): 64 MiB.
n=stls-many
check_run $n.json $n $((48 * 1024))
check_run $n.small $n $cap_small_kib
c=$(conns $n.json "c.get('starttls') == 'smtp' and c.get('starttls_result') == 'incomplete' and c.get('starttls_dropped', {}).get('steps', 0) > 0")
[ "$c" = "$(expect $n flows)" ] && ok "$n.json: $c STARTTLS connections, their steps past TD_CAP_STLS_STEPS counted" ||
	bad "$n.json: $c of $(expect $n flows) STARTTLS connections reported with their dropped steps"

[ -n "$quic_names" ] || finish

# --- quic-flood: $quic_flows connections, each one client Initial with a
# fresh DCID from its own port; the flow table evicts, every connection is
# still reported.
#   default caps: a QUIC connection holding only its client Initial
#     costs ~5.3 KiB (measured: the slope of peak RSS between floods of
#     5,000 and 40,000; flow 1.2 KiB, model 2.2, QUIC state 0.6 with the
#     Initial keys only, timeline 0.2, hello lists, malloc's overhead).
#     32768 live ones (the default --max-flows) and the process (~7 MiB)
#     peak at ~176 MiB, under the 256 MiB the defaults promise.  (Before
#     the keys of the Handshake and 1-RTT levels, the packet buffer, the
#     key-log keys of struct flow and the timeline's first 32 events were
#     allocated on first use: ~12.3 KiB each, ~400 MiB.)
#   small (--max-flows 1000): 1000 x 5.3 KiB = 5 MiB, plus the process:
#     64 MiB as for the other captures.  Were evicted connections kept,
#     the 40,000 would take ~210 MiB.
n=quic-flood
check_run $n.json $n $cap_default_kib
check_run $n.small $n $cap_small_kib
eq $n.json connections "$quic_flows"
eq $n.json flows_evicted "$(over "$quic_flows" $default_flows)"
eq $n.small connections "$quic_flows"
eq $n.small flows_evicted "$(over "$quic_flows" 1000)"

# --- quic-crypto-gaps: CRYPTO frames past TD_CAP_QUIC_CRYPTO_AHEAD are
# dropped and counted; the 64 KiB windows that the gap connections make
# tlsdiag hold (2000 connections x 2 directions x 128 KiB with the byte
# map: 500 MiB) are charged to --max-memory, whose refusals are counted.
#   default: the windows stop at the 128 MiB budget; with the 2000 flows'
#     state (~25 MiB) and the process, under the same 256 MiB as the
#     other captures.  small: 16 MiB of windows, 1000 flows (12 MiB), the
#     process: under 64 MiB.
n=quic-crypto-gaps
for r in text json small; do
	check_run $n.$r $n $([ $r = small ] && echo $cap_small_kib || echo $cap_default_kib)
	eq $n.$r connections "$(expect $n connections)"
	# every byte past the cap, and those the budget refused on top
	ge $n.$r stream_bytes "$(expect $n far_bytes)"
	ge $n.$r memory_bytes 1
done
c=$(conns $n.json 'any(a["code"] == "quic_crypto_cap" for a in c["anomalies"]) and (c.get("dropped") or {}).get("bytes", 0) > 0')
[ "$c" = "$(expect $n connections)" ] &&
	ok "$n.json: every connection says its CRYPTO bytes past the cap were dropped, and counts them ($c)" ||
	bad "$n.json: $c of $(expect $n connections) connections report their dropped CRYPTO bytes"
c=$(conns $n.json 'c["sni"] == "fragments.example" and c["client_hello"] is not None and len(c["client_hello"]["key_share_groups"]) == 1')
[ "$c" = "$(expect $n frag_connections)" ] &&
	ok "$n.json: ClientHellos sent as 1-byte CRYPTO frames, last first, twice each, decode ($c)" ||
	bad "$n.json: $c of $(expect $n frag_connections) fragmented ClientHellos decode"
c=$(conns $n.json 'any(a["code"] == "memory_cap" for a in c["anomalies"])')
[ "$c" -ge 1 ] && ok "$n.json: connections whose window the budget refused say so ($c)" ||
	bad "$n.json: no connection reports the memory cap"

# --- cert-bomb: CompressedCertificate messages in TLS 1.3's encrypted
# flight (the key log opens it): a 1 KB message declaring 16 MiB - 1 and
# a 518-byte zstd frame declaring as much are refused before anything is
# allocated; a 16 KB zlib stream and a 518-byte zstd stream, declaring
# 200 KiB and inflating to 16 MiB, stop at 200 KiB.  Bound: the process
# (~8 MiB) plus one decompression at a time (TD_CAP_CERT_DECOMPRESSED,
# 256 KiB of output, and TD_CAP_DECOMPRESS_STATE, 1 MiB of state) plus 20
# small connections: 16 MiB is twice that, and less than the process plus
# one bomb inflated in full (8 + 16 MiB): with the cap raised to 16 MiB
# (tried) every run measures 24 MiB and fails here.
n=cert-bomb
bomb_kib=$((16 * 1024))
for r in text json small; do
	check_run $n.$r $n $bomb_kib
	eq $n.$r connections "$(expect $n connections)"
done
each=$(expect $n each)
c=$(conns $n.json 'c["sni"] == "control.example" and len(c["server_certs"]) == 3 and c["server_chain"]["encrypted"]')
[ "$c" = "$each" ] &&
	ok "$n.json: the control chains decompress from the encrypted flight ($c): the bombs are read" ||
	bad "$n.json: $c of $each control chains decompressed (the generator's TLS 1.3 records or key log?)"
for kind in zlib-claim zstd-claim zlib-bomb zstd-bomb; do
	case $kind in *-claim) why="over the cap" ;; *) why="inflates beyond its declared length" ;; esac
	c=$(conns $n.json "c['sni'] == '$kind.example' and not c['server_certs'] and any(a['code'] == 'cert_decompression' and '$why' in a['message'] for a in c['anomalies'])")
	[ "$c" = "$each" ] && ok "$n.json: $kind: refused, an anomaly says '$why' ($c of $each)" ||
		bad "$n.json: $kind: $c of $each connections refused with an anomaly saying '$why'"
done
c=$(grep -c 'malformed: CompressedCertificate from the server' "$tmp/$n.text.out")
[ "$c" = "$(expect $n bombs)" ] && ok "$n.text: the $c bombs are in the timelines" ||
	bad "$n.text: $c bombs in the timelines, want $(expect $n bombs)"

finish
