#include "decode/flow_template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "util/hash.h"

#define SESSION_SLOTS  (2 * FLOW_MAX_SESSIONS)    /* power of two, at most half full */
#define TPL_SLOTS_MIN  16
#define PEN_REVERSE    29305                      /* RFC 5103 reverse information elements */
#define MAX_RECORD     (65535 - 16 - 4)           /* a record must fit in one message's set */

struct flow_sessions {
    struct flow_session *slot[SESSION_SLOTS];
    uint32_t n_sessions, n_templates;
    struct flow_session *lru_head, *lru_tail;    /* head: most recently used */
    uint64_t clock;                               /* template LRU stamps */
    struct flow_table_stats stats;
};

static struct flow_sessions *g_table;
static unsigned g_refs;

static void fatal_oom(void) { fputs("vigil: out of memory\n", stderr); abort(); }

/* ---- classification: which IE goes where -------------------------------- */

static uint8_t iana_field(uint16_t ie) {
    switch (ie) {
    case 1: return FF_OCTETS;
    case 2: return FF_PACKETS;
    case 4: return FF_PROTO;
    case 6: return FF_TCP_FLAGS;
    case 7: return FF_SRC_PORT;
    case 8: return FF_SRC4;
    case 11: return FF_DST_PORT;
    case 12: return FF_DST4;
    case 21: return FF_END_UP;
    case 22: return FF_START_UP;
    case 27: return FF_SRC6;
    case 28: return FF_DST6;
    case 34: return FF_SAMPLING_INTERVAL;
    case 35: return FF_SAMPLING_ALGORITHM;
    case 48: return FF_SAMPLER_ID;
    case 49: return FF_SAMPLER_MODE;
    case 50: return FF_SAMPLER_RANDOM_INTERVAL;
    case 61: return FF_DIRECTION;
    case 85: return FF_OCTETS_TOTAL;
    case 86: return FF_PACKETS_TOTAL;
    case 136: return FF_END_REASON;
    case 150: return FF_START_S;
    case 151: return FF_END_S;
    case 152: return FF_START_MS;
    case 153: return FF_END_MS;
    case 154: return FF_START_US;
    case 155: return FF_END_US;
    case 156: return FF_START_NS;
    case 157: return FF_END_NS;
    case 158: return FF_START_DELTA;
    case 159: return FF_END_DELTA;
    case 160: return FF_SYSTEM_INIT_MS;
    case 231: return FF_INIT_OCTETS;
    case 232: return FF_RESP_OCTETS;
    case 298: return FF_INIT_PACKETS;
    case 299: return FF_RESP_PACKETS;
    case 302: return FF_SELECTOR_ID;
    case 304: return FF_SELECTOR_ALGORITHM;
    case 305: return FF_PKT_INTERVAL;
    case 306: return FF_PKT_SPACE;
    case 309: return FF_SAMPLING_SIZE;
    case 310: return FF_SAMPLING_POPULATION;
    case 311: return FF_SAMPLING_PROBABILITY;
    case 323: return FF_OBS_MS;
    default: return FF_NONE;
    }
}

static uint8_t reverse_field(uint16_t ie) {
    switch (ie) {
    case 1: return FF_REV_OCTETS;
    case 2: return FF_REV_PACKETS;
    case 85: return FF_REV_OCTETS_TOTAL;
    case 86: return FF_REV_PACKETS_TOTAL;
    default: return FF_NONE;
    }
}

/* The destination and the read operation for a field, FF_NONE when the
 * field is not used or its length does not fit its type (such a field is
 * skipped by length like an unknown one). */
static uint8_t classify(const struct flow_field_spec *f, uint8_t *op) {
    if (f->v9_scope) return FF_NONE;
    uint8_t field = f->pen == 0 ? iana_field(f->ie) : f->pen == PEN_REVERSE ? reverse_field(f->ie) : FF_NONE;
    if (field == FF_NONE || f->len == FLOW_VARLEN) return FF_NONE;
    switch (field) {
    case FF_SRC4: case FF_DST4:
        *op = OP_V4;
        return f->len == 4 ? field : FF_NONE;
    case FF_SRC6: case FF_DST6:
        *op = OP_V6;
        return f->len == 16 ? field : FF_NONE;
    case FF_SAMPLING_PROBABILITY:
        *op = f->len == 8 ? OP_F64 : OP_F32;
        return f->len == 8 || f->len == 4 ? field : FF_NONE;
    default:
        break;
    }
    switch (f->len) {
    case 1: *op = OP_U8; break;
    case 2: *op = OP_U16; break;
    case 4: *op = OP_U32; break;
    case 8: *op = OP_U64; break;
    case 3: case 5: case 6: case 7: *op = OP_UN; break;
    default: return FF_NONE;                 /* 0 or longer than 8 */
    }
    return field;
}

static unsigned op_len(const struct flow_step *s) {
    switch (s->op) {
    case OP_U8: return 1;
    case OP_U16: return 2;
    case OP_U32: case OP_V4: case OP_F32: return 4;
    case OP_U64: case OP_F64: return 8;
    case OP_V6: return 16;
    case OP_UN: return s->len;
    default: return 0;
    }
}

static uint8_t time_kind(uint64_t m) {
    if (m & (FF_BIT(FF_START_MS) | FF_BIT(FF_END_MS))) return FT_MS;
    if (m & (FF_BIT(FF_START_US) | FF_BIT(FF_END_US))) return FT_US;
    if (m & (FF_BIT(FF_START_NS) | FF_BIT(FF_END_NS))) return FT_NS;
    if (m & (FF_BIT(FF_START_S) | FF_BIT(FF_END_S))) return FT_S;
    if (m & (FF_BIT(FF_START_UP) | FF_BIT(FF_END_UP))) return FT_UPTIME;
    if (m & (FF_BIT(FF_START_DELTA) | FF_BIT(FF_END_DELTA))) return FT_DELTA;
    if (m & FF_BIT(FF_OBS_MS)) return FT_OBS;
    return FT_NONE;
}

static uint8_t sampling_kind(uint64_t m) {
    if ((m & FF_BIT(FF_SAMPLING_SIZE)) && (m & FF_BIT(FF_SAMPLING_POPULATION))) return FS_POPULATION;
    if (m & FF_BIT(FF_SAMPLING_PROBABILITY)) return FS_PROBABILITY;
    if ((m & FF_BIT(FF_PKT_INTERVAL)) && (m & FF_BIT(FF_PKT_SPACE))) return FS_PACKET_SPACE;
    if (m & FF_BIT(FF_SAMPLER_RANDOM_INTERVAL)) return FS_RANDOM_INTERVAL;
    if (m & FF_BIT(FF_SAMPLING_INTERVAL)) return FS_INTERVAL;
    return FS_NONE;
}

/* A fixed-length plan grouped by operation: a counting sort, stable. */
static void group_steps(struct flow_template *t) {
    struct flow_step sorted[FLOW_MAX_FIELDS + 1];
    uint16_t at[OP_SKIP + 2] = { 0 };
    for (uint16_t i = 0; i < t->n_steps; i++) t->n_op[t->steps[i].op]++;
    for (int op = 0; op <= OP_SKIP; op++) at[op + 1] = (uint16_t)(at[op] + t->n_op[op]);
    for (uint16_t i = 0; i < t->n_steps; i++) sorted[at[t->steps[i].op]++] = t->steps[i];
    memcpy(t->steps, sorted, t->n_steps * sizeof sorted[0]);
}

static uint8_t pick(uint64_t m, uint8_t a, uint8_t b, uint8_t c) {
    if (m & FF_BIT(a)) return a;
    if (b != FF_NONE && (m & FF_BIT(b))) return b;
    if (c != FF_NONE && (m & FF_BIT(c))) return c;
    return FF_NONE;
}

/* Which field gives each value of a flow: delta counters before totals
 * before NSEL's initiator/responder ones. */
static void settle_picks(struct flow_template *t) {
    uint64_t m = t->mask;
    t->pick_src_port = pick(m, FF_SRC_PORT, FF_NONE, FF_NONE);
    t->pick_dst_port = pick(m, FF_DST_PORT, FF_NONE, FF_NONE);
    t->pick_proto = pick(m, FF_PROTO, FF_NONE, FF_NONE);
    t->pick_tcp_flags = pick(m, FF_TCP_FLAGS, FF_NONE, FF_NONE);
    t->pick_direction = pick(m, FF_DIRECTION, FF_NONE, FF_NONE);
    t->pick_end_reason = pick(m, FF_END_REASON, FF_NONE, FF_NONE);
    t->pick_octets = pick(m, FF_OCTETS, FF_OCTETS_TOTAL, FF_INIT_OCTETS);
    t->pick_packets = pick(m, FF_PACKETS, FF_PACKETS_TOTAL, FF_INIT_PACKETS);
    t->pick_rev_octets = pick(m, FF_REV_OCTETS, FF_REV_OCTETS_TOTAL, FF_RESP_OCTETS);
    t->pick_rev_packets = pick(m, FF_REV_PACKETS, FF_REV_PACKETS_TOTAL, FF_RESP_PACKETS);
    static const uint8_t starts[] = { [FT_MS] = FF_START_MS, [FT_US] = FF_START_US, [FT_NS] = FF_START_NS,
                                      [FT_S] = FF_START_S, [FT_UPTIME] = FF_START_UP, [FT_DELTA] = FF_START_DELTA,
                                      [FT_OBS] = FF_OBS_MS };
    static const uint8_t ends[] = { [FT_MS] = FF_END_MS, [FT_US] = FF_END_US, [FT_NS] = FF_END_NS,
                                    [FT_S] = FF_END_S, [FT_UPTIME] = FF_END_UP, [FT_DELTA] = FF_END_DELTA,
                                    [FT_OBS] = FF_OBS_MS };
    if (t->time_kind != FT_NONE) {
        t->time_start = pick(m, starts[t->time_kind], FF_NONE, FF_NONE);
        t->time_end = pick(m, ends[t->time_kind], FF_NONE, FF_NONE);
    }
    if (t->pick_src_port || t->pick_dst_port) t->flow_has |= FLOW_HAS_PORTS;
    if (t->pick_tcp_flags) t->flow_has |= FLOW_HAS_TCP_FLAGS;
    if (t->pick_direction) t->flow_has |= FLOW_HAS_DIRECTION;
    if (t->pick_rev_octets || t->pick_rev_packets) t->flow_has |= FLOW_HAS_REVERSE;
}

/* Compile the wire fields into a plan. Returns NULL (with *res set) when
 * the template is refused. */
static struct flow_template *compile(uint16_t id, bool options, const struct flow_field_spec *fields,
                                     uint32_t n, uint16_t scope_count, enum flow_tpl_result *res) {
    if (n > FLOW_MAX_FIELDS) { *res = TPL_TOO_MANY_FIELDS; return NULL; }
    bool varlen = false;
    uint32_t fixed = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (fields[i].len == FLOW_VARLEN) { varlen = true; fixed += 1; }
        else fixed += fields[i].len;
    }
    if (fixed > MAX_RECORD) { *res = TPL_RECORD_TOO_LONG; return NULL; }
    /* a record of no bytes would never advance through its set */
    if (fixed == 0) { *res = TPL_EMPTY_RECORD; return NULL; }
    /* at most one step per field plus the trailing skip */
    struct flow_template *t = calloc(1, sizeof *t + (n + 1) * sizeof(struct flow_step));
    if (!t) fatal_oom();
    t->id = id;
    t->options = options;
    t->varlen = varlen;
    t->field_count = (uint16_t)n;
    t->scope_count = scope_count;
    t->min_len = fixed;
    t->refs = 1;
    uint32_t off = 0;       /* fixed: absolute offset; varlen: bytes to skip before the next step */
    bool seen_v4 = false;
    for (uint32_t i = 0; i < n; i++) {
        const struct flow_field_spec *f = &fields[i];
        uint8_t op = OP_SKIP;
        uint8_t field = classify(f, &op);
        if (field != FF_NONE && (t->mask & FF_BIT(field))) field = FF_NONE;   /* first occurrence wins */
        if (field == FF_SRC4 || field == FF_DST4) seen_v4 = true;
        if ((field == FF_SRC6 || field == FF_DST6) && !seen_v4) t->v6_first = true;
        if (f->len == FLOW_VARLEN) {
            t->steps[t->n_steps++] = (struct flow_step){ .off = (uint16_t)off, .op = OP_SKIP_VAR };
            off = 0;
            continue;
        }
        if (field == FF_NONE) { off += f->len; continue; }
        t->mask |= FF_BIT(field);
        t->steps[t->n_steps++] = (struct flow_step){ .off = (uint16_t)off, .op = op, .len = (uint8_t)f->len, .field = field };
        off = varlen ? 0 : off + f->len;
    }
    if (varlen && off) t->steps[t->n_steps++] = (struct flow_step){ .off = (uint16_t)off, .op = OP_SKIP };
    if (!varlen) group_steps(t);
    t->time_kind = time_kind(t->mask);
    t->sampling_kind = sampling_kind(t->mask);
    settle_picks(t);
    *res = TPL_OK;
    return t;
}

static bool same_plan(const struct flow_template *a, const struct flow_template *b) {
    return a->options == b->options && a->field_count == b->field_count && a->scope_count == b->scope_count &&
           a->min_len == b->min_len && a->varlen == b->varlen && a->n_steps == b->n_steps && a->mask == b->mask &&
           memcmp(a->steps, b->steps, a->n_steps * sizeof a->steps[0]) == 0;
}

/* ---- running a plan --------------------------------------------------------- */

static inline __attribute__((always_inline)) void exec_step(const struct flow_step *s, const uint8_t *q,
                                                            struct flow_values *out) {
    switch (s->op) {
    case OP_U8: out->v[s->field] = q[0]; break;
    case OP_U16: out->v[s->field] = flow_be16(q); break;
    case OP_U32: out->v[s->field] = flow_be32(q); break;
    case OP_U64: out->v[s->field] = (uint64_t)flow_be32(q) << 32 | flow_be32(q + 4); break;
    case OP_UN: out->v[s->field] = flow_be(q, s->len); break;
    case OP_V4: memcpy(s->field == FF_SRC4 ? out->src4 : out->dst4, q, 4); break;
    case OP_V6: memcpy(s->field == FF_SRC6 ? out->src6 : out->dst6, q, 16); break;
    case OP_F32: {
        uint32_t u = flow_be32(q);
        float f;
        memcpy(&f, &u, 4);
        out->probability = f;
        break;
    }
    case OP_F64: {
        uint64_t u = (uint64_t)flow_be32(q) << 32 | flow_be32(q + 4);
        double d;
        memcpy(&d, &u, 8);
        out->probability = d;
        break;
    }
    default: break;
    }
}

uint32_t flow_plan_run(const struct flow_template *tpl, const uint8_t *p, uint32_t avail, struct flow_values *out) {
    if (avail < tpl->min_len) return 0;
    if (!tpl->varlen) {
        /* grouped by operation: one tight loop per width */
        const struct flow_step *s = tpl->steps, *end = s + tpl->n_steps;
        uint64_t *v = out->v;
        for (unsigned n = tpl->n_op[OP_U8]; n; n--, s++) v[s->field] = p[s->off];
        for (unsigned n = tpl->n_op[OP_U16]; n; n--, s++) v[s->field] = flow_be16(p + s->off);
        for (unsigned n = tpl->n_op[OP_U32]; n; n--, s++) v[s->field] = flow_be32(p + s->off);
        for (unsigned n = tpl->n_op[OP_U64]; n; n--, s++)
            v[s->field] = (uint64_t)flow_be32(p + s->off) << 32 | flow_be32(p + s->off + 4);
        for (; s < end; s++) exec_step(s, p + s->off, out);
        return tpl->min_len;
    }
    const uint8_t *q = p, *end = p + avail;
    for (uint16_t i = 0; i < tpl->n_steps; i++) {
        const struct flow_step *s = &tpl->steps[i];
        if (s->off > (size_t)(end - q)) return 0;
        q += s->off;
        if (s->op == OP_SKIP_VAR) {
            /* RFC 7011 §7: one length octet, or 255 and two more */
            if (q >= end) return 0;
            size_t n = *q++;
            if (n == 255) {
                if (end - q < 2) return 0;
                n = flow_be16(q);
                q += 2;
            }
            if (n > (size_t)(end - q)) return 0;
            q += n;
            continue;
        }
        unsigned n = op_len(s);
        if (n > (size_t)(end - q)) return 0;
        exec_step(s, q, out);
        q += n;
    }
    return (uint32_t)(q - p);
}

/* ---- sampling ---------------------------------------------------------------- */

static uint32_t clamp_rate(double n) {
    if (!(n >= 1)) return 0;
    if (n > 4294967295.0) return UINT32_MAX;
    return (uint32_t)(n + 0.5);
}

static uint32_t rate_of(uint8_t kind, uint64_t m, const struct flow_values *v) {
    switch (kind) {
    case FS_POPULATION:
        if (!(m & FF_BIT(FF_SAMPLING_SIZE)) || !(m & FF_BIT(FF_SAMPLING_POPULATION))) return 0;
        if (v->v[FF_SAMPLING_SIZE] == 0) return 0;
        return clamp_rate((double)v->v[FF_SAMPLING_POPULATION] / (double)v->v[FF_SAMPLING_SIZE]);
    case FS_PROBABILITY:
        if (!(m & FF_BIT(FF_SAMPLING_PROBABILITY))) return 0;
        if (!(v->probability > 0) || v->probability > 1) return 0;
        return clamp_rate(1.0 / v->probability);
    case FS_PACKET_SPACE:
        /* RFC 5476: select interval packets, then skip space packets */
        if (!(m & FF_BIT(FF_PKT_INTERVAL)) || !(m & FF_BIT(FF_PKT_SPACE)) || v->v[FF_PKT_INTERVAL] == 0) return 0;
        return clamp_rate((double)(v->v[FF_PKT_INTERVAL] + v->v[FF_PKT_SPACE]) / (double)v->v[FF_PKT_INTERVAL]);
    case FS_RANDOM_INTERVAL:
        if (!(m & FF_BIT(FF_SAMPLER_RANDOM_INTERVAL))) return 0;
        return v->v[FF_SAMPLER_RANDOM_INTERVAL] > UINT32_MAX ? UINT32_MAX : (uint32_t)v->v[FF_SAMPLER_RANDOM_INTERVAL];
    case FS_INTERVAL:
        if (!(m & FF_BIT(FF_SAMPLING_INTERVAL))) return 0;
        /* "one of every N packets"; exporters that do not sample send 0
         * (ipfixcol2's example_flows.ipfix: 0 with samplingAlgorithm 0 in
         * every record of an unsampled capture), so 0 reads as 1:1. */
        if (v->v[FF_SAMPLING_INTERVAL] == 0) return 1;
        return v->v[FF_SAMPLING_INTERVAL] > UINT32_MAX ? UINT32_MAX : (uint32_t)v->v[FF_SAMPLING_INTERVAL];
    default:
        return 0;
    }
}

uint32_t flow_sampling_rate(const struct flow_template *tpl, const struct flow_values *v) {
    if (tpl->sampling_kind == FS_NONE) return 0;
    uint64_t m = tpl->mask;
    if (m & FF_BIT(FF_SELECTOR_ALGORITHM)) {
        /* IANA "Packet Sampling (PSAMP) Parameters" selector algorithms */
        uint32_t n = 0;
        switch (v->v[FF_SELECTOR_ALGORITHM]) {
        case 1: n = rate_of(FS_PACKET_SPACE, m, v); break;   /* systematic count-based */
        case 3: n = rate_of(FS_POPULATION, m, v); break;     /* random n-out-of-N */
        case 4: n = rate_of(FS_PROBABILITY, m, v); break;    /* uniform probabilistic */
        default: break;
        }
        if (n) return n;
    }
    for (uint8_t k = tpl->sampling_kind; k <= FS_INTERVAL; k++) {
        uint32_t n = rate_of(k, m, v);
        if (n) return n;
    }
    return 0;
}

void flow_sampler_set(struct flow_sessions *t, struct flow_session *s, uint8_t kind, uint64_t id, uint32_t n) {
    for (uint32_t i = 0; i < s->n_samplers; i++)
        if (s->samplers[i].kind == kind && s->samplers[i].id == id) { s->samplers[i].n = n; return; }
    if (s->n_samplers == FLOW_MAX_SAMPLERS) { t->stats.samplers_dropped++; return; }
    s->samplers[s->n_samplers++] = (struct flow_sampler){ .kind = kind, .id = id, .n = n };
}

uint32_t flow_sampler_get(const struct flow_session *s, uint8_t kind, uint64_t id) {
    for (uint32_t i = 0; i < s->n_samplers; i++)
        if (s->samplers[i].kind == kind && s->samplers[i].id == id) return s->samplers[i].n;
    return 0;
}

/* ---- templates of a session --------------------------------------------------- */

static uint32_t tpl_home(uint16_t id, uint32_t mask) { return (uint32_t)(id * 2654435761u >> 7) & mask; }

static uint32_t tpl_slot(const struct flow_session *s, uint16_t id) {
    uint32_t i = tpl_home(id, s->tpl_mask);
    while (s->tpl[i] && s->tpl[i]->id != id) i = (i + 1) & s->tpl_mask;
    return i;
}

void flow_template_hold(struct flow_template *tpl) { tpl->refs++; }
void flow_template_drop(struct flow_template *tpl) {
    if (tpl && --tpl->refs == 0) free(tpl);
}

/* Take the template in slot i out of the table (backward-shift deletion
 * keeps every probe sequence intact without tombstones). */
static void tpl_remove_slot(struct flow_sessions *t, struct flow_session *s, uint32_t i) {
    flow_template_drop(s->tpl[i]);
    s->tpl[i] = NULL;
    s->n_tpl--;
    t->n_templates--;
    uint32_t j = i;
    for (;;) {
        j = (j + 1) & s->tpl_mask;
        if (!s->tpl[j]) break;
        uint32_t k = tpl_home(s->tpl[j]->id, s->tpl_mask);
        bool movable = i <= j ? (k <= i || k > j) : (k <= i && k > j);
        if (movable) {
            s->tpl[i] = s->tpl[j];
            s->tpl[j] = NULL;
            i = j;
        }
    }
}

static void tpl_grow(struct flow_session *s) {
    uint32_t old_n = s->tpl ? s->tpl_mask + 1 : 0;
    uint32_t n = old_n ? old_n * 2 : TPL_SLOTS_MIN;
    struct flow_template **old = s->tpl;
    s->tpl = calloc(n, sizeof *s->tpl);
    if (!s->tpl) fatal_oom();
    s->tpl_mask = n - 1;
    for (uint32_t i = 0; i < old_n; i++)
        if (old[i]) s->tpl[tpl_slot(s, old[i]->id)] = old[i];
    free(old);
}

struct flow_template *flow_template_find(struct flow_sessions *t, struct flow_session *s, uint16_t id) {
    if (!s->n_tpl) return NULL;
    struct flow_template *tpl = s->tpl[tpl_slot(s, id)];
    if (tpl) tpl->last_used = ++t->clock;
    return tpl;
}

int flow_template_withdraw(struct flow_sessions *t, struct flow_session *s, uint16_t id) {
    if (!s->n_tpl) return 0;
    uint32_t i = tpl_slot(s, id);
    if (!s->tpl[i]) return 0;
    tpl_remove_slot(t, s, i);
    return 1;
}

uint32_t flow_template_withdraw_all(struct flow_sessions *t, struct flow_session *s, bool options) {
    uint32_t n = 0;
    for (uint32_t i = 0; s->n_tpl && i <= s->tpl_mask;) {
        if (s->tpl[i] && s->tpl[i]->options == options) {
            tpl_remove_slot(t, s, i);    /* a later entry may have shifted into i */
            n++;
        } else {
            i++;
        }
    }
    return n;
}

static void evict_lru_template(struct flow_sessions *t, struct flow_session *s) {
    uint32_t victim = UINT32_MAX;
    uint64_t oldest = UINT64_MAX;
    for (uint32_t i = 0; i <= s->tpl_mask; i++)
        if (s->tpl[i] && s->tpl[i]->last_used < oldest) { oldest = s->tpl[i]->last_used; victim = i; }
    if (victim != UINT32_MAX) {
        tpl_remove_slot(t, s, victim);
        t->stats.templates_evicted++;
    }
}

static void session_evict(struct flow_sessions *t, struct flow_session *s);

enum flow_tpl_result flow_template_define(struct flow_sessions *t, struct flow_session *s, uint16_t id,
                                          bool options, const struct flow_field_spec *fields,
                                          uint32_t n_fields, uint16_t scope_count) {
    enum flow_tpl_result res;
    struct flow_template *nt = compile(id, options, fields, n_fields, scope_count, &res);
    if (!nt) return res;
    nt->last_used = ++t->clock;
    if (s->n_tpl) {
        uint32_t i = tpl_slot(s, id);
        if (s->tpl[i]) {
            /* template refresh: most exporters resend the same template
             * every few messages; keep the compiled one */
            bool same = same_plan(s->tpl[i], nt);
            if (same) {
                s->tpl[i]->last_used = nt->last_used;
                free(nt);
                return TPL_SAME;
            }
            flow_template_drop(s->tpl[i]);   /* walkers keep theirs alive */
            s->tpl[i] = nt;
            return TPL_REDEFINED;
        }
    }
    if (s->n_tpl >= FLOW_MAX_TEMPLATES_PER_SESSION) evict_lru_template(t, s);
    while (t->n_templates >= FLOW_MAX_TEMPLATES_TOTAL) {
        /* the least recently used other session goes first */
        struct flow_session *v = t->lru_tail;
        while (v && (v == s || v->pins)) v = v->lru_prev;
        if (v) session_evict(t, v);
        else { evict_lru_template(t, s); break; }
    }
    if (!s->tpl || (s->n_tpl + 1) * 4 > (s->tpl_mask + 1) * 3) tpl_grow(s);
    s->tpl[tpl_slot(s, id)] = nt;
    s->n_tpl++;
    t->n_templates++;
    return TPL_OK;
}

/* ---- sessions ------------------------------------------------------------------ */

struct session_key {
    uint8_t addr[16];
    uint8_t port[2];
    uint8_t version;
    uint8_t odid[4];
};

static uint64_t session_hash(const struct ipaddr *addr, uint16_t port, uint32_t odid, uint8_t version) {
    struct session_key k;
    memcpy(k.addr, addr->b, 16);
    k.port[0] = (uint8_t)(port >> 8);
    k.port[1] = (uint8_t)port;
    k.version = version;
    k.odid[0] = (uint8_t)(odid >> 24);
    k.odid[1] = (uint8_t)(odid >> 16);
    k.odid[2] = (uint8_t)(odid >> 8);
    k.odid[3] = (uint8_t)odid;
    return hash_bytes(&k, sizeof k, 0x466c6f77);
}

static uint32_t session_home(const struct flow_session *s) {
    return (uint32_t)session_hash(&s->addr, s->port, s->odid, s->version) & (SESSION_SLOTS - 1);
}

static bool session_is(const struct flow_session *s, const struct ipaddr *addr, uint16_t port, uint32_t odid,
                       uint8_t version) {
    return s->odid == odid && s->port == port && s->version == version && ip_eq(&s->addr, addr);
}

static void lru_unlink(struct flow_sessions *t, struct flow_session *s) {
    if (s->lru_prev) s->lru_prev->lru_next = s->lru_next;
    else t->lru_head = s->lru_next;
    if (s->lru_next) s->lru_next->lru_prev = s->lru_prev;
    else t->lru_tail = s->lru_prev;
    s->lru_prev = s->lru_next = NULL;
}

static void lru_push_front(struct flow_sessions *t, struct flow_session *s) {
    s->lru_prev = NULL;
    s->lru_next = t->lru_head;
    if (t->lru_head) t->lru_head->lru_prev = s;
    t->lru_head = s;
    if (!t->lru_tail) t->lru_tail = s;
}

static void session_free(struct flow_session *s) {
    free(s->tpl);
    free(s);
}

static void session_drop_templates(struct flow_sessions *t, struct flow_session *s) {
    for (uint32_t i = 0; s->tpl && i <= s->tpl_mask; i++) {
        if (!s->tpl[i]) continue;
        flow_template_drop(s->tpl[i]);
        s->tpl[i] = NULL;
        t->n_templates--;
    }
    s->n_tpl = 0;
}

static void session_evict(struct flow_sessions *t, struct flow_session *s) {
    uint32_t i = session_home(s);
    while (t->slot[i] != s) i = (i + 1) & (SESSION_SLOTS - 1);
    t->slot[i] = NULL;
    uint32_t j = i;
    for (;;) {
        j = (j + 1) & (SESSION_SLOTS - 1);
        if (!t->slot[j]) break;
        uint32_t k = session_home(t->slot[j]);
        bool movable = i <= j ? (k <= i || k > j) : (k <= i && k > j);
        if (movable) {
            t->slot[i] = t->slot[j];
            t->slot[j] = NULL;
            i = j;
        }
    }
    lru_unlink(t, s);
    session_drop_templates(t, s);
    t->n_sessions--;
    t->stats.sessions_evicted++;
    s->evicted = true;
    if (!s->pins) session_free(s);
}

struct flow_session *flow_session_get(struct flow_sessions *t, const struct ipaddr *addr, uint16_t port,
                                      uint32_t odid, uint8_t version) {
    uint32_t i = (uint32_t)session_hash(addr, port, odid, version) & (SESSION_SLOTS - 1);
    while (t->slot[i] && !session_is(t->slot[i], addr, port, odid, version)) i = (i + 1) & (SESSION_SLOTS - 1);
    struct flow_session *s = t->slot[i];
    if (s) {
        if (t->lru_head != s) { lru_unlink(t, s); lru_push_front(t, s); }
        s->pins++;
        return s;
    }
    if (t->n_sessions >= FLOW_MAX_SESSIONS) {
        struct flow_session *v = t->lru_tail;
        while (v && v->pins) v = v->lru_prev;
        if (v) {
            session_evict(t, v);
            /* the slots moved: find the free one again */
            i = (uint32_t)session_hash(addr, port, odid, version) & (SESSION_SLOTS - 1);
            while (t->slot[i]) i = (i + 1) & (SESSION_SLOTS - 1);
        }
        /* every session pinned: one more than the cap, bounded by the
         * number of decoders */
    }
    s = calloc(1, sizeof *s);
    if (!s) fatal_oom();
    s->addr = *addr;
    s->port = port;
    s->odid = odid;
    s->version = version;
    s->init_ms = INT64_MIN;
    s->boot_estimate_ms = INT64_MAX;
    s->pins = 1;
    t->slot[i] = s;
    t->n_sessions++;
    lru_push_front(t, s);
    return s;
}

void flow_session_unpin(struct flow_sessions *t, struct flow_session *s) {
    (void)t;
    if (s && --s->pins == 0 && s->evicted) session_free(s);
}

/* ---- the process-wide table ----------------------------------------------------- */

struct flow_sessions *flow_sessions_acquire(void) {
    if (!g_table) {
        g_table = calloc(1, sizeof *g_table);
        if (!g_table) fatal_oom();
    }
    g_refs++;
    return g_table;
}

void flow_sessions_release(struct flow_sessions *t) {
    if (!t || t != g_table || --g_refs) return;
    while (t->lru_head) {
        struct flow_session *s = t->lru_head;
        lru_unlink(t, s);
        session_drop_templates(t, s);
        if (s->pins) s->evicted = true;     /* a leaked pin; freed at its unpin */
        else session_free(s);
    }
    free(t);
    g_table = NULL;
}

const struct flow_table_stats *flow_sessions_stats(const struct flow_sessions *t) { return &t->stats; }
uint32_t flow_sessions_count(const struct flow_sessions *t) { return t->n_sessions; }
