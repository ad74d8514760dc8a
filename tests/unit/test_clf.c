/* The common / combined access log decoder (src/decode/clf.c). */
#include "webfixture.h"

#include "util/timeutil.h"

static int64_t utc(const char *s) {
    int64_t t;
    assert_true(time_parse(vstr_c(s), &t));
    return t;
}

static void test_combined_line(void **state) {
    (void)state;
    struct webfx fx;
    webfx_text(&fx,
               "203.0.113.5 - frank [10/Oct/2000:13:55:36 -0700] \"GET /a/../wp-admin//x.php;.jpg?x=1&y=2 HTTP/1.1\" "
               "200 2326 \"http://www.example.com/start.html\" \"Mozilla/4.08 [en] (Win98; I ;Nav)\"\n",
               NULL);
    assert_string_equal(fx.fmt->name, "combined");
    assert_int_equal(fx.rejected, 0);
    assert_int_equal(fx.n, 1);
    assert_int_equal(fx.ev[0].kind, EV_HTTP_REQ);
    assert_int_equal(fx.ev[0].layer, LAYER_APPSERVICE);
    assert_int_equal(fx.ev[0].time_us, utc("2000-10-10T20:55:36Z"));   /* the offset applied */
    const struct http_req *r = &fx.http[0];
    assert_vstr(r->client_ip_text, "203.0.113.5");
    assert_true(r->has_ip);
    assert_vstr(r->username, "frank");
    assert_vstr(r->method, "GET");
    assert_vstr(r->uri_raw, "/a/../wp-admin//x.php;.jpg");
    assert_vstr(r->path, "/wp-admin/x.php");
    assert_vstr(r->query, "x=1&y=2");
    assert_int_equal(r->status, 200);
    assert_int_equal(r->bytes_sent, 2326);
    assert_vstr(r->referer, "http://www.example.com/start.html");
    assert_vstr(r->user_agent, "Mozilla/4.08 [en] (Win98; I ;Nav)");
    assert_vstr(r->site, "");                   /* no vhost: the detector falls back */
    assert_int_equal(r->bytes_received, -1);
    assert_int_equal(r->time_taken_ms, -1);
    webfx_free(&fx);
}

/* Common format (no referer / agent), '-' size, IPv6 client, a positive
 * offset, CRLF and no newline at the end. */
static void test_common_format(void **state) {
    (void)state;
    struct webfx fx;
    webfx_text(&fx,
               "2001:db8::7 - - [01/Jan/2024:01:30:00 +0130] \"HEAD / HTTP/1.0\" 304 -\r\n"
               "198.51.100.1 - - [31/Dec/2023:23:59:59 +0000] \"GET /x HTTP/1.0\" 404 12",
               NULL);
    assert_string_equal(fx.fmt->name, "combined");
    assert_int_equal(fx.rejected, 0);
    assert_int_equal(fx.n, 2);
    assert_true(fx.http[0].has_ip);
    assert_int_equal(fx.ev[0].time_us, utc("2024-01-01T00:00:00Z"));
    assert_int_equal(fx.http[0].status, 304);
    assert_int_equal(fx.http[0].bytes_sent, 0);
    assert_vstr(fx.http[0].user_agent, "");
    assert_int_equal(fx.http[1].status, 404);
    assert_int_equal(fx.http[1].bytes_sent, 12);
    webfx_free(&fx);
}

/* Apache's vhost_combined; nginx's main format with X-Forwarded-For. */
static void test_vhost_and_forwarded_for(void **state) {
    (void)state;
    struct webfx fx;
    webfx_text(&fx,
               "shop.example.com:443 198.51.100.2 - - [10/Oct/2023:13:55:36 +0000] \"POST /login HTTP/2.0\" 302 0 "
               "\"-\" \"curl/8.0\"\n"
               "10.0.0.5 - - [10/Oct/2023:13:55:37 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"curl/8.0\" \"203.0.113.77\"\n",
               NULL);
    assert_int_equal(fx.rejected, 0);
    assert_int_equal(fx.n, 2);
    assert_vstr(fx.http[0].site, "shop.example.com");
    assert_int_equal(fx.http[0].server_port, 443);
    assert_vstr(fx.http[0].client_ip_text, "198.51.100.2");
    assert_vstr(fx.http[0].method, "POST");
    assert_vstr(fx.http[0].referer, "");
    assert_vstr(fx.http[1].forwarded_for, "203.0.113.77");
    assert_vstr(fx.http[1].client_ip_text, "10.0.0.5");
    assert_non_null(strstr(fx.report, "1 with a virtual host"));
    webfx_free(&fx);
}

/* Escaped quotes inside quoted fields (Apache \", nginx \x22). */
static void test_escaped_quotes(void **state) {
    (void)state;
    struct webfx fx;
    webfx_text(&fx,
               "192.0.2.1 - - [10/Oct/2023:13:55:36 +0000] \"GET /q?a=\\\"b\\\" HTTP/1.1\" 200 1 \"-\" "
               "\"Mozilla \\\"quoted\\\" agent\"\n"
               "192.0.2.1 - - [10/Oct/2023:13:55:36 +0000] \"GET /x HTTP/1.1\" 200 1 \"-\" \"say \\x22hi\\x22\"\n",
               NULL);
    assert_int_equal(fx.rejected, 0);
    assert_int_equal(fx.n, 2);
    assert_vstr(fx.http[0].query, "a=\"b\"");
    assert_vstr(fx.http[0].user_agent, "Mozilla \"quoted\" agent");
    assert_vstr(fx.http[1].user_agent, "say \\x22hi\\x22");
    webfx_free(&fx);
}

/* Scanners' request lines: TLS bytes, "-", a bare word. Kept, no path. */
static void test_garbage_requests_kept(void **state) {
    (void)state;
    struct webfx fx;
    webfx_text(&fx,
               "192.0.2.9 - - [10/Oct/2023:13:55:36 +0000] \"\\x16\\x03\\x01\\x00\\xCA\\x01\" 400 157 \"-\" \"-\"\n"
               "192.0.2.9 - - [10/Oct/2023:13:55:37 +0000] \"-\" 408 0 \"-\" \"-\"\n"
               "192.0.2.9 - - [10/Oct/2023:13:55:38 +0000] \"SSTP_DUPLEX_POST\" 400 0 \"-\" \"-\"\n",
               NULL);
    assert_int_equal(fx.rejected, 0);
    assert_int_equal(fx.n, 3);
    assert_vstr(fx.http[0].method, "");
    assert_vstr(fx.http[0].uri_raw, "\\x16\\x03\\x01\\x00\\xCA\\x01");
    assert_vstr(fx.http[0].path, "");
    assert_int_equal(fx.http[0].status, 400);
    assert_vstr(fx.http[1].uri_raw, "");
    assert_int_equal(fx.http[1].status, 408);
    assert_vstr(fx.http[2].uri_raw, "SSTP_DUPLEX_POST");
    assert_vstr(fx.http[2].method, "");
    assert_non_null(strstr(fx.report, "3 request lines that are no HTTP request"));
    webfx_free(&fx);
}

static void test_rejects_with_offsets(void **state) {
    (void)state;
    const char *good = "192.0.2.1 - - [10/Oct/2023:13:55:36 +0000] \"GET / HTTP/1.1\" 200 1\n";
    const char *bad[] = {
        "192.0.2.1 - - [10/Foo/2023:13:55:36 +0000] \"GET / HTTP/1.1\" 200 1\n",
        "192.0.2.1 - - [10/Oct/2023:13:55:36 +0000] \"GET / HTTP/1.1\" abc 1\n",
        "192.0.2.1 - - [10/Oct/2023:13:55:36 +0000] \"GET / HTTP/1.1 200 1\n",
        "just some words\n",
        "192.0.2.1 [10/Oct/2023:13:55:36 +0000] \"GET /\" 200 1\n",
    };
    const char *reason[] = { "access log line with an invalid time", "access log line with an invalid status",
                             "not a common / combined log line", "not a common / combined log line",
                             "not a common / combined log line" };
    char text[2048];
    size_t n = 0, off[5];
    n += (size_t)snprintf(text + n, sizeof text - n, "%s", good);
    for (int i = 0; i < 5; i++) {
        off[i] = n;
        n += (size_t)snprintf(text + n, sizeof text - n, "%s\n", bad[i]);   /* and a blank line */
    }
    n += (size_t)snprintf(text + n, sizeof text - n, "%s", good);
    struct webfx fx;
    webfx_run(&fx, text, n, NULL);
    assert_string_equal(fx.fmt->name, "combined");
    assert_int_equal(fx.n, 2);
    assert_int_equal(fx.rejected, 5);
    for (int i = 0; i < 5; i++) webfx_assert_rejected_at(&fx, off[i], reason[i]);
    webfx_free(&fx);
}

static void test_sniff(void **state) {
    (void)state;
    const struct decoder_ops *clf = format_find("combined");
    assert_non_null(clf);
    assert_true(clf->sniff(VSTR("1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 1\n")) >= 50);
    assert_true(clf->sniff(VSTR("h:80 1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 1\n")) >= 50);
    assert_int_equal(clf->sniff(VSTR("#Fields: date time\n")), 0);
    assert_int_equal(clf->sniff(VSTR("2024-01-01 00:00:00 1.2.3.4 GET / - 80 - 1.2.3.4 UA 200 0 0 1\n")), 0);
    assert_int_equal(clf->sniff(VSTR("{\"log\":\"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \\\"GET\"}\n")), 0);
    assert_int_equal(clf->sniff(VSTR("")), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_combined_line),         cmocka_unit_test(test_common_format),
        cmocka_unit_test(test_vhost_and_forwarded_for), cmocka_unit_test(test_escaped_quotes),
        cmocka_unit_test(test_garbage_requests_kept), cmocka_unit_test(test_rejects_with_offsets),
        cmocka_unit_test(test_sniff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
