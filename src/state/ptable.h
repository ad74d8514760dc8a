/* Bounded tables of heap entries: the store behind per-entity profiles
 * (principals, vaults). Open addressing with linear probing over a power
 * of two, at most 3/4 full, holding pointers so an entry handed out does
 * not move when the table grows.
 *
 * Memory is bounded by max: when a new entry finds the table full, the
 * least recently used quarter goes in one sweep and the table is rebuilt,
 * so the O(n) cost is paid once per max/4 insertions, and a flood of
 * spoofed keys costs time, not memory. Ties on the last-use time are
 * broken by table order, which depends only on the fixed hash seeds of the
 * callers: a replay evicts the same entries.
 *
 * The table does not know its entries' layout: the caller's ops give each
 * entry's hash and last use, compare it with a key, and free it. */
#ifndef VIGIL_PTABLE_H
#define VIGIL_PTABLE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ptable_ops {
    uint64_t (*hash_of)(const void *entry);           /* the hash it was inserted with */
    int64_t (*last_of)(const void *entry);            /* its last use, for eviction */
    bool (*matches)(const void *entry, const void *key);
    void (*free_entry)(void *entry);
};

struct ptable {
    void **slot;
    size_t cap, size, max;
    uint64_t evicted;
    const struct ptable_ops *ops;
};

void ptable_init(struct ptable *t, size_t max, const struct ptable_ops *ops);
/* Frees every entry with ops->free_entry, then the table. */
void ptable_free(struct ptable *t);
/* The entry for key (hashed to h), or NULL. */
void *ptable_find(const struct ptable *t, uint64_t h, const void *key);
/* Insert an entry known to be absent; may evict first. */
void ptable_insert(struct ptable *t, void *entry, uint64_t h);
/* Remove every entry (freed). */
void ptable_clear(struct ptable *t);
/* Free and remove the entries drop says so of, then rebuild the table;
 * returns how many went. */
size_t ptable_sweep(struct ptable *t, bool (*drop)(void *entry, void *ud), void *ud);
/* Call fn on every entry (unspecified order). */
void ptable_each(const struct ptable *t, void (*fn)(void *entry, void *ud), void *ud);
static inline size_t ptable_size(const struct ptable *t) { return t->size; }
#endif
