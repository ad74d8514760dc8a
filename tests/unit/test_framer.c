#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "decode/json.h"
#include "input/framer.h"
#include "input/reader.h"

static char path[64];

static void write_file(const char *data, size_t n, bool gz) {
    snprintf(path, sizeof path, "/tmp/vigil_framer_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    if (gz) {
        gzFile g = gzdopen(fd, "wb");
        gzwrite(g, data, (unsigned)n);
        gzclose(g);
    } else {
        assert_int_equal(write(fd, data, n), (ssize_t)n);
        close(fd);
    }
}

struct rec_copy { char text[256]; uint64_t offset; };

static int frame_all(bool gz, const char *data, size_t n, struct rec_copy *out, int max, enum frame_mode *mode) {
    write_file(data, n, gz);
    char err[128];
    struct reader *r = reader_open(path, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(reader_is_gzip(r), gz);
    struct framer *f = framer_new(r);
    *mode = framer_guess_mode(f);
    framer_set_mode(f, *mode);
    struct record rec;
    int k = 0;
    while (framer_next(f, &rec) == 1) {
        assert_true(rec.cap >= rec.len + JSON_PADDING);
        if (k < max) {
            snprintf(out[k].text, sizeof out[k].text, "%.*s", (int)(rec.len < 200 ? rec.len : 200), rec.p);
            out[k].offset = rec.offset;
        }
        k++;
    }
    framer_free(f);
    reader_close(r);
    unlink(path);
    return k;
}

static void test_lines(void **state) {
    (void)state;
    const char *data = "{\"a\":1}\r\n\n   \n{\"b\":2}\n{\"c\":3}";
    struct rec_copy r[8];
    enum frame_mode m;
    for (int gz = 0; gz < 2; gz++) {
        assert_int_equal(frame_all(gz, data, strlen(data), r, 8, &m), 3);
        assert_int_equal(m, FRAME_LINES);
        assert_string_equal(r[0].text, "{\"a\":1}");       /* CR stripped */
        assert_string_equal(r[1].text, "{\"b\":2}");
        assert_int_equal(r[1].offset, 14);
        assert_string_equal(r[2].text, "{\"c\":3}");       /* no final newline */
    }
}

static void test_pretty_documents(void **state) {
    (void)state;
    const char *data = "{\n  \"x\": \"}{\\\"\",\n  \"y\": [1,\n 2]\n}\n{\"z\":\n{}}\n";
    struct rec_copy r[8];
    enum frame_mode m;
    assert_int_equal(frame_all(false, data, strlen(data), r, 8, &m), 2);
    assert_int_equal(m, FRAME_DOCUMENTS);
    assert_int_equal(r[1].offset, strlen("{\n  \"x\": \"}{\\\"\",\n  \"y\": [1,\n 2]\n}\n"));
    assert_string_equal(r[1].text, "{\"z\":\n{}}");
}

static void test_long_line_grows_buffer(void **state) {
    (void)state;
    size_t n = 9u << 20;                 /* longer than one 4 MiB block */
    char *data = malloc(n + 16);
    data[0] = '{'; data[1] = '"'; data[2] = 'k'; data[3] = '"'; data[4] = ':'; data[5] = '"';
    memset(data + 6, 'x', n - 8);
    data[n - 2] = '"';
    data[n - 1] = '}';
    memcpy(data + n, "\n{\"b\":1}\n", 9);
    struct rec_copy r[4];
    enum frame_mode m;
    assert_int_equal(frame_all(false, data, n + 9, r, 4, &m), 2);
    assert_int_equal(r[1].offset, n + 1);
    assert_string_equal(r[1].text, "{\"b\":1}");
    free(data);
}

/* Plain files are mapped: every record must have its padding readable, also
 * when the file ends exactly at a page boundary or just short of one. */
static void test_mapped_file_ends(void **state) {
    (void)state;
    long page = sysconf(_SC_PAGESIZE);
    size_t sizes[] = { (size_t)page, (size_t)page - 1, (size_t)page - 30, (size_t)page + 10, 2 * (size_t)page };
    for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++) {
        size_t n = sizes[t];
        char *data = malloc(n);
        /* lines of 99 bytes + newline, the last one cut short, no final newline */
        for (size_t i = 0; i < n; i++) data[i] = (i % 100 == 99) ? '\n' : 'a' + (char)(i % 26);
        if (data[n - 1] == '\n') data[n - 1] = 'z';
        write_file(data, n, false);
        char err[128];
        struct reader *r = reader_open(path, err, sizeof err);
        assert_non_null(r);
        struct framer *f = framer_new(r);
        framer_set_mode(f, FRAME_LINES);
        struct record rec;
        size_t total = 0;
        int k = 0;
        while (framer_next(f, &rec) == 1) {
            assert_true(rec.cap >= rec.len + JSON_PADDING);
            volatile char sink = 0;
            for (size_t i = 0; i < rec.cap; i++) sink ^= rec.p[i];   /* all of it readable */
            (void)sink;
            assert_memory_equal(rec.p, data + rec.offset, rec.len);
            total += rec.len + 1;
            k++;
        }
        assert_int_equal(k, (int)((n + 99) / 100));
        assert_int_equal(total, n + 1);
        framer_free(f);
        reader_close(r);
        unlink(path);
        free(data);
    }
}

/* A mapped file cut short while it is read (copytruncate) is a read error,
 * not a crash. */
static void test_file_shrinks_while_read(void **state) {
    (void)state;
    long page = sysconf(_SC_PAGESIZE);
    size_t n = 4 * (size_t)page;
    char *data = malloc(n);
    memset(data, 'x', n);
    memcpy(data, "{\"a\":1}\n", 8);
    data[n - 1] = '\n';
    write_file(data, n, false);
    char err[128];
    struct reader *r = reader_open(path, err, sizeof err);
    assert_non_null(r);
    struct framer *f = framer_new(r);
    framer_set_mode(f, FRAME_LINES);
    struct record rec;
    assert_int_equal(framer_next(f, &rec), 1);
    assert_int_equal(rec.len, 7);
    assert_int_equal(truncate(path, 100), 0);
    int rc;
    while ((rc = framer_next(f, &rec)) == 1) {}
    assert_int_equal(rc, -1);
    assert_non_null(strstr(reader_error(r), "shrank"));
    framer_free(f);
    reader_close(r);
    unlink(path);
    free(data);
}

static void test_unreadable(void **state) {
    (void)state;
    char err[128];
    assert_null(reader_open("/nonexistent/vigil", err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/vigil"));
    assert_null(reader_open("/tmp", err, sizeof err));
    assert_non_null(strstr(err, "directory"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_pretty_documents),
        cmocka_unit_test(test_long_line_grows_buffer),
        cmocka_unit_test(test_mapped_file_ends),
        cmocka_unit_test(test_file_shrinks_while_read),
        cmocka_unit_test(test_unreadable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
