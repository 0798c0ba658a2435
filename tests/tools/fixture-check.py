#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check memctl against a sysfs fixture tree (or the live host).

  fixture-check.py golden MEMCTL ROOT GOLDEN_DIR
      memctl status/blocks, human and --json, must equal the files in
      GOLDEN_DIR (status.json, blocks.json, status.txt, blocks.txt).
      MEMCTL_UPDATE_GOLDEN=1 rewrites them instead.
  fixture-check.py lsmem MEMCTL ROOT
      memctl blocks --json must agree with lsmem --sysroot ROOT, block by block.
  fixture-check.py synthetic MEMCTL GOLDEN_DIR [gen-fixture options]
      generate a synthetic tree with gen-fixture.py, then both checks above.
"""
import difflib
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
LSMEM_COLUMNS = "RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES"


def memctl(binary, root, *args):
    p = subprocess.run([binary, "--root", root, *args], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"memctl --root {root} {' '.join(args)} exited {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def golden(binary, root, gdir):
    # git keeps no empty directory: a fixture that has one is not what a clone gets.
    empty = [d for d, subdirs, files in os.walk(root) if not subdirs and not files]
    if empty and root.startswith(os.path.join(HERE, "..")):
        print(f"golden: {root} has empty directories git would drop: {empty[:3]}")
        return 1
    outputs = {
        "status.json": memctl(binary, root, "status", "--json"),
        "blocks.json": memctl(binary, root, "blocks", "--json"),
        "status.txt": memctl(binary, root, "status"),
        "blocks.txt": memctl(binary, root, "blocks"),
    }
    if os.environ.get("MEMCTL_UPDATE_GOLDEN") == "1":
        os.makedirs(gdir, exist_ok=True)
        for name, text in outputs.items():
            with open(os.path.join(gdir, name), "w") as f:
                f.write(text)
        print(f"golden: rewrote {gdir}")
        return 0
    bad = 0
    for name, text in outputs.items():
        path = os.path.join(gdir, name)
        try:
            with open(path) as f:
                expected = f.read()
        except FileNotFoundError:
            print(f"golden: {path} is missing (run with MEMCTL_UPDATE_GOLDEN=1 to create it)")
            bad += 1
            continue
        if text != expected:
            bad += 1
            sys.stdout.writelines(difflib.unified_diff(expected.splitlines(True), text.splitlines(True),
                                                       path, "memctl output"))
    print(f"golden: {'differs' if bad else 'matches'} ({gdir})")
    return 1 if bad else 0


def lsmem(binary, root):
    with tempfile.TemporaryDirectory() as tmp:
        ours = os.path.join(tmp, "memctl.json")
        theirs = os.path.join(tmp, "lsmem.json")
        with open(ours, "w") as f:
            f.write(memctl(binary, root, "blocks", "--json"))
        p = subprocess.run(["lsmem", "--sysroot", root, "-J", "-o", LSMEM_COLUMNS], capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"lsmem --sysroot {root} failed: {p.stderr.strip()}")
        with open(theirs, "w") as f:
            f.write(p.stdout)
        return subprocess.run([sys.executable, os.path.join(HERE, "crosscheck.py"), "lsmem", ours, theirs]).returncode


def synthetic(binary, gdir, gen_args):
    # tmpfs when there is one: the 4 TiB tree is ~360k inodes, slow to create on a busy disk.
    where = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    with tempfile.TemporaryDirectory(dir=where) as tmp:
        root = os.path.join(tmp, "root")
        subprocess.run([sys.executable, os.path.join(HERE, "gen-fixture.py"), root, *gen_args], check=True)
        return golden(binary, root, gdir) | lsmem(binary, root)


def main(argv):
    if len(argv) >= 5 and argv[1] == "golden":
        return golden(argv[2], argv[3], argv[4])
    if len(argv) == 4 and argv[1] == "lsmem":
        return lsmem(argv[2], argv[3])
    if len(argv) >= 4 and argv[1] == "synthetic":
        return synthetic(argv[2], argv[3], argv[4:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
