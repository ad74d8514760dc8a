/* libFuzzer target: the ECS process decoder on arbitrary bytes cut into
 * lines (the dotted-path walk, string-or-array fields, numbers as text). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"
#include "decode/json.h"

extern const struct decoder_ops ecs_decoder;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size + JSON_PADDING);
    if (!text) return 0;
    memcpy(text, data, size);
    memset(text + size, 0, JSON_PADDING);
    struct rejects *rj = rejects_new(0, NULL);
    void *dec = ecs_decoder.create("fuzz", rj);
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && text[i] != '\n') continue;
        struct record rec = { .p = text + start, .len = i - start, .cap = size + JSON_PADDING - start, .offset = start };
        struct event ev;
        ecs_decoder.begin(dec, &rec);
        while (ecs_decoder.next(dec, &ev)) {
            const struct proc_exec *p = ev.u.proc;
            volatile size_t sink = p->exe.n + p->command_line.n + p->name.n + p->container_id.n;
            for (uint32_t k = 0; k < p->argc; k++) sink += p->argv[k].n;
            if (p->command_line.n) sink += (unsigned char)p->command_line.p[p->command_line.n - 1];
            (void)sink;
        }
        start = i + 1;
    }
    buf b;
    buf_init(&b);
    ecs_decoder.report(dec, &b);
    buf_free(&b);
    ecs_decoder.destroy(dec);
    rejects_free(rj);
    free(text);
    return 0;
}
