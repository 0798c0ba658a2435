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
    """Guest: memctl reset-prepare vs the raw loop (total time, and per round its phases: memctld's debug log,
    the raw loop's offline and unbind + bind parts, memctl's process start), and the --dry-run forecast's time."""
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
                    "raw_loop_rounds_ns": [r["raw"] for r in d["rounds"]], "blocks": d["blocks"],
                    "prepare_log": prepare_log(out, len(d["rounds"])),
                    **b7_round_phases(out, d["rounds"])})
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


def b7_round_phases(out, rounds):
    """The row's per-round phases (seconds; None where not measured): "phases_s" memctl's (memctld's debug log),
    "raw_phases_s" the raw loop's (its offline and unbind + bind parts; memctld's scans meanwhile), and
    "start_memctl_s" / "start_true_s" the medians of 3 timed `memctl --version` / `/bin/true` (process start,
    with the clock's own forks)."""
    lines = journal_lines(os.path.join(out, "memctld-debug.txt"))
    phases, raws = [], []
    for i, r in enumerate(rounds, 1):
        phases.append(prepare_phases(journal_window(lines, i, "prepare")))
        win = journal_window(lines, i, "raw")
        scans = [ms for _, tag, msg in win or [] if tag == "memctld" for ms in scan_ms(msg)]
        raws.append({"offline": ns_s(r.get("raw_offline")), "driver": ns_s(r.get("raw_driver")),
                     "memctld_scans": len(scans) if win else None,
                     "memctld_scan_s": sum(scans) / 1000 if win else None})
    return {"phases_s": phases, "raw_phases_s": raws,
            "start_memctl_s": [ns_s(statistics.median(r["start_memctl"])) if r.get("start_memctl") else None
                               for r in rounds],
            "start_true_s": [ns_s(statistics.median(r["start_true"])) if r.get("start_true") else None
                             for r in rounds]}


def ns_s(ns):
    return ns / 1e9 if ns is not None else None


def journal_lines(path):
    """(monotonic seconds, tag, message) of each line of `journalctl -o short-monotonic`; [] without the file."""
    if not os.path.exists(path):
        return []
    out = []
    for line in open(path, errors="replace"):
        m = re.match(r"\[\s*([0-9]+\.[0-9]+)\] \S+ ([^\s\[:]+)(?:\[\d+\])?: (.*)", line.rstrip("\n"))
        if m:
            out.append((float(m.group(1)), m.group(2), m.group(3)))
    return out


def journal_window(lines, rnd, what):
    """The lines from the scenario's `round RND WHAT start` marker to its `end` marker, both included; None
    when a marker is missing."""
    start = end = None
    for i, (_, tag, msg) in enumerate(lines):
        if tag == "bench" and msg == f"round {rnd} {what} start":
            start = i
        elif tag == "bench" and msg == f"round {rnd} {what} end" and start is not None:
            end = i
            break
    return lines[start:end + 1] if end is not None else None


def scan_ms(msg):
    """[ms] of a memctld scan line ("scan: N blocks, M dax devices in X ms"), else []."""
    m = re.match(r"scan: \d+ blocks, \d+ dax devices in ([0-9.]+) ms", msg)
    return [float(m.group(1))] if m else []


def prepare_phases(win):
    """One memctl reset-prepare from memctld's debug log (journal timestamps, s; None without its lines):
    to_started  start marker -> "reset-prepare DEV: started" (memctl's start and call, the marker's own exit)
    plan        "started" -> the reset's "reset-prepare DEV: DEV (memdevs)" line (the scan, target, rules)
    scan        the reset's scan, its own time in that line
    hooks       -> the last "hook" line (0: no hook ran)
    offline     -> the first "libdaxctl:" line: the hold and every block offline (7.3: the state write,
                state_write its own time in its line, else None)
    driver      -> "... offline and removed": kmem unbind + device_dax bind through libdaxctl, read back;
                unbind, bind: its two parts, split at libdaxctl's "DEV: disabled" (None without that line)
    daemon      "started" -> "offline and removed"; to_end: that -> the end marker (reply, exit, marker)
    scans_during, scans_after  memctld's other scans (ms each) before "offline and removed" and after it (its
                reconciles on the uevents, once the reset lets them run: while the reply goes out)"""
    if not win:
        return None
    t = {}
    scans, hooks = [], []
    for ts, tag, msg in win[1:-1]:
        if tag != "memctld":
            continue
        if msg.startswith("reset-prepare ") and msg.endswith(": started"):
            t.setdefault("started", ts)
        elif "started" in t and "plan" not in t and re.match(r"reset-prepare \S+: \S.* \(.*\)$", msg):
            t["plan"] = ts
        elif msg.startswith("hook ") and "plan" in t:
            hooks.append(ts)
        elif msg.startswith("libdaxctl:") and "plan" in t:
            t.setdefault("libdaxctl", ts)
            if msg.endswith(": disabled"):
                t.setdefault("disabled", ts)
        elif "offline and removed" in msg and msg.startswith("reset-prepare "):
            t["done"] = ts
        scans += [(ts, ms) for ms in scan_ms(msg)]
        m = re.search(r"/state = \S+: memory\d+-\d+ in ([0-9.]+) ms", msg)
        if m and "plan" in t:
            t.setdefault("state_write", float(m.group(1)) / 1000)
    if not {"started", "plan", "done"} <= t.keys():
        return None
    own = [ms for ts, ms in scans if t["started"] - 0.5 <= ts <= t["plan"]][-1:]
    after_hooks = hooks[-1] if hooks else t["plan"]
    drv = t.get("libdaxctl", t["done"])
    return {"to_started": t["started"] - win[0][0], "plan": t["plan"] - t["started"],
            "scan": own[0] / 1000 if own else None, "hooks": after_hooks - t["plan"], "offline": drv - after_hooks,
            "driver": t["done"] - drv if "libdaxctl" in t else None, "daemon": t["done"] - t["started"],
            "unbind": t["disabled"] - drv if "disabled" in t else None,
            "bind": t["done"] - t["disabled"] if "disabled" in t else None, "hooks_run": len(hooks),
            "state_write": t.get("state_write"),
            "to_end": win[-1][0] - t["done"],
            "scans_during": [ms for ts, ms in scans if t["plan"] < ts <= t["done"]],
            "scans_after": [ms for ts, ms in scans if ts > t["done"]]}


def med_ms(values):
    """Median in ms of the values that were measured (seconds), or None."""
    v = [x for x in values if x is not None]
    return statistics.median(v) * 1000 if v else None


def b7_split(r):
    """A B7 row's phases as medians over its rounds (ms): memctld's (plan, scan, hooks, offline, driver, unbind,
    bind, daemon), memctl's time outside memctld ("outside": total - daemon; "call": what is left of it after the
    timed `memctl --version`, "start"), the raw loop's parts and its time outside them ("raw_outside"), and
    memctld's scans; None without memctld's debug log."""
    ph = [p for p in r.get("phases_s") or [] if p]
    if not ph:
        return None
    n = r["rounds"]
    raws = r.get("raw_phases_s") or [{}] * n
    starts = r.get("start_memctl_s") or [None] * n
    outside, call, raw_outside = [], [], []
    for i, p in enumerate(r["phases_s"]):
        if p:
            outside.append(r["raw_rounds_ns"][i] / 1e9 - p["daemon"])
            if starts[i] is not None:
                call.append(outside[-1] - starts[i])
        if raws[i].get("offline") is not None:
            raw_outside.append(r["raw_loop_rounds_ns"][i] / 1e9 - raws[i]["offline"] - raws[i]["driver"])
    s = {k: med_ms(p.get(k) for p in ph) for k in ("plan", "scan", "hooks", "offline", "state_write", "driver",
                                                   "unbind", "bind", "daemon")}
    raw_off = [x["offline"] for x in raws if x.get("offline") is not None]
    s.update(start=med_ms(starts), true=med_ms(r.get("start_true_s") or []), outside=med_ms(outside),
             call=med_ms(call), raw_outside=med_ms(raw_outside), raw_offline=med_ms(raw_off),
             raw_driver=med_ms(x.get("driver") for x in raws), hooks_run=sum(p.get("hooks_run", 0) for p in ph),
             raw_scans=[x.get("memctld_scans") for x in raws],
             raw_scan_ms=med_ms(x.get("memctld_scan_s") for x in raws),
             scans_during=[len(p["scans_during"]) for p in ph], scans_after=[len(p["scans_after"]) for p in ph],
             scans_after_ms=med_ms(sum(p["scans_after"]) / 1000 for p in ph),
             offline_range=[min(p["offline"] for p in ph), max(p["offline"] for p in ph)],
             raw_offline_range=[min(raw_off), max(raw_off)] if raw_off else None)
    return s


def ms(v):
    return f"{v:.0f}" if v is not None else "-"


def b7_gap(r):
    """The gap between memctl and the raw loop by phase, per round (where both do the same work the
    difference, where only memctl does something its time), which add up to that round's gap exactly; returns
    their means over the rounds that have every phase (ms; means add up, medians would not), and how many
    rounds that is, or None."""
    rows = []
    for i, p in enumerate(r.get("phases_s") or []):
        raw = (r.get("raw_phases_s") or [{}] * r["rounds"])[i]
        if not p or raw.get("offline") is None:
            continue
        t, t_raw = r["raw_rounds_ns"][i] / 1e9, r["raw_loop_rounds_ns"][i] / 1e9
        driver = p["driver"] or 0.0  # no libdaxctl line: the offline phase ran to the end
        rows.append({"outside memctld": (t - p["daemon"]) - (t_raw - raw["offline"] - raw["driver"]),
                     "plan": p["plan"], "hooks": p["hooks"], "offline": p["offline"] - raw["offline"],
                     "unbind/bind": driver - raw["driver"]})
    if not rows:
        return None
    return {k: statistics.mean(x[k] for x in rows) * 1000 for k in rows[0]}, len(rows)


def b7_time_goes(r):
    """One paragraph for a B7 row that missed its goal: where memctl's time goes, from the phases measured in
    the same guest (memctld's debug log, the raw loop's two parts, process start), medians in ms."""
    gap = (r["seconds"] - r["raw_seconds"]) * 1000
    head = (f"**{r['id']}** ({r['ratio']:.2f}x; memctl {r['seconds']:.3f} s vs raw {r['raw_seconds']:.3f} s, "
            f"medians of {r['rounds']}, a gap of {gap:.0f} ms). Both migrate the same data off the same blocks "
            "and end with the device on device_dax. ")
    s = b7_split(r)
    if not s:
        start = med_ms(r.get("start_memctl_s") or [])
        return head + ("This run has no phase breakdown of reset-prepare (memctld's debug log was not on in this "
                       "guest, or its lines are missing); what memctl does beyond the loop is one process start "
                       + (f"({start:.0f} ms for `memctl --version` in this guest), " if start else
                          "(see the B2 profile for its cost in this guest), ")
                       + "a scan, the hooks, a read-back per block and the hold file, and a backoff between tries "
                       "where the loop writes again at once. Which of these makes the gap is not measured.")
    return head + b7_memctl_text(r, s) + b7_raw_text(r, s) + b7_offline_text(s) + b7_scans_text(s)


def b7_memctl_text(r, s):
    """memctl's total by phase: memctld's span (debug log) and the time outside it (process, call, reply)."""
    hooks = f"hooks {ms(s['hooks'])}" if s["hooks_run"] else "no hook ran"
    state = f" (of it the one daxX.Y/state write {ms(s['state_write'])})" if s["state_write"] is not None else ""
    split = (f" (unbind {ms(s['unbind'])}, bind {ms(s['bind'])}; libdaxctl makes a fresh context and enumerates "
             "the dax regions for each, its lines in the log)" if s["unbind"] is not None else "")
    true = f"; `/bin/true` timed the same way {ms(s['true'])}" if s["true"] is not None else ""
    out = (f"the process as timed alone (`memctl --version` {ms(s['start'])}{true}) and the remaining "
           f"{ms(s['call'])}, the Varlink connect, call and reply and what else the guest ran meanwhile, not split "
           "further" if s["start"] is not None else
           "process start, the Varlink connect, call and reply, not split in this run")
    return ("Measured per round (medians, ms; memctld's debug log timed by the journal, the raw loop split by "
            "CLOCK_MONOTONIC read without a fork). memctl: memctld's span from the call's start to the end of "
            f"reset-prepare {ms(s['daemon'])}: the plan {ms(s['plan'])} (its scan {ms(s['scan'])}), {hooks}, the "
            f"hold and the offline of the {r.get('blocks', '')} blocks {ms(s['offline'])}{state}, kmem unbind + "
            f"device_dax bind through libdaxctl {ms(s['driver'])}{split}; and outside memctld "
            f"{ms(s['outside'])}: {out}. ")


def b7_raw_text(r, s):
    """The raw loop's parts, and the gap as the sum of the phases' differences (means over the rounds)."""
    if s["raw_offline"] is None:
        return "The raw loop's parts were not timed in this run. "
    text = (f"The raw loop: offline {ms(s['raw_offline'])}, its two driver writes {ms(s['raw_driver'])}, outside "
            f"them {ms(s['raw_outside'])} (the clock's own forks and what else the guest ran meanwhile). ")
    g = b7_gap(r)
    if not g:
        return text
    g, n = g
    return text + (f"Per round these phases add up to that round's gap; their means over {n} rounds: "
                   f"{' + '.join(f'{k} {v:.0f}' for k, v in g.items())} = {sum(g.values()):.0f} ms, the mean gap "
                   f"(the medians' gap: {(r['seconds'] - r['raw_seconds']) * 1000:.0f} ms); the largest part: "
                   f"{max(g, key=lambda k: g[k])}. ")


def b7_offline_text(s):
    """The offline phase against the raw loop's: inside or outside the rounds' spread."""
    lo, hi = s["offline_range"]
    if not s["raw_offline_range"]:
        return ""
    rlo, rhi = s["raw_offline_range"]
    overlap = lo <= rhi and rlo <= hi
    return (f"The offline took {lo:.3f}-{hi:.3f} s in memctl's rounds and {rlo:.3f}-{rhi:.3f} s in the raw loop's: "
            + ("the ranges overlap, so this run cannot tell a difference of memctl's own from the round-to-round "
               "spread of the kernel's migration of the same data. " if overlap else "the ranges do not overlap. ")
            + "memctl's per-block work (a deadline timer around the write, a read-back, an undo entry, a wake-up "
            "of memctld's main loop for the progress, and a backoff of 50 ms, doubling, where a block says EBUSY "
            "and the loop writes again at once) is inside this phase and not timed apart by the log.")


def b7_scans_text(s):
    """memctld's scans on the uevents: around memctl's own reset-prepare (the reset's worker holds the kernel
    ops; the uevents' reconciles come after its end) and while the raw loop ran (it ignores the device, yet
    scans)."""
    text = (f" During memctl's reset-prepare memctld scanned {s['scans_during']} times per round besides the "
            f"reset's own scan, and after its end, before the scenario's end marker, {s['scans_after']} times "
            f"({ms(s['scans_after_ms'])} ms in all, median per round): CPU taken while memctl's reply and exit ran, "
            "so some of it may be in the remaining time above.")
    if None in s["raw_scans"]:
        return text
    return (text + f" While the raw loop ran, memctld (it ignores the device, but scans on the uevents) scanned "
            f"{s['raw_scans']} times per round, {ms(s['raw_scan_ms'])} ms in all (median per round), CPU the loop "
            "shares on the guest's one host thread.")


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
