/* Linux audit logs (/var/log/audit/audit.log) into one struct proc_exec
 * per execve.
 *
 * A line is one record: [node=<host> ]type=<TYPE> msg=audit(<sec>.<ms>:<serial>): k=v ...
 * The records of one event share node and serial: SYSCALL (pid, ppid,
 * ids, exe, key), EXECVE (argc, a0..aN), CWD, PATH (item 0 is the program),
 * PROCTITLE, ended by EOE. They may be interleaved with other events' and
 * arrive out of order, so they are held in a bounded table of pending
 * events until the event is complete: at its EOE, when a record of the
 * same node SERIAL_WINDOW serials later (but not SERIAL_JUMP) arrives, when RECORD_WINDOW
 * records have passed since its first one, when the table is full (the
 * oldest goes, counted), or at the end of the input (flush).
 *
 * Values: "quoted" text is as written; an unquoted value of a text field
 * is hex when the kernel found a space, quote or control byte in it
 * (exe=2F7573722F..., a2=6563686F...), and is decoded. Interpreted logs
 * (ausearch -i: arch=x86_64 syscall=execve uid=vagrant) and the ENRICHED
 * log format (raw fields, a 0x1D byte, then UID="root" AUID="root" ...)
 * are read too: names found there go to proc_exec.user.
 *
 * Only SYSCALL, EXECVE, CWD, PATH, PROCTITLE and EOE records are held;
 * every other record (USER_*, LOGIN, AVC, CONFIG_CHANGE, SOCKADDR ...) is
 * counted by type and its body is not read, so the user-space msg='...'
 * lists and the RHEL5 "user pid=" shapes need no parsing. A line that is
 * not an audit record at all is rejected with its offset.
 *
 * Memory: a pending event keeps copies of its records in its slot's
 * buffer (reused from event to event; one bigger than SLOT_KEEP_BYTES is
 * freed when released); finished events are decoded into a queue whose
 * strings live in an arena reset once the queue has been drained. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/hash.h"
#include "util/timeutil.h"

#define MAX_PENDING 1024            /* events held at once; the oldest is evicted beyond */
#define SERIAL_WINDOW 32            /* a record this many serials later (same node) completes an event */
#define SERIAL_JUMP 4096            /* ... unless further ahead than this: not one ordered stream */
#define RECORD_WINDOW 2048          /* ... as do this many records of any event */
#define MAX_EVENT_BYTES (256 * 1024) /* records of one event kept; the rest dropped, counted */
#define SLOT_KEEP_BYTES (16 * 1024) /* a slot buffer larger than this is freed on release */
#define MAX_ARGS 4096               /* argv elements kept per exec */
#define MAX_TYPES 48                /* record type names counted one by one; the rest as "other" */
#define ENRICHED_SEP '\x1d'

static const char R_NOT_AUDIT[] = "not an audit record (type=... msg=audit(time:serial): ...)";

enum rtype { RT_OTHER = 0, RT_SYSCALL, RT_EXECVE, RT_CWD, RT_PATH, RT_PROCTITLE, RT_EOE };

/* One record as parsed from its line: slices into the line. */
struct rec_head {
    vstr node, type, body;
    int64_t time_us;
    uint64_t serial;
};

/* An event whose records are still arriving. Its records are copied into
 * text as [type byte][u32 body length][body]; node is the first entry. */
struct pending {
    uint64_t key;                       /* hash of node and serial; never 0 */
    uint64_t serial, node_hash;
    int64_t time_us;
    uint64_t offset;                    /* of its first record */
    uint64_t first_record;              /* decoder's record count at its first record */
    uint32_t node_len;
    int32_t prev, next;                 /* arrival order; -1 ends */
    bool used, truncated;
    buf text;
};

struct ready {
    struct proc_exec p;
    int64_t time_us;
    uint64_t offset;
};

struct type_count { char name[24]; uint64_t n; };

struct auditd_dec {
    const char *input;
    struct rejects *rj;
    struct pending slot[MAX_PENDING];
    uint32_t index[MAX_PENDING * 2];    /* open addressing: slot + 1, 0 empty */
    int32_t free_list[MAX_PENDING];
    int32_t n_free;
    int32_t oldest, newest;             /* arrival-order list of used slots */
    uint32_t n_pending;
    struct ready *queue;
    uint32_t q_len, q_head, q_cap;
    arena mem;                          /* strings of the queued events */
    buf scratch;                        /* an argument assembled from aN[i] pieces */
    struct type_count types[MAX_TYPES];
    uint32_t n_types;
    /* counters */
    uint64_t records, unstamped, blank, events, forks, lone_execve, non_exec, fragments, evicted, truncated, eoe_alone, other_types;
};

/* ---- small parsers ------------------------------------------------------ */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool is_hex(vstr s) {
    if (s.n == 0 || s.n % 2) return false;
    for (size_t i = 0; i < s.n; i++)
        if (hexval(s.p[i]) < 0) return false;
    return true;
}

static bool parse_u64(vstr s, uint64_t *out) {
    if (s.n == 0 || s.n > 19) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (!is_digit(s.p[i])) return false;
        v = v * 10 + (uint64_t)(s.p[i] - '0');
    }
    *out = v;
    return true;
}

/* A pid or id as logged: a number, -1 for "unset" (4294967295) or a name. */
static int64_t id_value(vstr s) {
    uint64_t v;
    if (!parse_u64(s, &v) || v >= 4294967295u) return -1;
    return (int64_t)v;
}

static bool take_char(vstr *s, char c) {
    if (s->n == 0 || s->p[0] != c) return false;
    s->p++, s->n--;
    return true;
}

static vstr take_until(vstr *s, char stop) {
    const char *e = s->n ? memchr(s->p, stop, s->n) : NULL;
    size_t n = e ? (size_t)(e - s->p) : s->n;
    vstr out = { s->p, n };
    s->p += n, s->n -= n;
    return out;
}

static bool take_lit(vstr *s, const char *lit) {
    if (!vstr_prefix(*s, lit)) return false;
    size_t n = strlen(lit);
    s->p += n, s->n -= n;
    return true;
}

enum head_kind { HEAD_BAD, HEAD_UNSTAMPED, HEAD_OK };

/* [node=<host> ]type=<TYPE> msg=audit(<sec>[.<frac>]:<serial>):<body>
 * HEAD_UNSTAMPED: the type and msg= are there but no audit(time:serial)
 * (auditd writes "type=UNKNOWN[1329] msg=?" for records it cannot
 * format); DAEMON_CONFIG writes no ':' after the parenthesis. */
static enum head_kind parse_head(vstr line, struct rec_head *h) {
    vstr s = line;
    memset(h, 0, sizeof *h);
    if (take_lit(&s, "node=")) {
        h->node = take_until(&s, ' ');
        if (!take_char(&s, ' ')) return HEAD_BAD;
    }
    if (!take_lit(&s, "type=")) return HEAD_BAD;
    h->type = take_until(&s, ' ');
    if (h->type.n == 0 || !take_lit(&s, " msg=")) return HEAD_BAD;
    if (!take_lit(&s, "audit(")) return HEAD_UNSTAMPED;
    uint64_t sec, serial, frac = 0;
    vstr sec_s = { s.p, 0 };
    while (sec_s.n < s.n && is_digit(s.p[sec_s.n])) sec_s.n++;
    if (!parse_u64(sec_s, &sec) || sec > (uint64_t)(INT64_MAX / US_PER_SEC) - 1) return HEAD_BAD;
    s.p += sec_s.n, s.n -= sec_s.n;
    if (take_char(&s, '.')) {
        uint64_t scale = 100000;        /* first fraction digit: tenths of a second */
        while (s.n && is_digit(s.p[0])) {
            frac += (uint64_t)(s.p[0] - '0') * scale;
            scale /= 10;
            s.p++, s.n--;
        }
    }
    if (!take_char(&s, ':')) return HEAD_BAD;
    vstr ser_s = take_until(&s, ')');
    if (!parse_u64(ser_s, &serial) || !take_char(&s, ')')) return HEAD_BAD;
    take_char(&s, ':');
    h->time_us = (int64_t)sec * US_PER_SEC + (int64_t)frac;
    h->serial = serial;
    h->body = s;
    return HEAD_OK;
}

static enum rtype rtype_of(vstr t) {
    if (vstr_eqc(t, "SYSCALL")) return RT_SYSCALL;
    if (vstr_eqc(t, "EXECVE")) return RT_EXECVE;
    if (vstr_eqc(t, "CWD")) return RT_CWD;
    if (vstr_eqc(t, "PATH")) return RT_PATH;
    if (vstr_eqc(t, "PROCTITLE")) return RT_PROCTITLE;
    if (vstr_eqc(t, "EOE")) return RT_EOE;
    return RT_OTHER;
}

/* One k=v field of a record body; quote is '"' or '\'' for a quoted value
 * (val without the quotes), 0 for a bare one. Words without '=' (the
 * "user" of RHEL5 lines, "avc:  denied  { read }") are skipped. */
struct field { vstr key, val; char quote; };

static bool next_field(vstr *s, struct field *f) {
    for (;;) {
        while (s->n && s->p[0] == ' ') s->p++, s->n--;
        if (s->n == 0) return false;
        size_t i = 0;
        while (i < s->n && s->p[i] != '=' && s->p[i] != ' ') i++;
        f->key = (vstr){ s->p, i };
        s->p += i, s->n -= i;
        if (!take_char(s, '=')) continue;
        f->quote = 0;
        if (s->n && (s->p[0] == '"' || s->p[0] == '\'')) {
            f->quote = s->p[0];
            s->p++, s->n--;
            f->val = take_until(s, f->quote);
            take_char(s, f->quote);
        } else {
            f->val = take_until(s, ' ');
        }
        return true;
    }
}

/* ---- decoded values ------------------------------------------------------- */

static vstr hex_decode(arena *a, vstr s) {
    char *p = arena_alloc(a, s.n / 2 + 1);
    for (size_t i = 0; i + 1 < s.n; i += 2) p[i / 2] = (char)(hexval(s.p[i]) << 4 | hexval(s.p[i + 1]));
    p[s.n / 2] = 0;
    return (vstr){ p, s.n / 2 };
}

/* A text field: quoted as written; bare hex decoded; "(null)" and "?" are
 * the kernel's and auditd's way of saying none. */
static vstr text_value(arena *a, const struct field *f) {
    if (f->quote) return f->val;
    if (vstr_eqc(f->val, "(null)") || vstr_eqc(f->val, "?") || vstr_eqc(f->val, "(none)")) return VSTR_NULL;
    vstr v = f->val;
    /* a stray closing quote after hex has been seen (go-libaudit's ubuntu17 sample) */
    if (v.n > 1 && v.p[v.n - 1] == '"' && is_hex((vstr){ v.p, v.n - 1 })) v.n--;
    return is_hex(v) ? hex_decode(a, v) : v;
}

/* aN, aN[i], aN_len: the argument index and, for a piece, its number. */
enum arg_kind { ARG_NONE, ARG_WHOLE, ARG_PIECE, ARG_LEN };

static enum arg_kind arg_key(vstr k, uint32_t *idx) {
    if (k.n < 2 || k.p[0] != 'a' || !is_digit(k.p[1])) return ARG_NONE;
    size_t i = 1;
    uint64_t v = 0;
    while (i < k.n && is_digit(k.p[i]) && v < 1000000) v = v * 10 + (uint64_t)(k.p[i++] - '0');
    *idx = (uint32_t)v;
    if (i == k.n) return ARG_WHOLE;
    if (k.p[i] == '[') return ARG_PIECE;
    if (k.p[i] == '_') return ARG_LEN;
    return ARG_NONE;
}

/* ---- the pending table ------------------------------------------------------ */

static uint64_t event_key(uint64_t node_hash, uint64_t serial) { return hash_mix(node_hash ^ (serial * 0x9e3779b97f4a7c15u)) | 1; }

#define INDEX_MASK (MAX_PENDING * 2 - 1)

static int32_t index_find(const struct auditd_dec *d, uint64_t key, uint64_t node_hash, uint64_t serial) {
    for (uint32_t i = (uint32_t)key & INDEX_MASK;; i = (i + 1) & INDEX_MASK) {
        uint32_t s = d->index[i];
        if (!s) return -1;
        const struct pending *p = &d->slot[s - 1];
        if (p->key == key && p->serial == serial && p->node_hash == node_hash) return (int32_t)(s - 1);
    }
}

static void index_add(struct auditd_dec *d, int32_t slot) {
    uint32_t i = (uint32_t)d->slot[slot].key & INDEX_MASK;
    while (d->index[i]) i = (i + 1) & INDEX_MASK;
    d->index[i] = (uint32_t)slot + 1;
}

/* Linear probing deletion by backward shift: the table never holds
 * tombstones, so probes stay short however many events come and go. */
static void index_remove(struct auditd_dec *d, int32_t slot) {
    uint32_t i = (uint32_t)d->slot[slot].key & INDEX_MASK;
    while (d->index[i] != (uint32_t)slot + 1) i = (i + 1) & INDEX_MASK;
    for (uint32_t j = (i + 1) & INDEX_MASK; d->index[j]; j = (j + 1) & INDEX_MASK) {
        uint32_t home = (uint32_t)d->slot[d->index[j] - 1].key & INDEX_MASK;
        /* move j back into the hole at i unless its home lies in (i, j] */
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) { d->index[i] = d->index[j]; i = j; }
    }
    d->index[i] = 0;
}

static void text_put_entry(buf *b, uint8_t type, vstr body) {
    uint32_t n = (uint32_t)body.n;
    buf_put(b, &type, 1);
    buf_put(b, &n, sizeof n);
    buf_put(b, body.p, body.n);
}

static void release(struct auditd_dec *d, int32_t s) {
    struct pending *p = &d->slot[s];
    index_remove(d, s);
    if (p->prev >= 0) d->slot[p->prev].next = p->next;
    else d->oldest = p->next;
    if (p->next >= 0) d->slot[p->next].prev = p->prev;
    else d->newest = p->prev;
    if (p->text.cap > SLOT_KEEP_BYTES) buf_free(&p->text);
    else buf_clear(&p->text);
    p->used = false;
    d->free_list[d->n_free++] = s;
    d->n_pending--;
}

/* ---- finishing an event --------------------------------------------------- */

/* What the records of one event say, gathered before it becomes an exec. */
struct gathered {
    bool has_syscall, has_execve, execve_call, fork_call;
    int64_t exit;                       /* the syscall's return value: a fork's child pid */
    int8_t success;
    int64_t pid, ppid, uid, euid, auid;
    vstr uid_text, uid_name, auid_name, exe, comm, key, tty, cwd, path0, proctitle;
    uint32_t argc;                      /* from argc=, or the highest index + 1 */
};

static bool execve_syscall(vstr arch, vstr nr) {
    if (vstr_eqc(nr, "execve") || vstr_eqc(nr, "execveat")) return true;
    uint64_t n;
    if (!parse_u64(nr, &n)) return false;
    if (vstr_eqc(arch, "c000003e") || vstr_eqc(arch, "x86_64")) return n == 59 || n == 322;
    if (vstr_eqc(arch, "40000003") || vstr_eqc(arch, "i386")) return n == 11 || n == 358;
    if (vstr_eqc(arch, "c00000b7") || vstr_eqc(arch, "aarch64")) return n == 221 || n == 281;
    return false;
}

/* clone, fork, vfork, clone3 */
static bool fork_syscall(vstr arch, vstr nr) {
    if (vstr_eqc(nr, "clone") || vstr_eqc(nr, "fork") || vstr_eqc(nr, "vfork") || vstr_eqc(nr, "clone3")) return true;
    uint64_t n;
    if (!parse_u64(nr, &n)) return false;
    if (vstr_eqc(arch, "c000003e") || vstr_eqc(arch, "x86_64")) return n == 56 || n == 57 || n == 58 || n == 435;
    if (vstr_eqc(arch, "40000003") || vstr_eqc(arch, "i386")) return n == 120 || n == 2 || n == 190 || n == 435;
    if (vstr_eqc(arch, "c00000b7") || vstr_eqc(arch, "aarch64")) return n == 220 || n == 435;
    return false;
}

static bool is_name(vstr v) { return v.n && !is_digit(v.p[0]) && v.p[0] != '-'; }

/* The ENRICHED part: upper-case names with interpreted values. */
static void gather_enriched(struct gathered *g, vstr s) {
    struct field f;
    while (next_field(&s, &f)) {
        if (vstr_eqc(f.key, "UID") && f.val.n) g->uid_name = f.val;
        else if (vstr_eqc(f.key, "AUID") && f.val.n) g->auid_name = f.val;
    }
}

static void gather_syscall(struct auditd_dec *d, struct gathered *g, vstr body) {
    vstr enriched = VSTR_NULL;
    const char *sep = body.n ? memchr(body.p, ENRICHED_SEP, body.n) : NULL;
    if (sep) {
        enriched = (vstr){ sep + 1, body.n - (size_t)(sep + 1 - body.p) };
        body.n = (size_t)(sep - body.p);
    }
    vstr arch = VSTR_NULL, nr = VSTR_NULL;
    struct field f;
    g->has_syscall = true;
    while (next_field(&body, &f)) {
        vstr k = f.key;
        if (vstr_eqc(k, "arch")) arch = f.val;
        else if (vstr_eqc(k, "syscall")) nr = f.val;
        else if (vstr_eqc(k, "success")) g->success = vstr_eqc(f.val, "yes") ? 1 : vstr_eqc(f.val, "no") ? 0 : -1;
        else if (vstr_eqc(k, "pid")) g->pid = id_value(f.val);
        else if (vstr_eqc(k, "exit")) g->exit = id_value(f.val);
        else if (vstr_eqc(k, "ppid")) g->ppid = id_value(f.val);
        else if (vstr_eqc(k, "uid")) {
            g->uid = id_value(f.val);
            g->uid_text = f.val;
            if (is_name(f.val)) g->uid_name = f.val;
        } else if (vstr_eqc(k, "euid")) g->euid = id_value(f.val);
        else if (vstr_eqc(k, "auid")) {
            g->auid = id_value(f.val);
            if (is_name(f.val)) g->auid_name = f.val;
        } else if (vstr_eqc(k, "exe")) g->exe = text_value(&d->mem, &f);
        else if (vstr_eqc(k, "comm")) g->comm = text_value(&d->mem, &f);
        else if (vstr_eqc(k, "key")) g->key = text_value(&d->mem, &f);
        else if (vstr_eqc(k, "tty")) g->tty = text_value(&d->mem, &f);
    }
    g->execve_call = execve_syscall(arch, nr);
    g->fork_call = fork_syscall(arch, nr);
    if (enriched.n) gather_enriched(g, enriched);
}

static void gather_path(struct auditd_dec *d, struct gathered *g, vstr body) {
    struct field f;
    bool item0 = false;
    vstr name = VSTR_NULL;
    while (next_field(&body, &f)) {
        if (vstr_eqc(f.key, "item")) item0 = vstr_eqc(f.val, "0");
        else if (vstr_eqc(f.key, "name")) name = text_value(&d->mem, &f);
    }
    if (item0 && !g->path0.n) g->path0 = name;
}

static void gather_single(struct auditd_dec *d, vstr body, const char *key, vstr *out) {
    struct field f;
    while (next_field(&body, &f))
        if (vstr_eqc(f.key, key)) { *out = text_value(&d->mem, &f); return; }
}

/* The count of arguments the EXECVE records announce or use. */
static void count_args(struct gathered *g, vstr body) {
    struct field f;
    uint32_t idx;
    while (next_field(&body, &f)) {
        uint64_t n;
        if (vstr_eqc(f.key, "argc") && parse_u64(f.val, &n)) {
            if (n > g->argc) g->argc = n > MAX_ARGS ? MAX_ARGS : (uint32_t)n;
        } else if (arg_key(f.key, &idx) != ARG_NONE && idx < MAX_ARGS && idx + 1 > g->argc) {
            g->argc = idx + 1;
        }
    }
}

/* Iterate the records held in a slot's text. */
struct entry_iter { const char *p, *end; };

static bool next_entry(struct entry_iter *it, enum rtype *type, vstr *body) {
    if (it->end - it->p < 5) return false;
    uint32_t n;
    *type = (enum rtype)(uint8_t)it->p[0];
    memcpy(&n, it->p + 1, sizeof n);
    *body = (vstr){ it->p + 5, n };
    it->p += 5 + n;
    return true;
}

/* An argument: bare hex decoded, a quoted one as written; a piece of a
 * long argument appended to scratch. */
static void fill_args(struct auditd_dec *d, struct pending *p, vstr *argv, uint32_t argc) {
    struct entry_iter it = { p->text.p + p->node_len, p->text.p + p->text.n };
    enum rtype t;
    vstr body;
    int64_t piece_of = -1;
    buf_clear(&d->scratch);
    while (next_entry(&it, &t, &body)) {
        if (t != RT_EXECVE) continue;
        struct field f;
        uint32_t idx;
        while (next_field(&body, &f)) {
            enum arg_kind k = arg_key(f.key, &idx);
            if (k == ARG_NONE || k == ARG_LEN || idx >= argc) continue;
            if (piece_of >= 0 && (k != ARG_PIECE || idx != (uint32_t)piece_of)) {
                argv[piece_of] = arena_dup(&d->mem, buf_vstr(&d->scratch));
                buf_clear(&d->scratch);
                piece_of = -1;
            }
            vstr v = f.quote || !is_hex(f.val) ? f.val : hex_decode(&d->mem, f.val);
            if (k == ARG_WHOLE) argv[idx] = arena_dup(&d->mem, v);
            else { piece_of = idx; buf_putv(&d->scratch, v); }
        }
    }
    if (piece_of >= 0) argv[piece_of] = arena_dup(&d->mem, buf_vstr(&d->scratch));
}

/* PROCTITLE: argv separated by NUL bytes (hex), or one quoted word. */
static uint32_t split_proctitle(arena *a, vstr t, vstr **argv) {
    uint32_t n = 0;
    for (size_t i = 0; i < t.n; i++) n += t.p[i] == 0;
    n++;
    if (n > MAX_ARGS) n = MAX_ARGS;
    *argv = arena_alloc(a, n * sizeof **argv);
    uint32_t k = 0;
    size_t start = 0;
    for (size_t i = 0; i <= t.n && k < n; i++) {
        if (i == t.n || t.p[i] == 0) {
            (*argv)[k++] = (vstr){ t.p + start, i - start };
            start = i + 1;
        }
    }
    /* a trailing NUL leaves an empty last word */
    while (k > 0 && (*argv)[k - 1].n == 0) k--;
    return k;
}

static struct ready *queue_push(struct auditd_dec *d) {
    if (d->q_len == d->q_cap) {
        uint32_t cap = d->q_cap ? d->q_cap * 2 : 16;
        struct ready *q = realloc(d->queue, cap * sizeof *q);
        if (!q) abort();
        d->queue = q;
        d->q_cap = cap;
    }
    struct ready *r = &d->queue[d->q_len++];
    memset(r, 0, sizeof *r);
    return r;
}

/* Several rule keys on one event are logged separated by 0x01. */
static vstr key_list(arena *a, vstr k) {
    vstr out = arena_dup(a, k);
    for (size_t i = 0; i < out.n; i++)
        if (out.p[i] == '\x01') ((char *)out.p)[i] = ',';
    return out;
}

/* The event's strings are copied out of the slot, which is reused as soon
 * as the event is queued. */
static struct proc_exec *build_exec(struct auditd_dec *d, struct pending *p, struct gathered *g) {
    struct ready *r = queue_push(d);
    struct proc_exec *e = &r->p;
    arena *a = &d->mem;
    r->time_us = p->time_us;
    r->offset = p->offset;
    e->host = arena_dup(a, (vstr){ p->text.p, p->node_len });
    e->os = PROC_OS_LINUX;
    e->pid = g->pid, e->ppid = g->ppid;
    e->uid = g->uid, e->euid = g->euid, e->auid = g->auid;
    e->user = arena_dup(a, g->uid_name.n ? g->uid_name : g->uid_text.n ? g->uid_text : g->auid_name);
    e->exe = arena_dup(a, g->exe.n ? g->exe : g->path0);
    e->name = g->comm.n ? arena_dup(a, g->comm) : vstr_basename(e->exe);
    e->cwd = arena_dup(a, g->cwd);
    e->tty = arena_dup(a, g->tty);
    e->audit_key = key_list(a, g->key);
    e->success = g->success;
    e->serial = p->serial;
    e->parent_pid_ecs = -1;
    if (g->argc) {
        e->argv = arena_zalloc(&d->mem, g->argc * sizeof *e->argv);
        e->argc = g->argc;
        fill_args(d, p, e->argv, g->argc);
    } else if (g->proctitle.n && g->success != 0) {
        /* after a failed execve the title is still the caller's */
        e->argc = split_proctitle(&d->mem, arena_dup(a, g->proctitle), &e->argv);
    }
    e->command_line = arena_join(&d->mem, e->argv, e->argc);
    if (!e->name.n && e->argc) e->name = vstr_basename(e->argv[0]);
    return e;
}

/* The event in slot s is complete: queue its exec, if it is one. */
static void finish(struct auditd_dec *d, int32_t s) {
    struct pending *p = &d->slot[s];
    struct gathered g = { .success = -1, .pid = -1, .ppid = -1, .uid = -1, .euid = -1, .auid = -1, .exit = -1 };
    struct entry_iter it = { p->text.p + p->node_len, p->text.p + p->text.n };
    enum rtype t;
    vstr body;
    while (next_entry(&it, &t, &body)) {
        switch (t) {
        case RT_SYSCALL: if (!g.has_syscall) gather_syscall(d, &g, body); break;
        case RT_EXECVE: g.has_execve = true; count_args(&g, body); break;
        case RT_CWD: gather_single(d, body, "cwd", &g.cwd); break;
        case RT_PATH: gather_path(d, &g, body); break;
        case RT_PROCTITLE: gather_single(d, body, "proctitle", &g.proctitle); break;
        default: break;
        }
    }
    if (p->truncated) d->truncated++;
    /* An EXECVE record without its SYSCALL (lost, or another serial in
     * an interpreted dump) still says a program ran, with what. */
    if (g.has_syscall ? g.execve_call : g.has_execve) {
        if (!g.has_syscall) d->lone_execve++;
        build_exec(d, p, &g);
        d->events++;
    } else if (g.fork_call && g.success != 0 && g.exit > 0 && g.pid > 0) {
        /* the child is the new pid, the caller its parent, running the
         * caller's program (exe, comm and title are the caller's) */
        int64_t caller = g.pid;
        g.ppid = caller;
        g.pid = g.exit;
        g.argc = 0;
        build_exec(d, p, &g)->fork = true;
        d->forks++;
    } else if (g.has_syscall) {
        d->non_exec++;
    } else {
        d->fragments++;
    }
    release(d, s);
}

/* ---- intake ----------------------------------------------------------------- */

static int32_t pending_open(struct auditd_dec *d, const struct rec_head *h, uint64_t node_hash, uint64_t key,
                            uint64_t offset) {
    if (d->n_free == 0) {
        d->evicted++;
        finish(d, d->oldest);
    }
    int32_t s = d->free_list[--d->n_free];
    struct pending *p = &d->slot[s];
    p->key = key, p->serial = h->serial, p->node_hash = node_hash;
    p->time_us = h->time_us;
    p->offset = offset;
    p->first_record = d->records;
    p->used = true;
    p->truncated = false;
    buf_clear(&p->text);
    buf_putv(&p->text, h->node);
    p->node_len = (uint32_t)h->node.n;
    p->next = -1;
    p->prev = d->newest;
    if (d->newest >= 0) d->slot[d->newest].next = s;
    else d->oldest = s;
    d->newest = s;
    d->n_pending++;
    index_add(d, s);
    return s;
}

/* Events that can no longer receive records: far behind in serial on the
 * same node, or many records ago. Checked from the oldest arrival on.
 * auditd numbers events one by one, so a serial thousands ahead means
 * the stream is not one ordered sequence (files merged, or sorted by
 * type as go-libaudit's test logs are): it says nothing about the events
 * pending, which then wait for their EOE, the record window or the end. */
static void complete_stale(struct auditd_dec *d, uint64_t node_hash, uint64_t serial) {
    while (d->oldest >= 0) {
        struct pending *p = &d->slot[d->oldest];
        bool behind = p->node_hash == node_hash && p->serial + SERIAL_WINDOW < serial &&
                      serial - p->serial <= SERIAL_JUMP;
        bool old = d->records - p->first_record > RECORD_WINDOW;
        if (!behind && !old) return;
        finish(d, d->oldest);
    }
}

static void count_type(struct auditd_dec *d, vstr type) {
    for (uint32_t i = 0; i < d->n_types; i++)
        if (strlen(d->types[i].name) == type.n && memcmp(d->types[i].name, type.p, type.n) == 0) {
            d->types[i].n++;
            return;
        }
    if (d->n_types == MAX_TYPES || type.n >= sizeof d->types[0].name) { d->other_types++; return; }
    struct type_count *tc = &d->types[d->n_types++];
    memcpy(tc->name, type.p, type.n);
    tc->name[type.n] = 0;
    tc->n = 1;
}

static void take_record(struct auditd_dec *d, vstr line, uint64_t offset) {
    struct rec_head h;
    enum head_kind hk = parse_head(line, &h);
    if (hk == HEAD_BAD) {
        rejects_add(d->rj, d->input, offset, R_NOT_AUDIT, line);
        return;
    }
    d->records++;
    count_type(d, h.type);
    if (hk == HEAD_UNSTAMPED) { d->unstamped++; return; }
    uint64_t node_hash = h.node.n ? hash_vstr(h.node, 0x6e6f6465) : 0;
    enum rtype t = rtype_of(h.type);
    if (t != RT_OTHER) {
        uint64_t key = event_key(node_hash, h.serial);
        int32_t s = index_find(d, key, node_hash, h.serial);
        if (t == RT_EOE) {
            if (s >= 0) finish(d, s);
            else d->eoe_alone++;
        } else {
            if (s < 0) s = pending_open(d, &h, node_hash, key, offset);
            struct pending *p = &d->slot[s];
            if (p->text.n + h.body.n + 5 > MAX_EVENT_BYTES) p->truncated = true;
            else text_put_entry(&p->text, (uint8_t)t, h.body);
        }
    }
    complete_stale(d, node_hash, h.serial);
}

/* ---- decoder_ops -------------------------------------------------------------- */

static void *auditd_create(const char *input_name, struct rejects *rj) {
    struct auditd_dec *d = calloc(1, sizeof *d);
    if (!d) abort();
    d->input = input_name;
    d->rj = rj;
    for (int32_t i = 0; i < MAX_PENDING; i++) {
        buf_init(&d->slot[i].text);
        d->free_list[i] = MAX_PENDING - 1 - i;
    }
    d->n_free = MAX_PENDING;
    d->oldest = d->newest = -1;
    arena_init(&d->mem, 16 * 1024);
    buf_init(&d->scratch);
    return d;
}

static void auditd_destroy(void *self) {
    struct auditd_dec *d = self;
    if (!d) return;
    for (int i = 0; i < MAX_PENDING; i++) buf_free(&d->slot[i].text);
    free(d->queue);
    arena_free(&d->mem);
    buf_free(&d->scratch);
    free(d);
}

/* Forget the events already handed out, once all of them have been. */
static void drain_done(struct auditd_dec *d) {
    if (d->q_head < d->q_len) return;
    d->q_head = d->q_len = 0;
    arena_reset(&d->mem);
}

static void auditd_begin(void *self, const struct record *rec) {
    struct auditd_dec *d = self;
    drain_done(d);
    vstr line = { rec->p, rec->len };
    while (line.n && (line.p[line.n - 1] == '\r' || line.p[line.n - 1] == ' ')) line.n--;
    size_t lead = 0;
    while (lead < line.n && (line.p[lead] == ' ' || line.p[lead] == '\t')) lead++;
    if (lead == line.n) { d->blank++; return; }
    take_record(d, line, rec->offset);
}

static int auditd_next(void *self, struct event *ev) {
    struct auditd_dec *d = self;
    if (d->q_head == d->q_len) return 0;
    struct ready *r = &d->queue[d->q_head++];
    memset(ev, 0, sizeof *ev);
    ev->time_us = r->time_us;
    ev->layer = LAYER_HOST;
    ev->kind = EV_PROC_EXEC;
    ev->pos.input = d->input;
    ev->pos.offset = r->offset;
    ev->u.proc = &r->p;
    return 1;
}

/* End of input: every event still pending is as complete as it will get. */
static void auditd_flush(void *self) {
    struct auditd_dec *d = self;
    drain_done(d);
    while (d->oldest >= 0) finish(d, d->oldest);
}

static uint64_t auditd_events(void *self) {
    const struct auditd_dec *d = self;
    return d->events + d->forks;       /* both are handed out as events */
}

static void auditd_report(void *self, buf *out) {
    struct auditd_dec *d = self;
    buf_printf(out, "  audit records: %" PRIu64 " (", d->records);
    for (uint32_t i = 0; i < d->n_types; i++)
        buf_printf(out, "%s%s %" PRIu64, i ? ", " : "", d->types[i].name, d->types[i].n);
    if (d->other_types) buf_printf(out, ", other types %" PRIu64, d->other_types);
    buf_puts(out, ")\n");
    buf_printf(out, "  execs: %" PRIu64 " (%" PRIu64 " from an EXECVE record without its SYSCALL); %" PRIu64
                    " forks (for the process tree); %" PRIu64
                    " other syscall events, %" PRIu64 " record groups without a SYSCALL or EXECVE\n",
               d->events, d->lone_execve, d->forks, d->non_exec, d->fragments);
    if (d->evicted)
        buf_printf(out, "  %" PRIu64 " events completed early: more than %d pending at once\n", d->evicted, MAX_PENDING);
    if (d->truncated)
        buf_printf(out, "  %" PRIu64 " events over %d KiB of records: the rest of their records ignored\n", d->truncated,
                   MAX_EVENT_BYTES / 1024);
    if (d->eoe_alone) buf_printf(out, "  %" PRIu64 " EOE records of events not pending\n", d->eoe_alone);
    if (d->unstamped) buf_printf(out, "  %" PRIu64 " records without audit(time:serial) (msg=?)\n", d->unstamped);
    if (d->blank) buf_printf(out, "  %" PRIu64 " blank lines\n", d->blank);
}

/* audit.log lines start with type= (or node=) and carry msg=audit(. */
static int auditd_sniff(vstr head) {
    vstr s = head;
    if (!vstr_prefix(s, "type=") && !vstr_prefix(s, "node=")) return 0;
    vstr first = take_until(&s, '\n');
    struct rec_head h;
    if (parse_head(first, &h) == HEAD_OK) return 95;
    return vstr_contains(first, VSTR(" msg=audit(")) ? 60 : 0;
}

const struct decoder_ops auditd_decoder = {
    .name = "auditd",
    .description = "Linux audit logs (audit.log: raw, node= prefixed, interpreted, ENRICHED): one process "
                   "start per execve event",
    .layer = LAYER_HOST,
    .sniff = auditd_sniff,
    .create = auditd_create,
    .destroy = auditd_destroy,
    .begin = auditd_begin,
    .next = auditd_next,
    .flush = auditd_flush,
    .report = auditd_report,
    .events = auditd_events,
};
