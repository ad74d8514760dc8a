#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "tmpdir.h"
#include "state/principal.h"
#include "store/store.h"
#include "util/timeutil.h"

#define DAY US_PER_DAY

static struct ipaddr addr(const char *s) {
    struct ipaddr a;
    assert_true(ip_parse(s, strlen(s), &a));
    return a;
}

static void test_profile_history(void **state) {
    (void)state;
    struct principals *t = principals_new(100, 100);
    assert_null(principals_get(t, VSTR("oid-1")));
    bool fresh;
    struct principal *p = principals_touch(t, VSTR("oid-1"), &fresh);
    assert_true(fresh);
    assert_int_equal(p->first_us, TIME_NONE);
    principal_note_op(t, p, 10 * DAY, VSTR("alice@contoso.com"), 0);
    principal_note_op(t, p, 10 * DAY + 5, VSTR(""), -1);
    principal_note_op(t, p, 12 * DAY, VSTR(""), -1);
    /* a late record of an earlier day widens the span, not the day count */
    principal_note_op(t, p, 9 * DAY, VSTR(""), -1);
    assert_int_equal(p->ops, 4);
    assert_int_equal(p->days, 2);
    assert_int_equal(p->first_us, 9 * DAY);
    assert_int_equal(p->last_us, 12 * DAY);
    assert_string_equal(p->display, "alice@contoso.com");
    assert_false(p->is_app);
    assert_int_equal(principals_history_start(t), 9 * DAY);

    principal_note_app(p, VSTR("1950A258-227B-4E31-A9CF-717495945FC2"), 10 * DAY);
    principal_note_app(p, VSTR("1950a258-227b-4e31-a9cf-717495945fc2"), 11 * DAY);
    const struct principal_app *a = principal_app(p, VSTR("1950a258-227b-4e31-A9CF-717495945fc2"));
    assert_non_null(a);
    assert_int_equal(a->count, 2);
    assert_int_equal(a->last_us, 11 * DAY);
    assert_null(principal_app(p, VSTR("04b07795-8ddb-461a-bbee-02f9e1bf7b46")));

    principal_note_country(p, "GB", 10 * DAY);
    principal_note_country(p, "GB", 10 * DAY + 1);
    principal_note_country(p, "GB", 11 * DAY);
    const struct principal_country *c = principal_country(p, "GB");
    assert_non_null(c);
    assert_int_equal(c->count, 3);
    assert_int_equal(c->days, 2);
    assert_null(principal_country(p, "FR"));
    principals_free(t);
}

/* A full per-principal list replaces the entry used least recently. */
static void test_small_lists_replace_least_recent(void **state) {
    (void)state;
    struct principals *t = principals_new(10, 10);
    struct principal *p = principals_touch(t, VSTR("sp"), NULL);
    char id[40];
    for (int i = 0; i < PRINCIPAL_MAX_APPS + 1; i++) {
        snprintf(id, sizeof id, "app-%d", i);
        principal_note_app(p, vstr_c(id), (int64_t)(i + 1) * DAY);
    }
    assert_int_equal(p->n_apps, PRINCIPAL_MAX_APPS);
    assert_null(principal_app(p, VSTR("app-0")));
    assert_non_null(principal_app(p, VSTR("app-1")));
    assert_non_null(principal_app(p, vstr_c(id)));
    principals_free(t);
}

static void test_org_usage(void **state) {
    (void)state;
    struct principals *t = principals_new(100, 100);
    struct ipaddr vpn = addr("198.51.100.7"), neighbour = addr("198.51.100.200"), other = addr("203.0.113.9");
    usage_note(t, &vpn, "GB", VSTR("u1"), 1 * DAY);
    usage_note(t, &vpn, "GB", VSTR("u2"), 2 * DAY);
    usage_note(t, &vpn, "GB", VSTR("u3"), 20 * DAY);
    usage_note(t, &vpn, "GB", VSTR("u3"), 21 * DAY);
    struct usage_stats s = usage_ip(t, USAGE_IP, &vpn, VSTR(""), 0);
    assert_int_equal(s.principals, 3);
    assert_int_equal(s.days, 4);
    /* "other principals": the asker is left out; the look-back drops old users */
    s = usage_ip(t, USAGE_IP, &vpn, VSTR("u3"), 0);
    assert_int_equal(s.principals, 2);
    s = usage_ip(t, USAGE_IP, &vpn, VSTR(""), 10 * DAY);
    assert_int_equal(s.principals, 1);
    /* the /24 covers a neighbour address never seen itself */
    assert_int_equal(usage_ip(t, USAGE_IP, &neighbour, VSTR(""), 0).principals, 0);
    assert_int_equal(usage_ip(t, USAGE_PREFIX24, &neighbour, VSTR(""), 0).principals, 3);
    assert_int_equal(usage_ip(t, USAGE_PREFIX24, &other, VSTR(""), 0).principals, 0);
    assert_int_equal(usage_ip(t, USAGE_PREFIX24, &other, VSTR(""), 0).first_us, TIME_NONE);
    assert_int_equal(usage_country(t, "GB", VSTR("u1"), 0).principals, 2);
    assert_int_equal(usage_country(t, "FR", VSTR(""), 0).principals, 0);
    principals_free(t);
}

/* Spoofed cardinality: the tables stay at their bounds and count what
 * they forgot; the most recent entries survive. */
static void test_bounded_under_cardinality(void **state) {
    (void)state;
    struct principals *t = principals_new(64, 64);
    char k[32];
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(k, sizeof k, "spoof-%d", i);
        struct principal *p = principals_touch(t, (vstr){ k, (size_t)n }, NULL);
        principal_note_op(t, p, i, VSTR(""), -1);
        struct ipaddr a = { { 0 } };
        a.b[0] = 0x20; a.b[1] = 0x01;
        memcpy(a.b + 8, &i, sizeof i);
        usage_note(t, &a, NULL, (vstr){ k, (size_t)n }, i);
    }
    assert_true(principals_count(t) <= 64);
    assert_true(principals_evicted(t) >= 5000 - 64);
    assert_true(usage_evicted(t) > 0);
    assert_non_null(principals_get(t, VSTR("spoof-4999")));
    assert_null(principals_get(t, VSTR("spoof-0")));
    principals_free(t);
}

static void test_save_load_round_trip(void **state) {
    (void)state;
    char dir[64];
    assert_int_equal(tmpdir_make(dir, sizeof dir, "principal"), 0);
    char err[256];
    struct store *st = store_open(dir, err, sizeof err);
    assert_non_null(st);
    struct principals *t = principals_new(100, 100);
    struct principal *p = principals_touch(t, (vstr){ "oid\0x", 5 }, NULL);
    principal_note_op(t, p, 3 * DAY, VSTR("bob@contoso.com"), 0);
    principal_note_app(p, VSTR("04b07795-8ddb-461a-bbee-02f9e1bf7b46"), 3 * DAY);
    principal_note_country(p, "SE", 3 * DAY);
    struct principal_location loc = { .valid = true, .cc = "SE", .has_coords = true, .lat = 58.4167,
                                      .lon = 15.6167, .radius_km = 76, .t_us = 3 * DAY };
    loc.ip = addr("89.160.20.112");
    principal_note_location(p, &loc);
    usage_note(t, &loc.ip, "SE", (vstr){ "oid\0x", 5 }, 3 * DAY);
    assert_int_equal(store_begin(st), 0);
    assert_int_equal(principals_save(t, st, "arm"), 0);
    assert_int_equal(store_commit(st), 0);
    principals_free(t);

    struct principals *u = principals_new(100, 100);
    assert_int_equal(principals_load(u, st, "arm", err, sizeof err), 0);
    struct principal *q = principals_get(u, (vstr){ "oid\0x", 5 });
    assert_non_null(q);
    assert_null(principals_get(u, VSTR("oid")));
    assert_string_equal(q->display, "bob@contoso.com");
    assert_int_equal(q->first_us, 3 * DAY);
    assert_non_null(principal_app(q, VSTR("04b07795-8ddb-461a-bbee-02f9e1bf7b46")));
    assert_non_null(principal_country(q, "SE"));
    assert_true(q->last_loc.valid);
    assert_true(q->last_loc.lat > 58.41 && q->last_loc.lat < 58.42);
    assert_int_equal(q->last_loc.radius_km, 76);
    assert_int_equal(usage_country(u, "SE", VSTR(""), 0).principals, 1);
    assert_int_equal(principals_history_start(u), 3 * DAY);
    principals_free(u);

    /* a damaged blob costs the profiles, not the run */
    assert_int_equal(store_begin(st), 0);
    assert_int_equal(store_blob_put(st, "arm", "principals", "VPR\001garbage", 11), 0);
    assert_int_equal(store_commit(st), 0);
    struct principals *w = principals_new(100, 100);
    assert_int_equal(principals_load(w, st, "arm", err, sizeof err), 1);
    assert_non_null(strstr(err, "could not be read"));
    assert_int_equal(principals_count(w), 0);
    principals_free(w);
    store_close(st);
    tmpdir_remove(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profile_history),
        cmocka_unit_test(test_small_lists_replace_least_recent),
        cmocka_unit_test(test_org_usage),
        cmocka_unit_test(test_bounded_under_cardinality),
        cmocka_unit_test(test_save_load_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
