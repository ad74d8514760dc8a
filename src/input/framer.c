#include "input/framer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode/json.h"
#include "input/pcap.h"

#define BLOCK_SIZE      (4u << 20)    /* read size: big blocks, few syscalls */
#define HEAD_SIZE       (64u << 10)
#define MAX_RECORD      (256u << 20)  /* a longer line is hostile or broken */
#define MAX_DOCUMENT    (1024u << 20) /* whole-document inputs are read at once */
#define MAX_DATAGRAM    (64u << 10)   /* a v9 datagram file; also the junk span */
#define MESSAGE_WINDOW  (128u << 10)  /* buffered ahead so a whole message is there */

struct framer {
    struct reader *r;
    const char *data;    /* the input: buf, or the reader's map */
    char *buf;
    size_t cap;          /* usable bytes of buf; the allocation has JSON_PADDING more */
    size_t start, end;   /* unread data is data[start..end) */
    /* Mapped input: data is the whole file, readable up to `readable`;
     * a record too close to that end for its padding is copied to buf. */
    bool mapped;
    size_t readable;
    uint64_t base;       /* input offset of buf[0] */
    bool eof, failed;
    enum frame_mode mode;
    bool skipping;       /* discarding the rest of an oversize line */
    uint64_t oversize, oversize_first;
    uint64_t unterminated, unterminated_first;
    /* FRAME_PCAP: the capture reader and a padded copy of each datagram */
    struct pcap_src *pcap;
    char *dgram;
    char err[320];
};

static void fatal_oom(void) { fputs("vigil: out of memory\n", stderr); abort(); }

static void grow(struct framer *f, size_t cap) {
    char *p = realloc(f->buf, cap + JSON_PADDING);
    if (!p) fatal_oom();
    f->buf = p;
    f->cap = cap;
    if (!f->mapped) f->data = p;
}

struct framer *framer_new(struct reader *r) {
    struct framer *f = calloc(1, sizeof *f);
    if (!f) fatal_oom();
    f->r = r;
    size_t n;
    if (reader_map(r, &f->data, &n)) {
        long page = sysconf(_SC_PAGESIZE);
        size_t pg = page > 0 ? (size_t)page : 4096;
        f->mapped = true;
        f->end = n;
        f->eof = true;
        f->readable = (n + pg - 1) / pg * pg;
        return f;
    }
    grow(f, BLOCK_SIZE);
    return f;
}

void framer_free(struct framer *f) {
    if (!f) return;
    pcap_src_close(f->pcap);
    free(f->dgram);
    free(f->buf);
    free(f);
}

/* Move unread data to the front, then read until want bytes are buffered
 * or the input ends. The padding after end is zeroed on every fill. */
static int fill(struct framer *f, size_t want) {
    if (f->mapped) return 0;   /* all of it is there already */
    if (f->start > 0) {
        memmove(f->buf, f->buf + f->start, f->end - f->start);
        f->base += f->start;
        f->end -= f->start;
        f->start = 0;
    }
    while (!f->eof && f->end < want && f->end < f->cap) {
        ssize_t n = reader_read(f->r, f->buf + f->end, f->cap - f->end);
        if (n < 0) { f->failed = true; f->eof = true; return -1; }
        if (n == 0) f->eof = true;
        f->end += (size_t)n;
    }
    memset(f->buf + f->end, 0, JSON_PADDING);
    return 0;
}

vstr framer_head(struct framer *f) {
    if (f->end - f->start < HEAD_SIZE && !f->eof) fill(f, HEAD_SIZE);
    size_t n = f->end - f->start;
    return (vstr){ f->data + f->start, n < HEAD_SIZE ? n : HEAD_SIZE };
}

size_t json_value_extent(const char *p, size_t n) {
    size_t depth = 0;
    bool in_str = false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (in_str) {
            if (c == '\\') i++;
            else if (c == '"') in_str = false;
            continue;
        }
        if (c == '"') in_str = true;
        else if (c == '{' || c == '[') depth++;
        else if (c == '}' || c == ']') {
            if (depth == 0) return 0;
            if (--depth == 0) return i + 1;
        }
    }
    return 0;
}

/* ---- binary inputs: flow export files and captures ------------------- */

static void emit(struct framer *f, struct record *rec, size_t from, size_t len);

static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }

/* Is there an IPFIX message header at p with n bytes readable: version
 * 10, a length of at least a header, and the set after the header (when
 * visible) with a sane id and length. */
static bool ipfix_header_at(const unsigned char *p, size_t n) {
    if (n < 4 || be16(p) != 10) return false;
    unsigned len = be16(p + 2);
    if (len < 16) return false;
    if (len == 16 || n < 20) return true;
    unsigned id = be16(p + 16), slen = be16(p + 18);
    return (id == 2 || id == 3 || id >= 256) && slen >= 4 && slen <= len - 16;
}

int framer_sniff_export(vstr head) {
    const unsigned char *p = (const unsigned char *)head.p;
    size_t n = head.n;
    if (n < 4) return 0;
    switch (be16(p)) {
    case 10:
        if (!ipfix_header_at(p, n)) return 0;
        /* a file of messages: the next one is a message too */
        if (be16(p + 2) < n) return ipfix_header_at(p + be16(p + 2), n - be16(p + 2)) ? 95 : 70;
        return 90;
    case 9: {
        if (n < 24) return 0;
        unsigned count = be16(p + 2), id = be16(p + 20), len = be16(p + 22);
        /* count is not checked for 0: softflowd counts only flow records */
        if (count > 4096 || len < 4 || (id > 1 && id < 256)) return 0;
        return 20 + (size_t)len <= n || n == MAX_DATAGRAM ? 80 : 0;
    }
    case 5: {
        unsigned count = be16(p + 2);
        size_t len = 24 + (size_t)count * 48;
        if (count == 0 || count > 1000 || n < 24) return 0;
        if (len == n) return 80;
        if (len < n) return n - len >= 2 && be16(p + len) == 5 ? 80 : 30;
        return 0;
    }
    default:
        return 0;
    }
}

int framer_sniff_capture(vstr head) {
    static const unsigned char magics[][4] = {
        { 0xd4, 0xc3, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0xc3, 0xd4 },   /* pcap, microseconds */
        { 0x4d, 0x3c, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0x3c, 0x4d },   /* pcap, nanoseconds */
        { 0x0a, 0x0d, 0x0d, 0x0a },                               /* pcapng section header */
    };
    if (head.n < 24) return 0;
    for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
        if (memcmp(head.p, magics[i], 4) == 0) return 100;
    return 0;
}

/* The length of the record at p: one message, or the junk before the next
 * plausible IPFIX header. */
static size_t message_extent(const unsigned char *p, size_t avail) {
    if (avail < 4) return avail;
    switch (be16(p)) {
    case 10: {
        unsigned len = be16(p + 2);
        if (len >= 16) return len <= avail ? len : avail;   /* truncated: the decoder says so */
        break;
    }
    case 5: {
        size_t len = 24 + (size_t)be16(p + 2) * 48;
        return len <= avail ? len : avail;
    }
    case 9:
        return avail < MAX_DATAGRAM ? avail : MAX_DATAGRAM;
    default:
        break;
    }
    size_t cap = avail < MAX_DATAGRAM ? avail : MAX_DATAGRAM;
    for (size_t i = 1; i + 4 <= cap; i++) {
        if (!ipfix_header_at(p + i, avail - i)) continue;
        size_t next = i + be16(p + i + 2);
        /* resynchronise only where the message is followed by another, or
         * by the end of the input */
        if (next == avail || (next < avail && ipfix_header_at(p + next, avail - next))) return i;
    }
    return cap;
}

static int next_message(struct framer *f, struct record *rec) {
    if (f->end - f->start < MESSAGE_WINDOW && !f->eof && fill(f, MESSAGE_WINDOW) < 0) return -1;
    size_t avail = f->end - f->start;
    if (avail == 0) return f->failed ? -1 : 0;
    size_t len = message_extent((const unsigned char *)f->data + f->start, avail);
    size_t from = f->start;
    f->start += len;
    emit(f, rec, from, len);
    return 1;
}

/* The capture's bytes for libpcap: first what is buffered (the head read
 * for detection, or the whole mapped file), then straight from the reader. */
static ssize_t raw_read(void *ctx, char *dst, size_t n) {
    struct framer *f = ctx;
    size_t avail = f->end - f->start;
    if (avail) {
        size_t k = n < avail ? n : avail;
        memcpy(dst, f->data + f->start, k);
        f->start += k;
        return (ssize_t)k;
    }
    if (f->mapped || f->eof) return 0;
    ssize_t r = reader_read(f->r, dst, n);
    if (r < 0) { f->failed = true; f->eof = true; return -1; }
    if (r == 0) f->eof = true;
    f->base += (uint64_t)r;          /* consumed: nothing of it stays in buf */
    return r;
}

#define MAX_UDP_PAYLOAD 65535

static int next_datagram(struct framer *f, struct record *rec) {
    if (!f->pcap) {
        if (f->failed) return -1;
        if (!(f->pcap = pcap_src_open(raw_read, f, f->err, sizeof f->err))) {
            f->failed = true;
            return -1;
        }
        if (!(f->dgram = malloc(MAX_UDP_PAYLOAD + JSON_PADDING))) fatal_oom();
    }
    struct pcap_datagram d;
    int r = pcap_src_next(f->pcap, &d);
    if (r < 0) {
        if (!f->failed) snprintf(f->err, sizeof f->err, "%s", pcap_src_error(f->pcap));
        f->failed = true;
        return -1;
    }
    if (r == 0) return 0;
    size_t len = d.len < MAX_UDP_PAYLOAD ? d.len : MAX_UDP_PAYLOAD;
    memcpy(f->dgram, d.p, len);
    memset(f->dgram + len, 0, JSON_PADDING);
    rec->p = f->dgram;
    rec->len = len;
    rec->cap = len + JSON_PADDING;
    rec->offset = d.number;
    rec->has_origin = true;
    rec->origin = d.src;
    rec->origin_port = d.src_port;
    return 1;
}

enum frame_mode framer_guess_mode(struct framer *f) {
    vstr h = framer_head(f);
    if (framer_sniff_capture(h) >= 50) return FRAME_PCAP;
    if (framer_sniff_export(h) >= 50) return FRAME_MESSAGES;
    size_t i = 0;
    while (i < h.n && (h.p[i] == ' ' || h.p[i] == '\t' || h.p[i] == '\r' || h.p[i] == '\n')) i++;
    if (i >= h.n || (h.p[i] != '{' && h.p[i] != '[')) return FRAME_LINES;
    const char *nl = memchr(h.p + i, '\n', h.n - i);
    size_t line_len = nl ? (size_t)(nl - (h.p + i)) : h.n - i;
    return json_value_extent(h.p + i, line_len) ? FRAME_LINES : FRAME_DOCUMENTS;
}

void framer_set_mode(struct framer *f, enum frame_mode m) { f->mode = m; }

static void emit(struct framer *f, struct record *rec, size_t from, size_t len) {
    rec->has_origin = false;
    rec->len = len;
    rec->offset = f->base + from;
    if (!f->mapped) {
        rec->p = f->buf + from;
        rec->cap = f->cap + JSON_PADDING - from;
    } else if (from + len + JSON_PADDING <= f->readable) {
        rec->p = f->data + from;
        rec->cap = f->readable - from;
    } else {
        /* the end of the file: copy the record where it has its padding */
        if (f->cap < len) grow(f, len);
        memcpy(f->buf, f->data + from, len);
        memset(f->buf + len, 0, JSON_PADDING);
        rec->p = f->buf;
        rec->cap = len + JSON_PADDING;
    }
}

static bool is_blank(const char *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r') return false;
    return true;
}

static int next_line(struct framer *f, struct record *rec) {
    for (;;) {
        const char *s = f->data + f->start;
        size_t avail = f->end - f->start;
        const char *nl = avail ? memchr(s, '\n', avail) : NULL;
        if (nl) {
            size_t len = (size_t)(nl - s), from = f->start;
            f->start += len + 1;
            if (f->skipping) { f->skipping = false; continue; }
            if (f->mapped && len >= MAX_RECORD) {
                if (f->oversize++ == 0) f->oversize_first = f->base + from;
                continue;
            }
            if (len && s[len - 1] == '\r') len--;
            if (is_blank(s, len)) continue;
            emit(f, rec, from, len);
            return 1;
        }
        if (f->eof) {
            if (f->failed) return -1;
            if (avail == 0 || f->skipping || is_blank(s, avail)) { f->start = f->end; return 0; }
            size_t from = f->start;
            if (f->mapped && avail >= MAX_RECORD) {
                if (f->oversize++ == 0) f->oversize_first = f->base + from;
                f->start = f->end;
                return 0;
            }
            f->start = f->end;
            emit(f, rec, from, avail);
            return 1;
        }
        if (avail == f->cap) {
            if (f->cap >= MAX_RECORD || f->skipping) {
                /* Drop what we have of this line and skip to its end. */
                if (!f->skipping) {
                    if (f->oversize++ == 0) f->oversize_first = f->base + f->start;
                    f->skipping = true;
                }
                f->start = f->end;
            } else {
                grow(f, f->cap * 2);
            }
        }
        if (fill(f, f->cap) < 0) return -1;
    }
}

static int next_document(struct framer *f, struct record *rec) {
    /* Whole-document inputs are small in practice (a blob, a trace): read
     * all of it once so values can span any number of lines. */
    while (!f->eof) {
        if (f->end == f->cap) {
            if (f->cap >= MAX_DOCUMENT) break;
            grow(f, f->cap * 2);
        }
        if (fill(f, f->cap) < 0) return -1;
    }
    if (f->mapped && f->end > MAX_DOCUMENT) f->end = MAX_DOCUMENT;   /* as much as is read otherwise */
    for (;;) {
        const char *s = f->data + f->start;
        size_t avail = f->end - f->start, i = 0;
        while (i < avail && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n' || s[i] == ',')) i++;
        if (i == avail) { f->start = f->end; return 0; }
        size_t from = f->start + i;
        if (s[i] != '{' && s[i] != '[') {
            /* Not a JSON value: hand the line to the decoder, which rejects
             * it with its position, and resynchronise after it. */
            const char *nl = memchr(s + i, '\n', avail - i);
            size_t len = nl ? (size_t)(nl - (s + i)) : avail - i;
            f->start = from + len;
            emit(f, rec, from, len);
            return 1;
        }
        size_t len = json_value_extent(s + i, avail - i);
        if (len == 0) {
            if (f->unterminated++ == 0) f->unterminated_first = f->base + from;
            f->start = f->end;
            return 0;
        }
        f->start = from + len;
        emit(f, rec, from, len);
        return 1;
    }
}

int framer_next(struct framer *f, struct record *rec) {
    int r;
    switch (f->mode) {
    case FRAME_DOCUMENTS: r = next_document(f, rec); break;
    case FRAME_MESSAGES: r = next_message(f, rec); break;
    case FRAME_PCAP: r = next_datagram(f, rec); break;
    default: r = next_line(f, rec); break;
    }
    /* consumed: all before this record, which stays readable until the next call */
    size_t done = r == 1 && f->mode != FRAME_PCAP ? (size_t)rec->offset : f->start;
    if (f->mapped && reader_map_consumed(f->r, done) < 0) {
        f->failed = true;
        return -1;
    }
    return r;
}

uint64_t framer_bytes(const struct framer *f) { return f->base + f->start; }
uint64_t framer_oversize(const struct framer *f, uint64_t *first) { *first = f->oversize_first; return f->oversize; }
uint64_t framer_unterminated(const struct framer *f, uint64_t *first) { *first = f->unterminated_first; return f->unterminated; }

const char *framer_error(struct framer *f) { return f->err[0] ? f->err : reader_error(f->r); }

void framer_report(struct framer *f, buf *out) {
    if (f->pcap) pcap_src_report(f->pcap, out);
}
