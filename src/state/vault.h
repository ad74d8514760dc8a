/* Key Vault profiles: what the Key Vault layer has learned about each
 * vault.
 *
 * Per vault (keyed by its name, lower case):
 *   - first and last record, operations counted;
 *   - its operation-type distribution since it was first seen;
 *   - its hourly volume history (idle hours are zeros), and the hour in
 *     progress: its operations by type and by identity.
 * Who uses a vault (users, applications, user-application pairs) and the
 * per-identity peaks are first-seen sets (state/seen.h) the detector keeps
 * beside these profiles.
 *
 * Everything runs on event time. Memory is bounded by max_vaults (a
 * ptable, least recently used evicted) and by fixed small arrays per vault
 * (operation types beyond VAULT_MAX_OPS share one "other" bucket; the hour's
 * identities beyond VAULT_MAX_HOUR_IDS are counted, not named).
 *
 * Ownership: the table owns every profile; pointers stay valid until the
 * next vaults_touch (which may evict) or vaults_free. */
#ifndef VIGIL_VAULT_H
#define VIGIL_VAULT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "event.h"
#include "state/hourly.h"
#include "state/ptable.h"
#include "util/str.h"

struct store;

#define VAULT_MAX_OPS 40
#define VAULT_OP_NAME 40
#define VAULT_MAX_HOUR_IDS 8
#define VAULT_HISTORY_HOURS (14 * 24)   /* hourly volume history kept */

struct vault_op_count {
    char name[VAULT_OP_NAME];           /* "" = every other operation */
    uint64_t count;
};

struct vault_hour_id {
    char name[96];                      /* display name of an identity */
    uint32_t count;
};

struct vault {
    char *key;                          /* lower-case name (owned) */
    size_t key_len;
    uint64_t hash;
    int64_t first_us, last_us;
    uint64_t ops;
    /* history: operation mix and hourly volume (metric 0) */
    uint32_t n_mix;
    struct vault_op_count mix[VAULT_MAX_OPS];
    struct hourly volume;
    int32_t last_closed_hour;           /* INT32_MIN: none yet */
    /* the hour in progress */
    int32_t hour;                       /* INT32_MIN: none open */
    uint32_t hour_ops;
    uint32_t n_hour_mix;
    struct vault_op_count hour_mix[VAULT_MAX_OPS];
    uint32_t n_hour_ids;
    struct vault_hour_id hour_ids[VAULT_MAX_HOUR_IDS];
    struct source_pos hour_pos;         /* the hour's first record, for evidence (not persisted) */
};

struct vaults;

struct vaults *vaults_new(size_t max_vaults);
void vaults_free(struct vaults *t);
/* The profile of the vault named name (any case), or NULL. */
struct vault *vaults_get(struct vaults *t, vstr name);
/* The profile, created when absent; may evict the least recently used. */
struct vault *vaults_touch(struct vaults *t, vstr name, bool *was_new);
size_t vaults_count(const struct vaults *t);
uint64_t vaults_evicted(const struct vaults *t);
void vaults_each(struct vaults *t, void (*fn)(void *ud, struct vault *v), void *ud);

/* Count one operation by identity at t into the hour in progress (the
 * caller closes earlier hours first with vault_close_hour). */
void vault_note_op(struct vault *v, vstr operation, vstr identity, int64_t t_us);
/* How often the vault's history (closed hours) has seen this operation. */
uint64_t vault_mix_count(const struct vault *v, vstr operation);
/* Fold the hour in progress into the history: its mix into the
 * distribution, its count into the hourly volume (the idle hours since the
 * last closed one become zeros). Idempotent when no hour is open. */
void vault_close_hour(struct vault *v);
/* Jensen-Shannon distance (0..1, the square root of the divergence in
 * bits) between the hour in progress and the history's operation mix;
 * -1 when either is empty. */
double vault_hour_distance(const struct vault *v);

/* Persist / restore every profile in one blob under (detector, "vaults").
 * load: 0 (also when the store holds nothing), -1 on a store error, 1 when
 * the blob could not be read (profiles start afresh; err says so). */
int vaults_save(const struct vaults *t, struct store *st, const char *detector);
int vaults_load(struct vaults *t, struct store *st, const char *detector, char *err, size_t errlen);
#endif
