#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make-tcp-without-tls.sh -- the capture of issue 15 point 10 ("TCP outside
# TLS"): TLS on one port, and next to it TCP connections that carry no TLS
# to other ports: refused, unanswered, plaintext, and closed without data.
#
# Real tools only, over loopback, as make-captures.sh does: openssl
# s_server -www (the lab's server certificate, captures/lab/) and curl for
# TLS; curl for the refused, unanswered and plaintext connections;
# python3 -m http.server as the plaintext server; a python3 socket that
# connects and closes at once (as a TCP health check does) for the
# connection without data; the full-accept-queue listener of
# make-captures.sh's tcp-no-answer for the unanswered SYN.
# tcpdump -U --immediate-mode records the five ports on lo.
#
# Usage (as root: tcpdump needs it):
#   captures/make-tcp-without-tls.sh          capture, then facts
#   captures/make-tcp-without-tls.sh facts    facts only
# writes captures/tcp-without-tls.{pcap,keylog,client.txt,server.txt} and
# captures/expected/tcp-without-tls.tcp, from tshark alone (never tlsdiag):
#   tls PORT STREAMS                      TCP streams that carried TLS records
#   port PORT refused N unanswered N plaintext N closed N first TIME
#       per server port (the destination of the stream's SYN) of the
#       streams without TLS: refused = the SYN answered by an RST and no
#       SYN-ACK; unanswered = SYN(s), no SYN-ACK, no RST from the server;
#       plaintext = TCP payload in either direction (tcp.len > 0);
#       closed = the rest (SYN, SYN-ACK, FIN or RST, no payload);
#       TIME = the first packet of the earliest such stream, RFC 3339 UTC
#       with microseconds
#
# The sequence (0.3 s apart, so that each port's first time is distinct):
#   1. curl http://127.0.0.1:15432/ twice: refused (nothing listens), before
#      any TLS is seen
#   2. curl https://tls-server.local:18443/ once: TLS 1.3, established
#   3. curl http://127.0.0.1:15432/ once more: refused, after TLS
#   4. curl http://127.0.0.1:18080/ twice: python3 -m http.server answers
#   5. a python3 socket connects to 18080 and closes: no data
#   6. curl --connect-timeout 2 http://127.0.0.1:19000/: a listener whose
#      accept queue is full (a filler connection from port 19001, left out
#      of the capture) drops the SYN and its retransmission
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=$HERE/lab
OUT=${OUT:-$HERE}
NAME=tcp-without-tls
TLS_PORT=18443 REFUSED_PORT=15432 HTTP_PORT=18080 FULL_PORT=19000 FILLER_PORT=19001

LIB_NAME=make-tcp-without-tls
# shellcheck source=captures/lib.sh
. "$HERE/lib.sh"   # log, die, wait_for, stop_all, tcp_listening

# As make-captures.sh's PY_BACKLOG: a listener that never accepts, with a
# backlog of 0 that one connection (from FILLER_PORT) fills.
PY_BACKLOG='
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(0)
f = socket.socket(); f.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
f.bind(("127.0.0.1", int(sys.argv[2]))); f.connect(("127.0.0.1", int(sys.argv[1])))
print("listening, accept queue full", flush=True); time.sleep(60)'
# A TCP health check: connect, close, no byte sent.
PY_CHECK='
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.close()
print("connected and closed", flush=True)'

PIDS=() WORK=
cleanup() {
    stop_all INT "${PIDS[@]}"
    PIDS=()
    [[ -n $WORK && -d $WORK ]] && rm -rf "$WORK"
    WORK=
}
trap cleanup EXIT
trap 'exit 130' INT TERM
listening() { tcp_listening "$1"; }

# Run a client, its command line, output and exit status into client.out.
client() {
    local rc=0
    if [[ $1 == python3 ]]; then
        printf '$ python3 -c "$PY_CHECK" %s   # PY_CHECK: make-tcp-without-tls.sh\n' "${@: -1}"
    else
        printf '$ %s\n' "$*"
    fi >>"$WORK/client.out"
    ( cd "$WORK" && SSLKEYLOGFILE=./client.keylog "$@" ) >>"$WORK/client.out" 2>&1 </dev/null || rc=$?
    printf '[client exit status: %d]\n' "$rc" >>"$WORK/client.out"
    sleep 0.3
    return 0
}

capture() {
    local p
    for p in $TLS_PORT $REFUSED_PORT $HTTP_PORT $FULL_PORT $FILLER_PORT; do
        listening "$p" && die "port $p is already in use"
    done
    WORK=$(mktemp -d /tmp/tlsdiag-tcpout.XXXXXX)
    cp "$LAB"/*.crt "$LAB"/*.key "$WORK"/
    mkdir "$WORK/www" && printf 'hello\n' >"$WORK/www/index.html"
    local server=(openssl s_server -key server.key -cert server.crt -cert_chain chain.crt
                  -build_chain -accept "127.0.0.1:$TLS_PORT" -www -naccept 1
                  -keylogfile server.keylog)
    ( cd "$WORK" && exec "${server[@]}" ) >"$WORK/server.out" 2>&1 </dev/null &
    PIDS+=($!)
    ( cd "$WORK/www" && exec python3 -m http.server --bind 127.0.0.1 "$HTTP_PORT" ) \
        >"$WORK/http.out" 2>&1 </dev/null &
    PIDS+=($!)
    python3 -c "$PY_BACKLOG" "$FULL_PORT" "$FILLER_PORT" >"$WORK/backlog.out" 2>&1 </dev/null &
    PIDS+=($!)
    wait_for 100 listening "$TLS_PORT" || die "s_server did not start"
    wait_for 100 listening "$HTTP_PORT" || die "http.server did not start"
    wait_for 100 grep -qs 'accept queue full' "$WORK/backlog.out" || die "the full listener did not start"
    tcpdump -i lo -U --immediate-mode -B 65536 -n -s 0 -w "$WORK/$NAME.pcap" \
        "tcp and (port $TLS_PORT or port $REFUSED_PORT or port $HTTP_PORT or port $FULL_PORT) and not port $FILLER_PORT" \
        2>"$WORK/tcpdump.err" </dev/null &
    local td=$!
    wait_for 100 grep -qs 'listening on' "$WORK/tcpdump.err" || die "tcpdump did not start"
    sleep 0.2
    local curl=(curl -sS -o /dev/null -w '%{http_code}\n' --max-time 5)
    client "${curl[@]}" "http://127.0.0.1:$REFUSED_PORT/"
    client "${curl[@]}" "http://127.0.0.1:$REFUSED_PORT/"
    client "${curl[@]}" --cacert ./rootCA.crt --resolve "tls-server.local:$TLS_PORT:127.0.0.1" \
        "https://tls-server.local:$TLS_PORT/"
    client "${curl[@]}" "http://127.0.0.1:$REFUSED_PORT/"
    client "${curl[@]}" "http://127.0.0.1:$HTTP_PORT/"
    client "${curl[@]}" "http://127.0.0.1:$HTTP_PORT/"
    client python3 -c "$PY_CHECK" "$HTTP_PORT"
    client "${curl[@]}" --connect-timeout 2 "http://127.0.0.1:$FULL_PORT/"
    sleep 0.5
    kill -INT "$td"; wait "$td" 2>/dev/null || true
    cp "$WORK/$NAME.pcap" "$OUT/$NAME.pcap"
    cp "$WORK/client.keylog" "$OUT/$NAME.keylog"
    sed "s|$WORK|.|g" "$WORK/client.out" >"$OUT/$NAME.client.txt"
    {
        printf '$ cd captures/lab && %s\n' "${server[*]}"
        cat "$WORK/server.out"
        printf '$ python3 -m http.server --bind 127.0.0.1 %s\n' "$HTTP_PORT"
        cat "$WORK/http.out"
        printf '$ python3 -c "$PY_BACKLOG" %s %s   # PY_BACKLOG: make-tcp-without-tls.sh\n' \
            "$FULL_PORT" "$FILLER_PORT"
        cat "$WORK/backlog.out"
    } >"$OUT/$NAME.server.txt"
    log "capture: $NAME: $(tshark -r "$OUT/$NAME.pcap" 2>/dev/null | wc -l) packets"
}

# Facts from tshark alone (see the top of this file).
facts() {
    local pcap=$OUT/$NAME.pcap
    mkdir -p "$OUT/expected"
    {
        printf '# %s: written by make-tcp-without-tls.sh facts from tshark %s\n' "$NAME" \
            "$(tshark --version | head -1 | awk '{print $3}')"
        tshark -r "$pcap" -T fields -e tcp.stream -e frame.time_epoch -e tcp.srcport \
            -e tcp.dstport -e tcp.flags.syn -e tcp.flags.ack -e tcp.flags.reset -e tcp.len \
            -e tls.record.content_type -E separator=/t 2>/dev/null |
        python3 -c '
import sys, datetime
streams = {}
for line in sys.stdin:
    st, t, sp, dp, syn, ack, rst, ln, tls = (line.rstrip("\n").split("\t") + [""] * 9)[:9]
    s = streams.setdefault(st, {"first": t, "server": None, "synack": False,
                                "srv_rst": False, "data": False, "tls": False, "syn": False})
    if syn == "1" and ack == "0":
        s["server"], s["syn"] = dp, True
    if syn == "1" and ack == "1":
        s["synack"] = True
        s["server"] = s["server"] or sp
    if s["server"] is None:
        s["server"] = min(sp, dp, key=int)
    if rst == "1" and sp == s["server"]:
        s["srv_rst"] = True
    s["data"] = s["data"] or int(ln or 0) > 0
    s["tls"] = s["tls"] or tls != ""
tls, ports = {}, {}
for s in streams.values():
    if s["tls"]:
        tls[s["server"]] = tls.get(s["server"], 0) + 1
        continue
    k = ("plaintext" if s["data"] else
         ("refused" if s["srv_rst"] else "unanswered") if s["syn"] and not s["synack"] else
         "closed")
    p = ports.setdefault(s["server"], {"refused": 0, "unanswered": 0, "plaintext": 0,
                                       "closed": 0, "first": s["first"]})
    p[k] += 1
    p["first"] = min(p["first"], s["first"], key=float)
for port, n in sorted(tls.items(), key=lambda x: int(x[0])):
    print("tls", port, n)
for port, p in sorted(ports.items(), key=lambda x: (float(x[1]["first"]), int(x[0]))):
    sec, frac = p["first"].split(".")
    t = datetime.datetime.fromtimestamp(int(sec), datetime.timezone.utc)
    print("port %s refused %d unanswered %d plaintext %d closed %d first %s.%sZ" % (
        port, p["refused"], p["unanswered"], p["plaintext"], p["closed"],
        t.strftime("%Y-%m-%dT%H:%M:%S"), frac[:6].ljust(6, "0")))
'
    } >"$OUT/expected/$NAME.tcp"
    log "facts: $NAME"; sed 's/^/  /' "$OUT/expected/$NAME.tcp" >&2
}

if [[ ${1:-} == facts ]]; then
    facts
    exit 0
fi
[[ $(id -u) == 0 ]] || die "needs root (tcpdump)"
capture
cleanup
facts
