#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/catalog.h"

/* CATALOG.md, in its order, with the severity research/detections.md section 2.3
 * settles for each. The type strings are a public contract: this list is
 * written out by hand on purpose, so that renaming or dropping a type in the
 * catalog fails here. */
static const struct { const char *type; enum severity sev; } expected[] = {
    { "net.rdp.outbound", SEV_HIGH },
    { "net.rdp.outbound.multi", SEV_HIGH },
    { "net.ssh.outbound", SEV_MEDIUM },
    { "net.ssh.outbound.multi", SEV_MEDIUM },
    { "net.ssh.inbound", SEV_MEDIUM },
    { "net.ssh.inbound.multi", SEV_MEDIUM },
    { "net.rdp.inbound", SEV_MEDIUM },
    { "net.rdp.inbound.multi", SEV_MEDIUM },
    { "net.malicious.peer", SEV_MEDIUM },
    { "arm.toolkit.microburst", SEV_HIGH },
    { "arm.toolkit.azurite", SEV_HIGH },
    { "arm.session.inactive_account", SEV_MEDIUM },
    { "arm.session.powershell", SEV_MEDIUM },
    { "arm.persistence.custom_role", SEV_MEDIUM },
    { "arm.location.infrequent_country", SEV_MEDIUM },
    { "arm.location.anonymous_ip", SEV_MEDIUM },
    { "arm.location.impossible_travel", SEV_MEDIUM },
    { "kv.access.tor", SEV_MEDIUM },
    { "kv.policy_change.secret_query", SEV_MEDIUM },
    { "kv.secret_list.secret_gets", SEV_MEDIUM },
    { "kv.unusual.user_app_pair", SEV_MEDIUM },
    { "kv.unusual.app", SEV_MEDIUM },
    { "kv.unusual.user", SEV_MEDIUM },
    { "kv.unusual.operation_pattern", SEV_MEDIUM },
    { "kv.volume.high", SEV_MEDIUM },
    { "kv.user.many_vaults", SEV_MEDIUM },
    { "app.wordpress.theme_invocation", SEV_HIGH },
    { "app.sensitive_page.anomalous_ip", SEV_LOW },
    { "app.ftp.threat_intel_ip", SEV_MEDIUM },
    { "app.web.fingerprinting", SEV_MEDIUM },
    { "app.web.vulnerable_page_scan", SEV_LOW },
    { "app.upload.php_file", SEV_MEDIUM },
    { "app.process.linux_on_windows", SEV_MEDIUM },
    { "app.process.suspicious_php", SEV_MEDIUM },
    { "app.process.temp_folder", SEV_MEDIUM },
    { "app.process.high_privilege", SEV_MEDIUM },
    { "app.scan.cross_host", SEV_LOW },
    { "k8s.rolebinding.cluster_admin", SEV_INFORMATIONAL },
    { "k8s.dashboard.exposed", SEV_HIGH },
    { "k8s.role.high_privilege", SEV_INFORMATIONAL },
    { "k8s.kube_system.new_container", SEV_INFORMATIONAL },
    { "k8s.container.miner", SEV_HIGH },
    { "k8s.container.privileged", SEV_INFORMATIONAL },
    { "k8s.container.sensitive_mount", SEV_INFORMATIONAL },
    { "host.container.privileged", SEV_LOW },
    { "host.container.privileged_command", SEV_LOW },
    { "host.docker.exposed_daemon", SEV_MEDIUM },
    { "host.container.ssh_server", SEV_MEDIUM },
    { "host.container.miner_image", SEV_HIGH },
    { "host.k8s_api.suspicious_request", SEV_MEDIUM },
    { "host.k8s_dashboard.suspicious_request", SEV_MEDIUM },
};
#define N_EXPECTED (sizeof expected / sizeof expected[0])

static const char *const allowed_tactics[] = {
    "PreAttack", "InitialAccess", "Execution", "Persistence", "PrivilegeEscalation",
    "DefenseEvasion", "CredentialAccess", "Discovery", "LateralMovement", "Collection",
    "CommandAndControl", "Exfiltration", "Impact",
};

static bool in_list(const char *s, const char *const *list, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0) return true;
    return false;
}

static size_t count_items(const char *const *v, size_t max) {
    size_t n = 0;
    while (n < max && v[n]) n++;
    return n;
}

static bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Placeholders of a catalog template, by the same rule as catalog_render.
 * Catalog descriptions must contain no other brace at all: a lone '{' or
 * '}' there is a typo that would show up in every alert. */
#define MAX_PH 32
static size_t placeholders(const char *type, const char *t, char names[MAX_PH][64]) {
    size_t n = 0;
    for (const char *p = t; *p; p++) {
        if (*p == '}') fail_msg("%s: stray '}' in description", type);
        if (*p != '{') continue;
        const char *name = p + 1 + (p[1] == '?'), *q = name;
        while (is_name_char(*q)) q++;
        if (*q != '}' || q == name) fail_msg("%s: malformed placeholder at \"%.20s\"", type, p);
        size_t len = (size_t)(q - name);
        assert_true(len < 64);
        assert_true(n < MAX_PH);
        memcpy(names[n], name, len);
        names[n][len] = 0;
        n++;
        p = q;
    }
    return n;
}

static void test_exactly_the_catalog_types(void **state) {
    (void)state;
    size_t n = 0;
    const struct catalog_entry *e = catalog_entries(&n);
    assert_non_null(e);
    assert_int_equal(n, N_EXPECTED);
    assert_int_equal(n, 51);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(e[i].type, expected[i].type);
        if (e[i].severity != expected[i].sev)
            fail_msg("%s: severity %s, expected %s", e[i].type, severity_name(e[i].severity),
                     severity_name(expected[i].sev));
        assert_ptr_equal(catalog_find(vstr_c(expected[i].type)), &e[i]);
    }
    assert_non_null(catalog_entries(NULL));
}

static void test_entries_complete(void **state) {
    (void)state;
    static const struct { const char *prefix, *layer; } layers[] = {
        { "net.", "network" }, { "arm.", "management" }, { "kv.", "keyvault" },
        { "app.", "appservice" }, { "k8s.", "k8s" }, { "host.", "host" },
    };
    size_t n = 0;
    const struct catalog_entry *e = catalog_entries(&n);
    for (size_t i = 0; i < n; i++) {
        const struct catalog_entry *c = &e[i];
        assert_non_null(c->title);
        assert_true(strlen(c->title) > 0);
        assert_non_null(c->layer);
        bool layer_ok = false;
        for (size_t k = 0; k < sizeof layers / sizeof layers[0]; k++)
            if (strncmp(c->type, layers[k].prefix, strlen(layers[k].prefix)) == 0)
                layer_ok = strcmp(c->layer, layers[k].layer) == 0;
        if (!layer_ok) fail_msg("%s: layer %s does not match its type", c->type, c->layer);

        /* a full array has no NULL, and every reader would run off its end */
        assert_null(c->tactics[CATALOG_MAX_TACTICS - 1]);
        assert_null(c->techniques[CATALOG_MAX_TECHNIQUES - 1]);
        assert_null(c->vars[CATALOG_MAX_VARS - 1]);
        assert_null(c->remediation[CATALOG_MAX_STEPS - 1]);

        size_t nt = count_items(c->tactics, CATALOG_MAX_TACTICS);
        if (nt < 1) fail_msg("%s: no tactic", c->type);
        for (size_t k = 0; k < nt; k++)
            if (!in_list(c->tactics[k], allowed_tactics,
                         sizeof allowed_tactics / sizeof allowed_tactics[0]))
                fail_msg("%s: unknown tactic %s", c->type, c->tactics[k]);

        size_t nq = count_items(c->techniques, CATALOG_MAX_TECHNIQUES);
        if (nq < 1) fail_msg("%s: no technique", c->type);
        for (size_t k = 0; k < nq; k++) {
            const char *t = c->techniques[k];
            size_t len = strlen(t);
            bool ok = (len == 5 || len == 9) && t[0] == 'T';
            for (size_t j = 1; ok && j < len; j++)
                ok = j == 5 ? t[j] == '.' : (t[j] >= '0' && t[j] <= '9');
            if (!ok) fail_msg("%s: technique id %s is not Tnnnn or Tnnnn.nnn", c->type, t);
        }

        size_t ns = count_items(c->remediation, CATALOG_MAX_STEPS);
        if (ns < 2 || ns > 5) fail_msg("%s: %zu remediation steps", c->type, ns);
        for (size_t k = 0; k < ns; k++) {
            assert_true(strlen(c->remediation[k]) > 10);
            /* steps are printed as they stand, never rendered */
            if (strchr(c->remediation[k], '{')) fail_msg("%s: placeholder in remediation", c->type);
        }

        assert_non_null(c->description);
        assert_true(strlen(c->description) > 40);

        for (size_t j = 0; j < i; j++) {
            if (strcmp(e[j].type, c->type) == 0) fail_msg("duplicate type %s", c->type);
            if (strcmp(e[j].title, c->title) == 0) fail_msg("duplicate title %s", c->title);
        }
    }
}

static void test_placeholders_match_vars(void **state) {
    (void)state;
    size_t n = 0;
    const struct catalog_entry *e = catalog_entries(&n);
    for (size_t i = 0; i < n; i++) {
        const struct catalog_entry *c = &e[i];
        char names[MAX_PH][64];
        size_t np = placeholders(c->type, c->description, names);
        size_t nv = count_items(c->vars, CATALOG_MAX_VARS);
        if (np == 0) fail_msg("%s: description names no entity", c->type);
        for (size_t k = 0; k < np; k++)
            if (!in_list(names[k], c->vars, nv))
                fail_msg("%s: {%s} is used but not listed in vars", c->type, names[k]);
        for (size_t k = 0; k < nv; k++) {
            bool used = false;
            for (size_t j = 0; j < np && !used; j++) used = strcmp(names[j], c->vars[k]) == 0;
            if (!used) fail_msg("%s: var %s is listed but not used", c->type, c->vars[k]);
            for (size_t j = 0; j < k; j++)
                if (strcmp(c->vars[j], c->vars[k]) == 0)
                    fail_msg("%s: var %s listed twice", c->type, c->vars[k]);
        }
    }
}

/* The k8s detector is written against a fixed set of names; a template
 * using any other would print "(unknown)" in every k8s alert. */
static void test_k8s_vars_follow_detector_contract(void **state) {
    (void)state;
    static const char *const common[] = {
        "actor", "source_ip", "user_agent", "verb", "object", "namespace", "in_cluster", "origin",
    };
    static const struct { const char *type; const char *extra[3]; } per_type[] = {
        { "k8s.rolebinding.cluster_admin", { "binding", "subjects" } },
        { "k8s.dashboard.exposed", { "exposure" } },
        { "k8s.role.high_privilege", { "role", "powers" } },
        { "k8s.kube_system.new_container", { "containers", "baseline" } },
        { "k8s.container.miner", { "containers", "indicator" } },
        { "k8s.container.privileged", { "containers" } },
        { "k8s.container.sensitive_mount", { "mounts", "containers" } },
    };
    for (size_t i = 0; i < sizeof per_type / sizeof per_type[0]; i++) {
        const struct catalog_entry *c = catalog_find(vstr_c(per_type[i].type));
        assert_non_null(c);
        size_t nv = count_items(c->vars, CATALOG_MAX_VARS);
        for (size_t k = 0; k < nv; k++) {
            const char *v = c->vars[k];
            bool ok = in_list(v, common, sizeof common / sizeof common[0]) ||
                      in_list(v, per_type[i].extra, count_items(per_type[i].extra, 3));
            if (!ok) fail_msg("%s: var %s is not one the k8s detector sets", c->type, v);
        }
        /* who, from where, with what, on which object */
        static const char *const must[] = { "actor", "source_ip", "user_agent", "object" };
        for (size_t k = 0; k < 4; k++)
            if (!in_list(must[k], c->vars, nv)) fail_msg("%s: does not say %s", c->type, must[k]);
    }
}

/* Every template, filled with all its vars, leaves nothing unrendered. */
static void test_every_description_renders(void **state) {
    (void)state;
    size_t n = 0;
    const struct catalog_entry *e = catalog_entries(&n);
    for (size_t i = 0; i < n; i++) {
        const struct catalog_entry *c = &e[i];
        struct template_var vars[CATALOG_MAX_VARS];
        char vals[CATALOG_MAX_VARS][80];
        size_t nv = count_items(c->vars, CATALOG_MAX_VARS);
        for (size_t k = 0; k < nv; k++) {
            snprintf(vals[k], sizeof vals[k], "<%s-value>", c->vars[k]);
            vars[k].name = c->vars[k];
            vars[k].value = vstr_c(vals[k]);
        }
        buf out;
        buf_init(&out);
        catalog_render(c->description, vars, nv, &out);
        const char *s = buf_cstr(&out);
        if (strstr(s, "(unknown)") || strchr(s, '{') || strchr(s, '}'))
            fail_msg("%s: rendered badly: %s", c->type, s);
        for (size_t k = 0; k < nv; k++)
            if (!strstr(s, vals[k])) fail_msg("%s: %s not in rendered text", c->type, vals[k]);
        buf_free(&out);
    }
}

/* Renders a template copied to a heap block of exactly its size, so ASan
 * catches any read past its end. */
static char *render(const char *tmpl, const struct template_var *vars, size_t n) {
    size_t len = strlen(tmpl) + 1;
    char *t = malloc(len);
    assert_non_null(t);
    memcpy(t, tmpl, len);
    buf out;
    buf_init(&out);
    catalog_render(t, vars, n, &out);
    char *r = strdup(buf_cstr(&out));
    buf_free(&out);
    free(t);
    return r;
}

#define ASSERT_RENDERS(tmpl, vars, n, want)                \
    do {                                                   \
        char *got_ = render((tmpl), (vars), (n));          \
        assert_string_equal(got_, (want));                 \
        free(got_);                                        \
    } while (0)

static void test_render(void **state) {
    (void)state;
    const struct template_var v[] = {
        { "host", VSTR("web-01") },
        { "ip", VSTR("10.0.0.4") },
        { "empty", VSTR("") },
        { "braces", VSTR("{ip}") },
    };
    const size_t nv = sizeof v / sizeof v[0];
    ASSERT_RENDERS("Host {host} at {ip}.", v, nv, "Host web-01 at 10.0.0.4.");
    ASSERT_RENDERS("{host}{ip}", v, nv, "web-0110.0.0.4");
    ASSERT_RENDERS("no placeholders", v, nv, "no placeholders");
    ASSERT_RENDERS("", v, nv, "");
    /* missing var */
    ASSERT_RENDERS("user {user} on {host}", v, nv, "user (unknown) on web-01");
    ASSERT_RENDERS("user {user}", NULL, 0, "user (unknown)");
    /* an empty value still reads as a sentence */
    ASSERT_RENDERS("files: {empty}.", v, nv, "files: (none).");
    /* an optional clause vanishes when empty, and reads like any other when not */
    ASSERT_RENDERS("web{?empty}.", v, nv, "web.");
    ASSERT_RENDERS("on{?host}.", v, nv, "onweb-01.");
    ASSERT_RENDERS("{?user}", v, nv, "(unknown)");
    ASSERT_RENDERS("{?}", v, nv, "{?}");
    /* escapes */
    ASSERT_RENDERS("a {{ b", v, nv, "a { b");
    ASSERT_RENDERS("{{host}", v, nv, "{host}");
    ASSERT_RENDERS("{{{host}", v, nv, "{web-01");
    ASSERT_RENDERS("end {{", v, nv, "end {");
    /* malformed templates are copied, never overrun */
    ASSERT_RENDERS("end {", v, nv, "end {");
    ASSERT_RENDERS("end {host", v, nv, "end {host");
    ASSERT_RENDERS("{", v, nv, "{");
    ASSERT_RENDERS("{}", v, nv, "{}");
    ASSERT_RENDERS("{ host }", v, nv, "{ host }");
    ASSERT_RENDERS("{a{host}", v, nv, "{aweb-01");
    ASSERT_RENDERS("lone } stays", v, nv, "lone } stays");
    /* values are not expanded again */
    ASSERT_RENDERS("x={braces}", v, nv, "x={ip}");
}

static void test_render_details(void **state) {
    (void)state;
    /* a var set twice: the later value wins */
    const struct template_var twice[] = { { "a", VSTR("old") }, { "a", VSTR("new") } };
    ASSERT_RENDERS("{a}", twice, 2, "new");
    /* names match exactly, not by prefix */
    const struct template_var pre[] = { { "host", VSTR("h") } };
    ASSERT_RENDERS("{hostname} {hos}", pre, 1, "(unknown) (unknown)");
    /* values are slices, not C strings */
    const char *longer = "abcdef";
    const struct template_var slice[] = { { "s", { longer, 3 } } };
    ASSERT_RENDERS("[{s}]", slice, 1, "[abc]");
    /* rendering appends to what the buffer already holds */
    buf out;
    buf_init(&out);
    buf_puts(&out, "prefix: ");
    catalog_render("{s}", slice, 1, &out);
    assert_string_equal(buf_cstr(&out), "prefix: abc");
    catalog_render(NULL, slice, 1, &out);
    assert_string_equal(buf_cstr(&out), "prefix: abc");
    buf_free(&out);
}

static void test_severity_name(void **state) {
    (void)state;
    assert_string_equal(severity_name(SEV_INFORMATIONAL), "informational");
    assert_string_equal(severity_name(SEV_LOW), "low");
    assert_string_equal(severity_name(SEV_MEDIUM), "medium");
    assert_string_equal(severity_name(SEV_HIGH), "high");
}

static void test_find(void **state) {
    (void)state;
    assert_null(catalog_find(VSTR("net.rdp")));
    assert_null(catalog_find(VSTR("net.rdp.outbound.x")));
    assert_null(catalog_find(VSTR("NET.RDP.OUTBOUND")));
    assert_null(catalog_find(VSTR("no.such.type")));
    assert_null(catalog_find(VSTR("")));
    assert_null(catalog_find(VSTR_NULL));
    /* the type is a slice: its length counts, not a terminator */
    const char *s = "net.rdp.outbound.multi";
    const struct catalog_entry *c = catalog_find((vstr){ s, strlen("net.rdp.outbound") });
    assert_non_null(c);
    assert_string_equal(c->type, "net.rdp.outbound");
    c = catalog_find(VSTR("k8s.container.privileged"));
    assert_non_null(c);
    assert_string_equal(c->layer, "k8s");
    assert_string_equal(c->tactics[0], "PrivilegeEscalation");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exactly_the_catalog_types),
        cmocka_unit_test(test_entries_complete),
        cmocka_unit_test(test_placeholders_match_vars),
        cmocka_unit_test(test_k8s_vars_follow_detector_contract),
        cmocka_unit_test(test_every_description_renders),
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_render_details),
        cmocka_unit_test(test_severity_name),
        cmocka_unit_test(test_find),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
