/* Non-cryptographic hashing for tables and stable alert ids. */
#ifndef VIGIL_HASH_H
#define VIGIL_HASH_H
#include <stddef.h>
#include <stdint.h>
#include "util/str.h"

uint64_t hash_bytes(const void *p, size_t n, uint64_t seed);
static inline uint64_t hash_vstr(vstr s, uint64_t seed) { return hash_bytes(s.p, s.n, seed); }
static inline uint64_t hash_mix(uint64_t h) {
    h ^= h >> 33; h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33; h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33; return h;
}
#endif
