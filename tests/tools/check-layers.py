#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Who may include whom (docs/ARCHITECTURE.md, "Layers").

  check-layers.py SOURCE_ROOT

Every #include "x.h" in basic/, model/, policy/, lib/, daemon/, cli/ and early/
is resolved to the one header of that name in those folders (a name used
twice is an error: the include paths would pick one silently). Then:
  - a folder includes only from the folders ALLOWED lists for it, so the
    dependencies run one way: basic <- model <- policy <- lib <- daemon, cli;
  - no include circles between modules (a module is x.c with its x.h and its
    private x-internal.h, which only files of its own folder include): x
    including y's header and y including x's, directly or through others.
  - no source file in the folders of MAX_LINES_IN is over MAX_LINES lines
    (split it by what each part owns, docs/ARCHITECTURE.md).
Exit 1 with one line per violation.
"""
import os
import re
import sys

# folder -> folders its files may include from (itself always).
PURE = ["basic", "model", "policy"]
LIB_BASE = PURE + ["lib"]
ALLOWED = {
    "basic": [],
    "model": ["basic"],
    "policy": ["basic", "model"],
    "lib": PURE,
    "lib/kernel": LIB_BASE,
    "lib/config": LIB_BASE,
    "lib/varlink": LIB_BASE,
    "lib/engine": LIB_BASE + ["lib/kernel", "lib/config"],
    "lib/output": LIB_BASE + ["lib/kernel", "lib/engine"],
}
LIB_ALL = LIB_BASE + ["lib/kernel", "lib/config", "lib/varlink", "lib/engine", "lib/output"]
ALLOWED["daemon"] = LIB_ALL
ALLOWED["cli"] = LIB_ALL
ALLOWED["early"] = LIB_ALL

MAX_LINES = 600
# daemon/ and cli/ join once their big files are split (issue 13).
MAX_LINES_IN = {"basic", "model", "policy", "lib", "lib/kernel", "lib/config", "lib/varlink", "lib/engine",
                "lib/output"}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def main(root):
    files = {}  # path relative to root -> folder
    for folder in ALLOWED:
        d = os.path.join(root, folder)
        if not os.path.isdir(d):
            print(f"{folder}/: missing (update tests/tools/check-layers.py with the tree)")
            return 1
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            if os.path.isfile(path) and name.endswith((".c", ".h")):
                files[os.path.join(folder, name)] = folder
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        if rel.split(os.sep)[0] in ALLOWED and rel not in ALLOWED and any(f.endswith((".c", ".h")) for f in filenames):
            print(f"{rel}/: a source folder the layer rules do not know (add it to tests/tools/check-layers.py)")
            return 1

    headers = {}
    errors = []
    for path in files:
        if path.endswith(".h"):
            name = os.path.basename(path)
            if name in headers:
                errors.append(f"{path}: header name also used by {headers[name]}")
            headers[name] = path

    def module(path):
        # x-internal.h is x's private header: part of module x.
        return path[:-2].removesuffix("-internal")

    edges = {}
    for path, folder in files.items():
        with open(os.path.join(root, path), encoding="utf-8") as f:
            text = f.read()
        n_lines = text.count("\n")
        if folder in MAX_LINES_IN and n_lines > MAX_LINES:
            errors.append(f"{path}: {n_lines} lines, more than {MAX_LINES}")
        for inc in INCLUDE.findall(text):
            target = headers.get(os.path.basename(inc))
            if target is None:
                if inc.startswith(".."):
                    errors.append(f"{path}: includes {inc} by a relative path")
                continue  # a generated or system-side header
            tfolder = files[target]
            if target.endswith("-internal.h") and tfolder != folder:
                errors.append(f"{path}: includes {target}, a private header of {tfolder}/")
            if tfolder != folder and tfolder not in ALLOWED[folder]:
                errors.append(f"{path}: includes {target}, but {folder}/ may include only from "
                              f"{', '.join(f + '/' for f in ALLOWED[folder]) or 'itself'}")
            a, b = module(path), module(target)
            if a != b:
                edges.setdefault(a, set()).add(b)

    # Circles: strongly connected components of the module graph (Tarjan).
    index, low, stack, on, sccs = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(set(edges) | {module(p) for p in files}):
        if v not in index:
            visit(v)
    for comp in sccs:
        errors.append("include circle between modules: " + " <-> ".join(comp))

    for e in errors:
        print(e)
    if errors:
        return 1
    print(f"{len(files)} files, {sum(len(v) for v in edges.values())} module dependencies: layers respected, no circles")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
