/* Network inputs for flow export: UDP listeners read in batches with
 * recvmmsg, and an IPFIX-over-TCP listener that frames each connection's
 * byte stream into messages. Both hand out struct record (has_origin set
 * to the sender), one per datagram or message, for a flow decoder.
 *
 * Records point into the listener's buffers and are valid only during the
 * callback that receives them; each has JSON_PADDING readable bytes past
 * its end, as every record does.
 *
 * Nothing here blocks: every socket is non-blocking, and each listener
 * offers one file descriptor to poll (the TCP listener's is an epoll set
 * of its own sockets), so the caller's loop stays in charge. */
#ifndef VIGIL_LISTEN_H
#define VIGIL_LISTEN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "input/framer.h"
#include "util/ip.h"

/* "192.0.2.1:4739", "0.0.0.0:4739", "[2001:db8::1]:4739", "[::]:4739";
 * port 0 lets the kernel pick one (tests). Numeric addresses only: a name
 * would make the listener depend on the resolver at start. Returns 0, or
 * -1 with one line in err. */
int listen_parse_addr(const char *text, struct sockaddr_storage *ss, socklen_t *len, char *err, size_t errlen);
/* "192.0.2.1:4739" or "[2001:db8::1]:4739". */
void listen_format_addr(const struct sockaddr *sa, char *out, size_t cap);

typedef void (*record_fn)(void *ud, const struct record *rec);

/* ---- IPFIX messages in a byte stream -----------------------------------
 * TCP hands bytes out in pieces of any size; the messages are found by
 * the Length field of each header (RFC 7011 §3.1, §10.4). A stream whose
 * header is not IPFIX (version 10, length >= 16) cannot be resynchronised:
 * nothing marks where the next message would begin. */

#define IPFIX_STREAM_CAP 65536u         /* the longest message (65535) fits */

struct ipfix_stream {
    char *buf;                          /* IPFIX_STREAM_CAP + JSON_PADDING bytes */
    size_t have;                        /* bytes held: the start of a message */
    uint64_t offset;                    /* stream offset of buf[0] */
};

void ipfix_stream_init(struct ipfix_stream *s);
void ipfix_stream_free(struct ipfix_stream *s);
/* Where the next bytes go, and how many fit there (never 0). */
char *ipfix_stream_space(struct ipfix_stream *s, size_t *room);
/* n bytes were written at the space: each complete message goes to fn as
 * a record with proto's origin. Returns the number of messages, or -1
 * when the stream turned out not to be IPFIX (the messages before the
 * bad header were handed out; it is now at buf[0], at stream offset
 * `offset`). */
int ipfix_stream_added(struct ipfix_stream *s, size_t n, const struct record *proto, record_fn fn, void *ud);

/* ---- UDP ---------------------------------------------------------------- */

struct udp_stats {
    uint64_t datagrams, bytes;
    uint64_t kernel_drops;              /* SO_RXQ_OVFL: the socket's queue was full */
    uint64_t truncated;                 /* larger than any IPFIX message may be */
};

struct udp_listener;

/* Bind a UDP socket on addr and ask for rcvbuf bytes of receive buffer
 * (0: the kernel default). NULL with one line in err ("udp 0.0.0.0:4739:
 * Address already in use"). */
struct udp_listener *udp_listen(const char *addr, uint32_t rcvbuf, char *err, size_t errlen);
void udp_close(struct udp_listener *u);
int udp_fd(const struct udp_listener *u);
/* "udp 127.0.0.1:4739": the bound address, with the port the kernel gave.
 * Valid until udp_close. */
const char *udp_name(const struct udp_listener *u);
/* One line when the kernel granted less receive buffer than asked, with
 * what to do about it; "" otherwise. */
const char *udp_buffer_note(const struct udp_listener *u);
/* Receive one batch of waiting datagrams and call fn for each, in order.
 * Returns how many (0: none waiting), or -1 on a socket error (errno). */
int udp_receive(struct udp_listener *u, record_fn fn, void *ud);
const struct udp_stats *udp_stats(const struct udp_listener *u);

/* ---- IPFIX over TCP ----------------------------------------------------- */

/* Per-connection callbacks: open returns the connection's context (its
 * own decoder: templates belong to one transport session, RFC 7011 §8),
 * message gets each complete IPFIX message, close ends the context. */
struct tcp_handler {
    void *(*open)(void *ud, const struct ipaddr *peer, uint16_t peer_port);
    void (*message)(void *ud, void *conn, const struct record *rec);
    void (*close)(void *ud, void *conn);
    void *ud;
};

struct tcp_stats {
    uint64_t accepted, refused;         /* refused: over run.max_tcp_connections */
    uint64_t open;
    uint64_t messages, bytes;
    uint64_t garbage;                   /* closed: the stream was not IPFIX */
    uint64_t cut;                       /* closed by the peer mid-message */
};

struct tcp_listener;
struct rejects;

/* Listen on addr for at most max_conns connections at once. Framing
 * errors are reported to rj under the listener's name. NULL with one line
 * in err. */
struct tcp_listener *tcp_listen(const char *addr, unsigned max_conns, const struct tcp_handler *h,
                                struct rejects *rj, char *err, size_t errlen);
/* Closes every connection (calling h->close for each) and the listener. */
void tcp_close(struct tcp_listener *t);
/* Readable when a connection is waiting or a connected peer sent data. */
int tcp_fd(const struct tcp_listener *t);
const char *tcp_name(const struct tcp_listener *t);                /* "tcp 127.0.0.1:4739" */
/* Accept what is waiting and read what has arrived, handing out every
 * complete message. Returns the number of messages. */
int tcp_service(struct tcp_listener *t);
const struct tcp_stats *tcp_stats(const struct tcp_listener *t);
#endif
