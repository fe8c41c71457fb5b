#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# QUIC transport parameters (issue 16 Must 1): tlsdiag -o json on
# captures/quic-ok.pcap against captures/expected/quic-ok.tp, the
# parameters tshark -V decoded (the ClientHello's without the key log,
# the server's EncryptedExtensions' with it): every one present, in wire
# order, with its value, and no other.
set -u
TD_E2E_NAME=quic-tp
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || { echo "FAIL jq is required (apt-get install jq)"; echo "quic-tp: 0 passed, 1 failed"; exit 1; }
[ -x "$bin" ] || { echo "FAIL no binary at $bin"; echo "quic-tp: 0 passed, 1 failed"; exit 1; }
facts="$caps/expected/quic-ok.tp"

# side SIDE KEYLOG...: what tlsdiag says of one side, as the facts say it.
side() {
	local s=$1
	shift
	"$bin" -r "$caps/quic-ok.pcap" "$@" -o json 2>/dev/null | jq -r --arg s "$s" 'select(.quic) |
		.quic[$s + "_transport_parameters"] // {} | to_entries[] |
		if (.value | type) == "string" and (.value | test("^[0-9]+ bytes"))
		then "\($s) \(.key | sub("^reserved_"; "")) length \(.value | capture("^(?<n>[0-9]+)").n)"
		else "\($s) \(.key) \(.value)" end'
}

compare() {
	local label=$1 want=$2 got=$3
	if [ "$want" = "$got" ]; then
		ok "$label: $(grep -c . <<<"$want") parameters as tshark decoded them"
	else
		bad "$label: differs from tshark:"
		diff <(echo "$want") <(echo "$got") | sed 's/^/     /'
	fi
}

compare "client, no key log" "$(grep '^client ' "$facts")" "$(side client)"
compare "server, key log" "$(grep '^server ' "$facts")" \
	"$(side server -k "$caps/quic-ok.keylog")"
# Without the key log the server's parameters stay unseen (encrypted).
got=$("$bin" -r "$caps/quic-ok.pcap" -o json 2>/dev/null | jq -r 'select(.quic) | .quic.server_transport_parameters')
[ "$got" = null ] && ok "server, no key log: null" || bad "server, no key log: $got"
finish
