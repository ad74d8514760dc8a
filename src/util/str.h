/* String slices. Decoders hand out slices that point into the input buffer
 * or a parser's string arena; nothing is copied unless it must outlive the
 * record. A vstr is never NUL-terminated: always carry the length. */
#ifndef VIGIL_STR_H
#define VIGIL_STR_H
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct { const char *p; size_t n; } vstr;

#define VSTR(lit) ((vstr){ (lit), sizeof(lit) - 1 })
#define VSTR_NULL ((vstr){ NULL, 0 })

static inline vstr vstr_c(const char *s) { return (vstr){ s, s ? strlen(s) : 0 }; }
static inline bool vstr_empty(vstr s) { return s.n == 0; }
static inline bool vstr_eq(vstr a, vstr b) { return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0); }
static inline bool vstr_eqc(vstr a, const char *c) { return vstr_eq(a, vstr_c(c)); }
static inline bool vstr_prefix(vstr s, const char *pre) {
    size_t n = strlen(pre);
    return s.n >= n && memcmp(s.p, pre, n) == 0;
}
static inline bool vstr_suffix(vstr s, const char *suf) {
    size_t n = strlen(suf);
    return s.n >= n && memcmp(s.p + s.n - n, suf, n) == 0;
}
/* Copy s to dst (no terminator) and return the end; safe for empty slices,
 * whose p may be NULL. */
static inline char *vstr_put(char *dst, vstr s) {
    if (s.n) memcpy(dst, s.p, s.n);
    return dst + s.n;
}
bool vstr_contains(vstr hay, vstr needle);
bool vstr_contains_ci(vstr hay, vstr needle);
bool vstr_eq_ci(vstr a, vstr b);
/* The last component of a Unix or Windows path ('/' or '\\'); the whole
 * slice when there is no separator. */
vstr vstr_basename(vstr path);
#endif
