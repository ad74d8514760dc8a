/* The embedded store: one SQLite database, DIR/vigil.db, in WAL mode.
 *
 * Baselines and alerts survive between runs. A run loads state at start
 * and saves it in one transaction at the end, so a crash mid-run leaves
 * the previous state whole. The schema carries a version; opening a
 * database of a newer version is refused rather than misread. */
#ifndef VIGIL_STORE_H
#define VIGIL_STORE_H
#include <stddef.h>
#include <stdint.h>
#include "util/buf.h"
#include "util/str.h"

#define STORE_SCHEMA_VERSION 1

struct store;

/* Create DIR if needed and open (or create) DIR/vigil.db. Returns NULL and
 * writes one line into err on failure. */
struct store *store_open(const char *dir, char *err, size_t errlen);
void store_close(struct store *st);
const char *store_errmsg(struct store *st);

int store_begin(struct store *st);      /* 0 on success */
int store_commit(struct store *st);
void store_rollback(struct store *st);

/* Small key/value facts: watermark, run counter, detector epochs. */
int store_meta_set(struct store *st, const char *key, const char *value);
int store_meta_get(struct store *st, const char *key, buf *out);   /* 1 found, 0 absent, -1 error */

/* Profiles: first-seen records per (detector, kind, key). */
typedef void (*store_profile_fn)(void *ud, vstr key, int64_t first_us, int64_t last_us, int64_t count);
int store_profile_put(struct store *st, const char *detector, const char *kind, vstr key,
                      int64_t first_us, int64_t last_us, int64_t count);
int store_profile_each(struct store *st, const char *detector, const char *kind,
                       store_profile_fn fn, void *ud);
int store_profile_clear(struct store *st, const char *detector, const char *kind);

/* Opaque per-detector state that is not a set of profiles (histories). */
int store_blob_put(struct store *st, const char *detector, const char *key, const void *p, size_t n);
int store_blob_get(struct store *st, const char *detector, const char *key, buf *out); /* 1, 0, -1 */

/* Alerts, upserted by id (an alert that grows keeps its id). */
struct stored_alert {
    const char *id, *type, *severity, *entity;
    int64_t time_start_us, time_end_us, count;
    vstr json;                          /* the full alert record */
};
int store_alert_put(struct store *st, const struct stored_alert *a);
int64_t store_alert_count(struct store *st);
#endif
