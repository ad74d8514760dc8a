/* Hourly histories: sorted spans of observed hours and sorted sparse
 * points. Hours arrive in order almost always (the owner closes hours one
 * after the other), so both arrays have an append fast path; the general
 * path inserts in place, which is linear but runs on arrays of at most a
 * window's worth of entries. */
#include "state/hourly.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) { fputs("vigil: out of memory\n", stderr); abort(); }
    return q;
}

void u32vec_push(struct u32vec *a, uint32_t x) {
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 64;
        a->v = xrealloc(a->v, a->cap * sizeof *a->v);
    }
    a->v[a->n++] = x;
}

void u32vec_free(struct u32vec *a) {
    free(a->v);
    *a = (struct u32vec){ 0 };
}

void hourly_init(struct hourly *h) { *h = (struct hourly){ 0 }; }

void hourly_free(struct hourly *h) {
    free(h->runs);
    free(h->pts);
    hourly_init(h);
}

/* ---- observed spans ----------------------------------------------------- */

static void insert_run(struct hourly *h, uint32_t at, int32_t from, int32_t to) {
    if (h->n_runs == h->cap_runs) {
        h->cap_runs = h->cap_runs ? h->cap_runs * 2 : 4;
        h->runs = xrealloc(h->runs, h->cap_runs * sizeof *h->runs);
    }
    memmove(&h->runs[at + 1], &h->runs[at], (h->n_runs - at) * sizeof *h->runs);
    h->runs[at] = (struct hourly_run){ from, to };
    h->n_runs++;
}

static void remove_run(struct hourly *h, uint32_t at) {
    memmove(&h->runs[at], &h->runs[at + 1], (h->n_runs - at - 1) * sizeof *h->runs);
    h->n_runs--;
}

void hourly_observe(struct hourly *h, int32_t hour) {
    if (hour == INT32_MAX) return;      /* [hour, hour + 1) must be representable */
    if (h->n_runs) {
        struct hourly_run *last = &h->runs[h->n_runs - 1];
        if (hour >= last->from && hour < last->to) return;
        if (hour == last->to) { last->to++; return; }
    }
    uint32_t i = 0;                     /* first run starting after hour */
    while (i < h->n_runs && h->runs[i].from <= hour) i++;
    if (i > 0 && h->runs[i - 1].to > hour) return;              /* inside runs[i-1] */
    bool joins_prev = i > 0 && h->runs[i - 1].to == hour;
    bool joins_next = i < h->n_runs && h->runs[i].from == hour + 1;
    if (joins_prev && joins_next) {
        h->runs[i - 1].to = h->runs[i].to;
        remove_run(h, i);
    } else if (joins_prev) {
        h->runs[i - 1].to = hour + 1;
    } else if (joins_next) {
        h->runs[i].from = hour;
    } else {
        insert_run(h, i, hour, hour + 1);
        if (h->n_runs > HOURLY_MAX_RUNS) remove_run(h, 0);
    }
}

bool hourly_is_observed(const struct hourly *h, int32_t hour) {
    for (uint32_t i = h->n_runs; i-- > 0;)
        if (h->runs[i].from <= hour) return hour < h->runs[i].to;
    return false;
}

uint32_t hourly_observed(const struct hourly *h, int32_t from, int32_t to) {
    int64_t n = 0;
    for (uint32_t i = 0; i < h->n_runs; i++) {
        int32_t a = h->runs[i].from > from ? h->runs[i].from : from;
        int32_t b = h->runs[i].to < to ? h->runs[i].to : to;
        if (b > a) n += (int64_t)b - a;
    }
    return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* ---- points ------------------------------------------------------------- */

static int point_cmp(int32_t hour, unsigned metric, const struct hourly_point *p) {
    if (hour != p->hour) return hour < p->hour ? -1 : 1;
    if (metric != p->metric) return metric < p->metric ? -1 : 1;
    return 0;
}

void hourly_set(struct hourly *h, int32_t hour, unsigned metric, uint32_t value) {
    if (metric >= HOURLY_MAX_METRICS) return;
    hourly_observe(h, hour);
    uint32_t i = h->n_pts;              /* insertion point, from the end: the usual case is an append */
    while (i > 0 && point_cmp(hour, metric, &h->pts[i - 1]) < 0) i--;
    if (i > 0 && point_cmp(hour, metric, &h->pts[i - 1]) == 0) {
        if (value) { h->pts[i - 1].value = value; return; }
        memmove(&h->pts[i - 1], &h->pts[i], (h->n_pts - i) * sizeof *h->pts);
        h->n_pts--;
        return;
    }
    if (!value) return;
    if (h->n_pts == h->cap_pts) {
        h->cap_pts = h->cap_pts ? h->cap_pts * 2 : 8;
        h->pts = xrealloc(h->pts, h->cap_pts * sizeof *h->pts);
    }
    memmove(&h->pts[i + 1], &h->pts[i], (h->n_pts - i) * sizeof *h->pts);
    h->pts[i] = (struct hourly_point){ hour, (uint8_t)metric, value };
    h->n_pts++;
}

void hourly_forget_before(struct hourly *h, int32_t hour) {
    uint32_t r = 0;
    while (r < h->n_runs && h->runs[r].to <= hour) r++;
    if (r) {
        memmove(h->runs, h->runs + r, (h->n_runs - r) * sizeof *h->runs);
        h->n_runs -= r;
    }
    if (h->n_runs && h->runs[0].from < hour) h->runs[0].from = hour;
    uint32_t p = 0;
    while (p < h->n_pts && h->pts[p].hour < hour) p++;
    if (p) {
        memmove(h->pts, h->pts + p, (h->n_pts - p) * sizeof *h->pts);
        h->n_pts -= p;
    }
}

size_t hourly_values(const struct hourly *h, unsigned metric, int32_t from, int32_t to, struct u32vec *out) {
    /* binary search for the first point at or after from */
    uint32_t lo = 0, hi = h->n_pts;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (h->pts[mid].hour < from) lo = mid + 1;
        else hi = mid;
    }
    size_t n = 0;
    for (uint32_t i = lo; i < h->n_pts && h->pts[i].hour < to; i++)
        if (h->pts[i].metric == metric) { u32vec_push(out, h->pts[i].value); n++; }
    return n;
}

/* ---- serialisation ------------------------------------------------------ */

static void put_u16(buf *b, uint16_t v) { uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) }; buf_put(b, x, 2); }
static void put_u32(buf *b, uint32_t v) {
    uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    buf_put(b, x, 4);
}

static bool get_u16(const uint8_t **p, const uint8_t *end, uint16_t *v) {
    if (end - *p < 2) return false;
    *v = (uint16_t)((*p)[0] | (*p)[1] << 8);
    *p += 2;
    return true;
}
static bool get_u32(const uint8_t **p, const uint8_t *end, uint32_t *v) {
    if (end - *p < 4) return false;
    *v = (uint32_t)(*p)[0] | (uint32_t)(*p)[1] << 8 | (uint32_t)(*p)[2] << 16 | (uint32_t)(*p)[3] << 24;
    *p += 4;
    return true;
}

void hourly_write(const struct hourly *h, buf *out) {
    put_u16(out, (uint16_t)h->n_runs);
    for (uint32_t i = 0; i < h->n_runs; i++) {
        put_u32(out, (uint32_t)h->runs[i].from);
        put_u32(out, (uint32_t)h->runs[i].to);
    }
    put_u32(out, h->n_pts);
    for (uint32_t i = 0; i < h->n_pts; i++) {
        put_u32(out, (uint32_t)h->pts[i].hour);
        buf_putc(out, (char)h->pts[i].metric);
        put_u32(out, h->pts[i].value);
    }
}

/* Everything read is checked against the invariants the rest relies on
 * (sorted, disjoint, bounded), so a damaged store cannot smuggle in a
 * state the code never makes. */
bool hourly_read(struct hourly *h, const uint8_t **p, const uint8_t *end) {
    hourly_free(h);
    uint16_t n_runs;
    uint32_t n_pts;
    if (!get_u16(p, end, &n_runs) || n_runs > HOURLY_MAX_RUNS) goto bad;
    for (uint32_t i = 0; i < n_runs; i++) {
        uint32_t a, b;
        if (!get_u32(p, end, &a) || !get_u32(p, end, &b)) goto bad;
        int32_t from = (int32_t)a, to = (int32_t)b;
        if (to <= from || (h->n_runs && from <= h->runs[h->n_runs - 1].to)) goto bad;
        insert_run(h, h->n_runs, from, to);
    }
    if (!get_u32(p, end, &n_pts) || (size_t)(end - *p) / 9 < n_pts) goto bad;
    h->cap_pts = n_pts;
    h->pts = n_pts ? xrealloc(NULL, n_pts * sizeof *h->pts) : NULL;
    for (uint32_t i = 0; i < n_pts; i++) {
        uint32_t hour, value;
        if (!get_u32(p, end, &hour) || end - *p < 1) goto bad;
        uint8_t metric = *(*p)++;
        if (!get_u32(p, end, &value) || !value || metric >= HOURLY_MAX_METRICS) goto bad;
        struct hourly_point pt = { (int32_t)hour, metric, value };
        if (h->n_pts && point_cmp(pt.hour, pt.metric, &h->pts[h->n_pts - 1]) <= 0) goto bad;
        h->pts[h->n_pts++] = pt;
    }
    return true;
bad:
    hourly_free(h);
    return false;
}

/* ---- robust statistics -------------------------------------------------- */

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The element of rank r (0-based) of the multiset made of `zeros` copies of
 * c and the sorted array v[n], where `below` elements of v are smaller
 * than c. */
static uint64_t rank_with_repeats(const uint64_t *v, size_t below, uint64_t c, uint64_t zeros, uint64_t r) {
    if (r < below) return v[r];
    if (r < below + zeros) return c;
    return v[r - zeros];
}

/* Twice the median, as an integer: the median of counts is a whole or a
 * half number, so doubling keeps the arithmetic exact. */
static uint64_t twice_median(const uint64_t *v, size_t below, uint64_t c, uint64_t zeros, uint64_t total) {
    uint64_t a = rank_with_repeats(v, below, c, zeros, (total - 1) / 2);
    uint64_t b = rank_with_repeats(v, below, c, zeros, total / 2);
    return a + b;
}

struct robust robust_stats(uint32_t *values, size_t n, uint64_t zeros, unsigned percentile) {
    struct robust r = { .n = n + zeros };
    if (r.n == 0) return r;
    if (n) qsort(values, n, sizeof *values, cmp_u32);
    /* nearest rank: the smallest value with at least percentile % of the
     * multiset at or below it */
    if (percentile < 1) percentile = 1;
    if (percentile > 100) percentile = 100;
    uint64_t rank = (r.n * percentile + 99) / 100;
    r.busy = rank <= zeros ? 0 : values[rank - zeros - 1];
    if (n == 0) return r;               /* all zeros: median, MAD and busy are 0 */
    uint64_t *x2 = malloc(n * sizeof *x2);
    if (!x2) { fputs("vigil: out of memory\n", stderr); abort(); }
    for (size_t i = 0; i < n; i++) x2[i] = values[i];
    /* values are all > 0, so the zeros come first */
    uint64_t med2 = twice_median(x2, 0, 0, zeros, r.n);
    r.median = (double)med2 / 2;
    /* deviations, doubled: |2v - 2med|; each zero deviates by med */
    size_t below = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t v2 = 2 * (uint64_t)values[i];
        x2[i] = v2 > med2 ? v2 - med2 : med2 - v2;
    }
    if (n) qsort(x2, n, sizeof *x2, cmp_u64);
    while (below < n && x2[below] < med2) below++;
    uint64_t mad4 = twice_median(x2, below, med2, zeros, r.n);   /* 2 x (2 x MAD) */
    r.mad = (double)mad4 / 4;
    free(x2);
    return r;
}

double robust_spread(const struct robust *r) {
    double s = 1.4826 * r->mad, poisson = sqrt(r->median);
    if (s < poisson) s = poisson;
    return s < 1 ? 1 : s;
}

/* The smallest whole count above x. */
static uint32_t count_above(double x) {
    if (x >= (double)UINT32_MAX - 1) return UINT32_MAX;
    return x < 0 ? 0 : (uint32_t)((uint64_t)x + 1);
}

uint32_t robust_threshold(const struct robust *r, uint32_t k, uint32_t margin_percent, uint32_t floor) {
    uint32_t by_spread = count_above(r->median + (double)k * robust_spread(r));
    uint32_t by_busy = r->busy ? count_above((double)r->busy * margin_percent / 100) : 0;
    uint32_t thr = by_spread > by_busy ? by_spread : by_busy;
    return thr < floor ? floor : thr;
}
