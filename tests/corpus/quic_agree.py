#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tests/corpus/quic_agree.py - QUIC agreement with tshark over
../shared/corpus/quic (issue 16).

tshark 4.0 removes QUIC Initial protection itself; for every QUIC
connection (its client's UDP endpoint) it gives the SNI and ALPN list of
the ClientHello, the QUIC version of the packet that carried it, and the
cipher suite of the ServerHello.  tlsdiag's JSON must say the same for
each connection it reports with "transport": "quic", and report every
client endpoint tshark saw a QUIC ClientHello from (of a version tlsdiag
reads: 1 and 2).

Captures with TLS secrets (a key log beside them, NAME.keylog, or
secrets embedded in a pcapng Decryption Secrets Block, which tshark
reads by itself and this script writes to a temporary key log for
tlsdiag's -k): tshark opens the Handshake packets too, and the SHA-256
of every server and client certificate it shows, in order, must be
tlsdiag's.  A chain tshark shows that tlsdiag only has as a
CompressedCertificate (RFC 8879, issue 16 Must 2, not this part) is
counted as pending, loudly, not as a disagreement.

Prints one line per disagreement and a closing
"quic-agree: N agree, N differ (connections); N chains agree, N differ,
N pending; N captures" line; exits 1 on a disagreement, 77 (SKIPPED,
said loudly) without the corpus or tshark.
Usage: tests/corpus/quic_agree.py path/to/tlsdiag [corpus-dir]
"""
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
if len(sys.argv) < 2:
    sys.exit('usage: quic_agree.py TLSDIAG [CORPUS]')
BIN = sys.argv[1]
CORPUS = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, '..', '..', '..', 'shared',
                                                            'corpus')
QDIR = os.path.join(CORPUS, 'quic')
if not os.path.isdir(QDIR):
    print(f'SKIPPED: quic-agree: no QUIC corpus at {QDIR} (it lives beside the project in '
          '../shared/corpus)')
    sys.exit(77)
if not shutil.which('tshark'):
    print('SKIPPED: quic-agree: tshark is not installed (apt-get install tshark)')
    sys.exit(77)

VERSIONS = {'0x00000001': 'QUICv1', '0x6b3343cf': 'QUICv2'}
SEP = '\t'


def tshark(path, flt, fields, keylog=None):
    cmd = ['tshark', '-n', '-r', path, '-Y', flt, '-T', 'fields', '-E', 'separator=/t',
           '-E', 'aggregator=,', '-E', 'occurrence=a']
    if keylog:
        cmd += ['-o', f'tls.keylog_file:{keylog}']
    for f in fields:
        cmd += ['-e', f]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300).stdout
    return [line.split(SEP) for line in out.splitlines()]


def endpoint(ip4, ip6, port):
    ip = (ip6 or ip4).split(',')[-1]
    if not ip:
        return None
    return (f'[{ip}]' if ':' in ip else ip) + ':' + port.split(',')[0]


def tshark_facts(path):
    """client endpoint -> {sni, alpn, version, cipher} from tshark."""
    facts = {}
    rows = tshark(path, 'quic && tls.handshake.type == 1',
                  ['ip.src', 'ipv6.src', 'udp.srcport', 'quic.version',
                   'tls.handshake.extensions_server_name', 'tls.handshake.extensions_alpn_str'])
    for ip4, ip6, port, ver, sni, alpn in rows:
        ep = endpoint(ip4, ip6, port)
        versions = [VERSIONS.get(v) for v in ver.split(',') if v]
        if not ep or not versions or not all(versions) or ep in facts:
            continue
        facts[ep] = {'sni': sni.split(',')[0] or None, 'alpn': alpn.split(',') if alpn else [],
                     'version': versions[0], 'cipher': None}
    rows = tshark(path, 'quic && tls.handshake.type == 2',
                  ['ip.dst', 'ipv6.dst', 'udp.dstport', 'tls.handshake.ciphersuite'])
    for ip4, ip6, port, suite in rows:
        ep = endpoint(ip4, ip6, port)
        if ep in facts and facts[ep]['cipher'] is None and suite:
            facts[ep]['cipher'] = int(suite.split(',')[0], 16)
    return facts


def embedded_secrets(path):
    """The TLS key log text of a pcapng's Decryption Secrets Blocks
    (block type 0x0000000A, secrets type 'TLSK'), b'' when none."""
    with open(path, 'rb') as f:
        d = f.read()
    if len(d) < 12 or struct.unpack_from('<I', d, 0)[0] != 0x0A0D0D0A:
        return b''
    bom = struct.unpack_from('<I', d, 8)[0]
    end = '<' if bom == 0x1A2B3C4D else '>'
    out, i = b'', 0
    while i + 12 <= len(d):
        btype, blen = struct.unpack_from(end + 'II', d, i)
        if blen < 12 or i + blen > len(d):
            break
        if btype == 0x0A and blen >= 16:
            stype, slen = struct.unpack_from(end + 'II', d, i + 8)
            if stype == 0x544C534B and 16 + slen <= blen:
                out += d[i + 16:i + 16 + slen]
                if not out.endswith(b'\n'):
                    out += b'\n'
        i += blen
    return out


def tshark_chains(path, keylog):
    """client endpoint -> {'server': [sha256...], 'client': [...]}: the
    certificates of the first Certificate message each way."""
    chains = {}
    rows = tshark(path, 'quic && tls.handshake.certificate',
                  ['ip.src', 'ipv6.src', 'udp.srcport', 'ip.dst', 'ipv6.dst', 'udp.dstport',
                   'tls.handshake.certificate'], keylog)
    for sip4, sip6, sport, dip4, dip6, dport, certs in rows:
        src, dst = endpoint(sip4, sip6, sport), endpoint(dip4, dip6, dport)
        hashes = [hashlib.sha256(bytes.fromhex(h.replace(':', ''))).hexdigest()
                  for h in certs.split(',') if h]
        # Which end is the client is known from the ClientHellos
        # (tshark_facts): keep the first chain sent to and from each end.
        chains.setdefault(('to', dst), hashes)
        chains.setdefault(('from', src), hashes)
    return chains


SUITES = {0x1301: 'TLS_AES_128_GCM_SHA256', 0x1302: 'TLS_AES_256_GCM_SHA384',
          0x1303: 'TLS_CHACHA20_POLY1305_SHA256'}

def compressed_only(c, direction):
    """Did tlsdiag see the chain only as a CompressedCertificate?"""
    return any(e.get('message') == 'compressed_certificate' and e.get('dir') == direction
               for e in c.get('timeline') or [])


agree = differ = captures = 0
chains_agree = chains_differ = chains_pending = 0
tmpdir = tempfile.mkdtemp(prefix='quic-agree-')
for name in sorted(os.listdir(QDIR)):
    if not name.endswith(('.pcap', '.pcapng')):
        continue
    path = os.path.join(QDIR, name)
    captures += 1
    keylog = os.path.splitext(path)[0] + '.keylog'
    if not os.path.exists(keylog):
        keylog = None
        secrets = embedded_secrets(path)
        if secrets:
            keylog = os.path.join(tmpdir, name + '.keylog')
            with open(keylog, 'wb') as f:
                f.write(secrets)
    want = tshark_facts(path)
    out = subprocess.run([BIN, '-r', path, '-o', 'json'] + (['-k', keylog] if keylog else []),
                         capture_output=True, text=True, timeout=120).stdout
    got = {}
    for line in out.splitlines():
        c = json.loads(line)
        if c.get('transport') == 'quic':
            got.setdefault(c['client'], c)
    for ep, w in sorted(want.items()):
        c = got.get(ep)
        if c is None:
            print(f'DIFFER {name} {ep}: tshark saw a QUIC ClientHello, tlsdiag no QUIC connection')
            differ += 1
            continue
        ch = c.get('client_hello') or {}
        mine = {'sni': c.get('sni'), 'alpn': ch.get('alpn', []),
                'version': c['quic']['version'], 'cipher': c.get('cipher')}
        theirs = dict(w, cipher=SUITES.get(w['cipher'], w['cipher']))
        bad = [k for k in theirs if theirs[k] != mine[k]]
        if bad:
            print(f'DIFFER {name} {ep}: ' + '; '.join(f'{k} tshark {theirs[k]!r} tlsdiag '
                                                      f'{mine[k]!r}' for k in bad))
            differ += 1
        else:
            agree += 1
    if not keylog:
        continue
    tchains = tshark_chains(path, keylog)
    for ep in sorted(want):
        c = got.get(ep)
        if c is None:
            continue
        for side, key, direction in (('server', ('to', ep), 's2c'),
                                     ('client', ('from', ep), 'c2s')):
            theirs = tchains.get(key)
            if theirs is None:
                continue
            mine = [x.get('sha256') for x in c.get(side + '_certs') or []]
            if mine == theirs:
                chains_agree += 1
            elif not mine and compressed_only(c, direction):
                print(f'PENDING {name} {ep}: the {side} chain ({len(theirs)} certificates in '
                      'tshark) is a CompressedCertificate tlsdiag does not decompress yet '
                      '(issue 16 Must 2)')
                chains_pending += 1
            else:
                print(f'DIFFER {name} {ep}: {side} certificates tshark {theirs} tlsdiag {mine}')
                chains_differ += 1
shutil.rmtree(tmpdir, ignore_errors=True)
print(f'quic-agree: {agree} agree, {differ} differ (connections); {chains_agree} chains agree, '
      f'{chains_differ} differ, {chains_pending} pending (key logs); {captures} captures')
sys.exit(1 if differ or chains_differ else 0)
