#!/usr/bin/env python3
"""Write vigil's demo estate: Kubernetes API server audit logs of two clusters,
the flow records, VM inventory and threat intel of the Azure VMs beside
them (demo/network.py), and the subscription's activity log with the GeoIP
and TOR data its location analytics use (demo/management.py).

usage: generate.py OUTDIR

Writes OUTDIR/history/* (eight days of ordinary life; seven weeks of the activity log), OUTDIR/today/* (one
more day, with attacks in it), OUTDIR/network/* (inventory and intel) and
OUTDIR/manifest.tsv: "@OPTION<TAB>VALUE" lines for the options every scan
takes (@inventory FILE, @intel [LABEL=]FILE, @geoip FILE.mmdb), then one "PHASE<TAB>FILE" line
per file (paths relative to OUTDIR), phases in the order they are to be
scanned with one shared --state directory. demo/README.md tells the story
and the alerts it should raise.

Python 3 standard library only. Seeded: the same OUTDIR contents every run,
whatever the date or the machine.
"""
import copy
import gzip
import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone

import appservice
import host
import keyvault
import management
import network

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
US = 1_000_000
MINUTE = 60 * US
HOUR = 60 * MINUTE
DAY = 24 * HOUR


def us_of(text):
    """'2026-03-03T09:14:03Z' -> microseconds since the epoch."""
    d = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return (d - _EPOCH) // timedelta(microseconds=1)


_DAYS = {}


def ts_s(t):
    """RFC 3339 to the second, as object metadata carries them."""
    day, sec = divmod(t // US, 86400)
    d = _DAYS.get(day)
    if d is None:
        d = _DAYS[day] = (_EPOCH + timedelta(days=day)).strftime("%Y-%m-%dT")
    return "%s%02d:%02d:%02dZ" % (d, sec // 3600, sec // 60 % 60, sec % 60)


def ts(t):
    """RFC 3339 with microseconds, as the API server writes them."""
    return "%s.%06dZ" % (ts_s(t)[:-1], t % US)


def uid(rng):
    """A random (version 4) UUID, as str(uuid.UUID(int=..., version=4)) writes it."""
    n = rng.getrandbits(128)
    n = (n & ~(0xc000 << 48) | (0x8000 << 48)) & ~(0xf000 << 64) | (4 << 76)
    h = "%032x" % n
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def suffix(rng, n=5, alphabet="bcdfghjklmnpqrstvwxz2456789"):
    """The random suffix Kubernetes appends to generated names."""
    return "".join(rng.choice(alphabet) for _ in range(n))


def pod_template_hash(rng):
    return "".join(rng.choice("0123456789bcdf") for _ in range(rng.choice((9, 10))))


# ---- who makes requests ---------------------------------------------------


class Actor:
    """A requester: user info as the authenticator reports it, where it comes
    from, the client it uses and the RBAC reason that lets it through."""

    def __init__(self, username, groups, ua, ips, reason="", uid_=None, extra=None):
        self.username = username
        self.groups = groups
        self.ua = ua
        self.ips = ips
        self.reason = reason
        self.uid = uid_
        self.extra = extra

    def user(self):
        u = {"username": self.username}
        if self.uid:
            u["uid"] = self.uid
        u["groups"] = list(self.groups)
        if self.extra:
            u["extra"] = {k: list(v) for k, v in self.extra.items()}
        return u


def person(upn, oid, groups, ip, kubectl="kubectl/v1.30.2 (linux/amd64) kubernetes/3968350", admin_binding=None):
    """An Entra ID user signed in through kubelogin."""
    reason = ('RBAC: allowed by ClusterRoleBinding "%s" of ClusterRole "cluster-admin" to Group "%s"'
              % (admin_binding, groups[0])) if admin_binding else ""
    return Actor(upn, list(groups) + ["system:authenticated"], kubectl, [ip], reason, uid_=oid,
                 extra={"oid": [oid]})


def service_account(ns, name, sa_uid, ip, ua, reason="", node=None, rng=None):
    extra = {"authentication.kubernetes.io/credential-id": ["JTI=%s" % (uid(rng) if rng else sa_uid)]}
    if node:
        extra["authentication.kubernetes.io/node-name"] = [node]
        extra["authentication.kubernetes.io/pod-name"] = ["%s-%s" % (name, suffix(rng or random.Random(1)))]
    return Actor("system:serviceaccount:%s:%s" % (ns, name),
                 ["system:serviceaccounts", "system:serviceaccounts:%s" % ns, "system:authenticated"],
                 ua, [ip], reason, uid_=sa_uid, extra=extra)


def controller(name, version, ip, build="55019c8"):
    """A kube-controller-manager loop, with its own service account."""
    return Actor("system:serviceaccount:kube-system:%s" % name,
                 ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"],
                 "kube-controller-manager/%s (linux/amd64) kubernetes/%s/system:serviceaccount:kube-system:%s"
                 % (version, build, name), [ip],
                 'RBAC: allowed by ClusterRoleBinding "system:controller:%s" of ClusterRole '
                 '"system:controller:%s" to ServiceAccount "%s/kube-system"' % (name, name, name))


def node_actor(node, version, ip, build="55019c8"):
    return Actor("system:node:%s" % node, ["system:nodes", "system:authenticated"],
                 "kubelet/%s (linux/amd64) kubernetes/%s" % (version, build), [ip], "")


def scheduler(version, ip, build="55019c8"):
    return Actor("system:kube-scheduler", ["system:authenticated"],
                 "kube-scheduler/%s (linux/amd64) kubernetes/%s/scheduler" % (version, build), [ip],
                 'RBAC: allowed by ClusterRoleBinding "system:kube-scheduler" of ClusterRole '
                 '"system:kube-scheduler" to User "system:kube-scheduler"')


def apiserver(ip="::1", version="v1.29.4", build="55019c8"):
    return Actor("system:apiserver", ["system:authenticated", "system:masters"],
                 "kube-apiserver/%s (linux/amd64) kubernetes/%s" % (version, build), [ip], "")


# ---- objects ---------------------------------------------------------------


def container(name, image, *, privileged=None, command=None, args=None, ports=None, env=None, mounts=None,
              caps=None, resources=None, run_as_root=False, read_only_root=None):
    c = {"name": name, "image": image}
    if command:
        c["command"] = list(command)
    if args:
        c["args"] = list(args)
    if ports:
        c["ports"] = [{"containerPort": p, "protocol": "TCP"} if isinstance(p, int) else p for p in ports]
    if env:
        c["env"] = [{"name": k, "value": v} for k, v in env]
    if resources:
        c["resources"] = resources
    if mounts:
        c["volumeMounts"] = [dict(m) for m in mounts]
    sc = {}
    if privileged is not None:
        sc["privileged"] = privileged
    if caps:
        sc["capabilities"] = {"add": list(caps)}
    if read_only_root is not None:
        sc["readOnlyRootFilesystem"] = read_only_root
    if privileged is False:
        sc["allowPrivilegeEscalation"] = False
        sc["runAsNonRoot"] = True
    if run_as_root:
        sc["runAsUser"] = 0
    if sc:
        c["securityContext"] = sc
    return c


def mount(name, path, read_only=None):
    m = {"name": name, "mountPath": path}
    if read_only is not None:
        m["readOnly"] = read_only
    return m


def host_path(name, path, type_=None):
    hp = {"path": path}
    if type_:
        hp["type"] = type_
    return {"name": name, "hostPath": hp}


def podspec(containers, *, volumes=None, init=None, host_network=None, host_pid=None, sa=None,
            node_selector=None, tolerations=None, restart=None, priority_class=None, node_name=None):
    s = {}
    if volumes:
        s["volumes"] = volumes
    if init:
        s["initContainers"] = init
    s["containers"] = containers
    if restart:
        s["restartPolicy"] = restart
    if node_selector:
        s["nodeSelector"] = node_selector
    if sa:
        s["serviceAccountName"] = sa
    if node_name:
        s["nodeName"] = node_name
    if host_network:
        s["hostNetwork"] = True
    if host_pid:
        s["hostPID"] = True
    if tolerations:
        s["tolerations"] = tolerations
    if priority_class:
        s["priorityClassName"] = priority_class
    return s


def metadata(name=None, ns=None, labels=None, annotations=None, generate_name=None, owner=None):
    m = {}
    if name:
        m["name"] = name
    if generate_name:
        m["generateName"] = generate_name
    if ns:
        m["namespace"] = ns
    if labels:
        m["labels"] = dict(labels)
    if annotations:
        m["annotations"] = dict(annotations)
    if owner:
        m["ownerReferences"] = [owner]
    return m


def owner_ref(kind, name, owner_uid, api_version="apps/v1"):
    return {"apiVersion": api_version, "kind": kind, "name": name, "uid": owner_uid, "controller": True,
            "blockOwnerDeletion": True}


def pod(name, ns, spec, labels=None, annotations=None, generate_name=None, owner=None):
    return {"kind": "Pod", "apiVersion": "v1",
            "metadata": metadata(name, ns, labels, annotations, generate_name, owner), "spec": spec}


def _template(labels, spec, annotations=None):
    md = {"labels": dict(labels)}
    if annotations:
        md["annotations"] = dict(annotations)
    return {"metadata": md, "spec": spec}


def deployment(name, ns, labels, spec, replicas=2, annotations=None):
    return {"kind": "Deployment", "apiVersion": "apps/v1",
            "metadata": metadata(name, ns, labels, annotations),
            "spec": {"replicas": replicas, "selector": {"matchLabels": dict(labels)},
                     "template": _template(labels, spec)}}


def replicaset(name, ns, labels, spec, replicas, owner):
    return {"kind": "ReplicaSet", "apiVersion": "apps/v1",
            "metadata": metadata(name, ns, labels, {"deployment.kubernetes.io/desired-replicas": str(replicas),
                                                    "deployment.kubernetes.io/max-replicas": str(replicas + 1),
                                                    "deployment.kubernetes.io/revision": "1"}, owner=owner),
            "spec": {"replicas": replicas, "selector": {"matchLabels": dict(labels)},
                     "template": _template(labels, spec)}}


def daemonset(name, ns, labels, spec):
    return {"kind": "DaemonSet", "apiVersion": "apps/v1", "metadata": metadata(name, ns, labels),
            "spec": {"selector": {"matchLabels": dict(labels)}, "template": _template(labels, spec),
                     "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}}}}


def cronjob(name, ns, schedule, spec, labels=None):
    return {"kind": "CronJob", "apiVersion": "batch/v1", "metadata": metadata(name, ns, labels),
            "spec": {"schedule": schedule, "concurrencyPolicy": "Forbid",
                     "jobTemplate": {"spec": {"backoffLimit": 1,
                                              "template": {"metadata": {}, "spec": spec}}}}}


def service(name, ns, selector, ports, type_=None, labels=None, annotations=None, source_ranges=None,
            external_ips=None):
    spec = {"ports": [dict(p) for p in ports], "selector": dict(selector)}
    if type_:
        spec["type"] = type_
    if source_ranges:
        spec["loadBalancerSourceRanges"] = list(source_ranges)
    if external_ips:
        spec["externalIPs"] = list(external_ips)
    return {"kind": "Service", "apiVersion": "v1", "metadata": metadata(name, ns, labels, annotations),
            "spec": spec}


def port(p, target, name=None, protocol="TCP", node_port=None):
    d = {}
    if name:
        d["name"] = name
    d["protocol"] = protocol
    d["port"] = p
    d["targetPort"] = target
    if node_port:
        d["nodePort"] = node_port
    return d


def ingress(name, ns, host, backend, backend_port, tls_secret=None, class_name="nginx", annotations=None):
    spec = {"ingressClassName": class_name}
    if tls_secret:
        spec["tls"] = [{"hosts": [host], "secretName": tls_secret}]
    spec["rules"] = [{"host": host, "http": {"paths": [
        {"path": "/", "pathType": "Prefix",
         "backend": {"service": {"name": backend, "port": {"number": backend_port}}}}]}}]
    return {"kind": "Ingress", "apiVersion": "networking.k8s.io/v1",
            "metadata": metadata(name, ns, None, annotations), "spec": spec}


def rule(groups, resources, verbs, names=None):
    r = {"verbs": list(verbs), "apiGroups": list(groups), "resources": list(resources)}
    if names:
        r["resourceNames"] = list(names)
    return r


def clusterrole(name, rules, labels=None, annotations=None):
    return {"kind": "ClusterRole", "apiVersion": "rbac.authorization.k8s.io/v1",
            "metadata": metadata(name, None, labels, annotations), "rules": rules}


def role(name, ns, rules, labels=None):
    return {"kind": "Role", "apiVersion": "rbac.authorization.k8s.io/v1",
            "metadata": metadata(name, ns, labels), "rules": rules}


def subject(kind, name, ns=None):
    s = {"kind": kind}
    if kind != "ServiceAccount":
        s["apiGroup"] = "rbac.authorization.k8s.io"
    s["name"] = name
    if ns:
        s["namespace"] = ns
    return s


def clusterrolebinding(name, role_name, subjects, labels=None):
    return {"kind": "ClusterRoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1",
            "metadata": metadata(name, None, labels), "subjects": subjects,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role_name}}


def rolebinding(name, ns, role_kind, role_name, subjects):
    return {"kind": "RoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1",
            "metadata": metadata(name, ns), "subjects": subjects,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role_name}}


# ---- what the API server stores ---------------------------------------------

_DEFAULT_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
]


def _default_container(c):
    c.setdefault("resources", {})
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    tag = c["image"].rsplit("/", 1)[-1]
    c.setdefault("imagePullPolicy", "Always" if (":" not in tag or tag.endswith(":latest")) else "IfNotPresent")


def _default_podspec(s, is_pod):
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for c in s.get(key, []):
            _default_container(c)
    s.setdefault("restartPolicy", "Always")
    s.setdefault("terminationGracePeriodSeconds", 30)
    s.setdefault("dnsPolicy", "ClusterFirst")
    s.setdefault("serviceAccountName", "default")
    s["serviceAccount"] = s["serviceAccountName"]
    s.setdefault("securityContext", {})
    s.setdefault("schedulerName", "default-scheduler")
    if is_pod:
        s.setdefault("tolerations", copy.deepcopy(_DEFAULT_TOLERATIONS))
        s.setdefault("priority", 0)
        s.setdefault("enableServiceLinks", True)
        s.setdefault("preemptionPolicy", "PreemptLowerPriority")
        for v in s.get("volumes", []):
            if "hostPath" in v:
                v["hostPath"].setdefault("type", "")
        sa_vol = "kube-api-access-" + "".join(sorted(s["serviceAccountName"]))[:5].ljust(5, "x")
        s.setdefault("volumes", []).append({"name": sa_vol, "projected": {"sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1",
                                                                         "fieldPath": "metadata.namespace"}}]}}],
            "defaultMode": 420}})
        for c in s["containers"]:
            c.setdefault("volumeMounts", []).append(
                {"name": sa_vol, "readOnly": True, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"})


def persisted(rng, manifest, t, name=None, resource_version=None):
    """The object as the API server returns it: uid, resourceVersion,
    creationTimestamp and the defaults filled in."""
    o = copy.deepcopy(manifest)
    md = o.setdefault("metadata", {})
    if name:
        md["name"] = name
    md["uid"] = md.get("uid") or uid(rng)
    md["resourceVersion"] = resource_version or str(rng.randint(1_000_000, 99_000_000))
    md["creationTimestamp"] = md.get("creationTimestamp") or ts_s(t)
    kind = o.get("kind")
    if kind == "Pod":
        _default_podspec(o["spec"], True)
        o["status"] = {"phase": "Pending", "qosClass": "BestEffort"}
    elif kind in ("Deployment", "ReplicaSet", "DaemonSet"):
        md["generation"] = md.get("generation", 1)
        _default_podspec(o["spec"]["template"]["spec"], False)
        o["spec"]["template"]["metadata"]["creationTimestamp"] = None
        if kind == "Deployment":
            o["spec"].setdefault("strategy", {"type": "RollingUpdate",
                                              "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}})
            o["spec"].setdefault("revisionHistoryLimit", 10)
            o["spec"].setdefault("progressDeadlineSeconds", 600)
        if kind == "DaemonSet":
            o["spec"].setdefault("revisionHistoryLimit", 10)
        o["status"] = {}
    elif kind == "CronJob":
        md["generation"] = 1
        tpl = o["spec"]["jobTemplate"]["spec"]["template"]
        tpl["metadata"]["creationTimestamp"] = None
        _default_podspec(tpl["spec"], False)
        o["spec"]["jobTemplate"]["metadata"] = {"creationTimestamp": None}
        o["spec"].setdefault("suspend", False)
        o["spec"].setdefault("successfulJobsHistoryLimit", 3)
        o["spec"].setdefault("failedJobsHistoryLimit", 1)
        o["status"] = {}
    elif kind == "Service":
        spec = o["spec"]
        ip = "10.0.%d.%d" % (rng.randint(0, 255), rng.randint(2, 254))
        spec["clusterIP"] = spec.get("clusterIP", ip)
        spec["clusterIPs"] = [spec["clusterIP"]]
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        spec["ipFamilies"] = ["IPv4"]
        spec["ipFamilyPolicy"] = "SingleStack"
        spec["internalTrafficPolicy"] = "Cluster"
        if spec["type"] in ("LoadBalancer", "NodePort"):
            spec.setdefault("externalTrafficPolicy", "Cluster")
            if spec["type"] == "LoadBalancer":
                spec.setdefault("allocateLoadBalancerNodePorts", True)
            for p in spec["ports"]:
                p.setdefault("nodePort", rng.randint(30000, 32767))
        o["status"] = {"loadBalancer": {}}
    elif kind == "Ingress":
        md["generation"] = 1
        o["status"] = {"loadBalancer": {}}
    if kind == "Pod" and "generateName" in md and not md.get("name"):
        md["name"] = md["generateName"] + suffix(rng)
    return o


def as_requested(manifest, last_applied=False):
    """The object as kubectl sends it (status {}, creationTimestamp null)."""
    o = copy.deepcopy(manifest)
    md = o.setdefault("metadata", {})
    if last_applied:
        md.setdefault("annotations", {})["kubectl.kubernetes.io/last-applied-configuration"] = \
            json.dumps(manifest, separators=(",", ":"), sort_keys=True) + "\n"
    md["creationTimestamp"] = None
    if o.get("kind") in ("Pod", "Deployment", "DaemonSet", "ReplicaSet", "CronJob", "Service", "Ingress"):
        o["status"] = {"loadBalancer": {}} if o["kind"] in ("Service", "Ingress") else {}
    for key in ("template",):
        if key in o.get("spec", {}):
            o["spec"][key].setdefault("metadata", {})["creationTimestamp"] = None
    if o.get("kind") == "CronJob":
        o["spec"]["jobTemplate"]["metadata"] = {"creationTimestamp": None}
        o["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["creationTimestamp"] = None
    return o


# ---- audit events -------------------------------------------------------------

API_GROUP = {
    "pods": ("", "v1"), "services": ("", "v1"), "secrets": ("", "v1"), "configmaps": ("", "v1"),
    "namespaces": ("", "v1"), "nodes": ("", "v1"), "events": ("", "v1"), "endpoints": ("", "v1"),
    "serviceaccounts": ("", "v1"), "persistentvolumeclaims": ("", "v1"),
    "deployments": ("apps", "v1"), "replicasets": ("apps", "v1"), "daemonsets": ("apps", "v1"),
    "statefulsets": ("apps", "v1"), "jobs": ("batch", "v1"), "cronjobs": ("batch", "v1"),
    "ingresses": ("networking.k8s.io", "v1"), "leases": ("coordination.k8s.io", "v1"),
    "endpointslices": ("discovery.k8s.io", "v1"),
    "roles": ("rbac.authorization.k8s.io", "v1"), "clusterroles": ("rbac.authorization.k8s.io", "v1"),
    "rolebindings": ("rbac.authorization.k8s.io", "v1"),
    "clusterrolebindings": ("rbac.authorization.k8s.io", "v1"),
    "selfsubjectaccessreviews": ("authorization.k8s.io", "v1"),
    "horizontalpodautoscalers": ("autoscaling", "v2"),
}

FIELD_MANAGER = {
    "create": "?fieldManager=kubectl-create&fieldValidation=Strict",
    "apply": "?fieldManager=kubectl-client-side-apply&fieldValidation=Strict",
    "patch": "?fieldManager=kubectl-patch",
    "edit": "?fieldManager=kubectl-edit&fieldValidation=Strict",
    "debug": "",
    "none": "",
}


def request_uri(verb, resource, ns, name, sub, query):
    group, version = API_GROUP.get(resource, ("", "v1"))
    base = "/api/v1" if not group else "/apis/%s/%s" % (group, version)
    path = base + ("/namespaces/%s" % ns if ns else "") + "/" + resource
    if name and (verb not in ("create", "list", "watch") or sub):
        path += "/" + name
    if sub:
        path += "/" + sub
    return path + query


def audit(rng, t, actor, verb, resource, *, ns=None, name=None, sub=None, code=None, req=None, resp=None,
          level=None, query=None, manager="none", decision="allow", reason=None, imp=None, annotations=None,
          stage="ResponseComplete", status=None, latency_us=None, uri=None):
    """One audit.k8s.io/v1 Event, fields in the order the API server writes
    them. t is requestReceivedTimestamp in microseconds."""
    group, version = API_GROUP.get(resource, ("", "v1"))
    if code is None:
        code = 201 if verb == "create" else 200
    if level is None:
        level = "RequestResponse" if (req is not None or resp is not None) else "Metadata"
    if query is None:
        query = FIELD_MANAGER.get(manager, "")
    ev = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": level, "auditID": uid(rng),
          "stage": stage,
          "requestURI": uri or request_uri(verb, resource, ns, name, sub, query), "verb": verb,
          "user": actor.user()}
    if imp:
        ev["impersonatedUser"] = imp
    ev["sourceIPs"] = list(actor.ips)
    ev["userAgent"] = actor.ua
    ref = {"resource": resource}
    if ns:
        ref["namespace"] = ns
    if name:
        ref["name"] = name
    if group:
        ref["apiGroup"] = group
    ref["apiVersion"] = version
    if sub:
        ref["subresource"] = sub
    ev["objectRef"] = ref
    if stage != "RequestReceived":
        ev["responseStatus"] = status if status else {"metadata": {}, "code": code}
    if req is not None and level in ("Request", "RequestResponse"):
        ev["requestObject"] = req
    if resp is not None and level == "RequestResponse" and stage != "RequestReceived":
        ev["responseObject"] = resp
    ev["requestReceivedTimestamp"] = ts(t)
    if latency_us is None:
        latency_us = rng.randint(900, 4000) if verb in ("get", "list", "watch") else rng.randint(2500, 28000)
    ev["stageTimestamp"] = ts(t + (0 if stage == "RequestReceived" else latency_us))
    ann = {"authorization.k8s.io/decision": decision,
           "authorization.k8s.io/reason": actor.reason if reason is None else reason}
    if annotations:
        ann.update(annotations)
    if stage == "RequestReceived":
        ann = {}
    if ann:
        ev["annotations"] = ann
    return ev


def forbidden_status(actor, verb, resource, ns=None):
    group, _ = API_GROUP.get(resource, ("", "v1"))
    where = ' in the namespace "%s"' % ns if ns else " at the cluster scope"
    return {"metadata": {}, "status": "Failure",
            "message": '%s is forbidden: User "%s" cannot %s resource "%s" in API group "%s"%s'
                       % (resource, actor.username, verb, resource, group, where),
            "reason": "Forbidden", "details": {"kind": resource}, "code": 403}


_ENCODER = json.JSONEncoder(separators=(",", ":"))


def dumps(ev):
    return _ENCODER.encode(ev)


# ---- AKS diagnostic records ---------------------------------------------------


def aks_record(rng, ev, resource_id, ccp_ns, apiserver_pod, underlay, category="kube-audit"):
    """One diagnostic-settings record carrying an audit Event as a string."""
    return {"operationName": "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read",
            "category": category, "ccpNamespace": ccp_ns, "resourceId": resource_id,
            "properties": {"log": dumps(ev) + "\n", "stream": "stdout", "pod": apiserver_pod},
            "time": ev["stageTimestamp"][:-1] + "0Z", "Cloud": "AzureCloud", "Environment": "prod",
            "UnderlayClass": "hcp-underlay", "UnderlayName": underlay}


# ==== the demo estate ==========================================================
# (below: the two clusters, their eight ordinary days and the day of the attack)
#
# Fabrikam runs two clusters:
#   dc1-tools               a kubeadm cluster in its own data centre (CI, internal
#                           tools); the API server's log backend, rotated by
#                           logrotate with delaycompress (one .gz, one plain
#                           rotated file, the live audit.log)
#   AKS-FABRIKAM-PROD-WEU   the shop on AKS; kube-audit diagnostic records
#                           streamed through an Event Hub, one batch per line
# Audit policy of both: RequestReceived omitted; writes to pods, workloads,
# services, ingresses and RBAC at RequestResponse; secrets, configmaps and the
# status subresources at Metadata; leases, events and health checks not logged.

SEED = 20260310
START = us_of("2026-03-02T00:00:00Z")     # Monday
HISTORY_DAYS = 8                           # Mon 2 .. Mon 9 March
TODAY = START + HISTORY_DAYS * DAY         # Tuesday 10 March
K8S_VERSION = "v1.29.4"
K8S_BUILD = "55019c8"

API_GROUP.update({
    "selfsubjectrulesreviews": ("authorization.k8s.io", "v1"),
    "certificatesigningrequests": ("certificates.k8s.io", "v1"),
    "controllerrevisions": ("apps", "v1"),
    "tokenreviews": ("authentication.k8s.io", "v1"),
    "certificates": ("cert-manager.io", "v1"),
    "ipaddresspools": ("metallb.io", "v1beta1"),
    "nodes.metrics.k8s.io": ("metrics.k8s.io", "v1beta1"),
})

SYSTEM_MASTERS_REASON = ('RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" '
                         'to Group "system:masters"')


def poisson(rng, lam):
    """A small Poisson draw (Knuth), deterministic with rng."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, int(rng.gauss(lam, lam ** 0.5) + 0.5))
    L, k, p = pow(2.718281828459045, -lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= L:
            return k
        k += 1


def is_working_hour(t):
    """Weekdays 08:00-18:00 CET (07:00-17:00 UTC)."""
    d = _EPOCH + timedelta(microseconds=t)
    return d.weekday() < 5 and 7 <= d.hour < 17


def is_weekday(t):
    return (_EPOCH + timedelta(microseconds=t)).weekday() < 5


class Workload:
    """A Deployment, DaemonSet or StatefulSet the cluster already runs."""

    def __init__(self, cl, kind, name, ns, labels, spec, replicas=1, nodes=None):
        self.kind, self.name, self.ns, self.labels, self.spec = kind, name, ns, dict(labels), spec
        self.replicas = replicas
        self.uid = uid(cl.rng)
        self.rs_hash = pod_template_hash(cl.rng)
        self.rs_uid = uid(cl.rng)
        self.generation = cl.rng.randint(3, 40)
        self.pods = {}            # pod name -> node
        for i in range(replicas if kind != "DaemonSet" else 0):
            self.pods[self._pod_name(cl)] = (nodes or cl.workers)[i % len(nodes or cl.workers)]

    def _pod_name(self, cl):
        if self.kind == "Deployment":
            return "%s-%s-%s" % (self.name, self.rs_hash, suffix(cl.rng))
        return "%s-%s" % (self.name, suffix(cl.rng))

    def manifest(self):
        if self.kind == "DaemonSet":
            return daemonset(self.name, self.ns, self.labels, copy.deepcopy(self.spec))
        return deployment(self.name, self.ns, self.labels, copy.deepcopy(self.spec), self.replicas)

    def image(self, i=0):
        return self.spec["containers"][i]["image"]


class Cluster:
    """One cluster's API server: its actors, its workloads and the audit
    events it writes."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.events = []
        v, b, cp = K8S_VERSION, K8S_BUILD, self.controller_ip
        self.ctl = {n: controller(n, v, cp, b) for n in (
            "replicaset-controller", "deployment-controller", "daemon-set-controller", "job-controller",
            "cronjob-controller", "endpointslice-controller", "endpoint-controller", "generic-garbage-collector",
            "resourcequota-controller", "namespace-controller", "node-controller", "horizontal-pod-autoscaler",
            "pvc-protection-controller", "certificate-controller", "statefulset-controller")}
        self.sched = scheduler(v, cp, b)
        self.workloads = {}
        self.build_inventory()

    # -- plumbing --

    def ev(self, t, actor, verb, resource, **kw):
        e = audit(self.rng, t, actor, verb, resource, **kw)
        self.events.append(e)
        return e

    def node(self, name):
        return self.nodes[name]

    def add(self, w):
        self.workloads[(w.ns, w.name)] = w
        return w

    def sorted_events(self):
        """As the log backend writes them: in the order requests completed."""
        return sorted(self.events, key=lambda e: e["stageTimestamp"])

    # -- pods ---------------------------------------------------------------

    def pod_from(self, w, t, node, name=None):
        """A pod of workload w on node, created by its controller."""
        labels = dict(w.labels)
        if w.kind == "Deployment":
            labels["pod-template-hash"] = w.rs_hash
            owner = owner_ref("ReplicaSet", "%s-%s" % (w.name, w.rs_hash), w.rs_uid)
            gen = "%s-%s-" % (w.name, w.rs_hash)
        else:
            labels["controller-revision-hash"] = w.rs_hash[:9]
            labels["pod-template-generation"] = str(w.generation)
            owner = owner_ref(w.kind, w.name, w.uid)
            gen = w.name + "-"
        spec = copy.deepcopy(w.spec)
        if w.kind == "DaemonSet":
            spec["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In",
                                                        "values": [node]}]}]}}}
        return pod(None, w.ns, spec, labels=labels, generate_name=gen, owner=owner), \
            name or (gen + suffix(self.rng))

    def create_controller_pod(self, t, w, node, controller_name):
        p, name = self.pod_from(w, t, node)
        resp = persisted(self.rng, p, t, name=name)
        self.ev(t, self.ctl[controller_name], "create", "pods", ns=w.ns, req=p, resp=resp)
        t2 = t + self.rng.randint(3000, 30000)
        self.ev(t2, self.sched, "create", "pods", ns=w.ns, name=name, sub="binding", level="Metadata")
        self.kubelet_status(t2 + self.rng.randint(400_000, 3_000_000), node, w.ns, name)
        w.pods[name] = node
        return name

    def kubelet_status(self, t, node, ns, name, n=2):
        for i in range(n):
            self.ev(t + i * self.rng.randint(900_000, 9_000_000), self.node(node), "patch", "pods", ns=ns,
                    name=name, sub="status", level="Metadata")

    def delete_pod(self, t, actor, ns, name, node=None):
        self.ev(t, actor, "delete", "pods", ns=ns, name=name, level="Metadata")
        if node:
            self.ev(t + self.rng.randint(2, 30) * US, self.node(node), "delete", "pods", ns=ns, name=name,
                    level="Metadata", query="")

    # -- workload changes, as the controllers carry them out ------------------

    def rollout(self, t, w, actor, image, manager="apply", container=0):
        """Someone changes the image of workload w; its controller replaces
        the pods one by one."""
        old = w.manifest()
        w.spec["containers"][container]["image"] = image
        w.generation += 1
        new = w.manifest()
        res = "deployments" if w.kind == "Deployment" else "daemonsets"
        self.ev(t, actor, "get", res, ns=w.ns, name=w.name)
        if manager == "apply":
            req = {"metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration":
                                                json.dumps(as_requested(new), separators=(",", ":"),
                                                           sort_keys=True) + "\n"}},
                   "spec": {"template": {"spec": {"containers": [
                       {"name": w.spec["containers"][container]["name"], "image": image}]}}}}
        else:
            req = {"spec": {"template": {"spec": {"containers": [
                {"name": w.spec["containers"][container]["name"], "image": image}]}}}}
        resp = persisted(self.rng, new, t, resource_version=None)
        resp["metadata"]["generation"] = w.generation
        resp["metadata"]["uid"] = w.uid
        resp["metadata"]["creationTimestamp"] = ts_s(START - 97 * DAY)
        t += self.rng.randint(50_000, 400_000)
        self.ev(t, actor, "patch", res, ns=w.ns, name=w.name, req=req, resp=resp, manager=manager,
                query="?fieldManager=helm" if manager == "helm" else None)
        t += self.rng.randint(20_000, 80_000)
        if w.kind == "Deployment":
            old_pods = list(w.pods.items())
            w.pods = {}
            w.rs_hash, w.rs_uid = pod_template_hash(self.rng), uid(self.rng)
            rs = replicaset("%s-%s" % (w.name, w.rs_hash), w.ns, dict(w.labels, **{"pod-template-hash": w.rs_hash}),
                            copy.deepcopy(w.spec), w.replicas, owner_ref("Deployment", w.name, w.uid))
            rs["spec"]["template"]["metadata"]["labels"]["pod-template-hash"] = w.rs_hash
            rs["spec"]["selector"]["matchLabels"]["pod-template-hash"] = w.rs_hash
            rs_resp = persisted(self.rng, rs, t)
            rs_resp["metadata"]["uid"] = w.rs_uid
            self.ev(t, self.ctl["deployment-controller"], "create", "replicasets", ns=w.ns, req=rs, resp=rs_resp)
            self.ev(t + 9000, self.ctl["deployment-controller"], "update", "deployments", ns=w.ns, name=w.name,
                    sub="status", level="Metadata", query="")
            for i, (pname, node) in enumerate(old_pods):
                t += self.rng.randint(1_000_000, 4_000_000)
                self.create_controller_pod(t, w, node, "replicaset-controller")
                t += self.rng.randint(6, 25) * US
                self.delete_pod(t, self.ctl["replicaset-controller"], w.ns, pname, node)
            self.ev(t + 300_000, self.ctl["deployment-controller"], "update", "deployments", ns=w.ns,
                    name=w.name, sub="status", level="Metadata", query="")
        else:
            self.ev(t, self.ctl["daemon-set-controller"], "create", "controllerrevisions", ns=w.ns, level="Metadata")
            for pname, node in sorted(w.pods.items(), key=lambda kv: kv[1]):
                t += self.rng.randint(2_000_000, 8_000_000)
                del w.pods[pname]
                self.delete_pod(t, self.ctl["daemon-set-controller"], w.ns, pname, node)
                t += self.rng.randint(1, 4) * US
                self.create_controller_pod(t, w, node, "daemon-set-controller")
        return t

    def ds_on_new_node(self, t, node):
        for w in self.workloads.values():
            if w.kind == "DaemonSet" and self.runs_on(w, node):
                t += self.rng.randint(5000, 200_000)
                self.create_controller_pod(t, w, node, "daemon-set-controller")
        return t

    def runs_on(self, w, node):
        return True

    def evict(self, t, actor, w, pname):
        """A drain: evict pname; the ReplicaSet replaces it on another node."""
        node = w.pods.pop(pname)
        self.ev(t, actor, "create", "pods", ns=w.ns, name=pname, sub="eviction", level="Metadata", query="")
        self.ev(t + self.rng.randint(5, 30) * US, self.node(node), "delete", "pods", ns=w.ns, name=pname,
                level="Metadata")
        others = [n for n in self.workers if n != node and n in self.schedulable]
        t2 = t + self.rng.randint(40_000, 300_000)
        self.create_controller_pod(t2, w, self.rng.choice(others), "replicaset-controller")

    # -- ordinary life -------------------------------------------------------

    def node_heartbeats(self, h):
        for n in self.live_nodes:
            a = self.node(n)
            # the full node status, every 10 minutes (the lease in between is not logged)
            base = self.rng.randint(0, 10 * MINUTE)
            for k in range(6):
                self.ev(h + base + k * 10 * MINUTE, a, "patch", "nodes", name=n, sub="status",
                        level="Metadata", query="")
            # a kubelet watch on the config it mounts, reopened now and then
            for k in range(1):
                ns = self.rng.choice(self.namespaces)
                t = h + self.rng.randint(0, HOUR - 1)
                self.watch(t, a, "configmaps", ns, "kube-root-ca.crt")

    def watch(self, t, actor, resource, ns, name=None):
        """A watch: ResponseStarted when it opens, ResponseComplete when the
        server closes it at its timeout."""
        rv = self.rng.randint(1_000_000, 99_000_000)
        secs = self.rng.randint(300, 480)
        if name:
            q = "?allowWatchBookmarks=true&fieldSelector=metadata.name%%3D%s&resourceVersion=%d&timeout=%dm%ds" \
                "&timeoutSeconds=%d&watch=true" % (name, rv, secs // 60, secs % 60, secs)
        else:
            q = "?allowWatchBookmarks=true&resourceVersion=%d&timeoutSeconds=%d&watch=true" % (rv, secs)
        uri = request_uri("watch", resource, ns, None, None, q)
        e1 = audit(self.rng, t, actor, "watch", resource, ns=ns, stage="ResponseStarted", uri=uri, latency_us=600)
        e2 = dict(e1)
        e2["stage"] = "ResponseComplete"
        e2["stageTimestamp"] = ts(t + secs * US + self.rng.randint(1000, 9000))
        self.events.append(e1)
        self.events.append(e2)

    def controller_noise(self, h, n):
        rng = self.rng
        for _ in range(n):
            t = h + rng.randint(0, HOUR - 1)
            kind = rng.random()
            if kind < 0.35:
                ns = rng.choice(self.namespaces)
                self.ev(t, self.ctl["endpointslice-controller"], "update", "endpointslices", ns=ns,
                        name="%s-%s" % (rng.choice(self.services_of(ns)), suffix(rng)), level="Metadata")
            elif kind < 0.55:
                ns = rng.choice(self.namespaces)
                self.ev(t, self.ctl["resourcequota-controller"], "list", "resourcequotas", ns=ns)
            elif kind < 0.7:
                self.ev(t, self.ctl["generic-garbage-collector"], "list", rng.choice(
                    ("replicasets", "pods", "jobs", "controllerrevisions", "endpointslices")),
                    query="?limit=500&resourceVersion=0")
            elif kind < 0.85:
                self.ev(t, self.ctl["node-controller"], "get", "nodes", name=rng.choice(self.live_nodes))
            else:
                self.ev(t, self.ctl["horizontal-pod-autoscaler"], "get", "deployments",
                        ns=self.hpa_ns, name=rng.choice(self.hpa_targets), sub="scale")

    def people_noise(self, h, n):
        rng = self.rng
        for _ in range(n):
            t = h + rng.randint(0, HOUR - 1)
            p = rng.choice(self.people)
            w = rng.choice([w for w in self.workloads.values() if w.ns in p.namespaces])
            k = rng.random()
            if k < 0.3:
                self.ev(t, p.actor, "list", "pods", ns=w.ns, query="?limit=500")
            elif k < 0.5 and w.pods:
                pname = rng.choice(sorted(w.pods))
                self.ev(t, p.actor, "get", "pods", ns=w.ns, name=pname)
                self.ev(t + rng.randint(100, 900) * 1000, p.actor, "get", "pods", ns=w.ns, name=pname, sub="log",
                        query="?container=%s&tailLines=200" % w.spec["containers"][0]["name"])
            elif k < 0.65:
                self.ev(t, p.actor, "get", w.kind.lower() + "s", ns=w.ns, name=w.name)
                self.ev(t + rng.randint(20, 200) * 1000, p.actor, "list", "events", ns=w.ns,
                        query="?fieldSelector=involvedObject.name%%3D%s" % w.name)
            elif k < 0.8:
                self.ev(t, p.actor, "list", "deployments", ns=w.ns, query="?limit=500")
            elif k < 0.95:
                self.ev(t, p.actor, "list", "nodes", query="?limit=500")
            elif k < 0.98 and w.pods:
                pname = rng.choice(sorted(w.pods))
                self.exec(t, p.actor, w.ns, pname, w.spec["containers"][0]["name"], ["sh"])
            elif p.forbidden_ns:
                ns = p.forbidden_ns
                self.ev(t, p.actor, "list", "secrets", ns=ns, code=403, decision="forbid", reason="",
                        status=forbidden_status(p.actor, "list", "secrets", ns))

    def exec(self, t, actor, ns, pname, container_name, cmd):
        q = "?command=" + "&command=".join(cmd) + "&container=%s&stdin=true&stdout=true&tty=true" % container_name
        uri = request_uri("create", "pods", ns, pname, "exec", q)
        e1 = audit(self.rng, t, actor, "create", "pods", ns=ns, name=pname, sub="exec", stage="ResponseStarted",
                   code=101, uri=uri, latency_us=self.rng.randint(20000, 90000))
        e2 = dict(e1)
        e2["stage"] = "ResponseComplete"
        e2["stageTimestamp"] = ts(t + self.rng.randint(40, 600) * US)
        self.events.append(e1)
        self.events.append(e2)

    def services_of(self, ns):
        names = [w.name for w in self.workloads.values() if w.ns == ns]
        return names or ["kubernetes"]

    def cron_job(self, t, ns, cj_name, spec, node):
        """The CronJob controller starts a Job; the Job controller its pod."""
        rng = self.rng
        job = "%s-%d" % (cj_name, (t // US) // 60)
        labels = {"batch.kubernetes.io/job-name": job, "job-name": job}
        jt = {"kind": "Job", "apiVersion": "batch/v1",
              "metadata": metadata(job, ns, None, {"batch.kubernetes.io/cronjob-scheduled-timestamp": ts_s(t)},
                                   owner=owner_ref("CronJob", cj_name, uid(rng), "batch/v1")),
              "spec": {"backoffLimit": 1, "template": _template(labels, copy.deepcopy(spec))}}
        self.ev(t, self.ctl["cronjob-controller"], "create", "jobs", ns=ns, req=jt,
                resp=persisted(rng, dict(jt, status={}), t))
        w = Workload.__new__(Workload)
        w.kind, w.name, w.ns, w.labels, w.spec, w.pods = "Job", job, ns, labels, spec, {}
        w.uid, w.rs_hash, w.generation = uid(rng), pod_template_hash(rng), 1
        t2 = t + rng.randint(20_000, 90_000)
        p = pod(None, ns, copy.deepcopy(spec), labels=labels, generate_name=job + "-",
                owner=owner_ref("Job", job, w.uid, "batch/v1"))
        name = job + "-" + suffix(rng)
        self.ev(t2, self.ctl["job-controller"], "create", "pods", ns=ns, req=p, resp=persisted(rng, p, t2, name=name))
        self.ev(t2 + rng.randint(3000, 20000), self.sched, "create", "pods", ns=ns, name=name, sub="binding",
                level="Metadata")
        self.kubelet_status(t2 + rng.randint(1, 3) * US, node, ns, name, n=3)
        self.ev(t2 + rng.randint(20, 90) * US, self.ctl["job-controller"], "update", "jobs", ns=ns, name=job,
                sub="status", level="Metadata", query="")
        self.ev(t2 + rng.randint(100, 200) * US, self.ctl["cronjob-controller"], "delete", "jobs", ns=ns,
                name="%s-%d" % (cj_name, (t // US) // 60 - 180), level="Metadata",
                query="")

    def hour(self, h, rates):
        """One ordinary hour: kubelets, controllers, operators, people."""
        work = is_working_hour(h)
        self.node_heartbeats(h)
        self.controller_noise(h, poisson(self.rng, rates["controllers"]))
        self.operator_noise(h, poisson(self.rng, rates["operators"]))
        if work:
            self.people_noise(h, poisson(self.rng, rates["people"]))
        elif is_weekday(h) and self.rng.random() < 0.15:
            self.people_noise(h, poisson(self.rng, 3))


class Person:
    def __init__(self, actor, namespaces, forbidden_ns=None):
        self.actor, self.namespaces, self.forbidden_ns = actor, namespaces, forbidden_ns


# ---- dc1-tools: the kubeadm cluster in the data centre -----------------------


def oidc_user(name, group, ip, ua, reason):
    return Actor("oidc:%s@fabrikam.com" % name, ["oidc:%s" % group, "system:authenticated"], ua, [ip], reason)


MAC_KUBECTL = "kubectl/v1.30.2 (darwin/arm64) kubernetes/3968350"
LINUX_KUBECTL = "kubectl/v1.30.2 (linux/amd64) kubernetes/3968350"


class OnPrem(Cluster):
    controller_ip = "10.20.0.11"

    def build_inventory(self):
        rng = self.rng
        self.cps = ["dc1-k8s-cp-0%d" % i for i in (1, 2, 3)]
        self.workers = ["dc1-k8s-w-0%d" % i for i in range(1, 6)]
        ips = {n: "10.20.0.%d" % (11 + i) for i, n in enumerate(self.cps)}
        ips.update({n: "10.20.0.%d" % (21 + i) for i, n in enumerate(self.workers + ["dc1-k8s-w-06"])})
        self.ips = ips
        self.nodes = {n: node_actor(n, K8S_VERSION, ip, K8S_BUILD) for n, ip in ips.items()}
        self.live_nodes = self.cps + self.workers
        self.schedulable = list(self.workers)
        self.namespaces = ["kube-system", "ci", "tools", "monitoring", "logging", "kubernetes-dashboard",
                           "metallb-system"]
        self.hpa_ns, self.hpa_targets = "tools", ["wiki", "artifact-proxy"]
        admins = 'RBAC: allowed by ClusterRoleBinding "platform-admins" of ClusterRole "cluster-admin" to Group ' \
                 '"oidc:platform-admins"'
        self.anna = oidc_user("anna.berg", "platform-admins", "10.8.0.14", MAC_KUBECTL, admins)
        self.jonas = oidc_user("jonas.weber", "platform-admins", "10.8.0.22", LINUX_KUBECTL, admins)
        dev = 'RBAC: allowed by RoleBinding "developers-edit/ci" of ClusterRole "edit" to Group "oidc:developers"'
        self.mei = oidc_user("mei.chen", "developers", "10.8.0.37", MAC_KUBECTL, dev)
        self.liam = oidc_user("liam.okafor", "developers", "10.8.0.41",
                              "kubectl/v1.29.3 (windows/amd64) kubernetes/6813625", dev)
        self.people = [Person(self.anna, self.namespaces), Person(self.jonas, self.namespaces),
                       Person(self.mei, ["ci", "tools"], forbidden_ns="kube-system"),
                       Person(self.liam, ["ci", "tools"], forbidden_ns="monitoring")]
        self.jenkins = service_account("ci", "jenkins", "5b0c7f6e-3c59-4f8e-9d0a-6a1b2c3d4e5f", "10.244.1.17",
                                       "fabric8-kubernetes-client/6.10.0",
                                       'RBAC: allowed by RoleBinding "jenkins-agents/ci" of Role "jenkins-agents" to '
                                       'ServiceAccount "jenkins/ci"', node="dc1-k8s-w-01", rng=rng)
        self.prometheus = service_account("monitoring", "prometheus", uid(rng), "10.244.4.12",
                                          "Prometheus/2.51.2",
                                          'RBAC: allowed by ClusterRoleBinding "prometheus" of ClusterRole '
                                          '"prometheus" to ServiceAccount "prometheus/monitoring"',
                                          node="dc1-k8s-w-04", rng=rng)
        self.metallb = service_account("metallb-system", "controller", uid(rng), "10.244.2.9",
                                       "controller/v0.14.5 (linux/amd64) kubernetes/unknown",
                                       'RBAC: allowed by ClusterRoleBinding "metallb-system:controller" of '
                                       'ClusterRole "metallb-system:controller" to ServiceAccount '
                                       '"controller/metallb-system"', node="dc1-k8s-w-02", rng=rng)
        self.kured = service_account("kube-system", "kured", uid(rng), "10.244.3.5",
                                     "kured/1.15.1 (linux/amd64) kubernetes/unknown",
                                     'RBAC: allowed by ClusterRoleBinding "kured" of ClusterRole "kured" to '
                                     'ServiceAccount "kured/kube-system"', node="dc1-k8s-w-03", rng=rng)
        res = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}}
        W = lambda *a, **k: self.add(Workload(self, *a, **k))
        # kube-system
        calico_vols = [host_path("lib-modules", "/lib/modules"), host_path("var-run-calico", "/var/run/calico"),
                       host_path("var-lib-calico", "/var/lib/calico"), host_path("xtables-lock", "/run/xtables.lock",
                                                                                 "FileOrCreate"),
                       host_path("cni-bin-dir", "/opt/cni/bin"), host_path("cni-net-dir", "/etc/cni/net.d"),
                       host_path("cni-log-dir", "/var/log/calico/cni"), host_path("policysync", "/var/run/nodeagent",
                                                                                  "DirectoryOrCreate")]
        W("DaemonSet", "calico-node", "kube-system", {"k8s-app": "calico-node"}, podspec(
            [container("calico-node", "quay.io/calico/node:v3.27.3", privileged=True,
                       env=[("DATASTORE_TYPE", "kubernetes"), ("CLUSTER_TYPE", "k8s,bgp"),
                            ("CALICO_IPV4POOL_CIDR", "10.244.0.0/16")],
                       resources={"requests": {"cpu": "250m"}},
                       mounts=[mount("lib-modules", "/lib/modules", True), mount("var-run-calico", "/var/run/calico"),
                               mount("var-lib-calico", "/var/lib/calico"), mount("xtables-lock", "/run/xtables.lock"),
                               mount("cni-net-dir", "/host/etc/cni/net.d"),
                               mount("cni-log-dir", "/var/log/calico/cni", True), mount("policysync", "/var/run/nodeagent")])],
            init=[container("upgrade-ipam", "quay.io/calico/cni:v3.27.3", command=["/opt/cni/bin/calico-ipam", "-upgrade"],
                            privileged=True, mounts=[mount("var-lib-calico", "/var/lib/cni/networks")]),
                  container("install-cni", "quay.io/calico/cni:v3.27.3", command=["/opt/cni/bin/install"],
                            privileged=True, mounts=[mount("cni-bin-dir", "/host/opt/cni/bin"),
                                                     mount("cni-net-dir", "/host/etc/cni/net.d")])],
            volumes=calico_vols, host_network=True, sa="calico-node", priority_class="system-node-critical",
            node_selector={"kubernetes.io/os": "linux"}, tolerations=[{"operator": "Exists"}]))
        W("DaemonSet", "kube-proxy", "kube-system", {"k8s-app": "kube-proxy"}, podspec(
            [container("kube-proxy", "registry.k8s.io/kube-proxy:v1.29.4", privileged=True,
                       command=["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf",
                                "--hostname-override=$(NODE_NAME)"],
                       mounts=[mount("kube-proxy", "/var/lib/kube-proxy"), mount("xtables-lock", "/run/xtables.lock"),
                               mount("lib-modules", "/lib/modules", True)])],
            volumes=[{"name": "kube-proxy", "configMap": {"name": "kube-proxy", "defaultMode": 420}},
                     host_path("xtables-lock", "/run/xtables.lock", "FileOrCreate"),
                     host_path("lib-modules", "/lib/modules")],
            host_network=True, sa="kube-proxy", priority_class="system-node-critical",
            node_selector={"kubernetes.io/os": "linux"}, tolerations=[{"operator": "Exists"}]))
        W("DaemonSet", "kured", "kube-system", {"name": "kured"}, podspec(
            [container("kured", "ghcr.io/kubereboot/kured:1.15.1", privileged=True, command=["/usr/bin/kured"],
                       args=["--ds-name=kured", "--ds-namespace=kube-system", "--period=1h",
                             "--reboot-days=tue,wed,thu", "--start-time=22:00", "--end-time=04:00",
                             "--time-zone=Europe/Stockholm"],
                       env=[("KURED_NODE_ID", "")])],
            host_pid=True, sa="kured", restart="Always", tolerations=[{"key": "node-role.kubernetes.io/control-plane",
                                                                       "effect": "NoSchedule"}]))
        W("Deployment", "coredns", "kube-system", {"k8s-app": "kube-dns"}, podspec(
            [container("coredns", "registry.k8s.io/coredns/coredns:v1.11.1", args=["-conf", "/etc/coredns/Corefile"],
                       ports=[{"containerPort": 53, "name": "dns", "protocol": "UDP"}],
                       mounts=[mount("config-volume", "/etc/coredns", True)], read_only_root=True)],
            volumes=[{"name": "config-volume", "configMap": {"name": "coredns"}}], sa="coredns",
            priority_class="system-cluster-critical"), replicas=2, nodes=["dc1-k8s-w-01", "dc1-k8s-w-03"])
        W("Deployment", "calico-kube-controllers", "kube-system", {"k8s-app": "calico-kube-controllers"}, podspec(
            [container("calico-kube-controllers", "quay.io/calico/kube-controllers:v3.27.3",
                       env=[("ENABLED_CONTROLLERS", "node"), ("DATASTORE_TYPE", "kubernetes")])],
            sa="calico-kube-controllers", priority_class="system-cluster-critical"), replicas=1,
            nodes=["dc1-k8s-w-01"])
        W("Deployment", "sealed-secrets-controller", "kube-system", {"app.kubernetes.io/name": "sealed-secrets"},
          podspec([container("controller", "docker.io/bitnami/sealed-secrets-controller:0.26.1",
                             command=["controller"], args=["--update-status", "--key-prefix", "sealed-secrets-key"],
                             ports=[8080], privileged=False, read_only_root=True)],
                  sa="sealed-secrets-controller"), replicas=1, nodes=["dc1-k8s-w-02"])
        W("Deployment", "metrics-server", "kube-system", {"k8s-app": "metrics-server"}, podspec(
            [container("metrics-server", "registry.k8s.io/metrics-server/metrics-server:v0.7.1",
                       args=["--cert-dir=/tmp", "--secure-port=10250", "--kubelet-use-node-status-port"],
                       ports=[10250], privileged=False, read_only_root=True)],
            sa="metrics-server", priority_class="system-cluster-critical"), replicas=1, nodes=["dc1-k8s-w-02"])
        # everything else
        W("DaemonSet", "fluent-bit", "logging", {"app.kubernetes.io/name": "fluent-bit"}, podspec(
            [container("fluent-bit", "cr.fluentbit.io/fluent/fluent-bit:3.0.3", ports=[2020],
                       mounts=[mount("config", "/fluent-bit/etc/conf"), mount("varlog", "/var/log"),
                               mount("varlibdockercontainers", "/var/lib/docker/containers", True),
                               mount("etcmachineid", "/etc/machine-id", True)], resources=res)],
            volumes=[{"name": "config", "configMap": {"name": "fluent-bit"}}, host_path("varlog", "/var/log"),
                     host_path("varlibdockercontainers", "/var/lib/docker/containers"),
                     host_path("etcmachineid", "/etc/machine-id", "File")],
            sa="fluent-bit", tolerations=[{"operator": "Exists"}]))
        W("DaemonSet", "node-exporter", "monitoring", {"app.kubernetes.io/name": "node-exporter"}, podspec(
            [container("node-exporter", "quay.io/prometheus/node-exporter:v1.8.0",
                       args=["--path.procfs=/host/proc", "--path.sysfs=/host/sys", "--path.rootfs=/host/root"],
                       ports=[9100], mounts=[mount("proc", "/host/proc", True), mount("sys", "/host/sys", True),
                                             mount("root", "/host/root", True)])],
            volumes=[host_path("proc", "/proc"), host_path("sys", "/sys"), host_path("root", "/")],
            host_network=True, host_pid=True, sa="node-exporter", tolerations=[{"operator": "Exists"}]))
        W("Deployment", "prometheus", "monitoring", {"app.kubernetes.io/name": "prometheus"}, podspec(
            [container("prometheus", "quay.io/prometheus/prometheus:v2.51.2", args=["--config.file=/etc/prometheus/prometheus.yml"],
                       ports=[9090], resources=res)], sa="prometheus"), replicas=1, nodes=["dc1-k8s-w-04"])
        W("Deployment", "grafana", "monitoring", {"app.kubernetes.io/name": "grafana"}, podspec(
            [container("grafana", "docker.io/grafana/grafana:10.4.2", ports=[3000], resources=res)], sa="grafana"),
          replicas=1, nodes=["dc1-k8s-w-05"])
        W("Deployment", "kubernetes-dashboard", "kubernetes-dashboard", {"k8s-app": "kubernetes-dashboard"}, podspec(
            [container("kubernetes-dashboard", "docker.io/kubernetesui/dashboard:v2.7.0",
                       args=["--auto-generate-certificates", "--namespace=kubernetes-dashboard",
                             "--enable-skip-login"], ports=[8443], privileged=False, read_only_root=True)],
            sa="kubernetes-dashboard"), replicas=1, nodes=["dc1-k8s-w-02"])
        W("Deployment", "dashboard-metrics-scraper", "kubernetes-dashboard", {"k8s-app": "dashboard-metrics-scraper"},
          podspec([container("dashboard-metrics-scraper", "docker.io/kubernetesui/metrics-scraper:v1.0.8",
                             ports=[8000], privileged=False)], sa="kubernetes-dashboard"), replicas=1,
          nodes=["dc1-k8s-w-05"])
        W("Deployment", "controller", "metallb-system", {"app": "metallb", "component": "controller"}, podspec(
            [container("controller", "quay.io/metallb/controller:v0.14.5", args=["--port=7472", "--log-level=info"],
                       privileged=False)], sa="controller"), replicas=1, nodes=["dc1-k8s-w-02"])
        W("Deployment", "jenkins", "ci", {"app.kubernetes.io/name": "jenkins"}, podspec(
            [container("jenkins", "docker.io/jenkins/jenkins:2.452.1-lts-jdk17", ports=[8080, 50000],
                       mounts=[mount("jenkins-home", "/var/jenkins_home")], resources=res)],
            volumes=[{"name": "jenkins-home", "persistentVolumeClaim": {"claimName": "jenkins-home"}}], sa="jenkins"),
          replicas=1, nodes=["dc1-k8s-w-01"])
        W("Deployment", "wiki", "tools", {"app": "wiki"}, podspec(
            [container("wiki", "ghcr.io/requarks/wiki:2.5.303", ports=[3000], resources=res)]), replicas=2)
        W("Deployment", "artifact-proxy", "tools", {"app": "artifact-proxy"}, podspec(
            [container("nexus", "docker.io/sonatype/nexus3:3.68.1", ports=[8081], resources=res)]), replicas=1,
          nodes=["dc1-k8s-w-03"])
        for w in self.workloads.values():
            if w.kind == "DaemonSet":
                for n in self.live_nodes:
                    if self.runs_on(w, n):
                        w.pods["%s-%s" % (w.name, suffix(rng))] = n
        self.build_no = {"storefront-ui": 412, "catalog-api": 988, "payments-api": 301, "platform-images": 77}

    def runs_on(self, w, node):
        """The node DaemonSets tolerate every taint; the attacker's miner stays off the control plane."""
        return w.name != "build-cache-warmer" or not node.startswith("dc1-k8s-cp")

    def operator_noise(self, h, n):
        rng = self.rng
        for _ in range(n):
            t = h + rng.randint(0, HOUR - 1)
            k = rng.random()
            if k < 0.6:
                ns = rng.choice(self.namespaces)
                self.ev(t, self.prometheus, "list", rng.choice(("pods", "endpoints", "services")), ns=ns,
                        query="?limit=500&resourceVersion=0")
            elif k < 0.75:
                self.ev(t, self.metallb, "list", "services", query="?limit=500&resourceVersion=0")
            elif k < 0.9:
                self.ev(t, self.kured, "get", "daemonsets", ns="kube-system", name="kured")
            else:
                self.ev(t, self.jenkins, "list", "pods", ns="ci", query="?labelSelector=jenkins%3Dslave")

    def agent_spec(self, job):
        tools = {"storefront-ui": container("node", "docker.io/library/node:20.12-bookworm", command=["sleep"],
                                             args=["99d"]),
                 "catalog-api": container("maven", "docker.io/library/maven:3.9.6-eclipse-temurin-21",
                                          command=["sleep"], args=["99d"]),
                 "payments-api": container("golang", "docker.io/library/golang:1.22.3", command=["sleep"],
                                           args=["99d"]),
                 "platform-images": container("kaniko", "gcr.io/kaniko-project/executor:v1.22.0-debug",
                                              command=["sleep"], args=["99d"])}[job]
        tools["mounts"] = [mount("workspace-volume", "/home/jenkins/agent")]
        jnlp = container("jnlp", "docker.io/jenkins/inbound-agent:3206.vb_15dcf73f6a_9-1",
                         env=[("JENKINS_URL", "http://jenkins.ci.svc.cluster.local:8080/"),
                              ("JENKINS_AGENT_WORKDIR", "/home/jenkins/agent")],
                         resources={"requests": {"cpu": "100m", "memory": "256Mi"}},
                         mounts=[mount("workspace-volume", "/home/jenkins/agent")])
        return podspec([tools, jnlp], volumes=[{"name": "workspace-volume", "emptyDir": {}}], sa="jenkins-agent",
                       node_selector={"kubernetes.io/os": "linux"}, restart="Never")

    def build(self, t, job, branch=None, node=None):
        """A Jenkins build: the Kubernetes plugin creates an agent pod, the
        build runs, the pod is deleted. Returns (pod name, node, end time)."""
        rng = self.rng
        self.build_no[job] += 1
        n = self.build_no[job]
        ref = branch or "main"
        name = "%s-%s-%d-%s" % (job, ref.lower().replace("/", "-"), n, suffix(rng, 5))[:63]
        url = "https://jenkins.dc1.fabrikam.internal/job/%s/job/%s/%d/" % (job, ref, n)
        p = pod(name, "ci", self.agent_spec(job),
                labels={"jenkins/jenkins-jenkins-agent": "true", "jenkins/label": "%s_%s" % (job, ref),
                        "kubernetes.jenkins.io/controller": "http___jenkins_ci_svc_cluster_local_8080x"},
                annotations={"buildUrl": url, "runUrl": "job/%s/job/%s/%d/" % (job, ref, n)})
        node = node or rng.choice(self.schedulable)
        self.ev(t, self.jenkins, "create", "pods", ns="ci", req=p, resp=persisted(rng, p, t), query="")
        self.ev(t + rng.randint(3000, 20000), self.sched, "create", "pods", ns="ci", name=name, sub="binding",
                level="Metadata")
        self.kubelet_status(t + rng.randint(1, 4) * US, node, "ci", name)
        dur = rng.randint(3 * MINUTE, 14 * MINUTE)
        for k in range(rng.randint(2, 5)):
            self.ev(t + (k + 1) * dur // 6, self.jenkins, "get", "pods", ns="ci", name=name)
        self.ev(t + dur, self.jenkins, "delete", "pods", ns="ci", name=name, level="Metadata")
        self.kubelet_status(t + dur + rng.randint(1, 5) * US, node, "ci", name, n=1)
        return name, node, t + dur

    def day(self, d0, today=False):
        rng = self.rng
        weekday = is_weekday(d0)
        rates = {"controllers": 12, "operators": 12, "people": 10}
        for hh in range(24):
            self.hour(d0 + hh * HOUR, rates)
        # CI: builds through the working day, a few at night (scheduled jobs)
        for hh in range(24):
            h = d0 + hh * HOUR
            lam = 6 if is_working_hour(h) else (0.4 if weekday else 0.15)
            for _ in range(poisson(rng, lam)):
                self.build(h + rng.randint(0, HOUR - 1),
                           rng.choice(("storefront-ui", "catalog-api", "payments-api", "platform-images")),
                           branch=rng.choice(("main", "main", "PR-%d" % rng.randint(1100, 1186))))
        # the workspace cleanup CronJob, every hour
        spec = podspec([container("cleanup", "docker.io/library/busybox:1.36",
                                  command=["sh", "-c", "find /workspaces -mtime +2 -delete"],
                                  mounts=[mount("workspaces", "/workspaces")])],
                       volumes=[{"name": "workspaces", "persistentVolumeClaim": {"claimName": "jenkins-workspaces"}}],
                       restart="OnFailure")
        for hh in range(24):
            self.cron_job(d0 + hh * HOUR + rng.randint(0, 2 * US), "ci", "workspace-cleanup", spec,
                          rng.choice(self.schedulable))
        # a deploy or two of the internal tools, weekdays
        if weekday and not today:
            for _ in range(rng.randint(0, 2)):
                t = d0 + rng.randint(8, 15) * HOUR + rng.randint(0, HOUR)
                w = self.workloads[("tools", "wiki")]
                img = "ghcr.io/requarks/wiki:2.5.%d" % (303 + rng.randint(0, 6))
                self.rollout(t, w, rng.choice((self.anna, self.jonas)), img)

    def maintenance(self):
        """History: kured reboots on Tuesday night, a new worker on Thursday."""
        rng = self.rng
        t = us_of("2026-03-03T21:04:00Z")
        for node in ["dc1-k8s-w-01", "dc1-k8s-w-02", "dc1-k8s-w-03", "dc1-k8s-cp-01"]:
            self.ev(t, self.kured, "patch", "nodes", name=node, req={"spec": {"unschedulable": True}},
                    level="Request")
            if node in self.schedulable:
                self.schedulable.remove(node)
            t += 2 * US
            for w in list(self.workloads.values()):
                if w.kind != "Deployment":
                    continue
                for pname, n in sorted(w.pods.items()):
                    if n == node:
                        t += rng.randint(300_000, 2_000_000)
                        self.evict(t, self.kured, w, pname)
            t += rng.randint(90, 150) * US
            if node.startswith("dc1-k8s-cp"):
                # the kubelet comes back and recreates its mirror pods
                for name, image in (("kube-apiserver", "registry.k8s.io/kube-apiserver:v1.29.4"),
                                    ("kube-controller-manager", "registry.k8s.io/kube-controller-manager:v1.29.4"),
                                    ("kube-scheduler", "registry.k8s.io/kube-scheduler:v1.29.4"),
                                    ("etcd", "registry.k8s.io/etcd:3.5.12-0"),
                                    ("kube-vip", "ghcr.io/kube-vip/kube-vip:v0.7.2")):
                    t += rng.randint(200_000, 900_000)
                    vols = [host_path("k8s-certs", "/etc/kubernetes/pki", "DirectoryOrCreate")] \
                        if name != "kube-vip" else [host_path("kubeconfig", "/etc/kubernetes/admin.conf", "FileOrCreate")]
                    c = container(name, image, mounts=[mount(vols[0]["name"], "/etc/kubernetes/pki"
                                                             if name != "kube-vip" else "/etc/kubernetes/admin.conf",
                                                             True)],
                                  caps=["NET_ADMIN", "NET_RAW"] if name == "kube-vip" else None)
                    p = pod("%s-%s" % (name, node), "kube-system",
                            podspec([c], volumes=vols, host_network=True, node_name=node,
                                    priority_class="system-node-critical" if name != "kube-vip" else None),
                            labels={"component": name, "tier": "control-plane"} if name != "kube-vip" else None,
                            annotations={"kubernetes.io/config.hash": "%032x" % rng.getrandbits(128),
                                         "kubernetes.io/config.mirror": "%032x" % rng.getrandbits(128),
                                         "kubernetes.io/config.source": "file"},
                            owner={"apiVersion": "v1", "kind": "Node", "name": node, "uid": uid(rng),
                                   "controller": True})
                    self.ev(t, self.node(node), "create", "pods", ns="kube-system", req=p,
                            resp=persisted(rng, p, t), query="")
            self.ev(t, self.kured, "patch", "nodes", name=node, req={"spec": {"unschedulable": None}},
                    level="Request")
            if node in self.workers:
                self.schedulable.append(node)
            self.ev(t + rng.randint(1, 3) * US, self.kured, "delete", "configmaps", ns="kube-system",
                    name="kured-lock", level="Metadata")
            t += rng.randint(4, 9) * MINUTE
        # Thursday: dc1-k8s-w-06 joins
        t = us_of("2026-03-05T10:31:12Z")
        boot = Actor("system:bootstrap:7ugl5q", ["system:bootstrappers", "system:bootstrappers:kubeadm:default-node-token",
                                                 "system:authenticated"],
                     "kubelet/v1.29.4 (linux/amd64) kubernetes/55019c8", [self.ips["dc1-k8s-w-06"]],
                     'RBAC: allowed by ClusterRoleBinding "kubeadm:kubelet-bootstrap" of ClusterRole '
                     '"system:node-bootstrapper" to Group "system:bootstrappers:kubeadm:default-node-token"')
        self.ev(t, boot, "create", "certificatesigningrequests", level="Metadata", query="")
        self.ev(t + 400_000, self.ctl["certificate-controller"], "update", "certificatesigningrequests",
                name="csr-%s" % suffix(rng), sub="approval", level="Metadata", query="")
        self.live_nodes.append("dc1-k8s-w-06")
        self.workers.append("dc1-k8s-w-06")
        self.ev(t + 2 * US, self.node("dc1-k8s-w-06"), "create", "nodes", level="Metadata", query="")
        self.ds_on_new_node(t + 3 * US, "dc1-k8s-w-06")
        self.schedulable.append("dc1-k8s-w-06")

    # -- the day of the attack -----------------------------------------------

    def attack(self):
        rng = self.rng
        # 01:38 a pull request build: the Jenkinsfile of the PR prints the
        # credentials the job can reach (among them dc1's admin.conf)
        t = TODAY + HOUR + 38 * MINUTE + 11 * US
        pname, node, _ = self.build(t, "storefront-ui", branch="PR-1187", node="dc1-k8s-w-03")
        pod_ip = "10.244.3.41"
        kubectl = "kubectl/v1.29.4 (linux/amd64) kubernetes/55019c8"
        agent = service_account("ci", "jenkins-agent", uid(rng), pod_ip, kubectl, "", node=node, rng=rng)
        t += 3 * MINUTE + 2 * US
        self.ev(t, agent, "create", "selfsubjectrulesreviews", level="Metadata", query="",
                reason='RBAC: allowed by ClusterRoleBinding "system:basic-user" of ClusterRole "system:basic-user" '
                       'to Group "system:authenticated"')
        t += 21 * US
        self.ev(t, agent, "list", "secrets", ns="ci", code=403, decision="forbid", reason="",
                status=forbidden_status(agent, "list", "secrets", "ci"))
        t += 40 * US
        self.ev(t, agent, "create", "clusterrolebindings", code=403, decision="forbid", reason="",
                status=forbidden_status(agent, "create", "clusterrolebindings"), manager="create")
        # 01:44 the same pod, now with dc1's admin.conf
        admin = Actor("kubernetes-admin", ["kubeadm:cluster-admins", "system:authenticated"], kubectl, [pod_ip],
                      'RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of ClusterRole "cluster-admin" '
                      'to Group "kubeadm:cluster-admins"')
        self.admin_actor = admin
        t += 2 * MINUTE + 7 * US
        self.ev(t, admin, "list", "namespaces", query="?limit=500")
        t += 9 * US
        self.ev(t, admin, "list", "secrets", query="?limit=500")
        t += 31 * US
        self.ev(t, admin, "get", "secrets", ns="ci", name="aks-prod-kubeconfig")
        t += 48 * US
        self.ev(t, admin, "list", "services", query="?limit=500")
        t += 22 * US
        svc = service("kubernetes-dashboard", "kubernetes-dashboard", {"k8s-app": "kubernetes-dashboard"},
                      [port(443, 8443)], labels={"k8s-app": "kubernetes-dashboard"})
        self.ev(t, admin, "get", "services", ns="kubernetes-dashboard", name="kubernetes-dashboard")
        # 01:47 kubectl patch svc kubernetes-dashboard -p '{"spec":{"type":"LoadBalancer"}}'
        t = TODAY + HOUR + 47 * MINUTE + 12 * US + 118_000
        after = copy.deepcopy(svc)
        after["spec"]["type"] = "LoadBalancer"
        resp = persisted(rng, after, t)
        resp["spec"]["clusterIP"] = resp["spec"]["clusterIPs"][0] = "10.96.118.204"
        resp["metadata"]["creationTimestamp"] = ts_s(START - 211 * DAY)
        self.ev(t, admin, "patch", "services", ns="kubernetes-dashboard", name="kubernetes-dashboard",
                req={"spec": {"type": "LoadBalancer"}}, resp=resp, manager="patch")
        self.ev(t + 310_000, self.metallb, "update", "services", ns="kubernetes-dashboard",
                name="kubernetes-dashboard", sub="status", level="Metadata", query="")
        # 01:48 kubectl create clusterrolebinding kubernetes-dashboard-admin --clusterrole=cluster-admin
        #       --serviceaccount=kubernetes-dashboard:kubernetes-dashboard
        t = TODAY + HOUR + 48 * MINUTE + 40 * US + 523_000
        crb = clusterrolebinding("kubernetes-dashboard-admin", "cluster-admin",
                                 [subject("ServiceAccount", "kubernetes-dashboard", "kubernetes-dashboard")])
        self.ev(t, admin, "create", "clusterrolebindings", req=as_requested(crb), resp=persisted(rng, crb, t),
                manager="create")
        # 02:03 through the now public dashboard, which acts as its own
        # (now cluster-admin) service account: a miner on every worker
        dash = service_account("kubernetes-dashboard", "kubernetes-dashboard", uid(rng), "10.244.2.31",
                               "dashboard/v2.7.0",
                               'RBAC: allowed by ClusterRoleBinding "kubernetes-dashboard-admin" of ClusterRole '
                               '"cluster-admin" to ServiceAccount "kubernetes-dashboard/kubernetes-dashboard"',
                               node="dc1-k8s-w-02", rng=rng)
        self.dash_actor = dash
        t = TODAY + 2 * HOUR + 1 * MINUTE + 5 * US
        for res in ("namespaces", "nodes", "pods"):
            self.ev(t, dash, "list", res, query="?limit=500")
            t += rng.randint(1, 4) * US
        t = TODAY + 2 * HOUR + 3 * MINUTE + 33 * US + 270_000
        miner = self.add(Workload(self, "DaemonSet", "build-cache-warmer", "ci", {"app": "build-cache-warmer"},
                                  podspec([container("warmer", "docker.io/kvdb4/cache-warmer:2.1",
                                                     command=["/usr/local/bin/warmer"],
                                                     args=["--url", "stratum+tcp://xmr.pool.minergate.com:45700",
                                                           "--user", "4AcJ3k7o9D5RqfH2bWmZ8nL6tYvXe1CsPu",
                                                           "--donate-level", "1", "--max-cpu-usage", "85"],
                                                     resources={"limits": {"cpu": "1500m"}})],
                                          priority_class=None)))
        m = miner.manifest()
        self.ev(t, dash, "create", "daemonsets", ns="ci", req=as_requested(m), resp=persisted(rng, m, t), query="")
        t += 60_000
        self.ev(t, self.ctl["daemon-set-controller"], "create", "controllerrevisions", ns="ci", level="Metadata")
        for n in self.workers:
            t += rng.randint(20_000, 150_000)
            self.create_controller_pod(t, miner, n, "daemon-set-controller")
        # 02:09 a privileged pod with the host's PID namespace on a control-plane node
        t = TODAY + 2 * HOUR + 9 * MINUTE + 47 * US + 905_000
        name = "nsenter-" + suffix(rng)
        p = pod(name, "default", podspec(
            [container("shell", "docker.io/library/alpine:3.19", privileged=True,
                       command=["nsenter", "--target", "1", "--mount", "--uts", "--ipc", "--net", "--pid", "--",
                                "bash", "-l"])],
            host_pid=True, host_network=True, node_name="dc1-k8s-cp-01", restart="Never",
            tolerations=[{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists",
                          "effect": "NoSchedule"}]))
        p["spec"]["containers"][0]["stdin"] = True
        p["spec"]["containers"][0]["tty"] = True
        self.ev(t, dash, "create", "pods", ns="default", req=as_requested(p), resp=persisted(rng, p, t), query="")
        self.kubelet_status(t + 2 * US, "dc1-k8s-cp-01", "default", name)
        self.exec(t + 31 * US, dash, "default", name, "shell", ["bash"])
        self.ev(t + 9 * MINUTE, dash, "get", "secrets", ns="kube-system", name="bootstrap-token-7ugl5q")

    def lookalikes(self):
        """Today, ordinary work that resembles the attack and stays quiet."""
        rng = self.rng
        helm = Actor(self.anna.username, self.anna.groups, "Helm/3.14.4", self.anna.ips, self.anna.reason)
        # 08:20 UTC Helm upgrade of sealed-secrets in kube-system: an image seen there in history
        t = TODAY + 8 * HOUR + 20 * MINUTE + 3 * US
        self.rollout(t, self.workloads[("kube-system", "sealed-secrets-controller")], helm,
                     "docker.io/bitnami/sealed-secrets-controller:0.26.2", manager="helm")
        # 09:05 Helm upgrade of fluent-bit: a DaemonSet on /var/log and /var/lib/docker/containers (allowlisted)
        t = TODAY + 9 * HOUR + 5 * MINUTE + 41 * US
        self.rollout(t, self.workloads[("logging", "fluent-bit")], helm, "cr.fluentbit.io/fluent/fluent-bit:3.0.4",
                     manager="helm")
        # 10:30 view and edit bindings for the QA team
        t = TODAY + 10 * HOUR + 30 * MINUTE + 12 * US
        for name, ns, role, group in (("qa-team-edit", "ci", "edit", "oidc:qa-team"),
                                      ("qa-team-view", "tools", "view", "oidc:qa-team")):
            rb = rolebinding(name, ns, "ClusterRole", role, [subject("Group", group)])
            self.ev(t, self.jonas, "create", "rolebindings", ns=ns, req=as_requested(rb), resp=persisted(rng, rb, t),
                    manager="create")
            t += rng.randint(20, 60) * US


# ---- AKS-FABRIKAM-PROD-WEU: the shop ------------------------------------------

SUBSCRIPTION = "7C4E2B19-5A3D-4F61-8E0B-2D9A6C1F3E57"
AKS_NAME = "AKS-FABRIKAM-PROD-WEU"
AKS_ID = ("/SUBSCRIPTIONS/%s/RESOURCEGROUPS/RG-SHOP-PROD-WEU/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/%s"
          % (SUBSCRIPTION, AKS_NAME))
ACR = "fabrikamprod.azurecr.io"


class Aks(Cluster):
    controller_ip = "172.31.47.201"

    def build_inventory(self):
        rng = self.rng
        self.pool_id = "31847202"
        self.sys_nodes = ["aks-system-%s-vmss00000%d" % (self.pool_id, i) for i in range(3)]
        self.shop_nodes = ["aks-shop-%s-vmss00000%d" % (self.pool_id, i) for i in range(3)]
        self.new_sys = ["aks-system-%s-vmss00000%d" % (self.pool_id, i) for i in range(3, 6)]
        self.new_shop = ["aks-shop-%s-vmss00000%d" % (self.pool_id, i) for i in range(3, 6)]
        allnodes = self.sys_nodes + self.shop_nodes + self.new_sys + self.new_shop
        self.ips = {n: "10.224.0.%d" % (4 + i) for i, n in enumerate(allnodes)}
        self.nodes = {n: node_actor(n, K8S_VERSION, ip, K8S_BUILD) for n, ip in self.ips.items()}
        self.live_nodes = self.sys_nodes + self.shop_nodes
        self.workers = self.sys_nodes + self.shop_nodes
        self.schedulable = list(self.workers)
        self.namespaces = ["kube-system", "shop", "ingress-nginx", "cert-manager"]
        self.hpa_ns, self.hpa_targets = "shop", ["storefront", "catalog-api"]
        self.ccp_ns = "65f1c0d2a9e4b70001c3d5e8"
        self.apiserver_pods = ["kube-apiserver-7c9d5f8b6-%s" % suffix(rng) for _ in range(2)]
        self.underlay = "hcp-underlay-westeurope-cx-412"
        admins_group = "4a7c1e3d-2b9f-4c86-a1d5-9e0f3b7c2a64"
        reason = 'RBAC: allowed by ClusterRoleBinding "aks-cluster-admins" of ClusterRole "cluster-admin" to ' \
                 'Group "%s"' % admins_group
        self.erik = person("erik.nilsson@fabrikam.com", "d2b6f0a4-8c3e-4e71-b5a9-0f7d3c6e1b28", [admins_group],
                           "192.0.2.10", MAC_KUBECTL)
        self.erik.reason = reason
        devs = "8e1f5a2c-7d4b-4f09-9c36-b2a8e6d0f1c7"
        self.sofia = person("sofia.rossi@fabrikam.com", "1c9e7b3f-5a2d-4b68-8f14-e6d0a3c9b725", [devs],
                            "192.0.2.10", "kubectl/v1.29.3 (windows/amd64) kubernetes/6813625")
        self.sofia.reason = 'RBAC: allowed by RoleBinding "shop-developers/shop" of ClusterRole "edit" to Group "%s"' \
                            % devs
        self.people = [Person(self.erik, self.namespaces), Person(self.sofia, ["shop"], forbidden_ns="kube-system")]
        # the CI's deploy credential: AKS's local admin certificate (CN=masterclient)
        self.ci = Actor("masterclient", ["system:masters", "system:authenticated"],
                        "kubectl/v1.29.4 (linux/amd64) kubernetes/55019c8", ["198.51.100.20"], SYSTEM_MASTERS_REASON)
        self.aks_service = Actor("aksService", ["system:masters", "system:authenticated"], "Go-http-client/2.0",
                                 ["172.31.22.17"], SYSTEM_MASTERS_REASON)
        self.ama = service_account("kube-system", "ama-logs", uid(rng), "10.224.0.5",
                                   "ama-logs/3.1.20 (linux/amd64)",
                                   'RBAC: allowed by ClusterRoleBinding "amalogsclusterrolebinding" of ClusterRole '
                                   '"amalogsclusterrole" to ServiceAccount "ama-logs/kube-system"',
                                   node=self.sys_nodes[1], rng=rng)
        self.nginx = service_account("ingress-nginx", "ingress-nginx", uid(rng), "10.244.3.14",
                                     "nginx-ingress-controller/v1.10.1 (linux/amd64) ingress-nginx/4fb5aac",
                                     'RBAC: allowed by ClusterRoleBinding "ingress-nginx" of ClusterRole '
                                     '"ingress-nginx" to ServiceAccount "ingress-nginx/ingress-nginx"',
                                     node=self.shop_nodes[0], rng=rng)
        self.certmgr = service_account("cert-manager", "cert-manager", uid(rng), "10.244.1.22",
                                       "cert-manager-certificates-trigger/v1.14.5 (linux/amd64) cert-manager/0e9a5a6",
                                       'RBAC: allowed by ClusterRoleBinding "cert-manager-controller-certificates" of '
                                       'ClusterRole "cert-manager-controller-certificates" to ServiceAccount '
                                       '"cert-manager/cert-manager"', node=self.sys_nodes[2], rng=rng)
        W = lambda *a, **k: self.add(Workload(self, *a, **k))
        mcr = "mcr.microsoft.com/"
        tol = [{"operator": "Exists"}]
        W("DaemonSet", "kube-proxy", "kube-system", {"component": "kube-proxy", "tier": "node"}, podspec(
            [container("kube-proxy", mcr + "oss/kubernetes/kube-proxy:v1.29.4-hotfix.20240522", privileged=True,
                       command=["kube-proxy", "--conntrack-max-per-core=0", "--metrics-bind-address=0.0.0.0:10249",
                                "--cluster-cidr=10.244.0.0/16", "--detect-local-mode=ClusterCIDR"],
                       mounts=[mount("kubeconfig", "/var/lib/kubelet", True), mount("certificates",
                                                                                   "/etc/kubernetes/certs", True)])],
            volumes=[host_path("kubeconfig", "/var/lib/kubelet"), host_path("certificates", "/etc/kubernetes/certs")],
            host_network=True, priority_class="system-node-critical", tolerations=tol))
        W("DaemonSet", "azure-ip-masq-agent", "kube-system", {"k8s-app": "azure-ip-masq-agent"}, podspec(
            [container("azure-ip-masq-agent", mcr + "aks/ip-masq-agent-v2:v0.1.11", caps=["NET_ADMIN", "NET_RAW"])],
            host_network=True, priority_class="system-node-critical", tolerations=tol))
        W("DaemonSet", "cloud-node-manager", "kube-system", {"k8s-app": "cloud-node-manager"}, podspec(
            [container("cloud-node-manager", mcr + "oss/kubernetes/azure-cloud-node-manager:v1.29.4",
                       command=["cloud-node-manager", "--node-name=$(NODE_NAME)", "--wait-routes=false"])],
            host_network=True, sa="cloud-node-manager", priority_class="system-node-critical", tolerations=tol))
        W("DaemonSet", "csi-azuredisk-node", "kube-system", {"app": "csi-azuredisk-node"}, podspec(
            [container("liveness-probe", mcr + "oss/kubernetes-csi/livenessprobe:v2.12.0",
                       mounts=[mount("socket-dir", "/csi")]),
             container("node-driver-registrar", mcr + "oss/kubernetes-csi/csi-node-driver-registrar:v2.10.1",
                       mounts=[mount("socket-dir", "/csi"), mount("registration-dir", "/registration")]),
             container("azuredisk", mcr + "oss/kubernetes-csi/azuredisk-csi:v1.30.1", privileged=True,
                       args=["--v=5", "--endpoint=unix:///csi/csi.sock", "--nodeid=$(KUBE_NODE_NAME)"],
                       mounts=[mount("socket-dir", "/csi"), mount("mountpoint-dir", "/var/lib/kubelet/"),
                               mount("azure-cred", "/etc/kubernetes/"), mount("device-dir", "/dev"),
                               mount("sys-devices-dir", "/sys/bus/scsi/devices"),
                               mount("scsi-host-dir", "/sys/class/scsi_host/")])],
            volumes=[host_path("socket-dir", "/var/lib/kubelet/plugins/disk.csi.azure.com", "DirectoryOrCreate"),
                     host_path("mountpoint-dir", "/var/lib/kubelet/", "DirectoryOrCreate"),
                     host_path("registration-dir", "/var/lib/kubelet/plugins_registry/", "DirectoryOrCreate"),
                     host_path("azure-cred", "/etc/kubernetes/", "DirectoryOrCreate"),
                     host_path("device-dir", "/dev", "Directory"),
                     host_path("sys-devices-dir", "/sys/bus/scsi/devices", "Directory"),
                     host_path("scsi-host-dir", "/sys/class/scsi_host/")],
            host_network=True, sa="csi-azuredisk-node-sa", priority_class="system-node-critical", tolerations=tol))
        W("DaemonSet", "ama-logs", "kube-system", {"component": "ama-logs-agent"}, podspec(
            [container("ama-logs", mcr + "azuremonitor/containerinsights/ciprod:3.1.20",
                       mounts=[mount("host-root", "/hostfs", True), mount("host-log", "/var/log")])],
            volumes=[host_path("host-root", "/"), host_path("host-log", "/var/log")], sa="ama-logs",
            priority_class="system-node-critical", tolerations=tol))
        W("DaemonSet", "aks-secrets-store-provider-azure", "kube-system", {"app": "secrets-store-provider-azure"},
          podspec([container("provider-azure-installer", mcr + "oss/azure/secrets-store/provider-azure:v1.5.3",
                             args=["--endpoint=unix:///provider/azure.sock", "--construct-pem-chain=true"],
                             mounts=[mount("provider-vol", "/provider")])],
                  volumes=[host_path("provider-vol", "/var/run/secrets-store-csi-providers")],
                  priority_class="system-node-critical", tolerations=tol))
        W("Deployment", "coredns", "kube-system", {"k8s-app": "kube-dns"}, podspec(
            [container("coredns", mcr + "oss/kubernetes/coredns:v1.11.3-2", args=["-conf", "/etc/coredns/Corefile"],
                       mounts=[mount("config-volume", "/etc/coredns", True)])],
            volumes=[{"name": "config-volume", "configMap": {"name": "coredns"}}], sa="coredns",
            priority_class="system-node-critical"), replicas=2, nodes=self.sys_nodes)
        W("Deployment", "metrics-server", "kube-system", {"k8s-app": "metrics-server"}, podspec(
            [container("metrics-server", mcr + "oss/kubernetes/metrics-server:v0.6.3",
                       args=["--kubelet-insecure-tls", "--secure-port=4443"])], sa="metrics-server",
            priority_class="system-cluster-critical"), replicas=2, nodes=self.sys_nodes[1:])
        W("Deployment", "konnectivity-agent", "kube-system", {"app": "konnectivity-agent"}, podspec(
            [container("konnectivity-agent", mcr + "oss/kubernetes/apiserver-network-proxy/agent:v0.1.6-hotfix.20240116",
                       args=["--proxy-server-host=aks-fabrikam-prod-weu-dns-k2m8r1x4.hcp.westeurope.azmk8s.io"])],
            sa="konnectivity-agent", priority_class="system-cluster-critical"), replicas=2, nodes=self.sys_nodes)
        W("Deployment", "azure-wi-webhook-controller-manager", "kube-system",
          {"azure-workload-identity.io/system": "true"}, podspec(
              [container("manager", mcr + "oss/azure/workload-identity/webhook:v1.2.2",
                         args=["--arc-cluster=false", "--log-level=info"], ports=[9443], privileged=False)],
              sa="azure-wi-webhook-admin", priority_class="system-cluster-critical"), replicas=2,
          nodes=self.sys_nodes[:2])
        W("Deployment", "ingress-nginx-controller", "ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"},
          podspec([container("controller", "registry.k8s.io/ingress-nginx/controller:v1.10.1",
                             args=["/nginx-ingress-controller", "--publish-service=$(POD_NAMESPACE)/ingress-nginx-controller"],
                             ports=[80, 443], caps=["NET_BIND_SERVICE"])], sa="ingress-nginx"), replicas=2,
          nodes=self.shop_nodes)
        W("Deployment", "cert-manager", "cert-manager", {"app.kubernetes.io/name": "cert-manager"}, podspec(
            [container("cert-manager-controller", "quay.io/jetstack/cert-manager-controller:v1.14.5",
                       args=["--v=2", "--leader-election-namespace=kube-system"], privileged=False)],
            sa="cert-manager"), replicas=1, nodes=self.sys_nodes[2:])
        shop_res = {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}}
        self.tags = {}
        for name, reps in (("storefront", 3), ("catalog-api", 2), ("cart-api", 2), ("payments-api", 2)):
            tag = "2026.02.%02d.%d" % (rng.randint(20, 27), rng.randint(1, 4))
            self.tags[name] = tag
            W("Deployment", name, "shop", {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "shop"},
              podspec([container(name, "%s/shop/%s:%s" % (ACR, name, tag), ports=[8080], resources=shop_res,
                                 env=[("ASPNETCORE_URLS", "http://+:8080")] if name != "storefront" else
                                 [("NODE_ENV", "production")], privileged=False)],
                      sa=name if name != "cart-api" else None), replicas=reps, nodes=self.shop_nodes)
        for w in self.workloads.values():
            if w.kind == "DaemonSet":
                for n in self.live_nodes:
                    w.pods["%s-%s" % (w.name, suffix(rng))] = n

    def operator_noise(self, h, n):
        rng = self.rng
        for _ in range(n):
            t = h + rng.randint(0, HOUR - 1)
            k = rng.random()
            if k < 0.5:
                self.ev(t, self.ama, "list", rng.choice(("pods", "nodes", "services", "events")),
                        query="?limit=500&resourceVersion=0")
            elif k < 0.7:
                self.ev(t, self.nginx, "get", "configmaps", ns="ingress-nginx", name="ingress-nginx-controller")
            elif k < 0.85:
                self.ev(t, self.certmgr, "list", "certificates", ns="shop", query="?limit=500&resourceVersion=0")
            else:
                self.ev(t, self.aks_service, "get", "namespaces", name="kube-system")

    def deploy(self, t, name, tag):
        """Jenkins deploys a new build: kubectl diff (a server-side dry run),
        then kubectl apply."""
        w = self.workloads[("shop", name)]
        img = "%s/shop/%s:%s" % (ACR, name, tag)
        new = w.manifest()
        new["spec"]["template"]["spec"]["containers"][0]["image"] = img
        resp = persisted(self.rng, new, t)
        self.ev(t, self.ci, "patch", "deployments", ns="shop", name=name,
                req={"spec": {"template": {"spec": {"containers": [{"name": name, "image": img}]}}}}, resp=resp,
                query="?dryRun=All&fieldManager=kubectl-client-side-apply&fieldValidation=Strict")
        return self.rollout(t + self.rng.randint(4, 9) * US, w, self.ci, img)

    def day(self, d0, today=False):
        rng = self.rng
        rates = {"controllers": 10, "operators": 15, "people": 6}
        for hh in range(24):
            self.hour(d0 + hh * HOUR, rates)
        if is_weekday(d0):
            for _ in range(rng.randint(1, 3)):
                t = d0 + rng.randint(8, 15) * HOUR + rng.randint(0, HOUR)
                name = rng.choice(("storefront", "catalog-api", "cart-api", "payments-api"))
                d = _EPOCH + timedelta(microseconds=t)
                self.deploy(t, name, "%s.%d" % (d.strftime("%Y.%m.%d"), rng.randint(1, 6)))
        # the nightly sales report
        spec = podspec([container("report", "%s/shop/sales-report:2026.02.11.1" % ACR,
                                  args=["--since=24h", "--to=blob://reports"], privileged=False)],
                       sa="sales-report", restart="Never")
        self.cron_job(d0 + 2 * HOUR + rng.randint(0, 3 * US), "shop", "nightly-sales-report", spec,
                      rng.choice(self.shop_nodes))

    def maintenance(self):
        """History: Wednesday's node image upgrade (surge, one node at a
        time) in the 03:00-05:00 maintenance window."""
        rng = self.rng
        t = us_of("2026-03-04T03:00:41Z")
        for old, new in zip(self.sys_nodes + self.shop_nodes, self.new_sys + self.new_shop):
            self.ev(t, self.node(new), "create", "nodes", level="Metadata", query="")
            self.live_nodes.append(new)
            self.workers.append(new)
            self.schedulable.append(new)
            t = self.ds_on_new_node(t + rng.randint(2, 8) * US, new)
            t += rng.randint(60, 120) * US
            self.ev(t, self.aks_service, "patch", "nodes", name=old, req={"spec": {"unschedulable": True}},
                    level="Request")
            self.schedulable.remove(old)
            for w in list(self.workloads.values()):
                if w.kind != "Deployment":
                    continue
                for pname, n in sorted(w.pods.items()):
                    if n == old:
                        t += rng.randint(300_000, 2_000_000)
                        self.evict(t, self.aks_service, w, pname)
            for w in self.workloads.values():
                for pname, n in list(w.pods.items()):
                    if n == old:
                        del w.pods[pname]
            t += rng.randint(60, 180) * US
            self.ev(t, self.aks_service, "delete", "nodes", name=old, level="Metadata")
            self.live_nodes.remove(old)
            self.workers.remove(old)
            t += rng.randint(30, 90) * US
        self.sys_nodes, self.shop_nodes = self.new_sys, self.new_shop

    def attack(self):
        """02:31 the AKS admin kubeconfig read from dc1, used from outside."""
        rng = self.rng
        atk = Actor("masterclient", ["system:masters", "system:authenticated"], LINUX_KUBECTL, ["203.0.113.66"],
                    SYSTEM_MASTERS_REASON)
        t = TODAY + 2 * HOUR + 31 * MINUTE + 4 * US + 77_000
        for res, q in (("namespaces", "?limit=500"), ("pods", "?limit=500"), ("secrets", "?limit=500"),
                       ("clusterrolebindings", "?limit=500"), ("nodes", "?limit=500")):
            self.ev(t, atk, "list", res, query=q)
            t += rng.randint(3, 15) * US
        # 02:33 a ClusterRole that reads secrets, execs into pods and talks to kubelets
        t = TODAY + 2 * HOUR + 33 * MINUTE + 5 * US + 412_000
        cr = clusterrole("aks-node-diagnostics", [
            rule([""], ["secrets", "configmaps"], ["get", "list", "watch"]),
            rule([""], ["pods", "pods/exec", "pods/log"], ["get", "list", "create"]),
            rule([""], ["nodes", "nodes/proxy"], ["get", "list"])],
            labels={"kubernetes.azure.com/managedby": "aks"})
        self.ev(t, atk, "create", "clusterroles", req=as_requested(cr, last_applied=True), resp=persisted(rng, cr, t),
                manager="apply")
        t += 14 * US + 230_000
        for name in ("aks-node-diagnostics", "cluster-autoscaler-status"):
            sa = {"kind": "ServiceAccount", "apiVersion": "v1", "metadata": metadata(name, "kube-system")}
            self.ev(t, atk, "create", "serviceaccounts", ns="kube-system", req=as_requested(sa),
                    resp=persisted(rng, sa, t), manager="apply")
            t += rng.randint(1, 3) * US
        crb = clusterrolebinding("aks-node-diagnostics", "aks-node-diagnostics",
                                 [subject("ServiceAccount", "aks-node-diagnostics", "kube-system")])
        self.ev(t, atk, "create", "clusterrolebindings", req=as_requested(crb, last_applied=True),
                resp=persisted(rng, crb, t), manager="apply")
        # 02:35 a cluster-admin service account with a token that outlives the certificate
        t = TODAY + 2 * HOUR + 35 * MINUTE + 2 * US + 640_000
        crb = clusterrolebinding("system:cluster-autoscaler-status", "cluster-admin",
                                 [subject("ServiceAccount", "cluster-autoscaler-status", "kube-system")],
                                 labels={"kubernetes.io/bootstrapping": "rbac-defaults"})
        self.ev(t, atk, "create", "clusterrolebindings", req=as_requested(crb, last_applied=True),
                resp=persisted(rng, crb, t), manager="apply")
        t += 6 * US
        self.ev(t, atk, "create", "secrets", ns="kube-system", level="Metadata", manager="apply")
        t += 4 * US
        self.ev(t, atk, "get", "secrets", ns="kube-system", name="cluster-autoscaler-status-token")
        # 02:38 a privileged DaemonSet in kube-system with the node's root filesystem
        t = TODAY + 2 * HOUR + 38 * MINUTE + 47 * US + 19_000
        ds = self.add(Workload(self, "DaemonSet", "aks-node-diagnostics", "kube-system",
                               {"k8s-app": "aks-node-diagnostics", "kubernetes.azure.com/managedby": "aks"},
                               podspec([container("diagnostics", "ghcr.io/aks-node-tools/node-diagnostics:1.4.2",
                                                  privileged=True, command=["/bin/sh", "-c"],
                                                  args=["chroot /host /bin/bash -c 'sleep infinity'"],
                                                  mounts=[mount("host", "/host")])],
                                       volumes=[host_path("host", "/")], host_pid=True, host_network=True,
                                       sa="aks-node-diagnostics", priority_class="system-node-critical",
                                       tolerations=[{"operator": "Exists"}])))
        m = ds.manifest()
        self.ev(t, atk, "create", "daemonsets", ns="kube-system", req=as_requested(m, last_applied=True),
                resp=persisted(rng, m, t), manager="apply")
        t += 50_000
        self.ev(t, self.ctl["daemon-set-controller"], "create", "controllerrevisions", ns="kube-system",
                level="Metadata")
        first = None
        for n in self.live_nodes:
            t += rng.randint(20_000, 150_000)
            pn = self.create_controller_pod(t, ds, n, "daemon-set-controller")
            first = first or (pn, n)
        t = TODAY + 2 * HOUR + 44 * MINUTE + 9 * US
        self.ev(t, atk, "list", "pods", ns="kube-system", query="?labelSelector=k8s-app%3Daks-node-diagnostics")
        self.exec(t + 12 * US, atk, "kube-system", first[0], "diagnostics", ["bash"])

    def lookalikes(self):
        rng = self.rng
        # 04:10 the AKS add-on manager updates the Azure Disk CSI node plugin:
        # privileged, on /var/lib/kubelet, /dev and /etc/kubernetes (allowlisted images)
        t = TODAY + 4 * HOUR + 10 * MINUTE + 7 * US
        w = self.workloads[("kube-system", "csi-azuredisk-node")]
        w.spec["containers"][1]["image"] = "mcr.microsoft.com/oss/kubernetes-csi/csi-node-driver-registrar:v2.10.1"
        self.rollout(t, w, self.aks_service, "mcr.microsoft.com/oss/kubernetes-csi/azuredisk-csi:v1.30.3",
                     manager="none", container=2)
        # 04:16 and the workload identity webhook: a kube-system image seen in history
        t = TODAY + 4 * HOUR + 16 * MINUTE + 31 * US
        self.rollout(t, self.workloads[("kube-system", "azure-wi-webhook-controller-manager")], self.aks_service,
                     "mcr.microsoft.com/oss/azure/workload-identity/webhook:v1.3.0", manager="none")
        # 13:40 Erik installs the dashboard with Helm, behind ClusterIP services
        helm = Actor(self.erik.username, self.erik.groups, "Helm/3.14.4", self.erik.ips, self.erik.reason,
                     uid_=self.erik.uid, extra=self.erik.extra)
        t = TODAY + 13 * HOUR + 40 * MINUTE + 2 * US
        ns = {"kind": "Namespace", "apiVersion": "v1", "metadata": metadata("kubernetes-dashboard")}
        self.ev(t, helm, "create", "namespaces", req=as_requested(ns), resp=persisted(rng, ns, t), query="")
        t += 600_000
        cr = clusterrole("kubernetes-dashboard-metrics-scraper", [
            rule(["metrics.k8s.io"], ["pods", "nodes"], ["get", "list", "watch"])],
            labels={"app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/part-of": "kubernetes-dashboard"})
        self.ev(t, helm, "create", "clusterroles", req=as_requested(cr), resp=persisted(rng, cr, t),
                query="?fieldManager=helm")
        t += 90_000
        labels = {"app.kubernetes.io/instance": "kubernetes-dashboard", "app.kubernetes.io/managed-by": "Helm",
                  "app.kubernetes.io/part-of": "kubernetes-dashboard"}
        for name, sel, p in (("kubernetes-dashboard-kong-proxy", "kong", port(443, 8443, "kong-proxy-tls")),
                             ("kubernetes-dashboard-web", "kubernetes-dashboard-web", port(8000, 8000, "web")),
                             ("kubernetes-dashboard-api", "kubernetes-dashboard-api", port(8000, 8000, "api")),
                             ("kubernetes-dashboard-auth", "kubernetes-dashboard-auth", port(8000, 8000, "auth"))):
            s = service(name, "kubernetes-dashboard", {"app.kubernetes.io/name": sel}, [p], labels=labels)
            self.ev(t, helm, "create", "services", ns="kubernetes-dashboard", req=as_requested(s),
                    resp=persisted(rng, s, t), query="?fieldManager=helm")
            t += rng.randint(20_000, 90_000)
        for name, image, reps in (("kubernetes-dashboard-kong", "docker.io/library/kong:3.6", 1),
                                  ("kubernetes-dashboard-web", "docker.io/kubernetesui/dashboard-web:1.4.0", 1),
                                  ("kubernetes-dashboard-api", "docker.io/kubernetesui/dashboard-api:1.7.0", 1),
                                  ("kubernetes-dashboard-auth", "docker.io/kubernetesui/dashboard-auth:1.1.3", 1)):
            w = self.add(Workload(self, "Deployment", name, "kubernetes-dashboard",
                                  dict(labels, **{"app.kubernetes.io/name": name}),
                                  podspec([container(name.rsplit("-", 1)[1], image, privileged=False,
                                                     read_only_root=True)], sa="kubernetes-dashboard"),
                                  replicas=reps, nodes=self.sys_nodes))
            w.pods = {}
            m = w.manifest()
            self.ev(t, helm, "create", "deployments", ns=w.ns, req=as_requested(m), resp=persisted(rng, m, t),
                    query="?fieldManager=helm")
            rs = replicaset("%s-%s" % (w.name, w.rs_hash), w.ns, dict(w.labels, **{"pod-template-hash": w.rs_hash}),
                            copy.deepcopy(w.spec), reps, owner_ref("Deployment", w.name, w.uid))
            t2 = t + rng.randint(10_000, 40_000)
            self.ev(t2, self.ctl["deployment-controller"], "create", "replicasets", ns=w.ns, req=rs,
                    resp=persisted(rng, rs, t2))
            self.create_controller_pod(t2 + rng.randint(10_000, 40_000), w, rng.choice(self.sys_nodes),
                                       "replicaset-controller")
            t += rng.randint(20_000, 90_000)
        # 13:52 Erik reaches it with kubectl port-forward, as intended
        t = TODAY + 13 * HOUR + 52 * MINUTE + 40 * US
        kong = self.workloads[("kubernetes-dashboard", "kubernetes-dashboard-kong")]
        pn = sorted(kong.pods)[0]
        self.ev(t, self.erik, "get", "pods", ns="kubernetes-dashboard", name=pn)
        e = audit(rng, t + 200_000, self.erik, "create", "pods", ns="kubernetes-dashboard", name=pn,
                  sub="portforward", stage="ResponseStarted", code=101, query="")
        self.events.append(e)
        # 14:10 Jenkins ships the shop's feature flags reader: a Role with narrow
        # rights and its binding; Erik gives the on-call group view in shop
        t = TODAY + 14 * HOUR + 10 * MINUTE + 5 * US
        r = role("feature-flags-reader", "shop", [rule([""], ["configmaps"], ["get", "list", "watch"],
                                                       names=["feature-flags"])])
        self.ev(t, self.ci, "create", "roles", ns="shop", req=as_requested(r, last_applied=True),
                resp=persisted(rng, r, t), manager="apply")
        rb = rolebinding("feature-flags-reader", "shop", "Role", "feature-flags-reader",
                         [subject("ServiceAccount", "storefront", "shop")])
        self.ev(t + 80_000, self.ci, "create", "rolebindings", ns="shop", req=as_requested(rb, last_applied=True),
                resp=persisted(rng, rb, t + 80_000), manager="apply")
        t = TODAY + 15 * HOUR + 2 * MINUTE + 11 * US
        rb = rolebinding("oncall-view", "shop", "ClusterRole", "view",
                         [subject("Group", "b5d3e9a1-6f2c-4d87-a0e4-3c8f1b7d9e62")])
        self.ev(t, self.erik, "create", "rolebindings", ns="shop", req=as_requested(rb), resp=persisted(rng, rb, t),
                manager="create")

    def records(self, events):
        """Event Hub batches of diagnostic records, one batch per line."""
        rng = self.rng
        lines, batch = [], []
        for e in events:
            batch.append(aks_record(rng, e, AKS_ID, self.ccp_ns, self.apiserver_pods[hash_pick(e)], self.underlay))
            if len(batch) >= 60 + (len(lines) * 7) % 41:
                lines.append(dumps({"records": batch}))
                batch = []
        if batch:
            lines.append(dumps({"records": batch}))
        return lines


def hash_pick(e):
    return int(e["auditID"][0], 16) & 1


# ---- the estate ------------------------------------------------------------------


class Estate:
    def __init__(self, outdir):
        self.outdir = outdir
        self.dc1 = OnPrem(SEED)
        self.aks = Aks(SEED + 1)
        self.net = network.Network(SEED + 2, START // 1000)
        self.options = []
        self.manifest = []

    def _write(self, phase, rel, lines, gz=False):
        path = os.path.join(self.outdir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = ("\n".join(lines) + "\n").encode()
        if gz:
            with open(path, "wb") as f:
                with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=6) as g:
                    g.write(data)
        else:
            with open(path, "wb") as f:
                f.write(data)
        self.manifest.append((phase, rel))

    def _write_bytes(self, rel, data, phase=None):
        path = os.path.join(self.outdir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        if phase:
            self.manifest.append((phase, rel))

    def _write_network_setup(self):
        self._write_bytes("network/inventory.jsonl", network.inventory(START // 1000).encode())
        self._write_bytes("network/c2-feed.txt", network.c2_feed().encode())
        self._write_bytes("network/threat-indicators.json", network.stix_bundle().encode())
        self.options += [("@inventory", "network/inventory.jsonl"), ("@intel", "malicious=network/c2-feed.txt"),
                         ("@intel", "network/threat-indicators.json")]

    def _split(self, events, until):
        """Events whose request arrived before until (us), and the rest."""
        stamp = ts(until)
        a = [e for e in events if e["requestReceivedTimestamp"] < stamp]
        b = [e for e in events if e["requestReceivedTimestamp"] >= stamp]
        return a, b

    def write(self):
        os.makedirs(self.outdir, exist_ok=True)
        for cl in (self.dc1, self.aks):
            for d in range(HISTORY_DAYS):
                cl.day(START + d * DAY)
            cl.maintenance()
        # history
        dc1 = self.dc1.sorted_events()
        hist, rest = self._split(dc1, TODAY)
        first, second = self._split(hist, START + 4 * DAY)
        self.dc1.events = rest          # watches still open at midnight land in today's log
        self._write("history", "history/dc1-tools/audit.log-20260306.gz", [dumps(e) for e in first], gz=True)
        self._write("history", "history/dc1-tools/audit.log-20260310", [dumps(e) for e in second])
        aks = self.aks.sorted_events()
        hist, rest = self._split(aks, TODAY)
        self.aks.events = rest
        for d in range(HISTORY_DAYS):
            day, hist = self._split(hist, START + (d + 1) * DAY)
            date = (_EPOCH + timedelta(microseconds=START + d * DAY)).strftime("%Y-%m-%d")
            self._write("history", "history/aks-fabrikam-prod-weu/kube-audit-%s.json" % date, self.aks.records(day))
        self._write_network_setup()
        for d in range(HISTORY_DAYS):
            day_ms = (START + d * DAY) // 1000
            self.net.day(day_ms)
            date = (_EPOCH + timedelta(microseconds=START + d * DAY)).strftime("%Y-%m-%d")
            self._write_bytes("history/network/flows-%s.ipfix" % date, self.net.take(), "history")
        options, files = management.write(self.outdir, SEED + 3)
        files += keyvault.write(self.outdir, SEED + 4)
        app_options, app_files = appservice.write(self.outdir, SEED + 5)
        options += app_options
        files += app_files
        host_options, host_files = host.write(self.outdir, SEED + 6)
        options += host_options
        files += host_files
        self.options += options
        self.manifest += [f for f in files if f[0] == "history"]
        # today
        for cl in (self.dc1, self.aks):
            cl.day(TODAY, today=True)
            cl.lookalikes()
        self.dc1.attack()
        self.aks.attack()
        self._write("today", "today/dc1-tools/audit.log", [dumps(e) for e in self.dc1.sorted_events()])
        self._write("today", "today/aks-fabrikam-prod-weu/kube-audit-2026-03-10.json",
                    self.aks.records(self.aks.sorted_events()))
        self.net.today(TODAY // 1000)
        self._write_bytes("today/network/flows-2026-03-10.ipfix", self.net.take(), "today")
        self.manifest += [f for f in files if f[0] == "today"]
        with open(os.path.join(self.outdir, "manifest.tsv"), "w") as f:
            for option, value in self.options:
                f.write("%s\t%s\n" % (option, value))
            for phase, rel in self.manifest:
                f.write("%s\t%s\n" % (phase, rel))


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: generate.py OUTDIR\n")
        return 2
    from_estate = Estate(argv[1])
    from_estate.write()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
