/* Azure Activity Log (Azure Resource Manager operations).
 *
 * Accepted shapes, detected per record (one file may mix them):
 *   - the diagnostic-settings export: {"records":[...]} (an Event Hubs
 *     message, a storage blob before November 2018), one record per line
 *     (storage blobs since), or one pretty-printed record;
 *   - the REST / portal event (az monitor activity-log list): caller,
 *     claims at top level, operationName{value}, status{value},
 *     eventTimestamp ...; the CLI prints a JSON array of them;
 *   - a shipper's wrapper whose "message" (or "input.message") holds a
 *     record, a batch or an array as a JSON string.
 *
 * Producers disagree on key case (category/Category, requestbody/
 * requestBody/RequestBody), so every key is compared case-insensitively.
 *
 * Three things need a second parse and are held until the record is
 * walked: an identity serialised as a JSON string, and the request body
 * of a role assignment or role definition write (a JSON string, or an
 * object kept as a raw slice), which is parsed only once the operation
 * is known, whatever the field order. */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"
#include "decode/azlog.h"
#include "decode/json.h"
#include "decode/jsonrec.h"
#include "util/arena.h"
#include "util/timeutil.h"


static const char R_JSON[] = "invalid JSON";
static const char R_NOT_RECORD[] = "not an activity log record";
static const char R_NO_TIME[] = "activity record without a valid time";


/* The claims of the caller's token, by meaning: producers write the long
 * URI names (the v1 token as ARM logs it) or the short JWT names. */
struct claims {
    vstr oid, upn, unique_name, name_uri, name_short, appid, azp, idtyp, tid, amr, ipaddr, appidacr;
};

struct az_dec {
    struct azlog L;             /* the envelopes: lines, batches, arrays, wrappers */
    /* idp: an identity held in a string; bodyp: a request body */
    jparser *idp, *bodyp;
    arena mem;                  /* per-event allocations, reset per event */
    buf identity_doc, body_doc; /* padded copies of JSON held in strings */
    struct mgmt_op op;
    /* the record's fields as text, resolved once it is walked */
    struct claims cl;
    vstr ts_time, ts_event, ts_submission;
    vstr event_name, identity_text, http_ip, tenant_field, event_data_id;
    vstr body_str, body_raw;
    bool rest_shape;            /* REST / portal serialisation */
    bool known_field;           /* at least one activity-record key seen */
    bool identity_parsed;       /* identity_doc / idp hold this record's identity */
    /* counters for the summary */
    uint64_t events;
    uint64_t ev_export, ev_rest, ev_wrapped;
    uint64_t phase[4], succeeded, failed, reads;
    uint64_t bodies_parsed, bodies_not_json, no_caller_ip, caller_ip_unparsed;
};

/* ---- small helpers ---------------------------------------------------- */

#define key_is azlog_key_is

/* Append the strings of a JSON array to a list that may already hold some
 * (permissions[] contribute to one list of actions). */
static void str_array_append(arena *a, jval *v, vstr **out, uint32_t *n, uint32_t *cap) {
    jiter it;
    jval e;
    if (!jv_arr_begin(v, &it)) return;
    while (jv_arr_next(&it, &e)) {
        vstr s;
        if (!jv_str(&e, &s)) continue;
        vstr *slot = jsonrec_push(a, (void **)out, n, cap, sizeof **out);
        if (slot) *slot = s;
    }
}


/* A REST field is {"value":..., "localizedValue":...}; the export writes
 * the bare string. Returns true when it was the object form. */
static bool value_field(jval *v, vstr *out) {
    jiter it;
    jval e;
    vstr k;
    *out = VSTR_NULL;
    if (jv_str(v, out)) return false;
    if (!jv_obj_begin(v, &it)) return false;
    while (jv_obj_next(&it, &k, &e))
        if (key_is(k, "value")) jsonrec_str(&e, out);
    return true;
}

/* ---- claims and identity ---------------------------------------------- */

static void claim_value(jval *v, vstr *out) {
    if (jv_type(v) == JT_ARRAY) jv_raw(v, out);   /* amr as a v2 token writes it */
    else jsonrec_str(v, out);
}

static void decode_claim(struct claims *c, vstr k, jval *v) {
    static const char uri[] = "http://";
    if (k.n > sizeof uri - 1 && vstr_prefix(k, uri)) {
        size_t i = k.n;
        while (i > 0 && k.p[i - 1] != '/') i--;
        vstr tail = { k.p + i, k.n - i };
        if (key_is(tail, "objectidentifier")) jsonrec_str(v, &c->oid);
        else if (key_is(tail, "upn")) jsonrec_str(v, &c->upn);
        else if (key_is(tail, "name")) jsonrec_str(v, &c->name_uri);
        else if (key_is(tail, "tenantid")) jsonrec_str(v, &c->tid);
        else if (key_is(tail, "authnmethodsreferences")) claim_value(v, &c->amr);
        return;
    }
    switch (k.n) {
    case 3:
        if (key_is(k, "oid")) jsonrec_str(v, &c->oid);
        else if (key_is(k, "upn")) jsonrec_str(v, &c->upn);
        else if (key_is(k, "azp")) jsonrec_str(v, &c->azp);
        else if (key_is(k, "tid")) jsonrec_str(v, &c->tid);
        else if (key_is(k, "amr")) claim_value(v, &c->amr);
        break;
    case 4:
        if (key_is(k, "name")) jsonrec_str(v, &c->name_short);
        break;
    case 5:
        if (key_is(k, "appid")) jsonrec_str(v, &c->appid);
        else if (key_is(k, "idtyp")) jsonrec_str(v, &c->idtyp);
        break;
    case 6:
        if (key_is(k, "ipaddr")) jsonrec_str(v, &c->ipaddr);
        break;
    case 8:
        if (key_is(k, "appidacr")) jsonrec_str(v, &c->appidacr);
        break;
    case 11:
        if (key_is(k, "unique_name")) jsonrec_str(v, &c->unique_name);
        break;
    }
}

static void decode_claims(struct az_dec *d, jval *v) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e)) decode_claim(&d->cl, k, &e);
}

static void decode_evidence(struct az_dec *d, jval *v) {
    struct mgmt_op *op = &d->op;
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e)) {
        if (key_is(k, "role")) jsonrec_str(&e, &op->evidence_role);
        else if (key_is(k, "roleAssignmentId")) jsonrec_str(&e, &op->evidence_role_assignment_id);
        else if (key_is(k, "roleDefinitionId")) jsonrec_str(&e, &op->evidence_role_definition_id);
        else if (key_is(k, "principalId")) jsonrec_str(&e, &op->evidence_principal_id);
        else if (key_is(k, "principalType")) jsonrec_str(&e, &op->evidence_principal_type);
    }
}

static void decode_authorization(struct az_dec *d, jval *v) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e)) {
        if (key_is(k, "action")) jsonrec_str(&e, &d->op.authz_action);
        else if (key_is(k, "scope")) jsonrec_str(&e, &d->op.authz_scope);
        else if (key_is(k, "evidence")) decode_evidence(d, &e);
    }
}

static void decode_identity_object(struct az_dec *d, jval *v) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e)) {
        if (key_is(k, "authorization")) decode_authorization(d, &e);
        else if (key_is(k, "claims") || key_is(k, "claim")) decode_claims(d, &e);
    }
}

/* identity: an object, a JSON-encoded object, or a bare name ("John Doe"). */
static void decode_identity(struct az_dec *d, jval *v) {
    vstr s;
    if (!jv_str(v, &s)) { decode_identity_object(d, v); return; }
    vstr t = azlog_trim(s);
    jval root;
    /* Only the first encoded identity of a record is parsed: parsing a
     * second (a duplicated key) would reuse the buffer and parser that the
     * first one's claims point into. */
    if (t.n && t.p[0] == '{' && !d->identity_parsed) {
        d->identity_parsed = true;
        if (azlog_parse_copy(d->idp, &d->identity_doc, t, &root) && jv_type(&root) == JT_OBJECT) {
            decode_identity_object(d, &root);
            if (!jparser_error(d->idp)) return;
        }
        /* not JSON after all: keep it as the name it may be */
    }
    d->identity_text = t;
}

/* ---- request bodies --------------------------------------------------- */

/* A role assignment body is {"properties":{...}}; the fields are also
 * accepted at its top level. */
static void decode_assignment(jval *v, struct mgmt_role_assignment *a, int depth) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e)) {
        if (key_is(k, "properties") && depth == 0) decode_assignment(&e, a, 1);
        else if (key_is(k, "roleDefinitionId")) jsonrec_str(&e, &a->role_definition_id);
        else if (key_is(k, "principalId")) jsonrec_str(&e, &a->principal_id);
        else if (key_is(k, "principalType")) jsonrec_str(&e, &a->principal_type);
        else if (key_is(k, "scope")) jsonrec_str(&e, &a->scope);
    }
}

struct role_caps { uint32_t actions, not_actions, scopes; };

static void decode_permissions(arena *a, jval *v, struct mgmt_role_definition *r, struct role_caps *cap) {
    jiter it;
    jval e;
    if (!jv_arr_begin(v, &it)) return;
    while (jv_arr_next(&it, &e)) {
        jiter pi;
        jval pv;
        vstr pk;
        if (!jv_obj_begin(&e, &pi)) continue;
        while (jv_obj_next(&pi, &pk, &pv)) {
            if (key_is(pk, "actions") || key_is(pk, "dataActions"))
                str_array_append(a, &pv, &r->actions, &r->n_actions, &cap->actions);
            else if (key_is(pk, "notActions") || key_is(pk, "notDataActions"))
                str_array_append(a, &pv, &r->not_actions, &r->n_not_actions, &cap->not_actions);
        }
    }
}

static void decode_role_def(arena *a, jval *v, struct mgmt_role_definition *r, struct role_caps *cap, int depth) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e)) {
        if (key_is(k, "properties") && depth == 0) decode_role_def(a, &e, r, cap, 1);
        else if (key_is(k, "roleName")) jsonrec_str(&e, &r->role_name);
        else if (key_is(k, "type")) {
            /* at the top level "type" is the ARM resource type
             * (Microsoft.Authorization/roleDefinitions), not CustomRole */
            vstr t;
            if (jv_str(&e, &t) && !memchr(t.p, '/', t.n)) r->role_type = t;
        } else if (key_is(k, "permissions")) decode_permissions(a, &e, r, cap);
        else if (key_is(k, "assignableScopes"))
            str_array_append(a, &e, &r->assignable_scopes, &r->n_assignable_scopes, &cap->scopes);
    }
}

enum body_kind { BODY_NONE, BODY_ASSIGNMENT, BODY_ROLE_DEF };

static enum body_kind body_kind_of(vstr operation) {
    if (key_is(operation, "Microsoft.Authorization/roleAssignments/write")) return BODY_ASSIGNMENT;
    if (key_is(operation, "Microsoft.Authorization/roleDefinitions/write")) return BODY_ROLE_DEF;
    return BODY_NONE;
}

/* Parse the held request body once the operation says what it is. A body
 * that is not JSON is counted, never a reject: the operation still stands. */
static void decode_body(struct az_dec *d) {
    enum body_kind kind = body_kind_of(d->op.operation);
    if (kind == BODY_NONE) return;
    jval root;
    bool parsed;
    if (d->body_raw.n) {
        size_t cap = azlog_cap_after(&d->L, d->body_raw.p);
        parsed = jparse(d->bodyp, d->body_raw.p, d->body_raw.n, cap, &root);
    } else {
        vstr t = azlog_trim(d->body_str);
        if (!t.n) return;
        parsed = azlog_parse_copy(d->bodyp, &d->body_doc, t, &root);
    }
    if (!parsed || jv_type(&root) != JT_OBJECT) { d->bodies_not_json++; return; }
    if (kind == BODY_ASSIGNMENT) {
        decode_assignment(&root, &d->op.assignment, 0);
        d->op.assignment.present = true;
    } else {
        struct role_caps cap = { 0, 0, 0 };
        decode_role_def(&d->mem, &root, &d->op.role_def, &cap, 0);
        d->op.role_def.present = true;
    }
    if (jparser_error(d->bodyp)) {
        memset(&d->op.assignment, 0, sizeof d->op.assignment);
        memset(&d->op.role_def, 0, sizeof d->op.role_def);
        d->bodies_not_json++;
        return;
    }
    d->bodies_parsed++;
}

static void decode_properties(struct az_dec *d, jval *v) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e)) {
        if (!key_is(k, "requestbody")) continue;
        if (jv_type(&e) == JT_OBJECT) jv_raw(&e, &d->body_raw);
        else jsonrec_str(&e, &d->body_str);
    }
}

static void decode_http_request(struct az_dec *d, jval *v) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e)) {
        if (key_is(k, "clientIpAddress")) jsonrec_str(&e, &d->http_ip);
        else if (key_is(k, "method")) jsonrec_str(&e, &d->op.http_method);
    }
}

/* ---- the record ------------------------------------------------------- */

static void reset_record(struct az_dec *d) {
    arena_reset(&d->mem);
    memset(&d->op, 0, sizeof d->op);
    memset(&d->cl, 0, sizeof d->cl);
    d->ts_time = d->ts_event = d->ts_submission = VSTR_NULL;
    d->event_name = d->identity_text = d->http_ip = d->tenant_field = d->event_data_id = VSTR_NULL;
    d->body_str = d->body_raw = VSTR_NULL;
    d->rest_shape = false;
    d->known_field = false;
    d->identity_parsed = false;
}

/* One field of an activity record. Returns false for keys it does not know. */
static bool record_field(struct az_dec *d, vstr k, jval *e) {
    struct mgmt_op *op = &d->op;
    if (k.n == 0) return false;
    bool known = true;
    switch (k.p[0] | 0x20) {
    case 'a':
        if (key_is(k, "authorization")) { decode_authorization(d, e); d->rest_shape = true; }
        else known = false;
        break;
    case 'c':
        if (key_is(k, "category")) d->rest_shape |= value_field(e, &op->category);
        else if (key_is(k, "correlationId")) jsonrec_str(e, &op->correlation_id);
        else if (key_is(k, "callerIpAddress")) jsonrec_str(e, &op->caller_ip_text);
        else if (key_is(k, "caller")) { jsonrec_str(e, &op->caller); d->rest_shape = true; }
        else if (key_is(k, "claims")) { decode_claims(d, e); d->rest_shape = true; }
        else known = false;
        break;
    case 'e':
        if (key_is(k, "eventTimestamp")) { jsonrec_str(e, &d->ts_event); d->rest_shape = true; }
        else if (key_is(k, "eventDataId")) { jsonrec_str(e, &d->event_data_id); d->rest_shape = true; }
        else if (key_is(k, "eventName")) value_field(e, &d->event_name);
        else known = false;
        break;
    case 'h':
        if (key_is(k, "httpRequest")) decode_http_request(d, e);
        else known = false;
        break;
    case 'i':
        if (key_is(k, "identity")) decode_identity(d, e);
        else known = false;
        break;
    case 'o':
        if (key_is(k, "operationName")) d->rest_shape |= value_field(e, &op->operation);
        else if (key_is(k, "operationId")) jsonrec_str(e, &op->operation_id);
        else known = false;
        break;
    case 'p':
        if (key_is(k, "properties")) decode_properties(d, e);
        else known = false;
        break;
    case 'r':
        if (key_is(k, "resourceId")) jsonrec_str(e, &op->resource_id);
        else if (key_is(k, "resultType")) jsonrec_str(e, &op->status);
        else if (key_is(k, "resultSignature")) jsonrec_str(e, &op->sub_status);
        else if (key_is(k, "resourceGroupName")) jsonrec_str(e, &op->resource_group);
        else known = false;
        break;
    case 's':
        if (key_is(k, "status")) d->rest_shape |= value_field(e, &op->status);
        else if (key_is(k, "subStatus")) value_field(e, &op->sub_status);
        else if (key_is(k, "subscriptionId")) jsonrec_str(e, &op->subscription);
        else if (key_is(k, "submissionTimestamp")) jsonrec_str(e, &d->ts_submission);
        else known = false;
        break;
    case 't':
        if (key_is(k, "time")) jsonrec_str(e, &d->ts_time);
        else if (key_is(k, "tenantId")) jsonrec_str(e, &d->tenant_field);
        else known = false;
        break;
    default:
        known = false;
    }
    d->known_field |= known;
    return known;
}


/* ---- resolving what the record says ----------------------------------- */

static void classify_status(struct mgmt_op *op, vstr event_name) {
    static const struct { const char *status; enum mgmt_phase phase; enum mgmt_outcome outcome; } map[] = {
        { "Start", MGMT_PHASE_BEGIN, MGMT_OUTCOME_STARTED },
        { "Started", MGMT_PHASE_BEGIN, MGMT_OUTCOME_STARTED },
        { "Accept", MGMT_PHASE_ACCEPTED, MGMT_OUTCOME_ACCEPTED },
        { "Accepted", MGMT_PHASE_ACCEPTED, MGMT_OUTCOME_ACCEPTED },
        { "Success", MGMT_PHASE_END, MGMT_OUTCOME_SUCCEEDED },
        { "Succeeded", MGMT_PHASE_END, MGMT_OUTCOME_SUCCEEDED },
        { "Failure", MGMT_PHASE_END, MGMT_OUTCOME_FAILED },
        { "Failed", MGMT_PHASE_END, MGMT_OUTCOME_FAILED },
        { "Canceled", MGMT_PHASE_END, MGMT_OUTCOME_FAILED },
        { "Cancelled", MGMT_PHASE_END, MGMT_OUTCOME_FAILED },
    };
    op->phase = MGMT_PHASE_SINGLE;
    op->outcome = MGMT_OUTCOME_UNKNOWN;
    vstr status = azlog_trim(op->status);
    for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
        if (key_is(status, map[i].status)) {
            op->phase = map[i].phase;
            op->outcome = map[i].outcome;
            break;
        }
    }
    /* Active, Resolved, Updated, In Progress (health, alerts, policy) stay
     * single; only a missing status lets the REST event name decide. */
    if (!status.n) {
        if (key_is(event_name, "BeginRequest")) { op->phase = MGMT_PHASE_BEGIN; op->outcome = MGMT_OUTCOME_STARTED; }
        else if (key_is(event_name, "EndRequest")) op->phase = MGMT_PHASE_END;
    }
    op->is_read = op->operation.n >= 5 && key_is((vstr){ op->operation.p + op->operation.n - 5, 5 }, "/read");
    /* nothing to pair a read, or a record without correlationId, with */
    if (op->is_read || !op->correlation_id.n) op->phase = MGMT_PHASE_SINGLE;
}

static bool is_app_principal_type(vstr t) {
    return key_is(t, "ServicePrincipal") || key_is(t, "ManagedIdentity") || key_is(t, "Application") ||
           key_is(t, "MSI");
}

static void resolve_principal(struct az_dec *d) {
    struct mgmt_op *op = &d->op;
    const struct claims *c = &d->cl;
    op->upn = c->upn.n ? c->upn : c->unique_name;
    op->name = c->name_uri.n ? c->name_uri : c->name_short;
    op->appid = c->appid.n ? c->appid : c->azp;
    op->idtyp = c->idtyp;
    op->tenant_id = c->tid.n ? c->tid : d->tenant_field;
    op->auth_methods = c->amr;
    op->object_id = c->oid.n ? c->oid : op->evidence_principal_id;
    if (!op->caller.n) op->caller = op->upn.n ? op->upn : op->name.n ? op->name : d->identity_text;
    if (key_is(c->idtyp, "user")) op->principal_kind = MGMT_PRINCIPAL_USER;
    else if (key_is(c->idtyp, "app")) op->principal_kind = MGMT_PRINCIPAL_APP;
    else if (op->upn.n || key_is(op->evidence_principal_type, "User")) op->principal_kind = MGMT_PRINCIPAL_USER;
    else if (is_app_principal_type(op->evidence_principal_type) || key_is(c->appidacr, "1") ||
             key_is(c->appidacr, "2"))
        op->principal_kind = MGMT_PRINCIPAL_APP;
}

static void resolve_address(struct az_dec *d) {
    struct mgmt_op *op = &d->op;
    if (!op->caller_ip_text.n) op->caller_ip_text = d->http_ip.n ? d->http_ip : d->cl.ipaddr;
    if (!op->caller_ip_text.n) { d->no_caller_ip++; return; }
    op->has_ip = azlog_parse_ip(op->caller_ip_text, &op->caller_ip);
    if (!op->has_ip) d->caller_ip_unparsed++;
}

static int64_t record_time(const struct az_dec *d) {
    int64_t t;
    if (time_parse_lenient(azlog_trim(d->ts_time), &t) || time_parse_lenient(azlog_trim(d->ts_event), &t) ||
        time_parse_lenient(azlog_trim(d->ts_submission), &t))
        return t;
    return TIME_NONE;
}

/* Validate the walked record and fill the event. 1: emit; 0: rejected. */
static int finish_record(void *self, struct azlog *L, struct event *out) {
    struct az_dec *d = self;
    struct mgmt_op *op = &d->op;
    if (azlog_json_error(L)) { azlog_reject(L, R_JSON, vstr_c(azlog_json_errmsg(L))); return 0; }
    if (!d->known_field) { azlog_reject(&d->L, R_NOT_RECORD, VSTR("no activity log field")); return 0; }
    int64_t t = record_time(d);
    if (t == TIME_NONE) {
        vstr shown = d->ts_time.n ? d->ts_time : d->ts_event.n ? d->ts_event : d->ts_submission;
        azlog_reject(&d->L, R_NO_TIME, shown.n ? shown : VSTR("no time field"));
        return 0;
    }
    if (!op->operation_id.n) op->operation_id = d->event_data_id;
    azlog_ids_from_resource(op->resource_id, &op->subscription, &op->resource_group);
    classify_status(op, d->event_name);
    resolve_principal(d);
    resolve_address(d);
    decode_body(d);

    out->time_us = t;
    out->layer = LAYER_MGMT;
    out->kind = EV_MGMT_OP;
    azlog_position(L, &out->pos);
    out->u.mgmt = op;
    d->events++;
    if (d->rest_shape) d->ev_rest++;
    else d->ev_export++;
    if (L->wrapped) d->ev_wrapped++;
    d->phase[op->phase]++;
    if (op->outcome == MGMT_OUTCOME_SUCCEEDED) d->succeeded++;
    else if (op->outcome == MGMT_OUTCOME_FAILED) d->failed++;
    if (op->is_read) d->reads++;
    return 1;
}

/* ---- decoder_ops ------------------------------------------------------ */

static void reset_cb(void *self) { reset_record(self); }
static bool field_cb(void *self, vstr k, jval *e) { return record_field(self, k, e); }

static const struct azlog_format activity_format = { reset_cb, field_cb, finish_record };

static void *az_create(const char *input_name, struct rejects *rj) {
    struct az_dec *d = calloc(1, sizeof *d);
    if (!d) abort();
    azlog_init(&d->L, input_name, rj, &activity_format, d);
    d->idp = jparser_new();
    d->bodyp = jparser_new();
    if (!d->idp || !d->bodyp) abort();
    arena_init(&d->mem, 16 * 1024);
    buf_init(&d->identity_doc);
    buf_init(&d->body_doc);
    return d;
}

static void az_destroy(void *self) {
    struct az_dec *d = self;
    if (!d) return;
    azlog_free(&d->L);
    jparser_free(d->idp);
    jparser_free(d->bodyp);
    arena_free(&d->mem);
    buf_free(&d->identity_doc);
    buf_free(&d->body_doc);
    free(d);
}

static void az_begin(void *self, const struct record *rec) { azlog_begin(&((struct az_dec *)self)->L, rec); }
static int az_next(void *self, struct event *out) { return azlog_next(&((struct az_dec *)self)->L, out); }

static void az_report(void *self, buf *out) {
    struct az_dec *d = self;
    azlog_report(&d->L, out);
    if (!d->events) return;
    buf_printf(out, "  activity events by shape: %" PRIu64 " diagnostic export, %" PRIu64 " REST/portal; %" PRIu64
               " of them out of a shipper's wrapper\n", d->ev_export, d->ev_rest, d->ev_wrapped);
    buf_printf(out, "  by phase: %" PRIu64 " begin, %" PRIu64 " accepted, %" PRIu64 " end (%" PRIu64
               " succeeded, %" PRIu64 " failed), %" PRIu64 " single (unpaired, reads, health, alerts, policy)\n",
               d->phase[MGMT_PHASE_BEGIN], d->phase[MGMT_PHASE_ACCEPTED], d->phase[MGMT_PHASE_END], d->succeeded,
               d->failed, d->phase[MGMT_PHASE_SINGLE]);
    /* without reads, the arm detector's summary says once what that costs */
    buf_printf(out, "  %" PRIu64 " read operations\n", d->reads);
    if (d->bodies_parsed || d->bodies_not_json)
        buf_printf(out, "  role assignment/definition request bodies: %" PRIu64 " parsed, %" PRIu64
                   " not JSON (request body not JSON: operation kept without its body)\n",
                   d->bodies_parsed, d->bodies_not_json);
    if (d->no_caller_ip)
        buf_printf(out, "  %" PRIu64 " events without a caller address (location analytics skip them)\n",
                   d->no_caller_ip);
    if (d->caller_ip_unparsed)
        buf_printf(out, "  %" PRIu64 " events whose caller address is not an IP address\n", d->caller_ip_unparsed);
}

static uint64_t az_events(void *self) { return ((struct az_dec *)self)->events; }

/* ---- sniffing --------------------------------------------------------- */

/* The category values the activity log uses (Administrative ... and the
 * legacy log profile's Write/Action/Delete), written "category":"X" with or
 * without a blank, in either key case. */
static bool has_activity_category(vstr head) {
    static const char *const cats[] = { "Administrative", "ServiceHealth", "ResourceHealth", "Recommendation",
                                        "Autoscale", "Policy", "Security", "Alert", "Write", "Action", "Delete" };
    static const char *const keys[] = { "\"category\":\"", "\"category\": \"", "\"Category\":\"", "\"Category\": \"",
                                        "\"category\":{\"value\":\"", "\"category\": {\"value\": \"" };
    char pat[64];
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
        for (size_t c = 0; c < sizeof cats / sizeof *cats; c++) {
            int n = snprintf(pat, sizeof pat, "%s%s\"", keys[k], cats[c]);
            if (n > 0 && (size_t)n < sizeof pat && vstr_contains(head, (vstr){ pat, (size_t)n })) return true;
        }
    return false;
}

/* Activity records name operations, resources and callers; REST events
 * add eventTimestamp and object-valued operationName. Kubernetes audit
 * (even inside AKS records) and Key Vault AuditEvent records share some
 * of those keys and are left to their own decoders. */
static int az_sniff(vstr head) {
    size_t i = 0;
    while (i < head.n && (head.p[i] == ' ' || head.p[i] == '\n' || head.p[i] == '\r' || head.p[i] == '\t')) i++;
    if (i == head.n || (head.p[i] != '{' && head.p[i] != '[')) return 0;
    if (vstr_contains(head, VSTR("auditID")) || vstr_contains(head, VSTR("kube-audit")) ||
        vstr_contains(head, VSTR("audit.k8s.io")))
        return 0;
    /* Key Vault and App Service resource logs: their decoders' inputs */
    if (vstr_contains(head, VSTR("AuditEvent")) || vstr_contains(head, VSTR("\"AppService"))) return 10;
    bool op = vstr_contains_ci(head, VSTR("operationName"));
    bool rest = vstr_contains(head, VSTR("eventTimestamp")) || vstr_contains(head, VSTR("eventDataId"));
    bool caller_ip = vstr_contains(head, VSTR("callerIpAddress"));
    bool resource = vstr_contains_ci(head, VSTR("resourceId"));
    bool correlation = vstr_contains(head, VSTR("correlationId"));
    bool records = vstr_contains(head, VSTR("\"records\""));
    bool identity = vstr_contains(head, VSTR("\"identity\""));
    if (rest && (op || correlation)) return 85;
    if (has_activity_category(head)) return op || resource || caller_ip ? 85 : 75;
    if (caller_ip && (op || correlation)) return 80;
    if (records && op && resource && identity) return 60;
    return 0;
}

const struct decoder_ops azure_activity_decoder = {
    .name = "azure-activity",
    .description = "Azure Activity Log (ARM operations): diagnostic export ({\"records\":[...]}, JSON lines), "
                   "REST/portal events and arrays, shippers' wrappers",
    .layer = LAYER_MGMT,
    .sniff = az_sniff,
    .create = az_create,
    .destroy = az_destroy,
    .begin = az_begin,
    .next = az_next,
    .report = az_report,
    .events = az_events,
};
