/* Container runtime command lines (runtime_cmd.h): docker, podman, nerdctl
 * and ctr run/create/exec, and dockerd's listening sockets.
 *
 * One option scanner serves every CLI. docker, podman and nerdctl use
 * cobra/pflag: `--opt value`, `--opt=value`, short clusters (`-dit`,
 * `-p8080:80`), interspersed parsing switched off for run/exec so the first
 * positional ends the options. ctr uses urfave/cli over Go's flag package:
 * `-opt` and `--opt` are the same flag and there are no clusters. Either
 * way an option takes a value unless it is a known boolean, which is why
 * the boolean tables below matter: a missing boolean would swallow the
 * image as its value. */
#include "enrich/runtime_cmd.h"

#include <string.h>

#include "util/ip.h"

/* ---- option tables ---------------------------------------------------------- */

/* What an option means here. OPT_OTHER: known only so that a boolean does
 * not swallow the next argument; an option in no table takes a value. */
enum opt_id {
    OPT_OTHER = 0, OPT_PRIVILEGED, OPT_NET_HOST, OPT_CAP_ADD, OPT_PID, OPT_NETWORK, OPT_IPC, OPT_UTS,
    OPT_USERNS, OPT_SECURITY_OPT, OPT_VOLUME, OPT_MOUNT, OPT_WITH_NS, OPT_DEVICE, OPT_NAME, OPT_USER,
    OPT_LATEST, OPT_HOST, OPT_TLS, OPT_TLSVERIFY, OPT_DAEMON,
};

struct optdef {
    char short_name;                    /* 0: none */
    bool no_value;                      /* a boolean: =value only inline */
    uint8_t id;                         /* enum opt_id */
    vstr long_name;                     /* without dashes; empty: none */
};

#define FLAG(s, l, id) { s, true, id, VSTR(l) }
#define VALUE(s, l, id) { s, false, id, VSTR(l) }

struct optset {
    const struct optdef *defs;
    size_t n;
    bool go_flags;                      /* Go flag rules: -name == --name, no clusters */
};

#define OPTSET(defs, go) { defs, sizeof defs / sizeof *defs, go }

/* Global options that take no value, union of docker (-D/--debug, --tls,
 * --tlsverify, -v/--version, -h/--help, the old engine's -d/--daemon),
 * podman (-r/--remote, --syslog, --noout, --transient-store, --trace) and
 * nerdctl (--debug-full, --insecure-registry, --experimental,
 * --kube-hide-dupe). A union is safe: each CLI refuses an option it does
 * not know, so only command lines that never ran could read differently. */
static const struct optdef global_defs[] = {
    FLAG('D', "debug", OPT_OTHER), FLAG(0, "tls", OPT_OTHER), FLAG(0, "tlsverify", OPT_OTHER),
    FLAG('v', "version", OPT_OTHER), FLAG('h', "help", OPT_OTHER), FLAG('d', "daemon", OPT_DAEMON),
    FLAG('r', "remote", OPT_OTHER), FLAG(0, "syslog", OPT_OTHER), FLAG(0, "noout", OPT_OTHER),
    FLAG(0, "transient-store", OPT_OTHER), FLAG(0, "trace", OPT_OTHER), FLAG(0, "debug-full", OPT_OTHER),
    FLAG(0, "insecure-registry", OPT_OTHER), FLAG(0, "experimental", OPT_OTHER),
    FLAG(0, "kube-hide-dupe", OPT_OTHER),
};
static const struct optset global_opts = OPTSET(global_defs, false);

/* run/create: the options that matter, then the booleans of docker, podman
 * (--replace, --rmi, --tls-verify, --env-host, --http-proxy, --no-hosts,
 * --passwd, --read-only-tmpfs, --rootfs, --unsetenv-all) and nerdctl
 * (--insecure-registry, --rootfs). */
static const struct optdef run_defs[] = {
    FLAG(0, "privileged", OPT_PRIVILEGED), VALUE(0, "cap-add", OPT_CAP_ADD), VALUE(0, "pid", OPT_PID),
    VALUE(0, "network", OPT_NETWORK), VALUE(0, "net", OPT_NETWORK), VALUE(0, "ipc", OPT_IPC),
    VALUE(0, "uts", OPT_UTS), VALUE(0, "userns", OPT_USERNS), VALUE(0, "security-opt", OPT_SECURITY_OPT),
    VALUE('v', "volume", OPT_VOLUME), VALUE(0, "mount", OPT_MOUNT), VALUE(0, "device", OPT_DEVICE),
    VALUE(0, "name", OPT_NAME), VALUE('u', "user", OPT_USER),
    FLAG('d', "detach", OPT_OTHER), FLAG('i', "interactive", OPT_OTHER), FLAG('t', "tty", OPT_OTHER),
    FLAG(0, "rm", OPT_OTHER), FLAG(0, "init", OPT_OTHER), FLAG('P', "publish-all", OPT_OTHER),
    FLAG(0, "read-only", OPT_OTHER), FLAG(0, "no-healthcheck", OPT_OTHER),
    FLAG(0, "oom-kill-disable", OPT_OTHER), FLAG(0, "disable-content-trust", OPT_OTHER),
    FLAG('q', "quiet", OPT_OTHER), FLAG(0, "help", OPT_OTHER), FLAG(0, "sig-proxy", OPT_OTHER),
    FLAG(0, "use-api-socket", OPT_OTHER), FLAG(0, "replace", OPT_OTHER), FLAG(0, "rmi", OPT_OTHER),
    FLAG(0, "tls-verify", OPT_OTHER), FLAG(0, "env-host", OPT_OTHER), FLAG(0, "http-proxy", OPT_OTHER),
    FLAG(0, "no-hosts", OPT_OTHER), FLAG(0, "passwd", OPT_OTHER), FLAG(0, "read-only-tmpfs", OPT_OTHER),
    FLAG(0, "rootfs", OPT_OTHER), FLAG(0, "unsetenv-all", OPT_OTHER), FLAG(0, "insecure-registry", OPT_OTHER),
};
static const struct optset run_opts = OPTSET(run_defs, false);

/* exec; podman's -l/--latest picks the newest container instead of naming one. */
static const struct optdef exec_defs[] = {
    FLAG(0, "privileged", OPT_PRIVILEGED), VALUE('u', "user", OPT_USER), FLAG('l', "latest", OPT_LATEST),
    FLAG('d', "detach", OPT_OTHER), FLAG('i', "interactive", OPT_OTHER), FLAG('t', "tty", OPT_OTHER),
    FLAG(0, "help", OPT_OTHER),
};
static const struct optset exec_opts = OPTSET(exec_defs, false);

/* ctr (urfave/cli): global, run/create (--net-host and --with-ns are its
 * host namespaces) and task exec. */
static const struct optdef ctr_global_defs[] = {
    FLAG(0, "debug", OPT_OTHER), FLAG('h', "help", OPT_OTHER), FLAG('v', "version", OPT_OTHER),
};
static const struct optset ctr_global_opts = OPTSET(ctr_global_defs, true);
static const struct optdef ctr_run_defs[] = {
    FLAG(0, "privileged", OPT_PRIVILEGED), FLAG(0, "net-host", OPT_NET_HOST), VALUE(0, "with-ns", OPT_WITH_NS),
    VALUE(0, "mount", OPT_MOUNT), VALUE(0, "cap-add", OPT_CAP_ADD), VALUE(0, "device", OPT_DEVICE),
    VALUE('u', "user", OPT_USER),
    FLAG(0, "rm", OPT_OTHER), FLAG(0, "null-io", OPT_OTHER), FLAG('d', "detach", OPT_OTHER),
    FLAG('t', "tty", OPT_OTHER), FLAG(0, "privileged-without-host-devices", OPT_OTHER),
    FLAG(0, "read-only", OPT_OTHER), FLAG(0, "rootfs", OPT_OTHER), FLAG(0, "no-pivot", OPT_OTHER),
    FLAG(0, "cni", OPT_OTHER), FLAG(0, "allow-new-privs", OPT_OTHER), FLAG(0, "seccomp", OPT_OTHER),
    FLAG(0, "remap-labels", OPT_OTHER), FLAG('h', "help", OPT_OTHER),
};
static const struct optset ctr_run_opts = OPTSET(ctr_run_defs, true);
static const struct optdef ctr_exec_defs[] = {
    VALUE('u', "user", OPT_USER), FLAG('t', "tty", OPT_OTHER), FLAG('d', "detach", OPT_OTHER),
    FLAG('h', "help", OPT_OTHER),
};
static const struct optset ctr_exec_opts = OPTSET(ctr_exec_defs, true);

/* dockerd: -H, TLS, and its booleans. */
static const struct optdef dockerd_defs[] = {
    VALUE('H', "host", OPT_HOST), FLAG(0, "tls", OPT_TLS), FLAG(0, "tlsverify", OPT_TLSVERIFY),
    FLAG('D', "debug", OPT_OTHER), FLAG('v', "version", OPT_OTHER), FLAG('h', "help", OPT_OTHER),
    FLAG('d', "daemon", OPT_OTHER), FLAG(0, "icc", OPT_OTHER), FLAG(0, "ip-forward", OPT_OTHER),
    FLAG(0, "ip-masq", OPT_OTHER), FLAG(0, "iptables", OPT_OTHER), FLAG(0, "ip6tables", OPT_OTHER),
    FLAG(0, "ipv6", OPT_OTHER), FLAG(0, "live-restore", OPT_OTHER), FLAG(0, "no-new-privileges", OPT_OTHER),
    FLAG(0, "selinux-enabled", OPT_OTHER), FLAG(0, "userland-proxy", OPT_OTHER),
    FLAG(0, "experimental", OPT_OTHER), FLAG(0, "raw-logs", OPT_OTHER), FLAG(0, "rootless", OPT_OTHER),
    FLAG(0, "init", OPT_OTHER), FLAG(0, "validate", OPT_OTHER), FLAG(0, "disable-legacy-registry", OPT_OTHER),
    FLAG(0, "ip-forward-no-drop", OPT_OTHER), FLAG(0, "api-enable-cors", OPT_OTHER),
};
static const struct optset dockerd_opts = OPTSET(dockerd_defs, false);

/* ---- option scanning ---------------------------------------------------------- */

struct opt {
    vstr name;                          /* without dashes; one letter for a short option */
    vstr value;
    bool has_value;                     /* an inline =value, or the next argument taken */
    uint8_t id;                         /* enum opt_id */
};

struct scan {
    const vstr *argv;
    uint32_t argc;
    uint32_t i;                         /* next argument to look at */
    vstr cluster;                       /* letters left of a -abc cluster */
    bool ended;                         /* after "--": everything is positional */
    const struct optset *os;
};

enum step { STEP_END, STEP_OPT, STEP_ARG };

static void scan_init(struct scan *s, const vstr *argv, uint32_t argc, uint32_t from, const struct optset *os) {
    *s = (struct scan){ .argv = argv, .argc = argc, .i = from, .os = os };
}

/* The table entry of a name (one letter: the short name), or NULL. Every
 * option of every parse comes through here: the length and first letter
 * rule out nearly every entry before a memcmp call. */
static const struct optdef *lookup(const struct optset *os, vstr name) {
    if (!name.n) return NULL;
    char first = name.p[0];
    for (size_t k = 0; k < os->n; k++) {
        const struct optdef *d = &os->defs[k];
        if (name.n == 1) {
            if (d->short_name == first && first) return d;
        } else if (d->long_name.n == name.n && d->long_name.p[0] == first
                   && memcmp(d->long_name.p + 1, name.p + 1, name.n - 1) == 0) {
            return d;
        }
    }
    return NULL;
}

/* Fill in the table's meaning; true when the option takes no value. */
static bool classify(const struct optset *os, struct opt *o) {
    const struct optdef *d = lookup(os, o->name);
    o->id = d ? d->id : OPT_OTHER;
    return d && d->no_value;
}

/* The value of an option that takes one and had none inline: the next
 * argument, whatever it looks like (pflag and Go flag both do this). */
static void take_next_value(struct scan *s, struct opt *o) {
    if (s->i < s->argc) {
        o->value = s->argv[s->i++];
        o->has_value = true;
    }
}

/* name[=value] of a long option (or any option under Go flag rules). */
static void scan_long(struct scan *s, vstr body, struct opt *o) {
    const char *eq = body.n ? memchr(body.p, '=', body.n) : NULL;
    if (eq) {
        o->name = (vstr){ body.p, (size_t)(eq - body.p) };
        o->value = (vstr){ eq + 1, body.n - (size_t)(eq - body.p) - 1 };
        o->has_value = true;
        classify(s->os, o);
        return;
    }
    o->name = body;
    if (!classify(s->os, o)) take_next_value(s, o);
}

/* The next letter of a short cluster: a boolean leaves the rest for the
 * next call; any other option takes the rest of the cluster (`-p8080:80`,
 * pflag also allows `-u=root`) or else the next argument. */
static void scan_short(struct scan *s, struct opt *o) {
    vstr c = s->cluster;
    o->name = (vstr){ c.p, 1 };
    vstr rest = { c.p + 1, c.n - 1 };
    s->cluster = VSTR_NULL;
    bool flag = classify(s->os, o);
    if (rest.n && rest.p[0] == '=') {
        o->value = (vstr){ rest.p + 1, rest.n - 1 };
        o->has_value = true;
    } else if (flag) {
        s->cluster = rest;
    } else if (rest.n) {
        o->value = rest;
        o->has_value = true;
    } else {
        take_next_value(s, o);
    }
}

/* One step: an option (*o filled) or a positional argument (*at its index). */
static enum step scan_next(struct scan *s, struct opt *o, uint32_t *at) {
    *o = (struct opt){ 0 };
    if (s->cluster.n) {
        scan_short(s, o);
        return STEP_OPT;
    }
    if (s->i >= s->argc) return STEP_END;
    vstr a = s->argv[s->i];
    bool dash = !s->ended && a.n >= 2 && a.p[0] == '-';
    if (!dash) {
        *at = s->i++;
        return STEP_ARG;
    }
    s->i++;
    if (a.p[1] == '-') {
        if (a.n == 2) {
            s->ended = true;
            return scan_next(s, o, at);
        }
        scan_long(s, (vstr){ a.p + 2, a.n - 2 }, o);
        return STEP_OPT;
    }
    vstr body = { a.p + 1, a.n - 1 };
    if (s->os->go_flags) {
        scan_long(s, body, o);
        return STEP_OPT;
    }
    s->cluster = body;
    scan_short(s, o);
    return STEP_OPT;
}

/* A boolean option's truth: bare means true; =value follows Go's
 * strconv.ParseBool, and a value it refuses makes the CLI refuse the
 * command, so nothing runs: false. */
static bool opt_bool(const struct opt *o) {
    if (!o->has_value) return true;
    static const vstr truths[] = { VSTR("1"), VSTR("t"), VSTR("T"), VSTR("true"), VSTR("TRUE"), VSTR("True") };
    for (size_t k = 0; k < sizeof truths / sizeof *truths; k++)
        if (vstr_eq(o->value, truths[k])) return true;
    return false;
}

/* ---- run/create option values ------------------------------------------- */

static void push_vstr(vstr *arr, uint32_t *n, uint32_t max, vstr v, bool *truncated) {
    if (*n < max) arr[(*n)++] = v;
    else *truncated = true;
}

static void push_mount(struct runtime_cmd *out, vstr src, vstr dst, bool ro) {
    if (out->n_mounts < RUNTIME_CMD_MAX_MOUNTS)
        out->mounts[out->n_mounts++] = (struct container_mount){ src, dst, ro };
    else
        out->truncated = true;
}

/* Cut s at the first sep: *head before it, s after it (empty when none). */
static vstr cut(vstr *s, char sep) {
    const char *p = s->n ? memchr(s->p, sep, s->n) : NULL;
    vstr head = { s->p, p ? (size_t)(p - s->p) : s->n };
    if (p) *s = (vstr){ p + 1, s->n - head.n - 1 };
    else s->n = 0;
    return head;
}

static bool list_has(vstr list, char sep, const char *item) {
    while (list.n) {
        if (vstr_eqc(cut(&list, sep), item)) return true;
    }
    return false;
}

/* --cap-add X; podman takes comma lists. Docker upper-cases, so "all" is ALL. */
static void add_caps(struct runtime_cmd *out, vstr v) {
    while (v.n) {
        vstr cap = cut(&v, ',');
        if (!cap.n) continue;
        if (vstr_eq_ci(cap, VSTR("ALL")) || vstr_eq_ci(cap, VSTR("CAP_ALL"))) out->cap_add_all = true;
        push_vstr(out->cap_add, &out->n_cap_add, RUNTIME_CMD_MAX_CAPS, cap, &out->truncated);
    }
}

/* The --security-opt values that switch a confinement off. podman's
 * unmask=ALL is its spelling of systempaths=unconfined. */
static bool secopt_unconfines(vstr v) {
    static const vstr off[] = {
        VSTR("apparmor=unconfined"), VSTR("apparmor:unconfined"), VSTR("seccomp=unconfined"),
        VSTR("seccomp:unconfined"), VSTR("label=disable"), VSTR("label:disable"),
        VSTR("systempaths=unconfined"), VSTR("unmask=ALL"),
    };
    for (size_t k = 0; k < sizeof off / sizeof *off; k++)
        if (vstr_eq(v, off[k])) return true;
    return false;
}

/* -v SRC:DST[:opts]: only host paths are kept; a named volume (no leading
 * '/', '~' or '.') or an anonymous one (no ':') is docker's own storage. */
static void add_volume(struct runtime_cmd *out, vstr v) {
    if (!v.n || !memchr(v.p, ':', v.n)) return;    /* no ':' at all: an anonymous volume */
    vstr src = cut(&v, ':');
    if (!src.n || !(src.p[0] == '/' || src.p[0] == '~' || src.p[0] == '.')) return;
    vstr dst = cut(&v, ':');
    push_mount(out, src, dst, list_has(v, ',', "ro") || list_has(v, ',', "readonly"));
}

/* docker's --mount is read as one CSV record: a field may be quoted. */
static vstr unquote(vstr f) {
    if (f.n >= 2 && f.p[0] == '"' && f.p[f.n - 1] == '"') return (vstr){ f.p + 1, f.n - 2 };
    return f;
}

/* --mount type=bind,source=..,target=..[,readonly] (docker, podman,
 * nerdctl) and ctr's type=bind,src=..,dst=..,options=rbind:ro. The default
 * type is volume, so a mount that never says bind is not kept. */
static void add_mount(struct runtime_cmd *out, vstr v) {
    vstr src = VSTR_NULL, dst = VSTR_NULL;
    bool bind = false, ro = false;
    while (v.n) {
        vstr field = unquote(cut(&v, ','));
        vstr val = field;
        vstr key = cut(&val, '=');
        bool bare = key.n == field.n;
        if (vstr_eq(key, VSTR("type"))) bind = vstr_eq_ci(val, VSTR("bind"));
        else if (vstr_eq(key, VSTR("source")) || vstr_eq(key, VSTR("src"))) src = val;
        else if (vstr_eq(key, VSTR("target")) || vstr_eq(key, VSTR("destination")) || vstr_eq(key, VSTR("dst")))
            dst = val;
        else if (vstr_eq(key, VSTR("readonly")) || vstr_eq(key, VSTR("ro"))) {
            struct opt b = { .value = val, .has_value = !bare };
            ro = opt_bool(&b);
        } else if (vstr_eq(key, VSTR("options"))) ro = ro || list_has(val, ':', "ro");
    }
    if (bind && src.n) push_mount(out, src, dst, ro);
}

/* ctr --with-ns TYPE:PATH joins an existing namespace; PID 1's is the host's. */
static void add_with_ns(struct runtime_cmd *out, vstr v) {
    vstr type = cut(&v, ':');
    if (!vstr_prefix(v, "/proc/1/ns/")) return;
    if (vstr_eq(type, VSTR("pid"))) out->pid_host = true;
    else if (vstr_eq(type, VSTR("network"))) out->net_host = true;
    else if (vstr_eq(type, VSTR("ipc"))) out->ipc_host = true;
    else if (vstr_eq(type, VSTR("uts"))) out->uts_host = true;
    else if (vstr_eq(type, VSTR("user"))) out->userns_host = true;
}

/* One option of run/create (any of the four CLIs): the ones that change
 * what the container may do to its host, and its identity. */
static void run_option(struct runtime_cmd *out, const struct opt *o) {
    if (o->id == OPT_PRIVILEGED) { out->privileged = opt_bool(o); return; }
    if (o->id == OPT_NET_HOST) { out->net_host = opt_bool(o); return; }
    if (o->id == OPT_OTHER || !o->has_value) return;
    vstr v = o->value;
    bool host = vstr_eq(v, VSTR("host"));
    switch ((enum opt_id)o->id) {
    case OPT_CAP_ADD: add_caps(out, v); break;
    case OPT_PID: out->pid_host = host; break;
    case OPT_NETWORK: out->net_host = host; break;
    case OPT_IPC: out->ipc_host = host; break;
    case OPT_UTS: out->uts_host = host; break;
    case OPT_USERNS: out->userns_host = host; break;
    case OPT_SECURITY_OPT:
        if (secopt_unconfines(v)) out->unconfined = true;
        push_vstr(out->security_opt, &out->n_security_opt, RUNTIME_CMD_MAX_SECOPTS, v, &out->truncated);
        break;
    case OPT_VOLUME: add_volume(out, v); break;
    case OPT_MOUNT: add_mount(out, v); break;
    case OPT_WITH_NS: add_with_ns(out, v); break;
    case OPT_DEVICE: {
        vstr dev = cut(&v, ':');
        if (dev.n) push_vstr(out->devices, &out->n_devices, RUNTIME_CMD_MAX_DEVICES, dev, &out->truncated);
        break;
    }
    case OPT_NAME: out->name = v; break;
    case OPT_USER: out->user = v; break;
    default: break;
    }
}

/* ---- verbs ---------------------------------------------------------------- */

/* run/create options from argv[from]; the first positional is the image
 * (ctr: then the container id), and the command follows. */
static void parse_run(struct runtime_cmd *out, const vstr *argv, uint32_t argc, uint32_t from, bool ctr) {
    struct scan s;
    scan_init(&s, argv, argc, from, ctr ? &ctr_run_opts : &run_opts);
    struct opt o;
    uint32_t at = 0;
    enum step st;
    out->cmd_at = argc;
    while ((st = scan_next(&s, &o, &at)) == STEP_OPT) run_option(out, &o);
    if (st != STEP_ARG) return;
    out->image = argv[at++];
    if (ctr && at < argc) out->name = argv[at++];
    out->cmd_at = at;
}

/* exec options from argv[from]; the first positional names the container
 * (ctr: the task id), except after podman's --latest, which picks one. */
static void parse_exec(struct runtime_cmd *out, const vstr *argv, uint32_t argc, uint32_t from, bool ctr) {
    struct scan s;
    scan_init(&s, argv, argc, from, ctr ? &ctr_exec_opts : &exec_opts);
    struct opt o;
    uint32_t at = 0;
    enum step st;
    bool latest = false;
    out->cmd_at = argc;
    while ((st = scan_next(&s, &o, &at)) == STEP_OPT) {
        if (o.id == OPT_PRIVILEGED) out->privileged = opt_bool(&o);
        else if (o.id == OPT_LATEST) latest = opt_bool(&o);
        else if (o.id == OPT_USER && o.has_value) out->user = o.value;
    }
    if (st != STEP_ARG) return;
    if (!latest) out->target = argv[at++];
    out->cmd_at = at;
}

static enum runtime_verb verb_of(vstr v) {
    if (vstr_eq(v, VSTR("run"))) return RUNTIME_VERB_RUN;
    if (vstr_eq(v, VSTR("create"))) return RUNTIME_VERB_CREATE;
    if (vstr_eq(v, VSTR("exec"))) return RUNTIME_VERB_EXEC;
    return RUNTIME_VERB_NONE;
}

/* The first positional after the global options, or argc. */
static uint32_t after_globals(const vstr *argv, uint32_t argc, const struct optset *os) {
    struct scan s;
    scan_init(&s, argv, argc, 1, os);
    struct opt o;
    uint32_t at = 0;
    enum step st;
    while ((st = scan_next(&s, &o, &at)) == STEP_OPT) {}
    return st == STEP_ARG ? at : argc;
}

/* ctr run | ctr c[ontainer[s]] create | ctr t[ask[s]] exec. */
static enum runtime_verb ctr_verb(const vstr *argv, uint32_t argc, uint32_t *at) {
    uint32_t v = *at;
    if (v >= argc) return RUNTIME_VERB_NONE;
    if (vstr_eq(argv[v], VSTR("run"))) { *at = v + 1; return RUNTIME_VERB_RUN; }
    if (v + 1 >= argc) return RUNTIME_VERB_NONE;
    vstr group = argv[v], sub = argv[v + 1];
    *at = v + 2;
    if ((vstr_eq(group, VSTR("c")) || vstr_eq(group, VSTR("container")) || vstr_eq(group, VSTR("containers")))
        && vstr_eq(sub, VSTR("create")))
        return RUNTIME_VERB_CREATE;
    if ((vstr_eq(group, VSTR("t")) || vstr_eq(group, VSTR("task")) || vstr_eq(group, VSTR("tasks")))
        && vstr_eq(sub, VSTR("exec")))
        return RUNTIME_VERB_EXEC;
    return RUNTIME_VERB_NONE;
}

/* docker|podman|nerdctl [container] run|create|exec. */
static enum runtime_verb cli_verb(const vstr *argv, uint32_t argc, uint32_t *at) {
    uint32_t v = *at;
    if (v < argc && vstr_eq(argv[v], VSTR("container"))) v++;
    if (v >= argc) return RUNTIME_VERB_NONE;
    *at = v + 1;
    return verb_of(argv[v]);
}

int runtime_cmd_parse(const vstr *argv, uint32_t argc, struct runtime_cmd *out) {
    memset(out, 0, sizeof *out);
    if (!argc) return 0;
    vstr tool = vstr_basename(argv[0]);
    bool ctr = vstr_eq(tool, VSTR("ctr"));
    if (!ctr && !vstr_eq(tool, VSTR("docker")) && !vstr_eq(tool, VSTR("podman")) && !vstr_eq(tool, VSTR("nerdctl")))
        return 0;
    uint32_t at = after_globals(argv, argc, ctr ? &ctr_global_opts : &global_opts);
    enum runtime_verb verb = ctr ? ctr_verb(argv, argc, &at) : cli_verb(argv, argc, &at);
    if (verb == RUNTIME_VERB_NONE) return 0;
    out->verb = verb;
    out->tool = tool;
    if (verb == RUNTIME_VERB_EXEC) parse_exec(out, argv, argc, at, ctr);
    else parse_run(out, argv, argc, at, ctr);
    return 1;
}

/* ---- dockerd -------------------------------------------------------------- */

static bool parse_port(vstr s, uint16_t *port) {
    if (!s.n || s.n > 5) return false;
    uint32_t v = 0;
    for (size_t k = 0; k < s.n; k++) {
        if (s.p[k] < '0' || s.p[k] > '9') return false;
        v = v * 10 + (uint32_t)(s.p[k] - '0');
    }
    if (v == 0 || v > 65535) return false;
    *port = (uint16_t)v;
    return true;
}

static bool addr_is_loopback(vstr addr) {
    if (vstr_eq_ci(addr, VSTR("localhost"))) return true;
    struct ipaddr ip;
    if (!ip_parse(addr.p, addr.n, &ip)) return false;
    if (ip_is_v4(&ip)) return ip.b[12] == 127;
    static const uint8_t one[16] = { [15] = 1 };
    return memcmp(ip.b, one, 16) == 0;
}

/* Split what follows tcp:// into address and port. An empty address is
 * not every interface: dockerd fills in its DefaultHTTPHost, localhost
 * (127.0.0.1 on old engines), so `-H tcp://:2375` listens on loopback only. */
static void host_resolve(struct dockerd_host *h, bool tls) {
    vstr rest = h->spec;
    const char *sep = NULL;
    for (size_t k = 0; k + 3 <= rest.n; k++)
        if (memcmp(rest.p + k, "://", 3) == 0) { sep = rest.p + k; break; }
    if (sep) {
        if (!vstr_eqc((vstr){ rest.p, (size_t)(sep - rest.p) }, "tcp")) return;
        rest = (vstr){ sep + 3, rest.n - (size_t)(sep - rest.p) - 3 };
    } else if (!rest.n) {
        return;                         /* -H "": the default unix socket */
    }
    h->tcp = true;
    rest = cut(&rest, '/');             /* tcp://host:port/path: the path is not the address */
    vstr port = VSTR_NULL;
    if (rest.n && rest.p[0] == '[') {
        const char *close = memchr(rest.p, ']', rest.n);
        size_t end = close ? (size_t)(close - rest.p) : rest.n;
        h->addr = (vstr){ rest.p + 1, end - 1 };
        if (close && end + 1 < rest.n && rest.p[end + 1] == ':')
            port = (vstr){ rest.p + end + 2, rest.n - end - 2 };
    } else {
        const char *colon = NULL;
        for (size_t k = rest.n; k-- > 0;)
            if (rest.p[k] == ':') { colon = rest.p + k; break; }
        h->addr = colon ? (vstr){ rest.p, (size_t)(colon - rest.p) } : rest;
        if (colon) port = (vstr){ colon + 1, rest.n - h->addr.n - 1 };
    }
    /* No port (or an empty one) is the default; one dockerd cannot parse
     * stops it from starting, which leaves 0. */
    h->port = tls ? 2376 : 2375;
    if (port.n && !parse_port(port, &h->port)) h->port = 0;
    h->loopback = !h->addr.n || addr_is_loopback(h->addr);
}

/* Where dockerd's own options start: after argv[0] for dockerd, after
 * `docker daemon`, or for the old `docker -d` engine after argv[0]; 0 when
 * argv does not run a daemon. */
static uint32_t dockerd_options_at(const vstr *argv, uint32_t argc) {
    vstr tool = vstr_basename(argv[0]);
    if (vstr_eq(tool, VSTR("dockerd"))) return 1;
    if (!vstr_eq(tool, VSTR("docker"))) return 0;
    if (argc > 1 && vstr_eq(argv[1], VSTR("daemon"))) return 2;
    struct scan s;
    scan_init(&s, argv, argc, 1, &global_opts);
    struct opt o;
    uint32_t at = 0;
    while (scan_next(&s, &o, &at) == STEP_OPT)
        if (o.id == OPT_DAEMON && opt_bool(&o)) return 1;
    return 0;
}

int dockerd_cmd_parse(const vstr *argv, uint32_t argc, struct dockerd_cmd *out) {
    memset(out, 0, sizeof *out);
    if (!argc) return 0;
    uint32_t from = dockerd_options_at(argv, argc);
    if (!from) return 0;
    struct scan s;
    scan_init(&s, argv, argc, from, &dockerd_opts);
    struct opt o;
    uint32_t at = 0;
    enum step st;
    while ((st = scan_next(&s, &o, &at)) != STEP_END) {
        if (st != STEP_OPT) continue;   /* dockerd takes no arguments; the stray one changes nothing */
        if (o.id == OPT_HOST && o.has_value) {
            if (out->n_hosts < DOCKERD_MAX_HOSTS) out->hosts[out->n_hosts++].spec = o.value;
            else out->truncated = true;
        } else if (o.id == OPT_TLS) out->tls = opt_bool(&o);
        else if (o.id == OPT_TLSVERIFY) out->tlsverify = opt_bool(&o);
    }
    /* The default port depends on TLS, which may be given after -H. */
    for (uint32_t k = 0; k < out->n_hosts; k++) host_resolve(&out->hosts[k], out->tls || out->tlsverify);
    return 1;
}

/* ---- shell words ---------------------------------------------------------- */

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n'; }

struct words_out {
    char *buf;
    size_t cap, len;
    bool full;                          /* a byte did not fit: the word in progress is dropped */
};

static void put_byte(struct words_out *w, char c) {
    if (w->len < w->cap) w->buf[w->len++] = c;
    else w->full = true;
}

/* One word starting at s.p[*i] (not a blank); returns with *i after it,
 * and whether there is a word: quotes make one even when empty (''), a
 * lone line continuation does not. */
static bool split_one(vstr s, size_t *i, struct words_out *w) {
    size_t k = *i, start = w->len;
    bool quoted = false;
    while (k < s.n && !is_blank(s.p[k]) && !w->full) {
        char c = s.p[k++];
        if (c == '\\') {
            if (k >= s.n) put_byte(w, '\\');            /* a trailing backslash stays */
            else if (s.p[k] == '\n') k++;               /* line continuation */
            else put_byte(w, s.p[k++]);
        } else if (c == '\'') {
            quoted = true;
            while (k < s.n && s.p[k] != '\'') put_byte(w, s.p[k++]);
            if (k < s.n) k++;                           /* an unterminated quote runs to the end */
        } else if (c == '"') {
            quoted = true;
            while (k < s.n && s.p[k] != '"') {
                char d = s.p[k++];
                if (d == '\\' && k < s.n && s.p[k] != '\0' && strchr("\"\\$`\n", s.p[k])) {
                    if (s.p[k] != '\n') put_byte(w, s.p[k]);
                    k++;
                } else {
                    put_byte(w, d);
                }
            }
            if (k < s.n) k++;
        } else {
            put_byte(w, c);
        }
    }
    *i = k;
    return quoted || w->len > start;
}

uint32_t runtime_split_words(vstr s, char *buf, size_t cap, vstr *words, uint32_t max) {
    struct words_out w = { buf, buf ? cap : 0, 0, false };
    uint32_t n = 0;
    size_t i = 0;
    while (n < max) {
        while (i < s.n && is_blank(s.p[i])) i++;
        if (i >= s.n) break;
        size_t start = w.len;
        bool word = split_one(s, &i, &w);
        if (w.full) break;
        if (word) words[n++] = (vstr){ w.len ? buf + start : buf, w.len - start };
    }
    return n;
}
