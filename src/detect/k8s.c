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
 * Only requests that changed something (create, update, patch) and were
 * allowed are considered. Pods that controllers create from a workload's
 * template are not alerted again: the workload (created by a person) was
 * checked when it was written, and the alert names that person. */
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

struct k8s_det {
    const struct vigil_config *cfg;
    struct seenset *images;     /* key: cluster \x1f namespace \x1f image repository */
    struct cluster_learning clusters[MAX_CLUSTERS];
    unsigned n_clusters;
    struct cluster_learning *last_cluster;   /* of the previous event */
    arena scratch;              /* per-event text, reset per event */
    /* what the input could not show */
    uint64_t changes_without_object;
    uint64_t controller_pods_skipped;
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

/* Controllers and the kubelet create pods on behalf of the workload that
 * a person wrote. */
static bool is_controller(vstr user) {
    if (vstr_prefix(user, "system:node:")) return true;
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
static vstr object_path(struct k8s_det *d, const struct k8s_audit *e, bool with_cluster) {
    buf b;
    buf_init(&b);
    if (with_cluster && e->cluster.n) { buf_putv(&b, e->cluster); buf_putc(&b, ':'); }
    buf_putv(&b, e->resource.n ? e->resource : VSTR("objects"));
    vstr ns = object_namespace(e);
    if (ns.n) { buf_putc(&b, '/'); buf_putv(&b, ns); }
    buf_putc(&b, '/');
    buf_putv(&b, object_name(e));
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
    alert_entity(a, object_path(d, e, true));
    alert_var(a, "actor", actor);
    alert_var(a, "source_ip", ip);
    alert_var(a, "user_agent", e->user_agent.n ? e->user_agent : VSTR("(none)"));
    alert_var(a, "verb", e->verb);
    alert_var(a, "object", object_path(d, e, false));
    alert_var(a, "namespace", object_namespace(e).n ? object_namespace(e) : VSTR("(cluster-wide)"));
    alert_var(a, "cluster", e->cluster.n ? e->cluster : VSTR("(default)"));
    alert_entity_str(a, "account", e->user);
    if (e->impersonated_user.n) alert_entity_str(a, "impersonated_account", e->impersonated_user);
    alert_entity_strs(a, "ip", e->source_ips, e->n_source_ips);
    if (e->user_agent.n) alert_entity_str(a, "user_agent", e->user_agent);
    if (e->cluster.n) alert_entity_str(a, "cluster", e->cluster);
    if (object_namespace(e).n) alert_entity_str(a, "namespace", object_namespace(e));
    alert_entity_str(a, "k8s_object", object_path(d, e, false));
    alert_prop_str(a, "verb", e->verb);
    if (e->audit_id.n) alert_prop_str(a, "audit_id", e->audit_id);
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

/* The first miner indicator of a container: a token of its image name,
 * or a pool URL / miner flag in its command line or environment. */
static const char *miner_indicator(struct k8s_det *d, const struct k8s_container *c, vstr *where) {
    const struct strlist *tok = &d->cfg->k8s.miner_image_tokens, *ind = &d->cfg->k8s.miner_command_indicators;
    vstr repo = repository_of(c->image);
    const char *hit = strlist_match_word(tok, repo.p, repo.n);
    if (hit) { *where = VSTR("image"); return hit; }
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
    size_t n = cluster.n + ns.n + repo.n + 2;
    char *k = arena_alloc(&d->scratch, n);
    char *e = vstr_put(k, cluster);
    *e++ = 0x1f;
    e = vstr_put(e, ns);
    *e++ = 0x1f;
    vstr_put(e, repo);
    return (vstr){ k, n };
}

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
    buf_printf(&base, "%zu image%s learned in system namespaces since %s, learning period %s",
               seenset_size(d->images), seenset_size(d->images) == 1 ? "" : "s", since, period);
    alert_var(a, "baseline", buf_vstr(&base));
    alert_var(a, "containers", describe_containers(d, ps, pick));
    prop_images(a, ps, pick);
    alert_prop_int(a, "known_images", (int64_t)seenset_size(d->images));
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

/* Append to out a phrase per dangerous power the rule grants. */
static void rule_powers(struct k8s_det *d, const struct k8s_rule *r, buf *out, uint32_t *n) {
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
    if (has(r->resources, r->n_resources, "secrets") && has_read_verb(r)) POWER("read secrets");
    if ((has(r->resources, r->n_resources, "pods/exec") || has(r->resources, r->n_resources, "pods/attach")) &&
        (has(r->verbs, r->n_verbs, "create") || has(r->verbs, r->n_verbs, "get") || all_verbs))
        POWER("exec or attach into pods");
    if (has(r->resources, r->n_resources, "nodes/proxy")) POWER("proxy to nodes (kubelet API)");
    if (has_write_verb(r)) {
        const struct strlist *l = &d->cfg->k8s.privileged_rule_resources;
        for (uint32_t i = 0; i < r->n_resources; i++) {
            vstr res = r->resources[i];
            if (vstr_eqc(res, "secrets") || vstr_eqc(res, "pods/exec") || vstr_eqc(res, "pods/attach") ||
                vstr_eqc(res, "nodes/proxy"))
                continue;   /* reported above */
            if (list_has(l, res)) POWER("write %.*s", (int)res.n, res.p);
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
    for (uint32_t i = 0; i < o->n_rules; i++) rule_powers(d, &o->rules[i], &powers, &n);
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
    if (names_dashboard(d, object_name(e)) || vstr_eqc(object_namespace(e), "kubernetes-dashboard")) return true;
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
    const char *exposure = NULL;
    if (vstr_eqc(o->service_type, "LoadBalancer")) {
        if (is_internal_lb(o)) return;
        exposure = o->n_lb_source_ranges ? "a LoadBalancer restricted to source ranges" : "a public LoadBalancer";
    } else if (vstr_eqc(o->service_type, "NodePort")) {
        exposure = "a NodePort open on every node";
    } else if (o->n_external_ips) {
        exposure = "external IP addresses";
    }
    if (!exposure || !is_dashboard_service(d, e)) return;
    buf ports;
    buf_init(&ports);
    for (uint32_t i = 0; i < o->n_ports; i++) {
        if (ports.n) buf_puts(&ports, ", ");
        buf_printf(&ports, "%" PRId64, o->ports[i].port);
        if (o->ports[i].node_port) buf_printf(&ports, " (node port %" PRId64 ")", o->ports[i].node_port);
        if (o->ports[i].target_port.n)
            buf_printf(&ports, " -> %.*s", (int)o->ports[i].target_port.n, o->ports[i].target_port.p);
    }
    if (!ports.n) buf_puts(&ports, "(not in the request)");
    struct alert *a = k8s_alert(d, "k8s.dashboard.exposed", ev, evidence_line(d, e, "dashboard exposed"));
    alert_var(a, "service", object_name(e));
    alert_var(a, "service_type", o->service_type.n ? o->service_type : VSTR("ClusterIP"));
    alert_var(a, "ports", buf_vstr(&ports));
    alert_var(a, "exposure", vstr_c(exposure));
    alert_prop_str(a, "service_type", o->service_type);
    alert_prop_strs(a, "load_balancer_source_ranges", o->lb_source_ranges, o->n_lb_source_ranges);
    alert_prop_strs(a, "external_ips", o->external_ips, o->n_external_ips);
    alert_emit(ctx->alerts, a);
    buf_free(&ports);
}

static void check_dashboard_ingress(struct k8s_det *d, const struct event *ev, struct detect_ctx *ctx) {
    const struct k8s_audit *e = ev->u.k8s;
    const struct k8s_object *o = &e->obj;
    vstr hit = VSTR_NULL;
    for (uint32_t i = 0; i < o->n_backend_services && !hit.n; i++)
        if (names_dashboard(d, o->backend_services[i])) hit = o->backend_services[i];
    if (!hit.n) return;
    struct alert *a = k8s_alert(d, "k8s.dashboard.exposed", ev, evidence_line(d, e, "dashboard behind an Ingress"));
    alert_var(a, "service", hit);
    alert_var(a, "service_type", VSTR("publicly routed"));
    alert_var(a, "ports", VSTR("that the ingress controller serves"));
    alert_var(a, "exposure", VSTR("through an Ingress"));
    alert_prop_str(a, "backend_service", hit);
    alert_emit(ctx->alerts, a);
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
    if (list_has(&d->cfg->k8s.trusted_users, e->user)) return;
    arena_reset(&d->scratch);
    const struct k8s_object *o = &e->obj;
    if (o->has_podspec) {
        bool controller_pod = vstr_eqc(e->resource, "pods") && is_controller(e->user);
        check_system_namespace(d, ev, ctx, !controller_pod);
        if (controller_pod) { d->controller_pods_skipped++; return; }
        check_privileged(d, ev, ctx);
        check_sensitive_mounts(d, ev, ctx);
        check_miner(d, ev, ctx);
        return;
    }
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
    arena_init(&d->scratch, 16 * 1024);
    return d;
}

static void k8s_destroy(void *self) {
    struct k8s_det *d = self;
    seenset_free(d->images);
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
    return seenset_load(d->images, st, "k8s", "system_namespace_images");
}

static int k8s_save(void *self, struct store *st) {
    struct k8s_det *d = self;
    if (store_profile_clear(st, "k8s", "learning_start") < 0) return -1;
    for (unsigned i = 0; i < d->n_clusters; i++)
        if (store_profile_put(st, "k8s", "learning_start", vstr_c(d->clusters[i].name), d->clusters[i].start_us,
                              d->clusters[i].start_us, 1) < 0)
            return -1;
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
    if (d->controller_pods_skipped)
        buf_printf(out, "  k8s: %" PRIu64 " pods created by controllers were checked through their workload instead\n",
                   d->controller_pods_skipped);
    if (d->denied_skipped)
        buf_printf(out, "  k8s: %" PRIu64 " denied or failed changes were not considered\n", d->denied_skipped);
    if (d->dry_runs_skipped)
        buf_printf(out, "  k8s: %" PRIu64 " dry-run changes (nothing persisted) were not considered\n", d->dry_runs_skipped);
    if (seenset_evictions(d->images))
        buf_printf(out, "  k8s: learned image set full: %" PRIu64 " entries evicted (detectors.k8s.max_learned_images)\n",
                   seenset_evictions(d->images));
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
