# SPDX-License-Identifier: LGPL-2.1-or-later
"""Seed corpora for the fuzz targets, derived from what the tests already use:
policies from policy/examples and tests/golden, kernel text from the fixture
trees under tests/fixtures/sysfs, Varlink calls as tests/tools/varlink-check.py
makes them. Generated at run time (nothing binary is committed); one file per
distinct input, named by its hash.

    python3 make_corpus.py TARGET SOURCE_ROOT OUTDIR
"""
import glob
import hashlib
import json
import os
import shutil
import sys


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def policy_seeds(root):
    files = sorted(glob.glob(os.path.join(root, "policy", "examples", "*.conf")) +
                   glob.glob(os.path.join(root, "tests", "golden", "*", "*.conf")) +
                   glob.glob(os.path.join(root, "tests", "golden", "*", "*.conf.d", "*.conf")))
    texts = [_read(f) for f in files]
    yield from texts
    # Drop-ins: the harness splits its input at NUL into memctl.conf and its .d/ files.
    main = os.path.join(root, "policy", "examples", "memctl.conf")
    if os.path.exists(main):
        for t in texts:
            yield _read(main) + b"\0" + t
    yield b"version = 1;\0rules = ( { name = \"a\"; match = {}; mode = \"ignore\"; } );\0" \
          b"rules = ( { name = \"a\"; match = { device = \"dax*\"; }; mode = \"devdax\"; } );\n"


# The selector byte of fuzz-parse.c, by parser.
IOMEM, INT_LIST, BLOCK_STATE, FIRST_ZONE, BOOL, SIZE, DURATION, FORMAT_SIZE, NATURAL_CMP = range(9)


def parse_seeds(root):
    fixtures = os.path.join(root, "tests", "fixtures", "sysfs")
    by_name = {
        "iomem": IOMEM, "online": INT_LIST, "possible": INT_LIST, "has_memory": INT_LIST,
        "has_normal_memory": INT_LIST, "has_cpu": INT_LIST, "cpulist": INT_LIST, "nodelist": INT_LIST,
        "state": BLOCK_STATE, "valid_zones": FIRST_ZONE, "removable": BOOL, "auto_movable_numa_aware": BOOL,
        "memmap_on_memory": BOOL, "demotion_enabled": BOOL,
    }
    for dirpath, _, names in os.walk(fixtures):
        for n in names:
            path = os.path.join(dirpath, n)
            if n in by_name and not os.path.islink(path):
                yield bytes([by_name[n]]) + _read(path).rstrip(b"\n")
            elif n == "block_size_bytes":
                yield bytes([FORMAT_SIZE]) + int(_read(path).strip(), 16).to_bytes(8, "little")
    for s in (b"16G", b"512M", b"4096", b"1T", b"18446744073709551615"):
        yield bytes([SIZE]) + s
    for s in (b"30s", b"200ms", b"2m", b"0ms"):
        yield bytes([DURATION]) + s
    for s in (b"dax1.0dax10.0", b"memory9memory10", b"region2region2"):
        yield bytes([NATURAL_CMP]) + s


def varlink_seeds(root):
    def msg(method, params=None, **kw):
        m = {"method": method}
        if params is not None:
            m["parameters"] = params
        m.update(kw)
        return json.dumps(m).encode() + b"\0"

    calls = [
        msg("org.varlink.service.GetInfo", {}),
        msg("org.varlink.service.GetInterfaceDescription", {"interface": "io.memctl"}),
        msg("org.varlink.service.GetInterfaceDescription", {"interface": "org.example"}),
        msg("io.memctl.GetStatus", {}),
        msg("io.memctl.GetStatus"),
        msg("io.memctl.Online", {"device": "dax0.0", "zone": "movable"}),
        msg("io.memctl.Offline", {"device": "dax9.9"}),
        msg("io.memctl.Reload", {}),
        msg("io.memctl.ResetPrepare", {"target": "dax0.0"}, more=True),
        msg("io.memctl.GetStatus", {}, oneway=True),
        msg("io.memctl.Frobnicate", {}),
        msg("io.memctl.Online", [1, 2]),
    ]
    yield from calls
    yield b"".join(calls)
    yield calls[0] + b"this is not json\0" + calls[3]
    yield calls[3] + b'{"parameters": {}}\0'
    yield calls[3][:-1]  # unterminated


GENERATORS = {"policy": policy_seeds, "parse": parse_seeds, "varlink": varlink_seeds}


def generate(target, root, outdir):
    """Writes the seeds of target into outdir (emptied first); returns how many."""
    shutil.rmtree(outdir, ignore_errors=True)
    os.makedirs(outdir)
    seen = set()
    for data in GENERATORS[target](root):
        h = hashlib.sha1(data).hexdigest()
        if h in seen:
            continue
        seen.add(h)
        with open(os.path.join(outdir, h), "wb") as f:
            f.write(data)
    if not seen:
        raise SystemExit(f"make_corpus: no seeds for {target} under {root}")
    return len(seen)


if __name__ == "__main__":
    print(generate(sys.argv[1], sys.argv[2], sys.argv[3]))
