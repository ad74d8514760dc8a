/* libFuzzer target: the container runtime decoders on arbitrary bytes.
 * The first byte picks the decoder (bit 0: docker-events or
 * docker-inspect) and the framing (bit 1: lines, as JSON lines and the
 * text form arrive, or the whole input as one record, as a pretty-printed
 * object or a docker inspect array arrives under FRAME_DOCUMENTS). Every
 * slice of every event is read, so a slice past its record shows up. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"
#include "decode/json.h"

extern const struct decoder_ops docker_events_decoder;
extern const struct decoder_ops docker_inspect_decoder;

static size_t touch(vstr s) {
    size_t sum = s.n;
    if (s.n) sum += (unsigned char)s.p[0] + (unsigned char)s.p[s.n - 1];
    return sum;
}

static size_t touch_list(const vstr *v, uint32_t n) {
    size_t sum = 0;
    for (uint32_t i = 0; i < n; i++) sum += touch(v[i]);
    return sum;
}

static void read_event(const struct container_event *c) {
    volatile size_t sink = touch(c->host) + touch(c->type) + touch(c->action) + touch(c->exec_command) + touch(c->id) +
                           touch(c->image) + touch(c->name) + touch(c->exec_id) + touch(c->pod_name) +
                           touch(c->pod_namespace) + touch(c->k8s_container) + touch(c->scope) + touch(c->pid_mode) +
                           touch(c->network_mode) + touch(c->ipc_mode) + touch(c->userns_mode) + touch(c->user);
    for (uint32_t i = 0; i < c->n_attributes; i++) sink += touch(c->attributes[i].key) + touch(c->attributes[i].value);
    for (uint32_t i = 0; i < c->n_mounts; i++) sink += touch(c->mounts[i].source) + touch(c->mounts[i].destination);
    sink += touch_list(c->cap_add, c->n_cap_add) + touch_list(c->security_opt, c->n_security_opt) +
            touch_list(c->devices, c->n_devices) + touch_list(c->cmd, c->n_cmd);
    (void)sink;
}

static void feed(const struct decoder_ops *ops, void *dec, const char *p, size_t len, size_t cap, uint64_t offset) {
    struct record rec = { .p = p, .len = len, .cap = cap, .offset = offset };
    struct event ev;
    ops->begin(dec, &rec);
    while (ops->next(dec, &ev)) read_event(ev.u.container);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const struct decoder_ops *ops = data[0] & 1 ? &docker_inspect_decoder : &docker_events_decoder;
    bool whole = data[0] & 2;
    data++;
    size--;
    char *text = malloc(size + JSON_PADDING);
    if (!text) return 0;
    memcpy(text, data, size);
    memset(text + size, 0, JSON_PADDING);
    struct rejects *rj = rejects_new(0, NULL);
    void *dec = ops->create("fuzz", rj);
    if (whole) {
        feed(ops, dec, text, size, size + JSON_PADDING, 0);
    } else {
        size_t start = 0;
        for (size_t i = 0; i <= size; i++) {
            if (i < size && text[i] != '\n') continue;
            feed(ops, dec, text + start, i - start, size + JSON_PADDING - start, start);
            start = i + 1;
        }
    }
    buf b;
    buf_init(&b);
    ops->report(dec, &b);
    buf_free(&b);
    ops->destroy(dec);
    rejects_free(rj);
    free(text);
    return 0;
}
