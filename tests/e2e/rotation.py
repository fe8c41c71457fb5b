#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""rotation.py -- the report written to rotated files (--output-file with
-G and -C, SIGHUP), as a log shipper watching the directory sees it.

The input is real: the lab's captures (captures/real/*.pcap, Ethernet,
made by captures/make-*.sh) joined into one capture, each shifted in
time to start after the one before, so one run reports a few hundred
connections.

1. -C: a size small enough to rotate many times (JSON, then text):
   every file is complete (JSON Lines: each line parses and ends in a
   newline; text: cut between two connections), the files in tcpdump's
   order (FILE, FILE1, FILE2, ...) joined give exactly the report of an
   unrotated run, and no hidden temporary file is left.
2. -G 1 with a strftime name on `-r -` fed at a set pace by this script:
   several files, one per second; the same checks; and a reader polling
   the directory all along never sees a partial line.
3. SIGHUP: during a paced `-r -` run without -G or -C, the first file
   appears under its name before the run ends, the rest goes to FILE1.
4. Errors: a directory the process cannot write is one line on stderr
   and exit status 2; a full file system (a 64 KiB tmpfs, as root only)
   likewise, with no file under its real name cut short.

  rotation.py [TLSDIAG CAPTURES_DIR]
"""
import glob
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.environ.get("top_srcdir") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
BUILD = os.environ.get("top_builddir") or TOP
TLSDIAG = sys.argv[1] if len(sys.argv) > 1 else os.path.join(BUILD, "src", "tlsdiag")
CAPS = sys.argv[2] if len(sys.argv) > 2 else os.path.join(TOP, "captures", "real")

passed = failed = 0


def ok(msg):
    global passed
    passed += 1
    print("ok   " + msg)


def bad(msg):
    global failed
    failed += 1
    print("FAIL " + msg)


def check(cond, msg, detail=""):
    if cond:
        ok(msg)
    else:
        bad(msg + (": " + detail if detail else ""))
    return cond


def read_pcap(path):
    """(linktype, [(ts_us, header_rest, data)]) of a classic little-endian
    microsecond pcap; None for any other kind."""
    with open(path, "rb") as f:
        b = f.read()
    if len(b) < 24 or b[:4] != b"\xd4\xc3\xb2\xa1":
        return None
    link = struct.unpack_from("<I", b, 20)[0]
    recs, off = [], 24
    while off + 16 <= len(b):
        sec, usec, incl, orig = struct.unpack_from("<IIII", b, off)
        data = b[off + 16:off + 16 + incl]
        if len(data) < incl:
            break
        recs.append((sec * 1000000 + usec, orig, data))
        off += 16 + incl
    return link, recs


def joined_capture(out_path):
    """All the Ethernet captures of CAPS in one, each after the last."""
    frames, t = [], 0
    for p in sorted(glob.glob(os.path.join(CAPS, "*.pcap"))):
        r = read_pcap(p)
        if not r or r[0] != 1 or not r[1]:
            continue
        base = r[1][0][0]
        for ts, orig, data in r[1]:
            frames.append((t + ts - base, orig, data))
        t = frames[-1][0] + 1000000
    with open(out_path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        for ts, orig, data in frames:
            f.write(struct.pack("<IIII", ts // 1000000, ts % 1000000, len(data), orig))
            f.write(data)
    return len(frames)


def numbered(d, base):
    """BASE, BASE1, BASE2, ... present in d, in tcpdump's order."""
    found = []
    for name in os.listdir(d):
        m = re.fullmatch(re.escape(base) + r"(\d*)", name)
        if m:
            found.append((int(m.group(1) or 0), name))
    return [os.path.join(d, n) for _, n in sorted(found)]


def hidden(d):
    return [n for n in os.listdir(d) if n.startswith(".")]


def json_file_complete(path):
    """'' when path is a complete JSON Lines file, else why not."""
    with open(path, "rb") as f:
        b = f.read()
    if not b:
        return "empty"
    if not b.endswith(b"\n"):
        return "does not end with a newline"
    for i, line in enumerate(b.split(b"\n")[:-1], 1):
        try:
            json.loads(line)
        except ValueError as e:
            return f"line {i} is not JSON ({e}): {line[:80]!r}"
    return ""


def joined(paths):
    out = b""
    for p in paths:
        with open(p, "rb") as f:
            out += f.read()
    return out


class Watcher(threading.Thread):
    """A shipper's view: list the directory, read every file not hidden,
    and check each is complete JSON Lines, until stopped."""

    def __init__(self, d):
        super().__init__(daemon=True)
        self.d, self.stop, self.reads, self.partial = d, False, 0, []

    def run(self):
        while not self.stop:
            for n in os.listdir(self.d):
                if n.startswith("."):
                    continue
                try:
                    with open(os.path.join(self.d, n), "rb") as f:
                        b = f.read()
                except FileNotFoundError:
                    continue  # replaced between the listing and the open
                self.reads += 1
                if not b.endswith(b"\n"):
                    self.partial.append(f"{n}: {len(b)} bytes, no newline at the end")
                else:
                    for line in b.split(b"\n")[:-1]:
                        try:
                            json.loads(line)
                        except ValueError:
                            self.partial.append(f"{n}: a line that is not JSON")
                            break
            time.sleep(0.002)


def paced(tlsdiag_args, pcap, seconds, on_step=None):
    """Feed pcap to `tlsdiag -r -` over about `seconds`, packets in 20
    equal groups; on_step(proc, i) is called after group i.  Returns
    (status, stderr)."""
    with open(pcap, "rb") as f:
        b = f.read()
    hdr, body = b[:24], b[24:]
    recs, off = [], 0
    while off + 16 <= len(body):
        incl = struct.unpack_from("<I", body, off + 8)[0]
        recs.append(body[off:off + 16 + incl])
        off += 16 + incl
    p = subprocess.Popen([TLSDIAG, "-r", "-"] + tlsdiag_args, stdin=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    p.stdin.write(hdr)
    steps = 20
    per = (len(recs) + steps - 1) // steps
    for i in range(steps):
        try:
            p.stdin.write(b"".join(recs[i * per:(i + 1) * per]))
            p.stdin.flush()
        except BrokenPipeError:
            break  # it died: its status says how
        time.sleep(seconds / steps)
        if on_step:
            on_step(p, i)
    try:
        p.stdin.close()
    except BrokenPipeError:
        pass
    err = p.stderr.read().decode(errors="replace")
    return p.wait(), err


def main():
    if not os.path.exists(TLSDIAG):
        print(f"SKIPPED: rotation: {TLSDIAG} is not built")
        return 77
    tmp = tempfile.mkdtemp(prefix="td-rotation-")
    try:
        return run(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(tmp):
    pcap = os.path.join(tmp, "real.pcap")
    n = joined_capture(pcap)
    if n == 0:
        print(f"SKIPPED: rotation: no Ethernet pcap in {CAPS}")
        return 77
    full_json = subprocess.run([TLSDIAG, "-r", pcap, "-o", "json"], capture_output=True).stdout
    full_text = subprocess.run([TLSDIAG, "-r", pcap, "--color=never"], capture_output=True).stdout
    # From a pipe the report streams (early lines, tls_end, stats: the
    # capture's clock decides them, not the pace): the paced runs below
    # are compared with the same input through a pipe, unpaced.
    with open(pcap, "rb") as f:
        full_stream = subprocess.run([TLSDIAG, "-r", "-", "-o", "json"], input=f.read(),
                                     capture_output=True).stdout
    lines = full_json.count(b"\n")
    print(f"     {n} frames from {CAPS}: {lines} JSON lines, {len(full_json)} bytes")

    # 1. -C, JSON: about 24 files.
    d = os.path.join(tmp, "c-json")
    os.mkdir(d)
    size = max(len(full_json) // 24, 1024)
    r = subprocess.run([TLSDIAG, "-r", pcap, "-o", "json", "--output-file",
                        os.path.join(d, "tls.json"), "-C", f"{size // 1024}k"], capture_output=True)
    check(r.returncode == full_rc(pcap) and not r.stdout, "-C: the same exit status, nothing on stdout",
          f"status {r.returncode}, stderr {r.stderr!r}")
    files = numbered(d, "tls.json")
    check(len(files) >= 10, f"-C {size // 1024}k: {len(files)} files (tls.json, tls.json1, ...)")
    why = [f"{os.path.basename(p)}: {w}" for p in files for w in [json_file_complete(p)] if w]
    check(not why, "-C: every file is complete JSON Lines", "; ".join(why[:3]))
    limit = size // 1024 * 1024
    over = [p for p in files[:-1] if os.path.getsize(p) <= limit]
    check(not over, "-C: each file but the last went past the size before the next began",
          ", ".join(os.path.basename(p) for p in over))
    check(joined(files) == full_json, "-C: the files joined are the unrotated report")
    check(not hidden(d), "-C: no temporary file left", " ".join(hidden(d)))

    # 1b. -C, text: cut between connections only.
    d = os.path.join(tmp, "c-text")
    os.mkdir(d)
    size = max(len(full_text) // 8, 1024)
    r = subprocess.run([TLSDIAG, "-r", pcap, "--color=never", "--output-file",
                        os.path.join(d, "tls.txt"), "-C", f"{size // 1024}k"], capture_output=True)
    files = numbered(d, "tls.txt")
    check(len(files) >= 4, f"-C, text: {len(files)} files")
    # The closing summary is a record too: it may begin the last file.
    odd = [f"{os.path.basename(p)}: {joined([p])[:60]!r}" for p in files[1:]
           if not re.match(rb"#\d+ |\n?\d+ TLS connection", joined([p]))]
    check(not odd, "-C, text: each later file begins with a connection (#N) or the summary",
          "; ".join(odd[:3]))
    check(joined(files) == full_text, "-C, text: the files joined are the unrotated report")
    check(not hidden(d), "-C, text: no temporary file left", " ".join(hidden(d)))

    # 2. -G 1 on a paced -r -, a reader polling all along.
    d = os.path.join(tmp, "g")
    os.mkdir(d)
    w = Watcher(d)
    w.start()
    st, err = paced(["-o", "json", "--output-file", os.path.join(d, "tls-%H%M%S.json"), "-G", "1"],
                    pcap, 5.0)
    w.stop = True
    w.join()
    files = sorted(glob.glob(os.path.join(d, "tls-*.json")))
    check(len(files) >= 3, f"-G 1 over a 5 s paced -r -: {len(files)} files", err)
    check(all(re.fullmatch(r"tls-\d{6}\.json", os.path.basename(p)) for p in files),
          "-G: names from the strftime pattern")
    why = [f"{os.path.basename(p)}: {wy}" for p in files for wy in [json_file_complete(p)] if wy]
    check(not why, "-G: every file is complete JSON Lines", "; ".join(why[:3]))
    check(joined(files) == full_stream, "-G: the files joined (in time order) are the unrotated report")
    check(not hidden(d), "-G: no temporary file left", " ".join(hidden(d)))
    check(w.reads > 0 and not w.partial,
          f"-G: a reader polling the directory read {w.reads} times, never a partial line",
          "; ".join(w.partial[:3]))

    # 3. SIGHUP half way.
    d = os.path.join(tmp, "hup")
    os.mkdir(d)
    seen = {}

    def hup(p, i):
        # Half way: SIGHUP.  The switch waits for the next frame (from a
        # pipe; a live capture ticks every 100 ms), so look a few groups on.
        if i == 10:
            seen["before"] = os.path.exists(os.path.join(d, "tls.json"))
            p.send_signal(signal.SIGHUP)
        elif i == 14:
            seen["first"] = os.path.exists(os.path.join(d, "tls.json"))
            seen["complete"] = seen["first"] and not json_file_complete(os.path.join(d, "tls.json"))

    st, err = paced(["-o", "json", "--output-file", os.path.join(d, "tls.json")], pcap, 3.0, hup)
    check(seen.get("before") is False, "SIGHUP: before it, the file is not published yet")
    check(seen.get("first"), "SIGHUP: the first file is published while the run goes on")
    check(seen.get("complete"), "SIGHUP: ... and it is complete JSON Lines")
    files = numbered(d, "tls.json")
    check([os.path.basename(p) for p in files] == ["tls.json", "tls.json1"],
          "SIGHUP: the rest went to tls.json1", " ".join(os.listdir(d)))
    check(joined(files) == full_stream, "SIGHUP: the two files joined are the unrotated report")
    check(st == full_rc(pcap), "SIGHUP: the run went on to its end", f"status {st}: {err}")

    # 3b. SIGHUP with --workers 2: the output thread's file switches at
    # its next record (the workers have no frame boundary to wait for),
    # and the signal never ends the run.
    d = os.path.join(tmp, "hup-workers")
    os.mkdir(d)

    def hup_w(p, i):
        if i == 8:
            p.send_signal(signal.SIGHUP)

    st, err = paced(["-o", "json", "--workers", "2", "--output-file", os.path.join(d, "tls.json")],
                    pcap, 3.0, hup_w)
    check(st == full_rc(pcap), "--workers 2, SIGHUP: the run went on to its end", f"status {st}: {err}")
    files = numbered(d, "tls.json")
    why = [p for p in files if json_file_complete(p)]
    check(len(files) == 2 and not why, "--workers 2, SIGHUP: two files, each complete JSON Lines",
          " ".join(os.listdir(d)) + " " + " ".join(why))
    lines = sorted(json.loads(l)["type"] for l in joined(files).decode().splitlines())
    want = sorted(json.loads(l)["type"] for l in full_stream.decode().splitlines())
    check(lines == want, "--workers 2, SIGHUP: the files joined hold the records of one worker's report",
          f"{lines} {want}")

    # 4. Errors.
    d = os.path.join(tmp, "ro")
    os.mkdir(d)
    os.chmod(d, 0o555)
    cmd = [TLSDIAG, "-r", pcap, "-o", "json", "--output-file", os.path.join(d, "tls.json")]
    if os.geteuid() == 0:
        cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] + cmd
        os.chmod(tmp, 0o755)
    r = subprocess.run(cmd, capture_output=True)
    errl = r.stderr.decode(errors="replace").strip().splitlines()
    check(r.returncode == 2 and len(errl) == 1 and "Permission denied" in errl[0],
          "a directory that cannot be written: one line, status 2", f"{r.returncode} {errl}")
    if os.geteuid() == 0:
        d = os.path.join(tmp, "full")
        os.mkdir(d)
        m = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", d], capture_output=True)
        if m.returncode != 0:
            print("SKIPPED: full file system: cannot mount a tmpfs here: " + m.stderr.decode().strip())
        else:
            try:
                r = subprocess.run([TLSDIAG, "-r", pcap, "-o", "json", "--output-file",
                                    os.path.join(d, "tls.json"), "-C", "16k"], capture_output=True)
                errl = r.stderr.decode(errors="replace").strip().splitlines()
                check(r.returncode == 2 and len(errl) == 1 and "No space left" in errl[0],
                      "a full file system: one line, status 2", f"{r.returncode} {errl}")
                why = [p for p in numbered(d, "tls.json") if json_file_complete(p)]
                check(not why, "a full file system: no published file is cut short", " ".join(why))
            finally:
                subprocess.run(["umount", d])
    else:
        print("SKIPPED: full file system: needs root to mount a small tmpfs")

    print(f"rotation: {passed} passed, {failed} failed")
    return 1 if failed else 0


_rc = {}


def full_rc(pcap):
    if pcap not in _rc:
        _rc[pcap] = subprocess.run([TLSDIAG, "-r", pcap, "-o", "json"], capture_output=True).returncode
    return _rc[pcap]


if __name__ == "__main__":
    sys.exit(main())
