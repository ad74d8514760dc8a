#include "alert/alert.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "util/hash.h"
#include "util/timeutil.h"

/* ---- building ----------------------------------------------------------- */

struct alert *alert_new(const char *type, const struct event *ev) {
    const struct catalog_entry *cat = catalog_find(vstr_c(type));
    if (!cat) {
        fprintf(stderr, "vigil: internal error: alert type %s is not in the catalog\n", type);
        abort();
    }
    struct alert *a = calloc(1, sizeof *a);
    if (!a) abort();
    a->cat = cat;
    a->count = 1;
    a->time_start_us = a->time_end_us = ev ? ev->time_us : 0;
    arena_init(&a->mem, 4096);
    buf_init(&a->entities);
    buf_init(&a->props);
    return a;
}

void alert_free(struct alert *a) {
    if (!a) return;
    arena_free(&a->mem);
    buf_free(&a->entities);
    buf_free(&a->props);
    free(a);
}

void alert_entity(struct alert *a, vstr e) { a->entity = arena_dup(&a->mem, e); }

void alert_var(struct alert *a, const char *name, vstr value) {
    for (uint32_t i = 0; i < a->n_vars; i++)
        if (strcmp(a->vars[i].name, name) == 0) { a->vars[i].value = arena_dup(&a->mem, value); return; }
    if (a->n_vars == ALERT_MAX_VARS) return;
    a->vars[a->n_vars].name = name;
    a->vars[a->n_vars].value = arena_dup(&a->mem, value);
    a->n_vars++;
}

static void member(buf *b, const char *key) {
    if (b->n) buf_putc(b, ',');
    buf_json_cstr(b, key);
    buf_putc(b, ':');
}

static void str_array_json(buf *b, const vstr *v, size_t n) {
    buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i) buf_putc(b, ',');
        buf_json_str(b, v[i]);
    }
    buf_putc(b, ']');
}

void alert_entity_str(struct alert *a, const char *key, vstr v) { member(&a->entities, key); buf_json_str(&a->entities, v); }
void alert_entity_strs(struct alert *a, const char *key, const vstr *v, size_t n) {
    member(&a->entities, key);
    str_array_json(&a->entities, v, n);
}
void alert_prop_str(struct alert *a, const char *key, vstr v) { member(&a->props, key); buf_json_str(&a->props, v); }
void alert_prop_strs(struct alert *a, const char *key, const vstr *v, size_t n) {
    member(&a->props, key);
    str_array_json(&a->props, v, n);
}
void alert_prop_int(struct alert *a, const char *key, int64_t v) { member(&a->props, key); buf_printf(&a->props, "%" PRId64, v); }
void alert_prop_num(struct alert *a, const char *key, double v) { member(&a->props, key); buf_printf(&a->props, "%.6g", v); }
void alert_prop_bool(struct alert *a, const char *key, bool v) { member(&a->props, key); buf_puts(&a->props, v ? "true" : "false"); }
void alert_prop_raw(struct alert *a, const char *key, vstr json) { member(&a->props, key); buf_putv(&a->props, json); }

static void add_evidence(struct alert *a, const struct evidence *from, uint32_t max) {
    if (a->n_evidence >= max || a->n_evidence == ALERT_MAX_EVIDENCE) { a->evidence_dropped++; return; }
    struct evidence *e = &a->evidence[a->n_evidence++];
    e->input = arena_dup(&a->mem, from->input);
    e->offset = from->offset;
    e->item = from->item;
    e->summary = arena_dup(&a->mem, from->summary);
}

void alert_evidence(struct alert *a, const struct event *ev, vstr summary) {
    alert_evidence_at(a, &ev->pos, summary);
}

void alert_evidence_at(struct alert *a, const struct source_pos *pos, vstr summary) {
    struct evidence e = { vstr_c(pos->input), summary, pos->offset, pos->item };
    add_evidence(a, &e, ALERT_MAX_EVIDENCE);
}

/* ---- the record ------------------------------------------------------- */

/* Stable across runs and machines: the same type, entity and start time
 * always give the same id, so a replay reproduces ids and a store can
 * upsert a growing alert. */
static void compute_id(struct alert *a) {
    buf key;
    buf_init(&key);
    buf_puts(&key, a->cat->type);
    buf_putc(&key, 0);
    buf_putv(&key, a->entity);
    buf_printf(&key, "%c%" PRId64, 0, a->time_start_us);
    uint64_t h1 = hash_bytes(key.p, key.n, 0x76696769);
    uint64_t h2 = hash_bytes(key.p, key.n, h1);
    snprintf(a->id, sizeof a->id, "%016" PRIx64 "%016" PRIx64, h1, h2);
    buf_free(&key);
}

static void cstr_array_json(buf *b, const char *const *v, size_t max) {
    buf_putc(b, '[');
    for (size_t i = 0; i < max && v[i]; i++) {
        if (i) buf_putc(b, ',');
        buf_json_cstr(b, v[i]);
    }
    buf_putc(b, ']');
}

void alert_to_json(const struct alert *a, buf *out) {
    const struct catalog_entry *c = a->cat;
    buf desc;
    buf_init(&desc);
    catalog_render(c->description, a->vars, a->n_vars, &desc);
    buf_puts(out, "{\"id\":");
    buf_json_cstr(out, a->id);
    buf_puts(out, ",\"type\":");
    buf_json_cstr(out, c->type);
    buf_puts(out, ",\"title\":");
    buf_json_cstr(out, c->title);
    buf_puts(out, ",\"severity\":");
    buf_json_cstr(out, severity_name(c->severity));
    buf_puts(out, ",\"tactics\":");
    cstr_array_json(out, c->tactics, CATALOG_MAX_TACTICS);
    buf_puts(out, ",\"techniques\":");
    cstr_array_json(out, c->techniques, CATALOG_MAX_TECHNIQUES);
    buf_puts(out, ",\"time_start\":");
    buf_json_time(out, a->time_start_us);
    buf_puts(out, ",\"time_end\":");
    buf_json_time(out, a->time_end_us);
    buf_printf(out, ",\"count\":%" PRId64 ",\"compromised_entity\":", a->count);
    buf_json_str(out, a->entity);
    buf_puts(out, ",\"entities\":{");
    buf_putv(out, buf_vstr(&a->entities));
    buf_puts(out, "},\"description\":");
    buf_json_str(out, buf_vstr(&desc));
    buf_puts(out, ",\"remediation\":");
    cstr_array_json(out, c->remediation, CATALOG_MAX_STEPS);
    buf_puts(out, ",\"evidence\":[");
    for (uint32_t i = 0; i < a->n_evidence; i++) {
        const struct evidence *e = &a->evidence[i];
        if (i) buf_putc(out, ',');
        buf_puts(out, "{\"input\":");
        buf_json_str(out, e->input);
        buf_printf(out, ",\"offset\":%" PRIu64, e->offset);
        if (e->item) buf_printf(out, ",\"item\":%" PRIu32, e->item);
        buf_puts(out, ",\"summary\":");
        buf_json_str(out, e->summary);
        buf_putc(out, '}');
    }
    buf_puts(out, "],\"properties\":{");
    buf_putv(out, buf_vstr(&a->props));
    if (a->evidence_dropped) {
        if (a->props.n) buf_putc(out, ',');
        buf_printf(out, "\"evidence_not_shown\":%" PRIu64, a->evidence_dropped);
    }
    buf_puts(out, "}}");
    buf_free(&desc);
}

/* ---- filtering ---------------------------------------------------------- */

static bool matches(const char *pattern, const char *type) {
    size_t n = strlen(pattern);
    if (n >= 2 && pattern[n - 1] == '*' && pattern[n - 2] == '.')
        return strncmp(pattern, type, n - 1) == 0;
    return strcmp(pattern, type) == 0;
}

bool alert_type_enabled(const struct vigil_config *cfg, const char *type) {
    if (!cfg->group_arm_location && strncmp(type, "arm.location.", 13) == 0) return false;
    for (size_t i = 0; i < cfg->disabled_types.n; i++)
        if (matches(cfg->disabled_types.v[i], type)) return false;
    return true;
}

/* ---- aggregation ---------------------------------------------------------- */

struct aggregator {
    const struct vigil_config *cfg;
    alert_sink_fn sink;
    void *ud;
    struct alert **open;        /* open-addressing table keyed by (type, entity) */
    uint64_t *hashes;           /* 0 = empty slot */
    size_t cap, n;
    int64_t next_expiry;        /* earliest time_start + window among open alerts */
    uint64_t emitted, merged, by_severity[4];
};

static uint64_t key_hash(const struct alert *a) {
    uint64_t h = hash_bytes(a->cat->type, strlen(a->cat->type), 0);
    return hash_vstr(a->entity, h) | 1;
}

static bool same_key(const struct alert *x, const struct alert *y) {
    return x->cat == y->cat && vstr_eq(x->entity, y->entity);
}

struct aggregator *aggregator_new(const struct vigil_config *cfg, alert_sink_fn sink, void *ud) {
    struct aggregator *ag = calloc(1, sizeof *ag);
    if (!ag) abort();
    ag->cfg = cfg;
    ag->sink = sink;
    ag->ud = ud;
    ag->cap = 1024;
    while (ag->cap < (size_t)cfg->max_open_alerts * 2) ag->cap *= 2;
    ag->open = calloc(ag->cap, sizeof *ag->open);
    ag->hashes = calloc(ag->cap, sizeof *ag->hashes);
    if (!ag->open || !ag->hashes) abort();
    ag->next_expiry = INT64_MAX;
    return ag;
}

static size_t find_slot(const struct aggregator *ag, uint64_t h, const struct alert *a) {
    size_t mask = ag->cap - 1, i = h & mask;
    while (ag->hashes[i] && !(ag->hashes[i] == h && same_key(ag->open[i], a))) i = (i + 1) & mask;
    return i;
}

/* Backward-shift deletion keeps every probe chain intact. */
static void remove_slot(struct aggregator *ag, size_t i) {
    size_t mask = ag->cap - 1, j = i;
    ag->hashes[i] = 0;
    ag->open[i] = NULL;
    for (;;) {
        j = (j + 1) & mask;
        if (!ag->hashes[j]) break;
        size_t home = ag->hashes[j] & mask;
        bool movable = (i <= j) ? (home <= i || home > j) : (home <= i && home > j);
        if (!movable) continue;
        ag->hashes[i] = ag->hashes[j];
        ag->open[i] = ag->open[j];
        ag->hashes[j] = 0;
        ag->open[j] = NULL;
        i = j;
    }
    ag->n--;
}

static int by_start_then_id(const void *x, const void *y) {
    const struct alert *a = *(struct alert *const *)x, *b = *(struct alert *const *)y;
    if (a->time_start_us != b->time_start_us) return a->time_start_us < b->time_start_us ? -1 : 1;
    return strcmp(a->id, b->id);
}

static void deliver(struct aggregator *ag, struct alert *a) {
    ag->emitted++;
    ag->by_severity[a->cat->severity]++;
    ag->sink(ag->ud, a);
    alert_free(a);
}

/* Emit every open alert for which close(a) holds, in (time_start, id) order. */
static void close_where(struct aggregator *ag, bool (*close)(const struct aggregator *, const struct alert *, int64_t),
                        int64_t arg) {
    struct alert **out = malloc((ag->n ? ag->n : 1) * sizeof *out);
    if (!out) abort();
    size_t k = 0;
    ag->next_expiry = INT64_MAX;
    for (size_t i = 0; i < ag->cap;) {
        struct alert *a = ag->open[i];
        if (a && close(ag, a, arg)) {
            out[k++] = a;
            remove_slot(ag, i);     /* a later entry may have shifted into i */
            continue;
        }
        if (a && a->time_start_us + ag->cfg->aggregation_window_us < ag->next_expiry)
            ag->next_expiry = a->time_start_us + ag->cfg->aggregation_window_us;
        i++;
    }
    qsort(out, k, sizeof *out, by_start_then_id);
    for (size_t i = 0; i < k; i++) deliver(ag, out[i]);
    free(out);
}

static bool window_closed(const struct aggregator *ag, const struct alert *a, int64_t watermark) {
    return a->time_start_us + ag->cfg->aggregation_window_us <= watermark;
}
static bool always(const struct aggregator *ag, const struct alert *a, int64_t unused) {
    (void)ag; (void)a; (void)unused;
    return true;
}
static bool started_by(const struct aggregator *ag, const struct alert *a, int64_t t) {
    (void)ag;
    return a->time_start_us <= t;
}

static void merge(struct aggregator *ag, struct alert *into, struct alert *a) {
    into->count += a->count;
    if (a->time_end_us > into->time_end_us) into->time_end_us = a->time_end_us;
    for (uint32_t i = 0; i < a->n_evidence; i++)
        add_evidence(into, &a->evidence[i], ag->cfg->max_evidence);
    into->evidence_dropped += a->evidence_dropped;
    ag->merged++;
    alert_free(a);
}

/* Under hostile cardinality the table stays bounded: close the oldest
 * half early rather than grow. */
static void make_room(struct aggregator *ag) {
    int64_t *starts = malloc(ag->n * sizeof *starts);
    if (!starts) abort();
    size_t k = 0;
    for (size_t i = 0; i < ag->cap; i++)
        if (ag->open[i]) starts[k++] = ag->open[i]->time_start_us;
    int64_t lo = INT64_MAX;
    for (size_t i = 0; i < k; i++) if (starts[i] < lo) lo = starts[i];
    int64_t hi = lo;
    for (size_t i = 0; i < k; i++) if (starts[i] > hi) hi = starts[i];
    free(starts);
    close_where(ag, started_by, lo + (hi - lo) / 2);
}

void alert_emit(struct aggregator *ag, struct alert *a) {
    if (!alert_type_enabled(ag->cfg, a->cat->type)) { alert_free(a); return; }
    uint64_t h = key_hash(a);
    size_t i = find_slot(ag, h, a);
    struct alert *o = ag->open[i];
    if (o && a->time_start_us < o->time_start_us + ag->cfg->aggregation_window_us &&
        a->time_start_us >= o->time_start_us - ag->cfg->aggregation_window_us) {
        if (a->time_start_us < o->time_start_us) {
            /* a late event: the alert starts earlier, and so its id changes */
            o->time_start_us = a->time_start_us;
            compute_id(o);
        }
        merge(ag, o, a);
        return;
    }
    if (o) {
        /* same key, outside the window: the old alert is complete */
        remove_slot(ag, i);
        deliver(ag, o);
    }
    if (ag->n + 1 > ag->cfg->max_open_alerts) make_room(ag);
    compute_id(a);
    i = find_slot(ag, h, a);
    ag->open[i] = a;
    ag->hashes[i] = h;
    ag->n++;
    if (a->time_start_us + ag->cfg->aggregation_window_us < ag->next_expiry)
        ag->next_expiry = a->time_start_us + ag->cfg->aggregation_window_us;
}

void aggregator_advance(struct aggregator *ag, int64_t watermark) {
    if (watermark >= ag->next_expiry) close_where(ag, window_closed, watermark);
}

void aggregator_flush(struct aggregator *ag) { close_where(ag, always, 0); }

void aggregator_free(struct aggregator *ag) {
    if (!ag) return;
    for (size_t i = 0; i < ag->cap; i++) alert_free(ag->open[i]);
    free(ag->open);
    free(ag->hashes);
    free(ag);
}

uint64_t aggregator_emitted(const struct aggregator *ag) { return ag->emitted; }
uint64_t aggregator_merged(const struct aggregator *ag) { return ag->merged; }
void aggregator_severity_counts(const struct aggregator *ag, uint64_t counts[4]) {
    memcpy(counts, ag->by_severity, sizeof ag->by_severity);
}
