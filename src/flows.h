/* vigil flows: decode flow exports (IPFIX, NetFlow v9/v5 files, captures
 * of export traffic) and print every flow as one JSON line
 * (sink/flowlog.h), with the decoders' summary on stderr. For users who
 * check what their exporters send, and for tests that compare values. */
#ifndef VIGIL_FLOWS_H
#define VIGIL_FLOWS_H

struct flows_options {
    const char **inputs;
    int n_inputs;
    const char *format;         /* NULL: detected per input */
    const char *out_path;       /* NULL: stdout */
};

/* Exit status: 0 it ran, 2 bad usage or an unreadable input. Inputs are
 * read in the order given, all through one template cache, so templates
 * in one file serve the data of the next. */
int flows_run(const struct flows_options *o);
#endif
