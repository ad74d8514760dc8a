#!/usr/bin/env python3
"""Write the host.* regression cases (tests/cases/host/*/): auditd exec
records, docker events and docker inspect output, ECS process events
(tests/tools/hostlog.py), expected.jsonl and a README per case.

usage: build.py [CASES_DIR]     (default: the directory of this script)

Fabrikam runs Docker hosts (docker-01, docker-02) and an AKS node
(aks-node-7) on Monday 2 March 2026. An admin logs in over SSH and uses the
docker CLI; containers run under containerd-shim-runc-v2 as on any current
Docker Engine. Deterministic: the output depends only on this file and the
writers, and is committed.

An expected line may carry "properties": {key: value} (each must equal the
alert's property) and "has": [key, ...] (each must be present), which is how
the cases check that the process chain and the container are in the alert.
"""
import json
import os
import shutil
import sys
from datetime import timedelta

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import hostlog as H  # noqa: E402
import weblog as W  # noqa: E402

T0 = W.at(2026, 3, 2, 9)
CHAIN = ["process_chain", "container_id", "attributed_by"]


def at(minutes, seconds=0):
    return T0 + timedelta(minutes=minutes, seconds=seconds)


class Case:
    def __init__(self, name, story, node="docker-01"):
        self.name, self.story = name, story
        self.host = H.Host(node=node)
        self.ecs = []
        self.expected = []

    def expect(self, type_, entity, props=None, has=None):
        e = {"type": type_, "compromised_entity": entity}
        if props:
            e["properties"] = props
        if has:
            e["has"] = has
        self.expected.append(e)

    def write(self, root):
        d = os.path.join(root, self.name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        with open(os.path.join(d, "README.md"), "w") as f:
            f.write("# %s\n\n%s\n\nWritten by tests/cases/host/build.py.\n" % (self.name, self.story.strip()))
        if self.host.audit.lines:
            with open(os.path.join(d, "audit.log"), "w") as f:
                f.write(self.host.audit_text())
        if self.host.events:
            with open(os.path.join(d, "docker-events.jsonl"), "w") as f:
                f.write(self.host.events_text())
        if self.host.inspects:
            with open(os.path.join(d, "docker-inspect.json"), "w") as f:
                f.write(self.host.inspect_text())
        if self.ecs:
            with open(os.path.join(d, "process-events.jsonl"), "w") as f:
                f.write("".join(self.ecs))
        with open(os.path.join(d, "expected.jsonl"), "w") as f:
            for e in self.expected:
                f.write(json.dumps(e) + "\n")


def booted(name, story, node="docker-01", dockerd_args=None):
    c = Case(name, story, node)
    if dockerd_args:
        c.host.boot(at(0), dockerd_args)
    else:
        c.host.boot(at(0))
    c.host.login(at(1))
    return c


# ---- host.container.privileged ----------------------------------------------

def privileged_run_fires():
    c = booted("privileged-run-fires", """
The admin runs `docker run -d --privileged -v /:/host --name tools alpine
sleep infinity`. The command line raises host.container.privileged at once;
the container's create event is linked to it and raises nothing more.""")
    h = c.host
    h.shell(at(5), ["docker", "run", "-d", "--privileged", "-v", "/:/host", "--name", "tools", "alpine",
                    "sleep", "infinity"])
    h.start(at(5, 1), "tools", "alpine", ["sleep", "infinity"], privileged=True)
    c.expect("host.container.privileged", "docker-01/tools",
             props={"privileged": True, "host_mounts": "/:/host", "privileges_from": "docker run command line"})
    return c


def privileged_inspect_fires():
    c = Case("privileged-inspect-fires", """
No process telemetry: docker events and a `docker inspect` of the running
containers. One container, `netdebug` (nicolaka/netshoot), runs with
HostConfig.Privileged and the host's pid namespace; `web` (nginx) is
ordinary.""")
    h = c.host
    h.start(at(3), "web", "nginx:1.27", ["nginx", "-g", "daemon off;"], processes=False, inspect={})
    h.start(at(4), "netdebug", "nicolaka/netshoot", ["sleep", "infinity"], privileged=True, processes=False,
            inspect={"PidMode": "host"})
    c.expect("host.container.privileged", "netdebug",
             props={"privileged": True, "pid_host": True, "privileges_from": "docker inspect"})
    return c


def privileged_quiet_allowlisted():
    c = booted("privileged-quiet-allowlisted", """
Near miss: the privileged containers on this host are a CNI agent
(calico/node) and Falco, both in detectors.k8s.privileged_image_allowlist,
and an ordinary `docker run -d -p 8080:80 nginx` with a named volume.""")
    h = c.host
    h.shell(at(5), ["docker", "run", "-d", "--privileged", "--net=host", "--name", "calico-node",
                    "calico/node:v3.28.0"])
    h.start(at(5, 1), "calico-node", "calico/node:v3.28.0", ["start_runit"], privileged=True)
    h.shell(at(6), ["docker", "run", "-d", "--privileged", "-v", "/proc:/host/proc:ro", "--name", "falco",
                    "falcosecurity/falco:0.39.0"])
    h.start(at(6, 1), "falco", "falcosecurity/falco:0.39.0", ["/usr/bin/falco"], privileged=True)
    h.shell(at(7), ["docker", "run", "-d", "-p", "8080:80", "-v", "webdata:/usr/share/nginx/html", "--name",
                    "web", "nginx"])
    h.start(at(7, 1), "web", "nginx", ["nginx", "-g", "daemon off;"])
    return c


# ---- host.container.privileged_command -----------------------------------------

def escape_nsenter_fires():
    c = booted("escape-nsenter-fires", """
A privileged container `tools` (started with --privileged --pid=host) gets
a `docker exec` of `nsenter -t 1 -m -u -n -i sh`: the classic way onto the
host. Seen twice, in docker events (exec_start) and in auditd (runc exec ->
nsenter); both fold into one alert on the container, with the process
chain.""")
    h = c.host
    h.shell(at(5), ["docker", "run", "-d", "--privileged", "--pid=host", "--name", "tools", "ubuntu:24.04",
                    "sleep", "infinity"])
    t = h.start(at(5, 1), "tools", "ubuntu:24.04", ["sleep", "infinity"], privileged=True)
    h.shell(at(9), ["docker", "exec", "-it", "tools", "nsenter", "-t", "1", "-m", "-u", "-n", "-i", "sh"])
    h.docker_exec(at(9, 1), t, ["nsenter", "-t", "1", "-m", "-u", "-n", "-i", "sh"])
    c.expect("host.container.privileged", "docker-01/tools")
    c.expect("host.container.privileged_command", "docker-01/tools", has=CHAIN,
             props={"attributed_by": "runtime ancestry"})
    return c


def escape_release_agent_fires():
    c = booted("escape-release-agent-fires", """
Inside a container started with --cap-add SYS_ADMIN and AppArmor off, a
shell mounts a cgroup and writes its release_agent (the CVE-2022-0492
escape). The container's privileges come from its docker inspect record;
there are no docker events.""")
    h = c.host
    t = h.start(at(5), "app", "python:3.12-slim", ["python3", "-m", "http.server"], privileged=False,
                events=False, inspect={"CapAdd": ["SYS_ADMIN"], "SecurityOpt": ["apparmor=unconfined"]})
    sh = h.run_in(at(20), t, t.init_pid, "/bin/sh", ["sh"])
    h.run_in(at(20, 5), t, sh, "/bin/sh",
             ["sh", "-c", "echo /tmp/x.sh > /tmp/cgrp/release_agent && echo 1 > /tmp/cgrp/x/notify_on_release"])
    c.expect("host.container.privileged", "app",
             props={"privileges_from": "docker inspect"})
    c.expect("host.container.privileged_command", "docker-01/app", has=CHAIN,
             props={"signature_list": "detectors.host.escape_arguments"})
    return c


def exec_privileged_fires():
    c = booted("exec-privileged-fires", """
The admin runs `docker exec -it --privileged web bash` into an ordinary
nginx container: the exec gets every capability whatever the container
had.""", node="docker-02")
    h = c.host
    h.shell(at(5), ["docker", "run", "-d", "--name", "web", "nginx"])
    w = h.start(at(5, 1), "web", "nginx", ["nginx", "-g", "daemon off;"])
    h.shell(at(30), ["docker", "exec", "-it", "--privileged", "web", "bash"])
    h.docker_exec(at(30, 1), w, ["bash"])
    c.expect("host.container.privileged_command", "docker-02/web")
    return c


def escape_quiet_csi():
    c = booted("escape-quiet-csi", """
Near miss: the Azure Disk CSI node plugin runs privileged (allowlisted) and
mounts volumes all day; an ordinary container runs `mount` to list its
mounts (not privileged: nothing to escape with).""", node="aks-node-7")
    h = c.host
    img = "mcr.microsoft.com/oss/kubernetes-csi/azuredisk-csi:v1.30.3"
    csi = h.start(at(2), "k8s_azuredisk_csi-azuredisk-node-x7k2p_kube-system", img,
                  ["/azurediskplugin", "--endpoint=unix:///csi/csi.sock"], privileged=True,
                  labels={"io.kubernetes.pod.name": "csi-azuredisk-node-x7k2p",
                          "io.kubernetes.pod.namespace": "kube-system",
                          "io.kubernetes.container.name": "azuredisk"},
                  inspect={"Binds": ["/var/lib/kubelet:/var/lib/kubelet:rshared", "/dev:/dev"]})
    for i in range(3):
        h.run_in(at(10 + i), csi, csi.init_pid, "/usr/bin/mount",
                 ["mount", "-t", "ext4", "-o", "defaults", "/dev/sdc", "/var/lib/kubelet/plugins/pv-%d" % i])
    app = h.start(at(3), "k8s_api_shop-api-5d8c7_shop", "fabrikam.azurecr.io/shop-api:2.4.1",
                  ["/app/server"], labels={"io.kubernetes.pod.name": "shop-api-5d8c7",
                                           "io.kubernetes.pod.namespace": "shop"}, inspect={})
    h.run_in(at(15), app, app.init_pid, "/usr/bin/mount", ["mount"])
    return c


# ---- host.docker.exposed_daemon -----------------------------------------------

def exposed_daemon_fires():
    c = Case("exposed-daemon-fires", """
dockerd is started with `-H fd:// -H tcp://0.0.0.0:2375` and no TLS: the
Docker API is open to anyone who can reach port 2375.""", node="docker-02")
    c.host.boot(at(0), ["-H", "fd://", "-H", "tcp://0.0.0.0:2375", "--containerd=/run/containerd/containerd.sock"])
    c.expect("host.docker.exposed_daemon", "docker-02/dockerd",
             props={"plain_port_2375": True, "tls": False, "tcp_hosts": ["tcp://0.0.0.0:2375"]})
    return c


def exposed_daemon_quiet():
    c = Case("exposed-daemon-quiet", """
Near misses: dockerd on docker-01 listens on loopback only
(tcp://127.0.0.1:2375, for a local tool); dockerd on docker-02 listens on
every interface with --tlsverify (clients need a certificate).""")
    c.host.boot(at(0), ["-H", "unix:///var/run/docker.sock", "-H", "tcp://127.0.0.1:2375"])
    other = H.Host(node="docker-02", first_pid=5000)
    other.boot(at(1), ["--tlsverify", "--tlscacert=/etc/docker/ca.pem", "--tlscert=/etc/docker/server.pem",
                       "--tlskey=/etc/docker/server-key.pem", "-H=0.0.0.0:2376"])
    c.host.audit.lines += other.audit.lines
    return c


# ---- host.container.ssh_server -------------------------------------------------

def ssh_fires():
    c = booted("ssh-fires", """
Someone installed OpenSSH into a running ubuntu container and started
`/usr/sbin/sshd -D` from a docker exec shell.""")
    h = c.host
    h.shell(at(5), ["docker", "run", "-d", "--name", "app", "ubuntu:24.04", "sleep", "infinity"])
    a = h.start(at(5, 1), "app", "ubuntu:24.04", ["sleep", "infinity"])
    sh = h.docker_exec(at(40), a, ["bash"])
    h.run_in(at(41), a, sh, "/usr/bin/apt-get", ["apt-get", "install", "-y", "openssh-server"])
    h.run_in(at(44), a, sh, "/usr/sbin/sshd", ["/usr/sbin/sshd", "-D"])
    c.expect("host.container.ssh_server", "docker-01/app", has=CHAIN)
    return c


def ssh_fires_ecs():
    c = Case("ssh-fires-ecs", """
The same in ECS process events (Elastic Agent): the event carries
container.id, image and name, so no ancestry is needed. dropbear started in
a redis container.""")
    cid = H.container_id("cache")
    c.ecs.append(H.ecs_process(at(3), "docker-03", 3101, 3001, "/usr/local/bin/redis-server",
                               ["redis-server", "*:6379"], user="redis", container=(cid, "redis:7.4", "cache")))
    c.ecs.append(H.ecs_process(at(30), "docker-03", 3150, 3101, "/usr/sbin/dropbear",
                               ["dropbear", "-F", "-E", "-p", "2222"], container=(cid, "redis:7.4", "cache"),
                               parent="/usr/local/bin/redis-server"))
    c.expect("host.container.ssh_server", "docker-03/cache",
             props={"attributed_by": "container id in the event", "image": "redis:7.4"})
    return c


def ssh_quiet():
    c = booted("ssh-quiet", """
Near misses: a Gitea container (gitea/gitea, allowlisted) runs its own sshd
for git over SSH; the host's own sshd accepts the admin's login (not in a
container).""")
    h = c.host
    h.shell(at(5), ["docker", "run", "-d", "--name", "gitea", "-p", "2222:22", "gitea/gitea:1.22"])
    g = h.start(at(5, 1), "gitea", "gitea/gitea:1.22", ["/usr/bin/entrypoint"])
    h.run_in(at(5, 3), g, g.init_pid, "/usr/sbin/sshd", ["/usr/sbin/sshd", "-D", "-e"])
    h.exec(at(50), "/usr/sbin/sshd", ["/usr/sbin/sshd", "-D", "-R"], 1)
    return c


# ---- host.container.miner_image --------------------------------------------------

def miner_image_fires():
    c = Case("miner-image-fires", """
docker events only: a container named `updater` is created and started
from xmrig/xmrig:latest (someone with access to the Docker API).""")
    c.host.start(at(12), "updater", "xmrig/xmrig:latest", ["xmrig"], processes=False)
    c.expect("host.container.miner_image", "updater",
             props={"image": "xmrig/xmrig:latest"})
    return c


def miner_process_fires():
    c = booted("miner-process-fires", """
A compromised web container (php:8.3-apache) downloads a binary into
/tmp, renames it to look harmless and runs it with a stratum pool URL: the
image is clean, the command line is not.""")
    h = c.host
    h.shell(at(5), ["docker", "run", "-d", "--name", "blog", "php:8.3-apache"])
    b = h.start(at(5, 1), "blog", "php:8.3-apache", ["apache2-foreground"])
    sh = h.run_in(at(60), b, b.init_pid, "/bin/sh", ["sh", "-c", "cd /tmp && ./kworkerds"])
    h.run_in(at(60, 1), b, sh, "/tmp/kworkerds",
             ["./kworkerds", "-o", "stratum+tcp://pool.supportxmr.com:3333", "-u", "44AFFq5kSiGBoZ", "-k"])
    c.expect("host.container.miner_image", "docker-01/blog", has=CHAIN)
    return c


def miner_quiet():
    c = booted("miner-quiet", """
Near miss: images whose names only contain a miner word inside another
word (myxmrigtool is not xmrig), and a build container compiling a project
called `minerva`.""")
    h = c.host
    h.shell(at(5), ["docker", "run", "--rm", "--name", "build", "fabrikam/myxmrigtool-docs:1.0", "make"])
    b = h.start(at(5, 1), "build", "fabrikam/myxmrigtool-docs:1.0", ["make"])
    h.run_in(at(6), b, b.init_pid, "/usr/bin/gcc", ["gcc", "-O2", "-o", "minerva", "minerva.c"])
    return c


# ---- host.k8s_api.suspicious_request ------------------------------------------------

POD = {"io.kubernetes.pod.name": "shop-api-5d8c7", "io.kubernetes.pod.namespace": "shop",
       "io.kubernetes.container.name": "api"}
TOKEN = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c2hvcDpkZWZhdWx0In0.c2ln"


def api_curl_fires():
    c = Case("api-curl-fires", """
In the shop-api pod on an AKS node, a shell runs curl with the pod's
service-account token against the API server, listing secrets in
kube-system.""", node="aks-node-7")
    h = c.host
    h.containerd = h.exec(at(0), "/usr/bin/containerd", ["/usr/bin/containerd"], 1)
    api = h.start(at(1), "k8s_api_shop-api-5d8c7_shop", "fabrikam.azurecr.io/shop-api:2.4.1", ["/app/server"],
                  labels=POD)
    sh = h.run_in(at(30), api, api.init_pid, "/bin/sh", ["/bin/sh"])
    h.run_in(at(31), api, sh, "/usr/bin/curl",
             ["curl", "-sk", "-H", "Authorization: Bearer " + TOKEN,
              "https://kubernetes.default.svc/api/v1/namespaces/kube-system/secrets"])
    c.expect("host.k8s_api.suspicious_request", "aks-node-7/k8s_api_shop-api-5d8c7_shop", has=CHAIN,
             props={"client": "HTTP client with a token", "pod": "shop-api-5d8c7", "namespace": "shop"})
    return c


def api_kubectl_fires():
    c = booted("api-kubectl-fires", """
`docker exec` into a container to run `kubectl get secrets -A`: seen only
in docker events (no process telemetry on this host).""")
    h = c.host
    a = h.start(at(2), "jobs", "fabrikam/jobs:5.1", ["/jobs"], processes=False)
    h.docker_exec(at(20), a, ["kubectl", "get", "secrets", "-A", "-o", "yaml"], processes=False)
    c.expect("host.k8s_api.suspicious_request", "jobs",
             props={"client": "kubernetes client", "seen_in": "docker exec event"})
    return c


def api_quiet():
    c = Case("api-quiet", """
Near misses: a Flux controller (ghcr.io/fluxcd/, allowlisted) runs kubectl
with its token; a pod in kube-system queries the API with curl; an app
container calls an external API with a bearer token (not the API server);
kubectl on the node itself (an admin, not a container).""", node="aks-node-7")
    h = c.host
    h.containerd = h.exec(at(0), "/usr/bin/containerd", ["/usr/bin/containerd"], 1)
    flux = h.start(at(1), "k8s_manager_kustomize-controller-7f9_flux-system",
                   "ghcr.io/fluxcd/kustomize-controller:v1.4.0", ["kustomize-controller"],
                   labels={"io.kubernetes.pod.name": "kustomize-controller-7f9",
                           "io.kubernetes.pod.namespace": "flux-system"})
    h.run_in(at(10), flux, flux.init_pid, "/usr/local/bin/kubectl",
             ["kubectl", "apply", "--token", TOKEN, "-f", "/tmp/manifests"])
    sysd = h.start(at(2), "k8s_probe_node-probe-x1_kube-system", "fabrikam.azurecr.io/node-probe:1.0", ["/probe"],
                   labels={"io.kubernetes.pod.name": "node-probe-x1", "io.kubernetes.pod.namespace": "kube-system"})
    h.run_in(at(11), sysd, sysd.init_pid, "/usr/bin/curl",
             ["curl", "-sk", "-H", "Authorization: Bearer " + TOKEN, "https://kubernetes.default.svc/healthz"])
    app = h.start(at(3), "k8s_api_shop-api-5d8c7_shop", "fabrikam.azurecr.io/shop-api:2.4.1", ["/app/server"],
                  labels=POD)
    h.run_in(at(12), app, app.init_pid, "/usr/bin/curl",
             ["curl", "-s", "-H", "Authorization: Bearer sk_live_51H", "https://api.stripe.com/v1/charges"])
    h.exec(at(13), "/usr/local/bin/kubectl", ["kubectl", "get", "nodes"], 1, uid=1000)
    return c


# ---- host.k8s_dashboard.suspicious_request ---------------------------------------------

def dashboard_fires():
    c = Case("dashboard-fires", """
From the shop-api pod, a shell asks the Kubernetes dashboard for a CSRF
token and logs in with a stolen token: the first steps of using the
dashboard to reach other workloads.""", node="aks-node-7")
    h = c.host
    h.containerd = h.exec(at(0), "/usr/bin/containerd", ["/usr/bin/containerd"], 1)
    api = h.start(at(1), "k8s_api_shop-api-5d8c7_shop", "fabrikam.azurecr.io/shop-api:2.4.1", ["/app/server"],
                  labels=POD)
    sh = h.run_in(at(30), api, api.init_pid, "/bin/sh", ["/bin/sh"])
    h.run_in(at(31), api, sh, "/usr/bin/wget",
             ["wget", "-qO-", "--no-check-certificate",
              "https://kubernetes-dashboard.kubernetes-dashboard.svc.cluster.local/api/v1/csrftoken/login"])
    c.expect("host.k8s_dashboard.suspicious_request", "aks-node-7/k8s_api_shop-api-5d8c7_shop", has=CHAIN)
    return c


def dashboard_node_fires():
    c = booted("dashboard-node-fires", """
On the node itself, outside any container, a process curls the dashboard
through the API server proxy path.""", node="aks-node-7")
    c.host.shell(at(10), ["curl", "-sk", "http://127.0.0.1:8001/api/v1/namespaces/kubernetes-dashboard/services/"
                          "https:kubernetes-dashboard:/proxy/"])
    c.expect("host.k8s_dashboard.suspicious_request", "aks-node-7/node", props={"in_container": False})
    return c


def dashboard_quiet():
    c = Case("dashboard-quiet", """
Near misses: the dashboard's own metrics scraper (kubernetesui/, allowlisted)
and an ingress controller probing the dashboard's backend; an app fetching
its own /api/v1/login.""", node="aks-node-7")
    h = c.host
    h.containerd = h.exec(at(0), "/usr/bin/containerd", ["/usr/bin/containerd"], 1)
    s = h.start(at(1), "k8s_scraper_dashboard-metrics-scraper-5c_kubernetes-dashboard",
                "kubernetesui/metrics-scraper:v1.0.9", ["/metrics-sidecar"],
                labels={"io.kubernetes.pod.name": "dashboard-metrics-scraper-5c",
                        "io.kubernetes.pod.namespace": "kubernetes-dashboard"})
    h.run_in(at(5), s, s.init_pid, "/usr/bin/wget",
             ["wget", "-qO-", "https://kubernetes-dashboard.kubernetes-dashboard.svc/api/v1/login/status"])
    ing = h.start(at(2), "k8s_controller_ingress-nginx-controller-6b_ingress-nginx",
                  "registry.k8s.io/ingress-nginx/controller:v1.11.2", ["/nginx-ingress-controller"],
                  labels={"io.kubernetes.pod.name": "ingress-nginx-controller-6b",
                          "io.kubernetes.pod.namespace": "ingress-nginx"})
    h.run_in(at(6), ing, ing.init_pid, "/usr/bin/curl",
             ["curl", "-s", "https://kubernetes-dashboard.kubernetes-dashboard.svc/"])
    app = h.start(at(3), "k8s_web_portal-77_portal", "fabrikam.azurecr.io/portal:3.0", ["/portal"],
                  labels={"io.kubernetes.pod.name": "portal-77", "io.kubernetes.pod.namespace": "portal"})
    h.run_in(at(7), app, app.init_pid, "/usr/bin/curl", ["curl", "-s", "http://localhost:3000/api/v1/loginform"])
    return c


def quiet_day():
    c = booted("quiet-day", """
An ordinary day on a Docker host: the admin pulls and runs nginx and redis,
checks logs, runs `docker exec web ls`, restarts a container; inside, the
services start their workers. Nothing may fire.""")
    h = c.host
    h.shell(at(2), ["docker", "pull", "nginx:1.27"])
    h.shell(at(3), ["docker", "run", "-d", "--name", "web", "-p", "80:80", "nginx:1.27"])
    w = h.start(at(3, 1), "web", "nginx:1.27", ["nginx", "-g", "daemon off;"])
    h.shell(at(4), ["docker", "run", "-d", "--name", "cache", "redis:7.4"])
    r = h.start(at(4, 1), "cache", "redis:7.4", ["redis-server"])
    h.run_in(at(4, 2), r, r.init_pid, "/usr/local/bin/redis-check-aof", ["redis-check-aof", "--fix", "x.aof"])
    h.shell(at(6), ["docker", "logs", "--tail", "50", "web"])
    h.shell(at(7), ["docker", "exec", "web", "ls", "/etc/nginx"])
    h.docker_exec(at(7, 1), w, ["ls", "/etc/nginx"])
    h.stop(at(20), r)
    h.shell(at(21), ["curl", "-s", "https://download.docker.com/linux/debian/gpg"])
    return c


CASES = [privileged_run_fires, privileged_inspect_fires, privileged_quiet_allowlisted, escape_nsenter_fires,
         escape_release_agent_fires, exec_privileged_fires, escape_quiet_csi, exposed_daemon_fires,
         exposed_daemon_quiet, ssh_fires, ssh_fires_ecs, ssh_quiet, miner_image_fires, miner_process_fires,
         miner_quiet, api_curl_fires, api_kubectl_fires, api_quiet, dashboard_fires, dashboard_node_fires,
         dashboard_quiet, quiet_day]


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for make in CASES:
        make().write(root)


if __name__ == "__main__":
    main()
