#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make-real.sh -- tlsdiag's real-server lab (issue 15, Must 11).
#
# Real servers and clients from Debian 12's packages (nginx, HAProxy, Apache
# mod_ssl, a Go crypto/tls peer, Chromium headless, PostgreSQL 15, an SMTP
# STARTTLS exchange, openssl s_client probes) talk over loopback under
# tcpdump; nothing is synthesised.  All peers use the lab PKI of
# captures/lab/ (never regenerated here).  See README.md beside this file.
#
# Usage (as root: tcpdump, and the servers' users):
#   make-real.sh list                 scenario names, peer, one-line summary
#   make-real.sh capture [NAME...]    (all when none) record NAME.pcap,
#                                     NAME.keylog, NAME.client.txt,
#                                     NAME.server.txt in captures/real/ and
#                                     check the scenario happened as intended
#   make-real.sh facts [NAME...]      write expected/NAME.facts (tshark without
#                                     keys) and expected/NAME.decrypted.facts
#                                     (tshark with NAME.keylog), each followed by
#                                     the scenario's expected diagnosis
#   make-real.sh packages             print the apt-get line this needs
#   make-real.sh table                the README's scenario table
#   make-real.sh --install ...        apt-get install the packages first
#
# Environment: OUT=DIR  write the capture files there (default: this folder);
#              FACTS_OUT=DIR  write the facts there (default: OUT/expected);
#              JOBS=N  facts for N scenarios at a time (default 2).
# Expectation lines whose connection is "*" apply to every connection of the
# capture (Chromium's extra connections, the health checks).
# Ports (127.0.0.1 only): 9432 9443-9447 9450-9451 9459 9460 9470 9425.
# Installs nothing unless given --install.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LIB_NAME=make-real
PACKAGES="nginx haproxy apache2 golang-go chromium postgresql-15 postgresql-client-15
          tcpdump tshark curl openssl python3 gcc libc6-dev libssl-dev iproute2 libnss3-tools"
PGBIN=/usr/lib/postgresql/15/bin
CAPTURE_TOOLS="tcpdump tshark curl openssl python3 cc nginx haproxy apache2 go chromium psql certutil ss $PGBIN/postgres"
EXP_ISSUE="issue 15"
# registry, capture, checks, facts, command line: real-lib.sh
# shellcheck source=real-lib.sh
. "$HERE/real-lib.sh"

start_nginx() {
    [[ " ${STARTED[*]} " == *" nginx "* ]] && return 0
    subst "$HERE/conf/nginx.conf" "$WORK/nginx.conf"
    rm -f "$WORK/nginx-error.log" "$WORK/nginx-access.log"
    env LD_PRELOAD="$WORK/keylog-shim.so" SSLKEYLOGFILE="$WORK/server.keylog" \
        nginx -c "$WORK/nginx.conf" -g 'daemon on;' 2>>"$WORK/nginx-error.log" \
        || die "nginx did not start"
    wait_for 50 port_listening 9447 || die "nginx not listening"
    STARTED+=(nginx)
    LOGS+=("$WORK/nginx-error.log" "$WORK/nginx-access.log")
}
stop_nginx() {
    local pid; pid=$(cat "$WORK/nginx.pid" 2>/dev/null) || return 0
    kill -TERM "$pid"; wait_for 50 bash -c "! kill -0 $pid 2>/dev/null"
}
DECODE[nginx]="tls.port==9443,http tls.port==9444,http tls.port==9445,http"
DECODE[probe]=""

nginx_note() {
    server_note "# server: nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), config captures/real/conf/nginx.conf ($*);" \
        "# error_log at level info, access_log format 'tls'; key log: keylog-shim.so (LD_PRELOAD)"
}

# ---------------------------------------------------------------------------
# nginx scenarios (port 9443: ssl_verify_client on; 9444: optional;
# 9445: expired server certificate); client: curl (OpenSSL), SSLKEYLOGFILE
# ---------------------------------------------------------------------------
reg nginx-tls13-mtls-ok nginx "curl with client.crt, TLS 1.3, ssl_verify_client on: HTTP 200"
sc_nginx_tls13_mtls_ok() {
    start_nginx; cap_start "$1" 9443; nginx_note "port 9443, ssl_verify_client on"
    curl_c https://tls-server.local:9443/ $(res 9443) "${MTLS[@]}"
    server_logs; cap_stop
    want_rc 0; want_client '< HTTP/1.1 200 OK'; want_server 'client_verify=SUCCESS'
    want_tshark 'http.response.code == 200' keys
}
EXP_KEYS[nginx-tls13-mtls-ok]="1 outcome established
# healthy mTLS: no diagnosis"
EXP_PLAIN[nginx-tls13-mtls-ok]="${EXP_KEYS[nginx-tls13-mtls-ok]}"

reg nginx-tls12-mtls-ok nginx "curl with client.crt, TLS 1.2, ssl_verify_client on: HTTP 200"
sc_nginx_tls12_mtls_ok() {
    start_nginx; cap_start "$1" 9443; nginx_note "port 9443, ssl_verify_client on"
    curl_c --tls-max 1.2 https://tls-server.local:9443/ $(res 9443) "${MTLS[@]}"
    server_logs; cap_stop
    want_rc 0; want_client '< HTTP/1.1 200 OK'; want_server 'TLSv1.2.*client_verify=SUCCESS'
}
EXP_KEYS[nginx-tls12-mtls-ok]="${EXP_KEYS[nginx-tls13-mtls-ok]}"
EXP_PLAIN[nginx-tls12-mtls-ok]="${EXP_KEYS[nginx-tls13-mtls-ok]}"

reg nginx-tls13-server-untrusted nginx "curl without --cacert (system roots): client's unknown_ca"
sc_nginx_tls13_server_untrusted() {
    start_nginx; cap_start "$1" 9443; nginx_note "port 9443, ssl_verify_client on"
    curl_c https://tls-server.local:9443/ $(res 9443) --cert client.crt --key client.key
    server_logs; cap_stop
    want_rc 60; want_client 'unable to get local issuer certificate|self-signed'
    want_tshark 'tls.alert_message.desc == 48'
}
EXP_PLAIN[nginx-tls13-server-untrusted]="1 outcome failed
# the client's plaintext fatal unknown_ca right after the server's (encrypted) flight
1 diag.0 SERVER_CERT_UNTRUSTED server_certificate client certain"
EXP_KEYS[nginx-tls13-server-untrusted]="1 outcome failed
# decrypted: the chain is server, intermediateCA (no root); the client does not trust rootCA
1 diag.0 SERVER_CERT_UNTRUSTED server_certificate client certain"

reg nginx-tls12-server-untrusted nginx "TLS 1.2, curl without --cacert: client's unknown_ca"
sc_nginx_tls12_server_untrusted() {
    start_nginx; cap_start "$1" 9443; nginx_note "port 9443, ssl_verify_client on"
    curl_c --tls-max 1.2 https://tls-server.local:9443/ $(res 9443) --cert client.crt --key client.key
    server_logs; cap_stop
    want_rc 60; want_tshark 'tls.alert_message.desc == 48'
}
EXP_PLAIN[nginx-tls12-server-untrusted]="1 outcome failed
1 diag.0 SERVER_CERT_UNTRUSTED server_certificate client certain"
EXP_KEYS[nginx-tls12-server-untrusted]="${EXP_PLAIN[nginx-tls12-server-untrusted]}"

reg nginx-tls13-hostname-mismatch nginx "curl https://wrong.local (SNI wrong.local): curl closes after the handshake"
sc_nginx_tls13_hostname_mismatch() {
    start_nginx; cap_start "$1" 9443; nginx_note "port 9443, ssl_verify_client on"
    curl_c https://wrong.local:9443/ --resolve wrong.local:9443:127.0.0.1 "${MTLS[@]}"
    server_logs; cap_stop
    want_rc 60; want_client "no alternative certificate subject name matches target host name 'wrong.local'"
}
EXP_PLAIN[nginx-tls13-hostname-mismatch]="1 outcome failed
# handshake complete (inferred), then the client closes without data: without the
# certificate nothing names the cause; the client gave up
1 diag.0 SERVER_CERT_REJECTED after_handshake client inferred"
EXP_KEYS[nginx-tls13-hostname-mismatch]="1 outcome failed
# decrypted: SNI wrong.local, certificate for DNS:tls-server.local only; the client's
# close_notify right after its Finished, no request
1 diag.0 HOSTNAME_MISMATCH after_handshake client certain"

reg nginx-tls12-hostname-mismatch nginx "TLS 1.2, curl https://wrong.local: curl closes after the handshake"
sc_nginx_tls12_hostname_mismatch() {
    start_nginx; cap_start "$1" 9443; nginx_note "port 9443, ssl_verify_client on"
    curl_c --tls-max 1.2 https://wrong.local:9443/ --resolve wrong.local:9443:127.0.0.1 "${MTLS[@]}"
    server_logs; cap_stop
    want_rc 60; want_client "no alternative certificate subject name matches"
}
EXP_PLAIN[nginx-tls12-hostname-mismatch]="1 outcome failed
# the certificate is in clear (DNS:tls-server.local) and the SNI is wrong.local
1 diag.0 HOSTNAME_MISMATCH after_handshake client certain"
EXP_KEYS[nginx-tls12-hostname-mismatch]="${EXP_PLAIN[nginx-tls12-hostname-mismatch]}"

reg nginx-tls13-server-cert-expired nginx "port 9445 serves serverExpired.crt: client's certificate_expired"
sc_nginx_tls13_server_cert_expired() {
    start_nginx; cap_start "$1" 9445; nginx_note "port 9445, serverExpired.crt, no client certificate"
    curl_c https://tls-server.local:9445/ $(res 9445) --cacert rootCA.crt
    server_logs; cap_stop
    want_rc 60; want_client 'certificate has expired'; want_tshark 'tls.alert_message.desc == 45'
}
EXP_PLAIN[nginx-tls13-server-cert-expired]="1 outcome failed
1 diag.0 SERVER_CERT_EXPIRED server_certificate client certain"
EXP_KEYS[nginx-tls13-server-cert-expired]="${EXP_PLAIN[nginx-tls13-server-cert-expired]}"

reg nginx-tls13-client-cert-missing nginx "ssl_verify_client on, curl without a certificate: handshake OK, HTTP 400 'No required SSL certificate was sent'"
sc_nginx_tls13_client_cert_missing() {
    start_nginx; cap_start "$1" 9443; nginx_note "port 9443, ssl_verify_client on"
    curl_c https://tls-server.local:9443/ $(res 9443) --cacert rootCA.crt
    server_logs; cap_stop
    want_rc 0; want_client '< HTTP/1.1 400'; want_client 'No required SSL certificate was sent'
    want_server 'client sent no required SSL certificate'
    want_tshark 'http.response.code == 400' keys
}
EXP_PLAIN[nginx-tls13-client-cert-missing]="1 outcome established
# without keys: a complete handshake, one short request and answer, the server closes:
# nothing on the wire tells a refusal from a short success; no error can be required
# (a CLIENT_CERT_MISSING inferred would need the empty Certificate, which is encrypted)"
EXP_KEYS[nginx-tls13-client-cert-missing]="1 outcome established
# decrypted: empty client Certificate under the CertificateRequest, then HTTP 400
# 'No required SSL certificate was sent' and the server's close (application-layer refusal)
1 diag.0 CLIENT_CERT_MISSING after_handshake server certain"

reg nginx-tls12-client-cert-missing nginx "TLS 1.2, ssl_verify_client on, no certificate: empty Certificate in clear, HTTP 400"
sc_nginx_tls12_client_cert_missing() {
    start_nginx; cap_start "$1" 9443; nginx_note "port 9443, ssl_verify_client on"
    curl_c --tls-max 1.2 https://tls-server.local:9443/ $(res 9443) --cacert rootCA.crt
    server_logs; cap_stop
    want_rc 0; want_client 'No required SSL certificate was sent'
    want_server 'client sent no required SSL certificate'
    want_tshark 'tls.handshake.certificates_length == 0'
}
EXP_PLAIN[nginx-tls12-client-cert-missing]="1 outcome established
# TLS 1.2: the empty client Certificate is in clear, then a short exchange and the
# server's close (issue 15 point 5: inferred without keys)
1 diag.0 CLIENT_CERT_MISSING after_handshake server inferred"
EXP_KEYS[nginx-tls12-client-cert-missing]="1 outcome established
# decrypted: HTTP 400 'No required SSL certificate was sent'
1 diag.0 CLIENT_CERT_MISSING after_handshake server certain"

reg nginx-tls13-client-cert-untrusted nginx "ssl_verify_client on, curl with rogueClient.crt: handshake OK, HTTP 400 'The SSL certificate error'"
sc_nginx_tls13_client_cert_untrusted() {
    start_nginx; cap_start "$1" 9443; nginx_note "port 9443, ssl_verify_client on"
    curl_c https://tls-server.local:9443/ $(res 9443) --cacert rootCA.crt --cert rogueClient.crt --key rogueClient.key
    server_logs; cap_stop
    want_rc 0; want_client '< HTTP/1.1 400'; want_client 'The SSL certificate error'
    want_server 'client SSL certificate verify error'
}
EXP_PLAIN[nginx-tls13-client-cert-untrusted]="1 outcome established
# without keys: indistinguishable from a short success (see nginx-tls13-client-cert-missing)"
EXP_KEYS[nginx-tls13-client-cert-untrusted]="1 outcome established
# decrypted: client certificate rogueClient.crt (issuer rogueClientCA, not the accepted clientCA),
# then HTTP 400 'The SSL certificate error'
1 diag.0 CLIENT_CERT_UNTRUSTED after_handshake server certain"

reg nginx-tls12-client-cert-untrusted nginx "TLS 1.2, rogueClient.crt: certificate in clear, HTTP 400 'The SSL certificate error'"
sc_nginx_tls12_client_cert_untrusted() {
    start_nginx; cap_start "$1" 9443; nginx_note "port 9443, ssl_verify_client on"
    curl_c --tls-max 1.2 https://tls-server.local:9443/ $(res 9443) --cacert rootCA.crt --cert rogueClient.crt --key rogueClient.key
    server_logs; cap_stop
    want_rc 0; want_client 'The SSL certificate error'; want_server 'client SSL certificate verify error'
}
EXP_PLAIN[nginx-tls12-client-cert-untrusted]="1 outcome established
# TLS 1.2: rogueClient.crt in clear, issuer not in the CertificateRequest's list; the
# refusal itself (HTTP 400) is encrypted: the cause is checkable, the refusal inferred
1 diag.0 CLIENT_CERT_UNTRUSTED after_handshake server inferred"
EXP_KEYS[nginx-tls12-client-cert-untrusted]="1 outcome established
1 diag.0 CLIENT_CERT_UNTRUSTED after_handshake server certain"

reg nginx-tls13-client-cert-expired nginx "ssl_verify_client on, curl with clientExpired.crt: HTTP 400 'The SSL certificate error'"
sc_nginx_tls13_client_cert_expired() {
    start_nginx; cap_start "$1" 9443; nginx_note "port 9443, ssl_verify_client on"
    curl_c https://tls-server.local:9443/ $(res 9443) --cacert rootCA.crt --cert clientExpired.crt --key client.key
    server_logs; cap_stop
    want_rc 0; want_client 'The SSL certificate error'; want_server 'certificate has expired'
}
EXP_PLAIN[nginx-tls13-client-cert-expired]="${EXP_PLAIN[nginx-tls13-client-cert-untrusted]}"
EXP_KEYS[nginx-tls13-client-cert-expired]="1 outcome established
# decrypted: clientExpired.crt (notAfter 2026-01-01), then HTTP 400 'The SSL certificate error'
1 diag.0 CLIENT_CERT_EXPIRED after_handshake server certain"

reg nginx-tls13-optional-no-cert nginx "ssl_verify_client optional, no certificate: the application answers 403"
sc_nginx_tls13_optional_no_cert() {
    start_nginx; cap_start "$1" 9444; nginx_note "port 9444, ssl_verify_client optional, 403 unless \$ssl_client_verify = SUCCESS"
    curl_c https://tls-server.local:9444/ $(res 9444) --cacert rootCA.crt
    server_logs; cap_stop
    want_rc 0; want_client '< HTTP/1.1 403'; want_server '" 403 .*client_verify=NONE'
}
EXP_PLAIN[nginx-tls13-optional-no-cert]="${EXP_PLAIN[nginx-tls13-client-cert-missing]}"
EXP_KEYS[nginx-tls13-optional-no-cert]="1 outcome established
# decrypted: empty client Certificate, then HTTP 403 Forbidden.  A 403 is the
# application's word; the empty Certificate under a CertificateRequest is the evidence
1 diag.0 CLIENT_CERT_MISSING after_handshake server certain"

reg nginx-tls13-optional-untrusted nginx "ssl_verify_client optional, rogueClient.crt: HTTP 400 'The SSL certificate error'"
sc_nginx_tls13_optional_untrusted() {
    start_nginx; cap_start "$1" 9444; nginx_note "port 9444, ssl_verify_client optional"
    curl_c https://tls-server.local:9444/ $(res 9444) --cacert rootCA.crt --cert rogueClient.crt --key rogueClient.key
    server_logs; cap_stop
    want_rc 0; want_client 'The SSL certificate error'; want_server 'client SSL certificate verify error'
}
EXP_PLAIN[nginx-tls13-optional-untrusted]="${EXP_PLAIN[nginx-tls13-client-cert-untrusted]}"
EXP_KEYS[nginx-tls13-optional-untrusted]="${EXP_KEYS[nginx-tls13-client-cert-untrusted]}"

# ---------------------------------------------------------------------------
# probes: openssl s_client </dev/null against nginx (9447: no client
# certificate; 9443: mTLS port), by IP, with and without SNI
# ---------------------------------------------------------------------------
probe() {  # probe PORT s_client-options...
    local port=$1; shift
    start_nginx; cap_start "$CUR" "$port"; nginx_note "port $port"
    client openssl s_client -connect 127.0.0.1:"$port" -CAfile rootCA.crt \
        -keylogfile "$WORK/$CUR.client.keylog" "$@"
    server_logs; cap_stop
    want_rc 0; want_client 'Verify return code: 0 \(ok\)'
    want_tshark 'tls.record.content_type == 21' keys
}
EXP_PROBE="1 outcome established
# a health-check probe: full handshake, close_notify, no application data, no rejection:
# never an error; at most a warning (issue 15 point 1)
1 max_severity warning"
reg probe-tls13-sni probe "s_client -tls1_3 -servername tls-server.local </dev/null (port 9447)"
sc_probe_tls13_sni() { CUR=$1; probe 9447 -tls1_3 -servername tls-server.local; }
reg probe-tls13-nosni probe "s_client -tls1_3 -noservername </dev/null, by IP (port 9447)"
sc_probe_tls13_nosni() { CUR=$1; probe 9447 -tls1_3 -noservername; }
reg probe-tls12-sni probe "s_client -tls1_2 -servername tls-server.local </dev/null (port 9447)"
sc_probe_tls12_sni() { CUR=$1; probe 9447 -tls1_2 -servername tls-server.local; }
reg probe-tls12-nosni probe "s_client -tls1_2 -noservername </dev/null, by IP (port 9447): no name to check"
sc_probe_tls12_nosni() { CUR=$1; probe 9447 -tls1_2 -noservername; }
reg probe-tls13-mtls-port probe "s_client -tls1_3 -noservername </dev/null to the mTLS port 9443 (no client certificate)"
sc_probe_tls13_mtls_port() { CUR=$1; probe 9443 -tls1_3 -noservername; }
for s in probe-tls13-sni probe-tls13-nosni probe-tls12-sni probe-tls13-mtls-port; do
    EXP_PLAIN[$s]=$EXP_PROBE; EXP_KEYS[$s]=$EXP_PROBE
done
EXP_PLAIN[probe-tls12-nosni]="$EXP_PROBE
# no SNI and a connection by IP: the name cannot be checked, not HOSTNAME_MISMATCH"
EXP_KEYS[probe-tls12-nosni]=${EXP_PLAIN[probe-tls12-nosni]}
EXP_KEYS[probe-tls13-mtls-port]="$EXP_PROBE
# decrypted: an empty client Certificate under the CertificateRequest, but nginx
# (ssl_verify_client on) refuses only at the HTTP layer, and no request was sent"

# ---------------------------------------------------------------------------
# HAProxy (9450: verify required; 9451: verify optional + 403), client curl;
# health checks (haproxy-hc.cfg: check-ssl against nginx 9447 and 9445)
# ---------------------------------------------------------------------------
start_haproxy() {
    [[ " ${STARTED[*]} " == *" haproxy "* ]] && return 0
    subst "$HERE/conf/haproxy.cfg" "$WORK/haproxy.cfg"
    : > "$WORK/haproxy.log"
    env LD_PRELOAD="$WORK/keylog-shim.so" SSLKEYLOGFILE="$WORK/server.keylog" \
        haproxy -db -f "$WORK/haproxy.cfg" >> "$WORK/haproxy.log" 2>&1 &
    echo $! > "$WORK/haproxy.pid"
    wait_for 50 port_listening 9451 || { cat "$WORK/haproxy.log" >&2; die "haproxy not listening"; }
    STARTED+=(haproxy)
    LOGS+=("$WORK/haproxy.log")
}
stop_haproxy() {
    local pid; pid=$(cat "$WORK/haproxy.pid" 2>/dev/null) || return 0
    kill -TERM "$pid" 2>/dev/null; wait_for 50 bash -c "! kill -0 $pid 2>/dev/null"
    rm -f "$WORK/haproxy.pid"
}
DECODE[haproxy]="tls.port==9450,http tls.port==9451,http"
DECODE[haproxy-hc]=""
haproxy_note() {
    server_note "# server: $(haproxy -v | head -1 | cut -d' ' -f1-3), config captures/real/conf/haproxy.cfg ($*)" \
        "# log: stdout (haproxy -db), log-format in the config; key log: keylog-shim.so (LD_PRELOAD)"
}
hap() {  # hap NAME PORT NOTE CURL-ARGS...
    local port=$2 note=$3; shift 3
    start_haproxy; cap_start "$CUR" "$port"; haproxy_note "$note"
    curl_c "$@"
    # HAProxy logs a failed handshake only when it closes the connection
    local sz=${LOGSIZE[$WORK/haproxy.log]:-0}
    wait_for 40 bash -c "(( \$(stat -c %s '$WORK/haproxy.log') > $sz ))" || true
    server_logs; cap_stop
}

reg haproxy-tls13-mtls-ok haproxy "curl with client.crt, TLS 1.3, verify required: HTTP 200"
sc_haproxy_tls13_mtls_ok() {
    CUR=$1; hap "$1" 9450 "frontend mtls, verify required" https://tls-server.local:9450/ $(res 9450) "${MTLS[@]}"
    want_rc 0; want_client '< HTTP/1.1 200'; want_server 'mtls~ 200 .*c_used=1 c_verify=0'
}
EXP_PLAIN[haproxy-tls13-mtls-ok]="${EXP_KEYS[nginx-tls13-mtls-ok]}"
EXP_KEYS[haproxy-tls13-mtls-ok]="${EXP_KEYS[nginx-tls13-mtls-ok]}"

reg haproxy-tls12-mtls-ok haproxy "curl with client.crt, TLS 1.2, verify required: HTTP 200"
sc_haproxy_tls12_mtls_ok() {
    CUR=$1; hap "$1" 9450 "frontend mtls, verify required" --tls-max 1.2 https://tls-server.local:9450/ $(res 9450) "${MTLS[@]}"
    want_rc 0; want_client '< HTTP/1.1 200'; want_server 'TLSv1.2.*c_used=1 c_verify=0'
}
EXP_PLAIN[haproxy-tls12-mtls-ok]="${EXP_KEYS[nginx-tls13-mtls-ok]}"
EXP_KEYS[haproxy-tls12-mtls-ok]="${EXP_KEYS[nginx-tls13-mtls-ok]}"

reg haproxy-tls13-client-cert-missing haproxy "verify required, curl without a certificate: server's certificate_required"
sc_haproxy_tls13_client_cert_missing() {
    CUR=$1; hap "$1" 9450 "frontend mtls, verify required" https://tls-server.local:9450/ $(res 9450) --cacert rootCA.crt
    want_rc 56; want_client 'alert certificate required'; want_server 'mtls.*(SSL|handshake)'
}
EXP_PLAIN[haproxy-tls13-client-cert-missing]="1 outcome failed
# the client's flight holds a record of an empty Certificate's size (25 bytes), then a
# 19-byte encrypted record from the server and its close: issue 15 Must 3, the most
# specific code the sizes support
1 diag.0 CLIENT_CERT_MISSING client_certificate server inferred"
EXP_KEYS[haproxy-tls13-client-cert-missing]="1 outcome failed
# decrypted: empty client Certificate, server's fatal certificate_required
1 diag.0 CLIENT_CERT_MISSING client_certificate server certain"

reg haproxy-tls12-client-cert-missing haproxy "TLS 1.2, verify required, no certificate: server's handshake_failure"
sc_haproxy_tls12_client_cert_missing() {
    CUR=$1; hap "$1" 9450 "frontend mtls, verify required" --tls-max 1.2 https://tls-server.local:9450/ $(res 9450) --cacert rootCA.crt
    want_rc 35; want_tshark 'tls.handshake.certificates_length == 0 && tls.handshake.type == 11'
    want_tshark 'tls.alert_message.desc == 40'
}
EXP_PLAIN[haproxy-tls12-client-cert-missing]="1 outcome failed
# empty client Certificate in clear, the server's plaintext fatal handshake_failure
1 diag.0 CLIENT_CERT_MISSING client_certificate server certain"
EXP_KEYS[haproxy-tls12-client-cert-missing]="${EXP_PLAIN[haproxy-tls12-client-cert-missing]}"

reg haproxy-tls13-client-cert-untrusted haproxy "verify required, rogueClient.crt: server's unknown_ca"
sc_haproxy_tls13_client_cert_untrusted() {
    CUR=$1; hap "$1" 9450 "frontend mtls, verify required" https://tls-server.local:9450/ $(res 9450) --cacert rootCA.crt --cert rogueClient.crt --key rogueClient.key
    want_rc 56; want_client 'alert unknown ca'
}
EXP_PLAIN[haproxy-tls13-client-cert-untrusted]="1 outcome failed
1 diag.0 CLIENT_CERT_REJECTED client_certificate server inferred"
EXP_KEYS[haproxy-tls13-client-cert-untrusted]="1 outcome failed
# decrypted: rogueClient.crt (issuer rogueClientCA), server's fatal unknown_ca
1 diag.0 CLIENT_CERT_UNTRUSTED client_certificate server certain"

reg haproxy-tls12-client-cert-untrusted haproxy "TLS 1.2, verify required, rogueClient.crt: server's unknown_ca in clear"
sc_haproxy_tls12_client_cert_untrusted() {
    CUR=$1; hap "$1" 9450 "frontend mtls, verify required" --tls-max 1.2 https://tls-server.local:9450/ $(res 9450) --cacert rootCA.crt --cert rogueClient.crt --key rogueClient.key
    want_rc 35; want_client 'alert unknown ca'; want_tshark 'tls.alert_message.desc == 48'
}
EXP_PLAIN[haproxy-tls12-client-cert-untrusted]="1 outcome failed
1 diag.0 CLIENT_CERT_UNTRUSTED client_certificate server certain"
EXP_KEYS[haproxy-tls12-client-cert-untrusted]="${EXP_PLAIN[haproxy-tls12-client-cert-untrusted]}"

reg haproxy-tls13-server-untrusted haproxy "curl without --cacert: client's unknown_ca"
sc_haproxy_tls13_server_untrusted() {
    CUR=$1; hap "$1" 9450 "frontend mtls, verify required" https://tls-server.local:9450/ $(res 9450) --cert client.crt --key client.key
    want_rc 60; want_tshark 'tls.alert_message.desc == 48'
}
EXP_PLAIN[haproxy-tls13-server-untrusted]="${EXP_PLAIN[nginx-tls13-server-untrusted]}"
EXP_KEYS[haproxy-tls13-server-untrusted]="${EXP_KEYS[nginx-tls13-server-untrusted]}"

reg haproxy-tls13-optional-no-cert haproxy "verify optional, no certificate: http-request deny, HTTP 403"
sc_haproxy_tls13_optional_no_cert() {
    CUR=$1; hap "$1" 9451 "frontend optional, verify optional, deny 403 unless ssl_c_used" https://tls-server.local:9451/ $(res 9451) --cacert rootCA.crt
    want_rc 0; want_client '< HTTP/1.1 403'; want_server 'optional~ 403 .*c_used=0'
}
EXP_PLAIN[haproxy-tls13-optional-no-cert]="${EXP_PLAIN[nginx-tls13-client-cert-missing]}"
EXP_KEYS[haproxy-tls13-optional-no-cert]="${EXP_KEYS[nginx-tls13-optional-no-cert]}"

hc() {  # hc NAME PORT : HAProxy TLS health checks (check-ssl) for ~1.6 s
    local port=$2
    start_nginx
    subst "$HERE/conf/haproxy-hc.cfg" "$WORK/haproxy-hc.cfg"
    : > "$WORK/haproxy-hc.log"
    cap_start "$1" "$port"
    server_note "# client: $(haproxy -v | head -1 | cut -d' ' -f1-3) health checks, config captures/real/conf/haproxy-hc.cfg (check-ssl, inter 1s) against nginx port $port" \
        "# the HAProxy log (its check results) is in $1.client.txt; key log: keylog-shim.so on both"
    printf '$ %s\n' "haproxy -db -f captures/real/conf/haproxy-hc.cfg  # until 2 checks were made, then SIGTERM" > "$WORK/$CUR.client.txt"
    env LD_PRELOAD="$WORK/keylog-shim.so" SSLKEYLOGFILE="$WORK/$CUR.client.keylog" \
        haproxy -db -f "$WORK/haproxy-hc.cfg" >> "$WORK/haproxy-hc.log" 2>&1 &
    local pid=$!
    # stop once the second check's SYN is captured (plus 0.5 s)
    wait_for 60 bash -c "(( \$(tcpdump -r '$WORK/$CUR.pcap' 'tcp[tcpflags] == tcp-syn' 2>/dev/null | wc -l) >= 2 ))" || true
    sleep 0.5
    kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
    cat "$WORK/haproxy-hc.log" >> "$WORK/$CUR.client.txt"
    printf '[client exit status: 0]\n' >> "$WORK/$CUR.client.txt"
    CLIENT_RC=0
    server_logs; cap_stop
}
reg haproxy-healthcheck haproxy-hc "HAProxy check-ssl health checks against nginx 9447 (handshake, then close), 2-3 connections"
sc_haproxy_healthcheck() {
    CUR=$1; hc "$1" 9447
    want_conns 2; want_tshark 'tls.handshake.type == 2'
    want_tshark 'tcp.flags.reset == 1 && tcp.srcport != 9447'   # HAProxy ends each check with a RST
}
EXP_PLAIN[haproxy-healthcheck]="# every connection: a load balancer's TLS health check: handshake, close, no data
# (each connection N gets the same expectation; never an error)
* outcome established
* max_severity warning"
EXP_KEYS[haproxy-healthcheck]="${EXP_PLAIN[haproxy-healthcheck]}"

reg haproxy-healthcheck-expired haproxy-hc "HAProxy check-ssl against nginx 9445 (serverExpired.crt): the check fails, certificate_expired"
sc_haproxy_healthcheck_expired() {
    CUR=$1; hc "$1" 9445
    want_conns 2; want_client 'hc_expired/nginx-expired is DOWN'
    want_tshark 'tls.alert_message.desc == 45'
}
EXP_PLAIN[haproxy-healthcheck-expired]="# every connection: the health check refuses the expired server certificate
* outcome failed
* diag.0 SERVER_CERT_EXPIRED server_certificate client certain"
EXP_KEYS[haproxy-healthcheck-expired]="${EXP_PLAIN[haproxy-healthcheck-expired]}"

# ---------------------------------------------------------------------------
# Go crypto/tls client and server (go/main.go, built here with golang-go),
# port 9470; key logs from tls.Config.KeyLogWriter on both sides
# ---------------------------------------------------------------------------
build_go() {
    [[ -x $WORK/tlspeer && $WORK/tlspeer -nt $HERE/go/main.go ]] && return 0
    (cd "$HERE/go" && HOME=$WORK/gohome GOCACHE=$WORK/gocache GOPATH=$WORK/gopath \
        GOPROXY=off GOFLAGS=-mod=mod go build -o "$WORK/tlspeer" .) || die "go build failed (golang-go)"
}
DECODE[go]="tls.port==9470,http"
gopair() {  # gopair NAME "SERVER-ARGS" CLIENT-ARGS...
    local sargs=$2; shift 2
    build_go
    cap_start "$CUR" 9470
    local shown="tlspeer server -listen 127.0.0.1:9470 -cert server.crt -key server.key -chain intermediateCA.crt -n 1 $sargs"
    server_note "# server: Go $(go version | cut -d' ' -f3) crypto/tls (captures/real/go/main.go)" "\$ cd captures/lab && $shown"
    (cd "$PKI" && exec "$WORK/tlspeer" server -listen 127.0.0.1:9470 -cert server.crt -key server.key \
        -chain intermediateCA.crt -n 1 -keylog "$WORK/server.keylog" $sargs) >> "$WORK/$CUR.server.txt" 2>&1 &
    local spid=$!
    wait_for 50 port_listening 9470 || die "$CUR: Go server not listening"
    client "$WORK/tlspeer" client -connect 127.0.0.1:9470 -keylog "$WORK/$CUR.client.keylog" "$@"
    wait_for 50 bash -c "! kill -0 $spid 2>/dev/null" || kill "$spid"
    wait "$spid" 2>/dev/null || true
    cap_stop
}
reg go-tls13-mtls-ok go "Go client with client.crt -> Go server (RequireAndVerifyClientCert), TLS 1.3"
sc_go_tls13_mtls_ok() { CUR=$1; gopair "$1" "-clientca clientCA.crt -clientauth require" -name tls-server.local -ca rootCA.crt -cert client.crt -key client.key
    want_rc 0; want_client 'HTTP/1.1 200 OK'; want_server 'client certificates: 1'; }
reg go-tls12-mtls-ok go "same, TLS 1.2"
sc_go_tls12_mtls_ok() { CUR=$1; gopair "$1" "-clientca clientCA.crt -clientauth require -maxver 1.2" -name tls-server.local -ca rootCA.crt -cert client.crt -key client.key
    want_rc 0; want_client 'TLS 1.2'; want_server 'client certificates: 1'; }
EXP_PLAIN[go-tls13-mtls-ok]="${EXP_KEYS[nginx-tls13-mtls-ok]}"; EXP_KEYS[go-tls13-mtls-ok]="${EXP_KEYS[nginx-tls13-mtls-ok]}"
EXP_PLAIN[go-tls12-mtls-ok]="${EXP_KEYS[nginx-tls13-mtls-ok]}"; EXP_KEYS[go-tls12-mtls-ok]="${EXP_KEYS[nginx-tls13-mtls-ok]}"

reg go-tls13-server-untrusted go "Go client trusting only clientCA.crt: bad_certificate (Go's generic alert) for an unknown authority"
sc_go_tls13_server_untrusted() { CUR=$1; gopair "$1" "" -name tls-server.local -ca clientCA.crt
    want_rc 1; want_client 'certificate signed by unknown authority'; want_tshark 'tls.alert_message.desc == 42' keys; }
EXP_PLAIN[go-tls13-server-untrusted]="1 outcome failed
# Go's client encrypts its alert (handshake keys): a 19-byte encrypted record from the client
# right after the server's flight, then its FIN: the side and the step are known, not the reason
1 diag.0 SERVER_CERT_REJECTED server_certificate client inferred"
EXP_KEYS[go-tls13-server-untrusted]="1 outcome failed
# decrypted: chain server.crt, intermediateCA.crt (root rootCA, not trusted by this client);
# bad_certificate is Go's generic alert: the real cause is the unknown root (issue 15 point 4)
1 diag.0 SERVER_CERT_UNTRUSTED server_certificate client certain"
reg go-tls12-server-untrusted go "TLS 1.2, Go client trusting only clientCA.crt: bad_certificate"
sc_go_tls12_server_untrusted() { CUR=$1; gopair "$1" "-maxver 1.2" -name tls-server.local -ca clientCA.crt
    want_rc 1; want_client 'certificate signed by unknown authority'; want_tshark 'tls.alert_message.desc == 42'; }
EXP_PLAIN[go-tls12-server-untrusted]="1 outcome failed
# TLS 1.2: the certificates are in clear; bad_certificate is generic: checked, the root is unknown
1 diag.0 SERVER_CERT_UNTRUSTED server_certificate client certain"
EXP_KEYS[go-tls12-server-untrusted]="${EXP_PLAIN[go-tls12-server-untrusted]}"

reg go-tls13-hostname-mismatch go "Go client -name wrong.local: bad_certificate for a name mismatch"
sc_go_tls13_hostname_mismatch() { CUR=$1; gopair "$1" "" -name wrong.local -ca rootCA.crt
    want_rc 1; want_client 'certificate is valid for tls-server.local, not wrong.local'; want_tshark 'tls.alert_message.desc == 42' keys; }
EXP_PLAIN[go-tls13-hostname-mismatch]="${EXP_PLAIN[go-tls13-server-untrusted]}"
EXP_KEYS[go-tls13-hostname-mismatch]="1 outcome failed
# decrypted: SNI wrong.local, certificate for DNS:tls-server.local; bad_certificate is generic
1 diag.0 HOSTNAME_MISMATCH server_certificate client certain"
reg go-tls12-hostname-mismatch go "TLS 1.2, Go client -name wrong.local: bad_certificate"
sc_go_tls12_hostname_mismatch() { CUR=$1; gopair "$1" "-maxver 1.2" -name wrong.local -ca rootCA.crt
    want_rc 1; want_client 'not wrong.local'; want_tshark 'tls.alert_message.desc == 42'; }
EXP_PLAIN[go-tls12-hostname-mismatch]="1 outcome failed
1 diag.0 HOSTNAME_MISMATCH server_certificate client certain"
EXP_KEYS[go-tls12-hostname-mismatch]="${EXP_PLAIN[go-tls12-hostname-mismatch]}"

reg go-tls13-server-cert-expired go "Go server with serverExpired.crt: the Go client's bad_certificate"
sc_go_tls13_server_cert_expired() { CUR=$1; gopair "$1" "-cert serverExpired.crt" -name tls-server.local -ca rootCA.crt
    want_rc 1; want_client 'certificate has expired'; want_tshark 'tls.alert_message.desc == 42' keys; }
EXP_PLAIN[go-tls13-server-cert-expired]="${EXP_PLAIN[go-tls13-server-untrusted]}"
EXP_KEYS[go-tls13-server-cert-expired]="1 outcome failed
# decrypted: serverExpired.crt (notAfter 2026-01-01); bad_certificate is generic
1 diag.0 SERVER_CERT_EXPIRED server_certificate client certain"
reg go-tls12-server-cert-expired go "TLS 1.2, serverExpired.crt: bad_certificate"
sc_go_tls12_server_cert_expired() { CUR=$1; gopair "$1" "-cert serverExpired.crt -maxver 1.2" -name tls-server.local -ca rootCA.crt
    want_rc 1; want_client 'certificate has expired'; }
EXP_PLAIN[go-tls12-server-cert-expired]="1 outcome failed
1 diag.0 SERVER_CERT_EXPIRED server_certificate client certain"
EXP_KEYS[go-tls12-server-cert-expired]="${EXP_PLAIN[go-tls12-server-cert-expired]}"

reg go-tls13-client-cert-missing go "Go server requires a client certificate, Go client has none: certificate_required"
sc_go_tls13_client_cert_missing() { CUR=$1; gopair "$1" "-clientca clientCA.crt -clientauth require" -name tls-server.local -ca rootCA.crt
    want_client 'certificate required|bad certificate'; want_server "client didn't provide a certificate"; }
EXP_PLAIN[go-tls13-client-cert-missing]="${EXP_PLAIN[haproxy-tls13-client-cert-missing]}"
EXP_KEYS[go-tls13-client-cert-missing]="1 outcome failed
# decrypted: empty client Certificate, the server's fatal certificate_required
1 diag.0 CLIENT_CERT_MISSING client_certificate server certain"
reg go-tls12-client-cert-missing go "TLS 1.2, Go server requires a client certificate, none sent: bad_certificate"
sc_go_tls12_client_cert_missing() { CUR=$1; gopair "$1" "-clientca clientCA.crt -clientauth require -maxver 1.2" -name tls-server.local -ca rootCA.crt
    want_rc 1; want_server "client didn't provide a certificate"; }
EXP_PLAIN[go-tls12-client-cert-missing]="1 outcome failed
# empty client Certificate in clear; Go's server answers a generic bad_certificate
1 diag.0 CLIENT_CERT_MISSING client_certificate server certain"
EXP_KEYS[go-tls12-client-cert-missing]="${EXP_PLAIN[go-tls12-client-cert-missing]}"

reg go-tls13-client-cert-not-listed go "Go client given rogueClient.crt, whose CA is not in the CertificateRequest: it sends an empty Certificate; certificate_required"
sc_go_tls13_client_cert_not_listed() { CUR=$1; gopair "$1" "-clientca clientCA.crt -clientauth require" -name tls-server.local -ca rootCA.crt -cert rogueClient.crt -key rogueClient.key
    want_rc 1; want_server "client didn't provide a certificate"; }
EXP_PLAIN[go-tls13-client-cert-not-listed]="${EXP_PLAIN[haproxy-tls13-client-cert-missing]}"
EXP_KEYS[go-tls13-client-cert-not-listed]="1 outcome failed
# decrypted: Go's client holds rogueClient.crt but its issuer is not in the CertificateRequest's
# list (clientCA), so it sends an empty Certificate; the server's certificate_required
1 diag.0 CLIENT_CERT_MISSING client_certificate server certain"
reg go-tls12-client-cert-not-listed go "TLS 1.2, Go client given rogueClient.crt sends an empty Certificate (CA not listed): bad_certificate"
sc_go_tls12_client_cert_not_listed() { CUR=$1; gopair "$1" "-clientca clientCA.crt -clientauth require -maxver 1.2" -name tls-server.local -ca rootCA.crt -cert rogueClient.crt -key rogueClient.key
    want_rc 1; want_server "client didn't provide a certificate"; want_tshark 'tls.handshake.certificates_length == 0'; }
EXP_PLAIN[go-tls12-client-cert-not-listed]="1 outcome failed
# empty client Certificate in clear (the client had a certificate, of a CA not in the list)
1 diag.0 CLIENT_CERT_MISSING client_certificate server certain"
EXP_KEYS[go-tls12-client-cert-not-listed]="${EXP_PLAIN[go-tls12-client-cert-not-listed]}"

# ---------------------------------------------------------------------------
# PostgreSQL 15 (own cluster in $WORK/pg, port 9432, ssl=on, hostssl ...
# clientcert=verify-full), client psql; key logs: keylog-shim.so on both
# ---------------------------------------------------------------------------
DECODE[pg]="tcp.port==9432,pgsql"
start_pg() {
    [[ " ${STARTED[*]} " == *" pg "* ]] && return 0
    local d=$WORK/pg/data
    rm -rf "$WORK/pg"; mkdir -p "$WORK/pg"; chown postgres: "$WORK/pg"; chmod 755 "$WORK"
    runuser -u postgres -- "$PGBIN/initdb" -D "$d" -A trust -U postgres >/dev/null || die "initdb failed"
    local f
    for f in server-fullchain.crt serverExpired-fullchain.crt server.key clientCA.crt; do
        install -o postgres -m 600 "$PKI/$f" "$d/$f"
    done
    cat >> "$d/postgresql.conf" <<EOC
# captures/real (make-real.sh)
listen_addresses = '127.0.0.1'
port = 9432
unix_socket_directories = '$WORK/pg'
ssl = on
ssl_cert_file = 'server-fullchain.crt'
ssl_key_file = 'server.key'
ssl_ca_file = 'clientCA.crt'
log_connections = on
log_line_prefix = '%m [%p] %r '
EOC
    cat > "$d/pg_hba.conf" <<EOC
local   all all                 trust
hostssl all all 127.0.0.1/32    trust clientcert=verify-full
EOC
    runuser -u postgres -- env LD_PRELOAD="$WORK/keylog-shim.so" SSLKEYLOGFILE="$WORK/server.keylog" \
        "$PGBIN/pg_ctl" -D "$d" -l "$WORK/pg/postgresql.log" -w start >/dev/null || die "postgres did not start"
    runuser -u postgres -- psql -h "$WORK/pg" -p 9432 -qc 'CREATE ROLE client LOGIN' postgres || die "create role"
    STARTED+=(pg)
    LOGS+=("$WORK/pg/postgresql.log")
}
stop_pg() { runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m fast -w stop >/dev/null; }
pg_cert() {  # pg_cert FILE : serve another certificate (reload)
    sed -i "s/^ssl_cert_file = .*/ssl_cert_file = '$1'/" "$WORK/pg/data/postgresql.conf"
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg/data" reload >/dev/null; sleep 0.5
}
PGCONN="host=tls-server.local hostaddr=127.0.0.1 port=9432 dbname=postgres sslmode=verify-full"
pgc() {  # pgc NAME "CONNINFO-EXTRA" : psql -c 'select 1'
    start_pg; cap_start "$CUR" 9432
    server_note "# server: PostgreSQL $($PGBIN/postgres --version | cut -d' ' -f3-), ssl=on, ssl_ca_file=clientCA.crt," \
        "# pg_hba: hostssl all all 127.0.0.1/32 trust clientcert=verify-full; log_connections=on;" \
        "# key log: keylog-shim.so (LD_PRELOAD) on the server and on psql"
    client env LD_PRELOAD="$WORK/keylog-shim.so" SSLKEYLOGFILE="$WORK/$CUR.client.keylog" PGCONNECT_TIMEOUT=5 \
        psql "$PGCONN $2" -Atc 'select 1'
    server_logs; cap_stop
}
reg pg-mtls-ok pg "psql sslmode=verify-full with client.crt (CN=client, user client): select 1"
sc_pg_mtls_ok() { CUR=$1; pgc "$1" "user=client sslrootcert=rootCA.crt sslcert=client.crt sslkey=client.key"
    want_rc 0; want_client '^1$'; want_server 'connection authorized: user=client.*SSL enabled'; }
EXP_PLAIN[pg-mtls-ok]="${EXP_KEYS[nginx-tls13-mtls-ok]}"; EXP_KEYS[pg-mtls-ok]="${EXP_KEYS[nginx-tls13-mtls-ok]}"

reg pg-client-cert-missing pg "psql without a client certificate: TLS completes, then FATAL 'connection requires a valid client certificate'"
sc_pg_client_cert_missing() { CUR=$1; pgc "$1" "user=client sslrootcert=rootCA.crt sslcert=/nonexistent sslkey=/nonexistent"
    want_rc 2; want_client 'connection requires a valid client certificate'
    want_server 'FATAL: .*connection requires a valid client certificate'
    want_tshark 'pgsql.severity == "FATAL"' keys; }
EXP_PLAIN[pg-client-cert-missing]="1 outcome established
# without keys: the SSLRequest/'S' then a complete TLS 1.3 handshake, a short exchange and the
# server's close: a refusal cannot be told from a short session"
EXP_KEYS[pg-client-cert-missing]="1 outcome established
# decrypted: empty client Certificate, then the server's ErrorResponse FATAL 28000
# 'connection requires a valid client certificate' (application-layer refusal)
1 diag.0 CLIENT_CERT_MISSING after_handshake server certain"

reg pg-tls12-client-cert-missing pg "same in TLS 1.2 (ssl_max_protocol_version=TLSv1.2): empty Certificate in clear, FATAL"
sc_pg_tls12_client_cert_missing() { CUR=$1; pgc "$1" "user=client sslrootcert=rootCA.crt sslcert=/nonexistent sslkey=/nonexistent ssl_max_protocol_version=TLSv1.2"
    want_rc 2; want_server 'connection requires a valid client certificate'
    want_tshark 'tls.handshake.certificates_length == 0'; }
EXP_PLAIN[pg-tls12-client-cert-missing]="1 outcome established
# TLS 1.2: the empty client Certificate is in clear, then a short exchange and the server's close
1 diag.0 CLIENT_CERT_MISSING after_handshake server inferred"
EXP_KEYS[pg-tls12-client-cert-missing]="1 outcome established
1 diag.0 CLIENT_CERT_MISSING after_handshake server certain"

reg pg-client-cert-untrusted pg "psql with rogueClient.crt: the server's unknown_ca in the handshake"
sc_pg_client_cert_untrusted() { CUR=$1; pgc "$1" "user=client sslrootcert=rootCA.crt sslcert=rogueClient.crt sslkey=rogueClient.key"
    want_rc 2; want_client 'unknown ca'; want_server 'could not accept SSL connection'; }
EXP_PLAIN[pg-client-cert-untrusted]="${EXP_PLAIN[haproxy-tls13-client-cert-untrusted]}"
EXP_KEYS[pg-client-cert-untrusted]="${EXP_KEYS[haproxy-tls13-client-cert-untrusted]}"

reg pg-client-cert-wrong-user pg "psql user=postgres with client.crt (CN=client): FATAL, clientcert=verify-full CN mismatch"
sc_pg_client_cert_wrong_user() { CUR=$1; pgc "$1" "user=postgres sslrootcert=rootCA.crt sslcert=client.crt sslkey=client.key"
    want_rc 2; want_server 'CN mismatch'; want_server 'FATAL: .*authentication failed'; want_tshark 'pgsql.severity == "FATAL"' keys; }
EXP_PLAIN[pg-client-cert-wrong-user]="${EXP_PLAIN[pg-client-cert-missing]}"
EXP_KEYS[pg-client-cert-wrong-user]="1 outcome established
# decrypted: a valid client.crt (CN=client) but user postgres: FATAL 28000 from the server
# (authentication, not a TLS certificate problem); judgment call: CLIENT_CERT_REJECTED
1 diag.0 CLIENT_CERT_REJECTED after_handshake server certain"

reg pg-server-untrusted pg "psql sslrootcert=clientCA.crt (wrong root): client's unknown_ca"
sc_pg_server_untrusted() { CUR=$1; pgc "$1" "user=client sslrootcert=clientCA.crt sslcert=client.crt sslkey=client.key"
    want_rc 2; want_client 'certificate verify failed'; want_tshark 'tls.alert_message.desc == 48'; }
EXP_PLAIN[pg-server-untrusted]="${EXP_PLAIN[nginx-tls13-server-untrusted]}"
EXP_KEYS[pg-server-untrusted]="${EXP_KEYS[nginx-tls13-server-untrusted]}"

reg pg-hostname-mismatch pg "psql host=wrong.local: libpq checks the name after the handshake and closes"
sc_pg_hostname_mismatch() { CUR=$1; PGCONN=${PGCONN/tls-server.local/wrong.local} pgc "$1" "user=client sslrootcert=rootCA.crt sslcert=client.crt sslkey=client.key"
    want_rc 2; want_client 'does not match host name "wrong.local"'; }
EXP_PLAIN[pg-hostname-mismatch]="${EXP_PLAIN[nginx-tls13-hostname-mismatch]}"
EXP_KEYS[pg-hostname-mismatch]="1 outcome failed
# decrypted: SNI wrong.local, certificate for DNS:tls-server.local; the client closes after the handshake
1 diag.0 HOSTNAME_MISMATCH after_handshake client certain"

reg pg-server-cert-expired pg "server with serverExpired.crt: psql's certificate_expired"
sc_pg_server_cert_expired() { CUR=$1; start_pg; pg_cert serverExpired-fullchain.crt
    pgc "$1" "user=client sslrootcert=rootCA.crt sslcert=client.crt sslkey=client.key"
    pg_cert server-fullchain.crt
    want_rc 2; want_client 'certificate has expired|certificate verify failed'; want_tshark 'tls.alert_message.desc == 45'; }
EXP_PLAIN[pg-server-cert-expired]="${EXP_PLAIN[nginx-tls13-server-cert-expired]}"
EXP_KEYS[pg-server-cert-expired]="${EXP_KEYS[nginx-tls13-server-cert-expired]}"

# ---------------------------------------------------------------------------
# Apache 2.4 mod_ssl (port 9460): client certificate only for /secure:
# TLS 1.2 renegotiation, TLS 1.3 post-handshake authentication
# ---------------------------------------------------------------------------
DECODE[apache]="tls.port==9460,http"
start_apache() {
    [[ " ${STARTED[*]} " == *" apache "* ]] && return 0
    subst "$HERE/conf/apache.conf" "$WORK/apache.conf"
    mkdir -p "$WORK/www/secure"; echo public > "$WORK/www/index.txt"; echo secret > "$WORK/www/secure/index.txt"
    chmod -R a+rX "$WORK/www"
    : > "$WORK/apache-error.log"; : > "$WORK/apache-access.log"
    env LD_PRELOAD="$WORK/keylog-shim.so" SSLKEYLOGFILE="$WORK/server.keylog" \
        apache2 -f "$WORK/apache.conf" -k start || die "apache2 did not start"
    wait_for 50 port_listening 9460 || { cat "$WORK/apache-error.log" >&2; die "apache not listening"; }
    STARTED+=(apache)
    LOGS+=("$WORK/apache-error.log" "$WORK/apache-access.log")
}
stop_apache() {
    local pid; pid=$(cat "$WORK/apache.pid" 2>/dev/null) || return 0
    kill -TERM "$pid"; wait_for 50 bash -c "! kill -0 $pid 2>/dev/null"
}
apa() {  # apa NAME CURL-ARGS...
    shift
    start_apache; cap_start "$CUR" 9460
    server_note "# server: $(apache2 -v | head -1 | cut -d' ' -f3), config captures/real/conf/apache.conf (SSLVerifyClient require in <Location /secure> only)" \
        "# error log at LogLevel info ssl:info; key log: keylog-shim.so (LD_PRELOAD)"
    curl_c "$@"
    server_logs; cap_stop
}
URL=https://tls-server.local:9460/secure/index.txt
reg apache-tls12-reneg-ok apache "TLS 1.2, GET /secure with client.crt: renegotiation (HelloRequest, 2nd handshake with the client certificate), 200"
sc_apache_tls12_reneg_ok() { CUR=$1; apa "$1" --tls-max 1.2 $URL $(res 9460) "${MTLS[@]}"
    want_rc 0; want_client '< HTTP/1.1 200'; want_server 'secure/index.txt HTTP/1.1" 200 TLSv1.2.*client_verify=SUCCESS'
    want_tshark 'tls.handshake.type == 0' keys; }
EXP_PLAIN[apache-tls12-reneg-ok]="1 outcome established
# a renegotiation: the second handshake is encrypted; healthy, no diagnosis"
EXP_KEYS[apache-tls12-reneg-ok]="1 outcome established
# decrypted: HelloRequest, second handshake with CertificateRequest and client.crt; healthy"

reg apache-tls12-reneg-no-cert apache "TLS 1.2, GET /secure without a certificate: renegotiation, empty Certificate, the server refuses"
sc_apache_tls12_reneg_no_cert() { CUR=$1; apa "$1" --tls-max 1.2 $URL $(res 9460) --cacert rootCA.crt
    want_rc nonzero; want_server 'peer did not return a certificate|No required SSL certificate|handshake fail'
    want_tshark 'tls.handshake.type == 0' keys; }
EXP_PLAIN[apache-tls12-reneg-no-cert]="1 outcome failed
# the renegotiation is encrypted; without keys: the server closes after encrypted handshake records
# and an encrypted alert following the client's request
1 diag.0 CLIENT_CERT_REJECTED after_handshake server inferred"
EXP_KEYS[apache-tls12-reneg-no-cert]="1 outcome failed
# decrypted: HelloRequest, 2nd ClientHello, CertificateRequest, an empty client Certificate,
# the server's fatal alert (issue 15 point 6: a late empty Certificate is CLIENT_CERT_MISSING)
1 diag.0 CLIENT_CERT_MISSING client_certificate server certain"

reg apache-tls12-reneg-untrusted apache "TLS 1.2, GET /secure with rogueClient.crt: renegotiation, the server's unknown_ca"
sc_apache_tls12_reneg_untrusted() { CUR=$1; apa "$1" --tls-max 1.2 $URL $(res 9460) --cacert rootCA.crt --cert rogueClient.crt --key rogueClient.key
    want_rc nonzero; want_server 'Certificate Verification: Error|unable to get local issuer|verify'; }
EXP_PLAIN[apache-tls12-reneg-untrusted]="${EXP_PLAIN[apache-tls12-reneg-no-cert]}"
EXP_KEYS[apache-tls12-reneg-untrusted]="1 outcome failed
# decrypted: renegotiation, rogueClient.crt, the server's fatal alert
1 diag.0 CLIENT_CERT_UNTRUSTED client_certificate server certain"

reg apache-tls13-pha-ok apache "TLS 1.3, GET /secure with client.crt: post-handshake CertificateRequest, 200"
sc_apache_tls13_pha_ok() { CUR=$1; apa "$1" $URL $(res 9460) "${MTLS[@]}"
    want_rc 0; want_client '< HTTP/1.1 200'; want_server 'TLSv1.3.*client_verify=SUCCESS'
    want_tshark 'tls.handshake.type == 13' keys; }
EXP_PLAIN[apache-tls13-pha-ok]="1 outcome established
# healthy; the post-handshake authentication is encrypted"
EXP_KEYS[apache-tls13-pha-ok]="1 outcome established
# decrypted: a CertificateRequest after the handshake, the client's Certificate, CertificateVerify,
# Finished; healthy"

reg apache-tls13-pha-no-cert apache "TLS 1.3, GET /secure without a certificate: post-handshake CertificateRequest, empty Certificate, refused"
sc_apache_tls13_pha_no_cert() { CUR=$1; apa "$1" $URL $(res 9460) --cacert rootCA.crt
    want_server 'peer did not return a certificate|certificate|403'
    want_tshark 'tls.handshake.type == 13' keys; }
EXP_PLAIN[apache-tls13-pha-no-cert]="1 outcome failed
# everything after the ServerHello is encrypted; the server ends the connection after the request
1 diag.0 CLIENT_CERT_REJECTED after_handshake server inferred"
EXP_KEYS[apache-tls13-pha-no-cert]="1 outcome failed
# decrypted: a late CertificateRequest, an empty client Certificate, the server's refusal
1 diag.0 CLIENT_CERT_MISSING client_certificate server certain"

reg apache-tls13-no-pha apache "TLS 1.3, s_client without -enable_pha GET /secure: Apache answers 403 (cannot perform PHA)"
sc_apache_tls13_no_pha() { CUR=$1; start_apache; cap_start "$1" 9460
    server_note "# server: $(apache2 -v | head -1 | cut -d' ' -f3), config captures/real/conf/apache.conf" "# key log: keylog-shim.so (LD_PRELOAD)"
    client_stdin 'GET /secure/index.txt HTTP/1.1\r\nHost: tls-server.local\r\nConnection: close\r\n\r\n' \
        openssl s_client -connect 127.0.0.1:9460 -servername tls-server.local -CAfile rootCA.crt \
        -cert client.crt -key client.key -keylogfile "$WORK/$1.client.keylog" -ign_eof
    server_logs; cap_stop
    want_client 'HTTP/1.1 403'; want_server 'Post-Handshake|post-handshake|403'; }
EXP_PLAIN[apache-tls13-no-pha]="1 outcome established
# without keys: a short exchange after the handshake; nothing tells a refusal"
EXP_KEYS[apache-tls13-no-pha]="1 outcome established
# decrypted: no post_handshake_auth in the ClientHello, HTTP 403 Forbidden: the server could
# not ask for the certificate; judgment call: CLIENT_CERT_MISSING
1 diag.0 CLIENT_CERT_MISSING after_handshake server certain"

# ---------------------------------------------------------------------------
# SMTP STARTTLS (smtp-peer.py: a minimal Python server and smtplib client,
# Python's ssl module, keylog_filename on both sides), port 9425
# ---------------------------------------------------------------------------
DECODE[smtp]="tcp.port==9425,smtp"
smtp() {  # smtp NAME "SERVER-ARGS" CLIENT-ARGS...
    local sargs=$2; shift 2
    cap_start "$CUR" 9425
    server_note "# server: captures/real/smtp-peer.py (Python $(python3 -c 'import sys,ssl;print(sys.version.split()[0], ssl.OPENSSL_VERSION)'))" \
        "\$ cd captures/lab && smtp-peer.py server 9425 $sargs"
    (cd "$PKI" && exec env SSLKEYLOGFILE="$WORK/server.keylog" TMPDIR="$WORK" python3 "$HERE/smtp-peer.py" server 9425 $sargs) >> "$WORK/$CUR.server.txt" 2>&1 &
    local spid=$!
    wait_for 50 port_listening 9425 || die "$CUR: smtp server not listening"
    client python3 "$HERE/smtp-peer.py" client 9425 "$@"
    wait_for 50 bash -c "! kill -0 $spid 2>/dev/null" || kill "$spid"
    wait "$spid" 2>/dev/null || true
    cap_stop
}
reg smtp-starttls-ok smtp "smtplib EHLO/STARTTLS/MAIL/RCPT/DATA/QUIT, server verified by name"
sc_smtp_starttls_ok() { CUR=$1; smtp "$1" "server.crt server.key intermediateCA.crt" tls-server.local rootCA.crt "$WORK/$1.client.keylog"
    want_rc 0; want_client '^sent$'; want_server 'TLS established'; want_server '221'; }
EXP_PLAIN[smtp-starttls-ok]="${EXP_KEYS[nginx-tls13-mtls-ok]}"; EXP_KEYS[smtp-starttls-ok]="${EXP_KEYS[nginx-tls13-mtls-ok]}"
reg smtp-starttls-server-untrusted smtp "smtplib trusting only clientCA.crt: the client's unknown_ca after STARTTLS"
sc_smtp_starttls_server_untrusted() { CUR=$1; smtp "$1" "server.crt server.key intermediateCA.crt" tls-server.local clientCA.crt "$WORK/$1.client.keylog"
    want_rc 1; want_client 'CERTIFICATE_VERIFY_FAILED'; want_tshark 'tls.alert_message.desc == 48'; }
EXP_PLAIN[smtp-starttls-server-untrusted]="${EXP_PLAIN[nginx-tls13-server-untrusted]}"
EXP_KEYS[smtp-starttls-server-untrusted]="${EXP_KEYS[nginx-tls13-server-untrusted]}"
reg smtp-starttls-hostname-mismatch smtp "smtplib checking the name mail.example (SNI mail.example): Python's client aborts in the handshake"
sc_smtp_starttls_hostname_mismatch() { CUR=$1; smtp "$1" "server.crt server.key intermediateCA.crt" mail.example rootCA.crt "$WORK/$1.client.keylog"
    want_rc 1; want_client "Hostname mismatch|doesn't match"; }
EXP_PLAIN[smtp-starttls-hostname-mismatch]="1 outcome failed
# the client's plaintext alert right after the server's flight (OpenSSL checks the name in the handshake)
1 diag.0 SERVER_CERT_REJECTED server_certificate client inferred"
EXP_KEYS[smtp-starttls-hostname-mismatch]="1 outcome failed
# decrypted: SNI mail.example, certificate for DNS:tls-server.local
1 diag.0 HOSTNAME_MISMATCH server_certificate client certain"
reg smtp-starttls-client-cert-missing smtp "server requires a client certificate (CERT_REQUIRED), smtplib has none: certificate_required"
sc_smtp_starttls_client_cert_missing() { CUR=$1; smtp "$1" "server.crt server.key intermediateCA.crt clientCA.crt" tls-server.local rootCA.crt "$WORK/$1.client.keylog"
    want_rc 1; want_server 'TLS handshake failed: .*PEER_DID_NOT_RETURN_A_CERTIFICATE|peer did not return a certificate'; }
EXP_PLAIN[smtp-starttls-client-cert-missing]="${EXP_PLAIN[haproxy-tls13-client-cert-missing]}"
EXP_KEYS[smtp-starttls-client-cert-missing]="${EXP_KEYS[haproxy-tls13-client-cert-missing]}"

# ---------------------------------------------------------------------------
# Chromium headless (--no-sandbox, as root), SSLKEYLOGFILE, against nginx;
# rootCA.crt trusted through an NSS database in a throw-away HOME
# ---------------------------------------------------------------------------
DECODE[chromium]="tls.port==9443,http tls.port==9445,http tls.port==9447,http"
chrome() {  # chrome NAME PORT URL-HOST TRUST(yes|no)
    local port=$2 host=$3 trust=$4
    start_nginx
    local home=$WORK/chrome-home
    rm -rf "$home"; mkdir -p "$home/.pki/nssdb"
    if [[ $trust == yes ]]; then
        certutil -N -d "sql:$home/.pki/nssdb" --empty-password
        certutil -A -d "sql:$home/.pki/nssdb" -n lab-rootCA -t "C,," -i "$PKI/rootCA.crt"
    fi
    cap_start "$CUR" "$port"; nginx_note "port $port"
    client env HOME="$home" SSLKEYLOGFILE="$WORK/$CUR.client.keylog" chromium --headless=new --no-sandbox \
        --disable-gpu --no-first-run --disable-background-networking --disable-component-update \
        --disable-sync --disable-features=NetworkTimeServiceQuerying,OptimizationHints \
        --user-data-dir="$home/profile" --host-resolver-rules="MAP $host 127.0.0.1" \
        --dump-dom "https://$host:$port/"
    server_logs; cap_stop
    sed -i '/ERROR:dbus\//d' "$OUT/$CUR.client.txt"
}
reg chromium-ok chromium "Chromium headless, rootCA trusted (NSS db), GET / on nginx 9447: 200"
sc_chromium_ok() { CUR=$1; chrome "$1" 9447 tls-server.local yes
    want_client 'hello'; want_server '" 200 '; }
EXP_PLAIN[chromium-ok]="# healthy; "*": every connection Chromium opened (it opens more than one)
* outcome established"
EXP_KEYS[chromium-ok]="${EXP_PLAIN[chromium-ok]}"
reg chromium-server-untrusted chromium "Chromium without the lab root: ERR_CERT_AUTHORITY_INVALID"
sc_chromium_server_untrusted() { CUR=$1; chrome "$1" 9447 tls-server.local no
    want_client 'ERR_CERT_AUTHORITY_INVALID'; }
EXP_PLAIN[chromium-server-untrusted]="* outcome failed
# Chromium's (BoringSSL) alert after the server's flight, encrypted or not: see the facts
* diag.0 SERVER_CERT_REJECTED server_certificate client inferred"
EXP_KEYS[chromium-server-untrusted]="* outcome failed
* diag.0 SERVER_CERT_UNTRUSTED server_certificate client certain"
reg chromium-hostname-mismatch chromium "Chromium, https://wrong.local:9447: ERR_CERT_COMMON_NAME_INVALID"
sc_chromium_hostname_mismatch() { CUR=$1; chrome "$1" 9447 wrong.local yes
    want_client 'ERR_CERT_COMMON_NAME_INVALID'; }
EXP_PLAIN[chromium-hostname-mismatch]="${EXP_PLAIN[chromium-server-untrusted]}"
EXP_KEYS[chromium-hostname-mismatch]="* outcome failed
* diag.0 HOSTNAME_MISMATCH server_certificate client certain"
reg chromium-server-cert-expired chromium "Chromium, nginx 9445 (serverExpired.crt): ERR_CERT_DATE_INVALID"
sc_chromium_server_cert_expired() { CUR=$1; chrome "$1" 9445 tls-server.local yes
    want_client 'ERR_CERT_DATE_INVALID'; }
EXP_PLAIN[chromium-server-cert-expired]="${EXP_PLAIN[chromium-server-untrusted]}"
EXP_KEYS[chromium-server-cert-expired]="* outcome failed
* diag.0 SERVER_CERT_EXPIRED server_certificate client certain"
reg chromium-client-cert-missing chromium "Chromium (no client certificate) on nginx 9443 (ssl_verify_client on): HTTP 400"
sc_chromium_client_cert_missing() { CUR=$1; chrome "$1" 9443 tls-server.local yes
    want_client 'No required SSL certificate was sent'; want_server 'client sent no required SSL certificate'; }
EXP_PLAIN[chromium-client-cert-missing]="# connections 1 and 2: Chromium, asked for a certificate it has not got, drops the
# connection right after the server's flight (FIN, no alert); the CertificateRequest is
# encrypted: only the side and the step are known
1 outcome failed
1 diag.0 HANDSHAKE_ABORTED server_certificate client inferred
2 outcome failed
2 diag.0 HANDSHAKE_ABORTED server_certificate client inferred
# connections 3 and 4: the retry without a certificate: complete handshake, short exchange,
# server's close: indistinguishable from a short success without keys
3 outcome established
4 outcome established"
EXP_KEYS[chromium-client-cert-missing]="# connections 1 and 2: the client abandons the handshake after the CertificateRequest
1 outcome failed
1 diag.0 CLIENT_ABORTED_AFTER_CERT_REQUEST client_certificate client certain
2 outcome failed
2 diag.0 CLIENT_ABORTED_AFTER_CERT_REQUEST client_certificate client certain
# connections 3 and 4: empty client Certificate, HTTP 400 'No required SSL certificate was sent'
3 outcome established
3 diag.0 CLIENT_CERT_MISSING after_handshake server certain
4 outcome established
4 diag.0 CLIENT_CERT_MISSING after_handshake server certain"

main "$@"
