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
const char *reader_error(struct reader *r);
const char *reader_name(const struct reader *r);
/* For progress: bytes consumed from the underlying file (compressed), and
 * its size when known (0 for stdin and pipes). */
uint64_t reader_raw_offset(struct reader *r);
uint64_t reader_raw_size(const struct reader *r);
bool reader_is_gzip(const struct reader *r);
void reader_close(struct reader *r);
#endif
