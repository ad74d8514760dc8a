/* Record framing: cuts a byte stream into records, each with JSON_PADDING
 * readable bytes after it so simdjson can parse it in place.
 *
 * FRAME_LINES: one record per line (JSON lines, text logs); memchr speed.
 * FRAME_DOCUMENTS: the input is one or more JSON values, possibly pretty-
 * printed over many lines (a Falco trace, a {"records":[...]} blob, an
 * EventList); records are the top-level values. */
#ifndef VIGIL_FRAMER_H
#define VIGIL_FRAMER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "input/reader.h"
#include "util/ip.h"
#include "util/str.h"

enum frame_mode { FRAME_LINES, FRAME_DOCUMENTS };

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
/* FRAME_DOCUMENTS if the input's first JSON value spans lines. */
enum frame_mode framer_guess_mode(struct framer *f);
void framer_set_mode(struct framer *f, enum frame_mode m);
/* 1: a record; 0: end of input; -1: read error (reader_error). Records
 * that cannot be framed (too long, an unterminated value) are skipped and
 * counted, with the offset of the first one. */
int framer_next(struct framer *f, struct record *rec);
uint64_t framer_bytes(const struct framer *f);           /* decompressed bytes consumed */
uint64_t framer_oversize(const struct framer *f, uint64_t *first_offset);
uint64_t framer_unterminated(const struct framer *f, uint64_t *first_offset);
#endif
