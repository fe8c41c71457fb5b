#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""ecs-fields.py -- `tlsdiag -o ecs` against the Elastic Common Schema's
own field reference (../shared/ecs/ecs_flat.yml, elastic/ecs's generated
flat list; read, never copied into the project).

Over every capture of captures/ (with its key log when it has one, so
decrypted certificates are written too) and of ../shared/corpus when
present, every record must be one JSON object whose every field outside
"tlsdiag" is one ECS defines, with a JSON value of ECS's type:

  keyword, constant_keyword, wildcard, text, match_only_text  a string
  long, integer, short, byte, unsigned_long     an integer
  float, double, half_float, scaled_float      a number
  boolean                                       true or false
  date                                          an ISO 8601 string
  ip                                            an IPv4 or IPv6 address
  object, nested, flattened                     an object (nested: objects)

an array of those exactly when ECS says the field is one ("normalize:
array"), a value among ECS's allowed values where it lists them
(event.kind, event.category, event.type, event.outcome), and the fields
ECS requires (@timestamp, ecs.version).  Also: "tlsdiag" is an object
holding type "tls" (or, streaming, "tls_end" or "stats"), and the server
chain's first certificate hashes to tls.server.hash.sha256.

The lab captures are read a second time through a pipe, streaming
(--report-grace 0 --stats-interval 1): the records of a connection's
start and end and the statistics records are checked too.

  ecs-fields.py [TLSDIAG [TOP [ECS_DIR [CORPUS]]]]

Exit 77 (SKIP, said loudly) when the field reference is absent; the
corpus part is skipped, loudly, when the corpus is absent.  Prints one
line per breach (the first 50) and a tally.
"""
import base64
import datetime
import glob
import hashlib
import ipaddress
import json
import os
import re
import subprocess
import sys

TOP = os.environ.get("top_srcdir", ".")
TLSDIAG = os.path.join(os.environ.get("top_builddir", "."), "src", "tlsdiag")
if len(sys.argv) > 1:
    TLSDIAG = sys.argv[1]
if len(sys.argv) > 2:
    TOP = sys.argv[2]
ECS = os.path.join(TOP, "..", "shared", "ecs")
CORPUS = os.path.join(TOP, "..", "shared", "corpus")
if len(sys.argv) > 3:
    ECS = sys.argv[3]
if len(sys.argv) > 4:
    CORPUS = sys.argv[4]

STRING = {"keyword", "constant_keyword", "wildcard", "text", "match_only_text"}
INTEGER = {"long", "integer", "short", "byte", "unsigned_long"}
NUMBER = {"float", "double", "half_float", "scaled_float"}
OBJECT = {"object", "nested", "flattened"}
ISO8601 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")


def load_ecs(path):
    """{name: {"type", "array", "allowed", "required"}} from ecs_flat.yml,
    read line by line (a flat YAML: each field a top-level key, its
    attributes indented by two spaces), so no YAML library is needed."""
    fields, cur, in_list, in_allowed = {}, None, None, False
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith(" "):
                name = line[:-1] if line.endswith(":") else line
                name = name.strip("'\"")
                cur = fields.setdefault(name, {"type": None, "array": False,
                                               "allowed": None, "required": False})
                in_list, in_allowed = None, False
                continue
            if cur is None:
                continue
            m = re.match(r"^  (\w+):\s*(.*)$", line)
            if m:
                key, val = m.group(1), m.group(2).strip()
                in_list, in_allowed = None, False
                if key == "type":
                    cur["type"] = val
                elif key == "required":
                    cur["required"] = val == "true"
                elif key == "normalize":
                    cur["array"] = "array" in val
                    in_list = "normalize" if val == "" else None
                elif key == "allowed_values":
                    cur["allowed"] = []
                    in_allowed = True
                continue
            if in_list == "normalize" and re.match(r"^  - array\s*$", line):
                cur["array"] = True
            elif in_allowed:
                m = re.match(r"^  - .*?name: (\S+)\s*$", line) or \
                    re.match(r"^    name: (\S+)\s*$", line)
                if m:
                    cur["allowed"].append(m.group(1).strip("'\""))
    return fields


def type_ok(ecs_type, v):
    if ecs_type in STRING:
        return isinstance(v, str)
    if ecs_type in INTEGER:
        return isinstance(v, int) and not isinstance(v, bool)
    if ecs_type in NUMBER:
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if ecs_type == "boolean":
        return isinstance(v, bool)
    if ecs_type == "date":
        return isinstance(v, str) and ISO8601.match(v) is not None
    if ecs_type == "ip":
        if not isinstance(v, str):
            return False
        try:
            ipaddress.ip_address(v)
        except ValueError:
            return False
        return True
    if ecs_type in OBJECT:
        return isinstance(v, dict)
    return False  # geo_point and the like: tlsdiag writes none


def check_field(ecs, name, v, where, fails):
    f = ecs.get(name)
    if f is None:
        fails.append("%s: %s is not an ECS field" % (where, name))
        return
    values = v if isinstance(v, list) else [v]
    if f["array"] != isinstance(v, list) and f["type"] != "nested":
        fails.append("%s: %s is %san array, ECS says %s" %
                     (where, name, "" if isinstance(v, list) else "not ",
                      "it is one" if f["array"] else "it is not"))
    for x in values:
        if not type_ok(f["type"], x):
            fails.append("%s: %s = %r is not of ECS type %s" % (where, name, x, f["type"]))
        elif f["allowed"] and x not in f["allowed"]:
            fails.append("%s: %s = %r is not among ECS's allowed values" % (where, name, x))


def walk(ecs, obj, prefix, where, fails, seen):
    for k, v in obj.items():
        name = prefix + k
        if name == "tlsdiag":
            if not isinstance(v, dict) or v.get("type") not in ("tls", "tls_end", "stats"):
                fails.append("%s: tlsdiag is not an object of type tls, tls_end or stats" % where)
            continue
        seen.add(name)
        f = ecs.get(name)
        if isinstance(v, dict) and (f is None or f["type"] == "object"):
            walk(ecs, v, name + ".", where, fails, seen)  # a field set, not a field
        else:
            check_field(ecs, name, v, where, fails)


def check_chain(rec, where, fails):
    server = rec.get("tls", {}).get("server", {})
    chain, want = server.get("certificate_chain"), server.get("hash", {}).get("sha256")
    if chain and want:
        got = hashlib.sha256(base64.b64decode(chain[0], validate=True)).hexdigest().upper()
        if got != want:
            fails.append("%s: the chain's leaf hashes to %s, tls.server.hash.sha256 is %s" %
                         (where, got, want))


def captures(folder):
    return sorted(p for p in glob.glob(os.path.join(folder, "**", "*"), recursive=True)
                  if p.endswith((".pcap", ".pcapng", ".pcap.gz")))


def run(ecs, path, label, fails, required, stream=False):
    args = [TLSDIAG, "-r", "-" if stream else path, "-o", "ecs"]
    if stream:
        args += ["--report-grace", "0", "--stats-interval", "1"]
    base = re.sub(r"\.(pcap|pcapng|pcap\.gz)$", "", path)
    if os.path.exists(base + ".keylog") and os.path.getsize(base + ".keylog") > 0:
        args += ["-k", base + ".keylog"]
    data = None
    if stream:
        with open(path, "rb") as f:
            data = f.read()
    out = subprocess.run(args, input=data, capture_output=True, check=False)
    out.stdout = out.stdout.decode("utf-8", "replace")
    out.stderr = out.stderr.decode("utf-8", "replace")
    if out.returncode not in (0, 1, 2):
        fails.append("%s: tlsdiag exited %d: %s" % (label, out.returncode, out.stderr.strip()))
    n = 0
    for i, line in enumerate(out.stdout.splitlines(), 1):
        where = "%s line %d" % (label, i)
        try:
            rec = json.loads(line)
        except ValueError as e:
            fails.append("%s: not JSON: %s" % (where, e))
            continue
        if not isinstance(rec, dict):
            fails.append("%s: not an object" % where)
            continue
        seen = set()
        walk(ecs, rec, "", where, fails, seen)
        for r in required:
            if r not in seen:
                fails.append("%s: the required ECS field %s is missing" % (where, r))
        check_chain(rec, where, fails)
        n += 1
    return n


def main():
    ref = os.path.join(ECS, "ecs_flat.yml")
    if not os.path.exists(ref):
        print("SKIPPED: ecs-fields: no ECS field reference at %s" % ref)
        return 77
    if not os.access(TLSDIAG, os.X_OK):
        print("ecs-fields: no tlsdiag at %s" % TLSDIAG)
        return 2
    ecs = load_ecs(ref)
    required = sorted(k for k, f in ecs.items() if f["required"])
    fails, records, files = [], 0, 0
    caps = captures(os.path.join(TOP, "captures"))
    for p in caps:
        records += run(ecs, p, os.path.relpath(p, TOP), fails, required)
        files += 1
    kinds = {}
    for p in caps:
        if os.path.dirname(p) == os.path.join(TOP, "captures"):
            records += run(ecs, p, "streamed " + os.path.relpath(p, TOP), fails, required, True)
            kinds["streamed"] = kinds.get("streamed", 0) + 1
    if os.path.isdir(CORPUS):
        for p in captures(CORPUS):
            records += run(ecs, p, "corpus/" + os.path.relpath(p, CORPUS), fails, required)
            files += 1
    else:
        print("SKIPPED: ecs-fields: the corpus part: %s is absent" % CORPUS)
    for f in fails[:50]:
        print("FAIL " + f)
    if len(fails) > 50:
        print("... and %d more" % (len(fails) - 50))
    print("ecs-fields: %d captures (and %d lab captures again, streamed), %d records, %d breaches"
          % (files, kinds.get("streamed", 0), records, len(fails)))
    return 1 if fails or records == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
