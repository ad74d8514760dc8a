#define _GNU_SOURCE  /* memmem */
#include "util/str.h"

#include <ctype.h>

bool vstr_contains(vstr hay, vstr needle) {
    if (needle.n == 0) return true;
    if (needle.n > hay.n) return false;
    return memmem(hay.p, hay.n, needle.p, needle.n) != NULL;
}

static inline int lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

bool vstr_eq_ci(vstr a, vstr b) {
    if (a.n != b.n) return false;
    for (size_t i = 0; i < a.n; i++)
        if (lower((unsigned char)a.p[i]) != lower((unsigned char)b.p[i])) return false;
    return true;
}

bool vstr_contains_ci(vstr hay, vstr needle) {
    if (needle.n == 0) return true;
    for (size_t i = 0; i + needle.n <= hay.n; i++) {
        size_t j = 0;
        while (j < needle.n && lower((unsigned char)hay.p[i + j]) == lower((unsigned char)needle.p[j])) j++;
        if (j == needle.n) return true;
    }
    return false;
}

vstr vstr_basename(vstr path) {
    if (!path.n) return (vstr){ "", 0 };     /* an absent field may be a NULL slice */
    size_t i = path.n;
    while (i > 0 && path.p[i - 1] != '/' && path.p[i - 1] != '\\') i--;
    return (vstr){ path.p + i, path.n - i };
}
