#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The live view (tlsdiag -r FILE --tui), driven through tmux: send-keys in,
# capture-pane out.  Over two lab captures joined into one (an mTLS
# success, then a client certificate from an unknown CA), at 80x24:
#   - the failed connection is in the list, marked X, with its code;
#   - Enter opens its timeline: the ladder marks the failing alert ">>"
#     and draws it highlighted (reverse video), and the fix follows;
#   - the window grows to 250x70 and back (the notes column appears);
#   - f shows failures only; s saves the Markdown report and names it;
#   - q quits: the end summary is printed, the exit status is 1 (an error
#     diagnosis), the terminal modes are those from before and the
#     alternate screen is left.
# Then without colours (NO_COLOR): the same meaning by symbols; Ctrl-C
# (SIGINT) also restores the terminal; --replay reaches the end.
# Needs tmux; skips loudly (exit 77) without it.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
bin="$top_builddir/src/tlsdiag"
caps="$top_srcdir/captures"
command -v tmux >/dev/null || { echo "SKIPPED: tmux is not installed (apt-get install tmux)"; exit 77; }
[ -x "$bin" ] || { echo "FAIL no binary at $bin"; echo "tui: 0 passed, 1 failed"; exit 1; }
case $bin in /*) ;; *) bin="$PWD/$bin" ;; esac
case $caps in /*) ;; *) caps="$PWD/$caps" ;; esac

tmp=$(mktemp -d)
sock="tlsdiag-tui-test-$$"
T() { tmux -L "$sock" "$@"; }
cleanup() { T kill-server >/dev/null 2>&1; rm -rf "$tmp"; }
trap cleanup EXIT
pass=0
fail=0
ok()  { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; dump; fi; }

screen()  { T capture-pane -p -t tui; }
screen_e() { T capture-pane -p -e -t tui; }
dump()    { echo "---- screen ----"; screen | sed 's/^/| /'; echo "----------------"; }
# wait_for REGEX [SECONDS]: until the screen shows it.
wait_for() {
	local i=0 n=$(( ${2:-10} * 10 ))
	while [ $i -lt $n ]; do
		screen | grep -qE -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
keys() { T send-keys -t tui "$@"; sleep 0.4; }
# key_changes KEY: press it and wait (3 s at most) until the screen changes,
# so that a slow machine never gets two presses where one was meant.
key_changes() {
	local before i=0
	before=$(screen)
	T send-keys -t tui "$1"
	while [ $i -lt 30 ] && [ "$(screen)" = "$before" ]; do sleep 0.1; i=$((i + 1)); done
}
# page_until REGEX: PgDn in the details until the screen shows it.
page_until() {
	for _ in 1 2 3 4 5 6 7 8; do
		screen | grep -qE -- "$1" && return 0
		key_changes NPage
	done
	screen | grep -qE -- "$1"
}

# Two lab captures as one: the first's header, then the second's
# records (same link type, snaplen and microsecond precision).
a="$caps/tls12-mtls-ok.pcap"
b="$caps/tls12-client-cert-untrusted.pcap"
merged="$tmp/two.pcap"
if ! cmp -s <(head -c 24 "$a") <(head -c 24 "$b"); then
	echo "FAIL $a and $b do not share a pcap header"; echo "tui: 0 passed, 1 failed"; exit 1
fi
{ cat "$a"; tail -c +25 "$b"; } >"$merged"
mkdir -p "$tmp/out"
# A session that outlives the others: killing the last session stops the
# tmux server, and a new-session racing with that shutdown fails.
T new-session -d -s keep "sleep 3600" || { echo "FAIL tmux cannot start"; exit 1; }

# start COLS ROWS ENV... -- ARGS: run tlsdiag in a tmux pane, in a shell
# that records the terminal modes before and after, and its status; its
# standard input is $stdin_file when set.
stdin_file=
start() {
	local cols=$1 rows=$2; shift 2
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	rm -f "$tmp/rc" "$tmp/stty.before" "$tmp/stty.after"
	{
		echo "cd '$tmp/out' || exit 1"
		echo "stty -g >'$tmp/stty.before'"
		printf '%q ' env -u NO_COLOR LANG=C.UTF-8 LC_ALL=C.UTF-8 "${envs[@]}" "$bin" "$@"
		[ -n "$stdin_file" ] && printf '<%q' "$stdin_file"
		echo
		echo "echo \$? >'$tmp/rc'"
		echo "stty -g >'$tmp/stty.after'"
		echo "echo TLSDIAG-EXITED"
		echo "sleep 300"
	} >"$tmp/run.sh"
	T kill-session -t tui >/dev/null 2>&1
	T new-session -d -s tui -x "$cols" -y "$rows" "bash '$tmp/run.sh'"
}

# finished: the program ended, its status is $1, the terminal is back.
finished() {
	local want=$1 what=$2
	if ! wait_for TLSDIAG-EXITED 15; then bad "$what: tlsdiag did not exit"; dump; return; fi
	check "$what: exit status $want" [ "$(cat "$tmp/rc" 2>/dev/null)" = "$want" ]
	check "$what: terminal modes restored (stty -g before = after)" \
		cmp -s "$tmp/stty.before" "$tmp/stty.after"
	check "$what: alternate screen left, cursor shown" \
		[ "$(T display -p -t tui '#{alternate_on} #{cursor_flag}')" = "0 1" ]
}

# ---- 1. 80x24, colours --------------------------------------------------------
start 80 24 -- -r "$merged" --tui
if ! wait_for 'end of capture' 15; then
	bad "the view did not come up or did not read the capture"; dump
	echo "tui: $pass passed, $fail failed"; exit 1
fi
ok "the view reads the capture at 80x24"
check "the failed connection is listed: X ... failed CLIENT_CERT_UNTRUSTED" \
	wait_for '^X .* failed +CLIENT_CERT_UNTRUSTED' 2
check "the established one too: + ... established" wait_for '^\+ .* established' 2
check "the status line counts 2 connections, 1 failure" wait_for 'conns 2  failures 1' 2
# The newest (the failure) is selected: End to be sure, Enter opens its timeline.
keys End
keys Enter
check "Enter opens the details of #2 (the failure)" wait_for '\[details\] #2 .* failed' 3
check "its ladder has client and server columns" wait_for '^ +client +server *$' 2
if page_until '^>> .*Alert fatal unknown_ca'; then
	ok "the failing step is marked: >> ... Alert fatal unknown_ca"
	line=$(screen_e | grep -a 'Alert fatal unknown_ca' | head -1)
	if printf '%s' "$line" | grep -qaE $'\e\\[([0-9;]*;)?7[;m]'; then
		ok "...and highlighted (reverse video)"
	else
		bad "the failing alert is not highlighted: $(printf '%s' "$line" | cat -v)"
	fi
	check "the arrow goes from the server to the client (|<---)" \
		wait_for '^>> +\+0\.020858  \|<-+ Alert fatal unknown_ca -+\|' 1
else
	bad "no '>> ... Alert fatal unknown_ca' line in the timeline"; dump
fi
check "the fix follows the timeline" page_until 'fix: Use a client certificate issued by'
check "the diagnosis heading is there" wait_for 'ERROR CLIENT_CERT_UNTRUSTED' 1

# ---- resizing: 250x70 and back -------------------------------------------------
T resize-window -t tui -x 250 -y 70
check "at 250x70 the list shows full endpoints and TLS 1.2" \
	wait_for '^X [0-9:.]{12} 127\.0\.0\.1:[0-9]+ -> 127\.0\.0\.1:8443 .*TLS 1\.2 +failed +CLIENT_CERT_UNTRUSTED' 3
keys Home
check "at 250x70 the ladder names the root cause beside the alert" \
	page_until 'Alert fatal unknown_ca -+\|  <- CLIENT_CERT_UNTRUSTED'
check "no screen line is wider than 250 columns" \
	[ "$(screen | awk '{ if (length($0) > 250) n++ } END { print n + 0 }')" = 0 ]
T resize-window -t tui -x 80 -y 24
check "back at 80x24 the view redraws" wait_for '^X .* failed +CLIENT_CERT_UNTRUSTED' 3

# ---- f, s, q -------------------------------------------------------------------
keys Tab
keys f
check "f: failures only (status says so, 1 shown)" wait_for 'shown 1 .*\[f: failures only\]' 2
if screen | grep -qE '^\+ .* established'; then bad "f left the established row in the list"; dump
else ok "f: the established row is gone"; fi
keys s
report="$tmp/out/tlsdiag-conn-2.md"
check "s: the file name is shown" wait_for "saved #2 to $tmp/out/tlsdiag-conn-2\\.md" 3
check "s: the report exists and names the diagnosis" grep -q CLIENT_CERT_UNTRUSTED "$report"
keys '?'
check "?: the help lists the keys" wait_for 'save the selected connection as a Markdown report' 2
keys Escape
keys q
finished 1 "q"
check "q: the end summary of the text report is printed" \
	wait_for '^2 TLS connections: 1 established, 1 failed, 0 incomplete' 2
check "q: with the diagnoses' counts" wait_for '^diagnoses: 1 CLIENT_CERT_UNTRUSTED' 1

# ---- 2. no colours: symbols; Ctrl-C ------------------------------------------------
start 80 24 NO_COLOR=1 -- -r "$b" --tui
if wait_for 'end of capture' 15; then
	check "NO_COLOR: the failure still reads X ... failed" wait_for '^X .* failed' 1
	if screen_e | grep -qaE $'\e\\[([0-9;]*;)?3[1-3][;m]'; then
		bad "NO_COLOR: colour escapes were drawn"
	else
		ok "NO_COLOR: no colour escape in the view"
	fi
	keys Enter
	check "NO_COLOR: the failing step is still marked >>" page_until '^>> .*Alert fatal unknown_ca'
	# s never overwrites: an earlier report of #1 stays, a new name is used
	echo "earlier report" >"$tmp/out/tlsdiag-conn-1.md"
	keys s
	check "s: an existing report is not overwritten (a new name)" \
		wait_for "saved #1 to $tmp/out/tlsdiag-conn-1-2\\.md" 3
	check "s: the earlier file is intact" grep -qx "earlier report" "$tmp/out/tlsdiag-conn-1.md"
	keys C-c
	finished 1 "Ctrl-C (SIGINT)"
	check "Ctrl-C: the end summary is printed" wait_for '^1 TLS connection: 0 established, 1 failed' 2
else
	bad "NO_COLOR run: the view did not come up"; dump
fi

# ---- 2b. --force: s replaces the earlier report ---------------------------------------
start 80 24 NO_COLOR=1 -- -r "$b" --tui --force
if wait_for 'end of capture' 15; then
	keys s
	check "--force: s replaces tlsdiag-conn-1.md" wait_for "saved #1 to $tmp/out/tlsdiag-conn-1\\.md" 3
	check "--force: the file is the report now" grep -q 'unknown' "$tmp/out/tlsdiag-conn-1.md"
	keys q
	finished 1 "--force run"
else
	bad "--force run: the view did not come up"; dump
fi

# ---- 3. --replay at capture pace, keys from /dev/tty with the capture on stdin --------
stdin_file=$b
start 100 30 -- -r - --replay
stdin_file=
check "--replay from stdin reaches the end of the capture" wait_for 'end of capture' 15
check "--replay: the failure is listed" wait_for '^X .* failed +CLIENT_CERT_UNTRUSTED' 2
keys q
finished 1 "--replay q"

echo "tui: $pass passed, $fail failed"
[ $fail -eq 0 ]
