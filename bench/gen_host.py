#!/usr/bin/env python3
"""A container host's auditd log and docker events for the host benchmark:
N process starts over 200 containers (a shim each, a first process, then
shells, curls, package tools, a few kubectl), with the matching docker
events, through tests/tools/hostlog.py. Seeded.

usage: gen_host.py N OUTDIR      (writes OUTDIR/audit.log, OUTDIR/docker-events.jsonl)
"""
import os
import random
import sys
from datetime import timedelta

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "tools"))
import hostlog as H  # noqa: E402
import weblog as W  # noqa: E402

CMDS = [["sh", "-c", "date"], ["curl", "-s", "http://backend:8080/health"], ["apt-get", "update"],
        ["python3", "/app/worker.py", "--once"], ["ls", "-la", "/data"], ["kubectl", "get", "pods"],
        ["cat", "/etc/os-release"], ["nginx", "-s", "reload"]]


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    os.makedirs(out, exist_ok=True)
    rnd = random.Random(7)
    t = W.at(2026, 3, 2)
    h = H.Host(node="bench-node", first_pid=1000)
    h.boot(t)
    containers = [h.start(t + timedelta(seconds=i), "c%d" % i, rnd.choice(["nginx", "redis", "python:3.12", "alpine"]),
                          ["sleep", "infinity"]) for i in range(200)]
    for i in range(n):
        c = containers[rnd.randrange(len(containers))]
        cmd = rnd.choice(CMDS)
        h.run_in(t + timedelta(seconds=300 + i * 0.05), c, c.init_pid, "/usr/bin/" + cmd[0], cmd)
        if h.next_pid > 4_000_000:
            h.next_pid = 5000
    with open(os.path.join(out, "audit.log"), "w") as f:
        f.write(h.audit_text())
    with open(os.path.join(out, "docker-events.jsonl"), "w") as f:
        f.write(h.events_text())


if __name__ == "__main__":
    main()
