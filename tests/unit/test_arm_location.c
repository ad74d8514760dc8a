/* The arm.location.* analytics, driven as detect/arm.c drives them: each
 * operation is handed to arm_location_on_op with the principal's profile
 * as it stood before, then the profile and the organisation's usage are
 * updated (principal.h), and alerts go through a real aggregator.
 *
 * The estate: four colleagues work from London every day; a history of
 * ten days passes the seven-day learning period. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "config/config.h"
#include "detect/arm_internal.h"
#include "enrich/geoip.h"
#include "enrich/intel.h"
#include "state/principal.h"
#include "tmpdir.h"
#include "util/timeutil.h"

#define T0 INT64_C(1772409600000000)     /* 2026-03-02T00:00:00Z */
#define DAY(n) (T0 + (int64_t)(n) * US_PER_DAY)

struct place {
    const char *cc, *name;
    double lat, lon;
    uint32_t radius;
};
static const struct place LONDON = { "GB", "United Kingdom", 51.5074, -0.1278, 5 };
static const struct place PARIS = { "FR", "France", 48.8566, 2.3522, 5 };
static const struct place NEW_YORK = { "US", "United States", 40.7128, -74.0060, 5 };
static const struct place VANCOUVER = { "CA", "Canada", 49.2827, -123.1207, 5 };
static const struct place TOKYO = { "JP", "Japan", 35.6762, 139.6503, 5 };

struct fixture {
    char dir[64];
    struct vigil_config cfg;
    struct intel *intel;
    struct geoip *geoip;
    struct principals *tab;
    struct arm_location *loc;
    struct aggregator *ag;
    struct detect_ctx ctx;
    buf json;
    int n_alerts;
    char types[32][48], entities[32][48];
    uint64_t offset;
};

static void collect(void *ud, const struct alert *a) {
    struct fixture *fx = ud;
    if (fx->n_alerts < 32) {
        snprintf(fx->types[fx->n_alerts], 48, "%s", a->cat->type);
        snprintf(fx->entities[fx->n_alerts], 48, "%.*s", (int)a->entity.n, a->entity.p);
    }
    fx->n_alerts++;
    alert_to_json(a, &fx->json);
    buf_putc(&fx->json, '\n');
}

static struct fixture *fx_new(void) {
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    assert_int_equal(tmpdir_make(fx->dir, sizeof fx->dir, "armloc"), 0);
    config_defaults(&fx->cfg);
    fx->intel = intel_new();
    fx->geoip = geoip_new();
    buf_init(&fx->json);
    return fx;
}

/* A TOR exit list for the intel set, before start(). */
static void load_tor(struct fixture *fx, const char *list) {
    char path[256], spec[300], err[256];
    snprintf(path, sizeof path, "%s/exits.txt", fx->dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(list, f);
    fclose(f);
    snprintf(spec, sizeof spec, "tor=%s", path);
    assert_int_equal(intel_load(fx->intel, spec, err, sizeof err), 0);
}

/* Start the analytics (after the test has adjusted cfg). */
static void start(struct fixture *fx) {
    fx->tab = principals_new(1000, 10000);
    fx->loc = arm_location_new(&fx->cfg);
    fx->ag = aggregator_new(&fx->cfg, collect, fx);
    fx->ctx = (struct detect_ctx){ .cfg = &fx->cfg, .alerts = fx->ag, .watermark_us = TIME_NONE,
                                   .intel = fx->intel, .geoip = fx->geoip };
}

static void finish(struct fixture *fx) { aggregator_flush(fx->ag); }

static void fx_free(struct fixture *fx) {
    arm_location_free(fx->loc);
    aggregator_free(fx->ag);
    principals_free(fx->tab);
    intel_free(fx->intel);
    geoip_free(fx->geoip);
    config_free(&fx->cfg);
    buf_free(&fx->json);
    tmpdir_remove(fx->dir);
    free(fx);
}

/* One operation to hand in; fields a test may change before op(). */
struct opspec {
    const char *who;                    /* object id; display is who@contoso.com */
    const char *ip;
    const struct place *at;             /* NULL: the address is not located */
    int64_t t;
    enum mgmt_outcome outcome;
    bool is_app, trusted;
    unsigned anon;                      /* MaxMind flags */
};

/* What detect/arm.c does for one operation: build the arm_op (profile as
 * before), let the analytics look, then learn from it. */
static void op(struct fixture *fx, struct opspec s) {
    char display[64];
    snprintf(display, sizeof display, "%s@contoso.com", s.who);
    struct mgmt_op m = { .operation = VSTR("Microsoft.Compute/virtualMachines/write"),
                         .status = VSTR("Succeeded"), .object_id = vstr_c(s.who), .upn = vstr_c(display),
                         .caller_ip_text = vstr_c(s.ip), .has_ip = true,
                         .outcome = s.outcome ? s.outcome : MGMT_OUTCOME_SUCCEEDED,
                         .subscription = VSTR("sub-1") };
    assert_true(ip_parse(s.ip, strlen(s.ip), &m.caller_ip));
    struct event ev = { .time_us = s.t, .layer = LAYER_MGMT, .kind = EV_MGMT_OP,
                        .pos = { "activity.json", fx->offset += 700, 0 }, .u.mgmt = &m };
    struct arm_op o = { .ev = &ev, .op = &m, .t_us = s.t, .outcome = m.outcome, .principal_key = m.object_id,
                        .principal_display = m.upn, .is_app = s.is_app, .trusted = s.trusted,
                        .public_ip = !ip_is_private(&m.caller_ip) };
    if (o.public_ip && s.at) {
        o.geo.found = true;
        snprintf(o.geo.country, sizeof o.geo.country, "%s", s.at->cc);
        snprintf(o.geo.country_name, sizeof o.geo.country_name, "%s", s.at->name);
        o.geo.has_location = true;
        o.geo.latitude = s.at->lat;
        o.geo.longitude = s.at->lon;
        o.geo.accuracy_radius_km = s.at->radius;
    }
    o.geo.anon = s.anon;
    if (s.anon) o.geo.found = true;
    if (o.public_ip) o.tor_hit = intel_lookup(fx->intel, &m.caller_ip, INTEL_TOR, s.t);
    o.prof = principals_get(fx->tab, o.principal_key);
    if (fx->ctx.watermark_us == TIME_NONE || s.t > fx->ctx.watermark_us) fx->ctx.watermark_us = s.t;

    arm_location_on_op(fx->loc, &o, fx->tab, &fx->ctx);

    if (o.outcome == MGMT_OUTCOME_FAILED) return;          /* arm.c learns nothing from a failure */
    struct principal *p = principals_touch(fx->tab, o.principal_key, NULL);
    principal_note_op(fx->tab, p, s.t, o.principal_display, s.is_app);
    if (!o.public_ip) return;
    const char *cc = o.geo.country[0] ? o.geo.country : NULL;
    usage_note(fx->tab, &m.caller_ip, cc, o.principal_key, s.t);
    if (!cc) return;
    principal_note_country(p, cc, s.t);
    struct principal_location l = { .valid = true, .has_coords = o.geo.has_location, .lat = o.geo.latitude,
                                    .lon = o.geo.longitude, .radius_km = o.geo.accuracy_radius_km,
                                    .ip = m.caller_ip, .t_us = s.t };
    memcpy(l.cc, cc, 2);
    principal_note_location(p, &l);
}

/* Ten days of the four colleagues working from London, each from an
 * address of their own in 81.2.69.0/24, at nine every morning. */
static void london_history(struct fixture *fx) {
    static const char *const who[] = { "alice", "bob", "carol", "dave" };
    for (int d = 0; d < 10; d++)
        for (int i = 0; i < 4; i++) {
            char ip[32];
            snprintf(ip, sizeof ip, "81.2.69.%d", 10 + i);
            op(fx, (struct opspec){ .who = who[i], .ip = ip, .at = &LONDON, .t = DAY(d) + 9 * US_PER_HOUR });
        }
}

/* Some colleagues (not alice) have worked from a place on each of the
 * last days, from their own addresses in net (a "a.b.c." prefix). */
static void colleagues_at(struct fixture *fx, const struct place *at, const char *net, int n, int first_day) {
    static const char *const who[] = { "bob", "carol", "dave" };
    for (int d = first_day; d < 10; d++)
        for (int i = 0; i < n; i++) {
            char ip[32];
            snprintf(ip, sizeof ip, "%s%d", net, 20 + i);
            op(fx, (struct opspec){ .who = who[i], .ip = ip, .at = at, .t = DAY(d) + 15 * US_PER_HOUR });
        }
}

static int count_type(const struct fixture *fx, const char *type) {
    int n = 0;
    for (int i = 0; i < fx->n_alerts && i < 32; i++) n += !strcmp(fx->types[i], type);
    return n;
}

static void expect_only(const struct fixture *fx, const char *type, const char *entity) {
    if (fx->n_alerts != 1) fail_msg("%d alerts, expected one %s:\n%s", fx->n_alerts, type, fx->json.p ? fx->json.p : "");
    assert_string_equal(fx->types[0], type);
    assert_string_equal(fx->entities[0], entity);
}

static void expect_none(const struct fixture *fx) {
    if (fx->n_alerts) fail_msg("expected no alert:\n%s", fx->json.p);
}

static const char *json(struct fixture *fx) { return buf_cstr(&fx->json); }

/* ---- infrequent country ------------------------------------------------- */

static void test_history_alone_is_quiet(void **state) {
    (void)state;
    struct fixture *fx = fx_new();
    start(fx);
    london_history(fx);
    colleagues_at(fx, &PARIS, "2.3.4.", 3, 5);
    finish(fx);
    expect_none(fx);
    fx_free(fx);
}

static void test_new_country_fires(void **state) {
    (void)state;
    struct fixture *fx = fx_new();
    start(fx);
    london_history(fx);
    op(fx, (struct opspec){ .who = "alice", .ip = "175.16.199.1", .at = &TOKYO, .t = DAY(10) + 12 * US_PER_HOUR });
    /* a second operation that day aggregates into the same alert */
    op(fx, (struct opspec){ .who = "alice", .ip = "175.16.199.1", .at = &TOKYO, .t = DAY(10) + 13 * US_PER_HOUR });
    finish(fx);
    /* London 09:00 -> Tokyo 27 hours later is 359 km/h: no impossible travel */
    expect_only(fx, "arm.location.infrequent_country", "alice@contoso.com");
    const char *j = json(fx);
    assert_non_null(strstr(j, "\"count\":2"));
    assert_non_null(strstr(j, "alice@contoso.com (alice) performed management operations from 175.16.199.1 in "
                              "Japan (JP), a country this account has not worked from in the last 30 days: "
                              "Microsoft.Compute/virtualMachines/write."));
    assert_non_null(strstr(j, "\"known_countries\":[{\"country\":\"GB\",\"operations\":10,\"days\":10,"));
    assert_non_null(strstr(j, "\"org_principals_country\":0"));
    assert_non_null(strstr(j, "\"account_id\":\"alice\""));
    assert_non_null(strstr(j, "\"summary\":\"Microsoft.Compute/virtualMachines/write Succeeded from 175.16.199.1 (JP)\""));
    fx_free(fx);
}

static void test_country_the_org_uses_is_quiet(void **state) {
    (void)state;
    struct fixture *fx = fx_new();
    start(fx);
    london_history(fx);
    colleagues_at(fx, &PARIS, "2.3.4.", 3, 5);
    op(fx, (struct opspec){ .who = "alice", .ip = "2.3.5.9", .at = &PARIS, .t = DAY(10) + 12 * US_PER_HOUR });
    finish(fx);
    expect_none(fx);
    fx_free(fx);
}

static void test_country_too_few_colleagues_use_fires(void **state) {
    (void)state;
    struct fixture *fx = fx_new();
    start(fx);
    london_history(fx);
    colleagues_at(fx, &PARIS, "2.3.4.", 2, 5);                /* two others: below org_common_principals 3 */
    op(fx, (struct opspec){ .who = "alice", .ip = "2.3.5.9", .at = &PARIS, .t = DAY(10) + 12 * US_PER_HOUR });
    finish(fx);
    expect_only(fx, "arm.location.infrequent_country", "alice@contoso.com");
    assert_non_null(strstr(json(fx), "\"org_principals_country\":2"));
    fx_free(fx);
}

static void test_colleagues_long_ago_do_not_count(void **state) {
    (void)state;
    struct fixture *fx = fx_new();
    fx->cfg.arm.location_lookback_us = 3 * US_PER_DAY;
    start(fx);
    london_history(fx);
    colleagues_at(fx, &PARIS, "2.3.4.", 3, 5);                 /* last there on day 9 15:00 */
    op(fx, (struct opspec){ .who = "alice", .ip = "2.3.5.9", .at = &PARIS, .t = DAY(13) + 16 * US_PER_HOUR });
    finish(fx);
    expect_only(fx, "arm.location.infrequent_country", "alice@contoso.com");
    fx_free(fx);
}

static void test_learning_is_quiet(void **state) {
    (void)state;
    struct fixture *fx = fx_new();
    start(fx);
    /* the organisation's first days: nobody is judged on country */
    for (int d = 0; d < 3; d++)
        op(fx, (struct opspec){ .who = "alice", .ip = "81.2.69.10", .at = &LONDON, .t = DAY(d) + 9 * US_PER_HOUR });
    op(fx, (struct opspec){ .who = "alice", .ip = "175.16.199.1", .at = &TOKYO, .t = DAY(3) + 9 * US_PER_HOUR });
    london_history(fx);                                         /* days 0..9 for everyone */
    /* a principal first seen two days ago, in an organisation with history */
    op(fx, (struct opspec){ .who = "erin", .ip = "81.2.69.50", .at = &LONDON, .t = DAY(8) + 9 * US_PER_HOUR });
    op(fx, (struct opspec){ .who = "erin", .ip = "175.16.199.2", .at = &TOKYO, .t = DAY(10) + 9 * US_PER_HOUR });
    finish(fx);
    expect_none(fx);
    buf b;
    buf_init(&b);
    arm_location_report(fx->loc, &b);
    assert_non_null(strstr(buf_cstr(&b), "learning (history shorter than 1w): 2 operations of new principals, 32 "
                                         "while the organisation's history is short"));
    buf_free(&b);
    fx_free(fx);
}

static void test_failed_trusted_and_private_are_quiet(void **state) {
    (void)state;
    struct fixture *fx = fx_new();
    load_tor(fx, "185.220.101.7\n");
    config_free(&fx->cfg);
    config_defaults(&fx->cfg);
    char err[256];
    char path[256];
    snprintf(path, sizeof path, "%s/c.yaml", fx->dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("detectors:\n  arm:\n    trusted_ranges: [198.51.100.0/24, not-a-cidr]\n", f);
    fclose(f);
    assert_int_equal(config_load(&fx->cfg, path, err, sizeof err), 0);
    start(fx);
    london_history(fx);
    int64_t t = DAY(10) + 12 * US_PER_HOUR;
    op(fx, (struct opspec){ .who = "alice", .ip = "185.220.101.7", .at = &TOKYO, .t = t,
                            .outcome = MGMT_OUTCOME_FAILED });
    op(fx, (struct opspec){ .who = "alice", .ip = "185.220.101.7", .at = &TOKYO, .t = t + 1, .trusted = true });
    op(fx, (struct opspec){ .who = "alice", .ip = "198.51.100.7", .at = &TOKYO, .t = t + 2,
                            .anon = GEOIP_ANONYMOUS | GEOIP_TOR_EXIT_NODE });
    op(fx, (struct opspec){ .who = "alice", .ip = "10.1.2.3", .at = NULL, .t = t + 3 });
    finish(fx);
    expect_none(fx);
    buf b;
    buf_init(&b);
    arm_location_report(fx->loc, &b);
    const char *r = buf_cstr(&b);
    assert_non_null(strstr(r, "(1 without one, 1 failed, 1 by trusted principals, 1 from trusted ranges skipped)"));
    assert_non_null(strstr(r, "1 detectors.arm.trusted_ranges entries are not CIDRs and are ignored (first: not-a-cidr)"));
    buf_free(&b);
    fx_free(fx);
}

static void test_apps_not_judged_on_country(void **state) {
    (void)state;
    struct fixture *fx = fx_new();
    start(fx);
    london_history(fx);
    for (int d = 0; d < 10; d++)
        op(fx, (struct opspec){ .who = "deploy-bot", .ip = "20.50.1.1", .at = &PARIS, .t = DAY(d), .is_app = true });
    op(fx, (struct opspec){ .who = "deploy-bot", .ip = "20.60.1.1", .at = &TOKYO, .t = DAY(10) + US_PER_HOUR,
                            .is_app = true });
    finish(fx);
    expect_none(fx);
    fx_free(fx);
}

static void test_no_geoip_is_reported(void **state) {
    (void)state;
    struct fixture *fx = fx_new();
    start(fx);
    for (int d = 0; d < 10; d++)
        op(fx, (struct opspec){ .who = "alice", .ip = "81.2.69.10", .at = NULL, .t = DAY(d) });
    finish(fx);
    expect_none(fx);
    buf b;
    buf_init(&b);
    arm_location_report(fx->loc, &b);
    assert_non_null(strstr(buf_cstr(&b), "arm.location: 10 operations not located: no --geoip database"));
    assert_non_null(strstr(buf_cstr(&b), "arm.location: 10 operations judged from public addresses"));
    buf_free(&b);
    fx_free(fx);
}

/* ---- anonymous IP ------------------------------------------------------- */

static void test_tor_fires_even_for_a_new_principal(void **state) {
    (void)state;
    struct fixture *fx = fx_new();
    load_tor(fx, "# exits\n185.220.101.7\n");
    start(fx);
    op(fx, (struct opspec){ .who = "mallory", .ip = "185.220.101.7", .at = &TOKYO, .t = DAY(0) });
    finish(fx);
    expect_only(fx, "arm.location.anonymous_ip", "mallory@contoso.com");
    const char *j = json(fx);
    assert_non_null(strstr(j, "from 185.220.101.7, an address identified as a TOR exit node (tor list exits.txt, "
                              "line 2): Microsoft.Compute/virtualMachines/write."));
    assert_non_null(strstr(j, "\"intel_tor\":\""));
    assert_non_null(strstr(j, "exits.txt:2\""));
    assert_non_null(strstr(j, "\"tor\":true"));
    fx_free(fx);
}

static void test_maxmind_flags_and_the_config(void **state) {
    (void)state;
    struct fixture *fx = fx_new();
    start(fx);
    london_history(fx);
    int64_t t = DAY(10) + 10 * US_PER_HOUR;
    /* a hosting provider is not anonymous by default, although MaxMind
     * sets is_anonymous for it */
    op(fx, (struct opspec){ .who = "alice", .ip = "81.2.69.10", .at = &LONDON, .t = t,
                            .anon = GEOIP_ANONYMOUS | GEOIP_HOSTING_PROVIDER });
    finish(fx);
    expect_none(fx);
    /* an anonymous VPN is (an address outside the colleagues' /24) */
    op(fx, (struct opspec){ .who = "alice", .ip = "45.83.1.1", .at = &LONDON, .t = t + US_PER_MIN,
                            .anon = GEOIP_ANONYMOUS | GEOIP_ANONYMOUS_VPN });
    finish(fx);
    expect_only(fx, "arm.location.anonymous_ip", "alice@contoso.com");
    assert_non_null(strstr(json(fx), "an address identified as anonymous VPN (MaxMind Anonymous-IP)"));
    assert_non_null(strstr(json(fx), "\"maxmind_flags\":\"anonymous VPN\""));
    fx_free(fx);
}

static void test_vpn_exit_used_by_many_is_quiet(void **state) {
    (void)state;
    struct fixture *fx = fx_new();
    start(fx);
    london_history(fx);
    /* the company VPN: an address MaxMind flags, used daily by three colleagues */
    static const char *const who[] = { "bob", "carol", "dave" };
    for (int d = 3; d < 10; d++)
        for (int i = 0; i < 3; i++)
            op(fx, (struct opspec){ .who = who[i], .ip = "203.0.113.80", .at = &LONDON,
                                    .t = DAY(d) + 14 * US_PER_HOUR, .anon = GEOIP_ANONYMOUS | GEOIP_ANONYMOUS_VPN });
    finish(fx);
    /* once the organisation's history was long enough to judge (day 7),
     * each of them had only two others beside them there: alerts */
    int before = fx->n_alerts;
    assert_true(before >= 3);
    assert_int_equal(count_type(fx, "arm.location.anonymous_ip"), before);
    op(fx, (struct opspec){ .who = "alice", .ip = "203.0.113.80", .at = &LONDON, .t = DAY(10) + 9 * US_PER_HOUR,
                            .anon = GEOIP_ANONYMOUS | GEOIP_ANONYMOUS_VPN });
    /* and another address of the same /24 */
    op(fx, (struct opspec){ .who = "alice", .ip = "203.0.113.81", .at = &LONDON, .t = DAY(10) + 10 * US_PER_HOUR,
                            .anon = GEOIP_ANONYMOUS | GEOIP_ANONYMOUS_VPN });
    finish(fx);
    assert_int_equal(fx->n_alerts, before);
    buf b;
    buf_init(&b);
    arm_location_report(fx->loc, &b);
    assert_non_null(strstr(buf_cstr(&b), "suppressed as the organisation's own: 2 anonymous addresses"));
    buf_free(&b);
    fx_free(fx);
}

static void test_non_tor_anonymizer_waits_for_org_history(void **state) {
    (void)state;
    struct fixture *fx = fx_new();
    start(fx);
    op(fx, (struct opspec){ .who = "alice", .ip = "81.2.69.10", .at = &LONDON, .t = DAY(0),
                            .anon = GEOIP_ANONYMOUS | GEOIP_PUBLIC_PROXY });
    finish(fx);
    expect_none(fx);
    buf b;
    buf_init(&b);
    arm_location_report(fx->loc, &b);
    assert_non_null(strstr(buf_cstr(&b), "1 non-TOR anonymizer uses not judged yet"));
    buf_free(&b);
    fx_free(fx);
}

static void test_app_on_tor_fires(void **state) {
    (void)state;
    struct fixture *fx = fx_new();
    load_tor(fx, "185.220.101.7\n");
    start(fx);
    london_history(fx);
    op(fx, (struct opspec){ .who = "deploy-bot", .ip = "185.220.101.7", .at = &TOKYO, .t = DAY(10),
                            .is_app = true });
    finish(fx);
    expect_only(fx, "arm.location.anonymous_ip", "deploy-bot@contoso.com");
    fx_free(fx);
}

/* ---- impossible travel -------------------------------------------------- */

static void test_london_new_york_in_two_hours_fires(void **state) {
    (void)state;
    struct fixture *fx = fx_new();
    start(fx);
    london_history(fx);
    op(fx, (struct opspec){ .who = "alice", .ip = "81.2.69.10", .at = &LONDON, .t = DAY(10) + 9 * US_PER_HOUR });
    op(fx, (struct opspec){ .who = "alice", .ip = "216.160.83.56", .at = &NEW_YORK, .t = DAY(10) + 11 * US_PER_HOUR });
    finish(fx);
    assert_int_equal(fx->n_alerts, 2);
    assert_int_equal(count_type(fx, "arm.location.impossible_travel"), 1);
    assert_int_equal(count_type(fx, "arm.location.infrequent_country"), 1);
    const char *j = strstr(json(fx), "\"type\":\"arm.location.impossible_travel\"");
    assert_non_null(j);
    /* 5570 km less both 5 km radii, in two hours */
    assert_non_null(strstr(j, "acted from 81.2.69.10 in GB at 2026-03-12T09:00:00Z and from 216.160.83.56 in "
                              "United States (US) at 2026-03-12T11:00:00Z, 5560 km apart: covering that distance "
                              "would take 2780 km/h."));
    assert_non_null(strstr(j, "\"distance_km\":5560"));
    assert_non_null(strstr(j, "\"gap_minutes\":120"));
    assert_non_null(strstr(j, "\"distance_from\":\"coordinates\""));
    assert_non_null(strstr(j, "\"ip\":[\"81.2.69.10\",\"216.160.83.56\"]"));
    assert_null(strstr(j, "{prev_"));
    fx_free(fx);
}

static void test_london_paris_in_six_hours_is_quiet(void **state) {
    (void)state;
    struct fixture *fx = fx_new();
    start(fx);
    london_history(fx);
    colleagues_at(fx, &PARIS, "2.3.4.", 3, 5);                 /* so Paris is no infrequent country either */
    op(fx, (struct opspec){ .who = "alice", .ip = "81.2.69.10", .at = &LONDON, .t = DAY(10) + 9 * US_PER_HOUR });
    op(fx, (struct opspec){ .who = "alice", .ip = "2.3.5.9", .at = &PARIS, .t = DAY(10) + 15 * US_PER_HOUR });
    finish(fx);
    expect_none(fx);
    fx_free(fx);
}

static void test_london_paris_in_ten_minutes_is_too_short_for_travel(void **state) {
    (void)state;
    struct fixture *fx = fx_new();
    start(fx);
    london_history(fx);
    colleagues_at(fx, &PARIS, "2.3.4.", 2, 5);                 /* too few for the organisation to cover Paris */
    op(fx, (struct opspec){ .who = "alice", .ip = "81.2.69.10", .at = &LONDON, .t = DAY(10) + 9 * US_PER_HOUR });
    /* 2000 km/h, but 344 km is under travel_min_distance_km */
    op(fx, (struct opspec){ .who = "alice", .ip = "2.3.5.9", .at = &PARIS,
                            .t = DAY(10) + 9 * US_PER_HOUR + 10 * US_PER_MIN });
    finish(fx);
    expect_only(fx, "arm.location.infrequent_country", "alice@contoso.com");
    fx_free(fx);
}

static void test_travel_quiet_where_the_org_goes(void **state) {
    (void)state;
    struct fixture *fx = fx_new();
    start(fx);
    london_history(fx);
    colleagues_at(fx, &NEW_YORK, "216.160.83.", 3, 5);
    op(fx, (struct opspec){ .who = "alice", .ip = "81.2.69.10", .at = &LONDON, .t = DAY(10) + 9 * US_PER_HOUR });
    op(fx, (struct opspec){ .who = "alice", .ip = "216.160.83.90", .at = &NEW_YORK, .t = DAY(10) + 10 * US_PER_HOUR });
    finish(fx);
    expect_none(fx);
    fx_free(fx);
}

static void test_travel_to_a_bordering_country_is_not_travel(void **state) {
    (void)state;
    struct fixture *fx = fx_new();
    start(fx);
    london_history(fx);
    colleagues_at(fx, &NEW_YORK, "216.160.83.", 3, 5);
    /* alice works from New York, then from Vancouver an hour later: 3900 km,
     * but the US and Canada share a border. Canada is new to her and to the
     * organisation, which is the other alert's business. */
    op(fx, (struct opspec){ .who = "alice", .ip = "216.160.83.10", .at = &NEW_YORK, .t = DAY(10) + 9 * US_PER_HOUR });
    op(fx, (struct opspec){ .who = "alice", .ip = "24.80.1.50", .at = &VANCOUVER, .t = DAY(10) + 10 * US_PER_HOUR });
    finish(fx);
    assert_int_equal(count_type(fx, "arm.location.impossible_travel"), 0);
    assert_int_equal(count_type(fx, "arm.location.infrequent_country"), 1);
    buf b;
    buf_init(&b);
    arm_location_report(fx->loc, &b);
    assert_non_null(strstr(buf_cstr(&b), "travel not judged: 1 bordering"));
    buf_free(&b);
    fx_free(fx);
}

static void test_travel_from_an_anonymous_address_is_not_travel(void **state) {
    (void)state;
    struct fixture *fx = fx_new();
    start(fx);
    london_history(fx);
    op(fx, (struct opspec){ .who = "alice", .ip = "81.2.69.10", .at = &LONDON, .t = DAY(10) + 9 * US_PER_HOUR });
    op(fx, (struct opspec){ .who = "alice", .ip = "216.160.83.56", .at = &NEW_YORK, .t = DAY(10) + 10 * US_PER_HOUR,
                            .anon = GEOIP_ANONYMOUS | GEOIP_ANONYMOUS_VPN });
    finish(fx);
    assert_int_equal(count_type(fx, "arm.location.impossible_travel"), 0);
    assert_int_equal(count_type(fx, "arm.location.anonymous_ip"), 1);
    fx_free(fx);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_history_alone_is_quiet),
        cmocka_unit_test(test_new_country_fires),
        cmocka_unit_test(test_country_the_org_uses_is_quiet),
        cmocka_unit_test(test_country_too_few_colleagues_use_fires),
        cmocka_unit_test(test_colleagues_long_ago_do_not_count),
        cmocka_unit_test(test_learning_is_quiet),
        cmocka_unit_test(test_failed_trusted_and_private_are_quiet),
        cmocka_unit_test(test_apps_not_judged_on_country),
        cmocka_unit_test(test_no_geoip_is_reported),
        cmocka_unit_test(test_tor_fires_even_for_a_new_principal),
        cmocka_unit_test(test_maxmind_flags_and_the_config),
        cmocka_unit_test(test_vpn_exit_used_by_many_is_quiet),
        cmocka_unit_test(test_non_tor_anonymizer_waits_for_org_history),
        cmocka_unit_test(test_app_on_tor_fires),
        cmocka_unit_test(test_london_new_york_in_two_hours_fires),
        cmocka_unit_test(test_london_paris_in_six_hours_is_quiet),
        cmocka_unit_test(test_london_paris_in_ten_minutes_is_too_short_for_travel),
        cmocka_unit_test(test_travel_quiet_where_the_org_goes),
        cmocka_unit_test(test_travel_to_a_bordering_country_is_not_travel),
        cmocka_unit_test(test_travel_from_an_anonymous_address_is_not_travel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
