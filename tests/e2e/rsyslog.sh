#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# rsyslog.sh -- the rsyslog recipe of FLEET AND LOG PIPELINES
# (man/tlsdiag.1), run for real with Debian's rsyslog.
#
# Two rsyslogd instances of our own, never the system's: each runs in the
# foreground (-n) with its own configuration file, PID file and work
# directory under a temporary directory, on an unprivileged port.  Their
# configurations are the recipes of contrib/shippers/, changed only where
# a path or an address must be:
#
#   tlsdiag --output-file DIR/tls-....json -G 1
#      -> A (rsyslog-sensor.conf): imfile, wildcard DIR/tls-*.json* (the
#         hidden temporary files never match), one message per line
#      -> omfwd, TCP, octet-counted RFC 5424, to 127.0.0.1:PORT
#      -> B (rsyslog-collector.conf): imtcp on PORT (a free port, chosen
#         by rsyslogd), omfile, one file per sensor host, with a template
#         that keeps the message text only.
#
# tlsdiag reads the lab's real captures (captures/real/*.pcap joined into
# one, each after the one before) through a paced pipe (-r -), once with
# -o json and once with -o ecs, so that files rotate while rsyslog reads
# them.  The lines B wrote must be exactly the lines of tlsdiag's files
# (compared as parsed JSON objects, and byte for byte; order may differ):
# none lost, none truncated, none duplicated; and A must never have read
# a hidden file.  A line can be over 8 KB (a timeline, a certificate
# chain): rsyslog's default maxMessageSize (8k) would cut it (this test
# then fails), so the recipes set 256k.
#
# Skips (exit 77, said loudly) without rsyslogd or python3.
#
#   tests/e2e/rsyslog.sh [path/to/tlsdiag]     (make check runs it)
set -u
top=${top_srcdir:-$(dirname "$0")/../..}
top=$(cd "$top" && pwd)
bin=${1:-${top_builddir:-$top}/src/tlsdiag}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
[ -x "$bin" ] || { echo "no tlsdiag at $bin (build first)"; exit 2; }
rsyslogd=$(command -v rsyslogd || true)
[ -n "$rsyslogd" ] || { [ -x /usr/sbin/rsyslogd ] && rsyslogd=/usr/sbin/rsyslogd; }
if [ -z "$rsyslogd" ]; then
	echo "SKIPPED: rsyslog.sh: rsyslogd is not installed (Debian: apt-get install rsyslog):"
	echo "SKIPPED: the rsyslog forwarding path (imfile -> omfwd -> imtcp) is NOT tested"
	exit 77
fi
command -v python3 >/dev/null || { echo "SKIPPED: rsyslog.sh: needs python3"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/td-rsyslog.XXXXXX")
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	[ -n "${TD_KEEP:-}" ] && { echo "kept $work"; return; }
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/in" "$work/out" "$work/a-work" "$work/b-work"
chmod 755 "$work"

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# The recipes: contrib/shippers/rsyslog-collector.conf (B) and
# rsyslog-sensor.conf (A), each included from a main file of our own
# (its work directory, and rsyslog's own messages to a file), changed
# only where a path or an address must be: B listens on a free port
# (port 0: rsyslogd writes the one it got to b.port).
collector=$top/contrib/shippers/rsyslog-collector.conf
sensor=$top/contrib/shippers/rsyslog-sensor.conf
for f in "$collector" "$sensor"; do
	[ -r "$f" ] || { echo "FAIL no $f"; exit 1; }
done
sed -e "s|/var/log/tlsdiag-fleet/|$work/out/|" \
    -e "s|port=\"10514\"|port=\"0\" listenPortFileName=\"$work/b.port\"|" \
	"$collector" > "$work/b-tlsdiag.conf"
cat > "$work/b.conf" <<EOF
global(workDirectory="$work/b-work")
*.* $work/b-internal.log
include(file="$work/b-tlsdiag.conf")
EOF
"$rsyslogd" -n -f "$work/b.conf" -i "$work/b.pid" 2> "$work/b.err" &
pids+=($!)
for _ in $(seq 50); do [ -s "$work/b.port" ] && break; sleep 0.1; done
port=$(cat "$work/b.port" 2>/dev/null)
if [ -z "$port" ]; then
	echo "FAIL rsyslog B did not start listening:"; cat "$work/b.err" "$work/b-internal.log" 2>/dev/null
	exit 1
fi

# A: the sensor's recipe, reading $work/in; a second action notes the
# name of each file read, to prove no hidden temporary file was.
sed -e "s|/var/log/tlsdiag/|$work/in/|" \
    -e "s|target=\"collector.example.net\" port=\"10514\"|target=\"127.0.0.1\" port=\"$port\"|" \
    -e "s|^\(ruleset(name=\"tlsdiag\") {\)\$|\1 action(type=\"omfile\" file=\"$work/a-files.log\" template=\"fileName\")|" \
	"$sensor" > "$work/a-tlsdiag.conf"
cat > "$work/a.conf" <<EOF
global(workDirectory="$work/a-work")
template(name="fileName" type="string" string="%\$!metadata!filename%\n")
*.* $work/a-internal.log
include(file="$work/a-tlsdiag.conf")
EOF
for want in "$work/in/tls-" "target=\"127.0.0.1\"" "$work/a-files.log"; do
	grep -qF "$want" "$work/a-tlsdiag.conf" ||
		{ echo "FAIL the sensor recipe no longer has what the test rewrites ($want)"; exit 1; }
done
"$rsyslogd" -n -f "$work/a.conf" -i "$work/a.pid" 2> "$work/a.err" &
pids+=($!)
for _ in $(seq 50); do [ -s "$work/a.pid" ] && break; sleep 0.1; done
[ -s "$work/a.pid" ] || { echo "FAIL rsyslog A did not start:"; cat "$work/a.err"; exit 1; }
echo "     rsyslogd $("$rsyslogd" -v | sed -n '1s/^rsyslogd *\([^ ]*\).*/\1/p'): A (imfile) -> B (imtcp on 127.0.0.1:$port)"

# The lab's Ethernet captures joined, and a feeder that writes them to a
# pipe in 20 equal groups over SECONDS.
cat > "$work/feed.py" <<'EOF'
import glob, os, struct, sys, time
caps, seconds = sys.argv[1], float(sys.argv[2])
frames, t = [], None
for p in sorted(glob.glob(os.path.join(caps, "*.pcap"))):
    b = open(p, "rb").read()
    if len(b) < 24 or b[:4] != b"\xd4\xc3\xb2\xa1" or struct.unpack_from("<I", b, 20)[0] != 1:
        continue
    off, recs = 24, []
    while off + 16 <= len(b):
        sec, usec, incl, orig = struct.unpack_from("<IIII", b, off)
        if off + 16 + incl > len(b):
            break
        recs.append((sec * 1000000 + usec, orig, b[off + 16:off + 16 + incl]))
        off += 16 + incl
    if not recs:
        continue
    base = recs[0][0]
    if t is None:
        t = base  # the first capture's own time, the rest after it
    frames += [(t + ts - base, orig, d) for ts, orig, d in recs]
    t = frames[-1][0] + 1000000
out = sys.stdout.buffer
out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
steps = 20
per = (len(frames) + steps - 1) // steps
for i in range(steps):
    for ts, orig, d in frames[i * per:(i + 1) * per]:
        out.write(struct.pack("<IIII", ts // 1000000, ts % 1000000, len(d), orig) + d)
    out.flush()
    time.sleep(seconds / steps)
EOF

# Compares tlsdiag's files (in name order) with what B wrote.
cat > "$work/compare.py" <<'EOF'
import collections, json, sys
sent_path, got_path, label = sys.argv[1:4]
def lines(p):
    try:
        b = open(p, "rb").read()
    except FileNotFoundError:
        return [], False
    return b.split(b"\n")[:-1], b.endswith(b"\n") or not b
def parsed(ls):
    objs, bad = [], []
    for l in ls:
        try:
            objs.append(json.dumps(json.loads(l), sort_keys=True))
        except ValueError:
            bad.append(l)
    return objs, bad
sent, _ = lines(sent_path)
got, whole = lines(got_path)
s, sbad = parsed(sent)
g, gbad = parsed(got)
fails = 0
def check(cond, msg):
    global fails
    print(("ok   " if cond else "FAIL ") + label + ": " + msg)
    fails += 0 if cond else 1
check(sent and not sbad, f"tlsdiag's files: {len(sent)} lines, each one JSON object")
big = max((len(l) for l in sent), default=0)
print(f"     {label}: the largest line is {big} bytes (rsyslog's default maxMessageSize is 8k)")
check(whole and not gbad, f"B wrote {len(got)} lines, each one whole JSON object"
      + (f" ({len(gbad)} not: {gbad[0][:80]!r}...)" if gbad else ""))
cs, cg = collections.Counter(s), collections.Counter(g)
missing, extra = cs - cg, cg - cs
dup = sum(n - 1 for n in cg.values() if n > 1) - sum(n - 1 for n in cs.values() if n > 1)
check(not missing, f"every record arrived ({sum(missing.values())} missing)")
check(not extra, f"nothing else arrived ({sum(extra.values())} extra, {max(dup, 0)} of them duplicates)")
check(sorted(sent) == sorted(got), "every line arrived byte for byte")
sys.exit(1 if fails else 0)
EOF

# JSON first, then ECS under the DaemonSet's name pattern, into the one
# directory A watches; B writes one file per sensor host: the lines it
# gained during each run are that run's.
gained() { # FROM: B's lines after the first FROM
	local f
	f=$(find "$work/out" -name '*.json' -type f | head -1)
	[ -n "$f" ] && tail -n +"$(($1 + 1))" "$f"
}
for fmt in json ecs; do
	case $fmt in
	json) name=tls-json-%H%M%S.json ;;
	ecs) name=tls-%Y%m%d%H%M%S.json ;;
	esac
	before=$(gained 0 | wc -l)
	find "$work/in" -type f | sort > "$work/in-before.txt"
	python3 "$work/feed.py" "$top/captures/real" 3 |
		"$bin" -r - -o "$fmt" --output-file "$work/in/$name" -G 1 2> "$work/tlsdiag-$fmt.err"
	st=${PIPESTATUS[1]}
	if [ "$st" -le 1 ] && [ ! -s "$work/tlsdiag-$fmt.err" ]; then
		ok "$fmt: tlsdiag -r - -o $fmt --output-file $name -G 1 (status $st)"
	else
		bad "$fmt: tlsdiag status $st: $(head -3 "$work/tlsdiag-$fmt.err")"
	fi
	files=$(find "$work/in" -type f | sort | comm -13 "$work/in-before.txt" -)
	nfiles=$(echo "$files" | grep -c .)
	[ "$nfiles" -ge 3 ] && ok "$fmt: $nfiles files rotated during the 3 s run" ||
		bad "$fmt: only $nfiles files rotated during the 3 s run"
	hidden=$(find "$work/in" -name '.*' -type f | wc -l)
	[ "$hidden" -eq 0 ] && ok "$fmt: no hidden temporary file left" || bad "$fmt: $hidden hidden files left"
	echo "$files" | xargs cat > "$work/sent-$fmt.jsonl"
	want=$(wc -l < "$work/sent-$fmt.jsonl")
	# rsyslog reads and forwards asynchronously: wait for B (20 s at most).
	for _ in $(seq 200); do
		[ "$(gained "$before" | wc -l)" -ge "$want" ] && break
		sleep 0.1
	done
	sleep 0.3 # anything beyond the count (a duplicate) would come now
	gained "$before" > "$work/got-$fmt.jsonl"
	python3 "$work/compare.py" "$work/sent-$fmt.jsonl" "$work/got-$fmt.jsonl" "$fmt" |
		tee "$work/compare-$fmt.txt"
	pass=$((pass + $(grep -c '^ok' "$work/compare-$fmt.txt")))
	fail=$((fail + $(grep -c '^FAIL' "$work/compare-$fmt.txt")))
done

# A opened only the published names, never a hidden temporary file.
read_hidden=$(grep -c '/\.[^/]*$' "$work/a-files.log" 2>/dev/null)
read_names=$(sort -u "$work/a-files.log" 2>/dev/null | wc -l)
[ "$read_names" -gt 0 ] && [ "${read_hidden:-0}" -eq 0 ] &&
	ok "imfile read $read_names files by wildcard, none of them hidden" ||
	bad "imfile read $read_names files, ${read_hidden:-0} of them hidden temporary files"
if [ -s "$work/a-internal.log" ] || [ -s "$work/b-internal.log" ]; then
	grep -hi 'error\|warn' "$work/a-internal.log" "$work/b-internal.log" 2>/dev/null | head -5 |
		sed 's/^/     rsyslog said: /'
fi
echo "rsyslog.sh: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
