"""Writers for container-host telemetry, as a Docker host produces it:
auditd exec records (weblog.Audit), `docker events --format '{{json .}}'`
lines, `docker inspect` output, and ECS process events.

A Host hands out pids and keeps the process tree a real host would have:
systemd -> containerd -> containerd-shim-runc-v2 (one per container, named
by -id) -> the container's first process -> its children; dockerd beside
containerd; docker CLI commands from an admin's bash. Times are datetimes
(UTC); every writer is deterministic.
"""
import hashlib
import json
import os
import sys
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import weblog as W  # noqa: E402

SHIM = "/usr/bin/containerd-shim-runc-v2"
RUNC = "/usr/bin/runc"


def container_id(seed):
    """A 64-hex container id derived from a name, as stable as the case."""
    return hashlib.sha256(seed.encode()).hexdigest()


def rfc3339(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%06d000Z" % t.microsecond


class Container:
    def __init__(self, cid, name, image, labels, shim_pid, init_pid, privileged):
        self.id, self.name, self.image, self.labels = cid, name, image, labels
        self.shim_pid, self.init_pid, self.privileged = shim_pid, init_pid, privileged


class Host:
    def __init__(self, node=None, first_pid=900):
        self.node = node
        self.audit = W.Audit()
        self.events = []            # docker events JSON lines
        self.inspects = []          # docker inspect objects
        self.next_pid = first_pid
        self.containerd = self.dockerd = self.bash = None

    def pid(self):
        self.next_pid += 1
        return self.next_pid

    def exec(self, t, exe, args, ppid, uid=0, pid=None, cwd="/"):
        pid = pid or self.pid()
        self.audit.execve(t, pid, ppid, exe, args, uid=uid, auid=4294967295 if uid == 0 else uid, cwd=cwd,
                          node=self.node)
        return pid

    # ---- the host's own processes ----------------------------------------

    def boot(self, t, dockerd_args=("-H", "fd://", "--containerd=/run/containerd/containerd.sock")):
        self.containerd = self.exec(t, "/usr/bin/containerd", ["/usr/bin/containerd"], 1)
        self.dockerd = self.exec(t + timedelta(seconds=1), "/usr/bin/dockerd", ["/usr/bin/dockerd", *dockerd_args], 1)
        return self.dockerd

    def login(self, t, uid=1000):
        sshd = self.exec(t, "/usr/sbin/sshd", ["sshd: admin [priv]"], 1)
        self.bash = self.exec(t + timedelta(seconds=1), "/usr/bin/bash", ["-bash"], sshd, uid=uid)
        return self.bash

    def shell(self, t, args, exe=None, uid=1000):
        """A command the admin types (docker ..., curl ..., kubectl ...)."""
        exe = exe or "/usr/bin/" + args[0].rsplit("/", 1)[-1]
        return self.exec(t, exe, args, self.bash or 1, uid=uid)

    # ---- containers ------------------------------------------------------

    def _event(self, t, action, c, extra=None, typ="container"):
        attrs = dict(c.labels)
        attrs.update({"image": c.image, "name": c.name})
        if extra:
            attrs.update(extra)
        ns = int(t.timestamp()) * 1_000_000_000 + t.microsecond * 1000
        self.events.append({"status": action, "id": c.id, "from": c.image, "Type": typ, "Action": action,
                            "Actor": {"ID": c.id, "Attributes": attrs}, "scope": "local",
                            "time": int(t.timestamp()), "timeNano": ns})

    def start(self, t, name, image, cmd, labels=None, privileged=False, events=True, processes=True,
              inspect=None, cid=None):
        """A container started: docker events create/start (events), the
        shim and the first process in auditd (processes), and a docker
        inspect record (inspect: a dict of HostConfig overrides, or None)."""
        c = Container(cid or container_id(name + image), name, image, labels or {}, None, None, privileged)
        if events:
            self._event(t, "create", c)
            self._event(t + timedelta(milliseconds=300), "start", c)
        if processes:
            c.shim_pid = self.exec(t + timedelta(milliseconds=100), SHIM,
                                   [SHIM, "-namespace", "moby", "-id", c.id, "-address",
                                    "/run/containerd/containerd.sock"], self.containerd or 1)
            c.init_pid = self.exec(t + timedelta(milliseconds=250), cmd[0] if cmd[0].startswith("/") else
                                   "/usr/bin/" + cmd[0], cmd, c.shim_pid)
        if inspect is not None:
            self.inspects.append(self.inspect_record(t, c, cmd, inspect))
        return c

    def inspect_record(self, t, c, cmd, host_config):
        hc = {"Privileged": c.privileged, "CapAdd": None, "PidMode": "", "NetworkMode": "bridge", "IpcMode": "private",
              "UsernsMode": "", "SecurityOpt": None, "Binds": None, "Devices": []}
        hc.update(host_config)
        return {"Id": c.id, "Created": rfc3339(t - timedelta(seconds=1)), "Path": cmd[0], "Args": cmd[1:],
                "State": {"Status": "running", "Running": True, "Pid": c.init_pid or 0, "ExitCode": 0,
                          "StartedAt": rfc3339(t)},
                "Image": "sha256:" + hashlib.sha256(c.image.encode()).hexdigest(), "Name": "/" + c.name,
                "HostConfig": hc, "Mounts": [],
                "Config": {"Hostname": c.id[:12], "User": "", "Env": ["PATH=/usr/local/sbin:/usr/bin"],
                           "Cmd": cmd, "Image": c.image, "Entrypoint": None, "Labels": c.labels}}

    def run_in(self, t, c, parent, exe, args, uid=0):
        """A process inside container c started by parent (a pid in it)."""
        return self.exec(t, exe, args, parent, uid=uid)

    def docker_exec(self, t, c, args, events=True, processes=True, uid=0):
        """docker exec: exec_create/exec_start events and, in auditd, runc
        exec under the shim, then the command under runc."""
        exec_id = hashlib.sha256((c.id + repr(args) + str(t)).encode()).hexdigest()
        if events:
            self._event(t, "exec_create: " + " ".join(args), c, {"execID": exec_id})
            self._event(t + timedelta(milliseconds=50), "exec_start: " + " ".join(args), c, {"execID": exec_id})
        if not processes:
            return None
        runc = self.exec(t + timedelta(milliseconds=60), RUNC,
                         ["runc", "--root", "/var/run/docker/runtime-runc/moby", "--log",
                          "/run/containerd/io.containerd.runtime.v2.task/moby/%s/log.json" % c.id, "--log-format",
                          "json", "exec", "--process", "/tmp/runc-process%d" % self.next_pid, "--detach",
                          "--pid-file", "/run/containerd/io.containerd.runtime.v2.task/moby/%s/%s.pid" % (c.id, exec_id),
                          c.id], c.shim_pid)
        exe = args[0] if args[0].startswith("/") else "/usr/bin/" + args[0]
        return self.exec(t + timedelta(milliseconds=80), exe, args, runc, uid=uid)

    def stop(self, t, c):
        self._event(t, "die", c, {"exitCode": "0"})
        self._event(t + timedelta(milliseconds=200), "destroy", c)

    # ---- output ------------------------------------------------------------

    def audit_text(self):
        return self.audit.text()

    def events_text(self):
        return "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in self.events)

    def inspect_text(self):
        return json.dumps(self.inspects, indent=4) + "\n"


def ecs_process(t, host, pid, ppid, exe, args, user="root", container=None, parent=None):
    """One ECS process-start event (Auditbeat / Elastic Agent style);
    container: (id, image, name) or None."""
    rec = {"@timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000),
           "event": {"category": ["process"], "type": ["start"], "kind": "event"},
           "host": {"name": host, "os": {"type": "linux"}},
           "process": {"pid": pid, "executable": exe, "name": exe.rsplit("/", 1)[-1], "args": args,
                       "command_line": " ".join(args), "parent": {"pid": ppid}},
           "user": {"name": user}}
    if parent:
        rec["process"]["parent"].update({"executable": parent, "name": parent.rsplit("/", 1)[-1]})
    if container:
        rec["container"] = {"id": container[0], "image": {"name": container[1]}, "name": container[2]}
    return json.dumps(rec, separators=(",", ":")) + "\n"
