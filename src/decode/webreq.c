#include "decode/webreq.h"

#include <string.h>

#include "decode/azlog.h"
#include "util/urlnorm.h"

void webreq_init(struct http_req *r) {
    memset(r, 0, sizeof *r);
    r->bytes_sent = r->bytes_received = r->time_taken_ms = -1;
}

vstr webreq_dash(vstr v) { return v.n == 1 && v.p[0] == '-' ? VSTR_NULL : v; }

bool webreq_uint(vstr s, uint64_t *out) {
    size_t i = 0;
    while (i < s.n && s.p[i] == ' ') i++;
    if (i == s.n) return false;
    uint64_t v = 0;
    for (; i < s.n; i++) {
        unsigned d = (unsigned)(unsigned char)s.p[i] - '0';
        if (d > 9) return false;
        v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
    }
    *out = v;
    return true;
}

vstr webreq_plus_to_space(arena *a, vstr s) {
    if (!s.n || !memchr(s.p, '+', s.n)) return s;
    char *p = arena_alloc(a, s.n);
    for (size_t i = 0; i < s.n; i++) p[i] = s.p[i] == '+' ? ' ' : s.p[i];
    return (vstr){ p, s.n };
}

void webreq_finish(struct http_req *r, arena *a) {
    /* the normal form is at most one byte longer than the raw path */
    size_t cap = r->uri_raw.n + 2;
    char *path = arena_alloc(a, cap);
    size_t n = urlnorm_path(r->uri_raw.p, r->uri_raw.n, path, cap);
    r->path = (vstr){ path, n };
    r->scm = vstr_contains_ci(r->site, VSTR(".scm."));
    if (r->client_ip_text.n) r->has_ip = azlog_parse_ip(r->client_ip_text, &r->client_ip);
}
