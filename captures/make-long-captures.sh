#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make-long-captures.sh -- the captures of issue 15 points 7 ("alerts
# anywhere") and 9 ("nothing unreported"): long connections that end with
# close_notify or a late fatal alert, a TLS 1.3 KeyUpdate in the middle of a
# transfer, and a ClientHello of which only the first segment was captured.
#
# Real tools only, over loopback, as make-captures.sh does: openssl s_server
# (the lab's server certificate, captures/lab/), and as clients curl,
# openssl s_client, or python3's ssl module (OpenSSL underneath) where a
# client must do something the others cannot be told to do (see each
# scenario).  tcpdump -U --immediate-mode records 'tcp port 8443' on lo.
#
# Usage (as root: tcpdump needs it):
#   captures/make-long-captures.sh [SCENARIO...]   (all of them by default)
# then captures/make-long-captures.sh facts [SCENARIO...] writes
# captures/expected/NAME.tshark from tshark alone (never from tlsdiag):
#   alert N FROM LEVEL DESCRIPTION   every alert, in order, decrypted with
#                                    the key log (FROM: client or server)
#   records FROM N                   TLS records each side sent
#   keyupdate N FROM                 TLS 1.3 KeyUpdate messages, in order
#   clienthello declared N seen M    the first ClientHello's declared
#                                    handshake length and the bytes of it
#                                    the capture holds
# tests/e2e/alerts.sh checks tlsdiag against those files.
#
# Scenarios:
#   tls13-long-close-notify   curl fetches 160 KB (10 full records) from
#                             s_server -WWW, TLS 1.3
#                             (TLS_AES_128_GCM_SHA256); both close_notify
#   tls12-long-close-notify   the same in TLS 1.2 with a CBC suite
#                             (ECDHE-RSA-AES128-SHA256: explicit record IV)
#   tls13-keyupdate           s_client sends 64 KB to s_server, then 'K'
#                             (KeyUpdate, update_requested: the server
#                             updates too), 32 KB more, then EOF (close_notify)
#   tls13-late-fatal-alert    a python3 client (ssl.SSLObject over memory
#                             BIOs) sends 40 records of lines s_server -WWW
#                             ignores, then fetches 160 KB, and after 64 KB flips one
#                             bit of a received record's tag before OpenSSL
#                             reads it: OpenSSL sends a fatal bad_record_mac
#                             (encrypted), the capture holds the intact record
#   tls12-late-fatal-alert    the same in TLS 1.2 (ECDHE-RSA-AES128-GCM-SHA256)
#   clienthello-truncated     a python3 client with a ClientHello made about
#                             16 KB long by a long ALPN list, sent in
#                             1000-byte segments 0.2 s apart; tcpdump -c 4
#                             stops after SYN, SYN-ACK, ACK and the first
#                             1000 bytes (the rest went by, uncaptured)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=$HERE/lab
OUT=${OUT:-$HERE}
PORT=8443
ALL=(tls13-long-close-notify tls12-long-close-notify tls13-keyupdate
     tls13-late-fatal-alert tls12-late-fatal-alert clienthello-truncated)

LIB_NAME=make-long-captures
# shellcheck source=captures/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # log, die, wait_for, stop_pid, tcp_listening

# The python3 client of the late-alert and truncated scenarios:
#   client.py MODE MAXVER   MODE: alert (corrupt a record after 64 KB) or
#                           truncated (send the ClientHello in 1000-byte
#                           segments, the huge ALPN list); MAXVER 1.2 or 1.3
PY_CLIENT='
import socket, ssl, sys, time
mode, maxver = sys.argv[1], sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations("rootCA.crt")
ctx.keylog_filename = "client.keylog"
ctx.maximum_version = ssl.TLSVersion.TLSv1_3 if maxver == "1.3" else ssl.TLSVersion.TLSv1_2
if mode == "truncated":
    # 62 protocol names of 255 bytes: a ClientHello of about 16 KB
    ctx.set_alpn_protocols([("p%02d" % i) + "x" * 252 for i in range(62)])
inc, outg = ssl.MemoryBIO(), ssl.MemoryBIO()
tls = ctx.wrap_bio(inc, outg, server_hostname="tls-server.local")
sock = socket.create_connection(("127.0.0.1", int(sys.argv[3])))
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
first = True
def flush():
    global first
    data = outg.read()
    if first and mode == "truncated" and data:
        first = False
        print("ClientHello: %d bytes on the wire" % len(data), flush=True)
        for i in range(0, len(data), 1000):
            sock.sendall(data[i:i + 1000])
            time.sleep(0.2)
        return
    if data:
        sock.sendall(data)
while True:
    try:
        tls.do_handshake()
        break
    except ssl.SSLWantReadError:
        flush()
        chunk = sock.recv(65536)
        if not chunk:
            sys.exit("EOF during the handshake")
        inc.write(chunk)
flush()
print("handshake done:", tls.version(), tls.cipher()[0], flush=True)
if mode == "truncated":
    sock.close()
    sys.exit(0)
# 40 lines s_server -WWW passes over, one record each, before the request
# line: the alert comes after the 40th record of the client
for i in range(40):
    tls.write(b"X-Pad-%02d: x\r\n" % i)
    flush()
tls.write(b"GET /big.bin HTTP/1.0\r\n\r\n")
flush()
# Frame the raw stream into records, to flip a bit in a whole record.
raw, got, corrupted = b"", 0, False
while True:
    chunk = sock.recv(65536)
    if not chunk:
        sys.exit("server closed before the corruption")
    raw += chunk
    out = b""
    while len(raw) >= 5:
        n = 5 + int.from_bytes(raw[3:5], "big")
        if len(raw) < n:
            break
        rec, raw = bytearray(raw[:n]), raw[n:]
        if got >= 65536 and not corrupted and rec[0] == 23 and n > 1000:
            rec[-1] ^= 1          # the last byte of the AEAD tag
            corrupted = True
            print("flipped the last bit of a %d-byte record after %d bytes" % (n, got), flush=True)
        out += bytes(rec)
    inc.write(out)
    try:
        while True:
            got += len(tls.read(65536))
    except ssl.SSLWantReadError:
        pass
    except ssl.SSLError as e:
        print("SSLError:", e, flush=True)
        flush()           # the fatal alert OpenSSL queued
        time.sleep(0.2)
        sock.close()
        sys.exit(1)
'

SRV_PID= TD_PID= WORK=
cleanup() {
    stop_pid "$SRV_PID" TERM; SRV_PID=
    stop_pid "$TD_PID" INT; TD_PID=
    [[ -n $WORK && -d $WORK ]] && rm -rf "$WORK"
    WORK=
}
trap cleanup EXIT
trap 'exit 130' INT TERM
port_listening() { tcp_listening "$PORT"; }

# The s_server shared by every scenario: the lab's server certificate and
# chain, no client certificate asked for, one connection.
server() {   # server VERSION-OPTIONS...
    SERVER=(openssl s_server -key server.key -cert server.crt -cert_chain chain.crt -build_chain
            -accept "127.0.0.1:$PORT" "$@" -keylogfile server.keylog -naccept 1)
}

# The data s_client sends: lines of 'x' (a read of stdin that starts with
# a letter s_client knows as a command, Q, R, k, K..., would be one).
xdata() { yes xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx | head -c "$1" || true; }

capture_one() {
    local name=$1 rc=0 count=() srv_in=/dev/null
    port_listening && die "port $PORT is already in use"
    WORK=$(mktemp -d /tmp/tlsdiag-long.XXXXXX)
    cp "$LAB"/*.crt "$LAB"/*.key "$WORK"/
    head -c 163840 /dev/zero | tr '\0' 'z' >"$WORK/big.bin"
    local curl=(curl -v --no-progress-meter -o /dev/null --max-time 30 --limit-rate 2M --cacert ./rootCA.crt
                --resolve "tls-server.local:$PORT:127.0.0.1" "https://tls-server.local:$PORT/big.bin")
    case $name in
    tls13-long-close-notify)
        server -WWW -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256
        CLIENT=("${curl[@]}") ;;
    tls12-long-close-notify)
        server -WWW -tls1_2 -cipher ECDHE-RSA-AES128-SHA256 -no_etm
        CLIENT=("${curl[@]}") ;;
    tls13-keyupdate)
        # s_server prints what it receives; its stdin stays open (a
        # sleep) so that it does not close on its own end of input
        server -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -quiet
        srv_in=pipe
        CLIENT=(sh -c "{ sleep 0.5; head -c 65536 x.txt; sleep 1; printf 'K\n'; sleep 1; head -c 32768 x.txt; sleep 1; } | openssl s_client -connect 127.0.0.1:$PORT -servername tls-server.local -CAfile ./rootCA.crt -keylogfile ./client.keylog")
        xdata 65536 >"$WORK/x.txt" ;;
    tls13-late-fatal-alert)
        server -WWW -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256
        CLIENT=(python3 -c "$PY_CLIENT" alert 1.3 "$PORT") ;;
    tls12-late-fatal-alert)
        server -WWW -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
        CLIENT=(python3 -c "$PY_CLIENT" alert 1.2 "$PORT") ;;
    clienthello-truncated)
        server -WWW -tls1_3 -alpn "p00$(printf 'x%.0s' $(seq 252))"
        CLIENT=(python3 -c "$PY_CLIENT" truncated 1.3 "$PORT")
        count=(-c 4) ;;
    *) die "unknown scenario: $name" ;;
    esac
    log "capture: $name"
    if [[ $srv_in == pipe ]]; then
        ( cd "$WORK" && sleep 30 | exec "${SERVER[@]}" ) >"$WORK/server.out" 2>&1 &
    else
        ( cd "$WORK" && exec "${SERVER[@]}" ) >"$WORK/server.out" 2>&1 </dev/null &
    fi
    SRV_PID=$!
    wait_for 100 port_listening || { cat "$WORK/server.out" >&2; die "$name: the server did not start"; }
    tcpdump -i lo -U --immediate-mode -B 65536 -n -s 0 "${count[@]}" -w "$WORK/$name.pcap" "tcp port $PORT" \
        2>"$WORK/tcpdump.err" </dev/null &
    TD_PID=$!
    wait_for 100 grep -qs 'listening on' "$WORK/tcpdump.err" || die "$name: tcpdump did not start"
    sleep 0.2
    ( cd "$WORK" && SSLKEYLOGFILE=./client.keylog exec timeout 40 "${CLIENT[@]}" ) \
        </dev/null >"$WORK/client.out" 2>&1 || rc=$?
    sleep 0.5
    wait_for 30 eval '! kill -0 $SRV_PID 2>/dev/null' || true
    stop_pid "$SRV_PID" TERM; SRV_PID=
    sleep 0.3
    stop_pid "$TD_PID" INT; TD_PID=
    mkdir -p "$OUT"
    cp "$WORK/$name.pcap" "$OUT/$name.pcap"
    if [[ -s $WORK/client.keylog ]]; then cp "$WORK/client.keylog" "$OUT/$name.keylog"
    else cp "$WORK/server.keylog" "$OUT/$name.keylog"; fi
    {
        if [[ ${CLIENT[0]} == python3 ]]; then
            printf '$ cd captures/lab && python3 -c "$PY_CLIENT" %s   # PY_CLIENT: make-long-captures.sh\n' "${CLIENT[*]:3}"
        else
            printf '$ cd captures/lab && %s\n' "$(quote "${CLIENT[@]}")"
        fi
        tail -c 4000 "$WORK/client.out"
        printf '[client exit status: %d]\n' "$rc"
    } >"$OUT/$name.client.txt"
    {
        printf '$ cd captures/lab && %s\n' "$(quote "${SERVER[@]}")"
        tail -c 2000 "$WORK/server.out"
    } >"$OUT/$name.server.txt"
    log "capture: $name: client status $rc, $(tshark -r "$OUT/$name.pcap" 2>/dev/null | wc -l) packets"
    rm -rf "$WORK"; WORK=
}

# Facts from tshark alone (see the top of this file).
facts_one() {
    local name=$1
    local pcap=$OUT/$name.pcap kl=$OUT/$name.keylog
    local sport
    sport=$(tshark -r "$pcap" -c 1 -T fields -e tcp.srcport 2>/dev/null)
    {
        printf '# %s: written by make-long-captures.sh facts from tshark %s\n' "$name" \
            "$(tshark --version | head -1 | awk '{print $3}')"
        if [[ $name == clienthello-truncated ]]; then
            # tshark does not dissect a record it cannot reassemble: its
            # header is read from the first data segment's bytes
            # (tcp.payload): type 22, version, record length; handshake
            # type 1, its 24-bit length
            local hex
            hex=$(tshark -r "$pcap" -Y 'tcp.len > 0' -T fields -e tcp.payload 2>/dev/null | head -1)
            hex=${hex//:/}
            if [[ ${hex:0:2} == 16 && ${hex:10:2} == 01 ]]; then
                printf 'record length %d\n' $((16#${hex:6:4}))
                printf 'clienthello declared %d seen %d\n' $((16#${hex:12:6})) $((${#hex} / 2 - 9))
            fi
        else
            tshark -r "$pcap" -o "tls.keylog_file:$kl" -Y 'tls.record' -T fields \
                -e tcp.srcport -e tls.record.content_type -e tls.alert_message.level \
                -e tls.alert_message.desc -e tls.handshake.type -E separator=/t 2>/dev/null |
                awk -F '\t' -v c="$sport" '
                    { from = ($1 == c) ? "client" : "server"
                      nt = split($2, t, ","); nl = split($3, l, ","); split($4, d, ",")
                      nh = split($5, h, ",")
                      recs[from] += nt
                      for (i = 1; i <= nl; i++) print "alert", na++, from, l[i], d[i]
                      for (i = 1; i <= nh; i++) if (h[i] == 24) print "keyupdate", nk++, from }
                    END { print "records client", recs["client"] + 0
                          print "records server", recs["server"] + 0 }'
        fi
    } >"$OUT/expected/$name.tshark"
    log "facts: $name"; sed 's/^/  /' "$OUT/expected/$name.tshark" >&2
}

if [[ ${1:-} == facts ]]; then
    shift
    mkdir -p "$OUT/expected"
    for n in "${@:-${ALL[@]}}"; do facts_one "$n"; done
    exit 0
fi
[[ $(id -u) == 0 ]] || die "needs root (tcpdump)"
for n in "${@:-${ALL[@]}}"; do capture_one "$n"; done
