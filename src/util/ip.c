#include "util/ip.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/hash.h"

bool ip_parse(const char *s, size_t n, struct ipaddr *out) {
    char tmp[IP_STRLEN];
    if (n == 0 || n >= sizeof tmp) return false;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    uint8_t raw[16];
    if (memchr(tmp, ':', n)) {
        if (inet_pton(AF_INET6, tmp, raw) != 1) return false;
        ip_from_v6(out, raw);
        return true;
    }
    if (inet_pton(AF_INET, tmp, raw) != 1) return false;
    ip_from_v4(out, raw);
    return true;
}

void ip_mask(struct ipaddr *a, unsigned plen) {
    if (plen >= 128) return;
    unsigned byte = plen / 8, bits = plen % 8;
    if (bits) a->b[byte++] &= (uint8_t)(0xff00u >> bits);
    memset(a->b + byte, 0, 16 - byte);
}

bool ip_parse_cidr(const char *s, size_t n, struct ipaddr *out, unsigned *plen) {
    const char *slash = memchr(s, '/', n);
    size_t an = slash ? (size_t)(slash - s) : n;
    if (!ip_parse(s, an, out)) return false;
    bool v4 = ip_is_v4(out) && !memchr(s, ':', an);
    unsigned max = v4 ? 32 : 128, len = max;
    if (slash) {
        size_t dn = n - an - 1;
        if (dn == 0 || dn > 3) return false;
        len = 0;
        for (size_t i = 0; i < dn; i++) {
            char c = slash[1 + i];
            if (c < '0' || c > '9') return false;
            len = len * 10 + (unsigned)(c - '0');
        }
        if (len > max) return false;
    }
    *plen = v4 ? len + 96 : len;
    ip_mask(out, *plen);
    return true;
}

void ip_format(const struct ipaddr *a, char out[IP_STRLEN]) {
    if (ip_is_v4(a)) {
        snprintf(out, IP_STRLEN, "%u.%u.%u.%u", a->b[12], a->b[13], a->b[14], a->b[15]);
        return;
    }
    if (!inet_ntop(AF_INET6, a->b, out, IP_STRLEN)) snprintf(out, IP_STRLEN, "?");
}

bool ip_is_private(const struct ipaddr *a) {
    const uint8_t *b = a->b;
    if (ip_is_v4(a)) {
        const uint8_t *v = b + 12;
        return v[0] == 10 || v[0] == 127 || v[0] == 0 ||
               (v[0] == 172 && (v[1] & 0xf0) == 16) ||
               (v[0] == 192 && v[1] == 168) ||
               (v[0] == 100 && (v[1] & 0xc0) == 64) ||      /* CGNAT 100.64/10 */
               (v[0] == 169 && v[1] == 254) ||
               v[0] >= 224;                                  /* multicast, reserved, broadcast */
    }
    static const uint8_t loop[16] = { [15] = 1 };
    return ip_is_zero(a) || memcmp(b, loop, 16) == 0 ||
           (b[0] & 0xfe) == 0xfc ||                          /* ULA fc00::/7 */
           (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||        /* link-local fe80::/10 */
           b[0] == 0xff;                                     /* multicast */
}

uint64_t ip_hash(const struct ipaddr *a, uint64_t seed) {
    uint64_t lo, hi;
    memcpy(&hi, a->b, 8);
    memcpy(&lo, a->b + 8, 8);
    return hash_mix(hi ^ hash_mix(lo ^ seed));
}
