#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tmpdir.h"
#include "store/store.h"

/* Each test gets a fresh state directory under /tmp, removed afterwards. */
struct fixture {
    char dir[64];
    char sub[96];               /* dir/state: does not exist yet */
};

static int setup(void **state) {
    struct fixture *f = calloc(1, sizeof *f);
    if (tmpdir_make(f->dir, sizeof f->dir, "store") < 0) return -1;
    snprintf(f->sub, sizeof f->sub, "%s/state", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    struct fixture *f = *state;
    int rc = tmpdir_remove(f->dir);
    free(f);
    return rc;
}

static struct store *open_ok(const char *dir) {
    char err[256] = "";
    struct store *st = store_open(dir, err, sizeof err);
    if (!st) fail_msg("store_open(%s): %s", dir, err);
    return st;
}

static void db_file(const struct fixture *f, char *out, size_t n) { snprintf(out, n, "%s/vigil.db", f->sub); }

/* Run one statement on the raw file, outside the store. */
static void raw_exec(const struct fixture *f, const char *sql) {
    char path[160];
    db_file(f, path, sizeof path);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static int64_t raw_int(const struct fixture *f, const char *sql) {
    char path[160];
    db_file(f, path, sizeof path);
    sqlite3 *db;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

static void test_open_creates_directory_and_schema(void **state) {
    struct fixture *f = *state;
    struct store *st = open_ok(f->sub);
    store_close(st);
    struct stat sb;
    assert_int_equal(stat(f->sub, &sb), 0);
    assert_true(S_ISDIR(sb.st_mode));
    assert_int_equal(sb.st_mode & 077, 0);          /* private to its owner */
    assert_int_equal(raw_int(f, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    char path[160];
    db_file(f, path, sizeof path);
    sqlite3 *db;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
    sqlite3_finalize(s);
    sqlite3_close(db);
    /* reopening an existing store is not a migration */
    st = open_ok(f->sub);
    store_close(st);
}

static void test_meta_blob_roundtrip(void **state) {
    struct fixture *f = *state;
    struct store *st = open_ok(f->sub);
    buf b;
    buf_init(&b);
    assert_int_equal(store_begin(st), 0);
    assert_int_equal(store_meta_get(st, "watermark", &b), 0);
    assert_int_equal(store_meta_set(st, "watermark", "100"), 0);
    assert_int_equal(store_meta_set(st, "watermark", "200"), 0);
    assert_int_equal(store_blob_put(st, "k8s", "empty", "", 0), 0);
    const unsigned char bin[] = { 0, 1, 2, 0xff, 0 };
    assert_int_equal(store_blob_put(st, "k8s", "bin", bin, sizeof bin), 0);
    assert_int_equal(store_commit(st), 0);
    store_close(st);

    st = open_ok(f->sub);
    assert_int_equal(store_meta_get(st, "watermark", &b), 1);
    assert_string_equal(buf_cstr(&b), "200");
    assert_int_equal(store_blob_get(st, "k8s", "empty", &b), 1);
    assert_int_equal(b.n, 0);
    assert_int_equal(store_blob_get(st, "k8s", "bin", &b), 1);
    assert_int_equal(b.n, sizeof bin);
    assert_memory_equal(b.p, bin, sizeof bin);
    assert_int_equal(store_blob_get(st, "other", "bin", &b), 0);
    buf_free(&b);
    store_close(st);
}

struct rows {
    int n;
    char keys[8][32];
    size_t lens[8];
    int64_t first[8], last[8], count[8];
};

static void collect_row(void *ud, vstr key, int64_t first_us, int64_t last_us, int64_t count) {
    struct rows *r = ud;
    if (r->n == 8) return;
    memcpy(r->keys[r->n], key.p, key.n < 32 ? key.n : 32);
    r->lens[r->n] = key.n;
    r->first[r->n] = first_us;
    r->last[r->n] = last_us;
    r->count[r->n] = count;
    r->n++;
}

static void test_profiles_ordered_and_scoped(void **state) {
    struct fixture *f = *state;
    struct store *st = open_ok(f->sub);
    assert_int_equal(store_begin(st), 0);
    /* keys are bytes: an embedded NUL and the empty key are both keys */
    assert_int_equal(store_profile_put(st, "k8s", "images", (vstr){ "a\0b", 3 }, 10, 30, 2), 0);
    assert_int_equal(store_profile_put(st, "k8s", "images", (vstr){ "", 0 }, 5, 5, 1), 0);
    assert_int_equal(store_profile_put(st, "k8s", "images", VSTR("late"), 1, 50, 9), 0);
    assert_int_equal(store_profile_put(st, "k8s", "other", VSTR("x"), 1, 1, 1), 0);
    /* an upsert replaces the row */
    assert_int_equal(store_profile_put(st, "k8s", "images", VSTR("late"), 1, 60, 10), 0);
    assert_int_equal(store_commit(st), 0);

    struct rows r = { 0 };
    assert_int_equal(store_profile_each(st, "k8s", "images", collect_row, &r), 0);
    assert_int_equal(r.n, 3);
    /* oldest last_us first */
    assert_int_equal(r.lens[0], 0);
    assert_int_equal(r.lens[1], 3);
    assert_memory_equal(r.keys[1], "a\0b", 3);
    assert_int_equal(r.first[1], 10);
    assert_int_equal(r.last[2], 60);
    assert_int_equal(r.count[2], 10);

    assert_int_equal(store_begin(st), 0);
    assert_int_equal(store_profile_clear(st, "k8s", "images"), 0);
    assert_int_equal(store_commit(st), 0);
    memset(&r, 0, sizeof r);
    assert_int_equal(store_profile_each(st, "k8s", "images", collect_row, &r), 0);
    assert_int_equal(r.n, 0);
    assert_int_equal(store_profile_each(st, "k8s", "other", collect_row, &r), 0);
    assert_int_equal(r.n, 1);
    store_close(st);
}

static void test_alerts_upsert_by_id(void **state) {
    struct fixture *f = *state;
    struct store *st = open_ok(f->sub);
    struct stored_alert a = { .id = "abc", .type = "k8s.container.privileged", .severity = "informational",
                              .entity = "pods/web/a", .time_start_us = 1, .time_end_us = 1, .count = 1,
                              .json = VSTR("{\"count\":1}") };
    assert_int_equal(store_begin(st), 0);
    assert_int_equal(store_alert_put(st, &a), 0);
    a.count = 5;
    a.time_end_us = 9;
    a.json = VSTR("{\"count\":5}");
    assert_int_equal(store_alert_put(st, &a), 0);   /* the alert grew: same row */
    a.id = "def";
    assert_int_equal(store_alert_put(st, &a), 0);
    assert_int_equal(store_commit(st), 0);
    assert_int_equal(store_alert_count(st), 2);
    store_close(st);
    assert_int_equal(raw_int(f, "SELECT count FROM alerts WHERE id = 'abc'"), 5);
    assert_int_equal(raw_int(f, "SELECT time_end_us FROM alerts WHERE id = 'abc'"), 9);
}

static void test_rollback_and_close_drop_uncommitted(void **state) {
    struct fixture *f = *state;
    struct store *st = open_ok(f->sub);
    buf b;
    buf_init(&b);
    assert_int_equal(store_begin(st), 0);
    assert_int_equal(store_meta_set(st, "k", "kept"), 0);
    assert_int_equal(store_commit(st), 0);
    assert_int_equal(store_begin(st), 0);
    assert_int_equal(store_begin(st), -1);          /* no nesting */
    assert_non_null(strstr(store_errmsg(st), "already open"));
    assert_int_equal(store_meta_set(st, "k", "rolled back"), 0);
    store_rollback(st);
    assert_int_equal(store_meta_get(st, "k", &b), 1);
    assert_string_equal(buf_cstr(&b), "kept");
    assert_int_equal(store_begin(st), 0);
    assert_int_equal(store_meta_set(st, "k", "never committed"), 0);
    store_close(st);                                /* closes with the transaction open */
    st = open_ok(f->sub);
    assert_int_equal(store_meta_get(st, "k", &b), 1);
    assert_string_equal(buf_cstr(&b), "kept");
    buf_free(&b);
    store_close(st);
}

/* The contract: a crash mid-run leaves the previous state usable. A child
 * commits one run, starts another, writes a lot and dies without closing
 * anything; the parent must find the first run whole and none of the
 * second. */
static void test_crash_mid_run_keeps_previous_state(void **state) {
    struct fixture *f = *state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char err[256];
        struct store *st = store_open(f->sub, err, sizeof err);
        if (!st) _exit(3);
        if (store_begin(st) || store_meta_set(st, "run", "1")) _exit(4);
        for (int i = 0; i < 1000; i++) {
            char key[32];
            int n = snprintf(key, sizeof key, "first-%d", i);
            if (store_profile_put(st, "d", "k", (vstr){ key, (size_t)n }, i, i, 1)) _exit(5);
        }
        if (store_commit(st)) _exit(6);
        if (store_begin(st) || store_meta_set(st, "run", "2")) _exit(7);
        for (int i = 0; i < 20000; i++) {   /* enough to spill pages to the WAL */
            char key[32];
            int n = snprintf(key, sizeof key, "second-%d", i);
            if (store_profile_put(st, "d", "k", (vstr){ key, (size_t)n }, i, i, 1)) _exit(8);
        }
        _exit(0);                           /* no commit, no close: a crash */
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);

    struct store *st = open_ok(f->sub);
    buf b;
    buf_init(&b);
    assert_int_equal(store_meta_get(st, "run", &b), 1);
    assert_string_equal(buf_cstr(&b), "1");
    buf_free(&b);
    store_close(st);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM profiles"), 1000);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM profiles WHERE key LIKE 'second-%'"), 0);
    char path[160];
    db_file(f, path, sizeof path);
    sqlite3 *db;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "ok");
    sqlite3_finalize(s);
    sqlite3_close(db);
}

static void expect_open_error(const char *dir, const char *needle) {
    char err[512] = "";
    struct store *st = store_open(dir, err, sizeof err);
    if (st) {
        store_close(st);
        fail_msg("store_open(%s) succeeded; expected an error with '%s'", dir, needle);
    }
    if (!strstr(err, needle)) fail_msg("error '%s' lacks '%s'", err, needle);
}

static void test_refuses_newer_schema(void **state) {
    struct fixture *f = *state;
    store_close(open_ok(f->sub));
    raw_exec(f, "PRAGMA user_version = 99");
    expect_open_error(f->sub, "newer than this vigil understands");
}

static void test_refuses_foreign_database(void **state) {
    struct fixture *f = *state;
    assert_int_equal(mkdir(f->sub, 0700), 0);
    raw_exec(f, "CREATE TABLE t(x); INSERT INTO t VALUES(1)");
    expect_open_error(f->sub, "not a vigil state database");
    /* and it was not touched */
    assert_int_equal(raw_int(f, "SELECT count(*) FROM t"), 1);
    assert_int_equal(raw_int(f, "PRAGMA user_version"), 0);
}

static void test_state_path_errors(void **state) {
    struct fixture *f = *state;
    char file[128];
    snprintf(file, sizeof file, "%s/plain-file", f->dir);
    FILE *fp = fopen(file, "w");
    assert_non_null(fp);
    fclose(fp);
    expect_open_error(file, "not a directory");
    char under[160];
    snprintf(under, sizeof under, "%s/sub", file);
    expect_open_error(under, "cannot create state directory");
    expect_open_error("", "no state directory");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_creates_directory_and_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_meta_blob_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_profiles_ordered_and_scoped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alerts_upsert_by_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback_and_close_drop_uncommitted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_mid_run_keeps_previous_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_newer_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_foreign_database, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_path_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
