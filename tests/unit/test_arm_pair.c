#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "detect/arm_internal.h"
#include "util/timeutil.h"

#define MIN US_PER_MIN

/* What the pairing handed on, copied out (the events die after the call). */
struct got {
    int n;
    char op[8][64];
    enum mgmt_outcome outcome[8];
    int64_t t[8];
    char role[8][64];
    char ip[8][32];
    uint64_t offset[8];
};

static void collect(void *ud, const struct event *ev) {
    struct got *g = ud;
    assert_true(g->n < 8);
    const struct mgmt_op *op = ev->u.mgmt;
    snprintf(g->op[g->n], 64, "%.*s", (int)op->operation.n, op->operation.p);
    snprintf(g->role[g->n], 64, "%.*s", (int)op->assignment.role_definition_id.n, op->assignment.role_definition_id.p);
    snprintf(g->ip[g->n], 32, "%.*s", (int)op->caller_ip_text.n, op->caller_ip_text.p);
    g->outcome[g->n] = op->outcome;
    g->t[g->n] = ev->time_us;
    g->offset[g->n] = ev->pos.offset;
    g->n++;
}

/* A record as the decoder would hand it: slices into a scratch buffer that
 * is overwritten afterwards, as the decoder's next record would. */
struct rec {
    char scratch[512];
    struct mgmt_op op;
    struct event ev;
};

static void make(struct rec *r, const char *corr, const char *opname, enum mgmt_phase ph, enum mgmt_outcome oc,
                 int64_t t, uint64_t offset) {
    memset(r, 0, sizeof *r);
    int n1 = snprintf(r->scratch, sizeof r->scratch, "%s", corr);
    int n2 = snprintf(r->scratch + 100, 200, "%s", opname);
    r->op.correlation_id = (vstr){ r->scratch, (size_t)n1 };
    r->op.operation = (vstr){ r->scratch + 100, (size_t)n2 };
    r->op.resource_id = VSTR("/subscriptions/s1/resourceGroups/rg/providers/X/y/z");
    r->op.phase = ph;
    r->op.outcome = oc;
    r->ev = (struct event){ .time_us = t, .layer = LAYER_MGMT, .kind = EV_MGMT_OP,
                            .pos = { .input = "activity.json", .offset = offset } };
    r->ev.u.mgmt = &r->op;
}

static void test_start_and_outcome_count_once(void **state) {
    (void)state;
    struct arm_pair *P = arm_pair_new(100, 60 * MIN);
    struct got g = { 0 };
    struct rec r;
    make(&r, "corr-1", "Microsoft.Authorization/roleAssignments/write", MGMT_PHASE_BEGIN, MGMT_OUTCOME_STARTED, 0, 10);
    int n = snprintf(r.scratch + 300, 100, "/providers/Microsoft.Authorization/roleDefinitions/abc");
    r.op.assignment.present = true;
    r.op.assignment.role_definition_id = (vstr){ r.scratch + 300, (size_t)n };
    r.op.caller_ip_text = VSTR("203.0.113.5");
    r.op.has_ip = true;
    arm_pair_offer(P, &r.ev, collect, &g);
    memset(r.scratch, 'x', sizeof r.scratch);           /* the decoder moved on */
    assert_int_equal(g.n, 0);
    /* the outcome differs in case only, and carries neither body nor address */
    make(&r, "CORR-1", "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE", MGMT_PHASE_END, MGMT_OUTCOME_SUCCEEDED,
         2 * US_PER_SEC, 20);
    r.op.resource_id = VSTR("/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG/PROVIDERS/X/Y/Z");
    arm_pair_offer(P, &r.ev, collect, &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.outcome[0], MGMT_OUTCOME_SUCCEEDED);
    assert_int_equal(g.offset[0], 20);
    assert_string_equal(g.role[0], "/providers/Microsoft.Authorization/roleDefinitions/abc");
    assert_string_equal(g.ip[0], "203.0.113.5");
    assert_int_equal(arm_pair_paired(P), 1);
    arm_pair_expire(P, INT64_MAX, collect, &g);
    assert_int_equal(g.n, 1);
    arm_pair_free(P);
}

static void test_start_without_outcome_is_released_late(void **state) {
    (void)state;
    struct arm_pair *P = arm_pair_new(100, 60 * MIN);
    struct got g = { 0 };
    struct rec r;
    make(&r, "c1", "op/write", MGMT_PHASE_BEGIN, MGMT_OUTCOME_STARTED, 0, 1);
    arm_pair_offer(P, &r.ev, collect, &g);
    make(&r, "c1", "op/write", MGMT_PHASE_ACCEPTED, MGMT_OUTCOME_ACCEPTED, MIN, 2);
    arm_pair_offer(P, &r.ev, collect, &g);
    make(&r, "", "other/write", MGMT_PHASE_BEGIN, MGMT_OUTCOME_STARTED, MIN, 3);   /* nothing to pair with */
    arm_pair_offer(P, &r.ev, collect, &g);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.op[0], "other/write");
    arm_pair_expire(P, 30 * MIN, collect, &g);
    assert_int_equal(g.n, 1);
    arm_pair_expire(P, 61 * MIN, collect, &g);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.op[1], "op/write");
    assert_int_equal(g.outcome[1], MGMT_OUTCOME_ACCEPTED);
    assert_int_equal(g.t[1], 0);                        /* the start's time and position */
    assert_int_equal(g.offset[1], 1);
    assert_int_equal(arm_pair_unpaired(P), 1);
    arm_pair_free(P);
}

/* Starts that never finish, enough to grow and compact the queue: each
 * comes out whole, with its own operation (the queue moves entries). */
static void test_unfinished_starts_survive_growth(void **state) {
    (void)state;
    struct arm_pair *P = arm_pair_new(10000, 60 * MIN);
    struct got g = { 0 };
    struct rec r;
    char corr[32], op[32];
    for (int i = 0; i < 2000; i++) {
        snprintf(corr, sizeof corr, "c-%d", i);
        snprintf(op, sizeof op, "op-%d/write", i);
        make(&r, corr, op, MGMT_PHASE_BEGIN, MGMT_OUTCOME_STARTED, i * US_PER_SEC, (uint64_t)i);
        arm_pair_offer(P, &r.ev, collect, &g);
        if (i % 3 == 0) {                               /* a third finish, moving the head on */
            make(&r, corr, op, MGMT_PHASE_END, MGMT_OUTCOME_SUCCEEDED, i * US_PER_SEC, 0);
            g.n = 0;
            arm_pair_offer(P, &r.ev, collect, &g);
            assert_int_equal(g.n, 1);
        }
    }
    int released = 0;
    for (int64_t w = 60 * MIN; w < 60 * MIN + 2000 * US_PER_SEC; w += 7 * US_PER_SEC) {
        g.n = 0;
        arm_pair_expire(P, w, collect, &g);
        for (int k = 0; k < g.n; k++) {
            int i = (int)g.offset[k];
            snprintf(op, sizeof op, "op-%d/write", i);
            assert_string_equal(g.op[k], op);
            assert_int_equal(g.t[k], i * US_PER_SEC);
        }
        released += g.n;
    }
    g.n = 0;
    arm_pair_expire(P, INT64_MAX, collect, &g);
    released += g.n;
    assert_int_equal(released, 2000 - 667);
    assert_int_equal(arm_pair_unpaired(P), 2000 - 667);
    arm_pair_free(P);
}

/* Many operations open at once, finished in another order: every outcome
 * finds its start (the index survives deletions and compaction). */
static void test_many_interleaved(void **state) {
    (void)state;
    struct arm_pair *P = arm_pair_new(10000, 60 * MIN);
    struct got g = { 0 };
    struct rec r;
    char corr[32];
    for (int i = 0; i < 3000; i++) {
        snprintf(corr, sizeof corr, "c-%d", i);
        make(&r, corr, "op/write", MGMT_PHASE_BEGIN, MGMT_OUTCOME_STARTED, i, (uint64_t)i);
        arm_pair_offer(P, &r.ev, collect, &g);
    }
    for (int k = 0; k < 3000; k++) {
        int i = (k * 7919) % 3000;
        snprintf(corr, sizeof corr, "c-%d", i);
        make(&r, corr, "op/write", MGMT_PHASE_END, MGMT_OUTCOME_FAILED, 5000 + k, 0);
        g.n = 0;
        arm_pair_offer(P, &r.ev, collect, &g);
        assert_int_equal(g.n, 1);
    }
    assert_int_equal(arm_pair_paired(P), 3000);
    g.n = 0;
    arm_pair_expire(P, INT64_MAX, collect, &g);
    assert_int_equal(g.n, 0);
    arm_pair_free(P);
}

static void test_cap_releases_oldest(void **state) {
    (void)state;
    struct arm_pair *P = arm_pair_new(2, 60 * MIN);
    struct got g = { 0 };
    struct rec r;
    make(&r, "a", "op/write", MGMT_PHASE_BEGIN, MGMT_OUTCOME_STARTED, 1, 1);
    arm_pair_offer(P, &r.ev, collect, &g);
    make(&r, "b", "op/write", MGMT_PHASE_BEGIN, MGMT_OUTCOME_STARTED, 2, 2);
    arm_pair_offer(P, &r.ev, collect, &g);
    make(&r, "c", "op/write", MGMT_PHASE_BEGIN, MGMT_OUTCOME_STARTED, 3, 3);
    arm_pair_offer(P, &r.ev, collect, &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.offset[0], 1);
    assert_int_equal(arm_pair_overflow(P), 1);
    make(&r, "b", "op/write", MGMT_PHASE_END, MGMT_OUTCOME_SUCCEEDED, 4, 4);
    arm_pair_offer(P, &r.ev, collect, &g);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.offset[1], 4);
    arm_pair_free(P);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_and_outcome_count_once),
        cmocka_unit_test(test_start_without_outcome_is_released_late),
        cmocka_unit_test(test_unfinished_starts_survive_growth),
        cmocka_unit_test(test_many_interleaved),
        cmocka_unit_test(test_cap_releases_oldest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
