/* The typed event: what every decoder produces and every detector consumes.
 *
 * A common header (event time, layer, where it came from) plus one struct
 * per layer. Strings are vstr slices into the input buffer, the decoder's
 * parser or the decoder's per-record arena: they stay valid until the
 * decoder that produced the event is asked for its next record. A detector
 * that keeps anything past on_event copies it (state/ has interning). */
#ifndef VIGIL_EVENT_H
#define VIGIL_EVENT_H
#include <stdbool.h>
#include <stdint.h>
#include "util/ip.h"
#include "util/str.h"

enum layer {
    LAYER_NETWORK    = 1u << 0,
    LAYER_MGMT       = 1u << 1,
    LAYER_KEYVAULT   = 1u << 2,
    LAYER_APPSERVICE = 1u << 3,
    LAYER_K8S        = 1u << 4,
    LAYER_HOST       = 1u << 5,
};

enum event_kind {
    EV_K8S_AUDIT = 1,
    EV_FLOW,
    EV_MGMT_OP,
    EV_KV_OP,
    EV_HTTP_REQ,
    EV_FTP_CMD,
    EV_PROC_EXEC,
    EV_CONTAINER,
};

/* Where a record came from, for evidence: the input as the user named it
 * and the byte offset of the record (of the line, for JSON lines; of the
 * message, for flow export files). For a pcap capture the offset is the
 * packet's number in it (Wireshark's frame number), and item the flow
 * record's position in the message. */
struct source_pos {
    const char *input;
    uint64_t offset;
    uint32_t item;      /* 1-based element of a batch document ({"records":[...]},
                         * an EventList's items) at that offset; 0 for none */
};

/* ---- Kubernetes audit (audit.k8s.io Event) -------------------------- */

enum k8s_container_list { K8S_CONTAINERS, K8S_INIT_CONTAINERS, K8S_EPHEMERAL_CONTAINERS };

struct k8s_mount {
    vstr name, mount_path;
    bool read_only;
};

struct k8s_container {
    vstr name, image;
    enum k8s_container_list list;
    bool privileged;
    bool allow_privilege_escalation;
    vstr *caps_add; uint32_t n_caps_add;
    vstr *command; uint32_t n_command;   /* command[] then args[] */
    vstr *env_values; uint32_t n_env_values;
    struct k8s_mount *mounts; uint32_t n_mounts;
};

struct k8s_volume {
    vstr name, host_path;                 /* host_path empty unless hostPath */
};

struct k8s_podspec {
    struct k8s_container *containers; uint32_t n_containers;
    struct k8s_volume *volumes; uint32_t n_volumes;
    bool host_network, host_pid, host_ipc;
};

struct k8s_rule {
    vstr *verbs; uint32_t n_verbs;
    vstr *resources; uint32_t n_resources;
    vstr *api_groups; uint32_t n_api_groups;
    vstr *non_resource_urls; uint32_t n_non_resource_urls;
    vstr *resource_names; uint32_t n_resource_names;   /* empty: every object */
};

struct k8s_subject { vstr kind, name, ns; };

struct k8s_kv { vstr key, value; };

struct k8s_port { int64_t port, node_port; vstr target_port, name; };

/* metadata.ownerReferences: the one marked controller (else the first). */
struct k8s_owner { vstr kind, name, uid; };

/* The object a request created or changed, reduced to what detectors use.
 * Only the parts that exist for its kind are filled. */
struct k8s_object {
    bool present;
    vstr kind, name, ns, generate_name, uid;
    struct k8s_owner owner;             /* kind empty: no owner */
    struct k8s_kv *labels; uint32_t n_labels;
    struct k8s_kv *annotations; uint32_t n_annotations;
    /* Pod, or the pod template of a workload (Deployment, ReplicaSet,
     * StatefulSet, DaemonSet, Job, CronJob). */
    bool has_podspec;
    struct k8s_podspec pod;
    /* Role / ClusterRole */
    struct k8s_rule *rules; uint32_t n_rules;
    bool has_aggregation_rule;
    /* RoleBinding / ClusterRoleBinding */
    vstr role_ref_kind, role_ref_name;
    struct k8s_subject *subjects; uint32_t n_subjects;
    /* Service */
    vstr service_type;
    struct k8s_kv *selector; uint32_t n_selector;
    struct k8s_port *ports; uint32_t n_ports;
    vstr *external_ips; uint32_t n_external_ips;
    vstr *lb_source_ranges; uint32_t n_lb_source_ranges;
    /* Ingress: backend service names */
    vstr *backend_services; uint32_t n_backend_services;
};

struct k8s_audit {
    vstr audit_id, stage, level, verb, request_uri;
    vstr user, impersonated_user, user_agent;
    vstr *groups; uint32_t n_groups;
    vstr *source_ips; uint32_t n_source_ips;
    vstr resource, subresource, ns, name, api_group;
    int64_t code;                        /* responseStatus.code, 0 if absent */
    vstr decision;                       /* authorization.k8s.io/decision */
    vstr cluster;                        /* AKS resourceId, or "" */
    bool has_request_object, has_response_object;
    /* The object after the request: responseObject when it is a full
     * object (patch and update carry only the change in requestObject),
     * requestObject otherwise. */
    struct k8s_object obj;
};

/* ---- flow record (IPFIX, NetFlow v9 / v5) ---------------------------- */

/* One flow record as the exporter sent it, normalised: addresses in the
 * one 16-byte form (util/ip.h), times absolute, counters as sampled. A
 * field the template did not carry is 0 and its FLOW_HAS_ bit is clear. */
enum flow_has {
    FLOW_HAS_PORTS     = 1u << 0,
    FLOW_HAS_TCP_FLAGS = 1u << 1,
    FLOW_HAS_TIMES     = 1u << 2,       /* start/end from the record; else export time */
    FLOW_HAS_DIRECTION = 1u << 3,
    FLOW_HAS_SAMPLING  = 1u << 4,       /* sampling known (sampling >= 1) */
    FLOW_HAS_REVERSE   = 1u << 5,       /* RFC 5103 biflow: reverse counters */
};

struct flow_exporter {
    struct ipaddr addr;                 /* zero for a file without transport */
    uint16_t port;
    uint32_t odid;                      /* observation domain (v9: source id) */
    uint8_t version;                    /* 5, 9 or 10 */
};

struct flow {
    struct ipaddr src, dst;
    uint16_t src_port, dst_port;        /* ICMP: 0 */
    uint8_t proto;                      /* IANA protocol number */
    uint8_t tcp_flags;                  /* tcpControlBits, low 8 bits */
    uint8_t direction;                  /* flowDirection: 0 ingress, 1 egress */
    uint8_t end_reason;                 /* flowEndReason, 0 when absent */
    uint32_t has;                       /* enum flow_has */
    uint64_t packets, octets;           /* as counted by the exporter (sampled) */
    uint64_t rev_packets, rev_octets;   /* biflow reverse direction */
    int64_t start_us, end_us;
    /* 1:N packet sampling in force for this record (1 = every packet);
     * 0 when the export says nothing about sampling. */
    uint32_t sampling;
    uint16_t template_id;               /* 0 for NetFlow v5 */
    const struct flow_exporter *exporter;
};

/* ---- Azure Resource Manager operation (activity log) ------------------ */

/* Where the record stands in its operation's life. A Write, Delete or
 * Action is logged twice under one correlationId: when it starts
 * (BeginRequest, status Started) and when it ends (EndRequest: Succeeded,
 * Failed; asynchronous ones pass through Accepted first). The detector
 * pairs them so an operation counts once, with its outcome. */
enum mgmt_phase {
    MGMT_PHASE_SINGLE = 0,              /* not part of a pair (no correlationId, a read, health events) */
    MGMT_PHASE_BEGIN,                   /* Started / Start */
    MGMT_PHASE_ACCEPTED,                /* Accepted: started, outcome still to come */
    MGMT_PHASE_END,                     /* Succeeded / Success / Failed / Failure / Canceled ... */
};

enum mgmt_outcome {
    MGMT_OUTCOME_UNKNOWN = 0,           /* no status, or one we do not know */
    MGMT_OUTCOME_STARTED,
    MGMT_OUTCOME_ACCEPTED,
    MGMT_OUTCOME_SUCCEEDED,
    MGMT_OUTCOME_FAILED,                /* Failed, Failure, Canceled, Cancelled */
};

enum mgmt_principal_kind {
    MGMT_PRINCIPAL_UNKNOWN = 0,
    MGMT_PRINCIPAL_USER,                /* idtyp user, a upn, evidence principalType User */
    MGMT_PRINCIPAL_APP,                 /* service principal or managed identity (idtyp app, appidacr 1/2 without upn) */
};

/* properties.requestbody of a role assignment write:
 * {"properties":{"roleDefinitionId":..., "principalId":..., "principalType":..., "scope":...}}
 * (key case varies: RoleDefinitionId / roleDefinitionId). */
struct mgmt_role_assignment {
    bool present;
    vstr role_definition_id;            /* as written: /subscriptions/.../roleDefinitions/<guid> or a bare guid */
    vstr principal_id, principal_type, scope;
};

/* properties.requestbody of a role definition write:
 * {"properties":{"roleName":..., "type":"CustomRole", "permissions":[{"actions":[...],
 *  "notActions":[...], "dataActions":[...]}], "assignableScopes":[...]}} */
struct mgmt_role_definition {
    bool present;
    vstr role_name, role_type;
    vstr *actions; uint32_t n_actions;            /* actions and dataActions of every permission */
    vstr *not_actions; uint32_t n_not_actions;
    vstr *assignable_scopes; uint32_t n_assignable_scopes;
};

/* One activity-log record, from either serialisation (the diagnostic
 * export or the REST / portal event), normalised. Absent fields are empty
 * slices. Names keep the record's case; compare case-insensitively. */
struct mgmt_op {
    vstr operation;                     /* operationName(.value): MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE */
    vstr category;                      /* Administrative, Write, Action, Delete, Policy, ResourceHealth ... */
    vstr resource_id;
    vstr subscription;                  /* subscriptionId, or parsed out of resourceId */
    vstr resource_group;
    vstr correlation_id;
    vstr operation_id;                  /* REST operationId / eventDataId when present */
    vstr status;                        /* resultType or status.value as written */
    vstr sub_status;                    /* resultSignature or subStatus.value */
    enum mgmt_phase phase;
    enum mgmt_outcome outcome;
    bool is_read;                       /* operation ends in /read (a source that logs reads) */
    /* who */
    vstr caller;                        /* REST caller, else upn, else name claim */
    vstr object_id;                     /* oid claim (objectidentifier), or evidence principalId */
    vstr upn, name, appid, idtyp, tenant_id, auth_methods;
    enum mgmt_principal_kind principal_kind;
    /* from where */
    vstr caller_ip_text;                /* callerIpAddress / httpRequest.clientIpAddress / ipaddr claim */
    bool has_ip;                        /* caller_ip_text parsed as an address */
    struct ipaddr caller_ip;
    vstr http_method;                   /* httpRequest.method, when present */
    vstr user_agent;                    /* only sources that log requests carry one */
    /* authorization */
    vstr authz_action, authz_scope;
    vstr evidence_role, evidence_role_assignment_id, evidence_role_definition_id;
    vstr evidence_principal_id, evidence_principal_type;
    /* properties.requestbody (requestBody), when it is one of these */
    struct mgmt_role_assignment assignment;
    struct mgmt_role_definition role_def;
};

/* ---- Key Vault operation (AuditEvent) -------------------------------- */

/* properties.addedAccessPolicy / removedAccessPolicy of a VaultPut or
 * VaultPatch (ObjectId, ApplicationId, Permissions{keys,secrets,certificates}). */
struct kv_policy {
    bool present;
    vstr object_id, application_id, tenant_id;
    vstr *keys; uint32_t n_keys;
    vstr *secrets; uint32_t n_secrets;
    vstr *certificates; uint32_t n_certificates;
};

/* One Key Vault audit record, from the diagnostic export, the Managed HSM
 * array, or the Log Analytics (AzureDiagnostics) flattening, normalised.
 * Absent fields are empty slices; compare names case-insensitively. */
struct kv_op {
    vstr operation;                     /* SecretGet, VaultPatch, KeyDecrypt ... */
    vstr operation_version;             /* api-version */
    vstr resource_id;
    vstr vault;                         /* last segment of resourceId, else the host label of
                                         * properties.id / requestUri (<vault>.vault.azure.net) */
    vstr subscription, resource_group;
    vstr result_type, result_signature, result_description;
    int32_t http_status;                /* properties.httpStatusCode; 0 when absent */
    bool success;                       /* 2xx, or no status and resultType Success */
    vstr correlation_id;
    /* who: identity.claim in short (oid, upn, appid) or URI names */
    vstr object_id, upn, name, appid, tenant_id;
    enum mgmt_principal_kind principal_kind;
    /* from where */
    vstr caller_ip_text;
    bool has_ip;
    struct ipaddr caller_ip;
    /* properties */
    vstr client_info;                   /* user agent, or an app id */
    vstr request_uri;
    vstr object_uri;                    /* properties.id: https://<vault>.vault.azure.net/secrets/<name>[/<version>] */
    vstr object_type;                   /* "secrets", "keys", "certificates", "deletedsecrets" ... from object_uri */
    vstr object_name;                   /* <name>, without version */
    bool via_arm;                       /* a control-plane call through ARM (clientInfo
                                         * azure-resource-manager/..., requestUri control-*.vaultcore...) */
    int8_t rbac_authorized;             /* properties.isRbacAuthorized: -1 absent, 0, 1 */
    int8_t enable_rbac;                 /* VaultPatch/Put properties.properties.enableRbacAuthorization: -1 absent */
    struct kv_policy added, removed;
};

/* ---- web request (App Service HTTP logs, IIS W3C, nginx/Apache) ------- */

/* One HTTP request as the server logged it, from AppServiceHTTPLogs (the
 * diagnostic export, JSON lines, Log Analytics rows), an IIS W3C extended
 * log, or the combined log format. Absent fields are empty slices ("-" in
 * the logs reads as empty); absent numbers are 0. */
struct http_req {
    vstr site;                          /* CsHost / cs-host, else s-sitename, else the
                                         * resource name of resourceId; lower case not guaranteed */
    vstr resource_id;                   /* AppServiceHTTPLogs resourceId / _ResourceId */
    vstr method;                        /* GET, POST ... */
    vstr uri_raw;                       /* cs-uri-stem exactly as logged (evidence) */
    vstr path;                          /* uri_raw normalised once (util/urlnorm.h): percent-decoded,
                                         * '//' collapsed, '/./' and '/../' resolved, ';params' cut;
                                         * case kept: match case-insensitively */
    vstr query;                         /* cs-uri-query without '?', raw */
    vstr user_agent;                    /* W3C '+' read as space */
    vstr referer, username;
    vstr client_ip_text;
    bool has_ip;
    struct ipaddr client_ip;            /* c-ip / CIp, or the trusted forwarded-for address */
    vstr forwarded_for;                 /* X-Forwarded-For column when logged */
    uint16_t status;                    /* sc-status; 0 when absent */
    uint16_t sub_status;
    uint32_t win32_status;
    uint16_t server_port;
    int64_t bytes_sent, bytes_received; /* sc-bytes, cs-bytes; -1 when absent */
    int64_t time_taken_ms;              /* -1 when absent */
    bool scm;                           /* the Kudu / SCM site (<app>.scm.azurewebsites.net) */
};

/* ---- FTP command or publishing login ---------------------------------- */

/* One line of an IIS FTP W3C log (cs-method carries the FTP verb: USER,
 * PASS, RETR, STOR, DELE, CWD, ControlChannelOpened ...), or one
 * AppServiceAuditLogs login (verb "LOGIN", protocol FTP / AAD / Basic ...).
 * x-session joins the lines of one FTP session. */
struct ftp_cmd {
    vstr site;                          /* s-sitename / cs-host, or the resource name */
    vstr resource_id;
    vstr session;                       /* x-session; empty for audit-log logins */
    vstr verb;                          /* upper case as logged */
    vstr arg;                           /* cs-uri-stem: the verb's argument (PASS is masked) */
    vstr full_path;                     /* x-fullpath */
    vstr user;                          /* cs-username (DOMAIN\\user kept) or Properties.User */
    vstr user_display;                  /* AppServiceAuditLogs UserDisplayName */
    vstr protocol;                      /* "FTP" for W3C FTP logs; Properties.Protocol for audit logs */
    vstr client_ip_text;
    bool has_ip;
    struct ipaddr client_ip;
    uint16_t client_port;               /* c-port, or the port of UserAddress "ip:port" */
    struct ipaddr server_ip;            /* s-ip; zero when absent */
    uint16_t server_port;
    uint16_t status;                    /* FTP reply code (230 logged in, 530 refused); 0 absent */
    uint32_t win32_status;
};

/* ---- process start (ECS process events, Linux auditd) ------------------ */

enum proc_os { PROC_OS_UNKNOWN = 0, PROC_OS_LINUX, PROC_OS_WINDOWS, PROC_OS_MACOS };

/* One process start (execve), from an ECS JSON line (Auditbeat, Winlogbeat
 * and Sysmon, Elastic Agent: event.category process, event.type start) or
 * from the auditd records of one event (SYSCALL + EXECVE + CWD + PATH +
 * PROCTITLE sharing msg=audit(time:serial)), normalised. The App Service
 * and container-host detectors both consume it. Unknown numbers are -1. */
struct proc_exec {
    vstr host;                          /* host.name / host.hostname, or auditd node= */
    enum proc_os os;                    /* host.os.type / family; auditd: Linux */
    int64_t pid, ppid;
    vstr exe;                           /* process.executable / SYSCALL exe (hex decoded) */
    vstr name;                          /* process.name / comm; else the basename of exe */
    vstr *argv; uint32_t argc;          /* process.args / EXECVE a0..aN (hex and aN[i] pieces joined) */
    vstr command_line;                  /* process.command_line, else argv joined by spaces */
    vstr cwd;
    vstr user;                          /* user.name / auditd uid as logged (interpreted name if given) */
    int64_t uid, euid, auid;            /* auditd numbers; auid 4294967295 (unset) reads as -1 */
    vstr parent_exe, parent_name;       /* process.parent.*; empty from auditd (walk ppid instead) */
    vstr parent_command_line;
    int64_t parent_pid_ecs;             /* process.parent.pid when given (else -1) */
    vstr container_id;                  /* container.id, or parsed from a cgroup path; empty unknown */
    vstr container_image, container_name; /* container.image.name / container.name when given */
    vstr audit_key;                     /* SYSCALL key="..." (auditd rules' tag) */
    vstr tty;
    int8_t success;                     /* SYSCALL success=yes/no: 1/0; -1 unknown (ECS) */
    uint64_t serial;                    /* auditd event serial; 0 for ECS */
    /* Not a program start but a fork (auditd clone/fork/vfork, when those
     * syscalls are audited): pid is the child, ppid the caller, and exe,
     * name and argv are the caller's, which the child runs until it execs.
     * Web servers fork workers that never exec, and without these the
     * process tree cannot tie a worker's children to the server. Only the
     * process tree uses them; detectors skip them. */
    bool fork;
};

/* ---- container runtime event (docker events, docker inspect) ----------- */

enum container_source {
    CONTAINER_SRC_EVENTS = 0,           /* docker events (JSON, Engine API objects, the text form) */
    CONTAINER_SRC_INSPECT,              /* docker inspect: one container's configuration */
};

/* A host path bound into a container (HostConfig.Binds, Mounts of type
 * bind, or a -v/--mount of a run command line). */
struct container_mount {
    vstr source, destination;
    bool read_only;
};

/* One container runtime record, normalised.
 *
 * From docker events: Type/Action/Actor{ID,Attributes}/time/timeNano, or
 * the legacy status/id/from (API <= 1.21), or the default text output
 * ("<RFC3339Nano> container create <id> (image=..., name=...)"). The event
 * stream carries identity and lifecycle only; the privilege fields stay
 * unknown (privileged -1, lists empty).
 *
 * From docker inspect (a JSON array of container objects, or one per
 * line): identity plus HostConfig privileges, mounts and the command; the
 * event time is State.StartedAt (else Created) and action is "inspect".
 *
 * Absent strings are empty; unknown numbers are -1. */
struct container_event {
    enum container_source source;
    vstr host;                          /* a shipper's host name when the record has one; else empty */
    vstr type;                          /* container, image, network, volume, daemon, plugin ...;
                                         * legacy records: "container" when from is set, else "image" */
    vstr action;                        /* create, start, die, destroy, exec_create, exec_start, kill ...:
                                         * the Action (or status) up to its first ':' */
    vstr exec_command;                  /* exec_create / exec_start: the command after "exec_start: " */
    vstr id;                            /* Actor.ID / id / Id: a container id (64 hex), image or network id */
    vstr image;                         /* Attributes.image / from / Config.Image */
    vstr name;                          /* Attributes.name / Name without its leading '/' */
    vstr exec_id;                       /* Attributes.execID */
    int64_t exit_code;                  /* die: Attributes.exitCode, inspect State.ExitCode; -1 */
    struct k8s_kv *attributes; uint32_t n_attributes; /* every Actor.Attributes pair (labels included),
                                         * inspect: Config.Labels */
    vstr pod_name, pod_namespace, k8s_container; /* io.kubernetes.pod.name / .pod.namespace /
                                         * .container.name labels when present */
    vstr scope;                         /* local / swarm */
    /* docker inspect only */
    int8_t privileged;                  /* HostConfig.Privileged: 1, 0; -1 unknown */
    vstr *cap_add; uint32_t n_cap_add;  /* HostConfig.CapAdd */
    vstr pid_mode, network_mode, ipc_mode, userns_mode; /* "host" when shared with the host */
    vstr *security_opt; uint32_t n_security_opt; /* apparmor=unconfined, seccomp=unconfined ... */
    struct container_mount *mounts; uint32_t n_mounts; /* bind mounts (Binds, Mounts of type bind) */
    vstr *devices; uint32_t n_devices;  /* HostConfig.Devices PathOnHost */
    vstr *cmd; uint32_t n_cmd;          /* Config.Entrypoint then Config.Cmd (Path + Args when absent) */
    vstr user;                          /* Config.User */
    int64_t pid;                        /* State.Pid: the container's first process, as the host
                                         * numbers it; 0 when not running; -1 unknown */
};

/* ---- the event -------------------------------------------------------- */

struct event {
    int64_t time_us;                     /* event time, UTC microseconds */
    enum layer layer;
    enum event_kind kind;
    struct source_pos pos;
    union {
        const struct k8s_audit *k8s;
        const struct flow *flow;        /* event time: flow start */
        const struct mgmt_op *mgmt;     /* event time: time / eventTimestamp */
        const struct kv_op *kv;         /* event time: time */
        const struct http_req *http;    /* event time: the request's logged time */
        const struct ftp_cmd *ftp;
        const struct proc_exec *proc;   /* layer LAYER_HOST; event time: the exec */
        const struct container_event *container; /* layer LAYER_HOST; event time: timeNano /
                                         * time, inspect: State.StartedAt */
    } u;
};

#endif
