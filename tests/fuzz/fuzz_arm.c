/* libFuzzer target: the management layer end to end on arbitrary bytes: the
 * Azure Activity Log decoder into the arm detector (pairing, profiles,
 * every analytic, the location group; tests/fuzz/layer_fuzz.h). Held
 * starts outlive the decoder's record. */
#include "layer_fuzz.h"

extern const struct decoder_ops azure_activity_decoder;
extern const struct detector arm_detector;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static struct vigil_config cfg;
    static bool configured;
    if (!configured) {
        config_defaults(&cfg);
        cfg.arm.min_history_us = 60 * US_PER_SEC;
        cfg.arm.location_learning_us = 60 * US_PER_SEC;
        cfg.arm.microburst_min_resources = 2;
        cfg.arm.microburst_min_kinds = 2;
        cfg.arm.microburst_min_vms = 2;
        cfg.arm.azurite_min_types = 2;
        cfg.arm.powershell_min_ops = 1;
        cfg.arm.max_pending = 8;
        cfg.max_open_alerts = 64;
        configured = true;
    }
    return layer_fuzz_run(&azure_activity_decoder, &arm_detector, &cfg, data, size);
}
