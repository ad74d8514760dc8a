/* Container runtime command lines: what a `docker run`, `podman create`,
 * `nerdctl run`, `ctr run` or `docker exec` asks for, and where a `dockerd`
 * listens. Process telemetry (auditd EXECVE, ECS process.args) sees these
 * argv before any container exists, and they are the only place the
 * container's privileges show on a host without `docker inspect` data.
 *
 * Pure functions over an argv: no allocation, every slice points into the
 * argv the caller passed and lives as long as it does. Bounded: a command
 * line with more caps, mounts or hosts than the arrays hold keeps the first
 * ones and sets `truncated`.
 *
 * Parsing follows the CLIs' own rules as far as they matter here: global
 * options before the verb (`docker -H tcp://x --context c run`), the
 * management form (`docker container run`), `--opt=value` and `--opt
 * value`, short flags in clusters (`-dit`, `-itv /:/host`, `-p8080:80`),
 * `--` ending options, and the first positional argument as the image (run,
 * create) or the container (exec). An option not known to take no value is
 * taken to take one, which is the CLIs' rule for every option but their
 * booleans (listed in runtime_cmd.c). */
#ifndef VIGIL_RUNTIME_CMD_H
#define VIGIL_RUNTIME_CMD_H
#include <stdbool.h>
#include <stdint.h>
#include "event.h"
#include "util/str.h"

#define RUNTIME_CMD_MAX_CAPS 16
#define RUNTIME_CMD_MAX_MOUNTS 16
#define RUNTIME_CMD_MAX_DEVICES 8
#define RUNTIME_CMD_MAX_SECOPTS 8
#define DOCKERD_MAX_HOSTS 8

enum runtime_verb {
    RUNTIME_VERB_NONE = 0,              /* not a container runtime CLI, or a verb not listed here */
    RUNTIME_VERB_RUN,                   /* run: create and start */
    RUNTIME_VERB_CREATE,
    RUNTIME_VERB_EXEC,
};

struct runtime_cmd {
    enum runtime_verb verb;
    vstr tool;                          /* docker, podman, nerdctl, ctr (basename of argv[0]) */
    bool privileged;                    /* --privileged (also --privileged=true) */
    bool cap_add_all;                   /* --cap-add ALL */
    vstr cap_add[RUNTIME_CMD_MAX_CAPS]; /* as written, CAP_ prefix kept if given */
    uint32_t n_cap_add;
    bool pid_host, net_host, ipc_host, uts_host, userns_host; /* --pid=host ... */
    bool unconfined;                    /* --security-opt apparmor=unconfined, seccomp=unconfined,
                                         * label=disable, systempaths=unconfined (podman: unmask=ALL) */
    vstr security_opt[RUNTIME_CMD_MAX_SECOPTS]; uint32_t n_security_opt;
    struct container_mount mounts[RUNTIME_CMD_MAX_MOUNTS]; /* host binds: -v SRC:DST[:ro], --mount
                                         * type=bind,source=..,target=.., ctr --mount ...
                                         * (named volumes, whose source has no '/', are not kept) */
    uint32_t n_mounts;
    vstr devices[RUNTIME_CMD_MAX_DEVICES]; uint32_t n_devices; /* --device HOST[:CONTAINER] host side */
    vstr image;                         /* run, create: the image */
    vstr name;                          /* --name (ctr: the container id argument) */
    vstr target;                        /* exec: the container, as named */
    vstr user;                          /* -u / --user */
    uint32_t cmd_at;                    /* argv index of the container's command (after the image,
                                         * or the exec target); argc when there is none */
    bool truncated;                     /* an array above was full */
};

/* 1 when argv is a run, create or exec of a container runtime CLI, with
 * *out filled; 0 otherwise (*out zeroed). */
int runtime_cmd_parse(const vstr *argv, uint32_t argc, struct runtime_cmd *out);

/* One -H/--host of dockerd. */
struct dockerd_host {
    vstr spec;                          /* as written: tcp://0.0.0.0:2375, unix:///var/run/docker.sock, fd:// */
    bool tcp;                           /* tcp:// (or a bare host:port, which dockerd reads as tcp) */
    vstr addr;                          /* tcp: the address as written, without [ ] ("::", "0.0.0.0"
                                         * = every interface; "" = none given, which dockerd binds
                                         * to localhost: loopback is set) */
    uint16_t port;                      /* tcp: the port; 2375 when none is given (2376 with TLS) */
    bool loopback;                      /* tcp: 127.0.0.0/8, ::1 or localhost */
};

struct dockerd_cmd {
    struct dockerd_host hosts[DOCKERD_MAX_HOSTS];
    uint32_t n_hosts;
    bool tls;                           /* --tls: TLS, but clients are not verified */
    bool tlsverify;                     /* --tlsverify (also --tlsverify=true): clients need a
                                         * certificate from the CA */
    bool truncated;
};

/* 1 when argv runs dockerd (basename dockerd, or `docker daemon` of old
 * engines), with *out filled; 0 otherwise (*out zeroed). */
int dockerd_cmd_parse(const vstr *argv, uint32_t argc, struct dockerd_cmd *out);

/* Split a command string on blanks, honouring '...' and "..." quoting and
 * backslash escapes the way a POSIX shell would for a plain word list (no
 * expansion). Words are written into buf (cap bytes) and described in
 * words; returns how many were written (at most max). For the commands of
 * docker exec events, which arrive as one string. */
uint32_t runtime_split_words(vstr s, char *buf, size_t cap, vstr *words, uint32_t max);
#endif
