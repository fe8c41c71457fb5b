#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""extract-facts.py -- write the expected facts of one lab capture.

Used by make-captures.sh (step "facts").  The facts are taken from tshark's
dissection of the capture and from openssl's reading of the certificates and
distinguished names tshark extracted; tlsdiag is never involved.  Python only
glues the two tools together (it walks tshark's JSON and splits the TLS
length-prefixed DN list; all ASN.1/X.509 decoding is done by openssl).

  --facts      facts visible WITHOUT the key log (tshark -o tls.keylog_file:)
  --decrypted  facts tshark shows WITH the key log (TLS 1.3 captures)

  --diag / --diag-decrypted
               the scenario's expected diagnoses (from make-captures.sh, never
               from tlsdiag): "N diag.K ..." lines, each after '#' comments
               whose placeholders ({alert.0}, {dalert.0}, {ch}, {fin.client}...,
               see placeholders()) become frame numbers of connection N.

Every TCP connection of the capture is a connection of the facts, TLS or not
(numbered in tcp.stream order), so that refused, unanswered or non-TLS flows
have facts too.

Format: "<conn> <key> <value>" per line, '#' comments.  See README.md.
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

from tsjson import cipher_names, first, fmt_ep, handshakes, records, run, walk

ALERT_LEVELS = {1: "warning", 2: "fatal"}
# IANA "TLS Alerts" registry
ALERT_DESCS = {
    0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac",
    21: "decryption_failed_RESERVED", 22: "record_overflow",
    30: "decompression_failure_RESERVED", 40: "handshake_failure",
    41: "no_certificate_RESERVED", 42: "bad_certificate",
    43: "unsupported_certificate", 44: "certificate_revoked",
    45: "certificate_expired", 46: "certificate_unknown",
    47: "illegal_parameter", 48: "unknown_ca", 49: "access_denied",
    50: "decode_error", 51: "decrypt_error", 60: "export_restriction_RESERVED",
    70: "protocol_version", 71: "insufficient_security", 80: "internal_error",
    86: "inappropriate_fallback", 90: "user_canceled",
    100: "no_renegotiation_RESERVED", 109: "missing_extension",
    110: "unsupported_extension", 111: "certificate_unobtainable_RESERVED",
    112: "unrecognized_name", 113: "bad_certificate_status_response",
    114: "bad_certificate_hash_value_RESERVED", 115: "unknown_psk_identity",
    116: "certificate_required", 120: "no_application_protocol",
}
VERSIONS = {0x0304: "TLS 1.3", 0x0303: "TLS 1.2", 0x0302: "TLS 1.1",
            0x0301: "TLS 1.0", 0x0300: "SSL 3.0"}
HRR_RANDOM = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"
# openssl asn1parse long names -> RFC 4514 short names
DN_SHORT = {"commonName": "CN", "organizationName": "O",
            "organizationalUnitName": "OU", "countryName": "C",
            "localityName": "L", "stateOrProvinceName": "ST",
            "streetAddress": "STREET", "domainComponent": "DC",
            "userId": "UID"}


def tshark_json(pcap, keylog):
    out = run(["tshark", "-r", pcap, "-o", "tls.keylog_file:" + (keylog or ""),
               "-Y", "tls", "-T", "json", "-x", "--no-duplicate-keys",
               "-J", "frame ip ipv6 tcp tls"])
    return json.loads(out) if out.strip() else []


def hexbytes(v):
    return bytes.fromhex(v.replace(":", ""))


# ---------------------------------------------------------------- openssl
def cert_facts(der):
    """(subject, issuer, SAN or None, sha256) of a DER certificate, as one
    `openssl x509 -subject -issuer -ext subjectAltName -fingerprint` prints them."""
    out = run(["openssl", "x509", "-inform", "DER", "-noout", "-nameopt", "RFC2253",
               "-subject", "-issuer", "-ext", "subjectAltName",
               "-fingerprint", "-sha256"], der)
    subj = issuer = fp = None
    san, in_san = [], False
    for l in out.splitlines():
        if l.startswith("subject="):
            subj, in_san = l[len("subject="):], False
        elif l.startswith("issuer="):
            issuer, in_san = l[len("issuer="):], False
        elif l.startswith("X509v3 Subject Alternative Name:"):
            in_san = True
        elif l.startswith("sha256 Fingerprint="):
            fp, in_san = l.split("=", 1)[1].replace(":", "").lower(), False
        elif in_san and l.startswith(" "):
            san.append(l.strip())
        else:
            in_san = False
    assert subj is not None and issuer is not None and fp, out
    return subj.strip(), issuer.strip(), ", ".join(san) if san else None, fp


def rfc2253_escape(v):
    v = re.sub(r'([,+"\\<>;])', r"\\\1", v)
    if v.startswith(("#", " ")):
        v = "\\" + v
    if v.endswith(" "):
        v = v[:-1] + "\\ "
    return v


def dn_rfc2253(der):
    """RFC 2253 string of a DER Name, from `openssl asn1parse`."""
    rdns, obj = [], None
    for line in run(["openssl", "asn1parse", "-inform", "DER"], der).splitlines():
        m = re.match(r"\s*\d+:d=(\d+)\s+hl=\s*\d+\s+l=\s*\d+\s+(cons|prim):\s*(\S+)\s*(?::(.*))?$", line)
        if not m:
            raise ValueError("asn1parse: " + line)
        depth, kind, typ, val = int(m[1]), m[2], m[3], m[4]
        if depth == 1 and typ == "SET":
            rdns.append([])
        elif depth == 3 and typ == "OBJECT":
            obj = val.strip()
        elif depth == 3 and kind == "prim":
            if obj not in DN_SHORT:
                raise ValueError("no short name for " + obj)
            rdns[-1].append(DN_SHORT[obj] + "=" + rfc2253_escape(val))
    return ",".join("+".join(r) for r in reversed(rdns))


def split_dnames(raw):
    """tshark's tls.handshake.dnames bytes: a list of uint16-length DNs."""
    out, i = [], 0
    while i < len(raw):
        n = int.from_bytes(raw[i:i + 2], "big")
        out.append(raw[i + 2:i + 2 + n])
        i += 2 + n
    assert i == len(raw), "bad DN list"
    return out


class Lab:
    """Fingerprints and subjects of captures/lab/*.crt, to annotate facts."""

    def __init__(self, lab):
        self.by_fp, self.by_subject = {}, {}
        for f in sorted(glob.glob(os.path.join(lab, "*.crt"))):
            if os.path.basename(f) == "chain.crt":
                continue
            der = subprocess.run(["openssl", "x509", "-in", f, "-outform", "DER"],
                                 capture_output=True, check=True).stdout
            subj, _, _, fp = cert_facts(der)
            name = "lab/" + os.path.basename(f)
            self.by_fp[fp] = name
            self.by_subject.setdefault(subj, name)


# ---------------------------------------------------------------- tshark
def endpoints(pcap):
    """tcp.stream -> (client, server) from the SYN."""
    out = run(["tshark", "-r", pcap, "-Y", "tcp.flags.syn==1 && tcp.flags.ack==0",
               "-T", "fields", "-e", "tcp.stream", "-e", "ip.src", "-e", "ipv6.src",
               "-e", "tcp.srcport", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport"])
    eps = {}
    for line in out.splitlines():
        st, s4, s6, sp, d4, d6, dp = line.split("\t")
        eps.setdefault(int(st), (fmt_ep(s4, s6, sp), fmt_ep(d4, d6, dp)))
    return eps


def extract(pcap, keylog, lab, ciphers, oc):
    frames = tshark_json(pcap, keylog)
    eps = endpoints(pcap)
    conns = {}       # stream -> dict, insertion order = capture order

    def new_conn(ends):
        return {"ends": ends, "sni": None, "version": None,
                "cipher": None, "alerts": [], "server_cert": None,
                "client_cert": None, "cas": None, "opaque": 0,
                "frames": []}
    # every TCP connection opened in the capture, TLS or not (tcp.stream
    # numbers follow capture order)
    for st in sorted(eps):
        conns[st] = new_conn(eps[st])
    for fr in frames:
        L = fr["_source"]["layers"]
        ip = L.get("ip") or {}
        ip6 = L.get("ipv6") or {}
        tcp = L["tcp"]
        st = int(tcp["tcp.stream"])
        src = fmt_ep(ip.get("ip.src"), ip6.get("ipv6.src"), tcp["tcp.srcport"])
        dst = fmt_ep(ip.get("ip.dst"), ip6.get("ipv6.dst"), tcp["tcp.dstport"])
        c = conns.setdefault(st, new_conn(eps.get(st)))
        for rec in records(L.get("tls", {})):
            ct = rec.get("tls.record.content_type")
            if ct is None:                       # TLS 1.3 record tshark could not open
                c["opaque"] += 1
                continue
            ct = int(ct)
            if ct == 21:
                am = rec.get("tls.alert_message")
                c["alerts"].append((src, am if isinstance(am, dict) else None, fr))
            elif ct == 22:
                for h in handshakes(rec):
                    ht = int(h["tls.handshake.type"])
                    if ht == 1:
                        if c["ends"] is None:
                            c["ends"] = (src, dst)
                        c["sni"] = first(h, "tls.handshake.extensions_server_name", "-")
                    elif ht == 2:
                        if first(h, "tls.handshake.random", "").replace(":", "") == HRR_RANDOM:
                            continue
                        sv = first(h, "tls.handshake.extensions.supported_version")
                        v = int(sv or h["tls.handshake.version"], 16)
                        c["version"] = VERSIONS.get(v, hex(v))
                        cs = int(h["tls.handshake.ciphersuite"], 16)
                        c["cipher"] = ciphers.get(cs, "0x%04x" % cs)
                    elif ht == 11:
                        certs = [hexbytes(x) for x in walk(h, "tls.handshake.certificate")]
                        who = "client_cert" if c["ends"] and src == c["ends"][0] else "server_cert"
                        c[who] = certs
                    elif ht == 13:
                        raw = first(h, "tls.handshake.dnames_raw")
                        c["cas"] = split_dnames(bytes.fromhex(raw)) if raw else []
    lines = []
    for n, (st, c) in enumerate(conns.items(), 1):
        c["stream"] = st
        cl, sv = c["ends"]
        lines.append(f"{n} client {cl}")
        lines.append(f"{n} server {sv}")
        lines.append(f"{n} sni {c['sni'] or '-'}")
        lines.append(f"{n} version {c['version'] or '-'}")
        lines.append(f"{n} cipher {c['cipher'] or '-'}")
        def emit_certs(who):
            certs = c[who]
            if certs is None:
                return
            if not certs:
                lines.append(f"{n} {who}.count 0")
            for i, der in enumerate(certs):
                subj, iss, san, fp = cert_facts(der)
                lines.append(f"# {who}.{i} is {lab.by_fp.get(fp, 'NOT a lab certificate')}")
                lines.append(f"{n} {who}.{i}.subject {subj}")
                lines.append(f"{n} {who}.{i}.issuer {iss}")
                if san:
                    lines.append(f"{n} {who}.{i}.san {san}")
                lines.append(f"{n} {who}.{i}.sha256 {fp}")
        emit_certs("server_cert")
        for i, der in enumerate(c["cas"] or []):
            dn = dn_rfc2253(der)
            lines.append(f"# acceptable_ca.{i} is the subject of "
                         f"{lab.by_subject.get(dn, 'NO lab certificate')}")
            lines.append(f"{n} acceptable_ca.{i} {dn}")
        emit_certs("client_cert")
        for i, (src, am, fr) in enumerate(c["alerts"]):
            who = "client" if src == cl else "server"
            fno = fr["_source"]["layers"].get("frame", {}).get("frame.number")
            c.setdefault("alert_frames", []).append(fno)
            lines.append(f"# alert.{i}: frame {fno}, sent by {src}")
            if am is None:
                lines.append(f"{n} alert.{i} {who} encrypted")
            else:
                lv = int(am["tls.alert_message.level"])
                ds = int(am["tls.alert_message.desc"])
                lines.append(f"{n} alert.{i} {who} {ALERT_LEVELS.get(lv, lv)} "
                             f"{ALERT_DESCS.get(ds, ds)}")
        if c["opaque"]:
            lines.append(f"# {c['opaque']} TLS 1.3 encrypted record(s) that tshark could not open")
        lines.append(f"{n} outcome {oc}")
        c["n"] = n
    return conns, lines


# ---------------------------------------------------------------- diagnoses
def frame_events(pcap, keylog):
    """stream -> [(frame, src 'IP:PORT', flags set, tcp.len, handshake types,
    content types, randoms)] from one tshark -T fields run."""
    out = run(["tshark", "-r", pcap, "-o", "tls.keylog_file:" + (keylog or ""),
               "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,",
               "-e", "frame.number", "-e", "tcp.stream", "-e", "ip.src", "-e", "ipv6.src",
               "-e", "tcp.srcport", "-e", "tcp.flags.syn", "-e", "tcp.flags.ack",
               "-e", "tcp.flags.fin", "-e", "tcp.flags.reset", "-e", "tcp.len",
               "-e", "tls.handshake.type", "-e", "tls.record.content_type",
               "-e", "tls.handshake.random"])
    ev = {}
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) < 13 or not f[1]:
            continue
        flags = {k for k, v in zip(("syn", "ack", "fin", "rst"), f[5:9]) if v in ("1", "True")}
        ev.setdefault(int(f[1]), []).append({
            "frame": int(f[0]), "src": fmt_ep(f[2], f[3], f[4]), "flags": flags,
            "len": int(f[9] or 0),
            "hs": [int(x) for x in f[10].split(",") if x],
            "ct": [int(x) for x in f[11].split(",") if x],
            "random": [x.replace(":", "") for x in f[12].split(",") if x]})
    return ev


def placeholders(c, events, keyed):
    """{name: 'frame N'} for the connection c (see README: diag comments)."""
    cl = c["ends"][0]
    ev = events.get(c["stream"], [])
    side = lambda e: "client" if e["src"] == cl else "server"
    ph = {}

    def put(name, e):
        if e is not None and name not in ph:
            ph[name] = f"frame {e['frame']}"
    for e in ev:
        s = side(e)
        if "syn" in e["flags"] and "ack" not in e["flags"]:
            put("syn", e)
        if 1 in e["hs"]:
            put("ch", e)
        if 2 in e["hs"]:
            put("hrr" if HRR_RANDOM in e["random"] else "sh", e)
        if 11 in e["hs"]:
            put(f"cert.{s}", e)
        if 13 in e["hs"]:
            put("cr", e)
        if "fin" in e["flags"]:
            put(f"fin.{s}", e)
        if "rst" in e["flags"]:
            put(f"rst.{s}", e)
        if e["flags"] & {"fin", "rst"}:
            put(f"close.{s}", e)
        if e["len"] > 0:
            put(f"data.{s}", e)
    for e in ev:
        if e["len"] > 0:
            ph[f"last.{side(e)}"] = f"frame {e['frame']}"
    for i, fno in enumerate(c.get("alert_frames", [])):
        ph[f"alert.{i}"] = f"frame {fno}"
    if keyed is not None:
        for i, fno in enumerate(keyed.get("alert_frames", [])):
            ph[f"dalert.{i}"] = f"frame {fno}"
    return ph


def diag_lines(text, conns, events, keyed_conns, name):
    """The scenario's expected diagnoses (make-captures.sh), with the frame
    placeholders of their comments filled in for the connection they are on."""
    bynum = {c["n"]: c for c in conns.values()}
    keyed = {c["n"]: c for c in (keyed_conns or {}).values()}
    out, pending = [], []
    for l in (text or "").splitlines():
        if not l.strip():
            continue
        if l.startswith("#"):
            pending.append(l)
            continue
        n = int(l.split()[0])
        if n not in bynum or not re.fullmatch(r"\d+ diag\.\d+ [A-Z_]+( \S+ \S+)?", l):
            sys.exit(f"extract-facts: {name}: bad diag line '{l}'")
        ph = placeholders(bynum[n], events, keyed.get(n))
        for p in pending:
            try:
                out.append(re.sub(r"\{([a-z.0-9]+)\}", lambda m: ph[m[1]], p))
            except KeyError as e:
                sys.exit(f"extract-facts: {name}: no {e} in connection {n} for '{p}'")
        pending = []
        out.append(l)
    if pending and any("{" in p for p in pending):
        sys.exit(f"extract-facts: {name}: placeholder in a comment without a diag line")
    return out + pending


def outcome(client_txt):
    with open(client_txt) as f:
        m = re.search(r"^\[client exit status: (\d+)\]$", f.read(), re.M)
    rc = int(m[1])
    return rc, "established" if rc == 0 else "failed"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--keylog", required=True)
    ap.add_argument("--client-txt", required=True)
    ap.add_argument("--lab", required=True)
    ap.add_argument("--row", default="")
    ap.add_argument("--facts", required=True)
    ap.add_argument("--decrypted")
    ap.add_argument("--diag", default="",
                    help="expected diagnoses for --facts (comments + 'N diag.K ...' lines)")
    ap.add_argument("--diag-decrypted", default=None,
                    help="expected diagnoses for --decrypted (default: --diag)")
    ap.add_argument("--port", default="8443", help="(unused; kept for the caller)")
    a = ap.parse_args()

    lab, ciphers = Lab(a.lab), cipher_names()
    rc, oc = outcome(a.client_txt)
    name = os.path.basename(a.pcap)[:-len(".pcap")]
    with open(a.client_txt) as f:
        cmd = f.readline().strip()
    cmd = cmd.replace("$ cd captures/lab && ", "")
    head = [f"# {name}",
            f"# seed troubleshooting row: {a.row}",
            f"# client: {cmd}",
            f"# client exit status {rc} -> outcome {oc}"]

    todo = [(a.facts, None,
             "facts visible WITHOUT the key log: "
             f"tshark -r {name}.pcap -o tls.keylog_file:", a.diag)]
    if a.decrypted:
        todo.append((a.decrypted, a.keylog,
                     "facts tshark shows WITH the key log: "
                     f"tshark -r {name}.pcap -o tls.keylog_file:{name}.keylog",
                     a.diag if a.diag_decrypted is None else a.diag_decrypted))
    views = {}              # key log (or None) -> (conns, lines): tshark runs once per view

    def view(keylog):
        if keylog not in views:
            views[keylog] = extract(a.pcap, keylog, lab, ciphers, oc)
        return views[keylog]
    # the view with the key log, for the {dalert.N} placeholders of NAME.facts
    keyed = view(a.keylog)[0] if os.path.getsize(a.keylog) > 0 else None
    for path, keylog, what, diag in todo:
        if keylog is not None and os.path.getsize(keylog) == 0:
            keylog = None       # nothing to decrypt with (failure at ClientHello)
            what += "  (the key log is empty: no secret was derived)"
        conns, lines = view(keylog)
        lines = list(lines)
        if not conns:
            print(f"extract-facts: {name}: no TCP connection", file=sys.stderr)
        for c in conns.values():
            if a.decrypted and path == a.decrypted and c["opaque"] and keylog:
                print(f"extract-facts: {name}: {c['opaque']} records not decrypted",
                      file=sys.stderr)
        lines += diag_lines(diag, conns, frame_events(a.pcap, keylog), keyed, name)
        with open(path, "w") as f:
            f.write("\n".join(head + ["# " + what] + order(lines)) + "\n")


def order(lines):
    """Group by connection, keeping comments just before the fact they annotate."""
    out, pending, byconn = [], [], {}
    for l in lines:
        if l.startswith("#"):
            pending.append(l)
            continue
        byconn.setdefault(int(l.split()[0]), []).extend(pending + [l])
        pending = []
    for n in sorted(byconn):
        out.extend(byconn[n])
    return out + pending


if __name__ == "__main__":
    main()
