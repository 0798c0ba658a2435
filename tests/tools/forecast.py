#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""memctl reset-prepare --dry-run reads page flags through the sysfs seam: a
copy of a captured fixture tree gets a sparse proc/kpageflags and
proc/meminfo, and the forecast must follow them (ready, blocked naming the
block and pfn, at risk), in JSON and as exit status.

  forecast.py MEMCTL FIXTURE_ROOT (7.3-hmem-online: dax0.0 = memory48..63, movable)
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

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


def main(memctl, fixture):
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
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
