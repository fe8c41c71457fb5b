# SPDX-License-Identifier: GPL-2.0-or-later
"""captures/tsjson.py - what the fact extractors share: reading tshark's
JSON (-T json) and openssl's cipher names.  Used by extract-facts.py (the
openssl lab) and real/facts.py (the real-server lab); facts come from
tshark and openssl only, never from tlsdiag."""
import re
import subprocess


def run(cmd, data=None):
    return subprocess.run(cmd, input=data, capture_output=True, check=True).stdout.decode()


def cipher_names():
    """IANA cipher suite value -> standard name, from openssl."""
    names = {}
    for line in run(["openssl", "ciphers", "-V", "-stdname", "ALL:COMPLEMENTOFALL"]).splitlines():
        m = re.match(r"\s*0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)", line)
        if m:
            names[int(m[1] + m[2], 16)] = m[3]
    return names


def as_list(v):
    return v if isinstance(v, list) else [v]


def walk(obj, key):
    """All values of `key` under obj, in document order (lists flattened)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == key:
                yield from as_list(v)
            else:
                yield from walk(v, key)
    elif isinstance(obj, list):
        for x in obj:
            yield from walk(x, key)


def first(obj, key, default=None):
    return next(walk(obj, key), default)


def records(obj):
    """TLS record dicts (having a content or opaque type), in order."""
    if isinstance(obj, dict):
        if "tls.record.content_type" in obj or "tls.record.opaque_type" in obj:
            yield obj
            return
        for v in obj.values():
            yield from records(v)
    elif isinstance(obj, list):
        for x in obj:
            yield from records(x)


def handshakes(rec):
    for h in as_list(rec.get("tls.handshake", [])):
        if isinstance(h, dict) and "tls.handshake.type" in h:
            yield h


def fmt_ep(v4, v6, port):
    """An endpoint as tlsdiag and the facts write it: 1.2.3.4:443, [::1]:443."""
    return f"[{v6}]:{port}" if v6 else f"{v4}:{port}"
