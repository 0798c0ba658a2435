#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Golden test of one planner case.

  plan-golden.py MEMCTL CASE_DIR

CASE_DIR holds:
  fixture             name of a tree under tests/fixtures/sysfs/ (the inventory)
  edits               optional changes to a copy of that tree, one per line:
                        PATH = VALUE      write VALUE (plus newline) to PATH
                        PATH -> TARGET    make PATH a symlink to TARGET
                        rm PATH           remove PATH
                      (PATH relative to the tree root; '#' starts a comment)
  policy.conf         the policy
  plan.expected.json  `memctl plan --json` output
  plan.expected.txt   `memctl plan` output
  exit                optional expected exit status (default 0)
MEMCTL_UPDATE_GOLDEN=1 rewrites the expected files instead of comparing.
"""
import difflib
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures", "sysfs")


def apply_edits(root, path):
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("rm "):
                os.remove(os.path.join(root, line[3:].strip()))
            elif " -> " in line:
                p, target = (x.strip() for x in line.split(" -> ", 1))
                full = os.path.join(root, p)
                if os.path.lexists(full):
                    os.remove(full)
                os.makedirs(os.path.dirname(full), exist_ok=True)
                os.symlink(target, full)
            elif " = " in line:
                p, value = (x.strip() for x in line.split(" = ", 1))
                full = os.path.join(root, p)
                os.makedirs(os.path.dirname(full), exist_ok=True)
                with open(full, "w") as out:
                    out.write(value + "\n")
            else:
                sys.exit(f"{path}:{n}: cannot parse edit {line!r}")


def run(memctl, root, case, json):
    argv = [memctl, "--root", root, "plan", "--policy", "policy.conf"] + (["--json"] if json else [])
    # Run in the case directory so the policy path in the output is stable.
    p = subprocess.run(argv, cwd=case, capture_output=True, text=True)
    return p.returncode, p.stdout + (("--- stderr\n" + p.stderr) if p.stderr else "")


def main(memctl, case):
    memctl = os.path.abspath(memctl)
    with open(os.path.join(case, "fixture")) as f:
        base = os.path.join(FIXTURES, f.read().strip())
    with tempfile.TemporaryDirectory() as tmp:
        root = base
        if os.path.exists(os.path.join(case, "edits")):
            root = os.path.join(tmp, "root")
            shutil.copytree(base, root, symlinks=True)
            apply_edits(root, os.path.join(case, "edits"))
        want_exit = 0
        if os.path.exists(os.path.join(case, "exit")):
            with open(os.path.join(case, "exit")) as f:
                want_exit = int(f.read())
        results = {name: run(memctl, root, case, name.endswith(".json"))
                   for name in ("plan.expected.json", "plan.expected.txt")}

    bad = 0
    for name, (code, out) in results.items():
        if code != want_exit:
            print(f"{case}: memctl plan exited {code}, expected {want_exit}")
            bad += 1
        path = os.path.join(case, name)
        if os.environ.get("MEMCTL_UPDATE_GOLDEN") == "1":
            with open(path, "w") as f:
                f.write(out)
            continue
        try:
            with open(path) as f:
                expected = f.read()
        except FileNotFoundError:
            print(f"{path} is missing (MEMCTL_UPDATE_GOLDEN=1 creates it)")
            bad += 1
            continue
        if out != expected:
            bad += 1
            sys.stdout.writelines(difflib.unified_diff(expected.splitlines(True), out.splitlines(True), path,
                                                       "memctl plan"))
    print(f"{os.path.basename(case)}: {'differs' if bad else 'matches'}")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
