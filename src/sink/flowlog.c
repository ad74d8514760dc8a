#include "sink/flowlog.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "util/timeutil.h"

#define FLUSH_AT (256u << 10)

/* A flow log writes millions of lines: numbers, addresses and times are
 * formatted by hand (printf was nine tenths of the time), and the date
 * part of a time is kept while the second does not change. */

static char *put_uint(char *o, uint64_t v) {
    char t[20];
    int n = 0;
    do { t[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n) *o++ = t[--n];
    return o;
}

static char *put_lit(char *o, const char *s, size_t n) {
    memcpy(o, s, n);
    return o + n;
}
#define LIT(o, s) put_lit(o, s, sizeof(s) - 1)

/* The address's text, without quotes. */
static char *put_ip(char *o, const struct ipaddr *a) {
    if (!ip_is_v4(a)) {
        char s[IP_STRLEN];
        ip_format(a, s);
        return put_lit(o, s, strlen(s));
    }
    for (int i = 12; i < 16; i++) {
        if (i > 12) *o++ = '.';
        o = put_uint(o, a->b[i]);
    }
    return o;
}

static char *put_addr(char *o, const struct ipaddr *a) {
    *o++ = '"';
    o = put_ip(o, a);
    *o++ = '"';
    return o;
}

/* "192.0.2.1:2055", "[2001:db8::1]:4739" */
static char *put_endpoint(char *o, const struct ipaddr *a, uint16_t port) {
    bool v6 = !ip_is_v4(a);
    *o++ = '"';
    if (v6) *o++ = '[';
    o = put_ip(o, a);
    if (v6) *o++ = ']';
    *o++ = ':';
    o = put_uint(o, port);
    *o++ = '"';
    return o;
}

/* "2026-01-02T03:04:05.678Z" */
static char *put_time(char *o, int64_t us, struct flowlog_clock *c) {
    int64_t ms = us >= 0 ? us / 1000 : -((-us + 999) / 1000);
    int64_t sec = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    if (!c->valid || c->second != sec) {
        char t[48];
        time_format(sec * US_PER_SEC, t, sizeof t);
        size_t n = strlen(t);
        if (n && t[n - 1] == 'Z') n--;
        if (n >= sizeof c->text) n = sizeof c->text - 1;
        memcpy(c->text, t, n);
        c->len = (uint8_t)n;
        c->second = sec;
        c->valid = true;
    }
    unsigned frac = (unsigned)(ms - sec * 1000);
    *o++ = '"';
    o = put_lit(o, c->text, c->len);
    *o++ = '.';
    *o++ = (char)('0' + frac / 100);
    *o++ = (char)('0' + frac / 10 % 10);
    *o++ = (char)('0' + frac % 10);
    *o++ = 'Z';
    *o++ = '"';
    return o;
}

/* The longest line: every key present, two IPv6 addresses, 20-digit numbers. */
#define MAX_LINE 640

static void format(buf *out, const struct flow *f, struct flowlog_clock *clk) {
    buf_reserve(out, MAX_LINE);
    char *o = out->p + out->n;
    o = LIT(o, "{\"src\":");
    o = put_addr(o, &f->src);
    o = LIT(o, ",\"dst\":");
    o = put_addr(o, &f->dst);
    if (f->has & FLOW_HAS_PORTS) {
        o = LIT(o, ",\"src_port\":");
        o = put_uint(o, f->src_port);
        o = LIT(o, ",\"dst_port\":");
        o = put_uint(o, f->dst_port);
    }
    o = LIT(o, ",\"proto\":");
    o = put_uint(o, f->proto);
    if (f->has & FLOW_HAS_TCP_FLAGS) {
        o = LIT(o, ",\"tcp_flags\":");
        o = put_uint(o, f->tcp_flags);
    }
    o = LIT(o, ",\"packets\":");
    o = put_uint(o, f->packets);
    o = LIT(o, ",\"octets\":");
    o = put_uint(o, f->octets);
    if (f->has & FLOW_HAS_REVERSE) {
        o = LIT(o, ",\"rev_packets\":");
        o = put_uint(o, f->rev_packets);
        o = LIT(o, ",\"rev_octets\":");
        o = put_uint(o, f->rev_octets);
    }
    o = LIT(o, ",\"start\":");
    o = put_time(o, f->start_us, &clk[0]);
    o = LIT(o, ",\"end\":");
    o = put_time(o, f->end_us, &clk[1]);
    if (!(f->has & FLOW_HAS_TIMES)) o = LIT(o, ",\"times\":\"export\"");
    if (f->has & FLOW_HAS_SAMPLING) {
        o = LIT(o, ",\"sampling\":");
        o = put_uint(o, f->sampling);
    } else {
        o = LIT(o, ",\"sampling\":null");
    }
    if (f->has & FLOW_HAS_DIRECTION) {
        o = LIT(o, ",\"direction\":");
        o = put_uint(o, f->direction);
    }
    if (f->end_reason) {
        o = LIT(o, ",\"end_reason\":");
        o = put_uint(o, f->end_reason);
    }
    const struct flow_exporter *e = f->exporter;
    if (e) {
        if (ip_is_zero(&e->addr) && e->port == 0) {
            o = LIT(o, ",\"exporter\":null");
        } else {
            o = LIT(o, ",\"exporter\":");
            o = put_endpoint(o, &e->addr, e->port);
        }
        o = LIT(o, ",\"odid\":");
        o = put_uint(o, e->odid);
        o = LIT(o, ",\"version\":");
        o = put_uint(o, e->version);
    }
    o = LIT(o, ",\"template\":");
    o = put_uint(o, f->template_id);
    o = LIT(o, "}\n");
    out->n = (size_t)(o - out->p);
}

void flowlog_format(buf *out, const struct flow *f) {
    struct flowlog_clock clk[2] = { { 0 }, { 0 } };
    format(out, f, clk);
}

void flowlog_init(struct flowlog *l, FILE *out) {
    memset(l, 0, sizeof *l);
    l->out = out;
    buf_init(&l->pending);
}

int flowlog_flush(struct flowlog *l) {
    if (l->pending.n && !l->write_error && fwrite(l->pending.p, 1, l->pending.n, l->out) != l->pending.n)
        l->write_error = errno ? errno : EIO;
    buf_clear(&l->pending);
    if (!l->write_error && fflush(l->out) != 0) l->write_error = errno ? errno : EIO;
    return l->write_error ? -1 : 0;
}

void flowlog_write(struct flowlog *l, const struct flow *f) {
    format(&l->pending, f, l->clock);
    l->written++;
    if (l->pending.n >= FLUSH_AT && !l->write_error) {
        if (fwrite(l->pending.p, 1, l->pending.n, l->out) != l->pending.n) l->write_error = errno ? errno : EIO;
        buf_clear(&l->pending);
    }
}

int flowlog_fini(struct flowlog *l) {
    int r = flowlog_flush(l);
    buf_free(&l->pending);
    return r;
}
