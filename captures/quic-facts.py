#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""quic-facts.py STATUS LABDIR < tshark fields: the facts of a QUIC capture.

Reads the tab-separated fields make-quic-captures.sh asks tshark for (one
line a frame, '|' between the occurrences in one datagram) and prints
"CONN KEY VALUE" facts (see make-quic-captures.sh).  Certificates are named
by `openssl x509` on the lab file with the same SHA-256, never by tlsdiag.
STATUS is 0 when the client completed the handshake (its own log says so)."""
import glob
import hashlib
import subprocess
import sys

SUITES = {0x1301: "TLS_AES_128_GCM_SHA256", 0x1302: "TLS_AES_256_GCM_SHA384",
          0x1303: "TLS_CHACHA20_POLY1305_SHA256", 0x1304: "TLS_AES_128_CCM_SHA256"}
ALERTS = {10: "unexpected_message", 40: "handshake_failure", 42: "bad_certificate",
          43: "unsupported_certificate", 44: "certificate_revoked", 45: "certificate_expired",
          46: "certificate_unknown", 47: "illegal_parameter", 48: "unknown_ca",
          49: "access_denied", 50: "decode_error", 51: "decrypt_error",
          70: "protocol_version", 71: "insufficient_security", 80: "internal_error",
          109: "missing_extension", 110: "unsupported_extension", 112: "unrecognized_name",
          116: "certificate_required", 120: "no_application_protocol"}
PACKET = {"0": "initial", "1": "0rtt", "2": "handshake", "3": "retry"}


def lab_subjects(labdir):
    """SHA-256 of each lab certificate's DER -> (file, subject)."""
    out = {}
    for f in sorted(glob.glob(labdir + "/*.crt")):
        der = subprocess.run(["openssl", "x509", "-in", f, "-outform", "DER"],
                             capture_output=True, check=True).stdout
        subj = subprocess.run(["openssl", "x509", "-in", f, "-noout", "-subject", "-nameopt",
                               "RFC2253"], capture_output=True, text=True, check=True).stdout
        out[hashlib.sha256(der).hexdigest()] = (f.rsplit("/", 1)[1], subj.strip()[len("subject="):])
    return out


def occ(field):
    return [v for v in field.split("|") if v != ""] if field else []


def main():
    status, labdir = sys.argv[1], sys.argv[2]
    lab = lab_subjects(labdir)
    conns = {}
    for line in sys.stdin:
        f = (line.rstrip("\n").split("\t") + [""] * 19)[:19]
        (cn, _frame, src, sport, dst, dport, vers, ptype, hform, _token, supported, hstype,
         sni, alpn, suites, certs, cc, app, _ftypes) = f
        if cn == "":
            continue
        c = conns.setdefault(int(cn), {"client": (src, sport), "server": (dst, dport),
                                       "facts": [], "closes": [], "server_certs": [],
                                       "client_certs": [], "sni": None, "alpn_offered": None,
                                       "alpn": None, "cipher": None, "qv": None,
                                       "retry": False, "vn": False})
        from_client = (src, sport) == c["client"]
        if c["qv"] is None and occ(vers):
            c["qv"] = occ(vers)[0]
        if "3" in occ(ptype):
            c["retry"] = True
        if occ(supported) or "0x00000000" in occ(vers):
            c["vn"] = True
        types = occ(hstype)
        if sni and c["sni"] is None:
            c["sni"] = occ(sni)[0]
        if "1" in types and alpn and c["alpn_offered"] is None:
            c["alpn_offered"] = ",".join(occ(alpn))
        if not from_client and "8" in types and alpn and c["alpn"] is None:
            c["alpn"] = occ(alpn)[0]
        if not from_client and "2" in types and suites and c["cipher"] is None:
            s = int(occ(suites)[0], 16)
            c["cipher"] = SUITES.get(s, "0x%04x" % s)
        for der in occ(certs):
            h = hashlib.sha256(bytes.fromhex(der.replace(":", ""))).hexdigest()
            (c["client_certs"] if from_client else c["server_certs"]).append(h)
        closes = [("transport", v) for v in occ(cc)] + [("application", v) for v in occ(app)]
        if closes:
            short = hform.split("|")[0] == "0"
            kind = "1rtt" if short else PACKET.get(occ(ptype)[0] if occ(ptype) else "", "?")
            for what, code in closes:
                e = int(code, 0)
                words = "%s 0x%x" % (what, e)
                if what == "transport" and 0x100 <= e <= 0x1ff:
                    a = e - 0x100
                    words += " crypto_error %s" % ALERTS.get(a, str(a))
                c["closes"].append("%s %s %s" % ("client" if from_client else "server", kind, words))
    for k, cn in enumerate(sorted(conns)):
        c, n = conns[cn], k + 1
        print("%d transport quic" % n)
        print("%d client %s:%s" % (n, *c["client"]))
        print("%d server %s:%s" % (n, *c["server"]))
        if c["qv"]:
            print("%d quic_version %s" % (n, c["qv"]))
        print("%d sni %s" % (n, c["sni"] or "-"))
        if c["alpn_offered"]:
            print("%d alpn_offered %s" % (n, c["alpn_offered"]))
        if c["alpn"]:
            print("%d alpn %s" % (n, c["alpn"]))
        print("%d version %s" % (n, "TLS 1.3" if c["cipher"] else "-"))
        print("%d cipher %s" % (n, c["cipher"] or "-"))
        for role in ("server", "client"):
            seen = []
            for h in c[role + "_certs"]:
                if h not in seen:
                    seen.append(h)
            for i, h in enumerate(seen):
                f, subj = lab.get(h, ("?", "?"))
                print("# %s_cert.%d is lab/%s" % (role, i, f))
                print("%d %s_cert.%d.subject %s" % (n, role, i, subj))
        for i, cl in enumerate(c["closes"]):
            print("%d close.%d %s" % (n, i, cl))
        if c["retry"]:
            print("%d retry yes" % n)
        if c["vn"]:
            print("%d version_negotiation yes" % n)
        print("%d outcome %s" % (n, "established" if status == "0" else "failed"))


main()
