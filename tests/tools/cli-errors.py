#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""memctl's exit codes and error sentences, and that a normal user can run it.

  cli-errors.py MEMCTL
"""
import os
import subprocess
import sys
import tempfile

failures = []


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, **kw)


def expect(what, p, code, stderr_has=None, stdout_has=None):
    ok = p.returncode == code
    if stderr_has and stderr_has not in p.stderr:
        ok = False
    if stdout_has and stdout_has not in p.stdout:
        ok = False
    print(f"{'ok  ' if ok else 'FAIL'} {what}: exit {p.returncode}, stderr {p.stderr.strip()!r}")
    if not ok:
        failures.append(what)


def main(memctl):
    expect("unknown verb", run([memctl, "frob"]), 2, "unknown command 'frob'")
    expect("no verb", run([memctl]), 2, "Usage:")
    expect("stray argument", run([memctl, "status", "extra"]), 2, "unexpected argument 'extra'")
    expect("bad option", run([memctl, "blocks", "--frob"]), 2)
    expect("help", run([memctl, "status", "--help"]), 0, stdout_has="Usage: memctl status")
    expect("missing root", run([memctl, "--root", "/nonexistent-memctl", "status"]), 1,
           "cannot open sysfs root /nonexistent-memctl")
    with tempfile.TemporaryDirectory() as empty:
        expect("root without sysfs", run([memctl, "--root", empty, "blocks"]), 1,
               "sys/devices/system/memory/block_size_bytes: No such file or directory")
        env = dict(os.environ, MEMCTL_SYSFS_ROOT=empty)
        expect("MEMCTL_SYSFS_ROOT is honoured", run([memctl, "status"], env=env), 1, empty)
    with tempfile.TemporaryDirectory() as d:
        conf = os.path.join(d, "memctl.conf")
        with open(conf, "w") as f:
            f.write('rules = ( { name = "a"; match = {}; mode = "devdax"; } );\n')
        os.chmod(conf, 0o644)
        expect("check: a valid policy", run([memctl, "check", conf]), 0, stdout_has="valid, 1 rule")
        os.chmod(conf, 0o646)
        expect("check: a world-writable policy", run([memctl, "check", conf]), 1,
               f"{conf}: world-writable, so others could change the policy: refused")
        os.chmod(conf, 0o644)
        os.mkdir(conf + ".d")
        os.chmod(conf + ".d", 0o777)
        expect("check: a world-writable drop-in directory", run([memctl, "check"], env=dict(os.environ, MEMCTL_POLICY=conf)), 1,
               f"{conf}.d: world-writable, so others could change the policy: refused")
    expect("live host status", run([memctl, "status"]), 0, stdout_has="Memory block size")
    expect("live host blocks --json", run([memctl, "blocks", "--json"]), 0, stdout_has='"memory"')
    if os.geteuid() == 0:
        # As nobody: no /proc/iomem addresses, and status must still work and say so.
        p = run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", memctl, "status"])
        expect("status as a normal user", p, 0, stdout_has="are hidden from this user")
    if failures:
        print(f"{len(failures)} failed: {', '.join(failures)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(os.path.abspath(sys.argv[1])))
