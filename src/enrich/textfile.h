/* Whole-file reads and line walks for the enrichment loaders.
 *
 * Intel lists and inventories are small next to telemetry and are looked
 * at more than once (the format is told by content before parsing), so
 * they are read whole, through the reader (a gzip-compressed feed works
 * as is), and followed by JSON_PADDING zero bytes so that simdjson can
 * parse the whole text or any line of it in place. */
#ifndef VIGIL_TEXTFILE_H
#define VIGIL_TEXTFILE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/str.h"

struct textfile {
    char *data;          /* owned; len bytes, then JSON_PADDING zeros */
    size_t len;
    size_t cap;          /* len + JSON_PADDING */
};

/* Reads path whole (at most max_bytes). Returns 0, or -1 with one line in
 * err (cannot open, read error, too large). */
int textfile_read(struct textfile *f, const char *path, size_t max_bytes, char *err, size_t errlen);
/* A padded copy of data[0..len). */
void textfile_from_mem(struct textfile *f, const char *data, size_t len);
void textfile_free(struct textfile *f);
/* The text after a UTF-8 byte order mark, if there is one. */
vstr textfile_body(const struct textfile *f);

/* Walks the lines of a text: LF or CRLF ends, the last line with or
 * without an end. */
struct line_walk {
    vstr text;
    size_t pos;
    uint64_t lineno;     /* 1-based number of the line last returned */
};
void line_walk_init(struct line_walk *w, vstr text);
/* The next line without its end (CR stripped); false at the end. */
bool line_walk_next(struct line_walk *w, vstr *line);

/* Without leading and trailing blanks (space, tab, CR, LF). */
vstr vstr_trim(vstr s);
#endif
