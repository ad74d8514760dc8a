/* URL path normalisation (src/util/urlnorm.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/urlnorm.h"

/* The normal form of raw, with the cap the contract promises is enough. */
static const char *norm(const char *raw) {
    static char out[512];
    size_t n = strlen(raw);
    size_t len = urlnorm_path(raw, n, out, n + 2);
    assert_int_equal(len, strlen(out));
    assert_true(len <= n + 1);
    return out;
}

static void test_plain_paths_unchanged(void **state) {
    (void)state;
    assert_string_equal(norm("/"), "/");
    assert_string_equal(norm("/index.html"), "/index.html");
    assert_string_equal(norm("/api/test/"), "/api/test/");
    assert_string_equal(norm("/Wp-Admin/Setup.PHP"), "/Wp-Admin/Setup.PHP");   /* case kept */
    assert_string_equal(norm("/a+b"), "/a+b");                                 /* '+' is not a space in a path */
}

static void test_root_added(void **state) {
    (void)state;
    assert_string_equal(norm(""), "/");
    assert_string_equal(norm("index.php"), "/index.php");
    assert_string_equal(norm("?x=1"), "/");
}

static void test_percent_decoding_once(void **state) {
    (void)state;
    assert_string_equal(norm("/%77p-login.php"), "/wp-login.php");
    assert_string_equal(norm("/a%20b"), "/a b");
    /* once: %25 becomes '%', not a second escape */
    assert_string_equal(norm("/%252e%252e/etc"), "/%2e%2e/etc");
}

static void test_dot_dot_encoded(void **state) {
    (void)state;
    assert_string_equal(norm("/cgi-bin/%2e%2e/%2e%2e/bin/sh"), "/bin/sh");
    assert_string_equal(norm("/icons/.%2e/.%2e/etc/passwd"), "/etc/passwd");
    assert_string_equal(norm("/a/%2E%2E/b"), "/b");
    assert_string_equal(norm("/a%2fb"), "/a/b");          /* an encoded separator splits too */
}

static void test_double_slashes(void **state) {
    (void)state;
    assert_string_equal(norm("//wp-admin//install.php"), "/wp-admin/install.php");
    assert_string_equal(norm("/a////b/"), "/a/b/");
}

static void test_dot_segments(void **state) {
    (void)state;
    assert_string_equal(norm("/./a/./b/."), "/a/b/");
    assert_string_equal(norm("/a/b/../c"), "/a/c");
    assert_string_equal(norm("/a/b/.."), "/a/");
    assert_string_equal(norm("/a/.."), "/");
    assert_string_equal(norm("/..."), "/...");            /* three dots is a name */
    assert_string_equal(norm("/.htaccess"), "/.htaccess");
}

static void test_dot_dot_never_above_root(void **state) {
    (void)state;
    assert_string_equal(norm("/../../../etc/passwd"), "/etc/passwd");
    assert_string_equal(norm("/a/../../b"), "/b");
    assert_string_equal(norm(".."), "/");
}

static void test_segment_params_cut(void **state) {
    (void)state;
    assert_string_equal(norm("/app/login.jsp;jsessionid=ABC123"), "/app/login.jsp");
    assert_string_equal(norm("/upload/shell.php;.jpg"), "/upload/shell.php");
    assert_string_equal(norm("/a;x=1/b;y=2/c"), "/a/b/c");
    /* Tomcat reads "..;" as ".." */
    assert_string_equal(norm("/app/..;/manager/html"), "/manager/html");
    assert_int_equal(urlnorm_has_segment_params("/upload/shell.php;.jpg", sizeof "/upload/shell.php;.jpg" - 1), 1);
    assert_int_equal(urlnorm_has_segment_params("/upload/shell.php", sizeof "/upload/shell.php" - 1), 0);
    /* a ';' in the query is not a segment's */
    assert_int_equal(urlnorm_has_segment_params("/a.php?x=1;y", sizeof "/a.php?x=1;y" - 1), 0);
}

static void test_invalid_escapes_kept(void **state) {
    (void)state;
    assert_string_equal(norm("/a%zzb"), "/a%zzb");
    assert_string_equal(norm("/a%4"), "/a%4");
    assert_string_equal(norm("/a%"), "/a%");
    assert_string_equal(norm("/100%25"), "/100%");
}

static void test_nul_and_controls(void **state) {
    (void)state;
    assert_string_equal(norm("/shell.php%00.jpg"), "/shell.php?.jpg");
    assert_string_equal(norm("/a%0d%0aSet-Cookie"), "/a??Set-Cookie");
    assert_string_equal(norm("/a%7fb"), "/a?b");
    char raw[] = { '/', 'a', 0x01, 'b' };
    char out[8];
    assert_int_equal(urlnorm_path(raw, sizeof raw, out, sizeof out), 4);
    assert_string_equal(out, "/a?b");
    /* a raw NUL inside the slice (the length, not a terminator, ends it) */
    char nul[] = { '/', 'x', 0, 'y' };
    assert_int_equal(urlnorm_path(nul, sizeof nul, out, sizeof out), 4);
    assert_memory_equal(out, "/x?y", 5);
}

static void test_backslashes(void **state) {
    (void)state;
    assert_string_equal(norm("\\windows\\win.ini"), "/windows/win.ini");
    assert_string_equal(norm("/scripts/..%5c..%5cwinnt/system32/cmd.exe"), "/winnt/system32/cmd.exe");
    assert_string_equal(norm("/a\\..\\b"), "/b");
}

static void test_query_and_fragment_stop(void **state) {
    (void)state;
    assert_string_equal(norm("/a/b?c=/../../d"), "/a/b");
    assert_string_equal(norm("/a#frag/../x"), "/a");
    /* an encoded '?' is part of the name, not the start of a query */
    assert_string_equal(norm("/a%3fb"), "/a?b");
}

static void test_cap_handling(void **state) {
    (void)state;
    char out[8];
    memset(out, 'X', sizeof out);
    assert_int_equal(urlnorm_path("/abcdefghij", 11, out, 5), 4);
    assert_string_equal(out, "/abc");
    assert_int_equal(out[5], 'X');                     /* nothing past the cap */
    assert_int_equal(urlnorm_path("/abc", 4, out, 1), 0);
    assert_string_equal(out, "");
    out[0] = 'X';
    assert_int_equal(urlnorm_path("/abc", 4, out, 0), 0);
    assert_int_equal(out[0], 'X');                     /* cap 0: nothing written */
    /* raw without a leading '/' needs raw_len + 2 */
    assert_int_equal(urlnorm_path("abc", 3, out, 5), 4);
    assert_string_equal(out, "/abc");
    assert_int_equal(urlnorm_path(NULL, 0, out, sizeof out), 1);
    assert_string_equal(out, "/");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_paths_unchanged),  cmocka_unit_test(test_root_added),
        cmocka_unit_test(test_percent_decoding_once),  cmocka_unit_test(test_dot_dot_encoded),
        cmocka_unit_test(test_double_slashes),         cmocka_unit_test(test_dot_segments),
        cmocka_unit_test(test_dot_dot_never_above_root), cmocka_unit_test(test_segment_params_cut),
        cmocka_unit_test(test_invalid_escapes_kept),   cmocka_unit_test(test_nul_and_controls),
        cmocka_unit_test(test_backslashes),            cmocka_unit_test(test_query_and_fragment_stop),
        cmocka_unit_test(test_cap_handling),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
