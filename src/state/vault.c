/* Key Vault profiles (state/vault.h), in a bounded pointer table
 * (state/ptable.h) keyed by the lower-case vault name. */
#include "state/vault.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/blob.h"
#include "util/hash.h"
#include "util/timeutil.h"

#define VAULT_SEED UINT64_C(0x5641554c)    /* "VAUL" */
#define BLOB_MAGIC "VKV"
#define BLOB_VERSION 1

struct vaults { struct ptable t; };

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p) { fputs("vigil: out of memory\n", stderr); abort(); }
    return p;
}

/* The lower-case copy of name into buf (cap bytes at least name.n). */
static vstr lower(vstr name, char *buf) {
    for (size_t i = 0; i < name.n; i++) {
        char c = name.p[i];
        buf[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    return (vstr){ buf, name.n };
}

static uint64_t vault_hash(vstr lowered) { return hash_vstr(lowered, VAULT_SEED) | 1; }

static uint64_t v_hash_of(const void *e) { return ((const struct vault *)e)->hash; }
static int64_t v_last_of(const void *e) { return ((const struct vault *)e)->last_us; }
static bool v_matches(const void *e, const void *key) {
    const struct vault *v = e;
    const vstr *k = key;
    return v->key_len == k->n && (k->n == 0 || memcmp(v->key, k->p, k->n) == 0);
}
static void v_free(void *e) {
    struct vault *v = e;
    hourly_free(&v->volume);
    free(v->key);
    free(v);
}

static const struct ptable_ops vault_ops = { v_hash_of, v_last_of, v_matches, v_free };

struct vaults *vaults_new(size_t max_vaults) {
    struct vaults *t = xcalloc(1, sizeof *t);
    ptable_init(&t->t, max_vaults, &vault_ops);
    return t;
}

void vaults_free(struct vaults *t) {
    if (!t) return;
    ptable_free(&t->t);
    free(t);
}

/* Vault names are at most 24 characters; anything longer is cut, which
 * only merges names no real vault can have. */
#define NAME_MAX_LEN 128

struct vault *vaults_get(struct vaults *t, vstr name) {
    char buf[NAME_MAX_LEN];
    if (name.n > NAME_MAX_LEN) name.n = NAME_MAX_LEN;
    vstr k = lower(name, buf);
    return ptable_find(&t->t, vault_hash(k), &k);
}

struct vault *vaults_touch(struct vaults *t, vstr name, bool *was_new) {
    char buf[NAME_MAX_LEN];
    if (name.n > NAME_MAX_LEN) name.n = NAME_MAX_LEN;
    vstr k = lower(name, buf);
    uint64_t h = vault_hash(k);
    struct vault *v = ptable_find(&t->t, h, &k);
    if (was_new) *was_new = v == NULL;
    if (v) return v;
    v = xcalloc(1, sizeof *v);
    v->key = xcalloc(k.n + 1, 1);
    if (k.n) memcpy(v->key, k.p, k.n);
    v->key_len = k.n;
    v->hash = h;
    v->first_us = v->last_us = TIME_NONE;
    hourly_init(&v->volume);
    v->last_closed_hour = INT32_MIN;
    v->hour = INT32_MIN;
    ptable_insert(&t->t, v, h);
    return v;
}

size_t vaults_count(const struct vaults *t) { return ptable_size(&t->t); }
uint64_t vaults_evicted(const struct vaults *t) { return t->t.evicted; }

void vaults_each(struct vaults *t, void (*fn)(void *ud, struct vault *v), void *ud) {
    for (size_t i = 0; i < t->t.cap; i++)
        if (t->t.slot[i]) fn(ud, t->t.slot[i]);
}

/* ---- operation mixes ------------------------------------------------------ */

static bool name_is(const char *field, vstr op) {
    size_t n = strlen(field);
    return n == op.n && vstr_eq_ci((vstr){ field, n }, op);
}

/* The bucket of op in a mix; the last slot, named "", takes every
 * operation that finds the mix full. */
static struct vault_op_count *mix_slot(struct vault_op_count *mix, uint32_t *n, vstr op) {
    if (op.n >= VAULT_OP_NAME) op.n = VAULT_OP_NAME - 1;
    for (uint32_t i = 0; i < *n; i++)
        if (name_is(mix[i].name, op)) return &mix[i];
    if (*n < VAULT_MAX_OPS - 1) {
        struct vault_op_count *c = &mix[(*n)++];
        memset(c, 0, sizeof *c);
        if (op.n) memcpy(c->name, op.p, op.n);
        return c;
    }
    if (*n == VAULT_MAX_OPS - 1) {
        memset(&mix[*n], 0, sizeof mix[*n]);
        (*n)++;
    }
    return &mix[VAULT_MAX_OPS - 1];
}

void vault_note_op(struct vault *v, vstr operation, vstr identity, int64_t t_us) {
    if (v->first_us == TIME_NONE || t_us < v->first_us) v->first_us = t_us;
    if (v->last_us == TIME_NONE || t_us > v->last_us) v->last_us = t_us;
    v->ops++;
    if (v->hour == INT32_MIN) v->hour = hour_of_us(t_us);
    v->hour_ops++;
    mix_slot(v->hour_mix, &v->n_hour_mix, operation)->count++;
    for (uint32_t i = 0; i < v->n_hour_ids; i++) {
        if (strlen(v->hour_ids[i].name) == identity.n && vstr_eq((vstr){ v->hour_ids[i].name, identity.n }, identity)) {
            v->hour_ids[i].count++;
            return;
        }
    }
    if (v->n_hour_ids < VAULT_MAX_HOUR_IDS && identity.n < sizeof v->hour_ids[0].name) {
        struct vault_hour_id *h = &v->hour_ids[v->n_hour_ids++];
        if (identity.n) memcpy(h->name, identity.p, identity.n);
        h->name[identity.n] = '\0';
        h->count = 1;
    }
}

uint64_t vault_mix_count(const struct vault *v, vstr operation) {
    for (uint32_t i = 0; i < v->n_mix; i++)
        if (v->mix[i].name[0] && name_is(v->mix[i].name, operation)) return v->mix[i].count;
    return 0;
}

void vault_close_hour(struct vault *v) {
    if (v->hour == INT32_MIN) return;
    for (uint32_t i = 0; i < v->n_hour_mix; i++) {
        const struct vault_op_count *h = &v->hour_mix[i];
        mix_slot(v->mix, &v->n_mix, (vstr){ h->name, strlen(h->name) })->count += h->count;
    }
    /* The hours since the last closed one were watched and idle: zeros. */
    int32_t from = v->last_closed_hour == INT32_MIN ? v->hour : v->last_closed_hour + 1;
    if (v->hour - from > VAULT_HISTORY_HOURS) from = v->hour - VAULT_HISTORY_HOURS;
    for (int32_t h = from; h < v->hour; h++) hourly_observe(&v->volume, h);
    hourly_set(&v->volume, v->hour, 0, v->hour_ops);
    hourly_forget_before(&v->volume, v->hour - VAULT_HISTORY_HOURS);
    v->last_closed_hour = v->hour;
    v->hour = INT32_MIN;
    v->hour_ops = 0;
    v->n_hour_mix = 0;
    v->n_hour_ids = 0;
    memset(&v->hour_pos, 0, sizeof v->hour_pos);
}

static double plogp_ratio(double p, double m) { return p > 0 ? p * log2(p / m) : 0; }

double vault_hour_distance(const struct vault *v) {
    uint64_t hist_total = 0;
    for (uint32_t i = 0; i < v->n_mix; i++) hist_total += v->mix[i].count;
    if (!hist_total || !v->hour_ops) return -1;
    /* Over the union of operation names: the hour's, then the history's. */
    double js = 0;
    for (uint32_t i = 0; i < v->n_hour_mix; i++) {
        const struct vault_op_count *h = &v->hour_mix[i];
        double p = (double)h->count / v->hour_ops;
        double q = (double)vault_mix_count(v, (vstr){ h->name, strlen(h->name) }) / (double)hist_total;
        double m = (p + q) / 2;
        js += 0.5 * plogp_ratio(p, m) + 0.5 * plogp_ratio(q, m);
    }
    for (uint32_t i = 0; i < v->n_mix; i++) {
        const struct vault_op_count *c = &v->mix[i];
        bool in_hour = false;
        for (uint32_t j = 0; j < v->n_hour_mix && !in_hour; j++)
            in_hour = strcmp(v->hour_mix[j].name, c->name) == 0 ||
                      name_is(v->hour_mix[j].name, (vstr){ c->name, strlen(c->name) });
        if (in_hour) continue;
        double q = (double)c->count / (double)hist_total;
        js += 0.5 * plogp_ratio(q, q / 2);
    }
    if (js < 0) js = 0;
    if (js > 1) js = 1;
    return sqrt(js);
}

/* ---- persistence ------------------------------------------------------------ */

static void write_mix(buf *b, const struct vault_op_count *mix, uint32_t n) {
    blob_put_le(b, n, 1);
    for (uint32_t i = 0; i < n; i++) {
        blob_put_str(b, mix[i].name, strlen(mix[i].name));
        blob_put_le(b, mix[i].count, 8);
    }
}

static bool read_mix(struct blob_reader *r, struct vault_op_count *mix, uint32_t *n) {
    *n = (uint32_t)blob_get_le(r, 1);
    if (*n > VAULT_MAX_OPS) return false;
    for (uint32_t i = 0; i < *n && r->ok; i++) {
        vstr name = blob_get_str(r);
        if (name.n >= VAULT_OP_NAME) return false;
        memset(mix[i].name, 0, sizeof mix[i].name);
        if (name.n) memcpy(mix[i].name, name.p, name.n);
        mix[i].count = blob_get_le(r, 8);
    }
    return r->ok;
}

static void write_vault(buf *b, const struct vault *v) {
    blob_put_str(b, v->key, v->key_len);
    blob_put_i64(b, v->first_us);
    blob_put_i64(b, v->last_us);
    blob_put_le(b, v->ops, 8);
    write_mix(b, v->mix, v->n_mix);
    hourly_write(&v->volume, b);
    blob_put_le(b, (uint32_t)v->last_closed_hour, 4);
    blob_put_le(b, (uint32_t)v->hour, 4);
    blob_put_le(b, v->hour_ops, 4);
    write_mix(b, v->hour_mix, v->n_hour_mix);
    blob_put_le(b, v->n_hour_ids, 1);
    for (uint32_t i = 0; i < v->n_hour_ids; i++) {
        blob_put_str(b, v->hour_ids[i].name, strlen(v->hour_ids[i].name));
        blob_put_le(b, v->hour_ids[i].count, 4);
    }
}

static bool read_vault(struct vaults *t, struct blob_reader *r) {
    vstr key = blob_get_str(r);
    if (!r->ok) return false;
    bool fresh;
    struct vault *v = vaults_touch(t, key, &fresh);
    if (!fresh) return false;
    v->first_us = blob_get_i64(r);
    v->last_us = blob_get_i64(r);
    v->ops = blob_get_le(r, 8);
    if (!read_mix(r, v->mix, &v->n_mix)) return false;
    if (!r->ok || !hourly_read(&v->volume, &r->p, r->end)) return false;
    v->last_closed_hour = (int32_t)(uint32_t)blob_get_le(r, 4);
    v->hour = (int32_t)(uint32_t)blob_get_le(r, 4);
    v->hour_ops = (uint32_t)blob_get_le(r, 4);
    if (!read_mix(r, v->hour_mix, &v->n_hour_mix)) return false;
    v->n_hour_ids = (uint32_t)blob_get_le(r, 1);
    if (v->n_hour_ids > VAULT_MAX_HOUR_IDS) return false;
    for (uint32_t i = 0; i < v->n_hour_ids && r->ok; i++) {
        vstr name = blob_get_str(r);
        if (name.n >= sizeof v->hour_ids[i].name) return false;
        memset(v->hour_ids[i].name, 0, sizeof v->hour_ids[i].name);
        if (name.n) memcpy(v->hour_ids[i].name, name.p, name.n);
        v->hour_ids[i].count = (uint32_t)blob_get_le(r, 4);
    }
    return r->ok;
}

int vaults_save(const struct vaults *t, struct store *st, const char *detector) {
    buf b;
    buf_init(&b);
    buf_put(&b, BLOB_MAGIC, 3);
    buf_putc(&b, BLOB_VERSION);
    blob_put_le(&b, ptable_size(&t->t), 4);
    for (size_t i = 0; i < t->t.cap; i++)
        if (t->t.slot[i]) write_vault(&b, t->t.slot[i]);
    int rc = store_blob_put(st, detector, "vaults", b.p, b.n);
    buf_free(&b);
    return rc < 0 ? -1 : 0;
}

static bool read_all(struct vaults *t, const void *p, size_t n) {
    if (n < 4 || memcmp(p, BLOB_MAGIC, 3) != 0 || ((const uint8_t *)p)[3] != BLOB_VERSION) return false;
    struct blob_reader r = blob_reader(p, n);
    r.p += 4;
    uint64_t count = blob_get_le(&r, 4);
    for (uint64_t i = 0; i < count && r.ok; i++)
        if (!read_vault(t, &r)) return false;
    return r.ok && r.p == r.end;
}

int vaults_load(struct vaults *t, struct store *st, const char *detector, char *err, size_t errlen) {
    buf b;
    buf_init(&b);
    int rc = store_blob_get(st, detector, "vaults", &b);
    if (rc < 0) { buf_free(&b); return -1; }
    int result = 0;
    if (rc == 1 && !read_all(t, b.p, b.n)) {
        ptable_clear(&t->t);
        snprintf(err, errlen, "the saved vault profiles could not be read (damaged, or from another version); "
                              "learning starts again from empty");
        result = 1;
    }
    buf_free(&b);
    return result;
}
