/* The Key Vault AuditEvent decoder (src/decode/keyvault.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"
#include "decode/json.h"
#include "util/timeutil.h"

extern const struct decoder_ops keyvault_decoder;

struct fixture {
    struct rejects *rj;
    void *dec;
    char *doc;
    int n;
    struct event ev[8];
    struct kv_op op[8];                 /* scalar fields stay meaningful; slices only for the last */
};

static int setup(void **state) {
    struct fixture *f = calloc(1, sizeof *f);
    f->rj = rejects_new(0, NULL);
    f->dec = keyvault_decoder.create("test", f->rj);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    struct fixture *f = *state;
    keyvault_decoder.destroy(f->dec);
    rejects_free(f->rj);
    free(f->doc);
    free(f);
    return 0;
}

static int feed(struct fixture *f, const char *json) {
    size_t n = strlen(json);
    free(f->doc);
    f->doc = calloc(1, n + JSON_PADDING);
    memcpy(f->doc, json, n);
    struct record rec = { .p = f->doc, .len = n, .cap = n + JSON_PADDING, .offset = 100 };
    keyvault_decoder.begin(f->dec, &rec);
    f->n = 0;
    struct event ev;
    while (keyvault_decoder.next(f->dec, &ev)) {
        assert_true(f->n < 8);
        f->ev[f->n] = ev;
        f->op[f->n] = *ev.u.kv;
        f->n++;
    }
    return f->n;
}

static const struct kv_op *last(struct fixture *f) { return f->ev[f->n - 1].u.kv; }

static void assert_vstr(vstr s, const char *want) {
    char got[256];
    snprintf(got, sizeof got, "%.*s", (int)s.n, s.p ? s.p : "");
    assert_string_equal(got, want);
}

#define DATA_GET                                                                                                    \
    "{\"time\":\"2024-04-03T14:02:45.0948723Z\",\"category\":\"AuditEvent\",\"operationName\":\"SecretGet\","      \
    "\"resultType\":\"Success\",\"callerIpAddress\":\"203.0.113.7\",\"identity\":{\"claim\":{\"oid\":\"oid-1\","    \
    "\"upn\":\"a@contoso.com\",\"appid\":\"app-1\"}},\"properties\":{\"id\":"                                      \
    "\"https://kv-pay.vault.azure.net/secrets/db-password/0123abcd\",\"clientInfo\":\"python/3.11\","             \
    "\"httpStatusCode\":200,\"requestUri\":\"https://kv-pay.vault.azure.net/secrets/db-password?api-version=7.4\"," \
    "\"isRbacAuthorized\":true},\"resourceId\":\"/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.KEYVAULT/" \
    "VAULTS/KV-PAY\"}"

static void test_data_plane_record(void **state) {
    struct fixture *f = *state;
    assert_int_equal(feed(f, DATA_GET), 1);
    const struct kv_op *op = last(f);
    assert_vstr(op->operation, "SecretGet");
    assert_vstr(op->vault, "KV-PAY");
    assert_vstr(op->subscription, "S1");
    assert_vstr(op->object_id, "oid-1");
    assert_vstr(op->upn, "a@contoso.com");
    assert_vstr(op->appid, "app-1");
    assert_vstr(op->object_type, "secrets");
    assert_vstr(op->object_name, "db-password");
    assert_int_equal(op->http_status, 200);
    assert_true(op->success);
    assert_true(op->has_ip);
    assert_int_equal(op->rbac_authorized, 1);
    assert_false(op->via_arm);
    assert_int_equal(op->principal_kind, MGMT_PRINCIPAL_USER);
    int64_t t;
    assert_true(time_parse(VSTR("2024-04-03T14:02:45.0948723Z"), &t));
    assert_int_equal(f->ev[0].time_us, t);
    assert_int_equal(f->ev[0].layer, LAYER_KEYVAULT);
}

/* Key Vault writes resultType Success on refused calls: the status decides. */
static void test_refused_call_is_not_success(void **state) {
    struct fixture *f = *state;
    assert_int_equal(feed(f, "{\"time\":\"2024-04-03T14:03:00Z\",\"category\":\"AuditEvent\",\"operationName\":"
                             "\"SecretPurge\",\"resultType\":\"Success\",\"resultSignature\":\"Forbidden\","
                             "\"properties\":{\"httpStatusCode\":403},\"resourceId\":\"/x/VAULTS/KV1\"}"),
                     1);
    assert_false(last(f)->success);
    assert_int_equal(last(f)->http_status, 403);
}

/* Through ARM: URI claim names, control-plane request, added policy. */
static void test_vault_patch_with_added_policy(void **state) {
    struct fixture *f = *state;
    assert_int_equal(
        feed(f, "{\"records\":[{\"time\":\"2026-03-02T10:00:00Z\",\"category\":\"AuditEvent\",\"operationName\":"
                "\"VaultPatch\",\"resultType\":\"Success\",\"resultSignature\":\"OK\",\"identity\":{\"claim\":{"
                "\"http://schemas.microsoft.com/identity/claims/objectidentifier\":\"oid-m\","
                "\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn\":\"m@contoso.com\","
                "\"appid\":\"1950a258-227b-4e31-a9cf-717495945fc2\"}},\"properties\":{\"clientInfo\":"
                "\"azure-resource-manager/2.0\",\"requestUri\":\"https://control-prod-wus.vaultcore.azure.net/"
                "subscriptions/s/resourcegroups/rg/providers/Microsoft.KeyVault/vaults/kv1?api-version=2023-07-01\","
                "\"id\":\"https://kv1.vault.azure.net/\",\"httpStatusCode\":200,\"addedAccessPolicy\":{\"ObjectId\":"
                "\"oid-m\",\"TenantId\":\"t\",\"Permissions\":{\"keys\":[],\"secrets\":[\"get\",\"list\"],"
                "\"certificates\":[]}},\"properties\":{\"enableRbacAuthorization\":false}},\"resourceId\":"
                "\"/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/KV1\"}]}"),
        1);
    const struct kv_op *op = last(f);
    assert_vstr(op->object_id, "oid-m");
    assert_vstr(op->upn, "m@contoso.com");
    assert_true(op->via_arm);
    assert_true(op->added.present);
    assert_vstr(op->added.object_id, "oid-m");
    assert_int_equal(op->added.n_secrets, 2);
    assert_vstr(op->added.secrets[1], "list");
    assert_false(op->removed.present);
    assert_int_equal(op->enable_rbac, 0);
    assert_int_equal(f->ev[0].pos.item, 1);
}

/* Managed HSM: a bare array, the identity as a JSON string with flattened
 * URI names, the HTTP fields at the top level. */
static void test_managed_hsm(void **state) {
    struct fixture *f = *state;
    assert_int_equal(
        feed(f, "[{\"time\":\"2020-08-31T19:52:39.763Z\",\"resourceId\":\"/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/"
                "PROVIDERS/MICROSOFT.KEYVAULT/MANAGEDHSMS/HSM1\",\"operationName\":\"BackupCreate\",\"category\":"
                "\"AuditEvent\",\"resultType\":\"Success\",\"durationMs\":488,\"callerIpAddress\":\"X.X.X.X\","
                "\"identity\":\"{\\\"claim\\\":{\\\"appid\\\":\\\"app-h\\\",\\\"http_schemas_microsoft_com_identity\\\":"
                "{\\\"claims\\\":{\\\"objectidentifier\\\":\\\"oid-h\\\"}},\\\"http_schemas_xmlsoap_org_ws_2005_05_"
                "identity\\\":{\\\"claims\\\":{\\\"upn\\\":\\\"h@contoso.com\\\"}}}}\",\"clientInfo\":\"azsdk\","
                "\"httpStatusCode\":202,\"requestUri\":\"https://hsm1.managedhsm.azure.net/backup\"}]"),
        1);
    const struct kv_op *op = last(f);
    assert_vstr(op->vault, "HSM1");
    assert_vstr(op->object_id, "oid-h");
    assert_vstr(op->upn, "h@contoso.com");
    assert_vstr(op->appid, "app-h");
    assert_int_equal(op->http_status, 202);
    assert_true(op->success);
    assert_false(op->has_ip);                           /* "X.X.X.X": kept as text, not an address */
    assert_vstr(op->caller_ip_text, "X.X.X.X");
}

/* The Log Analytics flattening (AzureDiagnostics). */
static void test_log_analytics_row(void **state) {
    struct fixture *f = *state;
    assert_int_equal(
        feed(f, "{\"TimeGenerated\":\"2026-03-02T10:00:00Z\",\"ResourceId\":\"/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/"
                "PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/KV-FLAT\",\"Category\":\"AuditEvent\",\"OperationName\":"
                "\"VaultPatch\",\"ResultType\":\"Success\",\"CallerIPAddress\":\"198.51.100.9\","
                "\"identity_claim_http_schemas_microsoft_com_identity_claims_objectidentifier_g\":\"oid-f\","
                "\"identity_claim_upn_s\":\"f@contoso.com\",\"identity_claim_appid_g\":\"app-f\","
                "\"clientInfo_s\":\"azure-resource-manager/2.0\",\"httpStatusCode_d\":200,"
                "\"addedAccessPolicy_ObjectId_g\":\"oid-f\",\"properties_enableRbacAuthorization_b\":false}"),
        1);
    const struct kv_op *op = last(f);
    assert_vstr(op->vault, "KV-FLAT");
    assert_vstr(op->object_id, "oid-f");
    assert_vstr(op->upn, "f@contoso.com");
    assert_vstr(op->appid, "app-f");
    assert_true(op->added.present);
    assert_vstr(op->added.object_id, "oid-f");
    assert_int_equal(op->enable_rbac, 0);
    assert_true(op->success);
    assert_true(op->has_ip);
    assert_true(op->via_arm);
}

/* The vault from properties.id when there is no resource id. */
static void test_vault_from_object_uri(void **state) {
    struct fixture *f = *state;
    assert_int_equal(feed(f, "{\"time\":\"2026-03-02T10:00:00Z\",\"category\":\"AuditEvent\",\"operationName\":"
                             "\"KeyGet\",\"properties\":{\"id\":\"https://kv-keys.vault.azure.net/keys/k1\","
                             "\"httpStatusCode\":200}}"),
                     1);
    assert_vstr(last(f)->vault, "kv-keys");
    assert_vstr(last(f)->object_type, "keys");
    assert_vstr(last(f)->object_name, "k1");
    /* an ARM URI names no vault; the token's ipaddr stands in for a missing caller address */
    assert_int_equal(feed(f, "{\"time\":\"2026-03-02T10:00:00Z\",\"category\":\"AuditEvent\",\"operationName\":"
                             "\"VaultGet\",\"identity\":{\"claim\":{\"ipaddr\":\"198.51.100.3\"}},\"properties\":"
                             "{\"requestUri\":\"https://management.azure.com/subscriptions/s\",\"httpStatusCode\":200}}"),
                     1);
    assert_int_equal(last(f)->vault.n, 0);
    assert_true(last(f)->has_ip);
}

/* A bad record between two good ones in a batch: rejected with its item,
 * the others decoded. */
static void test_bad_record_in_batch(void **state) {
    struct fixture *f = *state;
    char doc[4096];
    snprintf(doc, sizeof doc,
             "{\"records\":[%s,{\"category\":\"AuditEvent\",\"operationName\":\"SecretGet\",\"time\":\"never\"},%s]}",
             DATA_GET, DATA_GET);
    assert_int_equal(feed(f, doc), 2);
    assert_int_equal(rejects_total(f->rj), 1);
    assert_int_equal(f->ev[1].pos.item, 3);
    assert_int_equal(feed(f, "{\"time\":\"2026-03-02T10:00:00Z\",\"category\":\"AuditEvent\"}"), 0);
    assert_int_equal(rejects_total(f->rj), 2);          /* no operation: not a record */
    assert_int_equal(feed(f, "not json at all"), 0);
    assert_int_equal(rejects_total(f->rj), 3);
}

static void test_sniff(void **state) {
    (void)state;
    assert_true(keyvault_decoder.sniff(vstr_c(DATA_GET)) >= 50);
    assert_true(keyvault_decoder.sniff(VSTR("{\"identity_claim_oid_g\":\"x\",\"ResourceId\":\"/x/MICROSOFT.KEYVAULT/"
                                            "VAULTS/V\"}")) >= 50);
    /* the activity log and Kubernetes audit are not Key Vault */
    assert_int_equal(keyvault_decoder.sniff(VSTR("{\"records\":[{\"operationName\":\"MICROSOFT.KEYVAULT/VAULTS/"
                                                 "WRITE\",\"category\":\"Administrative\"}]}")),
                     0);
    assert_int_equal(keyvault_decoder.sniff(VSTR("{\"kind\":\"Event\",\"auditID\":\"x\",\"verb\":\"get\"}")), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_data_plane_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_call_is_not_success, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vault_patch_with_added_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_managed_hsm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_analytics_row, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vault_from_object_uri, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_record_in_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sniff, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
