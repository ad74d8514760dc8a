#!/usr/bin/env python3
"""Seeded generator of `docker events --format '{{json .}}'` lines.

Usage: gen_docker_events.py N OUT.jsonl [--seed S] [--start RFC3339] [--legacy-keys]

Writes N events, one compact JSON object per line, in the engine's field
order (status/id/from when --legacy-keys, as engines before API 1.43 still
wrote them beside the current keys, then Type, Action, Actor{ID,Attributes},
scope, time, timeNano). The same N and seed always give the same bytes.

The host is a Kubernetes node running containerd-shim'd dockerd: pods come
and go (create, start, die, destroy, with the kubelet's io.kubernetes.*
labels and the image's own labels), health checks and kubectl exec run in
them (exec_create / exec_start carry the command in the Action), images
are pulled, networks connected and volumes mounted. Only the Python 3
standard library is used.
"""
import argparse
import datetime as dt
import json
import random
import sys

IMAGES = [
    ("registry.example/payments/api:1.14.2", {"org.opencontainers.image.source": "https://git.example/payments/api",
                                              "org.opencontainers.image.version": "1.14.2"}),
    ("docker.io/library/nginx:1.25.4", {"maintainer": "NGINX Docker Maintainers <docker-maint@nginx.com>"}),
    ("docker.io/library/redis:7.2", {}),
    ("quay.io/prometheus/node-exporter:v1.7.0", {"maintainer": "The Prometheus Authors"}),
    ("registry.k8s.io/pause:3.9", {}),
    ("ghcr.io/example/worker:2024.03.1", {"org.opencontainers.image.revision": "9f2e1c7"}),
]
NAMESPACES = ["payments", "web", "monitoring", "kube-system", "batch"]
EXEC_COMMANDS = ["sh -c curl -fsS localhost:8080/healthz", "redis-cli ping", "cat /etc/os-release",
                 "bash", "sh -c ps aux", "/bin/grpc_health_probe -addr=:9090"]


def hexid(rng):
    return "%064x" % rng.getrandbits(256)


class Node:
    def __init__(self, rng):
        self.rng = rng
        self.running = []   # (id, attributes)

    def attrs(self, image, labels, pod, ns, cname):
        a = {"image": image, "name": f"k8s_{cname}_{pod}_{ns}_{self.rng.getrandbits(32):08x}_0",
             "io.kubernetes.container.name": cname, "io.kubernetes.pod.name": pod,
             "io.kubernetes.pod.namespace": ns, "io.kubernetes.pod.uid": "%032x" % self.rng.getrandbits(128)}
        a.update(labels)
        return dict(sorted(a.items()))

    def events(self):
        """Yield (type, action, actor_id, attributes, image) forever."""
        rng = self.rng
        while True:
            r = rng.random()
            if r < 0.18 or len(self.running) < 3:
                image, labels = rng.choice(IMAGES)
                ns = rng.choice(NAMESPACES)
                pod = f"{ns}-{rng.getrandbits(24):06x}"
                cid = hexid(rng)
                a = self.attrs(image, labels, pod, ns, image.split("/")[-1].split(":")[0])
                if rng.random() < 0.3:
                    yield "image", "pull", image, {"name": image.split(":")[0]}, None
                yield "container", "create", cid, a, image
                net = hexid(rng)
                yield "network", "connect", net, {"container": cid, "name": "bridge", "type": "bridge"}, None
                yield "container", "start", cid, a, image
                self.running.append((cid, a, image))
            elif r < 0.55:
                cid, a, image = rng.choice(self.running)
                cmd = rng.choice(EXEC_COMMANDS)
                exec_id = hexid(rng)
                ea = dict(a, execID=exec_id)
                yield "container", f"exec_create: {cmd}", cid, ea, image
                yield "container", f"exec_start: {cmd}", cid, ea, image
                yield "container", "exec_die", cid, dict(ea, exitCode=str(rng.choice([0, 0, 0, 1]))), image
            elif r < 0.75:
                cid, a, image = rng.choice(self.running)
                yield "container", "health_status: " + rng.choice(["healthy", "healthy", "unhealthy"]), cid, a, image
            elif r < 0.85:
                yield "volume", "mount", hexid(rng), {"container": rng.choice(self.running)[0], "destination": "/data",
                                                        "driver": "local", "propagation": "", "read/write": "true"}, None
            else:
                cid, a, image = self.running.pop(rng.randrange(len(self.running)))
                yield "container", "kill", cid, dict(a, signal="15"), image
                yield "container", "die", cid, dict(a, exitCode=str(rng.choice([0, 0, 137, 143]))), image
                yield "network", "disconnect", hexid(rng), {"container": cid, "name": "bridge", "type": "bridge"}, None
                yield "container", "destroy", cid, a, image


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", default="2024-03-01T00:00:00Z")
    ap.add_argument("--legacy-keys", action="store_true")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    start = dt.datetime.fromisoformat(args.start.replace("Z", "+00:00"))
    t_ns = int(start.timestamp()) * 10**9
    node = Node(rng)
    gen = node.events()
    with open(args.out, "w") if args.out != "-" else sys.stdout as out:
        for _ in range(args.n):
            typ, action, actor, attrs, image = next(gen)
            t_ns += rng.randrange(1_000_000, 900_000_000)
            ev = {}
            if args.legacy_keys and typ == "container":
                ev.update(status=action, id=actor, **({"from": image} if image else {}))
            ev.update(Type=typ, Action=action, Actor={"ID": actor, "Attributes": attrs}, scope="local",
                      time=t_ns // 10**9, timeNano=t_ns)
            out.write(json.dumps(ev, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
