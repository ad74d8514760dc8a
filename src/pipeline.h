/* The part of vigil that every command shares once its inputs have been
 * decoded into events:
 *
 *   events -> watermark -> detectors (+ enrichment) -> aggregator
 *          -> JSON-lines alerts (+ store)
 *
 * scan feeds it events merged by event time from files; run feeds them as
 * datagrams arrive. Either way the pipeline keeps the event-time watermark
 * (the highest event time seen), ticks the detectors as it advances and
 * closes alerts once it has passed their window by the allowed lateness.
 *
 * Ownership: the pipeline owns the detectors, the aggregator, the alert
 * output (unless it is stdout), the store and the enrichment it loaded.
 * The configuration stays the caller's and must outlive the pipeline. */
#ifndef VIGIL_PIPELINE_H
#define VIGIL_PIPELINE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config/config.h"
#include "event.h"
#include "util/buf.h"

struct pipeline_options {
    const char *who;                    /* prefix of error lines: "vigil scan" */
    const struct vigil_config *cfg;
    const char *state_dir;              /* NULL: start from empty baselines, keep nothing */
    const char *out_path;               /* alerts; NULL: stdout */
    bool append;                        /* append to out_path rather than replace it */
    const char *const *intel;           /* "[LABEL=]FILE" each */
    size_t n_intel;
    const char *const *geoip;           /* MaxMind DB files, merged into one handle */
    size_t n_geoip;
    const char *inventory_path;         /* NULL: none */
    /* Start the watermark where the last run saved it (a daemon that
     * restarts); scan starts from nothing so that replays are identical. */
    bool resume_watermark;
    /* Write each alert out as soon as it closes (a daemon), rather than
     * through a full stdio buffer. */
    bool flush_each_alert;
};

struct pipeline;

/* NULL after one line on stderr (an unreadable threat-intel or inventory
 * file, a state directory that cannot be opened or loaded, an output that
 * cannot be written, a GeoIP database that is unreadable or corrupt): the
 * caller exits 2. */
struct pipeline *pipeline_open(const struct pipeline_options *o);
void pipeline_close(struct pipeline *p);

/* Analyse one event. Returns true when it came later than the allowed
 * lateness behind the watermark (it is analysed all the same). */
bool pipeline_event(struct pipeline *p, const struct event *ev);
/* Move the watermark forward without an event (a quiet stream); does
 * nothing unless watermark_us is later than the current one. */
void pipeline_advance(struct pipeline *p, int64_t watermark_us);
/* TIME_NONE until the first event (or a resumed watermark). */
int64_t pipeline_watermark(const struct pipeline *p);

/* Save detector state and the alerts so far in one transaction, then
 * start the next one. 0, or -1 after one line on stderr (the state of the
 * last checkpoint is kept whole). Without a state directory, 0. */
int pipeline_checkpoint(struct pipeline *p);
/* End of input: a last tick at the final watermark, every open alert
 * written out, state saved. 0, or -1 when the state could not be saved
 * (one line on stderr). */
int pipeline_finish(struct pipeline *p);

uint64_t pipeline_events(const struct pipeline *p);
uint64_t pipeline_alerts(const struct pipeline *p);   /* written out so far */
/* Summary lines: enrichment loaded, what the detectors could not see,
 * alerts by severity, the state directory. */
void pipeline_report(const struct pipeline *p, buf *out);
#endif
