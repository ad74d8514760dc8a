/* libFuzzer target: the W3C extended log decoder on arbitrary bytes (tests/fuzz/web_fuzz.h). */
#include "web_fuzz.h"

extern const struct decoder_ops w3c_decoder;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return web_fuzz_run(&w3c_decoder, data, size); }
