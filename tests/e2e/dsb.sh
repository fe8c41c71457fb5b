#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/dsb.sh - keys from where tools put them (issue 18, must 8):
#  - pcapng Decryption Secrets Blocks (editcap --inject-secrets tls,KEYLOG):
#    tshark decrypts the file without a key log (the fact), and tlsdiag
#    without -k gives exactly the JSON it gives on the pcap with -k; also
#    gzip'd, and from a pipe (-r -);
#  - a DSB in the middle of the file (spliced by pcapng-tool.py after the
#    ClientHello's packet, or after the ServerHello's), from a file and
#    from a pipe that pauses there;
#  - -w with -k writes pcapng with a DSB: capinfos counts the secrets,
#    tshark decrypts it without a key log (and not once editcap has
#    discarded them), editcap copies it, tlsdiag reads it back as -k;
#  - -k as a FIFO or a file still growing, with the capture streamed
#    through -r - and paused after the ServerHello while the key log is
#    written: the same JSON as -k; a FIFO nobody writes to never blocks.
# Needs tshark, editcap, capinfos (Debian: tshark) and jq: skipped (77)
# without them.
set -u
TD_E2E_NAME=dsb
. "$(dirname "$0")/lib.sh"

for t in tshark editcap capinfos jq python3 gzip; do
	command -v "$t" >/dev/null || { echo "SKIP dsb: $t is not installed (apt-get install tshark jq)"; exit 77; }
done
[ -x "$bin" ] || { bad "no binary at $bin"; finish; }
tool="$top_srcdir/tests/e2e/pcapng-tool.py"
real="$caps/real"

# tshark's handshake types of a capture, one line per frame, sorted set.
hs_types() {
	tshark -r "$1" -Y tls.handshake -T fields -e tls.handshake.type 2>/dev/null |
		tr ',' '\n' | sort -un | tr '\n' ' '
}
# The frame number of the first handshake message of type $2.
frame_of() {
	tshark -r "$1" -Y "tls.handshake.type == $2" -T fields -e frame.number 2>/dev/null | head -1
}
json() { "$bin" --no-tui -o json "$@" 2>/dev/null; }
same() {  # same NAME FILE EXPECTED
	if [ -s "$2" ] && cmp -s "$2" "$3"; then ok "$1"; else bad "$1"; diff "$3" "$2" | head -5; fi
}

# 8 (EncryptedExtensions) is a TLS 1.3 message only ever encrypted; 20
# (Finished) is encrypted in every version: both visible only decrypted.
check() {
	local name=$1 hidden=$2
	local pcap="$real/$name.pcap" keys="$real/$name.keylog"
	[ -f "$pcap" ] && [ -f "$keys" ] || { bad "$name: missing capture or key log"; return; }
	local d="$tmp/$name"
	mkdir -p "$d"
	json -r "$pcap" -k "$keys" >"$d/k.json"
	json -r "$pcap" >"$d/none.json"
	if ! cmp -s "$d/k.json" "$d/none.json" && [ -s "$d/k.json" ]; then
		ok "$name: the key log changes the report (so the comparisons below mean something)"
	else
		bad "$name: the key log changes nothing"
	fi

	# editcap --inject-secrets
	editcap --inject-secrets "tls,$keys" "$pcap" "$d/inj.pcapng" 2>/dev/null
	case " $(hs_types "$d/inj.pcapng")" in
	*" $hidden "*) ok "$name: tshark decrypts the injected pcapng without a key log (type $hidden)" ;;
	*) bad "$name: tshark does not decrypt the injected pcapng" ;;
	esac
	case " $(hs_types "$pcap")" in
	*" $hidden "*) bad "$name: tshark sees type $hidden without keys (the fact is void)" ;;
	*) ok "$name: without secrets tshark does not see type $hidden" ;;
	esac
	json -r "$d/inj.pcapng" >"$d/inj.json"
	same "$name: DSB without -k = pcap with -k" "$d/inj.json" "$d/k.json"
	gzip -c "$d/inj.pcapng" >"$d/inj.pcapng.gz"
	json -r "$d/inj.pcapng.gz" >"$d/gz.json"
	same "$name: gzip'd pcapng with DSB = -k" "$d/gz.json" "$d/k.json"
	cat "$d/inj.pcapng.gz" | json -r - >"$d/pipe.json"
	same "$name: the same through a pipe (-r -)" "$d/pipe.json" "$d/k.json"
	# -k as well: the same secrets twice change nothing.
	json -r "$d/inj.pcapng" -k "$keys" >"$d/both.json"
	same "$name: DSB and -k together = -k" "$d/both.json" "$d/k.json"

	# A DSB in the middle: after the ClientHello's packet (before the
	# ServerHello: keys arrive between hello and the records they open),
	# and after the ServerHello's packet.
	local ch sh
	ch=$(frame_of "$pcap" 1)
	sh=$(frame_of "$pcap" 2)
	editcap -F pcapng "$pcap" "$d/plain.pcapng" 2>/dev/null
	python3 "$tool" splice "$d/plain.pcapng" "$keys" "$d/mid.pcapng" "$ch"
	python3 "$tool" splice "$d/plain.pcapng" "$keys" "$d/late.pcapng" "$sh"
	if [ "$(python3 "$tool" count "$d/mid.pcapng")" = "1 1" ] &&
	   [ "$(python3 "$tool" count "$d/late.pcapng")" = "1 1" ]; then
		ok "$name: one DSB spliced after packets $ch and $sh"
	else
		bad "$name: splicing the DSB"
	fi
	case " $(hs_types "$d/mid.pcapng")" in
	*" $hidden "*) ok "$name: tshark decrypts with the mid-file DSB" ;;
	*) bad "$name: tshark does not decrypt with the mid-file DSB" ;;
	esac
	json -r "$d/mid.pcapng" >"$d/mid.json"
	same "$name: mid-file DSB (after the ClientHello) = -k" "$d/mid.json" "$d/k.json"
	json -r "$d/late.pcapng" >"$d/late.json"
	same "$name: mid-file DSB (after the ServerHello) = -k" "$d/late.json" "$d/k.json"
	python3 "$tool" slow "$d/mid.pcapng" "$ch" 1 | json -r - >"$d/midpipe.json"
	same "$name: mid-file DSB from a pipe pausing before it = -k" "$d/midpipe.json" "$d/k.json"

	# -w writes the key log into a pcapng file.
	json -r "$pcap" -k "$keys" -w "$d/w.pcapng" >"$d/w.json"
	same "$name: -w changes nothing in the report" "$d/w.json" "$d/k.json"
	if capinfos "$d/w.pcapng" 2>/dev/null | grep -q "File type:.*pcapng" &&
	   capinfos "$d/w.pcapng" 2>/dev/null | grep -Eq "Number of decryption secrets in file: *1$" &&
	   [ "$(capinfos -c -M "$d/w.pcapng" 2>/dev/null | awk '/Number of packets/ {print $NF}')" = \
	     "$(capinfos -c -M "$pcap" 2>/dev/null | awk '/Number of packets/ {print $NF}')" ]; then
		ok "$name: -w -k: capinfos reads pcapng, one secrets block, every packet"
	else
		bad "$name: -w -k: capinfos"; capinfos "$d/w.pcapng" 2>&1 | head -5
	fi
	case " $(hs_types "$d/w.pcapng")" in
	*" $hidden "*) ok "$name: tshark decrypts tlsdiag's -w file without a key log" ;;
	*) bad "$name: tshark does not decrypt tlsdiag's -w file" ;;
	esac
	if editcap --discard-all-secrets "$d/w.pcapng" "$d/nosec.pcapng" 2>/dev/null; then
		case " $(hs_types "$d/nosec.pcapng")" in
		*" $hidden "*) bad "$name: tshark decrypts with the secrets discarded" ;;
		*) ok "$name: editcap reads the -w file; without its DSB tshark no longer decrypts" ;;
		esac
	else
		bad "$name: editcap refuses tlsdiag's -w file"
	fi
	json -r "$d/w.pcapng" >"$d/wread.json"
	same "$name: tlsdiag reads its -w file back as with -k" "$d/wread.json" "$d/k.json"
	# A pcapng with DSBs, copied with -w and no -k, keeps them.
	json -r "$d/mid.pcapng" -w "$d/copy.pcapng" >/dev/null
	json -r "$d/copy.pcapng" >"$d/copy.json"
	same "$name: -w of a pcapng keeps its DSBs" "$d/copy.json" "$d/k.json"

	# A key log that arrives while the capture streams in: the capture
	# through a pipe that pauses after the ServerHello (records of the
	# server's flight wait for their keys), the key log written meanwhile.
	rm -f "$d/fifo"
	mkfifo "$d/fifo"
	python3 "$tool" slow "$pcap" "$sh" 1.5 | timeout 60 "$bin" --no-tui -o json -r - \
		-k "$d/fifo" >"$d/fifo.json" 2>"$d/fifo.err" &
	sleep 0.5
	cat "$keys" >"$d/fifo"
	wait $!
	same "$name: -k FIFO written after start-up, capture from a pipe = -k" "$d/fifo.json" "$d/k.json"
	: >"$d/grow.keylog"
	python3 "$tool" slow "$pcap" "$sh" 1.5 | timeout 60 "$bin" --no-tui -o json -r - \
		-k "$d/grow.keylog" >"$d/grow.json" 2>/dev/null &
	sleep 0.5
	cat "$keys" >>"$d/grow.keylog"
	wait $!
	same "$name: -k file appended after start-up, capture from a pipe = -k" "$d/grow.json" "$d/k.json"
}

check go-tls13-mtls-ok 8
check go-tls12-mtls-ok 20
check nginx-tls13-mtls-ok 8

# A FIFO that no one ever opens: start-up does not wait for it.
mkfifo "$tmp/lonely"
python3 "$tool" slow "$real/go-tls13-mtls-ok.pcap" 3 0.2 |
	timeout 20 "$bin" --no-tui -o json -r - -k "$tmp/lonely" >"$tmp/lonely.json" 2>/dev/null
st=$?
if [ "$st" -ne 124 ] && [ "$(jq -s 'map(select(.id)) | length' "$tmp/lonely.json")" = 1 ]; then
	ok "-k FIFO without a writer: no wait, the connection reported (exit $st)"
else
	bad "-k FIFO without a writer: exit $st"
fi

# A pcapng with a DSB of another kind: skipped and said.
python3 - "$tmp/wg.pcapng" <<'EOF'
import struct, sys
e = '<'
shb = struct.pack(e + 'IIIHHqI', 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1, 28)
idb = struct.pack(e + 'IIHHII', 1, 20, 1, 0, 0, 20)
txt = b'WireGuard keys\n'
pad = (4 - len(txt) % 4) % 4
dsb = struct.pack(e + 'IIII', 0x0A, 20 + len(txt) + pad, 0x57474b4c, len(txt)) + txt + b'\0' * pad + \
      struct.pack(e + 'I', 20 + len(txt) + pad)
open(sys.argv[1], 'wb').write(shb + idb + dsb)
EOF
"$bin" --no-tui -o json -r "$tmp/wg.pcapng" >/dev/null 2>"$tmp/wg.err"
if grep -q "Decryption Secrets Block of another kind.*0x57474b4c" "$tmp/wg.err"; then
	ok "a DSB of another secrets type is skipped and said"
else
	bad "a DSB of another secrets type"; cat "$tmp/wg.err"
fi

finish
