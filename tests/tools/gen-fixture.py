#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Generate a synthetic sysfs/procfs tree shaped like a large x86_64 server on v6.12.

  gen-fixture.py OUTDIR [--blocks N] [--nodes N] [--cxl-devices N]
                        [--block-size 128M] [--seed S] [--auto-online POLICY] [--force]

The tree holds what memctl's scanner and util-linux `lsmem --sysroot` read, laid out
(paths, link targets, attribute formats) the way the kernel lays it out, so that both
tools can be pointed at it (memctl --root OUTDIR, MEMCTL_SYSFS_ROOT=OUTDIR).

The default is the "synthetic 4 TiB host": 32768 blocks of 128 MiB.
  - nodes 0-1: two sockets with CPUs and boot DRAM (ZONE_DMA/DMA32 below 4 GiB, Normal above;
    no blocks in the 3-4 GiB PCI hole; memory0 spans DMA+DMA32 so its valid_zones is "none")
  - hmem.0 -> dax0.0: a "Soft Reserved" (EFI_MEMORY_SP) range in the last socket's proximity
    domain, bound to kmem; a quarter onlined into ZONE_NORMAL, two blocks offline, the rest
    in ZONE_MOVABLE (a realistic mess left by a mix of auto-onlining and manual onlining)
  - CXL type-3 memdevs mem0, mem1 behind their own host bridges; each has a committed RAM
    region (region1, region2) in its own CFMWS window with dax_regionN -> daxN.0.
    Even-numbered devices are onlined via kmem into ZONE_MOVABLE on their own memory-only
    node; odd-numbered ones stay on device_dax, so they have no memory blocks and their
    target node (possible, from the CFMWS) is not online and has no nodeN directory.
The sizes scale with --blocks: each kmem device gets 1/16 of the blocks, DRAM the rest.

Everything is deterministic: the same arguments (and --seed, which only picks serial
numbers) always produce the same tree. OUTDIR/fixture-info.json summarises what was
generated, for tests that want to assert on the expected counts.
"""
import argparse
import errno
import json
import os
import random
import shutil
import sys
import time

KiB, MiB, GiB, TiB = 1 << 10, 1 << 20, 1 << 30, 1 << 40
SECTION = 128 * MiB  # x86_64 SECTION_SIZE_BITS = 27
PMD = 2 * MiB  # dax region alignment used by dax_hmem and dax_cxl
CXL_HPA_ALIGN = 256 * MiB  # CXL regions are allocated in 256 MiB * ways granules
LOW_RAM_END = 0xbd800000  # end of the low "System RAM" e820 entry; firmware owns up to 3 GiB
PCI_HOLE = (3 * GiB, 4 * GiB)  # 32-bit MMIO: no RAM, no memory blocks
CORES_PER_SOCKET = 32  # with SMT: 64 logical CPUs per DRAM node

# Memory-tier ids are abstract distance >> 7: DRAM is 576 (tier 4); kmem without
# HMAT/CDAT performance data gets 5 x DRAM (tier 22, as seen on 6.12 under QEMU).
DRAM_TIER = 4
KMEM_TIER = 22


def parse_size(text):
    units = {"": 1, "K": KiB, "M": MiB, "G": GiB, "T": TiB}
    t = text.strip().upper().removesuffix("IB").removesuffix("B")
    num, unit = (t[:-1], t[-1]) if t and t[-1] in units else (t, "")
    try:
        return int(num, 0) * units[unit]
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid size: {text!r}") from None


def align_up(v, a):
    return (v + a - 1) // a * a


def cpulist(ids):
    """Format a sorted list of ints the way the kernel's %*pbl does: "0-31,64-95"."""
    out, i = [], 0
    while i < len(ids):
        j = i
        while j + 1 < len(ids) and ids[j + 1] == ids[j] + 1:
            j += 1
        out.append(str(ids[i]) if i == j else f"{ids[i]}-{ids[j]}")
        i = j + 1
    return ",".join(out)


class Tree:
    """Writes files, directories and relative symlinks below one root, fast.

    os.open/os.write instead of open() and a cache of created directories: at
    131072 blocks this writes about a million entries."""

    def __init__(self, root):
        self.root = root
        self.dirs = set()
        self.files = 0
        self.links = 0
        self.bytes = 0
        self.shared = {}  # content -> first file written with it, for write_shared()

    def path(self, rel):
        return os.path.join(self.root, rel)

    def mkdir(self, rel):
        if rel in self.dirs:
            return
        os.makedirs(self.path(rel), exist_ok=True)
        # Record every ancestor too, so later calls below them are free.
        while rel and rel not in self.dirs:
            self.dirs.add(rel)
            rel = os.path.dirname(rel)

    def write(self, rel, content, mkdir=True):
        """content is written as is, plus the trailing newline sysfs attributes have."""
        if mkdir:
            self.mkdir(os.path.dirname(rel))
        data = (content + "\n").encode() if content is not None else b""
        fd = os.open(self.path(rel), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
        self.files += 1
        self.bytes += len(data)

    def attrs(self, reldir, attrs):
        self.mkdir(reldir)
        for name, value in attrs.items():
            self.write(f"{reldir}/{name}", value, mkdir=False)

    def link(self, rel, target_rel):
        """A relative link like the kernel's (sysfs links are always relative)."""
        d = os.path.dirname(rel)
        self.mkdir(d)
        os.symlink(os.path.relpath(target_rel, d), self.path(rel))
        self.links += 1

    def write_shared(self, rel, content):
        """Like write(), but every file with this content is one inode (hard links)."""
        key = ("f", content)
        first = self.shared.get(key)
        if first is None:
            self.write(rel, content, mkdir=False)
            self.shared[key] = rel
        else:
            try:
                os.link(self.path(first), self.path(rel))
            except OSError as e:
                if e.errno != errno.EMLINK:  # ext4 allows 65000 links per inode
                    raise
                del self.shared[key]
                return self.write_shared(rel, content)
            self.files += 1
            self.bytes += len(content) + 1

    def link_shared(self, rel, target):
        """Like raw_link(), but equal links share one symlink inode."""
        key = ("l", target)
        first = self.shared.get(key)
        if first is None:
            self.raw_link(rel, target)
            self.shared[key] = rel
        else:
            try:
                os.link(self.path(first), self.path(rel), follow_symlinks=False)
            except OSError as e:
                if e.errno != errno.EMLINK:
                    raise
                del self.shared[key]
                return self.link_shared(rel, target)
            self.links += 1

    def raw_link(self, rel, target):
        """For hot loops: the caller already knows the relative target."""
        os.symlink(target, self.path(rel))
        self.links += 1


# ---- the machine's layout ----------------------------------------------------

class Layout:
    """Addresses, nodes and devices of the synthetic machine, computed before writing.

    Blocks are kept as ranges (first index, count, node, state, zones, device) so that
    the per-block loop that writes them is the only O(blocks) work."""

    def __init__(self, args):
        bs = args.block_size
        if bs & (bs - 1) or not SECTION <= bs <= 2 * GiB:
            raise SystemExit("gen-fixture: --block-size must be a power of two from 128M to 2G (x86_64)")
        if not 0 <= args.cxl_devices <= 14:
            raise SystemExit("gen-fixture: --cxl-devices must be 0-14")
        n_dram_nodes = args.nodes - args.cxl_devices
        if n_dram_nodes < 1:
            raise SystemExit("gen-fixture: --nodes must exceed --cxl-devices "
                             "(each CXL device gets its own memory-only node)")
        self.bs = bs
        self.seed = args.seed
        self.auto_online = args.auto_online
        self.n_nodes = args.nodes
        self.dram_nodes = list(range(n_dram_nodes))
        rng = random.Random(args.seed)

        # Each kmem-managed device (hmem, and every even CXL device) gets 1/16 of the
        # blocks, rounded to what both the block size and CXL's 256 MiB granule allow.
        unit = align_up(max(1, args.blocks // 16) * bs, max(bs, CXL_HPA_ALIGN))
        unit_blocks = unit // bs
        n_kmem_cxl = (args.cxl_devices + 1) // 2
        dram_blocks = args.blocks - unit_blocks * (1 + n_kmem_cxl)
        low_blocks = -(-PCI_HOLE[0] // bs)  # blocks holding the RAM below the PCI hole
        if dram_blocks < low_blocks + n_dram_nodes:
            raise SystemExit(f"gen-fixture: --blocks {args.blocks} is too small for this layout "
                             f"(need DRAM below 4 GiB plus one block per node)")

        self.ranges = []  # (first, count, node, state, valid_zones, device name or None)

        # DRAM: split evenly over the sockets, node 0 taking the remainder. Node 0 starts
        # at 0 with the low RAM, skips the PCI hole and continues at 4 GiB.
        per_node = [dram_blocks // n_dram_nodes] * n_dram_nodes
        per_node[0] += dram_blocks % n_dram_nodes
        addr = 0
        for node, count in zip(self.dram_nodes, per_node):
            if node == 0:
                # memory0 holds ZONE_DMA (< 16 MiB) and part of DMA32: a block spanning
                # two zones cannot be offlined and shows "none".
                self.ranges.append((0, 1, 0, "online", "none", None))
                if low_blocks > 1:
                    self.ranges.append((1, low_blocks - 1, 0, "online", "DMA32", None))
                count -= low_blocks
                addr = PCI_HOLE[1]
            first = addr // bs
            self.ranges.append((first, count, node, "online", "Normal", None))
            addr += count * bs
        self.dram_end = addr

        # hmem: the Soft Reserved range right above the last socket's DRAM, in its
        # proximity domain, so kmem adds it to that (CPU) node.
        self.devices = []
        hnode = self.dram_nodes[-1]
        hstart = addr
        hblocks = unit_blocks
        normal = hblocks // 4
        offline = 2 if hblocks >= 8 else 0
        first = hstart // bs
        if normal:
            self.ranges.append((first, normal, hnode, "online", "Normal", "dax0.0"))
        if offline:
            # Between the Normal and Movable parts neither zone spans these blocks, so
            # the kernel's default for "online" is the kernel zone: "Normal Movable".
            self.ranges.append((first + normal, offline, hnode, "offline", "Normal Movable", "dax0.0"))
        self.ranges.append((first + normal + offline, hblocks - normal - offline, hnode, "online",
                            "Movable", "dax0.0"))
        self.hmem = dict(name="dax0.0", region_id=0, platform="hmem.0", node=hnode,
                         start=hstart, size=unit, driver="kmem", blocks=hblocks,
                         online=hblocks - offline, movable=hblocks - normal - offline, normal=normal)
        self.devices.append(self.hmem)
        self.top_of_ram = hstart + unit

        # CXL: CFMWS windows above all RAM, one per device (its own host bridge), each
        # window twice the device's capacity. The memregion ids are shared with hmem
        # (hmem.0 took 0), so the regions are region1, region2, ...
        wsize = 1 << (2 * unit - 1).bit_length()
        wbase = align_up(self.top_of_ram, max(TiB, wsize))
        self.cxl = []
        for i in range(args.cxl_devices):
            rid = i + 1
            kmem = i % 2 == 0
            node = n_dram_nodes + i
            start = wbase + i * wsize
            hb = 0x0c + 0x10 * i
            dev = dict(index=i, name=f"dax{rid}.0", region_id=rid, region=f"region{rid}",
                       dax_region=f"dax_region{rid}", node=node, start=start, size=unit,
                       window=(start, start + wsize - 1), driver="kmem" if kmem else "device_dax",
                       memdev=f"mem{i}", serial=rng.getrandbits(48) | (0x1 << 60),
                       hb_bus=hb, rp=f"0000:{hb:02x}:00.0", pci=f"0000:{hb + 1:02x}:00.0",
                       socket=self.dram_nodes[i % n_dram_nodes],
                       port=1 + i, endpoint=1 + args.cxl_devices + i,
                       blocks=unit_blocks if kmem else 0, online=unit_blocks if kmem else 0,
                       movable=unit_blocks if kmem else 0, normal=0)
            if kmem:
                self.ranges.append((start // bs, unit_blocks, node, "online", "Movable", dev["name"]))
            self.cxl.append(dev)
            self.devices.append(dev)

        self.ranges.sort()
        self.n_blocks = sum(r[1] for r in self.ranges)
        assert self.n_blocks == args.blocks, (self.n_blocks, args.blocks)
        # A node is online (and has a sysfs directory) only once it has memory.
        self.online_nodes = sorted({r[2] for r in self.ranges})
        self.kmem_nodes = sorted({d["node"] for d in self.cxl if d["driver"] == "kmem"})
        self.cpus = {}
        total_cores = CORES_PER_SOCKET * n_dram_nodes
        for n in self.dram_nodes:
            first_core = n * CORES_PER_SOCKET
            cores = list(range(first_core, first_core + CORES_PER_SOCKET))
            self.cpus[n] = cores + [c + total_cores for c in cores]


# ---- writers -------------------------------------------------------------------

MEM = "sys/devices/system/memory"
NODE = "sys/devices/system/node"


def write_blocks(t, lay, blocks):
    """Write memoryN for each (index, node, state, zones) in blocks; the hot loop.

    Creating inodes is what costs on a disk filesystem, so entries the kernel
    never changes share one inode: the read-only constant attributes are hard links
    to one file, and equal symlinks hard links to one symlink. The attributes a test
    may rewrite to simulate the kernel (state, online, valid_zones) stay separate."""
    for idx, node, state, zones in blocks:
        name = f"memory{idx}"
        d = f"{MEM}/{name}"
        os.mkdir(t.path(d))
        # phys_index is the block's first section / sections per block: the block id.
        t.write(f"{d}/phys_index", f"{idx:08x}", mkdir=False)
        t.write_shared(f"{d}/phys_device", "0")  # 0 except on s390
        t.write(f"{d}/state", state, mkdir=False)
        t.write(f"{d}/online", "1" if state == "online" else "0", mkdir=False)
        # Since v5.9 "removable" is 1 for every block when MEMORY_HOTREMOVE is set.
        t.write_shared(f"{d}/removable", "1")
        t.write(f"{d}/valid_zones", zones, mkdir=False)
        t.link_shared(f"{d}/subsystem", "../../../../bus/memory")
        t.link_shared(f"{d}/node{node}", f"../../node/node{node}")
        t.raw_link(f"{NODE}/node{node}/{name}", f"../../memory/{name}")
        t.raw_link(f"sys/bus/memory/devices/{name}", f"../../../devices/system/memory/{name}")


def write_memory(t, lay, jobs):
    t.attrs(MEM, {
        "block_size_bytes": f"{lay.bs:x}",  # hex without 0x, as the kernel prints it
        "auto_online_blocks": lay.auto_online,
        # 1 once a kexec_file-loaded crash kernel handles hotplug itself (v6.5+).
        "crash_hotplug": "1",
    })
    t.mkdir("sys/bus/memory/devices")
    t.mkdir("sys/bus/memory/drivers")
    t.attrs("sys/bus/memory", {"drivers_autoprobe": "1", "uevent": None})
    blocks = [(idx, node, state, zones)
              for first, count, node, state, zones, _dev in lay.ranges
              for idx in range(first, first + count)]
    # The time goes into the filesystem, not Python: a few processes writing
    # disjoint blocks finish a 131072-block tree in a fraction of the time.
    jobs = max(1, min(jobs, len(blocks) // 4096 or 1))
    if jobs == 1:
        write_blocks(t, lay, blocks)
        return
    sys.stdout.flush()
    sys.stderr.flush()
    children = []
    for j in range(jobs):
        part = blocks[j * len(blocks) // jobs:(j + 1) * len(blocks) // jobs]
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                os.close(rfd)
                sub = Tree(t.root)
                sub.dirs = t.dirs
                write_blocks(sub, lay, part)
                os.write(wfd, json.dumps([sub.files, sub.links, sub.bytes]).encode())
                status = 0
            except BaseException as e:  # report, never fall back into the parent's code
                print(f"gen-fixture: worker {j}: {e}", file=sys.stderr)
            finally:
                os._exit(status)
        os.close(wfd)
        children.append((pid, rfd))
    failed = False
    for pid, rfd in children:
        with os.fdopen(rfd, "rb") as f:
            data = f.read()
        _, status = os.waitpid(pid, 0)
        if status != 0 or not data:
            failed = True
            continue
        files, links, nbytes = json.loads(data)
        t.files += files
        t.links += links
        t.bytes += nbytes
    if failed:
        raise SystemExit("gen-fixture: writing the memory blocks failed")


def write_nodes(t, lay):
    normal_nodes = sorted({r[2] for r in lay.ranges if r[4] in ("none", "DMA32", "Normal")
                           and r[3] == "online"})
    t.attrs(NODE, {
        "possible": cpulist(list(range(lay.n_nodes))),
        "online": cpulist(lay.online_nodes),
        "has_cpu": cpulist(lay.dram_nodes),
        "has_memory": cpulist(lay.online_nodes),
        "has_normal_memory": cpulist(normal_nodes),
        "has_generic_initiator": "",
        "uevent": None,
    })
    t.mkdir("sys/bus/node/devices")
    for n in lay.online_nodes:
        d = f"{NODE}/node{n}"
        cpus = lay.cpus.get(n, [])
        # No SLIT entry for CFMWS nodes: the kernel falls back to 10 local / 20 remote.
        dist = []
        for m in lay.online_nodes:
            if m == n:
                dist.append(10)
            elif n in lay.dram_nodes and m in lay.dram_nodes:
                dist.append(21)
            else:
                dist.append(20)
        mask = 0
        for c in cpus:
            mask |= 1 << c
        words = max(1, -(-(len(lay.cpus) * 2 * CORES_PER_SOCKET) // 32))
        cpumap = ",".join(f"{(mask >> (32 * w)) & 0xffffffff:08x}" for w in reversed(range(words)))
        t.attrs(d, {
            "cpulist": cpulist(cpus),  # empty line for a memory-only node
            "cpumap": cpumap,
            "distance": " ".join(map(str, dist)),
            "uevent": None,
        })
        t.link(f"{d}/subsystem", "sys/bus/node")
        t.link(f"sys/bus/node/devices/node{n}", d)


def write_hotplug_params(t, lay):
    t.attrs("sys/module/memory_hotplug/parameters", {
        "online_policy": "contig-zones",
        "auto_movable_ratio": "301",
        "auto_movable_numa_aware": "Y",
        "memmap_on_memory": "N",
    })
    t.attrs("sys/kernel/mm/numa", {"demotion_enabled": "false"})
    t.attrs("sys/module/dax_hmem/parameters", {"region_idle": "N"})
    tiers = {DRAM_TIER: [n for n in lay.online_nodes if n in lay.dram_nodes]}
    if lay.kmem_nodes:
        tiers[KMEM_TIER] = lay.kmem_nodes
    t.mkdir("sys/bus/memory_tiering/devices")
    for tier, nodes in tiers.items():
        d = f"sys/devices/virtual/memory_tiering/memory_tier{tier}"
        t.attrs(d, {"nodelist": cpulist(nodes), "uevent": None})
        t.link(f"{d}/subsystem", "sys/bus/memory_tiering")
        t.link(f"sys/bus/memory_tiering/devices/memory_tier{tier}", d)


def write_bus_skeleton(t):
    for bus, drivers in {
        "dax": ("kmem", "device_dax"),
        "cxl": ("cxl_port", "cxl_mem", "cxl_region", "cxl_dax_region", "cxl_nvdimm_bridge"),
        "platform": ("hmem", "hmem_platform", "cxl_acpi"),
        "pci": ("pcieport", "cxl_pci"),
    }.items():
        t.attrs(f"sys/bus/{bus}", {"drivers_autoprobe": "1", "uevent": None})
        t.mkdir(f"sys/bus/{bus}/devices")
        for drv in drivers:
            t.attrs(f"sys/bus/{bus}/drivers/{drv}", {"bind": None, "unbind": None, "uevent": None})
    for drv in ("kmem", "device_dax"):
        t.attrs(f"sys/bus/dax/drivers/{drv}", {"new_id": None, "remove_id": None})


def bind(t, devdir, bus, driver):
    """driver and subsystem links on the device, the device link in the driver's dir."""
    name = os.path.basename(devdir)
    t.link(f"{devdir}/subsystem", f"sys/bus/{bus}")
    t.link(f"sys/bus/{bus}/devices/{name}", devdir)
    if driver:
        t.link(f"{devdir}/driver", f"sys/bus/{bus}/drivers/{driver}")
        t.link(f"sys/bus/{bus}/drivers/{driver}/{name}", devdir)


def write_dax_region(t, parent, dev):
    # The dax core puts its region attributes in a "dax_region" group on the device
    # that owns the range (hmem.N, dax_regionN). Dynamic regions also show create,
    # seed and delete; the whole range is assigned, so nothing is available.
    t.attrs(f"{parent}/dax_region", {
        "id": str(dev["region_id"]),
        "size": str(dev["size"]),
        "align": str(PMD),
        "available_size": "0",
        "create": "",
        "seed": "",
        "delete": None,
    })


def write_dax_device(t, parent, dev, numa_node, memmap_on_memory, minor):
    d = f"{parent}/{dev['name']}"
    t.attrs(d, {
        "modalias": "dax:t0",
        "size": str(dev["size"]),
        "mapping": None,
        "target_node": str(dev["node"]),
        "align": str(PMD),
        "resource": f"{dev['start']:#x}",
        "numa_node": str(numa_node),
        "memmap_on_memory": "1" if memmap_on_memory else "0",
        "dev": f"252:{minor}",
        "uevent": f"MAJOR=252\nMINOR={minor}\nDEVNAME={dev['name']}\nDRIVER={dev['driver']}\nMODALIAS=dax:t0",
    })
    t.attrs(f"{d}/mapping0", {
        "start": f"{dev['start']:#x}",
        "end": f"{dev['start'] + dev['size'] - 1:#x}",
        "page_offset": "0x0",
        "uevent": None,
    })
    bind(t, d, "dax", dev["driver"])


def write_hmem(t, lay):
    dev = lay.hmem
    t.attrs("sys/devices/platform/hmem_platform.0", {"modalias": "platform:hmem_platform", "uevent": None})
    bind(t, "sys/devices/platform/hmem_platform.0", "platform", "hmem_platform")
    # v6.12 registers hmem.N without a parent, so it sits at the platform bus root.
    p = f"sys/devices/platform/{dev['platform']}"
    t.attrs(p, {"modalias": "platform:hmem", "numa_node": str(dev["node"]),
                "driver_override": "(null)", "uevent": "DRIVER=hmem\nMODALIAS=platform:hmem"})
    bind(t, p, "platform", "hmem")
    write_dax_region(t, p, dev)
    # hmem.N's numa_node is the (online) target node; the dax device inherits it.
    write_dax_device(t, p, dev, numa_node=dev["node"], memmap_on_memory=False, minor=0)


def write_cxl(t, lay):
    if not lay.cxl:
        return
    acpi = "sys/devices/platform/ACPI0017:00"
    root = f"{acpi}/root0"
    t.attrs(acpi, {"modalias": "acpi:ACPI0017:", "uevent": "DRIVER=cxl_acpi"})
    bind(t, acpi, "platform", "cxl_acpi")
    t.attrs(root, {"uevent": "DEVTYPE=cxl_port"})
    t.link(f"{root}/uport", acpi)
    bind(t, root, "cxl", None)
    next_region = len(lay.cxl) + 1
    for dev in lay.cxl:
        i = dev["index"]
        hb = f"sys/devices/pci{0:04x}:{dev['hb_bus']:02x}"
        rp = f"{hb}/{dev['rp']}"
        pci = f"{rp}/{dev['pci']}"
        memdev = f"{pci}/{dev['memdev']}"
        port = f"{root}/port{dev['port']}"
        ep = f"{port}/endpoint{dev['endpoint']}"
        ep_decoder = f"decoder{dev['endpoint']}.0"
        start, size = dev["start"], dev["size"]

        # PCI: host bridge -> root port -> the type-3 device, which parents the memdev.
        t.attrs(hb, {"uevent": None})
        t.attrs(rp, {"vendor": "0x8086", "device": "0x7075", "class": "0x060400",
                     "numa_node": str(dev["socket"]), "uevent": "DRIVER=pcieport"})
        bind(t, rp, "pci", "pcieport")
        t.attrs(pci, {"vendor": "0x8086", "device": "0x0d93", "class": "0x050210",
                      "numa_node": str(dev["socket"]), "uevent": "DRIVER=cxl_pci"})
        bind(t, pci, "pci", "cxl_pci")
        t.attrs(memdev, {
            "serial": f"{dev['serial']:#x}",
            "numa_node": str(dev["socket"]),
            "firmware_version": "2.1.0",
            "payload_max": "4096",
            "label_storage_size": "0",
            "dev": f"251:{i}",
            "uevent": f"MAJOR=251\nMINOR={i}\nDEVNAME=cxl/{dev['memdev']}\nDEVTYPE=cxl_memdev\nDRIVER=cxl_mem",
        })
        t.attrs(f"{memdev}/ram", {"size": f"{size:#x}"})
        t.attrs(f"{memdev}/pmem", {"size": "0x0"})
        bind(t, memdev, "cxl", "cxl_mem")

        # Root decoder: one per CFMWS window, each pre-allocating its next region id.
        rd = f"{root}/decoder0.{i}"
        t.attrs(rd, {
            "start": f"{dev['window'][0]:#x}",
            "size": f"{dev['window'][1] - dev['window'][0] + 1:#x}",
            "interleave_ways": "1", "interleave_granularity": "256",
            "target_type": "expander", "target_list": str(i), "locked": "1",
            "cap_pmem": "1", "cap_ram": "1", "cap_type2": "0", "cap_type3": "1",
            "qos_class": "0",
            "create_ram_region": f"region{next_region}",
            "create_pmem_region": f"region{next_region}",
            "delete_region": None,
            "uevent": "DEVTYPE=cxl_decoder_root",
        })
        next_region += 1
        bind(t, rd, "cxl", None)

        # Host-bridge port with its switch decoder, and the endpoint port below it.
        t.attrs(port, {"uevent": "DEVTYPE=cxl_port\nDRIVER=cxl_port"})
        t.link(f"{port}/uport", hb)
        t.link(f"{port}/dport0", rp)
        bind(t, port, "cxl", "cxl_port")
        t.attrs(f"{port}/decoder{dev['port']}.0", {
            "start": f"{start:#x}", "size": f"{size:#x}",
            "interleave_ways": "1", "interleave_granularity": "256",
            "target_type": "expander", "target_list": "0", "locked": "0",
            "uevent": "DEVTYPE=cxl_decoder_switch",
        })
        bind(t, f"{port}/decoder{dev['port']}.0", "cxl", None)
        t.attrs(ep, {"uevent": "DEVTYPE=cxl_port\nDRIVER=cxl_port"})
        t.link(f"{ep}/uport", memdev)  # how memctl gets from a decoder to its memdev
        bind(t, ep, "cxl", "cxl_port")
        t.link(f"{memdev}/endpoint", ep)
        for k in range(2):
            used = k == 0
            t.attrs(f"{ep}/decoder{dev['endpoint']}.{k}", {
                "start": f"{start:#x}" if used else "0x0",
                "size": f"{size:#x}" if used else "0x0",
                "mode": "ram" if used else "none",
                "dpa_resource": "0x0" if used else f"{size:#x}",
                "dpa_size": f"{size:#x}" if used else "0x0",
                "interleave_ways": "1", "interleave_granularity": "256",
                "target_type": "expander", "locked": "0",
                "uevent": "DEVTYPE=cxl_decoder_endpoint",
            })
            bind(t, f"{ep}/decoder{dev['endpoint']}.{k}", "cxl", None)

        # The region under its root decoder, its dax_region child, and the dax device.
        reg = f"{rd}/{dev['region']}"
        t.attrs(reg, {
            "commit": "1",
            "interleave_ways": "1",
            "interleave_granularity": "256",
            "resource": f"{start:#x}",
            "size": f"{size:#x}",
            "mode": "ram",
            "target0": ep_decoder,
            "uevent": "DEVTYPE=cxl_region\nDRIVER=cxl_region",
        })
        bind(t, reg, "cxl", "cxl_region")
        dr = f"{reg}/{dev['dax_region']}"
        t.attrs(dr, {"uevent": "DEVTYPE=cxl_dax_region\nDRIVER=cxl_dax_region"})
        bind(t, dr, "cxl", "cxl_dax_region")
        write_dax_region(t, dr, dev)
        # No NUMA node on the ACPI0017 ancestry, so the dax device has none either;
        # dax_cxl asks for memmap_on_memory.
        write_dax_device(t, dr, dev, numa_node=-1, memmap_on_memory=True, minor=1 + i)


def iomem_line(depth, start, end, name):
    return f"{'  ' * depth}{start:08x}-{end:08x} : {name}"


def write_iomem(t, lay):
    L = []
    add = lambda depth, s, e, n: L.append(iomem_line(depth, s, e, n))
    add(0, 0x0, 0xfff, "Reserved")
    add(0, 0x1000, 0x9ffff, "System RAM")
    add(0, 0xa0000, 0xfffff, "Reserved")
    add(1, 0xa0000, 0xbffff, "PCI Bus 0000:00")
    add(1, 0xf0000, 0xfffff, "System ROM")
    add(0, 0x100000, LOW_RAM_END - 1, "System RAM")
    add(1, 0x1000000, 0x1ffffff, "Kernel code")
    add(1, 0x2000000, 0x268ffff, "Kernel rodata")
    add(1, 0x2800000, 0x2b3ffff, "Kernel data")
    add(1, 0x2f80000, 0x33fffff, "Kernel bss")
    add(0, LOW_RAM_END, 0xbf7fffff, "Reserved")
    add(0, 0xbf800000, 0xbfbfffff, "ACPI Non-volatile Storage")
    add(0, 0xbfc00000, 0xbfffffff, "ACPI Tables")
    add(0, 0xc0000000, 0xc7ffffff, "PCI Bus 0000:00")
    for dev in lay.cxl:
        # Each CXL host bridge is its own PCI root with its own 32-bit window; the
        # memdev's BAR sits below its root port's bridge window.
        base = 0xc8000000 + dev["index"] * 0x800000
        add(0, base, base + 0x7fffff, f"PCI Bus 0000:{dev['hb_bus']:02x}")
        add(1, base, base + 0x3fffff, f"PCI Bus 0000:{dev['hb_bus'] + 1:02x}")
        add(2, base, base + 0x1fffff, dev["pci"])
    add(0, 0xd0000000, 0xdfffffff, "PCI Bus 0000:00")
    add(0, 0xe0000000, 0xefffffff, "PCI ECAM 0000 [bus 00-ff]")
    add(1, 0xe0000000, 0xefffffff, "Reserved")
    add(0, 0xf0000000, 0xfebfffff, "PCI Bus 0000:00")
    add(0, 0xfec00000, 0xfec003ff, "IOAPIC 0")
    add(0, 0xfed00000, 0xfed003ff, "HPET 0")
    add(0, 0xfee00000, 0xfee00fff, "Local APIC")
    add(0, 0xff000000, 0xffffffff, "Reserved")
    add(0, PCI_HOLE[1], lay.dram_end - 1, "System RAM")
    h = lay.hmem
    hend = h["start"] + h["size"] - 1
    # kmem's request_mem_region() nests under the non-busy Soft Reserved resource,
    # and add_memory_driver_managed() nests "System RAM (kmem)" under that.
    add(0, h["start"], hend, "Soft Reserved")
    add(1, h["start"], hend, h["name"])
    add(2, h["start"], hend, "System RAM (kmem)")
    for dev in lay.cxl:
        end = dev["start"] + dev["size"] - 1
        add(0, dev["window"][0], dev["window"][1], f"CXL Window {dev['index']}")
        add(1, dev["start"], end, dev["region"])
        if dev["driver"] == "kmem":  # device_dax claims nothing in iomem
            add(2, dev["start"], end, dev["name"])
            add(3, dev["start"], end, "System RAM (kmem)")
    t.write("proc/iomem", "\n".join(L))


def write_fw_memmap(t, lay):
    # The e820 table as the firmware handed it over: boot RAM, firmware ranges and the
    # Soft Reserved range. Memory kmem adds later is driver managed and never shows here.
    h = lay.hmem
    entries = [
        (0x0, 0x9ffff, "System RAM"),
        (0xa0000, 0xfffff, "Reserved"),
        (0x100000, LOW_RAM_END - 1, "System RAM"),
        (LOW_RAM_END, 0xbf7fffff, "Reserved"),
        (0xbf800000, 0xbfbfffff, "ACPI Non-volatile Storage"),
        (0xbfc00000, 0xbfffffff, "ACPI Tables"),
        (0xe0000000, 0xefffffff, "Reserved"),
        (0xff000000, 0xffffffff, "Reserved"),
        (PCI_HOLE[1], lay.dram_end - 1, "System RAM"),
        (h["start"], h["start"] + h["size"] - 1, "Soft Reserved"),
    ]
    for i, (s, e, typ) in enumerate(entries):
        t.attrs(f"sys/firmware/memmap/{i}", {"start": f"{s:#x}", "end": f"{e:#x}", "type": typ})


def write_info(t, lay, elapsed):
    online = sum(r[1] for r in lay.ranges if r[3] == "online")
    info = {
        "generator": "tests/tools/gen-fixture.py",
        "kernel_layout": "6.12",
        "seed": lay.seed,
        "block_size": lay.bs,
        "blocks": lay.n_blocks,
        "blocks_online": online,
        "auto_online_blocks": lay.auto_online,
        "nodes_possible": lay.n_nodes,
        "nodes_online": lay.online_nodes,
        "devices": [
            {k: d[k] for k in ("name", "driver", "node", "start", "size", "blocks", "online",
                               "movable", "normal")}
            | {"origin": "hmem" if d is lay.hmem else "cxl"}
            | ({"memdev": d["memdev"], "serial": f"{d['serial']:#x}", "host": d["pci"],
                "region": d["region"]} if d is not lay.hmem else {"platform": d["platform"]})
            for d in lay.devices
        ],
        "files": t.files,
        "links": t.links,
        "dirs": len(t.dirs),
        "bytes": t.bytes,
        "seconds": round(elapsed, 2),
    }
    with open(t.path("fixture-info.json"), "w") as f:
        json.dump(info, f, indent=1)
        f.write("\n")
    return info


def prepare_outdir(outdir, force):
    if os.path.lexists(outdir) and (not os.path.isdir(outdir) or os.listdir(outdir)):
        # Only ever delete something that looks like one of our own trees.
        if not force or not os.path.exists(os.path.join(outdir, "fixture-info.json")):
            raise SystemExit(f"gen-fixture: {outdir} exists and is not empty "
                             "(--force replaces a tree this tool generated)")
        shutil.rmtree(outdir)
    os.makedirs(outdir, exist_ok=True)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--blocks", type=int, default=32768, help="memory blocks in total (default 32768)")
    ap.add_argument("--nodes", type=int, default=4,
                    help="possible NUMA nodes; the last --cxl-devices are CXL nodes (default 4)")
    ap.add_argument("--cxl-devices", type=int, default=2, help="CXL type-3 memdevs (default 2)")
    ap.add_argument("--block-size", type=parse_size, default=128 * MiB, help="memory block size (default 128M)")
    ap.add_argument("--seed", type=int, default=0, help="picks the memdev serial numbers (default 0)")
    ap.add_argument("--auto-online", default="offline",
                    choices=("offline", "online", "online_kernel", "online_movable"),
                    help="value of auto_online_blocks (default offline)")
    ap.add_argument("--jobs", type=int, default=1,
                    help="processes writing memory blocks (default 1; 2 halves the time on tmpfs, "
                    "but on a busy disk filesystem parallel writers only contend)")
    ap.add_argument("--force", action="store_true", help="replace an existing generated tree")
    args = ap.parse_args(argv[1:])

    t0 = time.monotonic()
    lay = Layout(args)
    prepare_outdir(args.outdir, args.force)
    t = Tree(args.outdir)
    write_bus_skeleton(t)
    write_hotplug_params(t, lay)
    # Node directories first: the block loop drops its memoryN links into them.
    write_nodes(t, lay)
    write_memory(t, lay, args.jobs)
    write_hmem(t, lay)
    write_cxl(t, lay)
    write_iomem(t, lay)
    write_fw_memmap(t, lay)
    info = write_info(t, lay, time.monotonic() - t0)
    print(f"gen-fixture: {info['blocks']} blocks of {lay.bs // MiB} MiB, {len(lay.online_nodes)} of "
          f"{lay.n_nodes} nodes online, {len(lay.devices)} dax devices; {info['files']} files, "
          f"{info['links']} links, {info['bytes']} bytes in {info['seconds']} s -> {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
