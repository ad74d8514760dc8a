/* Threat-intel sets (formats: intel.h).
 *
 * Matching. Every entry is a prefix in the one 128-bit space. There is one
 * open-addressing table per prefix length present, keyed by the masked
 * prefix; a slot heads the chain of the entries of that prefix (several
 * labels or validity periods of one prefix coexist), in load order. A
 * lookup probes the lengths from the longest down and returns the first
 * entry of the first chain that passes the label and validity filters.
 *
 * IPv4 prefixes (IPv4-mapped, /96 or longer) live in tables keyed by the
 * 32-bit address, with a summary per /16: the bit set of the IPv4 prefix
 * lengths having an entry inside or around that /16. A lookup probes only
 * the lengths its /16 names: one or two tables for a dense set, none for an
 * address in an empty /16. IPv6 has the same summary over the first 16
 * bits of the address, 128 bits wide (lengths 0 and 1 share a bit).
 *
 * No IPv6 entry can hold an IPv4 address: a prefix wide enough to contain
 * ::ffff:0:0/96 contains ::ffff:0.0.0.0, which is private, and prefixes
 * touching private space are dropped (below). So IPv4 lookups need only
 * the IPv4 tables, and IPv6 lookups only the IPv6 ones. */
#include "enrich/intel.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode/json.h"
#include "enrich/textfile.h"
#include "util/arena.h"
#include "util/hash.h"
#include "util/timeutil.h"

#define MAX_FILE_BYTES   ((size_t)1 << 30)
#define CHUNK_BITS       12                  /* entries live in fixed chunks: hits never move */
#define CHUNK_SIZE       (1u << CHUNK_BITS)
#define MAX_PER_PREFIX   256                 /* entries of one prefix; beyond is a broken feed */
#define MAX_PATTERN_IPS  1024                /* IP values taken from one STIX pattern */
#define MAX_CSV_FIELDS   64
#define V4_BLOCKS        (1u << 16)          /* summary granularity: /16 */
#define V6_BLOCKS        (1u << 16)          /* and for IPv6, /16 */
#define STIX_MAX_DEPTH   1                   /* a bundle's objects; no deeper nesting */

typedef unsigned __int128 u128;

struct entry {
    struct intel_hit hit;
    uint32_t next;                           /* the prefix's next entry; 0: none */
};

struct slot4 { uint32_t key, head; };                 /* head 0: empty */
struct slot6 { uint64_t hi, lo; uint32_t head, pad; };

struct table4 { struct slot4 *s; uint32_t mask, used; };
struct lenset { uint64_t w[2]; };                     /* bit L-1 of the 128: length L (0 with 1) */
struct table6 { struct slot6 *s; uint32_t mask, used; };

/* Why a line (or STIX object) was not taken. */
enum skip {
    SK_NOT_ADDRESS, SK_BAD_RANGE, SK_CSV_NO_VALUE, SK_TOR_LINE, SK_NOT_OBJECT, SK_JSON,
    SK_PATTERN_TYPE, SK_NO_IP, SK_COMPLEX, SK_BAD_TIME, SK_EMPTY_VALIDITY, SK_BAD_VALUE,
    SK_TOO_MANY_VALUES, SK_OBSERVABLE_VALUE, SK_PREFIX_FULL, N_SKIP
};
static const char *const skip_text[N_SKIP] = {
    [SK_NOT_ADDRESS] = "not an IP, CIDR or range",
    [SK_BAD_RANGE] = "range whose ends differ in family or are reversed",
    [SK_CSV_NO_VALUE] = "CSV row without a value in the IP column",
    [SK_TOR_LINE] = "not an exit-addresses line",
    [SK_NOT_OBJECT] = "not a JSON object",
    [SK_JSON] = "invalid JSON",
    [SK_PATTERN_TYPE] = "indicator pattern_type other than stix",
    [SK_NO_IP] = "indicator pattern without an IP address (other observable types)",
    [SK_COMPLEX] = "indicator pattern ties its IP to other conditions (AND, FOLLOWEDBY, NOT, "
                   "qualifiers, or an operator other than =, IN, ISSUBSET)",
    [SK_BAD_TIME] = "indicator with an unreadable valid_from or valid_until",
    [SK_EMPTY_VALIDITY] = "indicator with valid_until not after valid_from",
    [SK_BAD_VALUE] = "IP value in a pattern that is not an address or CIDR",
    [SK_TOO_MANY_VALUES] = "pattern with more than 1024 IP values (rest ignored)",
    [SK_OBSERVABLE_VALUE] = "ipv4-addr/ipv6-addr object without a usable value",
    [SK_PREFIX_FULL] = "more than 256 entries for one prefix (rest ignored)",
};

struct file_stats {
    const char *path;                        /* arena */
    enum intel_label label;
    const char *format;                      /* static text */
    const char *unit;                        /* positions count "line" or "object" */
    uint64_t records;                        /* lines or objects looked at */
    uint64_t entries, duplicates, ranges, range_prefixes;
    uint64_t private_dropped, private_first;
    uint64_t skipped[N_SKIP], skip_first[N_SKIP];
    uint64_t indicators, observables, revoked, expired_at_load, other_objects;
};

struct intel {
    struct table4 v4[33];                    /* by IPv4 prefix length */
    struct table6 v6[129];                   /* by prefix length, IPv6 entries */
    uint64_t *v4_summary;                    /* V4_BLOCKS bit sets of lengths 0..32; NULL: no IPv4 entry */
    struct lenset *v6_summary;               /* V6_BLOCKS length sets; NULL: no IPv6 entry */
    struct entry **chunks;
    uint32_t n_chunks, n_entries;            /* entry 0 is never used: 0 ends a chain */
    unsigned labels;                         /* labels present */
    uint64_t by_label[3];
    arena mem;                               /* paths, ids, names */
    struct file_stats *files;
    unsigned n_files, cap_files;
};

/* What the entries taken from one line or indicator share. */
struct meta {
    uint64_t line;
    const char *indicator, *name;
    int64_t valid_from, valid_until;
    int confidence;
};

struct loadctx {
    struct intel *t;
    struct file_stats *fs;
    const char *source;
    int64_t now_us;                          /* wall clock: only for the expired-at-load count */
    const char *last_name;                   /* CSV names repeat: share one copy */
    jparser *jp;                             /* STIX: the document's parser */
    vstr pattern_ips[MAX_PATTERN_IPS];
};

/* ---- entries and tables ---- */

static inline struct entry *entry_at(const struct intel *t, uint32_t i) {
    return &t->chunks[i >> CHUNK_BITS][i & (CHUNK_SIZE - 1)];
}

static uint32_t entry_new(struct intel *t) {
    if (t->n_entries == 0) t->n_entries = 1;       /* index 0 means "none" */
    if ((t->n_entries >> CHUNK_BITS) >= t->n_chunks) {
        struct entry **c = realloc(t->chunks, (t->n_chunks + 1) * sizeof *c);
        if (!c) abort();
        t->chunks = c;
        t->chunks[t->n_chunks] = calloc(CHUNK_SIZE, sizeof **c);
        if (!t->chunks[t->n_chunks]) abort();
        t->n_chunks++;
    }
    return t->n_entries++;
}

static inline uint32_t h4(uint32_t key) { return (uint32_t)((key * UINT64_C(0x9e3779b97f4a7c15)) >> 32); }
static inline uint32_t h6(uint64_t hi, uint64_t lo) {
    return (uint32_t)(((hi ^ (lo * UINT64_C(0xc2b2ae3d27d4eb4f))) * UINT64_C(0x9e3779b97f4a7c15)) >> 32);
}

static uint32_t *t4_find(const struct table4 *tb, uint32_t key) {
    if (!tb->used) return NULL;
    for (uint32_t i = h4(key) & tb->mask;; i = (i + 1) & tb->mask) {
        struct slot4 *s = &tb->s[i];
        if (!s->head) return NULL;
        if (s->key == key) return &s->head;
    }
}

static uint32_t *t6_find(const struct table6 *tb, uint64_t hi, uint64_t lo) {
    if (!tb->used) return NULL;
    for (uint32_t i = h6(hi, lo) & tb->mask;; i = (i + 1) & tb->mask) {
        struct slot6 *s = &tb->s[i];
        if (!s->head) return NULL;
        if (s->hi == hi && s->lo == lo) return &s->head;
    }
}

/* Room for one more key, at most half full: short probes on misses, which
 * are most lookups. */
static void t4_reserve(struct table4 *tb) {
    if (tb->s && (tb->used + 1) * 2 <= tb->mask + 1) return;
    uint32_t n = tb->s ? (tb->mask + 1) * 2 : 16;
    struct slot4 *s = calloc(n, sizeof *s);
    if (!s) abort();
    for (uint32_t i = 0; tb->s && i <= tb->mask; i++) {
        if (!tb->s[i].head) continue;
        uint32_t j = h4(tb->s[i].key) & (n - 1);
        while (s[j].head) j = (j + 1) & (n - 1);
        s[j] = tb->s[i];
    }
    free(tb->s);
    tb->s = s;
    tb->mask = n - 1;
}

static void t6_reserve(struct table6 *tb) {
    if (tb->s && (tb->used + 1) * 2 <= tb->mask + 1) return;
    uint32_t n = tb->s ? (tb->mask + 1) * 2 : 16;
    struct slot6 *s = calloc(n, sizeof *s);
    if (!s) abort();
    for (uint32_t i = 0; tb->s && i <= tb->mask; i++) {
        if (!tb->s[i].head) continue;
        uint32_t j = h6(tb->s[i].hi, tb->s[i].lo) & (n - 1);
        while (s[j].head) j = (j + 1) & (n - 1);
        s[j] = tb->s[i];
    }
    free(tb->s);
    tb->s = s;
    tb->mask = n - 1;
}

/* The head field of the prefix's chain, created (0) when new. */
static uint32_t *t4_slot(struct table4 *tb, uint32_t key, bool *created) {
    uint32_t *h = t4_find(tb, key);
    *created = !h;
    if (h) return h;
    t4_reserve(tb);
    uint32_t i = h4(key) & tb->mask;
    while (tb->s[i].head) i = (i + 1) & tb->mask;
    tb->s[i].key = key;
    tb->used++;
    return &tb->s[i].head;
}

static uint32_t *t6_slot(struct table6 *tb, uint64_t hi, uint64_t lo, bool *created) {
    uint32_t *h = t6_find(tb, hi, lo);
    *created = !h;
    if (h) return h;
    t6_reserve(tb);
    uint32_t i = h6(hi, lo) & tb->mask;
    while (tb->s[i].head) i = (i + 1) & tb->mask;
    tb->s[i].hi = hi;
    tb->s[i].lo = lo;
    tb->used++;
    return &tb->s[i].head;
}

static inline uint32_t v4_of(const struct ipaddr *a) {
    return (uint32_t)a->b[12] << 24 | (uint32_t)a->b[13] << 16 | (uint32_t)a->b[14] << 8 | a->b[15];
}
static inline uint32_t v4_mask(unsigned len) { return len ? ~UINT32_C(0) << (32 - len) : 0; }

/* The address as two big-endian halves, so that prefixes are high bits. */
static inline void halves(const struct ipaddr *a, uint64_t *hi, uint64_t *lo) {
    uint64_t h, l;
    memcpy(&h, a->b, 8);
    memcpy(&l, a->b + 8, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    h = __builtin_bswap64(h);
    l = __builtin_bswap64(l);
#endif
    *hi = h;
    *lo = l;
}

/* Keeps the first len bits of the address hi:lo. */
static inline void mask_halves(unsigned len, uint64_t *hi, uint64_t *lo) {
    if (len <= 64) {
        *hi &= len ? ~UINT64_C(0) << (64 - len) : 0;
        *lo = 0;
    } else {
        *lo &= ~UINT64_C(0) << (128 - len);
    }
}

static void note_v6_len(struct intel *t, uint64_t hi, unsigned len) {
    if (!t->v6_summary) {
        t->v6_summary = calloc(V6_BLOCKS, sizeof *t->v6_summary);
        if (!t->v6_summary) abort();
    }
    uint32_t first = (uint32_t)(hi >> 48), n = len >= 16 ? 1 : UINT32_C(1) << (16 - len);
    unsigned bit = len ? len - 1 : 0;
    for (uint32_t i = 0; i < n; i++) t->v6_summary[first + i].w[bit >> 6] |= UINT64_C(1) << (bit & 63);
}

static void note_v4_len(struct intel *t, uint32_t key, unsigned len) {
    if (!t->v4_summary) {
        t->v4_summary = calloc(V4_BLOCKS, sizeof *t->v4_summary);
        if (!t->v4_summary) abort();
    }
    uint32_t first = key >> 16, n = len >= 16 ? 1 : UINT32_C(1) << (16 - len);
    for (uint32_t i = 0; i < n; i++) t->v4_summary[first + i] |= UINT64_C(1) << len;
}

/* ---- private space ---- */

/* The first address of every block ip_is_private covers. A prefix wider
 * than a block either contains the whole block, and with it this address,
 * or misses it; a narrower one lies inside or outside, which its own first
 * address tells. Each probe is asked of ip_is_private, so the rule stays
 * its. */
static const uint8_t private_probes[][16] = {
    { [10] = 0xff, [11] = 0xff, [12] = 0 },
    { [10] = 0xff, [11] = 0xff, [12] = 10 },
    { [10] = 0xff, [11] = 0xff, [12] = 100, [13] = 64 },
    { [10] = 0xff, [11] = 0xff, [12] = 127 },
    { [10] = 0xff, [11] = 0xff, [12] = 169, [13] = 254 },
    { [10] = 0xff, [11] = 0xff, [12] = 172, [13] = 16 },
    { [10] = 0xff, [11] = 0xff, [12] = 192, [13] = 168 },
    { [10] = 0xff, [11] = 0xff, [12] = 224 },
    { 0 },
    { [15] = 1 },
    { 0xfc },
    { 0xfe, 0x80 },
    { 0xff },
};

static bool prefix_contains(const struct ipaddr *net, unsigned plen, const struct ipaddr *a) {
    struct ipaddr m = *a;
    ip_mask(&m, plen);
    return ip_eq(&m, net);
}

static bool touches_private(const struct ipaddr *net, unsigned plen) {
    if (ip_is_private(net)) return true;
    for (size_t i = 0; i < sizeof private_probes / sizeof private_probes[0]; i++) {
        struct ipaddr p;
        ip_from_v6(&p, private_probes[i]);
        if (prefix_contains(net, plen, &p) && ip_is_private(&p)) return true;
    }
    return false;
}

/* ---- adding entries ---- */

static bool same_text(const char *a, const char *b) { return a == b || (a && b && strcmp(a, b) == 0); }

static void count_skip(struct file_stats *fs, enum skip why, uint64_t pos) {
    if (!fs->skipped[why]++) fs->skip_first[why] = pos;
}

static unsigned label_index(enum intel_label l) { return l == INTEL_TOR ? 0 : l == INTEL_ANONYMIZER ? 1 : 2; }

/* Adds one prefix (net masked, plen in the 128-bit space), unless it
 * touches private space or repeats an entry already there. */
static void add_prefix(struct loadctx *c, const struct ipaddr *net, unsigned plen, const struct meta *m, uint64_t pos) {
    struct intel *t = c->t;
    struct file_stats *fs = c->fs;
    if (touches_private(net, plen)) {
        if (!fs->private_dropped++) fs->private_first = pos;
        return;
    }
    bool created;
    uint32_t *head;
    if (ip_is_v4(net) && plen >= 96) {
        uint32_t key = v4_of(net);
        head = t4_slot(&t->v4[plen - 96], key, &created);
        if (created) note_v4_len(t, key, plen - 96);
    } else {
        uint64_t hi, lo;
        halves(net, &hi, &lo);
        head = t6_slot(&t->v6[plen], hi, lo, &created);
        if (created) note_v6_len(t, hi, plen);
    }
    /* Walk to the chain's end, looking for the same entry from an earlier
     * line or file (one copy answers for both). */
    unsigned n = 0;
    uint32_t *link = head;
    while (*link) {
        struct entry *e = entry_at(t, *link);
        if (e->hit.label == fs->label && e->hit.valid_from_us == m->valid_from &&
            e->hit.valid_until_us == m->valid_until && same_text(e->hit.indicator, m->indicator) &&
            same_text(e->hit.name, m->name)) {
            fs->duplicates++;
            return;
        }
        if (++n >= MAX_PER_PREFIX) {
            count_skip(fs, SK_PREFIX_FULL, pos);
            return;
        }
        link = &e->next;
    }
    /* entry_new may grow the chunk table, never move an entry: link stays valid */
    uint32_t idx = entry_new(t);
    struct entry *e = entry_at(t, idx);
    e->next = 0;
    e->hit = (struct intel_hit){
        .label = fs->label, .prefix = *net, .plen = plen, .source = c->source, .line = m->line,
        .indicator = m->indicator, .name = m->name, .valid_from_us = m->valid_from,
        .valid_until_us = m->valid_until, .confidence = m->confidence,
    };
    *link = idx;
    fs->entries++;
    t->labels |= fs->label;
    t->by_label[label_index(fs->label)]++;
}

static u128 to_u128(const struct ipaddr *a) {
    u128 v = 0;
    for (int i = 0; i < 16; i++) v = v << 8 | a->b[i];
    return v;
}

static void from_u128(u128 v, struct ipaddr *a) {
    for (int i = 15; i >= 0; i--) {
        a->b[i] = (uint8_t)v;
        v >>= 8;
    }
}

static unsigned ctz128(u128 v) {
    uint64_t lo = (uint64_t)v, hi = (uint64_t)(v >> 64);
    return lo ? (unsigned)__builtin_ctzll(lo) : hi ? 64 + (unsigned)__builtin_ctzll(hi) : 128;
}

static unsigned floor_log2_128(u128 v) {          /* v > 0 */
    uint64_t hi = (uint64_t)(v >> 64);
    return hi ? 127 - (unsigned)__builtin_clzll(hi) : 63 - (unsigned)__builtin_clzll((uint64_t)v);
}

/* first..last (inclusive) as the fewest aligned prefixes: at each step the
 * largest block that starts at first and ends by last. */
static void add_range(struct loadctx *c, const struct ipaddr *first, const struct ipaddr *last, const struct meta *m,
                      uint64_t pos) {
    u128 a = to_u128(first), b = to_u128(last);
    c->fs->ranges++;
    for (;;) {
        u128 span = b - a;                       /* block size - 1 fits */
        unsigned k = span == ~(u128)0 ? 128 : floor_log2_128(span + 1);
        unsigned align = ctz128(a);
        if (align < k) k = align;
        struct ipaddr net;
        from_u128(a, &net);
        add_prefix(c, &net, 128 - k, m, pos);
        c->fs->range_prefixes++;
        if (k == 128) return;
        u128 block_last = a + (((u128)1 << k) - 1);
        if (block_last == b) return;
        a = block_last + 1;
    }
}

/* One indicator as text: an address, a CIDR, or a range "first-last"
 * (also given as two words, last non-empty). Returns -1 when taken
 * (dropped by rule included), or the skip reason. */
static int add_text(struct loadctx *c, vstr s, vstr last, const struct meta *m, uint64_t pos) {
    if (!s.n) return SK_NOT_ADDRESS;
    bool range = last.n > 0;
    const char *dash = range ? NULL : memchr(s.p, '-', s.n);
    if (dash) {
        range = true;
        last = (vstr){ dash + 1, s.n - (size_t)(dash - s.p) - 1 };
        s.n = (size_t)(dash - s.p);
    }
    if (range) {
        struct ipaddr a, b;
        if (!ip_parse(s.p, s.n, &a) || !ip_parse(last.p, last.n, &b)) return SK_NOT_ADDRESS;
        if (ip_is_v4(&a) != ip_is_v4(&b) || memcmp(a.b, b.b, 16) > 0) return SK_BAD_RANGE;
        add_range(c, &a, &b, m, pos);
        return -1;
    }
    struct ipaddr net;
    unsigned plen;
    if (!ip_parse_cidr(s.p, s.n, &net, &plen)) return SK_NOT_ADDRESS;
    add_prefix(c, &net, plen, m, pos);
    return -1;
}

static const char *dup_cstr(struct intel *t, vstr s) { return s.n ? arena_dup(&t->mem, s).p : NULL; }

static struct meta open_meta(uint64_t line) {
    return (struct meta){ .line = line, .valid_from = INT64_MIN, .valid_until = INT64_MAX, .confidence = -1 };
}

/* ---- plain lists ---- */

static bool is_blank(char c) { return c == ' ' || c == '\t'; }
static bool ends_token(char c) { return is_blank(c) || c == ',' || c == ';' || c == '#'; }

static vstr skip_blanks(vstr s) {
    while (s.n && is_blank(s.p[0])) { s.p++; s.n--; }
    return s;
}

static vstr take_token(vstr *s) {
    size_t n = 0;
    while (n < s->n && !ends_token(s->p[n])) n++;
    vstr tok = { s->p, n };
    s->p += n;
    s->n -= n;
    return tok;
}

static bool is_comment(vstr line) { return !line.n || line.p[0] == '#' || line.p[0] == ';'; }

/* One address, CIDR or range per line; anything after the first word
 * (a comment, a count, an SBL reference) is the line's own business. */
static void load_plain(struct loadctx *c, vstr text) {
    struct line_walk w;
    line_walk_init(&w, text);
    vstr line;
    while (line_walk_next(&w, &line)) {
        line = vstr_trim(line);
        if (is_comment(line) || (line.n >= 2 && line.p[0] == '/' && line.p[1] == '/')) continue;
        c->fs->records++;
        vstr rest = line, first = take_token(&rest), last = VSTR_NULL;
        rest = skip_blanks(rest);
        if (rest.n && rest.p[0] == '-') {                /* "first - last" */
            rest.p++; rest.n--;
            rest = skip_blanks(rest);
            last = take_token(&rest);
            if (!last.n) { count_skip(c->fs, SK_NOT_ADDRESS, w.lineno); continue; }
        }
        struct meta m = open_meta(w.lineno);
        int why = add_text(c, first, last, &m, w.lineno);
        if (why >= 0) count_skip(c->fs, (enum skip)why, w.lineno);
    }
}

/* ---- TorDNSEL exit-addresses ---- */

static void load_tordnsel(struct loadctx *c, vstr text) {
    struct line_walk w;
    line_walk_init(&w, text);
    vstr line;
    while (line_walk_next(&w, &line)) {
        line = vstr_trim(line);
        if (is_comment(line)) continue;
        if (vstr_prefix(line, "ExitNode") || vstr_prefix(line, "Published") || vstr_prefix(line, "LastStatus") ||
            vstr_prefix(line, "@type"))
            continue;
        c->fs->records++;
        if (!vstr_prefix(line, "ExitAddress ")) { count_skip(c->fs, SK_TOR_LINE, w.lineno); continue; }
        vstr rest = skip_blanks((vstr){ line.p + 12, line.n - 12 });
        vstr ip = take_token(&rest);
        struct ipaddr a;
        if (!ip_parse(ip.p, ip.n, &a)) { count_skip(c->fs, SK_NOT_ADDRESS, w.lineno); continue; }
        struct meta m = open_meta(w.lineno);
        add_prefix(c, &a, 128, &m, w.lineno);
    }
}

/* ---- CSV ---- */

struct csv_layout {
    char delim;
    unsigned ip_col, name_col;               /* name_col UINT32_MAX: none */
    unsigned n_cols;
};

/* Fields of one line, quotes removed (a doubled quote inside stays
 * doubled: IP values never hold one). Returns the count, at most max. */
static unsigned csv_split(vstr line, char delim, vstr *f, unsigned max) {
    unsigned n = 0;
    size_t i = 0;
    while (n < max) {
        while (i < line.n && is_blank(line.p[i])) i++;
        size_t start = i, end;
        if (i < line.n && line.p[i] == '"') {
            start = ++i;
            while (i < line.n && !(line.p[i] == '"' && (i + 1 >= line.n || line.p[i + 1] != '"'))) i += line.p[i] == '"' ? 2 : 1;
            end = i < line.n ? i : line.n;
            while (i < line.n && line.p[i] != delim) i++;
        } else {
            while (i < line.n && line.p[i] != delim) i++;
            end = i;
            while (end > start && is_blank(line.p[end - 1])) end--;
        }
        f[n++] = (vstr){ line.p + start, end - start };
        if (i >= line.n) break;
        i++;                                 /* the delimiter */
    }
    return n;
}

static int column_rank(vstr name, const char *const *names, unsigned n) {
    for (unsigned i = 0; i < n; i++)
        if (vstr_eq_ci(name, vstr_c(names[i]))) return (int)i;
    return -1;
}

/* A header naming the IP column: the first of these names found wins. */
static const char *const ip_columns[] = {
    "ip", "ip_address", "ipaddress", "ip_addr", "ipv4", "ipv6", "dst_ip", "dstip", "dest_ip", "destination_ip",
    "indicator", "ioc", "ioc_value", "value", "address", "network", "cidr",
};
static const char *const name_columns[] = { "malware", "malware_printable", "malware_family", "name", "threat" };
#define N_IP_COLUMNS (sizeof ip_columns / sizeof ip_columns[0])
#define N_NAME_COLUMNS (sizeof name_columns / sizeof name_columns[0])

static bool csv_header(vstr line, struct csv_layout *out) {
    static const char delims[] = { ',', '\t', ';' };
    while (line.n && (line.p[0] == '#' || is_blank(line.p[0]))) { line.p++; line.n--; }
    for (size_t d = 0; d < sizeof delims; d++) {
        vstr f[MAX_CSV_FIELDS];
        unsigned n = csv_split(line, delims[d], f, MAX_CSV_FIELDS);
        int best = -1, best_name = -1;
        unsigned ip_col = 0, name_col = UINT32_MAX;
        for (unsigned i = 0; i < n; i++) {
            int r = column_rank(f[i], ip_columns, N_IP_COLUMNS);
            if (r >= 0 && (best < 0 || r < best)) { best = r; ip_col = i; }
            int rn = column_rank(f[i], name_columns, N_NAME_COLUMNS);
            if (rn >= 0 && (best_name < 0 || rn < best_name)) { best_name = rn; name_col = i; }
        }
        if (best >= 0 && (n > 1 || d == 0)) {
            *out = (struct csv_layout){ .delim = delims[d], .ip_col = ip_col, .name_col = name_col, .n_cols = n };
            return true;
        }
    }
    return false;
}

/* "1.2.3.4:443" (ThreatFox writes ip:port) as the address alone. */
static vstr strip_v4_port(vstr s) {
    const char *colon = memchr(s.p, ':', s.n);
    if (colon && memchr(s.p, '.', s.n) && !memchr(colon + 1, ':', s.n - (size_t)(colon - s.p) - 1))
        s.n = (size_t)(colon - s.p);
    return s;
}

/* CSV names repeat row after row ("Pikabot"): keep one copy per run. */
static const char *csv_name(struct loadctx *c, vstr s) {
    if (!s.n) return NULL;
    if (c->last_name && strlen(c->last_name) == s.n && memcmp(c->last_name, s.p, s.n) == 0) return c->last_name;
    return c->last_name = dup_cstr(c->t, s);
}

static void load_csv(struct loadctx *c, vstr text, const struct csv_layout *lay, uint64_t header_line) {
    struct line_walk w;
    line_walk_init(&w, text);
    vstr line;
    while (line_walk_next(&w, &line)) {
        if (w.lineno <= header_line) continue;
        line = vstr_trim(line);
        if (!line.n || line.p[0] == '#') continue;
        c->fs->records++;
        vstr f[MAX_CSV_FIELDS];
        unsigned n = csv_split(line, lay->delim, f, MAX_CSV_FIELDS);
        if (lay->ip_col >= n || !f[lay->ip_col].n) { count_skip(c->fs, SK_CSV_NO_VALUE, w.lineno); continue; }
        struct meta m = open_meta(w.lineno);
        if (lay->name_col < n) m.name = csv_name(c, f[lay->name_col]);
        int why = add_text(c, strip_v4_port(f[lay->ip_col]), VSTR_NULL, &m, w.lineno);
        if (why >= 0) count_skip(c->fs, (enum skip)why, w.lineno);
    }
}

/* ---- STIX 2.1 ---- */

struct stix_obj {
    vstr type, id, pattern, pattern_type, valid_from, valid_until, name, value;
    bool revoked;
    int64_t confidence;
    bool has_confidence;
};

enum ptok { P_END, P_WORD, P_STRING, P_OP, P_PUNCT };

static bool op_char(char c) { return c == '=' || c == '!' || c == '<' || c == '>'; }
static bool punct_char(char c) { return c == '[' || c == ']' || c == '(' || c == ')' || c == ','; }

/* The pattern's next token: a quoted string (body without quotes), a run
 * of comparison characters, one bracket/paren/comma, or a word. */
static enum ptok pattern_token(vstr p, size_t *i, vstr *tok) {
    while (*i < p.n && (is_blank(p.p[*i]) || p.p[*i] == '\n' || p.p[*i] == '\r')) (*i)++;
    if (*i >= p.n) return P_END;
    size_t s = *i;
    char c = p.p[s];
    if (c == '\'') {
        size_t j = s + 1;
        while (j < p.n && p.p[j] != '\'') j += p.p[j] == '\\' ? 2 : 1;
        *tok = (vstr){ p.p + s + 1, (j < p.n ? j : p.n) - s - 1 };
        *i = j < p.n ? j + 1 : p.n;
        return P_STRING;
    }
    if (punct_char(c)) {
        *tok = (vstr){ p.p + s, 1 };
        *i = s + 1;
        return P_PUNCT;
    }
    size_t j = s;
    if (op_char(c)) {
        while (j < p.n && op_char(p.p[j])) j++;
        *tok = (vstr){ p.p + s, j - s };
        *i = j;
        return P_OP;
    }
    while (j < p.n && !is_blank(p.p[j]) && p.p[j] != '\'' && !punct_char(p.p[j]) && !op_char(p.p[j]) &&
           p.p[j] != '\n' && p.p[j] != '\r')
        j++;
    *tok = (vstr){ p.p + s, j - s };
    *i = j;
    return P_WORD;
}

static bool ip_path(vstr w) { return vstr_eqc(w, "ipv4-addr:value") || vstr_eqc(w, "ipv6-addr:value"); }

static bool restricting_word(vstr w) {
    static const char *const words[] = { "AND", "FOLLOWEDBY", "NOT", "WITHIN", "REPEATS", "START", "STOP" };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (vstr_eq_ci(w, vstr_c(words[i]))) return true;
    return false;
}

/* The IP values of a pattern that is a disjunction (OR) of comparisons,
 * each "ipv4-addr:value = '...'" / IN ('...', ...) / ISSUBSET '...' or about
 * another observable type (ignored). Fills c->pattern_ips; returns the
 * count, or -1 with *why when the pattern cannot be taken as a list. */
static int pattern_ips(struct loadctx *c, vstr p, enum skip *why) {
    size_t i = 0;
    int n = 0;
    bool complex = false, overflow = false, ip_seen = false;
    vstr tok;
    enum ptok k;
    while ((k = pattern_token(p, &i, &tok)) != P_END) {
        if (k == P_WORD && restricting_word(tok)) { complex = true; continue; }
        if (k != P_WORD || !ip_path(tok)) continue;
        ip_seen = true;
        vstr op;
        enum ptok ko = pattern_token(p, &i, &op);
        bool in_list = ko == P_WORD && vstr_eq_ci(op, VSTR("IN"));
        if (!((ko == P_OP && vstr_eqc(op, "=")) || (ko == P_WORD && vstr_eq_ci(op, VSTR("ISSUBSET"))) || in_list)) {
            complex = true;
            continue;
        }
        if (in_list && (pattern_token(p, &i, &tok) != P_PUNCT || tok.p[0] != '(')) { complex = true; continue; }
        for (;;) {
            if (pattern_token(p, &i, &tok) != P_STRING) { complex = true; break; }
            if (n < MAX_PATTERN_IPS) c->pattern_ips[n++] = tok;
            else overflow = true;
            if (!in_list) break;
            vstr sep;
            if (pattern_token(p, &i, &sep) != P_PUNCT || sep.p[0] != ',') break;
        }
    }
    if (!ip_seen) { *why = SK_NO_IP; return -1; }
    if (complex || n == 0) { *why = SK_COMPLEX; return -1; }
    if (overflow) *why = SK_TOO_MANY_VALUES;
    return n;
}

static bool stix_time(vstr s, int64_t *out, int64_t absent) {
    if (!s.p) { *out = absent; return true; }
    return time_parse(s, out);
}

static void stix_indicator(struct loadctx *c, const struct stix_obj *o, uint64_t pos) {
    struct file_stats *fs = c->fs;
    if (o->revoked) { fs->revoked++; return; }
    if (o->pattern_type.p && !vstr_eqc(o->pattern_type, "stix")) { count_skip(fs, SK_PATTERN_TYPE, pos); return; }
    struct meta m = open_meta(0);
    if (!stix_time(o->valid_from, &m.valid_from, INT64_MIN) || !stix_time(o->valid_until, &m.valid_until, INT64_MAX)) {
        count_skip(fs, SK_BAD_TIME, pos);
        return;
    }
    if (m.valid_until <= m.valid_from) { count_skip(fs, SK_EMPTY_VALIDITY, pos); return; }
    enum skip why = N_SKIP;
    int n = pattern_ips(c, o->pattern, &why);
    if (n < 0) { count_skip(fs, why, pos); return; }
    if (why != N_SKIP) count_skip(fs, why, pos);
    fs->indicators++;
    if (m.valid_until < c->now_us) fs->expired_at_load++;
    m.indicator = dup_cstr(c->t, o->id);
    m.name = dup_cstr(c->t, o->name);
    if (o->has_confidence) m.confidence = o->confidence < 0 ? 0 : o->confidence > 100 ? 100 : (int)o->confidence;
    for (int i = 0; i < n; i++) {
        vstr v = vstr_trim(c->pattern_ips[i]);
        struct ipaddr net;
        unsigned plen;
        if (!ip_parse_cidr(v.p, v.n, &net, &plen)) { count_skip(fs, SK_BAD_VALUE, pos); continue; }
        add_prefix(c, &net, plen, &m, pos);
    }
}

static void stix_observable(struct loadctx *c, const struct stix_obj *o, uint64_t pos) {
    struct ipaddr net;
    unsigned plen;
    vstr v = vstr_trim(o->value);
    if (!v.n || !ip_parse_cidr(v.p, v.n, &net, &plen)) { count_skip(c->fs, SK_OBSERVABLE_VALUE, pos); return; }
    c->fs->observables++;
    struct meta m = open_meta(0);
    add_prefix(c, &net, plen, &m, pos);
}

static void stix_value(struct loadctx *c, jval *v, unsigned depth, uint64_t *objno, uint64_t line);

/* One STIX object, or a bundle whose "objects" are walked in turn. The
 * fields come in any order and On-Demand reads forward only: collect
 * them, then decide. */
static void stix_object(struct loadctx *c, jval *v, unsigned depth, uint64_t *objno, uint64_t line) {
    jiter it;
    uint64_t pos = line ? line : ++*objno;   /* given back if it turns out to be a bundle */
    if (!jv_obj_begin(v, &it)) { c->fs->records++; count_skip(c->fs, SK_NOT_OBJECT, pos); return; }
    struct stix_obj o = { .revoked = false };
    bool bundle = false;
    vstr key;
    jval val;
    while (jv_obj_next(&it, &key, &val)) {
        if (vstr_eqc(key, "type")) jv_str(&val, &o.type);
        else if (vstr_eqc(key, "id")) jv_str(&val, &o.id);
        else if (vstr_eqc(key, "pattern")) jv_str(&val, &o.pattern);
        else if (vstr_eqc(key, "pattern_type")) jv_str(&val, &o.pattern_type);
        else if (vstr_eqc(key, "valid_from")) jv_str(&val, &o.valid_from);
        else if (vstr_eqc(key, "valid_until")) jv_str(&val, &o.valid_until);
        else if (vstr_eqc(key, "name")) jv_str(&val, &o.name);
        else if (vstr_eqc(key, "value")) jv_str(&val, &o.value);
        else if (vstr_eqc(key, "revoked")) jv_bool(&val, &o.revoked);
        else if (vstr_eqc(key, "confidence")) o.has_confidence = jv_i64(&val, &o.confidence);
        else if (vstr_eqc(key, "objects") && depth < STIX_MAX_DEPTH && jv_type(&val) == JT_ARRAY) {
            if (!bundle && !line) --*objno;  /* a bundle is a container, not an object */
            bundle = true;
            jiter arr;
            jval el;
            jv_arr_begin(&val, &arr);
            while (jv_arr_next(&arr, &el)) stix_object(c, &el, depth + 1, objno, line);
        }
    }
    if (bundle || jparser_error(c->jp)) return;   /* a broken object is counted by the caller */
    if (vstr_eqc(o.type, "bundle")) {        /* one without objects */
        if (!line) --*objno;
        return;
    }
    c->fs->records++;
    if (vstr_eqc(o.type, "indicator")) stix_indicator(c, &o, pos);
    else if (vstr_eqc(o.type, "ipv4-addr") || vstr_eqc(o.type, "ipv6-addr")) stix_observable(c, &o, pos);
    else c->fs->other_objects++;
}

/* A bare array of objects, or an object (a bundle or a lone object). */
static void stix_value(struct loadctx *c, jval *v, unsigned depth, uint64_t *objno, uint64_t line) {
    if (jv_type(v) == JT_ARRAY) {
        jiter arr;
        jval el;
        jv_arr_begin(v, &arr);
        while (jv_arr_next(&arr, &el)) stix_object(c, &el, depth, objno, line);
        return;
    }
    stix_object(c, v, depth, objno, line);
}

/* The whole text is one JSON value (a bundle, an object, an array), or
 * JSON lines of them (a feed export). Positions are objects in the first
 * case, lines in the second. */
static int load_stix(struct loadctx *c, const struct textfile *f, vstr body, char *err, size_t errlen) {
    jparser *jp = jparser_new();
    if (!jp) abort();
    c->jp = jp;
    size_t cap = f->cap - (size_t)(body.p - f->data);
    jval root;
    vstr raw;
    bool one_value = jparse(jp, body.p, body.n, cap, &root) && jv_raw(&root, &raw) && jparse_at_end(jp);
    uint64_t objno = 0;
    if (one_value) {
        c->fs->unit = "object";
        if (jparse(jp, body.p, body.n, cap, &root)) stix_value(c, &root, 0, &objno, 0);
        if (jparser_error(jp)) count_skip(c->fs, SK_JSON, objno + 1);
    } else {
        c->fs->unit = "line";
        c->fs->format = "STIX 2.1 (JSON lines)";
        struct line_walk w;
        line_walk_init(&w, body);
        vstr line;
        uint64_t parsed = 0;
        while (line_walk_next(&w, &line)) {
            vstr t = vstr_trim(line);
            if (!t.n) continue;
            size_t lcap = f->cap - (size_t)(t.p - f->data);
            if (!jparse(jp, t.p, t.n, lcap, &root)) {
                c->fs->records++;
                count_skip(c->fs, SK_JSON, w.lineno);
                continue;
            }
            stix_value(c, &root, 0, &objno, w.lineno);
            if (jparser_error(jp)) count_skip(c->fs, SK_JSON, w.lineno);
            else parsed++;
        }
        if (!parsed) {
            snprintf(err, errlen, "%s: not valid JSON (%s)", c->source, jparser_errmsg(jp));
            jparser_free(jp);
            return -1;
        }
    }
    jparser_free(jp);
    return 0;
}

/* ---- format detection ---- */

enum format { F_PLAIN, F_CSV, F_TORDNSEL, F_STIX };

/* Told by content: JSON starts with a brace or bracket; exit-addresses
 * with its keywords; CSV has a header naming the IP column (as its first
 * line, or as the last comment line before the data, as abuse.ch writes
 * some feeds); anything else is a plain list. */
static enum format detect_format(vstr body, struct csv_layout *lay, uint64_t *header_line) {
    vstr t = vstr_trim(body);
    if (t.n && (t.p[0] == '{' || t.p[0] == '[')) return F_STIX;
    struct line_walk w;
    line_walk_init(&w, body);
    vstr line, last_comment = VSTR_NULL;
    uint64_t comment_line = 0;
    while (line_walk_next(&w, &line)) {
        line = vstr_trim(line);
        if (!line.n) continue;
        if (line.p[0] == '#' || line.p[0] == ';') {
            last_comment = line;
            comment_line = w.lineno;
            continue;
        }
        if (vstr_prefix(line, "ExitNode ") || vstr_prefix(line, "@type tordnsel") || vstr_prefix(line, "ExitAddress "))
            return F_TORDNSEL;
        if (csv_header(line, lay)) { *header_line = w.lineno; return F_CSV; }
        if (last_comment.n && csv_header(last_comment, lay) && lay->n_cols > 1) {
            vstr f[MAX_CSV_FIELDS];
            if (csv_split(line, lay->delim, f, MAX_CSV_FIELDS) == lay->n_cols) {
                *header_line = comment_line;
                return F_CSV;
            }
        }
        return F_PLAIN;
    }
    return F_PLAIN;
}

/* ---- public API ---- */

struct intel *intel_new(void) {
    struct intel *t = calloc(1, sizeof *t);
    if (!t) abort();
    arena_init(&t->mem, 0);
    return t;
}

void intel_free(struct intel *t) {
    if (!t) return;
    for (unsigned i = 0; i < 33; i++) free(t->v4[i].s);
    for (unsigned i = 0; i < 129; i++) free(t->v6[i].s);
    free(t->v4_summary);
    free(t->v6_summary);
    for (uint32_t i = 0; i < t->n_chunks; i++) free(t->chunks[i]);
    free(t->chunks);
    free(t->files);
    arena_free(&t->mem);
    free(t);
}

const char *intel_label_name(enum intel_label l) {
    switch (l) {
    case INTEL_TOR: return "tor";
    case INTEL_ANONYMIZER: return "anonymizer";
    case INTEL_MALICIOUS: return "malicious";
    }
    return "?";
}

/* "LABEL=FILE" or "FILE". A word before '=' without a '/' is a label. */
static int split_spec(const char *spec, enum intel_label *label, const char **path, char *err, size_t errlen) {
    const char *eq = strchr(spec, '=');
    *label = INTEL_MALICIOUS;
    *path = spec;
    if (!eq || memchr(spec, '/', (size_t)(eq - spec))) return 0;
    vstr word = { spec, (size_t)(eq - spec) };
    static const enum intel_label labels[] = { INTEL_TOR, INTEL_ANONYMIZER, INTEL_MALICIOUS };
    for (size_t i = 0; i < 3; i++)
        if (vstr_eqc(word, intel_label_name(labels[i]))) {
            *label = labels[i];
            *path = eq + 1;
            return 0;
        }
    snprintf(err, errlen, "unknown threat-intel label '%.*s' in '%s' (tor, anonymizer or malicious; "
             "write ./%s for a file whose name holds '=')", (int)word.n, word.p, spec, spec);
    return -1;
}

static int64_t wall_clock_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * US_PER_SEC + ts.tv_nsec / 1000;
}

static void describe_file(const struct file_stats *fs, buf *out);

/* One file's text, whatever it came from; name is for the report and the
 * hits. */
static int load_text(struct intel *t, enum intel_label label, const char *name, const struct textfile *f, char *err,
                     size_t errlen) {
    if (t->n_files == t->cap_files) {
        t->cap_files = t->cap_files ? t->cap_files * 2 : 4;
        t->files = realloc(t->files, t->cap_files * sizeof *t->files);
        if (!t->files) abort();
    }
    struct file_stats *fs = &t->files[t->n_files];
    *fs = (struct file_stats){ .path = arena_dup(&t->mem, vstr_c(name)).p, .label = label, .unit = "line" };
    struct loadctx c = { .t = t, .fs = fs, .source = fs->path, .now_us = wall_clock_us() };
    vstr body = textfile_body(f);
    struct csv_layout lay;
    uint64_t header_line = 0;
    int rc = 0;
    switch (detect_format(body, &lay, &header_line)) {
    case F_STIX:
        fs->format = "STIX 2.1";
        rc = load_stix(&c, f, body, err, errlen);
        break;
    case F_CSV:
        fs->format = "CSV";
        load_csv(&c, body, &lay, header_line);
        break;
    case F_TORDNSEL:
        fs->format = "TorDNSEL exit-addresses";
        load_tordnsel(&c, body);
        break;
    case F_PLAIN:
        fs->format = "plain list";
        load_plain(&c, body);
        break;
    }
    if (rc == 0 && fs->entries == 0 && fs->duplicates == 0) {
        buf b;
        buf_init(&b);
        describe_file(fs, &b);
        snprintf(err, errlen, "%s: no usable threat-intel entry (%s)", name, buf_cstr(&b));
        buf_free(&b);
        rc = -1;
    }
    if (rc == 0) t->n_files++;
    return rc;
}

int intel_load(struct intel *t, const char *spec, char *err, size_t errlen) {
    enum intel_label label;
    const char *path;
    if (split_spec(spec, &label, &path, err, errlen) != 0) return -1;
    struct textfile f;
    if (textfile_read(&f, path, MAX_FILE_BYTES, err, errlen) != 0) return -1;
    int rc = load_text(t, label, path, &f, err, errlen);
    textfile_free(&f);
    return rc;
}

int intel_load_mem(struct intel *t, enum intel_label label, const char *name, const char *data, size_t len, char *err,
                   size_t errlen) {
    struct textfile f;
    textfile_from_mem(&f, data, len);
    int rc = load_text(t, label, name, &f, err, errlen);
    textfile_free(&f);
    return rc;
}

static inline const struct intel_hit *first_valid(const struct intel *t, uint32_t idx, unsigned mask, int64_t t_us) {
    while (idx) {
        const struct entry *e = entry_at(t, idx);
        if ((e->hit.label & mask) && e->hit.valid_from_us <= t_us && t_us < e->hit.valid_until_us) return &e->hit;
        idx = e->next;
    }
    return NULL;
}

static const struct intel_hit *lookup_v4(const struct intel *t, uint32_t a, unsigned mask, int64_t t_us) {
    if (!t->v4_summary) return NULL;
    uint64_t lens = t->v4_summary[a >> 16];
    while (lens) {
        unsigned len = 63 - (unsigned)__builtin_clzll(lens);
        lens &= ~(UINT64_C(1) << len);
        const uint32_t *head = t4_find(&t->v4[len], a & v4_mask(len));
        const struct intel_hit *h = head ? first_valid(t, *head, mask, t_us) : NULL;
        if (h) return h;
    }
    return NULL;
}

static const struct intel_hit *probe_v6(const struct intel *t, uint64_t hi, uint64_t lo, unsigned len, unsigned mask,
                                        int64_t t_us) {
    if (!t->v6[len].used) return NULL;
    mask_halves(len, &hi, &lo);
    const uint32_t *head = t6_find(&t->v6[len], hi, lo);
    return head ? first_valid(t, *head, mask, t_us) : NULL;
}

static const struct intel_hit *lookup_v6(const struct intel *t, const struct ipaddr *ip, unsigned mask, int64_t t_us) {
    if (!t->v6_summary) return NULL;
    uint64_t hi, lo;
    halves(ip, &hi, &lo);
    const struct lenset *set = &t->v6_summary[hi >> 48];
    for (int w = 1; w >= 0; w--) {
        uint64_t bits = set->w[w];
        while (bits) {
            unsigned b = 63 - (unsigned)__builtin_clzll(bits);
            bits &= ~(UINT64_C(1) << b);
            unsigned len = (unsigned)w * 64 + b + 1;
            const struct intel_hit *h = probe_v6(t, hi, lo, len, mask, t_us);
            if (!h && len == 1) h = probe_v6(t, hi, lo, 0, mask, t_us);
            if (h) return h;
        }
    }
    return NULL;
}

const struct intel_hit *intel_lookup(const struct intel *t, const struct ipaddr *ip, unsigned label_mask,
                                     int64_t t_us) {
    if (!t || !(label_mask & t->labels)) return NULL;
    if (ip_is_v4(ip)) return lookup_v4(t, v4_of(ip), label_mask, t_us);
    return lookup_v6(t, ip, label_mask, t_us);
}

size_t intel_size(const struct intel *t) { return t && t->n_entries ? t->n_entries - 1 : 0; }

static const char *plural(uint64_t n, const char *one, const char *many) { return n == 1 ? one : many; }

/* "FORMAT, N entries ...; what was dropped and skipped, and why". */
static void describe_file(const struct file_stats *fs, buf *out) {
    buf_printf(out, "%s, %" PRIu64 " %s", fs->format, fs->entries, plural(fs->entries, "entry", "entries"));
    if (fs->ranges)
        buf_printf(out, " (%" PRIu64 " %s split into %" PRIu64 " prefixes)", fs->ranges,
                   plural(fs->ranges, "range", "ranges"), fs->range_prefixes);
    if (fs->indicators)
        buf_printf(out, " from %" PRIu64 " %s", fs->indicators, plural(fs->indicators, "indicator", "indicators"));
    if (fs->observables)
        buf_printf(out, "%s %" PRIu64 " ipv4/ipv6-addr %s", fs->indicators ? " and" : " from", fs->observables,
                   plural(fs->observables, "object", "objects"));
    if (fs->duplicates) buf_printf(out, "; %" PRIu64 " already loaded (merged)", fs->duplicates);
    if (fs->private_dropped)
        buf_printf(out, "; %" PRIu64 " private/bogon dropped (first %s %" PRIu64 ")", fs->private_dropped, fs->unit,
                   fs->private_first);
    if (fs->revoked)
        buf_printf(out, "; %" PRIu64 " revoked %s skipped", fs->revoked, plural(fs->revoked, "indicator", "indicators"));
    if (fs->expired_at_load)
        buf_printf(out, "; %" PRIu64 " %s past valid_until at load (kept: they match older events)",
                   fs->expired_at_load, plural(fs->expired_at_load, "indicator", "indicators"));
    if (fs->other_objects) buf_printf(out, "; %" PRIu64 " other STIX objects ignored", fs->other_objects);
    for (int i = 0; i < N_SKIP; i++)
        if (fs->skipped[i])
            buf_printf(out, "; skipped %" PRIu64 " %s%s: %s (first %s %" PRIu64 ")", fs->skipped[i], fs->unit,
                       fs->skipped[i] == 1 ? "" : "s", skip_text[i], fs->unit, fs->skip_first[i]);
}

static void report_file(const struct file_stats *fs, buf *out) {
    const char *slash = strrchr(fs->path, '/');
    buf_printf(out, "  intel %s %s: ", intel_label_name(fs->label), slash ? slash + 1 : fs->path);
    describe_file(fs, out);
    buf_putc(out, '\n');
}

void intel_report(const struct intel *t, buf *out) {
    if (!t || !t->n_files) return;
    for (unsigned i = 0; i < t->n_files; i++) report_file(&t->files[i], out);
    size_t n = intel_size(t);
    buf_printf(out, "  intel: %zu %s (tor %" PRIu64 ", anonymizer %" PRIu64 ", malicious %" PRIu64 ") from %u %s\n", n,
               plural(n, "entry", "entries"), t->by_label[0], t->by_label[1], t->by_label[2], t->n_files,
               plural(t->n_files, "file", "files"));
}
