#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make-quic-captures.sh -- QUIC captures for issue 16 (HTTP/3: the TLS 1.3
# handshake in QUIC CRYPTO frames over UDP), made with real implementations
# from Debian 12 over loopback, as make-captures.sh does for TCP:
#
#   ngtcp2's examples (Debian's ngtcp2-server and ngtcp2-client, GnuTLS
#   back end: gtlsserver, gtlsclient), the lab's server certificate and
#   chain (captures/lab/); gtlsclient never verifies the server's
#   certificate, and gtlsserver only requests a client certificate.
#   GnuTLS writes SSLKEYLOGFILE, so every capture has its key log.
#   A python3 UDP socket that reads and never answers stands for a path
#   that drops QUIC (UDP blocked).  Debian 12's ngtcp2 (0.12) speaks QUIC
#   v1 and a draft of v2 (0x709a50c4), not RFC 9369's v2: the v2 captures
#   are the public ones of ../shared/corpus/quic.  gtlsclient --key-update
#   changes the 1-RTT keys (the key phase bit flips, RFC 9001 6).
#
#   A server that REQUIRES a client certificate: Debian's Caddy (2.6,
#   HTTP/3 by quic-go, client_auth require_and_verify with lab/clientCA),
#   and a client that verifies the server's: h3get (quic-go-client/, on
#   Debian's quic-go 0.29, built here with golang-go, offline).  Both
#   use quic-go's TLS (Go 1.19's crypto/tls, forked as qtls-go1-19), which
#   refuses a certificate, missing or untrusted, with bad_certificate
#   (42): certificate_required (116) only came with Go 1.21.
#
# tcpdump -U --immediate-mode records the scenario's UDP port on lo.
# Each scenario with an entry in CHECK below is checked right after its
# capture: the client's exit status and words, the server's log, and a
# tshark display filter (with the key log) that must match a packet.
#
# Needs (Debian 12): apt-get install ngtcp2-server ngtcp2-client chromium
#   libnss3-tools tshark caddy golang-go golang-github-lucas-clemente-quic-go-dev
#
# Usage (as root: tcpdump needs it):
#   captures/make-quic-captures.sh [all]         capture every scenario, then facts
#   captures/make-quic-captures.sh capture NAME  one scenario
#   captures/make-quic-captures.sh facts [NAME]  facts only (from tshark)
#   captures/make-quic-captures.sh list
# writes captures/NAME.{pcap,keylog,client.txt,server.txt} and
# captures/expected/NAME.quic, from tshark and openssl alone (never
# tlsdiag), one line per fact, "CONN KEY VALUE" as in *.facts:
#   CONN client ADDR:PORT / server ADDR:PORT   (the first Initial's sender and receiver)
#   CONN quic_version 0xVVVVVVVV               (the client's first Initial)
#   CONN sni NAME                              (the ClientHello's server_name)
#   CONN alpn_offered A,B                      (the ClientHello's ALPN list)
#   CONN version TLS 1.3 / cipher NAME         (the ServerHello, when one was sent)
#   CONN server_cert.N.subject DN              (with the key log: openssl x509 on
#                                               the lab file with that SHA-256)
#   CONN close.N FROM PACKET-TYPE KIND ERROR   (CONNECTION_CLOSE frames tshark reads:
#                                               client|server, initial|handshake|1rtt,
#                                               transport|application, the error code;
#                                               a crypto error also names its TLS alert)
#   CONN retry yes / CONN version_negotiation yes
#   CONN outcome established|failed            (the client's log: "Negotiated
#                                               cipher suite is ..." or not)
# CONN counts QUIC connections (tshark's quic.connection.number) from 1
# in the order of their first packet.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=$HERE/lab
OUT=${OUT:-$HERE}
PORT=14433

LIB_NAME=make-quic-captures
# shellcheck source=captures/lib.sh
. "$HERE/lib.sh"   # log, die, wait_for, stop_all, udp_bound

# A UDP socket that reads everything and answers nothing.
PY_BLACKHOLE='
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
print("listening, never answering", flush=True)
s.settimeout(1.0)
end = time.time() + 30
while time.time() < end:
    try:
        s.recv(65535)
    except socket.timeout:
        pass'

# name: description
declare -A DESC=(
    [quic-ok]="gtlsclient GET / from gtlsserver, QUIC v1, TLS 1.3: success"
    [quic-retry]="gtlsserver -V (address validation: a Retry first), gtlsclient: success after the Retry"
    [quic-client-cert]="gtlsserver --verify-client (requests a certificate), gtlsclient --cert client.crt: success"
    [quic-aes256]="gtlsclient --ciphers AES-256-GCM only: TLS_AES_256_GCM_SHA384 chosen, success"
    [quic-chacha20]="gtlsclient --ciphers CHACHA20-POLY1305 only: TLS_CHACHA20_POLY1305_SHA256 chosen (ChaCha20 header protection), success"
    [quic-version-negotiation]="gtlsclient -v 0x1a2a3a4a (a version the server does not speak): a Version Negotiation packet, the client gives up"
    [quic-no-answer]="gtlsclient to a UDP socket that never answers (QUIC blocked on the path): Initials retransmitted, no reply"
    [quic-chromium-ok]="Chromium headless, HTTP/3 forced (--origin-to-force-quic-on), rootCA trusted (NSS db): GET / 200"
    [quic-chromium-server-untrusted]="Chromium without the lab root: it refuses the server certificate (ERR_QUIC_PROTOCOL_ERROR / cert authority)"
    [quic-chromium-hostname-mismatch]="Chromium, https://wrong.local:14433 (certificate for tls-server.local), root trusted: it refuses the name"
    [quic-chromium-server-cert-expired]="Chromium, gtlsserver with serverExpired.crt, root trusted: it refuses the expired certificate"
    [quic-key-update]="gtlsclient --key-update=10ms --delay-stream=200ms: the client changes the 1-RTT keys (key phase 1) before its request, success"
    [quic-caddy-mtls-ok]="Caddy requires a client certificate (lab/clientCA); h3get (quic-go) presents lab/client.crt: GET / 200"
    [quic-caddy-client-cert-missing]="Caddy requires a client certificate; h3get sends none: the server closes, crypto error bad_certificate (0x12a)"
    [quic-caddy-client-cert-untrusted]="Caddy requires a client certificate; h3get presents lab/rogueClient.crt (rogueClientCA): the server closes, bad_certificate (0x12a)"
    [quic-go-server-untrusted]="h3get trusts only lab/rogueClientCA.crt, not the lab root; Caddy without client_auth: the client closes, bad_certificate (0x12a)"
)
ORDER=(quic-ok quic-retry quic-client-cert quic-aes256 quic-chacha20
       quic-version-negotiation quic-no-answer quic-chromium-ok quic-chromium-server-untrusted
       quic-chromium-hostname-mismatch quic-chromium-server-cert-expired quic-key-update
       quic-caddy-mtls-ok quic-caddy-client-cert-missing quic-caddy-client-cert-untrusted
       quic-go-server-untrusted)

# What each checked scenario must show (checked() below), one line each:
#   rc N          the client's exit status
#   client ERE    a line of the client's output matches
#   server ERE    a line of the server's log matches
#   noserver ERE  no line of the server's log matches
#   tshark FILTER a packet matches (tshark -Y, with the key log)
declare -A CHECK=(
    [quic-key-update]="rc 0
client ^Updating traffic key
client ^Negotiated cipher suite is
tshark quic.key_phase == 1 && quic.frame_type == 0x1d"
    [quic-caddy-mtls-ok]="rc 0
client ^HTTP/3.0 200 OK
server \"handled request\".*\"status\":200
tshark tls.handshake.type == 11 && tls.handshake.certificates_length > 0 && udp.dstport == $PORT
tshark quic.cc.error_code.app == 0x100"
    [quic-caddy-client-cert-missing]="rc 1
client CRYPTO_ERROR \(0x12a\): tls: bad certificate
server \"choosing certificate\"
noserver \"handled request\"
tshark tls.handshake.type == 11 && tls.handshake.certificates_length == 0 && udp.dstport == $PORT
tshark quic.cc.error_code == 0x12a && udp.srcport == $PORT"
    [quic-caddy-client-cert-untrusted]="rc 1
client CRYPTO_ERROR \(0x12a\): tls: bad certificate
server \"choosing certificate\"
noserver \"handled request\"
tshark tls.handshake.type == 11 && tls.handshake.certificates_length > 0 && udp.dstport == $PORT
tshark quic.cc.error_code == 0x12a && udp.srcport == $PORT"
    [quic-go-server-untrusted]="rc 1
client CRYPTO_ERROR \(0x12a\): x509: certificate signed by unknown authority
server \"choosing certificate\"
noserver \"handled request\"
tshark quic.cc.error_code == 0x12a && udp.dstport == $PORT"
)

PIDS=() WORK='' GOBUILD=''
cleanup() {
    stop_all INT "${PIDS[@]}"
    PIDS=()
    [[ -n $WORK && -d $WORK ]] && rm -rf "$WORK"
    WORK=
    [[ -n $GOBUILD && -d $GOBUILD ]] && rm -rf "$GOBUILD"
    GOBUILD=
}

# h3get (quic-go-client/main.go), built once per run from Debian's Go
# packages alone: GOPATH mode over /usr/share/gocode, no network.
h3get() {
    [[ -n $GOBUILD ]] && return 0
    GOBUILD=$(mktemp -d /tmp/tlsdiag-h3get.XXXXXX)
    ( cd "$HERE/quic-go-client" && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS='' \
        GOPROXY=off GOCACHE="$GOBUILD/cache" go build -o "$GOBUILD/h3get" . ) \
        || die "go build of quic-go-client failed (golang-go golang-github-lucas-clemente-quic-go-dev)"
}

# A Caddyfile for Caddy as the QUIC server (HTTP/3 is on by default):
# the lab's chain, no admin endpoint, no automatic HTTPS, its state in
# the scenario's folder, a debug log (the ClientHello's arrival) and an
# access log (a request served).  With client auth, the client must
# present a certificate from lab/clientCA.crt.  strict_sni_host is off:
# Caddy 2.6 over quic-go sees no TLS server name (its log says
# 'server_name ""') and would answer 421 Misdirected Request.
caddyfile() {
    local auth=$1
    cat <<EOC
{
	admin off
	auto_https off
	storage file_system ./caddy-data
	log {
		output stderr
		level DEBUG
	}
	servers {
		strict_sni_host insecure_off
	}
}
https://tls-server.local:$PORT {
	tls fullchain.crt server.key {
EOC
    [[ $auth == require ]] && cat <<EOC
		client_auth {
			mode require_and_verify
			trusted_ca_cert_file clientCA.crt
		}
EOC
    cat <<EOC
	}
	log {
		output stderr
	}
	respond "hello" 200
}
EOC
}

# checked NAME: the scenario's CHECK lines against its files in $WORK;
# dies at the first that fails.
checked() {
    local name=$1 rc=$2 kind arg n line
    [[ -n ${CHECK[$name]:-} ]] || return 0
    while IFS= read -r line; do
        kind=${line%% *} arg=${line#* }
        case $kind in
        rc) [[ $rc == "$arg" ]] || die "$name: client exit status $rc, expected $arg" ;;
        client) grep -aqE -- "$arg" "$WORK/client.out" || die "$name: the client never said /$arg/" ;;
        server) grep -aqE -- "$arg" "$WORK/server.out" || die "$name: the server never logged /$arg/" ;;
        noserver) if grep -aqE -- "$arg" "$WORK/server.out"; then die "$name: the server logged /$arg/"; fi ;;
        tshark)
            n=$(tshark -r "$WORK/$name.pcap" -o "tls.keylog_file:$WORK/client.keylog" -Y "$arg" \
                2>/dev/null | wc -l)
            ((n > 0)) || die "$name: no packet matches tshark -Y '$arg'" ;;
        *) die "$name: bad check line '$line'" ;;
        esac
    done <<<"${CHECK[$name]}"
    log "check: $name: $(grep -c . <<<"${CHECK[$name]}") checks pass"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

capture() {
    local name=$1
    [[ -n ${DESC[$name]:-} ]] || die "no scenario $name (list: ${ORDER[*]})"
    udp_bound "$PORT" && die "UDP port $PORT is already in use"
    WORK=$(mktemp -d /tmp/tlsdiag-quic.XXXXXX)
    cp "$LAB"/*.crt "$LAB"/*.key "$WORK"/
    cat "$WORK/server.crt" "$WORK/chain.crt" >"$WORK/fullchain.crt"
    mkdir "$WORK/www" && printf 'hello\n' >"$WORK/www/index.html"
    # gtlsclient sends the <HOST> argument as SNI when it is a name (its
    # --sni does not override "localhost" for an address in ngtcp2 0.12):
    # it runs with a private /etc/hosts that maps tls-server.local to
    # 127.0.0.1 (a mount namespace of its own; the machine's is untouched).
    printf '127.0.0.1 tls-server.local\n' >"$WORK/hosts"
    local server=(gtlsserver -q -d www --timeout=3s) client=(gtlsclient --no-quic-dump
        --no-http-dump --timeout=3s --exit-on-all-streams-close)
    case $name in
    quic-retry) server+=(-V) ;;
    quic-client-cert) server+=(--verify-client) client+=(--cert client.crt --key client.key) ;;
    quic-aes256) client+=(--ciphers='NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-256-GCM') ;;
    quic-chacha20) client+=(--ciphers='NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+CHACHA20-POLY1305') ;;
    quic-version-negotiation) client+=(-v 0x1a2a3a4a) ;;
    quic-key-update) client+=(--key-update=10ms --delay-stream=200ms) ;;
    esac
    client+=(tls-server.local "$PORT" "https://tls-server.local:$PORT/index.html")
    local leaf=server.crt
    [[ $name == quic-chromium-server-cert-expired ]] && leaf=serverExpired.crt
    cat "$WORK/$leaf" "$WORK/chain.crt" >"$WORK/fullchain.crt"
    server+=(127.0.0.1 "$PORT" server.key fullchain.crt)
    if [[ $name == quic-chromium-* ]]; then
        # Chromium as the client (make-real.sh's way): a throw-away HOME
        # whose NSS database trusts the lab root (or not), HTTP/3 forced
        # for the origin, the name mapped to 127.0.0.1 by its own rules.
        local host=tls-server.local home=$WORK/chrome-home
        [[ $name == quic-chromium-hostname-mismatch ]] && host=wrong.local
        mkdir -p "$home/.pki/nssdb"
        if [[ $name != quic-chromium-server-untrusted ]]; then
            certutil -N -d "sql:$home/.pki/nssdb" --empty-password
            certutil -A -d "sql:$home/.pki/nssdb" -n lab-rootCA -t "C,," -i "$WORK/rootCA.crt"
        fi
        client=(env HOME="$home" chromium --headless=new --no-sandbox --disable-gpu --no-first-run
            --disable-background-networking --disable-component-update --disable-sync
            --disable-features=NetworkTimeServiceQuerying,OptimizationHints
            --user-data-dir="$home/profile" --host-resolver-rules="MAP $host 127.0.0.1"
            --enable-quic --origin-to-force-quic-on="$host:$PORT" --dump-dom
            "https://$host:$PORT/index.html")
    fi
    if [[ $name == quic-no-answer ]]; then
        server=(python3 -c "$PY_BLACKHOLE" "$PORT")
    fi
    if [[ $name == quic-caddy-* || $name == quic-go-* ]]; then
        # Caddy as the server, HOME and XDG folders in the scenario's
        # own; h3get as the client (it checks the name it was given,
        # tls-server.local, mapped to 127.0.0.1 by the private hosts).
        local auth=require ca=rootCA.crt
        [[ $name == quic-go-server-untrusted ]] && auth=none ca=rogueClientCA.crt
        caddyfile "$auth" >"$WORK/Caddyfile"
        server=(env HOME="$WORK" XDG_CONFIG_HOME="$WORK/xdg" XDG_DATA_HOME="$WORK/xdg"
            caddy run --config Caddyfile --adapter caddyfile)
        h3get; cp "$GOBUILD/h3get" "$WORK/h3get"
        client=(./h3get -ca "$ca")
        case $name in
        quic-caddy-mtls-ok) client+=(-cert client.crt -key client.key) ;;
        quic-caddy-client-cert-untrusted) client+=(-cert rogueClient.crt -key rogueClient.key) ;;
        esac
        client+=("https://tls-server.local:$PORT/")
    fi
    ( cd "$WORK" && exec "${server[@]}" ) >"$WORK/server.out" 2>&1 </dev/null &
    PIDS+=($!)
    wait_for 100 udp_bound "$PORT" || die "$name: the server did not bind UDP $PORT"
    tcpdump -i lo -U --immediate-mode -B 65536 -n -s 0 -w "$WORK/$name.pcap" "udp port $PORT" \
        2>"$WORK/tcpdump.err" </dev/null &
    local td=$!
    wait_for 100 grep -qs 'listening on' "$WORK/tcpdump.err" || die "tcpdump did not start"
    sleep 0.2
    local rc=0
    ( cd "$WORK" && SSLKEYLOGFILE=./client.keylog timeout 20 unshare -m sh -c \
        'mount --bind "$0" /etc/hosts && exec "$@"' "$WORK/hosts" "${client[@]}" ) \
        >"$WORK/client.out" 2>&1 </dev/null || rc=$?
    sleep 0.5
    kill -INT "$td"; wait "$td" 2>/dev/null || true
    cleanup_servers
    checked "$name" "$rc"
    cp "$WORK/$name.pcap" "$OUT/$name.pcap"
    if [[ -s $WORK/client.keylog ]]; then cp "$WORK/client.keylog" "$OUT/$name.keylog"
    else rm -f "$OUT/$name.keylog"; fi
    {
        if [[ $name == quic-no-answer ]]; then
            printf '$ python3 -c "$PY_BLACKHOLE" %s   # PY_BLACKHOLE: make-quic-captures.sh\n' "$PORT"
        else
            printf '$ cd captures/lab && %s\n' "${server[*]//$WORK/.}"
        fi
        if [[ -f $WORK/Caddyfile ]]; then
            printf '# ./Caddyfile:\n'; sed 's/^/# /' "$WORK/Caddyfile"
        fi
        sed "s|$WORK|.|g" "$WORK/server.out"
    } >"$OUT/$name.server.txt"
    {
        local note=
        [[ $name == quic-chromium-* ]] || note='   # /etc/hosts: 127.0.0.1 tls-server.local'
        printf '$ cd captures/lab && SSLKEYLOGFILE=%s.keylog %s%s\n' "$name" "${client[*]//$WORK/.}" "$note"
        # its log without the per-packet trace (I00000012 ... lines)
        grep -avE '^(I[0-9]{8} |Sent packet|Received packet|Set timer)|ERROR:dbus/|/usr/bin/chromium: 9:' \
            "$WORK/client.out" || true
        printf '[client exit status: %d]\n' "$rc"
    } >"$OUT/$name.client.txt"
    log "capture: $name: $(tshark -r "$OUT/$name.pcap" 2>/dev/null | wc -l) packets, client exit status $rc"
    rm -rf "$WORK"; WORK=
}
cleanup_servers() {
    stop_all INT "${PIDS[@]}"
    PIDS=()
}

# Facts from tshark and openssl alone (see the top of this file).
facts() {
    local name=$1 pcap=$OUT/$1.pcap keylog=$OUT/$1.keylog
    [[ -f $pcap ]] || die "no $pcap"
    local kl=(); [[ -f $keylog ]] && kl=(-o "tls.keylog_file:$keylog")
    # gtlsclient exits 0 after a Version Negotiation or a silent server
    # too: the handshake completed when its log says which suite it
    # negotiated (GnuTLS, after both Finished); Chromium's, when the page
    # it dumps is the server's ("hello"); h3get's, when it prints the
    # server's answer (its status line).
    local st=1
    grep -q '^Negotiated cipher suite is \|<body>hello\|^HTTP/3.0 200 ' "$OUT/$name.client.txt" && st=0
    mkdir -p "$OUT/expected"
    {
        printf '# %s: written by make-quic-captures.sh facts from tshark %s%s\n' "$name" \
            "$(tshark --version | head -1 | awk '{print $3}')" "${kl:+ with the key log}"
        printf '# %s\n# the client says the handshake %s: outcome %s\n' "${DESC[$name]}" \
            "$( ((st == 0)) && echo completed || echo 'did not complete')" \
            "$( ((st == 0)) && echo established || echo failed)"
        tshark -r "$pcap" "${kl[@]}" -T fields -E separator=/t -E occurrence=a -E aggregator='|' \
            -e quic.connection.number -e frame.number -e ip.src -e udp.srcport -e ip.dst -e udp.dstport \
            -e quic.version -e quic.long.packet_type -e quic.header_form -e quic.retry_token \
            -e quic.supported_version -e tls.handshake.type -e tls.handshake.extensions_server_name \
            -e tls.handshake.extensions_alpn_str -e tls.handshake.ciphersuite \
            -e tls.handshake.certificate -e quic.cc.error_code -e quic.cc.error_code.app \
            -e quic.frame_type 2>/dev/null |
        python3 "$HERE/quic-facts.py" "$st" "$LAB"
    } >"$OUT/expected/$name.quic"
    log "facts: $name"; grep -v '^#' "$OUT/expected/$name.quic" | sed 's/^/  /' >&2
}

case ${1:-all} in
list) printf '%s\n' "${ORDER[@]}" ;;
capture) shift; for n in "$@"; do capture "$n"; facts "$n"; done ;;
facts) shift; if (($#)); then for n in "$@"; do facts "$n"; done
       else for n in "${ORDER[@]}"; do facts "$n"; done; fi ;;
all) for n in "${ORDER[@]}"; do capture "$n"; done
     for n in "${ORDER[@]}"; do facts "$n"; done ;;
*) die "usage: $0 [all | capture NAME... | facts [NAME...] | list]" ;;
esac
