/* UDP datagrams out of a pcap or pcapng capture (libpcap), for flow
 * export traffic captured on the wire: every UDP datagram to any port,
 * over Ethernet (with 802.1Q / QinQ tags), Linux cooked capture (SLL and
 * SLL2), raw IP or BSD loopback, IPv4 or IPv6 (extension headers skipped).
 * IP fragments are counted and skipped (a flow export datagram is rarely
 * fragmented, and reassembly would need unbounded state). Bytes come
 * through a read callback, so a gzip'd capture reads like a plain one. */
#ifndef VIGIL_INPUT_PCAP_H
#define VIGIL_INPUT_PCAP_H
#include <stdint.h>
#include <sys/types.h>
#include "util/buf.h"
#include "util/ip.h"

struct pcap_src;

/* Fill dst with up to n bytes of the capture file; 0 at its end, -1 on
 * an error. */
typedef ssize_t (*pcap_read_fn)(void *ctx, char *dst, size_t n);

struct pcap_datagram {
    const uint8_t *p;           /* the UDP payload, valid until the next call */
    size_t len;
    struct ipaddr src, dst;
    uint16_t src_port, dst_port;
    uint64_t number;            /* the packet's 1-based number in the capture */
    int64_t time_us;            /* capture time */
};

struct pcap_src_stats {
    uint64_t packets;           /* read from the capture */
    uint64_t datagrams;         /* UDP datagrams handed out */
    uint64_t not_ip, not_udp;   /* other link-layer or transport protocols */
    uint64_t fragments;         /* IP fragments, skipped */
    uint64_t truncated;         /* cut short by the snap length, or bad lengths */
    bool truncated_file;        /* the file ended inside a packet */
};

/* NULL with a message in err when the bytes are not a capture libpcap
 * reads, or its link type is not one of those above. */
struct pcap_src *pcap_src_open(pcap_read_fn read, void *ctx, char *err, size_t errlen);
/* 1: a datagram; 0: end of the capture; -1: a read error (pcap_src_error). */
int pcap_src_next(struct pcap_src *s, struct pcap_datagram *d);
const char *pcap_src_error(const struct pcap_src *s);
const struct pcap_src_stats *pcap_src_stats(const struct pcap_src *s);
/* Summary lines: packets read, datagrams, what was skipped and why. */
void pcap_src_report(const struct pcap_src *s, buf *out);
void pcap_src_close(struct pcap_src *s);
#endif
