/* URL path normalisation (util/urlnorm.h).
 *
 * One pass over the raw path: each byte is percent-decoded as it is read,
 * so a separator spelled %2F or %5C splits segments like a literal one
 * does (servers differ here; an analytic that sees the split form catches
 * both readings). Segments are copied into out as they come and judged
 * when they end: "" and "." vanish, ".." takes the previous segment back
 * off out. The ';' cut happens before that judgement, so Tomcat's "..;/"
 * traversal resolves as the server resolves it. */
#include "util/urlnorm.h"

#include <stdbool.h>

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The path ends at the query or the fragment. */
static size_t path_extent(const char *raw, size_t raw_len) {
    size_t i = 0;
    while (i < raw_len && raw[i] != '?' && raw[i] != '#') i++;
    return i;
}

/* The byte at raw[*i], percent-decoded once; advances *i past it. */
static unsigned char decode_at(const char *raw, size_t n, size_t *i) {
    unsigned char c = (unsigned char)raw[*i];
    int hi = -1, lo = -1;
    if (c == '%' && n - *i >= 3) {
        hi = hex_value(raw[*i + 1]);
        lo = hex_value(raw[*i + 2]);
    }
    if (hi >= 0 && lo >= 0) {
        *i += 3;
        c = (unsigned char)(hi * 16 + lo);
    } else {
        (*i)++;                         /* an invalid escape stays as written */
    }
    /* a control byte is never part of a name a server would serve: it is
     * made visible rather than letting it end or split a string later */
    return c < 0x20 || c == 0x7f ? '?' : c;
}

static bool is_sep(unsigned char c) { return c == '/' || c == '\\'; }

size_t urlnorm_path(const char *raw, size_t raw_len, char *out, size_t cap) {
    if (!cap) return 0;
    size_t n = raw ? path_extent(raw, raw_len) : 0;
    size_t room = cap - 1, len = 0;
    if (room) out[len++] = '/';
    size_t i = 0;
    while (i < n) {
        size_t seg = len;               /* the segment starts here, after a '/' */
        bool cut = false, sep = false;
        while (i < n) {
            unsigned char c = decode_at(raw, n, &i);
            if (is_sep(c)) { sep = true; break; }
            if (c == ';') cut = true;
            if (cut) continue;
            if (len == room) { out[len] = '\0'; return len; }   /* cap reached: a prefix of the form */
            out[len++] = (char)c;
        }
        size_t seg_len = len - seg;
        if (seg_len == 1 && out[seg] == '.') {
            len = seg;
        } else if (seg_len == 2 && out[seg] == '.' && out[seg + 1] == '.') {
            /* out[seg-1] is the '/' before this segment; the one before that
             * segment is kept, and so is the root */
            len = seg;
            if (len > 1) {
                len--;
                while (len > 0 && out[len - 1] != '/') len--;
            }
        } else if (seg_len > 0 && sep) {
            if (len == room) break;
            out[len++] = '/';
        }
        /* an empty segment (a run of separators) adds nothing: the '/'
         * before it already stands */
    }
    out[len] = '\0';
    return len;
}

int urlnorm_has_segment_params(const char *raw, size_t raw_len) {
    if (!raw) return 0;
    size_t n = path_extent(raw, raw_len);
    for (size_t i = 0; i < n;)
        if (decode_at(raw, n, &i) == ';') return 1;
    return 0;
}
