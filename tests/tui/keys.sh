#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The live view at 80x24 with the keys people type without thinking
# (less, htop), driven through tmux over fourteen lab captures joined in
# the order they were recorded.  Every expected fact comes from the
# captures' expected facts (captures/expected/NAME.facts, taken with
# tshark, never with tlsdiag): the client address and port of each
# connection, and whether its client failed.
#   - the list shows the client column: each row's client is that
#     capture's client, port included;
#   - in the list: g selects the first, Space a page down (rows shown - 1),
#     b a page up, Ctrl-D half a page down, Ctrl-U half a page up, n the
#     next failed connection, again the one after, N the previous one,
#     G the last; n past the last failure says so;
#   - the details pane of a failed connection opens on its diagnoses:
#     its first line is the "diagnoses" heading, the next the expected
#     diagnosis code;
#   - in the details pane (Tab), Space, b, Ctrl-D, Ctrl-U, G and g scroll
#     it (the "lines A-B of N" of its bar);
#   - q: nothing is printed once the view is gone; with --summary the
#     text report's summary is printed, with the counts of the facts,
#     and nothing of the per-connection report.
# The selected row is the one drawn in reverse video (capture-pane -e).
# Needs tmux; skips loudly (exit 77) without it (lib.sh).
. "$(dirname "$0")/lib.sh"

names="tls13-mtls-ok tls12-mtls-ok tls12-no-shared-cipher tls12-server-untrusted
tls12-client-cert-untrusted tls13-mtls-ok-s_client tls13-mtls-ok-gnutls
tls13-cert-expiring-soon tls13-server-cert-no-san tls12-alpn-mismatch
tls13-empty-ca-list tls13-client-cert-not-acceptable tls13-weak-key-accepted
tls13-weak-signature-accepted"

# The captures in the order of their first packet (seconds, microseconds
# of the first record header), so that the joined file runs forward.
first_ts() { od -An -tu4 -j24 -N8 "$1" | awk '{ printf "%d.%06d\n", $1, $2 }'; }
order=()
while read -r _ n; do order+=("$n"); done < <(
	for n in $names; do echo "$(first_ts "$caps/$n.pcap") $n"; done | sort -n)

# The facts, by row (1-based): client, "failed" or "established", root code.
client=("") outcome=("") code=("")
for n in "${order[@]}"; do
	f="$caps/expected/$n.facts"
	if grep -q '^2 ' "$f"; then
		echo "FAIL $n holds more than one connection"; echo "tui: 0 passed, 1 failed"; exit 1
	fi
	client+=("$(awk '$1 == 1 && $2 == "client" { print $3 }' "$f")")
	outcome+=("$(sed -n 's/^# client exit status [0-9]* -> outcome \([a-z]*\)$/\1/p' "$f")")
	code+=("$(awk '$1 == 1 && $2 == "diag.0" { print $3 }' "$f")")
done
rows=${#order[@]}
failed=0
for ((i = 1; i <= rows; i++)); do [ "${outcome[$i]}" = failed ] && failed=$((failed + 1)); done
# fail_after I DIR: the row of the next (DIR 1) or previous (-1) failure.
fail_after() {
	local i=$(($1 + $2))
	while [ $i -ge 1 ] && [ $i -le $rows ]; do
		[ "${outcome[$i]}" = failed ] && { echo $i; return; }
		i=$((i + $2))
	done
	echo none
}

many="$tmp/many.pcap"
paths=()
for n in "${order[@]}"; do paths+=("$caps/$n.pcap"); done
join_pcaps "$many" "${paths[@]}" || { echo "tui: 0 passed, 1 failed"; exit 1; }

# list_rows: the list's rows as plain text; selected_row: the one drawn
# in reverse video.  tmux writes only the attribute changes, so the
# attributes are followed from line to line.
list_rows() { screen | grep -E '^[X!+~] [0-9]{2}:[0-9]{2}:[0-9]{2} '; }
selected_row() {
	screen_e | perl -ne '
		BEGIN { $rev = 0 }
		sub sgr { for my $s (@_) { for my $p (split /;/, $s eq "" ? "0" : $s) {
			$rev = 0 if $p eq "0" || $p eq "27";
			$rev = 1 if $p eq "7";
		} } }
		my ($lead) = /^((?:\e\[[0-9;]*m)*)/;
		sgr($lead =~ /\e\[([0-9;]*)m/g);
		my $at = $rev;
		sgr(substr($_, length $lead) =~ /\e\[([0-9;]*)m/g);
		(my $plain = $_) =~ s/\e\[[0-9;]*m//g;
		print $plain if $at && $plain =~ /^[X!+~] \d\d:\d\d:\d\d /;'
}
# selected_client: the client column (the third) of the selected row.
selected_client() { selected_row | awk '{ print $3 }'; }
# is_selected ROW: the selected row is that capture's connection.
is_selected() {
	local got
	got=$(selected_client)
	[ "$got" = "${client[$1]}" ] && return 0
	echo "  selected client: '$got', expected row $1: ${client[$1]}"
	return 1
}
# press KEY WHAT ROW: KEY selects row ROW.
press() {
	key_changes "$1"
	check "$2: row $3 (client ${client[$3]})" is_selected "$3"
}
# lines_shown: "A B N" from the details bar's "lines A-B of N".
lines_shown() { screen | sed -n 's/.* lines \([0-9]*\)-\([0-9]*\) of \([0-9]*\) *$/\1 \2 \3/p'; }

# ---- 1. the list at 80x24 -----------------------------------------------------------
start 80 24 -- -r "$many" --tui
if ! wait_for 'end of capture' 15; then
	bad "the view did not come up or did not read the capture"; dump; summary_exit; exit
fi
ok "the view reads $rows connections at 80x24"
keys g
shown=$(list_rows | wc -l)
check "the list shows several rows (a page of $shown)" [ "$shown" -ge 4 ]
clients_ok() {
	local i=1 c
	for c in $(list_rows | awk '{ print $3 }'); do
		[ "$c" = "${client[$i]}" ] || { echo "  row $i: '$c', expected ${client[$i]}"; return 1; }
		i=$((i + 1))
	done
	[ $i -gt 1 ]
}
check "at 80 columns every row shows its client address and port (the facts')" clients_ok
check "g: the first row is selected" is_selected 1

page=$((shown - 1)) half=$((shown / 2))
press Space "Space: a page down" $((1 + page))
press b "b: a page up" 1
press C-d "Ctrl-D: half a page down" $((1 + half))
press C-u "Ctrl-U: half a page up" 1
press g "g: the first row again" 1
f1=$(fail_after 1 1)
f2=$(fail_after "$f1" 1)
if [ "$f1" = none ] || [ "$f2" = none ]; then
	bad "the facts have fewer than two failures after row 1"
else
	press n "n: the next failed connection" "$f1"
	press n "n again: the failure after it" "$f2"
	press N "N: the previous failed connection" "$f1"
fi
press G "G: the last row" "$rows"
if [ "$(fail_after "$rows" 1)" = none ]; then
	keys n
	check "n past the last failure: says so, the selection stays" \
		wait_for '^n: no failed connection below' 2
	check "...on the last row" is_selected "$rows"
fi

# ---- 2. the details pane: diagnoses first, then the keys scroll it -----------------
# Every failure, from the last one up (N): its details open on its
# diagnosis, just below the pane's bar.  The walk stops on the failure
# with the most certificates in its facts: the longest details, to scroll.
first_lines() { screen | sed -n '/ details #[0-9]* /{n;p;n;p;q}'; }
diag_first() {  # diag_first ROW
	local got
	got=$(first_lines)
	if printf '%s\n' "$got" | head -1 | grep -qx 'diagnoses' &&
	   printf '%s\n' "$got" | sed -n 2p | grep -qE "^  ERROR ${code[$1]} at "; then
		return 0
	fi
	echo "  the pane starts with: $got"
	return 1
}
certs() { grep -cE '^1 (server|client)_cert\.[0-9]+\.sha256 ' "$caps/expected/${order[$(($1 - 1))]}.facts"; }
long=0
for ((i = 1; i <= rows; i++)); do
	[ "${outcome[$i]}" = failed ] || continue
	{ [ $long = 0 ] || [ "$(certs $i)" -gt "$(certs $long)" ]; } && long=$i
done
fl=$(fail_after "$rows" -1)
press N "N from the last row: the last failure" "$fl"
while :; do
	check "the details of row $fl open on its diagnosis (ERROR ${code[$fl]})" diag_first "$fl"
	[ "$fl" = "$long" ] && break
	fl=$(fail_after "$fl" -1)
	[ "$fl" = none ] && { bad "no failure with the most certificates"; break; }
	press N "N: the previous failure" "$fl"
done

key_changes Tab
check "Tab: the details pane has the focus" wait_for '\[details\] #' 2
read -r a0 b0 n0 <<<"$(lines_shown)"
h=$((b0 - a0 + 1))
if [ -z "${n0:-}" ] || [ "$n0" -le $((2 * h)) ]; then
	bad "the details are too short to scroll (lines '$a0-$b0 of $n0')"; dump
else
	scrolled() {  # scrolled KEY FIRST WHAT: KEY shows the lines from FIRST
		key_changes "$1"
		local a b n
		read -r a b n <<<"$(lines_shown)"
		check "$3 (lines $2-)" [ "$a" = "$2" ]
	}
	scrolled Space "$b0" "Space: the details a page down"
	scrolled b 1 "b: a page up"
	scrolled g 1 "g: the top of the details"
	scrolled C-d $((1 + h / 2)) "Ctrl-D: half a page down"
	scrolled C-u 1 "Ctrl-U: half a page up"
	scrolled G $((n0 - h + 1)) "G: the end of the details"
	scrolled g 1 "g: the top of the details"
	check "...and the list's selection did not move" is_selected "$fl"
fi
keys q
finished 1 "q"
check "q: nothing is printed once the view is gone" nothing_printed

# ---- 3. --summary: q prints the end summary, and only it -----------------------------
start 80 24 -- -r "$many" --tui --summary
if wait_for 'end of capture' 15; then
	keys q
	finished 1 "--summary q"
	want="^$rows TLS connections: $((rows - failed)) established, $failed failed, 0 incomplete"
	summary_first() { history | grep -v '^[[:space:]]*$' | head -1 | grep -qE -- "$want"; }
	check "--summary: the summary comes first: $rows connections, $failed failed" summary_first
	no_report() {
		local i
		for ((i = 1; i <= rows; i++)); do
			history | grep -qF -- "${client[$i]}" && { echo "  ${client[$i]} printed"; return 1; }
		done
		return 0
	}
	check "--summary: no connection of the report is printed" no_report
else
	bad "--summary run: the view did not come up"; dump
fi

summary_exit
