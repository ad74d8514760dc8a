/* JSON-lines field-extraction harness (see bench/README.md).
 *
 *   jbench FILE [--engine NAME] [--passes N] [--warmup N] [--lines N] [--dump]
 *
 * Reads FILE (at most --lines lines) once into a 64-byte-aligned buffer with
 * JB_PADDING zero bytes after it, then times whole passes over it: each line
 * is found with memchr and handed to the engine, whose five extracted fields
 * are folded into a checksum (so the work cannot be optimised away, and the
 * candidates can be cross-checked: they must print the same checksum).
 *
 * --engine newline  times the memchr line scan alone (the floor: every other
 *                   candidate pays it too). Default: this binary's engine.
 * --dump            one untimed pass printing the fields as TSV, escaped as
 *                   jq's @tsv does, for a byte-for-byte comparison with jq.
 *
 * Prints one line of key=value pairs: bytes, lines, ok, bad, checksum,
 * load_s (reading the file), median_s / min_s / max_s over the timed passes. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jbench.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, const char *arg) {
    fprintf(stderr, "jbench: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
    exit(2);
}

/* Cheap, order-sensitive checksum over the extracted bytes: one multiply per
 * 8 bytes, so it costs every candidate the same few milliseconds. */
static inline uint64_t fold(uint64_t h, const struct jb_field *f) {
    const uint64_t k = 0x100000001b3ULL;
    if (!f->ok) return (h ^ 0xa5a5a5a5u) * k;
    size_t i = 0;
    uint64_t w;
    for (; i + 8 <= f->n; i += 8) {
        memcpy(&w, f->p + i, 8);
        h = (h ^ w) * k;
    }
    w = 0;
    memcpy(&w, f->p + i, f->n - i);
    return ((h ^ w) * k) ^ (f->n + 1);
}

struct pass { uint64_t lines, ok, bad, sum; };

static struct pass run_newline(const char *buf, size_t size) {
    struct pass r = {0, 0, 0, 0};
    const char *p = buf, *end = buf + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (len) {
            r.lines++;
            r.ok++;
            r.sum += len;
        }
        p += len + 1;
    }
    return r;
}

static struct pass run_engine(void *h, const char *buf, size_t size) {
    struct pass r = {0, 0, 0, 0};
    const char *p = buf, *end = buf + size, *lim = buf + size + JB_PADDING;
    uint64_t sum = 0xcbf29ce484222325ULL;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (len) {
            struct jb_rec rec;
            memset(&rec, 0, sizeof rec);
            r.lines++;
            if (jb_engine.line(h, p, len, (size_t)(lim - p), &rec) == 0) {
                r.ok++;
                for (int i = 0; i < JB_FIELDS; i++) sum = fold(sum, &rec.f[i]);
            } else {
                r.bad++;
            }
            if (jb_engine.end) jb_engine.end(h);
        }
        p += len + 1;
    }
    r.sum = sum;
    return r;
}

/* jq -r '[...] | @tsv' escaping: \ \t \n \r; absent (null) is empty. */
static void put_tsv(FILE *o, const struct jb_field *f) {
    if (!f->ok) return;
    for (size_t i = 0; i < f->n; i++) {
        char c = f->p[i];
        switch (c) {
        case '\\': fputs("\\\\", o); break;
        case '\t': fputs("\\t", o); break;
        case '\n': fputs("\\n", o); break;
        case '\r': fputs("\\r", o); break;
        default: putc(c, o);
        }
    }
}

static void dump(void *h, const char *buf, size_t size) {
    const char *p = buf, *end = buf + size, *lim = buf + size + JB_PADDING;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (len) {
            struct jb_rec rec;
            memset(&rec, 0, sizeof rec);
            if (jb_engine.line(h, p, len, (size_t)(lim - p), &rec) == 0) {
                for (int i = 0; i < JB_FIELDS; i++) {
                    if (i) putc('\t', stdout);
                    put_tsv(stdout, &rec.f[i]);
                }
                putc('\n', stdout);
            } else {
                fputs("#error\n", stdout);
            }
            if (jb_engine.end) jb_engine.end(h);
        }
        p += len + 1;
    }
}

static char *load(const char *path, size_t *size_out, long max_lines) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) die(strerror(errno), path);
    struct stat st;
    if (fstat(fd, &st) != 0) die(strerror(errno), path);
    size_t size = (size_t)st.st_size;
    void *mem = NULL;
    if (posix_memalign(&mem, 64, size + JB_PADDING) != 0) die("out of memory", NULL);
    char *buf = mem;
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die(strerror(errno), path);
        if (n == 0) break;
        got += (size_t)n;
    }
    close(fd);
    size = got;
    if (max_lines > 0) {
        const char *p = buf, *end = buf + size;
        for (long i = 0; i < max_lines && p < end; i++) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            p = nl ? nl + 1 : end;
        }
        size = (size_t)(p - buf);
    }
    memset(buf + size, 0, JB_PADDING);
    *size_out = size;
    return buf;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    const char *path = NULL, *engine = jb_engine.name;
    int passes = 5, warmup = 1, do_dump = 0;
    long max_lines = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--engine") && i + 1 < argc) engine = argv[++i];
        else if (!strcmp(a, "--passes") && i + 1 < argc) passes = atoi(argv[++i]);
        else if (!strcmp(a, "--warmup") && i + 1 < argc) warmup = atoi(argv[++i]);
        else if (!strcmp(a, "--lines") && i + 1 < argc) max_lines = atol(argv[++i]);
        else if (!strcmp(a, "--dump")) do_dump = 1;
        else if (a[0] != '-' && !path) path = a;
        else {
            fprintf(stderr, "usage: %s FILE [--engine newline|%s] [--passes N] [--warmup N] "
                            "[--lines N] [--dump]\n", argv[0], jb_engine.name);
            return 2;
        }
    }
    if (!path) die("no input file", NULL);
    if (passes < 1 || passes > 1000) die("bad --passes", NULL);
    int newline = !strcmp(engine, "newline");
    if (!newline && strcmp(engine, jb_engine.name)) die("this binary has no engine", engine);

    double t0 = now_s();
    size_t size;
    char *buf = load(path, &size, max_lines);
    double load_s = now_s() - t0;

    void *h = newline ? NULL : jb_engine.init();
    if (!newline && !h) die("engine init failed", engine);
    if (do_dump) {
        if (newline) die("--dump needs a parser engine", NULL);
        dump(h, buf, size);
        jb_engine.fini(h);
        free(buf);
        return 0;
    }

    struct pass r = {0, 0, 0, 0}, first = {0, 0, 0, 0};
    double *t = calloc((size_t)passes, sizeof *t);
    if (!t) die("out of memory", NULL);
    for (int i = -warmup; i < passes; i++) {
        double s = now_s();
        r = newline ? run_newline(buf, size) : run_engine(h, buf, size);
        double e = now_s() - s;
        if (i == -warmup) first = r;
        else if (r.sum != first.sum || r.ok != first.ok) die("passes disagree", engine);
        if (i >= 0) t[i] = e;
    }
    qsort(t, (size_t)passes, sizeof *t, cmp_d);
    double med = passes % 2 ? t[passes / 2] : (t[passes / 2 - 1] + t[passes / 2]) / 2;
    printf("engine=%s bytes=%zu lines=%" PRIu64 " ok=%" PRIu64 " bad=%" PRIu64
           " checksum=%016" PRIx64 " load_s=%.6f median_s=%.6f min_s=%.6f max_s=%.6f passes=%d\n",
           engine, size, r.lines, r.ok, r.bad, r.sum, load_s, med, t[0], t[passes - 1], passes);
    if (!newline) jb_engine.fini(h);
    free(t);
    free(buf);
    return 0;
}
