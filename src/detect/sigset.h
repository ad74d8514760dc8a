/* The signature engine: a named list of patterns compiled once, matched
 * many times against one field of an event (a URL path, a user agent, a
 * command line).
 *
 * The lists are data in the config (docs/CONFIG.md), never code. A pattern
 * is written as:
 *     text          the text anywhere in the field, case-insensitive
 *     re:REGEX      a PCRE-style regular expression, case-insensitive
 *                   (anchor it with ^ and $ for prefix / suffix / whole)
 *
 * Two backends sit behind this one API: Hyperscan (all patterns of a set
 * in one automaton, one pass per field) where it was found at build time,
 * PCRE2 (literals in one Aho-Corasick pass, regexes JIT-compiled) otherwise.
 * Which one is used, and why, is in bench/README.md ("Signatures").
 *
 * A set is not thread-safe: matching uses scratch space kept in the set. */
#ifndef VIGIL_SIGSET_H
#define VIGIL_SIGSET_H
#include <stddef.h>
#include <stdint.h>

struct sigset;
struct strlist;

/* Compile patterns; pattern ids are their positions. On failure returns
 * NULL and writes "<name>: pattern N (<text>): <why>" into err, N counting
 * from 1 as a person reads the config list. An empty list compiles to a set
 * that never matches; an empty pattern (or "re:" alone) is an error, since
 * it would match every field. */
struct sigset *sigset_compile(const char *name, const char *const *patterns, size_t n,
                              char *err, size_t errlen);
/* The same from a config list. */
struct sigset *sigset_from_list(const char *name, const struct strlist *list,
                                char *err, size_t errlen);
void sigset_free(struct sigset *s);

/* The lowest id of a pattern that matches text, or -1 when none does. */
int sigset_first(struct sigset *s, const char *text, size_t len);
/* Every matching id, ascending, at most max of them written to ids;
 * returns how many matched (may exceed max). */
unsigned sigset_all(struct sigset *s, const char *text, size_t len, uint32_t *ids, unsigned max);

size_t sigset_count(const struct sigset *s);
const char *sigset_name(const struct sigset *s);
/* The pattern as written in the config (with its "re:" prefix). */
const char *sigset_pattern(const struct sigset *s, unsigned id);
/* "hyperscan" or "pcre2": what sets compiled now match with. The default is
 * the faster one built in (bench/README.md); the environment variable
 * VIGIL_SIGSET_BACKEND=pcre2|hyperscan, read once at the first compile,
 * overrides it for tests and benchmarks. */
const char *sigset_backend(void);
/* Make sets compiled from now on use the named backend (tests and
 * benchmarks compare them). Returns -1, changing nothing, when this build
 * lacks it or this CPU cannot run it. Sets already compiled keep theirs. */
int sigset_use_backend(const char *name);
#endif
