#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "config/config.h"
#include "util/timeutil.h"

struct collected {
    int n;
    char ids[64][33];
    char entities[64][64];
    int64_t counts[64], starts[64], ends[64];
    buf last_json;
};

static void collect(void *ud, const struct alert *a) {
    struct collected *c = ud;
    if (c->n < 64) {
        snprintf(c->ids[c->n], 33, "%s", a->id);
        snprintf(c->entities[c->n], 64, "%.*s", (int)a->entity.n, a->entity.p);
        c->counts[c->n] = a->count;
        c->starts[c->n] = a->time_start_us;
        c->ends[c->n] = a->time_end_us;
    }
    c->n++;
    buf_clear(&c->last_json);
    alert_to_json(a, &c->last_json);
}

static struct alert *make(const char *entity, int64_t t) {
    struct event ev = { .time_us = t, .pos = { "in.jsonl", 7, 0 } };
    struct alert *a = alert_new("k8s.container.privileged", &ev);
    alert_entity(a, vstr_c(entity));
    alert_evidence(a, &ev, VSTR("create pods"));
    return a;
}

static void test_repeats_aggregate_in_window(void **state) {
    (void)state;
    struct vigil_config cfg;
    config_defaults(&cfg);
    cfg.aggregation_window_us = US_PER_HOUR;
    struct collected c = { 0 };
    buf_init(&c.last_json);
    struct aggregator *ag = aggregator_new(&cfg, collect, &c);
    int64_t t0 = INT64_C(1772359200000000);
    alert_emit(ag, make("pods/a/x", t0));
    alert_emit(ag, make("pods/a/x", t0 + 10 * US_PER_MIN));
    alert_emit(ag, make("pods/a/y", t0 + 5 * US_PER_MIN));
    alert_emit(ag, make("pods/a/x", t0 + 30 * US_PER_MIN));
    aggregator_advance(ag, t0 + 59 * US_PER_MIN);
    assert_int_equal(c.n, 0);                   /* windows still open */
    aggregator_advance(ag, t0 + 61 * US_PER_MIN);
    assert_int_equal(c.n, 1);                   /* x closes first */
    assert_string_equal(c.entities[0], "pods/a/x");
    assert_int_equal(c.counts[0], 3);
    assert_int_equal(c.ends[0], t0 + 30 * US_PER_MIN);
    alert_emit(ag, make("pods/a/x", t0 + 90 * US_PER_MIN));   /* a new window */
    aggregator_flush(ag);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.entities[1], "pods/a/y");  /* ordered by time_start */
    assert_string_equal(c.entities[2], "pods/a/x");
    assert_int_equal(c.counts[2], 1);
    assert_int_equal(aggregator_merged(ag), 2);
    aggregator_free(ag);
    buf_free(&c.last_json);
    config_free(&cfg);
}

static void test_ids_are_stable(void **state) {
    (void)state;
    struct vigil_config cfg;
    config_defaults(&cfg);
    char first[33] = "";
    for (int run = 0; run < 2; run++) {
        struct collected c = { 0 };
        buf_init(&c.last_json);
        struct aggregator *ag = aggregator_new(&cfg, collect, &c);
        alert_emit(ag, make("pods/a/x", 1000));
        aggregator_flush(ag);
        if (run == 0) memcpy(first, c.ids[0], 33);
        else assert_string_equal(first, c.ids[0]);
        aggregator_free(ag);
        buf_free(&c.last_json);
    }
    assert_int_equal(strlen(first), 32);
    config_free(&cfg);
}

static void test_bounded_under_cardinality(void **state) {
    (void)state;
    struct vigil_config cfg;
    config_defaults(&cfg);
    cfg.max_open_alerts = 100;
    struct collected c = { 0 };
    buf_init(&c.last_json);
    struct aggregator *ag = aggregator_new(&cfg, collect, &c);
    char name[32];
    for (int i = 0; i < 10000; i++) {
        snprintf(name, sizeof name, "pods/spoof/%d", i);
        alert_emit(ag, make(name, 1000 + i));
    }
    assert_true(c.n >= 10000 - 100);            /* early-closed, not lost */
    aggregator_flush(ag);
    assert_int_equal(c.n, 10000);
    aggregator_free(ag);
    buf_free(&c.last_json);
    config_free(&cfg);
}

static void test_json_record(void **state) {
    (void)state;
    struct vigil_config cfg;
    config_defaults(&cfg);
    struct collected c = { 0 };
    buf_init(&c.last_json);
    struct aggregator *ag = aggregator_new(&cfg, collect, &c);
    struct alert *a = make("pods/evil\"\n/x", 1000);
    alert_var(a, "actor", VSTR("eve\x01"));
    alert_entity_str(a, "account", VSTR("eve\x01"));
    alert_prop_int(a, "n", 3);
    alert_emit(ag, a);
    aggregator_flush(ag);
    const char *j = buf_cstr(&c.last_json);
    assert_non_null(strstr(j, "\"compromised_entity\":\"pods/evil\\\"\\n/x\""));
    assert_non_null(strstr(j, "\"account\":\"eve\\u0001\""));
    assert_non_null(strstr(j, "\"properties\":{\"n\":3}"));
    assert_non_null(strstr(j, "\"type\":\"k8s.container.privileged\""));
    assert_non_null(strstr(j, "\"evidence\":[{\"input\":\"in.jsonl\",\"offset\":7,\"summary\""));

    /* an event inside a batch document names its place there, and keeps it through aggregation */
    struct event ev = { .time_us = 5000, .pos = { "batch.json", 0, 17 } };
    struct alert *b = alert_new("k8s.container.privileged", &ev);
    alert_entity(b, VSTR("pods/x"));
    alert_evidence(b, &ev, VSTR("create pods"));
    alert_emit(ag, b);
    aggregator_flush(ag);
    j = buf_cstr(&c.last_json);
    assert_non_null(strstr(j, "{\"input\":\"batch.json\",\"offset\":0,\"item\":17,\"summary\":\"create pods\"}"));
    aggregator_free(ag);
    buf_free(&c.last_json);
    config_free(&cfg);
}

static void test_disabled_types(void **state) {
    (void)state;
    struct vigil_config cfg;
    config_defaults(&cfg);
    assert_true(alert_type_enabled(&cfg, "arm.location.impossible_travel"));
    cfg.group_arm_location = false;
    assert_false(alert_type_enabled(&cfg, "arm.location.impossible_travel"));
    assert_true(alert_type_enabled(&cfg, "k8s.container.privileged"));
    config_free(&cfg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repeats_aggregate_in_window),
        cmocka_unit_test(test_ids_are_stable),
        cmocka_unit_test(test_bounded_under_cardinality),
        cmocka_unit_test(test_json_record),
        cmocka_unit_test(test_disabled_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
