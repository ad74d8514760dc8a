/* Template cache and compiled field plans, shared by the IPFIX (RFC 7011)
 * and NetFlow v9 (RFC 3954) decoders.
 *
 * Sessions. Templates, options-derived state (sampling, exporter boot time)
 * and sequence tracking live in a session, one per (exporter address,
 * exporter port, observation domain, version). Records that arrived without
 * a transport (plain files: .dat datagrams, IPFIX files) all share the zero
 * address and port, so their scope is the observation domain alone: a
 * template read from one file is used by the data of the next file, which
 * is how the public samples are laid out (`vigil scan tpl.dat data.dat`).
 *
 * Process-wide table. Every flow decoder instance of the process uses one
 * session table, created by the first flow_sessions_acquire() and freed
 * when the last instance releases it: decoders of several inputs of one
 * scan (or the listeners of the daemon) see the same templates without any
 * allocation per call. The table is not locked: all decoders that use it
 * must run on one thread (vigil scan and vigil run both do).
 *
 * Pins. A decoder walks a message in steps (one event per call), and
 * another decoder may run between two steps. A decoder therefore pins the
 * session and holds a reference on the template it is walking, so that
 * eviction, withdrawal or redefinition by someone else never frees memory
 * that is still in use; the table forgets them at once, the memory goes
 * when the last holder lets go.
 *
 * Bounds (hostile exporters, spoofed sources): at most FLOW_MAX_SESSIONS
 * sessions and FLOW_MAX_TEMPLATES_TOTAL templates (the least recently used
 * session is evicted, counted), FLOW_MAX_TEMPLATES_PER_SESSION per session
 * (its least recently used template is evicted, counted), FLOW_MAX_FIELDS
 * fields per template (more is refused), FLOW_MAX_SAMPLERS sampler
 * entries per session (more are dropped, counted). */
#ifndef VIGIL_FLOW_TEMPLATE_H
#define VIGIL_FLOW_TEMPLATE_H
#include <stdbool.h>
#include <stdint.h>
#include "util/ip.h"

#define FLOW_MAX_SESSIONS              4096
#define FLOW_MAX_TEMPLATES_PER_SESSION 1024
#define FLOW_MAX_TEMPLATES_TOTAL       65536
#define FLOW_MAX_FIELDS                512
#define FLOW_MAX_SAMPLERS              64
#define FLOW_VARLEN                    0xffff     /* IPFIX variable-length field */

/* Where a field's value goes. Numeric fields land in flow_values.v[],
 * addresses in their own arrays; FF_NONE fields are skipped by length. */
enum flow_field {
    FF_NONE = 0,
    FF_SRC4, FF_DST4, FF_SRC6, FF_DST6,
    FF_SRC_PORT, FF_DST_PORT, FF_PROTO, FF_TCP_FLAGS, FF_DIRECTION, FF_END_REASON,
    FF_OCTETS, FF_PACKETS, FF_OCTETS_TOTAL, FF_PACKETS_TOTAL,
    FF_REV_OCTETS, FF_REV_PACKETS, FF_REV_OCTETS_TOTAL, FF_REV_PACKETS_TOTAL,
    FF_INIT_OCTETS, FF_RESP_OCTETS, FF_INIT_PACKETS, FF_RESP_PACKETS,
    FF_START_S, FF_END_S, FF_START_MS, FF_END_MS, FF_START_US, FF_END_US,
    FF_START_NS, FF_END_NS, FF_START_UP, FF_END_UP, FF_START_DELTA, FF_END_DELTA,
    FF_OBS_MS,
    FF_SAMPLING_INTERVAL, FF_SAMPLING_ALGORITHM, FF_SAMPLER_ID, FF_SAMPLER_MODE,
    FF_SAMPLER_RANDOM_INTERVAL, FF_SELECTOR_ID, FF_SELECTOR_ALGORITHM,
    FF_PKT_INTERVAL, FF_PKT_SPACE, FF_SAMPLING_SIZE, FF_SAMPLING_POPULATION,
    FF_SAMPLING_PROBABILITY, FF_SYSTEM_INIT_MS,
    FF_COUNT
};
#define FF_BIT(f) (UINT64_C(1) << (f))

/* One record's values, written by the plan. Only the fields in the
 * template's mask are meaningful: nothing is cleared between records,
 * because every record of a template writes the same fields. */
struct flow_values {
    uint64_t v[FF_COUNT];
    double probability;             /* FF_SAMPLING_PROBABILITY */
    uint8_t src4[4], dst4[4];
    uint8_t src6[16], dst6[16];
};

enum flow_op { OP_SKIP_VAR, OP_U8, OP_U16, OP_U32, OP_U64, OP_UN, OP_V4, OP_V6, OP_F32, OP_F64, OP_SKIP };

/* One step of a compiled plan. In a fixed-length template off is the
 * field's offset in the record and only fields with a destination have a
 * step; in a variable-length template off is the number of bytes to skip
 * before the field, and every variable-length field has a step. */
struct flow_step {
    uint16_t off;
    uint8_t op;                     /* enum flow_op */
    uint8_t len;                    /* wire length for OP_UN (1..8) */
    uint8_t field;                  /* enum flow_field */
};

enum flow_time_kind { FT_NONE, FT_MS, FT_US, FT_NS, FT_S, FT_UPTIME, FT_DELTA, FT_OBS };

/* How a record says which packet sampling was in force, in order of
 * preference (the selector algorithm, when present, picks one). */
enum flow_sampling_kind {
    FS_NONE,            /* nothing in the record */
    FS_POPULATION,      /* samplingSize / samplingPopulation (309/310) */
    FS_PROBABILITY,     /* samplingProbability (311) */
    FS_PACKET_SPACE,    /* samplingPacketInterval / samplingPacketSpace (305/306) */
    FS_RANDOM_INTERVAL, /* samplerRandomInterval (50), v9 and legacy IPFIX */
    FS_INTERVAL,        /* samplingInterval (34) */
};

struct flow_template {
    uint16_t id;
    bool options;                   /* an options template (scope fields) */
    bool varlen;                    /* has variable-length fields */
    bool v6_first;                  /* IPv6 addresses come before IPv4 ones */
    uint8_t time_kind;              /* enum flow_time_kind */
    uint8_t sampling_kind;          /* enum flow_sampling_kind */
    uint16_t field_count, scope_count;
    uint32_t min_len;               /* shortest record: fixed part + 1 per varlen field */
    uint64_t mask;                  /* FF_BIT of every field with a destination */
    uint64_t last_used;             /* LRU stamp within the session */
    uint32_t refs;                  /* the session's table + decoders walking it */
    /* What a flow is built from, settled once per template: the field
     * that holds each value, or FF_NONE, whose slot in flow_values is
     * never written and reads 0. */
    uint8_t pick_src_port, pick_dst_port, pick_proto, pick_tcp_flags, pick_direction, pick_end_reason;
    uint8_t pick_octets, pick_packets, pick_rev_octets, pick_rev_packets;
    uint8_t time_start, time_end;   /* fields of time_kind */
    uint32_t flow_has;              /* the FLOW_HAS_ bits the template gives (event.h) */
    /* Steps. A fixed-length template's are grouped by operation in enum
     * order (their offsets are absolute): n_op[op] of each, so the plan
     * runs as a few tight loops. A variable-length one's are in wire
     * order. */
    uint16_t n_op[OP_SKIP + 1];
    uint16_t n_steps;
    struct flow_step steps[];
};

/* A field as it is on the wire. */
struct flow_field_spec {
    uint16_t ie;                    /* without the enterprise bit */
    uint16_t len;                   /* FLOW_VARLEN: variable */
    uint32_t pen;                   /* 0: IANA */
    bool v9_scope;                  /* v9 scope types (1-5) are not IEs: skipped */
};

enum flow_tpl_result {
    TPL_OK, TPL_REDEFINED, TPL_SAME,
    TPL_TOO_MANY_FIELDS, TPL_RECORD_TOO_LONG, TPL_EMPTY_RECORD,
};

struct flow_gap { uint32_t start, len, left; };

struct flow_seq {
    bool valid;
    uint64_t owner;                 /* the decoder instance that saw it last */
    uint32_t last_seq;
    uint32_t last_all, last_flow;   /* data records (all / flow) in that message */
    uint8_t candidates;             /* conventions still consistent (flow.c) */
    uint8_t relearn;                /* messages in a row only a dropped convention explains */
    struct flow_gap gaps[8];        /* recent gaps, for late arrivals */
    uint8_t next_gap;
};

struct flow_sampler { uint8_t kind; uint64_t id; uint32_t n; };

struct flow_session {
    /* key */
    struct ipaddr addr;
    uint16_t port;
    uint8_t version;
    uint32_t odid;
    /* table bookkeeping */
    struct flow_session *lru_prev, *lru_next;
    uint32_t pins;
    bool evicted;                   /* out of the table, freed when unpinned */
    struct flow_template **tpl;     /* open addressing by id, NULL = empty */
    uint32_t tpl_mask, n_tpl;
    /* state from options records */
    int64_t init_ms;                /* systemInitTimeMilliseconds; INT64_MIN unknown */
    int64_t boot_estimate_ms;       /* exportTime - flowEndSysUpTime, lowest seen */
    uint32_t default_sampling;      /* 1:N for the whole domain, 0 unknown */
    struct flow_sampler samplers[FLOW_MAX_SAMPLERS];
    uint32_t n_samplers;
    struct flow_seq seq;
};

/* Counts kept by the table, for reports. */
struct flow_table_stats {
    uint64_t sessions_evicted, templates_evicted, samplers_dropped;
};

struct flow_sessions;

struct flow_sessions *flow_sessions_acquire(void);
void flow_sessions_release(struct flow_sessions *t);
const struct flow_table_stats *flow_sessions_stats(const struct flow_sessions *t);
uint32_t flow_sessions_count(const struct flow_sessions *t);

/* The session for a key, created when missing (the least recently used
 * unpinned session is evicted when the table is full). Returned pinned:
 * pair with flow_session_unpin. */
struct flow_session *flow_session_get(struct flow_sessions *t, const struct ipaddr *addr, uint16_t port,
                                      uint32_t odid, uint8_t version);
void flow_session_unpin(struct flow_sessions *t, struct flow_session *s);

/* A template of the session, or NULL; marks it used. The pointer is valid
 * while the session is pinned and no template set is processed; hold a
 * reference (flow_template_hold) to keep it longer. */
struct flow_template *flow_template_find(struct flow_sessions *t, struct flow_session *s, uint16_t id);
void flow_template_hold(struct flow_template *tpl);
void flow_template_drop(struct flow_template *tpl);

/* Compile fields into a template of the session, replacing one with the
 * same id. n_fields may be up to FLOW_MAX_FIELDS; more is refused. */
enum flow_tpl_result flow_template_define(struct flow_sessions *t, struct flow_session *s, uint16_t id,
                                          bool options, const struct flow_field_spec *fields,
                                          uint32_t n_fields, uint16_t scope_count);
/* Withdrawal: one template; 1 if it existed. */
int flow_template_withdraw(struct flow_sessions *t, struct flow_session *s, uint16_t id);
/* Withdrawal of all (options) templates of the session: how many. */
uint32_t flow_template_withdraw_all(struct flow_sessions *t, struct flow_session *s, bool options);

/* Run the plan over one record at p, at most avail bytes. Returns the
 * record's length, or 0 when the record does not fit (a truncated
 * variable-length record). */
uint32_t flow_plan_run(const struct flow_template *tpl, const uint8_t *p, uint32_t avail, struct flow_values *out);

/* 1:N from the sampling fields of a record (options or data), 0 when
 * they say nothing usable. samplingInterval 0 means unsampled (1). */
uint32_t flow_sampling_rate(const struct flow_template *tpl, const struct flow_values *v);

/* Sampler state from options records. kind: FF_SELECTOR_ID or
 * FF_SAMPLER_ID. */
void flow_sampler_set(struct flow_sessions *t, struct flow_session *s, uint8_t kind, uint64_t id, uint32_t n);
uint32_t flow_sampler_get(const struct flow_session *s, uint8_t kind, uint64_t id);

/* Big-endian integer of 1..8 bytes (reduced-size encoding). */
static inline uint64_t flow_be(const uint8_t *p, unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) v = v << 8 | p[i];
    return v;
}
static inline uint16_t flow_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t flow_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
#endif
