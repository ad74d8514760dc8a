/* The detector interface. One file per layer in src/detect/, each exporting
 * one const struct detector; detect/registry.c lists them in one static
 * table, so adding an analytic is one file and one line. */
#ifndef VIGIL_DETECTOR_H
#define VIGIL_DETECTOR_H
#include <stdint.h>
#include "config/config.h"
#include "event.h"
#include "util/buf.h"

struct store;
struct aggregator;
struct intel;
struct inventory;
struct geoip;
struct proctree;
struct containers;

/* What a detector sees besides the event. */
struct detect_ctx {
    const struct vigil_config *cfg;
    struct aggregator *alerts;
    int64_t watermark_us;               /* highest event time seen so far */
    /* Enrichment loaded from --intel / --inventory (or the daemon's
     * config); never NULL: empty when the user gave none. */
    const struct intel *intel;
    const struct inventory *inventory;
    /* --geoip databases; never NULL: empty (every lookup misses) when the
     * user gave none. */
    const struct geoip *geoip;
    /* Process ancestry learnt from process events so far (the current
     * event's process included); never NULL. */
    const struct proctree *procs;
    /* Containers learnt from container and process events so far (the
     * current event's included); never NULL. Detectors may set the flags
     * of an entry and count attributions, hence not const. */
    struct containers *containers;
};

struct detector {
    const char *name;                   /* config key: detectors.<name> */
    unsigned layers;                    /* enum layer bits it consumes */
    void *(*create)(const struct vigil_config *cfg);
    void (*destroy)(void *self);
    void (*on_event)(void *self, const struct event *ev, struct detect_ctx *ctx);
    /* Called as event time advances (at most once per event-time second)
     * and once at the end with the final watermark; may be NULL. */
    void (*on_tick)(void *self, int64_t watermark_us, struct detect_ctx *ctx);
    /* Called once when the input is over (the end of a scan, a daemon's
     * shutdown), after the last on_tick: windows still open are evaluated
     * now, since no more records will come for them. May be NULL. */
    void (*on_end)(void *self, struct detect_ctx *ctx);
    int (*load)(void *self, struct store *st);        /* may be NULL */
    int (*save)(void *self, struct store *st);        /* may be NULL */
    /* Lines for the summary: what this detector could not see in the
     * input (e.g. audit events without objects). May be NULL. */
    void (*report)(void *self, buf *out);
};

extern const struct detector *const detector_registry[];
extern const unsigned detector_registry_count;
bool detector_enabled(const struct detector *d, const struct vigil_config *cfg);
#endif
