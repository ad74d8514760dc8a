/* Principal profiles and organisation-wide usage (state/principal.h).
 *
 * Both live in bounded pointer tables (state/ptable.h), so a profile handed
 * out does not move when its table grows. The hash seeds are fixed: a
 * replay must evict the same entries and so raise the same alerts. */
#include "state/principal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/ptable.h"
#include "store/store.h"
#include "util/blob.h"
#include "util/buf.h"
#include "util/hash.h"
#include "util/timeutil.h"

#define PRINCIPAL_SEED UINT64_C(0x5052494e)   /* "PRIN" */
#define USAGE_SEED UINT64_C(0x55534147)       /* "USAG" */

#define BLOB_MAGIC "VPR"
#define BLOB_VERSION 1

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p) { fputs("vigil: out of memory\n", stderr); abort(); }
    return p;
}

static char *xstrndup(const char *s, size_t n) {
    char *p = xcalloc(n + 1, 1);
    if (n) memcpy(p, s, n);
    return p;
}

static int64_t day_of(int64_t t_us) {
    return t_us >= 0 ? t_us / US_PER_DAY : -((-t_us + US_PER_DAY - 1) / US_PER_DAY);
}

/* ---- organisation usage entries ----------------------------------------- */

struct usage_key {
    uint8_t kind;                       /* enum usage_kind */
    uint8_t b[16];                      /* address, masked prefix, or country code */
};

struct usage_user {
    uint64_t who;                       /* hash of the principal key, never 0 */
    int64_t last_us;
};

struct usage_entry {
    struct usage_key key;
    uint64_t hash;
    int64_t first_us, last_us;
    int64_t last_day;
    uint32_t days;
    uint32_t n_users;
    struct usage_user users[USAGE_MAX_PRINCIPALS];
};

/* ---- the tables ----------------------------------------------------------- */

struct principals {
    struct ptable prof;                 /* struct principal * */
    struct ptable use;                  /* struct usage_entry * */
    int64_t history_start_us;
    uint64_t app_replaced, country_replaced;
};

static uint64_t principal_hash(vstr key) { return hash_vstr(key, PRINCIPAL_SEED) | 1; }

static uint64_t usage_hash(const struct usage_key *k) { return hash_bytes(k, sizeof *k, USAGE_SEED) | 1; }

static uint64_t prof_hash_of(const void *e) { return ((const struct principal *)e)->hash; }
static uint64_t use_hash_of(const void *e) { return ((const struct usage_entry *)e)->hash; }

static bool prof_matches(const void *e, const void *key) {
    const struct principal *p = e;
    const vstr *k = key;
    return p->key_len == k->n && (k->n == 0 || memcmp(p->key, k->p, k->n) == 0);
}

static bool use_matches(const void *e, const void *key) {
    return memcmp(&((const struct usage_entry *)e)->key, key, sizeof(struct usage_key)) == 0;
}

/* ---- principals ------------------------------------------------------------ */

static int64_t prof_last(const void *e) { return ((const struct principal *)e)->last_us; }
static int64_t use_last(const void *e) { return ((const struct usage_entry *)e)->last_us; }
static void use_free(void *e) { free(e); }

static void prof_free(void *e) {
    struct principal *p = e;
    free(p->key);
    free(p->display);
    free(p);
}

static const struct ptable_ops prof_ops = { prof_hash_of, prof_last, prof_matches, prof_free };
static const struct ptable_ops use_ops = { use_hash_of, use_last, use_matches, use_free };

struct principals *principals_new(size_t max_principals, size_t max_usage) {
    struct principals *t = xcalloc(1, sizeof *t);
    ptable_init(&t->prof, max_principals, &prof_ops);
    ptable_init(&t->use, max_usage, &use_ops);
    t->history_start_us = TIME_NONE;
    return t;
}

void principals_free(struct principals *t) {
    if (!t) return;
    ptable_free(&t->prof);
    ptable_free(&t->use);
    free(t);
}

struct principal *principals_get(struct principals *t, vstr key) {
    return ptable_find(&t->prof, principal_hash(key), &key);
}

struct principal *principals_touch(struct principals *t, vstr key, bool *was_new) {
    uint64_t h = principal_hash(key);
    struct principal *p = ptable_find(&t->prof, h, &key);
    if (was_new) *was_new = p == NULL;
    if (p) return p;
    p = xcalloc(1, sizeof *p);
    p->key = xstrndup(key.p, key.n);
    p->key_len = key.n;
    p->hash = h;
    p->display = xstrndup("", 0);
    p->first_us = p->last_us = TIME_NONE;
    p->fanout_peak.t_us = TIME_NONE;
    ptable_insert(&t->prof, p, h);
    return p;
}

void principal_note_op(struct principals *t, struct principal *p, int64_t t_us, vstr display, int is_app) {
    if (p->first_us == TIME_NONE || t_us < p->first_us) p->first_us = t_us;
    /* days counts forward day changes: a late record of an earlier day is
     * not counted again */
    if (p->last_us == TIME_NONE || (t_us > p->last_us && day_of(t_us) != day_of(p->last_us))) p->days++;
    if (p->last_us == TIME_NONE || t_us > p->last_us) p->last_us = t_us;
    p->ops++;
    if (display.n && !(strlen(p->display) == display.n && memcmp(p->display, display.p, display.n) == 0)) {
        free(p->display);
        p->display = xstrndup(display.p, display.n);
    }
    if (is_app >= 0) p->is_app = is_app != 0;
    if (t->history_start_us == TIME_NONE || t_us < t->history_start_us) t->history_start_us = t_us;
}

/* Lower-case copy into a fixed field, truncated. */
static void copy_lower(char *dst, size_t cap, vstr s) {
    size_t n = s.n < cap - 1 ? s.n : cap - 1;
    for (size_t i = 0; i < n; i++) {
        char c = s.p[i];
        dst[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    dst[n] = '\0';
}

static bool field_eq_lower(const char *field, size_t cap, vstr s) {
    char tmp[64];
    if (cap > sizeof tmp) cap = sizeof tmp;
    copy_lower(tmp, cap, s);
    return strcmp(field, tmp) == 0;
}

const struct principal_app *principal_app(const struct principal *p, vstr appid) {
    for (uint32_t i = 0; i < p->n_apps; i++)
        if (field_eq_lower(p->apps[i].appid, sizeof p->apps[i].appid, appid)) return &p->apps[i];
    return NULL;
}

void principal_note_app(struct principal *p, vstr appid, int64_t t_us) {
    struct principal_app *a = (struct principal_app *)principal_app(p, appid);
    if (!a) {
        if (p->n_apps < PRINCIPAL_MAX_APPS) {
            a = &p->apps[p->n_apps++];
        } else {                        /* replace the one used least recently */
            a = &p->apps[0];
            for (uint32_t i = 1; i < p->n_apps; i++)
                if (p->apps[i].last_us < a->last_us) a = &p->apps[i];
        }
        memset(a, 0, sizeof *a);
        copy_lower(a->appid, sizeof a->appid, appid);
        a->first_us = a->last_us = t_us;
    }
    a->count++;
    if (t_us < a->first_us) a->first_us = t_us;
    if (t_us > a->last_us) a->last_us = t_us;
}

static bool cc_eq(const char *a, const char b[2]) { return a[0] == b[0] && a[1] == b[1]; }

const struct principal_country *principal_country(const struct principal *p, const char cc[2]) {
    for (uint32_t i = 0; i < p->n_countries; i++)
        if (cc_eq(p->countries[i].cc, cc)) return &p->countries[i];
    return NULL;
}

void principal_note_country(struct principal *p, const char cc[2], int64_t t_us) {
    if (!cc[0] || !cc[1]) return;
    struct principal_country *c = (struct principal_country *)principal_country(p, cc);
    if (!c) {
        if (p->n_countries < PRINCIPAL_MAX_COUNTRIES) {
            c = &p->countries[p->n_countries++];
        } else {
            c = &p->countries[0];
            for (uint32_t i = 1; i < p->n_countries; i++)
                if (p->countries[i].last_us < c->last_us) c = &p->countries[i];
        }
        memset(c, 0, sizeof *c);
        c->cc[0] = cc[0];
        c->cc[1] = cc[1];
        c->first_us = t_us;
        c->last_us = TIME_NONE;
    }
    c->count++;
    if (c->last_us == TIME_NONE || (day_of(t_us) != day_of(c->last_us) && t_us > c->last_us)) c->days++;
    if (t_us < c->first_us) c->first_us = t_us;
    if (c->last_us == TIME_NONE || t_us > c->last_us) c->last_us = t_us;
}

void principal_note_location(struct principal *p, const struct principal_location *loc) {
    if (!loc->valid) return;
    if (p->last_loc.valid && loc->t_us < p->last_loc.t_us) return;   /* a late record does not move it back */
    p->last_loc = *loc;
}

void principal_note_fanout(struct principal *p, uint32_t resources, uint32_t kinds, uint32_t vms, int64_t t_us,
                           int64_t forget_before_us) {
    struct principal_fanout *f = &p->fanout_peak;
    if (f->t_us == TIME_NONE || f->t_us < forget_before_us) {
        f->resources = f->kinds = f->vms = 0;
    }
    if (resources > f->resources) f->resources = resources;
    if (kinds > f->kinds) f->kinds = kinds;
    if (vms > f->vms) f->vms = vms;
    if (f->t_us == TIME_NONE || t_us > f->t_us) f->t_us = t_us;
}

/* ---- organisation usage ----------------------------------------------------- */

static void usage_key_ip(struct usage_key *k, enum usage_kind kind, const struct ipaddr *ip) {
    memset(k, 0, sizeof *k);
    k->kind = (uint8_t)kind;
    memcpy(k->b, ip->b, 16);
    if (kind == USAGE_PREFIX24) {
        /* IPv4 (v4-mapped): keep 96 + 24 bits; IPv6: a /48, a site. */
        bool v4 = ip_is_v4(ip);
        size_t keep = v4 ? 15 : 6;
        memset(k->b + keep, 0, 16 - keep);
    }
}

static void usage_key_country(struct usage_key *k, const char cc[2]) {
    memset(k, 0, sizeof *k);
    k->kind = USAGE_COUNTRY;
    k->b[0] = (uint8_t)cc[0];
    k->b[1] = (uint8_t)cc[1];
}

static struct usage_entry *use_touch(struct principals *t, const struct usage_key *k) {
    uint64_t h = usage_hash(k);
    struct usage_entry *e = ptable_find(&t->use, h, k);
    if (e) return e;
    e = xcalloc(1, sizeof *e);
    e->key = *k;
    e->hash = h;
    e->first_us = e->last_us = TIME_NONE;
    e->last_day = INT64_MIN;
    ptable_insert(&t->use, e, h);
    return e;
}

static void use_note(struct usage_entry *e, uint64_t who, int64_t t_us) {
    if (e->first_us == TIME_NONE || t_us < e->first_us) e->first_us = t_us;
    if (e->last_us == TIME_NONE || t_us > e->last_us) e->last_us = t_us;
    int64_t d = day_of(t_us);
    if (d > e->last_day) { e->days++; e->last_day = d; }
    struct usage_user *u = NULL;
    for (uint32_t i = 0; i < e->n_users; i++)
        if (e->users[i].who == who) { u = &e->users[i]; break; }
    if (!u) {
        if (e->n_users < USAGE_MAX_PRINCIPALS) {
            u = &e->users[e->n_users++];
        } else {
            u = &e->users[0];
            for (uint32_t i = 1; i < e->n_users; i++)
                if (e->users[i].last_us < u->last_us) u = &e->users[i];
        }
        u->who = who;
        u->last_us = t_us;
    }
    if (t_us > u->last_us) u->last_us = t_us;
}

void usage_note(struct principals *t, const struct ipaddr *ip, const char *cc, vstr principal_key, int64_t t_us) {
    uint64_t who = principal_hash(principal_key);
    struct usage_key k;
    if (ip) {
        usage_key_ip(&k, USAGE_IP, ip);
        use_note(use_touch(t, &k), who, t_us);
        usage_key_ip(&k, USAGE_PREFIX24, ip);
        use_note(use_touch(t, &k), who, t_us);
    }
    if (cc && cc[0] && cc[1]) {
        usage_key_country(&k, cc);
        use_note(use_touch(t, &k), who, t_us);
    }
}

static struct usage_stats use_stats(const struct principals *t, const struct usage_key *k, vstr excluding,
                                    int64_t since_us) {
    struct usage_stats s = { 0, 0, TIME_NONE, TIME_NONE };
    const struct usage_entry *e = ptable_find(&t->use, usage_hash(k), k);
    if (!e) return s;
    uint64_t skip = excluding.n ? principal_hash(excluding) : 0;
    for (uint32_t i = 0; i < e->n_users; i++)
        if (e->users[i].who != skip && e->users[i].last_us >= since_us) s.principals++;
    s.days = e->days;
    s.first_us = e->first_us;
    s.last_us = e->last_us;
    return s;
}

struct usage_stats usage_ip(const struct principals *t, enum usage_kind kind, const struct ipaddr *ip,
                            vstr excluding_key, int64_t since_us) {
    struct usage_key k;
    usage_key_ip(&k, kind == USAGE_COUNTRY ? USAGE_IP : kind, ip);
    return use_stats(t, &k, excluding_key, since_us);
}

struct usage_stats usage_country(const struct principals *t, const char cc[2], vstr excluding_key, int64_t since_us) {
    struct usage_key k;
    usage_key_country(&k, cc);
    return use_stats(t, &k, excluding_key, since_us);
}

int64_t principals_history_start(const struct principals *t) { return t->history_start_us; }
size_t principals_count(const struct principals *t) { return t->prof.size; }
uint64_t principals_evicted(const struct principals *t) { return t->prof.evicted; }
uint64_t usage_evicted(const struct principals *t) { return t->use.evicted; }

void principals_each(const struct principals *t, void (*fn)(void *ud, const struct principal *p), void *ud) {
    for (size_t i = 0; i < t->prof.cap; i++)
        if (t->prof.slot[i]) fn(ud, t->prof.slot[i]);
}

/* ---- persistence ------------------------------------------------------------
 * One blob (util/blob.h fields): magic, version, the history start, then
 * every profile and every usage entry. */

static void write_profile(buf *b, const struct principal *p) {
    blob_put_str(b, p->key, p->key_len);
    blob_put_str(b, p->display, strlen(p->display));
    buf_putc(b, (char)p->is_app);
    blob_put_i64(b, p->first_us);
    blob_put_i64(b, p->last_us);
    blob_put_le(b, p->ops, 8);
    blob_put_le(b, p->days, 4);
    blob_put_le(b, p->n_apps, 1);
    for (uint32_t i = 0; i < p->n_apps; i++) {
        blob_put_str(b, p->apps[i].appid, strlen(p->apps[i].appid));
        blob_put_le(b, p->apps[i].count, 4);
        blob_put_i64(b, p->apps[i].first_us);
        blob_put_i64(b, p->apps[i].last_us);
    }
    blob_put_le(b, p->n_countries, 1);
    for (uint32_t i = 0; i < p->n_countries; i++) {
        buf_put(b, p->countries[i].cc, 2);
        blob_put_le(b, p->countries[i].count, 4);
        blob_put_le(b, p->countries[i].days, 4);
        blob_put_i64(b, p->countries[i].first_us);
        blob_put_i64(b, p->countries[i].last_us);
    }
    const struct principal_location *l = &p->last_loc;
    buf_putc(b, (char)l->valid);
    buf_put(b, l->cc, 2);
    buf_putc(b, (char)l->has_coords);
    blob_put_f64(b, l->lat);
    blob_put_f64(b, l->lon);
    blob_put_le(b, l->radius_km, 4);
    buf_put(b, l->ip.b, 16);
    blob_put_i64(b, l->t_us);
    blob_put_le(b, p->fanout_peak.resources, 4);
    blob_put_le(b, p->fanout_peak.kinds, 4);
    blob_put_le(b, p->fanout_peak.vms, 4);
    blob_put_i64(b, p->fanout_peak.t_us);
}

static bool read_profile(struct principals *t, struct blob_reader *r) {
    vstr key = blob_get_str(r), display = blob_get_str(r);
    if (!r->ok) return false;
    bool was_new;
    struct principal *p = principals_touch(t, key, &was_new);
    if (!was_new) return false;                         /* the writer never repeats a key */
    free(p->display);
    p->display = xstrndup(display.p, display.n);
    p->is_app = blob_get_le(r, 1) != 0;
    p->first_us = blob_get_i64(r);
    p->last_us = blob_get_i64(r);
    p->ops = blob_get_le(r, 8);
    p->days = (uint32_t)blob_get_le(r, 4);
    p->n_apps = (uint32_t)blob_get_le(r, 1);
    if (p->n_apps > PRINCIPAL_MAX_APPS) return false;
    for (uint32_t i = 0; i < p->n_apps && r->ok; i++) {
        struct principal_app *a = &p->apps[i];
        copy_lower(a->appid, sizeof a->appid, blob_get_str(r));
        a->count = (uint32_t)blob_get_le(r, 4);
        a->first_us = blob_get_i64(r);
        a->last_us = blob_get_i64(r);
    }
    p->n_countries = (uint32_t)blob_get_le(r, 1);
    if (p->n_countries > PRINCIPAL_MAX_COUNTRIES) return false;
    for (uint32_t i = 0; i < p->n_countries && r->ok; i++) {
        struct principal_country *c = &p->countries[i];
        blob_get_bytes(r, c->cc, 2);
        c->cc[2] = '\0';
        c->count = (uint32_t)blob_get_le(r, 4);
        c->days = (uint32_t)blob_get_le(r, 4);
        c->first_us = blob_get_i64(r);
        c->last_us = blob_get_i64(r);
    }
    struct principal_location *l = &p->last_loc;
    l->valid = blob_get_le(r, 1) != 0;
    blob_get_bytes(r, l->cc, 2);
    l->cc[2] = '\0';
    l->has_coords = blob_get_le(r, 1) != 0;
    l->lat = blob_get_f64(r);
    l->lon = blob_get_f64(r);
    l->radius_km = (uint32_t)blob_get_le(r, 4);
    blob_get_bytes(r, l->ip.b, 16);
    l->t_us = blob_get_i64(r);
    p->fanout_peak.resources = (uint32_t)blob_get_le(r, 4);
    p->fanout_peak.kinds = (uint32_t)blob_get_le(r, 4);
    p->fanout_peak.vms = (uint32_t)blob_get_le(r, 4);
    p->fanout_peak.t_us = blob_get_i64(r);
    return r->ok;
}

static void write_usage(buf *b, const struct usage_entry *e) {
    buf_putc(b, (char)e->key.kind);
    buf_put(b, e->key.b, 16);
    blob_put_i64(b, e->first_us);
    blob_put_i64(b, e->last_us);
    blob_put_i64(b, e->last_day);
    blob_put_le(b, e->days, 4);
    blob_put_le(b, e->n_users, 1);
    for (uint32_t i = 0; i < e->n_users; i++) {
        blob_put_le(b, e->users[i].who, 8);
        blob_put_i64(b, e->users[i].last_us);
    }
}

static bool read_usage(struct principals *t, struct blob_reader *r) {
    struct usage_key k;
    memset(&k, 0, sizeof k);
    k.kind = (uint8_t)blob_get_le(r, 1);
    blob_get_bytes(r, k.b, 16);
    if (!r->ok || k.kind > USAGE_PREFIX24) return false;
    struct usage_entry *e = use_touch(t, &k);
    if (e->first_us != TIME_NONE) return false;        /* repeated */
    e->first_us = blob_get_i64(r);
    e->last_us = blob_get_i64(r);
    e->last_day = blob_get_i64(r);
    e->days = (uint32_t)blob_get_le(r, 4);
    e->n_users = (uint32_t)blob_get_le(r, 1);
    if (e->n_users > USAGE_MAX_PRINCIPALS) { e->n_users = 0; return false; }
    for (uint32_t i = 0; i < e->n_users; i++) {
        e->users[i].who = blob_get_le(r, 8);
        e->users[i].last_us = blob_get_i64(r);
    }
    return r->ok;
}

int principals_save(const struct principals *t, struct store *st, const char *detector) {
    buf b;
    buf_init(&b);
    buf_put(&b, BLOB_MAGIC, 3);
    buf_putc(&b, BLOB_VERSION);
    blob_put_i64(&b, t->history_start_us);
    blob_put_le(&b, t->prof.size, 4);
    for (size_t i = 0; i < t->prof.cap; i++)
        if (t->prof.slot[i]) write_profile(&b, t->prof.slot[i]);
    blob_put_le(&b, t->use.size, 4);
    for (size_t i = 0; i < t->use.cap; i++)
        if (t->use.slot[i]) write_usage(&b, t->use.slot[i]);
    int rc = store_blob_put(st, detector, "principals", b.p, b.n);
    buf_free(&b);
    return rc < 0 ? -1 : 0;
}

static void clear_all(struct principals *t) {
    ptable_clear(&t->prof);
    ptable_clear(&t->use);
    t->history_start_us = TIME_NONE;
}

static bool read_all(struct principals *t, const uint8_t *p, size_t n) {
    struct blob_reader r = blob_reader(p, n);
    if (n < 4 || memcmp(p, BLOB_MAGIC, 3) != 0 || p[3] != BLOB_VERSION) return false;
    r.p += 4;
    t->history_start_us = blob_get_i64(&r);
    uint64_t np = blob_get_le(&r, 4);
    for (uint64_t i = 0; i < np && r.ok; i++)
        if (!read_profile(t, &r)) return false;
    uint64_t nu = blob_get_le(&r, 4);
    for (uint64_t i = 0; i < nu && r.ok; i++)
        if (!read_usage(t, &r)) return false;
    return r.ok && r.p == r.end;
}

int principals_load(struct principals *t, struct store *st, const char *detector, char *err, size_t errlen) {
    buf b;
    buf_init(&b);
    int rc = store_blob_get(st, detector, "principals", &b);
    if (rc < 0) { buf_free(&b); return -1; }
    int result = 0;
    if (rc == 1 && !read_all(t, (const uint8_t *)b.p, b.n)) {
        clear_all(t);
        snprintf(err, errlen, "the saved principal profiles could not be read (damaged, or from another "
                              "version); learning starts again from empty");
        result = 1;
    }
    buf_free(&b);
    return result;
}
