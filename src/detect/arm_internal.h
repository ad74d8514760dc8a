/* Between the management layer's two files: detect/arm.c (the detector:
 * pairing of started and finished operations, principal profiles, the
 * toolkit, session and custom-role analytics) and detect/arm_location.c
 * (the three arm.location.* analytics, one group with one switch).
 *
 * arm.c turns each activity-log record into at most one struct arm_op,
 * once its outcome is known, enriches it once, and hands it to the
 * analytics before it updates the profiles: every analytic sees the
 * history as it stood before the operation. */
#ifndef VIGIL_ARM_INTERNAL_H
#define VIGIL_ARM_INTERNAL_H
#include <stdbool.h>
#include <stdint.h>
#include "detect/detector.h"
#include "enrich/geoip.h"
#include "enrich/intel.h"
#include "state/principal.h"
#include "util/buf.h"

struct arm_op {
    const struct event *ev;             /* the record analysed (with pos for evidence) */
    const struct mgmt_op *op;
    int64_t t_us;                       /* ev->time_us */
    enum mgmt_outcome outcome;          /* the outcome after pairing */
    vstr principal_key;                 /* object id, else caller, else appid; empty: nobody */
    vstr principal_display;             /* upn, name or caller for people */
    bool is_app;                        /* a service principal or managed identity */
    bool trusted;                       /* detectors.arm.trusted_principals */
    /* The caller address, when the record has one that says where a person
     * is: public, not an Azure-internal or private address. */
    bool public_ip;
    struct geoip_result geo;            /* geo.found false without --geoip or a public_ip */
    const struct intel_hit *tor_hit;    /* intel label tor at t, or NULL */
    const struct intel_hit *anon_hit;   /* intel label anonymizer at t, or NULL */
    const struct principal *prof;       /* profile before this operation; NULL: first sight */
};

/* The location analytics' own state (arm_location.c). */
struct arm_location;
struct arm_location *arm_location_new(const struct vigil_config *cfg);
void arm_location_free(struct arm_location *L);
/* Look at one operation; may emit arm.location.* alerts. tab gives the
 * organisation-wide usage (as it stood before this operation). */
void arm_location_on_op(struct arm_location *L, const struct arm_op *o, struct principals *tab,
                        struct detect_ctx *ctx);
/* Summary lines: what the analytics could not judge and why (no GeoIP,
 * learning, no public addresses). */
void arm_location_report(struct arm_location *L, buf *out);

/* ---- pairing of started and finished operations (detect/arm_pair.c) --
 * A started operation (BEGIN, ACCEPTED) is held, deep-copied, until its
 * outcome arrives under the same correlationId, operation and resource;
 * the outcome's record is then analysed once, completed with what only the
 * start carried (the request body, the caller address). A start whose
 * outcome does not come within the timeout is analysed as it is. */
struct arm_pair;
typedef void (*arm_pair_fn)(void *ud, const struct event *ev);
struct arm_pair *arm_pair_new(size_t max_pending, int64_t timeout_us);
void arm_pair_free(struct arm_pair *P);
/* Offer one record; fn is called (now or never for this record) with the
 * event to analyse: the record itself, or the completed outcome. */
void arm_pair_offer(struct arm_pair *P, const struct event *ev, arm_pair_fn fn, void *ud);
/* Release the starts whose outcome is overdue at watermark (all of them
 * when watermark is INT64_MAX), oldest first. */
void arm_pair_expire(struct arm_pair *P, int64_t watermark_us, arm_pair_fn fn, void *ud);
uint64_t arm_pair_paired(const struct arm_pair *P);     /* outcomes matched to a held start */
uint64_t arm_pair_unpaired(const struct arm_pair *P);   /* starts released without an outcome */
uint64_t arm_pair_overflow(const struct arm_pair *P);   /* starts released early at max_pending */

/* An alert with what every arm.* alert carries: the {principal} and {ip}
 * description values, the principal as compromised entity and account,
 * its object id, the address, the subscription and the client app id. */
struct alert;
struct alert *arm_alert_new(const char *type, const struct arm_op *o);

/* "Alice (alice@contoso.com)" style name for descriptions, into out. */
void arm_principal_label(const struct arm_op *o, buf *out);
#endif
