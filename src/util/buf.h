/* Growable byte buffer, and the JSON writer helpers every sink uses.
 * buf_json_str escapes per RFC 8259: quote, backslash, control characters
 * and invalid UTF-8 (replaced by U+FFFD) so that an alert line is always
 * valid JSON whatever bytes an attacker put into a log field. */
#ifndef VIGIL_BUF_H
#define VIGIL_BUF_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "util/str.h"

typedef struct { char *p; size_t n, cap; } buf;

void buf_init(buf *b);
void buf_free(buf *b);
void buf_reserve(buf *b, size_t extra);
void buf_put(buf *b, const void *p, size_t n);
void buf_putc(buf *b, char c);
void buf_puts(buf *b, const char *s);
void buf_putv(buf *b, vstr s);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_clear(buf *b);
const char *buf_cstr(buf *b);          /* NUL-terminates (not counted in n) */
static inline vstr buf_vstr(const buf *b) { return (vstr){ b->p, b->n }; }

void buf_json_str(buf *b, vstr s);     /* "escaped" */
void buf_json_cstr(buf *b, const char *s);
void buf_json_time(buf *b, int64_t time_us); /* "2026-01-01T00:00:00Z" */
#endif
