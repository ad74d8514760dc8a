/* The embedded store over SQLite (see store.h for the contract).
 *
 * Every statement is prepared once at open and kept in struct store; each
 * use binds, steps and resets it, so no statement is left holding a read
 * snapshot that would stop WAL checkpoints. Bound strings and keys are
 * SQLITE_STATIC: the caller's memory only has to outlive the call, because
 * bindings are cleared before a function returns. */
#include "store/store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

/* Written into the database header, so that some other program's SQLite
 * file found in the state directory is refused instead of written into. */
#define STORE_APPLICATION_ID 0x7669676c /* "vigl" */
/* A daemon and a scan may share a state directory; a writer waits this long
 * for the other's transaction before giving up with "database is locked". */
#define STORE_BUSY_TIMEOUT_MS 5000
#define STORE_FILE "vigil.db"

/* migrations[v] takes a database from schema version v to v + 1, inside the
 * transaction that store_open holds. Append one entry per new version and
 * bump STORE_SCHEMA_VERSION; never edit an entry that has shipped. */
static const char *const migrations[] = {
    /* 0 -> 1: the first schema. */
    "CREATE TABLE meta("
    "  key TEXT PRIMARY KEY NOT NULL,"
    "  value TEXT NOT NULL);"
    "CREATE TABLE profiles("
    "  detector TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  key BLOB NOT NULL,"
    "  first_us INTEGER NOT NULL,"
    "  last_us INTEGER NOT NULL,"
    "  count INTEGER NOT NULL,"
    "  PRIMARY KEY(detector, kind, key)) WITHOUT ROWID;"
    "CREATE TABLE blobs("
    "  detector TEXT NOT NULL,"
    "  key TEXT NOT NULL,"
    "  value BLOB NOT NULL,"
    "  PRIMARY KEY(detector, key));"
    "CREATE TABLE alerts("
    "  id TEXT PRIMARY KEY NOT NULL,"
    "  type TEXT,"
    "  severity TEXT,"
    "  entity TEXT,"
    "  time_start_us INTEGER NOT NULL,"
    "  time_end_us INTEGER NOT NULL,"
    "  count INTEGER NOT NULL,"
    "  json TEXT NOT NULL);"
    /* the API and dashboard list alerts newest first */
    "CREATE INDEX alerts_by_start ON alerts(time_start_us);",
};
_Static_assert(sizeof migrations / sizeof migrations[0] == STORE_SCHEMA_VERSION,
               "one migration per schema version");

enum stmt_id {
    STMT_BEGIN,
    STMT_COMMIT,
    STMT_ROLLBACK,
    STMT_META_SET,
    STMT_META_GET,
    STMT_PROFILE_PUT,
    STMT_PROFILE_EACH,
    STMT_PROFILE_CLEAR,
    STMT_BLOB_PUT,
    STMT_BLOB_GET,
    STMT_ALERT_PUT,
    STMT_ALERT_COUNT,
    STMT_COUNT
};

static const char *const stmt_sql[STMT_COUNT] = {
    /* IMMEDIATE takes the write lock up front: a deferred transaction that
     * later upgrades can fail with SQLITE_BUSY without the busy handler. */
    [STMT_BEGIN] = "BEGIN IMMEDIATE",
    [STMT_COMMIT] = "COMMIT",
    [STMT_ROLLBACK] = "ROLLBACK",
    [STMT_META_SET] = "INSERT INTO meta(key, value) VALUES(?1, ?2) "
                      "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    [STMT_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [STMT_PROFILE_PUT] = "INSERT INTO profiles(detector, kind, key, first_us, last_us, count) "
                         "VALUES(?1, ?2, ?3, ?4, ?5, ?6) "
                         "ON CONFLICT(detector, kind, key) DO UPDATE SET first_us = excluded.first_us, "
                         "last_us = excluded.last_us, count = excluded.count",
    /* Oldest first, so a bounded set loading more rows than it holds evicts
     * the stalest ones; the key breaks ties so a load is reproducible. */
    [STMT_PROFILE_EACH] = "SELECT key, first_us, last_us, count FROM profiles "
                          "WHERE detector = ?1 AND kind = ?2 ORDER BY last_us, key",
    [STMT_PROFILE_CLEAR] = "DELETE FROM profiles WHERE detector = ?1 AND kind = ?2",
    [STMT_BLOB_PUT] = "INSERT INTO blobs(detector, key, value) VALUES(?1, ?2, ?3) "
                      "ON CONFLICT(detector, key) DO UPDATE SET value = excluded.value",
    [STMT_BLOB_GET] = "SELECT value FROM blobs WHERE detector = ?1 AND key = ?2",
    [STMT_ALERT_PUT] = "INSERT INTO alerts(id, type, severity, entity, time_start_us, time_end_us, count, json) "
                       "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                       "ON CONFLICT(id) DO UPDATE SET type = excluded.type, severity = excluded.severity, "
                       "entity = excluded.entity, time_start_us = excluded.time_start_us, "
                       "time_end_us = excluded.time_end_us, count = excluded.count, json = excluded.json",
    [STMT_ALERT_COUNT] = "SELECT count(*) FROM alerts",
};

struct store {
    sqlite3 *db;
    sqlite3_stmt *stmt[STMT_COUNT];
    char err[512];                      /* the last failure, for store_errmsg */
};

/* ---- errors ------------------------------------------------------------- */

static int fail(struct store *st, const char *what) {
    snprintf(st->err, sizeof st->err, "%s: %s", what, sqlite3_errmsg(st->db));
    return -1;
}

static int fail_msg(struct store *st, const char *msg) {
    snprintf(st->err, sizeof st->err, "%s", msg);
    return -1;
}

const char *store_errmsg(struct store *st) {
    if (!st) return "no store";
    return st->err[0] ? st->err : "no error";
}

/* ---- the state directory ------------------------------------------------ */

static int mkdir_one(const char *path, char *err, size_t errlen) {
    if (mkdir(path, 0700) == 0 || errno == EEXIST) return 0;
    snprintf(err, errlen, "cannot create state directory %s: %s", path, strerror(errno));
    return -1;
}

/* mkdir -p. New directories are 0700: the state holds alerts, account
 * names and baselines of the estate, which are nobody else's business. */
static int make_dirs(const char *dir, char *err, size_t errlen) {
    size_t n = strlen(dir);
    char *path = malloc(n + 1);
    if (!path) { snprintf(err, errlen, "out of memory"); return -1; }
    memcpy(path, dir, n + 1);
    int rc = 0;
    for (size_t i = 1; i < n && rc == 0; i++) {
        if (path[i] != '/' || path[i - 1] == '/') continue;
        path[i] = 0;
        rc = mkdir_one(path, err, errlen);
        path[i] = '/';
    }
    if (rc == 0) rc = mkdir_one(path, err, errlen);
    free(path);
    return rc;
}

static int check_dir(const char *dir, char *err, size_t errlen) {
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        snprintf(err, errlen, "cannot use state directory %s: %s", dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "state directory %s exists and is not a directory", dir);
        return -1;
    }
    /* SQLite must create the -wal and -shm files beside the database. */
    if (access(dir, W_OK | X_OK) != 0) {
        snprintf(err, errlen, "state directory %s is not writable: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

static int prepare_dir(const char *dir, char *err, size_t errlen) {
    if (!dir || !*dir) {
        snprintf(err, errlen, "no state directory given");
        return -1;
    }
    if (make_dirs(dir, err, errlen) != 0) return -1;
    return check_dir(dir, err, errlen);
}

/* ---- opening and the schema --------------------------------------------- */

static int pragma_int(sqlite3 *db, const char *sql, int64_t *out) {
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) return -1;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) *out = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : -1;
}

struct identity {
    int64_t app_id, version, objects;
};

static int read_identity(sqlite3 *db, struct identity *id) {
    if (pragma_int(db, "PRAGMA application_id", &id->app_id) != 0) return -1;
    if (pragma_int(db, "PRAGMA user_version", &id->version) != 0) return -1;
    return pragma_int(db, "SELECT count(*) FROM sqlite_master", &id->objects);
}

/* A fresh file has no identity and no objects; anything else must carry
 * our application id and a schema version this build understands. */
static int check_identity(const struct identity *id, const char *path, char *err, size_t errlen) {
    bool fresh = id->app_id == 0 && id->version == 0 && id->objects == 0;
    if (!fresh && id->app_id != STORE_APPLICATION_ID) {
        snprintf(err, errlen, "%s is not a vigil state database (application id %" PRId64 ")", path, id->app_id);
        return -1;
    }
    if (id->version < 0 || id->version > STORE_SCHEMA_VERSION) {
        snprintf(err, errlen,
                 "%s has schema version %" PRId64 ", newer than this vigil understands (%d): "
                 "upgrade vigil, or use another state directory",
                 path, id->version, STORE_SCHEMA_VERSION);
        return -1;
    }
    return 0;
}

static int exec_sql(sqlite3 *db, const char *sql, const char *path, const char *what, char *err, size_t errlen) {
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK) return 0;
    snprintf(err, errlen, "%s: %s: %s", path, what, msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return -1;
}

static int migrate(sqlite3 *db, int64_t from, const char *path, char *err, size_t errlen) {
    for (int64_t v = from; v < STORE_SCHEMA_VERSION; v++)
        if (exec_sql(db, migrations[v], path, "cannot upgrade the schema", err, errlen) != 0) return -1;
    char sql[128];
    snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %d", STORE_APPLICATION_ID,
             STORE_SCHEMA_VERSION);
    return exec_sql(db, sql, path, "cannot record the schema version", err, errlen);
}

/* Identity is checked again under the write lock: another process may have
 * created or upgraded the file since the first look. */
static int upgrade_schema(sqlite3 *db, const char *path, char *err, size_t errlen) {
    if (exec_sql(db, "BEGIN IMMEDIATE", path, "cannot lock", err, errlen) != 0) return -1;
    struct identity id;
    int rc;
    if (read_identity(db, &id) != 0) {
        snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
        rc = -1;
    } else {
        rc = check_identity(&id, path, err, errlen);
    }
    if (rc == 0 && id.version < STORE_SCHEMA_VERSION) rc = migrate(db, id.version, path, err, errlen);
    if (rc == 0) return exec_sql(db, "COMMIT", path, "cannot commit the schema", err, errlen);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

/* The journal settings are persistent, so they are only applied once the
 * file is known to be ours (or new). In WAL mode synchronous=NORMAL loses
 * at most the last commits on power loss and never corrupts; a crash of
 * vigil itself loses nothing committed. */
static int configure(sqlite3 *db, const char *path, char *err, size_t errlen) {
    struct identity id;
    if (read_identity(db, &id) != 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, sqlite3_errmsg(db));
        return -1;
    }
    if (check_identity(&id, path, err, errlen) != 0) return -1;
    if (sqlite3_db_readonly(db, "main") == 1) {
        snprintf(err, errlen, "cannot open %s: the file is read-only", path);
        return -1;
    }
    if (exec_sql(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL", path, "cannot set the journal", err,
                 errlen) != 0)
        return -1;
    return upgrade_schema(db, path, err, errlen);
}

static int prepare_all(struct store *st, const char *path, char *err, size_t errlen) {
    for (int i = 0; i < STMT_COUNT; i++) {
        if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &st->stmt[i], NULL) == SQLITE_OK)
            continue;
        snprintf(err, errlen, "%s: cannot prepare statements: %s", path, sqlite3_errmsg(st->db));
        return -1;
    }
    return 0;
}

static char *db_path(const char *dir) {
    size_t n = strlen(dir);
    char *p = malloc(n + sizeof "/" STORE_FILE);
    if (p) snprintf(p, n + sizeof "/" STORE_FILE, "%s/%s", dir, STORE_FILE);
    return p;
}

static int open_db(struct store *st, const char *path, char *err, size_t errlen) {
    int rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", path, st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
        return -1;
    }
    sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
    if (configure(st->db, path, err, errlen) != 0) return -1;
    return prepare_all(st, path, err, errlen);
}

struct store *store_open(const char *dir, char *err, size_t errlen) {
    if (prepare_dir(dir, err, errlen) != 0) return NULL;
    char *path = db_path(dir);
    struct store *st = calloc(1, sizeof *st);
    if (!path || !st) {
        snprintf(err, errlen, "out of memory");
        free(path);
        free(st);
        return NULL;
    }
    int rc = open_db(st, path, err, errlen);
    free(path);
    if (rc != 0) {
        store_close(st);
        return NULL;
    }
    return st;
}

/* Work not committed is dropped, exactly as a crash would drop it. */
void store_close(struct store *st) {
    if (!st) return;
    if (st->db && !sqlite3_get_autocommit(st->db)) store_rollback(st);
    for (int i = 0; i < STMT_COUNT; i++) sqlite3_finalize(st->stmt[i]);
    sqlite3_close(st->db);
    free(st);
}

/* ---- statement helpers -------------------------------------------------- */

static void release(sqlite3_stmt *s) {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
}

/* Step a statement that returns no rows and make it reusable. */
static int run_done(struct store *st, sqlite3_stmt *s, const char *what) {
    int ret = sqlite3_step(s) == SQLITE_DONE ? 0 : fail(st, what);
    release(s);
    return ret;
}

static int bind_fail(struct store *st, sqlite3_stmt *s, const char *what) {
    fail(st, what);
    release(s);
    return -1;
}

static int bind_str(sqlite3_stmt *s, int i, const char *v) {
    return v ? sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(s, i);
}

/* A zero-length key must stay a key: sqlite3_bind_blob with a NULL
 * pointer would bind SQL NULL, which the NOT NULL column refuses. */
static int bind_bytes(sqlite3_stmt *s, int i, const void *p, size_t n) {
    if (n == 0) return sqlite3_bind_zeroblob(s, i, 0);
    return sqlite3_bind_blob64(s, i, p, (sqlite3_uint64)n, SQLITE_STATIC);
}

static int bind_text_n(sqlite3_stmt *s, int i, vstr v) {
    return sqlite3_bind_text64(s, i, v.n ? v.p : "", (sqlite3_uint64)v.n, SQLITE_STATIC, SQLITE_UTF8);
}

static vstr column_bytes(sqlite3_stmt *s, int i) {
    const void *p = sqlite3_column_blob(s, i);   /* must come before _bytes */
    size_t n = (size_t)sqlite3_column_bytes(s, i);
    return p ? (vstr){ p, n } : (vstr){ "", 0 };
}

/* Step a one-row SELECT; the first column replaces out (NUL-terminated). */
static int get_one(struct store *st, sqlite3_stmt *s, buf *out, const char *what) {
    int rc = sqlite3_step(s), ret;
    if (rc == SQLITE_ROW) {
        buf_clear(out);
        buf_putv(out, column_bytes(s, 0));
        buf_cstr(out);
        ret = 1;
    } else {
        ret = rc == SQLITE_DONE ? 0 : fail(st, what);
    }
    release(s);
    return ret;
}

/* ---- transactions ------------------------------------------------------- */

int store_begin(struct store *st) {
    if (!sqlite3_get_autocommit(st->db)) return fail_msg(st, "begin: a transaction is already open");
    return run_done(st, st->stmt[STMT_BEGIN], "begin");
}

int store_commit(struct store *st) {
    return run_done(st, st->stmt[STMT_COMMIT], "commit");
}

void store_rollback(struct store *st) {
    /* SQLite may already have rolled back on its own (disk full, I/O). */
    if (sqlite3_get_autocommit(st->db)) return;
    sqlite3_stmt *s = st->stmt[STMT_ROLLBACK];
    if (s) {
        run_done(st, s, "rollback");
    } else {
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    }
}

/* ---- meta and blobs ----------------------------------------------------- */

int store_meta_set(struct store *st, const char *key, const char *value) {
    sqlite3_stmt *s = st->stmt[STMT_META_SET];
    if (bind_str(s, 1, key) || bind_str(s, 2, value)) return bind_fail(st, s, "meta set");
    return run_done(st, s, "meta set");
}

int store_meta_get(struct store *st, const char *key, buf *out) {
    sqlite3_stmt *s = st->stmt[STMT_META_GET];
    if (bind_str(s, 1, key)) return bind_fail(st, s, "meta get");
    return get_one(st, s, out, "meta get");
}

int store_blob_put(struct store *st, const char *detector, const char *key, const void *p, size_t n) {
    sqlite3_stmt *s = st->stmt[STMT_BLOB_PUT];
    if (bind_str(s, 1, detector) || bind_str(s, 2, key) || bind_bytes(s, 3, p, n))
        return bind_fail(st, s, "blob put");
    return run_done(st, s, "blob put");
}

int store_blob_get(struct store *st, const char *detector, const char *key, buf *out) {
    sqlite3_stmt *s = st->stmt[STMT_BLOB_GET];
    if (bind_str(s, 1, detector) || bind_str(s, 2, key)) return bind_fail(st, s, "blob get");
    return get_one(st, s, out, "blob get");
}

/* ---- profiles ----------------------------------------------------------- */

int store_profile_put(struct store *st, const char *detector, const char *kind, vstr key, int64_t first_us,
                      int64_t last_us, int64_t count) {
    sqlite3_stmt *s = st->stmt[STMT_PROFILE_PUT];
    if (bind_str(s, 1, detector) || bind_str(s, 2, kind) || bind_bytes(s, 3, key.p, key.n) ||
        sqlite3_bind_int64(s, 4, first_us) || sqlite3_bind_int64(s, 5, last_us) || sqlite3_bind_int64(s, 6, count))
        return bind_fail(st, s, "profile put");
    return run_done(st, s, "profile put");
}

int store_profile_each(struct store *st, const char *detector, const char *kind, store_profile_fn fn, void *ud) {
    sqlite3_stmt *s = st->stmt[STMT_PROFILE_EACH];
    /* one cached statement cannot run twice at once */
    if (sqlite3_stmt_busy(s)) return fail_msg(st, "profile each: called again from its own callback");
    if (bind_str(s, 1, detector) || bind_str(s, 2, kind)) return bind_fail(st, s, "profile each");
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        fn(ud, column_bytes(s, 0), sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2),
           sqlite3_column_int64(s, 3));
    int ret = rc == SQLITE_DONE ? 0 : fail(st, "profile each");
    release(s);
    return ret;
}

int store_profile_clear(struct store *st, const char *detector, const char *kind) {
    sqlite3_stmt *s = st->stmt[STMT_PROFILE_CLEAR];
    if (bind_str(s, 1, detector) || bind_str(s, 2, kind)) return bind_fail(st, s, "profile clear");
    return run_done(st, s, "profile clear");
}

/* ---- alerts ------------------------------------------------------------- */

int store_alert_put(struct store *st, const struct stored_alert *a) {
    sqlite3_stmt *s = st->stmt[STMT_ALERT_PUT];
    if (bind_str(s, 1, a->id) || bind_str(s, 2, a->type) || bind_str(s, 3, a->severity) ||
        bind_str(s, 4, a->entity) || sqlite3_bind_int64(s, 5, a->time_start_us) ||
        sqlite3_bind_int64(s, 6, a->time_end_us) || sqlite3_bind_int64(s, 7, a->count) || bind_text_n(s, 8, a->json))
        return bind_fail(st, s, "alert put");
    return run_done(st, s, "alert put");
}

int64_t store_alert_count(struct store *st) {
    sqlite3_stmt *s = st->stmt[STMT_ALERT_COUNT];
    int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : fail(st, "alert count");
    release(s);
    return n;
}
