#!/usr/bin/env python3
"""Seeded generator of Kubernetes API server audit logs (audit.k8s.io/v1).

Usage: gen_k8s.py N OUT.jsonl [--seed S] [--start RFC3339]

Writes N Event objects, one per line, in the log backend's format: compact
JSON in the field order of Go's audit.Event, with Go's encoding/json
escaping (<, > and & as \\u003c, \\u003e, \\u0026; U+2028/9 escaped; other
UTF-8 raw). The same N and seed always give the same bytes.

The cluster is one mid-sized production cluster ("prod-eu1"): 12 nodes (3 of
them on an IPv6-only pool), a control plane with leader-elected
controllers, platform add-ons (monitoring, ingress, cert-manager, Argo CD,
Istio, logging, Velero) and a few product teams. The traffic mix follows
what such a cluster writes: mostly node leases, kubelet status patches,
controller watches/lists and service accounts reading config; some people
with kubectl (directly, through the corporate gateway, or through the
Teleport impersonation proxy); CI and Argo CD applying manifests. Pod
creates carry full specs (requestObject); secrets and ConfigMaps carry data;
some patches carry the responseObject. Rarely, something an attacker (or a
careless admin) does: privileged or hostPath debug pods, a cluster-admin
binding, a miner image, anonymous probing.

Only the Python 3 standard library is used.
"""
import argparse
import base64
import datetime as dt
import json
import random
import sys

K8S_VERSION = "v1.29.4"
K8S_COMMIT = "55019c8"
KUBELET_UA = f"kubelet/{K8S_VERSION} (linux/amd64) kubernetes/{K8S_COMMIT}"
KCM_UA = f"kube-controller-manager/{K8S_VERSION} (linux/amd64) kubernetes/{K8S_COMMIT}"
SCHED_UA = f"kube-scheduler/{K8S_VERSION} (linux/amd64) kubernetes/{K8S_COMMIT}"
APISERVER_UA = f"kube-apiserver/{K8S_VERSION} (linux/amd64) kubernetes/{K8S_COMMIT}"
KUBECTL_UAS = [
    "kubectl/v1.29.3 (darwin/arm64) kubernetes/6813625",
    "kubectl/v1.30.1 (linux/amd64) kubernetes/6911225",
    "kubectl/v1.29.4 (linux/amd64) kubernetes/55019c8",
    "kubectl/v1.28.9 (windows/amd64) kubernetes/587f5fe",
    "k9s/v0.32.4 (darwin/arm64) kubernetes/$Format",
    "Lens/6.5.2 (darwin/arm64) kubernetes/$Format",
]

GO_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
              ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def go_json(obj):
    """Compact JSON the way Go's encoding/json writes it (HTML-safe)."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    for a, b in GO_ESCAPES:
        if a in s:
            s = s.replace(a, b)
    return s


class Rand(random.Random):
    def uuid(self):
        v = self.getrandbits(128)
        h = "%032x" % v
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[v & 3]}{h[17:20]}-{h[20:]}"

    def hexs(self, n):
        return "%0*x" % (n, self.getrandbits(4 * n))

    def alnum(self, n, chars="bcdfghjklmnpqrstvwxz2456789"):
        return "".join(self.choice(chars) for _ in range(n))

    def wchoice(self, items):
        """items: list of (weight, value)."""
        total = sum(w for w, _ in items)
        x = self.random() * total
        for w, v in items:
            x -= w
            if x < 0:
                return v
        return items[-1][1]


# ---------------------------------------------------------------------------
# The world

NODES_V4 = [f"worker-eu1-{i:02d}" for i in range(1, 11)]
NODES_V6 = [f"gpu-eu1-{i:02d}" for i in range(1, 3)]
NODES = NODES_V4 + NODES_V6
CONTROL_PLANE_IPS = ["10.0.0.10", "10.0.0.11", "10.0.0.12"]
GATEWAY_IPS = ["10.0.250.5", "10.0.250.6"]            # corporate L7 gateway (sets X-Forwarded-For)
EGRESS_GW_IPS = ["10.244.200.14", "10.244.201.9"]     # istio egress gateway pods (set X-Forwarded-For)
# pods outside the system namespaces reach the API server through the mesh's egress gateway
MESH_EXEMPT = {"kube-system", "istio-system", "kube-node-lease", "kube-public"}


def node_ip(node):
    if node in NODES_V6:
        return "fd00:10:0:2::%x" % (0x10 + NODES_V6.index(node))
    return "10.0.1.%d" % (20 + NODES_V4.index(node))


# Workloads: namespace, name, kind, containers [(name, image, extra)], options.
# extra: dict of container fields; options: pod-level flags.
WORKLOADS = [
    ("kube-system", "coredns", "Deployment",
     [("coredns", "registry.k8s.io/coredns/coredns:v1.11.1",
       {"args": ["-conf", "/etc/coredns/Corefile"], "ports": [53, 9153],
        "caps": ["NET_BIND_SERVICE"], "cm": "coredns"})], {}),
    ("kube-system", "metrics-server", "Deployment",
     [("metrics-server", "registry.k8s.io/metrics-server/metrics-server:v0.7.1",
       {"args": ["--cert-dir=/tmp", "--secure-port=10250", "--kubelet-preferred-address-types=InternalIP",
                 "--kubelet-use-node-status-port", "--metric-resolution=15s"], "ports": [10250]})], {}),
    ("kube-system", "kube-proxy", "DaemonSet",
     [("kube-proxy", "registry.k8s.io/kube-proxy:v1.29.4",
       {"command": ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf",
                    "--hostname-override=$(NODE_NAME)"], "privileged": True,
        "hostmounts": [("xtables-lock", "/run/xtables.lock", "/run/xtables.lock"),
                       ("lib-modules", "/lib/modules", "/lib/modules")], "cm": "kube-proxy"})],
     {"hostNetwork": True, "priorityClassName": "system-node-critical"}),
    ("kube-system", "calico-node", "DaemonSet",
     [("calico-node", "docker.io/calico/node:v3.27.3",
       {"privileged": True, "env_extra": [("CALICO_NETWORKING_BACKEND", "bird"), ("CLUSTER_TYPE", "k8s,bgp"),
                                          ("IP_AUTODETECTION_METHOD", "kubernetes-internal-ip")],
        "hostmounts": [("lib-modules", "/lib/modules", "/lib/modules"), ("var-run-calico", "/var/run/calico", "/var/run/calico"),
                       ("var-lib-calico", "/var/lib/calico", "/var/lib/calico"), ("xtables-lock", "/run/xtables.lock", "/run/xtables.lock")]}),
      ], {"hostNetwork": True, "priorityClassName": "system-node-critical",
          "init": [("install-cni", "docker.io/calico/cni:v3.27.3",
                    {"command": ["/opt/cni/bin/install"], "privileged": True,
                     "hostmounts": [("cni-bin-dir", "/opt/cni/bin", "/host/opt/cni/bin"),
                                    ("cni-net-dir", "/etc/cni/net.d", "/host/etc/cni/net.d")]})]}),
    ("monitoring", "prometheus-k8s", "StatefulSet",
     [("prometheus", "quay.io/prometheus/prometheus:v2.51.2",
       {"args": ["--web.console.templates=/etc/prometheus/consoles", "--storage.tsdb.retention.time=15d",
                 "--config.file=/etc/prometheus/config_out/prometheus.env.yaml", "--web.enable-lifecycle"],
        "ports": [9090], "pvc": "prometheus-k8s-db"}),
      ("config-reloader", "quay.io/prometheus-operator/prometheus-config-reloader:v0.73.2",
       {"args": ["--listen-address=:8080", "--reload-url=http://localhost:9090/-/reload"]})], {}),
    ("monitoring", "grafana", "Deployment",
     [("grafana", "docker.io/grafana/grafana:10.4.2",
       {"ports": [3000], "secret_env": ("GF_SECURITY_ADMIN_PASSWORD", "grafana-admin", "admin-password"),
        "cm": "grafana-dashboards"})], {}),
    ("monitoring", "node-exporter", "DaemonSet",
     [("node-exporter", "quay.io/prometheus/node-exporter:v1.8.0",
       {"args": ["--path.procfs=/host/proc", "--path.sysfs=/host/sys", "--path.rootfs=/host/root"],
        "hostmounts": [("proc", "/proc", "/host/proc"), ("sys", "/sys", "/host/sys"), ("root", "/", "/host/root")]})],
     {"hostNetwork": True, "hostPID": True}),
    ("monitoring", "kube-state-metrics", "Deployment",
     [("kube-state-metrics", "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.12.0", {"ports": [8080, 8081]})], {}),
    ("ingress-nginx", "ingress-nginx-controller", "Deployment",
     [("controller", "registry.k8s.io/ingress-nginx/controller:v1.10.1",
       {"args": ["/nginx-ingress-controller", "--publish-service=$(POD_NAMESPACE)/ingress-nginx-controller",
                 "--election-id=ingress-nginx-leader", "--controller-class=k8s.io/ingress-nginx",
                 "--configmap=$(POD_NAMESPACE)/ingress-nginx-controller"],
        "ports": [80, 443, 8443], "caps": ["NET_BIND_SERVICE"]})], {}),
    ("cert-manager", "cert-manager", "Deployment",
     [("cert-manager-controller", "quay.io/jetstack/cert-manager-controller:v1.14.5",
       {"args": ["--v=2", "--cluster-resource-namespace=$(POD_NAMESPACE)", "--leader-election-namespace=kube-system"],
        "ports": [9402]})], {}),
    ("cert-manager", "cert-manager-webhook", "Deployment",
     [("cert-manager-webhook", "quay.io/jetstack/cert-manager-webhook:v1.14.5", {"ports": [10250]})], {}),
    ("argocd", "argocd-repo-server", "Deployment",
     [("argocd-repo-server", "quay.io/argoproj/argocd:v2.10.9",
       {"command": ["argocd-repo-server"], "ports": [8081, 8084], "cm": "argocd-cmd-params-cm"})], {}),
    ("argocd", "argocd-server", "Deployment",
     [("argocd-server", "quay.io/argoproj/argocd:v2.10.9",
       {"command": ["argocd-server"], "ports": [8080, 8083]})], {}),
    ("argocd", "argocd-redis", "Deployment",
     [("redis", "docker.io/library/redis:7.0.15-alpine", {"args": ["--save", "", "--appendonly", "no"], "ports": [6379]})], {}),
    ("logging", "fluent-bit", "DaemonSet",
     [("fluent-bit", "cr.fluentbit.io/fluent/fluent-bit:3.0.4",
       {"ports": [2020], "cm": "fluent-bit",
        "hostmounts": [("varlog", "/var/log", "/var/log"), ("etcmachineid", "/etc/machine-id", "/etc/machine-id")]})], {}),
    ("istio-system", "istiod", "Deployment",
     [("discovery", "docker.io/istio/pilot:1.21.2",
       {"args": ["discovery", "--monitoringAddr=:15014", "--log_output_level=default:info", "--domain", "cluster.local"],
        "ports": [8080, 15010, 15017]})], {}),
    ("external-dns", "external-dns", "Deployment",
     [("external-dns", "registry.k8s.io/external-dns/external-dns:v0.14.1",
       {"args": ["--source=service", "--source=ingress", "--provider=aws", "--registry=txt", "--txt-owner-id=prod-eu1"],
        "secret_env": ("AWS_SECRET_ACCESS_KEY", "external-dns-aws", "secret-access-key")})], {}),
    ("velero", "velero", "Deployment",
     [("velero", "docker.io/velero/velero:v1.13.2",
       {"command": ["/velero"], "args": ["server", "--uploader-type=kopia"], "ports": [8085]})], {}),
    ("payments", "payments-api", "Deployment",
     [("payments-api", "registry.corp.example.com/payments/payments-api:2.14.3",
       {"ports": [8080, 9090], "secret_env": ("DATABASE_URL", "payments-db", "url"),
        "env_extra": [("SPRING_PROFILES_ACTIVE", "prod"), ("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75 -XX:+UseG1GC")],
        "cm": "payments-api-config", "res": ("500m", "1Gi", "2", "2Gi")})], {"istio": True}),
    ("payments", "ledger-worker", "Deployment",
     [("ledger-worker", "registry.corp.example.com/payments/ledger-worker:2.14.3",
       {"secret_env": ("KAFKA_SASL_PASSWORD", "ledger-kafka", "password"),
        "env_extra": [("KAFKA_BROKERS", "kafka-0.kafka.data-pipeline.svc:9092,kafka-1.kafka.data-pipeline.svc:9092")],
        "res": ("250m", "512Mi", "1", "1Gi")})], {"istio": True}),
    ("checkout", "checkout-web", "Deployment",
     [("checkout-web", "registry.corp.example.com/shop/checkout-web:1.88.0",
       {"ports": [3000], "env_extra": [("NODE_ENV", "production"), ("CART_URL", "http://cart-redis:6379")],
        "secret_env": ("STRIPE_API_KEY", "checkout-stripe", "api-key"), "res": ("200m", "256Mi", "1", "512Mi")})],
     {"istio": True}),
    ("checkout", "cart-redis", "StatefulSet",
     [("redis", "docker.io/bitnami/redis:7.2.4-debian-12-r9",
       {"ports": [6379], "secret_env": ("REDIS_PASSWORD", "cart-redis", "redis-password"), "pvc": "redis-data"})], {}),
    ("catalog", "catalog-api", "Deployment",
     [("catalog-api", "registry.corp.example.com/shop/catalog-api:3.2.1",
       {"ports": [8080], "secret_env": ("PGPASSWORD", "catalog-db", "postgres-password"),
        "env_extra": [("PGHOST", "catalog-db.catalog.svc"), ("PGDATABASE", "catalog")],
        "res": ("300m", "384Mi", "1", "768Mi")})], {"istio": True}),
    ("catalog", "catalog-db", "StatefulSet",
     [("postgresql", "docker.io/bitnami/postgresql:16.2.0-debian-12-r15",
       {"ports": [5432], "secret_env": ("POSTGRES_PASSWORD", "catalog-db", "postgres-password"), "pvc": "data"})], {}),
    ("search", "search-api", "Deployment",
     [("search-api", "registry.corp.example.com/shop/search-api:0.41.7",
       {"ports": [8080], "env_extra": [("ES_URL", "https://elasticsearch-master:9200")]})], {"istio": True}),
    ("search", "elasticsearch-master", "StatefulSet",
     [("elasticsearch", "docker.elastic.co/elasticsearch/elasticsearch:8.13.2",
       {"ports": [9200, 9300], "env_extra": [("discovery.seed_hosts", "elasticsearch-master-headless"),
                                            ("cluster.name", "search"), ("ES_JAVA_OPTS", "-Xmx2g -Xms2g")],
        "secret_env": ("ELASTIC_PASSWORD", "elasticsearch-master-credentials", "password"), "pvc": "elasticsearch-master",
        "res": ("1", "4Gi", "2", "4Gi")})],
     {"init": [("configure-sysctl", "docker.elastic.co/elasticsearch/elasticsearch:8.13.2",
                {"command": ["sysctl", "-w", "vm.max_map_count=262144"], "privileged": True})]}),
    ("data-pipeline", "ingest-worker", "Deployment",
     [("ingest-worker", "registry.corp.example.com/data/ingest-worker:5.0.2",
       {"env_extra": [("S3_BUCKET", "corp-datalake-raw"), ("BATCH_SIZE", "5000")],
        "secret_env": ("AWS_SECRET_ACCESS_KEY", "ingest-s3", "secret-access-key")})], {}),
    ("data-pipeline", "nightly-export", "Job",
     [("export", "registry.corp.example.com/data/nightly-export:5.0.2",
       {"args": ["--since=24h", "--format=parquet"], "secret_env": ("PGPASSWORD", "warehouse", "password")})],
     {"restartPolicy": "OnFailure"}),
    ("ml-training", "resnet-finetune", "Job",
     [("trainer", "nvcr.io/nvidia/pytorch:24.03-py3",
       {"command": ["torchrun", "--nproc_per_node=1", "train.py", "--epochs=20"], "gpu": True,
        "pvc": "datasets"})], {"restartPolicy": "Never", "tolerations_gpu": True}),
]

NAMESPACES = sorted({w[0] for w in WORKLOADS} | {"default", "kube-public", "kube-node-lease", "ci", "teleport"})
APP_NAMESPACES = ["payments", "checkout", "catalog", "search", "data-pipeline", "ml-training"]

HUMANS = [
    # username, groups, weight, team namespaces
    ("oidc:alice.martin@corp.example.com", ["oidc:platform-admins", "oidc:sre"], 3, None),
    ("oidc:chen.wei@corp.example.com", ["oidc:sre"], 3, None),
    ("oidc:bob.nguyen@corp.example.com", ["oidc:developers", "oidc:team-payments"], 3, ["payments"]),
    ("oidc:priya.raman@corp.example.com", ["oidc:developers", "oidc:team-shop"], 3, ["checkout", "catalog", "search"]),
    ("oidc:dmitri.ivanov@corp.example.com", ["oidc:data-eng"], 2, ["data-pipeline", "ml-training"]),
    ("oidc:josé.garcía@corp.example.com", ["oidc:developers", "oidc:team-shop"], 2, ["checkout", "catalog"]),
    ("oidc:sophie.müller@corp.example.com", ["oidc:data-eng"], 1, ["data-pipeline", "ml-training"]),
    ("oidc:tom.okafor@corp.example.com", ["oidc:developers", "oidc:team-payments"], 2, ["payments"]),
    ("kubernetes-admin", ["kubeadm:cluster-admins"], 0.2, None),
]
HUMAN_CLIENT_IPS = ["172.16.%d.%d" % (a, b) for a in (4, 5, 8) for b in (23, 57, 101, 144, 210)]
HUMAN_CLIENT_IPS_V6 = ["2001:db8:4a1:10::%x" % x for x in (0x1a, 0x2b, 0x3c, 0x4d)]
PUBLIC_SCANNER_IPS = ["198.51.100.23", "203.0.113.77", "192.0.2.199", "2001:db8:ffff::bad"]

CONTROLLERS = ["replicaset-controller", "deployment-controller", "daemon-set-controller", "statefulset-controller",
               "job-controller", "cronjob-controller", "endpointslice-controller", "endpoint-controller",
               "namespace-controller", "generic-garbage-collector", "horizontal-pod-autoscaler",
               "persistent-volume-binder", "node-controller", "resourcequota-controller",
               "pod-garbage-collector", "service-account-controller", "disruption-controller",
               "clusterrole-aggregation-controller", "ttl-after-finished-controller"]

# Service accounts of add-ons running in pods: (namespace, sa, user agent, watched/listed resources)
ADDON_SAS = [
    ("kube-system", "coredns", "coredns/v1.11.1 (linux/amd64) kubernetes/ae2bbc2",
     ["endpointslices", "services", "namespaces"]),
    ("kube-system", "metrics-server", "metrics-server/v0.7.1 (linux/amd64) kubernetes/$Format",
     ["nodes", "pods", "configmaps"]),
    ("kube-system", "calico-node", "calico-node/v3.27.3 (linux/amd64) calico/$Format",
     ["nodes", "pods", "namespaces", "networkpolicies", "services", "endpointslices"]),
    ("monitoring", "prometheus-k8s", "Prometheus/2.51.2",
     ["endpoints", "pods", "services", "ingresses"]),
    ("monitoring", "kube-state-metrics", "v2.12.0/$Format (linux/amd64) kubernetes/$Format",
     ["pods", "deployments", "nodes", "namespaces", "persistentvolumes", "jobs", "cronjobs", "secrets", "configmaps"]),
    ("monitoring", "prometheus-operator", "PrometheusOperator/0.73.2",
     ["servicemonitors", "prometheuses", "secrets", "configmaps", "statefulsets"]),
    ("ingress-nginx", "ingress-nginx", "nginx-ingress-controller/v1.10.1 (linux/amd64) ingress-nginx/4fb5aac1",
     ["ingresses", "services", "endpointslices", "secrets", "configmaps", "ingressclasses"]),
    ("cert-manager", "cert-manager", "cert-manager-controller/v1.14.5 (linux/amd64) cert-manager/2a9e5b4",
     ["certificates", "certificaterequests", "secrets", "ingresses", "orders", "challenges"]),
    ("argocd", "argocd-application-controller", "argocd-application-controller/v0.0.0 (linux/amd64) kubernetes/$Format",
     ["applications", "deployments", "services", "configmaps", "secrets", "ingresses", "namespaces"]),
    ("istio-system", "istiod", "pilot-discovery/1.21.2",
     ["services", "endpointslices", "pods", "namespaces", "nodes", "virtualservices", "destinationrules", "gateways"]),
    ("logging", "fluent-bit", "fluent-bit/3.0.4", ["pods", "namespaces"]),
    ("external-dns", "external-dns", "external-dns/v0.14.1", ["services", "ingresses", "nodes", "pods"]),
    ("velero", "velero", "velero-server/v1.13.2 (linux/amd64) 0a8fd3a", ["backups", "schedules", "backupstoragelocations"]),
]

# resource -> (apiGroup ("" = core), version, cluster-scoped)
RESOURCES = {
    "pods": ("", "v1", False), "services": ("", "v1", False), "endpoints": ("", "v1", False),
    "configmaps": ("", "v1", False), "secrets": ("", "v1", False), "serviceaccounts": ("", "v1", False),
    "events": ("", "v1", False), "persistentvolumeclaims": ("", "v1", False), "limitranges": ("", "v1", False),
    "resourcequotas": ("", "v1", False),
    "nodes": ("", "v1", True), "namespaces": ("", "v1", True), "persistentvolumes": ("", "v1", True),
    "deployments": ("apps", "v1", False), "replicasets": ("apps", "v1", False),
    "statefulsets": ("apps", "v1", False), "daemonsets": ("apps", "v1", False),
    "controllerrevisions": ("apps", "v1", False),
    "jobs": ("batch", "v1", False), "cronjobs": ("batch", "v1", False),
    "endpointslices": ("discovery.k8s.io", "v1", False),
    "leases": ("coordination.k8s.io", "v1", False),
    "ingresses": ("networking.k8s.io", "v1", False), "networkpolicies": ("networking.k8s.io", "v1", False),
    "ingressclasses": ("networking.k8s.io", "v1", True),
    "horizontalpodautoscalers": ("autoscaling", "v2", False),
    "poddisruptionbudgets": ("policy", "v1", False),
    "roles": ("rbac.authorization.k8s.io", "v1", False), "rolebindings": ("rbac.authorization.k8s.io", "v1", False),
    "clusterroles": ("rbac.authorization.k8s.io", "v1", True),
    "clusterrolebindings": ("rbac.authorization.k8s.io", "v1", True),
    "storageclasses": ("storage.k8s.io", "v1", True), "csidrivers": ("storage.k8s.io", "v1", True),
    "csinodes": ("storage.k8s.io", "v1", True), "volumeattachments": ("storage.k8s.io", "v1", True),
    "priorityclasses": ("scheduling.k8s.io", "v1", True), "runtimeclasses": ("node.k8s.io", "v1", True),
    "customresourcedefinitions": ("apiextensions.k8s.io", "v1", True),
    "apiservices": ("apiregistration.k8s.io", "v1", True),
    "validatingwebhookconfigurations": ("admissionregistration.k8s.io", "v1", True),
    "mutatingwebhookconfigurations": ("admissionregistration.k8s.io", "v1", True),
    "flowschemas": ("flowcontrol.apiserver.k8s.io", "v1", True),
    "prioritylevelconfigurations": ("flowcontrol.apiserver.k8s.io", "v1", True),
    "tokenreviews": ("authentication.k8s.io", "v1", True),
    "subjectaccessreviews": ("authorization.k8s.io", "v1", True),
    "certificatesigningrequests": ("certificates.k8s.io", "v1", True),
    "networkpolicies.crd.projectcalico.org": ("crd.projectcalico.org", "v1", False),
    "certificates": ("cert-manager.io", "v1", False), "certificaterequests": ("cert-manager.io", "v1", False),
    "orders": ("acme.cert-manager.io", "v1", False), "challenges": ("acme.cert-manager.io", "v1", False),
    "clusterissuers": ("cert-manager.io", "v1", True),
    "applications": ("argoproj.io", "v1alpha1", False),
    "servicemonitors": ("monitoring.coreos.com", "v1", False), "prometheuses": ("monitoring.coreos.com", "v1", False),
    "virtualservices": ("networking.istio.io", "v1beta1", False),
    "destinationrules": ("networking.istio.io", "v1beta1", False),
    "gateways": ("networking.istio.io", "v1beta1", False),
    "backups": ("velero.io", "v1", False), "schedules": ("velero.io", "v1", False),
    "backupstoragelocations": ("velero.io", "v1", False),
}
CLUSTER_WATCHED = ["nodes", "namespaces", "persistentvolumes", "storageclasses", "csidrivers", "csinodes",
                   "priorityclasses", "runtimeclasses", "customresourcedefinitions", "clusterroles",
                   "clusterrolebindings", "validatingwebhookconfigurations", "mutatingwebhookconfigurations",
                   "ingressclasses", "apiservices", "flowschemas", "prioritylevelconfigurations",
                   "volumeattachments", "clusterissuers"]

RBAC_REASONS_SA = 'RBAC: allowed by ClusterRoleBinding "%s" of ClusterRole "%s" to ServiceAccount "%s/%s"'
RBAC_REASON_GROUP = 'RBAC: allowed by ClusterRoleBinding "%s" of ClusterRole "%s" to Group "%s"'
RBAC_REASON_RB = 'RBAC: allowed by RoleBinding "%s/%s" of ClusterRole "%s" to Group "%s"'
RBAC_REASON_USER = 'RBAC: allowed by ClusterRoleBinding "%s" of ClusterRole "%s" to User "%s"'


def group_uri(res, ns, name=None, sub=None):
    group, ver, cluster = RESOURCES[res]
    base = "/api/%s" % ver if not group else "/apis/%s/%s" % (group, ver)
    plural = res.split(".")[0]
    if ns and not cluster:
        base += "/namespaces/" + ns
    base += "/" + plural
    if name:
        base += "/" + name
    if sub:
        base += "/" + sub
    return base


class Gen:
    def __init__(self, seed, start):
        self.r = Rand(seed)
        self.t = start                       # microseconds since epoch of the next request
        self.rv = 48_211_907                 # resourceVersion counter
        self.uids = {}
        self.node_cred = {n: "X509SHA256=" + self.r.hexs(64) for n in NODES}
        self.admin_cred = "X509SHA256=" + self.r.hexs(64)
        self.sa_uid = {}
        self.pods = {}                       # (ns, workload) -> [pod names]
        self.rs_hash = {}
        self.templates = {}
        for ns, name, kind, containers, opts in WORKLOADS:
            h = self.r.alnum(10 if kind == "Deployment" else 5)
            self.rs_hash[(ns, name)] = h
            self.pods[(ns, name)] = [self.pod_name(ns, name, kind) for _ in range(3)]
        self.cm_names = {ns: ["kube-root-ca.crt", "%s-config" % ns, "istio-ca-root-cert"] for ns in NAMESPACES}
        for ns, name, kind, containers, opts in WORKLOADS:
            for c in containers:
                if "cm" in c[2]:
                    self.cm_names[ns].append(c[2]["cm"])
        self.stats = {}

    # -- small helpers --------------------------------------------------------
    def uid(self, key):
        u = self.uids.get(key)
        if u is None:
            u = self.uids[key] = self.r.uuid()
        return u

    def next_rv(self):
        self.rv += self.r.randint(1, 40)
        return str(self.rv)

    def pod_name(self, ns, name, kind):
        if kind == "Deployment":
            return "%s-%s-%s" % (name, self.rs_hash.get((ns, name), self.r.alnum(10)), self.r.alnum(5))
        if kind == "StatefulSet":
            return "%s-%d" % (name, self.r.randint(0, 2))
        if kind == "Job":
            return "%s-%d-%s" % (name, 28_900_000 + self.r.randint(0, 9999), self.r.alnum(5))
        return "%s-%s" % (name, self.r.alnum(5))

    def container_of(self, pod, ns):
        """Name of the main container of one of our pods."""
        for (wns, wname), _ in self.pods.items():
            if wns == ns and pod.startswith(wname + "-"):
                return next(w[3][0][0] for w in WORKLOADS if w[0] == wns and w[1] == wname)
        return pod.split("-")[0]

    def any_pod(self, ns=None):
        keys = [k for k in self.pods if ns is None or k[0] == ns]
        if not keys:
            return "%s-%s" % (ns or "app", self.r.alnum(5)), ns
        k = self.r.choice(keys)
        return self.r.choice(self.pods[k]), k[0]

    @staticmethod
    def ts(us):
        d = dt.datetime.fromtimestamp(us // 1_000_000, dt.timezone.utc)
        return d.strftime("%Y-%m-%dT%H:%M:%S") + ".%06dZ" % (us % 1_000_000)

    @staticmethod
    def ts_s(us):
        return dt.datetime.fromtimestamp(us // 1_000_000, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    # -- users ----------------------------------------------------------------
    def node_user(self, node):
        return {"username": "system:node:" + node, "groups": ["system:nodes", "system:authenticated"],
                "extra": {"authentication.kubernetes.io/credential-id": [self.node_cred[node]]}}

    def sa_user(self, ns, sa, pod=None, node=None):
        key = (ns, sa)
        if key not in self.sa_uid:
            self.sa_uid[key] = self.r.uuid()
        u = {"username": "system:serviceaccount:%s:%s" % (ns, sa), "uid": self.sa_uid[key],
             "groups": ["system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"]}
        extra = {"authentication.kubernetes.io/credential-id": ["JTI=" + self.r.uuid()]}
        if pod:
            node = node or self.r.choice(NODES_V4)
            extra = {"authentication.kubernetes.io/credential-id": extra["authentication.kubernetes.io/credential-id"],
                     "authentication.kubernetes.io/node-name": [node],
                     "authentication.kubernetes.io/node-uid": [self.uid(("node", node))],
                     "authentication.kubernetes.io/pod-name": [pod],
                     "authentication.kubernetes.io/pod-uid": [self.r.uuid()]}
        u["extra"] = extra
        return u

    def system_user(self, name):
        return {"username": name, "groups": ["system:authenticated"]}

    def human_user(self, h):
        name, groups, _, _ = h
        if name == "kubernetes-admin":
            return {"username": name, "groups": groups + ["system:authenticated"],
                    "extra": {"authentication.kubernetes.io/credential-id": [self.admin_cred]}}
        return {"username": name, "groups": groups + ["system:authenticated"]}

    def pick_human(self):
        return self.r.wchoice([(h[2], h) for h in HUMANS])

    # -- event skeleton -------------------------------------------------------
    def event(self, *, user, verb, uri, ips, ua, objref=None, code=200, level="Metadata",
              stage="ResponseComplete", status=None, req=None, resp=None, decision="allow",
              reason="", impersonated=None, extra_ann=None, latency=None):
        r = self.r
        self.t += int(r.expovariate(1 / 36_000)) + 1     # ~28 requests/s, strictly increasing
        received = self.t
        if latency is None:
            latency = int(r.lognormvariate(8.0, 1.0))     # median ~3 ms
            latency = min(latency, 2_000_000)
        ev = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": level, "auditID": r.uuid(),
              "stage": stage, "requestURI": uri, "verb": verb, "user": user}
        if impersonated:
            ev["impersonatedUser"] = impersonated
        ev["sourceIPs"] = ips
        ev["userAgent"] = ua
        if objref is not None:
            ev["objectRef"] = objref
        if status is None:
            status = {"metadata": {}, "code": code}
        ev["responseStatus"] = status
        if req is not None:
            ev["requestObject"] = req
        if resp is not None:
            ev["responseObject"] = resp
        ev["requestReceivedTimestamp"] = self.ts(received)
        ev["stageTimestamp"] = self.ts(received + latency)
        ann = {"authorization.k8s.io/decision": decision, "authorization.k8s.io/reason": reason}
        if extra_ann:
            ann.update(extra_ann)
        ev["annotations"] = ann
        return ev

    def objref(self, res, ns=None, name=None, sub=None, uid=False, rv=False):
        group, ver, cluster = RESOURCES[res]
        o = {"resource": res.split(".")[0]}
        if ns and not cluster:
            o["namespace"] = ns
        if name:
            o["name"] = name
        if uid and name:
            o["uid"] = self.uid((res, ns, name))
        if group:
            o["apiGroup"] = group
        o["apiVersion"] = ver
        if rv:
            o["resourceVersion"] = self.next_rv()
        if sub:
            o["subresource"] = sub
        return o

    def failure(self, code, res, name, ns=None, msg=None):
        reasons = {403: "Forbidden", 404: "NotFound", 409: "Conflict", 422: "Invalid", 500: "InternalError",
                   429: "TooManyRequests"}
        plural = res.split(".")[0]
        group = RESOURCES[res][0]
        qual = plural + ("." + group if group else "")
        if msg is None:
            if code == 404:
                msg = '%s "%s" not found' % (qual, name)
            elif code == 409:
                msg = ('Operation cannot be fulfilled on %s "%s": the object has been modified; '
                       "please apply your changes to the latest version and try again" % (qual, name))
            else:
                msg = "error"
        st = {"metadata": {}, "status": "Failure", "message": msg, "reason": reasons[code]}
        details = {}
        if name:
            details["name"] = name
        if group:
            details["group"] = group
        details["kind"] = plural
        if code != 500:
            st["details"] = details
        st["code"] = code
        return st

    def addr_inside(self, node=None, pod_ip=True):
        """Source IP of a pod or node inside the cluster."""
        r = self.r
        node = node or r.choice(NODES_V4)
        if node in NODES_V6:
            return "fd00:10:244:%x::%x" % (NODES_V6.index(node) + 0x20, r.randint(2, 250)) if pod_ip else node_ip(node)
        return "10.244.%d.%d" % (NODES_V4.index(node) + 1, r.randint(2, 250)) if pod_ip else node_ip(node)

    def human_ips(self, kind=None):
        r = self.r
        x = r.random()
        if x < 0.55:                                      # through the corporate gateway: XFF + gateway
            return [r.choice(HUMAN_CLIENT_IPS), r.choice(GATEWAY_IPS)]
        if x < 0.85:
            return [r.choice(HUMAN_CLIENT_IPS)]
        return [r.choice(HUMAN_CLIENT_IPS_V6)]

    def sa_ips(self, ns, node=None):
        ip = self.addr_inside(node)
        if ns not in MESH_EXEMPT:
            return [ip, self.r.choice(EGRESS_GW_IPS)]
        return [ip]

    # -- object bodies ----------------------------------------------------------
    def container(self, name, image, x, ns):
        c = {"name": name, "image": image}
        if "command" in x:
            c["command"] = x["command"]
        if "args" in x:
            c["args"] = x["args"]
        if "ports" in x:
            c["ports"] = [{"name": "p%d" % p if p not in (80, 443, 53) else {80: "http", 443: "https", 53: "dns"}[p],
                           "containerPort": p, "protocol": "UDP" if p == 53 else "TCP"} for p in x["ports"]]
        env = [{"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}}]
        if "hostmounts" in x or x.get("privileged"):
            env.append({"name": "NODE_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}})
        for k, v in x.get("env_extra", []):
            env.append({"name": k, "value": v})
        if "secret_env" in x:
            k, sec, key = x["secret_env"]
            env.append({"name": k, "valueFrom": {"secretKeyRef": {"name": sec, "key": key}}})
        c["env"] = env
        if "res" in x:
            rc, rm, lc, lm = x["res"]
            c["resources"] = {"limits": {"cpu": lc, "memory": lm}, "requests": {"cpu": rc, "memory": rm}}
        elif x.get("gpu"):
            c["resources"] = {"limits": {"nvidia.com/gpu": "1", "memory": "24Gi"},
                              "requests": {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "1"}}
        else:
            c["resources"] = {"requests": {"cpu": "100m", "memory": "128Mi"}}
        mounts = []
        if "cm" in x:
            mounts.append({"name": "config", "readOnly": True, "mountPath": "/etc/" + name})
        if "pvc" in x:
            mounts.append({"name": x["pvc"], "mountPath": "/data"})
        for vname, _hp, mp in x.get("hostmounts", []):
            mounts.append({"name": vname, "mountPath": mp} | ({"readOnly": True} if mp.startswith("/host") else {}))
        if mounts:
            c["volumeMounts"] = mounts
        if "ports" in x:
            p = x["ports"][0]
            c["livenessProbe"] = {"httpGet": {"path": "/healthz", "port": p, "scheme": "HTTP"}, "initialDelaySeconds": 10,
                                  "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}
        c["terminationMessagePath"] = "/dev/termination-log"
        c["terminationMessagePolicy"] = "File"
        c["imagePullPolicy"] = "IfNotPresent"
        if x.get("privileged"):
            c["securityContext"] = {"privileged": True}
        elif "caps" in x:
            c["securityContext"] = {"capabilities": {"add": x["caps"], "drop": ["ALL"]},
                                    "readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False}
        else:
            c["securityContext"] = {"runAsNonRoot": True, "allowPrivilegeEscalation": False,
                                    "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}
        return c

    def pod_spec(self, ns, wname, containers, opts, sa=None):
        spec = {}
        vols = []
        for _, _, x in containers + opts.get("init", []):
            if "cm" in x and not any(v["name"] == "config" for v in vols):
                vols.append({"name": "config", "configMap": {"name": x["cm"], "defaultMode": 420}})
            if "pvc" in x:
                vols.append({"name": x["pvc"], "persistentVolumeClaim": {"claimName": x["pvc"]}})
            for vname, hp, _mp in x.get("hostmounts", []):
                if not any(v["name"] == vname for v in vols):
                    t = "File" if "." in hp.rsplit("/", 1)[-1] or hp.endswith("machine-id") else ""
                    vols.append({"name": vname, "hostPath": {"path": hp, "type": t}})
        if vols:
            spec["volumes"] = vols
        if opts.get("init"):
            spec["initContainers"] = [self.container(n, i, x, ns) for n, i, x in opts["init"]]
        spec["containers"] = [self.container(n, i, x, ns) for n, i, x in containers]
        spec["restartPolicy"] = opts.get("restartPolicy", "Always")
        spec["terminationGracePeriodSeconds"] = 30
        spec["dnsPolicy"] = "ClusterFirstWithHostNet" if opts.get("hostNetwork") else "ClusterFirst"
        spec["serviceAccountName"] = sa or wname
        spec["serviceAccount"] = sa or wname
        if opts.get("hostNetwork"):
            spec["hostNetwork"] = True
        if opts.get("hostPID"):
            spec["hostPID"] = True
        spec["securityContext"] = {} if opts.get("hostNetwork") else {"fsGroup": 1001, "runAsUser": 1001}
        if ns in APP_NAMESPACES:
            spec["affinity"] = {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 100, "podAffinityTerm": {"labelSelector": {"matchLabels": {"app.kubernetes.io/name": wname}},
                                                    "topologyKey": "kubernetes.io/hostname"}}]}}
        spec["schedulerName"] = "default-scheduler"
        tol = [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
               {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]
        if opts.get("tolerations_gpu"):
            tol.insert(0, {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"})
        if "priorityClassName" in opts:
            spec["priorityClassName"] = opts["priorityClassName"]
            tol = [{"operator": "Exists"}]
        spec["tolerations"] = tol
        spec["enableServiceLinks"] = True
        return spec

    def workload_pod(self, w):
        ns, wname, kind, containers, opts = w
        key = (ns, wname)
        owner_kind = {"Deployment": "ReplicaSet", "DaemonSet": "DaemonSet", "StatefulSet": "StatefulSet",
                      "Job": "Job"}[kind]
        owner = wname + ("-" + self.rs_hash[key] if kind == "Deployment" else "")
        labels = {"app.kubernetes.io/name": wname, "app.kubernetes.io/part-of": ns}
        if kind == "Deployment":
            labels["pod-template-hash"] = self.rs_hash[key]
        elif kind == "DaemonSet":
            labels["controller-revision-hash"] = self.rs_hash[key]
            labels["pod-template-generation"] = "3"
        meta = {"generateName": owner + "-", "namespace": ns, "creationTimestamp": None, "labels": labels}
        if ns in APP_NAMESPACES:
            meta["annotations"] = {"prometheus.io/scrape": "true", "prometheus.io/port": "9090",
                                   "kubectl.kubernetes.io/restartedAt": "2026-11-20T09:12:44Z"}
        meta["ownerReferences"] = [{"apiVersion": "apps/v1" if owner_kind != "Job" else "batch/v1", "kind": owner_kind,
                                    "name": owner, "uid": self.uid(("owner", ns, owner)),
                                    "controller": True, "blockOwnerDeletion": True}]
        spec = self.pod_spec(ns, wname, containers, opts)
        if kind == "DaemonSet":
            node = self.r.choice(NODES)
            spec["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]}}}
        return {"kind": "Pod", "apiVersion": "v1", "metadata": meta, "spec": spec, "status": {}}

    # -- event kinds ------------------------------------------------------------
    def ev_node_lease(self):
        r = self.r
        node = r.choice(NODES)
        code, status = 200, None
        if r.random() < 0.004:
            status = self.failure(409, "leases", node)
        return self.event(user=self.node_user(node), verb="update",
                          uri=group_uri("leases", "kube-node-lease", node) + "?timeout=10s",
                          ips=[node_ip(node)], ua=KUBELET_UA,
                          objref=self.objref("leases", "kube-node-lease", node, uid=True, rv=True),
                          code=code, status=status)

    def ev_leader_lease(self):
        r = self.r
        who = r.wchoice([(3, ("kube-system", "kube-controller-manager", self.system_user("system:kube-controller-manager"), KCM_UA + "/leader-election")),
                         (3, ("kube-system", "kube-scheduler", self.system_user("system:kube-scheduler"), SCHED_UA + "/leader-election")),
                         (1, ("kube-system", "cert-manager-controller", None, "cert-manager-leader-election/v1.14.5")),
                         (1, ("ingress-nginx", "ingress-nginx-leader", None, "nginx-ingress-controller/v1.10.1 (linux/amd64) ingress-nginx/4fb5aac1")),
                         (1, ("monitoring", "prometheus-operator", None, "PrometheusOperator/0.73.2")),
                         (1, ("external-dns", "external-dns-leader", None, "external-dns/v0.14.1"))])
        ns, lease, user, ua = who
        if user is None:
            sa_ns = {"cert-manager-controller": "cert-manager"}.get(lease, ns)
            sa = {"cert-manager-controller": "cert-manager", "ingress-nginx-leader": "ingress-nginx",
                  "external-dns-leader": "external-dns"}.get(lease, lease)
            user = self.sa_user(sa_ns, sa, pod=sa + "-" + self.r.alnum(10) + "-" + self.r.alnum(5))
            ips = [self.addr_inside()]
            reason = RBAC_REASON_RB % (ns, sa + ":leaderelection", sa + ":leaderelection", "system:serviceaccounts:" + sa_ns)
        else:
            ips = [r.choice(CONTROL_PLANE_IPS)]
            reason = RBAC_REASON_USER % (user["username"], user["username"], user["username"])
        verb = r.wchoice([(3, "get"), (2, "update")])
        status = None
        if verb == "update" and r.random() < 0.02:
            status = self.failure(409, "leases", lease)
        return self.event(user=user, verb=verb, uri=group_uri("leases", ns, lease) + "?timeout=5s", ips=ips, ua=ua,
                          objref=self.objref("leases", ns, lease, uid=verb == "update", rv=verb == "update"),
                          status=status, reason=reason)

    def ev_node_status(self):
        r = self.r
        node = r.choice(NODES)
        now = self.ts_s(self.t)
        conds = [{"type": t, "lastHeartbeatTime": now} for t in
                 ("MemoryPressure", "DiskPressure", "PIDPressure", "Ready")]
        body = {"status": {"$setElementOrder/conditions": [{"type": c["type"]} for c in conds], "conditions": conds}}
        if r.random() < 0.3:
            body["status"]["images"] = None
            body["status"]["allocatable"] = {"ephemeral-storage": "96143180846", "memory": "31827808Ki"}
        resp = None
        if r.random() < 0.15:                              # some patches carry the node back
            resp = {"kind": "Node", "apiVersion": "v1",
                    "metadata": {"name": node, "uid": self.uid(("node", node)), "resourceVersion": self.next_rv(),
                                 "creationTimestamp": "2026-09-02T07:41:19Z",
                                 "labels": {"kubernetes.io/hostname": node, "kubernetes.io/os": "linux",
                                            "kubernetes.io/arch": "amd64", "node.kubernetes.io/instance-type":
                                            "g5.2xlarge" if node in NODES_V6 else "m6i.2xlarge",
                                            "topology.kubernetes.io/zone": "eu-west-1" + "abc"[NODES.index(node) % 3]},
                                 "annotations": {"node.alpha.kubernetes.io/ttl": "0",
                                                 "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
                    "spec": {"podCIDR": "10.244.%d.0/24" % (NODES.index(node) + 1), "providerID":
                             "aws:///eu-west-1a/i-0%s" % self.r.hexs(16)},
                    "status": {"conditions": [dict(c, status="False" if c["type"] != "Ready" else "True",
                                                   lastTransitionTime="2026-11-19T03:02:11Z") for c in conds],
                               "nodeInfo": {"kubeletVersion": K8S_VERSION, "containerRuntimeVersion": "containerd://1.7.16",
                                            "osImage": "Ubuntu 22.04.4 LTS", "kernelVersion": "6.5.0-1020-aws"}}}
        return self.event(user=self.node_user(node), verb="patch",
                          uri=group_uri("nodes", None, node, "status") + "?timeout=10s", ips=[node_ip(node)],
                          ua=KUBELET_UA, objref=self.objref("nodes", None, node, sub="status"),
                          level="RequestResponse" if resp else "Request", req=body, resp=resp)

    def ev_node_get(self):
        node = self.r.choice(NODES)
        return self.event(user=self.node_user(node), verb="get",
                          uri=group_uri("nodes", None, node) + "?resourceVersion=0&timeout=10s", ips=[node_ip(node)],
                          ua=KUBELET_UA, objref=self.objref("nodes", None, node))

    def ev_pod_status(self):
        r = self.r
        node = r.choice(NODES)
        pod, ns = self.any_pod()
        now = self.ts_s(self.t)
        ready = r.random() < 0.8
        body = {"metadata": {"uid": self.uid(("pods", ns, pod))},
                "status": {"$setElementOrder/conditions": [{"type": t} for t in
                                                           ("PodReadyToStartContainers", "Initialized", "Ready",
                                                            "ContainersReady", "PodScheduled")],
                           "conditions": [{"lastTransitionTime": now, "status": "True" if ready else "False",
                                           "type": "Ready"} | ({} if ready else {"message": "containers with unready status: [%s]" % self.container_of(pod, ns),
                                                                               "reason": "ContainersNotReady"}),
                                          {"lastTransitionTime": now, "status": "True" if ready else "False",
                                           "type": "ContainersReady"}],
                           "containerStatuses": [{"containerID": "containerd://" + r.hexs(64),
                                                  "image": "sha256:" + r.hexs(64), "imageID": "", "lastState": {},
                                                  "name": self.container_of(pod, ns), "ready": ready, "restartCount": r.choice([0, 0, 0, 1, 2, 7]),
                                                  "started": True, "state": {"running": {"startedAt": now}}}],
                           "podIP": self.addr_inside(node)}}
        return self.event(user=self.node_user(node), verb="patch", uri=group_uri("pods", ns, pod, "status"),
                          ips=[node_ip(node)], ua=KUBELET_UA, objref=self.objref("pods", ns, pod, sub="status"),
                          level="Request", req=body)

    def controller(self):
        c = self.r.choice(CONTROLLERS)
        return c, self.sa_user("kube-system", c), KCM_UA + "/system:serviceaccount:kube-system:" + c

    def watcher(self):
        """(user, ua, ips, resource list, namespace or None, reason) for a watching/listing client."""
        r = self.r
        x = r.random()
        if x < 0.4:
            c, user, ua = self.controller()
            res = r.choice(["pods", "replicasets", "deployments", "endpointslices", "services", "nodes", "namespaces",
                            "persistentvolumes", "persistentvolumeclaims", "jobs", "cronjobs", "daemonsets",
                            "statefulsets", "serviceaccounts", "resourcequotas", "poddisruptionbudgets",
                            "clusterroles", "customresourcedefinitions", "csinodes", "volumeattachments",
                            "storageclasses", "priorityclasses", "controllerrevisions", "leases"])
            return user, ua, [r.choice(CONTROL_PLANE_IPS)], res, None, \
                RBAC_REASON_USER.replace("User", "ServiceAccount") % ("system:controller:" + c, "system:controller:" + c,
                                                                        "kube-system/" + c)
        if x < 0.55:
            node = r.choice(NODES)
            res = r.choice(["pods", "services", "nodes", "configmaps", "secrets", "runtimeclasses", "csidrivers"])
            ns = r.choice(NAMESPACES) if res in ("configmaps", "secrets") else None
            return self.node_user(node), KUBELET_UA, [node_ip(node)], res, ns, ""
        if x < 0.62:
            res = r.choice(["flowschemas", "prioritylevelconfigurations", "apiservices", "customresourcedefinitions",
                            "namespaces", "validatingwebhookconfigurations", "mutatingwebhookconfigurations"])
            return {"username": "system:apiserver", "uid": self.uid("apiserver"), "groups": ["system:authenticated", "system:masters"]}, \
                APISERVER_UA, ["::1"], res, None, ""
        ns, sa, ua, ress = r.choice(ADDON_SAS)
        pod = sa + "-" + self.rs_hash.get((ns, sa), r.alnum(10)) + "-" + r.alnum(5)
        node = r.choice(NODES)
        res = r.choice(ress)
        target_ns = None if RESOURCES[res][2] else (r.choice(NAMESPACES) if r.random() < 0.3 else None)
        return self.sa_user(ns, sa, pod=pod, node=node), ua, self.sa_ips(ns, node), res, target_ns, \
            RBAC_REASONS_SA % (sa, sa, ns, sa)

    def ev_watch(self):
        r = self.r
        user, ua, ips, res, ns, reason = self.watcher()
        t = r.randint(300, 599)
        uri = group_uri(res, ns) + "?allowWatchBookmarks=true&resourceVersion=%s&timeout=%dm%ds&timeoutSeconds=%d&watch=true" % (
            self.rv - r.randint(0, 500000), t // 60, t % 60, t)
        return self.event(user=user, verb="watch", uri=uri, ips=ips, ua=ua, objref=self.objref(res, ns),
                          stage="ResponseStarted", reason=reason)

    def ev_list(self):
        r = self.r
        user, ua, ips, res, ns, reason = self.watcher()
        q = r.choice(["?limit=500&resourceVersion=0", "?limit=500", "?resourceVersion=0",
                      "?labelSelector=app.kubernetes.io%2Fname%3D" + r.choice(WORKLOADS)[1] + "&limit=500"])
        return self.event(user=user, verb="list", uri=group_uri(res, ns) + q, ips=ips, ua=ua,
                          objref=self.objref(res, ns), reason=reason)

    def ev_sa_get_config(self):
        r = self.r
        w = r.choice(WORKLOADS)
        ns = w[0]
        pod = r.choice(self.pods[(ns, w[1])])
        res = r.wchoice([(5, "configmaps"), (3, "secrets"), (1, "serviceaccounts"), (1, "endpoints")])
        if res == "configmaps":
            name = r.choice(self.cm_names[ns])
        elif res == "secrets":
            name = r.choice([w[1] + "-tls", w[1] + "-token", "regcred", w[1]])
        else:
            name = w[1]
        status = None
        if r.random() < 0.03:
            status = self.failure(404, res, name)
        node = r.choice(NODES)
        return self.event(user=self.sa_user(ns, w[1], pod=pod, node=node), verb="get", uri=group_uri(res, ns, name),
                          ips=self.sa_ips(ns, node), ua="%s/%s" % (w[1], w[3][0][1].rsplit(":", 1)[-1]) + " (linux/amd64) kubernetes/$Format",
                          objref=self.objref(res, ns, name), status=status,
                          reason=RBAC_REASON_RB % (ns, w[1], w[1] + "-reader", "system:serviceaccounts:" + ns))

    def ev_node_get_secret(self):
        """Kubelet fetching the secrets and configmaps its pods mount (node authorizer)."""
        r = self.r
        node = r.choice(NODES)
        pod, ns = self.any_pod()
        res = r.choice(["secrets", "configmaps"])
        name = r.choice(self.cm_names[ns]) if res == "configmaps" else pod.split("-")[0] + "-tls"
        q = "?fieldSelector=metadata.name%3D" + name + "&limit=500&resourceVersion=0"
        return self.event(user=self.node_user(node), verb="list", uri=group_uri(res, ns) + q, ips=[node_ip(node)],
                          ua=KUBELET_UA, objref=self.objref(res, ns))

    def ev_endpointslice(self):
        r = self.r
        w = r.choice([w for w in WORKLOADS if w[2] in ("Deployment", "StatefulSet")])
        ns, name = w[0], w[1]
        slice_name = name + "-" + r.alnum(5)
        c = r.choice(["endpointslice-controller", "endpoint-controller", "deployment-controller",
                      "replicaset-controller", "statefulset-controller"])
        res, sub, obj = {"endpointslice-controller": ("endpointslices", None, slice_name),
                         "endpoint-controller": ("endpoints", None, name),
                         "deployment-controller": ("deployments", "status", name),
                         "replicaset-controller": ("replicasets", "status", name + "-" + self.rs_hash[(ns, name)]),
                         "statefulset-controller": ("statefulsets", "status", name)}[c]
        status = None
        if r.random() < 0.03:
            status = self.failure(409, res, obj)
        return self.event(user=self.sa_user("kube-system", c), verb="update", uri=group_uri(res, ns, obj, sub),
                          ips=[r.choice(CONTROL_PLANE_IPS)],
                          ua=KCM_UA + "/system:serviceaccount:kube-system:" + c,
                          objref=self.objref(res, ns, obj, sub=sub, uid=True, rv=True), status=status,
                          reason=RBAC_REASON_USER.replace("User", "ServiceAccount") % (
                              "system:controller:" + c, "system:controller:" + c, "kube-system/" + c))

    def ev_event_create(self):
        r = self.r
        if r.random() < 0.6:
            node = r.choice(NODES)
            user, ua, ips = self.node_user(node), KUBELET_UA, [node_ip(node)]
        elif r.random() < 0.5:
            user, ua, ips = self.system_user("system:kube-scheduler"), SCHED_UA, [r.choice(CONTROL_PLANE_IPS)]
        else:
            _, user, ua = self.controller()
            ips = [r.choice(CONTROL_PLANE_IPS)]
        pod, ns = self.any_pod()
        name = "%s.%x" % (pod, r.getrandbits(60))
        if r.random() < 0.5:
            return self.event(user=user, verb="create", uri="/api/v1/namespaces/%s/events" % ns, ips=ips, ua=ua,
                              objref=self.objref("events", ns, name))
        return self.event(user=user, verb="patch", uri="/api/v1/namespaces/%s/events/%s" % (ns, name), ips=ips,
                          ua=ua, objref=self.objref("events", ns, name))

    def ev_review(self):
        """TokenReview / SubjectAccessReview from webhooks and kube-rbac-proxy."""
        r = self.r
        ns, sa, ua, _ = r.choice(ADDON_SAS[:6])
        res = r.choice(["tokenreviews", "subjectaccessreviews"])
        node = r.choice(NODES)
        return self.event(user=self.sa_user(ns, sa, pod=sa + "-" + r.alnum(10) + "-" + r.alnum(5), node=node),
                          verb="create", uri=group_uri(res, None), ips=self.sa_ips(ns, node), ua=ua,
                          objref=self.objref(res), code=201,
                          reason=RBAC_REASONS_SA % ("system:auth-delegator:" + sa, "system:auth-delegator", ns, sa))

    def ev_pod_binding(self):
        r = self.r
        pod, ns = self.any_pod()
        node = r.choice(NODES)
        body = {"kind": "Binding", "apiVersion": "v1",
                "metadata": {"name": pod, "namespace": ns, "uid": self.uid(("pods", ns, pod)), "creationTimestamp": None},
                "target": {"kind": "Node", "name": node}}
        return self.event(user=self.system_user("system:kube-scheduler"), verb="create",
                          uri=group_uri("pods", ns, pod, "binding"), ips=[r.choice(CONTROL_PLANE_IPS)], ua=SCHED_UA,
                          objref=self.objref("pods", ns, pod, sub="binding"), code=201, level="Request", req=body,
                          reason=RBAC_REASON_USER % ("system:kube-scheduler", "system:kube-scheduler", "system:kube-scheduler"))

    def ev_pod_create(self):
        r = self.r
        w = r.wchoice([(4 if w[2] == "Deployment" else 2 if w[2] in ("DaemonSet", "Job") else 1, w) for w in WORKLOADS])
        kind = w[2]
        c = {"Deployment": "replicaset-controller", "DaemonSet": "daemon-set-controller",
             "StatefulSet": "statefulset-controller", "Job": "job-controller"}[kind]
        body = self.workload_pod(w)
        ns = w[0]
        pod = self.pod_name(ns, w[1], kind)
        self.pods[(ns, w[1])] = self.pods[(ns, w[1])][1:] + [pod]
        ann = {"pod-security.kubernetes.io/enforce-policy": "privileged:latest" if ns in (
            "kube-system", "monitoring", "logging", "search") else "baseline:latest"}
        if ns in APP_NAMESPACES[:4]:
            ann["mutation.webhook.admission.k8s.io/round_0_index_0"] = json.dumps(
                {"configuration": "istio-sidecar-injector", "webhook": "rev.namespace.sidecar-injector.istio.io",
                 "mutated": True, "mutationType": "Patch"}, separators=(",", ":"))
        status = None
        if r.random() < 0.01:
            status = self.failure(403, "pods", "", msg='pods "%s" is forbidden: exceeded quota: %s-quota, requested: '
                                  'limits.memory=1Gi, used: limits.memory=15616Mi, limited: limits.memory=16Gi' % (pod, ns))
            status["details"].pop("name", None)
        elif r.random() < 0.005:
            status = self.failure(500, "pods", "", msg='Internal error occurred: failed calling webhook '
                                  '"rev.namespace.sidecar-injector.istio.io": failed to call webhook: Post '
                                  '"https://istiod.istio-system.svc:443/inject?timeout=10s": context deadline exceeded')
        objref = self.objref("pods", ns) if kind != "StatefulSet" else self.objref("pods", ns, pod)
        return self.event(user=self.sa_user("kube-system", c), verb="create", uri=group_uri("pods", ns), ips=[
            r.choice(CONTROL_PLANE_IPS)], ua=KCM_UA + "/system:serviceaccount:kube-system:" + c, objref=objref,
            code=201, level="Request", req=body, status=status, extra_ann=ann,
            reason=RBAC_REASON_USER.replace("User", "ServiceAccount") % ("system:controller:" + c, "system:controller:" + c, "kube-system/" + c))

    def ev_pod_delete(self):
        r = self.r
        pod, ns = self.any_pod()
        if r.random() < 0.7:
            c, user, ua = self.controller()
            ips = [r.choice(CONTROL_PLANE_IPS)]
        else:
            node = r.choice(NODES)
            user, ua, ips = self.node_user(node), KUBELET_UA, [node_ip(node)]
        return self.event(user=user, verb="delete", uri=group_uri("pods", ns, pod), ips=ips, ua=ua,
                          objref=self.objref("pods", ns, pod))

    def ev_nonresource(self):
        r = self.r
        path = r.wchoice([(5, "/healthz"), (5, "/readyz"), (5, "/livez"), (2, "/version?timeout=32s"),
                          (2, "/api?timeout=32s"), (2, "/apis?timeout=32s"), (1, "/openapi/v2?timeout=32s"),
                          (1, "/openapi/v3?timeout=32s"), (2, "/metrics")])
        verb = "get"
        if path in ("/healthz", "/readyz", "/livez"):
            lb = r.choice(["10.0.250.1", "10.0.250.2", "10.0.250.3"])
            user = {"username": "system:anonymous", "groups": ["system:unauthenticated"]}
            return self.event(user=user, verb=verb, uri=path, ips=[lb], ua="ELB-HealthChecker/2.0",
                              reason=RBAC_REASON_GROUP % ("system:public-info-viewer", "system:public-info-viewer",
                                                          "system:unauthenticated"))
        if path == "/metrics":
            node = r.choice(NODES)
            return self.event(user=self.sa_user("monitoring", "prometheus-k8s", pod="prometheus-k8s-%d" % r.randint(0, 1), node=node),
                              verb=verb, uri=path, ips=self.sa_ips("monitoring", node), ua="Prometheus/2.51.2",
                              reason=RBAC_REASONS_SA % ("prometheus-k8s", "prometheus-k8s", "monitoring", "prometheus-k8s"))
        h = self.pick_human()
        return self.event(user=self.human_user(h), verb=verb, uri=path, ips=self.human_ips(), ua=r.choice(KUBECTL_UAS),
                          reason=RBAC_REASON_GROUP % ("system:discovery", "system:discovery", "system:authenticated"))

    # -- people ---------------------------------------------------------------
    def human_ctx(self):
        r = self.r
        h = self.pick_human()
        user = self.human_user(h)
        imp = None
        ips = self.human_ips()
        ua = r.choice(KUBECTL_UAS)
        if h[0] != "kubernetes-admin" and r.random() < 0.25:   # through the Teleport impersonation proxy
            imp = {"username": h[0].replace("oidc:", ""), "groups": [g.replace("oidc:", "") for g in h[1]] + ["system:authenticated"]}
            user = self.sa_user("teleport", "teleport-kube-agent", pod="teleport-kube-agent-0", node="worker-eu1-02")
            ips = [ips[0], self.addr_inside("worker-eu1-02")]
        team = h[3]
        ns = r.choice(team) if team and r.random() < 0.9 else r.choice(NAMESPACES)
        return h, user, imp, ips, ua, ns

    def human_reason(self, h, ns):
        if h[3] is None or h[0] == "kubernetes-admin":
            g = h[1][0]
            return RBAC_REASON_GROUP % (g.replace("oidc:", "") + "-cluster-admin", "cluster-admin", g)
        return RBAC_REASON_RB % (ns, "developers-edit", "edit", h[1][-1])

    def ev_human_read(self):
        r = self.r
        h, user, imp, ips, ua, ns = self.human_ctx()
        res = r.wchoice([(8, "pods"), (3, "deployments"), (2, "services"), (2, "events"), (2, "configmaps"),
                         (1, "secrets"), (1, "ingresses"), (1, "replicasets"), (1, "jobs"), (1, "namespaces"),
                         (1, "nodes"), (0.5, "persistentvolumeclaims"), (0.5, "horizontalpodautoscalers"),
                         (0.3, "customresourcedefinitions"), (0.3, "clusterroles")])
        verb = r.wchoice([(3, "list"), (3, "get"), (0.3, "watch")])
        cluster = RESOURCES[res][2]
        name = None
        sub = None
        if verb == "get":
            if res == "pods":
                name, ns = self.any_pod(ns if any(k[0] == ns for k in self.pods) else None)
                if r.random() < 0.4:
                    sub = "log"
            elif res == "nodes":
                name = r.choice(NODES)
            elif res == "namespaces":
                name = ns
            elif res == "configmaps":
                name = r.choice(self.cm_names[ns])
            else:
                name = r.choice(WORKLOADS)[1]
        nsq = None if cluster else ns
        uri = group_uri(res, nsq, name, sub)
        if sub == "log":
            uri += "?container=%s&follow=%s&tailLines=%d" % (self.container_of(name, ns), r.choice(["true", "false"]), r.choice([100, 500, 1000]))
        elif verb == "list":
            uri += "?limit=500"
        elif verb == "watch":
            uri += "?fieldSelector=metadata.name%%3D%s&watch=true" % (name or "x")
        reason = self.human_reason(h, ns)
        decision = "allow"
        status = None
        if h[3] is not None and (res in ("secrets", "nodes", "clusterroles") or nsq not in (h[3] + [None])) and r.random() < 0.5:
            decision, reason = "forbid", ""
            subj = imp["username"] if imp else h[0]
            where = 'in the namespace "%s"' % nsq if nsq else "at the cluster scope"
            what = res if not RESOURCES[res][0] else "%s.%s" % (res, RESOURCES[res][0])
            msg = '%s%s is forbidden: User "%s" cannot %s resource "%s" in API group "%s" %s' % (
                what, ' "%s"' % name if name else "", subj, verb, res, RESOURCES[res][0], where)
            status = self.failure(403, res, name, msg=msg)
        elif verb == "get" and r.random() < 0.05:
            status = self.failure(404, res, name)
        return self.event(user=user, verb=verb, uri=uri, ips=ips, ua=ua, impersonated=imp,
                          objref=self.objref(res, nsq, name, sub=sub), status=status, decision=decision,
                          reason=reason, stage="ResponseStarted" if verb == "watch" or (sub == "log" and "follow=true" in uri) else "ResponseComplete")

    def ev_human_exec(self):
        r = self.r
        h, user, imp, ips, ua, ns = self.human_ctx()
        pod, ns = self.any_pod(ns if any(k[0] == ns for k in self.pods) else None)
        sub = r.wchoice([(5, "exec"), (1, "portforward"), (1, "attach")])
        cont = self.container_of(pod, ns)
        if sub == "exec":
            cmd = r.choice([["sh"], ["bash"], ["/bin/sh", "-c", "cat /etc/resolv.conf && env | sort"],
                            ["psql", "-U", "postgres"], ["redis-cli", "INFO"], ["curl", "-s", "localhost:8080/healthz"]])
            q = "?" + "&".join("command=" + c.replace(" ", "+").replace("/", "%2F").replace("&", "%26").replace("|", "%7C")
                               for c in cmd) + "&container=%s&stdin=true&stdout=true&tty=true" % cont
        elif sub == "attach":
            q = "?container=%s&stdin=true&stdout=true&tty=true" % cont
        else:
            q = ""
        return self.event(user=user, verb="create" if sub != "portforward" else "get",
                          uri=group_uri("pods", ns, pod, sub) + q, ips=ips, ua=ua, impersonated=imp,
                          objref=self.objref("pods", ns, pod, sub=sub), code=101, stage="ResponseStarted",
                          level="Metadata", reason=self.human_reason(h, ns), latency=r.randint(20_000, 300_000))

    def deployment_obj(self, w, replicas, restarted=None):
        ns, name, kind, containers, opts = w
        tmpl_meta = {"creationTimestamp": None, "labels": {"app.kubernetes.io/name": name}}
        if restarted:
            tmpl_meta["annotations"] = {"kubectl.kubernetes.io/restartedAt": restarted}
        gen = self.r.randint(2, 90)
        return {"kind": "Deployment", "apiVersion": "apps/v1",
                "metadata": {"name": name, "namespace": ns, "uid": self.uid(("deployments", ns, name)),
                             "resourceVersion": self.next_rv(), "generation": gen,
                             "creationTimestamp": "2026-08-14T10:22:31Z",
                             "labels": {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": name,
                                        "app.kubernetes.io/managed-by": "argocd"},
                             "annotations": {"deployment.kubernetes.io/revision": str(gen)}},
                "spec": {"replicas": replicas, "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
                         "template": {"metadata": tmpl_meta, "spec": self.pod_spec(ns, name, containers, opts)},
                         "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
                         "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600},
                "status": {"observedGeneration": gen - 1, "replicas": replicas, "updatedReplicas": replicas,
                           "readyReplicas": replicas, "availableReplicas": replicas}}

    def ev_human_write(self):
        r = self.r
        h, user, imp, ips, ua, ns = self.human_ctx()
        team_ws = [w for w in WORKLOADS if w[2] == "Deployment" and (h[3] is None or w[0] in h[3])]
        w = r.choice(team_ws)
        ns = w[0]
        what = r.wchoice([(3, "scale"), (3, "restart"), (2, "cm_update"), (1.5, "secret_create"), (2, "pod_delete"),
                          (1, "cm_create_conflict"), (0.5, "invalid")])
        reason = self.human_reason(h, ns)
        common = dict(user=user, ips=ips, ua=ua, impersonated=imp, reason=reason)
        if what == "scale":
            n = r.choice([1, 2, 3, 4, 6])
            return self.event(verb="patch", uri=group_uri("deployments", ns, w[1], "scale"),
                              objref=self.objref("deployments", ns, w[1], sub="scale"), level="RequestResponse",
                              req={"spec": {"replicas": n}},
                              resp={"kind": "Scale", "apiVersion": "autoscaling/v1",
                                    "metadata": {"name": w[1], "namespace": ns, "uid": self.uid(("deployments", ns, w[1])),
                                                 "resourceVersion": self.next_rv(), "creationTimestamp": "2026-08-14T10:22:31Z"},
                                    "spec": {"replicas": n}, "status": {"replicas": r.randint(1, 4),
                                                                        "selector": "app.kubernetes.io/name=" + w[1]}},
                              **common)
        if what == "restart":
            when = self.ts_s(self.t)
            return self.event(verb="patch", uri=group_uri("deployments", ns, w[1]) + "?fieldManager=kubectl-rollout",
                              objref=self.objref("deployments", ns, w[1]), level="RequestResponse",
                              req={"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": when}}}}},
                              resp=self.deployment_obj(w, r.choice([2, 3]), restarted=when), **common)
        if what in ("cm_update", "cm_create_conflict"):
            name = w[1] + "-config"
            data = {"application.yaml": "server:\n  port: 8080\nlogging:\n  level: %s\nfeatures:\n  newCheckout: %s\n" % (
                r.choice(["INFO", "DEBUG", "WARN"]), r.choice(["true", "false"])),
                "nginx.conf": "location /api/ {\n  proxy_pass http://%s:8080;\n  if ($http_x_debug != \"\") { return 403 \"<b>no</b>\"; }\n}\n" % w[1],
                "LOG_FORMAT": "json", "CACHE_TTL": str(r.choice([30, 60, 300]))}
            obj = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": name, "namespace": ns,
                                                                          "creationTimestamp": None}, "data": data}
            if what == "cm_create_conflict":
                st = self.failure(409, "configmaps", name, msg='configmaps "%s" already exists' % name)
                st["reason"] = "AlreadyExists"
                return self.event(verb="create", uri=group_uri("configmaps", ns) + "?fieldManager=kubectl-create&fieldValidation=Strict",
                                  objref=self.objref("configmaps", ns), level="RequestResponse", req=obj, status=st, **common)
            obj["metadata"]["resourceVersion"] = self.next_rv()
            return self.event(verb="update", uri=group_uri("configmaps", ns, name) + "?fieldManager=kubectl-edit&fieldValidation=Strict",
                              objref=self.objref("configmaps", ns, name, uid=True, rv=True), level="RequestResponse",
                              req=obj, resp=obj, **common)
        if what == "secret_create":
            name = r.choice(["db-credentials", "api-token", "sentry-dsn", "smtp-relay"]) + "-" + r.alnum(4)
            data = {"username": base64.b64encode(("svc_" + w[1].replace("-", "_")).encode()).decode(),
                    "password": base64.b64encode(r.hexs(24).encode()).decode()}
            return self.event(verb="create", uri=group_uri("secrets", ns) + "?fieldManager=kubectl-create&fieldValidation=Strict",
                              objref=self.objref("secrets", ns, name), code=201, level="Request",
                              req={"kind": "Secret", "apiVersion": "v1",
                                   "metadata": {"name": name, "namespace": ns, "creationTimestamp": None},
                                   "data": data, "type": "Opaque"}, **common)
        if what == "pod_delete":
            pod = r.choice(self.pods[(ns, w[1])])
            return self.event(verb="delete", uri=group_uri("pods", ns, pod), objref=self.objref("pods", ns, pod), **common)
        # invalid create
        name = w[1] + "-debug"
        st = self.failure(422, "deployments", name, msg='Deployment.apps "%s" is invalid: spec.template.spec.containers[0].image: '
                          'Required value' % name)
        st["details"]["causes"] = [{"reason": "FieldValueRequired", "message": "Required value",
                                    "field": "spec.template.spec.containers[0].image"}]
        return self.event(verb="create", uri=group_uri("deployments", ns) + "?fieldManager=kubectl-client-side-apply&fieldValidation=Strict",
                          objref=self.objref("deployments", ns, name), level="Request",
                          req={"kind": "Deployment", "apiVersion": "apps/v1", "metadata": {"name": name, "namespace": ns},
                               "spec": {"selector": {"matchLabels": {"app": name}},
                                        "template": {"metadata": {"labels": {"app": name}},
                                                     "spec": {"containers": [{"name": "debug", "image": ""}]}}}},
                          status=st, **common)

    def ev_gitops(self):
        """Argo CD and CI applying manifests."""
        r = self.r
        if r.random() < 0.7:
            node = "worker-eu1-05"
            user = self.sa_user("argocd", "argocd-application-controller", pod="argocd-application-controller-0", node=node)
            ua = "argocd-application-controller/v0.0.0 (linux/amd64) kubernetes/$Format"
            ips = [self.addr_inside(node)]
            mgr = "argocd-controller"
            reason = RBAC_REASONS_SA % ("argocd-application-controller", "argocd-application-controller", "argocd",
                                        "argocd-application-controller")
        else:
            node = r.choice(NODES_V4)
            user = self.sa_user("ci", "gitlab-runner", pod="runner-%s-project-%d-concurrent-0" % (r.alnum(8), r.randint(100, 999)), node=node)
            ua = "Helm/3.14.4" if r.random() < 0.5 else "kubectl/v1.29.4 (linux/amd64) kubernetes/55019c8"
            ips = [self.addr_inside(node), r.choice(EGRESS_GW_IPS)]
            mgr = "helm" if ua.startswith("Helm") else "kubectl-client-side-apply"
            reason = RBAC_REASON_RB % ("default", "gitlab-deployer", "edit", "system:serviceaccounts:ci")
        w = r.choice([w for w in WORKLOADS if w[2] == "Deployment"])
        ns = w[0]
        what = r.wchoice([(3, "get"), (2, "patch_deploy"), (2, "cm_apply"), (1.5, "secret_apply"), (0.4, "rs_create")])
        common = dict(user=user, ips=ips, ua=ua, reason=reason)
        if what == "get":
            res = r.choice(["deployments", "services", "configmaps", "ingresses", "horizontalpodautoscalers", "serviceaccounts"])
            name = w[1] if res != "configmaps" else w[1] + "-config"
            st = self.failure(404, res, name) if r.random() < 0.08 else None
            return self.event(verb="get", uri=group_uri(res, ns, name), objref=self.objref(res, ns, name), status=st, **common)
        if what == "patch_deploy":
            img = w[3][0][1]
            repo, tag = img.rsplit(":", 1)
            body = {"metadata": {"labels": {"app.kubernetes.io/version": tag}},
                    "spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": c[0]} for c in w[3]],
                                                   "containers": [{"image": img, "name": w[3][0][0]}]}}}}
            resp = self.deployment_obj(w, r.choice([2, 3, 4])) if r.random() < 0.5 else None
            st = self.failure(409, "deployments", w[1]) if r.random() < 0.03 else None
            return self.event(verb="patch", uri=group_uri("deployments", ns, w[1]) + "?fieldManager=" + mgr,
                              objref=self.objref("deployments", ns, w[1]), level="RequestResponse" if resp else "Request",
                              req=body, resp=resp, status=st, **common)
        if what == "cm_apply":
            name = r.choice([w[1] + "-config", w[1] + "-env", w[1] + "-feature-flags"])
            data = {"LOG_LEVEL": r.choice(["info", "debug", "warn"]), "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector.monitoring:4317",
                    "FEATURE_FLAGS": json.dumps({"newSearch": r.random() < 0.5, "betaCheckout": False, "ratelimit": r.choice([100, 500, 1000])}),
                    "healthcheck.sh": "#!/bin/sh\ncurl -fsS http://localhost:8080/healthz > /dev/null && echo ok || exit 1\n"}
            body = {"kind": "ConfigMap", "apiVersion": "v1",
                    "metadata": {"name": name, "namespace": ns, "labels": {"app.kubernetes.io/instance": w[1],
                                                                          "app.kubernetes.io/managed-by": "Helm" if mgr == "helm" else "argocd"},
                                 "annotations": {"meta.helm.sh/release-name": w[1], "meta.helm.sh/release-namespace": ns}},
                    "data": data}
            verb = r.choice(["update", "patch", "create"])
            return self.event(verb=verb, uri=(group_uri("configmaps", ns) if verb == "create" else group_uri("configmaps", ns, name))
                              + "?fieldManager=" + mgr, objref=self.objref("configmaps", ns, None if verb == "create" else name),
                              code=201 if verb == "create" else 200, level="Request", req=body, **common)
        if what == "secret_apply":
            if r.random() < 0.5:                 # cert-manager renewing a TLS secret
                name = w[1] + "-tls"
                node = r.choice(NODES_V4)
                user = self.sa_user("cert-manager", "cert-manager", pod="cert-manager-" + self.rs_hash[("cert-manager", "cert-manager")] + "-x7k2p", node=node)
                cert = base64.b64encode(b"-----BEGIN CERTIFICATE-----\n" + base64.b64encode(r.randbytes(420)) + b"\n-----END CERTIFICATE-----\n").decode()
                body = {"kind": "Secret", "apiVersion": "v1",
                        "metadata": {"name": name, "namespace": ns, "annotations": {
                            "cert-manager.io/certificate-name": w[1] + "-tls", "cert-manager.io/common-name": w[1] + ".prod.corp.example.com",
                            "cert-manager.io/issuer-kind": "ClusterIssuer", "cert-manager.io/issuer-name": "letsencrypt-prod"}},
                        "data": {"tls.crt": cert, "tls.key": base64.b64encode(r.randbytes(90)).decode(), "ca.crt": ""},
                        "type": "kubernetes.io/tls"}
                return self.event(user=user, verb="update", uri=group_uri("secrets", ns, name), ips=[self.addr_inside(node)],
                                  ua="cert-manager-certificates-issuing/v1.14.5 (linux/amd64) cert-manager/2a9e5b4",
                                  objref=self.objref("secrets", ns, name, uid=True, rv=True), level="Request", req=body,
                                  reason=RBAC_REASONS_SA % ("cert-manager-controller-certificates", "cert-manager-controller-certificates",
                                                            "cert-manager", "cert-manager"))
            name = w[1] + "-credentials"
            body = {"kind": "Secret", "apiVersion": "v1", "metadata": {"name": name, "namespace": ns},
                    "data": {"DB_PASSWORD": base64.b64encode(r.hexs(32).encode()).decode(),
                             "API_KEY": base64.b64encode(("sk_live_" + r.alnum(24, "abcdefghijklmnopqrstuvwxyz0123456789")).encode()).decode()},
                    "type": "Opaque"}
            return self.event(verb="update", uri=group_uri("secrets", ns, name) + "?fieldManager=" + mgr,
                              objref=self.objref("secrets", ns, name, uid=True, rv=True), level="Request", req=body, **common)
        # a new ReplicaSet by the deployment controller
        c = "deployment-controller"
        rs = w[1] + "-" + r.alnum(10)
        body = {"kind": "ReplicaSet", "apiVersion": "apps/v1",
                "metadata": {"name": rs, "namespace": ns, "labels": {"app.kubernetes.io/name": w[1]},
                             "annotations": {"deployment.kubernetes.io/desired-replicas": "3", "deployment.kubernetes.io/max-replicas": "4",
                                             "deployment.kubernetes.io/revision": str(r.randint(3, 90))},
                             "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": w[1],
                                                  "uid": self.uid(("deployments", ns, w[1])), "controller": True, "blockOwnerDeletion": True}]},
                "spec": {"replicas": 0, "selector": {"matchLabels": {"app.kubernetes.io/name": w[1]}},
                         "template": {"metadata": {"labels": {"app.kubernetes.io/name": w[1]}},
                                      "spec": self.pod_spec(ns, w[1], w[3], w[4])}}}
        return self.event(user=self.sa_user("kube-system", c), verb="create", uri=group_uri("replicasets", ns),
                          ips=[r.choice(CONTROL_PLANE_IPS)], ua=KCM_UA + "/system:serviceaccount:kube-system:" + c,
                          objref=self.objref("replicasets", ns, rs), code=201, level="Request", req=body,
                          reason=RBAC_REASON_USER.replace("User", "ServiceAccount") % ("system:controller:" + c, "system:controller:" + c, "kube-system/" + c))

    # -- rare: what the detectors are for ------------------------------------
    def ev_rare(self):
        r = self.r
        what = r.wchoice([(3, "node_debug"), (2, "privileged_run"), (1, "hostpath_sock"), (1.5, "anon_probe"),
                          (0.7, "crb_admin"), (0.7, "wildcard_role"), (0.3, "miner"), (1, "kube_system_pod")])
        h = r.wchoice([(1, HUMANS[0]), (1, HUMANS[1]), (1, HUMANS[2]), (1, HUMANS[5]), (0.3, HUMANS[8])])
        user, ips, ua = self.human_user(h), self.human_ips(), r.choice(KUBECTL_UAS[:4])
        reason = self.human_reason(h, "default")
        if what == "anon_probe":
            res = r.choice(["secrets", "pods", "namespaces", "clusterrolebindings"])
            msg = '%s is forbidden: User "system:anonymous" cannot list resource "%s" in API group "%s" at the cluster scope' % (
                res if not RESOURCES[res][0] else res + "." + RESOURCES[res][0], res, RESOURCES[res][0])
            return self.event(user={"username": "system:anonymous", "groups": ["system:unauthenticated"]}, verb="list",
                              uri=group_uri(res, None), ips=[r.choice(PUBLIC_SCANNER_IPS)],
                              ua=r.choice(["Go-http-client/1.1", "python-requests/2.31.0", "curl/8.5.0"]),
                              objref=self.objref(res), status=self.failure(403, res, None, msg=msg), decision="forbid")
        if what in ("crb_admin", "wildcard_role"):
            if what == "crb_admin":
                name = r.choice(["tmp-admin", "debug-binding", "ci-admin"]) + "-" + r.alnum(4)
                body = {"kind": "ClusterRoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1",
                        "metadata": {"name": name, "creationTimestamp": None},
                        "subjects": [r.choice([{"kind": "ServiceAccount", "name": "default", "namespace": r.choice(APP_NAMESPACES)},
                                               {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "oidc:bob.nguyen@corp.example.com"}])],
                        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"}}
                res = "clusterrolebindings"
            else:
                name = r.choice(["ops-superuser", "debug-all", "automation"]) + "-" + r.alnum(4)
                body = {"kind": "ClusterRole", "apiVersion": "rbac.authorization.k8s.io/v1",
                        "metadata": {"name": name, "creationTimestamp": None},
                        "rules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}]}
                res = "clusterroles"
            return self.event(user=user, verb="create", uri=group_uri(res, None) + "?fieldManager=kubectl-create&fieldValidation=Strict",
                              ips=ips, ua=ua, objref=self.objref(res, None, name), code=201, level="RequestResponse",
                              req=body, resp=dict(body, metadata={"name": name, "uid": r.uuid(), "resourceVersion": self.next_rv(),
                                                                  "creationTimestamp": self.ts_s(self.t)}), reason=reason)
        ns = r.choice(["default", "kube-system"] + APP_NAMESPACES[:3]) if what != "kube_system_pod" else "kube-system"
        name = {"node_debug": "node-debugger-%s-%s" % (r.choice(NODES), r.alnum(5)), "privileged_run": "debug-" + r.alnum(5),
                "hostpath_sock": "docker-cleanup-" + r.alnum(4), "miner": "analytics-" + r.alnum(5),
                "kube_system_pod": "netcheck-" + r.alnum(5)}[what]
        c = {"name": "debugger", "image": "docker.io/library/busybox:1.36", "resources": {},
             "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
             "imagePullPolicy": "IfNotPresent", "stdin": True, "tty": True}
        spec = {"containers": [c], "restartPolicy": "Never", "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
                "securityContext": {}, "enableServiceLinks": True, "terminationGracePeriodSeconds": 30}
        if what == "node_debug":
            node = name.split("-", 2)[2].rsplit("-", 1)[0]
            c["volumeMounts"] = [{"name": "host-root", "mountPath": "/host"}]
            spec.update(volumes=[{"name": "host-root", "hostPath": {"path": "/", "type": ""}}], nodeName=node,
                        hostIPC=True, hostNetwork=True, hostPID=True,
                        tolerations=[{"operator": "Exists"}])
        elif what == "privileged_run":
            c["image"] = r.choice(["docker.io/nicolaka/netshoot:v0.12", "docker.io/library/ubuntu:24.04", "docker.io/library/alpine:3.19"])
            c["command"] = ["sleep", "infinity"]
            c["securityContext"] = {"privileged": True}
        elif what == "hostpath_sock":
            c["image"] = "docker.io/library/docker:26.1-cli"
            c["command"] = ["sh", "-c", "docker system prune -af && sleep 3600"]
            c["volumeMounts"] = [{"name": "docker-sock", "mountPath": "/var/run/docker.sock"},
                                 {"name": "etc", "mountPath": "/host/etc", "readOnly": True}]
            spec["volumes"] = [{"name": "docker-sock", "hostPath": {"path": "/var/run/docker.sock", "type": "Socket"}},
                               {"name": "etc", "hostPath": {"path": "/etc", "type": "Directory"}}]
        elif what == "miner":
            c["image"] = "docker.io/xmrig/xmrig:6.21.0"
            c["args"] = ["-o", "stratum+tcp://pool.supportxmr.com:3333", "-u", "4" + r.alnum(94, "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"), "-k", "--coin", "monero"]
            c["resources"] = {"limits": {"cpu": "4"}}
        else:
            c["image"] = r.choice(["docker.io/nicolaka/netshoot:v0.12", "ghcr.io/kubernetes-sigs/netcheck:0.3.1"])
            c["command"] = ["sleep", "1h"]
        body = {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": name, "namespace": ns, "creationTimestamp": None,
                                                                "labels": {"run": name.rsplit("-", 1)[0]}},
                "spec": spec, "status": {}}
        ann = {"pod-security.kubernetes.io/enforce-policy": "privileged:latest"}
        return self.event(user=user, verb="create", uri=group_uri("pods", ns) + "?fieldManager=kubectl-run", ips=ips, ua=ua,
                          objref=self.objref("pods", ns, name), code=201, level="Request", req=body, extra_ann=ann, reason=reason)

    MIX = [
        (24.0, "ev_node_lease"), (8.0, "ev_leader_lease"), (2.5, "ev_node_status"), (1.5, "ev_node_get"),
        (6.0, "ev_pod_status"), (5.0, "ev_watch"), (3.5, "ev_list"), (9.0, "ev_sa_get_config"),
        (3.0, "ev_node_get_secret"), (6.0, "ev_endpointslice"), (3.5, "ev_event_create"), (2.5, "ev_review"),
        (2.5, "ev_pod_binding"), (2.6, "ev_pod_create"), (1.5, "ev_pod_delete"), (3.0, "ev_nonresource"),
        (6.0, "ev_human_read"), (0.5, "ev_human_exec"), (1.6, "ev_human_write"), (3.5, "ev_gitops"),
        (0.03, "ev_rare"),
    ]

    def run(self, n, out):
        mix = [(w, getattr(self, name)) for w, name in self.MIX]
        total = sum(w for w, _ in mix)
        cum = []
        acc = 0.0
        for w, f in mix:
            acc += w / total
            cum.append((acc, f))
        rnd = self.r.random
        buf = []
        for i in range(n):
            x = rnd()
            for c, f in cum:
                if x < c:
                    break
            buf.append(go_json(f()))
            if len(buf) >= 2000:
                out.write(("\n".join(buf) + "\n").encode("utf-8"))
                buf.clear()
        if buf:
            out.write(("\n".join(buf) + "\n").encode("utf-8"))


def main():
    ap = argparse.ArgumentParser(description="Generate Kubernetes audit.k8s.io/v1 Event JSON lines.")
    ap.add_argument("n", type=int, help="number of events (lines)")
    ap.add_argument("out", help="output file (- for stdout)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--start", default="2026-11-23T08:00:00Z", help="first timestamp (RFC 3339, UTC)")
    a = ap.parse_args()
    if a.n < 0:
        ap.error("N must be >= 0")
    start = dt.datetime.strptime(a.start, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    start_us = int(start.timestamp()) * 1_000_000
    g = Gen(a.seed, start_us)
    if a.out == "-":
        g.run(a.n, sys.stdout.buffer)
    else:
        with open(a.out, "wb") as f:
            g.run(a.n, f)


if __name__ == "__main__":
    main()
