#include "input/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define READER_GZ_BUFFER (1u << 20)
#define READER_RELEASE   (64u << 20)   /* unmap what was read in steps of this */
#define READER_MAX_MAPS  64            /* files mapped at once; more are read */

struct reader {
    gzFile gz;                 /* NULL when mapped */
    int fd;                    /* mapped files only */
    const char *name;
    uint64_t size;
    bool gzip;
    /* A named, plain, regular file is mapped instead of read: no copy
     * from the page cache. pos is how far the framer has consumed it. */
    char *map;
    size_t map_len;            /* the file size when mapped */
    size_t pos, released, populated;
    int slot;                  /* in maps[] */
    char err[160];
};

/* A mapped file that shrinks while it is read (a copytruncate rotation)
 * would kill the process with SIGBUS on the next page. The handler maps
 * zero pages over the rest of the mapping instead and marks it, and the
 * reader then reports a read error. */
static struct {
    char *volatile p;
    volatile size_t len;
    volatile sig_atomic_t shrank;
} maps[READER_MAX_MAPS];
static struct sigaction prev_bus;
static size_t page_size;

static void on_sigbus(int sig, siginfo_t *si, void *uc) {
    char *a = si->si_addr;
    for (int i = 0; i < READER_MAX_MAPS; i++) {
        char *p = maps[i].p;
        size_t len = maps[i].len;
        if (!p || a < p || a >= p + len) continue;
        char *from = p + ((size_t)(a - p) & ~(page_size - 1));
        size_t n = (size_t)(p + len - from);
        if (mmap(from, n, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
            maps[i].shrank = 1;
            return;
        }
        break;
    }
    /* not ours: what would have happened without this handler */
    if (prev_bus.sa_flags & SA_SIGINFO) {
        if (prev_bus.sa_sigaction) { prev_bus.sa_sigaction(sig, si, uc); return; }
    } else if (prev_bus.sa_handler != SIG_DFL && prev_bus.sa_handler != SIG_IGN) {
        prev_bus.sa_handler(sig);
        return;
    }
    signal(SIGBUS, SIG_DFL);
    raise(SIGBUS);
}

static bool try_map(struct reader *r, int fd) {
    if (r->size == 0 || r->size > SIZE_MAX) return false;
    int slot = -1;
    for (int i = 0; i < READER_MAX_MAPS && slot < 0; i++)
        if (!maps[i].p) slot = i;
    if (slot < 0) return false;
    /* (Re)install the handler unless it is in place: something else
     * (a test harness) may have replaced it since the last map. */
    struct sigaction cur;
    if (sigaction(SIGBUS, NULL, &cur) != 0) return false;
    if (!(cur.sa_flags & SA_SIGINFO) || cur.sa_sigaction != on_sigbus) {
        page_size = (size_t)sysconf(_SC_PAGESIZE);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_sigbus;
        sa.sa_flags = SA_SIGINFO;
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGBUS, &sa, &prev_bus) != 0) return false;
    }
    void *m = mmap(NULL, (size_t)r->size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) return false;
    madvise(m, (size_t)r->size, MADV_SEQUENTIAL);
    r->map = m;
    r->map_len = (size_t)r->size;
    r->fd = fd;
    r->slot = slot;
    maps[slot].len = r->map_len;
    maps[slot].shrank = 0;
    maps[slot].p = r->map;
    return true;
}

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
    r->fd = -1;
    r->slot = -1;
    /* stdin is read, never mapped: it may not start at offset 0 */
    if (!is_stdin && S_ISREG(st.st_mode) && !r->gzip && try_map(r, fd)) return r;
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

static bool map_shrank(struct reader *r) {
    if (!maps[r->slot].shrank) return false;
    snprintf(r->err, sizeof r->err, "the file shrank while it was read");
    return true;
}

bool reader_map(struct reader *r, const char **p, size_t *n) {
    if (!r->map) return false;
    *p = r->map;
    *n = r->map_len;
    return true;
}

int reader_map_consumed(struct reader *r, size_t pos) {
    r->pos = pos;
#ifdef MADV_POPULATE_READ
    if (pos + (2u << 20) > r->populated && r->populated < r->map_len) {
        size_t n = r->map_len - r->populated < (4u << 20) ? r->map_len - r->populated : (4u << 20);
        size_t to = (r->populated + n + page_size - 1) & ~(page_size - 1);
        madvise(r->map + r->populated, to - r->populated, MADV_POPULATE_READ);
        r->populated = to;
    }
#endif
    /* Pages behind pos are done with: drop them from the mapping (they
     * stay in the page cache) so a big file does not grow the RSS. */
    if (pos - r->released >= READER_RELEASE) {
        size_t upto = pos & ~(page_size - 1);
        madvise(r->map + r->released, upto - r->released, MADV_DONTNEED);
        r->released = upto;
    }
    return map_shrank(r) ? -1 : 0;
}

ssize_t reader_read(struct reader *r, void *dst, size_t cap) {
    if (r->map) {
        size_t n = r->map_len - r->pos < cap ? r->map_len - r->pos : cap;
        memcpy(dst, r->map + r->pos, n);
        if (map_shrank(r)) return -1;
        r->pos += n;
        return (ssize_t)n;
    }
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
uint64_t reader_raw_offset(struct reader *r) { return r->map ? r->pos : (uint64_t)gzoffset(r->gz); }
uint64_t reader_raw_size(const struct reader *r) { return r->size; }
bool reader_is_gzip(const struct reader *r) { return r->gzip; }

void reader_close(struct reader *r) {
    if (!r) return;
    if (r->map) {
        maps[r->slot].p = NULL;
        munmap(r->map, r->map_len);
        close(r->fd);
    } else {
        gzclose(r->gz);
    }
    free(r);
}
