#include "util/hash.h"

#include <string.h>

/* 64-bit FNV-1a over 8-byte words with a final avalanche: fast enough for
 * short keys, and stable on every little-endian host (alert ids depend on it). */
uint64_t hash_bytes(const void *p, size_t n, uint64_t seed) {
    const unsigned char *s = p;
    uint64_t h = UINT64_C(0xcbf29ce484222325) ^ seed;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * UINT64_C(0x100000001b3);
        h ^= h >> 29;
        s += 8; n -= 8;
    }
    while (n--) h = (h ^ *s++) * UINT64_C(0x100000001b3);
    return hash_mix(h);
}
