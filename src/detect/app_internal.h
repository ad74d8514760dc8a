/* Shared between the App Service detector's files: detect/appservice.c
 * (web requests and FTP), detect/app_process.c (process starts) and
 * detect/app_sweep.c (cross-site sweeps). Not an API for anything else. */
#ifndef VIGIL_APP_INTERNAL_H
#define VIGIL_APP_INTERNAL_H
#include <stdbool.h>
#include <stdint.h>
#include "config/config.h"
#include "detect/detector.h"
#include "detect/sigset.h"
#include "state/ptable.h"
#include "state/seen.h"
#include "util/ip.h"

#define APP_SITE_MAX 128
#define APP_PATH_MAX 200
#define APP_UA_MAX 160
#define APP_MAX_CMS 64
#define APP_EVIDENCE 5

struct cidr { struct ipaddr net; unsigned plen; };
struct cidr_list { struct cidr *v; size_t n; };

/* Every signature list of the config, compiled once. */
struct app_sigs {
    struct sigset *sensitive, *sensitive_exc, *vulnerable, *scanner_ua, *fp_ua, *fp_probe, *cms;
    struct sigset *static_ext, *upload, *php_ext, *cmd_params;
    struct sigset *web_workers, *linux_cmds, *php_code, *php_children, *php_allow, *temp, *high_priv,
        *proc_allow;
    uint8_t *cms_of;                    /* pattern id of cms -> application index */
    char cms_names[APP_MAX_CMS][32];
    unsigned n_cms;
};

struct sweep;                           /* detect/app_sweep.c */

struct app_det {
    const struct vigil_config *cfg;
    struct app_sigs sig;
    struct cidr_list trusted_clients, trusted_proxies;
    /* persisted */
    struct seenset *profiles;           /* "s\x1fsite" / "h\x1fhost": first record (learning start) */
    struct seenset *sensitive_seen;     /* "site\x1fip" and "site\x1f/24": visitors of sensitive pages */
    struct seenset *direct_clients;     /* "site\x1fpath\x1fip": who called a PHP file directly (learning) */
    struct seenset *direct_paths;       /* "site\x1fpath": how many clients did (learning) */
    struct seenset *temp_programs;      /* "host\x1fpath shape": programs run from temp while learning */
    /* in memory */
    struct ptable clients;              /* struct client_win *, by site + client */
    struct ptable sites;                /* struct site_mem *, by site: theme-editor use */
    struct ptable ftp;                  /* struct ftp_session *, by site + session */
    struct sweep *sweep;
    struct detect_ctx *ctx;
    int64_t last_sweep_us;
    uint64_t requests, ftp_lines, processes, no_client, trusted, learning, windows_judged;
    uint64_t windows_dropped, sessions_dropped, proc_no_web, proc_judged;
};

/* A site or host profile: when its first record came; *learning tells
 * whether it is still inside the learning period at t. */
int64_t app_profile_start(struct app_det *d, char kind, vstr name, int64_t t_us, bool *learning);

/* Copy s into dst (cap bytes, NUL-terminated, cut if longer). */
void app_copy(char *dst, size_t cap, vstr s);

/* process starts: detect/app_process.c */
void app_on_process(struct app_det *d, const struct event *ev);

/* cross-site sweeps: detect/app_sweep.c */
struct sweep *sweep_new(const struct vigil_config *cfg);
void sweep_free(struct sweep *s);
/* One request of a client (path already normalised, static files left out). */
void sweep_note(struct sweep *s, struct app_det *d, const struct event *ev, vstr site, const struct ipaddr *ip,
                vstr path);
/* Close the windows that ended before watermark (all of them when all). */
void sweep_close(struct sweep *s, struct app_det *d, int64_t watermark_us, bool all);
void sweep_report(const struct sweep *s, buf *out);
#endif
