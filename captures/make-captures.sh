#!/usr/bin/env bash
#
# make-captures.sh -- build tlsdiag's lab capture set, for real, over loopback.
#
# Every capture is a genuine handshake between `openssl s_server` (the server
# of the seed document's "Lab" section) and a real client (curl, openssl
# s_client or gnutls-cli), recorded with tcpdump.  Nothing is synthesised.
#
# Usage (as root: tcpdump needs it):
#   captures/make-captures.sh [STEP] [SCENARIO...]
#
#   certs    create the lab PKI in captures/lab/ (the seed's commands, plus a
#            rogue client CA); skipped when captures/lab/ is already complete,
#            FORCE_CERTS=1 regenerates it (and invalidates every capture).
#   capture  for each scenario (all of them when none is named):
#              1. start openssl s_server on port 8443 (-keylogfile, -naccept 1)
#              2. start tcpdump -U on lo (or "any") for 'tcp port 8443' and
#                 wait until it is listening
#              3. run the client with SSLKEYLOGFILE set, check its exit status
#                 and output against what the scenario is meant to show
#              4. wait a little (FIN/RST), stop the server, stop tcpdump (SIGINT)
#            and save into $OUT (default: captures/):
#              NAME.pcap         the capture
#              NAME.keylog       the client's NSS key log (the server's when the
#                                client logged no secret; empty when neither
#                                side derived one, e.g. failure at ClientHello)
#              NAME.client.txt   command, client stdout+stderr, exit status
#              NAME.server.txt   command, s_server stdout+stderr
#   facts    write $OUT/expected/NAME.facts (what is visible in plaintext) and,
#            for TLS 1.3, NAME.decrypted.facts (what tshark shows with the key
#            log), with captures/extract-facts.py, i.e. tshark + openssl only.
#            "outcome" comes from the client's exit status in NAME.client.txt.
#   verify   re-derive the facts another way (tshark -T fields and -V text,
#            sha256sum of the certificate bytes, openssl x509 on the lab file
#            with that fingerprint) and compare with expected/; fails loudly.
#   all      certs + capture + facts + verify (the default)
#   list     print the scenario names
#
# Environment:
#   OUT=DIR        write captures/expected there instead of captures/ (handy to
#                  re-run without touching the committed, canonical files);
#                  the PKI always lives in captures/lab/.
#   FORCE_CERTS=1  regenerate the PKI even if present.
#
# Idempotent: re-running overwrites the scenario files; the committed PKI is
# reused.  The committed captures are the canonical ones (every run has new
# randoms, ports and keys, so a re-run differs byte-wise; its facts differ in
# the client's ephemeral port and, sometimes, in which side's close_notify
# made it onto the wire before the connection was torn down).
#
# Only 127.0.0.1 / ::1 are used; /etc/hosts is never edited (curl --resolve).
# Needs: openssl (3.x), curl (OpenSSL backend), gnutls-cli, tcpdump, tshark,
# python3, ss, xxd.  Whole run: ~2.5 minutes (+ ~15 s for the PKI).

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=$HERE/lab
OUT=${OUT:-$HERE}
PORT=8443
DAYS=3650          # the seed uses 365 for its self-signed CAs (and the openssl
                   # x509 -req default, 30 days, for the others); 3650 here so
                   # the committed captures' certificates do not expire soon.
BITS=4096          # as in the seed

log() { printf '%s\n' "$*" >&2; }
die() { log "make-captures: $*"; exit 1; }

# ---------------------------------------------------------------------------
# certs
# ---------------------------------------------------------------------------
LAB_FILES=(rootCA.key rootCA.crt intermediateCA.key intermediateCA.crt
           server.key server.crt chain.crt clientCA.key clientCA.crt
           client.key client.crt rogueClientCA.key rogueClientCA.crt
           rogueClient.key rogueClient.crt)

certs_present() {
    local f
    for f in "${LAB_FILES[@]}"; do [[ -s $LAB/$f ]] || return 1; done
}

step_certs() {
    if [[ ${FORCE_CERTS:-0} != 1 ]] && certs_present; then
        log "certs: captures/lab/ complete, reusing it (FORCE_CERTS=1 to redo)"
        return 0
    fi
    log "certs: creating the lab PKI in $LAB (RSA $BITS, $DAYS days)"
    mkdir -p "$LAB"
    (
        cd "$LAB"
        rm -f ./*.key ./*.crt ./*.csr ./*.srl
        # --- the seed's commands (only -days differs / is added) ------------
        openssl genrsa -out rootCA.key $BITS
        openssl req -out rootCA.crt -x509 -new -nodes -key rootCA.key -days $DAYS \
            -subj '/CN=rootCA/O=LMT Corp'
        openssl genrsa -out intermediateCA.key $BITS
        openssl req -new -key intermediateCA.key -out intermediateCA.csr \
            -subj '/CN=intermediateCA/O=LMT Corp' -addext 'basicConstraints = critical,CA:true'
        openssl x509 -req -in intermediateCA.csr -CA rootCA.crt -CAkey rootCA.key \
            -CAcreateserial -out intermediateCA.crt -copy_extensions=copyall -days $DAYS
        openssl genrsa -out server.key $BITS
        openssl req -new -key server.key -out server.csr \
            -subj '/CN=tls-server.local/O=LMT Corp' -addext 'subjectAltName=DNS:tls-server.local'
        openssl x509 -req -in server.csr -CA intermediateCA.crt -CAkey intermediateCA.key \
            -CAcreateserial -out server.crt -copy_extensions=copyall -days $DAYS
        cat intermediateCA.crt rootCA.crt > chain.crt
        openssl genrsa -out clientCA.key $BITS
        openssl req -out clientCA.crt -x509 -new -nodes -key clientCA.key -days $DAYS \
            -subj '/CN=clientCA/O=LMT Corp'
        openssl genrsa -out client.key $BITS
        openssl req -new -key client.key -out client.csr -subj '/CN=client' \
            -addext 'extendedKeyUsage = clientAuth'
        openssl x509 -req -in client.csr -CA clientCA.crt -CAkey clientCA.key \
            -CAcreateserial -out client.crt -copy_extensions=copyall -days $DAYS
        # --- extra: a client CA the server does not know, and its client ----
        openssl genrsa -out rogueClientCA.key $BITS
        openssl req -out rogueClientCA.crt -x509 -new -nodes -key rogueClientCA.key -days $DAYS \
            -subj '/CN=rogueClientCA/O=Rogue Corp'
        openssl genrsa -out rogueClient.key $BITS
        openssl req -new -key rogueClient.key -out rogueClient.csr -subj '/CN=rogue-client' \
            -addext 'extendedKeyUsage = clientAuth'
        openssl x509 -req -in rogueClient.csr -CA rogueClientCA.crt -CAkey rogueClientCA.key \
            -CAcreateserial -out rogueClient.crt -copy_extensions=copyall -days $DAYS
        # sanity: the chains verify
        openssl verify -CAfile rootCA.crt -untrusted intermediateCA.crt server.crt
        openssl verify -CAfile clientCA.crt client.crt
        openssl verify -CAfile rogueClientCA.crt rogueClient.crt
    ) >&2
}

# ---------------------------------------------------------------------------
# scenarios
# ---------------------------------------------------------------------------
SCENARIOS=(
    tls13-mtls-ok tls12-mtls-ok
    tls13-version-mismatch tls12-version-mismatch
    tls13-no-shared-cipher tls12-no-shared-cipher
    tls13-server-untrusted tls12-server-untrusted
    tls13-hostname-mismatch tls12-hostname-mismatch
    tls13-client-aborts tls12-client-aborts
    tls13-client-cert-missing tls12-client-cert-missing
    tls13-client-cert-untrusted tls12-client-cert-untrusted
    tls13-mtls-ok-any tls13-mtls-ok-ipv6
    tls13-mtls-ok-s_client tls13-mtls-ok-gnutls
)

# The seed's "TLDR - Troubleshooting" rows ("Error" column, verbatim).
ROW_OK='- (none: successful mTLS handshake, HTTP 200)'
ROW_CH='The client get disconnected right after the client hello'
ROW_CA='The client closes the connection right after the server hello, complaining about an unknown CA or a self-signed certificate'
ROW_SN='The client closes the connection right after the server hello, complaining about an mismatched server name'
ROW_AB='The client aborts the handshake after the server hello'
ROW_NC='The server closes the connection requesting a client certificate'
ROW_UC='The server closes the connection complaining that the CA is unknown'

HTTP_GET=$'GET / HTTP/1.0\r\n\r\n'

# define NAME: sets MODE (tls13|tls12), ADDR, IFACE, CLIENT (array), STDIN,
# EXPECT (ok|fail), CLIENT_RE (must match the client output), SERVER_RE
# (must match the server output, optional), ROW.
define() {
    local name=$1 host=tls-server.local
    MODE=${name%%-*} ADDR=127.0.0.1 IFACE=lo STDIN= SERVER_RE= EXPECT=fail
    local url="https://$host:$PORT" resolve=(--resolve "$host:$PORT:127.0.0.1")
    local curl=(curl -v --no-progress-meter -o /dev/null --max-time 15)
    local trust=(--cacert ./rootCA.crt) ident=(--key ./client.key --cert ./client.crt)
    local sc=(openssl s_client -connect "127.0.0.1:$PORT" -servername "$host"
              -verify_hostname "$host" -CAfile ./rootCA.crt -verify_return_error
              -keylogfile ./client.keylog -ign_eof)
    case ${name#*-} in
    mtls-ok|mtls-ok-any|mtls-ok-ipv6)
        CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" "${ident[@]}")
        EXPECT=ok ROW=$ROW_OK
        if [[ $MODE == tls13 ]]; then
            CLIENT_RE='SSL connection using TLSv1\.3 / TLS_CHACHA20_POLY1305_SHA256'
        else
            CLIENT_RE='SSL connection using TLSv1\.2 / ECDHE-RSA-AES128-GCM-SHA256'
        fi
        CLIENT_RE+='.*HTTP/1\.0 200 ok'
        case $name in
        *-any)  IFACE=any ;;
        *-ipv6) ADDR='[::1]'
                CLIENT=("${curl[@]}" "$url" --resolve "$host:$PORT:[::1]" "${trust[@]}" "${ident[@]}") ;;
        esac ;;
    mtls-ok-s_client)
        CLIENT=("${sc[@]}" -cert ./client.crt -key ./client.key)
        STDIN=$HTTP_GET EXPECT=ok ROW=$ROW_OK
        CLIENT_RE='Verify return code: 0 \(ok\).*HTTP/1\.0 200 ok' ;;
    mtls-ok-gnutls)
        CLIENT=(gnutls-cli 127.0.0.1 -p $PORT --sni-hostname "$host" --verify-hostname "$host"
                --x509cafile ./rootCA.crt --x509certfile ./client.crt --x509keyfile ./client.key)
        STDIN=$HTTP_GET EXPECT=ok ROW=$ROW_OK
        CLIENT_RE='Handshake was completed.*HTTP/1\.0 200 ok' ;;
    version-mismatch)
        ROW=$ROW_CH CLIENT_RE='alert protocol version' SERVER_RE='unsupported protocol'
        if [[ $MODE == tls13 ]]; then   # the seed's command
            CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" "${ident[@]}" --tls-max 1.2)
        else                            # a client that insists on TLS 1.3
            CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" "${ident[@]}" --tlsv1.3)
        fi ;;
    no-shared-cipher)
        ROW=$ROW_CH CLIENT_RE='alert handshake failure' SERVER_RE='no shared cipher'
        if [[ $MODE == tls13 ]]; then   # the seed's command
            CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" "${ident[@]}"
                    --tls13-ciphers TLS_AES_256_GCM_SHA384)
        else
            CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" "${ident[@]}"
                    --ciphers ECDHE-RSA-AES256-GCM-SHA384)
        fi ;;
    server-untrusted)   # no --cacert: curl uses the system trust store
        CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${ident[@]}")
        ROW=$ROW_CA CLIENT_RE='self-signed certificate in certificate chain' ;;
    hostname-mismatch)  # IP literal in the URL: the name checked is 127.0.0.1
        CLIENT=("${curl[@]}" "https://127.0.0.1:$PORT" "${trust[@]}" "${ident[@]}")
        ROW=$ROW_SN CLIENT_RE="no alternative certificate subject name matches target host name '127\\.0\\.0\\.1'" ;;
    client-aborts)
        # openssl s_client's "-xcert" client certificate is chosen when the
        # server asks for one; with -xchain_build the client builds (and so
        # verifies) its own chain from its trust store, which holds only the
        # server's root: it cannot, and aborts the handshake itself.
        CLIENT=("${sc[@]}" -xcert ./client.crt -xkey ./client.key -xchain_build)
        STDIN=$HTTP_GET ROW=$ROW_AB
        CLIENT_RE='callback failed' SERVER_RE='alert internal error' ;;
    client-cert-missing)
        CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}")
        ROW=$ROW_NC SERVER_RE='peer did not return a certificate'
        if [[ $MODE == tls13 ]]; then CLIENT_RE='alert certificate required'
        else CLIENT_RE='alert handshake failure'; fi ;;
    client-cert-untrusted)
        CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}"
                --key ./rogueClient.key --cert ./rogueClient.crt)
        ROW=$ROW_UC CLIENT_RE='alert unknown ca' SERVER_RE='certificate verify failed' ;;
    *) die "unknown scenario: $name" ;;
    esac
}

server_cmd() {   # the seed's server (+ -keylogfile, -naccept 1, loopback address)
    SERVER=(openssl s_server -key server.key -cert server.crt -accept "$ADDR:$PORT" -www
            -cert_chain chain.crt -build_chain -CAfile clientCA.crt -Verify 10
            -verify_return_error)
    if [[ $MODE == tls13 ]]; then
        SERVER+=(-tls1_3 -strict -ciphersuites TLS_CHACHA20_POLY1305_SHA256)
    else
        # -serverpref: the server's order wins, so TLS 1.2 captures use
        # AES-128-GCM (the TLS 1.3 ones use CHACHA20-POLY1305)
        SERVER+=(-tls1_2 -strict -cipher ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305
                 -serverpref)
    fi
    SERVER+=(-keylogfile server.keylog -naccept 1)
}

# ---------------------------------------------------------------------------
# capture
# ---------------------------------------------------------------------------
SRV_PID= TD_PID= WORK=
stop_pid() {     # stop_pid PID SIGNAL: signal one process we started, reap it
    local pid=$1 sig=$2 i
    [[ -n $pid ]] || return 0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill "-$sig" "$pid" 2>/dev/null || true
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    stop_pid "$SRV_PID" TERM; SRV_PID=
    stop_pid "$TD_PID" INT; TD_PID=
    [[ -n $WORK && -d $WORK ]] && rm -rf "$WORK"
    WORK=
}
trap cleanup EXIT
trap 'exit 130' INT TERM

server_gone() { ! kill -0 "$SRV_PID" 2>/dev/null; }
port_listening() { [[ -n $(ss -Htln "sport = :$PORT") ]]; }

wait_for() {     # wait_for TENTHS CMD...: poll until CMD succeeds
    local n=$1 i; shift
    for ((i = 0; i < n; i++)); do "$@" && return 0; sleep 0.1; done
    return 1
}

has_secrets() { [[ -f $1 ]] && grep -Eq '^[A-Z0-9_]+ [0-9a-fA-F]+ [0-9a-fA-F]+' "$1"; }
quote() { local a s=; for a in "$@"; do s+="$(printf '%q' "$a") "; done; printf '%s' "${s% }"; }

capture_one() {
    local name=$1 rc=0 out linktype shown
    define "$name"; server_cmd
    log "capture: $name"
    port_listening && die "port $PORT is already in use"
    WORK=$(mktemp -d /tmp/tlsdiag-capture.XXXXXX)
    cp "$LAB"/{server.key,server.crt,chain.crt,clientCA.crt,rootCA.crt,client.key,client.crt,rogueClient.key,rogueClient.crt} "$WORK"/

    # 1. server
    ( cd "$WORK" && exec "${SERVER[@]}" ) >"$WORK/server.out" 2>&1 </dev/null &
    SRV_PID=$!
    wait_for 100 port_listening || { cat "$WORK/server.out" >&2; die "$name: s_server did not start"; }

    # 2. tcpdump (on "any", ask for Linux cooked v2 explicitly; Debian 12's tcpdump
    #    4.99.3 picks it by default too, older ones pick v1)
    linktype=()
    [[ $IFACE == any ]] && linktype=(-y LINUX_SLL2)
    tcpdump -i "$IFACE" "${linktype[@]}" -U -n -s 0 -w "$WORK/$name.pcap" "tcp port $PORT" \
        2>"$WORK/tcpdump.err" </dev/null &
    TD_PID=$!
    wait_for 100 grep -qs 'listening on' "$WORK/tcpdump.err" \
        || { cat "$WORK/tcpdump.err" >&2; die "$name: tcpdump did not start"; }
    sleep 0.2

    # 3. client
    ( cd "$WORK" && SSLKEYLOGFILE=./client.keylog exec timeout 30 "${CLIENT[@]}" ) \
        < <(printf '%s' "$STDIN") >"$WORK/client.out" 2>&1 || rc=$?

    # 4. let FIN/RST through, stop the server (it exits by itself: -naccept 1), stop tcpdump
    sleep 0.5
    wait_for 30 server_gone || true
    stop_pid "$SRV_PID" TERM; SRV_PID=
    sleep 0.3
    stop_pid "$TD_PID" INT; TD_PID=

    # evidence
    mkdir -p "$OUT"
    {
        shown=$(quote "${CLIENT[@]}")
        printf '$ cd captures/lab && SSLKEYLOGFILE=%s.keylog %s' "$name" "${shown//.\/client.keylog/$name.keylog}"
        [[ -n $STDIN ]] && printf ' < <(printf %q)' "$STDIN"
        printf '\n'
        sed "s#$WORK/##g" "$WORK/client.out"
        printf '[client exit status: %d]\n' "$rc"
    } >"$OUT/$name.client.txt"
    {
        printf '$ cd captures/lab && %s\n' "$(quote "${SERVER[@]}")"
        cat "$WORK/server.out"
    } >"$OUT/$name.server.txt"
    cp "$WORK/$name.pcap" "$OUT/$name.pcap"
    if has_secrets "$WORK/client.keylog"; then
        cp "$WORK/client.keylog" "$OUT/$name.keylog"; out=client
    elif has_secrets "$WORK/server.keylog"; then
        cp "$WORK/server.keylog" "$OUT/$name.keylog"; out=server
    else
        : >"$OUT/$name.keylog"; out='nobody, empty file (neither side derived a secret)'
    fi
    printf '[%s.keylog written by: %s]\n' "$name" "$out" >>"$OUT/$name.client.txt"

    # did it really go the way the scenario says?
    if [[ $EXPECT == ok ]]; then
        ((rc == 0)) || die "$name: client failed (status $rc), expected success; see $OUT/$name.client.txt"
    else
        ((rc != 0)) || die "$name: client succeeded, expected a failure; see $OUT/$name.client.txt"
    fi
    tr '\n' ' ' <"$WORK/client.out" | grep -Eq -- "$CLIENT_RE" \
        || die "$name: client output does not match /$CLIENT_RE/; see $OUT/$name.client.txt"
    if [[ -n $SERVER_RE ]]; then
        grep -Eq -- "$SERVER_RE" "$WORK/server.out" \
            || die "$name: server output does not match /$SERVER_RE/; see $OUT/$name.server.txt"
    fi
    local streams
    if [[ $IFACE == any ]]; then
        capinfos -E "$OUT/$name.pcap" | grep -q 'Linux cooked-mode capture v2' \
            || die "$name: not a Linux cooked v2 (SLL2) capture"
    fi
    streams=$(tshark -r "$OUT/$name.pcap" -T fields -e tcp.stream 2>/dev/null | sort -u | wc -l)
    ((streams == 1)) || log "capture: WARNING: $name has $streams TCP connections"
    log "capture: $name: client status $rc, $(tshark -r "$OUT/$name.pcap" 2>/dev/null | wc -l) packets"
    rm -rf "$WORK"; WORK=
}

step_capture() {
    [[ $(id -u) == 0 ]] || die "capture needs root (tcpdump)"
    certs_present || die "no lab PKI in $LAB: run the certs step first"
    local n
    for n in "$@"; do capture_one "$n"; done
}

# ---------------------------------------------------------------------------
# facts
# ---------------------------------------------------------------------------
step_facts() {
    local n
    mkdir -p "$OUT/expected"
    for n in "$@"; do
        define "$n"
        log "facts: $n"
        python3 "$HERE/extract-facts.py" --lab "$LAB" --row "$ROW" \
            --pcap "$OUT/$n.pcap" --keylog "$OUT/$n.keylog" \
            --client-txt "$OUT/$n.client.txt" \
            --facts "$OUT/expected/$n.facts" \
            $([[ $MODE == tls13 ]] && echo --decrypted "$OUT/expected/$n.decrypted.facts")
    done
}

# ---------------------------------------------------------------------------
# verify: re-derive the facts another way (tshark -T fields / -V text,
# sha256sum, openssl x509 on captures/lab/*.crt) and compare with expected/.
# ---------------------------------------------------------------------------
facts_of() {     # facts_of FILE PATTERN: "key value" lines of conn 1 matching PATTERN
    awk -v re="$2" '$1 == "1" && $2 ~ re { $1 = ""; print substr($0, 2) }' "$1"
}

tshark_facts() { # tshark_facts PCAP KEYLOG: the same facts, derived independently
    local p=$1 k=$2 sh
    local ts=(tshark -r "$p" -o "tls.keylog_file:$k")
    "${ts[@]}" -Y 'tcp.flags.syn==1 && tcp.flags.ack==0' -T fields \
        -e ip.src -e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst -e tcp.dstport 2>/dev/null |
        head -1 | awk -F'\t' '{ c = $1 ? $1 ":" $3 : "[" $2 "]:" $3; s = $4 ? $4 ":" $6 : "[" $5 "]:" $6
                               print "client " c; print "server " s }'
    sh=$("${ts[@]}" -Y 'tls.handshake.type==1' -T fields -e tls.handshake.extensions_server_name 2>/dev/null | head -1)
    echo "sni ${sh:--}"
    "${ts[@]}" -Y 'tls.handshake.type==2' -T fields -e tls.handshake.extensions.supported_version \
        -e tls.handshake.version 2>/dev/null | tail -1 |
        awk -F'\t' 'BEGIN { v["0x0304"] = "TLS 1.3"; v["0x0303"] = "TLS 1.2" }
                    { x = $1 ? $1 : $2 } END { print "version " (x ? v[x] : "-") }'
    sh=$("${ts[@]}" -Y 'tls.handshake.type==2' -O tls -V 2>/dev/null |
         sed -n 's/^ *Cipher Suite: \([A-Z0-9_]*\) (0x.*/\1/p' | tail -1)
    echo "cipher ${sh:--}"
    # certificates: raw bytes -> sha256sum, in message order, per sender
    "${ts[@]}" -Y 'tls.handshake.type==11' -T fields -E occurrence=a -E aggregator=' ' \
        -e tcp.srcport -e tls.handshake.type -e tls.handshake.certificate 2>/dev/null |
        while IFS=$'\t' read -r port types certs; do
            local who=client_cert i=0 c
            [[ $port == "$PORT" ]] && who=server_cert
            for c in $certs; do
                echo "$who.$i.sha256 $(printf '%s' "${c//:/}" | xxd -r -p | sha256sum | cut -d' ' -f1)"
                i=$((i + 1))
            done
            ((i > 0)) || echo "$who.count 0"
        done
    "${ts[@]}" -Y 'tls.handshake.type==13' -O tls -V 2>/dev/null |
        sed -n 's/^ *Distinguished Name: (\(.*\))$/\1/p' |
        sed 's/id-at-organizationName=/O=/g; s/id-at-commonName=/CN=/g' | awk '{ print "acceptable_ca." NR-1 " " $0 }'
    # alerts: tshark's own names, lower-cased, spaces -> underscores
    "${ts[@]}" -Y 'tls.record.content_type==21' -O tcp,tls -V 2>/dev/null |
        awk -v port="$PORT" '
            /^ *Source Port: / { who = ($3 == port) ? "server" : "client" }
            /Alert Message: Encrypted Alert/ { print "alert." n++ " " who " encrypted" }
            /^ *Level: /       { lvl = tolower($2) }
            /^ *Description: / { d = $0; sub(/^ *Description: /, "", d); sub(/ \([0-9]+\)$/, "", d)
                                 d = tolower(d); gsub(/ /, "_", d)
                                 print "alert." n++ " " who " " lvl " " d }'
}

verify_one() {   # verify_one NAME FACTS KEYLOG
    local name=$1 facts=$2 keylog=$3 want got fp lab rc=0 key
    want=$(facts_of "$facts" '^(client|server|sni|version|cipher|alert[.][0-9]+|acceptable_ca[.][0-9]+|(server|client)_cert[.]([0-9]+[.]sha256|count))$' | sort)
    got=$(tshark_facts "$OUT/$name.pcap" "$keylog" | sort)
    if [[ $want != "$got" ]]; then
        log "verify: $facts disagrees with tshark:"
        diff <(echo "$want") <(echo "$got") >&2 || true
        rc=1
    fi
    # subject/issuer/SAN of each certificate = openssl on the lab file with that fingerprint
    while read -r key fp; do
        lab=${LAB_FP[$fp]:-}
        [[ -n $lab ]] || { log "verify: $facts: $key $fp is no lab certificate"; rc=1; continue; }
        key=${key%.sha256}
        want=$(facts_of "$facts" "^${key//./[.]}[.](subject|issuer|san)$")
        got=$(openssl x509 -in "$lab" -noout -nameopt RFC2253 -subject -issuer | sed 's/^subject=/subject /; s/^issuer=/issuer /'
              san=$(openssl x509 -in "$lab" -noout -ext subjectAltName 2>/dev/null | tail -n +2 | sed 's/^ *//' | paste -sd, | sed 's/,/, /g')
              [[ -z $san ]] || echo "san $san")
        if [[ $(sort <<<"$want") != "$(sed "s/^/$key./" <<<"$got" | sort)" ]]; then
            log "verify: $facts: $key differs from openssl x509 on $lab"; rc=1
        fi
    done < <(facts_of "$facts" '_cert[.][0-9]+[.]sha256$')
    # outcome = the client's exit status
    local st
    st=$(sed -n 's/^\[client exit status: \([0-9]*\)\]$/\1/p' "$OUT/$name.client.txt")
    want=$(facts_of "$facts" '^outcome$')
    [[ $want == "outcome $( ((st == 0)) && echo established || echo failed)" ]] \
        || { log "verify: $facts: outcome '$want' but client exit status $st"; rc=1; }
    return $rc
}

declare -A LAB_FP=()
step_verify() {
    local n bad=0 c
    for c in "$LAB"/*.crt; do      # sha256 fingerprint -> lab file (chain.crt left out)
        [[ $c == */chain.crt ]] && continue
        LAB_FP[$(openssl x509 -in "$c" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f)]=$c
    done
    for n in "$@"; do
        define "$n"
        verify_one "$n" "$OUT/expected/$n.facts" "" || bad=1
        if [[ $MODE == tls13 ]]; then
            verify_one "$n" "$OUT/expected/$n.decrypted.facts" "$OUT/$n.keylog" || bad=1
        fi
        log "verify: $n $( ((bad)) && echo '(errors so far)' || echo ok)"
    done
    ((bad == 0)) || die "verify: some facts disagree"
}

# ---------------------------------------------------------------------------
step=${1:-all}; [[ $# -gt 0 ]] && shift
names=("$@"); [[ ${#names[@]} -gt 0 ]] || names=("${SCENARIOS[@]}")
case $step in
certs)   step_certs ;;
capture) step_capture "${names[@]}" ;;
facts)   step_facts "${names[@]}" ;;
verify)  step_verify "${names[@]}" ;;
all)     step_certs; step_capture "${names[@]}"; step_facts "${names[@]}"; step_verify "${names[@]}" ;;
list)    printf '%s\n' "${SCENARIOS[@]}" ;;
*)       die "unknown step '$step' (certs|capture|facts|verify|all|list)" ;;
esac
