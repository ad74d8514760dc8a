/* Container-host analytics (research/detections.md section 8): the host.*
 * alert types, on docker events, docker inspect records and process events
 * (auditd, ECS).
 *
 * Where a process runs comes from the container table
 * (enrich/containers.h): the event's container.id, a runtime process among
 * its ancestors, or descent from a container's first process. What a
 * container may do comes from docker inspect or from the docker run command
 * line that made it. Everything here judges one event against that
 * knowledge, with no windows:
 *
 *   privileged          a run/create asking for privileged mode (or all
 *                       capabilities, the host's pid namespace, an
 *                       unconfined profile, the host's root), or an inspect
 *                       record showing one; once per container
 *   privileged_command  docker exec --privileged; an escape tool or an
 *                       escape path in a container known to be privileged
 *   exposed_daemon      dockerd listening on TCP beyond loopback without
 *                       client certificate verification
 *   ssh_server          an SSH server program in a container
 *   miner_image         a miner image started (events, inspect, run), or a
 *                       miner program or pool argument in a container
 *   k8s_api             kubectl, or an HTTP client with a token toward the
 *                       API server, in a container
 *   k8s_dashboard       an HTTP client toward the dashboard, in a container
 *                       or on the node
 *
 * The same commands arrive twice when both docker events (exec_start) and
 * process events see a docker exec; the alerts share their entity, so the
 * aggregator folds them into one. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "detect/detector.h"
#include "detect/sigset.h"
#include "enrich/containers.h"
#include "enrich/proctree.h"
#include "enrich/runtime_cmd.h"

#define HOST_NAME_MAX_LEN 200
#define CHAIN_LINE_MAX 160
#define EXEC_WORDS 64
#define EXEC_WORD_BYTES 2048
/* A docker exec shows in docker events (exec_start) a few milliseconds
 * before runc starts the command, which process telemetry then sees with
 * its ancestry. The event waits this long for that process, whose alert
 * carries the process chain; only a command no process event showed is
 * judged from the docker event alone. */
#define EXEC_PAIR_WINDOW_US (5 * INT64_C(1000000))
#define MAX_PENDING_EXECS 256
#define PENDING_CMD_MAX 1024
#define PENDING_FIELD 256

/* container_info.flags: what was already said about a container */
enum {
    FLAG_PRIVILEGED = 1u << 0,
    FLAG_MINER = 1u << 1,
};

struct host_sigs {
    struct sigset *escape_programs, *escape_arguments, *ssh, *miner_programs, *http_clients, *kubectl;
    struct sigset *api_targets, *api_credentials, *dashboard;
};

/* A docker exec_start event waiting for its process (EXEC_PAIR_WINDOW_US). */
struct pending_exec {
    bool used;
    int64_t time_us;
    struct source_pos pos;
    char id[PENDING_FIELD], host[PENDING_FIELD], cmd[PENDING_CMD_MAX];
    size_t id_n, host_n, cmd_n;
};

struct host_det {
    const struct vigil_config *cfg;
    struct host_sigs sig;
    struct pending_exec pending[MAX_PENDING_EXECS];
    uint32_t n_pending;                 /* slots in use, for a cheap "none" test */
    uint64_t execs_paired, pending_overflow;
    /* for the summary */
    uint64_t processes, container_processes, exec_events, runtime_cmds, daemons;
    uint64_t escape_unknown_privileges;
};

/* What one command in (or outside) a container looks like to the checks,
 * whether it came from a process event or a docker exec_start event. */
struct cmd_view {
    const struct event *ev;
    vstr host;
    vstr name;                          /* program basename */
    vstr cmd;                           /* whole command line */
    vstr user;
    int64_t pid;
    bool in_container;
    vstr container_id;
    struct container_info *info;        /* NULL: container unknown to the table */
    const struct container_attr *attr;  /* NULL for docker exec events */
    const char *seen_in;                /* "process event", "docker exec event" */
};

/* ---- small helpers -------------------------------------------------------- */

static bool sig_hit(struct sigset *s, vstr text) { return text.n && sigset_first(s, text.p, text.n) >= 0; }

static vstr sig_what(struct sigset *s, vstr text) {
    int id = text.n ? sigset_first(s, text.p, text.n) : -1;
    return id >= 0 ? vstr_c(sigset_pattern(s, (unsigned)id)) : VSTR_NULL;
}

static vstr program_name(vstr name, vstr exe) { return name.n ? name : vstr_basename(exe); }

/* The host as the source names it; empty when it does not (docker events
 * and docker inspect carry no host name, auditd only with name_format). */
static vstr host_of(vstr host) {
    if (host.n > HOST_NAME_MAX_LEN) host.n = HOST_NAME_MAX_LEN;
    return host;
}

/* For descriptions: the host, or which input spoke of an unnamed one. */
static vstr host_text(vstr host, const struct event *ev, char *out, size_t cap) {
    if (host.n) return host;
    vstr in = vstr_basename(vstr_c(ev->pos.input));
    int n = snprintf(out, cap, "the unnamed host of %.*s", (int)(in.n > 200 ? 200 : in.n), in.p);
    return (vstr){ out, (size_t)(n < (int)cap ? n : (int)cap - 1) };
}

static vstr short_id(vstr id) { return (vstr){ id.p, id.n > 12 ? 12 : id.n }; }

/* How a container is called in an alert: its name, else its short id. */
static vstr container_label(const struct container_info *in, vstr id) {
    if (in && in->name.n) return in->name;
    if (in && in->id.n) return short_id(in->id);
    return id.n ? short_id(id) : VSTR("an unidentified container");
}

static vstr image_of(const struct container_info *in) {
    return in && in->image.n ? in->image : VSTR("an unknown image");
}

static bool image_allowed(const struct strlist *l, const struct container_info *in) {
    return in && in->image.n && strlist_match_image(l, in->image.p, in->image.n) != NULL;
}

static bool namespace_trusted(const struct host_det *d, const struct container_info *in) {
    return in && in->pod_namespace.n &&
           strlist_has(&d->cfg->host.api_client_namespaces, in->pod_namespace.p, in->pod_namespace.n);
}

/* "<host>/<container>" (or the container alone when the host is not
 * named): one entity per container, so repeats aggregate. Sets the host
 * var and entity too. */
static void set_entity(struct alert *a, const struct event *ev, vstr host, vstr what) {
    char e[HOST_NAME_MAX_LEN + 260], text[260];
    int n = host.n ? snprintf(e, sizeof e, "%.*s/%.*s", (int)host.n, host.p, (int)(what.n > 250 ? 250 : what.n),
                              what.p)
                   : snprintf(e, sizeof e, "%.*s", (int)(what.n > 250 ? 250 : what.n), what.p);
    alert_entity(a, (vstr){ e, (size_t)(n < (int)sizeof e ? n : (int)sizeof e - 1) });
    if (host.n) alert_entity_str(a, "host", host);
    alert_var(a, "host", host_text(host, ev, text, sizeof text));
}

static void container_props(struct alert *a, const struct container_info *in, vstr id) {
    if (id.n) alert_prop_str(a, "container_id", in && in->id.n > id.n ? in->id : id);
    if (!in) return;
    if (in->name.n) alert_prop_str(a, "container_name", in->name);
    if (in->image.n) alert_prop_str(a, "image", in->image);
    if (in->pod_name.n) alert_prop_str(a, "pod", in->pod_name);
    if (in->pod_namespace.n) alert_prop_str(a, "namespace", in->pod_namespace);
    static const char *const from[] = { "unknown", "docker run command line", "docker inspect" };
    alert_prop_str(a, "privileges_from", vstr_c(from[in->priv_from]));
    if (in->priv_from != CONTAINER_PRIV_UNKNOWN) {
        alert_prop_bool(a, "privileged", in->privileged);
        if (in->cap_add.n) alert_prop_str(a, "cap_add", in->cap_add);
        if (in->pid_host) alert_prop_bool(a, "pid_host", true);
        if (in->net_host) alert_prop_bool(a, "network_host", true);
        if (in->unconfined) alert_prop_bool(a, "unconfined", true);
        if (in->host_mounts.n) alert_prop_str(a, "host_mounts", in->host_mounts);
    }
    if (in->run_command_line.n) alert_prop_str(a, "run_command_line", in->run_command_line);
}

static void container_entities(struct alert *a, const struct container_info *in, vstr id) {
    vstr label = container_label(in, id);
    alert_entity_str(a, "container", label);
    if (in && in->image.n) alert_entity_str(a, "image", in->image);
    if (in && in->pod_name.n) alert_entity_str(a, "pod", in->pod_name);
}

/* The process and its ancestors, each "name (pid N): command line", from
 * the process itself up to the runtime that holds the container. */
static void chain_prop(struct alert *a, const struct cmd_view *v) {
    const struct container_attr *at = v->attr;
    if (!at) return;
    vstr lines[CONTAINERS_MAX_CHAIN + 1];
    char text[CONTAINERS_MAX_CHAIN + 1][CHAIN_LINE_MAX + 40];
    unsigned n = 0;
    int m = snprintf(text[n], sizeof text[n], "%.*s (pid %" PRId64 "): %.*s", (int)v->name.n, v->name.p, v->pid,
                     (int)(v->cmd.n > CHAIN_LINE_MAX ? CHAIN_LINE_MAX : v->cmd.n), v->cmd.p);
    lines[n] = (vstr){ text[n], (size_t)(m < (int)sizeof text[n] ? m : (int)sizeof text[n] - 1) };
    n++;
    unsigned last = at->runtime_at >= 0 ? (unsigned)at->runtime_at + 1 : at->n_chain;
    for (unsigned i = 0; i < last && i < at->n_chain; i++) {
        const struct proc_node *p = at->chain[i];
        vstr nm = program_name(p->name, p->exe), c = p->command_line.n ? p->command_line : p->exe;
        m = snprintf(text[n], sizeof text[n], "%.*s (pid %" PRId64 "): %.*s", (int)(nm.n > 60 ? 60 : nm.n), nm.p,
                     p->pid, (int)(c.n > CHAIN_LINE_MAX ? CHAIN_LINE_MAX : c.n), c.p);
        lines[n] = (vstr){ text[n], (size_t)(m < (int)sizeof text[n] ? m : (int)sizeof text[n] - 1) };
        n++;
    }
    alert_prop_strs(a, "process_chain", lines, n);
    static const char *const how[] = { "none", "container id in the event", "runtime ancestry",
                                       "descends from the container's first process" };
    alert_prop_str(a, "attributed_by", vstr_c(how[at->how]));
}

static void evidence_line(struct alert *a, const struct event *ev, const char *what, vstr text) {
    char s[400];
    int n = snprintf(s, sizeof s, "%s: %.*s", what, (int)(text.n > 300 ? 300 : text.n), text.p);
    alert_evidence(a, ev, (vstr){ s, (size_t)(n < (int)sizeof s ? n : (int)sizeof s - 1) });
}

static bool same_pos(const struct source_pos *a, const struct source_pos *b) {
    return a->input == b->input && a->offset == b->offset && a->item == b->item;
}

/* The records that told us about the container: its first sighting and
 * where its privileges came from (each once, and not the alert's own). */
static void container_evidence(struct alert *a, const struct event *ev, const struct container_info *in) {
    if (!in) return;
    if (in->first_pos.input && !same_pos(&in->first_pos, &ev->pos))
        alert_evidence_at(a, &in->first_pos, VSTR("container first seen"));
    if (in->priv_from != CONTAINER_PRIV_UNKNOWN && in->priv_pos.input && !same_pos(&in->priv_pos, &ev->pos) &&
        !same_pos(&in->priv_pos, &in->first_pos))
        alert_evidence_at(a, &in->priv_pos, in->priv_from == CONTAINER_PRIV_INSPECT
                                                 ? VSTR("docker inspect: the container's privileges")
                                                 : VSTR("docker run: the container's privileges"));
}

/* auditd logs uids: "root (uid 0)", "uid 1000"; names pass through. */
static vstr user_text(vstr user, char *out, size_t cap) {
    if (!user.n) return VSTR("an unknown user");
    for (size_t i = 0; i < user.n; i++)
        if (user.p[i] < '0' || user.p[i] > '9') return user;
    int n = vstr_eqc(user, "0") ? snprintf(out, cap, "root (uid 0)")
                                : snprintf(out, cap, "uid %.*s", (int)(user.n > 20 ? 20 : user.n), user.p);
    return (vstr){ out, (size_t)(n < (int)cap ? n : (int)cap - 1) };
}

/* An alert about a command: the container, the process chain, the user. */
static struct alert *cmd_alert(const char *type, const struct cmd_view *v) {
    struct alert *a = alert_new(type, v->ev);
    vstr label = v->in_container ? container_label(v->info, v->container_id) : VSTR("node");
    set_entity(a, v->ev, v->host, label);
    alert_var(a, "container", label);
    alert_var(a, "image", image_of(v->info));
    alert_var(a, "process", v->name);
    alert_var(a, "command_line", v->cmd.n ? v->cmd : v->name);
    char ut[40];
    alert_var(a, "user", user_text(v->user, ut, sizeof ut));
    if (v->user.n) alert_entity_str(a, "account", v->user);
    alert_entity_str(a, "process", v->name);
    if (v->in_container) {
        container_entities(a, v->info, v->container_id);
        container_props(a, v->info, v->container_id);
    }
    alert_prop_bool(a, "in_container", v->in_container);
    alert_prop_str(a, "seen_in", vstr_c(v->seen_in));
    if (v->pid >= 0) alert_prop_int(a, "pid", v->pid);
    chain_prop(a, v);
    evidence_line(a, v->ev, v->seen_in, v->cmd.n ? v->cmd : v->name);
    if (v->in_container) container_evidence(a, v->ev, v->info);
    return a;
}

static void prop_signature(struct alert *a, const char *key, struct sigset *s, vstr text) {
    vstr what = sig_what(s, text);
    if (what.n) alert_prop_str(a, key, what);
}

/* ---- container-level alerts: privileged, miner image ----------------------- */

/* What makes a container privileged beyond --privileged itself: each gives
 * the container most of what privileged mode does. */
static bool caps_elevated(vstr caps) {
    return vstr_contains_ci(caps, VSTR("ALL")) || vstr_contains_ci(caps, VSTR("SYS_ADMIN")) ||
           vstr_contains_ci(caps, VSTR("SYS_MODULE")) || vstr_contains_ci(caps, VSTR("SYS_PTRACE")) ||
           vstr_contains_ci(caps, VSTR("SYS_RAWIO")) || vstr_contains_ci(caps, VSTR("DAC_READ_SEARCH"));
}

static bool mounts_host_root(vstr mounts) {
    /* "/:/host" as the first or a later comma-separated bind */
    for (size_t i = 0; i + 1 < mounts.n; i++)
        if (mounts.p[i] == '/' && mounts.p[i + 1] == ':' && (i == 0 || mounts.p[i - 1] == ',')) return true;
    return false;
}

/* Why the container counts as privileged, written into why; false when it
 * does not. */
static bool privileged_reason(bool privileged, vstr caps, bool pid_host, bool unconfined, vstr mounts,
                              char *why, size_t cap) {
    size_t n = 0;
    why[0] = '\0';
#define WHY(cond, text)                                                                  \
    if (cond) n += (size_t)snprintf(why + n, n < cap ? cap - n : 0, "%s%s", n ? ", " : "", text); \
    if (n >= cap) n = cap - 1
    WHY(privileged, "privileged mode");
    WHY(caps_elevated(caps), "added capabilities");
    WHY(pid_host, "the host's process namespace");
    WHY(unconfined, "no AppArmor/seccomp/SELinux confinement");
    WHY(mounts_host_root(mounts), "the host's root file system mounted");
#undef WHY
    return n > 0;
}

static bool info_elevated(const struct container_info *in, char *why, size_t cap) {
    return in && in->priv_from != CONTAINER_PRIV_UNKNOWN &&
           privileged_reason(in->privileged, in->cap_add, in->pid_host, in->unconfined, in->host_mounts, why, cap);
}

static void judge_container_privileges(struct host_det *d, struct detect_ctx *ctx, const struct event *ev,
                                       struct container_info *in) {
    char why[200];
    if ((in->flags & FLAG_PRIVILEGED) || !info_elevated(in, why, sizeof why)) return;
    if (image_allowed(&d->cfg->k8s.privileged_image_allowlist, in)) return;
    in->flags |= FLAG_PRIVILEGED;
    struct alert *a = alert_new("host.container.privileged", ev);
    vstr host = host_of(in->host), label = container_label(in, in->id);
    set_entity(a, ev, host, label);
    alert_var(a, "user", VSTR("an unknown user"));
    alert_var(a, "container", label);
    alert_var(a, "image", image_of(in));
    alert_var(a, "command_line", in->run_command_line.n ? in->run_command_line
                                 : in->command.n      ? in->command
                                                      : VSTR("not known"));
    alert_var(a, "privileges", vstr_c(why));
    container_entities(a, in, in->id);
    container_props(a, in, in->id);
    evidence_line(a, ev, "container", label);
    container_evidence(a, ev, in);
    alert_emit(ctx->alerts, a);
}

static bool miner_image(const struct host_det *d, vstr image, vstr name, const char **hit) {
    const struct strlist *tokens = &d->cfg->k8s.miner_image_tokens;
    *hit = image.n ? strlist_match_word(tokens, image.p, image.n) : NULL;
    if (!*hit && name.n) *hit = strlist_match_word(tokens, name.p, name.n);
    return *hit != NULL;
}

static void judge_container_image(struct host_det *d, struct detect_ctx *ctx, const struct event *ev,
                                  struct container_info *in) {
    const char *hit;
    if ((in->flags & FLAG_MINER) || !miner_image(d, in->image, in->name, &hit)) return;
    in->flags |= FLAG_MINER;
    struct alert *a = alert_new("host.container.miner_image", ev);
    vstr host = host_of(in->host), label = container_label(in, in->id);
    set_entity(a, ev, host, label);
    alert_var(a, "container", label);
    alert_var(a, "image", image_of(in));
    alert_var(a, "indicator", vstr_c(hit));
    alert_var(a, "matched_in", VSTR("its image or name"));
    alert_prop_str(a, "indicator_list", VSTR("detectors.k8s.miner_image_tokens"));
    container_entities(a, in, in->id);
    container_props(a, in, in->id);
    evidence_line(a, ev, "container", label);
    container_evidence(a, ev, in);
    alert_emit(ctx->alerts, a);
}

/* ---- docker run / create / exec and dockerd command lines ------------------- */

static void on_run_command(struct host_det *d, struct detect_ctx *ctx, const struct event *ev,
                           const struct runtime_cmd *rc, vstr host) {
    const struct proc_exec *p = ev->u.proc;
    struct container_intent *intent = containers_intent_of(ctx->containers, ev);
    vstr label = rc->name.n ? rc->name : rc->image;
    char mounts[CONTAINERS_MAX_FIELD], caps[CONTAINERS_MAX_FIELD], why[200];
    size_t mn = 0, cn = 0;
    for (uint32_t i = 0; i < rc->n_mounts && mn + 2 < sizeof mounts; i++)
        mn += (size_t)snprintf(mounts + mn, sizeof mounts - mn, "%s%.*s:%.*s", mn ? "," : "",
                               (int)rc->mounts[i].source.n, rc->mounts[i].source.p,
                               (int)rc->mounts[i].destination.n, rc->mounts[i].destination.p);
    if (mn >= sizeof mounts) mn = sizeof mounts - 1;
    if (rc->cap_add_all) cn = (size_t)snprintf(caps, sizeof caps, "ALL");
    for (uint32_t i = 0; i < rc->n_cap_add && cn + 2 < sizeof caps; i++)
        cn += (size_t)snprintf(caps + cn, sizeof caps - cn, "%s%.*s", cn ? "," : "", (int)rc->cap_add[i].n,
                               rc->cap_add[i].p);
    if (cn >= sizeof caps) cn = sizeof caps - 1;
    bool allowed = strlist_match_image(&d->cfg->k8s.privileged_image_allowlist, rc->image.p, rc->image.n) != NULL;
    if (!allowed && privileged_reason(rc->privileged, (vstr){ caps, cn }, rc->pid_host, rc->unconfined,
                                      (vstr){ mounts, mn }, why, sizeof why)) {
        struct alert *a = alert_new("host.container.privileged", ev);
        set_entity(a, ev, host, label);
        char ut[40];
        alert_var(a, "user", user_text(p->user, ut, sizeof ut));
        alert_var(a, "container", label);
        alert_var(a, "image", rc->image);
        alert_var(a, "command_line", p->command_line);
        alert_var(a, "privileges", vstr_c(why));
        if (p->user.n) alert_entity_str(a, "account", p->user);
        alert_entity_str(a, "image", rc->image);
        alert_prop_str(a, "tool", rc->tool);
        alert_prop_bool(a, "privileged", rc->privileged);
        if (cn) alert_prop_str(a, "cap_add", (vstr){ caps, cn });
        if (rc->pid_host) alert_prop_bool(a, "pid_host", true);
        if (rc->unconfined) alert_prop_bool(a, "unconfined", true);
        if (mn) alert_prop_str(a, "host_mounts", (vstr){ mounts, mn });
        alert_prop_str(a, "privileges_from", VSTR("docker run command line"));
        evidence_line(a, ev, "process event", p->command_line);
        alert_emit(ctx->alerts, a);
        if (intent) intent->flags |= FLAG_PRIVILEGED;
    }
    const char *hit;
    vstr indicator = VSTR_NULL, matched_in = VSTR("its image or name");
    if (miner_image(d, rc->image, rc->name, &hit)) indicator = vstr_c(hit);
    else if (rc->cmd_at < p->argc) {
        const char *ind = strlist_match_substring(&d->cfg->k8s.miner_command_indicators, p->command_line.p,
                                                  p->command_line.n);
        if (ind) indicator = vstr_c(ind);
        matched_in = VSTR("the command it was started with");
    }
    if (indicator.n) {
        struct alert *a = alert_new("host.container.miner_image", ev);
        set_entity(a, ev, host, label);
        alert_var(a, "container", label);
        alert_var(a, "image", rc->image);
        alert_var(a, "indicator", indicator);
        alert_var(a, "matched_in", matched_in);
        alert_entity_str(a, "image", rc->image);
        if (p->user.n) alert_entity_str(a, "account", p->user);
        alert_prop_str(a, "run_command_line", p->command_line);
        evidence_line(a, ev, "process event", p->command_line);
        alert_emit(ctx->alerts, a);
        if (intent) intent->flags |= FLAG_MINER;
    }
}

static void on_exec_command(struct host_det *d, struct detect_ctx *ctx, const struct event *ev,
                            const struct runtime_cmd *rc, vstr host) {
    (void)d;
    if (!rc->privileged) return;
    const struct proc_exec *p = ev->u.proc;
    struct container_info *in = containers_find(ctx->containers, p->host, rc->target);
    struct alert *a = alert_new("host.container.privileged_command", ev);
    vstr label = in ? container_label(in, in->id) : rc->target;
    set_entity(a, ev, host, label);
    char ut[40];
    alert_var(a, "user", user_text(p->user, ut, sizeof ut));
    alert_var(a, "command_line", p->command_line);
    alert_var(a, "container", label);
    alert_var(a, "image", image_of(in));
    alert_var(a, "reason", VSTR("docker exec --privileged gives the command every capability of the host"));
    if (p->user.n) alert_entity_str(a, "account", p->user);
    container_entities(a, in, in ? in->id : VSTR_NULL);
    container_props(a, in, in ? in->id : VSTR_NULL);
    alert_prop_str(a, "tool", rc->tool);
    evidence_line(a, ev, "process event", p->command_line);
    container_evidence(a, ev, in);
    alert_emit(ctx->alerts, a);
}

static void on_dockerd(struct host_det *d, struct detect_ctx *ctx, const struct event *ev,
                       const struct dockerd_cmd *dc, vstr host) {
    d->daemons++;
    if (dc->tlsverify) return;
    const struct proc_exec *p = ev->u.proc;
    vstr exposed[DOCKERD_MAX_HOSTS];
    uint32_t n = 0;
    bool plain_2375 = false;
    for (uint32_t i = 0; i < dc->n_hosts; i++) {
        const struct dockerd_host *h = &dc->hosts[i];
        if (!h->tcp || h->loopback) continue;
        exposed[n++] = h->spec;
        if (h->port == 2375) plain_2375 = true;
    }
    if (!n) return;
    struct alert *a = alert_new("host.docker.exposed_daemon", ev);
    set_entity(a, ev, host, VSTR("dockerd"));
    alert_var(a, "listen", exposed[0]);
    alert_var(a, "tls", dc->tls ? VSTR("TLS without client certificate verification") : VSTR("no TLS at all"));
    alert_var(a, "seen_in", VSTR("the dockerd command line"));
    alert_prop_strs(a, "tcp_hosts", exposed, n);
    alert_prop_bool(a, "tls", dc->tls);
    alert_prop_bool(a, "tlsverify", false);
    alert_prop_bool(a, "plain_port_2375", plain_2375);
    alert_prop_str(a, "command_line", p->command_line);
    if (p->pid >= 0) alert_prop_int(a, "pid", p->pid);
    evidence_line(a, ev, "process event", p->command_line);
    alert_emit(ctx->alerts, a);
}

/* ---- commands: in a container, or on the node ---------------------------- */

static void check_escape(struct host_det *d, struct detect_ctx *ctx, const struct cmd_view *v) {
    bool by_program = sig_hit(d->sig.escape_programs, v->name);
    bool by_argument = !by_program && sig_hit(d->sig.escape_arguments, v->cmd);
    if (!by_program && !by_argument) return;
    char why[200];
    if (!info_elevated(v->info, why, sizeof why)) {
        if (!v->info || v->info->priv_from == CONTAINER_PRIV_UNKNOWN) d->escape_unknown_privileges++;
        return;
    }
    if (image_allowed(&d->cfg->host.escape_image_allowlist, v->info)) return;
    struct alert *a = cmd_alert("host.container.privileged_command", v);
    char reason[300];
    snprintf(reason, sizeof reason, "the container runs with %s", why);
    alert_var(a, "reason", vstr_c(reason));
    if (by_program) prop_signature(a, "signature", d->sig.escape_programs, v->name);
    else prop_signature(a, "signature", d->sig.escape_arguments, v->cmd);
    alert_prop_str(a, "signature_list", by_program ? VSTR("detectors.host.escape_programs")
                                                   : VSTR("detectors.host.escape_arguments"));
    alert_emit(ctx->alerts, a);
}

static void check_ssh(struct host_det *d, struct detect_ctx *ctx, const struct cmd_view *v) {
    if (!sig_hit(d->sig.ssh, v->name)) return;
    if (image_allowed(&d->cfg->host.ssh_server_image_allowlist, v->info)) return;
    struct alert *a = cmd_alert("host.container.ssh_server", v);
    prop_signature(a, "signature", d->sig.ssh, v->name);
    alert_emit(ctx->alerts, a);
}

static void check_miner(struct host_det *d, struct detect_ctx *ctx, const struct cmd_view *v) {
    vstr indicator = sig_what(d->sig.miner_programs, v->name);
    const char *list = "detectors.host.miner_programs";
    bool by_program = indicator.n > 0;
    if (!by_program) {
        const char *ind =
            strlist_match_substring(&d->cfg->k8s.miner_command_indicators, v->cmd.p, v->cmd.n);
        if (!ind) return;
        indicator = vstr_c(ind);
        list = "detectors.k8s.miner_command_indicators";
    }
    struct alert *a = cmd_alert("host.container.miner_image", v);
    alert_var(a, "indicator", indicator);
    char where[300];
    snprintf(where, sizeof where, "the %s it runs (%.*s)", by_program ? "program" : "arguments",
             (int)(v->cmd.n > 200 ? 200 : v->cmd.n), v->cmd.p);
    alert_var(a, "matched_in", vstr_c(where));
    alert_prop_str(a, "indicator_list", vstr_c(list));
    alert_emit(ctx->alerts, a);
}

/* The URL, host or variable a request names: the first word that matched
 * one of the set's patterns, else the pattern itself. */
static vstr request_target(struct sigset *s, vstr cmd, char *out, size_t cap) {
    for (size_t i = 0; i < cmd.n;) {
        while (i < cmd.n && (cmd.p[i] == ' ' || cmd.p[i] == '\'' || cmd.p[i] == '"')) i++;
        size_t j = i;
        while (j < cmd.n && cmd.p[j] != ' ' && cmd.p[j] != '\'' && cmd.p[j] != '"') j++;
        vstr w = { cmd.p + i, j - i };
        if (w.n && sig_hit(s, w)) {
            size_t n = w.n < cap - 1 ? w.n : cap - 1;
            memcpy(out, w.p, n);
            out[n] = '\0';
            return (vstr){ out, n };
        }
        i = j;
    }
    return sig_what(s, cmd);
}

/* True when the dashboard was addressed (the API check is then skipped:
 * the dashboard's own /api/v1 paths would look like API requests). */
static bool check_dashboard(struct host_det *d, struct detect_ctx *ctx, const struct cmd_view *v) {
    if (!sig_hit(d->sig.http_clients, v->name) || !sig_hit(d->sig.dashboard, v->cmd)) return false;
    if (image_allowed(&d->cfg->host.dashboard_image_allowlist, v->info) || namespace_trusted(d, v->info))
        return true;
    char target[300];
    struct alert *a = cmd_alert("host.k8s_dashboard.suspicious_request", v);
    alert_var(a, "target", request_target(d->sig.dashboard, v->cmd, target, sizeof target));
    prop_signature(a, "signature", d->sig.dashboard, v->cmd);
    alert_emit(ctx->alerts, a);
    return true;
}

static void check_api(struct host_det *d, struct detect_ctx *ctx, const struct cmd_view *v) {
    bool kubectl = sig_hit(d->sig.kubectl, v->name);
    bool by_hand = !kubectl && sig_hit(d->sig.http_clients, v->name) && sig_hit(d->sig.api_targets, v->cmd) &&
                   sig_hit(d->sig.api_credentials, v->cmd);
    if (!kubectl && !by_hand) return;
    if (image_allowed(&d->cfg->host.api_client_image_allowlist, v->info) || namespace_trusted(d, v->info)) return;
    char target[300];
    vstr t = request_target(d->sig.api_targets, v->cmd, target, sizeof target);
    if (kubectl && !t.n) t = VSTR("the API server of its kubeconfig or service account");
    struct alert *a = cmd_alert("host.k8s_api.suspicious_request", v);
    alert_var(a, "target", t);
    alert_prop_str(a, "client", kubectl ? VSTR("kubernetes client") : VSTR("HTTP client with a token"));
    if (by_hand) prop_signature(a, "credential", d->sig.api_credentials, v->cmd);
    alert_emit(ctx->alerts, a);
}

static void judge_command(struct host_det *d, struct detect_ctx *ctx, const struct cmd_view *v) {
    if (!v->in_container) {
        check_dashboard(d, ctx, v);
        return;
    }
    d->container_processes++;
    check_escape(d, ctx, v);
    check_ssh(d, ctx, v);
    check_miner(d, ctx, v);
    if (!check_dashboard(d, ctx, v)) check_api(d, ctx, v);
}

/* ---- events ------------------------------------------------------------------ */

/* docker events' exec_start carries the command of a docker exec: judged
 * like a process in that container, without a process chain. */
static void judge_exec_event(struct host_det *d, struct detect_ctx *ctx, const struct event *ev) {
    const struct container_event *ce = ev->u.container;
    struct container_info *in = containers_find(ctx->containers, ce->host, ce->id);
    char buf[EXEC_WORD_BYTES];
    vstr words[EXEC_WORDS];
    uint32_t n = runtime_split_words(ce->exec_command, buf, sizeof buf, words, EXEC_WORDS);
    if (!n) return;
    struct cmd_view v = { .ev = ev, .pid = -1, .seen_in = "docker exec event", .in_container = true };
    v.name = vstr_basename(words[0]);
    v.cmd = ce->exec_command;
    v.container_id = ce->id;
    v.info = in;
    v.host = host_of(ce->host.n ? ce->host : in ? in->host : VSTR_NULL);
    judge_command(d, ctx, &v);
}

static void judge_pending(struct host_det *d, struct detect_ctx *ctx, struct pending_exec *pe) {
    struct container_event ce = { .type = VSTR("container"), .action = VSTR("exec_start"), .privileged = -1,
                                  .exit_code = -1, .pid = -1 };
    ce.id = (vstr){ pe->id, pe->id_n };
    ce.host = (vstr){ pe->host, pe->host_n };
    ce.exec_command = (vstr){ pe->cmd, pe->cmd_n };
    struct event ev = { .time_us = pe->time_us, .layer = LAYER_HOST, .kind = EV_CONTAINER, .pos = pe->pos };
    ev.u.container = &ce;
    pe->used = false;
    d->n_pending--;
    judge_exec_event(d, ctx, &ev);
}

static void flush_pending(struct host_det *d, struct detect_ctx *ctx, int64_t before_us) {
    for (uint32_t i = 0; d->n_pending && i < MAX_PENDING_EXECS; i++)
        if (d->pending[i].used && d->pending[i].time_us < before_us) judge_pending(d, ctx, &d->pending[i]);
}

/* The caller checked that s fits. */
static size_t copy_bytes(char *dst, vstr s) {
    if (s.n) memcpy(dst, s.p, s.n);
    return s.n;
}

static void hold_exec_event(struct host_det *d, struct detect_ctx *ctx, const struct event *ev) {
    const struct container_event *ce = ev->u.container;
    d->exec_events++;
    if (ce->id.n > PENDING_FIELD || ce->host.n > PENDING_FIELD || ce->exec_command.n > PENDING_CMD_MAX) {
        judge_exec_event(d, ctx, ev);   /* too big to hold: judge it now */
        return;
    }
    struct pending_exec *slot = NULL;
    for (uint32_t i = 0; i < MAX_PENDING_EXECS && !slot; i++)
        if (!d->pending[i].used) slot = &d->pending[i];
    if (!slot) {
        d->pending_overflow++;
        judge_exec_event(d, ctx, ev);
        return;
    }
    slot->used = true;
    d->n_pending++;
    slot->time_us = ev->time_us;
    slot->pos = ev->pos;
    slot->id_n = copy_bytes(slot->id, ce->id);
    slot->host_n = copy_bytes(slot->host, ce->host);
    slot->cmd_n = copy_bytes(slot->cmd, ce->exec_command);
}

/* The process a held docker exec event announced: the event is dropped,
 * the process (with its chain) is judged instead. */
static void pair_with_pending(struct host_det *d, const struct cmd_view *v, const struct event *ev) {
    if (!d->n_pending || !v->container_id.n) return;
    for (uint32_t i = 0; i < MAX_PENDING_EXECS; i++) {
        struct pending_exec *pe = &d->pending[i];
        if (!pe->used || ev->time_us - pe->time_us > EXEC_PAIR_WINDOW_US) continue;
        vstr id = { pe->id, pe->id_n };
        size_t k = id.n < v->container_id.n ? id.n : v->container_id.n;
        if (k < 12 || memcmp(id.p, v->container_id.p, k) != 0) continue;
        if (!vstr_eq((vstr){ pe->cmd, pe->cmd_n }, v->cmd)) continue;
        pe->used = false;
        d->n_pending--;
        d->execs_paired++;
        return;
    }
}

static void on_process(struct host_det *d, struct detect_ctx *ctx, const struct event *ev) {
    const struct proc_exec *p = ev->u.proc;
    if (p->fork) return;                /* nothing new runs */
    d->processes++;
    struct cmd_view v = { .ev = ev, .pid = p->pid, .user = p->user, .seen_in = "process event" };
    v.name = program_name(p->name, p->exe);
    v.cmd = p->command_line.n ? p->command_line : p->exe;
    struct container_attr attr;
    v.in_container = containers_attribute(ctx->containers, ctx->procs, p, &attr);
    v.attr = &attr;
    v.container_id = attr.id;
    v.info = attr.info;
    v.host = host_of(p->host.n ? p->host : v.info ? v.info->host : VSTR_NULL);
    if (!v.in_container) {
        struct runtime_cmd rc;
        struct dockerd_cmd dc;
        if (runtime_cmd_parse(p->argv, p->argc, &rc)) {
            d->runtime_cmds++;
            if (rc.verb == RUNTIME_VERB_EXEC) on_exec_command(d, ctx, ev, &rc, v.host);
            else if (rc.image.n) on_run_command(d, ctx, ev, &rc, v.host);
            return;
        }
        if (dockerd_cmd_parse(p->argv, p->argc, &dc)) {
            on_dockerd(d, ctx, ev, &dc, v.host);
            return;
        }
    }
    if (v.in_container) pair_with_pending(d, &v, ev);
    judge_command(d, ctx, &v);
}

static void on_container(struct host_det *d, struct detect_ctx *ctx, const struct event *ev) {
    const struct container_event *ce = ev->u.container;
    if (!vstr_eqc(ce->type, "container")) return;
    struct container_info *in = containers_find(ctx->containers, ce->host, ce->id);
    if (!in) return;                    /* not a container id the table accepts */
    if (vstr_eqc(ce->action, "exec_start")) {
        hold_exec_event(d, ctx, ev);
        return;
    }
    bool starts = vstr_eqc(ce->action, "create") || vstr_eqc(ce->action, "start") ||
                  ce->source == CONTAINER_SRC_INSPECT;
    if (!starts) return;
    judge_container_image(d, ctx, ev, in);
    judge_container_privileges(d, ctx, ev, in);
    if (ce->source == CONTAINER_SRC_INSPECT && ce->n_cmd) {
        /* an inspect record shows the command the container runs */
        struct cmd_view v = { .ev = ev, .pid = ce->pid, .seen_in = "docker inspect", .in_container = true };
        v.name = vstr_basename(ce->cmd[0]);
        v.cmd = in->command;
        v.container_id = in->id;
        v.info = in;
        v.host = host_of(in->host);
        check_ssh(d, ctx, &v);
    }
}

static void host_on_tick(void *self, int64_t watermark_us, struct detect_ctx *ctx) {
    struct host_det *d = self;
    if (d->n_pending) flush_pending(d, ctx, watermark_us - EXEC_PAIR_WINDOW_US);
}

static void host_on_end(void *self, struct detect_ctx *ctx) {
    struct host_det *d = self;
    flush_pending(d, ctx, INT64_MAX);
}

static void host_on_event(void *self, const struct event *ev, struct detect_ctx *ctx) {
    struct host_det *d = self;
    if (ev->kind == EV_PROC_EXEC) on_process(d, ctx, ev);
    else if (ev->kind == EV_CONTAINER) on_container(d, ctx, ev);
}

/* ---- life cycle ---------------------------------------------------------------- */

static void free_sigs(struct host_sigs *s) {
    struct sigset **all[] = { &s->escape_programs, &s->escape_arguments, &s->ssh, &s->miner_programs,
                              &s->http_clients, &s->kubectl, &s->api_targets, &s->api_credentials,
                              &s->dashboard };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        sigset_free(*all[i]);
        *all[i] = NULL;
    }
}

static bool compile_sigs(struct host_sigs *s, const struct host_config *h) {
    struct { struct sigset **set; const char *name; const struct strlist *list; } lists[] = {
        { &s->escape_programs, "detectors.host.escape_programs", &h->escape_programs },
        { &s->escape_arguments, "detectors.host.escape_arguments", &h->escape_arguments },
        { &s->ssh, "detectors.host.ssh_server_programs", &h->ssh_server_programs },
        { &s->miner_programs, "detectors.host.miner_programs", &h->miner_programs },
        { &s->http_clients, "detectors.host.http_clients", &h->http_clients },
        { &s->kubectl, "detectors.host.kubectl_programs", &h->kubectl_programs },
        { &s->api_targets, "detectors.host.api_targets", &h->api_targets },
        { &s->api_credentials, "detectors.host.api_credentials", &h->api_credentials },
        { &s->dashboard, "detectors.host.dashboard_targets", &h->dashboard_targets },
    };
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        char err[512];
        *lists[i].set = sigset_from_list(lists[i].name, lists[i].list, err, sizeof err);
        if (!*lists[i].set) {
            fprintf(stderr, "vigil: %s\n", err);
            return false;
        }
    }
    return true;
}

static void *host_create(const struct vigil_config *cfg) {
    struct host_det *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->cfg = cfg;
    if (!compile_sigs(&d->sig, &cfg->host)) {
        free_sigs(&d->sig);
        free(d);
        return NULL;
    }
    return d;
}

static void host_destroy(void *self) {
    struct host_det *d = self;
    if (!d) return;
    free_sigs(&d->sig);
    free(d);
}

static void host_report(void *self, buf *out) {
    struct host_det *d = self;
    if (!d->processes && !d->exec_events) return;
    buf_printf(out, "  host: %" PRIu64 " process starts judged, %" PRIu64 " in containers; %" PRIu64
                    " docker exec events (%" PRIu64 " matched by their process event); %" PRIu64
                    " container CLI commands, %" PRIu64 " dockerd starts\n",
               d->processes, d->container_processes, d->exec_events, d->execs_paired, d->runtime_cmds,
               d->daemons);
    if (d->processes && !d->container_processes)
        buf_puts(out, "  host: no process was attributed to a container. Container alerts need the "
                      "runtime's processes (containerd-shim, runc, conmon) in the process events, or "
                      "container.id in them (docs/HOST.md)\n");
    if (d->escape_unknown_privileges)
        buf_printf(out, "  host: %" PRIu64 " escape-capable commands ran in containers whose privileges are "
                        "unknown (no docker inspect record or docker run command line for them): "
                        "host.container.privileged_command could not judge them\n",
                   d->escape_unknown_privileges);
}

const struct detector host_detector = {
    .name = "host",
    .layers = LAYER_HOST,
    .create = host_create,
    .destroy = host_destroy,
    .on_event = host_on_event,
    .on_tick = host_on_tick,
    .on_end = host_on_end,
    .report = host_report,
};
