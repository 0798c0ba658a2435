# SPDX-License-Identifier: LGPL-2.1-or-later
"""Issue 17's parts of bench/run.py: B7 (reset-prepare of the hmem device with half of it in use, memctl vs a
raw offline loop plus unbind, and the --dry-run forecast's time: tests/vm/scenarios/bench-reset), the B1 text
for kernel_auto_online = "movable", and which guest measures a run takes (--guests, --stop-at)."""
import datetime
import time
import json
import os
import re
import statistics
import subprocess

vm_run = None  # run.py's, set by run.py (it is __main__ there: importing it back would duplicate its classes)


def b7(build, results, node1_gib, label, kernel="6.12"):
    # half of the device is migrated into node 0: 4 GiB of it needs more than node 0's default 4 GiB
    node0 = ["--node0-size", str(max(4, node1_gib))] if node1_gib > 4 else []
    out = vm_run(build, "bench-reset", f"bench-b7-{label}", "--memory", "hmem", "--node1-size", str(node1_gib),
                 *node0, kernel=kernel)
    d = json.load(open(os.path.join(out, "b7.json")))
    m = statistics.median(r["memctl"] for r in d["rounds"]) / 1e9
    raw = statistics.median(r["raw"] for r in d["rounds"]) / 1e9
    fc = statistics.median(r["forecast"] for r in d["rounds"]) / 1e9
    size = d["blocks"] * 128 / 1024
    where = f"guest {kernel} (TCG): hmem {size:g} GiB ({d['blocks']} blocks), {d['in_use_mib']} MiB in use"
    results.append({"id": f"B7-{label}", "kernel": d.get("kernel"),
                    "measure": f"{where}: memctl reset-prepare (offline, kmem unbound, device_dax), throughput",
                    "memctl": size / m, "reference": size / raw, "unit": "GiB/s",
                    "reference_name": "raw offline loop + kmem unbind + device_dax bind", "ratio": raw / m,
                    "goal": ">= 0.95x", "met": raw / m >= 0.95, "seconds": m, "raw_seconds": raw,
                    "rounds": len(d["rounds"]), "raw_rounds_ns": [r["memctl"] for r in d["rounds"]],
                    "raw_loop_rounds_ns": [r["raw"] for r in d["rounds"]],
                    "prepare_log": prepare_log(out, len(d["rounds"]))})
    results.append({"id": f"B7-{label}-forecast", "kernel": d.get("kernel"),
                    "measure": f"{where}: memctl reset-prepare --dry-run (forecast) time, against reset-prepare's",
                    "memctl": fc, "reference": m, "reference_name": "memctl reset-prepare", "unit": "s",
                    "ratio": fc / m, "goal": "-", "met": None, "rounds": len(d["rounds"]),
                    "raw_memctl_ns": [r["forecast"] for r in d["rounds"]]})


def prepare_log(out, rounds):
    """What memctl reset-prepare printed in each round (its last lines), for where the time goes."""
    logs = []
    for i in range(1, rounds + 1):
        p = os.path.join(out, f"prepare-{i}.txt")
        if os.path.exists(p):
            logs.append(open(p, errors="replace").read()[-400:])
    return logs


def b7_time_goes(r):
    """One paragraph for a B7 row that missed its goal: what was measured (no phase breakdown yet)."""
    gap = (r["seconds"] - r["raw_seconds"]) * 1000
    tries = [len(re.findall(r"tr(?:y|ies)", log)) for log in r.get("prepare_log", [])]
    return (f"**{r['id']}** ({r['ratio']:.2f}x; memctl {r['seconds']:.3f} s vs raw {r['raw_seconds']:.3f} s, "
            f"medians of {r['rounds']}, a gap of {gap:.0f} ms). Both migrate the same data off the same blocks "
            "and end with the device on device_dax. This run has no phase breakdown of reset-prepare (memctld's "
            "debug log was not on in this guest); what memctl does beyond the loop is one process start (see the "
            "B2 profile for its cost in this guest), a scan, the hooks, a read-back per block and the hold file, "
            "and a backoff between tries where the loop writes again at once (mentions of tries in memctl's "
            f"output per round: {tries}). Which of these makes the gap is not measured.")


def b1_movable_text(r, other_phase):
    """Where B1's time goes when memctld ran with kernel_auto_online = "movable" (it onlines nothing itself)."""
    mine = [p["last_bind_to_first_online"] for p in r.get("phases_s", {}).get("memctld", []) if p]
    mine = statistics.median(mine) if mine else None
    inside = mine is not None and mine < 0
    return ("memctld ran with kernel_auto_online = \"movable\" (auto_online_blocks online_movable). "
            + (f"In memctld's rounds the first block was online {-mine:.3f} s before the bind uevent (median), "
               "i.e. inside kmem's probe, as in the kernel's rounds "
               f"({other_phase} s): memctld wrote no block; the two ways differ only in what else ran on the "
               "guest's one host thread meanwhile (memctld's scan on the uevents, udev) and round-to-round noise. "
               + spread_text(r)
               if inside else
               f"Yet in memctld's rounds the first block came online {mine} s after the bind uevent (median; the "
               f"kernel's: {other_phase} s): the kernel did not online it in the probe in those rounds."))


def spread_text(r):
    """The rounds' range of each way: how far a median of this many rounds can be trusted."""
    m = [x / 1e6 for x in r.get("raw_memctl_us") or []]
    o = [x / 1e6 for x in r.get("raw_reference_us") or []]
    if not m or not o:
        return ""
    return (f"Over its {len(m)} rounds memctld took {min(m):.3f}-{max(m):.3f} s and the kernel alone "
            f"{min(o):.3f}-{max(o):.3f} s: the kernel's own rounds spread by {(max(o) - min(o)) / statistics.median(o):.0%} "
            "of its median, so a difference of 5% between medians of so few rounds is within the noise of this "
            "guest (`scripts/bench --b1-rounds N` takes more).")


def pick(guest_measures, ids):
    """The guest measures to run, in GUEST_MEASURES order; ids: comma-separated or None (all)."""
    want = list(guest_measures) if not ids else ids.split(",")
    for rid in want:
        if rid not in guest_measures:
            raise SystemExit(f"bench: --guests takes {', '.join(guest_measures)}, not '{rid}'")
    return [rid for rid in guest_measures if rid in want]


def too_late(stop_at):
    """Whether it is past stop_at (HH:MM UTC, today): no new measure starts then."""
    if not stop_at:
        return False
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%H:%M")
    return now >= stop_at


def run_guests(guest_measures, guest, a, results, skipped):
    """Run the guest measures a (--guests, --stop-at) asks for; returns the seconds they took."""
    t0 = time.perf_counter()
    for rid in pick(guest_measures, a.guests):
        if too_late(a.stop_at):
            skipped.append(rid)
            continue
        fn, args = guest_measures[rid]
        guest(results, rid, fn, a.build, results, *args)
    return time.perf_counter() - t0


def header_notes(meta):
    """results.md's header: when the run ended, what it did not run, and each guest's start and load."""
    notes = f" The run started at {meta['time_utc']} and ended at {meta['end_utc']} UTC." if meta.get("end_utc") else ""
    if meta.get("not_run"):
        notes += (f" Not run (the time given to the run, --stop-at, was over): {', '.join(meta['not_run'])}; "
                  "those rows are missing.")
    return notes + " Each guest row says when its guest started and the load average then."


def b2_state_text(r, prof=None):
    """A 7.3 B2 row that missed its goal: memctl vs one daxX.Y/state write, split by the guest's profile."""
    gap = (r["seconds"] - r["raw_seconds"]) * 1000
    text = (f"**{r['id']}** ({r['ratio']:.2f}x; memctl {r['seconds']:.3f} s vs one state write "
            f"{r['raw_seconds']:.3f} s, a gap of {gap:.0f} ms). memctl makes the same single write to daxX.Y/state "
            "(policy/plan-state.c), so the gap is what it does around it: ")
    dbg = (prof or {}).get("debug_log") or {}
    if not prof or not dbg.get("scan_ms"):
        return text + ("one process start (about 0.1 s in the 6.12 guest's B2 profile), the Varlink call and "
                       "memctld's scan; this guest was not profiled, so the split between them is not measured.")
    start = statistics.median(prof["start_memctl_ns"]) / 1e6
    true = statistics.median(prof["start_true_ns"]) / 1e6
    scans = dbg["scan_ms"]
    state = dbg.get("state_write_ms") or []
    rest = gap - start - sum(scans)
    return text + (f"starting `memctl` costs {start:.0f} ms in this guest (`/bin/true`: {true:.0f} ms); memctld's "
                   f"debug log of one profiled online shows {len(scans)} inventory scan(s) of "
                   f"{', '.join(f'{x:.0f}' for x in scans)} ms and the state write itself "
                   f"{', '.join(f'{x:.0f}' for x in state) or '-'} ms (the kernel's work, as in the reference). "
                   f"Process start and scans account for {start + sum(scans):.0f} of the {gap:.0f} ms; the "
                   f"remaining {rest:.0f} ms are the Varlink round trip and memctld's end of the call (the worker "
                   "thread's end, the journal entry, the hold file) and, on the guest's one host thread, udev "
                   "handling the uevents of every block the write added or removed, which the reference's clock "
                   "does not wait for: its shell returns as soon as the kernel's write does"
                   + ("; the profiled call below splits them." if (prof.get("call_phases") or {}) else
                      " (not split in this run).")
                   + " On hardware process start is about 1 ms and udev runs on another CPU.")


def git_commit():
    """The commit memctl was built from (the work tree's HEAD; "+" when it has changes)."""
    try:
        head = subprocess.run(["git", "-C", os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True).stdout.strip()
        return head + ("+" if dirty else "") if head else None
    except OSError:
        return None


def b5_guest_text(r):
    """A guest storm that took more reconciles than the goal: how long it lasted against the debounce's cap."""
    import re
    m = re.search(r"onlined by a raw loop in ([0-9.]+) s", r["measure"])
    secs = float(m.group(1)) if m else None
    return (f"**{r['id']}** ({r['memctl']} reconciles, goal <= 3). memctld debounces uevents: it reconciles "
            "200 ms (settle) after the last one, and during a storm that does not stop at least every 5 settle "
            "periods (1 s), so that a long storm cannot postpone the policy forever. "
            + (f"This storm lasted {secs:.2f} s in the TCG guest, about {secs:.0f} such periods: "
               f"{r['memctl']} reconciles is the cap working as designed, not one per uevent "
               "(B5-sim: 1000 uevents arriving at once, 1 reconcile)." if secs else ""))
