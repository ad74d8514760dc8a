/* The three arm.location.* analytics (detect/arm_internal.h): where a
 * principal works from, judged against its own history and the
 * organisation's.
 *
 * Which operations count. A failed operation proves nothing about who
 * holds the account; trusted principals and addresses in
 * detectors.arm.trusted_ranges (the organisation's egress) are never
 * judged; an operation without a public caller address (Azure-internal
 * calls, private addresses) says nothing about where a person is.
 *
 * Learning. infrequent_country and impossible_travel need a history to
 * compare with: nothing is judged until both the principal's history and
 * the organisation's span location_learning_period. anonymous_ip does not
 * wait for a TOR exit (intel label tor, or MaxMind's is_tor_exit_node):
 * that is suspicious from the first day. Other anonymizers (VPNs, proxies,
 * the anonymizer intel label) wait for the organisation's history: a
 * corporate VPN is often a commercial one whose ranges MaxMind flags, and
 * only the organisation's usage ("many principals use this address")
 * tells it apart, which needs history to be worth anything.
 *
 * Applications (service principals, managed identities) run from Azure
 * regions wherever their code is deployed: they are not judged on country
 * or travel, only on anonymous addresses. */
#include "detect/arm_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "util/timeutil.h"

#define TOR_BITS GEOIP_TOR_EXIT_NODE
/* the sub-flags is_anonymous summarises (MaxMind sets it when any is set) */
#define ANON_SUBFLAGS (GEOIP_ANONYMOUS_VPN | GEOIP_HOSTING_PROVIDER | GEOIP_PUBLIC_PROXY | \
                       GEOIP_RESIDENTIAL_PROXY | GEOIP_TOR_EXIT_NODE)

struct range { struct ipaddr net; unsigned plen; };

/* What happened to the operations handed in, for the summary. */
struct loc_counts {
    uint64_t ops;                       /* handed in */
    uint64_t trusted, failed, no_public_ip, trusted_range;
    uint64_t judged;                    /* public address, not skipped above */
    uint64_t no_geoip;                  /* judged with no GeoIP database loaded */
    uint64_t not_located;               /* databases loaded, but no country for the address */
    uint64_t geoip_errors;
    uint64_t apps;                      /* not judged on country and travel */
    uint64_t learning_principal, learning_org;
    uint64_t anon_learning;             /* a non-TOR anonymizer while the organisation learns */
    uint64_t org_anon, org_country, org_travel;   /* suppressed: the organisation's own */
    uint64_t regular_travel, bordering, no_coords;
    uint64_t alerts_country, alerts_anon, alerts_travel;
};

struct arm_location {
    const struct vigil_config *cfg;
    struct range *trusted;
    size_t n_trusted;
    uint64_t bad_ranges;                /* trusted_ranges entries that are not CIDRs */
    const char *first_bad_range;        /* in cfg */
    unsigned anon_mask;                 /* enum geoip_anon bits from anonymous_flags */
    uint64_t unknown_flags;
    const char *first_unknown_flag;     /* in cfg */
    struct loc_counts n;
};

/* ---- set-up ------------------------------------------------------------------------- */


struct arm_location *arm_location_new(const struct vigil_config *cfg) {
    struct arm_location *L = calloc(1, sizeof *L);
    if (!L) abort();
    L->cfg = cfg;
    const struct strlist *tr = &cfg->arm.trusted_ranges;
    L->trusted = calloc(tr->n ? tr->n : 1, sizeof *L->trusted);
    if (!L->trusted) abort();
    for (size_t i = 0; i < tr->n; i++) {
        struct range *r = &L->trusted[L->n_trusted];
        if (ip_parse_cidr(tr->v[i], strlen(tr->v[i]), &r->net, &r->plen)) L->n_trusted++;
        else if (!L->bad_ranges++) L->first_bad_range = tr->v[i];
    }
    const struct strlist *fl = &cfg->arm.anonymous_flags;
    for (size_t i = 0; i < fl->n; i++) {
        unsigned bit = geoip_anon_flag(fl->v[i]);
        if (bit) L->anon_mask |= bit;
        else if (!L->unknown_flags++) L->first_unknown_flag = fl->v[i];
    }
    return L;
}

void arm_location_free(struct arm_location *L) {
    if (!L) return;
    free(L->trusted);
    free(L);
}

/* ---- small helpers ------------------------------------------------------------------ */

static bool in_trusted_range(const struct arm_location *L, const struct ipaddr *ip) {
    for (size_t i = 0; i < L->n_trusted; i++) {
        struct ipaddr m = *ip;
        ip_mask(&m, L->trusted[i].plen);
        if (ip_eq(&m, &L->trusted[i].net)) return true;
    }
    return false;
}

/* The MaxMind flags that count as anonymous under anonymous_flags.
 * is_anonymous only summarises the others, so it counts on its own only
 * when no sub-flag explains it: a hosting provider is is_anonymous too,
 * and listing is_anonymous must not bring in is_hosting_provider when
 * that is left out. */
static unsigned counted_flags(const struct arm_location *L, unsigned anon) {
    unsigned hit = anon & L->anon_mask & ~(unsigned)GEOIP_ANONYMOUS;
    if ((anon & GEOIP_ANONYMOUS) && (L->anon_mask & GEOIP_ANONYMOUS) && !(anon & ANON_SUBFLAGS))
        hit |= GEOIP_ANONYMOUS;
    return hit;
}

static int64_t since_lookback(const struct arm_location *L, int64_t t_us) {
    return t_us - L->cfg->arm.location_lookback_us;
}

static bool principal_learning(const struct arm_location *L, const struct arm_op *o) {
    return !o->prof || o->prof->first_us == TIME_NONE || o->t_us - o->prof->first_us < L->cfg->arm.location_learning_us;
}

static bool org_learning(const struct arm_location *L, const struct arm_op *o, const struct principals *tab) {
    int64_t start = principals_history_start(tab);
    return start == TIME_NONE || o->t_us - start < L->cfg->arm.location_learning_us;
}

/* A country the principal works from: used within lookback, on two
 * days or more. */
static bool regular_country(const struct arm_location *L, const struct arm_op *o, const char cc[2]) {
    if (!o->prof) return false;
    const struct principal_country *c = principal_country(o->prof, cc);
    return c && c->last_us >= since_lookback(L, o->t_us) && c->days >= 2;
}

/* "United Kingdom (GB)", or the code alone. */
static void country_text(const char *cc, const char *name, buf *out) {
    if (name && name[0]) buf_printf(out, "%s (%s)", name, cc);
    else buf_puts(out, cc);
}

static int64_t days_of(int64_t us) { return us / US_PER_DAY; }

/* An alert with what every arm.location alert carries: the principal,
 * the address, the operation and its evidence. */
static struct alert *location_alert(const char *type, const struct arm_op *o) {
    struct alert *a = arm_alert_new(type, o);
    buf b;
    alert_var(a, "operations", o->op->operation);
    alert_prop_str(a, "operation", o->op->operation);
    alert_prop_str(a, "ip", o->op->caller_ip_text);
    if (o->geo.asn) {
        alert_prop_int(a, "asn", o->geo.asn);
        if (o->geo.asn_org[0]) alert_prop_str(a, "asn_org", vstr_c(o->geo.asn_org));
    }
    buf_init(&b);
    buf_putv(&b, o->op->operation);
    if (o->op->status.n) {
        buf_puts(&b, " ");
        buf_putv(&b, o->op->status);
    }
    buf_puts(&b, " from ");
    buf_putv(&b, o->op->caller_ip_text);
    if (o->geo.country[0]) buf_printf(&b, " (%s)", o->geo.country);
    alert_evidence(a, o->ev, buf_vstr(&b));
    buf_free(&b);
    return a;
}

/* The principal's countries as a JSON array, for the properties. */
static void known_countries_json(const struct principal *p, buf *out) {
    buf_putc(out, '[');
    for (uint32_t i = 0; p && i < p->n_countries; i++) {
        const struct principal_country *c = &p->countries[i];
        char last[40];
        time_format(c->last_us, last, sizeof last);
        buf_printf(out, "%s{\"country\":\"%.2s\",\"operations\":%" PRIu32 ",\"days\":%" PRIu32 ",\"last\":\"%s\"}",
                   i ? "," : "", c->cc, c->count, c->days, last);
    }
    buf_putc(out, ']');
}

/* ---- arm.location.anonymous_ip ---------------------------------------------------------- */

/* Why the address is anonymous, in words for the description ("a TOR exit
 * node (tor list exits.txt, line 12)"), and the sources as properties.
 * Returns whether any source matched; *tor says whether one was TOR. */
static bool anonymous_sources(const struct arm_location *L, const struct arm_op *o, buf *words, struct alert *a,
                              bool *tor) {
    unsigned flags = counted_flags(L, o->geo.anon);
    *tor = o->tor_hit || (flags & TOR_BITS);
    if (!o->tor_hit && !o->anon_hit && !flags) return false;
    const char *sep = "";
    const struct intel_hit *hits[2] = { o->tor_hit, o->anon_hit };
    for (int i = 0; i < 2; i++) {
        const struct intel_hit *h = hits[i];
        if (!h) continue;
        const char *base = strrchr(h->source, '/');
        base = base ? base + 1 : h->source;
        buf_printf(words, "%s%s (%s list %s", sep, i == 0 ? "a TOR exit node" : "an anonymizer",
                   intel_label_name(h->label), base);
        if (h->line) buf_printf(words, ", line %" PRIu64, h->line);
        buf_putc(words, ')');
        sep = "; ";
        if (a) {
            char key[32];
            snprintf(key, sizeof key, "intel_%s", intel_label_name(h->label));
            char val[600];
            snprintf(val, sizeof val, "%s:%" PRIu64, h->source, h->line);
            alert_prop_str(a, key, vstr_c(val));
        }
    }
    if (flags) {
        buf_printf(words, "%s", sep);
        geoip_anon_describe(flags, words);
        buf_puts(words, " (MaxMind Anonymous-IP)");
        if (a) {
            buf f;
            buf_init(&f);
            geoip_anon_describe(flags, &f);
            alert_prop_str(a, "maxmind_flags", buf_vstr(&f));
            buf_free(&f);
        }
    }
    return true;
}

/* Used by enough other principals, at this address or in its /24, to be
 * the organisation's own egress rather than an attacker's. */
static bool org_address(const struct arm_location *L, const struct arm_op *o, const struct principals *tab,
                        struct usage_stats *ip_use, struct usage_stats *net_use) {
    int64_t since = since_lookback(L, o->t_us);
    *ip_use = usage_ip(tab, USAGE_IP, &o->op->caller_ip, o->principal_key, since);
    *net_use = usage_ip(tab, USAGE_PREFIX24, &o->op->caller_ip, o->principal_key, since);
    uint32_t k = L->cfg->arm.org_common_principals;
    return ip_use->principals >= k || net_use->principals >= k;
}

static void check_anonymous(struct arm_location *L, const struct arm_op *o, struct principals *tab,
                            struct detect_ctx *ctx) {
    buf words;
    buf_init(&words);
    bool tor = false;
    if (!anonymous_sources(L, o, &words, NULL, &tor)) goto out;
    if (!tor && org_learning(L, o, tab)) { L->n.anon_learning++; goto out; }
    struct usage_stats ip_use, net_use;
    if (org_address(L, o, tab, &ip_use, &net_use)) { L->n.org_anon++; goto out; }
    struct alert *a = location_alert("arm.location.anonymous_ip", o);
    buf_clear(&words);
    anonymous_sources(L, o, &words, a, &tor);
    alert_var(a, "anonymizer", buf_vstr(&words));
    alert_prop_bool(a, "tor", tor);
    alert_prop_int(a, "org_principals_address", ip_use.principals);
    alert_prop_int(a, "org_principals_prefix", net_use.principals);
    alert_prop_int(a, "org_common_principals", L->cfg->arm.org_common_principals);
    alert_prop_int(a, "lookback_days", days_of(L->cfg->arm.location_lookback_us));
    if (o->geo.country[0]) alert_prop_str(a, "country", vstr_c(o->geo.country));
    alert_entity_strs(a, "ip", &o->op->caller_ip_text, 1);
    alert_emit(ctx->alerts, a);
    L->n.alerts_anon++;
out:
    buf_free(&words);
}

/* ---- arm.location.infrequent_country ------------------------------------------------------ */

static void check_country(struct arm_location *L, const struct arm_op *o, struct principals *tab,
                          struct detect_ctx *ctx) {
    const char *cc = o->geo.country;
    if (regular_country(L, o, cc)) return;
    int64_t since = since_lookback(L, o->t_us);
    struct usage_stats use = usage_country(tab, cc, o->principal_key, since);
    if (use.principals >= L->cfg->arm.org_common_principals) { L->n.org_country++; return; }

    struct alert *a = location_alert("arm.location.infrequent_country", o);
    buf b;
    buf_init(&b);
    country_text(cc, o->geo.country_name, &b);
    alert_var(a, "country", buf_vstr(&b));
    buf_clear(&b);
    int64_t lookback_days = days_of(L->cfg->arm.location_lookback_us);
    buf_printf(&b, "%" PRId64, lookback_days);
    alert_var(a, "lookback_days", buf_vstr(&b));
    buf_clear(&b);
    alert_prop_str(a, "country", vstr_c(cc));
    if (o->geo.country_name[0]) alert_prop_str(a, "country_name", vstr_c(o->geo.country_name));
    if (o->geo.city[0]) alert_prop_str(a, "city", vstr_c(o->geo.city));
    const struct principal_country *mine = principal_country(o->prof, cc);
    alert_prop_int(a, "principal_country_days", mine ? mine->days : 0);
    known_countries_json(o->prof, &b);
    alert_prop_raw(a, "known_countries", buf_vstr(&b));
    alert_prop_int(a, "org_principals_country", use.principals);
    alert_prop_int(a, "org_country_days", use.days);
    alert_prop_int(a, "org_common_principals", L->cfg->arm.org_common_principals);
    alert_prop_int(a, "lookback_days", lookback_days);
    alert_prop_int(a, "principal_history_days", days_of(o->t_us - o->prof->first_us));
    alert_prop_int(a, "org_history_days", days_of(o->t_us - principals_history_start(tab)));
    alert_entity_strs(a, "ip", &o->op->caller_ip_text, 1);
    buf_free(&b);
    alert_emit(ctx->alerts, a);
    L->n.alerts_country++;
}

/* ---- arm.location.impossible_travel ----------------------------------------------------- */

/* Whether the principal's previous address was anonymous then: that end
 * of the trip says nothing about where the person was. */
static bool prev_anonymous(const struct arm_location *L, const struct principal_location *prev,
                           const struct detect_ctx *ctx) {
    if (intel_lookup(ctx->intel, &prev->ip, INTEL_TOR | INTEL_ANONYMIZER, prev->t_us)) return true;
    struct geoip_result g;
    geoip_lookup(ctx->geoip, &prev->ip, &g);
    return counted_flags(L, g.anon) != 0;
}

/* A point for one end: its coordinates, else its country's centre. */
static bool end_point(bool has, double lat, double lon, const char cc[2], double *plat, double *plon, bool *centroid) {
    if (has) { *plat = lat; *plon = lon; return true; }
    *centroid = true;
    return geo_country_centroid(cc, plat, plon);
}

static void check_travel(struct arm_location *L, const struct arm_op *o, struct principals *tab,
                         struct detect_ctx *ctx) {
    const struct principal_location *prev = &o->prof->last_loc;
    const char *cc = o->geo.country;
    if (!prev->valid || !prev->cc[0] || (prev->cc[0] == cc[0] && prev->cc[1] == cc[1])) return;
    if (geo_countries_border(prev->cc, cc)) { L->n.bordering++; return; }
    bool anon_now = o->tor_hit || o->anon_hit || counted_flags(L, o->geo.anon);
    if (anon_now || prev_anonymous(L, prev, ctx)) return;
    if (regular_country(L, o, cc)) { L->n.regular_travel++; return; }
    int64_t since = since_lookback(L, o->t_us);
    uint32_t k = L->cfg->arm.org_common_principals;
    struct usage_stats cuse = usage_country(tab, cc, o->principal_key, since);
    struct usage_stats iuse = usage_ip(tab, USAGE_IP, &o->op->caller_ip, o->principal_key, since);
    if (cuse.principals >= k || iuse.principals >= k) { L->n.org_travel++; return; }

    double lat1, lon1, lat2, lon2;
    bool centroid = false;
    if (!end_point(prev->has_coords, prev->lat, prev->lon, prev->cc, &lat1, &lon1, &centroid) ||
        !end_point(o->geo.has_location, o->geo.latitude, o->geo.longitude, cc, &lat2, &lon2, &centroid)) {
        L->n.no_coords++;
        return;
    }
    /* The accuracy radii are given away: the two ends could be that much
     * closer than their points. */
    double dist = geo_distance_km(lat1, lon1, lat2, lon2) - prev->radius_km - o->geo.accuracy_radius_km;
    if (dist < L->cfg->arm.travel_min_distance_km) return;
    /* A late record may come before the location it is compared with; the
     * gap is what matters. Under a second counts as a second. */
    int64_t gap_us = llabs(o->t_us - prev->t_us);
    if (gap_us < US_PER_SEC) gap_us = US_PER_SEC;
    double speed = dist / ((double)gap_us / (double)US_PER_HOUR);
    if (speed < L->cfg->arm.travel_min_speed_kmh) return;

    struct alert *a = location_alert("arm.location.impossible_travel", o);
    char prev_ip[IP_STRLEN], t_prev[40], t_now[40], num[32];
    ip_format(&prev->ip, prev_ip);
    time_format(prev->t_us, t_prev, sizeof t_prev);
    time_format(o->t_us, t_now, sizeof t_now);
    buf b;
    buf_init(&b);
    country_text(cc, o->geo.country_name, &b);
    alert_var(a, "country", buf_vstr(&b));
    buf_free(&b);
    alert_var(a, "prev_ip", vstr_c(prev_ip));
    /* the profile keeps the code only; the database gives the name back */
    struct geoip_result pg;
    geoip_lookup(ctx->geoip, &prev->ip, &pg);
    buf_init(&b);
    country_text((char[3]){ prev->cc[0], prev->cc[1], 0 },
                 pg.country[0] == prev->cc[0] && pg.country[1] == prev->cc[1] ? pg.country_name : NULL, &b);
    alert_var(a, "prev_country", buf_vstr(&b));
    buf_free(&b);
    alert_var(a, "prev_time", vstr_c(t_prev));
    alert_var(a, "time", vstr_c(t_now));
    snprintf(num, sizeof num, "%.0f", dist);
    alert_var(a, "distance_km", vstr_c(num));
    snprintf(num, sizeof num, "%.0f", speed);
    alert_var(a, "speed_kmh", vstr_c(num));
    alert_prop_str(a, "prev_ip", vstr_c(prev_ip));
    alert_prop_str(a, "prev_country", (vstr){ prev->cc, 2 });
    alert_prop_str(a, "prev_time", vstr_c(t_prev));
    alert_prop_str(a, "country", vstr_c(cc));
    alert_prop_str(a, "time", vstr_c(t_now));
    alert_prop_num(a, "distance_km", round(dist));
    alert_prop_num(a, "speed_kmh", round(speed));
    alert_prop_num(a, "gap_minutes", round((double)gap_us / (double)US_PER_MIN));
    alert_prop_str(a, "distance_from", centroid ? VSTR("country centres") : VSTR("coordinates"));
    alert_prop_int(a, "accuracy_radius_km", (int64_t)prev->radius_km + o->geo.accuracy_radius_km);
    alert_prop_int(a, "min_distance_km", L->cfg->arm.travel_min_distance_km);
    alert_prop_int(a, "min_speed_kmh", L->cfg->arm.travel_min_speed_kmh);
    vstr ips[2] = { vstr_c(prev_ip), o->op->caller_ip_text };
    alert_entity_strs(a, "ip", ips, 2);
    alert_emit(ctx->alerts, a);
    L->n.alerts_travel++;
}

/* ---- one operation ---------------------------------------------------------------------- */

/* Whether the operation says anything about where its principal is. */
static bool judgeable(struct arm_location *L, const struct arm_op *o) {
    if (o->trusted) { L->n.trusted++; return false; }
    if (o->outcome == MGMT_OUTCOME_FAILED) { L->n.failed++; return false; }
    const struct ipaddr *ip = &o->op->caller_ip;
    if (!o->public_ip || !o->op->has_ip || ip_is_zero(ip) || ip_is_private(ip)) { L->n.no_public_ip++; return false; }
    if (in_trusted_range(L, ip)) { L->n.trusted_range++; return false; }
    return true;
}

void arm_location_on_op(struct arm_location *L, const struct arm_op *o, struct principals *tab,
                        struct detect_ctx *ctx) {
    L->n.ops++;
    if (!judgeable(L, o)) return;
    L->n.judged++;
    if (o->geo.error) L->n.geoip_errors++;
    check_anonymous(L, o, tab, ctx);
    if (!o->geo.country[0]) {
        if (geoip_databases(ctx->geoip)) L->n.not_located++;
        else L->n.no_geoip++;
        return;
    }
    if (o->is_app) { L->n.apps++; return; }
    /* the organisation first: a principal's history is never longer */
    if (org_learning(L, o, tab)) { L->n.learning_org++; return; }
    if (principal_learning(L, o)) { L->n.learning_principal++; return; }
    check_country(L, o, tab, ctx);
    check_travel(L, o, tab, ctx);
}

/* ---- the summary ------------------------------------------------------------------------ */

void arm_location_report(struct arm_location *L, buf *out) {
    const struct loc_counts *n = &L->n;
    char lp[32];
    duration_format(L->cfg->arm.location_learning_us, lp, sizeof lp);
    buf_printf(out, "  arm.location: %" PRIu64 " operations judged from public addresses (%" PRIu64
                    " without one, %" PRIu64 " failed, %" PRIu64 " by trusted principals, %" PRIu64
                    " from trusted ranges skipped)\n",
               n->judged, n->no_public_ip, n->failed, n->trusted, n->trusted_range);
    if (n->no_geoip)
        buf_printf(out, "  arm.location: %" PRIu64 " operations not located: no --geoip database, so "
                        "infrequent_country and impossible_travel cannot judge (anonymous_ip uses intel only)\n",
                   n->no_geoip);
    if (n->not_located)
        buf_printf(out, "  arm.location: %" PRIu64 " operations from addresses the GeoIP databases do not place in "
                        "a country\n", n->not_located);
    if (n->geoip_errors)
        buf_printf(out, "  arm.location: %" PRIu64 " GeoIP lookups met a corrupt database record\n", n->geoip_errors);
    if (n->learning_principal || n->learning_org || n->anon_learning)
        buf_printf(out, "  arm.location: learning (history shorter than %s): %" PRIu64 " operations of new principals, %"
                        PRIu64 " while the organisation's history is short, %" PRIu64
                        " non-TOR anonymizer uses not judged yet\n",
                   lp, n->learning_principal, n->learning_org, n->anon_learning);
    buf_printf(out, "  arm.location: suppressed as the organisation's own: %" PRIu64 " anonymous addresses, %" PRIu64
                    " countries, %" PRIu64 " travel destinations; travel not judged: %" PRIu64 " bordering, %" PRIu64
                    " regular countries, %" PRIu64 " without coordinates; %" PRIu64 " operations of applications "
                    "judged on anonymity only\n",
               n->org_anon, n->org_country, n->org_travel, n->bordering, n->regular_travel, n->no_coords, n->apps);
    if (L->bad_ranges)
        buf_printf(out, "  arm.location: %" PRIu64 " detectors.arm.trusted_ranges entries are not CIDRs and are "
                        "ignored (first: %s)\n", L->bad_ranges, L->first_bad_range);
    if (L->unknown_flags)
        buf_printf(out, "  arm.location: %" PRIu64 " detectors.arm.anonymous_flags entries are not MaxMind flags and "
                        "are ignored (first: %s)\n", L->unknown_flags, L->first_unknown_flag);
}
