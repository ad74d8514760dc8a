/* vigil run, end to end:
 *
 *   UDP listeners (recvmmsg) ─┐
 *                             ├─> flow decoder ─> pipeline ─> JSON-lines alerts
 *   TCP listener (framing) ───┘   (one per UDP     (watermark,  (+ store, checkpoints)
 *                                  listener, one    detectors,
 *                                  per connection)  aggregator)
 *
 * One thread, one epoll set: the sockets, a signalfd for SIGINT, SIGTERM
 * and SIGUSR1, and a timeout for the wall-clock chores (stats, checkpoints,
 * idle watermark). */
#include "run.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "decode/decoder.h"
#include "decode/flow.h"
#include "input/listen.h"
#include "pipeline.h"
#include "sink/flowlog.h"
#include "util/buf.h"
#include "util/timeutil.h"

#define FLOW_FORMAT "ipfix"             /* decodes IPFIX, NetFlow v9 and v5 datagrams */
#define MAX_UDP 2
#define UDP_BATCHES_PER_WAKE 64         /* then the other sockets get their turn */
#define DRAIN_SECONDS 2.0               /* at stop: what the kernel holds, but not forever */
#define CHORE_MS 1000                   /* how often the idle watermark is looked at */

enum { TAG_SIGNAL, TAG_TCP, TAG_UDP };  /* TAG_UDP + index */

struct daemon;

struct udp_input {
    struct daemon *d;
    struct udp_listener *l;
    const char *key;                    /* the config key that asked for it */
    void *dec;
};

/* One IPFIX-over-TCP connection, with a decoder of its own for its
 * counters. Its templates are its own too: the shared template table
 * scopes them by the peer's address and port. (When it closes they stay
 * there until the table's LRU evicts them; the decoder API has no way to
 * drop one exporter's session.) */
struct tcp_session {
    struct daemon *d;
    void *dec;
    char peer[IP_STRLEN + 8];
    uint64_t messages, flows;
    struct tcp_session *prev, *next;
};

struct daemon {
    struct vigil_config cfg;
    const struct decoder_ops *fmt;
    struct rejects *rj;
    struct pipeline *pipe;
    struct udp_input udp[MAX_UDP];
    unsigned n_udp;
    struct tcp_listener *tcp;
    struct tcp_session *sessions;       /* open connections */
    struct flow_decoder_stats closed;   /* what the sessions that ended decoded */
    uint64_t closed_sessions;
    FILE *flow_log_file;                /* NULL: no flow log */
    struct flowlog flow_log;
    int ep, sig;
    uint64_t flows, late;
    int64_t last_flow_wall_us;          /* CLOCK_REALTIME of the last batch with flows */
    int64_t wm_at_last_flow;
    double t0, next_stats, next_checkpoint;
    int stop_signal;                    /* 0 while running */
};

static double mono_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int64_t wall_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * US_PER_SEC + ts.tv_nsec / 1000;
}

/* ---- decoding ----------------------------------------------------------- */

static uint64_t decode(struct daemon *d, void *dec, const struct record *rec) {
    struct event ev;
    uint64_t n = 0;
    d->fmt->begin(dec, rec);
    while (d->fmt->next(dec, &ev)) {
        n++;
        if (d->flow_log_file) flowlog_write(&d->flow_log, ev.u.flow);
        if (pipeline_event(d->pipe, &ev)) d->late++;
    }
    d->flows += n;
    return n;
}

static void on_datagram(void *ud, const struct record *rec) {
    struct udp_input *in = ud;
    decode(in->d, in->dec, rec);
}

static void *on_tcp_open(void *ud, const struct ipaddr *peer, uint16_t port) {
    struct daemon *d = ud;
    struct tcp_session *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->d = d;
    char ip[IP_STRLEN];
    ip_format(peer, ip);
    snprintf(s->peer, sizeof s->peer, strchr(ip, ':') ? "[%s]:%u" : "%s:%u", ip, port);
    /* the listener's name, not the peer's: the reject log keeps input
     * names for the whole run, and the listener outlives every session */
    s->dec = d->fmt->create(tcp_name(d->tcp), d->rj);
    s->next = d->sessions;
    if (d->sessions) d->sessions->prev = s;
    d->sessions = s;
    return s;
}

static void on_tcp_message(void *ud, void *conn, const struct record *rec) {
    struct tcp_session *s = conn;
    s->messages++;
    s->flows += decode(ud, s->dec, rec);
}

static void session_report(const struct daemon *d, const struct tcp_session *s, buf *b) {
    buf_printf(b, "  session from %s: %" PRIu64 " messages, %" PRIu64 " flows\n", s->peer, s->messages, s->flows);
    if (d->fmt->report) d->fmt->report(s->dec, b);
}

/* The counters of a session that ended go into the listener's totals. */
static void add_closed(struct daemon *d, const struct flow_decoder_stats *s) {
    struct flow_decoder_stats *t = &d->closed;
    t->messages_ipfix += s->messages_ipfix;
    t->messages_v9 += s->messages_v9;
    t->messages_v5 += s->messages_v5;
    t->flows += s->flows;
    t->templates += s->templates;
    t->sets_unknown_template += s->sets_unknown_template;
    t->lost_records += s->lost_records;
    t->lost_packets += s->lost_packets;
    d->closed_sessions++;
}

/* A session's report is told when it ends (unless the daemon is
 * stopping: the final counters list the sessions still open). */
static void on_tcp_close(void *ud, void *conn) {
    struct daemon *d = ud;
    struct tcp_session *s = conn;
    if (d->stop_signal == 0) {
        buf b;
        buf_init(&b);
        buf_printf(&b, "vigil run: %s: connection closed\n", tcp_name(d->tcp));
        session_report(d, s, &b);
        fputs(buf_cstr(&b), stderr);
        buf_free(&b);
    }
    add_closed(d, flow_decoder_stats(s->dec));
    if (s->prev) s->prev->next = s->next;
    else d->sessions = s->next;
    if (s->next) s->next->prev = s->prev;
    d->fmt->destroy(s->dec);
    free(s);
}

/* ---- counters ----------------------------------------------------------- */

static void print_stats(struct daemon *d, const char *headline) {
    buf b;
    buf_init(&b);
    buf_printf(&b, "vigil run: %s after %.1fs\n", headline, mono_s() - d->t0);
    for (unsigned i = 0; i < d->n_udp; i++) {
        const struct udp_stats *st = udp_stats(d->udp[i].l);
        buf_printf(&b, "  %s: %" PRIu64 " datagrams, %.1f MB, %" PRIu64 " dropped by the kernel (socket buffer full)",
                   udp_name(d->udp[i].l), st->datagrams, st->bytes / 1e6, st->kernel_drops);
        if (st->truncated) buf_printf(&b, ", %" PRIu64 " longer than 64 KiB skipped", st->truncated);
        buf_putc(&b, '\n');
        if (d->fmt->report) d->fmt->report(d->udp[i].dec, &b);
    }
    if (d->tcp) {
        const struct tcp_stats *st = tcp_stats(d->tcp);
        buf_printf(&b, "  %s: %" PRIu64 " messages, %.1f MB; connections: %" PRIu64 " accepted, %" PRIu64
                       " open, %" PRIu64 " refused (over run.max_tcp_connections), %" PRIu64
                       " closed as not IPFIX, %" PRIu64 " ended mid-message\n",
                   tcp_name(d->tcp), st->messages, st->bytes / 1e6, st->accepted, st->open, st->refused, st->garbage,
                   st->cut);
        for (const struct tcp_session *s = d->sessions; s; s = s->next) session_report(d, s, &b);
        const struct flow_decoder_stats *c = &d->closed;
        if (d->closed_sessions)
            buf_printf(&b, "  %" PRIu64 " closed sessions: %" PRIu64 " messages, %" PRIu64 " flows, %" PRIu64
                           " data sets without their template, lost by sequence gaps: %" PRIu64 " records\n",
                       d->closed_sessions, c->messages_ipfix + c->messages_v9 + c->messages_v5, c->flows,
                       c->sets_unknown_template, c->lost_records);
    }
    char wm[40] = "none yet";
    if (pipeline_watermark(d->pipe) != TIME_NONE) time_format(pipeline_watermark(d->pipe), wm, sizeof wm);
    buf_printf(&b, "  flows: %" PRIu64 " (%" PRIu64 " later than the allowed lateness, still analysed); watermark %s\n",
               d->flows, d->late, wm);
    if (d->flow_log_file)
        buf_printf(&b, "  flow log %s: %" PRIu64 " flows%s%s\n", d->cfg.run.flow_log, d->flow_log.written,
                   d->flow_log.write_error ? ", write failed: " : "",
                   d->flow_log.write_error ? strerror(d->flow_log.write_error) : "");
    rejects_summary(d->rj, &b);
    if (!rejects_total(d->rj)) buf_puts(&b, "  no records rejected\n");
    pipeline_report(d->pipe, &b);
    fputs(buf_cstr(&b), stderr);
    buf_free(&b);
}

/* ---- starting ----------------------------------------------------------- */

/* One line, and the exit status of a daemon that could not start. */
__attribute__((format(printf, 1, 2)))
static int fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("vigil run: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 2;
}

static int watch(struct daemon *d, int fd, uint32_t tag) {
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };
    return epoll_ctl(d->ep, EPOLL_CTL_ADD, fd, &ev);
}

static int open_udp(struct daemon *d, const char *key, const char *addr) {
    char err[512];
    if (!addr) return 0;
    struct udp_input *in = &d->udp[d->n_udp];
    if (!(in->l = udp_listen(addr, d->cfg.run.socket_buffer, err, sizeof err))) return fail("%s: %s", key, err);
    in->d = d;
    in->key = key;
    in->dec = d->fmt->create(udp_name(in->l), d->rj);
    d->n_udp++;
    watch(d, udp_fd(in->l), TAG_UDP + d->n_udp - 1);
    return 0;
}

static int open_listeners(struct daemon *d) {
    const struct vigil_config *c = &d->cfg;
    if (!c->run.ipfix_udp && !c->run.netflow_udp && !c->run.ipfix_tcp)
        return fail("nothing to listen on: run.ipfix_udp, run.netflow_udp and run.ipfix_tcp are all null");
    int rc = open_udp(d, "run.ipfix_udp", c->run.ipfix_udp);
    if (!rc) rc = open_udp(d, "run.netflow_udp", c->run.netflow_udp);
    if (rc || !c->run.ipfix_tcp) return rc;
    char err[512];
    struct tcp_handler h = { .open = on_tcp_open, .message = on_tcp_message, .close = on_tcp_close, .ud = d };
    if (!(d->tcp = tcp_listen(c->run.ipfix_tcp, c->run.max_tcp_connections, &h, d->rj, err, sizeof err)))
        return fail("run.ipfix_tcp: %s", err);
    watch(d, tcp_fd(d->tcp), TAG_TCP);
    return 0;
}

/* Signals arrive through a descriptor, in the loop, so that stopping is
 * ordinary code rather than work inside a handler. They are blocked
 * first, so one that comes during start-up waits for the loop. */
static int open_signals(struct daemon *d) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    if ((d->ep = epoll_create1(EPOLL_CLOEXEC)) < 0 || (d->sig = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
        return fail("cannot set up the event loop: %s", strerror(errno));
    watch(d, d->sig, TAG_SIGNAL);
    return 0;
}

static int open_pipeline(struct daemon *d) {
    const struct vigil_config *c = &d->cfg;
    struct pipeline_options po = {
        .who = "vigil run", .cfg = c, .state_dir = c->run.state,
        .out_path = c->run.alerts && strcmp(c->run.alerts, "-") != 0 ? c->run.alerts : NULL, .append = true,
        .intel = (const char *const *)c->run.intel.v, .n_intel = c->run.intel.n,
        .geoip = (const char *const *)c->run.geoip.v, .n_geoip = c->run.geoip.n,
        .inventory_path = c->run.inventory, .resume_watermark = true, .flush_each_alert = true,
    };
    return (d->pipe = pipeline_open(&po)) ? 0 : 2;
}

static int open_flow_log(struct daemon *d) {
    const char *path = d->cfg.run.flow_log;
    if (!path) return 0;
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "a");
    if (!f) return fail("run.flow_log: cannot write %s: %s", path, strerror(errno));
    d->flow_log_file = f;
    flowlog_init(&d->flow_log, f);
    return 0;
}

static int start(struct daemon *d, const char *config_path) {
    char err[512];
    d->ep = d->sig = -1;
    config_defaults(&d->cfg);
    if (config_path && config_load(&d->cfg, config_path, err, sizeof err) != 0) return fail("%s", err);
    if (!(d->fmt = format_find(FLOW_FORMAT)))
        return fail("this build has no flow decoder (format '%s'; it has: %s)", FLOW_FORMAT, format_names());
    d->rj = rejects_new(d->cfg.reject_report_limit, stderr);
    int rc = open_signals(d);
    /* sockets first: a port in use is found before any state is touched */
    if (!rc) rc = open_listeners(d);
    if (!rc) rc = open_flow_log(d);
    if (!rc) rc = open_pipeline(d);
    if (rc) return rc;
    for (unsigned i = 0; i < d->n_udp; i++) {
        fprintf(stderr, "vigil run: %s: listening on %s\n", d->udp[i].key, udp_name(d->udp[i].l));
        if (*udp_buffer_note(d->udp[i].l)) fprintf(stderr, "vigil run: %s\n", udp_buffer_note(d->udp[i].l));
    }
    if (d->tcp) fprintf(stderr, "vigil run: run.ipfix_tcp: listening on %s\n", tcp_name(d->tcp));
    d->t0 = mono_s();
    d->next_stats = d->t0 + (double)d->cfg.run.stats_interval_us / US_PER_SEC;
    d->next_checkpoint = d->t0 + (double)d->cfg.run.checkpoint_interval_us / US_PER_SEC;
    return 0;
}

static void stop(struct daemon *d) {
    tcp_close(d->tcp);                  /* calls on_tcp_close for each open session */
    for (unsigned i = 0; i < d->n_udp; i++) {
        d->fmt->destroy(d->udp[i].dec);
        udp_close(d->udp[i].l);
    }
    pipeline_close(d->pipe);
    if (d->flow_log_file) {
        flowlog_fini(&d->flow_log);
        if (d->flow_log_file != stdout) fclose(d->flow_log_file);
    }
    if (d->sig >= 0) close(d->sig);
    if (d->ep >= 0) close(d->ep);
    rejects_free(d->rj);
    config_free(&d->cfg);
}

/* ---- the loop ----------------------------------------------------------- */

static void on_signal(struct daemon *d) {
    struct signalfd_siginfo si;
    while (read(d->sig, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGUSR1) print_stats(d, "stats");
        else d->stop_signal = (int)si.ssi_signo;
    }
}

static void read_udp(struct udp_input *in) {
    for (int i = 0; i < UDP_BATCHES_PER_WAKE; i++) {
        int n = udp_receive(in->l, on_datagram, in);
        if (n == 0) return;
        if (n < 0) {
            fprintf(stderr, "vigil run: %s: %s\n", udp_name(in->l), strerror(errno));
            return;
        }
    }
}

/* A quiet network would hold every window open: once no flow has come
 * for run.idle_advance, event time is taken to pass as the wall clock
 * does, from where the flows left it, but never beyond the wall clock. */
static void advance_when_idle(struct daemon *d) {
    int64_t idle = d->cfg.run.idle_advance_us;
    if (idle <= 0 || d->last_flow_wall_us == 0) return;
    int64_t now = wall_us(), quiet = now - d->last_flow_wall_us;
    if (quiet < idle) return;
    int64_t target = d->wm_at_last_flow + quiet;
    pipeline_advance(d->pipe, target < now ? target : now);
}

static void chores(struct daemon *d) {
    double now = mono_s();
    /* a reader tailing the flow log sees each flow within a second */
    if (d->flow_log_file) flowlog_flush(&d->flow_log);
    if (d->cfg.run.stats_interval_us > 0 && now >= d->next_stats) {
        print_stats(d, "stats");
        d->next_stats = now + (double)d->cfg.run.stats_interval_us / US_PER_SEC;
    }
    if (d->cfg.run.checkpoint_interval_us > 0 && now >= d->next_checkpoint) {
        pipeline_checkpoint(d->pipe);
        d->next_checkpoint = now + (double)d->cfg.run.checkpoint_interval_us / US_PER_SEC;
    }
    advance_when_idle(d);
}

static int next_timeout_ms(const struct daemon *d) {
    double now = mono_s(), ms = CHORE_MS;
    if (d->cfg.run.stats_interval_us > 0 && (d->next_stats - now) * 1e3 < ms) ms = (d->next_stats - now) * 1e3;
    if (d->cfg.run.checkpoint_interval_us > 0 && (d->next_checkpoint - now) * 1e3 < ms)
        ms = (d->next_checkpoint - now) * 1e3;
    return ms < 0 ? 0 : (int)ms + 1;
}

static void serve(struct daemon *d) {
    struct epoll_event evs[8];
    while (!d->stop_signal) {
        int n = epoll_wait(d->ep, evs, 8, next_timeout_ms(d));
        uint64_t flows_before = d->flows;
        for (int i = 0; i < n; i++) {
            uint32_t tag = evs[i].data.u32;
            if (tag == TAG_SIGNAL) on_signal(d);
            else if (tag == TAG_TCP) tcp_service(d->tcp);
            else read_udp(&d->udp[tag - TAG_UDP]);
        }
        if (d->flows != flows_before) {
            d->last_flow_wall_us = wall_us();
            d->wm_at_last_flow = pipeline_watermark(d->pipe);
        }
        chores(d);
    }
}

/* What the kernel had already accepted when the signal came is read, so
 * that an exporter which finished just before the stop loses nothing. */
static void drain(struct daemon *d) {
    double until = mono_s() + DRAIN_SECONDS;
    bool more = true;
    while (more && mono_s() < until) {
        more = false;
        for (unsigned i = 0; i < d->n_udp; i++)
            if (udp_receive(d->udp[i].l, on_datagram, &d->udp[i]) > 0) more = true;
        if (d->tcp && tcp_service(d->tcp) > 0) more = true;
    }
}

int run_daemon(const char *config_path) {
    struct daemon d = { 0 };
    int rc = start(&d, config_path);
    if (rc) {
        stop(&d);
        return rc;
    }
    serve(&d);
    drain(&d);
    int save_rc = pipeline_finish(d.pipe);
    if (d.flow_log_file) flowlog_flush(&d.flow_log);
    char headline[64];
    snprintf(headline, sizeof headline, "stopped by %s", d.stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
    print_stats(&d, headline);
    stop(&d);
    return save_rc ? 1 : 0;
}
