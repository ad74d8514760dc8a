/* The fixture of the decoder unit tests: one decoder with its reject log,
 * fed one record at a time. The record's bytes are copied into a buffer
 * with the JSON padding every decoder may read past its end, as the framer
 * provides.
 *
 *   DECFX_SETUP(ecs_decoder)      struct fixture, setup, teardown
 *   decfx_begin(f, text, offset)  hand the decoder the next record
 *   DECFX.next(f->dec, &f->ev)    its events */
#ifndef VIGIL_TEST_DECFIXTURE_H
#define VIGIL_TEST_DECFIXTURE_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"
#include "decode/json.h"

struct fixture {
    struct rejects *rj;
    void *dec;
    char *doc;                          /* the current record, owned */
    struct event ev;
};

#define DECFX_SETUP(decoder)                                                        \
    extern const struct decoder_ops decoder;                                        \
    static const struct decoder_ops *const decfx_ops = &(decoder);                  \
    static int setup(void **state) {                                                \
        struct fixture *f = calloc(1, sizeof *f);                                   \
        f->rj = rejects_new(0, NULL);                                               \
        f->dec = decfx_ops->create("test", f->rj);                                  \
        *state = f;                                                                 \
        return 0;                                                                   \
    }                                                                               \
    static int teardown(void **state) {                                             \
        struct fixture *f = *state;                                                 \
        decfx_ops->destroy(f->dec);                                                 \
        rejects_free(f->rj);                                                        \
        free(f->doc);                                                               \
        free(f);                                                                    \
        return 0;                                                                   \
    }                                                                               \
    static void decfx_begin(struct fixture *f, const char *text, uint64_t offset) { \
        size_t n = strlen(text);                                                    \
        free(f->doc);                                                               \
        f->doc = calloc(1, n + JSON_PADDING);                                       \
        memcpy(f->doc, text, n);                                                    \
        struct record rec = { .p = f->doc, .len = n, .cap = n + JSON_PADDING,       \
                              .offset = offset };                                   \
        decfx_ops->begin(f->dec, &rec);                                             \
    }
#endif
