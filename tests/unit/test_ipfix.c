/* IPFIX decoding on hand-built messages: templates (withdrawal,
 * redefinition, options), field encodings, sampling, times, sequence
 * numbers, scopes, and malformed input that must be counted and skipped
 * while the good records around it still decode. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowfixture.h"
#include "util/timeutil.h"

#define EXPORT_S 1700000000u                    /* 2023-11-14T22:13:20Z */
#define EXPORT_MS ((int64_t)EXPORT_S * 1000)
#define ORIGIN "192.0.2.10"


/* template 256: v4 5-tuple, flags, 8-byte counters, ms times */
static void tpl_basic(struct mb *m, unsigned id) {
    set_begin(m, 2);
    mb_u16(m, id); mb_u16(m, 10);
    fs(m, 8, 4, 0); fs(m, 12, 4, 0); fs(m, 7, 2, 0); fs(m, 11, 2, 0); fs(m, 4, 1, 0);
    fs(m, 6, 1, 0); fs(m, 1, 8, 0); fs(m, 2, 8, 0); fs(m, 152, 8, 0); fs(m, 153, 8, 0);
    set_end(m);
}

static void rec_basic(struct mb *m, unsigned last_octet, unsigned dport, uint64_t octets, uint64_t packets) {
    mb_v4(m, 10, 0, 0, last_octet); mb_v4(m, 198, 51, 100, 7);
    mb_u16(m, 40000 + last_octet); mb_u16(m, dport); mb_u8(m, 6); mb_u8(m, 0x12);
    mb_u64(m, octets); mb_u64(m, packets);
    mb_u64(m, (uint64_t)EXPORT_MS - 5000); mb_u64(m, (uint64_t)EXPORT_MS - 1000);
}

static void msg_basic(struct mb *m, uint32_t seq, int n_records) {
    ipfix_begin(m, EXPORT_S, seq, 1);
    tpl_basic(m, 256);
    set_begin(m, 256);
    for (int i = 0; i < n_records; i++) rec_basic(m, (unsigned)i + 1, 22, 100u * (unsigned)(i + 1), (uint64_t)i + 1);
    set_end(m);
    ipfix_end(m);
}

static void test_basic_v4(void **state) {
    (void)state;
    struct mb m = { 0 };
    struct got g = { 0 };
    msg_basic(&m, 0, 2);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 4739, &g);
    assert_int_equal(g.n, 2);
    struct flow *f = &g.f[0];
    struct ipaddr a = ip("10.0.0.1"), b = ip("198.51.100.7");
    assert_true(ip_eq(&f->src, &a));
    assert_true(ip_eq(&f->dst, &b));
    assert_int_equal(f->src_port, 40001);
    assert_int_equal(f->dst_port, 22);
    assert_int_equal(f->proto, 6);
    assert_int_equal(f->tcp_flags, 0x12);
    assert_int_equal(f->octets, 100);
    assert_int_equal(f->packets, 1);
    assert_int_equal(f->start_us, (EXPORT_MS - 5000) * 1000);
    assert_int_equal(f->end_us, (EXPORT_MS - 1000) * 1000);
    assert_int_equal(f->has & (FLOW_HAS_PORTS | FLOW_HAS_TCP_FLAGS | FLOW_HAS_TIMES),
                     FLOW_HAS_PORTS | FLOW_HAS_TCP_FLAGS | FLOW_HAS_TIMES);
    assert_false(f->has & FLOW_HAS_SAMPLING);
    assert_int_equal(f->template_id, 256);
    struct ipaddr o = ip(ORIGIN);
    assert_true(ip_eq(&g.e[0].addr, &o));
    assert_int_equal(g.e[0].port, 4739);
    assert_int_equal(g.e[0].odid, 1);
    assert_int_equal(g.e[0].version, 10);
    assert_int_equal(g.pos[1].item, 2);
    assert_int_equal(g.f[1].octets, 200);
    assert_int_equal(stats()->flows_without_sampling, 2);
    assert_int_equal(stats()->templates, 1);
    assert_int_equal(rejects_total(rj), 0);
}

/* counters of 4, 3, 2 and 1 bytes, tcpControlBits in 2 bytes, IPv6 */
static void test_reduced_size_and_ipv6(void **state) {
    (void)state;
    struct mb m = { 0 };
    struct got g = { 0 };
    ipfix_begin(&m, EXPORT_S, 0, 0);
    set_begin(&m, 2);
    mb_u16(&m, 300); mb_u16(&m, 6);
    fs(&m, 27, 16, 0); fs(&m, 28, 16, 0); fs(&m, 1, 3, 0); fs(&m, 2, 1, 0); fs(&m, 6, 2, 0); fs(&m, 4, 1, 0);
    mb_u16(&m, 301); mb_u16(&m, 2);
    fs(&m, 1, 4, 0); fs(&m, 2, 2, 0);
    set_end(&m);
    set_begin(&m, 300);
    struct ipaddr s6 = ip("2001:db8::1"), d6 = ip("2001:db8::2");
    mb_bytes(&m, s6.b, 16); mb_bytes(&m, d6.b, 16);
    mb_uN(&m, 0x012345, 3); mb_u8(&m, 200); mb_u16(&m, 0x0218); mb_u8(&m, 17);
    set_end(&m);
    set_begin(&m, 301);
    mb_u32(&m, 0xfffffffe); mb_u16(&m, 65535);
    set_end(&m);
    ipfix_end(&m);
    feed(&ipfix_decoder, dec, &m, NULL, 0, &g);
    assert_int_equal(g.n, 2);
    assert_true(ip_eq(&g.f[0].src, &s6));
    assert_true(ip_eq(&g.f[0].dst, &d6));
    assert_int_equal(g.f[0].octets, 0x012345);
    assert_int_equal(g.f[0].packets, 200);
    assert_int_equal(g.f[0].tcp_flags, 0x18);
    assert_int_equal(g.f[0].proto, 17);
    assert_false(g.f[0].has & FLOW_HAS_PORTS);
    assert_false(g.f[0].has & FLOW_HAS_TIMES);                /* no time fields: export time */
    assert_int_equal(g.f[0].start_us, EXPORT_MS * 1000);
    assert_int_equal(g.f[1].octets, 0xfffffffe);
    assert_int_equal(g.f[1].packets, 65535);
    assert_int_equal(rejects_total(rj), 0);
}

/* variable-length fields (short and long form), enterprise fields skipped
 * by length, RFC 5103 reverse counters, paddingOctets */
static void test_varlen_enterprise_reverse(void **state) {
    (void)state;
    struct mb m = { 0 };
    struct got g = { 0 };
    ipfix_begin(&m, EXPORT_S, 0, 0);
    set_begin(&m, 2);
    mb_u16(&m, 400); mb_u16(&m, 9);
    fs(&m, 8, 4, 0);
    fs(&m, 82, 0xffff, 0);              /* interfaceName, varlen */
    fs(&m, 12, 4, 0);
    fs(&m, 33, 2, 6871);                /* CERT appLabel: skipped */
    fs(&m, 210, 3, 0);                  /* paddingOctets */
    fs(&m, 18, 0xffff, 6871);           /* enterprise varlen */
    fs(&m, 1, 4, 0);
    fs(&m, 1, 4, 29305);                /* reverseOctetDeltaCount */
    fs(&m, 2, 2, 29305);                /* reversePacketDeltaCount */
    set_end(&m);
    set_begin(&m, 400);
    /* record 1: short varlen forms */
    mb_v4(&m, 10, 1, 1, 1); mb_u8(&m, 3); mb_bytes(&m, "eth", 3); mb_v4(&m, 10, 2, 2, 2);
    mb_u16(&m, 7); mb_uN(&m, 0, 3); mb_u8(&m, 0); mb_u32(&m, 1000); mb_u32(&m, 2000); mb_u16(&m, 9);
    /* record 2: the 255 + 2-byte form, 300 bytes */
    mb_v4(&m, 10, 1, 1, 3); mb_u8(&m, 255); mb_u16(&m, 300);
    for (int i = 0; i < 300; i++) mb_u8(&m, 'x');
    mb_v4(&m, 10, 2, 2, 4);
    mb_u16(&m, 7); mb_uN(&m, 0, 3); mb_u8(&m, 2); mb_bytes(&m, "ab", 2); mb_u32(&m, 11); mb_u32(&m, 22); mb_u16(&m, 3);
    set_end(&m);
    ipfix_end(&m);
    feed(&ipfix_decoder, dec, &m, NULL, 0, &g);
    assert_int_equal(g.n, 2);
    struct ipaddr d1 = ip("10.2.2.2"), s2 = ip("10.1.1.3"), d2 = ip("10.2.2.4");
    assert_true(ip_eq(&g.f[0].dst, &d1));
    assert_int_equal(g.f[0].octets, 1000);
    assert_int_equal(g.f[0].rev_octets, 2000);
    assert_int_equal(g.f[0].rev_packets, 9);
    assert_true(g.f[0].has & FLOW_HAS_REVERSE);
    assert_true(ip_eq(&g.f[1].src, &s2));
    assert_true(ip_eq(&g.f[1].dst, &d2));
    assert_int_equal(g.f[1].octets, 11);
    assert_int_equal(g.f[1].rev_octets, 22);
    assert_int_equal(rejects_total(rj), 0);
}

static void data_256(struct mb *m, uint32_t seq, unsigned last_octet) {
    ipfix_begin(m, EXPORT_S, seq, 1);
    set_begin(m, 256);
    rec_basic(m, last_octet, 22, 1, 1);
    set_end(m);
    ipfix_end(m);
}

static void test_withdrawal_and_redefinition(void **state) {
    (void)state;
    struct mb m = { 0 };
    struct got g = { 0 };
    msg_basic(&m, 0, 1);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 1, &g);
    assert_int_equal(g.n, 1);

    /* withdraw 256: its data is skipped (not rejected) */
    m.n = 0;
    ipfix_begin(&m, EXPORT_S, 1, 1);
    set_begin(&m, 2); mb_u16(&m, 256); mb_u16(&m, 0); set_end(&m);
    ipfix_end(&m);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 1, &g);
    m.n = 0;
    data_256(&m, 1, 9);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 1, &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(stats()->templates_withdrawn, 1);
    assert_int_equal(stats()->sets_unknown_template, 1);

    /* redefine 256 with another layout: the new one is used */
    m.n = 0;
    ipfix_begin(&m, EXPORT_S, 2, 1);
    set_begin(&m, 2); mb_u16(&m, 256); mb_u16(&m, 2); fs(&m, 12, 4, 0); fs(&m, 2, 4, 0); set_end(&m);
    set_begin(&m, 256); mb_v4(&m, 203, 0, 113, 5); mb_u32(&m, 77); set_end(&m);
    ipfix_end(&m);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 1, &g);
    assert_int_equal(g.n, 2);
    struct ipaddr d = ip("203.0.113.5");
    assert_true(ip_eq(&g.f[1].dst, &d));
    assert_int_equal(g.f[1].packets, 77);
    m.n = 0;
    ipfix_begin(&m, EXPORT_S, 3, 1);
    set_begin(&m, 2); mb_u16(&m, 256); mb_u16(&m, 1); fs(&m, 2, 2, 0); set_end(&m);
    set_begin(&m, 256); mb_u16(&m, 5); set_end(&m);
    ipfix_end(&m);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 1, &g);
    assert_int_equal(g.n, 3);
    assert_int_equal(g.f[2].packets, 5);
    /* after the withdrawal 256 was new again; then redefined once */
    assert_int_equal(stats()->templates, 2);
    assert_int_equal(stats()->templates_redefined, 1);

    /* an options template, then "withdraw all templates" (id 2): the
     * options template survives, the data template does not */
    m.n = 0;
    ipfix_begin(&m, EXPORT_S, 4, 1);
    set_begin(&m, 3); mb_u16(&m, 500); mb_u16(&m, 2); mb_u16(&m, 1); fs(&m, 302, 4, 0); fs(&m, 34, 4, 0); set_end(&m);
    set_begin(&m, 2); mb_u16(&m, 2); mb_u16(&m, 0); set_end(&m);
    set_begin(&m, 256); mb_u16(&m, 5); set_end(&m);
    set_begin(&m, 500); mb_u32(&m, 1); mb_u32(&m, 64); set_end(&m);
    ipfix_end(&m);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 1, &g);
    assert_int_equal(g.n, 3);
    assert_int_equal(stats()->sets_unknown_template, 2);
    assert_int_equal(stats()->options_records, 1);
    /* and id 3 withdraws the options templates */
    m.n = 0;
    ipfix_begin(&m, EXPORT_S, 5, 1);
    set_begin(&m, 3); mb_u16(&m, 3); mb_u16(&m, 0); set_end(&m);
    set_begin(&m, 500); mb_u32(&m, 1); mb_u32(&m, 64); set_end(&m);
    ipfix_end(&m);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 1, &g);
    assert_int_equal(stats()->options_records, 1);
    assert_int_equal(stats()->sets_unknown_template, 3);
    assert_int_equal(rejects_total(rj), 0);
}

/* data template with selectorId, for the sampling tests */
static void tpl_selector(struct mb *m) {
    set_begin(m, 2);
    mb_u16(m, 260); mb_u16(m, 3);
    fs(m, 8, 4, 0); fs(m, 2, 4, 0); fs(m, 302, 2, 0);
    set_end(m);
}

static void rec_selector(struct mb *m, unsigned selector) {
    mb_v4(m, 10, 9, 9, 9); mb_u32(m, 3); mb_u16(m, selector);
}

static void test_options_sampling_join(void **state) {
    (void)state;
    struct mb m = { 0 };
    struct got g = { 0 };
    ipfix_begin(&m, EXPORT_S, 0, 5);
    /* a PSAMP sampler: scope selectorId, random 1 out of 256, named */
    set_begin(&m, 3);
    mb_u16(&m, 257); mb_u16(&m, 5); mb_u16(&m, 1);
    fs(&m, 302, 4, 0); fs(&m, 304, 2, 0); fs(&m, 309, 4, 0); fs(&m, 310, 4, 0); fs(&m, 335, 0xffff, 0);
    set_end(&m);
    set_begin(&m, 257);
    mb_u32(&m, 1); mb_u16(&m, 3); mb_u32(&m, 1); mb_u32(&m, 256); mb_u8(&m, 4); mb_bytes(&m, "smpl", 4);
    mb_u32(&m, 2); mb_u16(&m, 1); mb_u32(&m, 1); mb_u32(&m, 1000); mb_u8(&m, 0);
    set_end(&m);
    tpl_selector(&m);
    set_begin(&m, 260);
    rec_selector(&m, 1);
    rec_selector(&m, 7);                     /* no such sampler */
    set_end(&m);
    ipfix_end(&m);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 9, &g);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.f[0].sampling, 256);
    assert_true(g.f[0].has & FLOW_HAS_SAMPLING);
    assert_int_equal(g.f[1].sampling, 0);
    assert_false(g.f[1].has & FLOW_HAS_SAMPLING);
    assert_int_equal(stats()->options_records, 2);
    assert_int_equal(stats()->flows_without_sampling, 1);

    /* an options record without a sampler id sets the domain default */
    m.n = 0;
    ipfix_begin(&m, EXPORT_S, 4, 5);
    set_begin(&m, 3);
    mb_u16(&m, 258); mb_u16(&m, 3); mb_u16(&m, 1);
    fs(&m, 149, 4, 0); fs(&m, 305, 4, 0); fs(&m, 306, 4, 0);    /* scope observationDomainId */
    set_end(&m);
    set_begin(&m, 258); mb_u32(&m, 5); mb_u32(&m, 1); mb_u32(&m, 99); set_end(&m);
    set_begin(&m, 260); rec_selector(&m, 7); rec_selector(&m, 2); set_end(&m);
    ipfix_end(&m);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 9, &g);
    assert_int_equal(g.n, 4);
    assert_int_equal(g.f[2].sampling, 100);                  /* (1 + 99) / 1 */
    assert_int_equal(g.f[3].sampling, 1000);                 /* its own sampler wins */
    /* another exporter knows nothing of these samplers */
    m.n = 0;
    ipfix_begin(&m, EXPORT_S, 0, 5);
    tpl_selector(&m);
    set_begin(&m, 260); rec_selector(&m, 1); set_end(&m);
    ipfix_end(&m);
    feed(&ipfix_decoder, dec, &m, "192.0.2.11", 9, &g);
    assert_int_equal(g.n, 5);
    assert_false(g.f[4].has & FLOW_HAS_SAMPLING);
    assert_int_equal(rejects_total(rj), 0);
}

static void test_sampling_in_records(void **state) {
    (void)state;
    struct mb m = { 0 };
    struct got g = { 0 };
    ipfix_begin(&m, EXPORT_S, 0, 0);
    set_begin(&m, 2);
    mb_u16(&m, 270); mb_u16(&m, 2); fs(&m, 2, 4, 0); fs(&m, 34, 4, 0);               /* samplingInterval */
    mb_u16(&m, 271); mb_u16(&m, 2); fs(&m, 2, 4, 0); fs(&m, 311, 8, 0);              /* samplingProbability */
    mb_u16(&m, 272); mb_u16(&m, 4); fs(&m, 2, 4, 0); fs(&m, 304, 1, 0); fs(&m, 305, 4, 0); fs(&m, 306, 4, 0);
    set_end(&m);
    set_begin(&m, 270);
    mb_u32(&m, 1); mb_u32(&m, 0);            /* 0: not sampled */
    mb_u32(&m, 1); mb_u32(&m, 512);
    set_end(&m);
    set_begin(&m, 271);
    double p = 0.01;
    uint64_t u;
    memcpy(&u, &p, 8);
    mb_u32(&m, 1); mb_u64(&m, u);
    set_end(&m);
    set_begin(&m, 272);
    mb_u32(&m, 1); mb_u8(&m, 1); mb_u32(&m, 2); mb_u32(&m, 18);
    set_end(&m);
    ipfix_end(&m);
    feed(&ipfix_decoder, dec, &m, NULL, 0, &g);
    assert_int_equal(g.n, 4);
    assert_int_equal(g.f[0].sampling, 1);
    assert_true(g.f[0].has & FLOW_HAS_SAMPLING);
    assert_int_equal(g.f[1].sampling, 512);
    assert_int_equal(g.f[2].sampling, 100);
    assert_int_equal(g.f[3].sampling, 10);                   /* (2 + 18) / 2 */
    assert_int_equal(stats()->flows_without_sampling, 0);
}

/* flowStart/EndSysUpTime: from systemInitTimeMilliseconds, estimated
 * without it, and "negative" uptimes (softflowd reading an old capture) */
static void tpl_uptime(struct mb *m) {
    set_begin(m, 2);
    mb_u16(m, 280); mb_u16(m, 3); fs(m, 2, 4, 0); fs(m, 22, 4, 0); fs(m, 21, 4, 0);
    set_end(m);
}

static void test_sysuptime(void **state) {
    (void)state;
    struct mb m = { 0 };
    struct got g = { 0 };
    /* without an init time: the boot is estimated as export - end uptime,
     * the lowest bound seen wins */
    ipfix_begin(&m, EXPORT_S, 0, 3);
    tpl_uptime(&m);
    set_begin(&m, 280);
    mb_u32(&m, 1); mb_u32(&m, 50000); mb_u32(&m, 58000);       /* ended 2 s before the next one */
    mb_u32(&m, 1); mb_u32(&m, 55000); mb_u32(&m, 60000);
    set_end(&m);
    ipfix_end(&m);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 5, &g);
    assert_int_equal(g.n, 2);
    int64_t boot1 = EXPORT_MS - 58000;
    assert_int_equal(g.f[0].start_us, (boot1 + 50000) * 1000);
    assert_int_equal(g.f[0].end_us, EXPORT_MS * 1000);
    assert_int_equal(g.f[1].start_us, (EXPORT_MS - 60000 + 55000) * 1000);   /* a lower bound now */
    assert_int_equal(stats()->flows_boot_estimated, 2);

    /* with systemInitTimeMilliseconds from an options record */
    m.n = 0;
    ipfix_begin(&m, EXPORT_S, 2, 3);
    set_begin(&m, 3);
    mb_u16(&m, 290); mb_u16(&m, 2); mb_u16(&m, 1); fs(&m, 143, 4, 0); fs(&m, 160, 8, 0);
    set_end(&m);
    int64_t init = EXPORT_MS - 3600 * 1000;
    set_begin(&m, 290); mb_u32(&m, 1); mb_u64(&m, (uint64_t)init); set_end(&m);
    set_begin(&m, 280);
    mb_u32(&m, 1); mb_u32(&m, 1000); mb_u32(&m, 2000);
    /* softflowd -r: the packet is 10 s older than the exporter's start */
    mb_u32(&m, 1); mb_u32(&m, (uint32_t)-10000); mb_u32(&m, (uint32_t)-9000);
    set_end(&m);
    ipfix_end(&m);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 5, &g);
    assert_int_equal(g.n, 4);
    assert_int_equal(g.f[2].start_us, (init + 1000) * 1000);
    assert_int_equal(g.f[2].end_us, (init + 2000) * 1000);
    assert_int_equal(g.f[3].start_us, (init - 10000) * 1000);
    assert_int_equal(g.f[3].end_us, (init - 9000) * 1000);
    assert_int_equal(stats()->flows_boot_estimated, 2);

    /* an exporter up for 60 days: its uptime has wrapped past 2^32 ms */
    m.n = 0;
    ipfix_begin(&m, EXPORT_S, 5, 3);
    int64_t boot60 = EXPORT_MS - INT64_C(60) * 86400 * 1000;
    set_begin(&m, 290); mb_u32(&m, 1); mb_u64(&m, (uint64_t)boot60); set_end(&m);
    set_begin(&m, 280);
    int64_t up = EXPORT_MS - 5000 - boot60;                    /* 5 s before the export */
    mb_u32(&m, 1); mb_u32(&m, (uint32_t)up); mb_u32(&m, (uint32_t)(up + 1000));
    set_end(&m);
    ipfix_end(&m);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 5, &g);
    assert_int_equal(g.n, 5);
    assert_int_equal(g.f[4].start_us, (EXPORT_MS - 5000) * 1000);
    assert_int_equal(rejects_total(rj), 0);
}

/* the other time encodings: seconds, NTP micro- and nanoseconds, delta
 * microseconds before the export, observation time; one field alone */
static void test_time_encodings(void **state) {
    (void)state;
    struct mb m = { 0 };
    struct got g = { 0 };
    ipfix_begin(&m, EXPORT_S, 0, 0);
    set_begin(&m, 2);
    mb_u16(&m, 500); mb_u16(&m, 2); fs(&m, 150, 4, 0); fs(&m, 151, 4, 0);
    mb_u16(&m, 501); mb_u16(&m, 2); fs(&m, 154, 8, 0); fs(&m, 155, 8, 0);
    mb_u16(&m, 502); mb_u16(&m, 1); fs(&m, 156, 8, 0);
    mb_u16(&m, 503); mb_u16(&m, 2); fs(&m, 158, 4, 0); fs(&m, 159, 4, 0);
    mb_u16(&m, 504); mb_u16(&m, 1); fs(&m, 323, 8, 0);
    set_end(&m);
    set_begin(&m, 500); mb_u32(&m, EXPORT_S - 20); mb_u32(&m, EXPORT_S - 10); set_end(&m);
    uint64_t ntp_s = (uint64_t)EXPORT_S + 2208988800u;
    set_begin(&m, 501);
    mb_u64(&m, ntp_s << 32 | 0x80000000u);             /* + 0.5 s */
    mb_u64(&m, (ntp_s + 1) << 32 | 0x40000000u);       /* + 1.25 s */
    set_end(&m);
    set_begin(&m, 502); mb_u64(&m, (ntp_s - 7) << 32); set_end(&m);
    set_begin(&m, 503); mb_u32(&m, 3000000); mb_u32(&m, 250); set_end(&m);
    set_begin(&m, 504); mb_u64(&m, (uint64_t)EXPORT_MS - 42); set_end(&m);
    ipfix_end(&m);
    feed(&ipfix_decoder, dec, &m, NULL, 0, &g);
    assert_int_equal(g.n, 5);
    int64_t e = EXPORT_MS * 1000;
    assert_int_equal(g.f[0].start_us, e - 20 * US_PER_SEC);
    assert_int_equal(g.f[0].end_us, e - 10 * US_PER_SEC);
    assert_int_equal(g.f[1].start_us, e + 500000);
    assert_int_equal(g.f[1].end_us, e + 1250000);
    assert_int_equal(g.f[2].start_us, e - 7 * US_PER_SEC);
    assert_int_equal(g.f[2].end_us, g.f[2].start_us);    /* one field: both */
    assert_int_equal(g.f[3].start_us, e - 3000000);
    assert_int_equal(g.f[3].end_us, e - 250);
    assert_int_equal(g.f[4].start_us, e - 42000);
    for (int i = 0; i < 5; i++) assert_true(g.f[i].has & FLOW_HAS_TIMES);
}

static void test_sequence_gaps(void **state) {
    (void)state;
    struct mb m = { 0 };
    /* RFC 7011 numbering: 0 (+3), 3 (+3), then 10: 4 records lost */
    msg_basic(&m, 0, 3);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 7, NULL);
    m.n = 0; msg_basic(&m, 3, 3);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 7, NULL);
    m.n = 0; msg_basic(&m, 10, 2);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 7, NULL);
    assert_int_equal(stats()->lost_records, 4);
    /* a late message inside that gap takes its records back */
    m.n = 0; msg_basic(&m, 6, 2);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 7, NULL);
    assert_int_equal(stats()->lost_records, 2);
    /* in order again */
    m.n = 0; msg_basic(&m, 12, 1);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 7, NULL);
    assert_int_equal(stats()->lost_records, 2);
    /* a jump back (an exporter restart, here to just before the 2^32
     * wrap) restarts the count without loss; then across the wrap */
    m.n = 0; msg_basic(&m, 0xfffffffeu, 4);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 7, NULL);
    m.n = 0; msg_basic(&m, 2, 1);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 7, NULL);
    assert_int_equal(stats()->lost_records, 2);
    m.n = 0; msg_basic(&m, 5, 1);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 7, NULL);
    assert_int_equal(stats()->lost_records, 4);
    /* back to 0: a restart, no loss */
    m.n = 0; msg_basic(&m, 0, 1);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 7, NULL);
    m.n = 0; msg_basic(&m, 1, 1);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 7, NULL);
    assert_int_equal(stats()->lost_records, 4);
    assert_int_equal(rejects_total(rj), 0);
}

/* softflowd numbers messages with the flow records sent up to and
 * including the message (options records not counted): no loss */
static void quirk_msg(struct mb *m, uint32_t seq, int flows, bool with_options) {
    ipfix_begin(m, EXPORT_S, seq, 0);
    tpl_basic(m, 256);
    if (with_options) {
        set_begin(m, 3);
        mb_u16(m, 290); mb_u16(m, 2); mb_u16(m, 1); fs(m, 143, 4, 0); fs(m, 160, 8, 0);
        set_end(m);
        set_begin(m, 290); mb_u32(m, 1); mb_u64(m, (uint64_t)EXPORT_MS - 100000); set_end(m);
    }
    set_begin(m, 256);
    for (int i = 0; i < flows; i++) rec_basic(m, (unsigned)i + 1, 22, 1, 1);
    set_end(m);
    ipfix_end(m);
}

static void test_softflowd_sequence_quirk(void **state) {
    (void)state;
    struct mb m = { 0 };
    uint32_t sent = 0;
    int sizes[] = { 24, 32, 5, 27, 27, 9, 30, 1 };
    for (int i = 0; i < 8; i++) {
        sent += (uint32_t)sizes[i];
        m.n = 0;
        quirk_msg(&m, sent, sizes[i], i % 3 == 0);
        feed(&ipfix_decoder, dec, &m, ORIGIN, 9995, NULL);
    }
    assert_int_equal(stats()->lost_records, 0);
    /* a real loss is still seen: skip a message of 10 flows */
    sent += 10;
    sent += 4;
    m.n = 0;
    quirk_msg(&m, sent, 4, false);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 9995, NULL);
    assert_int_equal(stats()->lost_records, 10);
}

/* Malformed input: each problem is rejected once with its position, and
 * the good records before and after it are still decoded. */
static void test_malformed(void **state) {
    (void)state;
    struct mb m = { 0 };
    struct got g = { 0 };
    uint64_t r0;

    /* a set whose length runs past the message end, after a good set */
    msg_basic(&m, 0, 1);
    set_begin(&m, 256); rec_basic(&m, 50, 22, 1, 1); set_end(&m);
    mb_put16(&m, m.set + 2, 500);
    ipfix_end(&m);
    feed(&ipfix_decoder, dec, &m, NULL, 0, &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(rejects_total(rj), 1);

    /* a set length below 4 */
    m.n = 0;
    ipfix_begin(&m, EXPORT_S, 1, 1);
    set_begin(&m, 256); rec_basic(&m, 2, 22, 1, 1); set_end(&m);
    mb_u16(&m, 256); mb_u16(&m, 2);
    ipfix_end(&m);
    feed(&ipfix_decoder, dec, &m, NULL, 0, &g);
    assert_int_equal(g.n, 2);
    assert_int_equal(rejects_total(rj), 2);

    /* the message length is longer than the record; then shorter than a header */
    m.n = 0;
    data_256(&m, 2, 3);
    mb_put16(&m, 2, (unsigned)m.n + 10);
    feed(&ipfix_decoder, dec, &m, NULL, 0, &g);
    assert_int_equal(rejects_total(rj), 3);
    m.n = 0;
    data_256(&m, 2, 3);
    mb_put16(&m, 2, 12);
    feed(&ipfix_decoder, dec, &m, NULL, 0, &g);
    assert_int_equal(rejects_total(rj), 4);
    assert_int_equal(g.n, 2);

    /* data for a template never seen: skipped and counted, not rejected */
    m.n = 0;
    ipfix_begin(&m, EXPORT_S, 3, 1);
    set_begin(&m, 999); mb_u32(&m, 1); set_end(&m);
    set_begin(&m, 256); rec_basic(&m, 4, 22, 1, 1); set_end(&m);
    ipfix_end(&m);
    feed(&ipfix_decoder, dec, &m, NULL, 0, &g);
    assert_int_equal(g.n, 3);
    assert_int_equal(rejects_total(rj), 4);
    assert_int_equal(stats()->sets_unknown_template, 1);

    /* a template with an absurd field count (more than fit: past its set),
     * one with too many fields that fit, a template id below 256, an
     * options template without scope: each rejected; the good template
     * after them in a later set still works */
    r0 = rejects_total(rj);
    m.n = 0;
    ipfix_begin(&m, EXPORT_S, 4, 1);
    set_begin(&m, 2); mb_u16(&m, 600); mb_u16(&m, 60000); fs(&m, 8, 4, 0); set_end(&m);
    set_begin(&m, 2); mb_u16(&m, 601); mb_u16(&m, 600);
    for (int i = 0; i < 600; i++) fs(&m, 1, 4, 0);
    set_end(&m);
    set_begin(&m, 2); mb_u16(&m, 100); mb_u16(&m, 1); fs(&m, 8, 4, 0); set_end(&m);
    set_begin(&m, 3); mb_u16(&m, 602); mb_u16(&m, 1); mb_u16(&m, 0); fs(&m, 34, 4, 0); set_end(&m);
    set_begin(&m, 2); mb_u16(&m, 603); mb_u16(&m, 1); fs(&m, 2, 4, 0); set_end(&m);
    set_begin(&m, 603); mb_u32(&m, 42); set_end(&m);
    set_begin(&m, 601); mb_u32(&m, 1); set_end(&m);
    ipfix_end(&m);
    feed(&ipfix_decoder, dec, &m, NULL, 0, &g);
    assert_int_equal(rejects_total(rj), r0 + 4);
    assert_int_equal(g.n, 4);
    assert_int_equal(g.f[3].packets, 42);

    /* a variable-length field that runs past its set: that record is
     * rejected, the one before it decoded */
    r0 = rejects_total(rj);
    m.n = 0;
    ipfix_begin(&m, EXPORT_S, 5, 1);
    set_begin(&m, 2); mb_u16(&m, 610); mb_u16(&m, 2); fs(&m, 2, 4, 0); fs(&m, 82, 0xffff, 0); set_end(&m);
    set_begin(&m, 610);
    mb_u32(&m, 8); mb_u8(&m, 1); mb_u8(&m, 'a');
    mb_u32(&m, 9); mb_u8(&m, 255); mb_u16(&m, 400); mb_u8(&m, 'b');
    set_end(&m);
    ipfix_end(&m);
    feed(&ipfix_decoder, dec, &m, NULL, 0, &g);
    assert_int_equal(rejects_total(rj), r0 + 1);
    assert_int_equal(g.n, 5);
    assert_int_equal(g.f[4].packets, 8);

    /* a reserved set id; then bytes that are not a message at all */
    r0 = rejects_total(rj);
    m.n = 0;
    ipfix_begin(&m, EXPORT_S, 6, 1);
    set_begin(&m, 17); mb_u32(&m, 0); set_end(&m);
    set_begin(&m, 603); mb_u32(&m, 43); set_end(&m);
    ipfix_end(&m);
    feed(&ipfix_decoder, dec, &m, NULL, 0, &g);
    assert_int_equal(g.n, 6);
    m.n = 0;
    mb_bytes(&m, "{\"not\": \"ipfix\"}", 16);
    feed(&ipfix_decoder, dec, &m, NULL, 0, &g);
    assert_int_equal(rejects_total(rj), r0 + 2);
    assert_int_equal(g.n, 6);
}

/* Templates are scoped by origin: the same id from two exporters with two
 * layouts never mix. Files share one scope across decoder instances. */
static void test_scopes(void **state) {
    (void)state;
    struct mb m = { 0 };
    struct got g = { 0 };
    ipfix_begin(&m, EXPORT_S, 0, 1);
    set_begin(&m, 2); mb_u16(&m, 256); mb_u16(&m, 1); fs(&m, 2, 4, 0); set_end(&m);
    ipfix_end(&m);
    feed(&ipfix_decoder, dec, &m, "192.0.2.1", 4739, &g);
    m.n = 0;
    ipfix_begin(&m, EXPORT_S, 0, 1);
    set_begin(&m, 2); mb_u16(&m, 256); mb_u16(&m, 1); fs(&m, 1, 4, 0); set_end(&m);
    ipfix_end(&m);
    feed(&ipfix_decoder, dec, &m, "2001:db8::1", 4739, &g);
    for (int i = 0; i < 2; i++) {
        m.n = 0;
        ipfix_begin(&m, EXPORT_S, 0, 1);
        set_begin(&m, 256); mb_u32(&m, 1234); set_end(&m);
        ipfix_end(&m);
        feed(&ipfix_decoder, dec, &m, i ? "2001:db8::1" : "192.0.2.1", 4739, &g);
    }
    assert_int_equal(g.n, 2);
    assert_int_equal(g.f[0].packets, 1234);
    assert_int_equal(g.f[0].octets, 0);
    assert_int_equal(g.f[1].octets, 1234);
    assert_int_equal(g.f[1].packets, 0);
    /* the same origin but another port is another exporter */
    m.n = 0;
    ipfix_begin(&m, EXPORT_S, 0, 1);
    set_begin(&m, 256); mb_u32(&m, 1); set_end(&m);
    ipfix_end(&m);
    feed(&ipfix_decoder, dec, &m, "192.0.2.1", 4740, &g);
    assert_int_equal(g.n, 2);

    /* files: a template read by one decoder serves another's data */
    void *other = ipfix_decoder.create("second", rj);
    m.n = 0;
    ipfix_begin(&m, EXPORT_S, 0, 4);
    set_begin(&m, 2); mb_u16(&m, 256); mb_u16(&m, 1); fs(&m, 2, 4, 0); set_end(&m);
    ipfix_end(&m);
    feed(&ipfix_decoder, dec, &m, NULL, 0, &g);
    m.n = 0;
    ipfix_begin(&m, EXPORT_S, 0, 4);
    set_begin(&m, 256); mb_u32(&m, 77); set_end(&m);
    ipfix_end(&m);
    feed(&ipfix_decoder, other, &m, NULL, 0, &g);
    assert_int_equal(g.n, 3);
    assert_int_equal(g.f[2].packets, 77);
    /* but not another observation domain */
    m.n = 0;
    ipfix_begin(&m, EXPORT_S, 0, 5);
    set_begin(&m, 256); mb_u32(&m, 78); set_end(&m);
    ipfix_end(&m);
    feed(&ipfix_decoder, other, &m, NULL, 0, &g);
    assert_int_equal(g.n, 3);
    ipfix_decoder.destroy(other);
    assert_int_equal(rejects_total(rj), 0);
}

/* A record may hold several messages (a TCP read, a .dat with many);
 * a decoder left in the middle of a data set by begin() is fine. */
static void test_messages_in_one_record(void **state) {
    (void)state;
    struct mb m = { 0 };
    struct got g = { 0 };
    msg_basic(&m, 0, 2);
    data_256(&m, 2, 9);
    data_256(&m, 3, 10);
    feed(&ipfix_decoder, dec, &m, ORIGIN, 1, &g);
    assert_int_equal(g.n, 4);
    assert_int_equal(stats()->messages_ipfix, 3);
    assert_int_equal(stats()->lost_records, 0);
    /* begin again while the previous record still has flows */
    struct record rec = { .p = (const char *)m.b, .len = m.n, .cap = m.n, .has_origin = true };
    struct event ev;
    ipfix_decoder.begin(dec, &rec);
    assert_true(ipfix_decoder.next(dec, &ev));
    ipfix_decoder.begin(dec, &rec);
    int n = 0;
    while (ipfix_decoder.next(dec, &ev)) n++;
    assert_int_equal(n, 4);
    assert_int_equal(rejects_total(rj), 0);
}

/* Decoding allocates nothing per record: a template held by a decoder in
 * the middle of a data set survives its withdrawal by another decoder. */
static void test_template_pinned_across_decoders(void **state) {
    (void)state;
    void *other = ipfix_decoder.create("second", rj);
    struct mb m = { 0 };
    msg_basic(&m, 0, 3);
    static uint8_t copy[sizeof m.b];
    memcpy(copy, m.b, m.n);
    struct record rec = { .p = (const char *)copy, .len = m.n, .cap = m.n };
    struct event ev;
    ipfix_decoder.begin(dec, &rec);
    assert_true(ipfix_decoder.next(dec, &ev));
    /* the other decoder withdraws every template of the same file scope */
    struct mb w = { 0 };
    ipfix_begin(&w, EXPORT_S, 0, 1);
    set_begin(&w, 2); mb_u16(&w, 2); mb_u16(&w, 0); set_end(&w);
    ipfix_end(&w);
    feed(&ipfix_decoder, other, &w, NULL, 0, NULL);
    int n = 1;
    while (ipfix_decoder.next(dec, &ev)) {
        assert_int_equal(ev.u.flow->template_id, 256);
        n++;
    }
    assert_int_equal(n, 3);
    ipfix_decoder.destroy(other);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_basic_v4, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reduced_size_and_ipv6, setup, teardown),
        cmocka_unit_test_setup_teardown(test_varlen_enterprise_reverse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_withdrawal_and_redefinition, setup, teardown),
        cmocka_unit_test_setup_teardown(test_options_sampling_join, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sampling_in_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sysuptime, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_encodings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sequence_gaps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_softflowd_sequence_quirk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scopes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_messages_in_one_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_template_pinned_across_decoders, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
