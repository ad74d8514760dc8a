/* nginx and Apache access logs in the common and combined log formats into
 * struct http_req:
 *
 *   [vhost[:port] ]host ident user [10/Oct/2000:13:55:36 -0700] "request" status bytes
 *       ["referer" "user-agent" ["x-forwarded-for"]] [anything else]
 *
 * (the leading vhost is Apache's vhost_combined; the third quoted field is
 * nginx's sample "main" format). Quoted fields escape '"' as \" (Apache)
 * or \x22 (nginx); both are skipped over when the field's end is sought.
 *
 * The request line is whatever the client sent. Scanners send TLS
 * handshakes to plain-HTTP ports, empty requests ("-"), or bytes that are
 * no request at all; those lines are evidence, so they decode as requests
 * with an empty method and path and the raw text in uri_raw. Only a line
 * that does not have the shape above is rejected. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"
#include "decode/webreq.h"
#include "util/arena.h"
#include "util/timeutil.h"

static const char R_SHAPE[] = "not a common / combined log line";
static const char R_TIME[] = "access log line with an invalid time";
static const char R_STATUS[] = "access log line with an invalid status";

struct clf_dec {
    const char *input;
    struct rejects *rj;
    arena mem;
    const struct record *rec;
    bool pending;
    int64_t time_us;
    struct http_req http;
    uint64_t events, not_requests, vhost_lines, blank;
};

/* ---- scanning ------------------------------------------------------------- */

struct cursor {
    const char *p, *end;
};

static void skip_blanks(struct cursor *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t')) c->p++;
}

static vstr token(struct cursor *c) {
    skip_blanks(c);
    const char *s = c->p;
    while (c->p < c->end && *c->p != ' ' && *c->p != '\t') c->p++;
    return (vstr){ s, (size_t)(c->p - s) };
}

/* A "quoted" field: its inside, escapes left as written. false when the
 * next thing is not a quoted field or its closing quote is missing. */
static bool quoted(struct cursor *c, vstr *out) {
    skip_blanks(c);
    if (c->p >= c->end || *c->p != '"') return false;
    const char *s = ++c->p;
    while (c->p < c->end && *c->p != '"') c->p += (*c->p == '\\' && c->p + 1 < c->end) ? 2 : 1;
    if (c->p >= c->end) return false;
    *out = (vstr){ s, (size_t)(c->p - s) };
    c->p++;
    return true;
}

/* \" and \\ as the plain characters (a copy only when there are any). */
static vstr unescape(arena *a, vstr s) {
    if (!s.n || !memchr(s.p, '\\', s.n)) return s;
    char *out = arena_alloc(a, s.n);
    size_t n = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] == '\\' && i + 1 < s.n && (s.p[i + 1] == '"' || s.p[i + 1] == '\\')) i++;
        out[n++] = s.p[i];
    }
    return (vstr){ out, n };
}

/* ---- fields --------------------------------------------------------------------- */

static bool two_digits(const char *p, unsigned *out) {
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9') return false;
    *out = (unsigned)(p[0] - '0') * 10 + (unsigned)(p[1] - '0');
    return true;
}

static int month_of(const char *p) {
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int m = 0; m < 12; m++)
        if (memcmp(p, months + 3 * m, 3) == 0) return m + 1;
    return 0;
}

/* "10/Oct/2000:13:55:36 -0700": local time and its offset from UTC. */
static bool clf_time(vstr s, int64_t *out) {
    unsigned d, h, mi, se, yh, yl, oh, om;
    if (s.n != 26) return false;
    const char *p = s.p;
    int mo = month_of(p + 3);
    if (!two_digits(p, &d) || p[2] != '/' || !mo || p[6] != '/' || !two_digits(p + 7, &yh) || !two_digits(p + 9, &yl) ||
        p[11] != ':' || !two_digits(p + 12, &h) || p[14] != ':' || !two_digits(p + 15, &mi) || p[17] != ':' ||
        !two_digits(p + 18, &se) || p[20] != ' ' || (p[21] != '+' && p[21] != '-') || !two_digits(p + 22, &oh) ||
        !two_digits(p + 24, &om))
        return false;
    if (d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 || oh > 23 || om > 59) return false;
    int64_t days = days_from_civil((int64_t)(yh * 100 + yl), (unsigned)mo, d);
    int64_t offset = ((int64_t)oh * 3600 + om * 60) * (p[21] == '-' ? -1 : 1);
    *out = ((days * 86400 + h * 3600 + mi * 60 + se) - offset) * US_PER_SEC;
    return true;
}

static bool is_method_char(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_'; }

/* "METHOD target[ HTTP/x]" into method, uri_raw and query; anything else
 * leaves the method and path empty and the raw text in uri_raw. */
static bool request_line(struct http_req *r, vstr req) {
    r->uri_raw = req;
    size_t m = 0;
    while (m < req.n && m <= 32 && is_method_char(req.p[m])) m++;
    if (m == 0 || m > 32 || m >= req.n || req.p[m] != ' ') return false;
    const char *t = req.p + m + 1, *end = req.p + req.n;
    /* the protocol is the last word when it names HTTP; a target may
     * hold spaces in a line nobody escaped */
    const char *sp = end;
    while (sp > t && sp[-1] != ' ') sp--;
    if (sp > t && end - sp >= 5 && memcmp(sp, "HTTP/", 5) == 0) end = sp - 1;
    if (t >= end) return false;
    r->method = (vstr){ req.p, m };
    const char *q = memchr(t, '?', (size_t)(end - t));
    r->uri_raw = (vstr){ t, (size_t)((q ? q : end) - t) };
    if (q) r->query = (vstr){ q + 1, (size_t)(end - q - 1) };
    return true;
}

/* "vhost:port" of vhost_combined */
static void vhost(struct http_req *r, vstr v) {
    const char *colon = memchr(v.p, ':', v.n);
    if (!colon || memchr(colon + 1, ':', (size_t)(v.p + v.n - colon - 1))) { r->site = v; return; }
    r->site = (vstr){ v.p, (size_t)(colon - v.p) };
    uint64_t port;
    if (webreq_uint((vstr){ colon + 1, (size_t)(v.p + v.n - colon - 1) }, &port)) r->server_port = webreq_u16(port);
}

/* ---- the line ----------------------------------------------------------------------- */

static void reject(struct clf_dec *d, const char *reason, vstr line) {
    rejects_add(d->rj, d->input, d->rec->offset, reason, line);
}

static void decode_line(struct clf_dec *d, vstr line) {
    struct http_req *r = &d->http;
    webreq_init(r);
    struct cursor c = { line.p, line.p + line.n };
    vstr pre[4];
    unsigned n = 0;
    skip_blanks(&c);
    if (c.p == c.end) { d->blank++; return; }
    /* the words before the time: host ident user, or vhost host ident user */
    while (n < 4) {
        skip_blanks(&c);
        if (c.p >= c.end || *c.p == '[') break;
        pre[n++] = token(&c);
    }
    skip_blanks(&c);
    if ((n != 3 && n != 4) || c.p >= c.end || *c.p != '[') { reject(d, R_SHAPE, line); return; }
    const char *close = memchr(c.p, ']', (size_t)(c.end - c.p));
    if (!close) { reject(d, R_SHAPE, line); return; }
    if (!clf_time((vstr){ c.p + 1, (size_t)(close - c.p - 1) }, &d->time_us)) { reject(d, R_TIME, line); return; }
    c.p = close + 1;
    vstr req;
    if (!quoted(&c, &req)) { reject(d, R_SHAPE, line); return; }
    uint64_t status, bytes;
    vstr st = token(&c), by = token(&c);
    if (st.n != 3 || !webreq_uint(st, &status)) { reject(d, R_STATUS, line); return; }
    if (!by.n) { reject(d, R_SHAPE, line); return; }
    if (webreq_uint(by, &bytes)) r->bytes_sent = webreq_i64(bytes);
    else if (vstr_eqc(by, "-")) r->bytes_sent = 0;      /* Apache's %b for no body */
    else { reject(d, R_SHAPE, line); return; }
    r->status = (uint16_t)status;
    vstr referer, ua, xff;
    if (quoted(&c, &referer)) r->referer = webreq_dash(unescape(&d->mem, referer));
    if (quoted(&c, &ua)) r->user_agent = webreq_dash(unescape(&d->mem, ua));
    if (quoted(&c, &xff)) r->forwarded_for = webreq_dash(xff);
    if (n == 4) { vhost(r, pre[0]); d->vhost_lines++; }
    r->client_ip_text = webreq_dash(pre[n - 3]);
    r->username = webreq_dash(pre[n - 1]);
    if (request_line(r, unescape(&d->mem, req))) {
        webreq_finish(r, &d->mem);
    } else {
        /* no path was asked for: keep the derived fields but not a path */
        r->uri_raw = webreq_dash(r->uri_raw);
        webreq_finish(r, &d->mem);
        r->path = VSTR_NULL;
        d->not_requests++;
    }
    d->pending = true;
}

/* ---- decoder_ops ---------------------------------------------------------------------- */

static void *clf_create(const char *input_name, struct rejects *rj) {
    struct clf_dec *d = calloc(1, sizeof *d);
    if (!d) abort();
    d->input = input_name;
    d->rj = rj;
    arena_init(&d->mem, 4 * 1024);
    return d;
}

static void clf_destroy(void *self) {
    struct clf_dec *d = self;
    if (!d) return;
    arena_free(&d->mem);
    free(d);
}

static void clf_begin(void *self, const struct record *rec) {
    struct clf_dec *d = self;
    arena_reset(&d->mem);
    d->rec = rec;
    d->pending = false;
    vstr line = { rec->p, rec->len };
    while (line.n && (line.p[line.n - 1] == '\r' || line.p[line.n - 1] == '\n')) line.n--;
    decode_line(d, line);
}

static int clf_next(void *self, struct event *ev) {
    struct clf_dec *d = self;
    if (!d->pending) return 0;
    d->pending = false;
    memset(ev, 0, sizeof *ev);
    ev->time_us = d->time_us;
    ev->layer = LAYER_APPSERVICE;
    ev->kind = EV_HTTP_REQ;
    ev->pos.input = d->input;
    ev->pos.offset = d->rec->offset;
    ev->u.http = &d->http;
    d->events++;
    return 1;
}

static uint64_t clf_events(void *self) { return ((struct clf_dec *)self)->events; }

static void clf_report(void *self, buf *out) {
    struct clf_dec *d = self;
    buf_printf(out, "  access log: %" PRIu64 " requests", d->events);
    if (d->vhost_lines) buf_printf(out, ", %" PRIu64 " with a virtual host", d->vhost_lines);
    buf_puts(out, "\n");
    if (d->not_requests)
        buf_printf(out, "  %" PRIu64 " request lines that are no HTTP request (TLS bytes, \"-\", garbage): kept, "
                        "without a path\n", d->not_requests);
    if (d->blank) buf_printf(out, "  %" PRIu64 " blank lines\n", d->blank);
}

/* The first line: a few words, then "[dd/Mon/yyyy:hh:mm:ss +zzzz] \"". */
static int clf_sniff(vstr head) {
    const char *nl = memchr(head.p, '\n', head.n);
    vstr line = { head.p, nl ? (size_t)(nl - head.p) : head.n };
    if (!line.n || line.p[0] == '{' || line.p[0] == '[' || line.p[0] == '#') return 0;
    const char *open = memchr(line.p, '[', line.n);
    if (!open || (size_t)(line.p + line.n - open) < 30) return 0;
    int64_t t;
    if (open[27] != ']' || !clf_time((vstr){ open + 1, 26 }, &t)) return 0;
    unsigned words = 0;
    for (const char *p = line.p; p < open; p++)
        if (*p == ' ' && p > line.p && p[-1] != ' ') words++;
    return (words == 3 || words == 4) && open[28] == ' ' && open[29] == '"' ? 80 : 0;
}

const struct decoder_ops clf_decoder = {
    .name = "combined",
    .description = "nginx / Apache access logs: common, combined, vhost_combined",
    .layer = LAYER_APPSERVICE,
    .sniff = clf_sniff,
    .create = clf_create,
    .destroy = clf_destroy,
    .begin = clf_begin,
    .next = clf_next,
    .report = clf_report,
    .events = clf_events,
};
