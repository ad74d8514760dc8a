/* The Hyperscan backend: every pattern of a set in one block-mode database,
 * so a field is read once whatever the number of patterns. Literals are
 * escaped byte by byte into the regex syntax, so they mean exactly their
 * bytes; everything is HS_FLAG_CASELESS (ASCII folding, as in the PCRE2
 * backend) and HS_FLAG_SINGLEMATCH (we need which patterns matched, not
 * where or how often). Built only where CMake found libhs. */
#ifdef VIGIL_HAVE_HYPERSCAN
#include <hs.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/sigset_internal.h"

struct hs_set {
    hs_database_t *db;
    hs_scratch_t *scratch;              /* allocated once: a set is not shared across threads */
    uint64_t *hits;                     /* one bit per pattern, for sigset_all */
    size_t n;
};

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) { fputs("vigil: out of memory\n", stderr); abort(); }
    return p;
}

static bool hs_available(void) { return hs_valid_platform() == HS_SUCCESS; }

static bool plain_byte(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* A literal as a Hyperscan expression: letters and digits as themselves,
 * every other byte as \xHH (no metacharacter survives). Caller frees. */
static char *escape_literal(const char *text, size_t len) {
    static const char hex[] = "0123456789abcdef";
    char *out = xmalloc(4 * len + 1), *w = out;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (plain_byte(c)) {
            *w++ = (char)c;
            continue;
        }
        *w++ = '\\'; *w++ = 'x'; *w++ = hex[c >> 4]; *w++ = hex[c & 15];
    }
    *w = 0;
    return out;
}

static void hs_set_free(void *m) {
    struct hs_set *s = m;
    hs_free_scratch(s->scratch);
    hs_free_database(s->db);
    free(s->hits);
    free(s);
}

/* Hyperscan compiles a set of 80 patterns in up to 250 ms (bench/README.md);
 * parsing each one alone to learn whether it is accepted costs well under
 * a millisecond. */
static bool hs_set_check(const struct sig_pattern *p, size_t n, size_t *bad, char *why, size_t whylen) {
    for (size_t i = 0; i < n; i++) {
        char *lit = p[i].regex ? NULL : escape_literal(p[i].text, p[i].len);
        unsigned flags = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH | (p[i].regex ? HS_FLAG_ALLOWEMPTY : 0);
        hs_expr_info_t *info = NULL;
        hs_compile_error_t *cerr = NULL;
        hs_error_t rc = hs_expression_info(lit ? lit : p[i].text, flags, &info, &cerr);
        free(lit);
        free(info);
        if (rc != HS_SUCCESS) {
            *bad = i;
            snprintf(why, whylen, "%s", cerr ? cerr->message : "Hyperscan cannot compile it");
            hs_free_compile_error(cerr);
            return false;
        }
    }
    return true;
}

static void *hs_set_compile(const struct sig_pattern *p, size_t n, size_t *bad, char *why, size_t whylen) {
    if (n > UINT_MAX) {
        *bad = UINT_MAX;
        snprintf(why, whylen, "too many patterns for Hyperscan");
        return NULL;
    }
    char **expr = xmalloc(n * sizeof *expr);
    unsigned *flags = xmalloc(n * sizeof *flags);
    unsigned *ids = xmalloc(n * sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        expr[i] = p[i].regex ? NULL : escape_literal(p[i].text, p[i].len);
        flags[i] = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH | (p[i].regex ? HS_FLAG_ALLOWEMPTY : 0);
        ids[i] = (unsigned)i;
    }
    const char **exprs = xmalloc(n * sizeof *exprs);
    for (size_t i = 0; i < n; i++) exprs[i] = expr[i] ? expr[i] : p[i].text;
    struct hs_set *s = xmalloc(sizeof *s);
    *s = (struct hs_set){ .n = n };
    hs_compile_error_t *cerr = NULL;
    if (hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL, &s->db, &cerr) != HS_SUCCESS) {
        *bad = cerr && cerr->expression >= 0 ? (size_t)cerr->expression : n;
        snprintf(why, whylen, "%s", cerr ? cerr->message : "Hyperscan cannot compile the set");
        hs_free_compile_error(cerr);
        s->db = NULL;
    } else if (hs_alloc_scratch(s->db, &s->scratch) != HS_SUCCESS) {
        fputs("vigil: out of memory (Hyperscan scratch)\n", stderr);
        abort();
    }
    for (size_t i = 0; i < n; i++) free(expr[i]);
    free(expr);
    free(exprs);
    free(flags);
    free(ids);
    if (!s->db) {
        free(s);
        return NULL;
    }
    s->hits = calloc((n + 63) / 64, sizeof *s->hits);
    if (!s->hits) { fputs("vigil: out of memory\n", stderr); abort(); }
    return s;
}

/* Fields longer than Hyperscan's unsigned length are matched on their
 * first 4 GiB: no log field comes near. */
static unsigned scan_len(size_t len) { return len > UINT_MAX ? UINT_MAX : (unsigned)len; }

/* Ids arrive in match order, not id order: keep the lowest, and stop at 0
 * since nothing can beat it. */
static int on_first(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx) {
    (void)from; (void)to; (void)flags;
    int *lowest = ctx;
    if (*lowest < 0 || (int)id < *lowest) *lowest = (int)id;
    return id == 0;
}

static int hs_set_first(void *m, const char *text, size_t len) {
    struct hs_set *s = m;
    int lowest = -1;
    hs_scan(s->db, text, scan_len(len), 0, s->scratch, on_first, &lowest);
    return lowest;
}

static int on_all(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx) {
    (void)from; (void)to; (void)flags;
    uint64_t *hits = ctx;
    hits[id / 64] |= UINT64_C(1) << (id % 64);
    return 0;
}

/* The bitmap gives the ids ascending; it is cleared as it is read, so the
 * next call starts empty. */
static unsigned hs_set_all(void *m, const char *text, size_t len, uint32_t *ids, unsigned max) {
    struct hs_set *s = m;
    hs_scan(s->db, text, scan_len(len), 0, s->scratch, on_all, s->hits);
    unsigned found = 0;
    for (size_t w = 0; w < (s->n + 63) / 64; w++) {
        for (uint64_t bits = s->hits[w]; bits; bits &= bits - 1) {
            if (found < max) ids[found] = (uint32_t)(w * 64 + (unsigned)__builtin_ctzll(bits));
            found++;
        }
        s->hits[w] = 0;
    }
    return found;
}

const struct sigset_backend sigset_hyperscan_backend = {
    .name = "hyperscan",
    .available = hs_available,
    .compile = hs_set_compile,
    .check = hs_set_check,
    .free = hs_set_free,
    .first = hs_set_first,
    .all = hs_set_all,
};
#else
/* ISO C wants something in every translation unit. */
typedef int sigset_hyperscan_not_built;
#endif
