#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""community-id.py -- tlsdiag's "community_id" (JSON schema 2) against
tshark's CommunityID post-dissector, which computes Community ID v1 as
Zeek and Suricata do.

1. captures/expected/community-id.flows (written by tshark, never by
   tlsdiag: its header has the command): for every capture it names,
   each connection tlsdiag reports must carry the Community ID tshark
   gave its flow (IPv4 and IPv6 over TCP, QUIC over UDP, STARTTLS), and
   every flow named there must be reported.
2. When tshark is installed and ../shared/corpus is present: the same
   over the corpus captures that hold IPv6 or QUIC connections, tshark
   run here.  Skipped, loudly, otherwise.

  community-id.py [TLSDIAG [TOP [CORPUS]]]

Prints one line per disagreement and a tally; exit 0 when all agree.
"""
import glob
import json
import os
import shutil
import subprocess
import sys

TOP = os.environ.get("top_srcdir", ".")
TLSDIAG = os.path.join(os.environ.get("top_builddir", "."), "src", "tlsdiag")
if len(sys.argv) > 1:
    TLSDIAG = sys.argv[1]
if len(sys.argv) > 2:
    TOP = sys.argv[2]
CORPUS = os.path.join(TOP, "..", "shared", "corpus")
if len(sys.argv) > 3:
    CORPUS = sys.argv[3]

TSHARK_FIELDS = ["ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "ip.proto", "ipv6.nxt",
                 "tcp.srcport", "udp.srcport", "tcp.dstport", "udp.dstport", "communityid"]


def flow_key(proto, a, ap, b, bp):
    """The flow whatever its direction."""
    return (int(proto), frozenset([(a, int(ap)), (b, int(bp))]))


def tlsdiag_conns(path):
    out = subprocess.run([TLSDIAG, "-r", path, "-o", "json"], capture_output=True,
                         text=True, check=False)
    conns = []
    for line in out.stdout.splitlines():
        c = json.loads(line)
        if c.get("type") == "tls":
            conns.append(c)
    return conns


def tshark_flows(path):
    """{flow: community id} as tshark computes them."""
    cmd = ["tshark", "-r", path, "--enable-protocol", "communityid", "-T", "fields",
           "-E", "separator=|", "-E", "occurrence=f"]
    for f in TSHARK_FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    flows = {}
    for line in out.stdout.splitlines():
        v = dict(zip(TSHARK_FIELDS, line.split("|")))
        cid = v.get("communityid", "")
        src = v["ip.src"] or v["ipv6.src"]
        dst = v["ip.dst"] or v["ipv6.dst"]
        proto = v["ip.proto"] or v["ipv6.nxt"]
        sport = v["tcp.srcport"] or v["udp.srcport"]
        dport = v["tcp.dstport"] or v["udp.dstport"]
        if not (cid and src and dst and proto and sport and dport):
            continue
        flows.setdefault(flow_key(proto, src, sport, dst, dport), cid)
    return flows


def compare(name, conns, flows, fails, all_flows_reported):
    """Each connection's community_id is tshark's for its flow."""
    seen = set()
    for c in conns:
        proto = 17 if c.get("transport") == "quic" else 6
        key = flow_key(proto, c["client_ip"], c["client_port"], c["server_ip"], c["server_port"])
        seen.add(key)
        want = flows.get(key)
        if want is None:
            fails.append("%s #%s %s -> %s: tshark has no such flow" %
                         (name, c["id"], c["client"], c["server"]))
        elif c.get("community_id") != want:
            fails.append("%s #%s %s -> %s: community_id %s, tshark %s" %
                         (name, c["id"], c["client"], c["server"], c.get("community_id"), want))
    if all_flows_reported:
        for key in flows:
            if key not in seen:
                fails.append("%s: tshark's flow %s (%s) has no connection" %
                             (name, sorted(key[1]), flows[key]))
    return len(conns)


def main():
    if not os.access(TLSDIAG, os.X_OK):
        print("community-id: no tlsdiag at %s" % TLSDIAG)
        return 2
    fails, checked = [], 0
    facts = os.path.join(TOP, "captures", "expected", "community-id.flows")
    per = {}
    with open(facts, encoding="utf-8") as f:
        for line in f:
            w = line.split()
            if not w or w[0].startswith("#"):
                continue
            name, proto, a, ap, b, bp, cid = w
            per.setdefault(name, {})[flow_key(proto, a, ap, b, bp)] = cid
    for name, flows in sorted(per.items()):
        conns = tlsdiag_conns(os.path.join(TOP, "captures", name))
        checked += compare(name, conns, flows, fails, True)

    if not shutil.which("tshark"):
        print("SKIPPED: community-id: the corpus part: tshark is not installed")
    elif not os.path.isdir(CORPUS):
        print("SKIPPED: community-id: the corpus part: %s is absent" % CORPUS)
    else:
        caps = sorted(p for p in glob.glob(os.path.join(CORPUS, "**", "*"), recursive=True)
                      if p.endswith((".pcap", ".pcapng", ".pcap.gz")))
        for p in caps:
            conns = tlsdiag_conns(p)
            if not any(":" in c["client_ip"] or c.get("transport") == "quic" for c in conns):
                continue  # IPv4 over TCP: the lab's captures cover it
            # tshark may see flows tlsdiag does not report (not TLS): only
            # tlsdiag's connections are checked.
            checked += compare(os.path.relpath(p, CORPUS), conns, tshark_flows(p), fails, False)

    for f in fails:
        print("FAIL " + f)
    print("community-id: %d connections checked, %d disagree" % (checked, len(fails)))
    return 1 if fails or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
