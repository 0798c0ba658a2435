#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The reset forecast of a CXL target says what reset-prepare's region
teardown would refuse (lib/kernel/forecast-read.c, the same checks as
lib/engine/engine-reset-cxl.c): on a copy of a captured 7.3 CXL tree, a
process holding /dev/dax0.0 open blocks region0's forecast, naming the
process; with only an FLR offered (the decoders stay) nothing is taken down
and the forecast is ready again.

  forecast-cxl.py MEMCTL FIXTURE_ROOT (7.3-cxl-online: region0 on mem0 at 0000:0d:00.0, dax0.0)
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile


def forecast(memctl, root):
    p = subprocess.run([memctl, "--root", root, "reset-prepare", "--dry-run", "--json", "region0"],
                       capture_output=True, text=True)
    if p.returncode not in (0, 3, 4):
        sys.exit(f"memctl failed ({p.returncode}): {p.stderr}")
    return p.returncode, json.loads(p.stdout)


def main():
    memctl, fixture = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "root")
        shutil.copytree(fixture, root, symlinks=True)
        rc, f = forecast(memctl, root)
        if rc != 0 or f["verdict"] != "ready":
            sys.exit(f"FAIL: no holder: rc {rc}, verdict {f['verdict']}: {json.dumps(f)[:600]}")
        os.makedirs(os.path.join(root, "proc", "4242", "fd"))
        os.symlink("/dev/dax0.0", os.path.join(root, "proc", "4242", "fd", "3"))
        with open(os.path.join(root, "proc", "4242", "comm"), "w") as c:
            c.write("holder\n")
        rc, f = forecast(memctl, root)
        reason = f["devices"][0]["reason"] if f.get("devices") else ""
        if rc != 4 or f["verdict"] != "blocked" or "/dev/dax0.0 is in use by 4242 (holder)" not in reason \
                or "region0" not in reason:
            sys.exit(f"FAIL: holder of /dev/dax0.0: rc {rc}, verdict {f['verdict']}, reason {reason!r}")
        pci = os.path.join(root, "sys", "bus", "pci", "devices", "0000:0d:00.0")
        os.makedirs(pci)
        with open(os.path.join(pci, "reset_method"), "w") as m:
            m.write("flr\n")
        rc, f = forecast(memctl, root)
        if rc != 0 or f["verdict"] != "ready":
            sys.exit(f"FAIL: FLR only (decoders stay, nothing taken down): rc {rc}, verdict {f['verdict']}: "
                     f"{json.dumps(f['devices'])[:600]}")
    print("forecast-cxl: ready; blocked by the /dev/dax0.0 holder, named; ready again with FLR only")


main()
