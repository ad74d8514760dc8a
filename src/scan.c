/* vigil scan, end to end:
 *
 *   inputs -> framer -> decoder -> merge by event time -> detectors
 *          -> aggregator -> JSON lines (+ store) ; summary on stderr
 *
 * Every input is opened and its format settled before any record is read,
 * so a bad path or an unknown format costs the user one line and exit 2,
 * not a half-finished run. */
#include "scan.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alert/alert.h"
#include "config/config.h"
#include "decode/decoder.h"
#include "detect/detector.h"
#include "enrich/intel.h"
#include "enrich/inventory.h"
#include "input/framer.h"
#include "input/reader.h"
#include "sink/jsonl.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/timeutil.h"

struct input {
    const char *name;
    struct reader *reader;
    struct framer *framer;
    const struct decoder_ops *fmt;
    void *dec;
    struct event head;          /* the next event of this input, if has_head */
    bool has_head, done;
    uint64_t records, late;
    struct record rec;
};

struct scan {
    const struct scan_options *opt;
    struct vigil_config cfg;
    struct input *in;
    int n_in;
    struct rejects *rj;
    struct store *store;
    struct aggregator *ag;
    struct jsonl_sink sink;
    FILE *out;
    void *det_state[32];
    const struct detector *det[32];
    unsigned n_det;
    struct detect_ctx ctx;
    struct intel *intel;        /* --intel, empty when none */
    struct inventory *inventory;/* --inventory, empty when none */
    int64_t last_tick_s;
    uint64_t events;
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

/* Options of the contract that belong to layers not built yet: the file
 * must still be readable, and the summary says nothing uses it yet. */
static int check_readable(const char *what, const char *path) {
    if (!path) return 0;
    const char *file = strchr(path, '=') ? strchr(path, '=') + 1 : path;
    if (access(file, R_OK) != 0) {
        fprintf(stderr, "vigil scan: cannot read %s file %s: %s\n", what, file, strerror(errno));
        return 2;
    }
    return 0;
}

static int open_everything(struct scan *s) {
    const struct scan_options *o = s->opt;
    char err[512];
    config_defaults(&s->cfg);
    if (o->config_path && config_load(&s->cfg, o->config_path, err, sizeof err) != 0) {
        fprintf(stderr, "vigil scan: %s\n", err);
        return 2;
    }
    if (check_readable("GeoIP", o->geoip_path)) return 2;
    s->intel = intel_new();
    for (int i = 0; i < o->n_intel; i++)
        if (intel_load(s->intel, o->intel[i], err, sizeof err) != 0) {
            fprintf(stderr, "vigil scan: %s\n", err);
            return 2;
        }
    s->inventory = inventory_new();
    if (o->inventory_path && inventory_load(s->inventory, o->inventory_path, err, sizeof err) != 0) {
        fprintf(stderr, "vigil scan: %s\n", err);
        return 2;
    }
    s->ctx.intel = s->intel;
    s->ctx.inventory = s->inventory;
    s->rj = rejects_new(s->cfg.reject_report_limit, stderr);
    int rc = open_inputs(s);
    if (rc) return rc;
    if (o->state_dir && !(s->store = store_open(o->state_dir, err, sizeof err))) {
        fprintf(stderr, "vigil scan: %s\n", err);
        return 2;
    }
    s->out = stdout;
    if (o->out_path && !(s->out = fopen(o->out_path, "w"))) {
        fprintf(stderr, "vigil scan: cannot write %s: %s\n", o->out_path, strerror(errno));
        return 2;
    }
    return 0;
}

static int start_detectors(struct scan *s) {
    for (unsigned i = 0; i < detector_registry_count && s->n_det < 32; i++) {
        const struct detector *d = detector_registry[i];
        if (!detector_enabled(d, &s->cfg)) continue;
        void *st = d->create(&s->cfg);
        if (s->store && d->load && d->load(st, s->store) != 0) {
            fprintf(stderr, "vigil scan: cannot load %s state from %s: %s\n", d->name, s->opt->state_dir,
                    store_errmsg(s->store));
            d->destroy(st);
            return 2;
        }
        s->det[s->n_det] = d;
        s->det_state[s->n_det++] = st;
    }
    return 0;
}

/* ---- reading ------------------------------------------------------------ */

/* Advance one input to its next event. */
static void pull(struct input *in) {
    in->has_head = false;
    while (!in->done) {
        if (in->fmt->next(in->dec, &in->head)) { in->has_head = true; return; }
        int r = framer_next(in->framer, &in->rec);
        if (r < 0) {
            fprintf(stderr, "vigil scan: read error in %s: %s (the rest of it is skipped)\n", in->name,
                    framer_error(in->framer));
            in->done = true;
            return;
        }
        if (r == 0) { in->done = true; return; }
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
    fprintf(stderr, "\r  %" PRIu64 " events, %.1f MB, %.0f events/s, %.1f MB/s%s   %s", s->events, bytes / 1e6,
            (double)s->events / el, bytes / 1e6 / el, eta, final ? "\n" : "");
}

static void tick(struct scan *s, int64_t watermark) {
    for (unsigned i = 0; i < s->n_det; i++)
        if (s->det[i]->on_tick) s->det[i]->on_tick(s->det_state[i], watermark, &s->ctx);
}

static void dispatch(struct scan *s, const struct event *ev) {
    if (ev->time_us > s->ctx.watermark_us || s->ctx.watermark_us == TIME_NONE) {
        s->ctx.watermark_us = ev->time_us;
        /* alerts stay open for late records up to the allowed lateness */
        aggregator_advance(s->ag, s->ctx.watermark_us - s->cfg.allowed_lateness_us);
        int64_t sec = ev->time_us / US_PER_SEC;
        if (sec != s->last_tick_s) { s->last_tick_s = sec; tick(s, ev->time_us); }
    }
    for (unsigned i = 0; i < s->n_det; i++)
        if (s->det[i]->layers & ev->layer) s->det[i]->on_event(s->det_state[i], ev, &s->ctx);
    s->events++;
}

static void run_merge(struct scan *s) {
    for (int i = 0; i < s->n_in; i++)
        if (s->in[i].fmt) pull(&s->in[i]);
    struct input *in;
    uint64_t n = 0;
    while ((in = earliest(s))) {
        if (s->ctx.watermark_us != TIME_NONE &&
            in->head.time_us < s->ctx.watermark_us - s->cfg.allowed_lateness_us)
            in->late++;
        dispatch(s, &in->head);
        pull(in);
        if (s->show_progress && (++n & 0x3fff) == 0) progress(s, false);
    }
    if (s->ctx.watermark_us != TIME_NONE) tick(s, s->ctx.watermark_us);
    for (unsigned i = 0; i < s->n_det; i++)
        if (s->det[i]->on_end) s->det[i]->on_end(s->det_state[i], &s->ctx);
    aggregator_flush(s->ag);
}

/* ---- finishing ---------------------------------------------------------- */

static int save_state(struct scan *s) {
    if (!s->store) return 0;
    for (unsigned i = 0; i < s->n_det; i++) {
        if (!s->det[i]->save || s->det[i]->save(s->det_state[i], s->store) == 0) continue;
        fprintf(stderr, "vigil scan: cannot save %s state: %s\n", s->det[i]->name, store_errmsg(s->store));
        store_rollback(s->store);
        return 1;
    }
    char wm[40];
    time_format(s->ctx.watermark_us == TIME_NONE ? 0 : s->ctx.watermark_us, wm, sizeof wm);
    store_meta_set(s->store, "watermark", wm);
    if (store_commit(s->store) != 0) {
        fprintf(stderr, "vigil scan: cannot save state in %s: %s\n", s->opt->state_dir, store_errmsg(s->store));
        return 1;
    }
    return 0;
}

static void summary(struct scan *s) {
    buf b;
    buf_init(&b);
    double el = now_s() - s->t0;
    buf_printf(&b, "vigil scan: %" PRIu64 " events from %d input%s in %.2fs\n", s->events, s->n_in,
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
    if (s->opt->n_intel) intel_report(s->intel, &b);
    if (s->opt->inventory_path) inventory_report(s->inventory, &b);
    for (unsigned i = 0; i < s->n_det; i++)
        if (s->det[i]->report) s->det[i]->report(s->det_state[i], &b);
    if (s->opt->geoip_path)
        buf_puts(&b, "  note: --geoip is read by the management and Key Vault detectors, which this build does not "
                     "have yet\n");
    uint64_t sev[4];
    aggregator_severity_counts(s->ag, sev);
    buf_printf(&b, "  alerts: %" PRIu64 " (high %" PRIu64 ", medium %" PRIu64 ", low %" PRIu64
                   ", informational %" PRIu64 "), %" PRIu64 " repeats aggregated\n",
               aggregator_emitted(s->ag), sev[SEV_HIGH], sev[SEV_MEDIUM], sev[SEV_LOW], sev[SEV_INFORMATIONAL],
               aggregator_merged(s->ag));
    if (s->store) buf_printf(&b, "  state: %s\n", s->opt->state_dir);
    fputs(buf_cstr(&b), stderr);
    buf_free(&b);
}

static void teardown(struct scan *s) {
    for (unsigned i = 0; i < s->n_det; i++) s->det[i]->destroy(s->det_state[i]);
    for (int i = 0; i < s->n_in; i++) {
        if (s->in[i].dec) s->in[i].fmt->destroy(s->in[i].dec);
        framer_free(s->in[i].framer);
        reader_close(s->in[i].reader);
    }
    free(s->in);
    aggregator_free(s->ag);
    if (s->store) store_close(s->store);
    if (s->out && s->out != stdout) fclose(s->out);
    rejects_free(s->rj);
    if (s->intel) intel_free(s->intel);
    if (s->inventory) inventory_free(s->inventory);
    config_free(&s->cfg);
}

int scan_run(const struct scan_options *opt) {
    if (opt->n_inputs == 0) return usage_error("no input given (use - to read stdin)", NULL);
    struct scan s = { .opt = opt };
    s.ctx.watermark_us = TIME_NONE;
    s.t0 = now_s();
    int rc = open_everything(&s);
    if (!rc) rc = start_detectors(&s);
    if (rc) { teardown(&s); return rc; }
    jsonl_sink_init(&s.sink, s.out, s.store);
    s.ag = aggregator_new(&s.cfg, jsonl_sink_write, &s.sink);
    s.ctx.cfg = &s.cfg;
    s.ctx.alerts = s.ag;
    s.show_progress = s.cfg.progress && isatty(STDERR_FILENO) && !opt->quiet;
    if (s.store && store_begin(s.store) != 0) {
        fprintf(stderr, "vigil scan: cannot write state in %s: %s\n", opt->state_dir, store_errmsg(s.store));
        teardown(&s);
        return 2;
    }
    run_merge(&s);
    if (s.show_progress) progress(&s, true);
    jsonl_sink_fini(&s.sink);
    int save_rc = save_state(&s);
    if (!opt->quiet) summary(&s);
    teardown(&s);
    return save_rc ? 1 : 0;
}
