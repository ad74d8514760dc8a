#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"
#include "decode/json.h"

extern const struct decoder_ops k8s_audit_decoder;

struct fixture {
    struct rejects *rj;
    void *dec;
    char *doc;
    struct event ev;
};

static int setup(void **state) {
    struct fixture *f = calloc(1, sizeof *f);
    f->rj = rejects_new(0, NULL);
    f->dec = k8s_audit_decoder.create("test", f->rj);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    struct fixture *f = *state;
    k8s_audit_decoder.destroy(f->dec);
    rejects_free(f->rj);
    free(f->doc);
    free(f);
    return 0;
}

/* Feed one record; return how many events it yields (the last in f->ev). */
static int feed(struct fixture *f, const char *json) {
    size_t n = strlen(json);
    free(f->doc);
    f->doc = calloc(1, n + JSON_PADDING);
    memcpy(f->doc, json, n);
    struct record rec = { .p = f->doc, .len = n, .cap = n + JSON_PADDING };
    k8s_audit_decoder.begin(f->dec, &rec);
    int events = 0;
    struct event ev;
    while (k8s_audit_decoder.next(f->dec, &ev)) { f->ev = ev; events++; }
    return events;
}

#define POD_CREATE_SORTED_KEYS                                                                             \
    "{\"annotations\":{\"authorization.k8s.io/decision\":\"allow\"},\"auditID\":\"id-1\",\"kind\":\"Event\","  \
    "\"level\":\"RequestResponse\",\"objectRef\":{\"name\":\"web\",\"namespace\":\"prod\",\"resource\":\"pods\"}," \
    "\"requestObject\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\"},\"spec\":{\"containers\":["           \
    "{\"image\":\"nginx\",\"name\":\"a\"},{\"args\":[\"-x\"],\"command\":[\"run\"],\"image\":\"busybox\","        \
    "\"name\":\"b\",\"securityContext\":{\"capabilities\":{\"add\":[\"SYS_ADMIN\"]},\"privileged\":true},"       \
    "\"volumeMounts\":[{\"mountPath\":\"/host\",\"name\":\"root\",\"readOnly\":true}]}],"                          \
    "\"hostPID\":true,\"volumes\":[{\"hostPath\":{\"path\":\"/\"},\"name\":\"root\"}]}},"                        \
    "\"requestReceivedTimestamp\":\"2026-03-01T10:00:00.000001Z\",\"responseStatus\":{\"code\":201},"            \
    "\"sourceIPs\":[\"10.1.2.3\",\"::1\"],\"stage\":\"ResponseComplete\",\"user\":{\"groups\":[\"g\"],"          \
    "\"username\":\"alice\"},\"userAgent\":\"kubectl/v1.30\",\"verb\":\"create\"}"

static void test_fields_in_any_order(void **state) {
    struct fixture *f = *state;
    assert_int_equal(feed(f, POD_CREATE_SORTED_KEYS), 1);
    const struct k8s_audit *k = f->ev.u.k8s;
    assert_true(vstr_eqc(k->verb, "create"));
    assert_true(vstr_eqc(k->user, "alice"));
    assert_int_equal(k->n_source_ips, 2);
    assert_true(vstr_eqc(k->resource, "pods"));
    assert_int_equal(k->code, 201);
    assert_true(vstr_eqc(k->decision, "allow"));
    assert_int_equal(f->ev.time_us, INT64_C(1772359200000001));
    assert_true(k->obj.has_podspec);
    assert_true(k->obj.pod.host_pid);
    assert_int_equal(k->obj.pod.n_containers, 2);
    const struct k8s_container *b = &k->obj.pod.containers[1];
    assert_true(b->privileged);
    assert_int_equal(b->n_caps_add, 1);
    assert_int_equal(b->n_command, 2);           /* command then args */
    assert_true(vstr_eqc(b->command[0], "run"));
    assert_true(vstr_eqc(b->command[1], "-x"));
    assert_int_equal(b->n_mounts, 1);
    assert_true(b->mounts[0].read_only);
    assert_int_equal(k->obj.pod.n_volumes, 1);
    assert_true(vstr_eqc(k->obj.pod.volumes[0].host_path, "/"));
    assert_int_equal(rejects_total(f->rj), 0);
}

static void test_patch_uses_response_object(void **state) {
    struct fixture *f = *state;
    const char *ev =
        "{\"kind\":\"Event\",\"auditID\":\"p\",\"stage\":\"ResponseComplete\",\"verb\":\"patch\","
        "\"objectRef\":{\"resource\":\"services\",\"namespace\":\"kubernetes-dashboard\",\"name\":\"kubernetes-dashboard\"},"
        "\"requestObject\":{\"spec\":{\"type\":\"LoadBalancer\"}},"
        "\"responseObject\":{\"kind\":\"Service\",\"metadata\":{\"name\":\"kubernetes-dashboard\"},"
        "\"spec\":{\"type\":\"LoadBalancer\",\"selector\":{\"k8s-app\":\"kubernetes-dashboard\"},"
        "\"ports\":[{\"port\":443,\"targetPort\":8443,\"nodePort\":31000}]}},"
        "\"requestReceivedTimestamp\":\"2026-03-01T10:00:00Z\"}";
    assert_int_equal(feed(f, ev), 1);
    const struct k8s_object *o = &f->ev.u.k8s->obj;
    assert_true(vstr_eqc(o->kind, "Service"));
    assert_true(vstr_eqc(o->service_type, "LoadBalancer"));
    assert_int_equal(o->n_selector, 1);
    assert_int_equal(o->n_ports, 1);
    assert_int_equal(o->ports[0].node_port, 31000);
    assert_true(vstr_eqc(o->ports[0].target_port, "8443"));
}

static void test_failed_request_falls_back_to_request_object(void **state) {
    struct fixture *f = *state;
    const char *ev =
        "{\"kind\":\"Event\",\"auditID\":\"q\",\"stage\":\"ResponseComplete\",\"verb\":\"create\","
        "\"objectRef\":{\"resource\":\"clusterrolebindings\"},\"responseStatus\":{\"code\":403},"
        "\"requestObject\":{\"kind\":\"ClusterRoleBinding\",\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":\"cluster-admin\"},"
        "\"subjects\":[{\"kind\":\"User\",\"name\":\"mallory\"}]},"
        "\"responseObject\":{\"kind\":\"Status\",\"status\":\"Failure\"},"
        "\"requestReceivedTimestamp\":\"2026-03-01T10:00:00Z\"}";
    assert_int_equal(feed(f, ev), 1);
    const struct k8s_object *o = &f->ev.u.k8s->obj;
    assert_true(vstr_eqc(o->role_ref_name, "cluster-admin"));
    assert_int_equal(o->n_subjects, 1);
    assert_int_equal(f->ev.u.k8s->code, 403);
}

static void test_workload_templates(void **state) {
    struct fixture *f = *state;
    const char *cron =
        "{\"kind\":\"Event\",\"auditID\":\"c\",\"stage\":\"ResponseComplete\",\"verb\":\"create\","
        "\"objectRef\":{\"resource\":\"cronjobs\",\"namespace\":\"ci\"},"
        "\"requestObject\":{\"kind\":\"CronJob\",\"metadata\":{\"name\":\"nightly\"},\"spec\":{\"schedule\":\"@daily\","
        "\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"x\",\"image\":\"xmrig/xmrig\"}]}}}}}},"
        "\"requestReceivedTimestamp\":\"2026-03-01T10:00:00Z\"}";
    assert_int_equal(feed(f, cron), 1);
    assert_true(f->ev.u.k8s->obj.has_podspec);
    assert_int_equal(f->ev.u.k8s->obj.pod.n_containers, 1);
    assert_true(vstr_eqc(f->ev.u.k8s->obj.pod.containers[0].image, "xmrig/xmrig"));
}

/* The controlling owner wins over the others, whatever their order; uid
 * comes from the response; resourceNames narrow a rule. */
static void test_owner_and_rule_names(void **state) {
    struct fixture *f = *state;
    const char *pod =
        "{\"kind\":\"Event\",\"auditID\":\"o\",\"stage\":\"ResponseComplete\",\"verb\":\"create\","
        "\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"shop\"},\"responseStatus\":{\"code\":201},"
        "\"responseObject\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-5d8-x\",\"uid\":\"u-1\","
        "\"ownerReferences\":[{\"kind\":\"ConfigMap\",\"name\":\"cm\",\"uid\":\"u-2\"},"
        "{\"kind\":\"ReplicaSet\",\"name\":\"web-5d8\",\"uid\":\"u-3\",\"controller\":true}]},"
        "\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"nginx\"}]}},"
        "\"requestReceivedTimestamp\":\"2026-03-01T10:00:00Z\"}";
    assert_int_equal(feed(f, pod), 1);
    const struct k8s_object *o = &f->ev.u.k8s->obj;
    assert_true(vstr_eqc(o->uid, "u-1"));
    assert_true(vstr_eqc(o->owner.kind, "ReplicaSet"));
    assert_true(vstr_eqc(o->owner.name, "web-5d8"));
    assert_true(vstr_eqc(o->owner.uid, "u-3"));

    const char *role =
        "{\"kind\":\"Event\",\"auditID\":\"r\",\"stage\":\"ResponseComplete\",\"verb\":\"create\","
        "\"objectRef\":{\"resource\":\"clusterroles\"},\"responseStatus\":{\"code\":201},"
        "\"requestObject\":{\"kind\":\"ClusterRole\",\"metadata\":{\"name\":\"tls\"},\"rules\":["
        "{\"resources\":[\"secrets\"],\"resourceNames\":[\"a\",\"b\"],\"verbs\":[\"get\"]},"
        "{\"resources\":[\"configmaps\"],\"verbs\":[\"list\"]}]},"
        "\"requestReceivedTimestamp\":\"2026-03-01T10:00:01Z\"}";
    assert_int_equal(feed(f, role), 1);
    o = &f->ev.u.k8s->obj;
    assert_int_equal(o->n_rules, 2);
    assert_int_equal(o->rules[0].n_resource_names, 2);
    assert_true(vstr_eqc(o->rules[0].resource_names[1], "b"));
    assert_int_equal(o->rules[1].n_resource_names, 0);
    assert_int_equal(o->owner.kind.n, 0);
}

static void test_stages_one_event_per_request(void **state) {
    struct fixture *f = *state;
    const char *recv = "{\"kind\":\"Event\",\"auditID\":\"x\",\"stage\":\"RequestReceived\",\"verb\":\"create\","
                       "\"requestReceivedTimestamp\":\"2026-03-01T10:00:00Z\"}";
    const char *started = "{\"kind\":\"Event\",\"auditID\":\"x\",\"stage\":\"ResponseStarted\",\"verb\":\"create\","
                          "\"requestReceivedTimestamp\":\"2026-03-01T10:00:00Z\"}";
    const char *done = "{\"kind\":\"Event\",\"auditID\":\"x\",\"stage\":\"ResponseComplete\",\"verb\":\"create\","
                       "\"requestReceivedTimestamp\":\"2026-03-01T10:00:00Z\"}";
    assert_int_equal(feed(f, recv), 0);
    assert_int_equal(feed(f, started), 1);
    assert_int_equal(feed(f, done), 0);
    assert_int_equal(feed(f, done), 1);   /* a new request reusing nothing: seen once more */
    assert_int_equal(rejects_total(f->rj), 0);
}

/* Many long-running requests open at once (the set of auditIDs grows past
 * its first size), completed in another order, some completed twice, with
 * unrelated requests in between: each is seen exactly once. */
static int feed_stage(struct fixture *f, const char *stage, unsigned id) {
    char doc[256];
    snprintf(doc, sizeof doc, "{\"kind\":\"Event\",\"auditID\":\"req-%u\",\"stage\":\"%s\",\"verb\":\"watch\","
             "\"requestReceivedTimestamp\":\"2026-03-01T10:00:00Z\"}", id, stage);
    return feed(f, doc);
}

static void test_many_open_requests(void **state) {
    struct fixture *f = *state;
    enum { N = 5000 };
    for (unsigned i = 0; i < N; i++) assert_int_equal(feed_stage(f, "ResponseStarted", i), 1);
    /* a stride coprime with N visits every request once, in a scattered order */
    for (unsigned k = 0; k < N; k++) {
        unsigned i = (unsigned)((uint64_t)k * 2654435761u % N);
        if (k % 7 == 0) assert_int_equal(feed_stage(f, "ResponseComplete", N + k), 1);  /* never started */
        assert_int_equal(feed_stage(f, "ResponseComplete", i), 0);
        if (k % 2 == 0) assert_int_equal(feed_stage(f, "ResponseComplete", i), 1);       /* already done */
    }
    assert_int_equal(rejects_total(f->rj), 0);
}

/* The event time: requestReceivedTimestamp, else the v1beta1 timestamp (or
 * metadata.creationTimestamp), else stageTimestamp; an unparsable one is
 * passed over, and the last of repeated keys counts. */
static void test_event_time_fallbacks(void **state) {
    struct fixture *f = *state;
    const int64_t t10 = INT64_C(1772359200000000);   /* 2026-03-01T10:00:00Z */
    assert_int_equal(feed(f, "{\"verb\":\"get\",\"stageTimestamp\":\"2026-03-01T10:00:02Z\","
                             "\"requestReceivedTimestamp\":\"2026-03-01T10:00:00Z\"}"), 1);
    assert_int_equal(f->ev.time_us, t10);
    assert_int_equal(feed(f, "{\"verb\":\"get\",\"stageTimestamp\":\"2026-03-01T10:00:02Z\","
                             "\"requestReceivedTimestamp\":\"yesterday\"}"), 1);
    assert_int_equal(f->ev.time_us, t10 + 2000000);
    assert_int_equal(feed(f, "{\"verb\":\"get\",\"stageTimestamp\":\"2026-03-01T10:00:02Z\","
                             "\"requestReceivedTimestamp\":7,\"timestamp\":\"2026-03-01T10:00:01Z\"}"), 1);
    assert_int_equal(f->ev.time_us, t10 + 1000000);
    assert_int_equal(feed(f, "{\"verb\":\"get\",\"metadata\":{\"creationTimestamp\":\"2026-03-01T10:00:03Z\"},"
                             "\"stageTimestamp\":\"2026-03-01T10:00:02Z\"}"), 1);
    assert_int_equal(f->ev.time_us, t10 + 3000000);
    assert_int_equal(feed(f, "{\"verb\":\"get\",\"requestReceivedTimestamp\":\"2026-03-01T10:00:04Z\","
                             "\"requestReceivedTimestamp\":\"bad\",\"stageTimestamp\":\"2026-03-01T10:00:02Z\"}"), 1);
    assert_int_equal(f->ev.time_us, t10 + 2000000);
    assert_int_equal(feed(f, "{\"verb\":\"get\",\"requestReceivedTimestamp\":\"bad\"}"), 0);
    assert_int_equal(rejects_total(f->rj), 1);
}

static void test_envelopes(void **state) {
    struct fixture *f = *state;
    const char *list = "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":["
                       "{\"kind\":\"Event\",\"auditID\":\"1\",\"stage\":\"ResponseComplete\",\"verb\":\"get\",\"stageTimestamp\":\"2026-03-01T10:00:00Z\"},"
                       "{\"kind\":\"Event\",\"auditID\":\"2\",\"stage\":\"ResponseComplete\",\"verb\":\"list\",\"stageTimestamp\":\"2026-03-01T10:00:01Z\"},"
                       "{\"kind\":\"Event\",\"auditID\":\"3\",\"stage\":\"ResponseComplete\",\"stageTimestamp\":\"2026-03-01T10:00:01Z\"}]}";
    assert_int_equal(feed(f, list), 2);
    assert_int_equal(rejects_total(f->rj), 1);      /* the item without a verb */
    const char *aks = "{\"records\":[{\"category\":\"kube-audit\",\"time\":\"2026-03-01T10:00:00Z\","
                      "\"resourceId\":\"/SUBSCRIPTIONS/S/RESOURCEGROUPS/R/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/PROD1\","
                      "\"properties\":{\"log\":\"{\\\"kind\\\":\\\"Event\\\",\\\"auditID\\\":\\\"a\\\",\\\"stage\\\":\\\"ResponseComplete\\\","
                      "\\\"verb\\\":\\\"delete\\\",\\\"requestReceivedTimestamp\\\":\\\"2026-03-01T10:00:00Z\\\"}\\n\",\"pod\":\"kube-apiserver-1\"}},"
                      "{\"category\":\"cluster-autoscaler\",\"properties\":{\"log\":\"scaled\"}}]}";
    assert_int_equal(feed(f, aks), 1);
    assert_true(vstr_eqc(f->ev.u.k8s->verb, "delete"));
    assert_true(vstr_eqc(f->ev.u.k8s->cluster, "PROD1"));
    const char *wrapped = "{\"input\":{\"message\":\"{\\\"kind\\\":\\\"Event\\\",\\\"verb\\\":\\\"watch\\\",\\\"auditID\\\":\\\"w\\\","
                          "\\\"stage\\\":\\\"ResponseComplete\\\",\\\"requestReceivedTimestamp\\\":\\\"2026-03-01T10:00:00Z\\\"}\"},"
                          "\"expected\":{}}";
    assert_int_equal(feed(f, wrapped), 1);
    assert_true(vstr_eqc(f->ev.u.k8s->verb, "watch"));
}

static void test_rejects(void **state) {
    struct fixture *f = *state;
    const char *bad[] = {
        "{\"kind\": 0}",
        "{\"kind\":\"Event\",\"verb\":\"get\"}",                                  /* no time */
        "{\"kind\":\"Event\",\"verb\":\"get\",\"stageTimestamp\":\"not a time\"}",
        "{\"kind\":\"Event\",\"verb\":\"get\",\"stageTimestamp\":\"2026-03-01T10:00:00Z\"",  /* truncated */
        "[1,2,3]",
        "{\"kind\":\"Pod\",\"verb\":\"get\",\"stageTimestamp\":\"2026-03-01T10:00:00Z\"}",
        "{\"kind\":\"Event\",\"verb\":\"get\",\"stageTimestamp\":\"2026-03-01T10:00:00Z\"} extra",
        "{\"records\":[{\"category\":\"kube-audit\",\"properties\":{\"log\":\"{broken\"}}]}",
        "{\"hello\":\"world\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        uint64_t before = rejects_total(f->rj);
        assert_int_equal(feed(f, bad[i]), 0);
        if (rejects_total(f->rj) != before + 1) fail_msg("record %zu not rejected: %s", i, bad[i]);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fields_in_any_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_patch_uses_response_object, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_request_falls_back_to_request_object, setup, teardown),
        cmocka_unit_test_setup_teardown(test_workload_templates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_owner_and_rule_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stages_one_event_per_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_open_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_time_fallbacks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_envelopes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejects, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
