#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""memctl status (and memctl online) render a partly placed device from memctld's GetStatus: each
stuck block with its zone and reason, then the fix (human), and the same data
unchanged in --json. A stand-in Varlink server answers with a fixture's
inventory and a device status as memctld sends it.

  status-stuck.py MEMCTL FIXTURE_ROOT
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading

FIX = ("the kernel onlined this memory into ZONE_NORMAL before memctl could place it, and kernel pages that "
       "cannot move have landed in these blocks, so they stay until a reboot; to have memctl place it, keep the "
       "kernel from onlining it at boot (memhp_default_state=offline on the kernel command line, or memctl's "
       "modprobe.d hook (memctld(8), \"The early hook\")) and reboot")


def serve(sock, replies):
    while True:
        try:
            conn, _ = sock.accept()
        except OSError:
            return
        buf = b""
        while b"\0" not in buf:
            chunk = conn.recv(65536)
            if not chunk:
                break
            buf += chunk
        method = json.loads(buf.split(b"\0")[0]).get("method", "")
        conn.sendall(json.dumps({"parameters": replies.get(method, {})}).encode() + b"\0")
        conn.close()


def main(memctl, fixture):
    inv = json.loads(subprocess.run([memctl, "--root", fixture, "status", "--json"], capture_output=True,
                                    text=True, check=True).stdout)["inventory"]
    dev = {
        "chardev": "dax0.0", "present": True, "rule": "soft-reserved", "action": "none",
        "desired_mode": "system-ram", "desired_zone": "movable", "mode": "system-ram", "held": False,
        "last_action": "online memory49 movable", "last_action_usec": 1, "last_result": "ok", "last_error": None,
        "partly_placed": True,
        "stuck_blocks": [
            {"block": "memory48", "index": 48, "zone": "normal", "reason": "unmovable page",
             "error": "Device or resource busy", "tries": 4},
            {"block": "memory53", "index": 53, "zone": "normal", "reason": None,
             "error": "Device or resource busy", "tries": 4},
        ],
        "stuck_fix": FIX,
    }
    reply = {"inventory": inv, "daemon": {"policy": "/etc/memctl/memctl.conf", "policy_valid": True, "rules": 3,
                                          "reconciles": 7, "uevents": 40, "kernel_auto_online": "takeover"},
             "devices": [dev]}
    failures = []
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "io.memctl")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(path)
        sock.listen(4)
        online = {"stuck": "memory48 (Normal: unmovable page), memory53 (Normal: busy)", "stuck_fix": FIX}
        threading.Thread(target=serve, args=(sock, {"io.memctl.GetStatus": reply, "io.memctl.Online": online}),
                         daemon=True).start()
        env = dict(os.environ, MEMCTL_SOCKET=path)
        env.pop("MEMCTL_SYSFS_ROOT", None)
        human = subprocess.run([memctl, "status"], capture_output=True, text=True, env=env).stdout
        js = subprocess.run([memctl, "status", "--json"], capture_output=True, text=True, env=env).stdout
        on = subprocess.run([memctl, "online", "dax0.0"], capture_output=True, text=True, env=env)
        sock.close()
    print(human)
    for want in ["partly placed",
                 "dax0.0: partly placed: 2 memory blocks would not go offline and stay where they are:",
                 "memory48     normal   unmovable page (4 tries)",
                 "memory53     normal   Device or resource busy (4 tries)",
                 "memhp_default_state=offline", "memctld(8), \"The early hook\""]:
        if want not in human:
            failures.append(f"human output lacks {want!r}")
    print(on.stdout)
    if on.returncode != 0 or "dax0.0: online, partly placed: these blocks would not go offline and stay where " \
            "they are: memory48 (Normal: unmovable page), memory53 (Normal: busy)" not in on.stdout \
            or "memhp_default_state=offline" not in on.stdout:
        failures.append("memctl online does not say which blocks stay")
    try:
        got = json.loads(js)["devices"][0]
        if got.get("stuck_blocks") != dev["stuck_blocks"] or got.get("stuck_fix") != FIX:
            failures.append("--json does not carry stuck_blocks / stuck_fix unchanged")
    except (ValueError, KeyError, IndexError) as e:
        failures.append(f"--json: {e}")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
