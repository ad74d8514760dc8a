/* IP addresses as one 16-byte type: IPv6 as is, IPv4 mapped (::ffff:a.b.c.d,
 * RFC 4291 §2.5.5.2). One representation lets flows, threat-intel prefixes
 * and the VM inventory share tables and comparisons without a v4/v6 fork
 * at every use; a prefix length is always counted in the 128-bit space
 * (an IPv4 /24 is /120). */
#ifndef VIGIL_IP_H
#define VIGIL_IP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct ipaddr { uint8_t b[16]; };

#define IP_STRLEN 46                    /* INET6_ADDRSTRLEN */

static inline bool ip_is_v4(const struct ipaddr *a) {
    static const uint8_t pre[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    return memcmp(a->b, pre, 12) == 0;
}
static inline void ip_from_v4(struct ipaddr *a, const uint8_t v4[4]) {
    memset(a->b, 0, 10);
    a->b[10] = a->b[11] = 0xff;
    memcpy(a->b + 12, v4, 4);
}
static inline void ip_from_v6(struct ipaddr *a, const uint8_t v6[16]) { memcpy(a->b, v6, 16); }
static inline bool ip_eq(const struct ipaddr *a, const struct ipaddr *b) { return memcmp(a->b, b->b, 16) == 0; }
static inline bool ip_is_zero(const struct ipaddr *a) {
    static const uint8_t z[16];
    return memcmp(a->b, z, 16) == 0;
}

/* "192.0.2.1", "2001:db8::1" (also "::ffff:192.0.2.1"); surrounding
 * blanks are not accepted. Returns false for anything else. */
bool ip_parse(const char *s, size_t n, struct ipaddr *out);
/* "192.0.2.0/24", "2001:db8::/32" or a bare address (a host prefix).
 * *plen is in the 128-bit space; host bits beyond the prefix are cleared.
 * A prefix longer than the family allows is refused. */
bool ip_parse_cidr(const char *s, size_t n, struct ipaddr *out, unsigned *plen);
/* Dotted quad for IPv4-mapped addresses, RFC 5952 text for IPv6. */
void ip_format(const struct ipaddr *a, char out[IP_STRLEN]);
/* Keep the first plen bits (128-bit space), clear the rest. */
void ip_mask(struct ipaddr *a, unsigned plen);
/* Addresses that are never "the internet": RFC 1918, CGNAT 100.64/10,
 * loopback, link-local, unspecified, multicast, broadcast, IPv6 ULA fc00::/7,
 * documentation ranges are NOT included (tests and demos use them as
 * public). */
bool ip_is_private(const struct ipaddr *a);
uint64_t ip_hash(const struct ipaddr *a, uint64_t seed);
#endif
