#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tests/layout/calls.py - calls go one way, checked on the built objects.

check.py reads the #include graph; this reads the call graph, which an
include check cannot see (a function declared in a shared header may
call back up).  For every object file of src/ (found under
$top_builddir/src), `nm` gives the global symbols it defines and the
ones it uses; a file uses another when it refers to a symbol the other
defines.  Calls through a function pointer (the sink interface, a
callback) are not references, which is the point: an interface is how
a lower layer hands something up.

1. Between folders, calls go down the layers of check.py (LAYERS): a
   folder calls its own layer or the layers below, never above.
2. No cycle between folders (src/render/json and src/render count as
   two folders).
3. No cycle between the files of one folder.

Prints one line per breach and a closing "calls: N passed, N failed";
exits 77 (SKIP, said loudly) when no object file is found.
"""
import glob
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.environ.get('top_srcdir') or os.path.join(HERE, '..', '..'))
BUILD = os.path.abspath(os.environ.get('top_builddir') or os.path.join(TOP, 'build'))

LAYERS = ['util', 'decomp', 'net', 'capture', 'model', 'redact', 'crypto', 'quic', 'starttls', 'tls', 'x509', 'app', 'diagnose', 'engine', 'render', 'outfile', 'tui', 'main']


def layer_of(src):
    parts = src.split('/')
    return 'main' if len(parts) == 2 else parts[1]


def source_of(obj):
    """src/tls/libtls_a-names.o -> src/tls/names.c (automake's per-target
    prefix dropped)."""
    rel = os.path.relpath(obj, BUILD)
    d, base = os.path.split(rel)
    base = re.sub(r'^[A-Za-z0-9_]+-', '', base) if '-' in base else base
    return os.path.join(d, base[:-2] + '.c')


# Objects whose source is gone (a file moved) do not count; of two
# objects of one source (an older build's naming), the newest does.
newest = {}
for o in glob.glob(os.path.join(BUILD, 'src', '**', '*.o'), recursive=True):
    src = source_of(o)
    if os.path.exists(os.path.join(TOP, src)) and \
            (src not in newest or os.path.getmtime(o) > os.path.getmtime(newest[src])):
        newest[src] = o
objs = list(newest.values())
if not objs:
    print(f'SKIPPED: calls: no object files under {BUILD}/src: build first')
    sys.exit(77)

defines = {}   # symbol -> source file
uses = {}      # source file -> set of symbols
# One nm for all the objects (-A: each line starts "OBJECT: "), in the
# order of the sorted objects, so that the first definer still wins.
objs.sort()
out = subprocess.run(['nm', '-P', '-A'] + objs, capture_output=True, text=True, check=True).stdout
for o in objs:
    uses.setdefault(source_of(o), set())
for line in out.splitlines():
    o, sep, rest = line.partition(': ')
    f = rest.split()
    if not sep or len(f) < 2:
        continue
    src = source_of(o)
    sym, kind = f[0], f[1]
    if kind == 'U':
        uses[src].add(sym)
    elif kind in 'TDBRGSVW' and kind.isupper():
        defines.setdefault(sym, src)

edges = {}     # file -> {file: example symbol}
for src, syms in uses.items():
    for s in sorted(syms):
        dst = defines.get(s)
        if dst and dst != src:
            edges.setdefault(src, {}).setdefault(dst, s)

passed = 0
failed = 0


def breach(msg):
    global failed
    failed += 1
    print('FAIL ' + msg)


# 1. Direction between layers.
for src, dsts in sorted(edges.items()):
    ok = True
    for dst, sym in sorted(dsts.items()):
        a, b = layer_of(src), layer_of(dst)
        if LAYERS.index(b) > LAYERS.index(a):
            breach(f'{src} ({a}) calls {sym}() of {dst} ({b}): a lower layer calls a higher one')
            ok = False
    if ok:
        passed += 1


def cycles(graph):
    """Each cycle found by depth-first search, as a list of nodes."""
    state, found = {}, []

    def visit(n, stack):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                found.append(stack[stack.index(m):] + [m])
            elif state.get(m) is None:
                visit(m, stack)
        stack.pop()
        state[n] = 2

    for n in sorted(graph):
        if state.get(n) is None:
            visit(n, [])
    return found


# 2. Folders.
fgraph = {}
for src, dsts in edges.items():
    for dst in dsts:
        a, b = os.path.dirname(src), os.path.dirname(dst)
        if a != b:
            fgraph.setdefault(a, set()).add(b)
for cyc in cycles(fgraph):
    hops = []
    for a, b in zip(cyc, cyc[1:]):
        ex = next((f'{s} -> {d} ({sym})' for s, ds in sorted(edges.items()) for d, sym in sorted(ds.items())
                   if os.path.dirname(s) == a and os.path.dirname(d) == b), '')
        hops.append(ex)
    breach('folder call cycle: ' + ' -> '.join(cyc) + ': ' + '; '.join(hops))
passed += 1 if not cycles(fgraph) else 0

# 3. Files of one folder.
by_dir = {}
for src, dsts in edges.items():
    for dst, sym in dsts.items():
        if os.path.dirname(src) == os.path.dirname(dst):
            by_dir.setdefault(os.path.dirname(src), {}).setdefault(src, set()).add(dst)
for d in sorted(set(os.path.dirname(s) for s in uses)):
    cs = cycles(by_dir.get(d, {}))
    for cyc in cs:
        hops = [f'{a} -> {b} ({edges[a][b]})' for a, b in zip(cyc, cyc[1:])]
        breach(f'call cycle in {d}: ' + '; '.join(hops))
    if not cs:
        passed += 1

print(f'calls: {passed} passed, {failed} failed')
sys.exit(1 if failed else 0)
