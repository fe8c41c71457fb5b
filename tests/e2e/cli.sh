#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/cli.sh - the command line a tcpdump user expects, and nothing
# lost in silence:
#  - a report that cannot be written (a full disk: /dev/full) exits 2 with
#    one line on stderr, in every format;
#  - a capture file cut short is analysed up to the cut, says so in the
#    JSON and text summaries and exits 2 (tcpdump exits 1 on it);
#  - every long option takes `--opt VALUE` as `--opt=VALUE`;
#  - tcpdump's -c COUNT, -w FILE, -D and -F FILE.
# Expected counts come from the captures themselves (a pcap record
# walker below, and captures/expected/*.facts, made with tshark), never
# from tlsdiag's output.
set -u
TD_E2E_NAME=cli
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || { bad "jq is required (apt-get install jq)"; finish; }
command -v python3 >/dev/null || { bad "python3 is required"; finish; }
[ -x "$bin" ] || { bad "no binary at $bin"; finish; }

one="$caps/tls12-client-cert-untrusted.pcap"
two="$caps/tls12-resumed.pcap"   # two connections (captures/expected/tls12-resumed.facts)
for f in "$one" "$two"; do [ -f "$f" ] || { bad "missing $f"; finish; }; done

# Whole records of a classic pcap file, read by its own header: the
# frames any reader can get before a cut (tcpdump counts the same).
frames() {
	python3 - "$1" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
e = '<' if d[:4] in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
off, n = 24, 0
while off + 16 <= len(d):
    incl = struct.unpack(e + 'I', d[off + 8:off + 12])[0]
    if off + 16 + incl > len(d):
        break
    off += 16 + incl
    n += 1
print(n)
EOF
}
conns_in() { jq -s '[.[] | select(.id)] | length' "$1"; }

# 1. A report that cannot be written: one line, exit 2, in every format.
for fmt in text json markdown; do
	"$bin" -r "$one" -o "$fmt" >/dev/full 2>"$tmp/err"; st=$?
	if [ $st -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q 'No space left on device' "$tmp/err"; then
		ok "-o $fmt > /dev/full: exit 2, '$(cat "$tmp/err")'"
	else
		bad "-o $fmt > /dev/full: exit $st, stderr: $(cat "$tmp/err")"
	fi
done
"$bin" -r "$one" -w /dev/full -o json >/dev/null 2>"$tmp/err"; st=$?
if [ $st -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q '/dev/full' "$tmp/err"; then
	ok "-w /dev/full: exit 2, '$(cat "$tmp/err")'"
else bad "-w /dev/full: exit $st, stderr: $(cat "$tmp/err")"; fi

# 2. A capture cut short, 7 bytes before its end (inside the last frame).
head -c $(( $(wc -c <"$one") - 7 )) "$one" >"$tmp/cut.pcap"
want=$(frames "$tmp/cut.pcap")
all=$(frames "$one")
"$bin" -r "$tmp/cut.pcap" -o json >"$tmp/cut.json" 2>"$tmp/cut.err"; st=$?
got=$(jq -c 'select(.summary) | .summary | [.truncated, .frames_read, .capture.frames]' "$tmp/cut.json")
if [ $st -eq 2 ] && [ "$got" = "[true,$want,$want]" ] && [ "$want" -eq $((all - 1)) ]; then
	ok "cut short: exit 2, JSON summary truncated with frames_read $want (of $all)"
else
	bad "cut short: exit $st, summary [truncated, frames_read, frames] = $got, want [true,$want,$want]"
fi
if [ "$(wc -l <"$tmp/cut.err")" -eq 1 ] && grep -q 'cut short' "$tmp/cut.err"; then
	ok "cut short: one warning line on stderr"
else bad "cut short: stderr: $(cat "$tmp/cut.err")"; fi
if [ "$(conns_in "$tmp/cut.json")" -eq 1 ]; then ok "cut short: the connection before the cut is still reported"
else bad "cut short: $(conns_in "$tmp/cut.json") connections reported, want 1"; fi
"$bin" -r "$tmp/cut.pcap" >"$tmp/cut.txt" 2>/dev/null; st=$?
if [ $st -eq 2 ] && grep -q "^capture cut short: after $want frames" "$tmp/cut.txt"; then
	ok "cut short: the text summary says so"
else bad "cut short: text exit $st, no 'capture cut short: after $want frames' line"; fi
"$bin" -r "$tmp/cut.pcap" -o markdown 2>/dev/null | grep -q 'cut short' &&
	ok "cut short: the Markdown report says so" || bad "cut short: Markdown says nothing"
"$bin" -r "$one" -o json >"$tmp/full.json" 2>/dev/null; st=$?
if [ $st -eq 1 ] && [ "$(jq -c 'select(.summary) | [.summary.truncated, .summary.frames_read]' "$tmp/full.json")" = "[false,null]" ]; then
	ok "whole capture: truncated false, exit 1 (its handshake failed)"
else bad "whole capture: exit $st, $(jq -c 'select(.summary) | .summary.truncated' "$tmp/full.json")"; fi

# 3. --opt VALUE and --opt=VALUE, for every long option that takes one.
same() {  # same DESCRIPTION "ARGS A" "ARGS B"
	local what=$1
	# shellcheck disable=SC2086
	"$bin" $2 >"$tmp/a" 2>&1; local sa=$?
	# shellcheck disable=SC2086
	"$bin" $3 >"$tmp/b" 2>&1; local sb=$?
	if [ $sa -eq $sb ] && [ $sa -le 1 ] && cmp -s "$tmp/a" "$tmp/b" && [ -s "$tmp/a" ]; then
		ok "$what: '$3' is '$2'"
	else
		bad "$what: '$2' (exit $sa) and '$3' (exit $sb) differ"
		diff "$tmp/a" "$tmp/b" | head -5
	fi
}
lab="$caps/lab"
same --read "--read=$one -o json" "--read $one -o json"
same --output "-r $one --output=json" "-r $one --output json"
same --color "-r $one --color=never" "-r $one --color never"
same --colour "-r $one --colour=always" "-r $one --colour always"
same --redact "-r $one --redact=all -o json" "-r $one --redact all -o json"
same --redact=names "-r $one --redact=names -o json" "-r $one --redact names -o json"
same --width "-r $one --width=100" "-r $one --width 100"
same --keylog "-r $one --keylog=$caps/tls12-client-cert-untrusted.keylog -o json" "-r $one --keylog $caps/tls12-client-cert-untrusted.keylog -o json"
same --ca-file "-r $one --ca-file=$lab/rootCA.crt -o json" "-r $one --ca-file $lab/rootCA.crt -o json"
same --ca-path "-r $one --ca-path=$lab -o json" "-r $one --ca-path $lab -o json"
same --client-ca-file "-r $one --client-ca-file=$lab/clientCA.crt -o json" "-r $one --client-ca-file $lab/clientCA.crt -o json"
same --at "-r $one --at=2030-01-01T00:00:00Z -o json" "-r $one --at 2030-01-01T00:00:00Z -o json"
same --port "-r $one --port=9999 -o json" "-r $one --port 9999 -o json"
same --max-flows "-r $one --max-flows=10 -o json" "-r $one --max-flows 10 -o json"
same --flow-buffer "-r $one --flow-buffer=64k -o json" "-r $one --flow-buffer 64k -o json"
same --max-memory "-r $one --max-memory=8M -o json" "-r $one --max-memory 8M -o json"
same --idle-timeout "-r $one --idle-timeout=60 -o json" "-r $one --idle-timeout 60 -o json"
same --count "-r $two --count=1 -o json" "-r $two --count 1 -o json"
same --filter-file "-r $one --filter-file=/dev/null -o json" "-r $one --filter-file /dev/null -o json"
# A separate value is taken only when it is one of the option's words:
# here 'tcp' stays the filter.
"$bin" -r "$one" --color=never tcp >"$tmp/a" 2>&1; sa=$?
"$bin" -r "$one" --color never tcp >"$tmp/b" 2>&1; sb=$?
if [ $sa -eq 1 ] && [ $sb -eq 1 ] && cmp -s "$tmp/a" "$tmp/b"; then ok "--color never tcp: 'tcp' stays the filter"
else bad "--color never tcp: exits $sa/$sb"; fi

# 4. -c COUNT: stop after COUNT connections reported (tls12-resumed has 2:
#    captures/expected/tls12-resumed.facts).
want2=$(awk '!/^#/ { print $1 }' "$caps/expected/tls12-resumed.facts" | sort -u | wc -l)
"$bin" -r "$two" -o json >"$tmp/c0.json" 2>/dev/null
"$bin" -r "$two" -o json -c 1 >"$tmp/c1.json" 2>/dev/null; st=$?
if [ "$(conns_in "$tmp/c0.json")" -eq "$want2" ] && [ "$want2" -eq 2 ] &&
   [ "$(conns_in "$tmp/c1.json")" -eq 1 ] && [ "$(jq 'select(.summary) | .summary.connections' "$tmp/c1.json")" -eq 1 ] &&
   [ "$(jq -c 'select(.id == 1) | .client' "$tmp/c1.json")" = "$(jq -c 'select(.id == 1) | .client' "$tmp/c0.json")" ] &&
   [ $st -eq 0 ]; then
	ok "-c 1: the first of $want2 connections, then stop (exit $st)"
else bad "-c 1: $(conns_in "$tmp/c1.json") connections (exit $st), without -c $(conns_in "$tmp/c0.json")"; fi
"$bin" -r "$two" -o json -c 5 >"$tmp/c5.json" 2>/dev/null
if [ "$(conns_in "$tmp/c5.json")" -eq "$want2" ]; then ok "-c 5 on $want2 connections: all of them"
else bad "-c 5: $(conns_in "$tmp/c5.json")"; fi

# 5. -w FILE: the packets read (after the filter), a pcap another run reads
#    to the same report.
"$bin" -r "$two" -o json -w "$tmp/saved.pcap" >"$tmp/w.json" 2>"$tmp/err"; st=$?
if [ $st -le 1 ] && [ "$(frames "$tmp/saved.pcap")" -eq "$(frames "$two")" ] &&
   "$bin" -r "$tmp/saved.pcap" -o json 2>/dev/null | cmp -s - "$tmp/w.json"; then
	ok "-w: all $(frames "$two") frames saved, and the saved file gives the same report"
else bad "-w: exit $st, $(frames "$tmp/saved.pcap" 2>/dev/null) of $(frames "$two") frames"; fi
"$bin" -r "$two" -o json -w "$tmp/none.pcap" 'tcp port 1' >/dev/null 2>&1
if [ "$(frames "$tmp/none.pcap")" -eq 0 ]; then ok "-w after a filter that keeps nothing: no frame saved"
else bad "-w with a filter: $(frames "$tmp/none.pcap") frames saved"; fi

# 6. -F FILE: the filter from a file (# comments, several lines).
printf '# only the lab server\ntcp port 8443  # its port\n and tcp\n' >"$tmp/filter"
"$bin" -r "$one" -o json 'tcp port 8443 and tcp' >"$tmp/f1.json" 2>/dev/null
"$bin" -r "$one" -o json -F "$tmp/filter" >"$tmp/f2.json" 2>/dev/null
printf 'tcp port 1\n' >"$tmp/filter1"
"$bin" -r "$one" -o json -F "$tmp/filter1" >"$tmp/f3.json" 2>/dev/null
if cmp -s "$tmp/f1.json" "$tmp/f2.json" && [ "$(conns_in "$tmp/f2.json")" -eq 1 ] && [ "$(conns_in "$tmp/f3.json")" -eq 0 ]; then
	ok "-F: the file's filter, comments left out, is applied"
else bad "-F: $(conns_in "$tmp/f2.json") and $(conns_in "$tmp/f3.json") connections"; fi

# 7. -D: the interfaces, numbered as tcpdump -D numbers them; lo is always there.
"$bin" -D >"$tmp/ifaces" 2>"$tmp/err"; st=$?
if [ $st -eq 0 ] && grep -q -E '^[0-9]+\.lo( |$)' "$tmp/ifaces" && grep -q -E '^1\.' "$tmp/ifaces"; then
	ok "-D: $(wc -l <"$tmp/ifaces") interfaces, lo among them"
else bad "-D: exit $st, $(head -3 "$tmp/ifaces" | tr '\n' ' ') $(cat "$tmp/err")"; fi

# 8. Bad values: one line, exit 2.
expect_usage() {  # DESCRIPTION ARGS...
	local what=$1; shift
	"$bin" "$@" >/dev/null 2>"$tmp/err"; local st=$?
	if [ $st -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]; then ok "$what: exit 2, '$(cat "$tmp/err")'"
	else bad "$what: exit $st, $(wc -l <"$tmp/err") stderr lines"; fi
}
expect_usage "-c 0" -r "$one" -c 0
expect_usage "-c with the view" -r "$one" -c 1 --tui
expect_usage "-w -" -r "$one" -w -
expect_usage "-F and an expression" -r "$one" -F "$tmp/filter" tcp
expect_usage "-F missing file" -r "$one" -F "$tmp/no-such-filter"
expect_usage "--width 10" -r "$one" --width 10
expect_usage "--redact=some" -r "$one" --redact=some
expect_usage "--color=sometimes" -r "$one" --color=sometimes

# -k given but holding no secret of the connection (another capture's key
# log): the fix says so, and never "run with -k"; without -k it does.
caps=$top_srcdir/captures
fixes() { "$bin" -r "$caps/tls13-client-cert-missing.pcap" "$@" -o json 2>/dev/null |
	jq -r 'select(.id) | .diagnoses[] | select(.code == "CLIENT_CERT_MISSING") | .fix'; }
with=$(fixes -k "$caps/tls13-mtls-ok.keylog")
without=$(fixes)
case $with in
*"key log given (-k) holds no secrets for this connection"*)
	case $with in *"Run tlsdiag with -k"*) bad "-k with another key log: the fix still says run with -k" ;;
	*) ok "-k with another key log: the fix says it holds no secrets for the connection" ;; esac ;;
*) bad "-k with another key log: fix '$with'" ;;
esac
case $without in *"Run tlsdiag with -k"*) ok "no -k: the fix says run with -k" ;;
*) bad "no -k: fix '$without'" ;; esac

# A key log that decrypted nothing is said in the summary's note; one that
# decrypted the connection is not.
note() { "$bin" -r "$caps/$1.pcap" -k "$caps/$2.keylog" -o json 2>/dev/null |
	jq -r 'select(.summary) | .summary.note // ""'; }
case $(note tls13-client-cert-missing tls13-mtls-ok) in
*"key log given decrypted no TLS connection"*) ok "a key log that matched nothing: the summary notes it" ;;
*) bad "a key log that matched nothing: no note" ;;
esac
case $(note tls13-mtls-ok tls13-mtls-ok) in
*"key log given"*) bad "the matching key log: a note that it matched nothing" ;;
*) ok "the matching key log: no note" ;;
esac

# --only-failed on a capture of one healthy connection: the summary says the
# capture had one and shows none, never "0 TLS connections".
line=$("$bin" -r "$caps/tls13-mtls-ok.pcap" --only-failed 2>/dev/null | grep 'TLS connection')
case $line in
"1 TLS connection, 0 shown: 0 established, 0 failed, 0 incomplete") ok "--only-failed: the summary counts the connection it hid" ;;
*) bad "--only-failed summary: '$line'" ;;
esac

finish
