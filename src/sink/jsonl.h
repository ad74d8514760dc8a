/* The alert sink of vigil scan: one JSON object per line to a stream, and
 * a copy into the store when there is one. */
#ifndef VIGIL_SINK_JSONL_H
#define VIGIL_SINK_JSONL_H
#include <stdio.h>
#include "alert/alert.h"

struct store;
struct jsonl_sink {
    FILE *out;
    struct store *store;         /* may be NULL */
    buf line;
    uint64_t written, store_errors;
};

void jsonl_sink_init(struct jsonl_sink *s, FILE *out, struct store *st);
void jsonl_sink_write(void *ud, const struct alert *a);   /* an alert_sink_fn */
void jsonl_sink_fini(struct jsonl_sink *s);
#endif
