#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The manager wires, the engine decides (docs/ARCHITECTURE.md): nothing in
daemon/ calls a kernel operation itself. Every member of struct
memctl_kernel_ops (read from lib/kernel/kernel.h, so a new op is covered) and
every function lib/kernel/kernel.c exports is refused as a call in daemon/*.c:
the daemon hands the ops table to the engine and to lib/ and goes through them.

  check-daemon-seam.py SOURCE_ROOT
"""
import os
import re
import sys


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def main(root):
    with open(os.path.join(root, "lib/kernel/kernel.h"), encoding="utf-8") as f:
        header = strip_comments(f.read())
    m = re.search(r"struct memctl_kernel_ops\s*\{(.*?)\};", header, re.S)
    if not m:
        print("lib/kernel/kernel.h: no struct memctl_kernel_ops")
        return 1
    ops = re.findall(r"\(\s*\*\s*(\w+)\s*\)\s*\(", m.group(1))
    if len(ops) < 5:
        print(f"lib/kernel/kernel.h: only {len(ops)} ops found: {ops}")
        return 1
    with open(os.path.join(root, "lib/kernel/kernel.c"), encoding="utf-8") as f:
        kernel_c = strip_comments(f.read())
    # Functions kernel.c defines without "static": its exported API, if it grows one.
    exported = [name for head, name in re.findall(r"^(\w[\w \*]*?)\b(\w+)\s*\([^;{]*\)\s*\{", kernel_c, re.M)
                if "static" not in head.split()]
    op_call = re.compile(r"(?:->|\.)\s*(" + "|".join(ops) + r")\s*\(")
    fn_call = re.compile(r"\b(" + "|".join(exported) + r")\s*\(") if exported else None

    problems = []
    daemon = os.path.join(root, "daemon")
    for name in sorted(os.listdir(daemon)):
        if not name.endswith((".c", ".h")):
            continue
        with open(os.path.join(daemon, name), encoding="utf-8") as f:
            text = strip_comments(f.read())
        for no, line in enumerate(text.split("\n"), 1):
            for op in op_call.findall(line):
                problems.append(f"daemon/{name}:{no}: calls the kernel op {op}() (go through the engine or lib/)")
            for fn in fn_call.findall(line) if fn_call else []:
                problems.append(f"daemon/{name}:{no}: calls {fn}() of lib/kernel/kernel.c")
    for p in problems:
        print(p)
    print(f"{len(ops)} kernel ops, {len(exported)} exported kernel.c functions checked; {len(problems)} calls from daemon/")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
