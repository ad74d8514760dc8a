/* libFuzzer target: the Kubernetes audit decoder on arbitrary bytes, both
 * as JSON lines and as one whole document, the way vigil scan frames them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"
#include "decode/json.h"

extern const struct decoder_ops k8s_audit_decoder;

static void decode_all(void *dec, const char *p, size_t len, size_t cap, uint64_t offset) {
    struct record rec = { .p = p, .len = len, .cap = cap, .offset = offset };
    struct event ev;
    k8s_audit_decoder.begin(dec, &rec);
    while (k8s_audit_decoder.next(dec, &ev)) {
        /* touch what detectors touch */
        const struct k8s_audit *k = ev.u.k8s;
        volatile size_t sink = k->verb.n + k->obj.pod.n_containers + k->obj.n_rules;
        (void)sink;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *buf = malloc(size + JSON_PADDING);
    if (!buf) return 0;
    memcpy(buf, data, size);
    memset(buf + size, 0, JSON_PADDING);
    struct rejects *rj = rejects_new(0, NULL);
    void *dec = k8s_audit_decoder.create("fuzz", rj);
    /* as lines */
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i == size || buf[i] == '\n') {
            if (i > start) decode_all(dec, buf + start, i - start, size + JSON_PADDING - start, start);
            start = i + 1;
        }
    }
    /* as one document */
    decode_all(dec, buf, size, size + JSON_PADDING, 0);
    k8s_audit_decoder.destroy(dec);
    rejects_free(rj);
    free(buf);
    return 0;
}
