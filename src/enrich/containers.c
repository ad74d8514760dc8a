/* The container table: a dense array of entries found through three
 * open-addressing indexes of entry numbers (linear probing, power of two,
 * at most half full):
 *
 *   by id     keyed on the first 12 hex digits, the short id every tool
 *             prints, so a full id and a short one find the same entry;
 *   by name   container names (docker exec web, docker run --name web);
 *   by pid    (host, first process) from docker inspect's State.Pid.
 *
 * Indexes are never deleted from: a renamed container leaves a stale name
 * slot whose lookups fail the comparison. Eviction and a stale-slot bound
 * rebuild all three in one pass, so no tombstones are needed.
 *
 * Each entry owns one heap block holding all its strings; an update builds
 * the new block before freeing the old, since new values may point into
 * it. Containers are created far less often than processes start, so one
 * allocation per change is cheap where it happens.
 *
 * Eviction is by the order we saw containers in (a sequence number), not by
 * event time, which a hostile log can stamp at will; destroyed containers
 * go first. */
#include "enrich/containers.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/runtime_cmd.h"
#include "util/hash.h"
#include "util/timeutil.h"

#define SHORT_ID 12
#define MIN_CAP 64
#define MIN_MAX 4
#define SEED_ID UINT64_C(0x434f4e54)      /* "CONT" */
#define SEED_NAME UINT64_C(0x4e414d45)    /* "NAME" */
#define SEED_PID UINT64_C(0x50494431)     /* "PID1" */
#define INTENT_RUN_CMD 1024               /* bytes of a run command line an intent keeps */
#define INTENT_FIELD 256

/* The strings of an entry, in one order, so one loop can copy them all. */
enum field {
    F_ID, F_HOST, F_NAME, F_IMAGE, F_POD, F_POD_NS, F_K8S_CONTAINER, F_CAPS, F_MOUNTS, F_RUN_CMD, F_COMMAND,
    N_FIELDS
};

struct entry {
    struct container_info info;
    char *blob;                         /* owns every string of info */
    uint64_t seq;                       /* last seen order */
    bool destroyed;
};

struct index {
    uint32_t *slot;                     /* entry number + 1; 0 empty */
    uint32_t mask, used;
};

struct intent_slot {
    struct container_intent it;
    bool used, linked;
    bool privileged, pid_host, net_host, ipc_host, unconfined;
    char host[INTENT_FIELD], image[INTENT_FIELD], name[INTENT_FIELD];
    char caps[INTENT_FIELD], mounts[INTENT_FIELD], cmd[INTENT_RUN_CMD];
    vstr caps_v, mounts_v, cmd_v;
};

struct containers {
    struct containers_options opt;
    struct entry *ent;
    uint32_t n, cap;
    struct index by_id, by_name, by_pid;
    uint64_t next_seq;
    struct intent_slot intents[CONTAINERS_MAX_INTENTS];
    uint32_t next_intent;
    uint64_t *scratch;
    /* for the summary */
    uint64_t seen_events, seen_inspect, created, evicted, cut;
    uint64_t intents_made, intents_linked, intents_unlinked;
    uint64_t attributed[4], processes;
};

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n);
    if (!q) { fputs("vigil: out of memory\n", stderr); abort(); }
    return q;
}

static vstr cut(struct containers *c, vstr s, size_t max) {
    if (s.n > max) { s.n = max; c->cut++; }
    return s;
}

static bool is_hex(vstr s) {
    for (size_t i = 0; i < s.n; i++) {
        char ch = s.p[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F'))) return false;
    }
    return s.n > 0;
}

static bool looks_like_id(vstr s) { return s.n >= SHORT_ID && s.n <= 64 && is_hex(s); }

static uint64_t id_hash(vstr id) {
    char low[SHORT_ID];
    for (int i = 0; i < SHORT_ID; i++) low[i] = (char)(id.p[i] | 0x20);
    return hash_bytes(low, SHORT_ID, SEED_ID);
}

/* By pid alone: an inspect record (no host) must be found from a process
 * that names its host; the host is compared after. */
static uint64_t pid_hash(int64_t pid) {
    return hash_mix(SEED_PID ^ ((uint64_t)pid * UINT64_C(0x9e3779b97f4a7c15)));
}

/* ---- indexes ------------------------------------------------------------ */

static void index_init(struct index *x, uint32_t cap) {
    x->slot = xrealloc(NULL, (size_t)cap * sizeof *x->slot);
    memset(x->slot, 0, (size_t)cap * sizeof *x->slot);
    x->mask = cap - 1;
    x->used = 0;
}

static void index_put(struct index *x, uint64_t h, uint32_t entry_no) {
    uint32_t i = (uint32_t)h & x->mask;
    while (x->slot[i]) i = (i + 1) & x->mask;
    x->slot[i] = entry_no + 1;
    x->used++;
}

static void index_entry(struct containers *c, uint32_t no) {
    const struct container_info *in = &c->ent[no].info;
    if (looks_like_id(in->id)) index_put(&c->by_id, id_hash(in->id), no);
    if (in->name.n) index_put(&c->by_name, hash_vstr(in->name, SEED_NAME), no);
    if (in->init_pid > 0) index_put(&c->by_pid, pid_hash(in->init_pid), no);
}

static void rebuild_indexes(struct containers *c) {
    uint32_t cap = MIN_CAP;
    while (cap < c->cap * 2u) cap *= 2;
    free(c->by_id.slot);
    free(c->by_name.slot);
    free(c->by_pid.slot);
    index_init(&c->by_id, cap);
    index_init(&c->by_name, cap);
    index_init(&c->by_pid, cap);
    for (uint32_t i = 0; i < c->n; i++) index_entry(c, i);
}

/* Stale name and pid slots accumulate with renames and restarts; keep
 * every index at most half full counting them. */
static void index_room(struct containers *c) {
    uint32_t half = (c->by_id.mask + 1) / 2;
    if (c->by_id.used >= half || c->by_name.used >= half || c->by_pid.used >= half) rebuild_indexes(c);
}

/* ---- entries ------------------------------------------------------------ */

static vstr *field_of(struct container_info *in, enum field f) {
    switch (f) {
    case F_ID: return &in->id;
    case F_HOST: return &in->host;
    case F_NAME: return &in->name;
    case F_IMAGE: return &in->image;
    case F_POD: return &in->pod_name;
    case F_POD_NS: return &in->pod_namespace;
    case F_K8S_CONTAINER: return &in->k8s_container;
    case F_CAPS: return &in->cap_add;
    case F_MOUNTS: return &in->host_mounts;
    case F_RUN_CMD: return &in->run_command_line;
    case F_COMMAND: return &in->command;
    case N_FIELDS: break;
    }
    return NULL;
}

/* Give e the strings in v (which may point into e's own block). */
static void entry_set(struct containers *c, struct entry *e, vstr v[N_FIELDS]) {
    size_t total = 0;
    for (int f = 0; f < N_FIELDS; f++) {
        size_t max = f == F_RUN_CMD || f == F_COMMAND ? PROCTREE_MAX_COMMAND_LINE : CONTAINERS_MAX_FIELD;
        v[f] = cut(c, v[f], max);
        total += v[f].n;
    }
    char *blob = total ? xrealloc(NULL, total) : NULL, *w = blob;
    for (int f = 0; f < N_FIELDS; f++) {
        if (v[f].n) memcpy(w, v[f].p, v[f].n);
        *field_of(&e->info, (enum field)f) = (vstr){ v[f].n ? w : "", v[f].n };
        w += v[f].n;
    }
    free(e->blob);
    e->blob = blob;
}

static void entry_strings(struct entry *e, vstr v[N_FIELDS]) {
    for (int f = 0; f < N_FIELDS; f++) v[f] = *field_of(&e->info, (enum field)f);
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Destroyed containers rank before live ones, then by when last seen. */
static uint64_t evict_rank(const struct entry *e) { return e->seq | (e->destroyed ? 0 : UINT64_C(1) << 62); }

static void evict_quarter(struct containers *c) {
    for (uint32_t i = 0; i < c->n; i++) c->scratch[i] = evict_rank(&c->ent[i]);
    qsort(c->scratch, c->n, sizeof *c->scratch, cmp_u64);
    uint64_t limit = c->scratch[c->n / 4];
    uint32_t w = 0;
    for (uint32_t i = 0; i < c->n; i++) {
        if (evict_rank(&c->ent[i]) < limit) {
            free(c->ent[i].blob);
            c->evicted++;
            continue;
        }
        c->ent[w++] = c->ent[i];
    }
    c->n = w;
    rebuild_indexes(c);
}

static struct entry *entry_new(struct containers *c, const struct event *ev) {
    if (c->n >= c->opt.max_containers) evict_quarter(c);
    if (c->n == c->cap) {
        c->cap *= 2;
        c->ent = xrealloc(c->ent, (size_t)c->cap * sizeof *c->ent);
        c->scratch = xrealloc(c->scratch, (size_t)c->cap * sizeof *c->scratch);
        rebuild_indexes(c);
    }
    struct entry *e = &c->ent[c->n++];
    memset(e, 0, sizeof *e);
    e->info.init_pid = -1;
    e->info.created_us = e->info.started_us = e->info.died_us = -1;
    e->info.first_pos = ev->pos;
    e->seq = c->next_seq++;
    c->created++;
    return e;
}

/* ---- lookups ------------------------------------------------------------ */

static bool id_matches(vstr have, vstr want) {
    size_t n = have.n < want.n ? have.n : want.n;
    if (n < SHORT_ID) return false;
    for (size_t i = 0; i < n; i++)
        if ((have.p[i] | 0x20) != (want.p[i] | 0x20)) return false;
    return true;
}

static bool host_matches(vstr a, vstr b) { return !a.n || !b.n || vstr_eq(a, b); }

static struct entry *find_by_id(struct containers *c, vstr id) {
    if (!looks_like_id(id)) return NULL;
    struct index *x = &c->by_id;
    for (uint32_t i = (uint32_t)id_hash(id) & x->mask; x->slot[i]; i = (i + 1) & x->mask) {
        struct entry *e = &c->ent[x->slot[i] - 1];
        if (id_matches(e->info.id, id)) return e;
    }
    return NULL;
}

static struct entry *find_by_name(struct containers *c, vstr host, vstr name) {
    if (!name.n) return NULL;
    struct index *x = &c->by_name;
    struct entry *best = NULL;
    for (uint32_t i = (uint32_t)hash_vstr(name, SEED_NAME) & x->mask; x->slot[i]; i = (i + 1) & x->mask) {
        struct entry *e = &c->ent[x->slot[i] - 1];
        if (!vstr_eq(e->info.name, name) || !host_matches(e->info.host, host)) continue;
        /* a name is reused after the old container is removed: the newest wins */
        if (!best || e->seq > best->seq) best = e;
    }
    return best;
}

static struct entry *find_by_pid(struct containers *c, vstr host, int64_t pid) {
    if (pid <= 0) return NULL;
    struct index *x = &c->by_pid;
    struct entry *best = NULL;
    for (uint32_t i = (uint32_t)pid_hash(pid) & x->mask; x->slot[i]; i = (i + 1) & x->mask) {
        struct entry *e = &c->ent[x->slot[i] - 1];
        /* an inspect snapshot names no host; a process usually does */
        if (e->info.init_pid != pid || !host_matches(e->info.host, host) || e->destroyed) continue;
        if (!best || e->seq > best->seq) best = e;
    }
    return best;
}

struct container_info *containers_find(struct containers *c, vstr host, vstr id_or_name) {
    struct entry *e = find_by_id(c, id_or_name);
    if (!e) e = find_by_name(c, host, id_or_name);
    return e ? &e->info : NULL;
}

/* ---- intents: docker run/create command lines ---------------------------- */

static vstr copy_into(char *dst, size_t cap, vstr s) {
    size_t n = s.n < cap ? s.n : cap;
    if (n) memcpy(dst, s.p, n);
    return (vstr){ dst, n };
}

/* Append "a,b,c" pieces into a fixed buffer, cutting at its end. */
static size_t join_piece(char *dst, size_t cap, size_t at, vstr piece) {
    if (at && at < cap) dst[at++] = ',';
    size_t n = piece.n < cap - at ? piece.n : cap - at;
    if (n) memcpy(dst + at, piece.p, n);
    return at + n;
}

static vstr join_caps(char *dst, size_t cap, const struct runtime_cmd *rc) {
    size_t at = 0;
    if (rc->cap_add_all) at = join_piece(dst, cap, at, VSTR("ALL"));
    for (uint32_t i = 0; i < rc->n_cap_add; i++) at = join_piece(dst, cap, at, rc->cap_add[i]);
    return (vstr){ dst, at };
}

static vstr join_mounts(char *dst, size_t cap, const struct container_mount *m, uint32_t n) {
    size_t at = 0;
    for (uint32_t i = 0; i < n && at < cap; i++) {
        at = join_piece(dst, cap, at, m[i].source);
        if (!m[i].destination.n || at >= cap) continue;
        dst[at++] = ':';
        size_t k = m[i].destination.n < cap - at ? m[i].destination.n : cap - at;
        memcpy(dst + at, m[i].destination.p, k);
        at += k;
    }
    return (vstr){ dst, at };
}

static void record_intent(struct containers *c, const struct event *ev, const struct runtime_cmd *rc) {
    const struct proc_exec *p = ev->u.proc;
    struct intent_slot *s = &c->intents[c->next_intent++ % CONTAINERS_MAX_INTENTS];
    if (s->used && !s->linked) c->intents_unlinked++;
    memset(s, 0, sizeof *s);
    s->used = true;
    s->it.host = copy_into(s->host, sizeof s->host, p->host);
    s->it.image = copy_into(s->image, sizeof s->image, rc->image);
    s->it.name = copy_into(s->name, sizeof s->name, rc->name);
    s->it.time_us = ev->time_us;
    s->it.pid = p->pid;
    s->it.pos = ev->pos;
    s->privileged = rc->privileged;
    s->pid_host = rc->pid_host;
    s->net_host = rc->net_host;
    s->ipc_host = rc->ipc_host;
    s->unconfined = rc->unconfined;
    s->caps_v = join_caps(s->caps, sizeof s->caps, rc);
    s->mounts_v = join_mounts(s->mounts, sizeof s->mounts, rc->mounts, rc->n_mounts);
    s->cmd_v = copy_into(s->cmd, sizeof s->cmd, p->command_line);
    c->intents_made++;
}

struct container_intent *containers_intent_of(struct containers *c, const struct event *proc_ev) {
    if (proc_ev->kind != EV_PROC_EXEC) return NULL;
    const struct proc_exec *p = proc_ev->u.proc;
    for (uint32_t k = 1; k <= CONTAINERS_MAX_INTENTS; k++) {
        struct intent_slot *s = &c->intents[(c->next_intent - k) % CONTAINERS_MAX_INTENTS];
        if (!s->used) break;
        if (s->it.pid == p->pid && s->it.time_us == proc_ev->time_us && vstr_eq(s->it.host, p->host))
            return &s->it;
    }
    return NULL;
}

/* The same image as written two ways: docker.io/library/nginx:latest and
 * nginx name one image. */
static bool same_image(vstr a, vstr b) {
    const char *ra, *rb;
    size_t na, nb;
    image_repository(a.p, a.n, &ra, &na);
    image_repository(b.p, b.n, &rb, &nb);
    if (na != nb || memcmp(ra, rb, na) != 0) return false;
    vstr ta = { ra + na, (size_t)(a.p + a.n - (ra + na)) }, tb = { rb + nb, (size_t)(b.p + b.n - (rb + nb)) };
    if (!ta.n) ta = VSTR(":latest");
    if (!tb.n) tb = VSTR(":latest");
    return vstr_eq(ta, tb);
}

static struct intent_slot *matching_intent(struct containers *c, const struct event *ev, const struct entry *e) {
    for (uint32_t k = 1; k <= CONTAINERS_MAX_INTENTS; k++) {
        struct intent_slot *s = &c->intents[(c->next_intent - k) % CONTAINERS_MAX_INTENTS];
        if (!s->used) break;
        if (s->linked) continue;
        int64_t age = ev->time_us - s->it.time_us;
        if (age < -US_PER_SEC || age > c->opt.link_window_us) continue;
        if (!host_matches(s->it.host, e->info.host)) continue;
        if (!e->info.image.n || !same_image(s->it.image, e->info.image)) continue;
        if (s->it.name.n && !vstr_eq(s->it.name, e->info.name)) continue;
        return s;
    }
    return NULL;
}

static void link_intent(struct containers *c, struct entry *e, struct intent_slot *s) {
    s->linked = true;
    c->intents_linked++;
    e->info.flags |= s->it.flags;
    vstr v[N_FIELDS];
    entry_strings(e, v);
    v[F_RUN_CMD] = s->cmd_v;
    if (!v[F_HOST].n) v[F_HOST] = s->it.host;
    if (e->info.priv_from != CONTAINER_PRIV_INSPECT) {
        e->info.priv_from = CONTAINER_PRIV_RUN_COMMAND;
        e->info.priv_pos = s->it.pos;
        e->info.privileged = s->privileged;
        e->info.pid_host = s->pid_host;
        e->info.net_host = s->net_host;
        e->info.ipc_host = s->ipc_host;
        e->info.unconfined = s->unconfined;
        v[F_CAPS] = s->caps_v;
        v[F_MOUNTS] = s->mounts_v;
    }
    entry_set(c, e, v);
}

/* ---- learning from events ------------------------------------------------- */

static bool is_host_mode(vstr mode) { return vstr_eqc(mode, "host"); }

static vstr join_list(char *dst, size_t cap, const vstr *v, uint32_t n) {
    size_t at = 0;
    for (uint32_t i = 0; i < n && at < cap; i++) at = join_piece(dst, cap, at, v[i]);
    return (vstr){ dst, at };
}

static bool opt_unconfined(const vstr *opts, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        vstr o = opts[i];
        if (vstr_contains_ci(o, VSTR("unconfined")) || vstr_contains_ci(o, VSTR("label=disable")) ||
            vstr_contains_ci(o, VSTR("label:disable")))
            return true;
    }
    return false;
}

static void apply_inspect(struct containers *c, struct entry *e, const struct container_event *ce,
                          const struct event *ev, vstr v[N_FIELDS], char *caps, char *mounts, char *command) {
    c->seen_inspect++;
    e->info.priv_from = CONTAINER_PRIV_INSPECT;
    e->info.priv_pos = ev->pos;
    e->info.privileged = ce->privileged == 1;
    e->info.pid_host = is_host_mode(ce->pid_mode);
    e->info.net_host = is_host_mode(ce->network_mode);
    e->info.ipc_host = is_host_mode(ce->ipc_mode);
    e->info.unconfined = opt_unconfined(ce->security_opt, ce->n_security_opt);
    v[F_CAPS] = join_list(caps, CONTAINERS_MAX_FIELD, ce->cap_add, ce->n_cap_add);
    v[F_MOUNTS] = join_mounts(mounts, CONTAINERS_MAX_FIELD, ce->mounts, ce->n_mounts);
    v[F_COMMAND] = join_list(command, PROCTREE_MAX_COMMAND_LINE, ce->cmd, ce->n_cmd);
    for (char *p = command; p < command + v[F_COMMAND].n; p++)
        if (*p == ',') *p = ' ';
    if (ce->pid >= 0) e->info.init_pid = ce->pid;
    if (ev->time_us && e->info.started_us < 0) e->info.started_us = ev->time_us;
}

static void apply_lifecycle(struct entry *e, const struct container_event *ce, const struct event *ev) {
    vstr a = ce->action;
    if (vstr_eqc(a, "create") && e->info.created_us < 0) e->info.created_us = ev->time_us;
    else if (vstr_eqc(a, "start") || vstr_eqc(a, "restart")) {
        e->info.started_us = ev->time_us;
        e->info.died_us = -1;
        e->destroyed = false;
    } else if (vstr_eqc(a, "die") || vstr_eqc(a, "kill") || vstr_eqc(a, "stop")) {
        if (vstr_eqc(a, "die")) e->info.died_us = ev->time_us;
    } else if (vstr_eqc(a, "destroy")) {
        e->destroyed = true;
        if (e->info.died_us < 0) e->info.died_us = ev->time_us;
    }
}

static void observe_container(struct containers *c, const struct event *ev) {
    const struct container_event *ce = ev->u.container;
    if (!vstr_eqc(ce->type, "container") || !looks_like_id(ce->id)) return;
    c->seen_events++;
    struct entry *e = find_by_id(c, ce->id);
    if (!e) e = entry_new(c, ev);
    e->seq = c->next_seq++;
    vstr v[N_FIELDS];
    entry_strings(e, v);
    if (ce->id.n > v[F_ID].n) v[F_ID] = ce->id;        /* a full id replaces a short one */
    if (ce->host.n) v[F_HOST] = ce->host;
    if (ce->name.n) v[F_NAME] = ce->name;
    if (ce->image.n) v[F_IMAGE] = ce->image;
    if (ce->pod_name.n) v[F_POD] = ce->pod_name;
    if (ce->pod_namespace.n) v[F_POD_NS] = ce->pod_namespace;
    if (ce->k8s_container.n) v[F_K8S_CONTAINER] = ce->k8s_container;
    char caps[CONTAINERS_MAX_FIELD], mounts[CONTAINERS_MAX_FIELD], command[PROCTREE_MAX_COMMAND_LINE];
    if (ce->source == CONTAINER_SRC_INSPECT) apply_inspect(c, e, ce, ev, v, caps, mounts, command);
    else apply_lifecycle(e, ce, ev);
    entry_set(c, e, v);
    /* the name and pid may be new: index them (old slots go stale) */
    index_room(c);
    index_entry(c, (uint32_t)(e - c->ent));
    if (e->info.run_command_line.n == 0) {
        struct intent_slot *s = matching_intent(c, ev, e);
        if (s) link_intent(c, e, s);
    }
}

/* ECS process events may name their container: register it so a later
 * lookup by id finds the image and name. */
static void observe_process_container(struct containers *c, const struct event *ev) {
    const struct proc_exec *p = ev->u.proc;
    if (!looks_like_id(p->container_id) || (!p->container_image.n && !p->container_name.n)) return;
    struct entry *e = find_by_id(c, p->container_id);
    if (e && e->info.image.n && e->info.name.n) return;
    if (!e) e = entry_new(c, ev);
    vstr v[N_FIELDS];
    entry_strings(e, v);
    if (p->container_id.n > v[F_ID].n) v[F_ID] = p->container_id;
    if (!v[F_HOST].n) v[F_HOST] = p->host;
    if (!v[F_IMAGE].n) v[F_IMAGE] = p->container_image;
    if (!v[F_NAME].n) v[F_NAME] = p->container_name;
    entry_set(c, e, v);
    index_room(c);
    index_entry(c, (uint32_t)(e - c->ent));
}

void containers_observe(struct containers *c, const struct event *ev) {
    if (ev->kind == EV_CONTAINER) {
        observe_container(c, ev);
        return;
    }
    if (ev->kind != EV_PROC_EXEC || ev->u.proc->fork) return;
    observe_process_container(c, ev);
    struct runtime_cmd rc;
    const struct proc_exec *p = ev->u.proc;
    if (runtime_cmd_parse(p->argv, p->argc, &rc) &&
        (rc.verb == RUNTIME_VERB_RUN || rc.verb == RUNTIME_VERB_CREATE) && rc.image.n)
        record_intent(c, ev, &rc);
}

/* ---- attribution -------------------------------------------------------- */

static bool is_runtime(const struct containers *c, vstr name) {
    return name.n && strlist_has(c->opt.runtime_processes, name.p, name.n);
}

static vstr node_name(const struct proc_node *n) { return n->name.n ? n->name : vstr_basename(n->exe); }

bool containers_attribute(struct containers *c, const struct proctree *t, const struct proc_exec *p,
                          struct container_attr *out) {
    memset(out, 0, sizeof *out);
    out->runtime_at = -1;
    c->processes++;
    if (p->ppid > 0) out->n_chain = proctree_ancestors(t, p->host, p->ppid, out->chain, CONTAINERS_MAX_CHAIN);
    vstr self = p->name.n ? p->name : vstr_basename(p->exe);
    if (p->container_id.n) {
        out->how = CONTAINER_HOW_EVENT;
        out->id = p->container_id;
    } else if (!is_runtime(c, self)) {
        for (unsigned i = 0; i < out->n_chain; i++) {
            const struct proc_node *a = out->chain[i];
            if (a->container_id.n && out->how == CONTAINER_HOW_NONE) {
                out->how = CONTAINER_HOW_EVENT;
                out->id = a->container_id;
                break;
            }
            if (!is_runtime(c, node_name(a))) continue;
            if (out->runtime_at < 0) {
                out->how = CONTAINER_HOW_ANCESTRY;
                out->runtime_at = (int)i;
            }
            /* runc exec's line may not name the container; the shim above it does */
            if (containers_id_from_runtime_cmdline(NULL, 0, a->command_line, &out->id)) break;
        }
    }
    if (out->how == CONTAINER_HOW_NONE) {
        struct entry *e = find_by_pid(c, p->host, p->pid);
        for (unsigned i = 0; !e && i < out->n_chain; i++) e = find_by_pid(c, p->host, out->chain[i]->pid);
        if (e) {
            out->how = CONTAINER_HOW_INIT_PID;
            out->id = e->info.id;
            out->info = &e->info;
        }
    }
    if (out->id.n && !out->info) {
        struct entry *e = find_by_id(c, out->id);
        if (e) out->info = &e->info;
    }
    /* docker events and inspect name no host; the processes in the
     * container do (auditd node=, ECS host.name) */
    if (out->info && !out->info->host.n && p->host.n) {
        struct entry *e = (struct entry *)((char *)out->info - offsetof(struct entry, info));
        vstr v[N_FIELDS];
        entry_strings(e, v);
        v[F_HOST] = p->host;
        entry_set(c, e, v);
    }
    c->attributed[out->how]++;
    return out->how != CONTAINER_HOW_NONE;
}

/* ---- ids in text ---------------------------------------------------------- */

static bool hex_run_at(const char *s, size_t n, size_t i) {
    if (i + 64 > n) return false;
    if (!is_hex((vstr){ s + i, 64 })) return false;
    return i + 64 == n || !is_hex((vstr){ s + i + 64, 1 });
}

static bool is_boundary(char ch, const char *allowed) { return strchr(allowed, ch) != NULL; }

/* The first run of exactly 64 hex digits bounded by one of the given
 * characters (or the ends) on both sides. */
static bool find_hex64(vstr s, const char *before, const char *after, vstr *id) {
    for (size_t i = 0; i + 64 <= s.n; i++) {
        if (i > 0 && !is_boundary(s.p[i - 1], before)) continue;
        if (!hex_run_at(s.p, s.n, i)) continue;
        if (i + 64 < s.n && !is_boundary(s.p[i + 64], after)) continue;
        *id = (vstr){ s.p + i, 64 };
        return true;
    }
    return false;
}

bool containers_id_from_cgroup(vstr cgroup, vstr *id) {
    /* /docker/<id>, docker-<id>.scope, cri-containerd-<id>.scope, crio-<id>,
     * libpod-<id>.scope, /kubepods/.../<id> */
    return find_hex64(cgroup, "/-:", "/.\n", id);
}

/* A word's value after a flag: "-id X", "--id=X". */
static bool flag_value(vstr w, vstr next, const char *flag, vstr *value) {
    size_t fl = strlen(flag);
    if (w.n == fl && memcmp(w.p, flag, fl) == 0) { *value = next; return next.n > 0; }
    if (w.n > fl + 1 && memcmp(w.p, flag, fl) == 0 && w.p[fl] == '=') {
        *value = (vstr){ w.p + fl + 1, w.n - fl - 1 };
        return true;
    }
    return false;
}

static bool id_from_words(const vstr *w, uint32_t n, vstr *id) {
    static const char *const flags[] = { "-id", "--id", "-c", "--cid", "--container-id" };
    static const char *const dirs[] = { "-workdir", "--workdir", "--bundle", "-bundle", "-b" };
    for (uint32_t i = 0; i < n; i++) {
        vstr next = i + 1 < n ? w[i + 1] : VSTR_NULL, v;
        for (size_t f = 0; f < sizeof flags / sizeof flags[0]; f++)
            if (flag_value(w[i], next, flags[f], &v) && looks_like_id(v)) { *id = v; return true; }
        for (size_t f = 0; f < sizeof dirs / sizeof dirs[0]; f++)
            if (flag_value(w[i], next, dirs[f], &v)) {
                vstr last = vstr_basename(v);
                if (looks_like_id(last)) { *id = last; return true; }
            }
    }
    for (uint32_t i = 0; i < n; i++)
        if (find_hex64(w[i], " /=", " /", id)) return true;
    return false;
}

bool containers_id_from_runtime_cmdline(const vstr *argv, uint32_t argc, vstr command_line, vstr *id) {
    if (argc) return id_from_words(argv, argc, id);
    /* Only the joined line is known (the process tree keeps that): split on
     * spaces; runtime command lines carry no quoted words. */
    vstr words[64];
    uint32_t n = 0;
    for (size_t i = 0; i < command_line.n && n < 64;) {
        while (i < command_line.n && command_line.p[i] == ' ') i++;
        size_t j = i;
        while (j < command_line.n && command_line.p[j] != ' ') j++;
        if (j > i) words[n++] = (vstr){ command_line.p + i, j - i };
        i = j;
    }
    return id_from_words(words, n, id);
}

/* ---- life cycle and summary ------------------------------------------------ */

struct containers *containers_new(const struct containers_options *opt) {
    struct containers *c = xrealloc(NULL, sizeof *c);
    memset(c, 0, sizeof *c);
    c->opt = *opt;
    if (c->opt.max_containers < MIN_MAX) c->opt.max_containers = MIN_MAX;
    c->cap = MIN_CAP;
    c->ent = xrealloc(NULL, (size_t)c->cap * sizeof *c->ent);
    c->scratch = xrealloc(NULL, (size_t)c->cap * sizeof *c->scratch);
    rebuild_indexes(c);
    return c;
}

void containers_free(struct containers *c) {
    if (!c) return;
    for (uint32_t i = 0; i < c->n; i++) free(c->ent[i].blob);
    free(c->ent);
    free(c->scratch);
    free(c->by_id.slot);
    free(c->by_name.slot);
    free(c->by_pid.slot);
    free(c);
}

void containers_report(const struct containers *c, buf *out) {
    uint32_t with_priv = 0;
    for (uint32_t i = 0; i < c->n; i++) with_priv += c->ent[i].info.priv_from != CONTAINER_PRIV_UNKNOWN;
    uint64_t unlinked = c->intents_unlinked;
    for (uint32_t i = 0; i < CONTAINERS_MAX_INTENTS; i++) unlinked += c->intents[i].used && !c->intents[i].linked;
    buf_printf(out, "  containers: %u known (%u with known privileges), %" PRIu64 " evicted; %" PRIu64
                    " container events, %" PRIu64 " inspect records\n",
               c->n, with_priv, c->evicted, c->seen_events, c->seen_inspect);
    if (c->intents_made)
        buf_printf(out, "  container run commands: %" PRIu64 " seen, %" PRIu64 " linked to their container, %" PRIu64
                        " not (no container event for them within the link window)\n",
                   c->intents_made, c->intents_linked, unlinked);
    if (c->processes)
        buf_printf(out, "  processes in containers: %" PRIu64 " of %" PRIu64 " (container id in the event %" PRIu64
                        ", runtime ancestry %" PRIu64 ", first-process pid %" PRIu64 ")\n",
                   c->attributed[1] + c->attributed[2] + c->attributed[3], c->processes, c->attributed[1],
                   c->attributed[2], c->attributed[3]);
    if (c->cut) buf_printf(out, "  container strings cut at their bound: %" PRIu64 "\n", c->cut);
}
