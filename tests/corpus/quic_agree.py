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

Prints one line per disagreement and a closing
"quic-agree: N agree, N differ (connections); N captures" line; exits 1
on a disagreement, 77 (SKIPPED, said loudly) without the corpus or
tshark.
Usage: tests/corpus/quic_agree.py path/to/tlsdiag [corpus-dir]
"""
import json
import os
import shutil
import subprocess
import sys

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


def tshark(path, flt, fields):
    cmd = ['tshark', '-n', '-r', path, '-Y', flt, '-T', 'fields', '-E', 'separator=/t',
           '-E', 'aggregator=,', '-E', 'occurrence=a']
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


SUITES = {0x1301: 'TLS_AES_128_GCM_SHA256', 0x1302: 'TLS_AES_256_GCM_SHA384',
          0x1303: 'TLS_CHACHA20_POLY1305_SHA256'}

agree = differ = captures = 0
for name in sorted(os.listdir(QDIR)):
    if not name.endswith(('.pcap', '.pcapng')):
        continue
    path = os.path.join(QDIR, name)
    captures += 1
    want = tshark_facts(path)
    out = subprocess.run([BIN, '-r', path, '-o', 'json'], capture_output=True, text=True,
                         timeout=120).stdout
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
print(f'quic-agree: {agree} agree, {differ} differ (connections); {captures} captures')
sys.exit(1 if differ else 0)
