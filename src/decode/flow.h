/* Flow export decoders: IPFIX (RFC 7011), NetFlow v9 (RFC 3954) and
 * NetFlow v5, behind two formats of format.c:
 *
 *   ipfix  a file of IPFIX messages back to back (RFC 5655), or a file that
 *          holds one export datagram of any version (the .dat samples);
 *   pcap   a pcap or pcapng capture of export traffic: every UDP datagram
 *          is one record (src/input/pcap.c), whatever its port; datagrams
 *          that are not export at all (no version 5, 9 or 10) are counted
 *          and skipped, not rejected: captures hold other UDP traffic.
 *
 * Both use one decoder, which dispatches on the version field of each
 * message, so a capture may mix exporters and versions.
 *
 * Contract for callers that feed records themselves (the daemon):
 *   - create(name, rejects) once per listener (or per input), destroy at
 *     the end; decoders share one process-wide template table
 *     (decode/flow_template.h), so they must all run on one thread;
 *   - begin(rec) with each UDP datagram, or each IPFIX message framed from
 *     a TCP stream by its Length field, as one struct record: has_origin
 *     true with the sender's address and port (templates, options and
 *     sequence numbers are scoped by origin and observation domain),
 *     offset what evidence should name (a datagram counter, or a byte
 *     offset). Positions inside the datagram go into reject details as
 *     "byte N". A record may hold several IPFIX or v5 messages back to
 *     back; a v9 datagram is the whole record;
 *   - then next(ev) until it returns 0. Each flow record is one EV_FLOW
 *     event (layer LAYER_NETWORK), event time = flow start; ev.pos.item
 *     is the 1-based index of the data record in the message. The event,
 *     its struct flow and its exporter are valid until the next call;
 *   - the record's bytes must stay valid until next() returned 0 (or the
 *     next begin); no padding after them is needed.
 *   - report() gives the summary lines (messages, flows, templates, data
 *     sets skipped for want of a template, records lost by sequence gaps
 *     per exporter, flows without sampling information, clock
 *     assumptions); flow_decoder_stats() the same numbers for a stats
 *     line.
 *
 * Records without origin (plain files) share one template scope per
 * observation domain across all inputs of the process; their sequence
 * numbers are only compared within one input. */
#ifndef VIGIL_DECODE_FLOW_H
#define VIGIL_DECODE_FLOW_H
#include <stdint.h>
#include "decode/decoder.h"

extern const struct decoder_ops ipfix_decoder;
extern const struct decoder_ops pcap_decoder;

struct flow_decoder_stats {
    uint64_t messages_v5, messages_v9, messages_ipfix;
    uint64_t flows, options_records;
    uint64_t templates, options_templates, templates_redefined, templates_withdrawn;
    uint64_t sets_unknown_template;
    uint64_t lost_records, lost_packets;    /* by sequence gaps (IPFIX/v5 count records, v9 packets) */
    uint64_t flows_without_sampling;
    uint64_t flows_boot_estimated;          /* sysUpTime times without a known boot time */
};

/* Counts of a decoder made by ipfix_decoder or pcap_decoder. */
const struct flow_decoder_stats *flow_decoder_stats(void *decoder);

/* "192.0.2.1:2055 odid 0 (IPFIX)", or "file odid 0 (NetFlow v9)" for
 * records without origin. */
void flow_exporter_describe(const struct flow_exporter *e, char *out, size_t cap);
#endif
