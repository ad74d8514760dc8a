/* NetFlow v9 and v5 decoding on hand-built packets: header times,
 * options templates with scope fields, samplers, packet sequence numbers,
 * and malformed FlowSets rejected while the good ones around decode. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowfixture.h"

#define EXPORT_S 1700000000u
#define EXPORT_MS ((int64_t)EXPORT_S * 1000)
#define UPTIME 100000u
#define ORIGIN "198.51.100.1"


static void tpl_v9(struct mb *m) {
    set_begin(m, 0);
    mb_u16(m, 256); mb_u16(m, 10);
    mb_u16(m, 8); mb_u16(m, 4); mb_u16(m, 12); mb_u16(m, 4); mb_u16(m, 1); mb_u16(m, 4); mb_u16(m, 2); mb_u16(m, 4);
    mb_u16(m, 22); mb_u16(m, 4); mb_u16(m, 21); mb_u16(m, 4); mb_u16(m, 7); mb_u16(m, 2); mb_u16(m, 11); mb_u16(m, 2);
    mb_u16(m, 4); mb_u16(m, 1); mb_u16(m, 6); mb_u16(m, 1);
    set_end_padded(m);
}

static void rec_v9(struct mb *m, unsigned host, uint32_t first, uint32_t last) {
    mb_v4(m, 10, 0, 0, host); mb_v4(m, 203, 0, 113, 9); mb_u32(m, 1500); mb_u32(m, 3);
    mb_u32(m, first); mb_u32(m, last); mb_u16(m, 51000); mb_u16(m, 3389); mb_u8(m, 6); mb_u8(m, 0x02);
}

static void packet_v9(struct mb *m, uint32_t seq, int n) {
    nf9_begin(m, UPTIME, EXPORT_S, seq, 3);
    tpl_v9(m);
    set_begin(m, 256);
    for (int i = 0; i < n; i++) rec_v9(m, (unsigned)i + 1, UPTIME - 10000, UPTIME - 2000);
    set_end_padded(m);
}

static void test_v9_basic(void **state) {
    (void)state;
    struct mb m = { 0 };
    struct got g = { 0 };
    packet_v9(&m, 0, 2);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 2055, &g);
    assert_int_equal(g.n, 2);
    struct flow *f = &g.f[0];
    struct ipaddr s = ip("10.0.0.1"), d = ip("203.0.113.9");
    assert_true(ip_eq(&f->src, &s));
    assert_true(ip_eq(&f->dst, &d));
    assert_int_equal(f->octets, 1500);
    assert_int_equal(f->packets, 3);
    assert_int_equal(f->dst_port, 3389);
    assert_int_equal(f->tcp_flags, 2);
    /* boot = Unix time - sysUptime, exactly */
    assert_int_equal(f->start_us, (EXPORT_MS - 10000) * 1000);
    assert_int_equal(f->end_us, (EXPORT_MS - 2000) * 1000);
    assert_int_equal(g.e[0].version, 9);
    assert_int_equal(g.e[0].odid, 3);
    assert_int_equal(stats()->messages_v9, 1);
    assert_int_equal(stats()->flows_boot_estimated, 0);
    /* the uptime wrapped between the flow's start and the export */
    m.n = 0;
    nf9_begin(&m, 5000, EXPORT_S, 1, 3);
    set_begin(&m, 256);
    rec_v9(&m, 9, (uint32_t)-3000, 4000);
    mb_u8(&m, 0);                     /* one byte of padding: 35, not 32-bit aligned (softflowd) */
    set_end(&m);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 2055, &g);
    assert_int_equal(g.n, 3);
    assert_int_equal(g.f[2].start_us, (EXPORT_MS - 8000) * 1000);
    assert_int_equal(g.f[2].end_us, (EXPORT_MS - 1000) * 1000);
    assert_int_equal(rejects_total(rj), 0);
}

static void test_v9_options_and_samplers(void **state) {
    (void)state;
    struct mb m = { 0 };
    struct got g = { 0 };
    nf9_begin(&m, UPTIME, EXPORT_S, 0, 3);
    /* scope System (type 1, which as an IE would be octetDeltaCount) and
     * samplingInterval: applies to the whole source */
    set_begin(&m, 1);
    mb_u16(&m, 300); mb_u16(&m, 4); mb_u16(&m, 8);
    mb_u16(&m, 1); mb_u16(&m, 4);
    mb_u16(&m, 34); mb_u16(&m, 4); mb_u16(&m, 35); mb_u16(&m, 1);
    set_end_padded(&m);
    /* a sampler table: FLOW_SAMPLER_ID, MODE, RANDOM_INTERVAL */
    set_begin(&m, 1);
    mb_u16(&m, 301); mb_u16(&m, 4); mb_u16(&m, 12);
    mb_u16(&m, 1); mb_u16(&m, 4);
    mb_u16(&m, 48); mb_u16(&m, 1); mb_u16(&m, 49); mb_u16(&m, 1); mb_u16(&m, 50); mb_u16(&m, 4);
    set_end_padded(&m);
    tpl_v9(&m);
    set_begin(&m, 0);
    mb_u16(&m, 257); mb_u16(&m, 2); mb_u16(&m, 8); mb_u16(&m, 4); mb_u16(&m, 48); mb_u16(&m, 1);
    set_end_padded(&m);
    set_begin(&m, 300); mb_u32(&m, 0xdeadbeef); mb_u32(&m, 64); mb_u8(&m, 1); set_end_padded(&m);
    set_begin(&m, 301);
    mb_u32(&m, 0); mb_u8(&m, 5); mb_u8(&m, 2); mb_u32(&m, 1000);
    set_end_padded(&m);
    set_begin(&m, 256); rec_v9(&m, 1, 1, 2); set_end_padded(&m);
    set_begin(&m, 257);
    mb_v4(&m, 10, 0, 0, 2); mb_u8(&m, 5);
    mb_v4(&m, 10, 0, 0, 3); mb_u8(&m, 6);
    set_end_padded(&m);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 2055, &g);
    assert_int_equal(g.n, 3);
    assert_int_equal(stats()->options_records, 2);
    assert_int_equal(stats()->options_templates, 2);
    assert_int_equal(g.f[0].sampling, 64);
    assert_int_equal(g.f[0].octets, 1500);        /* the scope's type 1 did not leak */
    assert_int_equal(g.f[1].sampling, 1000);      /* sampler 5 */
    assert_int_equal(g.f[2].sampling, 64);        /* sampler 6 unknown: the source's default */
    assert_int_equal(rejects_total(rj), 0);
}

static void test_v9_malformed(void **state) {
    (void)state;
    struct mb m = { 0 };
    struct got g = { 0 };
    nf9_begin(&m, UPTIME, EXPORT_S, 0, 3);
    tpl_v9(&m);
    /* an options template FlowSet of 22 bytes, not padded to 32 bits
     * (as softflowd sends them): read by its length */
    set_begin(&m, 1);
    mb_u16(&m, 300); mb_u16(&m, 4); mb_u16(&m, 8);
    mb_u16(&m, 2); mb_u16(&m, 4); mb_u16(&m, 34); mb_u16(&m, 4); mb_u16(&m, 35); mb_u16(&m, 1);
    set_end(&m);
    /* a template without fields, one with id 12, an options template
     * without scope */
    set_begin(&m, 0); mb_u16(&m, 258); mb_u16(&m, 0); set_end_padded(&m);
    set_begin(&m, 0); mb_u16(&m, 12); mb_u16(&m, 1); mb_u16(&m, 8); mb_u16(&m, 4); set_end_padded(&m);
    set_begin(&m, 1); mb_u16(&m, 302); mb_u16(&m, 0); mb_u16(&m, 4); mb_u16(&m, 34); mb_u16(&m, 4); set_end_padded(&m);
    /* the data around them still decodes */
    set_begin(&m, 256); rec_v9(&m, 1, 1, 2); set_end_padded(&m);
    set_begin(&m, 300); mb_u32(&m, 0); mb_u32(&m, 64); mb_u8(&m, 1); set_end_padded(&m);
    set_begin(&m, 256); rec_v9(&m, 2, 1, 2); set_end_padded(&m);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 2055, &g);
    assert_int_equal(g.n, 2);
    assert_int_equal(rejects_total(rj), 3);
    assert_int_equal(stats()->options_records, 1);
    assert_false(g.f[0].has & FLOW_HAS_SAMPLING);            /* before the options record */
    assert_int_equal(g.f[1].sampling, 64);                    /* after it */

    /* a FlowSet running past the packet's end after a good one; a packet
     * shorter than its header */
    m.n = 0;
    nf9_begin(&m, UPTIME, EXPORT_S, 1, 3);
    set_begin(&m, 256); rec_v9(&m, 3, 1, 2); set_end_padded(&m);
    set_begin(&m, 256); rec_v9(&m, 4, 1, 2); set_end_padded(&m);
    mb_put16(&m, m.set + 2, 400);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 2055, &g);
    assert_int_equal(g.n, 3);
    assert_int_equal(rejects_total(rj), 4);
    m.n = 0;
    mb_u16(&m, 9); mb_u16(&m, 1); mb_u32(&m, 0);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 2055, &g);
    assert_int_equal(rejects_total(rj), 5);
}

static void test_v9_sequence_counts_packets(void **state) {
    (void)state;
    struct mb m = { 0 };
    uint32_t seqs[] = { 100, 101, 102, 105, 106 };
    for (int i = 0; i < 5; i++) {
        m.n = 0;
        packet_v9(&m, seqs[i], 3);
        feed(&ipfix_decoder, dec, &m, ORIGIN, 2055, NULL);
    }
    assert_int_equal(stats()->lost_packets, 2);
    assert_int_equal(stats()->lost_records, 0);
}

/* ---- NetFlow v5 ------------------------------------------------------------ */

static void packet_v5(struct mb *m, uint32_t seq, int n, unsigned sampling_field) {
    mb_u16(m, 5); mb_u16(m, (unsigned)n); mb_u32(m, UPTIME); mb_u32(m, EXPORT_S); mb_u32(m, 500000000);
    mb_u32(m, seq); mb_u8(m, 1); mb_u8(m, 2); mb_u16(m, sampling_field);
    for (int i = 0; i < n; i++) {
        mb_v4(m, 10, 5, 0, (unsigned)i + 1); mb_v4(m, 192, 0, 2, 80); mb_v4(m, 0, 0, 0, 0);
        mb_u16(m, 1); mb_u16(m, 2); mb_u32(m, 4); mb_u32(m, 400);
        mb_u32(m, UPTIME - 3000); mb_u32(m, UPTIME - 1000);
        mb_u16(m, 50000); mb_u16(m, 22); mb_u8(m, 0); mb_u8(m, 0x1b); mb_u8(m, 6); mb_u8(m, 0);
        mb_u16(m, 0); mb_u16(m, 0); mb_u8(m, 24); mb_u8(m, 24); mb_u16(m, 0);
    }
}

static void test_v5(void **state) {
    (void)state;
    struct mb m = { 0 };
    struct got g = { 0 };
    packet_v5(&m, 0, 2, 0);
    packet_v5(&m, 2, 1, 0x4000 | 100);            /* two packets in one record */
    feed(&ipfix_decoder, dec, &m, ORIGIN, 2055, &g);
    assert_int_equal(g.n, 3);
    struct ipaddr s = ip("10.5.0.1"), d = ip("192.0.2.80");
    assert_true(ip_eq(&g.f[0].src, &s));
    assert_true(ip_eq(&g.f[0].dst, &d));
    assert_int_equal(g.f[0].packets, 4);
    assert_int_equal(g.f[0].octets, 400);
    assert_int_equal(g.f[0].dst_port, 22);
    assert_int_equal(g.f[0].tcp_flags, 0x1b);
    assert_int_equal(g.f[0].proto, 6);
    assert_int_equal(g.f[0].sampling, 1);
    assert_int_equal(g.f[2].sampling, 100);
    /* boot = secs + nsecs - uptime */
    assert_int_equal(g.f[0].start_us, (EXPORT_MS + 500 - 3000) * 1000);
    assert_int_equal(g.e[0].odid, 0x0102);
    assert_int_equal(g.e[0].version, 5);
    assert_int_equal(stats()->lost_records, 0);
    /* a count that runs past the packet, then a gap of 4 flows */
    m.n = 0;
    packet_v5(&m, 3, 1, 0);
    mb_put16(&m, 2, 3);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 2055, &g);
    assert_int_equal(rejects_total(rj), 1);
    m.n = 0;
    packet_v5(&m, 7, 1, 0);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 2055, &g);
    assert_int_equal(stats()->lost_records, 4);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_v9_basic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_v9_options_and_samplers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_v9_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_v9_sequence_counts_packets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_v5, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
