/* The network detector, fed EV_FLOW events directly with a real inventory
 * and intel set: hour closing, the three baseline tiers, floors, caps, the
 * hour rule, connection counting, sampling, malicious peers, persistence. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpdir.h"
#include "alert/alert.h"
#include "config/config.h"
#include "detect/detector.h"
#include "enrich/intel.h"
#include "enrich/inventory.h"
#include "store/store.h"
#include "util/timeutil.h"

extern const struct detector network_detector;

#define T0 INT64_C(1772409600000000)     /* 2026-03-02T00:00:00Z */
#define H(n) (T0 + (int64_t)(n) * US_PER_HOUR)

struct fixture {
    char dir[64];
    struct vigil_config cfg;
    struct intel *intel;
    struct inventory *inv;
    struct aggregator *ag;
    struct detect_ctx ctx;
    void *det;
    buf alerts;                         /* JSON lines */
    int n_alerts;
    char types[64][48], entities[64][48];
    uint64_t offset;
};

static void collect(void *ud, const struct alert *a) {
    struct fixture *fx = ud;
    if (fx->n_alerts < 64) {
        snprintf(fx->types[fx->n_alerts], 48, "%s", a->cat->type);
        snprintf(fx->entities[fx->n_alerts], 48, "%.*s", (int)a->entity.n, a->entity.p);
    }
    fx->n_alerts++;
    alert_to_json(a, &fx->alerts);
    buf_putc(&fx->alerts, '\n');
}

static void write_file(const char *dir, const char *name, const char *text) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* The VMs every test uses, unless it writes its own inventory. */
static const char *const INVENTORY =
    "{\"vm\": \"vm-a\", \"ip\": \"10.0.0.1\", \"from\": \"2026-03-01T00:00:00Z\", \"to\": null}\n"
    "{\"vm\": \"vm-b\", \"ip\": \"10.0.0.2\", \"from\": \"2026-03-01T00:00:00Z\", \"to\": null}\n"
    "{\"vm\": \"vm-c\", \"ip\": \"10.0.0.3\", \"from\": \"2026-03-01T00:00:00Z\", \"to\": null}\n"
    "{\"vm\": \"vm-d\", \"ip\": \"10.0.0.4\", \"from\": \"2026-03-01T00:00:00Z\", \"to\": null}\n"
    "{\"vm\": \"vm-e\", \"ip\": \"10.0.0.5\", \"from\": \"2026-03-01T00:00:00Z\", \"to\": null}\n"
    "{\"vm\": \"vm-new\", \"ip\": \"10.0.0.9\", \"from\": \"2026-03-01T00:00:00Z\", \"to\": null}\n"
    "{\"vm\": \"vm-moved\", \"ip\": \"10.0.1.1\", \"from\": \"2026-03-01T00:00:00Z\", \"to\": \"2026-03-03T02:30:00Z\"}\n"
    "{\"vm\": \"vm-moved\", \"ip\": \"10.0.1.2\", \"from\": \"2026-03-03T02:30:00Z\", \"to\": null}\n";

static void setup_with(struct fixture *fx, const char *inventory, const char *intel_list) {
    memset(fx, 0, sizeof *fx);
    assert_int_equal(tmpdir_make(fx->dir, sizeof fx->dir, "net"), 0);
    config_defaults(&fx->cfg);
    char err[256], path[256];
    fx->inv = inventory_new();
    fx->intel = intel_new();
    if (inventory) {
        write_file(fx->dir, "inventory.jsonl", inventory);
        snprintf(path, sizeof path, "%s/inventory.jsonl", fx->dir);
        assert_int_equal(inventory_load(fx->inv, path, err, sizeof err), 0);
    }
    if (intel_list) {
        write_file(fx->dir, "c2.txt", intel_list);
        snprintf(path, sizeof path, "malicious=%s/c2.txt", fx->dir);
        assert_int_equal(intel_load(fx->intel, path, err, sizeof err), 0);
    }
    buf_init(&fx->alerts);
}

/* Start the detector (after the test has adjusted cfg). */
static void start(struct fixture *fx) {
    fx->ag = aggregator_new(&fx->cfg, collect, fx);
    fx->ctx = (struct detect_ctx){ .cfg = &fx->cfg, .alerts = fx->ag, .watermark_us = TIME_NONE,
                                   .intel = fx->intel, .inventory = fx->inv };
    fx->det = network_detector.create(&fx->cfg);
}

static void stop(struct fixture *fx) {
    if (fx->det) network_detector.destroy(fx->det);
    if (fx->ag) aggregator_free(fx->ag);
    fx->det = NULL;
    fx->ag = NULL;
}

static void teardown_fx(struct fixture *fx) {
    stop(fx);
    intel_free(fx->intel);
    inventory_free(fx->inv);
    config_free(&fx->cfg);
    buf_free(&fx->alerts);
    tmpdir_remove(fx->dir);
}

static struct flow mkflow(const char *src, const char *dst, uint16_t sport, uint16_t dport, uint8_t proto,
                          uint32_t sampling) {
    struct flow f = { .src_port = sport, .dst_port = dport, .proto = proto, .packets = 10, .octets = 2000,
                      .has = FLOW_HAS_PORTS | FLOW_HAS_TIMES };
    assert_true(ip_parse(src, strlen(src), &f.src));
    assert_true(ip_parse(dst, strlen(dst), &f.dst));
    if (sampling) { f.sampling = sampling; f.has |= FLOW_HAS_SAMPLING; }
    return f;
}

/* Feed one flow at t, moving the watermark as vigil scan does. */
static void feed(struct fixture *fx, int64_t t, const struct flow *f) {
    struct flow copy = *f;
    copy.start_us = copy.end_us = t;
    struct event ev = { .time_us = t, .layer = LAYER_NETWORK, .kind = EV_FLOW,
                        .pos = { "flows.ipfix", fx->offset += 58, 0 }, .u.flow = &copy };
    if (fx->ctx.watermark_us == TIME_NONE || t > fx->ctx.watermark_us) {
        fx->ctx.watermark_us = t;
        network_detector.on_tick(fx->det, t, &fx->ctx);
    }
    network_detector.on_event(fx->det, &ev, &fx->ctx);
}

/* Close everything and hand every alert out. */
static void finish(struct fixture *fx) {
    network_detector.on_end(fx->det, &fx->ctx);
    aggregator_flush(fx->ag);
}

static void report(struct fixture *fx, buf *out) {
    buf_clear(out);
    network_detector.report(fx->det, out);
    buf_cstr(out);
}

static char peer_buf[32];
static const char *peer(int i) {
    snprintf(peer_buf, sizeof peer_buf, "203.0.%d.%d", 113 + i / 250, 1 + i % 250);
    return peer_buf;
}

/* n distinct external SSH destinations from ip in hour h. */
static void sweep(struct fixture *fx, const char *ip, int h, int n, uint16_t port) {
    for (int i = 0; i < n; i++) {
        struct flow f = mkflow(ip, peer(i), (uint16_t)(40000 + i), port, 6, 0);
        feed(fx, H(h) + (int64_t)i * US_PER_SEC, &f);
    }
}

/* One ordinary HTTPS flow per hour, which keeps a VM observed. */
static void background(struct fixture *fx, const char *ip, int h0, int h1) {
    for (int h = h0; h < h1; h++) {
        struct flow f = mkflow(ip, "192.0.2.80", (uint16_t)(50000 + h), 443, 6, 0);
        feed(fx, H(h) + 59 * US_PER_MIN, &f);
    }
}

static bool has_alert(struct fixture *fx, const char *type, const char *entity) {
    for (int i = 0; i < fx->n_alerts && i < 64; i++)
        if (!strcmp(fx->types[i], type) && !strcmp(fx->entities[i], entity)) return true;
    return false;
}

static bool alerts_contain(struct fixture *fx, const char *text) {
    return strstr(buf_cstr(&fx->alerts), text) != NULL;
}

/* ---- tests -------------------------------------------------------------- */

/* With no history anywhere, the bar is floor x cold_start_factor (60). */
static void test_cold_start_bar(void **state) {
    (void)state;
    struct fixture fx;
    setup_with(&fx, INVENTORY, NULL);
    start(&fx);
    sweep(&fx, "10.0.0.1", 0, 59, 22);
    sweep(&fx, "10.0.0.2", 0, 60, 22);
    finish(&fx);
    assert_int_equal(fx.n_alerts, 1);
    assert_true(has_alert(&fx, "net.ssh.outbound.multi", "vm-b"));
    assert_true(alerts_contain(&fx, "\"basis\":\"none\""));
    assert_true(alerts_contain(&fx, "\"threshold\":60"));
    assert_true(alerts_contain(&fx, "\"distinct_peers\":60"));
    teardown_fx(&fx);
}

/* A VM with a day of quiet history: its own baseline (median 0), so the
 * floor (20) decides. */
static void test_floor_over_own_baseline(void **state) {
    (void)state;
    struct fixture fx;
    setup_with(&fx, INVENTORY, NULL);
    start(&fx);
    for (int h = 0; h < 30; h++) {              /* in time order, as vigil scan merges */
        background(&fx, "10.0.0.1", h, h + 1);
        background(&fx, "10.0.0.2", h, h + 1);
    }
    sweep(&fx, "10.0.0.1", 30, 19, 22);
    sweep(&fx, "10.0.0.2", 30, 20, 22);
    finish(&fx);
    assert_int_equal(fx.n_alerts, 1);
    assert_true(has_alert(&fx, "net.ssh.outbound.multi", "vm-b"));
    assert_true(alerts_contain(&fx, "\"basis\":\"vm\",\"hours\":30"));
    assert_true(alerts_contain(&fx, "\"median\":0"));
    assert_true(alerts_contain(&fx, "\"threshold\":20"));
    teardown_fx(&fx);
}

/* A busy VM (30 destinations every hour): median 30, MAD 0, spread
 * sqrt(30) = 5.48, threshold 30 + 5 x 5.48 -> 58. */
static void test_busy_baseline_threshold(void **state) {
    (void)state;
    struct fixture fx;
    setup_with(&fx, INVENTORY, NULL);
    start(&fx);
    for (int h = 0; h < 30; h++) {
        sweep(&fx, "10.0.0.1", h, 30, 22);
        sweep(&fx, "10.0.0.2", h, 30, 22);
    }
    sweep(&fx, "10.0.0.1", 30, 57, 22);
    sweep(&fx, "10.0.0.2", 30, 58, 22);
    finish(&fx);
    assert_int_equal(fx.n_alerts, 1);
    assert_true(has_alert(&fx, "net.ssh.outbound.multi", "vm-b"));
    assert_true(alerts_contain(&fx, "\"threshold\":58"));
    assert_true(alerts_contain(&fx, "\"median\":30,\"mad\":0"));
    teardown_fx(&fx);
}

/* Busy working hours, idle nights: the median is 0, and the busy-hour
 * guard (1.5 x the 95th percentile, 40) keeps an ordinary busy hour quiet. */
static void test_busy_hours_guard(void **state) {
    (void)state;
    struct fixture fx;
    setup_with(&fx, INVENTORY, NULL);
    start(&fx);
    for (int h = 0; h < 30; h++) {
        background(&fx, "10.0.0.1", h, h + 1);
        background(&fx, "10.0.0.2", h, h + 1);
        if (h % 3 == 0) {
            sweep(&fx, "10.0.0.1", h, 40, 22);
            sweep(&fx, "10.0.0.2", h, 40, 22);
        }
    }
    sweep(&fx, "10.0.0.1", 30, 60, 22);
    sweep(&fx, "10.0.0.2", 30, 61, 22);
    finish(&fx);
    assert_int_equal(fx.n_alerts, 1);
    assert_true(has_alert(&fx, "net.ssh.outbound.multi", "vm-b"));
    assert_true(alerts_contain(&fx, "\"median\":0,\"mad\":0,\"spread\":1,\"k\":5,\"busy\":40"));
    assert_true(alerts_contain(&fx, "\"threshold\":61"));
    teardown_fx(&fx);
}

/* A VM without history of its own is judged by the environment once the
 * environment has a day of history: four VMs reach 40 destinations every
 * hour (threshold 40 + 5 x sqrt(40) -> 72), so 65 from a newcomer is
 * ordinary (it would pass the cold-start bar of 60), and 80 is not. In the
 * environment's first day the same newcomer faces the cold-start bar. */
static void test_environment_prior(void **state) {
    (void)state;
    const char *busy[] = { "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4" };
    for (int hours = 10; hours <= 26; hours += 16) {
        struct fixture fx;
        setup_with(&fx, INVENTORY, NULL);
        start(&fx);
        for (int h = 0; h < hours; h++)
            for (int v = 0; v < 4; v++) sweep(&fx, busy[v], h, 40, 22);
        sweep(&fx, "10.0.0.9", hours, 65, 22);
        sweep(&fx, "10.0.0.5", hours, 80, 22);
        finish(&fx);
        if (hours < 24) {                       /* young environment: cold start */
            assert_int_equal(fx.n_alerts, 2);
            assert_true(alerts_contain(&fx, "\"basis\":\"none\""));
        } else {
            assert_int_equal(fx.n_alerts, 1);
            assert_true(has_alert(&fx, "net.ssh.outbound.multi", "vm-e"));
            assert_true(alerts_contain(&fx, "\"basis\":\"environment\",\"hours\":104,\"vm_hours\":0"));
            assert_true(alerts_contain(&fx, "\"threshold\":72"));
        }
        teardown_fx(&fx);
    }
}

/* An hour is evaluated once the watermark passes its end plus the allowed
 * lateness, not before; a record for it after that is late. */
static void test_hour_closes_on_watermark(void **state) {
    (void)state;
    struct fixture fx;
    setup_with(&fx, INVENTORY, NULL);
    start(&fx);
    sweep(&fx, "10.0.0.1", 0, 70, 22);
    int64_t due = H(1) + fx.cfg.allowed_lateness_us;
    struct flow f = mkflow("10.0.0.2", "192.0.2.80", 50000, 443, 6, 0);
    feed(&fx, due - 1, &f);
    aggregator_flush(fx.ag);
    assert_int_equal(fx.n_alerts, 0);
    feed(&fx, due, &f);
    aggregator_flush(fx.ag);
    assert_int_equal(fx.n_alerts, 1);
    /* a late record of the closed hour: counted, not added */
    sweep(&fx, "10.0.0.1", 0, 1, 22);
    buf out;
    buf_init(&out);
    report(&fx, &out);
    assert_non_null(strstr(out.p, "1 flows fell in hours already evaluated"));
    assert_non_null(strstr(out.p, "1 hour evaluated"));
    buf_free(&out);
    finish(&fx);
    teardown_fx(&fx);
}

/* Records of one long session (one client port) are one connection;
 * a new port per attempt is a new connection. */
static void test_connections_are_client_ports(void **state) {
    (void)state;
    struct fixture fx;
    setup_with(&fx, INVENTORY, NULL);
    start(&fx);
    for (int i = 0; i < 70; i++) {
        struct flow same = mkflow("10.0.0.1", "198.51.100.30", 51515, 3389, 6, 0);
        feed(&fx, H(0) + i * 50 * US_PER_SEC, &same);
        struct flow fresh = mkflow("10.0.0.2", "198.51.100.30", (uint16_t)(40000 + i), 3389, 6, 0);
        feed(&fx, H(0) + i * 50 * US_PER_SEC + 1, &fresh);
    }
    finish(&fx);
    assert_int_equal(fx.n_alerts, 1);
    assert_true(has_alert(&fx, "net.rdp.outbound", "vm-b"));
    assert_true(alerts_contain(&fx, "\"connections_sampled\":70"));
    teardown_fx(&fx);
}

/* Sampled units are compared; the estimate is scaled and reported. */
static void test_sampling_estimate(void **state) {
    (void)state;
    struct fixture fx;
    setup_with(&fx, INVENTORY, NULL);
    start(&fx);
    for (int i = 0; i < 95; i++) {
        struct flow f = mkflow("198.51.100.99", "10.0.0.1", (uint16_t)(40000 + i), 22, 6, 100);
        feed(&fx, H(0) + i * US_PER_SEC, &f);
    }
    finish(&fx);
    assert_int_equal(fx.n_alerts, 1);
    assert_true(has_alert(&fx, "net.ssh.inbound", "vm-a"));
    assert_true(alerts_contain(&fx, "\"connections_sampled\":95,\"connections_estimated\":9500"));
    assert_true(alerts_contain(&fx, "\"sampling_rate\":100"));
    assert_true(alerts_contain(&fx, "about 9500 after scaling by the 1-in-100 packet sampling"));
    teardown_fx(&fx);
}

/* The seed's rule: no alert for a VM whose address changed in the hour. */
static void test_hour_rule(void **state) {
    (void)state;
    struct fixture fx;
    setup_with(&fx, INVENTORY, NULL);
    start(&fx);
    sweep(&fx, "10.0.1.1", 26, 70, 22);         /* 02:00-02:01, the address changes at 02:30 */
    finish(&fx);
    assert_int_equal(fx.n_alerts, 0);
    buf out;
    buf_init(&out);
    report(&fx, &out);
    assert_non_null(strstr(out.p, "1 alerts withheld"));
    buf_free(&out);
    teardown_fx(&fx);
}

/* Private and own addresses are not peers unless configured. */
static void test_internal_peers(void **state) {
    (void)state;
    for (int counted = 0; counted < 2; counted++) {
        struct fixture fx;
        setup_with(&fx, INVENTORY, NULL);
        fx.cfg.network.count_internal_peers = counted;
        start(&fx);
        for (int i = 0; i < 65; i++) {
            char ip[32];
            snprintf(ip, sizeof ip, "10.2.0.%d", i + 1);
            struct flow f = mkflow("10.0.0.1", ip, (uint16_t)(40000 + i), 3389, 6, 0);
            feed(&fx, H(0) + i * US_PER_SEC, &f);
        }
        finish(&fx);
        assert_int_equal(fx.n_alerts, counted ? 1 : 0);
        teardown_fx(&fx);
    }
}

/* Caps bound memory and make the distinct count a lower bound. */
static void test_caps(void **state) {
    (void)state;
    struct fixture fx;
    setup_with(&fx, INVENTORY, NULL);
    fx.cfg.network.max_peers_per_vm = 10;
    fx.cfg.network.max_vms_per_hour = 1;
    fx.cfg.network.outbound_min_peers = 5;
    fx.cfg.network.cold_start_factor = 1;
    start(&fx);
    sweep(&fx, "10.0.0.1", 0, 50, 22);
    sweep(&fx, "10.0.0.2", 0, 50, 22);          /* a second VM: past max_vms_per_hour */
    finish(&fx);
    assert_int_equal(fx.n_alerts, 1);
    assert_true(has_alert(&fx, "net.ssh.outbound.multi", "vm-a"));
    assert_true(alerts_contain(&fx, "at least 10 distinct"));
    assert_true(alerts_contain(&fx, "\"distinct_is_lower_bound\":true"));
    buf out;
    buf_init(&out);
    report(&fx, &out);
    assert_non_null(strstr(out.p, "50 flows of VMs past max_vms_per_hour"));
    assert_non_null(strstr(out.p, "40 flows from addresses past max_peers_per_vm"));
    buf_free(&out);
    teardown_fx(&fx);

    /* the overall budget */
    setup_with(&fx, INVENTORY, NULL);
    fx.cfg.network.max_tracked_peers = 25;
    start(&fx);
    sweep(&fx, "10.0.0.1", 0, 20, 22);
    sweep(&fx, "10.0.0.2", 0, 20, 22);
    buf_init(&out);
    report(&fx, &out);
    assert_non_null(strstr(out.p, "15 flows from addresses past max_tracked_peers"));
    buf_free(&out);
    finish(&fx);
    teardown_fx(&fx);
}

/* A VM known from before that has no flows in an hour, while the sensor
 * sees others, gets an observed zero hour. */
static void test_quiet_hours_count_as_zeros(void **state) {
    (void)state;
    struct fixture fx;
    setup_with(&fx, INVENTORY, NULL);
    start(&fx);
    background(&fx, "10.0.0.1", 0, 1);          /* vm-a seen once */
    background(&fx, "10.0.0.2", 0, 30);         /* the sensor stays on */
    sweep(&fx, "10.0.0.1", 30, 25, 22);
    finish(&fx);
    assert_int_equal(fx.n_alerts, 1);           /* own baseline: floor 20, not the cold bar 40 */
    assert_true(alerts_contain(&fx, "\"basis\":\"vm\",\"hours\":30"));
    teardown_fx(&fx);
}

static void test_state_survives_runs(void **state) {
    (void)state;
    struct fixture fx;
    setup_with(&fx, INVENTORY, NULL);
    char err[256], sdir[128];
    snprintf(sdir, sizeof sdir, "%s/state", fx.dir);
    /* run 1: a day of history */
    start(&fx);
    background(&fx, "10.0.0.1", 0, 30);
    finish(&fx);
    struct store *st = store_open(sdir, err, sizeof err);
    assert_non_null(st);
    assert_int_equal(store_begin(st), 0);
    assert_int_equal(network_detector.save(fx.det, st), 0);
    assert_int_equal(store_commit(st), 0);
    stop(&fx);
    /* run 2: 25 destinations cross the floor only with the saved history;
     * a record of an hour run 1 evaluated is late */
    start(&fx);
    assert_int_equal(network_detector.load(fx.det, st), 0);
    sweep(&fx, "10.0.0.1", 29, 1, 22);
    sweep(&fx, "10.0.0.1", 30, 25, 22);
    finish(&fx);
    assert_int_equal(fx.n_alerts, 1);
    assert_true(alerts_contain(&fx, "\"basis\":\"vm\",\"hours\":30"));
    buf out;
    buf_init(&out);
    report(&fx, &out);
    assert_non_null(strstr(out.p, "1 flows fell in hours already evaluated"));
    stop(&fx);
    /* a damaged blob costs the baselines, not the run */
    assert_int_equal(store_begin(st), 0);
    assert_int_equal(store_blob_put(st, "network", "baselines", "VNB\x01garbage", 11), 0);
    assert_int_equal(store_commit(st), 0);
    start(&fx);
    assert_int_equal(network_detector.load(fx.det, st), 0);
    report(&fx, &out);
    assert_non_null(strstr(out.p, "could not be read"));
    buf_free(&out);
    store_close(st);
    teardown_fx(&fx);
}

static void test_malicious_peer(void **state) {
    (void)state;
    struct fixture fx;
    setup_with(&fx, INVENTORY, "203.0.113.200\n198.51.100.0/24\n");
    start(&fx);
    /* vm-a calls out twice; vm-b is called by a listed scanner */
    struct flow out1 = mkflow("10.0.0.1", "203.0.113.200", 41000, 443, 6, 0);
    struct flow out2 = mkflow("10.0.0.1", "203.0.113.200", 41001, 443, 6, 0);
    struct flow in = mkflow("198.51.100.7", "10.0.0.2", 52000, 22, 6, 0);
    struct flow clean = mkflow("10.0.0.3", "203.0.113.201", 41002, 443, 6, 0);
    feed(&fx, H(0) + US_PER_MIN, &out1);
    feed(&fx, H(0) + 2 * US_PER_MIN, &in);
    feed(&fx, H(0) + 3 * US_PER_MIN, &clean);
    feed(&fx, H(0) + 50 * US_PER_MIN, &out2);
    finish(&fx);
    assert_int_equal(fx.n_alerts, 2);
    assert_true(has_alert(&fx, "net.malicious.peer", "vm-a"));
    assert_true(has_alert(&fx, "net.malicious.peer", "vm-b"));
    assert_true(alerts_contain(&fx, "exchanged 2 flow records (4000 bytes) with 203.0.113.200"));
    assert_true(alerts_contain(&fx, "the VM opened the conversations, to TCP port 443"));
    assert_true(alerts_contain(&fx, "198.51.100.0/24"));
    teardown_fx(&fx);

    /* without malicious_inbound only the VM's own calls count; a record of
     * a closed hour alerts on its own */
    setup_with(&fx, INVENTORY, "203.0.113.200\n198.51.100.0/24\n");
    fx.cfg.network.malicious_inbound = false;
    start(&fx);
    feed(&fx, H(0) + 2 * US_PER_MIN, &in);
    feed(&fx, H(2), &clean);                    /* closes hour 0 */
    feed(&fx, H(0) + 5 * US_PER_MIN, &out1);    /* late */
    finish(&fx);
    assert_int_equal(fx.n_alerts, 1);
    assert_true(has_alert(&fx, "net.malicious.peer", "vm-a"));
    teardown_fx(&fx);
}

static void test_no_inventory_is_reported(void **state) {
    (void)state;
    struct fixture fx;
    setup_with(&fx, NULL, NULL);
    start(&fx);
    sweep(&fx, "10.0.0.1", 0, 50, 22);
    finish(&fx);
    assert_int_equal(fx.n_alerts, 0);
    buf out;
    buf_init(&out);
    report(&fx, &out);
    assert_non_null(strstr(out.p, "no --inventory given"));
    assert_non_null(strstr(out.p, "50 flows, 0 with an inventory VM"));
    assert_non_null(strstr(out.p, "50 flows carry no sampling rate"));
    buf_free(&out);
    teardown_fx(&fx);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cold_start_bar),
        cmocka_unit_test(test_floor_over_own_baseline),
        cmocka_unit_test(test_busy_baseline_threshold),
        cmocka_unit_test(test_busy_hours_guard),
        cmocka_unit_test(test_environment_prior),
        cmocka_unit_test(test_hour_closes_on_watermark),
        cmocka_unit_test(test_connections_are_client_ports),
        cmocka_unit_test(test_sampling_estimate),
        cmocka_unit_test(test_hour_rule),
        cmocka_unit_test(test_internal_peers),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_quiet_hours_count_as_zeros),
        cmocka_unit_test(test_state_survives_runs),
        cmocka_unit_test(test_malicious_peer),
        cmocka_unit_test(test_no_inventory_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
