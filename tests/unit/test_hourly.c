#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "state/hourly.h"

/* ---- robust statistics -------------------------------------------------- */

static void test_median_and_mad(void **state) {
    (void)state;
    uint32_t a[] = { 100, 3, 1, 4, 2 };
    struct robust r = robust_stats(a, 5, 0, 95);
    assert_true(r.median == 3);
    assert_true(r.mad == 1);                /* deviations 0 1 1 2 97 */
    assert_int_equal(r.n, 5);
    /* the outlier does not move either: that is the point of the median */
    uint32_t b[] = { 2, 4 };
    r = robust_stats(b, 2, 0, 95);
    assert_true(r.median == 3);
    assert_true(r.mad == 1);
}

static void test_zeros_are_implicit(void **state) {
    (void)state;
    uint32_t a[] = { 5 };
    struct robust r = robust_stats(a, 1, 4, 95);          /* 0 0 0 0 5 */
    assert_true(r.median == 0);
    assert_true(r.mad == 0);
    uint32_t b[] = { 10, 3, 2, 1 };
    r = robust_stats(b, 4, 2, 95);                        /* 0 0 1 2 3 10 */
    assert_true(r.median == 1.5);
    assert_true(r.mad == 1.5);                        /* 0.5 0.5 1.5 1.5 1.5 8.5 */
    r = robust_stats(NULL, 0, 0, 95);
    assert_int_equal(r.n, 0);
    assert_true(r.median == 0);
    r = robust_stats(NULL, 0, 7, 95);
    assert_int_equal(r.n, 7);
    assert_true(r.median == 0 && r.mad == 0);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double naive_median(double *v, size_t n) {
    qsort(v, n, sizeof *v, cmp_double);
    return (v[(n - 1) / 2] + v[n / 2]) / 2;
}

/* Against the textbook definition on expanded multisets. */
static void test_matches_naive_definition(void **state) {
    (void)state;
    srand(42);
    for (int round = 0; round < 500; round++) {
        size_t n = (size_t)(rand() % 12), zeros = (size_t)(rand() % 10);
        if (n + zeros == 0) continue;
        uint32_t v[12];
        double all[22], dev[22];
        size_t k = 0;
        for (size_t i = 0; i < n; i++) { v[i] = 1 + (uint32_t)(rand() % (round % 2 ? 5 : 1000)); all[k++] = v[i]; }
        for (size_t i = 0; i < zeros; i++) all[k++] = 0;
        double med = naive_median(all, k);          /* sorts all */
        size_t rank = (k * 95 + 99) / 100;
        double busy = all[rank - 1];
        for (size_t i = 0; i < k; i++) dev[i] = fabs(all[i] - med);
        double mad = naive_median(dev, k);
        struct robust r = robust_stats(v, n, zeros, 95);
        assert_true(r.median == med);
        assert_true(r.mad == mad);
        assert_true(r.busy == busy);
    }
}

static void test_spread_and_threshold(void **state) {
    (void)state;
    /* a silent history: spread 1, so median + k*1, then the floor decides */
    struct robust quiet = { .median = 0, .mad = 0, .n = 168 };
    assert_true(robust_spread(&quiet) == 1);
    assert_int_equal(robust_threshold(&quiet, 5, 150, 20), 20);
    assert_int_equal(robust_threshold(&quiet, 5, 150, 3), 6);   /* above 0 + 5 */
    /* a regular busy history (MAD 0): Poisson noise keeps it from alerting
     * one above normal */
    struct robust steady = { .median = 100, .mad = 0, .n = 168 };
    assert_true(robust_spread(&steady) == 10);
    assert_int_equal(robust_threshold(&steady, 5, 150, 20), 151);
    /* a noisy one: 1.4826 MAD wins */
    struct robust noisy = { .median = 30, .mad = 8, .n = 168 };
    assert_true(fabs(robust_spread(&noisy) - 11.8608) < 1e-9);
    assert_int_equal(robust_threshold(&noisy, 5, 150, 20), 90);  /* 30 + 59.3 -> 90 */
    /* bimodal: idle nights (median 0), 50 working hours at 40 a week. The
     * spread sees only the nights; the busy-hour guard keeps an ordinary
     * working hour quiet: above 1.5 x 40 */
    uint32_t work[50];
    for (int i = 0; i < 50; i++) work[i] = 40;
    struct robust bimodal = robust_stats(work, 50, 118, 95);
    assert_true(bimodal.median == 0);
    assert_int_equal(bimodal.busy, 40);
    assert_int_equal(robust_threshold(&bimodal, 5, 150, 20), 61);
    assert_int_equal(robust_threshold(&bimodal, 5, 100, 20), 41);
    /* no overflow on absurd values */
    struct robust huge = { .median = 4e9, .mad = 4e9, .n = 1 };
    assert_int_equal(robust_threshold(&huge, 1000, 150, 1), UINT32_MAX);
}

/* ---- histories ---------------------------------------------------------- */

static void test_observed_runs_merge(void **state) {
    (void)state;
    struct hourly h;
    hourly_init(&h);
    for (int32_t t = 100; t < 110; t++) hourly_observe(&h, t);
    assert_int_equal(h.n_runs, 1);
    hourly_observe(&h, 105);                          /* idempotent */
    hourly_observe(&h, 120);
    hourly_observe(&h, 90);                           /* out of order, before */
    assert_int_equal(h.n_runs, 3);
    hourly_observe(&h, 89);                           /* joins the next run */
    for (int32_t t = 110; t < 120; t++) hourly_observe(&h, t);   /* bridges two runs */
    assert_int_equal(h.n_runs, 2);
    assert_int_equal(h.runs[0].from, 89);
    assert_int_equal(h.runs[0].to, 91);
    assert_int_equal(h.runs[1].from, 100);
    assert_int_equal(h.runs[1].to, 121);
    assert_int_equal(hourly_observed(&h, 0, 1000), 23);
    assert_int_equal(hourly_observed(&h, 90, 101), 2);
    assert_true(hourly_is_observed(&h, 89));
    assert_false(hourly_is_observed(&h, 95));
    assert_false(hourly_is_observed(&h, 121));
    hourly_forget_before(&h, 105);
    assert_int_equal(h.n_runs, 1);
    assert_int_equal(hourly_observed(&h, 0, 1000), 16);
    hourly_free(&h);
}

static void test_run_cap_drops_oldest(void **state) {
    (void)state;
    struct hourly h;
    hourly_init(&h);
    for (int32_t i = 0; i < HOURLY_MAX_RUNS + 10; i++) hourly_observe(&h, i * 2);   /* every other hour */
    assert_int_equal(h.n_runs, HOURLY_MAX_RUNS);
    assert_int_equal(h.runs[0].from, 20);
    hourly_free(&h);
}

static void test_points_zero_and_replace(void **state) {
    (void)state;
    struct hourly h;
    hourly_init(&h);
    hourly_set(&h, 10, 0, 5);
    hourly_set(&h, 10, 1, 2);
    hourly_set(&h, 11, 0, 0);                         /* observed, zero: no point */
    hourly_set(&h, 12, 0, 7);
    hourly_set(&h, 9, 0, 3);                          /* out of order */
    hourly_set(&h, 10, 0, 6);                         /* replaces */
    assert_int_equal(h.n_pts, 4);
    assert_int_equal(hourly_observed(&h, 0, 100), 4);
    struct u32vec v = { 0 };
    assert_int_equal(hourly_values(&h, 0, 0, 100, &v), 3);
    assert_int_equal(v.v[0], 3);
    assert_int_equal(v.v[1], 6);
    assert_int_equal(v.v[2], 7);
    v.n = 0;
    assert_int_equal(hourly_values(&h, 0, 10, 12, &v), 1);   /* [10, 12) */
    hourly_set(&h, 12, 0, 0);                         /* back to zero: the point goes */
    v.n = 0;
    assert_int_equal(hourly_values(&h, 0, 0, 100, &v), 2);
    hourly_set(&h, 1, HOURLY_MAX_METRICS, 9);         /* out of range: ignored */
    assert_false(hourly_is_observed(&h, 1));
    hourly_forget_before(&h, 10);
    v.n = 0;
    assert_int_equal(hourly_values(&h, 0, 0, 100, &v), 1);
    assert_int_equal(hourly_observed(&h, 0, 100), 3);
    u32vec_free(&v);
    hourly_free(&h);
}

static void test_roundtrip_and_damage(void **state) {
    (void)state;
    struct hourly h, back;
    hourly_init(&h);
    hourly_init(&back);
    for (int32_t t = 1000; t < 1168; t++) hourly_set(&h, t, (unsigned)(t % 8), (uint32_t)(t % 5));
    hourly_observe(&h, 2000);
    buf b;
    buf_init(&b);
    hourly_write(&h, &b);
    const uint8_t *p = (const uint8_t *)b.p, *end = p + b.n;
    assert_true(hourly_read(&back, &p, end));
    assert_ptr_equal(p, end);
    assert_int_equal(back.n_runs, h.n_runs);
    assert_int_equal(back.n_pts, h.n_pts);
    for (uint32_t i = 0; i < h.n_pts; i++) {
        assert_int_equal(back.pts[i].hour, h.pts[i].hour);
        assert_int_equal(back.pts[i].metric, h.pts[i].metric);
        assert_int_equal(back.pts[i].value, h.pts[i].value);
    }
    /* every truncation is refused and leaves the history empty */
    for (size_t cut = 0; cut < b.n; cut++) {
        p = (const uint8_t *)b.p;
        assert_false(hourly_read(&back, &p, p + cut));
        assert_int_equal(back.n_pts, 0);
        assert_int_equal(back.n_runs, 0);
    }
    /* points out of order are refused: swap the first two hours */
    uint8_t *raw = (uint8_t *)b.p;
    size_t pts_at = 2 + 8 * h.n_runs + 4;
    uint8_t first[9];
    memcpy(first, raw + pts_at, 9);
    memcpy(raw + pts_at, raw + pts_at + 9, 9);
    memcpy(raw + pts_at + 9, first, 9);
    p = (const uint8_t *)b.p;
    assert_false(hourly_read(&back, &p, end));
    buf_free(&b);
    hourly_free(&h);
    hourly_free(&back);
}

static void test_hour_numbering(void **state) {
    (void)state;
    assert_int_equal(hour_of_us(0), 0);
    assert_int_equal(hour_of_us(3600000000 - 1), 0);
    assert_int_equal(hour_of_us(3600000000), 1);
    assert_int_equal(hour_of_us(-1), -1);            /* floor, not truncation */
    assert_int_equal(us_of_hour(hour_of_us(1438603694000000)), 1438603200000000);   /* 2015-08-03T12:00Z */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_median_and_mad),
        cmocka_unit_test(test_zeros_are_implicit),
        cmocka_unit_test(test_matches_naive_definition),
        cmocka_unit_test(test_spread_and_threshold),
        cmocka_unit_test(test_observed_runs_merge),
        cmocka_unit_test(test_run_cap_drops_oldest),
        cmocka_unit_test(test_points_zero_and_replace),
        cmocka_unit_test(test_roundtrip_and_damage),
        cmocka_unit_test(test_hour_numbering),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
