#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The modprobe.d line that runs memctl-early before kmem, and memctl-early's
promise never to stop kmem from loading.

  early-modprobe.py MEMCTL_EARLY MODPROBE_CONF INSTALLED_EARLY_PATH

1. kmod parses the file: `modprobe -C FILE --showconfig` lists exactly one
   install command, for kmem, running the installed memctl-early and then
   `/sbin/modprobe --ignore-install kmem $CMDLINE_OPTS`.
2. The same command, run by sh as libkmod runs it (CMDLINE_OPTS in the
   environment), with memctl-early pointed at a fixture tree and modprobe
   replaced by a recorder: for a takeover policy auto_online_blocks is
   "offline" before "modprobe" runs; for a broken and a missing policy and
   bad arguments memctl-early exits 0 and "modprobe" runs all the same;
   with memctl.disable on the (fixture's) kernel command line it changes
   nothing and saves nothing.
3. With the lab's extracted kernels (skipped when absent): the dax modalias
   udev looks up resolves to the install command, on each kernel.
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

failures = []


def check(what, ok, detail=""):
    print(f"{'ok  ' if ok else 'FAIL'} {what}{': ' + detail if detail and not ok else ''}")
    if not ok:
        failures.append(what)


def main(early, conf, installed):
    modprobe = shutil.which("modprobe") or "/sbin/modprobe"
    if not os.access(modprobe, os.X_OK):
        print("SKIP: no modprobe")
        return 77
    p = subprocess.run([modprobe, "-C", conf, "--showconfig"], capture_output=True, text=True)
    installs = [line for line in p.stdout.splitlines() if line.startswith("install ")]
    want = f"install kmem {installed}; /sbin/modprobe --ignore-install kmem $CMDLINE_OPTS"
    check("kmod parses the file", p.returncode == 0, p.stderr)
    check("one install command, for kmem", installs == [want], repr(installs))
    if installs != [want]:
        return 1
    command = installs[0][len("install kmem "):]

    with tempfile.TemporaryDirectory() as d:
        aob = os.path.join(d, "sys/devices/system/memory/auto_online_blocks")
        os.makedirs(os.path.dirname(aob))
        record = os.path.join(d, "modprobe.log")
        recorder = os.path.join(d, "fake-modprobe")
        with open(recorder, "w") as f:
            # what auto_online_blocks read when "kmem" loaded, and the arguments
            f.write(f"#!/bin/sh\necho \"$(cat {aob}) $*\" >> {record}\n")
        os.chmod(recorder, 0o755)
        policy = os.path.join(d, "memctl.conf")

        def run(policy_text, extra_args=""):
            with open(aob, "w") as f:
                f.write("online\n")
            if os.path.exists(record):
                os.unlink(record)
            shutil.rmtree(os.path.join(d, "run"), ignore_errors=True)
            if os.path.exists(policy):
                os.unlink(policy)
            if policy_text is not None:
                with open(policy, "w") as f:
                    f.write(policy_text)
            cmd = command.replace(installed, f"{early} --stderr --policy {policy} --runtime-dir {d}/run{extra_args}")
            cmd = cmd.replace("/sbin/modprobe", recorder)
            env = dict(os.environ, MEMCTL_SYSFS_ROOT=d, CMDLINE_OPTS="opt=1")
            p = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True, env=env)
            log = open(record).read().strip() if os.path.exists(record) else None
            return p, log

        p, log = run('defaults: { kernel_auto_online = "takeover"; };\nrules = ();\n')
        check("takeover: offline before kmem loads, then modprobe with the options",
              p.returncode == 0 and log == "offline --ignore-install kmem opt=1", f"{p.returncode} {log!r} {p.stderr}")
        os.makedirs(os.path.join(d, "proc"), exist_ok=True)
        with open(os.path.join(d, "proc", "cmdline"), "w") as f:
            f.write("root=/dev/vda memctl.disable quiet\n")
        p, log = run('defaults: { kernel_auto_online = "takeover"; };\nrules = ();\n')
        os.unlink(os.path.join(d, "proc", "cmdline"))
        check("memctl.disable on the kernel command line: kmem loads with the kernel's default",
              p.returncode == 0 and log == "online --ignore-install kmem opt=1" and "memctl.disable" in p.stderr
              and not os.path.exists(os.path.join(d, "run")), f"{p.returncode} {log!r} {p.stderr}")
        p, log = run('defaults: { kernel_auto_online = "leave"; };\nrules = ();\n')
        check("leave: kmem loads with the kernel's default", p.returncode == 0 and log == "online --ignore-install kmem opt=1",
              f"{log!r}")
        p, log = run('defaults: { kernel_auto_online = 42; };\n')
        check("broken policy: kmem still loads", p.returncode == 0 and log == "online --ignore-install kmem opt=1"
              and "not usable" in p.stderr, f"{log!r} {p.stderr!r}")
        p, log = run(None)
        check("missing policy: kmem still loads", p.returncode == 0 and log == "online --ignore-install kmem opt=1",
              f"{log!r}")
        p, log = run(None, " --frob")
        check("bad arguments: kmem still loads", p.returncode == 0 and log == "online --ignore-install kmem opt=1",
              f"{log!r}")
        p = subprocess.run([early, "--stderr"], capture_output=True, text=True,
                           env=dict(os.environ, MEMCTL_SYSFS_ROOT="/nonexistent-memctl"))
        check("no sysfs root: exit 0", p.returncode == 0, p.stderr)

    cache = os.environ.get("MEMCTL_VM_CACHE", "/var/cache/memctl-vm")
    for tree in sorted(glob.glob(os.path.join(cache, "kernel-*", "tree"))):
        # only trees build-assets finished (one may be unpacking beside this test)
        if not os.path.exists(os.path.join(os.path.dirname(tree), ".complete")):
            continue
        for moddir in glob.glob(os.path.join(tree, "lib/modules/*")):
            kver = os.path.basename(moddir)
            p = subprocess.run([modprobe, "-C", conf, "-d", tree, "-S", kver, "--show-depends", "dax:t0*"],
                               capture_output=True, text=True)
            check(f"{kver}: udev's dax modalias runs the install command",
                  f"install {command}" in p.stdout.replace(" \n", "\n"), p.stdout + p.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
