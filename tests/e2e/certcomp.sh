#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end test of RFC 8879 compressed certificates (issue 16, Must 2)
# over the real captures of captures/make-certcomp.sh (gnutls-serv and
# gnutls-cli of Debian 12's gnutls28 built with zlib, brotli and zstd),
# against the facts in captures/certcomp/README.md (tshark, openssl and
# gnutls-cli's own output; never tlsdiag's):
#  - with the key log: established, the server chain is the lab's two
#    certificates, compressed with the capture's algorithm (JSON
#    server_chain.compression, the text's "(compressed: ALG)"), the
#    client's empty chain too, the timeline names the
#    CompressedCertificate messages, no anomaly;
#  - without it: no chain, the ClientHello lists the algorithm.
set -u
TD_E2E_NAME=certcomp
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || { echo "FAIL jq is required"; echo "certcomp: 0 passed, 1 failed"; exit 1; }
[ -x "$bin" ] || { echo "FAIL no binary at $bin"; echo "certcomp: 0 passed, 1 failed"; exit 1; }

subjects='["O=LMT Corp,CN=tls-server.local","O=LMT Corp,CN=intermediateCA"]'
for alg in brotli zlib zstd; do
	p="$caps/certcomp/gnutls-$alg.pcap" k="$caps/certcomp/gnutls-$alg.keylog"
	[ -f "$p" ] || { bad "$p missing"; continue; }
	"$bin" -o json -r "$p" --keylog "$k" | jq -c 'select(.id)' >"$tmp/$alg.json"
	"$bin" -o json -r "$p" | jq -c 'select(.id)' >"$tmp/$alg.plain.json"
	n=$(wc -l <"$tmp/$alg.json")
	[ "$n" -eq 1 ] && ok "$alg: one connection" || bad "$alg: $n connections"
	j() { jq -r "$1" "$tmp/$alg.json"; }
	jc() { jq -c "$1" "$tmp/$alg.json"; }
	[ "$(j .outcome)" = established ] && ok "$alg: established" || bad "$alg: outcome $(j .outcome)"
	[ "$(j .server_chain.compression)" = "$alg" ] && ok "$alg: server chain compressed with $alg" ||
		bad "$alg: server_chain.compression $(j .server_chain.compression)"
	[ "$(jc '[.server_certs[].subject]')" = "$subjects" ] &&
		ok "$alg: server chain subjects" || bad "$alg: subjects $(jc '[.server_certs[].subject]')"
	[ "$(j '.client_chain.seen and .client_chain.compression == "'"$alg"'" and (.client_certs | length) == 0')" = true ] &&
		ok "$alg: the client's empty chain, compressed" || bad "$alg: client chain $(jc .client_chain)"
	[ "$(j '[.timeline[] | select(.message == "compressed_certificate") | .dir] | join(",")')" = "s2c,c2s" ] &&
		ok "$alg: two CompressedCertificate messages on the timeline" || bad "$alg: timeline"
	[ "$(j '.anomalies | length')" = 0 ] && ok "$alg: no anomaly" || bad "$alg: anomalies $(jc .anomalies)"
	[ "$(jc .client_hello.cert_compression)" = "[\"$alg\"]" ] && ok "$alg: ClientHello offers $alg" ||
		bad "$alg: client_hello.cert_compression $(jc .client_hello.cert_compression)"
	"$bin" -r "$p" --keylog "$k" --width 200 >"$tmp/$alg.txt"
	grep -q "server certificates (2) (decrypted) (compressed: $alg)" "$tmp/$alg.txt" &&
		ok "$alg: text certificates line" || bad "$alg: text certificates line"
	[ "$(jq -r .server_chain.seen "$tmp/$alg.plain.json")" = false ] &&
	[ "$(jq -c .client_hello.cert_compression "$tmp/$alg.plain.json")" = "[\"$alg\"]" ] &&
		ok "$alg: without the key log, no chain; the offer shown" || bad "$alg: without the key log"
done
finish
