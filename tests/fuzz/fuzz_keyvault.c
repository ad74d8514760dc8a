/* libFuzzer target: the Key Vault layer end to end on arbitrary bytes: the
 * AuditEvent decoder into the keyvault detector (tests/fuzz/layer_fuzz.h). */
#include "layer_fuzz.h"

extern const struct decoder_ops keyvault_decoder;
extern const struct detector keyvault_detector;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static struct vigil_config cfg;
    static bool configured;
    if (!configured) {
        config_defaults(&cfg);
        cfg.keyvault.learning_period_us = 60 * US_PER_SEC;
        cfg.keyvault.list_min_secrets = 2;
        cfg.keyvault.pattern_min_ops = 2;
        cfg.keyvault.volume_min_ops = 2;
        cfg.keyvault.many_vaults_min = 2;
        cfg.keyvault.max_vaults = 64;
        cfg.keyvault.max_identities = 64;
        cfg.keyvault.max_members = 256;
        cfg.max_open_alerts = 64;
        configured = true;
    }
    return layer_fuzz_run(&keyvault_decoder, &keyvault_detector, &cfg, data, size);
}
