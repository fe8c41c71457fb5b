#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Corpus check: tlsdiag over the public captures in ../shared/corpus.
#  1. robustness: every capture runs to the end, exit 0 or 1 (2 when its
#     summary says the file was cut short), within 60 s,
#     with no sanitizer report (when tlsdiag was built with them), and
#     its JSON is valid JSON Lines in valid UTF-8;
#  2. agreement with tshark on plaintext handshakes: per client endpoint,
#     the SNI, the negotiated version and cipher suite, and the subject of
#     the server's first certificate.
# Skips, saying so, when the corpus is absent (a user's clone has none).
# Usage: tests/corpus/run.sh path/to/tlsdiag [corpus-dir]
set -u
bin=${1:?usage: run.sh TLSDIAG [CORPUS]}
here=$(cd "$(dirname "$0")" && pwd)
corpus=${2:-$here/../../../shared/corpus}
if [ ! -d "$corpus" ]; then
	echo "SKIPPED: corpus check: no corpus at $corpus (it lives beside the project in ../shared/corpus)"
	exit 0
fi
have_tshark=1
command -v tshark >/dev/null || { have_tshark=0; echo "WARNING: tshark not installed: agreement with tshark NOT checked (apt-get install tshark)"; }
command -v jq >/dev/null || { echo "FAIL: jq is required"; exit 1; }
known="$here/known-differences"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0; agree=0; differ=0; excused=0

files=$(find "$corpus" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.pcap.gz' \) | sort)
for f in $files; do
	rel=${f#"$corpus"/}
	timeout 60 "$bin" -r "$f" -o json >"$tmp/out.json" 2>"$tmp/err"
	st=$?
	# 0: no error diagnosis, 1: some connection failed, 2 with the summary's
	# "truncated": true: a capture cut short, analysed up to the cut
	# (several public captures are); anything else is a crash or an error.
	cut=$(tail -n 1 "$tmp/out.json" | jq -r '.summary.truncated // false' 2>/dev/null)
	if { [ $st -gt 1 ] && ! { [ $st -eq 2 ] && [ "$cut" = true ]; }; } ||
	   grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$tmp/err"; then
		echo "FAIL $rel: exit $st $(head -3 "$tmp/err" | tr '\n' ' ')"
		fail=$((fail + 1))
		continue
	fi
	if ! jq -e . "$tmp/out.json" >/dev/null 2>&1 || ! iconv -f UTF-8 -t UTF-8 "$tmp/out.json" >/dev/null 2>&1; then
		echo "FAIL $rel: the JSON output is not valid JSON Lines in UTF-8"
		fail=$((fail + 1))
		continue
	fi
	timeout 60 "$bin" -r "$f" --color=always -v >/dev/null 2>"$tmp/err2"
	if [ $? -ne $st ] || grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$tmp/err2"; then
		echo "FAIL $rel: text report: $(head -3 "$tmp/err2" | tr '\n' ' ')"
		fail=$((fail + 1))
		continue
	fi
	# A healthy handshake gets no error diagnosis.
	bad_ok=$(jq -r 'select(.id) | select(.outcome == "established" and any(.diagnoses[]; .severity == "error")) | "\(.client) \([.diagnoses[] | select(.severity == "error") | .code] | join(","))"' "$tmp/out.json")
	if [ -n "$bad_ok" ]; then
		echo "FAIL $rel: error diagnosis on an established connection: $bad_ok"
		fail=$((fail + 1))
		continue
	fi
	pass=$((pass + 1))
	[ $have_tshark = 1 ] || continue
	case "$rel" in *.gz) gunzip -c "$f" >"$tmp/in.pcap"; src="$tmp/in.pcap" ;; *) src=$f ;; esac

	# tshark's view, one line per fact: "<client> <key> <value>".
	tshark -r "$src" -Y 'tcp && tls.handshake.type == 1 && !tls.handshake.type == 2' -T fields -E separator='|' \
		-e ip.src -e ipv6.src -e tcp.srcport -e tls.handshake.extensions_server_name 2>/dev/null |
	awk -F'|' '{ a = $1 != "" ? $1 : "[" $2 "]"; split($4, s, ","); print a ":" $3 " sni " (s[1] == "" ? "-" : s[1]) }' |
		sort -u >"$tmp/ts.facts"
	tshark -r "$src" -Y 'tcp && tls.handshake.type == 2' -T fields -E separator='|' \
		-o 'gui.column.format:"c","%Cus:tls.handshake.ciphersuite"' \
		-e ip.dst -e ipv6.dst -e tcp.dstport -e tls.handshake.extensions.supported_version \
		-e tls.handshake.version -e _ws.col.c 2>/dev/null |
	awk -F'|' '{ a = $1 != "" ? $1 : "[" $2 "]";
		split($4, sv, ","); v = sv[1] != "" ? sv[1] : $5;
		n = (v == "0x0304") ? "TLS 1.3" : (v == "0x0303") ? "TLS 1.2" : (v == "0x0302") ? "TLS 1.1" : (v == "0x0301") ? "TLS 1.0" : (v == "0x0300") ? "SSL 3.0" : v;
		# tshark prints TLS 1.3 drafts as numbers: 0x7fNN is draft NN, 0xfb1a Facebook draft 26
		if (v ~ /^0x7f/) n = "TLS 1.3 draft " (index("0123456789abcdef", substr(v, 5, 1)) - 1) * 16 + index("0123456789abcdef", substr(v, 6, 1)) - 1;
		if (v == "0xfb17") n = "TLS 1.3 Facebook draft 23"; if (v == "0xfb1a") n = "TLS 1.3 Facebook draft 26";
		split($6, c, ",");
		if (n != "") print a ":" $3 " version " n;
		if (c[1] != "") print a ":" $3 " cipher " c[1] }' |
		sort -u >>"$tmp/ts.facts"
	# First certificate of each Certificate message sent to a client (by its endpoint).
	tshark -r "$src" -Y 'tcp && tls.handshake.type == 11 && tls.handshake.certificate' -T fields -E separator='|' \
		-e ip.dst -e ipv6.dst -e tcp.dstport -e tls.handshake.certificate 2>/dev/null |
	while IFS='|' read -r a4 a6 port certs; do
		a=${a4:-"[$a6]"}
		first=${certs%%,*}
		subj=$(printf '%s' "$first" | tr -d ':' | xxd -r -p 2>/dev/null |
			openssl x509 -inform DER -noout -subject -nameopt RFC2253 2>/dev/null | sed 's/^subject=//')
		[ -n "$subj" ] && echo "$a:${port} leaf $subj"
	done | sort -u >>"$tmp/ts.facts"

	# tlsdiag's view, the same shape.
	# (select(.id): the last line is the summary object, not a connection)
	jq -r 'select(.id) | (.client) as $c |
		(if .client_hello then "\($c) sni \(.sni // "-")" else empty end),
		(if .server_hello then "\($c) version \(.version // "-")", "\($c) cipher \(.cipher // "-")" else empty end),
		(if (.server_certs | length) > 0 then "\($c) leaf \(.server_certs[0].subject)" else empty end),
		(if (.client_certs | length) > 0 then "\(.server) leaf \(.client_certs[0].subject)" else empty end)' \
		"$tmp/out.json" | sort -u >"$tmp/td.facts"

	# Every fact tshark states must be stated the same by tlsdiag.
	while IFS= read -r line; do
		key=${line% *}; key=$(printf '%s' "$line" | cut -d' ' -f1-2)
		got=$(grep -F -x -- "$line" "$tmp/td.facts" || true)
		if [ -n "$got" ]; then agree=$((agree + 1)); continue; fi
		mine=$(grep -F -- "$key " "$tmp/td.facts" | head -1)
		if [ -f "$known" ] && grep -F -q -- "$rel $key" "$known"; then
			excused=$((excused + 1)); continue
		fi
		echo "DIFFER $rel: tshark '$line' / tlsdiag '${mine:-(nothing)}'"
		differ=$((differ + 1))
	done <"$tmp/ts.facts"
done
echo "corpus: $pass captures ran clean, $fail failed; tshark facts: $agree agree, $differ differ, $excused excused (tests/corpus/known-differences)"
echo "corpus: $pass passed, $((fail + differ)) failed"
[ $fail -eq 0 ] && [ $differ -eq 0 ]
