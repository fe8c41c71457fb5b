#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tests/layout/check.py - the house rules of src/ and include/, checked.

1. Each third-party library behind its room: wolfSSL headers only in
   src/x509/ and src/crypto/ (the TLS key schedules and record
   protection, the capture file's hash), curses only in src/tui/, libpcap only in
   src/capture/; zlib only in src/capture/ (gzip'd captures) and
   src/decomp/decomp_zlib.c, brotli and zstd only in their own file of
   src/decomp/ (RFC 8879 compressed certificates).
2. Data flows one way: a folder includes only headers of its own layer
   or of the layers below it (LAYERS, lowest first; a header of
   include/ belongs to the layer that implements it, OWNER).
3. No include reaches into another folder by path ("../render/x.h"): a
   folder's interface is a header in include/.
4. No include cycle between files.

(The call graph, which includes cannot show, is calls.py's; the rooms
of the libraries are enforced by the compiler: rooms.sh.)

Prints one line per breach and a closing "layout: N passed, N failed".
"""
import os
import re
import sys

TOP = os.environ.get('top_srcdir') or os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
TOP = os.path.abspath(TOP)

# Lowest first.  capture names link types with net's enum td_link; the
# model's structs (conn.h) are what the TLS and X.509 decoders fill, so
# they sit below the decoders.
LAYERS = ['util', 'decomp', 'net', 'capture', 'model', 'redact', 'crypto', 'quic', 'starttls', 'tls', 'x509', 'app', 'diagnose', 'engine', 'render', 'outfile', 'tui', 'main']
OWNER = {
    'result.h': 'util', 'caps.h': 'util', 'dynbuf.h': 'util', 'list.h': 'util', 'queue.h': 'util',
    'reader.h': 'util', 'text.h': 'util', 'budget.h': 'util', 'rooms.h': 'util',
    'filehash.h': 'crypto', 'quic_crypto.h': 'crypto', 'quic.h': 'quic', 'tls_crypto.h': 'crypto', 'tls12_crypto.h': 'crypto',
    'capture.h': 'capture', 'pcapng.h': 'capture', 'decomp.h': 'decomp',
    'packet.h': 'net', 'flowtab.h': 'net', 'reasm.h': 'net',
    'tls_registry.h': 'util', 'tls_names.h': 'tls', 'tls_record.h': 'tls', 'tls_handshake.h': 'tls', 'keylog.h': 'tls',
    'x509.h': 'x509', 'verify.h': 'x509',
    'conn.h': 'model', 'anomaly.h': 'model', 'infer.h': 'tls', 'ja4.h': 'tls', 'quic_tp.h': 'tls',
    'app.h': 'app', 'starttls.h': 'starttls',
    'diagnose.h': 'diagnose', 'hostname.h': 'diagnose',
    'engine.h': 'engine', 'sink.h': 'engine',
    'out.h': 'render', 'filter.h': 'render', 'render.h': 'render', 'redact.h': 'redact',
    'tui.h': 'tui', 'outfile.h': 'outfile',
}
# Where each library's headers may be included.
ROOMS = [
    (re.compile(r'^wolfssl/'), 'wolfSSL',
     lambda p: p.startswith(('src/x509/', 'src/crypto/'))),
    (re.compile(r'^(n?curses|ncursesw/)'), 'curses', lambda p: p.startswith('src/tui/')),
    (re.compile(r'^pcap'), 'libpcap', lambda p: p.startswith('src/capture/')),
    (re.compile(r'^zlib\.h'), 'zlib', lambda p: p.startswith(('src/capture/', 'src/decomp/decomp_zlib.c'))),
    (re.compile(r'^brotli/'), 'brotli', lambda p: p == 'src/decomp/decomp_brotli.c'),
    (re.compile(r'^zstd'), 'zstd', lambda p: p == 'src/decomp/decomp_zstd.c'),
    (re.compile(r'^seccomp\.h'), 'libseccomp', lambda p: p == 'src/capture/sandbox.c'),
]
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)

passed = 0
failed = 0


def breach(msg):
    global failed
    failed += 1
    print('FAIL ' + msg)


def layer_of(path):
    """The layer of a file of the tree (None: not a layered file)."""
    parts = path.split('/')
    if parts[0] == 'include':
        return OWNER.get(parts[1])
    if parts[0] == 'src':
        return 'main' if len(parts) == 2 else parts[1]
    return None


files = []
for d in ('src', 'include'):
    for root, _, names in os.walk(os.path.join(TOP, d)):
        for n in names:
            if n.endswith(('.c', '.h')):
                files.append(os.path.relpath(os.path.join(root, n), TOP))
files.sort()

for f in files:
    if f.startswith('include/') and layer_of(f) is None:
        breach(f'{f}: a header of include/ with no layer: add it to OWNER in {os.path.relpath(__file__, TOP)}')

graph = {}
for f in files:
    text = open(os.path.join(TOP, f), encoding='utf-8', errors='replace').read()
    mine = layer_of(f)
    edges = []
    ok = True
    for kind, inc in INCLUDE.findall(text):
        if kind == '<':
            for pat, lib, allowed in ROOMS:
                if pat.match(inc) and not allowed(f):
                    breach(f'{f}: includes <{inc}>: {lib} lives behind its own room')
                    ok = False
            continue
        if inc == 'config.h':
            continue
        if '/' in inc:
            breach(f'{f}: includes "{inc}" by path: use the folder\'s header in include/')
            ok = False
            continue
        target = None
        for cand in (os.path.join(os.path.dirname(f), inc), os.path.join('include', inc)):
            if os.path.exists(os.path.join(TOP, cand)):
                target = os.path.normpath(cand)
                break
        if target is None:
            continue  # a system header written with quotes
        edges.append(target)
        theirs = layer_of(target)
        if mine and theirs and LAYERS.index(theirs) > LAYERS.index(mine):
            breach(f'{f} ({mine}) includes {inc} ({theirs}): a lower layer includes a higher one')
            ok = False
    graph[f] = edges
    if ok:
        passed += 1

# Include cycles, by depth-first search.
state = {}


def visit(node, stack):
    state[node] = 1
    stack.append(node)
    for nxt in graph.get(node, []):
        if state.get(nxt) == 1:
            cycle = stack[stack.index(nxt):] + [nxt]
            breach('include cycle: ' + ' -> '.join(cycle))
        elif state.get(nxt) is None:
            visit(nxt, stack)
    stack.pop()
    state[node] = 2


for f in files:
    if state.get(f) is None:
        visit(f, [])

print(f'layout: {passed} passed, {failed} failed')
sys.exit(1 if failed else 0)
