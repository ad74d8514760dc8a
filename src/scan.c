/* vigil scan, end to end:
 *
 *   inputs -> framer -> decoder -> merge by event time -> pipeline
 *   (detectors, aggregator, JSON lines + store) ; summary on stderr
 *
 * Every input is opened and its format settled before any record is read,
 * so a bad path or an unknown format costs the user one line and exit 2,
 * not a half-finished run. */
#include "scan.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "decode/decoder.h"
#include "input/framer.h"
#include "input/reader.h"
#include "pipeline.h"
#include "util/buf.h"

struct input {
    const char *name;
    struct reader *reader;
    struct framer *framer;
    const struct decoder_ops *fmt;
    void *dec;
    struct event head;          /* the next event of this input, if has_head */
    bool has_head, done;
    bool ended;                 /* the input is read and the decoder flushed */
    uint64_t records, late;
    struct record rec;
};

struct scan {
    const struct scan_options *opt;
    struct vigil_config cfg;
    struct input *in;
    int n_in;
    struct rejects *rj;
    struct pipeline *pipe;
    double t0;
    double next_progress;
    bool show_progress;
};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int usage_error(const char *msg, const char *arg) {
    fprintf(stderr, "vigil scan: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    return 2;
}

/* ---- opening ------------------------------------------------------------ */

static int open_inputs(struct scan *s) {
    char err[256];
    s->in = calloc((size_t)s->opt->n_inputs, sizeof *s->in);
    if (!s->in) abort();
    const struct decoder_ops *forced = NULL;
    if (s->opt->format && !(forced = format_find(s->opt->format))) {
        fprintf(stderr, "vigil scan: unknown format '%s' (known: %s)\n", s->opt->format, format_names());
        return 2;
    }
    for (int i = 0; i < s->opt->n_inputs; i++) {
        struct input *in = &s->in[s->n_in++];
        in->name = s->opt->inputs[i];
        if (!(in->reader = reader_open(in->name, err, sizeof err))) {
            fprintf(stderr, "vigil scan: %s\n", err);
            return 2;
        }
        in->framer = framer_new(in->reader);
        vstr head = framer_head(in->framer);
        if (head.n == 0) {           /* an empty input is fine: no records */
            in->done = true;
            continue;
        }
        in->fmt = forced ? forced : format_detect(head);
        if (!in->fmt) {
            fprintf(stderr, "vigil scan: cannot tell the format of %s; name it with --format (one of: %s)\n",
                    in->name, format_names());
            return 2;
        }
        framer_set_mode(in->framer, format_frame_mode(in->fmt, in->framer));
        in->dec = in->fmt->create(reader_name(in->reader), s->rj);
    }
    return 0;
}

/* Inputs are opened before the pipeline, so that a missing input costs
 * nothing: no state directory created, no --out file truncated. */
static int open_everything(struct scan *s) {
    const struct scan_options *o = s->opt;
    char err[512];
    config_defaults(&s->cfg);
    if (o->config_path && config_load(&s->cfg, o->config_path, err, sizeof err) != 0) {
        fprintf(stderr, "vigil scan: %s\n", err);
        return 2;
    }
    s->rj = rejects_new(s->cfg.reject_report_limit, stderr);
    int rc = open_inputs(s);
    if (rc) return rc;
    struct pipeline_options po = {
        .who = "vigil scan", .cfg = &s->cfg, .state_dir = o->state_dir, .out_path = o->out_path,
        .intel = o->intel, .n_intel = (size_t)o->n_intel, .inventory_path = o->inventory_path,
        .geoip = o->geoip, .n_geoip = (size_t)o->n_geoip,
    };
    return (s->pipe = pipeline_open(&po)) ? 0 : 2;
}

/* ---- reading ------------------------------------------------------------ */

/* Advance one input to its next event. */
static void pull(struct input *in) {
    in->has_head = false;
    while (!in->done) {
        if (in->fmt->next(in->dec, &in->head)) { in->has_head = true; return; }
        if (in->ended) { in->done = true; return; }
        int r = framer_next(in->framer, &in->rec);
        if (r < 0)
            fprintf(stderr, "vigil scan: read error in %s: %s (the rest of it is skipped)\n", in->name,
                    framer_error(in->framer));
        if (r <= 0) {
            /* what the decoder still holds comes out before the input ends */
            in->ended = true;
            if (in->fmt->flush) in->fmt->flush(in->dec);
            continue;
        }
        in->records++;
        in->fmt->begin(in->dec, &in->rec);
    }
}

/* The input whose next event is earliest: a k-way merge by event time.
 * Ties go to the input named first, so a replay is deterministic. */
static struct input *earliest(struct scan *s) {
    struct input *best = NULL;
    for (int i = 0; i < s->n_in; i++) {
        struct input *in = &s->in[i];
        if (in->has_head && (!best || in->head.time_us < best->head.time_us)) best = in;
    }
    return best;
}

static void progress(struct scan *s, bool final) {
    double t = now_s();
    if (!final && t < s->next_progress) return;
    s->next_progress = t + 0.25;
    uint64_t raw = 0, total = 0, bytes = 0;
    bool sized = true;
    for (int i = 0; i < s->n_in; i++) {
        raw += reader_raw_offset(s->in[i].reader);
        total += reader_raw_size(s->in[i].reader);
        sized &= reader_raw_size(s->in[i].reader) > 0;
        bytes += framer_bytes(s->in[i].framer);
    }
    double el = t - s->t0 > 1e-9 ? t - s->t0 : 1e-9;
    char eta[32] = "";
    if (sized && raw > 0 && total > raw) snprintf(eta, sizeof eta, ", ETA %.0fs", (double)(total - raw) * el / (double)raw);
    fprintf(stderr, "\r  %" PRIu64 " events, %.1f MB, %.0f events/s, %.1f MB/s%s   %s", pipeline_events(s->pipe), bytes / 1e6,
            (double)pipeline_events(s->pipe) / el, bytes / 1e6 / el, eta, final ? "\n" : "");
}

static void run_merge(struct scan *s) {
    for (int i = 0; i < s->n_in; i++)
        if (s->in[i].fmt) pull(&s->in[i]);
    struct input *in;
    uint64_t n = 0;
    while ((in = earliest(s))) {
        if (pipeline_event(s->pipe, &in->head)) in->late++;
        pull(in);
        if (s->show_progress && (++n & 0x3fff) == 0) progress(s, false);
    }
}

/* ---- finishing ---------------------------------------------------------- */

static void summary(struct scan *s) {
    buf b;
    buf_init(&b);
    double el = now_s() - s->t0;
    buf_printf(&b, "vigil scan: %" PRIu64 " events from %d input%s in %.2fs\n", pipeline_events(s->pipe), s->n_in,
               s->n_in == 1 ? "" : "s", el);
    for (int i = 0; i < s->n_in; i++) {
        struct input *in = &s->in[i];
        buf_printf(&b, "  %s: %s, %" PRIu64 " records, %" PRIu64 " events, %.1f MB%s\n", in->name,
                   in->fmt ? in->fmt->name : "empty", in->records, in->fmt ? in->fmt->events(in->dec) : 0,
                   framer_bytes(in->framer) / 1e6, reader_is_gzip(in->reader) ? " (gzip)" : "");
        if (in->late)
            buf_printf(&b, "  %" PRIu64 " events arrived later than the allowed lateness (still analysed)\n", in->late);
        uint64_t first, n;
        if ((n = framer_oversize(in->framer, &first)))
            buf_printf(&b, "  rejected %" PRIu64 " records longer than 256 MiB (first at offset %" PRIu64 ")\n", n, first);
        if ((n = framer_unterminated(in->framer, &first)))
            buf_printf(&b, "  rejected %" PRIu64 " unterminated JSON document at offset %" PRIu64 "\n", n, first);
        framer_report(in->framer, &b);
        if (in->fmt && in->fmt->report) in->fmt->report(in->dec, &b);
    }
    rejects_summary(s->rj, &b);
    if (!rejects_total(s->rj)) buf_puts(&b, "  no records rejected\n");
    pipeline_report(s->pipe, &b);
    fputs(buf_cstr(&b), stderr);
    buf_free(&b);
}

static void teardown(struct scan *s) {
    pipeline_close(s->pipe);
    for (int i = 0; i < s->n_in; i++) {
        if (s->in[i].dec) s->in[i].fmt->destroy(s->in[i].dec);
        framer_free(s->in[i].framer);
        reader_close(s->in[i].reader);
    }
    free(s->in);
    rejects_free(s->rj);
    config_free(&s->cfg);
}

int scan_run(const struct scan_options *opt) {
    if (opt->n_inputs == 0) return usage_error("no input given (use - to read stdin)", NULL);
    struct scan s = { .opt = opt };
    s.t0 = now_s();
    int rc = open_everything(&s);
    if (rc) { teardown(&s); return rc; }
    s.show_progress = s.cfg.progress && isatty(STDERR_FILENO) && !opt->quiet;
    run_merge(&s);
    if (s.show_progress) progress(&s, true);
    int save_rc = pipeline_finish(s.pipe);
    if (!opt->quiet) summary(&s);
    teardown(&s);
    return save_rc ? 1 : 0;
}
