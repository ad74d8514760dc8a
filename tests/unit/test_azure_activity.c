#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "decode/decoder.h"
#include "decode/json.h"
#include "input/framer.h"
#include "input/reader.h"
#include "util/timeutil.h"

extern const struct decoder_ops azure_activity_decoder;

#define MAX_EVENTS 8

/* Events are only valid until the next call of next, so a test that looks
 * at several keeps copies of what it checks. */
struct seen {
    struct event ev;
    struct mgmt_op op;
};

struct fixture {
    struct rejects *rj;
    void *dec;
    char *doc;
    struct seen ev[MAX_EVENTS];
    int n;
    buf report;
};

static int setup(void **state) {
    struct fixture *f = calloc(1, sizeof *f);
    f->rj = rejects_new(0, NULL);
    f->dec = azure_activity_decoder.create("test", f->rj);
    buf_init(&f->report);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    struct fixture *f = *state;
    azure_activity_decoder.destroy(f->dec);
    rejects_free(f->rj);
    buf_free(&f->report);
    free(f->doc);
    free(f);
    return 0;
}

/* Feed one record at offset; returns how many events it yields. Only the
 * scalar fields of the copies stay meaningful after the next event; the
 * last event's slices stay valid until the next feed, so `last` checks
 * strings. */
static int feed_at(struct fixture *f, const char *json, uint64_t offset) {
    size_t n = strlen(json);
    free(f->doc);
    f->doc = calloc(1, n + JSON_PADDING);
    memcpy(f->doc, json, n);
    struct record rec = { .p = f->doc, .len = n, .cap = n + JSON_PADDING, .offset = offset };
    azure_activity_decoder.begin(f->dec, &rec);
    f->n = 0;
    struct event ev;
    while (azure_activity_decoder.next(f->dec, &ev)) {
        assert_true(f->n < MAX_EVENTS);
        f->ev[f->n].ev = ev;
        f->ev[f->n].op = *ev.u.mgmt;
        f->n++;
    }
    return f->n;
}

static int feed(struct fixture *f, const char *json) { return feed_at(f, json, 0); }

static const struct mgmt_op *last(struct fixture *f) { return f->ev[f->n - 1].ev.u.mgmt; }

static const char *report(struct fixture *f) {
    buf_clear(&f->report);
    azure_activity_decoder.report(f->dec, &f->report);
    return buf_cstr(&f->report);
}

static int64_t at(const char *iso) {
    int64_t t;
    assert_true(time_parse(vstr_c(iso), &t));
    return t;
}

/* ---- the diagnostic export ------------------------------------------- */

#define CLAIMS_LONG                                                                                            \
    "\"claims\":{\"http://schemas.microsoft.com/identity/claims/objectidentifier\":\"oid-1\","                   \
    "\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn\":\"alice@contoso.com\","                       \
    "\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name\":\"alice@contoso.com\",\"name\":\"Alice\","  \
    "\"http://schemas.microsoft.com/identity/claims/tenantid\":\"tenant-1\","                                    \
    "\"http://schemas.microsoft.com/claims/authnmethodsreferences\":\"pwd,mfa\","                                \
    "\"appid\":\"04b07795-8ddb-461a-bbee-02f9e1bf7b46\",\"appidacr\":\"0\",\"ipaddr\":\"198.51.100.9\"}"

#define EXPORT_WRITE(time, result, extra)                                                                      \
    "{\"time\":\"" time "\",\"resourceId\":\"/SUBSCRIPTIONS/SUB-1/RESOURCEGROUPS/RG-1/PROVIDERS/"               \
    "MICROSOFT.COMPUTE/VIRTUALMACHINES/VM1\",\"operationName\":\"MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE\","    \
    "\"category\":\"Administrative\",\"resultType\":\"" result "\",\"durationMs\":\"0\","                        \
    "\"callerIpAddress\":\"203.0.113.10\",\"correlationId\":\"corr-1\",\"identity\":{\"authorization\":{"       \
    "\"scope\":\"/subscriptions/SUB-1\",\"action\":\"Microsoft.Compute/virtualMachines/write\",\"evidence\":{" \
    "\"role\":\"Owner\",\"principalId\":\"evid-1\",\"principalType\":\"User\"}}," CLAIMS_LONG "},"             \
    "\"level\":\"Informational\"" extra "}"

static void test_records_batch_with_items(void **state) {
    struct fixture *f = *state;
    const char *batch = "{\"records\":[" EXPORT_WRITE("2026-03-01T10:00:00.1234567Z", "Start", "") ","
                        EXPORT_WRITE("2026-03-01T10:00:02Z", "Success", "") "]}";
    assert_int_equal(feed_at(f, batch, 4096), 2);
    assert_int_equal(rejects_total(f->rj), 0);
    const struct seen *a = &f->ev[0], *b = &f->ev[1];
    assert_int_equal(a->ev.layer, LAYER_MGMT);
    assert_int_equal(a->ev.kind, EV_MGMT_OP);
    assert_int_equal(a->ev.pos.offset, 4096);
    assert_int_equal(a->ev.pos.item, 1);
    assert_int_equal(b->ev.pos.item, 2);
    assert_int_equal(a->ev.time_us, at("2026-03-01T10:00:00.123456Z"));
    assert_int_equal(a->op.phase, MGMT_PHASE_BEGIN);
    assert_int_equal(a->op.outcome, MGMT_OUTCOME_STARTED);
    assert_int_equal(b->op.phase, MGMT_PHASE_END);
    assert_int_equal(b->op.outcome, MGMT_OUTCOME_SUCCEEDED);
    const struct mgmt_op *op = last(f);
    assert_true(vstr_eqc(op->operation, "MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE"));
    assert_true(vstr_eqc(op->category, "Administrative"));
    assert_true(vstr_eqc(op->subscription, "SUB-1"));
    assert_true(vstr_eqc(op->resource_group, "RG-1"));
    assert_true(vstr_eqc(op->correlation_id, "corr-1"));
    assert_true(vstr_eqc(op->status, "Success"));
    assert_false(op->is_read);
    /* claims, long names */
    assert_true(vstr_eqc(op->object_id, "oid-1"));
    assert_true(vstr_eqc(op->upn, "alice@contoso.com"));
    assert_true(vstr_eqc(op->caller, "alice@contoso.com"));
    assert_true(vstr_eqc(op->name, "alice@contoso.com"));   /* the unique name over the display name */
    assert_true(vstr_eqc(op->tenant_id, "tenant-1"));
    assert_true(vstr_eqc(op->auth_methods, "pwd,mfa"));
    assert_true(vstr_eqc(op->appid, "04b07795-8ddb-461a-bbee-02f9e1bf7b46"));
    assert_int_equal(op->principal_kind, MGMT_PRINCIPAL_USER);
    /* callerIpAddress wins over the ipaddr claim */
    assert_true(vstr_eqc(op->caller_ip_text, "203.0.113.10"));
    assert_true(op->has_ip);
    char ip[IP_STRLEN];
    ip_format(&op->caller_ip, ip);
    assert_string_equal(ip, "203.0.113.10");
    assert_true(vstr_eqc(op->authz_action, "Microsoft.Compute/virtualMachines/write"));
    assert_true(vstr_eqc(op->evidence_role, "Owner"));
    assert_true(vstr_eqc(op->evidence_principal_id, "evid-1"));
    assert_false(op->assignment.present);
    assert_false(op->role_def.present);
    assert_non_null(strstr(report(f), "1 {\"records\":[...]} batches"));
}

static void test_json_lines_and_phases(void **state) {
    struct fixture *f = *state;
    static const struct { const char *result; enum mgmt_phase phase; enum mgmt_outcome outcome; } cases[] = {
        { "Start", MGMT_PHASE_BEGIN, MGMT_OUTCOME_STARTED },
        { "Accepted", MGMT_PHASE_ACCEPTED, MGMT_OUTCOME_ACCEPTED },
        { "Succeeded", MGMT_PHASE_END, MGMT_OUTCOME_SUCCEEDED },
        { "Failure", MGMT_PHASE_END, MGMT_OUTCOME_FAILED },
        { "Canceled", MGMT_PHASE_END, MGMT_OUTCOME_FAILED },
        { "Cancelled", MGMT_PHASE_END, MGMT_OUTCOME_FAILED },
        { "Active", MGMT_PHASE_SINGLE, MGMT_OUTCOME_UNKNOWN },
        { "Updated", MGMT_PHASE_SINGLE, MGMT_OUTCOME_UNKNOWN },
    };
    char line[4096];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(line, sizeof line,
                 "{\"time\":\"2026-03-01T10:00:00Z\",\"operationName\":\"Microsoft.Network/networkSecurityGroups/write\","
                 "\"category\":\"Write\",\"resultType\":\"%s\",\"correlationId\":\"c\"}",
                 cases[i].result);
        assert_int_equal(feed_at(f, line, 100 * i), 1);
        assert_int_equal(f->ev[0].ev.pos.item, 0);
        assert_int_equal(f->ev[0].ev.pos.offset, 100 * i);
        assert_int_equal(last(f)->phase, cases[i].phase);
        assert_int_equal(last(f)->outcome, cases[i].outcome);
    }
    /* no correlationId: nothing to pair with, whatever the status */
    assert_int_equal(feed(f, "{\"time\":\"2026-03-01T10:00:00Z\",\"operationName\":\"x/write\",\"resultType\":\"Start\"}"), 1);
    assert_int_equal(last(f)->phase, MGMT_PHASE_SINGLE);
    assert_int_equal(last(f)->outcome, MGMT_OUTCOME_STARTED);
    /* a read (a source that logs them): single, and counted */
    assert_int_equal(feed(f, "{\"time\":\"2026-03-01T10:00:00Z\",\"operationName\":\"MICROSOFT.COMPUTE/VIRTUALMACHINES/READ\","
                             "\"resultType\":\"Success\",\"correlationId\":\"r\"}"), 1);
    assert_true(last(f)->is_read);
    assert_int_equal(last(f)->phase, MGMT_PHASE_SINGLE);
    assert_int_equal(rejects_total(f->rj), 0);
    assert_non_null(strstr(report(f), "1 read operations"));
}

/* ---- the REST / portal event ----------------------------------------- */

#define REST_EVENT(event_name, status, ts)                                                                      \
    "{\"authorization\":{\"action\":\"Microsoft.Authorization/roleAssignments/write\",\"scope\":\"/subscriptions/S\"}," \
    "\"caller\":\"bob@contoso.com\",\"channels\":\"Operation\",\"claims\":{\"oid\":\"oid-bob\",\"upn\":\"bob@contoso.com\"," \
    "\"name\":\"Bob\",\"appid\":\"1950a258-227b-4e31-a9cf-717495945fc2\",\"idtyp\":\"user\",\"tid\":\"t-2\",\"amr\":[\"pwd\"]}," \
    "\"correlationId\":\"corr-rest\",\"eventDataId\":\"ed-1\",\"eventName\":{\"value\":\"" event_name "\","    \
    "\"localizedValue\":\"x\"},\"category\":{\"value\":\"Administrative\",\"localizedValue\":\"Administrative\"}," \
    "\"eventTimestamp\":\"" ts "\",\"submissionTimestamp\":\"2026-03-01T12:00:00Z\","                         \
    "\"operationName\":{\"value\":\"Microsoft.Authorization/roleAssignments/write\",\"localizedValue\":\"Create role assignment\"}," \
    "\"resourceGroupName\":\"rg-rest\",\"resourceId\":\"/subscriptions/S/resourceGroups/rg-rest\","           \
    "\"status\":{\"value\":\"" status "\",\"localizedValue\":\"x\"},\"subStatus\":{\"value\":\"Created\"},"    \
    "\"subscriptionId\":\"S\",\"httpRequest\":{\"clientRequestId\":\"c\",\"clientIpAddress\":\"2001:db8::7\"," \
    "\"method\":\"PUT\"},\"properties\":{\"statusCode\":\"Created\"},\"relatedEvents\":[]}"

static void test_rest_begin_then_end(void **state) {
    struct fixture *f = *state;
    assert_int_equal(feed(f, REST_EVENT("BeginRequest", "Started", "2026-03-01T11:00:00.5Z")), 1);
    const struct mgmt_op *op = last(f);
    assert_int_equal(op->phase, MGMT_PHASE_BEGIN);
    assert_int_equal(op->outcome, MGMT_OUTCOME_STARTED);
    assert_int_equal(f->ev[0].ev.time_us, at("2026-03-01T11:00:00.5Z"));
    assert_true(vstr_eqc(op->operation, "Microsoft.Authorization/roleAssignments/write"));
    assert_true(vstr_eqc(op->category, "Administrative"));
    assert_true(vstr_eqc(op->caller, "bob@contoso.com"));
    assert_true(vstr_eqc(op->object_id, "oid-bob"));
    assert_true(vstr_eqc(op->name, "Bob"));
    assert_true(vstr_eqc(op->idtyp, "user"));
    assert_true(vstr_eqc(op->tenant_id, "t-2"));
    assert_true(vstr_eqc(op->auth_methods, "[\"pwd\"]"));
    assert_int_equal(op->principal_kind, MGMT_PRINCIPAL_USER);
    assert_true(vstr_eqc(op->subscription, "S"));
    assert_true(vstr_eqc(op->resource_group, "rg-rest"));
    assert_true(vstr_eqc(op->operation_id, "ed-1"));       /* eventDataId, no operationId */
    assert_true(vstr_eqc(op->sub_status, "Created"));
    assert_true(vstr_eqc(op->http_method, "PUT"));
    assert_true(vstr_eqc(op->caller_ip_text, "2001:db8::7"));
    assert_true(op->has_ip);
    assert_false(ip_is_v4(&op->caller_ip));
    assert_true(vstr_eqc(op->authz_scope, "/subscriptions/S"));

    assert_int_equal(feed(f, REST_EVENT("EndRequest", "Succeeded", "2026-03-01T11:00:03Z")), 1);
    assert_int_equal(last(f)->phase, MGMT_PHASE_END);
    assert_int_equal(last(f)->outcome, MGMT_OUTCOME_SUCCEEDED);
    assert_true(vstr_eqc(last(f)->correlation_id, "corr-rest"));

    /* no status at all: the event name says which end of the pair it is */
    assert_int_equal(feed(f, "{\"eventTimestamp\":\"2026-03-01T11:00:00Z\",\"correlationId\":\"x\","
                             "\"eventName\":{\"value\":\"BeginRequest\"},\"operationName\":{\"value\":\"a/write\"}}"), 1);
    assert_int_equal(last(f)->phase, MGMT_PHASE_BEGIN);
    /* eventTimestamp missing: submissionTimestamp stands in */
    assert_int_equal(feed(f, "{\"submissionTimestamp\":\"2026-03-01T11:00:09Z\",\"operationName\":{\"value\":\"a/write\"}}"), 1);
    assert_int_equal(f->ev[0].ev.time_us, at("2026-03-01T11:00:09Z"));
    assert_int_equal(rejects_total(f->rj), 0);
    assert_non_null(strstr(report(f), "0 diagnostic export, 4 REST/portal"));
}

static void test_rest_array_as_the_cli_prints_it(void **state) {
    struct fixture *f = *state;
    const char *arr = "[" REST_EVENT("BeginRequest", "Started", "2026-03-01T11:00:00Z") ",\n"
                      REST_EVENT("EndRequest", "Failed", "2026-03-01T11:00:01Z") "]";
    assert_int_equal(feed(f, arr), 2);
    assert_int_equal(f->ev[0].ev.pos.item, 1);
    assert_int_equal(f->ev[1].ev.pos.item, 2);
    assert_int_equal(f->ev[1].op.outcome, MGMT_OUTCOME_FAILED);
    assert_int_equal(rejects_total(f->rj), 0);
    /* the records before trailing garbage still count; the garbage is rejected */
    assert_int_equal(feed(f, "[{\"time\":\"2026-03-01T10:00:00Z\",\"category\":\"Administrative\"}] x"), 1);
    assert_int_equal(rejects_total(f->rj), 1);
}

/* ---- identity and claims --------------------------------------------- */

static void test_identity_as_string(void **state) {
    struct fixture *f = *state;
    assert_int_equal(feed(f, "{\"records\":[{\"time\":\"2022-11-11T04:48:27.6767145Z\",\"resourceId\":\"/RESOURCE_ID\","
                             "\"operationName\":\"SecretGet\",\"category\":\"NonExistentCategory\",\"identity\":\"John Doe\"}]}"),
                     1);
    assert_true(vstr_eqc(last(f)->caller, "John Doe"));
    assert_int_equal(last(f)->principal_kind, MGMT_PRINCIPAL_UNKNOWN);
    /* a JSON-encoded identity is decoded like the object */
    assert_int_equal(feed(f, "{\"time\":\"2026-03-01T10:00:00Z\",\"operationName\":\"a/write\",\"identity\":"
                             "\"{\\\"authorization\\\":{\\\"evidence\\\":{\\\"principalId\\\":\\\"sp-1\\\","
                             "\\\"principalType\\\":\\\"ServicePrincipal\\\"}},\\\"claims\\\":{\\\"appid\\\":\\\"app-1\\\","
                             "\\\"appidacr\\\":\\\"2\\\"}}\"}"),
                     1);
    const struct mgmt_op *op = last(f);
    assert_true(vstr_eqc(op->object_id, "sp-1"));          /* evidence principalId: no oid claim */
    assert_true(vstr_eqc(op->appid, "app-1"));
    assert_true(vstr_eqc(op->evidence_principal_type, "ServicePrincipal"));
    assert_int_equal(op->principal_kind, MGMT_PRINCIPAL_APP);
    assert_int_equal(op->caller.n, 0);
    /* a duplicated identity key: the first encoded one stands, and its
     * claims stay readable (the second is not parsed over them) */
    assert_int_equal(feed(f, "{\"time\":\"2026-03-01T10:00:00Z\",\"identity\":\"{\\\"claims\\\":{\\\"upn\\\":\\\"u1\\\"}}\","
                             "\"identity\":\"{\\\"claims\\\":{\\\"upn\\\":\\\"u2-a-much-longer-name-so-that-the-buffer-grows"
                             "-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\\"}}\"}"),
                     1);
    assert_true(vstr_eqc(last(f)->upn, "u1"));
    assert_int_equal(rejects_total(f->rj), 0);
}

static void test_claims_short_names(void **state) {
    struct fixture *f = *state;
    assert_int_equal(feed(f, "{\"time\":\"2026-03-01T10:00:00Z\",\"operationName\":\"a/write\",\"identity\":{\"claims\":{"
                             "\"oid\":\"o\",\"unique_name\":\"carol@contoso.com\",\"name\":\"Carol\",\"azp\":\"client-9\","
                             "\"tid\":\"t\",\"amr\":\"pwd\",\"ipaddr\":\"192.0.2.44\"}}}"),
                     1);
    const struct mgmt_op *op = last(f);
    assert_true(vstr_eqc(op->object_id, "o"));
    assert_true(vstr_eqc(op->upn, "carol@contoso.com"));
    assert_true(vstr_eqc(op->caller, "carol@contoso.com"));
    assert_true(vstr_eqc(op->name, "Carol"));
    assert_true(vstr_eqc(op->appid, "client-9"));
    assert_true(vstr_eqc(op->tenant_id, "t"));
    assert_true(vstr_eqc(op->auth_methods, "pwd"));
    assert_int_equal(op->principal_kind, MGMT_PRINCIPAL_USER);
    /* no callerIpAddress, no httpRequest: the ipaddr claim */
    assert_true(vstr_eqc(op->caller_ip_text, "192.0.2.44"));
    assert_true(op->has_ip);
    /* only a name claim: the caller is that name; an app token, idtyp app */
    assert_int_equal(feed(f, "{\"time\":\"2026-03-01T10:00:00Z\",\"operationName\":\"a/write\",\"identity\":{\"claims\":{"
                             "\"name\":\"deploy-bot\",\"idtyp\":\"app\",\"appidacr\":\"0\"}}}"),
                     1);
    assert_true(vstr_eqc(last(f)->caller, "deploy-bot"));
    assert_int_equal(last(f)->principal_kind, MGMT_PRINCIPAL_APP);
    /* an app by appidacr alone (no upn, no idtyp, no evidence) */
    assert_int_equal(feed(f, "{\"time\":\"2026-03-01T10:00:00Z\",\"operationName\":\"a/write\",\"identity\":{\"claims\":{"
                             "\"appid\":\"a\",\"appidacr\":\"1\"}}}"),
                     1);
    assert_int_equal(last(f)->principal_kind, MGMT_PRINCIPAL_APP);
    assert_int_equal(rejects_total(f->rj), 0);
}

static void test_key_case_and_addresses(void **state) {
    struct fixture *f = *state;
    assert_int_equal(feed(f, "{\"Time\":\"2026-03-01T10:00:00Z\",\"OperationName\":\"a/write\",\"Category\":\"Write\","
                             "\"ResourceId\":\"/subscription/SUBX/providers/Microsoft.domainRegistration\","
                             "\"CallerIpAddress\":\"198.51.100.20:52311\"}"),
                     1);
    const struct mgmt_op *op = last(f);
    assert_true(vstr_eqc(op->category, "Write"));
    assert_true(vstr_eqc(op->subscription, "SUBX"));      /* the malformed singular */
    assert_int_equal(op->resource_group.n, 0);
    assert_true(op->has_ip);                              /* :port dropped */
    char ip[IP_STRLEN];
    ip_format(&op->caller_ip, ip);
    assert_string_equal(ip, "198.51.100.20");
    assert_int_equal(feed(f, "{\"time\":\"2026-03-01T10:00:00Z\",\"callerIpAddress\":\"[2001:db8::1]:443\"}"), 1);
    assert_true(last(f)->has_ip);
    assert_int_equal(feed(f, "{\"time\":\"2026-03-01T10:00:00Z\",\"callerIpAddress\":\"not-an-ip\"}"), 1);
    assert_false(last(f)->has_ip);
    assert_true(vstr_eqc(last(f)->caller_ip_text, "not-an-ip"));
    assert_non_null(strstr(report(f), "1 events whose caller address is not an IP address"));
}

/* ---- request bodies --------------------------------------------------- */

#define ASSIGNMENT_BODY                                                                                        \
    "{\"Id\":\"ra-1\",\"Properties\":{\"PrincipalId\":\"victim-sp\",\"PrincipalType\":\"ServicePrincipal\","      \
    "\"RoleDefinitionId\":\"/subscriptions/S/providers/Microsoft.Authorization/roleDefinitions/"                 \
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635\",\"Scope\":\"/subscriptions/S\"}}"

static char *escape_json(const char *s) {
    char *out = calloc(1, strlen(s) * 2 + 1), *o = out;
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') *o++ = '\\';
        *o++ = *s;
    }
    return out;
}

static void check_assignment(const struct mgmt_op *op) {
    assert_true(op->assignment.present);
    assert_true(vstr_eqc(op->assignment.principal_id, "victim-sp"));
    assert_true(vstr_eqc(op->assignment.principal_type, "ServicePrincipal"));
    assert_true(vstr_eqc(op->assignment.scope, "/subscriptions/S"));
    assert_true(vstr_eqc(op->assignment.role_definition_id,
                         "/subscriptions/S/providers/Microsoft.Authorization/roleDefinitions/"
                         "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"));
}

static void test_role_assignment_body(void **state) {
    struct fixture *f = *state;
    char rec[4096];
    char *esc = escape_json(ASSIGNMENT_BODY);
    /* the body as a JSON string, before the operation is known */
    snprintf(rec, sizeof rec,
             "{\"time\":\"2026-03-01T10:00:00Z\",\"properties\":{\"requestbody\":\"%s\"},"
             "\"operationName\":\"MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE\",\"correlationId\":\"c\"}", esc);
    free(esc);
    assert_int_equal(feed(f, rec), 1);
    check_assignment(last(f));
    /* the body as an object, key spelt requestBody */
    assert_int_equal(feed(f, "{\"operationName\":\"Microsoft.Authorization/roleAssignments/write\","
                             "\"time\":\"2026-03-01T10:00:00Z\",\"Properties\":{\"requestBody\":" ASSIGNMENT_BODY "}}"),
                     1);
    check_assignment(last(f));
    /* the same body on another operation is not parsed */
    assert_int_equal(feed(f, "{\"operationName\":\"Microsoft.Compute/virtualMachines/write\","
                             "\"time\":\"2026-03-01T10:00:00Z\",\"properties\":{\"requestbody\":" ASSIGNMENT_BODY "}}"),
                     1);
    assert_false(last(f)->assignment.present);
    /* a body that is not JSON: counted, not rejected */
    assert_int_equal(feed(f, "{\"operationName\":\"Microsoft.Authorization/roleAssignments/write\","
                             "\"time\":\"2026-03-01T10:00:00Z\",\"properties\":{\"requestbody\":\"<xml/>\"}}"),
                     1);
    assert_false(last(f)->assignment.present);
    assert_int_equal(rejects_total(f->rj), 0);
    assert_non_null(strstr(report(f), "2 parsed, 1 not JSON"));
}

#define ROLE_DEF_BODY                                                                                           \
    "{\"name\":\"guid\",\"type\":\"Microsoft.Authorization/roleDefinitions\",\"properties\":{\"roleName\":\"Backdoor\"," \
    "\"type\":\"CustomRole\",\"permissions\":[{\"actions\":[\"*\",\"Microsoft.Compute/*\"],\"notActions\":[\"a/delete\"]," \
    "\"dataActions\":[\"Microsoft.KeyVault/vaults/secrets/getSecret/action\"]},{\"actions\":[\"x/read\"]}],"          \
    "\"assignableScopes\":[\"/subscriptions/S\",\"/subscriptions/T\"]}}"

static void check_role_def(const struct mgmt_op *op) {
    const struct mgmt_role_definition *r = &op->role_def;
    assert_true(r->present);
    assert_true(vstr_eqc(r->role_name, "Backdoor"));
    assert_true(vstr_eqc(r->role_type, "CustomRole"));
    assert_int_equal(r->n_actions, 4);
    assert_true(vstr_eqc(r->actions[0], "*"));
    assert_true(vstr_eqc(r->actions[2], "Microsoft.KeyVault/vaults/secrets/getSecret/action"));
    assert_true(vstr_eqc(r->actions[3], "x/read"));
    assert_int_equal(r->n_not_actions, 1);
    assert_int_equal(r->n_assignable_scopes, 2);
    assert_true(vstr_eqc(r->assignable_scopes[1], "/subscriptions/T"));
}

static void test_role_definition_body(void **state) {
    struct fixture *f = *state;
    char rec[4096];
    char *esc = escape_json(ROLE_DEF_BODY);
    snprintf(rec, sizeof rec,
             "{\"records\":[{\"time\":\"2026-03-01T10:00:00Z\",\"operationName\":"
             "\"MICROSOFT.AUTHORIZATION/ROLEDEFINITIONS/WRITE\",\"properties\":{\"RequestBody\":\"%s\"}}]}", esc);
    free(esc);
    assert_int_equal(feed(f, rec), 1);
    check_role_def(last(f));
    assert_int_equal(feed(f, "{\"time\":\"2026-03-01T10:00:00Z\",\"operationName\":"
                             "\"Microsoft.Authorization/roleDefinitions/write\",\"properties\":{\"requestbody\":"
                             ROLE_DEF_BODY "}}"),
                     1);
    check_role_def(last(f));
    assert_int_equal(rejects_total(f->rj), 0);
}

/* ---- wrappers and bad input ------------------------------------------- */

static void test_wrapper(void **state) {
    struct fixture *f = *state;
    char rec[8192];
    char *esc = escape_json(REST_EVENT("EndRequest", "Succeeded", "2018-01-29T20:42:31.3810679Z"));
    snprintf(rec, sizeof rec, "{\"input\":{\"message\":\"%s\"},\"expected\":{\"message\":\"ignored\"}}", esc);
    assert_int_equal(feed(f, rec), 1);
    assert_true(vstr_eqc(last(f)->caller, "bob@contoso.com"));
    assert_int_equal(f->ev[0].ev.time_us, at("2018-01-29T20:42:31.381067Z"));
    snprintf(rec, sizeof rec, "{\"@timestamp\":\"x\",\"message\":\"%s\"}", esc);
    assert_int_equal(feed(f, rec), 1);
    free(esc);
    /* a wrapped batch */
    esc = escape_json("{\"records\":[" EXPORT_WRITE("2026-03-01T10:00:00Z", "Start", "") ","
                      EXPORT_WRITE("2026-03-01T10:00:01Z", "Success", "") "]}");
    snprintf(rec, sizeof rec, "{\"message\":\"%s\"}", esc);
    free(esc);
    assert_int_equal(feed(f, rec), 2);
    assert_int_equal(f->ev[1].ev.pos.item, 2);
    /* a message that is no record */
    assert_int_equal(feed(f, "{\"message\":\"connection reset by peer\"}"), 0);
    assert_int_equal(rejects_total(f->rj), 1);
    assert_non_null(strstr(report(f), "3 documents unwrapped from a shipper's message"));
}

static void test_bad_record_between_good_ones(void **state) {
    struct fixture *f = *state;
    /* in a batch: a record without a valid time, one that is no object,
     * one that names nothing an activity record has */
    const char *batch = "{\"records\":[" EXPORT_WRITE("2026-03-01T10:00:00Z", "Start", "") ","
                        EXPORT_WRITE("yesterday", "Start", "") ",42,{\"foo\":1},"
                        EXPORT_WRITE("2026-03-01T10:00:01Z", "Success", "") "]}";
    assert_int_equal(feed(f, batch), 2);
    assert_int_equal(f->ev[0].ev.pos.item, 1);
    assert_int_equal(f->ev[1].ev.pos.item, 5);
    assert_int_equal(rejects_total(f->rj), 3);
    /* as lines: the bad line is rejected at its offset, the next decodes */
    assert_int_equal(feed_at(f, EXPORT_WRITE("2026-03-01T10:00:00Z", "Start", ""), 0), 1);
    assert_int_equal(feed_at(f, "{\"time\":\"2026-03-01T10:00:00Z\",\"operationName\":", 900), 0);
    assert_int_equal(feed_at(f, "not json at all", 950), 0);
    assert_int_equal(feed_at(f, "{\"operationName\":\"a/write\"}", 970), 0);      /* no time */
    assert_int_equal(feed_at(f, "{\"time\":\"2026-03-01T10:00:00Z\"} trailing", 990), 0);
    assert_int_equal(feed_at(f, EXPORT_WRITE("2026-03-01T10:00:01Z", "Success", ""), 1000), 1);
    assert_int_equal(f->ev[0].ev.pos.offset, 1000);
    assert_int_equal(rejects_total(f->rj), 7);
    buf b;
    buf_init(&b);
    rejects_summary(f->rj, &b);
    assert_non_null(strstr(buf_cstr(&b), "activity record without a valid time"));
    assert_non_null(strstr(buf_cstr(&b), "not an activity log record"));
    assert_non_null(strstr(buf_cstr(&b), "invalid JSON"));
    buf_free(&b);
}

static void test_minimal_record_without_operation(void **state) {
    struct fixture *f = *state;
    assert_int_equal(feed(f, "{\"time\": \"1/9/2007 10:41:00 AM +01:00\", \"category\": \"Administrative\"}"), 1);
    assert_int_equal(f->ev[0].ev.time_us, at("2007-01-09T09:41:00Z"));
    assert_int_equal(last(f)->operation.n, 0);
    assert_int_equal(last(f)->phase, MGMT_PHASE_SINGLE);
    assert_non_null(strstr(report(f), "0 read operations"));
}

static void test_sniff(void **state) {
    (void)state;
    int (*sniff)(vstr) = azure_activity_decoder.sniff;
    assert_true(sniff(VSTR("{\"records\":[{\"time\":\"t\",\"operationName\":\"MICROSOFT.X/WRITE\",\"category\":\"Administrative\"}]}")) >= 80);
    assert_true(sniff(VSTR("{\"time\": \"01/09/2007 09:41:00\", \"category\": \"Administrative\"}")) >= 50);
    assert_true(sniff(VSTR("[{\"eventTimestamp\":\"t\",\"operationName\":{\"value\":\"a/write\"}}]")) >= 80);
    assert_true(sniff(VSTR("{\"callerIpAddress\":\"1.2.3.4\",\"correlationId\":\"c\",\"operationName\":\"x\"}")) >= 50);
    assert_true(sniff(VSTR("{\"input\":{\"message\":\"{\\\"eventTimestamp\\\":\\\"t\\\",\\\"correlationId\\\":\\\"c\\\"}\"}}")) >= 50);
    /* Kubernetes audit (also inside AKS records), Key Vault, App Service */
    assert_int_equal(sniff(VSTR("{\"kind\":\"Event\",\"auditID\":\"a\",\"verb\":\"get\"}")), 0);
    assert_int_equal(sniff(VSTR("{\"records\":[{\"category\":\"kube-audit\",\"operationName\":\"x\",\"resourceId\":\"r\"}]}")), 0);
    assert_true(sniff(VSTR("{\"records\":[{\"time\":\"t\",\"resourceId\":\"r\",\"operationName\":\"SecretGet\","
                           "\"category\":\"AuditEvent\",\"callerIpAddress\":\"1.2.3.4\",\"correlationId\":\"c\"}]}")) < 50);
    assert_true(sniff(VSTR("{\"records\":[{\"time\":\"t\",\"resourceId\":\"r\",\"category\":\"AppServiceConsoleLogs\","
                           "\"operationName\":\"ConsoleLog\",\"identity\":{}}]}")) < 50);
    assert_int_equal(sniff(VSTR("2026-03-01 plain text")), 0);
    /* and the k8s decoder still wins its own inputs */
    vstr aks = VSTR("{\"records\":[{\"category\":\"kube-audit\",\"operationName\":\"Microsoft.ContainerService/x\","
                    "\"properties\":{\"log\":\"{\\\"auditID\\\":\\\"a\\\",\\\"stage\\\":\\\"x\\\"}\"}}]}");
    assert_ptr_equal(format_detect(aks), format_find("k8s-audit"));
    assert_ptr_equal(format_detect(VSTR("{\"records\":[{\"time\":\"t\",\"operationName\":\"MICROSOFT.X/WRITE\","
                                        "\"category\":\"Administrative\"}]}")),
                     &azure_activity_decoder);
}

/* ---- public samples (../shared/data; skipped where absent) ----------- */

static const char *shared_data(void) {
    const char *d = getenv("VIGIL_SHARED_DATA");
    return d ? d : "../shared/data";
}

/* What a check wants of one event of a sample: its index, and a callback. */
typedef void (*sample_check)(int index, const struct event *ev);

/* Decode a sample the way vigil scan does (detected format, framing
 * guessed from the head); return its event count, calling check on each. */
static int decode_sample(const char *rel, sample_check check) {
    char path[600], err[256];
    snprintf(path, sizeof path, "%s/azure-activity/%s", shared_data(), rel);
    struct reader *r = reader_open(path, err, sizeof err);
    assert_non_null(r);
    struct framer *fr = framer_new(r);
    const struct decoder_ops *fmt = format_detect(framer_head(fr));
    if (fmt != &azure_activity_decoder) fail_msg("%s: detected as %s", rel, fmt ? fmt->name : "nothing");
    framer_set_mode(fr, format_frame_mode(fmt, fr));
    struct rejects *rj = rejects_new(0, NULL);
    void *dec = fmt->create(rel, rj);
    struct record rec;
    struct event ev;
    int n = 0;
    while (framer_next(fr, &rec) == 1) {
        fmt->begin(dec, &rec);
        while (fmt->next(dec, &ev)) {
            if (check) check(n, &ev);
            n++;
        }
    }
    if (rejects_total(rj)) fail_msg("%s: %d records rejected", rel, (int)rejects_total(rj));
    fmt->destroy(dec);
    rejects_free(rj);
    framer_free(fr);
    reader_close(r);
    return n;
}

static void check_beats_listkeys(int index, const struct event *ev) {
    (void)index;
    const struct mgmt_op *op = ev->u.mgmt;
    assert_true(vstr_eqc(op->operation, "MICROSOFT.EVENTHUB/NAMESPACES/AUTHORIZATIONRULES/LISTKEYS/ACTION"));
    assert_int_equal(op->principal_kind, MGMT_PRINCIPAL_APP);
    assert_true(vstr_eqc(op->subscription, "8a4de8b5-095c-47d0-a96f-a75130c61d53"));
    assert_true(vstr_eqc(op->resource_group, "SA-HEMA"));
    assert_true(vstr_eqc(op->evidence_principal_type, "ServicePrincipal"));
    assert_int_equal(op->phase, MGMT_PHASE_BEGIN);
    assert_true(op->has_ip);
    assert_int_equal(ev->time_us, at("2019-10-24T00:13:46.355425Z"));
}

static void check_msdocs_rest(int index, const struct event *ev) {
    (void)index;
    const struct mgmt_op *op = ev->u.mgmt;
    assert_true(vstr_eqc(op->caller, "rob@contoso.com"));
    assert_int_equal(ev->time_us, at("2018-01-29T20:42:31.381067Z"));     /* eventTimestamp, not submission */
    assert_true(vstr_eqc(op->operation, "Microsoft.Network/networkSecurityGroups/write"));
    assert_int_equal(op->phase, MGMT_PHASE_END);
    assert_int_equal(op->outcome, MGMT_OUTCOME_SUCCEEDED);
    assert_int_equal(op->principal_kind, MGMT_PRINCIPAL_USER);
    assert_true(vstr_eqc(op->object_id, "f409edeb-4d29-44b5-9763-ee9348ad91bb"));
    assert_true(vstr_eqc(op->caller_ip_text, "111.111.1.111"));            /* claims ipaddr */
    assert_true(vstr_eqc(op->resource_group, "myResourceGroup"));
    assert_true(vstr_eqc(op->operation_id, "04e575f8-48d0-4c43-a8b3-78c4eb01d287"));
}

static void check_otel_admin(int index, const struct event *ev) {
    (void)index;
    const struct mgmt_op *op = ev->u.mgmt;
    assert_true(vstr_eqc(op->caller, "user@example.com"));
    assert_true(vstr_eqc(op->object_id, "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"));
    assert_true(vstr_eqc(op->auth_methods, "pwd,mfa"));
    assert_int_equal(op->principal_kind, MGMT_PRINCIPAL_USER);
    assert_true(vstr_eqc(op->subscription, "11111111-1111-1111-1111-111111111111"));
    assert_int_equal(ev->pos.item, 1);
}

static void check_time_formats(int index, const struct event *ev) {
    static const int64_t frac[11] = { 0, 0, 0, 0, 0, 0, 220000, 681666, 535404, 992099, 0 };
    assert_int_equal(ev->time_us, at("2007-01-09T09:41:00Z") + frac[index]);
}

static void test_public_samples(void **state) {
    (void)state;
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/azure-activity", shared_data());
    if (stat(path, &st) != 0) skip();
    assert_int_equal(decode_sample("otel-contrib/administrative-valid_1.json", check_otel_admin), 1);
    assert_int_equal(decode_sample("otel-contrib/cornercases-identity_as_string.json", NULL), 1);
    assert_int_equal(decode_sample("otel-contrib/cornercases-identity_as_object.json", NULL), 1);
    assert_int_equal(decode_sample("msdocs/activity-log-storage-eventhub-example.json", NULL), 1);
    assert_int_equal(decode_sample("msdocs/activity-log-rest-administrative-example.json", check_msdocs_rest), 1);
    assert_int_equal(decode_sample("elastic-beats/activitylogs.log", check_beats_listkeys), 1);
    assert_int_equal(decode_sample("elastic-beats/activitylogs_edgecases.log", NULL), 1);
    assert_int_equal(decode_sample("elastic-integrations/test-activitylogs-raw.log", NULL), 3);
    assert_int_equal(decode_sample("elastic-integrations/test-time-formats-corner-cases.log", check_time_formats), 11);
    assert_int_equal(decode_sample("sekoia-intake-formats/administrative.json", NULL), 1);
    assert_int_equal(decode_sample("sekoia-intake-formats/alert.json", NULL), 1);
    assert_int_equal(decode_sample("sekoia-intake-formats/policy.json", NULL), 1);
    assert_int_equal(decode_sample("sekoia-intake-formats/security.json", NULL), 1);
    assert_int_equal(decode_sample("sekoia-intake-formats/sekoia-activity-logs.derived.jsonl", NULL), 4);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_records_batch_with_items, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_lines_and_phases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rest_begin_then_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rest_array_as_the_cli_prints_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identity_as_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claims_short_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_case_and_addresses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_role_assignment_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_role_definition_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrapper, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_record_between_good_ones, setup, teardown),
        cmocka_unit_test_setup_teardown(test_minimal_record_without_operation, setup, teardown),
        cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_public_samples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
