#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""facts.py -- write the facts of one real-server lab capture, from tshark.

    facts.py NAME [--keys] [--decode-as tcp.port==9432,pgsql ...]

Reads NAME.pcap (and NAME.keylog with --keys) in the current directory and
prints the facts: without --keys what tshark shows with an empty key log
(`-o tls.keylog_file:`), with --keys what it shows with
`-o tls.keylog_file:NAME.keylog`.  Never uses tlsdiag.  openssl only names
the certificates tshark extracted (subject, sha256 -> captures/lab/ file).

One fact per line, "<conn> <key> <value>", conn = tcp.stream + 1:
  client / server     IP:PORT from the SYN
  sni                 ClientHello server_name ('-' none); one per ClientHello
                      (sni.2 ... for a renegotiation's second ClientHello)
  version / cipher    from the (first real) ServerHello, '-' if none
  flight.K            <side> <tokens>: consecutive TLS records of one side,
                      in capture order.  Tokens: handshake message names;
                      ChangeCipherSpec; Alert(desc) / Alert(encrypted);
                      ApplicationData*N; Encrypted*N (TLS 1.3 records tshark
                      cannot open, or TLS 1.2 encrypted handshake records
                      shown as EncryptedHandshake)
  server_cert.K / client_cert.K   the lab file (or subject) of each
                      certificate of a readable Certificate message;
                      client_cert.count 0 for an empty one (.2 suffix:
                      a later handshake of the same connection)
  alert.K             <side> <level> <description> | <side> encrypted
  handshake_complete  yes / no / unknown (TLS 1.3 without keys):
                      yes = a Finished from both sides (with keys), or in
                      TLS 1.2 without keys ChangeCipherSpec + an encrypted
                      handshake record from both sides
  first_close         <side> FIN|RST frame N (the first FIN or RST)
  close.K             <side> FIN|RST (every FIN/RST, in order)
  http.K              <side> request line / status line (decrypted)
  pgsql.K             <side> ErrorResponse severity SQLSTATE message
  smtp.K              <side> SMTP command / reply code + text

With --starttls (issue 17, make-starttls.sh) the plaintext steps of the
other STARTTLS protocols too, each from its tshark dissector, in capture
order per protocol (a line that is not text, such as a ClientHello sent
into a plaintext session, is written "(not text: first bytes in hex)"):
  imap.K              <side> each imap.line
  pop.K               <side> pop.request.command [parameter] /
                      pop.response.indicator description
  ftp.K               <side> ftp.request.command arg / ftp.response.code arg
  ldap.K              <side> protocolOp name, requestName, resultCode name,
                      errorMessage
  pgsql.K             <side> each pgsql.type (Simple query: the query), and
                      the server's one-byte answer to an SSL request as
                      "SSL response 'S'" / "'N'" (tcp.payload: the pgsql
                      dissector does not name it)
  mysql.K             <side> Server Greeting version, CLIENT_SSL from
                      mysql.caps.sl; the client's login request (or SSL
                      request: a login request without user) with its
                      CLIENT_SSL flag
  xmpp.K              <side> the xmpp element names tshark shows (stream,
                      starttls, proceed, failure...)
--plain-decode-as RULE (repeatable) takes the plaintext steps from a second
tshark pass with those decode-as rules, for frames that are not TLS in the
main pass (tshark 4.0's FTP dissector does not follow AUTH TLS).
"""
import json
import os
import re
import subprocess
import sys

HS = {0: "HelloRequest", 1: "ClientHello", 2: "ServerHello", 4: "NewSessionTicket",
      5: "EndOfEarlyData", 8: "EncryptedExtensions", 11: "Certificate",
      12: "ServerKeyExchange", 13: "CertificateRequest", 14: "ServerHelloDone",
      15: "CertificateVerify", 16: "ClientKeyExchange", 20: "Finished",
      24: "KeyUpdate", 254: "MessageHash"}
ALERT_DESCS = {
    0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 22: "record_overflow",
    40: "handshake_failure", 42: "bad_certificate", 43: "unsupported_certificate",
    44: "certificate_revoked", 45: "certificate_expired", 46: "certificate_unknown",
    47: "illegal_parameter", 48: "unknown_ca", 49: "access_denied", 50: "decode_error",
    51: "decrypt_error", 70: "protocol_version", 71: "insufficient_security",
    80: "internal_error", 86: "inappropriate_fallback", 90: "user_canceled",
    100: "no_renegotiation", 109: "missing_extension", 110: "unsupported_extension",
    112: "unrecognized_name", 113: "bad_certificate_status_response",
    115: "unknown_psk_identity", 116: "certificate_required", 120: "no_application_protocol"}
VERSIONS = {0x0304: "TLS 1.3", 0x0303: "TLS 1.2", 0x0302: "TLS 1.1", 0x0301: "TLS 1.0"}
HRR_RANDOM = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"
HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.join(HERE, "..", "lab")
sys.path.insert(0, os.path.join(HERE, ".."))
from tsjson import as_list, cipher_names, first, fmt_ep as ep, handshakes, records, run, walk  # noqa: E402

LDAP_OPS = {0: "bindRequest", 1: "bindResponse", 2: "unbindRequest", 3: "searchRequest",
            4: "searchResEntry", 5: "searchResDone", 6: "modifyRequest", 7: "modifyResponse",
            8: "addRequest", 9: "addResponse", 10: "delRequest", 11: "delResponse",
            16: "abandonRequest", 19: "searchResRef", 23: "extendedReq", 24: "extendedResp",
            25: "intermediateResponse"}
LDAP_RESULTS = {0: "success", 1: "operationsError", 2: "protocolError", 7: "authMethodNotSupported",
                8: "strongerAuthRequired", 13: "confidentialityRequired", 32: "noSuchObject",
                48: "inappropriateAuthentication", 49: "invalidCredentials",
                50: "insufficientAccessRights", 51: "busy", 52: "unavailable",
                53: "unwillingToPerform", 80: "other"}
STARTTLS_LAYERS = "imap pop ftp ldap mysql xmpp"


TEXT_PROTOCOLS = ("imap", "pop", "ftp", "xmpp")


def is_text(payload):
    raw = bytes.fromhex((payload or "").replace(":", ""))
    return all(b in (9, 10, 13) or 32 <= b < 127 or b >= 128 for b in raw) and b"\x16\x03" not in raw[:2]


def text_or_hex(txt, payload):
    """A plaintext line as tshark gave it, or '(not text: ...)' with the
    frame's first payload bytes when it is not printable text."""
    txt = (txt or "").rstrip("\r\n")
    if txt and all(ch.isprintable() for ch in txt):
        return txt
    raw = (payload or "").replace(":", "")
    return "(not text: " + " ".join(raw[i:i + 2] for i in range(0, min(len(raw), 10), 2)) + ")"


def add_step(steps, proto, side, txt):
    """Append a plaintext step; a run of the same step (PostgreSQL's
    ParameterStatus messages) is one step written "STEP *N"."""
    if steps and steps[-1][:2] == (proto, side) and steps[-1][2].split(" *")[0] == txt:
        prev = steps.pop()[2]
        n = int(prev.split(" *")[1]) if " *" in prev else 1
        steps.append((proto, side, f"{txt} *{n + 1}"))
    else:
        steps.append((proto, side, txt))


def starttls_steps(Ls, payload, state):
    """The plaintext steps of one frame: [(proto, text)], from the dissectors."""
    out = []
    for im in as_list(Ls.get("imap", [])):
        for line in walk(im, "imap.line"):
            out.append(("imap", text_or_hex(line, payload)))
    for po in as_list(Ls.get("pop", [])):
        for cmd in walk(po, "pop.request.command"):
            par = " ".join(walk(po, "pop.request.parameter"))
            out.append(("pop", text_or_hex(f"{cmd} {par}".strip(), payload)))
        ind = list(walk(po, "pop.response.indicator"))
        desc = list(walk(po, "pop.response.description"))
        for i, x in enumerate(ind):
            out.append(("pop", f"{x} {desc[i] if i < len(desc) else ''}".strip()))
    for ft in as_list(Ls.get("ftp", [])):
        cmds, args = list(walk(ft, "ftp.request.command")), list(walk(ft, "ftp.request.arg"))
        for i, x in enumerate(cmds):
            out.append(("ftp", text_or_hex(f"{x} {args[i] if i < len(args) else ''}".strip(), payload)))
        codes, rargs = list(walk(ft, "ftp.response.code")), list(walk(ft, "ftp.response.arg"))
        for i, x in enumerate(codes):
            out.append(("ftp", f"{x} {rargs[i] if i < len(rargs) else ''}".strip()))
    for ld in as_list(Ls.get("ldap", [])):
        for msg in walk(ld, "ldap.LDAPMessage_element"):
            op = int(first(msg, "ldap.protocolOp", "-1"))
            t = [LDAP_OPS.get(op, f"protocolOp({op})")]
            rn = first(msg, "ldap.requestName")
            if rn:
                t.append(rn)
            rc = first(msg, "ldap.resultCode")
            if rc is not None:
                t.append("resultCode " + LDAP_RESULTS.get(int(rc), rc))
            em = first(msg, "ldap.errorMessage")
            if em:
                t.append(f"'{em}'")
            out.append(("ldap", " ".join(t)))
    for pg in as_list(Ls.get("pgsql", [])):
        for m in as_list(pg):
            ty = first(m, "pgsql.type")
            if ty is None:
                continue
            q = first(m, "pgsql.query")
            out.append(("pgsql", f"{ty} '{q}'" if q is not None else ty))
            if ty == "SSL request":
                state["ssl_request"] = True
    for my in as_list(Ls.get("mysql", [])):
        g = my.get("mysql.server_greeting") if isinstance(my, dict) else None
        if isinstance(g, dict):
            out.append(("mysql", f"Server Greeting {first(g, 'mysql.version', '?')} "
                                 f"CLIENT_SSL={first(my, 'mysql.caps.sl', '?')}"))
        lr = my.get("mysql.login_request") if isinstance(my, dict) else None
        if isinstance(lr, dict):
            user = first(lr, "mysql.user")
            what = "SSL request" if not user else f"Login Request user={user}"
            out.append(("mysql", f"{what} CLIENT_SSL={first(my, 'mysql.caps.sl', '?')}"))
    for xm in as_list(Ls.get("xmpp", [])):
        if isinstance(xm, dict):
            for k in xm:
                if k.startswith("xmpp.") and k.count(".") == 1 and \
                        k not in ("xmpp.in", "xmpp.out", "xmpp.xml_header_version"):
                    out.append(("xmpp", k.split(".", 1)[1]))
    return out


def lab_index():
    idx = {}
    for f in sorted(os.listdir(LAB)):
        if f.endswith(".crt") and f != "chain.crt":
            der = subprocess.run(["openssl", "x509", "-in", os.path.join(LAB, f), "-outform", "DER"],
                                 capture_output=True, check=True).stdout
            idx[der] = "lab/" + f
    return idx


def subject(der):
    return run(["openssl", "x509", "-inform", "DER", "-noout", "-subject", "-nameopt", "RFC2253"],
               der).strip()


def main():
    args = sys.argv[1:]
    name = args.pop(0)
    keys = "--keys" in args
    stls = "--starttls" in args
    decode, plain_decode = [], []
    while "--decode-as" in args:
        i = args.index("--decode-as")
        decode += ["-d", args[i + 1]]
        del args[i:i + 2]
    while "--plain-decode-as" in args:
        i = args.index("--plain-decode-as")
        plain_decode += ["-d", args[i + 1]]
        del args[i:i + 2]
    pcap, keylog = name + ".pcap", name + ".keylog"
    opts = ["-o", "tls.keylog_file:" + (keylog if keys else "")] + decode
    layers = "frame ip ipv6 tcp tls http pgsql smtp" + (" " + STARTTLS_LAYERS if stls else "")
    out = run(["tshark", "-r", pcap] + opts + ["-T", "json", "--no-duplicate-keys", "-J", layers])
    plain_frames = {}
    if stls and plain_decode:      # frame number -> its layers, for the plaintext steps
        pout = run(["tshark", "-r", pcap, "-o", "tls.keylog_file:"] + plain_decode +
                   ["-T", "json", "--no-duplicate-keys", "-J", "frame tcp " + STARTTLS_LAYERS])
        for fr in json.loads(pout) if pout.strip() else []:
            pl = fr["_source"]["layers"]
            plain_frames[int(pl["frame"]["frame.number"])] = pl
    ciphers, lab = cipher_names(), lab_index()
    conns = {}
    for fr in json.loads(out) if out.strip() else []:
        Ls = fr["_source"]["layers"]
        if "tcp" not in Ls:
            continue
        tcp = Ls["tcp"]
        ip = Ls.get("ip") or {}
        ip6 = Ls.get("ipv6") or {}
        st = int(tcp["tcp.stream"])
        src = ep(ip.get("ip.src"), ip6.get("ipv6.src"), tcp["tcp.srcport"])
        dst = ep(ip.get("ip.dst"), ip6.get("ipv6.dst"), tcp["tcp.dstport"])
        fno = int(Ls["frame"]["frame.number"])
        c = conns.setdefault(st, {"client": None, "server": None, "sni": [], "version": None,
                                  "cipher": None, "tokens": [], "alerts": [], "closes": [],
                                  "certs": [], "app": [], "finished": set(),
                                  "ccs_then_enc": set(), "ccs": set(), "plain": [], "pst": {}})
        flag = lambda k: first(tcp, k) in ("1", "True")
        if flag("tcp.flags.syn") and not flag("tcp.flags.ack"):
            c["client"], c["server"] = c["client"] or src, c["server"] or dst
        if c["client"] is None:       # connection started before the capture
            c["client"], c["server"] = src, dst
        side = "client" if src == c["client"] else "server"
        if stls:
            payload = first(tcp, "tcp.payload", "")
            tls_frame = any(True for _ in records(Ls.get("tls", {})))
            src_layers = plain_frames.get(fno, Ls) if plain_decode and not tls_frame else Ls
            if plain_decode and tls_frame:
                src_layers = {}
            if side == "server" and payload and c["pst"].pop("ssl_request", False) and \
                    len(payload.replace(":", "")) == 2:
                add_step(c["plain"], "pgsql", side, f"SSL response '{bytes.fromhex(payload.replace(':', '')).decode('latin-1')}'")
            steps = starttls_steps(src_layers, payload, c["pst"])
            if steps and steps[0][0] in TEXT_PROTOCOLS and not is_text(payload):
                # binary bytes in a text protocol (a ClientHello after a refusal): one step
                steps = [(steps[0][0], text_or_hex("", payload))]
            for proto, txt in steps:
                add_step(c["plain"], proto, side, txt)
        for rec in records(Ls.get("tls", {})):
            ct = rec.get("tls.record.content_type")
            if ct is None:
                c["tokens"].append((side, f"Encrypted({rec.get('tls.record.length', '?')})"))
                continue
            ct = int(ct)
            if ct == 22:
                hs = list(handshakes(rec))
                if not hs:
                    c["tokens"].append((side, f"EncryptedHandshake({rec.get('tls.record.length', '?')})"))
                    if side in c["ccs"]:
                        c["ccs_then_enc"].add(side)
                for h in hs:
                    ht = int(h["tls.handshake.type"])
                    hrr = ht == 2 and first(h, "tls.handshake.random", "").replace(":", "") == HRR_RANDOM
                    c["tokens"].append((side, "HelloRetryRequest" if hrr else HS.get(ht, f"Handshake({ht})")))
                    if ht == 20:
                        c["finished"].add(side)
                    elif ht == 1:
                        c["sni"].append(first(h, "tls.handshake.extensions_server_name", "-"))
                    elif ht == 2 and c["version"] is None:
                        if first(h, "tls.handshake.random", "").replace(":", "") != HRR_RANDOM:
                            sv = first(h, "tls.handshake.extensions.supported_version")
                            ver = int(sv or h["tls.handshake.version"], 16)
                            c["version"] = VERSIONS.get(ver, hex(ver))
                            cs = int(h["tls.handshake.ciphersuite"], 16)
                            c["cipher"] = ciphers.get(cs, "0x%04x" % cs)
                    elif ht == 11:
                        c["certs"].append((side, [bytes.fromhex(x.replace(":", ""))
                                                  for x in walk(h, "tls.handshake.certificate")]))
            elif ct == 20:
                c["tokens"].append((side, "ChangeCipherSpec"))
                c["ccs"].add(side)
            elif ct == 21:
                am = rec.get("tls.alert_message")
                if isinstance(am, dict) and "tls.alert_message.desc" in am:
                    d, lv = int(am["tls.alert_message.desc"]), int(am["tls.alert_message.level"])
                    nm = ALERT_DESCS.get(d, str(d))
                    c["alerts"].append((side, {1: "warning", 2: "fatal"}.get(lv, str(lv)) + " " + nm, fno))
                    c["tokens"].append((side, f"Alert({nm})"))
                else:
                    c["alerts"].append((side, "encrypted", fno))
                    c["tokens"].append((side, f"Alert(encrypted,{rec.get('tls.record.length', '?')})"))
            elif ct == 23:
                c["tokens"].append((side, "ApplicationData" if keys else
                                    f"ApplicationData({rec.get('tls.record.length', '?')})"))
            else:
                c["tokens"].append((side, f"Record({ct})"))
        if flag("tcp.flags.fin"):
            c["closes"].append((side, "FIN", fno))
        if flag("tcp.flags.reset"):
            c["closes"].append((side, "RST", fno))
        for http in as_list(Ls.get("http", [])):
            meth = list(walk(http, "http.request.method"))
            uri = list(walk(http, "http.request.uri"))
            ver = list(walk(http, "http.request.version"))
            for i, m in enumerate(meth):
                c["app"].append(("http", side, f"{m} {uri[i] if i < len(uri) else '?'} {ver[i] if i < len(ver) else ''}".strip()))
            code = list(walk(http, "http.response.code"))
            phr = list(walk(http, "http.response.phrase"))
            rver = list(walk(http, "http.response.version"))
            for i, cd in enumerate(code):
                c["app"].append(("http", side, f"{rver[i] if i < len(rver) else ''} {cd} {phr[i] if i < len(phr) else ''}".strip()))
            for body in walk(http, "http.file_data"):
                try:
                    text = bytes.fromhex(body.replace(":", "")).decode("utf-8", "replace")
                except ValueError:
                    text = body
                m = re.search(r"<title>(.*?)</title>", text, re.S | re.I)
                if m:
                    c["app"].append(("http", side, "title " + " ".join(m[1].split())))
        for pg in as_list(Ls.get("pgsql", [])):
            sev = list(walk(pg, "pgsql.severity"))
            code = list(walk(pg, "pgsql.code"))
            msg = list(walk(pg, "pgsql.message"))
            for i, sv in enumerate(sev):
                c["app"].append(("pgsql", side, f"ErrorResponse {sv} {code[i] if i < len(code) else '?'} {msg[i] if i < len(msg) else ''}"))
        for sm in as_list(Ls.get("smtp", [])):
            for cmd in walk(sm, "smtp.req.command"):
                par = first(sm, "smtp.req.parameter", "")
                c["app"].append(("smtp", side, f"{cmd} {par}".strip()))
            codes = list(walk(sm, "smtp.response.code"))
            pars = list(walk(sm, "smtp.rsp.parameter"))
            for i, rc in enumerate(codes):
                c["app"].append(("smtp", side, f"{rc} {pars[i] if i < len(pars) else ''}".strip()))

    lines = []
    for n, st in enumerate(sorted(conns), 1):
        c = conns[st]
        lines += [f"{n} client {c['client']}", f"{n} server {c['server']}"]
        for i, s in enumerate(c["sni"] or ["-"]):
            lines.append(f"{n} sni{'' if i == 0 else '.' + str(i + 1)} {s}")
        lines.append(f"{n} version {c['version'] or '-'}")
        lines.append(f"{n} cipher {c['cipher'] or '-'}")
        # flights
        fl, k = [], 0
        for side, tok in c["tokens"]:
            if fl and fl[-1][0] == side:
                fl[-1][1].append(tok)
            else:
                fl.append((side, [tok]))
        for side, toks in fl:
            comp = []
            for t in toks:
                if comp and comp[-1][0] == t:
                    comp[-1][1] += 1
                else:
                    comp.append([t, 1])
            lines.append(f"{n} flight.{k} {side} " + " ".join(t if m == 1 else f"{t}*{m}" for t, m in comp))
            k += 1
        per = {"server": 0, "client": 0}
        for side, chain in c["certs"]:
            key = ("server_cert" if side == "server" else "client_cert") + \
                ("" if per[side] == 0 else f".{per[side] + 1}")
            per[side] += 1
            if chain is None:
                lines.append(f"{n} {key} not-extracted")
                continue
            if not chain:
                lines.append(f"{n} {key}.count 0")
            for i, der in enumerate(chain):
                lines.append(f"{n} {key}.{i} {lab.get(der) or subject(der)}")
        for i, (side, a, fno) in enumerate(c["alerts"]):
            lines.append(f"# alert.{i}: frame {fno}")
            lines.append(f"{n} alert.{i} {side} {a}")
        if c["finished"] >= {"client", "server"}:
            hc = "yes"
        elif c["version"] == "TLS 1.3" and not keys:
            hc = "unknown"
        elif c["version"] and c["version"] != "TLS 1.3" and c["ccs_then_enc"] >= {"client", "server"}:
            hc = "yes"
        else:
            hc = "no"
        lines.append(f"{n} handshake_complete {hc}")
        if c["closes"]:
            s, how, fno = c["closes"][0]
            lines.append(f"{n} first_close {s} {how} frame {fno}")
        for i, (s, how, fno) in enumerate(c["closes"]):
            lines.append(f"{n} close.{i} {s} {how}")
        cnt = {}
        for proto, side, txt in c["app"] + c["plain"]:
            i = cnt.get(proto, 0)
            cnt[proto] = i + 1
            lines.append(f"{n} {proto}.{i} {side} {txt}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
