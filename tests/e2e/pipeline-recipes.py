#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""pipeline-recipes.py -- the recipes of FLEET AND LOG PIPELINES
(man/tlsdiag.1) that cannot run here for real, checked as far as they
can be.  (The rsyslog recipe runs for real: tests/e2e/rsyslog.sh.)

1. contrib/kubernetes/tlsdiag-daemonset.yaml: parses as YAML (python3-yaml)
   and says what the page says: a DaemonSet on the host's network, its
   selector matching its pods, every container dropping ALL capabilities,
   tlsdiag's adding only NET_RAW, SETUID and SETGID, its arguments
   (-i any, -o ecs, --output-file under the mounted volume, -G 300), a
   memory limit no lower than the documented bound (256 MiB with the
   default caps).  No cluster is available: it is not applied to one.
2. As root, the DaemonSet's containers' command lines are run as the
   container would run them: with only their capabilities (setpriv's
   bounding set and no_new_privs, as allowPrivilegeEscalation: false):
   the init container's chown, then tlsdiag with the manifest's
   arguments as written but for the directory, which must open "any",
   give up root for nobody (CapEff 0, NoNewPrivs 1) and publish its file
   on SIGTERM; then the prune command.  Skipped (said) without root,
   setpriv or an "any" device.
3. contrib/shippers/{vector.toml,fluent-bit.yaml,filebeat.yml}: parse as
   TOML (tomllib, Python 3.11) and YAML.  SYNTAX-CHECKED ONLY: Vector,
   Fluent Bit and Filebeat are not Debian 12 packages and do not run
   here.  Beyond syntax: each reads the DaemonSet's directory with a
   pattern that takes tlsdiag's published names (-G's and -C's) and not
   its hidden temporary ones, by each shipper's own matching rules, and
   allows lines as long as tlsdiag's longest on the lab's captures.

  pipeline-recipes.py [TLSDIAG]
"""
import fnmatch
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TOP = os.environ.get("top_srcdir") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
BUILD = os.environ.get("top_builddir") or TOP
TLSDIAG = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(BUILD, "src", "tlsdiag"))
K8S = os.path.join(TOP, "contrib", "kubernetes", "tlsdiag-daemonset.yaml")
SHIP = os.path.join(TOP, "contrib", "shippers")

passed = failed = 0


def check(cond, msg, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   " + msg)
    else:
        failed += 1
        print("FAIL " + msg + (": " + detail if detail else ""))
    return cond


def skip(msg):
    print("SKIP " + msg)


# Names tlsdiag gives its files under the DaemonSet's pattern: -G's, -C's
# numbered ones, and the hidden names it writes them under.
PUBLISHED = ["tls-20260101120000.json", "tls-20260101120000.json1", "tls-20260101120500.json12"]
HIDDEN = [".tls-20260101120000.json.tmp", ".tls-20260101120000.json1.tmp"]


def daemonset():
    try:
        import yaml
    except ImportError:
        skip("the DaemonSet: python3-yaml is not installed (apt-get install python3-yaml)")
        return None
    with open(K8S) as f:
        try:
            docs = [d for d in yaml.safe_load_all(f) if d]
        except yaml.YAMLError as e:
            check(False, "tlsdiag-daemonset.yaml parses as YAML", str(e))
            return None
    check(True, f"tlsdiag-daemonset.yaml parses as YAML ({len(docs)} documents; "
          "no cluster here: not applied to one)")
    ds = [d for d in docs if d.get("kind") == "DaemonSet"]
    if not check(len(ds) == 1 and ds[0].get("apiVersion") == "apps/v1", "one apps/v1 DaemonSet"):
        return None
    ds = ds[0]
    ns = [d["metadata"]["name"] for d in docs if d.get("kind") == "Namespace"]
    check(ds["metadata"].get("namespace") in ns, "its namespace is created with it")
    spec = ds["spec"]
    pod = spec["template"]["spec"]
    labels = spec["template"]["metadata"]["labels"]
    check(all(labels.get(k) == v for k, v in spec["selector"]["matchLabels"].items()),
          "the selector matches the pods' labels")
    check(pod.get("hostNetwork") is True and pod.get("dnsPolicy") == "ClusterFirstWithHostNet",
          "hostNetwork, with the DNS policy it needs")
    vols = {v["name"]: v for v in pod.get("volumes", [])}
    every = pod.get("initContainers", []) + pod["containers"]
    for c in every:
        sc = c.get("securityContext", {})
        caps = sc.get("capabilities", {})
        check(caps.get("drop") == ["ALL"] and sc.get("allowPrivilegeEscalation") is False
              and sc.get("readOnlyRootFilesystem") is True,
              f"container {c['name']}: drops ALL capabilities, no privilege escalation, "
              "read-only root")
        check(all(m["name"] in vols for m in c.get("volumeMounts", [])),
              f"container {c['name']}: mounts only volumes the pod has")
        check("memory" in c.get("resources", {}).get("limits", {}) or c in pod.get("initContainers", []),
              f"container {c['name']}: a memory limit")
    td = [c for c in pod["containers"] if c["name"] == "tlsdiag"]
    if not check(len(td) == 1, "a container named tlsdiag"):
        return None
    td = td[0]
    check(sorted(td["securityContext"]["capabilities"].get("add", [])) == ["NET_RAW", "SETGID", "SETUID"],
          "tlsdiag adds NET_RAW, SETUID and SETGID only")
    a = td["args"]
    pairs = {a[i]: a[i + 1] for i in range(len(a) - 1) if a[i].startswith("-")}
    check(pairs.get("-i") == "any" and pairs.get("-o") == "ecs" and pairs.get("-G") == "300"
          and pairs.get("--output-file") == "/var/log/tlsdiag/tls-%Y%m%d%H%M%S.json",
          "tlsdiag -i any -o ecs --output-file /var/log/tlsdiag/tls-%Y%m%d%H%M%S.json -G 300")
    mount = [m for m in td["volumeMounts"] if m["mountPath"] == "/var/log/tlsdiag"]
    check(len(mount) == 1, "the output directory is a mounted volume",
          " ".join(m["mountPath"] for m in td["volumeMounts"]))
    if mount:
        v = vols.get(mount[0]["name"], {})
        check("hostPath" in v or "emptyDir" in v, "a hostPath or emptyDir volume")
    lim = td["resources"]["limits"]["memory"]
    m = re.fullmatch(r"(\d+)Mi", lim)
    check(m and int(m.group(1)) >= 256 + 16, f"tlsdiag's memory limit {lim} >= 256 MiB (the "
          "documented bound with the default caps) + 16 MiB (the capture ring)")
    return pod


def status_of(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
    except OSError:
        return {}


def run_containers(pod):
    """The containers' command lines with only their capabilities."""
    if os.geteuid() != 0:
        skip("the DaemonSet's command lines: not root (run as root, as CI does)")
        return
    setpriv = shutil.which("setpriv")
    if not setpriv:
        skip("the DaemonSet's command lines: no setpriv (util-linux)")
        return
    if not os.path.exists("/sys/class/net") or subprocess.run(
            [TLSDIAG, "-D"], capture_output=True, text=True).stdout.find("any") < 0:
        skip("the DaemonSet's command lines: no 'any' device here")
        return
    tmp = tempfile.mkdtemp(prefix="td-k8s-")
    try:
        d = os.path.join(tmp, "var-log-tlsdiag")
        os.mkdir(d, 0o755)
        os.chmod(tmp, 0o755)

        def contained(c, argv):
            sc = c["securityContext"]
            caps = sc["capabilities"].get("add", [])
            bset = ",".join(["-all"] + ["+" + x.lower() for x in caps])
            user = []
            if sc.get("runAsUser", 0) != 0:
                user = ["--reuid", str(sc["runAsUser"]), "--regid", str(sc.get("runAsGroup", sc["runAsUser"])),
                        "--clear-groups"]
            return [setpriv] + user + ["--no-new-privs", "--bounding-set", bset, "--inh-caps", "-all", "--"] + argv

        init = pod["initContainers"][0]
        cmd = [x.replace("/var/log/tlsdiag", d) for x in init["command"]]
        r = subprocess.run(contained(init, cmd), capture_output=True, text=True)
        st = os.stat(d)
        check(r.returncode == 0 and st.st_uid == 65534,
              f"init container: {' '.join(init['command'])} with CHOWN only", r.stderr.strip())

        td = [c for c in pod["containers"] if c["name"] == "tlsdiag"][0]
        args = [x.replace("/var/log/tlsdiag", d) for x in td["args"]]
        p = subprocess.Popen(contained(td, [TLSDIAG] + args), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        # setpriv execs tlsdiag in the same process: its status is ours to read.
        st = {}
        for _ in range(50):
            time.sleep(0.1)
            st = status_of(p.pid)
            if st.get("Uid", "").split("\t")[0] == "65534" or p.poll() is not None:
                break
        time.sleep(0.3)
        st = status_of(p.pid) or st
        alive = p.poll() is None
        p.send_signal(signal.SIGTERM)
        try:
            out, err = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        check(alive, "tlsdiag with the manifest's arguments and NET_RAW, SETUID, SETGID only: "
              "captures on 'any'", err.strip()[:300])
        check(st.get("Uid", "").split("\t")[0] == "65534" and st.get("CapEff") == "0" * 16
              and st.get("NoNewPrivs") == "1",
              "...then runs as nobody with no capability and no_new_privs "
              f"(Uid {st.get('Uid', '?').split(chr(9))[0]}, CapEff {st.get('CapEff')}, "
              f"NoNewPrivs {st.get('NoNewPrivs')}, Seccomp {st.get('Seccomp')})")
        files = sorted(os.listdir(d))
        check(p.returncode in (0, 1) and len(files) == 1 and re.fullmatch(r"tls-\d{14}\.json", files[0]),
              "...and on SIGTERM publishes its file and exits (status 0 or 1)",
              f"status {p.returncode}, files {files}, {err.strip()[:200]}")

        prune = [c for c in pod["containers"] if c["name"] == "prune"]
        if prune:
            c = prune[0]
            loop = c["command"][-1]
            m = re.search(r"find .*?-delete", loop)
            if check(m, "the prune container runs find ... -delete"):
                old = os.path.join(d, "tls-20000101000000.json")
                open(old, "w").close()
                os.chown(old, 65534, 65534)
                os.utime(old, (946684800, 946684800))
                cmd = ["/bin/sh", "-c", m.group(0).replace("/var/log/tlsdiag", d)]
                r = subprocess.run(contained(c, cmd), capture_output=True, text=True)
                left = sorted(os.listdir(d))
                check(r.returncode == 0 and left == files,
                      "...as nobody, with no capability: it removes an old file, keeps the new",
                      f"{r.stderr.strip()} left {left}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def longest_line():
    """The longest JSON and ECS line tlsdiag writes for the real lab's captures."""
    longest = 0
    caps = sorted(glob.glob(os.path.join(TOP, "captures", "real", "*.pcap")))
    for fmt in ("json", "ecs"):
        for c in caps:
            r = subprocess.run([TLSDIAG, "-r", c, "-o", fmt], capture_output=True)
            for line in r.stdout.split(b"\n"):
                longest = max(longest, len(line))
    return longest


def size(v):
    m = re.fullmatch(r"(\d+)([kKmM]?)", str(v))
    return int(m.group(1)) * {"": 1, "k": 1024, "K": 1024, "m": 1 << 20, "M": 1 << 20}[m.group(2)] if m else 0


def shippers():
    print("     Vector, Fluent Bit and Filebeat are not Debian 12 packages: their configurations")
    print("     are SYNTAX-CHECKED ONLY, never run here")
    longest = longest_line() if os.path.exists(TLSDIAG) else 0
    print(f"     the longest line tlsdiag writes on the real lab's captures: {longest} bytes")
    d = "/var/log/tlsdiag/"

    def takes(name, include, excluded):
        ok_pub = all(include(d + n) and not excluded(d + n) for n in PUBLISHED)
        ok_hid = all(not include(d + n) or excluded(d + n) for n in HIDDEN)
        check(ok_pub and ok_hid, f"{name}: reads {d}{PUBLISHED[0]} and -C's {PUBLISHED[1]}, "
              f"never {HIDDEN[0]}")

    # Vector: TOML; glob patterns where "*" also matches a leading dot
    # (fnmatch does the same).
    try:
        import tomllib
    except ImportError:
        tomllib = None
    if tomllib:
        with open(os.path.join(SHIP, "vector.toml"), "rb") as f:
            try:
                v = tomllib.load(f)
                check(True, "vector.toml parses as TOML (syntax-checked only)")
            except tomllib.TOMLDecodeError as e:
                v = None
                check(False, "vector.toml parses as TOML", str(e))
        if v:
            src = v["sources"]["tlsdiag"]
            takes("vector.toml", lambda p: any(fnmatch.fnmatchcase(p, g) for g in src["include"]),
                  lambda p: any(fnmatch.fnmatchcase(p, g) for g in src.get("exclude", [])))
            check(src.get("read_from") == "beginning", "vector.toml: reads each file from its start")
            check(src.get("max_line_bytes", 102400) > longest,
                  f"vector.toml: max_line_bytes {src.get('max_line_bytes', 102400)} > {longest}")
            tr = v["transforms"]["tlsdiag_ecs"]
            check(tr["inputs"] == ["tlsdiag"] and "parse_json" in tr["source"],
                  "vector.toml: each line parsed as JSON")
            check(all(s["inputs"] == ["tlsdiag_ecs"] for s in v["sinks"].values()),
                  "vector.toml: the sink takes the parsed records")
    else:
        skip("vector.toml: no tomllib (Python 3.11)")

    try:
        import yaml
    except ImportError:
        skip("fluent-bit.yaml, filebeat.yml: python3-yaml is not installed")
        return
    with open(os.path.join(SHIP, "fluent-bit.yaml")) as f:
        fb = yaml.safe_load(f)
    check(True, "fluent-bit.yaml parses as YAML (syntax-checked only)")
    tail = [i for i in fb["pipeline"]["inputs"] if i["name"] == "tail"][0]
    # Fluent Bit: glob(3) for path (no leading dot), fnmatch(3) for exclude_path.
    takes("fluent-bit.yaml",
          lambda p: fnmatch.fnmatchcase(p, tail["path"]) and not os.path.basename(p).startswith("."),
          lambda p: any(fnmatch.fnmatchcase(p, g) for g in tail.get("exclude_path", "").split(",")))
    parsers = {p["name"]: p for p in fb.get("parsers", [])}
    check(parsers.get(tail.get("parser"), {}).get("format") == "json",
          "fluent-bit.yaml: each line parsed as JSON")
    check(size(tail.get("buffer_max_size", "32k")) > longest,
          f"fluent-bit.yaml: buffer_max_size {tail.get('buffer_max_size', '32k')} > {longest}")
    check(str(tail.get("read_from_head")).lower() in ("true", "on"),
          "fluent-bit.yaml: reads each file from its start")
    check(all(o.get("match") == tail.get("tag") for o in fb["pipeline"]["outputs"]),
          "fluent-bit.yaml: the output takes the input's tag")

    with open(os.path.join(SHIP, "filebeat.yml")) as f:
        fbt = yaml.safe_load(f)
    check(True, "filebeat.yml parses as YAML (syntax-checked only)")
    inp = fbt["filebeat.inputs"][0]
    # Filebeat: Go's filepath.Match ("*" matches a leading dot), and
    # regular expressions for exclude_files.
    takes("filebeat.yml", lambda p: any(fnmatch.fnmatchcase(p, g) for g in inp["paths"]),
          lambda p: any(re.search(rx, p) for rx in inp.get("prospector.scanner.exclude_files", [])))
    nd = [p["ndjson"] for p in inp.get("parsers", []) if "ndjson" in p]
    check(inp.get("type") == "filestream" and nd and nd[0].get("target") == "",
          "filebeat.yml: a filestream input, each line parsed as JSON at the top of the event")

    # rsyslog (run for real by rsyslog.sh): the same directory and names.
    with open(os.path.join(SHIP, "rsyslog-sensor.conf")) as f:
        m = re.search(r'File="([^"]+)"', f.read())
    takes("rsyslog-sensor.conf",
          lambda p: bool(m) and fnmatch.fnmatchcase(p, m.group(1)) and not os.path.basename(p).startswith("."),
          lambda p: False)


def main():
    if not os.path.exists(TLSDIAG):
        print(f"SKIPPED: pipeline-recipes: {TLSDIAG} is not built")
        return 77
    pod = daemonset()
    if pod:
        run_containers(pod)
    shippers()
    print(f"pipeline-recipes.py: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
