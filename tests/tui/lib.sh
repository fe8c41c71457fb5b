# SPDX-License-Identifier: GPL-2.0-or-later
# tests/tui/lib.sh: what the tmux tests of the live view share (sourced by
# tmux.sh and keys.sh, never run alone): the paths, a private tmux server,
# the ok/bad counters, reading the screen, sending keys, and running
# tlsdiag in a pane whose shell records the terminal modes and the exit
# status.  Skips the calling test (exit 77) without tmux.
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
# summary_exit: the last line, and the status (0 when all passed).
summary_exit() { echo "tui: $pass passed, $fail failed"; [ $fail -eq 0 ]; }

screen()  { T capture-pane -p -t tui; }
# history: the pane's whole scrollback and screen (the shell's screen;
# the view's alternate screen never enters it).
history() { T capture-pane -p -S - -t tui; }
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

# A session that outlives the others: killing the last session stops the
# tmux server, and a new-session racing with that shutdown fails.
T new-session -d -s keep "sleep 3600" || { echo "FAIL tmux cannot start"; exit 1; }

# start COLS ROWS ENV... -- ARGS: run tlsdiag in a tmux pane, in a shell
# that records the terminal modes before and after, and its status; its
# standard input is $stdin_file when set.  The shell itself prints
# nothing but TLSDIAG-EXITED once tlsdiag is over.
stdin_file=
start() {
	local cols=$1 rows=$2; shift 2
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	rm -f "$tmp/rc" "$tmp/stty.before" "$tmp/stty.after"
	mkdir -p "$tmp/out"
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

# finished STATUS WHAT: the program ended, its status is STATUS, the
# terminal is back.
finished() {
	local want=$1 what=$2
	if ! wait_for TLSDIAG-EXITED 15; then bad "$what: tlsdiag did not exit"; dump; return; fi
	check "$what: exit status $want" [ "$(cat "$tmp/rc" 2>/dev/null)" = "$want" ]
	check "$what: terminal modes restored (stty -g before = after)" \
		cmp -s "$tmp/stty.before" "$tmp/stty.after"
	check "$what: alternate screen left, cursor shown" \
		[ "$(T display -p -t tui '#{alternate_on} #{cursor_flag}')" = "0 1" ]
}

# nothing_printed: after finished, the pane (the shell's screen and its
# scrollback, the view gone) holds nothing but the shell's own
# TLSDIAG-EXITED: tlsdiag printed nothing on the terminal.
nothing_printed() {
	[ "$(history | grep -v '^[[:space:]]*$')" = TLSDIAG-EXITED ]
}

# join_pcaps OUT FILE...: the files' records after the first's header, in
# the order given (the files must share link type, snaplen and precision).
join_pcaps() {
	local out=$1 f; shift
	for f in "$@"; do
		if ! cmp -s <(head -c 24 "$1") <(head -c 24 "$f"); then
			echo "FAIL $1 and $f do not share a pcap header"; return 1
		fi
	done
	{ cat "$1"; shift; for f in "$@"; do tail -c +25 "$f"; done; } >"$out"
}
