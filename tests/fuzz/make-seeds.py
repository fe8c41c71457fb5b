#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Build the seed corpora of the fuzz harnesses (tests/fuzz/fuzz_*.c).

    make-seeds.py --srcdir TOP_SRCDIR --out DIR [--extra CAPTURE_DIR]...

writes DIR/capture, DIR/tls, DIR/x509, DIR/keylog, DIR/decrypt, DIR/app,
DIR/decomp and DIR/quic, one file per seed, from the project's own material:
captures/*.pcap and *.keylog, the lab PKI in captures/lab,
tests/unit/data/*.der and the compressed chains tests/unit/data/certcomp_*.  --extra
adds the captures (*.pcap, *.pcapng, *.cap, *.gz) and key logs of another
directory, e.g. ../shared/corpus; the seeds stay in DIR (a build
directory), never in the source tree.  Each seed's layout is the one its
harness documents at its top.  Python 3 standard library only.
"""

import argparse
import base64
import gzip
import hashlib
import os
import struct
import sys
import zlib

# ---- captures: pcap and pcapng frames -------------------------------------


def read_frames(data):
    """(linktype, frame bytes) for every packet of a pcap or pcapng file."""
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            return []
    if len(data) < 24:
        return []
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    elif magic == b"\x0a\x0d\x0d\x0a":
        return read_pcapng(data)
    else:
        return []
    link = struct.unpack(end + "I", data[20:24])[0] & 0x0FFFFFFF
    out, off = [], 24
    while off + 16 <= len(data):
        caplen = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        off += 16
        if caplen > len(data) - off:
            break
        out.append((link, data[off:off + caplen]))
        off += caplen
    return out


def read_pcapng(data):
    out, links, off, end = [], [], 0, "<"
    while off + 12 <= len(data):
        btype = struct.unpack(end + "I", data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            bom = data[off + 8:off + 12]
            end = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            links = []
        blen = struct.unpack(end + "I", data[off + 4:off + 8])[0]
        if blen < 12 or blen > len(data) - off:
            break
        body = data[off + 8:off + blen - 4]
        if btype == 1 and len(body) >= 2:
            links.append(struct.unpack(end + "H", body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            iface, _, _, caplen, _ = struct.unpack(end + "IIIII", body[:20])
            if iface < len(links):
                out.append((links[iface], body[20:20 + caplen]))
        elif btype == 3 and len(body) >= 4 and links:
            out.append((links[0], body[4:]))
        off += blen
    return out


def ip_of(link, f):
    """The IP packet inside a frame, or None."""
    if link == 1:  # Ethernet, with 802.1Q/802.1ad tags
        off, et = 12, None
        while off + 2 <= len(f):
            et = struct.unpack(">H", f[off:off + 2])[0]
            off += 2
            if et in (0x8100, 0x88A8, 0x9100):
                off += 2
                continue
            break
        return f[off:] if et in (0x0800, 0x86DD) else None
    if link == 113:  # Linux cooked v1
        return f[16:] if len(f) > 16 and f[14:16] in (b"\x08\x00", b"\x86\xdd") else None
    if link == 276:  # Linux cooked v2
        return f[20:] if len(f) > 20 and f[0:2] in (b"\x08\x00", b"\x86\xdd") else None
    if link in (0, 108):  # BSD loopback
        return f[4:]
    if link in (101, 12, 14, 228, 229):
        return f
    return None


def tcp_of(ip):
    """(src, dst, sport, dport, seq, flags, payload) or None."""
    if len(ip) < 20:
        return None
    v = ip[0] >> 4
    if v == 4:
        ihl = (ip[0] & 15) * 4
        total = struct.unpack(">H", ip[2:4])[0]
        if ip[9] != 6 or struct.unpack(">H", ip[6:8])[0] & 0x1FFF:
            return None
        src, dst, seg = ip[12:16], ip[16:20], ip[ihl:total if total >= ihl else len(ip)]
    elif v == 6 and len(ip) >= 40:
        nxt, off = ip[6], 40
        while nxt in (0, 43, 60) and off + 8 <= len(ip):
            nxt, off = ip[off], off + (ip[off + 1] + 1) * 8
        if nxt != 6:
            return None
        plen = struct.unpack(">H", ip[4:6])[0]
        src, dst, seg = ip[8:24], ip[24:40], ip[off:40 + plen if plen else len(ip)]
    else:
        return None
    if len(seg) < 20:
        return None
    sport, dport, seq = struct.unpack(">HHI", seg[:8])
    doff = (seg[12] >> 4) * 4
    return src, dst, sport, dport, seq, seg[13], seg[doff:]


def udp_of(ip):
    """The payload of an unfragmented IPv4 or IPv6 UDP datagram, or None."""
    if len(ip) < 20:
        return None
    v = ip[0] >> 4
    if v == 4:
        ihl = (ip[0] & 15) * 4
        if ip[9] != 17 or struct.unpack(">H", ip[6:8])[0] & 0x1FFF:
            return None
        seg = ip[ihl:]
    elif v == 6 and len(ip) >= 40 and ip[6] == 17:
        seg = ip[40:]
    else:
        return None
    return seg[8:] if len(seg) >= 8 else None


def quic_payload_seeds():
    """Frames as a decrypted payload would hold them (fuzz_quic.c, mode 0):
    CRYPTO frames out of order and overlapping, PADDING, PING, ACK,
    HANDSHAKE_DONE and both CONNECTION_CLOSE kinds."""
    def vi(n):  # a QUIC variable-length integer (RFC 9000 16)
        if n < 64:
            return bytes([n])
        if n < 16384:
            return struct.pack(">H", 0x4000 | n)
        return struct.pack(">I", 0x80000000 | n)
    hello = b"\x01\x00\x00\x40" + bytes(range(64))
    crypto = lambda off, b: b"\x06" + vi(off) + vi(len(b)) + b
    return {
        "crypto-reordered": b"\x00" + crypto(20, hello[20:]) + crypto(0, hello[:30]),
        "crypto-dup": b"\x00" + crypto(0, hello) + crypto(0, hello) + b"\x00" * 8,
        "ack-ping-done": b"\x00" + b"\x02" + vi(5) + vi(0) + vi(0) + vi(5) + b"\x01\x1e",
        "close-crypto": b"\x00" + b"\x1c" + vi(0x12e) + vi(6) + vi(4) + b"nope",
        "close-app": b"\x00" + b"\x1d" + vi(0x100) + vi(0),
    }


def flows(frames):
    """Per TCP connection: (server port, SYN seen, FIN seen, [(dir, bytes or gap int)])."""
    conns, order = {}, []
    for link, f in frames:
        ip = ip_of(link, f)
        t = tcp_of(ip) if ip else None
        if not t:
            continue
        src, dst, sport, dport, seq, flags, payload = t
        key = tuple(sorted([(src, sport), (dst, dport)]))
        c = conns.get(key)
        if c is None:
            client = (src, sport) if (flags & 0x12) == 0x02 or sport > dport else (dst, dport)
            c = {"client": client, "next": {}, "chunks": [], "syn": False, "fin": False,
                 "sport": dport if client == (src, sport) else sport}
            conns[key] = c
            order.append(key)
        d = 0 if (src, sport) == c["client"] else 1
        if flags & 0x02:
            c["syn"] = True
            c["next"][d] = (seq + 1) & 0xFFFFFFFF
            continue
        if flags & 0x01:
            c["fin"] = True
        if not payload:
            continue
        nxt = c["next"].get(d)
        if nxt is None:
            nxt = seq
        delta = (seq - nxt) & 0xFFFFFFFF
        if delta >= 0x80000000:  # retransmitted bytes: keep only the new ones
            skip = (nxt - seq) & 0xFFFFFFFF
            if skip >= len(payload):
                continue
            payload, seq = payload[skip:], nxt
        elif delta:
            c["chunks"].append((d, delta))  # bytes never captured
        c["chunks"].append((d, payload))
        c["next"][d] = (seq + len(payload)) & 0xFFFFFFFF
    return [conns[k] for k in order]


PORTS = {443: 0, 8443: 1, 8080: 2, 25: 3}


def tls_seed(conn):
    """A fuzz_tls input for one connection."""
    o0 = 0x00 | (0x10 if conn["syn"] else 0) | (0x20 if conn["fin"] else 0)
    o1 = PORTS.get(conn["sport"], 1)
    out = bytearray([o0, o1])
    for d, b in conn["chunks"]:
        if isinstance(b, int):
            while b > 0:
                n = min(b, 0xFFFF)
                out += bytes([(d << 7) | 0x40]) + struct.pack(">H", n)
                b -= n
            continue
        for i in range(0, len(b), 0xFFFF):
            part = b[i:i + 0xFFFF]
            out += bytes([(d << 7) | 1]) + struct.pack(">H", len(part)) + part
    return bytes(out)


# ---- certificates ------------------------------------------------------------


def pem_certs(text):
    out, cur = [], None
    for line in text.splitlines():
        if line.startswith("-----BEGIN CERTIFICATE-----"):
            cur = []
        elif line.startswith("-----END CERTIFICATE-----") and cur is not None:
            out.append(base64.b64decode("".join(cur)))
            cur = None
        elif cur is not None:
            cur.append(line.strip())
    return out


def der_tlv(b, off):
    """(tag, header length, content length) of the DER element at off."""
    tag, l0 = b[off], b[off + 1]
    if l0 < 0x80:
        return tag, 2, l0
    n = l0 & 0x7F
    return tag, 2 + n, int.from_bytes(b[off + 2:off + 2 + n], "big")


def cert_names(der):
    """The issuer and subject Name DER of a certificate."""
    try:
        _, h, _ = der_tlv(der, 0)
        _, th, tl = der_tlv(der, h)
        off, end, items = h + th, h + th + tl, []
        while off < end:
            tag, hh, ll = der_tlv(der, off)
            items.append((tag, der[off:off + hh + ll]))
            off += hh + ll
        if items and items[0][0] == 0xA0:
            items = items[1:]
        return [items[2][1], items[4][1]]
    except (IndexError, ValueError):
        return []


# ---- TLS 1.3 messages for fuzz_decrypt --------------------------------------


def u8(n):
    return bytes([n])


def u16(n):
    return struct.pack(">H", n)


def u24(n):
    return struct.pack(">I", n)[1:]


def hs(t, body):
    return u8(t) + u24(len(body)) + body


def ext(t, body):
    return u16(t) + u16(len(body)) + body


def encrypted_extensions(alpn=b"h2"):
    e = ext(16, u16(len(alpn) + 1) + u8(len(alpn)) + alpn) if alpn else b""
    e += ext(0, b"")  # server_name acknowledged
    return hs(8, u16(len(e)) + e)


def certificate13(certs, context=b""):
    lst = b"".join(u24(len(c)) + c + u16(0) for c in certs)
    return hs(11, u8(len(context)) + context + u24(len(lst)) + lst)


def cert_request13(names):
    sig = u16(6) + u16(0x0804) + u16(0x0403) + u16(0x0401)
    e = ext(13, sig)
    if names:
        lst = b"".join(u16(len(n)) + n for n in names)
        e += ext(47, u16(len(lst)) + lst)
    return hs(13, u8(0) + u16(len(e)) + e)


def cert_verify(scheme=0x0804, n=256):
    return hs(15, u16(scheme) + u16(n) + bytes((i * 7) & 0xFF for i in range(n)))


def finished(n=32):
    return hs(20, bytes(range(0x20, 0x20 + n)))


def new_session_ticket():
    return hs(4, struct.pack(">II", 7200, 0x01020304) + u8(8) + b"nonce123" + u16(32) +
              bytes(32) + u16(0))


def rec(d, epoch, ctype, data, pad=0):
    """One TLS 1.3 fuzz_decrypt record: direction (0 client, 1 server), epoch (0 hs, 1 app)."""
    return u8((d << 7) | (epoch << 6) | (pad & 15)) + u8(ctype) + u16(len(data)) + data


def raw(d, data):
    return u8((d << 7) | 0x20) + u16(len(data)) + data


def rec12(d, enc, ctype, data):
    """One TLS <= 1.2 fuzz_decrypt record: encrypted (after a CCS) or clear."""
    return u8((d << 7) | (0x40 if enc else 0)) + u8(ctype) + u16(len(data)) + data


def certificate12(certs):
    lst = b"".join(u24(len(c)) + c for c in certs)
    return hs(11, u24(len(lst)) + lst)


def server_key_exchange():
    return hs(12, u8(3) + u16(0x001D) + u8(32) + bytes(range(32)) + u16(0x0804) + u16(256) +
              bytes((i * 5) & 0xFF for i in range(256)))


def cert_request12(names):
    lst = b"".join(u16(len(n)) + n for n in names)
    return hs(13, u8(2) + b"\x01\x40" + u16(4) + u16(0x0804) + u16(0x0401) + u16(len(lst)) + lst)


def client_key_exchange():
    return hs(16, u8(32) + bytes(range(32, 64)))


# fuzz_decrypt's first byte: bit 0 engine, bit 1 TLS <= 1.2, bits 2-5 suite, bits 6-7 version.
def mode(engine, tls12, suite, version=0):
    return bytes([(1 if engine else 0) | (2 if tls12 else 0) | (suite << 2) | (version << 6)])


TLS12_SUITES = ["c02f", "c030", "cca8", "c013", "c027", "c028", "c0ac", "c0ae", "002f", "0035",
                "009c", "c0ad"]
TLS12_CBC_SHA1 = [3, 8, 9]


# RFC 8879 CertificateCompressionAlgorithm and the lab chain compressed by
# each tool (tests/unit/data/gen-certcomp.sh); zlib is also made here.
CERTCOMP = ((1, "certcomp_chain.zlib"), (2, "certcomp_chain.br"), (3, "certcomp_chain.zst"))


def compressed_certificate(alg, declared, stream):
    """A CompressedCertificate body: algorithm, uncompressed_length, stream."""
    return u16(alg) + u24(declared) + u24(len(stream)) + stream


def certcomp_streams(top):
    """(algorithm, uncompressed body, stream) for each fixture that is there."""
    data = os.path.join(top, "tests", "unit", "data")
    try:
        body = open(os.path.join(data, "certcomp_chain.bin"), "rb").read()
    except OSError:
        return []
    out = []
    for alg, fn in CERTCOMP:
        try:
            out.append((alg, body, open(os.path.join(data, fn), "rb").read()))
        except OSError:
            pass
    return out


def decomp_seeds(top):
    seeds = {}
    for alg, body, stream in certcomp_streams(top):
        seeds["chain-%d" % alg] = compressed_certificate(alg, len(body), stream)
        seeds["chain-%d-short" % alg] = compressed_certificate(alg, len(body) - 1, stream)
        seeds["chain-%d-long" % alg] = compressed_certificate(alg, len(body) + 9, stream)
        seeds["chain-%d-cut" % alg] = compressed_certificate(alg, len(body), stream[:len(stream) // 2])
        seeds["chain-%d-over-cap" % alg] = compressed_certificate(alg, 0xFFFFFF, stream)
    seeds["zlib-zeros"] = compressed_certificate(1, 4096, zlib.compress(bytes(4096), 9))
    data = os.path.join(top, "tests", "unit", "data")
    for alg, fn in ((1, "certcomp_bomb.zlib"), (2, "certcomp_bomb.br"), (3, "certcomp_bomb.zst")):
        try:
            stream = open(os.path.join(data, fn), "rb").read()
        except OSError:
            continue
        seeds["bomb-%d" % alg] = compressed_certificate(alg, 262144, stream)
    return seeds


def decrypt_seeds(lab, top):
    def cert(name):
        p = os.path.join(lab, name)
        return pem_certs(open(p).read())[0] if os.path.exists(p) else b"\x30\x03\x02\x01\x00"

    server, inter, client = cert("server.crt"), cert("intermediateCA.crt"), cert("client.crt")
    names = cert_names(cert("clientCA.crt"))[1:] + cert_names(cert("rootCA.crt"))[1:]
    seeds = {}
    # TLS 1.3 through the engine; opts 0x04: ChangeCipherSpec records.
    for suite in range(5):
        hl = 48 if suite == 1 else 32
        head = mode(True, False, suite) + u8(0x04)
        # mTLS that works, one message per record.
        s = head
        for m in (encrypted_extensions(), cert_request13(names), certificate13([server, inter]),
                  cert_verify(), finished(hl)):
            s += rec(1, 0, 22, m)
        for m in (certificate13([client]), cert_verify(0x0403, 72), finished(hl)):
            s += rec(0, 0, 22, m)
        s += rec(1, 1, 22, new_session_ticket()) + rec(0, 1, 23, b"GET / HTTP/1.1\r\n\r\n", 5)
        s += rec(1, 1, 23, b"HTTP/1.1 200 OK\r\n\r\n") + rec(0, 1, 21, b"\x01\x00")
        seeds["tls13-mtls-ok-%d" % suite] = s
        # The whole server flight in one record; the client sends no certificate.
        flight = (encrypted_extensions(b"http/1.1") + cert_request13(names) +
                  certificate13([server, inter]) + cert_verify() + finished(hl))
        s = head + rec(1, 0, 22, flight) + rec(0, 0, 22, certificate13([]) + finished(hl))
        s += rec(1, 1, 21, b"\x02\x74")  # certificate_required
        seeds["tls13-no-client-cert-%d" % suite] = s
        # The client rejects the server's certificate; the flight split over records.
        flight = encrypted_extensions(None) + certificate13([server]) + cert_verify() + finished(hl)
        s = head + rec(1, 0, 22, flight[:300]) + rec(1, 0, 22, flight[300:], 3)
        s += rec(0, 0, 21, b"\x02\x30")  # unknown_ca
        seeds["tls13-client-rejects-%d" % suite] = s
    # The server's chain as a CompressedCertificate (RFC 8879), one per algorithm.
    for alg, body, stream in certcomp_streams(top):
        s = mode(True, False, 0) + u8(0x04)
        for m in (encrypted_extensions(), hs(25, compressed_certificate(alg, len(body), stream)),
                  cert_verify(), finished(32)):
            s += rec(1, 0, 22, m)
        s += rec(0, 0, 22, finished(32)) + rec(0, 1, 21, b"\x02\x30")  # unknown_ca
        seeds["tls13-compressed-cert-%d" % alg] = s
    # Keys that do not match, clear alerts, garbage after the hellos.
    seeds["tls13-wrong-epoch"] = (mode(True, False, 0) + u8(0) + rec(1, 1, 22, encrypted_extensions()) +
                                  raw(0, b"\x15\x03\x03\x00\x02\x02\x28"))
    seeds["tls13-raw-garbage"] = mode(True, False, 0) + u8(0x08) + raw(1, b"\x17\x03\x03\x00\x20" + bytes(32))
    # TLS 1.3, single records, sealed and raw, every suite.
    for suite in range(5):
        hl = 48 if suite == 1 else 32
        secret = bytes(range(hl))
        seeds["tls13-record-sealed-%d" % suite] = (mode(False, False, suite) + secret +
                                                   bytes([0x03 | (3 << 2)]) + bytes([22, 4]) + finished(hl))
        seeds["tls13-record-raw-%d" % suite] = (mode(False, False, suite) + secret + bytes([0x02]) +
                                                bytes(range(40)))
    seeds["tls13-record-zeros"] = (mode(False, False, 0) + bytes(32) + bytes([0x01]) +
                                   b"\x17\x03\x03\x00\x14" + bytes([0, 3]))

    # TLS <= 1.2 through the engine.
    def tls12_conn(suite, version, opts, client_cert=True, fail=False):
        s = mode(True, True, suite, version) + u8(opts)
        s += rec12(1, False, 22, certificate12([server, inter]) + server_key_exchange() +
                   cert_request12(names) + hs(14, b""))
        if fail:
            s += rec12(0, False, 22, certificate12([]) + client_key_exchange())
            s += rec12(0, True, 22, hs(20, bytes(12)))
            return s + rec12(1, False, 21, b"\x02\x28")  # handshake_failure, in clear
        s += rec12(0, False, 22, certificate12([client] if client_cert else []) +
                   client_key_exchange() + (cert_verify(0x0804, 256) if client_cert else b""))
        s += rec12(0, True, 22, hs(20, bytes(range(12))))
        s += rec12(1, False, 22, hs(4, struct.pack(">I", 300) + u16(16) + bytes(16)))
        s += rec12(1, True, 22, hs(20, bytes(range(12, 24))))
        s += rec12(0, True, 23, b"GET / HTTP/1.1\r\n\r\n") + rec12(1, True, 23, b"HTTP/1.1 200 OK\r\n\r\n")
        return s + rec12(0, True, 21, b"\x01\x00")

    for i, name in enumerate(TLS12_SUITES):
        seeds["tls12-mtls-ok-%s" % name] = tls12_conn(i, 0, 0x02)
    for i in (3, 4, 5, 8):
        seeds["tls12-etm-%s" % TLS12_SUITES[i]] = tls12_conn(i, 0, 0x03, client_cert=False)
    for i in TLS12_CBC_SHA1:
        seeds["tls10-%s" % TLS12_SUITES[i]] = tls12_conn(i, 2, 0x00)
        seeds["tls11-%s" % TLS12_SUITES[i]] = tls12_conn(i, 1, 0x01)
        seeds["ssl3-%s" % TLS12_SUITES[i]] = tls12_conn(i, 3, 0x00)
    seeds["tls12-server-rejects"] = tls12_conn(0, 0, 0x00, fail=True)
    # TLS <= 1.2, single records: suite id(2) master(48) flags [header] type content.
    master = bytes(range(100, 148))

    def record12(suite, version, flags, ctype, content):
        return mode(False, True, 0, version) + bytes.fromhex(suite) + master + bytes([flags]) + u8(ctype) + content

    for name in TLS12_SUITES:
        for seq in (0, 5):
            seeds["tls12-record-%s-%d" % (name, seq)] = record12(name, 0, 0x03 | seq << 4, 23, b"hello, world")
        seeds["tls12-record-empty-%s" % name] = record12(name, 0, 0x03, 23, b"")
        seeds["tls12-record-raw-%s" % name] = record12(name, 0, 0x02, 23, bytes(range(64)))
    for i in (3, 4, 5, 8, 9):
        name = TLS12_SUITES[i]
        seeds["tls12-record-etm-%s" % name] = record12(name, 0, 0x07, 22, b"\x14\x00\x00\x0c" + bytes(12))
        padded = b"A" * 20 + bytes([11] * 12)
        seeds["tls12-record-etm-raw-%s" % name] = record12(name, 0, 0x0F, 23, padded)
        seeds["tls12-record-mte-raw-%s" % name] = record12(name, 0, 0x0B, 23, padded)
    for i in TLS12_CBC_SHA1:
        for v, vname in ((1, "tls11"), (2, "tls10"), (3, "ssl3")):
            seeds["%s-record-%s" % (vname, TLS12_SUITES[i])] = record12(TLS12_SUITES[i], v, 0x03 | 2 << 4, 23, b"x" * 40)
    # Suites the harness cannot seal (Camellia, 3DES, DES, RC4, export): raw bodies.
    for name in ("0041", "000a", "0009", "0005", "0004", "0003", "0084", "c012", "0013"):
        for v in (0, 2, 3):
            seeds["raw-%d-%s" % (v, name)] = record12(name, v, 0x02, 23, bytes(range(48)))
            seeds["raw-hdr-%d-%s" % (v, name)] = record12(name, v, 0x00, 23, b"\x17\x03\x01\x00\x30" + bytes(48))
    return seeds


# ---- key logs -------------------------------------------------------------------

KEYLOG_EDGES = [
    b"# comment\n\n   \nCLIENT_RANDOM " + b"ab" * 32 + b" " + b"cd" * 48 + b"\r\n",
    b"CLIENT_HANDSHAKE_TRAFFIC_SECRET\t" + b"01" * 32 + b"  " + b"02" * 48 + b" \n"
    b"SERVER_HANDSHAKE_TRAFFIC_SECRET " + b"01" * 32 + b" " + b"03" * 32,
    b"RSA 0011 2233\nCLIENT_RANDOM " + b"zz" * 32 + b" " + b"00" * 48 + b"\nCLIENT_RANDOM x\n",
    b"CLIENT_TRAFFIC_SECRET_0 " + b"AA" * 32 + b" " + b"bb" * 64 + b"\n" + b"X" * 600 + b"\n",
    b"CLIENT_TRAFFIC_SECRET_0 " + b"AA" * 32 + b" " + b"bb" * 31 + b"\n\x00\n",
]


def app_seed(client, server, mode=2, piece=16):
    """fuzz_app's input: mode, piece - 1, the client's length, both directions."""
    return bytes([mode, piece - 1]) + len(client).to_bytes(2, "big") + client + server


def h2_frame(ftype, flags, stream, payload):
    return len(payload).to_bytes(3, "big") + bytes([ftype, flags]) + stream.to_bytes(4, "big") + payload


def pg_msg(t, body):
    return t + (len(body) + 4).to_bytes(4, "big") + body


def app_seeds():
    """Application messages for fuzz_app: what the real-server lab shows."""
    get = b"GET /secure/index.txt HTTP/1.1\r\nHost: tls-server.local:9443\r\nUser-Agent: curl/7.88.1\r\n\r\n"
    page = (b"<html>\r\n<head><title>400 No required SSL certificate was sent</title></head>\r\n"
            b"<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n</body>\r\n</html>\r\n")
    resp = (b"HTTP/1.1 400 Bad Request\r\nServer: nginx/1.22.1\r\nContent-Type: text/html\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(page)) + page
    startup = b"\x00\x03\x00\x00user\x00postgres\x00database\x00postgres\x00\x00"
    startup = (len(startup) + 4).to_bytes(4, "big") + startup
    err = pg_msg(b"E", b"SFATAL\x00VFATAL\x00C28000\x00Mconnection requires a valid client "
                 b"certificate\x00Fauth.c\x00L354\x00Rauth_failed\x00\x00")
    preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"\x00\x03\x00\x00\x00\x64")
    server = (h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x48\x03403\x5f\x8b\x1d\x75") +
              h2_frame(0, 1, 1, b"x" * 40) + h2_frame(3, 0, 1, b"\x00\x00\x00\x08") +
              h2_frame(7, 0, 0, b"\x00\x00\x00\x01\x00\x00\x00\x0bcalm down"))
    return {
        "http1": app_seed(get, resp),
        "http1-pieces": app_seed(get, resp, mode=3, piece=3),
        "pgsql": app_seed(startup, pg_msg(b"R", b"\x00\x00\x00\x00") + err),
        "http2": app_seed(preface, server, piece=7),
        "server-first": app_seed(b"", resp, mode=1),
        # After STARTTLS (mode bits 2-5: enum td_starttls_proto): the
        # transcripts of tests/unit/test_app_stls.c.
        "stls-smtp": app_seed(b"EHLO bar.com\r\nAUTH EXTERNAL =\r\nDATA\r\nbody\r\n",
                              b"250-foo.com greets bar.com\r\n250 HELP\r\n"
                              b"554-5.7.1 Client certificate required\r\n554 5.7.1 Bye\r\n",
                              mode=2 | 1 << 2, piece=5),
        "stls-imap": app_seed(b"a1 LOGIN {4}\r\nfred {3}\r\nfoo\r\n",
                              b"* CAPABILITY IMAP4rev2\r\n* 1 FETCH (BODY[] {9}\r\na NO x\r\n)\r\n"
                              b"a1 NO [AUTHENTICATIONFAILED] Authentication failed\r\n"
                              b"* BYE Autologout\r\n", mode=2 | 2 << 2, piece=3),
        "stls-pop3": app_seed(b"USER mrose\r\nPASS secret\r\n",
                              b"+OK\r\n-ERR [AUTH] invalid password\r\n", mode=2 | 3 << 2),
        "stls-ftp": app_seed(b"PBSZ 0\r\nPROT P\r\n",
                             b"123-First line\r\nSecond line\r\n123 The last line\r\n"
                             b"534 Request denied for policy reasons.\r\n", mode=2 | 4 << 2),
        "stls-ldap": app_seed(b"\x30\x16\x02\x01\x01\x60\x11\x02\x01\x03\x04\x00\xa3\x0a\x04\x08EXTERNAL",
                              b"\x30\x0c\x02\x01\x02\x65\x07\x0a\x01\x20\x04\x00\x04\x00"
                              b"\x30\x10\x02\x01\x01\x61\x0b\x0a\x01\x08\x04\x00\x04\x04cert",
                              mode=2 | 5 << 2, piece=2),
        "stls-mysql": app_seed(b"\x26\x00\x00\x02\x85\xae\xff\x19\x00\x00\x00\x01\x21" + b"\x00" * 23
                               + b"app\x00\x00\x00",
                               b"\x17\x00\x00\x03\xff\x48\x04#HY000No tables used",
                               mode=2 | 8 << 2),
        # captures/real/starttls-xmpp-sasl-not-authorized, decrypted (prosody 0.12)
        "stls-xmpp": app_seed(b"<stream:stream to='tls-server.local' xmlns='jabber:client' "
                              b"xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"
                              b"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>"
                              b"AGxhYgB3cm9uZw==</auth>",
                              b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' version='1.0' "
                              b"from='tls-server.local'><stream:features><mechanisms "
                              b"xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1"
                              b"</mechanism><mechanism>PLAIN</mechanism></mechanisms></stream:features>"
                              b"<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/>"
                              b"<text>Unable to authorize you with the authentication credentials "
                              b"you&apos;ve sent.</text></failure>", mode=2 | 6 << 2, piece=5),
    }


def starttls_seeds():
    """Two-direction plaintext preambles (fuzz_starttls.c): a port byte,
    then (direction, length, bytes) chunks; the transcripts of
    tests/unit/test_starttls.c (RFC 3207, 9051, 2595, 4217, 4511, 6120,
    PostgreSQL 55.2.10, MySQL SSLRequest)."""
    C, S = 0, 1
    ch, sh = b"\x16\x03\x01\x00\x05hello", b"\x16\x03\x03\x00\x02ok"

    def enc(port, msgs):
        out = bytes([port])
        for d, b in msgs:
            for k in range(0, len(b), 255):
                part = b[k:k + 255]
                out += bytes([d, len(part)]) + part
        return out
    pg = b"\x00\x00\x00\x08\x04\xd2\x16\x2f"
    ldap_req = b"\x30\x1d\x02\x01\x01\x77\x18\x80\x16" + b"1.3.6.1.4.1.1466.20037"
    my_greet = (b"\x2c\x00\x00\x00\x0a5.5.5-10.11.6-MariaDB\x00\x01\x00\x00\x00abcdefgh\x00"
                b"\xfe\xff\x21\x02\x00\xff\x81\x15")
    my_ssl = b"\x20\x00\x00\x01\x05\xae\xff\x01\x00\x00\x00\x01\x21" + b"\x00" * 23
    return {
        "smtp-ok": enc(0, [(S, b"220 mail.example.com ESMTP\r\n"), (C, b"EHLO c.example\r\n"),
                           (S, b"250-mail.example.com\r\n250 STARTTLS\r\n"), (C, b"STARTTLS\r\n"),
                           (S, b"220 2.0.0 Ready to start TLS\r\n"), (C, ch), (S, sh)]),
        "smtp-refused": enc(0, [(S, b"220 mail.example.com ESMTP\r\n"), (C, b"EHLO c.example\r\n"),
                                (S, b"250 STARTTLS\r\n"), (C, b"STARTTLS\r\n"),
                                (S, b"454 4.7.0 TLS not available\r\n"),
                                (C, b"MAIL FROM:<a@example.org>\r\n")]),
        "imap-ok": enc(2, [(S, b"* OK [CAPABILITY IMAP4rev2 STARTTLS] ready\r\n"),
                           (C, b"a1 STARTTLS\r\n"), (S, b"a1 OK go\r\n"), (C, ch)]),
        "pop3-ok": enc(3, [(S, b"+OK ready\r\n"), (C, b"CAPA\r\n"), (S, b"+OK\r\nSTLS\r\n.\r\n"),
                           (C, b"STLS\r\n"), (S, b"+OK go\r\n"), (C, ch)]),
        "ftp-ok": enc(1, [(S, b"220 ready\r\n"), (C, b"AUTH TLS\r\n"), (S, b"234 go\r\n"), (C, ch)]),
        "ldap-ok": enc(4, [(C, ldap_req), (S, b"\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x00\x04\x00\x04\x00"),
                           (C, ch)]),
        "xmpp-ok": enc(5, [(C, b"<?xml version='1.0'?><stream:stream to='im.example.com' version='1.0'>"),
                           (S, b"<stream:stream from='im.example.com'><stream:features><starttls "
                               b"xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>"),
                           (C, b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
                           (S, b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"), (C, ch)]),
        "pg-ok": enc(6, [(C, pg), (S, b"S"), (C, ch), (S, sh)]),
        "pg-refused": enc(6, [(C, pg), (S, b"N"), (C, b"\x00\x00\x00\x12\x00\x03\x00\x00user\x00bob\x00\x00")]),
        "mysql-ok": enc(7, [(S, my_greet), (C, my_ssl), (C, ch), (S, sh)]),
        "junk": enc(8, [(C | 2, b"GET / HTTP/1.1\r\n\r\n"), (S, b"\x00\xff\x30\x84")]),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--srcdir", default=".")
    ap.add_argument("--out", required=True)
    ap.add_argument("--extra", action="append", default=[])
    ap.add_argument("--max-size", type=int, default=262144,
                    help="captures larger than this are not used as capture seeds")
    a = ap.parse_args()
    top = a.srcdir
    out = {h: os.path.join(a.out, h) for h in ("capture", "tls", "x509", "keylog", "decrypt", "app", "decomp", "quic",
                                      "starttls", "pcapng")}
    for d in out.values():
        os.makedirs(d, exist_ok=True)
    counts = dict.fromkeys(out, 0)

    def put(h, name, data):
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
        with open(os.path.join(out[h], safe), "wb") as f:
            f.write(data)
        counts[h] += 1

    caps, keylogs = [], []
    for d in [os.path.join(top, "captures")] + a.extra:
        for root, _, files in os.walk(d):
            for fn in sorted(files):
                p = os.path.join(root, fn)
                tag = os.path.relpath(p, d).replace(os.sep, "_")
                if fn.endswith((".pcap", ".pcapng", ".cap", ".gz")):
                    caps.append((tag, p))
                elif fn.endswith(".keylog") or fn.endswith("keylog.txt"):
                    keylogs.append((tag, p))
    for tag, p in caps:
        data = open(p, "rb").read()
        if len(data) <= a.max_size:
            put("capture", tag, data)
            if data[:4] == b"\x0a\x0d\x0d\x0a":
                put("pcapng", tag, bytes([len(data) % 64]) + data)
        frames = read_frames(data)
        q = 0
        for link, f in frames:
            ip = ip_of(link, f)
            u = udp_of(ip) if ip else None
            if u and q < 8 and (u[:1] and (u[0] & 0x80 or q < 4)):
                put("quic", "%s.%d" % (tag, q), b"\x01" + u)
                q += 1
        n = 0
        for i, c in enumerate(flows(frames)):
            if not any(isinstance(b, bytes) for _, b in c["chunks"]):
                continue
            s = tls_seed(c)
            if len(s) > 131072 or n >= 16:
                continue
            put("tls", "%s.%d" % (tag, i), s)
            n += 1

    for tag, p in keylogs:
        text = open(p, "rb").read()[:16000]
        if not text:
            continue
        put("keylog", tag + ".whole", b"\x00\x00" + text)
        put("keylog", tag + ".pieces", b"\x01\x10" + text)
    for i, t in enumerate(KEYLOG_EDGES):
        put("keylog", "edge-%d" % i, bytes([i % 4, 7]) + t)

    lab = os.path.join(top, "captures", "lab")
    certs = []
    for fn in sorted(os.listdir(lab)) if os.path.isdir(lab) else []:
        if fn.endswith((".crt", ".pem")):
            ders = pem_certs(open(os.path.join(lab, fn)).read())
            for i, der in enumerate(ders):
                put("x509", "%s.%d.der" % (fn, i), der)
                certs.append(der)
                for j, name in enumerate(cert_names(der)):
                    put("x509", "%s.%d.name%d" % (fn, i, j), name)
            if len(ders) > 1:
                put("x509", fn + ".chain", b"".join(ders))
    data = os.path.join(top, "tests", "unit", "data")
    for root, _, files in os.walk(data):
        for fn in sorted(files):
            if fn.endswith(".der"):
                put("x509", "unit_" + fn, open(os.path.join(root, fn), "rb").read())
    if len(certs) >= 3:
        put("x509", "mixed-chain", certs[0] + certs[1] + certs[2])

    for name, s in decrypt_seeds(lab, top).items():
        put("decrypt", name, s)
    for name, s in app_seeds().items():
        put("app", name, s)
    for name, s in decomp_seeds(top).items():
        put("decomp", name, s)
    for name, s in quic_payload_seeds().items():
        put("quic", name, s)
    # STARTTLS: the unit tests' transcripts, committed as regression
    # inputs (tests/fuzz/regress/starttls, written by starttls_seeds()).
    for name, s in starttls_seeds().items():
        put("starttls", name, s)

    print("seeds: " + ", ".join("%s %d" % (h, counts[h]) for h in out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
