/* Network-layer detections, from flow records (IPFIX, NetFlow).
 *
 *   net.ssh.outbound, net.rdp.outbound       a VM hammers one external server
 *   net.ssh.outbound.multi, net.rdp.outbound.multi
 *                                            a VM reaches many external servers
 *   net.ssh.inbound, net.rdp.inbound         one external source hammers a VM
 *   net.ssh.inbound.multi, net.rdp.inbound.multi
 *                                            many external sources reach a VM
 *   net.malicious.peer                       a VM exchanges traffic with an
 *                                            address a malicious intel set lists
 *
 * A VM is an inventory VM that held the flow's address at flow time. Flows
 * are grouped per VM and clock hour of event time; an hour is closed when
 * the watermark passes its end plus input.allowed_lateness (or the input
 * ends), evaluated, learned from and freed. Following the seed, alerts are
 * raised only for a VM that held the same address for that whole hour.
 *
 * What is counted, per (VM, service, direction, hour):
 *   - connections per remote address: distinct (address, client port)
 *     pairs, so that a long interactive session exported as one record per
 *     active timeout counts once, while a password-guessing tool, which
 *     opens a new TCP connection (a new source port) per few attempts,
 *     counts every time;
 *   - distinct remote addresses.
 * The hour's two metrics are the busiest address's connections and the
 * number of addresses, both in sampled units: what the exporter saw.
 *
 * Each metric is judged against a baseline (state/hourly.h): the VM's own
 * median and MAD over the learning window when it has min_history observed
 * hours, else the environment prior (the same metric pooled over every
 * VM's observed hours) once the environment itself has min_history of
 * history, else the floor times cold_start_factor. Whatever the baseline, a count below the metric's
 * floor never alerts. docs/NETWORK.md explains the choices.
 *
 * Memory is bounded under hostile input: VMs come only from the inventory
 * and are capped per hour, remote addresses are capped per VM and overall,
 * and every cap that bites is counted in the summary. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "detect/detector.h"
#include "enrich/intel.h"
#include "enrich/inventory.h"
#include "state/hourly.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/hash.h"
#include "util/timeutil.h"

#define MAX_OPEN_HOURS 48
#define MAX_VM_IPS 4
#define MAX_SERVICE_PORTS 4             /* service ports named per alert */
#define CONNS_PER_PEER_BUDGET 8         /* connection keys per tracked address, overall */
#define BLOB_MAGIC "VNB"
#define BLOB_VERSION 1
#define NONE UINT32_MAX
#define MEMO_SIZE 2                     /* recent inventory answers kept (vm_at) */

enum combo { SSH_OUT, SSH_IN, RDP_OUT, RDP_IN, N_COMBOS };
enum kind { K_CONNECTIONS, K_PEERS, N_KINDS };      /* metric = combo * N_KINDS + kind */
enum basis { BASIS_VM, BASIS_ENVIRONMENT, BASIS_NONE };

static const struct combo_info {
    const char *service, *label, *direction;
    const char *type_one, *type_many;
    bool outbound;
} combos[N_COMBOS] = {
    [SSH_OUT] = { "ssh", "SSH", "outbound", "net.ssh.outbound", "net.ssh.outbound.multi", true },
    [SSH_IN] = { "ssh", "SSH", "inbound", "net.ssh.inbound", "net.ssh.inbound.multi", false },
    [RDP_OUT] = { "rdp", "RDP", "outbound", "net.rdp.outbound", "net.rdp.outbound.multi", true },
    [RDP_IN] = { "rdp", "RDP", "inbound", "net.rdp.inbound", "net.rdp.inbound.multi", false },
};

static unsigned metric_of(enum combo c, enum kind k) { return (unsigned)c * N_KINDS + (unsigned)k; }

/* ---- an open-addressing index over a vector ----------------------------- */

/* Slots hold the entry's position + 1 (0: free) and its full hash, so
 * growing never needs the entries. Nothing is removed: a whole hour is
 * freed at once. */
struct islot { uint64_t hash; uint32_t pos1; };
struct index { struct islot *s; size_t cap, n; };

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p) { fputs("vigil: out of memory\n", stderr); abort(); }
    return p;
}

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) { fputs("vigil: out of memory\n", stderr); abort(); }
    return q;
}

static void index_grow(struct index *ix) {
    size_t cap = ix->cap ? ix->cap * 2 : 16;
    struct islot *s = xcalloc(cap, sizeof *s);
    for (size_t i = 0; i < ix->cap; i++) {
        if (!ix->s[i].pos1) continue;
        size_t j = (size_t)ix->s[i].hash & (cap - 1);
        while (s[j].pos1) j = (j + 1) & (cap - 1);
        s[j] = ix->s[i];
    }
    free(ix->s);
    ix->s = s;
    ix->cap = cap;
}

typedef bool (*index_eq)(const void *key, uint32_t pos);

/* The slot holding key, or the free slot where it would go. */
static struct islot *index_find(struct index *ix, uint64_t h, index_eq eq, const void *key) {
    if (!ix->cap) index_grow(ix);
    size_t m = ix->cap - 1;
    for (size_t i = (size_t)h & m;; i = (i + 1) & m) {
        struct islot *s = &ix->s[i];
        if (!s->pos1 || (s->hash == h && eq(key, s->pos1 - 1))) return s;
    }
}

static void index_put(struct index *ix, struct islot *at, uint64_t h, uint32_t pos) {
    at->hash = h;
    at->pos1 = pos + 1;
    if (++ix->n * 2 > ix->cap) index_grow(ix);
}

static void index_free(struct index *ix) {
    free(ix->s);
    *ix = (struct index){ 0 };
}

/* ---- one open hour ------------------------------------------------------ */

struct combo_stat {
    uint32_t records;                   /* flow records */
    uint32_t conns;                     /* distinct connections, tracked addresses */
    uint64_t est_conns;                 /* the same, scaled by each record's sampling */
    uint32_t peers;                     /* tracked distinct addresses */
    uint32_t top_conns;                 /* connections of the busiest address */
    uint32_t untracked_records;         /* records of addresses past a cap */
    bool capped;                        /* the distinct count is a lower bound */
    uint32_t sampling_lo, sampling_hi;  /* over records that carry a rate */
    uint32_t unknown_sampling;          /* records without one */
    uint16_t ports[MAX_SERVICE_PORTS];
    uint8_t n_ports;
    int64_t first_us, last_us;
    uint32_t group, n_group;            /* its addresses in the close-time order */
};

struct vm_hour {
    vstr vm;                            /* owned by the inventory */
    struct ipaddr ips[MAX_VM_IPS];
    uint8_t n_ips;
    bool more_ips;
    struct combo_stat c[N_COMBOS];
};

struct peer {
    struct ipaddr ip;
    uint32_t vm;                        /* index in hour.vms */
    uint8_t combo;
    uint32_t conns, records;
    uint64_t est;
    int64_t first_us, last_us;
    struct source_pos first, last;
};

/* Traffic between a VM and an address of a malicious intel set. */
struct contact {
    uint32_t vm;
    const struct intel_hit *hit;        /* owned by the intel set */
    struct ipaddr peer;                 /* the first address that matched */
    uint64_t records, bytes, packets;
    uint32_t vm_opened, peer_opened;    /* records by who opened the conversation */
    uint16_t remote_port;               /* of the first record the VM opened, else of the first */
    bool port_from_vm_opened;
    uint8_t proto;
    uint32_t sampling;                  /* of the first record; 0 unknown */
    int64_t first_us, last_us;
    struct source_pos first, last;
};

/* The hour's index of its VMs, keyed by the inventory's VM number and
 * kept apart from the large vm_hour entries, so that a lookup touches 8
 * bytes. */
struct vm_hot {
    uint32_t vm1;                       /* inventory VM number + 1; 0: free */
    uint32_t pos;                       /* in hour.vms */
};

struct hour {
    int64_t start_us;
    int32_t hour;                       /* hour_of_us(start_us) */
    uint64_t flows;
    struct vm_hour *vms;
    uint32_t n_vms, cap_vms;
    struct vm_hot *hot;
    uint32_t hot_bits;                  /* 2^hot_bits slots; 0: none yet */
    struct peer *peers;
    uint32_t n_peers, cap_peers;
    struct index peer_ix;
    uint64_t *conn_keys;                /* a set of connection hashes, 0 = free */
    size_t n_conns, cap_conns;
    struct contact *contacts;
    uint32_t n_contacts, cap_contacts;
    struct index contact_ix;
};

/* ---- learned state ------------------------------------------------------ */

struct vm_base {
    char *id;                           /* owned copy */
    size_t id_n;
    uint64_t hash;
    struct ipaddr ip;                   /* the address it was last seen with */
    int32_t last_hour;                  /* last hour it was observed */
    int32_t mark;                       /* the hour being learned touched it */
    struct hourly hist;
};

struct prior {
    bool done;
    struct robust r;
    uint64_t hours;                     /* pooled observed VM-hours */
};

struct net_det {
    const struct vigil_config *cfg;
    uint16_t ssh_ports[64], rdp_ports[64];
    unsigned n_ssh, n_rdp;
    uint32_t bad_ports;
    int32_t window_hours, min_hours;
    struct hour *hours[MAX_OPEN_HOURS]; /* sorted by start */
    unsigned n_hours;
    int64_t closed_until_us;            /* hours that start before it are closed */
    int32_t first_hour;                 /* the first hour learned: the environment's age */
    uint64_t tracked_peers, tracked_conns;
    struct vm_base *bases;
    uint32_t n_bases, cap_bases;
    struct index base_ix;
    struct prior prior[N_COMBOS * N_KINDS];
    struct u32vec scratch;
    /* The last two addresses the inventory named a VM for, with the span
     * their answer holds: softflowd's reverse record follows its forward
     * one, so the VM end of a record is usually one of them. The inventory
     * is loaded before the first record and never changes in a run. */
    struct vm_memo { struct ipaddr ip; struct inventory_answer a; } memo[MEMO_SIZE];
    unsigned memo_next;
    /* Per inventory span (one VM on one address): the open hour that last
     * registered it and its vm_hour there, the address already in ips. The
     * usual record then finds its VM with one look at a small array. Hours
     * are never reopened once closed, so a stale hour can only mismatch. */
    struct span_pos { int32_t hour; uint32_t pos1; } *span_pos;
    size_t n_span_pos;
    /* for the summary */
    uint64_t flows, flows_vm, flows_unknown_sampling, flows_late, flows_service, flows_internal_peer;
    uint64_t hours_evaluated, withheld_not_whole, alerts_late_malicious;
    uint64_t cap_vms, cap_peers_vm, cap_peers_total, cap_conns, forced_closes, bases_evicted;
    bool state_unreadable;
    bool inventory_empty;
};

/* ---- configuration ------------------------------------------------------ */

static unsigned parse_ports(const struct strlist *l, uint16_t *out, unsigned cap, uint32_t *bad) {
    unsigned n = 0;
    for (size_t i = 0; i < l->n; i++) {
        char *end;
        unsigned long v = strtoul(l->v[i], &end, 10);
        if (*l->v[i] == '\0' || *end != '\0' || v == 0 || v > 65535 || n == cap) { (*bad)++; continue; }
        out[n++] = (uint16_t)v;
    }
    return n;
}

static bool has_port(const uint16_t *ports, unsigned n, uint16_t p) {
    for (unsigned i = 0; i < n; i++)
        if (ports[i] == p) return true;
    return false;
}

static uint32_t floor_of(const struct net_det *d, enum combo c, enum kind k) {
    const struct vigil_config *g = d->cfg;
    if (combos[c].outbound) return k == K_CONNECTIONS ? g->network.outbound_min_connections : g->network.outbound_min_peers;
    return k == K_CONNECTIONS ? g->network.inbound_min_connections : g->network.inbound_min_peers;
}

/* "to" for outbound, "from" for inbound: the remote address's role. */
static const char *peer_word(enum combo c) { return combos[c].outbound ? "to" : "from"; }

/* ---- hours -------------------------------------------------------------- */

static int64_t hour_start_of(int64_t t_us) { return us_of_hour(hour_of_us(t_us)); }

static void hour_free(struct net_det *d, struct hour *h) {
    d->tracked_peers -= h->n_peers + h->n_contacts;
    d->tracked_conns -= h->n_conns;
    free(h->vms);
    free(h->hot);
    free(h->peers);
    index_free(&h->peer_ix);
    free(h->conn_keys);
    free(h->contacts);
    index_free(&h->contact_ix);
    free(h);
}

static void close_hour(struct net_det *d, struct hour *h, struct detect_ctx *ctx);

static void close_oldest(struct net_det *d, struct detect_ctx *ctx) {
    struct hour *h = d->hours[0];
    memmove(&d->hours[0], &d->hours[1], (d->n_hours - 1) * sizeof *d->hours);
    d->n_hours--;
    close_hour(d, h, ctx);
    if (h->start_us + US_PER_HOUR > d->closed_until_us) d->closed_until_us = h->start_us + US_PER_HOUR;
    hour_free(d, h);
}

/* The open hour starting at start, created if need be. */
static struct hour *hour_get(struct net_det *d, int64_t start, struct detect_ctx *ctx) {
    unsigned i = d->n_hours;
    while (i > 0 && d->hours[i - 1]->start_us > start) i--;
    if (i > 0 && d->hours[i - 1]->start_us == start) return d->hours[i - 1];
    if (d->n_hours == MAX_OPEN_HOURS) {
        /* only with a huge allowed lateness: close early rather than grow */
        d->forced_closes++;
        close_oldest(d, ctx);
        if (start < d->closed_until_us) return NULL;
        i = d->n_hours;
        while (i > 0 && d->hours[i - 1]->start_us > start) i--;
    }
    struct hour *h = xcalloc(1, sizeof *h);
    h->start_us = start;
    h->hour = hour_of_us(start);
    memmove(&d->hours[i + 1], &d->hours[i], (d->n_hours - i) * sizeof *d->hours);
    d->hours[i] = h;
    d->n_hours++;
    return h;
}

/* Fibonacci hashing: VM numbers are dense, the top bits spread them. */
static struct vm_hot *hot_find(struct vm_hot *t, uint32_t bits, uint32_t vm) {
    uint32_t m = ((uint32_t)1 << bits) - 1;
    for (uint32_t i = (vm * UINT32_C(0x9e3779b1)) >> (32 - bits);; i = (i + 1) & m)
        if (!t[i].vm1 || t[i].vm1 == vm + 1) return &t[i];
}

static void hot_grow(struct hour *h) {
    uint32_t bits = h->hot_bits ? h->hot_bits + 1 : 4;
    struct vm_hot *t = xcalloc((size_t)1 << bits, sizeof *t);
    if (h->hot_bits)
        for (size_t i = 0; i < (size_t)1 << h->hot_bits; i++)
            if (h->hot[i].vm1) *hot_find(t, bits, h->hot[i].vm1 - 1) = h->hot[i];
    free(h->hot);
    h->hot = t;
    h->hot_bits = bits;
}

/* The VM's slot in the hour, with local added to its addresses; NONE when
 * the hour already tracks max_vms_per_hour VMs. a is the inventory's
 * answer for local. */
static uint32_t vm_slot(struct net_det *d, struct hour *h, const struct inventory_answer *a, const struct ipaddr *local,
                        const struct detect_ctx *ctx) {
    struct span_pos *sp = a->span < d->n_span_pos ? &d->span_pos[a->span] : NULL;
    if (sp && sp->pos1 && sp->hour == h->hour) return sp->pos1 - 1;
    if (!h->hot_bits) hot_grow(h);
    struct vm_hot *s = hot_find(h->hot, h->hot_bits, a->vm);
    uint32_t pos = s->pos;
    if (!s->vm1) {
        if (h->n_vms >= d->cfg->network.max_vms_per_hour) { d->cap_vms++; return NONE; }
        if (h->n_vms == h->cap_vms) {
            h->cap_vms = h->cap_vms ? h->cap_vms * 2 : 8;
            h->vms = xrealloc(h->vms, h->cap_vms * sizeof *h->vms);
        }
        pos = h->n_vms++;
        h->vms[pos] = (struct vm_hour){ .vm = inventory_vm_id(ctx->inventory, a->vm) };
        *s = (struct vm_hot){ .vm1 = a->vm + 1, .pos = pos };
        if ((size_t)h->n_vms * 2 > (size_t)1 << h->hot_bits) hot_grow(h);
    }
    struct vm_hour *v = &h->vms[pos];
    bool in_ips = false;
    for (unsigned i = 0; i < v->n_ips && !in_ips; i++) in_ips = ip_eq(&v->ips[i], local);
    if (!in_ips && v->n_ips < MAX_VM_IPS) {
        v->ips[v->n_ips++] = *local;
        in_ips = true;
    } else if (!in_ips) {
        v->more_ips = true;
    }
    /* only an address in ips may skip the look above next time */
    if (in_ips && sp) *sp = (struct span_pos){ h->hour, pos + 1 };
    return pos;
}

struct peer_key { const struct hour *h; uint32_t vm; uint8_t combo; const struct ipaddr *ip; };

static bool peer_eq(const void *key, uint32_t pos) {
    const struct peer_key *k = key;
    const struct peer *p = &k->h->peers[pos];
    return p->vm == k->vm && p->combo == k->combo && ip_eq(&p->ip, k->ip);
}

/* The address's counters for (VM, combo) in the hour; NULL past a cap. */
static struct peer *peer_get(struct net_det *d, struct hour *h, uint32_t vm, enum combo c, const struct ipaddr *ip) {
    uint64_t hash = ip_hash(ip, ((uint64_t)vm << 8) | (uint64_t)c);
    struct peer_key key = { h, vm, (uint8_t)c, ip };
    struct islot *s = index_find(&h->peer_ix, hash, peer_eq, &key);
    if (s->pos1) return &h->peers[s->pos1 - 1];
    struct combo_stat *st = &h->vms[vm].c[c];
    if (st->peers >= d->cfg->network.max_peers_per_vm) { d->cap_peers_vm++; st->capped = true; return NULL; }
    if (d->tracked_peers >= d->cfg->network.max_tracked_peers) { d->cap_peers_total++; st->capped = true; return NULL; }
    if (h->n_peers == h->cap_peers) {
        h->cap_peers = h->cap_peers ? h->cap_peers * 2 : 64;
        h->peers = xrealloc(h->peers, h->cap_peers * sizeof *h->peers);
    }
    uint32_t pos = h->n_peers++;
    h->peers[pos] = (struct peer){ .ip = *ip, .vm = vm, .combo = (uint8_t)c };
    index_put(&h->peer_ix, s, hash, pos);
    st->peers++;
    d->tracked_peers++;
    return &h->peers[pos];
}

static void conn_grow(struct hour *h) {
    size_t cap = h->cap_conns ? h->cap_conns * 2 : 64;
    uint64_t *k = xcalloc(cap, sizeof *k);
    for (size_t i = 0; i < h->cap_conns; i++) {
        if (!h->conn_keys[i]) continue;
        size_t j = (size_t)h->conn_keys[i] & (cap - 1);
        while (k[j]) j = (j + 1) & (cap - 1);
        k[j] = h->conn_keys[i];
    }
    free(h->conn_keys);
    h->conn_keys = k;
    h->cap_conns = cap;
}

/* Whether (VM, combo, address, client port) is a connection not seen yet
 * this hour. Only a 64-bit hash is kept: a collision merges two
 * connections, undercounting by one, with odds far below anything that
 * matters. Past the budget every record counts as new (an overcount on a
 * host under a flood, which is where it should err). */
static bool conn_is_new(struct net_det *d, struct hour *h, uint32_t vm, enum combo c, const struct ipaddr *ip,
                        uint16_t client_port) {
    uint64_t key = ip_hash(ip, ((uint64_t)vm << 24) ^ ((uint64_t)c << 16) ^ client_port) | 1;
    if (h->cap_conns) {
        size_t m = h->cap_conns - 1;
        for (size_t i = (size_t)key & m; h->conn_keys[i]; i = (i + 1) & m)
            if (h->conn_keys[i] == key) return false;
    }
    if (d->tracked_conns >= (uint64_t)d->cfg->network.max_tracked_peers * CONNS_PER_PEER_BUDGET) {
        d->cap_conns++;
        return true;
    }
    if ((h->n_conns + 1) * 2 > h->cap_conns) conn_grow(h);
    size_t m = h->cap_conns - 1, i = (size_t)key & m;
    while (h->conn_keys[i]) i = (i + 1) & m;
    h->conn_keys[i] = key;
    h->n_conns++;
    d->tracked_conns++;
    return true;
}

/* ---- per flow ----------------------------------------------------------- */

static uint32_t sampling_of(const struct flow *f) {
    return (f->has & FLOW_HAS_SAMPLING) && f->sampling >= 1 ? f->sampling : 0;
}

/* Which end opened the conversation. A TCP record with SYN and no ACK is
 * the opener's; otherwise the end on the lower port is taken for the
 * server, since clients connect from ephemeral ports. */
static bool src_opened(const struct flow *f) {
    if (f->proto == 6 && (f->has & FLOW_HAS_TCP_FLAGS) && (f->tcp_flags & 0x12) == 0x02) return true;
    if (!(f->has & FLOW_HAS_PORTS)) return true;
    return f->dst_port <= f->src_port;
}

/* The service and direction of a flow seen from the VM's side, or -1.
 * Outgoing: the VM is the source and the destination port is a service
 * port; incoming: the VM is the destination and its port is one. Replies
 * (source port = service port) are not counted, so unidirectional and
 * bidirectional exports count the same. */
static int combo_of(const struct net_det *d, const struct flow *f, bool vm_is_src) {
    if (!(f->has & FLOW_HAS_PORTS)) return -1;
    bool ssh = f->proto == 6 && has_port(d->ssh_ports, d->n_ssh, f->dst_port);
    bool rdp = (f->proto == 6 || f->proto == 17) && has_port(d->rdp_ports, d->n_rdp, f->dst_port);
    if (ssh) return vm_is_src ? SSH_OUT : SSH_IN;
    if (rdp) return vm_is_src ? RDP_OUT : RDP_IN;
    return -1;
}

static void note_port(struct combo_stat *st, uint16_t port) {
    for (unsigned i = 0; i < st->n_ports; i++)
        if (st->ports[i] == port) return;
    if (st->n_ports < MAX_SERVICE_PORTS) st->ports[st->n_ports++] = port;
}

static void count_service_flow(struct net_det *d, struct hour *h, uint32_t vm, enum combo c, const struct event *ev,
                               const struct ipaddr *peer_ip) {
    const struct flow *f = ev->u.flow;
    struct combo_stat *st = &h->vms[vm].c[c];
    d->flows_service++;
    if (!st->records || ev->time_us < st->first_us) st->first_us = ev->time_us;
    if (!st->records || ev->time_us > st->last_us) st->last_us = ev->time_us;
    st->records++;
    note_port(st, f->dst_port);
    uint32_t n = sampling_of(f);
    if (!n) {
        st->unknown_sampling++;
    } else {
        if (!st->sampling_lo || n < st->sampling_lo) st->sampling_lo = n;
        if (n > st->sampling_hi) st->sampling_hi = n;
    }
    struct peer *p = peer_get(d, h, vm, c, peer_ip);
    if (!p) { st->untracked_records++; return; }
    if (!p->records || ev->time_us < p->first_us) { p->first_us = ev->time_us; p->first = ev->pos; }
    if (!p->records || ev->time_us >= p->last_us) { p->last_us = ev->time_us; p->last = ev->pos; }
    p->records++;
    if (!conn_is_new(d, h, vm, c, peer_ip, f->src_port)) return;
    p->conns++;
    p->est += n ? n : 1;
    st->conns++;
    st->est_conns += n ? n : 1;
    if (p->conns > st->top_conns) st->top_conns = p->conns;
}

struct contact_key { const struct hour *h; uint32_t vm; const struct intel_hit *hit; };

static bool contact_eq(const void *key, uint32_t pos) {
    const struct contact_key *k = key;
    return k->h->contacts[pos].vm == k->vm && k->h->contacts[pos].hit == k->hit;
}

static void add_to_contact(struct contact *c, const struct event *ev, bool vm_opened) {
    const struct flow *f = ev->u.flow;
    if (!c->records || ev->time_us < c->first_us) { c->first_us = ev->time_us; c->first = ev->pos; }
    if (!c->records || ev->time_us >= c->last_us) { c->last_us = ev->time_us; c->last = ev->pos; }
    c->records++;
    c->bytes += f->octets + f->rev_octets;
    c->packets += f->packets + f->rev_packets;
    if (vm_opened) c->vm_opened++;
    else c->peer_opened++;
}

static void contact_start(struct contact *c, uint32_t vm, const struct intel_hit *hit, const struct event *ev,
                          const struct ipaddr *peer, bool vm_is_src, bool vm_opened) {
    const struct flow *f = ev->u.flow;
    *c = (struct contact){ .vm = vm, .hit = hit, .peer = *peer, .proto = f->proto, .sampling = sampling_of(f) };
    c->remote_port = vm_is_src ? f->dst_port : f->src_port;
    c->port_from_vm_opened = vm_opened;
}

static void record_contact(struct net_det *d, struct hour *h, uint32_t vm, const struct intel_hit *hit,
                           const struct event *ev, const struct ipaddr *peer, bool vm_is_src, bool vm_opened) {
    uint64_t hash = hash_mix((uint64_t)(uintptr_t)hit ^ ((uint64_t)vm << 32));
    struct contact_key key = { h, vm, hit };
    struct islot *s = index_find(&h->contact_ix, hash, contact_eq, &key);
    struct contact *c;
    if (s->pos1) {
        c = &h->contacts[s->pos1 - 1];
        /* the port the VM called is the one worth naming */
        if (vm_opened && !c->port_from_vm_opened) {
            c->remote_port = vm_is_src ? ev->u.flow->dst_port : ev->u.flow->src_port;
            c->port_from_vm_opened = true;
        }
    } else {
        if (d->tracked_peers >= d->cfg->network.max_tracked_peers) { d->cap_peers_total++; return; }
        if (h->n_contacts == h->cap_contacts) {
            h->cap_contacts = h->cap_contacts ? h->cap_contacts * 2 : 8;
            h->contacts = xrealloc(h->contacts, h->cap_contacts * sizeof *h->contacts);
        }
        uint32_t pos = h->n_contacts++;
        c = &h->contacts[pos];
        contact_start(c, vm, hit, ev, peer, vm_is_src, vm_opened);
        index_put(&h->contact_ix, s, hash, pos);
        d->tracked_peers++;
    }
    add_to_contact(c, ev, vm_opened);
}

static const struct intel_hit *malicious(const struct detect_ctx *ctx, const struct ipaddr *ip, int64_t t) {
    return intel_lookup(ctx->intel, ip, INTEL_MALICIOUS, t);
}

static bool internal(const struct detect_ctx *ctx, const struct ipaddr *ip) {
    return ip_is_private(ip) || inventory_knows(ctx->inventory, ip);
}

/* One side of a flow is an inventory VM (a: the inventory's answer for
 * the local address). */
static void vm_side(struct net_det *d, struct hour *h, const struct event *ev, const struct inventory_answer *a,
                    bool vm_is_src, struct detect_ctx *ctx) {
    const struct flow *f = ev->u.flow;
    const struct ipaddr *local = vm_is_src ? &f->src : &f->dst, *peer = vm_is_src ? &f->dst : &f->src;
    uint32_t slot = vm_slot(d, h, a, local, ctx);
    if (slot == NONE) return;
    const struct intel_hit *hit = malicious(ctx, peer, ev->time_us);
    if (hit) {
        bool vm_opened = src_opened(f) == vm_is_src;
        if (vm_opened || d->cfg->network.malicious_inbound)
            record_contact(d, h, slot, hit, ev, peer, vm_is_src, vm_opened);
    }
    int c = combo_of(d, f, vm_is_src);
    if (c < 0) return;
    if (!d->cfg->network.count_internal_peers && internal(ctx, peer)) { d->flows_internal_peer++; return; }
    count_service_flow(d, h, slot, (enum combo)c, ev, peer);
}

/* ---- alerts: shared pieces ---------------------------------------------- */

static void fmt_ip(const struct ipaddr *ip, char out[IP_STRLEN]) { ip_format(ip, out); }

static vstr vm_ips_text(const struct vm_hour *v, buf *b) {
    buf_clear(b);
    for (unsigned i = 0; i < v->n_ips; i++) {
        char ip[IP_STRLEN];
        fmt_ip(&v->ips[i], ip);
        if (i) buf_puts(b, ", ");
        buf_puts(b, ip);
    }
    if (v->more_ips) buf_puts(b, ", ...");
    return buf_vstr(b);
}

/* A stand-in event for alert_new and alert_evidence: an hour's alert is
 * raised when the hour closes, long after its records went by. */
static struct event at(int64_t t_us, struct source_pos pos) {
    return (struct event){ .time_us = t_us, .layer = LAYER_NETWORK, .kind = EV_FLOW, .pos = pos };
}

static void add_evidence(struct alert *a, int64_t t, struct source_pos pos, const char *summary) {
    if (!pos.input) return;
    struct event ev = at(t, pos);
    alert_evidence(a, &ev, vstr_c(summary));
}

static void put_hour(struct alert *a, const char *var, int64_t start) {
    char t[40];
    time_format(start, t, sizeof t);
    alert_var(a, var, vstr_c(t));
    alert_prop_str(a, "hour_start", vstr_c(t));
}

/* The sampling of a set of records, for the description and properties. */
struct sampling { uint32_t lo, hi, unknown; uint64_t records; };

static void put_sampling(struct alert *a, const struct sampling *s) {
    if (s->lo && s->lo == s->hi) alert_prop_int(a, "sampling_rate", s->lo);
    else if (s->lo) alert_prop_str(a, "sampling_rate", VSTR("mixed"));
    else alert_prop_str(a, "sampling_rate", VSTR("unknown"));
    if (s->lo) {
        alert_prop_int(a, "sampling_min", s->lo);
        alert_prop_int(a, "sampling_max", s->hi);
    }
    alert_prop_int(a, "records_without_sampling", s->unknown);
}

static void sampling_rate_text(const struct sampling *s, buf *b) {
    if (s->lo == s->hi) buf_printf(b, "1-in-%" PRIu32, s->lo);
    else buf_printf(b, "1-in-%" PRIu32 " to 1-in-%" PRIu32, s->lo, s->hi);
}

/* The count scaled by the sampling rate, and what it means. A connection
 * escapes a 1-in-N packet sampler only if every packet does, so one of
 * many packets is hardly ever missed and the scaled count is a ceiling
 * (reached when every connection is a single packet, as in a SYN scan),
 * not an estimate of the usual case. */
static vstr count_sampling_note(const struct sampling *s, uint64_t estimated, buf *b) {
    buf_clear(b);
    if (!s->lo) {
        buf_puts(b, " (the records carry no sampling rate, so this is the count as exported)");
    } else if (s->hi > 1) {
        buf_puts(b, " in the sampled records (");
        sampling_rate_text(s, b);
        buf_printf(b, " packet sampling: up to %" PRIu64 " in all if each connection had a single packet, "
                   "close to the sampled count if they had many", estimated);
        if (s->unknown) buf_puts(b, "; records without a rate counted once");
        buf_putc(b, ')');
    }
    return buf_vstr(b);
}

static vstr distinct_sampling_note(const struct sampling *s, bool capped, buf *b) {
    buf_clear(b);
    if (capped) buf_puts(b, " (at least: the per-VM address cap was reached)");
    if (!s->lo) {
        buf_puts(b, " (the records carry no sampling rate)");
    } else if (s->hi > 1) {
        buf_puts(b, " (a lower bound: with ");
        sampling_rate_text(s, b);
        buf_puts(b, " packet sampling, addresses that sent few packets go unseen)");
    }
    return buf_vstr(b);
}

static vstr ports_text(const struct combo_stat *st, buf *b) {
    buf_clear(b);
    for (unsigned i = 0; i < st->n_ports; i++) buf_printf(b, "%s%u", i ? ", " : "", st->ports[i]);
    return buf_vstr(b);
}

/* ---- baselines ---------------------------------------------------------- */

struct verdict {
    enum combo combo;
    enum kind kind;
    enum basis basis;
    struct robust r;
    uint64_t hours;                     /* of the history used */
    uint32_t own_hours;
    uint32_t floor, threshold;
};

struct base_key { const struct net_det *d; vstr id; };

static bool base_eq(const void *key, uint32_t pos) {
    const struct base_key *k = key;
    const struct vm_base *b = &k->d->bases[pos];
    return b->id_n == k->id.n && memcmp(b->id, k->id.p, k->id.n) == 0;
}

static struct vm_base *base_find(struct net_det *d, vstr id) {
    struct base_key key = { d, id };
    struct islot *s = index_find(&d->base_ix, hash_vstr(id, 0x6261), base_eq, &key);
    return s->pos1 ? &d->bases[s->pos1 - 1] : NULL;
}

static void rebuild_base_index(struct net_det *d) {
    index_free(&d->base_ix);
    for (uint32_t i = 0; i < d->n_bases; i++) {
        struct base_key key = { d, { d->bases[i].id, d->bases[i].id_n } };
        struct islot *s = index_find(&d->base_ix, d->bases[i].hash, base_eq, &key);
        index_put(&d->base_ix, s, d->bases[i].hash, i);
    }
}

static int cmp_i32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Forget the 1/16 least recently active VMs (at least one). Ties at the
 * cut go in table order, which is insertion order: deterministic. */
static void evict_bases(struct net_det *d) {
    uint32_t k = d->n_bases / 16 ? d->n_bases / 16 : 1;
    int32_t *last = xcalloc(d->n_bases, sizeof *last);
    for (uint32_t i = 0; i < d->n_bases; i++) last[i] = d->bases[i].last_hour;
    qsort(last, d->n_bases, sizeof *last, cmp_i32);
    int32_t cut = last[k - 1];
    uint32_t below = 0;
    for (uint32_t i = 0; i < d->n_bases; i++) below += last[i] < cut;
    uint32_t ties = k - below, w = 0;
    free(last);
    for (uint32_t i = 0; i < d->n_bases; i++) {
        struct vm_base *b = &d->bases[i];
        bool drop = b->last_hour < cut || (b->last_hour == cut && ties && ties--);
        if (drop) {
            free(b->id);
            hourly_free(&b->hist);
            d->bases_evicted++;
        } else {
            d->bases[w++] = *b;
        }
    }
    d->n_bases = w;
    rebuild_base_index(d);
}

static struct vm_base *base_add(struct net_det *d, vstr id) {
    if (d->n_bases >= d->cfg->network.max_baseline_vms) evict_bases(d);
    if (d->n_bases == d->cap_bases) {
        d->cap_bases = d->cap_bases ? d->cap_bases * 2 : 64;
        d->bases = xrealloc(d->bases, d->cap_bases * sizeof *d->bases);
    }
    uint32_t pos = d->n_bases++;
    struct vm_base *b = &d->bases[pos];
    *b = (struct vm_base){ .id = xcalloc(id.n + 1, 1), .id_n = id.n, .hash = hash_vstr(id, 0x6261),
                           .last_hour = INT32_MIN, .mark = INT32_MIN };
    if (id.n) memcpy(b->id, id.p, id.n);
    hourly_init(&b->hist);
    struct base_key key = { d, id };
    struct islot *s = index_find(&d->base_ix, b->hash, base_eq, &key);
    index_put(&d->base_ix, s, b->hash, pos);
    return b;
}

/* The same metric pooled over every VM's observed hours in the window:
 * what one VM-hour of this estate usually looks like. */
static const struct prior *prior_for(struct net_det *d, unsigned metric, int32_t hour) {
    struct prior *p = &d->prior[metric];
    if (p->done) return p;
    p->done = true;
    d->scratch.n = 0;
    uint64_t zeros = 0, hours = 0;
    for (uint32_t i = 0; i < d->n_bases; i++) {
        const struct hourly *hist = &d->bases[i].hist;
        uint32_t obs = hourly_observed(hist, hour - d->window_hours, hour);
        size_t n = hourly_values(hist, metric, hour - d->window_hours, hour, &d->scratch);
        hours += obs;
        zeros += obs > n ? obs - n : 0;
    }
    p->hours = hours;
    p->r = robust_stats(d->scratch.v, d->scratch.n, zeros, d->cfg->network.busy_hour_percentile);
    return p;
}

static uint32_t mul_sat(uint32_t a, uint32_t b) {
    uint64_t x = (uint64_t)a * b;
    return x > UINT32_MAX ? UINT32_MAX : (uint32_t)x;
}

static uint32_t threshold_of(const struct net_det *d, const struct verdict *v) {
    return robust_threshold(&v->r, d->cfg->network.score_k, d->cfg->network.busy_hour_margin, v->floor);
}

static struct verdict judge(struct net_det *d, vstr vm, enum combo c, enum kind k, int32_t hour) {
    unsigned metric = metric_of(c, k);
    struct verdict v = { .combo = c, .kind = k, .floor = floor_of(d, c, k) };
    struct vm_base *b = base_find(d, vm);
    v.own_hours = b ? hourly_observed(&b->hist, hour - d->window_hours, hour) : 0;
    if (b && v.own_hours >= (uint32_t)d->min_hours) {
        d->scratch.n = 0;
        size_t n = hourly_values(&b->hist, metric, hour - d->window_hours, hour, &d->scratch);
        v.basis = BASIS_VM;
        v.hours = v.own_hours;
        v.r = robust_stats(d->scratch.v, n, v.own_hours > n ? v.own_hours - n : 0,
                           d->cfg->network.busy_hour_percentile);
        v.threshold = threshold_of(d, &v);
        return v;
    }
    /* The prior speaks for a new VM in an established estate; in the first
     * hours of a new installation every VM is new, and pooling their first
     * hours would set a bar as low as the floor for all of them. */
    bool established = d->first_hour != INT32_MAX && (int64_t)hour - d->first_hour >= d->min_hours;
    const struct prior *p = established ? prior_for(d, metric, hour) : NULL;
    if (p && p->hours >= (uint64_t)d->min_hours) {
        v.basis = BASIS_ENVIRONMENT;
        v.hours = p->hours;
        v.r = p->r;
        v.threshold = threshold_of(d, &v);
        return v;
    }
    v.basis = BASIS_NONE;
    v.threshold = mul_sat(v.floor, d->cfg->network.cold_start_factor);
    return v;
}

static const char *basis_name(enum basis b) {
    return b == BASIS_VM ? "vm" : b == BASIS_ENVIRONMENT ? "environment" : "none";
}

/* What the metric counts, after a number. */
static const char *metric_noun(enum combo c, enum kind k) {
    if (k == K_PEERS) return combos[c].outbound ? "distinct destinations" : "distinct sources";
    return combos[c].outbound ? "connections to its busiest destination" : "connections from its busiest source";
}

static vstr baseline_text(const struct net_det *d, const struct verdict *v, buf *b) {
    buf_clear(b);
    const char *noun = metric_noun(v->combo, v->kind);
    switch (v->basis) {
    case BASIS_VM:
        buf_printf(b, "its usual hour has %g %s and its busy hours %" PRIu32 " (the median and %" PRIu32
                   "th percentile of its last %" PRIu64 " observed hours; MAD %g)",
                   v->r.median, noun, v->r.busy, d->cfg->network.busy_hour_percentile, v->hours, v->r.mad);
        break;
    case BASIS_ENVIRONMENT:
        buf_printf(b, "it has only %" PRIu32 " observed hour%s of its own, and the usual VM-hour of this "
                   "environment has %g %s, a busy one %" PRIu32 " (the median and %" PRIu32 "th percentile of %"
                   PRIu64 " VM-hours; MAD %g)",
                   v->own_hours, v->own_hours == 1 ? "" : "s", v->r.median, noun, v->r.busy,
                   d->cfg->network.busy_hour_percentile, v->hours, v->r.mad);
        break;
    case BASIS_NONE:
        buf_printf(b, "neither it nor the environment has %" PRId32 " hours of history yet, so the bar is the floor "
                   "of %" PRIu32 " times %" PRIu32,
                   d->min_hours, v->floor, d->cfg->network.cold_start_factor);
        break;
    }
    return buf_vstr(b);
}

static void put_verdict(struct net_det *d, struct alert *a, const struct verdict *v, buf *tmp) {
    alert_var(a, "baseline", baseline_text(d, v, tmp));
    char n[24];
    snprintf(n, sizeof n, "%" PRIu32, v->threshold);
    alert_var(a, "threshold", vstr_c(n));
    buf_clear(tmp);
    buf_printf(tmp, "{\"basis\":\"%s\",\"hours\":%" PRIu64 ",\"vm_hours\":%" PRIu32, basis_name(v->basis), v->hours,
               v->own_hours);
    if (v->basis != BASIS_NONE)
        buf_printf(tmp, ",\"median\":%g,\"mad\":%g,\"spread\":%g,\"k\":%" PRIu32 ",\"busy\":%" PRIu32
                   ",\"busy_percentile\":%" PRIu32 ",\"busy_margin_percent\":%" PRIu32,
                   v->r.median, v->r.mad, robust_spread(&v->r), d->cfg->network.score_k, v->r.busy,
                   d->cfg->network.busy_hour_percentile, d->cfg->network.busy_hour_margin);
    else
        buf_printf(tmp, ",\"cold_start_factor\":%" PRIu32, d->cfg->network.cold_start_factor);
    buf_putc(tmp, '}');
    alert_prop_raw(a, "baseline", buf_vstr(tmp));
    alert_prop_int(a, "threshold", v->threshold);
    alert_prop_int(a, "floor", v->floor);
}

/* ---- alerts: SSH and RDP ------------------------------------------------ */

struct closing {
    struct hour *h;
    struct peer **order;                /* the hour's addresses grouped by (VM, combo), busiest first */
    buf a, b, c;                        /* scratch text */
};

static int busiest_first(const void *x, const void *y) {
    const struct peer *p = *(struct peer *const *)x, *q = *(struct peer *const *)y;
    if (p->vm != q->vm) return p->vm < q->vm ? -1 : 1;
    if (p->combo != q->combo) return p->combo < q->combo ? -1 : 1;
    if (p->conns != q->conns) return p->conns > q->conns ? -1 : 1;
    if (p->records != q->records) return p->records > q->records ? -1 : 1;
    return memcmp(p->ip.b, q->ip.b, 16);
}

/* Sort the hour's addresses once, and point each (VM, combo) at its run. */
static void group_peers(struct closing *cl) {
    struct hour *h = cl->h;
    if (cl->order || !h->n_peers) return;
    cl->order = xcalloc(h->n_peers, sizeof *cl->order);
    for (uint32_t i = 0; i < h->n_peers; i++) cl->order[i] = &h->peers[i];
    qsort(cl->order, h->n_peers, sizeof *cl->order, busiest_first);
    for (uint32_t i = 0; i < h->n_peers; i++) {
        struct combo_stat *st = &h->vms[cl->order[i]->vm].c[cl->order[i]->combo];
        if (!st->n_group) st->group = i;
        st->n_group++;
    }
}

static struct sampling sampling_of_stat(const struct combo_stat *st) {
    return (struct sampling){ st->sampling_lo, st->sampling_hi, st->unknown_sampling, st->records };
}

/* "203.0.113.9 (57), 198.51.100.4 (12)" and the matching JSON. */
static void top_peers(struct net_det *d, struct closing *cl, const struct combo_stat *st, uint32_t from, uint32_t n,
                      buf *text, buf *json) {
    buf_clear(text);
    buf_clear(json);
    buf_putc(json, '[');
    for (uint32_t i = 0; i < n && i < d->cfg->network.top_peers && from + i < st->n_group; i++) {
        const struct peer *p = cl->order[st->group + from + i];
        char ip[IP_STRLEN];
        fmt_ip(&p->ip, ip);
        buf_printf(text, "%s%s (%" PRIu32 ")", i ? ", " : "", ip, p->conns);
        buf_printf(json, "%s{\"ip\":\"%s\",\"connections\":%" PRIu32 ",\"estimated\":%" PRIu64 ",\"records\":%" PRIu32
                   "}", i ? "," : "", ip, p->conns, p->est, p->records);
    }
    buf_putc(json, ']');
}

static void put_entities(struct alert *a, const struct vm_hour *v, struct closing *cl, const struct combo_stat *st,
                         uint32_t n_peers, unsigned top) {
    char ips[MAX_VM_IPS + 100][IP_STRLEN];
    vstr list[MAX_VM_IPS + 100];
    size_t n = 0;
    for (unsigned i = 0; i < v->n_ips; i++) { fmt_ip(&v->ips[i], ips[n]); list[n] = vstr_c(ips[n]); n++; }
    for (uint32_t i = 0; i < n_peers && i < top && i < 100 && i < st->n_group; i++) {
        fmt_ip(&cl->order[st->group + i]->ip, ips[n]);
        list[n] = vstr_c(ips[n]);
        n++;
    }
    alert_entity(a, v->vm);
    alert_entity_str(a, "host", v->vm);
    alert_entity_strs(a, "ip", list, n);
}

static struct alert *service_alert(struct closing *cl, const struct vm_hour *v, enum combo c,
                                   bool many, int64_t t0, int64_t t1, struct source_pos pos) {
    const struct combo_info *ci = &combos[c];
    struct event ev = at(t0, pos);
    struct alert *a = alert_new(many ? ci->type_many : ci->type_one, &ev);
    a->time_end_us = t1;
    put_hour(a, "hour", cl->h->start_us);
    alert_var(a, "vm", v->vm);
    alert_var(a, "vm_ip", vm_ips_text(v, &cl->a));
    alert_var(a, "port", ports_text(&v->c[c], &cl->a));
    alert_prop_str(a, "service", vstr_c(ci->service));
    alert_prop_str(a, "direction", vstr_c(ci->direction));
    alert_prop_str(a, "vm", v->vm);
    return a;
}

/* One remote address with abnormally many connections. Every address past
 * the threshold is named; the busiest is the alert's peer. */
static void judge_one_peer(struct net_det *d, struct closing *cl, uint32_t vi, enum combo c, bool whole,
                           struct detect_ctx *ctx) {
    const struct vm_hour *v = &cl->h->vms[vi];
    const struct combo_stat *st = &v->c[c];
    if (st->top_conns < floor_of(d, c, K_CONNECTIONS)) return;
    int32_t hour = hour_of_us(cl->h->start_us);
    struct verdict vd = judge(d, v->vm, c, K_CONNECTIONS, hour);
    if (st->top_conns < vd.threshold) return;
    if (!whole) { d->withheld_not_whole++; return; }
    group_peers(cl);
    uint32_t over = 0;
    while (over < st->n_group && cl->order[st->group + over]->conns >= vd.threshold) over++;
    const struct peer *p = cl->order[st->group];
    struct alert *a = service_alert(cl, v, c, false, p->first_us, p->last_us, p->first);
    char ip[IP_STRLEN], n[24];
    fmt_ip(&p->ip, ip);
    alert_var(a, "peer_ip", vstr_c(ip));
    snprintf(n, sizeof n, "%" PRIu32, p->conns);
    alert_var(a, "connections", vstr_c(n));
    struct sampling s = sampling_of_stat(st);
    alert_var(a, "sampling_note", count_sampling_note(&s, p->est, &cl->a));
    buf_clear(&cl->a);
    if (over > 1) {
        top_peers(d, cl, st, 1, over - 1, &cl->b, &cl->c);
        buf_printf(&cl->a, " %" PRIu32 " more address%s crossed it too: %.*s.", over - 1, over == 2 ? "" : "es",
                   (int)cl->b.n, cl->b.p);
    }
    alert_var(a, "other_peers", buf_vstr(&cl->a));
    put_verdict(d, a, &vd, &cl->a);
    alert_prop_str(a, "peer_ip", vstr_c(ip));
    alert_prop_int(a, "connections_sampled", p->conns);
    alert_prop_int(a, "connections_estimated", (int64_t)p->est);
    alert_prop_int(a, "records", p->records);
    put_sampling(a, &s);
    alert_prop_int(a, "addresses_over_threshold", over);
    top_peers(d, cl, st, 0, over, &cl->b, &cl->c);
    alert_prop_raw(a, "top_peers", buf_vstr(&cl->c));
    put_entities(a, v, cl, st, over, d->cfg->network.top_peers);
    for (uint32_t i = 0; i < over && i < d->cfg->network.top_peers; i++) {
        const struct peer *q = cl->order[st->group + i];
        char qip[IP_STRLEN], line[200];
        fmt_ip(&q->ip, qip);
        const char *dir = peer_word(c);
        snprintf(line, sizeof line, "first of %" PRIu32 " %s connections %s %s", q->conns, combos[c].label, dir, qip);
        add_evidence(a, q->first_us, q->first, line);
        if (q->records > 1) {
            snprintf(line, sizeof line, "last of %" PRIu32 " %s connections %s %s", q->conns, combos[c].label, dir, qip);
            add_evidence(a, q->last_us, q->last, line);
        }
    }
    alert_emit(ctx->alerts, a);
}

/* Abnormally many distinct remote addresses. */
static void judge_many_peers(struct net_det *d, struct closing *cl, uint32_t vi, enum combo c, bool whole,
                             struct detect_ctx *ctx) {
    const struct vm_hour *v = &cl->h->vms[vi];
    const struct combo_stat *st = &v->c[c];
    if (st->peers < floor_of(d, c, K_PEERS)) return;
    struct verdict vd = judge(d, v->vm, c, K_PEERS, hour_of_us(cl->h->start_us));
    if (st->peers < vd.threshold) return;
    if (!whole) { d->withheld_not_whole++; return; }
    group_peers(cl);
    const struct peer *first = cl->order[st->group];
    for (uint32_t i = 1; i < st->n_group; i++)
        if (cl->order[st->group + i]->first_us < first->first_us) first = cl->order[st->group + i];
    struct alert *a = service_alert(cl, v, c, true, st->first_us, st->last_us, first->first);
    char n[40];
    snprintf(n, sizeof n, "%s%" PRIu32, st->capped ? "at least " : "", st->peers);
    alert_var(a, "peers", vstr_c(n));
    struct sampling s = sampling_of_stat(st);
    alert_var(a, "sampling_note", distinct_sampling_note(&s, st->capped, &cl->a));
    top_peers(d, cl, st, 0, st->n_group, &cl->b, &cl->c);
    alert_var(a, "top_peers", buf_vstr(&cl->b));
    put_verdict(d, a, &vd, &cl->a);
    alert_prop_int(a, "distinct_peers", st->peers);
    alert_prop_bool(a, "distinct_is_lower_bound", st->capped || s.hi > 1);
    alert_prop_int(a, "connections_sampled", st->conns);
    alert_prop_int(a, "connections_estimated", (int64_t)st->est_conns);
    alert_prop_int(a, "records", st->records);
    alert_prop_int(a, "records_past_caps", st->untracked_records);
    put_sampling(a, &s);
    alert_prop_raw(a, "top_peers", buf_vstr(&cl->c));
    put_entities(a, v, cl, st, st->n_group, d->cfg->network.top_peers);
    for (uint32_t i = 0; i < st->n_group && i < d->cfg->network.top_peers; i++) {
        const struct peer *q = cl->order[st->group + i];
        char qip[IP_STRLEN], line[200];
        fmt_ip(&q->ip, qip);
        snprintf(line, sizeof line, "first %s connection %s %s (%" PRIu32 " this hour), one of %" PRIu32 " addresses",
                 combos[c].label, peer_word(c), qip, q->conns, st->peers);
        add_evidence(a, q->first_us, q->first, line);
    }
    alert_emit(ctx->alerts, a);
}

/* ---- alerts: malicious peers -------------------------------------------- */

static void indicator_text(const struct intel_hit *hit, buf *b) {
    char ip[IP_STRLEN];
    ip_format(&hit->prefix, ip);
    unsigned plen = ip_is_v4(&hit->prefix) ? hit->plen - 96 : hit->plen;
    bool host = hit->plen == 128;
    const char *source = hit->source ? hit->source : "(unnamed list)";
    if (hit->indicator) {
        buf_printf(b, "STIX indicator %s", hit->indicator);
        if (hit->name) buf_printf(b, " \"%s\"", hit->name);
        buf_printf(b, " for %s", ip);
        if (!host) buf_printf(b, "/%u", plen);
        buf_printf(b, " in %s", source);
    } else {
        buf_puts(b, ip);
        if (!host) buf_printf(b, "/%u", plen);
        if (hit->name) buf_printf(b, " (%s)", hit->name);
        buf_printf(b, ", %s line %" PRIu64, source, hit->line);
    }
}

/* Who opened the conversations the records belong to (a reply record
 * belongs to the conversation its destination opened). */
static void initiator_text(const struct contact *c, buf *b) {
    const char *proto = c->proto == 6 ? "TCP" : c->proto == 17 ? "UDP" : NULL;
    char port[24] = "";
    if (proto) snprintf(port, sizeof port, " %s port %u", proto, c->remote_port);
    if (!c->peer_opened) buf_printf(b, "the VM opened the conversations, to%s", *port ? port : " the address");
    else if (!c->vm_opened) buf_printf(b, "the listed address opened the conversations, from%s", *port ? port : " itself");
    else
        buf_printf(b, "the VM opened the conversations of %" PRIu32 " records (to%s), the address those of %" PRIu32,
                   c->vm_opened, *port ? port : " it", c->peer_opened);
}

static int contacts_by_vm(const void *x, const void *y) {
    const struct contact *p = *(struct contact *const *)x, *q = *(struct contact *const *)y;
    if (p->vm != q->vm) return p->vm < q->vm ? -1 : 1;
    if (p->records != q->records) return p->records > q->records ? -1 : 1;
    if (p->first_us != q->first_us) return p->first_us < q->first_us ? -1 : 1;
    return memcmp(p->peer.b, q->peer.b, 16);
}

/* One alert for a VM's contacts with listed addresses in an hour (or for
 * one late record): the busiest indicator leads, the others are listed. */
static void emit_contacts(struct net_det *d, const struct vm_hour *v, struct contact **cs, uint32_t n, buf *tmp,
                          struct detect_ctx *ctx) {
    const struct contact *c = cs[0];
    int64_t t0 = c->first_us, t1 = c->last_us;
    for (uint32_t i = 1; i < n; i++) {
        if (cs[i]->first_us < t0) t0 = cs[i]->first_us;
        if (cs[i]->last_us > t1) t1 = cs[i]->last_us;
    }
    struct event ev = at(c->first_us, c->first);
    struct alert *a = alert_new("net.malicious.peer", &ev);
    a->time_start_us = t0;
    a->time_end_us = t1;
    char ip[IP_STRLEN], num[32], when[40];
    fmt_ip(&c->peer, ip);
    alert_var(a, "vm", v->vm);
    alert_var(a, "vm_ip", vm_ips_text(v, tmp));
    alert_var(a, "peer_ip", vstr_c(ip));
    snprintf(num, sizeof num, "%" PRIu64, c->records);
    alert_var(a, "records", vstr_c(num));
    snprintf(num, sizeof num, "%" PRIu64, c->bytes);
    alert_var(a, "bytes", vstr_c(num));
    time_format(c->first_us, when, sizeof when);
    alert_var(a, "first_seen", vstr_c(when));
    alert_prop_str(a, "first_seen", vstr_c(when));
    time_format(c->last_us, when, sizeof when);
    alert_var(a, "last_seen", vstr_c(when));
    alert_prop_str(a, "last_seen", vstr_c(when));
    buf_clear(tmp);
    indicator_text(c->hit, tmp);
    alert_var(a, "indicator", buf_vstr(tmp));
    buf_clear(tmp);
    initiator_text(c, tmp);
    alert_var(a, "initiator", buf_vstr(tmp));
    buf_clear(tmp);
    if (c->sampling > 1) buf_printf(tmp, " (sampled 1-in-%" PRIu32 ")", c->sampling);
    alert_var(a, "sampling_note", buf_vstr(tmp));
    /* an alert names the busiest contacts; a VM touching hundreds of
     * listed addresses must not make an unbounded record */
    uint32_t shown = n < d->cfg->network.top_peers ? n : d->cfg->network.top_peers;
    buf_clear(tmp);
    for (uint32_t i = 1; i < shown; i++) {
        char other[IP_STRLEN];
        fmt_ip(&cs[i]->peer, other);
        buf_printf(tmp, "%s%s (%" PRIu64 " record%s)", i == 1 ? " It also exchanged traffic with other listed addresses: "
                   : ", ", other, cs[i]->records, cs[i]->records == 1 ? "" : "s");
    }
    if (n > shown) buf_printf(tmp, " and %" PRIu32 " more", n - shown);
    if (n > 1) buf_putc(tmp, '.');
    alert_var(a, "other_indicators", buf_vstr(tmp));
    /* properties: the contacts shown, with their indicators */
    buf_clear(tmp);
    buf_putc(tmp, '[');
    for (uint32_t i = 0; i < shown; i++) {
        const struct contact *x = cs[i];
        const struct intel_hit *hit = x->hit;
        char pip[IP_STRLEN], pre[IP_STRLEN];
        fmt_ip(&x->peer, pip);
        ip_format(&hit->prefix, pre);
        unsigned plen = ip_is_v4(&hit->prefix) ? hit->plen - 96 : hit->plen;
        buf_printf(tmp, "%s{\"ip\":\"%s\",\"records\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"packets\":%" PRIu64
                   ",\"vm_opened\":%" PRIu32 ",\"peer_opened\":%" PRIu32 ",\"remote_port\":%u,\"protocol\":%u",
                   i ? "," : "", pip, x->records, x->bytes, x->packets, x->vm_opened, x->peer_opened, x->remote_port,
                   x->proto);
        time_format(x->first_us, when, sizeof when);
        buf_printf(tmp, ",\"first_seen\":\"%s\"", when);
        time_format(x->last_us, when, sizeof when);
        buf_printf(tmp, ",\"last_seen\":\"%s\",\"indicator\":{\"prefix\":\"%s/%u\",\"source\":", when, pre, plen);
        buf_json_cstr(tmp, hit->source ? hit->source : "");
        buf_printf(tmp, ",\"line\":%" PRIu64, hit->line);
        if (hit->indicator) { buf_puts(tmp, ",\"id\":"); buf_json_cstr(tmp, hit->indicator); }
        if (hit->name) { buf_puts(tmp, ",\"name\":"); buf_json_cstr(tmp, hit->name); }
        if (hit->confidence >= 0) buf_printf(tmp, ",\"confidence\":%d", hit->confidence);
        if (hit->valid_from_us != INT64_MIN) {
            time_format(hit->valid_from_us, when, sizeof when);
            buf_printf(tmp, ",\"valid_from\":\"%s\"", when);
        }
        if (hit->valid_until_us != INT64_MAX) {
            time_format(hit->valid_until_us, when, sizeof when);
            buf_printf(tmp, ",\"valid_until\":\"%s\"", when);
        }
        buf_puts(tmp, "}}");
    }
    buf_putc(tmp, ']');
    alert_prop_raw(a, "contacts", buf_vstr(tmp));
    alert_prop_int(a, "listed_addresses", n);
    alert_prop_str(a, "vm", v->vm);
    alert_prop_str(a, "peer_ip", vstr_c(ip));
    alert_prop_int(a, "records", (int64_t)c->records);
    alert_prop_int(a, "bytes", (int64_t)c->bytes);
    if (c->sampling) alert_prop_int(a, "sampling_rate", c->sampling);
    else alert_prop_str(a, "sampling_rate", VSTR("unknown"));
    /* entities */
    char ips[MAX_VM_IPS + 16][IP_STRLEN];
    vstr list[MAX_VM_IPS + 16];
    size_t k = 0;
    for (unsigned i = 0; i < v->n_ips; i++) { fmt_ip(&v->ips[i], ips[k]); list[k] = vstr_c(ips[k]); k++; }
    for (uint32_t i = 0; i < shown && i < 16; i++) { fmt_ip(&cs[i]->peer, ips[k]); list[k] = vstr_c(ips[k]); k++; }
    alert_entity(a, v->vm);
    alert_entity_str(a, "host", v->vm);
    alert_entity_strs(a, "ip", list, k);
    for (uint32_t i = 0; i < n && i < d->cfg->network.top_peers; i++) {
        char pip[IP_STRLEN], line[160];
        fmt_ip(&cs[i]->peer, pip);
        snprintf(line, sizeof line, "first record with listed address %s (%" PRIu64 " this hour)", pip, cs[i]->records);
        add_evidence(a, cs[i]->first_us, cs[i]->first, line);
        if (cs[i]->records > 1) {
            snprintf(line, sizeof line, "last record with listed address %s", pip);
            add_evidence(a, cs[i]->last_us, cs[i]->last, line);
        }
    }
    alert_emit(ctx->alerts, a);
}

static bool held_whole_hour(const struct vm_hour *v, int64_t start, struct detect_ctx *ctx) {
    for (unsigned i = 0; i < v->n_ips; i++)
        if (!vstr_eq(inventory_vm_whole(ctx->inventory, &v->ips[i], start, start + US_PER_HOUR), v->vm)) return false;
    return v->n_ips > 0;
}

static void judge_contacts(struct net_det *d, struct closing *cl, const bool *whole, struct detect_ctx *ctx) {
    struct hour *h = cl->h;
    if (!h->n_contacts) return;
    struct contact **order = xcalloc(h->n_contacts, sizeof *order);
    for (uint32_t i = 0; i < h->n_contacts; i++) order[i] = &h->contacts[i];
    qsort(order, h->n_contacts, sizeof *order, contacts_by_vm);
    for (uint32_t i = 0; i < h->n_contacts;) {
        uint32_t j = i;
        while (j < h->n_contacts && order[j]->vm == order[i]->vm) j++;
        if (whole[order[i]->vm]) emit_contacts(d, &h->vms[order[i]->vm], order + i, j - i, &cl->a, ctx);
        else d->withheld_not_whole++;
        i = j;
    }
    free(order);
}

/* A record in an hour already closed can still prove contact with a listed
 * address: alert on it alone rather than drop it. */
static void late_contact(struct net_det *d, const struct event *ev, vstr vm, bool vm_is_src, struct detect_ctx *ctx) {
    const struct flow *f = ev->u.flow;
    const struct ipaddr *local = vm_is_src ? &f->src : &f->dst, *peer = vm_is_src ? &f->dst : &f->src;
    const struct intel_hit *hit = malicious(ctx, peer, ev->time_us);
    if (!hit) return;
    bool vm_opened = src_opened(f) == vm_is_src;
    if (!vm_opened && !d->cfg->network.malicious_inbound) return;
    struct vm_hour v = { .vm = vm, .n_ips = 1 };
    v.ips[0] = *local;
    int64_t start = hour_start_of(ev->time_us);
    if (!held_whole_hour(&v, start, ctx)) { d->withheld_not_whole++; return; }
    struct contact c, *cp = &c;
    contact_start(&c, 0, hit, ev, peer, vm_is_src, vm_opened);
    add_to_contact(&c, ev, vm_opened);
    buf tmp;
    buf_init(&tmp);
    emit_contacts(d, &v, &cp, 1, &tmp, ctx);
    buf_free(&tmp);
    d->alerts_late_malicious++;
}

/* ---- closing an hour ---------------------------------------------------- */

/* Learn the hour: every VM seen gets its counts (zeros included); every
 * VM known from before that the inventory shows holding its address in the
 * middle of the hour gets an observed zero hour, since the sensor was on
 * (the hour has records) and saw none of its traffic. */
static void learn_hour(struct net_det *d, struct hour *h, struct detect_ctx *ctx) {
    int32_t hour = hour_of_us(h->start_us), keep_from = hour + 1 - d->window_hours;
    if (hour < d->first_hour) d->first_hour = hour;
    for (uint32_t i = 0; i < h->n_vms; i++) {
        const struct vm_hour *v = &h->vms[i];
        struct vm_base *b = base_find(d, v->vm);
        if (!b) b = base_add(d, v->vm);
        b->ip = v->ips[0];
        if (hour > b->last_hour) b->last_hour = hour;
        b->mark = hour;
        hourly_observe(&b->hist, hour);
        for (int c = 0; c < N_COMBOS; c++) {
            hourly_set(&b->hist, hour, metric_of((enum combo)c, K_CONNECTIONS), v->c[c].top_conns);
            hourly_set(&b->hist, hour, metric_of((enum combo)c, K_PEERS), v->c[c].peers);
        }
        hourly_forget_before(&b->hist, keep_from);
    }
    int64_t middle = h->start_us + US_PER_HOUR / 2;
    for (uint32_t i = 0; i < d->n_bases; i++) {
        struct vm_base *b = &d->bases[i];
        if (b->mark == hour) continue;
        vstr holder = inventory_vm_at(ctx->inventory, &b->ip, middle);
        if (holder.n == b->id_n && memcmp(holder.p, b->id, b->id_n) == 0) {
            hourly_observe(&b->hist, hour);
            if (hour > b->last_hour) b->last_hour = hour;
        }
        hourly_forget_before(&b->hist, keep_from);
    }
}

static void close_hour(struct net_det *d, struct hour *h, struct detect_ctx *ctx) {
    struct closing cl = { .h = h };
    buf_init(&cl.a);
    buf_init(&cl.b);
    buf_init(&cl.c);
    for (unsigned m = 0; m < N_COMBOS * N_KINDS; m++) d->prior[m].done = false;
    bool *whole = xcalloc(h->n_vms, sizeof *whole);
    for (uint32_t i = 0; i < h->n_vms; i++) {
        whole[i] = held_whole_hour(&h->vms[i], h->start_us, ctx);
        for (int c = 0; c < N_COMBOS; c++) {
            if (!h->vms[i].c[c].records) continue;
            judge_one_peer(d, &cl, i, (enum combo)c, whole[i], ctx);
            judge_many_peers(d, &cl, i, (enum combo)c, whole[i], ctx);
        }
    }
    judge_contacts(d, &cl, whole, ctx);
    learn_hour(d, h, ctx);
    d->hours_evaluated++;
    free(whole);
    free(cl.order);
    buf_free(&cl.a);
    buf_free(&cl.b);
    buf_free(&cl.c);
}

/* ---- the detector interface --------------------------------------------- */

/* inventory_lookup through the memo; true when a VM held ip at t. */
static bool vm_at(struct net_det *d, const struct detect_ctx *ctx, const struct ipaddr *ip, int64_t t,
                  struct inventory_answer *a) {
    for (unsigned i = 0; i < MEMO_SIZE; i++) {
        const struct vm_memo *m = &d->memo[i];
        if (t >= m->a.from && t < m->a.to && ip_eq(&m->ip, ip)) {
            *a = m->a;
            return true;
        }
    }
    if (inventory_lookup(ctx->inventory, ip, t, a) == INVENTORY_NONE) return false;
    d->memo[d->memo_next] = (struct vm_memo){ *ip, *a };
    d->memo_next = (d->memo_next + 1) % MEMO_SIZE;
    return true;
}

static void net_on_event(void *self, const struct event *ev, struct detect_ctx *ctx) {
    struct net_det *d = self;
    if (ev->kind != EV_FLOW) return;
    const struct flow *f = ev->u.flow;
    if (!d->flows++) {
        d->inventory_empty = inventory_size(ctx->inventory) == 0;
        d->n_span_pos = inventory_spans(ctx->inventory);
        d->span_pos = xcalloc(d->n_span_pos, sizeof *d->span_pos);
    }
    if (!sampling_of(f)) d->flows_unknown_sampling++;
    struct inventory_answer a_src, a_dst;
    bool vm_src = vm_at(d, ctx, &f->src, ev->time_us, &a_src);
    bool vm_dst = vm_at(d, ctx, &f->dst, ev->time_us, &a_dst);
    int64_t start = hour_start_of(ev->time_us);
    if (vm_src || vm_dst) d->flows_vm++;
    struct hour *h = start >= d->closed_until_us ? hour_get(d, start, ctx) : NULL;
    if (!h) {
        d->flows_late++;
        if (vm_src) late_contact(d, ev, inventory_vm_id(ctx->inventory, a_src.vm), true, ctx);
        if (vm_dst) late_contact(d, ev, inventory_vm_id(ctx->inventory, a_dst.vm), false, ctx);
        return;
    }
    h->flows++;
    if (vm_src) vm_side(d, h, ev, &a_src, true, ctx);
    if (vm_dst) vm_side(d, h, ev, &a_dst, false, ctx);
}

static void net_on_tick(void *self, int64_t watermark_us, struct detect_ctx *ctx) {
    struct net_det *d = self;
    int64_t lateness = d->cfg->allowed_lateness_us;
    while (d->n_hours && d->hours[0]->start_us + US_PER_HOUR + lateness <= watermark_us) close_oldest(d, ctx);
}

static void net_on_end(void *self, struct detect_ctx *ctx) {
    struct net_det *d = self;
    while (d->n_hours) close_oldest(d, ctx);
}

static void *net_create(const struct vigil_config *cfg) {
    struct net_det *d = xcalloc(1, sizeof *d);
    d->cfg = cfg;
    d->n_ssh = parse_ports(&cfg->network.ssh_ports, d->ssh_ports, 64, &d->bad_ports);
    d->n_rdp = parse_ports(&cfg->network.rdp_ports, d->rdp_ports, 64, &d->bad_ports);
    int64_t w = cfg->network.learning_window_us / US_PER_HOUR, m = cfg->network.min_history_us / US_PER_HOUR;
    d->window_hours = (int32_t)(w < 1 ? 1 : w > 24 * 3650 ? 24 * 3650 : w);
    d->min_hours = (int32_t)(m > d->window_hours ? d->window_hours : m);
    d->closed_until_us = INT64_MIN;
    d->first_hour = INT32_MAX;
    return d;
}

static void net_destroy(void *self) {
    struct net_det *d = self;
    for (unsigned i = 0; i < d->n_hours; i++) hour_free(d, d->hours[i]);
    for (uint32_t i = 0; i < d->n_bases; i++) {
        free(d->bases[i].id);
        hourly_free(&d->bases[i].hist);
    }
    free(d->bases);
    free(d->span_pos);
    index_free(&d->base_ix);
    u32vec_free(&d->scratch);
    free(d);
}

/* ---- persistence --------------------------------------------------------
 * One blob: magic, version, the end of the last closed hour (so a later run
 * treats records of hours already evaluated as late instead of learning
 * them twice), the first hour learned, then every VM's id, address, last
 * hour and history. */

static void put_le(buf *b, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; i++) buf_putc(b, (char)(uint8_t)(v >> (8 * i)));
}

static bool get_le(const uint8_t **p, const uint8_t *end, int bytes, uint64_t *v) {
    if (end - *p < bytes) return false;
    *v = 0;
    for (int i = 0; i < bytes; i++) *v |= (uint64_t)(*p)[i] << (8 * i);
    *p += bytes;
    return true;
}

static int net_save(void *self, struct store *st) {
    struct net_det *d = self;
    buf b;
    buf_init(&b);
    buf_put(&b, BLOB_MAGIC, 3);
    buf_putc(&b, BLOB_VERSION);
    put_le(&b, (uint64_t)d->closed_until_us, 8);
    put_le(&b, (uint32_t)d->first_hour, 4);
    put_le(&b, d->n_bases, 4);
    for (uint32_t i = 0; i < d->n_bases; i++) {
        const struct vm_base *v = &d->bases[i];
        size_t n = v->id_n > 65535 ? 65535 : v->id_n;
        put_le(&b, n, 2);
        buf_put(&b, v->id, n);
        buf_put(&b, v->ip.b, 16);
        put_le(&b, (uint32_t)v->last_hour, 4);
        hourly_write(&v->hist, &b);
    }
    int rc = store_blob_put(st, "network", "baselines", b.p, b.n);
    buf_free(&b);
    return rc < 0 ? -1 : 0;
}

static bool read_bases(struct net_det *d, const uint8_t *p, const uint8_t *end) {
    uint64_t closed, first, n;
    if (end - p < 4 || memcmp(p, BLOB_MAGIC, 3) != 0 || p[3] != BLOB_VERSION) return false;
    p += 4;
    if (!get_le(&p, end, 8, &closed) || !get_le(&p, end, 4, &first) || !get_le(&p, end, 4, &n)) return false;
    d->closed_until_us = (int64_t)closed;
    d->first_hour = (int32_t)(uint32_t)first;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t len, last;
        if (!get_le(&p, end, 2, &len) || (uint64_t)(end - p) < len + 16) return false;
        vstr id = { (const char *)p, (size_t)len };
        p += len;
        struct vm_base *b = base_find(d, id);
        if (b) return false;                            /* the writer never repeats a VM */
        b = base_add(d, id);
        memcpy(b->ip.b, p, 16);
        p += 16;
        if (!get_le(&p, end, 4, &last)) return false;
        b->last_hour = (int32_t)(uint32_t)last;
        if (!hourly_read(&b->hist, &p, end)) return false;
    }
    return p == end;
}

static void drop_bases(struct net_det *d) {
    for (uint32_t i = 0; i < d->n_bases; i++) {
        free(d->bases[i].id);
        hourly_free(&d->bases[i].hist);
    }
    d->n_bases = 0;
    index_free(&d->base_ix);
    d->closed_until_us = INT64_MIN;
    d->first_hour = INT32_MAX;
}

/* A blob this build cannot read (damaged, or written by another version)
 * costs the baselines, not the run: start from empty and say so. */
static int net_load(void *self, struct store *st) {
    struct net_det *d = self;
    buf b;
    buf_init(&b);
    int rc = store_blob_get(st, "network", "baselines", &b);
    if (rc < 0) { buf_free(&b); return -1; }
    if (rc == 1 && !read_bases(d, (const uint8_t *)b.p, (const uint8_t *)b.p + b.n)) {
        drop_bases(d);
        d->state_unreadable = true;
    }
    buf_free(&b);
    return 0;
}

static void net_report(void *self, buf *out) {
    struct net_det *d = self;
    if (d->state_unreadable)
        buf_puts(out, "  network: the saved baselines could not be read (damaged, or from another version); "
                      "learning starts again from empty\n");
    if (d->bad_ports)
        buf_printf(out, "  network: %" PRIu32 " entries of ssh_ports/rdp_ports are not port numbers and were ignored\n",
                   d->bad_ports);
    if (!d->flows) return;
    buf_printf(out, "  network: %" PRIu64 " flows, %" PRIu64 " with an inventory VM on one side, %" PRIu64
               " SSH/RDP flows counted; %" PRIu64 " hour%s evaluated\n",
               d->flows, d->flows_vm, d->flows_service, d->hours_evaluated, d->hours_evaluated == 1 ? "" : "s");
    if (d->inventory_empty)
        buf_puts(out, "  network: no --inventory given: network alerts need it (which VM held which address, "
                      "when)\n");
    else if (!d->flows_vm)
        buf_puts(out, "  network: no flow touched an address of the inventory's VMs at its time\n");
    if (d->flows_unknown_sampling)
        buf_printf(out, "  network: %" PRIu64 " flows carry no sampling rate: counted as unsampled, so estimates "
                   "for them are not scaled\n", d->flows_unknown_sampling);
    if (d->flows_internal_peer)
        buf_printf(out, "  network: %" PRIu64 " SSH/RDP flows with private or own addresses on the far side were "
                   "not counted (count_internal_peers is off)\n", d->flows_internal_peer);
    if (d->flows_late)
        buf_printf(out, "  network: %" PRIu64 " flows fell in hours already evaluated (later than the allowed "
                   "lateness, or covered by an earlier run of this state): only checked against threat intel\n",
                   d->flows_late);
    if (d->withheld_not_whole)
        buf_printf(out, "  network: %" PRIu64 " alerts withheld: the VM did not hold the same address for the whole "
                   "hour\n", d->withheld_not_whole);
    if (d->cap_vms)
        buf_printf(out, "  network: cap hit: %" PRIu64 " flows of VMs past max_vms_per_hour not analysed\n", d->cap_vms);
    if (d->cap_peers_vm)
        buf_printf(out, "  network: cap hit: %" PRIu64 " flows from addresses past max_peers_per_vm (distinct counts "
                   "reported as 'at least')\n", d->cap_peers_vm);
    if (d->cap_peers_total)
        buf_printf(out, "  network: cap hit: %" PRIu64 " flows from addresses past max_tracked_peers\n",
                   d->cap_peers_total);
    if (d->cap_conns)
        buf_printf(out, "  network: cap hit: %" PRIu64 " connections not deduplicated (connection budget full)\n",
                   d->cap_conns);
    if (d->forced_closes)
        buf_printf(out, "  network: %" PRIu64 " hours closed early: more than %d open at once\n", d->forced_closes,
                   MAX_OPEN_HOURS);
    if (d->bases_evicted)
        buf_printf(out, "  network: %" PRIu64 " VM baselines forgotten (max_baseline_vms)\n", d->bases_evicted);
}

const struct detector network_detector = {
    .name = "network",
    .layers = LAYER_NETWORK,
    .create = net_create,
    .destroy = net_destroy,
    .on_event = net_on_event,
    .on_tick = net_on_tick,
    .on_end = net_on_end,
    .load = net_load,
    .save = net_save,
    .report = net_report,
};
