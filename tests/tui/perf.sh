#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Does the live view keep up with 200 new TLS connections a second?
# (A measurement for the notes, not a test: run it by hand, as root or not.)
#
#   tests/tui/perf.sh [BINARY] [CONNECTIONS] [PER_SECOND]
#
# Builds a capture of CONNECTIONS (default 2000) real lab handshakes
# (five lab captures, successes and failures, each copy on its own client
# port), starting PER_SECOND (default 200) a second, then runs tlsdiag
# over it in tmux: --replay at capture pace at 80x24 and at 250x70 (the
# loop paces frames by their timestamps exactly as a live capture
# delivers them), and the whole file at once.  Prints the wall time, the
# CPU time tlsdiag used, and whether every connection reached the list.
# Use a build without sanitizers for figures that mean something.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${1:-${top_builddir:-$top_srcdir}/src/tlsdiag}
n=${2:-2000}
rate=${3:-200}
caps="$top_srcdir/captures"
command -v tmux >/dev/null || { echo "tmux is needed"; exit 77; }
command -v python3 >/dev/null || { echo "python3 is needed"; exit 77; }
tmp=$(mktemp -d)
sock="tlsdiag-perf-$$"
T() { tmux -L "$sock" "$@"; }
trap 'T kill-server >/dev/null 2>&1; rm -rf "$tmp"' EXIT

python3 - "$tmp/many.pcap" "$n" "$rate" \
	"$caps/tls12-mtls-ok.pcap" "$caps/tls13-mtls-ok.pcap" "$caps/tls12-client-cert-untrusted.pcap" \
	"$caps/tls13-client-cert-missing.pcap" "$caps/tls12-version-mismatch.pcap" <<'EOF'
import struct, sys
out, n, rate, srcs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
def read(path):
    b = open(path, 'rb').read()
    hdr, recs, o = b[:24], [], 24
    while o + 16 <= len(b):
        s, us, incl, orig = struct.unpack('<IIII', b[o:o + 16])
        recs.append((s * 1000000 + us, b[o + 16:o + 16 + incl], orig))
        o += 16 + incl
    return hdr, recs
files = [read(p) for p in srcs]
hdr = files[0][0]
def ports(frame):  # Ethernet, IPv4, TCP
    ihl = (frame[14] & 15) * 4
    t = 14 + ihl
    return t, struct.unpack('>HH', frame[t:t + 4])
allrecs = []
for k in range(n):
    _, recs = files[k % len(files)]
    t0 = recs[0][0]
    _, (cport, _) = ports(recs[0][1])  # the SYN comes from the client
    newport = 10000 + k % 50000
    base = 1800000000 * 1000000 + int(k * 1000000 / rate)
    for ts, fr, orig in recs:
        f = bytearray(fr)
        t, (sp, dp) = ports(f)
        if sp == cport: struct.pack_into('>H', f, t, newport)
        if dp == cport: struct.pack_into('>H', f, t + 2, newport)
        allrecs.append((base + ts - t0, k, bytes(f), orig))
allrecs.sort(key=lambda r: (r[0], r[1]))
with open(out, 'wb') as w:
    w.write(hdr)
    for ts, _, f, orig in allrecs:
        w.write(struct.pack('<IIII', ts // 1000000, ts % 1000000, len(f), orig))
        w.write(f)
print(f"capture: {n} connections, {len(allrecs)} frames, {n / rate:.1f} s at {rate:g}/s")
EOF

T new-session -d -s keep "sleep 3600"  # keeps the server up between runs

cpu_of() {  # user+system seconds of a process
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"
}
screen() { T capture-pane -p -t perf; }

run() {  # run LABEL COLS ROWS ARGS...
	local label=$1 cols=$2 rows=$3; shift 3
	T kill-session -t perf >/dev/null 2>&1
	T new-session -d -s perf -x "$cols" -y "$rows" \
		"env LANG=C.UTF-8 $(printf '%q ' "$bin" "$@"); sleep 300"
	local start=$(date +%s.%N) pid=""
	for _ in $(seq 1 50); do
		pid=$(pgrep -P "$(T display -p -t perf '#{pane_pid}')" | head -1)
		[ -n "$pid" ] && break
		sleep 0.1
	done
	while ! screen | grep -q 'end of capture'; do sleep 0.05; done
	local end=$(date +%s.%N)
	sleep 0.3
	local cpu=$(cpu_of "$pid")
	local conns=$(screen | grep -oE 'conns [0-9]+' | head -1)
	printf '%-34s wall %6.2f s  cpu %6.2f s  %s\n' "$label" "$(echo "$end - $start" | bc)" "$cpu" "$conns"
	T send-keys -t perf q
	sleep 0.5
}

start=$(date +%s.%N)
"$bin" -r "$tmp/many.pcap" --no-tui -o json >/dev/null
printf '%-34s wall %6.2f s\n' "--no-tui -o json (engine alone)" "$(echo "$(date +%s.%N) - $start" | bc)"
run "--tui, all at once, 80x24" 80 24 -r "$tmp/many.pcap" --tui
run "--tui --replay, 80x24" 80 24 -r "$tmp/many.pcap" --replay
run "--tui --replay, 250x70" 250 70 -r "$tmp/many.pcap" --replay
