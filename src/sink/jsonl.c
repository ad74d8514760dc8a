#include "sink/jsonl.h"

#include "store/store.h"

void jsonl_sink_init(struct jsonl_sink *s, FILE *out, struct store *st) {
    s->out = out;
    s->store = st;
    buf_init(&s->line);
    s->written = s->store_errors = 0;
}

void jsonl_sink_write(void *ud, const struct alert *a) {
    struct jsonl_sink *s = ud;
    buf_clear(&s->line);
    alert_to_json(a, &s->line);
    if (s->store) {
        char entity[1024];
        snprintf(entity, sizeof entity, "%.*s", (int)a->entity.n, a->entity.p);
        struct stored_alert row = {
            .id = a->id, .type = a->cat->type, .severity = severity_name(a->cat->severity), .entity = entity,
            .time_start_us = a->time_start_us, .time_end_us = a->time_end_us, .count = a->count,
            .json = buf_vstr(&s->line),
        };
        if (store_alert_put(s->store, &row) != 0) s->store_errors++;
    }
    buf_putc(&s->line, '\n');
    fwrite(s->line.p, 1, s->line.n, s->out);
    s->written++;
}

void jsonl_sink_fini(struct jsonl_sink *s) {
    fflush(s->out);
    buf_free(&s->line);
}
