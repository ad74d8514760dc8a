/* Container runtime command lines (src/enrich/runtime_cmd.c): real-world
 * docker, podman, nerdctl and ctr run/create/exec lines and dockerd
 * invocations, table-driven, then the array bounds, hostile argv and the
 * shell word splitter. Each table row is one command as a shell would
 * split it (runtime_split_words builds the argv), with what the parse must
 * find, written compactly: flags as words, lists joined. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/runtime_cmd.h"

#define N_OF(a) (sizeof(a) / sizeof *(a))

struct argv_buf {
    char text[4096];
    vstr argv[256];
    uint32_t argc;
};

static void split(struct argv_buf *b, const char *cmd) {
    b->argc = runtime_split_words(vstr_c(cmd), b->text, sizeof b->text, b->argv, N_OF(b->argv));
}

/* ---- compact renderings of a parse, compared as strings ------------------- */

struct out_str {
    char s[1024];
    size_t n;
};

/* Append v, after sep unless it is the first item (an item may be empty). */
static void put_item(struct out_str *o, bool first, const char *sep, vstr v) {
    int w = snprintf(o->s + o->n, sizeof o->s - o->n, "%s%.*s", first ? "" : sep, (int)v.n, v.p ? v.p : "");
    assert_true(w >= 0 && (size_t)w < sizeof o->s - o->n);
    o->n += (size_t)w;
}

static void put(struct out_str *o, const char *sep, vstr v) { put_item(o, o->n == 0, sep, v); }

static void put_flag(struct out_str *o, bool on, const char *name) {
    if (on) put(o, " ", vstr_c(name));
}

static void list_str(struct out_str *o, const vstr *v, uint32_t n) {
    o->n = 0;
    o->s[0] = '\0';
    for (uint32_t k = 0; k < n; k++) put_item(o, k == 0, ",", v[k]);
}

static void assert_vstr(vstr got, const char *want, const char *what, const char *cmd) {
    if (!vstr_eqc(got, want ? want : ""))
        fail_msg("%s: %s is \"%.*s\", want \"%s\"", cmd, what, (int)got.n, got.p ? got.p : "", want ? want : "");
}

static void assert_str(const char *got, const char *want, const char *what, const char *cmd) {
    if (strcmp(got, want ? want : "") != 0) fail_msg("%s: %s is \"%s\", want \"%s\"", cmd, what, got, want ? want : "");
}

/* ---- run / create / exec ------------------------------------------------- */

struct run_case {
    const char *cmd;
    enum runtime_verb verb;             /* NONE: the parse returns 0 */
    const char *image, *name, *target, *user;
    const char *flags;                  /* priv capall pid net ipc uts userns unconf trunc */
    const char *caps, *secopts, *devices;
    const char *mounts;                 /* SRC>DST[>ro] joined by spaces */
    const char *cmd0;                   /* argv[cmd_at], NULL when cmd_at == argc */
};

static const struct run_case run_cases[] = {
    /* Elastic "Privileged Docker Container Creation": the host's root in a privileged container */
    { .cmd = "docker run --privileged -v /:/host -it alpine chroot /host sh", .verb = RUNTIME_VERB_RUN,
      .image = "alpine", .flags = "priv", .mounts = "/>/host", .cmd0 = "chroot" },
    /* a miner: -u and -o after the image belong to xmrig, not docker */
    { .cmd = "docker run -d --name miner --restart always xmrig/xmrig -o stratum+tcp://pool.minexmr.com:4444 -u 44AFFq5k",
      .verb = RUNTIME_VERB_RUN, .image = "xmrig/xmrig", .name = "miner", .cmd0 = "-o" },
    /* the nsenter escape, management form */
    { .cmd = "docker container run --rm -it --pid=host --privileged alpine nsenter -t 1 -m -u -n -i sh",
      .verb = RUNTIME_VERB_RUN, .image = "alpine", .flags = "priv pid", .cmd0 = "nsenter" },
    { .cmd = "podman run --security-opt label=disable -v /:/mnt:ro --cap-add=SYS_ADMIN,NET_ADMIN fedora bash",
      .verb = RUNTIME_VERB_RUN, .image = "fedora", .flags = "unconf", .caps = "SYS_ADMIN,NET_ADMIN",
      .secopts = "label=disable", .mounts = "/>/mnt>ro", .cmd0 = "bash" },
    { .cmd = "nerdctl -n k8s.io run -d --net host --ipc=host --uts host --userns=host busybox sleep 1d",
      .verb = RUNTIME_VERB_RUN, .image = "busybox", .flags = "net ipc uts userns", .cmd0 = "sleep" },
    { .cmd = "nerdctl --namespace=k8s.io --address /run/containerd/containerd.sock run --privileged --rm -v /:/host:ro ghcr.io/x/y:1",
      .verb = RUNTIME_VERB_RUN, .image = "ghcr.io/x/y:1", .flags = "priv", .mounts = "/>/host>ro" },
    { .cmd = "ctr -n k8s.io run --privileged --mount type=bind,src=/,dst=/host,options=rbind docker.io/library/alpine:latest x sh",
      .verb = RUNTIME_VERB_RUN, .image = "docker.io/library/alpine:latest", .name = "x", .flags = "priv",
      .mounts = "/>/host", .cmd0 = "sh" },
    { .cmd = "ctr --namespace default run -rm -t --net-host --mount type=bind,src=/etc,dst=/etc,options=rbind:ro docker.io/library/busybox:latest bb",
      .verb = RUNTIME_VERB_RUN, .image = "docker.io/library/busybox:latest", .name = "bb", .flags = "net",
      .mounts = "/etc>/etc>ro" },
    { .cmd = "ctr c create --with-ns pid:/proc/1/ns/pid --with-ns network:/proc/1/ns/net docker.io/library/alpine:latest c1",
      .verb = RUNTIME_VERB_CREATE, .image = "docker.io/library/alpine:latest", .name = "c1", .flags = "pid net" },
    { .cmd = "ctr containers create --with-ns pid:/proc/4242/ns/pid img c2 top",
      .verb = RUNTIME_VERB_CREATE, .image = "img", .name = "c2", .cmd0 = "top" },
    { .cmd = "ctr task exec --exec-id shell1 -t mytask sh", .verb = RUNTIME_VERB_EXEC, .target = "mytask", .cmd0 = "sh" },
    { .cmd = "ctr t exec --exec-id=e2 --user 0 t1 id", .verb = RUNTIME_VERB_EXEC, .target = "t1", .user = "0", .cmd0 = "id" },
    { .cmd = "docker exec -it --privileged web sh", .verb = RUNTIME_VERB_EXEC, .target = "web", .flags = "priv", .cmd0 = "sh" },
    { .cmd = "docker exec web ls", .verb = RUNTIME_VERB_EXEC, .target = "web", .cmd0 = "ls" },
    { .cmd = "docker --context prod -l debug --tlsverify container exec -u 0 -e A=1 -w /tmp api cat /etc/shadow",
      .verb = RUNTIME_VERB_EXEC, .target = "api", .user = "0", .cmd0 = "cat" },
    { .cmd = "podman exec -l --user root sh -c id", .verb = RUNTIME_VERB_EXEC, .user = "root", .cmd0 = "sh" },
    { .cmd = "podman exec --detach-keys ctrl-x --env-file /e db psql", .verb = RUNTIME_VERB_EXEC, .target = "db", .cmd0 = "psql" },
    { .cmd = "docker exec", .verb = RUNTIME_VERB_EXEC },
    /* client pointed at a remote engine */
    { .cmd = "docker -H tcp://10.0.0.5:2375 run --rm -v /var/run/docker.sock:/var/run/docker.sock alpine",
      .verb = RUNTIME_VERB_RUN, .image = "alpine", .mounts = "/var/run/docker.sock>/var/run/docker.sock" },
    /* named and anonymous volumes are not host mounts; modes after the destination */
    { .cmd = "docker run -v data:/data -v /cache -v /srv/www:/usr/share/nginx/html:ro,z nginx",
      .verb = RUNTIME_VERB_RUN, .image = "nginx", .mounts = "/srv/www>/usr/share/nginx/html>ro" },
    { .cmd = "docker run --mount type=volume,source=data,target=/data --mount type=bind,source=/etc,target=/host-etc,readonly nginx",
      .verb = RUNTIME_VERB_RUN, .image = "nginx", .mounts = "/etc>/host-etc>ro" },
    { .cmd = "docker run --mount source=data,target=/data --mount type=bind,src=/a,dst=/b,readonly=false alpine",
      .verb = RUNTIME_VERB_RUN, .image = "alpine", .mounts = "/a>/b" },
    { .cmd = "/usr/bin/docker run --mount \"type=bind,source=/,target=/host\" alpine",
      .verb = RUNTIME_VERB_RUN, .image = "alpine", .mounts = "/>/host" },
    { .cmd = "docker run --mount 'type=bind,\"source=/x\",target=/y,ro' alpine",
      .verb = RUNTIME_VERB_RUN, .image = "alpine", .mounts = "/x>/y>ro" },
    { .cmd = "docker run -v ./conf:/etc/app -v ~/.ssh:/root/.ssh:ro alpine",
      .verb = RUNTIME_VERB_RUN, .image = "alpine", .mounts = "./conf>/etc/app ~/.ssh>/root/.ssh>ro" },
    /* short clusters: booleans then a value-taking letter, values glued on */
    { .cmd = "docker run -itv /:/host -p8080:80 -eFOO=bar -uroot ubuntu bash",
      .verb = RUNTIME_VERB_RUN, .image = "ubuntu", .user = "root", .mounts = "/>/host", .cmd0 = "bash" },
    { .cmd = "docker run -dit -u=1000 -v/:/rootfs alpine", .verb = RUNTIME_VERB_RUN, .image = "alpine",
      .user = "1000", .mounts = "/>/rootfs" },
    { .cmd = "docker run -dit --cap-add ALL --security-opt apparmor:unconfined --security-opt seccomp=unconfined "
             "--device /dev/sda:/dev/xvda:rwm --device=/dev/mem ubuntu",
      .verb = RUNTIME_VERB_RUN, .image = "ubuntu", .flags = "capall unconf", .caps = "ALL",
      .secopts = "apparmor:unconfined,seccomp=unconfined", .devices = "/dev/sda,/dev/mem" },
    { .cmd = "docker run --cap-add=all alpine", .verb = RUNTIME_VERB_RUN, .image = "alpine", .flags = "capall", .caps = "all" },
    { .cmd = "docker run --cap-add cap_sys_admin --cap-add NET_RAW alpine", .verb = RUNTIME_VERB_RUN, .image = "alpine",
      .caps = "cap_sys_admin,NET_RAW" },
    { .cmd = "docker run --security-opt systempaths=unconfined --security-opt label:disable alpine",
      .verb = RUNTIME_VERB_RUN, .image = "alpine", .flags = "unconf", .secopts = "systempaths=unconfined,label:disable" },
    { .cmd = "docker run --security-opt no-new-privileges alpine", .verb = RUNTIME_VERB_RUN, .image = "alpine",
      .secopts = "no-new-privileges" },
    { .cmd = "podman run --security-opt unmask=ALL alpine", .verb = RUNTIME_VERB_RUN, .image = "alpine",
      .flags = "unconf", .secopts = "unmask=ALL" },
    { .cmd = "docker run --privileged=false alpine", .verb = RUNTIME_VERB_RUN, .image = "alpine" },
    { .cmd = "docker run --privileged=true alpine", .verb = RUNTIME_VERB_RUN, .image = "alpine", .flags = "priv" },
    { .cmd = "docker run --pid=host --pid=container:web alpine", .verb = RUNTIME_VERB_RUN, .image = "alpine" },
    { .cmd = "docker run --network=container:abc alpine", .verb = RUNTIME_VERB_RUN, .image = "alpine" },
    { .cmd = "docker run --network=host alpine", .verb = RUNTIME_VERB_RUN, .image = "alpine", .flags = "net" },
    /* booleans must not swallow the image */
    { .cmd = "docker run -P --rm --read-only --init -q --sig-proxy --no-healthcheck --oom-kill-disable alpine id",
      .verb = RUNTIME_VERB_RUN, .image = "alpine", .cmd0 = "id" },
    { .cmd = "podman run --replace --rmi --tls-verify --env-host --name p1 registry.fedoraproject.org/fedora",
      .verb = RUNTIME_VERB_RUN, .image = "registry.fedoraproject.org/fedora", .name = "p1" },
    { .cmd = "podman --remote --url ssh://core@host/run/podman/podman.sock run --userns host alpine",
      .verb = RUNTIME_VERB_RUN, .image = "alpine", .flags = "userns" },
    { .cmd = "podman container create --name c --pid host alpine", .verb = RUNTIME_VERB_CREATE, .image = "alpine",
      .name = "c", .flags = "pid" },
    { .cmd = "docker create --cap-add=SYS_PTRACE --pid=host --name dbg ubuntu", .verb = RUNTIME_VERB_CREATE,
      .image = "ubuntu", .name = "dbg", .flags = "pid", .caps = "SYS_PTRACE" },
    { .cmd = "docker run --name=web -e A=1 -- nginx -g daemon off;", .verb = RUNTIME_VERB_RUN, .image = "nginx",
      .name = "web", .cmd0 = "-g" },
    { .cmd = "docker run -- -weird", .verb = RUNTIME_VERB_RUN, .image = "-weird" },
    { .cmd = "docker run - x", .verb = RUNTIME_VERB_RUN, .image = "-", .cmd0 = "x" },
    { .cmd = "docker run --= alpine", .verb = RUNTIME_VERB_RUN, .image = "alpine" },
    { .cmd = "docker run", .verb = RUNTIME_VERB_RUN },
    { .cmd = "docker run --name", .verb = RUNTIME_VERB_RUN },
    { .cmd = "docker run -v", .verb = RUNTIME_VERB_RUN },
    { .cmd = "docker run --user", .verb = RUNTIME_VERB_RUN },
    { .cmd = "docker -D run --device /dev/fuse --user nobody:nogroup alpine", .verb = RUNTIME_VERB_RUN,
      .image = "alpine", .user = "nobody:nogroup", .devices = "/dev/fuse" },
    /* not a run, create or exec */
    { .cmd = "docker ps" },
    { .cmd = "docker pull alpine" },
    { .cmd = "docker images" },
    { .cmd = "docker logs -f web" },
    { .cmd = "docker inspect --format {{.HostConfig.Privileged}} web" },
    { .cmd = "docker container ls" },
    { .cmd = "docker container" },
    { .cmd = "docker -H tcp://0.0.0.0:2375 ps" },
    { .cmd = "docker --name run alpine" },          /* --name is not global: swallows run */
    { .cmd = "ctr images pull docker.io/library/alpine:latest" },
    { .cmd = "ctr task ls" },
    { .cmd = "ctr c" },
    { .cmd = "kubectl run x --image=alpine --privileged" },
    { .cmd = "dockerd -H tcp://0.0.0.0:2375" },
    { .cmd = "docker" },
};

static void render_run_flags(struct out_str *o, const struct runtime_cmd *rc) {
    o->n = 0;
    o->s[0] = '\0';
    put_flag(o, rc->privileged, "priv");
    put_flag(o, rc->cap_add_all, "capall");
    put_flag(o, rc->pid_host, "pid");
    put_flag(o, rc->net_host, "net");
    put_flag(o, rc->ipc_host, "ipc");
    put_flag(o, rc->uts_host, "uts");
    put_flag(o, rc->userns_host, "userns");
    put_flag(o, rc->unconfined, "unconf");
    put_flag(o, rc->truncated, "trunc");
}

static void render_mounts(struct out_str *o, const struct runtime_cmd *rc) {
    o->n = 0;
    o->s[0] = '\0';
    for (uint32_t k = 0; k < rc->n_mounts; k++) {
        const struct container_mount *m = &rc->mounts[k];
        put(o, " ", m->source);
        put(o, ">", m->destination);
        if (m->read_only) put(o, ">", VSTR("ro"));
    }
}

static void check_run_case(const struct run_case *c) {
    struct argv_buf b;
    split(&b, c->cmd);
    struct runtime_cmd rc;
    int ret = runtime_cmd_parse(b.argv, b.argc, &rc);
    if (c->verb == RUNTIME_VERB_NONE) {
        if (ret != 0) fail_msg("%s: parsed as verb %d", c->cmd, rc.verb);
        assert_int_equal(rc.verb, RUNTIME_VERB_NONE);
        assert_int_equal(rc.n_mounts, 0);
        assert_null(rc.tool.p);
        return;
    }
    if (ret != 1) fail_msg("%s: not parsed", c->cmd);
    if (rc.verb != c->verb) fail_msg("%s: verb %d, want %d", c->cmd, rc.verb, c->verb);
    assert_true(vstr_eq(rc.tool, vstr_basename(b.argv[0])));
    assert_vstr(rc.image, c->image, "image", c->cmd);
    assert_vstr(rc.name, c->name, "name", c->cmd);
    assert_vstr(rc.target, c->target, "target", c->cmd);
    assert_vstr(rc.user, c->user, "user", c->cmd);
    struct out_str o;
    render_run_flags(&o, &rc);
    assert_str(o.s, c->flags, "flags", c->cmd);
    list_str(&o, rc.cap_add, rc.n_cap_add);
    assert_str(o.s, c->caps, "caps", c->cmd);
    list_str(&o, rc.security_opt, rc.n_security_opt);
    assert_str(o.s, c->secopts, "security opts", c->cmd);
    list_str(&o, rc.devices, rc.n_devices);
    assert_str(o.s, c->devices, "devices", c->cmd);
    render_mounts(&o, &rc);
    assert_str(o.s, c->mounts, "mounts", c->cmd);
    assert_true(rc.cmd_at <= b.argc);
    if (c->cmd0) {
        if (rc.cmd_at >= b.argc) fail_msg("%s: no command, want %s", c->cmd, c->cmd0);
        assert_vstr(b.argv[rc.cmd_at], c->cmd0, "command", c->cmd);
    } else if (rc.cmd_at != b.argc) {
        fail_msg("%s: command at %u, want none", c->cmd, rc.cmd_at);
    }
}

static void test_run_table(void **state) {
    (void)state;
    for (size_t k = 0; k < N_OF(run_cases); k++) check_run_case(&run_cases[k]);
}

/* ---- dockerd --------------------------------------------------------------- */

struct dockerd_case {
    const char *cmd;
    int ret;
    const char *flags;                  /* tls tlsverify trunc */
    const char *hosts;                  /* tcp: [addr]:port, " lo" when loopback; else the spec; ", " between */
};

static const struct dockerd_case dockerd_cases[] = {
    { "dockerd -H fd:// -H tcp://0.0.0.0:2375", 1, NULL, "fd://, [0.0.0.0]:2375" },
    { "dockerd -H tcp://127.0.0.1:2375", 1, NULL, "[127.0.0.1]:2375 lo" },
    { "dockerd --tlsverify --tlscacert ca.pem --tlscert server-cert.pem --tlskey server-key.pem -H=0.0.0.0:2376", 1,
      "tlsverify", "[0.0.0.0]:2376" },
    { "dockerd --tls -H tcp://0.0.0.0:2376", 1, "tls", "[0.0.0.0]:2376" },
    { "/usr/bin/dockerd -H unix:///var/run/docker.sock", 1, NULL, "unix:///var/run/docker.sock" },
    { "/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock", 1, NULL, "fd://" },
    /* default port: 2375, 2376 with TLS even when TLS is given after -H */
    { "dockerd -H tcp://0.0.0.0", 1, NULL, "[0.0.0.0]:2375" },
    { "dockerd -H tcp://0.0.0.0 --tlsverify", 1, "tlsverify", "[0.0.0.0]:2376" },
    { "dockerd -H tcp://0.0.0.0: --tls", 1, "tls", "[0.0.0.0]:2376" },
    /* no address: dockerd binds localhost */
    { "dockerd -H tcp://:2375", 1, NULL, "[]:2375 lo" },
    { "dockerd -H :2375", 1, NULL, "[]:2375 lo" },
    { "dockerd -H tcp://[::]:2375", 1, NULL, "[::]:2375" },
    { "dockerd -H tcp://[::1]:2375", 1, NULL, "[::1]:2375 lo" },
    { "dockerd -H tcp://[::1]", 1, NULL, "[::1]:2375 lo" },
    { "dockerd -H tcp://[::ffff:127.0.0.1]:2375", 1, NULL, "[::ffff:127.0.0.1]:2375 lo" },
    { "dockerd -H tcp://localhost:2375", 1, NULL, "[localhost]:2375 lo" },
    { "dockerd -H tcp://127.0.0.1", 1, NULL, "[127.0.0.1]:2375 lo" },
    { "dockerd -D -H tcp://127.0.0.2:2375", 1, NULL, "[127.0.0.2]:2375 lo" },
    { "dockerd -H 0.0.0.0:2375", 1, NULL, "[0.0.0.0]:2375" },
    { "dockerd -H 10.0.0.7", 1, NULL, "[10.0.0.7]:2375" },
    { "dockerd -Htcp://10.1.2.3:4243 --host=unix:///run/docker.sock", 1, NULL,
      "[10.1.2.3]:4243, unix:///run/docker.sock" },
    { "dockerd --host tcp://docker.example.com:2375/ --iptables --icc=false", 1, NULL, "[docker.example.com]:2375" },
    { "dockerd --iptables -H tcp://1.2.3.4:2375", 1, NULL, "[1.2.3.4]:2375" },
    { "dockerd --tlsverify=false --tls=false -H tcp://0.0.0.0:2375", 1, NULL, "[0.0.0.0]:2375" },
    { "dockerd --tlsverify=true -H tcp://0.0.0.0", 1, "tlsverify", "[0.0.0.0]:2376" },
    { "dockerd -H tcp://0.0.0.0:99999", 1, NULL, "[0.0.0.0]:0" },
    { "dockerd -H tcp://0.0.0.0:http", 1, NULL, "[0.0.0.0]:0" },
    { "dockerd -H npipe:////./pipe/docker_engine", 1, NULL, "npipe:////./pipe/docker_engine" },
    { "dockerd -H ssh://user@host", 1, NULL, "ssh://user@host" },
    { "dockerd --config-file /etc/docker/daemon.json", 1, NULL, NULL },
    { "dockerd -H", 1, NULL, NULL },
    { "dockerd", 1, NULL, NULL },
    /* old engines */
    { "docker daemon -H tcp://0.0.0.0:2375", 1, NULL, "[0.0.0.0]:2375" },
    { "docker -d -H tcp://0.0.0.0:4243 -H unix:///var/run/docker.sock", 1, NULL,
      "[0.0.0.0]:4243, unix:///var/run/docker.sock" },
    { "/usr/bin/docker --daemon --tlsverify -H tcp://0.0.0.0", 1, "tlsverify", "[0.0.0.0]:2376" },
    /* clients, not daemons */
    { "docker -H tcp://0.0.0.0:2375 ps", 0, NULL, NULL },
    { "docker run -d alpine", 0, NULL, NULL },
    { "containerd --config /etc/containerd/config.toml", 0, NULL, NULL },
    { "", 0, NULL, NULL },
};

static void render_hosts(struct out_str *o, const struct dockerd_cmd *d) {
    o->n = 0;
    o->s[0] = '\0';
    for (uint32_t k = 0; k < d->n_hosts; k++) {
        const struct dockerd_host *h = &d->hosts[k];
        char one[300];
        if (h->tcp)
            snprintf(one, sizeof one, "[%.*s]:%u%s", (int)h->addr.n, h->addr.p ? h->addr.p : "", h->port,
                     h->loopback ? " lo" : "");
        else
            snprintf(one, sizeof one, "%.*s", (int)h->spec.n, h->spec.p);
        put(o, ", ", vstr_c(one));
    }
}

static void check_dockerd_case(const struct dockerd_case *c) {
    struct argv_buf b;
    split(&b, c->cmd);
    struct dockerd_cmd d;
    int ret = dockerd_cmd_parse(b.argv, b.argc, &d);
    if (ret != c->ret) fail_msg("%s: returned %d, want %d", c->cmd, ret, c->ret);
    struct out_str o = { .n = 0 };
    o.s[0] = '\0';
    put_flag(&o, d.tls, "tls");
    put_flag(&o, d.tlsverify, "tlsverify");
    put_flag(&o, d.truncated, "trunc");
    assert_str(o.s, c->flags, "flags", c->cmd);
    render_hosts(&o, &d);
    assert_str(o.s, c->hosts, "hosts", c->cmd);
}

static void test_dockerd_table(void **state) {
    (void)state;
    for (size_t k = 0; k < N_OF(dockerd_cases); k++) check_dockerd_case(&dockerd_cases[k]);
}

/* ---- array bounds ------------------------------------------------------------ */

/* argv from a list of words that a test builds in a loop. */
struct argv_list {
    vstr v[20000];
    uint32_t n;
};

static void add(struct argv_list *a, const char *w) {
    assert_true(a->n < N_OF(a->v));
    a->v[a->n++] = vstr_c(w);
}

static void test_run_bounds(void **state) {
    (void)state;
    static struct argv_list a;
    static char caps[RUNTIME_CMD_MAX_CAPS + 1][16], devs[RUNTIME_CMD_MAX_DEVICES + 1][16];
    a.n = 0;
    add(&a, "docker");
    add(&a, "run");
    for (int k = 0; k <= RUNTIME_CMD_MAX_CAPS; k++) {
        snprintf(caps[k], sizeof caps[k], "CAP_%d", k);
        add(&a, "--cap-add");
        add(&a, caps[k]);
    }
    add(&a, "--cap-add=ALL");           /* past the array: still seen */
    struct runtime_cmd rc;
    assert_int_equal(runtime_cmd_parse(a.v, a.n, &rc), 1);
    assert_int_equal(rc.n_cap_add, RUNTIME_CMD_MAX_CAPS);
    assert_true(vstr_eqc(rc.cap_add[RUNTIME_CMD_MAX_CAPS - 1], "CAP_15"));
    assert_true(rc.cap_add_all);
    assert_true(rc.truncated);

    a.n = 2;
    for (int k = 0; k <= RUNTIME_CMD_MAX_MOUNTS; k++) add(&a, "-v/:/h");
    add(&a, "alpine");
    assert_int_equal(runtime_cmd_parse(a.v, a.n, &rc), 1);
    assert_int_equal(rc.n_mounts, RUNTIME_CMD_MAX_MOUNTS);
    assert_true(rc.truncated);
    assert_true(vstr_eqc(rc.image, "alpine"));

    a.n = 2;
    for (int k = 0; k <= RUNTIME_CMD_MAX_DEVICES; k++) {
        snprintf(devs[k], sizeof devs[k], "--device=/dev/%d", k);
        add(&a, devs[k]);
    }
    assert_int_equal(runtime_cmd_parse(a.v, a.n, &rc), 1);
    assert_int_equal(rc.n_devices, RUNTIME_CMD_MAX_DEVICES);
    assert_true(vstr_eqc(rc.devices[0], "/dev/0"));
    assert_true(rc.truncated);

    a.n = 2;
    for (int k = 0; k < RUNTIME_CMD_MAX_SECOPTS; k++) add(&a, "--security-opt=no-new-privileges");
    assert_int_equal(runtime_cmd_parse(a.v, a.n, &rc), 1);
    assert_int_equal(rc.n_security_opt, RUNTIME_CMD_MAX_SECOPTS);
    assert_false(rc.truncated);         /* exactly full is not truncated */
    add(&a, "--security-opt=seccomp=unconfined");
    assert_int_equal(runtime_cmd_parse(a.v, a.n, &rc), 1);
    assert_true(rc.truncated);
    assert_true(rc.unconfined);         /* the flag does not depend on the array */
}

static void test_dockerd_bounds(void **state) {
    (void)state;
    static struct argv_list a;
    a.n = 0;
    add(&a, "dockerd");
    for (int k = 0; k <= DOCKERD_MAX_HOSTS; k++) add(&a, "-Htcp://0.0.0.0:2375");
    struct dockerd_cmd d;
    assert_int_equal(dockerd_cmd_parse(a.v, a.n, &d), 1);
    assert_int_equal(d.n_hosts, DOCKERD_MAX_HOSTS);
    assert_true(d.truncated);
    assert_true(d.hosts[DOCKERD_MAX_HOSTS - 1].tcp);
    assert_int_equal(d.hosts[DOCKERD_MAX_HOSTS - 1].port, 2375);
}

/* ---- hostile argv -------------------------------------------------------- */

static void test_hostile_argv(void **state) {
    (void)state;
    static struct argv_list a;
    struct runtime_cmd rc;
    struct dockerd_cmd d;

    /* 10k options: the arrays stay bounded, the image after them is found */
    a.n = 0;
    add(&a, "docker");
    add(&a, "run");
    while (a.n < 10000) add(&a, "-v/a:/b");
    add(&a, "alpine");
    assert_int_equal(runtime_cmd_parse(a.v, a.n, &rc), 1);
    assert_int_equal(rc.n_mounts, RUNTIME_CMD_MAX_MOUNTS);
    assert_true(vstr_eqc(rc.image, "alpine"));
    assert_int_equal(rc.cmd_at, a.n);

    /* 10k empty strings: an empty argument is a positional one */
    a.n = 0;
    add(&a, "docker");
    while (a.n < 10000) add(&a, "");
    assert_int_equal(runtime_cmd_parse(a.v, a.n, &rc), 0);
    a.v[1] = vstr_c("run");
    assert_int_equal(runtime_cmd_parse(a.v, a.n, &rc), 1);
    assert_int_equal(rc.image.n, 0);
    assert_int_equal(rc.cmd_at, 3);
    a.v[0] = vstr_c("dockerd");
    assert_int_equal(dockerd_cmd_parse(a.v, a.n, &d), 1);
    assert_int_equal(d.n_hosts, 0);

    /* 10k -H with values that are almost addresses */
    a.n = 0;
    add(&a, "dockerd");
    static const char *const odd[] = { "-H", "tcp://[", "-H", "tcp://]:", "-H", "tcp://[::1", "-H", "://",
                                       "-H", "tcp://", "--host=", "-H=", "-H", "[]:1", "--=", "-" };
    while (a.n < 10000) add(&a, odd[a.n % N_OF(odd)]);
    assert_int_equal(dockerd_cmd_parse(a.v, a.n, &d), 1);
    assert_int_equal(d.n_hosts, DOCKERD_MAX_HOSTS);
    for (uint32_t k = 0; k < d.n_hosts; k++)
        if (d.hosts[k].tcp) assert_true(d.hosts[k].addr.n <= d.hosts[k].spec.n);

    /* slices with no terminator and a NUL inside */
    static const char raw[] = { 'd', 'o', 'c', 'k', 'e', 'r', 'r', 'u', 'n', '-', '\0', 'x', '-', '-' };
    vstr v[] = { { raw, 6 }, { raw + 6, 3 }, { raw + 9, 2 }, { raw + 11, 1 }, { raw + 12, 2 } };
    assert_int_equal(runtime_cmd_parse(v, N_OF(v), &rc), 1);
    assert_int_equal(rc.image.n, 0);    /* "-\0" is an option taking "x"; "--" ends the options */
    assert_int_equal(rc.cmd_at, N_OF(v));

    /* nothing at all */
    assert_int_equal(runtime_cmd_parse(NULL, 0, &rc), 0);
    assert_int_equal(dockerd_cmd_parse(NULL, 0, &d), 0);
    vstr empty = VSTR_NULL;
    assert_int_equal(runtime_cmd_parse(&empty, 1, &rc), 0);
    assert_int_equal(dockerd_cmd_parse(&empty, 1, &d), 0);
}

/* ---- runtime_split_words ---------------------------------------------------- */

static void assert_words(const char *in, const char *want_joined, uint32_t want_n) {
    char buf[256];
    vstr w[16];
    uint32_t n = runtime_split_words(vstr_c(in), buf, sizeof buf, w, N_OF(w));
    struct out_str o;
    list_str(&o, w, n);
    if (n != want_n || strcmp(o.s, want_joined) != 0)
        fail_msg("split of [%s]: %u words [%s], want %u [%s]", in, n, o.s, want_n, want_joined);
}

static void test_split_words(void **state) {
    (void)state;
    assert_words("docker run  -it\talpine\nsh", "docker,run,-it,alpine,sh", 5);
    assert_words("sh -c 'echo $HOME; id'", "sh,-c,echo $HOME; id", 3);
    assert_words("a \"b \\\"c\\\" \\$d \\`e\\` \\\\ \\x\" f", "a,b \"c\" $d `e` \\ \\x,f", 3);
    assert_words("g\\ h i\\'j", "g h,i'j", 2);
    assert_words("'it''s' \"x\"'y'z", "its,xyz", 2);
    assert_words("'' \"\" x", ",,x", 3);
    assert_words("'a\\b'", "a\\b", 1);
    assert_words("'unterminated word", "unterminated word", 1);
    assert_words("\"unterminated \\\"", "unterminated \"", 1);
    assert_words("trailing\\", "trailing\\", 1);
    assert_words("a\\\nb \\\n c", "ab,c", 2);
    assert_words("\"x\\\ny\"", "xy", 1);
    assert_words(" \t\n ", "", 0);
    assert_words("", "", 0);
}

static void test_split_bounds(void **state) {
    (void)state;
    char buf[16];
    vstr w[4];
    /* cap: a word that does not fit is dropped whole, and so is the rest */
    memset(buf, '#', sizeof buf);
    assert_int_equal(runtime_split_words(VSTR("aaaa bbbb cc"), buf, 8, w, 4), 2);
    memset(buf, '#', sizeof buf);
    assert_int_equal(runtime_split_words(VSTR("aaaa bbbb cc"), buf, 7, w, 4), 1);
    for (size_t k = 7; k < sizeof buf; k++) assert_int_equal(buf[k], '#');
    assert_true(vstr_eqc(w[0], "aaaa"));
    /* max */
    assert_int_equal(runtime_split_words(VSTR("a b c d e f"), buf, sizeof buf, w, 3), 3);
    assert_true(vstr_eqc(w[2], "c"));
    assert_int_equal(runtime_split_words(VSTR("a b"), buf, sizeof buf, w, 0), 0);
    /* s.n, not the terminator, ends the input */
    assert_int_equal(runtime_split_words((vstr){ "ab cd", 4 }, buf, sizeof buf, w, 4), 2);
    assert_true(vstr_eqc(w[1], "c"));
    assert_int_equal(runtime_split_words((vstr){ "'ab' \"cd\"", 7 }, buf, sizeof buf, w, 4), 2);
    assert_true(vstr_eqc(w[1], "c"));
    /* no buffer: only empty words fit */
    assert_int_equal(runtime_split_words(VSTR("'' \"\""), NULL, 0, w, 4), 2);
    assert_int_equal(w[0].n, 0);
    assert_int_equal(runtime_split_words(VSTR("a"), NULL, 0, w, 4), 0);
    assert_int_equal(runtime_split_words(VSTR_NULL, buf, sizeof buf, w, 4), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_table),
        cmocka_unit_test(test_dockerd_table),
        cmocka_unit_test(test_run_bounds),
        cmocka_unit_test(test_dockerd_bounds),
        cmocka_unit_test(test_hostile_argv),
        cmocka_unit_test(test_split_words),
        cmocka_unit_test(test_split_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
