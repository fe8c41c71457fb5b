#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# rsyslog.sh -- the rsyslog recipe of FLEET AND LOG PIPELINES
# (man/tlsdiag.1), run for real with Debian's rsyslog.
#
# Two rsyslogd instances of our own, never the system's: each runs in the
# foreground (-n) with its own configuration file, PID file and work
# directory under a temporary directory, on an unprivileged port:
#
#   tlsdiag --output-file DIR/tls-%H%M%S.json -G 1
#      -> A: imfile, a wildcard over DIR (the hidden temporary files
#            excluded), one message per line
#      -> omfwd, TCP, octet-counted, to 127.0.0.1:PORT
#      -> B: imtcp on PORT (a free port, chosen by rsyslogd)
#      -> omfile with a template that keeps the message text only.
#
# tlsdiag reads the lab's real captures (captures/real/*.pcap joined into
# one, each after the one before) through a paced pipe (-r -), once with
# -o json and once with -o ecs, so that files rotate while rsyslog reads
# them.  The lines B wrote must be exactly the lines of tlsdiag's files
# (compared as parsed JSON objects; order may differ): none lost, none
# truncated, none duplicated; and A must never have opened a hidden file.
# A JSON line can be tens of KB (a timeline, a certificate chain):
# rsyslog's default maxMessageSize (8k) would cut it, so both instances
# set 256k, as the recipe says.
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
mkdir -p "$work/in/json" "$work/in/ecs" "$work/out" "$work/a-work" "$work/b-work"
chmod 755 "$work"

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# B: listens on a free port (port 0; rsyslogd writes the one it got to
# b.port) and writes each message's text, and nothing else, to a file
# per tag.  Control characters are kept as they came (JSON escapes its
# own: a raw one would be a bug to see, not to hide).
cat > "$work/b.conf" <<EOF
global(workDirectory="$work/b-work" maxMessageSize="256k"
       parser.escapeControlCharactersOnReceive="off")
module(load="imtcp")
template(name="msgonly" type="string" string="%msg%\n")
template(name="perTag" type="string" string="$work/out/%programname%.log")
ruleset(name="fromA") {
	action(type="omfile" dynaFile="perTag" template="msgonly")
}
input(type="imtcp" port="0" listenPortFileName="$work/b.port" ruleset="fromA")
*.* $work/b-internal.log
EOF
"$rsyslogd" -n -f "$work/b.conf" -i "$work/b.pid" 2> "$work/b.err" &
pids+=($!)
for _ in $(seq 50); do [ -s "$work/b.port" ] && break; sleep 0.1; done
port=$(cat "$work/b.port" 2>/dev/null)
if [ -z "$port" ]; then
	echo "FAIL rsyslog B did not start listening:"; cat "$work/b.err" "$work/b-internal.log" 2>/dev/null
	exit 1
fi

# A: the recipe.  The wildcard is '*' on purpose: rsyslog's wildcards
# never match a name beginning with a dot, which is what keeps
# tlsdiag's hidden .NAME.tmp files out; a second action notes each file
# name read, to prove it.
cat > "$work/a.conf" <<EOF
global(workDirectory="$work/a-work" maxMessageSize="256k"
       parser.escapeControlCharactersOnReceive="off")
module(load="imfile" mode="inotify")
template(name="toB" type="string"
         string="<134>1 %timereported:::date-rfc3339% %hostname% %app-name% - - - %msg%")
template(name="fileName" type="string" string="%\$!metadata!filename%\n")
ruleset(name="ship") {
	action(type="omfwd" target="127.0.0.1" port="$port" protocol="tcp"
	       TCP_Framing="octet-counted" template="toB"
	       queue.type="LinkedList" action.resumeRetryCount="-1")
	action(type="omfile" file="$work/a-files.log" template="fileName")
}
input(type="imfile" File="$work/in/json/*" Tag="tlsdiag-json" addMetadata="on"
      readMode="0" ruleset="ship")
input(type="imfile" File="$work/in/ecs/*" Tag="tlsdiag-ecs" addMetadata="on"
      readMode="0" ruleset="ship")
*.* $work/a-internal.log
EOF
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

for fmt in json ecs; do
	d=$work/in/$fmt
	python3 "$work/feed.py" "$top/captures/real" 3 |
		"$bin" -r - -o "$fmt" --output-file "$d/tls-%H%M%S.json" -G 1 2> "$work/tlsdiag-$fmt.err"
	st=${PIPESTATUS[1]}
	if [ "$st" -le 1 ] && [ ! -s "$work/tlsdiag-$fmt.err" ]; then
		ok "$fmt: tlsdiag -r - -o $fmt --output-file $fmt/tls-%H%M%S.json -G 1 (status $st)"
	else
		bad "$fmt: tlsdiag status $st: $(head -3 "$work/tlsdiag-$fmt.err")"
	fi
	nfiles=$(find "$d" -name 'tls-*.json' | wc -l)
	[ "$nfiles" -ge 3 ] && ok "$fmt: $nfiles files rotated during the 3 s run" ||
		bad "$fmt: only $nfiles files rotated during the 3 s run"
	hidden=$(find "$d" -name '.*' -type f | wc -l)
	[ "$hidden" -eq 0 ] && ok "$fmt: no hidden temporary file left" || bad "$fmt: $hidden hidden files left"
	find "$d" -name 'tls-*.json' | sort | xargs cat > "$work/sent-$fmt.jsonl"
	want=$(wc -l < "$work/sent-$fmt.jsonl")
	# rsyslog reads and forwards asynchronously: wait for B (20 s at most).
	for _ in $(seq 200); do
		[ "$(cat "$work/out/tlsdiag-$fmt.log" 2>/dev/null | wc -l)" -ge "$want" ] && break
		sleep 0.1
	done
	sleep 0.3 # anything beyond the count (a duplicate) would come now
	python3 "$work/compare.py" "$work/sent-$fmt.jsonl" "$work/out/tlsdiag-$fmt.log" "$fmt" |
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
