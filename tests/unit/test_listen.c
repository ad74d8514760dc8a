/* The flow listeners on loopback: addresses, UDP batches and who sent
 * them, a port in use, IPFIX framing over TCP (partial reads, several
 * messages per read, garbage, a message cut off, the connection cap). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "decode/decoder.h"
#include "decode/json.h"
#include "input/listen.h"

/* ---- helpers ------------------------------------------------------------ */

#define MAX_SEEN 32

struct seen {
    int n;
    char data[MAX_SEEN][128];
    size_t len[MAX_SEEN];
    uint64_t offset[MAX_SEEN];
    uint16_t port[MAX_SEEN];
    struct ipaddr origin[MAX_SEEN];
    void *conn[MAX_SEEN];
    int opened, closed;
};

static void keep(struct seen *s, void *conn, const struct record *rec) {
    assert_true(rec->has_origin);
    assert_true(rec->cap >= rec->len + JSON_PADDING);
    if (s->n == MAX_SEEN) return;
    size_t n = rec->len < sizeof s->data[0] ? rec->len : sizeof s->data[0];
    memcpy(s->data[s->n], rec->p, n);
    s->len[s->n] = rec->len;
    s->offset[s->n] = rec->offset;
    s->port[s->n] = rec->origin_port;
    s->origin[s->n] = rec->origin;
    s->conn[s->n] = conn;
    s->n++;
}

static void on_datagram(void *ud, const struct record *rec) { keep(ud, NULL, rec); }

static uint16_t port_of(const char *name) {
    const char *colon = strrchr(name, ':');
    assert_non_null(colon);
    return (uint16_t)atoi(colon + 1);
}

static int udp_sender(uint16_t *port) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    *port = ntohs(a.sin_port);
    return fd;
}

static void send_to(int fd, uint16_t port, const void *p, size_t n) {
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    assert_int_equal(sendto(fd, p, n, 0, (struct sockaddr *)&a, sizeof a), (ssize_t)n);
}

static void wait_readable(int fd) {
    struct pollfd p = { .fd = fd, .events = POLLIN };
    assert_int_equal(poll(&p, 1, 2000), 1);
}

/* An IPFIX message of total length n (>= 16) whose body is filled with tag. */
static size_t ipfix_message(char *out, uint16_t n, char tag) {
    memset(out, tag, n);
    out[0] = 0;
    out[1] = 10;
    out[2] = (char)(n >> 8);
    out[3] = (char)(n & 0xff);
    return n;
}

/* ---- addresses ---------------------------------------------------------- */

static void test_parse_addr(void **state) {
    (void)state;
    struct sockaddr_storage ss;
    socklen_t len;
    char err[256], text[64];
    assert_int_equal(listen_parse_addr("127.0.0.1:4739", &ss, &len, err, sizeof err), 0);
    assert_int_equal(ss.ss_family, AF_INET);
    listen_format_addr((struct sockaddr *)&ss, text, sizeof text);
    assert_string_equal(text, "127.0.0.1:4739");
    assert_int_equal(listen_parse_addr("[::]:2055", &ss, &len, err, sizeof err), 0);
    assert_int_equal(ss.ss_family, AF_INET6);
    listen_format_addr((struct sockaddr *)&ss, text, sizeof text);
    assert_string_equal(text, "[::]:2055");
    assert_int_equal(listen_parse_addr("[2001:db8::1]:0", &ss, &len, err, sizeof err), 0);

    const char *bad[] = { "", "4739", ":4739", "0.0.0.0", "0.0.0.0:", "0.0.0.0:65536", "0.0.0.0:47x9",
                          "localhost:4739", "::1:4739", "[::1]4739", "[::1", "[bogus]:1", "1.2.3.4:-1",
                          "300.1.1.1:4739" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_int_equal(listen_parse_addr(bad[i], &ss, &len, err, sizeof err), -1);
        assert_non_null(strstr(err, "is not an address and port"));
    }
}

/* ---- UDP ---------------------------------------------------------------- */

static void test_udp_batches_and_origins(void **state) {
    (void)state;
    char err[256];
    struct udp_listener *u = udp_listen("127.0.0.1:0", 1 << 20, err, sizeof err);
    assert_non_null(u);
    assert_non_null(strstr(udp_name(u), "udp 127.0.0.1:"));
    uint16_t port = port_of(udp_name(u)), pa, pb;
    int a = udp_sender(&pa), b = udp_sender(&pb);
    send_to(a, port, "first", 5);
    send_to(b, port, "second!", 7);
    send_to(a, port, "third", 5);
    struct seen s = { 0 };
    wait_readable(udp_fd(u));
    for (int tries = 0; s.n < 3 && tries < 100; tries++) {
        if (udp_receive(u, on_datagram, &s) == 0) usleep(10000);
    }
    assert_int_equal(s.n, 3);
    assert_memory_equal(s.data[0], "first", 5);
    assert_memory_equal(s.data[1], "second!", 7);
    /* offsets run through the concatenation of the datagrams */
    assert_int_equal(s.offset[0], 0);
    assert_int_equal(s.offset[1], 5);
    assert_int_equal(s.offset[2], 12);
    assert_int_equal(s.port[0], pa);
    assert_int_equal(s.port[1], pb);
    assert_int_equal(s.port[2], pa);
    struct ipaddr lo;
    assert_true(ip_parse("127.0.0.1", 9, &lo));
    assert_true(ip_eq(&s.origin[0], &lo));
    const struct udp_stats *st = udp_stats(u);
    assert_int_equal(st->datagrams, 3);
    assert_int_equal(st->bytes, 17);
    assert_int_equal(st->kernel_drops, 0);
    assert_int_equal(udp_receive(u, on_datagram, &s), 0);    /* nothing waiting: no block */
    close(a);
    close(b);
    udp_close(u);
}

/* The socket's queue overflows while nobody reads: SO_RXQ_OVFL counts
 * what the kernel threw away. Each datagram carries the count as it was
 * when that datagram was queued, so drops are learnt from the first
 * datagram queued after them. */
static void test_udp_kernel_drops(void **state) {
    (void)state;
    char err[256];
    struct udp_listener *u = udp_listen("127.0.0.1:0", 0, err, sizeof err);
    assert_non_null(u);
    int small = 4096;
    setsockopt(udp_fd(u), SOL_SOCKET, SO_RCVBUFFORCE, &small, sizeof small);
    uint16_t port = port_of(udp_name(u)), pa;
    int a = udp_sender(&pa);
    char payload[1400];
    memset(payload, 'x', sizeof payload);
    for (int i = 0; i < 200; i++) send_to(a, port, payload, sizeof payload);
    struct seen s = { 0 };
    while (udp_receive(u, on_datagram, &s) > 0) {}
    send_to(a, port, payload, sizeof payload);
    wait_readable(udp_fd(u));
    while (udp_receive(u, on_datagram, &s) > 0) {}
    const struct udp_stats *st = udp_stats(u);
    assert_true(st->datagrams > 1);
    assert_true(st->kernel_drops > 0);
    assert_int_equal(st->datagrams + st->kernel_drops, 201);
    close(a);
    udp_close(u);
}

static void test_port_in_use(void **state) {
    (void)state;
    char err[256], addr[64];
    struct udp_listener *u = udp_listen("127.0.0.1:0", 0, err, sizeof err);
    assert_non_null(u);
    snprintf(addr, sizeof addr, "127.0.0.1:%u", port_of(udp_name(u)));
    assert_null(udp_listen(addr, 0, err, sizeof err));
    assert_non_null(strstr(err, "Address already in use"));
    assert_non_null(strstr(err, addr));
    assert_null(udp_listen("nonsense", 0, err, sizeof err));
    assert_non_null(strstr(err, "'nonsense' is not an address and port"));
    udp_close(u);
}

/* ---- TCP ---------------------------------------------------------------- */

static void *conn_open(void *ud, const struct ipaddr *peer, uint16_t port) {
    (void)peer;
    (void)port;
    struct seen *s = ud;
    s->opened++;
    return (void *)(intptr_t)s->opened;
}
static void conn_message(void *ud, void *conn, const struct record *rec) { keep(ud, conn, rec); }
static void conn_close(void *ud, void *conn) {
    (void)conn;
    ((struct seen *)ud)->closed++;
}

struct tcp_fixture {
    struct seen s;
    struct rejects *rj;
    struct tcp_listener *t;
    uint16_t port;
};

static void tcp_setup(struct tcp_fixture *f, unsigned max_conns) {
    memset(&f->s, 0, sizeof f->s);
    f->rj = rejects_new(0, NULL);
    struct tcp_handler h = { conn_open, conn_message, conn_close, &f->s };
    char err[256];
    f->t = tcp_listen("127.0.0.1:0", max_conns, &h, f->rj, err, sizeof err);
    assert_non_null(f->t);
    f->port = port_of(tcp_name(f->t));
}

static void tcp_teardown(struct tcp_fixture *f) {
    tcp_close(f->t);
    rejects_free(f->rj);
}

static int tcp_connect(uint16_t port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

/* Service the listener until cond holds (or two seconds pass). */
#define SERVE_UNTIL(f, cond)                                                   \
    do {                                                                       \
        for (int tries_ = 0; !(cond) && tries_ < 200; tries_++) {              \
            struct pollfd p_ = { .fd = tcp_fd((f)->t), .events = POLLIN };    \
            poll(&p_, 1, 10);                                                  \
            tcp_service((f)->t);                                               \
        }                                                                      \
        assert_true(cond);                                                     \
    } while (0)

static void test_tcp_partial_and_batched(void **state) {
    (void)state;
    struct tcp_fixture f;
    tcp_setup(&f, 4);
    int c = tcp_connect(f.port);
    char m1[40], m2[100], m3[16];
    ipfix_message(m1, sizeof m1, 'a');
    ipfix_message(m2, sizeof m2, 'b');
    ipfix_message(m3, sizeof m3, 'c');
    /* m1 a byte at a time: the framer must wait for the whole message */
    for (size_t i = 0; i < sizeof m1; i++) {
        assert_int_equal(write(c, m1 + i, 1), 1);
        tcp_service(f.t);
        if (i + 1 < sizeof m1) assert_int_equal(f.s.n, 0);
        usleep(500);
    }
    SERVE_UNTIL(&f, f.s.n == 1);
    /* m2 and m3 in one write, plus the first 3 bytes of another m1 */
    char both[sizeof m2 + sizeof m3 + 3];
    memcpy(both, m2, sizeof m2);
    memcpy(both + sizeof m2, m3, sizeof m3);
    memcpy(both + sizeof m2 + sizeof m3, m1, 3);
    assert_int_equal(write(c, both, sizeof both), (ssize_t)sizeof both);
    SERVE_UNTIL(&f, f.s.n == 3);
    assert_int_equal(write(c, m1 + 3, sizeof m1 - 3), (ssize_t)(sizeof m1 - 3));
    SERVE_UNTIL(&f, f.s.n == 4);
    assert_int_equal(f.s.len[0], 40);
    assert_int_equal(f.s.len[1], 100);
    assert_int_equal(f.s.len[2], 16);
    assert_int_equal(f.s.len[3], 40);
    assert_int_equal(f.s.data[1][20], 'b');
    assert_int_equal(f.s.data[2][15], 'c');
    assert_int_equal(f.s.offset[1], 40);     /* offsets within the connection's stream */
    assert_int_equal(f.s.offset[2], 140);
    assert_int_equal(f.s.offset[3], 156);
    assert_int_equal(f.s.opened, 1);
    assert_ptr_equal(f.s.conn[0], (void *)(intptr_t)1);
    close(c);
    SERVE_UNTIL(&f, f.s.closed == 1);
    const struct tcp_stats *st = tcp_stats(f.t);
    assert_int_equal(st->messages, 4);
    assert_int_equal(st->bytes, 196);
    assert_int_equal(st->garbage, 0);
    assert_int_equal(st->cut, 0);
    assert_int_equal(st->open, 0);
    assert_int_equal(rejects_total(f.rj), 0);
    tcp_teardown(&f);
}

static void test_tcp_garbage_closes(void **state) {
    (void)state;
    struct tcp_fixture f;
    tcp_setup(&f, 4);
    int good = tcp_connect(f.port), bad = tcp_connect(f.port);
    char m[32];
    ipfix_message(m, sizeof m, 'g');
    assert_int_equal(write(good, m, sizeof m), (ssize_t)sizeof m);
    /* one good message, then an HTTP request on the same connection */
    assert_int_equal(write(bad, m, sizeof m), (ssize_t)sizeof m);
    const char *http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(write(bad, http, strlen(http)), (ssize_t)strlen(http));
    SERVE_UNTIL(&f, f.s.closed == 1);
    SERVE_UNTIL(&f, f.s.n == 2);
    const struct tcp_stats *st = tcp_stats(f.t);
    assert_int_equal(st->garbage, 1);
    assert_int_equal(st->open, 1);
    assert_int_equal(rejects_total(f.rj), 1);
    buf b;
    buf_init(&b);
    rejects_summary(f.rj, &b);
    assert_non_null(strstr(buf_cstr(&b), "not an IPFIX message on TCP"));
    assert_non_null(strstr(buf_cstr(&b), "offset 32"));
    buf_free(&b);
    /* the server closed it: the peer sees end of stream */
    char x;
    struct pollfd p = { .fd = bad, .events = POLLIN };
    assert_int_equal(poll(&p, 1, 2000), 1);
    assert_true(read(bad, &x, 1) <= 0);
    /* a header with a length shorter than a header is garbage too */
    char shortlen[16] = { 0, 10, 0, 8 };
    assert_int_equal(write(good, shortlen, sizeof shortlen), 16);
    SERVE_UNTIL(&f, f.s.closed == 2);
    assert_int_equal(tcp_stats(f.t)->garbage, 2);
    close(good);
    close(bad);
    tcp_teardown(&f);
}

static void test_tcp_cut_and_cap(void **state) {
    (void)state;
    struct tcp_fixture f;
    tcp_setup(&f, 2);
    int a = tcp_connect(f.port), b = tcp_connect(f.port);
    SERVE_UNTIL(&f, f.s.opened == 2);
    int c = tcp_connect(f.port);           /* the kernel accepts it; the listener refuses it */
    SERVE_UNTIL(&f, tcp_stats(f.t)->refused == 1);
    assert_int_equal(f.s.opened, 2);
    char x;
    struct pollfd p = { .fd = c, .events = POLLIN };
    assert_int_equal(poll(&p, 1, 2000), 1);
    assert_true(read(c, &x, 1) <= 0);
    /* half a message, then the peer hangs up */
    char m[64];
    ipfix_message(m, sizeof m, 'h');
    assert_int_equal(write(a, m, 30), 30);
    close(a);
    SERVE_UNTIL(&f, f.s.closed == 1);
    assert_int_equal(tcp_stats(f.t)->cut, 1);
    assert_int_equal(f.s.n, 0);
    /* a slot is free again */
    int d = tcp_connect(f.port);
    SERVE_UNTIL(&f, f.s.opened == 3);
    assert_int_equal(tcp_stats(f.t)->open, 2);
    /* closing the listener closes the sessions through the handler */
    tcp_close(f.t);
    assert_int_equal(f.s.closed, 3);
    rejects_free(f.rj);
    close(b);
    close(c);
    close(d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_addr),
        cmocka_unit_test(test_udp_batches_and_origins),
        cmocka_unit_test(test_udp_kernel_drops),
        cmocka_unit_test(test_port_in_use),
        cmocka_unit_test(test_tcp_partial_and_batched),
        cmocka_unit_test(test_tcp_garbage_closes),
        cmocka_unit_test(test_tcp_cut_and_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
