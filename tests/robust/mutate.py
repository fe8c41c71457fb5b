#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write reproducible mutants of one capture file (for tests/robust/mutate.sh).

    mutate.py --out DIR [--seed N] [--cuts 50] [--flips 3] [--rate 0.01] FILE

Writes into DIR (which must exist):
  cut-OFFSET          the file truncated at OFFSET; --cuts distinct offsets
                      in [1, size) (all of them for smaller files)
  flip-K              --flips copies (K = 0, 1, ...) with --rate of the
                      bytes (at least one) replaced by a different value
  pktflip-0           one more copy with the same rate of changes, but only
                      inside packet data: the pcap/pcapng framing is kept,
                      so the mutation reaches the decoders instead of
                      stopping libpcap at the first record header
A gzip file is decompressed first and mutated as the capture it holds;
then five extra gzcut-OFFSET truncations of the compressed bytes test the
zlib path.  The random generator is seeded from --seed and the file's
name (not its directory), so a mutant is the same on every machine.
Prints the number of files written.
"""

import argparse
import gzip
import hashlib
import os
import random
import struct
import sys


def packet_ranges(data):
    """(start, end) of the packet bytes of a pcap or pcapng file."""
    out = []
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = "<" if magic[0] in (0xD4, 0x4D) else ">"
        off = 24
        while off + 16 <= len(data):
            caplen = struct.unpack(end + "I", data[off + 8:off + 12])[0]
            off += 16
            if caplen > len(data) - off:
                break
            out.append((off, off + caplen))
            off += caplen
    elif magic == b"\x0a\x0d\x0d\x0a":
        off, end = 0, "<"
        while off + 12 <= len(data):
            btype = struct.unpack(end + "I", data[off:off + 4])[0]
            if btype == 0x0A0D0D0A:
                end = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            blen = struct.unpack(end + "I", data[off + 4:off + 8])[0]
            if blen < 12 or blen > len(data) - off:
                break
            if btype == 6 and blen >= 32:
                caplen = struct.unpack(end + "I", data[off + 20:off + 24])[0]
                start = off + 28
                out.append((start, min(start + caplen, off + blen - 4)))
            elif btype == 3 and blen >= 16:
                out.append((off + 12, off + blen - 4))
            off += blen
    return out


def flip(rng, data, rate, positions=None):
    b = bytearray(data)
    pool = positions if positions is not None else range(len(b))
    if not len(pool):
        return bytes(b)
    k = max(1, int(len(pool) * rate))
    for i in rng.sample(pool, min(k, len(pool))):
        b[i] ^= rng.randrange(1, 256)
    return bytes(b)


def cuts(rng, size, n):
    if size <= 1:
        return []
    if size - 1 <= n:
        return list(range(1, size))
    return sorted(rng.sample(range(1, size), n))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=20240229)
    ap.add_argument("--cuts", type=int, default=50)
    ap.add_argument("--flips", type=int, default=3)
    ap.add_argument("--rate", type=float, default=0.01)
    ap.add_argument("file")
    a = ap.parse_args()
    raw = open(a.file, "rb").read()
    name = os.path.basename(a.file)
    digest = hashlib.sha256(("%d:%s" % (a.seed, name)).encode()).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    data, gz = raw, False
    if raw[:2] == b"\x1f\x8b":
        try:
            data, gz = gzip.decompress(raw), True
        except (OSError, EOFError):
            data = raw
    written = 0

    def put(fn, b):
        nonlocal written
        with open(os.path.join(a.out, fn), "wb") as f:
            f.write(b)
        written += 1

    for off in cuts(rng, len(data), a.cuts):
        put("cut-%08d" % off, data[:off])
    for k in range(a.flips):
        put("flip-%d" % k, flip(rng, data, a.rate))
    ranges = packet_ranges(data)
    if ranges:
        positions = [i for s, e in ranges for i in range(s, e)]
        put("pktflip-0", flip(rng, data, a.rate, positions))
    if gz:
        for off in cuts(rng, len(raw), 5):
            put("gzcut-%08d" % off, raw[:off])
    print(written)
    return 0


if __name__ == "__main__":
    sys.exit(main())
