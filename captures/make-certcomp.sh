#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# captures/make-certcomp.sh - real RFC 8879 compressed certificates.
#
# Debian 12's gnutls-bin is built without certificate compression
# (--compress-cert does nothing) and its OpenSSL 3.0 and Go cannot
# compress certificates, so this builds Debian 12's own gnutls28 source
# package outside the tree (in $WORK, default /tmp/tlsdiag-certcomp) with
# zlib, brotli and zstd, then records, for each algorithm, gnutls-serv
# and gnutls-cli of that build talking TLS 1.3 over loopback (tcpdump -U
# --immediate-mode), the client verifying the lab's server chain
# (captures/lab: server.crt + intermediateCA.crt, rootCA.crt as the
# anchor), with SSLKEYLOGFILE kept:
#   captures/certcomp/gnutls-ALG.pcap, .keylog, .client.txt, .server.txt
#
#   sudo captures/make-certcomp.sh            # build (once) and capture all three
#   sudo captures/make-certcomp.sh zstd       # one algorithm
#
# Needs root (tcpdump), network access to deb.debian.org for the source
# (a temporary deb-src list; /etc is not touched), gnutls28's build
# dependencies (nettle-dev libgmp-dev libtasn1-6-dev libidn2-dev
# libbrotli-dev libzstd-dev zlib1g-dev) and the loopback port 9480.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/tlsdiag-certcomp}
PORT=${PORT:-9480}
out=$top/captures/certcomp
lab=$top/captures/lab
algs=("$@")
[ ${#algs[@]} -gt 0 ] || algs=(brotli zlib zstd)
mkdir -p "$WORK" "$out"

build_gnutls() {
	[ -x "$WORK/gnutls/src/gnutls-serv" ] && [ -x "$WORK/gnutls/src/gnutls-cli" ] && return 0
	local apto=(-o "Dir::Etc::SourceList=$WORK/sources.list" -o Dir::Etc::SourceParts=/dev/null
		    -o "Dir::State::Lists=$WORK/lists")
	mkdir -p "$WORK/lists/partial"
	cat >"$WORK/sources.list" <<-SRC
	deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
	deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main
	SRC
	(cd "$WORK" && apt-get "${apto[@]}" update -qq && apt-get "${apto[@]}" source --download-only gnutls28 &&
	 rm -rf gnutls && dpkg-source -x gnutls28_*.dsc gnutls >/dev/null)
	(cd "$WORK/gnutls" &&
	 ./configure -q --disable-doc --disable-tests --disable-guile --disable-cxx --without-tpm \
		--without-tpm2 --disable-nls --with-included-unistring --without-p11-kit \
		--disable-libdane --disable-gcc-warnings --with-zlib --with-brotli --with-zstd &&
	 make -j2 -C gl && make -j2 -C lib && make -j2 -C src/gl && make -j2 -C src gnutls-serv gnutls-cli)
}

capture() {
	local alg=$1 name=gnutls-$1
	local chain=$WORK/chain.pem keylog=$WORK/$name.keylog pcap=$out/$name.pcap
	cat "$lab/server.crt" "$lab/intermediateCA.crt" >"$chain"
	rm -f "$keylog"
	tcpdump -U --immediate-mode -i lo -w "$pcap" "tcp port $PORT" 2>"$WORK/tcpdump.log" &
	local tcpd=$!
	sleep 1
	SSLKEYLOGFILE=$keylog "$WORK/gnutls/src/gnutls-serv" --port "$PORT" --echo \
		--x509certfile "$chain" --x509keyfile "$lab/server.key" \
		--priority "NORMAL:-VERS-ALL:+VERS-TLS1.3" --compress-cert "$alg" \
		>"$WORK/$name.server.log" 2>&1 &
	local serv=$!
	sleep 1
	local cmd=(gnutls-cli --x509cafile rootCA.crt --verify-hostname tls-server.local
		   --sni-hostname tls-server.local --compress-cert "$alg" --port "$PORT" 127.0.0.1)
	local st=0
	(cd "$lab" && echo hello | SSLKEYLOGFILE=$keylog "$WORK/gnutls/src/${cmd[0]}" "${cmd[@]:1}") \
		>"$WORK/$name.client.log" 2>&1 || st=$?
	sleep 1
	kill "$serv" "$tcpd" 2>/dev/null || true
	wait "$serv" "$tcpd" 2>/dev/null || true
	{ echo "${cmd[*]}  (in captures/lab; gnutls-cli of Debian 12's gnutls28 $(cd "$WORK" && ls gnutls28_*.dsc | sed 's/gnutls28_//; s/\.dsc//') built with zlib, brotli, zstd)"
	  sed "s|$WORK/||g" "$WORK/$name.client.log"; echo "[client exit status: $st]"; } >"$out/$name.client.txt"
	{ echo "gnutls-serv --port $PORT --echo --x509certfile server.crt+intermediateCA.crt --x509keyfile server.key --priority NORMAL:-VERS-ALL:+VERS-TLS1.3 --compress-cert $alg"
	  sed "s|$WORK/||g" "$WORK/$name.server.log"; } >"$out/$name.server.txt"
	sort -u "$keylog" >"$out/$name.keylog"
	# The scenario happened: the client verified the chain and the server
	# sent a CompressedCertificate (handshake type 25), per tshark.
	grep -q "Certificate type: X.509" "$out/$name.client.txt" || { echo "$name: the client did not get the chain" >&2; return 1; }
	if command -v tshark >/dev/null; then
		local n
		n=$(tshark -r "$pcap" -o "tls.keylog_file:$out/$name.keylog" -Y 'tls.handshake.type == 25' 2>/dev/null | wc -l)
		[ "$n" -ge 1 ] || { echo "$name: tshark sees no CompressedCertificate" >&2; return 1; }
	fi
	echo "$name: $pcap"
}

build_gnutls
for a in "${algs[@]}"; do capture "$a"; done
