#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Decryption agreement with tshark over the key-logged captures of
# ../shared/corpus (see decrypt_agree.py): for every connection, the
# handshake messages up to each side's Finished and the alerts tlsdiag
# decrypts must be the ones Wireshark decrypts.  Connections listed in
# tests/corpus/decrypt-known (capture, client port, reason) are excused
# and counted as such.  Skips loudly when the corpus or tshark is absent.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:?usage: decrypt.sh TLSDIAG [CORPUS]}
corpus=${2:-$here/../../../shared/corpus}
if [ ! -d "$corpus" ]; then
	echo "SKIPPED: decrypt agreement: no corpus at $corpus"
	exit 0
fi
command -v tshark >/dev/null || { echo "SKIPPED: decrypt agreement: tshark is not installed"; exit 0; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
cd "$corpus"
pairs=(
	"mercury/test_decrypt.pcap mercury/sslkeylogfile.log"
	"zeek/tls12-decryption.pcap zeek/tls12-decryption.keylog"
	"zeek/tls-1.2-stream-keylog.pcap zeek/tls-1.2-stream-keylog.keylog"
	"wireshark-notes/tls/works/dump.pcapng wireshark-notes/tls/works/premaster.txt"
	"wireshark-notes/ssl3/dump.pcapng wireshark-notes/ssl3/premaster.txt"
)
known="$here/decrypt-known"
agree=0 differ=0 excused=0
for pair in "${pairs[@]}"; do
	set -- $pair
	[ -f "$1" ] && [ -f "$2" ] || { echo "SKIPPED: $1: not in the corpus"; continue; }
	out=$(python3 "$here/decrypt_agree.py" "$bin" "$1" "$2")
	while IFS= read -r line; do
		case "$line" in
		"DIFFER "*)
			port=$(printf '%s' "$line" | sed -n 's/.*client port \([0-9]*\):.*/\1/p')
			if grep -q "^$1 $port " "$known" 2>/dev/null; then
				excused=$((excused + 1))
			else
				echo "$line"
				differ=$((differ + 1))
			fi ;;
		"decrypt "*)
			n=$(printf '%s' "$line" | sed -n 's/.*: \([0-9]*\) connections agree.*/\1/p')
			agree=$((agree + n)) ;;
		esac
	done <<<"$out"
done
echo "decrypt: $agree connections agree with tshark, $differ differ, $excused excused (tests/corpus/decrypt-known)"
[ $differ -eq 0 ]
