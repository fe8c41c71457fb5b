#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/md/render.sh - the Markdown report (-o markdown) as GitHub shows it.
#
# Writes the report of every failure capture in captures/ (those whose
# captures/expected/NAME.facts says "outcome failed", with NAME.keylog
# when it holds keys), plus --all reports of a few successful and
# multi-connection captures and the unit suite's synthetic hostile
# reports (tests/unit/test_markdown.c with TD_MD_DUMP), then hands them
# all to render.mjs: every ```mermaid block is drawn by the real mermaid
# library in headless Chromium (one browser for everything) and must
# parse and render; every table must be valid GFM.  The seed's "no client
# certificate" capture must also tell, in plain words, what happened
# and what to do.
#
# Needs node, Debian's chromium and the npm packages of package.json in
# $TD_NODE_CACHE (tests/md/install.sh puts them there); without them the
# test says SKIPPED loudly and exits 77 (automake's "skipped").
# TD_MD_BIN and TD_MD_UNIT override the tlsdiag and unit_tests binaries; TD_MD_SHOTS=DIR keeps an HTML
# page and a screenshot of every report in DIR.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
bin=${TD_MD_BIN:-$top_builddir/src/tlsdiag}
unit=${TD_MD_UNIT:-$top_builddir/tests/unit/unit_tests}
caps=$top_srcdir/captures
here=$top_srcdir/tests/md
export TD_NODE_CACHE=${TD_NODE_CACHE:-$HOME/.cache/tlsdiag-md/node_modules}

skip() {
	echo "=================================================================="
	echo "SKIPPED: tests/md/render.sh: $*"
	echo "         (the Mermaid/GFM render test did not run; tests/md/install.sh"
	echo "          installs what it needs)"
	echo "=================================================================="
	exit 77
}

pass=0
fail=0
ok()  { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
finish() {
	echo "md: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit $?
}

command -v node >/dev/null 2>&1 || skip "node is not installed"
[ -d "$TD_NODE_CACHE/mermaid" ] || skip "mermaid is not installed in $TD_NODE_CACHE"
[ -x "${TD_CHROMIUM:-/usr/bin/chromium}" ] || [ -x /usr/lib/chromium/chromium ] ||
	skip "chromium is not installed (apt-get install chromium)"
[ -x "$bin" ] || { bad "no tlsdiag binary at $bin"; finish; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)

# 1. Every failure capture, as a user would run it.
n=0
for facts in "$caps"/expected/*.facts; do
	case "$facts" in *.decrypted.facts) continue ;; esac
	grep -q '^[0-9]* outcome failed' "$facts" || continue
	name=$(basename "$facts" .facts)
	keys=()
	[ -s "$caps/$name.keylog" ] && keys=(-k "$caps/$name.keylog")
	"$bin" -r "$caps/$name.pcap" "${keys[@]}" -o markdown >"$tmp/$name.md" 2>"$tmp/$name.err"
	st=$?
	n=$((n + 1))
	if [ $st -gt 1 ]; then
		bad "$name: tlsdiag -o markdown exited $st: $(head -1 "$tmp/$name.err")"
		rm -f "$tmp/$name.md"
		continue
	fi
	# A failure capture's report leads to a failed connection's section.
	if grep -q '^## Failed connections$' "$tmp/$name.md" && grep -q '^### Connection [0-9]' "$tmp/$name.md" &&
	   grep -q '^```mermaid$' "$tmp/$name.md" && grep -q '^\*\*What happened\.\*\*' "$tmp/$name.md"; then
		ok "$name: report has the failed connection's section"
	else
		bad "$name: no failed connection section, diagram or account in the report"
	fi
done
[ $n -gt 0 ] || bad "no failure capture found in $caps/expected"

# 2. --all over successes, resumption (two connections), TLS 1.3 without
#    its key log (everything after the ServerHello encrypted), IPv6.
for spec in tls13-mtls-ok:k tls12-mtls-ok: tls12-resumed: tls13-resumed:k \
	    tls13-client-cert-missing: tls13-mtls-ok-ipv6:k tls13-hello-retry:k; do
	name=${spec%%:*}
	[ -f "$caps/$name.pcap" ] || continue
	keys=()
	[ "${spec##*:}" = k ] && [ -s "$caps/$name.keylog" ] && keys=(-k "$caps/$name.keylog")
	out="$tmp/all-$name${keys:+-keylog}.md"
	"$bin" -r "$caps/$name.pcap" "${keys[@]}" -o markdown --all >"$out" 2>"$tmp/err"
	if [ $? -le 1 ] && grep -q '^### Connection 1$' "$out"; then
		ok "$name --all: every connection detailed"
	else
		bad "$name --all: $(head -1 "$tmp/err")"
	fi
done

# 3. The seed's "no client certificate" capture, with its key log, must
#    say what happened and what to do in words anyone can follow.
seed="$tmp/tls13-client-cert-missing.md"
if [ -f "$seed" ]; then
	miss=""
	for want in 'The client sent none' 'asked the client to prove who it is with a certificate' \
		    'hung up with the error `certificate_required`' '**What to do:** Configure the client with a certificate' \
		    '`O=LMT Corp,CN=clientCA`' 'CLIENT_CERT_MISSING' 'New to TLS?'; do
		grep -q -F -- "$want" "$seed" || miss="$miss '$want'"
	done
	if [ -z "$miss" ]; then ok "seed capture: plain-words account and fix"
	else bad "seed capture: missing$miss"; fi
else
	bad "seed capture tls13-client-cert-missing: no report"
fi

# 4. The unit suite's synthetic reports: hostile names, caps, --all.
if [ -x "$unit" ]; then
	mkdir "$tmp/unit"
	if TD_MD_DUMP="$tmp/unit" "$unit" markdown >"$tmp/unit.log" 2>&1; then
		for f in "$tmp"/unit/*.md; do [ -e "$f" ] && cp "$f" "$tmp/"; done
		ok "unit suite 'markdown' wrote $(ls "$tmp/unit" | wc -l) synthetic reports"
	else
		bad "unit suite 'markdown' failed (see its log)"; tail -5 "$tmp/unit.log"
	fi
fi

# 5. Draw them all, check every table.
shots=()
[ -n "${TD_MD_SHOTS:-}" ] && shots=(--shots "$TD_MD_SHOTS")
node "$here/render.mjs" "${shots[@]}" "$tmp"/*.md >"$tmp/render.log" 2>&1
st=$?
cat "$tmp/render.log"
case $st in
0) ok "render: $(grep -c '^ok ' "$tmp/render.log") reports drawn and checked in $(($(date +%s) - start)) s" ;;
77) skip "$(grep -m1 SKIPPED "$tmp/render.log")" ;;
*) bad "render: $(grep -c '^FAIL ' "$tmp/render.log") reports with errors (above)" ;;
esac
finish
