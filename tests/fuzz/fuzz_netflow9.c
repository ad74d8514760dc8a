/* libFuzzer target: the flow decoder on a sequence of datagrams from one
 * exporter, the input cut as [2-byte length][datagram]..., so that a v9
 * template in one datagram meets its data (and options) in the next, the
 * way NetFlow v9 travels: it has no message length of its own. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/flow.h"
#include "decode/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct rejects *rj = rejects_new(0, NULL);
    void *dec = ipfix_decoder.create("fuzz", rj);
    char *dgram = malloc(65536 + JSON_PADDING);
    size_t at = 0;
    while (dgram && at + 2 <= size) {
        size_t n = (size_t)data[at] << 8 | data[at + 1];
        at += 2;
        if (n > size - at) n = size - at;
        memcpy(dgram, data + at, n);
        memset(dgram + n, 0, JSON_PADDING);
        at += n;
        struct record rec = { .p = dgram, .len = n, .cap = n + JSON_PADDING, .offset = at, .has_origin = true };
        rec.origin.b[10] = rec.origin.b[11] = 0xff;
        rec.origin.b[15] = 9;
        rec.origin_port = 2055;
        struct event ev;
        ipfix_decoder.begin(dec, &rec);
        while (ipfix_decoder.next(dec, &ev)) {
            const struct flow *f = ev.u.flow;
            volatile uint64_t sink = f->packets + f->octets + (uint64_t)f->end_us + f->sampling + f->template_id;
            (void)sink;
        }
    }
    buf out;
    buf_init(&out);
    ipfix_decoder.report(dec, &out);
    buf_free(&out);
    ipfix_decoder.destroy(dec);
    rejects_free(rj);
    free(dgram);
    return 0;
}
