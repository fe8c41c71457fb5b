#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Live capture end to end: tlsdiag -i lo while openssl s_server and
# s_client make a real TLS 1.3 handshake over loopback; on SIGINT it must
# report that connection and exit 0.  Needs root (or CAP_NET_RAW) and
# openssl; skips loudly otherwise (automake's exit 77).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
bin="$top_builddir/src/tlsdiag"
lab="$top_srcdir/captures/lab"
if [ "$(id -u)" != 0 ]; then
	echo "SKIPPED: the live capture test needs root (tlsdiag -i lo); run make check as root to include it"
	exit 77
fi
command -v openssl >/dev/null || { echo "SKIPPED: openssl is not installed"; exit 77; }
tmp=$(mktemp -d)
pids=()
# ours PID: PID is still a child of this shell.  A child that has ended
# is reaped by bash at once and its number freed: on a busy machine
# (make check beside another make check, the fresh Debian 12 chroot
# sharing the host's process numbers) another program may have it by
# the time cleanup runs, and a plain kill would stop that program.
ours() {
	local s
	{ read -r s <"/proc/$1/stat"; } 2>/dev/null || return 1
	s=${s##*) }
	set -- $s
	[ "$2" = "$$" ]
}
cleanup() { for p in "${pids[@]}"; do ours "$p" && kill "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
port=$((20000 + RANDOM % 20000))

# The key log starts empty: s_client appends to it during the handshake,
# and tlsdiag must re-read it to decrypt (issue: live key logs).
: >"$tmp/keys.log"
"$bin" -i lo -k "$tmp/keys.log" -o json "tcp port $port" >"$tmp/out.json" 2>"$tmp/err" &
td=$!; pids+=("$td")
openssl s_server -accept "127.0.0.1:$port" -cert "$lab/server.crt" -key "$lab/server.key" \
	-cert_chain "$lab/chain.crt" -naccept 1 -www -quiet >"$tmp/server.log" 2>&1 &
pids+=("$!")
sleep 1.5   # let the capture and the server start
printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
	-servername live.tls-server.local -CAfile "$lab/rootCA.crt" -keylogfile "$tmp/keys.log" \
	-ign_eof >"$tmp/client.log" 2>&1
sleep 1
ours "$td" && kill -INT "$td"
wait "$td"; st=$?
fail=0
if [ $st -ne 0 ]; then echo "FAIL tlsdiag -i lo exited $st: $(cat "$tmp/err")"; fail=1; fi
line=$(grep -F '"sni":"live.tls-server.local"' "$tmp/out.json" | head -1)
if [ -z "$line" ]; then
	echo "FAIL no connection with SNI live.tls-server.local reported live"; cat "$tmp/out.json" "$tmp/err"; fail=1
elif ! printf '%s' "$line" | grep -q '"outcome":"established"'; then
	echo "FAIL the live connection is not established: $line"; fail=1
else
	echo "ok   live capture on lo reported the handshake: $(printf '%s' "$line" | cut -c1-120)"
fi
# TLS 1.3 hides the server's certificate: it shows only if the key log
# written during the capture was read.
if [ -n "$line" ] && printf '%s' "$line" | grep -q '"decrypted":true' &&
   printf '%s' "$line" | grep -q '"subject":"O=LMT Corp,CN=tls-server.local"'; then
	echo "ok   the key log written during the capture decrypted the handshake"
else
	echo "FAIL the live key log did not decrypt the handshake"; fail=1
fi
if [ $fail -eq 0 ]; then echo "live: 2 passed, 0 failed"; else echo "live: some failed"; fi
exit $fail
