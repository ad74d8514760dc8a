/* The VM inventory (inventory.h).
 *
 * Loading keeps every interval as given; the index is rebuilt after each
 * file. Per IP, the intervals of one VM that overlap or touch are joined,
 * then the IP's time line is cut into segments with one holder each, or
 * an ambiguous holder where two VMs claim the IP at once (a data error:
 * counted, and answered as "no holder"). Adjacent segments of one holder
 * are one segment, so "one VM held it over [from, to)" is "the segment at
 * from reaches to". Queries find the IP in an open-addressing table and
 * binary-search its segments: no allocation. A bitmap over the known
 * addresses' hashes sits in front of the table: most flow addresses are
 * the internet's, and one probe into a few KiB rejects nearly all of them
 * without touching the (larger) table. */
#include "enrich/inventory.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/json.h"
#include "enrich/textfile.h"
#include "util/arena.h"
#include "util/hash.h"
#include "util/timeutil.h"

#define MAX_FILE_BYTES ((size_t)1 << 30)
#define AMBIGUOUS      UINT32_MAX
#define OPEN_END       INT64_MAX              /* "to": null, still held */
#define MAX_EPOCH_S    INT64_C(100000000000)  /* year ~5138; larger numbers are not seconds */
#define FILTER_BITS_PER_IP 64                  /* ~1.5% of unknown addresses pass the filter */
#define FILTER_MIN_BITS    4096
#define FILTER_MAX_BITS    ((uint32_t)1 << 24)  /* 2 MiB */

struct held {
    struct ipaddr ip;
    uint32_t vm;
    int64_t from, to;
};

struct seg {
    int64_t from, to;
    uint32_t vm;                             /* AMBIGUOUS: two VMs at once */
};

struct ip_slot {
    struct ipaddr ip;
    uint32_t first, n;                       /* segments; n 0: empty slot */
};

struct edge {
    int64_t t;
    int delta;                               /* +1 an interval starts, -1 it ends */
    uint32_t vm;
};

enum bad { B_JSON, B_NOT_OBJECT, B_VM, B_IP, B_FROM, B_TO, B_ORDER, N_BAD };
static const char *const bad_text[N_BAD] = {
    [B_JSON] = "not valid JSON",
    [B_NOT_OBJECT] = "not a JSON object",
    [B_VM] = "missing or empty \"vm\" (a string)",
    [B_IP] = "missing or unreadable \"ip\"",
    [B_FROM] = "missing or unreadable \"from\" (RFC 3339 or epoch seconds)",
    [B_TO] = "unreadable \"to\" (RFC 3339, epoch seconds or null)",
    [B_ORDER] = "\"to\" not after \"from\"",
};

struct inv_file {
    const char *path;
    uint64_t lines, intervals;
    uint64_t bad[N_BAD], bad_first[N_BAD];
};

struct inventory {
    arena mem;                               /* VM ids, file names */
    vstr *vms;                               /* interned VM ids */
    uint32_t n_vms, cap_vms;
    uint32_t *vm_slots;                      /* intern table: VM number + 1; 0 empty */
    uint32_t vm_mask;
    struct held *held;                       /* every interval loaded, as given */
    size_t n_held, cap_held;
    /* the index, rebuilt from held */
    size_t n_intervals;                      /* after joining */
    uint64_t joined;                         /* intervals absorbed by another of their VM */
    struct seg *segs;
    size_t n_segs;
    struct ip_slot *slots;
    uint32_t mask, n_ips;
    uint64_t *filter;                        /* bit per addr_hash value: some known address has it */
    uint32_t filter_mask;                    /* bits - 1 */
    uint64_t ambiguous;                      /* periods where two VMs held one IP */
    struct ipaddr amb_ip;                    /* the first of them */
    int64_t amb_from;
    uint32_t amb_vm[2];
    struct inv_file *files;
    unsigned n_files, cap_files;
};

/* ---- VM ids ---- */

static uint32_t vm_intern(struct inventory *inv, vstr id) {
    if ((inv->n_vms + 1) * 2 > inv->vm_mask + 1 || !inv->vm_slots) {
        uint32_t n = inv->vm_slots ? (inv->vm_mask + 1) * 2 : 64;
        uint32_t *s = calloc(n, sizeof *s);
        if (!s) abort();
        for (uint32_t v = 0; v < inv->n_vms; v++) {
            uint32_t i = (uint32_t)hash_vstr(inv->vms[v], 0) & (n - 1);
            while (s[i]) i = (i + 1) & (n - 1);
            s[i] = v + 1;
        }
        free(inv->vm_slots);
        inv->vm_slots = s;
        inv->vm_mask = n - 1;
    }
    uint32_t i = (uint32_t)hash_vstr(id, 0) & inv->vm_mask;
    for (; inv->vm_slots[i]; i = (i + 1) & inv->vm_mask)
        if (vstr_eq(inv->vms[inv->vm_slots[i] - 1], id)) return inv->vm_slots[i] - 1;
    if (inv->n_vms == inv->cap_vms) {
        inv->cap_vms = inv->cap_vms ? inv->cap_vms * 2 : 64;
        inv->vms = realloc(inv->vms, inv->cap_vms * sizeof *inv->vms);
        if (!inv->vms) abort();
    }
    inv->vms[inv->n_vms] = arena_dup(&inv->mem, id);
    inv->vm_slots[i] = inv->n_vms + 1;
    return inv->n_vms++;
}

/* ---- parsing ---- */

/* RFC 3339 text, or epoch seconds (integer or fractional). */
static bool parse_time(jval *v, int64_t *out) {
    vstr s;
    switch (jv_type(v)) {
    case JT_STRING:
        return jv_str(v, &s) && time_parse(s, out);
    case JT_NUMBER: {
        int64_t i;
        if (jv_i64(v, &i)) {
            if (i > MAX_EPOCH_S || i < -MAX_EPOCH_S) return false;
            *out = i * US_PER_SEC;
            return true;
        }
        double d;
        if (!jv_f64(v, &d) || !isfinite(d) || fabs(d) > (double)MAX_EPOCH_S) return false;
        *out = (int64_t)llround(d * 1e6);
        return true;
    }
    default:
        return false;
    }
}

static int parse_line(struct inventory *inv, jparser *jp, vstr line, size_t cap, struct held *out) {
    jval root;
    if (!jparse(jp, line.p, line.n, cap, &root)) return B_JSON;
    jiter it;
    if (!jv_obj_begin(&root, &it)) return jparser_error(jp) ? B_JSON : B_NOT_OBJECT;
    vstr key, vm = VSTR_NULL, ip = VSTR_NULL;
    jval val;
    bool have_from = false, from_ok = false, to_ok = true;
    int64_t from = 0, to = OPEN_END;
    while (jv_obj_next(&it, &key, &val)) {
        if (vstr_eqc(key, "vm")) {
            if (!jv_str(&val, &vm)) vm = VSTR_NULL;
        } else if (vstr_eqc(key, "ip")) {
            if (!jv_str(&val, &ip)) ip = VSTR_NULL;
        } else if (vstr_eqc(key, "from")) {
            have_from = true;
            from_ok = parse_time(&val, &from);
        } else if (vstr_eqc(key, "to")) {
            to = OPEN_END;
            to_ok = jv_is_null(&val) || parse_time(&val, &to);
        }
    }
    if (jparser_error(jp) || !jparse_at_end(jp)) return B_JSON;
    if (!vm.n) return B_VM;
    if (!ip.n || !ip_parse(ip.p, ip.n, &out->ip)) return B_IP;
    if (!have_from || !from_ok) return B_FROM;
    if (!to_ok) return B_TO;
    if (to <= from) return B_ORDER;
    out->vm = vm_intern(inv, vm);
    out->from = from;
    out->to = to;
    return -1;
}

/* ---- the index ---- */

/* One multiply-mix over the 16 bytes: cheaper than ip_hash, and enough for
 * a table whose keys (VM addresses) nobody outside picks. The table uses
 * the low bits, the filter the high ones. */
static inline uint64_t addr_hash(const struct ipaddr *ip) {
    uint64_t lo, hi;
    memcpy(&hi, ip->b, 8);
    memcpy(&lo, ip->b + 8, 8);
    return hash_mix(lo ^ (hi * UINT64_C(0x9e3779b97f4a7c15)));
}

static inline uint32_t filter_bit(const struct inventory *inv, uint64_t h) {
    return (uint32_t)(h >> 40) & inv->filter_mask;
}

static int cmp_held(const void *pa, const void *pb) {
    const struct held *a = pa, *b = pb;
    int c = memcmp(a->ip.b, b->ip.b, 16);
    if (c) return c;
    if (a->vm != b->vm) return a->vm < b->vm ? -1 : 1;
    return (a->from > b->from) - (a->from < b->from);
}

static int cmp_edge(const void *pa, const void *pb) {
    const struct edge *a = pa, *b = pb;
    return (a->t > b->t) - (a->t < b->t);
}

static void push_seg(struct inventory *inv, size_t ip_first, int64_t from, int64_t to, uint32_t vm) {
    struct seg *prev = inv->n_segs > ip_first ? &inv->segs[inv->n_segs - 1] : NULL;
    if (prev && prev->to == from && prev->vm == vm) {
        prev->to = to;
        return;
    }
    inv->segs[inv->n_segs++] = (struct seg){ from, to, vm };
}

/* Notes the first ambiguous period and the two VMs that claim it. */
static void note_ambiguous(struct inventory *inv, const struct held *iv, size_t n, int64_t at) {
    if (inv->ambiguous++) return;
    inv->amb_ip = iv[0].ip;
    inv->amb_from = at;
    unsigned k = 0;
    for (size_t i = 0; i < n && k < 2; i++)
        if (iv[i].from <= at && at < iv[i].to) inv->amb_vm[k++] = iv[i].vm;
}

/* The segments of one IP from its joined intervals iv[0..n), by sweeping
 * their edges in time order. While exactly one interval is open its VM
 * is the sum of the open VMs. */
static void build_ip(struct inventory *inv, const struct held *iv, size_t n, struct edge *ev) {
    size_t ne = 0;
    for (size_t i = 0; i < n; i++) {
        ev[ne++] = (struct edge){ iv[i].from, +1, iv[i].vm };
        ev[ne++] = (struct edge){ iv[i].to, -1, iv[i].vm };
    }
    qsort(ev, ne, sizeof *ev, cmp_edge);
    size_t first = inv->n_segs;
    long open = 0;
    uint64_t sum = 0;
    for (size_t i = 0; i < ne;) {
        int64_t t = ev[i].t;
        for (; i < ne && ev[i].t == t; i++) {
            open += ev[i].delta;
            sum += ev[i].delta > 0 ? ev[i].vm : -(uint64_t)ev[i].vm;
        }
        if (!open || i == ne) continue;
        uint32_t vm = open == 1 ? (uint32_t)sum : AMBIGUOUS;
        bool continues = inv->n_segs > first && inv->segs[inv->n_segs - 1].to == t &&
                         inv->segs[inv->n_segs - 1].vm == vm;
        if (vm == AMBIGUOUS && !continues) note_ambiguous(inv, iv, n, t);
        push_seg(inv, first, t, ev[i].t, vm);
    }
    uint64_t h = addr_hash(&iv[0].ip);
    uint32_t b = filter_bit(inv, h);
    inv->filter[b / 64] |= UINT64_C(1) << (b % 64);
    uint32_t i = (uint32_t)h & inv->mask;
    while (inv->slots[i].n) i = (i + 1) & inv->mask;
    inv->slots[i] = (struct ip_slot){ iv[0].ip, (uint32_t)first, (uint32_t)(inv->n_segs - first) };
    inv->n_ips++;
}

static void rebuild(struct inventory *inv) {
    struct held *iv = malloc((inv->n_held ? inv->n_held : 1) * sizeof *iv);
    if (!iv) abort();
    memcpy(iv, inv->held, inv->n_held * sizeof *iv);
    qsort(iv, inv->n_held, sizeof *iv, cmp_held);
    /* join the intervals of one VM on one IP that overlap or touch */
    size_t n = 0;
    inv->joined = 0;
    for (size_t i = 0; i < inv->n_held; i++) {
        struct held *last = n ? &iv[n - 1] : NULL;
        if (last && ip_eq(&last->ip, &iv[i].ip) && last->vm == iv[i].vm && iv[i].from <= last->to) {
            if (iv[i].to > last->to) last->to = iv[i].to;
            inv->joined++;
            continue;
        }
        iv[n++] = iv[i];
    }
    inv->n_intervals = n;
    size_t ips = 0;
    for (size_t i = 0; i < n; i++) ips += i == 0 || !ip_eq(&iv[i].ip, &iv[i - 1].ip);
    uint32_t slots = 16;
    while (slots < 2 * ips) slots *= 2;
    uint32_t bits = FILTER_MIN_BITS;
    while (bits < FILTER_MAX_BITS && bits < FILTER_BITS_PER_IP * ips) bits *= 2;
    free(inv->slots);
    free(inv->segs);
    free(inv->filter);
    inv->filter = calloc(bits / 64, sizeof *inv->filter);
    inv->filter_mask = bits - 1;
    inv->slots = calloc(slots, sizeof *inv->slots);
    inv->segs = malloc((2 * n + 1) * sizeof *inv->segs);   /* at most one per edge */
    struct edge *ev = malloc((2 * n + 1) * sizeof *ev);
    if (!inv->slots || !inv->segs || !ev || !inv->filter) abort();
    inv->mask = slots - 1;
    inv->n_segs = 0;
    inv->n_ips = 0;
    inv->ambiguous = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && ip_eq(&iv[j].ip, &iv[i].ip)) j++;
        build_ip(inv, iv + i, j - i, ev);
        i = j;
    }
    free(ev);
    free(iv);
}

static const struct ip_slot *find_ip(const struct inventory *inv, const struct ipaddr *ip) {
    if (!inv || !inv->n_ips) return NULL;
    uint64_t h = addr_hash(ip);
    uint32_t b = filter_bit(inv, h);
    if (!(inv->filter[b / 64] >> (b % 64) & 1)) return NULL;
    for (uint32_t i = (uint32_t)h & inv->mask;; i = (i + 1) & inv->mask) {
        const struct ip_slot *s = &inv->slots[i];
        if (!s->n) return NULL;
        if (ip_eq(&s->ip, ip)) return s;
    }
}

/* The segment of s holding t, or NULL in a gap. */
static const struct seg *seg_at(const struct inventory *inv, const struct ip_slot *s, int64_t t) {
    const struct seg *a = inv->segs + s->first;
    size_t lo = 0, hi = s->n;                /* first segment starting after t */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid].from <= t) lo = mid + 1;
        else hi = mid;
    }
    if (!lo || t >= a[lo - 1].to) return NULL;
    return &a[lo - 1];
}

/* ---- public API ---- */

struct inventory *inventory_new(void) {
    struct inventory *inv = calloc(1, sizeof *inv);
    if (!inv) abort();
    arena_init(&inv->mem, 0);
    return inv;
}

void inventory_free(struct inventory *inv) {
    if (!inv) return;
    free(inv->vms);
    free(inv->vm_slots);
    free(inv->held);
    free(inv->segs);
    free(inv->slots);
    free(inv->filter);
    free(inv->files);
    arena_free(&inv->mem);
    free(inv);
}

static const char *plural(uint64_t n, const char *one, const char *many) { return n == 1 ? one : many; }

/* "N lines, M intervals; what was skipped and why". */
static void describe_file(const struct inv_file *f, buf *out) {
    buf_printf(out, "%" PRIu64 " %s, %" PRIu64 " %s", f->lines, plural(f->lines, "line", "lines"), f->intervals,
               plural(f->intervals, "interval", "intervals"));
    for (int i = 0; i < N_BAD; i++)
        if (f->bad[i])
            buf_printf(out, "; skipped %" PRIu64 " line%s: %s (first line %" PRIu64 ")", f->bad[i],
                       f->bad[i] == 1 ? "" : "s", bad_text[i], f->bad_first[i]);
}

static void report_file(const struct inv_file *f, buf *out) {
    const char *slash = strrchr(f->path, '/');
    buf_printf(out, "  inventory %s: ", slash ? slash + 1 : f->path);
    describe_file(f, out);
    buf_putc(out, '\n');
}

/* One file's lines, whatever they came from; name is for the report. */
static int load_text(struct inventory *inv, const char *name, const struct textfile *tf, char *err, size_t errlen) {
    struct inv_file f = { .path = arena_dup(&inv->mem, vstr_c(name)).p };
    jparser *jp = jparser_new();
    if (!jp) abort();
    vstr body = textfile_body(tf);
    struct line_walk w;
    line_walk_init(&w, body);
    vstr line;
    while (line_walk_next(&w, &line)) {
        line = vstr_trim(line);
        if (!line.n) continue;
        f.lines++;
        struct held h;
        int why = parse_line(inv, jp, line, tf->cap - (size_t)(line.p - tf->data), &h);
        if (why >= 0) {
            if (!f.bad[why]++) f.bad_first[why] = w.lineno;
            continue;
        }
        if (inv->n_held == inv->cap_held) {
            inv->cap_held = inv->cap_held ? inv->cap_held * 2 : 256;
            inv->held = realloc(inv->held, inv->cap_held * sizeof *inv->held);
            if (!inv->held) abort();
        }
        inv->held[inv->n_held++] = h;
        f.intervals++;
    }
    jparser_free(jp);
    if (!f.intervals) {
        buf b;
        buf_init(&b);
        describe_file(&f, &b);
        snprintf(err, errlen, "%s: no valid inventory line (%s)", name, buf_cstr(&b));
        buf_free(&b);
        return -1;
    }
    if (inv->n_files == inv->cap_files) {
        inv->cap_files = inv->cap_files ? inv->cap_files * 2 : 2;
        inv->files = realloc(inv->files, inv->cap_files * sizeof *inv->files);
        if (!inv->files) abort();
    }
    inv->files[inv->n_files++] = f;
    rebuild(inv);
    return 0;
}

int inventory_load(struct inventory *inv, const char *path, char *err, size_t errlen) {
    struct textfile tf;
    if (textfile_read(&tf, path, MAX_FILE_BYTES, err, errlen) != 0) return -1;
    int rc = load_text(inv, path, &tf, err, errlen);
    textfile_free(&tf);
    return rc;
}

int inventory_load_mem(struct inventory *inv, const char *name, const char *data, size_t len, char *err,
                       size_t errlen) {
    struct textfile tf;
    textfile_from_mem(&tf, data, len);
    int rc = load_text(inv, name, &tf, err, errlen);
    textfile_free(&tf);
    return rc;
}

vstr inventory_vm_at(const struct inventory *inv, const struct ipaddr *ip, int64_t t_us) {
    const struct ip_slot *s = find_ip(inv, ip);
    const struct seg *g = s ? seg_at(inv, s, t_us) : NULL;
    return g && g->vm != AMBIGUOUS ? inv->vms[g->vm] : VSTR_NULL;
}

vstr inventory_vm_whole(const struct inventory *inv, const struct ipaddr *ip, int64_t from_us, int64_t to_us) {
    if (from_us >= to_us) return VSTR_NULL;
    const struct ip_slot *s = find_ip(inv, ip);
    const struct seg *g = s ? seg_at(inv, s, from_us) : NULL;
    return g && g->vm != AMBIGUOUS && g->to >= to_us ? inv->vms[g->vm] : VSTR_NULL;
}

uint32_t inventory_lookup(const struct inventory *inv, const struct ipaddr *ip, int64_t t_us,
                          struct inventory_answer *a) {
    const struct ip_slot *s = find_ip(inv, ip);
    const struct seg *g = s ? seg_at(inv, s, t_us) : NULL;
    if (!g || g->vm == AMBIGUOUS) {
        a->vm = INVENTORY_NONE;
        return a->vm;
    }
    *a = (struct inventory_answer){ .vm = g->vm, .span = (uint32_t)(g - inv->segs), .from = g->from, .to = g->to };
    return a->vm;
}

size_t inventory_spans(const struct inventory *inv) { return inv ? inv->n_segs : 0; }

vstr inventory_vm_id(const struct inventory *inv, uint32_t vm) {
    return inv && vm < inv->n_vms ? inv->vms[vm] : VSTR_NULL;
}

bool inventory_knows(const struct inventory *inv, const struct ipaddr *ip) { return find_ip(inv, ip) != NULL; }

size_t inventory_size(const struct inventory *inv) { return inv ? inv->n_intervals : 0; }

void inventory_report(const struct inventory *inv, buf *out) {
    if (!inv || !inv->n_files) return;
    for (unsigned i = 0; i < inv->n_files; i++) report_file(&inv->files[i], out);
    buf_printf(out, "  inventory: %zu %s for %u %s on %u %s", inv->n_intervals,
               plural(inv->n_intervals, "interval", "intervals"), inv->n_vms, plural(inv->n_vms, "VM", "VMs"),
               inv->n_ips, plural(inv->n_ips, "address", "addresses"));
    if (inv->joined)
        buf_printf(out, "; %" PRIu64 " duplicate or overlapping intervals of one VM joined", inv->joined);
    if (inv->ambiguous) {
        char ip[IP_STRLEN], t[40];
        ip_format(&inv->amb_ip, ip);
        time_format(inv->amb_from, t, sizeof t);
        const vstr a = inv->vms[inv->amb_vm[0]], b = inv->vms[inv->amb_vm[1]];
        buf_printf(out, "; %" PRIu64 " periods where two VMs held one address (no holder is named then; first: %s, "
                        "%.*s and %.*s from %s)",
                   inv->ambiguous, ip, (int)a.n, a.p, (int)b.n, b.p, t);
    }
    buf_putc(out, '\n');
}
