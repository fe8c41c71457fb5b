#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make-starttls.sh -- tlsdiag's real-server lab, issue 17: TLS inside other
# protocols.  Real STARTTLS upgrades and refusals between Debian 12's own
# servers and clients (dovecot IMAP and POP3, vsftpd, slapd, PostgreSQL 15,
# MariaDB, prosody, and smtp-peer.py for SMTP), recorded over loopback
# under tcpdump, one connection per capture, key logs kept, the lab PKI of
# captures/lab/.  Same layout and steps as make-real.sh (real-lib.sh);
# see README.md beside this file.
#
# Usage (as root: tcpdump, and the servers' users):
#   make-starttls.sh list | capture [NAME...] | facts [NAME...] | table | packages
#   make-starttls.sh --install ...    apt-get install the packages first
#
# Every server runs from $WORK (default /tmp/tlsdiag-real) with its own
# configuration written here; /etc is only what the package installs put
# there (the services the packages start are not used: stop them).
# Ports (127.0.0.1 only): 9425 SMTP, 9143 IMAP, 9110 POP3, 9021 FTP,
# 9389 LDAP, 9433 PostgreSQL, 9306 MariaDB, 9222 XMPP, 9223 XMPP without TLS.
# Facts: facts.py --starttls (the plaintext steps from tshark's dissectors).
# Expectation lines add "N starttls PROTO" and "N starttls_result R" (issue 17).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LIB_NAME=make-starttls
PACKAGES="dovecot-imapd dovecot-pop3d vsftpd slapd ldap-utils postgresql-15 postgresql-client-15
          mariadb-server mariadb-client prosody gnutls-bin tcpdump tshark curl openssl python3 gcc libc6-dev
          libssl-dev iproute2"
PGBIN=/usr/lib/postgresql/15/bin
CAPTURE_TOOLS="tcpdump tshark curl openssl python3 cc ss unshare dovecot vsftpd slapd ldapsearch mariadbd mariadb mariadb-install-db psql gnutls-cli prosody $PGBIN/postgres"
EXP_ISSUE="issue 17"
FACTS_ARGS=(--starttls)
# shellcheck source=real-lib.sh
. "$HERE/real-lib.sh"

want_tshark_plain() {  # want_tshark_plain FILTER : as want_tshark, with the peer's PLAIN_DECODE
    local d=() x
    for x in ${PLAIN_DECODE[${PEER[$CUR]}]:-}; do d+=(-d "$x"); done
    [[ -n $(tshark -r "$OUT/$CUR.pcap" "${d[@]}" -Y "$1" 2>/dev/null) ]] || die "$CUR: no frame matches '$1' (plain)"
}

# The expectation comments common to several scenarios.
NO_TLS="# no TLS record at all: the upgrade never happened, so no handshake completed
# for the client: outcome failed (the connection did not give the client the TLS it asked for)"

# ---------------------------------------------------------------------------
# SMTP: smtp-peer.py (--starttls=offer|absent|refuse), port 9425; client
# curl (smtp://, --ssl-reqd: TLS required; --ssl: TLS if possible)
# ---------------------------------------------------------------------------
DECODE[smtp]="tcp.port==9425,smtp"
smtp_server() {  # smtp_server MODE [OPTION CLIENTCA] : one session of smtp-peer.py in the background
    local mode=$1 opt=() ca=()
    [[ -z ${2:-} ]] || opt=("$2")
    [[ -z ${3:-} ]] || ca=("$3")
    server_note "# server: captures/real/smtp-peer.py (Python $(python3 -c 'import sys,ssl;print(sys.version.split()[0], ssl.OPENSSL_VERSION)'))" \
        "\$ cd captures/lab && smtp-peer.py server --starttls=$mode${opt[*]:+ ${opt[*]}} 9425 server.crt server.key intermediateCA.crt${ca[*]:+ ${ca[*]}}"
    (cd "$PKI" && exec env SSLKEYLOGFILE="$WORK/server.keylog" TMPDIR="$WORK" python3 "$HERE/smtp-peer.py" \
        server --starttls="$mode" ${opt[@]+"${opt[@]}"} 9425 server.crt server.key intermediateCA.crt ${ca[@]+"${ca[@]}"}) \
        >> "$WORK/$CUR.server.txt" 2>&1 &
    SMTP_PID=$!
    wait_for 50 port_listening 9425 || die "$CUR: smtp server not listening"
}
smtp_curl() {  # smtp_curl MODE CURL-ARGS... : curl sends one mail to smtp-peer.py
    local mode=$1; shift
    cap_start "$CUR" 9425
    smtp_server "$mode"
    printf 'Subject: lab\r\n\r\nhello\r\n' > "$WORK/mail.txt"
    client env SSLKEYLOGFILE="$WORK/$CUR.client.keylog" curl -v -sS --max-time 10 "$@" \
        smtp://127.0.0.1:9425/client.local --mail-from a@client.local --mail-rcpt b@tls-server.local \
        -T "$WORK/mail.txt"
    wait_for 50 bash -c "! kill -0 $SMTP_PID 2>/dev/null" || kill "$SMTP_PID"
    wait "$SMTP_PID" 2>/dev/null || true
    cap_stop
}

reg starttls-smtp-not-offered smtp "server's EHLO lacks STARTTLS; curl --ssl-reqd gives up ('STARTTLS not supported') and closes"
sc_starttls_smtp_not_offered() { CUR=$1; smtp_curl absent --ssl-reqd
    want_rc 64; want_client 'STARTTLS not supported'; want_server '250 8BITMIME'
    want_tshark 'smtp.response.code == 250'; }
EXP_PLAIN[starttls-smtp-not-offered]="$NO_TLS
1 outcome failed
1 starttls smtp
# the server's EHLO answer lists no STARTTLS and the client never sent it: not_offered
1 starttls_result not_offered
# the capabilities are in clear; the client (which requires TLS) closes right after them
1 diag.0 STARTTLS_NOT_OFFERED starttls client certain"
EXP_KEYS[starttls-smtp-not-offered]="${EXP_PLAIN[starttls-smtp-not-offered]}"

reg starttls-smtp-refused smtp "server lists STARTTLS but answers it 454 4.7.0; curl --ssl-reqd gives up ('STARTTLS denied')"
sc_starttls_smtp_refused() { CUR=$1; smtp_curl refuse --ssl-reqd
    want_rc 64; want_client 'STARTTLS denied, code 454'; want_server 'S: 454 '
    want_tshark 'smtp.response.code == 454'; }
EXP_PLAIN[starttls-smtp-refused]="$NO_TLS
1 outcome failed
1 starttls smtp
# the client sent STARTTLS, the server answered 454 (in clear): refused
1 starttls_result refused
# the server said no, in clear; the client (TLS required) then closes
1 diag.0 STARTTLS_REFUSED starttls server certain"
EXP_KEYS[starttls-smtp-refused]="${EXP_PLAIN[starttls-smtp-refused]}"

reg starttls-smtp-plaintext-after-refusal smtp "server answers STARTTLS 454; curl --ssl (TLS if possible) goes on: MAIL FROM, RCPT TO, DATA in clear"
sc_starttls_smtp_plaintext_after_refusal() { CUR=$1; smtp_curl refuse --ssl
    want_rc 0; want_server 'S: 454 '; want_server 'C: MAIL FROM'; want_server '250 2.0.0 Ok: queued'
    want_tshark 'smtp.req.command == "MAIL"'; }
EXP_PLAIN[starttls-smtp-plaintext-after-refusal]="$NO_TLS
1 outcome failed
1 starttls smtp
1 starttls_result refused
# the server refused the upgrade in cleartext: that refusal is the cause (diag.0,
# the server ended the upgrade); the client then went on in cleartext, the security
# finding, which follows it as a second error (diag.1: nobody gave up, the client
# went on)
1 diag.0 STARTTLS_REFUSED starttls server certain
1 diag.1 PLAINTEXT_AFTER_TLS_FAILURE starttls nobody certain"
EXP_KEYS[starttls-smtp-plaintext-after-refusal]="${EXP_PLAIN[starttls-smtp-plaintext-after-refusal]}"

reg starttls-smtp-not-used smtp "server lists STARTTLS; curl smtp:// without --ssl never asks: MAIL FROM, RCPT TO, DATA in clear"
sc_starttls_smtp_not_used() { CUR=$1; smtp_curl offer
    want_rc 0; want_server 'S: 250 STARTTLS'; want_server 'C: MAIL FROM'; want_server '250 2.0.0 Ok: queued'
    want_tshark 'smtp.req.command == "MAIL"'; }
EXP_PLAIN[starttls-smtp-not-used]="# no TLS record at all: the client never asked for TLS, so none was made; the connection is
# reported failed, as every STARTTLS exchange that closed without TLS
1 outcome failed
1 starttls smtp
# the EHLO reply lists STARTTLS; the client never asks and sends MAIL FROM in clear
1 starttls_result not_used
# the client's choice: a warning (no failure of anybody's, a security finding)
1 diag.0 STARTTLS_NOT_USED starttls client certain"
EXP_KEYS[starttls-smtp-not-used]="${EXP_PLAIN[starttls-smtp-not-used]}"

reg starttls-smtp-sclient-ok smtp "openssl s_client -starttls smtp -verify_return_error: EHLO, STARTTLS, 220, TLS 1.3, QUIT inside"
sc_starttls_smtp_sclient_ok() { CUR=$1; cap_start "$1" 9425; smtp_server offer
    client_stdin 'QUIT\r\n' openssl s_client -starttls smtp -connect 127.0.0.1:9425 -servername tls-server.local \
        -CAfile rootCA.crt -verify_return_error -keylogfile "$WORK/$1.client.keylog" -crlf -ign_eof
    wait_for 50 bash -c "! kill -0 $SMTP_PID 2>/dev/null" || kill "$SMTP_PID"
    wait "$SMTP_PID" 2>/dev/null || true
    cap_stop
    want_rc 0; want_client 'Verify return code: 0 \(ok\)'; want_server 'C: STARTTLS'
    want_tshark 'smtp.req.command == "EHLO"'; want_tshark 'smtp.req.command == "QUIT"' keys; }
EXP_PLAIN[starttls-smtp-sclient-ok]="1 outcome established
1 starttls smtp
# STARTTLS in the EHLO answer, the client's STARTTLS answered 220, then the handshake
1 starttls_result upgraded
# healthy: no diagnosis"
EXP_KEYS[starttls-smtp-sclient-ok]="${EXP_PLAIN[starttls-smtp-sclient-ok]}"

# Application-layer errors inside the upgraded session (issue 17 Must 3): the
# handshake stands (outcome established); what the server then says is read
# only with the key log, and it is about the certificate only when its words
# say so (rules_app.c)
reg starttls-smtp-cert-required-after-tls smtp "smtp-peer.py --require-cert-after-tls (CERT_OPTIONAL, clientCA.crt, TLS 1.3): curl smtp:// --ssl-reqd without a certificate; STARTTLS, TLS 1.3, EHLO, MAIL FROM answered '530 5.7.0 Client certificate required' inside TLS"
sc_starttls_smtp_cert_required_after_tls() { CUR=$1; cap_start "$1" 9425
    smtp_server offer --require-cert-after-tls clientCA.crt
    printf 'Subject: lab\r\n\r\nhello\r\n' > "$WORK/mail.txt"
    client env SSLKEYLOGFILE="$WORK/$CUR.client.keylog" curl -v -sS --max-time 10 --ssl-reqd --cacert rootCA.crt \
        smtp://tls-server.local:9425/client.local $(res 9425) --mail-from a@client.local --mail-rcpt b@tls-server.local \
        -T "$WORK/mail.txt"
    wait_for 50 bash -c "! kill -0 $SMTP_PID 2>/dev/null" || kill "$SMTP_PID"
    wait "$SMTP_PID" 2>/dev/null || true
    cap_stop
    want_rc nonzero; want_client '< 530 5.7.0 Client certificate required'
    want_server 'TLS established: TLSv1.3 .*client certificate: no'; want_server 'S: 530 5.7.0'
    # tshark 4.0 splits the command STARTTLS as STAR (see the facts): its 220 answer instead
    want_tshark 'smtp.rsp.parameter contains "Ready to start TLS"'; want_tshark 'tls.handshake.type == 13' keys
    want_tshark 'smtp.response.code == 530' keys; }
EXP_PLAIN[starttls-smtp-cert-required-after-tls]="1 outcome established
1 starttls smtp
# the client's STARTTLS answered 220 (in clear), then the ClientHello
1 starttls_result upgraded
# without keys: a complete TLS 1.3 handshake, a short exchange and the close, as in
# nginx-tls13-client-cert-missing and pg-client-cert-missing: the CertificateRequest, the
# empty Certificate and the 530 are all encrypted, nothing on the wire tells a refusal
# from a short session; no error can be required"
EXP_KEYS[starttls-smtp-cert-required-after-tls]="1 outcome established
# decrypted: the server's CertificateRequest, the client's empty Certificate; inside TLS
# its MAIL FROM is answered '530 5.7.0 Client certificate required': an application-layer
# refusal whose text names a certificate (as nginx's 400 and PostgreSQL's FATAL 28000)
1 diag.0 CLIENT_CERT_MISSING after_handshake server certain
1 starttls smtp
1 starttls_result upgraded"

# ---------------------------------------------------------------------------
# IMAP and POP3: dovecot 2.3, two instances from conf/dovecot.conf:
# "dovecot" (ssl = yes: STARTTLS/STLS offered) on 9143/9110 and
# "dovecot-plain" (ssl = no) on 9144/9111; one user 'lab' (static passdb).
# Clients: curl (imap://, pop3://, --ssl-reqd: TLS required; it reads the
# capabilities first) and openssl s_client -starttls (asks even when the
# capabilities lack it).  Key logs: keylog-shim.so on dovecot (its login
# processes get the environment through import_environment), SSLKEYLOGFILE
# for curl, -keylogfile for s_client.
# ---------------------------------------------------------------------------
DECODE[imap]="tcp.port==9143,imap tcp.port==9144,imap"
DECODE[pop3]="tcp.port==9110,pop tcp.port==9111,pop"
start_dovecot_inst() {  # start_dovecot_inst NAME SSL IMAP-PORT POP3-PORT
    local n=$1
    [[ " ${STARTED[*]} " == *" ${n/-/_} "* ]] && return 0
    rm -rf "$WORK/$n"; mkdir -p "$WORK/$n/home"; chown nobody:nogroup "$WORK/$n/home"
    subst "$HERE/conf/dovecot.conf" "$WORK/$n.conf"
    sed -i -e "s|@NAME@|$n|g" -e "s|@SSL@|$2|g" -e "s|@IMAP@|$3|g" -e "s|@POP3@|$4|g" "$WORK/$n.conf"
    : > "$WORK/$n.log"
    env LD_PRELOAD="$WORK/keylog-shim.so" SSLKEYLOGFILE="$WORK/server.keylog" \
        dovecot -c "$WORK/$n.conf" || die "$n did not start"
    wait_for 50 port_listening "$3" || { cat "$WORK/$n.log" >&2; die "$n not listening"; }
    STARTED+=("${n/-/_}")
    LOGS+=("$WORK/$n.log")
}
stop_dovecot_inst() {
    local pid; pid=$(cat "$WORK/$1/run/master.pid" 2>/dev/null) || return 0
    kill -TERM "$pid"; wait_for 50 bash -c "! kill -0 $pid 2>/dev/null"
}
start_dovecot() { start_dovecot_inst dovecot yes 9143 9110; }
stop_dovecot() { stop_dovecot_inst dovecot; }
start_dovecot_plain() { start_dovecot_inst dovecot-plain no 9144 9111; }
stop_dovecot_plain() { stop_dovecot_inst dovecot-plain; }
dovecot_note() {  # dovecot_note NAME SSL
    server_note "# server: dovecot $(dovecot --version | cut -d' ' -f1), config captures/real/conf/dovecot.conf (instance $1, ssl = $2);" \
        "# its log (log_path); key log: keylog-shim.so (LD_PRELOAD, import_environment)"
}
CURL_STLS=(curl -v -sS --max-time 10 --cacert rootCA.crt)
curl_stls() {  # curl_stls ARGS... : curl with the lab root and SSLKEYLOGFILE
    client env SSLKEYLOGFILE="$WORK/$CUR.client.keylog" "${CURL_STLS[@]}" "$@"
}

reg starttls-imap-ok imap "curl imap:// --ssl-reqd: CAPABILITY, STARTTLS, OK, TLS 1.3, AUTHENTICATE PLAIN and LIST inside"
sc_starttls_imap_ok() { CUR=$1; start_dovecot; cap_start "$1" 9143; dovecot_note dovecot yes
    curl_stls --ssl-reqd -u lab:lab imap://tls-server.local:9143/ $(res 9143)
    server_logs; cap_stop
    want_rc 0; want_client '< A002 OK Begin TLS'; want_client 'LIST'; want_server 'imap-login: Info: Login: user=<lab>.*TLS'
    want_tshark 'imap.request.command == "STARTTLS"'; want_tshark 'imap.request.command == "LIST"' keys; }
EXP_PLAIN[starttls-imap-ok]="1 outcome established
1 starttls imap
# STARTTLS in the CAPABILITY answer, the client's STARTTLS answered OK, then a TLS handshake
1 starttls_result upgraded
# healthy: no diagnosis"
EXP_KEYS[starttls-imap-ok]="${EXP_PLAIN[starttls-imap-ok]}"

reg starttls-imap-not-offered imap "dovecot ssl = no: CAPABILITY lacks STARTTLS; curl --ssl-reqd gives up ('STARTTLS not available') and closes"
sc_starttls_imap_not_offered() { CUR=$1; start_dovecot_plain; cap_start "$1" 9144; dovecot_note dovecot-plain no
    curl_stls --ssl-reqd -u lab:lab imap://tls-server.local:9144/ $(res 9144)
    server_logs; cap_stop
    want_rc 64; want_client 'STARTTLS not available'; want_server 'Disconnected'
    want_tshark 'imap.request.command == "CAPABILITY"'; }
EXP_PLAIN[starttls-imap-not-offered]="$NO_TLS
1 outcome failed
1 starttls imap
# the greeting and the CAPABILITY answer (in clear) lack STARTTLS; the client never asks
1 starttls_result not_offered
# the client, which requires TLS, closes right after the capabilities
1 diag.0 STARTTLS_NOT_OFFERED starttls client certain"
EXP_KEYS[starttls-imap-not-offered]="${EXP_PLAIN[starttls-imap-not-offered]}"

reg starttls-imap-refused imap "dovecot ssl = no: s_client -starttls imap asks anyway, '. BAD TLS support isn't enabled.'; its ClientHello then draws BADs and the server's close"
sc_starttls_imap_refused() { CUR=$1; start_dovecot_plain; cap_start "$1" 9144; dovecot_note dovecot-plain no
    client_stdin 'a1 CAPABILITY\r\na2 LOGOUT\r\n' openssl s_client -starttls imap -connect 127.0.0.1:9144 \
        -servername tls-server.local -CAfile rootCA.crt -verify_return_error -keylogfile "$WORK/$1.client.keylog" -ign_eof
    server_logs; cap_stop
    want_client "Didn't find STARTTLS"; want_server 'Disconnected'
    want_tshark 'imap.response.status == "BAD"'; }
EXP_PLAIN[starttls-imap-refused]="1 outcome failed
1 starttls imap
# the client sent STARTTLS although the capabilities lacked it; the server answered BAD (in clear)
1 starttls_result refused
# the refusal is in clear; the ClientHello the client sent regardless is answered in plaintext
# and the server ends the connection: it is the server that said no
1 diag.0 STARTTLS_REFUSED starttls server certain"
EXP_KEYS[starttls-imap-refused]="${EXP_PLAIN[starttls-imap-refused]}"

# certificate failures after the upgrade: the same rules as make-real.sh's
# nginx-tls13-server-untrusted / -hostname-mismatch (a client alert in the
# handshake names the cause; a close after a complete TLS 1.3 handshake is
# only inferred without the key log)
UNTRUSTED_13="1 outcome failed
# the client's plaintext fatal unknown_ca right after the server's (encrypted) flight
1 diag.0 SERVER_CERT_UNTRUSTED server_certificate client certain"
UNTRUSTED_13_KEYS="1 outcome failed
# decrypted: the chain is server, intermediateCA (no root); the client does not trust it
# (its CA file is clientCA.crt) and says so with unknown_ca
1 diag.0 SERVER_CERT_UNTRUSTED server_certificate client certain"
UPGRADED="# the upgrade itself succeeded (asked, agreed, ClientHello): the failure is TLS's
1 starttls_result upgraded"

reg starttls-imap-server-untrusted imap "curl imap:// --ssl-reqd --cacert clientCA.crt (the wrong CA): STARTTLS answered OK, then curl's unknown_ca in the TLS 1.3 handshake"
sc_starttls_imap_server_untrusted() { CUR=$1; start_dovecot; cap_start "$1" 9143; dovecot_note dovecot yes
    client env SSLKEYLOGFILE="$WORK/$CUR.client.keylog" curl -v -sS --max-time 10 --cacert clientCA.crt \
        --ssl-reqd -u lab:lab imap://tls-server.local:9143/ $(res 9143)
    server_logs; cap_stop
    want_rc 60; want_client '< A002 OK Begin TLS'; want_client 'unable to get local issuer certificate|unknown ca'
    want_tshark 'imap.request.command == "STARTTLS"'; want_tshark 'tls.alert_message.desc == 48'; }
EXP_PLAIN[starttls-imap-server-untrusted]="$UNTRUSTED_13
1 starttls imap
$UPGRADED"
EXP_KEYS[starttls-imap-server-untrusted]="$UNTRUSTED_13_KEYS
1 starttls imap
$UPGRADED"

reg starttls-pop3-ok pop3 "curl pop3:// --ssl-reqd: CAPA (STLS), STLS, +OK, TLS 1.3, AUTH PLAIN and LIST inside"
sc_starttls_pop3_ok() { CUR=$1; start_dovecot; cap_start "$1" 9110; dovecot_note dovecot yes
    curl_stls --ssl-reqd -u lab:lab pop3://tls-server.local:9110/ $(res 9110)
    server_logs; cap_stop
    want_rc 0; want_client '< \+OK Begin TLS'; want_server 'pop3-login: Info: Login: user=<lab>.*TLS'
    want_tshark 'pop.request.command == "STLS"'; }
EXP_PLAIN[starttls-pop3-ok]="1 outcome established
1 starttls pop3
# STLS in the CAPA answer, STLS answered +OK, then the TLS handshake
1 starttls_result upgraded
# healthy: no diagnosis"
EXP_KEYS[starttls-pop3-ok]="${EXP_PLAIN[starttls-pop3-ok]}"

reg starttls-pop3-refused pop3 "dovecot ssl = no: s_client -starttls pop3 sends STLS, '-ERR'; its ClientHello then draws -ERRs"
sc_starttls_pop3_refused() { CUR=$1; start_dovecot_plain; cap_start "$1" 9111; dovecot_note dovecot-plain no
    client_stdin 'CAPA\r\nQUIT\r\n' openssl s_client -starttls pop3 -connect 127.0.0.1:9111 \
        -servername tls-server.local -CAfile rootCA.crt -verify_return_error -keylogfile "$WORK/$1.client.keylog" -ign_eof
    server_logs; cap_stop
    want_tshark 'pop.request.command == "STLS"'; want_tshark 'pop.response.indicator == "-ERR"'; }
EXP_PLAIN[starttls-pop3-refused]="1 outcome failed
1 starttls pop3
# the client's STLS is answered -ERR (in clear)
1 starttls_result refused
1 diag.0 STARTTLS_REFUSED starttls server certain"
EXP_KEYS[starttls-pop3-refused]="${EXP_PLAIN[starttls-pop3-refused]}"

reg starttls-pop3-hostname-mismatch pop3 "curl pop3://wrong.local --ssl-reqd (SNI wrong.local, certificate for tls-server.local): STLS answered +OK, TLS 1.3 completes, curl checks the name and closes"
sc_starttls_pop3_hostname_mismatch() { CUR=$1; start_dovecot; cap_start "$1" 9110; dovecot_note dovecot yes
    curl_stls --ssl-reqd -u lab:lab pop3://wrong.local:9110/ --resolve wrong.local:9110:127.0.0.1
    server_logs; cap_stop
    want_rc 60; want_client '< \+OK Begin TLS'; want_client 'no alternative certificate subject name matches'
    want_tshark 'pop.request.command == "STLS"'; want_tshark 'tls.handshake.type == 20' keys; }
EXP_PLAIN[starttls-pop3-hostname-mismatch]="1 outcome failed
# handshake complete (inferred), then the client closes without a command inside: without
# the certificate nothing names the cause; the client gave up
1 diag.0 SERVER_CERT_REJECTED after_handshake client inferred
1 starttls pop3
$UPGRADED"
EXP_KEYS[starttls-pop3-hostname-mismatch]="1 outcome failed
# decrypted: SNI wrong.local, certificate for DNS:tls-server.local only; the client's
# close_notify right after its Finished, no command inside TLS
1 diag.0 HOSTNAME_MISMATCH after_handshake client certain
1 starttls pop3
$UPGRADED"

# A private /etc/hosts for clients that cannot be told an address for a name
# (ldapsearch, mariadb): a bind mount in a mount namespace of their own
# (unshare -m), so the real /etc/hosts is never touched.
with_hosts() {  # with_hosts: set WITH_HOSTS, a command prefix under which tls-server.local is 127.0.0.1
    [[ -s $WORK/hosts ]] || { cat /etc/hosts; echo "127.0.0.1 tls-server.local wrong.local"; } > "$WORK/hosts"
    WITH_HOSTS=(unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$WORK/hosts")
}

# ---------------------------------------------------------------------------
# FTP: vsftpd 3.0 from conf/vsftpd.conf, anonymous, on 9021 (ssl_enable=YES)
# and 9022 (ssl_enable=NO); client curl --ssl-reqd ftp:// -I (the control
# connection only: MDTM, SIZE, no data connection).  Key log: curl's.
# ---------------------------------------------------------------------------
# tshark 4.0's FTP dissector does not follow AUTH TLS: the TLS view decodes
# the port as TLS (tshark cannot hand TLS data to FTP: tls.port has no ftp); the plaintext steps come from a
# second tshark pass decoding it as FTP (PLAIN_DECODE, facts.py --plain-decode-as)
DECODE[ftp]="tcp.port==9021,tls"
PLAIN_DECODE[ftp]="tcp.port==9021,ftp tcp.port==9022,ftp"
start_vsftpd_port() {  # start_vsftpd_port PORT YES|NO
    local c=$WORK/vsftpd-$1.conf
    mkdir -p "$WORK/ftp-root" "$WORK/ftp-empty"; echo hello > "$WORK/ftp-root/hello.txt"
    chmod 555 "$WORK/ftp-root"; chmod 755 "$WORK/ftp-empty"
    subst "$HERE/conf/vsftpd.conf" "$c"; sed -i -e "s|@PORT@|$1|g" -e "s|@SSL@|$2|g" "$c"
    : > "$WORK/vsftpd-$1.log"
    env LD_PRELOAD="$WORK/keylog-shim.so" SSLKEYLOGFILE="$WORK/server.keylog" vsftpd "$c" || die "vsftpd $1 did not start"
    wait_for 50 port_listening "$1" || die "vsftpd not listening on $1"
    LOGS+=("$WORK/vsftpd-$1.log")
}
stop_vsftpd_port() {  # the listener's pid, from ss (vsftpd background=YES writes no pid file)
    local p
    for p in $(ss -Hltnp "sport = :$1" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do kill -TERM "$p"; done
}
start_vsftpd() { [[ " ${STARTED[*]} " == *" vsftpd "* ]] || { start_vsftpd_port 9021 YES; STARTED+=(vsftpd); }; }
stop_vsftpd() { stop_vsftpd_port 9021; }
start_vsftpd_plain() { [[ " ${STARTED[*]} " == *" vsftpd_plain "* ]] || { start_vsftpd_port 9022 NO; STARTED+=(vsftpd_plain); }; }
stop_vsftpd_plain() { stop_vsftpd_port 9022; }
vsftpd_note() {
    server_note "# server: vsftpd $(dpkg-query -W -f='${Version}' vsftpd), config captures/real/conf/vsftpd.conf (port $1, ssl_enable=$2);" \
        "# its log (log_ftp_protocol=YES); key log: keylog-shim.so (LD_PRELOAD; the session processes may not write it: curl's has the keys)"
}

reg starttls-ftp-ok ftp "curl --ssl-reqd ftp:// -I: AUTH SSL answered 234, TLS 1.3, USER/PBSZ/PROT/MDTM/SIZE inside"
sc_starttls_ftp_ok() { CUR=$1; start_vsftpd; cap_start "$1" 9021; vsftpd_note 9021 YES
    curl_stls --ssl-reqd -I ftp://tls-server.local:9021/hello.txt $(res 9021)
    server_logs; cap_stop
    want_rc 0; want_client '< 234 Proceed'; want_client 'Content-Length: 6'; want_server 'OK LOGIN'
    want_tshark_plain 'ftp.response.code == 234'; want_tshark 'tls.handshake.type == 20' keys; }
EXP_PLAIN[starttls-ftp-ok]="1 outcome established
1 starttls ftp
# AUTH SSL (the older name of AUTH TLS) answered 234, then the TLS handshake
1 starttls_result upgraded
# healthy: no diagnosis"
EXP_KEYS[starttls-ftp-ok]="${EXP_PLAIN[starttls-ftp-ok]}"

reg starttls-ftp-refused ftp "vsftpd ssl_enable=NO: AUTH SSL and AUTH TLS answered 530; curl --ssl-reqd gives up"
sc_starttls_ftp_refused() { CUR=$1; start_vsftpd_plain; cap_start "$1" 9022; vsftpd_note 9022 NO
    curl_stls --ssl-reqd -I ftp://tls-server.local:9022/hello.txt $(res 9022)
    server_logs; cap_stop
    want_rc 64; want_client '< 530 '; want_client 'AUTH TLS'
    want_tshark_plain 'ftp.response.code == 530'; }
EXP_PLAIN[starttls-ftp-refused]="$NO_TLS
1 outcome failed
1 starttls ftp
# AUTH SSL, then AUTH TLS, each answered 530 (in clear): refused
1 starttls_result refused
1 diag.0 STARTTLS_REFUSED starttls server certain"
EXP_KEYS[starttls-ftp-refused]="${EXP_PLAIN[starttls-ftp-refused]}"

reg starttls-ftp-server-untrusted ftp "curl --ssl-reqd ftp:// --cacert clientCA.crt (the wrong CA): AUTH SSL answered 234, then curl's unknown_ca in the TLS 1.3 handshake"
sc_starttls_ftp_server_untrusted() { CUR=$1; start_vsftpd; cap_start "$1" 9021; vsftpd_note 9021 YES
    client env SSLKEYLOGFILE="$WORK/$CUR.client.keylog" curl -v -sS --max-time 10 --cacert clientCA.crt \
        --ssl-reqd -I ftp://tls-server.local:9021/hello.txt $(res 9021)
    server_logs; cap_stop
    want_rc 60; want_client '< 234 Proceed'
    want_tshark_plain 'ftp.response.code == 234'; want_tshark 'tls.alert_message.desc == 48'; }
EXP_PLAIN[starttls-ftp-server-untrusted]="$UNTRUSTED_13
1 starttls ftp
$UPGRADED"
EXP_KEYS[starttls-ftp-server-untrusted]="$UNTRUSTED_13_KEYS
1 starttls ftp
$UPGRADED"

# ---------------------------------------------------------------------------
# LDAP: slapd 2.5 (GnuTLS) from conf/slapd.conf, 9389 (TLSCertificateFile:
# StartTLS works) and 9390 (no TLS configured); client ldapsearch (GnuTLS)
# -ZZ (StartTLS required) or -Z (StartTLS tried; on failure it goes on),
# LDAPTLS_CACERT=rootCA.crt, anonymous search of the root DSE.  Key logs:
# SSLKEYLOGFILE on both (GnuTLS honours it).
# ---------------------------------------------------------------------------
DECODE[ldap]="tcp.port==9389,ldap tcp.port==9390,ldap"
start_slapd_inst() {  # start_slapd_inst NAME PORT tls|notls
    local n=$1
    rm -rf "${WORK:?}/$n"; mkdir -p "$WORK/$n/db"
    subst "$HERE/conf/slapd.conf" "$WORK/$n.conf"; sed -i "s|@NAME@|$n|g" "$WORK/$n.conf"
    [[ $3 == tls ]] || sed -i '/^TLS/d' "$WORK/$n.conf"
    : > "$WORK/$n.log"
    env SSLKEYLOGFILE="$WORK/server.keylog" slapd -f "$WORK/$n.conf" -h "ldap://127.0.0.1:$2/" -d stats \
        >> "$WORK/$n.log" 2>&1 &
    wait_for 100 port_listening "$2" || { cat "$WORK/$n.log" >&2; die "$n not listening"; }
    LOGS+=("$WORK/$n.log")
}
stop_slapd_inst() {
    local pid; pid=$(cat "$WORK/$1/slapd.pid" 2>/dev/null) || return 0
    kill -TERM "$pid"; wait_for 50 bash -c "! kill -0 $pid 2>/dev/null"
}
start_slapd() { [[ " ${STARTED[*]} " == *" slapd "* ]] || { start_slapd_inst slapd 9389 tls; STARTED+=(slapd); }; }
stop_slapd() { stop_slapd_inst slapd; }
start_slapd_plain() { [[ " ${STARTED[*]} " == *" slapd_plain "* ]] || { start_slapd_inst slapd-plain 9390 notls; STARTED+=(slapd_plain); }; }
stop_slapd_plain() { stop_slapd_inst slapd-plain; }
slapd_note() {
    server_note "# server: slapd $(dpkg-query -W -f='${Version}' slapd) (GnuTLS), config captures/real/conf/slapd.conf ($1);" \
        "# its log (-d stats); key log: SSLKEYLOGFILE (GnuTLS)"
}
ldaps() {  # ldaps PORT -Z|-ZZ [HOST [BIND-ARGS...]] : ldapsearch the root DSE (HOST: tls-server.local)
    with_hosts; client "${WITH_HOSTS[@]}" env LDAPTLS_CACERT=rootCA.crt SSLKEYLOGFILE="$WORK/$CUR.client.keylog" \
        ldapsearch -x "$2" -H "ldap://${3:-tls-server.local}:$1/" "${@:4}" -b '' -s base namingContexts
}

reg starttls-ldap-ok ldap "ldapsearch -ZZ: StartTLS extended operation answered success, TLS 1.3, anonymous bind and search inside"
sc_starttls_ldap_ok() { CUR=$1; start_slapd; cap_start "$1" 9389; slapd_note "port 9389, TLSCertificateFile"
    ldaps 9389 -ZZ
    server_logs; cap_stop
    want_rc 0; want_client 'namingContexts: dc=lab'; want_server 'EXT oid=1.3.6.1.4.1.1466.20037'; want_server 'STARTTLS'
    want_tshark 'ldap.requestName == "1.3.6.1.4.1.1466.20037"'; want_tshark 'ldap.protocolOp == 4' keys; }
EXP_PLAIN[starttls-ldap-ok]="1 outcome established
1 starttls ldap
# the StartTLS extendedReq answered extendedResp success (resultCode 0), then the handshake
1 starttls_result upgraded
# healthy: no diagnosis"
EXP_KEYS[starttls-ldap-ok]="${EXP_PLAIN[starttls-ldap-ok]}"

reg starttls-ldap-refused ldap "slapd without TLS: StartTLS answered protocolError 'unsupported extended operation'; ldapsearch -ZZ gives up"
sc_starttls_ldap_refused() { CUR=$1; start_slapd_plain; cap_start "$1" 9390; slapd_note "port 9390, no TLS configured"
    ldaps 9390 -ZZ
    server_logs; cap_stop
    want_rc 1; want_client 'ldap_start_tls: Protocol error \(2\)'; want_server 'err=2 .*unsupported extended operation'
    want_tshark 'ldap.resultCode == 2'; }
EXP_PLAIN[starttls-ldap-refused]="$NO_TLS
1 outcome failed
1 starttls ldap
# the extendedResp to StartTLS has resultCode 2 (protocolError), in clear: refused
1 starttls_result refused
1 diag.0 STARTTLS_REFUSED starttls server certain"
EXP_KEYS[starttls-ldap-refused]="${EXP_PLAIN[starttls-ldap-refused]}"

reg starttls-ldap-plaintext-after-refusal ldap "slapd without TLS: ldapsearch -Z (TLS if possible) goes on after protocolError: bind and search in clear"
sc_starttls_ldap_plaintext_after_refusal() { CUR=$1; start_slapd_plain; cap_start "$1" 9390; slapd_note "port 9390, no TLS configured"
    ldaps 9390 -Z
    server_logs; cap_stop
    want_rc 0; want_client 'ldap_start_tls: Protocol error'; want_client 'namingContexts: dc=lab'
    want_server 'SRCH base=""'; want_tshark 'ldap.protocolOp == 3'; }
EXP_PLAIN[starttls-ldap-plaintext-after-refusal]="$NO_TLS
1 outcome failed
1 starttls ldap
1 starttls_result refused
# the server refused the upgrade in cleartext: that refusal is the cause (diag.0,
# the server ended the upgrade); the client then went on in cleartext, the security
# finding, which follows it as a second error (diag.1: nobody gave up, the client
# went on)
1 diag.0 STARTTLS_REFUSED starttls server certain
1 diag.1 PLAINTEXT_AFTER_TLS_FAILURE starttls nobody certain"
EXP_KEYS[starttls-ldap-plaintext-after-refusal]="${EXP_PLAIN[starttls-ldap-plaintext-after-refusal]}"

reg starttls-ldap-hostname-mismatch ldap "ldapsearch -ZZ -H ldap://wrong.local (SNI wrong.local, certificate for tls-server.local): StartTLS success, TLS 1.3 completes, libldap checks the name and closes"
sc_starttls_ldap_hostname_mismatch() { CUR=$1; start_slapd; cap_start "$1" 9389; slapd_note "port 9389, TLSCertificateFile"
    ldaps 9389 -ZZ wrong.local
    server_logs; cap_stop
    want_rc 1; want_client 'ldap_start_tls: Connect error'
    want_tshark 'ldap.requestName == "1.3.6.1.4.1.1466.20037"'; want_tshark 'tls.handshake.type == 20' keys; }
# after its Finished libldap checks the name, drops the TLS session without a close_notify
# and sends its unbindRequest (7 bytes, no credentials: LDAP's goodbye, RFC 4511 4.3) in
# clear on the same socket, then FIN; the server answers with an encrypted alert.  The
# unbind ends the session, it carries nothing: not PLAINTEXT_AFTER_TLS_FAILURE; the cause
# is the client's rejection of the certificate after the handshake
LDAP_MISMATCH_PLAIN="1 outcome failed
# handshake complete (inferred), then the client leaves without a request inside TLS:
# without the certificate nothing names the cause; the client gave up
1 diag.0 SERVER_CERT_REJECTED after_handshake client inferred"
LDAP_MISMATCH_KEYS="1 outcome failed
# decrypted: SNI wrong.local, certificate for DNS:tls-server.local only; the client
# leaves right after its Finished, no request inside TLS
1 diag.0 HOSTNAME_MISMATCH after_handshake client certain"
EXP_PLAIN[starttls-ldap-hostname-mismatch]="$LDAP_MISMATCH_PLAIN
1 starttls ldap
$UPGRADED"
EXP_KEYS[starttls-ldap-hostname-mismatch]="$LDAP_MISMATCH_KEYS
1 starttls ldap
$UPGRADED"

reg starttls-ldap-bind-invalid-credentials ldap "ldapsearch -ZZ -D cn=admin,dc=lab -w wrongpassword: StartTLS success, TLS 1.3, the simple bind inside answered invalidCredentials (49)"
sc_starttls_ldap_bind_invalid_credentials() { CUR=$1; start_slapd; cap_start "$1" 9389; slapd_note "port 9389, TLSCertificateFile, rootdn cn=admin,dc=lab"
    ldaps 9389 -ZZ tls-server.local -D cn=admin,dc=lab -w wrongpassword
    server_logs; cap_stop
    want_rc 49; want_client 'ldap_bind: Invalid credentials \(49\)'; want_server 'RESULT tag=97 err=49'
    want_tshark 'ldap.requestName == "1.3.6.1.4.1.1466.20037"'; want_tshark 'ldap.resultCode == 49' keys; }
EXP_PLAIN[starttls-ldap-bind-invalid-credentials]="1 outcome established
1 starttls ldap
# the StartTLS extendedReq answered extendedResp success (resultCode 0), then the handshake
1 starttls_result upgraded
# without keys: a complete TLS 1.3 handshake (no CertificateRequest asked: slapd's
# TLSVerifyClient is unset), a short exchange and the close; nothing to diagnose"
EXP_KEYS[starttls-ldap-bind-invalid-credentials]="1 outcome established
1 starttls ldap
1 starttls_result upgraded
# decrypted: a simple bind (a password, not SASL EXTERNAL) answered BindResponse
# invalidCredentials (49) whose text names no certificate: a refused password, not a TLS
# problem; it is shown in the timeline, with no diagnosis of severity error (rules_app.c:
# a bind error is about the certificate only after SASL EXTERNAL or when its text says so)"

# ---------------------------------------------------------------------------
# PostgreSQL 15 without TLS (ssl = off): its own cluster in $WORK/pg-nossl,
# port 9433, host ... trust; psql sslmode=require (gives up on 'N') and
# sslmode=prefer (goes on in plaintext)
# ---------------------------------------------------------------------------
DECODE[pg]="tcp.port==9433,pgsql"
start_pg_nossl() {
    [[ " ${STARTED[*]} " == *" pg_nossl "* ]] && return 0
    local d=$WORK/pg-nossl/data
    rm -rf "$WORK/pg-nossl"; mkdir -p "$WORK/pg-nossl"; chown postgres: "$WORK/pg-nossl"; chmod 755 "$WORK"
    runuser -u postgres -- "$PGBIN/initdb" -D "$d" -A trust -U postgres >/dev/null || die "initdb failed"
    cat >> "$d/postgresql.conf" <<EOC
# captures/real (make-starttls.sh): no TLS
listen_addresses = '127.0.0.1'
port = 9433
unix_socket_directories = '$WORK/pg-nossl'
ssl = off
log_connections = on
log_disconnections = on
log_line_prefix = '%m [%p] %r '
EOC
    printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' > "$d/pg_hba.conf"
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$d" -l "$WORK/pg-nossl/postgresql.log" -w start >/dev/null || die "postgres did not start"
    STARTED+=(pg_nossl)
    LOGS+=("$WORK/pg-nossl/postgresql.log")
}
stop_pg_nossl() { runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg-nossl/data" -m fast -w stop >/dev/null; }
pg_nossl() {  # pg_nossl SSLMODE
    start_pg_nossl; cap_start "$CUR" 9433
    server_note "# server: PostgreSQL $($PGBIN/postgres --version | cut -d' ' -f3-), ssl = off, pg_hba: host all all 127.0.0.1/32 trust;" \
        "# log_connections=on, log_disconnections=on"
    client env LD_PRELOAD="$WORK/keylog-shim.so" SSLKEYLOGFILE="$WORK/$CUR.client.keylog" PGCONNECT_TIMEOUT=5 \
        psql "host=tls-server.local hostaddr=127.0.0.1 port=9433 dbname=postgres user=postgres sslmode=$1 sslrootcert=rootCA.crt" -Atc 'select 1'
    server_logs; cap_stop
}
reg starttls-pg-refused-require pg "PostgreSQL ssl = off answers the SSLRequest 'N'; psql sslmode=require gives up"
sc_starttls_pg_refused_require() { CUR=$1; pg_nossl require
    want_rc 2; want_client 'server does not support SSL, but SSL was required'
    want_tshark 'pgsql.type == "SSL request"'; }
EXP_PLAIN[starttls-pg-refused-require]="$NO_TLS
1 outcome failed
1 starttls postgres
# the client's SSLRequest is answered 'N' (in clear): refused
1 starttls_result refused
# the client requires TLS and closes at once
1 diag.0 STARTTLS_REFUSED starttls server certain"
EXP_KEYS[starttls-pg-refused-require]="${EXP_PLAIN[starttls-pg-refused-require]}"

reg starttls-pg-plaintext-after-refusal pg "PostgreSQL ssl = off answers 'N'; psql sslmode=prefer goes on: StartupMessage, query and result in clear"
sc_starttls_pg_plaintext_after_refusal() { CUR=$1; pg_nossl prefer
    want_rc 0; want_client '^1$'; want_server 'connection authorized: user=postgres'
    want_tshark 'pgsql.query == "select 1"'; }
EXP_PLAIN[starttls-pg-plaintext-after-refusal]="$NO_TLS
1 outcome failed
1 starttls postgres
1 starttls_result refused
# the server refused the upgrade in cleartext: that refusal is the cause (diag.0,
# the server ended the upgrade); the client then went on in cleartext, the security
# finding, which follows it as a second error (diag.1: nobody gave up, the client
# went on)
1 diag.0 STARTTLS_REFUSED starttls server certain
1 diag.1 PLAINTEXT_AFTER_TLS_FAILURE starttls nobody certain"
EXP_KEYS[starttls-pg-plaintext-after-refusal]="${EXP_PLAIN[starttls-pg-plaintext-after-refusal]}"

# ---------------------------------------------------------------------------
# MariaDB 10.11 (OpenSSL): two servers from their own data folders, 9306
# (--ssl-cert/--ssl-key: CLIENT_SSL in the greeting) and 9307 (--skip-ssl);
# client mariadb --ssl --ssl-verify-server-cert; key logs: keylog-shim.so
# on both.
# ---------------------------------------------------------------------------
DECODE[mysql]="tcp.port==9306,mysql tcp.port==9307,mysql"
start_mariadb_inst() {  # start_mariadb_inst NAME PORT SSL-ARGS...
    local n=$1 port=$2; shift 2
    local d=$WORK/$n
    rm -rf "$d"; mkdir -p "$d"; chown mysql: "$d"
    mariadb-install-db --no-defaults --datadir="$d/data" --user=mysql --auth-root-authentication-method=socket \
        --skip-test-db >/dev/null 2>&1 || die "$n: mariadb-install-db failed"
    : > "$WORK/$n.log"; chown mysql: "$WORK/$n.log"
    env LD_PRELOAD="$WORK/keylog-shim.so" SSLKEYLOGFILE="$WORK/server.keylog" \
        mariadbd --no-defaults --datadir="$d/data" --socket="$d/sock" --pid-file="$d/pid" --port="$port" \
        --bind-address=127.0.0.1 --user=mysql --log-error="$WORK/$n.log" --log-warnings=4 \
        --skip-name-resolve "$@" >/dev/null 2>&1 &
    wait_for 200 port_listening "$port" || { cat "$WORK/$n.log" >&2; die "$n not listening"; }
    mariadb --no-defaults --socket="$d/sock" -u root -e "CREATE USER lab@'%' IDENTIFIED BY 'lab'" || die "$n: create user"
    LOGS+=("$WORK/$n.log")
}
stop_mariadb_inst() {
    local pid; pid=$(cat "$WORK/$1/pid" 2>/dev/null) || return 0
    kill -TERM "$pid"; wait_for 100 bash -c "! kill -0 $pid 2>/dev/null"
}
start_mariadb() {  # the key is copied for the mysql user (the lab's is root's, mode 600)
    [[ " ${STARTED[*]} " == *" mariadb "* ]] && return 0
    mkdir -p "$WORK/mariadb-tls"; install -o mysql -m 600 "$PKI/server.key" "$WORK/mariadb-tls/server.key"
    start_mariadb_inst mariadb 9306 --ssl-cert="$PKI/server-fullchain.crt" --ssl-key="$WORK/mariadb-tls/server.key"
    STARTED+=(mariadb)
}
stop_mariadb() { stop_mariadb_inst mariadb; }
start_mariadb_plain() { [[ " ${STARTED[*]} " == *" mariadb_plain "* ]] || { start_mariadb_inst mariadb-plain 9307 --skip-ssl; STARTED+=(mariadb_plain); }; }
stop_mariadb_plain() { stop_mariadb_inst mariadb-plain; }
mdb() {  # mdb PORT NOTE : the client (MDB_HOST, MDB_CA: tls-server.local, rootCA.crt)
    cap_start "$CUR" "$1"
    server_note "# server: $(mariadbd --version | cut -d' ' -f2-4), $2, own data folder, user lab@'%';" \
        "# log-error at --log-warnings=4; key log: keylog-shim.so (LD_PRELOAD) on the server and on the client"
    with_hosts; client "${WITH_HOSTS[@]}" env LD_PRELOAD="$WORK/keylog-shim.so" SSLKEYLOGFILE="$WORK/$CUR.client.keylog" \
        mariadb --no-defaults -h "${MDB_HOST:-tls-server.local}" -P "$1" -u lab -plab --ssl --ssl-ca="${MDB_CA:-rootCA.crt}" \
        --ssl-verify-server-cert -e 'select 1'
    server_logs; cap_stop
}
reg starttls-mysql-ok mysql "MariaDB with --ssl-cert: CLIENT_SSL in the greeting, the client's SSL request, TLS 1.3, login and select 1 inside"
sc_starttls_mysql_ok() { CUR=$1; start_mariadb; mdb 9306 "--ssl-cert (server-fullchain.crt) --ssl-key"
    want_rc 0; want_client '^1$'
    want_tshark 'mysql.caps.sl == 1'; want_tshark 'tls.handshake.type == 1'; }
EXP_PLAIN[starttls-mysql-ok]="1 outcome established
1 starttls mysql
# the greeting offers CLIENT_SSL, the client's short SSL request, then the TLS handshake
1 starttls_result upgraded
# healthy: no diagnosis"
EXP_KEYS[starttls-mysql-ok]="${EXP_PLAIN[starttls-mysql-ok]}"

reg starttls-mysql-not-offered mysql "MariaDB --skip-ssl: no CLIENT_SSL in the greeting; mariadb --ssl-verify-server-cert gives up"
sc_starttls_mysql_not_offered() { CUR=$1; start_mariadb_plain; mdb 9307 "--skip-ssl"
    want_rc 1; want_client 'SSL'
    want_tshark 'mysql.caps.sl == 0'; }
EXP_PLAIN[starttls-mysql-not-offered]="$NO_TLS
1 outcome failed
1 starttls mysql
# the server's greeting (in clear) lacks CLIENT_SSL; the client never sends an SSL request
1 starttls_result not_offered
# the client, which requires TLS, closes right after the greeting
1 diag.0 STARTTLS_NOT_OFFERED starttls client certain"
EXP_KEYS[starttls-mysql-not-offered]="${EXP_PLAIN[starttls-mysql-not-offered]}"

reg starttls-mysql-not-used mysql "MariaDB with --ssl-cert offers CLIENT_SSL; mariadb --skip-ssl logs in without TLS and runs select 1 in clear"
sc_starttls_mysql_not_used() { CUR=$1; start_mariadb; cap_start "$1" 9306
    server_note "# server: $(mariadbd --version | cut -d' ' -f2-4), --ssl-cert (server-fullchain.crt) --ssl-key, own data folder, user lab@'%';" \
        "# log-error at --log-warnings=4"
    with_hosts; client "${WITH_HOSTS[@]}" mariadb --no-defaults -h tls-server.local -P 9306 -u lab -plab --skip-ssl -e 'select 1'
    server_logs; cap_stop
    want_rc 0; want_client '^1$'
    want_tshark 'mysql.caps.sl == 1'; want_tshark 'mysql.query == "select 1"'; }
EXP_PLAIN[starttls-mysql-not-used]="# no TLS record at all: the client never asked for TLS, so none was made; the connection is
# reported failed, as every STARTTLS exchange that closed without TLS
1 outcome failed
1 starttls mysql
# the greeting (in clear) has CLIENT_SSL; the client's HandshakeResponse lacks it
1 starttls_result not_used
1 diag.0 STARTTLS_NOT_USED starttls client certain"
EXP_KEYS[starttls-mysql-not-used]="${EXP_PLAIN[starttls-mysql-not-used]}"

reg starttls-mysql-server-untrusted mysql "mariadb --ssl-verify-server-cert --ssl-ca=clientCA.crt (the wrong CA): CLIENT_SSL, the SSL request, then the client's unknown_ca in the TLS 1.3 handshake"
sc_starttls_mysql_server_untrusted() { CUR=$1; start_mariadb; MDB_CA=clientCA.crt mdb 9306 "--ssl-cert (server-fullchain.crt) --ssl-key"
    want_rc 1; want_tshark 'mysql.caps.sl == 1'; want_tshark 'tls.alert_message.desc == 48'; }
EXP_PLAIN[starttls-mysql-server-untrusted]="$UNTRUSTED_13
1 starttls mysql
$UPGRADED"
EXP_KEYS[starttls-mysql-server-untrusted]="$UNTRUSTED_13_KEYS
1 starttls mysql
$UPGRADED"

# ---------------------------------------------------------------------------
# XMPP: prosody 0.12 (LuaSec/OpenSSL) from conf/prosody.cfg.lua, port 9222,
# c2s_require_encryption; client gnutls-cli --starttls-proto=xmpp (stream
# header, <starttls/>, <proceed/>, handshake, EOF).  Key log: the client's
# (SSLKEYLOGFILE, GnuTLS honours it); prosody has none (see start_prosody).
# ---------------------------------------------------------------------------
DECODE[xmpp]="tcp.port==9222,xmpp tcp.port==9223,xmpp"
start_prosody() {
    [[ " ${STARTED[*]} " == *" prosody "* ]] && return 0
    rm -rf "$WORK/prosody"; mkdir -p "$WORK/prosody/data"
    install -m 600 "$PKI/server.key" "$WORK/prosody/server.key"; cp "$PKI/server-fullchain.crt" "$WORK/prosody/"
    chown -R prosody: "$WORK/prosody"; : > "$WORK/prosody.log"; chown prosody: "$WORK/prosody.log"
    subst "$HERE/conf/prosody.cfg.lua" "$WORK/prosody.cfg.lua"
    # no keylog-shim.so here: LuaSec loads libssl with dlopen after start-up, and the
    # shim (which finds OpenSSL's functions at load time) makes prosody crash
    runuser -u prosody -- prosody --config "$WORK/prosody.cfg.lua" > "$WORK/prosody.out" 2>&1 &
    PROSODY_PID=$!
    wait_for 100 port_listening 9222 || { cat "$WORK/prosody.out" >&2; die "prosody not listening"; }
    STARTED+=(prosody)
    LOGS+=("$WORK/prosody.log")
}
stop_prosody() { stop_pid "$PROSODY_PID" TERM; }

reg starttls-xmpp-ok xmpp "gnutls-cli --starttls-proto=xmpp: stream features with <starttls/> required, <starttls/>, <proceed/>, TLS 1.3, the stream opened again inside (SASL features)"
sc_starttls_xmpp_ok() { CUR=$1; start_prosody; cap_start "$1" 9222
    server_note "# server: prosody $(dpkg-query -W -f='${Version}' prosody), config captures/real/conf/prosody.cfg.lua (c2s 9222, c2s_require_encryption);" \
        "# its log (info); key log: the client's only"
    # after the upgrade the client opens the stream again (RFC 6120 5.4.3.3) and reads the
    # server's new features for a second; then EOF, and gnutls-cli closes
    with_hosts; client "${WITH_HOSTS[@]}" env SSLKEYLOGFILE="$WORK/$1.client.keylog" sh -c "(printf '%s' \"<stream:stream to='tls-server.local' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>\"; sleep 1) | gnutls-cli --starttls-proto=xmpp --x509cafile=rootCA.crt -p 9222 tls-server.local"
    server_logs; cap_stop
    want_client '- Handshake was completed'; want_client 'mechanisms'; want_tshark 'xmpp.proceed'
    want_tshark 'tls.handshake.type == 20' keys; }
EXP_PLAIN[starttls-xmpp-ok]="1 outcome established
1 starttls xmpp
# <starttls/> in the stream features, the client's <starttls/> answered <proceed/>, then TLS
1 starttls_result upgraded
# inside TLS the client opens the stream again and the server answers with its features: healthy,
# no diagnosis"
EXP_KEYS[starttls-xmpp-ok]="${EXP_PLAIN[starttls-xmpp-ok]}"

# prosody whose TLS setup fails (conf/prosody-notls.cfg.lua, port 9223): the
# certificate and key it names do not exist, so mod_tls has no TLS context
# (can_do_tls() is false); two virtual hosts, one without and one with
# c2s_require_encryption (see the configuration)
start_prosody_notls() {
    [[ " ${STARTED[*]} " == *" prosody_notls "* ]] && return 0
    rm -rf "$WORK/prosody-notls"; mkdir -p "$WORK/prosody-notls/data" "$WORK/prosody-notls/certs"
    chown -R prosody: "$WORK/prosody-notls"; : > "$WORK/prosody-notls.log"; chown prosody: "$WORK/prosody-notls.log"
    subst "$HERE/conf/prosody-notls.cfg.lua" "$WORK/prosody-notls.cfg.lua"
    runuser -u prosody -- prosody --config "$WORK/prosody-notls.cfg.lua" > "$WORK/prosody-notls.out" 2>&1 &
    PROSODY_NOTLS_PID=$!
    wait_for 100 port_listening 9223 || { cat "$WORK/prosody-notls.out" >&2; die "prosody (no TLS) not listening"; }
    STARTED+=(prosody_notls)
    LOGS+=("$WORK/prosody-notls.log")
    mark_logs
}
prosody_notls_note() {  # its start-up lines say why TLS is off ("Failed to load ... missing.key")
    server_note "# server: prosody $(dpkg-query -W -f='${Version}' prosody), config captures/real/conf/prosody-notls.cfg.lua (c2s 9223;" \
        "# certificate and key files that do not exist: no TLS context); its log (info), start-up lines first:"
    grep -E 'certmanager|:tls' "$WORK/prosody-notls.log" >> "$WORK/$CUR.server.txt" || true
}
stop_prosody_notls() { stop_pid "$PROSODY_NOTLS_PID" TERM; }

reg starttls-xmpp-refused xmpp "prosody without a usable certificate (key file missing), tls-server.local without c2s_require_encryption: features lack <starttls/>; gnutls-cli --starttls-proto=xmpp sends <starttls/> anyway and gets <failure/>, then the stream ends"
sc_starttls_xmpp_refused() { CUR=$1; cap_start "$1" 9223; start_prosody_notls; prosody_notls_note
    # gnutls-cli does not read the features: it sends <starttls/> after the server's stream header
    with_hosts; client "${WITH_HOSTS[@]}" env SSLKEYLOGFILE="$WORK/$1.client.keylog" gnutls-cli --verbose --starttls-proto=xmpp \
        --x509cafile=rootCA.crt -p 9223 tls-server.local
    server_logs; cap_stop
    want_rc 2; want_client "received: <failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
    want_server 'Attempt to start TLS, but TLS is not available'
    want_tshark 'xmpp.starttls'; want_tshark 'xmpp.failure'; }
EXP_PLAIN[starttls-xmpp-refused]="$NO_TLS
1 outcome failed
1 starttls xmpp
# the stream features (SASL mechanisms only) lack <starttls/>, but the client sent
# <starttls/> and the server answered <failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>
# (in clear, RFC 6120 5.4.2.2) and ended the stream: refused (as starttls-imap-refused:
# an answer to a request, not a capability the client never asked for)
1 starttls_result refused
# the server said no, in clear; it then closed (FIN first)
1 diag.0 STARTTLS_REFUSED starttls server certain"
EXP_KEYS[starttls-xmpp-refused]="${EXP_PLAIN[starttls-xmpp-refused]}"

reg starttls-xmpp-not-offered xmpp "prosody without a usable certificate, required.local with c2s_require_encryption: no features to offer, <stream:error> undefined-condition 'No stream features to proceed with' and close; openssl s_client -starttls xmpp never sees <starttls/> and never asks"
sc_starttls_xmpp_not_offered() { CUR=$1; cap_start "$1" 9223; start_prosody_notls; prosody_notls_note
    client openssl s_client -starttls xmpp -xmpphost required.local -connect 127.0.0.1:9223 \
        -CAfile rootCA.crt -verify_return_error -keylogfile "$WORK/$1.client.keylog"
    server_logs; cap_stop
    want_rc 1; want_client 'no peer certificate available'
    want_server 'No stream features to offer on insecure session'
    want_tshark 'xmpp.stream'
    [[ -z $(tshark -r "$OUT/$CUR.pcap" -d tcp.port==9223,xmpp -Y 'xmpp.starttls || tls' 2>/dev/null) ]] \
        || die "$CUR: the client asked for TLS"; }
EXP_PLAIN[starttls-xmpp-not-offered]="$NO_TLS
1 outcome failed
1 starttls xmpp
# the server's answer to the stream header holds no <stream:features> at all (so no
# <starttls/>), only a stream error; the client never sent <starttls/>: not_offered
1 starttls_result not_offered
# the server ended it: <stream:error> (undefined-condition, 'No stream features to proceed
# with', in clear), </stream:stream> and its FIN first; the client had no chance to ask
# (gave_up server, unlike the clients that leave after capabilities lacking STARTTLS)
1 diag.0 STARTTLS_NOT_OFFERED starttls server certain"
EXP_KEYS[starttls-xmpp-not-offered]="${EXP_PLAIN[starttls-xmpp-not-offered]}"

reg starttls-xmpp-server-untrusted xmpp "gnutls-cli --starttls-proto=xmpp --x509cafile=clientCA.crt (the wrong CA): <starttls/>, <proceed/>, then the TLS 1.3 handshake fails at the client's certificate check"
sc_starttls_xmpp_server_untrusted() { CUR=$1; start_prosody; cap_start "$1" 9222
    server_note "# server: prosody $(dpkg-query -W -f='${Version}' prosody), config captures/real/conf/prosody.cfg.lua (c2s 9222, c2s_require_encryption);" \
        "# its log (info); key log: the client's only"
    with_hosts; client "${WITH_HOSTS[@]}" env SSLKEYLOGFILE="$WORK/$1.client.keylog" gnutls-cli --starttls-proto=xmpp \
        --x509cafile=clientCA.crt -p 9222 tls-server.local
    server_logs; cap_stop
    want_rc 1; want_client 'The certificate is NOT trusted. The certificate issuer is unknown'; want_tshark 'xmpp.proceed'
    want_tshark 'tls.handshake.type == 11' keys; }
# GnuTLS's TLS 1.3 client, like Go's, encrypts its alert with the handshake keys: after the
# server's flight, its ChangeCipherSpec, one 19-byte encrypted record with its FIN, then a RST
EXP_PLAIN[starttls-xmpp-server-untrusted]="1 outcome failed
# without keys: the client's encrypted 19-byte record (an alert) right after the server's
# flight, then its RST: the side and the step are known, not the reason
1 diag.0 SERVER_CERT_REJECTED server_certificate client inferred
1 starttls xmpp
$UPGRADED"
EXP_KEYS[starttls-xmpp-server-untrusted]="1 outcome failed
# decrypted: chain server.crt, intermediateCA.crt (root rootCA, not in this client's CA file,
# clientCA.crt); the alert is bad_certificate, GnuTLS's generic one: the cause is the root
1 diag.0 SERVER_CERT_UNTRUSTED server_certificate client certain
1 starttls xmpp
$UPGRADED"

# Inside TLS (issue 17 Must 3): the stream opened again, the new features, a SASL PLAIN
# authentication with a wrong password; prosody answers <failure><not-authorized/>
reg starttls-xmpp-sasl-not-authorized xmpp "gnutls-cli --starttls-proto=xmpp: <proceed/>, TLS 1.3, the stream opened again inside, features (SCRAM-SHA-1, PLAIN), <auth mechanism='PLAIN'> for lab/wrong answered SASL <failure><not-authorized/>"
sc_starttls_xmpp_sasl_not_authorized() { CUR=$1; start_prosody; cap_start "$1" 9222
    server_note "# server: prosody $(dpkg-query -W -f='${Version}' prosody), config captures/real/conf/prosody.cfg.lua (c2s 9222, c2s_require_encryption," \
        "# no user accounts); its log (info); key log: the client's only"
    # \0lab\0wrong in base64 (RFC 4616): a user and password prosody does not know
    with_hosts; client "${WITH_HOSTS[@]}" env SSLKEYLOGFILE="$WORK/$1.client.keylog" sh -c "(printf '%s' \"<stream:stream to='tls-server.local' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>\"; sleep 0.5; printf '%s' \"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGxhYgB3cm9uZw==</auth>\"; sleep 1) | gnutls-cli --starttls-proto=xmpp --x509cafile=rootCA.crt -p 9222 tls-server.local"
    server_logs; cap_stop
    want_client '- Handshake was completed'; want_client 'not-authorized'
    want_server 'Stream encrypted \(TLSv1.3'
    want_tshark 'xmpp.proceed'; want_tshark 'xmpp.failure' keys; }
EXP_PLAIN[starttls-xmpp-sasl-not-authorized]="1 outcome established
1 starttls xmpp
1 starttls_result upgraded
# without keys: a complete TLS 1.3 handshake (no CertificateRequest: prosody asks for no
# client certificate here), a short exchange and the close; nothing to diagnose"
EXP_KEYS[starttls-xmpp-sasl-not-authorized]="1 outcome established
1 starttls xmpp
1 starttls_result upgraded
# decrypted: a SASL PLAIN authentication (a password, not EXTERNAL) answered
# <failure><not-authorized/> whose words name no certificate: a refused password, not a
# TLS problem; shown in the timeline, with no diagnosis of severity error (as
# starttls-ldap-bind-invalid-credentials)"

main "$@"
