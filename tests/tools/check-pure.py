#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The pure layer must do no I/O and no logging: none of its objects may
reference a libc function that touches files, processes, the network or stdio.

  check-pure.py LIBRARY.a [SOURCE_ROOT FOLDER...]

With folders (basic, model, policy): every .c file in them must be compiled
into LIBRARY.a, so that the check covers the pure folders whole (a file left
out of the library, or built into libmemctl instead, would escape it).
"""
import os
import subprocess
import sys

FORBIDDEN = {
    "open", "open64", "openat", "openat64", "creat", "fopen", "fopen64", "fdopen", "freopen",
    "read", "pread", "pread64", "write", "pwrite", "readv", "writev",
    "opendir", "fdopendir", "readdir", "readdir64", "scandir", "scandir64",
    "readlink", "readlinkat", "realpath", "stat", "stat64", "lstat", "fstatat", "fstatat64",
    "__xstat", "__lxstat", "__fxstatat", "access", "faccessat", "unlink", "mkdir", "rename",
    "syslog", "vsyslog", "printf", "fprintf", "vprintf", "vfprintf", "puts", "fputs", "fputc",
    "putchar", "perror", "fwrite", "__printf_chk", "__fprintf_chk", "__vfprintf_chk",
    "system", "popen", "fork", "execve", "execvp", "socket", "connect",
    "config_read_file", "config_write_file", "config_read",
}


def members(lib):
    out = subprocess.run(["ar", "t", lib], capture_output=True, text=True, check=True).stdout
    # meson names an object after its source path relative to the target's
    # folder, "/" as "_": policy's own plan.c.o, model's .._model_parse.c.o.
    return {os.path.basename(m).rsplit(".o", 1)[0] for m in out.split()}


def check_folders(lib, root, folders):
    have = members(lib)
    missing = []
    for folder in folders:
        for name in sorted(os.listdir(os.path.join(root, folder))):
            if not name.endswith(".c"):
                continue
            if name not in have and f".._{folder}_{name}" not in have:
                missing.append(f"{folder}/{name}")
    if missing:
        print(f"{lib}: pure sources not in the library: {', '.join(missing)}")
        return 1
    return 0


def main(lib, root=None, folders=()):
    if root and check_folders(lib, root, folders):
        return 1
    out = subprocess.run(["nm", "-u", "--format=posix", lib], capture_output=True, text=True, check=True).stdout
    used = {line.split()[0].split("@")[0] for line in out.splitlines() if line and not line.endswith(":")}
    bad = sorted(used & FORBIDDEN)
    if bad:
        print(f"{lib} references I/O functions: {', '.join(bad)}")
        return 1
    whole = f", all of {', '.join(f + '/' for f in folders)}" if folders else ""
    print(f"{lib}: pure ({len(used)} external symbols, none of them I/O{whole})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None, sys.argv[3:]))
