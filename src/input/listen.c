#define _GNU_SOURCE                     /* recvmmsg, accept4 */
#include "input/listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "decode/decoder.h"
#include "decode/json.h"

/* ---- addresses ---------------------------------------------------------- */

static bool parse_port(const char *s, uint16_t *port) {
    size_t n = strlen(s);
    if (n == 0 || n > 5 || strspn(s, "0123456789") != n) return false;
    unsigned long v = strtoul(s, NULL, 10);
    if (v > 65535) return false;
    *port = (uint16_t)v;
    return true;
}

int listen_parse_addr(const char *text, struct sockaddr_storage *ss, socklen_t *len, char *err, size_t errlen) {
    char host[64];
    const char *port_text;
    bool v6 = text[0] == '[';
    if (v6) {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':' || (size_t)(close - text - 1) >= sizeof host) goto bad;
        memcpy(host, text + 1, (size_t)(close - text - 1));
        host[close - text - 1] = '\0';
        port_text = close + 2;
    } else {
        const char *colon = strrchr(text, ':');
        if (!colon || (size_t)(colon - text) >= sizeof host) goto bad;
        memcpy(host, text, (size_t)(colon - text));
        host[colon - text] = '\0';
        port_text = colon + 1;
    }
    uint16_t port;
    if (!parse_port(port_text, &port)) goto bad;
    memset(ss, 0, sizeof *ss);
    if (v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1) goto bad;
        *len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        if (inet_pton(AF_INET, host, &a->sin_addr) != 1) goto bad;
        *len = sizeof *a;
    }
    return 0;
bad:
    snprintf(err, errlen,
             "'%s' is not an address and port: write a numeric IPv4 address or an IPv6 address in brackets, "
             "then :PORT (0.0.0.0:4739, [::]:4739)", text);
    return -1;
}

void listen_format_addr(const struct sockaddr *sa, char *out, size_t cap) {
    char host[INET6_ADDRSTRLEN] = "?";
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
        snprintf(out, cap, "[%s]:%u", host, ntohs(a->sin6_port));
    } else {
        const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
        snprintf(out, cap, "%s:%u", host, ntohs(a->sin_port));
    }
}

/* The sender as flow decoders see it: one 16-byte form for both families,
 * so an IPv4 exporter reaching a [::] socket is the same exporter as
 * through 0.0.0.0. */
static void origin_of(const struct sockaddr_storage *ss, struct ipaddr *ip, uint16_t *port) {
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        ip_from_v6(ip, a->sin6_addr.s6_addr);
        *port = ntohs(a->sin6_port);
    } else {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        ip_from_v4(ip, (const uint8_t *)&a->sin_addr.s_addr);
        *port = ntohs(a->sin_port);
    }
}

/* A socket bound to text's address, or -1 with one line in err. */
static int bound_socket(const char *proto, int type, const char *text, char *name, size_t name_cap, char *err,
                        size_t errlen) {
    struct sockaddr_storage ss;
    socklen_t len;
    char why[256];
    if (listen_parse_addr(text, &ss, &len, why, sizeof why) != 0) {
        snprintf(err, errlen, "%s listener: %s", proto, why);
        return -1;
    }
    int fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "%s %s: cannot open a socket: %s", proto, text, strerror(errno));
        return -1;
    }
    int one = 1;
    /* a restarted daemon must not wait out TIME_WAIT to listen again */
    if (type == SOCK_STREAM) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, len) != 0) {
        snprintf(err, errlen, "%s %s: cannot listen: %s", proto, text, strerror(errno));
        close(fd);
        return -1;
    }
    socklen_t got = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &got);
    char where[INET6_ADDRSTRLEN + 8];
    listen_format_addr((struct sockaddr *)&ss, where, sizeof where);
    snprintf(name, name_cap, "%s %s", proto, where);
    return fd;
}

/* ---- UDP ---------------------------------------------------------------- */

/* IPFIX and NetFlow v9 lengths are 16-bit, and no UDP payload is longer. */
#define MAX_MESSAGE 65535u
#define UDP_BATCH 32
#define UDP_SLOT (MAX_MESSAGE + 1 + JSON_PADDING)

struct udp_listener {
    int fd;
    char name[80];
    char note[320];
    struct udp_stats st;
    uint32_t last_ovfl;                 /* the kernel's counter wraps at 2^32 */
    uint64_t offset;                    /* bytes received before the next datagram */
    char *slots;                        /* UDP_BATCH * UDP_SLOT */
    struct mmsghdr msgs[UDP_BATCH];
    struct iovec iov[UDP_BATCH];
    struct sockaddr_storage from[UDP_BATCH];
    union {                             /* aligned for struct cmsghdr */
        char b[CMSG_SPACE(sizeof(uint32_t))];
        struct cmsghdr align;
    } ctl[UDP_BATCH];
};

static long rmem_max(void) {
    FILE *f = fopen("/proc/sys/net/core/rmem_max", "r");
    long v = -1;
    if (f) {
        if (fscanf(f, "%ld", &v) != 1) v = -1;
        fclose(f);
    }
    return v;
}

/* Ask for the buffer; SO_RCVBUFFORCE passes rmem_max where we may (root,
 * CAP_NET_ADMIN). Linux reports twice the size set (its bookkeeping
 * overhead), so half of what it reports is what we were granted. */
static void set_receive_buffer(struct udp_listener *u, uint32_t want) {
    u->note[0] = '\0';
    if (want == 0) return;
    int v = (int)want;
    if (setsockopt(u->fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof v) != 0)
        setsockopt(u->fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
    int got = 0;
    socklen_t gl = sizeof got;
    if (getsockopt(u->fd, SOL_SOCKET, SO_RCVBUF, &got, &gl) != 0 || (uint32_t)got / 2 >= want) return;
    long max = rmem_max();
    snprintf(u->note, sizeof u->note,
             "%s: the kernel granted a receive buffer of %d KiB, not the %u KiB of run.socket_buffer "
             "(net.core.rmem_max is %ld bytes): bursts may be dropped; raise net.core.rmem_max or give vigil "
             "CAP_NET_ADMIN", u->name, got / 2 / 1024, want / 1024, max);
}

struct udp_listener *udp_listen(const char *addr, uint32_t rcvbuf, char *err, size_t errlen) {
    struct udp_listener *u = calloc(1, sizeof *u);
    if (!u) abort();
    u->fd = bound_socket("udp", SOCK_DGRAM, addr, u->name, sizeof u->name, err, errlen);
    if (u->fd < 0) {
        free(u);
        return NULL;
    }
    int one = 1;
    setsockopt(u->fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
    set_receive_buffer(u, rcvbuf);
    u->slots = malloc((size_t)UDP_BATCH * UDP_SLOT);
    if (!u->slots) abort();
    for (int i = 0; i < UDP_BATCH; i++) {
        u->iov[i].iov_base = u->slots + (size_t)i * UDP_SLOT;
        u->iov[i].iov_len = MAX_MESSAGE + 1;     /* one more: a longer datagram shows as MSG_TRUNC */
        u->msgs[i].msg_hdr.msg_iov = &u->iov[i];
        u->msgs[i].msg_hdr.msg_iovlen = 1;
    }
    return u;
}

void udp_close(struct udp_listener *u) {
    if (!u) return;
    close(u->fd);
    free(u->slots);
    free(u);
}

int udp_fd(const struct udp_listener *u) { return u->fd; }
const char *udp_name(const struct udp_listener *u) { return u->name; }
const char *udp_buffer_note(const struct udp_listener *u) { return u->note; }
const struct udp_stats *udp_stats(const struct udp_listener *u) { return &u->st; }

static void note_drops(struct udp_listener *u, struct msghdr *h) {
    for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SO_RXQ_OVFL) continue;
        uint32_t now;
        memcpy(&now, CMSG_DATA(c), sizeof now);
        u->st.kernel_drops += (uint32_t)(now - u->last_ovfl);
        u->last_ovfl = now;
    }
}

int udp_receive(struct udp_listener *u, record_fn fn, void *ud) {
    for (int i = 0; i < UDP_BATCH; i++) {
        struct msghdr *h = &u->msgs[i].msg_hdr;
        h->msg_name = &u->from[i];
        h->msg_namelen = sizeof u->from[i];
        h->msg_control = u->ctl[i].b;
        h->msg_controllen = sizeof u->ctl[i].b;
        h->msg_flags = 0;
    }
    int n = recvmmsg(u->fd, u->msgs, UDP_BATCH, MSG_DONTWAIT, NULL);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
    for (int i = 0; i < n; i++) {
        struct msghdr *h = &u->msgs[i].msg_hdr;
        note_drops(u, h);
        size_t len = u->msgs[i].msg_len;
        u->st.datagrams++;
        u->st.bytes += len;
        if ((h->msg_flags & MSG_TRUNC) || len > MAX_MESSAGE) {
            u->st.truncated++;
            u->offset += len;
            continue;
        }
        struct record rec = {
            .p = u->iov[i].iov_base, .len = len, .cap = UDP_SLOT, .offset = u->offset, .has_origin = true,
        };
        origin_of(&u->from[i], &rec.origin, &rec.origin_port);
        u->offset += len;
        fn(ud, &rec);
    }
    return n;
}

/* ---- IPFIX messages in a byte stream ------------------------------------ */

#define IPFIX_HEADER 16

static uint16_t be16(const char *p) { return (uint16_t)((uint8_t)p[0] << 8 | (uint8_t)p[1]); }

void ipfix_stream_init(struct ipfix_stream *s) {
    s->buf = malloc(IPFIX_STREAM_CAP + JSON_PADDING);
    if (!s->buf) abort();
    s->have = 0;
    s->offset = 0;
}

void ipfix_stream_free(struct ipfix_stream *s) {
    free(s->buf);
    s->buf = NULL;
}

char *ipfix_stream_space(struct ipfix_stream *s, size_t *room) {
    *room = IPFIX_STREAM_CAP - s->have;
    return s->buf + s->have;
}

int ipfix_stream_added(struct ipfix_stream *s, size_t n, const struct record *proto, record_fn fn, void *ud) {
    s->have += n;
    size_t pos = 0;
    int messages = 0;
    while (s->have - pos >= 4) {
        const char *m = s->buf + pos;
        uint16_t version = be16(m), len = be16(m + 2);
        if (version != 10 || len < IPFIX_HEADER) {
            messages = -1;
            break;
        }
        if (s->have - pos < len) break;
        struct record rec = *proto;
        rec.p = m;
        rec.len = len;
        rec.cap = IPFIX_STREAM_CAP + JSON_PADDING - pos;
        rec.offset = s->offset + pos;
        fn(ud, &rec);
        messages++;
        pos += len;
    }
    /* what is left is shorter than a message, so the space it leaves is
     * never zero: a whole message always fits behind it */
    memmove(s->buf, s->buf + pos, s->have - pos);
    s->have -= pos;
    s->offset += pos;
    return messages;
}

/* ---- IPFIX over TCP ----------------------------------------------------- */

#define READS_PER_SERVICE 16            /* per connection: the others get their turn */

struct tcp_conn {
    struct tcp_listener *t;
    int fd;
    void *ctx;                          /* the handler's, from open */
    struct record origin;               /* the peer, for every message */
    char peer_text[INET6_ADDRSTRLEN + 8];
    struct ipfix_stream stream;
    unsigned slot;                      /* index in conns */
};

struct tcp_listener {
    int fd, ep;
    char name[80];
    struct tcp_handler h;
    struct rejects *rj;
    struct tcp_conn **conns;
    unsigned n_conns, max_conns;
    struct tcp_stats st;
};

struct tcp_listener *tcp_listen(const char *addr, unsigned max_conns, const struct tcp_handler *h,
                                struct rejects *rj, char *err, size_t errlen) {
    struct tcp_listener *t = calloc(1, sizeof *t);
    if (!t) abort();
    t->h = *h;
    t->rj = rj;
    t->max_conns = max_conns ? max_conns : 1;
    t->fd = bound_socket("tcp", SOCK_STREAM, addr, t->name, sizeof t->name, err, errlen);
    if (t->fd < 0) {
        free(t);
        return NULL;
    }
    if (listen(t->fd, 64) != 0 || (t->ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
        snprintf(err, errlen, "%s: cannot listen: %s", t->name, strerror(errno));
        close(t->fd);
        free(t);
        return NULL;
    }
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
    epoll_ctl(t->ep, EPOLL_CTL_ADD, t->fd, &ev);
    t->conns = calloc(t->max_conns, sizeof *t->conns);
    if (!t->conns) abort();
    return t;
}

static void conn_close(struct tcp_listener *t, struct tcp_conn *c) {
    epoll_ctl(t->ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    t->h.close(t->h.ud, c->ctx);
    t->conns[c->slot] = t->conns[--t->n_conns];
    t->conns[c->slot]->slot = c->slot;
    t->st.open = t->n_conns;
    ipfix_stream_free(&c->stream);
    free(c);
}

void tcp_close(struct tcp_listener *t) {
    if (!t) return;
    while (t->n_conns) conn_close(t, t->conns[t->n_conns - 1]);
    close(t->ep);
    close(t->fd);
    free(t->conns);
    free(t);
}

int tcp_fd(const struct tcp_listener *t) { return t->ep; }
const char *tcp_name(const struct tcp_listener *t) { return t->name; }
const struct tcp_stats *tcp_stats(const struct tcp_listener *t) { return &t->st; }

/* The reject log keeps the first input name it is given for the whole
 * run, so it gets the listener's (stable) name; the peer goes into the
 * detail, followed by the offending bytes. */
static void report(struct tcp_listener *t, const char *peer, uint64_t offset, const char *reason, const char *bytes,
                   size_t n) {
    char detail[160];
    int k = snprintf(detail, sizeof detail, "from %s%s", peer, n ? ": " : "");
    size_t m = k > 0 ? (size_t)k : 0;
    if (n > sizeof detail - m) n = sizeof detail - m;
    if (n) memcpy(detail + m, bytes, n);
    rejects_add(t->rj, t->name, offset, reason, (vstr){ detail, m + n });
}

static void accept_waiting(struct tcp_listener *t) {
    for (;;) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        int fd = accept4(t->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;             /* EAGAIN, or a connection reset before we took it */
        char peer[INET6_ADDRSTRLEN + 8];
        listen_format_addr((struct sockaddr *)&ss, peer, sizeof peer);
        if (t->n_conns == t->max_conns) {
            close(fd);
            t->st.refused++;
            report(t, peer, 0, "connection refused: run.max_tcp_connections are open", NULL, 0);
            continue;
        }
        struct tcp_conn *c = calloc(1, sizeof *c);
        if (!c) abort();
        ipfix_stream_init(&c->stream);
        c->t = t;
        c->fd = fd;
        c->origin.has_origin = true;
        origin_of(&ss, &c->origin.origin, &c->origin.origin_port);
        snprintf(c->peer_text, sizeof c->peer_text, "%s", peer);
        c->slot = t->n_conns;
        t->conns[t->n_conns++] = c;
        t->st.accepted++;
        t->st.open = t->n_conns;
        c->ctx = t->h.open(t->h.ud, &c->origin.origin, c->origin.origin_port);
        struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.ptr = c };
        epoll_ctl(t->ep, EPOLL_CTL_ADD, fd, &ev);
    }
}

static void on_message(void *ud, const struct record *rec) {
    struct tcp_conn *c = ud;
    c->t->st.messages++;
    c->t->st.bytes += rec->len;
    c->t->h.message(c->t->h.ud, c->ctx, rec);
}

/* Returns false when the connection has ended (and is closed). */
static bool read_conn(struct tcp_listener *t, struct tcp_conn *c, int *messages) {
    struct ipfix_stream *s = &c->stream;
    for (int i = 0; i < READS_PER_SERVICE; i++) {
        size_t room;
        char *space = ipfix_stream_space(s, &room);
        ssize_t n = read(c->fd, space, room);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (s->have) {
                t->st.cut++;
                report(t, c->peer_text, s->offset, "IPFIX message cut off by the end of the TCP connection", NULL, 0);
            }
            conn_close(t, c);
            return false;
        }
        int got = ipfix_stream_added(s, (size_t)n, &c->origin, on_message, c);
        if (got < 0) {
            t->st.garbage++;
            report(t, c->peer_text, s->offset, "not an IPFIX message on TCP (connection closed)", s->buf,
                   s->have < 16 ? s->have : 16);
            conn_close(t, c);
            return false;
        }
        *messages += got;
    }
    return true;
}

int tcp_service(struct tcp_listener *t) {
    struct epoll_event evs[64];
    int n = epoll_wait(t->ep, evs, 64, 0), messages = 0;
    for (int i = 0; i < n; i++) {
        if (!evs[i].data.ptr) accept_waiting(t);
        else read_conn(t, evs[i].data.ptr, &messages);
    }
    return messages;
}
