/* The management layer: Azure Resource Manager activity-log analytics
 * (research/detections.md section 4, docs/MANAGEMENT.md).
 *
 *   record -> arm_pair (start + outcome = one operation)
 *          -> struct arm_op (principal, address, GeoIP, intel; profile before)
 *          -> toolkit, session and custom-role analytics (this file)
 *          -> the arm.location.* group (detect/arm_location.c)
 *          -> principal profiles and organisation usage updated
 *
 * Everything is measured on event time. What is learned (profiles, custom
 * role definitions, who granted which custom role) is saved in the store,
 * so a later run with the same --state continues the history. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "detect/arm_internal.h"
#include "state/seen.h"
#include "store/store.h"
#include "util/blob.h"
#include "util/hash.h"
#include "util/timeutil.h"

#define KEY_MAX 256                     /* principal keys longer than this are cut */
#define WIN_MAX 32                      /* records kept per principal and window */
#define SUMMARY_MAX 104
#define RUNBOOKS_MAX 4                  /* runbooks followed per principal at once */
#define MAX_CUSTOM_ROLES 4096
#define MAX_GRANTS 65536
#define ACTORS_MAX 8192                 /* principals with a window open at once */
#define RUNBOOK_NAME_LEN 15

/* ---- per-principal windows ------------------------------------------------ */

struct win_item {
    int64_t t_us;
    uint64_t what;                      /* hash of the resource (or VM, or vault) */
    uint32_t kind;                      /* index into a config list */
    struct source_pos pos;
    char summary[SUMMARY_MAX];
};

/* Recent records of one kind for one principal, oldest first. */
struct win {
    struct win_item it[WIN_MAX];
    uint32_t n;
    int64_t quiet_until_us;             /* no second alert from one burst */
};

enum rb_step { RB_WRITTEN = 1, RB_RUN = 2 };

struct runbook_track {
    uint64_t name_hash;                 /* 0: free */
    uint64_t account_hash;
    unsigned steps;
    int64_t first_us;
    char name[RUNBOOK_NAME_LEN + 1];
    struct source_pos pos[3];
};

struct actor {
    char key[KEY_MAX];
    size_t key_n;
    int64_t last_us;
    /* Windows are allocated on first use: most principals only ever
     * fill one kind, and an actor without windows is a few hundred bytes. */
    struct win *cred;                   /* credential operations */
    struct win *vms;                    /* runCommand, one item per VM */
    struct win *reads;                  /* Azurite resource-type reads */
    struct win *vault_grants;           /* accessPolicies writes, per vault */
    /* the largest distinct counts of the burst in progress */
    uint32_t peak_resources, peak_kinds, peak_vms;
    struct runbook_track rb[RUNBOOKS_MAX];
};

struct custom_role {
    char guid[40];
    char name[128];
    bool actions_known;                 /* its definition's body was read */
    char privileged[256];               /* privileged actions it holds, comma-separated; "" = none */
    int64_t defined_us;
    struct source_pos pos;
};

/* What the analytics need to know about an operation name, worked out
 * once per distinct name: a log holds a few hundred names in millions of
 * records, and matching each record against every configured list was a
 * fifth of the detector's time. */
enum op_bits {
    OPB_PERSISTENCE   = 1u << 0,
    OPB_ROLE_DEF      = 1u << 1,
    OPB_ROLE_ASSIGN   = 1u << 2,
    OPB_AUTOMATION    = 1u << 3,
    OPB_RUN_COMMAND   = 1u << 4,
    OPB_ACCESS_POLICY = 1u << 5,
};

#define OPCLASS_SLOTS 1024              /* power of two */
#define OPCLASS_NAME_MAX 160            /* longer names are classified every time */

struct op_class {
    uint64_t h;                         /* 0: free */
    uint32_t bits;
    int16_t cred_kind;                  /* index in credential_operations, -1 none */
    int16_t azurite_type;               /* index in azurite_resource_types, -1 none */
    uint16_t len;
    char name[OPCLASS_NAME_MAX];
};

struct arm_det {
    const struct vigil_config *cfg;
    struct op_class *classes;           /* OPCLASS_SLOTS, open addressing; when full, not cached */
    struct principals *prof;
    struct arm_pair *pair;
    struct arm_location *loc;
    struct actor **actors;              /* open addressing by key hash */
    size_t actors_cap, n_actors;
    struct custom_role *roles;
    size_t n_roles, cap_roles;
    struct seenset *grants;             /* "assigner\x1frole guid" */
    struct detect_ctx *ctx;             /* during a call only */
    int64_t last_sweep_us;
    char state_note[256];
    /* counters for the summary */
    uint64_t records, ops, reads, failed, no_principal, located, public_ips;
    uint64_t persistence_ops, role_defs, role_assignments, unknown_role_assignments, unprivileged_role_assignments;
    uint64_t actors_dropped, roles_dropped;
};

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p) { fputs("vigil: out of memory\n", stderr); abort(); }
    return p;
}

/* ---- small string helpers ------------------------------------------------- */

static bool ieq_prefix(vstr s, const char *pre, size_t n) {
    if (s.n < n) return false;
    return vstr_eq_ci((vstr){ s.p, n }, (vstr){ pre, n });
}

static bool ends_with_ci(vstr s, const char *suf) {
    size_t n = strlen(suf);
    return s.n >= n && vstr_eq_ci((vstr){ s.p + s.n - n, n }, (vstr){ suf, n });
}

/* An operation-name list: case-insensitive, an entry ending in '*' is a prefix. */
static int list_match_op(const struct strlist *l, vstr op) {
    for (size_t i = 0; i < l->n; i++) {
        const char *e = l->v[i];
        size_t n = strlen(e);
        if (n && e[n - 1] == '*') {
            if (ieq_prefix(op, e, n - 1)) return (int)i;
        } else if (vstr_eq_ci(op, (vstr){ e, n })) {
            return (int)i;
        }
    }
    return -1;
}

static int list_match_suffix(const struct strlist *l, vstr op) {
    for (size_t i = 0; i < l->n; i++)
        if (ends_with_ci(op, l->v[i])) return (int)i;
    return -1;
}

static bool list_has_ci(const struct strlist *l, vstr s) {
    for (size_t i = 0; i < l->n; i++)
        if (vstr_eq_ci(s, vstr_c(l->v[i]))) return true;
    return false;
}

static uint64_t hash_ci(vstr s) {
    uint64_t h = UINT64_C(0x41524d);
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        h = (h ^ (uint8_t)c) * UINT64_C(0x100000001b3);
    }
    return hash_mix(h) | 1;
}

/* The path segment after "/<name>/" in a resource id, case-insensitive. */
static vstr segment_after(vstr id, const char *name) {
    size_t n = strlen(name);
    for (size_t i = 0; i + n + 2 <= id.n; i++) {
        if (id.p[i] != '/' || id.p[i + n + 1] != '/') continue;
        if (!vstr_eq_ci((vstr){ id.p + i + 1, n }, (vstr){ name, n })) continue;
        size_t s = i + n + 2, e = s;
        while (e < id.n && id.p[e] != '/') e++;
        return (vstr){ id.p + s, e - s };
    }
    return VSTR_NULL;
}

static vstr last_segment(vstr id) {
    size_t e = id.n;
    while (e > 0 && id.p[e - 1] == '/') e--;
    size_t s = e;
    while (s > 0 && id.p[s - 1] != '/') s--;
    return (vstr){ id.p + s, e - s };
}

/* The resource an operation acts on: its id up to the resource itself,
 * without a trailing action segment such as /accessPolicies/add. */
static vstr resource_of(const struct mgmt_op *op) { return op->resource_id.n ? op->resource_id : op->authz_scope; }

static void copy_cstr(char *dst, size_t cap, vstr s) {
    size_t n = s.n < cap - 1 ? s.n : cap - 1;
    if (n) memcpy(dst, s.p, n);
    dst[n] = '\0';
}

/* ---- operation classes ---------------------------------------------------- */

static int azurite_type(const struct vigil_config *cfg, vstr op) {
    if (!ends_with_ci(op, "/read")) return -1;
    vstr type = { op.p, op.n - 5 };
    const struct strlist *l = &cfg->arm.azurite_resource_types;
    for (size_t i = 0; i < l->n && i < 64; i++)
        if (vstr_eq_ci(type, vstr_c(l->v[i]))) return (int)i;
    return -1;
}

static void classify(const struct vigil_config *cfg, vstr op, struct op_class *c) {
    c->bits = 0;
    if (list_match_op(&cfg->arm.persistence_operations, op) >= 0) c->bits |= OPB_PERSISTENCE;
    if (vstr_eq_ci(op, VSTR("Microsoft.Authorization/roleDefinitions/write"))) c->bits |= OPB_ROLE_DEF;
    if (vstr_eq_ci(op, VSTR("Microsoft.Authorization/roleAssignments/write"))) c->bits |= OPB_ROLE_ASSIGN;
    if (ieq_prefix(op, "Microsoft.Automation/", 21)) c->bits |= OPB_AUTOMATION;
    if (ends_with_ci(op, "/runCommand/action")) c->bits |= OPB_RUN_COMMAND;
    if (ends_with_ci(op, "/accessPolicies/write")) c->bits |= OPB_ACCESS_POLICY;
    int kind = list_match_suffix(&cfg->arm.credential_operations, op);
    c->cred_kind = (int16_t)(kind < 64 ? kind : -1);
    c->azurite_type = (int16_t)azurite_type(cfg, op);
}

static const struct op_class *op_class_of(struct arm_det *d, vstr op, struct op_class *scratch) {
    if (op.n >= OPCLASS_NAME_MAX) { classify(d->cfg, op, scratch); return scratch; }
    uint64_t h = hash_bytes(op.p, op.n, UINT64_C(0x4f50434c)) | 1;
    size_t mask = OPCLASS_SLOTS - 1;
    for (size_t i = (size_t)h & mask, probes = 0; probes < OPCLASS_SLOTS; i = (i + 1) & mask, probes++) {
        struct op_class *c = &d->classes[i];
        if (c->h == h && c->len == op.n && (op.n == 0 || memcmp(c->name, op.p, op.n) == 0)) return c;
        if (c->h) continue;
        if (probes > OPCLASS_SLOTS / 2) break;       /* nearly full: stop caching */
        classify(d->cfg, op, c);
        c->h = h;
        c->len = (uint16_t)op.n;
        if (op.n) memcpy(c->name, op.p, op.n);
        return c;
    }
    classify(d->cfg, op, scratch);
    return scratch;
}

/* ---- the operation as analysed ------------------------------------------- */

static vstr principal_key(const struct mgmt_op *op) {
    vstr k = op->object_id.n ? op->object_id : op->caller.n ? op->caller : op->appid;
    if (k.n > KEY_MAX - 1) k.n = KEY_MAX - 1;
    return k;
}

static vstr principal_display(const struct mgmt_op *op) {
    if (op->upn.n) return op->upn;
    if (op->caller.n) return op->caller;
    if (op->name.n) return op->name;
    return principal_key(op);
}

void arm_principal_label(const struct arm_op *o, buf *out) {
    buf_putv(out, o->principal_display.n ? o->principal_display : o->principal_key);
    if (o->principal_key.n && !vstr_eq(o->principal_key, o->principal_display)) {
        buf_puts(out, " (");
        buf_putv(out, o->principal_key);
        buf_putc(out, ')');
    }
}

static vstr entity_of(const struct arm_op *o) {
    return o->principal_display.n ? o->principal_display : o->principal_key;
}

static bool is_trusted(const struct vigil_config *cfg, const struct mgmt_op *op) {
    const struct strlist *l = &cfg->arm.trusted_principals;
    if (!l->n) return false;
    return list_has_ci(l, op->object_id) || list_has_ci(l, op->upn) || list_has_ci(l, op->caller) ||
           (op->appid.n && list_has_ci(l, op->appid));
}

static const char *outcome_name(enum mgmt_outcome o) {
    switch (o) {
    case MGMT_OUTCOME_STARTED: return "started";
    case MGMT_OUTCOME_ACCEPTED: return "accepted";
    case MGMT_OUTCOME_SUCCEEDED: return "succeeded";
    case MGMT_OUTCOME_FAILED: return "failed";
    default: return "status unknown";
    }
}

static void op_summary(const struct arm_op *o, char *out, size_t cap) {
    const struct mgmt_op *op = o->op;
    snprintf(out, cap, "%.*s (%s) on %.*s", (int)(op->operation.n > 80 ? 80 : op->operation.n), op->operation.p,
             outcome_name(o->outcome), (int)(resource_of(op).n > 300 ? 300 : resource_of(op).n),
             resource_of(op).p);
}

static void add_op_evidence(struct alert *a, const struct arm_op *o) {
    char s[560];
    op_summary(o, s, sizeof s);
    size_t n = strlen(s);
    snprintf(s + n, sizeof s - n, " by %.*s from %.*s", (int)(entity_of(o).n > 80 ? 80 : entity_of(o).n),
             entity_of(o).p, (int)(o->op->caller_ip_text.n > 45 ? 45 : o->op->caller_ip_text.n),
             o->op->caller_ip_text.n ? o->op->caller_ip_text.p : "");
    alert_evidence(a, o->ev, vstr_c(s));
}

static void add_item_evidence(struct alert *a, const struct win_item *it) {
    struct event ev = { .time_us = it->t_us, .layer = LAYER_MGMT, .kind = EV_MGMT_OP, .pos = it->pos };
    alert_evidence(a, &ev, vstr_c(it->summary));
}

struct alert *arm_alert_new(const char *type, const struct arm_op *o) {
    struct alert *a = alert_new(type, o->ev);
    buf b;
    buf_init(&b);
    arm_principal_label(o, &b);
    alert_var(a, "principal", buf_vstr(&b));
    buf_free(&b);
    alert_var(a, "ip", o->op->caller_ip_text.n ? o->op->caller_ip_text : VSTR("an unknown address"));
    alert_entity(a, entity_of(o));
    alert_entity_str(a, "account", entity_of(o));
    if (o->principal_key.n) alert_entity_str(a, "account_id", o->principal_key);
    if (o->op->caller_ip_text.n) alert_entity_strs(a, "ip", &o->op->caller_ip_text, 1);
    if (o->op->subscription.n) alert_entity_str(a, "subscription", o->op->subscription);
    if (o->op->appid.n) alert_prop_str(a, "appid", o->op->appid);
    return a;
}

static const char *client_name(const struct vigil_config *cfg, vstr appid) {
    if (!appid.n) return "an unknown client";
    if (list_has_ci(&cfg->arm.powershell_appids, appid)) return "Azure PowerShell";
    if (vstr_eq_ci(appid, VSTR("04b07795-8ddb-461a-bbee-02f9e1bf7b46"))) return "Azure CLI";
    if (vstr_eq_ci(appid, VSTR("c44b4083-3bb0-49c1-b47d-974e53cbdf3c"))) return "the Azure portal";
    return NULL;
}

/* ---- actors: principals with a window open ---------------------------------- */

static uint64_t actor_hash(vstr key) { return hash_vstr(key, UINT64_C(0x4143544f)) | 1; }

static size_t actor_slot(const struct arm_det *d, vstr key) {
    size_t mask = d->actors_cap - 1;
    size_t i = (size_t)actor_hash(key) & mask;
    while (d->actors[i]) {
        const struct actor *a = d->actors[i];
        if (a->key_n == key.n && memcmp(a->key, key.p, key.n) == 0) break;
        i = (i + 1) & mask;
    }
    return i;
}

static void actors_rehash(struct arm_det *d, size_t cap) {
    struct actor **old = d->actors;
    size_t old_cap = d->actors_cap;
    d->actors_cap = cap;
    d->actors = xcalloc(cap, sizeof *d->actors);
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i]) continue;
        d->actors[actor_slot(d, (vstr){ old[i]->key, old[i]->key_n })] = old[i];
    }
    free(old);
}

static struct actor *actor_get(struct arm_det *d, vstr key, int64_t t_us) {
    size_t i = actor_slot(d, key);
    if (!d->actors[i]) {
        if (d->n_actors >= ACTORS_MAX) { d->actors_dropped++; return NULL; }
        if ((d->n_actors + 1) * 4 > d->actors_cap * 3) {
            actors_rehash(d, d->actors_cap * 2);
            i = actor_slot(d, key);
        }
        struct actor *a = xcalloc(1, sizeof *a);
        memcpy(a->key, key.p, key.n);
        a->key_n = key.n;
        d->actors[i] = a;
        d->n_actors++;
    }
    if (t_us > d->actors[i]->last_us) d->actors[i]->last_us = t_us;
    return d->actors[i];
}

static struct win *win_get(struct win **w) {
    if (!*w) *w = xcalloc(1, sizeof **w);
    return *w;
}

static void actor_free(struct actor *ac) {
    free(ac->cred);
    free(ac->vms);
    free(ac->reads);
    free(ac->vault_grants);
    free(ac);
}

static bool win_empty(const struct win *w) { return !w || w->n == 0; }

/* Forget records older than the window. */
static void win_trim(struct win *w, int64_t now_us, int64_t window_us) {
    if (!w) return;
    uint32_t drop = 0;
    while (drop < w->n && w->it[drop].t_us < now_us - window_us) drop++;
    if (!drop) return;
    memmove(w->it, w->it + drop, (w->n - drop) * sizeof *w->it);
    w->n -= drop;
}

/* Add a record; a repeat of the same (what, kind) only refreshes its time,
 * so a window holds distinct targets. When full, the oldest goes. */
static void win_add(struct win *w, int64_t t_us, uint64_t what, uint32_t kind, const struct arm_op *o) {
    for (uint32_t i = 0; i < w->n; i++) {
        if (w->it[i].what == what && w->it[i].kind == kind) {
            struct win_item it = w->it[i];
            memmove(w->it + i, w->it + i + 1, (w->n - i - 1) * sizeof *w->it);
            it.t_us = t_us;
            it.pos = o->ev->pos;
            w->it[w->n - 1] = it;
            return;
        }
    }
    if (w->n == WIN_MAX) {
        memmove(w->it, w->it + 1, (WIN_MAX - 1) * sizeof *w->it);
        w->n--;
    }
    struct win_item *it = &w->it[w->n++];
    it->t_us = t_us;
    it->what = what;
    it->kind = kind;
    it->pos = o->ev->pos;
    op_summary(o, it->summary, sizeof it->summary);
}

static uint32_t win_distinct_what(const struct win *w) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < w->n; i++) {
        bool seen = false;
        for (uint32_t j = 0; j < i && !seen; j++) seen = w->it[j].what == w->it[i].what;
        if (!seen) n++;
    }
    return n;
}

static uint32_t win_distinct_kinds(const struct win *w, uint64_t *mask_out) {
    uint64_t mask = 0;
    uint32_t n = 0;
    for (uint32_t i = 0; i < w->n; i++) {
        uint64_t bit = w->it[i].kind < 64 ? UINT64_C(1) << w->it[i].kind : 0;
        if (bit && !(mask & bit)) { mask |= bit; n++; }
    }
    if (mask_out) *mask_out = mask;
    return n;
}

static void list_kinds(const struct strlist *l, uint64_t mask, buf *out) {
    bool first = true;
    for (size_t i = 0; i < l->n && i < 64; i++) {
        if (!(mask & (UINT64_C(1) << i))) continue;
        if (!first) buf_puts(out, ", ");
        const char *e = l->v[i];
        buf_puts(out, e[0] == '/' ? e + 1 : e);
        first = false;
    }
}

static void prop_window_items(struct alert *a, const struct win *w) {
    for (uint32_t i = 0; i < w->n; i++) add_item_evidence(a, &w->it[i]);
}

/* ---- arm.toolkit.microburst ------------------------------------------------- */

static void window_text(int64_t us, char *out, size_t cap) { duration_format(us, out, cap); }

/* What the burst was compared with: the principal's own largest burst in
 * the look-back and the configured floors. */
static void baseline_props(struct alert *a, const struct vigil_config *cfg, const struct arm_op *o) {
    const struct principal_fanout *pk = o->prof ? &o->prof->fanout_peak : NULL;
    bool fresh = pk && pk->t_us != TIME_NONE && pk->t_us >= o->t_us - cfg->arm.microburst_lookback_us;
    buf b;
    buf_init(&b);
    buf_printf(&b, "{\"largest_burst_resources\":%" PRIu32 ",\"largest_burst_kinds\":%" PRIu32
               ",\"largest_burst_vms\":%" PRIu32 ",\"lookback_days\":%" PRId64,
               fresh ? pk->resources : 0, fresh ? pk->kinds : 0, fresh ? pk->vms : 0,
               cfg->arm.microburst_lookback_us / US_PER_DAY);
    if (fresh) {
        buf_puts(&b, ",\"largest_burst_at\":");
        buf_json_time(&b, pk->t_us);
    }
    buf_printf(&b, ",\"operations_before\":%" PRIu64 ",\"min_resources\":%" PRIu32 ",\"min_kinds\":%" PRIu32
               ",\"min_vms\":%" PRIu32 "}",
               o->prof ? o->prof->ops : 0, cfg->arm.microburst_min_resources, cfg->arm.microburst_min_kinds,
               cfg->arm.microburst_min_vms);
    alert_prop_raw(a, "baseline", buf_vstr(&b));
    buf_free(&b);
}

static void microburst_alert(struct arm_det *d, const struct arm_op *o, const char *variant, const char *ops_text,
                             uint32_t resources, const struct win *w) {
    const struct vigil_config *cfg = d->cfg;
    struct alert *a = arm_alert_new("arm.toolkit.microburst", o);
    char win_s[32];
    window_text(strcmp(variant, "automation_runbook") == 0 ? cfg->arm.runbook_window_us : cfg->arm.microburst_window_us,
                win_s, sizeof win_s);
    alert_var(a, "window", vstr_c(win_s));
    const char *client = client_name(cfg, o->op->appid);
    buf c;
    buf_init(&c);
    if (client) buf_puts(&c, client);
    else { buf_puts(&c, "client application "); buf_putv(&c, o->op->appid); }
    alert_var(a, "client", buf_vstr(&c));
    buf_free(&c);
    alert_var(a, "subscription", o->op->subscription.n ? o->op->subscription : VSTR("(unknown)"));
    alert_var(a, "variant", vstr_c(variant));
    alert_var(a, "operations", vstr_c(ops_text));
    char n_s[16];
    snprintf(n_s, sizeof n_s, "%" PRIu32, resources);
    alert_var(a, "resources", vstr_c(n_s));
    alert_prop_str(a, "variant", vstr_c(variant));
    alert_prop_int(a, "resources", resources);
    alert_prop_bool(a, "azure_powershell", list_has_ci(&cfg->arm.powershell_appids, o->op->appid));
    baseline_props(a, cfg, o);
    if (w) prop_window_items(a, w);
    add_op_evidence(a, o);
    alert_emit(d->ctx->alerts, a);
}

static bool fanout_beats_peak(const struct arm_det *d, const struct arm_op *o, uint32_t res, uint32_t kinds,
                              uint32_t vms, const char **why) {
    const struct principal_fanout *pk = o->prof ? &o->prof->fanout_peak : NULL;
    bool fresh = pk && pk->t_us != TIME_NONE && pk->t_us >= o->t_us - d->cfg->arm.microburst_lookback_us;
    uint32_t pr = fresh ? pk->resources : 0, pkd = fresh ? pk->kinds : 0, pv = fresh ? pk->vms : 0;
    if (vms && vms >= d->cfg->arm.microburst_min_vms && vms > pv) { *why = "vm_bulk_cmd"; return true; }
    if (res >= d->cfg->arm.microburst_min_resources && res > pr) { *why = "credential_fanout"; return true; }
    if (kinds >= d->cfg->arm.microburst_min_kinds && kinds > pkd) { *why = "credential_kinds"; return true; }
    return false;
}

/* During the organisation's first min_history, bursts are learned as the
 * principals' normal rather than judged: a backup job that lists every
 * storage key each night must not alert on its first night. */
static bool org_learning(const struct arm_det *d, int64_t t_us) {
    int64_t start = principals_history_start(d->prof);
    return start == TIME_NONE || t_us - start < d->cfg->arm.min_history_us;
}

static void microburst_credentials(struct arm_det *d, const struct arm_op *o, struct actor *ac, int kind) {
    const struct vigil_config *cfg = d->cfg;
    struct win *w = win_get(&ac->cred);
    win_trim(w, o->t_us, cfg->arm.microburst_window_us);
    win_add(w, o->t_us, hash_ci(resource_of(o->op)), (uint32_t)kind, o);
    uint64_t mask;
    uint32_t res = win_distinct_what(w), kinds = win_distinct_kinds(w, &mask);
    if (res > ac->peak_resources) ac->peak_resources = res;
    if (kinds > ac->peak_kinds) ac->peak_kinds = kinds;
    const char *why;
    if (o->t_us < w->quiet_until_us || org_learning(d, o->t_us) || !fanout_beats_peak(d, o, res, kinds, 0, &why))
        return;
    buf ops;
    buf_init(&ops);
    list_kinds(&cfg->arm.credential_operations, mask, &ops);
    microburst_alert(d, o, "passwords", buf_cstr(&ops), res, w);
    buf_free(&ops);
    w->quiet_until_us = o->t_us + cfg->arm.microburst_window_us;
}

static void microburst_run_command(struct arm_det *d, const struct arm_op *o, struct actor *ac) {
    const struct vigil_config *cfg = d->cfg;
    struct win *w = win_get(&ac->vms);
    win_trim(w, o->t_us, cfg->arm.microburst_window_us);
    win_add(w, o->t_us, hash_ci(resource_of(o->op)), 0, o);
    uint32_t vms = win_distinct_what(w);
    if (vms > ac->peak_vms) ac->peak_vms = vms;
    const char *why;
    if (o->t_us < w->quiet_until_us || org_learning(d, o->t_us) || !fanout_beats_peak(d, o, 0, 0, vms, &why))
        return;
    microburst_alert(d, o, "vm_bulk_cmd", "runCommand on virtual machines", vms, w);
    w->quiet_until_us = o->t_us + cfg->arm.microburst_window_us;
}

static bool random_runbook_name(vstr name) {
    if (name.n != RUNBOOK_NAME_LEN) return false;
    for (size_t i = 0; i < name.n; i++) {
        char c = name.p[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
    }
    return true;
}

static struct runbook_track *runbook_find(struct actor *ac, uint64_t account, uint64_t name, bool create,
                                          int64_t t_us, int64_t window_us) {
    struct runbook_track *free_slot = NULL, *oldest = &ac->rb[0];
    for (int i = 0; i < RUNBOOKS_MAX; i++) {
        struct runbook_track *r = &ac->rb[i];
        if (r->name_hash && r->first_us < t_us - window_us) r->name_hash = 0;   /* expired */
        if (r->name_hash == name && r->account_hash == account) return r;
        if (!r->name_hash && !free_slot) free_slot = r;
        if (r->first_us < oldest->first_us) oldest = r;
    }
    if (!create) return NULL;
    struct runbook_track *r = free_slot ? free_slot : oldest;
    memset(r, 0, sizeof *r);
    r->name_hash = name;
    r->account_hash = account;
    r->first_us = t_us;
    return r;
}

/* Runbook create (write or draft write), a test job or a job, then delete:
 * MicroBurst's automation credential dump. A job's id says nothing of its
 * runbook, so a job in the same account counts for every runbook followed
 * there. */
static void microburst_runbook(struct arm_det *d, const struct arm_op *o, struct actor *ac) {
    const struct vigil_config *cfg = d->cfg;
    vstr op = o->op->operation, id = o->op->resource_id;
    vstr account = segment_after(id, "automationAccounts");
    if (!account.n) return;
    uint64_t acct = hash_ci(account);
    int64_t win = cfg->arm.runbook_window_us;
    vstr name = segment_after(id, "runbooks");
    if (ends_with_ci(op, "/jobs/write")) {
        for (int i = 0; i < RUNBOOKS_MAX; i++) {
            struct runbook_track *r = &ac->rb[i];
            if (r->name_hash && r->account_hash == acct && r->first_us >= o->t_us - win) {
                r->steps |= RB_RUN;
                r->pos[1] = o->ev->pos;
            }
        }
        return;
    }
    if (!random_runbook_name(name)) return;
    uint64_t nh = hash_ci(name);
    if (ends_with_ci(op, "/runbooks/write") || ends_with_ci(op, "/runbooks/draft/write")) {
        struct runbook_track *r = runbook_find(ac, acct, nh, true, o->t_us, win);
        r->steps |= RB_WRITTEN;
        r->pos[0] = o->ev->pos;
        copy_cstr(r->name, sizeof r->name, name);
    } else if (ends_with_ci(op, "/draft/testJob/write") || ends_with_ci(op, "/draft/testJob/start/action")) {
        struct runbook_track *r = runbook_find(ac, acct, nh, false, o->t_us, win);
        if (r) { r->steps |= RB_RUN; r->pos[1] = o->ev->pos; }
    } else if (ends_with_ci(op, "/runbooks/delete")) {
        struct runbook_track *r = runbook_find(ac, acct, nh, false, o->t_us, win);
        if (!r || r->steps != (RB_WRITTEN | RB_RUN)) return;
        char text[160];
        snprintf(text, sizeof text, "runbook %s written, run and deleted in automation account %.*s", r->name,
                 (int)(account.n > 64 ? 64 : account.n), account.p);
        microburst_alert(d, o, "automation_runbook", text, 1, NULL);
        r->name_hash = 0;
    }
}

/* An access policy added to a vault and removed again by the same
 * principal within the window: Get-AzPasswords' self-grant around a dump. */
static void microburst_vault_grant(struct arm_det *d, const struct arm_op *o, struct actor *ac) {
    const struct vigil_config *cfg = d->cfg;
    vstr id = o->op->resource_id;
    vstr vault = segment_after(id, "vaults");
    if (!vault.n) return;
    vstr action = last_segment(id);
    uint64_t vh = hash_ci(vault);
    struct win *w = win_get(&ac->vault_grants);
    win_trim(w, o->t_us, cfg->arm.microburst_window_us);
    bool removing = vstr_eq_ci(action, VSTR("remove")) || vstr_eq_ci(action, VSTR("replace"));
    if (!removing) { win_add(w, o->t_us, vh, 0, o); return; }
    for (uint32_t i = 0; i < w->n; i++) {
        if (w->it[i].what != vh) continue;
        char text[160];
        snprintf(text, sizeof text, "access policy added to and removed from key vault %.*s",
                 (int)(vault.n > 64 ? 64 : vault.n), vault.p);
        microburst_alert(d, o, "key_vault_self_grant", text, 1, w);
        w->n = 0;
        return;
    }
}

static void toolkit_microburst(struct arm_det *d, const struct arm_op *o, const struct op_class *c,
                               struct actor *ac) {
    if (o->outcome == MGMT_OUTCOME_FAILED) return;
    if (c->bits & OPB_AUTOMATION) microburst_runbook(d, o, ac);
    if (c->cred_kind < 0) return;
    if (c->bits & OPB_RUN_COMMAND) microburst_run_command(d, o, ac);
    if (c->bits & OPB_ACCESS_POLICY) microburst_vault_grant(d, o, ac);
    microburst_credentials(d, o, ac, c->cred_kind);
}

/* ---- arm.toolkit.azurite ----------------------------------------------------- */

static void toolkit_azurite(struct arm_det *d, const struct arm_op *o, const struct op_class *c,
                            struct actor *ac) {
    const struct vigil_config *cfg = d->cfg;
    int kind = c->azurite_type;
    if (kind < 0 || o->outcome == MGMT_OUTCOME_FAILED) return;
    struct win *w = win_get(&ac->reads);
    win_trim(w, o->t_us, cfg->arm.azurite_window_us);
    win_add(w, o->t_us, (uint64_t)kind + 1, (uint32_t)kind, o);
    uint64_t mask;
    uint32_t types = win_distinct_kinds(w, &mask);
    if (types < cfg->arm.azurite_min_types || o->t_us < w->quiet_until_us) return;
    struct alert *a = arm_alert_new("arm.toolkit.azurite", o);
    char win_s[32], n_s[16];
    window_text(cfg->arm.azurite_window_us, win_s, sizeof win_s);
    alert_var(a, "window", vstr_c(win_s));
    const char *client = client_name(cfg, o->op->appid);
    alert_var(a, "client", vstr_c(client ? client : "an unnamed client application"));
    snprintf(n_s, sizeof n_s, "%" PRIu32, types);
    alert_var(a, "resource_types", vstr_c(n_s));
    alert_var(a, "subscription", o->op->subscription.n ? o->op->subscription : VSTR("(unknown)"));
    buf ops;
    buf_init(&ops);
    list_kinds(&cfg->arm.azurite_resource_types, mask, &ops);
    alert_var(a, "operations", buf_vstr(&ops));
    alert_prop_str(a, "resource_types_read", buf_vstr(&ops));
    buf_free(&ops);
    alert_prop_int(a, "resource_types", types);
    alert_prop_int(a, "threshold", cfg->arm.azurite_min_types);
    prop_window_items(a, w);
    alert_emit(d->ctx->alerts, a);
    w->quiet_until_us = o->t_us + cfg->arm.azurite_window_us;
}

/* ---- arm.session.* -------------------------------------------------------------- */

static void time_text(int64_t us, char *out, size_t cap) { time_format(us, out, cap); }

static void operation_var(struct alert *a, const struct arm_op *o) {
    char s[420];
    op_summary(o, s, sizeof s);
    alert_var(a, "operations", vstr_c(s));
}

static void session_inactive(struct arm_det *d, const struct arm_op *o) {
    const struct principal *p = o->prof;
    if (!p || p->last_us == TIME_NONE) return;
    int64_t gap = o->t_us - p->last_us;
    if (gap < d->cfg->arm.dormancy_us) return;
    struct alert *a = arm_alert_new("arm.session.inactive_account", o);
    char days[24], last[40], first[40];
    snprintf(days, sizeof days, "%" PRId64, gap / US_PER_DAY);
    time_text(p->last_us, last, sizeof last);
    time_text(p->first_us, first, sizeof first);
    alert_var(a, "days_inactive", vstr_c(days));
    alert_var(a, "last_seen", vstr_c(last));
    operation_var(a, o);
    alert_prop_str(a, "last_seen", vstr_c(last));
    alert_prop_str(a, "first_seen", vstr_c(first));
    alert_prop_int(a, "days_inactive", gap / US_PER_DAY);
    alert_prop_int(a, "dormancy_days", d->cfg->arm.dormancy_us / US_PER_DAY);
    alert_prop_int(a, "operations_before", (int64_t)p->ops);
    alert_prop_str(a, "operation", o->op->operation);
    add_op_evidence(a, o);
    alert_emit(d->ctx->alerts, a);
}

static void apps_prop(struct alert *a, const struct principal *p) {
    buf b;
    buf_init(&b);
    buf_putc(&b, '[');
    for (uint32_t i = 0; i < p->n_apps; i++) {
        if (i) buf_putc(&b, ',');
        buf_puts(&b, "{\"appid\":");
        buf_json_cstr(&b, p->apps[i].appid);
        buf_printf(&b, ",\"operations\":%" PRIu32 ",\"last_used\":", p->apps[i].count);
        buf_json_time(&b, p->apps[i].last_us);
        buf_putc(&b, '}');
    }
    buf_putc(&b, ']');
    alert_prop_raw(a, "client_history", buf_vstr(&b));
    buf_free(&b);
}

static void session_powershell(struct arm_det *d, const struct arm_op *o) {
    const struct vigil_config *cfg = d->cfg;
    const struct principal *p = o->prof;
    if (!p || !list_has_ci(&cfg->arm.powershell_appids, o->op->appid)) return;
    if (p->ops < cfg->arm.powershell_min_ops || p->first_us == TIME_NONE ||
        o->t_us - p->first_us < cfg->arm.min_history_us)
        return;
    const struct principal_app *last_ps = NULL;
    for (size_t i = 0; i < cfg->arm.powershell_appids.n; i++) {
        const struct principal_app *ap = principal_app(p, vstr_c(cfg->arm.powershell_appids.v[i]));
        if (ap && (!last_ps || ap->last_us > last_ps->last_us)) last_ps = ap;
    }
    if (last_ps && last_ps->last_us >= o->t_us - cfg->arm.powershell_lookback_us) return;
    struct alert *a = arm_alert_new("arm.session.powershell", o);
    char days[24];
    snprintf(days, sizeof days, "%" PRId64, cfg->arm.powershell_lookback_us / US_PER_DAY);
    alert_var(a, "lookback_days", vstr_c(days));
    operation_var(a, o);
    alert_prop_int(a, "history_operations", (int64_t)p->ops);
    alert_prop_int(a, "history_days", (int64_t)p->days);
    if (last_ps) {
        char t[40];
        time_text(last_ps->last_us, t, sizeof t);
        alert_prop_str(a, "powershell_last_used", vstr_c(t));
    } else {
        alert_prop_bool(a, "powershell_never_used", true);
    }
    apps_prop(a, p);
    alert_prop_str(a, "operation", o->op->operation);
    add_op_evidence(a, o);
    alert_emit(d->ctx->alerts, a);
}

/* ---- arm.persistence.custom_role ---------------------------------------------- */

static vstr guid_of(vstr role_definition_id) { return last_segment(role_definition_id); }

static void roles_reserve(struct arm_det *d, size_t n) {
    if (n <= d->cap_roles) return;
    size_t cap = d->cap_roles ? d->cap_roles * 2 : 16;
    while (cap < n) cap *= 2;
    struct custom_role *r = realloc(d->roles, cap * sizeof *r);
    if (!r) { fputs("vigil: out of memory\n", stderr); abort(); }
    d->roles = r;
    d->cap_roles = cap;
}

static struct custom_role *role_find(struct arm_det *d, vstr guid) {
    for (size_t i = 0; i < d->n_roles; i++)
        if (vstr_eq_ci(vstr_c(d->roles[i].guid), guid)) return &d->roles[i];
    return NULL;
}

/* Azure action patterns: '*' stands for any run of characters, '/'
 * included; letters compare without case. Iterative with one backtrack
 * point, so a hostile pattern costs at most |pattern| x |text|. */
static bool glob_ci(vstr pat, vstr text) {
    size_t p = 0, t = 0, star = SIZE_MAX, mark = 0;
    while (t < text.n) {
        if (p < pat.n && pat.p[p] == '*') { star = p++; mark = t; continue; }
        if (p < pat.n && vstr_eq_ci((vstr){ pat.p + p, 1 }, (vstr){ text.p + t, 1 })) { p++; t++; continue; }
        if (star == SIZE_MAX) return false;
        p = star + 1;
        t = ++mark;
    }
    while (p < pat.n && pat.p[p] == '*') p++;
    return p == pat.n;
}

/* An entry of privileged_role_actions without a star is a concrete
 * action: a role action privileges the role when it covers it (all of
 * Microsoft.Compute covers runCommand). An entry with a star names a
 * grant as written (the bare star, all of Microsoft.Authorization) and
 * must be equal to it, or a role reading everything would be covered by
 * the bare star. */
static bool action_privileged(const struct strlist *l, vstr action) {
    for (size_t i = 0; i < l->n; i++) {
        vstr e = vstr_c(l->v[i]);
        if (memchr(e.p, '*', e.n) ? vstr_eq_ci(action, e) : glob_ci(action, e)) return true;
    }
    return false;
}

static void learn_role_definition(struct arm_det *d, const struct arm_op *o) {
    const struct mgmt_op *op = o->op;
    vstr guid = guid_of(op->resource_id);
    if (!guid.n || list_has_ci(&d->cfg->arm.builtin_role_ids, guid)) return;
    d->role_defs++;
    struct custom_role *r = role_find(d, guid);
    if (!r) {
        if (d->n_roles >= MAX_CUSTOM_ROLES) { d->roles_dropped++; return; }
        roles_reserve(d, d->n_roles + 1);
        r = &d->roles[d->n_roles++];
        memset(r, 0, sizeof *r);
        copy_cstr(r->guid, sizeof r->guid, guid);
        r->defined_us = o->t_us;
    }
    r->pos = o->ev->pos;
    if (op->role_def.present) {
        r->actions_known = true;
        copy_cstr(r->name, sizeof r->name, op->role_def.role_name);
        buf b;
        buf_init(&b);
        for (uint32_t i = 0; i < op->role_def.n_actions; i++) {
            if (!action_privileged(&d->cfg->arm.privileged_role_actions, op->role_def.actions[i])) continue;
            if (b.n) buf_puts(&b, ", ");
            buf_putv(&b, op->role_def.actions[i]);
        }
        copy_cstr(r->privileged, sizeof r->privileged, buf_vstr(&b));
        buf_free(&b);
    }
}

static void persistence_custom_role(struct arm_det *d, const struct arm_op *o) {
    const struct mgmt_op *op = o->op;
    if (!op->assignment.present) return;
    d->role_assignments++;
    vstr guid = guid_of(op->assignment.role_definition_id);
    if (!guid.n || list_has_ci(&d->cfg->arm.builtin_role_ids, guid)) return;
    const struct custom_role *r = role_find(d, guid);
    if (!r) { d->unknown_role_assignments++; return; }
    /* A role whose definition was read and grants nothing privileged
     * (readers, restart-only operators) keeps no attacker anywhere. */
    if (d->cfg->arm.custom_role_only_privileged && r->actions_known && !r->privileged[0]) {
        d->unprivileged_role_assignments++;
        return;
    }
    char key[KEY_MAX + 64];
    int kn = snprintf(key, sizeof key, "%.*s\x1f%s", (int)o->principal_key.n, o->principal_key.p, r->guid);
    for (int i = 0; i < kn; i++)
        if (key[i] >= 'A' && key[i] <= 'Z') key[i] = (char)(key[i] - 'A' + 'a');
    bool fresh;
    seenset_touch(d->grants, (vstr){ key, (size_t)(kn < (int)sizeof key ? kn : (int)sizeof key - 1) }, o->t_us,
                  &fresh);
    if (!fresh) return;
    struct alert *a = arm_alert_new("arm.persistence.custom_role", o);
    vstr assignee = op->assignment.principal_id.n ? op->assignment.principal_id : VSTR("(unknown)");
    alert_entity(a, assignee);
    alert_entity_str(a, "assignee", assignee);
    char role[200];
    snprintf(role, sizeof role, "%s%s%s%s", r->name[0] ? "'" : "", r->name, r->name[0] ? "' " : "", r->guid);
    alert_var(a, "role", vstr_c(role));
    alert_var(a, "assignee_type",
              op->assignment.principal_type.n ? op->assignment.principal_type : VSTR("identity"));
    alert_var(a, "assignee", assignee);
    alert_var(a, "scope", op->assignment.scope.n ? op->assignment.scope : resource_of(op));
    alert_prop_str(a, "role_definition_id", vstr_c(r->guid));
    if (r->name[0]) alert_prop_str(a, "role_name", vstr_c(r->name));
    alert_prop_bool(a, "privileged", r->privileged[0] != '\0');
    alert_prop_bool(a, "actions_known", r->actions_known);
    if (r->privileged[0]) alert_prop_str(a, "privileged_actions", vstr_c(r->privileged));
    char t[40];
    time_text(r->defined_us, t, sizeof t);
    alert_prop_str(a, "role_defined", vstr_c(t));
    alert_prop_int(a, "minutes_since_definition", (o->t_us - r->defined_us) / US_PER_MIN);
    struct event def = { .time_us = r->defined_us, .layer = LAYER_MGMT, .kind = EV_MGMT_OP, .pos = r->pos };
    char s[240];
    snprintf(s, sizeof s, "custom role %s defined", role);
    if (r->pos.input) alert_evidence(a, &def, vstr_c(s));
    add_op_evidence(a, o);
    alert_emit(d->ctx->alerts, a);
}

/* ---- one operation ------------------------------------------------------------------ */

static bool public_address(const struct mgmt_op *op) {
    return op->has_ip && !ip_is_zero(&op->caller_ip) && !ip_is_private(&op->caller_ip);
}

static void build_op(struct arm_det *d, const struct event *ev, struct arm_op *o) {
    const struct mgmt_op *op = ev->u.mgmt;
    memset(o, 0, sizeof *o);
    o->ev = ev;
    o->op = op;
    o->t_us = ev->time_us;
    o->outcome = op->outcome;
    o->principal_key = principal_key(op);
    o->principal_display = principal_display(op);
    o->is_app = op->principal_kind == MGMT_PRINCIPAL_APP;
    o->trusted = is_trusted(d->cfg, op);
    o->public_ip = public_address(op);
    if (o->public_ip) {
        d->public_ips++;
        if (geoip_lookup(d->ctx->geoip, &op->caller_ip, &o->geo)) d->located++;
        o->tor_hit = intel_lookup(d->ctx->intel, &op->caller_ip, INTEL_TOR, o->t_us);
        o->anon_hit = intel_lookup(d->ctx->intel, &op->caller_ip, INTEL_ANONYMIZER, o->t_us);
    }
    o->prof = o->principal_key.n ? principals_get(d->prof, o->principal_key) : NULL;
}

static void learn(struct arm_det *d, const struct arm_op *o) {
    struct principal *p = principals_touch(d->prof, o->principal_key, NULL);
    principal_note_op(d->prof, p, o->t_us, o->principal_display,
                      o->op->principal_kind == MGMT_PRINCIPAL_UNKNOWN ? -1 : o->is_app);
    if (o->op->appid.n) principal_note_app(p, o->op->appid, o->t_us);
    if (!o->public_ip) return;
    const char *cc = o->geo.country[0] ? o->geo.country : NULL;
    usage_note(d->prof, &o->op->caller_ip, cc, o->principal_key, o->t_us);
    if (!cc) return;
    principal_note_country(p, cc, o->t_us);
    struct principal_location loc = { .valid = true, .has_coords = o->geo.has_location, .lat = o->geo.latitude,
                                      .lon = o->geo.longitude, .radius_km = o->geo.accuracy_radius_km,
                                      .ip = o->op->caller_ip, .t_us = o->t_us };
    memcpy(loc.cc, cc, 2);
    principal_note_location(p, &loc);
}

static void analyse(void *ud, const struct event *ev) {
    struct arm_det *d = ud;
    const struct vigil_config *cfg = d->cfg;
    struct arm_op o;
    build_op(d, ev, &o);
    d->ops++;
    if (ev->u.mgmt->is_read) d->reads++;
    if (!o.principal_key.n) { d->no_principal++; return; }
    /* A failed request proves neither the operation nor, for a dormant
     * account, that its owner is back: it neither alerts nor teaches. */
    if (o.outcome == MGMT_OUTCOME_FAILED) { d->failed++; return; }
    struct op_class scratch;
    const struct op_class *c = op_class_of(d, o.op->operation, &scratch);
    if (c->bits & OPB_ROLE_DEF) learn_role_definition(d, &o);
    if (!o.trusted) {
        /* only operations some window counts open one: most do not */
        if (c->cred_kind >= 0 || c->azurite_type >= 0 || (c->bits & OPB_AUTOMATION)) {
            struct actor *ac = actor_get(d, o.principal_key, o.t_us);
            if (ac) {
                toolkit_microburst(d, &o, c, ac);
                toolkit_azurite(d, &o, c, ac);
            }
        }
        if (c->bits & OPB_PERSISTENCE) {
            d->persistence_ops++;
            session_inactive(d, &o);
            session_powershell(d, &o);
        }
        if (c->bits & OPB_ROLE_ASSIGN) persistence_custom_role(d, &o);
        if (cfg->group_arm_location) arm_location_on_op(d->loc, &o, d->prof, d->ctx);
    }
    learn(d, &o);
}

/* ---- the detector --------------------------------------------------------------------- */

static void *arm_create(const struct vigil_config *cfg) {
    struct arm_det *d = xcalloc(1, sizeof *d);
    d->cfg = cfg;
    d->classes = xcalloc(OPCLASS_SLOTS, sizeof *d->classes);
    d->prof = principals_new(cfg->arm.max_principals, cfg->arm.max_usage);
    d->pair = arm_pair_new(cfg->arm.max_pending, cfg->arm.pair_timeout_us);
    d->loc = arm_location_new(cfg);
    d->actors_cap = 64;
    d->actors = xcalloc(d->actors_cap, sizeof *d->actors);
    d->grants = seenset_new(MAX_GRANTS);
    d->last_sweep_us = INT64_MIN / 2;
    return d;
}

static void arm_destroy(void *self) {
    struct arm_det *d = self;
    if (!d) return;
    free(d->classes);
    principals_free(d->prof);
    arm_pair_free(d->pair);
    arm_location_free(d->loc);
    for (size_t i = 0; i < d->actors_cap; i++)
        if (d->actors[i]) actor_free(d->actors[i]);
    free(d->actors);
    free(d->roles);
    seenset_free(d->grants);
    free(d);
}

static void arm_on_event(void *self, const struct event *ev, struct detect_ctx *ctx) {
    struct arm_det *d = self;
    if (ev->kind != EV_MGMT_OP) return;
    d->ctx = ctx;
    d->records++;
    arm_pair_offer(d->pair, ev, analyse, d);
}

/* A burst is over when its window has emptied: its size becomes part of
 * the principal's normal (principal_note_fanout). */
static void fold_burst(struct arm_det *d, struct actor *ac, int64_t now_us) {
    if (!ac->peak_resources && !ac->peak_vms) return;
    struct principal *p = principals_get(d->prof, (vstr){ ac->key, ac->key_n });
    if (p)
        principal_note_fanout(p, ac->peak_resources, ac->peak_kinds, ac->peak_vms, now_us,
                              now_us - d->cfg->arm.microburst_lookback_us);
    ac->peak_resources = ac->peak_kinds = ac->peak_vms = 0;
}

static int64_t longest_window(const struct vigil_config *cfg) {
    int64_t w = cfg->arm.microburst_window_us;
    if (cfg->arm.azurite_window_us > w) w = cfg->arm.azurite_window_us;
    if (cfg->arm.runbook_window_us > w) w = cfg->arm.runbook_window_us;
    return w;
}

/* Close the windows the watermark has left behind and forget principals
 * with nothing open, so the actor table holds only recent activity. */
static void sweep_actors(struct arm_det *d, int64_t watermark_us, bool all) {
    const struct vigil_config *cfg = d->cfg;
    int64_t lateness = cfg->allowed_lateness_us;
    bool removed = false;
    for (size_t i = 0; i < d->actors_cap; i++) {
        struct actor *ac = d->actors[i];
        if (!ac) continue;
        win_trim(ac->cred, watermark_us - lateness, cfg->arm.microburst_window_us);
        win_trim(ac->vms, watermark_us - lateness, cfg->arm.microburst_window_us);
        if (all || (win_empty(ac->cred) && win_empty(ac->vms))) fold_burst(d, ac, watermark_us);
        if (all || ac->last_us < watermark_us - lateness - longest_window(cfg)) {
            actor_free(ac);
            d->actors[i] = NULL;
            d->n_actors--;
            removed = true;
        }
    }
    if (removed) actors_rehash(d, d->actors_cap);
}

static void arm_on_tick(void *self, int64_t watermark_us, struct detect_ctx *ctx) {
    struct arm_det *d = self;
    d->ctx = ctx;
    if (watermark_us == TIME_NONE) return;
    arm_pair_expire(d->pair, watermark_us, analyse, d);
    /* windows are minutes long: closing them once a minute of event time
     * is soon enough, and keeps the sweep off the per-second path */
    if (watermark_us - d->last_sweep_us >= US_PER_MIN) {
        sweep_actors(d, watermark_us, false);
        d->last_sweep_us = watermark_us;
    }
}

static void arm_on_end(void *self, struct detect_ctx *ctx) {
    struct arm_det *d = self;
    d->ctx = ctx;
    arm_pair_expire(d->pair, INT64_MAX, analyse, d);
    if (ctx->watermark_us != TIME_NONE) sweep_actors(d, ctx->watermark_us, true);
}

/* ---- state ------------------------------------------------------------------------------ */

#define ROLES_MAGIC "VRL"
#define ROLES_VERSION 1

static int save_roles(const struct arm_det *d, struct store *st) {
    buf b;
    buf_init(&b);
    buf_put(&b, ROLES_MAGIC, 3);
    buf_putc(&b, ROLES_VERSION);
    blob_put_le(&b, d->n_roles, 4);
    for (size_t i = 0; i < d->n_roles; i++) {
        const struct custom_role *r = &d->roles[i];
        blob_put_str(&b, r->guid, strlen(r->guid));
        blob_put_str(&b, r->name, strlen(r->name));
        blob_put_str(&b, r->privileged, strlen(r->privileged));
        blob_put_le(&b, r->actions_known, 1);
        blob_put_i64(&b, r->defined_us);
    }
    int rc = store_blob_put(st, "arm", "custom_roles", b.p, b.n);
    buf_free(&b);
    return rc < 0 ? -1 : 0;
}

static bool read_roles(struct arm_det *d, const void *p, size_t n) {
    struct blob_reader r = blob_reader(p, n);
    if (n < 4 || memcmp(p, ROLES_MAGIC, 3) != 0 || ((const uint8_t *)p)[3] != ROLES_VERSION) return false;
    r.p += 4;
    uint64_t count = blob_get_le(&r, 4);
    if (count > MAX_CUSTOM_ROLES) return false;
    roles_reserve(d, (size_t)count);
    for (uint64_t i = 0; i < count && r.ok; i++) {
        struct custom_role *cr = &d->roles[i];
        memset(cr, 0, sizeof *cr);
        copy_cstr(cr->guid, sizeof cr->guid, blob_get_str(&r));
        copy_cstr(cr->name, sizeof cr->name, blob_get_str(&r));
        copy_cstr(cr->privileged, sizeof cr->privileged, blob_get_str(&r));
        cr->actions_known = blob_get_le(&r, 1) != 0;
        cr->defined_us = blob_get_i64(&r);
    }
    if (!r.ok || r.p != r.end) return false;
    d->n_roles = (size_t)count;
    return true;
}

static int arm_save(void *self, struct store *st) {
    struct arm_det *d = self;
    /* A burst still open (a daemon's checkpoint) is not folded in here:
     * it would become its own baseline before it is over. */
    if (principals_save(d->prof, st, "arm") != 0) return -1;
    if (save_roles(d, st) != 0) return -1;
    return seenset_save(d->grants, st, "arm", "role_grants");
}

static int arm_load(void *self, struct store *st) {
    struct arm_det *d = self;
    char err[256] = "";
    int rc = principals_load(d->prof, st, "arm", err, sizeof err);
    if (rc < 0) return -1;
    if (rc == 1) snprintf(d->state_note, sizeof d->state_note, "%s", err);
    buf b;
    buf_init(&b);
    rc = store_blob_get(st, "arm", "custom_roles", &b);
    if (rc < 0) { buf_free(&b); return -1; }
    if (rc == 1 && !read_roles(d, b.p, b.n)) {
        d->n_roles = 0;
        snprintf(d->state_note, sizeof d->state_note,
                 "the saved custom role definitions could not be read; they are learned again");
    }
    buf_free(&b);
    return seenset_load(d->grants, st, "arm", "role_grants") < 0 ? -1 : 0;
}

static void arm_report(void *self, buf *out) {
    struct arm_det *d = self;
    if (d->state_note[0]) buf_printf(out, "  arm: %s\n", d->state_note);
    if (!d->records) return;
    buf_printf(out,
               "  arm: %" PRIu64 " activity records, %" PRIu64 " operations analysed (%" PRIu64
               " start/outcome pairs joined, %" PRIu64 " starts without an outcome), %" PRIu64
               " failed operations ignored, %" PRIu64 " persistence-capable\n",
               d->records, d->ops, arm_pair_paired(d->pair), arm_pair_unpaired(d->pair), d->failed,
               d->persistence_ops);
    buf_printf(out, "  arm: %zu principals profiled (%" PRIu64 " forgotten at the cap), %zu custom roles known\n",
               principals_count(d->prof), principals_evicted(d->prof), d->n_roles);
    if (d->no_principal)
        buf_printf(out, "  arm: %" PRIu64 " records name no principal (health, policy or service events)\n",
                   d->no_principal);
    if (!d->reads)
        buf_puts(out, "  arm: no read operations in the input: arm.toolkit.azurite cannot fire (the activity log "
                      "records only writes, deletes and actions; it needs a source that logs reads)\n");
    if (d->unknown_role_assignments)
        buf_printf(out, "  arm: %" PRIu64 " role assignments name a role that is neither built in nor seen defined: "
                   "not judged by arm.persistence.custom_role\n", d->unknown_role_assignments);
    if (d->unprivileged_role_assignments)
        buf_printf(out, "  arm: %" PRIu64 " assignments of custom roles without privileged actions not alerted "
                   "(custom_role_only_privileged)\n", d->unprivileged_role_assignments);
    if (d->actors_dropped || d->roles_dropped || arm_pair_overflow(d->pair))
        buf_printf(out, "  arm: caps hit: %" PRIu64 " operations without a window (actors), %" PRIu64
                   " custom roles not kept, %" PRIu64 " starts analysed early\n",
                   d->actors_dropped, d->roles_dropped, arm_pair_overflow(d->pair));
    if (d->cfg->group_arm_location) arm_location_report(d->loc, out);
    else buf_puts(out, "  arm: the arm.location.* group is switched off (groups.arm_location.enabled)\n");
}

const struct detector arm_detector = {
    .name = "arm",
    .layers = LAYER_MGMT,
    .create = arm_create,
    .destroy = arm_destroy,
    .on_event = arm_on_event,
    .on_tick = arm_on_tick,
    .on_end = arm_on_end,
    .load = arm_load,
    .save = arm_save,
    .report = arm_report,
};
