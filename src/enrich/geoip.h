/* GeoIP: where an address is, from MaxMind DB files (libmaxminddb), as
 * DESIGN.md's --geoip FILE.mmdb.
 *
 * One or more databases may be opened into one geoip handle; each lookup
 * asks every database and merges what they know:
 *   City / Country (GeoIP2-City, GeoLite2-City, GeoIP2-Country, DB-IP...)
 *                 country.iso_code (else registered_country), the English
 *                 country and city names, location.latitude / longitude /
 *                 accuracy_radius
 *   Anonymous-IP  is_anonymous, is_anonymous_vpn, is_hosting_provider,
 *                 is_public_proxy, is_residential_proxy, is_tor_exit_node
 *   ASN           autonomous_system_number / _organization
 * The database type is read from its metadata (database_type), not from
 * the file name.
 *
 * Ownership: the handle owns the mapped databases; strings in a result
 * point into a small buffer inside the result itself, so a result is a
 * plain value the caller may copy. Lookups never allocate. */
#ifndef VIGIL_GEOIP_H
#define VIGIL_GEOIP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/buf.h"
#include "util/ip.h"

enum geoip_anon {
    GEOIP_ANONYMOUS         = 1u << 0,
    GEOIP_ANONYMOUS_VPN     = 1u << 1,
    GEOIP_HOSTING_PROVIDER  = 1u << 2,
    GEOIP_PUBLIC_PROXY      = 1u << 3,
    GEOIP_RESIDENTIAL_PROXY = 1u << 4,
    GEOIP_TOR_EXIT_NODE     = 1u << 5,
};

struct geoip_result {
    bool found;                         /* some database gave a field for the address */
    char country[3];                    /* ISO 3166-1 alpha-2, "" when unknown */
    char country_name[64];              /* English name, "" when unknown */
    char city[64];                      /* English name, "" when unknown */
    bool has_location;
    double latitude, longitude;
    uint32_t accuracy_radius_km;        /* 0 when the database gives none */
    unsigned anon;                      /* enum geoip_anon bits */
    uint32_t asn;                       /* 0 when unknown */
    char asn_org[64];
    bool error;                         /* a database's data section could not be read */
};

struct geoip;

struct geoip *geoip_new(void);
void geoip_free(struct geoip *g);
/* Open one .mmdb file and add it to the handle. 0, or -1 with one line in
 * err (unreadable, not a MaxMind DB, corrupt metadata or search tree). */
int geoip_open(struct geoip *g, const char *path, char *err, size_t errlen);
size_t geoip_databases(const struct geoip *g);
/* Fill *out (zeroed first). Returns out->found. A corrupt data section met
 * during a lookup sets out->error and keeps what the other databases gave:
 * never fatal (the caller counts errors for its summary). */
bool geoip_lookup(const struct geoip *g, const struct ipaddr *ip, struct geoip_result *out);
/* Lines for the summary: each database's file, type, build date and
 * node count. */
void geoip_report(const struct geoip *g, buf *out);
/* The bit of a MaxMind Anonymous-IP key ("is_tor_exit_node"), 0 when it
 * is not one. */
unsigned geoip_anon_flag(const char *name);
/* "anonymous VPN, TOR exit node" for the bits set in anon (our words),
 * into out. */
void geoip_anon_describe(unsigned anon, buf *out);

/* ---- geography helpers (no database needed) -------------------------- */

/* Great-circle distance in km between two points given in degrees. */
double geo_distance_km(double lat1, double lon1, double lat2, double lon2);
/* Whether two ISO alpha-2 countries share a land border (a fixed table);
 * a country borders itself. Unknown codes border nothing. */
bool geo_countries_border(const char a[2], const char b[2]);
/* The centroid of a country (a fixed table), for a Country database that
 * carries no coordinates. false for an unknown code. */
bool geo_country_centroid(const char cc[2], double *lat, double *lon);
#endif
