/* App Service process analytics: what a web application starts
 * (research/detections.md 6.7-6.10).
 *
 * A web application that runs commands is either doing something its
 * developers built on purpose (a deploy step, sending mail) or has been
 * made to. The four alerts look at processes whose known ancestry holds a
 * web worker (w3wp, php-fpm, nginx ...), so an administrator's own shell
 * on the same host is not judged:
 *
 *   linux_on_windows  a Linux command line on a Windows host
 *   suspicious_php    PHP running code from its command line, or PHP
 *                     starting a shell or a network tool
 *   temp_folder       a program run from a temporary folder that the
 *                     host did not run from there while it was learning
 *   high_privilege    a command that needs administrative rights
 *
 * Ancestry comes from the process tree (enrich/proctree.h): ECS events name
 * their parent, auditd gives only a ppid, and the tree joins the two. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "alert/alert.h"
#include "detect/app_internal.h"
#include "enrich/proctree.h"

#define MAX_ANCESTORS 8

struct proc_view {
    const struct event *ev;
    const struct proc_exec *p;
    vstr site;                          /* the host */
    vstr name;                          /* basename of the program */
    vstr cmd;
    vstr chain[MAX_ANCESTORS];          /* ancestors' names, parent first */
    unsigned n_chain;
    int web_at;                         /* index in chain of the nearest web worker, -1 none */
    bool windows;
};

static bool sig_hit(struct sigset *s, vstr text) { return text.n && sigset_first(s, text.p, text.n) >= 0; }

static vstr program_name(vstr name, vstr exe) { return name.n ? name : vstr_basename(exe); }

static void build_chain(struct app_det *d, struct proc_view *v) {
    const struct proc_exec *p = v->p;
    const struct proc_node *anc[MAX_ANCESTORS];
    unsigned n = p->ppid > 0 ? proctree_ancestors(d->ctx->procs, p->host, p->ppid, anc, MAX_ANCESTORS) : 0;
    for (unsigned i = 0; i < n; i++) v->chain[v->n_chain++] = program_name(anc[i]->name, anc[i]->exe);
    if (!v->n_chain && (p->parent_name.n || p->parent_exe.n))
        v->chain[v->n_chain++] = program_name(p->parent_name, p->parent_exe);
    v->web_at = -1;
    for (unsigned i = 0; i < v->n_chain; i++)
        if (sig_hit(d->sig.web_workers, v->chain[i])) { v->web_at = (int)i; break; }
}

static bool looks_windows(const struct proc_exec *p) {
    if (p->os == PROC_OS_WINDOWS) return true;
    if (p->os != PROC_OS_UNKNOWN) return false;
    vstr e = p->exe;
    return e.n > 2 && (e.p[1] == ':' || memchr(e.p, '\\', e.n) != NULL);
}

static struct alert *proc_alert(const char *type, const struct proc_view *v) {
    const struct proc_exec *p = v->p;
    struct alert *a = alert_new(type, v->ev);
    alert_entity(a, v->site);
    alert_entity_str(a, "host", v->site);
    alert_var(a, "site", v->site);
    alert_var(a, "parent", v->n_chain ? v->chain[0] : VSTR("an unknown parent"));
    alert_var(a, "process", p->exe.n ? p->exe : v->name);
    alert_var(a, "command_line", v->cmd.n ? v->cmd : v->name);
    alert_var(a, "user", p->user.n ? p->user : VSTR("an unknown user"));
    if (p->user.n) alert_entity_str(a, "account", p->user);
    alert_entity_str(a, "process", p->exe.n ? p->exe : v->name);
    alert_prop_strs(a, "ancestry", v->chain, v->n_chain);
    if (v->web_at >= 0) alert_prop_str(a, "web_worker", v->chain[v->web_at]);
    if (p->pid >= 0) alert_prop_int(a, "pid", p->pid);
    if (p->ppid >= 0) alert_prop_int(a, "ppid", p->ppid);
    if (p->cwd.n) alert_prop_str(a, "cwd", p->cwd);
    if (p->container_id.n) alert_prop_str(a, "container_id", p->container_id);
    if (p->success >= 0) alert_prop_bool(a, "succeeded", p->success == 1);
    char s[400];
    snprintf(s, sizeof s, "%.*s started %.*s", (int)(v->n_chain ? (v->chain[0].n > 60 ? 60 : v->chain[0].n) : 1),
             v->n_chain ? v->chain[0].p : "?", (int)(v->cmd.n > 300 ? 300 : v->cmd.n), v->cmd.p);
    alert_evidence(a, v->ev, vstr_c(s));
    return a;
}

static void matched(struct alert *a, struct sigset *set, vstr text) {
    int id = sigset_first(set, text.p, text.n);
    if (id >= 0) alert_prop_str(a, "signature", vstr_c(sigset_pattern(set, (unsigned)id)));
    alert_prop_str(a, "signature_list", vstr_c(sigset_name(set)));
}

static void emit_match(struct app_det *d, const char *type, const struct proc_view *v, struct sigset *set, vstr text) {
    struct alert *a = proc_alert(type, v);
    matched(a, set, text);
    alert_emit(d->ctx->alerts, a);
}

static bool is_php(vstr name) {
    return name.n >= 3 && vstr_eq_ci((vstr){ name.p, 3 }, VSTR("php"));
}

static void check_linux_on_windows(struct app_det *d, const struct proc_view *v) {
    if (!v->windows || !sig_hit(d->sig.linux_cmds, v->cmd)) return;
    emit_match(d, "app.process.linux_on_windows", v, d->sig.linux_cmds, v->cmd);
}

/* PHP with code on its command line, or PHP as the direct parent of a
 * shell or network tool: both are how a web shell runs commands. */
static void check_php(struct app_det *d, const struct proc_view *v) {
    if (sig_hit(d->sig.php_allow, v->cmd)) return;
    if (is_php(v->name) && sig_hit(d->sig.php_code, v->cmd)) {
        emit_match(d, "app.process.suspicious_php", v, d->sig.php_code, v->cmd);
        return;
    }
    if (v->n_chain && is_php(v->chain[0]) && sig_hit(d->sig.php_children, v->name)) {
        struct alert *a = proc_alert("app.process.suspicious_php", v);
        matched(a, d->sig.php_children, v->name);
        alert_prop_str(a, "php_parent", v->chain[0]);
        alert_emit(d->ctx->alerts, a);
    }
}

/* A temporary folder's random parts (build ids, hashes) change with every
 * deploy; the shape of the path without them is what a site repeats. */
static size_t path_shape(vstr exe, char *out, size_t cap) {
    size_t o = 0, i = 0;
    while (i < exe.n && o + 2 < cap) {
        size_t j = i;
        while (j < exe.n && exe.p[j] != '/' && exe.p[j] != '\\') j++;
        bool random = false;
        for (size_t k = i; k < j; k++)
            if (exe.p[k] >= '0' && exe.p[k] <= '9') { random = true; break; }
        if (random) out[o++] = '*';
        else
            for (size_t k = i; k < j && o + 2 < cap; k++) {
                char c = exe.p[k];
                out[o++] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
            }
        if (j < exe.n && o + 2 < cap) out[o++] = '/';
        i = j + 1;
    }
    out[o] = '\0';
    return o;
}

static void check_temp(struct app_det *d, const struct proc_view *v, bool learning) {
    vstr exe = v->p->exe;
    if (!sig_hit(d->sig.temp, exe)) return;
    char key[APP_SITE_MAX + 300];
    int n = snprintf(key, sizeof key, "%.*s\x1f", (int)v->site.n, v->site.p);
    size_t m = path_shape(exe, key + n, sizeof key - (size_t)n);
    vstr k = { key, (size_t)n + m };
    if (learning) {
        bool was_new;
        seenset_touch(d->temp_programs, k, v->ev->time_us, &was_new);
        return;
    }
    const struct seen_entry *e = seenset_get(d->temp_programs, k);
    if (e) return;
    struct alert *a = proc_alert("app.process.temp_folder", v);
    matched(a, d->sig.temp, exe);
    alert_prop_str(a, "path_shape", (vstr){ key + n, m });
    alert_emit(d->ctx->alerts, a);
}

static void check_high_privilege(struct app_det *d, const struct proc_view *v) {
    if (!sig_hit(d->sig.high_priv, v->cmd)) return;
    emit_match(d, "app.process.high_privilege", v, d->sig.high_priv, v->cmd);
}

void app_on_process(struct app_det *d, const struct event *ev) {
    const struct proc_exec *p = ev->u.proc;
    if (p->fork) return;                /* the process tree's business: nothing new runs */
    d->processes++;
    struct proc_view v = { .ev = ev, .p = p };
    v.site = p->host.n ? p->host : vstr_basename(vstr_c(ev->pos.input));
    if (v.site.n >= APP_SITE_MAX) v.site.n = APP_SITE_MAX - 1;
    v.name = program_name(p->name, p->exe);
    v.cmd = p->command_line.n ? p->command_line : p->exe;
    v.windows = looks_windows(p);
    bool learning;
    app_profile_start(d, 'h', v.site, ev->time_us, &learning);
    if (v.cmd.n && sig_hit(d->sig.proc_allow, v.cmd)) return;
    build_chain(d, &v);
    bool php_parent = v.n_chain && is_php(v.chain[0]);
    if (d->cfg->appservice.require_web_parent && v.web_at < 0 && !php_parent) {
        d->proc_no_web++;
        /* the temp-folder programs of the host are still learned */
        if (learning) check_temp(d, &v, true);
        return;
    }
    d->proc_judged++;
    check_linux_on_windows(d, &v);
    check_php(d, &v);
    check_temp(d, &v, learning);
    check_high_privilege(d, &v);
}
