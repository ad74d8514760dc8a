/* libFuzzer target: the container runtime command parsers (runtime_cmd.c)
 * on arbitrary bytes cut into an argv at NUL or newline, and the shell
 * word splitter on the whole input with small buffers. Every slice a parse
 * returns must lie inside the input, and every word inside the buffer the
 * splitter was given: a slice outside them traps. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/runtime_cmd.h"

#define MAX_ARGS 4096

static const char *lo, *hi;             /* the input copy: every slice lies in it */

static void inside(vstr v) {
    if (v.n && (v.p < lo || v.p + v.n > hi)) __builtin_trap();
}

static void check_run(const struct runtime_cmd *rc, uint32_t argc) {
    if (rc->cmd_at > argc) __builtin_trap();
    inside(rc->tool); inside(rc->image); inside(rc->name); inside(rc->target); inside(rc->user);
    for (uint32_t k = 0; k < rc->n_cap_add; k++) inside(rc->cap_add[k]);
    for (uint32_t k = 0; k < rc->n_security_opt; k++) inside(rc->security_opt[k]);
    for (uint32_t k = 0; k < rc->n_devices; k++) inside(rc->devices[k]);
    for (uint32_t k = 0; k < rc->n_mounts; k++) {
        inside(rc->mounts[k].source);
        inside(rc->mounts[k].destination);
    }
}

static void check_dockerd(const struct dockerd_cmd *d) {
    for (uint32_t k = 0; k < d->n_hosts; k++) {
        inside(d->hosts[k].spec);
        inside(d->hosts[k].addr);
        if (d->hosts[k].addr.n > d->hosts[k].spec.n) __builtin_trap();
    }
}

/* Split with a buffer of cap bytes and room for max words. */
static void split(vstr s, size_t cap, uint32_t max) {
    char *buf = cap ? malloc(cap) : NULL;
    vstr words[16];
    if (max > 16) max = 16;
    uint32_t n = runtime_split_words(s, buf, cap, words, max);
    if (n > max) __builtin_trap();
    size_t total = 0;
    for (uint32_t k = 0; k < n; k++) {
        if (words[k].n && (words[k].p < buf || words[k].p + words[k].n > buf + cap)) __builtin_trap();
        total += words[k].n;
    }
    if (total > cap) __builtin_trap();
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size ? size : 1);
    vstr *argv = malloc(MAX_ARGS * sizeof *argv);
    if (!text || !argv) { free(text); free(argv); return 0; }
    if (size) memcpy(text, data, size);
    lo = text;
    hi = text + size;
    uint32_t argc = 0;
    size_t start = 0;
    for (size_t i = 0; i <= size && argc < MAX_ARGS; i++) {
        if (i < size && text[i] != '\0' && text[i] != '\n') continue;
        argv[argc++] = (vstr){ text + start, i - start };
        start = i + 1;
    }
    struct runtime_cmd rc;
    if (runtime_cmd_parse(argv, argc, &rc)) check_run(&rc, argc);
    struct dockerd_cmd d;
    if (dockerd_cmd_parse(argv, argc, &d)) check_dockerd(&d);
    vstr all = { text, size };
    split(all, 0, 4);
    split(all, 7, 3);
    split(all, 64, 16);
    split(all, size, 16);
    free(argv);
    free(text);
    return 0;
}
