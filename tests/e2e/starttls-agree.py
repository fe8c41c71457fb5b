#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""starttls-agree.py -- do tlsdiag and tshark agree on the TLS inside
STARTTLS connections?  (issue 17, "Done when": SNI, version, cipher and
certificate subjects agree with tshark on all STARTTLS captures.)

Per connection (matched by the client's IP:PORT) it compares tlsdiag -o json
(sni, version, cipher, the subjects of server_certs / client_certs, and
starttls: the protocol) with tshark's facts:
  - the real-server lab (captures/real): the STARTTLS captures (starttls-*,
    smtp-starttls-*, pg-*), each without and with its key log, against the
    facts tshark wrote in captures/real/expected/NAME.facts and
    NAME.decrypted.facts (facts.py); lab/FILE.crt names are turned into
    subjects with openssl (certificate subjects skipped, loudly, without
    openssl).  Runs in `make check`, no tshark needed.
  - the public corpus (../shared/corpus), when it exists (skipped loudly
    otherwise): tshark at test time (skipped loudly without it), with
    decode-as rules for the upgrades its dissectors do not follow.
A subject is compared as the set of its RDNs (tlsdiag writes them from the
top, openssl's RFC 2253 from the bottom).  KNOWN below lists differences
where tshark is the one that is wrong, each with the reason.  Exit 1 on any
other difference, 77 when nothing could be checked.

usage: starttls-agree.py [TLSDIAG [TOP_SRCDIR [CORPUS]]]
"""
import json
import os
import re
import shutil
import subprocess
import sys

TOP = os.environ.get("top_srcdir", ".")
TLSDIAG = os.path.join(os.environ.get("top_builddir", "."), "src", "tlsdiag")
if len(sys.argv) > 1:
    TLSDIAG = sys.argv[1]
if len(sys.argv) > 2:
    TOP = sys.argv[2]
REAL = os.path.join(TOP, "captures", "real")
LAB = os.path.join(TOP, "captures", "lab")
CORPUS = os.path.join(TOP, "..", "shared", "corpus")
if len(sys.argv) > 3:
    CORPUS = sys.argv[3]
sys.path.insert(0, os.path.join(TOP, "captures"))

# The lab's STARTTLS captures: the plaintext protocol of facts.py's step
# lines -> tlsdiag's "starttls" name.
LAB_PREFIXES = ("starttls-", "smtp-starttls-", "pg-")
STEP_PROTO = {"smtp": "smtp", "imap": "imap", "pop": "pop3", "ftp": "ftp", "ldap": "ldap",
              "pgsql": "postgres", "mysql": "mysql", "xmpp": "xmpp"}

# The public captures with STARTTLS (MANIFEST.md), the protocol, and the
# tshark decode-as rules: tshark 4.0's FTP dissector does not follow AUTH
# TLS (decode the control port as TLS: the TLS fields are what counts here),
# and a non-standard port needs its protocol named.
CORPUS_CAPS = [
    ("zeek/xmpp-dialback-starttls.pcap", "xmpp", []),
    ("zeek/pop3-starttls.pcap", "pop3", []),
    ("zeek/ldap-starttls.pcap", "ldap", []),
    ("zeek/tls-12-amazon-rds.pcap", "mysql", []),
    ("zeek/psql-aws-ssl-require.pcap", "postgres", []),
    ("zeek/ftp-auth-tls.pcap", "ftp", ["tcp.port==21,tls"]),
    ("suricata-verify/smtp-startssl/input.pcap", "smtp", []),
    ("nDPI/ftp-start-tls.pcap", "ftp", ["tcp.port==21,tls"]),
    ("nDPI/smtp-starttls.pcap", "smtp", []),
    ("wireshark-notes/tls/xmpp-ssl.pcapng", "xmpp", []),
    ("wireshark-notes/tls/smtp2525-ssl.pcapng", "smtp", ["tcp.port==2525,smtp"]),
    ("wireshark-notes/tls/ldap-ssl.pcapng", "ldap", []),
]

# Corpus captures whose plaintext, before or after TLS, is all protocol
# (issue 17: "no plaintext preamble is reported as a non-TLS anomaly"), and
# the STARTTLS step each must show.  nDPI's FTP session goes back to
# plaintext after CCC (RFC 4217 12.3): both sides' encrypted alerts, then
# PASV and STOR in clear, one "cleared" step.
CLEAN = {
    "nDPI/ftp-start-tls.pcap": "cleared",
    "zeek/xmpp-dialback-starttls.pcap": "answer",
    "wireshark-notes/tls/xmpp-ssl.pcapng": "answer",
}

# (capture, client IP:PORT or "*", field) -> why the two differ, each read
# from the bytes.  Printed on every run, never silent.
KNOWN = {
    ("wireshark-notes/tls/xmpp-ssl.pcapng", "192.168.97.167:46553", "server_certs"):
        "TLSDIAG LIMITATION (man page BUGS): the leaf's subject holds description=u4bUqMecBipRWEZy "
        "(OID 2.5.4.13, in the DER: openssl and tshark show it); wolfSSL 5.5.4 drops the "
        "attributes it does not decode (wolfSSL_X509_NAME_entry_count says 6, not 7), and "
        "tlsdiag may not parse the name's DER itself",
}

# Suites OpenSSL 3 no longer lists (`openssl ciphers -V` knows no RC4 or
# 3DES suites any more): their IANA names (RFC 5246 Appendix A.5).
LEGACY_SUITES = {0x0004: "TLS_RSA_WITH_RC4_128_MD5", 0x0005: "TLS_RSA_WITH_RC4_128_SHA",
                 0x000a: "TLS_RSA_WITH_3DES_EDE_CBC_SHA"}

VERSIONS = {0x0304: "TLS 1.3", 0x0303: "TLS 1.2", 0x0302: "TLS 1.1", 0x0301: "TLS 1.0",
            0x0300: "SSL 3.0"}
HRR_RANDOM = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"


def rdns(subject):
    """A subject as a set of RDNs: 'O=LMT Corp,CN=x' == 'CN=x,O=LMT Corp'."""
    if subject is None:
        return None
    parts = re.split(r"(?<!\\),\s*", subject.strip())
    return frozenset(p.strip() for p in parts if p.strip())


def openssl_subject(pem_or_der, der=False):
    cmd = ["openssl", "x509", "-noout", "-subject", "-nameopt", "RFC2253"]
    if der:
        cmd[2:2] = ["-inform", "DER"]
    out = subprocess.run(cmd, input=pem_or_der, capture_output=True).stdout.decode()
    return out.strip().split("=", 1)[1] if out.startswith("subject=") else None


LAB_SUBJECTS = {}


def lab_subject(ref):
    """'lab/server.crt' -> its subject (openssl); other facts are subjects already."""
    if not ref.startswith("lab/"):
        return ref
    if ref not in LAB_SUBJECTS:
        with open(os.path.join(LAB, ref[4:]), "rb") as f:
            LAB_SUBJECTS[ref] = openssl_subject(f.read())
    return LAB_SUBJECTS[ref]


def tlsdiag_view(pcap, keylog=None):
    """client IP:PORT -> the fields compared, from tlsdiag -o json."""
    cmd = [TLSDIAG, "-r", pcap, "-o", "json"] + (["-k", keylog] if keylog else [])
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    view = {}
    for line in out.splitlines():
        try:
            c = json.loads(line)
        except ValueError:
            continue
        if not isinstance(c, dict) or "client" not in c:
            continue
        view[c["client"]] = {
            "sni": c.get("sni"), "version": c.get("version"), "cipher": c.get("cipher"),
            "starttls": c.get("starttls"),
            "server_certs": [x.get("subject") for x in c.get("server_certs") or []],
            "client_certs": [x.get("subject") for x in c.get("client_certs") or []],
            "non_tls": [a.get("code") for a in c.get("anomalies") or []
                        if str(a.get("code", "")).startswith("non_tls")],
            "steps": [e.get("step") for e in c.get("timeline") or [] if e.get("step")],
        }
    return view


def facts_view(path):
    """client IP:PORT -> the same fields, from a lab facts file (tshark's)."""
    conns, by_n = {}, {}
    for line in open(path):
        if line.startswith("# ---- expected"):
            break
        m = re.match(r"(\d+) (\S+) (.*)", line.rstrip("\n"))
        if not m:
            continue
        n, key, val = m.groups()
        c = by_n.setdefault(n, {"server_certs": [], "client_certs": [], "certs_seen": set(),
                                "starttls": None})
        if key == "client":
            conns[val] = c
        elif key in ("sni", "version", "cipher"):
            c[key] = None if val == "-" else val
        elif re.fullmatch(r"(server|client)_cert\.\d+", key):
            side = key.split("_")[0]
            c["certs_seen"].add(side)
            c[side + "_certs"].append(lab_subject(val))
        elif re.fullmatch(r"(server|client)_cert\.count", key):
            c["certs_seen"].add(key.split("_")[0])
        elif re.fullmatch(r"(server|client)_cert", key):
            pass    # not-extracted: nothing to compare
        else:
            proto = key.split(".")[0]
            if proto in STEP_PROTO and c["starttls"] is None and re.fullmatch(r"\w+\.\d+", key):
                c["starttls"] = STEP_PROTO[proto]
    return conns


def tshark_view(pcap, decode):
    """client IP:PORT -> the same fields, from tshark at test time."""
    from tsjson import cipher_names, first, fmt_ep, handshakes, records, walk
    d = []
    for x in decode:
        d += ["-d", x]
    out = subprocess.run(["tshark", "-r", pcap, "-o", "tls.keylog_file:"] + d +
                         ["-T", "json", "--no-duplicate-keys", "-J", "frame ip ipv6 tcp tls"],
                         capture_output=True).stdout.decode()
    ciphers = dict(LEGACY_SUITES)
    ciphers.update(cipher_names())
    streams = {}
    for fr in json.loads(out) if out.strip() else []:
        L = fr["_source"]["layers"]
        if "tcp" not in L:
            continue
        tcp, ip, ip6 = L["tcp"], L.get("ip") or {}, L.get("ipv6") or {}
        src = fmt_ep(ip.get("ip.src"), ip6.get("ipv6.src"), tcp["tcp.srcport"])
        c = streams.setdefault(tcp["tcp.stream"], {"client": None, "sni": None, "version": None,
                                                  "cipher": None, "server_certs": [],
                                                  "client_certs": [], "certs_seen": set(),
                                                  "ch": False})
        for rec in records(L.get("tls", {})):
            for h in handshakes(rec):
                ht = int(h["tls.handshake.type"])
                if ht == 1 and not c["ch"]:
                    c["ch"], c["client"] = True, src
                    c["sni"] = first(h, "tls.handshake.extensions_server_name")
                elif ht == 2 and c["version"] is None and \
                        first(h, "tls.handshake.random", "").replace(":", "") != HRR_RANDOM:
                    sv = first(h, "tls.handshake.extensions.supported_version")
                    ver = int(sv or h["tls.handshake.version"], 16)
                    c["version"] = VERSIONS.get(ver, hex(ver))
                    cs = int(h["tls.handshake.ciphersuite"], 16)
                    c["cipher"] = ciphers.get(cs, "0x%04x" % cs)
                elif ht == 11 and c["client"]:
                    side = "client" if src == c["client"] else "server"
                    if side in c["certs_seen"]:
                        continue    # a renegotiation's: the first is compared
                    c["certs_seen"].add(side)
                    c[side + "_certs"] = [openssl_subject(bytes.fromhex(x.replace(":", "")), True)
                                          for x in walk(h, "tls.handshake.certificate")]
    return {c["client"]: c for c in streams.values() if c["client"]}


def compare(label, cap, want, got, proto=None, certs=True):
    """Differences between tshark's view (want) and tlsdiag's (got)."""
    bad, n = [], 0
    for client, w in sorted(want.items()):
        g = got.get(client)
        if g is None:
            if w.get("version") or w.get("sni"):
                bad.append(f"{label} {client}: tlsdiag shows no such connection")
            continue
        n += 1
        checks = [("sni", w.get("sni"), g["sni"]), ("version", w.get("version"), g["version"]),
                  ("cipher", w.get("cipher"), g["cipher"])]
        p = proto or w.get("starttls")
        if p:
            checks.append(("starttls", p, g["starttls"]))
        if certs:
            for side in ("server", "client"):
                if side in w["certs_seen"]:
                    checks.append((side + "_certs", [rdns(s) for s in w[side + "_certs"]],
                                   [rdns(s) for s in g[side + "_certs"]]))
        for field, a, b in checks:
            if a == b:
                continue
            why = KNOWN.get((cap, client, field)) or KNOWN.get((cap, "*", field))
            if why:
                print(f"known {label} {client} {field}: tshark {a!r}, tlsdiag {b!r}: {why}")
                continue
            bad.append(f"{label} {client} {field}: tshark {a!r}, tlsdiag {b!r}")
    return bad, n


def main():
    if not os.access(TLSDIAG, os.X_OK):
        print(f"starttls-agree: no tlsdiag at {TLSDIAG}", file=sys.stderr)
        return 2
    have_openssl = shutil.which("openssl") is not None
    if not have_openssl:
        print("starttls-agree: SKIPPING certificate subjects of the lab: openssl not installed")
    bad, n_conn, n_files = [], 0, 0
    exp = os.path.join(REAL, "expected")
    for f in sorted(os.listdir(exp)):
        if not f.endswith(".facts") or not f.startswith(LAB_PREFIXES):
            continue
        name = f.split(".")[0]
        keys = f.endswith(".decrypted.facts")
        pcap = os.path.join(REAL, name + ".pcap")
        want = facts_view(os.path.join(exp, f))
        got = tlsdiag_view(pcap, os.path.join(REAL, name + ".keylog") if keys else None)
        b, n = compare(name + (" -k" if keys else ""), name, want, got, certs=have_openssl)
        bad += b
        n_conn += n
        n_files += 1
    print(f"starttls-agree: lab: {n_files} facts files, {n_conn} connections compared")
    if not os.path.isdir(CORPUS):
        print(f"starttls-agree: SKIPPING the public corpus: {CORPUS} does not exist")
    elif not shutil.which("tshark") or not have_openssl:
        print("starttls-agree: SKIPPING the public corpus: tshark or openssl not installed")
    else:
        n_c = 0
        for rel, proto, decode in CORPUS_CAPS:
            pcap = os.path.join(CORPUS, rel)
            if not os.path.exists(pcap):
                bad.append(f"corpus {rel}: missing")
                continue
            got = tlsdiag_view(pcap)
            b, n = compare(rel, rel, tshark_view(pcap, decode), got, proto)
            bad += b
            if rel in CLEAN:
                ups = [g for g in got.values() if g["starttls"] == proto]
                if not ups or any(g["non_tls"] for g in ups) or \
                        not any(CLEAN[rel] in g["steps"] for g in ups):
                    bad.append(f"corpus {rel}: wanted no non-TLS anomaly and a '{CLEAN[rel]}' "
                               f"step: {[(g['non_tls'], g['steps']) for g in ups]}")
            n_c += n
        print(f"starttls-agree: corpus: {len(CORPUS_CAPS)} captures, {n_c} connections compared")
        n_conn += n_c
    for b in bad:
        print("FAIL", b)
    print(f"starttls-agree: {n_conn} connections compared, {len(bad)} differences")
    if n_conn == 0:
        return 77
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
