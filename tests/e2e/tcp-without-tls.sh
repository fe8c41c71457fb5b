#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end test of issue 15 point 10 ("TCP outside TLS") over the capture
# of captures/make-tcp-without-tls.sh, against the facts tshark wrote for it
# (captures/expected/tcp-without-tls.tcp, never tlsdiag's own output):
#  - the TLS connections are reported, nothing else;
#  - the JSON summary's tcp_without_tls has, per server port, the refused,
#    unanswered, plaintext and closed counts and the first time tshark
#    gives, in order of that time; the text and Markdown summaries say
#    the same; --only-failed keeps it;
#  - --port PORT makes the refused and plaintext connections to PORT
#    connections again (and takes them out of the summary);
#  - a capture without such connections has no tcp_without_tls key and no
#    text block, so its outputs are what they were.
set -u
TD_E2E_NAME=tcp-without-tls
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || { echo "FAIL jq is required"; echo "$TD_E2E_NAME: 0 passed, 1 failed"; exit 1; }
[ -x "$bin" ] || { echo "FAIL no binary at $bin"; echo "$TD_E2E_NAME: 0 passed, 1 failed"; exit 1; }

name=tcp-without-tls
pcap="$caps/$name.pcap"
facts="$caps/expected/$name.tcp"

# The facts as the JSON tlsdiag should write: port lines in file order
# (make-tcp-without-tls.sh sorts them by first time, then port).
want=$(awk '$1 == "port" { printf "%s{\"port\":%s,\"refused\":%s,\"unanswered\":%s,\"plaintext\":%s,\"closed\":%s,\"first\":\"%s\"}",
	(n++ ? "," : "["), $2, $4, $6, $8, $10, $12 } END { print "]" }' "$facts")
tls_conns=$(awk '$1 == "tls" { n += $3 } END { print n + 0 }' "$facts")

summary() {  # summary ARGS...: the JSON summary's tcp_without_tls, compact
	"$bin" -r "$pcap" -o json "$@" 2>/dev/null | jq -c -n '[inputs | select(.summary)][0].summary.tcp_without_tls'
}

got=$(summary)
if [ "$got" = "$want" ]; then ok "$name: tcp_without_tls as tshark counts it"
else bad "$name: tcp_without_tls"; echo "     want $want"; echo "      got $got"; fi

got=$(summary --only-failed)
if [ "$got" = "$want" ]; then ok "$name: --only-failed keeps tcp_without_tls"
else bad "$name: --only-failed: got $got"; fi

n=$("$bin" -r "$pcap" -o json 2>/dev/null | jq -n '[inputs | select(.id)] | length')
if [ "$n" = "$tls_conns" ]; then ok "$name: $n TLS connection(s) reported, as tshark sees"
else bad "$name: $n connections reported, want $tls_conns"; fi

# Text and Markdown: each port's line, worded as tlsdiag(1) says.
"$bin" -r "$pcap" --width 1000 >"$tmp/text" 2>&1
"$bin" -r "$pcap" -o markdown >"$tmp/md" 2>&1
while read -r _ port _ refused _ unanswered _ plaintext _ closed _ first; do
	line="port $port:"
	sep=" "
	for kv in "$refused refused" "$unanswered unanswered" "$plaintext plaintext" \
		  "$closed closed without data"; do
		[ "${kv%% *}" = 0 ] && continue
		line="$line$sep$kv"; sep=", "
	done
	line="$line, first $first"
	if grep -q "^TCP without TLS:.*$line" "$tmp/text"; then ok "$name: text says '$line'"
	else bad "$name: text does not say '$line'"; fi
	if grep -q -x -F -- "  - $line" "$tmp/md"; then ok "$name: Markdown says '$line'"
	else bad "$name: Markdown does not say '$line'"; fi
done < <(grep '^port ' "$facts")

# --port: the refused port's connections are connections again.
rport=$(awk '$1 == "port" && $4 > 0 { print $2; exit }' "$facts")
rcount=$(awk -v p="$rport" '$1 == "port" && $2 == p { print $4 }' "$facts")
if [ -n "$rport" ]; then
	"$bin" -r "$pcap" --port "$rport" -o json >"$tmp/port.json" 2>/dev/null
	n=$(jq -n --arg p ":$rport" '[inputs | select(.id) | select(.server | endswith($p)) |
		select(.outcome == "failed" and .diagnoses[0].code == "TCP_CONNECTION_REFUSED")] | length' "$tmp/port.json")
	left=$(jq -n --argjson p "$rport" '[inputs | select(.summary) | .summary.tcp_without_tls // [] | .[] |
		select(.port == $p)] | length' "$tmp/port.json")
	if [ "$n" = "$rcount" ] && [ "$left" = 0 ]; then
		ok "$name: --port $rport reports its $rcount refused connection(s)"
	else
		bad "$name: --port $rport: $n refused connection(s) reported (want $rcount), $left summary entry left"
	fi
fi

# A capture without TCP outside TLS: nothing added.
plain="$caps/tls13-mtls-ok.pcap"
if [ -f "$plain" ]; then
	k=$("$bin" -r "$plain" -o json 2>/dev/null | jq -n '[inputs | select(.summary) | .summary | has("tcp_without_tls")] | .[0]')
	if [ "$k" = false ] && ! "$bin" -r "$plain" 2>/dev/null | grep -q '^TCP without TLS'; then
		ok "tls13-mtls-ok: no tcp_without_tls, no text block"
	else
		bad "tls13-mtls-ok: a TCP without TLS summary where there is none"
	fi
fi

finish
