/* libFuzzer target: captures (pcap, pcapng) through libpcap and vigil's
 * link, IP and UDP parsing, every datagram into the flow decoder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/flow.h"
#include "decode/json.h"
#include "input/pcap.h"

struct mem { const uint8_t *p; size_t n, at; };

static ssize_t mem_read(void *ctx, char *dst, size_t n) {
    struct mem *m = ctx;
    size_t k = m->n - m->at < n ? m->n - m->at : n;
    memcpy(dst, m->p + m->at, k);
    m->at += k;
    return (ssize_t)k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct mem m = { data, size, 0 };
    char err[256];
    struct pcap_src *s = pcap_src_open(mem_read, &m, err, sizeof err);
    if (!s) return 0;
    struct rejects *rj = rejects_new(0, NULL);
    void *dec = pcap_decoder.create("fuzz", rj);
    char *copy = malloc(65536 + JSON_PADDING);
    struct pcap_datagram d;
    while (copy && pcap_src_next(s, &d) == 1) {
        memcpy(copy, d.p, d.len);
        memset(copy + d.len, 0, JSON_PADDING);
        struct record rec = { .p = copy, .len = d.len, .cap = d.len + JSON_PADDING, .offset = d.number,
                              .has_origin = true, .origin = d.src, .origin_port = d.src_port };
        struct event ev;
        pcap_decoder.begin(dec, &rec);
        while (pcap_decoder.next(dec, &ev)) {
            volatile uint64_t sink = ev.u.flow->packets;
            (void)sink;
        }
    }
    buf out;
    buf_init(&out);
    pcap_src_report(s, &out);
    buf_free(&out);
    free(copy);
    pcap_decoder.destroy(dec);
    rejects_free(rj);
    pcap_src_close(s);
    return 0;
}
