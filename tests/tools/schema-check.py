#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""memctl's JSON outputs against their JSON Schemas (docs/schema/*.schema.json).

  schema-check.py fixtures MEMCTL SCHEMA_DIR POLICY FIXTURE...
      on every fixture tree: status, blocks, plan (with POLICY) and
      reset-prepare --dry-run of each dax device, all --json
  schema-check.py recorded SCHEMA_DIR GOLDEN_ROOT PLAN_GOLDEN_ROOT
      every recorded expected output: tests/fixtures/golden/*/{status,blocks}.json
      and tests/golden/*/plan.expected.json
  schema-check.py cli MEMCTL SCHEMA_DIR POLICY...
      check --json on each policy file (valid or not) and the action verbs'
      --json result with no memctld to talk to
  schema-check.py files SCHEMA_DIR KIND FILE...
      FILEs (memctl output saved by a lab scenario) against memctl-KIND

The validator is python3-jsonschema (Debian: python3-jsonschema, in
scripts/bootstrap), Draft 2020-12. Without it the test is skipped (77),
except under CI (CI=true), where it fails: this check is required.
Other tools import validate() from here (varlink-check.py, tests/vm hosts).
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

_validators = {}


def _jsonschema():
    try:
        import jsonschema
        return jsonschema
    except ImportError:
        print("python3-jsonschema is not installed (Debian package python3-jsonschema; scripts/bootstrap)")
        sys.exit(1 if os.environ.get("CI") == "true" else 77)


def schema_dir_default():
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "schema")


def validate(kind, doc, schema_dir=None):
    """The problems of doc against docs/schema/memctl-KIND.schema.json, as sentences; [] when it conforms."""
    js = _jsonschema()
    key = (kind, schema_dir)
    if key not in _validators:
        with open(os.path.join(schema_dir or schema_dir_default(), f"memctl-{kind}.schema.json")) as f:
            schema = json.load(f)
        js.Draft202012Validator.check_schema(schema)
        _validators[key] = js.Draft202012Validator(schema)
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message[:300]}"
            for e in sorted(_validators[key].iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))]


def lab_problems(outdir, names):
    """A lab scenario's saved outputs against the schemas (tests/vm/scenarios/*.host).
    names: {glob relative to outdir: kind}; a pattern that matches nothing, a file that
    is not JSON and every schema complaint are one sentence each."""
    problems = []
    for pattern, kind in names.items():
        paths = sorted(glob.glob(os.path.join(outdir, pattern)))
        if not paths:
            problems.append(f"schema: no {pattern} in {outdir}")
        for path in paths:
            try:
                with open(path) as f:
                    doc = json.load(f)
            except (OSError, ValueError) as e:
                problems.append(f"schema: {os.path.relpath(path, outdir)}: not JSON: {e}")
                continue
            problems += [f"schema: {os.path.relpath(path, outdir)} (memctl-{kind}): {p}"
                         for p in validate(kind, doc)[:5]]
    return problems


failures = []


def check(what, doc, kind, schema_dir):
    problems = validate(kind, doc, schema_dir)
    print(f"{'ok  ' if not problems else 'FAIL'} {what} (memctl-{kind})")
    for p in problems[:10]:
        print(f"       {p}")
    if problems:
        failures.append(what)


def run_json(cmd, ok_codes=(0,), env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode not in ok_codes:
        failures.append(" ".join(cmd))
        print(f"FAIL {' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()[:300]}")
        return None
    try:
        return json.loads(p.stdout)
    except ValueError as e:
        failures.append(" ".join(cmd))
        print(f"FAIL {' '.join(cmd)}: not JSON ({e}): {p.stdout[:200]!r}")
        return None


def fixtures(memctl, schema_dir, policy, trees):
    env = dict(os.environ)
    env.pop("MEMCTL_SYSFS_ROOT", None)
    for tree in trees:
        name = os.path.basename(tree.rstrip("/"))
        base = [memctl, "--root", tree]
        status = run_json(base + ["status", "--json"], env=env)
        if status is not None:
            check(f"{name}: status", status, "status", schema_dir)
            # The contract is what makes this test able to fail: the pre-contract layout (the
            # inventory alone, no schema_version) must not pass.
            if not validate("status", status.get("inventory"), schema_dir):
                failures.append(f"{name}: the bare inventory passes the status schema")
                print(f"FAIL {name}: the schema accepts the bare inventory (it must not)")
            for d in status.get("inventory", {}).get("devices", []):
                # exit 0 ready, else at-risk or blocked (memctl(8), RESET FORECAST)
                f = run_json(base + ["reset-prepare", "--dry-run", "--json", d["chardev"]], ok_codes=(0, 1, 3, 4))
                if f is not None:
                    check(f"{name}: reset-prepare --dry-run {d['chardev']}", f, "forecast", schema_dir)
        blocks = run_json(base + ["blocks", "--json"], env=env)
        if blocks is not None:
            check(f"{name}: blocks", blocks, "blocks", schema_dir)
        plan = run_json(base + ["plan", "--json", "--policy", policy], ok_codes=(0, 1), env=env)
        if plan is not None:
            check(f"{name}: plan", plan, "plan", schema_dir)


def recorded(schema_dir, golden_root, plan_root):
    n = 0
    for path in sorted(glob.glob(os.path.join(golden_root, "*", "status.json")) +
                       glob.glob(os.path.join(golden_root, "*", "blocks.json"))):
        kind = os.path.basename(path).split(".")[0]
        with open(path) as f:
            check(os.path.relpath(path, os.path.join(golden_root, "..")), json.load(f), kind, schema_dir)
        n += 1
    for path in sorted(glob.glob(os.path.join(plan_root, "*", "plan.expected.json"))):
        with open(path) as f:
            text = f.read().split("\n--- stderr\n")[0]	# plan-golden.py records stderr after stdout
        # an invalid policy: the empty plan with its errors, then the sentence on stderr
        check(os.path.relpath(path, os.path.join(plan_root, "..")), json.loads(text), "plan", schema_dir)
        n += 1
    if n == 0:
        failures.append("no recorded outputs found")
        print(f"FAIL no recorded outputs under {golden_root} or {plan_root}")


def cli(memctl, schema_dir, policies):
    for p in policies:
        doc = run_json([memctl, "check", "--json", p], ok_codes=(0, 1))
        if doc is not None:
            check(f"check {os.path.basename(p)}", doc, "check", schema_dir)
    with tempfile.TemporaryDirectory() as tmp:
        bad = os.path.join(tmp, "bad.conf")
        with open(bad, "w") as f:
            f.write("rules = ( { name = oops } );\n")
        doc = run_json([memctl, "check", "--json", bad], ok_codes=(1,))
        if doc is not None:
            check("check (a policy with errors)", doc, "check", schema_dir)
        # No memctld on this socket: each action verb still answers with one result document.
        env = dict(os.environ, MEMCTL_SOCKET=os.path.join(tmp, "none.sock"))
        for args in (["reload"], ["online", "dax0.0"], ["online", "--zone", "normal", "dax0.0"], ["offline", "dax0.0"],
                     ["reset-prepare", "mem0"], ["reset-done", "mem0"], ["reset", "0000:0d:00.0"]):
            doc = run_json([memctl, args[0], "--json"] + args[1:], ok_codes=(1,), env=env)
            if doc is None:
                continue
            check(" ".join(args) + " --json without memctld", doc, "result", schema_dir)
            if doc.get("ok") is not False or (doc.get("error") or {}).get("id") != "daemon-not-running":
                failures.append(" ".join(args))
                print(f"FAIL {' '.join(args)}: expected error id daemon-not-running: {doc}")


def files(schema_dir, kind, paths):
    for path in paths:
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            failures.append(path)
            print(f"FAIL {path}: {e}")
            continue
        check(path, doc, kind, schema_dir)


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    _jsonschema()
    mode = argv[1]
    if mode == "fixtures" and len(argv) >= 6:
        fixtures(argv[2], argv[3], argv[4], argv[5:])
    elif mode == "recorded" and len(argv) == 5:
        recorded(argv[2], argv[3], argv[4])
    elif mode == "cli" and len(argv) >= 5:
        cli(argv[2], argv[3], argv[4:])
    elif mode == "files" and len(argv) >= 5:
        files(argv[2], argv[3], argv[4:])
    else:
        sys.exit(__doc__)
    if failures:
        print(f"{len(failures)} failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
