/* Flow inputs: framing of export files (IPFIX messages back to back, v5
 * packets, a v9 datagram, junk between messages), pcap/pcapng captures
 * (link types, VLAN tags, IPv6 extension headers, fragments, truncation,
 * gzip), and the flow log's JSON line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "flowbuild.h"
#include "input/framer.h"
#include "input/pcap.h"
#include "input/reader.h"
#include "sink/flowlog.h"
#include "tmpdir.h"

static char dir[64], path[128];
static struct reader *kept_reader;   /* the reader of a framer frame_file kept */

static int setup(void **state) {
    (void)state;
    return tmpdir_make(dir, sizeof dir, "flowin");
}

static int teardown(void **state) {
    (void)state;
    return tmpdir_remove(dir);
}

static void write_file(const char *name, const void *data, size_t n, bool gz) {
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (gz) {
        gzFile g = gzopen(path, "wb");
        assert_non_null(g);
        assert_int_equal(gzwrite(g, data, (unsigned)n), (int)n);
        gzclose(g);
        return;
    }
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

struct framed {
    int n;
    size_t len[32];
    uint64_t offset[32];
    bool origin[32];
    struct ipaddr from[32];
    uint16_t port[32];
    uint8_t first[32];
};

static enum frame_mode frame_file(struct framed *out, struct framer **keep) {
    char err[128];
    struct reader *r = reader_open(path, err, sizeof err);
    assert_non_null(r);
    struct framer *f = framer_new(r);
    enum frame_mode mode = framer_guess_mode(f);
    framer_set_mode(f, mode);
    struct record rec;
    memset(out, 0, sizeof *out);
    int rc;
    while ((rc = framer_next(f, &rec)) == 1) {
        assert_true(rec.cap >= rec.len + JSON_PADDING);
        int i = out->n++;
        if (i >= 32) continue;
        out->len[i] = rec.len;
        out->offset[i] = rec.offset;
        out->origin[i] = rec.has_origin;
        out->from[i] = rec.origin;
        out->port[i] = rec.origin_port;
        out->first[i] = rec.len ? (uint8_t)rec.p[0] : 0;
    }
    assert_int_equal(rc, 0);
    if (keep) {
        *keep = f;
        kept_reader = r;
    } else {
        framer_free(f);
        reader_close(r);
    }
    return mode;
}

/* ---- export files ------------------------------------------------------------- */

static void ipfix_msg(struct mb *m, uint32_t seq) {
    ipfix_begin(m, 1700000000, seq, 0);
    set_begin(m, 2); mb_u16(m, 256); mb_u16(m, 1); fs(m, 2, 4, 0); set_end(m);
    set_begin(m, 256); mb_u32(m, seq + 1); set_end(m);
    ipfix_end(m);
}

static void test_ipfix_file_with_junk(void **state) {
    (void)state;
    struct mb m = { 0 };
    ipfix_msg(&m, 0);
    size_t first = m.n;
    mb_bytes(&m, "garbage", 7);
    ipfix_msg(&m, 1);
    ipfix_msg(&m, 2);
    struct framed fr;
    for (int gz = 0; gz < 2; gz++) {
        write_file(gz ? "f.ipfix.gz" : "f.ipfix", m.b, m.n, gz);
        assert_int_equal(frame_file(&fr, NULL), FRAME_MESSAGES);
        assert_int_equal(fr.n, 4);
        assert_int_equal(fr.len[0], first);
        assert_int_equal(fr.len[1], 7);               /* the junk, alone */
        assert_int_equal(fr.offset[1], first);
        assert_int_equal(fr.offset[2], first + 7);
        assert_int_equal(fr.first[2], 0);
        assert_false(fr.origin[0]);
    }
    /* through the decoder: the junk is one reject, three flows */
    struct rejects *rj = rejects_new(0, NULL);
    void *dec = ipfix_decoder.create(path, rj);
    char err[128];
    struct reader *r = reader_open(path, err, sizeof err);
    struct framer *f = framer_new(r);
    framer_set_mode(f, format_frame_mode(&ipfix_decoder, f));
    struct record rec;
    struct event ev;
    int flows = 0;
    while (framer_next(f, &rec) == 1) {
        ipfix_decoder.begin(dec, &rec);
        while (ipfix_decoder.next(dec, &ev)) flows++;
    }
    assert_int_equal(flows, 3);
    assert_int_equal(rejects_total(rj), 1);
    ipfix_decoder.destroy(dec);
    framer_free(f);
    reader_close(r);
    rejects_free(rj);
}

static void test_v5_and_v9_files(void **state) {
    (void)state;
    struct mb m = { 0 };
    for (int k = 0; k < 3; k++) {
        mb_u16(&m, 5); mb_u16(&m, 1); mb_u32(&m, 1000); mb_u32(&m, 1700000000); mb_u32(&m, 0);
        mb_u32(&m, (uint32_t)k); mb_u32(&m, 0);
        for (int i = 0; i < 48; i++) mb_u8(&m, 0);
    }
    write_file("v5.dat", m.b, m.n, false);
    struct framed fr;
    assert_int_equal(frame_file(&fr, NULL), FRAME_MESSAGES);
    assert_int_equal(fr.n, 3);
    assert_int_equal(fr.len[2], 72);
    assert_int_equal(fr.offset[2], 144);
    m.n = 0;
    nf9_begin(&m, 1000, 1700000000, 0, 0);
    set_begin(&m, 0); mb_u16(&m, 256); mb_u16(&m, 1); mb_u16(&m, 2); mb_u16(&m, 4); set_end_padded(&m);
    set_begin(&m, 256); mb_u32(&m, 9); set_end_padded(&m);
    write_file("v9.dat", m.b, m.n, false);
    assert_int_equal(frame_file(&fr, NULL), FRAME_MESSAGES);
    assert_int_equal(fr.n, 1);
    assert_int_equal(fr.len[0], m.n);
}

/* ---- captures ------------------------------------------------------------------ */

struct cap { uint8_t b[16384]; size_t n; };

static void le32(struct cap *c, uint32_t v) { for (int i = 0; i < 4; i++) c->b[c->n++] = (uint8_t)(v >> (8 * i)); }
static void le16(struct cap *c, unsigned v) { c->b[c->n++] = (uint8_t)v; c->b[c->n++] = (uint8_t)(v >> 8); }
static void put(struct cap *c, const void *p, size_t n) { memcpy(c->b + c->n, p, n); c->n += n; }

static void pcap_header(struct cap *c, uint32_t linktype) {
    le32(c, 0xa1b2c3d4); le16(c, 2); le16(c, 4); le32(c, 0); le32(c, 0); le32(c, 65535); le32(c, linktype);
}

static void pcap_packet(struct cap *c, const struct mb *frame, size_t caplen) {
    le32(c, 1700000000); le32(c, 0); le32(c, (uint32_t)caplen); le32(c, (uint32_t)frame->n);
    put(c, frame->b, caplen);
}

static void ether(struct mb *f, unsigned ethertype) {
    for (int i = 0; i < 12; i++) mb_u8(f, i);
    mb_u16(f, ethertype);
}

/* IPv4 header + UDP header + payload; frag: the flags/offset word */
static void ipv4_udp(struct mb *f, const char *src, unsigned sport, unsigned dport, const char *payload, unsigned frag,
                     unsigned proto) {
    size_t plen = strlen(payload);
    struct ipaddr s = ip(src);
    mb_u8(f, 0x45); mb_u8(f, 0); mb_u16(f, (unsigned)(20 + 8 + plen)); mb_u16(f, 1); mb_u16(f, frag);
    mb_u8(f, 64); mb_u8(f, proto); mb_u16(f, 0); mb_bytes(f, s.b + 12, 4); mb_v4(f, 192, 0, 2, 200);
    mb_u16(f, sport); mb_u16(f, dport); mb_u16(f, (unsigned)(8 + plen)); mb_u16(f, 0);
    mb_bytes(f, payload, plen);
}

static void test_pcap_ethernet(void **state) {
    (void)state;
    struct cap c = { .n = 0 };
    struct mb f;
    pcap_header(&c, 1);
    /* 1: QinQ-tagged IPv4 UDP, with Ethernet trailer bytes after it */
    memset(&f, 0, sizeof f);
    for (int i = 0; i < 12; i++) mb_u8(&f, i);
    mb_u16(&f, 0x88a8); mb_u16(&f, 100); mb_u16(&f, 0x8100); mb_u16(&f, 200); mb_u16(&f, 0x0800);
    ipv4_udp(&f, "192.0.2.1", 50000, 2055, "hello", 0, 17);
    mb_u32(&f, 0);
    pcap_packet(&c, &f, f.n);
    /* 2: IPv6 with a hop-by-hop header, then UDP */
    memset(&f, 0, sizeof f);
    ether(&f, 0x86dd);
    struct ipaddr s6 = ip("2001:db8::5"), d6 = ip("2001:db8::6");
    mb_u32(&f, 0x60000000); mb_u16(&f, 8 + 8 + 3); mb_u8(&f, 0); mb_u8(&f, 64);
    mb_bytes(&f, s6.b, 16); mb_bytes(&f, d6.b, 16);
    mb_u8(&f, 17); mb_u8(&f, 0); mb_u16(&f, 0); mb_u32(&f, 0);           /* hop-by-hop, 8 bytes */
    mb_u16(&f, 4739); mb_u16(&f, 4739); mb_u16(&f, 11); mb_u16(&f, 0); mb_bytes(&f, "six", 3);
    pcap_packet(&c, &f, f.n);
    /* 3: TCP; 4: a fragment; 5: ARP; 6: cut by the snap length */
    memset(&f, 0, sizeof f); ether(&f, 0x0800); ipv4_udp(&f, "192.0.2.1", 1, 2, "tcp", 0, 6);
    pcap_packet(&c, &f, f.n);
    memset(&f, 0, sizeof f); ether(&f, 0x0800); ipv4_udp(&f, "192.0.2.1", 1, 2, "frag", 0x2000, 17);
    pcap_packet(&c, &f, f.n);
    memset(&f, 0, sizeof f); ether(&f, 0x0806); for (int i = 0; i < 28; i++) mb_u8(&f, 0);
    pcap_packet(&c, &f, f.n);
    memset(&f, 0, sizeof f); ether(&f, 0x0800); ipv4_udp(&f, "192.0.2.1", 1, 2, "truncated payload", 0, 17);
    pcap_packet(&c, &f, f.n - 5);
    /* 7: another datagram */
    memset(&f, 0, sizeof f); ether(&f, 0x0800); ipv4_udp(&f, "192.0.2.7", 9999, 9995, "last", 0, 17);
    pcap_packet(&c, &f, f.n);
    for (int gz = 0; gz < 2; gz++) {
        write_file(gz ? "e.pcap.gz" : "e.pcap", c.b, c.n, gz);
        struct framed fr;
        struct framer *fm;
        assert_int_equal(frame_file(&fr, &fm), FRAME_PCAP);
        assert_int_equal(fr.n, 3);
        assert_true(fr.origin[0]);
        struct ipaddr a = ip("192.0.2.1"), b = ip("192.0.2.7");
        assert_true(ip_eq(&fr.from[0], &a));
        assert_int_equal(fr.port[0], 50000);
        assert_int_equal(fr.len[0], 5);                  /* not the trailer */
        assert_int_equal(fr.offset[0], 1);               /* packet numbers */
        assert_true(ip_eq(&fr.from[1], &s6));
        assert_int_equal(fr.len[1], 3);
        assert_int_equal(fr.offset[1], 2);
        assert_true(ip_eq(&fr.from[2], &b));
        assert_int_equal(fr.offset[2], 7);
        buf out;
        buf_init(&out);
        framer_report(fm, &out);
        const char *s = buf_cstr(&out);
        assert_non_null(strstr(s, "7 packets, 3 UDP datagrams"));
        assert_non_null(strstr(s, "skipped 1 packets that are not IP and 1 that are not UDP"));
        assert_non_null(strstr(s, "skipped 1 IP fragments"));
        assert_non_null(strstr(s, "skipped 1 packets cut short"));
        buf_free(&out);
        framer_free(fm);
        reader_close(kept_reader);
    }
}

static void test_pcap_link_types(void **state) {
    (void)state;
    struct mb f;
    struct framed fr;
    /* raw IP (LINKTYPE_RAW 101), Linux SLL2 (276), BSD loopback (0) */
    const uint32_t types[] = { 101, 276, 0, 113 };
    for (unsigned t = 0; t < sizeof types / sizeof types[0]; t++) {
        struct cap c = { .n = 0 };
        pcap_header(&c, types[t]);
        memset(&f, 0, sizeof f);
        if (types[t] == 276) { mb_u16(&f, 0x0800); for (int i = 0; i < 18; i++) mb_u8(&f, 0); }
        if (types[t] == 113) { for (int i = 0; i < 14; i++) mb_u8(&f, 0); mb_u16(&f, 0x0800); }
        if (types[t] == 0) { mb_u8(&f, 2); mb_u8(&f, 0); mb_u8(&f, 0); mb_u8(&f, 0); }
        ipv4_udp(&f, "203.0.113.3", 1234, 4739, "payload", 0, 17);
        pcap_packet(&c, &f, f.n);
        write_file("l.pcap", c.b, c.n, false);
        frame_file(&fr, NULL);
        assert_int_equal(fr.n, 1);
        assert_int_equal(fr.len[0], 7);
        assert_int_equal(fr.port[0], 1234);
    }
}

static void test_pcapng(void **state) {
    (void)state;
    struct cap c = { .n = 0 };
    /* section header */
    le32(&c, 0x0a0d0d0a); le32(&c, 28); le32(&c, 0x1a2b3c4d); le16(&c, 1); le16(&c, 0);
    le32(&c, 0xffffffff); le32(&c, 0xffffffff); le32(&c, 28);
    /* interface: Ethernet */
    le32(&c, 1); le32(&c, 20); le16(&c, 1); le16(&c, 0); le32(&c, 65535); le32(&c, 20);
    /* enhanced packet block */
    struct mb f;
    memset(&f, 0, sizeof f);
    ether(&f, 0x0800);
    ipv4_udp(&f, "198.51.100.20", 777, 2055, "ng", 0, 17);
    size_t padded = (f.n + 3) & ~(size_t)3;
    uint32_t blen = (uint32_t)(32 + padded);
    le32(&c, 6); le32(&c, blen); le32(&c, 0); le32(&c, 0); le32(&c, 0); le32(&c, (uint32_t)f.n); le32(&c, (uint32_t)f.n);
    put(&c, f.b, f.n);
    for (size_t i = f.n; i < padded; i++) c.b[c.n++] = 0;
    le32(&c, blen);
    write_file("n.pcapng", c.b, c.n, false);
    struct framed fr;
    assert_int_equal(frame_file(&fr, NULL), FRAME_PCAP);
    assert_int_equal(fr.n, 1);
    assert_int_equal(fr.len[0], 2);
    assert_int_equal(fr.port[0], 777);
}

/* not a capture: the framer fails with libpcap's reason */
static void test_pcap_bad_file(void **state) {
    (void)state;
    uint8_t junk[64] = { 0xd4, 0xc3, 0xb2, 0xa1, 9, 9 };
    write_file("bad.pcap", junk, sizeof junk, false);
    char err[128];
    struct reader *r = reader_open(path, err, sizeof err);
    struct framer *f = framer_new(r);
    framer_set_mode(f, FRAME_PCAP);
    struct record rec;
    assert_int_equal(framer_next(f, &rec), -1);
    assert_true(strlen(framer_error(f)) > 0);
    framer_free(f);
    reader_close(r);
}

/* an IPFIX export in a capture, decoded with its exporter's address */
static void test_pcap_decoded(void **state) {
    (void)state;
    struct cap c = { .n = 0 };
    pcap_header(&c, 1);
    struct mb msg = { 0 };
    ipfix_msg(&msg, 0);
    struct mb f;
    memset(&f, 0, sizeof f);
    ether(&f, 0x0800);
    struct ipaddr s = ip("192.0.2.33");
    mb_u8(&f, 0x45); mb_u8(&f, 0); mb_u16(&f, (unsigned)(28 + msg.n)); mb_u32(&f, 0); mb_u8(&f, 64); mb_u8(&f, 17);
    mb_u16(&f, 0); mb_bytes(&f, s.b + 12, 4); mb_v4(&f, 192, 0, 2, 1);
    mb_u16(&f, 40001); mb_u16(&f, 4739); mb_u16(&f, (unsigned)(8 + msg.n)); mb_u16(&f, 0);
    mb_bytes(&f, msg.b, msg.n);
    pcap_packet(&c, &f, f.n);
    /* and a DNS query in the same capture: not export, not a reject */
    memset(&f, 0, sizeof f);
    ether(&f, 0x0800);
    ipv4_udp(&f, "192.0.2.53", 5353, 53, "\x12\x34\x01\x00\x00\x01", 0, 17);
    pcap_packet(&c, &f, f.n);
    write_file("x.pcap", c.b, c.n, false);
    struct rejects *rj = rejects_new(0, NULL);
    void *dec = pcap_decoder.create(path, rj);
    char err[128];
    struct reader *r = reader_open(path, err, sizeof err);
    struct framer *fm = framer_new(r);
    assert_ptr_equal(format_detect(framer_head(fm)), &pcap_decoder);
    framer_set_mode(fm, format_frame_mode(&pcap_decoder, fm));
    struct record rec;
    struct event ev;
    assert_int_equal(framer_next(fm, &rec), 1);
    pcap_decoder.begin(dec, &rec);
    assert_true(pcap_decoder.next(dec, &ev));
    assert_true(ip_eq(&ev.u.flow->exporter->addr, &s));
    assert_int_equal(ev.u.flow->exporter->port, 40001);
    assert_int_equal(ev.u.flow->packets, 1);
    assert_int_equal(ev.pos.offset, 1);
    assert_false(pcap_decoder.next(dec, &ev));
    assert_int_equal(framer_next(fm, &rec), 1);
    pcap_decoder.begin(dec, &rec);
    assert_false(pcap_decoder.next(dec, &ev));
    assert_int_equal(rejects_total(rj), 0);
    buf out;
    buf_init(&out);
    pcap_decoder.report(dec, &out);
    assert_non_null(strstr(buf_cstr(&out), "1 UDP datagram of the capture is not flow export"));
    buf_free(&out);
    pcap_decoder.destroy(dec);
    framer_free(fm);
    reader_close(r);
    rejects_free(rj);
}

/* ---- the flow log line ------------------------------------------------------------ */

static void test_flowlog_line(void **state) {
    (void)state;
    struct flow_exporter e = { .addr = ip("2001:db8::9"), .port = 4739, .odid = 6, .version = 10 };
    struct flow f = { .src = ip("192.0.2.1"), .dst = ip("198.51.100.2"), .src_port = 60560, .dst_port = 22,
                      .proto = 6, .tcp_flags = 0x10, .packets = 5, .octets = 260,
                      .start_us = INT64_C(1431516013506000), .end_us = INT64_C(1431516026232999),
                      .sampling = 256, .template_id = 1024, .exporter = &e,
                      .has = FLOW_HAS_PORTS | FLOW_HAS_TCP_FLAGS | FLOW_HAS_TIMES | FLOW_HAS_SAMPLING };
    buf b;
    buf_init(&b);
    flowlog_format(&b, &f);
    assert_string_equal(buf_cstr(&b),
        "{\"src\":\"192.0.2.1\",\"dst\":\"198.51.100.2\",\"src_port\":60560,\"dst_port\":22,\"proto\":6,"
        "\"tcp_flags\":16,\"packets\":5,\"octets\":260,\"start\":\"2015-05-13T11:20:13.506Z\","
        "\"end\":\"2015-05-13T11:20:26.232Z\",\"sampling\":256,\"exporter\":\"[2001:db8::9]:4739\","
        "\"odid\":6,\"version\":10,\"template\":1024}\n");
    /* a file's flow without ports, flags, times or sampling */
    struct flow_exporter file = { .odid = 0, .version = 9 };
    struct flow g = { .src = ip("10.0.0.1"), .dst = ip("10.0.0.2"), .proto = 1, .packets = 1, .octets = 84,
                      .start_us = -1500, .end_us = 0, .template_id = 300, .exporter = &file };
    buf_clear(&b);
    flowlog_format(&b, &g);
    assert_string_equal(buf_cstr(&b),
        "{\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\",\"proto\":1,\"packets\":1,\"octets\":84,"
        "\"start\":\"1969-12-31T23:59:59.998Z\",\"end\":\"1970-01-01T00:00:00.000Z\",\"times\":\"export\","
        "\"sampling\":null,\"exporter\":null,\"odid\":0,\"version\":9,\"template\":300}\n");
    buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ipfix_file_with_junk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_v5_and_v9_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pcap_ethernet, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pcap_link_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pcapng, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pcap_bad_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pcap_decoded, setup, teardown),
        cmocka_unit_test(test_flowlog_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
