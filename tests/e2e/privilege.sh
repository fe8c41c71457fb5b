#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Least privilege during a live capture, read from /proc/PID/status while
# tlsdiag captures real TLS handshakes (openssl s_server and s_client)
# on lo: no effective capability (CapEff 0), no_new_privs (NoNewPrivs 1)
# and the seccomp filter (Seccomp 2, when built with libseccomp), and
# everything that runs after the lock-down still works under it:
#
#   1. file capabilities: a copy of the binary with `setcap
#      cap_net_raw,cap_net_admin+eip`, run as nobody (setpriv): also
#      CapPrm 0; with a key log growing during the capture, -w, and the
#      JSON report rotated (-C) and SIGHUP'd;
#   2. root with the default -Z nobody: the same, with -G rotation, and
#      the bounding set empty too (root could drop it);
#   3. the live view as root, in tmux: the s key saves a report, a
#      resize redraws, q quits;
#   4. --no-seccomp: capabilities and no_new_privs as before, no filter.
#
# Needs root (setcap, -i lo), openssl, setpriv, setcap, tmux; skips
# loudly (exit 77) where one is missing or the kernel refuses.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
bin="$top_builddir/src/tlsdiag"
lab="$top_srcdir/captures/lab"
case $bin in /*) ;; *) bin="$PWD/$bin" ;; esac
case $lab in /*) ;; *) lab="$PWD/$lab" ;; esac
skip() { echo "SKIPPED: privilege: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (setcap, tlsdiag -i lo); run make check as root to include it"
for t in openssl setcap setpriv tmux jq; do
	command -v $t >/dev/null || skip "$t is not installed"
done
[ -x "$bin" ] || { echo "FAIL no binary at $bin"; exit 1; }
id nobody >/dev/null 2>&1 || skip "there is no user nobody"
nogroup=$(id -gn nobody)

tmp=$(mktemp -d)
chmod 755 "$tmp"
sock="tlsdiag-priv-test-$$"
T() { tmux -L "$sock" "$@"; }
pids=()
# ours PID: still a child of this shell (see live.sh: a reaped number may
# belong to another program by now).
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
pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

want_seccomp=1
if ! ldd "$bin" 2>/dev/null | grep -q libseccomp; then
	want_seccomp=0
	echo "note: $bin is built without libseccomp: Seccomp is not checked"
elif grep -q __asan_init "$bin"; then
	# LeakSanitizer's exit-time ptrace helper cannot live under a filter:
	# a sanitizer build installs none (src/capture/sandbox.c).
	want_seccomp=0
	echo "note: $bin is a sanitizer build (no seccomp filter): Seccomp is not checked"
fi

# lockdown NAME PID [bounding]: the status lines of a running tlsdiag.
lockdown() {
	local name=$1 pid=$2 st
	st=$(cat "/proc/$pid/status" 2>/dev/null) || { bad "$name: tlsdiag is not running"; return; }
	local eff prm amb nnp sc bnd uid
	eff=$(awk '/^CapEff:/ {print $2}' <<<"$st")
	prm=$(awk '/^CapPrm:/ {print $2}' <<<"$st")
	amb=$(awk '/^CapAmb:/ {print $2}' <<<"$st")
	bnd=$(awk '/^CapBnd:/ {print $2}' <<<"$st")
	nnp=$(awk '/^NoNewPrivs:/ {print $2}' <<<"$st")
	sc=$(awk '/^Seccomp:/ {print $2}' <<<"$st")
	uid=$(awk '/^Uid:/ {print $2 "/" $3 "/" $4}' <<<"$st")
	if [ "$eff" = 0000000000000000 ] && [ "$prm" = 0000000000000000 ] &&
	   [ "${amb:-0000000000000000}" = 0000000000000000 ]; then
		ok "$name: CapEff 0 (and CapPrm, CapAmb) while capturing, as uid $uid"
	else
		bad "$name: capabilities left: CapEff $eff CapPrm $prm CapAmb $amb"
	fi
	if [ "${3:-}" = bounding ]; then
		[ "$bnd" = 0000000000000000 ] && ok "$name: CapBnd 0" || bad "$name: CapBnd $bnd"
	fi
	[ "$nnp" = 1 ] && ok "$name: NoNewPrivs 1" || bad "$name: NoNewPrivs $nnp"
	if [ $want_seccomp = 1 ] && [ "${4:-}" != no-seccomp ]; then
		[ "$sc" = 2 ] && ok "$name: Seccomp 2 (a filter)" || bad "$name: Seccomp $sc"
	elif [ "${4:-}" = no-seccomp ]; then
		[ "$sc" = 0 ] && ok "$name: Seccomp 0 with --no-seccomp" || bad "$name: Seccomp $sc with --no-seccomp"
	fi
}

# handshakes PORT KEYLOG N: N TLS 1.3 handshakes with the lab's server,
# the client writing its secrets to KEYLOG as it goes.
handshakes() {
	local port=$1 keys=$2 n=$3 i
	openssl s_server -accept "127.0.0.1:$port" -cert "$lab/server.crt" -key "$lab/server.key" \
		-cert_chain "$lab/chain.crt" -naccept "$n" -www -quiet >/dev/null 2>&1 &
	local srv=$!
	pids+=("$srv")
	sleep 0.5
	for ((i = 0; i < n; i++)); do
		printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
			-servername priv.tls-server.local -CAfile "$lab/rootCA.crt" -keylogfile "$keys" \
			-ign_eof >/dev/null 2>&1
	done
	ours "$srv" && kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
}

# reports DIR BASE N NAME: the published files are complete JSON Lines,
# hold N connections to priv.tls-server.local, one decrypted (the key
# log was read after the lock-down), and no temporary file is left.
reports() {
	local dir=$1 base=$2 n=$3 name=$4 f bad_files="" got
	for f in "$dir"/$base*; do
		[ -s "$f" ] && [ "$(tail -c1 "$f" | od -An -c | tr -d ' ')" = '\n' ] &&
			jq -e . "$f" >/dev/null 2>&1 || bad_files+=" $(basename "$f")"
	done
	[ -z "$bad_files" ] && ok "$name: every report file is complete JSON Lines" ||
		bad "$name: incomplete report files:$bad_files"
	got=$(cat "$dir"/$base* | jq -r 'select(.sni == "priv.tls-server.local") | .outcome' | sort | uniq -c | xargs)
	[ "$got" = "$n established" ] && ok "$name: $n handshakes reported across $(ls "$dir"/$base* | wc -l) files" ||
		bad "$name: expected $n established, got '$got'"
	cat "$dir"/$base* | grep -F '"sni":"priv.tls-server.local"' | grep -qF '"decrypted":true' &&
		ok "$name: the key log written during the capture decrypted them" ||
		bad "$name: nothing decrypted: the key log was not read under the lock-down"
	[ -z "$(ls -A "$dir" | grep '^\.')" ] && ok "$name: no temporary file left" ||
		bad "$name: left: $(ls -A "$dir" | grep '^\.' | xargs)"
}

# saved PCAP N NAME: -w wrote a capture with the N handshakes.
saved() {
	local n
	n=$("$bin" -r "$1" -o json 2>/dev/null | jq -r 'select(.sni == "priv.tls-server.local") | .id' | wc -l)
	[ "$n" = "$2" ] && ok "$3: -w saved the $2 handshakes" || bad "$3: -w file holds $n handshakes, not $2"
}

# stop PID NAME: SIGINT, and the status says the run ended well.
stop() {
	ours "$1" && kill -INT "$1"
	wait "$1"
	local st=$?
	[ $st -le 1 ] && ok "$2: SIGINT ends the run (status $st)" || bad "$2: status $st: $(cat "$3")"
	grep -q seccomp "$3" && bad "$2: $(grep seccomp "$3")"
}

# 1. File capabilities as nobody.
mkdir -p "$tmp/cap" "$tmp/c1/out"
cp "$bin" "$tmp/cap/tlsdiag"
if ! setcap cap_net_raw,cap_net_admin+eip "$tmp/cap/tlsdiag" 2>"$tmp/setcap.err"; then
	skip "setcap refused here ($(cat "$tmp/setcap.err")): no file capabilities on this file system"
fi
chmod 777 "$tmp/c1" "$tmp/c1/out"
: >"$tmp/c1/keys.log"
chmod 666 "$tmp/c1/keys.log"
port=$((20000 + RANDOM % 20000))
setpriv --reuid=nobody --regid="$nogroup" --clear-groups "$tmp/cap/tlsdiag" -i lo -k "$tmp/c1/keys.log" \
	-w "$tmp/c1/cap.pcap" -o json --output-file "$tmp/c1/out/tls.json" -C 1k "tcp port $port" \
	2>"$tmp/c1/err" &
td=$!; pids+=("$td")
sleep 1.5
if ! ours "$td"; then
	grep -qiE "permission|operation not permitted" "$tmp/c1/err" &&
		skip "the kernel refused the file capabilities: $(cat "$tmp/c1/err")"
	bad "setcap run: tlsdiag ended at once: $(cat "$tmp/c1/err")"
else
	lockdown "setcap, as nobody" "$td"
	handshakes "$port" "$tmp/c1/keys.log" 3
	sleep 0.5
	kill -HUP "$td"   # the next file, at the next tick
	sleep 0.5
	stop "$td" "setcap, as nobody" "$tmp/c1/err"
	reports "$tmp/c1/out" tls.json 3 "setcap, as nobody"
	saved "$tmp/c1/cap.pcap" 3 "setcap, as nobody"
fi

# 2. Root, dropping to nobody (the default -Z), -G rotation.
mkdir -p "$tmp/c2/out"
chmod 777 "$tmp/c2" "$tmp/c2/out"
: >"$tmp/c2/keys.log"
chmod 644 "$tmp/c2/keys.log"
port=$((20000 + RANDOM % 20000))
"$bin" -i lo -k "$tmp/c2/keys.log" -w "$tmp/c2/cap.pcap" -o json \
	--output-file "$tmp/c2/out/tls-%H%M%S.json" -G 1 "tcp port $port" 2>"$tmp/c2/err" &
td=$!; pids+=("$td")
sleep 1.5
lockdown "root -Z nobody" "$td" bounding
handshakes "$port" "$tmp/c2/keys.log" 3
sleep 1.2
stop "$td" "root -Z nobody" "$tmp/c2/err"
reports "$tmp/c2/out" tls- 3 "root -Z nobody"
saved "$tmp/c2/cap.pcap" 3 "root -Z nobody"

# 3. The live view (root, default -Z nobody) in tmux.
mkdir -p "$tmp/c3"
chmod 777 "$tmp/c3"
: >"$tmp/c3/keys.log"
port=$((20000 + RANDOM % 20000))
T new-session -d -s priv -x 120 -y 40 \
	"cd '$tmp/c3' && exec '$bin' -i lo -k '$tmp/c3/keys.log' 'tcp port $port' 2>'$tmp/c3/err'"
screen() { T capture-pane -p -t priv 2>/dev/null; }
wait_for() {
	local i
	for ((i = 0; i < ${2:-50}; i++)); do
		screen | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	return 1
}
vpid=$(T list-panes -t priv -F '#{pane_pid}' 2>/dev/null)
sleep 1.5
if [ -z "$vpid" ] || [ ! -d "/proc/$vpid" ]; then
	bad "view: did not start: $(cat "$tmp/c3/err" 2>/dev/null)"
else
	lockdown "view" "$vpid" bounding
	handshakes "$port" "$tmp/c3/keys.log" 1
	if wait_for "priv.tls-server.local" 50; then ok "view: the handshake is shown"
	else bad "view: the handshake is not shown"; screen; fi
	T send-keys -t priv s
	sleep 0.5
	ls "$tmp/c3"/tlsdiag-conn-*.md >/dev/null 2>&1 && ok "view: s saved a report under the filter" ||
		{ bad "view: s saved nothing"; screen | tail -3; }
	T resize-window -t priv -x 90 -y 30 2>/dev/null || T resize-pane -t priv -x 90 -y 30
	sleep 0.5
	screen | grep -q "priv.tls-server.local" && [ -d "/proc/$vpid" ] &&
		ok "view: redrawn after a resize" || bad "view: gone or blank after a resize"
	T send-keys -t priv q
	for i in $(seq 30); do [ -d "/proc/$vpid" ] || break; sleep 0.1; done
	[ ! -d "/proc/$vpid" ] && ok "view: q quits" || bad "view: still running after q"
	grep -q seccomp "$tmp/c3/err" && bad "view: $(cat "$tmp/c3/err")"
fi

# 4. --no-seccomp.
port=$((20000 + RANDOM % 20000))
"$bin" -i lo --no-seccomp -o json "tcp port $port" >"$tmp/c4.json" 2>"$tmp/c4.err" &
td=$!; pids+=("$td")
sleep 1.5
lockdown "--no-seccomp" "$td" bounding no-seccomp
stop "$td" "--no-seccomp" "$tmp/c4.err"

echo "privilege: $pass passed, $fail failed"
[ $fail -eq 0 ]
