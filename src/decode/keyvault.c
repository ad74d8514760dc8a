/* Azure Key Vault audit logs (diagnostic category AuditEvent), and the
 * Managed HSM's, into struct kv_op.
 *
 * Accepted shapes, detected per record (envelopes: decode/azlog.h):
 *   - the diagnostic export: {"records":[...]}, a record per line, or one
 *     pretty-printed record; Managed HSM writes a bare array;
 *   - a shipper's wrapper whose "message" holds a record;
 *   - the Log Analytics flattening (AzureDiagnostics rows as JSON lines):
 *     OperationName, CallerIPAddress, identity_claim_oid_g, requestUri_s...
 *
 * identity.claim (singular, unlike the activity log's claims) comes in the
 * short JWT names of data-plane calls (oid, upn, appid) or the URI names of
 * calls made through ARM; Managed HSM writes the identity as a JSON string
 * whose URI names are flattened into nested objects
 * (http_schemas_microsoft_com_identity -> claims -> objectidentifier).
 *
 * resultType is "Success" even for calls Key Vault refused: the HTTP
 * status decides success. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decode/azlog.h"
#include "decode/decoder.h"
#include "decode/json.h"
#include "decode/jsonrec.h"
#include "util/arena.h"
#include "util/timeutil.h"

#define key_is azlog_key_is

static const char R_JSON[] = "invalid JSON";
static const char R_NOT_RECORD[] = "not a Key Vault audit record";
static const char R_NO_TIME[] = "Key Vault record without a valid time";

struct kv_claims { vstr oid, upn, unique_name, name, appid, tid, idtyp, appidacr, ipaddr; };

struct kv_dec {
    struct azlog L;
    jparser *idp;                       /* an identity held in a string */
    buf identity_doc;
    arena mem;
    struct kv_op op;
    struct kv_claims cl;
    vstr ts, status_text, flat_added_perm;
    bool known_field, identity_parsed;
    /* counters */
    uint64_t events, denied, no_caller_ip, flattened, hsm;
    uint64_t by_class[5];               /* secret, key, certificate, vault, other */
};

/* ---- claims ------------------------------------------------------------- */

/* A claim by the last part of its name: "oid", ".../objectidentifier",
 * "http_schemas_..._claims_objectidentifier_g" all end in what it is. */
static void claim(struct kv_claims *c, vstr name, jval *v) {
    if (key_is(name, "oid") || key_is(name, "objectidentifier")) jsonrec_str(v, &c->oid);
    else if (key_is(name, "upn")) jsonrec_str(v, &c->upn);
    else if (key_is(name, "unique_name")) jsonrec_str(v, &c->unique_name);
    else if (key_is(name, "name")) jsonrec_str(v, &c->name);
    else if (key_is(name, "appid")) jsonrec_str(v, &c->appid);
    else if (key_is(name, "tid") || key_is(name, "tenantid")) jsonrec_str(v, &c->tid);
    else if (key_is(name, "idtyp")) jsonrec_str(v, &c->idtyp);
    else if (key_is(name, "appidacr")) jsonrec_str(v, &c->appidacr);
    else if (key_is(name, "ipaddr")) jsonrec_str(v, &c->ipaddr);
}

static vstr after_last(vstr k, char sep) {
    size_t i = k.n;
    while (i > 0 && k.p[i - 1] != sep) i--;
    return (vstr){ k.p + i, k.n - i };
}

/* Claims as an object; nested objects (the HSM's flattened URIs) are
 * walked to a depth of three. */
static void decode_claims(struct kv_claims *c, jval *v, int depth) {
    jiter it;
    jval e;
    vstr k;
    if (depth > 3 || !jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e)) {
        if (jv_type(&e) == JT_OBJECT) { decode_claims(c, &e, depth + 1); continue; }
        claim(c, vstr_prefix(k, "http") ? after_last(k, '/') : k, &e);
    }
}

static void decode_identity_object(struct kv_dec *d, jval *v) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e))
        if (key_is(k, "claim") || key_is(k, "claims")) decode_claims(&d->cl, &e, 0);
}

static void decode_identity(struct kv_dec *d, jval *v) {
    vstr s;
    if (!jv_str(v, &s)) { decode_identity_object(d, v); return; }
    vstr t = azlog_trim(s);
    jval root;
    /* one encoded identity per record: a second would reuse the buffer the
     * first one's claims point into */
    if (!t.n || t.p[0] != '{' || d->identity_parsed) return;
    d->identity_parsed = true;
    if (azlog_parse_copy(d->idp, &d->identity_doc, t, &root) && jv_type(&root) == JT_OBJECT)
        decode_identity_object(d, &root);
}

/* ---- properties ----------------------------------------------------------- */

static void str_list(arena *a, jval *v, vstr **out, uint32_t *n) {
    jiter it;
    jval e;
    uint32_t cap = 0;
    if (!jv_arr_begin(v, &it)) return;
    while (jv_arr_next(&it, &e)) {
        vstr s;
        if (!jv_str(&e, &s)) continue;
        vstr *slot = jsonrec_push(a, (void **)out, n, &cap, sizeof **out);
        if (slot) *slot = s;
    }
}

static void decode_policy(struct kv_dec *d, jval *v, struct kv_policy *p) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return;
    p->present = true;
    while (jv_obj_next(&it, &k, &e)) {
        if (key_is(k, "ObjectId")) jsonrec_str(&e, &p->object_id);
        else if (key_is(k, "ApplicationId")) jsonrec_str(&e, &p->application_id);
        else if (key_is(k, "TenantId")) jsonrec_str(&e, &p->tenant_id);
        else if (key_is(k, "Permissions")) {
            jiter pi;
            jval pe;
            vstr pk;
            if (!jv_obj_begin(&e, &pi)) continue;
            while (jv_obj_next(&pi, &pk, &pe)) {
                if (key_is(pk, "keys")) str_list(&d->mem, &pe, &p->keys, &p->n_keys);
                else if (key_is(pk, "secrets")) str_list(&d->mem, &pe, &p->secrets, &p->n_secrets);
                else if (key_is(pk, "certificates")) str_list(&d->mem, &pe, &p->certificates, &p->n_certificates);
            }
        }
    }
}

static int8_t bool_of(jval *v) {
    bool b;
    if (jv_bool(v, &b)) return b;
    vstr s;
    if (jv_str(v, &s)) {
        if (key_is(s, "true")) return 1;
        if (key_is(s, "false")) return 0;
    }
    return -1;
}

static void http_status(jval *v, int32_t *out) {
    int64_t n;
    vstr s;
    double f;
    if (jv_i64(v, &n)) *out = (int32_t)n;
    else if (jv_f64(v, &f)) *out = (int32_t)f;
    else if (jv_str(v, &s) && s.n && s.n < 6) {
        int32_t x = 0;
        for (size_t i = 0; i < s.n && s.p[i] >= '0' && s.p[i] <= '9'; i++) x = x * 10 + (s.p[i] - '0');
        *out = x;
    }
}

/* properties.properties: the vault's configuration a VaultPut/Patch set */
static void decode_vault_config(struct kv_dec *d, jval *v) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e))
        if (key_is(k, "enableRbacAuthorization")) d->op.enable_rbac = bool_of(&e);
}

/* The fields Key Vault writes under properties, and Managed HSM at the top
 * level. Returns false for keys it does not know. */
static bool property_field(struct kv_dec *d, vstr k, jval *e) {
    struct kv_op *op = &d->op;
    if (key_is(k, "clientInfo")) jsonrec_str(e, &op->client_info);
    else if (key_is(k, "requestUri")) jsonrec_str(e, &op->request_uri);
    else if (key_is(k, "httpStatusCode")) http_status(e, &op->http_status);
    else if (key_is(k, "isRbacAuthorized")) op->rbac_authorized = bool_of(e);
    else if (key_is(k, "addedAccessPolicy")) decode_policy(d, e, &op->added);
    else if (key_is(k, "removedAccessPolicy")) decode_policy(d, e, &op->removed);
    else return false;
    return true;
}

static void decode_properties(struct kv_dec *d, jval *v) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e)) {
        if (property_field(d, k, &e)) continue;
        if (key_is(k, "id")) jsonrec_str(&e, &d->op.object_uri);
        else if (key_is(k, "properties")) decode_vault_config(d, &e);
    }
}

/* ---- the flattened Log Analytics row --------------------------------------- */

/* AzureDiagnostics columns: the JSON path joined by '_', then a type
 * suffix (_s string, _g GUID, _d number, _b boolean). */
static bool flat_field(struct kv_dec *d, vstr k, jval *e) {
    struct kv_op *op = &d->op;
    if (vstr_prefix(k, "identity_claim_")) {
        vstr name = { k.p + 15, k.n - 15 };
        if (name.n > 2 && name.p[name.n - 2] == '_') name.n -= 2;     /* the type suffix */
        claim(&d->cl, after_last(name, '_'), e);
        /* unique_name and the xmlsoap upn end in a word claim() knows only whole */
        if (vstr_suffix(name, "unique_name")) jsonrec_str(e, &d->cl.unique_name);
        return true;
    }
    if (key_is(k, "clientInfo_s")) jsonrec_str(e, &op->client_info);
    else if (key_is(k, "requestUri_s")) jsonrec_str(e, &op->request_uri);
    else if (key_is(k, "id_s")) jsonrec_str(e, &op->object_uri);
    else if (key_is(k, "httpStatusCode_d")) http_status(e, &op->http_status);
    else if (key_is(k, "isRbacAuthorized_b")) op->rbac_authorized = bool_of(e);
    else if (key_is(k, "properties_enableRbacAuthorization_b")) op->enable_rbac = bool_of(e);
    else if (key_is(k, "addedAccessPolicy_ObjectId_g")) { jsonrec_str(e, &op->added.object_id); op->added.present = true; }
    else if (key_is(k, "addedAccessPolicy_ApplicationId_g")) jsonrec_str(e, &op->added.application_id);
    else if (key_is(k, "removedAccessPolicy_ObjectId_g")) { jsonrec_str(e, &op->removed.object_id); op->removed.present = true; }
    else if (key_is(k, "TimeGenerated")) jsonrec_str(e, &d->ts);
    else return false;
    d->flattened++;
    return true;
}

/* ---- the record ------------------------------------------------------------- */

static void reset_record(void *self) {
    struct kv_dec *d = self;
    arena_reset(&d->mem);
    memset(&d->op, 0, sizeof d->op);
    d->op.rbac_authorized = d->op.enable_rbac = -1;
    memset(&d->cl, 0, sizeof d->cl);
    d->ts = d->status_text = d->flat_added_perm = VSTR_NULL;
    d->known_field = d->identity_parsed = false;
}

static bool record_field(void *self, vstr k, jval *e) {
    struct kv_dec *d = self;
    struct kv_op *op = &d->op;
    bool known = true;
    if (key_is(k, "time")) { if (!d->ts.n) jsonrec_str(e, &d->ts); }
    else if (key_is(k, "operationName")) jsonrec_str(e, &op->operation);
    else if (key_is(k, "operationVersion")) jsonrec_str(e, &op->operation_version);
    else if (key_is(k, "resourceId")) jsonrec_str(e, &op->resource_id);
    else if (key_is(k, "category")) { vstr c; if (jv_str(e, &c) && !key_is(c, "AuditEvent")) known = false; }
    else if (key_is(k, "resultType")) jsonrec_str(e, &op->result_type);
    else if (key_is(k, "resultSignature")) jsonrec_str(e, &op->result_signature);
    else if (key_is(k, "resultDescription")) jsonrec_str(e, &op->result_description);
    else if (key_is(k, "callerIpAddress")) jsonrec_str(e, &op->caller_ip_text);
    else if (key_is(k, "correlationId")) jsonrec_str(e, &op->correlation_id);
    else if (key_is(k, "identity")) decode_identity(d, e);
    else if (key_is(k, "properties")) decode_properties(d, e);
    else if (property_field(d, k, e)) d->hsm++;          /* Managed HSM writes these at the top */
    else if (!flat_field(d, k, e)) known = false;
    d->known_field |= known;
    return known;
}

/* The first label of the host of an https://host/... URI. */
static vstr host_label(vstr uri) {
    if (!uri.n) return VSTR_NULL;
    const char *p = uri.p, *end = uri.p + uri.n;
    const char *s = memchr(p, '/', uri.n);
    if (!s || s + 2 > end || s[1] != '/') return VSTR_NULL;
    s += 2;
    const char *e = s;
    while (e < end && *e != '.' && *e != '/' && *e != ':') e++;
    return (vstr){ s, (size_t)(e - s) };
}

static bool vault_host(vstr uri) {
    return vstr_contains(uri, VSTR(".vault.")) || vstr_contains(uri, VSTR(".managedhsm."));
}

/* After the host of properties.id: /secrets/<name>[/<version>]. */
static void object_of(struct kv_op *op) {
    vstr u = op->object_uri;
    if (!u.n) return;
    const char *s = memchr(u.p, '/', u.n);
    if (!s || s + 2 > u.p + u.n || s[1] != '/') return;
    const char *path = memchr(s + 2, '/', (size_t)(u.p + u.n - (s + 2)));
    if (!path) return;
    const char *end = u.p + u.n;
    const char *t = path + 1, *te = t;
    while (te < end && *te != '/' && *te != '?') te++;
    op->object_type = (vstr){ t, (size_t)(te - t) };
    if (te >= end || *te != '/') return;
    const char *n = te + 1, *ne = n;
    while (ne < end && *ne != '/' && *ne != '?') ne++;
    op->object_name = (vstr){ n, (size_t)(ne - n) };
}

static void resolve(struct kv_dec *d) {
    struct kv_op *op = &d->op;
    const struct kv_claims *c = &d->cl;
    op->object_id = c->oid;
    op->upn = c->upn.n ? c->upn : c->unique_name;
    op->name = c->name;
    op->appid = c->appid;
    op->tenant_id = c->tid;
    if (key_is(c->idtyp, "user") || op->upn.n) op->principal_kind = MGMT_PRINCIPAL_USER;
    else if (key_is(c->idtyp, "app") || key_is(c->appidacr, "1") || key_is(c->appidacr, "2"))
        op->principal_kind = MGMT_PRINCIPAL_APP;
    azlog_ids_from_resource(op->resource_id, &op->subscription, &op->resource_group);
    op->vault = op->resource_id.n ? after_last(op->resource_id, '/') : VSTR_NULL;
    /* only a vault's own host names it: management.azure.com or a
     * control-plane host does not */
    if (!op->vault.n && vault_host(op->object_uri)) op->vault = host_label(op->object_uri);
    if (!op->vault.n && vault_host(op->request_uri)) op->vault = host_label(op->request_uri);
    object_of(op);
    op->via_arm = vstr_prefix(op->client_info, "azure-resource-manager") ||
                  vstr_prefix(host_label(op->request_uri), "control-");
    if (op->http_status) op->success = op->http_status >= 200 && op->http_status < 300;
    else op->success = key_is(op->result_type, "Success") || key_is(op->result_signature, "OK");
    if (!op->caller_ip_text.n) op->caller_ip_text = c->ipaddr;
    if (op->caller_ip_text.n) op->has_ip = azlog_parse_ip(op->caller_ip_text, &op->caller_ip);
}

static unsigned class_of(vstr operation) {
    if (vstr_prefix(operation, "Secret")) return 0;
    if (vstr_prefix(operation, "Key")) return 1;
    if (vstr_prefix(operation, "Certificate")) return 2;
    if (vstr_prefix(operation, "Vault")) return 3;
    return 4;
}

static int finish_record(void *self, struct azlog *L, struct event *out) {
    struct kv_dec *d = self;
    if (azlog_json_error(L)) { azlog_reject(L, R_JSON, vstr_c(azlog_json_errmsg(L))); return 0; }
    if (!d->known_field || !d->op.operation.n) {
        azlog_reject(L, R_NOT_RECORD, VSTR("no operationName"));
        return 0;
    }
    int64_t t;
    if (!time_parse_lenient(azlog_trim(d->ts), &t)) {
        azlog_reject(L, R_NO_TIME, d->ts.n ? d->ts : VSTR("no time field"));
        return 0;
    }
    resolve(d);
    out->time_us = t;
    out->layer = LAYER_KEYVAULT;
    out->kind = EV_KV_OP;
    azlog_position(L, &out->pos);
    out->u.kv = &d->op;
    d->events++;
    if (!d->op.success) d->denied++;
    if (!d->op.caller_ip_text.n) d->no_caller_ip++;
    d->by_class[class_of(d->op.operation)]++;
    return 1;
}

static const struct azlog_format kv_format = { reset_record, record_field, finish_record };

/* ---- decoder_ops ---------------------------------------------------------------- */

static void *kv_create(const char *input_name, struct rejects *rj) {
    struct kv_dec *d = calloc(1, sizeof *d);
    if (!d) abort();
    azlog_init(&d->L, input_name, rj, &kv_format, d);
    d->idp = jparser_new();
    if (!d->idp) abort();
    buf_init(&d->identity_doc);
    arena_init(&d->mem, 8 * 1024);
    return d;
}

static void kv_destroy(void *self) {
    struct kv_dec *d = self;
    if (!d) return;
    azlog_free(&d->L);
    jparser_free(d->idp);
    buf_free(&d->identity_doc);
    arena_free(&d->mem);
    free(d);
}

static void kv_begin(void *self, const struct record *rec) { azlog_begin(&((struct kv_dec *)self)->L, rec); }
static int kv_next(void *self, struct event *out) { return azlog_next(&((struct kv_dec *)self)->L, out); }
static uint64_t kv_events(void *self) { return ((struct kv_dec *)self)->events; }

static void kv_report(void *self, buf *out) {
    struct kv_dec *d = self;
    azlog_report(&d->L, out);
    if (!d->events) return;
    buf_printf(out, "  key vault operations: %" PRIu64 " on secrets, %" PRIu64 " on keys, %" PRIu64
                    " on certificates, %" PRIu64 " on vaults, %" PRIu64 " other; %" PRIu64
                    " refused (HTTP status not 2xx)\n",
               d->by_class[0], d->by_class[1], d->by_class[2], d->by_class[3], d->by_class[4], d->denied);
    if (d->flattened) buf_puts(out, "  Log Analytics (AzureDiagnostics) columns read\n");
    if (d->no_caller_ip)
        buf_printf(out, "  %" PRIu64 " records without a caller address (kv.access.tor cannot judge them)\n",
                   d->no_caller_ip);
}

/* Key Vault records say AuditEvent and name a Key Vault resource or one of
 * its operations; the flattened rows carry identity_claim_ columns. */
static int kv_sniff(vstr head) {
    size_t i = 0;
    while (i < head.n && (head.p[i] == ' ' || head.p[i] == '\n' || head.p[i] == '\r' || head.p[i] == '\t')) i++;
    if (i == head.n || (head.p[i] != '{' && head.p[i] != '[')) return 0;
    if (vstr_contains(head, VSTR("auditID")) || vstr_contains(head, VSTR("kube-audit"))) return 0;
    bool audit = vstr_contains(head, VSTR("AuditEvent"));
    bool kv_resource = vstr_contains_ci(head, VSTR("MICROSOFT.KEYVAULT"));
    bool kv_host = vstr_contains(head, VSTR("vault.azure.net")) || vstr_contains(head, VSTR("managedhsm.azure.net"));
    bool flat = vstr_contains(head, VSTR("identity_claim_"));
    if (audit && (kv_resource || kv_host)) return 90;
    if (flat && (kv_resource || kv_host || audit)) return 85;
    if (audit && vstr_contains(head, VSTR("\"claim\""))) return 70;
    return 0;
}

const struct decoder_ops keyvault_decoder = {
    .name = "keyvault",
    .description = "Azure Key Vault / Managed HSM audit logs (AuditEvent): diagnostic export, arrays, "
                   "Log Analytics rows, shippers' wrappers",
    .layer = LAYER_KEYVAULT,
    .sniff = kv_sniff,
    .create = kv_create,
    .destroy = kv_destroy,
    .begin = kv_begin,
    .next = kv_next,
    .report = kv_report,
    .events = kv_events,
};
