#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tests/e2e/pcapng-tool.py - the capture surgery tests/e2e/dsb.sh needs.

  splice IN.pcapng KEYLOG OUT N   copy IN, with a Decryption Secrets Block
                                  (TLS key log: KEYLOG's text) inserted
                                  right after its N-th packet block
                                  (1-based; 0: before the first packet)
  slow IN N SECONDS               write IN (classic pcap or pcapng) to
                                  stdout a record/block at a time, pausing
                                  SECONDS after the N-th packet, as a
                                  capture arriving through a pipe
  count IN                        DSBs of IN (and whether one follows a
                                  packet): "DSBS AFTER_PACKETS"

Blocks are built from the pcapng specification (draft-ietf-opsawg-pcapng:
block type, total length, body padded to 32 bits, total length again; a
DSB's body is secrets type 0x544c534b "TLSK", secrets length, secrets),
never by tlsdiag.
"""
import struct
import sys
import time

PACKETS = (2, 3, 6)  # PB, SPB, EPB


def pieces(data):
    """(kind, bytes) of each record/block: kind 'packet', 'dsb' or 'other'."""
    magic = data[:4]
    if magic == b'\x0a\x0d\x0d\x0a':
        off, e = 0, '<'
        while off + 12 <= len(data):
            t = struct.unpack_from(e + 'I', data, off)[0]
            if t == 0x0A0D0D0A:
                e = '<' if data[off + 8:off + 12] == b'\x4d\x3c\x2b\x1a' else '>'
            n = struct.unpack_from(e + 'I', data, off + 4)[0]
            kind = 'packet' if t in PACKETS else 'dsb' if t == 0x0A else 'other'
            yield kind, data[off:off + n], e
            off += n
        return
    e = '<' if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    yield 'other', data[:24], e
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack_from(e + 'I', data, off + 8)[0]
        yield 'packet', data[off:off + 16 + incl], e
        off += 16 + incl


def dsb(text, e):
    pad = (4 - len(text) % 4) % 4
    total = 20 + len(text) + pad
    return (struct.pack(e + 'IIII', 0x0A, total, 0x544C534B, len(text)) + text +
            b'\0' * pad + struct.pack(e + 'I', total))


def main(argv):
    cmd = argv[1]
    data = open(argv[2], 'rb').read()
    if cmd == 'splice':
        text, out, after = open(argv[3], 'rb').read(), argv[4], int(argv[5])
        res, n, done = [], 0, False
        for kind, b, e in pieces(data):
            if kind == 'packet' and n == after and not done:
                res.append(dsb(text, e))
                done = True
            res.append(b)
            n += kind == 'packet'
        if not done:
            res.append(dsb(text, e))
        open(out, 'wb').write(b''.join(res))
    elif cmd == 'slow':
        after, secs = int(argv[3]), float(argv[4])
        n = 0
        for kind, b, _ in pieces(data):
            sys.stdout.buffer.write(b)
            sys.stdout.buffer.flush()
            n += kind == 'packet'
            if kind == 'packet' and n == after:
                time.sleep(secs)
    elif cmd == 'count':
        seen_packet, dsbs, after = False, 0, 0
        for kind, _, _ in pieces(data):
            if kind == 'dsb':
                dsbs += 1
                after += seen_packet
            seen_packet |= kind == 'packet'
        print(dsbs, after)
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main(sys.argv)
