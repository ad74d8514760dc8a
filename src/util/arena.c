#include "util/arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
    struct arena_block *prev;
    size_t cap, used;
    _Alignas(16) unsigned char data[];
};

static struct arena_block *block_new(size_t cap, struct arena_block *prev) {
    struct arena_block *b = malloc(sizeof *b + cap);
    if (!b) { fputs("vigil: out of memory\n", stderr); abort(); }
    b->prev = prev; b->cap = cap; b->used = 0;
    return b;
}

void arena_init(arena *a, size_t block_size) {
    a->head = NULL;
    a->block_size = block_size ? block_size : 64 * 1024;
}

void *arena_alloc(arena *a, size_t n) {
    n = (n + 7) & ~(size_t)7;
    if (!a->head || a->head->cap - a->head->used < n) {
        size_t cap = n > a->block_size ? n : a->block_size;
        a->head = block_new(cap, a->head);
    }
    void *p = a->head->data + a->head->used;
    a->head->used += n;
    return p;
}

void *arena_zalloc(arena *a, size_t n) {
    void *p = arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

vstr arena_dup(arena *a, vstr s) {
    if (s.n == 0) return (vstr){ "", 0 };
    char *p = arena_alloc(a, s.n + 1);
    memcpy(p, s.p, s.n);
    p[s.n] = 0;
    return (vstr){ p, s.n };
}

void arena_reset(arena *a) {
    if (!a->head) return;
    while (a->head->prev) {
        struct arena_block *prev = a->head->prev;
        free(a->head);
        a->head = prev;
    }
    a->head->used = 0;
}

void arena_free(arena *a) {
    while (a->head) {
        struct arena_block *prev = a->head->prev;
        free(a->head);
        a->head = prev;
    }
}

vstr arena_join(arena *a, const vstr *argv, uint32_t n) {
    size_t len = 0;
    for (uint32_t i = 0; i < n; i++) len += argv[i].n + 1;
    if (len == 0) return (vstr){ "", 0 };
    char *p = arena_alloc(a, len), *w = p;
    for (uint32_t i = 0; i < n; i++) {
        if (i) *w++ = ' ';
        w = vstr_put(w, argv[i]);
    }
    return (vstr){ p, (size_t)(w - p) };
}
