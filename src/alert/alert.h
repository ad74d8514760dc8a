/* The alert record (DESIGN.md "Alert record") and how detectors build one.
 *
 *   struct alert *a = alert_new("k8s.container.privileged", ev);
 *   alert_entity(a, "pods/default/web");     compromised entity
 *   alert_var(a, "actor", user);             description template values
 *   alert_entity_str(a, "account", user);    typed entities
 *   alert_prop_int(a, "containers", 2);      analytic-specific properties
 *   alert_emit(ctx->alerts, a);              hands ownership to the aggregator
 *
 * Every string is copied into the alert, so a detector may build an alert
 * from an event's slices and let the event go. */
#ifndef VIGIL_ALERT_H
#define VIGIL_ALERT_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "alert/catalog.h"
#include "event.h"
#include "util/arena.h"
#include "util/buf.h"

#define ALERT_MAX_VARS 16
#define ALERT_MAX_EVIDENCE 16

struct evidence {
    vstr input, summary;
    uint64_t offset;
    uint32_t item;                      /* 0: the record at offset is the event */
};

struct alert {
    const struct catalog_entry *cat;
    int64_t time_start_us, time_end_us;
    int64_t count;
    vstr entity;                        /* compromised_entity */
    struct template_var vars[ALERT_MAX_VARS];
    uint32_t n_vars;
    buf entities;                       /* JSON members, without braces */
    buf props;                          /* JSON members, without braces */
    struct evidence evidence[ALERT_MAX_EVIDENCE];
    uint32_t n_evidence;
    uint64_t evidence_dropped;
    arena mem;                          /* copies of every string above */
    char id[33];
};

/* type must be in the catalog (aborts otherwise: a programming error).
 * ev supplies the alert's time (may be NULL: time 0); add evidence with
 * alert_evidence. */
struct alert *alert_new(const char *type, const struct event *ev);
void alert_free(struct alert *a);

void alert_entity(struct alert *a, vstr compromised_entity);
void alert_var(struct alert *a, const char *name, vstr value);
void alert_entity_str(struct alert *a, const char *key, vstr value);
void alert_entity_strs(struct alert *a, const char *key, const vstr *values, size_t n);
void alert_prop_str(struct alert *a, const char *key, vstr value);
void alert_prop_strs(struct alert *a, const char *key, const vstr *values, size_t n);
void alert_prop_int(struct alert *a, const char *key, int64_t v);
void alert_prop_num(struct alert *a, const char *key, double v);
void alert_prop_bool(struct alert *a, const char *key, bool v);
void alert_prop_raw(struct alert *a, const char *key, vstr json);   /* json must be valid */
void alert_evidence(struct alert *a, const struct event *ev, vstr summary);
/* Evidence from a record seen earlier (a container's start, the command
 * line that made it): its position was kept, the event is gone. */
void alert_evidence_at(struct alert *a, const struct source_pos *pos, vstr summary);

/* The JSON line of DESIGN.md, without the trailing newline. */
void alert_to_json(const struct alert *a, buf *out);

/* ---- aggregation of repeats -------------------------------------------
 * The same type about the same entity inside the aggregation window is one
 * alert whose count and time_end grow. Alerts leave the aggregator when
 * their window has closed behind the event-time watermark, or at the end,
 * in a deterministic order (time_start, then id). */
struct aggregator;
typedef void (*alert_sink_fn)(void *ud, const struct alert *a);

struct vigil_config;
/* Whether cfg lets alerts of this type out (alerts.disabled_types, groups). */
bool alert_type_enabled(const struct vigil_config *cfg, const char *type);
/* cfg gives the window, the bounds and the disabled types; it must outlive
 * the aggregator. */
struct aggregator *aggregator_new(const struct vigil_config *cfg, alert_sink_fn sink, void *ud);
void aggregator_free(struct aggregator *ag);
/* Takes ownership of a. Disabled types are dropped (see alert_type_enabled). */
void alert_emit(struct aggregator *ag, struct alert *a);
void aggregator_advance(struct aggregator *ag, int64_t watermark_us);
void aggregator_flush(struct aggregator *ag);
uint64_t aggregator_emitted(const struct aggregator *ag);
uint64_t aggregator_merged(const struct aggregator *ag);
void aggregator_severity_counts(const struct aggregator *ag, uint64_t counts[4]);
#endif
