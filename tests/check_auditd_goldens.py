#!/usr/bin/env python3
"""vigil's auditd decoder against go-libaudit's expected outputs in
../shared/data/auditd/go-libaudit (skips with 77 when absent):

  - aucoalesce-*.yaml hold raw multi-record events by test name, and the
    matching *.json.golden the coalesced event of each: for every execve
    there, vigil must yield one event with the same serial, pid, ppid,
    exe, argv, cwd, uid and auid; and no event for the others;
  - *.log are raw record streams with a per-record *.log.golden: the
    SYSCALL, EXECVE and CWD records of each execve serial say the same.

vigil's side comes from `vigil events --format auditd FILE` (JSON lines)."""
import json
import os
import subprocess
import sys
import tempfile

import yaml

EXEC_SYSCALLS = {"execve", "execveat"}


def vigil_events(vigil, path):
    p = subprocess.run([vigil, "events", "--format", "auditd", path], capture_output=True, text=True)
    if p.returncode != 0 or "no records rejected" not in p.stderr:
        raise AssertionError(f"vigil events {path}: exit {p.returncode}\n{p.stderr}")
    return {e["serial"]: e for e in map(json.loads, p.stdout.splitlines())}


def id_of(v):
    """go-libaudit writes ids as text, "unset" for 4294967295."""
    return -1 if v in (None, "unset") else int(v)


def compare(where, got, want, problems):
    for key, value in want.items():
        if value is not None and got.get(key) != value:
            problems.append(f"{where}: {key} is {got.get(key)!r}, expected {value!r}")


def check_coalesced(vigil, yaml_path, golden_path, problems):
    tests = yaml.safe_load(open(yaml_path))["tests"]
    golden = json.load(open(golden_path))
    checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        for entry in golden:
            name, ev = entry["test_name"], entry["event"]
            raw = os.path.join(tmp, "raw.log")
            with open(raw, "w") as f:
                f.write(tests[name])
            got = vigil_events(vigil, raw)
            where = f"{os.path.basename(yaml_path)} {name!r}"
            if ev.get("data", {}).get("syscall") not in EXEC_SYSCALLS:
                if got:
                    problems.append(f"{where}: not an execve, yet vigil made {len(got)} event(s)")
                continue
            e = got.get(ev["sequence"])
            if e is None:
                problems.append(f"{where}: no event for serial {ev['sequence']}")
                continue
            proc, ids = ev.get("process", {}), ev.get("user", {}).get("ids", {})
            compare(where, e, {
                "pid": id_of(proc.get("pid")), "ppid": id_of(proc.get("ppid")), "exe": proc.get("exe"),
                "argv": proc.get("args"), "cwd": proc.get("cwd"),
                "uid": id_of(ids["uid"]) if "uid" in ids else None,
                "auid": id_of(ids["auid"]) if "auid" in ids else None,
            }, problems)
            checked += 1
    return checked


def check_records(vigil, log_path, golden_path, problems):
    by_serial = {}
    for rec in json.load(open(golden_path)):
        if rec:
            by_serial.setdefault(rec["sequence"], {})[rec["record_type"]] = rec["data"]
    got = vigil_events(vigil, log_path)
    checked = 0
    for serial, recs in sorted(by_serial.items()):
        sc, ex, cwd = recs.get("syscall"), recs.get("execve"), recs.get("cwd")
        is_exec = sc.get("syscall") in EXEC_SYSCALLS if sc else ex is not None
        where = f"{os.path.basename(log_path)} serial {serial}"
        if not is_exec:
            if serial in got:
                problems.append(f"{where}: not an execve, yet vigil made an event")
            continue
        e = got.get(serial)
        if e is None:
            problems.append(f"{where}: no event")
            continue
        want = {}
        if sc:
            want.update(pid=id_of(sc.get("pid")), ppid=id_of(sc.get("ppid")), exe=sc.get("exe"),
                        uid=id_of(sc.get("uid")), auid=id_of(sc.get("auid")))
        if ex:
            want["argv"] = [ex[f"a{i}"] for i in range(int(ex["argc"]))]
        if cwd:
            want["cwd"] = cwd["cwd"]
        compare(where, e, want, problems)
        checked += 1
    return checked


def main():
    vigil, base = sys.argv[1:3]
    base = os.path.join(base, "go-libaudit")
    if not os.path.isdir(base):
        print(f"skip: {base} absent")
        return 77
    problems, checked = [], 0
    for name in sorted(os.listdir(base)):
        path = os.path.join(base, name)
        if name.endswith(".yaml"):
            checked += check_coalesced(vigil, path, path[:-len(".yaml")] + ".json.golden", problems)
        elif name.endswith(".log") and os.path.exists(path + ".golden"):
            checked += check_records(vigil, path, path + ".golden", problems)
    for p in problems:
        print("FAIL", p)
    print(f"{checked} execve events compared, {len(problems)} differences")
    return 1 if problems or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
