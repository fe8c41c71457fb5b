#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The live view on a real interface: tlsdiag -i lo in tmux (the view) and
# tlsdiag -i lo --no-tui -o json side by side, while the lab's server
# (openssl s_server with -Verify, as captures/make-captures.sh runs it:
# the lab PKI in captures/lab/, client certificates required from
# clientCA) takes one good mTLS handshake (client.crt) and one that fails
# (rogueClient.crt, from a CA the server does not know).  Both must show
# with the right outcome in the view and in the JSON, and both tlsdiag
# processes must run as the unprivileged user once the interface is open.
# Needs root (capture), tmux and openssl; skips loudly (exit 77) otherwise.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
bin="$top_builddir/src/tlsdiag"
lab="$top_srcdir/captures/lab"
if [ "$(id -u)" != 0 ]; then
	echo "SKIPPED: the live view test needs root (tlsdiag -i lo); run make check as root to include it"
	exit 77
fi
command -v tmux >/dev/null || { echo "SKIPPED: tmux is not installed (apt-get install tmux)"; exit 77; }
command -v openssl >/dev/null || { echo "SKIPPED: openssl is not installed"; exit 77; }
[ -x "$bin" ] || { echo "FAIL no binary at $bin"; echo "tui-live: 0 passed, 1 failed"; exit 1; }
case $bin in /*) ;; *) bin="$PWD/$bin" ;; esac
case $lab in /*) ;; *) lab="$PWD/$lab" ;; esac

tmp=$(mktemp -d)
chmod 755 "$tmp"
sock="tlsdiag-live-test-$$"
T() { tmux -L "$sock" "$@"; }
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
cleanup() {
	for p in "${pids[@]}"; do ours "$p" && kill "$p" 2>/dev/null; done
	T kill-server >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
pass=0
fail=0
ok()  { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
screen() { T capture-pane -p -t live; }
dump()   { echo "---- screen ----"; screen | sed 's/^/| /'; echo "----------------"; }
wait_for() {
	local i=0 n=$(( ${2:-10} * 10 ))
	while [ $i -lt $n ]; do
		screen | grep -qE -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; dump; fi; }
# uid_of PID: the real, effective and saved uid.
uid_of() { awk '/^Uid:/ { print $2, $3, $4 }' "/proc/$1/status" 2>/dev/null; }

port=$((20000 + RANDOM % 20000))
filter="tcp port $port"
nobody=$(id -u nobody 2>/dev/null || echo "")

# The view, in tmux (100x30), with its exit status and (--summary) its end
# summary kept.
{
	printf 'cd %q || exit 1\n' "$tmp"
	printf '%q ' env -u NO_COLOR LANG=C.UTF-8 LC_ALL=C.UTF-8 "$bin" -i lo --summary "$filter"
	echo
	echo "echo \$? >'$tmp/rc'"
	echo "echo TLSDIAG-EXITED"
	echo "sleep 300"
} >"$tmp/run.sh"
T new-session -d -s live -x 100 -y 30 "bash '$tmp/run.sh'"
# The stream, beside it.
"$bin" -i lo --no-tui -o json "$filter" >"$tmp/out.json" 2>"$tmp/json.err" &
json=$!
pids+=("$json")
if ! wait_for '\[live\]' 10; then
	bad "the live view did not start"; dump; echo "tui-live: $pass passed, $fail failed"; exit 1
fi
ok "tlsdiag -i lo opens the live view on a terminal"

# The lab's server: TLS 1.2 (its alerts are in clear), client certificates
# required from clientCA, two connections.
(cd "$lab" && exec openssl s_server -accept "127.0.0.1:$port" -cert server.crt -key server.key \
	-cert_chain chain.crt -CAfile clientCA.crt -Verify 10 -verify_return_error -tls1_2 \
	-naccept 2 -www -quiet) >"$tmp/server.log" 2>&1 &
pids+=("$!")
sleep 1.5   # the server listening, both captures running

client() {  # client CERT KEY
	printf 'GET / HTTP/1.0\r\n\r\n' | (cd "$lab" && timeout 10 openssl s_client \
		-connect "127.0.0.1:$port" -servername tls-server.local -CAfile rootCA.crt \
		-cert "$1" -key "$2" -ign_eof) >>"$tmp/client.log" 2>&1
}
client client.crt client.key
good=$?
client rogueClient.crt rogueClient.key
badst=$?
check "the lab: the good client succeeded" [ $good -eq 0 ]
check "the lab: the rogue client was refused" [ $badst -ne 0 ]

# The view: both rows, with their outcomes, as they end.
check "view: the good handshake is established" \
	wait_for '^\+ .* tls-server\.local +1\.2 +established( +-)? *$' 10
check "view: the bad one failed, client certificate untrusted" \
	wait_for '^X .* tls-server\.local +1\.2 +CLIENT_CERT_UNTRUSTED *$' 10
check "view: the status line counts them, and kernel drops" \
	wait_for 'dropped [0-9]+  conns 2  failures 1' 3

# Least privilege: both processes run as nobody once the interface is open.
view_pid=$(pgrep -P "$(T display -p -t live '#{pane_pid}')" | head -1)
if [ -n "$nobody" ] && [ -n "$view_pid" ]; then
	check "view: runs as nobody (uid $nobody) while capturing" \
		[ "$(uid_of "$view_pid")" = "$nobody $nobody $nobody" ]
	check "stream: runs as nobody while capturing" \
		[ "$(uid_of "$json")" = "$nobody $nobody $nobody" ]
else
	echo "note: no user 'nobody' or no process id: the privilege drop is not checked"
fi

# The failure's timeline from the live capture.
T send-keys -t live f; sleep 0.3
T send-keys -t live Enter; sleep 0.3
for _ in 1 2 3 4; do
	screen | grep -qE '^>> .*Alert fatal unknown_ca' && break
	before=$(screen)
	T send-keys -t live NPage
	for _ in $(seq 1 30); do [ "$(screen)" != "$before" ] && break; sleep 0.1; done
done
check "view: the failure's ladder marks the alert" wait_for '^>> .*Alert fatal unknown_ca' 2

T send-keys -t live q
if wait_for TLSDIAG-EXITED 15; then
	check "view: q exits with status 1 (an error diagnosis)" [ "$(cat "$tmp/rc")" = 1 ]
	check "view: --summary: the end summary counts both" \
		wait_for '^2 TLS connections: 1 established, 1 failed, 0 incomplete' 2
else
	bad "view: tlsdiag did not exit on q"; dump
fi

# The stream: stop it as a user would (SIGINT) and read its JSON.
sleep 1
ours "$json" && kill -INT "$json"
wait "$json"; st=$?
check "stream: exits with status 1 on SIGINT (an error diagnosis)" [ $st -eq 1 ]
# The two connections, told apart by the client certificate they sent.
g=$(grep -F '"subject":"CN=client"' "$tmp/out.json" | head -1)
b=$(grep -F '"subject":"CN=rogue-client"' "$tmp/out.json" | head -1)
check "stream: the good handshake is established in the JSON" \
	sh -c 'printf "%s" "$1" | grep -q "\"outcome\":\"established\""' _ "$g"
check "stream: the bad one failed with CLIENT_CERT_UNTRUSTED in the JSON" \
	sh -c 'printf "%s" "$1" | grep -q "\"outcome\":\"failed\"" &&
	       printf "%s" "$1" | grep -q "\"code\":\"CLIENT_CERT_UNTRUSTED\""' _ "$b"
[ $fail -eq 0 ] || { echo "---- json ----"; cat "$tmp/out.json" "$tmp/json.err"; }

echo "tui-live: $pass passed, $fail failed"
[ $fail -eq 0 ]
