/* The management-layer detector (src/detect/arm.c), driven with typed
 * operations as the activity-log decoder hands them over. End-to-end cases
 * through real activity-log files live in tests/cases/arm/. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "tmpdir.h"
#include "detfixture.h"
#include "alert/alert.h"
#include "config/config.h"
#include "detect/detector.h"
#include "enrich/geoip.h"
#include "enrich/intel.h"
#include "enrich/inventory.h"
#include "store/store.h"
#include "util/timeutil.h"

extern const struct detector arm_detector;


#define PS "1950a258-227b-4e31-a9cf-717495945fc2"
#define CLI "04b07795-8ddb-461a-bbee-02f9e1bf7b46"

DETFX_SETUP(arm_detector)

struct opspec {
    const char *op, *resource, *oid, *upn, *appid, *ip, *status;
    const char *role_id, *assignee;             /* role assignment body */
    const char **actions;                       /* role definition body */
    bool app;
};

/* One operation, as one record with its outcome (phase END). */
static void feed(struct fixture *fx, int64_t t, const struct opspec *s) {
    struct mgmt_op op = { 0 };
    op.operation = vstr_c(s->op);
    op.resource_id = vstr_c(s->resource ? s->resource : "/subscriptions/sub-1/resourceGroups/rg/providers/x/y/z");
    op.subscription = VSTR("sub-1");
    op.object_id = vstr_c(s->oid);
    op.upn = vstr_c(s->upn);
    op.appid = vstr_c(s->appid ? s->appid : CLI);
    op.principal_kind = s->app ? MGMT_PRINCIPAL_APP : MGMT_PRINCIPAL_USER;
    op.status = vstr_c(s->status ? s->status : "Succeeded");
    op.outcome = s->status && strcmp(s->status, "Failed") == 0 ? MGMT_OUTCOME_FAILED : MGMT_OUTCOME_SUCCEEDED;
    op.phase = MGMT_PHASE_SINGLE;
    op.is_read = strlen(s->op) > 5 && strcmp(s->op + strlen(s->op) - 5, "/read") == 0;
    if (s->ip) {
        op.caller_ip_text = vstr_c(s->ip);
        op.has_ip = ip_parse(s->ip, strlen(s->ip), &op.caller_ip);
    }
    if (s->role_id) {
        op.assignment.present = true;
        op.assignment.role_definition_id = vstr_c(s->role_id);
        op.assignment.principal_id = vstr_c(s->assignee);
        op.assignment.principal_type = VSTR("ServicePrincipal");
    }
    vstr acts[8];
    if (s->actions) {
        op.role_def.present = true;
        op.role_def.role_name = VSTR("Backdoor Operator");
        while (s->actions[op.role_def.n_actions]) {
            acts[op.role_def.n_actions] = vstr_c(s->actions[op.role_def.n_actions]);
            op.role_def.n_actions++;
        }
        op.role_def.actions = acts;
    }
    struct event ev = { .time_us = t, .layer = LAYER_MGMT, .kind = EV_MGMT_OP, .u.mgmt = &op };
    detfx_event(fx, &ev);
}

static void finish(struct fixture *fx) { detfx_finish(fx); }

static int count_type(const struct fixture *fx, const char *type) { return detfx_count(fx, type); }

/* Ordinary activity that gives the organisation (and alice) a history. */
static void history(struct fixture *fx, int days, const char *oid, const char *upn, const char *appid) {
    for (int d = 0; d < days; d++) {
        struct opspec s = { .op = "Microsoft.Compute/virtualMachines/start/action", .oid = oid, .upn = upn,
                            .appid = appid, .ip = "198.51.100.10" };
        feed(fx, DAY(d) + 9 * US_PER_HOUR, &s);
        feed(fx, DAY(d) + 15 * US_PER_HOUR, &s);
    }
}

static void list_keys(struct fixture *fx, int64_t t, const char *oid, const char *upn, int accounts, bool app) {
    char res[128];
    for (int i = 0; i < accounts; i++) {
        snprintf(res, sizeof res, "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st%d", i);
        struct opspec s = { .op = "Microsoft.Storage/storageAccounts/listKeys/action", .resource = res, .oid = oid,
                            .upn = upn, .appid = PS, .ip = "198.51.100.10", .app = app };
        feed(fx, t + MIN(i), &s);
    }
}

static void test_microburst_key_fanout(void **state) {
    struct fixture *fx = *state;
    history(fx, 9, "oid-alice", "alice@contoso.com", CLI);
    list_keys(fx, DAY(9) + 10 * US_PER_HOUR, "oid-alice", "alice@contoso.com", 6, false);
    finish(fx);
    assert_int_equal(count_type(fx, "arm.toolkit.microburst"), 1);
    assert_string_equal(fx->entities[0], "alice@contoso.com");
    assert_non_null(strstr(buf_cstr(&fx->json), "\"variant\":\"passwords\""));
    assert_non_null(strstr(buf_cstr(&fx->json), "\"resources\":5"));
    /* the summary tells what this input could not show */
    buf r;
    buf_init(&r);
    arm_detector.report(fx->det, &r);
    assert_non_null(strstr(buf_cstr(&r), "no read operations in the input: arm.toolkit.azurite cannot fire"));
    buf_free(&r);
}

/* A backup principal lists every key each night: learned in the first
 * week, the same fan-out afterwards is its normal. */
static void test_microburst_backup_job_quiet(void **state) {
    struct fixture *fx = *state;
    for (int d = 0; d < 15; d++) list_keys(fx, DAY(d) + 2 * US_PER_HOUR, "oid-backup", "", 8, true);
    finish(fx);
    assert_int_equal(fx->n_alerts, 0);
}

static void test_microburst_runbook(void **state) {
    struct fixture *fx = *state;
    history(fx, 8, "oid-alice", "alice@contoso.com", CLI);
    const char *base = "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Automation/automationAccounts/auto1/runbooks/";
    char res[256];
    const char *names[2] = { "qWeRtYuIoPaSdFg", "Patch-Linux-VMs" };
    for (int k = 0; k < 2; k++) {
        int64_t t = DAY(8) + (k + 10) * US_PER_HOUR;
        snprintf(res, sizeof res, "%s%s", base, names[k]);
        struct opspec w = { .op = "Microsoft.Automation/automationAccounts/runbooks/write", .resource = res,
                            .oid = "oid-alice", .upn = "alice@contoso.com", .appid = PS, .ip = "198.51.100.10" };
        feed(fx, t, &w);
        snprintf(res, sizeof res, "%s%s/draft/testJob", base, names[k]);
        w.op = "Microsoft.Automation/automationAccounts/runbooks/draft/testJob/write";
        feed(fx, t + MIN(2), &w);
        snprintf(res, sizeof res, "%s%s", base, names[k]);
        w.op = "Microsoft.Automation/automationAccounts/runbooks/delete";
        feed(fx, t + MIN(5), &w);
    }
    finish(fx);
    assert_int_equal(count_type(fx, "arm.toolkit.microburst"), 1);
    assert_non_null(strstr(buf_cstr(&fx->json), "qWeRtYuIoPaSdFg"));
    assert_null(strstr(buf_cstr(&fx->json), "Patch-Linux-VMs"));
}

static void test_azurite_reads(void **state) {
    struct fixture *fx = *state;
    const char *types[] = { "Microsoft.Compute/virtualMachines", "Microsoft.Network/networkInterfaces",
                            "Microsoft.Network/publicIPAddresses", "Microsoft.Network/networkSecurityGroups",
                            "Microsoft.Network/virtualNetworks", "Microsoft.Web/sites", "Microsoft.Sql/servers",
                            "Microsoft.KeyVault/vaults", "Microsoft.Network/connections/sharedKey" };
    char op[128];
    for (int i = 0; i < 3; i++) {                       /* an admin looks at three kinds: quiet */
        snprintf(op, sizeof op, "%s/read", types[i]);
        struct opspec s = { .op = op, .oid = "oid-bob", .upn = "bob@contoso.com", .ip = "198.51.100.11" };
        feed(fx, T0 + MIN(i), &s);
    }
    for (int i = 0; i < 9; i++) {
        snprintf(op, sizeof op, "%s/read", types[i]);
        struct opspec s = { .op = op, .oid = "oid-eve", .upn = "eve@contoso.com", .appid = PS, .ip = "203.0.113.66" };
        feed(fx, T0 + US_PER_HOUR + 30 * US_PER_SEC * i, &s);
    }
    finish(fx);
    assert_int_equal(fx->n_alerts, 1);
    assert_string_equal(fx->types[0], "arm.toolkit.azurite");
    assert_string_equal(fx->entities[0], "eve@contoso.com");
    buf r;
    buf_init(&r);
    arm_detector.report(fx->det, &r);
    assert_null(strstr(buf_cstr(&r), "no read operations"));
    buf_free(&r);
}

static void test_inactive_account(void **state) {
    struct fixture *fx = *state;
    history(fx, 2, "oid-carol", "carol@contoso.com", CLI);
    history(fx, 60, "oid-dave", "dave@contoso.com", CLI);    /* the organisation stays busy */
    struct opspec s = { .op = "Microsoft.Authorization/roleAssignments/write", .oid = "oid-carol",
                        .upn = "carol@contoso.com", .ip = "198.51.100.10" };
    /* a failed attempt neither alerts nor wakes the account */
    s.status = "Failed";
    feed(fx, DAY(59), &s);
    s.status = NULL;
    feed(fx, DAY(60), &s);
    /* dave did the same yesterday: active, quiet */
    s.oid = "oid-dave";
    s.upn = "dave@contoso.com";
    feed(fx, DAY(60) + US_PER_HOUR, &s);
    finish(fx);
    assert_int_equal(fx->n_alerts, 1);
    assert_string_equal(fx->types[0], "arm.session.inactive_account");
    assert_string_equal(fx->entities[0], "carol@contoso.com");
    assert_non_null(strstr(buf_cstr(&fx->json), "\"days_inactive\":58"));
}

static void test_powershell_session(void **state) {
    struct fixture *fx = *state;
    history(fx, 10, "oid-alice", "alice@contoso.com", CLI);
    history(fx, 10, "oid-pipeline", "", PS);                /* always PowerShell */
    struct opspec s = { .op = "Microsoft.Compute/virtualMachines/extensions/write", .oid = "oid-alice",
                        .upn = "alice@contoso.com", .appid = PS, .ip = "198.51.100.10" };
    feed(fx, DAY(10), &s);
    feed(fx, DAY(10) + MIN(3), &s);                         /* the same session: one alert */
    s.oid = "oid-pipeline";
    s.upn = "";
    s.app = true;
    feed(fx, DAY(10) + MIN(5), &s);
    finish(fx);
    assert_int_equal(count_type(fx, "arm.session.powershell"), 1);
    assert_string_equal(fx->entities[0], "alice@contoso.com");
    assert_non_null(strstr(buf_cstr(&fx->json), "\"powershell_never_used\":true"));
}

static void test_custom_role(void **state) {
    struct fixture *fx = *state;
    const char *actions[] = { "Microsoft.Compute/*", "Microsoft.Authorization/roleAssignments/write", NULL };
    struct opspec def = { .op = "Microsoft.Authorization/roleDefinitions/write",
                          .resource = "/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/"
                                      "7f1a0c5e-0d6b-4b8e-9a57-2d7f0e8a9b11",
                          .oid = "oid-mallory", .upn = "mallory@contoso.com", .ip = "198.51.100.12",
                          .actions = actions };
    feed(fx, T0, &def);
    struct opspec as = { .op = "Microsoft.Authorization/roleAssignments/write", .oid = "oid-mallory",
                         .upn = "mallory@contoso.com", .ip = "198.51.100.12",
                         .role_id = "/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/"
                                    "7F1A0C5E-0D6B-4B8E-9A57-2D7F0E8A9B11",
                         .assignee = "sp-backdoor" };
    feed(fx, T0 + MIN(4), &as);
    as.assignee = "sp-second";                              /* the same assigner and role again: learned */
    feed(fx, T0 + MIN(6), &as);
    as.role_id = "/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/"
                 "b24988ac-6180-42a0-ab88-20f7382dd24c";    /* Contributor: built in */
    as.assignee = "sp-third";
    feed(fx, T0 + MIN(8), &as);
    /* a custom role that reads everything and restarts VMs holds nothing
     * privileged: the bare star of the list does not cover a star of its own */
    const char *reader[] = { "*/read", "Microsoft.Compute/virtualMachines/restart/action", NULL };
    def.resource = "/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/reader-plus";
    def.actions = reader;
    feed(fx, T0 + MIN(10), &def);
    as.role_id = "/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/reader-plus";
    as.assignee = "sp-fourth";
    feed(fx, T0 + MIN(12), &as);
    finish(fx);
    assert_int_equal(fx->n_alerts, 1);
    assert_string_equal(fx->types[0], "arm.persistence.custom_role");
    assert_string_equal(fx->entities[0], "sp-backdoor");
    assert_non_null(strstr(buf_cstr(&fx->json), "\"privileged\":true"));
    assert_non_null(strstr(buf_cstr(&fx->json), "Backdoor Operator"));
    assert_non_null(strstr(buf_cstr(&fx->json), "\"privileged_actions\":\"Microsoft.Compute/*, "
                                                "Microsoft.Authorization/roleAssignments/write\""));
    buf r;
    buf_init(&r);
    arm_detector.report(fx->det, &r);
    assert_non_null(strstr(buf_cstr(&r), "1 assignments of custom roles without privileged actions"));
    buf_free(&r);
}

/* Learning survives the store: a principal seen in run 1 and idle since is
 * inactive in run 2, and a role defined in run 1 is custom in run 2. */
static void test_state_across_runs(void **state) {
    struct fixture *fx = *state;
    char dir[64], err[256];
    assert_int_equal(tmpdir_make(dir, sizeof dir, "arm"), 0);
    history(fx, 3, "oid-carol", "carol@contoso.com", CLI);
    history(fx, 50, "oid-dave", "dave@contoso.com", CLI);
    const char *actions[] = { "*/read", "Microsoft.Compute/virtualMachines/*", NULL };
    struct opspec def = { .op = "Microsoft.Authorization/roleDefinitions/write",
                          .resource = "/providers/Microsoft.Authorization/roleDefinitions/role-guid-1",
                          .oid = "oid-dave", .upn = "dave@contoso.com", .ip = "198.51.100.10", .actions = actions };
    feed(fx, DAY(49), &def);
    finish(fx);
    assert_int_equal(fx->n_alerts, 0);
    struct store *st = store_open(dir, err, sizeof err);
    assert_non_null(st);
    assert_int_equal(store_begin(st), 0);
    assert_int_equal(arm_detector.save(fx->det, st), 0);
    assert_int_equal(store_commit(st), 0);
    detfx_stop(fx);

    detfx_start(fx);
    assert_int_equal(arm_detector.load(fx->det, st), 0);
    struct opspec s = { .op = "Microsoft.Authorization/roleAssignments/write", .oid = "oid-carol",
                        .upn = "carol@contoso.com", .ip = "198.51.100.10",
                        .role_id = "/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/role-guid-1",
                        .assignee = "user-x" };
    feed(fx, DAY(51), &s);
    finish(fx);
    assert_int_equal(fx->n_alerts, 2);
    assert_int_equal(count_type(fx, "arm.session.inactive_account"), 1);
    assert_int_equal(count_type(fx, "arm.persistence.custom_role"), 1);
    store_close(st);
    tmpdir_remove(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_microburst_key_fanout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_microburst_backup_job_quiet, setup, teardown),
        cmocka_unit_test_setup_teardown(test_microburst_runbook, setup, teardown),
        cmocka_unit_test_setup_teardown(test_azurite_reads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inactive_account, setup, teardown),
        cmocka_unit_test_setup_teardown(test_powershell_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_custom_role, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_across_runs, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
