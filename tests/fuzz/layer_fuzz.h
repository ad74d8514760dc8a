/* The driver of the end-to-end fuzz targets (fuzz_arm.c, fuzz_keyvault.c):
 * arbitrary bytes, cut into lines as vigil scan frames JSON lines, through
 * one decoder into one detector with the watermark ticking as the pipeline
 * ticks it, then the end of input and the summary. Held state outlives the
 * decoder's record, so this is where a slice kept too long, or window
 * arithmetic on a hostile timestamp, shows up. */
#ifndef VIGIL_LAYER_FUZZ_H
#define VIGIL_LAYER_FUZZ_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "config/config.h"
#include "decode/decoder.h"
#include "decode/json.h"
#include "detect/detector.h"
#include "enrich/containers.h"
#include "enrich/geoip.h"
#include "enrich/intel.h"
#include "enrich/inventory.h"
#include "enrich/proctree.h"
#include "util/timeutil.h"

static void layer_fuzz_drop_alert(void *ud, const struct alert *a) {
    buf *out = ud;
    buf_clear(out);
    alert_to_json(a, out);              /* every alert is rendered: templates, escaping */
}

static void layer_fuzz_feed(const struct decoder_ops *dec_ops, void *dec, const struct detector *det_ops, void *det,
                            struct detect_ctx *ctx, struct proctree *procs, const char *p, size_t len, size_t cap,
                            uint64_t offset) {
    struct record rec = { .p = p, .len = len, .cap = cap, .offset = offset };
    struct event ev;
    dec_ops->begin(dec, &rec);
    while (dec_ops->next(dec, &ev)) {
        if (ctx->watermark_us == TIME_NONE || ev.time_us > ctx->watermark_us) {
            ctx->watermark_us = ev.time_us;
            if (det_ops->on_tick) det_ops->on_tick(det, ev.time_us, ctx);
        }
        proctree_observe(procs, &ev);
        containers_observe(ctx->containers, &ev);
        det_ops->on_event(det, &ev, ctx);
    }
}

/* cfg: the target's configuration (small floors and learning periods, so
 * short inputs reach every analytic; max_open_alerts small, since the
 * aggregator sizes its table by it). */
static int layer_fuzz_run(const struct decoder_ops *dec_ops, const struct detector *det_ops,
                          const struct vigil_config *cfg, const uint8_t *data, size_t size) {
    char *text = malloc(size + JSON_PADDING);
    if (!text) return 0;
    memcpy(text, data, size);
    memset(text + size, 0, JSON_PADDING);
    buf last;
    buf_init(&last);
    struct intel *intel = intel_new();
    struct inventory *inv = inventory_new();
    struct geoip *geo = geoip_new();
    /* small, so a fuzz input can reach eviction */
    struct proctree *procs = proctree_new(64);
    struct aggregator *ag = aggregator_new(cfg, layer_fuzz_drop_alert, &last);
    struct containers *containers = containers_new(&(struct containers_options){
        .max_containers = 8, .link_window_us = cfg->host.run_link_window_us,
        .runtime_processes = &cfg->host.runtime_processes });
    struct detect_ctx ctx = { .cfg = cfg, .alerts = ag, .watermark_us = TIME_NONE, .intel = intel,
                              .inventory = inv, .geoip = geo, .procs = procs, .containers = containers };
    struct rejects *rj = rejects_new(0, NULL);
    void *dec = dec_ops->create("fuzz", rj);
    void *det = det_ops->create(cfg);
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i == size || text[i] == '\n') {
            if (i > start)
                layer_fuzz_feed(dec_ops, dec, det_ops, det, &ctx, procs, text + start, i - start, size + JSON_PADDING - start,
                                start);
            start = i + 1;
        }
    }
    if (dec_ops->flush) {
        /* a reassembling decoder (auditd) hands over what it held */
        dec_ops->flush(dec);
        struct event ev;
        while (dec_ops->next(dec, &ev)) {
            proctree_observe(procs, &ev);
            containers_observe(containers, &ev);
            det_ops->on_event(det, &ev, &ctx);
        }
    }
    det_ops->on_end(det, &ctx);
    aggregator_flush(ag);
    buf report;
    buf_init(&report);
    det_ops->report(det, &report);
    buf_free(&report);
    det_ops->destroy(det);
    dec_ops->destroy(dec);
    rejects_free(rj);
    aggregator_free(ag);
    geoip_free(geo);
    proctree_free(procs);
    containers_free(containers);
    inventory_free(inv);
    intel_free(intel);
    buf_free(&last);
    free(text);
    return 0;
}
#endif
