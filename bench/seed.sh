#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# seed.sh -- record the benchmark's seed captures from real traffic.
#
# Usage (as root: network namespace and tcpdump):
#   bench/seed.sh OUTDIR LABDIR
#
# In a private network namespace whose loopback has an Ethernet MTU (1500)
# and no segmentation offload (gso_max_segs 1: every TCP segment on the
# wire is at most one MSS, 1448 bytes, as on Ethernet, instead of the 64 kB
# super-segments of a default loopback), four `openssl s_server -WWW` of the
# lab's PKI (captures/lab: RSA 4096 root and intermediate CA, server and
# client certificates, as in captures/make-captures.sh) serve real clients
# (curl and openssl s_client) while tcpdump records:
#
#   port 8443  TLS 1.3, client certificate required (mTLS)
#   port 8444  TLS 1.2, client certificate required (mTLS)
#   port 8445  TLS 1.3, server authentication only
#   port 8446  TLS 1.2, server authentication only
#
# OUTDIR/seed-hs.pcap, the handshake mix: ROUNDS rounds (default 16) of
#   mTLS ok (curl with client.crt)            8443, 8444
#   mTLS failing: no client certificate        8443, 8444
#   mTLS failing: client cert of a rogue CA    8443
#   server-auth ok (curl)                      8445, 8446
#   resumption: s_client -sess_out, then
#               s_client -sess_in ("Reused")   8445, 8446 (two connections each)
#   untrusted CA: the client trusts another CA 8445, 8446
# i.e. 13 handshakes a round, each fetching a 3-byte file.
#
# OUTDIR/seed-bulk.pcap, the bulk transfers: curl fetches a BULK_MB file
# (default 32 MiB) from each of the four servers (TLS 1.3 and 1.2, with
# and without client certificates): mostly application data.
#
# OUTDIR/seed.txt: the tools' versions and what each scenario did.
#
# Every client's outcome is checked (an "ok" that fails, a failure that
# succeeds or a resumption that is not "Reused" stops the script), and so is
# tcpdump's drop count.  Environment: ROUNDS, BULK_MB.

set -euo pipefail

log() { printf 'seed: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

[[ $# -eq 2 ]] || die "usage: seed.sh OUTDIR LABDIR"
OUTDIR=$1 LAB=$2
ROUNDS=${ROUNDS:-16}
BULK_MB=${BULK_MB:-32}
HOST=tls-server.local
[[ $(id -u) == 0 ]] || die "needs root (ip netns, tcpdump); the cache is made once, then reused"
for t in ip openssl curl tcpdump ss timeout; do
    command -v "$t" >/dev/null || die "$t is not installed"
done
for f in rootCA.crt chain.crt server.crt server.key clientCA.crt client.crt client.key \
         rogueClient.crt rogueClient.key; do
    [[ -s $LAB/$f ]] || die "no $LAB/$f (captures/make-captures.sh certs makes the lab PKI)"
done
mkdir -p "$OUTDIR"

NS=tdbench.$$
WORK=$(mktemp -d /tmp/tdbench-seed.XXXXXX)
PIDS=()
TD_PID=
cleanup() {
    local p
    [[ -n $TD_PID ]] && kill -INT "$TD_PID" 2>/dev/null
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

nsx() { ip netns exec "$NS" "$@"; }

ip netns add "$NS"
nsx ip link set lo up mtu 1500
nsx ip link set lo gso_max_segs 1 2>/dev/null ||
    log "warning: cannot set gso_max_segs on the namespace's loopback: segments may exceed the MTU"

cp "$LAB"/{rootCA.crt,chain.crt,server.crt,server.key,clientCA.crt,client.crt,client.key,rogueClient.crt,rogueClient.key} "$WORK"/
mkdir "$WORK/www"
printf 'ok\n' >"$WORK/www/ok.txt"
head -c $((BULK_MB * 1024 * 1024)) /dev/urandom >"$WORK/www/big.bin"

# --- servers ---------------------------------------------------------------
server() {   # server PORT OPTIONS...
    local port=$1; shift
    ( cd "$WORK/www" && exec ip netns exec "$NS" openssl s_server -accept "127.0.0.1:$port" -WWW \
        -key ../server.key -cert ../server.crt -cert_chain ../chain.crt -build_chain "$@" ) \
        >"$WORK/server-$port.log" 2>&1 </dev/null &
    PIDS+=($!)
}
mtls=(-Verify 10 -CAfile ../clientCA.crt -verify_return_error)
server 8443 -tls1_3 "${mtls[@]}"
server 8444 -tls1_2 "${mtls[@]}"
server 8445 -tls1_3
server 8446 -tls1_2
for port in 8443 8444 8445 8446; do
    for _ in $(seq 100); do
        [[ -n $(nsx ss -ltnH "sport = :$port") ]] && break
        sleep 0.05
    done
    [[ -n $(nsx ss -ltnH "sport = :$port") ]] || { cat "$WORK/server-$port.log" >&2; die "s_server on $port did not start"; }
done

# --- capture ---------------------------------------------------------------
capture_start() {   # capture_start FILE [-U]
    # not through nsx (a function: & would fork a shell that SIGINT does not reach)
    # --immediate-mode: without it libpcap hands packets over in blocks that
    # retire after a second, and the last block is lost at SIGINT.
    ip netns exec "$NS" tcpdump -i lo -n -s 0 -B 131072 --immediate-mode -Z root "${@:2}" -w "$1" tcp \
        2>"$WORK/tcpdump.err" </dev/null &
    TD_PID=$!
    for _ in $(seq 100); do
        grep -qs 'listening on' "$WORK/tcpdump.err" && break
        sleep 0.05
    done
    grep -qs 'listening on' "$WORK/tcpdump.err" || { cat "$WORK/tcpdump.err" >&2; die "tcpdump did not start"; }
    sleep 0.2
}
capture_stop() {   # capture_stop FILE CONNECTIONS: stop, check drops and connections
    sleep 1
    kill -INT "$TD_PID"
    wait "$TD_PID" || true
    TD_PID=
    local dropped
    dropped=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' "$WORK/tcpdump.err")
    [[ ${dropped:-0} == 0 ]] || die "tcpdump dropped $dropped packets"
    grep -h 'captured' "$WORK/tcpdump.err" >&2 || true
    local syns
    syns=$(tcpdump -r "$1" -n 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn' 2>/dev/null | wc -l)
    ((syns == $2)) || die "$1: $syns connections captured, $2 made"
}

# --- clients ---------------------------------------------------------------
declare -A TALLY=()
expect() {   # expect NAME ok|fail COMMAND...: run the client in the namespace
    local name=$1 want=$2 rc=0; shift 2
    ( cd "$WORK" && exec ip netns exec "$NS" timeout 20 "$@" ) >"$WORK/client.out" 2>&1 </dev/null || rc=$?
    if [[ $want == ok && $rc != 0 ]] || [[ $want == fail && $rc == 0 ]]; then
        cat "$WORK/client.out" >&2
        die "$name: client exit status $rc, expected $want"
    fi
    TALLY[$name]=$((${TALLY[$name]:-0} + 1))
}
fetch() {    # fetch NAME ok|fail PORT PATH CURL-OPTIONS...: curl https://HOST:PORT/PATH
    local name=$1 want=$2 port=$3 path=$4; shift 4
    expect "$name" "$want" curl -sS -o /dev/null --max-time 15 \
        --resolve "$HOST:$port:127.0.0.1" "$@" "https://$HOST:$port/$path"
}
resume() {   # resume NAME PORT: a full handshake, then a resumption of its session
    local name=$1 port=$2 sc
    sc=(openssl s_client -connect "127.0.0.1:$port" -servername "$HOST" -CAfile rootCA.crt
        -verify_return_error -ign_eof)
    rm -f "$WORK/sess.pem"
    printf 'GET /ok.txt HTTP/1.0\r\n\r\n' >"$WORK/get.txt"
    ( cd "$WORK" && ip netns exec "$NS" timeout 20 "${sc[@]}" -sess_out sess.pem <get.txt ) \
        >"$WORK/client.out" 2>&1 || { cat "$WORK/client.out" >&2; die "$name: first connection failed"; }
    ( cd "$WORK" && ip netns exec "$NS" timeout 20 "${sc[@]}" -sess_in sess.pem <get.txt ) \
        >"$WORK/client.out" 2>&1 || { cat "$WORK/client.out" >&2; die "$name: resumption failed"; }
    grep -q '^Reused, TLSv1' "$WORK/client.out" || { cat "$WORK/client.out" >&2; die "$name: the session was not reused"; }
    TALLY[$name]=$((${TALLY[$name]:-0} + 1))
}

trust=(--cacert rootCA.crt)
ident=(--cert client.crt --key client.key)
one_round() {
    fetch tls13-mtls-ok ok 8443 ok.txt "${trust[@]}" "${ident[@]}"
    fetch tls12-mtls-ok ok 8444 ok.txt "${trust[@]}" "${ident[@]}"
    fetch tls13-mtls-no-client-cert fail 8443 ok.txt "${trust[@]}"
    fetch tls12-mtls-no-client-cert fail 8444 ok.txt "${trust[@]}"
    fetch tls13-mtls-rogue-client-ca fail 8443 ok.txt "${trust[@]}" --cert rogueClient.crt --key rogueClient.key
    fetch tls13-ok ok 8445 ok.txt "${trust[@]}"
    fetch tls12-ok ok 8446 ok.txt "${trust[@]}"
    resume tls13-resumption-pair 8445
    resume tls12-resumption-pair 8446
    fetch tls13-untrusted-server-ca fail 8445 ok.txt --cacert clientCA.crt
    fetch tls12-untrusted-server-ca fail 8446 ok.txt --cacert clientCA.crt
}

t0=$SECONDS
log "handshake mix: $ROUNDS rounds of 13 handshakes"
capture_start "$WORK/seed-hs.pcap" -U
for _ in $(seq "$ROUNDS"); do one_round; done
capture_stop "$WORK/seed-hs.pcap" $((13 * ROUNDS))
log "handshake mix: $((SECONDS - t0)) s"

t0=$SECONDS
log "bulk: 4 transfers of $BULK_MB MiB"
capture_start "$WORK/seed-bulk.pcap"
fetch bulk-tls13 ok 8445 big.bin "${trust[@]}"
fetch bulk-tls12 ok 8446 big.bin "${trust[@]}"
fetch bulk-tls13-mtls ok 8443 big.bin "${trust[@]}" "${ident[@]}"
fetch bulk-tls12-mtls ok 8444 big.bin "${trust[@]}" "${ident[@]}"
capture_stop "$WORK/seed-bulk.pcap" 4
log "bulk: $((SECONDS - t0)) s"

{
    printf 'seed captures made %s by bench/seed.sh\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    printf 'kernel %s; %s; %s; %s\n' "$(uname -r)" "$(openssl version)" \
        "$(curl --version | head -n 1 | cut -d' ' -f1-5)" "$(tcpdump --version 2>&1 | head -n 1)"
    printf 'rounds %s, bulk file %s MiB\n' "$ROUNDS" "$BULK_MB"
    for k in $(printf '%s\n' "${!TALLY[@]}" | sort); do printf '  %-28s %s\n' "$k" "${TALLY[$k]}"; done
} >"$WORK/seed.txt"
mv "$WORK/seed-hs.pcap" "$WORK/seed-bulk.pcap" "$WORK/seed.txt" "$OUTDIR"/
cat "$OUTDIR/seed.txt" >&2
