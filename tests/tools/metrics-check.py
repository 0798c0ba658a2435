#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""memctl's Prometheus metrics and NFD labels.

  metrics-check.py fixtures MEMCTL FIXTURE...   promtool check metrics on `memctl metrics` of every
                                                fixture tree; NFD rules on `memctl metrics --nfd`
  metrics-check.py daemon MEMCTLD MEMCTL FIXTURE  memctld on a fixture copy writes both files, they
                                                change with `memctl offline`, values match status --json
  metrics-check.py rules RULES TESTS            promtool check rules + promtool test rules

promtool comes with Debian's `prometheus` package. Without it the test is
skipped (77), except under CI (CI=true), where it fails.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

failures = []


def check(name, ok, detail=""):
    print(("ok     " if ok else "FAILED ") + name + ("" if ok or not detail else ": " + detail))
    if not ok:
        failures.append(name)


def promtool():
    p = shutil.which("promtool")
    if p:
        return p
    print("promtool not found (Debian package: prometheus)")
    sys.exit(1 if os.environ.get("CI") == "true" else 77)


# ---- NFD's documented rules for local feature files (docs/usage/customization-guide.md,
# "Input format"; names and values are Kubernetes label keys and values) ----
NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


def nfd_problems(text):
    """Every way text breaks NFD's feature file rules, as sentences."""
    out, seen = [], set()
    if len(text.encode()) > 64 * 1024:
        out.append("file over NFD's 64 KiB limit")
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        if "=" not in line:
            value = "true"
        if "/" not in key:
            out.append(f"line {n}: {key}: no namespace (NFD wants <namespace>/<name>)")
            continue
        prefix, name = key.split("/", 1)
        if len(prefix) > 253 or not all(DNS_LABEL.match(x) for x in prefix.split(".")):
            out.append(f"line {n}: {prefix}: not a DNS subdomain")
        if (prefix == "kubernetes.io" or prefix.endswith(".kubernetes.io")) and not (
                prefix == "feature.node.kubernetes.io" or prefix.endswith(".feature.node.kubernetes.io")):
            out.append(f"line {n}: {prefix}: NFD refuses kubernetes.io namespaces but feature.node.kubernetes.io")
        if not NAME.match(name):
            out.append(f"line {n}: name {name!r}: 63 characters at most, alphanumeric at both ends, -_. inside")
        if not VALUE.match(value):
            out.append(f"line {n}: value {value!r}: 63 characters at most, alphanumeric at both ends, -_. inside")
        if key in seen:
            out.append(f"line {n}: {key} twice")
        seen.add(key)
    return out


def self_test():
    """The validator itself rejects what NFD rejects (else every check below could pass vacuously)."""
    bad = ["kubernetes.io/x=1", "foo=bar", "feature.node.kubernetes.io/a,b=1", "vendor.io/x=a b",
           "vendor.io/x=" + "1" * 64, "Vendor.io/x=1", "vendor.io/-x=1", "vendor.io/x=1\nvendor.io/x=2"]
    for b in bad:
        check(f"NFD validator rejects {b[:40]!r}", nfd_problems(b) != [])
    check("NFD validator accepts its doc's example",
          nfd_problems("# c\nfeature.node.kubernetes.io/my-feature.1\nvendor.io/my-feature.3=456\n") == [])


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def fixtures(memctl, dirs):
    tool = promtool()
    self_test()
    for d in dirs:
        name = os.path.basename(d.rstrip("/"))
        p = run([memctl, "--root", d, "metrics"])
        check(f"{name}: memctl metrics", p.returncode == 0 and "# TYPE memctl_device_size_bytes gauge" in p.stdout,
              p.stderr)
        c = run([tool, "check", "metrics"], input=p.stdout)
        check(f"{name}: promtool check metrics", c.returncode == 0, (c.stdout + c.stderr)[-400:])
        n = run([memctl, "--root", d, "metrics", "--nfd"])
        probs = nfd_problems(n.stdout)
        check(f"{name}: NFD feature file", n.returncode == 0 and "memctl.devices=" in n.stdout and not probs,
              n.stderr + "; ".join(probs))


def samples(text):
    """{'name{labels}': value} of the exposition text."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            k, v = line.rsplit(" ", 1)
            out[k] = float(v)
    return out


def wait_for(path, pred, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        if os.path.exists(path):
            with open(path) as f:
                text = f.read()
            if pred(text):
                return text
        time.sleep(0.05)
    return open(path).read() if os.path.exists(path) else ""


def daemon(memctld, memctl, fixture):
    tool = promtool()
    with tempfile.TemporaryDirectory() as tmp:
        root, rt = os.path.join(tmp, "root"), os.path.join(tmp, "rt")
        prom_dir, nfd_dir = os.path.join(tmp, "node-exporter"), os.path.join(tmp, "features.d")
        os.mkdir(prom_dir)
        os.mkdir(nfd_dir)
        shutil.copytree(fixture, root, symlinks=True)
        policy = os.path.join(tmp, "memctl.conf")
        with open(policy, "w") as f:
            f.write('rules = ( { name = "all"; match = {}; mode = "system-ram"; zone = "movable"; } );\n')
        env = dict(os.environ, MEMCTL_SOCKET=os.path.join(rt, "io.memctl"), MEMCTL_METRICS_DIR=prom_dir,
                   MEMCTL_NFD_DIR=nfd_dir)
        env.pop("NOTIFY_SOCKET", None)
        d = subprocess.Popen([memctld, "--root", root, "--runtime-dir", rt, "--policy", policy,
                              "--uevent-source", "none"], stderr=subprocess.PIPE, text=True, env=env)
        prom, nfd = os.path.join(prom_dir, "memctl.prom"), os.path.join(nfd_dir, "memctl")
        try:
            text = wait_for(prom, lambda t: "memctl_daemon_up 1" in t)
            check("memctld wrote memctl.prom", "memctl_daemon_up 1" in text, text[:200])
            if not text:
                return
            check("memctl.prom is world-readable", os.path.exists(prom) and os.stat(prom).st_mode & 0o777 == 0o644)
            c = run([tool, "check", "metrics"], input=text)
            check("promtool check metrics (memctld's file)", c.returncode == 0, (c.stdout + c.stderr)[-400:])
            st = json.loads(run([memctl, "status", "--json"], env=env).stdout)
            inv = {x["chardev"]: x for x in st["inventory"]["devices"]}
            bs = st["inventory"]["memory"]["block_size"]
            s = samples(text)
            for dev, x in inv.items():
                node = str(x["target_node"])
                check(f"{dev}: movable bytes as status --json",
                      s.get(f'memctl_device_online_bytes{{device="{dev}",node="{node}",zone="movable"}}') ==
                      x["online_movable"] * bs, str(s)[:300])
                check(f"{dev}: blocks online as status --json",
                      s.get(f'memctl_device_blocks_online{{device="{dev}"}}') == x["online_memblocks"])
            check("status --json says where the file went",
                  st["daemon"]["metrics_textfile"] == {"file": prom, "state": "written"} and
                  st["daemon"]["nfd_features"]["state"] == "written", json.dumps(st["daemon"]))
            human = run([memctl, "status"], env=env).stdout
            check("memctl status names the metrics file", f"metrics (node_exporter textfile): {prom}: written" in human,
                  human[-400:])
            via_cli = run([memctl, "metrics"], env=env).stdout
            check("memctl metrics through memctld = the file", via_cli == text,
                  "\n".join(set(via_cli.splitlines()) ^ set(text.splitlines()))[:400])
            saved = os.path.join(tmp, "status.json")
            with open(saved, "w") as f:
                f.write(run([memctl, "status", "--json"], env=env).stdout)
            from_json = run([memctl, "metrics", "--from-json", saved]).stdout
            check("memctl metrics --from-json a saved status = the file", from_json == text,
                  "\n".join(set(from_json.splitlines()) ^ set(text.splitlines()))[:400])
            nfd_text = open(nfd).read() if os.path.exists(nfd) else ""
            check("NFD file valid", "memctl.managed=true" in nfd_text and not nfd_problems(nfd_text),
                  nfd_text + "; ".join(nfd_problems(nfd_text)))

            # A change: the files follow at once.
            p = run([memctl, "offline", "dax0.0"], env=env)
            check("memctl offline dax0.0", p.returncode == 0, p.stderr)
            text = wait_for(prom, lambda t: 'memctl_device_held{device="dax0.0"} 1' in t)
            s = samples(text)
            check("held after offline", s.get('memctl_device_held{device="dax0.0"}') == 1 and
                  s.get("memctl_held_devices") == 1 and s.get('memctl_device_blocks_online{device="dax0.0"}') == 0,
                  str(s)[:300])
            check("offline counted", s.get('memctl_actions_total{action="offline",result="ok"}', 0) >= 1,
                  str({k: v for k, v in s.items() if "actions" in k}))
            nfd_text = wait_for(nfd, lambda t: "held-devices=1" in t)
            check("NFD file follows", "held-devices=1" in nfd_text and not nfd_problems(nfd_text), nfd_text)
            leftovers = [f for f in os.listdir(prom_dir) + os.listdir(nfd_dir) if f.startswith(".")]
            check("no temporary files left", not leftovers, str(leftovers))

            # The directory goes away: off, and said so.
            shutil.rmtree(prom_dir)
            run([memctl, "online", "dax0.0"], env=env)
            st = json.loads(run([memctl, "status", "--json"], env=env).stdout)
            check("no directory: off, said in status",
                  st["daemon"]["metrics_textfile"]["state"] == f"off: {prom_dir} does not exist",
                  json.dumps(st["daemon"]["metrics_textfile"]))
            human = run([memctl, "status"], env=env).stdout
            check("memctl status says it is off", f"metrics (node_exporter textfile): {prom}: off: {prom_dir} does not "
                  "exist" in human, human[-400:])
            # Back, then a clean stop: the metrics file goes (absent memctl_daemon_up), the labels stay.
            os.mkdir(prom_dir)
            run([memctl, "offline", "dax0.0"], env=env)
            wait_for(prom, lambda t: "memctl_daemon_up 1" in t)
            d.terminate()
            d.communicate(timeout=10)
            check("metrics file removed on a clean stop", not os.path.exists(prom) and os.path.exists(nfd))
        finally:
            if d.poll() is None:
                d.terminate()
                try:
                    d.communicate(timeout=10)
                except subprocess.TimeoutExpired:
                    d.kill()
                    d.communicate()


def rules(rule_file, test_file):
    tool = promtool()
    p = run([tool, "check", "rules", rule_file])
    check("promtool check rules", p.returncode == 0, p.stdout + p.stderr)
    p = run([tool, "test", "rules", os.path.basename(test_file)], cwd=os.path.dirname(test_file))
    check("promtool test rules", p.returncode == 0, p.stdout + p.stderr)


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "fixtures":
        fixtures(args[0], args[1:])
    elif mode == "daemon":
        daemon(*args)
    elif mode == "rules":
        rules(*args)
    else:
        sys.exit(f"unknown mode {mode}")
    if failures:
        print(f"{len(failures)} failed: {', '.join(failures)}")
        sys.exit(1)
