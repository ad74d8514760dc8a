/* Configuration: one YAML file, every key documented in docs/CONFIG.md with
 * its default and unit. The schema is a table (config.c), so parsing,
 * validation, `vigil config --dump` and the docs all come from one place.
 * An unknown key is an error that names the key. */
#ifndef VIGIL_CONFIG_H
#define VIGIL_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct strlist { char **v; size_t n; };

struct vigil_config {
    /* input.* */
    int64_t allowed_lateness_us;        /* input.allowed_lateness, default 20m */
    uint32_t reject_report_limit;       /* input.reject_report_limit, default 5 */
    bool progress;                      /* input.progress, default true (only on a terminal) */
    uint32_t max_processes;             /* input.max_processes, default 100000: process tree bound */
    uint32_t max_containers;            /* input.max_containers, default 20000: container table bound */

    /* alerts.* */
    int64_t aggregation_window_us;      /* alerts.aggregation_window, default 24h */
    uint32_t max_open_alerts;           /* alerts.max_open, default 100000 */
    uint32_t max_evidence;              /* alerts.max_evidence, default 5 */
    struct strlist disabled_types;      /* alerts.disabled_types, default []: types or "prefix.*" */

    /* groups.*: switch a family of alert types on or off at once */
    bool group_arm_location;            /* groups.arm_location.enabled, default true */

    /* detectors.k8s.* */
    struct {
        bool enabled;                           /* default true */
        int64_t learning_period_us;             /* default 7d: kube-system image learning */
        uint32_t max_learned_images;            /* default 10000 */
        uint32_t max_tracked_workloads;         /* default 100000 */
        bool only_successful;                   /* default true: skip denied/failed requests */
        struct strlist system_namespaces;       /* default [kube-system] */
        struct strlist system_image_allowlist;  /* image prefixes always normal in system namespaces */
        struct strlist privileged_image_allowlist;
        struct strlist sensitive_mount_image_allowlist;
        struct strlist trusted_users;           /* actors whose changes never alert (GitOps, bootstrap) */
        struct strlist sensitive_host_paths;    /* hostPath prefixes */
        struct strlist miner_image_tokens;      /* matched on image path segments */
        struct strlist miner_command_indicators;/* substrings of command/args/env */
        struct strlist dashboard_names;         /* service / selector values naming the dashboard */
        struct strlist privileged_rule_resources; /* resources whose write access is high privilege */
    } k8s;

    /* detectors.network.* */
    struct {
        bool enabled;                           /* default true */
        struct strlist ssh_ports;               /* default [22]: TCP */
        struct strlist rdp_ports;               /* default [3389]: TCP and UDP */
        bool count_internal_peers;              /* default false: private and own addresses are not peers */
        bool malicious_inbound;                 /* default true: net.malicious.peer also when the address called in */
        int64_t learning_window_us;             /* default 7d: history a baseline spans */
        int64_t min_history_us;                 /* default 24h: own history before it is used */
        uint32_t score_k;                       /* default 5: spreads above the median */
        uint32_t busy_hour_percentile;          /* default 95: the history's busy hours */
        uint32_t busy_hour_margin;              /* default 150 (%): never alert below busy x this */
        uint32_t outbound_min_connections;      /* floors, sampled units */
        uint32_t outbound_min_peers;
        uint32_t inbound_min_connections;
        uint32_t inbound_min_peers;
        uint32_t cold_start_factor;             /* floor multiplier with no baseline at all */
        uint32_t max_vms_per_hour;
        uint32_t max_peers_per_vm;              /* per (VM, service, direction, hour) */
        uint32_t max_tracked_peers;             /* across every open hour */
        uint32_t max_baseline_vms;
        uint32_t top_peers;                     /* peers named in an alert */
    } network;
    /* detectors.arm.*: the management layer (docs/MANAGEMENT.md) */
    struct {
        bool enabled;                           /* default true */
        int64_t pair_timeout_us;                /* default 1h: a started operation waits this long for its outcome */
        uint32_t max_principals;                /* profiles kept */
        uint32_t max_usage;                     /* organisation address/country entries kept */
        uint32_t max_pending;                   /* started operations awaiting their outcome */
        struct strlist trusted_principals;      /* object ids, UPNs or app ids never alerted on */
        struct strlist persistence_operations;  /* operation names (case-insensitive; trailing '*' = prefix) */
        /* arm.toolkit.microburst */
        struct strlist credential_operations;   /* operation-name suffixes that reveal credentials */
        int64_t microburst_window_us;           /* default 15m */
        uint32_t microburst_min_resources;      /* distinct resources with a credential operation */
        uint32_t microburst_min_kinds;          /* distinct credential-operation kinds */
        uint32_t microburst_min_vms;            /* runCommand on this many VMs */
        int64_t microburst_lookback_us;         /* default 14d: a fan-out must beat the principal's own */
        int64_t runbook_window_us;              /* create -> test/start -> delete within this */
        /* arm.toolkit.azurite */
        struct strlist azurite_resource_types;  /* resource types Azurite reads */
        int64_t azurite_window_us;
        uint32_t azurite_min_types;
        /* arm.session.* */
        int64_t dormancy_us;                    /* default 45d */
        int64_t min_history_us;                 /* default 7d: the org history before dormancy/PowerShell can be judged */
        struct strlist powershell_appids;
        int64_t powershell_lookback_us;         /* default 45d */
        uint32_t powershell_min_ops;            /* history a principal needs before its habits count */
        /* arm.persistence.custom_role */
        struct strlist builtin_role_ids;        /* role definition GUIDs that are built in */
        struct strlist privileged_role_actions; /* actions that make a custom role privileged */
        bool custom_role_only_privileged;       /* default true */
        /* arm.location.* (src/detect/arm_location.c) keys follow the marker in config.c */
        int64_t location_learning_us;           /* default 7d, per principal and organisation */
        int64_t location_lookback_us;           /* default 30d */
        struct strlist trusted_ranges;          /* CIDRs: the organisation's VPN / office egress */
        uint32_t org_common_principals;         /* an address/country used by this many others is the org's */
        struct strlist anonymous_flags;         /* MaxMind flags that count as anonymous */
        uint32_t travel_min_distance_km;
        uint32_t travel_min_speed_kmh;
    } arm;

    /* detectors.keyvault.*: Key Vault audit logs (docs/KEYVAULT.md) */
    struct {
        bool enabled;                           /* default true */
        int64_t learning_period_us;             /* default 7d: a vault's own history before "unusual" */
        int64_t lookback_us;                    /* default 30d: how long a member stays known */
        uint32_t max_vaults;
        uint32_t max_members;                   /* users, apps and pairs kept across all vaults */
        uint32_t max_identities;
        struct strlist trusted_apps;            /* app ids never judged (Azure Resource Graph, Policy) */
        struct strlist trusted_identities;      /* object ids / UPNs never judged */
        struct strlist data_operations;         /* operations that touch secrets, keys, certificates */
        /* kv.policy_change.secret_query */
        int64_t policy_window_us;               /* default 1h */
        /* kv.secret_list.secret_gets */
        int64_t list_window_us;                 /* default 30m */
        uint32_t list_min_secrets;              /* distinct secrets read after a list */
        /* kv.unusual.operation_pattern */
        struct strlist sensitive_operations;    /* never seen on this vault: unusual */
        uint32_t pattern_min_ops;               /* operations in the hour before the mix is judged */
        uint32_t pattern_distance;              /* percent: Jensen-Shannon distance that alerts */
        /* kv.volume.high */
        uint32_t volume_score_k;                /* spreads above the median */
        uint32_t volume_min_ops;                /* floor per hour */
        /* kv.user.many_vaults */
        uint32_t many_vaults_min;               /* floor: vaults in a day */
        uint32_t many_vaults_factor;            /* percent of the identity's busiest day */
    } keyvault;

    /* detectors.appservice.*: web, FTP and process analytics (docs/APPSERVICE.md) */
    struct appservice_config {
        bool enabled;                           /* default true */
        int64_t learning_period_us;             /* default 7d: a site's / host's history before "unusual" */
        int64_t lookback_us;                    /* default 30d: how long a learned visitor stays known */
        uint32_t max_sites;
        uint32_t max_members;                   /* learned entries over all sites */
        uint32_t max_clients;                   /* open per-client windows */
        struct strlist trusted_clients;         /* addresses / CIDRs never judged */
        struct strlist trusted_proxies;         /* c-ip values whose X-Forwarded-For is believed */
        /* the signature lists (detect/sigset.h syntax) */
        struct strlist sensitive_pages;
        struct strlist sensitive_page_exceptions;
        struct strlist vulnerable_pages;
        struct strlist scanner_user_agents;
        struct strlist fingerprint_user_agents;
        struct strlist fingerprint_probes;
        struct strlist cms_indicator_files;     /* "cms=pattern" */
        struct strlist static_extensions;
        struct strlist upload_folders;
        struct strlist php_extensions;
        struct strlist command_query_params;
        struct strlist web_workers;
        struct strlist linux_commands;
        struct strlist php_code_indicators;
        struct strlist php_child_processes;
        struct strlist php_allowlist;
        struct strlist temp_folders;
        struct strlist high_privilege_commands;
        struct strlist process_allowlist;
        bool require_web_parent;                /* default true: app.process.* only under a web worker */
        /* windows and thresholds */
        int64_t client_window_us;               /* default 10m: one client's requests judged together */
        int64_t theme_window_us;                /* default 1h: theme edit then direct call */
        uint32_t direct_min_clients;            /* default 3: learned-normal direct PHP files */
        uint32_t upload_guard_max_bytes;        /* default 64: an empty index.php guard */
        uint32_t fingerprint_min_indicators;    /* default 3 */
        uint32_t fingerprint_min_cms;           /* default 2 */
        uint32_t scan_min_requests;             /* default 20 */
        uint32_t scan_min_not_found_percent;    /* default 50 */
        uint32_t scan_min_vulnerable;           /* default 3: distinct vulnerable pages probed */
        int64_t ftp_session_timeout_us;         /* default 30m */
        int64_t cross_host_window_us;           /* default 1h */
        uint32_t cross_host_min_sites;          /* default 5 */
        uint32_t cross_host_max_clients;        /* default 8 */
        uint32_t cross_host_min_paths;          /* default 2 */
        uint32_t cross_host_min_not_found_percent; /* default 50 */
        uint32_t max_cross_host_paths;          /* paths tracked per window */
    } appservice;

    /* detectors.host.*: container hosts (docs/HOST.md). Program-name and
     * command-line lists use the signature syntax (detect/sigset.h); image
     * lists the image-prefix rule of strlist_match_image. The miner lists
     * and the privileged-image allowlist are the k8s layer's. */
    struct host_config {
        bool enabled;                           /* default true */
        int64_t run_link_window_us;             /* default 30s: docker run -> its container's create */
        struct strlist runtime_processes;       /* exact basenames: containerd-shim*, runc, conmon ... */
        struct strlist escape_programs;         /* program names: mount, nsenter, chroot ... */
        struct strlist escape_arguments;        /* command lines: release_agent, /dev/sd* ... */
        struct strlist escape_image_allowlist;  /* CSI drivers, storage and network agents */
        struct strlist ssh_server_programs;     /* program names: sshd, dropbear */
        struct strlist ssh_server_image_allowlist; /* git servers, SFTP, bastions */
        struct strlist miner_programs;          /* program names: xmrig, minerd ... */
        struct strlist http_clients;            /* program names: curl, wget, python ... */
        struct strlist kubectl_programs;        /* program names: kubectl, oc */
        struct strlist api_targets;             /* command lines that address the API server */
        struct strlist api_credentials;         /* command lines that carry a token */
        struct strlist api_client_image_allowlist; /* operators and controllers */
        struct strlist api_client_namespaces;   /* pods here are never judged (kube-system) */
        struct strlist dashboard_targets;       /* command lines that address the dashboard */
        struct strlist dashboard_image_allowlist; /* the dashboard, its scraper, ingress controllers */
    } host;

    /* run.*: the streaming daemon (vigil run --config FILE) */
    struct {
        char *ipfix_udp;                        /* "0.0.0.0:4739"; NULL: no listener */
        char *netflow_udp;                      /* "0.0.0.0:2055" */
        char *ipfix_tcp;                        /* "0.0.0.0:4739" */
        uint32_t socket_buffer;                 /* bytes, default 32 MiB */
        uint32_t max_tcp_connections;           /* default 64 */
        char *state;                            /* state directory; NULL: keep nothing */
        char *alerts;                           /* alert output; NULL or "-": stdout */
        struct strlist intel;                   /* "[LABEL=]FILE" each */
        struct strlist geoip;                   /* MaxMind DB files */
        char *inventory;                        /* NULL: none */
        char *flow_log;                         /* every decoded flow as JSON lines; NULL: none */
        int64_t stats_interval_us;              /* default 60s; 0: only on SIGUSR1 and at exit */
        int64_t checkpoint_interval_us;         /* default 5m; 0: only at exit */
        int64_t idle_advance_us;                /* default 5m; 0: the watermark moves only with flows */
    } run;
};

/* Fill cfg with the defaults (allocates the lists: pair with config_free). */
void config_defaults(struct vigil_config *cfg);
/* Load a YAML file over what cfg holds (the defaults from config_defaults,
 * or an earlier load): keys in the file replace those values, a list in the
 * file replaces the whole list. On error returns -1, leaves cfg unchanged
 * and writes one line (file:line: what is wrong, naming the key) into err. */
int config_load(struct vigil_config *cfg, const char *path, char *err, size_t errlen);
/* Print the effective configuration as YAML with a comment per key
 * (its meaning, default and unit): the output is itself a valid config. */
void config_dump(const struct vigil_config *cfg, FILE *out);
/* The key reference of docs/CONFIG.md (Markdown), from the same table. */
void config_doc_markdown(FILE *out);
bool config_equal(const struct vigil_config *a, const struct vigil_config *b);
void config_free(struct vigil_config *cfg);

/* List matching. Each list's documented meaning (docs/CONFIG.md) is
 * implemented here once, so every detector reads a list the same way.
 * The match functions return the matching entry (for alert evidence) or
 * NULL. */
bool strlist_has(const struct strlist *l, const char *s, size_t n); /* exact */
/* The image repository: tag and digest removed, and a leading docker.io/,
 * index.docker.io/ and library/ removed. Points into image. */
void image_repository(const char *image, size_t n, const char **repo, size_t *repo_n);
/* Image allowlists: an entry matches the repository of image when equal to
 * it or a path prefix of it ("calico" matches calico/node); an entry ending
 * in '/' or '.' is a plain string prefix. The longest match wins. */
const char *strlist_match_image(const struct strlist *l, const char *image, size_t n);
/* Sensitive host paths: after normalisation ('//', '.', '..', trailing '/'),
 * a path matches an entry it equals, lies under, or contains (mounting /var
 * exposes /var/run/docker.sock). The entry "/" matches only the root. The
 * most specific entry wins. */
const char *strlist_match_path(const struct strlist *l, const char *path, size_t n);
/* Words: an entry matches where it occurs in s case-insensitively, bounded
 * on both sides by the ends of s or one of / . - _ : @ */
const char *strlist_match_word(const struct strlist *l, const char *s, size_t n);
/* Case-insensitive substring. */
const char *strlist_match_substring(const struct strlist *l, const char *s, size_t n);
#endif
