/* Candidate: simdjson On-Demand through vigil's own C API (src/decode/json.h,
 * the shim in src/decode/json_shim.cpp, linked from the vigilcore library).
 * The root object is walked in document order and abandoned once objectRef
 * has been read, as simdjson's find_field() would: this is the raw
 * extraction speed the whole engine is compared with. */
#include <stdlib.h>
#include <string.h>

#include "decode/json.h"
#include "jbench.h"

static int key(vstr k, const char *lit, size_t n) { return k.n == n && memcmp(k.p, lit, n) == 0; }
#define KEY(k, lit) key((k), (lit), sizeof(lit) - 1)

static void take(jval *v, struct jb_field *f) {
    vstr s;
    if (jv_str(v, &s)) {
        f->p = s.p;
        f->n = s.n;
        f->ok = 1;
    }
}

static void *init(void) { return jparser_new(); }
static void fini(void *h) { jparser_free(h); }

static int line(void *h, const char *p, size_t len, size_t cap, struct jb_rec *r) {
    jparser *jp = h;
    jval root, v, c;
    jiter it, sub;
    vstr k;
    if (!jparse(jp, p, len, cap, &root) || !jv_obj_begin(&root, &it)) return -1;
    while (jv_obj_next(&it, &k, &v)) {
        if (KEY(k, "verb")) {
            take(&v, &r->f[0]);
        } else if (KEY(k, "user")) {
            if (jv_obj_begin(&v, &sub))
                while (jv_obj_next(&sub, &k, &c))
                    if (KEY(k, "username")) { take(&c, &r->f[1]); break; }
        } else if (KEY(k, "sourceIPs")) {
            if (jv_arr_begin(&v, &sub) && jv_arr_next(&sub, &c)) take(&c, &r->f[2]);
        } else if (KEY(k, "objectRef")) {
            if (jv_obj_begin(&v, &sub))
                while (jv_obj_next(&sub, &k, &c)) {
                    if (KEY(k, "resource")) take(&c, &r->f[3]);
                    else if (KEY(k, "namespace")) { take(&c, &r->f[4]); break; }
                }
            break; /* the five fields are all at or before objectRef */
        }
    }
    return jparser_error(jp) ? -1 : 0;
}

const struct jb_engine jb_engine = { "vigil-shim", init, line, NULL, fini };
