/* vigil events: decode inputs of any format and print every typed event
 * as one JSON line, with the decoders' summary on stderr. For users who
 * check what vigil makes of their logs, and for tests that compare
 * decoded values with other tools' (tests/check_auditd_goldens.py).
 *
 * Every line carries "time", "kind", "input" and "offset"; the fields of
 * the event follow for the kinds written so far (proc_exec). Strings are
 * JSON-escaped (invalid UTF-8 becomes U+FFFD); unknown numbers are -1. */
#ifndef VIGIL_EVENTS_H
#define VIGIL_EVENTS_H
#include "event.h"
#include "util/buf.h"

struct events_options {
    const char **inputs;
    int n_inputs;
    const char *format;         /* NULL: detected per input */
};

/* Append one event as a JSON object and a newline. */
void events_format(buf *out, const struct event *ev);

/* Exit status: 0 it ran, 2 bad usage or an unreadable input. */
int events_run(const struct events_options *o);
#endif
