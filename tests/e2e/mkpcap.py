#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""mkpcap.py - write a small synthetic TLS 1.2 capture for tests/e2e/redact.sh.

One TCP connection (Ethernet, IPv4) 10.1.1.1:40000 -> 10.2.2.2:443:
  client: optional cleartext PREAMBLE (a proxy's CONNECT...), then a
          ClientHello with the SNI shop.example.test
  server: ServerHello, Certificate (the PEM files of --chain, in order),
          CertificateRequest (acceptable CAs: the subjects of the PEM
          files of --ca-names), ServerHelloDone
  then a FIN each way.
Usage: mkpcap.py OUT.pcap [--preamble TEXT] --chain A.pem [B.pem...]
                 [--ca-names C.pem...]
No third-party module: certificates are decoded from PEM by base64, and
the subject Name is cut out of the DER by hand (RFC 5280 4.1).
"""
import base64
import struct
import sys

CLIENT, SERVER = (bytes([10, 1, 1, 1]), 40000), (bytes([10, 2, 2, 2]), 443)


def pem_der(path):
    text = open(path).read()
    body = text.split("-----BEGIN CERTIFICATE-----")[1].split("-----END CERTIFICATE-----")[0]
    return base64.b64decode("".join(body.split()))


def tlv(buf, at):
    """(tag, start of contents, end of the element) of the DER element at `at`."""
    tag, n = buf[at], buf[at + 1]
    at += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(buf[at:at + k], "big")
        at += k
    return tag, at, at + n


def subject_name(der):
    _, cert, _ = tlv(der, 0)          # Certificate
    _, tbs, tbs_end = tlv(der, cert)  # tbsCertificate
    at = tbs
    if der[at] == 0xA0:               # [0] version
        at = tlv(der, at)[2]
    for _ in range(4):                # serial, signature, issuer, validity
        at = tlv(der, at)[2]
    return der[at:tlv(der, at)[2]]    # subject, whole TLV


def u8(b): return struct.pack("!B", len(b)) + b
def u16(b): return struct.pack("!H", len(b)) + b
def u24(b): return struct.pack("!I", len(b))[1:] + b
def hs(t, body): return bytes([t]) + u24(body)
def record(body): return b"\x16\x03\x03" + u16(body)


def client_hello():
    name = b"shop.example.test"
    sni = u16(b"\x00" + u16(name))
    ext = b"\x00\x00" + u16(sni)
    body = b"\x03\x03" + bytes(range(32)) + u8(b"") + u16(b"\xc0\x2f") + u8(b"\x00") + u16(ext)
    return record(hs(1, body))


def server_flight(chain, ca_names):
    sh = hs(2, b"\x03\x03" + bytes(range(32, 64)) + u8(b"") + b"\xc0\x2f\x00")
    cert = hs(11, u24(b"".join(u24(d) for d in chain)))
    cas = b"".join(u16(subject_name(d)) for d in ca_names)
    cr = hs(13, u8(b"\x01\x40") + u16(b"\x04\x01\x08\x04") + u16(cas))
    return record(sh + cert + cr + hs(14, b""))


def checksum(b):
    if len(b) % 2:
        b += b"\x00"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(src, dst, seq, ack, flags, data=b""):
    tcp = struct.pack("!HHIIBBHHH", src[1], dst[1], seq, ack, 5 << 4, flags, 65535, 0, 0) + data
    pseudo = src[0] + dst[0] + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, src[0], dst[0])
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip + tcp


def main(argv):
    out, preamble, chain, ca_names, dest = argv[0], b"", [], [], None
    for a in argv[1:]:
        if a in ("--preamble", "--chain", "--ca-names"):
            dest = a
        elif dest == "--preamble":
            preamble = a.encode().decode("unicode_escape").encode("latin-1")
        elif dest == "--chain":
            chain.append(pem_der(a))
        elif dest == "--ca-names":
            ca_names.append(pem_der(a))
    SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
    c, s = 1000, 5000
    pkts = [frame(CLIENT, SERVER, c, 0, SYN), frame(SERVER, CLIENT, s, c + 1, SYN | ACK)]
    c += 1
    s += 1
    pkts.append(frame(CLIENT, SERVER, c, s, ACK))
    for data in ([preamble] if preamble else []) + [client_hello()]:
        pkts.append(frame(CLIENT, SERVER, c, s, PSH | ACK, data))
        c += len(data)
    data = server_flight(chain, ca_names)
    pkts.append(frame(SERVER, CLIENT, s, c, PSH | ACK, data))
    s += len(data)
    pkts.append(frame(CLIENT, SERVER, c, s, FIN | ACK))
    pkts.append(frame(SERVER, CLIENT, s, c + 1, FIN | ACK))
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for i, p in enumerate(pkts):
            f.write(struct.pack("<IIII", 1800000000, 1000 * i, len(p), len(p)) + p)


if __name__ == "__main__":
    main(sys.argv[1:])
