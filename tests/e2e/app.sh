#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end test of issue 15 point 5 over the real-server lab
# (captures/real), against what tshark decrypted there
# (captures/real/expected/NAME.decrypted.facts: the http.K and pgsql.K
# lines, never tlsdiag's own output):
#  - with the key log, every HTTP/1 request line, status line, nginx page
#    title and PostgreSQL ErrorResponse tshark shows is an "application"
#    event of tlsdiag's timeline, same connection, same side, same words;
#  - without the key log there is none;
#  - --redact keeps the status and nginx's fixed title, not the path;
#  - nginx's 400 "No required SSL certificate was sent" is diagnosed
#    CLIENT_CERT_MISSING after the handshake, by the server, certain, on
#    an established connection.
set -u
TD_E2E_NAME=app
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || { echo "FAIL jq is required"; echo "app: 0 passed, 1 failed"; exit 1; }
[ -x "$bin" ] || { echo "FAIL no binary at $bin"; echo "app: 0 passed, 1 failed"; exit 1; }
real="$caps/real"

# What tshark decrypted, as "CONN DIR WORDS" lines.
want_lines() {
	sed -n 's/^\([0-9]*\) http\.[0-9]* \(client\|server\) \(.*\)$/\1 \2 \3/p;
		s/^\([0-9]*\) pgsql\.[0-9]* server ErrorResponse \(.*\)$/\1 server error \2/p' "$1" |
	while read -r conn side words; do
		case $side:$words in
		server:title\ *) echo "$conn server $words" ;;
		server:HTTP/*) echo "$conn server status $words" ;;
		server:error\ *) echo "$conn server $words" ;;
		client:*) echo "$conn client request $words" ;;
		esac
	done
}

# What tlsdiag read, the same way.
got_lines() {
	jq -r 'select(.id) | .id as $id | .timeline[] | select(.event == "application") |
		if .message == "request" then "\($id) client request \(.method) \(.target) \(.version)"
		elif .message == "response" then
			"\($id) server status \(.version) \(.status)\(if .reason then " " + .reason else "" end)",
			(if .title then "\($id) server title \(.title)" else empty end)
		elif .message == "error_response" then "\($id) server error \(.severity) \(.sqlstate) \(.text)"
		else empty end' "$1"
}

n=0
for facts in "$real"/expected/*.decrypted.facts; do
	[ -e "$facts" ] || continue
	grep -qE '^[0-9]+ (http|pgsql)\.' "$facts" || continue
	name=$(basename "$facts" .decrypted.facts)
	n=$((n + 1))
	"$bin" -r "$real/$name.pcap" -k "$real/$name.keylog" -o json >"$tmp/$name.json" 2>"$tmp/$name.err"
	want=$(want_lines "$facts")
	got=$(got_lines "$tmp/$name.json")
	if [ "$got" = "$want" ]; then ok "$name: application messages as tshark decrypts them"
	else bad "$name: want '$(echo $want)', got '$(echo $got)'"; fi
	"$bin" -r "$real/$name.pcap" -o json >"$tmp/$name.plain.json" 2>/dev/null
	if [ -z "$(got_lines "$tmp/$name.plain.json")" ]; then ok "$name: none without the key log"
	else bad "$name: application messages without the key log"; fi
done
[ "$n" -gt 0 ] || bad "no facts file with http or pgsql lines in $real/expected"

# --redact and the diagnosis, on nginx's 400.
name=nginx-tls13-client-cert-missing
status=$(sed -n 's/^1 http\.[0-9]* server HTTP\/1\.1 \([0-9]*\) .*/\1/p' "$real/expected/$name.decrypted.facts")
"$bin" -r "$real/$name.pcap" -k "$real/$name.keylog" -o json --redact >"$tmp/r.json" 2>/dev/null
got=$(jq -r 'select(.id) | [.timeline[] | select(.event == "application") |
	"\(.message) \(.status // "") \(.target // "") \(.title // "")"] | join("|")' "$tmp/r.json")
want="request  [redacted] |response $status  400 No required SSL certificate was sent"
if [ "$got" = "$want" ]; then ok "$name: --redact keeps status $status and the title, not the path"
else bad "$name: --redact: want '$want', got '$got'"; fi
got=$(jq -r 'select(.id) | "\(.outcome) \(.diagnoses[0].code) \(.diagnoses[0].stage) \(.diagnoses[0].gave_up) \(.diagnoses[0].confidence)"' "$tmp/$name.json")
want="established CLIENT_CERT_MISSING after_handshake server certain"
if [ "$got" = "$want" ]; then ok "$name: $want"
else bad "$name: want '$want', got '$got'"; fi

finish
