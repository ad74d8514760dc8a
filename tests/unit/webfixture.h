/* Drives a web-log decoder (w3c, combined, appservice) the way vigil scan
 * does: the text is written to a scratch file and read back through the
 * reader, the framer and format detection (or the format named), so CRLF,
 * a last line without a newline and sniffing are exercised as in use.
 * Every event is copied (its slices into the fixture's arena), since the
 * decoder's slices die with the next record. Rejections are printed into
 * a memory stream so tests can check their offsets. */
#ifndef VIGIL_TEST_WEBFIXTURE_H
#define VIGIL_TEST_WEBFIXTURE_H
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decoder.h"
#include "input/framer.h"
#include "input/reader.h"
#include "util/arena.h"
#include "tmpdir.h"

#define WEBFX_MAX 32

struct webfx {
    const struct decoder_ops *fmt;      /* the format used (detected or named) */
    int n;
    struct event ev[WEBFX_MAX];
    struct http_req http[WEBFX_MAX];
    struct ftp_cmd ftp[WEBFX_MAX];
    uint64_t rejected;
    char *rejects_text;                 /* what the reject log printed */
    size_t rejects_len;
    char report[4096];
    arena mem;
};

static void webfx_copy_http(arena *a, struct http_req *dst, const struct http_req *src) {
    *dst = *src;
    vstr *f[] = { &dst->site, &dst->resource_id, &dst->method, &dst->uri_raw, &dst->path, &dst->query,
                  &dst->user_agent, &dst->referer, &dst->username, &dst->client_ip_text, &dst->forwarded_for };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) *f[i] = arena_dup(a, *f[i]);
}

static void webfx_copy_ftp(arena *a, struct ftp_cmd *dst, const struct ftp_cmd *src) {
    *dst = *src;
    vstr *f[] = { &dst->site, &dst->resource_id, &dst->session, &dst->verb, &dst->arg, &dst->full_path,
                  &dst->user, &dst->user_display, &dst->protocol, &dst->client_ip_text };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) *f[i] = arena_dup(a, *f[i]);
}

/* Decode text (len bytes) with fmt_name, or the detected format when NULL. */
static void webfx_run(struct webfx *fx, const char *text, size_t len, const char *fmt_name) {
    memset(fx, 0, sizeof *fx);
    arena_init(&fx->mem, 16 * 1024);
    char dir[64], path[128], err[256];
    assert_int_equal(tmpdir_make(dir, sizeof dir, "webfx"), 0);
    snprintf(path, sizeof path, "%s/in.log", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
    struct reader *r = reader_open(path, err, sizeof err);
    assert_non_null(r);
    struct framer *fr = framer_new(r);
    fx->fmt = fmt_name ? format_find(fmt_name) : format_detect(framer_head(fr));
    if (!fx->fmt) fail_msg("no format for the input");
    framer_set_mode(fr, format_frame_mode(fx->fmt, fr));
    FILE *rlog = open_memstream(&fx->rejects_text, &fx->rejects_len);
    struct rejects *rj = rejects_new(100, rlog);
    void *dec = fx->fmt->create("in", rj);
    struct record rec;
    struct event ev;
    while (framer_next(fr, &rec) == 1) {
        fx->fmt->begin(dec, &rec);
        while (fx->fmt->next(dec, &ev)) {
            assert_true(fx->n < WEBFX_MAX);
            fx->ev[fx->n] = ev;
            if (ev.kind == EV_HTTP_REQ) webfx_copy_http(&fx->mem, &fx->http[fx->n], ev.u.http);
            if (ev.kind == EV_FTP_CMD) webfx_copy_ftp(&fx->mem, &fx->ftp[fx->n], ev.u.ftp);
            fx->n++;
        }
    }
    assert_int_equal(fx->fmt->events(dec), (uint64_t)fx->n);
    buf rep;
    buf_init(&rep);
    fx->fmt->report(dec, &rep);
    snprintf(fx->report, sizeof fx->report, "%s", buf_cstr(&rep));
    buf_free(&rep);
    fx->rejected = rejects_total(rj);
    fx->fmt->destroy(dec);
    rejects_free(rj);
    fclose(rlog);
    framer_free(fr);
    reader_close(r);
    tmpdir_remove(dir);
}

static inline void webfx_text(struct webfx *fx, const char *text, const char *fmt_name) {
    webfx_run(fx, text, strlen(text), fmt_name);
}

static inline void webfx_free(struct webfx *fx) {
    arena_free(&fx->mem);
    free(fx->rejects_text);
}

/* vstr equality with a C string, with a readable failure. */
#define assert_vstr(v, lit)                                                                          \
    do {                                                                                             \
        vstr v_ = (v);                                                                               \
        if (!vstr_eqc(v_, (lit))) fail_msg("%s is \"%.*s\", want \"%s\"", #v, (int)v_.n, v_.p ? v_.p : "", (lit)); \
    } while (0)

/* The reject log names this offset and reason. */
static inline void webfx_assert_rejected_at(const struct webfx *fx, uint64_t offset, const char *reason) {
    char want[256];
    snprintf(want, sizeof want, "at offset %llu: %s", (unsigned long long)offset, reason);
    if (!fx->rejects_text || !strstr(fx->rejects_text, want))
        fail_msg("no rejection \"%s\" in:\n%s", want, fx->rejects_text ? fx->rejects_text : "");
}

static inline const char *webfx_shared_data(void) {
    const char *d = getenv("VIGIL_SHARED_DATA");
    return d ? d : "../shared/data";
}
#endif
