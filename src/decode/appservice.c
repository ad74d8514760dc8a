/* Azure App Service diagnostic logs into struct http_req (category
 * AppServiceHTTPLogs) and struct ftp_cmd (AppServiceAuditLogs: logins of
 * publishing users, FTP among them).
 *
 * Accepted shapes, detected per record (envelopes: decode/azlog.h):
 *   - the diagnostic export: {"records":[...]}, a record per line, a bare
 *     array, a shipper's wrapper; the request's fields under properties,
 *     which some exporters write as a JSON-encoded string;
 *   - the Log Analytics table (AppServiceHTTPLogs rows as JSON lines or the
 *     array `az monitor log-analytics query` prints): the same fields as
 *     top-level columns, TimeGenerated, _ResourceId, Type;
 *   - the audit log's PascalCase top level (ResourceId, Category,
 *     Properties{User, UserDisplayName, UserAddress "ip:port", Protocol}).
 *
 * Fields arrive in document order and category may come after properties,
 * so both kinds of fields are kept as they pass and the category decides
 * at the end of the record. Other categories (console, application,
 * platform logs) are counted by name, not rejected. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decode/azlog.h"
#include "decode/decoder.h"
#include "decode/json.h"
#include "decode/jsonrec.h"
#include "decode/webreq.h"
#include "util/arena.h"
#include "util/timeutil.h"

#define key_is azlog_key_is

static const char R_JSON[] = "invalid JSON";
static const char R_NOT_RECORD[] = "not an App Service log record";
static const char R_NO_TIME[] = "App Service record without a valid time";

/* Categories counted by name; more distinct names than this are pooled. */
#define MAX_OTHER_CATEGORIES 16

struct category_count {
    char name[48];
    uint64_t count;
};

struct app_dec {
    struct azlog L;
    jparser *propp;                     /* properties held in a string */
    buf prop_doc;
    arena mem;
    /* the record */
    struct http_req http;
    struct ftp_cmd ftp;
    vstr category, ts_time, ts_generated, ts_event, protocol, user_address;
    bool http_field, props_parsed, top_level;
    /* counters */
    uint64_t events, requests, logins, flattened, props_in_string;
    struct category_count other[MAX_OTHER_CATEGORIES];
    unsigned n_other;
    uint64_t other_pooled;
};

/* ---- values ---------------------------------------------------------------- */

static vstr str_of(jval *v) {
    vstr s;
    return jv_str(v, &s) ? webreq_dash(azlog_trim(s)) : VSTR_NULL;
}

/* A counter written as a number or as a string ("200"). */
static bool num_of(jval *v, uint64_t *out) {
    int64_t i;
    double f;
    vstr s;
    if (jv_i64(v, &i)) { *out = i < 0 ? 0 : (uint64_t)i; return true; }
    if (jv_f64(v, &f)) { *out = f < 0 ? 0 : f >= 1.8e19 ? UINT64_MAX : (uint64_t)f; return true; }
    return jv_str(v, &s) && webreq_uint(azlog_trim(s), out);
}

/* A user agent W3C-escaped ('+' for every space) has no space of its own;
 * one with spaces keeps its '+' ("+http://www.google.com/bot.html"). */
static vstr user_agent(arena *a, vstr s) {
    return memchr(s.p ? s.p : "", ' ', s.n) ? s : webreq_plus_to_space(a, s);
}

/* ---- fields ------------------------------------------------------------------ */

/* The request's fields (under properties, or Log Analytics columns) and
 * the audit log's. false: not one of them. */
static bool prop_field(struct app_dec *d, vstr k, jval *e) {
    struct http_req *r = &d->http;
    uint64_t n;
    bool http = true;
    if (key_is(k, "CsMethod")) r->method = str_of(e);
    else if (key_is(k, "CsUriStem")) r->uri_raw = str_of(e);
    else if (key_is(k, "CsUriQuery")) r->query = str_of(e);
    else if (key_is(k, "CsHost")) r->site = str_of(e);
    else if (key_is(k, "CIp")) r->client_ip_text = str_of(e);
    else if (key_is(k, "UserAgent")) r->user_agent = user_agent(&d->mem, str_of(e));
    else if (key_is(k, "Referer")) r->referer = str_of(e);
    else if (key_is(k, "CsUsername")) r->username = str_of(e);
    else if (key_is(k, "SPort")) { if (num_of(e, &n)) r->server_port = webreq_u16(n); }
    else if (key_is(k, "ScStatus")) { if (num_of(e, &n)) r->status = webreq_u16(n); }
    else if (key_is(k, "ScSubStatus")) { if (num_of(e, &n)) r->sub_status = webreq_u16(n); }
    else if (key_is(k, "ScWin32Status")) { if (num_of(e, &n)) r->win32_status = webreq_u32(n); }
    else if (key_is(k, "ScBytes")) { if (num_of(e, &n)) r->bytes_sent = webreq_i64(n); }
    else if (key_is(k, "CsBytes")) { if (num_of(e, &n)) r->bytes_received = webreq_i64(n); }
    else if (key_is(k, "TimeTaken")) { if (num_of(e, &n)) r->time_taken_ms = webreq_i64(n); }
    else {
        http = false;
        if (key_is(k, "Protocol")) d->protocol = str_of(e);
        else if (key_is(k, "User")) d->ftp.user = str_of(e);
        else if (key_is(k, "UserDisplayName")) d->ftp.user_display = str_of(e);
        else if (key_is(k, "UserAddress")) d->user_address = str_of(e);
        else if (!key_is(k, "Cookie") && !key_is(k, "Result") && !key_is(k, "ComputerName")) return false;
    }
    d->http_field |= http;
    return true;
}

static void walk_properties(struct app_dec *d, jval *obj) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(obj, &it)) return;
    while (jv_obj_next(&it, &k, &e)) prop_field(d, k, &e);
}

static void decode_properties(struct app_dec *d, jval *v) {
    vstr s;
    if (!jv_str(v, &s)) { walk_properties(d, v); return; }
    vstr t = azlog_trim(s);
    jval root;
    /* one encoded properties per record: a second would reuse the buffer
     * the first one's fields point into */
    if (!t.n || t.p[0] != '{' || d->props_parsed) return;
    d->props_parsed = true;
    if (azlog_parse_copy(d->propp, &d->prop_doc, t, &root) && jv_type(&root) == JT_OBJECT) {
        d->props_in_string++;
        walk_properties(d, &root);
    }
}

static void reset_record(void *self) {
    struct app_dec *d = self;
    arena_reset(&d->mem);
    webreq_init(&d->http);
    memset(&d->ftp, 0, sizeof d->ftp);
    d->category = d->ts_time = d->ts_generated = d->ts_event = d->protocol = d->user_address = VSTR_NULL;
    d->http_field = d->props_parsed = d->top_level = false;
}

static bool record_field(void *self, vstr k, jval *e) {
    struct app_dec *d = self;
    if (key_is(k, "time")) jsonrec_str(e, &d->ts_time);
    else if (key_is(k, "TimeGenerated")) jsonrec_str(e, &d->ts_generated);
    else if (key_is(k, "EventTime")) jsonrec_str(e, &d->ts_event);
    else if (key_is(k, "resourceId") || key_is(k, "_ResourceId")) d->http.resource_id = str_of(e);
    else if (key_is(k, "category") || key_is(k, "Type")) jsonrec_str(e, &d->category);
    else if (key_is(k, "properties")) decode_properties(d, e);
    else if (prop_field(d, k, e)) d->top_level = true;
    else return false;
    return true;
}

/* ---- the record ---------------------------------------------------------------- */

/* The app's name: the last segment of its resource id, lower case (the
 * export writes ids in upper case, CsHost in lower). */
static vstr site_of_resource(arena *a, vstr id) {
    if (!id.n) return VSTR_NULL;
    size_t i = id.n;
    while (i > 0 && id.p[i - 1] != '/') i--;
    vstr name = { id.p + i, id.n - i };
    if (!name.n) return VSTR_NULL;
    char *p = arena_alloc(a, name.n);
    for (size_t k = 0; k < name.n; k++) {
        char c = name.p[k];
        p[k] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
    }
    return (vstr){ p, name.n };
}

/* UserAddress: "ip:port", "[v6]:port", or a bare address. */
static void split_address(struct ftp_cmd *c, vstr a) {
    vstr ip = a, port = VSTR_NULL;
    if (a.n && a.p[0] == '[') {
        const char *end = memchr(a.p, ']', a.n);
        if (end) {
            ip = (vstr){ a.p + 1, (size_t)(end - a.p - 1) };
            if (end + 1 < a.p + a.n && end[1] == ':') port = (vstr){ end + 2, (size_t)(a.p + a.n - end - 2) };
        }
    } else {
        const char *colon = a.n ? memchr(a.p, ':', a.n) : NULL;
        /* one colon is IPv4 and a port; more is a bare IPv6 address */
        if (colon && !memchr(colon + 1, ':', (size_t)(a.p + a.n - colon - 1))) {
            ip = (vstr){ a.p, (size_t)(colon - a.p) };
            port = (vstr){ colon + 1, (size_t)(a.p + a.n - colon - 1) };
        }
    }
    c->client_ip_text = ip;
    c->has_ip = ip.n && ip_parse(ip.p, ip.n, &c->client_ip);
    uint64_t n;
    if (webreq_uint(port, &n)) c->client_port = webreq_u16(n);
}

static void count_other(struct app_dec *d, vstr category) {
    vstr name = category.n ? category : VSTR("(none)");
    for (unsigned i = 0; i < d->n_other; i++)
        if (vstr_eqc(name, d->other[i].name)) { d->other[i].count++; return; }
    if (d->n_other == MAX_OTHER_CATEGORIES || name.n >= sizeof d->other[0].name) { d->other_pooled++; return; }
    struct category_count *c = &d->other[d->n_other++];
    memcpy(c->name, name.p, name.n);
    c->name[name.n] = '\0';
    c->count = 1;
}

static int finish_record(void *self, struct azlog *L, struct event *out) {
    struct app_dec *d = self;
    if (azlog_json_error(L)) { azlog_reject(L, R_JSON, vstr_c(azlog_json_errmsg(L))); return 0; }
    bool http = key_is(d->category, "AppServiceHTTPLogs") || (!d->category.n && d->http_field);
    bool audit = key_is(d->category, "AppServiceAuditLogs");
    if (!http && !audit) {
        if (!d->category.n) { azlog_reject(L, R_NOT_RECORD, VSTR("no category and no request fields")); return 0; }
        count_other(d, d->category);
        return 0;
    }
    vstr ts = d->ts_time.n ? d->ts_time : d->ts_generated.n ? d->ts_generated : d->ts_event;
    int64_t t;
    if (!time_parse_lenient(azlog_trim(ts), &t)) {
        azlog_reject(L, R_NO_TIME, ts.n ? ts : VSTR("no time field"));
        return 0;
    }
    out->time_us = t;
    out->layer = LAYER_APPSERVICE;
    azlog_position(L, &out->pos);
    if (http) {
        struct http_req *r = &d->http;
        if (!r->site.n) r->site = site_of_resource(&d->mem, r->resource_id);
        webreq_finish(r, &d->mem);
        if (d->top_level) d->flattened++;
        out->kind = EV_HTTP_REQ;
        out->u.http = r;
        d->requests++;
    } else {
        struct ftp_cmd *c = &d->ftp;
        c->resource_id = d->http.resource_id;
        c->site = site_of_resource(&d->mem, c->resource_id);
        c->verb = VSTR("LOGIN");
        c->protocol = d->protocol;
        split_address(c, d->user_address);
        out->kind = EV_FTP_CMD;
        out->u.ftp = c;
        d->logins++;
    }
    d->events++;
    return 1;
}

static const struct azlog_format app_format = { reset_record, record_field, finish_record };

/* ---- decoder_ops ------------------------------------------------------------------ */

static void *app_create(const char *input_name, struct rejects *rj) {
    struct app_dec *d = calloc(1, sizeof *d);
    if (!d) abort();
    azlog_init(&d->L, input_name, rj, &app_format, d);
    d->propp = jparser_new();
    if (!d->propp) abort();
    buf_init(&d->prop_doc);
    arena_init(&d->mem, 8 * 1024);
    return d;
}

static void app_destroy(void *self) {
    struct app_dec *d = self;
    if (!d) return;
    azlog_free(&d->L);
    jparser_free(d->propp);
    buf_free(&d->prop_doc);
    arena_free(&d->mem);
    free(d);
}

static void app_begin(void *self, const struct record *rec) { azlog_begin(&((struct app_dec *)self)->L, rec); }
static int app_next(void *self, struct event *out) { return azlog_next(&((struct app_dec *)self)->L, out); }
static uint64_t app_events(void *self) { return ((struct app_dec *)self)->events; }

static void app_report(void *self, buf *out) {
    struct app_dec *d = self;
    azlog_report(&d->L, out);
    buf_printf(out, "  app service: %" PRIu64 " HTTP requests, %" PRIu64 " publishing logins\n", d->requests,
               d->logins);
    if (d->flattened) buf_puts(out, "  Log Analytics (AppServiceHTTPLogs) columns read\n");
    if (d->props_in_string)
        buf_printf(out, "  %" PRIu64 " records with properties as a JSON string\n", d->props_in_string);
    if (d->n_other) {
        buf_puts(out, "  other categories (not decoded):");
        for (unsigned i = 0; i < d->n_other; i++)
            buf_printf(out, "%s %s %" PRIu64, i ? "," : "", d->other[i].name, d->other[i].count);
        if (d->other_pooled) buf_printf(out, ", more %" PRIu64, d->other_pooled);
        buf_puts(out, "\n");
    }
}

/* App Service records name their category; Log Analytics rows carry the
 * W3C-derived column names no other Azure table has. */
static int app_sniff(vstr head) {
    size_t i = 0;
    while (i < head.n && (head.p[i] == ' ' || head.p[i] == '\n' || head.p[i] == '\r' || head.p[i] == '\t')) i++;
    if (i == head.n || (head.p[i] != '{' && head.p[i] != '[')) return 0;
    if (vstr_contains(head, VSTR("AppServiceHTTPLogs")) || vstr_contains(head, VSTR("AppServiceAuditLogs")))
        return 95;
    /* every App Service category is named AppService...: console, app,
     * platform, IP security audit logs */
    if (vstr_contains(head, VSTR("\"AppService"))) return 90;
    if (vstr_contains_ci(head, VSTR("\"CsUriStem\"")) && vstr_contains_ci(head, VSTR("\"CsMethod\""))) return 85;
    return 0;
}

const struct decoder_ops appservice_decoder = {
    .name = "appservice",
    .description = "Azure App Service diagnostic logs: AppServiceHTTPLogs (export, Log Analytics rows), "
                   "AppServiceAuditLogs logins; other categories counted",
    .layer = LAYER_APPSERVICE,
    .sniff = app_sniff,
    .create = app_create,
    .destroy = app_destroy,
    .begin = app_begin,
    .next = app_next,
    .report = app_report,
    .events = app_events,
};
