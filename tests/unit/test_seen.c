#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmpdir.h"
#include "state/seen.h"
#include "store/store.h"

static vstr key_of(char *buf, size_t n, const char *prefix, int i) {
    int len = snprintf(buf, n, "%s-%d", prefix, i);
    return (vstr){ buf, (size_t)len };
}

static void test_touch_counts_and_widens(void **state) {
    (void)state;
    struct seenset *s = seenset_new(0);
    bool fresh;
    const struct seen_entry *e = seenset_touch(s, VSTR("nginx"), 100, &fresh);
    assert_true(fresh);
    assert_int_equal(e->count, 1);
    e = seenset_touch(s, VSTR("nginx"), 300, &fresh);
    assert_false(fresh);
    /* a late event widens the span backwards rather than overwriting it */
    e = seenset_touch(s, VSTR("nginx"), 50, &fresh);
    assert_int_equal(e->first_us, 50);
    assert_int_equal(e->last_us, 300);
    assert_int_equal(e->count, 3);
    /* the empty key and keys with NULs are ordinary keys */
    seenset_touch(s, (vstr){ NULL, 0 }, 1, &fresh);
    assert_true(fresh);
    seenset_touch(s, (vstr){ "a\0b", 3 }, 1, &fresh);
    assert_true(fresh);
    assert_non_null(seenset_get(s, (vstr){ "", 0 }));
    assert_null(seenset_get(s, (vstr){ "a\0c", 3 }));
    assert_int_equal(seenset_size(s), 3);
    seenset_free(s);
}

/* touch_prev answers "when was it last seen" and records it in one go;
 * touch_max keeps a peak instead of a count. */
static void test_touch_prev_and_max(void **state) {
    (void)state;
    struct seenset *s = seenset_new(0);
    int64_t prev;
    seenset_touch_prev(s, VSTR("alice"), 100, &prev);
    assert_true(prev == INT64_MIN);
    const struct seen_entry *e = seenset_touch_prev(s, VSTR("alice"), 250, &prev);
    assert_int_equal(prev, 100);
    assert_int_equal(e->last_us, 250);
    assert_int_equal(e->count, 2);
    seenset_touch_max(s, VSTR("peak"), 1, 7);
    seenset_touch_max(s, VSTR("peak"), 2, 3);
    e = seenset_touch_max(s, VSTR("peak"), 3, 9);
    assert_int_equal(e->count, 9);
    assert_int_equal(e->last_us, 3);
    seenset_free(s);
}

/* Thousands of keys through growth and deletion: every surviving key must
 * still be found (backward-shift deletion keeps probe chains whole). */
static void test_expire_keeps_the_rest_reachable(void **state) {
    (void)state;
    struct seenset *s = seenset_new(0);
    char k[32];
    for (int i = 0; i < 5000; i++) seenset_touch(s, key_of(k, sizeof k, "k", i), i, NULL);
    assert_int_equal(seenset_size(s), 5000);
    /* drop the older half, then every key at an odd time */
    assert_int_equal(seenset_expire(s, 2500), 2500);
    for (int i = 0; i < 5000; i++) {
        const struct seen_entry *e = seenset_get(s, key_of(k, sizeof k, "k", i));
        if (i < 2500) assert_null(e);
        else assert_non_null(e);
    }
    for (int i = 2500; i < 5000; i += 2) seenset_touch(s, key_of(k, sizeof k, "k", i), 10000, NULL);
    assert_int_equal(seenset_expire(s, 9999), 1250);
    for (int i = 2500; i < 5000; i++) {
        const struct seen_entry *e = seenset_get(s, key_of(k, sizeof k, "k", i));
        if (i % 2) assert_null(e);
        else assert_non_null(e);
    }
    seenset_free(s);
}

/* Hostile cardinality: a million spoofed keys never hold more than the
 * bound, the evicted ones are the least recently seen, and the evictions
 * are counted. */
static void test_bounded_under_spoofed_keys(void **state) {
    (void)state;
    const size_t max = 4096;
    struct seenset *s = seenset_new(max);
    char k[32];
    seenset_touch(s, VSTR("kube-proxy"), 0, NULL);
    for (int i = 0; i < 200000; i++) {
        seenset_touch(s, key_of(k, sizeof k, "spoof", i), 1 + i, NULL);
        /* a key in steady use stays fresh and must survive */
        if (i % 1000 == 0) seenset_touch(s, VSTR("kube-proxy"), 1 + i, NULL);
        assert_true(seenset_size(s) <= max);
    }
    assert_non_null(seenset_get(s, VSTR("kube-proxy")));
    assert_non_null(seenset_get(s, key_of(k, sizeof k, "spoof", 199999)));
    assert_null(seenset_get(s, key_of(k, sizeof k, "spoof", 0)));
    assert_int_equal(seenset_evictions(s) + seenset_size(s), 200001);
    seenset_free(s);
}

/* Every key seen in the same microsecond: eviction by age must still drop
 * exactly its share, not everything tied with the oldest. */
static void test_eviction_with_tied_times(void **state) {
    (void)state;
    struct seenset *s = seenset_new(160);
    char k[32];
    for (int i = 0; i < 161; i++) seenset_touch(s, key_of(k, sizeof k, "t", i), 42, NULL);
    assert_int_equal(seenset_evictions(s), 10);
    assert_int_equal(seenset_size(s), 151);
    seenset_free(s);
}

struct fixture {
    char dir[64];
};

static int setup(void **state) {
    struct fixture *f = calloc(1, sizeof *f);
    if (tmpdir_make(f->dir, sizeof f->dir, "seen") < 0) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state) {
    struct fixture *f = *state;
    int rc = tmpdir_remove(f->dir);
    free(f);
    return rc;
}

static void test_save_load_roundtrip(void **state) {
    struct fixture *f = *state;
    char err[256];
    struct store *st = store_open(f->dir, err, sizeof err);
    assert_non_null(st);
    struct seenset *s = seenset_new(0);
    char k[32];
    for (int i = 0; i < 300; i++) seenset_touch(s, key_of(k, sizeof k, "img", i), 1000 + i, NULL);
    seenset_touch(s, VSTR("img-7"), 5, NULL);
    assert_int_equal(store_begin(st), 0);
    assert_int_equal(seenset_save(s, st, "k8s", "images"), 0);
    assert_int_equal(store_commit(st), 0);
    /* saving again replaces rather than appends */
    seenset_expire(s, 1100);
    assert_int_equal(store_begin(st), 0);
    assert_int_equal(seenset_save(s, st, "k8s", "images"), 0);
    assert_int_equal(store_commit(st), 0);
    seenset_free(s);
    store_close(st);

    st = store_open(f->dir, err, sizeof err);
    assert_non_null(st);
    s = seenset_new(0);
    assert_int_equal(seenset_load(s, st, "k8s", "images"), 0);
    assert_int_equal(seenset_size(s), 200);
    const struct seen_entry *e = seenset_get(s, VSTR("img-150"));
    assert_non_null(e);
    assert_int_equal(e->first_us, 1150);
    assert_int_equal(e->count, 1);
    assert_null(seenset_get(s, VSTR("img-7")));
    /* loading twice changes nothing */
    assert_int_equal(seenset_load(s, st, "k8s", "images"), 0);
    assert_int_equal(seenset_size(s), 200);
    assert_int_equal(seenset_get(s, VSTR("img-150"))->count, 1);
    seenset_free(s);

    /* a bounded set loading more rows than it holds keeps the freshest */
    s = seenset_new(64);
    assert_int_equal(seenset_load(s, st, "k8s", "images"), 0);
    assert_true(seenset_size(s) <= 64);
    assert_non_null(seenset_get(s, VSTR("img-299")));
    assert_null(seenset_get(s, VSTR("img-100")));
    seenset_free(s);
    store_close(st);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_touch_counts_and_widens),
        cmocka_unit_test(test_touch_prev_and_max),
        cmocka_unit_test(test_expire_keeps_the_rest_reachable),
        cmocka_unit_test(test_bounded_under_spoofed_keys),
        cmocka_unit_test(test_eviction_with_tied_times),
        cmocka_unit_test_setup_teardown(test_save_load_roundtrip, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
