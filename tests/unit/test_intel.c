/* Threat-intel sets: every accepted format from small files written to a
 * scratch directory, longest-prefix matching, validity and label filters,
 * the private-space rule, errors, and the public samples in
 * ../shared/data (skipped where absent). With VIGIL_BENCH set, a lookup
 * micro-benchmark prints nanoseconds per lookup (no timing assertion). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "enrich/intel.h"
#include "tmpdir.h"
#include "util/timeutil.h"

static char dir[128];

static int setup(void **state) {
    (void)state;
    return tmpdir_make(dir, sizeof dir, "intel");
}

static int teardown(void **state) {
    (void)state;
    return tmpdir_remove(dir);
}

/* Writes text (exact bytes) to dir/name; returns the path (static). */
static const char *write_file(const char *name, const char *text) {
    static char path[4][256];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, 256, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fwrite(text, 1, strlen(text), f);
    fclose(f);
    return p;
}

static void load_ok(struct intel *t, const char *spec) {
    char err[512] = "";
    int rc = intel_load(t, spec, err, sizeof err);
    if (rc != 0) fail_msg("intel_load(%s): %s", spec, err);
}

static int64_t at(const char *rfc3339) {
    int64_t t;
    assert_true(time_parse(vstr_c(rfc3339), &t));
    return t;
}

static const int64_t NOW = INT64_C(1767225600000000);    /* 2026-01-01 */

static const struct intel_hit *look(const struct intel *t, const char *ip, unsigned mask, int64_t when) {
    struct ipaddr a;
    if (!ip_parse(ip, strlen(ip), &a)) fail_msg("bad test address %s", ip);
    return intel_lookup(t, &a, mask, when);
}

static bool listed(const struct intel *t, const char *ip) { return look(t, ip, INTEL_ANY, NOW) != NULL; }

/* The report as a C string (static buffer). */
static const char *report(const struct intel *t) {
    static char out[8192];
    buf b;
    buf_init(&b);
    intel_report(t, &b);
    snprintf(out, sizeof out, "%s", buf_cstr(&b));
    buf_free(&b);
    return out;
}

static void assert_contains(const char *hay, const char *needle) {
    if (!strstr(hay, needle)) fail_msg("expected \"%s\" in:\n%s", needle, hay);
}

/* ---- plain lists ---- */

static void test_plain_list_quirks(void **state) {
    (void)state;
    struct intel *t = intel_new();
    const char *p = write_file("plain.txt",
        "\xef\xbb\xbf# a comment line\r\n"
        "; Spamhaus DROP List 2024/02/08\r\n"
        "1.10.16.0/20 ; SBL256894\r\n"
        "5.42.199.0/24 \r\n"                     /* trailing space */
        "\r\n"
        "45.9.20.1\t7\r\n"                       /* ipsum: IP<TAB>count */
        "  2001:db8:1::/48   # v6 with a comment\r\n"
        "not-an-ip\r\n"
        "300.1.1.1\r\n"
        "8.8.8.8");                              /* no newline at the end */
    load_ok(t, p);
    assert_int_equal(intel_size(t), 5);
    assert_true(listed(t, "1.10.31.255"));
    assert_false(listed(t, "1.10.32.0"));
    assert_true(listed(t, "5.42.199.77"));
    assert_true(listed(t, "45.9.20.1"));
    assert_false(listed(t, "45.9.20.2"));
    assert_true(listed(t, "2001:db8:1:ffff::1"));
    assert_true(listed(t, "8.8.8.8"));
    const struct intel_hit *h = look(t, "1.10.20.1", INTEL_ANY, NOW);
    assert_non_null(h);
    assert_int_equal(h->line, 3);
    assert_int_equal(h->plen, 96 + 20);
    assert_int_equal(h->label, INTEL_MALICIOUS);
    assert_string_equal(h->source, p);
    assert_null(h->indicator);
    assert_int_equal(h->confidence, -1);
    assert_true(h->valid_from_us == INT64_MIN && h->valid_until_us == INT64_MAX);
    const char *r = report(t);
    assert_contains(r, "intel malicious plain.txt: plain list, 5 entries");
    assert_contains(r, "skipped 2 lines: not an IP, CIDR or range (first line 8)");
    intel_free(t);
}

static void test_ranges_split_into_prefixes(void **state) {
    (void)state;
    struct intel *t = intel_new();
    load_ok(t, write_file("ranges.txt",
        "1.10.16.0-1.10.31.255\n"                   /* exactly one /20 */
        "1.2.3.5-1.2.3.10\n"                        /* .5/32 .6/31 .8/31 .10/32 */
        "9.9.9.9 - 9.9.9.9\n"                       /* spaced, one address */
        "2a10:1440::-2a10:1447:ffff:ffff:ffff:ffff:ffff:ffff\n"   /* one /29 */
        "1.2.3.10-1.2.3.5\n"                        /* reversed */
        "1.2.3.4-2001:db8::1\n"                     /* families differ */
        "1.2.3.4-\n"));
    assert_int_equal(intel_size(t), 1 + 4 + 1 + 1);
    const struct intel_hit *h = look(t, "1.10.16.0", INTEL_ANY, NOW);
    assert_non_null(h);
    assert_int_equal(h->plen, 116);
    assert_false(listed(t, "1.2.3.4"));
    for (int i = 5; i <= 10; i++) {
        char ip[16];
        snprintf(ip, sizeof ip, "1.2.3.%d", i);
        assert_true(listed(t, ip));
    }
    assert_false(listed(t, "1.2.3.11"));
    assert_int_equal(look(t, "1.2.3.5", INTEL_ANY, NOW)->plen, 128);
    assert_int_equal(look(t, "1.2.3.7", INTEL_ANY, NOW)->plen, 127);
    assert_int_equal(look(t, "1.2.3.9", INTEL_ANY, NOW)->plen, 127);
    assert_true(listed(t, "9.9.9.9"));
    h = look(t, "2a10:1447:1::1", INTEL_ANY, NOW);
    assert_non_null(h);
    assert_int_equal(h->plen, 29);
    assert_false(listed(t, "2a10:1448::"));
    const char *r = report(t);
    assert_contains(r, "4 ranges split into 7 prefixes");
    assert_contains(r, "skipped 2 lines: range whose ends differ in family or are reversed (first line 5)");
    assert_contains(r, "skipped 1 line: not an IP, CIDR or range (first line 7)");
    intel_free(t);
}

/* A range's blocks follow the prefix rule: one touching private space is
 * dropped whole (9-11 is 9/8, kept, and 10/7, which holds 10/8). */
static void test_range_over_private_space(void **state) {
    (void)state;
    struct intel *t = intel_new();
    char err[512];
    assert_int_equal(intel_load(t, write_file("all.txt", "0.0.0.0-255.255.255.255\n"), err, sizeof err), -1);
    load_ok(t, write_file("wide.txt", "9.0.0.0-11.255.255.255\n"));
    assert_int_equal(intel_size(t), 1);
    assert_false(listed(t, "8.255.255.255"));
    assert_true(listed(t, "9.0.0.0"));
    assert_true(listed(t, "9.255.255.255"));
    assert_false(listed(t, "10.0.0.1"));
    assert_false(listed(t, "11.0.0.1"));
    assert_contains(report(t), "1 range split into 2 prefixes); 1 private/bogon dropped (first line 1)");
    intel_free(t);
}

/* ---- the private / bogon rule ---- */

static void test_private_space_dropped(void **state) {
    (void)state;
    struct intel *t = intel_new();
    load_ok(t, write_file("bogons.txt",
        "10.1.2.3\n192.168.0.0/16\n172.16.5.0/24\n100.64.1.1\n127.0.0.1\n169.254.1.1\n"
        "224.0.0.1\n255.255.255.255\n0.0.0.0/0\n8.0.0.0/5\n"      /* 8.0.0.0/5 holds 10/8 */
        "fc00::1\nfe80::1\nff02::1\n::1\n::\n::/0\n::ffff:0:0/96\n::/64\n"
        "11.0.0.0/8\n2001:db8::1\n198.51.100.7\n"));
    assert_int_equal(intel_size(t), 3);
    assert_true(listed(t, "11.200.0.1"));
    assert_true(listed(t, "2001:db8::1"));
    assert_true(listed(t, "198.51.100.7"));      /* documentation ranges count as public */
    assert_false(listed(t, "10.1.2.3"));
    assert_false(listed(t, "9.1.1.1"));
    assert_false(listed(t, "fc00::1"));
    assert_contains(report(t), "18 private/bogon dropped (first line 1)");
    intel_free(t);
}

/* ---- CSV ---- */

static void test_csv_feodo_shape(void **state) {
    (void)state;
    struct intel *t = intel_new();
    load_ok(t, write_file("feodo.csv",
        "################################################################\n"
        "# abuse.ch Feodo Tracker Botnet C2 IP Blocklist (CSV)          #\n"
        "################################################################\n"
        "\"first_seen_utc\",\"dst_ip\",\"dst_port\",\"c2_status\",\"last_online\",\"malware\"\n"
        "\"2023-06-05 18:12:06\",\"162.243.103.246\",\"8080\",\"online\",\"2024-04-04\",\"Emotet\"\n"
        "\"2024-04-04 07:03:03\",\"172.233.221.61\",\"5938\",\"offline\",\"2024-04-04\",\"Pikabot\"\n"
        "\"2024-04-04 07:03:03\",\"\",\"5938\",\"offline\",\"2024-04-04\",\"Pikabot\"\n"
        "# END 2 entries"));
    assert_int_equal(intel_size(t), 2);
    const struct intel_hit *h = look(t, "172.233.221.61", INTEL_ANY, NOW);
    assert_non_null(h);
    assert_string_equal(h->name, "Pikabot");
    assert_int_equal(h->line, 6);
    assert_string_equal(look(t, "162.243.103.246", INTEL_ANY, NOW)->name, "Emotet");
    const char *r = report(t);
    assert_contains(r, "CSV, 2 entries");
    assert_contains(r, "skipped 1 line: CSV row without a value in the IP column (first line 7)");
    intel_free(t);
}

static void test_csv_header_variants(void **state) {
    (void)state;
    struct intel *t = intel_new();
    /* header inside the comment banner, ip:port values (ThreatFox) */
    load_ok(t, write_file("threatfox.csv",
        "# ThreatFox IOCs\n"
        "# \"first_seen_utc\",\"ioc_id\",\"ioc_value\",\"ioc_type\",\"malware_printable\"\n"
        "\"2024-01-01 00:00:00\",\"1\",\"45.77.1.2:443\",\"ip:port\",\"Cobalt Strike\"\n"));
    /* tab-separated, IP column named Indicator, extra columns, a CIDR */
    load_ok(t, write_file("otx.tsv", "Type\tIndicator\tDescription\nIPv4\t52.1.0.0/16\tscanner\n"));
    /* a single column called IP_Address, mixed case */
    load_ok(t, write_file("one.csv", "IP_Address\n203.0.113.9\n"));
    assert_int_equal(intel_size(t), 3);
    const struct intel_hit *h = look(t, "45.77.1.2", INTEL_ANY, NOW);
    assert_non_null(h);
    assert_string_equal(h->name, "Cobalt Strike");
    assert_true(listed(t, "52.1.200.3"));
    assert_null(look(t, "52.1.200.3", INTEL_ANY, NOW)->name);
    assert_true(listed(t, "203.0.113.9"));
    intel_free(t);
}

/* A headerless CSV is a plain list: the first field is the address. */
static void test_headerless_csv_as_plain(void **state) {
    (void)state;
    struct intel *t = intel_new();
    load_ok(t, write_file("bare.csv", "185.220.101.1,tor\n185.220.101.2,tor\n"));
    assert_int_equal(intel_size(t), 2);
    assert_contains(report(t), "plain list, 2 entries");
    intel_free(t);
}

/* ---- TorDNSEL ---- */

static void test_tordnsel_exit_addresses(void **state) {
    (void)state;
    struct intel *t = intel_new();
    load_ok(t, write_file("exit-addresses",
        "ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E\n"
        "Published 2023-10-01 05:12:43\n"
        "LastStatus 2023-10-01 07:00:00\n"
        "ExitAddress 162.247.74.201 2023-10-01 07:08:40\n"
        "ExitNode 0091174DE56EA6B8F6D0D1A0B6A7C0B0F2B5D8E1\n"
        "Published 2023-10-01 01:00:00\n"
        "LastStatus 2023-10-01 02:00:00\n"
        "ExitAddress 2001:67c:e60:c0c:192:42:116:16 2023-10-01 02:01:00\n"
        "ExitAddress not-an-ip 2023-10-01 02:01:00\n"));
    assert_int_equal(intel_size(t), 2);
    assert_true(listed(t, "162.247.74.201"));
    assert_true(listed(t, "2001:67c:e60:c0c:192:42:116:16"));
    const char *r = report(t);
    assert_contains(r, "TorDNSEL exit-addresses, 2 entries");
    assert_contains(r, "first line 9");
    intel_free(t);
}

/* ---- STIX 2.1 ---- */

static const char *stix_bundle =
    "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":[\n"
    " {\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--a\",\"name\":\"C2 CIDR\",\n"
    "  \"pattern\":\"[ipv4-addr:value = '223.166.0.0/15']\",\"pattern_type\":\"stix\",\n"
    "  \"valid_from\":\"2014-05-08T09:00:00.000000Z\",\"confidence\":85},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--b\",\"pattern_type\":\"stix\",\n"
    "  \"pattern\":\"[domain-name:value = 'x.example' OR ipv4-addr:value = '113.10.246.30' OR "
    "ipv6-addr:value = '2001:db8:bad::/48' OR ipv4-addr:value='219.90.112.203']\",\n"
    "  \"valid_from\":\"2020-01-01T00:00:00Z\",\"valid_until\":\"2021-01-01T00:00:00Z\"},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--c\",\"revoked\":true,\"pattern_type\":\"stix\",\n"
    "  \"pattern\":\"[ipv4-addr:value = '45.1.1.1']\",\"valid_from\":\"2020-01-01T00:00:00Z\"},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--d\",\"pattern_type\":\"stix\",\n"
    "  \"pattern\":\"[file:hashes.'SHA-256' = 'ef53']\",\"valid_from\":\"2020-01-01T00:00:00Z\"},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--e\",\"pattern_type\":\"stix\",\n"
    "  \"pattern\":\"[ipv4-addr:value = '46.1.1.1' AND network-traffic:dst_port = 443]\"},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--f\",\"pattern_type\":\"snort\",\"pattern\":\"alert tcp any\"},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--g\",\n"
    "  \"pattern\":\"[ipv4-addr:value IN ('47.1.1.1', '47.1.1.2')] OR [ipv4-addr:value ISSUBSET '48.0.0.0/8']\"},\n"
    " {\"type\":\"ipv4-addr\",\"id\":\"ipv4-addr--1\",\"value\":\"49.1.1.1\"},\n"
    " {\"type\":\"ipv6-addr\",\"id\":\"ipv6-addr--1\",\"value\":\"2001:db8:50::1\"},\n"
    " {\"type\":\"malware\",\"id\":\"malware--1\",\"name\":\"x\"},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--h\",\"pattern\":\"[ipv4-addr:value = '50.1.1.1']\",\n"
    "  \"valid_from\":\"yesterday\"},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--i\",\"pattern\":\"[ipv4-addr:value = '10.0.0.0']\"},\n"
    " {\"type\":\"indicator\",\"id\":\"indicator--j\",\"pattern\":\"[ipv4-addr:value != '51.1.1.1']\"}\n"
    "]}\n";

static void test_stix_bundle(void **state) {
    (void)state;
    struct intel *t = intel_new();
    load_ok(t, write_file("bundle.json", stix_bundle));
    /* a: 1, b: 3 IPs, g: 3, SCOs: 2 */
    assert_int_equal(intel_size(t), 1 + 3 + 3 + 2);
    const struct intel_hit *h = look(t, "223.167.10.20", INTEL_ANY, NOW);
    assert_non_null(h);
    assert_int_equal(h->plen, 96 + 15);
    assert_string_equal(h->indicator, "indicator--a");
    assert_string_equal(h->name, "C2 CIDR");
    assert_int_equal(h->confidence, 85);
    assert_int_equal(h->line, 0);
    assert_int_equal(h->valid_from_us, at("2014-05-08T09:00:00Z"));
    assert_null(look(t, "223.166.0.1", INTEL_ANY, at("2014-05-08T08:59:59Z")));
    /* the OR list: IPs of both families kept, the domain ignored */
    int64_t in_2020 = at("2020-06-01T00:00:00Z");
    assert_non_null(look(t, "113.10.246.30", INTEL_ANY, in_2020));
    assert_non_null(look(t, "219.90.112.203", INTEL_ANY, in_2020));
    assert_non_null(look(t, "2001:db8:bad:1::9", INTEL_ANY, in_2020));
    assert_null(look(t, "113.10.246.30", INTEL_ANY, NOW));          /* past valid_until */
    assert_non_null(look(t, "47.1.1.2", INTEL_ANY, NOW));
    assert_non_null(look(t, "48.200.1.1", INTEL_ANY, NOW));
    h = look(t, "49.1.1.1", INTEL_ANY, NOW);
    assert_non_null(h);
    assert_null(h->indicator);
    assert_non_null(look(t, "2001:db8:50::1", INTEL_ANY, NOW));
    /* revoked, AND-tied, unreadable validity, private, != : never match */
    assert_null(look(t, "45.1.1.1", INTEL_ANY, in_2020));
    assert_null(look(t, "46.1.1.1", INTEL_ANY, NOW));
    assert_null(look(t, "50.1.1.1", INTEL_ANY, NOW));
    assert_null(look(t, "51.1.1.1", INTEL_ANY, NOW));
    const char *r = report(t);
    assert_contains(r, "STIX 2.1, 9 entries from 4 indicators and 2 ipv4/ipv6-addr objects");
    assert_contains(r, "1 revoked indicator skipped");
    assert_contains(r, "1 indicator past valid_until at load");
    assert_contains(r, "1 private/bogon dropped (first object 12)");
    assert_contains(r, "1 other STIX objects ignored");
    assert_contains(r, "skipped 1 object: indicator pattern without an IP address (other observable types) (first object 4)");
    assert_contains(r, "skipped 2 objects: indicator pattern ties its IP to other conditions");
    assert_contains(r, "(first object 5)");
    assert_contains(r, "skipped 1 object: indicator pattern_type other than stix (first object 6)");
    assert_contains(r, "skipped 1 object: indicator with an unreadable valid_from or valid_until (first object 11)");
    intel_free(t);
}

static void test_stix_bare_object_array_and_lines(void **state) {
    (void)state;
    struct intel *t = intel_new();
    load_ok(t, write_file("bare.json",
        "{\"type\":\"indicator\",\"id\":\"indicator--x\",\"pattern\":\"[ ipv4-addr:value = '60.10.1.120' ]\","
        "\"pattern_type\":\"stix\",\"valid_from\":\"2020-01-01T00:00:00Z\"}"));
    load_ok(t, write_file("array.json",
        "[{\"type\":\"ipv4-addr\",\"value\":\"198.51.100.0/24\"},{\"type\":\"file\",\"name\":\"a\"}]"));
    load_ok(t, write_file("feed.jsonl",
        "{\"type\":\"indicator\",\"id\":\"indicator--l1\",\"pattern\":\"[ipv4-addr:value = '61.1.1.1']\"}\n"
        "{broken\n"
        "{\"type\":\"indicator\",\"id\":\"indicator--l3\",\"pattern\":\"[ipv4-addr:value = '61.1.1.3']\"}\n"));
    assert_int_equal(intel_size(t), 4);
    assert_string_equal(look(t, "60.10.1.120", INTEL_ANY, NOW)->indicator, "indicator--x");
    assert_true(listed(t, "198.51.100.200"));
    assert_string_equal(look(t, "61.1.1.3", INTEL_ANY, NOW)->indicator, "indicator--l3");
    const char *r = report(t);
    assert_contains(r, "STIX 2.1 (JSON lines), 2 entries from 2 indicators; skipped 1 line: invalid JSON (first line 2)");
    intel_free(t);
}

/* Several entries for one prefix: other labels, other validity periods. */
static void test_entries_sharing_a_prefix(void **state) {
    (void)state;
    struct intel *t = intel_new();
    load_ok(t, write_file("periods.json",
        "[{\"type\":\"indicator\",\"id\":\"indicator--2019\",\"pattern\":\"[ipv4-addr:value = '70.1.1.1']\","
        "\"valid_from\":\"2019-01-01T00:00:00Z\",\"valid_until\":\"2019-07-01T00:00:00Z\"},"
        " {\"type\":\"indicator\",\"id\":\"indicator--2021\",\"pattern\":\"[ipv4-addr:value = '70.1.1.1']\","
        "\"valid_from\":\"2021-01-01T00:00:00Z\",\"valid_until\":\"2021-07-01T00:00:00Z\"}]"));
    const char *tor = write_file("tor.txt", "70.1.1.1\n");
    char spec[300];
    snprintf(spec, sizeof spec, "tor=%s", tor);
    load_ok(t, spec);
    load_ok(t, spec);                                              /* again: merged, not doubled */
    assert_int_equal(intel_size(t), 3);
    assert_string_equal(look(t, "70.1.1.1", INTEL_MALICIOUS, at("2019-03-01T00:00:00Z"))->indicator, "indicator--2019");
    assert_string_equal(look(t, "70.1.1.1", INTEL_MALICIOUS, at("2021-03-01T00:00:00Z"))->indicator, "indicator--2021");
    assert_null(look(t, "70.1.1.1", INTEL_MALICIOUS, at("2020-03-01T00:00:00Z")));
    assert_int_equal(look(t, "70.1.1.1", INTEL_TOR, at("2020-03-01T00:00:00Z"))->label, INTEL_TOR);
    assert_int_equal(look(t, "70.1.1.1", INTEL_ANY, at("2020-03-01T00:00:00Z"))->label, INTEL_TOR);
    /* validity edges: valid_from <= t < valid_until */
    assert_non_null(look(t, "70.1.1.1", INTEL_MALICIOUS, at("2019-01-01T00:00:00Z")));
    assert_null(look(t, "70.1.1.1", INTEL_MALICIOUS, at("2019-01-01T00:00:00Z") - 1));
    assert_non_null(look(t, "70.1.1.1", INTEL_MALICIOUS, at("2019-07-01T00:00:00Z") - 1));
    assert_null(look(t, "70.1.1.1", INTEL_MALICIOUS, at("2019-07-01T00:00:00Z")));
    assert_contains(report(t), "1 already loaded (merged)");
    intel_free(t);
}

/* ---- longest-prefix match ---- */

static void test_longest_prefix_match(void **state) {
    (void)state;
    struct intel *t = intel_new();
    char spec[300];
    load_ok(t, write_file("mal.txt", "1.0.0.0/8\n1.2.3.0/24\n2001:db8::/32\n2001:db8:1:2::/64\n2000::/3\n"));
    snprintf(spec, sizeof spec, "tor=%s", write_file("tor.txt", "1.2.0.0/16\n2001:db8:1:2::77\n"));
    load_ok(t, spec);
    snprintf(spec, sizeof spec, "anonymizer=%s", write_file("anon.txt", "1.2.3.4\n::ffff:1.2.3.5\n"));
    load_ok(t, spec);
    const struct intel_hit *h = look(t, "1.2.3.4", INTEL_ANY, NOW);
    assert_int_equal(h->plen, 128);
    assert_int_equal(h->label, INTEL_ANONYMIZER);
    h = look(t, "1.2.3.4", INTEL_MALICIOUS, NOW);
    assert_int_equal(h->plen, 120);
    h = look(t, "1.2.3.4", INTEL_TOR, NOW);
    assert_int_equal(h->plen, 112);
    h = look(t, "1.2.9.9", INTEL_MALICIOUS | INTEL_ANONYMIZER, NOW);
    assert_int_equal(h->plen, 104);
    h = look(t, "1.2.3.5", INTEL_ANY, NOW);                 /* written IPv4-mapped */
    assert_int_equal(h->plen, 128);
    assert_int_equal(h->label, INTEL_ANONYMIZER);
    char text[IP_STRLEN];
    ip_format(&h->prefix, text);
    assert_string_equal(text, "1.2.3.5");
    assert_null(look(t, "2.0.0.1", INTEL_ANY, NOW));
    assert_null(look(t, "1.2.3.4", 0, NOW));
    /* IPv6: /128 inside /64 inside /32 inside /3 */
    assert_int_equal(look(t, "2001:db8:1:2::77", INTEL_ANY, NOW)->plen, 128);
    assert_int_equal(look(t, "2001:db8:1:2::78", INTEL_ANY, NOW)->plen, 64);
    assert_int_equal(look(t, "2001:db8:9::1", INTEL_ANY, NOW)->plen, 32);
    assert_int_equal(look(t, "2a00::1", INTEL_ANY, NOW)->plen, 3);
    ip_format(&look(t, "2001:db8:9::1", INTEL_ANY, NOW)->prefix, text);
    assert_string_equal(text, "2001:db8::");
    assert_null(look(t, "4000::1", INTEL_ANY, NOW));
    /* an IPv6 prefix never covers an IPv4 address, whatever its bits */
    assert_null(look(t, "32.1.13.184", INTEL_MALICIOUS, NOW));
    intel_free(t);
}

/* /0 and the widest prefixes around private space are dropped; /32 and
 * /128 are exact. */
static void test_prefix_length_extremes(void **state) {
    (void)state;
    struct intel *t = intel_new();
    load_ok(t, write_file("edges.txt", "0.0.0.0/0\n::/0\n128.0.0.0/1\n8.8.8.8/32\n2001:db8::8/128\n"));
    assert_int_equal(intel_size(t), 2);
    assert_true(listed(t, "8.8.8.8"));
    assert_false(listed(t, "8.8.8.9"));
    assert_true(listed(t, "2001:db8::8"));
    assert_false(listed(t, "2001:db8::9"));
    assert_false(listed(t, "130.1.1.1"));                      /* 128/1 holds 169.254/16 and more */
    intel_free(t);
    t = intel_new();
    load_ok(t, write_file("wide.txt", "96.0.0.0/3\n"            /* 96-127: holds 100.64/10 and 127/8 */
                                      "32.0.0.0/3\n"));          /* 32-63: public only */
    assert_int_equal(intel_size(t), 1);
    assert_true(listed(t, "33.1.1.1"));
    assert_int_equal(look(t, "63.255.255.255", INTEL_ANY, NOW)->plen, 99);
    assert_false(listed(t, "100.1.1.1"));
    intel_free(t);
}

/* ---- errors ---- */

static void test_errors(void **state) {
    (void)state;
    struct intel *t = intel_new();
    char err[512] = "";
    assert_int_equal(intel_load(t, "/nonexistent/intel.txt", err, sizeof err), -1);
    assert_contains(err, "/nonexistent/intel.txt");
    assert_null(strchr(err, '\n'));
    char spec[300];
    snprintf(spec, sizeof spec, "evil=%s", write_file("x.txt", "8.8.8.8\n"));
    assert_int_equal(intel_load(t, spec, err, sizeof err), -1);
    assert_contains(err, "unknown threat-intel label 'evil'");
    assert_int_equal(intel_load(t, write_file("empty.txt", ""), err, sizeof err), -1);
    assert_contains(err, "no usable threat-intel entry");
    assert_int_equal(intel_load(t, write_file("comments.txt", "# nothing\n; here\n"), err, sizeof err), -1);
    assert_int_equal(intel_load(t, write_file("private.txt", "10.0.0.1\n192.168.1.0/24\n"), err, sizeof err), -1);
    assert_contains(err, "2 private/bogon dropped");
    assert_int_equal(intel_load(t, write_file("broken.json", "{\"type\": \"bundle\", \"objects\": [\n"), err, sizeof err), -1);
    assert_contains(err, "not valid JSON");
    assert_int_equal(intel_size(t), 0);
    assert_null(look(t, "8.8.8.8", INTEL_ANY, NOW));
    assert_string_equal(report(t), "");
    /* a directory holding '=' in its name is a path, not a label */
    char sub[256];
    snprintf(sub, sizeof sub, "%s/a=b", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(spec, sizeof spec, "%s/a=b/list.txt", dir);
    FILE *f = fopen(spec, "w");
    assert_non_null(f);
    fputs("8.8.4.4\n", f);
    fclose(f);
    load_ok(t, spec);
    assert_true(listed(t, "8.8.4.4"));
    assert_null(intel_lookup(NULL, &(struct ipaddr){ { 0 } }, INTEL_ANY, NOW));
    intel_free(t);
}

static void test_report_totals(void **state) {
    (void)state;
    struct intel *t = intel_new();
    char spec[300];
    snprintf(spec, sizeof spec, "tor=%s", write_file("t.txt", "185.220.101.1\n185.220.101.2\n"));
    load_ok(t, spec);
    load_ok(t, write_file("m.txt", "45.1.1.1\n"));
    const char *r = report(t);
    assert_contains(r, "  intel tor t.txt: plain list, 2 entries\n");
    assert_contains(r, "  intel malicious m.txt: plain list, 1 entry\n");
    assert_contains(r, "  intel: 3 entries (tor 2, anonymizer 0, malicious 1) from 2 files\n");
    assert_string_equal(intel_label_name(INTEL_ANONYMIZER), "anonymizer");
    intel_free(t);
}

/* Text already in memory: the name stands for the file. */
static void test_load_from_memory(void **state) {
    (void)state;
    struct intel *t = intel_new();
    char err[256], name[32] = "inline:tor";
    const char text[] = "185.220.101.7\n10.0.0.1\n";
    assert_int_equal(intel_load_mem(t, INTEL_TOR, name, text, strlen(text), err, sizeof err), 0);
    strcpy(name, "overwritten");
    const struct intel_hit *h = look(t, "185.220.101.7", INTEL_TOR, NOW);
    assert_non_null(h);
    assert_string_equal(h->source, "inline:tor");
    assert_int_equal(h->line, 1);
    assert_int_equal(intel_load_mem(t, INTEL_MALICIOUS, "inline:none", "# nothing", 9, err, sizeof err), -1);
    assert_contains(err, "inline:none: no usable threat-intel entry");
    assert_contains(report(t), "  intel tor inline:tor: plain list, 1 entry; 1 private/bogon dropped (first line 2)\n");
    intel_free(t);
}

/* ---- public samples ---- */

static const char *shared_data(void) {
    const char *d = getenv("VIGIL_SHARED_DATA");
    return d ? d : "../shared/data";
}

/* Every sample loads, or is refused with its reason: STIX examples whose
 * only indicators are private (10.0.0.0), revoked or not about addresses
 * have no usable entry. */
static void test_public_samples(void **state) {
    (void)state;
    char path[512], spec[600], err[512];
    snprintf(path, sizeof path, "%s/threat-intel", shared_data());
    struct stat st;
    if (stat(path, &st) != 0) skip();
    static const struct { const char *file; long entries; const char *refusal; } expect[] = {
        { "threat-intel/capNcook-torbulkexitlist", 1305, NULL },
        { "threat-intel/secops-spamhaus-drop.txt", 989, NULL },
        { "threat-intel/secops-spamhaus-drop_ipv6.txt", 51, NULL },
        { "threat-intel/abusech-feodo-ipblocklist.csv", 28, NULL },
        { "threat-intel/ipsum-levels-8.txt", 59, NULL },
        { "threat-intel/opencti-exclusionListIPValues.txt", 1, NULL },
        { "threat-intel/ipban-EmergingThreats.txt", 1354, NULL },
        { "threat-intel/ipban-SpamHaus-ranges.txt", 1278, NULL },
        { "stix/cti-stix2-json-schemas/apt1.json", 4, NULL },
        { "stix/cti-stix2-json-schemas/poisonivy.json", 40, NULL },
        { "stix/cti-stix2-json-schemas/infrastructure.json", 1, NULL },
        { "stix/cti-python-stix2/sco-examples-bundle.json", 15, NULL },
        { "stix/cti-stix2-json-schemas/indicator-for-c2-ip-address.json", 0, "1 private/bogon dropped" },
        { "stix/cti-stix2-json-schemas/indicator-to-campaign-relationship.json", 0, "1 private/bogon dropped" },
        { "stix/cti-stix2-json-schemas/indicators-for-C2-with-COA.json", 0, "1 private/bogon dropped" },
        { "stix/cti-stix2-json-schemas/interop-objectmarking-test.json", 0, "1 other STIX objects ignored" },
        { "stix/cti-stix2-json-schemas/malicious-email-indicator-with-attachment.json", 0, "without an IP address" },
        { "stix/cti-documentation/indicator-for-malicious-url.json", 0, "without an IP address" },
        { "stix/cti-documentation/malware-indicator-for-file-hash.json", 0, "without an IP address" },
        { "stix/cti-documentation/sighting-of-an-indicator.json", 0, "without an IP address" },
        { "stix/cti-documentation/sighting-of-observed-data.json", 0, "8 other STIX objects ignored" },
        { "stix/cti-documentation/using-marking-definitions.json", 0, "1 private/bogon dropped" },
        { "stix/opencti/stix2-indicator.json", 0, "1 revoked indicator skipped" },
    };
    unsigned files = 0;
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", shared_data(), expect[i].file);
        if (stat(path, &st) != 0) continue;
        files++;
        struct intel *t = intel_new();
        int rc = intel_load(t, path, err, sizeof err);
        if (expect[i].refusal) {
            if (rc != -1) fail_msg("%s loaded, expected a refusal", expect[i].file);
            assert_contains(err, expect[i].refusal);
        } else {
            if (rc != 0) fail_msg("%s: %s", expect[i].file, err);
            if ((long)intel_size(t) != expect[i].entries)
                fail_msg("%s: %zu entries, expected %ld", expect[i].file, intel_size(t), expect[i].entries);
        }
        intel_free(t);
    }
    assert_true(files >= 20);

    /* all of them in one set, as vigil scan --intel ... would */
    struct intel *t = intel_new();
    snprintf(spec, sizeof spec, "tor=%s/threat-intel/capNcook-torbulkexitlist", shared_data());
    load_ok(t, spec);
    const char *more[] = { "threat-intel/abusech-feodo-ipblocklist.csv", "threat-intel/secops-spamhaus-drop.txt",
                           "threat-intel/secops-spamhaus-drop_ipv6.txt", "stix/cti-stix2-json-schemas/apt1.json",
                           "stix/cti-stix2-json-schemas/poisonivy.json" };
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", shared_data(), more[i]);
        load_ok(t, path);
    }
    /* first and last line of the TOR list (no newline after it) */
    assert_int_equal(look(t, "185.241.208.232", INTEL_TOR, NOW)->line, 1);
    assert_int_equal(look(t, "45.77.67.251", INTEL_TOR, NOW)->line, 1305);
    assert_null(look(t, "185.241.208.232", INTEL_MALICIOUS, NOW));
    /* Feodo: the address comes from dst_ip, the name from malware */
    const struct intel_hit *h = look(t, "172.233.221.61", INTEL_MALICIOUS, NOW);
    assert_non_null(h);
    assert_string_equal(h->name, "Pikabot");
    /* APT1's CIDR indicator holds an address inside it */
    h = look(t, "223.167.99.1", INTEL_MALICIOUS, NOW);
    assert_non_null(h);
    assert_int_equal(h->plen, 96 + 15);
    assert_non_null(h->indicator);
    /* poisonivy: an IP out of an OR list mixing domain names */
    assert_non_null(look(t, "219.90.112.197", INTEL_MALICIOUS, NOW));
    /* Spamhaus DROP v6 */
    assert_non_null(look(t, "2a12:2640::1", INTEL_MALICIOUS, NOW));
    assert_null(look(t, "8.8.8.8", INTEL_ANY, NOW));
    assert_contains(report(t), "intel tor capNcook-torbulkexitlist: plain list, 1305 entries\n");
    intel_free(t);

    /* the revoked OpenCTI indicator is not an entry of any set */
    t = intel_new();
    snprintf(path, sizeof path, "%s/stix/opencti/stix2-indicator.json", shared_data());
    assert_int_equal(intel_load(t, path, err, sizeof err), -1);
    assert_int_equal(intel_size(t), 0);
    intel_free(t);
}

/* ---- micro-benchmark (VIGIL_BENCH=1; no assertion on time) ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint32_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 32);
}

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void test_bench_lookup(void **state) {
    (void)state;
    if (!getenv("VIGIL_BENCH")) skip();
    /* 100k public /32s, 2k CIDRs /10../24, 1k IPv6 /32../48 */
    FILE *f = fopen(write_file("big.txt", ""), "w");
    assert_non_null(f);
    unsigned written = 0;
    while (written < 100000) {
        uint32_t a = rnd();
        if ((a >> 24) == 10 || (a >> 24) == 127 || (a >> 24) >= 224 || (a >> 24) == 0) continue;
        fprintf(f, "%u.%u.%u.%u\n", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
        written++;
    }
    for (int i = 0; i < 2000; i++) {
        uint32_t a = rnd();
        fprintf(f, "%u.%u.%u.0/%u\n", 1 + (a >> 24) % 9, (a >> 16) & 255, (a >> 8) & 255, 10 + rnd() % 15);
    }
    for (int i = 0; i < 1000; i++) fprintf(f, "2a%02x:%x::/%u\n", rnd() & 255, rnd() & 0xffff, 32 + rnd() % 17);
    fclose(f);
    struct intel *t = intel_new();
    double t0 = now_ns();
    char path[256];
    snprintf(path, sizeof path, "%s/big.txt", dir);
    load_ok(t, path);
    double load_ms = (now_ns() - t0) / 1e6;
    enum { N = 1 << 16, ROUNDS = 64 };
    struct ipaddr *ips = malloc(N * sizeof *ips);
    assert_non_null(ips);
    for (int i = 0; i < N; i++) {
        uint32_t a = rnd();
        uint8_t v4[4] = { (uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a };
        ip_from_v4(&ips[i], v4);
    }
    volatile size_t hits = 0;
    t0 = now_ns();
    for (int r = 0; r < ROUNDS; r++)
        for (int i = 0; i < N; i++) hits += intel_lookup(t, &ips[i], INTEL_ANY, NOW) != NULL;
    double v4_ns = (now_ns() - t0) / ((double)N * ROUNDS);
    for (int i = 0; i < N; i++) {
        uint8_t v6[16] = { 0x2a, (uint8_t)rnd() };
        for (int k = 2; k < 16; k++) v6[k] = (uint8_t)rnd();
        ip_from_v6(&ips[i], v6);
    }
    t0 = now_ns();
    for (int r = 0; r < ROUNDS; r++)
        for (int i = 0; i < N; i++) hits += intel_lookup(t, &ips[i], INTEL_ANY, NOW) != NULL;
    double v6_dense_ns = (now_ns() - t0) / ((double)N * ROUNDS);
    for (int i = 0; i < N; i++) ips[i].b[0] = (uint8_t)(0x20 | (rnd() & 0x1f));   /* anywhere in 2000::/3 */
    t0 = now_ns();
    for (int r = 0; r < ROUNDS; r++)
        for (int i = 0; i < N; i++) hits += intel_lookup(t, &ips[i], INTEL_ANY, NOW) != NULL;
    double v6_ns = (now_ns() - t0) / ((double)N * ROUNDS);
    printf("intel bench: %zu entries loaded in %.1f ms; lookup: random IPv4 %.1f ns, random IPv6 in 2a00::/8 "
           "(where all IPv6 entries are) %.1f ns, random IPv6 in 2000::/3 %.1f ns (%zu hits)\n",
           intel_size(t), load_ms, v4_ns, v6_dense_ns, v6_ns, (size_t)hits);
    free(ips);
    intel_free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_list_quirks),
        cmocka_unit_test(test_ranges_split_into_prefixes),
        cmocka_unit_test(test_range_over_private_space),
        cmocka_unit_test(test_private_space_dropped),
        cmocka_unit_test(test_csv_feodo_shape),
        cmocka_unit_test(test_csv_header_variants),
        cmocka_unit_test(test_headerless_csv_as_plain),
        cmocka_unit_test(test_tordnsel_exit_addresses),
        cmocka_unit_test(test_stix_bundle),
        cmocka_unit_test(test_stix_bare_object_array_and_lines),
        cmocka_unit_test(test_entries_sharing_a_prefix),
        cmocka_unit_test(test_longest_prefix_match),
        cmocka_unit_test(test_prefix_length_extremes),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_report_totals),
        cmocka_unit_test(test_load_from_memory),
        cmocka_unit_test(test_public_samples),
        cmocka_unit_test(test_bench_lookup),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
