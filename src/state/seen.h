/* First-seen sets: "has this key been seen for this entity, and since
 * when". The learned half of most detections (images in kube-system, a
 * vault's users, a site's sensitive-page visitors) is one of these.
 *
 * Keys are copied into the set (it owns them). Memory is bounded: at
 * max_entries the set evicts the entries seen least recently, counts the
 * evictions, and keeps going, so spoofed cardinality cannot exhaust it. */
#ifndef VIGIL_SEEN_H
#define VIGIL_SEEN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/str.h"

struct store;

struct seen_entry {
    vstr key;
    int64_t first_us, last_us;
    int64_t count;
};

struct seenset;

struct seenset *seenset_new(size_t max_entries);
void seenset_free(struct seenset *s);
/* Record key at time t. Returns the entry; *was_new tells whether the key
 * was absent before this call. */
const struct seen_entry *seenset_touch(struct seenset *s, vstr key, int64_t t_us, bool *was_new);
/* Record key at t like seenset_touch, and say when it was last seen before
 * (TIME_NONE, INT64_MIN, when it was absent): "known recently?" and
 * "remember it" in one probe. */
const struct seen_entry *seenset_touch_prev(struct seenset *s, vstr key, int64_t t_us, int64_t *prev_last_us);
/* The same, for a set whose count is the largest value seen for the key
 * (a peak) rather than a number of touches. */
const struct seen_entry *seenset_touch_max(struct seenset *s, vstr key, int64_t t_us, int64_t value);
const struct seen_entry *seenset_get(const struct seenset *s, vstr key);
/* Drop entries whose last_us is older than before_us (a look-back TTL). */
size_t seenset_expire(struct seenset *s, int64_t before_us);
size_t seenset_size(const struct seenset *s);
uint64_t seenset_evictions(const struct seenset *s);
/* Iterate all entries in unspecified order. */
void seenset_each(const struct seenset *s, void (*fn)(void *ud, const struct seen_entry *e), void *ud);
/* Persist / restore under (detector, kind) in the store's profiles. save
 * replaces what the store held for that (detector, kind). */
int seenset_save(const struct seenset *s, struct store *st, const char *detector, const char *kind);
int seenset_load(struct seenset *s, struct store *st, const char *detector, const char *kind);
#endif
