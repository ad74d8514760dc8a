/* Docker engine events into struct container_event, in every shape the
 * engine and its CLI write them:
 *
 *  - `docker events --format '{{json .}}'`: one object per line,
 *    Type/Action/Actor{ID,Attributes}/scope/time/timeNano, often with the
 *    deprecated status/id/from beside them;
 *  - Engine API <= 1.21: only status/id/from/time/timeNano (type
 *    "container" when from is present, else "image");
 *  - the Engine API /events stream: objects back to back with no separator,
 *    pretty-printed (FRAME_DOCUMENTS hands each as a record) or compact,
 *    several on one line ({...}{...}: cut here with json_value_extent);
 *  - the CLI's default text: "<RFC3339Nano> <type> <action> <id> (k=v, k=v)".
 *
 * Events of every Type are decoded (detectors ignore what they do not
 * use) and counted per Type. A record without a valid time, or that is
 * neither a docker event object nor a text event line, is rejected with
 * the offset of the value within the input. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"
#include "decode/json.h"
#include "decode/jsonrec.h"
#include "input/framer.h"
#include "util/arena.h"
#include "util/timeutil.h"

static const char R_JSON[] = "invalid JSON";
static const char R_NOT_EVENT[] = "not a docker event (no Action or status)";
static const char R_NO_TIME[] = "docker event without a valid time or timeNano";
static const char R_TEXT[] = "not a docker event line (<time> <type> <action> <id>)";

/* 9999-12-31T23:59:59Z: a later "time" is not a time */
#define MAX_TIME_S INT64_C(253402300799)

static const char *const known_types[] = { "container", "image", "network", "volume", "daemon", "plugin",
                                           "node", "service", "secret", "config", "builder" };
#define N_KNOWN_TYPES (sizeof known_types / sizeof known_types[0])

/* What one JSON record says, before it is normalised. */
struct raw_fields {
    vstr type, action, actor_id, status, legacy_id, from, scope, host;
    int64_t time_s, time_ns;
    bool has_time_s, has_time_ns;
};

struct docker_dec {
    const char *input;
    struct rejects *rj;
    jparser *jp;
    arena mem;
    struct record rec;
    size_t cursor;                      /* next byte of rec to decode */
    bool several;                       /* rec holds several JSON values back to back */
    struct container_event c;
    uint32_t cap_attrs;
    struct raw_fields f;
    /* counters */
    uint64_t events, text_lines, legacy_only, multi_values;
    uint64_t by_type[N_KNOWN_TYPES], other_types;
};

/* ---- normalising, shared by the JSON and text forms ----------------------- */

static void count_type(struct docker_dec *d, vstr type) {
    for (size_t i = 0; i < N_KNOWN_TYPES; i++)
        if (vstr_eqc(type, known_types[i])) { d->by_type[i]++; return; }
    d->other_types++;
}

/* A decimal integer of at most 18 digits with an optional sign. */
static bool parse_int(vstr s, int64_t *out) {
    size_t i = 0;
    bool neg = s.n && s.p[0] == '-';
    if (neg) i++;
    if (i == s.n || s.n - i > 18) return false;
    int64_t v = 0;
    for (; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9') return false;
        v = v * 10 + (s.p[i] - '0');
    }
    *out = neg ? -v : v;
    return true;
}

/* "exec_start: sh -c id" -> action "exec_start", command "sh -c id";
 * "health_status: healthy" -> "health_status" (the status is not a command). */
static void split_action(struct container_event *c, vstr full) {
    const char *colon = full.n ? memchr(full.p, ':', full.n) : NULL;
    if (!colon) { c->action = full; return; }
    c->action = (vstr){ full.p, (size_t)(colon - full.p) };
    if (!vstr_eqc(c->action, "exec_create") && !vstr_eqc(c->action, "exec_start")) return;
    size_t at = (size_t)(colon - full.p) + 1;
    while (at < full.n && full.p[at] == ' ') at++;
    c->exec_command = (vstr){ full.p + at, full.n - at };
}

/* One Actor.Attributes pair: kept in attributes[] (up to the list bound),
 * and the ones with a meaning of their own read into their fields. */
static void attribute(struct docker_dec *d, vstr key, vstr value) {
    struct container_event *c = &d->c;
    struct k8s_kv *kv = jsonrec_push(&d->mem, (void **)&c->attributes, &c->n_attributes, &d->cap_attrs, sizeof *kv);
    if (kv) { kv->key = key; kv->value = value; }
    if (vstr_eqc(key, "name")) c->name = value;
    else if (vstr_eqc(key, "image")) c->image = value;
    else if (vstr_eqc(key, "execID")) c->exec_id = value;
    else if (vstr_eqc(key, "exitCode")) { if (!parse_int(value, &c->exit_code)) c->exit_code = -1; }
    else if (vstr_eqc(key, "io.kubernetes.pod.name")) c->pod_name = value;
    else if (vstr_eqc(key, "io.kubernetes.pod.namespace")) c->pod_namespace = value;
    else if (vstr_eqc(key, "io.kubernetes.container.name")) c->k8s_container = value;
}

static void reset_event(struct docker_dec *d) {
    arena_reset(&d->mem);
    memset(&d->c, 0, sizeof d->c);
    memset(&d->f, 0, sizeof d->f);
    d->cap_attrs = 0;
    d->c.source = CONTAINER_SRC_EVENTS;
    d->c.exit_code = d->c.pid = -1;
    d->c.privileged = -1;
}

static void emit(struct docker_dec *d, struct event *ev, int64_t t, uint64_t offset) {
    memset(ev, 0, sizeof *ev);
    ev->time_us = t;
    ev->layer = LAYER_HOST;
    ev->kind = EV_CONTAINER;
    ev->pos.input = d->input;
    ev->pos.offset = offset;
    ev->u.container = &d->c;
    count_type(d, d->c.type);
    d->events++;
}

/* ---- the JSON forms ------------------------------------------------------- */

static void attributes_field(struct docker_dec *d, jval *v) {
    jiter it;
    jval e;
    vstr k, s;
    int64_t n;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e)) {
        if (jv_str(&e, &s)) { attribute(d, k, s); continue; }
        /* a shipper that re-typed exitCode as a number */
        if (vstr_eqc(k, "exitCode") && jv_type(&e) == JT_NUMBER && jv_i64(&e, &n)) d->c.exit_code = n;
    }
}

static void actor_field(struct docker_dec *d, jval *v) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e)) {
        if (vstr_eqc(k, "ID")) jsonrec_str(&e, &d->f.actor_id);
        else if (vstr_eqc(k, "Attributes")) attributes_field(d, &e);
    }
}

/* "host": "name", or Filebeat's "host": {"name": ...}. */
static void host_field(struct docker_dec *d, jval *v) {
    jiter it;
    jval e;
    vstr k;
    if (jv_str(v, &d->f.host)) return;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e))
        if (vstr_eqc(k, "name")) jsonrec_str(&e, &d->f.host);
}

static void walk_event(struct docker_dec *d, jval *root) {
    struct raw_fields *f = &d->f;
    jiter it;
    jval v;
    vstr k;
    if (!jv_obj_begin(root, &it)) return;
    while (jv_obj_next(&it, &k, &v)) {
        if (vstr_eqc(k, "Type")) jsonrec_str(&v, &f->type);
        else if (vstr_eqc(k, "Action")) jsonrec_str(&v, &f->action);
        else if (vstr_eqc(k, "Actor")) actor_field(d, &v);
        else if (vstr_eqc(k, "scope")) jsonrec_str(&v, &f->scope);
        else if (vstr_eqc(k, "time")) f->has_time_s = jv_i64(&v, &f->time_s);
        else if (vstr_eqc(k, "timeNano")) f->has_time_ns = jv_i64(&v, &f->time_ns);
        else if (vstr_eqc(k, "status")) jsonrec_str(&v, &f->status);
        else if (vstr_eqc(k, "id")) jsonrec_str(&v, &f->legacy_id);
        else if (vstr_eqc(k, "from")) jsonrec_str(&v, &f->from);
        else if (vstr_eqc(k, "host")) host_field(d, &v);
    }
}

/* timeNano when it is a sane count of nanoseconds, else time in seconds. */
static bool event_time(const struct raw_fields *f, int64_t *t) {
    if (f->has_time_ns && f->time_ns >= 0) { *t = f->time_ns / 1000; return true; }
    if (f->has_time_s && f->time_s >= 0 && f->time_s <= MAX_TIME_S) { *t = f->time_s * US_PER_SEC; return true; }
    return false;
}

/* 1: the walked object is an event, in d->c. */
static int finish_json(struct docker_dec *d, struct event *ev, uint64_t offset) {
    struct raw_fields *f = &d->f;
    struct container_event *c = &d->c;
    vstr action = f->action.n ? f->action : f->status;
    if (!action.n) { rejects_add(d->rj, d->input, offset, R_NOT_EVENT, VSTR_NULL); return 0; }
    int64_t t;
    if (!event_time(f, &t)) { rejects_add(d->rj, d->input, offset, R_NO_TIME, VSTR_NULL); return 0; }
    split_action(c, action);
    c->id = f->actor_id.n ? f->actor_id : f->legacy_id;
    if (f->type.n) c->type = f->type;
    else {
        c->type = f->from.n ? VSTR("container") : VSTR("image");
        d->legacy_only++;
    }
    if (!c->image.n) c->image = f->from;
    c->scope = f->scope;
    c->host = f->host;
    emit(d, ev, t, offset);
    return 1;
}

/* One value cut to its own extent: [p, p + len). */
static int decode_cut_value(struct docker_dec *d, const char *p, size_t len, size_t cap, uint64_t offset,
                            struct event *ev) {
    jval root;
    reset_event(d);
    if (!jparse(d->jp, p, len, cap, &root) || (walk_event(d, &root), jparser_error(d->jp)) || !jparse_at_end(d->jp)) {
        rejects_add(d->rj, d->input, offset, R_JSON, vstr_c(jparser_errmsg(d->jp)));
        return 0;
    }
    return finish_json(d, ev, offset);
}

/* The JSON value at d->cursor; moves the cursor past it. The first value
 * of a record is parsed to the record's end (one per line is the common
 * case); once a record holds several, each is cut to its extent before it
 * is parsed, so a line of many values costs one pass, not one per value. */
static int decode_json_value(struct docker_dec *d, struct event *ev) {
    const char *p = d->rec.p + d->cursor;
    size_t len = d->rec.len - d->cursor, cap = d->rec.cap - d->cursor;
    uint64_t offset = d->rec.offset + d->cursor;
    if (d->several) {
        size_t extent = json_value_extent(p, len);
        if (!extent) {
            d->cursor = d->rec.len;
            rejects_add(d->rj, d->input, offset, R_JSON, VSTR("unterminated object"));
            return 0;
        }
        d->cursor += extent;
        d->multi_values++;
        return decode_cut_value(d, p, extent, cap, offset, ev);
    }
    jval root;
    reset_event(d);
    bool parsed = jparse(d->jp, p, len, cap, &root);
    if (parsed) walk_event(d, &root);
    if (parsed && !jparser_error(d->jp) && jparse_at_end(d->jp)) {
        d->cursor = d->rec.len;
        return finish_json(d, ev, offset);
    }
    /* Not one whole value: several back to back, or a broken one. */
    size_t extent = json_value_extent(p, len);
    size_t rest = extent;
    while (rest < len && (p[rest] == ' ' || p[rest] == '\t' || p[rest] == '\r' || p[rest] == '\n')) rest++;
    if (extent == 0 || rest == len) {
        d->cursor = d->rec.len;
        rejects_add(d->rj, d->input, offset, R_JSON,
                    parsed && !jparser_error(d->jp) ? VSTR("trailing content") : vstr_c(jparser_errmsg(d->jp)));
        return 0;
    }
    d->several = true;
    d->cursor += extent;
    d->multi_values++;
    /* the whole line did not parse: read the first value alone */
    if (!parsed || jparser_error(d->jp)) return decode_cut_value(d, p, extent, cap, offset, ev);
    return finish_json(d, ev, offset);
}

/* ---- the text form -------------------------------------------------------- */

static bool is_key_char(char ch) { return ch != ' ' && ch != ',' && ch != '=' && ch != '(' && ch != ')'; }

/* A key (one or more key characters) then '=' at s[i]: its length, or 0. */
static size_t key_at(vstr s, size_t i) {
    size_t j = i;
    while (j < s.n && is_key_char(s.p[j])) j++;
    return j > i && j < s.n && s.p[j] == '=' ? j - i : 0;
}

/* "(k=v, k=v)" without its parentheses. The CLI writes values unescaped,
 * so a value may hold ", ": a pair ends only at a ", " followed by a key
 * and '='; "a=1, b, c=2" reads as a = "1, b" and c = "2". */
static void text_attributes(struct docker_dec *d, vstr list) {
    size_t i = 0;
    while (i < list.n) {
        size_t klen = key_at(list, i);
        if (!klen) return;
        vstr key = { list.p + i, klen };
        size_t vstart = i + klen + 1, j = vstart;
        while (j < list.n && !(j + 2 < list.n && list.p[j] == ',' && list.p[j + 1] == ' ' && key_at(list, j + 2))) j++;
        attribute(d, key, (vstr){ list.p + vstart, j - vstart });
        i = j + 2;
    }
}

/* Where the attribute list's " (" starts: the first one followed by a key
 * and '=' on a line that ends with ')', or s.n for none. An exec command
 * that itself holds " (k=" is cut there: the text form cannot tell. */
static size_t attributes_start(vstr s, size_t from) {
    if (!s.n || s.p[s.n - 1] != ')') return s.n;
    for (size_t i = from; i + 2 < s.n; i++)
        if (s.p[i] == ' ' && s.p[i + 1] == '(' && key_at(s, i + 2)) return i;
    return s.n;
}

static size_t token_end(vstr s, size_t i) {
    while (i < s.n && s.p[i] != ' ') i++;
    return i;
}

/* "<time> <type> <action>[: <text>] <id>[ (<attributes>)]" */
static int decode_text_line(struct docker_dec *d, struct event *ev) {
    vstr s = { d->rec.p + d->cursor, d->rec.len - d->cursor };
    uint64_t offset = d->rec.offset + d->cursor;
    d->cursor = d->rec.len;
    reset_event(d);
    while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t' || s.p[s.n - 1] == '\r')) s.n--;
    size_t t_end = token_end(s, 0);
    int64_t t;
    if (!time_parse((vstr){ s.p, t_end }, &t)) {
        rejects_add(d->rj, d->input, offset, t_end && s.p[0] >= '0' && s.p[0] <= '9' ? R_NO_TIME : R_TEXT, s);
        return 0;
    }
    size_t type_at = t_end + 1;
    size_t type_end = token_end(s, type_at);
    size_t action_at = type_end + 1;
    size_t attrs = attributes_start(s, action_at);
    /* action (possibly "exec_start: <command>") and id share [action_at, attrs) */
    size_t id_at = attrs;
    while (id_at > action_at && s.p[id_at - 1] != ' ') id_at--;
    if (type_at >= s.n || type_end == type_at || id_at <= action_at + 1 || id_at == attrs) {
        rejects_add(d->rj, d->input, offset, R_TEXT, s);
        return 0;
    }
    struct container_event *c = &d->c;
    c->type = (vstr){ s.p + type_at, type_end - type_at };
    split_action(c, (vstr){ s.p + action_at, id_at - 1 - action_at });
    c->id = (vstr){ s.p + id_at, attrs - id_at };
    if (attrs < s.n) text_attributes(d, (vstr){ s.p + attrs + 2, s.n - attrs - 3 });
    d->text_lines++;
    emit(d, ev, t, offset);
    return 1;
}

/* ---- decoder_ops ------------------------------------------------------------- */

static void *docker_create(const char *input_name, struct rejects *rj) {
    struct docker_dec *d = calloc(1, sizeof *d);
    if (!d) abort();
    d->input = input_name;
    d->rj = rj;
    d->jp = jparser_new();
    if (!d->jp) abort();
    arena_init(&d->mem, 8 * 1024);
    return d;
}

static void docker_destroy(void *self) {
    struct docker_dec *d = self;
    if (!d) return;
    jparser_free(d->jp);
    arena_free(&d->mem);
    free(d);
}

static void docker_begin(void *self, const struct record *rec) {
    struct docker_dec *d = self;
    d->rec = *rec;
    d->cursor = 0;
    d->several = false;
}

static int docker_next(void *self, struct event *ev) {
    struct docker_dec *d = self;
    while (d->cursor < d->rec.len) {
        const char *p = d->rec.p;
        while (d->cursor < d->rec.len &&
               (p[d->cursor] == ' ' || p[d->cursor] == '\t' || p[d->cursor] == '\r' || p[d->cursor] == '\n'))
            d->cursor++;
        if (d->cursor == d->rec.len) break;
        int got = p[d->cursor] == '{' ? decode_json_value(d, ev) : decode_text_line(d, ev);
        if (got) return 1;
    }
    return 0;
}

static uint64_t docker_events_count(void *self) { return ((struct docker_dec *)self)->events; }

static void docker_report(void *self, buf *out) {
    struct docker_dec *d = self;
    buf_printf(out, "  docker events: %" PRIu64 " events", d->events);
    for (size_t i = 0; i < N_KNOWN_TYPES; i++)
        if (d->by_type[i]) buf_printf(out, ", %s %" PRIu64, known_types[i], d->by_type[i]);
    if (d->other_types) buf_printf(out, ", other types %" PRIu64, d->other_types);
    if (d->text_lines) buf_printf(out, "; %" PRIu64 " from text lines", d->text_lines);
    if (d->legacy_only) buf_printf(out, "; %" PRIu64 " in the legacy status/id/from form", d->legacy_only);
    if (d->multi_values) buf_printf(out, "; %" PRIu64 " objects from lines that held several", d->multi_values);
    buf_puts(out, "\n");
}

/* ---- sniffing ---------------------------------------------------------------- */

static bool is_known_type(vstr s) {
    for (size_t i = 0; i < N_KNOWN_TYPES; i++)
        if (vstr_eqc(s, known_types[i])) return true;
    return false;
}

/* "<RFC3339> <known type> <action> ..." on the first line. */
static bool text_event_line(vstr head) {
    const char *nl = memchr(head.p, '\n', head.n);
    vstr line = { head.p, nl ? (size_t)(nl - head.p) : head.n };
    size_t t_end = token_end(line, 0);
    int64_t t;
    if (!time_parse((vstr){ line.p, t_end }, &t) || t_end + 1 >= line.n) return false;
    size_t type_end = token_end(line, t_end + 1);
    return is_known_type((vstr){ line.p + t_end + 1, type_end - t_end - 1 }) && type_end + 1 < line.n;
}

static int docker_sniff(vstr head) {
    size_t i = 0;
    while (i < head.n && (head.p[i] == ' ' || head.p[i] == '\n' || head.p[i] == '\r' || head.p[i] == '\t')) i++;
    if (i == head.n) return 0;
    vstr h = { head.p + i, head.n - i };
    if (h.p[0] != '{') return text_event_line(h) ? 80 : 0;
    bool actor = vstr_contains(h, VSTR("\"Actor\""));
    bool action = vstr_contains(h, VSTR("\"Action\""));
    bool type = vstr_contains(h, VSTR("\"Type\""));
    if (actor && action && type) return 90;
    bool status = vstr_contains(h, VSTR("\"status\""));
    bool id = vstr_contains(h, VSTR("\"id\""));
    bool time_nano = vstr_contains(h, VSTR("\"timeNano\""));
    bool time = vstr_contains(h, VSTR("\"time\""));
    if (status && id && time_nano) return 80;
    if (status && id && time && vstr_contains(h, VSTR("\"from\""))) return 65;
    return 0;
}

const struct decoder_ops docker_events_decoder = {
    .name = "docker-events",
    .description = "docker events: JSON lines (current and legacy keys), Engine API /events streams, the CLI's text form",
    .layer = LAYER_HOST,
    .sniff = docker_sniff,
    .create = docker_create,
    .destroy = docker_destroy,
    .begin = docker_begin,
    .next = docker_next,
    .report = docker_report,
    .events = docker_events_count,
};
