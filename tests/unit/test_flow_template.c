/* The template cache's bounds: templates per session, sessions, templates
 * in all, fields per template; eviction is least recently used, counted,
 * and never touches a pinned session. Plans on fixed and variable-length
 * records. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "decode/flow_template.h"

static const struct flow_field_spec two_fields[] = { { .ie = 8, .len = 4 }, { .ie = 2, .len = 4 } };

static struct ipaddr addr_n(uint32_t n) {
    struct ipaddr a;
    uint8_t v4[4] = { 10, (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n };
    ip_from_v4(&a, v4);
    return a;
}

static void test_templates_per_session(void **state) {
    (void)state;
    struct flow_sessions *t = flow_sessions_acquire();
    struct ipaddr a = addr_n(1);
    struct flow_session *s = flow_session_get(t, &a, 1, 0, 10);
    for (uint32_t i = 0; i < FLOW_MAX_TEMPLATES_PER_SESSION + 10; i++) {
        assert_int_equal(flow_template_define(t, s, (uint16_t)(256 + i), false, two_fields, 2, 0), TPL_OK);
        assert_non_null(flow_template_find(t, s, 256));     /* kept in use: never the least recent */
    }
    assert_int_equal(s->n_tpl, FLOW_MAX_TEMPLATES_PER_SESSION);
    assert_int_equal(flow_sessions_stats(t)->templates_evicted, 10);
    assert_non_null(flow_template_find(t, s, 256));
    assert_null(flow_template_find(t, s, 257));                /* the oldest others went */
    assert_non_null(flow_template_find(t, s, (uint16_t)(256 + FLOW_MAX_TEMPLATES_PER_SESSION + 9)));
    /* the same definition again is a refresh, another layout a redefinition */
    assert_int_equal(flow_template_define(t, s, 256, false, two_fields, 2, 0), TPL_SAME);
    assert_int_equal(flow_template_define(t, s, 256, false, two_fields, 1, 0), TPL_REDEFINED);
    assert_int_equal(flow_template_withdraw(t, s, 256), 1);
    assert_int_equal(flow_template_withdraw(t, s, 256), 0);
    assert_int_equal(flow_template_withdraw_all(t, s, false), FLOW_MAX_TEMPLATES_PER_SESSION - 1);
    assert_int_equal(s->n_tpl, 0);
    flow_session_unpin(t, s);
    flow_sessions_release(t);
}

static void test_sessions_bounded(void **state) {
    (void)state;
    struct flow_sessions *t = flow_sessions_acquire();
    struct ipaddr a0 = addr_n(0);
    struct flow_session *pinned = flow_session_get(t, &a0, 9, 0, 10);
    assert_int_equal(flow_template_define(t, pinned, 300, false, two_fields, 2, 0), TPL_OK);
    /* spoofed exporters: every one a new session */
    for (uint32_t i = 1; i <= FLOW_MAX_SESSIONS + 100; i++) {
        struct ipaddr a = addr_n(i);
        struct flow_session *s = flow_session_get(t, &a, 2055, i, 9);
        flow_template_define(t, s, 256, false, two_fields, 2, 0);
        flow_session_unpin(t, s);
    }
    assert_true(flow_sessions_count(t) <= FLOW_MAX_SESSIONS);
    assert_int_equal(flow_sessions_stats(t)->sessions_evicted, 101);
    /* the pinned one was the least recently used, and is intact */
    assert_false(pinned->evicted);
    assert_non_null(flow_template_find(t, pinned, 300));
    /* the most recent ones are still there */
    struct ipaddr last = addr_n(FLOW_MAX_SESSIONS + 100);
    struct flow_session *s = flow_session_get(t, &last, 2055, FLOW_MAX_SESSIONS + 100, 9);
    assert_non_null(flow_template_find(t, s, 256));
    flow_session_unpin(t, s);
    flow_session_unpin(t, pinned);
    flow_sessions_release(t);
}

static void test_templates_bounded_in_all(void **state) {
    (void)state;
    struct flow_sessions *t = flow_sessions_acquire();
    uint32_t per = FLOW_MAX_TEMPLATES_PER_SESSION;
    uint32_t n_sessions = FLOW_MAX_TEMPLATES_TOTAL / per + 2;
    for (uint32_t k = 0; k < n_sessions; k++) {
        struct ipaddr a = addr_n(k);
        struct flow_session *s = flow_session_get(t, &a, 1, 0, 10);
        for (uint32_t i = 0; i < per; i++) flow_template_define(t, s, (uint16_t)(256 + i), false, two_fields, 2, 0);
        flow_session_unpin(t, s);
    }
    assert_int_equal(flow_sessions_stats(t)->sessions_evicted, 2);
    assert_int_equal(flow_sessions_count(t), n_sessions - 2);
    flow_sessions_release(t);
}

static void test_refused_templates(void **state) {
    (void)state;
    struct flow_sessions *t = flow_sessions_acquire();
    struct ipaddr a = addr_n(7);
    struct flow_session *s = flow_session_get(t, &a, 1, 0, 10);
    static struct flow_field_spec many[FLOW_MAX_FIELDS + 1];
    for (int i = 0; i <= FLOW_MAX_FIELDS; i++) many[i] = (struct flow_field_spec){ .ie = 1, .len = 4 };
    assert_int_equal(flow_template_define(t, s, 256, false, many, FLOW_MAX_FIELDS + 1, 0), TPL_TOO_MANY_FIELDS);
    assert_int_equal(flow_template_define(t, s, 256, false, many, FLOW_MAX_FIELDS, 0), TPL_OK);
    struct flow_field_spec longs[2] = { { .ie = 1, .len = 40000 }, { .ie = 2, .len = 40000 } };
    assert_int_equal(flow_template_define(t, s, 257, false, longs, 2, 0), TPL_RECORD_TOO_LONG);
    struct flow_field_spec empty[2] = { { .ie = 1, .len = 0 }, { .ie = 2, .len = 0 } };
    assert_int_equal(flow_template_define(t, s, 258, false, empty, 2, 0), TPL_EMPTY_RECORD);
    assert_null(flow_template_find(t, s, 257));
    assert_null(flow_template_find(t, s, 258));
    flow_session_unpin(t, s);
    flow_sessions_release(t);
}

static void test_plans(void **state) {
    (void)state;
    struct flow_sessions *t = flow_sessions_acquire();
    struct ipaddr a = addr_n(8);
    struct flow_session *s = flow_session_get(t, &a, 1, 0, 10);
    /* a field of an unusable length is skipped like an unknown one; the
     * second sourceIPv4Address of a template is ignored */
    struct flow_field_spec f[] = { { .ie = 8, .len = 4 }, { .ie = 12, .len = 8 }, { .ie = 1, .len = 3 },
                                   { .ie = 8, .len = 4 }, { .ie = 82, .len = FLOW_VARLEN }, { .ie = 2, .len = 2 } };
    assert_int_equal(flow_template_define(t, s, 256, false, f, 6, 0), TPL_OK);
    struct flow_template *tpl = flow_template_find(t, s, 256);
    assert_true(tpl->varlen);
    assert_int_equal(tpl->min_len, 4 + 8 + 3 + 4 + 1 + 2);
    assert_true(tpl->mask & FF_BIT(FF_SRC4));
    assert_false(tpl->mask & FF_BIT(FF_DST4));
    const uint8_t rec[] = { 1, 2, 3, 4, 9, 9, 9, 9, 9, 9, 9, 9, 0, 1, 2, 5, 6, 7, 8, 2, 'h', 'i', 0, 42 };
    struct flow_values v;
    memset(&v, 0, sizeof v);
    assert_int_equal(flow_plan_run(tpl, rec, sizeof rec, &v), sizeof rec);
    assert_memory_equal(v.src4, rec, 4);
    assert_int_equal(v.v[FF_OCTETS], 0x000102);
    assert_int_equal(v.v[FF_PACKETS], 42);
    /* the varlen field's length runs past the bytes given */
    assert_int_equal(flow_plan_run(tpl, rec, sizeof rec - 1, &v), 0);
    assert_int_equal(flow_plan_run(tpl, rec, 10, &v), 0);
    flow_session_unpin(t, s);
    flow_sessions_release(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_templates_per_session),
        cmocka_unit_test(test_sessions_bounded),
        cmocka_unit_test(test_templates_bounded_in_all),
        cmocka_unit_test(test_refused_templates),
        cmocka_unit_test(test_plans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
