#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""decrypt_agree.py - does tlsdiag decrypt what tshark decrypts?

For a capture and its key log, compare per TLS connection (keyed by the
client's port) and per direction:
  - the handshake messages up to and including the first Finished, in
    order (NewSessionTicket and KeyUpdate left out: tlsdiag stops
    decrypting after the first application records);
  - the alerts tlsdiag shows with a description: each must be one tshark
    shows for that direction.
tshark is the reference (Wireshark's decryption).  Prints one line per
difference and a summary; exits 1 on any difference.

usage: decrypt_agree.py TLSDIAG PCAP KEYLOG
"""
import json
import subprocess
import sys

HS = {
    "hello_request": 0, "client_hello": 1, "server_hello": 2, "hello_verify_request": 3,
    "new_session_ticket": 4, "end_of_early_data": 5, "hello_retry_request": 6,
    "encrypted_extensions": 8, "certificate": 11, "server_key_exchange": 12,
    "certificate_request": 13, "server_hello_done": 14, "certificate_verify": 15,
    "client_key_exchange": 16, "finished": 20, "certificate_status": 22,
    "key_update": 24, "message_hash": 254,
}
SKIP = {4, 24}


def upto_finished(types):
    out = []
    for t in types:
        if t in SKIP:
            continue
        out.append(t)
        if t == 20:
            break
    return out


def tshark_view(pcap, keylog):
    cmd = ["tshark", "-r", pcap, "-o", "tls.keylog_file:" + keylog, "-Y", "tls",
           "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,",
           "-e", "tcp.stream", "-e", "tcp.srcport", "-e", "tcp.dstport",
           "-e", "tls.handshake.type", "-e", "tls.alert_message.desc"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    streams = {}
    for line in out.splitlines():
        f = (line.split("\t") + [""] * 5)[:5]
        st = streams.setdefault(f[0], {"frames": [], "client": None})
        hs = [int(x) for x in f[3].split(",") if x]
        al = [int(x) for x in f[4].split(",") if x]
        if 1 in hs and st["client"] is None:
            st["client"] = f[1]
        st["frames"].append((f[1], hs, al))
    view = {}
    for st in streams.values():
        if st["client"] is None:
            continue
        d = {"c2s": ([], []), "s2c": ([], [])}
        for src, hs, al in st["frames"]:
            side = "c2s" if src == st["client"] else "s2c"
            d[side][0].extend(hs)
            d[side][1].extend(al)
        view[st["client"]] = d
    return view


def tlsdiag_view(binary, pcap, keylog):
    out = subprocess.run([binary, "-r", pcap, "-k", keylog, "-o", "json"],
                         capture_output=True, text=True).stdout
    view, notes = {}, {}
    for line in out.splitlines():
        c = json.loads(line)
        if "id" not in c:
            continue  # the summary object
        port = c["client"].rsplit(":", 1)[1]
        d = {"c2s": ([], []), "s2c": ([], [])}
        for ev in c["timeline"]:
            side = ev.get("dir")
            if side not in d:
                continue
            if ev.get("event") == "handshake" and ev.get("message") in HS:
                d[side][0].append(HS[ev["message"]])
            if ev.get("event") == "alert" and ev.get("description"):
                d[side][1].append(ev["description"])
        view[port] = d
        notes[port] = [a["message"] for a in c.get("anomalies", []) if a["code"].startswith("keylog_")]
    return view, notes


ALERT_NAMES = None


def alert_name(code):
    names = {0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac",
             40: "handshake_failure", 42: "bad_certificate", 43: "unsupported_certificate",
             44: "certificate_revoked", 45: "certificate_expired", 46: "certificate_unknown",
             47: "illegal_parameter", 48: "unknown_ca", 49: "access_denied", 50: "decode_error",
             51: "decrypt_error", 70: "protocol_version", 71: "insufficient_security",
             80: "internal_error", 86: "inappropriate_fallback", 90: "user_canceled",
             100: "no_renegotiation", 109: "missing_extension", 110: "unsupported_extension",
             112: "unrecognized_name", 116: "certificate_required",
             120: "no_application_protocol"}
    return names.get(code, str(code))


def main():
    binary, pcap, keylog = sys.argv[1:4]
    ts = tshark_view(pcap, keylog)
    td, notes = tlsdiag_view(binary, pcap, keylog)
    agree = differ = 0
    for port in sorted(ts, key=int):
        if port not in td:
            print(f"DIFFER {pcap}: client port {port}: tshark sees a TLS connection, tlsdiag none")
            differ += 1
            continue
        bad = []
        for side in ("c2s", "s2c"):
            want = upto_finished(ts[port][side][0])
            got = upto_finished(td[port][side][0])
            if want != got:
                bad.append(f"{side} handshake tshark {want} tlsdiag {got}")
            want_alerts = [alert_name(a) for a in ts[port][side][1]]
            for a in td[port][side][1]:
                if a not in want_alerts:
                    bad.append(f"{side} alert {a} not in tshark's {want_alerts}")
        if bad:
            differ += 1
            note = f" ({'; '.join(notes[port])})" if notes.get(port) else ""
            print(f"DIFFER {pcap}: client port {port}: " + "; ".join(bad) + note)
        else:
            agree += 1
    print(f"decrypt {pcap}: {agree} connections agree with tshark, {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
