#!/usr/bin/env python3
"""Run one regression case: vigil scan over the case's inputs, compare alerts.

A case is a directory tests/cases/<layer>/<name>/ holding input files and
expected.jsonl: one {"type": ..., "compromised_entity": ...} per expected
alert (an empty file means the case must stay quiet); a line may also hold
"properties" ({key: value}, each equal to the alert's) and "has" ([key],
each present in the alert's properties). An optional
config.yaml is passed with --config. A case that learns across runs has
numbered steps 1/, 2/, ... each with its own inputs and expected.jsonl; the
steps share one --state directory, in order.

An optional `args` file holds extra arguments for vigil scan, one per line
(blank lines and lines starting with # ignored), such as --inventory and
--intel. A line naming a file of the args file's directory, alone or after
a "label=", is passed as that file's path; such files are not inputs. The
case directory's args apply to every step; a step's own args follow them.

Every `geoip*.json` of the case directory (for every step) or of a step's
own directory is a spec for tests/tools/write_mmdb.pl: it is written to a
MaxMind DB in a scratch directory and passed as --geoip FILE (the City and
Anonymous-IP databases are separate files, so a case may have several).
Without perl or its MaxMind::DB::Writer module such a case is skipped
(exit 77); cases without GeoIP specs do not need them.

Every alert line is also checked against the record contract of DESIGN.md.
"""
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import tempfile

REQUIRED = {"id": str, "type": str, "title": str, "severity": str, "tactics": list,
            "time_start": str, "time_end": str, "count": int, "compromised_entity": str,
            "entities": dict, "description": str, "remediation": list, "evidence": list,
            "properties": dict}
NOT_INPUTS = {"expected.jsonl", "config.yaml", "README.md", "args"}
GEOIP_SPECS = "geoip*.json"
WRITE_MMDB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools", "write_mmdb.pl")
SKIP = 77


class Skip(Exception):
    pass


def geoip_specs(d):
    return sorted(f for f in os.listdir(d) if fnmatch.fnmatch(f, GEOIP_SPECS) and os.path.isfile(os.path.join(d, f)))


def can_write_mmdb():
    if not shutil.which("perl"):
        return False
    return subprocess.run(["perl", "-MMaxMind::DB::Writer::Tree", "-e", "1"], capture_output=True).returncode == 0


def geoip_args(d, scratch):
    """--geoip FILE for each GeoIP spec of directory d, written into scratch."""
    args = []
    for spec in geoip_specs(d):
        if not can_write_mmdb():
            raise Skip("perl or its MaxMind::DB::Writer module is missing (scripts/install-deps.sh)")
        out = os.path.join(scratch, "%s-%s.mmdb" % (os.path.basename(os.path.normpath(d)), spec[:-5]))
        p = subprocess.run(["perl", WRITE_MMDB, os.path.join(d, spec), out], capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError("%s: write_mmdb.pl failed: %s" % (os.path.join(d, spec), p.stderr.strip()))
        args += ["--geoip", out]
    return args


def extra_args(d):
    """The args file of directory d: (arguments, names of the files it uses)."""
    path = os.path.join(d, "args")
    if not os.path.exists(path):
        return [], set()
    args, used = [], set()
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            label, sep, name = line.rpartition("=") if "=" in line and not line.startswith("-") else ("", "", line)
            if os.path.isfile(os.path.join(d, name)):
                used.add(name)
                line = label + sep + os.path.join(d, name)
            args.append(line)
    return args, used


def inputs_of(d, skip=frozenset()):
    return sorted(os.path.join(d, f) for f in os.listdir(d)
                  if f not in NOT_INPUTS and f not in skip and not fnmatch.fnmatch(f, GEOIP_SPECS)
                  and os.path.isfile(os.path.join(d, f)))


def check_record(a):
    for k, t in REQUIRED.items():
        if not isinstance(a.get(k), t):
            return f"field {k} missing or not {t.__name__}"
    if a["severity"] not in ("high", "medium", "low", "informational"):
        return "bad severity " + a["severity"]
    if "(unknown)" in a["description"]:
        return "description has an unfilled variable: " + a["description"]
    if not a["evidence"]:
        return "no evidence"
    return None


def detail_errors(want, alert):
    """An expected line's optional checks: "properties" (each must equal the
    alert's property) and "has" (each property must be present)."""
    if alert is None or ("properties" not in want and "has" not in want):
        return []
    props = alert["properties"]
    errs = []
    for k, v in want.get("properties", {}).items():
        if props.get(k) != v:
            errs.append(f"{want['type']}: property {k} is {props.get(k)!r}, expected {v!r}")
    for k in want.get("has", []):
        if k not in props:
            errs.append(f"{want['type']}: property {k} missing")
    return errs


def run_step(vigil, step_dir, state, config, case_args=(), scratch=None):
    cmd = [vigil, "scan"]
    if config:
        cmd += ["--config", config]
    if state:
        cmd += ["--state", state]
    own_args, own_files = extra_args(step_dir)
    cmd += list(case_args) + own_args + geoip_args(step_dir, scratch)
    cmd += inputs_of(step_dir, own_files)
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        print(f"FAIL {step_dir}: exit {p.returncode}\n{p.stderr}")
        return False
    got, errors, alerts = [], [], {}
    for line in p.stdout.splitlines():
        a = json.loads(line)
        err = check_record(a)
        if err:
            errors.append(f"{a.get('type')}: {err}")
        got.append((a["type"], a["compromised_entity"]))
        alerts[(a["type"], a["compromised_entity"])] = a
    want = []
    with open(os.path.join(step_dir, "expected.jsonl")) as f:
        for line in f:
            if line.strip():
                e = json.loads(line)
                want.append((e["type"], e["compromised_entity"]))
                errors += detail_errors(e, alerts.get(want[-1]))
    ok = sorted(got) == sorted(want) and not errors
    if not ok:
        print(f"FAIL {step_dir}")
        print("  expected:", sorted(want))
        print("  got:     ", sorted(got))
        for e in errors:
            print("  record:", e)
        print(p.stderr)
    else:
        print(f"ok {step_dir}: {len(got)} alert(s) as expected")
    return ok


def main():
    vigil, case = sys.argv[1], sys.argv[2]
    config = os.path.join(case, "config.yaml")
    config = config if os.path.exists(config) else None
    steps = sorted((d for d in os.listdir(case) if d.isdigit() and os.path.isdir(os.path.join(case, d))), key=int)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            if not steps:
                return 0 if run_step(vigil, case, None, config, scratch=tmp) else 1
            case_args, _ = extra_args(case)
            case_args += geoip_args(case, tmp)
            state = os.path.join(tmp, "state")
            ok = True
            for s in steps:
                ok &= run_step(vigil, os.path.join(case, s), state, config, case_args, tmp)
            return 0 if ok else 1
        except Skip as e:
            print("SKIP %s: %s" % (case, e))
            return SKIP


if __name__ == "__main__":
    sys.exit(main())
