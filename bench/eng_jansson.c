/* Candidate: jansson, json_loadb per line (full DOM) + 5 lookups. */
#include <jansson.h>

#include "jbench.h"

struct st { json_t *doc; };
static struct st g;

static void take(const json_t *v, struct jb_field *f) {
    if (json_is_string(v)) {
        f->p = json_string_value(v);
        f->n = json_string_length(v);
        f->ok = 1;
    }
}

static void *init(void) { return &g; }
static void fini(void *h) { (void)h; }
static void end(void *h) {
    struct st *s = h;
    json_decref(s->doc);
    s->doc = NULL;
}

static int line(void *h, const char *p, size_t len, size_t cap, struct jb_rec *r) {
    struct st *s = h;
    json_error_t err;
    (void)cap;
    s->doc = json_loadb(p, len, 0, &err);
    if (!json_is_object(s->doc)) return -1;
    take(json_object_get(s->doc, "verb"), &r->f[0]);
    take(json_object_get(json_object_get(s->doc, "user"), "username"), &r->f[1]);
    take(json_array_get(json_object_get(s->doc, "sourceIPs"), 0), &r->f[2]);
    const json_t *o = json_object_get(s->doc, "objectRef");
    take(json_object_get(o, "resource"), &r->f[3]);
    take(json_object_get(o, "namespace"), &r->f[4]);
    return 0;
}

const struct jb_engine jb_engine = { "jansson", init, line, end, fini };
