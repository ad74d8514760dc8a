/* vigil scan: read inputs, decode, merge by event time, detect, alert. */
#ifndef VIGIL_SCAN_H
#define VIGIL_SCAN_H
#include <stdbool.h>

struct scan_options {
    const char *config_path;
    const char *state_dir;
    const char **geoip;          /* MaxMind DB files, in the order given */
    int n_geoip;
    const char **intel;          /* as given: "label=FILE" or "FILE" */
    int n_intel;
    const char *inventory_path;
    const char *format;          /* NULL: detect per input */
    const char *out_path;        /* NULL: stdout */
    const char **inputs;
    int n_inputs;
    bool quiet;                  /* no summary (tests of output only) */
};

/* Returns the process exit status: 0 ran, 2 bad usage or unreadable input. */
int scan_run(const struct scan_options *opt);
#endif
