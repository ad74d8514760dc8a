/* Byte sources: a file, stdin ("-"), either plain or gzip (detected by its
 * magic bytes, not the name). Reads in big blocks through zlib, which
 * passes plain input through untouched. */
#ifndef VIGIL_READER_H
#define VIGIL_READER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct reader;

/* Returns NULL with one line in err ("cannot open x: No such file...") . */
struct reader *reader_open(const char *path, char *err, size_t errlen);
/* Up to cap decompressed bytes; 0 at end; -1 on a read or gzip error
 * (message in reader_error). */
ssize_t reader_read(struct reader *r, void *dst, size_t cap);
/* A named, plain (not gzip), non-empty regular file is mapped rather than
 * read: reader_map gives the whole of it (readable up to the end of its
 * last page, zeros past the end of the file, nothing beyond). The user
 * of the map reports how far it has consumed it (progress, and the pages
 * behind are unmapped); -1 when the file shrank while it was read, whose
 * missing part then reads as zeros (message in reader_error). */
bool reader_map(struct reader *r, const char **p, size_t *n);
int reader_map_consumed(struct reader *r, size_t pos);
const char *reader_error(struct reader *r);
const char *reader_name(const struct reader *r);
/* For progress: bytes consumed from the underlying file (compressed), and
 * its size when known (0 for stdin and pipes). */
uint64_t reader_raw_offset(struct reader *r);
uint64_t reader_raw_size(const struct reader *r);
bool reader_is_gzip(const struct reader *r);
void reader_close(struct reader *r);
#endif
