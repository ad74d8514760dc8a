/* vigil: the command line. Each command parses its own options and hands a
 * plain options struct to its module; exit status 2 means bad usage or an
 * unreadable input, always with one line saying which. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/config.h"
#include "decode/decoder.h"
#include "demo.h"
#include "events.h"
#include "flows.h"
#include "run.h"
#include "scan.h"

static const char USAGE[] =
    "usage: vigil scan [--config FILE] [--state DIR] [--geoip FILE.mmdb]... [--intel [LABEL=]FILE]...\n"
    "                  [--inventory FILE] [--format NAME] [--out FILE] INPUT...\n"
    "       vigil run [--config FILE]\n"
    "       vigil flows [--format ipfix|pcap] [--out FILE] INPUT...\n"
    "       vigil events [--format NAME] INPUT...\n"
    "       vigil config --dump [--config FILE]\n"
    "       vigil demo [--dir DIR]\n"
    "       vigil formats | version | help\n"
    "\n"
    "scan reads every INPUT (- is stdin; plain or gzip; format detected unless --format),\n"
    "writes one JSON alert per line to stdout (or --out) and a summary to stderr.\n"
    "With --state DIR it loads and saves learned baselines and alerts in DIR/vigil.db.\n"
    "flows decodes IPFIX, NetFlow v9/v5 files and pcap captures of export traffic and\n"
    "prints every flow as one JSON line (templates carry over from one INPUT to the next).\n"
    "events decodes INPUTs of any format and prints every decoded event as one JSON line\n"
    "(time, kind, input, offset, then the event's fields: process starts so far).\n"
    "Exit status: 0 it ran (whatever it found), 1 it ran but could not save state,\n"
    "2 bad usage or an unreadable input.\n"
    "\n"
    "run is the streaming daemon: it listens for IPFIX and NetFlow as the run.* keys of\n"
    "the config say (vigil config --dump lists them), writes alerts as they close,\n"
    "prints its counters on SIGUSR1 and stops cleanly on SIGINT or SIGTERM.\n";

static int bad_usage(const char *cmd, const char *msg, const char *arg) {
    fprintf(stderr, "vigil %s: %s%s%s\n(see vigil help)\n", cmd, msg, arg ? " " : "", arg ? arg : "");
    return 2;
}

/* --opt VALUE or --opt=VALUE. */
static bool opt_value(int argc, char **argv, int *i, const char *name, const char **out) {
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0) return false;
    if (argv[*i][n] == '=') { *out = argv[*i] + n + 1; return true; }
    if (argv[*i][n] != 0) return false;
    if (*i + 1 >= argc) { *out = NULL; return true; }
    *out = argv[++*i];
    return true;
}

/* How a command's argument reads: an input (a path, "-", or anything
 * after "--"), the "--" itself, a request for help, or an option. */
enum arg_kind { ARG_INPUT, ARG_END_OF_OPTIONS, ARG_HELP, ARG_OPTION };

static enum arg_kind arg_kind(const char *a, bool *only_inputs) {
    if (*only_inputs || a[0] != '-' || strcmp(a, "-") == 0) return ARG_INPUT;
    if (strcmp(a, "--") == 0) { *only_inputs = true; return ARG_END_OF_OPTIONS; }
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) return ARG_HELP;
    return ARG_OPTION;
}

static int cmd_scan(int argc, char **argv) {
    struct scan_options o = { 0 };
    const char **inputs = calloc((size_t)argc, sizeof *inputs);
    const char **intel = calloc((size_t)argc, sizeof *intel);
    const char **geoip = calloc((size_t)argc, sizeof *geoip);
    if (!inputs || !intel || !geoip) abort();
    o.inputs = inputs;
    o.intel = intel;
    o.geoip = geoip;
    int rc = -1;
    bool only_inputs = false;
    for (int i = 0; i < argc && rc < 0; i++) {
        const char *v = NULL, *a = argv[i];
        enum arg_kind k = arg_kind(a, &only_inputs);
        if (k == ARG_INPUT) { inputs[o.n_inputs++] = a; continue; }
        if (k == ARG_END_OF_OPTIONS) continue;
        if (k == ARG_HELP) { fputs(USAGE, stdout); rc = 0; break; }
        if (opt_value(argc, argv, &i, "--config", &v)) o.config_path = v;
        else if (opt_value(argc, argv, &i, "--state", &v)) o.state_dir = v;
        else if (opt_value(argc, argv, &i, "--geoip", &v)) geoip[o.n_geoip++] = v;
        else if (opt_value(argc, argv, &i, "--intel", &v)) intel[o.n_intel++] = v;
        else if (opt_value(argc, argv, &i, "--inventory", &v)) o.inventory_path = v;
        else if (opt_value(argc, argv, &i, "--format", &v)) o.format = v;
        else if (opt_value(argc, argv, &i, "--out", &v)) o.out_path = v;
        else { rc = bad_usage("scan", "unknown option", a); break; }
        if (!v) rc = bad_usage("scan", "missing value after", a);
    }
    if (rc < 0) rc = scan_run(&o);
    free(inputs);
    free(intel);
    free(geoip);
    return rc;
}

/* The arguments of the commands that only read inputs (flows, events):
 * INPUT..., --format NAME, and --out FILE where out is not NULL. Returns -1
 * when the command should run, else its exit status (help, bad usage).
 * inputs must have room for argc entries. */
static int parse_input_command(const char *cmd, int argc, char **argv, const char **inputs, int *n_inputs,
                               const char **format, const char **out) {
    bool only_inputs = false;
    for (int i = 0; i < argc; i++) {
        const char *v = NULL, *a = argv[i];
        enum arg_kind k = arg_kind(a, &only_inputs);
        if (k == ARG_INPUT) { inputs[(*n_inputs)++] = a; continue; }
        if (k == ARG_END_OF_OPTIONS) continue;
        if (k == ARG_HELP) { fputs(USAGE, stdout); return 0; }
        if (opt_value(argc, argv, &i, "--format", &v)) *format = v;
        else if (out && opt_value(argc, argv, &i, "--out", &v)) *out = v;
        else return bad_usage(cmd, "unknown option", a);
        if (!v) return bad_usage(cmd, "missing value after", a);
    }
    return -1;
}

static int cmd_flows(int argc, char **argv) {
    struct flows_options o = { 0 };
    const char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    if (!inputs) abort();
    o.inputs = inputs;
    int rc = parse_input_command("flows", argc, argv, inputs, &o.n_inputs, &o.format, &o.out_path);
    if (rc < 0) rc = flows_run(&o);
    free(inputs);
    return rc;
}

static int cmd_events(int argc, char **argv) {
    struct events_options o = { 0 };
    const char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    if (!inputs) abort();
    o.inputs = inputs;
    int rc = parse_input_command("events", argc, argv, inputs, &o.n_inputs, &o.format, NULL);
    if (rc < 0) rc = events_run(&o);
    free(inputs);
    return rc;
}

static int cmd_config(int argc, char **argv) {
    const char *path = NULL;
    bool dump = false;
    for (int i = 0; i < argc; i++) {
        const char *v = NULL;
        if (strcmp(argv[i], "--dump") == 0) dump = true;
        else if (opt_value(argc, argv, &i, "--config", &v)) {
            if (!v) return bad_usage("config", "missing value after", "--config");
            path = v;
        } else return bad_usage("config", "unknown option", argv[i]);
    }
    if (!dump) return bad_usage("config", "nothing to do: use --dump", NULL);
    struct vigil_config cfg;
    char err[512];
    config_defaults(&cfg);
    if (path && config_load(&cfg, path, err, sizeof err) != 0) {
        fprintf(stderr, "vigil config: %s\n", err);
        config_free(&cfg);
        return 2;
    }
    config_dump(&cfg, stdout);
    config_free(&cfg);
    return 0;
}

static int cmd_run(int argc, char **argv) {
    const char *path = NULL;
    for (int i = 0; i < argc; i++) {
        const char *v = NULL;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) { fputs(USAGE, stdout); return 0; }
        if (opt_value(argc, argv, &i, "--config", &v)) {
            if (!v) return bad_usage("run", "missing value after", "--config");
            path = v;
        } else return bad_usage("run", "unknown option", argv[i]);
    }
    return run_daemon(path);
}

static int cmd_demo(int argc, char **argv) {
    const char *dir = NULL;
    for (int i = 0; i < argc; i++) {
        const char *v = NULL;
        if (opt_value(argc, argv, &i, "--dir", &v)) {
            if (!v) return bad_usage("demo", "missing value after", "--dir");
            dir = v;
        } else return bad_usage("demo", "unknown option", argv[i]);
    }
    return demo_run(dir);
}

int main(int argc, char **argv) {
    if (argc < 2) { fputs(USAGE, stderr); return 2; }
    const char *cmd = argv[1];
    if (strcmp(cmd, "scan") == 0) return cmd_scan(argc - 2, argv + 2);
    if (strcmp(cmd, "run") == 0) return cmd_run(argc - 2, argv + 2);
    if (strcmp(cmd, "config") == 0) return cmd_config(argc - 2, argv + 2);
    if (strcmp(cmd, "flows") == 0) return cmd_flows(argc - 2, argv + 2);
    if (strcmp(cmd, "events") == 0) return cmd_events(argc - 2, argv + 2);
    if (strcmp(cmd, "demo") == 0) return cmd_demo(argc - 2, argv + 2);
    if (strcmp(cmd, "formats") == 0) { printf("%s\n", format_names()); return 0; }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) { printf("vigil %s\n", VIGIL_VERSION); return 0; }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) { fputs(USAGE, stdout); return 0; }
    fprintf(stderr, "vigil: unknown command '%s'\n%s", cmd, USAGE);
    return 2;
}
