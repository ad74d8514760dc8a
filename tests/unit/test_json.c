#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "decode/json.h"

struct doc { char *p; size_t n, cap; };

static struct doc padded(const char *s) {
    struct doc d = { NULL, strlen(s), strlen(s) + JSON_PADDING };
    d.p = calloc(1, d.cap);
    memcpy(d.p, s, d.n);
    return d;
}

static void test_walk_in_document_order(void **state) {
    (void)state;
    jparser *p = jparser_new();
    struct doc d = padded("{\"a\":\"x\\u0041\",\"skip\":{\"deep\":[1,2,{\"k\":3}]},\"n\":42,\"b\":true,"
                          "\"arr\":[\"p\",\"q\"],\"z\":null}");
    jval root, v, e;
    jiter it, ai;
    vstr k, s;
    assert_true(jparse(p, d.p, d.n, d.cap, &root));
    assert_int_equal(jv_type(&root), JT_OBJECT);
    assert_true(jv_obj_begin(&root, &it));
    int fields = 0;
    while (jv_obj_next(&it, &k, &v)) {
        fields++;
        if (vstr_eqc(k, "a")) { assert_true(jv_str(&v, &s)); assert_true(vstr_eqc(s, "xA")); }
        if (vstr_eqc(k, "n")) { int64_t n; assert_true(jv_i64(&v, &n)); assert_int_equal(n, 42); }
        if (vstr_eqc(k, "b")) { bool b; assert_true(jv_bool(&v, &b)); assert_true(b); }
        if (vstr_eqc(k, "z")) assert_true(jv_is_null(&v));
        if (vstr_eqc(k, "arr")) {
            int n = 0;
            assert_true(jv_arr_begin(&v, &ai));
            while (jv_arr_next(&ai, &e)) { assert_true(jv_str(&e, &s)); n++; }
            assert_int_equal(n, 2);
        }
        /* "skip" is never consumed: the walk must step over it */
    }
    assert_int_equal(fields, 6);
    assert_int_equal(jparser_error(p), 0);
    assert_true(jparse_at_end(p));
    free(d.p);
    jparser_free(p);
}

static void test_wrong_type_is_absent_not_error(void **state) {
    (void)state;
    jparser *p = jparser_new();
    struct doc d = padded("{\"a\":1}");
    jval root, v;
    jiter it;
    vstr k, s;
    assert_true(jparse(p, d.p, d.n, d.cap, &root));
    assert_true(jv_obj_begin(&root, &it));
    assert_true(jv_obj_next(&it, &k, &v));
    assert_false(jv_str(&v, &s));
    assert_int_equal(jparser_error(p), 0);
    free(d.p);
    jparser_free(p);
}

static void test_errors_are_sticky(void **state) {
    (void)state;
    const char *bad[] = { "{\"a\":", "{\"a\":tru}", "{\"a\":\"\xff\"}", "{\"a\":1} trailing", "{\"a\" 1}" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        jparser *p = jparser_new();
        struct doc d = padded(bad[i]);
        jval root, v;
        jiter it;
        vstr k;
        bool failed = !jparse(p, d.p, d.n, d.cap, &root);
        if (!failed) {
            if (jv_obj_begin(&root, &it))
                while (jv_obj_next(&it, &k, &v)) { bool b; jv_bool(&v, &b); }
            failed = jparser_error(p) != 0 || !jparse_at_end(p);
        }
        assert_true(failed);
        free(d.p);
        jparser_free(p);
    }
}

static void test_raw_slice_reparse(void **state) {
    (void)state;
    jparser *p = jparser_new(), *q = jparser_new();
    struct doc d = padded("{\"o\":{\"x\":[1,{\"y\":\"z\"}]},\"after\":1}");
    jval root, v, r2;
    jiter it;
    vstr k, raw;
    assert_true(jparse(p, d.p, d.n, d.cap, &root));
    assert_true(jv_obj_begin(&root, &it));
    assert_true(jv_obj_next(&it, &k, &v));
    assert_true(jv_raw(&v, &raw));
    assert_int_equal(raw.n, strlen("{\"x\":[1,{\"y\":\"z\"}]}"));
    assert_true(jv_obj_next(&it, &k, &v));
    assert_true(vstr_eqc(k, "after"));
    /* the slice re-parses in place: the rest of the buffer is its padding */
    assert_true(jparse(q, raw.p, raw.n, d.cap - (size_t)(raw.p - d.p), &r2));
    assert_int_equal(jv_type(&r2), JT_OBJECT);
    free(d.p);
    jparser_free(p);
    jparser_free(q);
}

/* An escaped key must still match: "\u0070rivileged" is "privileged" to the
 * API server, so it must be to vigil too, or escaping evades detection. */
static void test_escaped_key(void **state) {
    (void)state;
    jparser *p = jparser_new();
    struct doc d = padded("{\"\\u0070rivileged\":true,\"plain\":1}");
    jval root, v;
    jiter it;
    vstr k;
    assert_true(jparse(p, d.p, d.n, d.cap, &root));
    assert_true(jv_obj_begin(&root, &it));
    assert_true(jv_obj_next(&it, &k, &v));
    assert_true(vstr_eqc(k, "privileged"));
    assert_true(jv_obj_next(&it, &k, &v));
    assert_true(vstr_eqc(k, "plain"));
    free(d.p);
    jparser_free(p);
}

/* Strings without escapes are slices of the document; with one they are
 * unescaped, wherever the escape falls (the scan goes 16 bytes at a time),
 * and a string that ends the document reads only its padding. */
static void test_strings_plain_and_escaped(void **state) {
    (void)state;
    jparser *p = jparser_new();
    struct doc d = padded("{\"e\":\"\",\"long\":\"0123456789abcdefghij\",\"late\":\"0123456789abcdef\\n\","
                          "\"quote\":\"a\\\"b\",\"0123456789abcdef\\u0041\":[\"x\",\"y\\/\"],\"last\":\"end\"}");
    jval root, v, e;
    jiter it, ai;
    vstr k, s;
    assert_true(jparse(p, d.p, d.n, d.cap, &root));
    assert_true(jv_obj_begin(&root, &it));
    assert_true(jv_obj_next(&it, &k, &v) && vstr_eqc(k, "e"));
    assert_true(jv_str(&v, &s));
    assert_int_equal(s.n, 0);
    assert_true(jv_obj_next(&it, &k, &v) && vstr_eqc(k, "long"));
    assert_true(jv_str(&v, &s) && vstr_eqc(s, "0123456789abcdefghij"));
    assert_true(s.p > d.p && s.p < d.p + d.n);   /* a slice of the document */
    assert_true(jv_obj_next(&it, &k, &v) && vstr_eqc(k, "late"));
    assert_true(jv_str(&v, &s) && vstr_eqc(s, "0123456789abcdef\n"));
    assert_true(jv_obj_next(&it, &k, &v) && vstr_eqc(k, "quote"));
    assert_true(jv_str(&v, &s) && vstr_eqc(s, "a\"b"));
    assert_true(jv_obj_next(&it, &k, &v) && vstr_eqc(k, "0123456789abcdefA"));
    assert_true(jv_arr_begin(&v, &ai));
    assert_true(jv_arr_next(&ai, &e) && jv_str(&e, &s) && vstr_eqc(s, "x"));
    assert_true(jv_arr_next(&ai, &e) && jv_str(&e, &s) && vstr_eqc(s, "y/"));
    assert_false(jv_arr_next(&ai, &e));
    assert_true(jv_obj_next(&it, &k, &v) && vstr_eqc(k, "last"));
    assert_true(jv_str(&v, &s) && vstr_eqc(s, "end"));
    assert_false(jv_obj_next(&it, &k, &v));
    assert_int_equal(jparser_error(p), 0);
    assert_true(jparse_at_end(p));
    free(d.p);
    jparser_free(p);
}

/* Empty containers, and walks abandoned half-way: the parent skips the rest. */
static void test_empty_and_abandoned(void **state) {
    (void)state;
    jparser *p = jparser_new();
    struct doc d = padded("{\"o\":{},\"a\":[],\"half\":{\"x\":1,\"y\":[1,2]},\"arr\":[[1,2],{\"q\":3},4],\"n\":5}");
    jval root, v, e;
    jiter it, sub;
    vstr k;
    int64_t n = 0;
    assert_true(jparse(p, d.p, d.n, d.cap, &root));
    assert_true(jv_obj_begin(&root, &it));
    assert_true(jv_obj_next(&it, &k, &v) && vstr_eqc(k, "o"));
    assert_true(jv_obj_begin(&v, &sub));
    assert_false(jv_obj_next(&sub, &k, &e));
    assert_true(jv_obj_next(&it, &k, &v) && vstr_eqc(k, "a"));
    assert_true(jv_arr_begin(&v, &sub));
    assert_false(jv_arr_next(&sub, &e));
    assert_true(jv_obj_next(&it, &k, &v) && vstr_eqc(k, "half"));
    assert_true(jv_obj_begin(&v, &sub));
    assert_true(jv_obj_next(&sub, &k, &e) && vstr_eqc(k, "x"));
    assert_true(jv_obj_next(&it, &k, &v) && vstr_eqc(k, "arr"));
    assert_true(jv_arr_begin(&v, &sub));
    assert_true(jv_arr_next(&sub, &e));          /* [1,2], not consumed */
    assert_true(jv_arr_next(&sub, &e));          /* {"q":3}, not consumed */
    assert_int_equal(jv_type(&e), JT_OBJECT);
    assert_true(jv_obj_next(&it, &k, &v) && vstr_eqc(k, "n"));
    assert_true(jv_i64(&v, &n));
    assert_int_equal(n, 5);
    assert_false(jv_obj_next(&it, &k, &v));
    assert_int_equal(jparser_error(p), 0);
    assert_true(jparse_at_end(p));
    free(d.p);
    jparser_free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_in_document_order),
        cmocka_unit_test(test_wrong_type_is_absent_not_error),
        cmocka_unit_test(test_errors_are_sticky),
        cmocka_unit_test(test_raw_slice_reparse),
        cmocka_unit_test(test_escaped_key),
        cmocka_unit_test(test_strings_plain_and_escaped),
        cmocka_unit_test(test_empty_and_abandoned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
