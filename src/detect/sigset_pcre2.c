/* The PCRE2 backend, for builds without Hyperscan.
 *
 * Literals never reach the regex engine: they are all in one Aho-Corasick
 * automaton, a full DFA over byte classes in which upper and lower case
 * share a class, so one pass over the field finds every literal without
 * folding a copy of it. (A memmem per literal, the first version, cost
 * ~40 ns per literal per field: glibc's two-way search prepares the needle
 * on every call. See bench/README.md, "Signatures".)
 *
 * Regexes are compiled with PCRE2_CASELESS and JIT'd (the interpreter
 * runs the same code where PCRE2 has no JIT). Most fields match nothing,
 * so the regexes PCRE2 cannot reject quickly on their own (no byte that
 * every match must contain) are also joined into one alternation, tried
 * first: only when it matches are they run one by one to learn which.
 * Joining them all was measured slower for command lines (bench/README.md,
 * "Signatures"): the alternation loses each pattern's required-byte
 * search.
 *
 * Case folding is ASCII only, as in Hyperscan, so both backends agree on
 * every byte. */
#define _GNU_SOURCE  /* memmem */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/sigset_internal.h"

/* ---- Aho-Corasick over the literals ------------------------------------ */

#define AC_NONE UINT32_MAX

struct ac {
    uint8_t cls[256];                   /* byte -> class; 0: in no literal */
    uint32_t nclass;
    uint32_t nstates;
    uint32_t *next;                     /* nstates x nclass: the DFA */
    uint32_t *min_id;                   /* lowest literal id ending here (via suffixes too); AC_NONE */
    uint32_t *own;                      /* first literal ending exactly here, AC_NONE */
    uint32_t *dict;                     /* nearest proper suffix state with own output, AC_NONE */
    uint32_t *same_next;                /* per literal: the next literal with the same text, AC_NONE */
};

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) { fputs("vigil: out of memory\n", stderr); abort(); }
    return p;
}

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) { fputs("vigil: out of memory\n", stderr); abort(); }
    return q;
}

static inline unsigned char ascii_lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

static void ac_free(struct ac *a) {
    free(a->next);
    free(a->min_id);
    free(a->own);
    free(a->dict);
    free(a->same_next);
}

/* Classes: one per distinct (folded) byte used by a literal. */
static void ac_classes(struct ac *a, const struct sig_pattern *p, size_t n) {
    memset(a->cls, 0, sizeof a->cls);
    a->nclass = 1;
    for (size_t i = 0; i < n; i++) {
        if (p[i].regex) continue;
        for (size_t k = 0; k < p[i].len; k++) {
            unsigned char c = ascii_lower((unsigned char)p[i].text[k]);
            if (a->cls[c]) continue;
            a->cls[c] = (uint8_t)a->nclass++;
        }
    }
    for (unsigned c = 'A'; c <= 'Z'; c++) a->cls[c] = a->cls[c + ('a' - 'A')];
}

static uint32_t ac_new_state(struct ac *a, uint32_t *cap) {
    if (a->nstates == *cap) {
        *cap *= 2;
        a->next = xrealloc(a->next, (size_t)*cap * a->nclass * sizeof *a->next);
        a->own = xrealloc(a->own, (size_t)*cap * sizeof *a->own);
    }
    uint32_t s = a->nstates++;
    for (uint32_t c = 0; c < a->nclass; c++) a->next[(size_t)s * a->nclass + c] = AC_NONE;
    a->own[s] = AC_NONE;
    return s;
}

/* The trie of the literals; a literal given twice keeps both ids, chained
 * in id order through same_next. */
static void ac_trie(struct ac *a, const struct sig_pattern *p, size_t n) {
    uint32_t cap = 64;
    a->next = xmalloc((size_t)cap * a->nclass * sizeof *a->next);
    a->own = xmalloc((size_t)cap * sizeof *a->own);
    a->same_next = xmalloc(n * sizeof *a->same_next);
    a->nstates = 0;
    ac_new_state(a, &cap);
    for (size_t i = 0; i < n; i++) {
        a->same_next[i] = AC_NONE;
        if (p[i].regex) continue;
        uint32_t s = 0;
        for (size_t k = 0; k < p[i].len; k++) {
            size_t at = (size_t)s * a->nclass + a->cls[(unsigned char)p[i].text[k]];
            if (a->next[at] == AC_NONE) {
                uint32_t t = ac_new_state(a, &cap);
                a->next[(size_t)s * a->nclass + a->cls[(unsigned char)p[i].text[k]]] = t;
            }
            s = a->next[(size_t)s * a->nclass + a->cls[(unsigned char)p[i].text[k]]];
        }
        uint32_t *tail = &a->own[s];
        while (*tail != AC_NONE) tail = &a->same_next[*tail];
        *tail = (uint32_t)i;
    }
}

/* Breadth first: each state's failure state is known before its children,
 * so missing transitions are copied from it (a full DFA), and the outputs
 * reachable through suffixes are summarised per state. */
static void ac_links(struct ac *a) {
    uint32_t *fail = xmalloc(a->nstates * sizeof *fail);
    uint32_t *queue = xmalloc(a->nstates * sizeof *queue);
    a->min_id = xmalloc(a->nstates * sizeof *a->min_id);
    a->dict = xmalloc(a->nstates * sizeof *a->dict);
    size_t head = 0, tail = 0;
    fail[0] = 0;
    a->dict[0] = AC_NONE;
    a->min_id[0] = AC_NONE;
    for (uint32_t c = 0; c < a->nclass; c++) {
        uint32_t *t = &a->next[c];
        if (*t == AC_NONE) { *t = 0; continue; }
        fail[*t] = 0;
        queue[tail++] = *t;
    }
    while (head < tail) {
        uint32_t s = queue[head++];
        uint32_t f = fail[s];
        a->dict[s] = a->own[f] != AC_NONE ? f : a->dict[f];
        uint32_t inherited = a->min_id[f];
        a->min_id[s] = a->own[s] < inherited ? a->own[s] : inherited;
        if (s == 0) continue;
        for (uint32_t c = 0; c < a->nclass; c++) {
            uint32_t *t = &a->next[(size_t)s * a->nclass + c];
            uint32_t via_fail = a->next[(size_t)f * a->nclass + c];
            if (*t == AC_NONE) { *t = via_fail; continue; }
            fail[*t] = via_fail;
            queue[tail++] = *t;
        }
    }
    free(fail);
    free(queue);
}

static void ac_build(struct ac *a, const struct sig_pattern *p, size_t n) {
    ac_classes(a, p, n);
    ac_trie(a, p, n);
    ac_links(a);
}

/* The lowest literal id in text, AC_NONE for none. */
static uint32_t ac_first(const struct ac *a, const unsigned char *text, size_t len) {
    uint32_t s = 0, best = AC_NONE;
    for (size_t i = 0; i < len; i++) {
        s = a->next[(size_t)s * a->nclass + a->cls[text[i]]];
        if (a->min_id[s] < best) best = a->min_id[s];
    }
    return best;
}

static void set_bit(uint64_t *bits, uint32_t id) { bits[id / 64] |= UINT64_C(1) << (id % 64); }

/* Every literal in text, as bits. */
static void ac_all(const struct ac *a, const unsigned char *text, size_t len, uint64_t *bits) {
    uint32_t s = 0;
    for (size_t i = 0; i < len; i++) {
        s = a->next[(size_t)s * a->nclass + a->cls[text[i]]];
        if (a->min_id[s] == AC_NONE) continue;
        for (uint32_t o = a->own[s] != AC_NONE ? s : a->dict[s]; o != AC_NONE; o = a->dict[o])
            for (uint32_t id = a->own[o]; id != AC_NONE; id = a->same_next[id]) set_bit(bits, id);
    }
}

/* ---- regexes ------------------------------------------------------------ */

struct regex {
    uint32_t id;
    pcre2_code *code;
    bool jit;
    bool joined;                        /* in the alternation: skipped when it does not match */
};

struct pcre2_set {
    size_t n;
    bool has_literals;
    struct ac ac;
    struct regex *re;
    size_t nre;
    struct regex any;                   /* the joined regexes as one alternation; code NULL: none */
    pcre2_match_data *md;
    uint64_t *bits;                     /* n bits, for sigset_all; zero between calls */
};

static bool pcre2_available(void) { return true; }

static void regex_free(struct regex *r) { pcre2_code_free(r->code); }

static void pcre2_set_free(void *m) {
    struct pcre2_set *s = m;
    for (size_t i = 0; i < s->nre; i++) regex_free(&s->re[i]);
    regex_free(&s->any);
    if (s->has_literals) ac_free(&s->ac);
    pcre2_match_data_free(s->md);
    free(s->re);
    free(s->bits);
    free(s);
}

static pcre2_code *compile_caseless(const char *text, size_t len, char *why, size_t whylen, bool *jit) {
    int code;
    PCRE2_SIZE at;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)text, len, PCRE2_CASELESS, &code, &at, NULL);
    if (!re) {
        PCRE2_UCHAR msg[200];
        pcre2_get_error_message(code, msg, sizeof msg);
        snprintf(why, whylen, "%s at offset %zu", (const char *)msg, (size_t)at);
        return NULL;
    }
    *jit = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) == 0;
    return re;
}

/* A regex that names a byte every match must contain is already cheap to
 * reject on its own (PCRE2 looks for that byte first); in an alternation
 * it would lose that, so only the others are joined. Back references are
 * numbered across the whole pattern and (*VERBS) act across alternatives:
 * those stay out too. */
static bool joinable(const struct sig_pattern *p, const pcre2_code *code) {
    uint32_t backrefs = 0, last = 0;
    pcre2_pattern_info(code, PCRE2_INFO_BACKREFMAX, &backrefs);
    pcre2_pattern_info(code, PCRE2_INFO_LASTCODETYPE, &last);
    return backrefs == 0 && last == 0 && !memmem(p->text, p->len, "(*", 2);
}

/* "(?:r1)|(?:r2)|..." of the joinable regexes, when there are two or more. */
static void compile_alternation(struct pcre2_set *s, const struct sig_pattern *p) {
    size_t len = 0, joined = 0;
    for (size_t i = 0; i < s->nre; i++) {
        if (!joinable(&p[s->re[i].id], s->re[i].code)) continue;
        len += p[s->re[i].id].len + 5;
        joined++;
    }
    if (joined < 2) return;
    char *alt = xmalloc(len), *w = alt;
    for (size_t i = 0; i < s->nre; i++) {
        const struct sig_pattern *pi = &p[s->re[i].id];
        if (!joinable(pi, s->re[i].code)) continue;
        if (w != alt) *w++ = '|';
        memcpy(w, "(?:", 3);
        memcpy(w + 3, pi->text, pi->len);
        w[3 + pi->len] = ')';
        w += pi->len + 4;
    }
    char why[8];
    s->any.code = compile_caseless(alt, (size_t)(w - alt), why, sizeof why, &s->any.jit);
    free(alt);
    for (size_t i = 0; s->any.code && i < s->nre; i++) s->re[i].joined = joinable(&p[s->re[i].id], s->re[i].code);
}

static void *pcre2_set_compile(const struct sig_pattern *p, size_t n, size_t *bad, char *why, size_t whylen) {
    struct pcre2_set *s = xmalloc(sizeof *s);
    *s = (struct pcre2_set){ .n = n, .re = xmalloc(n * sizeof *s->re) };
    for (size_t i = 0; i < n; i++) {
        if (!p[i].regex) {
            s->has_literals = true;
            continue;
        }
        struct regex *r = &s->re[s->nre];
        *r = (struct regex){ .id = (uint32_t)i };
        if (!(r->code = compile_caseless(p[i].text, p[i].len, why, whylen, &r->jit))) {
            *bad = i;
            pcre2_set_free(s);
            return NULL;
        }
        s->nre++;
    }
    if (s->has_literals) ac_build(&s->ac, p, n);
    compile_alternation(s, p);
    s->md = pcre2_match_data_create(1, NULL);
    s->bits = calloc((n + 63) / 64, sizeof *s->bits);
    if (!s->md || !s->bits) { fputs("vigil: out of memory\n", stderr); abort(); }
    return s;
}

static bool regex_matches(struct pcre2_set *s, const struct regex *r, const char *text, size_t len) {
    int rc = r->jit ? pcre2_jit_match(r->code, (PCRE2_SPTR)text, len, 0, 0, s->md, NULL)
                    : pcre2_match(r->code, (PCRE2_SPTR)text, len, 0, 0, s->md, NULL);
    /* a resource limit (hostile backtracking) counts as no match */
    return rc >= 0;
}

/* Whether the regexes must be run one by one: no when the alternation of
 * the joined ones failed and no other exists. */
static bool alternation_matched(struct pcre2_set *s, const char *text, size_t len) {
    return s->any.code && regex_matches(s, &s->any, text, len);
}

static bool worth_running(const struct regex *r, bool joined_matched) { return !r->joined || joined_matched; }

static int pcre2_set_first(void *m, const char *text, size_t len) {
    struct pcre2_set *s = m;
    uint32_t best = s->has_literals ? ac_first(&s->ac, (const unsigned char *)text, len) : AC_NONE;
    bool joined = alternation_matched(s, text, len);
    /* only a regex with a lower id than the best literal can change it */
    for (size_t i = 0; i < s->nre && s->re[i].id < best; i++)
        if (worth_running(&s->re[i], joined) && regex_matches(s, &s->re[i], text, len)) {
            best = s->re[i].id;
            break;
        }
    return best == AC_NONE ? -1 : (int)best;
}

static unsigned pcre2_set_all(void *m, const char *text, size_t len, uint32_t *ids, unsigned max) {
    struct pcre2_set *s = m;
    if (s->has_literals) ac_all(&s->ac, (const unsigned char *)text, len, s->bits);
    bool joined = alternation_matched(s, text, len);
    for (size_t i = 0; i < s->nre; i++)
        if (worth_running(&s->re[i], joined) && regex_matches(s, &s->re[i], text, len)) set_bit(s->bits, s->re[i].id);
    unsigned found = 0;
    for (size_t w = 0; w < (s->n + 63) / 64; w++) {
        for (uint64_t b = s->bits[w]; b; b &= b - 1) {
            if (found < max) ids[found] = (uint32_t)(w * 64 + (unsigned)__builtin_ctzll(b));
            found++;
        }
        s->bits[w] = 0;
    }
    return found;
}

const struct sigset_backend sigset_pcre2_backend = {
    .name = "pcre2",
    .available = pcre2_available,
    .compile = pcre2_set_compile,
    .free = pcre2_set_free,
    .first = pcre2_set_first,
    .all = pcre2_set_all,
};
