/* Hourly histories of per-entity counts, and robust baselines over them.
 *
 * An entity (a VM) has up to HOURLY_MAX_METRICS counts per clock hour
 * (connections to its busiest SSH peer, distinct RDP sources, ...). Most
 * hours most of them are zero, so a history keeps only the non-zero
 * (hour, metric, value) points plus the hours in which the entity was
 * observed: known to exist while the sensor saw traffic. A zero is an
 * observed hour without a point. An hour never observed (the VM did not
 * exist yet, the input has a gap) is neither a zero nor a value: it does
 * not count at all, so a gap in the telemetry cannot drag a baseline down.
 *
 * Hours are numbered from the Unix epoch (hour_of_us). Everything the
 * history holds is owned by it; memory per entity is bounded by the window
 * the owner forgets behind (hourly_forget_before) and by HOURLY_MAX_RUNS. */
#ifndef VIGIL_HOURLY_H
#define VIGIL_HOURLY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/buf.h"

#define HOURLY_MAX_METRICS 32
/* Observed spans kept per entity; a VM that comes and goes more often than
 * this inside one window loses its oldest spans first. */
#define HOURLY_MAX_RUNS 64

struct hourly_point {
    int32_t hour;
    uint8_t metric;
    uint32_t value;                     /* > 0 */
};

struct hourly_run { int32_t from, to; };   /* observed hours [from, to) */

struct hourly {
    struct hourly_run *runs;            /* sorted, disjoint, not touching */
    uint32_t n_runs, cap_runs;
    struct hourly_point *pts;           /* sorted by (hour, metric) */
    uint32_t n_pts, cap_pts;
};

/* A growable array of counts, the scratch space of the statistics. */
struct u32vec { uint32_t *v; size_t n, cap; };
void u32vec_push(struct u32vec *a, uint32_t x);
void u32vec_free(struct u32vec *a);

static inline int32_t hour_of_us(int64_t t_us) {
    int64_t h = t_us / INT64_C(3600000000);
    if (t_us < 0 && h * INT64_C(3600000000) != t_us) h--;     /* floor, not truncation */
    return (int32_t)h;
}
static inline int64_t us_of_hour(int32_t hour) { return (int64_t)hour * INT64_C(3600000000); }

void hourly_init(struct hourly *h);
void hourly_free(struct hourly *h);
/* The entity existed, and was watched, during hour. Idempotent. */
void hourly_observe(struct hourly *h, int32_t hour);
/* A count for metric in hour (which becomes observed). Zero only observes;
 * a second value for the same (hour, metric) replaces the first. */
void hourly_set(struct hourly *h, int32_t hour, unsigned metric, uint32_t value);
/* Drop everything before hour (the window's start). */
void hourly_forget_before(struct hourly *h, int32_t hour);
/* Observed hours in [from, to). */
uint32_t hourly_observed(const struct hourly *h, int32_t from, int32_t to);
/* Append to *out the non-zero values of metric in [from, to); returns how
 * many were appended. The zeros of that span are
 * hourly_observed() minus that many. */
size_t hourly_values(const struct hourly *h, unsigned metric, int32_t from, int32_t to, struct u32vec *out);
/* Whether hour is observed. */
bool hourly_is_observed(const struct hourly *h, int32_t hour);

/* Serialisation (little-endian, self-delimiting); read returns false on a
 * malformed or truncated record and leaves h empty. */
void hourly_write(const struct hourly *h, buf *out);
bool hourly_read(struct hourly *h, const uint8_t **p, const uint8_t *end);

/* ---- robust statistics -------------------------------------------------
 * Median and MAD (median absolute deviation) of a multiset given as its
 * non-zero values plus a number of zeros, so that a history of 168 hours
 * with 3 busy ones costs 3 values, not 168. The median ignores the few
 * attack hours a history may already hold, where a mean would be dragged
 * up by them.
 *
 * Hourly counts are often bimodal: a CI runner or a gateway is busy in
 * working hours and idle at night. Median and MAD then describe the idle
 * majority, and every working hour would look abnormal. So the statistics
 * also carry a high quantile of the history (its busy hours), and the
 * threshold never falls below a margin over it: an hour no busier than the
 * VM's ordinary busy hours is not abnormal. */
struct robust {
    double median, mad;
    uint32_t busy;                      /* the percentile-th value (nearest rank) */
    uint64_t n;                         /* values + zeros */
};

/* values are reordered; percentile in 1..100 chooses busy. */
struct robust robust_stats(uint32_t *values, size_t n, uint64_t zeros, unsigned percentile);
/* The noise scale used against the median: 1.4826 x MAD (the standard
 * deviation a normal distribution with that MAD would have), but never
 * below sqrt(median), the Poisson noise of a count of that size, nor
 * below 1. Without the floors a perfectly regular history (MAD 0) would
 * alert on its first hour one above normal. */
double robust_spread(const struct robust *r);
/* The smallest count that is abnormal: above median + k x spread, above
 * busy x margin_percent / 100, and at least floor. */
uint32_t robust_threshold(const struct robust *r, uint32_t k, uint32_t margin_percent, uint32_t floor);
#endif
