#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Who may call what of memctld, as other users: run as root, memctld on a copy
of a recorded CXL fixture with defaults.operator_group set to a gid; callers
made with setpriv. A caller who is not root gets no physical address
(GetStatus), a member of the group may offline and online and start a reset,
a non-member and reload are refused with the sentence and a typed error,
every change is logged with MEMCTL_CALLER_* (here: the "[by uid=...]" of
memctld's stderr lines) and GetStatus names the last caller per device.

Also: the interface description in the Varlink IDL, as systemd's parser
takes it (declarations, field names, types), true to the methods the daemon
answers and to the errors its sources send.

  varlink-access.py MEMCTLD MEMCTL FIXTURE_DIR SOURCE_DIR
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

GID = "64011"          # the operator group, by number (no such group name on the test machine)
USER = ["--reuid=65534", "--regid=65534"]
failures = []


def check(what, ok, detail=""):
    print(f"{'ok  ' if ok else 'FAIL'} {what}{': ' + detail if detail and not ok else ''}")
    if not ok:
        failures.append(what)


def as_user(groups, argv, env=None):
    """argv as uid 65534 with the given supplementary groups ([]: none)."""
    g = ["--groups=" + ",".join(groups)] if groups else ["--clear-groups"]
    return subprocess.run(["setpriv"] + USER + g + argv, env=env, capture_output=True, text=True)


CALL = r'''
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(30)
s.connect(sys.argv[1])
s.sendall(json.dumps({"method": sys.argv[2], "parameters": json.loads(sys.argv[3])}).encode() + b"\0")
buf = b""
while b"\0" not in buf:
    c = s.recv(65536)
    if not c:
        break
    buf += c
sys.stdout.write(buf.split(b"\0")[0].decode())
'''


def call(sock, method, params=None, groups=None, root=False):
    argv = [sys.executable, "-c", CALL, sock, method, json.dumps(params or {})]
    p = subprocess.run(argv, capture_output=True, text=True) if root else as_user(groups, argv)
    return json.loads(p.stdout) if p.stdout else {"stderr": p.stderr}


def hexes(text):
    """The addresses in text: hex numbers of 6 digits or more, without leading zeros."""
    return {m.lstrip("0") for m in re.findall(r"0x([0-9a-f]{6,})", text)}


TYPE = r"(\?)?(\[\]|\[string\])?(bool|int|float|string|object|[A-Z][A-Za-z0-9]*)"
FIELD = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*:\s*" + TYPE + r"\s*$")


def idl_problems(text):
    """What systemd's IDL parser would refuse (the subset memctld writes)."""
    problems, decls, depth, cur = [], [], 0, ""
    for line in text.splitlines():
        if line.strip().startswith("#") or not line.strip():
            if depth == 0:
                continue
            problems.append(f"comment or blank line inside a declaration: {line!r}")
        cur += " " + line.strip()
        depth += line.count("(") - line.count(")")
        if depth == 0:
            decls.append(cur.strip())
            cur = ""
    if not decls or not re.fullmatch(r"interface [a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+", decls[0]):
        problems.append(f"first declaration is not an interface: {decls[:1]}")
    methods, errors = [], []

    def fields(part):
        part = part.strip()[1:-1].strip()
        for f in (x for x in part.split(",") if part):
            if not FIELD.match(f):
                problems.append(f"bad field {f.strip()!r}")

    for d in decls[1:]:
        m = re.fullmatch(r"method ([A-Z][A-Za-z0-9]*)\s*(\(.*?\))\s*->\s*(\(.*\))", d)
        e = re.fullmatch(r"error ([A-Z][A-Za-z0-9]*)\s*(\(.*\))", d)
        if m:
            methods.append(m.group(1))
            fields(m.group(2))
            fields(m.group(3))
        elif e:
            errors.append(e.group(1))
            fields(e.group(2))
        else:
            problems.append(f"not a declaration: {d[:80]!r}")
    return problems, methods, errors


def main(memctld, memctl, fixture, source):
    if os.geteuid() != 0:
        print("skipped: needs root to call as other users")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        root, rt = os.path.join(tmp, "root"), os.path.join(tmp, "rt")
        shutil.copytree(fixture, root, symlinks=True)
        policy = os.path.join(tmp, "memctl.conf")
        with open(policy, "w") as f:
            f.write(f'defaults: {{ operator_group = "{GID}"; }};\n'
                    'rules = ( { name = "cxl"; match = { origin = "cxl"; }; mode = "system-ram"; '
                    'zone = "movable"; } );\n')
        sock = os.path.join(rt, "io.memctl")
        env = dict(os.environ, MEMCTL_SOCKET=sock)
        env.pop("NOTIFY_SOCKET", None)
        log = open(os.path.join(tmp, "memctld.log"), "w+")
        d = subprocess.Popen([memctld, "--root", root, "--runtime-dir", rt, "--policy", policy,
                              "--uevent-source", "none"], stderr=log)
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        try:
            os.chmod(rt, 0o755)
            os.chmod(sock, 0o666)
            # 0. the interface description: parseable, and true to the daemon
            desc = call(sock, "org.varlink.service.GetInterfaceDescription", {"interface": "io.memctl"}, groups=[])
            problems, methods, errors = idl_problems(desc["parameters"]["description"])
            check("io.memctl's description parses", not problems and len(methods) == 9, str(problems))
            svc = call(sock, "org.varlink.service.GetInterfaceDescription", {"interface": "org.varlink.service"},
                       groups=[])
            sp, smethods, _ = idl_problems(svc.get("parameters", {}).get("description", ""))
            check("org.varlink.service's description parses", not sp and smethods ==
                  ["GetInfo", "GetInterfaceDescription"], str(svc)[:200] + str(sp))
            for m in methods:
                r = call(sock, "io.memctl." + m, {"target": "dax9.9"} if "Reset" in m else {}, groups=[])
                check(f"described method {m} is served", r.get("error") != "org.varlink.service.MethodNotFound",
                      str(r))
            sent = set()
            for f in os.listdir(os.path.join(source, "daemon")):
                if f.endswith(".c"):
                    sent |= set(re.findall(r'MEMCTL_VARLINK_INTERFACE "\.([A-Za-z]+)"',
                                           open(os.path.join(source, "daemon", f)).read()))
            check("every error the daemon sends is described", sent and sent <= set(errors),
                  f"sent {sorted(sent)}, described {errors}")

            # 1. addresses: root gets them, anyone else none of them
            full = json.dumps(call(sock, "io.memctl.GetStatus", root=True))
            mine = call(sock, "io.memctl.GetStatus", groups=[])
            text = json.dumps(mine)
            leaked = hexes(full) & hexes(text)
            check("root's GetStatus has the CXL device's address", "210000000" in hexes(full), full[:200])
            check("GetStatus of a caller who is not root: no address of root's", not leaked and not hexes(text),
                  f"{len(leaked)} leaked: {sorted(leaked)[:5]}")
            dev = mine.get("parameters", {}).get("inventory", {}).get("devices", [{}])[0]
            check("... but the device's block counts", dev.get("total_memblocks") == 4 and dev.get("resource") is None,
                  json.dumps(dev)[:300])
            p = as_user([], [memctl, "status", "--json"], env)
            check("memctl status --json as nobody: no address", p.returncode == 0 and not hexes(p.stdout),
                  p.stderr + str(sorted(hexes(p.stdout))[:5]))

            # 2. delegation: a member of the operator group may, a non-member may not
            p = as_user([GID], [memctl, "offline", "dax0.0"], env)
            check("operator-group member: memctl offline", p.returncode == 0, p.stderr)
            # (a fixture is no kernel: onlining into Movable reads back "unknown"; allowed all the same)
            p = as_user([GID], [memctl, "online", "dax0.0"], env)
            check("operator-group member: memctl online", p.returncode == 0 or "io.memctl.OperationFailed" in p.stderr,
                  p.stderr)
            p = as_user(["100"], [memctl, "offline", "dax0.0"], env)
            check("non-member: memctl offline refused with the sentence", p.returncode == 1 and
                  f"requires root or membership of group {GID}" in p.stderr and "defaults.operator_group" in
                  p.stderr, p.stderr)
            r = call(sock, "io.memctl.Offline", {"device": "dax0.0"}, groups=[])
            check("non-member: io.memctl.PermissionDenied", r.get("error") == "io.memctl.PermissionDenied" and
                  "membership of group" in r["parameters"]["reason"], str(r))
            p = as_user([GID], [memctl, "reload"], env)
            check("member: reload stays root's", p.returncode == 1 and "requires root" in p.stderr, p.stderr)
            # A reset on a fixture root: offlining works on the files, removal needs the real
            # /sys (libdaxctl), so it fails after the offline; allowed all the same.
            r = call(sock, "io.memctl.ResetPrepare", {"target": "dax0.0"}, groups=[GID])
            check("member: ResetPrepare allowed", r.get("error") in (None, "io.memctl.ResetFailed"), str(r))
            r = call(sock, "io.memctl.ResetDone", {"target": "dax0.0"}, groups=[GID])
            check("member: ResetDone allowed", r.get("error") != "io.memctl.PermissionDenied", str(r))
            r = call(sock, "io.memctl.ForecastReset", {"target": "dax0.0"}, groups=[GID])
            check("member: ForecastReset allowed, no address", r.get("error") is None and
                  not hexes(json.dumps(r)), json.dumps(r)[:300])

            held = os.path.join(rt, "held")
            check("the held list (physical ranges) is root's alone", os.path.exists(held) and
                  os.stat(held).st_mode & 0o077 == 0, oct(os.stat(held).st_mode) if os.path.exists(held) else "none")

            # 3. who did it: the journal's caller fields, the last caller in GetStatus and memctl status
            st = call(sock, "io.memctl.GetStatus", root=True)["parameters"]
            last = {x["chardev"]: x.get("last_caller") for x in st["devices"]}.get("dax0.0") or {}
            check("GetStatus: last caller of dax0.0", last.get("uid") == 65534 and
                  last.get("command") in ("reset-prepare", "reset-done") and last.get("usec", 0) > 0, str(last))
            p = subprocess.run([memctl, "status"], env=env, capture_output=True, text=True)
            check("memctl status names the last caller", "dax0.0: last change by uid 65534" in p.stdout,
                  p.stdout[-400:])
        finally:
            d.terminate()
            try:
                d.wait(timeout=10)
            except subprocess.TimeoutExpired:
                d.kill()
                d.wait()
            log.seek(0)
            err = log.read()
        lines = [l for l in err.splitlines() if "[by uid=65534 pid=" in l]
        # memctl's comm; under the valgrind pass memctl runs inside memcheck, whose comm that is
        check("changes logged with the caller", any("dax0.0" in l and "offline" in l for l in lines) and
              any(f"comm={c}]" in l for l in lines for c in ("memctl", "memcheck-amd64-")), "\n".join(lines)[-1500:])
        check("refusals logged with the caller", any("refused:" in l and "Offline" in l for l in lines), err[-600:])
    if failures:
        print(f"{len(failures)} failed: {', '.join(failures)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*(os.path.abspath(a) for a in sys.argv[1:5])))
