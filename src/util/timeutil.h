/* Event time. Everything in vigil runs on event time, in microseconds since
 * the Unix epoch (UTC), never on the wall clock. */
#ifndef VIGIL_TIMEUTIL_H
#define VIGIL_TIMEUTIL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/str.h"

#define US_PER_SEC  INT64_C(1000000)
#define US_PER_MIN  (60 * US_PER_SEC)
#define US_PER_HOUR (3600 * US_PER_SEC)
#define US_PER_DAY  (86400 * US_PER_SEC)
#define TIME_NONE   INT64_MIN

/* RFC 3339 / ISO 8601: 2026-01-02T03:04:05[.frac](Z|+hh:mm|-hh:mm); also a
 * space instead of T, and a missing zone (taken as UTC). */
bool time_parse(vstr s, int64_t *out_us);
/* time_parse, or the .NET invariant-culture layout some Azure producers
 * write: M/d/yyyy H:mm:ss, or h:mm:ss AM|PM, then an optional fraction and
 * an optional +hh:mm / Z (none: UTC). Month first, as .NET writes it. */
bool time_parse_lenient(vstr s, int64_t *out_us);
/* "2026-01-02T03:04:05Z", or with .ffffff when the time has microseconds. */
void time_format(int64_t us, char *out, size_t cap);
/* "90s", "15m", "2h", "7d", "1w" or a bare number of seconds. */
bool duration_parse(vstr s, int64_t *out_us);
void duration_format(int64_t us, char *out, size_t cap);
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
#endif
