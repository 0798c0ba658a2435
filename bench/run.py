#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""memctl benchmarks, host part (issue 7). Each measure runs memctl and its
reference alternately on the same input, takes the median of N runs, and
records the ratio. Results: bench/results.json (raw) and bench/results.md.

  bench/run.py BUILD_DIR [--runs N] [--quick]

Speed is measured here, never asserted in tests.
"""
import argparse
import datetime
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import boot
import issue17
import callphases as b2profile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
GEN = os.path.join(TOP, "tests", "tools", "gen-fixture.py")
LSMEM = ["lsmem", "-J", "-o", "RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES"]


def timed(argv):
    """Wall seconds and peak RSS (KiB) of one run. GNU time measures the RSS:
    a child forked from Python would count Python's own pages until exec."""
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"bench: {' '.join(argv)} failed: {p.stderr[-300:]}")
    return dt, int(p.stderr.strip().splitlines()[-1])


def alternate(a, b, runs):
    """Median wall time and max RSS of a and b, run alternately."""
    ta, tb, ra, rb = [], [], 0, 0
    for _ in range(runs):
        t, r = timed(a)
        ta.append(t)
        ra = max(ra, r)
        t, r = timed(b)
        tb.append(t)
        rb = max(rb, r)
    return statistics.median(ta), ra, statistics.median(tb), rb, ta, tb


def tree(blocks, where):
    root = os.path.join(where, f"host-{blocks}")
    if not os.path.exists(root):
        subprocess.run([sys.executable, GEN, root, "--blocks", str(blocks)], check=True, stdout=subprocess.DEVNULL)
    return root


def b3(build, where, runs, results):
    root = tree(32768, where)
    memctl = os.path.join(build, "cli", "memctl")
    for verb in ("status", "blocks"):
        m, mr, l, lr, mt, lt = alternate([memctl, "--root", root, verb, "--json"], LSMEM + ["--sysroot", root], runs)
        results.append({"id": f"B3-{verb}", "measure": f"memctl {verb} --json, 32768 blocks (4 TiB), wall",
                        "memctl": m, "reference": l, "reference_name": "lsmem -J --sysroot", "unit": "s",
                        "ratio": m / l, "goal": "<= 1.0x", "met": m / l <= 1.0, "memctl_rss_kib": mr,
                        "reference_rss_kib": lr, "raw_memctl": mt, "raw_reference": lt})


def b6(build, where, runs, results, sizes):
    memctl = os.path.join(build, "cli", "memctl")
    policy = os.path.join(TOP, "policy", "examples", "memctl.conf")
    for n in sizes:
        root = tree(n, where)
        s, sr, l, lr, st, lt = alternate([memctl, "--root", root, "status", "--json"], LSMEM + ["--sysroot", root], runs)
        p, pr, _, _, pt, _ = alternate([memctl, "--root", root, "plan", "--policy", policy, "--json"], ["true"], runs)
        results.append({"id": f"B6-{n}", "measure": f"growth at {n} blocks: status (scan) and plan (scan+plan)",
                        "memctl": s, "reference": l, "reference_name": "lsmem -J --sysroot", "unit": "s",
                        "ratio": s / l, "goal": "linear or better", "plan_s": p, "status_rss_kib": sr,
                        "raw_memctl": st, "raw_plan": pt, "raw_reference": lt})
        if n >= 131072:
            shutil.rmtree(root, ignore_errors=True)
    # growth exponent between the smallest and largest size
    pts = [r for r in results if r["id"].startswith("B6-")]
    if len(pts) >= 2:
        a, b = pts[0], pts[-1]
        na, nb = int(a["id"][3:]), int(b["id"][3:])
        k = math.log(b["memctl"] / a["memctl"]) / math.log(nb / na)
        kp = math.log(b["plan_s"] / a["plan_s"]) / math.log(nb / na)
        for r in pts:
            r["growth_exponent_status"] = k
            r["growth_exponent_plan"] = kp
        results.append({"id": "B6", "measure": f"growth exponent {na}->{nb} blocks (1.0 = linear)",
                        "memctl": k, "reference": kp, "reference_name": "plan's exponent", "unit": "",
                        "ratio": None, "goal": "<= 1.0 (linear)", "met": k <= 1.1 and kp <= 1.1})


def b4(build, where, seconds, results):
    """Idle memctld: context switches and RSS over `seconds` with no events."""
    memctld = os.path.join(build, "daemon", "memctld")
    root = tree(32768, where)
    rt = tempfile.mkdtemp(prefix="memctl-bench-")
    policy = os.path.join(rt, "memctl.conf")
    with open(policy, "w") as f:
        f.write('rules = ( { name = "leave"; match = {}; mode = "ignore"; } );\n')
    env = dict(os.environ)
    env.pop("NOTIFY_SOCKET", None)
    env.pop("WATCHDOG_USEC", None)
    p = subprocess.Popen([memctld, "--root", root, "--runtime-dir", rt, "--policy", policy, "--uevent-source", "none"],
                         stderr=subprocess.DEVNULL, env=env)

    def sample():
        vals = {}
        with open(f"/proc/{p.pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                vals[k] = v.strip()
        return (int(vals["voluntary_ctxt_switches"]) + int(vals["nonvoluntary_ctxt_switches"]),
                int(vals["VmRSS"].split()[0]), int(vals["RssAnon"].split()[0]))
    time.sleep(3)  # the first reconcile
    c0, _, _ = sample()
    time.sleep(seconds)
    c1, rss, anon = sample()
    by_mapping = rss_by_mapping(p.pid)
    p.terminate()
    p.wait()
    shutil.rmtree(rt, ignore_errors=True)
    per_min = (c1 - c0) * 60.0 / seconds
    results.append({"id": "B4-host", "measure": f"idle memctld, {seconds} s, no events, 32768-block fixture: "
                                                "context switches per minute", "memctl": per_min, "reference": 0,
                    "reference_name": "zero", "unit": "/min", "ratio": None, "goal": "0 beyond the watchdog",
                    "met": per_min == 0, "rss_kib": rss})
    results.append({"id": "B4-host-rss", "measure": f"idle memctld RSS after reconciling a 32768-block machine "
                                                    f"({anon / 1024.0:.1f} MiB of it anonymous, the rest shared "
                                                    "library pages)",
                    "memctl": rss / 1024.0, "reference": 4.0, "reference_name": "goal", "unit": "MiB",
                    "ratio": rss / 1024.0 / 4.0, "goal": "<= 4 MiB", "met": rss <= 4096, "rss_anon_kib": anon,
                    "rss_by_mapping_kib": by_mapping})


def rss_by_mapping(pid):
    """Resident KiB per mapped file (or [heap], [anon]...) from /proc/PID/smaps, largest first."""
    out, name = {}, None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            head = line.split()
            if "-" in head[0] and len(head) >= 5 and not head[0].endswith(":"):
                name = os.path.basename(head[5]) if len(head) > 5 else "[anon]"
            elif head[0] == "Rss:":
                out[name] = out.get(name, 0) + int(head[1])
    return dict(sorted(((k, v) for k, v in out.items() if v), key=lambda kv: -kv[1]))


def b5(build, results):
    exe = os.path.join(build, "bench", "bench-storm")
    out = subprocess.run([exe], capture_output=True, text=True, check=True).stdout
    data = json.loads(out)
    results.append({"id": "B5-sim", "measure": f"{data['uevents']} memory uevents in {data['seconds']:.3f} s "
                                               "(sim manager): reconciles", "memctl": data["reconciles"],
                    "reference": 3, "reference_name": "goal", "unit": "", "ratio": None, "goal": "<= 3",
                    "met": data["reconciles"] <= 3})


class GuestFailed(Exception):
    pass


def guest(results, rid, fn, *args):
    """Run one guest measure (a failed guest is recorded, the others still run); rows get their start and load."""
    n0, when, load = len(results), datetime.datetime.now(datetime.timezone.utc).strftime("%H:%M"), os.getloadavg()
    try:
        fn(*args)
        [r.update(started_utc=when, loadavg_start=load) for r in results[n0:]]
    except Exception as e:  # a guest that failed, or output the parser did not expect: the other guests still run
        if not isinstance(e, GuestFailed):
            import traceback
            e = GuestFailed(f"{type(e).__name__}: {e}\n{traceback.format_exc()}")
        print(f"bench: {rid}: {e}", file=sys.stderr)
        results.append({"id": rid, "measure": f"guest run failed: {str(e).splitlines()[0]}", "memctl": None,
                        "reference": None, "reference_name": "-", "unit": "", "ratio": None, "goal": "-",
                        "met": None, "error": str(e)})


def vm_run(build, scenario, name, *args, kernel="6.12"):
    """One lab guest; returns its output directory."""
    run = os.path.join(TOP, "tests", "vm", "run")
    env = dict(os.environ, MEMCTL_BUILD_DIR=build)
    t0 = time.perf_counter()
    p = subprocess.run([run, "--kernel", kernel, "--guest", "systemd", "--quiet-progress", "--name", name, *args,
                        scenario], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise GuestFailed(f"guest {name} failed (tests/vm/run exit {p.returncode}):\n{p.stderr[-2000:]}")
    print(f"bench: guest {name}: {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    logdir = env.get("MEMCTL_VM_LOGDIR", os.path.join(build, "vm-logs"))
    return os.path.join(logdir, name, "out")


B1_ROUNDS = 5  # --b1-rounds


def b1(build, results, memory, kernel_uevents=False, kernel="6.12", takeover=False):
    """Guest: hotplug-to-online latency, memctld vs the kernel's auto-online or daxctl's udev rule.
    Experiments: kernel_uevents (memctld --uevent-source kernel), takeover (kernel_auto_online "takeover")."""
    suffix = ("-kuevents" if kernel_uevents else "") + ("-takeover" if takeover else "") + ("" if kernel == "6.12" else f"-{kernel}")
    append = " ".join(["memctl.bench_kernel_uevents"] * kernel_uevents + ["memctl.bench_takeover"] * takeover
                      + [f"memctl.bench_rounds={B1_ROUNDS}"] * (B1_ROUNDS != 5))
    out = vm_run(build, "bench-latency", f"bench-b1-{memory}{suffix}", "--memory", memory,
                 *(["--append", append] if append else []), kernel=kernel)
    d = json.load(open(os.path.join(out, "b1.json")))
    other = d["other"]
    m = statistics.median(r["memctld"] for r in d["rounds"]) / 1e6
    o = statistics.median(r[other] for r in d["rounds"]) / 1e6
    size = d["blocks"] * 128 / 1024
    ref = {"kernel": "kernel auto-online (auto_online_blocks=online_movable)",
           "daxctl": "daxctl's udev rule + /etc/daxctl.conf.d"}[other]
    goal = "<= 1.05x" if other == "kernel" else "<= 0.5x"
    ratio = m / o
    phases = {way: [monitor_phases(os.path.join(out, f"monitor-{way}-{i + 1}.txt"), d["device"])
                    for i in range(len(d["rounds"]))] for way in ("memctld", other)}
    if kernel_uevents or takeover:
        goal, met = "- (experiment)", None
        how = ("; memctld --uevent-source kernel (not udev)" if kernel_uevents else "") + \
            ('; kernel_auto_online = "takeover" (memctld onlines itself)' if takeover else "")
    else:
        met, how = ratio <= (1.05 if other == "kernel" else 0.5), f'; kernel_auto_online = "{d.get("kao", "takeover")}"'
    results.append({"id": f"B1-{memory}{suffix}", "phases_s": phases,
                    "kernel": d.get("kernel"), "measure": f"guest {kernel} (TCG): {memory} dax device, {size:g} GiB "
                                                          f"({d['blocks']} blocks): dax add uevent to last block online{how}",
                    "memctl": m, "reference": o, "reference_name": ref, "unit": "s", "ratio": ratio, "goal": goal,
                    "met": met, "rounds": len(d["rounds"]),
                    "raw_memctl_us": [r["memctld"] for r in d["rounds"]],
                    "raw_reference_us": [r[other] for r in d["rounds"]]})


def monitor_phases(path, device):
    """From one round's `udevadm monitor -k` output, in seconds: from the dax add uevent to its first bind
    (the first driver's probe; for kmem the memory is added, for the kernel's auto-online also onlined), from
    the first to the last bind (a reconfiguration device_dax -> kmem; 0 when there is none), from the last
    bind to the first block online (negative: onlined inside the probe), and from the first to the last block
    online."""
    import re
    add = None
    binds, onlines = [], []
    for line in open(path, errors="replace"):
        m = re.match(r"KERNEL\[([0-9.]+)\] (\w+) +(\S+) \((\w+)\)", line)
        if not m:
            continue
        t, action, devpath, subsystem = float(m.group(1)), m.group(2), m.group(3), m.group(4)
        if subsystem == "dax" and devpath.endswith("/" + device):
            if action == "add" and add is None:
                add = t
            elif action == "bind":
                binds.append(t)
        elif subsystem == "memory" and action == "online" and add is not None:
            onlines.append(t)
    if add is None or not binds or not onlines:
        return None
    return {"add_to_first_bind": binds[0] - add, "first_to_last_bind": binds[-1] - binds[0],
            "last_bind_to_first_online": onlines[0] - binds[-1], "first_to_last_online": onlines[-1] - onlines[0]}


def b2(build, results, node1_gib, label, kernel="6.12"):
    """Guest: online/offline of the hmem device, raw loop vs daxctl vs memctl (tests/vm); 7.3: vs a state write."""
    out = vm_run(build, "bench-throughput", f"bench-b2-{label}", "--memory", "hmem", "--node1-size", str(node1_gib),
                 kernel=kernel)
    d = json.load(open(os.path.join(out, "b2.json")))
    med = {k: statistics.median(r[k] for r in d["rounds"]) / 1e9 for k in d["rounds"][0]}
    size = d["blocks"] * 128 / 1024
    state = d.get("state", False)
    goal = 0.95 if state or kernel != "6.12" else 1.0
    for op in ("online", "offline"):
        for tool in (("memctl",) if state else ("memctl", "daxctl")):
            t, raw = med[f"{tool}_{op}"], med[f"raw_{op}"]
            results.append({"id": f"B2-{label}-{tool}-{op}",
                            "measure": f"guest {kernel} (TCG): {tool} {op} of {size:g} GiB ({d['blocks']} blocks), "
                                       "throughput", "memctl": size / t, "reference": size / raw,
                            "reference_name": "one daxX.Y/state write" if state else "raw sysfs loop",
                            "unit": "GiB/s", "ratio": raw / t,
                            "goal": f">= {goal}x" if tool == "memctl" else "-",
                            "met": (raw / t >= goal) if tool == "memctl" else None, "seconds": t, "raw_seconds": raw,
                            "raw_rounds_ns": [r[f"{tool}_{op}"] for r in d["rounds"]],
                            "raw_loop_rounds_ns": [r[f"raw_{op}"] for r in d["rounds"]]})
    prof = json.load(open(os.path.join(out, "profile.json")))
    prof["blocks"] = d["blocks"]
    prof["debug_log"] = debug_timings(os.path.join(out, "memctld-debug.txt"))
    prof["call_phases"] = b2profile.call_phases(out, prof)
    results.append({"id": f"B2-{label}-profile", "measure": f"where memctl online's time goes, {size:g} GiB: "
                                                            "process start (median of 3)",
                    "memctl": statistics.median(prof["start_memctl_ns"]) / 1e6,
                    "reference": statistics.median(prof["start_true_ns"]) / 1e6,
                    "reference_name": "/bin/true", "unit": "ms", "ratio": None, "goal": "-", "met": None,
                    "profile": prof})
    b45 = os.path.join(out, "b45.json")
    if os.path.exists(b45):
        g = json.load(open(b45))
        per_min = g["ctxt_switches"] * 60.0 / g["idle_seconds"]
        wd_s = timespan_s(g["watchdog_usec"])
        # sd-event pings the watchdog every half period: one wakeup (one context switch) each
        pings = math.ceil(g["idle_seconds"] / (wd_s / 2)) if wd_s else 0
        results.append({"id": "B4-guest", "measure": f"idle memctld in the guest, {g['idle_seconds']} s, no events, "
                                                     f"one {size:g} GiB device online: context switches per minute "
                                                     f"(WatchdogSec={wd_s:g} s: at most {pings} ping(s) in the window)",
                        "memctl": per_min, "reference": pings * 60.0 / g["idle_seconds"],
                        "reference_name": "watchdog pings", "unit": "/min", "ratio": None,
                        "goal": "0 beyond the watchdog", "met": g["ctxt_switches"] <= pings, "raw": g})
        by_mapping = {}
        mp = os.path.join(out, "memctld-rss-by-mapping.txt")
        if os.path.exists(mp):
            for line in open(mp):
                kib, name = line.split(None, 1)
                by_mapping[os.path.basename(name.strip())] = int(kib)
        results.append({"id": "B4-guest-rss", "measure": f"idle memctld RSS in the guest ({g['rssanon_kib'] / 1024:.1f} "
                                                         "MiB anonymous, the rest shared library pages)",
                        "memctl": g["vmrss_kib"] / 1024.0, "reference": 4.0, "reference_name": "goal", "unit": "MiB",
                        "ratio": g["vmrss_kib"] / 1024.0 / 4.0, "goal": "<= 4 MiB", "met": g["vmrss_kib"] <= 4096,
                        "rss_by_mapping_kib": by_mapping})
        results.append({"id": "B5-guest", "measure": f"real uevent storm: {g['storm_blocks']} blocks ({size:g} GiB) "
                                                     f"onlined by a raw loop in {g['storm_seconds']:.2f} s, "
                                                     f"{g['storm_uevents']} uevents seen by memctld: reconciles",
                        "memctl": g["storm_reconciles"], "reference": 3, "reference_name": "goal", "unit": "",
                        "ratio": None, "goal": "<= 3", "met": g["storm_reconciles"] <= 3})


def timespan_s(text):
    """Seconds in a systemd time span as `systemctl show` prints it ("2min", "1min 30s", "500ms", "0")."""
    import re
    units = {"us": 1e-6, "ms": 1e-3, "s": 1, "min": 60, "h": 3600}
    total = 0.0
    for num, unit in re.findall(r"([0-9.]+)\s*(us|ms|min|s|h)?", str(text)):
        total += float(num) * (units[unit] if unit else 1e-6)
    return total


def debug_timings(path):
    """memctld's debug log around the profiled online: scan and per-block write / read-back times (ms)."""
    import re
    scans, writes, reads, states = [], [], [], []
    on = False
    for line in open(path, errors="replace"):
        if "bench" in line and "online start" in line:
            on = True
        elif "bench" in line and "online end" in line:
            break
        elif on:
            m = re.search(r"scan: \d+ blocks, \d+ dax devices in ([0-9.]+) ms", line)
            if m:
                scans.append(float(m.group(1)))
            m = re.search(r"/state = \S+: memory\d+-\d+ in ([0-9.]+) ms", line)
            if m:
                states.append(float(m.group(1)))
            m = re.search(r"memory\d+ online: write ([0-9.]+) ms, read back ([0-9.]+) ms", line)
            if m:
                writes.append(float(m.group(1)))
                reads.append(float(m.group(2)))
    return {"scan_ms": scans, "write_ms": writes, "read_back_ms": reads, "state_write_ms": states}


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def median(v):
    v = [x for x in v if x is not None]
    return statistics.median(v) if v else None


def where_the_time_goes(results):
    """The "Where the time goes" section: one paragraph per goal missed, from the evidence measured in the
    same run (memctld's debug log, process start times, uevent timestamps, smaps)."""
    by = {r["id"]: r for r in results}
    out = ["## Where the time goes", ""]
    for r in results:
        rid = r["id"]
        if r.get("met") is not False and not (rid.startswith("B4-") and rid.endswith("-rss")):
            continue
        if rid.startswith("B2-") and rid.endswith("-online") or rid.startswith("B2-") and rid.endswith("-offline"):
            label = rid[3:].rsplit("-", 2)[0]  # B2-8g-7.3-memctl-online -> 8g-7.3
            prof = by.get(f"B2-{label}-profile", {}).get("profile")
            if r.get("reference_name") == "one daxX.Y/state write" or not prof:  # 7.3: one state write each way
                out += [f"{issue17.b2_state_text(r, prof)} {b2profile.call_text(prof or {}, rid.rsplit('-', 1)[1])}"
                        .strip(), ""]
                continue
            dbg = prof["debug_log"]
            start = statistics.median(prof["start_memctl_ns"]) / 1e6
            true = statistics.median(prof["start_true_ns"]) / 1e6
            scan = median(dbg["scan_ms"])
            writes = sum(dbg["write_ms"])
            reads = sum(dbg["read_back_ms"])
            gap = (r["seconds"] - r["raw_seconds"]) * 1000
            out.append(f"**{rid}** ({r['ratio']:.2f}x the raw loop; memctl {r['seconds']:.3f} s vs raw "
                       f"{r['raw_seconds']:.3f} s, a gap of {gap:.0f} ms over {prof['blocks']} blocks). "
                       f"The raw loop is a shell builtin that never forks; `memctl` is a process: starting "
                       f"`memctl --version` costs {start:.0f} ms in this guest (`/bin/true`: {true:.0f} ms; TCG "
                       "makes exec and the dynamic loader expensive). Inside memctld (its debug log, profiled "
                       f"online in the same guest): one inventory scan {fmt(scan)} ms, the block writes "
                       f"{writes:.0f} ms in all (the kernel's work, same as the raw loop's), reading each block's "
                       f"state back {reads:.0f} ms in all. So the fixed cost of one memctl call is about "
                       f"{start + (scan or 0) + reads:.0f} ms: process start + one scan + read-backs; per block "
                       "memctl adds only the read-back. The remaining spread is the TCG guest sharing one host "
                       "thread between both vCPUs and udev's handling of each block's uevent (see B1). On real "
                       "hardware process start is about 1 ms, so the fixed cost shrinks to the scan. "
                       + b2profile.call_text(prof, rid.rsplit("-", 1)[1]))
            out.append("")
        elif rid.startswith("B1-") and rid.endswith("-kuevents"):
            continue
        elif rid.startswith("B1-"):
            ph = r.get("phases_s", {})
            other = "kernel" if "kernel" in r["reference_name"] else "daxctl"

            def med(way, key):
                return median([p[key] for p in ph.get(way, []) if p])
            phases = ", ".join(f"{label} {fmt(med('memctld', key))} s vs {fmt(med(other, key))} s"
                               for key, label in (("add_to_first_bind", "add to first bind"),
                                                  ("first_to_last_bind", "first to last bind"),
                                                  ("last_bind_to_first_online", "last bind to first block online"),
                                                  ("first_to_last_online", "first to last block online")))
            out.append(f"**{rid}** ({r['ratio']:.2f}x; memctld {r['memctl']:.3f} s vs {other} {r['reference']:.3f} s, "
                       f"medians of {r['rounds']}). Phases from the uevent timestamps (medians, memctld's rounds vs "
                       f"{other}'s): {phases}. "
                       + ("The kernel onlines every block inside kmem's probe, before the bind uevent (hence the "
                          "negative phase), with no process, no uevent round trip and no sysfs write per block. "
                          "memctld reconciles at once on the bind uevent (no settle wait), but it only gets that "
                          "uevent after udev has handled the device's add uevent: udev runs the rules of the "
                          "same device one event at a time, and Debian 12's 90-daxctl-device.rules executes "
                          "`daxctl` on every dax add (~0.1-0.2 s per exec in this guest, see the B2 profile). "
                          "Then one scan and a sysfs write per block, which under TCG compete with udev handling "
                          "each block's uevent on the one host thread."
                          + (f" The experiment B1-{rid[3:]}-kuevents (memctld taking uevents from the kernel, not "
                             f"udev) gives {by[rid + '-kuevents']['ratio']:.2f}x, its last-bind-to-first-online "
                             f"phase {fmt(median([p['last_bind_to_first_online'] for p in by[rid + '-kuevents']['phases_s']['memctld'] if p]))} s "
                             f"instead of {fmt(med('memctld', 'last_bind_to_first_online'))} s: the difference is "
                             "the wait for udev."
                             if rid + "-kuevents" in by and by[rid + "-kuevents"].get("ratio") else "")
                          if other == "kernel" and '"movable"' not in r["measure"] else
                          issue17.b1_movable_text(r, fmt(med(other, "last_bind_to_first_online"))) if other == "kernel"
                          else "Both start from the same add uevent. daxctl's rule has systemd start "
                          "daxdev-reconfigure@ at the add, and daxctl unbinds device_dax, binds kmem and onlines "
                          "in one process. memctld waits for device_dax's bind uevent, which udev delivers only "
                          "after it has handled the add (including that rule, which still runs `daxctl "
                          "--check-config` in memctld's rounds and finds nothing to do), then scans, unbinds "
                          "device_dax and binds kmem through libdaxctl (a fresh context and enumeration per "
                          "call; the first call of a daemon's life also dlopen()s it) and onlines block by block. The "
                          "first-to-last-bind phase is that wait plus the reconfiguration. For 0.5x memctld would "
                          f"have to be done {r['reference'] * 0.5:.3f} s after the add; the onlining phases alone "
                          "take about the same as daxctl's, so the wait for udev and the driver change would have "
                          "to shrink to a small fraction of daxctl's, which a daemon that acts after udev cannot "
                          "reach while udev runs daxctl's own rule for the same device first."))
            out.append("")
        elif rid == "B8":
            out += [boot.b8_text(r), ""]
        elif rid.startswith("B7-"):
            out += [issue17.b7_time_goes(r), ""]
        elif rid.startswith("B5-guest"):
            out += [issue17.b5_guest_text(r), ""]
        elif rid.startswith("B4-") and rid.endswith("-rss"):
            top = r.get("rss_by_mapping_kib") or {}
            parts = ", ".join(f"{k} {v / 1024:.2f}" for k, v in list(top.items())[:6])
            out.append(f"**{rid}** ({r['memctl']:.2f} MiB{'' if r.get('met') else ', over the goal'}). Resident "
                       f"pages by mapping (MiB, /proc/PID/smaps): {parts}. Most of it is shared library pages "
                       "that other processes map too; libdaxctl, and libcrypto that libkmod brings with it "
                       "(1.4 MiB), are only loaded at memctld's first driver change (dlopen), so they are not "
                       "here.")
            out.append("")
        elif rid.startswith("B4-"):
            out.append(f"**{rid}** ({r['memctl']:.1f} context switches per minute with no events).")
            out.append("")
    if len(out) == 2:
        out.append("Every goal measured here is met.")
        out.append("")
    return out


def write_md(results, path, meta):
    load = (f"Load average {meta['loadavg_start'][0]:.1f} at the start and {meta['loadavg_end'][0]:.1f} at the "
            "end (the machine is shared; memctl and its reference alternate within each measure, so the load "
            "hits both).")
    guest = (f" Guest part: {meta['guest_seconds'] / 60:.1f} minutes." if meta.get("guest_seconds") else "")
    guest += issue17.header_notes(meta)
    for rr in meta.get("reruns", []):
        guest += (f" {rr['measures']} ran separately at {rr['time_utc']} UTC with `scripts/bench --only "
                  f"{rr['measures']}` ({rr['seconds'] / 60:.1f} minutes, load average {rr['loadavg'][0]:.1f}"
                  + (f", memctl at {rr['commit']}" if rr.get("commit") else "") + ").")
    lines = ["# memctl benchmarks", "",
             f"Machine: {meta['machine']}. Kernel: {meta['kernel']}. Date: {meta['date']} {meta['time_utc']} UTC"
             + (f", memctl at {meta['commit']}" if meta.get("commit") else "") + ". "
             f"Medians of {meta['runs']} alternating runs. {load}{guest} Raw numbers: `results.json`. "
             "Produced by `scripts/bench` (issue 7).", "",
             "Guest measures run in the lab's QEMU TCG guest (Debian's 6.12 kernel in the Debian 12 systemd image; "
             "rows marked 7.3: trixie-backports' 7.3 in the Debian 13 image; `tests/vm/`), which is 10-50x "
             "slower than hardware and runs both vCPUs on one host thread: their ratios, taken in the same guest, "
             "are what they are for, not their absolute times.", "",
             "| measure | memctl | reference | ratio | goal | met |", "|---|---|---|---|---|---|"]
    for r in results:
        ref = f"{fmt(r['reference'])} ({r['reference_name']})"
        unit = f" {r['unit']}" if r.get("unit") else ""
        extra = ""
        if "memctl_rss_kib" in r:
            extra = f"; RSS {r['memctl_rss_kib'] / 1024:.1f} MiB vs {r['reference_rss_kib'] / 1024:.1f} MiB"
        if "plan_s" in r:
            extra = f"; plan {r['plan_s']:.3f} s, RSS {r['status_rss_kib'] / 1024:.1f} MiB"
        if "rounds" in r and isinstance(r["rounds"], int):
            extra = f"; {r['rounds']} rounds"
        extra += f"; started {r['started_utc']} UTC, load {r['loadavg_start'][0]:.1f}" if "started_utc" in r else ""
        ratio = f"{r['ratio']:.2f}x" if r.get("ratio") is not None else "-"
        met = {True: "yes", False: "**no**", None: "-"}[r.get("met")]
        lines.append(f"| {r['id']}: {r['measure']}{extra} | {fmt(r['memctl'])}{unit} | {ref} | {ratio} | "
                     f"{r['goal']} | {met} |")
    lines += [""] + where_the_time_goes(results)
    with open(path, "w") as f:
        f.write("\n".join(lines))


GUEST_MEASURES = {  # in the order a full run takes them: issue 17's rows first, then the older comparisons
    "B1-hmem": (b1, ("hmem",)), "B1-hmem-7.3": (b1, ("hmem", False, "7.3")),
    "B1-cxl": (b1, ("cxl",)), "B1-cxl-7.3": (b1, ("cxl", False, "7.3")),
    "B2-8g": (b2, (8, "8g")), "B2-8g-7.3": (b2, (8, "8g-7.3", "7.3")),
    "B7-2g": (issue17.b7, (2, "2g")), "B7-2g-7.3": (issue17.b7, (2, "2g-7.3", "7.3")),
    "B2-32g": (b2, (32, "32g")), "B2-32g-7.3": (b2, (32, "32g-7.3", "7.3")),
    "B7-8g": (issue17.b7, (8, "8g")), "B7-8g-7.3": (issue17.b7, (8, "8g-7.3", "7.3")),
    "B8": (boot.b8, (3,)),
    "B1-pmem": (b1, ("pmem",)), "B1-hmem-takeover": (b1, ("hmem", False, "6.12", True)),
    "B1-hmem-takeover-7.3": (b1, ("hmem", False, "7.3", True)), "B1-hmem-kuevents": (b1, ("hmem", True)),
    "B2-2g": (b2, (2, "2g")),
}


def measure_of(rid):
    """The guest measure (GUEST_MEASURES key) a result row comes from: the longest key it equals or extends."""
    if rid.startswith(("B4-guest", "B5-guest")):
        return "B2-8g"  # measured in the 8 GiB guest
    keys = [k for k in GUEST_MEASURES if rid == k or rid.startswith(k + "-")]
    return max(keys, key=len) if keys else None


def rerun(a):
    """--only: run some guest measures again and put their rows in place of the old ones in results.json."""
    path = os.path.join(HERE, "results.json")
    old = json.load(open(path))
    results, meta = old["results"], old["meta"]
    for rid in a.only.split(","):
        if rid not in GUEST_MEASURES:
            sys.exit(f"bench: --only takes {', '.join(GUEST_MEASURES)}, not '{rid}'")
        fn, args = GUEST_MEASURES[rid]
        new = []
        t0 = time.perf_counter()
        guest(new, rid, fn, a.build, new, *args)
        pos = next((i for i, r in enumerate(results) if measure_of(r["id"]) == rid), None)
        if pos is None:  # a new measure: after the last row of its kind (B1, B2...)
            pos = max((i + 1 for i, r in enumerate(results) if r["id"][:3] == rid[:3]), default=len(results))
        results = [r for r in results if measure_of(r["id"]) != rid]
        results[pos:pos] = new
        meta.setdefault("reruns", []).append(
            {"measures": rid, "time_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%H:%M"),
             "commit": issue17.git_commit(),
             "seconds": time.perf_counter() - t0, "loadavg": os.getloadavg()})
    with open(path, "w") as f:
        json.dump({"meta": meta, "results": results}, f, indent=1)
    write_md(results, os.path.join(HERE, "results.md"), meta)
    print(open(os.path.join(HERE, "results.md")).read())


issue17.vm_run = vm_run
boot.vm_run, boot.GuestFailed = vm_run, GuestFailed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--idle-seconds", type=int, default=60)
    ap.add_argument("--quick", action="store_true", help="fewer sizes and runs (a smoke test)")
    ap.add_argument("--no-guest", action="store_true", help="host measures only")
    ap.add_argument("--guests", metavar="IDS", help="only these guest measures (comma-separated), in the usual order")
    ap.add_argument("--stop-at", metavar="HH:MM", help="start no guest measure after this time (UTC); the rest "
                    "is recorded as not run (the host measures, a few minutes, still run)")
    ap.add_argument("--only", metavar="IDS", help="run only these guest measures again (comma-separated: "
                    + ", ".join(GUEST_MEASURES) + ") and update bench/results.json and results.md in place")
    ap.add_argument("--b1-rounds", type=int, default=5, help="rounds of each way in B1 (default 5; its rounds "
                    "spread widely under TCG)")
    a = ap.parse_args()
    global B1_ROUNDS
    B1_ROUNDS = a.b1_rounds
    if a.only:
        return rerun(a)
    where = tempfile.mkdtemp(prefix="memctl-bench-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    results = []
    guest_s = None
    load0, start, skipped = os.getloadavg(), datetime.datetime.now(datetime.timezone.utc).strftime("%H:%M"), []
    commit = issue17.git_commit()
    sizes = [1024, 8192] if a.quick else [1024, 8192, 32768, 131072]
    runs = 2 if a.quick else a.runs
    try:
        # The guest measures first (issue 17's priorities), then the host ones.
        if not a.no_guest:
            guest_s = issue17.run_guests(GUEST_MEASURES, guest, a, results, skipped)
        # The host measures (a few minutes) always run: --stop-at is for the guests.
        b3(a.build, where, runs, results)
        b6(a.build, where, runs, results, sizes)
        b5(a.build, results)
        b4(a.build, where, 5 if a.quick else a.idle_seconds, results)
    finally:
        shutil.rmtree(where, ignore_errors=True)
    meta = {"machine": f"{platform.node()} ({os.cpu_count()} cores, {platform.machine()})",
            "kernel": platform.release(), "date": datetime.date.today().isoformat(), "runs": runs,
            "loadavg_start": load0, "loadavg_end": os.getloadavg(), "guest_seconds": guest_s,
            "time_utc": start, "end_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%H:%M"),
            "commit": commit,
            "not_run": skipped}
    out = HERE if not a.quick else tempfile.gettempdir()
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"meta": meta, "results": results}, f, indent=1)
    write_md(results, os.path.join(out, "results.md"), meta)
    print(open(os.path.join(out, "results.md")).read())


if __name__ == "__main__":
    main()
