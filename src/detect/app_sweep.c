/* app.scan.cross_host: one small set of addresses requesting the same
 * paths on many sites (research/detections.md 6.11).
 *
 * No single site can see a sweep: each gets a handful of requests. Over a
 * tumbling window of event time, every path (lower case, digit runs
 * collapsed, static files left out) keeps the sites it was asked of, how
 * each answered, and the addresses that asked. When the window closes, a
 * path is swept when it was asked of cross_host_min_sites sites by at most
 * cross_host_max_clients addresses and most sites answered 404 (probes
 * miss; an uptime check or a shared CDN path is answered everywhere). Swept
 * paths sharing an address are one campaign, reported once, with the sites
 * that answered successfully: those are the ones at risk.
 *
 * Memory: at most max_cross_host_paths paths per window; later paths are
 * counted, not followed. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "detect/app_internal.h"
#include "util/hash.h"
#include "util/timeutil.h"

#define SWEEP_MAX_SITES 64              /* sites followed per path */
#define SWEEP_MAX_IPS 64                /* the config caps cross_host_max_clients at 64 */
#define CAMPAIGN_MAX_PATHS 256

struct sweep_site { uint64_t h; uint16_t status; };

struct sweep_path {
    uint64_t h;
    char path[APP_PATH_MAX];
    int64_t first_us;
    struct source_pos pos;
    uint32_t n_sites;
    struct sweep_site sites[SWEEP_MAX_SITES];
    uint32_t n_ips;
    struct ipaddr ips[SWEEP_MAX_IPS];
    bool too_many_ips;
    int group;                          /* union-find parent while judging */
};

struct site_name { uint64_t h; int64_t last_us; char name[APP_SITE_MAX]; };

struct sweep {
    const struct appservice_config *cfg;
    int64_t window_start_us;            /* INT64_MIN: no window open */
    struct ptable paths;
    struct ptable names;
    uint64_t paths_dropped, windows, campaigns;
};

static uint64_t sp_hash(const void *e) { return ((const struct sweep_path *)e)->h; }
static int64_t sp_last(const void *e) { return ((const struct sweep_path *)e)->first_us; }
static bool sp_matches(const void *e, const void *key) { return ((const struct sweep_path *)e)->h == *(const uint64_t *)key; }
static uint64_t sn_hash(const void *e) { return ((const struct site_name *)e)->h; }
static int64_t sn_last(const void *e) { return ((const struct site_name *)e)->last_us; }
static bool sn_matches(const void *e, const void *key) { return ((const struct site_name *)e)->h == *(const uint64_t *)key; }
static void plain_free(void *e) { free(e); }
static const struct ptable_ops path_ops = { sp_hash, sp_last, sp_matches, plain_free };
static const struct ptable_ops name_ops = { sn_hash, sn_last, sn_matches, plain_free };

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p) { fputs("vigil: out of memory\n", stderr); abort(); }
    return p;
}

struct sweep *sweep_new(const struct vigil_config *cfg) {
    struct sweep *s = xcalloc(1, sizeof *s);
    s->cfg = &cfg->appservice;
    s->window_start_us = INT64_MIN;
    /* ptable evicts a quarter when full; the explicit cap below keeps it from
     * ever reaching that, so a window's paths are never silently lost */
    ptable_init(&s->paths, (size_t)s->cfg->max_cross_host_paths + 1, &path_ops);
    ptable_init(&s->names, s->cfg->max_sites, &name_ops);
    return s;
}

void sweep_free(struct sweep *s) {
    if (!s) return;
    ptable_free(&s->paths);
    ptable_free(&s->names);
    free(s);
}

/* lower case, digit runs as '#': /wp-content/plugins/x/readme.txt and
 * /user/1234 and /user/99 compare as paths of the same shape */
static size_t path_key(vstr path, char *out, size_t cap) {
    size_t o = 0;
    for (size_t i = 0; i < path.n && o + 1 < cap; i++) {
        char c = path.p[i];
        if (c >= '0' && c <= '9') {
            out[o++] = '#';
            while (i + 1 < path.n && path.p[i + 1] >= '0' && path.p[i + 1] <= '9') i++;
            continue;
        }
        out[o++] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
    }
    out[o] = '\0';
    return o;
}

static void remember_site(struct sweep *s, uint64_t h, vstr site, int64_t t_us) {
    struct site_name *n = ptable_find(&s->names, h, &h);
    if (!n) {
        n = xcalloc(1, sizeof *n);
        n->h = h;
        app_copy(n->name, sizeof n->name, site);
        ptable_insert(&s->names, n, h);
    }
    n->last_us = t_us;
}

static const char *site_name(const struct sweep *s, uint64_t h) {
    const struct site_name *n = ptable_find(&s->names, h, &h);
    return n ? n->name : "(forgotten site)";
}

void sweep_note(struct sweep *s, struct app_det *d, const struct event *ev, vstr site, const struct ipaddr *ip,
                vstr path) {
    int64_t w = s->cfg->cross_host_window_us;
    int64_t start = ev->time_us - (ev->time_us % w + w) % w;
    if (s->window_start_us != INT64_MIN && start > s->window_start_us) sweep_close(s, d, start, false);
    if (s->window_start_us == INT64_MIN || start > s->window_start_us) s->window_start_us = start;
    const struct http_req *r = ev->u.http;
    char key[APP_PATH_MAX];
    size_t n = path_key(path, key, sizeof key);
    uint64_t h = hash_bytes(key, n, 0x5357) | 1;
    struct sweep_path *p = ptable_find(&s->paths, h, &h);
    if (!p) {
        if (ptable_size(&s->paths) >= s->cfg->max_cross_host_paths) { s->paths_dropped++; return; }
        p = xcalloc(1, sizeof *p);
        p->h = h;
        memcpy(p->path, key, n + 1);
        p->first_us = ev->time_us;
        p->pos = ev->pos;
        ptable_insert(&s->paths, p, h);
    }
    uint64_t sh = hash_vstr(site, 0x5349) | 1;
    uint32_t i = 0;
    while (i < p->n_sites && p->sites[i].h != sh) i++;
    if (i == p->n_sites && p->n_sites < SWEEP_MAX_SITES) {
        p->sites[p->n_sites++] = (struct sweep_site){ sh, r->status };
        remember_site(s, sh, site, ev->time_us);
    } else if (i < p->n_sites && r->status >= 200 && r->status < 300) {
        p->sites[i].status = r->status;         /* any success on the site counts */
    }
    if (p->too_many_ips) return;
    for (uint32_t k = 0; k < p->n_ips; k++)
        if (ip_eq(&p->ips[k], ip)) return;
    if (p->n_ips >= s->cfg->cross_host_max_clients) { p->too_many_ips = true; return; }
    p->ips[p->n_ips++] = *ip;
}

/* ---- judging a window ---------------------------------------------------------------- */

static bool swept(const struct sweep *s, const struct sweep_path *p) {
    if (p->too_many_ips || p->n_sites < s->cfg->cross_host_min_sites) return false;
    uint32_t nf = 0;
    for (uint32_t i = 0; i < p->n_sites; i++) nf += p->sites[i].status == 404;
    return (uint64_t)nf * 100 >= (uint64_t)p->n_sites * s->cfg->cross_host_min_not_found_percent;
}

static int find_root(struct sweep_path **v, int i) {
    while (v[i]->group != i) i = v[i]->group = v[v[i]->group]->group;
    return i;
}

static bool share_ip(const struct sweep_path *a, const struct sweep_path *b) {
    for (uint32_t i = 0; i < a->n_ips; i++)
        for (uint32_t j = 0; j < b->n_ips; j++)
            if (ip_eq(&a->ips[i], &b->ips[j])) return true;
    return false;
}

static int cmp_ip(const void *a, const void *b) { return memcmp(a, b, sizeof(struct ipaddr)); }

static int cmp_path(const void *a, const void *b) {
    const struct sweep_path *x = *(const struct sweep_path *const *)a, *y = *(const struct sweep_path *const *)b;
    if (x->n_sites != y->n_sites) return x->n_sites > y->n_sites ? -1 : 1;
    return strcmp(x->path, y->path);
}

struct collect { const struct sweep *s; struct sweep_path **v; int n, cap; };

static void collect_swept(void *e, void *ud) {
    struct collect *c = ud;
    struct sweep_path *p = e;
    if (c->n < c->cap && swept(c->s, p)) c->v[c->n++] = p;
}

static void add_unique_u64(uint64_t *set, uint32_t *n, uint32_t cap, uint64_t v) {
    for (uint32_t i = 0; i < *n; i++)
        if (set[i] == v) return;
    if (*n < cap) set[(*n)++] = v;
}

static void emit_campaign(struct sweep *s, struct app_det *d, struct sweep_path **v, int n) {
    struct ipaddr ips[SWEEP_MAX_IPS * 2];
    uint32_t n_ips = 0;
    uint64_t sites[256], ok[64];
    uint32_t n_sites = 0, n_ok = 0;
    for (int i = 0; i < n; i++) {
        for (uint32_t k = 0; k < v[i]->n_ips; k++) {
            uint32_t j = 0;
            while (j < n_ips && !ip_eq(&ips[j], &v[i]->ips[k])) j++;
            if (j == n_ips && n_ips < SWEEP_MAX_IPS * 2) ips[n_ips++] = v[i]->ips[k];
        }
        for (uint32_t k = 0; k < v[i]->n_sites; k++) {
            add_unique_u64(sites, &n_sites, 256, v[i]->sites[k].h);
            if (v[i]->sites[k].status >= 200 && v[i]->sites[k].status < 300) add_unique_u64(ok, &n_ok, 64, v[i]->sites[k].h);
        }
    }
    qsort(ips, n_ips, sizeof ips[0], cmp_ip);
    qsort(v, (size_t)n, sizeof v[0], cmp_path);

    char ip_list[SWEEP_MAX_IPS * 2 * (IP_STRLEN + 2)] = "";
    vstr ipv[SWEEP_MAX_IPS * 2];
    char ip_text[SWEEP_MAX_IPS * 2][IP_STRLEN];
    size_t o = 0;
    for (uint32_t i = 0; i < n_ips; i++) {
        ip_format(&ips[i], ip_text[i]);
        ipv[i] = vstr_c(ip_text[i]);
        o += (size_t)snprintf(ip_list + o, sizeof ip_list - o, "%s%s", i ? ", " : "", ip_text[i]);
    }
    char paths[6 * (APP_PATH_MAX + 2)] = "";
    o = 0;
    vstr pv[CAMPAIGN_MAX_PATHS];
    for (int i = 0; i < n; i++) {
        pv[i] = vstr_c(v[i]->path);
        if (i < 5) o += (size_t)snprintf(paths + o, sizeof paths - o, "%s%s", i ? ", " : "", v[i]->path);
    }
    char answered[8 * (APP_SITE_MAX + 2)] = "";
    o = 0;
    vstr okv[64];
    for (uint32_t i = 0; i < n_ok; i++) {
        okv[i] = vstr_c(site_name(s, ok[i]));
        if (i < 8) o += (size_t)snprintf(answered + o, sizeof answered - o, "%s%s", i ? ", " : "", okv[i].p);
    }
    vstr sitev[256];
    for (uint32_t i = 0; i < n_sites; i++) sitev[i] = vstr_c(site_name(s, sites[i]));

    int64_t first = v[0]->first_us;
    const struct source_pos *pos = &v[0]->pos;
    for (int i = 1; i < n; i++)
        if (v[i]->first_us < first) { first = v[i]->first_us; pos = &v[i]->pos; }
    struct event at = { .time_us = first, .layer = LAYER_APPSERVICE, .kind = EV_HTTP_REQ, .pos = *pos };
    struct alert *a = alert_new("app.scan.cross_host", &at);
    alert_entity(a, vstr_c(ip_list));
    alert_entity_strs(a, "ip", ipv, n_ips);
    alert_entity_strs(a, "host", sitev, n_sites);
    char num[32];
    snprintf(num, sizeof num, "%" PRId64 " minutes", s->cfg->cross_host_window_us / US_PER_MIN);
    alert_var(a, "window", vstr_c(num));
    snprintf(num, sizeof num, "%u", n_ips);
    alert_var(a, "clients", vstr_c(num));
    alert_var(a, "client_ips", vstr_c(ip_list));
    snprintf(num, sizeof num, "%u", n_sites);
    alert_var(a, "sites", vstr_c(num));
    alert_var(a, "paths", vstr_c(paths));
    alert_var(a, "answered_sites", vstr_c(n_ok ? answered : "none"));
    alert_prop_strs(a, "paths", pv, (size_t)n);
    alert_prop_strs(a, "sites", sitev, n_sites);
    alert_prop_strs(a, "answered_sites", okv, n_ok);
    alert_prop_int(a, "threshold_sites", s->cfg->cross_host_min_sites);
    alert_prop_int(a, "threshold_max_clients", s->cfg->cross_host_max_clients);
    alert_prop_int(a, "threshold_not_found_percent", s->cfg->cross_host_min_not_found_percent);
    for (int i = 0; i < n && i < APP_EVIDENCE; i++) {
        struct event e = { .time_us = v[i]->first_us, .pos = v[i]->pos };
        char what[APP_PATH_MAX + 40];
        snprintf(what, sizeof what, "%s asked of %u sites", v[i]->path, v[i]->n_sites);
        alert_evidence(a, &e, vstr_c(what));
    }
    alert_emit(d->ctx->alerts, a);
    s->campaigns++;
}

static void judge(struct sweep *s, struct app_det *d) {
    struct sweep_path *v[CAMPAIGN_MAX_PATHS * 4];
    struct collect c = { s, v, 0, (int)(sizeof v / sizeof v[0]) };
    ptable_each(&s->paths, collect_swept, &c);
    if (!c.n) return;
    /* table order depends on hashes only; sort so groups form the same way
     * on every run */
    qsort(v, (size_t)c.n, sizeof v[0], cmp_path);
    for (int i = 0; i < c.n; i++) v[i]->group = i;
    for (int i = 0; i < c.n; i++)
        for (int j = i + 1; j < c.n; j++)
            if (share_ip(v[i], v[j])) {
                int a = find_root(v, i), b = find_root(v, j);
                if (a != b) v[b > a ? b : a]->group = a < b ? a : b;
            }
    struct sweep_path *g[CAMPAIGN_MAX_PATHS];
    for (int root = 0; root < c.n; root++) {
        if (find_root(v, root) != root) continue;
        int n = 0;
        for (int i = 0; i < c.n && n < CAMPAIGN_MAX_PATHS; i++)
            if (find_root(v, i) == root) g[n++] = v[i];
        if ((uint32_t)n >= s->cfg->cross_host_min_paths) emit_campaign(s, d, g, n);
    }
}

void sweep_close(struct sweep *s, struct app_det *d, int64_t watermark_us, bool all) {
    if (s->window_start_us == INT64_MIN) return;
    if (!all && watermark_us < s->window_start_us + s->cfg->cross_host_window_us) return;
    judge(s, d);
    ptable_clear(&s->paths);
    s->windows++;
    s->window_start_us = INT64_MIN;
}

void sweep_report(const struct sweep *s, buf *out) {
    if (!s->windows) return;
    buf_printf(out, "  appservice: %" PRIu64 " cross-site windows judged, %" PRIu64 " sweeps found", s->windows,
               s->campaigns);
    if (s->paths_dropped)
        buf_printf(out, ", %" PRIu64 " requests not followed (max_cross_host_paths)", s->paths_dropped);
    buf_putc(out, '\n');
}
