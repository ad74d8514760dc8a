/* The auditd decoder (src/decode/auditd.c): record parsing, value
 * decoding and the reassembly of events from interleaved records. */
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
#include "util/buf.h"

extern const struct decoder_ops auditd_decoder;

#define MAX_SEEN 2048

/* An event as seen, copied: the decoder's strings die at the next call. */
struct seen {
    int64_t time_us, pid, ppid, uid, euid, auid;
    uint64_t offset, serial;
    int8_t success;
    char host[64], exe[256], name[64], cmd[1024], cwd[256], user[64], key[64], tty[16];
    char argv[8][256];
    uint32_t argc;
};

struct fixture {
    struct rejects *rj;
    void *dec;
    uint64_t offset;
    int n;
    struct seen *ev;
};

static int setup(void **state) {
    struct fixture *f = calloc(1, sizeof *f);
    f->ev = calloc(MAX_SEEN, sizeof *f->ev);
    f->rj = rejects_new(0, NULL);
    f->dec = auditd_decoder.create("test", f->rj);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    struct fixture *f = *state;
    auditd_decoder.destroy(f->dec);
    rejects_free(f->rj);
    free(f->ev);
    free(f);
    return 0;
}

static void copy(char *dst, size_t cap, vstr s) { snprintf(dst, cap, "%.*s", (int)s.n, s.p ? s.p : ""); }

static void drain(struct fixture *f) {
    struct event ev;
    while (auditd_decoder.next(f->dec, &ev)) {
        assert_true(f->n < MAX_SEEN);
        assert_int_equal(ev.kind, EV_PROC_EXEC);
        assert_int_equal(ev.layer, LAYER_HOST);
        const struct proc_exec *p = ev.u.proc;
        struct seen *s = &f->ev[f->n++];
        s->time_us = ev.time_us;
        s->offset = ev.pos.offset;
        s->pid = p->pid, s->ppid = p->ppid, s->uid = p->uid, s->euid = p->euid, s->auid = p->auid;
        s->serial = p->serial;
        s->success = p->success;
        assert_int_equal(p->os, PROC_OS_LINUX);
        copy(s->host, sizeof s->host, p->host);
        copy(s->exe, sizeof s->exe, p->exe);
        copy(s->name, sizeof s->name, p->name);
        copy(s->cmd, sizeof s->cmd, p->command_line);
        copy(s->cwd, sizeof s->cwd, p->cwd);
        copy(s->user, sizeof s->user, p->user);
        copy(s->key, sizeof s->key, p->audit_key);
        copy(s->tty, sizeof s->tty, p->tty);
        s->argc = p->argc;
        for (uint32_t i = 0; i < p->argc && i < 8; i++) copy(s->argv[i], sizeof s->argv[i], p->argv[i]);
    }
}

/* One line as the framer hands it: padded, at the running offset. */
static void line(struct fixture *f, const char *text) {
    size_t n = strlen(text);
    char *p = calloc(1, n + JSON_PADDING);
    memcpy(p, text, n);
    struct record rec = { .p = p, .len = n, .cap = n + JSON_PADDING, .offset = f->offset };
    auditd_decoder.begin(f->dec, &rec);
    drain(f);
    free(p);                            /* the decoder must not keep pointers into it */
    f->offset += n + 1;
}

static void lines(struct fixture *f, const char *text) {
    const char *p = text;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char one[8192];
        assert_true(n < sizeof one);
        memcpy(one, p, n);
        one[n] = 0;
        line(f, one);
        p += n + (e ? 1 : 0);
    }
}

static void end(struct fixture *f) {
    auditd_decoder.flush(f->dec);
    drain(f);
}

static const char *report(struct fixture *f) {
    static char out[4096];
    buf b;
    buf_init(&b);
    auditd_decoder.report(f->dec, &b);
    snprintf(out, sizeof out, "%s", buf_cstr(&b));
    buf_free(&b);
    return out;
}

#define GREP_59 "type=SYSCALL msg=audit(1492037291.036:59): arch=c000003e syscall=59 success=yes exit=0 a0=1522170 " \
    "a1=1506120 a2=14faeb0 a3=7ffcc4582df0 items=2 ppid=12041 pid=13393 auid=1000 uid=1000 gid=1001 euid=1000 "      \
    "suid=1000 fsuid=1000 egid=1001 sgid=1001 fsgid=1001 tty=pts1 ses=802 comm=\"grep\" exe=\"/usr/bin/grep\" "       \
    "subj=unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023 key=\"user_commands\"\n"
#define EXECVE_59 "type=EXECVE msg=audit(1492037291.036:59): argc=3 a0=\"grep\" a1=\"--color=auto\" a2=\"mapping\"\n"
#define CWD_59 "type=CWD msg=audit(1492037291.036:59):  cwd=\"/home/andrew_kroh\"\n"
#define PATH_59 "type=PATH msg=audit(1492037291.036:59): item=0 name=\"/usr/bin/grep\" inode=2512 dev=08:01 " \
    "mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL\n"
#define EOE_59 "type=EOE msg=audit(1492037291.036:59): \n"

static void assert_grep(const struct seen *s) {
    assert_int_equal(s->pid, 13393);
    assert_int_equal(s->ppid, 12041);
    assert_int_equal(s->uid, 1000);
    assert_int_equal(s->auid, 1000);
    assert_string_equal(s->exe, "/usr/bin/grep");
    assert_string_equal(s->name, "grep");
    assert_int_equal(s->argc, 3);
    assert_string_equal(s->argv[1], "--color=auto");
    assert_string_equal(s->cmd, "grep --color=auto mapping");
    assert_string_equal(s->cwd, "/home/andrew_kroh");
    assert_string_equal(s->key, "user_commands");
    assert_string_equal(s->tty, "pts1");
    assert_string_equal(s->user, "1000");
    assert_int_equal(s->success, 1);
    assert_int_equal(s->serial, 59);
    assert_int_equal(s->time_us, INT64_C(1492037291036000));
}

/* EOE ends the event at once: the exec comes out of the EOE's begin. */
static void test_complete_at_eoe(void **state) {
    struct fixture *f = *state;
    lines(f, GREP_59 EXECVE_59 CWD_59 PATH_59);
    assert_int_equal(f->n, 0);
    line(f, EOE_59);
    assert_int_equal(f->n, 1);
    assert_grep(&f->ev[0]);
    assert_int_equal(f->ev[0].offset, 0);       /* the offset of its first record */
    end(f);
    assert_int_equal(f->n, 1);
    assert_int_equal(rejects_total(f->rj), 0);
}

/* No EOE: a record SERIAL_WINDOW serials later ends it, or the end of input. */
static void test_complete_without_eoe(void **state) {
    struct fixture *f = *state;
    lines(f, GREP_59 EXECVE_59 CWD_59);
    line(f, "type=SYSCALL msg=audit(1492037291.040:70): arch=c000003e syscall=42 success=yes exit=0 pid=1 ppid=0");
    assert_int_equal(f->n, 0);                  /* 11 serials later: may still be coming */
    line(f, "type=USER_LOGIN msg=audit(1492037299.000:200): pid=1 uid=0 auid=4294967295 ses=4294967295 "
            "msg='op=login acct=\"root\" exe=\"/usr/sbin/sshd\" hostname=? addr=198.51.100.7 terminal=ssh res=failed'");
    assert_int_equal(f->n, 1);
    assert_grep(&f->ev[0]);
    /* the connect() of serial 70 is no exec: nothing at the end */
    end(f);
    assert_int_equal(f->n, 1);
    assert_non_null(strstr(report(f), "1 other syscall events"));
}

static void test_flush_at_end(void **state) {
    struct fixture *f = *state;
    lines(f, GREP_59 EXECVE_59 CWD_59 PATH_59);
    assert_int_equal(f->n, 0);
    end(f);
    assert_int_equal(f->n, 1);
    assert_grep(&f->ev[0]);
}

/* go-libaudit's out_of_order stream: records of 60 and 61 interleaved,
 * one of 60's after 61 began; EXECVE before its SYSCALL. */
static void test_out_of_order(void **state) {
    struct fixture *f = *state;
    lines(f,
          "type=SYSCALL msg=audit(1492037291.038:60): arch=c000003e syscall=59 success=yes exit=0 a0=153ad00 items=2 "
          "ppid=12041 pid=13392 auid=1000 uid=1000 gid=1001 euid=1000 tty=pts1 ses=802 comm=\"cat\" exe=\"/usr/bin/cat\" "
          "key=\"user_commands\"\n"
          "type=CWD msg=audit(1492037291.038:60):  cwd=\"/home/andrew_kroh\"\n"
          "type=SYSCALL msg=audit(1492037298.883:61): arch=c000003e syscall=42 success=yes exit=0 a0=15 items=1 ppid=1 "
          "pid=1172 auid=4294967295 uid=0 euid=0 tty=(none) comm=\"pickup\" exe=\"/usr/libexec/postfix/pickup\" key=(null)\n"
          "type=EXECVE msg=audit(1492037291.038:60): argc=2 a0=\"cat\" a1=\"securitybeat\"\n"
          "type=CWD msg=audit(1492037298.883:61):  cwd=\"/var/spool/postfix\"\n"
          "type=PATH msg=audit(1492037291.038:60): item=1 name=\"/lib64/ld-linux-x86-64.so.2\" inode=19161168\n"
          "type=EXECVE msg=audit(1492037300.001:62): argc=2 a0=\"ls\" a1=\"-la\"\n"
          "type=SYSCALL msg=audit(1492037300.001:62): arch=c000003e syscall=59 success=yes exit=0 ppid=13392 pid=13400 "
          "auid=1000 uid=1000 euid=1000 comm=\"ls\" exe=\"/usr/bin/ls\"\n");
    end(f);
    assert_int_equal(f->n, 2);
    assert_int_equal(f->ev[0].serial, 60);
    assert_string_equal(f->ev[0].cmd, "cat securitybeat");
    assert_string_equal(f->ev[0].cwd, "/home/andrew_kroh");
    assert_int_equal(f->ev[0].pid, 13392);
    assert_int_equal(f->ev[1].serial, 62);
    assert_string_equal(f->ev[1].cmd, "ls -la");
    assert_int_equal(f->ev[1].pid, 13400);
    assert_int_equal(f->ev[1].ppid, 13392);
    assert_string_equal(f->ev[1].exe, "/usr/bin/ls");
}

/* Unquoted values of text fields are hex: exe, comm, cwd, arguments. */
static void test_hex_values(void **state) {
    struct fixture *f = *state;
    lines(f,
          "type=SYSCALL msg=audit(1669615313.901:5538): arch=c000003e syscall=59 success=yes exit=0 items=2 ppid=10 "
          "pid=11 auid=4294967295 uid=0 euid=0 tty=(none) ses=4294967295 comm=6D7920736372697074 "
          "exe=2F746D702F6D7920736372697074 key=(null)\n"
          "type=EXECVE msg=audit(1669615313.901:5538): argc=3 a0=\"sh\" a1=\"-c\" "
          "a2=6563686F205C226172672068657820656E636F6465645C22\n"
          "type=CWD msg=audit(1669615313.901:5538): cwd=2F746D702F6120622063\n"
          "type=EOE msg=audit(1669615313.901:5538): \n");
    assert_int_equal(f->n, 1);
    const struct seen *s = &f->ev[0];
    assert_string_equal(s->exe, "/tmp/my script");
    assert_string_equal(s->name, "my script");
    assert_string_equal(s->argv[2], "echo \\\"arg hex encoded\\\"");
    assert_string_equal(s->cmd, "sh -c echo \\\"arg hex encoded\\\"");
    assert_string_equal(s->cwd, "/tmp/a b c");
    assert_int_equal(s->auid, -1);              /* 4294967295: unset */
    assert_string_equal(s->key, "");            /* (null) */
    assert_string_equal(s->tty, "");           /* (none) */
}

/* A long argument is logged in pieces: a1_len=, a1[0]=, a1[1]=...,
 * possibly over several EXECVE records; pieces may be hex or quoted. */
static void test_split_arguments(void **state) {
    struct fixture *f = *state;
    lines(f,
          "type=SYSCALL msg=audit(1700000000.100:900): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=2 "
          "auid=1000 uid=1000 euid=1000 comm=\"python3\" exe=\"/usr/bin/python3.11\"\n"
          "type=EXECVE msg=audit(1700000000.100:900): argc=4 a0=\"python3\" a1_len=22 a1[0]=696D706F727420 "
          "a1[1]=6F733B206F732E73797374656D\n"
          "type=EXECVE msg=audit(1700000000.100:900): a1[2]=\"(1)\" a2=\"-v\" a3=2D2D6E616D653D612062\n"
          "type=EOE msg=audit(1700000000.100:900): \n");
    assert_int_equal(f->n, 1);
    const struct seen *s = &f->ev[0];
    assert_int_equal(s->argc, 4);
    assert_string_equal(s->argv[1], "import os; os.system(1)");
    assert_string_equal(s->argv[2], "-v");
    assert_string_equal(s->argv[3], "--name=a b");
    assert_string_equal(s->cmd, "python3 import os; os.system(1) -v --name=a b");
}

/* node= prefix: events of two hosts with the same serial stay apart. */
static void test_nodes_interleaved(void **state) {
    struct fixture *f = *state;
    lines(f,
          "node=web-1 type=SYSCALL msg=audit(1594053514.588:4686): arch=c000003e syscall=59 success=yes exit=0 "
          "ppid=1 pid=100 auid=0 uid=0 euid=0 comm=\"id\" exe=\"/usr/bin/id\"\n"
          "node=web-2 type=SYSCALL msg=audit(1594053514.590:4686): arch=c000003e syscall=59 success=yes exit=0 "
          "ppid=1 pid=200 auid=0 uid=0 euid=0 comm=\"uname\" exe=\"/usr/bin/uname\"\n"
          "node=web-2 type=EXECVE msg=audit(1594053514.590:4686): argc=2 a0=\"uname\" a1=\"-a\"\n"
          "node=web-1 type=EXECVE msg=audit(1594053514.588:4686): argc=1 a0=\"id\"\n"
          "node=web-1 type=EOE msg=audit(1594053514.588:4686): \n"
          "node=web-2 type=EOE msg=audit(1594053514.590:4686): \n");
    assert_int_equal(f->n, 2);
    assert_string_equal(f->ev[0].host, "web-1");
    assert_string_equal(f->ev[0].cmd, "id");
    assert_int_equal(f->ev[0].pid, 100);
    assert_string_equal(f->ev[1].host, "web-2");
    assert_string_equal(f->ev[1].cmd, "uname -a");
    assert_int_equal(f->ev[1].pid, 200);
}

/* ausearch -i output: names instead of numbers. */
static void test_interpreted(void **state) {
    struct fixture *f = *state;
    lines(f,
          "type=SYSCALL msg=audit(1581371984.206:579398): arch=x86_64 syscall=execve success=yes exit=0 a0=0x1fd05c0 "
          "items=2 ppid=2563 pid=2614 auid=vagrant uid=vagrant gid=vagrant euid=vagrant tty=pts0 ses=2 comm=top "
          "exe=/usr/bin/top subj=unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023 key=(null)\n"
          "type=EXECVE msg=audit(1581371984.206:579398): argc=1 a0=top\n");
    end(f);
    assert_int_equal(f->n, 1);
    const struct seen *s = &f->ev[0];
    assert_string_equal(s->user, "vagrant");
    assert_int_equal(s->uid, -1);
    assert_int_equal(s->auid, -1);
    assert_string_equal(s->exe, "/usr/bin/top");
    assert_string_equal(s->cmd, "top");
}

/* log_format=ENRICHED: 0x1D, then interpreted upper-case fields. */
static void test_enriched(void **state) {
    struct fixture *f = *state;
    lines(f,
          "type=SYSCALL msg=audit(1700000100.000:1000): arch=c000003e syscall=59 success=yes exit=0 ppid=700 pid=701 "
          "auid=1000 uid=0 gid=0 euid=0 tty=pts0 ses=3 comm=\"sudo\" exe=\"/usr/bin/sudo\" key=\"priv\""
          "\x1d" "ARCH=x86_64 SYSCALL=execve AUID=\"alice\" UID=\"root\" GID=\"root\" EUID=\"root\"\n"
          "type=EXECVE msg=audit(1700000100.000:1000): argc=2 a0=\"sudo\" a1=\"-i\"\n"
          "type=PROCTITLE msg=audit(1700000100.000:1000): proctitle=7375646F002D69\n"
          "type=EOE msg=audit(1700000100.000:1000): \n");
    assert_int_equal(f->n, 1);
    const struct seen *s = &f->ev[0];
    assert_string_equal(s->user, "root");
    assert_int_equal(s->uid, 0);
    assert_int_equal(s->auid, 1000);
    assert_string_equal(s->key, "priv");
    assert_string_equal(s->cmd, "sudo -i");
    assert_int_equal(rejects_total(f->rj), 0);
}

/* Without EXECVE, PROCTITLE (NUL-separated hex) gives argv; PATH item 0
 * gives exe when SYSCALL has none; other syscall numbers and arches. */
static void test_proctitle_and_path(void **state) {
    struct fixture *f = *state;
    lines(f,
          "type=SYSCALL msg=audit(1686666551.525:28860764): arch=c00000b7 syscall=221 success=yes exit=0 ppid=5 "
          "pid=6 auid=1005 uid=1005 euid=0 comm=\"dash\" key=65786563013634626974\n"
          "type=PATH msg=audit(1686666551.525:28860764): item=1 name=\"/lib/ld-linux-aarch64.so.1\"\n"
          "type=PATH msg=audit(1686666551.525:28860764): item=0 name=\"/usr/bin/dash\" inode=1593\n"
          "type=PROCTITLE msg=audit(1686666551.525:28860764): proctitle=64617368002D70\n"
          "type=EOE msg=audit(1686666551.525:28860764): \n"
          "type=SYSCALL msg=audit(1686666552.000:28860765): arch=40000003 syscall=11 success=yes exit=0 ppid=5 pid=7 "
          "auid=1005 uid=1005 euid=1005 comm=\"true\" exe=\"/bin/true\"\n"
          "type=EOE msg=audit(1686666552.000:28860765): \n"
          "type=SYSCALL msg=audit(1686666553.000:28860766): arch=c000003e syscall=322 success=yes exit=0 ppid=5 "
          "pid=8 auid=1005 uid=1005 euid=1005 comm=\"runc\" exe=\"/usr/bin/runc\"\n"
          "type=EOE msg=audit(1686666553.000:28860766): \n"
          "type=SYSCALL msg=audit(1686666554.000:28860767): arch=c000003e syscall=2 success=yes exit=3 ppid=5 pid=9 "
          "auid=1005 uid=1005 euid=1005 comm=\"cat\" exe=\"/usr/bin/cat\"\n"
          "type=EOE msg=audit(1686666554.000:28860767): \n");
    assert_int_equal(f->n, 3);
    const struct seen *s = &f->ev[0];
    assert_string_equal(s->exe, "/usr/bin/dash");
    assert_int_equal(s->argc, 2);
    assert_string_equal(s->cmd, "dash -p");
    assert_int_equal(s->euid, 0);
    assert_string_equal(s->key, "exec,64bit");  /* several rule keys, 0x01-separated */
    assert_int_equal(f->ev[1].pid, 7);          /* i386 execve */
    assert_int_equal(f->ev[2].pid, 8);          /* x86_64 execveat */
    assert_non_null(strstr(report(f), "1 other syscall events"));
}

/* A failed execve: no EXECVE record, and PROCTITLE is still the caller's. */
static void test_failed_exec(void **state) {
    struct fixture *f = *state;
    lines(f,
          "type=SYSCALL msg=audit(1700000200.000:2000): arch=c000003e syscall=59 success=no exit=-2 ppid=1 pid=50 "
          "auid=1000 uid=1000 euid=1000 comm=\"bash\" exe=\"/usr/bin/bash\"\n"
          "type=CWD msg=audit(1700000200.000:2000): cwd=\"/tmp\"\n"
          "type=PATH msg=audit(1700000200.000:2000): item=0 name=\"/tmp/xmrig\" nametype=UNKNOWN\n"
          "type=PROCTITLE msg=audit(1700000200.000:2000): proctitle=\"bash\"\n"
          "type=EOE msg=audit(1700000200.000:2000): \n");
    assert_int_equal(f->n, 1);
    assert_int_equal(f->ev[0].success, 0);
    assert_int_equal(f->ev[0].argc, 0);
    assert_string_equal(f->ev[0].exe, "/usr/bin/bash");
}

/* Other record shapes are counted, never rejected; a line that is no
 * audit record is rejected, and the records around it still decode. */
static void test_other_records_and_rejects(void **state) {
    struct fixture *f = *state;
    lines(f,
          "type=USER_CMD msg=audit(1489519256.192:19600329): user pid=4151 uid=497 auid=700 ses=11988 msg='cwd=\"/\" "
          "cmd=2F7573722F6C696236342F6E6167696F73 terminal=? res=success'\n"
          "type=LOGIN msg=audit(1170021601.343:296): login pid=13015 uid=0 old auid=4294967295 new auid=0\n"
          "type=AVC msg=audit(1170021493.977:293): avc:  denied  { read } for  pid=13010 comm=\"pickup\"\n"
          "type=DAEMON_CONFIG msg=audit(1490239800.477:34) config changed, auid=0 pid=1512 res=success\n"
          "type=UNKNOWN[1329] msg=?\n"
          GREP_59);
    uint64_t bad_at = f->offset;
    line(f, "this is not an audit record");
    lines(f, EXECVE_59 CWD_59 EOE_59);
    assert_int_equal(f->n, 1);
    assert_grep(&f->ev[0]);
    assert_int_equal(rejects_total(f->rj), 1);
    const char *r = report(f);
    assert_non_null(strstr(r, "USER_CMD 1"));
    assert_non_null(strstr(r, "LOGIN 1"));
    assert_non_null(strstr(r, "UNKNOWN[1329] 1"));
    assert_non_null(strstr(r, "1 records without audit(time:serial)"));
    buf b;
    buf_init(&b);
    rejects_summary(f->rj, &b);
    char want[64];
    snprintf(want, sizeof want, "offset %llu)", (unsigned long long)bad_at);
    assert_non_null(strstr(buf_cstr(&b), "not an audit record"));
    assert_non_null(strstr(buf_cstr(&b), want));
    buf_free(&b);
}

/* More events pending than the table holds: the oldest are completed
 * early, counted, and nothing is lost. */
static void test_eviction(void **state) {
    struct fixture *f = *state;
    char l[512];
    for (int i = 0; i < 1100; i++) {
        snprintf(l, sizeof l,
                 "node=h%d type=SYSCALL msg=audit(1700000300.000:77): arch=c000003e syscall=59 success=yes exit=0 "
                 "ppid=1 pid=%d auid=0 uid=0 euid=0 comm=\"sh\" exe=\"/bin/sh\"", i, 1000 + i);
        line(f, l);
    }
    assert_int_equal(f->n, 1100 - 1024);         /* the oldest, out before the end */
    assert_int_equal(f->ev[0].pid, 1000);
    assert_string_equal(f->ev[0].host, "h0");
    end(f);
    assert_int_equal(f->n, 1100);
    assert_int_equal(f->ev[1099].pid, 2099);
    assert_non_null(strstr(report(f), "76 events completed early"));
}

/* A lone EXECVE (its SYSCALL lost or on another serial) still tells what ran. */
static void test_lone_execve(void **state) {
    struct fixture *f = *state;
    line(f, "type=EXECVE msg=audit(1669615313.901:5538): argc=3 a0=\"sh\" a1=\"-c\" a2=\"id\"");
    end(f);
    assert_int_equal(f->n, 1);
    assert_int_equal(f->ev[0].pid, -1);
    assert_string_equal(f->ev[0].name, "sh");
    assert_string_equal(f->ev[0].cmd, "sh -c id");
}

static void test_sniff(void **state) {
    (void)state;
    assert_true(auditd_decoder.sniff(VSTR(GREP_59)) >= 90);
    assert_true(auditd_decoder.sniff(VSTR("node=a type=EOE msg=audit(1.2:3): \n")) >= 90);
    assert_int_equal(auditd_decoder.sniff(VSTR("{\"type\":\"SYSCALL\"}\n")), 0);
    assert_int_equal(auditd_decoder.sniff(VSTR("type=A,b\n")), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_complete_at_eoe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_complete_without_eoe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flush_at_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hex_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nodes_interleaved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interpreted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enriched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_proctitle_and_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_exec, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_records_and_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eviction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lone_execve, setup, teardown),
        cmocka_unit_test(test_sniff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
