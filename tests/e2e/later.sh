#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end tests of issue 15 point 6 over the Apache captures of
# captures/real (renegotiation, TLS 1.3 post-handshake authentication),
# against the facts tshark wrote for them (captures/real/expected/,
# never tlsdiag's own output):
#  - with the key log, the handshake messages (and ChangeCipherSpecs) of
#    the later handshake in tlsdiag's JSON timeline, those marked with a
#    "phase", are the ones tshark decrypted after the first handshake
#    (the flight.K lines of NAME.decrypted.facts), from the same sides, in
#    the same order;
#  - without it (TLS 1.2), the encrypted handshake records after the first
#    handshake are the renegotiation's, with tshark's lengths;
#  - later_handshakes counts them, and tlsdiag's verdicts agree with the
#    expectations written by hand (tests/e2e/real-verdicts.py).
set -u
TD_E2E_NAME=later
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || { echo "FAIL jq is required"; echo "later: 0 passed, 1 failed"; exit 1; }
[ -x "$bin" ] || { echo "FAIL no binary at $bin"; echo "later: 0 passed, 1 failed"; exit 1; }
real="$caps/real"

# tshark's tokens after the first handshake, one "side name" a line: the
# later handshake begins at the first HelloRequest, ClientHello or
# CertificateRequest after both sides' first Finished (or, without keys,
# at the first EncryptedHandshake record after both sides' first one);
# application data, alerts and tickets are not part of it.
later_from_facts() {
	awk -v keyed="$2" '
	$2 ~ /^flight\./ {
		side = $3
		for (i = 4; i <= NF; i++) {
			t = $i; n = 1
			if (match(t, /\*[0-9]+$/)) { n = substr(t, RSTART + 1); t = substr(t, 1, RSTART - 1) }
			for (k = 0; k < n; k++) {
				if (keyed == 1 && t == "Finished" && !later) { fin[side] = 1; continue }
				if (keyed == 0 && t ~ /^EncryptedHandshake/ && !later && !fin[side]) { fin[side] = 1; continue }
				if (!later && fin["client"] && fin["server"] &&
				    (t == "HelloRequest" || t == "ClientHello" || t == "CertificateRequest" ||
				     t ~ /^EncryptedHandshake/))
					later = 1
				if (!later || t ~ /^(ApplicationData|Alert|NewSessionTicket|Encrypted\()/)
					continue
				print side, t
			}
		}
	}' "$1" | sed -E 's/ EncryptedHandshake\(([0-9]+)\)$/ e\1/; s/ ChangeCipherSpec$/ ccs/' |
	while read -r side t; do
		case $t in
		e[0-9]*|ccs) echo "$side $t" ;;
		*) echo "$side $(echo "$t" | sed -E 's/([a-z])([A-Z])/\1_\2/g' | tr 'A-Z' 'a-z')" ;;
		esac
	done
}

later_from_tlsdiag() {
	jq -r 'select(.id) | .timeline[] | select(.phase) |
		(if .dir == "c2s" then "client" else "server" end) + " " +
		(if .event == "handshake" then .message
		 elif .event == "change_cipher_spec" then "ccs"
		 else "e\(.length)" end)' "$1"
}

n=0
for facts in "$real"/expected/apache-*.decrypted.facts; do
	[ -e "$facts" ] || continue
	name=$(basename "$facts" .decrypted.facts)
	grep -Eq 'HelloRequest|flight\.[3-9] server .*CertificateRequest' "$facts" || continue
	n=$((n + 1))
	pcap="$real/$name.pcap"
	"$bin" -r "$pcap" -k "$real/$name.keylog" -o json >"$tmp/$name.json" 2>"$tmp/$name.err"
	want=$(later_from_facts "$facts" 1)
	got=$(later_from_tlsdiag "$tmp/$name.json")
	if [ -n "$want" ] && [ "$got" = "$want" ]; then ok "$name -k: the later handshake as tshark decrypts it"
	else bad "$name -k: want '$(echo $want)', got '$(echo $got)'"; fi
	kind=renegotiations
	grep -q HelloRequest "$facts" || kind=post_handshake_auth
	count=$(jq -r "select(.id) | .later_handshakes.$kind // 0" "$tmp/$name.json")
	if [ "$count" = 1 ]; then ok "$name -k: later_handshakes.$kind 1"
	else bad "$name -k: later_handshakes.$kind $count"; fi
	[ "$kind" = renegotiations ] || continue
	# The model keeps the first handshake's ServerHello (its ALPN; the
	# second one has none).
	alpn=$(jq -r 'select(.id) | .alpn' "$tmp/$name.json")
	if [ "$alpn" = http/1.1 ]; then ok "$name -k: the first ServerHello kept"
	else bad "$name -k: alpn $alpn"; fi
	"$bin" -r "$pcap" -o json >"$tmp/$name.nokeys.json" 2>/dev/null
	want=$(later_from_facts "$real/expected/$name.facts" 0)
	got=$(later_from_tlsdiag "$tmp/$name.nokeys.json")
	if [ -n "$want" ] && [ "$got" = "$want" ]; then ok "$name: the renegotiation's records as tshark shows them"
	else bad "$name: want '$(echo $want)', got '$(echo $got)'"; fi
done
[ $n -gt 0 ] || bad "no Apache renegotiation or post-handshake captures in $real/expected"

if command -v python3 >/dev/null; then
	names=$(cd "$real/expected" && ls apache-*.decrypted.facts | sed 's/\.decrypted\.facts$//' |
		grep -v no-pha)
	if out=$(python3 "$top_srcdir/tests/e2e/real-verdicts.py" "$bin" "$real" $names 2>&1); then
		ok "verdicts agree with captures/real/expected ($(echo $names))"
	else
		bad "verdicts: $(echo "$out" | tr '\n' ';')"
	fi
fi
finish
