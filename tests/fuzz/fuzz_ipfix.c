/* libFuzzer target: the flow decoder on arbitrary bytes taken as one
 * record holding IPFIX (or v5/v9) messages back to back, first as a
 * datagram from an exporter, then as a file's record (another template
 * scope), through one decoder, so templates learnt by the first pass
 * meet the data of the second. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/flow.h"
#include "decode/json.h"

static void decode(void *dec, const char *p, size_t len, bool origin) {
    struct record rec = { .p = p, .len = len, .cap = len + JSON_PADDING, .offset = 7, .has_origin = origin };
    if (origin) {
        rec.origin.b[15] = 1;
        rec.origin_port = 4739;
    }
    struct event ev;
    ipfix_decoder.begin(dec, &rec);
    while (ipfix_decoder.next(dec, &ev)) {
        const struct flow *f = ev.u.flow;
        volatile uint64_t sink = f->packets + f->octets + (uint64_t)f->start_us + f->sampling + f->exporter->odid;
        (void)sink;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *copy = malloc(size + JSON_PADDING);
    if (!copy) return 0;
    memcpy(copy, data, size);
    memset(copy + size, 0, JSON_PADDING);
    struct rejects *rj = rejects_new(0, NULL);
    void *dec = ipfix_decoder.create("fuzz", rj);
    decode(dec, copy, size, true);
    decode(dec, copy, size, true);       /* the same again: refreshes, sequence */
    decode(dec, copy, size, false);
    buf out;
    buf_init(&out);
    ipfix_decoder.report(dec, &out);
    buf_free(&out);
    ipfix_decoder.destroy(dec);
    rejects_free(rj);
    free(copy);
    return 0;
}
