/* libFuzzer target: the container-host layer end to end on arbitrary
 * bytes. The first byte picks the decoder (auditd, ECS, docker events,
 * docker inspect), the rest is its input, and every event goes through the
 * process tree, the container table (8 entries, so eviction is reached)
 * and the host detector (tests/fuzz/layer_fuzz.h). */
#include "layer_fuzz.h"
#include "detect/sigset.h"

extern const struct decoder_ops auditd_decoder;
extern const struct decoder_ops ecs_decoder;
extern const struct decoder_ops docker_events_decoder;
extern const struct decoder_ops docker_inspect_decoder;
extern const struct detector host_detector;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const struct decoder_ops *const decoders[] = { &auditd_decoder, &ecs_decoder, &docker_events_decoder,
                                                          &docker_inspect_decoder };
    static struct vigil_config cfg;
    static bool configured;
    if (!configured) {
        sigset_use_backend("pcre2");    /* compiles per input in well under a millisecond */
        config_defaults(&cfg);
        cfg.max_open_alerts = 64;
        configured = true;
    }
    if (size < 1) return 0;
    const struct decoder_ops *dec = decoders[data[0] % (sizeof decoders / sizeof decoders[0])];
    return layer_fuzz_run(dec, &host_detector, &cfg, data + 1, size - 1);
}
