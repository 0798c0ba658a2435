#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Cross-check memctl's JSON against the tools it must agree with.

  crosscheck.py lsmem   MEMCTL_BLOCKS.json LSMEM.json   (lsmem -J -o RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES)
  crosscheck.py daxctl  MEMCTL_STATUS.json DAXCTL.json  (daxctl list -D -M)
  crosscheck.py iomem   MEMCTL_STATUS.json IOMEM.txt    (/proc/iomem, read as root; a
                        firmware-memmap.txt beside it: "start end type" per entry)

Both sides are expanded to per-block / per-device facts before comparing, so
differences in how ranges are merged do not matter. Exit 0 when they agree,
1 with one line per difference otherwise.
"""
import json
import os
import re
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def expand_blocks(ranges):
    """{block index: (state, node, zones, removable)} from lsmem-style rows."""
    out = {}
    for r in ranges:
        first, _, last = str(r["block"]).partition("-")
        last = last or first
        zones = r.get("zones")
        # lsmem joins valid_zones with '/' and capitalises "none"; memctl keeps the kernel's text.
        zones = zones.lower().replace("/", " ") if isinstance(zones, str) else zones
        removable = r.get("removable")
        if isinstance(removable, str):
            removable = removable == "yes"
        for i in range(int(first), int(last) + 1):
            out[i] = {"state": r["state"], "node": r.get("node"), "zones": zones, "removable": removable}
    return out


def check_lsmem(memctl_path, lsmem_path):
    ours = expand_blocks(load(memctl_path)["memory"])
    theirs = expand_blocks(load(lsmem_path)["memory"])
    diffs = []
    for i in sorted(set(ours) | set(theirs)):
        if i not in ours or i not in theirs:
            diffs.append(f"memory{i}: only in {'memctl' if i in ours else 'lsmem'}")
            continue
        for key in ("state", "node", "zones", "removable"):
            # lsmem calls every offline block not removable, whatever the kernel says.
            if key == "removable" and theirs[i]["state"] != "online":
                continue
            if key in theirs[i] and theirs[i][key] is not None and ours[i][key] != theirs[i][key]:
                diffs.append(f"memory{i}: {key} memctl={ours[i][key]!r} lsmem={theirs[i][key]!r}")
    return diffs, f"{len(ours)} blocks"


def find_devices(obj):
    """daxctl nests devices under regions with -R; collect every object with a chardev."""
    if isinstance(obj, dict):
        if "chardev" in obj:
            yield obj
        for v in obj.values():
            yield from find_devices(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from find_devices(v)


def num(v):
    return int(v, 0) if isinstance(v, str) else v


def check_daxctl(status_path, daxctl_path):
    ours = {d["chardev"]: d for d in load(status_path)["inventory"]["devices"]}
    theirs = {d["chardev"]: d for d in find_devices(load(daxctl_path))}
    diffs = []
    for name in sorted(set(ours) | set(theirs)):
        if name not in ours or name not in theirs:
            diffs.append(f"{name}: only in {'memctl' if name in ours else 'daxctl'}")
            continue
        o, t = ours[name], theirs[name]
        if o["size"] != num(t["size"]):
            diffs.append(f"{name}: size memctl={o['size']} daxctl={t['size']}")
        if "target_node" in t and o["target_node"] != t["target_node"]:
            diffs.append(f"{name}: target_node memctl={o['target_node']} daxctl={t['target_node']}")
        # daxctl names a device without a driver "devdax" with state "disabled".
        tmode = "disabled" if t.get("state") == "disabled" else t.get("mode")
        if tmode and o["mode"] != tmode:
            diffs.append(f"{name}: mode memctl={o['mode']} daxctl={tmode}")
        if "online_memblocks" in t and o["online_memblocks"] != t["online_memblocks"]:
            diffs.append(f"{name}: online blocks memctl={o['online_memblocks']} daxctl={t['online_memblocks']}")
        if "total_memblocks" in t and o["total_memblocks"] != t["total_memblocks"]:
            diffs.append(f"{name}: blocks memctl={o['total_memblocks']} daxctl={t['total_memblocks']}")
        if t.get("movable") is not None and o["online_memblocks"] > 0 and o["movable"] != t["movable"]:
            diffs.append(f"{name}: movable memctl={o['movable']} daxctl={t['movable']}")
        if "mappings" in t:
            tm = sorted((num(m["start"]), num(m["end"])) for m in t["mappings"])
            om = sorted((num(m["start"]), num(m["end"])) for m in o["mappings"])
            if tm != om:
                diffs.append(f"{name}: mappings memctl={om} daxctl={tm}")
    return diffs, f"{len(ours)} devices"


IOMEM_LINE = re.compile(r"^( *)([0-9a-f]+)-([0-9a-f]+) : (.*)$")


def check_iomem(status_path, iomem_path):
    status = load(status_path)["inventory"]
    stack, soft, kmem = [], [], []
    hmem_devices = {d["chardev"] for d in status["devices"] if d.get("origin") == "hmem"}
    with open(iomem_path) as f:
        for line in f:
            m = IOMEM_LINE.match(line.rstrip("\n"))
            if not m:
                continue
            depth = len(m.group(1)) // 2
            start, end, name = int(m.group(2), 16), int(m.group(3), 16), m.group(4)
            del stack[depth:]
            parent = stack[-1] if stack else None
            stack.append(name)
            # 7.x lists no "Soft Reserved": an hmem dax device is itself at the top.
            if name == "Soft Reserved" or (depth == 0 and name in hmem_devices):
                soft.append((start, end))
            elif name == "System RAM (kmem)":
                kmem.append((start, end, parent))
    io = status["iomem"]
    diffs = []
    if not io["available"]:
        return ["memctl reports /proc/iomem as unavailable"], ""

    def rng(s):
        a, b = s.split("-")
        return int(a, 16), int(b, 16)

    ours_soft = sorted(rng(r["range"]) for r in io["soft_reserved"])
    ours_kmem = sorted(rng(r["range"]) + (r["chardev"],) for r in io["kmem"])
    if ours_soft != sorted(soft):
        diffs.append(f"soft reserved: memctl={ours_soft} iomem={sorted(soft)}")
    if ours_kmem != sorted(kmem):
        diffs.append(f"kmem: memctl={ours_kmem} iomem={sorted(kmem)}")
    # Driver managed = kmem ranges none of which the firmware memmap calls System
    # RAM (a kexec kernel would be handed those). The guest saves the firmware
    # memmap next to iomem.txt ("start end type" per entry); the lab's memmap=
    # ranges are in it, CXL windows are not.
    fw_path = os.path.join(os.path.dirname(iomem_path), "firmware-memmap.txt")
    fw = []
    if os.path.exists(fw_path):
        with open(fw_path) as f:
            for line in f:
                parts = line.split(None, 2)
                if len(parts) == 3:
                    fw.append((int(parts[0], 16), int(parts[1], 16), parts[2].strip()))
    for d in status["devices"]:
        if d["mode"] != "system-ram" or d["online_memblocks"] == 0:
            continue
        mine = [(a, b) for a, b, parent in kmem if parent == d["chardev"]]
        if not mine:
            diffs.append(f"{d['chardev']}: online kmem memory has no System RAM (kmem) range in /proc/iomem")
            continue
        if not fw:
            if not d.get("driver_managed"):
                diffs.append(f"{d['chardev']}: online kmem memory not reported as driver managed")
            continue
        in_fw = any(t == "System RAM" and fa <= b and a <= fb for a, b in mine for fa, fb, t in fw)
        if d.get("in_firmware_memmap") is not in_fw or d.get("driver_managed") is not (not in_fw):
            diffs.append(f"{d['chardev']}: driver_managed={d.get('driver_managed')} "
                         f"in_firmware_memmap={d.get('in_firmware_memmap')}, firmware memmap says {in_fw}")
    return diffs, f"{len(ours_soft)} soft reserved, {len(ours_kmem)} kmem ranges"


def main(argv):
    checks = {"lsmem": check_lsmem, "daxctl": check_daxctl, "iomem": check_iomem}
    if len(argv) != 4 or argv[1] not in checks:
        print(__doc__, file=sys.stderr)
        return 2
    diffs, what = checks[argv[1]](argv[2], argv[3])
    for d in diffs:
        print(f"crosscheck {argv[1]}: {d}")
    if diffs:
        return 1
    print(f"crosscheck {argv[1]}: agree ({what})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
