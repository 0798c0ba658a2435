# SPDX-License-Identifier: LGPL-2.1-or-later
"""B8 of bench/run.py: a stock boot of the Debian 13 image (trixie-backports' 7.3, its own initramfs, the
package installed with kernel_auto_online = "movable"), from the kernel's start to the last block of the hmem
device in place, memctl against the kernel alone (memctl.disable), boots alternating
(tests/vm/scenarios/bench-boot). The clock: a boot-time kretprobe on online_pages() in the trace buffer,
whose local clock is the dmesg clock."""
import os
import re
import statistics

vm_run = None  # run.py's, set by run.py
GuestFailed = RuntimeError  # run.py's
APPEND = "kprobe_event=r:onlinepg,online_pages trace_buf_size=256K"


def b8(build, results, rounds, kernel="7.3"):
    arms = {"memctl": [], "kernel": []}
    for i in range(1, rounds + 1):
        # the order alternates too, so that a drift of the machine's load hits both arms alike
        for arm in (("memctl", "kernel") if i % 2 else ("kernel", "memctl")):
            append = APPEND + (" memctl.disable" if arm == "kernel" else "")
            out = vm_run(build, "bench-boot", f"bench-b8-{arm}-{i}", "--memory", "hmem", "--append", append,
                         kernel=kernel)
            arms[arm].append(read_boot(out))
    m = statistics.median(b["last_online_s"] for b in arms["memctl"])
    k = statistics.median(b["last_online_s"] for b in arms["kernel"])
    placed = all(b["zones"] == {"Movable": b["blocks"]} for b in arms["memctl"])
    first = arms["memctl"][0]
    results.append({"id": "B8", "kernel": first["kver"],
                    "measure": f"guest {kernel} (TCG), stock boot of the Debian 13 image with the package (its own "
                               f"kernel and initramfs), hmem {first['blocks'] * 128 / 1024:g} GiB ({first['blocks']} "
                               "blocks): kernel start to the last block in place (online_pages() returns, kernel "
                               "clock); memctl with kernel_auto_online = \"movable\", every block in ZONE_MOVABLE: "
                               + ("yes" if placed else "**no**"),
                    "memctl": m, "reference": k, "reference_name": "the kernel alone (memctl.disable)", "unit": "s",
                    "ratio": m / k, "goal": "<= 1.05x", "met": m / k <= 1.05 and placed, "rounds": rounds,
                    "raw_memctl_s": [b["last_online_s"] for b in arms["memctl"]],
                    "raw_reference_s": [b["last_online_s"] for b in arms["kernel"]],
                    "boots": arms})


def read_boot(out):
    """One boot's stamps and where its blocks ended. Seconds since the kernel started: the trace's and dmesg's
    clock; journal lines (memctld's start, memctl-early when it logged to stderr) carry the monotonic clock of
    their receipt by journald, the same origin."""
    text = lambda n: open(os.path.join(out, n), errors="replace").read()
    hits = re.findall(r"^\s*(.+?)-\d+\s+\[\d+\].*?\s(\d+\.\d+): onlinepg:", text("trace.txt"), re.M)
    onlines = [float(t) for _, t in hits]
    tasks = sorted({task for task, _ in hits})  # who onlined: the kernel in kmem's probe (udev's worker,
    # modprobe) or memctld's writes
    if not onlines:
        raise GuestFailed(f"{out}: no online_pages() in the trace")
    zones = {}
    for line in text("blocks.txt").splitlines():
        f = line.split()
        zone = f[2] if len(f) > 2 and f[1] == "online" else f[1] if len(f) > 1 else "?"
        zones[zone] = zones.get(zone, 0) + 1

    def stamp(pattern, name="dmesg.txt"):
        for line in text(name).splitlines():
            if re.search(pattern, line):
                m = re.match(r"\[\s*([0-9.]+)\]", line)
                if m:
                    return float(m.group(1))
        return None
    return {"arm": text("arm").strip(), "kver": text("kver").strip(), "blocks": sum(zones.values()),
            "zones": zones, "onlined": len(onlines), "onlined_by": tasks, "first_online_s": min(onlines), "last_online_s": max(onlines),
            "systemd_s": stamp(r"systemd\[1\]: systemd \d+"), "early_hook_s": stamp(r"memctl-early: ") or stamp(r"memctl-early: ", "journal-monotonic.txt"),
            "memctld_started_s": stamp(r"Started memctld\.service", "journal-monotonic.txt"),
            "auto_online_blocks": text("auto_online_blocks").strip()}


def b8_text(r):
    """Where the time goes in B8: the boots' phases on the kernel's clock (medians per arm), from the same boots."""
    def med(arm, key):
        v = [b[key] for b in r["boots"][arm] if b.get(key) is not None]
        return statistics.median(v) if v else None

    def s(v):
        return "-" if v is None else f"{v:.2f} s"
    phases = "; ".join(f"{arm}: systemd started {s(med(arm, 'systemd_s'))}, memctl-early "
                       f"{s(med(arm, 'early_hook_s'))}, memctld started {s(med(arm, 'memctld_started_s'))}, first "
                       f"block online {s(med(arm, 'first_online_s'))}, last {s(med(arm, 'last_online_s'))}"
                       for arm in ("memctl", "kernel"))
    m, k = r["raw_memctl_s"], r["raw_reference_s"]
    spread = (max(k) - min(k)) / statistics.median(k)
    inside = {arm: med(arm, "last_online_s") - med(arm, "first_online_s") for arm in ("memctl", "kernel")}
    by = {arm: sorted({t for b in r["boots"][arm] for t in b.get("onlined_by", [])}) for arm in ("memctl", "kernel")}
    return (f"**{r['id']}** ({r['ratio']:.2f}x; memctl {r['memctl']:.2f} s vs the kernel alone "
            f"{r['reference']:.2f} s after the kernel's start, medians of {r['rounds']} boots each). Phases on the "
            f"kernel's clock (medians; \"-\": not in that boot): {phases}. The tasks that onlined the blocks "
            f"(the trace's): memctl {', '.join(by['memctl'])}; alone {', '.join(by['kernel'])}; from the first "
            f"block to the last {inside['memctl']:.2f} s (memctl) and {inside['kernel']:.2f} s (alone). What differs is when the device's memory is added, which depends on when udev's "
            "coldplug (or memctld.service's ExecStartPre) loads the dax modules, and that moves with everything "
            "else early userspace does in the TCG guest. The boots spread: memctl "
            f"{min(m):.2f}-{max(m):.2f} s, the kernel alone {min(k):.2f}-{max(k):.2f} s ({spread:.0%} of its "
            "median).")
