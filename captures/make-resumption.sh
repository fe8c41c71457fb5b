#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make-resumption.sh -- the captures of issue 16 Must 6 over TCP: TLS 1.3
# resumption (a PSK offered, accepted or refused), 0-RTT early data
# (accepted, rejected) and KeyUpdate followed by application data both ways.
#
# Real tools only, over loopback, as make-captures.sh does: openssl 3.0
# s_server (the lab's server certificate, captures/lab/) and s_client.
# tcpdump -U --immediate-mode records 'tcp port 8443' on lo.  Each capture
# except the KeyUpdate one holds two connections: the first, a full
# handshake, gives the client a ticket (s_client -sess_out); the second
# offers it (-sess_in), with early data where the scenario says so
# (-early_data FILE).  The key log is the client's (SSLKEYLOGFILE and
# -keylogfile: both connections' secrets, CLIENT_EARLY_TRAFFIC_SECRET
# included when 0-RTT was offered).
#
# Usage (as root: tcpdump needs it):
#   captures/make-resumption.sh [SCENARIO...]   (all of them by default)
# then captures/make-resumption.sh facts [SCENARIO...] writes
# captures/expected/NAME.resumption from tshark alone (never from tlsdiag),
# one line per fact, N the connection in capture order (1, 2):
#   N psk_offered K              the ClientHello's pre_shared_key holds K
#                                identities (0: no such extension)
#   N psk_age I AGE              identity I's obfuscated_ticket_age
#   N early_data_offered yes|no  the ClientHello's early_data extension
#   N psk_selected I|none        the ServerHello's pre_shared_key
#   N early_records K            the client's application_data records
#                                before the server's first record (its 0-RTT
#                                records, seen without the key log)
#   N early_records_decrypted K  of those, the ones tshark opened with the
#                                key log (CLIENT_EARLY_TRAFFIC_SECRET)
#   N early_data_ee yes|no       EncryptedExtensions carries early_data
#                                (with the key log: the server accepted it)
#   N keyupdate FROM             a KeyUpdate (decrypted), in order
#   N appdata_after_keyupdate FROM K   application_data records of FROM that
#                                tshark decrypted after that side's KeyUpdate
# and the verdicts, by reasoning from those facts (see the scenarios):
#   N resumed yes|no             psk_selected is an identity
#   N early_data offered|accepted|rejected|none
# tests/e2e/resumption.sh checks tlsdiag's JSON against those files.
#
# Scenarios:
#   tls13-psk-resumed       one s_server; the second connection resumes
#   tls13-0rtt-accepted     s_server -early_data; the second connection
#                           sends early data, accepted
#   tls13-0rtt-rejected     s_server -early_data -alpn a,b; the first client
#                           offers ALPN "b" only (the ticket's), the second
#                           "a,b" and early data: the server resumes but
#                           picks "a", and early data on a ticket whose ALPN
#                           differs is refused (RFC 8446 4.2.10)
#   tls13-psk-refused       two s_server processes one after the other (each
#                           has its own ticket keys): the second cannot read
#                           the ticket, a full handshake follows
#   tls13-0rtt-psk-refused  the same with -early_data: the PSK is refused, so
#                           the 0-RTT records are skipped by the server
#   tls13-keyupdate-both    s_client sends 'K' (KeyUpdate with
#                           update_requested: the server updates too), then
#                           both sides send a line after the updates
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=$HERE/lab
OUT=${OUT:-$HERE}
PORT=8443
ALL=(tls13-psk-resumed tls13-0rtt-accepted tls13-0rtt-rejected tls13-psk-refused
     tls13-0rtt-psk-refused tls13-keyupdate-both)

LIB_NAME=make-resumption
# shellcheck source=captures/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # log, die, wait_for, stop_pid, tcp_listening

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

# start_server NACCEPT OPTIONS...: s_server with the lab's certificate, its
# stdin a pipe that stays open (sv_body mode ends at the end of its input)
# and that says SRV_INPUT's words first (after SRV_DELAY seconds).
start_server() {
    local n=$1; shift
    SERVER=(openssl s_server -key server.key -cert server.crt -cert_chain chain.crt -build_chain
            -accept "127.0.0.1:$PORT" -tls1_3 "$@" -keylogfile server.keylog -naccept "$n")
    printf '$ cd captures/lab && %s\n' "$(quote "${SERVER[@]}")" >>"$WORK/server.cmds"
    ( cd "$WORK" && { sleep "${SRV_DELAY:-0}"; printf '%b' "${SRV_INPUT:-}"; sleep 30; } |
        exec "${SERVER[@]}" ) >>"$WORK/server.out" 2>&1 &
    SRV_PID=$!
    wait_for 100 port_listening || { cat "$WORK/server.out" >&2; die "the server did not start"; }
}

# client TEXT OPTIONS...: s_client sends TEXT (after 0.3 s) and stays 1 s
# more (the ticket comes after the handshake), logging its secrets.  With
# TEXT2 set: TEXT2_DELAY (0.5) s after TEXT, TEXT2 (a command such as K
# must come alone in a read of s_client's stdin), then 0.8 s later TEXT3,
# then 1.4 s more.
client() {
    local text=$1 rc=0; shift
    local cmd=(openssl s_client -connect "127.0.0.1:$PORT" -servername tls-server.local
               -CAfile ./rootCA.crt -keylogfile ./client.keylog "$@")
    printf '$ cd captures/lab && %s\n' "$(quote "${cmd[@]}")" >>"$WORK/client.out"
    ( cd "$WORK" && { sleep 0.3; printf '%b' "$text"
                       if [[ -n ${TEXT2:-} ]]; then
                           sleep "${TEXT2_DELAY:-0.5}"; printf '%b' "$TEXT2"; sleep 0.8
                           printf '%b' "$TEXT3"; sleep 0.4
                       fi
                       sleep 1; } |
        SSLKEYLOGFILE=./client.keylog exec timeout 20 "${cmd[@]}" ) >>"$WORK/client.out" 2>&1 || rc=$?
    printf '[client exit status: %d]\n' "$rc" >>"$WORK/client.out"
    sleep 0.3
}

server_done() {
    wait_for 30 eval '! kill -0 $SRV_PID 2>/dev/null' || true
    stop_pid "$SRV_PID" TERM; SRV_PID=
}

capture_one() {
    local name=$1
    port_listening && die "port $PORT is already in use"
    WORK=$(mktemp -d /tmp/tlsdiag-resume.XXXXXX)
    cp "$LAB"/*.crt "$LAB"/*.key "$WORK"/
    printf 'early words, sent as 0-RTT data\n' >"$WORK/early.txt"
    tcpdump -i lo -U --immediate-mode -B 65536 -n -s 0 -w "$WORK/$name.pcap" "tcp port $PORT" \
        2>"$WORK/tcpdump.err" </dev/null &
    TD_PID=$!
    wait_for 100 grep -qs 'listening on' "$WORK/tcpdump.err" || die "$name: tcpdump did not start"
    sleep 0.2
    log "capture: $name"
    local hello='hello from the client\n'
    case $name in
    tls13-psk-resumed)
        start_server 2
        client "$hello" -sess_out ./sess.pem
        client "$hello" -sess_in ./sess.pem
        server_done ;;
    tls13-0rtt-accepted)
        start_server 2 -early_data
        client "$hello" -sess_out ./sess.pem
        client "$hello" -sess_in ./sess.pem -early_data ./early.txt
        server_done ;;
    tls13-0rtt-rejected)
        start_server 2 -early_data -alpn a,b
        client "$hello" -alpn b -sess_out ./sess.pem
        client "$hello" -alpn a,b -sess_in ./sess.pem -early_data ./early.txt
        server_done ;;
    tls13-psk-refused)
        start_server 1
        client "$hello" -sess_out ./sess.pem
        server_done
        start_server 1
        client "$hello" -sess_in ./sess.pem
        server_done ;;
    tls13-0rtt-psk-refused)
        start_server 1 -early_data
        client "$hello" -sess_out ./sess.pem
        server_done
        start_server 1 -early_data
        client "$hello" -sess_in ./sess.pem -early_data ./early.txt
        server_done ;;
    tls13-keyupdate-both)
        # The client sends 'K' first (at 0.3 s: KeyUpdate, update_requested),
        # its line 0.3 s later; the server's line comes 0.9 s after it
        # starts, with its own KeyUpdate before it.  Each side's first
        # application data thus follows its KeyUpdate, all within a second
        # of the handshake (tlsdiag reports a connection that exchanged
        # data both ways a second after its handshake, engine.c).
        SRV_DELAY=0.9 SRV_INPUT='hello from the server, after the updates\n' start_server 1
        TEXT2_DELAY=0.3 TEXT2='after the update\n' TEXT3= client 'K\n'
        server_done ;;
    *) die "unknown scenario: $name" ;;
    esac
    sleep 0.3
    stop_pid "$TD_PID" INT; TD_PID=
    mkdir -p "$OUT"
    cp "$WORK/$name.pcap" "$OUT/$name.pcap"
    cp "$WORK/client.keylog" "$OUT/$name.keylog"
    cat "$WORK/client.out" >"$OUT/$name.client.txt"
    { cat "$WORK/server.cmds"; cat "$WORK/server.out"; } >"$OUT/$name.server.txt"
    log "capture: $name: $(tshark -r "$OUT/$name.pcap" 2>/dev/null | wc -l) packets"
    rm -rf "$WORK"; WORK=
}

# Facts from tshark alone (see the top of this file).  The connections are
# numbered by their client port's first appearance.
facts_one() {
    local name=$1
    local pcap=$OUT/$name.pcap kl=$OUT/$name.keylog
    {
        printf '# %s: written by make-resumption.sh facts from tshark %s\n' "$name" \
            "$(tshark --version | head -1 | awk '{print $3}')"
        # Without the key log: hellos, PSK, early_data, the client's
        # application_data records before the server's first record.
        tshark -r "$pcap" -o tls.keylog_file: -Y 'tls.record' -T fields \
            -e tcp.stream -e tcp.srcport -e tcp.dstport -e tls.record.content_type \
            -e tls.handshake.type -e tls.handshake.extension.type \
            -e tls.handshake.extensions.psk.identity.obfuscated_ticket_age \
            -e tls.handshake.extensions.psk.identity.selected -e tls.record.opaque_type \
            -E separator=/t 2>/dev/null |
            awk -F '\t' -v P="$PORT" '
                { s = $1; if (!(s in n)) { n[s] = ++conns; order[conns] = s }
                  from = ($3 == P) ? "client" : "server"; c = n[s]
                  nh = split($5, h, ","); nx = split($6, x, ",")
                  for (i = 1; i <= nh; i++) {
                      if (h[i] == 1) {
                          psk[c] = 0; ed[c] = "no"
                          for (j = 1; j <= nx; j++) if (x[j] == 42) ed[c] = "yes"
                          na = split($7, a, ",")
                          psk[c] = ($7 == "") ? 0 : na
                          for (j = 1; j <= na; j++) ages[c] = ages[c] c " psk_age " (j - 1) " " a[j] "\n"
                      }
                      if (h[i] == 2) sel[c] = ($8 == "") ? "none" : $8
                  }
                  if (from == "server") sdone[c] = 1
                  else if (!sdone[c]) { nt = split($9, t, ","); for (i = 1; i <= nt; i++) if (t[i] == 23) er[c]++ } }
                END { for (c = 1; c <= conns; c++) {
                          print c, "psk_offered", psk[c] + 0; printf "%s", ages[c]
                          print c, "early_data_offered", ed[c]
                          print c, "psk_selected", (c in sel) ? sel[c] : "none"
                          print c, "early_records", er[c] + 0 } }'
        # With the key log: EncryptedExtensions early_data, KeyUpdates and
        # the application data that follows them.
        tshark -r "$pcap" -o "tls.keylog_file:$kl" -Y 'tls.record' -T fields \
            -e tcp.stream -e tcp.dstport -e tls.record.content_type -e tls.handshake.type \
            -e tls.handshake.extension.type -e tls.app_data -E separator=/t 2>/dev/null |
            awk -F '\t' -v P="$PORT" '
                { s = $1; if (!(s in n)) n[s] = ++conns; c = n[s]
                  from = ($2 == P) ? "client" : "server"
                  nh = split($4, h, ","); nx = split($5, x, ",")
                  for (i = 1; i <= nh; i++) {
                      if (h[i] == 8) { ee[c] = "no"; for (j = 1; j <= nx; j++) if (x[j] == 42) ee[c] = "yes" }
                      if (h[i] == 24) { print c, "keyupdate", from; ku[c, from] = 1 }
                  }
                  # tls.app_data is the decrypted application bytes: after
                  # a KeyUpdate of the side, or before the server spoke
                  # (0-RTT)
                  if (from == "server") sdone[c] = 1
                  if (from == "client" && !sdone[c] && $6 != "") early[c] += split($6, d, ",")
                  if ($3 ~ /23/ && $6 != "" && ku[c, from]) after[c, from]++ }
                END { for (c = 1; c <= conns; c++) {
                          print c, "early_data_ee", (c in ee) ? ee[c] : "no"
                          print c, "early_records_decrypted", early[c] + 0
                          for (k = 0; k < 2; k++) { f = k ? "server" : "client"
                              if (ku[c, f]) print c, "appdata_after_keyupdate", f, after[c, f] + 0 } } }'
    } >"$OUT/expected/$name.resumption.tmp"
    verdicts "$OUT/expected/$name.resumption.tmp" >"$OUT/expected/$name.resumption"
    rm -f "$OUT/expected/$name.resumption.tmp"
    log "facts: $name"; sed 's/^/  /' "$OUT/expected/$name.resumption" >&2
}

# The facts, then the verdicts they lead to (RFC 8446 4.2.10, 4.2.11):
# resumed when the ServerHello selects an identity; early data accepted
# only when EncryptedExtensions (decrypted) carries early_data, rejected
# when it was offered and EncryptedExtensions lacks it.
verdicts() {
    cat "$1"
    awk '$2 == "psk_selected" { r[$1] = ($3 == "none") ? "no" : "yes"; c[$1] = 1 }
         $2 == "early_data_offered" { o[$1] = $3 }
         $2 == "early_data_ee" { e[$1] = $3 }
         END { for (i in c) {
                   print i, "resumed", r[i]
                   v = (o[i] != "yes") ? "none" : (e[i] == "yes") ? "accepted" : "rejected"
                   print i, "early_data", v } }' "$1" | sort -n
}

if [[ ${1:-} == facts ]]; then
    shift
    mkdir -p "$OUT/expected"
    for n in "${@:-${ALL[@]}}"; do facts_one "$n"; done
    exit 0
fi
[[ $(id -u) == 0 ]] || die "needs root (tcpdump)"
for n in "${@:-${ALL[@]}}"; do capture_one "$n"; done
