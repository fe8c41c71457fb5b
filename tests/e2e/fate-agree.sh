#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every output tells the same fate (conn.h, struct td_fate): for each
# capture of captures/ (with its key log) and, when ../shared/corpus is
# there, each corpus capture, per connection id:
#   - the JSON "outcome" (-o json);
#   - the text report's verdict (ESTABLISHED, FAILED..., INCOMPLETE);
#   - the Markdown summary table's outcome (-o markdown --all);
#   - the Mermaid diagram: a "❌" note when, and only when, it failed;
#   - the live view's row (state and red class), from its model through
#     the unit test binary (suite tui-verdicts, test_tui_agree.c): the
#     view is drawn on a terminal, its rows are what it shows;
#   - --only-failed: it prints exactly the failed connections.
# Markdown leaves out rows and sections past its caps: those ids are
# compared where present.  Set TD_CORPUS to use another corpus folder.
set -u
TD_E2E_NAME=fate-agree
. "$(dirname "$0")/lib.sh"
unit="$top_builddir/tests/unit/unit_tests"
corpus=${TD_CORPUS:-$top_srcdir/../shared/corpus}

# The key log beside a capture, or nothing.
keylog_of() {
	local b=${1%.*} k
	for k in "$b.keylog" "$b.keys"; do [ -f "$k" ] && { echo "$k"; return; }; done
}

# check PCAP: compare the outputs for one capture.
check() {
	local p=$1 kl args=() name=${1#"$top_srcdir"/}
	kl=$(keylog_of "$p")
	args=(-r "$p")
	[ -n "$kl" ] && args+=(--keylog "$kl")
	local run=(env NO_COLOR=1 COLUMNS= "$bin" "${args[@]}")
	"${run[@]}" -o json > "$tmp/json" 2>/dev/null
	jq -r 'select(.id) | "\(.id) \(.outcome)"' "$tmp/json" | sort -n > "$tmp/j"
	"${run[@]}" --only-failed -o json 2>/dev/null |
		jq -r 'select(.id) | "\(.id) failed"' | sort -n > "$tmp/f"
	"${run[@]}" --width 1000 2>/dev/null | awk '
		/^#[0-9]+ / { id = substr($1, 2); next }
		id != "" && !(id in v) && match($0, /(ESTABLISHED|FAILED|INCOMPLETE)/) {
			v[id] = tolower(substr($0, RSTART, RLENGTH)); print id, v[id] }' |
		sort -n > "$tmp/t"
	"${run[@]}" -o markdown --all > "$tmp/md" 2>/dev/null
	awk '
		/^\| \[[0-9]+\]\(#connection-[0-9]+\) \|/ || /^\| [0-9]+ \|/ {
			id = $2; sub(/^\[/, "", id); sub(/[^0-9].*$/, "", id)
			o = index($0, "❌ failed") ? "failed" : index($0, "✅ established") ? "established" \
				: index($0, "⚠️ incomplete") ? "incomplete" : "?"
			print id, o }' "$tmp/md" | sort -n > "$tmp/m"
	awk '
		/^### Connection [0-9]+$/ { if (id != "") print id, x; id = $3; x = "-"; next }
		/^## / { if (id != "") print id, x; id = "" }
		id != "" && /Note over C,S: ❌/ { x = "failed" }
		END { if (id != "") print id, x }' "$tmp/md" | sort -n > "$tmp/d"
	TD_TUI_VERDICTS_PCAP=$p TD_TUI_VERDICTS_KEYLOG=$kl TD_TUI_VERDICTS_OUT=$tmp/tui \
		"$unit" tui-verdicts > "$tmp/unit.log" 2>&1 || {
		bad "$name: the TUI model run failed"; sed 's/^/    /' "$tmp/unit.log" | tail -5; return; }
	sort -n "$tmp/tui" > "$tmp/u"

	local why
	why=$(awk -v F="$tmp/f" -v T="$tmp/t" -v M="$tmp/m" -v D="$tmp/d" -v U="$tmp/u" '
		function load(file, arr,   l, a) { while ((getline l < file) > 0) { split(l, a, " "); arr[a[1]] = a[2] (a[3] != "" ? " " a[3] : "") } }
		BEGIN { load(F, f); load(T, t); load(M, m); load(D, d); load(U, u) }
		{
			id = $1; o = $2; n++
			if (t[id] != o) print "#" id ": json " o ", text " (id in t ? t[id] : "none")
			if ((id in m) && m[id] != o) print "#" id ": json " o ", markdown " m[id]
			if ((id in d) && ((d[id] == "failed") != (o == "failed")))
				print "#" id ": json " o ", mermaid " (d[id] == "failed" ? "marks a failure" : "marks none")
			want = o " " (o == "failed" ? "fail" : "-")
			if (u[id] != want) print "#" id ": json " o ", tui " (id in u ? u[id] : "no row")
			if ((id in f) != (o == "failed")) print "#" id ": json " o ", --only-failed " ((id in f) ? "prints it" : "leaves it out")
			seen[id] = 1
		}
		END {
			for (id in f) if (!(id in seen)) print "#" id ": --only-failed prints it, json has none"
			for (id in u) if (!(id in seen)) print "#" id ": tui has a row, json has none"
			if (n == 0 && length(u) > 0) print "json has no connection, tui has " length(u)
		}' "$tmp/j")
	if [ -n "$why" ]; then
		bad "$name"
		echo "$why" | head -10 | sed 's/^/    /'
	else
		ok "$name ($(wc -l < "$tmp/j") connections)"
	fi
}

if [ ! -x "$unit" ]; then
	echo "SKIPPED: fate-agree: no $unit (make tests/unit/unit_tests)"
	exit 77
fi
command -v jq > /dev/null || { echo "SKIPPED: fate-agree: needs jq"; exit 77; }

# Several captures at a time (par_each), each with its own $tmp.
pcaps=()
for p in "$caps"/*.pcap; do
	pcaps+=("$p")
done
if [ -d "$corpus" ]; then
	while IFS= read -r p; do
		pcaps+=("$p")
	done < <(find "$corpus" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) \
		-not -path '*/quic/*' | sort)
fi
par_each check "${pcaps[@]}"
if [ ! -d "$corpus" ]; then
	echo "SKIPPED: the corpus part: no corpus at $corpus (it lives beside the project in" \
		"../shared/corpus; set TD_CORPUS)"
fi
finish
