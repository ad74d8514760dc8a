/* What the three web-log decoders (appservice.c, w3c.c, clf.c) share when
 * they fill a struct http_req: the empty-value conventions of web logs, the
 * numbers they write, and the fields derived once per request (the
 * normalised path, the SCM flag, the parsed client address). */
#ifndef VIGIL_WEBREQ_H
#define VIGIL_WEBREQ_H
#include <stdbool.h>
#include <stdint.h>
#include "event.h"
#include "util/arena.h"
#include "util/str.h"

/* Zero, with the numbers whose absence is -1 set so. */
void webreq_init(struct http_req *r);
/* "-" is how W3C, CLF and App Service write an empty value. */
vstr webreq_dash(vstr v);
/* A decimal number as logs write it ("200", " 42"); false for "-", empty
 * or anything else. Saturates instead of wrapping. */
bool webreq_uint(vstr s, uint64_t *out);
/* W3C writes spaces inside a value as '+'; a copy in the arena with them
 * put back (s itself when it has none). */
vstr webreq_plus_to_space(arena *a, vstr s);
/* The derived fields: path (urlnorm of uri_raw, copied into a), scm from
 * site, has_ip / client_ip from client_ip_text. */
void webreq_finish(struct http_req *r, arena *a);
/* Saturating narrowing for the fixed-width status fields. */
static inline uint16_t webreq_u16(uint64_t v) { return v > UINT16_MAX ? UINT16_MAX : (uint16_t)v; }
static inline uint32_t webreq_u32(uint64_t v) { return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v; }
static inline int64_t webreq_i64(uint64_t v) { return v > INT64_MAX ? INT64_MAX : (int64_t)v; }
#endif
