#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""memctld's Varlink socket, spoken to byte by byte: introspection, every
io.memctl method, errors, peer-credential checks, and the CLI through it.
memctld runs unprivileged-style against a copy of a fixture tree, with its
socket in a temporary directory and no uevent source.

  varlink-check.py MEMCTLD MEMCTL FIXTURE_DIR
"""
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

failures = []
HERE = os.path.dirname(os.path.abspath(__file__))


def schema_problems(kind, doc):
    """docs/schema/memctl-KIND.schema.json's complaints about doc (tests/tools/schema-check.py)."""
    spec = importlib.util.spec_from_file_location("schema_check", os.path.join(HERE, "schema-check.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.validate(kind, doc)


def check(what, ok, detail=""):
    print(f"{'ok  ' if ok else 'FAIL'} {what}{': ' + detail if detail and not ok else ''}")
    if not ok:
        failures.append(what)


def call(path, method, params=None, raw=None):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    msg = raw if raw is not None else json.dumps({"method": method, "parameters": params or {}}).encode() + b"\0"
    s.sendall(msg)
    buf = b""
    while b"\0" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    s.close()
    return json.loads(buf.split(b"\0")[0]) if b"\0" in buf else None


def call_more(path, method, params):
    """All replies of a "more" call: the intermediate ones, then the last."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(path)
    s.sendall(json.dumps({"method": method, "parameters": params, "more": True}).encode() + b"\0")
    buf, replies = b"", []
    while True:
        while b"\0" in buf:
            msg, buf = buf.split(b"\0", 1)
            replies.append(json.loads(msg))
            if not replies[-1].get("continues"):
                s.close()
                return replies
        chunk = s.recv(65536)
        if not chunk:
            s.close()
            return replies
        buf += chunk


def pipelined(path, n, tail):
    """n GetInterfaceDescription calls in one write, then tail (b"": a half-close).
    Returns how many complete replies arrive before the daemon hangs up."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(path)
    call_bytes = json.dumps({"method": "org.varlink.service.GetInterfaceDescription",
                             "parameters": {"interface": "io.memctl"}}).encode() + b"\0"
    s.sendall(call_bytes * n + tail)
    if not tail:
        s.shutdown(socket.SHUT_WR)
    buf = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    s.close()
    return buf.count(b"\0")


def main(memctld, memctl, fixture):
    with tempfile.TemporaryDirectory() as tmp:
        root, rt = os.path.join(tmp, "root"), os.path.join(tmp, "rt")
        shutil.copytree(fixture, root, symlinks=True)
        policy = os.path.join(tmp, "memctl.conf")
        with open(policy, "w") as f:
            f.write('rules = ( { name = "hbm"; match = { origin = "hmem"; }; mode = "ignore"; } );\n')
        env = dict(os.environ, MEMCTL_SOCKET=os.path.join(rt, "io.memctl"))
        env.pop("NOTIFY_SOCKET", None)
        d = subprocess.Popen([memctld, "--root", root, "--runtime-dir", rt, "--policy", policy,
                              "--uevent-source", "none"], stderr=subprocess.PIPE, text=True)
        sock = os.path.join(rt, "io.memctl")
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        try:
            info = call(sock, "org.varlink.service.GetInfo")
            check("GetInfo lists io.memctl", "io.memctl" in info["parameters"]["interfaces"], str(info))
            desc = call(sock, "org.varlink.service.GetInterfaceDescription", {"interface": "io.memctl"})
            text = desc["parameters"]["description"]
            check("interface description", "interface io.memctl" in text and "method GetStatus" in text, text[:80])
            nf = call(sock, "org.varlink.service.GetInterfaceDescription", {"interface": "io.other"})
            check("unknown interface", nf.get("error") == "org.varlink.service.InterfaceNotFound", str(nf))
            nf = call(sock, "org.varlink.service.GetInterfaceDescription", {})
            check("GetInterfaceDescription without interface", nf.get("error") ==
                  "org.varlink.service.InvalidParameter" and nf["parameters"]["parameter"] == "interface", str(nf))
            st = call(sock, "io.memctl.GetStatus")["parameters"]
            devs = {x["chardev"]: x for x in st["devices"]}
            check("GetStatus: inventory and rule", st["inventory"]["devices"][0]["chardev"] == "dax0.0" and
                  devs["dax0.0"]["rule"] == "hbm" and devs["dax0.0"]["action"] == "leave", json.dumps(st)[:300])
            check("GetStatus reply is memctl-status (schema)", not schema_problems("status", st),
                  "; ".join(schema_problems("status", st))[:500])
            plan = call(sock, "io.memctl.GetPlan")["parameters"]["plan"]
            check("GetPlan", plan["devices"][0]["action"] == "leave", json.dumps(plan)[:200])
            mnf = call(sock, "io.memctl.Frobnicate")
            check("unknown method", mnf.get("error") == "org.varlink.service.MethodNotFound", str(mnf))
            bad = call(sock, "io.memctl.Online", {})
            check("missing parameter", bad.get("error") == "org.varlink.service.InvalidParameter" and
                  bad["parameters"]["parameter"] == "device", str(bad))
            # Every method reads its parameters through one table: wrong types and unknown names are refused too.
            bad = call(sock, "io.memctl.Online", {"device": 7})
            check("wrong-typed parameter", bad.get("error") == "org.varlink.service.InvalidParameter" and
                  bad["parameters"]["parameter"] == "device", str(bad))
            bad = call(sock, "io.memctl.Online", {"device": "dax0.0", "zone": "sideways"})
            check("zone word refused", bad.get("error") == "org.varlink.service.InvalidParameter" and
                  bad["parameters"]["parameter"] == "zone", str(bad))
            bad = call(sock, "io.memctl.Offline", {"device": "dax0.0", "force": True})
            check("unknown parameter", bad.get("error") == "org.varlink.service.InvalidParameter" and
                  bad["parameters"]["parameter"] == "force", str(bad))
            bad = call(sock, "io.memctl.GetStatus", {"verbose": True})
            check("unknown parameter of a method without any", bad.get("error") ==
                  "org.varlink.service.InvalidParameter" and bad["parameters"]["parameter"] == "verbose", str(bad))
            nodev = call(sock, "io.memctl.Offline", {"device": "dax9.9"})
            check("no such device", nodev.get("error") == "io.memctl.NoSuchDevice", str(nodev))
            garbage = call(sock, None, raw=b"{not json\0")
            check("malformed JSON hangs up", garbage is None)
            check("daemon survives garbage", call(sock, "io.memctl.GetStatus").get("error") is None)
            # Found by fuzz-varlink: replies queued beyond the socket buffer (here 400 x 1.5 KiB)
            # were dropped when the daemon hung up, on garbage or on the client's half-close.
            n = pipelined(sock, 400, b"{not json\0")
            check("every reply before a hang-up on garbage is sent", n == 400, f"{n} of 400")
            n = pipelined(sock, 400, b"")
            check("every reply is sent after the client's half-close", n == 400, f"{n} of 400")

            # The CLI through the daemon, and the daemon's rules for who may change things.
            p = subprocess.run([memctl, "status"], env=env, capture_output=True, text=True)
            check("memctl status via memctld", p.returncode == 0 and "memctld: policy" in p.stdout, p.stderr)
            p = subprocess.run([memctl, "status", "--json"], env=env, capture_output=True, text=True)
            doc = json.loads(p.stdout or "{}")
            check("memctl status --json via memctld: the GetStatus layout, daemon set",
                  p.returncode == 0 and doc.get("daemon") is not None and not schema_problems("status", doc),
                  p.stderr + "; ".join(schema_problems("status", doc))[:500])
            p = subprocess.run([memctl, "offline", "--json", "dax0.0"], env=env, capture_output=True, text=True)
            res = json.loads(p.stdout or "{}")
            check("memctl offline --json (root) on the fixture: a result", p.returncode == 0 and res.get("ok") is True and
                  res.get("chardev") == "dax0.0" and not schema_problems("result", res), p.stdout + p.stderr)
            p = subprocess.run([memctl, "online", "--json", "dax9.9"], env=env, capture_output=True, text=True)
            res = json.loads(p.stdout or "{}")
            check("memctl online --json: no-such-device", p.returncode == 1 and res.get("ok") is False and
                  (res.get("error") or {}).get("id") == "no-such-device" and not schema_problems("result", res),
                  p.stdout + p.stderr)
            st = call(sock, "io.memctl.GetStatus")["parameters"]
            devs = {x["chardev"]: x for x in st["devices"]}
            check("offline holds the device", devs["dax0.0"]["held"] and
                  st["inventory"]["devices"][0]["online_memblocks"] == 0, json.dumps(devs)[:300])
            with open(policy, "w") as f:
                f.write("rules = ( { name = oops } );\n")
            p = subprocess.run([memctl, "reload"], env=env, capture_output=True, text=True)
            check("broken reload refused with file:line", p.returncode == 1 and "memctl.conf:1:" in p.stderr,
                  p.stderr)
            p = subprocess.run([memctl, "reload", "--json"], env=env, capture_output=True, text=True)
            res = json.loads(p.stdout or "{}")
            check("memctl reload --json: policy-rejected with file:line", p.returncode == 1 and
                  (res.get("error") or {}).get("id") == "policy-rejected" and
                  "memctl.conf:1:" in res["error"]["message"] and not schema_problems("result", res),
                  p.stdout + p.stderr)
            st = call(sock, "io.memctl.GetStatus")["parameters"]
            check("old policy kept", st["daemon"]["rules"] == 1 and st["daemon"]["policy_valid"], str(st["daemon"]))
            # A reset on a fixture root: offlining works on the files, removal needs the
            # real /sys (libdaxctl), so it fails after streaming its progress.
            for i in range(48, 64):  # as if something had onlined it again (a fixture is no kernel)
                with open(os.path.join(root, f"sys/devices/system/memory/memory{i}/state"), "w") as f:
                    f.write("online\n")
            replies = call_more(sock, "io.memctl.ResetPrepare", {"target": "dax0.0"})
            progress = [r["parameters"] for r in replies if r.get("continues")]
            last = replies[-1] if replies else {}
            check("ResetPrepare streams progress", len(progress) == 16 and progress[-1]["blocks_done"] == 16 and
                  progress[-1]["blocks_total"] == 16, str(replies)[:300])
            check("ResetPrepare names why removal failed", last.get("error") == "io.memctl.ResetFailed" and
                  "memory offline but not removed" in last["parameters"]["reason"], str(last))
            check("ResetPrepare names the devices it took", last.get("parameters", {}).get("devices") == ["dax0.0"],
                  str(last))
            if os.geteuid() == 0:
                os.chmod(tmp, 0o755)
                p = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", memctl,
                                    "offline", "dax0.0"], env=env, capture_output=True, text=True)
                check("non-root offline refused", p.returncode == 1 and "permission denied" in p.stderr, p.stderr)
                p = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", memctl,
                                    "status", "--json"], env=env, capture_output=True, text=True)
                check("non-root status via memctld", p.returncode == 0 and
                      json.loads(p.stdout or "{}").get("daemon") is not None, p.stderr)
        finally:
            d.terminate()
            try:
                _, err = d.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                d.kill()
                _, err = d.communicate()
            check("memctld exits 0 on SIGTERM", d.returncode == 0, err[-500:])
            check("socket removed on exit", not os.path.exists(sock))
    if failures:
        print(f"{len(failures)} failed: {', '.join(failures)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*(os.path.abspath(a) for a in sys.argv[1:4])))
