/* NetFlow v5: a 24-byte header and `count` fixed 48-byte records, IPv4
 * only. The header's sampling field holds the mode in its top two bits and
 * the interval in the other 14; 0 means the exporter does not sample
 * (exporters without sampling support leave it 0), read as 1:1. The
 * engine type and id stand in for the observation domain. */
#include <string.h>

#include "decode/flow_internal.h"

#define NF5_HEADER 24
#define NF5_RECORD 48

static const char R_SHORT[] = "NetFlow v5 packet shorter than its header";
static const char R_COUNT[] = "NetFlow v5 record count runs past the end of the packet";

bool nf5_begin_message(struct flowdec *d) {
    const uint8_t *p = d->rec_p;
    size_t avail = (size_t)(d->rec_end - p);
    if (avail < NF5_HEADER) {
        flowdec_reject(d, p, R_SHORT, "%zu bytes", avail);
        d->rec_p = d->rec_end;
        return false;
    }
    uint16_t count = flow_be16(p + 2);
    size_t len = NF5_HEADER + (size_t)count * NF5_RECORD;
    if (len > avail) {
        flowdec_reject(d, p, R_COUNT, "count %u needs %zu bytes, %zu left", count, len, avail);
        d->rec_p = d->rec_end;
        return false;
    }
    d->version = 5;
    d->msg = p;
    d->msg_end = p + len;
    d->p = p + NF5_HEADER;
    d->rec_p = d->msg_end;
    uint32_t uptime = flow_be32(p + 4), secs = flow_be32(p + 8), nsecs = flow_be32(p + 12);
    d->export_ms = (int64_t)secs * 1000 + nsecs / 1000000;
    d->boot_ms = d->export_ms - uptime;
    d->seq = flow_be32(p + 16);
    d->st.messages_v5++;
    flowdec_open_session(d, (uint32_t)p[20] << 8 | p[21]);
    d->v5_left = count;
    /* every v5 record is a flow record: the sequence counts them */
    d->n_all = d->n_flow = count;
    return true;
}

int nf5_next_flow(struct flowdec *d) {
    if (!d->v5_left) return 0;
    const uint8_t *r = d->p;
    const uint8_t *h = d->msg;
    struct flow *f = &d->flow;
    memset(f, 0, sizeof *f);
    ip_from_v4(&f->src, r);
    ip_from_v4(&f->dst, r + 4);
    f->packets = flow_be32(r + 16);
    f->octets = flow_be32(r + 20);
    f->start_us = flowdec_uptime_ms(d, d->boot_ms, flow_be32(r + 24)) * 1000;
    f->end_us = flowdec_uptime_ms(d, d->boot_ms, flow_be32(r + 28)) * 1000;
    f->src_port = flow_be16(r + 32);
    f->dst_port = flow_be16(r + 34);
    f->tcp_flags = r[37];
    f->proto = r[38];
    uint16_t interval = flow_be16(h + 22) & 0x3fff;
    f->sampling = interval ? interval : 1;
    f->has = FLOW_HAS_PORTS | FLOW_HAS_TCP_FLAGS | FLOW_HAS_TIMES | FLOW_HAS_SAMPLING;
    f->exporter = &d->exporter;
    d->p += NF5_RECORD;
    d->v5_left--;
    d->item++;
    return 1;
}
