/* The process tree: a dense array of entries, found through an
 * open-addressing index of entry numbers (linear probing, power of two, at
 * most half full). Entries never move between observations except when a
 * batch is evicted or the array grows, and then the index is rebuilt in one
 * pass, so no tombstones or backward shifts are needed.
 *
 * Strings live in one arena. An exec that replaces a pid leaves its old
 * strings behind as garbage; eviction and a garbage bound (more dead than
 * live bytes) copy the survivors into a fresh arena, so the arena stays
 * within about twice the live strings whatever the input does.
 *
 * Eviction is by start order (a sequence number, bumped on every exec), not
 * by time: event times can come out of order and a hostile log can stamp
 * anything, but the order we saw the execs in is ours. */
#include "enrich/proctree.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/hash.h"

#define PROCTREE_HASH_SEED UINT64_C(0x50524f43)   /* "PROC" */
#define PROCTREE_MIN_CAP 64
#define PROCTREE_MIN_MAX 4
#define PROCTREE_ARENA_BLOCK (256 * 1024)
#define PROCTREE_GARBAGE_FLOOR (1u << 20)          /* don't compact for less */

struct entry {
    struct proc_node node;
    vstr host;
    uint64_t hash;
    uint64_t seq;                       /* start order: lower was exec'd earlier */
    size_t bytes;                       /* arena bytes its strings take */
};

struct proctree {
    struct entry *ent;
    uint32_t n, cap, max;
    uint32_t *index;                    /* entry number + 1; 0 empty */
    uint32_t mask;
    uint64_t *scratch;                  /* cap sequence numbers, for eviction */
    arena strings;
    size_t live_bytes, dead_bytes;
    uint64_t next_seq;
    /* for the summary */
    uint64_t execs, parents_learnt, replaced, evicted, cut, no_pid, compactions;
};

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n);
    if (!q) { fputs("vigil: out of memory\n", stderr); abort(); }
    return q;
}

static uint64_t host_hash(vstr host) { return hash_vstr(host, PROCTREE_HASH_SEED); }

static uint64_t key_hash(uint64_t hh, int64_t pid) {
    return hash_mix(hh ^ ((uint64_t)pid * UINT64_C(0x9e3779b97f4a7c15)));
}

/* ---- index ------------------------------------------------------------- */

static bool entry_is(const struct entry *e, uint64_t h, vstr host, int64_t pid) {
    return e->hash == h && e->node.pid == pid && vstr_eq(e->host, host);
}

static struct entry *lookup(const struct proctree *t, uint64_t h, vstr host, int64_t pid) {
    for (uint32_t i = (uint32_t)h & t->mask;; i = (i + 1) & t->mask) {
        uint32_t slot = t->index[i];
        if (!slot) return NULL;
        if (entry_is(&t->ent[slot - 1], h, host, pid)) return &t->ent[slot - 1];
    }
}

static void index_put(struct proctree *t, uint32_t entry_no) {
    uint32_t i = (uint32_t)t->ent[entry_no].hash & t->mask;
    while (t->index[i]) i = (i + 1) & t->mask;
    t->index[i] = entry_no + 1;
}

static void index_rebuild(struct proctree *t) {
    memset(t->index, 0, ((size_t)t->mask + 1) * sizeof *t->index);
    for (uint32_t k = 0; k < t->n; k++) index_put(t, k);
}

/* Room for cap entries, the index at most half full. */
static void resize(struct proctree *t, uint32_t cap) {
    size_t slots = 1;
    while (slots < (size_t)cap * 2) slots <<= 1;
    t->ent = xrealloc(t->ent, (size_t)cap * sizeof *t->ent);
    t->scratch = xrealloc(t->scratch, (size_t)cap * sizeof *t->scratch);
    t->index = xrealloc(t->index, slots * sizeof *t->index);
    t->cap = cap;
    t->mask = (uint32_t)(slots - 1);
    index_rebuild(t);
}

/* ---- strings ------------------------------------------------------------ */

/* Where to cut s so that it and the mark fit in limit bytes: never inside
 * a UTF-8 sequence, so the evidence stays valid text. */
static size_t cut_point(vstr s, size_t limit) {
    size_t keep = limit - (sizeof PROCTREE_CUT_MARK - 1);
    while (keep > 0 && ((unsigned char)s.p[keep] & 0xC0) == 0x80) keep--;
    return keep;
}

static vstr copy_capped(struct proctree *t, vstr s, size_t limit) {
    if (s.n == 0) return (vstr){ "", 0 };
    if (s.n <= limit) {
        t->live_bytes += s.n + 1;
        return arena_dup(&t->strings, s);
    }
    size_t keep = cut_point(s, limit);
    size_t n = keep + sizeof PROCTREE_CUT_MARK - 1;
    char *p = arena_alloc(&t->strings, n + 1);
    memcpy(p, s.p, keep);
    memcpy(p + keep, PROCTREE_CUT_MARK, sizeof PROCTREE_CUT_MARK);
    t->live_bytes += n + 1;
    t->cut++;
    return (vstr){ p, n };
}

/* Copy the strings of e (which point anywhere) into the tree's arena. */
static void own_strings(struct proctree *t, struct entry *e) {
    size_t before = t->live_bytes;
    e->host = copy_capped(t, e->host, PROCTREE_MAX_FIELD);
    e->node.exe = copy_capped(t, e->node.exe, PROCTREE_MAX_FIELD);
    e->node.name = copy_capped(t, e->node.name, PROCTREE_MAX_FIELD);
    e->node.command_line = copy_capped(t, e->node.command_line, PROCTREE_MAX_COMMAND_LINE);
    e->node.user = copy_capped(t, e->node.user, PROCTREE_MAX_FIELD);
    e->node.container_id = copy_capped(t, e->node.container_id, PROCTREE_MAX_FIELD);
    e->bytes = t->live_bytes - before;
}

/* Copy every entry's strings into a fresh arena and drop the old one. The
 * cut counter is not touched: strings already cut fit their bound. */
static void compact_strings(struct proctree *t) {
    arena old = t->strings;
    uint64_t cut = t->cut;
    arena_init(&t->strings, PROCTREE_ARENA_BLOCK);
    t->live_bytes = 0;
    t->dead_bytes = 0;
    for (uint32_t k = 0; k < t->n; k++) own_strings(t, &t->ent[k]);
    t->cut = cut;
    arena_free(&old);
    t->compactions++;
}

/* ---- eviction ----------------------------------------------------------- */

static void swap_u64(uint64_t *a, uint64_t *b) { uint64_t x = *a; *a = *b; *b = x; }

/* Rearrange v so that v[k] is the k-th smallest (Hoare's selection). */
static void select_kth(uint64_t *v, size_t n, size_t k) {
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        swap_u64(&v[lo + (hi - lo) / 2], &v[hi]);
        uint64_t pivot = v[hi];
        size_t store = lo;
        for (size_t i = lo; i < hi; i++)
            if (v[i] < pivot) swap_u64(&v[i], &v[store++]);
        swap_u64(&v[store], &v[hi]);
        if (store == k) return;
        if (store < k) lo = store + 1;
        else hi = store - 1;
    }
}

/* Drop the quarter of the entries exec'd longest ago (sequence numbers are
 * unique, so exactly that many go). */
static void evict_oldest_quarter(struct proctree *t) {
    uint32_t k = t->n / 4 ? t->n / 4 : 1;
    for (uint32_t i = 0; i < t->n; i++) t->scratch[i] = t->ent[i].seq;
    select_kth(t->scratch, t->n, k - 1);
    uint64_t last_evicted = t->scratch[k - 1];
    uint32_t kept = 0;
    for (uint32_t i = 0; i < t->n; i++) {
        if (t->ent[i].seq <= last_evicted) continue;
        t->ent[kept++] = t->ent[i];
    }
    t->evicted += t->n - kept;
    t->n = kept;
    index_rebuild(t);
    compact_strings(t);
}

/* ---- public ------------------------------------------------------------- */

struct proctree *proctree_new(uint32_t max_procs) {
    struct proctree *t = calloc(1, sizeof *t);
    if (!t) { fputs("vigil: out of memory\n", stderr); abort(); }
    t->max = max_procs < PROCTREE_MIN_MAX ? PROCTREE_MIN_MAX : max_procs;
    arena_init(&t->strings, PROCTREE_ARENA_BLOCK);
    resize(t, t->max < PROCTREE_MIN_CAP ? t->max : PROCTREE_MIN_CAP);
    return t;
}

void proctree_free(struct proctree *t) {
    if (!t) return;
    arena_free(&t->strings);
    free(t->ent);
    free(t->index);
    free(t->scratch);
    free(t);
}

/* A new entry for (host, pid), made room for by eviction or growth. */
static struct entry *add_entry(struct proctree *t, uint64_t h, vstr host, int64_t pid) {
    if (t->n == t->max) evict_oldest_quarter(t);
    if (t->n == t->cap) resize(t, t->cap > t->max / 2 ? t->max : t->cap * 2);
    struct entry *e = &t->ent[t->n];
    *e = (struct entry){ .host = host, .hash = h, .node = { .pid = pid } };
    index_put(t, t->n++);
    return e;
}

/* Fill e from a node whose strings point anywhere, and copy them in. */
static void set_entry(struct proctree *t, struct entry *e, const struct proc_node *from) {
    vstr host = e->host;
    t->live_bytes -= e->bytes;
    t->dead_bytes += e->bytes;
    e->node = *from;
    e->host = host;
    e->seq = t->next_seq++;
    own_strings(t, e);
}

/* The parent as the child's ECS fields describe it, when they do. */
static bool ecs_parent(const struct proc_exec *pe, int64_t ppid, int64_t time_us, struct proc_node *out) {
    if (ppid <= 0 || (vstr_empty(pe->parent_exe) && vstr_empty(pe->parent_name) &&
                      vstr_empty(pe->parent_command_line)))
        return false;
    *out = (struct proc_node){
        .pid = ppid, .ppid = -1, .time_us = time_us,
        .exe = pe->parent_exe,
        .name = vstr_empty(pe->parent_name) ? vstr_basename(pe->parent_exe) : pe->parent_name,
        .command_line = pe->parent_command_line,
    };
    return true;
}

static void maybe_compact(struct proctree *t) {
    if (t->dead_bytes > PROCTREE_GARBAGE_FLOOR && t->dead_bytes > t->live_bytes) compact_strings(t);
}

void proctree_observe(struct proctree *t, const struct event *ev) {
    if (ev->kind != EV_PROC_EXEC) return;
    const struct proc_exec *pe = ev->u.proc;
    t->execs++;
    if (pe->pid < 0) {
        t->no_pid++;
        return;
    }
    uint64_t hh = host_hash(pe->host);
    int64_t ppid = pe->ppid >= 0 ? pe->ppid : pe->parent_pid_ecs;
    struct proc_node parent;
    if (ppid != pe->pid && ecs_parent(pe, ppid, ev->time_us, &parent)) {
        uint64_t h = key_hash(hh, ppid);
        if (!lookup(t, h, pe->host, ppid)) {
            set_entry(t, add_entry(t, h, pe->host, ppid), &parent);
            t->parents_learnt++;
        }
    }
    uint64_t h = key_hash(hh, pe->pid);
    struct entry *e = lookup(t, h, pe->host, pe->pid);
    if (e) {
        t->replaced++;
        /* an exec keeps the pid and its parent: a source that does not
         * log the ppid this time does not make it unknown */
        if (ppid < 0) ppid = e->node.ppid;
    } else {
        e = add_entry(t, h, pe->host, pe->pid);
    }
    struct proc_node node = {
        .pid = pe->pid, .ppid = ppid, .time_us = ev->time_us,
        .exe = pe->exe, .name = vstr_empty(pe->name) ? vstr_basename(pe->exe) : pe->name,
        .command_line = pe->command_line, .user = pe->user, .container_id = pe->container_id,
    };
    set_entry(t, e, &node);
    maybe_compact(t);
}

const struct proc_node *proctree_find(const struct proctree *t, vstr host, int64_t pid) {
    const struct entry *e = lookup(t, key_hash(host_hash(host), pid), host, pid);
    return e ? &e->node : NULL;
}

static bool already_in(const struct proc_node *const *out, unsigned n, const struct proc_node *node) {
    for (unsigned i = 0; i < n; i++)
        if (out[i] == node) return true;
    return false;
}

unsigned proctree_ancestors(const struct proctree *t, vstr host, int64_t ppid,
                            const struct proc_node **out, unsigned max) {
    uint64_t hh = host_hash(host);
    int64_t child_time = INT64_MAX;     /* the first step has no child to compare with */
    unsigned n = 0;
    for (int64_t pid = ppid; n < max && pid > 1;) {
        const struct entry *e = lookup(t, key_hash(hh, pid), host, pid);
        if (!e || e->node.time_us > child_time || already_in(out, n, &e->node)) break;
        out[n++] = &e->node;
        child_time = e->node.time_us;
        pid = e->node.ppid;
    }
    return n;
}

void proctree_report(const struct proctree *t, buf *out) {
    buf_printf(out, "  processes: %" PRIu64 " exec events, %" PRIu32 " processes tracked (at most %" PRIu32
                    "), %" PRIu64 " parents learnt from ECS parent fields, %" PRIu64 " pids exec'd again",
               t->execs, t->n, t->max, t->parents_learnt, t->replaced);
    if (t->evicted)
        buf_printf(out, "; %" PRIu64 " evicted oldest first (raise input.max_processes to keep more ancestry)",
                   t->evicted);
    if (t->no_pid) buf_printf(out, "; %" PRIu64 " without a pid ignored", t->no_pid);
    if (t->cut) buf_printf(out, "; %" PRIu64 " strings cut at their bound", t->cut);
    buf_putc(out, '\n');
}
