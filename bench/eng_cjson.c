/* Candidate: cJSON (Debian's libcjson), full DOM per line + 5 lookups. */
#include <string.h>

#include <cjson/cJSON.h>

#include "jbench.h"

struct st { cJSON *doc; };
static struct st g;

static void take(const cJSON *v, struct jb_field *f) {
    if (cJSON_IsString(v) && v->valuestring) {
        f->p = v->valuestring;
        f->n = strlen(v->valuestring);
        f->ok = 1;
    }
}

static void *init(void) { return &g; }
static void fini(void *h) { (void)h; }
static void end(void *h) {
    struct st *s = h;
    cJSON_Delete(s->doc);
    s->doc = NULL;
}

static int line(void *h, const char *p, size_t len, size_t cap, struct jb_rec *r) {
    struct st *s = h;
    (void)cap;
    s->doc = cJSON_ParseWithLength(p, len);
    if (!cJSON_IsObject(s->doc)) return -1;
    take(cJSON_GetObjectItemCaseSensitive(s->doc, "verb"), &r->f[0]);
    take(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s->doc, "user"), "username"), &r->f[1]);
    take(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(s->doc, "sourceIPs"), 0), &r->f[2]);
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(s->doc, "objectRef");
    take(cJSON_GetObjectItemCaseSensitive(o, "resource"), &r->f[3]);
    take(cJSON_GetObjectItemCaseSensitive(o, "namespace"), &r->f[4]);
    return 0;
}

const struct jb_engine jb_engine = { "cjson", init, line, end, fini };
