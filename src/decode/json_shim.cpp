// The only C++ in vigil: simdjson On-Demand behind the C API of json.h.
//
// Handles (jval, jiter) are opaque byte blocks that hold the small,
// trivially copyable On-Demand iterator objects. Errors other than
// "absent" (missing key, other type) are made sticky in the parser so a
// decoder can reject the whole record once, at the end.
#include <new>
#include <type_traits>

#include "simdjson.h"

extern "C" {
#include "decode/json.h"
}

using namespace simdjson;

struct jparser {
    ondemand::parser parser;
    ondemand::document doc;
    error_code err = SUCCESS;
};

namespace {

struct obj_walk {
    ondemand::object obj;
    ondemand::object_iterator it;
    bool started;
};
struct arr_walk {
    ondemand::array arr;
    ondemand::array_iterator it;
    bool started;
};

static_assert(sizeof(ondemand::value) <= sizeof(jval), "jval too small");
static_assert(sizeof(obj_walk) <= sizeof(jiter), "jiter too small for objects");
static_assert(sizeof(arr_walk) <= sizeof(jiter), "jiter too small for arrays");
static_assert(std::is_trivially_copyable<ondemand::value>::value, "value must be copyable");
static_assert(std::is_trivially_destructible<obj_walk>::value, "obj_walk must be trivial");
static_assert(std::is_trivially_destructible<arr_walk>::value, "arr_walk must be trivial");

// One parser per thread of decoding at a time; the C API is single-threaded
// per jparser, so the "current parser" for error recording travels with the
// handle through this pointer stored beside each walk.
inline ondemand::value &V(jval *v) { return *std::launder(reinterpret_cast<ondemand::value *>(v->b)); }
inline obj_walk &OW(jiter *it) { return *std::launder(reinterpret_cast<obj_walk *>(it->b)); }
inline arr_walk &AW(jiter *it) { return *std::launder(reinterpret_cast<arr_walk *>(it->b)); }

thread_local jparser *g_cur = nullptr;  // parser of the document being walked

// Missing / other type: absent. Anything else poisons the record.
inline bool ok(error_code e) {
    if (!e) return true;
    if (e != NO_SUCH_FIELD && e != INCORRECT_TYPE && e != INDEX_OUT_OF_BOUNDS &&
        e != NUMBER_OUT_OF_RANGE && g_cur && !g_cur->err)
        g_cur->err = e;
    return false;
}

}  // namespace

extern "C" {

jparser *jparser_new(void) { return new (std::nothrow) jparser(); }
void jparser_free(jparser *p) { delete p; }

bool jparse(jparser *p, const char *buf, size_t len, size_t cap, jval *root) {
    g_cur = p;
    p->err = SUCCESS;
    error_code e = p->parser.iterate(padded_string_view(buf, len, cap)).get(p->doc);
    if (e) { p->err = e; return false; }
    ondemand::value v;
    e = p->doc.get_value().get(v);
    if (e) { p->err = e; return false; }
    new (static_cast<void *>(root->b)) ondemand::value(v);
    return true;
}

bool jparse_at_end(jparser *p) {
    if (p->err) return false;
    const char *loc;
    // 3.0.1 has no document::at_end(); past the last token the location is
    // out of bounds, and anything else means trailing content.
    return p->doc.current_location().get(loc) == OUT_OF_BOUNDS;
}
int jparser_error(const jparser *p) { return static_cast<int>(p->err); }
const char *jparser_errmsg(const jparser *p) { return error_message(p->err); }

enum jtype jv_type(jval *v) {
    ondemand::json_type t;
    if (!ok(V(v).type().get(t))) return JT_NONE;
    switch (t) {
    case ondemand::json_type::object: return JT_OBJECT;
    case ondemand::json_type::array: return JT_ARRAY;
    case ondemand::json_type::string: return JT_STRING;
    case ondemand::json_type::number: return JT_NUMBER;
    case ondemand::json_type::boolean: return JT_BOOL;
    case ondemand::json_type::null: return JT_NULL;
    }
    return JT_NONE;
}

bool jv_str(jval *v, vstr *out) {
    std::string_view sv;
    if (!ok(V(v).get_string().get(sv))) return false;
    out->p = sv.data();
    out->n = sv.size();
    return true;
}

bool jv_bool(jval *v, bool *out) {
    error_code e = V(v).get_bool().get(*out);
    if (e == INCORRECT_TYPE) {
        // A token that starts like true/false but is not one ("tru") is a
        // broken literal, not a value of another type.
        ondemand::json_type t;
        if (!V(v).type().get(t) && t == ondemand::json_type::boolean) e = TAPE_ERROR;
    }
    return ok(e);
}
bool jv_i64(jval *v, int64_t *out) { return ok(V(v).get_int64().get(*out)); }
bool jv_f64(jval *v, double *out) { return ok(V(v).get_double().get(*out)); }

bool jv_is_null(jval *v) {
    bool b = false;
    return ok(V(v).is_null().get(b)) && b;
}

bool jv_raw(jval *v, vstr *out) {
    ondemand::json_type t;
    if (!ok(V(v).type().get(t))) return false;
    std::string_view sv;
    if (t == ondemand::json_type::object) {
        ondemand::object o;
        if (!ok(V(v).get_object().get(o)) || !ok(o.raw_json().get(sv))) return false;
    } else if (t == ondemand::json_type::array) {
        ondemand::array a;
        if (!ok(V(v).get_array().get(a)) || !ok(a.raw_json().get(sv))) return false;
    } else {
        sv = V(v).raw_json_token();
    }
    out->p = sv.data();
    out->n = sv.size();
    return true;
}

bool jv_obj_begin(jval *v, jiter *it) {
    obj_walk *w = new (static_cast<void *>(it->b)) obj_walk();
    w->started = false;
    if (!ok(V(v).get_object().get(w->obj))) return false;
    return ok(w->obj.begin().get(w->it));
}

bool jv_obj_next(jiter *it, vstr *key, jval *val) {
    obj_walk &w = OW(it);
    // Advance only now: the caller has had the chance to consume the value
    // of the previous field, and ++ skips it if they did not.
    if (w.started) ++w.it;
    w.started = true;
    ondemand::object_iterator end;
    if (!ok(w.obj.end().get(end)) || !(w.it != end)) return false;
    ondemand::field f;
    if (!ok((*w.it).get(f))) return false;
    // Keys are compared in place when they hold no escape (nearly always):
    // unescaping every key would copy each one into the string buffer.
    const char *raw = f.key().raw();
    size_t n = 0;
    while (raw[n] != '"' && raw[n] != '\\') n++;
    if (raw[n] == '"') {
        key->p = raw;
        key->n = n;
    } else {
        std::string_view k;
        if (!ok(f.unescaped_key().get(k))) return false;
        key->p = k.data();
        key->n = k.size();
    }
    new (static_cast<void *>(val->b)) ondemand::value(f.value());
    return true;
}

bool jv_arr_begin(jval *v, jiter *it) {
    arr_walk *w = new (static_cast<void *>(it->b)) arr_walk();
    w->started = false;
    if (!ok(V(v).get_array().get(w->arr))) return false;
    return ok(w->arr.begin().get(w->it));
}

bool jv_arr_next(jiter *it, jval *val) {
    arr_walk &w = AW(it);
    if (w.started) ++w.it;
    w.started = true;
    ondemand::array_iterator end;
    if (!ok(w.arr.end().get(end)) || !(w.it != end)) return false;
    ondemand::value v;
    if (!ok((*w.it).get(v))) return false;
    new (static_cast<void *>(val->b)) ondemand::value(v);
    return true;
}

}  // extern "C"
