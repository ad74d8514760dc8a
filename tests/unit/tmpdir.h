/* Scratch directories for unit tests that touch the filesystem. */
#ifndef VIGIL_TEST_TMPDIR_H
#define VIGIL_TEST_TMPDIR_H
#include <stdio.h>
#include <stdlib.h>

/* A fresh directory /tmp/vigil-TAG-XXXXXX in buf; 0 on success. */
static inline int tmpdir_make(char *buf, size_t n, const char *tag) {
    snprintf(buf, n, "/tmp/vigil-%s-XXXXXX", tag);
    return mkdtemp(buf) ? 0 : -1;
}

/* Removes it and everything in it; 0 on success. */
static inline int tmpdir_remove(const char *dir) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}
#endif
