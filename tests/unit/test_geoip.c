/* GeoIP: the known answers of MaxMind's test databases in ../shared/data
 * (skipped where absent), corrupt databases failing cleanly, databases
 * this test writes itself with tests/tools/write_mmdb.pl (skipped where
 * perl or its MaxMind writer is missing), and the geography helpers.
 * With VIGIL_BENCH set, a lookup micro-benchmark on the three merged test
 * databases prints nanoseconds per lookup (no timing assertion). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "enrich/geoip.h"
#include "tmpdir.h"

static char dir[128];

static int setup(void **state) {
    (void)state;
    return tmpdir_make(dir, sizeof dir, "geoip");
}

static int teardown(void **state) {
    (void)state;
    return tmpdir_remove(dir);
}

static struct ipaddr addr(const char *s) {
    struct ipaddr a;
    if (!ip_parse(s, strlen(s), &a)) fail_msg("bad address %s", s);
    return a;
}

static struct geoip_result look(const struct geoip *g, const char *ip) {
    struct geoip_result r;
    struct ipaddr a = addr(ip);
    geoip_lookup(g, &a, &r);
    return r;
}

/* ---- MaxMind's test databases ------------------------------------------ */

/* The shared test database at name, or a skip. Returns the path (static). */
static const char *shared_db(const char *name) {
    static char path[512];
    const char *d = getenv("VIGIL_SHARED_DATA");
    snprintf(path, sizeof path, "%s/geoip/%s", d ? d : "../shared/data", name);
    struct stat st;
    if (stat(path, &st) != 0) {
        print_message("%s not found: skipped\n", path);
        skip();
    }
    return path;
}

static void open_ok(struct geoip *g, const char *path) {
    char err[512] = "";
    if (geoip_open(g, path, err, sizeof err) != 0) fail_msg("geoip_open(%s): %s", path, err);
}

static void test_city_known_answers(void **state) {
    (void)state;
    (void)shared_db("GeoIP2-City-Test.mmdb");   /* skip before anything is allocated */
    struct geoip *g = geoip_new();
    open_ok(g, shared_db("GeoIP2-City-Test.mmdb"));
    assert_int_equal(geoip_databases(g), 1);

    struct geoip_result r = look(g, "81.2.69.142");
    assert_true(r.found);
    assert_false(r.error);
    assert_string_equal(r.country, "GB");
    assert_string_equal(r.country_name, "United Kingdom");
    assert_string_equal(r.city, "London");
    assert_true(r.has_location);
    assert_true(r.latitude > 51.4 && r.latitude < 51.6);
    assert_true(r.longitude > -0.2 && r.longitude < 0.1);
    assert_true(r.accuracy_radius_km > 0);

    assert_string_equal(look(g, "2.125.160.216").country, "GB");
    assert_string_equal(look(g, "216.160.83.56").country, "US");
    assert_string_equal(look(g, "89.160.20.112").country, "SE");
    r = look(g, "175.16.199.1");
    assert_string_equal(r.country, "CN");
    assert_string_equal(r.city, "Changchun");
    /* the same addresses asked as IPv4-mapped IPv6 text are the same answer */
    assert_string_equal(look(g, "::ffff:81.2.69.142").city, "London");

    /* a miss: found false and nothing else filled in */
    r = look(g, "10.1.2.3");
    assert_false(r.found);
    assert_string_equal(r.country, "");
    assert_false(r.has_location);

    /* IPv6: 2001:218::/32 is a country-level network (JP) in the City test DB */
    r = look(g, "2001:218::1");
    assert_true(r.found);
    assert_string_equal(r.country, "JP");
    geoip_free(g);
}

static void test_country_db_has_no_coordinates(void **state) {
    (void)state;
    (void)shared_db("GeoIP2-Country-Test.mmdb");   /* skip before anything is allocated */
    struct geoip *g = geoip_new();
    open_ok(g, shared_db("GeoIP2-Country-Test.mmdb"));
    struct geoip_result r = look(g, "81.2.69.160");
    assert_string_equal(r.country, "GB");
    assert_false(r.has_location);
    /* which is what the centroid table is for */
    double lat, lon;
    assert_true(geo_country_centroid(r.country, &lat, &lon));
    geoip_free(g);
}

static void test_anonymous_and_asn_merged(void **state) {
    (void)state;
    (void)shared_db("GeoIP2-City-Test.mmdb");   /* skip before anything is allocated */
    struct geoip *g = geoip_new();
    open_ok(g, shared_db("GeoIP2-City-Test.mmdb"));
    open_ok(g, shared_db("GeoIP2-Anonymous-IP-Test.mmdb"));
    open_ok(g, shared_db("GeoLite2-ASN-Test.mmdb"));
    assert_int_equal(geoip_databases(g), 3);

    struct geoip_result r = look(g, "81.2.69.1");
    unsigned all = GEOIP_ANONYMOUS | GEOIP_ANONYMOUS_VPN | GEOIP_HOSTING_PROVIDER | GEOIP_PUBLIC_PROXY |
                   GEOIP_RESIDENTIAL_PROXY | GEOIP_TOR_EXIT_NODE;
    assert_int_equal(r.anon, all);
    /* City and Anonymous-IP answers for one address merge */
    r = look(g, "81.2.69.142");
    assert_string_equal(r.city, "London");
    assert_int_equal(r.anon & GEOIP_TOR_EXIT_NODE, GEOIP_TOR_EXIT_NODE);

    r = look(g, "1.124.213.1");
    assert_true(r.anon & GEOIP_TOR_EXIT_NODE);
    r = look(g, "186.30.236.1");
    assert_int_equal(r.anon & GEOIP_PUBLIC_PROXY, GEOIP_PUBLIC_PROXY);
    assert_int_equal(r.anon & GEOIP_TOR_EXIT_NODE, 0);

    r = look(g, "1.0.0.1");
    assert_int_equal(r.asn, 15169);
    assert_string_equal(r.asn_org, "Google Inc.");
    r = look(g, "12.81.92.1");
    assert_int_equal(r.asn, 7018);
    assert_int_equal(r.anon, 0);
    /* the Anonymous-IP test database maps every other address to an empty
     * record: an entry without a field is not a find */
    r = look(g, "37.1.2.3");
    assert_false(r.found);

    buf b;
    buf_init(&b);
    geoip_report(g, &b);
    const char *s = buf_cstr(&b);
    assert_non_null(strstr(s, "geoip GeoIP2-City-Test.mmdb: GeoIP2-City, built "));
    assert_non_null(strstr(s, "geoip GeoIP2-Anonymous-IP-Test.mmdb: GeoIP2-Anonymous-IP"));
    assert_non_null(strstr(s, "GeoLite2-ASN"));
    buf_clear(&b);
    geoip_anon_describe(GEOIP_ANONYMOUS_VPN | GEOIP_TOR_EXIT_NODE, &b);
    assert_string_equal(buf_cstr(&b), "anonymous VPN, TOR exit node");
    buf_free(&b);
    geoip_free(g);
}

static void test_corrupt_databases_fail_cleanly(void **state) {
    (void)state;
    (void)shared_db("GeoIP2-City-Test-Invalid-Node-Count.mmdb");   /* skip before anything is allocated */
    struct geoip *g = geoip_new();
    char err[512] = "";
    /* a node count that does not match the file: refused at open */
    assert_int_equal(geoip_open(g, shared_db("GeoIP2-City-Test-Invalid-Node-Count.mmdb"), err, sizeof err), -1);
    assert_non_null(strstr(err, "not a usable MaxMind DB"));
    assert_int_equal(geoip_databases(g), 0);

    /* pointers in the data section that lead nowhere: opens, and the
     * lookups that meet them say so instead of crashing */
    open_ok(g, shared_db("MaxMind-DB-test-broken-pointers-24.mmdb"));
    unsigned errors = 0;
    for (unsigned i = 0; i < 256; i++) {
        char ip[32];
        snprintf(ip, sizeof ip, "1.1.1.%u", i);
        struct geoip_result r = look(g, ip);
        errors += r.error;
    }
    assert_true(errors > 0);

    assert_int_equal(geoip_open(g, "/nonexistent/x.mmdb", err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot read GeoIP database /nonexistent/x.mmdb"));
    geoip_free(g);
}

static void test_not_a_database(void **state) {
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/plain.mmdb", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("81.2.69.142 GB\n", f);
    fclose(f);
    struct geoip *g = geoip_new();
    char err[512] = "";
    assert_int_equal(geoip_open(g, path, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a usable MaxMind DB"));
    /* an empty handle answers every lookup with a miss */
    assert_false(look(g, "81.2.69.142").found);
    geoip_free(g);
}

/* ---- databases written by tests/tools/write_mmdb.pl -------------------- */

/* Writes spec to dir/name.json and runs the writer into dir/name.mmdb;
 * skips the test when perl or MaxMind::DB::Writer is missing. Returns the
 * .mmdb path (static). */
static const char *written_db(const char *name, const char *spec) {
    if (system("perl -MMaxMind::DB::Writer::Tree -MJSON::PP -e 1 2>/dev/null") != 0) {
        print_message("perl with MaxMind::DB::Writer not available: skipped\n");
        skip();
    }
    static char out[256];
    char json[256], cmd[1024];
    snprintf(json, sizeof json, "%s/%s.json", dir, name);
    snprintf(out, sizeof out, "%s/%s.mmdb", dir, name);
    FILE *f = fopen(json, "w");
    assert_non_null(f);
    fputs(spec, f);
    fclose(f);
    const char *tests = getenv("VIGIL_TESTS");
    snprintf(cmd, sizeof cmd, "perl '%s/tools/write_mmdb.pl' '%s' '%s'", tests ? tests : "tests", json, out);
    if (system(cmd) != 0) fail_msg("%s failed", cmd);
    return out;
}

static void test_written_city_round_trip(void **state) {
    (void)state;
    const char *path = written_db("city", "{\"database_type\": \"GeoIP2-City\", \"networks\": ["
                                          "{\"network\": \"203.0.113.0/24\", \"country\": \"FR\", "
                                          "\"country_name\": \"France\", \"city\": \"Paris\", "
                                          "\"latitude\": 48.8566, \"longitude\": 2.3522, \"accuracy_radius\": 20},"
                                          "{\"network\": \"198.51.100.0/25\", \"registered_country\": \"JP\"},"
                                          "{\"network\": \"2001:db8:1::/48\", \"country\": \"DE\", "
                                          "\"city\": \"Berlin\", \"latitude\": 52.52, \"longitude\": 13.405}]}");
    struct geoip *g = geoip_new();
    open_ok(g, path);
    /* IPv4 in the IPv6 tree, every field */
    struct geoip_result r = look(g, "203.0.113.77");
    assert_true(r.found);
    assert_false(r.error);
    assert_string_equal(r.country, "FR");
    assert_string_equal(r.country_name, "France");
    assert_string_equal(r.city, "Paris");
    assert_true(r.has_location);
    assert_true(r.latitude == 48.8566 && r.longitude == 2.3522);
    assert_int_equal(r.accuracy_radius_km, 20);
    assert_int_equal(r.anon, 0);
    assert_int_equal(r.asn, 0);
    /* a record with only registered_country still gives a country */
    r = look(g, "198.51.100.5");
    assert_string_equal(r.country, "JP");
    assert_false(r.has_location);
    /* the other half of that /24 is a miss */
    assert_false(look(g, "198.51.100.200").found);
    /* IPv6 */
    r = look(g, "2001:db8:1::42");
    assert_string_equal(r.city, "Berlin");
    assert_int_equal(r.accuracy_radius_km, 0);
    assert_false(look(g, "2001:db8:2::1").found);
    geoip_free(g);
}

static void test_written_anonymous_and_asn(void **state) {
    (void)state;
    struct geoip *g = geoip_new();
    open_ok(g, written_db("anon", "{\"database_type\": \"GeoIP2-Anonymous-IP\", \"networks\": ["
                                  "{\"network\": \"192.0.2.9/32\", \"is_anonymous\": true, "
                                  "\"is_tor_exit_node\": true},"
                                  "{\"network\": \"192.0.2.10/32\", \"is_anonymous\": true, "
                                  "\"is_anonymous_vpn\": true, \"is_hosting_provider\": true, "
                                  "\"is_public_proxy\": false, \"is_residential_proxy\": true}]}"));
    open_ok(g, written_db("asn", "{\"database_type\": \"GeoLite2-ASN\", \"ip_version\": 4, \"networks\": ["
                                 "{\"network\": \"192.0.2.0/24\", \"asn\": 64500, \"asn_org\": \"Example Net\"}]}"));
    struct geoip_result r = look(g, "192.0.2.9");
    assert_int_equal(r.anon, GEOIP_ANONYMOUS | GEOIP_TOR_EXIT_NODE);
    assert_int_equal(r.asn, 64500);
    assert_string_equal(r.asn_org, "Example Net");
    assert_string_equal(r.country, "");
    r = look(g, "192.0.2.10");
    assert_int_equal(r.anon, GEOIP_ANONYMOUS | GEOIP_ANONYMOUS_VPN | GEOIP_HOSTING_PROVIDER |
                                 GEOIP_RESIDENTIAL_PROXY);
    /* an IPv6 address asked of the IPv4-only ASN database is a miss, not an error */
    r = look(g, "2001:db8::1");
    assert_false(r.found);
    assert_false(r.error);
    geoip_free(g);
}

/* ---- geography ---------------------------------------------------------- */

static void test_distance(void **state) {
    (void)state;
    double london_paris = geo_distance_km(51.5074, -0.1278, 48.8566, 2.3522);
    assert_true(london_paris > 340 && london_paris < 348);
    double london_ny = geo_distance_km(51.5074, -0.1278, 40.7128, -74.0060);
    assert_true(london_ny > 5550 && london_ny < 5590);
    assert_true(geo_distance_km(10, 20, 10, 20) == 0);
    /* antipodes: half the circumference, no NaN from rounding */
    double half = geo_distance_km(0, 0, 0, 180);
    assert_true(half > 20015 && half < 20016);
}

static void test_borders(void **state) {
    (void)state;
    assert_true(geo_countries_border("FR", "DE"));
    assert_true(geo_countries_border("DE", "FR"));
    assert_false(geo_countries_border("GB", "FR"));      /* the Channel Tunnel is not a land border */
    assert_true(geo_countries_border("US", "CA"));
    assert_true(geo_countries_border("CA", "US"));
    assert_true(geo_countries_border("GB", "IE"));
    assert_true(geo_countries_border("CN", "KP"));
    assert_true(geo_countries_border("ES", "GI"));
    assert_false(geo_countries_border("US", "RU"));
    assert_false(geo_countries_border("JP", "KR"));
    assert_true(geo_countries_border("SE", "SE"));
    assert_true(geo_countries_border("ZZ", "ZZ"));       /* a country borders itself, known or not */
    assert_false(geo_countries_border("ZZ", "FR"));
    assert_false(geo_countries_border("fr", "de"));      /* codes are upper case */
    assert_false(geo_countries_border("\0", "\0"));
    /* the first and last pairs of the table are found (the search is not off by one) */
    assert_true(geo_countries_border("AD", "ES"));
    assert_true(geo_countries_border("XK", "RS"));
    assert_true(geo_countries_border("YE", "SA"));
}

static void test_centroids(void **state) {
    (void)state;
    double lat, lon;
    assert_true(geo_country_centroid("FR", &lat, &lon));
    assert_true(lat > 45 && lat < 48 && lon > 1 && lon < 4);
    assert_true(geo_country_centroid("AD", &lat, &lon));
    assert_true(geo_country_centroid("ZA", &lat, &lon));
    assert_true(lat < -20);
    assert_false(geo_country_centroid("ZZ", &lat, &lon));
    assert_false(geo_country_centroid("\0", &lat, &lon));
    /* every country of MaxMind's test databases has a centre */
    static const char *const test_countries[] = { "AE", "AL", "AM", "AT", "AU", "AZ", "BE", "BG", "BH", "BT",
                                                  "BY", "CA", "CH", "CN", "CZ", "DE", "DK", "ES", "FI", "FR",
                                                  "GB", "GI", "HK", "HU", "IE", "IL", "IM", "IR", "IT", "JO",
                                                  "JP", "KR", "KW", "LB", "LY", "NL", "NO", "PH", "PL", "RO",
                                                  "RS", "RU", "SA", "SE", "SG", "TR", "TW", "UA", "US" };
    for (size_t i = 0; i < sizeof test_countries / sizeof test_countries[0]; i++)
        if (!geo_country_centroid(test_countries[i], &lat, &lon)) fail_msg("no centroid for %s", test_countries[i]);
}

/* ---- micro-benchmark (VIGIL_BENCH=1; no assertion on time) ------------- */

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void test_bench_lookup(void **state) {
    (void)state;
    if (!getenv("VIGIL_BENCH")) skip();
    (void)shared_db("GeoIP2-City-Test.mmdb");   /* skip before anything is allocated */
    struct geoip *g = geoip_new();
    open_ok(g, shared_db("GeoIP2-City-Test.mmdb"));
    open_ok(g, shared_db("GeoIP2-Anonymous-IP-Test.mmdb"));
    open_ok(g, shared_db("GeoLite2-ASN-Test.mmdb"));
    /* addresses that hit (the City test networks) and random ones that mostly miss */
    static const char *const known[] = { "81.2.69.142", "2.125.160.216", "216.160.83.56", "89.160.20.112",
                                         "175.16.199.1", "1.0.0.1", "186.30.236.1", "2001:218::1" };
    enum { N = 1 << 14, ROUNDS = 32 };
    struct ipaddr *ips = malloc(N * sizeof *ips);
    assert_non_null(ips);
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < N; i++) {
        if (i % 2 == 0) { ips[i] = addr(known[(i / 2) % 8]); continue; }
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        uint8_t v4[4] = { (uint8_t)(x >> 56), (uint8_t)(x >> 48), (uint8_t)(x >> 40), (uint8_t)(x >> 32) };
        ip_from_v4(&ips[i], v4);
    }
    volatile size_t found = 0;
    struct geoip_result r;
    double t0 = now_ns();
    for (int k = 0; k < ROUNDS; k++)
        for (int i = 0; i < N; i++) found += geoip_lookup(g, &ips[i], &r);
    double ns = (now_ns() - t0) / ((double)N * ROUNDS);
    print_message("geoip_lookup over 3 databases (City + Anonymous-IP + ASN): %.0f ns per lookup, %zu of %d found\n",
                  ns, (size_t)found, N * ROUNDS);
    free(ips);
    geoip_free(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_city_known_answers),
        cmocka_unit_test(test_country_db_has_no_coordinates),
        cmocka_unit_test(test_anonymous_and_asn_merged),
        cmocka_unit_test(test_corrupt_databases_fail_cleanly),
        cmocka_unit_test(test_not_a_database),
        cmocka_unit_test(test_written_city_round_trip),
        cmocka_unit_test(test_written_anonymous_and_asn),
        cmocka_unit_test(test_distance),
        cmocka_unit_test(test_borders),
        cmocka_unit_test(test_centroids),
        cmocka_unit_test(test_bench_lookup),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
