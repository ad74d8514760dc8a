/* libFuzzer target: the threat-intel loader on arbitrary bytes (every
 * format is told by content, so one input reaches all of them), then
 * lookups of addresses taken from the input and the report. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/intel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct intel *t = intel_new();
    char err[256];
    intel_load_mem(t, INTEL_MALICIOUS, "fuzz", (const char *)data, size, err, sizeof err);
    /* the same bytes again under another label: merging and chains */
    intel_load_mem(t, INTEL_TOR, "fuzz-tor", (const char *)data, size, err, sizeof err);
    for (size_t off = 0; off + 16 <= size && off < 16 * 64; off += 16) {
        struct ipaddr a;
        memcpy(a.b, data + off, 16);
        const struct intel_hit *h = intel_lookup(t, &a, INTEL_ANY, 0);
        if (h) {
            volatile size_t sink = h->plen + (h->name ? strlen(h->name) : 0) + (h->indicator ? strlen(h->indicator) : 0);
            (void)sink;
        }
        uint8_t v4[4];
        memcpy(v4, data + off, 4);
        ip_from_v4(&a, v4);
        intel_lookup(t, &a, INTEL_MALICIOUS, INT64_MAX - 1);
    }
    buf b;
    buf_init(&b);
    intel_report(t, &b);
    buf_free(&b);
    intel_free(t);
    return 0;
}
