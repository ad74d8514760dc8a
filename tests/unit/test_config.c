#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "util/timeutil.h"

/* A config file under /tmp; the name goes into error messages. */
static char tmp_path[64];

static const char *write_tmp(const char *content) {
    snprintf(tmp_path, sizeof tmp_path, "/tmp/vigil_cfg_XXXXXX");
    int fd = mkstemp(tmp_path);
    assert_true(fd >= 0);
    size_t n = strlen(content);
    assert_int_equal(write(fd, content, n), (ssize_t)n);
    close(fd);
    return tmp_path;
}

/* Load content over the defaults; the caller frees cfg. */
static int load_str(struct vigil_config *cfg, const char *content, char *err, size_t errlen) {
    config_defaults(cfg);
    const char *p = write_tmp(content);
    int rc = config_load(cfg, p, err, errlen);
    unlink(p);
    return rc;
}

static bool list_is(const struct strlist *l, const char *const *want, size_t n) {
    if (l->n != n) return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(l->v[i], want[i]) != 0) return false;
    return true;
}

static bool has(const struct strlist *l, const char *s) { return strlist_has(l, s, strlen(s)); }

/* Expect an error naming this line and containing each fragment. */
static void expect_error(const char *content, int line, ...) {
    struct vigil_config cfg;
    char err[512] = "";
    int rc = load_str(&cfg, content, err, sizeof err);
    if (rc != -1) fail_msg("loaded without error:\n%s", content);
    char where[96];
    snprintf(where, sizeof where, "%s:%d: ", tmp_path, line);
    if (strncmp(err, where, strlen(where)) != 0) fail_msg("want prefix '%s', got '%s'", where, err);
    va_list ap;
    va_start(ap, line);
    for (const char *frag; (frag = va_arg(ap, const char *)) != NULL;)
        if (!strstr(err, frag)) fail_msg("want '%s' in '%s'", frag, err);
    va_end(ap);
    /* A failed load leaves the defaults in place. */
    struct vigil_config def;
    config_defaults(&def);
    assert_true(config_equal(&cfg, &def));
    config_free(&def);
    config_free(&cfg);
}

static void test_defaults(void **state) {
    (void)state;
    struct vigil_config c;
    config_defaults(&c);
    assert_int_equal(c.allowed_lateness_us, 20 * US_PER_MIN);
    assert_int_equal(c.reject_report_limit, 5);
    assert_true(c.progress);
    assert_int_equal(c.aggregation_window_us, 24 * US_PER_HOUR);
    assert_int_equal(c.max_open_alerts, 100000);
    assert_int_equal(c.max_evidence, 5);
    assert_int_equal(c.disabled_types.n, 0);
    assert_true(c.group_arm_location);
    assert_true(c.k8s.enabled);
    assert_int_equal(c.k8s.learning_period_us, 7 * US_PER_DAY);
    assert_int_equal(c.k8s.max_learned_images, 10000);
    assert_true(c.k8s.only_successful);
    assert_true(list_is(&c.k8s.system_namespaces, (const char *[]){ "kube-system" }, 1));
    assert_int_equal(c.k8s.trusted_users.n, 0);
    assert_int_equal(c.k8s.max_tracked_workloads, 100000);
    assert_false(has(&c.k8s.dashboard_names, "dashboard"));
    assert_true(has(&c.k8s.system_image_allowlist, "mcr.microsoft.com/oss/kubernetes/"));
    assert_true(has(&c.k8s.system_image_allowlist, "registry.k8s.io/"));
    assert_true(has(&c.k8s.system_image_allowlist, "602401143452.dkr.ecr."));
    assert_true(has(&c.k8s.privileged_image_allowlist, "falcosecurity/"));
    assert_true(has(&c.k8s.sensitive_mount_image_allowlist, "prom/node-exporter"));
    assert_true(has(&c.k8s.sensitive_host_paths, "/var/run/docker.sock"));
    assert_true(has(&c.k8s.sensitive_host_paths, "/proc"));
    assert_true(has(&c.k8s.miner_image_tokens, "xmrig"));
    assert_true(has(&c.k8s.miner_image_tokens, "t-rex"));
    assert_true(has(&c.k8s.miner_command_indicators, "stratum+tcp://"));
    assert_true(has(&c.k8s.dashboard_names, "kubernetes-dashboard"));
    assert_true(has(&c.k8s.privileged_rule_resources, "pods/exec"));
    assert_true(has(&c.k8s.privileged_rule_resources, "secrets"));
    assert_false(has(&c.k8s.privileged_rule_resources, "pods"));
    config_free(&c);
}

static void test_empty_files_give_defaults(void **state) {
    (void)state;
    static const char *const empties[] = { "", "# only a comment\n", "---\n", "~\n", "---\n...\n" };
    struct vigil_config def;
    config_defaults(&def);
    for (size_t i = 0; i < sizeof empties / sizeof empties[0]; i++) {
        struct vigil_config c;
        char err[256] = "";
        if (load_str(&c, empties[i], err, sizeof err) != 0) fail_msg("%s", err);
        assert_true(config_equal(&c, &def));
        config_free(&c);
    }
    config_free(&def);
}

static void test_load_each_type(void **state) {
    (void)state;
    struct vigil_config c;
    char err[256] = "";
    int rc = load_str(&c,
                      "input:\n"
                      "  allowed_lateness: 90s\n"
                      "  reject_report_limit: 0\n"
                      "  progress: false\n"
                      "alerts:\n"
                      "  aggregation_window: \"15m\"\n"
                      "  max_open: 42\n"
                      "  disabled_types: [arm.location.*, k8s.container.privileged]\n"
                      "groups:\n"
                      "  arm_location:\n"
                      "    enabled: no\n"
                      "detectors:\n"
                      "  k8s:\n"
                      "    learning_period: 1w\n"
                      "    only_successful: off\n"
                      "    trusted_users:\n"
                      "      - system:serviceaccount:flux-system:kustomize-controller\n"
                      "      - \"admin@example.com\"\n"
                      "    dashboard_names: [8443]\n"
                      "detectors.k8s.max_learned_images: 3600\n",
                      err, sizeof err);
    if (rc != 0) fail_msg("%s", err);
    assert_int_equal(c.allowed_lateness_us, 90 * US_PER_SEC);
    assert_int_equal(c.reject_report_limit, 0);
    assert_false(c.progress);
    assert_int_equal(c.aggregation_window_us, 15 * US_PER_MIN);
    assert_int_equal(c.max_open_alerts, 42);
    assert_int_equal(c.max_evidence, 5); /* untouched */
    assert_true(list_is(&c.disabled_types,
                        (const char *[]){ "arm.location.*", "k8s.container.privileged" }, 2));
    assert_false(c.group_arm_location);
    assert_true(c.k8s.enabled);
    assert_int_equal(c.k8s.learning_period_us, 7 * US_PER_DAY);
    assert_false(c.k8s.only_successful);
    assert_int_equal(c.k8s.max_learned_images, 3600);
    assert_true(list_is(&c.k8s.trusted_users,
                        (const char *[]){ "system:serviceaccount:flux-system:kustomize-controller",
                                          "admin@example.com" }, 2));
    /* A number in a list is still a string. */
    assert_true(list_is(&c.k8s.dashboard_names, (const char *[]){ "8443" }, 1));
    config_free(&c);

    static const struct { const char *text; int64_t us; } durs[] = {
        { "90s", 90 * US_PER_SEC }, { "15m", 15 * US_PER_MIN }, { "24h", 24 * US_PER_HOUR },
        { "7d", 7 * US_PER_DAY },   { "1w", 7 * US_PER_DAY },   { "3600", US_PER_HOUR },
        { "0", 0 },                 { "'2h'", 2 * US_PER_HOUR },
    };
    for (size_t i = 0; i < sizeof durs / sizeof durs[0]; i++) {
        char text[128];
        snprintf(text, sizeof text, "alerts:\n  aggregation_window: %s\n", durs[i].text);
        if (load_str(&c, text, err, sizeof err) != 0) fail_msg("%s: %s", durs[i].text, err);
        assert_int_equal(c.aggregation_window_us, durs[i].us);
        config_free(&c);
    }
}

static void test_list_replaces_default(void **state) {
    (void)state;
    struct vigil_config c;
    char err[256] = "";
    int rc = load_str(&c,
                      "detectors:\n  k8s:\n"
                      "    system_namespaces: [kube-system, platform]\n"
                      "    miner_image_tokens: []\n",
                      err, sizeof err);
    if (rc != 0) fail_msg("%s", err);
    assert_true(list_is(&c.k8s.system_namespaces, (const char *[]){ "kube-system", "platform" }, 2));
    assert_int_equal(c.k8s.miner_image_tokens.n, 0);
    /* Lists not in the file keep their defaults. */
    assert_true(has(&c.k8s.sensitive_host_paths, "/proc"));
    config_free(&c);

    /* Loading again over a loaded config replaces again, without leaks. */
    config_defaults(&c);
    const char *p = write_tmp("detectors:\n  k8s:\n    system_namespaces: [a]\n");
    assert_int_equal(config_load(&c, p, err, sizeof err), 0);
    assert_int_equal(config_load(&c, p, err, sizeof err), 0);
    unlink(p);
    assert_true(list_is(&c.k8s.system_namespaces, (const char *[]){ "a" }, 1));
    config_free(&c);
}

static void test_unknown_key(void **state) {
    (void)state;
    expect_error("input:\n  progress: true\n"
                 "detectors:\n  k8s:\n    enabled: true\n    learnig_period: 7d\n",
                 6, "unknown key 'detectors.k8s.learnig_period'",
                 "did you mean 'detectors.k8s.learning_period'", NULL);
    expect_error("alerts:\n  learning_period: 7d\n", 2, "unknown key 'alerts.learning_period'",
                 "detectors.k8s.learning_period", NULL);
    expect_error("# comment\nbogus: 1\n", 2, "unknown key 'bogus'", NULL);
    expect_error("detectors:\n  satellite:\n    enabled: true\n", 2, "unknown key 'detectors.satellite'",
                 NULL);
    /* A leaf used as a section is a wrong type, not an unknown key. */
    expect_error("input:\n  progress:\n    x: 1\n", 3, "'input.progress'", "boolean", NULL);

    /* The exact message format of docs/CONFIG.md. */
    struct vigil_config c;
    char err[256];
    load_str(&c, "detectors:\n  k8s:\n    learnig_period: 7d\n", err, sizeof err);
    char want[128];
    snprintf(want, sizeof want, "%s:3: unknown key 'detectors.k8s.learnig_period'", tmp_path);
    assert_memory_equal(err, want, strlen(want));
    config_free(&c);
}

static void test_wrong_type(void **state) {
    (void)state;
    expect_error("input:\n  progress: maybe\n", 2, "'input.progress'", "boolean", "'maybe'", NULL);
    expect_error("input:\n  progress: \"false\"\n", 2, "'input.progress'", "boolean", NULL);
    expect_error("alerts:\n  max_open: lots\n", 2, "'alerts.max_open'", "unsigned integer", NULL);
    expect_error("alerts:\n  max_open: -1\n", 2, "'alerts.max_open'", "unsigned integer", NULL);
    expect_error("alerts:\n  max_open: 1.5\n", 2, "'alerts.max_open'", "unsigned integer", NULL);
    expect_error("alerts:\n  max_open: [1]\n", 2, "'alerts.max_open'", "got a list", NULL);
    expect_error("alerts:\n  max_open:\n", 2, "'alerts.max_open'", "got null", NULL);
    expect_error("alerts:\n  aggregation_window: 5x\n", 2, "'alerts.aggregation_window'", "duration",
                 NULL);
    expect_error("alerts:\n  aggregation_window: -5m\n", 2, "'alerts.aggregation_window'", "duration",
                 NULL);
    expect_error("alerts:\n  disabled_types: k8s.container.privileged\n", 2, "'alerts.disabled_types'",
                 "list", NULL);
    expect_error("alerts:\n  disabled_types:\n", 2, "'alerts.disabled_types'", "list", "null", NULL);
    expect_error("alerts:\n  disabled_types:\n    - [nested]\n", 3, "'alerts.disabled_types'",
                 "strings", NULL);
    expect_error("alerts:\n  disabled_types:\n    - a\n    -\n", 4, "empty entry",
                 "'alerts.disabled_types'", NULL);
    expect_error("alerts: 5\n", 1, "'alerts'", "mapping", NULL);
    expect_error("- a\n- b\n", 1, "top level", "mapping", NULL);
}

static void test_out_of_range(void **state) {
    (void)state;
    expect_error("alerts:\n  max_open: 0\n", 2, "'alerts.max_open'", "from 1 to", NULL);
    expect_error("alerts:\n  max_open: 4294967296\n", 2, "'alerts.max_open'", NULL);
    expect_error("alerts:\n  max_evidence: 1001\n", 2, "'alerts.max_evidence'", "1000", NULL);
    /* Too long to multiply safely: out of range, and no overflow (UBSan). */
    expect_error("alerts:\n  aggregation_window: 99999999w\n", 2, "'alerts.aggregation_window'",
                 "from 0s to", NULL);
    expect_error("alerts:\n  aggregation_window: 99999999999999999999\n", 2,
                 "'alerts.aggregation_window'", "from 0s to", NULL);
    expect_error("alerts:\n  aggregation_window: 3651d\n", 2, "from 0s to 3650d", NULL);
}

static void test_syntax_error(void **state) {
    (void)state;
    expect_error("alerts:\n  max_open: 5\n  max_evidence: [1, 2\n", 4, "YAML syntax error", NULL);
    expect_error("input:\n  progress: true\n bad: indent\n", 3, "YAML syntax error", NULL);
    expect_error("a: b: c\n", 1, "YAML syntax error", NULL);
    expect_error("alerts:\n  max_open: \"unterminated\n", 3, "YAML syntax error", NULL);
}

static void test_duplicates_and_documents(void **state) {
    (void)state;
    expect_error("alerts:\n  max_open: 1\n  max_open: 2\n", 3, "duplicate key 'alerts.max_open'",
                 "line 2", NULL);
    expect_error("alerts:\n  max_open: 1\nalerts:\n  max_evidence: 2\n", 3,
                 "duplicate key 'alerts'", NULL);
    expect_error("alerts:\n  max_open: 1\nalerts.max_open: 2\n", 3, "'alerts.max_open' is set twice",
                 NULL);
    expect_error("alerts:\n  max_open: 1\n---\nalerts:\n  max_open: 2\n", 4, "more than one", NULL);
}

static void test_failed_load_keeps_config(void **state) {
    (void)state;
    /* The list is set (allocated) before the error two lines later: the
     * load must be all-or-nothing, and ASan checks the new list is freed. */
    expect_error("detectors:\n  k8s:\n    system_namespaces: [x, y]\n    trusted_users: [a]\n"
                 "    enabled: sometimes\n",
                 5, "'detectors.k8s.enabled'", NULL);

    struct vigil_config c;
    char err[256];
    config_defaults(&c);
    assert_int_equal(config_load(&c, "/nonexistent/vigil.yaml", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/vigil.yaml: cannot open"));
    config_free(&c);
}

static char *dump_to_string(const struct vigil_config *c) {
    char *buf = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&buf, &n);
    assert_non_null(m);
    config_dump(c, m);
    fclose(m);
    return buf;
}

static void roundtrip(const struct vigil_config *c) {
    char *text = dump_to_string(c);
    struct vigil_config back;
    char err[512] = "";
    if (load_str(&back, text, err, sizeof err) != 0) fail_msg("%s\n--- dump:\n%s", err, text);
    if (!config_equal(c, &back)) fail_msg("round trip changed the config; dump:\n%s", text);
    config_free(&back);
    free(text);
}

static void set_list(struct strlist *l, const char *const *v, size_t n) {
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    l->v = n ? malloc(n * sizeof *l->v) : NULL;
    l->n = n;
    for (size_t i = 0; i < n; i++) l->v[i] = strdup(v[i]);
}

static void test_dump_roundtrip(void **state) {
    (void)state;
    struct vigil_config c;
    config_defaults(&c);
    char *text = dump_to_string(&c);
    assert_non_null(strstr(text, "(default: 20m, unit: duration)\n  allowed_lateness: 20m\n"));
    assert_non_null(strstr(text, "\ndetectors:\n"));
    assert_non_null(strstr(text, "\n  k8s:\n"));
    assert_non_null(strstr(text, "\n    system_namespaces:\n      - kube-system\n"));
    assert_non_null(strstr(text, "\n    trusted_users: []\n"));
    assert_non_null(strstr(text, "# (default: [kube-system], unit: namespaces)\n"));
    free(text);
    roundtrip(&c);

    /* Every key away from its default, with strings YAML would otherwise
     * read as something else. */
    c.allowed_lateness_us = 90 * US_PER_SEC;
    c.reject_report_limit = 0;
    c.progress = false;
    c.aggregation_window_us = 1500 * 1000; /* 1.5 s: formatted in ms */
    c.max_open_alerts = UINT32_MAX;
    c.max_evidence = 1000;
    c.group_arm_location = false;
    c.k8s.enabled = false;
    c.k8s.learning_period_us = 0;
    c.k8s.max_learned_images = 7;
    c.k8s.only_successful = false;
    static const char *const tricky[] = {
        "8443", "--donate-level", "yes", "No", "null", "~", "with: colon", "#hash", " lead",
        "trail ", "quote\"and\\back", "tab\there", "caf\xc3\xa9", "*star", "&amp", "!tag",
        "[x]", "{y}", "a,b", "%p", "@at", "`tick", "'single'", "-", "?", "1e3", ".inf", "0x1F",
        "line\nbreak", "arm.location.*", "1:30",
    };
    size_t nt = sizeof tricky / sizeof tricky[0];
    set_list(&c.disabled_types, tricky, nt);
    set_list(&c.k8s.system_namespaces, (const char *[]){ "ns-a", "ns-b" }, 2);
    set_list(&c.k8s.system_image_allowlist, (const char *[]){ "example.com/" }, 1);
    set_list(&c.k8s.privileged_image_allowlist, NULL, 0);
    set_list(&c.k8s.sensitive_mount_image_allowlist, (const char *[]){ "x" }, 1);
    set_list(&c.k8s.trusted_users, (const char *[]){ "system:serviceaccount:a:b" }, 1);
    set_list(&c.k8s.sensitive_host_paths, (const char *[]){ "/only" }, 1);
    set_list(&c.k8s.miner_image_tokens, (const char *[]){ "t-rex" }, 1);
    set_list(&c.k8s.miner_command_indicators, (const char *[]){ "stratum+tcp://" }, 1);
    set_list(&c.k8s.dashboard_names, (const char *[]){ "dash" }, 1);
    set_list(&c.k8s.privileged_rule_resources, (const char *[]){ "pods/exec" }, 1);

    struct vigil_config def;
    config_defaults(&def);
    assert_false(config_equal(&c, &def));
    config_free(&def);
    roundtrip(&c);
    config_free(&c);
}

static void test_match_helpers(void **state) {
    (void)state;
    struct vigil_config c;
    config_defaults(&c);

    const char *repo;
    size_t rn;
    image_repository("docker.io/library/nginx:1.25@sha256:ab", 38, &repo, &rn);
    assert_int_equal(rn, 5);
    assert_memory_equal(repo, "nginx", 5);
    const char *img = "localhost:5000/team/app:v1";
    image_repository(img, strlen(img), &repo, &rn);
    assert_int_equal(rn, strlen("localhost:5000/team/app"));

#define IMG(l, s) strlist_match_image(&(l), (s), strlen(s))
    assert_string_equal(IMG(c.k8s.privileged_image_allowlist, "docker.io/calico/node:v3.27"), "calico/");
    assert_string_equal(IMG(c.k8s.privileged_image_allowlist, "registry.k8s.io/kube-proxy:v1.30.0"),
                        "registry.k8s.io/kube-proxy");
    assert_null(IMG(c.k8s.privileged_image_allowlist, "registry.k8s.io/kube-proxy-evil:v1"));
    assert_null(IMG(c.k8s.privileged_image_allowlist, "registry.k8s.io/e2e-test-images/agnhost:2.4"));
    assert_null(IMG(c.k8s.privileged_image_allowlist, "evil.io/calico/node"));
    assert_string_equal(IMG(c.k8s.system_image_allowlist,
                            "602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/kube-proxy:v1"),
                        "602401143452.dkr.ecr.");
    assert_string_equal(IMG(c.k8s.system_image_allowlist, "mcr.microsoft.com/oss/kubernetes/coredns:v1"),
                        "mcr.microsoft.com/oss/kubernetes/");
    assert_null(IMG(c.k8s.system_image_allowlist, "mcr.microsoft.com/azure-cli:2.0"));
    assert_null(IMG(c.k8s.system_image_allowlist, "nginx"));

#define PATH(s) strlist_match_path(&c.k8s.sensitive_host_paths, (s), strlen(s))
    assert_string_equal(PATH("/var/run/docker.sock"), "/var/run/docker.sock");
    assert_string_equal(PATH("//var/run/./docker.sock/"), "/var/run/docker.sock");
    assert_string_equal(PATH("/etc/shadow"), "/etc");
    assert_string_equal(PATH("/etc/kubernetes/pki/ca.key"), "/etc/kubernetes/pki");
    assert_non_null(PATH("/var"));                                /* contains sensitive paths */
    assert_string_equal(PATH("/var/run"), "/var/run/docker.sock");
    assert_string_equal(PATH("/run"), "/run/containerd");
    assert_null(PATH("/var/run/secrets-store-csi-providers"));   /* ordinary folders beside the sockets */
    assert_string_equal(PATH("/"), "/");
    assert_string_equal(PATH("/data/../etc"), "/etc");
    assert_string_equal(PATH("/../../root/.ssh"), "/root");
    assert_null(PATH("/data/app"));
    assert_null(PATH("/etcetera"));
    assert_null(PATH("/opt/cni/bin"));

#define WORD(s) strlist_match_word(&c.k8s.miner_image_tokens, (s), strlen(s))
    assert_string_equal(WORD("metal3d/xmrig:latest"), "xmrig");
    assert_string_equal(WORD("docker.io/someone/XMRig-proxy"), "xmrig");
    assert_string_equal(WORD("ghcr.io/x/t-rex:0.26"), "t-rex");
    assert_null(WORD("myxmrigtool"));
    assert_null(WORD("nginx:1.25"));

    const char *cmd = "./miner -o STRATUM+TCP://pool.example:3333 -u wallet";
    assert_string_equal(strlist_match_substring(&c.k8s.miner_command_indicators, cmd, strlen(cmd)),
                        "stratum+tcp://");
    assert_null(strlist_match_substring(&c.k8s.miner_command_indicators, "nginx -g", 8));

    assert_true(strlist_has(&c.k8s.system_namespaces, "kube-system", 11));
    assert_false(strlist_has(&c.k8s.system_namespaces, "kube-system2", 12));
    assert_false(strlist_has(&c.k8s.system_namespaces, "kube-system", 4));
    config_free(&c);
}

/* docs/CONFIG.md carries the key reference generated from the table
 * between these markers; regenerate with VIGIL_UPDATE_DOCS=1. */
#define DOC_BEGIN "<!-- BEGIN config_doc_markdown -->\n"
#define DOC_END "<!-- END config_doc_markdown -->"

static char *read_all(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t cap = 0, len = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        size_t r = fread(buf + len, 1, cap - len - 1, f);
        len += r;
        if (r == 0) break;
    }
    fclose(f);
    buf[len] = '\0';
    *n = len;
    return buf;
}

static void test_docs_in_sync(void **state) {
    (void)state;
    char path[1024];
#ifdef VIGIL_SOURCE_DIR
    snprintf(path, sizeof path, "%s/docs/CONFIG.md", VIGIL_SOURCE_DIR);
#else
    const char *tests = getenv("VIGIL_TESTS");
    if (tests) snprintf(path, sizeof path, "%s/../docs/CONFIG.md", tests);
    else snprintf(path, sizeof path, "docs/CONFIG.md");
#endif
    size_t n = 0;
    char *doc = read_all(path, &n);
    if (!doc) {
        print_message("%s not found: skipped\n", path);
        skip();
    }
    char *b = strstr(doc, DOC_BEGIN), *e = strstr(doc, DOC_END);
    if (!b || !e || e < b) fail_msg("%s lacks the %s ... %s markers", path, DOC_BEGIN, DOC_END);
    b += strlen(DOC_BEGIN);

    char *gen = NULL;
    size_t gn = 0;
    FILE *m = open_memstream(&gen, &gn);
    config_doc_markdown(m);
    fclose(m);

    if (getenv("VIGIL_UPDATE_DOCS")) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fwrite(doc, 1, (size_t)(b - doc), f);
        fwrite(gen, 1, gn, f);
        fwrite(e, 1, n - (size_t)(e - doc), f);
        fclose(f);
    } else if ((size_t)(e - b) != gn || memcmp(b, gen, gn) != 0) {
        fail_msg("%s is out of date with the table in src/config/config.c: "
                 "run the test with VIGIL_UPDATE_DOCS=1 to regenerate it", path);
    }
    free(gen);
    free(doc);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_empty_files_give_defaults),
        cmocka_unit_test(test_load_each_type),
        cmocka_unit_test(test_list_replaces_default),
        cmocka_unit_test(test_unknown_key),
        cmocka_unit_test(test_wrong_type),
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_duplicates_and_documents),
        cmocka_unit_test(test_failed_load_keeps_config),
        cmocka_unit_test(test_dump_roundtrip),
        cmocka_unit_test(test_match_helpers),
        cmocka_unit_test(test_docs_in_sync),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
