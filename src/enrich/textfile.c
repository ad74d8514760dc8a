#include "enrich/textfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/json.h"
#include "input/reader.h"

#define READ_STEP (1u << 20)   /* first buffer when the size is unknown */

int textfile_read(struct textfile *f, const char *path, size_t max_bytes, char *err, size_t errlen) {
    memset(f, 0, sizeof *f);
    struct reader *r = reader_open(path, err, errlen);
    if (!r) return -1;
    /* A plain file's size is known: one allocation, one extra read to see
     * the end. */
    uint64_t size = reader_is_gzip(r) ? 0 : reader_raw_size(r);
    size_t cap = size && size < max_bytes ? (size_t)size + 1 : READ_STEP;
    char *p = malloc(cap + JSON_PADDING);
    if (!p) abort();
    size_t len = 0;
    for (;;) {
        if (len == cap) {
            cap *= 2;
            p = realloc(p, cap + JSON_PADDING);
            if (!p) abort();
        }
        ssize_t got = reader_read(r, p + len, cap - len);
        if (got < 0) {
            snprintf(err, errlen, "%s: %s", path, reader_error(r));
            goto fail;
        }
        if (got == 0) break;
        len += (size_t)got;
        if (len > max_bytes) {
            snprintf(err, errlen, "%s: larger than %zu MiB", path, max_bytes >> 20);
            goto fail;
        }
    }
    reader_close(r);
    memset(p + len, 0, JSON_PADDING);
    f->data = p;
    f->len = len;
    f->cap = len + JSON_PADDING;
    return 0;
fail:
    reader_close(r);
    free(p);
    return -1;
}

void textfile_from_mem(struct textfile *f, const char *data, size_t len) {
    f->data = malloc(len + JSON_PADDING);
    if (!f->data) abort();
    if (len) memcpy(f->data, data, len);
    memset(f->data + len, 0, JSON_PADDING);
    f->len = len;
    f->cap = len + JSON_PADDING;
}

void textfile_free(struct textfile *f) {
    free(f->data);
    memset(f, 0, sizeof *f);
}

vstr textfile_body(const struct textfile *f) {
    vstr s = { f->data, f->len };
    if (s.n >= 3 && memcmp(s.p, "\xef\xbb\xbf", 3) == 0) { s.p += 3; s.n -= 3; }
    return s;
}

void line_walk_init(struct line_walk *w, vstr text) {
    w->text = text;
    w->pos = 0;
    w->lineno = 0;
}

bool line_walk_next(struct line_walk *w, vstr *line) {
    if (w->pos >= w->text.n) return false;
    const char *start = w->text.p + w->pos;
    size_t left = w->text.n - w->pos;
    const char *nl = memchr(start, '\n', left);
    size_t n = nl ? (size_t)(nl - start) : left;
    w->pos += nl ? n + 1 : n;
    if (n && start[n - 1] == '\r') n--;
    w->lineno++;
    *line = (vstr){ start, n };
    return true;
}

static bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

vstr vstr_trim(vstr s) {
    while (s.n && blank(s.p[0])) { s.p++; s.n--; }
    while (s.n && blank(s.p[s.n - 1])) s.n--;
    return s;
}
