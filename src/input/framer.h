/* Record framing: cuts a byte stream into records, each with JSON_PADDING
 * readable bytes after it so simdjson can parse it in place.
 *
 * FRAME_LINES: one record per line (JSON lines, text logs); memchr speed.
 * FRAME_DOCUMENTS: the input is one or more JSON values, possibly pretty-
 * printed over many lines (a Falco trace, a {"records":[...]} blob, an
 * EventList); records are the top-level values.
 * FRAME_MESSAGES: flow export files: IPFIX messages back to back (RFC 5655,
 * cut by their Length field), NetFlow v5 packets (cut by their count), or
 * one NetFlow v9 datagram (no length field: the rest of the input, at
 * most 64 KiB). Bytes that start no message are handed on as one record up
 * to the next plausible IPFIX header, for the decoder to reject.
 * FRAME_PCAP: a pcap or pcapng capture (input/pcap.c): each UDP datagram
 * is a record with has_origin set (the sender's address and port) and
 * offset = the packet's 1-based number in the capture (as tcpdump -# and
 * Wireshark's "frame N" count), not a byte offset. */
#ifndef VIGIL_FRAMER_H
#define VIGIL_FRAMER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "input/reader.h"
#include "util/buf.h"
#include "util/ip.h"
#include "util/str.h"

enum frame_mode { FRAME_LINES, FRAME_DOCUMENTS, FRAME_MESSAGES, FRAME_PCAP };

struct record {
    const char *p;
    size_t len;
    size_t cap;          /* bytes readable from p: always >= len + JSON_PADDING */
    uint64_t offset;     /* of the record's first byte in the decompressed input */
    /* Who sent it, for records that arrived over a transport (a UDP
     * datagram in a pcap or from a socket, a TCP stream): flow decoders
     * scope templates by it. has_origin false for plain files. */
    bool has_origin;
    struct ipaddr origin;
    uint16_t origin_port;
};

struct framer;

struct framer *framer_new(struct reader *r);
void framer_free(struct framer *f);
/* The first bytes of the input (up to 64 KiB), for format detection. */
vstr framer_head(struct framer *f);
/* FRAME_PCAP or FRAME_MESSAGES for binary flow inputs (by the sniffers
 * below); FRAME_DOCUMENTS if the input's first JSON value spans lines;
 * else FRAME_LINES. */
enum frame_mode framer_guess_mode(struct framer *f);
/* 0..100: how plausible it is that head starts a flow export file (IPFIX
 * messages, a NetFlow v9 or v5 datagram), or a pcap/pcapng capture. */
int framer_sniff_export(vstr head);
int framer_sniff_capture(vstr head);
void framer_set_mode(struct framer *f, enum frame_mode m);
/* 1: a record; 0: end of input; -1: read error (reader_error). Records
 * that cannot be framed (too long, an unterminated value) are skipped and
 * counted, with the offset of the first one. */
int framer_next(struct framer *f, struct record *rec);
uint64_t framer_bytes(const struct framer *f);           /* decompressed bytes consumed */
uint64_t framer_oversize(const struct framer *f, uint64_t *first_offset);
uint64_t framer_unterminated(const struct framer *f, uint64_t *first_offset);
/* What went wrong when framer_next returned -1: the reader's error, or
 * the framer's own (an unreadable capture). */
const char *framer_error(struct framer *f);
/* Summary lines about the framing (capture statistics), if any. */
void framer_report(struct framer *f, buf *out);
/* Length of the JSON value starting at p (which must be '{' or '['), or 0
 * if it does not close within n bytes. Strings and escapes are honoured so
 * braces inside strings do not count. Decoders use it to cut a line that
 * holds several values back to back ({...}{...}). */
size_t json_value_extent(const char *p, size_t n);
#endif
