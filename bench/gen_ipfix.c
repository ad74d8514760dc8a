/* Deterministic IPFIX file generator for the flow benchmark (bench/README.md,
 * "Flows").
 *
 *   gen_ipfix OUT.ipfix [--records N] [--seed S] [--start TIME] [--span SECONDS]
 *             [--vms N] [--refresh K] [--sampling N] [--v6-permille P]
 *             [--odid ID] [--inventory FILE]
 *
 * Writes an RFC 5655 IPFIX file: RFC 7011 messages back to back, each at most
 * MSG_MAX bytes as a UDP exporter would send them, so the same file can be
 * replayed datagram by datagram to a collector (bench/ipfix_send.c). The
 * export imitates softflowd 1.1.0 run with `-v 10 -A milli` (research note
 * bench.md §2.2): templates 1024 (IPv4 TCP/UDP, 50 bytes a record), 1025
 * (IPv4 other, ICMP type/code in place of the ports), 2048/2049 (the IPv6
 * twins), 4-byte counters, 1-byte tcpControlBits, absolute millisecond
 * times; an options template 256 scoped by meteringProcessId with
 * systemInitTimeMilliseconds, samplingPacketInterval/Space (1:N packet
 * sampling) and selectorAlgorithm; all of them re-sent every K messages.
 * Unlike softflowd, sequence numbers follow RFC 7011 §3.1 exactly (data
 * records sent before this message, options records included).
 *
 * The estate: --vms addresses in 10.20.0.0/16 (a /24 subnet per 250 VMs,
 * hosts from .4 as Azure numbers them; one VM in five, every web server
 * among them, also has an IPv6 address in 2001:db8:20::/48), with roles (web, Windows, database, Linux,
 * two jump hosts) talking to a large pool of external peers whose
 * popularity is skewed like real traffic (a few CDN-like addresses take
 * much of it). The mix: outbound HTTPS/HTTP, DNS and NTP to a few
 * resolvers, inbound HTTPS to web VMs, east-west database/cache/SMB
 * traffic, a little admin SSH and RDP, SSH from the jump hosts, and
 * internet scanners sending lone SYNs to 22/3389/445/... Conversations give
 * a forward record and usually the reverse one, as softflowd exports them.
 * Event time runs evenly over --span seconds from --start.
 *
 * --inventory writes the VM inventory (DESIGN.md's JSON lines) for the same
 * estate, so that `vigil scan --inventory` takes the network detector's
 * inventory path; a few addresses change holder half way through the span.
 *
 * Prints one line of key=value totals on stdout (records, flows, packets,
 * octets, per-family and per-protocol counts, messages, bytes) for the
 * benchmark's cross-check with the decoder and with nfdump. The same
 * arguments always give the same bytes. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MSG_MAX 1400            /* a UDP exporter's datagram budget (softflowd ~1.4 KB) */
#define MSG_HDR 16
#define SET_HDR 4

enum { TPL_V4 = 1024, TPL_V4_OTHER = 1025, TPL_V6 = 2048, TPL_V6_OTHER = 2049, TPL_OPTIONS = 256 };

/* Information elements (IANA ids) and the lengths softflowd sends. */
struct ie { uint16_t id, len; };

static const struct ie tpl_v4[] = {
    {8, 4}, {12, 4}, {152, 8}, {153, 8}, {1, 4}, {2, 4}, {10, 4}, {14, 4},
    {61, 1}, {136, 1}, {7, 2}, {11, 2}, {4, 1}, {6, 1}, {60, 1}, {5, 1},
};
static const struct ie tpl_v4_other[] = {
    {8, 4}, {12, 4}, {152, 8}, {153, 8}, {1, 4}, {2, 4}, {10, 4}, {14, 4},
    {61, 1}, {136, 1}, {32, 2}, {4, 1}, {60, 1}, {5, 1},
};
static const struct ie tpl_v6[] = {
    {27, 16}, {28, 16}, {152, 8}, {153, 8}, {1, 4}, {2, 4}, {10, 4}, {14, 4},
    {61, 1}, {136, 1}, {7, 2}, {11, 2}, {4, 1}, {6, 1}, {60, 1}, {5, 1},
};
static const struct ie tpl_v6_other[] = {
    {27, 16}, {28, 16}, {152, 8}, {153, 8}, {1, 4}, {2, 4}, {10, 4}, {14, 4},
    {61, 1}, {136, 1}, {139, 2}, {4, 1}, {60, 1}, {5, 1},
};
/* scope: meteringProcessId; then systemInitTimeMilliseconds,
 * samplingPacketInterval, samplingPacketSpace, selectorAlgorithm,
 * interfaceName (16 bytes, NUL padded). */
static const struct ie tpl_options[] = {
    {143, 4}, {160, 8}, {305, 4}, {306, 4}, {304, 2}, {82, 16},
};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static size_t tpl_record_len(const struct ie *f, size_t n) {
    size_t len = 0;
    for (size_t i = 0; i < n; i++) len += f[i].len;
    return len;
}

/* ---- deterministic randomness ------------------------------------------ */

/* splitmix64: one add and three mixes per draw, and any seed is a good one. */
static uint64_t rng_state;
static inline uint64_t rnd(void) {
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
/* Uniform in [0, n), n > 0 (multiply-shift instead of a division; the
 * bias, n / 2^32, is far below anything a benchmark corpus could show). */
static inline uint32_t below(uint32_t n) { return (uint32_t)(((rnd() >> 32) * n) >> 32); }
static inline uint32_t range(uint32_t lo, uint32_t hi) { return lo + below(hi - lo + 1); }
static inline double unit(void) { return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0); }
/* Skewed towards 0: index i of n with P(i) falling like a power law, so a
 * few peers take much of the traffic and the tail is long. */
static inline uint32_t skewed(uint32_t n) {
    double u = unit();
    return (uint32_t)(u * u * u * n);
}
static inline uint64_t mix64(uint64_t x) {
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

/* ---- big-endian output ------------------------------------------------- */

static inline uint8_t *put8(uint8_t *p, uint8_t v) { *p = v; return p + 1; }
static inline uint8_t *put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; return p + 2; }
static inline uint8_t *put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
    return p + 4;
}
static inline uint8_t *put64(uint8_t *p, uint64_t v) { return put32(put32(p, (uint32_t)(v >> 32)), (uint32_t)v); }
static inline uint8_t *putn(uint8_t *p, const void *src, size_t n) { memcpy(p, src, n); return p + n; }

/* ---- addresses --------------------------------------------------------- */

struct addr { bool v6; uint8_t b[16]; };   /* v4 in b[0..3] */

static bool public_v4(uint32_t a) {
    uint8_t o1 = (uint8_t)(a >> 24), o2 = (uint8_t)(a >> 16);
    if (o1 == 0 || o1 == 10 || o1 == 127 || o1 >= 224) return false;
    if (o1 == 100 && (o2 & 0xc0) == 64) return false;          /* 100.64/10 */
    if (o1 == 169 && o2 == 254) return false;
    if (o1 == 172 && (o2 & 0xf0) == 16) return false;
    if (o1 == 192 && o2 == 168) return false;
    return true;
}

static struct addr v4(uint32_t a) {
    struct addr r = { .v6 = false };
    put32(r.b, a);
    return r;
}

/* The n-th member of a pool of external addresses: a fixed hash of (pool, n),
 * re-drawn until it is a public address, so a pool needs no memory. */
static struct addr peer_v4(uint32_t pool, uint32_t n) {
    uint64_t h = mix64(((uint64_t)pool << 32 | n) ^ 0x5eed);
    while (!public_v4((uint32_t)h)) h = mix64(h + 1);
    return v4((uint32_t)h);
}

static struct addr peer_v6(uint32_t pool, uint32_t n) {
    struct addr r = { .v6 = true };
    uint64_t h1 = mix64(((uint64_t)pool << 32 | n) ^ 0x6eed), h2 = mix64(h1);
    put64(r.b, h1);
    put64(r.b + 8, h2);
    r.b[0] = 0x2a; r.b[1] = (uint8_t)(r.b[1] & 0x0f);          /* 2a00::/12, global unicast */
    return r;
}

/* VM i: 10.20.(i / 250).(i % 250 + 4): a /24 per 250 VMs, .0-.3 reserved. */
static struct addr vm_v4(uint32_t i) { return v4(0x0a140000u | (i / 250) << 8 | (i % 250 + 4)); }
static bool vm_dual_stack(uint32_t i) { return i % 5 == 3; }   /* every web VM, and as many others */
static struct addr vm_v6(uint32_t i) {
    struct addr r = { .v6 = true };
    static const uint8_t pre[6] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x20 };   /* 2001:db8:20::/48 */
    memcpy(r.b, pre, 6);
    put16(r.b + 6, (uint16_t)(i / 250));
    put32(r.b + 12, i % 250 + 4);
    return r;
}

static void format_addr(const struct addr *a, char *out, size_t n) {
    if (!a->v6) {
        snprintf(out, n, "%u.%u.%u.%u", a->b[0], a->b[1], a->b[2], a->b[3]);
        return;
    }
    /* Full form without zero compression: valid RFC 4291 text, and the
     * inventory parser must accept it anyway. */
    snprintf(out, n, "%x:%x:%x:%x:%x:%x:%x:%x",
             a->b[0] << 8 | a->b[1], a->b[2] << 8 | a->b[3], a->b[4] << 8 | a->b[5], a->b[6] << 8 | a->b[7],
             a->b[8] << 8 | a->b[9], a->b[10] << 8 | a->b[11], a->b[12] << 8 | a->b[13], a->b[14] << 8 | a->b[15]);
}

/* ---- the estate ---------------------------------------------------------- */

enum role { ROLE_LINUX, ROLE_WEB, ROLE_WINDOWS, ROLE_DB, ROLE_JUMP };
static const char *const role_name[] = { "linux", "web", "win", "db", "jump" };

/* Roles by VM index, fixed so the inventory and the flows agree: 2 jump
 * hosts, then every tenth a web server, every seventh Windows, every
 * thirteenth a database, the rest Linux. */
static enum role vm_role(uint32_t i) {
    if (i < 2) return ROLE_JUMP;
    if (i % 10 == 3) return ROLE_WEB;
    if (i % 7 == 5) return ROLE_WINDOWS;
    if (i % 13 == 6) return ROLE_DB;
    return ROLE_LINUX;
}

/* Pools of external peers (the pool id seeds their addresses). */
enum { POOL_WEB = 1, POOL_CLIENTS, POOL_SCANNERS, POOL_ADMINS, POOL_GIT, POOL_WEB6, POOL_CLIENTS6 };
#define N_WEB_PEERS 200000u
#define N_CLIENTS 400000u
#define N_SCANNERS 5000u
#define N_ADMINS 8u
#define N_GIT 4u

struct params {
    const char *out, *inventory;
    uint64_t records, seed;
    int64_t start_ms;
    uint32_t span_s, vms, refresh, sampling, v6_permille, odid;
};

/* A VM of the given role: web servers and jump hosts are picked directly;
 * the other roles by rejection, which is cheap since each is at least ~7%
 * of the estate, and falls back to any VM after 64 misses. */
static uint32_t pick_vm(const struct params *P, enum role want) {
    if (want == ROLE_JUMP) return below(2);
    if (want == ROLE_WEB) return below((P->vms + 6) / 10) * 10 + 3;
    for (int tries = 0; tries < 64; tries++) {
        uint32_t i = below(P->vms);
        if (vm_role(i) == want) return i;
    }
    return below(P->vms);
}

static uint32_t pick_dual_stack_vm(const struct params *P) {
    return below((P->vms + 1) / 5) * 5 + 3;
}

/* ---- flow records ------------------------------------------------------- */

struct flowrec {
    struct addr src, dst;
    uint16_t sport, dport;          /* ICMP: dport = type << 8 | code */
    uint8_t proto, tcp_flags, direction, end_reason, tos;
    uint32_t packets, octets;
    uint32_t in_if, out_if;
    int64_t start_ms, end_ms;
};

struct totals {
    uint64_t flows, packets, octets, v4, v6, tcp, udp, icmp, ssh, rdp;
    uint64_t messages, bytes, data_sets, template_records, options_records;
};

static uint16_t ephemeral(void) { return (uint16_t)range(32768, 60999); }   /* Linux ip_local_port_range */

/* Sampled packet counts: with 1:N sampling most records carry one or two
 * packets; a tail of bulk transfers carries dozens. */
static uint32_t sampled_packets(uint32_t bulk_permille) {
    if (below(1000) < bulk_permille) return range(8, 200);
    uint32_t p = 1;
    while (p < 8 && below(100) < 35) p++;
    return p;
}

static void set_counts(struct flowrec *f, uint32_t packets, uint32_t min_size, uint32_t max_size) {
    f->packets = packets;
    uint64_t bytes = 0;
    /* Average size over the packets without drawing one per packet. */
    bytes = (uint64_t)packets * range(min_size, max_size);
    f->octets = bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes;
}

/* The exporter sits on the VNet edge: traffic from the internet comes in
 * on interface 1 and leaves on 2; the VMs' subnets are interface 3, so
 * east-west traffic is 3 to 3. flowDirection is egress for what leaves
 * the estate. */
static void set_path(struct flowrec *f, bool from_vm, bool to_vm) {
    f->in_if = from_vm ? 3 : 1;
    f->out_if = to_vm ? 3 : 2;
    f->direction = from_vm && !to_vm;
}

/* ---- message assembly -------------------------------------------------- */

struct writer {
    FILE *out;
    const struct params *P;
    uint8_t msg[MSG_MAX];
    size_t len;                 /* bytes in msg */
    size_t set_at;              /* offset of the open set's header, 0 for none */
    uint16_t set_id;
    uint32_t seq;               /* data records sent before this message (RFC 7011 §3.1) */
    uint32_t msg_records;       /* data records in msg (options records included) */
    uint64_t msg_index;
    int64_t export_ms;          /* latest record end in msg */
    size_t len_v4, len_v4_other, len_v6, len_v6_other;   /* data record sizes */
    struct totals *t;
    uint8_t *obuf;              /* output buffer: fwrite in large blocks */
    size_t olen, ocap;
};

static void close_set(struct writer *w) {
    if (!w->set_at) return;
    put16(w->msg + w->set_at + 2, (uint16_t)(w->len - w->set_at));
    w->set_at = 0;
    w->set_id = 0;
}

static void open_set(struct writer *w, uint16_t id) {
    close_set(w);
    w->set_at = w->len;
    put16(put16(w->msg + w->len, id), 0);
    w->len += SET_HDR;
    w->set_id = id;
    if (id >= 256) w->t->data_sets++;
}

static uint8_t *put_template(uint8_t *p, uint16_t id, const struct ie *f, size_t n) {
    p = put16(put16(p, id), (uint16_t)n);
    for (size_t i = 0; i < n; i++) p = put16(put16(p, f[i].id), f[i].len);
    return p;
}

static void flush_out(struct writer *w) {
    if (w->olen && fwrite(w->obuf, 1, w->olen, w->out) != w->olen) {
        fprintf(stderr, "gen_ipfix: write %s: %s\n", w->P->out, strerror(errno));
        exit(1);
    }
    w->olen = 0;
}

/* Templates, the options template and the sampling options record, at the
 * head of a message, as softflowd re-sends them. */
static void put_templates(struct writer *w) {
    open_set(w, 2);
    uint8_t *p = w->msg + w->len;
    p = put_template(p, TPL_V4, tpl_v4, NELEM(tpl_v4));
    p = put_template(p, TPL_V4_OTHER, tpl_v4_other, NELEM(tpl_v4_other));
    p = put_template(p, TPL_V6, tpl_v6, NELEM(tpl_v6));
    p = put_template(p, TPL_V6_OTHER, tpl_v6_other, NELEM(tpl_v6_other));
    w->len = (size_t)(p - w->msg);
    w->t->template_records += 4;

    open_set(w, 3);
    p = w->msg + w->len;
    p = put16(put16(put16(p, TPL_OPTIONS), NELEM(tpl_options)), 1);   /* one scope field */
    for (size_t i = 0; i < NELEM(tpl_options); i++) p = put16(put16(p, tpl_options[i].id), tpl_options[i].len);
    w->len = (size_t)(p - w->msg);
    w->t->template_records++;

    open_set(w, TPL_OPTIONS);
    p = w->msg + w->len;
    uint8_t ifname[16] = "eth0";
    p = put32(p, 1);                                            /* meteringProcessId */
    p = put64(p, (uint64_t)(w->P->start_ms - 86400000));        /* exporter up since a day */
    p = put32(p, 1);                                            /* sample 1 packet ... */
    p = put32(p, w->P->sampling - 1);                           /* ... then skip N-1 */
    p = put16(p, 1);                                            /* systematic count-based */
    p = putn(p, ifname, sizeof ifname);
    w->len = (size_t)(p - w->msg);
    w->msg_records++;
    w->t->options_records++;
}

static void begin_message(struct writer *w) {
    w->len = MSG_HDR;
    w->set_at = 0;
    w->set_id = 0;
    w->msg_records = 0;
    w->export_ms = 0;
    if (w->msg_index % w->P->refresh == 0) put_templates(w);
}

static void finish_message(struct writer *w) {
    close_set(w);
    uint8_t *h = w->msg;
    h = put16(h, 10);
    h = put16(h, (uint16_t)w->len);
    /* Export time: when the last flow in it ended, rounded up, as an
     * exporter sends after a flow expires. */
    h = put32(h, (uint32_t)((w->export_ms + 999) / 1000));
    h = put32(h, w->seq);
    put32(h, w->P->odid);
    if (w->olen + w->len > w->ocap) flush_out(w);
    memcpy(w->obuf + w->olen, w->msg, w->len);
    w->olen += w->len;
    w->seq += w->msg_records;
    w->t->messages++;
    w->t->bytes += w->len;
    w->msg_index++;
}

static void encode(uint8_t *p, const struct flowrec *f, uint16_t tid) {
    bool other = tid == TPL_V4_OTHER || tid == TPL_V6_OTHER;
    p = f->src.v6 ? putn(p, f->src.b, 16) : putn(p, f->src.b, 4);
    p = f->dst.v6 ? putn(p, f->dst.b, 16) : putn(p, f->dst.b, 4);
    p = put64(p, (uint64_t)f->start_ms);
    p = put64(p, (uint64_t)f->end_ms);
    p = put32(p, f->octets);
    p = put32(p, f->packets);
    p = put32(p, f->in_if);
    p = put32(p, f->out_if);
    p = put8(p, f->direction);
    p = put8(p, f->end_reason);
    if (other) {
        p = put16(p, f->dport);                                 /* icmpTypeCode */
        p = put8(p, f->proto);
    } else {
        p = put16(p, f->sport);
        p = put16(p, f->dport);
        p = put8(p, f->proto);
        p = put8(p, f->proto == 6 ? f->tcp_flags : 0);
    }
    p = put8(p, f->src.v6 ? 6 : 4);
    put8(p, f->tos);
}

static void emit(struct writer *w, const struct flowrec *f) {
    bool other = f->proto != 6 && f->proto != 17;
    uint16_t tid = f->src.v6 ? (other ? TPL_V6_OTHER : TPL_V6) : (other ? TPL_V4_OTHER : TPL_V4);
    size_t rl = f->src.v6 ? (other ? w->len_v6_other : w->len_v6) : (other ? w->len_v4_other : w->len_v4);
    size_t need = rl + (w->set_id == tid ? 0 : SET_HDR);
    if (w->len + need > MSG_MAX) {
        finish_message(w);
        begin_message(w);
        need = rl + SET_HDR;
        if (w->len + need > MSG_MAX) { fprintf(stderr, "gen_ipfix: record does not fit a message\n"); exit(1); }
    }
    if (w->set_id != tid) open_set(w, tid);
    encode(w->msg + w->len, f, tid);
    w->len += rl;
    w->msg_records++;
    if (f->end_ms > w->export_ms) w->export_ms = f->end_ms;

    struct totals *t = w->t;
    t->flows++;
    t->packets += f->packets;
    t->octets += f->octets;
    if (f->src.v6) t->v6++; else t->v4++;
    if (f->proto == 6) t->tcp++; else if (f->proto == 17) t->udp++; else t->icmp++;
    if (f->proto == 6 && (f->dport == 22 || f->sport == 22)) t->ssh++;
    if (f->dport == 3389 || f->sport == 3389) t->rdp++;
}

/* ---- conversations ------------------------------------------------------ */

/* Weights per 1000 conversations. */
enum conv {
    C_OUT_HTTPS, C_OUT_HTTP, C_DNS, C_NTP, C_IN_HTTPS, C_EAST_WEST, C_SSH_ADMIN,
    C_SSH_OUT, C_SSH_JUMP, C_RDP_ADMIN, C_SCAN, C_ICMP, C_N
};
static const uint16_t conv_weight[C_N] = { 430, 60, 150, 10, 110, 150, 4, 3, 6, 3, 64, 10 };

static enum conv pick_conv(void) {
    uint32_t r = below(1000);
    for (int c = 0; c < C_N; c++) {
        if (r < conv_weight[c]) return (enum conv)c;
        r -= conv_weight[c];
    }
    return C_OUT_HTTPS;
}

static const uint16_t east_west_ports[] = { 1433, 5432, 3306, 6379, 8080, 445, 9092, 2379 };
static const uint16_t scan_ports[] = { 22, 22, 22, 3389, 3389, 23, 445, 80, 8080, 1433, 5900, 6379 };
static const uint32_t resolvers[] = { 0xa83f8110u /* 168.63.129.16 */, 0x08080808u, 0x01010101u };

/* One conversation ending at end_ms: its forward record, and the reverse
 * one unless the peer never answered or !may_reverse (the last record of
 * the file). Returns the number of records written (1 or 2). */
static int conversation(struct writer *w, int64_t end_ms, bool may_reverse) {
    const struct params *P = w->P;
    struct flowrec f;
    memset(&f, 0, sizeof f);
    f.end_reason = 3;                              /* end of flow detected */
    f.proto = 6;
    f.tcp_flags = 0x1b;                            /* FIN PSH ACK SYN */
    uint32_t dur_ms = range(20, 20000);
    uint32_t bulk = 20, fwd_min = 52, fwd_max = 600, rev_min = 52, rev_max = 1500;
    int rev_permille = 900;
    bool v6 = false, from_vm = true, to_vm = false;
    uint32_t vm;

    switch (pick_conv()) {
    case C_OUT_HTTPS:
    case C_OUT_HTTP: {
        bool https = below(49) != 0;
        v6 = below(1000) < P->v6_permille;
        if (v6) { vm = pick_dual_stack_vm(P); f.src = vm_v6(vm); f.dst = peer_v6(POOL_WEB6, skewed(N_WEB_PEERS / 4)); }
        else { vm = below(P->vms); f.src = vm_v4(vm); f.dst = peer_v4(POOL_WEB, skewed(N_WEB_PEERS)); }
        f.sport = ephemeral();
        f.dport = https ? 443 : 80;
        if (below(1000) < 40) { dur_ms = range(60000, 300000); f.end_reason = 2; bulk = 400; }
        break;
    }
    case C_DNS:
        v6 = below(1000) < P->v6_permille;
        vm = v6 ? pick_dual_stack_vm(P) : below(P->vms);
        f.src = v6 ? vm_v6(vm) : vm_v4(vm);
        f.dst = v6 ? peer_v6(POOL_WEB6, below(2)) : v4(resolvers[skewed(3)]);
        f.proto = 17; f.tcp_flags = 0;
        f.sport = ephemeral(); f.dport = 53;
        dur_ms = range(0, 40); bulk = 0; fwd_min = 60; fwd_max = 90; rev_min = 90; rev_max = 480;
        rev_permille = 970; f.end_reason = 1;
        break;
    case C_NTP:
        f.src = vm_v4(below(P->vms)); f.dst = peer_v4(POOL_WEB, 7 + below(4));
        f.proto = 17; f.tcp_flags = 0; f.sport = 123; f.dport = 123;
        dur_ms = 0; bulk = 0; fwd_min = fwd_max = rev_min = rev_max = 76; f.end_reason = 1;
        break;
    case C_IN_HTTPS:
        v6 = below(1000) < P->v6_permille;
        vm = pick_vm(P, ROLE_WEB);
        if (v6 && vm_dual_stack(vm)) { f.src = peer_v6(POOL_CLIENTS6, skewed(N_CLIENTS)); f.dst = vm_v6(vm); }
        else { f.src = peer_v4(POOL_CLIENTS, skewed(N_CLIENTS)); f.dst = vm_v4(vm); }
        f.sport = ephemeral(); f.dport = 443;
        fwd_max = 900;
        from_vm = false; to_vm = true;
        break;
    case C_EAST_WEST: {
        uint16_t port = east_west_ports[below(NELEM(east_west_ports))];
        f.src = vm_v4(below(P->vms));
        f.dst = vm_v4(port == 445 ? pick_vm(P, ROLE_WINDOWS) : pick_vm(P, ROLE_DB));
        f.sport = ephemeral(); f.dport = port;
        bulk = 60; dur_ms = range(5, 60000);
        to_vm = true;
        break;
    }
    case C_SSH_ADMIN:
        f.src = peer_v4(POOL_ADMINS, below(N_ADMINS));
        f.dst = vm_v4(below(4) ? pick_vm(P, ROLE_JUMP) : pick_vm(P, ROLE_LINUX));
        f.sport = ephemeral(); f.dport = 22;
        dur_ms = range(30000, 300000); bulk = 300; fwd_max = 200;
        from_vm = false; to_vm = true;
        break;
    case C_SSH_OUT:
        f.src = vm_v4(pick_vm(P, ROLE_LINUX)); f.dst = peer_v4(POOL_GIT, below(N_GIT));
        f.sport = ephemeral(); f.dport = 22;
        dur_ms = range(500, 20000); bulk = 200;
        break;
    case C_SSH_JUMP:
        f.src = vm_v4(pick_vm(P, ROLE_JUMP)); f.dst = vm_v4(below(P->vms));
        f.sport = ephemeral(); f.dport = 22;
        dur_ms = range(1000, 300000); bulk = 200; fwd_max = 200;
        to_vm = true;
        break;
    case C_RDP_ADMIN:
        f.src = peer_v4(POOL_ADMINS, below(N_ADMINS)); f.dst = vm_v4(pick_vm(P, ROLE_WINDOWS));
        if (below(4) == 0) { f.proto = 17; f.tcp_flags = 0; }   /* RDP's UDP transport */
        f.sport = ephemeral(); f.dport = 3389;
        dur_ms = range(60000, 300000); f.end_reason = 2; bulk = 500;
        from_vm = false; to_vm = true;
        break;
    case C_SCAN:
        /* A lone SYN from an internet scanner; a closed port answers RST. */
        f.src = peer_v4(POOL_SCANNERS, skewed(N_SCANNERS)); f.dst = vm_v4(below(P->vms));
        f.sport = ephemeral(); f.dport = scan_ports[below(NELEM(scan_ports))];
        f.tcp_flags = 0x02; dur_ms = 0; bulk = 0; fwd_min = fwd_max = 44; rev_min = rev_max = 40;
        f.end_reason = 1; rev_permille = 300;
        from_vm = false; to_vm = true;
        break;
    case C_ICMP:
    default:
        f.src = vm_v4(below(P->vms)); f.dst = peer_v4(POOL_WEB, skewed(N_WEB_PEERS));
        f.proto = 1; f.tcp_flags = 0; f.sport = 0; f.dport = 8 << 8;   /* echo request */
        dur_ms = range(0, 5000); bulk = 0; fwd_min = fwd_max = rev_min = rev_max = 84; f.end_reason = 1;
        break;
    }

    set_path(&f, from_vm, to_vm);
    f.end_ms = end_ms;
    f.start_ms = end_ms - dur_ms;
    f.tos = below(20) == 0 ? 0x2e << 2 : 0;
    set_counts(&f, sampled_packets(bulk), fwd_min, fwd_max);
    emit(w, &f);
    if (!may_reverse || (int)below(1000) >= rev_permille) return 1;

    struct flowrec r = f;
    r.src = f.dst; r.dst = f.src;
    r.sport = f.dport; r.dport = f.sport;
    set_path(&r, to_vm, from_vm);
    if (r.proto == 6) r.tcp_flags = f.tcp_flags == 0x02 ? 0x14 : 0x1b;   /* RST ACK / full session */
    if (r.proto == 1) r.dport = 0;                                       /* echo reply */
    r.start_ms = f.start_ms + (dur_ms ? 1 : 0);
    set_counts(&r, f.tcp_flags == 0x02 ? 1 : sampled_packets(bulk), rev_min, rev_max);
    emit(w, &r);
    return 2;
}

/* ---- inventory ---------------------------------------------------------- */

static void format_time(int64_t ms, char *out, size_t n) {
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void inventory_line(FILE *f, uint32_t i, const char *suffix, const struct addr *a, const char *from, const char *to) {
    char ip[64];
    format_addr(a, ip, sizeof ip);
    fprintf(f, "{\"vm\":\"%s-%04u%s\",\"ip\":\"%s\",\"from\":\"%s\",\"to\":", role_name[vm_role(i)], i, suffix, ip, from);
    if (to) fprintf(f, "\"%s\"}\n", to); else fputs("null}\n", f);
}

/* Every VM holds its address from a week before the span; every 97th is
 * deallocated half way through and its address goes to a new VM (the seed
 * rule's "held the same IP for the whole hour" then fails for it). */
static uint64_t write_inventory(const struct params *P) {
    FILE *f = fopen(P->inventory, "w");
    if (!f) { fprintf(stderr, "gen_ipfix: %s: %s\n", P->inventory, strerror(errno)); exit(1); }
    char since[32], half[32];
    format_time(P->start_ms - 7 * 86400000LL, since, sizeof since);
    format_time(P->start_ms + (int64_t)P->span_s * 500, half, sizeof half);
    uint64_t lines = 0;
    for (uint32_t i = 0; i < P->vms; i++) {
        struct addr a4 = vm_v4(i), a6 = vm_v6(i);
        bool moves = i % 97 == 50;
        inventory_line(f, i, "", &a4, since, moves ? half : NULL);
        lines++;
        if (moves) { inventory_line(f, i, "-b", &a4, half, NULL); lines++; }
        if (vm_dual_stack(i)) { inventory_line(f, i, "", &a6, since, NULL); lines++; }
    }
    if (fclose(f) != 0) { fprintf(stderr, "gen_ipfix: %s: %s\n", P->inventory, strerror(errno)); exit(1); }
    return lines;
}

/* ---- main --------------------------------------------------------------- */

static void usage(void) {
    fprintf(stderr,
            "usage: gen_ipfix OUT.ipfix [--records N] [--seed S] [--start TIME] [--span SECONDS]\n"
            "                 [--vms N] [--refresh K] [--sampling N] [--v6-permille P] [--odid ID]\n"
            "                 [--inventory FILE]\n"
            "  TIME: YYYY-MM-DDTHH:MM:SSZ or epoch seconds (default 2026-11-02T10:00:00Z)\n");
    exit(2);
}

static uint64_t parse_u64(const char *s, const char *what, uint64_t min, uint64_t max) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) {
        fprintf(stderr, "gen_ipfix: bad %s: %s\n", what, s);
        exit(2);
    }
    return v;
}

static int64_t parse_start(const char *s) {
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    char z = 0, extra = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
               &tm.tm_sec, &z, &extra) == 7 && z == 'Z') {
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        return (int64_t)timegm(&tm) * 1000;
    }
    return (int64_t)parse_u64(s, "--start", 0, 4000000000u) * 1000;
}

static void parse_args(int argc, char **argv, struct params *P) {
    *P = (struct params){ .records = 10000000, .seed = 1, .start_ms = 0, .span_s = 3600, .vms = 3000,
                          .refresh = 16, .sampling = 100, .v6_permille = 50, .odid = 0 };
    P->start_ms = parse_start("2026-11-02T10:00:00Z");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] != '-') { if (P->out) usage(); P->out = a; continue; }
        if (!v) usage();
        i++;
        if (!strcmp(a, "--records")) P->records = parse_u64(v, a, 1, 4000000000u);
        else if (!strcmp(a, "--seed")) P->seed = parse_u64(v, a, 0, UINT64_MAX);
        else if (!strcmp(a, "--start")) P->start_ms = parse_start(v);
        else if (!strcmp(a, "--span")) P->span_s = (uint32_t)parse_u64(v, a, 1, 86400 * 365);
        else if (!strcmp(a, "--vms")) P->vms = (uint32_t)parse_u64(v, a, 10, 62500);   /* 250 per /24 of the /16 */
        else if (!strcmp(a, "--refresh")) P->refresh = (uint32_t)parse_u64(v, a, 1, 1000000);
        else if (!strcmp(a, "--sampling")) P->sampling = (uint32_t)parse_u64(v, a, 1, 1000000);
        else if (!strcmp(a, "--v6-permille")) P->v6_permille = (uint32_t)parse_u64(v, a, 0, 500);
        else if (!strcmp(a, "--odid")) P->odid = (uint32_t)parse_u64(v, a, 0, UINT32_MAX);
        else if (!strcmp(a, "--inventory")) P->inventory = v;
        else usage();
    }
    if (!P->out) usage();
}

int main(int argc, char **argv) {
    struct params P;
    parse_args(argc, argv, &P);
    rng_state = P.seed;

    struct totals t;
    memset(&t, 0, sizeof t);
    struct writer *w = calloc(1, sizeof *w);
    if (!w) { fprintf(stderr, "gen_ipfix: out of memory\n"); return 1; }
    w->P = &P;
    w->t = &t;
    w->ocap = 4u << 20;
    w->obuf = malloc(w->ocap);
    w->out = fopen(P.out, "wb");
    if (!w->obuf || !w->out) { fprintf(stderr, "gen_ipfix: %s: %s\n", P.out, strerror(errno)); return 1; }

    w->len_v4 = tpl_record_len(tpl_v4, NELEM(tpl_v4));
    w->len_v4_other = tpl_record_len(tpl_v4_other, NELEM(tpl_v4_other));
    w->len_v6 = tpl_record_len(tpl_v6, NELEM(tpl_v6));
    w->len_v6_other = tpl_record_len(tpl_v6_other, NELEM(tpl_v6_other));

    /* Records end evenly over the span; a conversation's two records end
     * together. */
    begin_message(w);
    const double ms_per_record = (double)P.span_s * 1000.0 / (double)P.records;
    while (t.flows < P.records) {
        int64_t end_ms = P.start_ms + (int64_t)((double)t.flows * ms_per_record);
        conversation(w, end_ms, P.records - t.flows > 1);
    }
    finish_message(w);
    flush_out(w);
    if (fclose(w->out) != 0) { fprintf(stderr, "gen_ipfix: %s: %s\n", P.out, strerror(errno)); return 1; }

    uint64_t inv = P.inventory ? write_inventory(&P) : 0;
    char t0[32], t1[32];
    format_time(P.start_ms, t0, sizeof t0);
    format_time(P.start_ms + (int64_t)P.span_s * 1000, t1, sizeof t1);
    printf("records=%" PRIu64 " flows=%" PRIu64 " options=%" PRIu64 " templates=%" PRIu64 " packets=%" PRIu64
           " octets=%" PRIu64 " v4=%" PRIu64 " v6=%" PRIu64 " tcp=%" PRIu64 " udp=%" PRIu64 " icmp=%" PRIu64
           " ssh=%" PRIu64 " rdp=%" PRIu64 " messages=%" PRIu64 " data_sets=%" PRIu64 " bytes=%" PRIu64
           " last_seq=%" PRIu32 " inventory_lines=%" PRIu64 " from=%s to=%s\n",
           t.flows + t.options_records, t.flows, t.options_records, t.template_records, t.packets, t.octets,
           t.v4, t.v6, t.tcp, t.udp, t.icmp, t.ssh, t.rdp, t.messages, t.data_sets, t.bytes, w->seq, inv, t0, t1);
    free(w->obuf);
    free(w);
    return 0;
}
