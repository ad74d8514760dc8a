/* `docker inspect` (and `podman inspect`, which writes the same keys) into
 * struct container_event: one event per container object, with source
 * CONTAINER_SRC_INSPECT, type "container" and action "inspect", carrying
 * what the event stream lacks: HostConfig privileges, host bind mounts,
 * devices and the command.
 *
 * Input: the JSON array docker inspect prints (pretty-printed: one record
 * under FRAME_DOCUMENTS), or one container object per line (--format
 * '{{json .}}'). Image objects (docker inspect of an image: RepoTags /
 * RootFS, no HostConfig) are counted and skipped. An object without an Id,
 * or without a usable State.StartedAt or Created, is rejected with its
 * offset (and its element number in an array). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"
#include "decode/json.h"
#include "decode/jsonrec.h"
#include "util/arena.h"
#include "util/timeutil.h"

static const char R_JSON[] = "invalid JSON";
static const char R_NOT_OBJECT[] = "not a docker inspect object or array";
static const char R_NO_ID[] = "docker inspect object without an Id";
static const char R_NO_TIME[] = "docker inspect object without a valid State.StartedAt or Created";

/* Above this many mounts a Mounts[] entry is no longer compared with the
 * Binds already read (docker lists each bind in both); keeps a hostile
 * record from costing a quadratic scan. */
#define MOUNT_DEDUP_MAX 64

enum inspect_state { ST_DONE, ST_SINGLE, ST_ARRAY };

/* A growable list of strings in the per-record arena. */
struct str_list { vstr *v; uint32_t n, cap; };

/* What one object says before it is normalised. */
struct raw_fields {
    vstr started_at, created, image_name;
    struct str_list path, args, entrypoint, cmd;
    bool has_host_config, has_state, image_marker;
};

struct inspect_dec {
    const char *input;
    struct rejects *rj;
    jparser *jp;
    arena mem;
    struct record rec;
    enum inspect_state state;
    jval root;
    jiter list;
    uint32_t item;
    struct container_event c;
    uint32_t cap_attrs, cap_mounts, cap_devices;
    struct str_list cap_add, security_opt;
    struct raw_fields f;
    /* counters */
    uint64_t events, images_skipped, privileged;
};

/* ---- values ---------------------------------------------------------------- */

static void list_push(arena *a, struct str_list *l, vstr s) {
    vstr *slot = jsonrec_push(a, (void **)&l->v, &l->n, &l->cap, sizeof *slot);
    if (slot) *slot = s;
}

/* An array of strings, or one string (Docker's StrSlice accepts both, and
 * podman has written Entrypoint as a string). */
static void str_list_field(arena *a, jval *v, struct str_list *l) {
    jiter it;
    jval e;
    vstr s;
    if (jv_str(v, &s)) { list_push(a, l, s); return; }
    if (!jv_arr_begin(v, &it)) return;
    while (jv_arr_next(&it, &e))
        if (jv_str(&e, &s)) list_push(a, l, s);
}

static int64_t int_field(jval *v) {
    int64_t n;
    return jv_i64(v, &n) ? n : -1;
}

/* ---- mounts ----------------------------------------------------------------- */

static bool has_mount(const struct container_event *c, vstr source, vstr destination) {
    if (c->n_mounts > MOUNT_DEDUP_MAX) return false;
    for (uint32_t i = 0; i < c->n_mounts; i++)
        if (vstr_eq(c->mounts[i].source, source) && vstr_eq(c->mounts[i].destination, destination)) return true;
    return false;
}

static void add_mount(struct inspect_dec *d, vstr source, vstr destination, bool read_only) {
    struct container_event *c = &d->c;
    if (has_mount(c, source, destination)) return;
    struct container_mount *m = jsonrec_push(&d->mem, (void **)&c->mounts, &c->n_mounts, &d->cap_mounts, sizeof *m);
    if (!m) return;
    m->source = source;
    m->destination = destination;
    m->read_only = read_only;
}

/* "ro" among the comma-separated options of a bind ("ro,Z", "rw,rslave"). */
static bool options_read_only(vstr opts) {
    size_t i = 0;
    while (i < opts.n) {
        size_t j = i;
        while (j < opts.n && opts.p[j] != ',') j++;
        if (j - i == 2 && opts.p[i] == 'r' && opts.p[i + 1] == 'o') return true;
        i = j + 1;
    }
    return false;
}

/* HostConfig.Binds "src:dst[:opts]": only host paths (a source starting
 * with '/'); "name:/data" is a named volume, not the host's file system. */
static void bind_entry(struct inspect_dec *d, vstr b) {
    if (!b.n || b.p[0] != '/') return;
    const char *c1 = memchr(b.p, ':', b.n);
    if (!c1) return;
    vstr source = { b.p, (size_t)(c1 - b.p) };
    vstr rest = { c1 + 1, b.n - source.n - 1 };
    const char *c2 = rest.n ? memchr(rest.p, ':', rest.n) : NULL;
    vstr destination = { rest.p, c2 ? (size_t)(c2 - rest.p) : rest.n };
    vstr opts = c2 ? (vstr){ c2 + 1, rest.n - destination.n - 1 } : VSTR_NULL;
    if (!destination.n) return;
    add_mount(d, source, destination, options_read_only(opts));
}

static void binds_field(struct inspect_dec *d, jval *v) {
    jiter it;
    jval e;
    vstr s;
    if (!jv_arr_begin(v, &it)) return;
    while (jv_arr_next(&it, &e))
        if (jv_str(&e, &s)) bind_entry(d, s);
}

/* Mounts[]: {Type, Source, Destination, RW, ...}; only binds. */
static void mount_entry(struct inspect_dec *d, jval *v) {
    jiter it;
    jval e;
    vstr k, type = VSTR_NULL, source = VSTR_NULL, destination = VSTR_NULL;
    bool rw = true;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e)) {
        if (vstr_eqc(k, "Type")) jsonrec_str(&e, &type);
        else if (vstr_eqc(k, "Source")) jsonrec_str(&e, &source);
        else if (vstr_eqc(k, "Destination")) jsonrec_str(&e, &destination);
        else if (vstr_eqc(k, "RW") && !jv_bool(&e, &rw)) rw = true;
    }
    if (vstr_eqc(type, "bind") && source.n && destination.n) add_mount(d, source, destination, !rw);
}

static void mounts_field(struct inspect_dec *d, jval *v) {
    jiter it;
    jval e;
    if (!jv_arr_begin(v, &it)) return;
    while (jv_arr_next(&it, &e)) mount_entry(d, &e);
}

/* HostConfig.Devices[]: {PathOnHost, PathInContainer, CgroupPermissions}. */
static void devices_field(struct inspect_dec *d, jval *v) {
    struct container_event *c = &d->c;
    jiter it, dit;
    jval e, dv;
    vstr k, s;
    if (!jv_arr_begin(v, &it)) return;
    while (jv_arr_next(&it, &e)) {
        if (!jv_obj_begin(&e, &dit)) continue;
        while (jv_obj_next(&dit, &k, &dv)) {
            if (!vstr_eqc(k, "PathOnHost") || !jv_str(&dv, &s)) continue;
            vstr *slot = jsonrec_push(&d->mem, (void **)&c->devices, &c->n_devices, &d->cap_devices, sizeof *slot);
            if (slot) *slot = s;
        }
    }
}

/* ---- the object -------------------------------------------------------------- */

static void host_config_field(struct inspect_dec *d, jval *v) {
    struct container_event *c = &d->c;
    jiter it;
    jval e;
    vstr k;
    bool b;
    if (!jv_obj_begin(v, &it)) return;
    d->f.has_host_config = true;
    while (jv_obj_next(&it, &k, &e)) {
        if (vstr_eqc(k, "Privileged")) { if (jv_bool(&e, &b)) c->privileged = b; }
        else if (vstr_eqc(k, "CapAdd")) str_list_field(&d->mem, &e, &d->cap_add);
        else if (vstr_eqc(k, "PidMode")) jsonrec_str(&e, &c->pid_mode);
        else if (vstr_eqc(k, "NetworkMode")) jsonrec_str(&e, &c->network_mode);
        else if (vstr_eqc(k, "IpcMode")) jsonrec_str(&e, &c->ipc_mode);
        else if (vstr_eqc(k, "UsernsMode")) jsonrec_str(&e, &c->userns_mode);
        else if (vstr_eqc(k, "SecurityOpt")) str_list_field(&d->mem, &e, &d->security_opt);
        else if (vstr_eqc(k, "Binds")) binds_field(d, &e);
        else if (vstr_eqc(k, "Devices")) devices_field(d, &e);
    }
}

static void state_field(struct inspect_dec *d, jval *v) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return;
    d->f.has_state = true;
    while (jv_obj_next(&it, &k, &e)) {
        if (vstr_eqc(k, "Pid")) d->c.pid = int_field(&e);
        else if (vstr_eqc(k, "ExitCode")) d->c.exit_code = int_field(&e);
        else if (vstr_eqc(k, "StartedAt")) jsonrec_str(&e, &d->f.started_at);
    }
}

/* Config.Labels: every pair to attributes[], the pod labels read. */
static void labels_field(struct inspect_dec *d, jval *v) {
    struct container_event *c = &d->c;
    jiter it;
    jval e;
    vstr k, s;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e)) {
        if (!jv_str(&e, &s)) continue;
        struct k8s_kv *kv = jsonrec_push(&d->mem, (void **)&c->attributes, &c->n_attributes, &d->cap_attrs, sizeof *kv);
        if (kv) { kv->key = k; kv->value = s; }
        if (vstr_eqc(k, "io.kubernetes.pod.name")) c->pod_name = s;
        else if (vstr_eqc(k, "io.kubernetes.pod.namespace")) c->pod_namespace = s;
        else if (vstr_eqc(k, "io.kubernetes.container.name")) c->k8s_container = s;
    }
}

static void config_field(struct inspect_dec *d, jval *v) {
    jiter it;
    jval e;
    vstr k;
    if (!jv_obj_begin(v, &it)) return;
    while (jv_obj_next(&it, &k, &e)) {
        if (vstr_eqc(k, "Image")) jsonrec_str(&e, &d->c.image);
        else if (vstr_eqc(k, "Entrypoint")) str_list_field(&d->mem, &e, &d->f.entrypoint);
        else if (vstr_eqc(k, "Cmd")) str_list_field(&d->mem, &e, &d->f.cmd);
        else if (vstr_eqc(k, "User")) jsonrec_str(&e, &d->c.user);
        else if (vstr_eqc(k, "Labels")) labels_field(d, &e);
    }
}

static void walk_object(struct inspect_dec *d, jval *obj) {
    struct container_event *c = &d->c;
    jiter it;
    jval v;
    vstr k;
    if (!jv_obj_begin(obj, &it)) return;
    while (jv_obj_next(&it, &k, &v)) {
        if (vstr_eqc(k, "Id")) jsonrec_str(&v, &c->id);
        else if (vstr_eqc(k, "Created")) jsonrec_str(&v, &d->f.created);
        else if (vstr_eqc(k, "Path")) str_list_field(&d->mem, &v, &d->f.path);
        else if (vstr_eqc(k, "Args")) str_list_field(&d->mem, &v, &d->f.args);
        else if (vstr_eqc(k, "State")) state_field(d, &v);
        else if (vstr_eqc(k, "Name")) jsonrec_str(&v, &c->name);
        else if (vstr_eqc(k, "ImageName")) jsonrec_str(&v, &d->f.image_name);
        else if (vstr_eqc(k, "HostConfig")) host_config_field(d, &v);
        else if (vstr_eqc(k, "Mounts")) mounts_field(d, &v);
        else if (vstr_eqc(k, "Config")) config_field(d, &v);
        else if (vstr_eqc(k, "RepoTags") || vstr_eqc(k, "RootFS")) d->f.image_marker = true;
    }
}

/* a then b, as one list in the arena, bounded like every list */
static void concat(arena *a, const struct str_list *x, const struct str_list *y, vstr **out, uint32_t *n) {
    uint32_t total = x->n + y->n;
    if (total > JSONREC_MAX_LIST) total = JSONREC_MAX_LIST;
    *n = total;
    if (!total) { *out = NULL; return; }
    *out = arena_alloc(a, total * sizeof **out);
    uint32_t from_x = x->n < total ? x->n : total;
    if (from_x) memcpy(*out, x->v, from_x * sizeof **out);
    if (total > from_x) memcpy(*out + from_x, y->v, (total - from_x) * sizeof **out);
}

/* StartedAt, unless the container never started (Docker and podman then
 * write Go's zero time, 0001-01-01): then Created. */
static bool inspect_time(const struct raw_fields *f, int64_t *t) {
    if (time_parse(f->started_at, t) && *t > 0) return true;
    return time_parse(f->created, t) && *t > 0;
}

static void reject(struct inspect_dec *d, const char *reason) {
    char where[48];
    int n = d->item ? snprintf(where, sizeof where, "array element %" PRIu32, d->item) : 0;
    rejects_add(d->rj, d->input, d->rec.offset, reason, (vstr){ where, n > 0 ? (size_t)n : 0 });
}

/* 1: the walked object is a container, in d->c; whole: it must end the record. */
static int finish_object(struct inspect_dec *d, bool whole, struct event *ev) {
    struct container_event *c = &d->c;
    struct raw_fields *f = &d->f;
    if (jparser_error(d->jp)) {
        rejects_add(d->rj, d->input, d->rec.offset, R_JSON, vstr_c(jparser_errmsg(d->jp)));
        d->state = ST_DONE;             /* the rest of the document is unreadable */
        return 0;
    }
    if (whole && !jparse_at_end(d->jp)) {
        rejects_add(d->rj, d->input, d->rec.offset, R_JSON, VSTR("trailing content after the object"));
        return 0;
    }
    if (f->image_marker && !f->has_host_config && !f->has_state) { d->images_skipped++; return 0; }
    if (!c->id.n) { reject(d, R_NO_ID); return 0; }
    int64_t t;
    if (!inspect_time(f, &t)) { reject(d, R_NO_TIME); return 0; }
    c->type = VSTR("container");
    c->action = VSTR("inspect");
    if (c->name.n && c->name.p[0] == '/') { c->name.p++; c->name.n--; }
    if (!c->image.n) c->image = f->image_name;
    c->cap_add = d->cap_add.v;
    c->n_cap_add = d->cap_add.n;
    c->security_opt = d->security_opt.v;
    c->n_security_opt = d->security_opt.n;
    if (f->entrypoint.n || f->cmd.n) concat(&d->mem, &f->entrypoint, &f->cmd, &c->cmd, &c->n_cmd);
    else concat(&d->mem, &f->path, &f->args, &c->cmd, &c->n_cmd);
    if (c->privileged == 1) d->privileged++;
    memset(ev, 0, sizeof *ev);
    ev->time_us = t;
    ev->layer = LAYER_HOST;
    ev->kind = EV_CONTAINER;
    ev->pos.input = d->input;
    ev->pos.offset = d->rec.offset;
    ev->pos.item = d->item;
    ev->u.container = c;
    d->events++;
    return 1;
}

static void reset_object(struct inspect_dec *d) {
    arena_reset(&d->mem);
    memset(&d->c, 0, sizeof d->c);
    memset(&d->f, 0, sizeof d->f);
    memset(&d->cap_add, 0, sizeof d->cap_add);
    memset(&d->security_opt, 0, sizeof d->security_opt);
    d->cap_attrs = d->cap_mounts = d->cap_devices = 0;
    d->c.source = CONTAINER_SRC_INSPECT;
    d->c.privileged = -1;
    d->c.exit_code = d->c.pid = -1;
}

/* whole: the object is the record, and nothing may follow it */
static int decode_object(struct inspect_dec *d, jval *obj, bool whole, struct event *ev) {
    reset_object(d);
    if (jv_type(obj) != JT_OBJECT) {
        if (jparser_error(d->jp)) return finish_object(d, false, ev);
        reject(d, R_NOT_OBJECT);
        return 0;
    }
    walk_object(d, obj);
    return finish_object(d, whole, ev);
}

/* ---- decoder_ops ------------------------------------------------------------- */

static void *inspect_create(const char *input_name, struct rejects *rj) {
    struct inspect_dec *d = calloc(1, sizeof *d);
    if (!d) abort();
    d->input = input_name;
    d->rj = rj;
    d->jp = jparser_new();
    if (!d->jp) abort();
    arena_init(&d->mem, 8 * 1024);
    return d;
}

static void inspect_destroy(void *self) {
    struct inspect_dec *d = self;
    if (!d) return;
    jparser_free(d->jp);
    arena_free(&d->mem);
    free(d);
}

static void inspect_begin(void *self, const struct record *rec) {
    struct inspect_dec *d = self;
    d->rec = *rec;
    d->item = 0;
    d->state = ST_DONE;
    size_t i = 0;
    while (i < rec->len && (rec->p[i] == ' ' || rec->p[i] == '\t' || rec->p[i] == '\r' || rec->p[i] == '\n')) i++;
    if (i == rec->len) return;
    if (rec->p[i] != '{' && rec->p[i] != '[') {
        rejects_add(d->rj, d->input, rec->offset, R_NOT_OBJECT, (vstr){ rec->p + i, rec->len - i });
        return;
    }
    if (!jparse(d->jp, rec->p, rec->len, rec->cap, &d->root)) {
        rejects_add(d->rj, d->input, rec->offset, R_JSON, vstr_c(jparser_errmsg(d->jp)));
        return;
    }
    if (rec->p[i] == '{') { d->state = ST_SINGLE; return; }
    if (jv_arr_begin(&d->root, &d->list)) d->state = ST_ARRAY;
    else rejects_add(d->rj, d->input, rec->offset, R_JSON, vstr_c(jparser_errmsg(d->jp)));
}

static int inspect_next(void *self, struct event *ev) {
    struct inspect_dec *d = self;
    while (d->state != ST_DONE) {
        if (d->state == ST_SINGLE) {
            d->state = ST_DONE;
            return decode_object(d, &d->root, true, ev);
        }
        jval item;
        if (!jv_arr_next(&d->list, &item)) {
            if (jparser_error(d->jp)) rejects_add(d->rj, d->input, d->rec.offset, R_JSON, vstr_c(jparser_errmsg(d->jp)));
            d->state = ST_DONE;
            return 0;
        }
        d->item++;
        if (decode_object(d, &item, false, ev)) return 1;
    }
    return 0;
}

static uint64_t inspect_events(void *self) { return ((struct inspect_dec *)self)->events; }

static void inspect_report(void *self, buf *out) {
    struct inspect_dec *d = self;
    buf_printf(out, "  docker inspect: %" PRIu64 " containers (%" PRIu64 " privileged)", d->events, d->privileged);
    if (d->images_skipped) buf_printf(out, ", %" PRIu64 " image objects skipped", d->images_skipped);
    buf_puts(out, "\n");
}

/* Container objects name HostConfig beside Id; image objects carry
 * RepoTags and RootFS and nothing of ours, but are still this format. */
static int inspect_sniff(vstr head) {
    size_t i = 0;
    while (i < head.n && (head.p[i] == ' ' || head.p[i] == '\n' || head.p[i] == '\r' || head.p[i] == '\t')) i++;
    if (i == head.n || (head.p[i] != '{' && head.p[i] != '[')) return 0;
    bool id = vstr_contains(head, VSTR("\"Id\""));
    if (id && vstr_contains(head, VSTR("\"HostConfig\""))) return 85;
    if (id && vstr_contains(head, VSTR("\"State\"")) && vstr_contains(head, VSTR("\"GraphDriver\""))) return 70;
    if (id && vstr_contains(head, VSTR("\"RepoTags\"")) && vstr_contains(head, VSTR("\"RootFS\""))) return 60;
    return 0;
}

const struct decoder_ops docker_inspect_decoder = {
    .name = "docker-inspect",
    .description = "docker inspect / podman inspect container objects: privileges, host mounts, devices, command",
    .layer = LAYER_HOST,
    .sniff = inspect_sniff,
    .create = inspect_create,
    .destroy = inspect_destroy,
    .begin = inspect_begin,
    .next = inspect_next,
    .report = inspect_report,
    .events = inspect_events,
};
