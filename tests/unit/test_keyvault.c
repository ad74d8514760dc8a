/* The Key Vault detector (src/detect/keyvault.c), driven with typed
 * operations as the AuditEvent decoder hands them over. End-to-end cases
 * through real audit-log files live in tests/cases/keyvault/. */
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

extern const struct detector keyvault_detector;


#define APP_WEB "11111111-aaaa-4bbb-8ccc-000000000001"
#define APP_PS "1950a258-227b-4e31-a9cf-717495945fc2"

DETFX_SETUP(keyvault_detector)

struct kvspec {
    const char *op, *vault, *oid, *upn, *appid, *ip, *secret;
    int status;                         /* 0: 200 */
    const char *added;                  /* addedAccessPolicy ObjectId */
};

static void feed(struct fixture *fx, int64_t t, const struct kvspec *s) {
    struct kv_op op = { 0 };
    op.operation = vstr_c(s->op);
    op.vault = vstr_c(s->vault ? s->vault : "kv-app");
    op.object_id = vstr_c(s->oid);
    op.upn = vstr_c(s->upn);
    op.appid = vstr_c(s->appid ? s->appid : APP_WEB);
    op.principal_kind = s->upn && s->upn[0] ? MGMT_PRINCIPAL_USER : MGMT_PRINCIPAL_APP;
    op.http_status = s->status ? s->status : 200;
    op.success = op.http_status >= 200 && op.http_status < 300;
    op.object_name = vstr_c(s->secret);
    op.enable_rbac = -1;
    op.rbac_authorized = -1;
    const char *ip = s->ip ? s->ip : "198.51.100.20";
    op.caller_ip_text = vstr_c(ip);
    op.has_ip = ip_parse(ip, strlen(ip), &op.caller_ip);
    if (s->added) {
        op.added.present = true;
        op.added.object_id = vstr_c(s->added);
        static vstr perms[2] = { { "get", 3 }, { "list", 4 } };
        op.added.secrets = perms;
        op.added.n_secrets = 2;
    }
    struct event ev = { .time_us = t, .layer = LAYER_KEYVAULT, .kind = EV_KV_OP, .u.kv = &op };
    detfx_event(fx, &ev);
}

static void finish(struct fixture *fx) { detfx_finish(fx); }

static int count_type(const struct fixture *fx, const char *type) { return detfx_count(fx, type); }

/* Eight days of the usual: the web app reads its three secrets a few
 * times an hour in working hours, alice manages them through the portal. */
static void usual(struct fixture *fx, int from_day, int days, const char *vault) {
    const char *secrets[] = { "db-password", "api-key", "storage-conn" };
    for (int d = from_day; d < from_day + days; d++) {
        for (int h = 8; h < 18; h++) {
            for (int i = 0; i < 3; i++) {
                struct kvspec s = { .op = "SecretGet", .vault = vault, .oid = "oid-webapp", .secret = secrets[i],
                                    .ip = "10.1.0.4" };
                feed(fx, DAY(d) + HOUR(h) + MIN(10 * i), &s);
            }
        }
        struct kvspec a = { .op = "SecretSet", .vault = vault, .oid = "oid-alice", .upn = "alice@contoso.com",
                            .appid = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", .secret = "api-key" };
        feed(fx, DAY(d) + HOUR(11), &a);
    }
}

static void test_usual_use_is_quiet(void **state) {
    struct fixture *fx = *state;
    usual(fx, 0, 20, "kv-app");
    finish(fx);
    assert_int_equal(fx->n_alerts, 0);
}

static void test_tor_access(void **state) {
    struct fixture *fx = *state;
    char err[256];
    assert_int_equal(intel_load_mem(fx->intel, INTEL_TOR, "tor.txt", "203.0.113.66\n", 13, err, sizeof err), 0);
    struct kvspec s = { .op = "SecretGet", .oid = "oid-x", .upn = "x@contoso.com", .ip = "203.0.113.66",
                        .secret = "db-password" };
    feed(fx, T0, &s);
    s.status = 403;                     /* denied: not counted */
    s.vault = "kv-other";
    feed(fx, T0 + MIN(1), &s);
    finish(fx);
    assert_int_equal(fx->n_alerts, 1);
    assert_string_equal(fx->types[0], "kv.access.tor");
    assert_string_equal(fx->entities[0], "kv-app");
}

static void test_policy_change_then_read(void **state) {
    struct fixture *fx = *state;
    usual(fx, 0, 8, "kv-app");
    struct kvspec p = { .op = "VaultPatch", .oid = "oid-mallory", .upn = "mallory@contoso.com", .appid = APP_PS,
                        .added = "oid-mallory" };
    feed(fx, DAY(8) + HOUR(20), &p);
    struct kvspec g = { .op = "SecretGet", .oid = "oid-mallory", .upn = "mallory@contoso.com", .appid = APP_PS,
                        .secret = "db-password" };
    feed(fx, DAY(8) + HOUR(20) + MIN(3), &g);
    finish(fx);
    assert_int_equal(count_type(fx, "kv.policy_change.secret_query"), 1);
    assert_non_null(strstr(buf_cstr(&fx->json), "\"self_grant\":true"));
}

static void list_and_get(struct fixture *fx, int64_t t, const char *oid, int n) {
    struct kvspec l = { .op = "SecretList", .oid = oid, .appid = APP_PS };
    feed(fx, t, &l);
    char name[32];
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, "secret-%02d", i);
        struct kvspec g = { .op = "SecretGet", .oid = oid, .appid = APP_PS, .secret = name };
        feed(fx, t + 2 * US_PER_SEC * (i + 1), &g);
    }
}

static void test_list_then_gets_and_backup_job(void **state) {
    struct fixture *fx = *state;
    /* the backup job lists and reads all 30 secrets every night from day 0 */
    for (int d = 0; d < 14; d++) list_and_get(fx, DAY(d) + HOUR(2), "oid-backup", 30);
    /* on day 12 another identity dumps 15 secrets */
    list_and_get(fx, DAY(12) + HOUR(14), "oid-intruder", 15);
    finish(fx);
    assert_int_equal(count_type(fx, "kv.secret_list.secret_gets"), 1);
    assert_non_null(strstr(buf_cstr(&fx->json), "\"distinct_secrets\":10"));
}

static void test_unusual_members(void **state) {
    struct fixture *fx = *state;
    usual(fx, 0, 8, "kv-app");
    /* a new user through the usual portal app */
    struct kvspec u = { .op = "SecretGet", .oid = "oid-bob", .upn = "bob@contoso.com",
                        .appid = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", .secret = "db-password" };
    feed(fx, DAY(8) + HOUR(9), &u);
    /* a known user through a new app */
    struct kvspec a = { .op = "SecretGet", .oid = "oid-alice", .upn = "alice@contoso.com", .appid = APP_PS,
                        .secret = "db-password", .vault = "kv-app" };
    feed(fx, DAY(8) + HOUR(10), &a);
    /* the web app under a user the vault knows, through an app it knows, never together */
    struct kvspec p = { .op = "SecretGet", .oid = "oid-alice", .upn = "alice@contoso.com", .appid = APP_WEB,
                        .secret = "db-password" };
    feed(fx, DAY(8) + HOUR(11), &p);
    /* an ARM VaultGet by a stranger is not a data-plane access */
    struct kvspec v = { .op = "VaultGet", .oid = "oid-carol", .upn = "carol@contoso.com" };
    feed(fx, DAY(8) + HOUR(12), &v);
    finish(fx);
    assert_int_equal(count_type(fx, "kv.unusual.user"), 1);
    assert_int_equal(count_type(fx, "kv.unusual.app"), 1);
    assert_int_equal(count_type(fx, "kv.unusual.user_app_pair"), 1);
    assert_int_equal(fx->n_alerts, 3);
}

static void test_sensitive_operation_and_volume(void **state) {
    struct fixture *fx = *state;
    usual(fx, 0, 9, "kv-app");
    struct kvspec b = { .op = "SecretBackup", .oid = "oid-alice", .upn = "alice@contoso.com",
                        .appid = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", .secret = "db-password" };
    feed(fx, DAY(9) + HOUR(9), &b);
    feed(fx, DAY(9) + HOUR(9) + MIN(1), &b);            /* one alert: now it is in the hour's mix */
    /* then the web app hammers the vault: 400 reads in one hour */
    for (int i = 0; i < 400; i++) {
        struct kvspec g = { .op = "SecretGet", .oid = "oid-webapp", .secret = "db-password", .ip = "10.1.0.4" };
        feed(fx, DAY(9) + HOUR(14) + 9 * US_PER_SEC * i, &g);
    }
    usual(fx, 10, 1, "kv-app");
    finish(fx);
    assert_int_equal(count_type(fx, "kv.unusual.operation_pattern"), 1);
    assert_int_equal(count_type(fx, "kv.volume.high"), 1);
    assert_non_null(strstr(buf_cstr(&fx->json), "\"new_sensitive_operation\":\"SecretBackup\""));
}

static void test_many_vaults(void **state) {
    struct fixture *fx = *state;
    char vault[32];
    /* ten days of eve reading two vaults a day */
    for (int d = 0; d < 10; d++)
        for (int v = 0; v < 2; v++) {
            snprintf(vault, sizeof vault, "kv-team-%d", v);
            struct kvspec s = { .op = "SecretGet", .vault = vault, .oid = "oid-eve", .upn = "eve@contoso.com",
                                .secret = "s1" };
            feed(fx, DAY(d) + HOUR(10), &s);
            feed(fx, DAY(d) + HOUR(10) + MIN(1), &s);
        }
    /* then eight vaults in one day */
    for (int v = 0; v < 8; v++) {
        snprintf(vault, sizeof vault, "kv-prod-%d", v);
        struct kvspec s = { .op = "SecretList", .vault = vault, .oid = "oid-eve", .upn = "eve@contoso.com" };
        feed(fx, DAY(10) + HOUR(3) + MIN(2 * v), &s);
        feed(fx, DAY(10) + HOUR(3) + MIN(2 * v) + US_PER_SEC, &s);
    }
    finish(fx);
    assert_int_equal(count_type(fx, "kv.user.many_vaults"), 1);
    for (int i = 0; i < fx->n_alerts; i++)
        if (!strcmp(fx->types[i], "kv.user.many_vaults")) assert_string_equal(fx->entities[i], "eve@contoso.com");
}

/* Peers set the bar too: where the platform account touches six vaults a
 * day, a newcomer's six are ordinary and thirteen are not. */
static void test_many_vaults_against_peers(void **state) {
    struct fixture *fx = *state;
    char vault[32];
    for (int d = 0; d < 10; d++)
        for (int v = 0; v < 6; v++) {
            snprintf(vault, sizeof vault, "kv-platform-%d", v);
            struct kvspec s = { .op = "SecretGet", .vault = vault, .oid = "oid-platform", .secret = "tls" };
            feed(fx, DAY(d) + HOUR(6) + MIN(v), &s);
            feed(fx, DAY(d) + HOUR(6) + MIN(v) + US_PER_SEC, &s);
        }
    for (int v = 0; v < 13; v++) {
        snprintf(vault, sizeof vault, "kv-x-%d", v);
        struct kvspec s = { .op = "SecretList", .vault = vault, .oid = "oid-new", .upn = "new@contoso.com" };
        feed(fx, DAY(10) + HOUR(9) + MIN(v), &s);
        feed(fx, DAY(10) + HOUR(9) + MIN(v) + US_PER_SEC, &s);
        if (v == 5) assert_int_equal(count_type(fx, "kv.user.many_vaults"), 0);
    }
    finish(fx);
    assert_int_equal(count_type(fx, "kv.user.many_vaults"), 1);
    assert_non_null(strstr(buf_cstr(&fx->json), "\"peers_median_busiest_day\":6"));
    assert_non_null(strstr(buf_cstr(&fx->json), "\"vaults_today\":13"));
}

/* Learning survives the store: a vault learned in run 1 judges a new user
 * in run 2. */
static void test_state_across_runs(void **state) {
    struct fixture *fx = *state;
    char dir[64], err[256];
    assert_int_equal(tmpdir_make(dir, sizeof dir, "kv"), 0);
    usual(fx, 0, 8, "kv-app");
    finish(fx);
    assert_int_equal(fx->n_alerts, 0);
    struct store *st = store_open(dir, err, sizeof err);
    assert_non_null(st);
    assert_int_equal(store_begin(st), 0);
    assert_int_equal(keyvault_detector.save(fx->det, st), 0);
    assert_int_equal(store_commit(st), 0);
    detfx_stop(fx);

    detfx_start(fx);
    assert_int_equal(keyvault_detector.load(fx->det, st), 0);
    usual(fx, 8, 1, "kv-app");
    struct kvspec u = { .op = "SecretGet", .oid = "oid-bob", .upn = "bob@contoso.com",
                        .appid = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", .secret = "db-password" };
    feed(fx, DAY(9) + HOUR(9), &u);
    finish(fx);
    assert_int_equal(fx->n_alerts, 1);
    assert_string_equal(fx->types[0], "kv.unusual.user");
    store_close(st);
    tmpdir_remove(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_usual_use_is_quiet, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tor_access, setup, teardown),
        cmocka_unit_test_setup_teardown(test_policy_change_then_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_then_gets_and_backup_job, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unusual_members, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sensitive_operation_and_volume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_vaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_vaults_against_peers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_across_runs, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
