/* libFuzzer target: the App Service diagnostic log decoder on arbitrary bytes (tests/fuzz/web_fuzz.h). */
#include "web_fuzz.h"

extern const struct decoder_ops appservice_decoder;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return web_fuzz_run(&appservice_decoder, data, size); }
