#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The live view (tlsdiag -r FILE --tui), driven through tmux: send-keys in,
# capture-pane out.  Over two lab captures joined into one (an mTLS
# success, then a client certificate from an unknown CA), at 80x24:
#   - the failed connection is in the list, marked X, with its code;
#   - Enter opens its details: the diagnosis and its fix first, then the
#     ladder marks the failing alert ">>" and draws it highlighted
#     (reverse video);
#   - the window grows to 250x70 and back (the notes column appears);
#   - f shows failures only; s saves the Markdown report and names it;
#   - q quits: nothing is printed, the exit status is 1 (an error
#     diagnosis), the terminal modes are those from before and the
#     alternate screen is left.
# Then without colours (NO_COLOR): the same meaning by symbols; Ctrl-C
# (SIGINT) also restores the terminal, and with --summary prints the end
# summary; --replay reaches the end.  The less/htop keys, the client
# column at 80 columns and --summary on q: keys.sh.
# Needs tmux; skips loudly (exit 77) without it (lib.sh).
. "$(dirname "$0")/lib.sh"

# Two lab captures as one: the first's header, then the second's
# records (same link type, snaplen and microsecond precision).
a="$caps/tls12-mtls-ok.pcap"
b="$caps/tls12-client-cert-untrusted.pcap"
merged="$tmp/two.pcap"
join_pcaps "$merged" "$a" "$b" || { echo "tui: 0 passed, 1 failed"; exit 1; }

# ---- 1. 80x24, colours --------------------------------------------------------
start 80 24 -- -r "$merged" --tui
if ! wait_for 'end of capture' 15; then
	bad "the view did not come up or did not read the capture"; dump
	echo "tui: $pass passed, $fail failed"; exit 1
fi
ok "the view reads the capture at 80x24"
check "the failed connection is listed: X ... CLIENT_CERT_UNTRUSTED" \
	wait_for '^X .* CLIENT_CERT_UNTRUSTED *$' 2
check "the established one too: + ... established" wait_for '^\+ .* established' 2
check "the status line counts 2 connections, 1 failure" wait_for 'conns 2  failures 1' 2
# The newest (the failure) is selected: End to be sure, Enter opens its timeline.
keys End
keys Enter
check "Enter opens the details of #2 (the failure)" wait_for '\[details\] #2 .* failed' 3
check "the diagnosis heading is there" wait_for 'ERROR CLIENT_CERT_UNTRUSTED' 1
check "the fix comes with it, before the timeline" wait_for 'fix: Use a client certificate issued by' 1
check "its ladder follows, with client and server columns" page_until '^ +client +server *$'
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
check "back at 80x24 the view redraws" wait_for '^X .* CLIENT_CERT_UNTRUSTED *$' 3

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
check "q: nothing is printed after the view" nothing_printed

# ---- 2. no colours: symbols; Ctrl-C with --summary ------------------------------------
start 80 24 NO_COLOR=1 -- -r "$b" --tui --summary
if wait_for 'end of capture' 15; then
	check "NO_COLOR: the failure still reads X ... CLIENT_CERT_UNTRUSTED" \
		wait_for '^X .* CLIENT_CERT_UNTRUSTED *$' 1
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
	check "Ctrl-C with --summary: the end summary is printed" \
		wait_for '^1 TLS connection: 0 established, 1 failed' 2
	check "...with the diagnoses' counts" wait_for '^diagnoses: 1 CLIENT_CERT_UNTRUSTED' 1
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
check "--replay: the failure is listed" wait_for '^X .* CLIENT_CERT_UNTRUSTED *$' 2
keys q
finished 1 "--replay q"

summary_exit
