/* The PCRE2 backend: each pattern on its own, in id order.
 *
 * Literals never reach the regex engine: the field is lower-cased once per
 * call into a buffer kept in the set, and each literal (stored lower case)
 * is a memmem over it. Regexes are compiled with PCRE2_CASELESS and JIT'd;
 * where the JIT is missing (an architecture PCRE2 has none for) the
 * interpreter runs the same code. ASCII-only case folding, as in Hyperscan,
 * so both backends agree on every byte. */
#define _GNU_SOURCE  /* memmem */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/sigset_internal.h"

struct pcre2_sig {
    char *lower;                        /* literal, lower case; NULL for a regex */
    size_t len;
    pcre2_code *code;                   /* regex; NULL for a literal */
    bool jit;
};

struct pcre2_set {
    struct pcre2_sig *sig;
    size_t n;
    bool has_literals;
    pcre2_match_data *md;
    char *folded;                       /* the field, lower case */
    size_t folded_cap;
};

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) { fputs("vigil: out of memory\n", stderr); abort(); }
    return p;
}

static inline unsigned char ascii_lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

static void lower_into(char *dst, const char *src, size_t n) {
    for (size_t i = 0; i < n; i++) dst[i] = (char)ascii_lower((unsigned char)src[i]);
}

static bool pcre2_available(void) { return true; }

static void pcre2_set_free(void *m) {
    struct pcre2_set *s = m;
    for (size_t i = 0; i < s->n; i++) {
        free(s->sig[i].lower);
        pcre2_code_free(s->sig[i].code);
    }
    pcre2_match_data_free(s->md);
    free(s->sig);
    free(s->folded);
    free(s);
}

static bool compile_regex(struct pcre2_sig *sig, const struct sig_pattern *p, char *why, size_t whylen) {
    int code;
    PCRE2_SIZE at;
    sig->code = pcre2_compile((PCRE2_SPTR)p->text, p->len, PCRE2_CASELESS, &code, &at, NULL);
    if (!sig->code) {
        PCRE2_UCHAR msg[200];
        pcre2_get_error_message(code, msg, sizeof msg);
        snprintf(why, whylen, "%s at offset %zu", (const char *)msg, (size_t)at);
        return false;
    }
    sig->jit = pcre2_jit_compile(sig->code, PCRE2_JIT_COMPLETE) == 0;
    return true;
}

static void *pcre2_set_compile(const struct sig_pattern *p, size_t n, size_t *bad, char *why, size_t whylen) {
    struct pcre2_set *s = xmalloc(sizeof *s);
    *s = (struct pcre2_set){ .sig = xmalloc(n * sizeof *s->sig), .n = 0 };
    for (size_t i = 0; i < n; i++, s->n++) {
        struct pcre2_sig *sig = &s->sig[i];
        *sig = (struct pcre2_sig){ .len = p[i].len };
        if (!p[i].regex) {
            sig->lower = xmalloc(p[i].len);
            lower_into(sig->lower, p[i].text, p[i].len);
            s->has_literals = true;
        } else if (!compile_regex(sig, &p[i], why, whylen)) {
            *bad = i;
            pcre2_set_free(s);
            return NULL;
        }
    }
    s->md = pcre2_match_data_create(1, NULL);
    if (!s->md) { fputs("vigil: out of memory\n", stderr); abort(); }
    return s;
}

/* The folded copy of the field for the literals; the buffer only grows,
 * so a steady stream of fields allocates nothing. */
static const char *fold(struct pcre2_set *s, const char *text, size_t len) {
    if (!s->has_literals) return NULL;
    if (len > s->folded_cap) {
        free(s->folded);
        s->folded_cap = len < 256 ? 256 : len;
        s->folded = xmalloc(s->folded_cap);
    }
    lower_into(s->folded, text, len);
    return s->folded;
}

static bool sig_matches(struct pcre2_set *s, const struct pcre2_sig *sig, const char *text, const char *folded,
                        size_t len) {
    if (!sig->code) return sig->len <= len && memmem(folded, len, sig->lower, sig->len) != NULL;
    int rc = sig->jit ? pcre2_jit_match(sig->code, (PCRE2_SPTR)text, len, 0, 0, s->md, NULL)
                      : pcre2_match(sig->code, (PCRE2_SPTR)text, len, 0, 0, s->md, NULL);
    /* a resource limit (hostile backtracking) counts as no match */
    return rc >= 0;
}

static int pcre2_set_first(void *m, const char *text, size_t len) {
    struct pcre2_set *s = m;
    const char *folded = fold(s, text, len);
    for (size_t i = 0; i < s->n; i++)
        if (sig_matches(s, &s->sig[i], text, folded, len)) return (int)i;
    return -1;
}

static unsigned pcre2_set_all(void *m, const char *text, size_t len, uint32_t *ids, unsigned max) {
    struct pcre2_set *s = m;
    const char *folded = fold(s, text, len);
    unsigned found = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (!sig_matches(s, &s->sig[i], text, folded, len)) continue;
        if (found < max) ids[found] = (uint32_t)i;
        found++;
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
