/* URL path normalisation, done once per request by the web decoders so
 * that every analytic matches the same form of a path.
 *
 * Scanners and exploits spell one path many ways (%2e%2e/, //, /./,
 * ;jsessionid=..., %2F); a list of sensitive pages matched against the raw
 * form would miss them. The raw form is kept beside for evidence. */
#ifndef VIGIL_URLNORM_H
#define VIGIL_URLNORM_H
#include <stddef.h>

/* Normalise the path part of raw (stops at '?' or '#', which are not
 * part of a path): percent-decode once (an invalid escape is kept as
 * written; %00 and other control bytes become '?'), '+' is kept, '\\'
 * reads as '/', runs of '/' collapse to one, "/./" is dropped, "/../"
 * removes the previous segment (never above the root), ";params" of each
 * segment are cut (Tomcat's ;jsessionid=, IIS's x.php;.jpg trick keeps the
 * part before ';'), and the result always starts with '/'. Case is kept.
 *
 * Writes at most cap-1 bytes and a NUL to out; returns the length written
 * (the normal form is never longer than raw + 1, so cap = raw_len + 2 always
 * suffices). Allocates nothing. */
size_t urlnorm_path(const char *raw, size_t raw_len, char *out, size_t cap);

/* Was ';' cutting involved, i.e. did a segment carry ";..."? Lets the
 * upload analytic see IIS's "shell.php;.jpg" trick. */
int urlnorm_has_segment_params(const char *raw, size_t raw_len);
#endif
