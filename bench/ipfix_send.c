/* Replays an IPFIX file (RFC 5655: messages back to back) over UDP, one
 * message per datagram, as the exporter that made it would have sent it
 * (RFC 7011 §10.3). The flow benchmark uses it to feed nfcapd the very
 * messages vigil reads from the file (bench/flow.sh).
 *
 *   ipfix_send FILE HOST PORT [--rate DATAGRAMS_PER_S] [--batch N] [--sndbuf BYTES]
 *
 * Datagrams go out in sendmmsg batches of N (default 32), each batch held
 * back until its place in a steady schedule of --rate datagrams a second
 * (0: as fast as the socket takes them). UDP on loopback loses nothing in
 * the network, so all loss is the receiver's buffer overflowing while the
 * receiver is busy: pacing is what keeps a collector such as nfcapd exact.
 *
 * Prints one line: datagrams, bytes, seconds, datagrams/s, MB/s. Exits 1 if
 * the file is not a sequence of IPFIX messages or a send fails. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_BATCH 1024

static void die(const char *what, const char *detail) {
    fprintf(stderr, "ipfix_send: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static uint64_t parse_u64(const char *s, const char *what) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end) die("bad number for", what);
    return v;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void sleep_until(double t) {
    struct timespec ts = { .tv_sec = (time_t)t, .tv_nsec = (long)((t - (double)(time_t)t) * 1e9) };
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {}
}

static int open_socket(const char *host, const char *port, uint64_t sndbuf) {
    struct addrinfo hints, *ai;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    int rc = getaddrinfo(host, port, &hints, &ai);
    if (rc) die(host, gai_strerror(rc));
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) die("socket", strerror(errno));
    int sz = sndbuf > INT32_MAX ? INT32_MAX : (int)sndbuf;
    /* Past net.core.wmem_max only root may go (SO_SNDBUFFORCE); a smaller
     * buffer merely makes sendmmsg block, which loses nothing. */
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof sz) != 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) die("connect", strerror(errno));
    freeaddrinfo(ai);
    return fd;
}

/* The next message at p (n bytes left): its length, or 0 if what is there
 * is not an IPFIX message header that fits. */
static size_t message_len(const uint8_t *p, size_t n) {
    if (n < 16) return 0;
    uint16_t version = (uint16_t)(p[0] << 8 | p[1]);
    size_t len = (size_t)(p[2] << 8 | p[3]);
    if (version != 10 || len < 16 || len > n) return 0;
    return len;
}

static void send_batch(int fd, struct mmsghdr *msgs, unsigned n) {
    unsigned done = 0;
    while (done < n) {
        int rc = sendmmsg(fd, msgs + done, n - done, 0);
        if (rc < 0) {
            if (errno == EINTR || errno == ENOBUFS || errno == EAGAIN) continue;
            die("sendmmsg", strerror(errno));
        }
        done += (unsigned)rc;
    }
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: ipfix_send FILE HOST PORT [--rate DATAGRAMS_PER_S] [--batch N] [--sndbuf BYTES]\n");
        return 2;
    }
    uint64_t rate = 0, batch = 32, sndbuf = 64u << 20;
    for (int i = 4; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--rate")) rate = parse_u64(argv[i + 1], "--rate");
        else if (!strcmp(argv[i], "--batch")) batch = parse_u64(argv[i + 1], "--batch");
        else if (!strcmp(argv[i], "--sndbuf")) sndbuf = parse_u64(argv[i + 1], "--sndbuf");
        else die("unknown option", argv[i]);
    }
    if ((argc - 4) % 2) die("option without a value", argv[argc - 1]);
    if (batch < 1 || batch > MAX_BATCH) die("--batch must be 1..1024", NULL);

    int in = open(argv[1], O_RDONLY);
    if (in < 0) die(argv[1], strerror(errno));
    struct stat st;
    if (fstat(in, &st) != 0 || st.st_size == 0) die(argv[1], "empty or unreadable");
    size_t size = (size_t)st.st_size;
    const uint8_t *file = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, in, 0);
    if (file == MAP_FAILED) die("mmap", strerror(errno));
    close(in);
    int fd = open_socket(argv[2], argv[3], sndbuf);

    static struct mmsghdr msgs[MAX_BATCH];
    static struct iovec iov[MAX_BATCH];
    uint64_t sent = 0, bytes = 0;
    size_t pos = 0;
    const double t0 = now_s();
    while (pos < size) {
        unsigned n = 0;
        while (n < batch && pos < size) {
            size_t len = message_len(file + pos, size - pos);
            if (!len) {
                char at[32];
                snprintf(at, sizeof at, "offset %zu", pos);
                die("not an IPFIX message at", at);
            }
            iov[n].iov_base = (void *)(file + pos);
            iov[n].iov_len = len;
            memset(&msgs[n], 0, sizeof msgs[n]);
            msgs[n].msg_hdr.msg_iov = &iov[n];
            msgs[n].msg_hdr.msg_iovlen = 1;
            pos += len;
            bytes += len;
            n++;
        }
        if (rate) sleep_until(t0 + (double)sent / (double)rate);
        send_batch(fd, msgs, n);
        sent += n;
    }
    double secs = now_s() - t0;
    printf("datagrams=%" PRIu64 " bytes=%" PRIu64 " seconds=%.3f datagrams_per_s=%.0f mb_per_s=%.1f\n", sent, bytes,
           secs, (double)sent / secs, (double)bytes / secs / 1e6);
    munmap((void *)file, size);
    close(fd);
    return 0;
}
