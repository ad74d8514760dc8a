/* What sigset.c asks of a matching backend (sigset_pcre2.c,
 * sigset_hyperscan.c). The front end keeps the patterns as written, parses
 * the "re:" prefix and picks the backend; a backend only compiles and
 * matches. */
#ifndef VIGIL_SIGSET_INTERNAL_H
#define VIGIL_SIGSET_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One pattern, the "re:" prefix already taken off. */
struct sig_pattern {
    const char *text;                   /* NUL-terminated */
    size_t len;
    bool regex;                         /* else a case-insensitive substring */
};

struct sigset_backend {
    const char *name;
    /* false when this CPU cannot run it (Hyperscan needs SSSE3) */
    bool (*available)(void);
    /* Compile n >= 1 patterns. On failure returns NULL, sets *bad to the
     * index of the pattern at fault and writes why into why. */
    void *(*compile)(const struct sig_pattern *p, size_t n, size_t *bad, char *why, size_t whylen);
    /* Optional: check that compile will accept the patterns, much faster
     * than compiling them. A backend that has one is compiled at the
     * set's first match, so a run that never matches a set (a scan of
     * flows, every test case of another layer) never pays for it. */
    bool (*check)(const struct sig_pattern *p, size_t n, size_t *bad, char *why, size_t whylen);
    void (*free)(void *m);
    int (*first)(void *m, const char *text, size_t len);
    unsigned (*all)(void *m, const char *text, size_t len, uint32_t *ids, unsigned max);
};

extern const struct sigset_backend sigset_pcre2_backend;
#ifdef VIGIL_HAVE_HYPERSCAN
extern const struct sigset_backend sigset_hyperscan_backend;
#endif
#endif
