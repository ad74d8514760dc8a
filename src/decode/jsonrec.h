/* Small helpers the JSON decoders share while they fill a typed event
 * from a record: growable lists in the decoder's per-record arena, and
 * string fields that read as empty when absent or of another type. */
#ifndef VIGIL_JSONREC_H
#define VIGIL_JSONREC_H
#include <stdint.h>
#include <string.h>
#include "decode/json.h"
#include "util/arena.h"

/* Elements kept per array of one record; an array longer than this is
 * hostile or broken, and the rest of it is ignored. */
#define JSONREC_MAX_LIST 4096

/* Append one zeroed element to the list *arr of *n elements (capacity
 * *cap), growing it in the arena. NULL when the list is at the bound. */
static inline void *jsonrec_push(arena *a, void **arr, uint32_t *n, uint32_t *cap, size_t elem) {
    if (*n >= JSONREC_MAX_LIST) return NULL;
    if (*n == *cap) {
        uint32_t ncap = *cap ? *cap * 2 : 4;
        void *p = arena_alloc(a, ncap * elem);
        if (*n) memcpy(p, *arr, *n * elem);
        *arr = p;
        *cap = ncap;
    }
    void *slot = (char *)*arr + (size_t)*n * elem;
    memset(slot, 0, elem);
    (*n)++;
    return slot;
}

/* The string value, or the empty slice when it is absent or not a string. */
static inline void jsonrec_str(jval *v, vstr *out) {
    if (!jv_str(v, out)) *out = VSTR_NULL;
}
#endif
