#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""memctl reset-prepare --dry-run reads page flags through the sysfs seam: a
copy of a captured fixture tree gets a sparse proc/kpageflags and
proc/meminfo, and the forecast must follow them (ready, blocked naming the
block and pfn, at risk), in JSON and as exit status.

With MEMCTLD (root only: ForecastReset names physical addresses) the same
forecast comes through memctld's io.memctl.ForecastReset, which reads the tree
memctld was started on, not the CLI's.

  forecast.py MEMCTL FIXTURE_ROOT [MEMCTLD] (7.3-hmem-online: dax0.0 = memory48..63, movable)
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

BUDDY, LRU, ANON, SLAB, HUGE, HEAD = 1 << 10, 1 << 5, 1 << 12, 1 << 7, 1 << 17, 1 << 15
PAGES = 0x8000000 // 4096


def write_flags(root, words):
    """words: {pfn: flags}; every block of dax0.0 free (order-10 buddies) unless given."""
    path = os.path.join(root, "proc", "kpageflags")
    with open(path, "wb") as f:
        for block in range(48, 64):
            base = block * PAGES
            for pfn in range(base, base + PAGES, 1024):
                f.seek(pfn * 8)
                f.write(struct.pack("<Q", BUDDY))
        for pfn, flags in words.items():
            f.seek(pfn * 8)
            f.write(struct.pack("<Q", flags))
        f.truncate(64 * PAGES * 8)


def forecast(memctl, root, env):
    p = subprocess.run([memctl, "--root", root, "reset-prepare", "--dry-run", "--json", "dax0.0"],
                       capture_output=True, text=True, env=env)
    if p.returncode not in (0, 3, 4):
        sys.exit(f"memctl failed ({p.returncode}): {p.stderr}")
    return p.returncode, json.loads(p.stdout)


def check(cond, what, got):
    if not cond:
        sys.exit(f"FAIL: {what}: {json.dumps(got, indent=1)[:3000]}")


def through_memctld(memctld, memctl, root, fixture, tmp):
    """root has a slab page in memory52; the CLI's own root (the fixture) has no page flags."""
    rt = os.path.join(tmp, "rt")
    policy = os.path.join(tmp, "memctl.conf")
    with open(policy, "w") as f:
        f.write('rules = ( { name = "hbm"; match = { origin = "hmem"; }; mode = "ignore"; } );\n')
    env = dict(os.environ, MEMCTL_SOCKET=os.path.join(rt, "io.memctl"), MEMCTL_SYSFS_ROOT=fixture,
               MEMCTL_POLICY="/nonexistent")
    env.pop("NOTIFY_SOCKET", None)
    d = subprocess.Popen([memctld, "--root", root, "--runtime-dir", rt, "--policy", policy,
                          "--uevent-source", "none"], stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(100):
            if os.path.exists(env["MEMCTL_SOCKET"]):
                break
            time.sleep(0.05)
        p = subprocess.run([memctl, "reset-prepare", "--dry-run", "--json", "dax0.0"], capture_output=True,
                           text=True, env=env)
        f = json.loads(p.stdout) if p.stdout.startswith("{") else {}
        check(p.returncode == 4 and f.get("pages_read") and f["devices"][0]["verdict"] == "blocked" and
              "memory52" in f["devices"][0]["reason"], "ForecastReset through memctld", [p.stderr, f])
        p = subprocess.run([memctl, "reset-prepare", "--dry-run", "dax9.9"], capture_output=True, text=True,
                           env=env)
        check(p.returncode == 1 and "NoSuchDevice" in p.stderr, "ForecastReset of an unknown target",
              [p.returncode, p.stderr])
        p = subprocess.run([memctl, "reset-prepare", "--dry-run", "dax0.0"], capture_output=True, text=True,
                           env=env)
        check(p.returncode == 4 and "memory52: blocked: Movable" not in p.stdout and
              "memory52: blocked: ZONE_MOVABLE with 8 unmovable kernel pages" in p.stdout,
              "human forecast through memctld", p.stdout)
    finally:
        d.terminate()
        d.communicate(timeout=10)


def main(memctl, fixture, memctld=None):
    env = dict(os.environ, MEMCTL_POLICY="/nonexistent", MEMCTL_SOCKET="/nonexistent/socket")
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "root")
        shutil.copytree(fixture, root, symlinks=True)
        os.makedirs(os.path.join(root, "proc"), exist_ok=True)
        with open(os.path.join(root, "proc", "meminfo"), "w") as f:
            f.write("MemTotal:        4000000 kB\nMemFree:         3000000 kB\n")

        # A user's data in memory50 (1024 anonymous LRU pages, in place of a free order-10 block): ready.
        base50 = 50 * PAGES
        write_flags(root, {base50 + i: LRU | ANON for i in range(1024)})
        rc, f = forecast(memctl, root, env)
        d = f["devices"][0]
        check(rc == 0 and f["verdict"] == "ready" and f["pages_read"], "ready with a user's data", f)
        check(d["pages"]["in_use"] == 1024 and d["bytes_to_migrate"] == 1024 * 4096, "bytes to migrate", d)
        check(d["pages"]["free"] == 16 * PAGES - 1024, "free pages", d)
        check(f["free_elsewhere_bytes"] == 3000000 * 1024 - (16 * PAGES - 1024) * 4096, "free elsewhere", f)

        # One slab page (a compound head and its tails) in memory52: blocked, naming it.
        base52 = 52 * PAGES
        words = {base52 + 2048 + i: 1 << 16 for i in range(1, 8)}   # compound tails
        words[base52 + 2048] = SLAB | HEAD
        write_flags(root, words)
        rc, f = forecast(memctl, root, env)
        d = f["devices"][0]
        b52 = [b for b in d["blocks"] if b["block"] == "memory52"][0]
        check(rc == 4 and f["verdict"] == "blocked" and d["verdict"] == "blocked", "blocked by slab", f)
        check("1 of 16 online blocks would not go offline (memory52)" in d["reason"], "reason names the block", d)
        check(b52["pages"]["slab"] == 8 and b52["first_unmovable_pfn"] == hex(base52 + 2048), "slab pfn", b52)

        if memctld and os.geteuid() == 0:
            through_memctld(memctld, memctl, root, fixture, tmp)
        elif memctld:
            print("not root: ForecastReset through memctld not checked")

        # A hugetlb page in memory49: at risk.
        base49 = 49 * PAGES
        write_flags(root, {base49 + i: HUGE | (HEAD if i == 0 else 1 << 16) for i in range(512)})
        rc, f = forecast(memctl, root, env)
        check(rc == 3 and f["verdict"] == "at-risk", "hugetlb at risk", f)
        check(f["devices"][0]["pages"]["hugetlb"] == 512, "hugetlb pages", f)

        # No kpageflags (not root, or no CONFIG_PROC_PAGE_MONITOR): zones alone, movable is ready.
        os.unlink(os.path.join(root, "proc", "kpageflags"))
        rc, f = forecast(memctl, root, env)
        check(rc == 0 and not f["pages_read"] and "kpageflags" in f["pages_error"], "without page flags", f)
        # options after the target too
        p = subprocess.run([memctl, "--root", root, "reset-prepare", "dax0.0", "--dry-run", "--json"],
                           capture_output=True, text=True, env=env)
        check(p.returncode == 0 and json.loads(p.stdout or "{}").get("verdict") == "ready", "options after TARGET",
              [p.returncode, p.stderr])
    print("ok")


if __name__ == "__main__":
    main(*sys.argv[1:4])
