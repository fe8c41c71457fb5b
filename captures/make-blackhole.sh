#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make-blackhole.sh -- a large ClientHello on a path that drops big
# packets (issue 16, Must 3: CLIENTHELLO_BLACKHOLE), with real software:
#
#   Debian's Chromium (whose ClientHello carries an X25519MLKEM768 key
#   share, some 1,800 bytes: more than one TCP segment on a 1,500-byte
#   MTU) against `openssl s_server -www` with the lab's server certificate,
#   over a veth pair between two network namespaces (client 10.99.7.1,
#   server 10.99.7.2), recorded with tcpdump -U --immediate-mode on the
#   client's side (where an SRE's capture would be).  In the black-hole
#   scenario an nftables rule in the server's namespace drops every IPv4
#   packet to port 9480 longer than 1,000 bytes, and nothing sends ICMP
#   "fragmentation needed": an MTU black hole as a tunnel with a smaller
#   MTU and filtered ICMP makes it.  TSO, GSO and GRO are off on both ends,
#   so the capture shows the segments the wire carries.
#
#   blackhole-chromium  the rule on: the SYNs and the small segments pass,
#                       the first 1,448-byte segment of the ClientHello
#                       never does; Chromium sends it again until it gives
#                       up (timeout 15 s, then killed)
#   blackhole-control   the same without the rule: the same ClientHello
#                       in two segments, a normal handshake and GET /
#
# Usage (as root: namespaces, nftables, tcpdump):
#   captures/make-blackhole.sh [all]          both scenarios, then facts
#   captures/make-blackhole.sh capture NAME   one scenario
#   captures/make-blackhole.sh facts [NAME]   facts only (from tshark)
# writes captures/NAME.{pcap,keylog,client.txt,server.txt} and
# captures/expected/NAME.blackhole, from tshark alone (never tlsdiag):
# one line per fact, "CONN KEY VALUE" (CONN: tshark's tcp.stream + 1;
# Chromium opens two connections), counted until the server's first
# payload byte (over the whole connection when it sends none):
#   CONN client_segments N     client TCP segments with payload
#   CONN client_retransmits N  ...of them, tshark's tcp.analysis.retransmission
#   CONN client_largest N      the largest of them, payload bytes
#   CONN client_sent N         client stream bytes sent (highest relative end)
#   CONN server_acked N        of them, the most the server acknowledged
#   CONN clienthello_len N     the ClientHello's handshake length (tshark
#                              reassembles it from the client's segments)
#   CONN server_payload N      bytes the server sent (whole connection)
#   outcome established|failed   Chromium dumped the page, or not
# and the expectation, decided by reasoning from the scenario, checked
# by tests/e2e/blackhole.sh:
#   expect_diag CODE      every connection's first diagnosis, or "none"
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=$HERE/lab
OUT=${OUT:-$HERE}
PORT=9480
NS_C=tdbh-client NS_S=tdbh-server
IP_C=10.99.7.1 IP_S=10.99.7.2

LIB_NAME=make-blackhole
# shellcheck source=captures/lib.sh
. "$HERE/lib.sh"   # log, die, wait_for, stop_all

SCENARIOS=(blackhole-chromium blackhole-control)
PIDS=()
WORK=

cleanup() {
    stop_all TERM "${PIDS[@]}"
    ip netns del "$NS_C" 2>/dev/null || true
    ip netns del "$NS_S" 2>/dev/null || true
    [[ -n $WORK ]] && rm -rf "$WORK"
    return 0
}
trap cleanup EXIT

setup_net() {
    local drop=$1
    ip netns del "$NS_C" 2>/dev/null || true
    ip netns del "$NS_S" 2>/dev/null || true
    ip netns add "$NS_C"
    ip netns add "$NS_S"
    ip link add tdbh0 netns "$NS_C" type veth peer name tdbh1 netns "$NS_S"
    ip -n "$NS_C" addr add "$IP_C/24" dev tdbh0
    ip -n "$NS_S" addr add "$IP_S/24" dev tdbh1
    local ns dev
    for ns in "$NS_C:tdbh0" "$NS_S:tdbh1"; do
        dev=${ns#*:}; ns=${ns%%:*}
        ip -n "$ns" link set lo up
        ip -n "$ns" link set "$dev" mtu 1500 up
        ip netns exec "$ns" ethtool -K "$dev" tso off gso off gro off >/dev/null 2>&1 || true
    done
    if [[ $drop == yes ]]; then
        # No ICMP: the sender never learns why (the black hole).
        ip netns exec "$NS_S" nft -f - <<EOF
table ip tdbh {
    chain in {
        type filter hook prerouting priority -300; policy accept;
        tcp dport $PORT ip length > 1000 counter drop
    }
}
EOF
    fi
}

capture() {
    local name=$1 drop=no
    [[ $name == blackhole-chromium ]] && drop=yes
    WORK=$(mktemp -d /tmp/tdbh.XXXXXX)
    chmod 755 "$WORK"
    cp "$LAB"/{server.crt,server.key,chain.crt,rootCA.crt} "$WORK/"
    setup_net "$drop"
    local server=(openssl s_server -accept "$IP_S:$PORT" -cert server.crt -key server.key
        -cert_chain chain.crt -www)
    ( cd "$WORK" && exec ip netns exec "$NS_S" "${server[@]}" ) >"$WORK/server.out" 2>&1 </dev/null &
    PIDS+=($!)
    wait_for 100 bash -c "[[ -n \$(ip netns exec $NS_S ss -Htln 'sport = :$PORT') ]]" ||
        die "$name: the server did not listen"
    ip netns exec "$NS_C" tcpdump -i tdbh0 -U --immediate-mode -n -s 0 -w "$WORK/$name.pcap" \
        "tcp port $PORT" 2>"$WORK/tcpdump.err" </dev/null &
    local td=$!
    wait_for 100 grep -qs 'listening on' "$WORK/tcpdump.err" || die "tcpdump did not start"
    sleep 0.2
    local home=$WORK/chrome-home
    mkdir -p "$home/.pki/nssdb"
    certutil -N -d "sql:$home/.pki/nssdb" --empty-password
    certutil -A -d "sql:$home/.pki/nssdb" -n lab-rootCA -t "C,," -i "$WORK/rootCA.crt"
    local client=(env HOME="$home" chromium --headless=new --no-sandbox --disable-gpu
        --no-first-run --disable-background-networking --disable-component-update --disable-sync
        --disable-features=NetworkTimeServiceQuerying,OptimizationHints
        --user-data-dir="$home/profile" --host-resolver-rules="MAP tls-server.local $IP_S"
        --dump-dom "https://tls-server.local:$PORT/")
    local rc=0
    ( cd "$WORK" && SSLKEYLOGFILE=./client.keylog timeout 15 ip netns exec "$NS_C" "${client[@]}" ) \
        >"$WORK/client.out" 2>&1 </dev/null || rc=$?
    sleep 0.5
    kill -INT "$td"; wait "$td" 2>/dev/null || true
    local dropped=
    [[ $drop == yes ]] && dropped=$(ip netns exec "$NS_S" nft list table ip tdbh | grep -o 'packets [0-9]*')
    stop_all INT "${PIDS[@]}"; PIDS=()
    cp "$WORK/$name.pcap" "$OUT/$name.pcap"
    if [[ -s $WORK/client.keylog ]]; then cp "$WORK/client.keylog" "$OUT/$name.keylog"
    else rm -f "$OUT/$name.keylog"; fi
    {
        printf '$ ip netns exec %s openssl s_server -accept %s:%s -cert server.crt -key server.key -cert_chain chain.crt -www   # in captures/lab\n' \
            "$NS_S" "$IP_S" "$PORT"
        [[ $drop == yes ]] && printf '# nftables in %s: tcp dport %s ip length > 1000 drop (%s)\n' \
            "$NS_S" "$PORT" "$dropped"
        cat "$WORK/server.out"
    } >"$OUT/$name.server.txt"
    {
        printf '$ SSLKEYLOGFILE=%s.keylog timeout 15 ip netns exec %s %s\n' "$name" "$NS_C" \
            "${client[*]//$WORK/.}"
        grep -avE 'ERROR:dbus/|/usr/bin/chromium: 9:' "$WORK/client.out" || true
        printf '[client exit status: %d]\n' "$rc"
    } >"$OUT/$name.client.txt"
    # The scenario happened as intended, or stop.
    if [[ $drop == yes ]]; then
        [[ ${dropped#packets } -gt 0 ]] || die "$name: the rule dropped nothing"
        grep -q '<body' "$WORK/client.out" && die "$name: the page loaded through the black hole"
    else
        grep -q 'Ciphers supported in s_server binary' "$WORK/client.out" ||
            die "$name: Chromium did not get the s_server page"
    fi
    log "capture: $name: $(tshark -r "$OUT/$name.pcap" 2>/dev/null | wc -l) packets, client exit status $rc"
    ip netns del "$NS_C"; ip netns del "$NS_S"
    rm -rf "$WORK"; WORK=
}

# Facts from tshark alone (see the top of this file).
facts() {
    local name=$1 pcap=$OUT/$1.pcap
    [[ -f $pcap ]] || die "no $pcap"
    mkdir -p "$OUT/expected"
    local rows
    rows=$(tshark -r "$pcap" -o tcp.relative_sequence_numbers:TRUE -o tcp.analyze_sequence_numbers:TRUE \
        -T fields -E separator=, -e tcp.stream -e tcp.srcport -e tcp.len -e tcp.seq -e tcp.ack \
        -e tcp.flags.ack -e tcp.analysis.retransmission -e tls.handshake.type \
        -e tls.handshake.length 2>/dev/null)
    {
        printf '# %s: from tshark -r %s.pcap (relative sequence numbers), never tlsdiag\n' "$name" "$name"
        printf '# CONN is tshark'"'"'s tcp.stream + 1\n'
        awk -F, -v port="$PORT" '
            { k = $1 + 1; if (!(k in seen)) { seen[k] = 1; order[++n] = k } }
            $2 != port && $3 > 0 && !answered[k] {
                segs[k]++; if ($7 != "") rtx[k]++; if ($3 > big[k]) big[k] = $3
                if ($4 + $3 - 1 > sent[k]) sent[k] = $4 + $3 - 1
            }
            $2 != port && $8 ~ /(^|;)1($|;)/ { split($9, l, ";"); chl[k] = l[1] }
            $2 == port && $3 > 0 { answered[k] = 1; spay[k] += $3 }
            $2 == port && $6 == 1 && !answered[k] && $5 - 1 > acked[k] { acked[k] = $5 - 1 }
            END {
                for (i = 1; i <= n; i++) {
                    k = order[i]
                    printf "%d client_segments %d\n%d client_retransmits %d\n", k, segs[k], k, rtx[k]
                    printf "%d client_largest %d\n%d client_sent %d\n", k, big[k], k, sent[k]
                    printf "%d server_acked %d\n%d clienthello_len %d\n", k, acked[k], k, chl[k]
                    printf "%d server_payload %d\n", k, spay[k]
                }
            }' <<<"$rows"
        if grep -q 'Ciphers supported in s_server binary' "$OUT/$name.client.txt"; then
            echo "outcome established"
        else
            echo "outcome failed"
        fi
        echo "# ---- expected, from the scenario definition (by reasoning, never from tlsdiag)"
        if [[ $name == blackhole-chromium ]]; then
            echo "# the first segment of a two-segment ClientHello never arrives, the client"
            echo "# sends it again, the server never answers: the path drops large packets"
            echo "expect_diag CLIENTHELLO_BLACKHOLE"
        else
            echo "# the same ClientHello over a clean path: a healthy handshake"
            echo "expect_diag none"
        fi
    } >"$OUT/expected/$name.blackhole"
    log "facts: $name"
}

main() {
    local cmd=${1:-all}; shift || true
    case $cmd in
    all)
        [[ $EUID -eq 0 ]] || die "run as root (namespaces, nftables, tcpdump)"
        local n; for n in "${SCENARIOS[@]}"; do capture "$n"; facts "$n"; done ;;
    capture) capture "$1" ;;
    facts)
        if (($#)); then facts "$1"; else local n; for n in "${SCENARIOS[@]}"; do facts "$n"; done; fi ;;
    list) printf '%s\n' "${SCENARIOS[@]}" ;;
    *) die "usage: make-blackhole.sh [all|capture NAME|facts [NAME]|list]" ;;
    esac
}
main "$@"
