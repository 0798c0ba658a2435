# SPDX-License-Identifier: LGPL-2.1-or-later
"""B2's profiled memctl call, split on one clock (tests/vm/scenarios/bench-throughput): the client's start and
end (profile.json "online_at_ns", "offline_at_ns"), memctld's log lines of the operation's start and end
(memctld-debug-unix.txt, journalctl -o short-unix), and how long udev still works on the uevents of a reference
write after the write returned (profile.json "udev_after_*_ns")."""
import os
import re
import statistics


def call_phases(out, prof):
    """{"online": {...}, "offline": {...}} in ms: client start to memctld's "started", the operation ("started" to
    its "... by hand" line), and the operation's end to the client's exit."""
    path = os.path.join(out, "memctld-debug-unix.txt")
    if not os.path.exists(path):
        return {}
    lines = []
    for line in open(path, errors="replace"):
        m = re.match(r"([0-9]+\.[0-9]+) \S+ (\S+?)(?:\[\d+\])?: (.*)", line)
        if m:
            lines.append((float(m.group(1)), m.group(2), m.group(3)))
    phases = {}
    for op in ("online", "offline"):
        at = prof.get(f"{op}_at_ns")
        if not at:
            continue
        t0, t1 = at[0] / 1e9, at[1] / 1e9
        inside = [(t, text) for t, tag, text in lines if tag == "memctld" and t0 <= t <= t1 + 0.001]
        start = next((t for t, text in inside if re.match(rf"{op} \S+: started", text)), None)
        done = next((t for t, text in inside if f"{op} by hand" in text), None)
        if start is None or done is None:
            continue
        phases[op] = {"call_to_start_ms": (start - t0) * 1e3, "operation_ms": (done - start) * 1e3,
                      "end_to_exit_ms": (t1 - done) * 1e3, "total_ms": (t1 - t0) * 1e3}
    return phases


def call_text(prof, op):
    """One or two sentences for a B2 row of op ("online"/"offline") that missed its goal."""
    ph = (prof.get("call_phases") or {}).get(op)
    udev = prof.get(f"udev_after_{op}_ns")
    text = ""
    if ph:
        start = statistics.median(prof["start_memctl_ns"]) / 1e6
        text += (f"The profiled `memctl {op}` ({ph['total_ms']:.0f} ms, client clock against memctld's journal "
                 f"stamps): {ph['call_to_start_ms']:.0f} ms from the client's start to memctld starting the "
                 f"operation (process start alone about {start:.0f} ms), {ph['operation_ms']:.0f} ms the operation "
                 f"(scan and kernel writes), {ph['end_to_exit_ms']:.0f} ms from its end to the client's exit "
                 "(the reply, the client's output and exit).")
    if udev:
        u = statistics.median(udev) / 1e6
        text += (f" After a reference write returns, udev still needs {u:.0f} ms (median of {len(udev)}: the "
                 "write, then `udevadm settle`) to handle the uevents it caused; the reference's clock has "
                 "stopped by then, memctl's has not, and on the guest's one host thread udev's work and "
                 "memctl's reply take turns.")
    return text.strip()
