#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The text report's width over every capture in captures/: with COLUMNS
# unset and stdout a file (80 columns), with --width 100, and with
# COLUMNS=60; plain, and verbose in colour.  No line may be wider than
# the width (columns as tlsdiag counts them: one per code point, none
# for a colour escape) and none may end in a space or a tab, also not
# before a final colour reset.
set -u
TD_E2E_NAME=width
. "$(dirname "$0")/lib.sh"

[ -x "$bin" ] || { echo "FAIL no binary at $bin"; echo "width: 0 passed, 1 failed"; exit 1; }

esc=$(printf '\033')
# The report as columns: colour escapes dropped, then UTF-8 continuation
# bytes, so that awk in the C locale counts one byte per code point.
columns() { sed "s/$esc\[[0-9;]*m//g" "$@" | LC_ALL=C tr -d '\200-\277'; }
# "WIDEST TRAILING": the widest line, and the lines ending in a space or
# a tab once the escapes after them are gone.
shape() {
	columns "$@" | LC_ALL=C awk '{ if (length > m) m = length } /[ \t]$/ { t++ }
		END { print m + 0, t + 0 }'
}

# One run per capture, setting and mode (several captures at a time:
# par_each); each setting's reports are checked together (one
# pipeline, not hundreds), and only a failing one is looked at capture
# by capture.
# what:width:COLUMNS (empty: unset):options
settings=("COLUMNS unset, to a file:80::" "--width 100:100::--width 100" "COLUMNS=60:60:60:")
reports=$tmp/reports
mkdir "$reports"
reports_of() {
	local pcap=$1 name keys=() i what width cols opt env args mode
	name=$(basename "$pcap" .pcap)
	[ -f "$caps/$name.keylog" ] && keys=(-k "$caps/$name.keylog")
	for i in 0 1 2; do
		IFS=: read -r what width cols opt <<<"${settings[$i]}"
		env=(env -u COLUMNS)
		[ -n "$cols" ] && env=(env COLUMNS="$cols")
		for mode in plain verbose; do
			args=(--color=never)
			[ "$mode" = verbose ] && args=(-v --color=always)
			# shellcheck disable=SC2086 # opt is two words or none
			"${env[@]}" "$bin" -r "$pcap" "${keys[@]}" "${args[@]}" $opt \
				>"$reports/$i.$mode.$name" 2>/dev/null
			[ -s "$reports/$i.$mode.$name" ] || bad "$name $mode, $what: no report"
		done
	done
}
pcaps=()
for pcap in "$caps"/*.pcap; do
	[ -e "$pcap" ] && pcaps+=("$pcap")
done
n=${#pcaps[@]}
par_each reports_of "${pcaps[@]}"
[ $n -gt 0 ] || bad "no captures/*.pcap found"

widest100=0
for i in 0 1 2; do
	IFS=: read -r what width cols opt <<<"${settings[$i]}"
	for mode in plain verbose; do
		read -r w t < <(shape "$reports/$i.$mode."*)
		[ "$i" = 1 ] && [ "$w" -gt "$widest100" ] && widest100=$w
		if [ "$w" -le "$width" ] && [ "$t" -eq 0 ]; then
			ok "$n captures, $mode, $what: at most $width columns ($w), no trailing blanks"
			continue
		fi
		bad "$n captures, $mode, $what: widest line $w columns (at most $width), $t lines ending in blanks"
		for f in "$reports/$i.$mode."*; do
			read -r w t < <(shape "$f")
			[ "$w" -le "$width" ] && [ "$t" -eq 0 ] && continue
			echo "     ${f##*/"$i"."$mode".}: widest $w, $t ending in blanks"
			columns "$f" | LC_ALL=C awk -v w="$width" 'length > w || /[ \t]$/' | head -3 |
				sed 's/^/       [/; s/$/]/'
		done
	done
done

# The width is used, not only respected: some report fills 100 columns
# past 80, and --width wins over COLUMNS.
if [ "$widest100" -gt 80 ]; then ok "--width 100 is used (widest line $widest100)"
else bad "--width 100: no line over 80 columns in any capture"; fi
one="$caps/tls12-client-cert-untrusted.pcap"
if [ -f "$one" ]; then
	COLUMNS=60 "$bin" -r "$one" --width 100 >"$tmp/both" 2>/dev/null
	read -r w t < <(shape "$tmp/both")
	if [ "$w" -gt 60 ] && [ "$w" -le 100 ]; then ok "--width wins over COLUMNS ($w columns)"
	else bad "--width 100 with COLUMNS=60: widest line $w"; fi
	# COLUMNS that is not a whole number is ignored (80); a small one is 40.
	for v in 0 abc 10 100000000000000000000000; do
		COLUMNS=$v "$bin" -r "$one" >"$tmp/odd" 2>/dev/null
		read -r w t < <(shape "$tmp/odd")
		want=80; [ "$v" = 10 ] && want=40
		if [ "$w" -le "$want" ] && [ "$w" -gt $((want - 10)) ]; then ok "COLUMNS=$v: $w columns"
		else bad "COLUMNS=$v: widest line $w, want at most $want"; fi
	done
fi

echo "width: $pass passed, $fail failed"
[ $fail -eq 0 ]
