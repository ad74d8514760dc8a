/* Kubernetes API server audit events (audit.k8s.io/v1 and v1beta1).
 *
 * Accepted shapes, all detected per record:
 *   - an Event per line (the log backend) or per document (a trace file);
 *   - an EventList {"kind":"EventList","items":[...]} (the webhook backend);
 *   - AKS diagnostic records {"records":[{"category":"kube-audit",
 *     "properties":{"log":"<the Event as a JSON string>"}, ...}]};
 *   - a shipper's wrapper whose "message" (or "input.message") holds the
 *     Event as a JSON string.
 *
 * One request yields several events (one per stage). Detectors get one per
 * auditID: ResponseComplete, or ResponseStarted for long-running requests
 * (exec, attach, watch), whose later ResponseComplete is then dropped.
 *
 * The object a request carries (requestObject / responseObject) is kept as
 * a raw slice while the event is walked, and parsed afterwards by a second
 * parser once the resource and verb are known, whatever the field order. */
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"
#include "decode/json.h"
#include "decode/jsonrec.h"
#include "util/arena.h"
#include "util/hash.h"
#include "util/timeutil.h"

#define DEDUP_MIN 1024         /* slots of the ResponseStarted auditID set, at first */
#define DEDUP_MAX 65536        /* and at most (512 KiB) */

static const char R_JSON[] = "invalid JSON";
static const char R_NOT_OBJECT[] = "record is not a JSON object";
static const char R_NOT_EVENT[] = "not an audit Event";
static const char R_NO_VERB[] = "audit event without verb";
static const char R_NO_TIME[] = "audit event without a valid timestamp";
static const char R_BAD_EMBEDDED[] = "embedded audit event is not valid JSON";

enum rec_state { ST_DONE, ST_SINGLE, ST_RECORDS, ST_ITEMS, ST_EMBEDDED };

/* Hashes of the auditIDs seen at ResponseStarted whose ResponseComplete
 * has not come yet: open addressing with linear probing, nonzero hashes,
 * 0 = empty. Every other event probes it, so it is kept as small as its
 * contents allow (at most 3/4 full), and probed only when not empty. */
struct idset {
    uint64_t *slot;
    uint32_t mask;              /* slots - 1 */
    uint32_t count;
};

/* Where the document an event came from lives, so raw slices into it can
 * be re-parsed in place (they need the padding after the document). */
struct doc_span { const char *p; size_t cap; };

struct k8s_dec {
    const char *input;
    struct rejects *rj;
    jparser *outer, *inner, *objp;
    arena mem;                  /* per-event allocations, reset per event */
    buf embedded;               /* padded copy of an Event held in a string */
    struct record rec;
    enum rec_state state;
    jval root;
    jiter list;
    uint32_t item;
    vstr embedded_src;
    struct k8s_audit ev;
    vstr req_raw, resp_raw;     /* requestObject / responseObject */
    vstr kind, cluster_hint;
    /* the event's timestamps as text, parsed only as far as needed */
    vstr ts_received, ts_stage, ts_legacy;
    int64_t t_envelope;
    bool kind_bad;
    struct idset started;       /* auditIDs seen at ResponseStarted */
    uint64_t audit_h;           /* hash of ev.audit_id | 1, 0 without one */
    /* counters for the summary */
    uint64_t records, events, skipped_received, skipped_duplicate, skipped_category;
    uint64_t aks_records, eventlists, embedded_events;
};

/* ---- small helpers ---------------------------------------------------- */

static bool key_is(vstr k, const char *lit) { return vstr_eqc(k, lit); }


static uint32_t str_array(arena *a, jval *v, vstr **out) {
    jiter it;
    jval e;
    uint32_t n = 0, cap = 0;
    *out = NULL;
    if (!jv_arr_begin(v, &it)) return 0;
    while (jv_arr_next(&it, &e)) {
        vstr s;
        if (!jv_str(&e, &s)) continue;
        vstr *slot = jsonrec_push(a, (void **)out, &n, &cap, sizeof **out);
        if (slot) *slot = s;
    }
    return n;
}

static uint32_t kv_map(arena *a, jval *v, struct k8s_kv **out) {
    jiter it;
    jval e;
    vstr k;
    uint32_t n = 0, cap = 0;
    *out = NULL;
    if (!jv_obj_begin(v, &it)) return 0;
    while (jv_obj_next(&it, &k, &e)) {
        vstr s;
        if (!jv_str(&e, &s)) continue;
        struct k8s_kv *slot = jsonrec_push(a, (void **)out, &n, &cap, sizeof **out);
        if (slot) { slot->key = k; slot->value = s; }
    }
    return n;
}


static int64_t time_field(jval *v) {
    vstr s;
    int64_t t;
    return jv_str(v, &s) && time_parse(s, &t) ? t : TIME_NONE;
}

/* ---- pod specs -------------------------------------------------------- */

static void decode_security_context(jval *v, struct k8s_container *c, arena *a) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e)) {
        if (key_is(k, "privileged")) jv_bool(&e, &c->privileged);
        else if (key_is(k, "allowPrivilegeEscalation")) jv_bool(&e, &c->allow_privilege_escalation);
        else if (key_is(k, "capabilities")) {
            jiter ci;
            jval ce;
            vstr ck;
            if (!jv_obj_begin(&e, &ci)) continue;
            while (jv_obj_next(&ci, &ck, &ce))
                if (key_is(ck, "add")) c->n_caps_add = str_array(a, &ce, &c->caps_add);
        }
    }
}

static void decode_env(jval *v, struct k8s_container *c, arena *a) {
    jiter it;
    jval e;
    uint32_t cap = 0;
    if (!jv_arr_begin(v, &it)) return;
    while (jv_arr_next(&it, &e)) {
        jiter fi;
        jval fv;
        vstr fk;
        if (!jv_obj_begin(&e, &fi)) continue;
        while (jv_obj_next(&fi, &fk, &fv)) {
            vstr s;
            if (!key_is(fk, "value") || !jv_str(&fv, &s)) continue;
            vstr *slot = jsonrec_push(a, (void **)&c->env_values, &c->n_env_values, &cap, sizeof *slot);
            if (slot) *slot = s;
        }
    }
}

static void decode_mounts(jval *v, struct k8s_container *c, arena *a) {
    jiter it;
    jval e;
    uint32_t cap = 0;
    if (!jv_arr_begin(v, &it)) return;
    while (jv_arr_next(&it, &e)) {
        jiter fi;
        jval fv;
        vstr fk;
        if (!jv_obj_begin(&e, &fi)) continue;
        struct k8s_mount *m = jsonrec_push(a, (void **)&c->mounts, &c->n_mounts, &cap, sizeof *m);
        if (!m) continue;
        while (jv_obj_next(&fi, &fk, &fv)) {
            if (key_is(fk, "name")) jsonrec_str(&fv, &m->name);
            else if (key_is(fk, "mountPath")) jsonrec_str(&fv, &m->mount_path);
            else if (key_is(fk, "readOnly")) jv_bool(&fv, &m->read_only);
        }
    }
}

/* command[] and args[] concatenated, in that order, whatever their order
 * in the document. */
static void append_strs(arena *a, vstr **dst, uint32_t *n, vstr *src, uint32_t m) {
    if (!m) return;
    vstr *all = arena_alloc(a, (*n + m) * sizeof *all);
    if (*n) memcpy(all, *dst, *n * sizeof *all);
    memcpy(all + *n, src, m * sizeof *all);
    *dst = all;
    *n += m;
}

static void decode_container(jval *v, struct k8s_container *c, arena *a) {
    jiter it;
    jval e;
    vstr k;
    vstr *cmd = NULL, *args = NULL;
    uint32_t n_cmd = 0, n_args = 0;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e)) {
        if (key_is(k, "name")) jsonrec_str(&e, &c->name);
        else if (key_is(k, "image")) jsonrec_str(&e, &c->image);
        else if (key_is(k, "command")) n_cmd = str_array(a, &e, &cmd);
        else if (key_is(k, "args")) n_args = str_array(a, &e, &args);
        else if (key_is(k, "env")) decode_env(&e, c, a);
        else if (key_is(k, "securityContext")) decode_security_context(&e, c, a);
        else if (key_is(k, "volumeMounts")) decode_mounts(&e, c, a);
    }
    append_strs(a, &c->command, &c->n_command, cmd, n_cmd);
    append_strs(a, &c->command, &c->n_command, args, n_args);
}

static void decode_containers(jval *v, struct k8s_podspec *ps, uint32_t *cap,
                              enum k8s_container_list list, arena *a) {
    jiter it;
    jval e;
    if (!jv_arr_begin(v, &it)) return;
    while (jv_arr_next(&it, &e)) {
        struct k8s_container *c = jsonrec_push(a, (void **)&ps->containers, &ps->n_containers, cap, sizeof *c);
        if (!c) continue;
        c->list = list;
        decode_container(&e, c, a);
    }
}

static void decode_volumes(jval *v, struct k8s_podspec *ps, arena *a) {
    jiter it;
    jval e;
    uint32_t cap = 0;
    if (!jv_arr_begin(v, &it)) return;
    while (jv_arr_next(&it, &e)) {
        jiter fi;
        jval fv;
        vstr fk;
        if (!jv_obj_begin(&e, &fi)) continue;
        struct k8s_volume *vol = jsonrec_push(a, (void **)&ps->volumes, &ps->n_volumes, &cap, sizeof *vol);
        if (!vol) continue;
        while (jv_obj_next(&fi, &fk, &fv)) {
            if (key_is(fk, "name")) jsonrec_str(&fv, &vol->name);
            else if (key_is(fk, "hostPath")) {
                jiter hi;
                jval hv;
                vstr hk;
                if (!jv_obj_begin(&fv, &hi)) continue;
                while (jv_obj_next(&hi, &hk, &hv))
                    if (key_is(hk, "path")) jsonrec_str(&hv, &vol->host_path);
            }
        }
    }
}

static void decode_podspec(jval *v, struct k8s_podspec *ps, arena *a) {
    jiter it;
    jval e;
    vstr k;
    uint32_t cap = ps->n_containers;   /* containers may already hold some */
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e)) {
        if (key_is(k, "containers")) decode_containers(&e, ps, &cap, K8S_CONTAINERS, a);
        else if (key_is(k, "initContainers")) decode_containers(&e, ps, &cap, K8S_INIT_CONTAINERS, a);
        else if (key_is(k, "ephemeralContainers")) decode_containers(&e, ps, &cap, K8S_EPHEMERAL_CONTAINERS, a);
        else if (key_is(k, "volumes")) decode_volumes(&e, ps, a);
        else if (key_is(k, "hostNetwork")) jv_bool(&e, &ps->host_network);
        else if (key_is(k, "hostPID")) jv_bool(&e, &ps->host_pid);
        else if (key_is(k, "hostIPC")) jv_bool(&e, &ps->host_ipc);
    }
}

/* Descend obj along path (object keys) and decode the pod spec found there:
 * spec.template.spec for workloads, spec.jobTemplate.spec.template.spec
 * for CronJobs. */
static bool decode_nested_podspec(jval *v, const char *const *path, struct k8s_podspec *ps, arena *a) {
    if (!*path) { decode_podspec(v, ps, a); return true; }
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return false;
    while (jv_obj_next(&it, &k, &e))
        if (key_is(k, *path)) return decode_nested_podspec(&e, path + 1, ps, a);
    return false;
}

/* ---- the other object kinds ------------------------------------------- */

static void decode_rules(jval *v, struct k8s_object *o, arena *a) {
    jiter it;
    jval e;
    uint32_t cap = 0;
    if (!jv_arr_begin(v, &it)) return;
    while (jv_arr_next(&it, &e)) {
        jiter fi;
        jval fv;
        vstr fk;
        if (!jv_obj_begin(&e, &fi)) continue;
        struct k8s_rule *r = jsonrec_push(a, (void **)&o->rules, &o->n_rules, &cap, sizeof *r);
        if (!r) continue;
        while (jv_obj_next(&fi, &fk, &fv)) {
            if (key_is(fk, "verbs")) r->n_verbs = str_array(a, &fv, &r->verbs);
            else if (key_is(fk, "resources")) r->n_resources = str_array(a, &fv, &r->resources);
            else if (key_is(fk, "apiGroups")) r->n_api_groups = str_array(a, &fv, &r->api_groups);
            else if (key_is(fk, "nonResourceURLs")) r->n_non_resource_urls = str_array(a, &fv, &r->non_resource_urls);
            else if (key_is(fk, "resourceNames")) r->n_resource_names = str_array(a, &fv, &r->resource_names);
        }
    }
}

static void decode_subjects(jval *v, struct k8s_object *o, arena *a) {
    jiter it;
    jval e;
    uint32_t cap = 0;
    if (!jv_arr_begin(v, &it)) return;
    while (jv_arr_next(&it, &e)) {
        jiter fi;
        jval fv;
        vstr fk;
        if (!jv_obj_begin(&e, &fi)) continue;
        struct k8s_subject *s = jsonrec_push(a, (void **)&o->subjects, &o->n_subjects, &cap, sizeof *s);
        if (!s) continue;
        while (jv_obj_next(&fi, &fk, &fv)) {
            if (key_is(fk, "kind")) jsonrec_str(&fv, &s->kind);
            else if (key_is(fk, "name")) jsonrec_str(&fv, &s->name);
            else if (key_is(fk, "namespace")) jsonrec_str(&fv, &s->ns);
        }
    }
}

static void decode_role_ref(jval *v, struct k8s_object *o) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e)) {
        if (key_is(k, "kind")) jsonrec_str(&e, &o->role_ref_kind);
        else if (key_is(k, "name")) jsonrec_str(&e, &o->role_ref_name);
    }
}

static void decode_ports(jval *v, struct k8s_object *o, arena *a) {
    jiter it;
    jval e;
    uint32_t cap = 0;
    if (!jv_arr_begin(v, &it)) return;
    while (jv_arr_next(&it, &e)) {
        jiter fi;
        jval fv;
        vstr fk;
        if (!jv_obj_begin(&e, &fi)) continue;
        struct k8s_port *p = jsonrec_push(a, (void **)&o->ports, &o->n_ports, &cap, sizeof *p);
        if (!p) continue;
        while (jv_obj_next(&fi, &fk, &fv)) {
            if (key_is(fk, "port")) jv_i64(&fv, &p->port);
            else if (key_is(fk, "nodePort")) jv_i64(&fv, &p->node_port);
            else if (key_is(fk, "name")) jsonrec_str(&fv, &p->name);
            else if (key_is(fk, "targetPort")) {
                /* int or named port: keep its text either way */
                if (jv_type(&fv) == JT_STRING) jsonrec_str(&fv, &p->target_port);
                else jv_raw(&fv, &p->target_port);
            }
        }
    }
}

static void decode_service_spec(jval *v, struct k8s_object *o, arena *a) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e)) {
        if (key_is(k, "type")) jsonrec_str(&e, &o->service_type);
        else if (key_is(k, "selector")) o->n_selector = kv_map(a, &e, &o->selector);
        else if (key_is(k, "ports")) decode_ports(&e, o, a);
        else if (key_is(k, "externalIPs")) o->n_external_ips = str_array(a, &e, &o->external_ips);
        else if (key_is(k, "loadBalancerSourceRanges"))
            o->n_lb_source_ranges = str_array(a, &e, &o->lb_source_ranges);
    }
}

static void add_backend(struct k8s_object *o, uint32_t *cap, vstr name, arena *a) {
    if (!name.n) return;
    vstr *slot = jsonrec_push(a, (void **)&o->backend_services, &o->n_backend_services, cap, sizeof *slot);
    if (slot) *slot = name;
}

/* networking.k8s.io/v1 {"service":{"name":..}} or v1beta1 {"serviceName":..} */
static void decode_backend(jval *v, struct k8s_object *o, uint32_t *cap, arena *a) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e)) {
        vstr name = VSTR_NULL;
        if (key_is(k, "serviceName")) jsonrec_str(&e, &name);
        else if (key_is(k, "service")) {
            jiter si;
            jval sv;
            vstr sk;
            if (!jv_obj_begin(&e, &si)) continue;
            while (jv_obj_next(&si, &sk, &sv))
                if (key_is(sk, "name")) jsonrec_str(&sv, &name);
        }
        add_backend(o, cap, name, a);
    }
}

static void decode_ingress_spec(jval *v, struct k8s_object *o, arena *a) {
    jiter it, ri, pi;
    jval e, r, pv;
    vstr k, rk;
    uint32_t cap = 0;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e)) {
        if (key_is(k, "defaultBackend") || key_is(k, "backend")) { decode_backend(&e, o, &cap, a); continue; }
        if (!key_is(k, "rules") || !jv_arr_begin(&e, &ri)) continue;
        while (jv_arr_next(&ri, &r)) {
            jiter fi;
            if (!jv_obj_begin(&r, &fi)) continue;
            while (jv_obj_next(&fi, &rk, &pv)) {
                jiter hi;
                jval hv, path;
                vstr hk, pk;
                if (!key_is(rk, "http") || !jv_obj_begin(&pv, &hi)) continue;
                while (jv_obj_next(&hi, &hk, &hv)) {
                    if (!key_is(hk, "paths") || !jv_arr_begin(&hv, &pi)) continue;
                    while (jv_arr_next(&pi, &path)) {
                        jiter xi;
                        jval xv;
                        if (!jv_obj_begin(&path, &xi)) continue;
                        while (jv_obj_next(&xi, &pk, &xv))
                            if (key_is(pk, "backend")) decode_backend(&xv, o, &cap, a);
                    }
                }
            }
        }
    }
}

/* The controlling owner decides who is answerable for an object that a
 * controller wrote: a ReplicaSet's Deployment, a Pod's ReplicaSet. */
static void decode_owner_refs(jval *v, struct k8s_object *o) {
    jiter it;
    jval e;
    if (!jv_arr_begin(v, &it)) return;
    while (jv_arr_next(&it, &e)) {
        jiter fi;
        jval fv;
        vstr fk;
        struct k8s_owner ref = { VSTR_NULL, VSTR_NULL, VSTR_NULL };
        bool controller = false;
        if (!jv_obj_begin(&e, &fi)) continue;
        while (jv_obj_next(&fi, &fk, &fv)) {
            if (key_is(fk, "kind")) jsonrec_str(&fv, &ref.kind);
            else if (key_is(fk, "name")) jsonrec_str(&fv, &ref.name);
            else if (key_is(fk, "uid")) jsonrec_str(&fv, &ref.uid);
            else if (key_is(fk, "controller")) jv_bool(&fv, &controller);
        }
        if (!ref.kind.n || !ref.name.n) continue;
        if (controller || !o->owner.kind.n) o->owner = ref;
        if (controller) return;
    }
}

static void decode_metadata(jval *v, struct k8s_object *o, arena *a) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e)) {
        if (key_is(k, "name")) jsonrec_str(&e, &o->name);
        else if (key_is(k, "namespace")) jsonrec_str(&e, &o->ns);
        else if (key_is(k, "generateName")) jsonrec_str(&e, &o->generate_name);
        else if (key_is(k, "uid")) jsonrec_str(&e, &o->uid);
        else if (key_is(k, "ownerReferences")) decode_owner_refs(&e, o);
        else if (key_is(k, "labels")) o->n_labels = kv_map(a, &e, &o->labels);
        else if (key_is(k, "annotations")) o->n_annotations = kv_map(a, &e, &o->annotations);
    }
}

enum obj_shape { SHAPE_OTHER, SHAPE_POD, SHAPE_WORKLOAD, SHAPE_CRONJOB, SHAPE_SERVICE, SHAPE_INGRESS, SHAPE_RBAC };

static enum obj_shape shape_of(vstr resource) {
    static const char *const workloads[] = { "deployments", "replicasets", "statefulsets", "daemonsets",
                                             "jobs", "replicationcontrollers" };
    if (key_is(resource, "pods")) return SHAPE_POD;
    if (key_is(resource, "cronjobs")) return SHAPE_CRONJOB;
    if (key_is(resource, "services")) return SHAPE_SERVICE;
    if (key_is(resource, "ingresses")) return SHAPE_INGRESS;
    if (key_is(resource, "roles") || key_is(resource, "clusterroles") || key_is(resource, "rolebindings") ||
        key_is(resource, "clusterrolebindings"))
        return SHAPE_RBAC;
    for (size_t i = 0; i < sizeof workloads / sizeof *workloads; i++)
        if (key_is(resource, workloads[i])) return SHAPE_WORKLOAD;
    return SHAPE_OTHER;
}

static void decode_spec(jval *v, enum obj_shape shape, struct k8s_object *o, arena *a) {
    static const char *const workload_path[] = { "template", "spec", NULL };
    static const char *const cronjob_path[] = { "jobTemplate", "spec", "template", "spec", NULL };
    switch (shape) {
    case SHAPE_POD: decode_podspec(v, &o->pod, a); o->has_podspec = true; break;
    case SHAPE_WORKLOAD: o->has_podspec = decode_nested_podspec(v, workload_path, &o->pod, a); break;
    case SHAPE_CRONJOB: o->has_podspec = decode_nested_podspec(v, cronjob_path, &o->pod, a); break;
    case SHAPE_SERVICE: decode_service_spec(v, o, a); break;
    case SHAPE_INGRESS: decode_ingress_spec(v, o, a); break;
    default: break;
    }
}

/* Parse a raw requestObject/responseObject in place with the object parser. */
static bool decode_object(struct k8s_dec *d, vstr raw, struct doc_span span, vstr resource,
                          struct k8s_object *o) {
    jval root;
    jiter it;
    jval e;
    vstr k;
    size_t cap = span.cap - (size_t)(raw.p - span.p);
    if (!jparse(d->objp, raw.p, raw.n, cap, &root) || !jv_obj_begin(&root, &it)) return false;
    enum obj_shape shape = shape_of(resource);
    o->present = true;
    while (jv_obj_next(&it, &k, &e)) {
        if (key_is(k, "kind")) jsonrec_str(&e, &o->kind);
        else if (key_is(k, "metadata")) decode_metadata(&e, o, &d->mem);
        else if (key_is(k, "spec")) decode_spec(&e, shape, o, &d->mem);
        else if (key_is(k, "rules")) decode_rules(&e, o, &d->mem);
        else if (key_is(k, "aggregationRule")) o->has_aggregation_rule = jv_type(&e) == JT_OBJECT;
        else if (key_is(k, "roleRef")) decode_role_ref(&e, o);
        else if (key_is(k, "subjects")) decode_subjects(&e, o, &d->mem);
    }
    return jparser_error(d->objp) == 0;
}

/* ---- the Event -------------------------------------------------------- */

static void reset_event(struct k8s_dec *d) {
    arena_reset(&d->mem);
    /* ev.obj is only ever assigned whole by choose_object, with present
     * set: until then it is still zero, and most events carry no object. */
    memset(&d->ev, 0, offsetof(struct k8s_audit, obj));
    if (d->ev.obj.present) memset(&d->ev.obj, 0, sizeof d->ev.obj);
    d->req_raw = VSTR_NULL;
    d->resp_raw = VSTR_NULL;
    d->kind = VSTR_NULL;
    d->ts_received = VSTR_NULL;
    d->ts_stage = VSTR_NULL;
    d->ts_legacy = VSTR_NULL;
    d->kind_bad = false;
    d->audit_h = 0;
}

static void decode_user(jval *v, struct k8s_dec *d, bool impersonated) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e)) {
        if (key_is(k, "username")) jsonrec_str(&e, impersonated ? &d->ev.impersonated_user : &d->ev.user);
        else if (!impersonated && key_is(k, "groups")) d->ev.n_groups = str_array(&d->mem, &e, &d->ev.groups);
    }
}

static void decode_object_ref(jval *v, struct k8s_audit *ev) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e)) {
        if (key_is(k, "resource")) jsonrec_str(&e, &ev->resource);
        else if (key_is(k, "namespace")) jsonrec_str(&e, &ev->ns);
        else if (key_is(k, "name")) jsonrec_str(&e, &ev->name);
        else if (key_is(k, "subresource")) jsonrec_str(&e, &ev->subresource);
        else if (key_is(k, "apiGroup")) jsonrec_str(&e, &ev->api_group);
    }
}

static void decode_response_status(jval *v, struct k8s_audit *ev) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e))
        if (key_is(k, "code")) jv_i64(&e, &ev->code);
}

static void decode_annotations(jval *v, struct k8s_audit *ev) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e))
        if (key_is(k, "authorization.k8s.io/decision")) jsonrec_str(&e, &ev->decision);
}

static void decode_legacy_metadata(jval *v, struct k8s_dec *d) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e))
        if (key_is(k, "creationTimestamp")) jsonrec_str(&e, &d->ts_legacy);
}

/* One field of an Event object. Returns false for keys it does not know. */
static bool event_field(struct k8s_dec *d, vstr k, jval *e) {
    struct k8s_audit *ev = &d->ev;
    if (k.n == 0) return false;
    switch (k.p[0]) {
    case 'a':
        if (key_is(k, "auditID")) {
            jsonrec_str(e, &ev->audit_id);
            d->audit_h = ev->audit_id.n ? hash_vstr(ev->audit_id, 0) | 1 : 0;
            /* keep_stage probes this slot once the event is walked */
            if (d->audit_h && d->started.count) __builtin_prefetch(&d->started.slot[d->audit_h & d->started.mask]);
            return true;
        }
        if (key_is(k, "annotations")) { decode_annotations(e, ev); return true; }
        if (key_is(k, "apiVersion")) return true;
        break;
    case 'i':
        if (key_is(k, "impersonatedUser")) { decode_user(e, d, true); return true; }
        break;
    case 'k':
        if (key_is(k, "kind")) {
            if (!jv_str(e, &d->kind)) d->kind_bad = true;
            return true;
        }
        break;
    case 'l':
        if (key_is(k, "level")) { jsonrec_str(e, &ev->level); return true; }
        break;
    case 'm':
        if (key_is(k, "metadata")) { decode_legacy_metadata(e, d); return true; }
        break;
    case 'o':
        if (key_is(k, "objectRef")) { decode_object_ref(e, ev); return true; }
        break;
    case 'r':
        if (key_is(k, "requestURI")) { jsonrec_str(e, &ev->request_uri); return true; }
        if (key_is(k, "requestObject")) {
            ev->has_request_object = jv_type(e) == JT_OBJECT && jv_raw(e, &d->req_raw);
            return true;
        }
        if (key_is(k, "responseObject")) {
            ev->has_response_object = jv_type(e) == JT_OBJECT && jv_raw(e, &d->resp_raw);
            return true;
        }
        if (key_is(k, "responseStatus")) { decode_response_status(e, ev); return true; }
        if (key_is(k, "requestReceivedTimestamp")) { jsonrec_str(e, &d->ts_received); return true; }
        break;
    case 's':
        if (key_is(k, "stage")) { jsonrec_str(e, &ev->stage); return true; }
        if (key_is(k, "sourceIPs")) { ev->n_source_ips = str_array(&d->mem, e, &ev->source_ips); return true; }
        if (key_is(k, "stageTimestamp")) { jsonrec_str(e, &d->ts_stage); return true; }
        break;
    case 't':
        if (key_is(k, "timestamp")) { jsonrec_str(e, &d->ts_legacy); return true; }
        break;
    case 'u':
        if (key_is(k, "user")) { decode_user(e, d, false); return true; }
        if (key_is(k, "userAgent")) { jsonrec_str(e, &ev->user_agent); return true; }
        break;
    case 'v':
        if (key_is(k, "verb")) { jsonrec_str(e, &ev->verb); return true; }
        break;
    }
    return false;
}

static void reject(struct k8s_dec *d, const char *reason, vstr detail) {
    rejects_add(d->rj, d->input, d->rec.offset, reason, detail);
}

static void idset_init(struct idset *s, uint32_t slots) {
    s->slot = calloc(slots, sizeof *s->slot);
    if (!s->slot) abort();
    s->mask = slots - 1;
    s->count = 0;
}

/* The slot holding h, or NULL. */
static uint64_t *idset_find(const struct idset *s, uint64_t h) {
    for (uint32_t i = (uint32_t)h & s->mask;; i = (i + 1) & s->mask) {
        if (s->slot[i] == h) return &s->slot[i];
        if (!s->slot[i]) return NULL;
    }
}

static void idset_put(struct idset *s, uint64_t h) {
    uint32_t i = (uint32_t)h & s->mask;
    while (s->slot[i]) i = (i + 1) & s->mask;
    s->slot[i] = h;
    s->count++;
}

static void idset_add(struct idset *s, uint64_t h) {
    if (idset_find(s, h)) return;
    if (s->count + 1 > (s->mask + 1) / 4 * 3) {
        uint32_t slots = s->mask + 1;
        struct idset old = *s;
        if (slots < DEDUP_MAX) {
            idset_init(s, slots * 2);
            for (uint32_t i = 0; i < slots; i++)
                if (old.slot[i]) idset_put(s, old.slot[i]);
            free(old.slot);
        } else {
            /* Full at its bound: forget every request still open. Each
             * then yields one extra event at its end, never a lost one. */
            memset(s->slot, 0, slots * sizeof *s->slot);
            s->count = 0;
        }
    }
    idset_put(s, h);
}

/* Remove the entry at p, shifting later members of its run back so that
 * every probe still reaches its entry without passing an empty slot. */
static void idset_remove(struct idset *s, uint64_t *p) {
    uint32_t i = (uint32_t)(p - s->slot);
    for (uint32_t j = (i + 1) & s->mask; s->slot[j]; j = (j + 1) & s->mask) {
        uint32_t home = (uint32_t)s->slot[j] & s->mask;
        if (((j - home) & s->mask) >= ((j - i) & s->mask)) {
            s->slot[i] = s->slot[j];
            i = j;
        }
    }
    s->slot[i] = 0;
    s->count--;
}

/* Stage handling: true if this event is the one detectors should see. */
static bool keep_stage(struct k8s_dec *d) {
    struct k8s_audit *ev = &d->ev;
    uint64_t h = d->audit_h;
    if (key_is(ev->stage, "RequestReceived")) { d->skipped_received++; return false; }
    if (key_is(ev->stage, "ResponseStarted")) {
        if (h) idset_add(&d->started, h);
        return true;
    }
    uint64_t *seen;
    if (h && d->started.count && (seen = idset_find(&d->started, h))) {
        idset_remove(&d->started, seen);
        d->skipped_duplicate++;
        return false;
    }
    return true;
}

/* The object after the request: the persisted object (responseObject)
 * when the response carries one, since mutating admission may have
 * changed what was asked; else what was asked (requestObject). A patch's
 * requestObject is only the change, but still tells what was changed. */
static void choose_object(struct k8s_dec *d, struct doc_span span) {
    struct k8s_audit *ev = &d->ev;
    if (ev->has_response_object) {
        struct k8s_object o = { 0 };
        if (decode_object(d, d->resp_raw, span, ev->resource, &o) && !key_is(o.kind, "Status")) {
            ev->obj = o;
            return;
        }
    }
    if (ev->has_request_object) {
        struct k8s_object o = { 0 };
        if (decode_object(d, d->req_raw, span, ev->resource, &o)) ev->obj = o;
    }
}

/* Validate the walked Event and fill the typed event. 1: emit; 0: skip. */
static int finish_event(struct k8s_dec *d, jparser *p, struct doc_span span, struct event *out) {
    struct k8s_audit *ev = &d->ev;
    if (jparser_error(p)) { reject(d, R_JSON, vstr_c(jparser_errmsg(p))); return 0; }
    if (d->kind_bad || (d->kind.n && !key_is(d->kind, "Event"))) { reject(d, R_NOT_EVENT, d->kind); return 0; }
    if (!ev->verb.n) { reject(d, R_NO_VERB, ev->audit_id); return 0; }
    /* the first valid of: requestReceivedTimestamp, the v1beta1 timestamp
     * (or metadata.creationTimestamp), stageTimestamp, the AKS record time */
    int64_t t;
    if (!time_parse(d->ts_received, &t) && !time_parse(d->ts_legacy, &t) && !time_parse(d->ts_stage, &t))
        t = d->t_envelope;
    if (t == TIME_NONE) { reject(d, R_NO_TIME, ev->audit_id); return 0; }
    if (!keep_stage(d)) return 0;
    ev->cluster = d->cluster_hint;
    choose_object(d, span);
    out->time_us = t;
    out->layer = LAYER_K8S;
    out->kind = EV_K8S_AUDIT;
    out->pos.input = d->input;
    out->pos.offset = d->rec.offset;
    out->pos.item = d->state == ST_RECORDS || d->state == ST_ITEMS ? d->item : 0;
    out->u.k8s = ev;
    d->events++;
    return 1;
}

/* Walk an Event object's fields. */
static void walk_event(struct k8s_dec *d, jval *obj) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(obj, &it)) return;
    while (jv_obj_next(&it, &k, &e)) event_field(d, k, &e);
}

/* An Event serialised inside a JSON string: copy it (unescaped) into a
 * padded buffer and parse it with the inner parser. */
static int decode_embedded(struct k8s_dec *d, vstr text, struct event *out) {
    buf_clear(&d->embedded);
    buf_put(&d->embedded, text.p, text.n);
    buf_reserve(&d->embedded, JSON_PADDING);
    memset(d->embedded.p + d->embedded.n, 0, JSON_PADDING);
    jval root;
    reset_event(d);
    if (!jparse(d->inner, d->embedded.p, d->embedded.n, d->embedded.n + JSON_PADDING, &root) ||
        jv_type(&root) != JT_OBJECT) {
        reject(d, R_BAD_EMBEDDED, vstr_c(jparser_errmsg(d->inner)));
        return 0;
    }
    walk_event(d, &root);
    d->embedded_events++;
    struct doc_span span = { d->embedded.p, d->embedded.n + JSON_PADDING };
    return finish_event(d, d->inner, span, out);
}

static vstr cluster_from_resource_id(vstr id) {
    /* .../providers/Microsoft.ContainerService/managedClusters/NAME */
    for (size_t i = id.n; i > 0; i--)
        if (id.p[i - 1] == '/') return (vstr){ id.p + i, id.n - i };
    return id;
}

/* One AKS diagnostic record. */
static int decode_aks_record(struct k8s_dec *d, jval *item, struct event *out) {
    jiter it, pi;
    jval e, pv;
    vstr k, pk, category = VSTR_NULL, log = VSTR_NULL;
    d->t_envelope = TIME_NONE;
    if (!jv_obj_begin(item, &it)) { reject(d, R_NOT_OBJECT, VSTR("records[] item")); return 0; }
    while (jv_obj_next(&it, &k, &e)) {
        if (key_is(k, "category")) jsonrec_str(&e, &category);
        else if (key_is(k, "resourceId")) {
            vstr id;
            if (jv_str(&e, &id)) d->cluster_hint = cluster_from_resource_id(id);
        } else if (key_is(k, "time")) d->t_envelope = time_field(&e);
        else if (key_is(k, "properties") && jv_obj_begin(&e, &pi)) {
            while (jv_obj_next(&pi, &pk, &pv))
                if (key_is(pk, "log")) jsonrec_str(&pv, &log);
        }
    }
    d->aks_records++;
    if (jparser_error(d->outer)) { reject(d, R_JSON, vstr_c(jparser_errmsg(d->outer))); return 0; }
    if (!vstr_prefix(category, "kube-audit")) { d->skipped_category++; return 0; }
    if (!log.n) { reject(d, R_NOT_EVENT, VSTR("kube-audit record without properties.log")); return 0; }
    return decode_embedded(d, log, out);
}

/* ---- decoder_ops ------------------------------------------------------ */

static void *k8s_create(const char *input_name, struct rejects *rj) {
    struct k8s_dec *d = calloc(1, sizeof *d);
    if (!d) abort();
    d->input = input_name;
    d->rj = rj;
    d->outer = jparser_new();
    d->inner = jparser_new();
    d->objp = jparser_new();
    idset_init(&d->started, DEDUP_MIN);
    if (!d->outer || !d->inner || !d->objp) abort();
    arena_init(&d->mem, 64 * 1024);
    buf_init(&d->embedded);
    return d;
}

static void k8s_destroy(void *self) {
    struct k8s_dec *d = self;
    if (!d) return;
    jparser_free(d->outer);
    jparser_free(d->inner);
    jparser_free(d->objp);
    free(d->started.slot);
    arena_free(&d->mem);
    buf_free(&d->embedded);
    free(d);
}

/* Walk the root: an Event's own fields are decoded on the way; an
 * envelope key (records, items, message) switches to its state and
 * leaves the root walk paused there. */
static void k8s_begin(void *self, const struct record *rec) {
    struct k8s_dec *d = self;
    d->rec = *rec;
    d->records++;
    d->state = ST_DONE;
    d->cluster_hint = VSTR_NULL;
    d->t_envelope = TIME_NONE;
    reset_event(d);
    /* Text that is not JSON at all (a log line, a header) gets a reason that
     * says so, rather than the parser's account of a scalar document. */
    size_t lead = 0;
    while (lead < rec->len && (rec->p[lead] == ' ' || rec->p[lead] == '\t' || rec->p[lead] == '\r')) lead++;
    if (lead < rec->len && rec->p[lead] != '{' && rec->p[lead] != '[') {
        reject(d, R_NOT_OBJECT, (vstr){ rec->p + lead, rec->len - lead });
        return;
    }
    if (!jparse(d->outer, rec->p, rec->len, rec->cap, &d->root)) {
        reject(d, R_JSON, vstr_c(jparser_errmsg(d->outer)));
        return;
    }
    if (jv_type(&d->root) != JT_OBJECT) { reject(d, R_NOT_OBJECT, (vstr){ rec->p, rec->len }); return; }
    jiter it;
    jval e;
    vstr k;
    jv_obj_begin(&d->root, &it);
    while (jv_obj_next(&it, &k, &e)) {
        if (event_field(d, k, &e)) continue;
        if ((key_is(k, "records") || key_is(k, "items")) && jv_arr_begin(&e, &d->list)) {
            d->state = key_is(k, "records") ? ST_RECORDS : ST_ITEMS;
            if (d->state == ST_ITEMS) d->eventlists++;
            d->item = 0;
            return;
        }
        if (key_is(k, "message") && jv_str(&e, &d->embedded_src)) { d->state = ST_EMBEDDED; return; }
        if (key_is(k, "input")) {
            jiter ii;
            jval iv;
            vstr ik;
            if (!jv_obj_begin(&e, &ii)) continue;
            while (jv_obj_next(&ii, &ik, &iv))
                if (key_is(ik, "message") && jv_str(&iv, &d->embedded_src)) { d->state = ST_EMBEDDED; return; }
        }
        if (key_is(k, "properties")) {          /* a bare AKS record, one per line */
            jiter pi;
            jval pv;
            vstr pk;
            if (!jv_obj_begin(&e, &pi)) continue;
            while (jv_obj_next(&pi, &pk, &pv))
                if (key_is(pk, "log") && jv_str(&pv, &d->embedded_src)) { d->state = ST_EMBEDDED; return; }
        }
    }
    d->state = ST_SINGLE;
}

static int k8s_next(void *self, struct event *out) {
    struct k8s_dec *d = self;
    for (;;) {
        switch (d->state) {
        case ST_DONE:
            return 0;
        case ST_SINGLE: {
            d->state = ST_DONE;
            if (!jparse_at_end(d->outer) && !jparser_error(d->outer)) {
                reject(d, R_JSON, VSTR("trailing content after the event"));
                return 0;
            }
            struct doc_span span = { d->rec.p, d->rec.cap };
            if (!d->ev.verb.n && !d->ev.audit_id.n && !d->kind.n && !jparser_error(d->outer)) {
                reject(d, R_NOT_EVENT, (vstr){ d->rec.p, d->rec.len });
                return 0;
            }
            return finish_event(d, d->outer, span, out);
        }
        case ST_EMBEDDED:
            d->state = ST_DONE;
            if (jparser_error(d->outer)) { reject(d, R_JSON, vstr_c(jparser_errmsg(d->outer))); return 0; }
            if (decode_embedded(d, d->embedded_src, out)) return 1;
            continue;
        case ST_RECORDS:
        case ST_ITEMS: {
            jval item;
            if (!jv_arr_next(&d->list, &item)) {
                if (jparser_error(d->outer)) reject(d, R_JSON, vstr_c(jparser_errmsg(d->outer)));
                d->state = ST_DONE;
                return 0;
            }
            d->item++;
            if (d->state == ST_RECORDS) {
                if (decode_aks_record(d, &item, out)) return 1;
                continue;
            }
            reset_event(d);
            if (jv_type(&item) != JT_OBJECT) { reject(d, R_NOT_OBJECT, VSTR("items[] element")); continue; }
            walk_event(d, &item);
            struct doc_span span = { d->rec.p, d->rec.cap };
            if (finish_event(d, d->outer, span, out)) return 1;
            if (jparser_error(d->outer)) d->state = ST_DONE;   /* the rest is unreadable */
            continue;
        }
        }
    }
}

static void k8s_report(void *self, buf *out) {
    struct k8s_dec *d = self;
    if (d->skipped_received)
        buf_printf(out, "  %" PRIu64 " RequestReceived stage events skipped (the same request is counted at its response)\n",
                   d->skipped_received);
    if (d->skipped_duplicate)
        buf_printf(out, "  %" PRIu64 " ResponseComplete events of long-running requests already seen at ResponseStarted\n",
                   d->skipped_duplicate);
    if (d->skipped_category)
        buf_printf(out, "  %" PRIu64 " AKS diagnostic records of other categories than kube-audit skipped\n",
                   d->skipped_category);
}

static uint64_t k8s_events(void *self) { return ((struct k8s_dec *)self)->events; }

/* Audit events are JSON objects with an auditID and a verb, possibly
 * wrapped; look for their field names near the start of the input. */
static int k8s_sniff(vstr head) {
    size_t i = 0;
    while (i < head.n && (head.p[i] == ' ' || head.p[i] == '\n' || head.p[i] == '\r' || head.p[i] == '\t')) i++;
    if (i == head.n || head.p[i] != '{') return 0;
    bool audit_id = vstr_contains(head, VSTR("auditID"));
    bool stage = vstr_contains(head, VSTR("\"stage")) || vstr_contains(head, VSTR("\\\"stage"));
    bool verb = vstr_contains(head, VSTR("verb"));
    if (vstr_contains(head, VSTR("\"kube-audit")) || vstr_contains(head, VSTR("audit.k8s.io"))) return 90;
    if (audit_id && (stage || verb)) return 90;
    if (vstr_contains(head, VSTR("\"EventList\"")) && vstr_contains(head, VSTR("requestURI"))) return 80;
    if (verb && vstr_contains(head, VSTR("requestURI"))) return 70;
    return 0;
}

const struct decoder_ops k8s_audit_decoder = {
    .name = "k8s-audit",
    .description = "Kubernetes API server audit events: JSON lines, EventList, AKS kube-audit diagnostic records",
    .layer = LAYER_K8S,
    .sniff = k8s_sniff,
    .create = k8s_create,
    .destroy = k8s_destroy,
    .begin = k8s_begin,
    .next = k8s_next,
    .report = k8s_report,
    .events = k8s_events,
};
