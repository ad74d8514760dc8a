#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/proctree.h"

/* One exec event; the strings are copied into a scratch buffer that is
 * overwritten after the call, as a decoder's record would be. */
struct exec_spec {
    const char *host;
    int64_t pid, ppid;
    const char *exe, *name, *cmd;
    /* ECS process.parent.* */
    int64_t parent_pid_ecs;
    const char *parent_exe, *parent_name, *parent_cmd;
};

static char scratch[8][2048];

static vstr scratch_copy(int slot, const char *s) {
    if (!s) return (vstr){ NULL, 0 };
    size_t n = strlen(s);
    memcpy(scratch[slot], s, n);
    return (vstr){ scratch[slot], n };
}

static void observe(struct proctree *t, int64_t time_us, struct exec_spec sp) {
    struct proc_exec pe = {
        .host = scratch_copy(0, sp.host), .pid = sp.pid, .ppid = sp.ppid,
        .exe = scratch_copy(1, sp.exe), .name = scratch_copy(2, sp.name), .command_line = scratch_copy(3, sp.cmd),
        .parent_pid_ecs = sp.parent_pid_ecs ? sp.parent_pid_ecs : -1,
        .parent_exe = scratch_copy(4, sp.parent_exe), .parent_name = scratch_copy(5, sp.parent_name),
        .parent_command_line = scratch_copy(6, sp.parent_cmd),
        .uid = -1, .euid = -1, .auid = -1, .success = -1,
    };
    struct event ev = { .time_us = time_us, .layer = LAYER_HOST, .kind = EV_PROC_EXEC, .u.proc = &pe };
    proctree_observe(t, &ev);
    memset(scratch, 'X', sizeof scratch);   /* the record is gone */
}

static void assert_vstr(vstr v, const char *want) {
    assert_int_equal(v.n, strlen(want));
    assert_memory_equal(v.p, want, v.n);
}

/* Auditd logs only ppid: the chain is walked through the execs seen. */
static void test_auditd_ppid_chain(void **state) {
    (void)state;
    struct proctree *t = proctree_new(1000);
    observe(t, 10, (struct exec_spec){ .host = "web1", .pid = 500, .ppid = 1,
                                       .exe = "/usr/sbin/apache2", .name = NULL, .cmd = "/usr/sbin/apache2 -k start" });
    observe(t, 20, (struct exec_spec){ .host = "web1", .pid = 600, .ppid = 500,
                                       .exe = "/bin/sh", .name = "sh", .cmd = "sh -c id" });
    observe(t, 30, (struct exec_spec){ .host = "web1", .pid = 700, .ppid = 600,
                                       .exe = "/usr/bin/id", .name = "id", .cmd = "id" });
    const struct proc_node *a[8];
    unsigned n = proctree_ancestors(t, VSTR("web1"), 600, a, 8);
    assert_int_equal(n, 2);
    assert_int_equal(a[0]->pid, 600);
    assert_vstr(a[0]->command_line, "sh -c id");
    assert_int_equal(a[1]->pid, 500);
    /* the name is the basename of exe when the source gives none */
    assert_vstr(a[1]->name, "apache2");
    assert_int_equal(a[1]->time_us, 10);
    /* pid 1 ends the walk and is not written */
    n = proctree_ancestors(t, VSTR("web1"), 500, a, 8);
    assert_int_equal(n, 1);
    /* max bounds it */
    assert_int_equal(proctree_ancestors(t, VSTR("web1"), 600, a, 1), 1);
    /* hosts are separate trees */
    assert_int_equal(proctree_ancestors(t, VSTR("web2"), 600, a, 8), 0);
    assert_null(proctree_find(t, VSTR("web2"), 600));
    assert_non_null(proctree_find(t, VSTR("web1"), 700));
    proctree_free(t);
}

/* ECS events name their parent: the parent is learnt from them even when
 * its own exec was never seen, but never overwrites a known parent. */
static void test_ecs_parent_fields(void **state) {
    (void)state;
    struct proctree *t = proctree_new(1000);
    observe(t, 100, (struct exec_spec){ .host = "", .pid = 42, .ppid = 41,
                                        .exe = "/bin/bash", .name = "bash", .cmd = "bash -i", .parent_pid_ecs = 41,
                                        .parent_exe = "/usr/sbin/php-fpm8.2", .parent_cmd = "php-fpm: pool www" });
    const struct proc_node *a[8];
    unsigned n = proctree_ancestors(t, VSTR(""), 41, a, 8);
    assert_int_equal(n, 1);
    assert_vstr(a[0]->exe, "/usr/sbin/php-fpm8.2");
    assert_vstr(a[0]->name, "php-fpm8.2");
    assert_vstr(a[0]->command_line, "php-fpm: pool www");
    assert_int_equal(a[0]->ppid, -1);
    /* a sibling naming the same parent differently does not replace it */
    observe(t, 110, (struct exec_spec){ .host = "", .pid = 43, .ppid = -1,
                                        .exe = "/bin/cat", .name = "cat", .cmd = "cat x", .parent_pid_ecs = 41,
                                        .parent_name = "other" });
    const struct proc_node *p = proctree_find(t, VSTR(""), 41);
    assert_vstr(p->name, "php-fpm8.2");
    /* ppid missing: parent.pid stands in */
    assert_int_equal(proctree_find(t, VSTR(""), 43)->ppid, 41);
    /* the parent's own exec, when it comes, does replace what was guessed */
    observe(t, 120, (struct exec_spec){ .host = "", .pid = 41, .ppid = 1,
                                        .exe = "/usr/sbin/php-fpm8.2", .name = NULL, .cmd = "php-fpm: master process" });
    assert_vstr(proctree_find(t, VSTR(""), 41)->command_line, "php-fpm: master process");
    proctree_free(t);
}

/* execve keeps the pid: the entry is replaced, the parent link kept when
 * the new event does not give one. */
static void test_exec_replaces_pid(void **state) {
    (void)state;
    struct proctree *t = proctree_new(1000);
    observe(t, 10, (struct exec_spec){ .host = "h", .pid = 300, .ppid = 200,
                                       .exe = "/bin/sh", .name = "sh", .cmd = "sh -c 'exec curl x'" });
    observe(t, 11, (struct exec_spec){ .host = "h", .pid = 300, .ppid = -1,
                                       .exe = "/usr/bin/curl", .name = "curl", .cmd = "curl x" });
    const struct proc_node *p = proctree_find(t, VSTR("h"), 300);
    assert_vstr(p->name, "curl");
    assert_int_equal(p->ppid, 200);
    assert_int_equal(p->time_us, 11);
    /* many re-execs of one pid keep the memory flat (garbage compaction) */
    char cmd[900];
    memset(cmd, 'a', sizeof cmd - 1);
    cmd[sizeof cmd - 1] = 0;
    for (int i = 0; i < 20000; i++) observe(t, 20 + i, (struct exec_spec){ .host = "h", .pid = 300, .ppid = 200,
                                                                           .exe = "/bin/x", .name = "x", .cmd = cmd });
    assert_vstr(proctree_find(t, VSTR("h"), 300)->command_line, cmd);
    buf b;
    buf_init(&b);
    proctree_report(t, &b);
    assert_non_null(strstr(buf_cstr(&b), "20002 exec events, 1 processes tracked"));
    buf_free(&b);
    proctree_free(t);
}

/* A parent link that points back down the chain ends the walk. */
static void test_loops(void **state) {
    (void)state;
    struct proctree *t = proctree_new(1000);
    observe(t, 10, (struct exec_spec){ .host = "h", .pid = 10, .ppid = 11, .exe = "/a", .name = NULL, .cmd = "a" });
    observe(t, 10, (struct exec_spec){ .host = "h", .pid = 11, .ppid = 12, .exe = "/b", .name = NULL, .cmd = "b" });
    observe(t, 10, (struct exec_spec){ .host = "h", .pid = 12, .ppid = 10, .exe = "/c", .name = NULL, .cmd = "c" });
    observe(t, 10, (struct exec_spec){ .host = "h", .pid = 20, .ppid = 20,
                                       .exe = "/self", .name = NULL, .cmd = "self" });
    const struct proc_node *a[16];
    assert_int_equal(proctree_ancestors(t, VSTR("h"), 10, a, 16), 3);
    assert_int_equal(proctree_ancestors(t, VSTR("h"), 20, a, 16), 1);
    proctree_free(t);
}

/* A pid reused by a later process: new children see the new holder; an old
 * chain does not climb into a process exec'd after it. */
static void test_pid_reuse(void **state) {
    (void)state;
    struct proctree *t = proctree_new(1000);
    observe(t, 10, (struct exec_spec){ .host = "h", .pid = 100, .ppid = 1,
                                       .exe = "/usr/sbin/nginx", .name = NULL, .cmd = "nginx" });
    observe(t, 20, (struct exec_spec){ .host = "h", .pid = 200, .ppid = 100,
                                       .exe = "/bin/sh", .name = NULL, .cmd = "sh" });
    observe(t, 30, (struct exec_spec){ .host = "h", .pid = 300, .ppid = 200,
                                       .exe = "/bin/ls", .name = NULL, .cmd = "ls" });
    /* nginx exits, its pid goes to sshd */
    observe(t, 40, (struct exec_spec){ .host = "h", .pid = 100, .ppid = 1,
                                       .exe = "/usr/sbin/sshd", .name = NULL, .cmd = "sshd" });
    observe(t, 50, (struct exec_spec){ .host = "h", .pid = 400, .ppid = 100,
                                       .exe = "/bin/bash", .name = NULL, .cmd = "bash" });
    const struct proc_node *a[8];
    assert_int_equal(proctree_ancestors(t, VSTR("h"), 100, a, 8), 1);
    assert_vstr(a[0]->name, "sshd");
    /* from ls: sh (t=20) then pid 100, now sshd (t=40): not sh's parent */
    unsigned n = proctree_ancestors(t, VSTR("h"), 200, a, 8);
    assert_int_equal(n, 1);
    assert_vstr(a[0]->name, "sh");
    proctree_free(t);
}

/* Long strings are cut at their bound, on a UTF-8 boundary, with the mark. */
static void test_cut_strings(void **state) {
    (void)state;
    struct proctree *t = proctree_new(10);
    char cmd[1500];
    size_t n = 0;
    while (n + 2 < sizeof cmd) { cmd[n++] = (char)0xC3; cmd[n++] = (char)0xA9; }   /* é */
    cmd[n] = 0;
    observe(t, 1, (struct exec_spec){ .host = "h", .pid = 5, .ppid = 1, .exe = "/x", .name = NULL, .cmd = cmd });
    vstr c = proctree_find(t, VSTR("h"), 5)->command_line;
    assert_true(c.n <= PROCTREE_MAX_COMMAND_LINE);
    size_t mark = strlen(PROCTREE_CUT_MARK);
    assert_memory_equal(c.p + c.n - mark, PROCTREE_CUT_MARK, mark);
    assert_int_equal((c.n - mark) % 2, 0);
    assert_memory_equal(c.p, cmd, c.n - mark);
    proctree_free(t);
}

/* A flood of spoofed pids: the tree stays at its bound, evicts the oldest,
 * counts it, and still answers for the newest. */
static void test_eviction_bounded(void **state) {
    (void)state;
    const uint32_t max = 1000;
    struct proctree *t = proctree_new(max);
    char cmd[64];
    for (int64_t pid = 2; pid < 1000002; pid++) {
        snprintf(cmd, sizeof cmd, "/tmp/x%" PRId64, pid);
        observe(t, pid, (struct exec_spec){ .host = "victim", .pid = pid, .ppid = pid - 1,
                                            .exe = cmd, .name = NULL, .cmd = cmd });
    }
    /* the newest are all there and chain back until eviction cut them */
    const struct proc_node *a[2000];
    unsigned n = proctree_ancestors(t, VSTR("victim"), 1000001, a, 2000);
    assert_true(n >= max * 3 / 4 - 1 && n <= max);
    assert_null(proctree_find(t, VSTR("victim"), 2));
    buf b;
    buf_init(&b);
    proctree_report(t, &b);
    unsigned long long execs = 0, tracked = 0, evicted = 0;
    const char *s = buf_cstr(&b);
    assert_int_equal(sscanf(s, "  processes: %llu exec events, %llu processes tracked", &execs, &tracked), 2);
    assert_int_equal(execs, 1000000);
    assert_true(tracked <= max && tracked >= max * 3 / 4);
    const char *ev = strstr(s, "; ");
    assert_non_null(ev);
    assert_int_equal(sscanf(ev, "; %llu evicted", &evicted), 1);
    assert_int_equal(evicted + tracked, execs);
    buf_free(&b);
    proctree_free(t);
}

/* Events of other kinds and execs without a pid change nothing. */
static void test_ignores_others(void **state) {
    (void)state;
    struct proctree *t = proctree_new(0);
    struct event ev = { .kind = EV_HTTP_REQ };
    proctree_observe(t, &ev);
    observe(t, 1, (struct exec_spec){ .host = "h", .pid = -1, .ppid = 5, .exe = "/x", .name = NULL, .cmd = "x" });
    const struct proc_node *a[4];
    assert_int_equal(proctree_ancestors(t, VSTR("h"), 5, a, 4), 0);
    buf b;
    buf_init(&b);
    proctree_report(t, &b);
    assert_non_null(strstr(buf_cstr(&b), "1 exec events, 0 processes tracked"));
    assert_non_null(strstr(buf_cstr(&b), "1 without a pid ignored"));
    buf_free(&b);
    proctree_free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auditd_ppid_chain),
        cmocka_unit_test(test_ecs_parent_fields),
        cmocka_unit_test(test_exec_replaces_pid),
        cmocka_unit_test(test_loops),
        cmocka_unit_test(test_pid_reuse),
        cmocka_unit_test(test_cut_strings),
        cmocka_unit_test(test_eviction_bounded),
        cmocka_unit_test(test_ignores_others),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
