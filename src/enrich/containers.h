/* The containers of the hosts: who they are (id, name, image, labels,
 * Kubernetes pod), what they may do (privileged, capabilities, host
 * namespaces, host mounts) and which processes run in them.
 *
 * Learnt from the events as they pass, like the process tree: the pipeline
 * records every EV_CONTAINER and EV_PROC_EXEC here before the detectors see
 * it; detectors read it through detect_ctx.containers.
 *
 *   identity     docker events (create, start, die, destroy, exec_*),
 *                docker inspect records, and ECS process events that carry
 *                container.id / container.image.name / container.name.
 *   privileges   docker inspect (HostConfig), or the `docker run/create`
 *                command line that made the container. A run command is
 *                seen before its container exists, so it is kept as an
 *                intent and linked to the first container created on the
 *                same host from the same image (and name, when --name was
 *                given) within link_window.
 *   processes    containers_attribute(): the event's own container.id (or a
 *                cgroup path), else the ancestry in the process tree up to
 *                a runtime process (containerd-shim*, runc, crun, conmon:
 *                the names are configuration), whose command line names the
 *                container; else descent from a container's first process
 *                as docker inspect numbers it (State.Pid).
 *
 * Memory is bounded: at max containers the least recently seen quarter is
 * evicted (destroyed containers first), intents live in a fixed ring, and
 * every string is cut at CONTAINERS_MAX_FIELD. Evictions and unlinked
 * intents are counted for the summary. */
#ifndef VIGIL_CONTAINERS_H
#define VIGIL_CONTAINERS_H
#include <stdbool.h>
#include <stdint.h>
#include "config/config.h"
#include "enrich/proctree.h"
#include "event.h"
#include "util/buf.h"

#define CONTAINERS_MAX_FIELD 512
#define CONTAINERS_MAX_INTENTS 64
#define CONTAINERS_MAX_CHAIN 12

struct containers;

/* Where a container's privileges were learnt. */
enum container_priv_source {
    CONTAINER_PRIV_UNKNOWN = 0,         /* nothing said: privileges unknown */
    CONTAINER_PRIV_RUN_COMMAND,         /* the docker run/create command line */
    CONTAINER_PRIV_INSPECT,             /* docker inspect (wins over a command line) */
};

/* What the table knows of one container. Strings are owned by the table;
 * pointers stay valid until the next containers_observe (which may evict).
 * `flags` belongs to the detectors: bits they set to do a thing once per
 * container (host.c defines them); the table only keeps and links them. */
struct container_info {
    vstr id;                            /* full id as first seen (lower case) */
    vstr host;                          /* as the source named it; may be empty */
    vstr name, image;
    vstr pod_name, pod_namespace, k8s_container;
    enum container_priv_source priv_from;
    bool privileged, pid_host, net_host, ipc_host, unconfined;
    vstr cap_add;                       /* comma-separated, as given */
    vstr host_mounts;                   /* comma-separated SRC:DST of host binds */
    vstr run_command_line;              /* the linked docker run/create, when one was seen */
    vstr command;                       /* inspect Entrypoint + Cmd joined, when known */
    int64_t init_pid;                   /* inspect State.Pid; -1 unknown */
    int64_t created_us, started_us, died_us; /* -1 until seen */
    struct source_pos first_pos;        /* the record it was first seen in (input name not copied:
                                         * inputs outlive the run's events) */
    struct source_pos priv_pos;         /* the record its privileges came from */
    uint32_t flags;
};

/* A docker run/create command line seen but not yet linked to a container. */
struct container_intent {
    vstr host;
    vstr image;                         /* as written */
    vstr name;                          /* --name, or empty */
    int64_t time_us;
    int64_t pid;                        /* the docker CLI process */
    struct source_pos pos;
    uint32_t flags;                     /* the detectors' bits, handed to the container on link */
};

struct containers_options {
    uint32_t max_containers;            /* input.max_containers */
    int64_t link_window_us;             /* detectors.host.run_link_window */
    const struct strlist *runtime_processes; /* detectors.host.runtime_processes: names (basenames)
                                         * of the processes containers run under */
};

struct containers *containers_new(const struct containers_options *opt);
void containers_free(struct containers *c);

/* Learn from one event: EV_CONTAINER (identity, lifecycle, inspect
 * privileges) and EV_PROC_EXEC (a runtime CLI's run/create becomes an
 * intent; container.id with image/name registers the container). Other
 * kinds are ignored. */
void containers_observe(struct containers *c, const struct event *ev);

/* The container with this id (full, or a prefix of at least 12 hex digits
 * that only one container has) or, failing that, this name; NULL if none.
 * host narrows a name lookup when not empty. */
struct container_info *containers_find(struct containers *c, vstr host, vstr id_or_name);

/* The intent recorded for the run/create command of this process event
 * (host, pid), if containers_observe made one from it; else NULL. */
struct container_intent *containers_intent_of(struct containers *c, const struct event *proc_ev);

enum container_how {
    CONTAINER_HOW_NONE = 0,             /* not attributed: on the host, or unknown */
    CONTAINER_HOW_EVENT,                /* the event's container.id (or its cgroup path) */
    CONTAINER_HOW_ANCESTRY,             /* a runtime process among its ancestors */
    CONTAINER_HOW_INIT_PID,             /* descends from a container's first process (inspect) */
};

/* Where one process runs, and the ancestry that shows it. */
struct container_attr {
    enum container_how how;
    vstr id;                            /* the container's id as found; may be empty for ANCESTRY
                                         * when the runtime's command line names none */
    struct container_info *info;        /* NULL when the table does not know the container */
    int runtime_at;                     /* ANCESTRY: index in chain of the runtime process; -1 */
    const struct proc_node *chain[CONTAINERS_MAX_CHAIN]; /* ancestors, parent first */
    unsigned n_chain;
};

/* Attribute one EV_PROC_EXEC's process. Returns true when it runs in a
 * container (out->how != NONE). The chain is filled in either case. A
 * process that is itself a runtime process (a shim, runc) is on the host. */
bool containers_attribute(struct containers *c, const struct proctree *t, const struct proc_exec *p,
                          struct container_attr *out);

/* The container id in a cgroup path (/proc/<pid>/cgroup lines, or a path
 * alone): /docker/<id>, docker-<id>.scope, cri-containerd-<id>.scope,
 * crio-<id>.scope, libpod-<id>.scope, /kubepods/.../<id>. The id is 64 hex
 * digits; returns false when there is none. */
bool containers_id_from_cgroup(vstr cgroup, vstr *id);

/* The container a runtime process's command line names: -id/--id, -c/--cid
 * (conmon), the last segment of -workdir/--bundle, else the first word of
 * 64 hex digits (alone or as a path's last segment). */
bool containers_id_from_runtime_cmdline(const vstr *argv, uint32_t argc, vstr command_line, vstr *id);

/* Summary lines: containers known, with privileges known, evicted; intents
 * linked and expired. */
void containers_report(const struct containers *c, buf *out);
#endif
