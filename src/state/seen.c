/* First-seen sets: open addressing with linear probing over a power-of-two
 * table, at most 3/4 full.
 *
 * Removal uses backward-shift deletion rather than tombstones, so lookups
 * never wade through dead slots however many entries eviction and expiry
 * have dropped. Eviction is amortised: when a new key finds the set full,
 * the oldest 1/16 (by last_us) go in one pass, so the O(capacity) sweep
 * is paid once per max/16 insertions, not on every one.
 *
 * The hash seed is fixed, not random, because eviction order among equal
 * timestamps follows table positions, and replaying the same input must
 * give the same alerts. */
#include "state/seen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/hash.h"

#define SEEN_HASH_SEED UINT64_C(0x5345454e)     /* "SEEN" */
#define SEEN_MIN_CAP 16
#define SEEN_EVICT_SHARE 16                      /* evict 1/16 of the set at a time */

/* A slot is free when e.key.p is NULL; an occupied slot's key is always a
 * malloc'd copy (one byte for the empty key), owned by the set. */
struct slot {
    struct seen_entry e;
    uint64_t hash;
};

struct seenset {
    struct slot *slots;
    size_t cap;                         /* power of two */
    size_t size;
    size_t max;                         /* 0: no bound */
    uint64_t evictions;
};

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n, size);
    if (!p) { fputs("vigil: out of memory\n", stderr); abort(); }
    return p;
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) { fputs("vigil: out of memory\n", stderr); abort(); }
    return p;
}

static inline bool occupied(const struct slot *sl) { return sl->e.key.p != NULL; }

/* ---- the table ---------------------------------------------------------- */

struct seenset *seenset_new(size_t max_entries) {
    struct seenset *s = xcalloc(1, sizeof *s);
    s->cap = SEEN_MIN_CAP;
    s->slots = xcalloc(s->cap, sizeof *s->slots);
    s->max = max_entries;
    return s;
}

void seenset_free(struct seenset *s) {
    if (!s) return;
    for (size_t i = 0; i < s->cap; i++) free((void *)s->slots[i].e.key.p);
    free(s->slots);
    free(s);
}

static uint64_t key_hash(vstr key) { return hash_vstr(key, SEEN_HASH_SEED); }

/* Index of key's slot, or of the free slot that ends its probe chain. */
static size_t probe(const struct seenset *s, vstr key, uint64_t h) {
    size_t mask = s->cap - 1;
    size_t i = (size_t)h & mask;
    while (occupied(&s->slots[i])) {
        const struct slot *sl = &s->slots[i];
        if (sl->hash == h && vstr_eq(sl->e.key, key)) break;
        i = (i + 1) & mask;
    }
    return i;
}

static void grow(struct seenset *s) {
    struct slot *old = s->slots;
    size_t old_cap = s->cap;
    s->cap *= 2;
    s->slots = xcalloc(s->cap, sizeof *s->slots);
    size_t mask = s->cap - 1;
    for (size_t j = 0; j < old_cap; j++) {
        if (!occupied(&old[j])) continue;
        size_t i = (size_t)old[j].hash & mask;
        while (occupied(&s->slots[i])) i = (i + 1) & mask;
        s->slots[i] = old[j];               /* the key moves, not copied */
    }
    free(old);
}

/* Backward-shift deletion: pull each later member of the probe chain into
 * the hole when the hole lies between its home slot and where it sits, so
 * every remaining key is still reachable from its home without gaps. */
static void remove_at(struct seenset *s, size_t hole) {
    size_t mask = s->cap - 1;
    free((void *)s->slots[hole].e.key.p);
    for (size_t j = (hole + 1) & mask; occupied(&s->slots[j]); j = (j + 1) & mask) {
        size_t home = (size_t)s->slots[j].hash & mask;
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            s->slots[hole] = s->slots[j];
            hole = j;
        }
    }
    memset(&s->slots[hole], 0, sizeof s->slots[hole]);
    s->size--;
}

/* Remove every entry drop() accepts. After a removal at i the slot is
 * examined again, since a later entry may have shifted into it; entries
 * only ever shift into slots at or after i (or wrap from the front, which
 * was already examined), so none is skipped. */
typedef bool (*drop_fn)(const struct seen_entry *e, void *ud);

static size_t sweep(struct seenset *s, drop_fn drop, void *ud) {
    size_t dropped = 0;
    for (size_t i = 0; i < s->cap;) {
        if (occupied(&s->slots[i]) && drop(&s->slots[i].e, ud)) {
            remove_at(s, i);
            dropped++;
        } else {
            i++;
        }
    }
    return dropped;
}

/* ---- eviction ----------------------------------------------------------- */

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void swap_i64(int64_t *a, int64_t *b) { int64_t t = *a; *a = *b; *b = t; }

static int64_t median3(int64_t a, int64_t b, int64_t c) {
    if (a > b) { int64_t t = a; a = b; b = t; }
    return c < a ? a : c > b ? b : c;
}

/* Put the k-th smallest value at v[k], smaller or equal ones before it.
 * Quickselect with a three-way partition (timestamps tie often: a loaded
 * set, a burst in one second) and a median-of-three pivot. Event times
 * come from the input, so a sequence that defeats the pivot falls back to
 * sorting after a bounded number of rounds instead of going quadratic. */
static void select_kth(int64_t *v, size_t n, size_t k) {
    size_t lo = 0, hi = n;              /* the answer lies in [lo, hi) */
    for (int round = 0; hi - lo > 1; round++) {
        if (round == 64) { qsort(v + lo, hi - lo, sizeof *v, cmp_i64); return; }
        int64_t pivot = median3(v[lo], v[lo + (hi - lo) / 2], v[hi - 1]);
        size_t lt = lo, i = lo, gt = hi;    /* [lo,lt) < pivot, [lt,gt) ==, [gt,hi) > */
        while (i < gt) {
            if (v[i] < pivot) swap_i64(&v[lt++], &v[i++]);
            else if (v[i] > pivot) swap_i64(&v[i], &v[--gt]);
            else i++;
        }
        if (k < lt) hi = lt;
        else if (k >= gt) lo = gt;
        else return;
    }
}

struct evict_plan {
    int64_t below;                      /* drop every entry older than this */
    size_t ties;                        /* and this many seen exactly at it */
};

static bool evict_drop(const struct seen_entry *e, void *ud) {
    struct evict_plan *p = ud;
    if (e->last_us < p->below) return true;
    if (e->last_us == p->below && p->ties) { p->ties--; return true; }
    return false;
}

/* Drop exactly k of the least recently seen entries. */
static void evict_oldest(struct seenset *s, size_t k) {
    int64_t *t = xmalloc(s->size * sizeof *t);
    size_t n = 0;
    for (size_t i = 0; i < s->cap; i++)
        if (occupied(&s->slots[i])) t[n++] = s->slots[i].e.last_us;
    select_kth(t, n, k - 1);
    struct evict_plan plan = { .below = t[k - 1], .ties = k };
    for (size_t i = 0; i < k; i++)
        if (t[i] < plan.below) plan.ties--;
    free(t);
    s->evictions += sweep(s, evict_drop, &plan);
}

/* Make room for one more entry: evict when at the bound, grow when the
 * table would pass 3/4 full. */
static void make_room(struct seenset *s) {
    if (s->max && s->size >= s->max) {
        size_t k = s->max / SEEN_EVICT_SHARE;
        evict_oldest(s, k ? k : 1);
    }
    if ((s->size + 1) * 4 > s->cap * 3) grow(s);
}

/* ---- entries ------------------------------------------------------------ */

static struct seen_entry *insert_new(struct seenset *s, vstr key, uint64_t h) {
    make_room(s);
    size_t i = probe(s, key, h);
    char *copy = xmalloc(key.n);
    if (key.n) memcpy(copy, key.p, key.n);
    s->slots[i].hash = h;
    s->slots[i].e = (struct seen_entry){ .key = { copy, key.n } };
    s->size++;
    return &s->slots[i].e;
}

/* Events arrive out of order (late logs, merged inputs): widen the span
 * rather than overwrite it. */
static void widen(struct seen_entry *e, int64_t first_us, int64_t last_us) {
    if (first_us < e->first_us) e->first_us = first_us;
    if (last_us > e->last_us) e->last_us = last_us;
}

const struct seen_entry *seenset_touch(struct seenset *s, vstr key, int64_t t_us, bool *was_new) {
    uint64_t h = key_hash(key);
    size_t i = probe(s, key, h);
    bool fresh = !occupied(&s->slots[i]);
    struct seen_entry *e;
    if (fresh) {
        e = insert_new(s, key, h);
        e->first_us = e->last_us = t_us;
        e->count = 1;
    } else {
        e = &s->slots[i].e;
        widen(e, t_us, t_us);
        e->count++;
    }
    if (was_new) *was_new = fresh;
    return e;
}

const struct seen_entry *seenset_touch_prev(struct seenset *s, vstr key, int64_t t_us, int64_t *prev_last_us) {
    uint64_t h = key_hash(key);
    size_t i = probe(s, key, h);
    if (!occupied(&s->slots[i])) {
        *prev_last_us = INT64_MIN;
        struct seen_entry *e = insert_new(s, key, h);
        e->first_us = e->last_us = t_us;
        e->count = 1;
        return e;
    }
    struct seen_entry *e = &s->slots[i].e;
    *prev_last_us = e->last_us;
    widen(e, t_us, t_us);
    e->count++;
    return e;
}

const struct seen_entry *seenset_touch_max(struct seenset *s, vstr key, int64_t t_us, int64_t value) {
    bool fresh;
    struct seen_entry *e = (struct seen_entry *)seenset_touch(s, key, t_us, &fresh);
    if (fresh || value > e->count - 1) e->count = value;
    else e->count--;                    /* undo the touch's increment: count is the maximum here */
    return e;
}

const struct seen_entry *seenset_get(const struct seenset *s, vstr key) {
    size_t i = probe(s, key, key_hash(key));
    return occupied(&s->slots[i]) ? &s->slots[i].e : NULL;
}

static bool expired(const struct seen_entry *e, void *ud) {
    return e->last_us < *(const int64_t *)ud;
}

size_t seenset_expire(struct seenset *s, int64_t before_us) {
    return sweep(s, expired, &before_us);
}

size_t seenset_size(const struct seenset *s) { return s->size; }
uint64_t seenset_evictions(const struct seenset *s) { return s->evictions; }

void seenset_each(const struct seenset *s, void (*fn)(void *ud, const struct seen_entry *e), void *ud) {
    for (size_t i = 0; i < s->cap; i++)
        if (occupied(&s->slots[i])) fn(ud, &s->slots[i].e);
}

/* ---- persistence -------------------------------------------------------- */

int seenset_save(const struct seenset *s, struct store *st, const char *detector, const char *kind) {
    if (store_profile_clear(st, detector, kind) != 0) return -1;
    for (size_t i = 0; i < s->cap; i++) {
        const struct seen_entry *e = &s->slots[i].e;
        if (occupied(&s->slots[i]) &&
            store_profile_put(st, detector, kind, e->key, e->first_us, e->last_us, e->count) != 0)
            return -1;
    }
    return 0;
}

/* A key already in the set keeps the widest span and the larger count, so
 * loading the same rows twice changes nothing. */
static void load_row(void *ud, vstr key, int64_t first_us, int64_t last_us, int64_t count) {
    struct seenset *s = ud;
    uint64_t h = key_hash(key);
    size_t i = probe(s, key, h);
    struct seen_entry *e;
    if (occupied(&s->slots[i])) {
        e = &s->slots[i].e;
        widen(e, first_us, last_us);
        if (count > e->count) e->count = count;
        return;
    }
    e = insert_new(s, key, h);
    e->first_us = first_us;
    e->last_us = last_us;
    e->count = count;
}

int seenset_load(struct seenset *s, struct store *st, const char *detector, const char *kind) {
    return store_profile_each(st, detector, kind, load_row, s) < 0 ? -1 : 0;
}
