/* libpcap reads the capture from a FILE* that fopencookie makes around
 * the caller's read callback (the framer, which drains what it already
 * buffered for format detection, then the reader: plain, mapped or gzip). */
#define _GNU_SOURCE
#include "input/pcap.h"

#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

#define MAX_VLAN_TAGS   4
#define MAX_EXT_HEADERS 8

struct pcap_src {
    pcap_t *pc;
    int linktype;
    pcap_read_fn read;
    void *ctx;
    struct pcap_src_stats st;
    char err[PCAP_ERRBUF_SIZE + 64];
};

static ssize_t cookie_read(void *cookie, char *dst, size_t n) {
    struct pcap_src *s = cookie;
    return s->read(s->ctx, dst, n);
}

static bool supported(int lt) {
    return lt == DLT_EN10MB || lt == DLT_LINUX_SLL || lt == DLT_LINUX_SLL2 || lt == DLT_RAW || lt == DLT_IPV4 ||
           lt == DLT_IPV6 || lt == DLT_NULL || lt == DLT_LOOP;
}

struct pcap_src *pcap_src_open(pcap_read_fn read, void *ctx, char *err, size_t errlen) {
    struct pcap_src *s = calloc(1, sizeof *s);
    if (!s) { snprintf(err, errlen, "out of memory"); return NULL; }
    s->read = read;
    s->ctx = ctx;
    cookie_io_functions_t io = { .read = cookie_read };
    FILE *fp = fopencookie(s, "r", io);
    if (!fp) {
        snprintf(err, errlen, "cannot read the capture: out of memory");
        free(s);
        return NULL;
    }
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    s->pc = pcap_fopen_offline(fp, ebuf);   /* owns fp from here, even on failure */
    if (!s->pc) {
        snprintf(err, errlen, "not a capture libpcap can read: %s", ebuf);
        free(s);
        return NULL;
    }
    s->linktype = pcap_datalink(s->pc);
    if (!supported(s->linktype)) {
        const char *name = pcap_datalink_val_to_name(s->linktype);
        snprintf(err, errlen, "capture link type %d (%s) is not supported: Ethernet, Linux cooked, raw IP and loopback are",
                 s->linktype, name ? name : "unknown");
        pcap_close(s->pc);
        free(s);
        return NULL;
    }
    return s;
}

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* The network-layer packet inside a frame: *ethertype 0x0800 or 0x86dd,
 * or false when the frame carries something else. */
static bool link_payload(const struct pcap_src *s, const uint8_t *p, size_t n, size_t *off, uint16_t *ethertype) {
    switch (s->linktype) {
    case DLT_EN10MB: {
        if (n < 14) return false;
        size_t o = 12;
        uint16_t et = be16(p + o);
        for (int tags = 0; (et == 0x8100 || et == 0x88a8 || et == 0x9100) && tags < MAX_VLAN_TAGS; tags++) {
            if (n < o + 6) return false;
            o += 4;
            et = be16(p + o);
        }
        *off = o + 2;
        *ethertype = et;
        return true;
    }
    case DLT_LINUX_SLL:
        if (n < 16) return false;
        *off = 16;
        *ethertype = be16(p + 14);
        return true;
    case DLT_LINUX_SLL2:
        if (n < 20) return false;
        *off = 20;
        *ethertype = be16(p);
        return true;
    case DLT_NULL:
    case DLT_LOOP: {
        if (n < 4) return false;
        /* the address family: host byte order for NULL, network for LOOP;
         * AF_INET is 2 everywhere, AF_INET6 is 10, 24, 28 or 30 */
        uint32_t fam = s->linktype == DLT_LOOP ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
                                              : (p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
        if (fam > 0xffff) fam = __builtin_bswap32(fam);   /* written on a host of the other byte order */
        *off = 4;
        if (fam == 2) *ethertype = 0x0800;
        else if (fam == 10 || fam == 24 || fam == 28 || fam == 30) *ethertype = 0x86dd;
        else return false;
        return true;
    }
    default: /* raw IP: the version nibble says which */
        if (n < 1) return false;
        *off = 0;
        *ethertype = (p[0] >> 4) == 6 ? 0x86dd : 0x0800;
        return true;
    }
}

enum pkt_result { PKT_UDP, PKT_NOT_IP, PKT_NOT_UDP, PKT_FRAGMENT, PKT_TRUNCATED };

static enum pkt_result ipv4(const uint8_t *p, size_t n, struct pcap_datagram *d, const uint8_t **l4, size_t *l4n) {
    if (n < 20 || (p[0] >> 4) != 4) return n < 20 ? PKT_TRUNCATED : PKT_NOT_IP;
    size_t ihl = (size_t)(p[0] & 15) * 4, total = be16(p + 2);
    if (ihl < 20 || total < ihl) return PKT_TRUNCATED;
    if (total > n) return PKT_TRUNCATED;               /* cut by the snap length */
    if ((be16(p + 6) & 0x3fff) != 0) return PKT_FRAGMENT;   /* MF set or an offset */
    if (p[9] != 17) return PKT_NOT_UDP;
    ip_from_v4(&d->src, p + 12);
    ip_from_v4(&d->dst, p + 16);
    *l4 = p + ihl;                                      /* Ethernet padding after total is ignored */
    *l4n = total - ihl;
    return PKT_UDP;
}

static enum pkt_result ipv6(const uint8_t *p, size_t n, struct pcap_datagram *d, const uint8_t **l4, size_t *l4n) {
    if (n < 40) return PKT_TRUNCATED;
    if ((p[0] >> 4) != 6) return PKT_NOT_IP;
    size_t end = 40 + (size_t)be16(p + 4);
    if (end > n) return PKT_TRUNCATED;
    uint8_t next = p[6];
    size_t o = 40;
    for (int i = 0; i < MAX_EXT_HEADERS; i++) {
        if (next == 17) break;
        size_t len;
        switch (next) {
        case 0: case 43: case 60:        /* hop-by-hop, routing, destination options */
            if (end - o < 8) return PKT_TRUNCATED;
            len = ((size_t)p[o + 1] + 1) * 8;
            break;
        case 44:                         /* fragment: only an atomic one goes on */
            if (end - o < 8) return PKT_TRUNCATED;
            if ((be16(p + o + 2) & 0xfff9) != 0) return PKT_FRAGMENT;
            len = 8;
            break;
        case 51:                         /* authentication header */
            if (end - o < 8) return PKT_TRUNCATED;
            len = ((size_t)p[o + 1] + 2) * 4;
            break;
        default:
            return PKT_NOT_UDP;
        }
        if (len > end - o) return PKT_TRUNCATED;
        next = p[o];
        o += len;
    }
    if (next != 17) return PKT_NOT_UDP;
    ip_from_v6(&d->src, p + 8);
    ip_from_v6(&d->dst, p + 24);
    *l4 = p + o;
    *l4n = end - o;
    return PKT_UDP;
}

static enum pkt_result packet(const struct pcap_src *s, const uint8_t *p, size_t n, struct pcap_datagram *d) {
    size_t off;
    uint16_t et;
    if (!link_payload(s, p, n, &off, &et) || off > n) return PKT_NOT_IP;
    const uint8_t *l4;
    size_t l4n;
    enum pkt_result r;
    if (et == 0x0800) r = ipv4(p + off, n - off, d, &l4, &l4n);
    else if (et == 0x86dd) r = ipv6(p + off, n - off, d, &l4, &l4n);
    else return PKT_NOT_IP;
    if (r != PKT_UDP) return r;
    if (l4n < 8) return PKT_TRUNCATED;
    size_t ulen = be16(l4 + 4);
    if (ulen < 8 || ulen > l4n) return PKT_TRUNCATED;
    d->src_port = be16(l4);
    d->dst_port = be16(l4 + 2);
    d->p = l4 + 8;
    d->len = ulen - 8;
    return PKT_UDP;
}

int pcap_src_next(struct pcap_src *s, struct pcap_datagram *d) {
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int r = pcap_next_ex(s->pc, &h, &data);
        if (r == PCAP_ERROR_BREAK) return 0;               /* -2: end of the file */
        if (r != 1) {
            const char *e = pcap_geterr(s->pc);
            if (e && strstr(e, "truncated")) {            /* the file ends inside a packet */
                s->st.truncated_file = true;
                return 0;
            }
            snprintf(s->err, sizeof s->err, "%s", e ? e : "unreadable capture");
            return -1;
        }
        s->st.packets++;
        memset(d, 0, sizeof *d);
        d->number = s->st.packets;
        /* pcapng timestamps are 64-bit and may be anything */
        int64_t sec = (int64_t)h->ts.tv_sec;
        d->time_us = sec > INT64_MAX / 2000000 || sec < -(INT64_MAX / 2000000) ? 0 : sec * 1000000 + h->ts.tv_usec;
        switch (packet(s, data, h->caplen, d)) {
        case PKT_UDP: s->st.datagrams++; return 1;
        case PKT_NOT_IP: s->st.not_ip++; break;
        case PKT_NOT_UDP: s->st.not_udp++; break;
        case PKT_FRAGMENT: s->st.fragments++; break;
        case PKT_TRUNCATED: s->st.truncated++; break;
        }
    }
}

const char *pcap_src_error(const struct pcap_src *s) { return s->err; }
const struct pcap_src_stats *pcap_src_stats(const struct pcap_src *s) { return &s->st; }

void pcap_src_report(const struct pcap_src *s, buf *out) {
    const struct pcap_src_stats *st = &s->st;
    const char *name = pcap_datalink_val_to_name(s->linktype);
    buf_printf(out, "  capture (%s): %" PRIu64 " packets, %" PRIu64 " UDP datagrams\n", name ? name : "?", st->packets,
               st->datagrams);
    if (st->not_ip || st->not_udp)
        buf_printf(out, "  skipped %" PRIu64 " packets that are not IP and %" PRIu64 " that are not UDP\n", st->not_ip,
                   st->not_udp);
    if (st->fragments)
        buf_printf(out, "  skipped %" PRIu64 " IP fragments (not reassembled)\n", st->fragments);
    if (st->truncated)
        buf_printf(out, "  skipped %" PRIu64 " packets cut short (snap length) or with bad IP/UDP lengths\n", st->truncated);
    if (st->truncated_file) buf_puts(out, "  the capture file ends inside a packet (truncated file)\n");
}

void pcap_src_close(struct pcap_src *s) {
    if (!s) return;
    pcap_close(s->pc);
    free(s);
}
