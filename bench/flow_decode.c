/* Decode-alone harness of the flow benchmark (bench/README.md, "Flows").
 *
 *   flow_decode FILE [--format NAME] [--passes N] [--warmup N] [--check]
 *
 * Reads an IPFIX file (RFC 5655: messages back to back) once into memory
 * with JSON_PADDING zero bytes after it, then times whole passes of vigil's
 * decoder (format `ipfix` unless --format, linked from vigilcore exactly as
 * `vigil scan` uses it) over it: every message is handed to the decoder as
 * one record, the way the UDP listener hands it one datagram, and every flow
 * event is pulled and its counters summed, so the decoding cannot be
 * optimised away. Messages are found by their length field here, not by
 * vigil's framer: this times the decoder alone.
 *
 * --check  (untimed use) also counts flows by family, protocol and service
 *          and folds every flow's key and times into a checksum, for the
 *          cross-check with the generator's totals (bench/gen_ipfix.c) and
 *          nfdump's; it costs ~10% of a pass, so timed runs leave it off.
 *
 * Prints one line of key=value pairs: bytes, messages, events, packets,
 * octets, rejects, (with --check: flows by family and protocol, sampled
 * flows, first/last times, checksum), load_s, then over the timed passes
 * the wall-clock median_s / min_s / max_s and the CPU-time cpu_median_s /
 * cpu_min_s. */
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "decode/decoder.h"
#include "decode/json.h"
#include "event.h"

static double clock_s(clockid_t which) {
    struct timespec ts;
    clock_gettime(which, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
static double now_s(void) { return clock_s(CLOCK_MONOTONIC); }
/* CPU time of this process: on a shared machine a pass can wait for the
 * CPU, and what the decoder costs a core is the CPU time it used. */
static double cpu_s(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }

static void die(const char *what, const char *arg) {
    fprintf(stderr, "flow_decode: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
    exit(2);
}

struct totals {
    uint64_t messages, events, v4, v6, tcp, udp, icmp, other, ssh, rdp;
    uint64_t packets, octets, sampled, sampling_sum, checksum;
    int64_t first_us, last_us;
};

/* Folds what a consumer of the event reads: the key, the counters and the
 * times (one multiply per 8 bytes, the same for every run). */
static inline uint64_t fold(uint64_t h, uint64_t v) { return (h ^ v) * 0x100000001b3ULL; }

static void count_flow(struct totals *t, const struct flow *f) {
    if (ip_is_v4(&f->src)) t->v4++; else t->v6++;
    switch (f->proto) {
    case 6: t->tcp++; break;
    case 17: t->udp++; break;
    case 1: case 58: t->icmp++; break;
    default: t->other++; break;
    }
    if (f->proto == 6 && (f->src_port == 22 || f->dst_port == 22)) t->ssh++;
    if (f->src_port == 3389 || f->dst_port == 3389) t->rdp++;
    t->packets += f->packets;
    t->octets += f->octets;
    if (f->has & FLOW_HAS_SAMPLING) { t->sampled++; t->sampling_sum += f->sampling; }
    uint64_t a, b;
    memcpy(&a, f->src.b + 8, 8);
    memcpy(&b, f->dst.b + 8, 8);
    uint64_t h = fold(fold(t->checksum, a), b);
    h = fold(h, (uint64_t)f->src_port << 24 | (uint64_t)f->dst_port << 8 | f->proto);
    t->checksum = fold(fold(h, (uint64_t)f->start_us), (uint64_t)f->end_us);
    if (f->start_us < t->first_us) t->first_us = f->start_us;
    if (f->end_us > t->last_us) t->last_us = f->end_us;
}

/* One pass: a fresh decoder (templates are learnt again from the file, as
 * a new `vigil scan` would), every message, every event. */
static struct totals run_pass(const struct decoder_ops *ops, const char *name, const char *buf, size_t size,
                              bool check, uint64_t *rejected) {
    struct totals t;
    memset(&t, 0, sizeof t);
    t.first_us = INT64_MAX;
    t.last_us = INT64_MIN;
    t.checksum = 0xcbf29ce484222325ULL;
    struct rejects *rj = rejects_new(0, NULL);
    void *d = ops->create(name, rj);
    if (!d) die("decoder create failed", ops->name);
    struct record rec;
    memset(&rec, 0, sizeof rec);
    struct event ev;
    size_t pos = 0;
    while (pos + 4 <= size) {
        const uint8_t *p = (const uint8_t *)buf + pos;
        size_t len = (size_t)(p[2] << 8 | p[3]);
        if (len < 4 || len > size - pos) len = size - pos;   /* the decoder reports the bad length */
        rec.p = buf + pos;
        rec.len = len;
        rec.cap = size + JSON_PADDING - pos;
        rec.offset = pos;
        ops->begin(d, &rec);
        while (ops->next(d, &ev)) {
            t.events++;
            if (ev.kind != EV_FLOW) continue;
            if (check) {
                count_flow(&t, ev.u.flow);
            } else {
                t.packets += ev.u.flow->packets;
                t.octets += ev.u.flow->octets;
            }
        }
        t.messages++;
        pos += len;
    }
    *rejected = rejects_total(rj);
    ops->destroy(d);
    rejects_free(rj);
    return t;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static char *load(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) die(path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0) die(path, strerror(errno));
    *size = (size_t)st.st_size;
    char *buf = aligned_alloc(64, (*size + JSON_PADDING + 63) / 64 * 64);
    if (!buf) die("out of memory", NULL);
    if (fread(buf, 1, *size, f) != *size) die(path, "short read");
    memset(buf + *size, 0, JSON_PADDING);
    fclose(f);
    return buf;
}

#define USAGE "usage: flow_decode FILE [--format NAME] [--passes N] [--warmup N] [--check]"

int main(int argc, char **argv) {
    const char *path = NULL, *format = "ipfix";
    int passes = 5, warmup = 1;
    bool check = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--format") && i + 1 < argc) format = argv[++i];
        else if (!strcmp(argv[i], "--passes") && i + 1 < argc) passes = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--warmup") && i + 1 < argc) warmup = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--check")) check = true;
        else if (argv[i][0] != '-' && !path) path = argv[i];
        else die(USAGE, NULL);
    }
    if (!path || passes < 1 || passes > 100 || warmup < 0) die(USAGE, NULL);
    const struct decoder_ops *ops = format_find(format);
    if (!ops) die("this vigil has no decoder for format", format);

    double t0 = now_s();
    size_t size;
    char *buf = load(path, &size);
    double load_s = now_s() - t0;

    struct totals t;
    uint64_t rejected = 0;
    for (int i = 0; i < warmup; i++) t = run_pass(ops, path, buf, size, check, &rejected);
    double *secs = calloc((size_t)passes * 2, sizeof *secs), *cpu = secs + passes;
    if (!secs) die("out of memory", NULL);
    for (int i = 0; i < passes; i++) {
        double s = now_s(), c = cpu_s();
        t = run_pass(ops, path, buf, size, check, &rejected);
        secs[i] = now_s() - s;
        cpu[i] = cpu_s() - c;
    }
    qsort(secs, (size_t)passes, sizeof *secs, cmp_double);
    qsort(cpu, (size_t)passes, sizeof *cpu, cmp_double);
    double median = passes % 2 ? secs[passes / 2] : (secs[passes / 2 - 1] + secs[passes / 2]) / 2;
    double cpu_median = passes % 2 ? cpu[passes / 2] : (cpu[passes / 2 - 1] + cpu[passes / 2]) / 2;

    printf("bytes=%zu messages=%" PRIu64 " events=%" PRIu64 " packets=%" PRIu64 " octets=%" PRIu64
           " rejects=%" PRIu64, size, t.messages, t.events, t.packets, t.octets, rejected);
    if (check)
        printf(" v4=%" PRIu64 " v6=%" PRIu64 " tcp=%" PRIu64 " udp=%" PRIu64 " icmp=%" PRIu64 " other=%" PRIu64
               " ssh=%" PRIu64 " rdp=%" PRIu64 " sampled=%" PRIu64 " mean_sampling=%.2f first_us=%" PRId64
               " last_us=%" PRId64 " checksum=%016" PRIx64, t.v4, t.v6, t.tcp, t.udp, t.icmp, t.other, t.ssh, t.rdp,
               t.sampled, t.sampled ? (double)t.sampling_sum / (double)t.sampled : 0.0, t.first_us, t.last_us,
               t.checksum);
    printf(" load_s=%.6f median_s=%.6f min_s=%.6f max_s=%.6f cpu_median_s=%.6f cpu_min_s=%.6f\n", load_s, median,
           secs[0], secs[passes - 1], cpu_median, cpu[0]);
    free(secs);
    free(buf);
    return 0;
}
