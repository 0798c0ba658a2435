#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The pure library must do no I/O and no logging: none of its objects may
reference a libc function that touches files, processes, the network or stdio.

  check-pure.py LIBRARY.a
"""
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


def main(lib):
    out = subprocess.run(["nm", "-u", "--format=posix", lib], capture_output=True, text=True, check=True).stdout
    used = {line.split()[0].split("@")[0] for line in out.splitlines() if line and not line.endswith(":")}
    bad = sorted(used & FORBIDDEN)
    if bad:
        print(f"{lib} references I/O functions: {', '.join(bad)}")
        return 1
    print(f"{lib}: pure ({len(used)} external symbols, none of them I/O)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
