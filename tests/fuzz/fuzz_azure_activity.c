/* libFuzzer target: the Azure Activity Log decoder on arbitrary bytes, both
 * as JSON lines and as one whole document, the way vigil scan frames them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"
#include "decode/json.h"

extern const struct decoder_ops azure_activity_decoder;

/* Read every byte of a slice, so a slice into freed or reused memory is
 * caught by ASan here rather than in a detector. */
static size_t touch(vstr s) {
    size_t h = s.n;
    for (size_t i = 0; i < s.n; i++) h = h * 31 + (unsigned char)s.p[i];
    return h;
}

static void decode_all(void *dec, const char *p, size_t len, size_t cap, uint64_t offset) {
    struct record rec = { .p = p, .len = len, .cap = cap, .offset = offset };
    struct event ev;
    azure_activity_decoder.begin(dec, &rec);
    while (azure_activity_decoder.next(dec, &ev)) {
        /* touch what detectors touch */
        const struct mgmt_op *op = ev.u.mgmt;
        size_t n = touch(op->operation) + touch(op->caller) + touch(op->subscription) + touch(op->resource_group) +
                   touch(op->caller_ip_text) + touch(op->object_id) + touch(op->appid) + touch(op->evidence_principal_id);
        for (uint32_t i = 0; i < op->role_def.n_actions; i++) n += touch(op->role_def.actions[i]);
        for (uint32_t i = 0; i < op->role_def.n_assignable_scopes; i++) n += touch(op->role_def.assignable_scopes[i]);
        n += touch(op->assignment.principal_id) + touch(op->assignment.role_definition_id);
        volatile size_t sink = n;
        (void)sink;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *buf = malloc(size + JSON_PADDING);
    if (!buf) return 0;
    memcpy(buf, data, size);
    memset(buf + size, 0, JSON_PADDING);
    struct rejects *rj = rejects_new(0, NULL);
    void *dec = azure_activity_decoder.create("fuzz", rj);
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
    azure_activity_decoder.destroy(dec);
    rejects_free(rj);
    free(buf);
    return 0;
}
