/* The W3C extended log decoder (src/decode/w3c.c). */
#include "webfixture.h"

#include "util/timeutil.h"

static const char APPSERVICE_FIELDS[] =
    "#Fields: date time s-sitename cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) "
    "cs(Cookie) cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken\n";

static int64_t utc(const char *s) {
    int64_t t;
    assert_true(time_parse(vstr_c(s), &t));
    return t;
}

static void test_app_service_raw_log(void **state) {
    (void)state;
    struct webfx fx;
    char text[1024];
    snprintf(text, sizeof text, "#Software: Microsoft Internet Information Services 8.0\n%s"
             "2024-03-01 10:20:30 MYAPP POST /wp-content/plugins/x/%%2e%%2e/upload.php a=1 443 - 203.0.113.9 "
             "Mozilla/5.0+(X11;+Linux) - https://ref.example/ myapp.scm.azurewebsites.net 200 0 0 123 456 789\n",
             APPSERVICE_FIELDS);
    webfx_text(&fx, text, NULL);
    assert_string_equal(fx.fmt->name, "w3c");
    assert_int_equal(fx.n, 1);
    assert_int_equal(fx.rejected, 0);
    const struct http_req *r = &fx.http[0];
    assert_int_equal(fx.ev[0].kind, EV_HTTP_REQ);
    assert_int_equal(fx.ev[0].layer, LAYER_APPSERVICE);
    assert_int_equal(fx.ev[0].time_us, utc("2024-03-01T10:20:30Z"));
    assert_int_equal(fx.ev[0].pos.offset, 55 + sizeof APPSERVICE_FIELDS - 1);
    assert_vstr(r->site, "myapp.scm.azurewebsites.net");
    assert_true(r->scm);
    assert_vstr(r->method, "POST");
    assert_vstr(r->uri_raw, "/wp-content/plugins/x/%2e%2e/upload.php");
    assert_vstr(r->path, "/wp-content/plugins/upload.php");
    assert_vstr(r->query, "a=1");
    assert_vstr(r->user_agent, "Mozilla/5.0 (X11; Linux)");
    assert_vstr(r->referer, "https://ref.example/");
    assert_vstr(r->username, "");
    assert_vstr(r->client_ip_text, "203.0.113.9");
    assert_true(r->has_ip);
    assert_int_equal(r->status, 200);
    assert_int_equal(r->server_port, 443);
    assert_int_equal(r->bytes_sent, 123);
    assert_int_equal(r->bytes_received, 456);
    assert_int_equal(r->time_taken_ms, 789);
    webfx_free(&fx);
}

/* Dashes are empty; a layout without a number leaves it absent. */
static void test_dashes_and_absent_numbers(void **state) {
    (void)state;
    struct webfx fx;
    webfx_text(&fx,
               "#Fields: date time s-sitename cs-method cs-uri-stem cs-uri-query c-ip sc-status\n"
               "2024-03-01 10:20:30 W3SVC1 GET / - - 404\n",
               NULL);
    assert_int_equal(fx.n, 1);
    const struct http_req *r = &fx.http[0];
    assert_vstr(r->site, "W3SVC1");             /* no cs-host: the site name */
    assert_false(r->scm);
    assert_vstr(r->query, "");
    assert_vstr(r->client_ip_text, "");
    assert_false(r->has_ip);
    assert_int_equal(r->status, 404);
    assert_int_equal(r->bytes_sent, -1);
    assert_int_equal(r->bytes_received, -1);
    assert_int_equal(r->time_taken_ms, -1);
    assert_int_equal(r->server_port, 0);
    webfx_free(&fx);
}

/* #Fields changes mid-file; lines written under an older block come after
 * a newer one and are read with the older layout of their count. */
static void test_layouts_change_and_older_lines(void **state) {
    (void)state;
    struct webfx fx;
    webfx_text(&fx,
               "#Fields: date time s-ip cs-method cs-uri-stem c-ip sc-status\n"
               "2018-01-01 08:00:00 10.0.0.1 GET /a 198.51.100.1 200\n"
               "#Fields: date time cs-method cs-uri-stem cs-host c-ip cs(User-Agent) sc-status\n"
               "2018-01-01 09:00:00 GET /b example.com 198.51.100.2 curl/8 301\n"
               "2018-01-01 10:00:00 10.0.0.1 GET /c 198.51.100.3 401\n",
               NULL);
    assert_int_equal(fx.rejected, 0);
    assert_int_equal(fx.n, 3);
    assert_vstr(fx.http[0].uri_raw, "/a");
    assert_vstr(fx.http[1].site, "example.com");
    assert_vstr(fx.http[1].user_agent, "curl/8");
    assert_int_equal(fx.http[1].status, 301);
    assert_vstr(fx.http[2].uri_raw, "/c");
    assert_vstr(fx.http[2].client_ip_text, "198.51.100.3");
    assert_int_equal(fx.http[2].status, 401);
    assert_non_null(strstr(fx.report, "1 lines read with an earlier #Fields layout"));
    webfx_free(&fx);
}

/* No directives at all, CRLF, no newline after the last line: the built-in
 * layouts by count (IIS full + X-Forwarded-For, IIS 8.5 default). */
static void test_no_directives_crlf_builtin_layouts(void **state) {
    (void)state;
    struct webfx fx;
    webfx_text(&fx,
               "2020-10-04 22:00:34 W3SVC2 web1 10.24.129.162 GET /favicon.ico - 80 - 10.24.136.240 HTTP/1.1 "
               "Mozilla/5.0+(Windows) a=1;+b=2 https://r.example/ img.example.nl 404 0 2 1437 534 0 116.189.86.89\r\n"
               "2018-12-31 12:52:33 10.44.0.136 GET /x.action redirect:${%23req} 443 - 10.50.6.188 "
               "Mozilla/4.0+(compatible) - 401 0 0 15",
               NULL);
    assert_string_equal(fx.fmt->name, "w3c");
    assert_int_equal(fx.rejected, 0);
    assert_int_equal(fx.n, 2);
    const struct http_req *a = &fx.http[0], *b = &fx.http[1];
    assert_vstr(a->site, "img.example.nl");
    assert_vstr(a->forwarded_for, "116.189.86.89");
    assert_vstr(a->client_ip_text, "10.24.136.240");
    assert_int_equal(a->status, 404);
    assert_int_equal(a->win32_status, 2);
    assert_int_equal(a->time_taken_ms, 0);
    assert_vstr(b->query, "redirect:${%23req}");
    assert_vstr(b->user_agent, "Mozilla/4.0 (compatible)");
    assert_int_equal(b->status, 401);
    assert_int_equal(b->time_taken_ms, 15);     /* the last value, without a newline after it */
    assert_vstr(b->forwarded_for, "");
    assert_non_null(strstr(fx.report, "2 lines read with a built-in"));
    webfx_free(&fx);
}

static const char FTP_LOG[] =
    "#Software: Microsoft Internet Information Services 10.0\n"
    "#Fields: date time c-ip c-port cs-username s-ip s-port cs-method cs-uri-stem sc-status sc-win32-status "
    "sc-substatus x-session x-fullpath\n"
    "2022-07-05 21:41:05 192.0.2.5 50123 - 198.51.100.9 21 USER admin 331 0 0 ab3a48eb -\n"
    "2022-07-05 21:41:06 192.0.2.5 50123 - 198.51.100.9 21 PASS *** 530 1326 41 ab3a48eb -\n"
    "2022-07-05 21:45:57 192.0.2.6 50200 MyDomain\\userName 198.51.100.9 21 STOR shell.aspx 226 0 0 302f4d86 "
    "/site/wwwroot/shell.aspx\n";

static void test_ftp_log_by_session_field(void **state) {
    (void)state;
    struct webfx fx;
    webfx_text(&fx, FTP_LOG, NULL);
    assert_int_equal(fx.rejected, 0);
    assert_int_equal(fx.n, 3);
    for (int i = 0; i < 3; i++) assert_int_equal(fx.ev[i].kind, EV_FTP_CMD);
    const struct ftp_cmd *u = &fx.ftp[0], *p = &fx.ftp[1], *s = &fx.ftp[2];
    assert_vstr(u->verb, "USER");
    assert_vstr(u->arg, "admin");
    assert_vstr(u->user, "");
    assert_vstr(u->session, "ab3a48eb");
    assert_vstr(u->protocol, "FTP");
    assert_vstr(u->full_path, "");
    assert_true(u->has_ip);
    assert_int_equal(u->client_port, 50123);
    assert_int_equal(u->server_port, 21);
    assert_false(ip_is_zero(&u->server_ip));
    assert_int_equal(u->status, 331);
    assert_vstr(p->verb, "PASS");
    assert_int_equal(p->status, 530);
    assert_int_equal(p->win32_status, 1326);
    assert_vstr(s->user, "MyDomain\\userName");
    assert_vstr(s->full_path, "/site/wwwroot/shell.aspx");
    assert_int_equal(fx.ev[2].time_us, utc("2022-07-05T21:45:57Z"));
    assert_non_null(strstr(fx.report, "3 FTP commands"));
    webfx_free(&fx);
}

/* Without x-session: the FTP service's #Software, or FTP verbs in a layout
 * with no HTTP-only field. */
static void test_ftp_by_software_and_by_verb(void **state) {
    (void)state;
    struct webfx fx;
    webfx_text(&fx,
               "#Software: Microsoft FTP Service\n"
               "#Fields: date time c-ip cs-method cs-uri-stem sc-status\n"
               "2022-07-05 21:41:05 192.0.2.5 RETR /a.zip 226\n",
               NULL);
    assert_int_equal(fx.n, 1);
    assert_int_equal(fx.ev[0].kind, EV_FTP_CMD);
    assert_vstr(fx.ftp[0].verb, "RETR");
    webfx_free(&fx);

    webfx_text(&fx,
               "#Fields: date time s-sitename c-ip cs-method cs-uri-stem sc-status\n"
               "2022-07-05 21:41:05 FTPSVC2 192.0.2.5 ControlChannelOpened - -\n"
               "2022-07-05 21:41:06 FTPSVC2 192.0.2.5 DELE /x 250\n"
               "2022-07-05 21:41:07 FTPSVC2 192.0.2.5 GET /x 200\n",
               NULL);
    assert_int_equal(fx.n, 3);
    assert_int_equal(fx.ev[0].kind, EV_FTP_CMD);
    assert_vstr(fx.ftp[0].site, "FTPSVC2");
    assert_int_equal(fx.ev[1].kind, EV_FTP_CMD);
    assert_int_equal(fx.ev[2].kind, EV_HTTP_REQ);
    webfx_free(&fx);

    /* an HTTP layout keeps an odd method an HTTP request */
    webfx_text(&fx,
               "#Fields: date time cs-method cs-uri-stem cs(User-Agent) sc-status\n"
               "2022-07-05 21:41:05 USER / scanner 400\n",
               NULL);
    assert_int_equal(fx.n, 1);
    assert_int_equal(fx.ev[0].kind, EV_HTTP_REQ);
    webfx_free(&fx);
}

/* A layout without a date column takes the day of #Date. */
static void test_date_directive(void **state) {
    (void)state;
    struct webfx fx;
    webfx_text(&fx,
               "#Version: 1.0\n#Date: 2019-05-06 00:00:00\n#Fields: time c-ip cs-method cs-uri-stem sc-status\n"
               "07:08:09 192.0.2.1 GET / 200\n",
               NULL);
    assert_int_equal(fx.n, 1);
    assert_int_equal(fx.ev[0].time_us, utc("2019-05-06T07:08:09Z"));
    webfx_free(&fx);
}

/* Bad lines are rejected with their offsets; the good ones around them stay. */
static void test_rejects_with_offsets(void **state) {
    (void)state;
    char text[4096];
    size_t n = 0;
    n += (size_t)snprintf(text + n, sizeof text - n, "#Fields: date time c-ip cs-method cs-uri-stem sc-status\n");
    size_t off_count = n;
    n += (size_t)snprintf(text + n, sizeof text - n, "2024-01-01 00:00:00 192.0.2.1 GET\n");
    size_t off_good1 = n;
    n += (size_t)snprintf(text + n, sizeof text - n, "2024-01-01 00:00:01 192.0.2.1 GET /ok 200\n");
    size_t off_time = n;
    n += (size_t)snprintf(text + n, sizeof text - n, "2024-13-45 99:00:01 192.0.2.1 GET /bad 200\n");
    size_t off_fields = n;
    n += (size_t)snprintf(text + n, sizeof text - n, "#Fields:");
    for (int i = 0; i < 70; i++) n += (size_t)snprintf(text + n, sizeof text - n, " f%d", i);
    n += (size_t)snprintf(text + n, sizeof text - n, "\n");
    size_t off_many = n;
    for (int i = 0; i < 70; i++) n += (size_t)snprintf(text + n, sizeof text - n, "x ");
    n += (size_t)snprintf(text + n, sizeof text - n, "\n\n2024-01-01 00:00:02 192.0.2.1 GET /ok2 200\n");
    struct webfx fx;
    webfx_run(&fx, text, n, "w3c");
    assert_int_equal(fx.rejected, 4);
    webfx_assert_rejected_at(&fx, off_count, "W3C line whose value count fits no #Fields layout");
    webfx_assert_rejected_at(&fx, off_time, "W3C line without a valid date and time");
    webfx_assert_rejected_at(&fx, off_fields, "W3C #Fields directive with too many fields");
    webfx_assert_rejected_at(&fx, off_many, "W3C line with more values than any layout");
    assert_int_equal(fx.n, 2);
    assert_int_equal(fx.ev[0].pos.offset, off_good1);
    assert_vstr(fx.http[1].uri_raw, "/ok2");
    webfx_free(&fx);
}

/* More distinct layouts than are kept: the oldest is forgotten, counted. */
static void test_layouts_bounded(void **state) {
    (void)state;
    char text[8192];
    size_t n = 0;
    for (int i = 0; i < 20; i++) {
        n += (size_t)snprintf(text + n, sizeof text - n, "#Fields: date time cs-method cs-uri-stem");
        for (int k = 0; k <= i; k++) n += (size_t)snprintf(text + n, sizeof text - n, " x-c%d", k);
        n += (size_t)snprintf(text + n, sizeof text - n, "\n2024-01-01 00:00:00 GET /%d", i);
        for (int k = 0; k <= i; k++) n += (size_t)snprintf(text + n, sizeof text - n, " v");
        n += (size_t)snprintf(text + n, sizeof text - n, "\n");
    }
    /* a line of the first (forgotten) layout's count: no built-in has 5 */
    n += (size_t)snprintf(text + n, sizeof text - n, "2024-01-01 00:00:00 GET /old v\n");
    struct webfx fx;
    webfx_run(&fx, text, n, NULL);
    assert_int_equal(fx.n, 20);
    assert_int_equal(fx.rejected, 1);
    assert_non_null(strstr(fx.report, "layouts forgotten"));
    webfx_free(&fx);
}

static void test_sniff(void **state) {
    (void)state;
    const struct decoder_ops *w3c = format_find("w3c");
    assert_non_null(w3c);
    assert_true(w3c->sniff(VSTR("#Software: Microsoft Internet Information Services 10.0\n")) >= 90);
    assert_true(w3c->sniff(VSTR("\xEF\xBB\xBF#Fields: date time\n")) >= 90);
    assert_int_equal(w3c->sniff(VSTR("203.0.113.5 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326\n")), 0);
    assert_int_equal(w3c->sniff(VSTR("{\"records\":[]}\n")), 0);
    /* a stamped line of a count no built-in layout has is not claimed */
    assert_int_equal(w3c->sniff(VSTR("2024-01-01 00:00:00 a b c\n")), 0);
}

/* ---- the public samples (skipped where ../shared/data is absent) ------------ */

static int sample(struct webfx *fx, const char *rel) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", webfx_shared_data(), rel);
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    static char text[65536];
    size_t n = fread(text, 1, sizeof text, f);
    fclose(f);
    webfx_run(fx, text, n, NULL);
    return 1;
}

static void test_sample_mixed_layouts(void **state) {
    (void)state;
    struct webfx fx;
    if (!sample(&fx, "appservice/w3c-iis-beats/test.log")) skip();
    assert_string_equal(fx.fmt->name, "w3c");
    assert_int_equal(fx.rejected, 0);
    assert_int_equal(fx.n, 5);
    assert_vstr(fx.http[1].site, "example.com");
    /* the two Struts probes, written under the first block's 15 fields */
    assert_int_equal(fx.http[3].status, 401);
    assert_vstr(fx.http[3].client_ip_text, "10.50.6.188");
    assert_true(vstr_prefix(fx.http[3].query, "redirect:${"));
    assert_int_equal(fx.http[4].status, 404);
    assert_true(vstr_suffix(fx.http[4].uri_raw, "}.action"));
    webfx_free(&fx);
}

static void test_sample_ftp(void **state) {
    (void)state;
    struct webfx fx;
    if (!sample(&fx, "appservice/ftp/ipban-IIS_FTP-examples.log")) skip();
    assert_int_equal(fx.rejected, 0);
    assert_int_equal(fx.n, 4);
    assert_int_equal(fx.ev[1].kind, EV_FTP_CMD);
    assert_int_equal(fx.ftp[1].status, 530);
    assert_vstr(fx.ftp[1].client_ip_text, "2.3.4.5");
    assert_vstr(fx.ftp[3].user, "MyDomain\\userName");
    assert_int_equal(fx.ftp[3].status, 230);
    webfx_free(&fx);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_app_service_raw_log),
        cmocka_unit_test(test_dashes_and_absent_numbers),
        cmocka_unit_test(test_layouts_change_and_older_lines),
        cmocka_unit_test(test_no_directives_crlf_builtin_layouts),
        cmocka_unit_test(test_ftp_log_by_session_field),
        cmocka_unit_test(test_ftp_by_software_and_by_verb),
        cmocka_unit_test(test_date_directive),
        cmocka_unit_test(test_rejects_with_offsets),
        cmocka_unit_test(test_layouts_bounded),
        cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_sample_mixed_layouts),
        cmocka_unit_test(test_sample_ftp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
