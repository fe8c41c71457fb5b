#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end tests of issue 15 points 7 and 9 over the captures of
# captures/make-long-captures.sh, against the facts tshark wrote for them
# (captures/expected/NAME.tshark, never tlsdiag's own output):
#  - with the key log, every alert tshark decrypts is on tlsdiag's
#    timeline, from the same side, with the same level and description,
#    in the same order, however late in a long connection it comes, and
#    each TLS 1.3 KeyUpdate too; without the key log nothing is decrypted;
#  - a ClientHello only partly captured is still a connection, incomplete,
#    saying how much of it was seen.
set -u
TD_E2E_NAME=alerts
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || { echo "FAIL jq is required"; echo "alerts: 0 passed, 1 failed"; exit 1; }
[ -x "$bin" ] || { echo "FAIL no binary at $bin"; echo "alerts: 0 passed, 1 failed"; exit 1; }

# tshark prints numbers; tlsdiag the registry's names (RFC 8446 6).
level_name() { case $1 in 1) echo warning ;; 2) echo fatal ;; *) echo "level-$1" ;; esac; }
desc_name() {
	case $1 in
	0) echo close_notify ;; 10) echo unexpected_message ;; 20) echo bad_record_mac ;;
	40) echo handshake_failure ;; 42) echo bad_certificate ;; 46) echo certificate_unknown ;;
	48) echo unknown_ca ;; 50) echo decode_error ;; 51) echo decrypt_error ;;
	80) echo internal_error ;; 90) echo user_canceled ;; *) echo "alert-$1" ;;
	esac
}

n=0
for facts in "$caps"/expected/*.tshark; do
	[ -e "$facts" ] || continue
	n=$((n + 1))
	name=$(basename "$facts" .tshark)
	pcap="$caps/$name.pcap"
	if grep -q '^clienthello ' "$facts"; then
		# Point 9: the partial ClientHello.
		read -r _ _ declared _ seen < <(grep '^clienthello ' "$facts")
		"$bin" -r "$pcap" -o json >"$tmp/$name.json" 2>"$tmp/$name.err"
		got=$(jq -c -n '[inputs | select(.id)] | map({outcome, hello: [.timeline[] |
			select(.event == "handshake" and .message == "client_hello") | {length, detail}]})' \
			"$tmp/$name.json")
		want="[{\"outcome\":\"incomplete\",\"hello\":[{\"length\":$seen,\"detail\":\"incomplete: $seen of $declared bytes captured\"}]}]"
		if [ "$got" = "$want" ]; then ok "$name: incomplete ClientHello reported"
		else bad "$name: want $want, got $got"; fi
		summary=$("$bin" -r "$pcap" 2>&1 | grep 'TLS connection' || true)
		case $summary in
		'1 TLS connection: 0 established, 0 failed, 1 incomplete'*) ok "$name: text summary" ;;
		*) bad "$name: text summary '$summary'" ;;
		esac
		continue
	fi
	# Point 7: alerts and KeyUpdates anywhere, with the key log.
	"$bin" -r "$pcap" -k "$caps/$name.keylog" -o json >"$tmp/$name.json" 2>"$tmp/$name.err"
	want=$(grep '^alert ' "$facts" | while read -r _ _ from level desc; do
		echo "$from $(level_name "$level") $(desc_name "$desc")"; done)
	got=$(jq -r 'select(.id) | .alerts[] | "\(.from) \(.level // "?") \(.description // "encrypted")"' \
		"$tmp/$name.json")
	if [ "$got" = "$want" ]; then ok "$name: alerts as tshark decrypts them"
	else bad "$name: alerts differ: want '$(echo $want)', got '$(echo $got)'"; fi
	want=$(grep '^keyupdate ' "$facts" | awk '{print $3}')
	got=$(jq -r 'select(.id) | .timeline[] | select(.event == "handshake" and .message == "key_update")
		| if .dir == "c2s" then "client" else "server" end' "$tmp/$name.json")
	if [ "$got" = "$want" ]; then ok "$name: KeyUpdates"
	else bad "$name: KeyUpdates: want '$(echo $want)', got '$(echo $got)'"; fi
	# The last alert is the last TLS event of the timeline: the end of the
	# connection is there, not cut off after the first records.
	last=$(jq -r 'select(.id) | [.timeline[] | select(.event != "fin" and .event != "rst")] | last | .event' \
		"$tmp/$name.json")
	if [ "$last" = alert ]; then ok "$name: the timeline ends with the alerts"
	else bad "$name: the timeline's last TLS event is '$last'"; fi
	# Without the key log: nothing decrypted, the same number of connections.
	"$bin" -r "$pcap" -o json >"$tmp/$name.nokeys.json" 2>/dev/null
	dec=$(jq -r 'select(.id) | [.timeline[] | select(.decrypted)] | length' "$tmp/$name.nokeys.json")
	if [ "$dec" = 0 ]; then ok "$name: nothing decrypted without the key log"
	else bad "$name: $dec events decrypted without the key log"; fi
done
[ $n -gt 0 ] || bad "no captures/expected/*.tshark found"
finish
