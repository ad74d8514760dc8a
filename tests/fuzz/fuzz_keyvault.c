/* libFuzzer target: the Key Vault layer end to end on arbitrary bytes.
 * Lines go through the AuditEvent decoder into the keyvault detector
 * (vault profiles, windows, every analytic) with the watermark ticking as
 * vigil scan ticks it, and the summary at the end: where a slice kept too
 * long, or window arithmetic on a hostile timestamp, shows up. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "config/config.h"
#include "decode/decoder.h"
#include "decode/json.h"
#include "detect/detector.h"
#include "enrich/geoip.h"
#include "enrich/intel.h"
#include "enrich/inventory.h"
#include "util/timeutil.h"

extern const struct decoder_ops keyvault_decoder;
extern const struct detector keyvault_detector;

static void drop_alert(void *ud, const struct alert *a) {
    buf *out = ud;
    buf_clear(out);
    alert_to_json(a, out);
}

static void feed(void *det, struct detect_ctx *ctx, void *dec, const char *p, size_t len, size_t cap,
                 uint64_t offset) {
    struct record rec = { .p = p, .len = len, .cap = cap, .offset = offset };
    struct event ev;
    keyvault_decoder.begin(dec, &rec);
    while (keyvault_decoder.next(dec, &ev)) {
        if (ctx->watermark_us == TIME_NONE || ev.time_us > ctx->watermark_us) {
            ctx->watermark_us = ev.time_us;
            keyvault_detector.on_tick(det, ev.time_us, ctx);
        }
        keyvault_detector.on_event(det, &ev, ctx);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static struct vigil_config cfg;
    static bool configured;
    if (!configured) {
        config_defaults(&cfg);
        /* short learning and low floors so short inputs reach every analytic */
        cfg.keyvault.learning_period_us = 60 * US_PER_SEC;
        cfg.keyvault.list_min_secrets = 2;
        cfg.keyvault.pattern_min_ops = 2;
        cfg.keyvault.volume_min_ops = 2;
        cfg.keyvault.many_vaults_min = 2;
        cfg.keyvault.max_vaults = 64;
        cfg.keyvault.max_identities = 64;
        cfg.keyvault.max_members = 256;
        cfg.max_open_alerts = 64;           /* the aggregator sizes its table by it */
        configured = true;
    }
    char *text = malloc(size + JSON_PADDING);
    if (!text) return 0;
    memcpy(text, data, size);
    memset(text + size, 0, JSON_PADDING);

    buf last;
    buf_init(&last);
    struct intel *intel = intel_new();
    struct inventory *inv = inventory_new();
    struct geoip *geo = geoip_new();
    struct aggregator *ag = aggregator_new(&cfg, drop_alert, &last);
    struct detect_ctx ctx = { .cfg = &cfg, .alerts = ag, .watermark_us = TIME_NONE, .intel = intel,
                              .inventory = inv, .geoip = geo };
    struct rejects *rj = rejects_new(0, NULL);
    void *dec = keyvault_decoder.create("fuzz", rj);
    void *det = keyvault_detector.create(&cfg);

    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i == size || text[i] == '\n') {
            if (i > start) feed(det, &ctx, dec, text + start, i - start, size + JSON_PADDING - start, start);
            start = i + 1;
        }
    }
    keyvault_detector.on_end(det, &ctx);
    aggregator_flush(ag);
    buf report;
    buf_init(&report);
    keyvault_detector.report(det, &report);
    buf_free(&report);

    keyvault_detector.destroy(det);
    keyvault_decoder.destroy(dec);
    rejects_free(rj);
    aggregator_free(ag);
    geoip_free(geo);
    inventory_free(inv);
    intel_free(intel);
    buf_free(&last);
    free(text);
    return 0;
}
