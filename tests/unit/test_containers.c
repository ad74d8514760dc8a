#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "enrich/containers.h"
#include "enrich/proctree.h"

#define SEC INT64_C(1000000)
#define ID_WEB "4f66ad9a0b2e8f1c7d3e5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f809"
#define ID_DB "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b"

struct env {
    struct vigil_config cfg;
    struct proctree *t;
    struct containers *c;
    char scratch[16][512];              /* a record's bytes, overwritten after each call */
    uint64_t offset;
};

static struct env *env_new(uint32_t max_containers) {
    struct env *e = test_calloc(1, sizeof *e);
    config_defaults(&e->cfg);
    e->t = proctree_new(1000);
    e->c = containers_new(&(struct containers_options){ .max_containers = max_containers,
                                                        .link_window_us = 30 * SEC,
                                                        .runtime_processes = &e->cfg.host.runtime_processes });
    return e;
}

static void env_free(struct env *e) {
    containers_free(e->c);
    proctree_free(e->t);
    config_free(&e->cfg);
    test_free(e);
}

static vstr put(struct env *e, int slot, const char *s) {
    if (!s) return (vstr){ NULL, 0 };
    size_t n = strlen(s);
    memcpy(e->scratch[slot], s, n);
    return (vstr){ e->scratch[slot], n };
}

static void forget(struct env *e) { memset(e->scratch, 'X', sizeof e->scratch); }

static void feed(struct env *e, struct event *ev) {
    ev->pos = (struct source_pos){ "test", e->offset += 100, 0 };
    ev->layer = LAYER_HOST;
    proctree_observe(e->t, ev);
    containers_observe(e->c, ev);
}

/* A docker event (action, id, image, name) or an inspect record. */
static void docker_event(struct env *e, int64_t t, const char *action, const char *id, const char *image,
                         const char *name) {
    struct container_event ce = { .type = put(e, 0, "container"), .action = put(e, 1, action),
                                  .id = put(e, 2, id), .image = put(e, 3, image), .name = put(e, 4, name),
                                  .privileged = -1, .exit_code = -1, .pid = -1 };
    struct event ev = { .time_us = t, .kind = EV_CONTAINER, .u.container = &ce };
    feed(e, &ev);
    forget(e);
}

static void inspect(struct env *e, int64_t t, const char *id, const char *image, const char *name, bool privileged,
                    int64_t pid) {
    vstr caps[1] = { put(e, 5, "NET_ADMIN") };
    struct container_mount m[1] = { { put(e, 6, "/var/log"), put(e, 7, "/host/log"), true } };
    struct container_event ce = { .source = CONTAINER_SRC_INSPECT, .type = put(e, 0, "container"),
                                  .action = put(e, 1, "inspect"), .id = put(e, 2, id), .image = put(e, 3, image),
                                  .name = put(e, 4, name), .privileged = privileged, .cap_add = caps,
                                  .n_cap_add = 1, .mounts = m, .n_mounts = 1, .exit_code = -1, .pid = pid };
    struct event ev = { .time_us = t, .kind = EV_CONTAINER, .u.container = &ce };
    feed(e, &ev);
    forget(e);
}

/* A process start; argv split on spaces. */
static struct proc_exec *exec_event(struct env *e, int64_t t, const char *host, int64_t pid, int64_t ppid,
                                    const char *cmd, const char *container_id, struct proc_exec *pe, vstr *argv) {
    char *line = e->scratch[8];
    size_t n = strlen(cmd);
    memcpy(line, cmd, n);
    uint32_t argc = 0;
    for (size_t i = 0; i < n && argc < 32;) {
        size_t j = i;
        while (j < n && line[j] != ' ') j++;
        argv[argc++] = (vstr){ line + i, j - i };
        i = j + 1;
    }
    *pe = (struct proc_exec){ .host = put(e, 9, host), .pid = pid, .ppid = ppid, .exe = argv[0], .argv = argv,
                              .argc = argc, .command_line = (vstr){ line, n }, .uid = 0, .euid = 0, .auid = -1,
                              .parent_pid_ecs = -1, .success = 1, .container_id = put(e, 10, container_id) };
    struct event ev = { .time_us = t, .kind = EV_PROC_EXEC, .u.proc = pe };
    feed(e, &ev);
    return pe;
}

static void run(struct env *e, int64_t t, const char *host, int64_t pid, int64_t ppid, const char *cmd) {
    struct proc_exec pe;
    vstr argv[32];
    exec_event(e, t, host, pid, ppid, cmd, NULL, &pe, argv);
    forget(e);
}

static void assert_vstr(vstr v, const char *want) {
    assert_int_equal(v.n, strlen(want));
    assert_memory_equal(v.p, want, v.n);
}

static struct container_info *find(struct env *e, const char *host, const char *what) {
    return containers_find(e->c, vstr_c(host), vstr_c(what));
}

static void test_identity_from_events(void **state) {
    (void)state;
    struct env *e = env_new(100);
    docker_event(e, 10 * SEC, "create", ID_WEB, "nginx:1.27", "web");
    docker_event(e, 11 * SEC, "start", ID_WEB, "nginx:1.27", "web");
    struct container_info *in = find(e, "", ID_WEB);
    assert_non_null(in);
    assert_vstr(in->name, "web");
    assert_vstr(in->image, "nginx:1.27");
    assert_int_equal(in->created_us, 10 * SEC);
    assert_int_equal(in->started_us, 11 * SEC);
    assert_int_equal(in->priv_from, CONTAINER_PRIV_UNKNOWN);
    assert_ptr_equal(find(e, "", "4f66ad9a0b2e"), in);          /* short id */
    assert_ptr_equal(find(e, "", "4F66AD9A0B2E8F1C"), in);      /* case and length */
    assert_ptr_equal(find(e, "", "web"), in);
    assert_null(find(e, "", "4f66ad9a0b2"));                    /* 11 digits: too short to be an id */
    assert_null(find(e, "", "db"));
    /* images and networks are not containers */
    struct container_event net = { .type = VSTR("network"), .action = VSTR("connect"), .id = vstr_c(ID_DB),
                                   .privileged = -1, .exit_code = -1, .pid = -1 };
    struct event ev = { .time_us = 12 * SEC, .kind = EV_CONTAINER, .u.container = &net };
    feed(e, &ev);
    assert_null(find(e, "", ID_DB));
    env_free(e);
}

/* docker run's command line is linked to the container docker events
 * then create: same image (however written), same --name, in the window. */
static void test_run_command_links(void **state) {
    (void)state;
    struct env *e = env_new(100);
    run(e, 100 * SEC, "docker-01", 500, 400,
        "docker run -d --privileged --pid=host -v /:/host --cap-add SYS_ADMIN --name tools docker.io/library/alpine:latest sh");
    docker_event(e, 101 * SEC, "create", ID_WEB, "alpine", "tools");
    struct container_info *in = find(e, "", "tools");
    assert_non_null(in);
    assert_int_equal(in->priv_from, CONTAINER_PRIV_RUN_COMMAND);
    assert_true(in->privileged);
    assert_true(in->pid_host);
    assert_vstr(in->cap_add, "SYS_ADMIN");
    assert_vstr(in->host_mounts, "/:/host");
    assert_vstr(in->host, "docker-01");                         /* learnt from the command's host */
    assert_true(vstr_prefix(in->run_command_line, "docker run -d --privileged"));
    /* an inspect record is the authority: it replaces what the command said */
    inspect(e, 102 * SEC, ID_WEB, "alpine", "tools", false, 777);
    assert_int_equal(in->priv_from, CONTAINER_PRIV_INSPECT);
    assert_false(in->privileged);
    assert_vstr(in->cap_add, "NET_ADMIN");
    assert_vstr(in->host_mounts, "/var/log:/host/log");
    assert_int_equal(in->init_pid, 777);
    env_free(e);
}

static void test_run_command_not_linked(void **state) {
    (void)state;
    struct env *e = env_new(100);
    run(e, 100 * SEC, "", 500, 400, "docker run --privileged --name tools alpine sh");
    docker_event(e, 200 * SEC, "create", ID_WEB, "alpine", "tools");         /* too late */
    run(e, 300 * SEC, "", 501, 400, "docker run --privileged nginx");
    docker_event(e, 301 * SEC, "create", ID_DB, "redis", "cache");           /* another image */
    assert_int_equal(find(e, "", ID_WEB)->priv_from, CONTAINER_PRIV_UNKNOWN);
    assert_int_equal(find(e, "", ID_DB)->priv_from, CONTAINER_PRIV_UNKNOWN);
    buf b;
    buf_init(&b);
    containers_report(e->c, &b);
    assert_non_null(strstr(buf_cstr(&b), "2 seen, 0 linked"));
    buf_free(&b);
    env_free(e);
}

/* The intent of a run command is found again by its process event, and
 * the flags a detector sets on it pass to the container. */
static void test_intent_flags_pass_on_link(void **state) {
    (void)state;
    struct env *e = env_new(100);
    struct proc_exec pe;
    vstr argv[32];
    exec_event(e, 50 * SEC, "h", 42, 1, "podman run --rm -it --privileged fedora bash", NULL, &pe, argv);
    struct event ev = { .time_us = 50 * SEC, .kind = EV_PROC_EXEC, .u.proc = &pe };
    struct container_intent *it = containers_intent_of(e->c, &ev);
    assert_non_null(it);
    assert_vstr(it->image, "fedora");
    it->flags |= 4;
    forget(e);
    docker_event(e, 51 * SEC, "create", ID_DB, "fedora:latest", "eager_turing");
    assert_int_equal(find(e, "", ID_DB)->flags, 4);
    env_free(e);
}

/* containerd-shim -> first process -> shell: the shell runs in the
 * container the shim's -id names; the shim itself and runc do not. */
static void test_attribute_by_ancestry(void **state) {
    (void)state;
    struct env *e = env_new(100);
    docker_event(e, 1 * SEC, "create", ID_WEB, "nginx", "web");
    run(e, 2 * SEC, "n1", 800, 1, "/usr/bin/containerd-shim-runc-v2 -namespace moby -id " ID_WEB " -address /run/x");
    run(e, 3 * SEC, "n1", 801, 800, "nginx -g daemon_off;");
    run(e, 4 * SEC, "n1", 802, 801, "/bin/sh -c id");
    struct proc_exec pe;
    vstr argv[32];
    exec_event(e, 5 * SEC, "n1", 803, 802, "cat /etc/shadow", NULL, &pe, argv);
    struct container_attr at;
    assert_true(containers_attribute(e->c, e->t, &pe, &at));
    assert_int_equal(at.how, CONTAINER_HOW_ANCESTRY);
    assert_int_equal(at.runtime_at, 2);
    assert_int_equal(at.n_chain, 3);
    assert_vstr(at.id, ID_WEB);
    assert_non_null(at.info);
    assert_vstr(at.info->name, "web");
    assert_vstr(at.info->host, "n1");                           /* learnt from the process */
    /* the shim is on the host */
    exec_event(e, 6 * SEC, "n1", 900, 1, "/usr/bin/containerd-shim-runc-v2 -namespace moby -id " ID_DB, NULL, &pe,
               argv);
    assert_false(containers_attribute(e->c, e->t, &pe, &at));
    /* a host process */
    exec_event(e, 7 * SEC, "n1", 901, 1, "/usr/bin/dockerd -H fd://", NULL, &pe, argv);
    assert_false(containers_attribute(e->c, e->t, &pe, &at));
    assert_int_equal(at.how, CONTAINER_HOW_NONE);
    env_free(e);
}

/* docker exec: the command's parent is runc exec, whose line names the
 * container in its --log path. */
static void test_attribute_through_runc_exec(void **state) {
    (void)state;
    struct env *e = env_new(100);
    run(e, 1 * SEC, "", 800, 1, "/usr/bin/containerd-shim-runc-v2 -namespace moby -id " ID_DB " -address /run/x");
    run(e, 2 * SEC, "", 810, 800,
        "runc --root /var/run/docker/runtime-runc/moby --log /run/containerd/io.containerd.runtime.v2.task/moby/"
        ID_WEB "/log.json exec --process /tmp/p --detach " ID_WEB);
    struct proc_exec pe;
    vstr argv[32];
    exec_event(e, 3 * SEC, "", 811, 810, "nsenter -t 1 -m sh", NULL, &pe, argv);
    struct container_attr at;
    assert_true(containers_attribute(e->c, e->t, &pe, &at));
    assert_int_equal(at.runtime_at, 0);
    assert_vstr(at.id, ID_WEB);                                 /* runc's, not the shim's */
    assert_null(at.info);                                       /* no docker event named it */
    env_free(e);
}

static void test_attribute_by_event_and_init_pid(void **state) {
    (void)state;
    struct env *e = env_new(100);
    struct proc_exec pe;
    vstr argv[32];
    struct container_attr at;
    /* ECS: container.id in the event, image and name registered */
    exec_event(e, 1 * SEC, "h", 10, 9, "sshd -D", ID_DB, &pe, argv);
    assert_true(containers_attribute(e->c, e->t, &pe, &at));
    assert_int_equal(at.how, CONTAINER_HOW_EVENT);
    /* inspect's State.Pid: descendants of the first process */
    inspect(e, 2 * SEC, ID_WEB, "python:3.12", "app", true, 4242);
    /* the snapshot names no host, the processes do (auditd node=) */
    run(e, 3 * SEC, "n1", 4242, 4000, "python3 -m http.server");
    run(e, 4 * SEC, "n1", 4300, 4242, "sh");
    exec_event(e, 5 * SEC, "n1", 4301, 4300, "mount /dev/sda1 /mnt", NULL, &pe, argv);
    assert_true(containers_attribute(e->c, e->t, &pe, &at));
    assert_int_equal(at.how, CONTAINER_HOW_INIT_PID);
    assert_non_null(at.info);
    assert_true(at.info->privileged);
    env_free(e);
}

/* Hostile cardinality: the table stays at its bound, destroyed containers
 * leave first, and every lookup stays consistent after evictions. */
static void test_bounded_eviction(void **state) {
    (void)state;
    struct env *e = env_new(8);
    char id[65], name[32];
    docker_event(e, 1, "create", ID_WEB, "nginx", "keeper");
    for (int i = 0; i < 200; i++) {
        snprintf(id, sizeof id, "%064x", i + 1);
        snprintf(name, sizeof name, "c%d", i);
        docker_event(e, 2 + i, "create", id, "busybox", name);
        if (i % 2) docker_event(e, 2 + i, "destroy", id, "busybox", name);
        docker_event(e, 2 + i, "start", ID_WEB, "nginx", "keeper");   /* keeper stays recent */
    }
    assert_non_null(find(e, "", "keeper"));
    assert_non_null(find(e, "", "c199"));
    assert_null(find(e, "", "c3"));
    buf b;
    buf_init(&b);
    containers_report(e->c, &b);
    unsigned known;
    uint64_t evicted;
    assert_int_equal(sscanf(strstr(buf_cstr(&b), "containers: "), "containers: %u known (%*u with known "
                                                                  "privileges), %" SCNu64 " evicted",
                            &known, &evicted),
                     2);
    assert_true(known <= 8);
    assert_int_equal(known + evicted, 201);
    buf_free(&b);
    env_free(e);
}

static void test_ids_in_text(void **state) {
    (void)state;
    vstr id;
    assert_true(containers_id_from_cgroup(vstr_c("0::/system.slice/docker-" ID_WEB ".scope"), &id));
    assert_vstr(id, ID_WEB);
    assert_true(containers_id_from_cgroup(vstr_c("12:pids:/docker/" ID_DB), &id));
    assert_vstr(id, ID_DB);
    assert_true(containers_id_from_cgroup(
        vstr_c("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice/cri-containerd-" ID_WEB
               ".scope"),
        &id));
    assert_vstr(id, ID_WEB);
    assert_false(containers_id_from_cgroup(vstr_c("0::/user.slice/user-1000.slice/session-3.scope"), &id));
    assert_false(containers_id_from_cgroup(vstr_c("/docker/" ID_WEB "ff"), &id));     /* 66 digits */
    assert_true(containers_id_from_runtime_cmdline(
        NULL, 0, vstr_c("containerd-shim -namespace moby -workdir /var/lib/containerd/io.containerd.runtime.v1.linux/moby/"
                        ID_DB " -address /run/containerd/containerd.sock"),
        &id));
    assert_vstr(id, ID_DB);
    assert_true(containers_id_from_runtime_cmdline(NULL, 0, vstr_c("/usr/bin/conmon --api-version 1 -c " ID_WEB
                                                                   " -u " ID_DB " -r /usr/bin/crun"),
                                                   &id));
    assert_vstr(id, ID_WEB);
    assert_true(containers_id_from_runtime_cmdline(NULL, 0, vstr_c("runc --root /r start " ID_DB), &id));
    assert_vstr(id, ID_DB);
    assert_false(containers_id_from_runtime_cmdline(NULL, 0, vstr_c("runc --version"), &id));
    vstr argv[3] = { VSTR("containerd-shim-runc-v2"), VSTR("-id"), vstr_c(ID_WEB) };
    assert_true(containers_id_from_runtime_cmdline(argv, 3, VSTR_NULL, &id));
    assert_vstr(id, ID_WEB);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity_from_events),
        cmocka_unit_test(test_run_command_links),
        cmocka_unit_test(test_run_command_not_linked),
        cmocka_unit_test(test_intent_flags_pass_on_link),
        cmocka_unit_test(test_attribute_by_ancestry),
        cmocka_unit_test(test_attribute_through_runc_exec),
        cmocka_unit_test(test_attribute_by_event_and_init_pid),
        cmocka_unit_test(test_bounded_eviction),
        cmocka_unit_test(test_ids_in_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
