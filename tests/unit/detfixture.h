/* A detector under test: configuration, empty enrichment, a real
 * aggregator that keeps what it emits (types, entities, the JSON lines),
 * and the watermark ticked as vigil scan ticks it. Shared by the unit tests
 * of the log-layer detectors (test_arm.c, test_keyvault.c). */
#ifndef VIGIL_TEST_DETFIXTURE_H
#define VIGIL_TEST_DETFIXTURE_H
#include <stdio.h>
#include <string.h>

#include "alert/alert.h"
#include "config/config.h"
#include "detect/detector.h"
#include "enrich/geoip.h"
#include "enrich/intel.h"
#include "enrich/inventory.h"
#include "enrich/containers.h"
#include "enrich/proctree.h"
#include "util/timeutil.h"

#define DETFX_MAX_ALERTS 64

/* Event time of the tests: Monday 2 March 2026, and steps from it. */
#define T0 INT64_C(1772409600000000)
#define DAY(n) (T0 + (int64_t)(n) * US_PER_DAY)
#define HOUR(n) ((int64_t)(n) * US_PER_HOUR)
#define MIN(n) ((int64_t)(n) * US_PER_MIN)

struct fixture {
    const struct detector *d;
    struct vigil_config cfg;
    struct intel *intel;
    struct inventory *inv;
    struct geoip *geo;
    struct proctree *procs;             /* ancestry from the EV_PROC_EXEC events fed so far */
    struct containers *containers;      /* from the EV_CONTAINER and EV_PROC_EXEC events fed so far */
    struct aggregator *ag;
    struct detect_ctx ctx;
    void *det;
    int n_alerts;
    char types[DETFX_MAX_ALERTS][48], entities[DETFX_MAX_ALERTS][64];
    buf json;                           /* every alert, a JSON line each */
    uint64_t offset;                    /* the next record's offset, for evidence */
};

static void detfx_collect(void *ud, const struct alert *a) {
    struct fixture *fx = ud;
    if (fx->n_alerts < DETFX_MAX_ALERTS) {
        snprintf(fx->types[fx->n_alerts], 48, "%s", a->cat->type);
        snprintf(fx->entities[fx->n_alerts], 64, "%.*s", (int)a->entity.n, a->entity.p);
    }
    fx->n_alerts++;
    alert_to_json(a, &fx->json);
    buf_putc(&fx->json, '\n');
}

/* (Re)start the detector and its aggregator over fx->cfg as it stands. */
static void detfx_start(struct fixture *fx) {
    fx->ag = aggregator_new(&fx->cfg, detfx_collect, fx);
    fx->ctx = (struct detect_ctx){ .cfg = &fx->cfg, .alerts = fx->ag, .watermark_us = TIME_NONE,
                                   .intel = fx->intel, .inventory = fx->inv, .geoip = fx->geo,
                                   .procs = fx->procs, .containers = fx->containers };
    fx->det = fx->d->create(&fx->cfg);
}

static void detfx_stop(struct fixture *fx) {
    fx->d->destroy(fx->det);
    aggregator_free(fx->ag);
}

static struct fixture *detfx_new(const struct detector *d) {
    struct fixture *fx = test_calloc(1, sizeof *fx);
    fx->d = d;
    config_defaults(&fx->cfg);
    fx->intel = intel_new();
    fx->inv = inventory_new();
    fx->geo = geoip_new();
    fx->procs = proctree_new(fx->cfg.max_processes);
    fx->containers = containers_new(&(struct containers_options){
        .max_containers = fx->cfg.max_containers,
        .link_window_us = fx->cfg.host.run_link_window_us,
        .runtime_processes = &fx->cfg.host.runtime_processes,
    });
    buf_init(&fx->json);
    detfx_start(fx);
    return fx;
}

static void detfx_free(struct fixture *fx) {
    detfx_stop(fx);
    intel_free(fx->intel);
    inventory_free(fx->inv);
    geoip_free(fx->geo);
    proctree_free(fx->procs);
    containers_free(fx->containers);
    config_free(&fx->cfg);
    buf_free(&fx->json);
    test_free(fx);
}

/* One event, after moving the watermark to it and recording a process
 * start in the tree, as the pipeline does. */
static void detfx_event(struct fixture *fx, struct event *ev) {
    ev->pos = (struct source_pos){ "test.json", fx->offset += 700, 0 };
    if (fx->ctx.watermark_us == TIME_NONE || ev->time_us > fx->ctx.watermark_us) {
        fx->ctx.watermark_us = ev->time_us;
        if (fx->d->on_tick) fx->d->on_tick(fx->det, ev->time_us, &fx->ctx);
    }
    proctree_observe(fx->procs, ev);
    containers_observe(fx->containers, ev);
    fx->d->on_event(fx->det, ev, &fx->ctx);
}

/* End of input: every open window judged, every alert handed out. */
static void detfx_finish(struct fixture *fx) {
    fx->d->on_end(fx->det, &fx->ctx);
    aggregator_flush(fx->ag);
}

static int detfx_count(const struct fixture *fx, const char *type) {
    int n = 0;
    for (int i = 0; i < fx->n_alerts && i < DETFX_MAX_ALERTS; i++) n += strcmp(fx->types[i], type) == 0;
    return n;
}
/* cmocka's setup and teardown for a test file about one detector. */
#define DETFX_SETUP(detector)                                               \
    static int setup(void **state) { *state = detfx_new(&(detector)); return 0; } \
    static int teardown(void **state) { detfx_free(*state); return 0; }
#endif
