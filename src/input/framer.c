#include "input/framer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode/json.h"

#define BLOCK_SIZE      (4u << 20)    /* read size: big blocks, few syscalls */
#define HEAD_SIZE       (64u << 10)
#define MAX_RECORD      (256u << 20)  /* a longer line is hostile or broken */
#define MAX_DOCUMENT    (1024u << 20) /* whole-document inputs are read at once */

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

/* Length of the JSON value starting at p (which must be '{' or '['), or 0
 * if it does not close within n bytes. Strings and escapes are honoured so
 * braces inside strings do not count. */
static size_t json_value_extent(const char *p, size_t n) {
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

enum frame_mode framer_guess_mode(struct framer *f) {
    vstr h = framer_head(f);
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
    int r = f->mode == FRAME_DOCUMENTS ? next_document(f, rec) : next_line(f, rec);
    /* consumed: all before this record, which stays readable until the next call */
    if (f->mapped && reader_map_consumed(f->r, r == 1 ? (size_t)rec->offset : f->start) < 0) {
        f->failed = true;
        return -1;
    }
    return r;
}

uint64_t framer_bytes(const struct framer *f) { return f->base + f->start; }
uint64_t framer_oversize(const struct framer *f, uint64_t *first) { *first = f->oversize_first; return f->oversize; }
uint64_t framer_unterminated(const struct framer *f, uint64_t *first) { *first = f->unterminated_first; return f->unterminated; }
