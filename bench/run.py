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
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

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
        import math
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
                    "ratio": rss / 1024.0 / 4.0, "goal": "<= 4 MiB", "met": rss <= 4096, "rss_anon_kib": anon})


def b5(build, results):
    exe = os.path.join(build, "bench", "bench-storm")
    out = subprocess.run([exe], capture_output=True, text=True, check=True).stdout
    data = json.loads(out)
    results.append({"id": "B5-sim", "measure": f"{data['uevents']} memory uevents in {data['seconds']:.3f} s "
                                               "(sim manager): reconciles", "memctl": data["reconciles"],
                    "reference": 3, "reference_name": "goal", "unit": "", "ratio": None, "goal": "<= 3",
                    "met": data["reconciles"] <= 3})


def b2(build, results):
    """Guest: online/offline of a 2 GiB hmem device, raw loop vs daxctl vs memctl (tests/vm)."""
    run = os.path.join(TOP, "tests", "vm", "run")
    env = dict(os.environ, MEMCTL_BUILD_DIR=build)
    subprocess.run([run, "--kernel", "6.12", "--memory", "hmem", "--guest", "systemd", "--quiet-progress",
                    "--name", "bench-b2", "bench-throughput"], check=True, env=env, stdout=subprocess.DEVNULL)
    logdir = env.get("MEMCTL_VM_LOGDIR", os.path.join(build, "vm-logs"))
    d = json.load(open(os.path.join(logdir, "bench-b2", "out", "b2.json")))
    med = {k: statistics.median(r[k] for r in d["rounds"]) / 1e9 for k in d["rounds"][0]}
    size = d["blocks"] * 128 / 1024
    for op in ("online", "offline"):
        for tool in ("memctl", "daxctl"):
            t, raw = med[f"{tool}_{op}"], med[f"raw_{op}"]
            results.append({"id": f"B2-{tool}-{op}", "measure": f"guest 6.12 (TCG): {tool} {op} of {size:g} GiB "
                                                              f"({d['blocks']} blocks), throughput",
                            "memctl": size / t, "reference": size / raw, "reference_name": "raw sysfs loop",
                            "unit": "GiB/s", "ratio": raw / t, "goal": ">= 0.95x" if tool == "memctl" else "-",
                            "met": (raw / t >= 0.95) if tool == "memctl" else None,
                            "raw_rounds_ns": [r[f"{tool}_{op}"] for r in d["rounds"]]})


def write_md(results, path, meta):
    lines = ["# memctl benchmarks", "",
             f"Machine: {meta['machine']}. Kernel: {meta['kernel']}. Date: {meta['date']}. "
             f"Medians of {meta['runs']} alternating runs. Raw numbers: `results.json`.", "",
             "| measure | memctl | reference | ratio | goal | met |", "|---|---|---|---|---|---|"]
    for r in results:
        def fmt(v):
            if v is None:
                return "-"
            if isinstance(v, float):
                return f"{v:.3f}"
            return str(v)
        ref = f"{fmt(r['reference'])} ({r['reference_name']})"
        unit = f" {r['unit']}" if r.get("unit") else ""
        extra = ""
        if "memctl_rss_kib" in r:
            extra = f"; RSS {r['memctl_rss_kib'] / 1024:.1f} MiB vs {r['reference_rss_kib'] / 1024:.1f} MiB"
        if "plan_s" in r:
            extra = f"; plan {r['plan_s']:.3f} s, RSS {r['status_rss_kib'] / 1024:.1f} MiB"
        ratio = f"{r['ratio']:.2f}x" if r.get("ratio") is not None else "-"
        met = {True: "yes", False: "**no**", None: "-"}[r.get("met")]
        lines.append(f"| {r['id']}: {r['measure']}{extra} | {fmt(r['memctl'])}{unit} | {ref} | {ratio} | "
                     f"{r['goal']} | {met} |")
    lines += ["", "Not yet measured: B1 (hotplug-to-online latency against daxctl's udev path and the "
              "kernel's auto-online) and B4/B5 inside a guest. The B2 guest numbers come from one TCG guest "
              "(about 10-50x slower than hardware); memctl's ratio to the raw loop is what they are for.", ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--idle-seconds", type=int, default=60)
    ap.add_argument("--quick", action="store_true", help="fewer sizes and runs (a smoke test)")
    ap.add_argument("--no-guest", action="store_true", help="host measures only")
    a = ap.parse_args()
    where = tempfile.mkdtemp(prefix="memctl-bench-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    results = []
    try:
        sizes = [1024, 8192] if a.quick else [1024, 8192, 32768, 131072]
        runs = 2 if a.quick else a.runs
        b3(a.build, where, runs, results)
        b6(a.build, where, runs, results, sizes)
        b5(a.build, results)
        b4(a.build, where, 5 if a.quick else a.idle_seconds, results)
        if not a.no_guest:
            b2(a.build, results)
    finally:
        shutil.rmtree(where, ignore_errors=True)
    meta = {"machine": f"{platform.node()} ({os.cpu_count()} cores, {platform.machine()})",
            "kernel": platform.release(), "date": datetime.date.today().isoformat(), "runs": a.runs}
    out = HERE if not a.quick else tempfile.gettempdir()
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"meta": meta, "results": results}, f, indent=1)
    write_md(results, os.path.join(out, "results.md"), meta)
    print(open(os.path.join(out, "results.md")).read())


if __name__ == "__main__":
    main()
