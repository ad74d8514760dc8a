/* The signature engine's front end: keeps each pattern as written (for
 * evidence and errors), splits off "re:", picks a backend and hands the
 * set to it. The backends are in sigset_pcre2.c and sigset_hyperscan.c. */
#include "detect/sigset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "detect/sigset_internal.h"

#define REGEX_PREFIX "re:"

/* Which backend is fastest for our workloads (bench/README.md,
 * "Signatures"); PCRE2 where Hyperscan was not built in. */
#ifdef VIGIL_HAVE_HYPERSCAN
#define DEFAULT_BACKEND (&sigset_hyperscan_backend)
#else
#define DEFAULT_BACKEND (&sigset_pcre2_backend)
#endif

static const struct sigset_backend *const backends[] = {
#ifdef VIGIL_HAVE_HYPERSCAN
    &sigset_hyperscan_backend,
#endif
    &sigset_pcre2_backend,
};

static const struct sigset_backend *chosen;

struct sigset {
    char *name;
    char **written;                     /* as in the config, "re:" kept */
    size_t n;
    const struct sigset_backend *be;
    void *m;                            /* the backend's compiled set; NULL when n == 0 or not yet built */
    struct sig_pattern *deferred;       /* checked, to be compiled at the first match (be->check) */
};

static const struct sigset_backend *backend_named(const char *name) {
    for (size_t i = 0; i < sizeof backends / sizeof *backends; i++)
        if (strcmp(backends[i]->name, name) == 0 && backends[i]->available()) return backends[i];
    return NULL;
}

int sigset_use_backend(const char *name) {
    const struct sigset_backend *be = backend_named(name);
    if (!be) return -1;
    chosen = be;
    return 0;
}

/* The environment is read once, at the first question, so a benchmark or a
 * test run can force a backend without a rebuild. A CPU that cannot run
 * Hyperscan gets PCRE2. */
static const struct sigset_backend *current_backend(void) {
    if (chosen) return chosen;
    const char *env = getenv("VIGIL_SIGSET_BACKEND");
    if (env && *env && !(chosen = backend_named(env)))
        fprintf(stderr, "vigil: VIGIL_SIGSET_BACKEND=%s is not built in or cannot run here; using %s\n", env,
                DEFAULT_BACKEND->available() ? DEFAULT_BACKEND->name : sigset_pcre2_backend.name);
    if (!chosen) chosen = DEFAULT_BACKEND->available() ? DEFAULT_BACKEND : &sigset_pcre2_backend;
    return chosen;
}

const char *sigset_backend(void) { return current_backend()->name; }

static char *xstrdup(const char *s) {
    char *d = strdup(s);
    if (!d) { fputs("vigil: out of memory\n", stderr); abort(); }
    return d;
}

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p) { fputs("vigil: out of memory\n", stderr); abort(); }
    return p;
}

void sigset_free(struct sigset *s) {
    if (!s) return;
    if (s->m) s->be->free(s->m);
    free(s->deferred);
    for (size_t i = 0; i < s->n; i++) free(s->written[i]);
    free(s->written);
    free(s->name);
    free(s);
}

static void compile_error(char *err, size_t errlen, const char *name, size_t i, const char *pattern,
                          const char *why) {
    if (errlen) snprintf(err, errlen, "%s: pattern %zu (%s): %s", name, i + 1, pattern, why);
}

/* Split "re:" off each pattern; an empty one is a mistake in the config
 * (it would match every field), not a pattern. */
static bool parse_patterns(const char *name, const char *const *patterns, size_t n, struct sig_pattern *out,
                           char *err, size_t errlen) {
    for (size_t i = 0; i < n; i++) {
        const char *p = patterns[i] ? patterns[i] : "";
        bool re = strncmp(p, REGEX_PREFIX, strlen(REGEX_PREFIX)) == 0;
        const char *text = re ? p + strlen(REGEX_PREFIX) : p;
        if (!*text) {
            compile_error(err, errlen, name, i, p, re ? "empty regular expression" : "empty pattern");
            return false;
        }
        out[i] = (struct sig_pattern){ .text = text, .len = strlen(text), .regex = re };
    }
    return true;
}

struct sigset *sigset_compile(const char *name, const char *const *patterns, size_t n, char *err,
                              size_t errlen) {
    struct sig_pattern *parsed = xcalloc(n, sizeof *parsed);
    struct sigset *s = xcalloc(1, sizeof *s);
    s->name = xstrdup(name);
    s->be = current_backend();
    if (!parse_patterns(name, patterns, n, parsed, err, errlen)) goto fail;
    if (n) {
        size_t bad = 0;
        char why[256] = "";
        bool ok = s->be->check ? s->be->check(parsed, n, &bad, why, sizeof why)
                               : (s->m = s->be->compile(parsed, n, &bad, why, sizeof why)) != NULL;
        if (!ok) {
            compile_error(err, errlen, name, bad, bad < n ? patterns[bad] : "?", why);
            goto fail;
        }
    }
    s->written = xcalloc(n, sizeof *s->written);
    for (size_t i = 0; i < n; i++) s->written[i] = xstrdup(patterns[i]);
    s->n = n;
    if (n && !s->m) {
        /* the texts must outlive this call: point them at our own copies */
        for (size_t i = 0; i < n; i++) {
            bool re = strncmp(s->written[i], REGEX_PREFIX, strlen(REGEX_PREFIX)) == 0;
            parsed[i].text = s->written[i] + (re ? strlen(REGEX_PREFIX) : 0);
        }
        s->deferred = parsed;
        return s;
    }
    free(parsed);
    return s;
fail:
    free(parsed);
    sigset_free(s);
    return NULL;
}

struct sigset *sigset_from_list(const char *name, const struct strlist *list, char *err, size_t errlen) {
    return sigset_compile(name, (const char *const *)list->v, list->n, err, errlen);
}

/* The check at sigset_compile vouched for each pattern, but a whole set
 * can still exceed a backend's limits. Then the set is matched by PCRE2,
 * which has none of that kind, and the user is told; matching nothing
 * would be a silent blind spot. */
static void build_deferred(struct sigset *s) {
    size_t bad = 0;
    char why[256] = "";
    s->m = s->be->compile(s->deferred, s->n, &bad, why, sizeof why);
    if (!s->m && s->be != &sigset_pcre2_backend) {
        fprintf(stderr, "vigil: %s: %s cannot compile the set (%s); matching it with pcre2\n", s->name, s->be->name,
                why);
        s->be = &sigset_pcre2_backend;
        s->m = s->be->compile(s->deferred, s->n, &bad, why, sizeof why);
    }
    if (!s->m) {
        fprintf(stderr, "vigil: %s: pattern %zu: %s\n", s->name, bad + 1, why);
        abort();
    }
    free(s->deferred);
    s->deferred = NULL;
}

/* An empty vstr may carry a NULL pointer, which PCRE2 refuses. */
int sigset_first(struct sigset *s, const char *text, size_t len) {
    if (!s->n) return -1;
    if (!s->m) build_deferred(s);
    if (!len) text = "";
    return s->be->first(s->m, text, len);
}

unsigned sigset_all(struct sigset *s, const char *text, size_t len, uint32_t *ids, unsigned max) {
    if (!s->n) return 0;
    if (!s->m) build_deferred(s);
    if (!len) text = "";
    return s->be->all(s->m, text, len, ids, max);
}

size_t sigset_count(const struct sigset *s) { return s->n; }

const char *sigset_name(const struct sigset *s) { return s->name; }

const char *sigset_pattern(const struct sigset *s, unsigned id) { return id < s->n ? s->written[id] : NULL; }
