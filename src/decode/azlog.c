/* The envelopes of Azure resource logs (decode/azlog.h). */
#include "decode/azlog.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char R_JSON[] = "invalid JSON";
static const char R_NOT_OBJECT[] = "record is not a JSON object";
static const char R_BAD_EMBEDDED[] = "embedded record is not valid JSON";

void azlog_init(struct azlog *L, const char *input, struct rejects *rj, const struct azlog_format *fmt,
                void *fmt_self) {
    memset(L, 0, sizeof *L);
    L->input = input;
    L->rj = rj;
    L->fmt = fmt;
    L->fmt_self = fmt_self;
    L->outer = jparser_new();
    L->inner = jparser_new();
    if (!L->outer || !L->inner) abort();
    buf_init(&L->embedded);
    buf_init(&L->detail);
    L->cur = L->outer;
}

void azlog_free(struct azlog *L) {
    jparser_free(L->outer);
    jparser_free(L->inner);
    buf_free(&L->embedded);
    buf_free(&L->detail);
}

/* ---- helpers ------------------------------------------------------------- */

vstr azlog_trim(vstr s) {
    while (s.n && (s.p[0] == ' ' || s.p[0] == '\t' || s.p[0] == '\r' || s.p[0] == '\n')) { s.p++; s.n--; }
    while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t' || s.p[s.n - 1] == '\r' || s.p[s.n - 1] == '\n')) s.n--;
    return s;
}

bool azlog_parse_copy(jparser *p, buf *doc, vstr text, jval *root) {
    buf_clear(doc);
    buf_put(doc, text.p, text.n);
    buf_reserve(doc, JSON_PADDING);
    memset(doc->p + doc->n, 0, JSON_PADDING);
    return jparse(p, doc->p, doc->n, doc->n + JSON_PADDING, root);
}

bool azlog_parse_ip(vstr s, struct ipaddr *out) {
    s = azlog_trim(s);
    if (!s.n) return false;
    if (s.p[0] == '[') {
        const char *end = memchr(s.p, ']', s.n);
        return end && ip_parse(s.p + 1, (size_t)(end - s.p - 1), out);
    }
    if (ip_parse(s.p, s.n, out)) return true;
    const char *colon = memchr(s.p, ':', s.n);
    if (!colon || memchr(colon + 1, ':', s.n - (size_t)(colon + 1 - s.p))) return false;
    return ip_parse(s.p, (size_t)(colon - s.p), out);
}

void azlog_ids_from_resource(vstr id, vstr *sub, vstr *rg) {
    vstr prev = VSTR_NULL;
    size_t i = 0;
    while (i < id.n && (!sub->n || !rg->n)) {
        while (i < id.n && id.p[i] == '/') i++;
        size_t start = i;
        while (i < id.n && id.p[i] != '/') i++;
        vstr seg = { id.p + start, i - start };
        if (!seg.n) break;
        if (!sub->n && (azlog_key_is(prev, "subscriptions") || azlog_key_is(prev, "subscription"))) *sub = seg;
        else if (!rg->n && azlog_key_is(prev, "resourceGroups")) *rg = seg;
        prev = seg;
    }
}

/* ---- positions and rejects ------------------------------------------------- */

void azlog_reject(struct azlog *L, const char *reason, vstr detail) {
    if (L->state != AZLOG_LIST) { rejects_add(L->rj, L->input, L->rec.offset, reason, detail); return; }
    buf_clear(&L->detail);
    buf_printf(&L->detail, "%s %" PRIu32 "%s", L->list_is_records ? "records item" : "array item", L->item,
               detail.n ? ": " : "");
    buf_put(&L->detail, detail.p, detail.n < 80 ? detail.n : 80);
    rejects_add(L->rj, L->input, L->rec.offset, reason, buf_vstr(&L->detail));
}

int azlog_json_error(const struct azlog *L) { return jparser_error(L->cur); }
const char *azlog_json_errmsg(const struct azlog *L) { return jparser_errmsg(L->cur); }

size_t azlog_cap_after(const struct azlog *L, const char *p) {
    return L->span_cap - (size_t)(p - L->span_p);
}

void azlog_position(const struct azlog *L, struct source_pos *pos) {
    pos->input = L->input;
    pos->offset = L->rec.offset;
    pos->item = L->state == AZLOG_LIST ? L->item : 0;
}

/* ---- documents --------------------------------------------------------------- */

/* Start on a parsed document: an array of records, a records batch, a
 * wrapper (only at the outer level: a wrapper inside a wrapper is not a
 * shape anyone writes), or one record, whose fields are decoded on the way.
 * An envelope key leaves the walk paused there. */
static void start_document(struct azlog *L, jparser *p, jval *root, const char *span_p, size_t span_cap,
                           bool wrapped) {
    L->cur = p;
    L->span_p = span_p;
    L->span_cap = span_cap;
    L->wrapped = wrapped;
    L->state = AZLOG_DONE;
    L->fmt->reset(L->fmt_self);
    enum jtype type = jv_type(root);
    if (type == JT_ARRAY && jv_arr_begin(root, &L->list)) {
        L->state = AZLOG_LIST;
        L->list_is_records = false;
        L->item = 0;
        L->arrays++;
        return;
    }
    if (type != JT_OBJECT) { azlog_reject(L, R_NOT_OBJECT, VSTR("document is not an object or an array")); return; }
    jiter it;
    jval e;
    vstr k;
    jv_obj_begin(root, &it);
    while (jv_obj_next(&it, &k, &e)) {
        if (L->fmt->field(L->fmt_self, k, &e)) continue;
        if (azlog_key_is(k, "records") && jv_arr_begin(&e, &L->list)) {
            L->state = AZLOG_LIST;
            L->list_is_records = true;
            L->item = 0;
            L->batches++;
            return;
        }
        if (wrapped) continue;
        if (azlog_key_is(k, "message") && jv_str(&e, &L->embedded_src)) { L->state = AZLOG_EMBEDDED; return; }
        if (azlog_key_is(k, "input")) {
            jiter ii;
            jval iv;
            vstr ik;
            if (!jv_obj_begin(&e, &ii)) continue;
            while (jv_obj_next(&ii, &ik, &iv))
                if (azlog_key_is(ik, "message") && jv_str(&iv, &L->embedded_src)) { L->state = AZLOG_EMBEDDED; return; }
        }
    }
    L->state = AZLOG_SINGLE;
}

static bool start_embedded(struct azlog *L) {
    jval root;
    if (!azlog_parse_copy(L->inner, &L->embedded, azlog_trim(L->embedded_src), &root)) {
        azlog_reject(L, R_BAD_EMBEDDED, vstr_c(jparser_errmsg(L->inner)));
        return false;
    }
    L->wrapped_docs++;
    start_document(L, L->inner, &root, L->embedded.p, L->embedded.n + JSON_PADDING, true);
    return true;
}

void azlog_begin(struct azlog *L, const struct record *rec) {
    L->rec = *rec;
    L->records++;
    L->state = AZLOG_DONE;
    L->cur = L->outer;
    /* Text that is not JSON at all (a log line, a header) gets a reason that
     * says so, rather than the parser's account of a scalar document. */
    size_t lead = 0;
    while (lead < rec->len && (rec->p[lead] == ' ' || rec->p[lead] == '\t' || rec->p[lead] == '\r')) lead++;
    if (lead < rec->len && rec->p[lead] != '{' && rec->p[lead] != '[') {
        azlog_reject(L, R_NOT_OBJECT, (vstr){ rec->p + lead, rec->len - lead });
        return;
    }
    jval root;
    if (!jparse(L->outer, rec->p, rec->len, rec->cap, &root)) {
        azlog_reject(L, R_JSON, vstr_c(jparser_errmsg(L->outer)));
        return;
    }
    start_document(L, L->outer, &root, rec->p, rec->cap, false);
}

static void walk_record(struct azlog *L, jval *obj) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(obj, &it)) return;
    while (jv_obj_next(&it, &k, &e)) L->fmt->field(L->fmt_self, k, &e);
}

int azlog_next(struct azlog *L, struct event *out) {
    for (;;) {
        switch (L->state) {
        case AZLOG_DONE:
            return 0;
        case AZLOG_SINGLE: {
            if (!jparser_error(L->cur) && !jparse_at_end(L->cur)) {
                L->state = AZLOG_DONE;
                azlog_reject(L, R_JSON, VSTR("trailing content after the record"));
                return 0;
            }
            int r = L->fmt->finish(L->fmt_self, L, out);
            L->state = AZLOG_DONE;
            return r;
        }
        case AZLOG_EMBEDDED:
            L->state = AZLOG_DONE;
            if (jparser_error(L->outer)) { azlog_reject(L, R_JSON, vstr_c(jparser_errmsg(L->outer))); return 0; }
            start_embedded(L);
            continue;
        case AZLOG_LIST: {
            jval item;
            if (!jv_arr_next(&L->list, &item)) {
                if (jparser_error(L->cur)) azlog_reject(L, R_JSON, vstr_c(jparser_errmsg(L->cur)));
                /* a bare array is the whole document; a batch's object may
                 * go on after its records */
                else if (!L->list_is_records && !jparse_at_end(L->cur))
                    azlog_reject(L, R_JSON, VSTR("trailing content after the array"));
                L->state = AZLOG_DONE;
                return 0;
            }
            L->item++;
            L->fmt->reset(L->fmt_self);
            if (jv_type(&item) != JT_OBJECT) {
                azlog_reject(L, R_NOT_OBJECT, VSTR("not an object"));
                if (jparser_error(L->cur)) L->state = AZLOG_DONE;
                continue;
            }
            walk_record(L, &item);
            if (L->fmt->finish(L->fmt_self, L, out)) return 1;
            if (jparser_error(L->cur)) L->state = AZLOG_DONE;   /* the rest is unreadable */
            continue;
        }
        }
    }
}

void azlog_report(const struct azlog *L, buf *out) {
    if (L->batches || L->arrays || L->wrapped_docs)
        buf_printf(out, "  envelopes: %" PRIu64 " {\"records\":[...]} batches, %" PRIu64 " JSON arrays, %" PRIu64
                   " documents unwrapped from a shipper's message\n", L->batches, L->arrays, L->wrapped_docs);
}
