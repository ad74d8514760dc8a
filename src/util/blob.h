/* Little-endian fields for the state blobs detectors save in the store:
 * fixed-width integers, doubles as their IEEE 754 image, and strings with
 * a 16-bit length. The reader is sticky: after the first short read every
 * get returns zero and ok stays false, so a parser checks once at the end
 * instead of after every field, and a damaged blob can never read past
 * its end. */
#ifndef VIGIL_BLOB_H
#define VIGIL_BLOB_H
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "util/buf.h"

static inline void blob_put_le(buf *b, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; i++) buf_putc(b, (char)(uint8_t)(v >> (8 * i)));
}
static inline void blob_put_i64(buf *b, int64_t v) { blob_put_le(b, (uint64_t)v, 8); }
static inline void blob_put_f64(buf *b, double v) {
    uint64_t u;
    memcpy(&u, &v, 8);
    blob_put_le(b, u, 8);
}
/* Longer strings are cut at 65535 bytes: keys are bounded well below. */
static inline void blob_put_str(buf *b, const char *s, size_t n) {
    if (n > 65535) n = 65535;
    blob_put_le(b, n, 2);
    buf_put(b, s, n);
}

struct blob_reader { const uint8_t *p, *end; bool ok; };

static inline struct blob_reader blob_reader(const void *p, size_t n) {
    return (struct blob_reader){ p, (const uint8_t *)p + n, true };
}
static inline uint64_t blob_get_le(struct blob_reader *r, int bytes) {
    if (!r->ok || r->end - r->p < bytes) { r->ok = false; return 0; }
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) v |= (uint64_t)r->p[i] << (8 * i);
    r->p += bytes;
    return v;
}
static inline int64_t blob_get_i64(struct blob_reader *r) { return (int64_t)blob_get_le(r, 8); }
static inline double blob_get_f64(struct blob_reader *r) {
    uint64_t u = blob_get_le(r, 8);
    double v;
    memcpy(&v, &u, 8);
    return v;
}
static inline void blob_get_bytes(struct blob_reader *r, void *dst, size_t n) {
    if (!r->ok || (size_t)(r->end - r->p) < n) { r->ok = false; memset(dst, 0, n); return; }
    memcpy(dst, r->p, n);
    r->p += n;
}
static inline vstr blob_get_str(struct blob_reader *r) {
    size_t n = (size_t)blob_get_le(r, 2);
    if (!r->ok || (size_t)(r->end - r->p) < n) { r->ok = false; return (vstr){ "", 0 }; }
    vstr s = { (const char *)r->p, n };
    r->p += n;
    return s;
}
#endif
