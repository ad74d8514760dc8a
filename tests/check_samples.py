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
# Layers whose .golden files are telemetry (the docker CLI's test goldens
# are its exact output).
GOLDEN_IS_TELEMETRY = {"docker-events"}
# A malformed file may hold nothing that names its format (fal_01_003.json is
# `{"kind": 0}`), so those are scanned with the format named, as a user would.
MALFORMED = {"fal_01_003.json": 1}
# The formats a layer's files may be detected as (the first is the one named
# for a malformed file).
FORMAT_OF_LAYER = {"k8s-audit": ("k8s-audit",), "azure-activity": ("azure-activity",), "keyvault": ("keyvault",),
                   "appservice": ("appservice", "w3c", "combined"), "auditd": ("auditd",),
                   "docker-events": ("docker-events",)}
# Events each file must yield, where the sample's documentation says (a
# decoder that drops records quietly fails here, not only one that rejects).
EVENTS = {
    "azure-activity": {
        "administrative-valid_1.json": 1, "cornercases-identity_as_string.json": 1,
        "cornercases-identity_as_object.json": 1, "activity-log-storage-eventhub-example.json": 1,
        "activity-log-rest-administrative-example.json": 1, "activitylogs.log": 1,
        "activitylogs_edgecases.log": 1, "test-activitylogs-raw.log": 3,
        "test-time-formats-corner-cases.log": 11, "administrative.json": 1, "alert.json": 1,
        "policy.json": 1, "security.json": 1, "sekoia-activity-logs.derived.jsonl": 4,
    },
    # every Sekoia test_event_*.json holds one record; the derived file one per line
    "keyvault": {"keyvault-logging-example.json": 1, "managed-hsm-logging-example.json": 1,
                 "sekoia-keyvault-auditevents.derived.jsonl": 32},
    # counted by hand; console logs are another category: counted, no events
    "appservice": {"test-appserviceauditlogs-raw.log": 1, "test-appserviceconsolelogs-raw.log": 0,
                   "test-appservicehttplogs-raw.log": 3, "ipban-IIS_FTP-examples.log": 4,
                   "appservice_httplogs.json": 1, "log-appserviceconsolelogs.json": 0, "access-azure.log": 1,
                   "access-full.log": 1, "test-x-forward-for-extended.log": 6, "test.log": 5},
    # execve events; 0 where a file holds none (logins, AVCs, daemon records).
    # test.log's interpreted EXECVE and SYSCALL carry different serials: two.
    "auditd": {"audit-cent7-node.log": 0, "execve-hex-arg.log": 1, "test.log": 2, "audit-rhel6.log": 0,
               "audit-rhel7.log": 4, "audit-ubuntu16.log": 0, "audit-ubuntu17.log": 1, "stream-normal.log": 2,
               "stream-out_of_order.log": 2, "test2.log": 0, "test3.log": 1},
    # counted by hand: one event per line, or per pretty-printed object
    "docker-events": {"dockercli-docker-events-default.golden": 4, "dockercli-docker-events-json.golden": 4,
                      "moby-api-v1.21-events-example.jsonl": 4, "moby-api-v1.24-events-example.json": 9},
}


def main():
    vigil, root, layer = sys.argv[1:4]
    base = os.path.join(root, layer)
    if not os.path.isdir(base):
        print(f"skip: {base} absent")
        return 77
    failures, files, events = 0, 0, 0
    for dirpath, _, names in sorted(os.walk(base)):
        for name in sorted(names):
            if NOT_TELEMETRY.search(name) and not (layer in GOLDEN_IS_TELEMETRY and name.endswith(".golden")):
                continue
            path = os.path.join(dirpath, name)
            args = [vigil, "scan", path]
            if name in MALFORMED:
                args[2:2] = ["--format", FORMAT_OF_LAYER[layer][0]]
            p = subprocess.run(args, capture_output=True, text=True)
            files += 1
            m = re.search(r"^vigil scan: (\d+) events", p.stderr, re.M)
            n_ev = int(m.group(1)) if m else 0
            events += n_ev
            rejected = sum(int(x) for x in re.findall(r"rejected (\d+) record", p.stderr))
            want = MALFORMED.get(name, 0)
            want_events = EVENTS.get(layer, {}).get(name)
            fmt = re.search(r"^  \S.*?: ([a-z0-9-]+), \d+ records", p.stderr, re.M)
            if (p.returncode != 0 or rejected != want or (want == 0 and n_ev == 0 and want_events != 0)
                    or (want_events is not None and n_ev != want_events)
                    or not fmt or fmt.group(1) not in FORMAT_OF_LAYER[layer]):
                failures += 1
                print(f"FAIL {path}: exit {p.returncode}, format {fmt.group(1) if fmt else None}, {n_ev} events "
                      f"(want {want_events if want_events is not None else 'some'}), {rejected} rejected (want {want})")
                print(p.stderr)
    print(f"{files} sample files, {events} events, {failures} failures")
    return 1 if failures or files == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
