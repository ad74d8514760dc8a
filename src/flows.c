#include "flows.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode/decoder.h"
#include "decode/flow.h"
#include "input/framer.h"
#include "input/reader.h"
#include "sink/flowlog.h"

#define REJECTS_SHOWN 5

struct flow_input {
    const char *name;
    struct reader *reader;
    struct framer *framer;
    const struct decoder_ops *fmt;
    void *dec;
    uint64_t records;
    bool read_error;
};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool is_flow_format(const struct decoder_ops *f) { return f == &ipfix_decoder || f == &pcap_decoder; }

/* Open every input and settle its format before any is read: a bad path
 * costs one line and exit 2, not half an output. */
static int open_inputs(const struct flows_options *o, struct flow_input *in, struct rejects *rj) {
    const struct decoder_ops *forced = NULL;
    if (o->format && (!(forced = format_find(o->format)) || !is_flow_format(forced))) {
        fprintf(stderr, "vigil flows: unknown flow format '%s' (known: ipfix, pcap)\n", o->format);
        return 2;
    }
    for (int i = 0; i < o->n_inputs; i++) {
        char err[256];
        in[i].name = o->inputs[i];
        if (!(in[i].reader = reader_open(in[i].name, err, sizeof err))) {
            fprintf(stderr, "vigil flows: %s\n", err);
            return 2;
        }
        in[i].framer = framer_new(in[i].reader);
        vstr head = framer_head(in[i].framer);
        if (head.n == 0) continue;
        in[i].fmt = forced ? forced : format_detect(head);
        if (!in[i].fmt || !is_flow_format(in[i].fmt)) {
            fprintf(stderr, "vigil flows: %s is not a flow export file or capture; name its format with --format ipfix|pcap\n",
                    in[i].name);
            return 2;
        }
        framer_set_mode(in[i].framer, format_frame_mode(in[i].fmt, in[i].framer));
        in[i].dec = in[i].fmt->create(reader_name(in[i].reader), rj);
    }
    return 0;
}

static void decode_input(struct flow_input *in, struct flowlog *log) {
    struct record rec;
    struct event ev;
    int r;
    while ((r = framer_next(in->framer, &rec)) == 1) {
        in->records++;
        in->fmt->begin(in->dec, &rec);
        while (in->fmt->next(in->dec, &ev)) flowlog_write(log, ev.u.flow);
    }
    if (in->fmt->flush) {
        in->fmt->flush(in->dec);
        while (in->fmt->next(in->dec, &ev)) flowlog_write(log, ev.u.flow);
    }
    if (r < 0) {
        fprintf(stderr, "vigil flows: read error in %s: %s (the rest of it is skipped)\n", in->name,
                framer_error(in->framer));
        in->read_error = true;
    }
}

static void summary(const struct flows_options *o, struct flow_input *in, struct rejects *rj, double t0) {
    buf b;
    buf_init(&b);
    uint64_t flows = 0;
    for (int i = 0; i < o->n_inputs; i++)
        if (in[i].dec) flows += in[i].fmt->events(in[i].dec);
    buf_printf(&b, "vigil flows: %" PRIu64 " flows from %d input%s in %.2fs\n", flows, o->n_inputs,
               o->n_inputs == 1 ? "" : "s", now_s() - t0);
    for (int i = 0; i < o->n_inputs; i++) {
        struct flow_input *x = &in[i];
        buf_printf(&b, "  %s: %s, %" PRIu64 " records, %" PRIu64 " flows%s\n", x->name, x->fmt ? x->fmt->name : "empty",
                   x->records, x->dec ? x->fmt->events(x->dec) : 0, reader_is_gzip(x->reader) ? " (gzip)" : "");
        framer_report(x->framer, &b);
        if (x->dec) x->fmt->report(x->dec, &b);
    }
    rejects_summary(rj, &b);
    if (!rejects_total(rj)) buf_puts(&b, "  no records rejected\n");
    fputs(buf_cstr(&b), stderr);
    buf_free(&b);
}

int flows_run(const struct flows_options *o) {
    if (o->n_inputs == 0) {
        fprintf(stderr, "vigil flows: no input given (use - to read stdin)\n");
        return 2;
    }
    double t0 = now_s();
    struct flow_input *in = calloc((size_t)o->n_inputs, sizeof *in);
    if (!in) abort();
    struct rejects *rj = rejects_new(REJECTS_SHOWN, stderr);
    FILE *out = stdout;
    int rc = open_inputs(o, in, rj);
    if (!rc && o->out_path && !(out = fopen(o->out_path, "w"))) {
        fprintf(stderr, "vigil flows: cannot write %s: %s\n", o->out_path, strerror(errno));
        out = stdout;
        rc = 2;
    }
    if (!rc) {
        struct flowlog log;
        flowlog_init(&log, out);
        for (int i = 0; i < o->n_inputs; i++)
            if (in[i].dec) decode_input(&in[i], &log);
        if (flowlog_fini(&log) != 0)
            fprintf(stderr, "vigil flows: cannot write the flows: %s\n", strerror(log.write_error));
        summary(o, in, rj, t0);
    }
    /* every decoder lives until here: they share one template cache */
    for (int i = 0; i < o->n_inputs; i++) {
        if (in[i].dec) in[i].fmt->destroy(in[i].dec);
        framer_free(in[i].framer);
        reader_close(in[i].reader);
    }
    if (out != stdout) fclose(out);
    rejects_free(rj);
    free(in);
    return rc;
}
