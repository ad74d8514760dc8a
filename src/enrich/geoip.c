/* GeoIP over libmaxminddb (API: geoip.h).
 *
 * Each database is mapped once (MMDB_MODE_MMAP) and classified by its
 * metadata's database_type into what it is asked: location (City, Country
 * and anything else, e.g. Enterprise or DB-IP), anonymity flags
 * (Anonymous-IP) or autonomous system (ASN, ISP). A lookup walks the
 * databases in the order they were opened; for each field the first
 * database that knows it wins, so "City then Country" gives the city's
 * answer and the country's only where the city has none.
 *
 * Lookups read single values with MMDB_get_value on the found entry: no
 * entry data list is built, so nothing is allocated per lookup. Every
 * value's type is checked before it is read: a database is input like any
 * other, and a field of the wrong type is ignored, not trusted. */
#include "enrich/geoip.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

enum db_kind { DB_LOCATION, DB_ANONYMOUS, DB_ASN };

struct geoip_db {
    MMDB_s mmdb;
    char *path;                              /* owned */
    enum db_kind kind;
};

struct geoip {
    struct geoip_db **db;                    /* each owned; a pointer array so an MMDB_s never moves */
    size_t n, cap;
};

struct geoip *geoip_new(void) {
    struct geoip *g = calloc(1, sizeof *g);
    if (!g) abort();
    return g;
}

void geoip_free(struct geoip *g) {
    if (!g) return;
    for (size_t i = 0; i < g->n; i++) {
        MMDB_close(&g->db[i]->mmdb);
        free(g->db[i]->path);
        free(g->db[i]);
    }
    free(g->db);
    free(g);
}

size_t geoip_databases(const struct geoip *g) { return g->n; }

/* ---- opening ------------------------------------------------------------ */

static enum db_kind kind_of(const char *type) {
    if (!type) return DB_LOCATION;
    if (strstr(type, "Anonymous-IP")) return DB_ANONYMOUS;
    if (strstr(type, "ASN") || strstr(type, "ISP")) return DB_ASN;
    return DB_LOCATION;
}

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int geoip_open(struct geoip *g, const char *path, char *err, size_t errlen) {
    struct geoip_db *d = calloc(1, sizeof *d);
    if (!d) abort();
    int st = MMDB_open(path, MMDB_MODE_MMAP, &d->mmdb);
    if (st != MMDB_SUCCESS) {
        if (st == MMDB_IO_ERROR || st == MMDB_FILE_OPEN_ERROR)
            snprintf(err, errlen, "cannot read GeoIP database %s: %s", path, strerror(errno));
        else
            snprintf(err, errlen, "%s is not a usable MaxMind DB: %s", path, MMDB_strerror(st));
        free(d);
        return -1;
    }
    d->path = strdup(path);
    if (!d->path) abort();
    d->kind = kind_of(d->mmdb.metadata.database_type);
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 4;
        g->db = realloc(g->db, g->cap * sizeof *g->db);
        if (!g->db) abort();
    }
    g->db[g->n++] = d;
    return 0;
}

/* ---- reading values ----------------------------------------------------- */

/* A value at a path, or none. Statuses meaning "this record has no such
 * field" are not errors; anything else (a bad pointer, data past the end
 * of the section) marks the result. */
static bool get_value(MMDB_entry_s *e, MMDB_entry_data_s *v, struct geoip_result *r, const char *const *path) {
    int st = MMDB_aget_value(e, v, path);
    if (st == MMDB_SUCCESS) return v->has_data;
    if (st != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR && st != MMDB_INVALID_LOOKUP_PATH_ERROR) r->error = true;
    return false;
}

/* Copy a UTF-8 string value, cut at a character boundary to fit. */
static bool get_string(MMDB_entry_s *e, struct geoip_result *r, const char *const *path, char *dst, size_t cap) {
    MMDB_entry_data_s v;
    if (!get_value(e, &v, r, path) || v.type != MMDB_DATA_TYPE_UTF8_STRING) return false;
    size_t n = v.data_size < cap - 1 ? v.data_size : cap - 1;
    if (n < v.data_size)
        while (n > 0 && ((unsigned char)v.utf8_string[n] & 0xc0) == 0x80) n--;
    memcpy(dst, v.utf8_string, n);
    dst[n] = 0;
    return n > 0;
}

static bool get_uint(MMDB_entry_s *e, struct geoip_result *r, const char *const *path, uint32_t *out) {
    MMDB_entry_data_s v;
    if (!get_value(e, &v, r, path)) return false;
    switch (v.type) {
    case MMDB_DATA_TYPE_UINT16: *out = v.uint16; return true;
    case MMDB_DATA_TYPE_UINT32: *out = v.uint32; return true;
    case MMDB_DATA_TYPE_UINT64: *out = v.uint64 > UINT32_MAX ? UINT32_MAX : (uint32_t)v.uint64; return true;
    case MMDB_DATA_TYPE_INT32: *out = v.int32 < 0 ? 0 : (uint32_t)v.int32; return true;
    default: return false;
    }
}

static bool get_double(MMDB_entry_s *e, struct geoip_result *r, const char *const *path, double *out) {
    MMDB_entry_data_s v;
    if (!get_value(e, &v, r, path)) return false;
    if (v.type == MMDB_DATA_TYPE_DOUBLE) *out = v.double_value;
    else if (v.type == MMDB_DATA_TYPE_FLOAT) *out = v.float_value;
    else return false;
    return isfinite(*out);
}

static bool get_bool(MMDB_entry_s *e, struct geoip_result *r, const char *key) {
    const char *path[] = { key, NULL };
    MMDB_entry_data_s v;
    return get_value(e, &v, r, path) && v.type == MMDB_DATA_TYPE_BOOLEAN && v.boolean;
}

/* ---- one database's answer, merged into the result ---------------------- */

static bool is_country_code(const char *s) {
    return s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && s[2] == 0;
}

/* country.iso_code, else registered_country (an address whose network is
 * registered in one country and used in another has only the latter in
 * some records). Only a well-formed alpha-2 code is taken. */
static void read_country(MMDB_entry_s *e, struct geoip_result *r) {
    static const char *const where[2] = { "country", "registered_country" };
    for (int i = 0; i < 2 && !r->country[0]; i++) {
        char cc[4];
        const char *code_path[] = { where[i], "iso_code", NULL };
        if (!get_string(e, r, code_path, cc, sizeof cc) || !is_country_code(cc)) continue;
        memcpy(r->country, cc, 3);
        const char *name_path[] = { where[i], "names", "en", NULL };
        if (!r->country_name[0]) get_string(e, r, name_path, r->country_name, sizeof r->country_name);
    }
}

static void read_location(MMDB_entry_s *e, struct geoip_result *r) {
    read_country(e, r);
    if (!r->city[0]) {
        const char *path[] = { "city", "names", "en", NULL };
        get_string(e, r, path, r->city, sizeof r->city);
    }
    if (r->has_location) return;
    const char *lat_path[] = { "location", "latitude", NULL };
    const char *lon_path[] = { "location", "longitude", NULL };
    const char *rad_path[] = { "location", "accuracy_radius", NULL };
    double lat, lon;
    if (!get_double(e, r, lat_path, &lat) || !get_double(e, r, lon_path, &lon)) return;
    if (lat < -90 || lat > 90 || lon < -180 || lon > 180) return;
    r->has_location = true;
    r->latitude = lat;
    r->longitude = lon;
    uint32_t radius = 0;
    if (get_uint(e, r, rad_path, &radius)) r->accuracy_radius_km = radius;
}

/* MaxMind's Anonymous-IP keys, the names the configuration uses too. */
static const struct { const char *key; unsigned bit; } anon_flags[] = {
    { "is_anonymous", GEOIP_ANONYMOUS },
    { "is_anonymous_vpn", GEOIP_ANONYMOUS_VPN },
    { "is_hosting_provider", GEOIP_HOSTING_PROVIDER },
    { "is_public_proxy", GEOIP_PUBLIC_PROXY },
    { "is_residential_proxy", GEOIP_RESIDENTIAL_PROXY },
    { "is_tor_exit_node", GEOIP_TOR_EXIT_NODE },
};

unsigned geoip_anon_flag(const char *name) {
    for (size_t i = 0; i < sizeof anon_flags / sizeof anon_flags[0]; i++)
        if (strcmp(name, anon_flags[i].key) == 0) return anon_flags[i].bit;
    return 0;
}

static void read_anonymous(MMDB_entry_s *e, struct geoip_result *r) {
    for (size_t i = 0; i < sizeof anon_flags / sizeof anon_flags[0]; i++)
        if (get_bool(e, r, anon_flags[i].key)) r->anon |= anon_flags[i].bit;
}

static void read_asn(MMDB_entry_s *e, struct geoip_result *r) {
    if (r->asn) return;
    const char *num_path[] = { "autonomous_system_number", NULL };
    const char *org_path[] = { "autonomous_system_organization", NULL };
    uint32_t asn = 0;
    if (!get_uint(e, r, num_path, &asn) || !asn) return;
    r->asn = asn;
    get_string(e, r, org_path, r->asn_org, sizeof r->asn_org);
}

/* libmaxminddb finds an IPv4 address in an IPv6 tree through the IPv4
 * subtree when it is given as an AF_INET sockaddr, so a mapped address is
 * handed over as plain IPv4. */
static MMDB_lookup_result_s lookup_one(const MMDB_s *m, const struct ipaddr *ip, int *st) {
    if (ip_is_v4(ip)) {
        struct sockaddr_in sa = { .sin_family = AF_INET };
        memcpy(&sa.sin_addr, ip->b + 12, 4);
        return MMDB_lookup_sockaddr(m, (const struct sockaddr *)&sa, st);
    }
    struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6 };
    memcpy(&sa6.sin6_addr, ip->b, 16);
    return MMDB_lookup_sockaddr(m, (const struct sockaddr *)&sa6, st);
}

bool geoip_lookup(const struct geoip *g, const struct ipaddr *ip, struct geoip_result *out) {
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < g->n; i++) {
        const struct geoip_db *d = g->db[i];
        int st = MMDB_SUCCESS;
        MMDB_lookup_result_s res = lookup_one(&d->mmdb, ip, &st);
        if (st != MMDB_SUCCESS) {
            /* an IPv6 address asked of an IPv4-only database is a miss */
            if (st != MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR) out->error = true;
            continue;
        }
        if (!res.found_entry) continue;
        switch (d->kind) {
        case DB_LOCATION: read_location(&res.entry, out); break;
        case DB_ANONYMOUS: read_anonymous(&res.entry, out); break;
        case DB_ASN: read_asn(&res.entry, out); break;
        }
    }
    /* An entry is not knowledge: MaxMind's Anonymous-IP test database maps
     * every address to an empty record. Found means some field was given. */
    out->found = out->country[0] || out->city[0] || out->has_location || out->anon || out->asn;
    return out->found;
}

/* ---- reporting ---------------------------------------------------------- */

void geoip_report(const struct geoip *g, buf *out) {
    for (size_t i = 0; i < g->n; i++) {
        const MMDB_metadata_s *md = &g->db[i]->mmdb.metadata;
        char built[32] = "unknown date";
        time_t t = (time_t)md->build_epoch;
        struct tm tm;
        if (gmtime_r(&t, &tm)) strftime(built, sizeof built, "%Y-%m-%d", &tm);
        buf_printf(out, "  geoip %s: %s, built %s, IPv%u, %" PRIu32 " nodes\n", base_name(g->db[i]->path),
                   md->database_type ? md->database_type : "(no type)", built, (unsigned)md->ip_version,
                   md->node_count);
    }
}

void geoip_anon_describe(unsigned anon, buf *out) {
    static const char *const words[] = { "anonymous", "anonymous VPN", "hosting provider",
                                         "public proxy", "residential proxy", "TOR exit node" };
    const char *sep = "";
    for (unsigned i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (!(anon & (1u << i))) continue;
        buf_puts(out, sep);
        buf_puts(out, words[i]);
        sep = ", ";
    }
}

/* ---- geography ---------------------------------------------------------- */

#define EARTH_MEAN_RADIUS_KM 6371.0088      /* IUGG mean radius R1 */

double geo_distance_km(double lat1, double lon1, double lat2, double lon2) {
    const double rad = M_PI / 180.0;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double s1 = sin(dlat / 2), s2 = sin(dlon / 2);
    double h = s1 * s1 + cos(lat1 * rad) * cos(lat2 * rad) * s2 * s2;
    if (h > 1) h = 1;                        /* rounding near antipodes */
    return 2 * EARTH_MEAN_RADIUS_KM * asin(sqrt(h));
}

/* Land borders, each pair once with its codes in alphabetical order, the
 * pairs sorted (binary search).
 *
 * Scope, honestly: all of Europe (with Russia, Turkey and the Caucasus),
 * North and Central America, South America, the Middle East, North Africa
 * and the Sahel, South, Central, East and South-East Asia, which covers
 * every country in MaxMind's test databases. Sub-Saharan Africa beyond the
 * Sahel and Oceania's few borders (PG-ID, TL-ID excepted) are not listed:
 * there, two countries always count as not bordering, so impossible travel
 * may alert on a short hop across such a border when the distance and
 * speed thresholds still pass. Borders are those of the metropolitan
 * territory a GeoIP country code locates (France-Brazil via French Guiana
 * is left out: a French address is in Europe). A bridge or a tunnel is
 * not a land border (GB-FR, DK-SE, SG-MY, BH-SA). */
static const char border_pairs[][5] = {
    "ADES", "ADFR", "AEOM", "AESA", "AFCN", "AFIR", "AFPK", "AFTJ", "AFTM", "AFUZ", "ALGR", "ALME", "ALMK",
    "ALXK", "AMAZ", "AMGE", "AMIR", "AMTR", "ARBO", "ARBR", "ARCL", "ARPY", "ARUY", "ATCH", "ATCZ", "ATDE",
    "ATHU", "ATIT", "ATLI", "ATSI", "ATSK", "AZGE", "AZIR", "AZRU", "AZTR", "BAHR", "BAME", "BARS", "BDIN",
    "BDMM", "BEDE", "BEFR", "BELU", "BENL", "BFML", "BFNE", "BGGR", "BGMK", "BGRO", "BGRS", "BGTR", "BJNE",
    "BNMY", "BOBR", "BOCL", "BOPE", "BOPY", "BRCO", "BRGF", "BRGY", "BRPE", "BRPY", "BRSR", "BRUY", "BRVE",
    "BTCN", "BTIN", "BYLT", "BYLV", "BYPL", "BYRU", "BYUA", "BZGT", "BZMX", "CAUS", "CFSD", "CFTD", "CHDE",
    "CHFR", "CHIT", "CHLI", "CLPE", "CMTD", "CNHK", "CNIN", "CNKG", "CNKP", "CNKZ", "CNLA", "CNMM", "CNMN",
    "CNMO", "CNNP", "CNPK", "CNRU", "CNTJ", "CNVN", "COEC", "COPA", "COPE", "COVE", "CRNI", "CRPA", "CZDE",
    "CZPL", "CZSK", "DEDK", "DEFR", "DELU", "DENL", "DEPL", "DOHT", "DZEH", "DZLY", "DZMA", "DZML", "DZMR",
    "DZNE", "DZTN", "ECPE", "EELV", "EERU", "EGIL", "EGLY", "EGPS", "EGSD", "EHMA", "EHMR", "ERSD", "ESFR",
    "ESGI", "ESMA", "ESPT", "ETSD", "FINO", "FIRU", "FISE", "FRIT", "FRLU", "FRMC", "GBIE", "GERU", "GETR",
    "GFSR", "GRMK", "GRTR", "GTHN", "GTMX", "GTSV", "GYSR", "GYVE", "HNNI", "HNSV", "HRHU", "HRME", "HRRS",
    "HRSI", "HURO", "HURS", "HUSI", "HUSK", "HUUA", "IDMY", "IDPG", "IDTL", "ILJO", "ILLB", "ILPS", "ILSY",
    "INMM", "INNP", "INPK", "IQIR", "IQJO", "IQKW", "IQSA", "IQSY", "IQTR", "IRPK", "IRTM", "IRTR", "ITSI",
    "ITSM", "ITVA", "JOPS", "JOSA", "JOSY", "KGKZ", "KGTJ", "KGUZ", "KHLA", "KHTH", "KHVN", "KPKR", "KPRU",
    "KWSA", "KZRU", "KZTM", "KZUZ", "LAMM", "LATH", "LAVN", "LBSY", "LTLV", "LTPL", "LTRU", "LVRU", "LYNE",
    "LYSD", "LYTD", "LYTN", "MDRO", "MDUA", "MERS", "MEXK", "MKRS", "MKXK", "MLMR", "MLNE", "MMTH", "MNRU",
    "MXUS", "MYTH", "NENG", "NETD", "NGTD", "NORU", "NOSE", "OMSA", "OMYE", "PLRU", "PLSK", "PLUA", "QASA",
    "RORS", "ROUA", "RSXK", "RUUA", "SAYE", "SDSS", "SDTD", "SKUA", "SYTR", "TJUZ", "TMUZ",
};

static int cmp_pair(const void *a, const void *b) { return memcmp(a, b, 4); }

static bool valid_code(const char c[2]) { return c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'; }

bool geo_countries_border(const char a[2], const char b[2]) {
    if (!valid_code(a) || !valid_code(b)) return false;
    if (a[0] == b[0] && a[1] == b[1]) return true;
    char key[4];
    bool a_first = a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]);
    memcpy(key, a_first ? a : b, 2);
    memcpy(key + 2, a_first ? b : a, 2);
    return bsearch(key, border_pairs, sizeof border_pairs / sizeof border_pairs[0], sizeof border_pairs[0],
                   cmp_pair) != NULL;
}

/* Approximate geographic centres (degrees, about a tenth of a degree),
 * for the same countries as the border table plus a few island states
 * (AU, JP, NZ, PH, SG, TW...), sorted by code. A centre is a rough stand-in
 * for a large country (US, RU, CN, CA, BR): distances computed from it are
 * only good to a few hundred km there. */
static const struct centroid { char cc[3]; double lat, lon; } centroids[] = {
    { "AD", 42.5, 1.5 },
    { "AE", 24.0, 54.0 },
    { "AF", 33.9, 67.7 },
    { "AL", 41.2, 20.2 },
    { "AM", 40.1, 45.0 },
    { "AR", -38.4, -63.6 },
    { "AT", 47.5, 14.6 },
    { "AU", -25.3, 133.8 },
    { "AZ", 40.1, 47.6 },
    { "BA", 43.9, 17.7 },
    { "BD", 23.7, 90.4 },
    { "BE", 50.5, 4.5 },
    { "BF", 12.2, -1.6 },
    { "BG", 42.7, 25.5 },
    { "BH", 26.0, 50.55 },
    { "BJ", 9.3, 2.3 },
    { "BN", 4.5, 114.7 },
    { "BO", -16.3, -63.6 },
    { "BR", -14.2, -51.9 },
    { "BT", 27.5, 90.4 },
    { "BY", 53.7, 28.0 },
    { "BZ", 17.2, -88.5 },
    { "CA", 56.1, -106.3 },
    { "CF", 6.6, 20.9 },
    { "CH", 46.8, 8.2 },
    { "CL", -35.7, -71.5 },
    { "CM", 7.4, 12.4 },
    { "CN", 35.9, 104.2 },
    { "CO", 4.6, -74.3 },
    { "CR", 9.7, -83.8 },
    { "CY", 35.1, 33.4 },
    { "CZ", 49.8, 15.5 },
    { "DE", 51.2, 10.5 },
    { "DK", 56.3, 9.5 },
    { "DO", 18.7, -70.2 },
    { "DZ", 28.0, 1.7 },
    { "EC", -1.8, -78.2 },
    { "EE", 58.6, 25.0 },
    { "EG", 26.8, 30.8 },
    { "EH", 24.2, -12.9 },
    { "ER", 15.2, 39.8 },
    { "ES", 40.5, -3.7 },
    { "ET", 9.1, 40.5 },
    { "FI", 61.9, 25.7 },
    { "FR", 46.2, 2.2 },
    { "GB", 55.4, -3.4 },
    { "GE", 42.3, 43.4 },
    { "GF", 3.9, -53.1 },
    { "GI", 36.14, -5.35 },
    { "GR", 39.1, 21.8 },
    { "GT", 15.8, -90.2 },
    { "GY", 4.9, -58.9 },
    { "HK", 22.3, 114.2 },
    { "HN", 15.2, -86.2 },
    { "HR", 45.1, 15.2 },
    { "HT", 19.0, -72.3 },
    { "HU", 47.2, 19.5 },
    { "ID", -0.8, 113.9 },
    { "IE", 53.4, -8.2 },
    { "IL", 31.0, 34.9 },
    { "IM", 54.2, -4.5 },
    { "IN", 20.6, 79.0 },
    { "IQ", 33.2, 43.7 },
    { "IR", 32.4, 53.7 },
    { "IS", 65.0, -19.0 },
    { "IT", 41.9, 12.6 },
    { "JO", 30.6, 36.2 },
    { "JP", 36.2, 138.3 },
    { "KG", 41.2, 74.8 },
    { "KH", 12.6, 105.0 },
    { "KP", 40.3, 127.5 },
    { "KR", 35.9, 127.8 },
    { "KW", 29.3, 47.5 },
    { "KZ", 48.0, 66.9 },
    { "LA", 19.9, 102.5 },
    { "LB", 33.9, 35.9 },
    { "LI", 47.17, 9.56 },
    { "LT", 55.2, 23.9 },
    { "LU", 49.8, 6.1 },
    { "LV", 56.9, 24.6 },
    { "LY", 26.3, 17.2 },
    { "MA", 31.8, -7.1 },
    { "MC", 43.74, 7.42 },
    { "MD", 47.4, 28.4 },
    { "ME", 42.7, 19.4 },
    { "MK", 41.6, 21.7 },
    { "ML", 17.6, -4.0 },
    { "MM", 21.9, 96.0 },
    { "MN", 46.9, 103.8 },
    { "MO", 22.2, 113.5 },
    { "MR", 21.0, -10.9 },
    { "MT", 35.9, 14.4 },
    { "MX", 23.6, -102.6 },
    { "MY", 4.2, 102.0 },
    { "NE", 17.6, 8.1 },
    { "NG", 9.1, 8.7 },
    { "NI", 12.9, -85.2 },
    { "NL", 52.1, 5.3 },
    { "NO", 60.5, 8.5 },
    { "NP", 28.4, 84.1 },
    { "NZ", -40.9, 174.9 },
    { "OM", 21.5, 55.9 },
    { "PA", 8.5, -80.8 },
    { "PE", -9.2, -75.0 },
    { "PG", -6.3, 144.0 },
    { "PH", 12.9, 121.8 },
    { "PK", 30.4, 69.3 },
    { "PL", 51.9, 19.1 },
    { "PS", 31.95, 35.2 },
    { "PT", 39.4, -8.2 },
    { "PY", -23.4, -58.4 },
    { "QA", 25.35, 51.2 },
    { "RO", 45.9, 25.0 },
    { "RS", 44.0, 21.0 },
    { "RU", 61.5, 105.3 },
    { "SA", 23.9, 45.1 },
    { "SD", 12.9, 30.2 },
    { "SE", 60.1, 18.6 },
    { "SG", 1.35, 103.8 },
    { "SI", 46.15, 15.0 },
    { "SK", 48.7, 19.7 },
    { "SM", 43.94, 12.46 },
    { "SR", 3.9, -56.0 },
    { "SS", 6.9, 31.3 },
    { "SV", 13.8, -88.9 },
    { "SY", 34.8, 39.0 },
    { "TD", 15.5, 18.7 },
    { "TH", 15.9, 101.0 },
    { "TJ", 38.9, 71.3 },
    { "TL", -8.9, 125.7 },
    { "TM", 39.0, 59.6 },
    { "TN", 33.9, 9.5 },
    { "TR", 39.0, 35.2 },
    { "TW", 23.7, 121.0 },
    { "UA", 48.4, 31.2 },
    { "US", 37.1, -95.7 },
    { "UY", -32.5, -55.8 },
    { "UZ", 41.4, 64.6 },
    { "VA", 41.90, 12.45 },
    { "VE", 6.4, -66.6 },
    { "VN", 14.1, 108.3 },
    { "XK", 42.6, 20.9 },
    { "YE", 15.55, 48.5 },
    { "ZA", -30.6, 22.9 },
};

static int cmp_centroid(const void *key, const void *elem) {
    return memcmp(key, ((const struct centroid *)elem)->cc, 2);
}

bool geo_country_centroid(const char cc[2], double *lat, double *lon) {
    if (!valid_code(cc)) return false;
    const struct centroid *c = bsearch(cc, centroids, sizeof centroids / sizeof centroids[0], sizeof centroids[0],
                                       cmp_centroid);
    if (!c) return false;
    *lat = c->lat;
    *lon = c->lon;
    return true;
}
