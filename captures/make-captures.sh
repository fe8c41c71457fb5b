#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make-captures.sh -- build tlsdiag's lab capture set, for real, over loopback.
#
# Every capture is a genuine exchange between `openssl s_server` (the server
# of the seed document's "Lab" section, with per-scenario certificates and
# options) and a real client (curl, openssl s_client or gnutls-cli), recorded
# with tcpdump.  Nothing is synthesised.  The few TCP-level scenarios use a
# Python listener as the server (nothing listening, an accept queue that is
# full, a listener that never answers, python3 -m http.server); the client is
# still curl.
#
# Usage (as root: tcpdump needs it):
#   captures/make-captures.sh [STEP] [SCENARIO...]
#
#   certs    create the lab PKI in captures/lab/ (the seed's commands, plus a
#            rogue client CA); skipped when captures/lab/ is already complete,
#            FORCE_CERTS=1 regenerates it (and invalidates every capture).
#            Then the extra certificates of the diagnosis scenarios
#            (extra_certs: expired, not yet valid, no SAN, wrong EKU, SHA-1,
#            RSA 1024...), each made only when missing, except
#            serverExpiringSoon.crt, renewed when it no longer ends within
#            1..30 days (its captures must then be re-made).
#   capture  for each scenario (all of them when none is named):
#              1. start the server on port 8443 (s_server: -keylogfile,
#                 -naccept 1, or 2 for the resumption scenarios), and a helper
#                 listener on 8444 when the scenario needs one
#              2. start tcpdump -U on lo (or "any") for 'tcp port 8443' and
#                 wait until it is listening
#              3. run the client with SSLKEYLOGFILE set, check its exit status
#                 and output against what the scenario is meant to show (and
#                 the server's output, and a tshark filter, where useful)
#              4. wait a little (FIN/RST), stop the server, stop tcpdump (SIGINT)
#            and save into $OUT (default: captures/):
#              NAME.pcap         the capture
#              NAME.keylog       the client's NSS key log (the server's when the
#                                client logged no secret; empty when neither
#                                side derived one, e.g. failure at ClientHello)
#              NAME.client.txt   command, client stdout+stderr, exit status
#              NAME.server.txt   command, server stdout+stderr
#            A capture whose ClientHello tshark does not dissect as TLS (the
#            client's ephemeral port is another protocol's, e.g. 44818 =
#            EtherNet/IP) is made again, up to 3 times.
#   facts    write $OUT/expected/NAME.facts (what is visible in plaintext) and,
#            for TLS 1.0-1.3 with a key log, NAME.decrypted.facts (what tshark shows with the key
#            log), with captures/extract-facts.py, i.e. tshark + openssl only.
#            "outcome" comes from the client's exit status in NAME.client.txt;
#            the expected diagnoses ("diag.N" lines) come from the scenario's
#            definition below (DIAG / DIAG_DEC), their comments get the frame
#            numbers from tshark.
#   verify   re-derive the facts another way (tshark -T fields and -V text,
#            sha256sum of the certificate bytes, openssl x509 on the lab file
#            with that fingerprint) and compare with expected/; check that the
#            root cause's side (diag.0 CODE STAGE GAVE_UP CONFIDENCE) is the side tshark sees
#            ending the connection (first fatal alert, decrypted if need be,
#            else first FIN/RST); fails loudly.
#   all      certs + capture + facts + verify (the default)
#   list     print the scenario names
#
# Environment:
#   OUT=DIR        write captures/expected there instead of captures/ (handy to
#                  re-run without touching the committed, canonical files);
#                  the PKI always lives in captures/lab/.
#   FORCE_CERTS=1  regenerate the PKI even if present.
#   JOBS=N         facts and verify run N scenarios at a time (default: nproc).
#
# Idempotent: re-running overwrites the scenario files; the committed PKI is
# reused.  The committed captures are the canonical ones (every run has new
# randoms, ports and keys, so a re-run differs byte-wise; its facts differ in
# the client's ephemeral port and, sometimes, in which side's close_notify
# made it onto the wire before the connection was torn down).
#
# Only 127.0.0.1 / ::1 are used; /etc/hosts is never edited (curl --resolve).
# Needs: openssl (3.x), curl (OpenSSL backend), gnutls-cli, tcpdump, tshark,
# python3, ss, xxd; ports 8443, 8444 and 40000 free on loopback.
# Whole run: about 5 minutes on 2 CPUs (captures ~2.5 min, the rest is
# tshark start-up in the facts and verify steps).

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=$HERE/lab
OUT=${OUT:-$HERE}
PORT=8443
DAYS=3650          # the seed uses 365 for its self-signed CAs (and the openssl
                   # x509 -req default, 30 days, for the others); 3650 here so
                   # the committed captures' certificates do not expire soon.
BITS=4096          # as in the seed

LIB_NAME=make-captures
# shellcheck source=captures/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # log, die, wait_for, stop_pid, tcp_listening

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
        log "certs: the seed's PKI in captures/lab/ is complete, reusing it (FORCE_CERTS=1 to redo)"
        extra_certs
        return 0
    fi
    log "certs: creating the lab PKI in $LAB (RSA $BITS, $DAYS days)"
    mkdir -p "$LAB"
    (
        cd "$LAB"
        rm -f ./*.key ./*.crt ./*.csr ./*.srl ./*.pem
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
    extra_certs
}

# ---------------------------------------------------------------------------
# The extra certificates of the diagnosis scenarios (issue 3).  Each one is
# made only when missing (so the committed captures' fingerprints stay valid),
# except serverExpiringSoon.crt, renewed when it no longer expires within
# 1..30 days.  They reuse the seed's keys (server.key, client.key: a renewed
# certificate for the same key, as in real life), except serverWeak.key (RSA
# 1024).  Dates that must not depend on "now" are fixed (openssl ca
# -startdate/-enddate: openssl 3.0's x509 -req has no -not_before/-not_after).
# ---------------------------------------------------------------------------
SOON_DAYS=20       # serverExpiringSoon.crt: valid for 20 days from its creation
EXTRA_FILES=(serverExpired.crt serverNotYetValid.crt serverExpiringSoon.crt
             serverNoSan.crt serverWrongUsage.crt serverSha1.crt serverWeak.key
             serverWeak.crt clientExpired.crt clientNotYetValid.crt
             clientWrongUsage.crt clientCrlDp.crt clientCAs.pem
             clientWeak.key clientWeak.crt)

# lab_sign CA CSR OUT STARTDATE ENDDATE EXTENSIONS [DIGEST]: openssl ca with a
# throw-away database (random serial, subject kept in the CSR's order).
lab_sign() {
    local ca=$1 csr=$2 out=$3 start=$4 end=$5 exts=$6 md=${7:-sha256} d
    d=$(mktemp -d /tmp/tlsdiag-ca.XXXXXX)
    : >"$d/index.txt"
    cat >"$d/ca.cnf" <<CNF
[ca]
default_ca = lab
[lab]
dir = $d
database = $d/index.txt
serial = $d/serial
new_certs_dir = $d
policy = any
copy_extensions = none
unique_subject = no
[any]
commonName = supplied
organizationName = optional
[ext]
$exts
CNF
    openssl ca -batch -config "$d/ca.cnf" -notext -preserveDN -rand_serial \
        -cert "$ca.crt" -keyfile "$ca.key" -md "$md" -startdate "$start" -enddate "$end" \
        -extensions ext -in "$csr" -out "$out"
    rm -rf "$d"
}

soon_ok() {      # serverExpiringSoon.crt still valid for >= 1 day and < 30 days
    local c=$LAB/serverExpiringSoon.crt
    [[ -s $c ]] && openssl x509 -in "$c" -noout -checkend 86400 >/dev/null &&
        ! openssl x509 -in "$c" -noout -checkend $((30 * 86400)) >/dev/null
}

extra_certs() {
    local f missing=()
    for f in "${EXTRA_FILES[@]}"; do [[ -s $LAB/$f ]] || missing+=("$f"); done
    soon_ok || missing+=(serverExpiringSoon.crt)
    ((${#missing[@]})) || { log "certs: the extra certificates are there, reusing them"; return 0; }
    log "certs: making ${missing[*]}"
    (
        cd "$LAB"
        local t now later san='subjectAltName=DNS:tls-server.local'
        t=$(mktemp -d /tmp/tlsdiag-csr.XXXXXX)
        now=$(date -u +%Y%m%d%H%M%SZ) later=$(date -u -d "+$DAYS days" +%Y%m%d%H%M%SZ)
        # the seed's subjects, the seed's keys
        openssl req -new -key server.key -out "$t/server.csr" -subj '/CN=tls-server.local/O=LMT Corp'
        openssl req -new -key client.key -out "$t/client.csr" -subj '/CN=client'
        want() { [[ " ${missing[*]} " == *" $1 "* ]]; }
        # server certificates, all signed by intermediateCA
        want serverExpired.crt &&       # expired on 2026-01-01
            lab_sign intermediateCA "$t/server.csr" serverExpired.crt 20250101000000Z 20260101000000Z "$san"
        want serverNotYetValid.crt &&   # valid from 2040 on
            lab_sign intermediateCA "$t/server.csr" serverNotYetValid.crt 20400101000000Z 20491231235959Z "$san"
        want serverExpiringSoon.crt &&
            lab_sign intermediateCA "$t/server.csr" serverExpiringSoon.crt "$now" \
                "$(date -u -d "+$SOON_DAYS days" +%Y%m%d%H%M%SZ)" "$san"
        want serverNoSan.crt &&         # CN=tls-server.local only, no subjectAltName
            lab_sign intermediateCA "$t/server.csr" serverNoSan.crt "$now" "$later" ''
        want serverWrongUsage.crt &&    # extendedKeyUsage = clientAuth only
            lab_sign intermediateCA "$t/server.csr" serverWrongUsage.crt "$now" "$later" \
                "$san"$'\n''extendedKeyUsage = clientAuth'
        want serverSha1.crt &&          # sha1WithRSAEncryption signature by intermediateCA
            lab_sign intermediateCA "$t/server.csr" serverSha1.crt "$now" "$later" "$san" sha1
        if want serverWeak.key || want serverWeak.crt; then   # RSA 1024
            openssl genrsa -out serverWeak.key 1024
            openssl req -new -key serverWeak.key -out "$t/weak.csr" -subj '/CN=tls-server.local/O=LMT Corp'
            lab_sign intermediateCA "$t/weak.csr" serverWeak.crt "$now" "$later" "$san"
        fi
        # client certificates, all signed by clientCA
        want clientExpired.crt &&
            lab_sign clientCA "$t/client.csr" clientExpired.crt 20250101000000Z 20260101000000Z \
                'extendedKeyUsage = clientAuth'
        want clientNotYetValid.crt &&
            lab_sign clientCA "$t/client.csr" clientNotYetValid.crt 20400101000000Z 20491231235959Z \
                'extendedKeyUsage = clientAuth'
        want clientWrongUsage.crt &&    # extendedKeyUsage = serverAuth only
            lab_sign clientCA "$t/client.csr" clientWrongUsage.crt "$now" "$later" \
                'extendedKeyUsage = serverAuth'
        want clientCrlDp.crt &&         # a CRL distribution point on 127.0.0.1:8444
            lab_sign clientCA "$t/client.csr" clientCrlDp.crt "$now" "$later" \
                'extendedKeyUsage = clientAuth'$'\n''crlDistributionPoints = URI:http://127.0.0.1:8444/clientCA.crl'
        # the server's store for client certificates when it trusts both client CAs
        want clientCAs.pem && cat clientCA.crt rogueClientCA.crt >clientCAs.pem
        if want clientWeak.key || want clientWeak.crt; then   # RSA 1024 (issue 15)
            openssl genrsa -out clientWeak.key 1024
            openssl req -new -key clientWeak.key -out "$t/cweak.csr" -subj '/CN=client'
            lab_sign clientCA "$t/cweak.csr" clientWeak.crt "$now" "$later" \
                'extendedKeyUsage = clientAuth'
        fi
        rm -rf "$t"
        openssl verify -CAfile rootCA.crt -untrusted intermediateCA.crt serverNoSan.crt \
            serverWrongUsage.crt serverExpiringSoon.crt
        openssl verify -CAfile clientCA.crt clientWrongUsage.crt clientCrlDp.crt
    ) >&2
    soon_ok || die "serverExpiringSoon.crt is not within 1..30 days of its end"
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
    # --- the diagnosis scenarios of issue 3 ---
    tls13-server-cert-expired tls12-server-cert-expired
    tls13-server-cert-not-yet-valid tls12-server-cert-not-yet-valid
    tls13-client-cert-expired tls12-client-cert-expired
    tls13-client-cert-not-yet-valid tls12-client-cert-not-yet-valid
    tls13-cert-expiring-soon tls12-cert-expiring-soon
    tls13-server-chain-incomplete tls12-server-chain-incomplete
    tls13-server-cert-no-san tls12-server-cert-no-san
    tls13-server-cert-wrong-usage tls12-server-cert-wrong-usage
    tls13-client-cert-wrong-usage tls12-client-cert-wrong-usage
    tls13-client-key-mismatch tls12-client-key-mismatch
    tls13-alpn-mismatch tls12-alpn-mismatch
    tls13-empty-ca-list tls12-empty-ca-list
    tls13-empty-ca-list-no-cert tls12-empty-ca-list-no-cert
    tls13-client-cert-not-acceptable tls12-client-cert-not-acceptable
    tls13-unrecognized-name tls12-unrecognized-name
    tls13-hello-retry
    tls13-resumed tls12-resumed
    tls11-deprecated tls10-deprecated tls10-version-rejected
    tls13-weak-key tls12-weak-key tls13-weak-key-accepted tls12-weak-key-accepted
    tls13-weak-signature tls12-weak-signature
    tls13-weak-signature-accepted tls12-weak-signature-accepted
    tls13-handshake-aborted tls12-handshake-aborted
    tcp-refused tcp-no-answer server-silent not-tls plaintext-to-tls-port
    tcp-refused-other-port
    # --- issue 15: weak suites, a TLS 1.0 client answered internal_error,
    # --- a client key the server refuses
    tls12-null-cipher-refused tls12-null-cipher tls12-anon-cipher
    tls10-internal-error tls12-client-weak-key tls13-client-weak-key
)

# The seed's "TLDR - Troubleshooting" rows ("Error" column, verbatim).
ROW_OK='- (none: successful mTLS handshake, HTTP 200)'
ROW_CH='The client get disconnected right after the client hello'
ROW_CA='The client closes the connection right after the server hello, complaining about an unknown CA or a self-signed certificate'
ROW_SN='The client closes the connection right after the server hello, complaining about an mismatched server name'
ROW_AB='The client aborts the handshake after the server hello'
ROW_NC='The server closes the connection requesting a client certificate'
ROW_UC='The server closes the connection complaining that the CA is unknown'
ROW_NONE='- (not in the seed table: issue 3 diagnosis scenario)'

HTTP_GET=$'GET / HTTP/1.0\r\n\r\n'
OK_RE13='SSL connection using TLSv1\.3 / TLS_CHACHA20_POLY1305_SHA256.*HTTP/1\.0 200 ok'
OK_RE12='SSL connection using TLSv1\.2 / ECDHE-RSA-AES128-GCM-SHA256.*HTTP/1\.0 200 ok'
HRR_RANDOM=cf:21:ad:74:e5:9a:61:11:be:1d:8c:02:1e:65:b8:91:c2:a2:11:16:7a:bb:8c:5e:07:9e:09:e2:c8:a8:33:9c

# Python one-liners for the servers that are not s_server (TCP-level scenarios).
# A listener that accepts and never sends a byte:
PY_SILENT='import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(8); print("listening", flush=True)
held = []
while True: held.append(s.accept()[0])'
# A listener that never accepts, with a backlog of 0 that one connection from
# port 40000 already fills: Linux then drops every further SYN (no SYN-ACK, no
# RST; net.ipv4.tcp_abort_on_overflow=0).  Port 40000 is left out of the capture.
PY_BACKLOG='import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(0)
f = socket.socket(); f.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
f.bind((sys.argv[1], 40000)); f.connect((sys.argv[1], int(sys.argv[2])))
print("listening, accept queue full", flush=True); time.sleep(120)'

# dg FILE-VAR COMMENT LINE: append "# COMMENT" and LINE to DIAG or DIAG_DEC.
# Comments may use placeholders that extract-facts.py replaces with frame
# numbers of the same connection ({alert.N}, {dalert.N}, {ch}, {fin.client}...).
dg()  { DIAG+="# $1"$'\n'"$2"$'\n'; }
dgd() { DIAG_DEC+="# $1"$'\n'"$2"$'\n'; }

# define NAME: sets MODE (tls13|tls12|tls11|tls10|none), ADDR, IFACE, CLIENT
# (array), STDIN, EXPECT (ok|fail), CLIENT_RE (must match the client output),
# SERVER_RE (must match the server output, optional), ROW, the server (SRV_*),
# CHECK_Y (a tshark filter that must match the capture, optional), NCONN, and
# the expected diagnoses DIAG (NAME.facts) and DIAG_DEC (NAME.decrypted.facts,
# TLS 1.3; DIAG when left empty).
define() {
    local name=$1 host=tls-server.local
    case $name in tls1[0-3]-*) MODE=${name%%-*} ;; *) MODE=none ;; esac
    # every scenario on 8443 (a well-known TLS port) but one
    case $name in tcp-refused-other-port) PORT=9000 ;; *) PORT=8443 ;; esac
    ADDR=127.0.0.1 IFACE=lo STDIN= SERVER_RE= EXPECT=fail CHECK_Y= NCONN=1
    SRV_KIND=s_server SRV_MODE=$MODE SRV_CERT=server.crt SRV_KEY=server.key SRV_CHAIN=build
    SRV_EXTRA=() SRV_SECLEVEL= SRV_STRICT=1 NACCEPT=1 HELPER= KILL_AFTER=
    SRV_CIPHER= SRV_VERIFY=1 SRV_PROTO=()
    FILTER="tcp port $PORT" ROW=$ROW_NONE DIAG= DIAG_DEC=
    local url="https://$host:$PORT" resolve=(--resolve "$host:$PORT:127.0.0.1")
    local curl=(curl -v --no-progress-meter -o /dev/null --max-time 15)
    local trust=(--cacert ./rootCA.crt) ident=(--key ./client.key --cert ./client.crt)
    local sc=(openssl s_client -connect "127.0.0.1:$PORT" -servername "$host"
              -verify_hostname "$host" -CAfile ./rootCA.crt -verify_return_error
              -keylogfile ./client.keylog -ign_eof)
    local ok_re=$OK_RE13; [[ $MODE == tls12 ]] && ok_re=$OK_RE12
    local v=${MODE#tls1}               # 3, 2, 1, 0
    # what the comments say about who is in clear (TLS 1.3: the client's alerts
    # before its second flight; the server's alerts never)
    local t13enc='TLS 1.3: the server'"'"'s alert is encrypted (application_data record of 19+5 bytes)'
    local i15c="issue 15 Must 3: the side (server) and the step (right after the client's flight, the server's flight holding a CertificateRequest by its size) are known, the reason is not: the family code CLIENT_CERT_REJECTED (inferred), no longer ENCRYPTED_ALERT"
    local i15m="issue 15 Must 3: the client's flight holds a record of an empty Certificate's size (25 bytes) and the server refused it right after: CLIENT_CERT_MISSING (inferred), the most specific code the sizes support"
    case ${name#*-} in
    # ------------------------------------------------------------ seed rows
    mtls-ok|mtls-ok-any|mtls-ok-ipv6)
        CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" "${ident[@]}")
        EXPECT=ok ROW=$ROW_OK CLIENT_RE=$ok_re
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
        fi
        dg "{alert.0}: the server's plaintext fatal protocol_version answers the ClientHello ({ch}); no ServerHello" \
           '1 diag.0 PROTOCOL_VERSION_MISMATCH client_hello server certain' ;;
    no-shared-cipher)
        ROW=$ROW_CH CLIENT_RE='alert handshake failure' SERVER_RE='no shared cipher'
        if [[ $MODE == tls13 ]]; then   # the seed's command
            CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" "${ident[@]}"
                    --tls13-ciphers TLS_AES_256_GCM_SHA384)
        else
            CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" "${ident[@]}"
                    --ciphers ECDHE-RSA-AES256-GCM-SHA384)
        fi
        dg "{alert.0}: the server's plaintext fatal handshake_failure answers the ClientHello ({ch}); no ServerHello" \
           '1 diag.0 NO_SHARED_CIPHER client_hello server certain' ;;
    server-untrusted)   # no --cacert: curl uses the system trust store
        CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${ident[@]}")
        ROW=$ROW_CA CLIENT_RE='self-signed certificate in certificate chain'
        dg "{alert.0}: the client's fatal unknown_ca (plaintext, also in TLS 1.3) right after the server's flight with its Certificate; rootCA is in no system trust store" \
           '1 diag.0 SERVER_CERT_UNTRUSTED server_certificate client certain' ;;
    hostname-mismatch)  # IP literal in the URL: the name checked is 127.0.0.1
        CLIENT=("${curl[@]}" "https://127.0.0.1:$PORT" "${trust[@]}" "${ident[@]}")
        ROW=$ROW_SN CLIENT_RE="no alternative certificate subject name matches target host name '127\\.0\\.0\\.1'"
        if [[ $MODE == tls13 ]]; then
            dg "without keys: right after its second flight the client sends one 19-byte encrypted record ({last.client}: its close_notify) and FIN ({fin.client}), no application data; the certificate and the alert cannot be read; issue 15 Must 1 and 3: curl offered ALPN (h2, http/1.1) and left at once (no request) after a complete handshake: a refusal by the client whose reason needs the certificate: SERVER_CERT_REJECTED (inferred), no longer ENCRYPTED_ALERT; s_client </dev/null, offering no ALPN, would be CLOSED_WITHOUT_DATA" \
               '1 diag.0 SERVER_CERT_REJECTED after_handshake client inferred'
            dgd "{dalert.0}: the client's close_notify right after a complete handshake, no request; no SNI (connected by IP) and the server certificate has only DNS:tls-server.local" \
                '1 diag.0 HOSTNAME_MISMATCH after_handshake client inferred'
        else
            dg "handshake complete (both Finished), then the client's encrypted alert {alert.0} (a close_notify, says the key log) and FIN ({fin.client}) with no application data; no SNI (connected by IP) and the server certificate has only DNS:tls-server.local" \
               '1 diag.0 HOSTNAME_MISMATCH after_handshake client inferred'
        fi ;;
    client-aborts)
        # openssl s_client's "-xcert" client certificate is chosen when the
        # server asks for one; with -xchain_build the client builds (and so
        # verifies) its own chain from its trust store, which holds only the
        # server's root: it cannot, and aborts the handshake itself.
        CLIENT=("${sc[@]}" -xcert ./client.crt -xkey ./client.key -xchain_build)
        STDIN=$HTTP_GET ROW=$ROW_AB
        CLIENT_RE='callback failed' SERVER_RE='alert internal error'
        if [[ $MODE == tls13 ]]; then
            dg "without keys the CertificateRequest is not visible: {alert.0} is the client's plaintext fatal internal_error right after the server's encrypted flight, before any record of its own" \
               '1 diag.0 FATAL_ALERT server_certificate client certain'
            dgd "{dalert.0}: the client's fatal internal_error after the server's CertificateRequest, without sending a Certificate" \
                '1 diag.0 CLIENT_ABORTED_AFTER_CERT_REQUEST client_certificate client certain'
        else
            dg "{alert.0}: the client's fatal internal_error after the server's CertificateRequest ({cr}), without sending a Certificate" \
               '1 diag.0 CLIENT_ABORTED_AFTER_CERT_REQUEST client_certificate client certain'
        fi ;;
    client-cert-missing)
        CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}")
        ROW=$ROW_NC SERVER_RE='peer did not return a certificate'
        if [[ $MODE == tls13 ]]; then
            CLIENT_RE='alert certificate required'
            dg "without keys: {dalert.0} is a 19-byte encrypted record from the server right after the client's second flight, then FINs; $t13enc; $i15m" \
               '1 diag.0 CLIENT_CERT_MISSING client_certificate server inferred'
            dgd "{dalert.0}: the server's fatal certificate_required after the client's empty Certificate" \
                '1 diag.0 CLIENT_CERT_MISSING client_certificate server certain'
        else
            CLIENT_RE='alert handshake failure'
            dg "{alert.0}: the server's plaintext fatal handshake_failure after the client's empty Certificate ({cert.client})" \
               '1 diag.0 CLIENT_CERT_MISSING client_certificate server certain'
        fi ;;
    client-cert-untrusted)
        CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}"
                --key ./rogueClient.key --cert ./rogueClient.crt)
        ROW=$ROW_UC CLIENT_RE='alert unknown ca' SERVER_RE='certificate verify failed'
        local why="the server's fatal unknown_ca after the client's Certificate (rogueClient.crt, issued by rogueClientCA)"
        local na="rogueClient.crt's issuer O=Rogue Corp,CN=rogueClientCA is not the acceptable CA O=LMT Corp,CN=clientCA"
        if [[ $MODE == tls13 ]]; then
            dg "without keys: {dalert.0} is a 19-byte encrypted record from the server right after the client's second flight, then the server closes ({close.server}); $t13enc; $i15c" \
               '1 diag.0 CLIENT_CERT_REJECTED client_certificate server inferred'
            dgd "{dalert.0}: $why" '1 diag.0 CLIENT_CERT_UNTRUSTED client_certificate server certain'
            dgd "warning: $na" '1 diag.1 CLIENT_CERT_ISSUER_NOT_LISTED'
        else
            dg "{alert.0}: $why" '1 diag.0 CLIENT_CERT_UNTRUSTED client_certificate server certain'
            dg "warning: $na" '1 diag.1 CLIENT_CERT_ISSUER_NOT_LISTED'
        fi ;;
    # ------------------------------------------------------- certificate dates
    server-cert-expired|server-cert-not-yet-valid)
        SRV_CHAIN=plain                 # -build_chain refuses an invalid leaf at start-up
        CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" "${ident[@]}")
        if [[ $name == *expired ]]; then
            SRV_CERT=serverExpired.crt CLIENT_RE='certificate has expired'
            dg "{alert.0}: the client's fatal certificate_expired (plaintext, also in TLS 1.3) after the server's Certificate; serverExpired.crt's notAfter is 2026-01-01, before the capture" \
               '1 diag.0 SERVER_CERT_EXPIRED server_certificate client certain'
        else
            SRV_CERT=serverNotYetValid.crt CLIENT_RE='certificate is not yet valid'
            local nyv="serverNotYetValid.crt's notBefore is 2040-01-01, after the capture"
            if [[ $MODE == tls13 ]]; then
                dg "without keys the certificate is not visible: {alert.0} is the client's plaintext fatal bad_certificate (OpenSSL's alert for a not-yet-valid certificate) after the server's encrypted flight; issue 15 Must 3: bad_certificate is generic (OpenSSL's alert for a not-yet-valid certificate, as for a wrong name or an unknown root) and the chain is encrypted: the client refused the certificate, why is out of sight: SERVER_CERT_REJECTED (inferred), no longer SERVER_CERT_UNTRUSTED (trust was never the problem)" \
                   '1 diag.0 SERVER_CERT_REJECTED server_certificate client inferred'
                dgd "{dalert.0}: the client's fatal bad_certificate after the server's Certificate; $nyv" \
                    '1 diag.0 SERVER_CERT_NOT_YET_VALID server_certificate client certain'
            else
                dg "{alert.0}: the client's fatal bad_certificate (OpenSSL's alert for a not-yet-valid certificate) after the server's Certificate ({cert.server}); $nyv" \
                   '1 diag.0 SERVER_CERT_NOT_YET_VALID server_certificate client certain'
            fi
        fi ;;
    client-cert-expired|client-cert-not-yet-valid)
        local c=clientExpired.crt a=certificate_expired why="clientExpired.crt's notAfter is 2026-01-01, before the capture"
        local code=CLIENT_CERT_EXPIRED
        if [[ $name == *not-yet-valid ]]; then
            c=clientNotYetValid.crt a=bad_certificate code=CLIENT_CERT_NOT_YET_VALID
            why="clientNotYetValid.crt's notBefore is 2040-01-01, after the capture"
            CLIENT_RE='alert bad certificate' SERVER_RE='certificate is not yet valid'
        else
            CLIENT_RE='certificate expired' SERVER_RE='certificate has expired'
        fi
        CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" --key ./client.key --cert "./$c")
        if [[ $MODE == tls13 ]]; then
            dg "without keys: {dalert.0} is a 19-byte encrypted record from the server right after the client's second flight; $t13enc; $i15c" \
               '1 diag.0 CLIENT_CERT_REJECTED client_certificate server inferred'
            dgd "{dalert.0}: the server's fatal $a after the client's Certificate; $why" \
                "1 diag.0 $code client_certificate server"
        else
            dg "{alert.0}: the server's plaintext fatal $a after the client's Certificate ({cert.client}); $why" \
               "1 diag.0 $code client_certificate server"
        fi ;;
    cert-expiring-soon)
        SRV_CERT=serverExpiringSoon.crt EXPECT=ok CLIENT_RE=$ok_re
        CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" "${ident[@]}")
        local why="successful handshake; serverExpiringSoon.crt ends $SOON_DAYS days after its creation, i.e. under 30 days after the capture"
        if [[ $MODE == tls13 ]]; then
            DIAG='# no diagnosis without keys: the server Certificate is encrypted, the handshake succeeds'$'\n'
            dgd "$why" '1 diag.0 CERT_EXPIRING_SOON server_certificate nobody certain'
        else
            dg "$why (Certificate in {cert.server})" '1 diag.0 CERT_EXPIRING_SOON server_certificate nobody certain'
        fi ;;
    # --------------------------------------------------- certificate contents
    server-chain-incomplete)
        SRV_CHAIN=none                  # no -cert_chain / -build_chain: the leaf alone
        CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" "${ident[@]}")
        CLIENT_RE='unable to get local issuer certificate'
        local why="the server sends server.crt alone, whose issuer intermediateCA is neither sent nor in the client's store (rootCA.crt)"
        if [[ $MODE == tls13 ]]; then
            dg "without keys the Certificate is not visible: {alert.0} is the client's plaintext fatal unknown_ca after the server's encrypted flight" \
               '1 diag.0 SERVER_CERT_UNTRUSTED server_certificate client certain'
            dgd "{dalert.0}: the client's fatal unknown_ca; $why" \
                '1 diag.0 SERVER_CHAIN_INCOMPLETE server_certificate client certain'
        else
            dg "{alert.0}: the client's fatal unknown_ca; $why" \
               '1 diag.0 SERVER_CHAIN_INCOMPLETE server_certificate client certain'
        fi ;;
    server-cert-no-san)
        # curl, s_client -verify_hostname and gnutls-cli all fall back to the
        # CN when there is no subjectAltName: the handshake succeeds
        SRV_CERT=serverNoSan.crt EXPECT=ok CLIENT_RE=$ok_re
        CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" "${ident[@]}")
        local why="successful handshake (curl accepted the CN); serverNoSan.crt has no subjectAltName, only CN=tls-server.local"
        if [[ $MODE == tls13 ]]; then
            DIAG='# no diagnosis without keys: the server Certificate is encrypted, the handshake succeeds'$'\n'
            dgd "warning: $why" '1 diag.0 SERVER_CERT_NO_SAN server_certificate nobody certain'
        else
            dg "warning: $why (Certificate in {cert.server})" '1 diag.0 SERVER_CERT_NO_SAN server_certificate nobody certain'
        fi ;;
    server-cert-wrong-usage)
        SRV_CERT=serverWrongUsage.crt CLIENT_RE='unsuitable certificate purpose'
        CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" "${ident[@]}")
        dg "{alert.0}: the client's fatal unsupported_certificate (plaintext, also in TLS 1.3) after the server's Certificate; serverWrongUsage.crt's extendedKeyUsage is clientAuth only" \
           '1 diag.0 SERVER_CERT_WRONG_USAGE server_certificate client certain' ;;
    client-cert-wrong-usage)
        CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" --key ./client.key --cert ./clientWrongUsage.crt)
        CLIENT_RE='alert unsupported certificate' SERVER_RE='unsuitable certificate purpose'
        local why="clientWrongUsage.crt's extendedKeyUsage is serverAuth only"
        if [[ $MODE == tls13 ]]; then
            dg "without keys: {dalert.0} is a 19-byte encrypted record from the server right after the client's second flight; $t13enc; $i15c" \
               '1 diag.0 CLIENT_CERT_REJECTED client_certificate server inferred'
            dgd "{dalert.0}: the server's fatal unsupported_certificate after the client's Certificate; $why" \
                '1 diag.0 CLIENT_CERT_WRONG_USAGE client_certificate server certain'
        else
            dg "{alert.0}: the server's plaintext fatal unsupported_certificate after the client's Certificate ({cert.client}); $why" \
               '1 diag.0 CLIENT_CERT_WRONG_USAGE client_certificate server certain'
        fi ;;
    client-key-mismatch)
        # curl and s_client refuse a key that does not match the certificate
        # when they load it; gnutls-cli 3.7.9 does not check, and signs the
        # CertificateVerify with the wrong key
        CLIENT=(gnutls-cli 127.0.0.1 -p $PORT --sni-hostname "$host" --verify-hostname "$host"
                --x509cafile ./rootCA.crt --x509certfile ./client.crt --x509keyfile ./rogueClient.key)
        STDIN=$HTTP_GET CLIENT_RE='Received alert \[51\]: Decrypt error' SERVER_RE='bad signature'
        local why="the server's fatal decrypt_error after the client's CertificateVerify: client.crt sent, signed with rogueClient.key"
        if [[ $MODE == tls13 ]]; then
            dg "without keys: {dalert.0} is a 19-byte encrypted record from the server right after the client's second flight; $t13enc; $i15c" \
               '1 diag.0 CLIENT_CERT_REJECTED client_certificate server inferred'
            dgd "{dalert.0}: $why" '1 diag.0 CLIENT_KEY_MISMATCH client_certificate server certain'
        else
            dg "{alert.0}: $why (in {cert.client})" '1 diag.0 CLIENT_KEY_MISMATCH client_certificate server certain'
        fi ;;
    # ------------------------------------------------------- CA names, ALPN
    alpn-mismatch)
        SRV_EXTRA=(-alpn h2)
        CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" "${ident[@]}" --http1.1)
        CLIENT_RE='alert no application protocol'
        dg "{alert.0}: the server's plaintext fatal no_application_protocol answers the ClientHello ({ch}, ALPN http/1.1 only; the server speaks h2 only)" \
           '1 diag.0 ALPN_MISMATCH client_hello server certain' ;;
    empty-ca-list)
        SRV_EXTRA=(-no_ca_names) EXPECT=ok CLIENT_RE=$ok_re
        CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" "${ident[@]}")
        if [[ $MODE == tls13 ]]; then
            DIAG='# no diagnosis without keys: the CertificateRequest is encrypted, the handshake succeeds'$'\n'
            dgd "warning: the server's CertificateRequest has no certificate_authorities (s_server -no_ca_names); curl sent client.crt anyway, success" \
                '1 diag.0 EMPTY_CA_LIST client_certificate nobody certain'
        else
            dg "warning: the server's CertificateRequest ({cr}) lists no CA (s_server -no_ca_names); curl sent client.crt anyway, success" \
               '1 diag.0 EMPTY_CA_LIST client_certificate nobody certain'
        fi ;;
    empty-ca-list-no-cert)
        SRV_EXTRA=(-no_ca_names) SERVER_RE='peer did not return a certificate'
        CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}")
        if [[ $MODE == tls13 ]]; then
            CLIENT_RE='alert certificate required'
            dg "without keys: {dalert.0} is a 19-byte encrypted record from the server right after the client's second flight; $t13enc; $i15m" \
               '1 diag.0 CLIENT_CERT_MISSING client_certificate server inferred'
            dgd "{dalert.0}: the server's fatal certificate_required after the client's empty Certificate" \
                '1 diag.0 CLIENT_CERT_MISSING client_certificate server certain'
            dgd "warning: the CertificateRequest has no certificate_authorities (s_server -no_ca_names)" \
                '1 diag.1 EMPTY_CA_LIST'
        else
            CLIENT_RE='alert handshake failure'
            dg "{alert.0}: the server's plaintext fatal handshake_failure after the client's empty Certificate ({cert.client})" \
               '1 diag.0 CLIENT_CERT_MISSING client_certificate server certain'
            dg "warning: the CertificateRequest ({cr}) lists no CA (s_server -no_ca_names)" \
               '1 diag.1 EMPTY_CA_LIST'
        fi ;;
    client-cert-not-acceptable)
        # -CAfile clientCA.crt: the CA list sent; -verifyCAfile: the store the
        # client's chain is verified against, which trusts rogueClientCA too
        SRV_EXTRA=(-verifyCAfile clientCAs.pem) EXPECT=ok CLIENT_RE=$ok_re
        CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" --key ./rogueClient.key --cert ./rogueClient.crt)
        local why="success, but rogueClient.crt's issuer O=Rogue Corp,CN=rogueClientCA is not on the acceptable list (O=LMT Corp,CN=clientCA); the server trusts it through -verifyCAfile clientCAs.pem"
        if [[ $MODE == tls13 ]]; then
            DIAG='# no diagnosis without keys: the CertificateRequest and the client Certificate are encrypted, the handshake succeeds'$'\n'
            dgd "warning: $why" '1 diag.0 CLIENT_CERT_ISSUER_NOT_LISTED client_certificate nobody certain'
        else
            dg "warning: $why (Certificate in {cert.client})" '1 diag.0 CLIENT_CERT_ISSUER_NOT_LISTED client_certificate nobody certain'
        fi ;;
    unrecognized-name)
        # s_server's second context (-servername/-cert2) makes it check the SNI;
        # -build_chain is left out: it fails on the second context
        SRV_CHAIN=plain
        SRV_EXTRA=(-servername "$host" -cert2 server.crt -key2 server.key -servername_fatal)
        CLIENT=("${curl[@]}" "https://other.local:$PORT" --resolve "other.local:$PORT:127.0.0.1"
                "${trust[@]}" "${ident[@]}")
        CLIENT_RE='unrecognized name' SERVER_RE='Hostname in TLS extension: "other.local"'
        dg "{alert.0}: the server's plaintext fatal unrecognized_name answers the ClientHello ({ch}, SNI other.local); issue 3 has no code of its own for it" \
           '1 diag.0 FATAL_ALERT client_hello server certain' ;;
    # ------------------------------------------------- info: HRR, resumption
    hello-retry)
        SRV_EXTRA=(-groups P-256) EXPECT=ok CLIENT_RE=$ok_re
        CHECK_Y="tls.handshake.random == $HRR_RANDOM"
        CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" "${ident[@]}")
        dg "info: the server answers the ClientHello (key share x25519 only) with a HelloRetryRequest ({hrr}, group P-256), the client sends a second ClientHello; success" \
           '1 diag.0 HELLO_RETRY server_hello nobody certain' ;;
    resumed)
        # two connections: a full handshake that saves the session, then a
        # resumption (TLS 1.2: session ticket; TLS 1.3: PSK)
        NACCEPT=2 NCONN=2 EXPECT=ok
        local s1 s2
        s1="printf 'GET / HTTP/1.0\\r\\n\\r\\n' | $(quote "${sc[@]}" -cert ./client.crt -key ./client.key) -sess_out ./session.pem"
        s2="printf 'GET / HTTP/1.0\\r\\n\\r\\n' | $(quote "${sc[@]}" -cert ./client.crt -key ./client.key) -sess_in ./session.pem"
        CLIENT=(bash -c "$s1 && $s2")
        if [[ $MODE == tls13 ]]; then CLIENT_RE='New, TLSv1\.3.*Reused, TLSv1\.3'
        else CLIENT_RE='New, TLSv1\.2.*Reused, TLSv1\.2'; fi
        SERVER_RE='1 session cache hits'
        if [[ $MODE == tls13 ]]; then
            CHECK_Y='tls.handshake.type == 2 && tls.handshake.extensions.psk.identity.selected == 0'
            dg "info: connection 2's ServerHello ({sh}) selects the PSK (pre_shared_key extension): resumption, no certificates" \
               '2 diag.0 RESUMED server_hello nobody certain'
        else
            CHECK_Y='tcp.stream == 1 && tls.handshake.type == 2 && !(tls.handshake.type == 11)'
            dg "info: connection 2's ServerHello ({sh}) echoes the session id and is followed by ChangeCipherSpec, no Certificate: abbreviated handshake" \
               '2 diag.0 RESUMED server_hello nobody certain'
        fi ;;
    deprecated)   # TLS 1.0 / 1.1: openssl 3 needs security level 0 on both sides
        SRV_SECLEVEL=0 EXPECT=ok
        local vv=1.$v
        CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" "${ident[@]}"
                "--tlsv$vv" --tls-max "$vv" --ciphers 'DEFAULT:@SECLEVEL=0')
        if ((v)); then CLIENT_RE="SSL connection using TLSv1\\.$v /"; else CLIENT_RE='SSL connection using TLSv1 /'; fi
        CLIENT_RE+=' ECDHE-RSA-AES128-SHA.*HTTP/1\.0 200 ok'
        dg "warning: the ServerHello ({sh}) negotiates TLS 1.$v; success" \
           '1 diag.0 DEPRECATED_VERSION server_hello nobody certain' ;;
    version-rejected)   # a TLS 1.0-only client against the seed's TLS 1.2 server
        SRV_MODE=tls12 ROW=$ROW_CH
        CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" "${ident[@]}"
                --tlsv1.0 --tls-max 1.0 --ciphers 'DEFAULT:@SECLEVEL=0')
        CLIENT_RE='alert protocol version' SERVER_RE='unsupported protocol'
        dg "{alert.0}: the server's plaintext fatal protocol_version answers the ClientHello ({ch}, TLS 1.0 at most)" \
           '1 diag.0 PROTOCOL_VERSION_MISMATCH client_hello server certain'
        dg "the client offered TLS 1.0 only" '1 diag.1 DEPRECATED_VERSION' ;;
    # ------------------------------------------------- weak key, weak signature
    weak-key|weak-key-accepted|weak-signature|weak-signature-accepted)
        local what code
        case $name in
        *weak-key*) SRV_CERT=serverWeak.crt SRV_KEY=serverWeak.key SRV_SECLEVEL=1 code=WEAK_KEY
                    what="serverWeak.crt has an RSA 1024-bit key" ;;
        *)          SRV_CERT=serverSha1.crt SRV_SECLEVEL=0 code=WEAK_SIGNATURE
                    what="serverSha1.crt is signed with sha1WithRSAEncryption by intermediateCA" ;;
        esac
        # (s_server refuses to load these certificates at its default level 2)
        if [[ $name == *-accepted ]]; then
            EXPECT=ok CLIENT_RE=$ok_re
            CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" "${ident[@]}"
                    --ciphers "DEFAULT:@SECLEVEL=$SRV_SECLEVEL")
            if [[ $MODE == tls13 ]]; then
                DIAG='# no diagnosis without keys: the server Certificate is encrypted, the handshake succeeds'$'\n'
                dgd "warning: $what; the client (security level $SRV_SECLEVEL) accepted it" \
                    "1 diag.0 $code server_certificate nobody"
            else
                dg "warning: $what (Certificate in {cert.server}); the client (security level $SRV_SECLEVEL) accepted it" \
                   "1 diag.0 $code server_certificate nobody"
            fi
        else
            CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" "${ident[@]}")
            if [[ $code == WEAK_KEY ]]; then CLIENT_RE='EE certificate key too weak'
            else CLIENT_RE='CA signature digest algorithm too weak'
                 # TLS 1.2 -strict: the server itself would refuse to use a
                 # SHA-1 signed chain with a client that offers no SHA-1
                 # signature algorithm (handshake_failure after the ClientHello)
                 [[ $MODE == tls12 ]] && SRV_STRICT=0
            fi
            local why="the client's fatal bad_certificate (plaintext, also in TLS 1.3) after the server's Certificate, which the client's default security level (2) refuses"
            # issue 15: with the certificate visible, the generic
            # bad_certificate is explained by the certificate itself (a key
            # or signature the client refuses: SERVER_CERT_NOT_ACCEPTABLE),
            # not taken for distrust (the client trusts rootCA: --cacert)
            if [[ $MODE == tls13 ]]; then
                local weak="a key below its security level"
                [[ $code == WEAK_KEY ]] || weak="a CA signature digest below its security level"
                dg "without keys the Certificate is not visible: {alert.0} is $why; issue 15 Must 3: bad_certificate is generic (OpenSSL's alert for $weak, as for a wrong name or an unknown root) and the chain is encrypted: the client refused the certificate, why is out of sight: SERVER_CERT_REJECTED (inferred), no longer SERVER_CERT_UNTRUSTED (trust was never the problem)" \
                   '1 diag.0 SERVER_CERT_REJECTED server_certificate client inferred'
            else
                dg "{alert.0}: $why; $what (Certificate in {cert.server}), the only fault of a chain the client trusts" \
                   '1 diag.0 SERVER_CERT_NOT_ACCEPTABLE server_certificate client certain'
                dg "$what (Certificate in {cert.server}): the weakness itself" "1 diag.1 $code"
            fi
            if [[ $MODE == tls13 ]]; then
                dgd "{dalert.0}: $why; $what, the only fault of a chain the client trusts" \
                    '1 diag.0 SERVER_CERT_NOT_ACCEPTABLE server_certificate client certain'
                dgd "$what: the weakness itself" "1 diag.1 $code"
            fi
        fi ;;
    # ------------------------------------------------- aborted handshakes
    handshake-aborted)
        # s_server checks the client certificate's CRL (-crl_check) and
        # downloads it from its distribution point (-crl_download; it needs a
        # -verifyCAfile store): 127.0.0.1:8444, a listener that never answers,
        # so the server hangs in the middle of the handshake.
        HELPER=crl-listener SRV_EXTRA=(-verifyCAfile clientCA.crt -crl_check -crl_download)
        if [[ $MODE == tls12 ]]; then
            # the client gives up: curl's --max-time 3, waiting for the
            # server's ChangeCipherSpec/Finished; no alert (SSL_shutdown is a
            # no-op mid-handshake)
            CLIENT=(curl -v --no-progress-meter -o /dev/null --max-time 3 "$url" "${resolve[@]}"
                    "${trust[@]}" --key ./client.key --cert ./clientCrlDp.crt)
            CLIENT_RE='Connection timed out after'
            dg "the client sent its whole second flight (Certificate..Finished, {cert.client}); the server never sent ChangeCipherSpec/Finished; 3 s later the client closes ({fin.client}) without any alert" \
               '1 diag.0 HANDSHAKE_ABORTED finished client inferred'
        else
            # TLS 1.3: the client's handshake is complete once it sent its
            # Finished, so the client side cannot abort mid-handshake here: the
            # server process dies instead (SIGKILL 1 s after the client started)
            KILL_AFTER=1
            CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" --key ./client.key --cert ./clientCrlDp.crt)
            CLIENT_RE='SSL connection using TLSv1\.3.*(reset by peer|unexpected eof|SSL_read|Recv failure)'
            dg "the server (killed while checking the client certificate) closes ({close.server}) after the client's second flight without any alert, NewSessionTicket or response" \
               '1 diag.0 HANDSHAKE_ABORTED client_certificate server inferred'
        fi ;;
    # ------------------------------------------------- TCP level, not TLS
    refused)          # tcp-refused: nothing listens on the port
        SRV_KIND=none CLIENT_RE="Couldn't connect to server"
        CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" "${ident[@]}")
        CHECK_Y='tcp.flags.reset == 1'
        dg "the SYN ({syn}) is answered by RST ({rst.server}): nothing listens on 127.0.0.1:$PORT" \
           '1 diag.0 TCP_CONNECTION_REFUSED tcp server certain' ;;
    refused-other-port)  # nothing listens on 9000, not a TLS port; the
        # capture holds no TLS at all, so the refused SYN is still a TLS attempt
        SRV_KIND=none CLIENT_RE="Couldn't connect to server"
        CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" "${ident[@]}")
        CHECK_Y='tcp.flags.reset == 1'
        dg "the SYN ({syn}) to port 9000 is answered by RST ({rst.server}); no TLS anywhere in the capture, so this flow is the TLS attempt" \
           '1 diag.0 TCP_CONNECTION_REFUSED tcp server certain' ;;
    no-answer)        # tcp-no-answer: SYNs dropped (full accept queue, see PY_BACKLOG)
        SRV_KIND=backlog FILTER="tcp port $PORT and not tcp port 40000"
        CLIENT=(curl -v --no-progress-meter -o /dev/null --connect-timeout 3 "$url" "${resolve[@]}"
                "${trust[@]}" "${ident[@]}")
        CLIENT_RE='Timeout was reached'
        dg "the SYN ({syn}) and its retransmissions are never answered; the client stops trying after 3 s (curl --connect-timeout 3)" \
           '1 diag.0 TCP_NO_ANSWER tcp client certain' ;;
    silent)           # server-silent: accepts, never answers
        SRV_KIND=silent MODE=none
        CLIENT=(curl -v --no-progress-meter -o /dev/null --max-time 3 "$url" "${resolve[@]}"
                "${trust[@]}" "${ident[@]}")
        CLIENT_RE='timed out after'
        dg "the ClientHello ({ch}) is never answered (only ACKed); the client closes 3 s later ({fin.client}, curl --max-time 3)" \
           '1 diag.0 SERVER_SILENT client_hello client certain' ;;
    tls)              # not-tls: an HTTP server behind an https:// URL
        SRV_KIND=http
        CLIENT=("${curl[@]}" "$url" "${resolve[@]}" "${trust[@]}" "${ident[@]}")
        CLIENT_RE='wrong version number'
        # who closes first is a race (python's FIN right after its answer,
        # curl's RST as soon as it read it); the client is the side that gives
        # up on the non-TLS answer, in every run
        dg "the ClientHello ({ch}) is answered with bytes that are not TLS ({data.server}): an HTML page '<!DOCTYPE HTML>...Error code: 400...Bad request version' (python3 -m http.server, HTTP/0.9 style: no status line); the client gives up on them and closes ({close.client}); python's FIN may come before it or not at all (a race)" \
           '1 diag.0 NOT_TLS client_hello client certain' ;;
    to-tls-port)      # plaintext-to-tls-port: http:// to the TLS server
        SRV_MODE=tls13
        CLIENT=("${curl[@]}" "http://$host:$PORT" "${resolve[@]}")
        CLIENT_RE='Empty reply from server' SERVER_RE='http request'
        dg "the client sends 'GET / HTTP/1.1' in clear ({data.client}) instead of a ClientHello; the TLS server closes ({close.server}) without a byte" \
           '1 diag.0 PLAINTEXT_TO_TLS_PORT client_hello server certain' ;;
    # ------------------------------------------------- weak suites (issue 15)
    null-cipher-refused)   # a client offering only a NULL suite, the seed's TLS 1.2 server
        CLIENT=("${sc[@]}" -cert ./client.crt -key ./client.key -tls1_2
                -cipher 'NULL-SHA256:@SECLEVEL=0')
        STDIN=$HTTP_GET CLIENT_RE='alert handshake failure' SERVER_RE='no shared cipher'
        dg "{alert.0}: the server's plaintext fatal handshake_failure answers the ClientHello ({ch}), whose only suite is TLS_RSA_WITH_NULL_SHA256 (no encryption; s_client -cipher NULL-SHA256:@SECLEVEL=0)" \
           '1 diag.0 NO_SHARED_CIPHER client_hello server certain'
        dg "warning: the client offers only a NULL suite (the fix must not tell the server to enable it)" \
           '1 diag.1 WEAK_CIPHER' ;;
    null-cipher|anon-cipher)   # a weak suite negotiated: OpenSSL 3 still has them at @SECLEVEL=0
        # (an ECDHE suite: with RSA key exchange, NULL-SHA256, OpenSSL logs
        # an "RSA" key log line instead of CLIENT_RANDOM)
        local suite=ECDHE-RSA-NULL-SHA iana=TLS_ECDHE_RSA_WITH_NULL_SHA what='no encryption'
        if [[ $name == *anon-cipher ]]; then
            # anonymous: no server certificate; s_server would still send a
            # CertificateRequest with -Verify (the client then answers
            # unexpected_message), so no client certificate is asked for
            suite=ADH-AES128-GCM-SHA256 iana=TLS_DH_anon_WITH_AES_128_GCM_SHA256
            what='no authentication: no server certificate' SRV_VERIFY=0
            CLIENT=("${sc[@]}" -tls1_2 -cipher "$suite:@SECLEVEL=0")
        else
            CLIENT=("${sc[@]}" -cert ./client.crt -key ./client.key -tls1_2 -cipher "$suite:@SECLEVEL=0")
        fi
        SRV_CIPHER="$suite:@SECLEVEL=0" STDIN=$HTTP_GET EXPECT=ok
        CLIENT_RE="Cipher is $suite.*HTTP/1\\.0 200 ok"
        dg "warning: the ServerHello ({sh}) chooses $iana ($what); both sides allow it at OpenSSL security level 0; success" \
           '1 diag.0 WEAK_CIPHER server_hello nobody certain' ;;
    internal-error)   # a TLS 1.0-only client; the server allows TLS 1.0 by its
        # protocol range but, at OpenSSL's default security level 2, has no
        # signature algorithm TLS 1.0 can use (MD5-SHA1 / SHA-1): it answers
        # internal_error, not protocol_version (nginx 1.22's default
        # ssl_protocols, TLSv1 to TLSv1.3, does the same)
        SRV_PROTO=(-min_protocol TLSv1 -max_protocol TLSv1.2) ROW=$ROW_CH
        CLIENT=("${sc[@]}" -cert ./client.crt -key ./client.key -tls1 -cipher 'DEFAULT:@SECLEVEL=0')
        STDIN=$HTTP_GET CLIENT_RE='alert internal error' SERVER_RE='no suitable signature algorithm'
        dg "{alert.0}: the server's plaintext fatal internal_error answers the ClientHello ({ch}, TLS 1.0 at most), no ServerHello; OpenSSL's reason (server log): no suitable signature algorithm for TLS 1.0 at its security level; inferred as a version mismatch" \
           '1 diag.0 PROTOCOL_VERSION_MISMATCH client_hello server inferred'
        dg "the client offered TLS 1.0 only" '1 diag.1 DEPRECATED_VERSION' ;;
    client-weak-key)   # a 1024-bit client key; the server at OpenSSL's default level 2
        # (the client needs level 1 to even load it: "ee key too small")
        CLIENT=("${sc[@]}" -cert ./clientWeak.crt -key ./clientWeak.key -cipher 'DEFAULT:@SECLEVEL=1')
        STDIN=$HTTP_GET CLIENT_RE='alert bad certificate' SERVER_RE='EE certificate key too weak'
        local why="the server's fatal bad_certificate after the client's Certificate (clientWeak.crt, RSA 1024, issued by the accepted clientCA; server: EE certificate key too weak)"
        if [[ $MODE == tls13 ]]; then
            dg "without keys: {dalert.0} is a 19-byte encrypted record from the server right after the client's second flight; $t13enc; $i15c" \
               '1 diag.0 CLIENT_CERT_REJECTED client_certificate server inferred'
            dgd "{dalert.0}: $why" '1 diag.0 CLIENT_CERT_NOT_ACCEPTABLE client_certificate server certain'
            dgd "clientWeak.crt has an RSA 1024-bit key" '1 diag.1 WEAK_KEY'
        else
            dg "{alert.0}: $why, in {cert.client}" '1 diag.0 CLIENT_CERT_NOT_ACCEPTABLE client_certificate server certain'
            dg "clientWeak.crt has an RSA 1024-bit key" '1 diag.1 WEAK_KEY'
        fi ;;
    *) die "unknown scenario: $name" ;;
    esac
    if [[ $MODE == tls1[0-3] && -z $DIAG_DEC ]]; then DIAG_DEC=$DIAG; fi
    return 0
}

server_cmd() {   # the seed's server (+ -keylogfile, -naccept 1, loopback address)
    local m=$SRV_MODE strict=(-strict) sl=
    ((SRV_STRICT)) || strict=()
    [[ -n $SRV_SECLEVEL ]] && sl=":@SECLEVEL=$SRV_SECLEVEL"
    SERVER=(openssl s_server -key "$SRV_KEY" -cert "$SRV_CERT" -accept "$ADDR:$PORT" -www)
    case $SRV_CHAIN in
    build) SERVER+=(-cert_chain chain.crt -build_chain) ;;
    plain) SERVER+=(-cert_chain chain.crt) ;;     # sent as is, not checked
    none)  ;;
    esac
    ((SRV_VERIFY)) && SERVER+=(-CAfile clientCA.crt -Verify 10 -verify_return_error)
    if ((${#SRV_PROTO[@]})); then SERVER+=("${SRV_PROTO[@]}"); m=custom; fi
    case $m in
    tls13)
        SERVER+=(-tls1_3 "${strict[@]}" -ciphersuites TLS_CHACHA20_POLY1305_SHA256)
        [[ -n $sl ]] && SERVER+=(-cipher "DEFAULT$sl") ;;
    tls12)
        # -serverpref: the server's order wins, so TLS 1.2 captures use
        # AES-128-GCM (the TLS 1.3 ones use CHACHA20-POLY1305)
        SERVER+=(-tls1_2 "${strict[@]}"
                 -cipher "${SRV_CIPHER:-ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305$sl}"
                 -serverpref) ;;
    tls11) SERVER+=(-tls1_1 "${strict[@]}" -cipher "ECDHE-RSA-AES128-SHA$sl") ;;
    tls10) SERVER+=(-tls1 "${strict[@]}" -cipher "ECDHE-RSA-AES128-SHA$sl") ;;
    esac
    SERVER+=("${SRV_EXTRA[@]}" -keylogfile server.keylog -naccept "$NACCEPT")
    case $SRV_KIND in
    s_server) ;;
    none)    SERVER=() ;;
    silent)  SERVER=(python3 -c "$PY_SILENT" 127.0.0.1 "$PORT") ;;
    backlog) SERVER=(python3 -c "$PY_BACKLOG" 127.0.0.1 "$PORT") ;;
    http)    SERVER=(python3 -m http.server "$PORT" --bind 127.0.0.1 --directory ./www) ;;
    esac
}

# ---------------------------------------------------------------------------
# capture
# ---------------------------------------------------------------------------
SRV_PID= TD_PID= HLP_PID= WORK=
cleanup() {
    stop_pid "$SRV_PID" TERM; SRV_PID=
    stop_pid "$HLP_PID" TERM; HLP_PID=
    stop_pid "$TD_PID" INT; TD_PID=
    [[ -n $WORK && -d $WORK ]] && rm -rf "$WORK"
    WORK=
}
trap cleanup EXIT
trap 'exit 130' INT TERM

server_gone() { ! kill -0 "$SRV_PID" 2>/dev/null; }
port_listening() { tcp_listening "${1:-$PORT}"; }


has_secrets() { [[ -f $1 ]] && grep -Eq '^[A-Z0-9_]+ [0-9a-fA-F]+ [0-9a-fA-F]+' "$1"; }

capture_one() {
    local name=$1 rc=0 out linktype shown cpid
    define "$name"; server_cmd
    log "capture: $name"
    port_listening && die "port $PORT is already in use"
    if [[ $SRV_CERT == serverExpiringSoon.crt ]]; then
        soon_ok || die "$name: lab/serverExpiringSoon.crt no longer ends within 1..30 days: run the certs step"
    fi
    WORK=$(mktemp -d /tmp/tlsdiag-capture.XXXXXX)
    cp "$LAB"/*.crt "$LAB"/*.key "$LAB"/*.pem "$WORK"/
    mkdir "$WORK/www"

    # 0. helper: the CRL distribution point that never answers
    if [[ $HELPER == crl-listener ]]; then
        port_listening 8444 && die "port 8444 is already in use"
        python3 -c "$PY_SILENT" 127.0.0.1 8444 >"$WORK/helper.out" 2>&1 </dev/null &
        HLP_PID=$!
        wait_for 100 port_listening 8444 || die "$name: the CRL listener did not start"
    fi

    # 1. server
    if ((${#SERVER[@]})); then
        ( cd "$WORK" && exec "${SERVER[@]}" ) >"$WORK/server.out" 2>&1 </dev/null &
        SRV_PID=$!
        if [[ $SRV_KIND == backlog ]]; then
            wait_for 100 grep -qs 'accept queue full' "$WORK/server.out" \
                || { cat "$WORK/server.out" >&2; die "$name: the listener did not start"; }
        else
            wait_for 100 port_listening || { cat "$WORK/server.out" >&2; die "$name: the server did not start"; }
        fi
    else
        : >"$WORK/server.out"
    fi

    # 2. tcpdump (on "any", ask for Linux cooked v2 explicitly; Debian 12's tcpdump
    #    4.99.3 picks it by default too, older ones pick v1)
    linktype=()
    [[ $IFACE == any ]] && linktype=(-y LINUX_SLL2)
    tcpdump -i "$IFACE" "${linktype[@]}" -U -n -s 0 -w "$WORK/$name.pcap" "$FILTER" \
        2>"$WORK/tcpdump.err" </dev/null &
    TD_PID=$!
    wait_for 100 grep -qs 'listening on' "$WORK/tcpdump.err" \
        || { cat "$WORK/tcpdump.err" >&2; die "$name: tcpdump did not start"; }
    sleep 0.2

    # 3. client (and, for KILL_AFTER, the server's sudden death meanwhile)
    ( cd "$WORK" && SSLKEYLOGFILE=./client.keylog exec timeout 30 "${CLIENT[@]}" ) \
        < <(printf '%s' "$STDIN") >"$WORK/client.out" 2>&1 &
    cpid=$!
    if [[ -n $KILL_AFTER ]]; then
        sleep "$KILL_AFTER"
        kill -KILL "$SRV_PID" 2>/dev/null || die "$name: the server was gone before SIGKILL"
        { wait "$SRV_PID"; } 2>/dev/null || true
        printf '[%s sent SIGKILL to s_server %s s after the client started]\n' \
            "make-captures.sh" "$KILL_AFTER" >>"$WORK/server.out"
    fi
    wait "$cpid" || rc=$?

    # 4. let FIN/RST through, stop the server (s_server exits by itself:
    #    -naccept), stop tcpdump
    sleep 0.5
    if [[ $SRV_KIND == s_server && -z $KILL_AFTER && -z $HELPER ]]; then wait_for 30 server_gone || true; fi
    stop_pid "$SRV_PID" TERM; SRV_PID=
    stop_pid "$HLP_PID" TERM; HLP_PID=
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
        [[ $HELPER == crl-listener ]] &&
            printf '$ python3 -c %q 127.0.0.1 8444 &   # the CRL distribution point: accepts, never answers\n' "$PY_SILENT"
        case $SRV_KIND in
        none) printf '(no server: nothing listens on 127.0.0.1:%s)\n' "$PORT" ;;
        http) printf '$ cd captures/lab && mkdir www && %s   # www/ is empty\n' "$(quote "${SERVER[@]}")" ;;
        *)    printf '$ cd captures/lab && %s\n' "$(quote "${SERVER[@]}")" ;;
        esac
        [[ $FILTER != "tcp port $PORT" ]] && printf '[capture filter: %s]\n' "$FILTER"
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
    if [[ -n $CHECK_Y ]]; then
        [[ -n $(tshark -r "$OUT/$name.pcap" -Y "$CHECK_Y" 2>/dev/null) ]] \
            || die "$name: nothing in the capture matches '$CHECK_Y'"
    fi
    if [[ $SRV_KIND != none && $SRV_KIND != backlog && $name != plaintext-to-tls-port ]] &&
        [[ -z $(tshark -r "$OUT/$name.pcap" -Y 'tls.handshake.type == 1' 2>/dev/null) ]]; then
        log "capture: $name: tshark does not see the ClientHello as TLS (client port $(
            tshark -r "$OUT/$name.pcap" -c 1 -T fields -e tcp.srcport 2>/dev/null) is another protocol's?)"
        rm -rf "$WORK"; WORK=
        RETRY=1
        return 0
    fi
    local streams
    if [[ $IFACE == any ]]; then
        capinfos -E "$OUT/$name.pcap" | grep -q 'Linux cooked-mode capture v2' \
            || die "$name: not a Linux cooked v2 (SLL2) capture"
    fi
    streams=$(tshark -r "$OUT/$name.pcap" -T fields -e tcp.stream 2>/dev/null | sort -u | wc -l)
    ((streams == NCONN)) || die "$name: $streams TCP connections, expected $NCONN"
    log "capture: $name: client status $rc, $(tshark -r "$OUT/$name.pcap" 2>/dev/null | wc -l) packets"
    rm -rf "$WORK"; WORK=
}

step_capture() {
    [[ $(id -u) == 0 ]] || die "capture needs root (tcpdump)"
    certs_present || die "no lab PKI in $LAB: run the certs step first"
    local f
    for f in "${EXTRA_FILES[@]}"; do [[ -s $LAB/$f ]] || die "no lab/$f: run the certs step first"; done
    local n try
    for n in "$@"; do
        for try in 1 2 3; do
            RETRY=0
            capture_one "$n"
            ((RETRY)) || break
            ((try < 3)) || die "$n: tshark never saw the ClientHello"
            log "capture: $n: again"
        done
    done
}
# ---------------------------------------------------------------------------
# facts
# ---------------------------------------------------------------------------
facts_one() {
    local n=$1
    define "$n"
    log "facts: $n"
    local dec=()
    [[ $MODE == tls1[0-3] && -s $OUT/$n.keylog ]] &&
        dec=(--decrypted "$OUT/expected/$n.decrypted.facts" --diag-decrypted "$DIAG_DEC")
    python3 "$HERE/extract-facts.py" --lab "$LAB" --row "$ROW" --port "$PORT" \
        --pcap "$OUT/$n.pcap" --keylog "$OUT/$n.keylog" \
        --client-txt "$OUT/$n.client.txt" \
        --facts "$OUT/expected/$n.facts" --diag "$DIAG" "${dec[@]}"
}

# run_jobs FUNCTION NAME...: FUNCTION NAME for each NAME, $JOBS at a time
# (tshark's start-up dominates the facts and verify steps); fails if any did.
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
run_jobs() {
    local fn=$1 n fail; shift
    fail=$(mktemp /tmp/tlsdiag-jobs.XXXXXX)
    for n in "$@"; do
        while (($(jobs -rp | wc -l) >= JOBS)); do wait -n || true; done
        ( "$fn" "$n" || echo "$n" >>"$fail" ) &
    done
    wait
    if [[ -s $fail ]]; then log "failed: $(tr '\n' ' ' <"$fail")"; rm -f "$fail"; return 1; fi
    rm -f "$fail"
}

step_facts() {
    mkdir -p "$OUT/expected"
    run_jobs facts_one "$@" || die "facts: some scenarios failed"
}

# ---------------------------------------------------------------------------
# verify: re-derive the facts another way (tshark -T fields / -V text,
# sha256sum, openssl x509 on captures/lab/*.crt) and compare with expected/.
# ---------------------------------------------------------------------------
facts_of() {     # facts_of FILE CONN PATTERN: "key value" lines of conn CONN matching PATTERN
    awk -v c="$2" -v re="$3" '$1 == c && $2 ~ re { $1 = ""; print substr($0, 2) }' "$1"
}

tshark_facts() { # tshark_facts PCAP KEYLOG: "STREAM key value" for every TCP connection,
                 # the facts derived independently, plus "STREAM gave_up HOW SIDE"
    local p=$1 k=$2
    local ts=(tshark -r "$p" -o "tls.keylog_file:$k")
    # 1. tshark -T fields: endpoints, SNI, version, certificate bytes, closes
    "${ts[@]}" -T fields -E occurrence=a -E aggregator=';' -E separator='|' \
        -e tcp.stream -e ip.src -e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst -e tcp.dstport \
        -e tcp.flags.syn -e tcp.flags.ack -e tcp.flags.fin -e tcp.flags.reset -e tcp.len \
        -e tls.handshake.type -e tls.handshake.extensions_server_name \
        -e tls.handshake.extensions.supported_version -e tls.handshake.version \
        -e tls.handshake.certificate -e tls.alert_message.level 2>/dev/null |
    while IFS='|' read -r st s4 s6 sp d4 d6 dp syn ack fin rst len hs sni sv hv certs lvl; do
        [[ -n $st ]] || continue
        local from=client; [[ $sp == "$PORT" ]] && from=server
        if [[ $syn == 1 && $ack == 0 ]]; then
            echo "$st syn ${s4:+$s4:$sp}${s6:+[$s6]:$sp} ${d4:+$d4:$dp}${d6:+[$d6]:$dp}"
        fi
        [[ ";$hs;" == *";1;"* ]] && echo "$st sni ${sni:--}"
        if [[ ";$hs;" == *";2;"* ]]; then
            local x=${sv##*;}; [[ -n $x ]] || x=${hv##*;}
            case $x in 0x0304) x='TLS 1.3' ;; 0x0303) x='TLS 1.2' ;; 0x0302) x='TLS 1.1' ;; 0x0301) x='TLS 1.0' ;; esac
            echo "$st version $x"
        fi
        if [[ ";$hs;" == *";11;"* ]]; then
            local who=${from}_cert i=0 c
            for c in ${certs//;/ }; do
                echo "$st $who.$i.sha256 $(printf '%s' "${c//:/}" | xxd -r -p | sha256sum | cut -d' ' -f1)"
                i=$((i + 1))
            done
            ((i > 0)) || echo "$st $who.count 0"
        fi
        [[ ";$lvl;" == *";2;"* ]] && echo "$st close fatal-alert $from"
        [[ $fin == 1 || $rst == 1 ]] && echo "$st close close $from"
        [[ $syn == 1 && $ack == 0 ]] || echo "$st close not-only-syn"
    done
    # 2. tshark -V text: cipher suite, CA names and alerts by tshark's own names
    "${ts[@]}" -Y 'tls.handshake.type==2 || tls.handshake.type==13 || tls.record.content_type==21' \
        -O tcp,tls -V 2>/dev/null |
        awk -v port="$PORT" '
            /^ *Source Port: / { who = ($3 == port) ? "server" : "client" }
            /^ *\[Stream index: [0-9]+\]$/ { st = $3; sub(/\]/, "", st) }
            /^ *Cipher Suite: [A-Za-z0-9_]+ \(0x/ { print st " cipher " $3 }
            /^ *Distinguished Name: \(.*\)$/ {
                d = $0; sub(/^ *Distinguished Name: \(/, "", d); sub(/\)$/, "", d)
                gsub(/id-at-organizationName=/, "O=", d); gsub(/id-at-commonName=/, "CN=", d)
                print st " acceptable_ca." ca[st]++ " " d }
            /Alert Message: Encrypted Alert/ { print st " alert." n[st]++ " " who " encrypted" }
            /^ *Level: /       { lvl = tolower($2) }
            /^ *Description: / { d = $0; sub(/^ *Description: /, "", d); sub(/ \([0-9]+\)$/, "", d)
                                 d = tolower(d); gsub(/ /, "_", d)
                                 print st " alert." n[st]++ " " who " " lvl " " d }'
}

# facts_from DUMP STREAM: the facts of one connection, in the facts' own words
facts_from() {
    awk -v st="$2" '$1 == st {
            k = $2; $1 = ""; $2 = ""; v = substr($0, 3)
            if (k == "syn")     { if (!seen_syn++) { split(v, e, " "); print "client " e[1]; print "server " e[2] } }
            else if (k == "sni")     { if (!seen_sni++) print "sni " v }
            else if (k == "version") ver = v
            else if (k == "cipher")  cip = v
            else if (k != "close")   print k " " v
        }
        END { if (!seen_sni) print "sni -"
              print "version " (ver ? ver : "-"); print "cipher " (cip ? cip : "-") }' "$1"
}

# gave_up DUMP STREAM: who ended the connection: the sender of the first fatal
# alert, else of the first FIN or RST, else "client" when the client only ever
# sent SYNs (SYN never answered)
gave_up() {
    awk -v st="$2" '$1 == st && $2 == "close" {
            if ($3 == "fatal-alert" && !fa) fa = $4
            else if ($3 == "close" && !cl) cl = $4
            else if ($3 == "not-only-syn") other = 1
        }
        END { if (fa) print "fatal-alert " fa; else if (cl) print "close " cl
              else if (!other) print "syn-only client"; else print "none -" }' "$1"
}

verify_one() {   # verify_one NAME FACTS DUMP KEYED-DUMP: every connection of FACTS
    local name=$1 facts=$2 dump=$3 keyed=$4 want got fp lab rc=0 key conn st
    local conns; conns=$(grep -v '^#' "$facts" | awk 'NF { print $1 }' | sort -un)
    local streams; streams=$(awk '$2 == "syn" { print $1 + 1 }' "$dump" | sort -un)
    [[ $conns == "$streams" ]] || { log "verify: $facts: connections $conns, tshark: $streams"; rc=1; }
    for conn in $conns; do
        st=$((conn - 1))             # connections are numbered in tcp.stream order
        want=$(facts_of "$facts" "$conn" '^(client|server|sni|version|cipher|alert[.][0-9]+|acceptable_ca[.][0-9]+|(server|client)_cert[.]([0-9]+[.]sha256|count))$' | sort)
        got=$(facts_from "$dump" "$st" | sort)
        if [[ $want != "$got" ]]; then
            log "verify: $facts (connection $conn) disagrees with tshark:"
            diff <(echo "$want") <(echo "$got") >&2 || true
            rc=1
        fi
        # subject/issuer/SAN of each certificate = openssl on the lab file with that fingerprint
        while read -r key fp; do
            lab=${LAB_FP[$fp]:-}
            [[ -n $lab ]] || { log "verify: $facts: $key $fp is no lab certificate"; rc=1; continue; }
            key=${key%.sha256}
            want=$(facts_of "$facts" "$conn" "^${key//./[.]}[.](subject|issuer|san)$")
            got=$(openssl x509 -in "$lab" -noout -nameopt RFC2253 -subject -issuer | sed 's/^subject=/subject /; s/^issuer=/issuer /'
                  san=$(openssl x509 -in "$lab" -noout -ext subjectAltName 2>/dev/null | tail -n +2 | sed 's/^ *//' | paste -sd, | sed 's/,/, /g')
                  [[ -z $san ]] || echo "san $san")
            if [[ $(sort <<<"$want") != "$(sed "s/^/$key./" <<<"$got" | sort)" ]]; then
                log "verify: $facts: $key differs from openssl x509 on $lab"; rc=1
            fi
        done < <(facts_of "$facts" "$conn" '_cert[.][0-9]+[.]sha256$')
        # outcome = the client's exit status
        local st_rc oc
        st_rc=$(sed -n 's/^\[client exit status: \([0-9]*\)\]$/\1/p' "$OUT/$name.client.txt")
        oc=$( ((st_rc == 0)) && echo established || echo failed)
        want=$(facts_of "$facts" "$conn" '^outcome$')
        [[ $want == "outcome $oc" ]] \
            || { log "verify: $facts: outcome '$want' but client exit status $st_rc"; rc=1; }
        # the root cause's side (gave_up) against tshark with the key log (an
        # encrypted alert's sender is the decrypted alert's)
        local d0 side seen
        d0=$(facts_of "$facts" "$conn" '^diag[.]0$')
        seen=$(gave_up "$keyed" "$st")
        if [[ -n $d0 ]]; then
            # diag.0 CODE STAGE GAVE_UP CONFIDENCE
            read -r _ _ _ side _ <<<"$d0"
            if [[ $d0 == "diag.0 NOT_TLS "* ]]; then
                # the side that received non-TLS bytes gives up; it may or may
                # not be the first to close (a race with the peer's FIN)
                awk -v st="$st" -v s="$side" '$1 == st && $2 == "close" && $3 == "close" && $4 == s { f = 1 }
                    END { exit !f }' "$keyed" ||
                    { log "verify: $facts: diag.0 says the $side gave up, it never closed"; rc=1; }
            elif [[ $side == nobody ]]; then
                [[ $oc == established && $seen != fatal-alert* ]] ||
                    { log "verify: $facts: diag.0 says nobody gave up, but: $oc, $seen"; rc=1; }
            elif [[ ${seen#* } != "$side" ]]; then
                log "verify: $facts: diag.0 says the $side gave up, tshark: $seen"; rc=1
            fi
        elif [[ $oc == failed && $(grep -c 'diag[.]0 ' "$facts") == 0 ]]; then
            log "verify: $facts: a failure without a root-cause diag.0 line"; rc=1
        fi
    done
    return $rc
}

verify_scenario() {
    local n=$1 bad=0 d
    define "$n"
    d=$(mktemp -d /tmp/tlsdiag-verify.XXXXXX)
    tshark_facts "$OUT/$n.pcap" "" >"$d/plain"
    tshark_facts "$OUT/$n.pcap" "$OUT/$n.keylog" >"$d/keyed"
    verify_one "$n" "$OUT/expected/$n.facts" "$d/plain" "$d/keyed" || bad=1
    if [[ -f $OUT/expected/$n.decrypted.facts ]]; then
        verify_one "$n" "$OUT/expected/$n.decrypted.facts" "$d/keyed" "$d/keyed" || bad=1
    fi
    rm -rf "$d"
    log "verify: $n $( ((bad)) && echo FAILED || echo ok)"
    return $bad
}

declare -A LAB_FP=()
step_verify() {
    local c
    for c in "$LAB"/*.crt; do      # sha256 fingerprint -> lab file (chain.crt left out)
        [[ $c == */chain.crt ]] && continue
        LAB_FP[$(openssl x509 -in "$c" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f)]=$c
    done
    run_jobs verify_scenario "$@" || die "verify: some facts disagree"
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
