/* libFuzzer target: the App Service layer end to end on arbitrary bytes.
 * The first byte picks the decoder (W3C, App Service JSON, combined log,
 * ECS, auditd), the rest is its input, and every event goes through the
 * process tree and the appservice detector (tests/fuzz/layer_fuzz.h), with
 * windows and learning short enough that every analytic is reached. */
#include "layer_fuzz.h"
#include "detect/sigset.h"

extern const struct decoder_ops w3c_decoder;
extern const struct decoder_ops appservice_decoder;
extern const struct decoder_ops clf_decoder;
extern const struct decoder_ops ecs_decoder;
extern const struct decoder_ops auditd_decoder;
extern const struct detector appservice_detector;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const struct decoder_ops *const decoders[] = { &w3c_decoder, &appservice_decoder, &clf_decoder,
                                                          &ecs_decoder, &auditd_decoder };
    static struct vigil_config cfg;
    static bool configured;
    if (!configured) {
        /* The detector is created per input, and Hyperscan's set compile
         * (tens of ms a set) would leave a handful of runs a second;
         * PCRE2's backend compiles in well under a millisecond. */
        sigset_use_backend("pcre2");
        config_defaults(&cfg);
        struct appservice_config *c = &cfg.appservice;
        c->learning_period_us = 60 * US_PER_SEC;
        c->client_window_us = 30 * US_PER_SEC;
        c->cross_host_window_us = 60 * US_PER_SEC;
        c->cross_host_min_sites = 2;
        c->cross_host_min_paths = 1;
        c->scan_min_requests = 2;
        c->fingerprint_min_indicators = 1;
        c->fingerprint_min_cms = 1;
        c->require_web_parent = false;
        c->max_sites = 64;
        c->max_members = 256;
        c->max_clients = 32;
        c->max_cross_host_paths = 64;
        cfg.max_open_alerts = 64;
        configured = true;
    }
    if (size < 1) return 0;
    const struct decoder_ops *dec = decoders[data[0] % (sizeof decoders / sizeof decoders[0])];
    return layer_fuzz_run(dec, &appservice_detector, &cfg, data + 1, size - 1);
}
