/* The App Service diagnostic log decoder (src/decode/appservice.c). */
#include "webfixture.h"

#include "util/timeutil.h"

static int64_t utc(const char *s) {
    int64_t t;
    assert_true(time_parse(vstr_c(s), &t));
    return t;
}

#define RID "/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.WEB/SITES/MY-APP"

static void test_http_record_per_line(void **state) {
    (void)state;
    struct webfx fx;
    webfx_text(&fx,
               "{\"time\":\"2022-12-14T12:18:26.4843064Z\",\"resourceId\":\"" RID "\",\"category\":\"AppServiceHTTPLogs\","
               "\"properties\":{\"CsMethod\":\"POST\",\"CsUriStem\":\"/api//command/./x;jsessionid=1\",\"SPort\":\"443\","
               "\"CIp\":\"81.2.69.142\",\"UserAgent\":\"Mozilla/5.0+(Windows+NT+10.0)\","
               "\"CsHost\":\"my-app.scm.azurewebsites.net\",\"ScStatus\":200,\"ScSubStatus\":\"0\",\"ScWin32Status\":\"5\","
               "\"ScBytes\":778,\"CsBytes\":\"1523\",\"TimeTaken\":1793,\"Result\":\"Success\",\"Cookie\":\"-\","
               "\"Referer\":\"-\",\"CsUsername\":\"\",\"CsUriQuery\":\"a=1\"}}\n",
               NULL);
    assert_string_equal(fx.fmt->name, "appservice");
    assert_int_equal(fx.rejected, 0);
    assert_int_equal(fx.n, 1);
    assert_int_equal(fx.ev[0].kind, EV_HTTP_REQ);
    assert_int_equal(fx.ev[0].layer, LAYER_APPSERVICE);
    assert_int_equal(fx.ev[0].time_us, utc("2022-12-14T12:18:26.484306Z"));
    const struct http_req *r = &fx.http[0];
    assert_vstr(r->method, "POST");
    assert_vstr(r->uri_raw, "/api//command/./x;jsessionid=1");
    assert_vstr(r->path, "/api/command/x");
    assert_vstr(r->query, "a=1");
    assert_vstr(r->site, "my-app.scm.azurewebsites.net");
    assert_true(r->scm);
    assert_vstr(r->resource_id, RID);
    assert_vstr(r->user_agent, "Mozilla/5.0 (Windows NT 10.0)");
    assert_vstr(r->referer, "");
    assert_vstr(r->username, "");
    assert_true(r->has_ip);
    assert_int_equal(r->server_port, 443);
    assert_int_equal(r->status, 200);
    assert_int_equal(r->win32_status, 5);
    assert_int_equal(r->bytes_sent, 778);
    assert_int_equal(r->bytes_received, 1523);
    assert_int_equal(r->time_taken_ms, 1793);
    webfx_free(&fx);
}

/* properties as a JSON string; EventTime the only time; no CsHost: the
 * site is the resource's name. */
static void test_properties_as_string(void **state) {
    (void)state;
    struct webfx fx;
    webfx_text(&fx,
               "{\"EventTime\":\"2024-09-18T09:18:29.9152940Z\",\"category\":\"AppServiceHTTPLogs\",\"resourceId\":\"" RID "\","
               "\"properties\":\"{\\\"CIp\\\":\\\"127.0.0.1\\\",\\\"CsUriStem\\\":\\\"\\\\/wp-login.php\\\","
               "\\\"CsMethod\\\":\\\"GET\\\",\\\"ScStatus\\\":\\\"404\\\",\\\"UserAgent\\\":\\\"Mozilla/5.0 (+http://bot)\\\"}\"}\n",
               NULL);
    assert_int_equal(fx.rejected, 0);
    assert_int_equal(fx.n, 1);
    const struct http_req *r = &fx.http[0];
    assert_int_equal(fx.ev[0].time_us, utc("2024-09-18T09:18:29.915294Z"));
    assert_vstr(r->uri_raw, "/wp-login.php");
    assert_int_equal(r->status, 404);
    assert_vstr(r->site, "my-app");
    assert_false(r->scm);
    assert_vstr(r->user_agent, "Mozilla/5.0 (+http://bot)");   /* has spaces: its '+' is its own */
    assert_int_equal(r->bytes_sent, -1);
    assert_non_null(strstr(fx.report, "properties as a JSON string"));
    webfx_free(&fx);
}

/* {"records":[...]} with category after properties, and a bare array. */
static void test_batches(void **state) {
    (void)state;
    struct webfx fx;
    webfx_text(&fx,
               "{\"records\":[{\"time\":\"2024-04-24T11:59:40Z\",\"properties\":{\"CsUriStem\":\"/a\",\"CsMethod\":\"GET\"},"
               "\"category\":\"AppServiceHTTPLogs\"},{\"time\":\"2024-04-24T12:00:00Z\",\"category\":\"AppServiceConsoleLogs\","
               "\"properties\":{\"ContainerId\":\"c\"}},{\"time\":\"2024-04-24T12:00:01Z\",\"category\":\"AppServiceHTTPLogs\","
               "\"properties\":{\"CsUriStem\":\"/b\"}}]}\n",
               NULL);
    assert_int_equal(fx.rejected, 0);
    assert_int_equal(fx.n, 2);
    assert_vstr(fx.http[0].uri_raw, "/a");
    assert_int_equal(fx.ev[0].pos.item, 1);
    assert_vstr(fx.http[1].uri_raw, "/b");
    assert_int_equal(fx.ev[1].pos.item, 3);
    assert_non_null(strstr(fx.report, "AppServiceConsoleLogs 1"));
    webfx_free(&fx);
}

/* The Log Analytics table: columns at the top level, any key case, as
 * JSON lines and as the array the CLI prints. */
static void test_log_analytics_rows(void **state) {
    (void)state;
    struct webfx fx;
    webfx_text(&fx,
               "{\"TimeGenerated\":\"2024-05-01T10:00:00Z\",\"CIp\":\"198.51.100.7\",\"CsHost\":\"shop.azurewebsites.net\","
               "\"CsMethod\":\"GET\",\"CsUriStem\":\"/.env\",\"ScStatus\":404,\"_ResourceId\":\"/subscriptions/s/x/sites/shop\","
               "\"Type\":\"AppServiceHTTPLogs\"}\n"
               "{\"timegenerated\":\"2024-05-01T10:00:01Z\",\"cip\":\"198.51.100.7\",\"csmethod\":\"GET\",\"csuristem\":\"/.git/config\","
               "\"scstatus\":\"200\"}\n",
               NULL);
    assert_string_equal(fx.fmt->name, "appservice");
    assert_int_equal(fx.rejected, 0);
    assert_int_equal(fx.n, 2);
    assert_vstr(fx.http[0].site, "shop.azurewebsites.net");
    assert_vstr(fx.http[0].resource_id, "/subscriptions/s/x/sites/shop");
    assert_int_equal(fx.http[0].status, 404);
    assert_vstr(fx.http[1].path, "/.git/config");
    assert_int_equal(fx.http[1].status, 200);
    assert_int_equal(fx.ev[1].time_us, utc("2024-05-01T10:00:01Z"));
    assert_non_null(strstr(fx.report, "Log Analytics"));
    webfx_free(&fx);

    webfx_text(&fx,
               "[\n  {\"TimeGenerated\": \"2024-05-01T10:00:00Z\", \"CsMethod\": \"GET\", \"CsUriStem\": \"/a\","
               " \"Type\": \"AppServiceHTTPLogs\"},\n  {\"TimeGenerated\": \"2024-05-01T10:00:02Z\", \"CsMethod\": \"PUT\","
               " \"CsUriStem\": \"/b\", \"Type\": \"AppServiceHTTPLogs\"}\n]\n",
               "appservice");
    assert_int_equal(fx.rejected, 0);
    assert_int_equal(fx.n, 2);
    assert_vstr(fx.http[1].method, "PUT");
    webfx_free(&fx);
}

static void test_audit_logins(void **state) {
    (void)state;
    struct webfx fx;
    webfx_text(&fx,
               "{\"time\":\"2022-12-14T12:17:57.2735099Z\",\"ResourceId\":\"" RID "\",\"Category\":\"AppServiceAuditLogs\","
               "\"OperationName\":\"Authorization\",\"Properties\":{\"User\":\"$my-app\",\"UserDisplayName\":\"$my-app\","
               "\"UserAddress\":\"203.0.113.50:5432\",\"Protocol\":\"FTP\"}}\n"
               "{\"time\":\"2022-12-14T12:18:00Z\",\"ResourceId\":\"" RID "\",\"Category\":\"AppServiceAuditLogs\","
               "\"Properties\":{\"User\":\"u\",\"UserAddress\":\"[2001:db8::5]:21\",\"Protocol\":\"AAD\"}}\n"
               "{\"time\":\"2022-12-14T12:18:01Z\",\"ResourceId\":\"" RID "\",\"Category\":\"AppServiceAuditLogs\","
               "\"Properties\":{\"User\":\"u\",\"UserAddress\":\"2001:db8::6\",\"Protocol\":\"Basic\"}}\n",
               NULL);
    assert_int_equal(fx.rejected, 0);
    assert_int_equal(fx.n, 3);
    const struct ftp_cmd *a = &fx.ftp[0], *b = &fx.ftp[1], *c = &fx.ftp[2];
    assert_int_equal(fx.ev[0].kind, EV_FTP_CMD);
    assert_vstr(a->verb, "LOGIN");
    assert_vstr(a->protocol, "FTP");
    assert_vstr(a->user, "$my-app");
    assert_vstr(a->user_display, "$my-app");
    assert_vstr(a->site, "my-app");
    assert_vstr(a->resource_id, RID);
    assert_vstr(a->client_ip_text, "203.0.113.50");
    assert_true(a->has_ip);
    assert_int_equal(a->client_port, 5432);
    assert_vstr(a->session, "");
    assert_vstr(b->client_ip_text, "2001:db8::5");
    assert_true(b->has_ip);
    assert_int_equal(b->client_port, 21);
    assert_vstr(b->protocol, "AAD");
    assert_vstr(c->client_ip_text, "2001:db8::6");
    assert_true(c->has_ip);
    assert_int_equal(c->client_port, 0);
    assert_non_null(strstr(fx.report, "3 publishing logins"));
    webfx_free(&fx);
}

/* Bad records are rejected with their offsets; the good ones around stay. */
static void test_rejects_with_offsets(void **state) {
    (void)state;
    const char *good = "{\"time\":\"2024-01-01T00:00:00Z\",\"category\":\"AppServiceHTTPLogs\",\"properties\":{\"CsUriStem\":\"/\"}}\n";
    const char *no_time = "{\"category\":\"AppServiceHTTPLogs\",\"properties\":{\"CsUriStem\":\"/\"}}\n";
    const char *bad_json = "{\"category\":\"AppServiceHTTPLogs\",\"properties\":{\n";
    const char *unknown = "{\"time\":\"2024-01-01T00:00:00Z\",\"foo\":1}\n";
    char text[2048];
    size_t n = 0, off_no_time, off_bad, off_unknown;
    n += (size_t)snprintf(text + n, sizeof text - n, "%s", good);
    off_no_time = n;
    n += (size_t)snprintf(text + n, sizeof text - n, "%s", no_time);
    off_bad = n;
    n += (size_t)snprintf(text + n, sizeof text - n, "%s", bad_json);
    off_unknown = n;
    n += (size_t)snprintf(text + n, sizeof text - n, "%s%s", unknown, good);
    struct webfx fx;
    webfx_run(&fx, text, n, NULL);
    assert_string_equal(fx.fmt->name, "appservice");
    assert_int_equal(fx.n, 2);
    assert_int_equal(fx.rejected, 3);
    webfx_assert_rejected_at(&fx, off_no_time, "App Service record without a valid time");
    webfx_assert_rejected_at(&fx, off_bad, "invalid JSON");
    webfx_assert_rejected_at(&fx, off_unknown, "not an App Service log record");
    webfx_free(&fx);
}

/* The other formats' inputs are not claimed, nor App Service's by them. */
static void test_sniff(void **state) {
    (void)state;
    const struct decoder_ops *app = format_find("appservice");
    assert_non_null(app);
    assert_int_equal(app->sniff(VSTR("{\"records\":[{\"operationName\":\"SecretGet\",\"category\":\"AuditEvent\"}]}")), 0);
    assert_int_equal(app->sniff(VSTR("#Fields: date time cs-method\n")), 0);
    vstr rec = VSTR("{\"time\":\"2022-12-14T12:18:26Z\",\"resourceId\":\"" RID "\",\"operationName\":\"x\","
                    "\"category\":\"AppServiceHTTPLogs\",\"properties\":{\"CsMethod\":\"GET\"}}\n");
    assert_ptr_equal(format_detect(rec), app);
    vstr console = VSTR("{\"records\":[{\"time\":\"2024-04-24T12:06:12Z\",\"resourceId\":\"/R\","
                        "\"category\":\"AppServiceConsoleLogs\",\"operationName\":\"ConsoleLog\"}]}");
    assert_ptr_equal(format_detect(console), app);
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

static void test_sample_elastic_http(void **state) {
    (void)state;
    struct webfx fx;
    if (!sample(&fx, "appservice/elastic-integrations/test-appservicehttplogs-raw.log")) skip();
    assert_int_equal(fx.rejected, 0);
    assert_int_equal(fx.n, 3);
    assert_true(fx.http[0].scm);
    assert_vstr(fx.http[0].path, "/api/command");
    assert_vstr(fx.http[2].site, "example-markdown-app.azurewebsites.net");
    assert_vstr(fx.http[2].uri_raw, "/");
    assert_int_equal(fx.http[2].status, 200);
    assert_int_equal(fx.http[2].bytes_sent, 25461);
    webfx_free(&fx);
}

static void test_sample_audit_and_console(void **state) {
    (void)state;
    struct webfx fx;
    if (!sample(&fx, "appservice/elastic-integrations/test-appserviceauditlogs-raw.log")) skip();
    assert_int_equal(fx.rejected, 0);
    assert_int_equal(fx.n, 1);
    assert_vstr(fx.ftp[0].protocol, "AAD");
    assert_vstr(fx.ftp[0].user_display, "user@elastic.co");
    assert_int_equal(fx.ftp[0].client_port, 5432);
    webfx_free(&fx);
    if (!sample(&fx, "appservice/elastic-integrations/test-appserviceconsolelogs-raw.log")) skip();
    assert_int_equal(fx.rejected, 0);
    assert_int_equal(fx.n, 0);
    assert_non_null(strstr(fx.report, "AppServiceConsoleLogs 2"));
    webfx_free(&fx);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http_record_per_line),   cmocka_unit_test(test_properties_as_string),
        cmocka_unit_test(test_batches),                cmocka_unit_test(test_log_analytics_rows),
        cmocka_unit_test(test_audit_logins),           cmocka_unit_test(test_rejects_with_offsets),
        cmocka_unit_test(test_sniff),                  cmocka_unit_test(test_sample_elastic_http),
        cmocka_unit_test(test_sample_audit_and_console),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
