/* The VM inventory: who held an IP at t, and over a whole clock hour;
 * joins, gaps, open ends, ambiguous overlaps, malformed lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/inventory.h"
#include "tmpdir.h"
#include "util/timeutil.h"

static char dir[128];

static int setup(void **state) {
    (void)state;
    return tmpdir_make(dir, sizeof dir, "inventory");
}

static int teardown(void **state) {
    (void)state;
    return tmpdir_remove(dir);
}

static const char *write_file(const char *name, const char *text) {
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite(text, 1, strlen(text), f);
    fclose(f);
    return path;
}

static struct inventory *load(const char *name, const char *text) {
    struct inventory *inv = inventory_new();
    char err[512] = "";
    if (inventory_load(inv, write_file(name, text), err, sizeof err) != 0) fail_msg("inventory_load: %s", err);
    return inv;
}

static int64_t at(const char *rfc3339) {
    int64_t t;
    if (!time_parse(vstr_c(rfc3339), &t)) fail_msg("bad test time %s", rfc3339);
    return t;
}

static struct ipaddr ip(const char *s) {
    struct ipaddr a;
    if (!ip_parse(s, strlen(s), &a)) fail_msg("bad test address %s", s);
    return a;
}

/* The holder as a C string ("" for none). */
static const char *vm_at(const struct inventory *inv, const char *addr, const char *when) {
    static char out[128];
    struct ipaddr a = ip(addr);
    vstr v = inventory_vm_at(inv, &a, at(when));
    snprintf(out, sizeof out, "%.*s", (int)v.n, v.p ? v.p : "");
    return out;
}

static const char *vm_whole(const struct inventory *inv, const char *addr, const char *from, const char *to) {
    static char out[128];
    struct ipaddr a = ip(addr);
    vstr v = inventory_vm_whole(inv, &a, at(from), at(to));
    snprintf(out, sizeof out, "%.*s", (int)v.n, v.p ? v.p : "");
    return out;
}

static const char *report(const struct inventory *inv) {
    static char out[4096];
    buf b;
    buf_init(&b);
    inventory_report(inv, &b);
    snprintf(out, sizeof out, "%s", buf_cstr(&b));
    buf_free(&b);
    return out;
}

static void assert_contains(const char *hay, const char *needle) {
    if (!strstr(hay, needle)) fail_msg("expected \"%s\" in:\n%s", needle, hay);
}

static void test_basic_questions(void **state) {
    (void)state;
    struct inventory *inv = load("inv.jsonl",
        "{\"vm\": \"vm-web-1\", \"ip\": \"10.0.0.4\", \"from\": \"2026-03-01T10:00:00Z\", \"to\": \"2026-03-01T11:00:00Z\"}\n"
        "{\"vm\": \"vm-db-1\", \"ip\": \"2001:db8::5\", \"from\": \"2026-03-01T00:00:00Z\", \"to\": null}\n");
    assert_int_equal(inventory_size(inv), 2);
    struct ipaddr a = ip("10.0.0.4"), b = ip("::ffff:10.0.0.4"), c = ip("10.0.0.5");
    assert_true(inventory_knows(inv, &a));
    assert_true(inventory_knows(inv, &b));             /* IPv4-mapped is the same address */
    assert_false(inventory_knows(inv, &c));
    assert_string_equal(vm_at(inv, "10.0.0.4", "2026-03-01T10:30:00Z"), "vm-web-1");
    assert_string_equal(vm_at(inv, "10.0.0.4", "2026-03-01T09:59:59Z"), "");
    assert_string_equal(vm_at(inv, "10.0.0.5", "2026-03-01T10:30:00Z"), "");
    assert_string_equal(vm_at(inv, "2001:db8::5", "2030-01-01T00:00:00Z"), "vm-db-1");   /* to: null */
    assert_string_equal(vm_whole(inv, "2001:db8::5", "2026-03-01T00:00:00Z", "2099-01-01T00:00:00Z"), "vm-db-1");
    inventory_free(inv);
}

/* [from, to) is half-open: a VM holding 10:00-11:00 owns the hour exactly. */
static void test_hour_boundaries(void **state) {
    (void)state;
    struct inventory *inv = load("hour.jsonl",
        "{\"vm\": \"vm-a\", \"ip\": \"10.0.0.4\", \"from\": \"2026-03-01T10:00:00Z\", \"to\": \"2026-03-01T11:00:00Z\"}\n"
        "{\"vm\": \"vm-b\", \"ip\": \"10.0.0.9\", \"from\": \"2026-03-01T10:00:00.000001Z\", \"to\": \"2026-03-01T12:00:00Z\"}\n");
    assert_string_equal(vm_whole(inv, "10.0.0.4", "2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z"), "vm-a");
    assert_string_equal(vm_whole(inv, "10.0.0.4", "2026-03-01T10:00:00Z", "2026-03-01T11:00:00.000001Z"), "");
    assert_string_equal(vm_whole(inv, "10.0.0.4", "2026-03-01T09:59:59.999999Z", "2026-03-01T11:00:00Z"), "");
    assert_string_equal(vm_at(inv, "10.0.0.4", "2026-03-01T10:00:00Z"), "vm-a");
    assert_string_equal(vm_at(inv, "10.0.0.4", "2026-03-01T11:00:00Z"), "");
    assert_string_equal(vm_at(inv, "10.0.0.4", "2026-03-01T10:59:59.999999Z"), "vm-a");
    /* one microsecond late: not the whole 10:00 hour, but the 11:00 one */
    assert_string_equal(vm_whole(inv, "10.0.0.9", "2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z"), "");
    assert_string_equal(vm_whole(inv, "10.0.0.9", "2026-03-01T11:00:00Z", "2026-03-01T12:00:00Z"), "vm-b");
    /* an empty or reversed window has no holder */
    assert_string_equal(vm_whole(inv, "10.0.0.4", "2026-03-01T10:30:00Z", "2026-03-01T10:30:00Z"), "");
    assert_string_equal(vm_whole(inv, "10.0.0.4", "2026-03-01T10:40:00Z", "2026-03-01T10:30:00Z"), "");
    inventory_free(inv);
}

static void test_holder_changes_mid_hour(void **state) {
    (void)state;
    struct inventory *inv = load("change.jsonl",
        "{\"vm\": \"vm-a\", \"ip\": \"10.0.0.4\", \"from\": \"2026-03-01T09:00:00Z\", \"to\": \"2026-03-01T10:30:00Z\"}\n"
        "{\"vm\": \"vm-b\", \"ip\": \"10.0.0.4\", \"from\": \"2026-03-01T10:30:00Z\", \"to\": \"2026-03-01T12:00:00Z\"}\n");
    assert_string_equal(vm_whole(inv, "10.0.0.4", "2026-03-01T09:00:00Z", "2026-03-01T10:00:00Z"), "vm-a");
    assert_string_equal(vm_whole(inv, "10.0.0.4", "2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z"), "");
    assert_string_equal(vm_whole(inv, "10.0.0.4", "2026-03-01T11:00:00Z", "2026-03-01T12:00:00Z"), "vm-b");
    assert_string_equal(vm_at(inv, "10.0.0.4", "2026-03-01T10:29:59Z"), "vm-a");
    assert_string_equal(vm_at(inv, "10.0.0.4", "2026-03-01T10:30:00Z"), "vm-b");
    assert_string_equal(report(inv), "  inventory change.jsonl: 2 lines, 2 intervals\n"
                                     "  inventory: 2 intervals for 2 VMs on 1 address\n");
    inventory_free(inv);
}

/* Intervals of one VM that touch, overlap or repeat are one holding; a
 * gap between them breaks it. */
static void test_same_vm_joined(void **state) {
    (void)state;
    struct inventory *inv = load("join.jsonl",
        "{\"vm\": \"vm-a\", \"ip\": \"10.0.0.4\", \"from\": \"2026-03-01T09:00:00Z\", \"to\": \"2026-03-01T10:15:00Z\"}\n"
        "{\"vm\": \"vm-a\", \"ip\": \"10.0.0.4\", \"from\": \"2026-03-01T10:15:00Z\", \"to\": \"2026-03-01T10:45:00Z\"}\n"
        "{\"vm\": \"vm-a\", \"ip\": \"10.0.0.4\", \"from\": \"2026-03-01T10:30:00Z\", \"to\": \"2026-03-01T11:30:00Z\"}\n"
        "{\"vm\": \"vm-a\", \"ip\": \"10.0.0.4\", \"from\": \"2026-03-01T10:30:00Z\", \"to\": \"2026-03-01T11:30:00Z\"}\n"
        "{\"vm\": \"vm-a\", \"ip\": \"10.0.0.4\", \"from\": \"2026-03-01T11:31:00Z\", \"to\": \"2026-03-01T13:00:00Z\"}\n");
    assert_int_equal(inventory_size(inv), 2);
    assert_string_equal(vm_whole(inv, "10.0.0.4", "2026-03-01T09:00:00Z", "2026-03-01T11:30:00Z"), "vm-a");
    assert_string_equal(vm_whole(inv, "10.0.0.4", "2026-03-01T11:00:00Z", "2026-03-01T12:00:00Z"), "");
    assert_string_equal(vm_at(inv, "10.0.0.4", "2026-03-01T11:30:30Z"), "");
    assert_string_equal(vm_whole(inv, "10.0.0.4", "2026-03-01T12:00:00Z", "2026-03-01T13:00:00Z"), "vm-a");
    assert_contains(report(inv), "2 intervals for 1 VM on 1 address; 3 duplicate or overlapping intervals of one VM joined");
    inventory_free(inv);
}

/* Two VMs claiming one IP at once: both kept, counted, and the contested
 * period has no holder. */
static void test_ambiguous_overlap(void **state) {
    (void)state;
    struct inventory *inv = load("amb.jsonl",
        "{\"vm\": \"vm-a\", \"ip\": \"10.0.0.4\", \"from\": \"2026-03-01T09:00:00Z\", \"to\": \"2026-03-01T12:00:00Z\"}\n"
        "{\"vm\": \"vm-b\", \"ip\": \"10.0.0.4\", \"from\": \"2026-03-01T10:00:00Z\", \"to\": \"2026-03-01T11:00:00Z\"}\n"
        "{\"vm\": \"vm-c\", \"ip\": \"10.0.0.8\", \"from\": \"2026-03-01T10:00:00Z\"}\n"
        "{\"vm\": \"vm-d\", \"ip\": \"10.0.0.8\", \"from\": \"2026-03-01T10:00:00Z\", \"to\": null}\n");
    assert_int_equal(inventory_size(inv), 4);
    assert_string_equal(vm_at(inv, "10.0.0.4", "2026-03-01T09:30:00Z"), "vm-a");
    assert_string_equal(vm_at(inv, "10.0.0.4", "2026-03-01T10:30:00Z"), "");
    assert_string_equal(vm_at(inv, "10.0.0.4", "2026-03-01T11:00:00Z"), "vm-a");
    assert_string_equal(vm_whole(inv, "10.0.0.4", "2026-03-01T09:00:00Z", "2026-03-01T10:00:00Z"), "vm-a");
    assert_string_equal(vm_whole(inv, "10.0.0.4", "2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z"), "");
    assert_string_equal(vm_whole(inv, "10.0.0.4", "2026-03-01T11:00:00Z", "2026-03-01T12:00:00Z"), "vm-a");
    assert_string_equal(vm_whole(inv, "10.0.0.4", "2026-03-01T09:00:00Z", "2026-03-01T12:00:00Z"), "");
    assert_string_equal(vm_at(inv, "10.0.0.8", "2026-03-01T10:30:00Z"), "");
    struct ipaddr a = ip("10.0.0.8");
    assert_true(inventory_knows(inv, &a));
    assert_contains(report(inv), "; 2 periods where two VMs held one address (no holder is named then; first: 10.0.0.4, "
                                 "vm-a and vm-b from 2026-03-01T10:00:00Z)");
    inventory_free(inv);
}

static void test_time_forms(void **state) {
    (void)state;
    struct inventory *inv = load("times.jsonl",
        "{\"vm\": \"vm-a\", \"ip\": \"10.0.0.1\", \"from\": 1772359200, \"to\": 1772362800}\n"
        "{\"vm\": \"vm-b\", \"ip\": \"10.0.0.2\", \"from\": 1772359200.5, \"to\": \"2026-03-01T13:00:00+02:00\"}\n"
        "{\"ip\": \"10.0.0.3\", \"to\": null, \"from\": \"2026-03-01 10:00:00\", \"vm\": \"vm-c\", \"extra\": {\"x\": [1]}}\n");
    assert_int_equal(inventory_size(inv), 3);
    assert_string_equal(vm_whole(inv, "10.0.0.1", "2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z"), "vm-a");
    assert_string_equal(vm_at(inv, "10.0.0.2", "2026-03-01T10:00:00Z"), "");
    assert_string_equal(vm_at(inv, "10.0.0.2", "2026-03-01T10:00:00.5Z"), "vm-b");
    assert_string_equal(vm_at(inv, "10.0.0.2", "2026-03-01T10:00:00.499999Z"), "");
    assert_string_equal(vm_at(inv, "10.0.0.2", "2026-03-01T10:59:59Z"), "vm-b");
    assert_string_equal(vm_at(inv, "10.0.0.2", "2026-03-01T11:00:00Z"), "");
    assert_string_equal(vm_at(inv, "10.0.0.3", "2026-03-01T10:00:00Z"), "vm-c");
    inventory_free(inv);
}

/* Bad lines are counted with their line numbers; the good ones around
 * them are kept. */
static void test_malformed_lines(void **state) {
    (void)state;
    struct inventory *inv = load("bad.jsonl",
        "\xef\xbb\xbf{\"vm\": \"vm-a\", \"ip\": \"10.0.0.1\", \"from\": \"2026-03-01T10:00:00Z\"}\r\n"
        "{\"vm\": \"vm-b\", \"ip\": \"10.0.0.2\", \"from\": \"2026-03-01T10:00:00Z\"\r\n"       /* 2: unclosed */
        "\r\n"
        "[\"vm-c\", \"10.0.0.3\"]\r\n"                                                        /* 4 */
        "{\"ip\": \"10.0.0.4\", \"from\": \"2026-03-01T10:00:00Z\"}\r\n"                       /* 5: no vm */
        "{\"vm\": 17, \"ip\": \"10.0.0.4\", \"from\": \"2026-03-01T10:00:00Z\"}\r\n"           /* 6: vm a number */
        "{\"vm\": \"vm-e\", \"ip\": \"10.0.0.300\", \"from\": \"2026-03-01T10:00:00Z\"}\r\n"   /* 7 */
        "{\"vm\": \"vm-f\", \"ip\": \"10.0.0.6\", \"from\": \"yesterday\"}\r\n"               /* 8 */
        "{\"vm\": \"vm-g\", \"ip\": \"10.0.0.7\", \"from\": \"2026-03-01T10:00:00Z\", \"to\": true}\r\n"   /* 9 */
        "{\"vm\": \"vm-h\", \"ip\": \"10.0.0.8\", \"from\": \"2026-03-01T10:00:00Z\", \"to\": \"2026-03-01T10:00:00Z\"}\r\n"
        "{\"vm\": \"vm-i\", \"ip\": \"10.0.0.9\"}\r\n"                                        /* 11: no from */
        "{\"vm\": \"vm-j\", \"ip\": \"10.0.0.10\", \"from\": 1e300}\r\n"                      /* 12 */
        "{\"vm\": \"vm-k\", \"ip\": \"10.0.0.11\", \"from\": \"2026-03-01T10:00:00Z\"} trailing\r\n"  /* 13 */
        "{\"vm\": \"vm-z\", \"ip\": \"10.0.0.99\", \"from\": \"2026-03-01T10:00:00Z\"}");   /* 14, no newline */
    assert_int_equal(inventory_size(inv), 2);
    assert_string_equal(vm_at(inv, "10.0.0.1", "2026-03-01T10:00:00Z"), "vm-a");
    assert_string_equal(vm_at(inv, "10.0.0.99", "2026-03-01T10:00:00Z"), "vm-z");
    const char *r = report(inv);
    assert_contains(r, "  inventory bad.jsonl: 13 lines, 2 intervals");
    assert_contains(r, "skipped 2 lines: not valid JSON (first line 2)");
    assert_contains(r, "skipped 1 line: not a JSON object (first line 4)");
    assert_contains(r, "skipped 2 lines: missing or empty \"vm\" (a string) (first line 5)");
    assert_contains(r, "skipped 1 line: missing or unreadable \"ip\" (first line 7)");
    assert_contains(r, "skipped 3 lines: missing or unreadable \"from\" (RFC 3339 or epoch seconds) (first line 8)");
    assert_contains(r, "skipped 1 line: unreadable \"to\" (RFC 3339, epoch seconds or null) (first line 9)");
    assert_contains(r, "skipped 1 line: \"to\" not after \"from\" (first line 10)");
    assert_contains(r, "  inventory: 2 intervals for 2 VMs on 2 addresses\n");
    inventory_free(inv);
}

static void test_errors_and_several_files(void **state) {
    (void)state;
    struct inventory *inv = inventory_new();
    char err[512] = "";
    assert_int_equal(inventory_load(inv, "/nonexistent/inv.jsonl", err, sizeof err), -1);
    assert_contains(err, "/nonexistent/inv.jsonl");
    assert_int_equal(inventory_load(inv, write_file("none.jsonl", "not json\n{}\n"), err, sizeof err), -1);
    assert_contains(err, "no valid inventory line");
    assert_contains(err, "first line 1");
    assert_null(strchr(err, '\n'));
    assert_int_equal(inventory_load(inv, write_file("empty.jsonl", ""), err, sizeof err), -1);
    assert_int_equal(inventory_size(inv), 0);
    struct ipaddr a = ip("10.0.0.1");
    assert_false(inventory_knows(inv, &a));
    assert_int_equal(inventory_vm_at(inv, &a, 0).n, 0);
    assert_string_equal(report(inv), "");
    /* two files: the second adds to the first, and joins with it */
    assert_int_equal(inventory_load(inv, write_file("one.jsonl",
        "{\"vm\": \"vm-a\", \"ip\": \"10.0.0.1\", \"from\": \"2026-03-01T09:00:00Z\", \"to\": \"2026-03-01T10:00:00Z\"}\n"),
        err, sizeof err), 0);
    assert_int_equal(inventory_load(inv, write_file("two.jsonl",
        "{\"vm\": \"vm-a\", \"ip\": \"10.0.0.1\", \"from\": \"2026-03-01T10:00:00Z\", \"to\": \"2026-03-01T11:00:00Z\"}\n"
        "{\"vm\": \"vm-b\", \"ip\": \"10.0.0.2\", \"from\": \"2026-03-01T10:00:00Z\"}\n"),
        err, sizeof err), 0);
    assert_int_equal(inventory_size(inv), 2);
    assert_string_equal(vm_whole(inv, "10.0.0.1", "2026-03-01T09:30:00Z", "2026-03-01T10:30:00Z"), "vm-a");
    assert_string_equal(vm_at(inv, "10.0.0.2", "2026-03-02T00:00:00Z"), "vm-b");
    assert_null(inventory_vm_at(NULL, &a, 0).p);
    inventory_free(inv);
}

static void test_load_from_memory(void **state) {
    (void)state;
    struct inventory *inv = inventory_new();
    char err[256];
    const char text[] = "{\"vm\": \"vm-m\", \"ip\": \"10.1.0.1\", \"from\": \"2026-03-01T10:00:00Z\"}";
    assert_int_equal(inventory_load_mem(inv, "inline", text, strlen(text), err, sizeof err), 0);
    assert_string_equal(vm_at(inv, "10.1.0.1", "2026-03-01T10:00:00Z"), "vm-m");
    assert_int_equal(inventory_load_mem(inv, "inline2", "{", 1, err, sizeof err), -1);
    assert_string_equal(err, "inline2: no valid inventory line (1 line, 0 intervals; skipped 1 line: not valid JSON "
                             "(first line 1))");
    assert_contains(report(inv), "  inventory inline: 1 line, 1 interval\n");
    inventory_free(inv);
}

/* Many addresses and holders: every answer agrees with a brute-force
 * reading of the intervals. */
static void test_agrees_with_brute_force(void **state) {
    (void)state;
    enum { IPS = 40, LINES = 600, HOURS = 48 };
    struct iv { int ip, vm; int64_t from, to; } ivs[LINES];
    uint64_t x = 12345;
    FILE *f = fopen(write_file("many.jsonl", ""), "w");
    assert_non_null(f);
    int64_t base = at("2026-03-01T00:00:00Z");
    for (int i = 0; i < LINES; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        int addr = (int)((x >> 33) % IPS), vm = (int)((x >> 20) % 5);
        int64_t from = base + (int64_t)((x >> 40) % (HOURS * 4)) * 15 * US_PER_MIN;
        int64_t to = from + (int64_t)(1 + (x >> 12) % 12) * 15 * US_PER_MIN;
        ivs[i] = (struct iv){ addr, vm, from, to };
        fprintf(f, "{\"vm\": \"vm-%d\", \"ip\": \"192.0.2.%d\", \"from\": %lld, \"to\": %lld}\n", vm, addr,
                (long long)(from / US_PER_SEC), (long long)(to / US_PER_SEC));
    }
    fclose(f);
    char path[256], err[512];
    snprintf(path, sizeof path, "%s/many.jsonl", dir);
    struct inventory *inv = inventory_new();
    assert_int_equal(inventory_load(inv, path, err, sizeof err), 0);
    for (int addr = 0; addr < IPS; addr++) {
        char text[32];
        snprintf(text, sizeof text, "192.0.2.%d", addr);
        struct ipaddr a = ip(text);
        for (int64_t t = base - US_PER_HOUR; t < base + (HOURS + 4) * US_PER_HOUR; t += 5 * US_PER_MIN) {
            /* which VMs hold a at t */
            int holders = 0, holder = -1;
            bool seen[5] = { false };
            for (int i = 0; i < LINES; i++)
                if (ivs[i].ip == addr && ivs[i].from <= t && t < ivs[i].to && !seen[ivs[i].vm]) {
                    seen[ivs[i].vm] = true;
                    holders++;
                    holder = ivs[i].vm;
                }
            vstr got = inventory_vm_at(inv, &a, t);
            char want[16] = "";
            if (holders == 1) snprintf(want, sizeof want, "vm-%d", holder);
            assert_int_equal(got.n, strlen(want));
            assert_memory_equal(got.p ? got.p : "", want, got.n);
            /* the whole hour from t on: the same single holder at every
             * 5-minute step and just before the end (intervals move in
             * 15-minute steps, so these samples decide it) */
            if (t % US_PER_HOUR) continue;
            bool whole = holders == 1;
            for (int64_t u = t; whole && u < t + US_PER_HOUR; u += 5 * US_PER_MIN) {
                vstr v = inventory_vm_at(inv, &a, u);
                whole = vstr_eq(v, got);
            }
            vstr w = inventory_vm_whole(inv, &a, t, t + US_PER_HOUR);
            if (whole) assert_true(vstr_eq(w, got));
            else assert_int_equal(w.n, 0);
        }
    }
    inventory_free(inv);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_questions),
        cmocka_unit_test(test_hour_boundaries),
        cmocka_unit_test(test_holder_changes_mid_hour),
        cmocka_unit_test(test_same_vm_joined),
        cmocka_unit_test(test_ambiguous_overlap),
        cmocka_unit_test(test_time_forms),
        cmocka_unit_test(test_malformed_lines),
        cmocka_unit_test(test_errors_and_several_files),
        cmocka_unit_test(test_load_from_memory),
        cmocka_unit_test(test_agrees_with_brute_force),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
