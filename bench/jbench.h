/* JSON field-extraction benchmark: the interface between the harness
 * (jbench.c) and one parser candidate (eng_*.c). Each executable links the
 * harness with exactly one engine file, because some libraries cannot share
 * a binary (json-c and jansson both define json_object, json_type, ...).
 *
 * Every candidate extracts the same five fields from each k8s audit line,
 * in document order:
 *   f[0] verb   f[1] user.username   f[2] sourceIPs[0]
 *   f[3] objectRef.resource          f[4] objectRef.namespace
 * A field that is missing or not a string is absent (ok = 0). Strings are
 * unescaped, so every candidate yields the same bytes and checksum. */
#ifndef VIGIL_JBENCH_H
#define VIGIL_JBENCH_H
#include <stddef.h>

#define JB_FIELDS 5
#define JB_PADDING 64 /* readable zero bytes after the corpus (simdjson) */

struct jb_field { const char *p; size_t n; int ok; };
struct jb_rec { struct jb_field f[JB_FIELDS]; };

struct jb_engine {
    const char *name;
    void *(*init)(void);
    /* Parse line[0..len); line[len..cap) is readable (cap >= len + 64).
     * Fill r (pre-zeroed); the slices must stay valid until end(). Returns
     * 0, or -1 when the line is not valid JSON / not an object. */
    int (*line)(void *h, const char *line, size_t len, size_t cap, struct jb_rec *r);
    /* Release what line() allocated for this record (DOM trees). */
    void (*end)(void *h);
    void (*fini)(void *h);
};

extern const struct jb_engine jb_engine; /* defined by the eng_*.c file */
#endif
