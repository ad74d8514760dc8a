/* Container runtime command-line parsers (src/enrich/runtime_cmd.h), timed
 * per command line (bench/README.md, "Container runtime command lines").
 *
 *   run      docker/podman/nerdctl/ctr run, create and exec lines, and
 *            runtime lines of other verbs (ps, pull, logs ...)
 *   host     what a host's process stream looks like: ~5% runtime CLI
 *            lines, the rest other programs (the early basename reject)
 *   dockerd  dockerd and old `docker daemon` / `docker -d` lines
 *
 * The templates are split into argv (runtime_split_words) and a list of
 * -n lines is drawn from them with a seeded PRNG before the clock starts;
 * each pass parses every line, and the median pass is printed in ns per
 * line. The checksum of what was parsed keeps the work from being elided
 * and must be the same on every pass.
 *
 *   runtime_cmd_bench [-n LINES] [-p PASSES] [-s SEED] [-w run|host|dockerd]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "enrich/runtime_cmd.h"

#define N_OF(a) (sizeof(a) / sizeof *(a))
#define MAX_WORDS 48

static const char *const runtime_lines[] = {
    "docker run --privileged -v /:/host -it alpine chroot /host sh",
    "docker run -d --name miner --restart always xmrig/xmrig -o stratum+tcp://pool.example.com:4444 -u 44AF",
    "docker container run --rm -it --pid=host --privileged alpine nsenter -t 1 -m -u -n -i sh",
    "podman run --security-opt label=disable -v /:/mnt:ro --cap-add=SYS_ADMIN,NET_ADMIN fedora bash",
    "nerdctl -n k8s.io run -d --net host --ipc=host busybox sleep 1d",
    "ctr -n k8s.io run --privileged --mount type=bind,src=/,dst=/host,options=rbind docker.io/library/alpine:latest x sh",
    "docker exec -it --privileged web sh",
    "docker exec web ls -la /var/www",
    "docker run -d -p 8080:80 -e NODE_ENV=production -e PORT=80 --name api --restart unless-stopped "
    "--log-opt max-size=10m -v /srv/api/config:/app/config:ro registry.example.com/team/api:1.42.0",
    "docker run --rm -v /home/ci/build:/workspace -w /workspace -u 1000:1000 golang:1.22 go build ./...",
    "docker -H tcp://10.0.0.5:2375 run --rm -v /var/run/docker.sock:/var/run/docker.sock alpine",
    "docker ps -a --format {{.Names}}",
    "docker pull ghcr.io/org/image:latest",
    "docker logs -f --tail 100 web",
    "podman exec -l --user root sh -c id",
    "docker create --cap-add=SYS_PTRACE --pid=host --name dbg ubuntu",
};

static const char *const other_lines[] = {
    "/usr/sbin/sshd -D -R",
    "bash -c ps aux | grep nginx",
    "/usr/bin/python3 /opt/app/manage.py runserver 0.0.0.0:8000",
    "curl -fsSL https://example.com/install.sh -o /tmp/install.sh",
    "/bin/sh -c /usr/lib/apt/apt.systemd.daily update",
    "ls -la /var/log",
    "/usr/lib/systemd/systemd-journald",
    "java -Xmx2g -jar /opt/app/service.jar --spring.profiles.active=prod",
    "containerd-shim-runc-v2 -namespace moby -id 4f2a -address /run/containerd/containerd.sock",
    "/usr/bin/kubelet --config=/var/lib/kubelet/config.yaml --container-runtime-endpoint=unix:///run/containerd/containerd.sock",
};

static const char *const dockerd_lines[] = {
    "/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock",
    "dockerd -H fd:// -H tcp://0.0.0.0:2375",
    "dockerd -H tcp://127.0.0.1:2375",
    "dockerd --tlsverify --tlscacert ca.pem --tlscert server-cert.pem --tlskey server-key.pem -H=0.0.0.0:2376",
    "dockerd --tls -H tcp://0.0.0.0:2376",
    "docker daemon -H tcp://[::]:2375 --iptables=false",
    "docker -d -H unix:///var/run/docker.sock -H tcp://0.0.0.0:4243",
    "docker ps",
};

struct line {
    vstr argv[MAX_WORDS];
    uint32_t argc;
};

static uint64_t rng_state;
static uint32_t rng(void) {
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33);
}

/* One template split into argv; the words live in a buffer of their own. */
static void split_template(struct line *l, const char *text) {
    size_t cap = strlen(text) + 1;
    char *buf = malloc(cap);
    if (!buf) { perror("malloc"); exit(1); }
    l->argc = runtime_split_words(vstr_c(text), buf, cap, l->argv, MAX_WORDS);
}

static struct line *templates(const char *const *text, size_t n) {
    struct line *t = calloc(n, sizeof *t);
    if (!t) { perror("calloc"); exit(1); }
    for (size_t k = 0; k < n; k++) split_template(&t[k], text[k]);
    return t;
}

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* One pass over the lines; a checksum of what the parses found. */
static uint64_t pass(const struct line *const *lines, size_t n, bool dockerd) {
    uint64_t sum = 0;
    for (size_t k = 0; k < n; k++) {
        const struct line *l = lines[k];
        if (dockerd) {
            struct dockerd_cmd d;
            if (dockerd_cmd_parse(l->argv, l->argc, &d)) sum += d.n_hosts * 3u + d.tlsverify + (d.n_hosts ? d.hosts[0].port : 0);
        } else {
            struct runtime_cmd rc;
            if (runtime_cmd_parse(l->argv, l->argc, &rc))
                sum += rc.verb + rc.n_mounts * 7u + rc.privileged + rc.cmd_at + rc.image.n;
        }
    }
    return sum;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    size_t n = 1000000;
    int passes = 5;
    uint64_t seed = 1;
    const char *workload = "run";
    int c;
    while ((c = getopt(argc, argv, "n:p:s:w:")) != -1) {
        switch (c) {
        case 'n': n = strtoull(optarg, NULL, 10); break;
        case 'p': passes = atoi(optarg); break;
        case 's': seed = strtoull(optarg, NULL, 10); break;
        case 'w': workload = optarg; break;
        default:
            fprintf(stderr, "usage: runtime_cmd_bench [-n LINES] [-p PASSES] [-s SEED] [-w run|host|dockerd]\n");
            return 2;
        }
    }
    if (!n || passes < 1 || passes > 99) { fprintf(stderr, "runtime_cmd_bench: bad -n or -p\n"); return 2; }
    bool dockerd = strcmp(workload, "dockerd") == 0, host = strcmp(workload, "host") == 0;
    if (!dockerd && !host && strcmp(workload, "run") != 0) { fprintf(stderr, "runtime_cmd_bench: bad -w\n"); return 2; }

    struct line *rt = templates(runtime_lines, N_OF(runtime_lines));
    struct line *other = templates(other_lines, N_OF(other_lines));
    struct line *dd = templates(dockerd_lines, N_OF(dockerd_lines));
    const struct line **lines = malloc(n * sizeof *lines);
    if (!lines) { perror("malloc"); return 1; }
    rng_state = seed;
    for (size_t k = 0; k < n; k++) {
        if (dockerd) lines[k] = &dd[rng() % N_OF(dockerd_lines)];
        else if (host && rng() % 100 >= 5) lines[k] = &other[rng() % N_OF(other_lines)];
        else lines[k] = &rt[rng() % N_OF(runtime_lines)];
    }

    double ns[99];
    uint64_t first = 0;
    for (int p = 0; p < passes; p++) {
        double t0 = now_ns();
        uint64_t sum = pass(lines, n, dockerd);
        ns[p] = (now_ns() - t0) / (double)n;
        if (p == 0) first = sum;
        else if (sum != first) { fprintf(stderr, "runtime_cmd_bench: checksum differs between passes\n"); return 1; }
    }
    qsort(ns, (size_t)passes, sizeof *ns, cmp_double);
    printf("workload=%s lines=%zu passes=%d median_ns_per_line=%.1f min=%.1f max=%.1f checksum=%" PRIu64 "\n",
           workload, n, passes, ns[passes / 2], ns[0], ns[passes - 1], first);
    return 0;
}
