/* Bump allocator. Each decoder owns one arena and resets it per record, so
 * the per-record allocations of a typed event cost a pointer bump and are
 * freed all at once. Memory is returned to the OS only by arena_free. */
#ifndef VIGIL_ARENA_H
#define VIGIL_ARENA_H
#include <stddef.h>
#include <stdint.h>
#include "util/str.h"

struct arena_block;
typedef struct arena {
    struct arena_block *head;   /* current block; older blocks chained */
    size_t block_size;
} arena;

void arena_init(arena *a, size_t block_size);
void *arena_alloc(arena *a, size_t n);        /* 8-byte aligned, never NULL (aborts on OOM) */
void *arena_zalloc(arena *a, size_t n);
vstr arena_dup(arena *a, vstr s);              /* copy s into the arena */
/* argv[0..n) joined by one space, in the arena (a command line from its
 * arguments); the empty slice when there is nothing to join. */
vstr arena_join(arena *a, const vstr *argv, uint32_t n);
void arena_reset(arena *a);                    /* keep the first block, drop the rest */
void arena_free(arena *a);
#endif
