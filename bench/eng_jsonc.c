/* Candidate: json-c, one reused tokener, full DOM per line + 5 lookups. */
#include <json-c/json.h>

#include "jbench.h"

struct st { json_tokener *tok; json_object *doc; };
static struct st g;

static void take(json_object *v, struct jb_field *f) {
    if (v && json_object_is_type(v, json_type_string)) {
        f->p = json_object_get_string(v);
        f->n = (size_t)json_object_get_string_len(v);
        f->ok = 1;
    }
}

static json_object *get(json_object *o, const char *k) {
    json_object *v = NULL;
    if (o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, k, &v)) return v;
    return NULL;
}

static void *init(void) {
    g.tok = json_tokener_new();
    return g.tok ? &g : NULL;
}
static void fini(void *h) { json_tokener_free(((struct st *)h)->tok); }
static void end(void *h) {
    struct st *s = h;
    json_object_put(s->doc);
    s->doc = NULL;
}

static int line(void *h, const char *p, size_t len, size_t cap, struct jb_rec *r) {
    struct st *s = h;
    (void)cap;
    json_tokener_reset(s->tok);
    s->doc = json_tokener_parse_ex(s->tok, p, (int)len);
    if (!s->doc || json_tokener_get_error(s->tok) != json_tokener_success ||
        !json_object_is_type(s->doc, json_type_object))
        return -1;
    take(get(s->doc, "verb"), &r->f[0]);
    take(get(get(s->doc, "user"), "username"), &r->f[1]);
    json_object *a = get(s->doc, "sourceIPs");
    if (a && json_object_is_type(a, json_type_array) && json_object_array_length(a) > 0)
        take(json_object_array_get_idx(a, 0), &r->f[2]);
    json_object *o = get(s->doc, "objectRef");
    take(get(o, "resource"), &r->f[3]);
    take(get(o, "namespace"), &r->f[4]);
    return 0;
}

const struct jb_engine jb_engine = { "json-c", init, line, end, fini };
