/* The signature engine: every case runs once per backend built in (a cmocka
 * group each), and where both are built in they must agree on a corpus of
 * generated fields. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "detect/sigset.h"

#define N_OF(a) (sizeof(a) / sizeof *(a))

/* The group's state is the backend name; each test selects it, since the
 * selection is process-wide. */
static void use(void **state) { assert_int_equal(sigset_use_backend(*state), 0); }

static struct sigset *compile_ok(const char *name, const char *const *p, size_t n) {
    char err[256] = "";
    struct sigset *s = sigset_compile(name, p, n, err, sizeof err);
    if (!s) fail_msg("%s", err);
    return s;
}

static int first_c(struct sigset *s, const char *text) { return sigset_first(s, text, strlen(text)); }

static void test_literals(void **state) {
    use(state);
    const char *const p[] = { "wp-config.php", "/.git/", "etc/passwd", ".env" };
    struct sigset *s = compile_ok("paths", p, N_OF(p));
    assert_string_equal(sigset_backend(), *state);
    assert_int_equal(first_c(s, "/WP-CONFIG.PHP.bak"), 0);
    assert_int_equal(first_c(s, "/app/.git/HEAD"), 1);
    assert_int_equal(first_c(s, "/static/../../etc/passwd"), 2);
    assert_int_equal(first_c(s, "/etc/pass"), -1);
    assert_int_equal(first_c(s, "/wp-content/uploads/2024/05/img_123.jpg"), -1);
    /* the lowest id wins, whatever comes first in the text */
    assert_int_equal(first_c(s, "/.env/wp-config.php"), 0);
    /* a literal's metacharacters are plain bytes */
    const char *const meta[] = { "a.b", "(x)", "[*]", "^$", "\\d" };
    struct sigset *m = compile_ok("meta", meta, N_OF(meta));
    assert_int_equal(first_c(m, "axb"), -1);
    assert_int_equal(first_c(m, "a.b"), 0);
    assert_int_equal(first_c(m, "f(x)"), 1);
    assert_int_equal(first_c(m, "[*]"), 2);
    assert_int_equal(first_c(m, "x^$y"), 3);
    assert_int_equal(first_c(m, "7"), -1);
    assert_int_equal(first_c(m, "\\d"), 4);
    sigset_free(m);
    /* the text exactly the pattern, and shorter than it */
    assert_int_equal(first_c(s, ".env"), 3);
    assert_int_equal(first_c(s, ".en"), -1);
    assert_int_equal(sigset_first(s, NULL, 0), -1);
    sigset_free(s);
}

static void test_regex_anchors(void **state) {
    use(state);
    const char *const p[] = { "re:\\.(bak|old|swp|sql)$", "re:^/admin", "re:^/$", "re:/v[0-9]+/debug" };
    struct sigset *s = compile_ok("paths", p, N_OF(p));
    assert_int_equal(first_c(s, "/backup/db.SQL"), 0);
    assert_int_equal(first_c(s, "/db.sql/x"), -1);
    assert_int_equal(first_c(s, "/Admin/users"), 1);
    assert_int_equal(first_c(s, "/x/admin"), -1);
    assert_int_equal(first_c(s, "/"), 2);
    assert_int_equal(first_c(s, "//"), -1);
    assert_int_equal(first_c(s, "/api/V12/Debug/vars"), 3);
    assert_int_equal(first_c(s, "/api/v/debug"), -1);
    sigset_free(s);
}

static void test_case_insensitive(void **state) {
    use(state);
    const char *const p[] = { "UNION SELECT", "re:SQLMAP/[0-9]", "nikto" };
    struct sigset *s = compile_ok("ua", p, N_OF(p));
    assert_int_equal(first_c(s, "id=1 union select password"), 0);
    assert_int_equal(first_c(s, "sqlmap/1.7.2#stable"), 1);
    assert_int_equal(first_c(s, "Mozilla/5.00 (Nikto/2.1.6)"), 2);
    sigset_free(s);
    /* folding is ASCII only in both backends: é does not match É */
    const char *const u[] = { "caf\xc3\xa9" };
    s = compile_ok("utf8", u, 1);
    assert_int_equal(first_c(s, "CAF\xc3\xa9"), 0);
    assert_int_equal(first_c(s, "caf\xc3\x89"), -1);
    sigset_free(s);
}

static void test_empty_list(void **state) {
    use(state);
    struct sigset *s = compile_ok("none", NULL, 0);
    uint32_t ids[4];
    assert_int_equal(sigset_count(s), 0);
    assert_int_equal(first_c(s, "anything"), -1);
    assert_int_equal(sigset_all(s, "anything", 8, ids, 4), 0);
    assert_null(sigset_pattern(s, 0));
    sigset_free(s);
    struct strlist empty = { NULL, 0 };
    char err[128];
    s = sigset_from_list("none", &empty, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(first_c(s, ""), -1);
    sigset_free(s);
}

/* The error starts with want; a backend's own reason may follow. */
static void assert_compile_error(const char *const *p, size_t n, const char *want) {
    char err[256] = "";
    struct sigset *s = sigset_compile("detectors.app.sensitive_paths", p, n, err, sizeof err);
    assert_null(s);
    if (strncmp(err, want, strlen(want)) != 0) fail_msg("error: %s", err);
}

static void test_bad_patterns(void **state) {
    use(state);
    const char *const unclosed[] = { "ok", "re:(unclosed" };
    assert_compile_error(unclosed, 2, "detectors.app.sensitive_paths: pattern 2 (re:(unclosed): ");
    char why[256] = "";
    assert_null(sigset_compile("l", unclosed, 2, why, sizeof why));
    assert_true(strlen(why) > strlen("l: pattern 2 (re:(unclosed): "));   /* the backend's reason */
    printf("%s: %s\n", (const char *)*state, why);
    const char *const empty[] = { "a", "b", "" };
    assert_compile_error(empty, 3, "detectors.app.sensitive_paths: pattern 3 (): empty pattern");
    const char *const bare[] = { "re:" };
    assert_compile_error(bare, 1, "detectors.app.sensitive_paths: pattern 1 (re:): empty regular expression");
    /* a back-reference is PCRE2's and beyond Hyperscan: either it works or
     * the error names the pattern */
    const char *const backref[] = { "x", "re:(ab)\\1", "re:(z)\\1" };
    char err[256] = "";
    struct sigset *s = sigset_compile("detectors.app.sensitive_paths", backref, 3, err, sizeof err);
    if (strcmp(*state, "pcre2") == 0) {
        /* group numbers are per pattern, whatever the others hold */
        assert_non_null(s);
        assert_int_equal(first_c(s, "ABab"), 1);
        assert_int_equal(first_c(s, "zZ"), 2);
        assert_int_equal(first_c(s, "zab"), -1);
        sigset_free(s);
    } else {
        assert_null(s);
        assert_non_null(strstr(err, "pattern 2 (re:(ab)\\1): "));
    }
}

static void test_many_patterns(void **state) {
    use(state);
    enum { N = 600 };
    static char text[N][16];
    const char *p[N];
    for (int i = 0; i < N; i++) {
        snprintf(text[i], sizeof text[i], "needle%03d", i);
        p[i] = text[i];
    }
    struct sigset *s = compile_ok("many", p, N);
    assert_int_equal(sigset_count(s), N);
    const char *hay = "xx NEEDLE457 yy needle123 zz needle599";
    uint32_t ids[8];
    assert_int_equal(sigset_all(s, hay, strlen(hay), ids, 8), 3);
    assert_int_equal(ids[0], 123);
    assert_int_equal(ids[1], 457);
    assert_int_equal(ids[2], 599);
    assert_int_equal(first_c(s, hay), 123);
    assert_int_equal(first_c(s, "needle60"), -1);
    assert_string_equal(sigset_pattern(s, 457), "needle457");
    sigset_free(s);
}

static void test_all_order_and_max(void **state) {
    use(state);
    const char *const p[] = { "zzz", "re:y{3}", "xxx", "www", "vvv" };
    struct sigset *s = compile_ok("order", p, N_OF(p));
    const char *t = "vvv xxx yyy zzz";
    uint32_t ids[5] = { 99, 99, 99, 99, 99 };
    assert_int_equal(sigset_all(s, t, strlen(t), ids, 5), 4);
    assert_int_equal(ids[0], 0);
    assert_int_equal(ids[1], 1);
    assert_int_equal(ids[2], 2);
    assert_int_equal(ids[3], 4);
    /* more matches than room: the count is all of them, only max written */
    uint32_t two[3] = { 99, 99, 99 };
    assert_int_equal(sigset_all(s, t, strlen(t), two, 2), 4);
    assert_int_equal(two[0], 0);
    assert_int_equal(two[1], 1);
    assert_int_equal(two[2], 99);
    assert_int_equal(sigset_all(s, t, strlen(t), NULL, 0), 4);
    /* nothing left over from the last call */
    assert_int_equal(sigset_all(s, "www", 3, ids, 5), 1);
    assert_int_equal(ids[0], 3);
    assert_string_equal(sigset_pattern(s, 1), "re:y{3}");
    assert_string_equal(sigset_name(s), "order");
    sigset_free(s);
}

/* Literals inside one another and the same literal twice: every id. */
static void test_overlapping_literals(void **state) {
    use(state);
    const char *const p[] = { "hers", "she", "he", "re:s?he", "his", "he", "e" };
    struct sigset *s = compile_ok("overlap", p, N_OF(p));
    uint32_t ids[8];
    const char *t = "uSHErs";
    assert_int_equal(sigset_all(s, t, strlen(t), ids, 8), 6);
    const uint32_t want[] = { 0, 1, 2, 3, 5, 6 };
    assert_memory_equal(ids, want, sizeof want);
    assert_int_equal(first_c(s, "ushe"), 1);
    assert_int_equal(first_c(s, "xe"), 6);
    assert_int_equal(first_c(s, "hi"), -1);
    assert_int_equal(sigset_all(s, "hhis", 4, ids, 8), 1);
    assert_int_equal(ids[0], 4);
    sigset_free(s);
}

static void test_binary_text(void **state) {
    use(state);
    const char *const p[] = { "evil", "re:a.b", "re:^\\x00", "\xff\xfe" };
    struct sigset *s = compile_ok("bin", p, N_OF(p));
    const char t1[] = "abc\0EVIL";
    assert_int_equal(sigset_first(s, t1, sizeof t1 - 1), 0);
    const char t2[] = "xa\0bx";
    assert_int_equal(sigset_first(s, t2, sizeof t2 - 1), 1);
    const char t3[] = "\0zz";
    assert_int_equal(sigset_first(s, t3, sizeof t3 - 1), 2);
    const char t4[] = "\x01\xff\xfe";
    assert_int_equal(sigset_first(s, t4, sizeof t4 - 1), 3);
    /* the length is the field's, not up to the first NUL ... */
    const char t5[] = "evi\0l";
    assert_int_equal(sigset_first(s, t5, sizeof t5 - 1), -1);
    /* ... and nothing past it is read */
    assert_int_equal(sigset_first(s, "evilness", 3), -1);
    sigset_free(s);
}

static void test_from_list_and_backend_names(void **state) {
    use(state);
    char *v[] = { "sqlmap", "re:^curl/" };
    struct strlist l = { v, 2 };
    char err[128];
    struct sigset *s = sigset_from_list("ua", &l, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(first_c(s, "curl/8.5.0"), 1);
    sigset_free(s);
    assert_int_equal(sigset_use_backend("regexp-of-the-day"), -1);
    assert_string_equal(sigset_backend(), *state);
}

/* Both backends over the same patterns and many generated fields: the
 * same answers (the bench's fields are realistic; these are adversarial
 * mixes of the patterns' own pieces). */
static void test_backends_agree(void **state) {
    (void)state;
    if (sigset_use_backend("hyperscan") != 0 || sigset_use_backend("pcre2") != 0) skip();
    const char *const p[] = { "/.git", "wp-login", "re:\\.(bak|old)$", "re:^/api/v[0-9]+/", "adm", "re:a+b+c",
                              "%2e%2e", "re:(^|/)\\.ht", "etc/", "re:[0-9]{4,}" };
    const char *const pieces[] = { "/", ".git", "WP-", "login", ".BAK", ".old", "api", "v1", "/", "adm",
                                   "aab", "bc", "%2E%2e", ".ht", "etc", "12", "34", "\0", "x" };
    sigset_use_backend("pcre2");
    struct sigset *a = compile_ok("agree", p, N_OF(p));
    sigset_use_backend("hyperscan");
    struct sigset *b = compile_ok("agree", p, N_OF(p));
    uint64_t seed = 42;
    char text[64];
    for (int round = 0; round < 20000; round++) {
        size_t len = 0;
        int k = 1 + (int)((seed >> 33) % 6);
        for (int i = 0; i < k; i++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            const char *piece = pieces[(seed >> 33) % N_OF(pieces)];
            size_t n = *piece ? strlen(piece) : 1;
            if (len + n > sizeof text) break;
            memcpy(text + len, piece, n);
            len += n;
        }
        uint32_t ia[16], ib[16];
        unsigned na = sigset_all(a, text, len, ia, 16), nb = sigset_all(b, text, len, ib, 16);
        if (na != nb || memcmp(ia, ib, na * sizeof *ia) != 0 || sigset_first(a, text, len) != sigset_first(b, text, len))
            fail_msg("backends disagree on \"%.*s\" (%u vs %u)", (int)len, text, na, nb);
    }
    sigset_free(a);
    sigset_free(b);
}

static int use_pcre2(void **state) { *state = "pcre2"; return 0; }
static int use_hyperscan(void **state) { *state = "hyperscan"; return 0; }

int main(void) {
    const struct CMUnitTest cases[] = {
        cmocka_unit_test(test_literals),
        cmocka_unit_test(test_regex_anchors),
        cmocka_unit_test(test_case_insensitive),
        cmocka_unit_test(test_empty_list),
        cmocka_unit_test(test_bad_patterns),
        cmocka_unit_test(test_many_patterns),
        cmocka_unit_test(test_all_order_and_max),
        cmocka_unit_test(test_overlapping_literals),
        cmocka_unit_test(test_binary_text),
        cmocka_unit_test(test_from_list_and_backend_names),
    };
    const struct CMUnitTest both[] = { cmocka_unit_test(test_backends_agree) };
    int failed = cmocka_run_group_tests_name("pcre2", cases, use_pcre2, NULL);
    if (sigset_use_backend("hyperscan") == 0)
        failed += cmocka_run_group_tests_name("hyperscan", cases, use_hyperscan, NULL);
    else
        printf("hyperscan: not built in (or this CPU cannot run it): its cases did not run\n");
    failed += cmocka_run_group_tests_name("agreement", both, NULL, NULL);
    return failed;
}
