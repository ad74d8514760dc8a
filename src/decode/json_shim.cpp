// The only C++ in vigil: simdjson On-Demand behind the C API of json.h.
//
// Handles (jval, jiter) are opaque byte blocks that hold the small,
// trivially copyable On-Demand iterator objects. A jval holds an
// ondemand::value, which is exactly one value_iterator; a walk keeps the
// value_iterator of its object or array and drives it with the same calls
// simdjson's object_iterator / array_iterator make (skip_child,
// has_next_field / has_next_element, field_key, field_value, child), but
// writes each child straight into the caller's jval instead of building a
// field or value temporary and copying it.
//
// Errors other than "absent" (missing key, other type) are made sticky in
// the parser so a decoder can reject the whole record once, at the end.
#include <cstring>
#include <new>
#include <type_traits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "simdjson.h"

extern "C" {
#include "decode/json.h"
}

using namespace simdjson;
using ondemand::raw_json_string;
using ondemand::value_iterator;

struct jparser {
    ondemand::parser parser;
    ondemand::document doc;
    error_code err = SUCCESS;
};

namespace {

struct obj_walk {
    value_iterator it;   // the object's own iterator
    bool started;        // a field has been handed out (skip its value on the next call)
};
using arr_walk = obj_walk;

static_assert(sizeof(ondemand::value) == sizeof(value_iterator), "a value is one value_iterator");
static_assert(std::is_standard_layout<ondemand::value>::value, "value must be standard layout");
static_assert(sizeof(ondemand::value) <= sizeof(jval), "jval too small");
static_assert(sizeof(obj_walk) <= sizeof(jiter), "jiter too small");
static_assert(std::is_trivially_copyable<ondemand::value>::value, "value must be copyable");
static_assert(std::is_trivially_copyable<value_iterator>::value, "value_iterator must be copyable");
static_assert(std::is_trivially_destructible<obj_walk>::value, "obj_walk must be trivial");

inline ondemand::value &V(jval *v) { return *std::launder(reinterpret_cast<ondemand::value *>(v->b)); }
// The value_iterator inside a value (its only member, at offset 0).
inline value_iterator &VI(jval *v) { return *std::launder(reinterpret_cast<value_iterator *>(v->b)); }
inline obj_walk &W(jiter *it) { return *std::launder(reinterpret_cast<obj_walk *>(it->b)); }

// value_iterator's three members, reachable through member pointers taken
// in a derived class. Iterators are copied member by member: a plain struct
// copy goes through a stack temporary and 16-byte moves, and a 16-byte load
// of a pointer and a depth stored separately just before cannot be
// forwarded from the store buffer (a stall on every field handed out).
struct vi_members : value_iterator {
    static constexpr auto json_iter = &vi_members::_json_iter;
    static constexpr auto depth = &vi_members::_depth;
    static constexpr auto start = &vi_members::_start_position;
};
inline void vi_copy(value_iterator &dst, const value_iterator &src) {
    dst.*vi_members::json_iter = src.*vi_members::json_iter;
    dst.*vi_members::depth = src.*vi_members::depth;
    dst.*vi_members::start = src.*vi_members::start;
}
// Hand a child to the caller: a value is its value_iterator.
inline void put_child(jval *v, const value_iterator &child) { vi_copy(VI(v), child); }

thread_local jparser *g_cur = nullptr;  // parser of the document being walked

// Missing / other type: absent. Anything else poisons the record.
inline bool ok(error_code e) {
    if (!e) return true;
    if (e != NO_SUCH_FIELD && e != INCORRECT_TYPE && e != INDEX_OUT_OF_BOUNDS &&
        e != NUMBER_OUT_OF_RANGE && g_cur && !g_cur->err)
        g_cur->err = e;
    return false;
}

// Length of the string body at s (just past its opening quote) when it holds
// no escape: the offset of its closing quote. SIZE_MAX when a backslash
// comes first (the string must be unescaped). Reads whole 16- or 8-byte
// blocks past the closing quote: stage 1 has checked that every string of
// the document is closed, and the document is followed by JSON_PADDING
// readable bytes.
inline size_t plain_len(const char *s) {
#if defined(__SSE2__)
    const __m128i q = _mm_set1_epi8('"'), b = _mm_set1_epi8('\\');
    for (size_t i = 0;; i += 16) {
        __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + i));
        unsigned m = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, q), _mm_cmpeq_epi8(x, b))));
        if (m) {
            size_t j = i + static_cast<size_t>(__builtin_ctz(m));
            return s[j] == '"' ? j : SIZE_MAX;
        }
    }
#else
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    for (size_t i = 0;; i += 8) {
        uint64_t w;
        std::memcpy(&w, s + i, 8);
        uint64_t xq = w ^ (ones * '"'), xb = w ^ (ones * '\\');
        // A zero byte of xq / xb: the lowest flagged byte is exact.
        uint64_t m = ((xq - ones) & ~xq & highs) | ((xb - ones) & ~xb & highs);
        if (m) {
            for (size_t j = i;; j++)
                if (s[j] == '"' || s[j] == '\\') return s[j] == '"' ? j : SIZE_MAX;
        }
    }
#endif
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
    value_iterator &vi = VI(v);
    raw_json_string raw;
    if (!ok(vi.get_raw_json_string().get(raw))) return false;
    // Without escapes the string is its source bytes: hand out a slice of
    // the document rather than copying it into the string buffer.
    const char *s = raw.raw();
    size_t n = plain_len(s);
    if (n != SIZE_MAX) {
        out->p = s;
        out->n = n;
        return true;
    }
    std::string_view sv;
    if (!ok(vi.json_iter().unescape(raw).get(sv))) return false;
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
    vi_copy(w->it, VI(v));
    w->started = false;
    bool has_fields;
    // An empty object closes itself here, and the walk then ends at once.
    return ok(w->it.start_object().get(has_fields));
}

bool jv_obj_next(jiter *it, vstr *key, jval *val) {
    obj_walk &w = W(it);
    value_iterator &vi = w.it;
    // Advance only now: the caller has had the chance to consume the value
    // of the previous field, and skip_child skips it if they did not
    // (object_iterator::operator++).
    if (w.started && vi.is_open()) {
        error_code e = vi.skip_child();
        bool more;
        if (!e) e = vi.has_next_field().get(more);
        (void)e;   // a structural error stays in the iterator, reported below
    }
    w.started = true;
    if (!vi.is_open()) return false;
    // object_iterator::operator* and field::start
    error_code e = vi.error();
    raw_json_string k;
    if (!e) e = vi.field_key().get(k);
    if (!e) e = vi.field_value();
    if (e) {
        vi.abandon();
        ok(e);
        return false;
    }
    // Keys are compared in place when they hold no escape (nearly always):
    // unescaping every key would copy each one into the string buffer.
    const char *raw = k.raw();
    size_t n = plain_len(raw);
    if (n != SIZE_MAX) {
        key->p = raw;
        key->n = n;
    } else {
        std::string_view sv;
        if (!ok(vi.json_iter().unescape(k).get(sv))) return false;
        key->p = sv.data();
        key->n = sv.size();
    }
    put_child(val, vi.child());
    return true;
}

bool jv_arr_begin(jval *v, jiter *it) {
    arr_walk *w = new (static_cast<void *>(it->b)) arr_walk();
    vi_copy(w->it, VI(v));
    w->started = false;
    bool has_elements;
    return ok(w->it.start_array().get(has_elements));
}

bool jv_arr_next(jiter *it, jval *val) {
    arr_walk &w = W(it);
    value_iterator &vi = w.it;
    // array_iterator::operator++
    if (w.started && !vi.error()) {
        error_code e = vi.skip_child();
        if (!e) e = vi.has_next_element().error();
        (void)e;
    }
    w.started = true;
    if (!vi.is_open()) return false;
    // array_iterator::operator*
    error_code e = vi.error();
    if (e) {
        vi.abandon();
        ok(e);
        return false;
    }
    put_child(val, vi.child());
    return true;
}

}  // extern "C"
