#include "pipeline.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "detect/detector.h"
#include "enrich/geoip.h"
#include "enrich/intel.h"
#include "enrich/inventory.h"
#include "enrich/containers.h"
#include "enrich/proctree.h"
#include "sink/jsonl.h"
#include "store/store.h"
#include "util/timeutil.h"

#define MAX_DETECTORS 32

struct pipeline {
    struct pipeline_options opt;
    const struct vigil_config *cfg;
    struct store *store;
    struct aggregator *ag;
    struct jsonl_sink sink;
    bool sink_open;
    FILE *out;
    const struct detector *det[MAX_DETECTORS];
    void *det_state[MAX_DETECTORS];
    unsigned n_det;
    struct detect_ctx ctx;
    struct intel *intel;                /* empty when none was given */
    struct inventory *inventory;
    struct geoip *geoip;                /* empty when none was given */
    struct proctree *procs;             /* ancestry for the detectors; always there */
    struct containers *containers;      /* container identity and privileges; always there */
    uint64_t container_events;
    uint64_t proc_events;
    int64_t last_tick_s;
    int64_t resumed_from;               /* watermark of the last run, or TIME_NONE */
    uint64_t events;
};

/* ---- opening ------------------------------------------------------------ */

/* Threat intel, the inventory and GeoIP: the detectors always get all
 * three, empty when the user gave none, so no analytic needs a NULL check. */
static int load_enrichment(struct pipeline *p) {
    char err[512];
    p->intel = intel_new();
    p->inventory = inventory_new();
    p->geoip = geoip_new();
    p->ctx.intel = p->intel;
    p->ctx.inventory = p->inventory;
    p->ctx.geoip = p->geoip;
    p->procs = proctree_new(p->cfg->max_processes);
    p->ctx.procs = p->procs;
    p->containers = containers_new(&(struct containers_options){
        .max_containers = p->cfg->max_containers,
        .link_window_us = p->cfg->host.run_link_window_us,
        .runtime_processes = &p->cfg->host.runtime_processes,
    });
    p->ctx.containers = p->containers;
    for (size_t i = 0; i < p->opt.n_geoip; i++) {
        if (geoip_open(p->geoip, p->opt.geoip[i], err, sizeof err) != 0) {
            fprintf(stderr, "%s: %s\n", p->opt.who, err);
            return -1;
        }
    }
    for (size_t i = 0; i < p->opt.n_intel; i++) {
        if (intel_load(p->intel, p->opt.intel[i], err, sizeof err) != 0) {
            fprintf(stderr, "%s: %s\n", p->opt.who, err);
            return -1;
        }
    }
    if (p->opt.inventory_path && inventory_load(p->inventory, p->opt.inventory_path, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", p->opt.who, err);
        return -1;
    }
    return 0;
}

static int open_output(struct pipeline *p) {
    const char *path = p->opt.out_path;
    p->out = stdout;
    if (path && !(p->out = fopen(path, p->opt.append ? "a" : "w"))) {
        fprintf(stderr, "%s: cannot write %s: %s\n", p->opt.who, path, strerror(errno));
        p->out = NULL;
        return -1;
    }
    /* A daemon's alerts must reach a pipe or a tailing reader when they
     * close, not when a 4 KiB buffer happens to fill up. */
    if (p->opt.flush_each_alert) setvbuf(p->out, NULL, _IOLBF, 0);
    return 0;
}

static int open_store(struct pipeline *p) {
    char err[512];
    if (!p->opt.state_dir) return 0;
    if (!(p->store = store_open(p->opt.state_dir, err, sizeof err))) {
        fprintf(stderr, "%s: %s\n", p->opt.who, err);
        return -1;
    }
    return 0;
}

static int start_detectors(struct pipeline *p) {
    for (unsigned i = 0; i < detector_registry_count && p->n_det < MAX_DETECTORS; i++) {
        const struct detector *d = detector_registry[i];
        if (!detector_enabled(d, p->cfg)) continue;
        void *st = d->create(p->cfg);
        if (!st) {      /* create said why (a signature list that does not compile) */
            fprintf(stderr, "%s: cannot start the %s detector\n", p->opt.who, d->name);
            return -1;
        }
        if (p->store && d->load && d->load(st, p->store) != 0) {
            fprintf(stderr, "%s: cannot load %s state from %s: %s\n", p->opt.who, d->name, p->opt.state_dir,
                    store_errmsg(p->store));
            d->destroy(st);
            return -1;
        }
        p->det[p->n_det] = d;
        p->det_state[p->n_det++] = st;
    }
    return 0;
}

static void resume_watermark(struct pipeline *p) {
    buf v;
    buf_init(&v);
    int64_t wm;
    /* "1970-01-01T00:00:00Z" is what a run that saw no event saves */
    if (store_meta_get(p->store, "watermark", &v) == 1 && time_parse(buf_vstr(&v), &wm) && wm > 0) {
        p->ctx.watermark_us = wm;
        p->last_tick_s = wm / US_PER_SEC;
        p->resumed_from = wm;
    }
    buf_free(&v);
}

struct pipeline *pipeline_open(const struct pipeline_options *o) {
    struct pipeline *p = calloc(1, sizeof *p);
    if (!p) abort();
    p->opt = *o;
    p->cfg = o->cfg;
    p->ctx.cfg = o->cfg;
    p->ctx.watermark_us = TIME_NONE;
    p->last_tick_s = 0;
    p->resumed_from = TIME_NONE;
    if (load_enrichment(p) || open_store(p) || open_output(p) || start_detectors(p)) {
        pipeline_close(p);
        return NULL;
    }
    if (p->store && o->resume_watermark) resume_watermark(p);
    jsonl_sink_init(&p->sink, p->out, p->store);
    p->sink_open = true;
    p->ag = aggregator_new(p->cfg, jsonl_sink_write, &p->sink);
    p->ctx.alerts = p->ag;
    if (p->store && store_begin(p->store) != 0) {
        fprintf(stderr, "%s: cannot write state in %s: %s\n", o->who, o->state_dir, store_errmsg(p->store));
        pipeline_close(p);
        return NULL;
    }
    return p;
}

void pipeline_close(struct pipeline *p) {
    if (!p) return;
    for (unsigned i = 0; i < p->n_det; i++) p->det[i]->destroy(p->det_state[i]);
    aggregator_free(p->ag);
    if (p->sink_open) jsonl_sink_fini(&p->sink);
    if (p->store) store_close(p->store);
    if (p->out && p->out != stdout) fclose(p->out);
    intel_free(p->intel);
    inventory_free(p->inventory);
    geoip_free(p->geoip);
    proctree_free(p->procs);
    containers_free(p->containers);
    free(p);
}

/* ---- events and time ---------------------------------------------------- */

static void tick(struct pipeline *p, int64_t watermark) {
    for (unsigned i = 0; i < p->n_det; i++)
        if (p->det[i]->on_tick) p->det[i]->on_tick(p->det_state[i], watermark, &p->ctx);
}

void pipeline_advance(struct pipeline *p, int64_t watermark_us) {
    if (watermark_us <= p->ctx.watermark_us && p->ctx.watermark_us != TIME_NONE) return;
    p->ctx.watermark_us = watermark_us;
    /* alerts stay open for late records up to the allowed lateness */
    aggregator_advance(p->ag, watermark_us - p->cfg->allowed_lateness_us);
    int64_t sec = watermark_us / US_PER_SEC;
    if (sec != p->last_tick_s) {
        p->last_tick_s = sec;
        tick(p, watermark_us);
    }
}

bool pipeline_event(struct pipeline *p, const struct event *ev) {
    bool late = p->ctx.watermark_us != TIME_NONE &&
                ev->time_us < p->ctx.watermark_us - p->cfg->allowed_lateness_us;
    pipeline_advance(p, ev->time_us);
    /* before the detectors, so the event's own process is in the tree */
    if (ev->kind == EV_PROC_EXEC) {
        proctree_observe(p->procs, ev);
        containers_observe(p->containers, ev);
        p->proc_events++;
    } else if (ev->kind == EV_CONTAINER) {
        containers_observe(p->containers, ev);
        p->container_events++;
    }
    for (unsigned i = 0; i < p->n_det; i++)
        if (p->det[i]->layers & ev->layer) p->det[i]->on_event(p->det_state[i], ev, &p->ctx);
    p->events++;
    return late;
}

int64_t pipeline_watermark(const struct pipeline *p) { return p->ctx.watermark_us; }

/* ---- saving ------------------------------------------------------------- */

static int save_state(struct pipeline *p) {
    for (unsigned i = 0; i < p->n_det; i++) {
        if (!p->det[i]->save || p->det[i]->save(p->det_state[i], p->store) == 0) continue;
        fprintf(stderr, "%s: cannot save %s state: %s\n", p->opt.who, p->det[i]->name, store_errmsg(p->store));
        store_rollback(p->store);
        return -1;
    }
    char wm[40];
    time_format(p->ctx.watermark_us == TIME_NONE ? 0 : p->ctx.watermark_us, wm, sizeof wm);
    store_meta_set(p->store, "watermark", wm);
    if (store_commit(p->store) != 0) {
        fprintf(stderr, "%s: cannot save state in %s: %s\n", p->opt.who, p->opt.state_dir, store_errmsg(p->store));
        return -1;
    }
    return 0;
}

int pipeline_checkpoint(struct pipeline *p) {
    if (!p->store) return 0;
    fflush(p->out);
    int rc = save_state(p);
    /* Whether or not that worked, the run goes on in a new transaction:
     * a failed checkpoint loses nothing the next one cannot save. */
    if (store_begin(p->store) != 0) {
        fprintf(stderr, "%s: cannot write state in %s: %s\n", p->opt.who, p->opt.state_dir,
                store_errmsg(p->store));
        return -1;
    }
    return rc;
}

int pipeline_finish(struct pipeline *p) {
    if (p->ctx.watermark_us != TIME_NONE) tick(p, p->ctx.watermark_us);
    for (unsigned i = 0; i < p->n_det; i++)
        if (p->det[i]->on_end) p->det[i]->on_end(p->det_state[i], &p->ctx);
    aggregator_flush(p->ag);
    fflush(p->out);
    return p->store ? save_state(p) : 0;
}

/* ---- reporting ---------------------------------------------------------- */

uint64_t pipeline_events(const struct pipeline *p) { return p->events; }

uint64_t pipeline_alerts(const struct pipeline *p) { return aggregator_emitted(p->ag); }

void pipeline_report(const struct pipeline *p, buf *b) {
    geoip_report(p->geoip, b);
    if (p->opt.n_intel) intel_report(p->intel, b);
    if (p->opt.inventory_path) inventory_report(p->inventory, b);
    if (p->proc_events) proctree_report(p->procs, b);
    if (p->proc_events || p->container_events) containers_report(p->containers, b);
    for (unsigned i = 0; i < p->n_det; i++)
        if (p->det[i]->report) p->det[i]->report(p->det_state[i], b);
    uint64_t sev[4];
    aggregator_severity_counts(p->ag, sev);
    buf_printf(b, "  alerts: %" PRIu64 " (high %" PRIu64 ", medium %" PRIu64 ", low %" PRIu64
                  ", informational %" PRIu64 "), %" PRIu64 " repeats aggregated\n",
               aggregator_emitted(p->ag), sev[SEV_HIGH], sev[SEV_MEDIUM], sev[SEV_LOW], sev[SEV_INFORMATIONAL],
               aggregator_merged(p->ag));
    if (!p->store) return;
    if (p->resumed_from == TIME_NONE) {
        buf_printf(b, "  state: %s\n", p->opt.state_dir);
        return;
    }
    char wm[40];
    time_format(p->resumed_from, wm, sizeof wm);
    buf_printf(b, "  state: %s (resumed at watermark %s)\n", p->opt.state_dir, wm);
}
