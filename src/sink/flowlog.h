/* Decoded flows as JSON lines: what `vigil flows` prints and what the
 * daemon writes to its optional flow log. One object per flow:
 *
 *   {"src":"192.0.2.1","dst":"198.51.100.7","src_port":60560,"dst_port":22,
 *    "proto":6,"tcp_flags":16,"packets":5,"octets":260,
 *    "start":"2015-05-13T11:20:20.123Z","end":"2015-05-13T11:20:21.000Z",
 *    "sampling":1,"exporter":"192.0.2.254:2055","odid":0,"version":10,
 *    "template":1024}
 *
 * Keys whose value the export did not carry are left out (src_port and
 * dst_port, tcp_flags, direction, end_reason, rev_packets/rev_octets);
 * "sampling" is null when unknown (counts are as sampled, never scaled);
 * "exporter" is null for files without transport; "times":"export" marks
 * a record without time fields (start and end are the export time).
 * Times are RFC 3339 UTC with milliseconds. */
#ifndef VIGIL_SINK_FLOWLOG_H
#define VIGIL_SINK_FLOWLOG_H
#include <stdint.h>
#include <stdio.h>
#include "event.h"
#include "util/buf.h"

/* Append one flow as a JSON object and a newline. */
void flowlog_format(buf *out, const struct flow *f);

/* A flow log on a stream, written in blocks. */
struct flowlog {
    FILE *out;
    buf pending;
    uint64_t written;
    int write_error;            /* errno of the first failed write, 0 if none */
};

void flowlog_init(struct flowlog *l, FILE *out);
void flowlog_write(struct flowlog *l, const struct flow *f);
/* Write what is pending; 0, or -1 if a write failed. */
int flowlog_flush(struct flowlog *l);
/* Flush and free (the stream stays open); 0 or -1 as flowlog_flush. */
int flowlog_fini(struct flowlog *l);
#endif
