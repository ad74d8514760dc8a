#!/usr/bin/env python3
"""The SSH sweep in ipfixcol2's public example_flows.ipfix must raise
net.ssh.outbound.multi.

usage: check_net_sample.py VIGIL DATA_DIR

In 2015-08-03 12:08-12:11 UTC, 215.25.53.107 opens tcp/22 connections to 110
distinct internet hosts; 215.25.53.109 opens them to 45 hosts, all in
0.0.0.0/8 (an artefact of the sample's address anonymisation), which vigil
treats as never the internet. The capture names no VMs, so this test writes
an inventory placing both as VMs for the whole hour 12:00-13:00 and checks:

  - with the default configuration only .107 is reported: it has no history
    and neither has the environment, so the cold-start bar applies
    (outbound_min_peers 20 x cold_start_factor 3 = 60), and 110 crosses it;
    .109's destinations are not external peers;
  - with count_internal_peers on, .109's 45 destinations count, and stay
    under that same bar of 60: still only .107.

Skips (77) when the shared data is absent.
"""
import json
import os
import subprocess
import sys
import tempfile

SAMPLE = os.path.join("ipfix", "ipfixcol2", "example_flows.ipfix")
INVENTORY = [
    {"vm": "vm-sweeper-107", "ip": "215.25.53.107", "from": "2015-08-03T12:00:00Z", "to": "2015-08-03T13:00:00Z"},
    {"vm": "vm-sweeper-109", "ip": "215.25.53.109", "from": "2015-08-03T12:00:00Z", "to": "2015-08-03T13:00:00Z"},
]


def scan(vigil, sample, tmp, config_text):
    inv = os.path.join(tmp, "inventory.jsonl")
    with open(inv, "w") as f:
        for line in INVENTORY:
            f.write(json.dumps(line) + "\n")
    cmd = [vigil, "scan", "--inventory", inv]
    if config_text:
        cfg = os.path.join(tmp, "config.yaml")
        with open(cfg, "w") as f:
            f.write(config_text)
        cmd += ["--config", cfg]
    p = subprocess.run(cmd + [sample], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("FAIL: vigil scan exited %d\n%s" % (p.returncode, p.stderr))
    return [json.loads(line) for line in p.stdout.splitlines()], p.stderr


def check(alerts, stderr, label):
    got = sorted((a["type"], a["compromised_entity"]) for a in alerts)
    want = [("net.ssh.outbound.multi", "vm-sweeper-107")]
    if got != want:
        print("FAIL (%s): expected %s, got %s\n%s" % (label, want, got, stderr))
        return False
    props = alerts[0]["properties"]
    if props["distinct_peers"] != 110 or props["baseline"]["basis"] != "none" or props["threshold"] != 60:
        print("FAIL (%s): unexpected numbers %s" % (label, json.dumps(props)))
        return False
    print("ok (%s): %s, %d distinct destinations, threshold %d" % (label, got[0][0], props["distinct_peers"],
                                                                  props["threshold"]))
    return True


def main():
    vigil, data = sys.argv[1], sys.argv[2]
    sample = os.path.join(data, SAMPLE)
    if not os.path.exists(sample):
        print("skip: %s absent" % sample)
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        ok = check(*scan(vigil, sample, tmp, None), "defaults")
        ok &= check(*scan(vigil, sample, tmp, "detectors:\n  network:\n    count_internal_peers: true\n"),
                    "count_internal_peers")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
