/* The flow decoder: records (datagrams, or messages of a file) in, one
 * EV_FLOW event per flow record out. The wire formats live in ipfix.c,
 * netflow9.c and netflow5.c; this file holds what they share: the walk
 * over a data set with a compiled template, the normalisation of a record
 * into struct flow (times, counters, sampling), options records, sequence
 * accounting and the report.
 *
 * Times. Absolute time fields are used as they are (milliseconds, seconds,
 * NTP micro/nanoseconds, delta microseconds before export). sysUpTime
 * fields (flowStartSysUpTime/flowEndSysUpTime, 22/21) are relative to the
 * exporter's boot:
 *   - v5 and v9 carry sysUptime and the Unix time in their header, which
 *     give the boot time exactly;
 *   - IPFIX has no uptime in its header: the boot time is
 *     systemInitTimeMilliseconds (160) from an options record when the
 *     exporter sends one (softflowd does), else it is estimated as the
 *     lowest exportTime - flowEndSysUpTime seen from that exporter: a flow
 *     is exported after it ended, so each record bounds the boot time from
 *     above, and the lowest bound is the tightest (Cisco IOS XR sends no
 *     init time; the error is the export delay of the promptest record).
 *     Such flows are counted in the report.
 * sysUpTime is 32 bits of milliseconds and wraps every 49.7 days (and
 * softflowd reading a capture older than itself sends "negative" uptimes),
 * so every uptime-derived time is taken modulo 2^32 ms as the latest time
 * not after the export time (with 10 minutes of clock skew allowed).
 *
 * Sequence numbers. Each (exporter, domain) counts what it sent; a jump
 * forward is loss. Exporters do not all count alike: RFC 7011 counts the
 * data records sent before the message, RFC 3954 the packets, softflowd
 * the flow records up to and including the message (bench.md §2.1). The
 * convention of each exporter is learnt from consecutive messages (the
 * conventions a message agrees with are kept); loss is counted with the
 * convention that remains, the standard one while several do (one that
 * alone explains three messages in a row is taken back). A late
 * message that falls into a recent gap takes its records back out of the
 * loss; one that goes back further (restart, duplicate) restarts the
 * count. Files without transport are compared only within one input. */
#include "decode/flow.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/flow_internal.h"
#include "input/framer.h"
#include "util/timeutil.h"

#define WRAP_MS          (INT64_C(1) << 32)
#define SKEW_MS          (INT64_C(10) * 60 * 1000)
#define RESTART_SLACK_MS (INT64_C(3600) * 1000)
#define MAX_TIME_MS      INT64_C(253402300799999)     /* 9999-12-31T23:59:59.999Z */
#define NTP_UNIX_OFFSET  INT64_C(2208988800)          /* 1900-01-01 to 1970-01-01, seconds */

static const char R_TRUNCATED[] = "truncated flow export message";
static const char R_VERSION[] = "not a NetFlow v5/v9 or IPFIX message";
static const char R_TRAILING[] = "bytes after the last message of the datagram";
static const char R_RECORD[] = "flow record runs past the end of its set";
static const char R_TPL_FIELDS[] = "template with too many fields";
static const char R_TPL_LONG[] = "template record longer than a message";
static const char R_TPL_EMPTY[] = "template whose records have no length";

static uint64_t next_instance_id;

/* ---- positions and rejects -------------------------------------------------- */

/* A file's records are its messages: a position inside one is a byte
 * offset of the input. A datagram's offset belongs to whoever framed it
 * (a packet number); the byte inside goes into the detail. */
static uint64_t position(const struct flowdec *d, const uint8_t *where) {
    size_t in = (size_t)(where - (const uint8_t *)d->rec.p);
    return d->rec.has_origin ? d->rec.offset : d->rec.offset + in;
}

void flowdec_reject(struct flowdec *d, const uint8_t *where, const char *reason, const char *fmt, ...) {
    char detail[160] = "";
    int n = 0;
    if (d->rec.has_origin)
        n = snprintf(detail, sizeof detail, "byte %zu of the datagram%s", (size_t)(where - (const uint8_t *)d->rec.p),
                     fmt ? ": " : "");
    if (fmt && n >= 0 && (size_t)n < sizeof detail) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(detail + n, sizeof detail - (size_t)n, fmt, ap);
        va_end(ap);
    }
    rejects_add(d->rj, d->input, position(d, where), reason, vstr_c(detail));
}

void flow_exporter_describe(const struct flow_exporter *e, char *out, size_t cap) {
    const char *ver = e->version == 10 ? "IPFIX" : e->version == 9 ? "NetFlow v9" : "NetFlow v5";
    if (ip_is_zero(&e->addr) && e->port == 0) {
        snprintf(out, cap, "file odid %" PRIu32 " (%s)", e->odid, ver);
        return;
    }
    char a[IP_STRLEN];
    ip_format(&e->addr, a);
    snprintf(out, cap, ip_is_v4(&e->addr) ? "%s:%u odid %" PRIu32 " (%s)" : "[%s]:%u odid %" PRIu32 " (%s)", a,
             (unsigned)e->port, e->odid, ver);
}

/* ---- sessions and sets -------------------------------------------------------- */

void flowdec_open_session(struct flowdec *d, uint32_t odid) {
    static const struct ipaddr none;
    const struct ipaddr *addr = d->rec.has_origin ? &d->rec.origin : &none;
    uint16_t port = d->rec.has_origin ? d->rec.origin_port : 0;
    d->sess = flow_session_get(d->table, addr, port, odid, d->version);
    d->exporter = (struct flow_exporter){ .addr = *addr, .port = port, .odid = odid, .version = d->version };
    d->n_all = d->n_flow = 0;
    d->n_unknown = false;
    d->item = 0;
}

bool flowdec_enter_data_set(struct flowdec *d, uint16_t set_id, const uint8_t *p, const uint8_t *end) {
    struct flow_template *t = flow_template_find(d->table, d->sess, set_id);
    if (!t) {
        /* RFC 7011 §8: data before its template is not an error of the
         * data (the template may come later, or was lost): skip it */
        if (d->st.sets_unknown_template++ == 0) {
            d->unknown_set_offset = position(d, p - 4);
            d->unknown_set_template = set_id;
        }
        d->n_unknown = true;
        return false;
    }
    flow_template_hold(t);
    d->tpl = t;
    d->rp = p;
    d->set_end = end;
    return true;
}

void flowdec_template_result(struct flowdec *d, enum flow_tpl_result r, bool options, const uint8_t *where,
                             uint16_t id, uint32_t fields) {
    switch (r) {
    case TPL_OK:
        if (options) d->st.options_templates++;
        else d->st.templates++;
        break;
    case TPL_REDEFINED:
        d->st.templates_redefined++;
        break;
    case TPL_SAME:
        break;
    case TPL_TOO_MANY_FIELDS:
        flowdec_reject(d, where, R_TPL_FIELDS, "template %u has %" PRIu32 " fields, at most %d are accepted", id,
                       fields, FLOW_MAX_FIELDS);
        break;
    case TPL_RECORD_TOO_LONG:
        flowdec_reject(d, where, R_TPL_LONG, "template %u", id);
        break;
    case TPL_EMPTY_RECORD:
        flowdec_reject(d, where, R_TPL_EMPTY, "template %u", id);
        break;
    }
}

/* ---- times -------------------------------------------------------------------- */

/* The time congruent to t modulo 2^32 ms that is the latest not after the
 * export time (plus skew): sysUpTime wraps. */
static int64_t uptime_wrap(int64_t t, int64_t export_ms) {
    int64_t top = export_ms + SKEW_MS;
    if (t > top) t -= (t - top + WRAP_MS - 1) / WRAP_MS * WRAP_MS;
    else if (t <= top - WRAP_MS) t += ((top - WRAP_MS - t) / WRAP_MS + 1) * WRAP_MS;
    return t;
}

int64_t flowdec_uptime_ms(const struct flowdec *d, int64_t boot_ms, uint32_t uptime) {
    return uptime_wrap(boot_ms + uptime, d->export_ms);
}

static int64_t uptime_base(struct flowdec *d, const struct flow_template *t, const struct flow_values *v) {
    if (d->boot_ms != INT64_MIN) return d->boot_ms;
    struct flow_session *s = d->sess;
    if (s->init_ms != INT64_MIN) return s->init_ms;
    uint64_t up = (t->mask & FF_BIT(FF_END_UP)) ? v->v[FF_END_UP] : v->v[FF_START_UP];
    int64_t est = d->export_ms - (int64_t)(up & 0xffffffffu);
    /* lower is tighter; much higher is a new boot (or an uptime wrap) */
    if (s->boot_estimate_ms == INT64_MAX || est < s->boot_estimate_ms || est > s->boot_estimate_ms + RESTART_SLACK_MS)
        s->boot_estimate_ms = est;
    d->st.flows_boot_estimated++;
    return s->boot_estimate_ms;
}

static int64_t ntp_us(uint64_t ntp, bool *ok) {
    uint64_t sec = ntp >> 32, frac = ntp & 0xffffffffu;
    *ok = sec != 0;
    return ((int64_t)sec - NTP_UNIX_OFFSET) * US_PER_SEC + (int64_t)((frac * 1000000u) >> 32);
}

/* One time value of the template's kind in microseconds; false when
 * absent or absurd. */
static inline bool time_of(const struct flowdec *d, uint8_t kind, uint64_t x, int64_t base, int64_t *out) {
    bool ok = true;
    switch (kind) {
    case FT_MS: case FT_OBS:
        if (x == 0 || x > (uint64_t)MAX_TIME_MS) return false;
        *out = (int64_t)x * 1000;
        return true;
    case FT_UPTIME:
        if (x > UINT32_MAX) return false;
        *out = uptime_wrap(base + (int64_t)x, d->export_ms) * 1000;
        return true;
    case FT_S:
        if (x == 0 || x > (uint64_t)(MAX_TIME_MS / 1000)) return false;
        *out = (int64_t)x * US_PER_SEC;
        return true;
    case FT_US: case FT_NS:
        *out = ntp_us(x, &ok);
        return ok;
    case FT_DELTA:
        if (x > UINT32_MAX) return false;
        *out = d->export_ms * 1000 - (int64_t)x;
        return true;
    default:
        return false;
    }
}

static void flow_times(struct flowdec *d, const struct flow_template *t, const struct flow_values *v, struct flow *f) {
    int64_t base = t->time_kind == FT_UPTIME ? uptime_base(d, t, v) : 0;
    int64_t s = 0, e = 0;
    bool has_s = t->time_start != FF_NONE && time_of(d, t->time_kind, v->v[t->time_start], base, &s);
    bool has_e = t->time_end != FF_NONE && time_of(d, t->time_kind, v->v[t->time_end], base, &e);
    if (!has_s && !has_e) {
        f->start_us = f->end_us = d->export_ms * 1000;
        return;
    }
    f->start_us = has_s ? s : e;
    f->end_us = has_e ? e : s;
    f->has |= FLOW_HAS_TIMES;
}

/* ---- records -------------------------------------------------------------------- */

static bool all_zero(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i]) return false;
    return true;
}

static void flow_addresses(const struct flow_template *t, const struct flow_values *v, struct flow *f) {
    uint64_t m = t->mask;
    memset(&f->src, 0, sizeof f->src);
    memset(&f->dst, 0, sizeof f->dst);
    bool v4 = m & (FF_BIT(FF_SRC4) | FF_BIT(FF_DST4));
    bool v6 = m & (FF_BIT(FF_SRC6) | FF_BIT(FF_DST6));
    bool use6 = v6;
    if (v4 && v6) {
        /* both families in one template: the one that is set; if both
         * are, the outer header (the first in the template) */
        bool z4 = all_zero(v->src4, 4) && all_zero(v->dst4, 4);
        bool z6 = all_zero(v->src6, 16) && all_zero(v->dst6, 16);
        use6 = t->v6_first ? !z6 || z4 : z4 && !z6;
    }
    if (use6) {
        if (m & FF_BIT(FF_SRC6)) ip_from_v6(&f->src, v->src6);
        if (m & FF_BIT(FF_DST6)) ip_from_v6(&f->dst, v->dst6);
    } else if (v4) {
        if (m & FF_BIT(FF_SRC4)) ip_from_v4(&f->src, v->src4);
        if (m & FF_BIT(FF_DST4)) ip_from_v4(&f->dst, v->dst4);
    }
}

static void build_flow(struct flowdec *d, const struct flow_template *t) {
    const struct flow_values *v = &d->vals;
    struct flow *f = &d->flow;
    /* every field from the template's picks (absent ones read slot 0),
     * assigned one by one: zeroing the struct first costs more than all
     * of them (rep stos) */
    f->src_port = (uint16_t)v->v[t->pick_src_port];
    f->dst_port = (uint16_t)v->v[t->pick_dst_port];
    f->proto = (uint8_t)v->v[t->pick_proto];
    f->tcp_flags = (uint8_t)v->v[t->pick_tcp_flags];
    f->direction = (uint8_t)v->v[t->pick_direction];
    f->end_reason = (uint8_t)v->v[t->pick_end_reason];
    f->has = t->flow_has;
    f->packets = v->v[t->pick_packets];
    f->octets = v->v[t->pick_octets];
    f->rev_packets = v->v[t->pick_rev_packets];
    f->rev_octets = v->v[t->pick_rev_octets];
    f->sampling = 0;
    f->template_id = t->id;
    f->exporter = &d->exporter;
    flow_addresses(t, v, f);
    flow_times(d, t, v, f);
    uint64_t m = t->mask;
    uint32_t n = flow_sampling_rate(t, v);
    if (!n && (m & FF_BIT(FF_SELECTOR_ID))) n = flow_sampler_get(d->sess, FF_SELECTOR_ID, v->v[FF_SELECTOR_ID]);
    if (!n && (m & FF_BIT(FF_SAMPLER_ID))) n = flow_sampler_get(d->sess, FF_SAMPLER_ID, v->v[FF_SAMPLER_ID]);
    if (!n) n = d->sess->default_sampling;
    if (n) { f->sampling = n; f->has |= FLOW_HAS_SAMPLING; }
    else d->st.flows_without_sampling++;
}

/* Options records carry the exporter's boot time and its samplers. A
 * sampler is keyed by selectorId (IPFIX PSAMP) or samplerId (v9 and old
 * IPFIX), the ids data records carry; one without either applies to the
 * whole domain. */
static void apply_options(struct flowdec *d, const struct flow_template *t) {
    const struct flow_values *v = &d->vals;
    if ((t->mask & FF_BIT(FF_SYSTEM_INIT_MS)) && v->v[FF_SYSTEM_INIT_MS] && v->v[FF_SYSTEM_INIT_MS] <= (uint64_t)MAX_TIME_MS)
        d->sess->init_ms = (int64_t)v->v[FF_SYSTEM_INIT_MS];
    uint32_t n = flow_sampling_rate(t, v);
    if (!n) return;
    if (t->mask & FF_BIT(FF_SELECTOR_ID)) flow_sampler_set(d->table, d->sess, FF_SELECTOR_ID, v->v[FF_SELECTOR_ID], n);
    else if (t->mask & FF_BIT(FF_SAMPLER_ID)) flow_sampler_set(d->table, d->sess, FF_SAMPLER_ID, v->v[FF_SAMPLER_ID], n);
    else d->sess->default_sampling = n;
}

/* 1 with d->flow filled; 0 when the data set is done. */
static int data_set_next(struct flowdec *d) {
    const struct flow_template *t = d->tpl;
    while (d->rp < d->set_end) {
        uint32_t avail = (uint32_t)(d->set_end - d->rp);
        if (avail < t->min_len) break;                /* padding (RFC 7011 §3.3.1, RFC 3954 §5.3) */
        uint32_t n = flow_plan_run(t, d->rp, avail, &d->vals);
        if (!n) {
            flowdec_reject(d, d->rp, R_RECORD, "template %u", t->id);
            d->n_unknown = true;                      /* its records cannot be counted */
            break;
        }
        d->rp += n;
        d->n_all++;
        d->item++;
        if (t->options) {
            d->st.options_records++;
            apply_options(d, t);
            continue;
        }
        d->n_flow++;
        build_flow(d, t);
        return 1;
    }
    flow_template_drop(d->tpl);
    d->tpl = NULL;
    return 0;
}

/* ---- sequence numbers ------------------------------------------------------------ */

enum seq_convention {
    SC_PACKETS = 1,          /* RFC 3954: export packets */
    SC_ALL_BEFORE = 2,       /* RFC 7011: data records before this message */
    SC_FLOW_BEFORE = 4,      /* the same without options records */
    SC_ALL_INCL = 8,         /* records up to and including this message */
    SC_FLOW_INCL = 16,       /* the same without options records (softflowd) */
};

static uint8_t seq_all(uint8_t version) {
    if (version == 5) return SC_ALL_BEFORE;
    if (version == 9) return SC_PACKETS | SC_ALL_BEFORE | SC_FLOW_BEFORE;
    return SC_ALL_BEFORE | SC_FLOW_BEFORE | SC_ALL_INCL | SC_FLOW_INCL | SC_PACKETS;
}

/* The convention to count with while several are possible: the version's
 * standard one first. */
static uint8_t seq_preferred(uint8_t version, uint8_t c) {
    static const uint8_t v9_order[] = { SC_PACKETS, SC_ALL_BEFORE, SC_FLOW_BEFORE };
    static const uint8_t ipfix_order[] = { SC_ALL_BEFORE, SC_FLOW_BEFORE, SC_FLOW_INCL, SC_ALL_INCL, SC_PACKETS };
    const uint8_t *o = version == 9 ? v9_order : ipfix_order;
    size_t n = version == 9 ? sizeof v9_order : sizeof ipfix_order;
    for (size_t i = 0; i < n; i++)
        if (c & o[i]) return o[i];
    return version == 9 ? SC_PACKETS : SC_ALL_BEFORE;
}

static uint32_t seq_expect(const struct flow_seq *q, uint8_t c, uint32_t n_all, uint32_t n_flow) {
    switch (c) {
    case SC_PACKETS: return q->last_seq + 1;
    case SC_ALL_BEFORE: return q->last_seq + q->last_all;
    case SC_FLOW_BEFORE: return q->last_seq + q->last_flow;
    case SC_ALL_INCL: return q->last_seq + n_all;
    default: return q->last_seq + n_flow;
    }
}

static uint32_t seq_units(uint8_t c, uint32_t n_all, uint32_t n_flow) {
    return c == SC_PACKETS ? 1 : (c == SC_ALL_BEFORE || c == SC_ALL_INCL) ? n_all : n_flow;
}

static void add_loss(struct flowdec *d, int64_t n, bool packets) {
    if (packets) d->st.lost_packets += (uint64_t)n;
    else d->st.lost_records += (uint64_t)n;
    for (uint32_t i = 0; i < d->n_losses; i++) {
        struct flow_exporter *e = &d->losses[i].exporter;
        if (e->odid == d->exporter.odid && e->port == d->exporter.port && e->version == d->exporter.version &&
            ip_eq(&e->addr, &d->exporter.addr)) {
            d->losses[i].lost += (uint64_t)n;
            return;
        }
    }
    if (d->n_losses < MAX_LOSS_LINES) d->losses[d->n_losses++] = (struct loss_entry){ d->exporter, (uint64_t)n };
    else d->losses_other += (uint64_t)n;
}

/* A late message inside a recorded gap was not lost after all. */
static bool late_fills_gap(struct flowdec *d, struct flow_seq *q, uint8_t c, uint32_t s, uint32_t n_all, uint32_t n_flow) {
    uint32_t units = seq_units(c, n_all, n_flow);
    uint32_t start = (c == SC_ALL_INCL || c == SC_FLOW_INCL) ? s - units : s;
    for (unsigned i = 0; i < sizeof q->gaps / sizeof q->gaps[0]; i++) {
        if (!q->gaps[i].left || start - q->gaps[i].start >= q->gaps[i].len) continue;
        uint32_t back = units < q->gaps[i].left ? units : q->gaps[i].left;
        q->gaps[i].left -= back;
        add_loss(d, -(int64_t)back, c == SC_PACKETS);
        d->lost_late += back;
        return true;
    }
    return false;
}

static void seq_account(struct flowdec *d) {
    struct flow_seq *q = &d->sess->seq;
    uint32_t s = d->seq, na = d->n_all, nf = d->n_flow;
    if (!q->valid || q->owner != d->id || d->n_unknown) {
        /* a new stream, or a message whose records could not all be
         * counted: start over from the next one */
        memset(q, 0, sizeof *q);
        q->valid = !d->n_unknown;
        q->owner = d->id;
        q->candidates = seq_all(d->version);
        q->last_seq = s;
        q->last_all = na;
        q->last_flow = nf;
        return;
    }
    uint8_t all = seq_all(d->version), match = 0;
    for (uint8_t c = 1; c <= SC_FLOW_INCL; c <<= 1)
        if ((all & c) && seq_expect(q, c, na, nf) == s) match |= c;
    if (match & q->candidates) {
        q->candidates &= match;
        q->relearn = 0;
    } else if (match && ++q->relearn >= 3) {
        /* three in a row: the convention was misjudged, learn it again
         * (once is more likely a gap that happens to fit another one) */
        q->candidates = match;
        q->relearn = 0;
    } else {
        uint8_t c = seq_preferred(d->version, q->candidates);
        uint32_t expect = seq_expect(q, c, na, nf);
        int32_t gap = (int32_t)(s - expect);
        if (gap > 0) {
            add_loss(d, gap, c == SC_PACKETS);
            q->gaps[q->next_gap] = (struct flow_gap){ expect, (uint32_t)gap, (uint32_t)gap };
            q->next_gap = (uint8_t)((q->next_gap + 1) % (sizeof q->gaps / sizeof q->gaps[0]));
        } else if (late_fills_gap(d, q, c, s, na, nf)) {
            return;                 /* the stream goes on where it was */
        } else {
            d->seq_resyncs++;       /* restart, duplicate or reordering: count from here */
        }
    }
    q->last_seq = s;
    q->last_all = na;
    q->last_flow = nf;
}

/* ---- the decoder ----------------------------------------------------------------- */

static void leave_message(struct flowdec *d, bool complete) {
    if (d->tpl) { flow_template_drop(d->tpl); d->tpl = NULL; }
    if (!d->in_message) return;
    if (complete) seq_account(d);
    flow_session_unpin(d->table, d->sess);
    d->sess = NULL;
    d->in_message = false;
}

static void *flow_create(const char *input_name, struct rejects *rj) {
    struct flowdec *d = calloc(1, sizeof *d);
    if (!d) { fputs("vigil: out of memory\n", stderr); abort(); }
    d->input = input_name;
    d->rj = rj;
    d->id = ++next_instance_id;
    d->table = flow_sessions_acquire();
    return d;
}

static void *capture_create(const char *input_name, struct rejects *rj) {
    struct flowdec *d = flow_create(input_name, rj);
    d->capture = true;
    return d;
}

static void flow_destroy(void *self) {
    struct flowdec *d = self;
    if (!d) return;
    leave_message(d, false);
    flow_sessions_release(d->table);
    free(d);
}

static void flow_begin(void *self, const struct record *rec) {
    struct flowdec *d = self;
    leave_message(d, false);
    d->rec = *rec;
    d->rec_p = (const uint8_t *)rec->p;
    d->rec_end = d->rec_p + rec->len;
}

/* Open the next message of the record; false when there is none. */
static bool start_message(struct flowdec *d) {
    while (d->rec_p < d->rec_end) {
        const uint8_t *p = d->rec_p;
        size_t avail = (size_t)(d->rec_end - p);
        bool first = p == (const uint8_t *)d->rec.p;
        if (avail < 4 && first && d->capture) {
            if (d->not_export++ == 0) d->not_export_first = d->rec.offset;
            d->rec_p = d->rec_end;
            return false;
        }
        if (avail < 4) {
            flowdec_reject(d, p, first ? R_TRUNCATED : R_TRAILING, "%zu bytes", avail);
            d->rec_p = d->rec_end;
            return false;
        }
        bool ok;
        switch (flow_be16(p)) {
        case 10: ok = ipfix_begin_message(d); break;
        case 9: ok = nf9_begin_message(d); break;
        case 5: ok = nf5_begin_message(d); break;
        default:
            if (first && d->capture) {
                /* a capture holds other UDP traffic too (DNS, syslog...):
                 * not export, so not a malformed export either */
                if (d->not_export++ == 0) d->not_export_first = d->rec.offset;
                d->rec_p = d->rec_end;
                return false;
            }
            flowdec_reject(d, p, first ? R_VERSION : R_TRAILING, "version %u", flow_be16(p));
            d->rec_p = d->rec_end;
            return false;
        }
        if (ok) {
            d->in_message = true;
            return true;
        }
    }
    return false;
}

static void fill_event(struct flowdec *d, struct event *ev) {
    ev->time_us = d->flow.start_us;
    ev->layer = LAYER_NETWORK;
    ev->kind = EV_FLOW;
    ev->pos = (struct source_pos){ .input = d->input, .offset = position(d, d->msg), .item = d->item };
    ev->u.flow = &d->flow;
    d->st.flows++;
}

static int flow_next(void *self, struct event *ev) {
    struct flowdec *d = self;
    for (;;) {
        if (d->tpl) {
            if (data_set_next(d)) { fill_event(d, ev); return 1; }
            continue;
        }
        if (d->in_message) {
            int r;
            if (d->version == 5) {
                if (nf5_next_flow(d)) { fill_event(d, ev); return 1; }
                r = 0;
            } else {
                r = d->version == 10 ? ipfix_next_set(d) : nf9_next_set(d);
            }
            if (!r) leave_message(d, true);
            continue;
        }
        if (!start_message(d)) return 0;
    }
}

static void loss_lines(struct flowdec *d, buf *out) {
    for (uint32_t i = 0; i < d->n_losses; i++) {
        if (!d->losses[i].lost) continue;
        char e[96];
        flow_exporter_describe(&d->losses[i].exporter, e, sizeof e);
        buf_printf(out, "    %s: %" PRIu64 " %s\n", e, d->losses[i].lost,
                   d->losses[i].exporter.version == 9 ? "packets" : "records");
    }
    if (d->losses_other) buf_printf(out, "    other exporters: %" PRIu64 "\n", d->losses_other);
}

static void flow_report(void *self, buf *out) {
    struct flowdec *d = self;
    const struct flow_decoder_stats *s = &d->st;
    buf_printf(out, "  %" PRIu64 " export messages (IPFIX %" PRIu64 ", NetFlow v9 %" PRIu64 ", v5 %" PRIu64 "), %" PRIu64
                    " flows, %" PRIu64 " options records\n",
               s->messages_ipfix + s->messages_v9 + s->messages_v5, s->messages_ipfix, s->messages_v9, s->messages_v5,
               s->flows, s->options_records);
    if (d->not_export)
        buf_printf(out, "  %" PRIu64 " UDP datagram%s of the capture %s not flow export (version not 5, 9 or 10; first: "
                        "packet %" PRIu64 "): skipped\n",
                   d->not_export, d->not_export == 1 ? "" : "s", d->not_export == 1 ? "is" : "are", d->not_export_first);
    if (s->templates || s->options_templates || s->templates_redefined || s->templates_withdrawn)
        buf_printf(out, "  templates: %" PRIu64 " new, %" PRIu64 " options templates, %" PRIu64 " redefined, %" PRIu64
                        " withdrawn\n",
                   s->templates, s->options_templates, s->templates_redefined, s->templates_withdrawn);
    if (s->sets_unknown_template)
        buf_printf(out, "  %" PRIu64 " data set%s skipped: template not received before the data (first: offset %" PRIu64
                        ", template %u)\n",
                   s->sets_unknown_template, s->sets_unknown_template == 1 ? "" : "s", d->unknown_set_offset,
                   (unsigned)d->unknown_set_template);
    if (s->lost_records || s->lost_packets) {
        buf_printf(out, "  lost by sequence gaps: %" PRIu64 " records, %" PRIu64 " packets\n", s->lost_records,
                   s->lost_packets);
        loss_lines(d, out);
    }
    if (d->lost_late)
        buf_printf(out, "  %" PRIu64 " records or packets arrived late, filling earlier sequence gaps\n", d->lost_late);
    if (d->seq_resyncs)
        buf_printf(out, "  sequence numbers went back %" PRIu64 " time%s (exporter restart, duplicate or reordering): "
                        "counting restarted there\n",
                   d->seq_resyncs, d->seq_resyncs == 1 ? "" : "s");
    if (s->flows_without_sampling)
        buf_printf(out, "  sampling unknown: counts are not scaled (%" PRIu64 " of %" PRIu64
                        " flows carry no sampling information)\n",
                   s->flows_without_sampling, s->flows);
    if (s->flows_boot_estimated)
        buf_printf(out, "  %" PRIu64 " flows timed by sysUpTime without systemInitTimeMilliseconds: the exporter's boot "
                        "time is estimated from exportTime\n",
                   s->flows_boot_estimated);
    const struct flow_table_stats *t = flow_sessions_stats(d->table);
    if (t->sessions_evicted || t->templates_evicted || t->samplers_dropped)
        buf_printf(out, "  template cache full: %" PRIu64 " exporter sessions and %" PRIu64 " templates evicted, %" PRIu64
                        " sampler entries dropped\n",
                   t->sessions_evicted, t->templates_evicted, t->samplers_dropped);
}

static uint64_t flow_events(void *self) { return ((struct flowdec *)self)->st.flows; }

const struct flow_decoder_stats *flow_decoder_stats(void *decoder) { return &((struct flowdec *)decoder)->st; }

static int ipfix_sniff(vstr head) { return framer_sniff_export(head); }
static int pcap_sniff(vstr head) { return framer_sniff_capture(head); }

const struct decoder_ops ipfix_decoder = {
    .name = "ipfix",
    .description = "IPFIX messages (RFC 7011/5655 files), NetFlow v9 and v5 datagram files",
    .layer = LAYER_NETWORK,
    .sniff = ipfix_sniff,
    .create = flow_create,
    .destroy = flow_destroy,
    .begin = flow_begin,
    .next = flow_next,
    .report = flow_report,
    .events = flow_events,
};

const struct decoder_ops pcap_decoder = {
    .name = "pcap",
    .description = "pcap/pcapng captures of IPFIX, NetFlow v9 or v5 export traffic (UDP, any port)",
    .layer = LAYER_NETWORK,
    .sniff = pcap_sniff,
    .create = capture_create,
    .destroy = flow_destroy,
    .begin = flow_begin,
    .next = flow_next,
    .report = flow_report,
    .events = flow_events,
};
