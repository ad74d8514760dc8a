/* The App Service layer: web-request, FTP and process analytics
 * (research/detections.md section 6, docs/APPSERVICE.md).
 *
 *   request -> client (X-Forwarded-For behind a trusted proxy) -> site profile
 *           -> at once: theme file called after the editor, PHP in an upload folder
 *           -> the client's window on the site (10 min): scanner-likeness,
 *              fingerprinting signals, sensitive pages from a new address,
 *              judged when the window closes
 *           -> the cross-site view (app_sweep.c)
 *   FTP line / publishing login -> from a malicious address? follow the session
 *   process start -> app_process.c
 *
 * Everything is on event time. What a site does during its first
 * learning_period (who uses its admin pages, which PHP files are called
 * directly) is learned as normal and kept in the store. Every list of
 * pages, agents and commands is data in the config, compiled once into
 * signature sets (detect/sigset.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "detect/app_internal.h"
#include "enrich/intel.h"
#include "store/store.h"
#include "util/hash.h"
#include "util/timeutil.h"

#define FTP_MAX_FILES 8
#define MAX_PATHS_PER_WINDOW 64         /* distinct paths counted exactly per client window */
#define MAX_VULN_PER_WINDOW 16

/* One client's requests to one site over client_window. */
struct client_win {
    uint64_t h;
    char site[APP_SITE_MAX];
    struct ipaddr ip;
    char ip_text[IP_STRLEN];
    int64_t start_us, last_us;
    uint32_t requests, counted, not_found, distinct;
    uint64_t path_h[MAX_PATHS_PER_WINDOW];
    char ua[APP_UA_MAX];
    /* scanner */
    bool scanner_ua;
    uint32_t n_vuln;
    uint64_t vuln_h[MAX_VULN_PER_WINDOW];
    bool served_vuln;
    char served_path[APP_PATH_MAX];
    uint16_t served_status;
    /* fingerprinting */
    bool fp_ua;
    uint32_t fp_requests, fp_probes, indicators;
    uint64_t probe_h[4];
    uint64_t cms_mask;
    /* sensitive pages from an address new to the site */
    uint32_t sens_count;
    char sens_statuses[64];
    uint32_t n_pos, n_sens_pos;
    /* Most clients of a site never do anything telling: the evidence lines
     * and the sensitive page's text are allocated for those who do. */
    struct win_evidence *ev;
};

struct win_evidence {
    char sens_path[APP_PATH_MAX];
    struct source_pos pos[APP_EVIDENCE];        /* the telling requests, in order */
    int64_t pos_t[APP_EVIDENCE];
    char pos_what[APP_EVIDENCE][APP_PATH_MAX + 40];
    struct source_pos sens_pos[APP_EVIDENCE];
    int64_t sens_t[APP_EVIDENCE];
    char sens_what[APP_EVIDENCE][APP_PATH_MAX + 40];
};

/* Site-wide facts that are not learned: the latest theme-editor use. */
struct site_mem {
    uint64_t h;
    char site[APP_SITE_MAX];
    int64_t last_us;
    int64_t editor_us;
    char editor_theme[64];
    char editor_client[IP_STRLEN];
    char editor_path[APP_PATH_MAX];
};

struct ftp_session {
    uint64_t h;
    char site[APP_SITE_MAX];
    char session[80];
    char ip_text[IP_STRLEN];
    char user[128];
    char login[64];                     /* "succeeded", "failed", "was not attempted" */
    char indicator[300];
    int64_t start_us, last_us;
    struct source_pos pos[APP_EVIDENCE];
    int64_t pos_t[APP_EVIDENCE];
    char pos_what[APP_EVIDENCE][APP_PATH_MAX + 40];
    uint32_t n_pos;
    char files[FTP_MAX_FILES][APP_PATH_MAX];
    uint32_t n_files, more_files;
    bool authenticated;
    bool transferred;
};

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p) { fputs("vigil: out of memory\n", stderr); abort(); }
    return p;
}

void app_copy(char *dst, size_t cap, vstr s) {
    size_t n = s.n < cap - 1 ? s.n : cap - 1;
    if (n) memcpy(dst, s.p, n);
    dst[n] = '\0';
}

static bool sig_hit(struct sigset *s, vstr text) { return text.n && sigset_first(s, text.p, text.n) >= 0; }

/* ---- addresses ---------------------------------------------------------------- */

static int parse_cidrs(const struct strlist *l, const char *key, struct cidr_list *out) {
    out->v = xcalloc(l->n, sizeof *out->v);
    for (size_t i = 0; i < l->n; i++) {
        struct cidr *c = &out->v[out->n];
        if (!ip_parse_cidr(l->v[i], strlen(l->v[i]), &c->net, &c->plen)) {
            if (!ip_parse(l->v[i], strlen(l->v[i]), &c->net)) {
                fprintf(stderr, "vigil: %s: '%s' is not an address or CIDR\n", key, l->v[i]);
                return -1;
            }
            c->plen = 128;
        }
        ip_mask(&c->net, c->plen);
        out->n++;
    }
    return 0;
}

static bool in_cidrs(const struct cidr_list *l, const struct ipaddr *ip) {
    for (size_t i = 0; i < l->n; i++) {
        struct ipaddr a = *ip;
        ip_mask(&a, l->v[i].plen);
        if (ip_eq(&a, &l->v[i].net)) return true;
    }
    return false;
}

/* Behind a trusted front door the client is the last X-Forwarded-For
 * address that is not itself a trusted proxy: the ones to its left were
 * written by the client and prove nothing. */
static bool client_of(const struct app_det *d, const struct http_req *r, struct ipaddr *ip) {
    if (!r->has_ip) return false;
    *ip = r->client_ip;
    if (!r->forwarded_for.n || !d->trusted_proxies.n || !in_cidrs(&d->trusted_proxies, ip)) return true;
    const char *p = r->forwarded_for.p, *end = p + r->forwarded_for.n;
    while (end > p) {
        const char *c = end;
        while (c > p && c[-1] != ',') c--;
        const char *s = c, *e = end;
        while (s < e && (*s == ' ' || *s == '"')) s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '"')) e--;
        struct ipaddr a;
        if (e > s && ip_parse(s, (size_t)(e - s), &a)) {
            *ip = a;
            if (!in_cidrs(&d->trusted_proxies, &a)) return true;
        }
        end = c > p ? c - 1 : p;
    }
    return true;
}

/* ---- profiles --------------------------------------------------------------------- */

int64_t app_profile_start(struct app_det *d, char kind, vstr name, int64_t t_us, bool *learning) {
    char key[APP_SITE_MAX + 4];
    size_t n = name.n > APP_SITE_MAX ? APP_SITE_MAX : name.n;
    key[0] = kind;
    key[1] = '\x1f';
    if (n) memcpy(key + 2, name.p, n);
    bool was_new;
    const struct seen_entry *e = seenset_touch(d->profiles, (vstr){ key, n + 2 }, t_us, &was_new);
    int64_t first = e->first_us < t_us ? e->first_us : t_us;
    *learning = t_us < first + d->cfg->appservice.learning_period_us;
    return first;
}

/* ---- per-client windows --------------------------------------------------------- */

static uint64_t cw_hash(const void *e) { return ((const struct client_win *)e)->h; }
static int64_t cw_last(const void *e) { return ((const struct client_win *)e)->last_us; }
struct cw_key { vstr site; const struct ipaddr *ip; };
static bool cw_matches(const void *e, const void *key) {
    const struct client_win *w = e;
    const struct cw_key *k = key;
    return ip_eq(&w->ip, k->ip) && strlen(w->site) == k->site.n && memcmp(w->site, k->site.p, k->site.n) == 0;
}
static void plain_free(void *e) { free(e); }
static void cw_free(void *e) {
    free(((struct client_win *)e)->ev);
    free(e);
}
static const struct ptable_ops client_ops = { cw_hash, cw_last, cw_matches, cw_free };

static struct win_evidence *evidence_of(struct client_win *w) {
    if (!w->ev) w->ev = xcalloc(1, sizeof *w->ev);
    return w->ev;
}

static uint64_t site_client_hash(vstr site, const struct ipaddr *ip) {
    return hash_mix(hash_vstr(site, 0x6170) ^ ip_hash(ip, 0x7769)) | 1;
}

static void judge_window(struct app_det *d, struct client_win *w);

static struct client_win *client_window(struct app_det *d, vstr site, const struct ipaddr *ip, const char *client,
                                        int64_t t_us) {
    if (site.n >= APP_SITE_MAX) site.n = APP_SITE_MAX - 1;
    struct cw_key k = { site, ip };
    uint64_t h = site_client_hash(site, ip);
    struct client_win *w = ptable_find(&d->clients, h, &k);
    if (w && t_us >= w->start_us + d->cfg->appservice.client_window_us) {
        judge_window(d, w);
        struct client_win keep = *w;
        free(w->ev);
        memset(w, 0, sizeof *w);
        w->h = keep.h;
        memcpy(w->site, keep.site, sizeof w->site);
        w->ip = keep.ip;
        memcpy(w->ip_text, keep.ip_text, sizeof w->ip_text);
        w->start_us = t_us;
    }
    if (!w) {
        w = xcalloc(1, sizeof *w);
        w->h = h;
        app_copy(w->site, sizeof w->site, site);
        w->ip = *ip;
        memcpy(w->ip_text, client, sizeof w->ip_text);
        w->start_us = t_us;
        ptable_insert(&d->clients, w, h);
    }
    w->last_us = t_us;
    return w;
}

/* "GET /path -> 404": what an evidence line says about a request */
static void request_text(char *out, size_t cap, const struct http_req *r) {
    snprintf(out, cap, "%.*s %.*s -> %u", (int)(r->method.n > 10 ? 10 : r->method.n), r->method.p,
             (int)(r->uri_raw.n > APP_PATH_MAX ? APP_PATH_MAX : r->uri_raw.n), r->uri_raw.p, r->status);
}

static void note_evidence(struct client_win *w, const struct event *ev, const struct http_req *r) {
    if (w->n_pos >= APP_EVIDENCE) return;
    struct win_evidence *e = evidence_of(w);
    e->pos[w->n_pos] = ev->pos;
    e->pos_t[w->n_pos] = ev->time_us;
    request_text(e->pos_what[w->n_pos], sizeof e->pos_what[0], r);
    w->n_pos++;
}

/* Exact distinct counting up to the array's size; a client past it is
 * spread over many paths whatever the exact number. */
static bool add_hash(uint64_t *set, uint32_t *n, uint32_t cap, uint64_t h) {
    for (uint32_t i = 0; i < *n && i < cap; i++)
        if (set[i] == h) return false;
    if (*n < cap) set[*n] = h;
    (*n)++;
    return true;
}

/* ---- alerts about a client on a site --------------------------------------------------- */

static struct alert *client_alert(const char *type, const struct client_win *w, int64_t t_us,
                                  const struct source_pos *pos) {
    struct event at = { .time_us = t_us, .layer = LAYER_APPSERVICE, .kind = EV_HTTP_REQ, .pos = *pos };
    struct alert *a = alert_new(type, &at);
    vstr site = vstr_c(w->site), ip = vstr_c(w->ip_text);
    alert_entity(a, site);
    alert_entity_str(a, "host", site);
    alert_entity_strs(a, "ip", &ip, 1);
    alert_var(a, "site", site);
    alert_var(a, "client_ip", ip);
    return a;
}

static void window_evidence(struct alert *a, const struct client_win *w) {
    for (uint32_t i = 0; i < w->n_pos; i++) {
        struct event at = { .time_us = w->ev->pos_t[i], .pos = w->ev->pos[i] };
        alert_evidence(a, &at, vstr_c(w->ev->pos_what[i]));
    }
}

static void put_uint(struct alert *a, const char *var, uint64_t v) {
    char s[24];
    snprintf(s, sizeof s, "%" PRIu64, v);
    alert_var(a, var, vstr_c(s));
}

static void judge_fingerprinting(struct app_det *d, const struct client_win *w) {
    const struct appservice_config *c = &d->cfg->appservice;
    unsigned n_cms = (unsigned)__builtin_popcountll(w->cms_mask);
    bool guess = w->indicators >= c->fingerprint_min_indicators && n_cms >= c->fingerprint_min_cms;
    bool probes = w->fp_probes >= 2;
    if (!w->fp_ua && !probes && !guess) return;
    char signals[400] = "";
    size_t o = 0;
    if (w->fp_ua) o += (size_t)snprintf(signals + o, sizeof signals - o, "BlindElephant's user agent");
    if (probes)
        o += (size_t)snprintf(signals + o, sizeof signals - o, "%s%u custom-404 probes (/should/not/exist.*)",
                              o ? "; " : "", w->fp_probes);
    if (guess && o < sizeof signals) {
        o += (size_t)snprintf(signals + o, sizeof signals - o, "%s%u indicator files of %u applications (", o ? "; " : "",
                              w->indicators, n_cms);
        bool first = true;
        for (unsigned i = 0; i < d->sig.n_cms && o < sizeof signals; i++)
            if (w->cms_mask >> i & 1) {
                o += (size_t)snprintf(signals + o, sizeof signals - o, "%s%s", first ? "" : ", ", d->sig.cms_names[i]);
                first = false;
            }
        if (o < sizeof signals) snprintf(signals + o, sizeof signals - o, ")");
    }
    struct alert *a = client_alert("app.web.fingerprinting", w, w->ev->pos_t[0], &w->ev->pos[0]);
    put_uint(a, "count", w->fp_requests);
    alert_var(a, "signals", vstr_c(signals));
    alert_prop_bool(a, "user_agent_match", w->fp_ua);
    alert_prop_int(a, "not_exist_probes", w->fp_probes);
    alert_prop_int(a, "indicator_files", w->indicators);
    alert_prop_int(a, "applications", n_cms);
    alert_prop_int(a, "threshold_indicator_files", c->fingerprint_min_indicators);
    alert_prop_int(a, "threshold_applications", c->fingerprint_min_cms);
    alert_prop_str(a, "user_agent", vstr_c(w->ua));
    window_evidence(a, w);
    alert_emit(d->ctx->alerts, a);
}

/* Scanner-like (many 404s over many paths, a scanner's agent, or several
 * vulnerable pages probed) and actually served one of them. */
static void judge_scan(struct app_det *d, const struct client_win *w) {
    const struct appservice_config *c = &d->cfg->appservice;
    if (!w->served_vuln) return;
    bool ratio = w->counted >= c->scan_min_requests &&
                 (uint64_t)w->not_found * 100 >= (uint64_t)w->counted * c->scan_min_not_found_percent;
    bool many_vuln = w->n_vuln >= c->scan_min_vulnerable;
    if (!ratio && !w->scanner_ua && !many_vuln) return;
    struct alert *a = client_alert("app.web.vulnerable_page_scan", w, w->ev->pos_t[0], &w->ev->pos[0]);
    put_uint(a, "count", w->requests);
    put_uint(a, "not_found", w->not_found);
    put_uint(a, "status", w->served_status);
    alert_var(a, "path", vstr_c(w->served_path));
    alert_var(a, "user_agent", vstr_c(w->ua[0] ? w->ua : "(none)"));
    alert_prop_int(a, "requests", w->requests);
    alert_prop_int(a, "not_found", w->not_found);
    alert_prop_int(a, "distinct_paths", w->distinct);
    alert_prop_int(a, "vulnerable_pages_probed", w->n_vuln);
    alert_prop_bool(a, "scanner_user_agent", w->scanner_ua);
    char why[200];
    snprintf(why, sizeof why, "%s%s%s", ratio ? "404 ratio;" : "", w->scanner_ua ? "scanner user agent;" : "",
             many_vuln ? "vulnerable pages probed;" : "");
    alert_prop_str(a, "scanner_signals", vstr_c(why));
    alert_prop_int(a, "threshold_requests", c->scan_min_requests);
    alert_prop_int(a, "threshold_not_found_percent", c->scan_min_not_found_percent);
    alert_prop_int(a, "threshold_vulnerable_pages", c->scan_min_vulnerable);
    window_evidence(a, w);
    alert_emit(d->ctx->alerts, a);
}

static void judge_sensitive(struct app_det *d, const struct client_win *w) {
    if (!w->sens_count) return;
    struct alert *a = client_alert("app.sensitive_page.anomalous_ip", w, w->ev->sens_t[0], &w->ev->sens_pos[0]);
    put_uint(a, "count", w->sens_count);
    alert_var(a, "path", vstr_c(w->ev->sens_path));
    alert_var(a, "user_agent", vstr_c(w->ua[0] ? w->ua : "(none)"));
    alert_prop_int(a, "requests", w->sens_count);
    alert_prop_str(a, "statuses", vstr_c(w->sens_statuses));
    alert_prop_str(a, "first_request", vstr_c(w->ev->sens_path));
    char lb[32];
    snprintf(lb, sizeof lb, "%" PRId64 "d", d->cfg->appservice.lookback_us / US_PER_DAY);
    alert_prop_str(a, "not_seen_within", vstr_c(lb));
    for (uint32_t i = 0; i < w->n_sens_pos; i++) {
        struct event at = { .time_us = w->ev->sens_t[i], .pos = w->ev->sens_pos[i] };
        alert_evidence(a, &at, vstr_c(w->ev->sens_what[i]));
    }
    alert_emit(d->ctx->alerts, a);
}

static void judge_window(struct app_det *d, struct client_win *w) {
    d->windows_judged++;
    if (!w->n_pos && !w->sens_count) return;
    judge_fingerprinting(d, w);
    judge_scan(d, w);
    judge_sensitive(d, w);
}

/* ---- sensitive pages --------------------------------------------------------------------- */

static bool is_sensitive(struct app_det *d, const struct http_req *r) {
    if (r->scm && vstr_prefix(r->path, "/api/")) return true;     /* Kudu: deployment, command, files */
    return sig_hit(d->sig.sensitive, r->path) && !sig_hit(d->sig.sensitive_exc, r->path);
}

static int visitor_keys(vstr site, const struct ipaddr *ip, char key[][APP_SITE_MAX + IP_STRLEN + 8]) {
    char t[IP_STRLEN];
    ip_format(ip, t);
    snprintf(key[0], sizeof key[0], "%.*s\x1f%s", (int)site.n, site.p, t);
    struct ipaddr net = *ip;
    ip_mask(&net, ip_is_v4(ip) ? 120 : 64);         /* a /24, or an IPv6 /64 */
    ip_format(&net, t);
    snprintf(key[1], sizeof key[1], "%.*s\x1fnet %s", (int)site.n, site.p, t);
    return 2;
}

static void check_sensitive(struct app_det *d, struct client_win *w, const struct event *ev, const struct http_req *r,
                            vstr site, bool learning) {
    if (!is_sensitive(d, r) || r->status == 404) return;
    char key[2][APP_SITE_MAX + IP_STRLEN + 8];
    visitor_keys(site, &w->ip, key);
    int64_t since = ev->time_us - d->cfg->appservice.lookback_us;
    int64_t prev_ip, prev_net;
    seenset_touch_prev(d->sensitive_seen, vstr_c(key[0]), ev->time_us, &prev_ip);
    seenset_touch_prev(d->sensitive_seen, vstr_c(key[1]), ev->time_us, &prev_net);
    /* An address known in this window (its first request here opened the
     * pending alert) keeps counting into that alert. */
    bool known = prev_ip >= since || prev_net >= since;
    if (learning) { d->learning++; return; }
    if (known && !w->sens_count) return;
    struct win_evidence *e = evidence_of(w);
    if (!w->sens_count) app_copy(e->sens_path, sizeof e->sens_path, r->path);
    w->sens_count++;
    char st[8];
    snprintf(st, sizeof st, "%u", r->status);
    if (!strstr(w->sens_statuses, st) && strlen(w->sens_statuses) + strlen(st) + 2 < sizeof w->sens_statuses) {
        if (w->sens_statuses[0]) strcat(w->sens_statuses, ",");
        strcat(w->sens_statuses, st);
    }
    if (w->n_sens_pos < APP_EVIDENCE) {
        e->sens_pos[w->n_sens_pos] = ev->pos;
        e->sens_t[w->n_sens_pos] = ev->time_us;
        request_text(e->sens_what[w->n_sens_pos++], sizeof e->sens_what[0], r);
    }
}

/* ---- PHP files called directly: themes and upload folders ------------------------------------- */

/* Learning: which PHP files a site's visitors call directly. A file called
 * by direct_min_clients different clients before the cut-off is part of the
 * site (a theme's AJAX endpoint, a plugin's index.php guard). */
static bool direct_learned(struct app_det *d, vstr site, vstr path, const struct ipaddr *ip, bool learning,
                           int64_t t_us) {
    char key[APP_SITE_MAX + APP_PATH_MAX + IP_STRLEN + 4];
    int n = snprintf(key, sizeof key, "%.*s\x1f%.*s", (int)site.n, site.p,
                     (int)(path.n > APP_PATH_MAX ? APP_PATH_MAX : path.n), path.p);
    vstr pk = { key, (size_t)n };
    if (learning) {
        char ck[sizeof key + IP_STRLEN + 2];
        char t[IP_STRLEN];
        ip_format(ip, t);
        int m = snprintf(ck, sizeof ck, "%s\x1f%s", key, t);
        bool was_new;
        seenset_touch(d->direct_clients, (vstr){ ck, (size_t)m }, t_us, &was_new);
        if (was_new) seenset_touch(d->direct_paths, pk, t_us, &was_new);
        return true;
    }
    const struct seen_entry *e = seenset_get(d->direct_paths, pk);
    return e && e->count >= (int64_t)d->cfg->appservice.direct_min_clients;
}

static struct site_mem *site_mem_of(struct app_det *d, vstr site, bool create, int64_t t_us);

/* /wp-content/themes/<theme>/<file>.php */
static bool theme_php(vstr path, vstr *theme) {
    static const char pre[] = "/wp-content/themes/";
    size_t pl = sizeof pre - 1;
    if (path.n <= pl || !vstr_eq_ci((vstr){ path.p, pl }, (vstr){ pre, pl })) return false;
    const char *t = path.p + pl, *e = path.p + path.n;
    const char *slash = memchr(t, '/', (size_t)(e - t));
    if (!slash || slash == t) return false;
    *theme = (vstr){ t, (size_t)(slash - t) };
    return path.n > 4 && vstr_eq_ci((vstr){ e - 4, 4 }, VSTR(".php"));
}

/* query "file=...&theme=twentytwenty" -> the theme, if named */
static vstr query_param(vstr q, const char *name) {
    size_t nl = strlen(name);
    const char *p = q.p, *e = q.p + q.n;
    while (p < e) {
        const char *amp = memchr(p, '&', (size_t)(e - p));
        const char *end = amp ? amp : e;
        if ((size_t)(end - p) > nl && p[nl] == '=' && vstr_eq_ci((vstr){ p, nl }, (vstr){ name, nl }))
            return (vstr){ p + nl + 1, (size_t)(end - p - (ptrdiff_t)nl - 1) };
        p = end + 1;
    }
    return (vstr){ "", 0 };
}

/* The editor: theme-editor.php (viewing or saving a file), or the AJAX
 * save that WordPress 4.9+ does from that page. */
static void note_theme_editor(struct app_det *d, const struct event *ev, const struct http_req *r, vstr site,
                              const char *client) {
    bool editor = vstr_suffix(r->path, "/wp-admin/theme-editor.php");
    bool ajax_save = vstr_suffix(r->path, "/wp-admin/admin-ajax.php") && vstr_eq_ci(r->method, VSTR("POST")) &&
                     vstr_contains_ci(r->referer, VSTR("theme-editor.php"));
    if (!editor && !ajax_save) return;
    if (r->status >= 400) return;
    struct site_mem *s = site_mem_of(d, site, true, ev->time_us);
    s->editor_us = ev->time_us;
    vstr q = editor ? r->query : r->referer;
    const char *qm = memchr(q.p, '?', q.n);
    if (!editor && qm) q = (vstr){ qm + 1, q.n - (size_t)(qm + 1 - q.p) };
    app_copy(s->editor_theme, sizeof s->editor_theme, query_param(q, "theme"));
    app_copy(s->editor_client, sizeof s->editor_client, vstr_c(client));
    app_copy(s->editor_path, sizeof s->editor_path, r->uri_raw);
}

static void request_evidence(struct alert *a, const struct event *ev, const struct http_req *r) {
    char s[APP_PATH_MAX + 120];
    snprintf(s, sizeof s, "%.*s %.*s%s%.*s -> %u", (int)(r->method.n > 10 ? 10 : r->method.n), r->method.p,
             (int)(r->uri_raw.n > APP_PATH_MAX ? APP_PATH_MAX : r->uri_raw.n), r->uri_raw.p, r->query.n ? "?" : "",
             (int)(r->query.n > 80 ? 80 : r->query.n), r->query.p, r->status);
    alert_evidence(a, ev, vstr_c(s));
}

static struct alert *request_alert(const char *type, const struct event *ev, const struct http_req *r, vstr site,
                                   const char *client) {
    struct alert *a = alert_new(type, ev);
    alert_entity(a, site);
    alert_entity_str(a, "host", site);
    vstr ip = vstr_c(client);
    alert_entity_strs(a, "ip", &ip, 1);
    alert_var(a, "site", site);
    alert_var(a, "client_ip", ip);
    alert_var(a, "path", r->path);
    put_uint(a, "status", r->status);
    alert_var(a, "user_agent", r->user_agent.n ? r->user_agent : VSTR("(none)"));
    alert_prop_str(a, "uri_raw", r->uri_raw);
    if (r->query.n) alert_prop_str(a, "query", r->query);
    request_evidence(a, ev, r);
    return a;
}

static void check_theme(struct app_det *d, const struct event *ev, const struct http_req *r, vstr site,
                        const struct ipaddr *ip, const char *client, bool learning) {
    vstr theme;
    if (!theme_php(r->path, &theme)) return;
    bool command = r->query.n && sig_hit(d->sig.cmd_params, r->query);
    if (r->status != 200 && !command) return;
    bool learned = r->status == 200 && direct_learned(d, site, r->path, ip, learning, ev->time_us);
    struct site_mem *s = site_mem_of(d, site, false, ev->time_us);
    bool after_edit = s && s->editor_us && ev->time_us - s->editor_us <= d->cfg->appservice.theme_window_us &&
                      ev->time_us >= s->editor_us &&
                      (!s->editor_theme[0] || vstr_eq_ci(theme, vstr_c(s->editor_theme)));
    if (!after_edit && (learning || learned)) return;
    char context[APP_PATH_MAX + 160];
    if (after_edit)
        snprintf(context, sizeof context, "%" PRId64 " minutes after %s used the theme editor (%s)",
                 (ev->time_us - s->editor_us) / US_PER_MIN, s->editor_client, s->editor_path);
    else
        snprintf(context, sizeof context, "a theme file this site's visitors never called directly while it was "
                                          "learned%s",
                 command ? ", with a command in the query" : "");
    struct alert *a = request_alert("app.wordpress.theme_invocation", ev, r, site, client);
    alert_var(a, "context", vstr_c(context));
    alert_prop_str(a, "theme", theme);
    alert_prop_bool(a, "after_theme_editor", after_edit);
    alert_prop_bool(a, "command_in_query", command);
    if (after_edit) {
        alert_prop_str(a, "editor_request", vstr_c(s->editor_path));
        alert_prop_str(a, "editor_client", vstr_c(s->editor_client));
        alert_prop_int(a, "minutes_after_edit", (ev->time_us - s->editor_us) / US_PER_MIN);
    }
    alert_emit(d->ctx->alerts, a);
}

/* In an upload folder and executable by PHP. IIS's "shell.php;.jpg" is cut
 * at ';' by the normalisation, so it is seen as the .php it runs as. */
static void check_upload(struct app_det *d, const struct event *ev, const struct http_req *r, vstr site,
                         const struct ipaddr *ip, const char *client, bool learning) {
    if (!sig_hit(d->sig.upload, r->path) || !sig_hit(d->sig.php_ext, r->path)) return;
    if (r->status == 404) return;       /* not there: a probe, which the scan analytics judge */
    bool learned = direct_learned(d, site, r->path, ip, learning, ev->time_us);
    bool command = r->query.n && sig_hit(d->sig.cmd_params, r->query);
    bool guard = vstr_eq_ci(vstr_basename(r->path), VSTR("index.php")) && !r->query.n && r->bytes_sent >= 0 &&
                 r->bytes_sent <= (int64_t)d->cfg->appservice.upload_guard_max_bytes;
    if (!command && (learned || guard)) return;
    struct alert *a = request_alert("app.upload.php_file", ev, r, site, client);
    alert_prop_bool(a, "served", r->status >= 200 && r->status < 300);
    alert_prop_bool(a, "command_in_query", command);
    if (r->bytes_sent >= 0) alert_prop_int(a, "bytes_sent", r->bytes_sent);
    alert_emit(d->ctx->alerts, a);
}

/* ---- the client's window ------------------------------------------------------------------- */

static void account_request(struct app_det *d, struct client_win *w, const struct event *ev, const struct http_req *r) {
    w->requests++;
    if (!w->ua[0] && r->user_agent.n) app_copy(w->ua, sizeof w->ua, r->user_agent);
    bool stat = sig_hit(d->sig.static_ext, r->path);
    if (!stat || r->status != 404) {
        w->counted++;
        if (r->status == 404) w->not_found++;
    }
    add_hash(w->path_h, &w->distinct, MAX_PATHS_PER_WINDOW, hash_vstr(r->path, 0x70));
    bool telling = false;
    if (r->user_agent.n && sig_hit(d->sig.scanner_ua, r->user_agent)) w->scanner_ua = telling = true;
    /* the query too: traversal and expression-language payloads ride in it */
    if (sig_hit(d->sig.vulnerable, r->path) || sig_hit(d->sig.vulnerable, r->query)) {
        add_hash(w->vuln_h, &w->n_vuln, MAX_VULN_PER_WINDOW, hash_vstr(r->path, 0x76));
        telling = true;
        if (r->status >= 200 && r->status < 300 && !w->served_vuln) {
            w->served_vuln = true;
            w->served_status = r->status;
            app_copy(w->served_path, sizeof w->served_path, r->path);
        }
    }
    if (r->user_agent.n && sig_hit(d->sig.fp_ua, r->user_agent)) w->fp_ua = telling = true;
    if (sig_hit(d->sig.fp_probe, r->path)) {
        uint32_t n = w->fp_probes;
        add_hash(w->probe_h, &n, 4, hash_vstr(r->path, 0x50));
        w->fp_probes = n;
        telling = true;
    }
    int cms = r->path.n ? sigset_first(d->sig.cms, r->path.p, r->path.n) : -1;
    if (cms >= 0) {
        w->indicators++;
        w->cms_mask |= UINT64_C(1) << d->sig.cms_of[cms];
        telling = true;
    }
    if (w->fp_ua || telling) w->fp_requests++;
    if (telling) note_evidence(w, ev, r);
}

/* ---- site memory (theme editor) ---------------------------------------------------------------- */

static uint64_t sm_hash(const void *e) { return ((const struct site_mem *)e)->h; }
static int64_t sm_last(const void *e) { return ((const struct site_mem *)e)->last_us; }
static bool sm_matches(const void *e, const void *key) {
    const vstr *k = key;
    const struct site_mem *s = e;
    return strlen(s->site) == k->n && memcmp(s->site, k->p, k->n) == 0;
}
static const struct ptable_ops site_ops = { sm_hash, sm_last, sm_matches, plain_free };

static struct site_mem *site_mem_of(struct app_det *d, vstr site, bool create, int64_t t_us) {
    if (site.n >= APP_SITE_MAX) site.n = APP_SITE_MAX - 1;
    uint64_t h = hash_vstr(site, 0x5173) | 1;
    struct site_mem *s = ptable_find(&d->sites, h, &site);
    if (!s && create) {
        s = xcalloc(1, sizeof *s);
        s->h = h;
        app_copy(s->site, sizeof s->site, site);
        ptable_insert(&d->sites, s, h);
    }
    if (s) s->last_us = t_us;
    return s;
}

/* ---- one request ------------------------------------------------------------------------------------ */

static vstr site_of(const struct event *ev, vstr site) {
    if (site.n) return site;
    /* A combined log without a virtual host names no site: the file does. */
    vstr in = vstr_basename(vstr_c(ev->pos.input));
    return in.n ? in : VSTR("(unnamed site)");
}

static void on_http(struct app_det *d, const struct event *ev) {
    const struct http_req *r = ev->u.http;
    d->requests++;
    struct ipaddr ip;
    if (!client_of(d, r, &ip)) { d->no_client++; return; }
    if (in_cidrs(&d->trusted_clients, &ip)) { d->trusted++; return; }
    vstr site = site_of(ev, r->site);
    if (site.n >= APP_SITE_MAX) site.n = APP_SITE_MAX - 1;
    bool learning;
    app_profile_start(d, 's', site, ev->time_us, &learning);
    char client[IP_STRLEN];
    if (ip_eq(&ip, &r->client_ip) && r->client_ip_text.n < IP_STRLEN)
        app_copy(client, sizeof client, r->client_ip_text);         /* as logged: no formatting per request */
    else
        ip_format(&ip, client);

    note_theme_editor(d, ev, r, site, client);
    check_theme(d, ev, r, site, &ip, client, learning);
    check_upload(d, ev, r, site, &ip, client, learning);

    struct client_win *w = client_window(d, site, &ip, client, ev->time_us);
    account_request(d, w, ev, r);
    check_sensitive(d, w, ev, r, site, learning);
    /* a request line that was no request (TLS bytes, "-") has no path to compare */
    if (r->path.n && !sig_hit(d->sig.static_ext, r->path)) sweep_note(d->sweep, d, ev, site, &ip, r->path);
}

/* ---- FTP -------------------------------------------------------------------------------------------- */

static uint64_t fs_hash(const void *e) { return ((const struct ftp_session *)e)->h; }
static int64_t fs_last(const void *e) { return ((const struct ftp_session *)e)->last_us; }
static bool fs_matches(const void *e, const void *key) { return ((const struct ftp_session *)e)->h == *(const uint64_t *)key; }
static const struct ptable_ops ftp_ops = { fs_hash, fs_last, fs_matches, plain_free };

static void emit_ftp(struct app_det *d, const struct ftp_session *s) {
    struct event at = { .time_us = s->start_us, .layer = LAYER_APPSERVICE, .kind = EV_FTP_CMD, .pos = s->pos[0] };
    struct alert *a = alert_new("app.ftp.threat_intel_ip", &at);
    vstr site = vstr_c(s->site), ip = vstr_c(s->ip_text);
    alert_entity(a, site);
    alert_entity_str(a, "host", site);
    alert_entity_strs(a, "ip", &ip, 1);
    if (s->user[0]) alert_entity_str(a, "account", vstr_c(s->user));
    alert_var(a, "site", site);
    alert_var(a, "client_ip", ip);
    alert_var(a, "indicator", vstr_c(s->indicator));
    alert_var(a, "ftp_user", vstr_c(s->user[0] ? s->user : "(none)"));
    alert_var(a, "login", vstr_c(s->login[0] ? s->login : "was not attempted"));
    char files[FTP_MAX_FILES * (APP_PATH_MAX + 2) + 32] = "";
    size_t o = 0;
    for (uint32_t i = 0; i < s->n_files; i++)
        o += (size_t)snprintf(files + o, sizeof files - o, "%s%s", i ? ", " : "", s->files[i]);
    if (s->more_files) snprintf(files + o, sizeof files - o, " and %u more", s->more_files);
    alert_var(a, "files", vstr_c(s->n_files ? files : "none"));
    alert_prop_bool(a, "authenticated", s->authenticated);
    alert_prop_bool(a, "files_transferred", s->transferred);
    if (s->session[0]) alert_prop_str(a, "session", vstr_c(s->session));
    vstr fl[FTP_MAX_FILES];
    for (uint32_t i = 0; i < s->n_files; i++) fl[i] = vstr_c(s->files[i]);
    alert_prop_strs(a, "files", fl, s->n_files);
    for (uint32_t i = 0; i < s->n_pos; i++) {
        struct event e = { .time_us = s->pos_t[i], .pos = s->pos[i] };
        alert_evidence(a, &e, vstr_c(s->pos_what[i]));
    }
    alert_emit(d->ctx->alerts, a);
}

static bool verb_is(vstr v, const char *name) { return vstr_eq_ci(v, vstr_c(name)); }

/* The session's telling lines: the login and what it did to files. */
static void ftp_evidence(struct ftp_session *s, const struct event *ev, const struct ftp_cmd *f, bool telling) {
    if (!telling || s->n_pos >= APP_EVIDENCE) return;
    s->pos[s->n_pos] = ev->pos;
    s->pos_t[s->n_pos] = ev->time_us;
    vstr arg = f->full_path.n ? f->full_path : f->arg;
    snprintf(s->pos_what[s->n_pos++], sizeof s->pos_what[0], "%.*s %.*s -> %u", (int)(f->verb.n > 24 ? 24 : f->verb.n),
             f->verb.p, (int)(arg.n > APP_PATH_MAX ? APP_PATH_MAX : arg.n), arg.p, f->status);
}

static void ftp_track(struct ftp_session *s, const struct event *ev, const struct ftp_cmd *f) {
    s->last_us = ev->time_us;
    uint32_t files_before = s->n_files + s->more_files;
    if (f->user.n && !s->user[0]) app_copy(s->user, sizeof s->user, f->user);
    if (verb_is(f->verb, "USER") && f->arg.n && !s->user[0]) app_copy(s->user, sizeof s->user, f->arg);
    if (verb_is(f->verb, "LOGIN")) {
        s->authenticated = true;
        snprintf(s->login, sizeof s->login, "succeeded (publishing login over %.*s)", (int)(f->protocol.n > 20 ? 20 : f->protocol.n),
                 f->protocol.p);
    } else if (verb_is(f->verb, "PASS")) {
        if (f->status == 230) s->authenticated = true;
        snprintf(s->login, sizeof s->login, "%s", s->authenticated ? "succeeded" : "failed");
    }
    static const char *const file_verbs[] = { "RETR", "STOR", "STOU", "APPE", "DELE", "RNFR", "RNTO", "MKD", "SIZE", NULL };
    for (int i = 0; file_verbs[i]; i++) {
        if (!verb_is(f->verb, file_verbs[i])) continue;
        vstr path = f->full_path.n ? f->full_path : f->arg;
        if (i <= 5) s->transferred = true;
        if (!path.n) break;
        if (s->n_files < FTP_MAX_FILES) app_copy(s->files[s->n_files++], APP_PATH_MAX, path);
        else s->more_files++;
        break;
    }
    bool login = verb_is(f->verb, "USER") || verb_is(f->verb, "PASS") || verb_is(f->verb, "LOGIN");
    ftp_evidence(s, ev, f, login || s->n_files + s->more_files != files_before);
}

static void on_ftp(struct app_det *d, const struct event *ev) {
    const struct ftp_cmd *f = ev->u.ftp;
    d->ftp_lines++;
    if (!f->has_ip) { d->no_client++; return; }
    if (f->protocol.n && !vstr_contains_ci(f->protocol, VSTR("ftp"))) return;   /* a Kudu or AAD login */
    vstr site = site_of(ev, f->site);
    uint64_t h = hash_mix(hash_vstr(site, 0x4654) ^ (f->session.n ? hash_vstr(f->session, 0x53) : ip_hash(&f->client_ip, 0x49))) | 1;
    struct ftp_session *s = ptable_find(&d->ftp, h, &h);
    if (!s) {
        const struct intel_hit *hit = intel_lookup(d->ctx->intel, &f->client_ip, INTEL_MALICIOUS, ev->time_us);
        if (!hit) return;
        if (ptable_size(&d->ftp) >= d->ftp.max) d->sessions_dropped++;
        s = xcalloc(1, sizeof *s);
        s->h = h;
        app_copy(s->site, sizeof s->site, site);
        app_copy(s->session, sizeof s->session, f->session);
        ip_format(&f->client_ip, s->ip_text);
        snprintf(s->indicator, sizeof s->indicator, "%s line %" PRIu64 "%s%s", hit->source, hit->line,
                 hit->name ? ", " : "", hit->name ? hit->name : "");
        s->start_us = ev->time_us;
        ptable_insert(&d->ftp, s, h);
    }
    ftp_track(s, ev, f);
    /* A publishing login is one record, and QUIT ends a session: judge now. */
    if (verb_is(f->verb, "LOGIN") || verb_is(f->verb, "QUIT") || verb_is(f->verb, "ControlChannelClosed")) {
        emit_ftp(d, s);
        s->last_us = INT64_MIN;         /* swept at the next tick */
    }
}

/* ---- time ---------------------------------------------------------------------------------------------- */

struct sweep_ctx { struct app_det *d; int64_t watermark_us; bool all; };

static bool client_over(void *e, void *ud) {
    struct sweep_ctx *c = ud;
    struct client_win *w = e;
    if (!c->all && c->watermark_us < w->start_us + c->d->cfg->appservice.client_window_us) return false;
    judge_window(c->d, w);
    return true;
}

static bool session_over(void *e, void *ud) {
    struct sweep_ctx *c = ud;
    struct ftp_session *s = e;
    if (s->last_us == INT64_MIN) return true;
    if (!c->all && c->watermark_us < s->last_us + c->d->cfg->appservice.ftp_session_timeout_us) return false;
    emit_ftp(c->d, s);
    return true;
}

static bool site_over(void *e, void *ud) {
    struct sweep_ctx *c = ud;
    const struct site_mem *s = e;
    return c->all || c->watermark_us > s->last_us + c->d->cfg->appservice.theme_window_us;
}

/* When the client table is full, ptable evicts the least recently used
 * quarter without asking: judge those windows first so a flood of spoofed
 * sources cannot make a real scanner vanish unjudged. */
static bool client_oldest(void *e, void *ud) {
    struct sweep_ctx *c = ud;
    struct client_win *w = e;
    if (w->last_us > c->watermark_us) return false;
    judge_window(c->d, w);
    return true;
}

static void make_room(struct app_det *d) {
    if (ptable_size(&d->clients) + 1 < d->clients.max) return;
    /* the cut-off is the window start of the median-ish entry: sweep the
     * older half by last use */
    struct sweep_ctx c = { d, d->last_sweep_us, false };
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < d->clients.cap; i++) {
        struct client_win *w = d->clients.slot[i];
        if (!w) continue;
        if (w->last_us < lo) lo = w->last_us;
        if (w->last_us > hi) hi = w->last_us;
    }
    c.watermark_us = lo + (hi - lo) / 2;
    size_t n = ptable_sweep(&d->clients, client_oldest, &c);
    d->windows_dropped += n;
}

static void sweep_all(struct app_det *d, int64_t watermark_us, bool all) {
    struct sweep_ctx c = { d, watermark_us, all };
    ptable_sweep(&d->clients, client_over, &c);
    ptable_sweep(&d->ftp, session_over, &c);
    ptable_sweep(&d->sites, site_over, &c);
    sweep_close(d->sweep, d, watermark_us, all);
    d->last_sweep_us = watermark_us;
}

/* ---- the detector -------------------------------------------------------------------------------------------- */

static void app_on_event(void *self, const struct event *ev, struct detect_ctx *ctx) {
    struct app_det *d = self;
    d->ctx = ctx;
    switch (ev->kind) {
    case EV_HTTP_REQ:
        make_room(d);
        on_http(d, ev);
        break;
    case EV_FTP_CMD: on_ftp(d, ev); break;
    case EV_PROC_EXEC: app_on_process(d, ev); break;
    default: break;
    }
}

static void app_on_tick(void *self, int64_t watermark_us, struct detect_ctx *ctx) {
    struct app_det *d = self;
    d->ctx = ctx;
    /* Half a client window of event time between sweeps: each walks every
     * open window, and a window judged up to that much late changes nothing
     * but the moment its alert leaves. */
    int64_t every = d->cfg->appservice.client_window_us / 2;
    if (watermark_us - d->last_sweep_us < (every > US_PER_MIN ? every : US_PER_MIN)) return;
    sweep_all(d, watermark_us, false);
}

static void app_on_end(void *self, struct detect_ctx *ctx) {
    struct app_det *d = self;
    d->ctx = ctx;
    sweep_all(d, INT64_MAX, true);
}

/* "cms=pattern" entries: the application's name indexes the mask. */
static struct sigset *compile_cms(struct app_sigs *s, const struct strlist *l, char *err, size_t errlen) {
    const char **pats = xcalloc(l->n, sizeof *pats);
    s->cms_of = xcalloc(l->n, 1);
    for (size_t i = 0; i < l->n; i++) {
        const char *eq = strchr(l->v[i], '=');
        if (!eq || eq == l->v[i] || eq - l->v[i] >= 32) {
            snprintf(err, errlen, "detectors.appservice.cms_indicator_files: entry %zu (%s) is not NAME=signature",
                     i + 1, l->v[i]);
            free(pats);
            return NULL;
        }
        unsigned k = 0;
        while (k < s->n_cms && !(strlen(s->cms_names[k]) == (size_t)(eq - l->v[i]) &&
                                 strncmp(s->cms_names[k], l->v[i], (size_t)(eq - l->v[i])) == 0))
            k++;
        if (k == s->n_cms) {
            if (s->n_cms == APP_MAX_CMS) {
                snprintf(err, errlen, "detectors.appservice.cms_indicator_files: more than %d applications", APP_MAX_CMS);
                free(pats);
                return NULL;
            }
            snprintf(s->cms_names[s->n_cms++], 32, "%.*s", (int)(eq - l->v[i]), l->v[i]);
        }
        s->cms_of[i] = (uint8_t)k;
        pats[i] = eq + 1;
    }
    struct sigset *set = sigset_compile("detectors.appservice.cms_indicator_files", pats, l->n, err, errlen);
    free(pats);
    return set;
}

static int compile_sigs(struct app_sigs *s, const struct vigil_config *cfg) {
    const struct appservice_config *c = &cfg->appservice;
    char err[512] = "";
    struct { struct sigset **dst; const char *name; const struct strlist *list; } t[] = {
#define SIG(field, key) { &s->field, "detectors.appservice." #key, &c->key }
        SIG(sensitive, sensitive_pages), SIG(sensitive_exc, sensitive_page_exceptions),
        SIG(vulnerable, vulnerable_pages), SIG(scanner_ua, scanner_user_agents),
        SIG(fp_ua, fingerprint_user_agents), SIG(fp_probe, fingerprint_probes), SIG(static_ext, static_extensions),
        SIG(upload, upload_folders), SIG(php_ext, php_extensions), SIG(cmd_params, command_query_params),
        SIG(web_workers, web_workers), SIG(linux_cmds, linux_commands), SIG(php_code, php_code_indicators),
        SIG(php_children, php_child_processes), SIG(php_allow, php_allowlist), SIG(temp, temp_folders),
        SIG(high_priv, high_privilege_commands), SIG(proc_allow, process_allowlist),
#undef SIG
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        *t[i].dst = sigset_from_list(t[i].name, t[i].list, err, sizeof err);
        if (!*t[i].dst) goto fail;
    }
    s->cms = compile_cms(s, &c->cms_indicator_files, err, sizeof err);
    if (s->cms) return 0;
fail:
    fprintf(stderr, "vigil: %s\n", err);
    return -1;
}

static void free_sigs(struct app_sigs *s) {
    struct sigset *all[] = { s->sensitive, s->sensitive_exc, s->vulnerable, s->scanner_ua, s->fp_ua, s->fp_probe,
                             s->cms, s->static_ext, s->upload, s->php_ext, s->cmd_params, s->web_workers,
                             s->linux_cmds, s->php_code, s->php_children, s->php_allow, s->temp, s->high_priv,
                             s->proc_allow };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) sigset_free(all[i]);
    free(s->cms_of);
}

static void app_destroy(void *self) {
    struct app_det *d = self;
    if (!d) return;
    free_sigs(&d->sig);
    free(d->trusted_clients.v);
    free(d->trusted_proxies.v);
    seenset_free(d->profiles);
    seenset_free(d->sensitive_seen);
    seenset_free(d->direct_clients);
    seenset_free(d->direct_paths);
    seenset_free(d->temp_programs);
    ptable_free(&d->clients);
    ptable_free(&d->sites);
    ptable_free(&d->ftp);
    sweep_free(d->sweep);
    free(d);
}

static void *app_create(const struct vigil_config *cfg) {
    struct app_det *d = xcalloc(1, sizeof *d);
    d->cfg = cfg;
    const struct appservice_config *c = &cfg->appservice;
    if (compile_sigs(&d->sig, cfg) != 0 ||
        parse_cidrs(&c->trusted_clients, "detectors.appservice.trusted_clients", &d->trusted_clients) != 0 ||
        parse_cidrs(&c->trusted_proxies, "detectors.appservice.trusted_proxies", &d->trusted_proxies) != 0) {
        app_destroy(d);
        return NULL;
    }
    d->profiles = seenset_new(c->max_sites);
    d->sensitive_seen = seenset_new(c->max_members);
    d->direct_clients = seenset_new(c->max_members);
    d->direct_paths = seenset_new(c->max_members);
    d->temp_programs = seenset_new(c->max_members);
    ptable_init(&d->clients, c->max_clients, &client_ops);
    ptable_init(&d->sites, c->max_sites, &site_ops);
    ptable_init(&d->ftp, c->max_clients, &ftp_ops);
    d->sweep = sweep_new(cfg);
    d->last_sweep_us = INT64_MIN / 2;
    return d;
}

static const char *const persisted_kinds[] = { "profiles", "sensitive_seen", "direct_clients", "direct_paths",
                                               "temp_programs" };

static struct seenset *persisted(struct app_det *d, size_t i) {
    struct seenset *v[] = { d->profiles, d->sensitive_seen, d->direct_clients, d->direct_paths, d->temp_programs };
    return v[i];
}

static int app_save(void *self, struct store *st) {
    struct app_det *d = self;
    for (size_t i = 0; i < sizeof persisted_kinds / sizeof persisted_kinds[0]; i++)
        if (seenset_save(persisted(d, i), st, "appservice", persisted_kinds[i]) != 0) return -1;
    return 0;
}

static int app_load(void *self, struct store *st) {
    struct app_det *d = self;
    for (size_t i = 0; i < sizeof persisted_kinds / sizeof persisted_kinds[0]; i++)
        if (seenset_load(persisted(d, i), st, "appservice", persisted_kinds[i]) != 0) return -1;
    return 0;
}

static void app_report(void *self, buf *out) {
    struct app_det *d = self;
    if (!d->requests && !d->ftp_lines && !d->processes) return;
    buf_printf(out, "  appservice: %" PRIu64 " requests, %" PRIu64 " FTP lines, %" PRIu64 " processes; signatures by %s\n",
               d->requests, d->ftp_lines, d->processes, sigset_backend());
    if (d->no_client) buf_printf(out, "  appservice: %" PRIu64 " records without a client address were not judged\n", d->no_client);
    if (d->trusted) buf_printf(out, "  appservice: %" PRIu64 " requests from trusted clients skipped\n", d->trusted);
    if (d->learning)
        buf_printf(out, "  appservice: %" PRIu64 " sensitive-page requests learned while their site was in its learning period\n",
                   d->learning);
    if (d->processes)
        buf_printf(out, "  appservice: %" PRIu64 " processes judged, %" PRIu64 " not under a known web worker (no ancestry, "
                        "or not a web process)\n", d->proc_judged, d->proc_no_web);
    if (d->windows_dropped)
        buf_printf(out, "  appservice: %" PRIu64 " client windows judged early to stay within max_clients\n", d->windows_dropped);
    if (d->sessions_dropped) buf_printf(out, "  appservice: %" PRIu64 " FTP sessions evicted\n", d->sessions_dropped);
    sweep_report(d->sweep, out);
}

const struct detector appservice_detector = {
    .name = "appservice",
    .layers = LAYER_APPSERVICE | LAYER_HOST,
    .create = app_create,
    .destroy = app_destroy,
    .on_event = app_on_event,
    .on_tick = app_on_tick,
    .on_end = app_on_end,
    .load = app_load,
    .save = app_save,
    .report = app_report,
};
