/* The App Service detector on hand-built events: what the regression
 * cases (tests/cases/app/) cannot easily show, the client behind a trusted
 * front door, trusted clients, the cross-site campaign's thresholds, a
 * signature list that does not compile, and an auditd-style process chain
 * learnt from ppids only. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "detfixture.h"

extern const struct detector appservice_detector;
DETFX_SETUP(appservice_detector)

/* Replace a config list (the config owns and frees it). */
static void set_list(struct strlist *l, int n, ...) {
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    l->v = calloc((size_t)n + 1, sizeof *l->v);
    l->n = (size_t)n;
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) l->v[i] = strdup(va_arg(ap, const char *));
    va_end(ap);
}

struct req {
    const char *site, *ip, *path, *method, *xff, *ua;
    int status;
};

static void request(struct fixture *fx, int64_t t, const struct req *q) {
    struct http_req r = { 0 };
    r.site = vstr_c(q->site ? q->site : "shop.example");
    r.method = vstr_c(q->method ? q->method : "GET");
    r.uri_raw = r.path = vstr_c(q->path);
    r.user_agent = vstr_c(q->ua ? q->ua : "Mozilla/5.0");
    r.client_ip_text = vstr_c(q->ip);
    r.has_ip = ip_parse(q->ip, strlen(q->ip), &r.client_ip);
    r.forwarded_for = vstr_c(q->xff);
    r.status = (uint16_t)(q->status ? q->status : 200);
    r.bytes_sent = r.bytes_received = r.time_taken_ms = -1;
    struct event ev = { .time_us = t, .layer = LAYER_APPSERVICE, .kind = EV_HTTP_REQ, .u.http = &r };
    detfx_event(fx, &ev);
}

/* The site's first request starts its learning period (1 s here). */
static void short_learning(struct fixture *fx) {
    fx->cfg.appservice.learning_period_us = US_PER_SEC;
    detfx_stop(fx);
    detfx_start(fx);
    struct req first = { .ip = "192.0.2.1", .path = "/" };
    request(fx, DAY(0), &first);
}

static void test_client_behind_trusted_proxy(void **state) {
    struct fixture *fx = *state;
    set_list(&fx->cfg.appservice.trusted_proxies, 1, "10.0.0.0/8");
    short_learning(fx);
    /* the client wrote 203.0.113.9 itself; the front door appended 198.51.100.7 */
    struct req q = { .ip = "10.0.0.5", .xff = "203.0.113.9, 198.51.100.7", .path = "/wp-login.php", .method = "POST" };
    request(fx, DAY(1), &q);
    detfx_finish(fx);
    assert_int_equal(detfx_count(fx, "app.sensitive_page.anomalous_ip"), 1);
    assert_non_null(strstr(buf_cstr(&fx->json), "\"ip\":[\"198.51.100.7\"]"));
    assert_null(strstr(buf_cstr(&fx->json), "203.0.113.9"));
}

static void test_untrusted_proxy_is_the_client(void **state) {
    struct fixture *fx = *state;
    short_learning(fx);
    struct req q = { .ip = "10.0.0.5", .xff = "198.51.100.7", .path = "/wp-login.php", .method = "POST" };
    request(fx, DAY(1), &q);
    detfx_finish(fx);
    assert_int_equal(detfx_count(fx, "app.sensitive_page.anomalous_ip"), 1);
    assert_non_null(strstr(buf_cstr(&fx->json), "\"ip\":[\"10.0.0.5\"]"));
}

static void test_trusted_client_never_judged(void **state) {
    struct fixture *fx = *state;
    set_list(&fx->cfg.appservice.trusted_clients, 1, "198.51.100.0/24");
    short_learning(fx);
    struct req q = { .ip = "198.51.100.7", .path = "/wp-login.php", .method = "POST" };
    request(fx, DAY(1), &q);
    struct req up = { .ip = "198.51.100.8", .path = "/wp-content/uploads/x.php" };
    request(fx, DAY(1) + MIN(1), &up);
    detfx_finish(fx);
    assert_int_equal(fx->n_alerts, 0);
}

/* One path swept over six sites is not a campaign under the default
 * cross_host_min_paths (2); a second path by the same addresses is. */
static void sweep(struct fixture *fx, int paths) {
    const char *p[] = { "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "/wp-content/plugins/x/readme.txt" };
    for (int s = 0; s < 6; s++) {
        char site[32];
        snprintf(site, sizeof site, "site%d.example", s);
        for (int i = 0; i < paths; i++) {
            struct req q = { .site = site, .ip = s % 2 ? "198.51.100.66" : "198.51.100.67", .path = p[i], .status = 404 };
            request(fx, DAY(0) + MIN(s) + i, &q);
        }
    }
    detfx_finish(fx);
}

static void test_cross_host_needs_two_paths(void **state) {
    struct fixture *fx = *state;
    sweep(fx, 1);
    assert_int_equal(detfx_count(fx, "app.scan.cross_host"), 0);
}

static void test_cross_host_campaign(void **state) {
    struct fixture *fx = *state;
    sweep(fx, 2);
    assert_int_equal(detfx_count(fx, "app.scan.cross_host"), 1);
    assert_string_equal(fx->entities[0], "198.51.100.66, 198.51.100.67");
    assert_non_null(strstr(buf_cstr(&fx->json), "\"threshold_sites\":5"));
}

static void test_bad_signature_refuses_to_start(void **state) {
    struct fixture *fx = *state;
    set_list(&fx->cfg.appservice.sensitive_pages, 2, "/wp-login.php", "re:/admin(");
    void *det = appservice_detector.create(&fx->cfg);
    assert_null(det);
}

struct proc { int64_t pid, ppid; const char *exe, *cmd; };

static void exec(struct fixture *fx, int64_t t, const struct proc *p) {
    struct proc_exec e = { 0 };
    e.host = vstr_c("web-01");
    e.os = PROC_OS_LINUX;
    e.pid = p->pid;
    e.ppid = p->ppid;
    e.exe = vstr_c(p->exe);
    e.command_line = vstr_c(p->cmd);
    e.uid = e.euid = e.auid = e.parent_pid_ecs = -1;
    e.success = 1;
    struct event ev = { .time_us = t, .layer = LAYER_HOST, .kind = EV_PROC_EXEC, .u.proc = &e };
    detfx_event(fx, &ev);
}

/* auditd gives only ppids: nginx -> sh -> sudo is judged through the tree,
 * the same sudo under sshd is not. */
static void test_ppid_chain_reaches_the_web_worker(void **state) {
    struct fixture *fx = *state;
    struct proc nginx = { 100, 1, "/usr/sbin/nginx", "nginx: master process" };
    struct proc sh = { 200, 100, "/bin/sh", "sh -c sudo -n id" };
    struct proc sudo = { 201, 200, "/usr/bin/sudo", "sudo -n id" };
    struct proc sshd = { 300, 1, "/usr/sbin/sshd", "sshd -D" };
    struct proc admin = { 301, 300, "/usr/bin/sudo", "sudo -n id" };
    exec(fx, DAY(0), &nginx);
    exec(fx, DAY(0) + 1, &sh);
    exec(fx, DAY(0) + 2, &sudo);
    exec(fx, DAY(0) + 3, &sshd);
    exec(fx, DAY(0) + 4, &admin);
    detfx_finish(fx);
    /* sh -c "sudo ..." and sudo itself: one alert on the host, counted twice */
    assert_int_equal(detfx_count(fx, "app.process.high_privilege"), 1);
    assert_non_null(strstr(buf_cstr(&fx->json), "\"count\":2"));
    assert_non_null(strstr(buf_cstr(&fx->json), "\"web_worker\":\"nginx\""));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_client_behind_trusted_proxy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_untrusted_proxy_is_the_client, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trusted_client_never_judged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cross_host_needs_two_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cross_host_campaign, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_signature_refuses_to_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ppid_chain_reaches_the_web_worker, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
