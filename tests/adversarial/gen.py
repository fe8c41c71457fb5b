#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile captures for tlsdiag's resource caps (tests/adversarial/adversarial.sh).

    gen.py DIR [--syn-flows N] [--quic-flows N] [--only NAME[,NAME...]]
    gen.py --list | --self-test

writes DIR/NAME.pcap for each capture below: classic pcap (microsecond
timestamps), Ethernet II / IPv4 / TCP or UDP, built with struct alone
(no pip packages, no tools); the QUIC and TLS 1.3 captures are protected
by quicgen.py with Python's cryptography package (Debian's
python3-cryptography), which --self-test checks against RFC 9001
Appendix A.  Everything is deterministic: fixed addresses, fixed
timestamps, random bytes from a seeded generator, so the same gen.py
always writes byte-identical files (adversarial.sh caches them keyed by
this file's hash).  TCP checksums are left 0, as on a capture taken on the
sending host with checksum offload (tlsdiag does not verify them); IPv4
header checksums are correct.

  syn-flood         N SYN-only flows (default 1,000,000), distinct 4-tuples,
                    all to port 443, 1 us apart: --max-flows evicts.
  huge-handshake    a real ClientHello, then a ServerHello followed by a
                    handshake message whose header claims 16 MiB - 1
                    (0xffffff), then 4 MiB of handshake records carrying its
                    "body"; a second flow splits that header across two
                    records (the other path of the message joiner).
  big-chain         a TLS 1.2 Certificate message of ~100 KB: copies of the
                    lab's real certificates (captures/lab/*.crt, PEM decoded
                    here), far more than TD_CAP_CHAIN; a second flow's chain
                    is ~300 KB, over TD_CAP_HS_MESSAGE.
  one-byte-records  a ClientHello sent one byte per handshake record, then
                    1,000,000 more 1-byte handshake records (empty
                    HelloRequest messages, four records each: 250,000
                    messages, past TD_CAP_EVENTS), then the server's
                    ServerHello, then 1,000,000 1-byte application_data
                    records.
  overlap           both directions of a TLS 1.2 handshake sent as
                    overlapping segments, out of order, then conflicting
                    copies of the buffered ranges (garbage), then the head,
                    then "retransmissions" of delivered bytes with other
                    content; 200 such flows.  First copy wins: the handshake
                    decodes from the real bytes.
  never-ends        one TLS 1.2 connection exchanging application data for
                    the whole 10-minute capture without FIN, plus 10,000
                    flows that send a ClientHello in the first 5 minutes and
                    then nothing (the idle timeout ends them).
  ooo-flood         100 TLS flows and 20 cleartext (HTTP) flows; after their
                    first bytes, round robin, each gets 300 KB of segments
                    beyond a 64 KiB hole that is never filled: every flow
                    goes past --flow-buffer (256 KiB) and gives the hole up,
                    and together (120 x 256 KiB buffered at once) they go
                    past a small --max-memory.
  chain-hoard       300 flows that each send a ServerHello and a Certificate
                    message just under TD_CAP_HS_MESSAGE (16 DER-looking
                    blobs of 16 KB), then stay open: what the connection
                    model keeps of them stays in memory to the end.

  stls-endless      an SMTP client and server talking plaintext lines for
                    50 MB (25 MB each way) and never upgrading: the server's
                    EHLO reply (offering STARTTLS) goes on forever with
                    "250-" lines, the pipelining client asks STARTTLS and
                    goes on with NOOPs; TD_CAP_STLS_PREAMBLE stops the
                    reading, the rest is counted (starttls_dropped).
  stls-endless-line the server answers STARTTLS with one line of 20 MB that
                    never ends (no LF): TD_CAP_STLS_LINE keeps its first
                    bytes, the rest is counted.
  stls-many         2000 SMTP flows, each direction sending exactly
                    TD_CAP_STLS_PREAMBLE (16 KiB) of plaintext lines, all
                    open at the end of the capture (no FIN): what each
                    recogniser holds at the cap, times 2000.

  quic-flood        N QUIC connections (default 200,000; adversarial.sh
                    uses 40,000), each one 1200-byte client Initial with a
                    fresh DCID from its own address and port, opened by
                    that DCID's keys: --max-flows evicts.
  quic-crypto-gaps  2000 QUIC connections whose CRYPTO frames leave a hole
                    and put one byte in every 4 KiB of the 64 KiB
                    TD_CAP_QUIC_CRYPTO_AHEAD window, both directions, with
                    frames far past the cap (2^40, 2^62 - 200); and 4 whose
                    1358-byte ClientHello comes as 1-byte frames, last
                    first, each twice.
  cert-bomb         TLS 1.3 over TCP with a key log (cert-bomb.keylog):
                    CompressedCertificate messages declaring 16 MiB - 1
                    (zlib, zstd), or 200 KiB while inflating to 16 MiB
                    (a 16 KB zlib stream, a 518-byte zstd frame), and a
                    control chain that decompresses.

Next to each NAME.pcap, NAME.expect holds "key value" lines: figures the
capture holds by construction (flows, certificates past the cap, bytes in
the holes...), which adversarial.sh compares with the summary.
"""
import base64
import glob
import os
import random
import struct
import sys
import zlib

import quicgen

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.join(HERE, '..', '..', 'captures', 'lab')

T0 = 1700000000  # capture start, seconds since the epoch
ETH = bytes.fromhex('020000000002' '020000000001' '0800')  # dst, src, IPv4

# TCP flags
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

# TLS
CT_CCS, CT_ALERT, CT_HANDSHAKE, CT_APPDATA = 20, 21, 22, 23
HS_CLIENT_HELLO, HS_SERVER_HELLO, HS_CERTIFICATE = 1, 2, 11
HS_SERVER_HELLO_DONE, HS_CLIENT_KEY_EXCHANGE = 14, 16
TLS12 = 0x0303
MSS = 1460


def ip4(a, b, c, d):
    return bytes((a, b, c, d))


def ip_checksum(hdr):
    s = sum(struct.unpack('!10H', hdr))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


class Pcap:
    """A classic pcap file (LINKTYPE_ETHERNET), written in chunks."""

    def __init__(self, path):
        self.f = open(path, 'wb')
        self.f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        self.buf = []
        self.n = 0
        self.ipid = 0

    def frame(self, ts_us, src, dst, sport, dport, seq, ack, flags, payload=b''):
        tcp = struct.pack('!HHIIBBHHH', sport, dport, seq & 0xffffffff, ack & 0xffffffff,
                          5 << 4, flags, 65535, 0, 0)
        self.ip(ts_us, src, dst, 6, tcp, payload)

    def udp(self, ts_us, src, dst, sport, dport, payload):
        """A UDP datagram (checksum 0: none, which IPv4 allows)."""
        self.ip(ts_us, src, dst, 17, struct.pack('!HHHH', sport, dport, 8 + len(payload), 0),
                payload)

    def ip(self, ts_us, src, dst, proto, l4, payload):
        self.ipid = (self.ipid + 1) & 0xffff
        tot = 20 + len(l4) + len(payload)
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, tot, self.ipid, 0x4000, 64, proto, 0, src, dst)
        ip = ip[:10] + struct.pack('!H', ip_checksum(ip)) + ip[12:]
        n = 14 + tot
        self.buf.append(struct.pack('<IIII', ts_us // 1000000, ts_us % 1000000, n, n))
        self.buf.append(ETH)
        self.buf.append(ip)
        self.buf.append(l4)
        if payload:
            self.buf.append(payload)
        self.n += 1
        if len(self.buf) >= 40000:
            self.f.write(b''.join(self.buf))
            self.buf = []

    def close(self):
        self.f.write(b''.join(self.buf))
        self.buf = []
        self.f.close()


class Flow:
    """One TCP connection: side 0 is the client, side 1 the server."""

    def __init__(self, pcap, cli, cport, srv, sport, isn_c=1000, isn_s=5000000):
        self.p = pcap
        self.addr = [(cli, cport), (srv, sport)]
        self.isn = [isn_c, isn_s]
        self.nxt = [isn_c + 1, isn_s + 1]  # next byte each side sends

    def seg(self, ts, side, seq, flags, payload=b''):
        (src, sp), (dst, dp) = self.addr[side], self.addr[1 - side]
        ack = self.nxt[1 - side] if flags & ACK else 0
        self.p.frame(ts, src, dst, sp, dp, seq, ack, flags, payload)

    def handshake(self, ts):
        self.seg(ts, 0, self.isn[0], SYN)
        self.seg(ts + 100, 1, self.isn[1], SYN | ACK)
        self.seg(ts + 200, 0, self.nxt[0], ACK)
        return ts + 300

    def send(self, ts, side, data, step_us=10, mss=MSS):
        """data in order, in segments of mss bytes; returns the next time."""
        for off in range(0, len(data), mss):
            self.seg(ts, side, self.nxt[side], ACK | PSH, data[off:off + mss])
            self.nxt[side] += len(data[off:off + mss])
            ts += step_us
        return ts

    def fin(self, ts):
        for side in (0, 1):
            self.seg(ts, side, self.nxt[side], FIN | ACK)
            self.nxt[side] += 1
            ts += 100
        return ts


# ---- TLS building blocks --------------------------------------------------

def u8(n):
    return struct.pack('!B', n)


def u16(n):
    return struct.pack('!H', n)


def u24(n):
    return struct.pack('!I', n)[1:]


def vec8(b):
    return u8(len(b)) + b


def vec16(b):
    return u16(len(b)) + b


def vec24(b):
    return u24(len(b)) + b


def record(ctype, body, version=TLS12):
    return u8(ctype) + u16(version) + vec16(body)


def records(ctype, data, size=16384, version=TLS12):
    """data cut into records of at most size bytes."""
    return b''.join(record(ctype, data[i:i + size], version) for i in range(0, len(data), size))


def hs(mtype, body):
    return u8(mtype) + vec24(body)


def ext(etype, body):
    return u16(etype) + vec16(body)


def client_hello(rng, sni='adversarial.example'):
    """A TLS 1.3-capable ClientHello much like OpenSSL's."""
    name = sni.encode()
    exts = b''.join([
        ext(0, vec16(u8(0) + vec16(name))),                       # server_name
        ext(10, vec16(b''.join(u16(g) for g in (0x001d, 0x0017, 0x0018)))),  # groups
        ext(11, vec8(b'\x00')),                                    # ec_point_formats
        ext(13, vec16(b''.join(u16(s) for s in (0x0403, 0x0804, 0x0401, 0x0503)))),
        ext(16, vec16(vec8(b'h2') + vec8(b'http/1.1'))),           # ALPN
        ext(43, vec8(u16(0x0304) + u16(0x0303))),                 # supported_versions
        ext(51, vec16(u16(0x001d) + vec16(bytes(rng.getrandbits(8) for _ in range(32))))),
    ])
    suites = b''.join(u16(s) for s in (0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc030))
    body = (u16(TLS12) + bytes(rng.getrandbits(8) for _ in range(32)) +
            vec8(bytes(rng.getrandbits(8) for _ in range(32))) + vec16(suites) +
            vec8(b'\x00') + vec16(exts))
    return hs(HS_CLIENT_HELLO, body)


def server_hello12(rng, suite=0xc02f):
    """A TLS 1.2 ServerHello (no supported_versions: the records after it
    stay in clear until ChangeCipherSpec)."""
    exts = ext(0xff01, vec8(b'')) + ext(11, vec8(b'\x00'))
    body = (u16(TLS12) + bytes(rng.getrandbits(8) for _ in range(32)) +
            vec8(bytes(rng.getrandbits(8) for _ in range(32))) + u16(suite) + u8(0) +
            vec16(exts))
    return hs(HS_SERVER_HELLO, body)


def certificate12(ders):
    return hs(HS_CERTIFICATE, vec24(b''.join(vec24(d) for d in ders)))


def lab_ders():
    """DER of every certificate in captures/lab/*.crt, sorted by name."""
    ders = []
    for path in sorted(glob.glob(os.path.join(LAB, '*.crt'))):
        with open(path) as f:
            text = f.read()
        inside, b64 = False, []
        for line in text.splitlines():
            if line.startswith('-----BEGIN CERTIFICATE'):
                inside, b64 = True, []
            elif line.startswith('-----END CERTIFICATE'):
                inside = False
                ders.append(base64.b64decode(''.join(b64)))
            elif inside:
                b64.append(line.strip())
    if not ders:
        sys.exit('gen.py: no certificates in %s' % LAB)
    return ders


def chain_of(ders, size):
    """Copies of ders, in turn, until they add up to about size bytes."""
    out, total, i = [], 0, 0
    while total < size:
        out.append(ders[i % len(ders)])
        total += len(out[-1]) + 3
        i += 1
    return out


def tls12_full(rng, f, ts, chain, appdata_each=0):
    """A complete TLS 1.2 handshake (records in clear up to CCS, then
    opaque Finished records); returns the next time."""
    ts = f.send(ts, 0, record(CT_HANDSHAKE, client_hello(rng)))
    flight = server_hello12(rng) + certificate12(chain) + hs(HS_SERVER_HELLO_DONE, b'')
    ts = f.send(ts, 1, records(CT_HANDSHAKE, flight))
    cke = hs(HS_CLIENT_KEY_EXCHANGE, vec8(b'\x04' + bytes(rng.getrandbits(8) for _ in range(64))))
    fin = bytes(rng.getrandbits(8) for _ in range(40))
    ts = f.send(ts, 0, record(CT_HANDSHAKE, cke) + record(CT_CCS, b'\x01') +
                record(CT_HANDSHAKE, fin))
    ts = f.send(ts, 1, record(CT_CCS, b'\x01') + record(CT_HANDSHAKE, fin))
    return ts


# ---- the captures ---------------------------------------------------------

def gen_syn_flood(path, exp, n):
    p = Pcap(path)
    srv = ip4(192, 0, 2, 1)
    ts = T0 * 1000000
    for i in range(n):
        # 10.0.0.0/8 holds 16 M addresses: one per flow, distinct 4-tuples
        cli = ip4(10, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff)
        p.frame(ts + i, cli, srv, 1024 + i % 60000, 443, 1000 + i, 0, SYN)
    p.close()
    exp['flows'] = n
    return p.n


def gen_huge_handshake(path, rng, exp):
    p = Pcap(path)
    ts = T0 * 1000000
    claim = 0xffffff  # 16 MiB - 1: the largest uint24
    filler = bytes(rng.getrandbits(8) for _ in range(16384))
    for k in range(2):
        f = Flow(p, ip4(198, 51, 100, 10 + k), 40000 + k, ip4(192, 0, 2, 1), 443)
        ts = f.handshake(ts)
        ts = f.send(ts, 0, record(CT_HANDSHAKE, client_hello(rng)))
        sh = server_hello12(rng)
        if k == 0:
            # the header inside the ServerHello's record
            first = record(CT_HANDSHAKE, sh + u8(HS_CERTIFICATE) + u24(claim) + filler[:1000])
        else:
            # the header cut after two bytes: the joiner has to buffer it
            first = (record(CT_HANDSHAKE, sh + u8(HS_CERTIFICATE) + u24(claim)[:1]) +
                     record(CT_HANDSHAKE, u24(claim)[1:] + filler[:1000]))
        ts = f.send(ts, 1, first)
        # 4 MiB of the claimed body, in full-size records
        ts = f.send(ts, 1, b''.join(record(CT_HANDSHAKE, filler) for _ in range(256)))
        ts = f.fin(ts + 1000)
    p.close()
    exp['flows'] = 2
    exp['oversize_messages'] = 2
    return p.n


def gen_big_chain(path, rng, exp):
    p = Pcap(path)
    ders = lab_ders()
    ts = T0 * 1000000
    for k, size in enumerate((100 * 1024, 300 * 1024)):
        f = Flow(p, ip4(198, 51, 100, 20 + k), 41000 + k, ip4(192, 0, 2, 1), 443)
        ts = f.handshake(ts)
        chain = chain_of(ders, size)
        if k == 0:
            exp['chain_certs'] = len(chain)
            exp['certs_dropped'] = len(chain) - 16  # TD_CAP_CHAIN
            exp['chain_message_bytes'] = len(certificate12(chain)) - 4
        else:
            exp['oversize_message_bytes'] = len(certificate12(chain)) - 4
        ts = tls12_full(rng, f, ts, chain)
        ts = f.send(ts, 0, record(CT_APPDATA, bytes(100)))
        ts = f.send(ts, 1, record(CT_APPDATA, bytes(100)))
        ts = f.fin(ts + 1000)
    p.close()
    return p.n


def gen_one_byte_records(path, rng, exp, n=1000000):
    p = Pcap(path)
    ts = T0 * 1000000
    f = Flow(p, ip4(198, 51, 100, 30), 42000, ip4(192, 0, 2, 1), 443)
    ts = f.handshake(ts)
    # The ClientHello itself one byte per record, then empty hello_request
    # messages (type 0, length 0), each spread over four 1-byte records.
    ch = client_hello(rng)
    hsbytes = ch + (b'\x00\x00\x00\x00' * (n // 4))
    hsbytes = hsbytes[:len(ch) + (n // 4) * 4]
    recs = b''.join(record(CT_HANDSHAKE, hsbytes[i:i + 1]) for i in range(len(hsbytes)))
    ts = f.send(ts, 0, recs, step_us=1)
    ts = f.send(ts, 1, record(CT_HANDSHAKE, server_hello12(rng)))
    one = record(CT_APPDATA, b'\x17')
    ts = f.send(ts, 0, one * n, step_us=1)
    ts = f.send(ts, 1, one * 1000, step_us=1)
    p.close()
    exp['handshake_records'] = len(hsbytes)
    exp['appdata_records'] = n + 1000
    exp['hello_requests'] = n // 4
    exp['events_dropped_min'] = n // 4 - 256  # TD_CAP_EVENTS
    return p.n


def gen_overlap(path, rng, exp, nflows=200):
    """Each direction's stream goes out in four passes (below).  tlsdiag
    keeps the first copy of every byte, so the handshake decodes from the
    real bytes only, and the garbage is dropped."""
    p = Pcap(path)
    ders = lab_ders()
    ts = T0 * 1000000
    for k in range(nflows):
        f = Flow(p, ip4(198, 51, 101, k % 250), 43000 + k, ip4(192, 0, 2, 1), 443)
        ts = f.handshake(ts)
        streams = [
            record(CT_HANDSHAKE, client_hello(rng)),
            records(CT_HANDSHAKE, server_hello12(rng) + certificate12(ders[:3]) +
                    hs(HS_SERVER_HELLO_DONE, b'')),
        ]
        for side in (0, 1):
            data = streams[side]
            base = f.nxt[side]
            step = 300
            junk = bytes(rng.getrandbits(8) for _ in range(len(data) + step))
            # 1. real bytes ahead of the head, windows [i, i+600) overlapping
            #    by half, last window first: all buffered out of order
            starts = list(range(step, len(data), step))
            for off in reversed(starts):
                f.seg(ts, side, base + off, ACK | PSH, data[off:off + 2 * step])
                ts += 10
            # 2. conflicting copies of the buffered ranges, shifted by a third
            #    of a window (the hole before them left alone)
            for off in starts:
                lo, hi = off + step // 3, min(off + step // 3 + step, len(data))
                if lo < hi:
                    f.seg(ts, side, base + lo, ACK | PSH, junk[lo:hi])
                ts += 10
            # 3. the head: everything is in order now
            f.seg(ts, side, base, ACK | PSH, data[:2 * step])
            ts += 10
            # 4. "retransmissions" of delivered bytes with other content
            for off in range(0, len(data), step):
                f.seg(ts, side, base + off, ACK | PSH, junk[off:min(off + step, len(data))])
                ts += 10
            f.nxt[side] = base + len(data)
        ts = f.fin(ts + 1000)
    p.close()
    exp['flows'] = nflows
    exp['server_certs'] = 3
    return p.n


def gen_never_ends(path, rng, exp, idle=10000):
    p = Pcap(path)
    ders = lab_ders()
    ts0 = T0 * 1000000
    span = 600 * 1000000  # the capture lasts 10 minutes
    f = Flow(p, ip4(198, 51, 100, 40), 44000, ip4(192, 0, 2, 1), 443)
    ts = f.handshake(ts0)
    ts = tls12_full(rng, f, ts, ders[:2])
    # idle flows: SYN, SYN-ACK, ClientHello, then silence, in the first 5 minutes
    idle_every = (span // 2) // idle
    next_idle, k = ts0 + 1000, 0
    payload = bytes(rng.getrandbits(8) for _ in range(1400))
    chs = [record(CT_HANDSHAKE, client_hello(rng, 'idle%d.example' % i)) for i in range(16)]
    while ts < ts0 + span:
        # one application data record each way every 100 ms (~24 KB/s)
        ts = f.send(ts, 0, record(CT_APPDATA, payload[:1000]))
        ts = f.send(ts, 1, record(CT_APPDATA, payload))
        while k < idle and next_idle <= ts:
            g = Flow(p, ip4(10, 200 + (k >> 16), (k >> 8) & 0xff, k & 0xff), 30000 + k % 30000,
                     ip4(192, 0, 2, 2), 443)
            t = g.handshake(next_idle)
            g.send(t, 0, chs[k % len(chs)])
            k += 1
            next_idle += idle_every
        ts += 100000
    p.close()
    exp['idle_flows'] = k
    exp['flows'] = k + 1
    return p.n


def gen_ooo_flood(path, rng, exp, nflows=100, cleartext=20, ahead=300 * 1024):
    p = Pcap(path)
    ts = T0 * 1000000
    payload = bytes(rng.getrandbits(8) for _ in range(MSS))
    hole = 65536
    flows = []
    for k in range(nflows + cleartext):
        tls = k < nflows
        f = Flow(p, ip4(198, 51, 102, k % 250), 45000 + k, ip4(192, 0, 2, 1),
                 443 if tls else 8080)
        ts = f.handshake(ts)
        if tls:
            ts = f.send(ts, 0, record(CT_HANDSHAKE, client_hello(rng)))
            ts = f.send(ts, 1, record(CT_HANDSHAKE, server_hello12(rng)))
        else:
            # not TLS: a plain HTTP exchange, then the same flood
            ts = f.send(ts, 0, b'GET / HTTP/1.1\r\nHost: adversarial.example\r\n\r\n')
            ts = f.send(ts, 1, b'HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n')
        flows.append(f)
    # Then, round robin over the flows: a hole never filled and `ahead`
    # bytes beyond it.  Every flow buffers at once (120 x 256 KiB: past a
    # small --max-memory); each one ends up past its --flow-buffer, gives
    # the hole up (counted) and goes on in order.
    for off in range(0, ahead, MSS):
        for f in flows:
            f.seg(ts, 1, f.nxt[1] + hole + off, ACK | PSH, payload)
            ts += 5
    p.close()
    exp['tls_flows'] = nflows
    exp['cleartext_flows'] = cleartext
    # with the default --flow-buffer (256 KiB < `ahead`) each flow gives up
    # exactly its hole
    exp['flow_buffer_bytes'] = (nflows + cleartext) * hole
    exp['flow_buffer_bytes_tls'] = nflows * hole
    return p.n


def gen_chain_hoard(path, rng, exp, nflows=300, certs=16, cert_len=15990):
    """Flows that each send a Certificate message just under
    TD_CAP_HS_MESSAGE holding TD_CAP_CHAIN "certificates" (DER-looking
    blobs), then stay open: whatever tlsdiag keeps of the chains stays
    in memory until the end of the capture."""
    p = Pcap(path)
    ts = T0 * 1000000
    blob = b'\x30\x82' + u16(cert_len - 4) + bytes(rng.getrandbits(8) for _ in range(cert_len - 4))
    msg = certificate12([blob] * certs)
    for k in range(nflows):
        f = Flow(p, ip4(198, 51, 103, k % 250), 46000 + k, ip4(192, 0, 2, 1), 443)
        ts = f.handshake(ts)
        ts = f.send(ts, 0, record(CT_HANDSHAKE, client_hello(rng)))
        ts = f.send(ts, 1, records(CT_HANDSHAKE, server_hello12(rng) + msg), step_us=1)
        ts += 100
    p.close()
    exp['flows'] = nflows
    exp['message_bytes'] = len(msg) - 4
    exp['held_bytes'] = nflows * certs * cert_len
    return p.n


# ---- QUIC and TLS 1.3 (quicgen.py protects them as real peers do) ----------

HS_ENCRYPTED_EXTENSIONS, HS_CERTIFICATE_VERIFY, HS_FINISHED = 8, 15, 20
HS_COMPRESSED_CERTIFICATE = 25        # RFC 8879
CERTCOMP_ZLIB, CERTCOMP_BROTLI, CERTCOMP_ZSTD = 1, 2, 3
QUIC_SERVER = ip4(192, 0, 2, 3)


# ---- STARTTLS preambles that never end (issue 17, Must 4) -----------------

STLS_PREAMBLE = 16 * 1024  # TD_CAP_STLS_PREAMBLE (include/caps.h)
SMTP_GREETING = b'220 mail.example ESMTP\r\n'
SMTP_EHLO = b'EHLO client.example\r\n'
SMTP_CAPS = b'250-mail.example\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n'  # no STARTTLS


def lines_of(line, n):
    """n bytes of line repeated (the last one cut)."""
    return (line * (n // len(line) + 1))[:n]


def stls_flow(p, k, ts, cli_n, srv_n, chunk=64 * 1024, mss=32768):
    """One SMTP flow whose preamble never ends: the greeting, EHLO, the
    start of a multi-line EHLO reply offering STARTTLS that goes on with
    "250-" lines (never its last line), while the client, pipelining,
    asks STARTTLS and goes on with NOOPs: cli_n and srv_n plaintext
    bytes in all, interleaved.  The client asked, so the flow is a
    STARTTLS attempt tlsdiag reports.  Returns (ts, bytes sent)."""
    f = Flow(p, ip4(10, 61, k >> 8, k & 0xff), 20000 + k % 40000, ip4(192, 0, 2, 25), 25)
    ts = f.handshake(ts)
    head = [SMTP_EHLO + b'STARTTLS\r\n', SMTP_GREETING + b'250-mail.example\r\n250-STARTTLS\r\n']
    # the greeting and the reply's first lines, then EHLO and STARTTLS
    for side in (1, 0):
        ts = f.send(ts, side, head[side], mss=mss)
    left = [cli_n - len(head[0]), srv_n - len(head[1])]
    fill = [b'NOOP\r\n', b'250-XFEATURE\r\n']
    while left[0] or left[1]:
        for side in (1, 0):
            n = min(chunk, left[side])
            if n:
                ts = f.send(ts, side, lines_of(fill[side], n), mss=mss)
                left[side] -= n
    return ts, cli_n + srv_n


def gen_stls_endless(path, rng, exp, each=25 * 1024 * 1024):
    p = Pcap(path)
    ts, sent = stls_flow(p, 0, T0 * 1000000, each, each)
    p.close()
    exp['stls_bytes'] = sent
    exp['stls_read_max'] = 2 * STLS_PREAMBLE
    return p.n


def gen_stls_endless_line(path, rng, exp, n=20 * 1024 * 1024):
    """The server's answer to STARTTLS is one line that never ends."""
    p = Pcap(path)
    f = Flow(p, ip4(198, 51, 100, 61), 45001, ip4(192, 0, 2, 25), 25)
    ts = f.handshake(T0 * 1000000)
    ts = f.send(ts, 1, SMTP_GREETING)
    ts = f.send(ts, 0, SMTP_EHLO)
    caps = b'250-mail.example\r\n250 STARTTLS\r\n'
    ts = f.send(ts, 1, caps)
    ts = f.send(ts, 0, b'STARTTLS\r\n')
    line = b'220 ' + b'a' * (n - 4)
    ts = f.send(ts, 1, line, mss=32768)
    f.fin(ts)
    p.close()
    exp['stls_bytes'] = len(SMTP_GREETING) + len(SMTP_EHLO) + len(caps) + 10 + len(line)
    exp['stls_read_max'] = 2 * STLS_PREAMBLE
    return p.n


def gen_stls_many(path, rng, exp, nflows=2000):
    """Each direction sends exactly the cap, then the flows stay open."""
    p = Pcap(path)
    ts = T0 * 1000000
    for k in range(nflows):
        ts, _ = stls_flow(p, k, ts, STLS_PREAMBLE, STLS_PREAMBLE, chunk=4096, mss=MSS)
    p.close()
    exp['flows'] = nflows
    return p.n


def client_hello13(rng, sni, quic=False, key_share=32, random=None):
    """A TLS 1.3-only ClientHello offering compressed certificates; for
    QUIC with ALPN h3 and transport parameters (max_idle_timeout), and
    key_share bytes of X25519 (32) or, larger, as X25519MLKEM768 (1216)."""
    name = sni.encode()
    group = 0x001d if key_share == 32 else 0x11ec
    exts = [
        ext(0, vec16(u8(0) + vec16(name))),
        ext(10, vec16(u16(group) + u16(0x001d))),
        ext(13, vec16(b''.join(u16(s) for s in (0x0403, 0x0804, 0x0401)))),
        ext(16, vec16(vec8(b'h3') if quic else vec8(b'h2'))),
        ext(27, vec8(u16(CERTCOMP_ZLIB) + u16(CERTCOMP_BROTLI) + u16(CERTCOMP_ZSTD))),
        ext(43, vec8(u16(0x0304))),
        ext(51, vec16(u16(group) + vec16(bytes(rng.getrandbits(8) for _ in range(key_share))))),
    ]
    if quic:
        exts.append(ext(57, b'\x01' + vec8(quicgen.varint(30000))))  # max_idle_timeout 30 s
    rnd = random if random is not None else bytes(rng.getrandbits(8) for _ in range(32))
    body = (u16(TLS12) + rnd + vec8(b'' if quic else bytes(32)) +
            vec16(u16(0x1301) + u16(0x1302)) + vec8(b'\x00') + vec16(b''.join(exts)))
    return hs(HS_CLIENT_HELLO, body)


def server_hello13(rng, random=None, session_id=b''):
    exts = ext(43, u16(0x0304)) + ext(51, u16(0x001d) + vec16(bytes(32)))
    rnd = random if random is not None else bytes(rng.getrandbits(8) for _ in range(32))
    body = u16(TLS12) + rnd + vec8(session_id) + u16(0x1301) + u8(0) + vec16(exts)
    return hs(HS_SERVER_HELLO, body)


def need_crypto():
    if not quicgen.HAVE_CRYPTO:
        sys.exit('gen.py: the QUIC and TLS 1.3 captures need Python\'s cryptography '
                 'package (Debian: python3-cryptography)')


def gen_quic_flood(path, rng, exp, n=200000):
    """n QUIC connections, each one client Initial (1200 bytes, RFC 9000
    14.1) from its own address and port with a fresh Destination
    Connection ID, protected with that DCID's keys: every one opens, is
    a connection, and the flow table (--max-flows) has to evict."""
    need_crypto()
    p = Pcap(path)
    ts = T0 * 1000000
    chs = [client_hello13(rng, 'flood%d.example' % i, quic=True) for i in range(16)]
    for i in range(n):
        dcid = struct.pack('!Q', (i * 0x9e3779b97f4a7c15 + 1) & 0xffffffffffffffff)
        scid = struct.pack('!I', i)
        ck, _ = quicgen.initial_keys(dcid)
        pkt = quicgen.long_packet(ck, quicgen.PT_INITIAL, dcid, scid, 0,
                                  quicgen.crypto_frame(0, chs[i % len(chs)]), pad_to=1200)
        cli = ip4(172, 16 + ((i >> 16) & 0x0f), (i >> 8) & 0xff, i & 0xff)
        p.udp(ts + i * 2, cli, QUIC_SERVER, 1024 + i % 60000, 443, pkt)
    p.close()
    exp['connections'] = n
    return p.n


def gen_quic_crypto_gaps(path, rng, exp, gaps=2000, frags=4):
    """CRYPTO streams that try to make tlsdiag hold bytes.

    `gaps` connections: the client's Initial carries the start of its
    ClientHello, one byte in each 4 KiB of the TD_CAP_QUIC_CRYPTO_AHEAD
    (64 KiB) past it, the last just inside the cap, and 100-byte frames at offsets 2^40 and 2^62 - 200 (past the
    cap: dropped, counted); the server's Initial does the same with the
    start of a ServerHello.  Each stream then holds a 64 KiB window for
    16 bytes, and no packet ever fills the holes: without a charge to
    --max-memory, 2000 connections would hold 500 MiB.

    `frags` connections: a ClientHello with a 1216-byte key share sent as
    one-byte CRYPTO frames, last byte first, every byte twice, 150 frames
    a packet, with a frame past the cap in each packet: it must still
    decode (its SNI is fragments.example) and the far frames be counted.
    """
    need_crypto()
    cap = 64 * 1024  # TD_CAP_QUIC_CRYPTO_AHEAD
    far = [(1 << 40, 100), ((1 << 62) - 200, 100)]
    # one byte in every 4 KiB page of the window, the last just inside the
    # cap: a window that is allocated is also resident (peak RSS sees it)
    spread = list(range(4095, cap, 4096))
    p = Pcap(path)
    ts = T0 * 1000000
    dropped = 0
    # the fragmented hellos first: the gap connections fill --max-memory,
    # and a connection that comes after them may find no room left
    for k in list(range(gaps, gaps + frags)) + list(range(gaps)):
        dcid = struct.pack('!Q', 0x0badc0de00000000 + k)
        scid, srv_cid = struct.pack('!I', k), struct.pack('!I', 0x80000000 | k)
        ck, sk = quicgen.initial_keys(dcid)
        cli = ip4(172, 20 + (k >> 16), (k >> 8) & 0xff, k & 0xff)
        cport = 2000 + k % 60000
        if k < gaps:
            ch = client_hello13(rng, 'gap%d.example' % k, quic=True)
            sh = server_hello13(rng)
            head = 300
            frames = (quicgen.crypto_frame(0, ch[:head]) +
                      b''.join(quicgen.crypto_frame(head + o, b'\x01') for o in spread) +
                      b''.join(quicgen.crypto_frame(o, bytes(n)) for o, n in far))
            p.udp(ts, cli, QUIC_SERVER, cport, 443,
                  quicgen.long_packet(ck, quicgen.PT_INITIAL, dcid, scid, 0, frames, pad_to=1200))
            frames = (quicgen.crypto_frame(0, sh[:50]) +
                      b''.join(quicgen.crypto_frame(50 + o, b'\x02') for o in spread))
            p.udp(ts + 50, QUIC_SERVER, cli, 443, cport,
                  quicgen.long_packet(sk, quicgen.PT_INITIAL, scid, srv_cid, 0, frames))
            dropped += sum(n for _, n in far)
            ts += 20
            continue
        ch = client_hello13(rng, 'fragments.example', quic=True, key_share=1216)
        order = [(i, ch[i:i + 1]) for i in reversed(range(len(ch)))]
        order = [x for pair in zip(order, order) for x in pair]  # every byte twice
        pn = 0
        for j in range(0, len(order), 150):
            frames = b''.join(quicgen.crypto_frame(o, b) for o, b in order[j:j + 150])
            frames += quicgen.crypto_frame(len(ch) + cap + j, bytes(20))
            dropped += 20
            p.udp(ts, cli, QUIC_SERVER, cport, 443,
                  quicgen.long_packet(ck, quicgen.PT_INITIAL, dcid, scid, pn, frames,
                                      pad_to=1200))
            pn += 1
            ts += 10
        exp['frag_hello_bytes'] = len(ch)
        ts += 1000
    p.close()
    exp['gap_connections'] = gaps
    exp['frag_connections'] = frags
    exp['connections'] = gaps + frags
    exp['far_bytes'] = dropped   # bytes past the cap, whatever the memory
    exp['window_streams'] = 2 * gaps
    exp['window_bytes'] = 2 * gaps * len(spread)
    return p.n


def certificate13_body(ders):
    """A TLS 1.3 Certificate message's body: empty context, then each
    certificate with no extensions."""
    return vec8(b'') + vec24(b''.join(vec24(d) + vec16(b'') for d in ders))


def gen_cert_bomb(path, rng, exp, each=4):
    """TLS 1.3 over TCP with a key log (NAME.keylog, next to the capture):
    each server's encrypted flight carries a CompressedCertificate
    (RFC 8879).  `each` connections of each kind:

      control      zlib of a real 3-certificate chain, its true length:
                   decompresses, the chain shows (proves the protection)
      zlib-claim   a 1 KB message declaring 16 MiB - 1 (over the cap)
      zstd-claim   a 518-byte zstd frame declaring 16 MiB - 1
      zlib-bomb    16 KB of zlib declaring 200 KiB (under the cap) that
                   inflates to 16 MiB: stopped at 200 KiB
      zstd-bomb    518 bytes of zstd RLE blocks declaring 200 KiB that
                   inflate to 16 MiB: stopped at 200 KiB
    """
    need_crypto()
    p = Pcap(path)
    ders = lab_ders()
    ts = T0 * 1000000
    body = certificate13_body(ders[:3])
    zbomb = quicgen.zlib_bomb(16 << 20)
    zsbomb = quicgen.zstd_rle_bomb(128)
    kinds = [
        ('control', CERTCOMP_ZLIB, len(body), zlib.compress(body, 9)),
        ('zlib-claim', CERTCOMP_ZLIB, 0xffffff, quicgen.zlib_bomb(1 << 20)),
        ('zstd-claim', CERTCOMP_ZSTD, 0xffffff, zsbomb),
        ('zlib-bomb', CERTCOMP_ZLIB, 200 * 1024, zbomb),
        ('zstd-bomb', CERTCOMP_ZSTD, 200 * 1024, zsbomb),
    ]
    keylog = []
    k = 0
    for name, alg, declared, comp in kinds:
        for _ in range(each):
            f = Flow(p, ip4(198, 51, 104, k), 47000 + k, ip4(192, 0, 2, 1), 443)
            k += 1
            ts = f.handshake(ts)
            cr = bytes(rng.getrandbits(8) for _ in range(32))
            secrets = [bytes(rng.getrandbits(8) for _ in range(32)) for _ in range(2)]
            keylog.append('CLIENT_HANDSHAKE_TRAFFIC_SECRET %s %s' % (cr.hex(), secrets[0].hex()))
            keylog.append('SERVER_HANDSHAKE_TRAFFIC_SECRET %s %s' % (cr.hex(), secrets[1].hex()))
            ts = f.send(ts, 0, record(CT_HANDSHAKE, client_hello13(rng, '%s.example' % name,
                                                                   random=cr)))
            skeys = quicgen.tls13_keys(secrets[1])
            flight = (hs(HS_ENCRYPTED_EXTENSIONS, vec16(b'')) +
                      hs(HS_COMPRESSED_CERTIFICATE, u16(alg) + u24(declared) + vec24(comp)) +
                      hs(HS_CERTIFICATE_VERIFY, u16(0x0804) + vec16(bytes(256))) +
                      hs(HS_FINISHED, bytes(32)))
            recs = b''.join(quicgen.tls13_record(skeys, i, CT_HANDSHAKE, flight[o:o + 16000])
                            for i, o in enumerate(range(0, len(flight), 16000)))
            ts = f.send(ts, 1, record(CT_HANDSHAKE, server_hello13(rng, session_id=bytes(32))) +
                        record(CT_CCS, b'\x01') + recs)
            ckeys = quicgen.tls13_keys(secrets[0])
            ts = f.send(ts, 0, record(CT_CCS, b'\x01') +
                        quicgen.tls13_record(ckeys, 0, CT_HANDSHAKE, hs(HS_FINISHED, bytes(32))))
            ts = f.fin(ts + 1000)
        exp[name.replace('-', '_') + '_bytes'] = len(comp)
    p.close()
    with open(path[:-len('.pcap.tmp')] + '.keylog', 'w') as kf:
        kf.write('\n'.join(keylog) + '\n')
    exp['each'] = each
    exp['connections'] = each * len(kinds)
    exp['bombs'] = each * (len(kinds) - 1)
    exp['control_certs'] = 3
    return p.n


CAPTURES = ['syn-flood', 'huge-handshake', 'big-chain', 'one-byte-records', 'overlap',
            'never-ends', 'ooo-flood', 'chain-hoard', 'stls-endless', 'stls-endless-line',
            'stls-many', 'quic-flood', 'quic-crypto-gaps', 'cert-bomb']


USAGE = ('usage: gen.py DIR [--syn-flows N] [--quic-flows N] [--only NAME,...] | '
         '--list | --self-test')


def main(argv):
    args = argv[1:]
    if '--list' in args:
        print('\n'.join(CAPTURES))
        return 0
    if '--self-test' in args:
        # the QUIC and TLS 1.3 protection against RFC 9001 Appendix A
        need_crypto()
        quicgen.self_test()
        print('quicgen: RFC 9001 Appendix A test vectors: ok')
        return 0
    syn_flows = 1000000
    quic_flows = 200000
    only = CAPTURES
    out = None
    while args:
        a = args.pop(0)
        if a == '--syn-flows':
            syn_flows = int(args.pop(0))
        elif a == '--quic-flows':
            quic_flows = int(args.pop(0))
        elif a == '--only':
            only = args.pop(0).split(',')
        elif out is None and not a.startswith('-'):
            out = a
        else:
            sys.exit(USAGE)
    if out is None:
        sys.exit(USAGE)
    os.makedirs(out, exist_ok=True)
    for name in only:
        if name not in CAPTURES:
            sys.exit('gen.py: unknown capture %s' % name)
        rng = random.Random(name)  # each capture its own fixed stream
        path = os.path.join(out, name + '.pcap')
        tmp = path + '.tmp'
        exp = {}
        if name == 'syn-flood':
            n = gen_syn_flood(tmp, exp, syn_flows)
        elif name == 'quic-flood':
            n = gen_quic_flood(tmp, rng, exp, quic_flows)
        else:
            n = globals()['gen_' + name.replace('-', '_')](tmp, rng, exp)
        exp['frames'] = n
        # NAME.expect: "key value" lines, what the capture holds by construction
        with open(os.path.join(out, name + '.expect'), 'w') as f:
            f.write(''.join('%s %d\n' % kv for kv in sorted(exp.items())))
        os.replace(tmp, path)  # complete files only: the cache relies on it
        print('%s: %d frames, %d bytes' % (name, n, os.path.getsize(path)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
