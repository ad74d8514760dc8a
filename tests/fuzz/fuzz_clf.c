/* libFuzzer target: the common / combined access log decoder on arbitrary bytes (tests/fuzz/web_fuzz.h). */
#include "web_fuzz.h"

extern const struct decoder_ops clf_decoder;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return web_fuzz_run(&clf_decoder, data, size); }
