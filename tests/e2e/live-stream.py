#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Streaming reports, live (issue 18, musts 1 and 4): a connection held open
after its handshake is reported within 2 s of the handshake, its end
follows when it closes, and periodic statistics records come meanwhile
with the kernel's counts.

tlsdiag -i lo --no-tui -o json listens while openssl s_server and s_client
make a TLS 1.3 handshake over loopback; the client then keeps the
connection open for HOLD seconds (30) before closing it.  The test reads
tlsdiag's output as it is written and notes the wall-clock time each line
arrives.  Facts, not tlsdiag's word: the handshake's time is when
s_client printed its session (read from its output as it comes), and the
close is when s_client exited.

Needs root (a live capture) and openssl; skips loudly otherwise (77).
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HOLD = float(os.environ.get("LIVE_STREAM_HOLD", "30"))
WITHIN = 2.0
STATS = 3  # --stats-interval: several records during the hold


def main():
    top = os.environ.get("top_srcdir") or os.path.join(os.path.dirname(__file__), "..", "..")
    build = os.environ.get("top_builddir") or top
    binary = os.path.join(build, "src", "tlsdiag")
    lab = os.path.join(top, "captures", "lab")
    if os.geteuid() != 0:
        print("SKIPPED: the live streaming test needs root (tlsdiag -i lo); "
              "run make check as root to include it")
        return 77
    if not shutil.which("openssl"):
        print("SKIPPED: openssl is not installed")
        return 77
    port = random.randint(20000, 39999)
    tmp = tempfile.mkdtemp()
    procs = []
    fails = []
    try:
        out_path = os.path.join(tmp, "out.json")
        out = open(out_path, "wb")
        td = subprocess.Popen([binary, "-i", "lo", "--no-tui", "-o", "json", "--stats-interval",
                               str(STATS), f"tcp port {port}"],
                              stdout=subprocess.PIPE, stderr=open(os.path.join(tmp, "err"), "wb"))
        procs.append(td)
        lines = []  # (wall time it arrived, parsed line)

        def reader():
            for raw in td.stdout:
                out.write(raw)
                out.flush()
                try:
                    lines.append((time.time(), json.loads(raw)))
                except ValueError:
                    lines.append((time.time(), {"unparsed": raw.decode(errors="replace")}))
        th = threading.Thread(target=reader, daemon=True)
        th.start()
        server = subprocess.Popen(
            ["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert",
             os.path.join(lab, "server.crt"), "-key", os.path.join(lab, "server.key"),
             "-cert_chain", os.path.join(lab, "chain.crt"), "-naccept", "1", "-quiet"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(server)
        time.sleep(1.5)  # the capture and the server start
        # s_client keeps the connection while its stdin is open: a pipe
        # closed HOLD seconds after the handshake.
        client = subprocess.Popen(
            ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername",
             "stream.tls-server.local", "-CAfile", os.path.join(lab, "rootCA.crt"), "-tls1_3"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        procs.append(client)
        handshake = None
        for raw in client.stdout:
            # s_client prints its session once the handshake is done.
            if raw.startswith(b"SSL handshake has read") or raw.startswith(b"New, TLSv1.3"):
                handshake = time.time()
                break
        if handshake is None:
            fails.append("s_client never printed its session: no handshake")
            return report(fails, tmp)
        time.sleep(HOLD)
        client.stdin.close()
        client.wait(timeout=15)
        closed = time.time()
        time.sleep(1.5)
        td.send_signal(2)
        td.wait(timeout=15)
        th.join(timeout=5)
        out.close()

        conns = [(t, d) for t, d in lines if d.get("sni") == "stream.tls-server.local"]
        first = [(t, d) for t, d in conns if d.get("type", "tls") == "tls"]
        if len(first) != 1:
            fails.append(f"{len(first)} connection lines with SNI stream.tls-server.local, not 1")
            return report(fails, tmp)
        t_first, d_first = first[0]
        late = t_first - handshake
        if late > WITHIN:
            fails.append(f"the connection was reported {late:.2f} s after its handshake "
                         f"(at most {WITHIN} s)")
        else:
            print(f"ok   reported {late:.2f} s after the handshake, "
                  f"{closed - t_first:.1f} s before the client closed")
        if d_first.get("outcome") != "established":
            fails.append(f"first report's outcome is {d_first.get('outcome')}, not established")
        else:
            print("ok   the first report says established")
        ends = [(t, d) for t, d in lines if d.get("type") == "tls_end" and d.get("id") == d_first.get("id")]
        if len(ends) != 1:
            fails.append(f"{len(ends)} tls_end lines for id {d_first.get('id')}, not 1")
        else:
            t_end, d_end = ends[0]
            kinds = [e.get("event") for e in d_end.get("timeline", [])]
            if t_end < closed - 0.5:
                fails.append(f"tls_end came {closed - t_end:.1f} s before the client closed")
            elif "fin" not in kinds and "rst" not in kinds:
                fails.append(f"tls_end's timeline lacks the close: {kinds}")
            else:
                print(f"ok   tls_end followed the close ({t_end - closed:.2f} s after), "
                      f"its timeline: {kinds}")
        # Periodic statistics (must 4): records during the hold, with the
        # kernel's counts, the connection counted once reported.
        stats = [(t, d) for t, d in lines if d.get("type") == "stats"]
        during = [d for t, d in stats if t_first < t < closed]
        if len(stats) < max(1, int(HOLD / STATS) - 2):
            fails.append(f"{len(stats)} stats lines in {HOLD:.0f} s at --stats-interval {STATS}")
        elif not during:
            fails.append("no stats line between the first report and the close")
        else:
            st = during[-1]["stats"]
            k = st.get("kernel") or {}
            if not k or k.get("received", 0) < 10:
                fails.append(f"stats without the kernel's counts: {st}")
            elif st["connections"]["established"] != 1 or st["flows"]["active"] != 1:
                fails.append(f"stats during the hold: {st['connections']}, flows {st['flows']}")
            else:
                print(f"ok   {len(stats)} stats lines; during the hold: 1 established, "
                      f"1 flow tracked, kernel {k['received']} received, {k['dropped']} dropped")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    return report(fails, tmp)


def report(fails, tmp):
    for f in fails:
        print("FAIL", f)
    if fails:
        for name in ("out.json", "err"):
            p = os.path.join(tmp, name)
            if os.path.exists(p):
                print(f"--- {name}")
                print(open(p, errors="replace").read()[:4000])
    shutil.rmtree(tmp, ignore_errors=True)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
