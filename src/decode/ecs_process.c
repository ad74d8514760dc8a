/* Elastic Common Schema events as JSON lines (Auditbeat's auditd and
 * system modules, Winlogbeat with Sysmon or Security 4688, Elastic Agent):
 * process starts into struct proc_exec.
 *
 * ECS fields come nested ({"process":{"parent":{"pid":1}}}), dotted
 * ({"process.parent.pid":1}) or both at once, so the walk builds each
 * leaf's full dotted path and matches that.
 *
 * A process start is event.category "process" (a string or an array) with
 * event.type "start", or an event.action that means it (exec, executed,
 * process_started, "Process Create (rule: ProcessCreate)"); or, without
 * ECS categories (Winlogbeat without its ingest pipeline), Sysmon event 1
 * or Windows Security event 4688. Every other event is counted by its
 * category, not rejected. A record that is not a JSON object, or has no
 * valid @timestamp, is rejected with its offset. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"
#include "decode/json.h"
#include "decode/jsonrec.h"
#include "util/arena.h"
#include "util/timeutil.h"

#define PATH_MAX_LEN 96                 /* longest dotted path looked at */
#define MAX_DEPTH 5
#define MAX_CATEGORIES 16               /* categories counted one by one */

static const char R_JSON[] = "invalid JSON";
static const char R_NOT_OBJECT[] = "record is not a JSON object";
static const char R_NO_TIME[] = "ECS event without a valid @timestamp";

struct cat_count { char name[24]; uint64_t n; };

/* What one record says, as walked. */
struct ecs_fields {
    vstr timestamp, action, code, event_id, module, provider, channel;
    bool cat_process, type_start, has_category;
    vstr first_category;
    vstr os_type, os_family, os_platform, host_name, host_hostname;
    vstr user_id, user_effective_id, user_audit_id;
    vstr *args;
    uint32_t n_args, cap_args;
};

struct ecs_dec {
    const char *input;
    struct rejects *rj;
    jparser *jp;
    arena mem;
    struct record rec;
    bool pending;                       /* begin handed a record not yet decoded */
    struct proc_exec p;
    struct ecs_fields f;
    struct cat_count cats[MAX_CATEGORIES];
    uint32_t n_cats;
    /* counters */
    uint64_t records, events, process_other, uncategorised, other_categories;
    uint64_t by_os[4];
};

/* ---- values -------------------------------------------------------------- */

static bool eq_ci(vstr a, const char *lit) { return vstr_eq_ci(a, vstr_c(lit)); }

/* A number as JSON writes it, or a string holding one (Winlogbeat writes
 * event.code as a string, pids as numbers). */
static bool num_or_text(jval *v, vstr *text, int64_t *num) {
    int64_t n;
    if (jv_type(v) == JT_NUMBER) {
        if (!jv_i64(v, &n)) return false;
        if (num) *num = n;
        if (text) *text = VSTR_NULL;
        return true;
    }
    vstr s;
    if (!jv_str(v, &s)) return false;
    if (text) *text = s;
    if (num) {
        int64_t r = 0;
        size_t i = 0;
        if (s.n == 0 || s.n > 18) return false;
        for (; i < s.n && s.p[i] >= '0' && s.p[i] <= '9'; i++) r = r * 10 + (s.p[i] - '0');
        if (i != s.n) return false;
        *num = r;
    }
    return true;
}

static int64_t int_field(jval *v) {
    int64_t n;
    return num_or_text(v, NULL, &n) ? n : -1;
}

/* event.code / winlog.event_id: kept as text either way. */
static vstr code_text(struct ecs_dec *d, jval *v) {
    int64_t n;
    vstr s;
    if (jv_type(v) == JT_NUMBER) {
        if (!jv_i64(v, &n)) return VSTR_NULL;
        char *p = arena_alloc(&d->mem, 24);
        int len = snprintf(p, 24, "%" PRId64, n);
        return (vstr){ p, (size_t)len };
    }
    return jv_str(v, &s) ? s : VSTR_NULL;
}

/* event.category / event.type: a string or an array of strings. */
static void for_each_str(jval *v, void (*fn)(struct ecs_dec *, vstr), struct ecs_dec *d) {
    vstr s;
    if (jv_str(v, &s)) { fn(d, s); return; }
    jiter it;
    jval e;
    if (!jv_arr_begin(v, &it)) return;
    while (jv_arr_next(&it, &e))
        if (jv_str(&e, &s)) fn(d, s);
}

static void on_category(struct ecs_dec *d, vstr s) {
    if (!d->f.has_category) d->f.first_category = s;
    d->f.has_category = true;
    if (eq_ci(s, "process")) d->f.cat_process = true;
}

static void on_type(struct ecs_dec *d, vstr s) {
    if (eq_ci(s, "start")) d->f.type_start = true;
}

static void args_field(struct ecs_dec *d, jval *v) {
    jiter it;
    jval e;
    vstr s;
    if (!jv_arr_begin(v, &it)) return;
    d->f.n_args = 0;
    while (jv_arr_next(&it, &e)) {
        if (!jv_str(&e, &s)) continue;
        vstr *slot = jsonrec_push(&d->mem, (void **)&d->f.args, &d->f.n_args, &d->f.cap_args, sizeof *slot);
        if (slot) *slot = s;
    }
}

/* ---- the walk ------------------------------------------------------------ */

/* One leaf, by its full dotted path. */
static void leaf(struct ecs_dec *d, vstr path, jval *v) {
    struct proc_exec *p = &d->p;
    struct ecs_fields *f = &d->f;
#define IS(lit) vstr_eqc(path, lit)
    if (IS("@timestamp")) jsonrec_str(v, &f->timestamp);
    else if (IS("event.category")) for_each_str(v, on_category, d);
    else if (IS("event.type")) for_each_str(v, on_type, d);
    else if (IS("event.action")) jsonrec_str(v, &f->action);
    else if (IS("event.code")) f->code = code_text(d, v);
    else if (IS("winlog.event_id")) f->event_id = code_text(d, v);
    else if (IS("event.module")) jsonrec_str(v, &f->module);
    else if (IS("event.provider") || IS("winlog.provider_name")) jsonrec_str(v, &f->provider);
    else if (IS("winlog.channel")) jsonrec_str(v, &f->channel);
    else if (IS("host.name")) jsonrec_str(v, &f->host_name);
    else if (IS("host.hostname")) jsonrec_str(v, &f->host_hostname);
    else if (IS("host.os.type")) jsonrec_str(v, &f->os_type);
    else if (IS("host.os.family")) jsonrec_str(v, &f->os_family);
    else if (IS("host.os.platform")) jsonrec_str(v, &f->os_platform);
    else if (IS("process.pid")) p->pid = int_field(v);
    else if (IS("process.ppid")) p->ppid = int_field(v);
    else if (IS("process.executable")) jsonrec_str(v, &p->exe);
    else if (IS("process.name")) jsonrec_str(v, &p->name);
    else if (IS("process.args")) args_field(d, v);
    else if (IS("process.command_line")) jsonrec_str(v, &p->command_line);
    else if (IS("process.working_directory")) jsonrec_str(v, &p->cwd);
    else if (IS("process.parent.pid")) p->parent_pid_ecs = int_field(v);
    else if (IS("process.parent.executable")) jsonrec_str(v, &p->parent_exe);
    else if (IS("process.parent.name")) jsonrec_str(v, &p->parent_name);
    else if (IS("process.parent.command_line")) jsonrec_str(v, &p->parent_command_line);
    else if (IS("user.name")) jsonrec_str(v, &p->user);
    else if (IS("user.id")) num_or_text(v, &f->user_id, &p->uid);
    else if (IS("user.effective.id")) num_or_text(v, &f->user_effective_id, &p->euid);
    else if (IS("user.audit.id")) num_or_text(v, &f->user_audit_id, &p->auid);
    else if (IS("container.id")) jsonrec_str(v, &p->container_id);
    else if (IS("container.image.name")) jsonrec_str(v, &p->container_image);
    else if (IS("container.name")) jsonrec_str(v, &p->container_name);
#undef IS
}

/* Only these roots hold anything read; the rest is skipped unwalked. */
static bool root_of_interest(vstr path) {
    static const char *const roots[] = { "@timestamp", "event", "winlog", "host", "process", "user", "container" };
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
        size_t n = strlen(roots[i]);
        if (path.n >= n && memcmp(path.p, roots[i], n) == 0 && (path.n == n || path.p[n] == '.')) return true;
    }
    return false;
}

static void walk(struct ecs_dec *d, jval *obj, char *path, size_t plen, int depth) {
    jiter it;
    jval v;
    vstr k;
    if (!jv_obj_begin(obj, &it)) return;
    while (jv_obj_next(&it, &k, &v)) {
        size_t n = plen + (plen ? 1 : 0) + k.n;
        if (n > PATH_MAX_LEN) continue;
        if (plen) path[plen] = '.';
        memcpy(path + plen + (plen ? 1 : 0), k.p, k.n);
        vstr full = { path, n };
        if (!root_of_interest(full)) continue;
        if (jv_type(&v) == JT_OBJECT) {
            if (depth < MAX_DEPTH) walk(d, &v, path, n, depth + 1);
        } else {
            leaf(d, full, &v);
        }
    }
}

/* ---- deciding ------------------------------------------------------------- */

static bool is_process_start(const struct ecs_fields *f) {
    bool action_start = eq_ci(f->action, "exec") || eq_ci(f->action, "executed") ||
                        eq_ci(f->action, "process_started") || eq_ci(f->action, "start") ||
                        eq_ci(f->action, "created-process") ||
                        (f->action.n >= 14 && vstr_eq_ci((vstr){ f->action.p, 14 }, VSTR("Process Create")));
    if (f->has_category) return f->cat_process && (f->type_start || action_start);
    bool sysmon = vstr_contains_ci(f->provider, VSTR("Sysmon")) || vstr_contains_ci(f->channel, VSTR("Sysmon")) ||
                  eq_ci(f->module, "sysmon");
    vstr code = f->code.n ? f->code : f->event_id;
    if (sysmon && vstr_eqc(code, "1")) return true;
    if (vstr_eqc(code, "4688") && !sysmon) return true;
    return action_start && f->action.n >= 14;  /* "Process Create (rule: ...)" alone */
}

static enum proc_os os_of(vstr v) {
    static const char *const linux_families[] = { "linux", "debian", "ubuntu", "redhat", "rhel", "centos", "fedora",
                                                  "suse", "amazon", "alpine", "arch" };
    if (eq_ci(v, "windows")) return PROC_OS_WINDOWS;
    if (eq_ci(v, "macos") || eq_ci(v, "darwin")) return PROC_OS_MACOS;
    for (size_t i = 0; i < sizeof linux_families / sizeof linux_families[0]; i++)
        if (eq_ci(v, linux_families[i])) return PROC_OS_LINUX;
    return PROC_OS_UNKNOWN;
}

static void count_category(struct ecs_dec *d, vstr cat) {
    if (!cat.n) { d->uncategorised++; return; }
    for (uint32_t i = 0; i < d->n_cats; i++)
        if (strlen(d->cats[i].name) == cat.n && memcmp(d->cats[i].name, cat.p, cat.n) == 0) {
            d->cats[i].n++;
            return;
        }
    if (d->n_cats == MAX_CATEGORIES || cat.n >= sizeof d->cats[0].name) { d->other_categories++; return; }
    memcpy(d->cats[d->n_cats].name, cat.p, cat.n);
    d->cats[d->n_cats].name[cat.n] = 0;
    d->cats[d->n_cats++].n = 1;
}

static void finish_exec(struct ecs_dec *d) {
    struct proc_exec *p = &d->p;
    struct ecs_fields *f = &d->f;
    p->host = f->host_name.n ? f->host_name : f->host_hostname;
    p->os = os_of(f->os_type);
    if (p->os == PROC_OS_UNKNOWN) p->os = os_of(f->os_family);
    if (p->os == PROC_OS_UNKNOWN) p->os = os_of(f->os_platform);
    p->argv = f->args;
    p->argc = f->n_args;
    /* no shell-splitting of a Windows command line: argv stays as given */
    if (!p->command_line.n) p->command_line = arena_join(&d->mem, p->argv, p->argc);
    if (!p->name.n) p->name = vstr_basename(p->exe);
    if (!p->user.n) p->user = f->user_id;
    if (p->ppid < 0) p->ppid = p->parent_pid_ecs;
    d->by_os[p->os]++;
}

/* 1: the record is a process start, in d->p. */
static int decode_record(struct ecs_dec *d, struct event *ev) {
    jval root;
    arena_reset(&d->mem);
    memset(&d->f, 0, sizeof d->f);
    memset(&d->p, 0, sizeof d->p);
    d->p.pid = d->p.ppid = d->p.uid = d->p.euid = d->p.auid = d->p.parent_pid_ecs = -1;
    d->p.success = -1;
    size_t i = 0;
    while (i < d->rec.len && (d->rec.p[i] == ' ' || d->rec.p[i] == '\t' || d->rec.p[i] == '\r')) i++;
    if (i == d->rec.len) return 0;      /* a blank line */
    d->records++;
    if (d->rec.p[i] != '{') {
        rejects_add(d->rj, d->input, d->rec.offset, R_NOT_OBJECT, (vstr){ d->rec.p, d->rec.len });
        return 0;
    }
    if (!jparse(d->jp, d->rec.p, d->rec.len, d->rec.cap, &root)) {
        rejects_add(d->rj, d->input, d->rec.offset, R_JSON, vstr_c(jparser_errmsg(d->jp)));
        return 0;
    }
    char path[PATH_MAX_LEN + 1];
    walk(d, &root, path, 0, 0);
    if (jparser_error(d->jp)) {
        rejects_add(d->rj, d->input, d->rec.offset, R_JSON, vstr_c(jparser_errmsg(d->jp)));
        return 0;
    }
    int64_t t;
    if (!time_parse(d->f.timestamp, &t)) {
        rejects_add(d->rj, d->input, d->rec.offset, R_NO_TIME, d->f.timestamp.n ? d->f.timestamp : VSTR("absent"));
        return 0;
    }
    if (!is_process_start(&d->f)) {
        if (d->f.cat_process) d->process_other++;
        else count_category(d, d->f.first_category);
        return 0;
    }
    finish_exec(d);
    memset(ev, 0, sizeof *ev);
    ev->time_us = t;
    ev->layer = LAYER_HOST;
    ev->kind = EV_PROC_EXEC;
    ev->pos.input = d->input;
    ev->pos.offset = d->rec.offset;
    ev->u.proc = &d->p;
    d->events++;
    return 1;
}

/* ---- decoder_ops ------------------------------------------------------------- */

static void *ecs_create(const char *input_name, struct rejects *rj) {
    struct ecs_dec *d = calloc(1, sizeof *d);
    if (!d) abort();
    d->input = input_name;
    d->rj = rj;
    d->jp = jparser_new();
    if (!d->jp) abort();
    arena_init(&d->mem, 8 * 1024);
    return d;
}

static void ecs_destroy(void *self) {
    struct ecs_dec *d = self;
    if (!d) return;
    jparser_free(d->jp);
    arena_free(&d->mem);
    free(d);
}

static void ecs_begin(void *self, const struct record *rec) {
    struct ecs_dec *d = self;
    d->rec = *rec;
    d->pending = true;
}

static int ecs_next(void *self, struct event *ev) {
    struct ecs_dec *d = self;
    if (!d->pending) return 0;
    d->pending = false;
    return decode_record(d, ev);
}

static uint64_t ecs_events(void *self) { return ((struct ecs_dec *)self)->events; }

static void ecs_report(void *self, buf *out) {
    struct ecs_dec *d = self;
    buf_printf(out, "  ECS events: %" PRIu64 " process starts (linux %" PRIu64 ", windows %" PRIu64 ", macos %" PRIu64
                    ", os unknown %" PRIu64 "), %" PRIu64 " other process events",
               d->events, d->by_os[PROC_OS_LINUX], d->by_os[PROC_OS_WINDOWS], d->by_os[PROC_OS_MACOS],
               d->by_os[PROC_OS_UNKNOWN], d->process_other);
    for (uint32_t i = 0; i < d->n_cats; i++) buf_printf(out, ", %s %" PRIu64, d->cats[i].name, d->cats[i].n);
    if (d->other_categories) buf_printf(out, ", other categories %" PRIu64, d->other_categories);
    if (d->uncategorised) buf_printf(out, ", without category %" PRIu64, d->uncategorised);
    buf_puts(out, "\n");
}

/* ECS lines carry @timestamp and name their fields event.* / process.*
 * (nested or dotted). Azure and Kubernetes records shipped by a Beat
 * carry @timestamp too, but also their own markers, and are theirs. */
static int ecs_sniff(vstr head) {
    size_t i = 0;
    while (i < head.n && (head.p[i] == ' ' || head.p[i] == '\n' || head.p[i] == '\r' || head.p[i] == '\t')) i++;
    if (i == head.n || head.p[i] != '{') return 0;
    if (!vstr_contains(head, VSTR("\"@timestamp\""))) return 0;
    static const char *const foreign[] = { "auditID", "AuditEvent", "operationName", "correlationId", "\"records\"" };
    for (size_t k = 0; k < sizeof foreign / sizeof foreign[0]; k++)
        if (vstr_contains(head, vstr_c(foreign[k]))) return 0;
    bool process = vstr_contains(head, VSTR("\"process\"")) || vstr_contains(head, VSTR("\"process."));
    bool event = vstr_contains(head, VSTR("\"event\"")) || vstr_contains(head, VSTR("\"event."));
    bool ecs = vstr_contains(head, VSTR("\"ecs\"")) || vstr_contains(head, VSTR("\"ecs.version\""));
    if (process && event) return ecs ? 80 : 70;
    return ecs && event ? 55 : 0;
}

const struct decoder_ops ecs_decoder = {
    .name = "ecs",
    .description = "Elastic Common Schema JSON lines (Auditbeat, Winlogbeat/Sysmon, Elastic Agent): process starts",
    .layer = LAYER_HOST,
    .sniff = ecs_sniff,
    .create = ecs_create,
    .destroy = ecs_destroy,
    .begin = ecs_begin,
    .next = ecs_next,
    .report = ecs_report,
    .events = ecs_events,
};
