#include "state/ptable.h"

#include <stdio.h>
#include <stdlib.h>

#define MIN_CAP 16
/* A quarter at a time: eviction only happens under pressure (a cap set too
 * low, or a flood of spoofed identities), and each sweep walks every entry,
 * so fewer, larger sweeps cost less. */
#define EVICT_SHARE 4

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p) { fputs("vigil: out of memory\n", stderr); abort(); }
    return p;
}

void ptable_init(struct ptable *t, size_t max, const struct ptable_ops *ops) {
    t->cap = MIN_CAP;
    t->slot = xcalloc(t->cap, sizeof *t->slot);
    t->size = 0;
    t->max = max ? max : 1;
    t->evicted = 0;
    t->ops = ops;
}

void ptable_clear(struct ptable *t) {
    for (size_t i = 0; i < t->cap; i++)
        if (t->slot[i]) { t->ops->free_entry(t->slot[i]); t->slot[i] = NULL; }
    t->size = 0;
}

void ptable_free(struct ptable *t) {
    if (!t->slot) return;
    ptable_clear(t);
    free(t->slot);
    t->slot = NULL;
}

void *ptable_find(const struct ptable *t, uint64_t h, const void *key) {
    size_t mask = t->cap - 1;
    for (size_t i = (size_t)h & mask; t->slot[i]; i = (i + 1) & mask)
        if (t->ops->hash_of(t->slot[i]) == h && t->ops->matches(t->slot[i], key)) return t->slot[i];
    return NULL;
}

static void place(struct ptable *t, void *e, uint64_t h) {
    size_t mask = t->cap - 1;
    size_t i = (size_t)h & mask;
    while (t->slot[i]) i = (i + 1) & mask;
    t->slot[i] = e;
}

static void grow(struct ptable *t) {
    void **old = t->slot;
    size_t old_cap = t->cap;
    t->cap *= 2;
    t->slot = xcalloc(t->cap, sizeof *t->slot);
    for (size_t i = 0; i < old_cap; i++)
        if (old[i]) place(t, old[i], t->ops->hash_of(old[i]));
    free(old);
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Drop the least recently used share of the table and rebuild it. */
static void evict(struct ptable *t) {
    size_t drop = t->size / EVICT_SHARE;
    if (drop == 0) drop = 1;
    int64_t *times = xcalloc(t->size, sizeof *times);
    size_t n = 0;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slot[i]) times[n++] = t->ops->last_of(t->slot[i]);
    qsort(times, n, sizeof *times, cmp_i64);
    int64_t cut = times[drop - 1];
    free(times);
    void **old = t->slot;
    t->slot = xcalloc(t->cap, sizeof *t->slot);
    size_t kept = 0;
    for (size_t i = 0; i < t->cap; i++) {
        void *e = old[i];
        if (!e) continue;
        if (drop && t->ops->last_of(e) <= cut) {
            t->ops->free_entry(e);
            drop--;
            t->evicted++;
            continue;
        }
        place(t, e, t->ops->hash_of(e));
        kept++;
    }
    t->size = kept;
    free(old);
}

void ptable_insert(struct ptable *t, void *entry, uint64_t h) {
    if (t->size >= t->max) evict(t);
    if ((t->size + 1) * 4 > t->cap * 3) grow(t);
    place(t, entry, h);
    t->size++;
}

size_t ptable_sweep(struct ptable *t, bool (*drop)(void *entry, void *ud), void *ud) {
    size_t gone = 0;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slot[i] && drop(t->slot[i], ud)) {
            t->ops->free_entry(t->slot[i]);
            t->slot[i] = NULL;
            gone++;
        }
    if (!gone) return 0;
    /* linear probing has no holes to spare: place the rest again */
    void **old = t->slot;
    t->slot = xcalloc(t->cap, sizeof *t->slot);
    for (size_t i = 0; i < t->cap; i++)
        if (old[i]) place(t, old[i], t->ops->hash_of(old[i]));
    free(old);
    t->size -= gone;
    return gone;
}

void ptable_each(const struct ptable *t, void (*fn)(void *entry, void *ud), void *ud) {
    for (size_t i = 0; i < t->cap; i++)
        if (t->slot[i]) fn(t->slot[i], ud);
}
