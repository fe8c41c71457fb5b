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

# 1. Every capture with expected facts, several at a time (par_each).
# NAME.facts: what the capture shows in clear; NAME.decrypted.facts (TLS
# 1.3): what it shows with its key log (-k).
check_facts() {
	local facts=$1 name keys=() pcap st want_st meta errs long
	name=$(basename "$facts" .facts)
	case "$name" in
	*.decrypted) keys=(-k "$caps/${name%.decrypted}.keylog"); pcap="$caps/${name%.decrypted}.pcap" ;;
	*) pcap="$caps/$name.pcap" ;;
	esac
	"$bin" -r "$pcap" "${keys[@]}" -o json >"$tmp/$name.json" 2>"$tmp/$name.err"
	st=$?
	# One jq for the JSON as a whole, then its facts: a first line
	# "valid WANT_ST NCONN SUMMARY-ERROR" (exit status 1 exactly when a
	# connection has an error diagnosis; one summary object, last, whose
	# counts are what the connection lines say), then the connection
	# lines as facts (facts.jq).  Not valid JSON Lines: jq -s fails.
	jq -s -r "def td_facts: $facts_jq
;
"'
		(map(select(.id))) as $c | (map(select(has("summary")))) as $s |
		(if any($c[]; any(.diagnoses[]; .severity == "error")) then 1 else 0 end) as $want |
		(if ($s | length) != 1 then "\($s | length) summary objects"
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
		  else "" end
		end) as $sum |
		"valid \($want) \($c | length) \($sum)", (.[] | td_facts)' "$tmp/$name.json" >"$tmp/$name.got" 2>/dev/null
	IFS= read -r meta <"$tmp/$name.got"
	want_st=0
	case $meta in "valid 1 "*) want_st=1 ;; esac
	if [ $st -ne $want_st ]; then
		bad "$name: tlsdiag exited $st, want $want_st ($(head -1 "$tmp/$name.err"))"
		return
	fi
	case $meta in
	"valid "*) ;;
	*) bad "$name: output is not valid JSON Lines"; return ;;
	esac
	# Each fact line against the first line of tlsdiag's with the same
	# "<conn> <key>"; "<conn> diag.N CODE" (N > 0): CODE anywhere among
	# the connection's diagnoses, after the root cause.  Then as many TLS
	# connections as the facts describe.
	local got_n
	read -r _ _ got_n _ <<<"$meta"
	awk -v name="$name" -v got_n="$got_n" -v q="'" -v out="$tmp/$name.errs" '
		function key(l,   a, b) {
			a = index(l, " "); if (!a) return l
			b = index(substr(l, a + 1), " "); return b ? substr(l, 1, a + b - 1) : l
		}
		FNR == NR { if (FNR == 1) next; k = key($0); if (!(k in got)) got[k] = $0; have[$0] = 1; next }
		/^#/ || $0 == "" { next }
		NF { conns[$1] = 1 }
		{ k = key($0); split(k, kk, " ") }
		kk[2] ~ /^diag\.[1-9]/ {
			split($0, f, " ")
			if (!((kk[1] " diag.code " f[3]) in have)) {
				print "     " name ": want diagnosis " f[3]; e++
			}
			next
		}
		(k in got ? got[k] : "") != $0 {
			print "     " name ": want " q $0 q
			print "     " name ":  got " q (k in got ? got[k] : "(nothing)") q
			e++
		}
		END {
			n = 0; for (c in conns) n++
			if (n != got_n) { print "     " name ": want " n " connections, got " got_n; e++ }
			print e + 0 > out
		}' "$tmp/$name.got" "$facts"
	read -r errs <"$tmp/$name.errs"
	if [ "$errs" -eq 0 ]; then ok "$name: facts"; else bad "$name: $errs facts differ"; fi
	local sum_err=${meta#valid * * }
	if [ -z "$sum_err" ]; then ok "$name: JSON summary"; else bad "$name: JSON summary: $sum_err"; fi
	# The text report runs too, and stays within 80 columns (COLUMNS
	# unset, stdout a file; tests/e2e/width.sh tries other widths).
	env -u COLUMNS "$bin" -r "$pcap" "${keys[@]}" --color=never >"$tmp/$name.txt" 2>&1
	if [ $? -eq $want_st ]; then
		long=$(awk 'length > 80 { n++ } END { print n + 0 }' "$tmp/$name.txt")
		if [ "$long" -eq 0 ]; then ok "$name: text report"; else bad "$name: $long text lines over 80 columns"; fi
	else
		bad "$name: text report failed"
	fi
}
facts_jq=$(cat "$top_srcdir/tests/e2e/facts.jq")
facts_files=()
for facts in "$caps"/expected/*.facts; do
	[ -e "$facts" ] && facts_files+=("$facts")
done
par_each check_facts "${facts_files[@]}"
[ ${#facts_files[@]} -gt 0 ] || bad "no captures/expected/*.facts found"

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
