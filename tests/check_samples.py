#!/usr/bin/env python3
"""The public samples in ../shared/data/<layer>/ must decode with zero
rejected records (except those that are malformed on purpose). Skips (77)
when the shared data is absent, as on a user's clone."""
import os
import re
import subprocess
import sys

# Files that are not telemetry (policies, golden matrices) and files that are
# malformed on purpose, with the number of records they must reject.
NOT_TELEMETRY = re.compile(r"\.(ya?ml|md|txt|golden)$")
# A malformed file may hold nothing that names its format (fal_01_003.json is
# `{"kind": 0}`), so those are scanned with the format named, as a user would.
MALFORMED = {"fal_01_003.json": 1}
FORMAT_OF_LAYER = {"k8s-audit": "k8s-audit"}


def main():
    vigil, root, layer = sys.argv[1:4]
    base = os.path.join(root, layer)
    if not os.path.isdir(base):
        print(f"skip: {base} absent")
        return 77
    failures, files, events = 0, 0, 0
    for dirpath, _, names in sorted(os.walk(base)):
        for name in sorted(names):
            if NOT_TELEMETRY.search(name):
                continue
            path = os.path.join(dirpath, name)
            args = [vigil, "scan", path]
            if name in MALFORMED:
                args[2:2] = ["--format", FORMAT_OF_LAYER[layer]]
            p = subprocess.run(args, capture_output=True, text=True)
            files += 1
            m = re.search(r"^vigil scan: (\d+) events", p.stderr, re.M)
            n_ev = int(m.group(1)) if m else 0
            events += n_ev
            rejected = sum(int(x) for x in re.findall(r"rejected (\d+) record", p.stderr))
            want = MALFORMED.get(name, 0)
            if p.returncode != 0 or rejected != want or (want == 0 and n_ev == 0):
                failures += 1
                print(f"FAIL {path}: exit {p.returncode}, {n_ev} events, {rejected} rejected (want {want})")
                print(p.stderr)
    print(f"{files} sample files, {events} events, {failures} failures")
    return 1 if failures or files == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
