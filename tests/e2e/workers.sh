#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# workers.sh - --workers N (issue 18, musts 5 and 10).
#
# 1. Offline: tlsdiag -r F --workers 2 against one worker over every
#    capture of captures/, captures/real/ and, when present,
#    ../shared/corpus (TD_CORPUS overrides; skipped loudly when absent):
#    the same set of JSON connection lines once "id" is removed (ids are
#    given in the order lines are written) and the lines sorted, and the
#    same text summary.  Same-name .keylog files are given with -k.
# 2. Live (root, Linux): a network namespace with a veth pair; tcpreplay
#    replays a capture of 4000 handshakes (bench/amplify over a lab
#    capture) at a set rate into one end while tlsdiag -i <peer>
#    --workers 2 --no-tui -o json listens on the other.  The handshake
#    count and outcomes must equal the offline run's: a flow whose two
#    directions reached different workers would come out incomplete (the
#    kernel's fanout hash is symmetric, capture.h).  The kernel's drops
#    (summed over the workers' captures, printed on stderr) are reported.
#    Skipped loudly (exit 77) without root, tcpreplay or namespaces.
set -u
TD_E2E_NAME=workers
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { echo "SKIPPED: jq is not installed"; exit 77; }

keyargs() {  # keyargs CAPTURE: -k CAPTURE.keylog when there is one
	local k="${1%.pcap*}.keylog"
	[ -f "$k" ] && printf '%s\n' -k "$k"
}

json_set() {  # json_set N CAPTURE ARGS...
	local n=$1 f=$2
	shift 2
	"$bin" -r "$f" -o json --workers "$n" "$@" 2>/dev/null | jq -c 'del(.id)' | LC_ALL=C sort
}

summary() {  # the text report's closing summary
	"$bin" -r "$2" --workers "$1" "${@:3}" 2>/dev/null | sed -n '/^[0-9]* TLS connections\{0,1\}:/,$p'
}

check_one() {
	local f=$1 k
	mapfile -t k < <(keyargs "$f")
	if ! cmp -s <(json_set 1 "$f" "${k[@]}") <(json_set 2 "$f" "${k[@]}"); then
		bad "json: $f: --workers 2 differs from one worker"
		diff <(json_set 1 "$f" "${k[@]}") <(json_set 2 "$f" "${k[@]}") | cut -c1-200 | head -6
	elif ! cmp -s <(summary 1 "$f" "${k[@]}") <(summary 2 "$f" "${k[@]}"); then
		bad "text summary: $f: --workers 2 differs from one worker"
	else
		ok "$f"
	fi
}

mapfile -t files < <(find "$caps" -maxdepth 1 -name '*.pcap*' | sort; find "$caps/real" -name '*.pcap*' | sort)
corpus=${TD_CORPUS:-$top_srcdir/../shared/corpus}
if [ -d "$corpus" ]; then
	mapfile -t -O "${#files[@]}" files < <(find "$corpus" -name '*.pcap*' | sort)
else
	echo "SKIPPED (part): no corpus at $corpus (TD_CORPUS=DIR to give one): lab and real captures only"
fi
[ "${TD_WORKERS_LIVE_ONLY:-0}" = 1 ] || par_each check_one "${files[@]}"

# An odd number of workers, and more workers than flows: a lab capture.
f="$caps/real/chromium-client-cert-missing.pcap"
for n in 3 16; do
	if cmp -s <(json_set 1 "$f") <(json_set "$n" "$f"); then ok "--workers $n: $f"
	else bad "--workers $n: $f differs from one worker"; fi
done

# Usage errors.
"$bin" -r "$f" --workers 0 >/dev/null 2>&1; [ $? -eq 2 ] && ok "--workers 0 refused" || bad "--workers 0 accepted"
"$bin" -r "$f" --workers 17 >/dev/null 2>&1; [ $? -eq 2 ] && ok "--workers 17 refused" || bad "--workers 17 accepted"
"$bin" -r "$f" --workers 2 --tui >/dev/null 2>&1; [ $? -eq 2 ] && ok "--workers with --tui refused" || bad "--workers with --tui accepted"

# From a pipe, records stream and statistics come every --stats-interval
# of the capture's clock: the workers' records, merged, say what one
# engine's say (the flow table aside: each worker's share is rounded down).
stats_lines() {  # stats_lines N
	cat "$caps/blackhole-chromium.pcap" |
		"$bin" -r - --workers "$1" --stats-interval 1 -o json 2>/dev/null |
		jq -c 'select(.type == "stats") | del(.stats.flows.max)'
}
one=$(stats_lines 1)
two=$(stats_lines 2)
if [ -z "$one" ]; then
	bad "--stats-interval 1 from a pipe: no statistics records with one worker"
elif [ "$one" = "$two" ]; then
	ok "--workers 2 from a pipe: $(wc -l <<<"$one") statistics records, as one worker's"
else
	bad "--workers 2 from a pipe: statistics records differ: one worker: $one; two: $two"
fi

# ---- live: veth pair in a namespace, tcpreplay ----
ns="tdwk$$"
live() {
	[ "$(id -u)" = 0 ] || { echo "SKIPPED (live): needs root (ip netns, a veth pair)"; return; }
	command -v tcpreplay >/dev/null || { echo "SKIPPED (live): tcpreplay is not installed (Debian: tcpreplay)"; return; }
	command -v ip >/dev/null || { echo "SKIPPED (live): ip is not installed (Debian: iproute2)"; return; }
	local cc=${CC:-cc}
	if ! "$cc" -O2 -I"$top_builddir" -o "$tmp/amplify" "$top_srcdir/bench/amplify.c" -lpcap 2>"$tmp/cc.err"; then
		echo "SKIPPED (live): cannot build bench/amplify: $(head -1 "$tmp/cc.err")"; return
	fi
	"$tmp/amplify" -n 1000 -k 64 -o "$tmp/amp.pcap" "$caps/real/chromium-client-cert-missing.pcap" 2>/dev/null || {
		bad "amplify failed"; return; }
	if ! ip netns add "$ns" 2>"$tmp/ns.err"; then
		echo "SKIPPED (live): the kernel refused a network namespace: $(cat "$tmp/ns.err")"; return
	fi
	trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$tmp"' EXIT
	# The seed was recorded on loopback: segments up to its 65536-byte MTU.
	if ! ip -n "$ns" link add va type veth peer name vb 2>"$tmp/ns.err" ||
	   ! ip -n "$ns" link set va mtu 65535 || ! ip -n "$ns" link set vb mtu 65535 ||
	   ! ip -n "$ns" link set va up || ! ip -n "$ns" link set vb up; then
		echo "SKIPPED (live): no veth pair: $(cat "$tmp/ns.err")"; return
	fi
	local want rate=${TD_WORKERS_PPS:-20000}
	want=$("$bin" -r "$tmp/amp.pcap" -o json | tail -n 1 | jq -c '[.summary.connections, .summary.by_outcome]')
	ip netns exec "$ns" "$bin" -i vb --workers 2 --no-tui -o json --stats-interval 1 --max-flows 4000 \
		>"$tmp/live.json" 2>"$tmp/live.err" &
	local pid=$!
	sleep 1.5
	ip netns exec "$ns" tcpreplay -q -i va --pps "$rate" "$tmp/amp.pcap" >"$tmp/replay.out" 2>&1 ||
		{ bad "tcpreplay failed: $(tail -1 "$tmp/replay.out")"; kill "$pid"; wait "$pid"; return; }
	sleep 2.5  # the report grace (1 s) and a clock tick or two
	kill -INT "$pid"
	wait "$pid"
	local got drops
	got=$(tail -n 1 "$tmp/live.json" | jq -c '[.summary.connections, .summary.by_outcome]')
	drops=$(tail -n 1 "$tmp/live.json" | jq -r '.summary.kernel // empty | "\(.received) received, \(.dropped) dropped"')
	echo "live: replayed $(replayed) packets at $rate packets/s; offline $want, live $got; kernel: ${drops:-no figures}"
	[ "$got" = "$want" ] && ok "live --workers 2 over a veth pair: the offline handshakes and outcomes" ||
		{ bad "live --workers 2: $got, offline $want"; sed -n '1,5p' "$tmp/live.err"; }
	grep -q ' 0 dropped' <<<"$drops" && ok "live: no kernel drops" || echo "note: kernel drops: ${drops:-unknown}"
	# The periodic records, merged over the two captures: each with the
	# kernel's counts, and the frames and reported connections never
	# going back, the flow table the two halves of --max-flows; the last no
	# more than the summary's.
	local stats
	stats=$(jq -c 'select(.type == "stats") | .stats | [.frames, .connections.reported,
		.kernel.received, .flows.max]' "$tmp/live.json")
	local sum_frames
	sum_frames=$(tail -n 1 "$tmp/live.json" | jq '.summary.capture.frames')
	if [ -z "$stats" ]; then
		bad "live --workers 2 --stats-interval 1: no statistics records"
	elif jq -s -e --argjson last "$sum_frames" 'all(.[]; .[2] != null and .[3] == 4000) and
		([.[][0]] == ([.[][0]] | sort)) and ([.[][1]] == ([.[][1]] | sort)) and
		(.[-1][0] <= $last)' <<<"$stats" >/dev/null; then
		ok "live --workers 2: $(wc -l <<<"$stats") statistics records, merged over the captures"
	else
		bad "live --workers 2: statistics records: $(tr '\n' ' ' <<<"$stats") (summary frames $sum_frames)"
	fi
}
replayed() { sed -n 's/.*Actual: \([0-9]*\) packets.*/\1/p' "$tmp/replay.out"; }
live
finish
