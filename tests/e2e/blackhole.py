#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""blackhole.py -- tlsdiag on the real MTU black-hole captures
(captures/make-blackhole.sh: Chromium's two-segment ClientHello over a
veth pair whose server side drops packets over 1,000 bytes, and the
same path without the drop) against captures/expected/NAME.blackhole,
written from tshark and by reasoning, never from tlsdiag.

Per connection (matched in order: tshark's tcp.stream and tlsdiag's id
both follow the first packet):
  - the first diagnosis is the expected one (expect_diag) and the only
    error, and no connection of the clean path has an error;
  - on a black hole, the diagnosis's evidence carries tshark's counts:
    the bytes sent, the segments (tlsdiag counts new segments and
    retransmissions apart; tshark counts all), the largest segment,
    the retransmissions, and how much the server acknowledged.

  blackhole.py [TLSDIAG CAPTURES_DIR]
"""
import json
import os
import re
import subprocess
import sys

NAMES = ["blackhole-chromium", "blackhole-control"]


def facts(path):
    per, expect = {}, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            w = line.split()
            if w[0] == "expect_diag":
                expect = w[1]
            elif w[0].isdigit():
                per.setdefault(int(w[0]), {})[w[1]] = int(w[2])
    return per, expect


def check(tlsdiag, capdir, name):
    fails = []
    per, expect = facts(os.path.join(capdir, "expected", name + ".blackhole"))
    out = subprocess.run([tlsdiag, "-r", os.path.join(capdir, name + ".pcap"), "-o", "json"],
                         capture_output=True, text=True, check=False)
    conns = [json.loads(l) for l in out.stdout.splitlines()
             if l.startswith("{") and '"client"' in l]
    if len(conns) != len(per):
        return ["%s: %d connections, tshark has %d" % (name, len(conns), len(per))]
    for i, c in enumerate(conns, 1):
        f = per[i]
        diags = c.get("diagnoses") or []
        first = diags[0]["code"] if diags else "none"
        errors = [d["code"] for d in diags if d["severity"] == "error"]
        if first != expect:
            fails.append("%s #%d: first diagnosis %s, expected %s" % (name, i, first, expect))
        if expect == "none" and errors:
            fails.append("%s #%d: errors %s on a clean path" % (name, i, errors))
        if expect != "none" and errors != [expect]:
            # SERVER_SILENT's fix looks at the server: not for a path fault.
            fails.append("%s #%d: errors %s, expected %s alone" % (name, i, errors, expect))
        if expect != "CLIENTHELLO_BLACKHOLE" or not diags:
            continue
        text = diags[0]["summary"] + "\n" + "\n".join(diags[0]["evidence"])
        new = f["client_segments"] - f["client_retransmits"]
        want = [
            r"\(%d bytes in %d TCP segments\)" % (f["client_sent"], new),
            r"took %d segments of up to %d bytes" % (new, f["client_largest"]),
        ]
        if f["server_acked"] == 0:
            want.append(r"acknowledged none of its %d bytes" % f["client_sent"])
        else:
            want.append(r"acknowledged only the first %d of its %d bytes"
                        % (f["server_acked"], f["client_sent"]))
        if f["client_retransmits"]:
            want.append(r"bytes again %d time" % f["client_retransmits"])
        for w in want:
            if not re.search(w, text):
                fails.append("%s #%d: evidence lacks /%s/:\n%s" % (name, i, w, text))
    return fails


def main():
    tlsdiag = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.environ.get("top_builddir", "."), "src", "tlsdiag")
    capdir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        os.environ.get("top_srcdir", "."), "captures")
    fails = []
    for name in NAMES:
        fails += check(tlsdiag, capdir, name)
    for f in fails:
        print("FAIL " + f)
    print("blackhole: %d captures, %d mismatches" % (len(NAMES), len(fails)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
