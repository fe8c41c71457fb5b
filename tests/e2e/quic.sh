#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# QUIC without a key log (issue 16): tlsdiag -o json on every
# captures/quic-NAME.pcap, WITHOUT its key log, against
#   - captures/expected/quic-NAME.quic, the facts tshark wrote (with the
#     key log, see make-quic-captures.sh), but only those a keyless
#     observer can see: transport, client, server, quic_version, sni,
#     alpn_offered, version, cipher, retry, version_negotiation.  Skipped
#     in this keyless pass: alpn and server_cert.* (in the server's
#     Handshake packets), close.* (a close in a Handshake or 1-RTT packet
#     cannot be read), outcome (the client's own log: the verdict file
#     says what the packets alone show), and sni and alpn_offered of a
#     version tlsdiag cannot open (RFC 8999: only its long header is
#     common to all versions; tshark opens it with version 1's keys);
#   - captures/expected/quic-NAME.verdict, written by reasoning from the
#     packets (never from tlsdiag's output): the outcome and the first
#     diagnosis (code stage gave_up confidence, or "none").
set -u
TD_E2E_NAME=quic
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || { echo "FAIL jq is required (apt-get install jq)"; echo "quic: 0 passed, 1 failed"; exit 1; }
[ -x "$bin" ] || { echo "FAIL no binary at $bin"; echo "quic: 0 passed, 1 failed"; exit 1; }
jqprog="$top_srcdir/tests/e2e/quic-facts.jq"

# The expected number as the JSON names it (quic.h, td_quic_version_name).
version_name() {
	case "$1" in
	0x00000001) echo QUICv1 ;;
	0x6b3343cf) echo QUICv2 ;;
	0x?a?a?a?a) echo "reserved (greasing)" ;;
	*) echo "$1" ;;
	esac
}

# missing LABEL WANT GOT: every line of WANT is a line of GOT; each one
# that is not is a failure (with what tlsdiag says of that key); false
# when one is missing.
missing() {
	local label=$1 want=$2 got=$3 line st=0
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		if ! grep -qxF -- "$line" <<<"$got"; then
			bad "$label: expected '$line'; tlsdiag says: $(grep -F -- "${line% *}" <<<"$got" | head -1)"
			st=1
		fi
	done <<<"$want"
	return $st
}

check() {
	local quic=$1 name pcap verdict got want line conn key val unknown=""
	name=$(basename "$quic" .quic)
	pcap="$caps/$name.pcap"
	verdict="$caps/expected/$name.verdict"
	[ -f "$verdict" ] || { bad "$name: no $verdict"; return; }
	if ! "$bin" -r "$pcap" -o json >"$tmp/$name.json" 2>"$tmp/$name.err"; then
		:  # exit status 1: an error diagnosis; the verdict says which
	fi
	got=$(jq -r --argjson keys false -f "$jqprog" "$tmp/$name.json") || { bad "$name: jq failed"; return; }
	want=$(
		while read -r conn key val; do
			case "$conn" in '#'*|'') continue ;; esac
			case "$key" in
			quic_version)
				v=$(version_name "$val")
				case "$v" in QUICv1|QUICv2) ;; *) unknown=1 ;; esac
				echo "$conn $key $v" ;;
			transport|client|server|version|cipher|retry|version_negotiation)
				echo "$conn $key $val" ;;
			sni|alpn_offered)
				[ -n "$unknown" ] || echo "$conn $key $val" ;;
			esac
		done <"$quic"
		grep -v '^#' "$verdict"
	)
	local miss=0
	missing "$name" "$want" "$got" || miss=1
	# Every connection tlsdiag reports is one the facts name.
	local nwant ngot
	nwant=$(grep -c ' transport ' <<<"$want")
	ngot=$(grep -c ' transport ' <<<"$got")
	[ "$nwant" = "$ngot" ] || { bad "$name: $ngot connections, expected $nwant"; miss=1; }
	[ "$miss" = 1 ] || ok "$name: $(grep -c . <<<"$want") keyless facts and the verdict"
}

# With the key log (RFC 9001 5.1: the Handshake and 1-RTT packets open):
# the facts that need it -- alpn, server_cert.N.subject,
# client_cert.N.subject, the first CONNECTION_CLOSE (close.0: sender,
# packet type, kind and code; quic-key-update's is read only if the
# decryption followed the key update) and the outcome the client's own
# log gave -- and
# captures/expected/quic-NAME.verdict-keys, written by reasoning.  Only
# the captures whose client wrote a key log (a handshake began).
check_keys() {
	local quic=$1 name pcap keylog verdict got want
	name=$(basename "$quic" .quic)
	pcap="$caps/$name.pcap" keylog="$caps/$name.keylog" verdict="$caps/expected/$name.verdict-keys"
	[ -f "$keylog" ] || return 0
	[ -f "$verdict" ] || { bad "$name: a key log but no $verdict"; return; }
	"$bin" -r "$pcap" -k "$keylog" -o json >"$tmp/$name.k.json" 2>"$tmp/$name.k.err"
	got=$(jq -r --argjson keys true -f "$jqprog" "$tmp/$name.k.json") || { bad "$name: jq failed"; return; }
	want=$(
		grep -E '^[0-9]+ (alpn|server_cert\.[0-9]+\.subject|client_cert\.[0-9]+\.subject|outcome) ' "$quic"
		grep -E '^[0-9]+ close\.0 ' "$quic" | sed 's/ crypto_error .*//'
		grep -v '^#' "$verdict"
	)
	missing "$name (key log)" "$want" "$got" && ok "$name (key log): $(grep -c . <<<"$want") facts and the verdict"
}

set -- "$caps"/expected/quic-*.quic
[ -f "$1" ] || { echo "FAIL no captures/expected/quic-*.quic"; finish; }
par_each check "$@"
par_each check_keys "$@"
finish
