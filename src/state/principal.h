/* Principal profiles: what the management layer has learned about each
 * identity that works on the Azure control plane, and how the organisation
 * as a whole uses each address and country.
 *
 * Per principal (keyed by object id, else caller):
 *   - first and last seen, operations counted, days active;
 *   - client applications (claims.appid) with counts, first and last use;
 *   - countries with counts, first and last use, days used;
 *   - the last located operation (country, coordinates, address, time).
 * Organisation-wide, per address and per country: the distinct principals
 * that used it recently and on how many days, so that an address most of
 * the organisation uses (a VPN egress, an office NAT) is recognised.
 *
 * Everything runs on event time. Profiles are updated after the analytics
 * have looked at them, so an analytic sees the history before the event.
 *
 * Memory is bounded: at most max_principals profiles and max_usage
 * organisation entries; beyond that the least recently seen are evicted
 * and counted. Per-principal lists are fixed small arrays: when full, the
 * entry used least recently is replaced (its counts are lost, which is
 * counted too).
 *
 * Ownership: the table owns every profile and every string in it;
 * pointers returned stay valid until the next principals_touch on the same
 * table (which may evict) or principals_free. */
#ifndef VIGIL_PRINCIPAL_H
#define VIGIL_PRINCIPAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/ip.h"
#include "util/str.h"

struct store;

#define PRINCIPAL_MAX_APPS 8
#define PRINCIPAL_MAX_COUNTRIES 12
#define USAGE_MAX_PRINCIPALS 16         /* distinct principals remembered per address / country: enough to tell
                                         * a shared egress (a few users) from one person's address */

struct principal_app {
    char appid[40];                     /* GUID text, lower case; "" = none */
    uint32_t count;
    int64_t first_us, last_us;
};

struct principal_country {
    char cc[3];                         /* ISO alpha-2, upper case */
    uint32_t count;
    uint32_t days;                      /* distinct UTC days it was used */
    int64_t first_us, last_us;
};

struct principal_location {
    bool valid;
    char cc[3];
    bool has_coords;
    double lat, lon;
    uint32_t radius_km;
    struct ipaddr ip;
    int64_t t_us;
};

struct principal {
    char *key;                          /* object id or caller (owned; NUL-terminated) */
    size_t key_len;                     /* the key may hold NULs: an attacker writes the log */
    uint64_t hash;                      /* of the key, kept for rebuilding the table */
    char *display;                      /* upn, name or caller, for people (owned) */
    bool is_app;
    int64_t first_us, last_us;
    uint64_t ops;
    uint32_t days;                      /* distinct UTC days with an operation */
    uint32_t n_apps;
    struct principal_app apps[PRINCIPAL_MAX_APPS];
    uint32_t n_countries;
    struct principal_country countries[PRINCIPAL_MAX_COUNTRIES];
    struct principal_location last_loc;
    /* The largest burst of credential-revealing operations this principal
     * has made (arm.toolkit.microburst compares a new burst with it). */
    struct principal_fanout {
        uint32_t resources, kinds, vms;
        int64_t t_us;                   /* when that burst ended; TIME_NONE: never */
    } fanout_peak;
};

struct principals;

struct principals *principals_new(size_t max_principals, size_t max_usage);
void principals_free(struct principals *t);

/* The profile, or NULL when the principal was never seen. */
struct principal *principals_get(struct principals *t, vstr key);
/* The profile, created when absent (first_us = last_us = TIME_NONE until
 * principal_note_op). May evict the least recently seen profile. */
struct principal *principals_touch(struct principals *t, vstr key, bool *was_new);

/* Record one operation at t: last_us, ops, days, and the table's history
 * span; display and is_app are refreshed when given (non-empty / known). */
void principal_note_op(struct principals *t, struct principal *p, int64_t t_us, vstr display,
                       int is_app /* -1 unknown */);
void principal_note_app(struct principal *p, vstr appid, int64_t t_us);
void principal_note_country(struct principal *p, const char cc[2], int64_t t_us);
void principal_note_location(struct principal *p, const struct principal_location *loc);
/* Fold a finished burst into fanout_peak; a peak older than
 * forget_before_us no longer counts and is replaced. */
void principal_note_fanout(struct principal *p, uint32_t resources, uint32_t kinds, uint32_t vms, int64_t t_us,
                           int64_t forget_before_us);

/* Lookups on one profile; NULL when absent. */
const struct principal_app *principal_app(const struct principal *p, vstr appid);
const struct principal_country *principal_country(const struct principal *p, const char cc[2]);

/* ---- organisation-wide usage of an address or a country -------------- */

enum usage_kind { USAGE_IP = 0, USAGE_COUNTRY, USAGE_PREFIX24 /* the address's /24 (IPv6: /48) */ };

struct usage_stats {
    uint32_t principals;                /* distinct principals with last use >= since */
    uint32_t days;                      /* distinct UTC days it was used (by anyone), all time */
    int64_t first_us, last_us;          /* TIME_NONE when never */
};

/* Record that principal_key used the address (as USAGE_IP and
 * USAGE_PREFIX24) and the country (cc may be NULL or "") at t. */
void usage_note(struct principals *t, const struct ipaddr *ip, const char *cc, vstr principal_key, int64_t t_us);
/* Usage of one address, its /24, or a country, counting principals seen
 * at or after since_us. excluding_key (may be empty) is left out of the
 * principal count: "how many *other* principals". */
struct usage_stats usage_ip(const struct principals *t, enum usage_kind kind, const struct ipaddr *ip,
                            vstr excluding_key, int64_t since_us);
struct usage_stats usage_country(const struct principals *t, const char cc[2], vstr excluding_key,
                                 int64_t since_us);
/* The first operation time seen organisation-wide (TIME_NONE before
 * any): how much history an analytic can rely on. */
int64_t principals_history_start(const struct principals *t);

/* Counters for the summary. */
size_t principals_count(const struct principals *t);
uint64_t principals_evicted(const struct principals *t);
uint64_t usage_evicted(const struct principals *t);

/* Persist / restore everything in one blob under (detector, "principals").
 * load returns 0 (also when the store holds nothing), -1 on a store error;
 * a blob this build cannot read is ignored with a note in err (the
 * profiles start afresh) and 1 is returned. */
int principals_save(const struct principals *t, struct store *st, const char *detector);
int principals_load(struct principals *t, struct store *st, const char *detector, char *err, size_t errlen);

/* Iterate every profile (unspecified order). */
void principals_each(const struct principals *t, void (*fn)(void *ud, const struct principal *p), void *ud);
#endif
