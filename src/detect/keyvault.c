/* The Key Vault layer: AuditEvent analytics (research/detections.md
 * section 5, docs/KEYVAULT.md).
 *
 *   record -> successful, not trusted -> vault profile (state/vault.c)
 *          -> TOR, policy change then reads, list then gets, unusual
 *             members, sensitive operations, identity's vaults per day
 *          -> at each closed hour: the vault's operation mix and volume
 *             against its history
 *
 * Everything is measured on event time and learned per vault: a vault's
 * first learning_period of records teaches who uses it and how, and alerts
 * about "unusual" come only after. What is learned is saved in the store. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "detect/detector.h"
#include "enrich/intel.h"
#include "state/hourly.h"
#include "state/ptable.h"
#include "state/seen.h"
#include "state/vault.h"
#include "store/store.h"
#include "util/blob.h"
#include "util/hash.h"
#include "util/timeutil.h"

#define KEY_MAX 256
#define MAX_PENDING_POLICY 1024         /* policy changes waiting for reads */
#define MAX_LIST_WINDOWS 4096           /* (vault, identity) list-then-get windows open */
#define LIST_MAX_SECRETS 256            /* distinct secrets counted per window */
#define DAY_MAX_VAULTS 64               /* vaults counted per identity and day */
#define VOLUME_BUSY_PERCENTILE 95
#define VOLUME_BUSY_MARGIN 150

struct policy_change {
    uint64_t vault_h;
    char vault[64];
    char identity[KEY_MAX];
    char added[KEY_MAX];                /* the ObjectId the change added, "" none */
    char what[160];                     /* for the description */
    int64_t t_us;
    struct source_pos pos;
    bool self_grant;
};

struct list_window {
    uint64_t h;                         /* hash of vault + identity */
    char key[KEY_MAX + 72];             /* "vault\x1fidentity" for the peak set */
    int64_t t_list_us;
    struct source_pos pos;
    uint32_t n;
    uint64_t secrets[LIST_MAX_SECRETS];
    bool alerted;
};

struct day_vault { uint64_t h; uint32_t ops; char name[48]; };

struct identity_day {
    uint64_t h;
    char key[KEY_MAX];
    int64_t last_us;
    char display[128];
    int64_t day;
    uint32_t n, distinct;               /* vaults seen, vaults with >= 2 operations */
    struct day_vault vaults[DAY_MAX_VAULTS];
    bool alerted;
    struct source_pos pos;
};

struct kv_det {
    const struct vigil_config *cfg;
    struct vaults *vaults;
    struct seenset *members;            /* "vault\x1fu\x1fuser", "...\x1fa\x1fapp", "...\x1fp\x1fuser\x1fapp" */
    struct seenset *sequences;          /* vault\x1fidentity that changed a policy then read */
    struct seenset *list_peaks;         /* vault\x1fidentity -> most secrets read after a list */
    struct seenset *busiest;            /* identity -> most vaults in a day */
    struct policy_change pending[MAX_PENDING_POLICY];
    uint32_t n_pending;
    struct ptable windows;              /* struct list_window *, by vault + identity */
    struct ptable days;                 /* struct identity_day *, by identity: today's vaults */
    int64_t history_start_us;
    int64_t last_sweep_us;
    struct detect_ctx *ctx;
    char state_note[256];
    uint64_t records, denied, trusted, no_vault, judged, learning, data_ops, hours_judged;
    uint64_t windows_dropped, days_dropped, pending_dropped;
};

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p) { fputs("vigil: out of memory\n", stderr); abort(); }
    return p;
}

static void copy_cstr(char *dst, size_t cap, vstr s) {
    size_t n = s.n < cap - 1 ? s.n : cap - 1;
    if (n) memcpy(dst, s.p, n);
    dst[n] = '\0';
}

static bool list_has_ci(const struct strlist *l, vstr s) {
    for (size_t i = 0; i < l->n; i++)
        if (vstr_eq_ci(s, vstr_c(l->v[i]))) return true;
    return false;
}

/* Case-insensitive membership; an entry ending in '*' is a prefix. */
static bool list_match_op(const struct strlist *l, vstr op) {
    for (size_t i = 0; i < l->n; i++) {
        const char *e = l->v[i];
        size_t n = strlen(e);
        if (n && e[n - 1] == '*') {
            if (op.n >= n - 1 && vstr_eq_ci((vstr){ op.p, n - 1 }, (vstr){ e, n - 1 })) return true;
        } else if (vstr_eq_ci(op, (vstr){ e, n })) {
            return true;
        }
    }
    return false;
}

static uint64_t hash_key(vstr a, vstr b) {
    uint64_t h = hash_vstr(a, UINT64_C(0x4b56));
    return hash_mix(h ^ hash_vstr(b, h)) | 1;
}

/* ---- the operation as analysed --------------------------------------------- */

struct kv_view {
    const struct event *ev;
    const struct kv_op *op;
    int64_t t_us;
    vstr identity;                      /* oid, else upn, else appid */
    vstr display;                       /* upn, else name, else identity */
    bool is_user;
    vstr app;
    struct vault *vault;
    bool learning;                      /* the vault's history is shorter than the learning period */
    bool data_op;
};

static vstr identity_of(const struct kv_op *op) {
    vstr k = op->object_id.n ? op->object_id : op->upn.n ? op->upn : op->appid;
    if (k.n > KEY_MAX - 1) k.n = KEY_MAX - 1;
    return k;
}

static struct alert *kv_alert(const char *type, const struct kv_view *w) {
    struct alert *a = alert_new(type, w->ev);
    vstr vault = { w->vault->key, w->vault->key_len };
    alert_entity(a, vault);
    alert_entity_str(a, "resource", vault);
    alert_var(a, "vault", vault);
    alert_var(a, "identity", w->display.n ? w->display : VSTR("an unnamed identity"));
    alert_var(a, "ip", w->op->caller_ip_text.n ? w->op->caller_ip_text : VSTR("an unknown address"));
    alert_var(a, "app", w->app.n ? w->app : VSTR("(none)"));
    alert_entity_str(a, "account", w->display);
    if (w->identity.n) alert_entity_str(a, "account_id", w->identity);
    if (w->op->caller_ip_text.n) alert_entity_strs(a, "ip", &w->op->caller_ip_text, 1);
    if (w->app.n) alert_prop_str(a, "appid", w->app);
    if (w->op->client_info.n) alert_prop_str(a, "client_info", w->op->client_info);
    return a;
}

static void op_evidence(struct alert *a, const struct kv_view *w) {
    char s[320];
    const struct kv_op *op = w->op;
    snprintf(s, sizeof s, "%.*s %d on %.*s%s%.*s by %.*s from %.*s", (int)(op->operation.n > 40 ? 40 : op->operation.n),
             op->operation.p, (int)op->http_status, (int)(op->vault.n > 64 ? 64 : op->vault.n), op->vault.p,
             op->object_name.n ? " " : "", (int)(op->object_name.n > 64 ? 64 : op->object_name.n), op->object_name.p,
             (int)(w->display.n > 80 ? 80 : w->display.n), w->display.p,
             (int)(op->caller_ip_text.n > 45 ? 45 : op->caller_ip_text.n), op->caller_ip_text.p);
    alert_evidence(a, w->ev, vstr_c(s));
}

static void days_text(int64_t us, char *out, size_t cap) { snprintf(out, cap, "%" PRId64, us / US_PER_DAY); }

/* ---- kv.access.tor ------------------------------------------------------------ */

static void check_tor(struct kv_det *d, const struct kv_view *w) {
    if (!w->op->has_ip) return;
    const struct intel_hit *hit = intel_lookup(d->ctx->intel, &w->op->caller_ip, INTEL_TOR, w->t_us);
    if (!hit) return;
    struct alert *a = kv_alert("kv.access.tor", w);
    alert_var(a, "count", VSTR("1"));
    alert_var(a, "operations", w->op->operation);
    alert_prop_str(a, "operation", w->op->operation);
    char src[600];
    snprintf(src, sizeof src, "%s:%" PRIu64, hit->source, hit->line);
    alert_prop_str(a, "intel_tor", vstr_c(src));
    op_evidence(a, w);
    alert_emit(d->ctx->alerts, a);
}

/* ---- kv.policy_change.secret_query ---------------------------------------------- */

static bool is_op(vstr op, const char *name) { return vstr_eq_ci(op, vstr_c(name)); }

static void note_policy_change(struct kv_det *d, const struct kv_view *w) {
    const struct kv_op *op = w->op;
    if (!(is_op(op->operation, "VaultPut") || is_op(op->operation, "VaultPatch"))) return;
    if (!op->added.present && op->enable_rbac != 0) return;
    if (d->n_pending == MAX_PENDING_POLICY) {     /* drop the oldest */
        memmove(d->pending, d->pending + 1, (MAX_PENDING_POLICY - 1) * sizeof *d->pending);
        d->n_pending--;
        d->pending_dropped++;
    }
    struct policy_change *p = &d->pending[d->n_pending++];
    memset(p, 0, sizeof *p);
    p->vault_h = w->vault->hash;
    copy_cstr(p->vault, sizeof p->vault, (vstr){ w->vault->key, w->vault->key_len });
    copy_cstr(p->identity, sizeof p->identity, w->identity);
    if (op->added.present) copy_cstr(p->added, sizeof p->added, op->added.object_id);
    p->self_grant = op->added.present && op->added.object_id.n && vstr_eq_ci(op->added.object_id, w->identity);
    if (op->added.present)
        snprintf(p->what, sizeof p->what, "%s access policy for %.*s with secret permissions %" PRIu32,
                 p->self_grant ? "added itself an" : "added an", (int)(op->added.object_id.n > 64 ? 64 : op->added.object_id.n),
                 op->added.object_id.p, op->added.n_secrets);
    else
        snprintf(p->what, sizeof p->what, "switched the vault from RBAC to access policies");
    p->t_us = w->t_us;
    p->pos = w->ev->pos;
}

static void check_policy_then_read(struct kv_det *d, const struct kv_view *w) {
    const struct vigil_config *cfg = d->cfg;
    if (!(is_op(w->op->operation, "SecretGet") || is_op(w->op->operation, "SecretList"))) return;
    for (uint32_t i = 0; i < d->n_pending; i++) {
        struct policy_change *p = &d->pending[i];
        if (p->vault_h != w->vault->hash || w->t_us - p->t_us > cfg->keyvault.policy_window_us || w->t_us < p->t_us)
            continue;
        vstr changer = vstr_c(p->identity);
        if (!vstr_eq_ci(changer, w->identity) && !(p->added[0] && vstr_eq_ci(vstr_c(p->added), w->identity))) continue;
        char key[KEY_MAX + 72];
        int n = snprintf(key, sizeof key, "%s\x1f%s", p->vault, p->identity);
        bool fresh;
        seenset_touch(d->sequences, (vstr){ key, (size_t)(n < (int)sizeof key ? n : (int)sizeof key - 1) }, w->t_us,
                      &fresh);
        if (fresh && !w->learning) {
            struct alert *a = kv_alert("kv.policy_change.secret_query", w);
            alert_var(a, "policy_change", vstr_c(p->what));
            char win[32], cnt[16];
            duration_format(w->t_us - p->t_us, win, sizeof win);
            alert_var(a, "window", vstr_c(win));
            snprintf(cnt, sizeof cnt, "%d", 1);
            alert_var(a, "count", vstr_c(cnt));
            alert_prop_str(a, "policy_changed_by", changer);
            if (p->added[0]) alert_prop_str(a, "added_object_id", vstr_c(p->added));
            alert_prop_bool(a, "self_grant", p->self_grant);
            alert_prop_int(a, "seconds_after_change", (w->t_us - p->t_us) / US_PER_SEC);
            struct event chg = { .time_us = p->t_us, .layer = LAYER_KEYVAULT, .kind = EV_KV_OP, .pos = p->pos };
            alert_evidence(a, &chg, vstr_c(p->what));
            op_evidence(a, w);
            alert_emit(d->ctx->alerts, a);
        }
        /* consumed: one change, one alert */
        memmove(p, p + 1, (d->n_pending - i - 1) * sizeof *p);
        d->n_pending--;
        return;
    }
}

/* ---- kv.secret_list.secret_gets ---------------------------------------------------- */

static uint64_t lw_hash(const void *e) { return ((const struct list_window *)e)->h; }
static int64_t lw_last(const void *e) { return ((const struct list_window *)e)->t_list_us; }
static bool lw_matches(const void *e, const void *key) { return ((const struct list_window *)e)->h == *(const uint64_t *)key; }
static void lw_free(void *e) { free(e); }
static const struct ptable_ops window_ops = { lw_hash, lw_last, lw_matches, lw_free };

/* Windows are told apart by their 64-bit hash alone: a collision between
 * two (vault, identity) pairs could only merge two windows' counts. */
static struct list_window *window_slot(struct kv_det *d, uint64_t h, bool create) {
    struct list_window *lw = ptable_find(&d->windows, h, &h);
    if (lw || !create) return lw;
    lw = xcalloc(1, sizeof *lw);
    lw->h = h;
    if (ptable_size(&d->windows) >= d->windows.max) d->windows_dropped++;   /* the oldest goes */
    ptable_insert(&d->windows, lw, h);
    return lw;
}

/* A window's size becomes part of the identity's normal on this vault. */
static void close_window(struct kv_det *d, struct list_window *lw) {
    if (lw->n) seenset_touch_max(d->list_peaks, vstr_c(lw->key), lw->t_list_us, lw->n);
    lw->n = 0;
    lw->alerted = false;
}

static void check_list_gets(struct kv_det *d, const struct kv_view *w) {
    const struct vigil_config *cfg = d->cfg;
    vstr vault = { w->vault->key, w->vault->key_len };
    uint64_t h = hash_key(vault, w->identity);
    if (is_op(w->op->operation, "SecretList") || is_op(w->op->operation, "SecretListVersions")) {
        struct list_window *lw = window_slot(d, h, true);
        if (!lw) return;
        if (lw->key[0]) close_window(d, lw);
        snprintf(lw->key, sizeof lw->key, "%.*s\x1f%.*s", (int)vault.n, vault.p, (int)w->identity.n, w->identity.p);
        lw->t_list_us = w->t_us;
        lw->pos = w->ev->pos;
        return;
    }
    if (!is_op(w->op->operation, "SecretGet") || !w->op->object_name.n) return;
    struct list_window *lw = window_slot(d, h, false);
    if (!lw || !lw->key[0] || w->t_us - lw->t_list_us > cfg->keyvault.list_window_us) return;
    uint64_t sh = hash_vstr(w->op->object_name, 7) | 1;
    for (uint32_t i = 0; i < lw->n; i++)
        if (lw->secrets[i] == sh) return;
    if (lw->n < LIST_MAX_SECRETS) lw->secrets[lw->n++] = sh;
    if (lw->alerted || w->learning || lw->n < cfg->keyvault.list_min_secrets) return;
    const struct seen_entry *peak = seenset_get(d->list_peaks, vstr_c(lw->key));
    int64_t before = peak ? peak->count : 0;
    if ((int64_t)lw->n <= before) return;
    lw->alerted = true;
    struct alert *a = kv_alert("kv.secret_list.secret_gets", w);
    char cnt[16], win[32], base[48];
    snprintf(cnt, sizeof cnt, "%" PRIu32, lw->n);
    alert_var(a, "count", vstr_c(cnt));
    duration_format(w->t_us - lw->t_list_us, win, sizeof win);
    alert_var(a, "window", vstr_c(win));
    snprintf(base, sizeof base, "%" PRId64 " secrets", before);
    alert_var(a, "baseline", vstr_c(base));
    alert_prop_int(a, "distinct_secrets", lw->n);
    alert_prop_int(a, "largest_before", before);
    alert_prop_int(a, "threshold", cfg->keyvault.list_min_secrets);
    struct event lst = { .time_us = lw->t_list_us, .layer = LAYER_KEYVAULT, .kind = EV_KV_OP, .pos = lw->pos };
    alert_evidence(a, &lst, VSTR("SecretList that opened the window"));
    op_evidence(a, w);
    alert_emit(d->ctx->alerts, a);
}

/* ---- kv.unusual.* ------------------------------------------------------------------- */

/* Record the member at t; whether it was known within the look-back before. */
static bool member_seen(struct kv_det *d, const char *key, int n, int64_t t_us, int64_t since_us) {
    int64_t prev;
    seenset_touch_prev(d->members, (vstr){ key, (size_t)n }, t_us, &prev);
    return prev != INT64_MIN && prev >= since_us;
}

static void check_members(struct kv_det *d, const struct kv_view *w) {
    const struct vigil_config *cfg = d->cfg;
    char ku[KEY_MAX + 80], ka[KEY_MAX + 80], kp[2 * KEY_MAX + 80];
    vstr vault = { w->vault->key, w->vault->key_len };
    int nu = w->is_user ? snprintf(ku, sizeof ku, "%.*s\x1fu\x1f%.*s", (int)vault.n, vault.p, (int)w->identity.n,
                                   w->identity.p)
                        : 0;
    int na = w->app.n ? snprintf(ka, sizeof ka, "%.*s\x1f" "a\x1f%.*s", (int)vault.n, vault.p, (int)w->app.n,
                                 w->app.p)
                      : 0;
    int np = nu && na ? snprintf(kp, sizeof kp, "%.*s\x1fp\x1f%.*s\x1f%.*s", (int)vault.n, vault.p,
                                 (int)w->identity.n, w->identity.p, (int)w->app.n, w->app.p)
                      : 0;
    nu = nu < (int)sizeof ku ? nu : (int)sizeof ku - 1;
    na = na < (int)sizeof ka ? na : (int)sizeof ka - 1;
    np = np < (int)sizeof kp ? np : (int)sizeof kp - 1;
    int64_t since = w->t_us - cfg->keyvault.lookback_us;
    bool user_known = !nu || member_seen(d, ku, nu, w->t_us, since);
    bool app_known = !na || member_seen(d, ka, na, w->t_us, since);
    bool pair_known = !np || member_seen(d, kp, np, w->t_us, since);
    if (!w->learning) {
        const char *type = NULL;
        if (!user_known) type = "kv.unusual.user";
        else if (!app_known) type = "kv.unusual.app";
        else if (!pair_known) type = "kv.unusual.user_app_pair";
        if (type) {
            struct alert *a = kv_alert(type, w);
            char days[24];
            days_text(cfg->keyvault.lookback_us, days, sizeof days);
            alert_var(a, "lookback_days", vstr_c(days));
            alert_var(a, "operations", w->op->operation);
            alert_prop_str(a, "operation", w->op->operation);
            char hist[24];
            days_text(w->t_us - w->vault->first_us, hist, sizeof hist);
            alert_prop_str(a, "vault_history_days", vstr_c(hist));
            alert_prop_int(a, "vault_operations_before", (int64_t)w->vault->ops);
            op_evidence(a, w);
            alert_emit(d->ctx->alerts, a);
        }
    }
}

/* ---- kv.unusual.operation_pattern: a sensitive operation new to the vault --------- */

static bool in_hour_mix(const struct vault *v, vstr op) {
    for (uint32_t i = 0; i < v->n_hour_mix; i++)
        if (vstr_eq_ci(vstr_c(v->hour_mix[i].name), op)) return true;
    return false;
}

static void check_sensitive(struct kv_det *d, const struct kv_view *w) {
    const struct vigil_config *cfg = d->cfg;
    if (w->learning || !list_match_op(&cfg->keyvault.sensitive_operations, w->op->operation)) return;
    if (vault_mix_count(w->vault, w->op->operation) || in_hour_mix(w->vault, w->op->operation)) return;
    struct alert *a = kv_alert("kv.unusual.operation_pattern", w);
    char days[24];
    days_text(w->t_us - w->vault->first_us, days, sizeof days);
    alert_var(a, "lookback_days", vstr_c(days));
    char ops[160];
    snprintf(ops, sizeof ops, "%.*s, never seen on this vault before", (int)(w->op->operation.n > 60 ? 60 : w->op->operation.n),
             w->op->operation.p);
    alert_var(a, "operations", vstr_c(ops));
    alert_prop_str(a, "new_sensitive_operation", w->op->operation);
    alert_prop_int(a, "vault_operations_before", (int64_t)w->vault->ops);
    op_evidence(a, w);
    alert_emit(d->ctx->alerts, a);
}

/* ---- kv.user.many_vaults --------------------------------------------------------------- */

static int64_t day_of(int64_t t_us) { return t_us / US_PER_DAY; }

static uint64_t day_hash(const void *e) { return ((const struct identity_day *)e)->h; }
static int64_t day_last(const void *e) { return ((const struct identity_day *)e)->last_us; }
static bool day_matches(const void *e, const void *key) {
    const struct identity_day *s = e;
    const vstr *k = key;
    return strlen(s->key) == k->n && memcmp(s->key, k->p, k->n) == 0;
}
static void day_free(void *e) { free(e); }
static const struct ptable_ops day_ops = { day_hash, day_last, day_matches, day_free };

static struct identity_day *day_slot(struct kv_det *d, vstr identity, int64_t t_us) {
    uint64_t h = hash_vstr(identity, UINT64_C(0x444159)) | 1;
    struct identity_day *s = ptable_find(&d->days, h, &identity);
    if (!s) {
        s = xcalloc(1, sizeof *s);
        s->h = h;
        copy_cstr(s->key, sizeof s->key, identity);
        s->day = INT64_MIN;
        if (ptable_size(&d->days) >= d->days.max) d->days_dropped++;
        ptable_insert(&d->days, s, h);
    }
    if (t_us > s->last_us) s->last_us = t_us;
    return s;
}

static void close_day(struct kv_det *d, struct identity_day *s) {
    if (s->day != INT64_MIN && s->distinct)
        seenset_touch_max(d->busiest, vstr_c(s->key), s->day * US_PER_DAY, s->distinct);
    s->day = INT64_MIN;
    s->n = s->distinct = 0;
    s->alerted = false;
}

/* The busiest day of a typical identity: the median over every other
 * identity's busiest day. Computed only when a day crosses the floor,
 * which is rare, so a walk of the set is affordable. */
struct peer_walk { vstr skip; int64_t *v; size_t n, cap; };

static void collect_peer(void *ud, const struct seen_entry *e) {
    struct peer_walk *pw = ud;
    if (vstr_eq(e->key, pw->skip) || pw->n == pw->cap) return;
    pw->v[pw->n++] = e->count;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int64_t peer_busiest_median(struct kv_det *d, vstr identity) {
    struct peer_walk pw = { identity, NULL, 0, seenset_size(d->busiest) };
    if (!pw.cap) return 0;
    pw.v = xcalloc(pw.cap, sizeof *pw.v);
    seenset_each(d->busiest, collect_peer, &pw);
    int64_t m = 0;
    if (pw.n) {
        qsort(pw.v, pw.n, sizeof *pw.v, cmp_i64);
        m = pw.v[pw.n / 2];
    }
    free(pw.v);
    return m;
}

static void check_many_vaults(struct kv_det *d, const struct kv_view *w) {
    const struct vigil_config *cfg = d->cfg;
    if (w->identity.n >= KEY_MAX) return;
    struct identity_day *s = day_slot(d, w->identity, w->t_us);
    int64_t day = day_of(w->t_us);
    if (s->day != day) {
        if (day < s->day) return;                     /* a late record of a closed day */
        close_day(d, s);
        s->day = day;
    }
    copy_cstr(s->display, sizeof s->display, w->display);
    struct day_vault *dv = NULL;
    for (uint32_t i = 0; i < s->n; i++)
        if (s->vaults[i].h == w->vault->hash) { dv = &s->vaults[i]; break; }
    if (!dv) {
        if (s->n == DAY_MAX_VAULTS) return;
        dv = &s->vaults[s->n++];
        dv->h = w->vault->hash;
        copy_cstr(dv->name, sizeof dv->name, (vstr){ w->vault->key, w->vault->key_len });
        dv->ops = 0;
    }
    /* two operations make a vault count: one is an ARM listing's touch */
    if (++dv->ops == 2) s->distinct++;
    if (s->alerted || s->distinct < cfg->keyvault.many_vaults_min) return;
    if (d->history_start_us == TIME_NONE || w->t_us - d->history_start_us < cfg->keyvault.learning_period_us) return;
    const struct seen_entry *b = seenset_get(d->busiest, w->identity);
    int64_t own = b ? b->count : 0;
    int64_t peers = peer_busiest_median(d, w->identity);
    int64_t busiest = own > peers ? own : peers;
    if ((int64_t)s->distinct * 100 <= busiest * (int64_t)cfg->keyvault.many_vaults_factor) return;
    s->alerted = true;
    struct alert *a = alert_new("kv.user.many_vaults", w->ev);
    vstr who = w->display.n ? w->display : w->identity;
    alert_entity(a, who);
    alert_entity_str(a, "account", who);
    alert_entity_str(a, "account_id", w->identity);
    alert_var(a, "identity", who);
    char cnt[16], base[96], thr[48];
    snprintf(cnt, sizeof cnt, "%" PRIu32, s->distinct);
    alert_var(a, "count", vstr_c(cnt));
    alert_var(a, "window", VSTR("one day"));
    snprintf(base, sizeof base, "busiest earlier day %" PRId64 " vaults, %" PRId64 " for a typical identity", own,
             peers);
    alert_var(a, "baseline", vstr_c(base));
    int64_t t1 = busiest * (int64_t)cfg->keyvault.many_vaults_factor / 100 + 1;
    if (t1 < cfg->keyvault.many_vaults_min) t1 = cfg->keyvault.many_vaults_min;
    snprintf(thr, sizeof thr, "%" PRId64 " vaults", t1);
    alert_var(a, "threshold", vstr_c(thr));
    buf names;
    buf_init(&names);
    for (uint32_t i = 0; i < s->n; i++) {
        if (s->vaults[i].ops < 2) continue;
        if (names.n) buf_puts(&names, ", ");
        buf_puts(&names, s->vaults[i].name);
    }
    alert_var(a, "vaults", buf_vstr(&names));
    alert_prop_str(a, "vaults", buf_vstr(&names));
    buf_free(&names);
    alert_prop_int(a, "vaults_today", s->distinct);
    alert_prop_int(a, "busiest_earlier_day", own);
    alert_prop_int(a, "peers_median_busiest_day", peers);
    op_evidence(a, w);
    alert_emit(d->ctx->alerts, a);
}

/* ---- closed hours: operation mix and volume ---------------------------------------------- */

static void hour_event(const struct vault *v, struct event *ev) {
    memset(ev, 0, sizeof *ev);
    ev->time_us = us_of_hour(v->hour);
    ev->layer = LAYER_KEYVAULT;
    ev->kind = EV_KV_OP;
    ev->pos = v->hour_pos;
}

static const char *top_identity(const struct vault *v) {
    const struct vault_hour_id *top = NULL;
    for (uint32_t i = 0; i < v->n_hour_ids; i++)
        if (!top || v->hour_ids[i].count > top->count) top = &v->hour_ids[i];
    return top ? top->name : "(unknown)";
}

static void hour_alert_common(struct alert *a, const struct vault *v, const struct event *ev) {
    vstr vault = { v->key, v->key_len };
    alert_entity(a, vault);
    alert_entity_str(a, "resource", vault);
    alert_var(a, "vault", vault);
    alert_var(a, "identity", vstr_c(top_identity(v)));
    alert_var(a, "ip", VSTR("several addresses"));
    buf b;
    buf_init(&b);
    buf_putc(&b, '{');
    for (uint32_t i = 0; i < v->n_hour_mix; i++)
        buf_printf(&b, "%s\"%s\":%" PRIu64, i ? "," : "", v->hour_mix[i].name[0] ? v->hour_mix[i].name : "other",
                   v->hour_mix[i].count);
    buf_putc(&b, '}');
    alert_prop_raw(a, "hour_operations", buf_vstr(&b));
    buf_clear(&b);
    buf_putc(&b, '{');
    for (uint32_t i = 0; i < v->n_hour_ids; i++) {
        if (i) buf_putc(&b, ',');
        buf_json_cstr(&b, v->hour_ids[i].name);
        buf_printf(&b, ":%" PRIu32, v->hour_ids[i].count);
    }
    buf_putc(&b, '}');
    alert_prop_raw(a, "hour_identities", buf_vstr(&b));
    buf_free(&b);
    if (ev->pos.input) alert_evidence(a, ev, VSTR("first record of the hour"));
}

static void judge_pattern(struct kv_det *d, const struct vault *v, const struct event *ev) {
    const struct vigil_config *cfg = d->cfg;
    if (v->hour_ops < cfg->keyvault.pattern_min_ops) return;
    double dist = vault_hour_distance(v);
    if (dist < 0 || dist * 100 < cfg->keyvault.pattern_distance) return;
    struct alert *a = alert_new("kv.unusual.operation_pattern", ev);
    hour_alert_common(a, v, ev);
    char days[24];
    days_text(ev->time_us - v->first_us, days, sizeof days);
    alert_var(a, "lookback_days", vstr_c(days));
    buf ops;
    buf_init(&ops);
    for (uint32_t i = 0; i < v->n_hour_mix; i++) {
        const struct vault_op_count *c = &v->hour_mix[i];
        if (ops.n) buf_puts(&ops, ", ");
        buf_printf(&ops, "%s x%" PRIu64 " (before: %" PRIu64 ")", c->name[0] ? c->name : "other", c->count,
                   vault_mix_count(v, (vstr){ c->name, strlen(c->name) }));
    }
    alert_var(a, "operations", buf_vstr(&ops));
    buf_free(&ops);
    alert_prop_num(a, "distance", round(dist * 1000) / 1000);
    alert_prop_num(a, "threshold", cfg->keyvault.pattern_distance / 100.0);
    alert_prop_int(a, "hour_total", v->hour_ops);
    alert_emit(d->ctx->alerts, a);
}

/* The busiest of this hour of day over the history's days. */
static uint32_t same_hour_peak(const struct vault *v) {
    uint32_t peak = 0;
    struct u32vec one = { 0 };
    for (int32_t h = v->hour - 24; h >= v->hour - VAULT_HISTORY_HOURS; h -= 24) {
        one.n = 0;
        hourly_values(&v->volume, 0, h, h + 1, &one);
        for (size_t i = 0; i < one.n; i++)
            if (one.v[i] > peak) peak = one.v[i];
    }
    u32vec_free(&one);
    return peak;
}

static void judge_volume(struct kv_det *d, const struct vault *v, const struct event *ev) {
    const struct vigil_config *cfg = d->cfg;
    struct u32vec vals = { 0 };
    int32_t from = v->hour - VAULT_HISTORY_HOURS;
    size_t n = hourly_values(&v->volume, 0, from, v->hour, &vals);
    uint32_t observed = hourly_observed(&v->volume, from, v->hour);
    /* the idle hours since the last closed one are zeros too */
    if (v->last_closed_hour != INT32_MIN && v->hour - v->last_closed_hour > 1)
        observed += (uint32_t)(v->hour - v->last_closed_hour - 1);
    uint64_t zeros = observed > n ? observed - n : 0;
    struct robust r = robust_stats(vals.v, n, zeros, VOLUME_BUSY_PERCENTILE);
    u32vec_free(&vals);
    uint32_t thr = robust_threshold(&r, cfg->keyvault.volume_score_k, VOLUME_BUSY_MARGIN, cfg->keyvault.volume_min_ops);
    if (v->hour_ops < thr) return;
    /* A job that runs at the same hour every night is a few percent of the
     * hours, below the busy-hour percentile: the same hour of earlier days
     * is its baseline. */
    uint32_t same_hour = same_hour_peak(v);
    if ((uint64_t)v->hour_ops * 100 <= (uint64_t)same_hour * VOLUME_BUSY_MARGIN) return;
    struct alert *a = alert_new("kv.volume.high", ev);
    hour_alert_common(a, v, ev);
    char cnt[16], base[96], th[16];
    snprintf(cnt, sizeof cnt, "%" PRIu32, v->hour_ops);
    alert_var(a, "count", vstr_c(cnt));
    alert_var(a, "window", VSTR("one hour"));
    snprintf(base, sizeof base, "median %.0f operations an hour, %u in its busy hours, over %" PRIu64 " hours",
             r.median, r.busy, r.n);
    alert_var(a, "baseline", vstr_c(base));
    snprintf(th, sizeof th, "%" PRIu32, thr);
    alert_var(a, "threshold", vstr_c(th));
    alert_prop_int(a, "count", v->hour_ops);
    alert_prop_num(a, "median", r.median);
    alert_prop_num(a, "mad", r.mad);
    alert_prop_int(a, "busy_hour", r.busy);
    alert_prop_int(a, "history_hours", (int64_t)r.n);
    alert_prop_int(a, "threshold", thr);
    alert_prop_int(a, "same_hour_peak", same_hour);
    alert_emit(d->ctx->alerts, a);
}

/* Judge the vault's open hour (after its learning period) and fold it in. */
static void close_hour(struct kv_det *d, struct vault *v) {
    if (v->hour == INT32_MIN) return;
    if (us_of_hour(v->hour) - v->first_us >= d->cfg->keyvault.learning_period_us) {
        struct event ev;
        hour_event(v, &ev);
        d->hours_judged++;
        judge_pattern(d, v, &ev);
        judge_volume(d, v, &ev);
    }
    vault_close_hour(v);
}

/* ---- one record ------------------------------------------------------------------------- */

static bool trusted(const struct vigil_config *cfg, const struct kv_op *op) {
    if (op->appid.n && list_has_ci(&cfg->keyvault.trusted_apps, op->appid)) return true;
    const struct strlist *l = &cfg->keyvault.trusted_identities;
    return l->n && (list_has_ci(l, op->object_id) || list_has_ci(l, op->upn));
}

static void kv_on_event(void *self, const struct event *ev, struct detect_ctx *ctx) {
    struct kv_det *d = self;
    if (ev->kind != EV_KV_OP) return;
    d->ctx = ctx;
    d->records++;
    const struct kv_op *op = ev->u.kv;
    if (!op->success) { d->denied++; return; }
    if (trusted(d->cfg, op)) { d->trusted++; return; }
    if (!op->vault.n) { d->no_vault++; return; }
    struct kv_view w = { .ev = ev, .op = op, .t_us = ev->time_us };
    w.identity = identity_of(op);
    w.display = op->upn.n ? op->upn : op->name.n ? op->name : w.identity;
    w.is_user = op->upn.n || op->principal_kind == MGMT_PRINCIPAL_USER;
    w.app = op->appid;
    w.vault = vaults_touch(d->vaults, op->vault, NULL);
    if (w.vault->hour != INT32_MIN && hour_of_us(ev->time_us) > w.vault->hour) close_hour(d, w.vault);
    w.learning = w.vault->first_us == TIME_NONE || ev->time_us - w.vault->first_us < d->cfg->keyvault.learning_period_us;
    w.data_op = list_match_op(&d->cfg->keyvault.data_operations, op->operation);
    if (d->history_start_us == TIME_NONE || ev->time_us < d->history_start_us) d->history_start_us = ev->time_us;
    d->judged++;
    if (w.learning) d->learning++;

    check_tor(d, &w);
    if (w.identity.n) {
        check_policy_then_read(d, &w);
        note_policy_change(d, &w);
        check_list_gets(d, &w);
        if (w.data_op) {
            d->data_ops++;
            check_members(d, &w);
            check_many_vaults(d, &w);
        }
    }
    check_sensitive(d, &w);
    if (w.vault->hour == INT32_MIN) w.vault->hour_pos = ev->pos;
    vault_note_op(w.vault, op->operation, w.display, ev->time_us);
}

/* ---- time ---------------------------------------------------------------------------------- */

struct sweep { struct kv_det *d; int32_t before_hour; };

static void sweep_vault(void *ud, struct vault *v) {
    struct sweep *s = ud;
    if (v->hour != INT32_MIN && v->hour < s->before_hour) close_hour(s->d, v);
}

struct sweep_time { struct kv_det *d; int64_t closed_until; bool all; };

static bool window_over(void *e, void *ud) {
    struct list_window *lw = e;
    struct sweep_time *st = ud;
    if (!st->all && lw->t_list_us >= st->closed_until - st->d->cfg->keyvault.list_window_us) return false;
    close_window(st->d, lw);
    return true;
}

/* A day over: its count joins the identity's history and the slot goes. */
static bool day_over(void *e, void *ud) {
    struct identity_day *s = e;
    struct sweep_time *st = ud;
    if (!st->all && (s->day == INT64_MIN || (s->day + 1) * US_PER_DAY >= st->closed_until)) return false;
    close_day(st->d, s);
    return true;
}

static void sweep(struct kv_det *d, int64_t watermark_us, bool all) {
    const struct vigil_config *cfg = d->cfg;
    int64_t closed_until = all ? INT64_MAX : watermark_us - cfg->allowed_lateness_us;
    struct sweep s = { d, all ? INT32_MAX : hour_of_us(closed_until) };
    vaults_each(d->vaults, sweep_vault, &s);
    struct sweep_time st = { d, closed_until, all };
    ptable_sweep(&d->windows, window_over, &st);
    ptable_sweep(&d->days, day_over, &st);
    uint32_t keep = 0;
    for (uint32_t i = 0; i < d->n_pending; i++)
        if (!all && d->pending[i].t_us >= closed_until - cfg->keyvault.policy_window_us)
            d->pending[keep++] = d->pending[i];
    d->n_pending = keep;
}

static void kv_on_tick(void *self, int64_t watermark_us, struct detect_ctx *ctx) {
    struct kv_det *d = self;
    d->ctx = ctx;
    if (watermark_us == TIME_NONE || watermark_us - d->last_sweep_us < US_PER_MIN) return;
    d->last_sweep_us = watermark_us;
    sweep(d, watermark_us, false);
}

static void kv_on_end(void *self, struct detect_ctx *ctx) {
    struct kv_det *d = self;
    d->ctx = ctx;
    sweep(d, ctx->watermark_us, true);
}

/* ---- the detector ---------------------------------------------------------------------------- */

static void *kv_create(const struct vigil_config *cfg) {
    struct kv_det *d = xcalloc(1, sizeof *d);
    d->cfg = cfg;
    d->vaults = vaults_new(cfg->keyvault.max_vaults);
    d->members = seenset_new(cfg->keyvault.max_members);
    d->sequences = seenset_new(cfg->keyvault.max_members);
    d->list_peaks = seenset_new(cfg->keyvault.max_members);
    d->busiest = seenset_new(cfg->keyvault.max_identities);
    ptable_init(&d->windows, MAX_LIST_WINDOWS, &window_ops);
    ptable_init(&d->days, cfg->keyvault.max_identities, &day_ops);
    d->history_start_us = TIME_NONE;
    d->last_sweep_us = INT64_MIN / 2;
    return d;
}

static void kv_destroy(void *self) {
    struct kv_det *d = self;
    if (!d) return;
    vaults_free(d->vaults);
    seenset_free(d->members);
    seenset_free(d->sequences);
    seenset_free(d->list_peaks);
    seenset_free(d->busiest);
    ptable_free(&d->windows);
    ptable_free(&d->days);
    free(d);
}

static int kv_save(void *self, struct store *st) {
    struct kv_det *d = self;
    if (vaults_save(d->vaults, st, "keyvault") != 0) return -1;
    if (seenset_save(d->members, st, "keyvault", "members") != 0) return -1;
    if (seenset_save(d->sequences, st, "keyvault", "policy_sequences") != 0) return -1;
    if (seenset_save(d->list_peaks, st, "keyvault", "list_peaks") != 0) return -1;
    if (seenset_save(d->busiest, st, "keyvault", "busiest_day") != 0) return -1;
    buf b;
    buf_init(&b);
    blob_put_i64(&b, d->history_start_us);
    int rc = store_blob_put(st, "keyvault", "history_start", b.p, b.n);
    buf_free(&b);
    return rc < 0 ? -1 : 0;
}

static int kv_load(void *self, struct store *st) {
    struct kv_det *d = self;
    char err[256] = "";
    int rc = vaults_load(d->vaults, st, "keyvault", err, sizeof err);
    if (rc < 0) return -1;
    if (rc == 1) snprintf(d->state_note, sizeof d->state_note, "%s", err);
    if (seenset_load(d->members, st, "keyvault", "members") < 0 ||
        seenset_load(d->sequences, st, "keyvault", "policy_sequences") < 0 ||
        seenset_load(d->list_peaks, st, "keyvault", "list_peaks") < 0 ||
        seenset_load(d->busiest, st, "keyvault", "busiest_day") < 0)
        return -1;
    buf b;
    buf_init(&b);
    rc = store_blob_get(st, "keyvault", "history_start", &b);
    if (rc == 1) {
        struct blob_reader r = blob_reader(b.p, b.n);
        int64_t t = blob_get_i64(&r);
        if (r.ok) d->history_start_us = t;
    }
    buf_free(&b);
    return rc < 0 ? -1 : 0;
}

static void kv_report(void *self, buf *out) {
    struct kv_det *d = self;
    if (d->state_note[0]) buf_printf(out, "  keyvault: %s\n", d->state_note);
    if (!d->records) return;
    buf_printf(out, "  keyvault: %" PRIu64 " records, %" PRIu64 " judged (%" PRIu64 " in a vault's learning period), %"
                    PRIu64 " on secrets/keys/certificates; %" PRIu64 " denied and %" PRIu64
                    " by trusted apps or identities not judged\n",
               d->records, d->judged, d->learning, d->data_ops, d->denied, d->trusted);
    buf_printf(out, "  keyvault: %zu vaults profiled (%" PRIu64 " forgotten at the cap), %" PRIu64 " vault-hours judged\n",
               vaults_count(d->vaults), vaults_evicted(d->vaults), d->hours_judged);
    if (d->no_vault) buf_printf(out, "  keyvault: %" PRIu64 " records name no vault\n", d->no_vault);
    if (d->windows_dropped || d->days_dropped || d->pending_dropped)
        buf_printf(out, "  keyvault: caps hit: %" PRIu64 " list windows, %" PRIu64 " identity-days, %" PRIu64
                   " policy changes not followed\n", d->windows_dropped, d->days_dropped, d->pending_dropped);
}

const struct detector keyvault_detector = {
    .name = "keyvault",
    .layers = LAYER_KEYVAULT,
    .create = kv_create,
    .destroy = kv_destroy,
    .on_event = kv_on_event,
    .on_tick = kv_on_tick,
    .on_end = kv_on_end,
    .load = kv_load,
    .save = kv_save,
    .report = kv_report,
};
