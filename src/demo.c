/* The demo estate: demo/generate.py writes several days of telemetry and a
 * manifest of phases ("history" then "today"). Each phase is one vigil scan
 * with the same --state directory, so what the first learns the second
 * uses, exactly as a user running vigil daily would see it. The manifest's
 * "@inventory", "@intel" and "@geoip" lines name the VM inventory, the
 * threat-intel lists and the MaxMind databases every scan takes. */
#include "demo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "decode/json.h"
#include "scan.h"
#include "util/buf.h"

#define MAX_FILES 64
#define MAX_INTEL 8
#define MAX_GEOIP 4

/* The options every phase's scan takes, from the manifest's @ lines. */
struct demo_options {
    char *inventory;
    char *intel[MAX_INTEL];
    int n_intel;
    char *geoip[MAX_GEOIP];
    int n_geoip;
};

static const char *generator_path(void) {
    static char path[4096];
    const char *env = getenv("VIGIL_DEMO_GENERATOR");
    if (env) return env;
    snprintf(path, sizeof path, "%s/demo/generate.py", VIGIL_SOURCE_DIR);
    return path;
}

static int run_generator(const char *gen, const char *dir) {
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        execlp("python3", "python3", gen, dir, (char *)NULL);
        fprintf(stderr, "vigil demo: cannot run python3: %s\n", strerror(errno));
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0) return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* One field of an alert line, for the readable listing. */
static void alert_fields(jparser *p, const char *line, size_t len, size_t cap, vstr *sev, vstr *type, vstr *entity,
                         vstr *desc) {
    jval root, v;
    jiter it;
    vstr k;
    *sev = *type = *entity = *desc = VSTR("?");
    if (!jparse(p, line, len, cap, &root) || !jv_obj_begin(&root, &it)) return;
    while (jv_obj_next(&it, &k, &v)) {
        if (vstr_eqc(k, "severity")) jv_str(&v, sev);
        else if (vstr_eqc(k, "type")) jv_str(&v, type);
        else if (vstr_eqc(k, "compromised_entity")) jv_str(&v, entity);
        else if (vstr_eqc(k, "description")) jv_str(&v, desc);
    }
}

static void print_alerts(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return;
    jparser *p = jparser_new();
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int count = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        if ((size_t)n + JSON_PADDING > cap) {
            line = realloc(line, (size_t)n + JSON_PADDING + 1);
            cap = (size_t)n + JSON_PADDING + 1;
        }
        vstr sev, type, entity, desc;
        alert_fields(p, line, (size_t)n, cap, &sev, &type, &entity, &desc);
        printf("  [%.*s] %.*s  %.*s\n      %.*s\n", (int)sev.n, sev.p, (int)type.n, type.p, (int)entity.n, entity.p,
               (int)desc.n, desc.p);
        count++;
    }
    if (!count) printf("  (no alerts)\n");
    free(line);
    jparser_free(p);
    fclose(f);
}

/* Scan every file of one phase of the manifest. */
static int scan_phase(const char *dir, const char *phase, const char **files, int n, const struct demo_options *dopt) {
    char state[4096], out[4096];
    snprintf(state, sizeof state, "%s/state", dir);
    snprintf(out, sizeof out, "%s/alerts-%s.jsonl", dir, phase);
    printf("\n== phase '%s': vigil scan --state %s --out %s (%d file%s)\n", phase, state, out, n, n == 1 ? "" : "s");
    fflush(stdout);
    const char *intel[MAX_INTEL];
    for (int i = 0; i < dopt->n_intel; i++) intel[i] = dopt->intel[i];
    const char *geoip[MAX_GEOIP];
    for (int i = 0; i < dopt->n_geoip; i++) geoip[i] = dopt->geoip[i];
    struct scan_options o = { .state_dir = state, .out_path = out, .inputs = files, .n_inputs = n,
                              .inventory_path = dopt->inventory, .intel = intel, .n_intel = dopt->n_intel,
                              .geoip = geoip, .n_geoip = dopt->n_geoip };
    int rc = scan_run(&o);
    if (rc == 0) print_alerts(out);
    return rc;
}

/* "@inventory FILE", "@intel [LABEL=]FILE" and "@geoip FILE", FILE relative to dir. */
static int manifest_option(const char *dir, const char *option, const char *value, struct demo_options *o) {
    const char *eq = strchr(value, '=');
    buf p;
    buf_init(&p);
    if (!strcmp(option, "@intel") && eq) buf_printf(&p, "%.*s%s/%s", (int)(eq - value + 1), value, dir, eq + 1);
    else buf_printf(&p, "%s/%s", dir, value);
    char *path = strdup(buf_cstr(&p));
    buf_free(&p);
    if (!strcmp(option, "@inventory")) {
        free(o->inventory);
        o->inventory = path;
        return 0;
    }
    if (!strcmp(option, "@intel") && o->n_intel < MAX_INTEL) {
        o->intel[o->n_intel++] = path;
        return 0;
    }
    if (!strcmp(option, "@geoip") && o->n_geoip < MAX_GEOIP) {
        o->geoip[o->n_geoip++] = path;
        return 0;
    }
    free(path);
    fprintf(stderr, "vigil demo: manifest option %s is not known (or too many)\n", option);
    return 2;
}

int demo_run(const char *dir_arg) {
    char tmp[] = "/tmp/vigil-demo-XXXXXX";
    const char *dir = dir_arg;
    if (!dir && !(dir = mkdtemp(tmp))) {
        fprintf(stderr, "vigil demo: cannot create a directory in /tmp: %s\n", strerror(errno));
        return 2;
    }
    if (dir_arg && mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "vigil demo: cannot create %s: %s\n", dir, strerror(errno));
        return 2;
    }
    const char *gen = generator_path();
    if (access(gen, R_OK) != 0) {
        fprintf(stderr, "vigil demo: demo generator %s not found (set VIGIL_DEMO_GENERATOR)\n", gen);
        return 2;
    }
    printf("vigil demo: generating the demo estate in %s\n", dir);
    fflush(stdout);
    if (run_generator(gen, dir) != 0) {
        fprintf(stderr, "vigil demo: the generator failed\n");
        return 2;
    }
    char manifest[4096];
    snprintf(manifest, sizeof manifest, "%s/manifest.tsv", dir);
    FILE *m = fopen(manifest, "r");
    if (!m) {
        fprintf(stderr, "vigil demo: cannot read %s: %s\n", manifest, strerror(errno));
        return 2;
    }
    /* manifest lines: @OPTION <tab> VALUE, then PHASE <tab> FILE, phases in order */
    char line[4096], phase[sizeof line] = "";
    char *paths[MAX_FILES];
    const char *files[MAX_FILES];
    int n = 0, rc = 0;
    struct demo_options dopt = { 0 };
    while (rc == 0 && fgets(line, sizeof line, m)) {
        line[strcspn(line, "\r\n")] = 0;
        char *tab = strchr(line, '\t');
        if (!tab || line[0] == '#') continue;
        *tab = 0;
        if (line[0] == '@') {
            rc = manifest_option(dir, line, tab + 1, &dopt);
            continue;
        }
        if (n && strcmp(phase, line) != 0) {
            rc = scan_phase(dir, phase, files, n, &dopt);
            for (int i = 0; i < n; i++) free(paths[i]);
            n = 0;
        }
        snprintf(phase, sizeof phase, "%s", line);
        if (n < MAX_FILES) {
            buf p;
            buf_init(&p);
            buf_printf(&p, "%s/%s", dir, tab + 1);
            paths[n] = strdup(buf_cstr(&p));
            files[n] = paths[n];
            n++;
            buf_free(&p);
        }
    }
    if (rc == 0 && n) rc = scan_phase(dir, phase, files, n, &dopt);
    for (int i = 0; i < n; i++) free(paths[i]);
    free(dopt.inventory);
    for (int i = 0; i < dopt.n_intel; i++) free(dopt.intel[i]);
    for (int i = 0; i < dopt.n_geoip; i++) free(dopt.geoip[i]);
    fclose(m);
    printf("\nvigil demo: telemetry, alerts (alerts-*.jsonl) and the store (state/vigil.db) are in %s\n", dir);
    return rc;
}
