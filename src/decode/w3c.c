/* W3C extended log files as IIS writes them: the HTTP logs of IIS and of
 * App Service (/home/LogFiles/http/RawLogs), and the IIS FTP service's
 * logs, into struct http_req or struct ftp_cmd.
 *
 * A file is directives (#Software, #Version, #Date, #Fields) and data
 * lines whose space-separated values follow the last #Fields. Real files
 * break that promise: IIS starts a new header block (with other fields)
 * when its configuration changes, lines written under an older block turn
 * up after a newer one, and a file cut out of a longer one has no
 * directives at all. So every layout seen in this input is kept, and a
 * line whose value count does not fit the current one is read with the
 * latest earlier layout of its count, else with a built-in IIS or App
 * Service layout of its count; a line no layout fits is rejected.
 *
 * FTP or HTTP is decided per layout: x-session is only written by the FTP
 * service, and so is a #Software naming it; a layout without either that
 * has no HTTP-only field reads a line whose cs-method is an FTP verb as an
 * FTP command. Times are UTC (IIS writes W3C logs in UTC). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decode/azlog.h"
#include "decode/decoder.h"
#include "decode/webreq.h"
#include "util/arena.h"
#include "util/timeutil.h"

static const char R_NO_LAYOUT[] = "W3C line whose value count fits no #Fields layout";
static const char R_TOO_MANY[] = "W3C line with more values than any layout";
static const char R_FIELDS[] = "W3C #Fields directive with too many fields";
static const char R_NO_TIME[] = "W3C line without a valid date and time";

/* IIS has about thirty fields; a layout or line with more is not W3C. */
#define W3C_MAX_FIELDS 64
/* Layouts remembered per input. IIS writes a new block per restart, most
 * with the same fields (kept once); more distinct ones than this is a
 * pathological input, and the oldest is forgotten. */
#define W3C_MAX_LAYOUTS 16

enum w3c_field {
    F_OTHER = 0,
    F_DATE, F_TIME, F_SITENAME, F_COMPUTERNAME, F_SIP, F_METHOD, F_STEM, F_QUERY, F_SPORT,
    F_USERNAME, F_CIP, F_CPORT, F_VERSION, F_UA, F_COOKIE, F_REFERER, F_HOST, F_STATUS,
    F_SUBSTATUS, F_WIN32, F_SCBYTES, F_CSBYTES, F_TIMETAKEN, F_XFF, F_SESSION, F_FULLPATH,
    F_COUNT
};

static const char *const field_names[F_COUNT] = {
    [F_DATE] = "date", [F_TIME] = "time", [F_SITENAME] = "s-sitename", [F_COMPUTERNAME] = "s-computername",
    [F_SIP] = "s-ip", [F_METHOD] = "cs-method", [F_STEM] = "cs-uri-stem", [F_QUERY] = "cs-uri-query",
    [F_SPORT] = "s-port", [F_USERNAME] = "cs-username", [F_CIP] = "c-ip", [F_CPORT] = "c-port",
    [F_VERSION] = "cs-version", [F_UA] = "cs(User-Agent)", [F_COOKIE] = "cs(Cookie)",
    [F_REFERER] = "cs(Referer)", [F_HOST] = "cs-host", [F_STATUS] = "sc-status",
    [F_SUBSTATUS] = "sc-substatus", [F_WIN32] = "sc-win32-status", [F_SCBYTES] = "sc-bytes",
    [F_CSBYTES] = "cs-bytes", [F_TIMETAKEN] = "time-taken", [F_XFF] = "X-Forwarded-For",
    [F_SESSION] = "x-session", [F_FULLPATH] = "x-fullpath",
};

struct w3c_layout {
    uint8_t n;                          /* values per line */
    uint8_t id[W3C_MAX_FIELDS];         /* enum w3c_field of each column */
    int8_t col[F_COUNT];                /* column of each field, -1 absent */
    bool ftp;                           /* x-session, or written by the FTP service */
    bool http_only;                     /* a field the FTP service never writes */
    uint64_t stamp;                     /* when its #Fields was last seen */
};

/* Layouts IIS and App Service write when nobody changed the field set,
 * for lines cut from a file whose directives were left behind. */
static const char *const builtin_specs[] = {
    /* IIS 7 default */
    "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) "
    "sc-status sc-substatus sc-win32-status time-taken",
    /* IIS 8.5 and later default */
    "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) "
    "sc-status sc-substatus sc-win32-status time-taken",
    /* that, with an X-Forwarded-For custom field behind a proxy */
    "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) "
    "sc-status sc-substatus sc-win32-status time-taken X-Forwarded-For",
    /* App Service RawLogs */
    "date time s-sitename cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Cookie) "
    "cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken",
    /* IIS with every standard field */
    "date time s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
    "cs-version cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes "
    "cs-bytes time-taken",
    /* that, with X-Forwarded-For */
    "date time s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
    "cs-version cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes "
    "cs-bytes time-taken X-Forwarded-For",
};
#define N_BUILTIN (sizeof builtin_specs / sizeof builtin_specs[0])

struct w3c_dec {
    const char *input;
    struct rejects *rj;
    arena mem;
    struct w3c_layout layouts[W3C_MAX_LAYOUTS];
    struct w3c_layout builtin[N_BUILTIN];
    unsigned n_layouts;
    uint64_t stamps;
    int current;                        /* index of the last #Fields, -1 none yet */
    bool software_ftp;                  /* the last #Software named the FTP service */
    char date[16];                      /* the last #Date's day, for layouts without date */
    /* the record */
    const struct record *rec;
    bool pending, is_ftp;
    int64_t time_us;
    struct http_req http;
    struct ftp_cmd ftp;
    /* counters */
    uint64_t events, requests, commands, directives, blank, earlier_layout, builtin_layout, evicted;
};

/* ---- layouts -------------------------------------------------------------- */

static enum w3c_field field_of(vstr name) {
    for (int f = 1; f < F_COUNT; f++)
        if (azlog_key_is(name, field_names[f])) return (enum w3c_field)f;
    return F_OTHER;
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

/* Split s at runs of blanks into at most max slices; the count, or max + 1
 * when there are more. */
static unsigned split(vstr s, vstr *out, unsigned max) {
    unsigned n = 0;
    size_t i = 0;
    while (i < s.n) {
        while (i < s.n && is_blank(s.p[i])) i++;
        if (i == s.n) break;
        size_t start = i;
        while (i < s.n && !is_blank(s.p[i])) i++;
        if (n == max) return max + 1;
        out[n++] = (vstr){ s.p + start, i - start };
    }
    return n;
}

static void layout_index(struct w3c_layout *l) {
    memset(l->col, -1, sizeof l->col);
    l->http_only = false;
    for (unsigned i = 0; i < l->n; i++) {
        enum w3c_field f = l->id[i];
        if (f != F_OTHER && l->col[f] < 0) l->col[f] = (int8_t)i;
        if (f == F_UA || f == F_COOKIE || f == F_REFERER || f == F_HOST || f == F_VERSION) l->http_only = true;
    }
    if (l->col[F_SESSION] >= 0) l->ftp = true;
}

static bool layout_same(const struct w3c_layout *a, const struct w3c_layout *b) {
    return a->n == b->n && a->ftp == b->ftp && memcmp(a->id, b->id, a->n) == 0;
}

/* Remember l as the current layout (once: a repeated header block renews
 * its earlier copy). Full: the layout seen longest ago gives way. */
static void layout_add(struct w3c_dec *d, const struct w3c_layout *l) {
    unsigned slot = 0;
    bool found = false;
    for (unsigned i = 0; i < d->n_layouts && !found; i++)
        if (layout_same(&d->layouts[i], l)) { slot = i; found = true; }
    if (!found && d->n_layouts < W3C_MAX_LAYOUTS) {
        slot = d->n_layouts++;
    } else if (!found) {
        for (unsigned i = 1; i < d->n_layouts; i++)
            if (d->layouts[i].stamp < d->layouts[slot].stamp) slot = i;
        d->evicted++;
    }
    if (!found) d->layouts[slot] = *l;
    d->layouts[slot].stamp = ++d->stamps;
    d->current = (int)slot;
}


static bool layout_parse(vstr names, struct w3c_layout *l) {
    vstr f[W3C_MAX_FIELDS];
    unsigned n = split(names, f, W3C_MAX_FIELDS);
    if (n > W3C_MAX_FIELDS) return false;
    memset(l, 0, sizeof *l);
    l->n = (uint8_t)n;
    for (unsigned i = 0; i < n; i++) l->id[i] = (uint8_t)field_of(f[i]);
    layout_index(l);
    return true;
}

static const struct w3c_layout *builtin_layout(const struct w3c_dec *d, unsigned n) {
    for (size_t i = 0; i < N_BUILTIN; i++)
        if (d->builtin[i].n == n) return &d->builtin[i];
    return NULL;
}

static bool builtin_count(unsigned n) {
    vstr f[W3C_MAX_FIELDS];
    for (size_t i = 0; i < N_BUILTIN; i++)
        if (split(vstr_c(builtin_specs[i]), f, W3C_MAX_FIELDS) == n) return true;
    return false;
}

static const struct w3c_layout *layout_for(struct w3c_dec *d, unsigned n) {
    if (d->current >= 0 && d->layouts[d->current].n == n) return &d->layouts[d->current];
    /* the latest earlier layout of that count */
    const struct w3c_layout *best = NULL;
    for (unsigned i = 0; i < d->n_layouts; i++)
        if (d->layouts[i].n == n && (!best || d->layouts[i].stamp > best->stamp)) best = &d->layouts[i];
    if (best) { d->earlier_layout++; return best; }
    const struct w3c_layout *b = builtin_layout(d, n);
    if (b) d->builtin_layout++;
    return b;
}

/* ---- directives ------------------------------------------------------------ */

static void directive(struct w3c_dec *d, vstr line) {
    d->directives++;
    if (vstr_prefix(line, "#Fields:")) {
        struct w3c_layout l;
        if (!layout_parse((vstr){ line.p + 8, line.n - 8 }, &l)) {
            rejects_add(d->rj, d->input, d->rec->offset, R_FIELDS, line);
            return;
        }
        if (d->software_ftp) l.ftp = true;
        layout_add(d, &l);
    } else if (vstr_prefix(line, "#Software:")) {
        d->software_ftp = vstr_contains_ci(line, VSTR("FTP"));
    } else if (vstr_prefix(line, "#Date:")) {
        vstr v = azlog_trim((vstr){ line.p + 6, line.n - 6 });
        size_t n = v.n < 10 ? v.n : 10;
        memcpy(d->date, v.p, n);
        d->date[n] = '\0';
    }
}

/* ---- data lines -------------------------------------------------------------- */

static vstr value(const struct w3c_layout *l, const vstr *v, enum w3c_field f) {
    return l->col[f] < 0 ? VSTR_NULL : webreq_dash(v[l->col[f]]);
}

static uint64_t number(const struct w3c_layout *l, const vstr *v, enum w3c_field f, uint64_t absent) {
    uint64_t n;
    return webreq_uint(value(l, v, f), &n) ? n : absent;
}

/* date and time columns (or #Date's day and a time column), UTC */
static bool line_time(const struct w3c_dec *d, const struct w3c_layout *l, const vstr *v, int64_t *out) {
    vstr date = value(l, v, F_DATE), time = value(l, v, F_TIME);
    if (!date.n) date = vstr_c(d->date);
    char t[48];
    if (!date.n || !time.n || date.n + time.n + 1 >= sizeof t) return false;
    memcpy(t, date.p, date.n);
    t[date.n] = ' ';
    memcpy(t + date.n + 1, time.p, time.n);
    return time_parse((vstr){ t, date.n + 1 + time.n }, out);
}

static bool ftp_verb(vstr m) {
    static const char *const verbs[] = {
        "USER", "PASS", "ACCT", "RETR", "STOR", "STOU", "APPE", "DELE", "RNFR", "RNTO", "CWD", "XCWD",
        "CDUP", "XCUP", "MKD", "XMKD", "RMD", "XRMD", "PWD", "XPWD", "LIST", "NLST", "MLSD", "MLST",
        "SIZE", "MDTM", "SITE", "SYST", "FEAT", "OPTS", "AUTH", "PBSZ", "PROT", "PASV", "EPSV", "PORT",
        "EPRT", "TYPE", "MODE", "STRU", "REST", "ABOR", "ALLO", "NOOP", "QUIT", "HELP", "STAT", "REIN",
        "CLNT", "HOST", "ControlChannelOpened", "ControlChannelClosed", "DataChannelOpened",
        "DataChannelClosed",
    };
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (azlog_key_is(m, verbs[i])) return true;
    return false;
}

static void fill_ftp(struct w3c_dec *d, const struct w3c_layout *l, const vstr *v) {
    struct ftp_cmd *c = &d->ftp;
    memset(c, 0, sizeof *c);
    c->site = value(l, v, F_SITENAME);
    if (!c->site.n) c->site = value(l, v, F_HOST);
    c->session = value(l, v, F_SESSION);
    c->verb = value(l, v, F_METHOD);
    c->arg = value(l, v, F_STEM);
    c->full_path = value(l, v, F_FULLPATH);
    c->user = value(l, v, F_USERNAME);
    c->protocol = VSTR("FTP");
    c->client_ip_text = value(l, v, F_CIP);
    if (c->client_ip_text.n) c->has_ip = azlog_parse_ip(c->client_ip_text, &c->client_ip);
    c->client_port = webreq_u16(number(l, v, F_CPORT, 0));
    vstr sip = value(l, v, F_SIP);
    if (sip.n) azlog_parse_ip(sip, &c->server_ip);
    c->server_port = webreq_u16(number(l, v, F_SPORT, 0));
    c->status = webreq_u16(number(l, v, F_STATUS, 0));
    c->win32_status = webreq_u32(number(l, v, F_WIN32, 0));
}

static void fill_http(struct w3c_dec *d, const struct w3c_layout *l, const vstr *v) {
    struct http_req *r = &d->http;
    webreq_init(r);
    r->site = value(l, v, F_HOST);
    if (!r->site.n) r->site = value(l, v, F_SITENAME);
    r->method = value(l, v, F_METHOD);
    r->uri_raw = value(l, v, F_STEM);
    r->query = value(l, v, F_QUERY);
    r->user_agent = webreq_plus_to_space(&d->mem, value(l, v, F_UA));
    r->referer = value(l, v, F_REFERER);
    r->username = value(l, v, F_USERNAME);
    r->client_ip_text = value(l, v, F_CIP);
    r->forwarded_for = value(l, v, F_XFF);
    r->status = webreq_u16(number(l, v, F_STATUS, 0));
    r->sub_status = webreq_u16(number(l, v, F_SUBSTATUS, 0));
    r->win32_status = webreq_u32(number(l, v, F_WIN32, 0));
    r->server_port = webreq_u16(number(l, v, F_SPORT, 0));
    uint64_t n;
    if (webreq_uint(value(l, v, F_SCBYTES), &n)) r->bytes_sent = webreq_i64(n);
    if (webreq_uint(value(l, v, F_CSBYTES), &n)) r->bytes_received = webreq_i64(n);
    if (webreq_uint(value(l, v, F_TIMETAKEN), &n)) r->time_taken_ms = webreq_i64(n);
    webreq_finish(r, &d->mem);
}

static void data_line(struct w3c_dec *d, vstr line) {
    vstr v[W3C_MAX_FIELDS];
    unsigned n = split(line, v, W3C_MAX_FIELDS);
    if (n > W3C_MAX_FIELDS) { rejects_add(d->rj, d->input, d->rec->offset, R_TOO_MANY, line); return; }
    if (n == 0) { d->blank++; return; }
    const struct w3c_layout *l = layout_for(d, n);
    if (!l) { rejects_add(d->rj, d->input, d->rec->offset, R_NO_LAYOUT, line); return; }
    int64_t t;
    if (!line_time(d, l, v, &t)) { rejects_add(d->rj, d->input, d->rec->offset, R_NO_TIME, line); return; }
    bool ftp = l->ftp || (!l->http_only && ftp_verb(value(l, v, F_METHOD)));
    if (ftp) fill_ftp(d, l, v);
    else fill_http(d, l, v);
    d->is_ftp = ftp;
    d->time_us = t;
    d->pending = true;
}

/* ---- decoder_ops ---------------------------------------------------------------- */

static void *w3c_create(const char *input_name, struct rejects *rj) {
    struct w3c_dec *d = calloc(1, sizeof *d);
    if (!d) abort();
    d->input = input_name;
    d->rj = rj;
    d->current = -1;
    for (size_t i = 0; i < N_BUILTIN; i++) layout_parse(vstr_c(builtin_specs[i]), &d->builtin[i]);
    arena_init(&d->mem, 4 * 1024);
    return d;
}

static void w3c_destroy(void *self) {
    struct w3c_dec *d = self;
    if (!d) return;
    arena_free(&d->mem);
    free(d);
}

static void w3c_begin(void *self, const struct record *rec) {
    struct w3c_dec *d = self;
    arena_reset(&d->mem);
    d->rec = rec;
    d->pending = false;
    vstr line = { rec->p, rec->len };
    /* a UTF-8 byte order mark before the first directive */
    if (rec->offset == 0 && vstr_prefix(line, "\xEF\xBB\xBF")) { line.p += 3; line.n -= 3; }
    while (line.n && (line.p[line.n - 1] == '\r' || line.p[line.n - 1] == '\n')) line.n--;
    if (line.n && line.p[0] == '#') directive(d, line);
    else data_line(d, line);
}

static int w3c_next(void *self, struct event *ev) {
    struct w3c_dec *d = self;
    if (!d->pending) return 0;
    d->pending = false;
    memset(ev, 0, sizeof *ev);
    ev->time_us = d->time_us;
    ev->layer = LAYER_APPSERVICE;
    ev->pos.input = d->input;
    ev->pos.offset = d->rec->offset;
    if (d->is_ftp) {
        ev->kind = EV_FTP_CMD;
        ev->u.ftp = &d->ftp;
        d->commands++;
    } else {
        ev->kind = EV_HTTP_REQ;
        ev->u.http = &d->http;
        d->requests++;
    }
    d->events++;
    return 1;
}

static uint64_t w3c_events(void *self) { return ((struct w3c_dec *)self)->events; }

static void w3c_report(void *self, buf *out) {
    struct w3c_dec *d = self;
    buf_printf(out, "  w3c: %" PRIu64 " HTTP requests, %" PRIu64 " FTP commands, %" PRIu64 " directives, %u layouts\n",
               d->requests, d->commands, d->directives, d->n_layouts);
    if (d->earlier_layout)
        buf_printf(out, "  %" PRIu64 " lines read with an earlier #Fields layout of their value count\n",
                   d->earlier_layout);
    if (d->builtin_layout)
        buf_printf(out, "  %" PRIu64 " lines read with a built-in IIS / App Service layout (no #Fields fits)\n",
                   d->builtin_layout);
    if (d->evicted) buf_printf(out, "  %" PRIu64 " layouts forgotten (more than %d distinct)\n", d->evicted, W3C_MAX_LAYOUTS);
    if (d->blank) buf_printf(out, "  %" PRIu64 " blank lines\n", d->blank);
}

static bool digits_at(vstr s, size_t i, size_t n) {
    if (i + n > s.n) return false;
    for (size_t k = 0; k < n; k++)
        if (s.p[i + k] < '0' || s.p[i + k] > '9') return false;
    return true;
}

/* "2018-01-01 09:10:11 " */
static bool w3c_stamp_at(vstr s) {
    return digits_at(s, 0, 4) && s.n > 20 && s.p[4] == '-' && digits_at(s, 5, 2) && s.p[7] == '-' &&
           digits_at(s, 8, 2) && s.p[10] == ' ' && digits_at(s, 11, 2) && s.p[13] == ':' && digits_at(s, 14, 2) &&
           s.p[16] == ':' && digits_at(s, 17, 2) && s.p[19] == ' ';
}

/* Directives name the format outright; without them, a first line that
 * starts with a W3C date and time and has a built-in layout's value count. */
static int w3c_sniff(vstr head) {
    if (vstr_prefix(head, "\xEF\xBB\xBF")) { head.p += 3; head.n -= 3; }
    if (vstr_prefix(head, "#Software:") || vstr_prefix(head, "#Fields:") || vstr_prefix(head, "#Version:") ||
        vstr_prefix(head, "#Date:"))
        return 95;
    if (!w3c_stamp_at(head)) return 0;
    const char *nl = memchr(head.p, '\n', head.n);
    vstr line = { head.p, nl ? (size_t)(nl - head.p) : head.n };
    while (line.n && line.p[line.n - 1] == '\r') line.n--;
    vstr v[W3C_MAX_FIELDS];
    unsigned n = split(line, v, W3C_MAX_FIELDS);
    return builtin_count(n) ? 70 : 0;
}

const struct decoder_ops w3c_decoder = {
    .name = "w3c",
    .description = "W3C extended logs as IIS writes them: IIS and App Service HTTP logs (RawLogs), IIS FTP logs",
    .layer = LAYER_APPSERVICE,
    .sniff = w3c_sniff,
    .create = w3c_create,
    .destroy = w3c_destroy,
    .begin = w3c_begin,
    .next = w3c_next,
    .report = w3c_report,
    .events = w3c_events,
};
