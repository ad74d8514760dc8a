/* Pairing of an ARM operation's start and outcome (detect/arm_internal.h).
 *
 * The activity log writes a Write, Delete or Action twice: a start record
 * (which carries the request body) and an outcome record (which carries
 * the status), tied by correlationId. Analysing both would count every
 * operation twice; analysing only outcomes would lose the request body.
 * So a start is held here, deep-copied because the decoder's slices die
 * with its next record, until the outcome arrives, and the outcome is
 * analysed with the start's fields filled in where it has none.
 *
 * Held starts sit in arrival order in a queue (mostly event-time order:
 * logs are written as operations happen) and are found by a hash of their
 * pairing key in an open-addressing index of queue positions. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/arm_internal.h"
#include "util/hash.h"

#define PAIR_SEED UINT64_C(0x50414952)     /* "PAIR" */

struct held {
    uint64_t h;                         /* pairing key hash; 0 = released */
    struct event ev;
    struct mgmt_op op;
    char *mem;                          /* every string of op and ev.pos.input */
};

struct arm_pair {
    struct held *q;                     /* queue, positions [head, tail) live or released */
    size_t head, tail, cap;
    size_t live;
    size_t max;
    int64_t timeout_us;
    uint64_t *ix;                       /* open addressing: queue position + 1; 0 = empty */
    size_t ix_cap;
    uint64_t paired, unpaired, overflow;
};

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p) { fputs("vigil: out of memory\n", stderr); abort(); }
    return p;
}

/* ---- deep copy of a mgmt_op --------------------------------------------- */

/* Every slice of struct mgmt_op outside the role body lists. */
static const size_t op_fields[] = {
    offsetof(struct mgmt_op, operation), offsetof(struct mgmt_op, category),
    offsetof(struct mgmt_op, resource_id), offsetof(struct mgmt_op, subscription),
    offsetof(struct mgmt_op, resource_group), offsetof(struct mgmt_op, correlation_id),
    offsetof(struct mgmt_op, operation_id), offsetof(struct mgmt_op, status),
    offsetof(struct mgmt_op, sub_status), offsetof(struct mgmt_op, caller),
    offsetof(struct mgmt_op, object_id), offsetof(struct mgmt_op, upn),
    offsetof(struct mgmt_op, name), offsetof(struct mgmt_op, appid),
    offsetof(struct mgmt_op, idtyp), offsetof(struct mgmt_op, tenant_id),
    offsetof(struct mgmt_op, auth_methods), offsetof(struct mgmt_op, caller_ip_text),
    offsetof(struct mgmt_op, http_method), offsetof(struct mgmt_op, user_agent),
    offsetof(struct mgmt_op, authz_action), offsetof(struct mgmt_op, authz_scope),
    offsetof(struct mgmt_op, evidence_role), offsetof(struct mgmt_op, evidence_role_assignment_id),
    offsetof(struct mgmt_op, evidence_role_definition_id), offsetof(struct mgmt_op, evidence_principal_id),
    offsetof(struct mgmt_op, evidence_principal_type),
    offsetof(struct mgmt_op, assignment.role_definition_id), offsetof(struct mgmt_op, assignment.principal_id),
    offsetof(struct mgmt_op, assignment.principal_type), offsetof(struct mgmt_op, assignment.scope),
    offsetof(struct mgmt_op, role_def.role_name), offsetof(struct mgmt_op, role_def.role_type),
};
#define N_OP_FIELDS (sizeof op_fields / sizeof op_fields[0])

static vstr *field(struct mgmt_op *op, size_t i) { return (vstr *)((char *)op + op_fields[i]); }
static const vstr *cfield(const struct mgmt_op *op, size_t i) {
    return (const vstr *)((const char *)op + op_fields[i]);
}

static size_t list_bytes(const vstr *v, uint32_t n) {
    size_t total = n * sizeof(vstr);
    for (uint32_t i = 0; i < n; i++) total += v[i].n;
    return total;
}

/* Bytes a deep copy needs, with room for alignment of the slice arrays. */
static size_t copy_size(const struct mgmt_op *op, const char *input) {
    size_t total = (input ? strlen(input) + 1 : 0) + 3 * sizeof(vstr);
    for (size_t i = 0; i < N_OP_FIELDS; i++) total += cfield(op, i)->n;
    total += list_bytes(op->role_def.actions, op->role_def.n_actions);
    total += list_bytes(op->role_def.not_actions, op->role_def.n_not_actions);
    total += list_bytes(op->role_def.assignable_scopes, op->role_def.n_assignable_scopes);
    return total;
}

/* Copies go into one block: slice arrays first (aligned), then bytes. */
struct packer { char *arrays, *bytes; };

static vstr pack_str(struct packer *pk, vstr s) {
    if (!s.n) return (vstr){ "", 0 };
    memcpy(pk->bytes, s.p, s.n);
    vstr out = { pk->bytes, s.n };
    pk->bytes += s.n;
    return out;
}

static vstr *pack_list(struct packer *pk, const vstr *v, uint32_t n) {
    if (!n) return NULL;
    vstr *out = (vstr *)(void *)pk->arrays;
    pk->arrays += n * sizeof(vstr);
    for (uint32_t i = 0; i < n; i++) out[i] = pack_str(pk, v[i]);
    return out;
}

static void held_fill(struct held *hd, const struct event *ev) {
    const struct mgmt_op *src = ev->u.mgmt;
    size_t arrays = (src->role_def.n_actions + src->role_def.n_not_actions + src->role_def.n_assignable_scopes) *
                    sizeof(vstr);
    hd->mem = xcalloc(1, copy_size(src, ev->pos.input) + arrays);
    struct packer pk = { hd->mem, hd->mem + arrays };
    hd->op = *src;
    for (size_t i = 0; i < N_OP_FIELDS; i++) *field(&hd->op, i) = pack_str(&pk, *cfield(src, i));
    hd->op.role_def.actions = pack_list(&pk, src->role_def.actions, src->role_def.n_actions);
    hd->op.role_def.not_actions = pack_list(&pk, src->role_def.not_actions, src->role_def.n_not_actions);
    hd->op.role_def.assignable_scopes =
        pack_list(&pk, src->role_def.assignable_scopes, src->role_def.n_assignable_scopes);
    hd->ev = *ev;
    hd->ev.u.mgmt = NULL;               /* set on delivery: the queue moves its entries */
    if (ev->pos.input) {
        size_t n = strlen(ev->pos.input);
        memcpy(pk.bytes, ev->pos.input, n + 1);
        hd->ev.pos.input = pk.bytes;
    }
}

/* ---- the pairing key ------------------------------------------------------ */

/* A hash that ignores ASCII case: every byte has its 0x20 bit set before
 * mixing, eight at a time. That also merges a few pairs of other bytes
 * ('/' and 0x0f, say), which only costs a comparison: a match is always
 * confirmed with vstr_eq_ci. */
static uint64_t hash_fold(uint64_t h, vstr s) {
    const uint64_t fold = UINT64_C(0x2020202020202020);
    size_t i = 0;
    for (; i + 8 <= s.n; i += 8) {
        uint64_t w;
        memcpy(&w, s.p + i, 8);
        h = hash_mix(h ^ (w | fold));
    }
    uint64_t w = 0;
    if (s.n > i) memcpy(&w, s.p + i, s.n - i);
    return hash_mix(h ^ (w | fold) ^ ((uint64_t)s.n << 56));
}

static uint64_t pair_key(const struct mgmt_op *op) {
    uint64_t h = hash_fold(PAIR_SEED, op->correlation_id);
    h = hash_fold(h, op->operation);
    h = hash_fold(h, op->resource_id);
    return h | 1;
}

/* Start and outcome are nearly always written in the same case: try the
 * exact comparison first. */
static bool same_ci(vstr a, vstr b) { return vstr_eq(a, b) || vstr_eq_ci(a, b); }

static bool same_operation(const struct mgmt_op *a, const struct mgmt_op *b) {
    return same_ci(a->correlation_id, b->correlation_id) && same_ci(a->operation, b->operation) &&
           same_ci(a->resource_id, b->resource_id);
}

/* ---- the index -------------------------------------------------------------- */

static size_t ix_probe(const struct arm_pair *P, uint64_t h, const struct mgmt_op *op) {
    size_t mask = P->ix_cap - 1;
    size_t i = (size_t)h & mask;
    while (P->ix[i]) {
        const struct held *hd = &P->q[P->ix[i] - 1];
        if (hd->h == h && same_operation(&hd->op, op)) return i;
        i = (i + 1) & mask;
    }
    return i;
}

static void ix_insert(struct arm_pair *P, size_t pos) {
    size_t mask = P->ix_cap - 1;
    size_t i = (size_t)P->q[pos].h & mask;
    while (P->ix[i]) i = (i + 1) & mask;
    P->ix[i] = pos + 1;
}

static void ix_rebuild(struct arm_pair *P) {
    size_t need = 16;
    while (need < (P->live + 1) * 2) need *= 2;
    free(P->ix);
    P->ix_cap = need;
    P->ix = xcalloc(P->ix_cap, sizeof *P->ix);
    for (size_t pos = P->head; pos < P->tail; pos++)
        if (P->q[pos].h) ix_insert(P, pos);
}

/* Backward-shift deletion keeps every other probe chain whole. */
static void ix_delete(struct arm_pair *P, size_t slot) {
    size_t mask = P->ix_cap - 1;
    size_t i = slot;
    for (;;) {
        P->ix[i] = 0;
        size_t j = i;
        for (;;) {
            j = (j + 1) & mask;
            if (!P->ix[j]) return;
            size_t home = (size_t)P->q[P->ix[j] - 1].h & mask;
            bool movable = (i <= j) ? (home <= i || home > j) : (home <= i && home > j);
            if (movable) break;
        }
        P->ix[i] = P->ix[j];
        i = j;
    }
}

/* ---- the queue ------------------------------------------------------------------ */

struct arm_pair *arm_pair_new(size_t max_pending, int64_t timeout_us) {
    struct arm_pair *P = xcalloc(1, sizeof *P);
    P->max = max_pending ? max_pending : 1;
    P->timeout_us = timeout_us;
    P->cap = 64;
    P->q = xcalloc(P->cap, sizeof *P->q);
    P->ix_cap = 16;
    P->ix = xcalloc(P->ix_cap, sizeof *P->ix);
    return P;
}

void arm_pair_free(struct arm_pair *P) {
    if (!P) return;
    for (size_t pos = P->head; pos < P->tail; pos++) free(P->q[pos].mem);
    free(P->q);
    free(P->ix);
    free(P);
}

static void release(struct arm_pair *P, size_t pos) {
    free(P->q[pos].mem);
    P->q[pos].mem = NULL;
    P->q[pos].h = 0;
    P->live--;
}

/* Drop released entries from the head; compact when the dead prefix is
 * most of the array, so memory follows what is actually held. */
static void trim(struct arm_pair *P) {
    while (P->head < P->tail && !P->q[P->head].h) P->head++;
    if (P->head == P->tail) { P->head = P->tail = 0; return; }
    if (P->head > P->cap / 2) {
        memmove(P->q, P->q + P->head, (P->tail - P->head) * sizeof *P->q);
        P->tail -= P->head;
        P->head = 0;
        ix_rebuild(P);
    }
}

static void deliver_held(struct arm_pair *P, size_t pos, arm_pair_fn fn, void *ud) {
    size_t slot = ix_probe(P, P->q[pos].h, &P->q[pos].op);
    if (P->ix[slot]) ix_delete(P, slot);
    P->q[pos].ev.u.mgmt = &P->q[pos].op;
    fn(ud, &P->q[pos].ev);
    release(P, pos);
}

static void push(struct arm_pair *P, const struct event *ev, uint64_t h, arm_pair_fn fn, void *ud) {
    if (P->live >= P->max) {            /* hostile or broken input: analyse the oldest now */
        while (P->head < P->tail && !P->q[P->head].h) P->head++;
        if (P->head < P->tail) {
            P->overflow++;
            deliver_held(P, P->head, fn, ud);
            trim(P);
        }
    }
    if (P->tail == P->cap) {
        if (P->head > 0) {
            trim(P);
        }
        if (P->tail == P->cap) {
            P->cap *= 2;
            P->q = realloc(P->q, P->cap * sizeof *P->q);
            if (!P->q) { fputs("vigil: out of memory\n", stderr); abort(); }
        }
    }
    size_t pos = P->tail++;
    memset(&P->q[pos], 0, sizeof P->q[pos]);
    P->q[pos].h = h;
    held_fill(&P->q[pos], ev);
    P->live++;
    if ((P->live + 1) * 2 > P->ix_cap) ix_rebuild(P);
    else ix_insert(P, pos);
}

/* The outcome record, with the fields only its start carried. */
static void complete(struct mgmt_op *out, const struct mgmt_op *end, const struct mgmt_op *start) {
    *out = *end;
    for (size_t i = 0; i < N_OP_FIELDS; i++)
        if (!field(out, i)->n) *field(out, i) = *cfield(start, i);
    if (!out->assignment.present) out->assignment = start->assignment;
    if (!out->role_def.present) out->role_def = start->role_def;
    if (!out->has_ip && start->has_ip) {
        out->has_ip = true;
        out->caller_ip = start->caller_ip;
        out->caller_ip_text = start->caller_ip_text;
    }
    if (out->principal_kind == MGMT_PRINCIPAL_UNKNOWN) out->principal_kind = start->principal_kind;
}

void arm_pair_offer(struct arm_pair *P, const struct event *ev, arm_pair_fn fn, void *ud) {
    const struct mgmt_op *op = ev->u.mgmt;
    if (op->phase == MGMT_PHASE_SINGLE || !op->correlation_id.n) { fn(ud, ev); return; }
    uint64_t h = pair_key(op);
    size_t slot = ix_probe(P, h, op);
    if (op->phase == MGMT_PHASE_BEGIN || op->phase == MGMT_PHASE_ACCEPTED) {
        if (!P->ix[slot]) { push(P, ev, h, fn, ud); return; }
        /* a second start (Accepted after Started): the first one stays, it
         * has the request body; only the state moves on */
        struct held *hd = &P->q[P->ix[slot] - 1];
        if (op->phase == MGMT_PHASE_ACCEPTED) {
            hd->op.phase = MGMT_PHASE_ACCEPTED;
            hd->op.outcome = MGMT_OUTCOME_ACCEPTED;
        }
        return;
    }
    if (!P->ix[slot]) { fn(ud, ev); return; }
    size_t pos = P->ix[slot] - 1;
    ix_delete(P, slot);
    struct mgmt_op merged;
    complete(&merged, op, &P->q[pos].op);
    struct event out = *ev;
    out.u.mgmt = &merged;
    P->paired++;
    fn(ud, &out);
    release(P, pos);
    trim(P);
}

void arm_pair_expire(struct arm_pair *P, int64_t watermark_us, arm_pair_fn fn, void *ud) {
    if (watermark_us < INT64_MIN + P->timeout_us) return;
    for (size_t pos = P->head; pos < P->tail; pos++) {
        struct held *hd = &P->q[pos];
        if (!hd->h) continue;
        if (watermark_us != INT64_MAX && hd->ev.time_us > watermark_us - P->timeout_us) {
            /* arrival order is close to time order: stop at the first start
             * still waiting, unless it is far out of order */
            break;
        }
        P->unpaired++;
        deliver_held(P, pos, fn, ud);
    }
    trim(P);
}

uint64_t arm_pair_paired(const struct arm_pair *P) { return P->paired; }
uint64_t arm_pair_unpaired(const struct arm_pair *P) { return P->unpaired; }
uint64_t arm_pair_overflow(const struct arm_pair *P) { return P->overflow; }
