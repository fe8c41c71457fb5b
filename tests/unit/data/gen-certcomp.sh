#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The compressed-certificate fixtures of tests/unit/test_decomp.c: the
# lab's server chain (captures/lab/server.crt, then intermediateCA.crt)
# as the body of a TLS 1.3 Certificate message (RFC 8446 4.4.2: empty
# request context, each certificate with empty extensions), then that
# body compressed by Debian's own tools as RFC 8879 asks: zlib (python3's
# zlib module, RFC 1950 framing), brotli (the brotli CLI, default
# quality and window) and zstd (the zstd CLI, default level).
# Decompression bombs, the same way: 16,000,000 zero bytes through brotli
# with a 16 MiB window (14 bytes) and zstd -19 (514 bytes), 1 MiB of zero
# bytes through zlib (about 1 KB).
# Run from this directory: sh gen-certcomp.sh
set -eu
lab=../../../captures/lab
python3 - "$lab/server.crt" "$lab/intermediateCA.crt" <<'PY'
import ssl, sys, zlib
certs = [ssl.PEM_cert_to_DER_cert(open(p).read()) for p in sys.argv[1:]]
entries = b''.join(len(d).to_bytes(3, 'big') + d + b'\0\0' for d in certs)
body = b'\0' + len(entries).to_bytes(3, 'big') + entries
open('certcomp_chain.bin', 'wb').write(body)
open('certcomp_chain.zlib', 'wb').write(zlib.compress(body, 9))
PY
brotli -f -o certcomp_chain.br certcomp_chain.bin
zstd -q -f -o certcomp_chain.zst certcomp_chain.bin
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
head -c 16000000 /dev/zero >"$tmp"
brotli -f -w 24 -o certcomp_bomb.br "$tmp"; chmod 644 certcomp_bomb.br
zstd -q -19 -f -o certcomp_bomb.zst "$tmp"; chmod 644 certcomp_bomb.zst
python3 -c 'import zlib; open("certcomp_bomb.zlib", "wb").write(zlib.compress(bytes(1 << 20), 9))'
ls -l certcomp_chain.* certcomp_bomb.*
