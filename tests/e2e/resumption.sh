#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end tests of issue 16 Must 6 over TCP, on the real captures of
# captures/make-resumption.sh (openssl s_server / s_client), against the
# facts tshark wrote for them and the verdicts reasoned from those facts
# (captures/expected/NAME.resumption, never tlsdiag's own output):
#  - the ClientHello's pre_shared_key (identities, obfuscated ages) and
#    early_data, the ServerHello's selected identity: JSON psk {offered,
#    obfuscated_ages, accepted, selected}, with and without the key log;
#  - 0-RTT: early_data accepted / rejected with the key log (by
#    EncryptedExtensions), the client's early records counted and, with
#    the key log, all of them decrypted; without it, the verdict tlsdiag
#    gives must be the reasoned one or the honest "offered";
#  - no key-log anomaly on any of them (0-RTT records are not a wrong key
#    log), and RESUMPTION_REFUSED exactly where the PSK was refused;
#  - KeyUpdate followed both ways: each side's KeyUpdate is in the
#    timeline, decrypted, and the application data each side sent after
#    its own update is decrypted too.
set -u
TD_E2E_NAME=resumption
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || { echo "FAIL jq is required"; echo "resumption: 0 passed, 1 failed"; exit 1; }
[ -x "$bin" ] || { echo "FAIL no binary at $bin"; echo "resumption: 0 passed, 1 failed"; exit 1; }

# fact FILE N NAME: the value(s) after "N NAME" in a facts file.
fact() { awk -v n="$2" -v k="$3" '$1 == n && $2 == k { $1 = ""; $2 = ""; sub(/^  /, ""); print }' "$1"; }

check() {
	local facts=$1 name pcap kl n conns
	name=$(basename "$facts" .resumption)
	pcap="$caps/$name.pcap" kl="$caps/$name.keylog"
	"$bin" -r "$pcap" -o json >"$tmp/$name.json" 2>"$tmp/$name.err" || { bad "$name: tlsdiag failed"; return; }
	"$bin" -r "$pcap" -k "$kl" -o json >"$tmp/$name.k.json" 2>"$tmp/$name.k.err" ||
		{ bad "$name: tlsdiag -k failed"; return; }
	conns=$(awk '$2 == "resumed" { print $1 }' "$facts" | sort -n)
	for n in $conns; do
		local offered ages sel ed early recs dec resumed want got wantk gotk
		offered=$(fact "$facts" "$n" psk_offered)
		ages=$(fact "$facts" "$n" psk_age | awk '{ printf "%s%s", (NR > 1 ? "," : ""), $2 }')
		sel=$(fact "$facts" "$n" psk_selected)
		resumed=$(fact "$facts" "$n" resumed)
		early=$(fact "$facts" "$n" early_data)
		recs=$(fact "$facts" "$n" early_records)
		dec=$(fact "$facts" "$n" early_records_decrypted)
		# PSK, without and with the key log alike.
		if [ "$offered" = 0 ]; then
			want=null
		else
			want="{\"offered\":$offered,\"obfuscated_ages\":[$ages],\"accepted\":$([ "$resumed" = yes ] && echo true || echo false),\"selected\":$([ "$sel" = none ] && echo null || echo "$sel")}"
		fi
		for j in json k.json; do
			got=$(jq -c "select(.id == $n) | .psk" "$tmp/$name.$j")
			if [ "$got" = "$want" ]; then ok "$name #$n ($j): psk $want"
			else bad "$name #$n ($j): psk: want $want, got $got"; fi
		done
		# 0-RTT with the key log: the reasoned verdict, the records.
		if [ "$early" = none ]; then
			wantk='[null,null,null]'
		else
			wantk="[\"$early\",$recs,$dec]"
		fi
		gotk=$(jq -c "select(.id == $n) | [.early_data, .early_records, .early_records_decrypted]" "$tmp/$name.k.json")
		if [ "$gotk" = "$wantk" ]; then ok "$name #$n (key log): early data $wantk"
		else bad "$name #$n (key log): early data: want $wantk, got $gotk"; fi
		# Without it: the same verdict (judged by sizes: inferred, unless
		# the hellos decide), or "offered", never the other verdict.
		got=$(jq -c "select(.id == $n) | [.early_data, .early_records]" "$tmp/$name.json")
		case $early in
		none) want='[null,null]' ;;
		*) want="[\"$early\",$recs]" ;;
		esac
		if [ "$got" = "$want" ] || { [ "$early" != none ] && [ "$got" = "[\"offered\",$recs]" ]; }; then
			ok "$name #$n (no key log): early data $got"
		else
			bad "$name #$n (no key log): early data: want $want (or offered), got $got"
		fi
		# No key-log anomaly; RESUMPTION_REFUSED where a PSK was refused.
		got=$(jq -c "select(.id == $n) | [.anomalies[].code | select(startswith(\"keylog\"))]" "$tmp/$name.k.json")
		if [ "$got" = '[]' ]; then ok "$name #$n: no key log anomaly"
		else bad "$name #$n: key log anomalies $got"; fi
		want=$([ "$offered" != 0 ] && [ "$resumed" = no ] && echo 1 || echo 0)
		for j in json k.json; do
			got=$(jq -c "select(.id == $n) | [.diagnoses[].code | select(. == \"RESUMPTION_REFUSED\")] | length" "$tmp/$name.$j")
			if [ "$got" = "$want" ]; then ok "$name #$n ($j): RESUMPTION_REFUSED $want"
			else bad "$name #$n ($j): RESUMPTION_REFUSED: want $want, got $got"; fi
		done
		# KeyUpdate: each side's update, then its data, decrypted.
		local from dir
		for from in client server; do
			grep -q "^$n keyupdate $from\$" "$facts" || continue
			dir=$([ "$from" = client ] && echo c2s || echo s2c)
			want=$(fact "$facts" "$n" appdata_after_keyupdate | awk -v f="$from" '$1 == f { print ($2 > 0) ? "true" : "false" }')
			got=$(jq -c --arg d "$dir" "select(.id == $n) | [.timeline[] | select(.dir == \$d)] |
				(map(.message == \"key_update\" and .decrypted == true) | index(true)) as \$k |
				\$k != null and ([.[\$k + 1:][] | select(.event == \"application_data\" and .decrypted == true)] | length > 0)" \
				"$tmp/$name.k.json")
			if [ "$got" = "$want" ]; then ok "$name #$n: $from KeyUpdate, then data decrypted: $got"
			else bad "$name #$n: $from KeyUpdate then decrypted data: want $want, got $got"; fi
		done
	done
}

n=0
for facts in "$caps"/expected/*.resumption; do
	[ -e "$facts" ] || continue
	n=$((n + 1))
	check "$facts"
done
[ "$n" -gt 0 ] || bad "no captures/expected/*.resumption"
finish
