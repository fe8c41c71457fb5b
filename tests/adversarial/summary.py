#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Read tlsdiag's end-of-run summary, for tests/adversarial/adversarial.sh.

    summary.py text FILE        the text report's summary (its last lines)
    summary.py json FILE        the JSON Lines report's {"summary": {...}} line
    summary.py conns FILE EXPR  JSON connection lines (those with "id") for
                                which the Python expression EXPR, with the
                                line as c, is true: prints their count

text and json print "key value" lines under the same names, so the test
reads either the same way:

    connections established failed incomplete     connections reported
    frames flows tls_connections flows_idle gap_bytes
    flows_evicted        flows dropped: the flow table was full
    flow_buffer_bytes    bytes dropped by the per-flow buffer cap
    memory_bytes         bytes dropped by the global memory cap
    events certs list_items anomalies stream_bytes
                         per-connection drops, summed
    dropped.OTHER        (json) any other key of summary.dropped
    other:WHAT           (text) any other item of "dropped by caps:"

json prints "no-summary 1" when the report has no summary line (and
exits 0: the test then falls back on the text report); a line that is
not JSON is an error (exit 1).
"""
import json
import re
import sys

TEXT_DROPS = {
    'flows evicted (flow table full)': 'flows_evicted',
    'bytes (per-flow buffer cap)': 'flow_buffer_bytes',
    'bytes (memory cap)': 'memory_bytes',
    'timeline events': 'events',
    'certificates': 'certs',
    'list items': 'list_items',
    'anomalies': 'anomalies',
    'stream bytes': 'stream_bytes',
    'STARTTLS plaintext bytes (preamble cap)': 'starttls_bytes',
    'STARTTLS steps (cap per connection)': 'starttls_steps',
}
TEXT_CAPTURE = {
    'frames': 'frames', 'flows': 'flows', 'flow': 'flows', 'with TLS': 'tls_connections',
}


def items(rest):
    """'12 frames, 3 flows' -> [(12, 'frames'), (3, 'flows')]"""
    out = []
    for part in rest.split(', '):
        m = re.match(r'\s*(\d+) (.+?)\s*$', part)
        if m:
            out.append((int(m.group(1)), m.group(2)))
    return out


def text_summary(path):
    with open(path, encoding='utf-8', errors='replace') as f:
        lines = f.read().splitlines()
    start = None
    for i, line in enumerate(lines):
        if re.match(r'^\d+ TLS connections?( and \d+ STARTTLS exchanges? without TLS)?: ',
                    line):
            start = i
    if start is None:
        return None
    # join wrapped items: a continuation line starts with spaces
    joined = []
    for line in lines[start:]:
        if line.startswith(' ') and joined:
            joined[-1] += ' ' + line.strip()
        elif line:
            joined.append(line)
    out = {}
    # STARTTLS exchanges that never began TLS are reported connections
    # too, named apart in the text.
    m = re.match(r'^(\d+) TLS connections?(?: and (\d+) STARTTLS exchanges? without TLS)?: '
                 r'(\d+) established, (\d+) failed, (\d+) incomplete', joined[0])
    if m:
        out['connections'] = int(m.group(1)) + int(m.group(2) or 0)
        for k, v in zip(('established', 'failed', 'incomplete'), m.groups()[2:]):
            out[k] = int(v)
    for line in joined[1:]:
        label, _, rest = line.partition(': ')
        if label == 'capture':
            for n, what in items(rest):
                if what in TEXT_CAPTURE:
                    out[TEXT_CAPTURE[what]] = n
        elif label == 'not analysed':
            for n, what in items(rest):
                if what == 'flows ended by the idle timeout':
                    out['flows_idle'] = n
        elif label == 'gaps':
            for n, what in items(rest):
                if what == 'stream bytes never captured':
                    out['gap_bytes'] = n
        elif label == 'dropped by caps':
            for n, what in items(rest):
                out[TEXT_DROPS.get(what, 'other:' + what.replace(' ', '_'))] = n
    return out


def json_lines(path):
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def json_summary(path):
    s = None
    for obj in json_lines(path):
        if isinstance(obj, dict) and 'summary' in obj and 'id' not in obj:
            s = obj['summary']
    if s is None:
        return None
    out = {}
    for k in ('connections', 'with_errors'):
        if k in s:
            out[k] = s[k]
    for k, v in (s.get('by_outcome') or {}).items():
        out[k] = v
    cap = s.get('capture') or {}
    for k in ('frames', 'flows', 'tls_connections', 'flows_idle', 'gap_bytes'):
        if k in cap:
            out[k] = cap[k]
    known = {'flows_evicted', 'flow_buffer_bytes', 'memory_bytes', 'events', 'certs',
             'list_items', 'anomalies', 'stream_bytes'}
    for k, v in (s.get('dropped') or {}).items():
        out[k if k in known else 'dropped.' + k] = v
    return out


def main(argv):
    if len(argv) < 3 or argv[1] not in ('text', 'json', 'conns'):
        sys.exit(__doc__)
    mode, path = argv[1], argv[2]
    if mode == 'conns':
        expr = compile(argv[3], 'EXPR', 'eval')
        n = sum(1 for c in json_lines(path)
                if isinstance(c, dict) and 'id' in c and eval(expr, {}, {'c': c}))
        print(n)
        return 0
    try:
        s = text_summary(path) if mode == 'text' else json_summary(path)
    except ValueError as e:
        print('summary.py: %s: not JSON Lines: %s' % (path, e), file=sys.stderr)
        return 1
    if s is None:
        print('no-summary 1')
        return 0
    for k, v in s.items():
        print('%s %s' % (k, v))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
