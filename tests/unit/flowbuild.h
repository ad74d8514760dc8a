/* Hand-built IPFIX / NetFlow v9 / v5 messages for the flow decoder tests,
 * and a runner that feeds them to a decoder and keeps copies of the flows. */
#ifndef VIGIL_TEST_FLOWBUILD_H
#define VIGIL_TEST_FLOWBUILD_H
#include <stdint.h>
#include <string.h>

#include "decode/decoder.h"
#include "decode/flow.h"
#include "decode/json.h"

struct mb {
    uint8_t b[8192];
    size_t n;
    size_t msg, set, tpl;       /* where the open message / set / template record start */
};

static inline void mb_u8(struct mb *m, unsigned v) { m->b[m->n++] = (uint8_t)v; }
static inline void mb_u16(struct mb *m, unsigned v) { mb_u8(m, v >> 8); mb_u8(m, v); }
static inline void mb_u32(struct mb *m, uint32_t v) { mb_u16(m, v >> 16); mb_u16(m, v & 0xffff); }
static inline void mb_u64(struct mb *m, uint64_t v) { mb_u32(m, (uint32_t)(v >> 32)); mb_u32(m, (uint32_t)v); }
static inline void mb_uN(struct mb *m, uint64_t v, unsigned n) {
    for (unsigned i = n; i-- > 0;) mb_u8(m, (unsigned)(v >> (8 * i)));
}
static inline void mb_bytes(struct mb *m, const void *p, size_t n) { memcpy(m->b + m->n, p, n); m->n += n; }
static inline void mb_v4(struct mb *m, unsigned a, unsigned b, unsigned c, unsigned d) {
    mb_u8(m, a); mb_u8(m, b); mb_u8(m, c); mb_u8(m, d);
}
static inline void mb_put16(struct mb *m, size_t at, unsigned v) { m->b[at] = (uint8_t)(v >> 8); m->b[at + 1] = (uint8_t)v; }

/* IPFIX */
static inline void ipfix_begin(struct mb *m, uint32_t export_s, uint32_t seq, uint32_t odid) {
    m->msg = m->n;
    mb_u16(m, 10); mb_u16(m, 0); mb_u32(m, export_s); mb_u32(m, seq); mb_u32(m, odid);
}
static inline void ipfix_end(struct mb *m) { mb_put16(m, m->msg + 2, (unsigned)(m->n - m->msg)); }
static inline void set_begin(struct mb *m, unsigned id) { m->set = m->n; mb_u16(m, id); mb_u16(m, 0); }
static inline void set_end(struct mb *m) { mb_put16(m, m->set + 2, (unsigned)(m->n - m->set)); }
/* a field specifier; pen 0 = IANA */
static inline void fs(struct mb *m, unsigned ie, unsigned len, uint32_t pen) {
    mb_u16(m, ie | (pen ? 0x8000u : 0)); mb_u16(m, len);
    if (pen) mb_u32(m, pen);
}

/* NetFlow v9 */
static inline void nf9_begin(struct mb *m, uint32_t uptime_ms, uint32_t secs, uint32_t seq, uint32_t source) {
    m->msg = m->n;
    mb_u16(m, 9); mb_u16(m, 1); mb_u32(m, uptime_ms); mb_u32(m, secs); mb_u32(m, seq); mb_u32(m, source);
}
/* v9 FlowSets are padded to 32 bits */
static inline void set_end_padded(struct mb *m) {
    while ((m->n - m->set) % 4) mb_u8(m, 0);
    set_end(m);
}

/* ---- running a decoder ----------------------------------------------------- */

#define MAX_TEST_FLOWS 64

struct got {
    struct flow f[MAX_TEST_FLOWS];
    struct flow_exporter e[MAX_TEST_FLOWS];
    struct source_pos pos[MAX_TEST_FLOWS];
    int n;
};

/* Decode one record; origin NULL for a file's record. Appends flows. */
static inline void feed(const struct decoder_ops *ops, void *dec, const struct mb *m, const char *origin,
                        uint16_t port, struct got *g) {
    static uint8_t copy[sizeof m->b + JSON_PADDING];
    memcpy(copy, m->b, m->n);
    struct record rec = { .p = (const char *)copy, .len = m->n, .cap = m->n + JSON_PADDING, .offset = 1000 };
    if (origin) {
        rec.has_origin = true;
        ip_parse(origin, strlen(origin), &rec.origin);
        rec.origin_port = port;
    }
    ops->begin(dec, &rec);
    struct event ev;
    while (ops->next(dec, &ev)) {
        if (g && g->n < MAX_TEST_FLOWS) {
            g->f[g->n] = *ev.u.flow;
            g->e[g->n] = *ev.u.flow->exporter;
            g->pos[g->n] = ev.pos;
            g->n++;
        }
    }
}

static inline struct ipaddr ip(const char *s) {
    struct ipaddr a;
    memset(&a, 0, sizeof a);
    ip_parse(s, strlen(s), &a);
    return a;
}
#endif
