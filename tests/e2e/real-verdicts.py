#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""real-verdicts.py -- tlsdiag's verdicts on the real-server lab
(captures/real) against the expectations written by hand at the end of
captures/real/expected/*.facts (never from tlsdiag's output).

For every NAME.facts (without the key log) and NAME.decrypted.facts (with
-k NAME.keylog) it runs `tlsdiag -o json` and checks, per connection
(matched by the client IP:port of the facts):

  N outcome X                         .outcome == X
  N diag.0 CODE STAGE GAVE_UP CONF    the first diagnosis: code, stage,
                                      gave_up, confidence
  N diag.K CODE STAGE GAVE_UP CONF    the (K+1)th diagnosis, the same way
  N starttls PROTO                    .starttls == PROTO
  N starttls_result R                 .starttls_result == R
  N max_severity warning              no diagnosis above a warning
  N starttls PROTO                    .starttls == PROTO (issue 17)
  N starttls_result R                 .starttls_result == R
  (no diag.0 line)                    no diagnosis of severity error

`*` for N means every connection of the capture.

  real-verdicts.py [TLSDIAG CAPTURES_REAL_DIR [NAME...]]

Without arguments (make check), TLSDIAG is $top_builddir/src/tlsdiag and
the folder $top_srcdir/captures/real.  Prints one line per mismatch and a
tally ("real: N passed, M failed", one per facts file); exit 0 when all
agree.
"""
import json
import os
import subprocess
import sys

SEV = {"info": 0, "warning": 1, "error": 2}


def expectations(path):
    """{conn: {...}} from the facts file: client per conn and the
    expectation block."""
    clients, exp = {}, {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split(" ")
            conn, key, rest = parts[0], parts[1], parts[2:]
            if key == "client":
                clients[conn] = rest[0]
            elif key in ("outcome", "max_severity", "starttls", "starttls_result"):
                exp.setdefault(conn, {})[key] = rest[0]
            elif key.startswith("diag."):
                exp.setdefault(conn, {})[key] = " ".join(rest)
    return clients, exp


def run(tlsdiag, pcap, keylog):
    cmd = [tlsdiag, "-r", pcap, "-o", "json"]
    if keylog:
        cmd += ["-k", keylog]
    p = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if p.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.strip()}")
    conns = {}
    for line in p.stdout.splitlines():
        obj = json.loads(line)
        if "id" in obj:
            conns[obj["client"]] = obj
    return conns


def described(d):
    """'CODE STAGE GAVE_UP CONFIDENCE' of one diagnosis."""
    return " ".join(str(d.get(k) or "-") for k in ("code", "stage", "gave_up", "confidence"))


def verdict(c):
    d = c["diagnoses"]
    first = described(d[0]) if d else "-"
    worst = max((SEV.get(x["severity"], 0) for x in d), default=-1)
    return first, worst


def check(tlsdiag, real, facts_name):
    keyed = facts_name.endswith(".decrypted.facts")
    name = facts_name[: -len(".decrypted.facts")] if keyed else facts_name[: -len(".facts")]
    clients, exp = expectations(os.path.join(real, "expected", facts_name))
    conns = run(tlsdiag, os.path.join(real, name + ".pcap"),
                os.path.join(real, name + ".keylog") if keyed else None)
    label = f"{name}{' -k' if keyed else ''}"
    bad = []
    for conn, client in sorted(clients.items(), key=lambda kv: int(kv[0])):
        want = dict(exp.get("*", {}))
        want.update(exp.get(conn, {}))
        c = conns.get(client)
        if c is None:
            # a TCP connection without TLS (e.g. a refused retry) is not a
            # TLS connection of tlsdiag's output; only when nothing is expected
            if want:
                bad.append(f"{label} conn {conn} ({client}): not in tlsdiag's output")
            continue
        first, worst = verdict(c)
        if "outcome" in want and c["outcome"] != want["outcome"]:
            bad.append(f"{label} conn {conn}: outcome {c['outcome']}, want {want['outcome']}")
        for key in ("starttls", "starttls_result"):
            if key in want and c.get(key) != want[key]:
                bad.append(f"{label} conn {conn}: {key} {c.get(key)}, want {want[key]}")
        for key in sorted(k for k in want if k.startswith("diag.") and k != "diag.0"):
            i = int(key[len("diag."):])
            got = described(c["diagnoses"][i]) if i < len(c["diagnoses"]) else "-"
            if got != want[key]:
                bad.append(f"{label} conn {conn}: {key} {got}, want {want[key]}")
        if "diag.0" in want:
            if first != want["diag.0"]:
                bad.append(f"{label} conn {conn}: diag.0 {first}, want {want['diag.0']}")
        elif want.get("max_severity") == "warning":
            if worst > SEV["warning"]:
                bad.append(f"{label} conn {conn}: {first} above a warning, want at most a warning")
        elif worst >= SEV["error"]:
            bad.append(f"{label} conn {conn}: error {first}, want no error")
    return bad


def main():
    if len(sys.argv) == 1:
        tlsdiag = os.path.join(os.environ.get("top_builddir", "."), "src", "tlsdiag")
        real = os.path.join(os.environ.get("top_srcdir", "."), "captures", "real")
        names = []
    elif len(sys.argv) >= 3:
        tlsdiag, real = sys.argv[1], sys.argv[2]
        names = sys.argv[3:]
    else:
        print("usage: real-verdicts.py [TLSDIAG CAPTURES_REAL_DIR [NAME...]]", file=sys.stderr)
        return 2
    files = sorted(os.listdir(os.path.join(real, "expected")))
    if names:
        files = [f for f in files
                 if f.split(".")[0] in names]
    n_bad = n_ok = 0
    for f in files:
        if not f.endswith(".facts"):
            continue
        bad = check(tlsdiag, real, f)
        for b in bad:
            print("FAIL", b)
        if bad:
            n_bad += 1
        else:
            n_ok += 1
    print(f"real: {n_ok} passed, {n_bad} failed (facts files of captures/real whose "
          f"verdicts agree / disagree)")
    return 1 if n_bad else 0


if __name__ == "__main__":
    sys.exit(main())
