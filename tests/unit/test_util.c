#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/buf.h"
#include "util/timeutil.h"

static void test_time_parse(void **state) {
    (void)state;
    int64_t t;
    assert_true(time_parse(VSTR("1970-01-01T00:00:00Z"), &t));
    assert_int_equal(t, 0);
    assert_true(time_parse(VSTR("2026-03-01T10:00:00.123456Z"), &t));
    assert_int_equal(t, INT64_C(1772359200123456));
    assert_true(time_parse(VSTR("2026-03-01T12:00:00+02:00"), &t));
    assert_int_equal(t, INT64_C(1772359200000000));
    assert_true(time_parse(VSTR("2020-11-09T10:57:31.0000000Z"), &t));  /* 7 digits (Azure) */
    assert_true(time_parse(VSTR("2018-10-26 14:26:34"), &t));
    assert_false(time_parse(VSTR("2026-13-01T00:00:00Z"), &t));
    assert_false(time_parse(VSTR("2026-03-01T10:00:00Zjunk"), &t));
    assert_false(time_parse(VSTR("yesterday"), &t));
    assert_false(time_parse(VSTR("2026-03-01T10:00:00."), &t));
}

/* Every layout of elastic-integrations' test-time-formats-corner-cases.log
 * (Azure activity log times), all 2007-01-09T09:41:00Z: month first, as
 * .NET writes it, 12-hour clock, offsets, 2 to 9 fractional digits. */
static void test_time_parse_lenient(void **state) {
    (void)state;
    static const struct { const char *text; int64_t frac_us; } cases[] = {
        { "01/09/2007 09:41:00", 0 },
        { "1/9/2007 09:41:00", 0 },
        { "01/09/2007 09:41:00 AM", 0 },
        { "1/9/2007 9:41:00 AM", 0 },
        { "1/9/2007 10:41:00 AM +01:00", 0 },
        { "2007-01-09T09:41:00", 0 },
        { "2007-01-09T09:41:00.22Z", 220000 },
        { "2007-01-09T09:41:00.6816663Z", 681666 },
        { "2007-01-09T09:41:00.535404056Z", 535404 },
        { "2007-01-09T09:41:00.992099+00:00", 992099 },
        { "2007-01-09T11:41:00+02:00", 0 },
    };
    const int64_t at = INT64_C(1168335660) * US_PER_SEC;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int64_t t = 0;
        assert_true(time_parse_lenient(vstr_c(cases[i].text), &t));
        assert_int_equal(t, at + cases[i].frac_us);
    }
    int64_t t;
    assert_true(time_parse_lenient(VSTR("1/9/2007 12:41:00 AM"), &t));   /* midnight hour */
    assert_int_equal(t, at - 9 * US_PER_HOUR);
    assert_true(time_parse_lenient(VSTR("1/9/2007 12:41:00 PM"), &t));   /* noon hour */
    assert_int_equal(t, at + 3 * US_PER_HOUR);
    assert_true(time_parse_lenient(VSTR("1/9/2007 9:41:00 PM"), &t));
    assert_int_equal(t, at + 12 * US_PER_HOUR);
    assert_false(time_parse_lenient(VSTR("1/9/2007 13:41:00 PM"), &t));
    assert_false(time_parse_lenient(VSTR("13/9/2007 09:41:00"), &t));
    assert_false(time_parse_lenient(VSTR("1/9/07 09:41:00"), &t));
    assert_false(time_parse_lenient(VSTR("1/9/2007 09:41"), &t));
    assert_false(time_parse_lenient(VSTR("1/9/2007 09:41:00 XM"), &t));
    assert_false(time_parse_lenient(VSTR("1/9/2007 09:41:00 AM junk"), &t));
    /* the strict parser keeps refusing the .NET layout (k8s and the rest) */
    assert_false(time_parse(VSTR("1/9/2007 9:41:00 AM"), &t));
}

static void test_time_format(void **state) {
    (void)state;
    char s[40];
    time_format(INT64_C(1772359200000000), s, sizeof s);
    assert_string_equal(s, "2026-03-01T10:00:00Z");
    time_format(INT64_C(1772359200000001), s, sizeof s);
    assert_string_equal(s, "2026-03-01T10:00:00.000001Z");
    time_format(-1, s, sizeof s);
    assert_string_equal(s, "1969-12-31T23:59:59.999999Z");
}

static void test_duration(void **state) {
    (void)state;
    int64_t d;
    assert_true(duration_parse(VSTR("7d"), &d));
    assert_int_equal(d, 7 * US_PER_DAY);
    assert_true(duration_parse(VSTR("90"), &d));
    assert_int_equal(d, 90 * US_PER_SEC);
    assert_true(duration_parse(VSTR("250ms"), &d));
    assert_int_equal(d, 250000);
    assert_false(duration_parse(VSTR("7 days"), &d));
    assert_false(duration_parse(VSTR(""), &d));
    assert_false(duration_parse(VSTR("d"), &d));
    assert_false(duration_parse(VSTR("99999999w"), &d));     /* overflow is an error */
    char s[32];
    duration_format(24 * US_PER_HOUR, s, sizeof s);
    assert_string_equal(s, "1d");
    duration_format(20 * US_PER_MIN, s, sizeof s);
    assert_string_equal(s, "20m");
}

static void json_of(const char *in, size_t n, const char *want) {
    buf b;
    buf_init(&b);
    buf_json_str(&b, (vstr){ in, n });
    assert_string_equal(buf_cstr(&b), want);
    buf_free(&b);
}

static void test_json_escaping(void **state) {
    (void)state;
    json_of("plain", 5, "\"plain\"");
    json_of("q\"b\\", 4, "\"q\\\"b\\\\\"");
    json_of("a\nb\tc\r", 6, "\"a\\nb\\tc\\r\"");
    json_of("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"");
    json_of("caf\xc3\xa9", 5, "\"caf\xc3\xa9\"");              /* valid UTF-8 kept */
    json_of("\xff\xfe", 2, "\"\\ufffd\\ufffd\"");               /* invalid bytes replaced */
    json_of("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"");               /* overlong form */
    json_of("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"");   /* surrogate */
    json_of("\xe2\x82", 2, "\"\\ufffd\\ufffd\"");               /* truncated sequence */
    json_of("a\0b", 3, "\"a\\u0000b\"");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_parse),
        cmocka_unit_test(test_time_parse_lenient),
        cmocka_unit_test(test_time_format),
        cmocka_unit_test(test_duration),
        cmocka_unit_test(test_json_escaping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
