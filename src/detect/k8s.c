/* Kubernetes cluster-level detections, from the API server audit log.
 *
 *   k8s.container.privileged       a privileged container in a pod or workload
 *   k8s.container.sensitive_mount  a hostPath volume on a sensitive host path
 *   k8s.container.miner            a miner image, or stratum/pool arguments
 *   k8s.kube_system.new_container  an image never seen in a system namespace
 *                                  during the learning period
 *   k8s.role.high_privilege        a (Cluster)Role granting dangerous powers
 *   k8s.rolebinding.cluster_admin  a binding to cluster-admin
 *   k8s.dashboard.exposed          the dashboard behind a LoadBalancer,
 *                                  NodePort, external IP or Ingress
 *
 * Only requests that changed something (create, update, patch), were
 * allowed and were not dry runs are considered.
 *
 * Who answers for an object: a ReplicaSet, Job or Pod that a controller
 * makes from another object's template is not judged again when that owner
 * was checked (its alert names the person who wrote the owner). The owners
 * checked are remembered, across runs too; when the owner was never seen
 * (written before the log began, or logged without its body) the object is
 * judged on its own, the alert names the controller and the owner, and the
 * owner is the compromised entity so that repeats aggregate. Mirror pods,
 * which the kubelet makes for static pods defined on a node's disk, get
 * only the kube-system check: their definition never passes the API. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "detect/detector.h"
#include "state/seen.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/timeutil.h"

#define MAX_CLUSTERS 256

struct cluster_learning {
    char *name;
    int64_t start_us;           /* first event seen from this cluster */
};

/* Who made the object in hand, and so whether and how it is judged. */
enum origin {
    ORIGIN_DIRECT,              /* a person or tool wrote it */
    ORIGIN_OWNER_CHECKED,       /* a controller made it for an owner checked already */
    ORIGIN_OWNER_UNSEEN,        /* a controller made it for an owner never seen */
    ORIGIN_MIRROR,              /* the kubelet mirrors a static pod */
};

struct k8s_det {
    const struct vigil_config *cfg;
    struct seenset *images;     /* key: cluster \x1f namespace \x1f image repository */
    struct seenset *workloads;  /* checked owners, key: cluster \x1f namespace \x1f resource \x1f name */
    struct cluster_learning clusters[MAX_CLUSTERS];
    unsigned n_clusters;
    struct cluster_learning *last_cluster;   /* of the previous event */
    /* the event in hand */
    enum origin origin;
    vstr owner_path;            /* "replicasets/shop/web-5d8f9c7b44" when ORIGIN_OWNER_UNSEEN */
    arena scratch;              /* per-event text, reset per event */
    /* what the input could not show */
    uint64_t changes_without_object;
    uint64_t controller_objects_skipped;
    uint64_t controller_objects_unowned;
    uint64_t mirror_pods;
    uint64_t denied_skipped;
    uint64_t dry_runs_skipped;
};

/* ---- helpers ------------------------------------------------------------ */

static bool is_change(vstr verb) {
    return vstr_eqc(verb, "create") || vstr_eqc(verb, "update") || vstr_eqc(verb, "patch");
}

static bool succeeded(const struct k8s_audit *e) {
    if (vstr_eqc(e->decision, "forbid")) return false;
    return e->code == 0 || (e->code >= 200 && e->code < 300);
}

/* A server-side dry run (?dryRun=All, as kubectl apply --dry-run=server,
 * Argo CD diffs and admission tests send) is validated and answered like
 * the real request, but nothing is persisted. */
static bool is_dry_run(vstr uri) {
    size_t i = 0;
    while (i < uri.n && uri.p[i] != '?') i++;
    while (i < uri.n) {
        vstr param = { uri.p + i + 1, 0 };
        for (i++; i < uri.n && uri.p[i] != '&'; i++) param.n++;
        if (vstr_prefix(param, "dryRun=") && param.n > 7) return true;
    }
    return false;
}

static bool list_has(const struct strlist *l, vstr s) { return strlist_has(l, s.p, s.n); }

/* kube-controller-manager, with a service account per controller (kubeadm's
 * and the managed clouds' default) or with its own identity. */
static bool is_controller(vstr user) {
    if (vstr_eqc(user, "system:kube-controller-manager")) return true;
    return vstr_prefix(user, "system:serviceaccount:kube-system:") && vstr_suffix(user, "-controller");
}

/* Kubernetes' own reconcilers: bootstrap policy and role aggregation. */
static bool is_k8s_reconciler(vstr user) {
    return vstr_eqc(user, "system:apiserver") ||
           vstr_eqc(user, "system:serviceaccount:kube-system:clusterrole-aggregation-controller");
}

static vstr repository_of(vstr image) {
    vstr r;
    image_repository(image.p, image.n, &r.p, &r.n);
    return r;
}

static bool image_allowed(const struct strlist *allow, vstr image) {
    return strlist_match_image(allow, image.p, image.n) != NULL;
}

static const char *container_list_name(enum k8s_container_list l) {
    return l == K8S_INIT_CONTAINERS ? "init" : l == K8S_EPHEMERAL_CONTAINERS ? "ephemeral" : "container";
}

static vstr object_name(const struct k8s_audit *e) {
    if (e->name.n) return e->name;
    if (e->obj.name.n) return e->obj.name;
    if (e->obj.generate_name.n) return e->obj.generate_name;
    return VSTR("(unnamed)");
}

static vstr object_namespace(const struct k8s_audit *e) { return e->ns.n ? e->ns : e->obj.ns; }

/* "pods/default/web", or "clusterroles/admin" for cluster-scoped objects;
 * prefixed with "cluster:" when the log names its cluster. */
static vstr path_of(struct k8s_det *d, vstr cluster, vstr resource, vstr ns, vstr name) {
    buf b;
    buf_init(&b);
    if (cluster.n) { buf_putv(&b, cluster); buf_putc(&b, ':'); }
    buf_putv(&b, resource.n ? resource : VSTR("objects"));
    if (ns.n) { buf_putc(&b, '/'); buf_putv(&b, ns); }
    buf_putc(&b, '/');
    buf_putv(&b, name);
    vstr v = arena_dup(&d->scratch, buf_vstr(&b));
    buf_free(&b);
    return v;
}

static vstr object_path(struct k8s_det *d, const struct k8s_audit *e, bool with_cluster) {
    return path_of(d, with_cluster ? e->cluster : VSTR_NULL, e->resource, object_namespace(e), object_name(e));
}

/* Key of a set: its parts joined by \x1f, which no name contains. */
static vstr join_key(struct k8s_det *d, const vstr *parts, size_t n) {
    size_t len = n - 1;
    for (size_t i = 0; i < n; i++) len += parts[i].n;
    char *k = arena_alloc(&d->scratch, len), *at = k;
    for (size_t i = 0; i < n; i++) {
        if (i) *at++ = 0x1f;
        at = vstr_put(at, parts[i]);
    }
    return (vstr){ k, len };
}

static vstr in_cluster(struct k8s_det *d, const struct k8s_audit *e) {
    if (!e->cluster.n) return VSTR("");
    buf b;
    buf_init(&b);
    buf_puts(&b, " in cluster ");
    buf_putv(&b, e->cluster);
    vstr v = arena_dup(&d->scratch, buf_vstr(&b));
    buf_free(&b);
    return v;
}

/* A sentence (with its leading space) for objects a controller made. */
static vstr origin_sentence(struct k8s_det *d, const struct k8s_audit *e) {
    buf b;
    buf_init(&b);
    if (d->origin == ORIGIN_OWNER_UNSEEN)
        buf_printf(&b, " The controller made it for %.*s %.*s, whose own creation or last change is not in the "
                   "audit log read so far, so this object is judged on its own.",
                   (int)e->obj.owner.kind.n, e->obj.owner.kind.p, (int)e->obj.owner.name.n, e->obj.owner.name.p);
    else if (d->origin == ORIGIN_MIRROR)
        buf_puts(&b, " It mirrors a static pod, defined in a file on that node rather than through the API.");
    else if (is_controller(e->user))
        buf_puts(&b, " A controller made it, and the request names no owner.");
    vstr v = arena_dup(&d->scratch, buf_vstr(&b));
    buf_free(&b);
    return v;
}

static vstr actor_of(struct k8s_det *d, const struct k8s_audit *e) {
    if (!e->impersonated_user.n) return e->user.n ? e->user : VSTR("(unknown)");
    buf b;
    buf_init(&b);
    buf_putv(&b, e->user);
    buf_puts(&b, " impersonating ");
    buf_putv(&b, e->impersonated_user);
    vstr v = arena_dup(&d->scratch, buf_vstr(&b));
    buf_free(&b);
    return v;
}

/* An alert with what every k8s alert carries: who, from where, with what,
 * to which object. */
static struct alert *k8s_alert(struct k8s_det *d, const char *type, const struct event *ev, vstr summary) {
    const struct k8s_audit *e = ev->u.k8s;
    struct alert *a = alert_new(type, ev);
    vstr actor = actor_of(d, e);
    vstr ip = e->n_source_ips ? e->source_ips[0] : VSTR("(unknown)");
    if (d->origin == ORIGIN_OWNER_UNSEEN) alert_entity(a, d->owner_path);
    else alert_entity(a, object_path(d, e, true));
    alert_var(a, "actor", actor);
    alert_var(a, "source_ip", ip);
    alert_var(a, "user_agent", e->user_agent.n ? e->user_agent : VSTR("(none)"));
    alert_var(a, "verb", e->verb);
    alert_var(a, "object", object_path(d, e, false));
    alert_var(a, "namespace", object_namespace(e).n ? object_namespace(e) : VSTR("(cluster-wide)"));
    alert_var(a, "in_cluster", in_cluster(d, e));
    alert_var(a, "origin", origin_sentence(d, e));
    alert_entity_str(a, "account", e->user);
    if (e->impersonated_user.n) alert_entity_str(a, "impersonated_account", e->impersonated_user);
    alert_entity_strs(a, "ip", e->source_ips, e->n_source_ips);
    if (e->user_agent.n) alert_entity_str(a, "user_agent", e->user_agent);
    if (e->cluster.n) alert_entity_str(a, "cluster", e->cluster);
    if (object_namespace(e).n) alert_entity_str(a, "namespace", object_namespace(e));
    alert_entity_str(a, "k8s_object", object_path(d, e, false));
    alert_prop_str(a, "verb", e->verb);
    if (e->audit_id.n) alert_prop_str(a, "audit_id", e->audit_id);
    if (d->origin == ORIGIN_OWNER_UNSEEN) alert_prop_str(a, "owner_not_seen", d->owner_path);
    if (e->code) alert_prop_int(a, "response_code", e->code);
    alert_evidence(a, ev, summary);
    return a;
}

/* "name (image)" for each selected container, comma-separated. */
static vstr describe_containers(struct k8s_det *d, const struct k8s_podspec *ps, const bool *pick) {
    buf b;
    buf_init(&b);
    for (uint32_t i = 0; i < ps->n_containers; i++) {
        if (!pick[i]) continue;
        const struct k8s_container *c = &ps->containers[i];
        if (b.n) buf_puts(&b, ", ");
        buf_putv(&b, c->name.n ? c->name : VSTR("(unnamed)"));
        buf_puts(&b, " (");
        if (c->list != K8S_CONTAINERS) { buf_puts(&b, container_list_name(c->list)); buf_putc(&b, ' '); }
        buf_putv(&b, c->image.n ? c->image : VSTR("no image"));
        buf_putc(&b, ')');
    }
    vstr v = arena_dup(&d->scratch, buf_vstr(&b));
    buf_free(&b);
    return v;
}

static void prop_images(struct alert *a, const struct k8s_podspec *ps, const bool *pick) {
    vstr imgs[64];
    size_t n = 0;
    for (uint32_t i = 0; i < ps->n_containers && n < 64; i++)
        if (pick[i]) imgs[n++] = ps->containers[i].image;
    alert_prop_strs(a, "images", imgs, n);
    alert_entity_strs(a, "images", imgs, n);
}

static vstr evidence_line(struct k8s_det *d, const struct k8s_audit *e, const char *what) {
    buf b;
    buf_init(&b);
    buf_printf(&b, "%.*s %.*s by %.*s: %s", (int)e->verb.n, e->verb.p, (int)e->resource.n, e->resource.p,
               (int)e->user.n, e->user.p, what);
    vstr v = arena_dup(&d->scratch, buf_vstr(&b));
    buf_free(&b);
    return v;
}

/* ---- pods and workloads ------------------------------------------------- */

static void check_privileged(struct k8s_det *d, const struct event *ev, struct detect_ctx *ctx) {
    const struct k8s_audit *e = ev->u.k8s;
    const struct k8s_podspec *ps = &e->obj.pod;
    bool pick[ps->n_containers + 1];
    uint32_t hits = 0;
    for (uint32_t i = 0; i < ps->n_containers; i++) {
        const struct k8s_container *c = &ps->containers[i];
        pick[i] = c->privileged && !image_allowed(&d->cfg->k8s.privileged_image_allowlist, c->image);
        hits += pick[i];
    }
    if (!hits) return;
    struct alert *a = k8s_alert(d, "k8s.container.privileged", ev, evidence_line(d, e, "privileged container"));
    alert_var(a, "containers", describe_containers(d, ps, pick));
    prop_images(a, ps, pick);
    alert_prop_int(a, "privileged_containers", hits);
    alert_prop_bool(a, "host_pid", ps->host_pid);
    alert_prop_bool(a, "host_ipc", ps->host_ipc);
    alert_prop_bool(a, "host_network", ps->host_network);
    alert_emit(ctx->alerts, a);
}

static void check_sensitive_mounts(struct k8s_det *d, const struct event *ev, struct detect_ctx *ctx) {
    const struct k8s_audit *e = ev->u.k8s;
    const struct k8s_podspec *ps = &e->obj.pod;
    bool pick[ps->n_containers + 1];
    memset(pick, 0, sizeof pick);
    buf mounts;
    buf_init(&mounts);
    vstr paths[64];
    size_t n_paths = 0;
    for (uint32_t v = 0; v < ps->n_volumes; v++) {
        const struct k8s_volume *vol = &ps->volumes[v];
        if (!vol->host_path.n) continue;
        vstr path = vol->host_path;
        const char *rule = strlist_match_path(&d->cfg->k8s.sensitive_host_paths, path.p, path.n);
        if (!rule) continue;
        /* The containers that mount it; a volume no allowlisted agent owns. */
        bool used = false, all_allowed = true, read_only = true;
        for (uint32_t i = 0; i < ps->n_containers; i++) {
            const struct k8s_container *c = &ps->containers[i];
            for (uint32_t m = 0; m < c->n_mounts; m++) {
                if (!vstr_eq(c->mounts[m].name, vol->name)) continue;
                used = true;
                read_only &= c->mounts[m].read_only;
                if (!image_allowed(&d->cfg->k8s.sensitive_mount_image_allowlist, c->image)) {
                    all_allowed = false;
                    pick[i] = true;
                }
            }
        }
        if (used && all_allowed) continue;
        if (!used) {
            /* declared but unmounted still reaches the node once any
             * container mounts it later; report it against the pod */
            for (uint32_t i = 0; i < ps->n_containers; i++)
                if (!image_allowed(&d->cfg->k8s.sensitive_mount_image_allowlist, ps->containers[i].image)) pick[i] = true;
        }
        if (mounts.n) buf_puts(&mounts, ", ");
        buf_printf(&mounts, "%.*s (volume %.*s, sensitive path %s%s)", (int)path.n, path.p, (int)vol->name.n,
                   vol->name.p, rule, used && read_only ? ", read-only" : "");
        if (n_paths < 64) paths[n_paths++] = path;
    }
    if (n_paths) {
        struct alert *a = k8s_alert(d, "k8s.container.sensitive_mount", ev, evidence_line(d, e, "hostPath mount"));
        alert_var(a, "mounts", buf_vstr(&mounts));
        alert_var(a, "containers", describe_containers(d, ps, pick));
        alert_prop_strs(a, "host_paths", paths, n_paths);
        prop_images(a, ps, pick);
        alert_emit(ctx->alerts, a);
    }
    buf_free(&mounts);
}

/* The first miner indicator of a container: a word of its image reference
 * or its name, or a pool URL / miner flag in its command line or
 * environment. */
static const char *miner_indicator(struct k8s_det *d, const struct k8s_container *c, vstr *where) {
    const struct strlist *tok = &d->cfg->k8s.miner_image_tokens, *ind = &d->cfg->k8s.miner_command_indicators;
    const char *hit = strlist_match_word(tok, c->image.p, c->image.n);
    if (hit) { *where = VSTR("image"); return hit; }
    if ((hit = strlist_match_word(tok, c->name.p, c->name.n))) { *where = VSTR("container name"); return hit; }
    for (uint32_t k = 0; k < c->n_command; k++)
        if ((hit = strlist_match_substring(ind, c->command[k].p, c->command[k].n))) { *where = VSTR("command line"); return hit; }
    for (uint32_t k = 0; k < c->n_env_values; k++)
        if ((hit = strlist_match_substring(ind, c->env_values[k].p, c->env_values[k].n))) { *where = VSTR("environment"); return hit; }
    return NULL;
}

static void check_miner(struct k8s_det *d, const struct event *ev, struct detect_ctx *ctx) {
    const struct k8s_audit *e = ev->u.k8s;
    const struct k8s_podspec *ps = &e->obj.pod;
    bool pick[ps->n_containers + 1];
    const char *first = NULL;
    vstr where = VSTR_NULL;
    for (uint32_t i = 0; i < ps->n_containers; i++) {
        vstr w;
        const char *hit = miner_indicator(d, &ps->containers[i], &w);
        pick[i] = hit != NULL;
        if (hit && !first) { first = hit; where = w; }
    }
    if (!first) return;
    struct alert *a = k8s_alert(d, "k8s.container.miner", ev, evidence_line(d, e, "miner indicator"));
    buf ind;
    buf_init(&ind);
    buf_printf(&ind, "'%s' in the %.*s", first, (int)where.n, where.p);
    alert_var(a, "indicator", buf_vstr(&ind));
    alert_var(a, "containers", describe_containers(d, ps, pick));
    alert_prop_str(a, "indicator", vstr_c(first));
    alert_prop_str(a, "matched_in", where);
    prop_images(a, ps, pick);
    alert_emit(ctx->alerts, a);
    buf_free(&ind);
}

/* ---- learning: images of the system namespaces ------------------------- */

static struct cluster_learning *cluster_of(struct k8s_det *d, vstr name, int64_t t) {
    for (unsigned i = 0; i < d->n_clusters; i++)
        if (vstr_eqc(name, d->clusters[i].name)) return &d->clusters[i];
    if (d->n_clusters == MAX_CLUSTERS) return &d->clusters[MAX_CLUSTERS - 1];
    struct cluster_learning *c = &d->clusters[d->n_clusters++];
    c->name = strndup(name.n ? name.p : "", name.n);
    c->start_us = t;
    return c;
}

static vstr image_key(struct k8s_det *d, vstr cluster, vstr ns, vstr repo) {
    return join_key(d, (vstr[]){ cluster, ns, repo }, 3);
}

struct prefix_count { vstr prefix; size_t n; };

static void count_prefixed(void *ud, const struct seen_entry *en) {
    struct prefix_count *c = ud;
    if (en->key.n > c->prefix.n && memcmp(en->key.p, c->prefix.p, c->prefix.n) == 0) c->n++;
}

/* Images learned in one cluster's system namespaces. It walks the whole
 * set, which only an alert pays for. */
static size_t cluster_images(struct k8s_det *d, vstr cluster) {
    char *p = arena_alloc(&d->scratch, cluster.n + 1);
    *vstr_put(p, cluster) = 0x1f;
    struct prefix_count c = { { p, cluster.n + 1 }, 0 };
    seenset_each(d->images, count_prefixed, &c);
    return c.n;
}

/* Learns the images of a pod template in a system namespace; after the
 * learning period an image not learned alerts, unless the object was judged
 * elsewhere (may_alert false), and is learned so that it alerts once. */
static void check_system_namespace(struct k8s_det *d, const struct event *ev, struct detect_ctx *ctx, bool may_alert) {
    const struct k8s_audit *e = ev->u.k8s;
    const struct k8s_podspec *ps = &e->obj.pod;
    vstr ns = object_namespace(e);
    if (!list_has(&d->cfg->k8s.system_namespaces, ns)) return;
    struct cluster_learning *cl = cluster_of(d, e->cluster, ev->time_us);
    bool learning = ev->time_us < cl->start_us + d->cfg->k8s.learning_period_us;
    bool pick[ps->n_containers + 1];
    uint32_t hits = 0;
    for (uint32_t i = 0; i < ps->n_containers; i++) {
        const struct k8s_container *c = &ps->containers[i];
        vstr repo = repository_of(c->image);
        pick[i] = false;
        if (!repo.n || image_allowed(&d->cfg->k8s.system_image_allowlist, c->image)) continue;
        bool was_new;
        seenset_touch(d->images, image_key(d, e->cluster, ns, repo), ev->time_us, &was_new);
        if (was_new && !learning && may_alert) { pick[i] = true; hits++; }
    }
    if (!hits) return;
    struct alert *a = k8s_alert(d, "k8s.kube_system.new_container", ev, evidence_line(d, e, "image new to the namespace"));
    char since[40];
    time_format(cl->start_us, since, sizeof since);
    buf base;
    buf_init(&base);
    char period[32];
    duration_format(d->cfg->k8s.learning_period_us, period, sizeof period);
    size_t known = cluster_images(d, e->cluster) - hits;   /* before this request */
    buf_printf(&base, "%zu image%s learned in the cluster's system namespaces since %s, learning period %s",
               known, known == 1 ? "" : "s", since, period);
    alert_var(a, "baseline", buf_vstr(&base));
    alert_var(a, "containers", describe_containers(d, ps, pick));
    prop_images(a, ps, pick);
    alert_prop_int(a, "known_images", (int64_t)known);
    alert_prop_str(a, "learning_since", vstr_c(since));
    alert_prop_str(a, "learning_period", vstr_c(period));
    alert_emit(ctx->alerts, a);
    buf_free(&base);
}

/* ---- RBAC --------------------------------------------------------------- */

static bool has(const vstr *v, uint32_t n, const char *s) {
    for (uint32_t i = 0; i < n; i++)
        if (vstr_eqc(v[i], s)) return true;
    return false;
}

static bool has_write_verb(const struct k8s_rule *r) {
    static const char *const w[] = { "create", "update", "patch", "delete", "deletecollection", "*" };
    for (size_t i = 0; i < sizeof w / sizeof *w; i++)
        if (has(r->verbs, r->n_verbs, w[i])) return true;
    return false;
}

static bool has_read_verb(const struct k8s_rule *r) {
    return has(r->verbs, r->n_verbs, "get") || has(r->verbs, r->n_verbs, "list") ||
           has(r->verbs, r->n_verbs, "watch") || has(r->verbs, r->n_verbs, "*");
}

/* Append to out a phrase per dangerous power the rule grants. Wildcards
 * and the escalation verbs always count; a resource counts when it is in
 * privileged_rule_resources, each in its own way. Reading secrets counts
 * only cluster-wide and for every secret: a namespaced role, or one limited
 * to named secrets, is how applications are meant to read their own. */
static void rule_powers(struct k8s_det *d, const struct k8s_rule *r, bool cluster_wide, buf *out, uint32_t *n) {
    #define POWER(...) do { if (out->n) buf_puts(out, "; "); buf_printf(out, __VA_ARGS__); (*n)++; } while (0)
    bool all_verbs = has(r->verbs, r->n_verbs, "*");
    bool all_res = has(r->resources, r->n_resources, "*");
    if (all_verbs && all_res) POWER("every verb on every resource");
    else if (all_verbs && r->n_resources) POWER("every verb on %.*s", (int)r->resources[0].n, r->resources[0].p);
    else if (all_res && r->n_verbs) POWER("%.*s on every resource", (int)r->verbs[0].n, r->verbs[0].p);
    if (has(r->non_resource_urls, r->n_non_resource_urls, "*")) POWER("every non-resource URL");
    static const char *const esc[] = { "escalate", "bind", "impersonate" };
    for (size_t i = 0; i < 3; i++)
        if (has(r->verbs, r->n_verbs, esc[i])) POWER("%s", esc[i]);
    const struct strlist *l = &d->cfg->k8s.privileged_rule_resources;
    bool exec_done = false;
    for (uint32_t i = 0; i < r->n_resources; i++) {
        vstr res = r->resources[i];
        if (!list_has(l, res)) continue;
        if (vstr_eqc(res, "secrets")) {
            if (has_read_verb(r) && cluster_wide && !r->n_resource_names) POWER("read every secret in the cluster");
        } else if (vstr_eqc(res, "pods/exec") || vstr_eqc(res, "pods/attach")) {
            /* exec is a create on the subresource (get for old clients) */
            if (!exec_done && (has(r->verbs, r->n_verbs, "create") || has(r->verbs, r->n_verbs, "get") || all_verbs))
                POWER("exec or attach into pods");
            exec_done = true;
        } else if (vstr_eqc(res, "nodes/proxy")) {
            if (r->n_verbs) POWER("proxy to nodes (kubelet API)");
        } else if (has_write_verb(r)) {
            POWER("write %.*s", (int)res.n, res.p);
        }
    }
    #undef POWER
}

static void check_role(struct k8s_det *d, const struct event *ev, struct detect_ctx *ctx) {
    const struct k8s_audit *e = ev->u.k8s;
    const struct k8s_object *o = &e->obj;
    if (is_k8s_reconciler(e->user)) return;
    buf powers;
    buf_init(&powers);
    uint32_t n = 0;
    bool cluster_wide = vstr_eqc(e->resource, "clusterroles");
    for (uint32_t i = 0; i < o->n_rules; i++) rule_powers(d, &o->rules[i], cluster_wide, &powers, &n);
    if (n) {
        struct alert *a = k8s_alert(d, "k8s.role.high_privilege", ev, evidence_line(d, e, "role with high privileges"));
        alert_var(a, "role", object_path(d, e, false));
        alert_var(a, "powers", buf_vstr(&powers));
        alert_prop_str(a, "powers", buf_vstr(&powers));
        alert_prop_int(a, "rules", o->n_rules);
        alert_emit(ctx->alerts, a);
    }
    buf_free(&powers);
}

static void check_binding(struct k8s_det *d, const struct event *ev, struct detect_ctx *ctx) {
    const struct k8s_audit *e = ev->u.k8s;
    const struct k8s_object *o = &e->obj;
    if (!vstr_eqc(o->role_ref_name, "cluster-admin") || is_k8s_reconciler(e->user)) return;
    if (o->role_ref_kind.n && !vstr_eqc(o->role_ref_kind, "ClusterRole")) return;
    buf subj;
    buf_init(&subj);
    vstr names[64];
    size_t n = 0;
    for (uint32_t i = 0; i < o->n_subjects; i++) {
        const struct k8s_subject *s = &o->subjects[i];
        if (subj.n) buf_puts(&subj, ", ");
        /* "ServiceAccount kube-system/default", "User alice" */
        buf_putv(&subj, s->kind.n ? s->kind : VSTR("Subject"));
        buf_putc(&subj, ' ');
        if (s->ns.n) { buf_putv(&subj, s->ns); buf_putc(&subj, '/'); }
        buf_putv(&subj, s->name);
        if (n < 64) names[n++] = s->name;
    }
    if (!subj.n) buf_puts(&subj, "(no subjects)");
    struct alert *a = k8s_alert(d, "k8s.rolebinding.cluster_admin", ev, evidence_line(d, e, "binding to cluster-admin"));
    alert_var(a, "binding", object_path(d, e, false));
    alert_var(a, "subjects", buf_vstr(&subj));
    alert_prop_strs(a, "subjects", names, n);
    alert_prop_str(a, "role_ref", o->role_ref_name);
    alert_emit(ctx->alerts, a);
    buf_free(&subj);
}

/* ---- dashboard exposure ------------------------------------------------- */

static bool names_dashboard(struct k8s_det *d, vstr s) { return s.n && list_has(&d->cfg->k8s.dashboard_names, s); }

static bool is_dashboard_service(struct k8s_det *d, const struct k8s_audit *e) {
    const struct k8s_object *o = &e->obj;
    if (names_dashboard(d, object_name(e)) || names_dashboard(d, object_namespace(e))) return true;
    for (uint32_t i = 0; i < o->n_selector; i++)
        if (names_dashboard(d, o->selector[i].value)) return true;
    return false;
}

static bool is_internal_lb(const struct k8s_object *o) {
    for (uint32_t i = 0; i < o->n_annotations; i++) {
        vstr k = o->annotations[i].key, v = o->annotations[i].value;
        if ((vstr_suffix(k, "load-balancer-internal") || vstr_suffix(k, "aws-load-balancer-internal")) &&
            (vstr_eqc(v, "true") || vstr_eqc(v, "0.0.0.0/0")))
            return true;
        if (vstr_eqc(k, "networking.gke.io/load-balancer-type") && vstr_eqc(v, "Internal")) return true;
    }
    return false;
}

static void check_dashboard_service(struct k8s_det *d, const struct event *ev, struct detect_ctx *ctx) {
    const struct k8s_audit *e = ev->u.k8s;
    const struct k8s_object *o = &e->obj;
    enum { LB_PUBLIC, LB_RANGES, NODE_PORT, EXTERNAL_IPS, NONE } how = NONE;
    if (vstr_eqc(o->service_type, "LoadBalancer")) {
        if (is_internal_lb(o)) return;
        how = o->n_lb_source_ranges ? LB_RANGES : LB_PUBLIC;
    } else if (vstr_eqc(o->service_type, "NodePort")) {
        how = NODE_PORT;
    } else if (o->n_external_ips) {
        how = EXTERNAL_IPS;
    }
    if (how == NONE || !is_dashboard_service(d, e)) return;
    buf ports, x;
    buf_init(&ports);
    buf_init(&x);
    for (uint32_t i = 0; i < o->n_ports; i++) {
        if (ports.n) buf_puts(&ports, ", ");
        buf_printf(&ports, "%" PRId64, o->ports[i].port);
        if (o->ports[i].node_port) buf_printf(&ports, " (node port %" PRId64 ")", o->ports[i].node_port);
        if (o->ports[i].target_port.n)
            buf_printf(&ports, " -> %.*s", (int)o->ports[i].target_port.n, o->ports[i].target_port.p);
    }
    if (!ports.n) buf_puts(&ports, "(ports not in the request)");
    vstr name = object_name(e);
    buf_printf(&x, "makes the Kubernetes dashboard's service %.*s ", (int)name.n, name.p);
    switch (how) {
    case LB_PUBLIC: buf_printf(&x, "a LoadBalancer on ports %.*s, open to the internet", (int)ports.n, ports.p); break;
    case LB_RANGES:
        buf_printf(&x, "a LoadBalancer on ports %.*s, open to ", (int)ports.n, ports.p);
        for (uint32_t i = 0; i < o->n_lb_source_ranges; i++)
            buf_printf(&x, "%s%.*s", i ? ", " : "", (int)o->lb_source_ranges[i].n, o->lb_source_ranges[i].p);
        break;
    case NODE_PORT: buf_printf(&x, "a NodePort service, open on every node: ports %.*s", (int)ports.n, ports.p); break;
    case EXTERNAL_IPS:
        buf_puts(&x, "reachable on external addresses ");
        for (uint32_t i = 0; i < o->n_external_ips; i++)
            buf_printf(&x, "%s%.*s", i ? ", " : "", (int)o->external_ips[i].n, o->external_ips[i].p);
        buf_printf(&x, ", ports %.*s", (int)ports.n, ports.p);
        break;
    case NONE: break;
    }
    struct alert *a = k8s_alert(d, "k8s.dashboard.exposed", ev, evidence_line(d, e, "dashboard exposed"));
    alert_var(a, "exposure", buf_vstr(&x));
    alert_prop_str(a, "service", name);
    alert_prop_str(a, "service_type", o->service_type);
    alert_prop_str(a, "ports", buf_vstr(&ports));
    alert_prop_strs(a, "load_balancer_source_ranges", o->lb_source_ranges, o->n_lb_source_ranges);
    alert_prop_strs(a, "external_ips", o->external_ips, o->n_external_ips);
    alert_emit(ctx->alerts, a);
    buf_free(&ports);
    buf_free(&x);
}

static void check_dashboard_ingress(struct k8s_det *d, const struct event *ev, struct detect_ctx *ctx) {
    const struct k8s_audit *e = ev->u.k8s;
    const struct k8s_object *o = &e->obj;
    vstr hit = VSTR_NULL;
    for (uint32_t i = 0; i < o->n_backend_services && !hit.n; i++)
        if (names_dashboard(d, o->backend_services[i])) hit = o->backend_services[i];
    if (!hit.n) return;
    buf x;
    buf_init(&x);
    buf_printf(&x, "routes outside traffic through the ingress controller to the Kubernetes dashboard's service %.*s",
               (int)hit.n, hit.p);
    struct alert *a = k8s_alert(d, "k8s.dashboard.exposed", ev, evidence_line(d, e, "dashboard behind an Ingress"));
    alert_var(a, "exposure", buf_vstr(&x));
    alert_prop_str(a, "service", hit);
    alert_prop_str(a, "service_type", VSTR("Ingress backend"));
    alert_emit(ctx->alerts, a);
    buf_free(&x);
}

/* ---- who answers for an object ------------------------------------------ */

/* "ReplicaSet" -> "replicasets": every owner kind a controller uses
 * (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob,
 * ReplicationController) pluralises by an 's'. */
static vstr resource_of_kind(struct k8s_det *d, vstr kind) {
    char *p = arena_alloc(&d->scratch, kind.n + 1);
    for (size_t i = 0; i < kind.n; i++) p[i] = (char)(kind.p[i] >= 'A' && kind.p[i] <= 'Z' ? kind.p[i] + 32 : kind.p[i]);
    p[kind.n] = 's';
    return (vstr){ p, kind.n + 1 };
}

static vstr workload_key(struct k8s_det *d, vstr cluster, vstr ns, vstr resource, vstr name) {
    return join_key(d, (vstr[]){ cluster, ns, resource, name }, 4);
}

static bool workload_checked(struct k8s_det *d, vstr cluster, vstr ns, vstr resource, vstr name, int64_t t) {
    vstr key = workload_key(d, cluster, ns, resource, name);
    if (!seenset_get(d->workloads, key)) return false;
    bool was_new;
    seenset_touch(d->workloads, key, t, &was_new);   /* keep a live owner from eviction */
    return true;
}

/* The Deployment of a ReplicaSet, the CronJob of a Job, by the names their
 * controllers give: "<deployment>-<pod template hash>", "<cronjob>-<minutes>".
 * Audit policies often leave out the ReplicaSet and Job writes that would
 * link a pod to the workload a person wrote. */
static bool grand_owner_checked(struct k8s_det *d, const struct k8s_audit *e, vstr owner_resource, int64_t t) {
    const char *parent;
    if (vstr_eqc(owner_resource, "replicasets")) parent = "deployments";
    else if (vstr_eqc(owner_resource, "jobs")) parent = "cronjobs";
    else return false;
    vstr name = e->obj.owner.name;
    size_t dash = name.n;
    while (dash > 0 && name.p[dash - 1] != '-') dash--;
    if (dash < 2) return false;
    return workload_checked(d, e->cluster, object_namespace(e), vstr_c(parent), (vstr){ name.p, dash - 1 }, t);
}

static enum origin origin_of(struct k8s_det *d, const struct event *ev) {
    const struct k8s_audit *e = ev->u.k8s;
    const struct k8s_owner *owner = &e->obj.owner;
    /* The node authorizer lets a kubelet create only mirror pods. */
    if (vstr_prefix(e->user, "system:node:") && vstr_eqc(e->resource, "pods")) return ORIGIN_MIRROR;
    if (!is_controller(e->user) || !owner->kind.n) return ORIGIN_DIRECT;
    vstr resource = resource_of_kind(d, owner->kind), ns = object_namespace(e);
    if (workload_checked(d, e->cluster, ns, resource, owner->name, ev->time_us) ||
        grand_owner_checked(d, e, resource, ev->time_us))
        return ORIGIN_OWNER_CHECKED;
    d->owner_path = path_of(d, e->cluster, resource, ns, owner->name);
    return ORIGIN_OWNER_UNSEEN;
}

/* A workload whose template was judged: what controllers make from it
 * needs no second look. Pods own nothing, so they are not kept. */
static void remember_checked(struct k8s_det *d, const struct event *ev) {
    const struct k8s_audit *e = ev->u.k8s;
    vstr name = e->name.n ? e->name : e->obj.name;
    if (vstr_eqc(e->resource, "pods") || !name.n) return;
    bool was_new;
    seenset_touch(d->workloads, workload_key(d, e->cluster, object_namespace(e), e->resource, name), ev->time_us,
                  &was_new);
}

/* Pods and workloads: every check that reads a pod template. */
static void check_pod_template(struct k8s_det *d, const struct event *ev, struct detect_ctx *ctx) {
    const struct k8s_audit *e = ev->u.k8s;
    bool trusted = list_has(&d->cfg->k8s.trusted_users, e->user);
    d->origin = origin_of(d, ev);
    remember_checked(d, ev);
    /* An image new to kube-system is news whoever made the object, unless
     * the object's owner was judged already or a trusted user wrote it;
     * its images are learned either way. */
    bool judged_elsewhere = trusted || d->origin == ORIGIN_OWNER_CHECKED;
    check_system_namespace(d, ev, ctx, !judged_elsewhere);
    if (judged_elsewhere) {
        if (!trusted) d->controller_objects_skipped++;
        return;
    }
    if (d->origin == ORIGIN_MIRROR) { d->mirror_pods++; return; }
    if (d->origin == ORIGIN_OWNER_UNSEEN) d->controller_objects_unowned++;
    check_privileged(d, ev, ctx);
    check_sensitive_mounts(d, ev, ctx);
    check_miner(d, ev, ctx);
}

/* ---- dispatch ----------------------------------------------------------- */

static bool needs_object(vstr resource) {
    static const char *const r[] = { "pods", "deployments", "replicasets", "statefulsets", "daemonsets", "jobs",
                                     "cronjobs", "replicationcontrollers", "services", "ingresses", "roles",
                                     "clusterroles", "rolebindings", "clusterrolebindings" };
    for (size_t i = 0; i < sizeof r / sizeof *r; i++)
        if (vstr_eqc(resource, r[i])) return true;
    return false;
}

static void k8s_on_event(void *self, const struct event *ev, struct detect_ctx *ctx) {
    struct k8s_det *d = self;
    const struct k8s_audit *e = ev->u.k8s;
    if (ev->kind != EV_K8S_AUDIT) return;
    /* The learning period runs from the cluster's first event, whatever it is. */
    if (!d->last_cluster || !vstr_eqc(e->cluster, d->last_cluster->name))
        d->last_cluster = cluster_of(d, e->cluster, ev->time_us);
    if (!is_change(e->verb)) return;   /* the fast path: reads */
    if (e->subresource.n && !vstr_eqc(e->subresource, "ephemeralcontainers")) return;
    if (d->cfg->k8s.only_successful && !succeeded(e)) { d->denied_skipped++; return; }
    if (is_dry_run(e->request_uri)) { d->dry_runs_skipped++; return; }
    if (!e->obj.present) {
        if (needs_object(e->resource)) d->changes_without_object++;
        return;
    }
    arena_reset(&d->scratch);
    d->origin = ORIGIN_DIRECT;
    d->owner_path = VSTR_NULL;
    const struct k8s_object *o = &e->obj;
    if (o->has_podspec) { check_pod_template(d, ev, ctx); return; }
    if (list_has(&d->cfg->k8s.trusted_users, e->user)) return;
    if (vstr_eqc(e->resource, "roles") || vstr_eqc(e->resource, "clusterroles")) check_role(d, ev, ctx);
    else if (vstr_eqc(e->resource, "rolebindings") || vstr_eqc(e->resource, "clusterrolebindings")) check_binding(d, ev, ctx);
    else if (vstr_eqc(e->resource, "services")) check_dashboard_service(d, ev, ctx);
    else if (vstr_eqc(e->resource, "ingresses")) check_dashboard_ingress(d, ev, ctx);
}

/* ---- lifecycle and state ------------------------------------------------ */

static void *k8s_create(const struct vigil_config *cfg) {
    struct k8s_det *d = calloc(1, sizeof *d);
    if (!d) abort();
    d->cfg = cfg;
    d->images = seenset_new(cfg->k8s.max_learned_images);
    d->workloads = seenset_new(cfg->k8s.max_tracked_workloads);
    arena_init(&d->scratch, 16 * 1024);
    return d;
}

static void k8s_destroy(void *self) {
    struct k8s_det *d = self;
    seenset_free(d->images);
    seenset_free(d->workloads);
    for (unsigned i = 0; i < d->n_clusters; i++) free(d->clusters[i].name);
    arena_free(&d->scratch);
    free(d);
}

/* Learning starts per cluster are kept as profiles too: key = cluster,
 * first_us = start of learning. */
static void load_cluster(void *ud, vstr key, int64_t first, int64_t last, int64_t count) {
    (void)last; (void)count;
    struct k8s_det *d = ud;
    struct cluster_learning *c = cluster_of(d, key, first);
    if (first < c->start_us) c->start_us = first;
}

static int k8s_load(void *self, struct store *st) {
    struct k8s_det *d = self;
    if (store_profile_each(st, "k8s", "learning_start", load_cluster, d) < 0) return -1;
    if (seenset_load(d->workloads, st, "k8s", "checked_workloads") < 0) return -1;
    return seenset_load(d->images, st, "k8s", "system_namespace_images");
}

static int k8s_save(void *self, struct store *st) {
    struct k8s_det *d = self;
    if (store_profile_clear(st, "k8s", "learning_start") < 0) return -1;
    for (unsigned i = 0; i < d->n_clusters; i++)
        if (store_profile_put(st, "k8s", "learning_start", vstr_c(d->clusters[i].name), d->clusters[i].start_us,
                              d->clusters[i].start_us, 1) < 0)
            return -1;
    if (seenset_save(d->workloads, st, "k8s", "checked_workloads") < 0) return -1;
    return seenset_save(d->images, st, "k8s", "system_namespace_images");
}

static void k8s_report(void *self, buf *out) {
    struct k8s_det *d = self;
    if (d->changes_without_object)
        buf_printf(out,
                   "  k8s: %" PRIu64 " changes to pods, workloads, roles, bindings or services carried no object "
                   "(audit level Metadata): privileged, mount, miner, role, binding and dashboard checks cannot see "
                   "them. Log those resources at level Request or RequestResponse in the audit policy.\n",
                   d->changes_without_object);
    if (d->controller_objects_skipped)
        buf_printf(out, "  k8s: %" PRIu64 " objects made by controllers were judged through their owner instead\n",
                   d->controller_objects_skipped);
    if (d->controller_objects_unowned)
        buf_printf(out, "  k8s: %" PRIu64 " objects made by controllers for owners not in the log were judged on their own\n",
                   d->controller_objects_unowned);
    if (d->mirror_pods)
        buf_printf(out, "  k8s: %" PRIu64 " mirror pods of static pods (defined on the node) got only the kube-system check\n",
                   d->mirror_pods);
    if (d->denied_skipped)
        buf_printf(out, "  k8s: %" PRIu64 " denied or failed changes were not considered\n", d->denied_skipped);
    if (d->dry_runs_skipped)
        buf_printf(out, "  k8s: %" PRIu64 " dry-run changes (nothing persisted) were not considered\n", d->dry_runs_skipped);
    if (seenset_evictions(d->images))
        buf_printf(out, "  k8s: learned image set full: %" PRIu64 " entries evicted (detectors.k8s.max_learned_images)\n",
                   seenset_evictions(d->images));
    if (seenset_evictions(d->workloads))
        buf_printf(out, "  k8s: checked-workload set full: %" PRIu64 " entries evicted (detectors.k8s.max_tracked_workloads)\n",
                   seenset_evictions(d->workloads));
}

const struct detector k8s_detector = {
    .name = "k8s",
    .layers = LAYER_K8S,
    .create = k8s_create,
    .destroy = k8s_destroy,
    .on_event = k8s_on_event,
    .on_tick = NULL,
    .load = k8s_load,
    .save = k8s_save,
    .report = k8s_report,
};
