/* libFuzzer target: the auditd decoder on arbitrary bytes cut into lines,
 * as vigil scan frames audit.log, then the end of input. Held records
 * outlive their line (the pending table), so this is where a slice kept
 * too long, the hex and argument-piece decoding, and the table's
 * bookkeeping (eviction, backward-shift deletion) get exercised. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"
#include "decode/json.h"

extern const struct decoder_ops auditd_decoder;

static void drain(void *dec) {
    struct event ev;
    while (auditd_decoder.next(dec, &ev)) {
        const struct proc_exec *p = ev.u.proc;
        /* touch every byte a detector may read */
        volatile size_t sink = p->exe.n + p->command_line.n + p->cwd.n + p->host.n + p->user.n + p->audit_key.n;
        for (uint32_t i = 0; i < p->argc; i++) sink += p->argv[i].n ? (unsigned char)p->argv[i].p[p->argv[i].n - 1] : 0;
        if (p->command_line.n) sink += (unsigned char)p->command_line.p[p->command_line.n - 1];
        (void)sink;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct rejects *rj = rejects_new(0, NULL);
    void *dec = auditd_decoder.create("fuzz", rj);
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && data[i] != '\n') continue;
        /* each line in its own allocation, freed at once: a pointer kept
         * into it is caught by ASan */
        size_t n = i - start;
        char *line = malloc(n + JSON_PADDING);
        if (!line) break;
        memcpy(line, data + start, n);
        memset(line + n, 0, JSON_PADDING);
        struct record rec = { .p = line, .len = n, .cap = n + JSON_PADDING, .offset = start };
        auditd_decoder.begin(dec, &rec);
        drain(dec);
        free(line);
        start = i + 1;
    }
    auditd_decoder.flush(dec);
    drain(dec);
    buf b;
    buf_init(&b);
    auditd_decoder.report(dec, &b);
    buf_free(&b);
    auditd_decoder.destroy(dec);
    rejects_free(rj);
    return 0;
}
