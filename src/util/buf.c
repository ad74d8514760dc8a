#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/timeutil.h"

void buf_init(buf *b) { b->p = NULL; b->n = b->cap = 0; }
void buf_free(buf *b) { free(b->p); buf_init(b); }
void buf_clear(buf *b) { b->n = 0; }

void buf_reserve(buf *b, size_t extra) {
    if (b->cap - b->n > extra) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->n <= extra) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) { fputs("vigil: out of memory\n", stderr); abort(); }
    b->p = p; b->cap = cap;
}

void buf_put(buf *b, const void *p, size_t n) {
    if (n == 0) return;
    buf_reserve(b, n);
    memcpy(b->p + b->n, p, n);
    b->n += n;
}
void buf_putc(buf *b, char c) { buf_reserve(b, 1); b->p[b->n++] = c; }
void buf_puts(buf *b, const char *s) { buf_put(b, s, strlen(s)); }
void buf_putv(buf *b, vstr s) { buf_put(b, s.p, s.n); }

void buf_printf(buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0) return;
    buf_reserve(b, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
}

const char *buf_cstr(buf *b) {
    buf_reserve(b, 1);
    b->p[b->n] = 0;
    return b->p;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0) { len = 2; min = 0x80; c &= 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; min = 0x800; c &= 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; min = 0x10000; c &= 0x07; }
    else return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    return len;
}

void buf_json_str(buf *b, vstr s) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s.p;
    buf_reserve(b, s.n + 2);
    buf_putc(b, '"');
    size_t i = 0;
    while (i < s.n) {
        unsigned char c = p[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            /* copy the run of plain bytes at once */
            size_t j = i + 1;
            while (j < s.n && p[j] >= 0x20 && p[j] < 0x7f && p[j] != '"' && p[j] != '\\') j++;
            buf_put(b, p + i, j - i);
            i = j;
            continue;
        }
        switch (c) {
        case '"': buf_put(b, "\\\"", 2); i++; continue;
        case '\\': buf_put(b, "\\\\", 2); i++; continue;
        case '\n': buf_put(b, "\\n", 2); i++; continue;
        case '\r': buf_put(b, "\\r", 2); i++; continue;
        case '\t': buf_put(b, "\\t", 2); i++; continue;
        default: break;
        }
        if (c < 0x20 || c == 0x7F) {
            char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            buf_put(b, e, 6);
            i++;
            continue;
        }
        size_t len = utf8_len(p + i, s.n - i);
        if (len == 0) { buf_put(b, "\\ufffd", 6); i++; continue; }
        buf_put(b, p + i, len);
        i += len;
    }
    buf_putc(b, '"');
}

void buf_json_cstr(buf *b, const char *s) { buf_json_str(b, vstr_c(s ? s : "")); }

void buf_json_time(buf *b, int64_t time_us) {
    char t[40];
    time_format(time_us, t, sizeof t);
    buf_putc(b, '"');
    buf_puts(b, t);
    buf_putc(b, '"');
}
