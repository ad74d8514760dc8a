/* A small C API over simdjson On-Demand (src/decode/json_shim.cpp).
 *
 * On-Demand parses lazily and forward-only: fields are visited in document
 * order, each value at most once. Decoders therefore iterate an object's
 * fields and switch on the key, rather than looking keys up. Strings
 * returned are unescaped: a string (or key) whose JSON text holds no escape
 * is a slice of the document itself, any other is unescaped into the
 * parser's string buffer. Either way it is valid until the parser's next
 * jparse() and while the document's buffer is left as it is.
 *
 * Errors: a missing key or a value of another type is "absent" (the
 * accessor returns false). Any other error (bad structure, invalid UTF-8,
 * a bad literal) is sticky: jparser_error() reports it, and the decoder
 * rejects the whole record. */
#ifndef VIGIL_JSON_H
#define VIGIL_JSON_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/str.h"

#define JSON_PADDING 64   /* bytes readable past the end of every document */

typedef struct jparser jparser;
typedef struct { uint64_t b[4]; } jval;    /* a value */
typedef struct { uint64_t b[8]; } jiter;   /* object/array walk */

enum jtype { JT_NONE = 0, JT_OBJECT, JT_ARRAY, JT_STRING, JT_NUMBER, JT_BOOL, JT_NULL };

jparser *jparser_new(void);
void jparser_free(jparser *p);

/* Parse buf[0..len); buf[len..cap) must be readable and cap >= len + JSON_PADDING.
 * Returns false (and sets the error) when the document is not valid JSON. */
bool jparse(jparser *p, const char *buf, size_t len, size_t cap, jval *root);
/* True once the whole document has been consumed with no trailing bytes. */
bool jparse_at_end(jparser *p);
int jparser_error(const jparser *p);          /* 0 = none */
const char *jparser_errmsg(const jparser *p); /* static text */

enum jtype jv_type(jval *v);
bool jv_str(jval *v, vstr *out);
bool jv_bool(jval *v, bool *out);
bool jv_i64(jval *v, int64_t *out);
bool jv_f64(jval *v, double *out);
bool jv_is_null(jval *v);
/* The raw JSON text of an object or array value (consumes it). */
bool jv_raw(jval *v, vstr *out);

bool jv_obj_begin(jval *v, jiter *it);                   /* false: not an object */
bool jv_obj_next(jiter *it, vstr *key, jval *val);        /* false: end (or error) */
bool jv_arr_begin(jval *v, jiter *it);
bool jv_arr_next(jiter *it, jval *val);
#endif
