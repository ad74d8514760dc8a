#include <inttypes.h>
#include <stdlib.h>
#include <unistd.h>

#include "decode/decoder.h"

#define MAX_REASONS 64

struct reason_count {
    const char *reason;
    uint64_t count;
    const char *first_input;
    uint64_t first_offset;
};

struct rejects {
    unsigned print_first;
    FILE *out;
    bool on_terminal;                   /* a progress line may be showing there */
    uint64_t total;
    struct reason_count reasons[MAX_REASONS];
    unsigned n_reasons;
};

struct rejects *rejects_new(unsigned print_first, FILE *out) {
    struct rejects *rj = calloc(1, sizeof *rj);
    if (!rj) abort();
    rj->print_first = print_first;
    rj->out = out;
    rj->on_terminal = out && isatty(fileno(out));
    return rj;
}

void rejects_free(struct rejects *rj) { free(rj); }

static struct reason_count *slot(struct rejects *rj, const char *reason) {
    for (unsigned i = 0; i < rj->n_reasons; i++)
        if (rj->reasons[i].reason == reason) return &rj->reasons[i];
    if (rj->n_reasons == MAX_REASONS) return &rj->reasons[MAX_REASONS - 1];
    struct reason_count *r = &rj->reasons[rj->n_reasons++];
    r->reason = reason;
    return r;
}

void rejects_add(struct rejects *rj, const char *input, uint64_t offset, const char *reason, vstr detail) {
    struct reason_count *r = slot(rj, reason);
    if (r->count++ == 0) { r->first_input = input; r->first_offset = offset; }
    if (rj->total++ < rj->print_first && rj->out) {
        /* Detail is attacker-controlled: print a short, sanitised excerpt. */
        char shown[81];
        size_t n = 0;
        for (size_t i = 0; i < detail.n && n < sizeof shown - 1; i++) {
            unsigned char c = (unsigned char)detail.p[i];
            shown[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
        }
        shown[n] = 0;
        /* erase a progress line first, or the report lands in its middle */
        if (rj->on_terminal) fputs("\r\033[K", rj->out);
        fprintf(rj->out, "vigil: rejected %s at offset %" PRIu64 ": %s%s%s%s\n", input, offset, reason,
                n ? " (" : "", shown, n ? (detail.n > n ? "...)" : ")") : "");
        if (rj->total == rj->print_first)
            fprintf(rj->out, "vigil: further rejected records are counted in the summary\n");
    }
}

uint64_t rejects_total(const struct rejects *rj) { return rj->total; }

void rejects_summary(const struct rejects *rj, buf *out) {
    for (unsigned i = 0; i < rj->n_reasons; i++) {
        const struct reason_count *r = &rj->reasons[i];
        buf_printf(out, "  rejected %" PRIu64 " record%s: %s (first: %s offset %" PRIu64 ")\n", r->count,
                   r->count == 1 ? "" : "s", r->reason, r->first_input, r->first_offset);
    }
}
