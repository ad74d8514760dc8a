#include "input/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define READER_GZ_BUFFER (1u << 20)

struct reader {
    gzFile gz;
    const char *name;
    uint64_t size;
    bool gzip;
    char err[160];
};

static bool sniff_gzip(int fd, bool seekable) {
    unsigned char magic[2];
    if (!seekable) return false;   /* zlib detects gzip on pipes by itself */
    ssize_t n = pread(fd, magic, 2, 0);
    return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

struct reader *reader_open(const char *path, char *err, size_t errlen) {
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "cannot read %s: %s", path, S_ISDIR(st.st_mode) ? "is a directory" : strerror(errno));
        close(fd);
        return NULL;
    }
    struct reader *r = calloc(1, sizeof *r);
    if (!r) { close(fd); snprintf(err, errlen, "out of memory"); return NULL; }
    r->name = is_stdin ? "(stdin)" : path;
    r->size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
    r->gzip = sniff_gzip(fd, S_ISREG(st.st_mode));
    r->gz = gzdopen(fd, "rb");
    if (!r->gz) {
        snprintf(err, errlen, "cannot read %s: out of memory", path);
        close(fd);
        free(r);
        return NULL;
    }
    gzbuffer(r->gz, READER_GZ_BUFFER);
    return r;
}

ssize_t reader_read(struct reader *r, void *dst, size_t cap) {
    if (cap > INT32_MAX) cap = INT32_MAX;
    int n = gzread(r->gz, dst, (unsigned)cap);
    if (n < 0) {
        int zerr;
        const char *msg = gzerror(r->gz, &zerr);
        snprintf(r->err, sizeof r->err, "%s", zerr == Z_ERRNO ? strerror(errno) : msg);
        return -1;
    }
    if (n == 0) {
        /* gzread returns what it could before a truncated gzip stream ends;
         * report the truncation instead of silently stopping. */
        int zerr;
        const char *msg = gzerror(r->gz, &zerr);
        if (zerr != Z_OK && zerr != Z_STREAM_END) {
            snprintf(r->err, sizeof r->err, "%s", msg);
            return -1;
        }
    }
    return n;
}

const char *reader_error(struct reader *r) { return r->err; }
const char *reader_name(const struct reader *r) { return r->name; }
uint64_t reader_raw_offset(struct reader *r) { return (uint64_t)gzoffset(r->gz); }
uint64_t reader_raw_size(const struct reader *r) { return r->size; }
bool reader_is_gzip(const struct reader *r) { return r->gzip; }

void reader_close(struct reader *r) {
    if (!r) return;
    gzclose(r->gz);
    free(r);
}
