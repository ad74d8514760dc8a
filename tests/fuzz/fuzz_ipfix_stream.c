/* libFuzzer target: IPFIX framing of a TCP byte stream. The input is cut
 * into pieces of sizes drawn from the input itself and fed the way the
 * listener feeds what read() returns; the messages handed out must be
 * exactly those of framing the whole input at once, each with a valid
 * header, its padding, and offsets that follow each other. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/json.h"
#include "input/listen.h"

#define MAX_SEEN 4096

struct seen {
    uint64_t offset[MAX_SEEN];
    size_t len[MAX_SEEN];
    size_t n;
    uint64_t next_offset;
};

static void check_message(void *ud, const struct record *rec) {
    struct seen *s = ud;
    const uint8_t *p = (const uint8_t *)rec->p;
    if (rec->len < 16 || p[0] != 0 || p[1] != 10 || (size_t)(p[2] << 8 | p[3]) != rec->len) abort();
    if (rec->cap < rec->len + JSON_PADDING || rec->offset != s->next_offset || !rec->has_origin) abort();
    s->next_offset = rec->offset + rec->len;
    if (s->n < MAX_SEEN) {
        s->offset[s->n] = rec->offset;
        s->len[s->n] = rec->len;
    }
    s->n++;
}

/* Feed data in pieces; returns the outcome (messages or -1 at the end). */
static int feed(const uint8_t *data, size_t size, const uint8_t *cuts, size_t n_cuts, struct seen *s) {
    struct ipfix_stream st;
    struct record proto = { .has_origin = true };
    ipfix_stream_init(&st);
    int total = 0;
    size_t pos = 0, k = 0;
    while (pos < size) {
        size_t room, want = n_cuts ? (size_t)cuts[k++ % n_cuts] * 7 + 1 : size - pos;
        char *space = ipfix_stream_space(&st, &room);
        if (room == 0) abort();             /* a stream that is still good always has room */
        if (want > room) want = room;
        if (want > size - pos) want = size - pos;
        memcpy(space, data + pos, want);
        pos += want;
        int got = ipfix_stream_added(&st, want, &proto, check_message, s);
        if (got < 0) {
            if (st.have < 4) abort();       /* the bad header is whole at buf[0] */
            total = -1;
            break;
        }
        total += got;
    }
    ipfix_stream_free(&st);
    return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static struct seen whole, pieces;
    memset(&whole, 0, sizeof whole);
    memset(&pieces, 0, sizeof pieces);
    /* the first bytes choose the cuts, the rest is the stream */
    size_t n_cuts = size ? data[0] % 16 : 0;
    if (n_cuts + 1 > size) n_cuts = 0;
    const uint8_t *cuts = data + 1, *stream = data + 1 + n_cuts;
    size_t len = size ? size - 1 - n_cuts : 0;
    int a = feed(stream, len, NULL, 0, &whole);
    int b = feed(stream, len, cuts, n_cuts, &pieces);
    /* garbage is found wherever the cuts fall; the messages before it too */
    if ((a < 0) != (b < 0) || whole.n != pieces.n) abort();
    for (size_t i = 0; i < whole.n && i < MAX_SEEN; i++)
        if (whole.offset[i] != pieces.offset[i] || whole.len[i] != pieces.len[i]) abort();
    return 0;
}
