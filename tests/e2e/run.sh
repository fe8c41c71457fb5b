#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end tests: tlsdiag on every capture in captures/ against facts
# checked with tshark and openssl (captures/expected/*.facts), plus the
# command line's contract (stdin, gzip, errors and exit statuses).
set -u
TD_E2E_NAME=e2e
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || { echo "FAIL jq is required (apt-get install jq)"; echo "e2e: 0 passed, 1 failed"; exit 1; }
[ -x "$bin" ] || { echo "FAIL no binary at $bin"; echo "e2e: 0 passed, 1 failed"; exit 1; }

# 1. Every capture with expected facts.
nfacts=0
# NAME.facts: what the capture shows in clear; NAME.decrypted.facts (TLS
# 1.3): what it shows with its key log (-k).
for facts in "$caps"/expected/*.facts; do
	[ -e "$facts" ] || continue
	nfacts=$((nfacts + 1))
	name=$(basename "$facts" .facts)
	keys=()
	case "$name" in
	*.decrypted) keys=(-k "$caps/${name%.decrypted}.keylog"); pcap="$caps/${name%.decrypted}.pcap" ;;
	*) pcap="$caps/$name.pcap" ;;
	esac
	"$bin" -r "$pcap" "${keys[@]}" -o json >"$tmp/$name.json" 2>"$tmp/$name.err"
	st=$?
	# Exit status 1 exactly when a connection has an error diagnosis.
	want_st=0
	# (select(.id): connection lines; the last line is the summary object,
	# hence -n and inputs: jq -e judges the last line's result alone)
	jq -e -n 'any(inputs | select(.id); any(.diagnoses[]; .severity == "error"))' "$tmp/$name.json" >/dev/null 2>&1 && want_st=1
	if [ $st -ne $want_st ]; then
		bad "$name: tlsdiag exited $st, want $want_st ($(head -1 "$tmp/$name.err"))"
		continue
	fi
	if ! jq -e . "$tmp/$name.json" >/dev/null 2>&1; then
		bad "$name: output is not valid JSON Lines"
		continue
	fi
	jq -r -f "$top_srcdir/tests/e2e/facts.jq" "$tmp/$name.json" >"$tmp/$name.got"
	errs=0
	while IFS= read -r line; do
		case "$line" in ''|'#'*) continue ;; esac
		key=$(printf '%s' "$line" | cut -d' ' -f1-2)
		case "$key" in
		*' 'diag.[1-9]*)
			# a code that must appear among the diagnoses, anywhere after the root cause
			conn=${key%% *}; code=$(printf '%s' "$line" | cut -d' ' -f3)
			if grep -q -x -F -- "$conn diag.code $code" "$tmp/$name.got"; then continue; fi
			echo "     $name: want diagnosis $code"
			errs=$((errs + 1))
			continue ;;
		esac
		got=$(grep -F -m1 -- "$key " "$tmp/$name.got" || true)
		if [ "$got" != "$line" ]; then
			echo "     $name: want '$line'"
			echo "     $name:  got '${got:-(nothing)}'"
			errs=$((errs + 1))
		fi
	done <"$facts"
	# As many TLS connections as the facts describe.
	want_n=$(grep -v '^#' "$facts" | awk 'NF {print $1}' | sort -u | wc -l)
	got_n=$(jq -c 'select(.id)' "$tmp/$name.json" | wc -l)
	if [ "$want_n" != "$got_n" ]; then
		echo "     $name: want $want_n connections, got $got_n"
		errs=$((errs + 1))
	fi
	if [ $errs -eq 0 ]; then ok "$name: facts"; else bad "$name: $errs facts differ"; fi
	# One summary object, last, whose counts are what the connection lines say.
	sum_err=$(jq -s -r '
		(map(select(.id))) as $c | (map(select(has("summary")))) as $s |
		if ($s | length) != 1 then "\($s | length) summary objects"
		elif (.[-1] | has("summary") | not) then "the summary is not the last line"
		elif (.[-1] | has("id")) then "the summary has an id"
		else .[-1].summary as $m |
		  ([$c[] | .outcome] | reduce .[] as $o ({established: 0, failed: 0, incomplete: 0}; .[$o] += 1)) as $bo |
		  ([$c[] | .diagnoses[].code] | reduce .[] as $k ({}; .[$k] += 1)) as $bc |
		  ([$c[] | select(any(.diagnoses[]; .severity == "error"))] | length) as $we |
		  if $m.connections != ($c | length) then "connections \($m.connections), lines \($c | length)"
		  elif $m.by_outcome != $bo then "by_outcome \($m.by_outcome | tojson), lines \($bo | tojson)"
		  elif $m.by_code != $bc then "by_code \($m.by_code | tojson), lines \($bc | tojson)"
		  elif $m.with_errors != $we then "with_errors \($m.with_errors), lines \($we)"
		  else empty end
		end' "$tmp/$name.json" 2>&1)
	if [ -z "$sum_err" ]; then ok "$name: JSON summary"; else bad "$name: JSON summary: $sum_err"; fi
	# The text report runs too, and stays within 80 columns (COLUMNS
	# unset, stdout a file; tests/e2e/width.sh tries other widths).
	env -u COLUMNS "$bin" -r "$pcap" "${keys[@]}" --color=never >"$tmp/$name.txt" 2>&1
	if [ $? -eq $want_st ]; then
		long=$(awk 'length > 80' "$tmp/$name.txt" | wc -l)
		if [ "$long" -eq 0 ]; then ok "$name: text report"; else bad "$name: $long text lines over 80 columns"; fi
	else
		bad "$name: text report failed"
	fi
done
[ $nfacts -gt 0 ] || bad "no captures/expected/*.facts found"

# 2. The command line's contract, on one lab capture.
one="$caps/tls12-client-cert-untrusted.pcap"; [ -f "$one" ] || one=""
if [ -n "$one" ]; then
	"$bin" -r "$one" -o json >"$tmp/file.json" 2>/dev/null
	"$bin" -r - -o json <"$one" >"$tmp/stdin.json" 2>/dev/null
	if [ -s "$tmp/file.json" ] && cmp -s "$tmp/file.json" "$tmp/stdin.json"; then ok "stdin (-r -) gives the same report"; else bad "stdin (-r -)"; fi
	gzip -c "$one" >"$tmp/c.pcap.gz"
	"$bin" -r "$tmp/c.pcap.gz" -o json >"$tmp/gz.json" 2>/dev/null
	if cmp -s "$tmp/file.json" "$tmp/gz.json"; then ok "gzip-compressed capture"; else bad "gzip-compressed capture"; fi
	"$bin" -r - -o json <"$tmp/c.pcap.gz" >"$tmp/gzstdin.json" 2>/dev/null
	if cmp -s "$tmp/file.json" "$tmp/gzstdin.json"; then ok "gzip on stdin"; else bad "gzip on stdin"; fi
	"$bin" -r "$one" -o json 'tcp port 1' >"$tmp/none.json" 2>/dev/null
	# nothing analysed: exit 0 and no output
	if [ $? -eq 0 ] && [ "$(jq -c 'select(.id)' "$tmp/none.json" | wc -l)" -eq 0 ] &&
	   [ "$(jq -c 'select(.summary.connections == 0)' "$tmp/none.json" | wc -l)" -eq 1 ]; then
		ok "BPF filter excludes everything"
	else bad "BPF filter"; fi
	"$bin" -r "$one" -o json 'tcp' 'port' '8443' >"$tmp/some.json" 2>/dev/null
	if cmp -s "$tmp/file.json" "$tmp/some.json"; then ok "filter from several arguments"; else bad "filter from several arguments"; fi
	# A file cut short: tests/e2e/cli.sh.
fi

# 3. Trust stores and the validation time (lab certificates: openssl x509
# -enddate says notAfter=Nov 24 2036; the root of the server chain is
# rootCA, not clientCA).
lab="$caps/lab"
ok12="$caps/tls12-mtls-ok.pcap"
if [ -f "$ok12" ]; then
	out=$("$bin" -r "$ok12" -o json --ca-file "$lab/clientCA.crt"); st=$?
	if [ $st -eq 0 ] && printf '%s' "$out" | jq -e -n 'any(inputs | select(.id) | .diagnoses[] | select(.code == "SERVER_CERT_UNTRUSTED" and .severity == "warning") | .evidence[]; contains("self-signed certificate in certificate chain"))' >/dev/null; then
		ok "--ca-file without the server's root: a warning on an accepted chain"
	else bad "--ca-file without the server's root"; fi
	out=$("$bin" -r "$ok12" -o json --ca-file "$lab/rootCA.crt"); st=$?
	if [ $st -eq 0 ] && [ "$(printf '%s' "$out" | jq 'select(.id) | .diagnoses | length')" = 0 ]; then
		ok "--ca-file with the server's root: no diagnosis"
	else bad "--ca-file with the server's root"; fi
	out=$("$bin" -r "$ok12" -o json --at 2040-01-01T00:00:00Z); st=$?
	if [ $st -eq 0 ] && printf '%s' "$out" | jq -e -n 'any(inputs | select(.id) | .diagnoses[]; .code == "SERVER_CERT_EXPIRED" and .severity == "warning")' >/dev/null; then
		ok "--at after notAfter: SERVER_CERT_EXPIRED"
	else bad "--at after notAfter"; fi
	"$bin" -r "$ok12" --at yesterday >/dev/null 2>&1; st=$?
	if [ $st -eq 2 ]; then ok "bad --at: exit 2"; else bad "bad --at: exit $st"; fi
	"$bin" -r "$ok12" --ca-file "$tmp/nothing-here.pem" >/dev/null 2>"$tmp/err"; st=$?
	if [ $st -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]; then ok "unreadable --ca-file: exit 2, one line"; else bad "unreadable --ca-file"; fi
fi

expect_exit() { # want-status description command...
	local want=$1 what=$2; shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	local st=$?
	local lines; lines=$(wc -l <"$tmp/err")
	if [ $st -eq "$want" ] && [ "$lines" -eq 1 ]; then ok "$what: exit $st, '$(cat "$tmp/err")'"
	else bad "$what: exit $st (want $want), $lines stderr lines"; cat "$tmp/err"; fi
}
expect_exit 2 "missing file" "$bin" -r "$tmp/does-not-exist.pcap"
printf 'this is not a capture file at all\n' >"$tmp/notpcap"
expect_exit 2 "not a capture" "$bin" -r "$tmp/notpcap"
[ -n "$one" ] && expect_exit 2 "bad filter" "$bin" -r "$one" 'port nonsense'
expect_exit 2 "no input" "$bin"
expect_exit 2 "bad option" "$bin" --no-such-option
expect_exit 2 "bad output format" "$bin" -r x -o xml
expect_exit 2 "bad --port" "$bin" -r x --port 70000
# A pcap with link type 147 (USER0), which tlsdiag does not decode.
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x93\x00\x00\x00' >"$tmp/user0.pcap"
expect_exit 2 "unsupported link type" "$bin" -r "$tmp/user0.pcap"
if grep -q 'unsupported link type 147' "$tmp/err"; then ok "link type named"; else bad "link type not named"; fi
if "$bin" --help | grep -q -- '--max-flows'; then ok "--help lists the caps"; else bad "--help"; fi

echo "e2e: $pass passed, $fail failed"
[ $fail -eq 0 ]
