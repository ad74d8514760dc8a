#include "sink/flowlog.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "util/timeutil.h"

#define FLUSH_AT (256u << 10)

/* "2026-01-02T03:04:05.678Z": time_format gives the second, the
 * milliseconds go before its Z. */
static void put_time(buf *out, int64_t us) {
    int64_t ms = us >= 0 ? us / 1000 : -((-us + 999) / 1000);
    int64_t sec = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    char t[48];
    time_format(sec * US_PER_SEC, t, sizeof t);
    size_t n = strlen(t);
    if (n && t[n - 1] == 'Z') n--;
    buf_putc(out, '"');
    buf_put(out, t, n);
    buf_printf(out, ".%03dZ\"", (int)(ms - sec * 1000));
}

static void put_addr(buf *out, const struct ipaddr *a) {
    char s[IP_STRLEN];
    ip_format(a, s);
    buf_json_cstr(out, s);
}

void flowlog_format(buf *out, const struct flow *f) {
    buf_puts(out, "{\"src\":");
    put_addr(out, &f->src);
    buf_puts(out, ",\"dst\":");
    put_addr(out, &f->dst);
    if (f->has & FLOW_HAS_PORTS) buf_printf(out, ",\"src_port\":%u,\"dst_port\":%u", f->src_port, f->dst_port);
    buf_printf(out, ",\"proto\":%u", f->proto);
    if (f->has & FLOW_HAS_TCP_FLAGS) buf_printf(out, ",\"tcp_flags\":%u", f->tcp_flags);
    buf_printf(out, ",\"packets\":%" PRIu64 ",\"octets\":%" PRIu64, f->packets, f->octets);
    if (f->has & FLOW_HAS_REVERSE)
        buf_printf(out, ",\"rev_packets\":%" PRIu64 ",\"rev_octets\":%" PRIu64, f->rev_packets, f->rev_octets);
    buf_puts(out, ",\"start\":");
    put_time(out, f->start_us);
    buf_puts(out, ",\"end\":");
    put_time(out, f->end_us);
    if (!(f->has & FLOW_HAS_TIMES)) buf_puts(out, ",\"times\":\"export\"");
    if (f->has & FLOW_HAS_SAMPLING) buf_printf(out, ",\"sampling\":%" PRIu32, f->sampling);
    else buf_puts(out, ",\"sampling\":null");
    if (f->has & FLOW_HAS_DIRECTION) buf_printf(out, ",\"direction\":%u", f->direction);
    if (f->end_reason) buf_printf(out, ",\"end_reason\":%u", f->end_reason);
    const struct flow_exporter *e = f->exporter;
    if (e) {
        if (ip_is_zero(&e->addr) && e->port == 0) {
            buf_puts(out, ",\"exporter\":null");
        } else {
            char a[IP_STRLEN], s[IP_STRLEN + 10];
            ip_format(&e->addr, a);
            snprintf(s, sizeof s, ip_is_v4(&e->addr) ? "%s:%u" : "[%s]:%u", a, (unsigned)e->port);
            buf_puts(out, ",\"exporter\":");
            buf_json_cstr(out, s);
        }
        buf_printf(out, ",\"odid\":%" PRIu32 ",\"version\":%u", e->odid, e->version);
    }
    buf_printf(out, ",\"template\":%u}\n", f->template_id);
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
    flowlog_format(&l->pending, f);
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
