/* The container-host detector on hand-built events: what the regression
 * cases (tests/cases/host/) cannot easily show. A docker exec event is
 * folded into its process event (one alert, with the chain) or judged alone
 * when no process comes; escape tools in containers of unknown privileges
 * are counted, not alerted; allowlists are config data; a signature list
 * that does not compile stops the detector. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "detfixture.h"

extern const struct detector host_detector;
DETFX_SETUP(host_detector)

#define SEC INT64_C(1000000)
#define T_START (INT64_C(1772442000) * SEC)
#define ID "0b9e7c2a4d6f8e1a3c5b7d9f0e2a4c6b8d0f1e3a5c7b9d1f3e5a7c9b1d3f5e7a"

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

static void container(struct fixture *fx, int64_t t, const char *action, const char *image, const char *exec_cmd) {
    struct container_event ce = { .type = VSTR("container"), .action = vstr_c(action), .id = VSTR(ID),
                                  .image = vstr_c(image), .name = VSTR("app"), .exec_command = vstr_c(exec_cmd),
                                  .privileged = -1, .exit_code = -1, .pid = -1 };
    struct event ev = { .time_us = t, .layer = LAYER_HOST, .kind = EV_CONTAINER, .u.container = &ce };
    detfx_event(fx, &ev);
}

static void process(struct fixture *fx, int64_t t, int64_t pid, int64_t ppid, int argc, ...) {
    vstr argv[16];
    char line[1024];
    size_t n = 0;
    va_list ap;
    va_start(ap, argc);
    for (int i = 0; i < argc; i++) {
        const char *a = va_arg(ap, const char *);
        argv[i] = vstr_c(a);
        n += (size_t)snprintf(line + n, sizeof line - n, "%s%s", i ? " " : "", a);
    }
    va_end(ap);
    struct proc_exec p = { .host = VSTR("node-1"), .pid = pid, .ppid = ppid, .exe = argv[0], .argv = argv,
                           .argc = (uint32_t)argc, .command_line = (vstr){ line, n }, .user = VSTR("0"),
                           .uid = 0, .euid = 0, .auid = -1, .parent_pid_ecs = -1, .success = 1 };
    struct event ev = { .time_us = t, .layer = LAYER_HOST, .kind = EV_PROC_EXEC, .u.proc = &p };
    detfx_event(fx, &ev);
}

static void shim(struct fixture *fx, int64_t t) {
    process(fx, t, 700, 1, 5, "containerd-shim-runc-v2", "-namespace", "moby", "-id", ID);
}

/* docker exec seen twice: the event waits for the process and is dropped,
 * so the one alert carries the process chain. */
static void test_exec_event_folds_into_process(void **state) {
    struct fixture *fx = *state;
    shim(fx, T_START);
    process(fx, T_START + SEC, 701, 700, 2, "sleep", "infinity");
    container(fx, T_START + 10 * SEC, "exec_start", "ubuntu", "kubectl get secrets -A");
    process(fx, T_START + 10 * SEC + 80000, 702, 700, 4, "kubectl", "get", "secrets", "-A");
    process(fx, T_START + 60 * SEC, 703, 701, 1, "true");       /* time passes */
    detfx_finish(fx);
    assert_int_equal(fx->n_alerts, 1);
    assert_int_equal(detfx_count(fx, "host.k8s_api.suspicious_request"), 1);
    const char *j = buf_cstr(&fx->json);
    assert_non_null(strstr(j, "\"process_chain\":[\"kubectl (pid 702)"));
    assert_non_null(strstr(j, "\"count\":1"));
}

/* Without process telemetry the docker event is judged on its own once
 * the pairing window has passed (or at the end of input). */
static void test_exec_event_alone(void **state) {
    struct fixture *fx = *state;
    container(fx, T_START, "create", "ubuntu", "");
    container(fx, T_START + 10 * SEC, "exec_start", "ubuntu", "/usr/sbin/sshd -D -p 2222");
    assert_int_equal(fx->n_alerts, 0);                      /* still waiting */
    container(fx, T_START + 20 * SEC, "exec_start", "ubuntu", "ls");
    detfx_finish(fx);
    assert_int_equal(detfx_count(fx, "host.container.ssh_server"), 1);
    assert_non_null(strstr(buf_cstr(&fx->json), "\"seen_in\":\"docker exec event\""));
}

/* An escape tool where the container's privileges are unknown cannot be
 * judged: counted for the summary. With the image allowlisted, even a
 * known-privileged container stays quiet. */
static void test_unknown_privileges_and_allowlist(void **state) {
    struct fixture *fx = *state;
    container(fx, T_START, "create", "fabrikam/storage-agent:1.0", "");
    shim(fx, T_START + SEC);
    process(fx, T_START + 2 * SEC, 701, 700, 3, "mount", "/dev/sdb1", "/mnt");
    detfx_finish(fx);
    assert_int_equal(fx->n_alerts, 0);
    buf b;
    buf_init(&b);
    host_detector.report(fx->det, &b);
    assert_non_null(strstr(buf_cstr(&b), "1 escape-capable commands ran in containers whose privileges are unknown"));
    buf_free(&b);

    detfx_stop(fx);
    set_list(&fx->cfg.host.escape_image_allowlist, 1, "fabrikam/storage-agent");
    set_list(&fx->cfg.k8s.privileged_image_allowlist, 1, "fabrikam/");
    detfx_start(fx);
    fx->n_alerts = 0;
    process(fx, T_START + 100 * SEC, 800, 50, 6, "docker", "run", "--privileged", "--name", "app",
            "fabrikam/storage-agent:1.0");
    container(fx, T_START + 100 * SEC + 500000, "create", "fabrikam/storage-agent:1.0", "");
    process(fx, T_START + 101 * SEC, 801, 700, 3, "mount", "/dev/sdb1", "/mnt");
    detfx_finish(fx);
    assert_int_equal(fx->n_alerts, 0);

    /* the same container, now known privileged, without the escape allowlist */
    detfx_stop(fx);
    set_list(&fx->cfg.host.escape_image_allowlist, 0);
    detfx_start(fx);
    process(fx, T_START + 102 * SEC, 802, 700, 3, "mount", "/dev/sdb1", "/mnt");
    detfx_finish(fx);
    assert_int_equal(detfx_count(fx, "host.container.privileged_command"), 1);
}

static void test_bad_signature_refuses_to_start(void **state) {
    struct fixture *fx = *state;
    set_list(&fx->cfg.host.ssh_server_programs, 1, "re:^(sshd");
    assert_null(host_detector.create(&fx->cfg));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_exec_event_folds_into_process, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_event_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_privileges_and_allowlist, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_signature_refuses_to_start, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
