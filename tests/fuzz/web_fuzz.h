/* The driver of the web-log decoder fuzz targets (fuzz_appservice.c,
 * fuzz_w3c.c, fuzz_clf.c): arbitrary bytes, cut into lines as vigil scan
 * frames a text log (a trailing '\r' dropped, as the framer does), through
 * one decoder instance, so layout state carried from line to line is
 * exercised too. Every slice of every event is read, so one that points
 * past its record or into a reset arena shows under ASan, and the
 * normalised path is held to its contract. */
#ifndef VIGIL_WEB_FUZZ_H
#define VIGIL_WEB_FUZZ_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"
#include "decode/json.h"

static unsigned web_fuzz_touch(vstr s) {
    unsigned h = 0;
    for (size_t i = 0; i < s.n; i++) h = h * 31 + (unsigned char)s.p[i];
    return h;
}

static unsigned web_fuzz_event(const struct event *ev) {
    unsigned h = 0;
    if (ev->kind == EV_HTTP_REQ) {
        const struct http_req *r = ev->u.http;
        const vstr f[] = { r->site, r->resource_id, r->method, r->uri_raw, r->path, r->query, r->user_agent,
                           r->referer, r->username, r->client_ip_text, r->forwarded_for };
        for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) h += web_fuzz_touch(f[i]);
        /* the contract of urlnorm: rooted, never longer than raw + 1 */
        if (r->path.n && (r->path.p[0] != '/' || r->path.n > r->uri_raw.n + 1)) abort();
    } else if (ev->kind == EV_FTP_CMD) {
        const struct ftp_cmd *c = ev->u.ftp;
        const vstr f[] = { c->site, c->resource_id, c->session, c->verb, c->arg, c->full_path, c->user,
                           c->user_display, c->protocol, c->client_ip_text };
        for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) h += web_fuzz_touch(f[i]);
    } else {
        abort();                        /* a web decoder yields nothing else */
    }
    return h;
}

static int web_fuzz_run(const struct decoder_ops *ops, const uint8_t *data, size_t size) {
    char *text = malloc(size + JSON_PADDING);
    if (!text) return 0;
    memcpy(text, data, size);
    memset(text + size, 0, JSON_PADDING);
    struct rejects *rj = rejects_new(0, NULL);
    void *dec = ops->create("fuzz", rj);
    volatile unsigned sink = 0;
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && text[i] != '\n') continue;
        size_t len = i - start;
        if (len && text[start + len - 1] == '\r') len--;
        if (len) {
            struct record rec = { .p = text + start, .len = len, .cap = size + JSON_PADDING - start, .offset = start };
            struct event ev;
            ops->begin(dec, &rec);
            while (ops->next(dec, &ev)) sink += web_fuzz_event(&ev);
        }
        start = i + 1;
    }
    buf report;
    buf_init(&report);
    ops->report(dec, &report);
    buf_free(&report);
    ops->destroy(dec);
    rejects_free(rj);
    free(text);
    (void)sink;
    return 0;
}
#endif
