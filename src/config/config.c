#include "config/config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

#include "util/timeutil.h"

/* ------------------------------------------------------------------ */
/* Default lists (data: docs/CONFIG.md and research/detections.md §7). */

/* EKS pulls its add-on images (aws-node, kube-proxy, coredns, CSI drivers)
 * from one AWS-owned ECR account per region group, listed in the EKS user
 * guide ("Amazon container image registries for Amazon EKS add-ons").
 * Only AWS can push there, so the account prefix is a safe allowlist. */
#define EKS_REGISTRIES                                                        \
    "602401143452.dkr.ecr.", "877085696533.dkr.ecr.", "800184023465.dkr.ecr.", \
    "533267051163.dkr.ecr.", "296578399912.dkr.ecr.", "900889452093.dkr.ecr.", \
    "491585149902.dkr.ecr.", "151610086707.dkr.ecr.", "333609536671.dkr.ecr.", \
    "121268973566.dkr.ecr.", "918309763551.dkr.ecr.", "961992271922.dkr.ecr."

static const char *const d_empty[] = { NULL };

static const char *const d_system_namespaces[] = { "kube-system", NULL };

/* Whole registries only where they publish nothing but cluster components;
 * elsewhere (mcr.microsoft.com, gcr.io) only the system paths. */
static const char *const d_system_images[] = {
    "mcr.microsoft.com/oss/kubernetes/",
    "mcr.microsoft.com/oss/v2/kubernetes/",
    "mcr.microsoft.com/oss/kubernetes-csi/",
    "mcr.microsoft.com/oss/calico/",
    "mcr.microsoft.com/oss/tigera/",
    "mcr.microsoft.com/oss/cilium/",
    "mcr.microsoft.com/aks/",
    "mcr.microsoft.com/k8s/",
    "mcr.microsoft.com/containernetworking/",
    "mcr.microsoft.com/azuremonitor/containerinsights/",
    "registry.k8s.io/",
    "k8s.gcr.io/",
    "gke.gcr.io/",
    "gcr.io/gke-release/",
    "gcr.io/google-containers/",
    "gcr.io/projectcalico-org/",
    EKS_REGISTRIES,
    "public.ecr.aws/eks/",
    "public.ecr.aws/eks-distro/",
    NULL,
};

/* Images that need privileged mode by design: networking (kube-proxy, CNI),
 * storage (CSI node plugins), device plugins, node and security agents.
 * Never a whole general-purpose registry: registry.k8s.io also serves
 * test images such as e2e-test-images/agnhost, a shell-capable toolbox. */
static const char *const d_privileged_images[] = {
    "registry.k8s.io/kube-proxy",
    "k8s.gcr.io/kube-proxy",
    "gke.gcr.io/",
    "mcr.microsoft.com/oss/kubernetes/kube-proxy",
    "mcr.microsoft.com/oss/v2/kubernetes/kube-proxy",
    "mcr.microsoft.com/oss/kubernetes-csi/",
    "mcr.microsoft.com/oss/calico/",
    "mcr.microsoft.com/oss/cilium/",
    "mcr.microsoft.com/k8s/csi/",
    "mcr.microsoft.com/aks/",
    "mcr.microsoft.com/containernetworking/",
    "mcr.microsoft.com/azuremonitor/containerinsights/",
    EKS_REGISTRIES,
    "registry.k8s.io/sig-storage/",
    "k8s.gcr.io/sig-storage/",
    "registry.k8s.io/dns/k8s-dns-node-cache",
    "k8s.gcr.io/dns/k8s-dns-node-cache",
    "k8s.gcr.io/k8s-dns-node-cache",
    "registry.k8s.io/networking/ip-masq-agent",
    "k8s.gcr.io/ip-masq-agent-amd64",
    "calico/",
    "quay.io/calico/",
    "gcr.io/projectcalico-org/",
    "cilium/",
    "quay.io/cilium/",
    "cloudnativelabs/kube-router",
    "flannel/",
    "flannelcni/",
    "quay.io/coreos/flannel",
    "ghcr.io/kubereboot/kured",
    "weaveworks/kured",
    "weaveworks/weave-kube",
    "weaveworks/weave-npc",
    "antrea/",
    "falcosecurity/",
    "public.ecr.aws/falcosecurity/",
    "sysdig/",
    "quay.io/sysdig/",
    "registry.crowdstrike.com/",
    "registry.aquasec.com/",
    "datadog/agent",
    "gcr.io/datadoghq/agent",
    "public.ecr.aws/datadog/agent",
    "newrelic/infrastructure-k8s",
    "docker.elastic.co/beats/elastic-agent",
    "docker.elastic.co/elastic-agent/",
    "longhornio/",
    "rook/",
    "quay.io/cephcsi/",
    "openebs/",
    "amazon/aws-ebs-csi-driver",
    "public.ecr.aws/ebs-csi-driver/",
    "public.ecr.aws/efs-csi-driver/",
    "nvcr.io/nvidia/",
    NULL,
};

/* Agents that read host logs, sockets or /proc (Falco's and Elastic's
 * exception lists), plus the log shippers that mount /var/log and would
 * otherwise alert on every cluster. */
static const char *const d_sensitive_mount_images[] = {
    "registry.k8s.io/kube-proxy",
    "k8s.gcr.io/kube-proxy",
    "k8s.gcr.io/hyperkube",
    "gke.gcr.io/",
    "mcr.microsoft.com/oss/kubernetes/kube-proxy",
    "mcr.microsoft.com/oss/v2/kubernetes/kube-proxy",
    "mcr.microsoft.com/oss/kubernetes-csi/",
    "mcr.microsoft.com/oss/calico/",
    "mcr.microsoft.com/oss/cilium/",
    "mcr.microsoft.com/k8s/csi/",
    "mcr.microsoft.com/aks/",
    "mcr.microsoft.com/containernetworking/",
    "mcr.microsoft.com/azuremonitor/containerinsights/",
    EKS_REGISTRIES,
    "registry.k8s.io/sig-storage/",
    "k8s.gcr.io/sig-storage/",
    "calico/",
    "quay.io/calico/",
    "gcr.io/projectcalico-org/",
    "cilium/",
    "quay.io/cilium/",
    "cloudnativelabs/kube-router",
    "flannel/",
    "flannelcni/",
    "falcosecurity/",
    "public.ecr.aws/falcosecurity/",
    "sysdig/",
    "quay.io/sysdig/",
    "registry.crowdstrike.com/",
    "registry.aquasec.com/",
    "aquasec/",
    "datadog/agent",
    "gcr.io/datadoghq/agent",
    "public.ecr.aws/datadog/agent",
    "newrelic/infrastructure-k8s",
    "docker.elastic.co/beats/",
    "docker.elastic.co/elastic-agent/",
    "hashicorp/consul",
    "docker/ucp-agent",
    "gliderlabs/logspout",
    "netdata/netdata",
    "gcr.io/cadvisor/cadvisor",
    "google/cadvisor",
    "prom/node-exporter",
    "quay.io/prometheus/node-exporter",
    "amazon/amazon-ecs-agent",
    "amazon/cloudwatch-agent",
    "public.ecr.aws/cloudwatch-agent/cloudwatch-agent",
    "fluent/fluent-bit",
    "cr.fluentbit.io/fluent/fluent-bit",
    "fluent/fluentd-kubernetes-daemonset",
    "grafana/promtail",
    "timberio/vector",
    "otel/opentelemetry-collector-contrib",
    "longhornio/",
    "rook/",
    "quay.io/cephcsi/",
    "openebs/",
    "nvcr.io/nvidia/",
    NULL,
};

/* Redundant entries below a broader one (/etc/kubernetes under /etc) are
 * kept on purpose: the most specific entry names the finding in alerts. */
static const char *const d_sensitive_paths[] = {
    "/",
    "/proc",
    "/sys",
    "/dev",
    "/boot",
    "/lib/modules",
    "/etc",
    "/etc/kubernetes",
    "/etc/kubernetes/manifests",
    "/etc/kubernetes/pki",
    "/root",
    "/home",
    "/home/admin",
    /* not /run or /var/run themselves: a mount of either contains the
     * sockets below and matches through them, while their other folders
     * (CSI provider sockets, secrets-store) are ordinary */
    "/run/containerd",
    "/run/containerd/containerd.sock",
    "/var/run/docker.sock",
    "/var/run/crio/crio.sock",
    "/var/run/cri-dockerd.sock",
    "/var/lib/kubelet",
    "/var/lib/kubelet/pki",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/lib/etcd",
    "/var/log",
    NULL,
};

static const char *const d_miner_tokens[] = {
    "xmrig", "xmr-stak", "xmr-node-proxy", "minergate", "minerd", "cpuminer",
    "ccminer", "cgminer", "bfgminer", "sgminer", "ethminer", "nbminer",
    "t-rex", "gminer", "lolminer", "phoenixminer", "teamredminer",
    "nanominer", "srbminer", "wildrig", "claymore", "nheqminer",
    "kawpowminer", "cryptodredge", "hellminer", "monero", "moneroocean",
    "nicehash", "unmineable", "c3pool", "coinhive",
    NULL,
};

static const char *const d_miner_indicators[] = {
    "stratum+tcp://", "stratum+ssl://", "stratum+tls://", "stratum2+tcp://",
    "stratum1+tcp://", "--donate-level", "--cpu-priority", "--randomx-mode",
    "--max-cpu-usage", "pool.minexmr", "minexmr.com", "xmrpool",
    "nanopool.org", "supportxmr", "c3pool.com", "moneroocean.stream",
    "2miners", "hashvault.pro", "herominers", "f2pool.com", "ethermine.org",
    "minergate.com", "nicehash.com", "unmineable.com", "monerohash.com",
    "xmrfast.com", "dwarfpool",
    NULL,
};

/* IANA's ports for the two remote-administration services. */
/* Management layer (research/detections.md section 4.0): operations that
 * can keep an attacker's access in place. */
static const char *const d_persistence_ops[] = {
    "Microsoft.Authorization/roleAssignments/write",
    "Microsoft.Authorization/roleDefinitions/write",
    "Microsoft.Authorization/elevateAccess/action",
    "Microsoft.Authorization/policyAssignments/write",
    "Microsoft.ManagedIdentity/userAssignedIdentities/write",
    "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
    "Microsoft.Compute/virtualMachines/write",
    "Microsoft.Compute/virtualMachines/extensions/write",
    "Microsoft.Compute/virtualMachines/runCommand/action",
    "Microsoft.Compute/virtualMachines/runCommands/write",
    "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/runCommand/action",
    "Microsoft.Automation/automationAccounts/runbooks/write",
    "Microsoft.Automation/automationAccounts/runbooks/draft/write",
    "Microsoft.Automation/automationAccounts/runbooks/publish/action",
    "Microsoft.Automation/automationAccounts/webhooks/write",
    "Microsoft.Automation/automationAccounts/jobs/write",
    "Microsoft.Web/sites/config/write",
    "Microsoft.Web/sites/functions/write",
    "Microsoft.Logic/workflows/write",
    "Microsoft.KeyVault/vaults/write",
    "Microsoft.KeyVault/vaults/accessPolicies/write",
    "Microsoft.Network/networkSecurityGroups/securityRules/write",
    "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action",
    NULL,
};

/* What MicroBurst's Get-AzPasswords and bulk-command scripts leave in the
 * activity log: each reveals a credential or runs code. */
static const char *const d_credential_ops[] = {
    "/listKeys/action",
    "/listCredentials/action",
    "/listValue/action",
    "/listSecrets/action",
    "/listConnectionStrings/action",
    "/publishxml/action",
    "/config/list/action",
    "/config/authsettingsV2/list/action",
    "/listClusterAdminCredential/action",
    "/listClusterUserCredential/action",
    "/runCommand/action",
    "/accessPolicies/write",
    NULL,
};

/* The resource types AzuriteExplorer.ps1 reads (research section 4.2). */
static const char *const d_azurite_types[] = {
    "Microsoft.Resources/subscriptions/resourceGroups",
    "Microsoft.Compute/virtualMachines",
    "Microsoft.Compute/virtualMachines/extensions",
    "Microsoft.Network/networkInterfaces",
    "Microsoft.Network/publicIPAddresses",
    "Microsoft.Network/networkSecurityGroups",
    "Microsoft.Network/virtualNetworks",
    "Microsoft.Network/routeTables",
    "Microsoft.Network/virtualNetworkGateways",
    "Microsoft.Network/connections",
    "Microsoft.Network/connections/sharedKey",
    "Microsoft.Network/localNetworkGateways",
    "Microsoft.Web/sites",
    "Microsoft.Web/certificates",
    "Microsoft.Sql/servers",
    "Microsoft.Sql/servers/databases",
    "Microsoft.Sql/servers/databases/transparentDataEncryption",
    "Microsoft.Sql/servers/databases/auditingSettings",
    "Microsoft.Sql/servers/databases/securityAlertPolicies",
    "Microsoft.Sql/servers/databases/dataMaskingPolicies",
    "Microsoft.KeyVault/vaults",
    "Microsoft.Authorization/roleAssignments",
    NULL,
};

/* Azure PowerShell's first-party application id (the appid claim). */
static const char *const d_powershell_appids[] = { "1950a258-227b-4e31-a9cf-717495945fc2", NULL };

/* Built-in role definition GUIDs (the same in every tenant): a role
 * assignment naming one of these is never a custom role. */
static const char *const d_builtin_roles[] = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",   /* Owner */
    "b24988ac-6180-42a0-ab88-20f7382dd24c",   /* Contributor */
    "acdd72a7-3385-48ef-bd42-f606fba81ae7",   /* Reader */
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",   /* User Access Administrator */
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168",   /* Role Based Access Control Administrator */
    "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",   /* Virtual Machine Contributor */
    "4d97b98b-1d4f-4787-a291-c67834d212e7",   /* Network Contributor */
    "17d1049b-9a84-46fb-8f53-869881c3d3ab",   /* Storage Account Contributor */
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe",   /* Storage Blob Data Contributor */
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",   /* Storage Blob Data Reader */
    "00482a5a-887f-4fb3-b363-3b7fe8e74483",   /* Key Vault Administrator */
    "4633458b-17de-408a-b874-0445c86b69e6",   /* Key Vault Secrets User */
    "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",   /* Key Vault Secrets Officer */
    "f25e0fa2-a7c8-4377-a976-54943a77a395",   /* Key Vault Contributor */
    NULL,
};

/* Actions that make a custom role privileged: control of access itself,
 * every write, code execution on VMs, keys and secrets. */
static const char *const d_privileged_role_actions[] = {
    "*",
    "*/write",
    "*/action",
    "Microsoft.Authorization/*",
    "Microsoft.Authorization/roleAssignments/write",
    "Microsoft.Authorization/roleDefinitions/write",
    "Microsoft.Authorization/elevateAccess/action",
    "Microsoft.Compute/*",
    "Microsoft.Compute/virtualMachines/*",
    "Microsoft.Compute/virtualMachines/runCommand/action",
    "Microsoft.Compute/virtualMachines/extensions/write",
    "Microsoft.KeyVault/*",
    "Microsoft.KeyVault/vaults/*",
    "Microsoft.KeyVault/vaults/accessPolicies/write",
    "*/listKeys/action",
    "Microsoft.Storage/storageAccounts/listKeys/action",
    "Microsoft.Automation/*",
    "Microsoft.ManagedIdentity/*",
    NULL,
};

/* MaxMind Anonymous-IP flags that make an address anonymous by default;
 * is_hosting_provider is left out (every cloud VM is one). */
static const char *const d_anonymous_flags[] = {
    "is_anonymous", "is_anonymous_vpn", "is_public_proxy", "is_residential_proxy", "is_tor_exit_node", NULL,
};

/* Key Vault (research/detections.md section 5.0): Microsoft services that
 * read every vault's metadata (Azure Resource Graph, Policy Insights). */
/* ---- detectors.appservice.*: the signature lists are data (detect/sigset.h
 * syntax: plain text is a case-insensitive substring, "re:" a regex). URL
 * patterns see the normalised path (util/urlnorm.h), never the query. */
static const char *const d_app_sensitive_pages[] = {
    "re:/wp-login\\.php$", "re:/wp-admin(/|$)", "re:/xmlrpc\\.php$",
    "re:^/administrator(/|$)", "re:^/user/login", "re:/phpmyadmin(/|$)",
    "re:^/admin(/|$|\\.php$|istrator)", "re:^/manager/html", "re:^/_profiler",
    "re:^/(wp-admin/)?install\\.php$", "re:^/umbraco(/|$)", "re:^/ghost/", NULL,
};
static const char *const d_app_sensitive_exceptions[] = {
    "re:^/wp-admin/(admin-ajax|load-scripts|load-styles|admin-post)\\.php$", NULL,
};
static const char *const d_app_vulnerable_pages[] = {
    "re:/\\.env(\\.[a-z]+)?$", "/.git/", "re:/\\.git$", "/.svn/", "/.hg/", "re:/\\.ds_store$",
    "re:/(php)?info\\.php$", "re:/phpinfo(\\.php)?$", "re:^/server-(status|info)$",
    "re:/wp-config\\.php.+$", "re:\\.(sql|bak|swp|old|orig|save|backup|tar\\.gz|zip)$",
    "/vendor/phpunit/", "re:^/cgi-bin/", "re:^/actuator(/|$)", "re:^/solr/", "re:^/manager/html",
    "re:^/owa/", "re:^/boaform/", "re:^/hnap1", "/.aws/", "/.ssh/", "re:/\\.(bash_|zsh_)?history$",
    "re:/wp-content/debug\\.log$", "re:/\\.ht(access|passwd)$", "re:/web\\.config$",
    "re:/wallet\\.dat$", "re:/phpmyadmin/(setup|scripts)/", "re:/config\\.(json|yml|yaml|php\\.bak)$",
    "re:/(shell|cmd|c99|r57|wso|alfa)\\.php$", "${", "re:/etc/passwd$", "re:/\\.vscode/sftp\\.json$", NULL,
};
static const char *const d_app_scanner_agents[] = {
    "Nikto", "sqlmap", "Nmap Scripting Engine", "WPScan", "commix", "feroxbuster", "Fuzz Faster U Fool",
    "gobuster", "WhatWeb", "Wfuzz", "zgrab", "masscan", "ZmEu", "Morfeus", "Jorgee", "w3af", "DirBuster",
    "Nuclei", "Acunetix", "Netsparker", "OpenVAS", "Nessus", "dirsearch", "httpx - Open-source", "Arachni",
    "re:^ffuf", NULL,
};
static const char *const d_app_fingerprint_agents[] = {
    "re:^Mozilla/5\\.0 \\(X11; U; Linux i686; en-US; rv:1\\.9\\.2\\.3\\) Gecko/20100423 "
    "Ubuntu/10\\.04 \\(lucid\\) Firefox/3\\.6\\.3$",
    NULL,
};
static const char *const d_app_fingerprint_probes[] = { "re:^/should/not/exist\\.", NULL };
static const char *const d_app_cms_indicators[] = {
    "wordpress=/wp-includes/js/wp-lists.js", "wordpress=/wp-content/plugins/akismet/akismet.gif",
    "wordpress=/wp-content/themes/default/screenshot.png", "wordpress=/wp-images/wpminilogo.png",
    "drupal=/misc/drupal.js", "drupal=/misc/throbber.gif", "drupal=/misc/watchdog-error.png",
    "drupal=/themes/pushbutton/arrow-up-visited.png", "joomla=/media/system/js/mootools.js",
    "joomla=/includes/js/wz_tooltip.js", "joomla=/images/joomla_logo_black.jpg",
    "mediawiki=/skins/common/quickbar.css", "mediawiki=/skins/monobook/magnify-clip.png",
    "phpbb=/adm/style/permission_trace.html", "phpmyadmin=re:^/documentation\\.txt$",
    "phpmyadmin=re:^/translators\\.html$", "moodle=/pix/s/clown.gif", "liferay=/html/common/null.html",
    "movabletype=/mt-static/images/spinner-big-bottom.gif", "oscommerce=/includes/local/readme",
    "phpnuke=re:^/ultramode\\.txt$", "spip=/ecrire/gpl_fr.txt", "twiki=/pub/twiki/twikidocgraphics/sitemap.gif",
    "tikiwiki=/img/icons/friend.gif", "confluence=/images/icons/list_pages_16.gif", NULL,
};
static const char *const d_app_static_ext[] = {
    "re:\\.(css|js|mjs|map|png|jpe?g|gif|ico|svg|webp|avif|bmp|woff2?|ttf|otf|eot|mp4|webm|mp3)$", NULL,
};
static const char *const d_app_upload_folders[] = {
    "re:/uploads?/", "re:/files/", "re:/media/", "re:/images/", "re:/userfiles/", NULL,
};
static const char *const d_app_php_ext[] = { "re:\\.(php[3-8]?|phtml|phar|pht|phps)$", NULL };
static const char *const d_app_command_params[] = {
    "re:(^|&)(cmd|exec|command|c|e|shell|run|execute|system|code|payload)=", NULL,
};
static const char *const d_app_web_workers[] = {
    "re:^w3wp(\\.exe)?$", "re:^php-cgi(\\.exe)?$", "re:^php[0-9.]*-fpm", "re:^php-fpm",
    "re:^(httpd|apache2?|nginx|lighttpd|caddy)(\\.exe)?$", "re:^(node|iisnode)(\\.exe)?$",
    "re:^(gunicorn|uwsgi|uvicorn|puma|unicorn|passenger)", "re:^(java|tomcat[0-9]*)(\\.exe)?$",
    "re:^dotnet(\\.exe)?$", NULL,
};
static const char *const d_app_linux_commands[] = {
    "re:\\buname\\s+-[a-z]", "re:/etc/(passwd|shadow|hosts|issue|os-release)", "re:/bin/(ba|da|z|k)?sh\\b",
    "re:\\bwget\\s+(-\\S+\\s+)*https?://", "re:\\bcurl\\s.*\\|\\s*(ba)?sh\\b", "re:\\bchmod\\s+(\\+x|[0-7]{3,4}\\s)",
    "/tmp/", "/dev/tcp/", "/dev/shm/", "re:\\bls\\s+-[a-z]*l", "re:\\bnc\\s+(-\\S+\\s+)*-e\\s",
    "re:\\bperl\\s+-e\\s", "re:\\bpython[0-9.]*\\s+-c\\s.*import\\s+(socket|pty|os)", "re:\\bbusybox\\s",
    "re:\\brm\\s+-rf\\s+/", "re:(^|[\\s\"'&|;(])id\\s*($|[;&|\"')])", "re:\\bchattr\\s", NULL,
};
static const char *const d_app_php_code[] = {
    "re:\\s-r\\s", "re:\\s-[BRFE]\\s", "re:\\s-a(\\s|$)", "system(", "exec(", "passthru(", "popen(",
    "proc_open(", "fsockopen(", "pfsockopen(", "base64_decode(", "eval(", "assert(", "gzinflate(",
    "str_rot13(", "re:\\s/(tmp|dev/shm|var/tmp)/\\S+", NULL,
};
static const char *const d_app_php_children[] = {
    "re:^(sh|bash|dash|zsh|ksh|csh|tcsh|busybox)$", "re:^(nc|ncat|netcat|socat|telnet)$",
    "re:^(curl|wget)$", "re:^(python[0-9.]*|perl|ruby|lua)$", "re:^(cmd|powershell|pwsh)(\\.exe)?$",
    "re:^(whoami|id|uname|hostname)(\\.exe)?$", NULL,
};
static const char *const d_app_php_allowlist[] = {
    "/usr/sbin/sendmail", "phpversion()", "re:-r\\s+['\"]?echo\\s+PHP_VERSION", NULL,
};
static const char *const d_app_temp_folders[] = {
    "re:^/tmp/", "re:^/var/tmp/", "re:^/dev/shm/", "re:^/run/user/", "re:^[a-z]:\\\\local\\\\temp\\\\",
    "re:^[a-z]:\\\\windows\\\\temp\\\\", "re:\\\\appdata\\\\local\\\\temp\\\\", NULL,
};
static const char *const d_app_high_priv[] = {
    "re:\\bnet1?(\\.exe)?\\s+user\\s+\\S+.*/add", "re:\\bnet1?(\\.exe)?\\s+localgroup\\s+administrators\\s.*/add",
    "re:\\breg(\\.exe)?\\s+(add|delete)\\s+hklm", "re:\\bsc(\\.exe)?\\s+(create|config|delete)\\s",
    "re:\\bschtasks(\\.exe)?\\s+/create\\b", "re:\\bbcdedit(\\.exe)?\\b", "re:\\bvssadmin(\\.exe)?\\s+delete\\s+shadows",
    "re:\\bwevtutil(\\.exe)?\\s+cl\\b", "re:\\bnetsh(\\.exe)?\\s+advfirewall", "re:\\btakeown(\\.exe)?\\s",
    "re:\\bicacls(\\.exe)?\\s.*/grant", "re:\\brunas(\\.exe)?\\s", "re:\\bwhoami(\\.exe)?\\s+/priv",
    "re:(^|[/\\s])sudo\\s", "re:(^|[/\\s])su(\\s|$)", "re:(^|[\\s;&|]|/bin/)passwd(\\s|$)",
    "re:(^|[/\\s])(useradd|usermod|userdel|adduser|groupadd|gpasswd|chpasswd|visudo)(\\s|$)",
    "re:\\bchmod\\s+([ugo]*\\+s|[2-7][0-7]{3})\\s", "re:(^|[/\\s])setcap\\s", "re:(^|[/\\s])(insmod|modprobe|rmmod)\\s",
    "re:(^|[/\\s])mount\\s", "re:(^|[/\\s])(iptables|ip6tables|nft)\\s", "/etc/sudoers", "/etc/shadow",
    "re:\\bcrontab\\s+-u\\s+root", NULL,
};

static const char *const d_kv_trusted_apps[] = {
    "509e4652-da8d-478d-a730-e9d4a1996ca4",
    "8cae6e77-e04e-42ce-b5cb-50d82bce26b1",
    NULL,
};

/* Operations on what a vault keeps (as opposed to the vault itself). */
static const char *const d_kv_data_ops[] = { "Secret*", "Key*", "Certificate*", NULL };

/* Operations that dump, destroy or resurrect what a vault keeps
 * (Sentinel's KeyVaultSensitiveOperations, plus the deleted-object reads). */
static const char *const d_kv_sensitive_ops[] = {
    "SecretBackup", "KeyBackup", "CertificateBackup",
    "SecretPurge", "KeyPurge", "CertificatePurge",
    "VaultDelete", "VaultPurge",
    "SecretListDeleted", "SecretGetDeleted", "KeyListDeleted", "KeyGetDeleted",
    "CertificateListDeleted", "CertificateGetDeleted",
    "SecretRecover", "KeyRecover", "SecretRestore", "KeyRestore",
    "KeyExport", "KeyRelease",
    NULL,
};

static const char *const d_ssh_ports[] = { "22", NULL };
static const char *const d_rdp_ports[] = { "3389", NULL };

static const char *const d_dashboard_names[] = {
    "kubernetes-dashboard", "kubernetes-dashboard-kong-proxy",
    "kubernetes-dashboard-web", "kubernetes-dashboard-api", "k8s-dashboard", "kube-dashboard",
    NULL,
};

static const char *const d_privileged_resources[] = {
    "clusterroles", "clusterrolebindings", "roles", "rolebindings",
    "pods/exec", "pods/attach", "pods/portforward", "pods/ephemeralcontainers",
    "serviceaccounts/token", "nodes/proxy", "daemonsets",
    "mutatingwebhookconfigurations", "validatingwebhookconfigurations",
    "certificatesigningrequests/approval", "secrets",
    NULL,
};

/* ---- detectors.host.*: container hosts (research/detections.md section 8).
 * Program lists are matched against the program's name (the basename of
 * its executable), command-line lists against the whole command line. */
static const char *const d_host_runtimes[] = {
    "containerd-shim", "containerd-shim-runc-v1", "containerd-shim-runc-v2", "docker-containerd-shim",
    "containerd-shim-kata-v2", "containerd-shim-runsc-v1", "runc", "docker-runc", "crun", "conmon",
    "youki", NULL,
};
static const char *const d_host_escape_programs[] = {
    "re:^(mount|umount|nsenter|chroot|unshare|debugfs|insmod|modprobe|rmmod|kexec|losetup)$",
    "re:^(fdisk|sfdisk|parted|blkid|mkfs(\\..+)?|capsh|setcap|pivot_root|switch_root)$", NULL,
};
static const char *const d_host_escape_arguments[] = {
    "release_agent", "notify_on_release", "re:/dev/(sd[a-z]|nvme[0-9]|xvd[a-z]|vd[a-z]|mem$|mem\\s|kmem|port)",
    "/proc/sysrq-trigger", "/sys/kernel/uevent_helper", "/proc/sys/kernel/core_pattern",
    "/proc/sys/kernel/modprobe", "re:/proc/1/(root|ns/)", NULL,
};
static const char *const d_host_escape_images[] = {
    "mcr.microsoft.com/oss/kubernetes-csi/", "mcr.microsoft.com/k8s/csi/", "registry.k8s.io/sig-storage/",
    "k8s.gcr.io/sig-storage/", "gke.gcr.io/", "public.ecr.aws/ebs-csi-driver/", "public.ecr.aws/efs-csi-driver/",
    "amazon/aws-ebs-csi-driver", "amazon/aws-efs-csi-driver", "quay.io/cephcsi/", "rook/ceph",
    "longhornio/", "openebs/", "portworx/", "quay.io/k8scsi/", "docker.io/rancher/local-path-provisioner",
    "rancher/local-path-provisioner", NULL,
};
static const char *const d_host_ssh_programs[] = { "re:^(sshd|dropbear|tinysshd|sshd-session)$", NULL };
static const char *const d_host_ssh_images[] = {
    "linuxserver/openssh-server", "lscr.io/linuxserver/openssh-server", "ghcr.io/linuxserver/openssh-server",
    "atmoz/sftp", "gitea/gitea", "gitlab/gitlab-ce", "gitlab/gitlab-ee", "gogs/gogs", "jenkins/ssh-agent",
    "jenkins/ssh-slave", "panubo/sshd", NULL,
};
static const char *const d_host_miner_programs[] = {
    "re:^(xmrig|xmrig-notls|xmr-stak|xmr-stak-rx|minerd|cpuminer|cpuminer-multi|cpuminer-opt|ccminer)$",
    "re:^(ethminer|t-rex|nbminer|lolminer|phoenixminer|nanominer|gminer|teamredminer|srbminer|bminer)$",
    "re:^(kdevtmpfsi|kinsing|xmr-proxy|xmrig-proxy|cgminer|bfgminer|sgminer)$", NULL,
};
static const char *const d_host_http_clients[] = {
    "re:^(curl|wget|python[0-9.]*|perl|ruby|node|php[0-9.]*|busybox|openssl|socat|ncat|nc|netcat)$",
    "re:^(http|https|httpie|xh|lynx|aria2c|pwsh|java)$", NULL,
};
static const char *const d_host_kubectl[] = { "re:^(kubectl|oc|kubectl-[a-z0-9.-]+)$", NULL };
static const char *const d_host_api_targets[] = {
    "kubernetes.default", "KUBERNETES_SERVICE_HOST", "KUBERNETES_PORT", "re::6443\\b", "re:https?://[^/\\s]+/apis?/",
    "re:https?://[^/\\s]+/(version|openapi/v2|healthz)\\b", NULL,
};
static const char *const d_host_api_credentials[] = {
    "re:authorization:\\s*bearer", "re:--token[=\\s]", "/var/run/secrets/kubernetes.io/serviceaccount",
    "/run/secrets/kubernetes.io/serviceaccount", "re:--header[=\\s]+['\"]?authorization", NULL,
};
static const char *const d_host_api_images[] = {
    "registry.k8s.io/", "k8s.gcr.io/", "gcr.io/google_containers/", "mcr.microsoft.com/oss/kubernetes/",
    "mcr.microsoft.com/aks/", "quay.io/jetstack/", "velero/velero", "metallb/", "quay.io/metallb/",
    "ghcr.io/kubereboot/kured", "weaveworks/kured", "quay.io/prometheus/", "quay.io/prometheus-operator/",
    "prom/prometheus", "kiwigrid/k8s-sidecar", "ghcr.io/fluxcd/", "quay.io/argoproj/", "argoproj/",
    "falcosecurity/", "calico/", "quay.io/calico/", "cilium/", "quay.io/cilium/", NULL,
};
static const char *const d_host_api_namespaces[] = { "kube-system", NULL };
static const char *const d_host_dashboard_targets[] = {
    "re:kubernetes-dashboard[a-z-]*\\.[a-z0-9-]+(\\.svc)?", "re:/api/v1/(csrftoken/)?login\\b",
    "re:services/https?:kubernetes-dashboard", "re:/#!?/(login|overview|secret|workloads)", NULL,
};
static const char *const d_host_dashboard_images[] = {
    "kubernetesui/", "docker.io/kubernetesui/", "registry.k8s.io/ingress-nginx/", "k8s.gcr.io/ingress-nginx/",
    "traefik", "kong", "nginx/nginx-ingress", "mcr.microsoft.com/oss/kubernetes/ingress/", NULL,
};

/* ------------------------------------------------------------------ */
/* The schema. */

enum ktype { K_BOOL, K_UINT, K_DURATION, K_LIST, K_STRING };

struct key {
    const char *path;               /* dotted, as written in the file */
    enum ktype type;
    size_t off;                     /* into struct vigil_config */
    int64_t def;                    /* bool, uint, duration (µs) */
    const char *const *def_list;    /* K_LIST: NULL-terminated */
    int64_t min, max;               /* K_UINT, K_DURATION */
    const char *unit;               /* NULL where a unit means nothing */
    const char *doc;
    const char *def_str;            /* K_STRING: NULL for no value */
};

/* Offsets are typeless, so a row pointing a K_UINT at an int64_t field
 * would corrupt memory silently: the _Generic makes it a compile error. */
#define FIELD(f, T)                                    \
    (offsetof(struct vigil_config, f) +                \
     0 * sizeof(char[_Generic(((struct vigil_config *)0)->f, T: 1, default: -1)]))

#define BOOL(p, f, d, doc) { p, K_BOOL, FIELD(f, bool), d, NULL, 0, 1, NULL, doc, NULL }
#define UINT(p, f, d, lo, hi, unit, doc) { p, K_UINT, FIELD(f, uint32_t), d, NULL, lo, hi, unit, doc, NULL }
#define DUR(p, f, d, doc) { p, K_DURATION, FIELD(f, int64_t), d, NULL, 0, DUR_MAX, "duration", doc, NULL }
#define LIST(p, f, d, unit, doc) { p, K_LIST, FIELD(f, struct strlist), 0, d, 0, 0, unit, doc, NULL }
#define STR(p, f, d, unit, doc) { p, K_STRING, FIELD(f, char *), 0, NULL, 0, 0, unit, doc, d }

/* Ten years: far beyond any sensible window, and small enough that adding
 * it to an event time can never overflow. */
#define DUR_MAX (3650 * US_PER_DAY)

#define IMAGE_RULE                                                                \
    " Entries are image repositories without tag (docker.io/ and library/ left " \
    "out): an entry matches that repository and every path below it; an entry " \
    "ending in '/' or '.' matches as a plain prefix."

static const struct key keys[] = {
    DUR("input.allowed_lateness", allowed_lateness_us, 20 * US_PER_MIN,
        "How far behind the newest event time a record may arrive and still count "
        "as on time; windows close only when the watermark has passed them by this "
        "much. Azure delivers activity logs 3-20 minutes late: keep it at 20m or more."),
    UINT("input.reject_report_limit", reject_report_limit, 5, 0, UINT32_MAX, "records",
         "How many malformed records per input are reported with their position in "
         "the summary; the rest are only counted."),
    BOOL("input.progress", progress, true,
         "Show a progress line on stderr while reading inputs (only ever when stderr "
         "is a terminal)."),
    UINT("input.max_processes", max_processes, 100000, 1, 100000000, "processes",
         "Processes the process tree remembers across hosts (for the ancestry of "
         "process events: which process started which). When full, the quarter "
         "started longest ago is forgotten and counted in the summary."),
    UINT("input.max_containers", max_containers, 20000, 1, 100000000, "containers",
         "Containers the container table remembers across hosts (identity, "
         "privileges, for attributing processes). When full, the quarter seen "
         "longest ago is forgotten, destroyed containers first, and counted in the "
         "summary."),

    DUR("alerts.aggregation_window", aggregation_window_us, 24 * US_PER_HOUR,
        "Repeats of the same alert type about the same entity inside this window "
        "grow one alert (count, time_end) instead of raising new ones."),
    UINT("alerts.max_open", max_open_alerts, 100000, 1, UINT32_MAX, "alerts",
         "Most alerts held open for aggregation at once; when full, the oldest is "
         "closed and written out early."),
    UINT("alerts.max_evidence", max_evidence, 5, 1, 1000, "records",
         "Evidence records (input, offset, summary) kept per alert; later repeats "
         "only raise the count."),
    LIST("alerts.disabled_types", disabled_types, d_empty, "alert types",
         "Alert types never raised: an exact type (k8s.container.privileged) or a "
         "family written 'prefix.*' (arm.location.*)."),

    BOOL("groups.arm_location.enabled", group_arm_location, true,
         "Run the three arm.location.* analytics (infrequent country, anonymous IP, "
         "impossible travel) as one group; switch off where sign-ins from many "
         "countries or through proxies are normal."),

    BOOL("detectors.k8s.enabled", k8s.enabled, true,
         "Run the Kubernetes audit-log analytics (the k8s.* alert types)."),
    DUR("detectors.k8s.learning_period", k8s.learning_period_us, 7 * US_PER_DAY,
        "For this much event time after the first Kubernetes audit event, images "
        "created in the system namespaces are learned as normal instead of raising "
        "k8s.kube_system.new_container; 0s relies on system_image_allowlist alone."),
    UINT("detectors.k8s.max_learned_images", k8s.max_learned_images, 10000, 0, UINT32_MAX,
         "images",
         "Cap on learned (cluster, namespace, image repository) entries, which "
         "bounds memory; once full, the least recently seen are forgotten (and "
         "counted in the summary), so they would alert again if they came back."),
    UINT("detectors.k8s.max_tracked_workloads", k8s.max_tracked_workloads, 100000, 0, UINT32_MAX,
         "workloads",
         "Cap on remembered workloads whose pod template was checked (kept across "
         "runs with --state): a ReplicaSet, Job or Pod that a controller creates for "
         "one of them is not checked again. Once full, the least recently seen are "
         "forgotten and their next controller-made objects are checked, and can "
         "alert, on their own."),
    BOOL("detectors.k8s.only_successful", k8s.only_successful, true,
         "Evaluate only requests that completed and were allowed (stage "
         "ResponseComplete, decision allow, response code 2xx); denied and failed "
         "attempts are skipped."),
    LIST("detectors.k8s.system_namespaces", k8s.system_namespaces, d_system_namespaces,
         "namespaces",
         "Namespaces whose new containers are checked against the system image "
         "baseline (k8s.kube_system.new_container); exact names."),
    LIST("detectors.k8s.system_image_allowlist", k8s.system_image_allowlist, d_system_images,
         "image prefixes",
         "Managed-cluster system images (AKS, EKS, GKE, upstream Kubernetes) that "
         "are normal in the system namespaces without learning." IMAGE_RULE),
    LIST("detectors.k8s.privileged_image_allowlist", k8s.privileged_image_allowlist,
         d_privileged_images, "image prefixes",
         "Images allowed to run privileged containers without "
         "k8s.container.privileged: kube-proxy, CNI and CSI node plugins, device "
         "plugins, node and security agents." IMAGE_RULE),
    LIST("detectors.k8s.sensitive_mount_image_allowlist", k8s.sensitive_mount_image_allowlist,
         d_sensitive_mount_images, "image prefixes",
         "Images allowed to mount sensitive host paths without "
         "k8s.container.sensitive_mount: node agents, log shippers, CNI and CSI "
         "plugins." IMAGE_RULE),
    LIST("detectors.k8s.trusted_users", k8s.trusted_users, d_empty, "user names",
         "Kubernetes user names (user.username, exact, such as "
         "system:serviceaccount:flux-system:kustomize-controller) whose requests "
         "never raise k8s.* alerts: GitOps controllers and bootstrap accounts that "
         "routinely create bindings, roles and privileged pods. Empty by default "
         "because every entry is a blind spot: whoever steals that identity goes "
         "unseen."),
    LIST("detectors.k8s.sensitive_host_paths", k8s.sensitive_host_paths, d_sensitive_paths,
         "host paths",
         "hostPath volumes that raise k8s.container.sensitive_mount. Prefix "
         "semantics on whole path components, after removing '//', '.', '..' and "
         "a trailing '/': a hostPath matches an entry it equals, lies under "
         "(/etc/shadow under /etc) or contains (mounting /var exposes "
         "/var/run/docker.sock); the entry '/' matches only the root itself."),
    LIST("detectors.k8s.miner_image_tokens", k8s.miner_image_tokens, d_miner_tokens, "words",
         "Words that mark a crypto-mining image or container name "
         "(k8s.container.miner), matched case-insensitively as whole words of the "
         "image reference (registry, path and tag), bounded by / . - _ : @ or the "
         "ends: xmrig matches metal3d/xmrig:latest and xmrig-proxy, not myxmrigtool."),
    LIST("detectors.k8s.miner_command_indicators", k8s.miner_command_indicators,
         d_miner_indicators, "substrings",
         "Case-insensitive substrings of a container's command, args or env values "
         "that mark a miner: pool protocol URLs, miner-only flags and mining-pool "
         "domains. Pool ports alone are too common to list."),
    LIST("detectors.k8s.dashboard_names", k8s.dashboard_names, d_dashboard_names, "names",
         "Names that identify the Kubernetes dashboard behind a LoadBalancer, NodePort "
         "or external-IP service or an Ingress (k8s.dashboard.exposed): compared "
         "exactly with the service name, its namespace, its selector label values and "
         "an Ingress's backend service names. A generic name such as 'dashboard' would "
         "also match Grafana and the like, so it is not in the default."),
    LIST("detectors.k8s.privileged_rule_resources", k8s.privileged_rule_resources,
         d_privileged_resources, "resources",
         "RBAC resources (resource/subresource, exact) that make a role "
         "high-privilege (k8s.role.high_privilege): write verbs on them count, "
         "except for three: secrets count when a ClusterRole may read (get, list, "
         "watch) every secret, not named ones; pods/exec and pods/attach count with "
         "create or get; nodes/proxy counts with any verb. Wildcards, escalate, bind "
         "and impersonate always count."),

    BOOL("detectors.arm.enabled", arm.enabled, true,
         "Run the Azure activity-log analytics (the arm.* alert types)."),
    DUR("detectors.arm.pair_timeout", arm.pair_timeout_us, 1 * US_PER_HOUR,
        "An operation is logged when it starts and again with its outcome; the "
        "start waits this much event time for the outcome and is then analysed "
        "as started (outcome unknown)."),
    UINT("detectors.arm.max_principals", arm.max_principals, 50000, 1, UINT32_MAX, "principals",
         "Principal profiles kept (about 1.2 KB each); beyond, the least recently "
         "seen is forgotten (counted in the summary)."),
    UINT("detectors.arm.max_usage", arm.max_usage, 100000, 1, UINT32_MAX, "entries",
         "Organisation-wide address, /24 and country usage entries kept; beyond, "
         "the least recently used is forgotten (counted in the summary)."),
    UINT("detectors.arm.max_pending", arm.max_pending, 65536, 1, UINT32_MAX, "operations",
         "Started operations held while they wait for their outcome; beyond, the "
         "oldest is analysed at once as started."),
    LIST("detectors.arm.trusted_principals", arm.trusted_principals, d_empty, "principals",
         "Object ids, UPNs, caller names or application ids that never raise an "
         "arm.* alert (break-glass accounts, a sanctioned red team)."),
    LIST("detectors.arm.persistence_operations", arm.persistence_operations, d_persistence_ops,
         "operations",
         "Operations that can keep an attacker's access in place "
         "(arm.session.inactive_account, arm.session.powershell). Compared "
         "case-insensitively; an entry ending in '*' is a prefix."),
    LIST("detectors.arm.credential_operations", arm.credential_operations, d_credential_ops,
         "operation suffixes",
         "Operation-name endings that reveal a credential or run code "
         "(arm.toolkit.microburst): a principal doing these on many resources or "
         "of many kinds within microburst_window is MicroBurst's footprint."),
    DUR("detectors.arm.microburst_window", arm.microburst_window_us, 15 * US_PER_MIN,
        "Sliding window of arm.toolkit.microburst's fan-out counts and of its "
        "bulk run-command check."),
    UINT("detectors.arm.microburst_min_resources", arm.microburst_min_resources, 5, 1, UINT32_MAX,
         "resources",
         "Distinct resources a principal must hit with credential operations "
         "inside the window."),
    UINT("detectors.arm.microburst_min_kinds", arm.microburst_min_kinds, 3, 1, UINT32_MAX, "kinds",
         "Distinct kinds of credential operation (entries of "
         "credential_operations) inside the window that also fire, however few "
         "resources."),
    UINT("detectors.arm.microburst_min_vms", arm.microburst_min_vms, 5, 1, UINT32_MAX, "VMs",
         "Virtual machines one principal runs commands on inside the window "
         "(MicroBurst's Invoke-AzVMBulkCMD)."),
    DUR("detectors.arm.microburst_lookback", arm.microburst_lookback_us, 14 * US_PER_DAY,
        "A fan-out alerts only when it is larger than the principal's own largest "
        "in this much earlier history, so backup and deployment principals that "
        "list keys at scale every day stay quiet."),
    DUR("detectors.arm.runbook_window", arm.runbook_window_us, 30 * US_PER_MIN,
        "A runbook with a 15-letter random name written, test-run or started, and "
        "deleted within this window is MicroBurst's automation credential dump."),
    LIST("detectors.arm.azurite_resource_types", arm.azurite_resource_types, d_azurite_types,
         "resource types",
         "Resource types whose reads (operation TYPE/read) make up an Azurite "
         "sweep (arm.toolkit.azurite). The activity log records no reads: this "
         "analytic needs a source that logs them."),
    DUR("detectors.arm.azurite_window", arm.azurite_window_us, 10 * US_PER_MIN,
        "Window in which one principal's reads are counted."),
    UINT("detectors.arm.azurite_min_types", arm.azurite_min_types, 8, 1, UINT32_MAX, "types",
         "Distinct listed resource types one principal must read inside the "
         "window."),
    DUR("detectors.arm.dormancy", arm.dormancy_us, 45 * US_PER_DAY,
        "A principal with no operation for this long is inactive "
        "(arm.session.inactive_account)."),
    DUR("detectors.arm.min_history", arm.min_history_us, 7 * US_PER_DAY,
        "Organisation history (event time since the first operation) needed "
        "before a principal's habits are judged (arm.session.*)."),
    LIST("detectors.arm.powershell_appids", arm.powershell_appids, d_powershell_appids, "app ids",
         "Client application ids (claims.appid) that are Azure PowerShell "
         "(arm.session.powershell)."),
    DUR("detectors.arm.powershell_lookback", arm.powershell_lookback_us, 45 * US_PER_DAY,
        "A principal that has not used PowerShell for this long and now does, "
        "with persistence operations, raises arm.session.powershell."),
    UINT("detectors.arm.powershell_min_ops", arm.powershell_min_ops, 10, 1, UINT32_MAX, "operations",
         "Operations a principal needs in its history before a change of client "
         "means anything."),
    LIST("detectors.arm.builtin_role_ids", arm.builtin_role_ids, d_builtin_roles, "GUIDs",
         "Role definition GUIDs that are built in. A role is custom when vigil "
         "has seen its definition written (Microsoft.Authorization/roleDefinitions/write) "
         "and it is not one of these."),
    LIST("detectors.arm.privileged_role_actions", arm.privileged_role_actions,
         d_privileged_role_actions, "actions",
         "Actions that make a custom role privileged (arm.persistence.custom_role). "
         "An entry without '*' is a concrete action, and a role action that covers it "
         "('Microsoft.Compute/*' covers 'Microsoft.Compute/virtualMachines/runCommand/action') "
         "counts; an entry with '*' counts only when the role grants it as written. "
         "Compared case-insensitively."),
    BOOL("detectors.arm.custom_role_only_privileged", arm.custom_role_only_privileged, true,
         "Alert only on custom roles that hold a privileged action (or whose "
         "definition vigil saw without its body). false: every custom role assigned "
         "by a new assigner alerts."),
    /* arm.location.* (src/detect/arm_location.c) */
    DUR("detectors.arm.location_learning_period", arm.location_learning_us, 7 * US_PER_DAY,
        "No arm.location.* alert for a principal until its history spans this "
        "much event time, nor for anyone until the organisation's does."),
    DUR("detectors.arm.location_lookback", arm.location_lookback_us, 30 * US_PER_DAY,
        "How far back countries and addresses count as recently used."),
    LIST("detectors.arm.trusted_ranges", arm.trusted_ranges, d_empty, "CIDRs",
         "The organisation's own egress (VPN, offices, proxies): addresses in "
         "these ranges never raise arm.location.* alerts."),
    UINT("detectors.arm.org_common_principals", arm.org_common_principals, 3, 1, UINT32_MAX,
         "principals",
         "An address (or country) that at least this many other principals used "
         "within location_lookback is the organisation's own, not suspicious."),
    LIST("detectors.arm.anonymous_flags", arm.anonymous_flags, d_anonymous_flags, "flags",
         "MaxMind Anonymous-IP flags that make an address anonymous "
         "(arm.location.anonymous_ip), besides the tor and anonymizer intel labels."),
    UINT("detectors.arm.travel_min_distance_km", arm.travel_min_distance_km, 500, 1, 40000, "km",
         "Shortest distance between two locations that can be impossible travel."),
    UINT("detectors.arm.travel_min_speed_kmh", arm.travel_min_speed_kmh, 800, 1, UINT32_MAX, "km/h",
         "Speed the travel would need for it to be impossible (an airliner "
         "cruises near 900)."),

    BOOL("detectors.keyvault.enabled", keyvault.enabled, true,
         "Run the Key Vault audit-log analytics (the kv.* alert types)."),
    DUR("detectors.keyvault.learning_period", keyvault.learning_period_us, 7 * US_PER_DAY,
        "A vault's history (event time since its first record) before its users, "
        "applications, operation mix and volume are judged."),
    DUR("detectors.keyvault.lookback", keyvault.lookback_us, 30 * US_PER_DAY,
        "How long a user, application or pair stays known to a vault without "
        "using it (kv.unusual.*)."),
    UINT("detectors.keyvault.max_vaults", keyvault.max_vaults, 20000, 1, UINT32_MAX, "vaults",
         "Vault profiles kept; beyond, the least recently used is forgotten."),
    UINT("detectors.keyvault.max_members", keyvault.max_members, 200000, 1, UINT32_MAX, "entries",
         "Known users, applications and user-application pairs kept over all vaults."),
    UINT("detectors.keyvault.max_identities", keyvault.max_identities, 50000, 1, UINT32_MAX, "identities",
         "Identity profiles (vaults per day) kept."),
    LIST("detectors.keyvault.trusted_apps", keyvault.trusted_apps, d_kv_trusted_apps, "app ids",
         "Client application ids never judged: Microsoft services that read every "
         "vault (Azure Resource Graph, Policy Insights), your backup product."),
    LIST("detectors.keyvault.trusted_identities", keyvault.trusted_identities, d_empty, "identities",
         "Object ids or UPNs never judged."),
    LIST("detectors.keyvault.data_operations", keyvault.data_operations, d_kv_data_ops, "operations",
         "Operations on a vault's secrets, keys and certificates (a trailing '*' is a "
         "prefix). Only these make a user or application a member of the vault and "
         "count for kv.user.many_vaults: an ARM listing that reads every vault's "
         "metadata does not."),
    DUR("detectors.keyvault.policy_window", keyvault.policy_window_us, 1 * US_PER_HOUR,
        "An access-policy change followed within this window by secret reads of the "
        "same identity (or the identity it added) is kv.policy_change.secret_query."),
    DUR("detectors.keyvault.list_window", keyvault.list_window_us, 30 * US_PER_MIN,
        "Window after a SecretList in which SecretGets are counted."),
    UINT("detectors.keyvault.list_min_secrets", keyvault.list_min_secrets, 10, 1, UINT32_MAX, "secrets",
         "Distinct secrets read after a list, and more than the identity's own largest "
         "such burst on the vault, for kv.secret_list.secret_gets."),
    LIST("detectors.keyvault.sensitive_operations", keyvault.sensitive_operations, d_kv_sensitive_ops,
         "operations",
         "Operations that, never seen on a vault during its history, make its "
         "operation pattern unusual by themselves."),
    UINT("detectors.keyvault.pattern_min_ops", keyvault.pattern_min_ops, 20, 1, UINT32_MAX, "operations",
         "Operations a vault needs in an hour before that hour's mix is compared "
         "with its history."),
    UINT("detectors.keyvault.pattern_distance", keyvault.pattern_distance, 50, 1, 100, "percent",
         "Jensen-Shannon distance (0-100) between an hour's operation mix and the "
         "vault's history above which the mix is unusual."),
    UINT("detectors.keyvault.volume_score_k", keyvault.volume_score_k, 5, 1, 1000, "spreads",
         "A vault's hourly operations alert above median + k x spread of its hourly "
         "history, 1.5x its 95th-percentile hour and 1.5x the same hour of earlier "
         "days (a nightly job is its own baseline) (kv.volume.high)."),
    UINT("detectors.keyvault.volume_min_ops", keyvault.volume_min_ops, 50, 1, UINT32_MAX, "operations",
         "Floor: fewer operations in an hour never raise kv.volume.high."),
    UINT("detectors.keyvault.many_vaults_min", keyvault.many_vaults_min, 5, 1, UINT32_MAX, "vaults",
         "Floor: fewer vaults in a day never raise kv.user.many_vaults."),
    UINT("detectors.keyvault.many_vaults_factor", keyvault.many_vaults_factor, 200, 100, 100000, "percent",
         "An identity alerts when it touches more vaults in a day than this share of "
         "the larger of its own busiest earlier day and its peers' (the median of the "
         "other identities' busiest days)."),

    BOOL("detectors.appservice.enabled", appservice.enabled, true,
         "Run the App Service analytics on web, FTP and process events (the app.* alert types)."),
    DUR("detectors.appservice.learning_period", appservice.learning_period_us, 7 * US_PER_DAY,
        "A site's (or host's) history, in event time from its first record, before its "
        "sensitive-page visitors, directly called PHP files and temporary-folder programs are "
        "judged; what it does during this time is learned as normal."),
    DUR("detectors.appservice.lookback", appservice.lookback_us, 30 * US_PER_DAY,
        "How long an address stays known to a site's sensitive pages without coming back."),
    UINT("detectors.appservice.max_sites", appservice.max_sites, 20000, 1, UINT32_MAX, "sites",
         "Site and host profiles kept; beyond, the least recently seen is forgotten."),
    UINT("detectors.appservice.max_members", appservice.max_members, 500000, 1, UINT32_MAX, "entries",
         "Learned entries kept over all sites (visitors of sensitive pages, direct PHP files, "
         "temporary-folder programs)."),
    UINT("detectors.appservice.max_clients", appservice.max_clients, 100000, 1, UINT32_MAX, "windows",
         "Per-client request windows open at once; under a flood of spoofed sources the least "
         "recently active are judged early and dropped (counted in the summary)."),
    LIST("detectors.appservice.trusted_clients", appservice.trusted_clients, d_empty, "addresses or CIDRs",
         "Client addresses never judged by the web analytics: your own scanner, uptime monitors."),
    LIST("detectors.appservice.trusted_proxies", appservice.trusted_proxies, d_empty, "addresses or CIDRs",
         "Front doors and proxies: when c-ip is one of these and the log has an X-Forwarded-For "
         "column, the client is the last address in it that is not a trusted proxy."),
    LIST("detectors.appservice.sensitive_pages", appservice.sensitive_pages, d_app_sensitive_pages, "signatures",
         "Login and administration pages (app.sensitive_page.anomalous_ip); the Kudu site's /api/ "
         "is always sensitive."),
    LIST("detectors.appservice.sensitive_page_exceptions", appservice.sensitive_page_exceptions,
         d_app_sensitive_exceptions, "signatures",
         "Paths under a sensitive page that public visitors call (WordPress's admin-ajax.php)."),
    LIST("detectors.appservice.vulnerable_pages", appservice.vulnerable_pages, d_app_vulnerable_pages,
         "signatures",
         "Pages scanners look for: leaked configuration, source control, backups, admin tools, "
         "known-vulnerable scripts (app.web.vulnerable_page_scan, app.scan.cross_host)."),
    LIST("detectors.appservice.scanner_user_agents", appservice.scanner_user_agents, d_app_scanner_agents,
         "signatures", "User agents of known web scanners."),
    LIST("detectors.appservice.fingerprint_user_agents", appservice.fingerprint_user_agents,
         d_app_fingerprint_agents, "signatures",
         "User agents of fingerprinting tools (BlindElephant sends one fixed Firefox 3.6 string)."),
    LIST("detectors.appservice.fingerprint_probes", appservice.fingerprint_probes, d_app_fingerprint_probes,
         "signatures", "Paths a fingerprinting tool requests to learn the site's 404 page."),
    LIST("detectors.appservice.cms_indicator_files", appservice.cms_indicator_files, d_app_cms_indicators,
         "cms=signature", "Files that identify a web application, as NAME=signature; a client "
         "fetching those of several applications is guessing which one the site runs."),
    LIST("detectors.appservice.static_extensions", appservice.static_extensions, d_app_static_ext, "signatures",
         "Static files whose 404s do not count toward a client's scan score (broken links, "
         "missing icons)."),
    LIST("detectors.appservice.upload_folders", appservice.upload_folders, d_app_upload_folders, "signatures",
         "Folders that hold uploaded content (app.upload.php_file)."),
    LIST("detectors.appservice.php_extensions", appservice.php_extensions, d_app_php_ext, "signatures",
         "Extensions PHP executes (also matched after IIS's 'x.php;.jpg' is cut at ';')."),
    LIST("detectors.appservice.command_query_params", appservice.command_query_params, d_app_command_params,
         "signatures", "Query strings that pass a command to a web shell (matched on the raw query)."),
    LIST("detectors.appservice.web_workers", appservice.web_workers, d_app_web_workers, "signatures",
         "Process names of web servers and application workers: app.process.* judge what runs "
         "under one of these."),
    LIST("detectors.appservice.linux_commands", appservice.linux_commands, d_app_linux_commands, "signatures",
         "Command lines that only make sense on Linux (app.process.linux_on_windows)."),
    LIST("detectors.appservice.php_code_indicators", appservice.php_code_indicators, d_app_php_code,
         "signatures", "Flags and code in a PHP process's command line (app.process.suspicious_php)."),
    LIST("detectors.appservice.php_child_processes", appservice.php_child_processes, d_app_php_children,
         "signatures", "Programs PHP should not start: shells, network tools, interpreters."),
    LIST("detectors.appservice.php_allowlist", appservice.php_allowlist, d_app_php_allowlist, "signatures",
         "Command lines of PHP or its children that are benign (mail() runs sendmail through sh)."),
    LIST("detectors.appservice.temp_folders", appservice.temp_folders, d_app_temp_folders, "signatures",
         "Temporary folders (matched on the program's path) for app.process.temp_folder."),
    LIST("detectors.appservice.high_privilege_commands", appservice.high_privilege_commands, d_app_high_priv,
         "signatures", "Commands that need administrative rights (app.process.high_privilege)."),
    LIST("detectors.appservice.process_allowlist", appservice.process_allowlist, d_empty, "signatures",
         "Command lines never judged by app.process.* (a site extension's deploy step)."),
    BOOL("detectors.appservice.require_web_parent", appservice.require_web_parent, true,
         "Judge a process only when a web worker is among its known ancestors. Turn off on hosts "
         "that run nothing but the application (an App Service container)."),
    DUR("detectors.appservice.client_window", appservice.client_window_us, 10 * US_PER_MIN,
        "One client's requests to one site are judged together over this window (scans, "
        "fingerprinting, sensitive pages)."),
    DUR("detectors.appservice.theme_window", appservice.theme_window_us, 1 * US_PER_HOUR,
        "A theme file called directly within this time after the theme editor was used is "
        "app.wordpress.theme_invocation even when the site is still learning."),
    UINT("detectors.appservice.direct_min_clients", appservice.direct_min_clients, 3, 1, UINT32_MAX, "clients",
         "A theme or upload-folder PHP file requested by at least this many clients while the site "
         "was learning is part of the site."),
    UINT("detectors.appservice.upload_guard_max_bytes", appservice.upload_guard_max_bytes, 64, 0,
         UINT32_MAX, "bytes",
         "An upload-folder index.php answering at most this many bytes without a query is a "
         "plugin's empty guard file."),
    UINT("detectors.appservice.fingerprint_min_indicators", appservice.fingerprint_min_indicators, 3, 1,
         UINT32_MAX, "files", "Indicator files a client must fetch in one window for fingerprinting."),
    UINT("detectors.appservice.fingerprint_min_cms", appservice.fingerprint_min_cms, 2, 1, 64, "applications",
         "Different applications those files must belong to."),
    UINT("detectors.appservice.scan_min_requests", appservice.scan_min_requests, 20, 1, UINT32_MAX, "requests",
         "Requests in one window before a client's 404 ratio makes it scanner-like."),
    UINT("detectors.appservice.scan_min_not_found_percent", appservice.scan_min_not_found_percent, 50, 1, 100,
         "percent", "Share of a client's requests (static files aside) answered 404 for it to be scanner-like."),
    UINT("detectors.appservice.scan_min_vulnerable", appservice.scan_min_vulnerable, 3, 1, UINT32_MAX, "pages",
         "Distinct vulnerable pages probed in one window that make a client scanner-like by themselves."),
    DUR("detectors.appservice.ftp_session_timeout", appservice.ftp_session_timeout_us, 30 * US_PER_MIN,
        "An FTP session with no command for this long is over and judged."),
    DUR("detectors.appservice.cross_host_window", appservice.cross_host_window_us, 1 * US_PER_HOUR,
        "Window over which requests for one path are compared across sites (app.scan.cross_host)."),
    UINT("detectors.appservice.cross_host_min_sites", appservice.cross_host_min_sites, 5, 2, 64, "sites",
         "Sites one path must be requested on, by the same few clients, to be part of a sweep."),
    UINT("detectors.appservice.cross_host_max_clients", appservice.cross_host_max_clients, 8, 1, 64, "clients",
         "Most source addresses a sweep may come from (more is popular traffic, not a campaign)."),
    UINT("detectors.appservice.cross_host_min_paths", appservice.cross_host_min_paths, 2, 1, UINT32_MAX, "paths",
         "Swept paths the same clients must share before a campaign is reported."),
    UINT("detectors.appservice.cross_host_min_not_found_percent", appservice.cross_host_min_not_found_percent,
         50, 0, 100, "percent",
         "Share of the sites that answered a swept path with 404: probes mostly miss, uptime "
         "checks mostly hit."),
    UINT("detectors.appservice.max_cross_host_paths", appservice.max_cross_host_paths, 50000, 1, UINT32_MAX,
         "paths", "Paths tracked per cross-host window; beyond, new paths are counted and not followed."),

    BOOL("detectors.host.enabled", host.enabled, true,
         "Run the container-host analytics (the host.* alert types) on docker events, "
         "docker inspect records and process events (auditd, ECS)."),
    DUR("detectors.host.run_link_window", host.run_link_window_us, 30 * US_PER_SEC,
        "How long after a docker run/create command line the container it made may "
        "appear in docker events and still inherit what the command line asked for "
        "(privileges, host mounts)."),
    LIST("detectors.host.runtime_processes", host.runtime_processes, d_host_runtimes, "program names",
         "Program names (exact basenames) of the processes containers run under: a "
         "process with one of these among its ancestors runs in a container, and the "
         "ancestor's command line names the container."),
    LIST("detectors.host.escape_programs", host.escape_programs, d_host_escape_programs, "signatures",
         "Programs that can break out of a privileged container "
         "(host.container.privileged_command), matched on the program name."),
    LIST("detectors.host.escape_arguments", host.escape_arguments, d_host_escape_arguments, "signatures",
         "Command-line content that reaches for the host from a privileged container: "
         "cgroup release_agent writes, host disks, kernel knobs."),
    LIST("detectors.host.escape_image_allowlist", host.escape_image_allowlist, d_host_escape_images,
         "image prefixes",
         "Images whose privileged containers mount and manage disks by design (CSI "
         "drivers, storage provisioners): their commands never raise "
         "host.container.privileged_command." IMAGE_RULE),
    LIST("detectors.host.ssh_server_programs", host.ssh_server_programs, d_host_ssh_programs, "signatures",
         "SSH server programs (host.container.ssh_server), matched on the program name."),
    LIST("detectors.host.ssh_server_image_allowlist", host.ssh_server_image_allowlist, d_host_ssh_images,
         "image prefixes",
         "Images meant to serve SSH (Git servers, SFTP, bastions)." IMAGE_RULE),
    LIST("detectors.host.miner_programs", host.miner_programs, d_host_miner_programs, "signatures",
         "Mining programs (host.container.miner_image), matched on the program name. "
         "Images and command lines are judged with detectors.k8s.miner_image_tokens "
         "and detectors.k8s.miner_command_indicators, the same lists as the k8s layer."),
    LIST("detectors.host.http_clients", host.http_clients, d_host_http_clients, "signatures",
         "Programs that send HTTP requests by hand (curl, wget, scripting languages), "
         "matched on the program name, for the API and dashboard analytics."),
    LIST("detectors.host.kubectl_programs", host.kubectl_programs, d_host_kubectl, "signatures",
         "Kubernetes clients: run in a container outside the allowlists they raise "
         "host.k8s_api.suspicious_request whatever their arguments."),
    LIST("detectors.host.api_targets", host.api_targets, d_host_api_targets, "signatures",
         "Command-line content that addresses the Kubernetes API server. An HTTP "
         "client alerts when its command line has one of these and one of "
         "api_credentials. Add your API server's address."),
    LIST("detectors.host.api_credentials", host.api_credentials, d_host_api_credentials, "signatures",
         "Command-line content that carries Kubernetes credentials: a bearer header, "
         "--token, the service-account token path."),
    LIST("detectors.host.api_client_image_allowlist", host.api_client_image_allowlist, d_host_api_images,
         "image prefixes",
         "Operators, controllers and agents that talk to the API by design." IMAGE_RULE),
    LIST("detectors.host.api_client_namespaces", host.api_client_namespaces, d_host_api_namespaces,
         "namespaces",
         "Pods in these namespaces (io.kubernetes.pod.namespace label) are never "
         "judged by the API and dashboard analytics."),
    LIST("detectors.host.dashboard_targets", host.dashboard_targets, d_host_dashboard_targets, "signatures",
         "Command-line content that addresses the Kubernetes dashboard "
         "(host.k8s_dashboard.suspicious_request), from an HTTP client in a container "
         "or on the node."),
    LIST("detectors.host.dashboard_image_allowlist", host.dashboard_image_allowlist, d_host_dashboard_images,
         "image prefixes",
         "The dashboard itself, its metrics scraper and ingress controllers." IMAGE_RULE),

    BOOL("detectors.network.enabled", network.enabled, true,
         "Run the flow-record analytics (the net.* alert types). They alert only on "
         "VMs of the --inventory, for a VM that held the same address for the whole "
         "clock hour of the activity."),
    LIST("detectors.network.ssh_ports", network.ssh_ports, d_ssh_ports, "ports",
         "TCP ports counted as SSH (net.ssh.*): a flow from a VM to one of them is "
         "outgoing SSH, a flow to a VM's port is incoming SSH. Add the non-standard "
         "ports your servers listen on."),
    LIST("detectors.network.rdp_ports", network.rdp_ports, d_rdp_ports, "ports",
         "TCP and UDP ports counted as Remote Desktop (net.rdp.*), in both "
         "directions as for ssh_ports."),
    BOOL("detectors.network.count_internal_peers", network.count_internal_peers, false,
         "Count peers that are private addresses (RFC 1918, CGNAT, loopback, "
         "link-local, ULA) or addresses of inventory VMs. Off, only external peers "
         "count: lateral movement inside the estate is a different question, and "
         "bastions and configuration management would dominate the baselines."),
    BOOL("detectors.network.malicious_inbound", network.malicious_inbound, true,
         "net.malicious.peer also for flows a listed address opened towards a VM, "
         "not only those the VM opened. Sampled exports often keep only one "
         "direction of a conversation, so this also catches a VM's reply traffic; "
         "switch it off where internet scanners on blocklists hit exposed VMs all "
         "day."),
    DUR("detectors.network.learning_window", network.learning_window_us, 7 * US_PER_DAY,
        "Event time a baseline spans: the hourly counts of this many past hours "
        "(kept across runs with --state) give each VM's median and MAD."),
    DUR("detectors.network.min_history", network.min_history_us, 24 * US_PER_HOUR,
        "Observed hours a VM needs in the learning window before its own baseline "
        "is used. With less, the environment prior (the same count pooled over "
        "every VM's hours) is used once the environment has this much history "
        "(event time since the first hour learned, kept with --state) and the "
        "pool holds this many VM-hours; with neither, the floor times "
        "cold_start_factor."),
    UINT("detectors.network.score_k", network.score_k, 5, 1, 1000, "spreads",
         "How far above normal an hour must be: a count alerts when it exceeds "
         "median + score_k x spread, where spread is 1.4826 x MAD (a standard "
         "deviation's worth) but at least the square root of the median (Poisson "
         "noise) and at least 1. On the demo estate's eight benign days, with the "
         "floors out of the way, busy_hour_margin decided and any k from 2 to 8 "
         "stayed quiet; 5 keeps room for noisier estates (docs/NETWORK.md)."),
    UINT("detectors.network.busy_hour_percentile", network.busy_hour_percentile, 95, 50, 100, "percent",
         "Which hour of a baseline's history counts as a busy one: this percentile "
         "(nearest rank). Hourly counts are often bimodal (busy working hours, idle "
         "nights), and median and MAD then describe only the idle majority; the "
         "threshold is never below busy_hour_margin of this value. 95 ignores the "
         "busiest 5%, so a past attack of a few hours does not raise the bar."),
    UINT("detectors.network.busy_hour_margin", network.busy_hour_margin, 150, 100, 100000, "percent",
         "A count alerts only when it exceeds the busy hour (busy_hour_percentile) "
         "times this percentage: an hour no busier than the VM's ordinary busy hours "
         "is not abnormal. On the demo estate's benign days, with the floors out of "
         "the way, 100 raised 14 to 21 false alerts, 120 raised 3, 150 none."),
    UINT("detectors.network.outbound_min_connections", network.outbound_min_connections, 20, 1, UINT32_MAX,
         "connections",
         "Floor for net.ssh.outbound and net.rdp.outbound: fewer sampled "
         "connections (distinct client ports) from a VM to one external address in "
         "an hour never alert, whatever the baseline."),
    UINT("detectors.network.outbound_min_peers", network.outbound_min_peers, 20, 1, UINT32_MAX, "addresses",
         "Floor for net.ssh.outbound.multi and net.rdp.outbound.multi: fewer "
         "distinct external destinations in an hour never alert."),
    UINT("detectors.network.inbound_min_connections", network.inbound_min_connections, 30, 1, UINT32_MAX,
         "connections",
         "Floor for net.ssh.inbound and net.rdp.inbound: fewer sampled connections "
         "from one external address to a VM in an hour never alert. Higher than the "
         "outbound floor because exposed services draw internet background noise."),
    UINT("detectors.network.inbound_min_peers", network.inbound_min_peers, 30, 1, UINT32_MAX, "addresses",
         "Floor for net.ssh.inbound.multi and net.rdp.inbound.multi: fewer distinct "
         "external sources in an hour never alert."),
    UINT("detectors.network.cold_start_factor", network.cold_start_factor, 3, 1, 1000, "x floor",
         "With no baseline at all (a VM with too little history in an environment "
         "with too little history: a first run on a small estate), the threshold is "
         "the floor times this: 60 outbound and 90 inbound by default. Evidence must "
         "be stronger when nothing says what is normal; fixed-threshold rules sit in "
         "the same range (Elastic's network sweep: 100 destinations; Suricata's SSH "
         "scan: 5 SYNs in 2 minutes)."),
    UINT("detectors.network.max_vms_per_hour", network.max_vms_per_hour, 10000, 1, UINT32_MAX, "VMs",
         "VMs tracked per open hour; flows of further VMs are counted in the "
         "summary and not analysed."),
    UINT("detectors.network.max_peers_per_vm", network.max_peers_per_vm, 4096, 1, UINT32_MAX, "addresses",
         "Remote addresses tracked per VM, service and direction in one hour. "
         "Beyond it new addresses are counted but not kept, and a distinct count "
         "is reported as 'at least'."),
    UINT("detectors.network.max_tracked_peers", network.max_tracked_peers, 262144, 1, UINT32_MAX,
         "addresses",
         "Remote addresses tracked over all open hours and VMs together (about "
         "100 bytes each, plus 8 per distinct connection): the bound that keeps "
         "spoofed sources from exhausting memory. Hits are counted in the summary."),
    UINT("detectors.network.max_baseline_vms", network.max_baseline_vms, 100000, 1, UINT32_MAX, "VMs",
         "VMs with a learned history (kept across runs with --state); when full "
         "the least recently active are forgotten and counted in the summary."),
    UINT("detectors.network.top_peers", network.top_peers, 5, 1, 100, "addresses",
         "Remote addresses named in an alert (the busiest first)."),
    STR("run.ipfix_udp", run.ipfix_udp, "0.0.0.0:4739", "address:port",
        "Where vigil run receives IPFIX over UDP (RFC 7011), NetFlow v9 and v5 as "
        "well: one datagram is one export message. An IPv4 address and port, or "
        "[IPv6]:port ([::]:4739 takes IPv4 too); null for no listener."),
    STR("run.netflow_udp", run.netflow_udp, "0.0.0.0:2055", "address:port",
        "A second UDP listener on the port NetFlow exporters use by default; it "
        "decodes the same versions (5, 9, 10) as run.ipfix_udp. null for none."),
    STR("run.ipfix_tcp", run.ipfix_tcp, "0.0.0.0:4739", "address:port",
        "Where vigil run accepts IPFIX over TCP (RFC 7011 section 10.4): each "
        "connection is one transport session with its own templates. A "
        "connection that sends anything but IPFIX messages is reported and "
        "closed. null for no listener."),
    UINT("run.socket_buffer", run.socket_buffer, 32u << 20, 0, 1u << 30, "bytes",
         "Receive buffer asked for each UDP socket: bursts beyond it are dropped by "
         "the kernel (counted from SO_RXQ_OVFL in the stats). Without CAP_NET_ADMIN "
         "the kernel caps it at net.core.rmem_max, and vigil says so at start. 0 "
         "keeps the kernel's default."),
    UINT("run.max_tcp_connections", run.max_tcp_connections, 64, 1, 65536, "connections",
         "Most IPFIX-over-TCP connections held at once; further ones are accepted, "
         "counted and closed at once, which bounds memory (64 KiB each)."),
    STR("run.state", run.state, NULL, "directory",
        "State directory (DIR/vigil.db): baselines and alerts are loaded at start, "
        "saved every run.checkpoint_interval and at exit, so learning survives "
        "restarts. null: start empty and keep nothing."),
    STR("run.alerts", run.alerts, "-", "path",
        "Where alerts go, one JSON object per line, each written as soon as it "
        "closes; '-' is stdout. The file is appended to, never truncated."),
    LIST("run.intel", run.intel, d_empty, "[label=]files",
         "Threat-intel files, as scan's --intel: 'FILE' (malicious) or "
         "'tor=FILE', 'anonymizer=FILE', 'malicious=FILE'."),
    LIST("run.geoip", run.geoip, d_empty, "files",
         "MaxMind DB files (.mmdb), as scan's --geoip: a City or Country database, "
         "and optionally Anonymous-IP and ASN databases; their answers are merged "
         "per address. Read by the management-layer location analytics."),
    STR("run.inventory", run.inventory, NULL, "path",
        "VM inventory (JSON lines {vm, ip, from, to}), as scan's --inventory: which "
        "VM held which IP when. null: none."),
    STR("run.flow_log", run.flow_log, NULL, "path",
        "Write every decoded flow as one JSON line to this file (appended; '-' is "
        "stdout). For audits and for checking an exporter; it costs a formatted "
        "line per flow. null: no flow log."),
    DUR("run.stats_interval", run.stats_interval_us, 60 * US_PER_SEC,
        "How often (wall clock) vigil run prints its counters on stderr: "
        "datagrams, messages, flows, rejects by reason, kernel drops, sequence "
        "gaps, alerts. 0s: only on SIGUSR1 and at exit."),
    DUR("run.checkpoint_interval", run.checkpoint_interval_us, 5 * US_PER_MIN,
        "How often (wall clock) vigil run saves state in run.state, so a crash "
        "loses at most this much learning. 0s: only at exit."),
    DUR("run.idle_advance", run.idle_advance_us, 5 * US_PER_MIN,
        "Windows close when the event-time watermark (the newest flow time) has "
        "passed them by input.allowed_lateness, so on a network gone quiet they "
        "would stay open. After this much wall-clock time without a flow the "
        "watermark moves on with the wall clock from where it stood (never past "
        "the wall clock itself). 0s: it moves only with flows."),
};

#define NKEYS (sizeof keys / sizeof keys[0])

/* One line of explanation above each section in the dump and the docs. */
static const struct { const char *path, *doc; } sections[] = {
    { "input", "Reading inputs: late records, malformed records, progress." },
    { "alerts", "Alert aggregation and suppression." },
    { "groups", "Switches for families of alert types." },
    { "groups.arm_location", "Sign-in location analytics on the Azure activity log." },
    { "detectors", "Per-layer analytics." },
    { "detectors.k8s", "Kubernetes audit-log analytics (research/detections.md section 7)." },
    { "detectors.arm", "Azure activity-log analytics: toolkits, sessions, custom roles, locations (docs/MANAGEMENT.md)." },
    { "detectors.appservice", "App Service analytics: WordPress themes, sensitive pages, FTP, fingerprinting, scans, uploads, processes, cross-site sweeps (docs/APPSERVICE.md)." },
    { "detectors.keyvault", "Key Vault audit-log analytics: TOR, policy change then reads, dumps, unusual members, patterns, volume (docs/KEYVAULT.md)." },
    { "detectors.host", "Container-host analytics: privileged containers and commands, exposed Docker daemons, SSH servers, miners, API and dashboard requests from containers (docs/HOST.md)." },
    { "detectors.network", "Flow-record analytics: SSH and RDP baselines, malicious peers (docs/NETWORK.md)." },
    { "run", "The streaming daemon, vigil run --config FILE: listeners, outputs, state and its counters." },
};

static const char *section_doc(const char *path, size_t n) {
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
        if (strlen(sections[i].path) == n && memcmp(sections[i].path, path, n) == 0)
            return sections[i].doc;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Lists and field access. */

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) { fputs("vigil: out of memory\n", stderr); abort(); }
    return p;
}

static char *xstrndup(const char *s, size_t n) {
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static void strlist_free(struct strlist *l) {
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static void strlist_from(struct strlist *l, const char *const *src) {
    size_t n = 0;
    while (src[n]) n++;
    l->v = n ? xmalloc(n * sizeof *l->v) : NULL;
    l->n = n;
    for (size_t i = 0; i < n; i++) l->v[i] = xstrndup(src[i], strlen(src[i]));
}

#define AT(cfg, k, T) ((T *)((char *)(cfg) + (k)->off))
#define CAT(cfg, k, T) ((const T *)((const char *)(cfg) + (k)->off))

void config_defaults(struct vigil_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < NKEYS; i++) {
        const struct key *k = &keys[i];
        switch (k->type) {
        case K_BOOL: *AT(cfg, k, bool) = k->def != 0; break;
        case K_UINT: *AT(cfg, k, uint32_t) = (uint32_t)k->def; break;
        case K_DURATION: *AT(cfg, k, int64_t) = k->def; break;
        case K_LIST: strlist_from(AT(cfg, k, struct strlist), k->def_list); break;
        case K_STRING: *AT(cfg, k, char *) = k->def_str ? xstrndup(k->def_str, strlen(k->def_str)) : NULL; break;
        }
    }
}

void config_free(struct vigil_config *cfg) {
    for (size_t i = 0; i < NKEYS; i++)
        if (keys[i].type == K_LIST) strlist_free(AT(cfg, &keys[i], struct strlist));
        else if (keys[i].type == K_STRING) { free(*AT(cfg, &keys[i], char *)); *AT(cfg, &keys[i], char *) = NULL; }
}

static bool str_equal(const char *a, const char *b) {
    return a == b || (a && b && strcmp(a, b) == 0);
}

static bool strlist_equal(const struct strlist *a, const struct strlist *b) {
    if (a->n != b->n) return false;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i], b->v[i]) != 0) return false;
    return true;
}

bool config_equal(const struct vigil_config *a, const struct vigil_config *b) {
    for (size_t i = 0; i < NKEYS; i++) {
        const struct key *k = &keys[i];
        bool same = true;
        switch (k->type) {
        case K_BOOL: same = *CAT(a, k, bool) == *CAT(b, k, bool); break;
        case K_UINT: same = *CAT(a, k, uint32_t) == *CAT(b, k, uint32_t); break;
        case K_DURATION: same = *CAT(a, k, int64_t) == *CAT(b, k, int64_t); break;
        case K_LIST: same = strlist_equal(CAT(a, k, struct strlist), CAT(b, k, struct strlist)); break;
        case K_STRING: same = str_equal(*CAT(a, k, char *), *CAT(b, k, char *)); break;
        }
        if (!same) return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Loading. */

struct loader {
    const char *path;
    char *err;
    size_t errlen;
    yaml_document_t *doc;
    struct vigil_config tmp;   /* shallow copy of cfg; replaced lists are new */
    size_t set_line[NKEYS];    /* 0: not in the file */
};

__attribute__((format(printf, 3, 4)))
static int fail(struct loader *ld, size_t line, const char *fmt, ...) {
    if (ld->err && ld->errlen) {
        int n = line ? snprintf(ld->err, ld->errlen, "%s:%zu: ", ld->path, line)
                     : snprintf(ld->err, ld->errlen, "%s: ", ld->path);
        if (n >= 0 && (size_t)n < ld->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(ld->err + n, ld->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

static size_t line_of(const yaml_node_t *node) { return node->start_mark.line + 1; }

static bool is_null(const yaml_node_t *node) {
    if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *v = (const char *)node->data.scalar.value;
    return node->data.scalar.length == 0 || !strcmp(v, "~") || !strcmp(v, "null") ||
           !strcmp(v, "Null") || !strcmp(v, "NULL");
}

/* How a value looks in an error message: never more than one short line,
 * and never raw control bytes from the file. */
static void describe(const yaml_node_t *node, char *out, size_t cap) {
    if (!node) { snprintf(out, cap, "nothing"); return; }
    switch (node->type) {
    case YAML_SEQUENCE_NODE: snprintf(out, cap, "a list"); return;
    case YAML_MAPPING_NODE: snprintf(out, cap, "a mapping"); return;
    case YAML_SCALAR_NODE: break;
    default: snprintf(out, cap, "nothing"); return;
    }
    if (is_null(node)) { snprintf(out, cap, "null"); return; }
    const unsigned char *v = node->data.scalar.value;
    size_t n = node->data.scalar.length, o = 0;
    if (cap < 8) { snprintf(out, cap, "?"); return; }
    out[o++] = '\'';
    for (size_t i = 0; i < n && o + 5 < cap; i++) {
        if (i == 40) { memcpy(out + o, "...", 3); o += 3; break; }
        out[o++] = (v[i] < 0x20 || v[i] == 0x7f) ? '?' : (char)v[i];
    }
    out[o++] = '\'';
    out[o] = '\0';
}

static const char *expected(enum ktype t) {
    switch (t) {
    case K_BOOL: return "a boolean (true or false)";
    case K_UINT: return "an unsigned integer";
    case K_DURATION: return "a duration (90s, 15m, 24h, 7d, 1w or seconds)";
    case K_LIST: return "a list (a YAML sequence of strings; [] for none)";
    case K_STRING: return "a string";
    }
    return "?";
}

static int wrong_type(struct loader *ld, const struct key *k, const yaml_node_t *node) {
    char got[64];
    describe(node, got, sizeof got);
    return fail(ld, line_of(node), "wrong type for '%s': expected %s, got %s", k->path,
                expected(k->type), got);
}

static bool parse_bool(const char *v, bool *out) {
    static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON" };
    static const char *const no[] = { "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF" };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (!strcmp(v, yes[i])) { *out = true; return true; }
        if (!strcmp(v, no[i])) { *out = false; return true; }
    }
    return false;
}

static void fmt_value(const struct key *k, int64_t v, char *out, size_t cap) {
    if (k->type == K_DURATION) duration_format(v, out, cap);
    else snprintf(out, cap, "%" PRId64, v);
}

static int set_value(struct loader *ld, size_t i, const yaml_node_t *node) {
    const struct key *k = &keys[i];
    if (ld->set_line[i])
        return fail(ld, line_of(node), "'%s' is set twice (first on line %zu)", k->path,
                    ld->set_line[i]);
    if (k->type == K_LIST) {
        if (node->type != YAML_SEQUENCE_NODE) return wrong_type(ld, k, node);
        const yaml_node_item_t *it = node->data.sequence.items.start;
        size_t n = (size_t)(node->data.sequence.items.top - it);
        for (size_t j = 0; j < n; j++) {
            const yaml_node_t *item = yaml_document_get_node(ld->doc, it[j]);
            if (!item || item->type != YAML_SCALAR_NODE) {
                char got[64];
                describe(item, got, sizeof got);
                return fail(ld, item ? line_of(item) : line_of(node),
                            "wrong type in '%s': list entries must be strings, got %s",
                            k->path, got);
            }
            /* An empty entry would be a prefix of everything: one stray
             * dash could switch an allowlist to "allow all". */
            if (is_null(item) || item->data.scalar.length == 0)
                return fail(ld, line_of(item), "empty entry in '%s'", k->path);
            if (memchr(item->data.scalar.value, '\0', item->data.scalar.length))
                return fail(ld, line_of(item), "entry in '%s' contains a NUL character", k->path);
        }
        struct strlist l = { n ? xmalloc(n * sizeof(char *)) : NULL, n };
        for (size_t j = 0; j < n; j++) {
            const yaml_node_t *item = yaml_document_get_node(ld->doc, it[j]);
            l.v[j] = xstrndup((const char *)item->data.scalar.value, item->data.scalar.length);
        }
        *AT(&ld->tmp, k, struct strlist) = l;
        ld->set_line[i] = line_of(node);
        return 0;
    }

    if (k->type == K_STRING && is_null(node)) {      /* null: no value (the daemon's "off") */
        *AT(&ld->tmp, k, char *) = NULL;
        ld->set_line[i] = line_of(node);
        return 0;
    }
    if (node->type != YAML_SCALAR_NODE || is_null(node)) return wrong_type(ld, k, node);
    const char *v = (const char *)node->data.scalar.value;
    size_t vn = node->data.scalar.length;
    if (k->type == K_STRING) {
        if (memchr(v, '\0', vn)) return fail(ld, line_of(node), "'%s' contains a NUL character", k->path);
        *AT(&ld->tmp, k, char *) = xstrndup(v, vn);
        ld->set_line[i] = line_of(node);
        return 0;
    }
    bool plain = node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    int64_t num = 0;
    switch (k->type) {
    case K_BOOL: {
        bool b;
        /* A quoted "false" is a string in YAML; taking it as false would
         * make the file mean something else to every other YAML tool. */
        if (!plain || !parse_bool(v, &b)) return wrong_type(ld, k, node);
        *AT(&ld->tmp, k, bool) = b;
        ld->set_line[i] = line_of(node);
        return 0;
    }
    case K_UINT:
        if (!plain || vn == 0 || vn > 10 || strspn(v, "0123456789") != vn)
            return wrong_type(ld, k, node);
        num = (int64_t)strtoull(v, NULL, 10);
        break;
    case K_DURATION: {
        size_t digits = strspn(v, "0123456789");
        const char *unit = v + digits;
        bool one = digits + 1 == vn && *unit && strchr("smhdw", *unit);
        bool ms = digits + 2 == vn && unit[0] == 'm' && unit[1] == 's';
        if (digits == 0 || !(digits == vn || one || ms)) return wrong_type(ld, k, node);
        /* duration_parse bounds its digits for days, not weeks, so a long
         * number of weeks would overflow inside it, and it refuses more
         * than nine digits. Numbers this long are past DUR_MAX (or nearly,
         * in ms) anyway: report them as out of range, not as a wrong type. */
        if (digits > 9 || (one && *unit != 's' && digits > 7)) num = INT64_MAX;
        else if (!duration_parse((vstr){ v, vn }, &num)) return wrong_type(ld, k, node);
        break;
    }
    case K_LIST:
    case K_STRING:
        break;
    }
    if (num < k->min || num > k->max) {
        char lo[32], hi[32], got[64];
        fmt_value(k, k->min, lo, sizeof lo);
        fmt_value(k, k->max, hi, sizeof hi);
        describe(node, got, sizeof got);
        return fail(ld, line_of(node), "'%s' must be from %s to %s, got %s", k->path, lo, hi, got);
    }
    if (k->type == K_UINT) *AT(&ld->tmp, k, uint32_t) = (uint32_t)num;
    else *AT(&ld->tmp, k, int64_t) = num;
    ld->set_line[i] = line_of(node);
    return 0;
}

static size_t edit_distance(const char *a, const char *b) {
    size_t na = strlen(a), nb = strlen(b);
    if (na > 127 || nb > 127) return SIZE_MAX;
    size_t row[128];
    for (size_t j = 0; j <= nb; j++) row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[nb];
}

/* A typo, or the right name in the wrong section. */
static const char *suggest(const char *full) {
    const char *best = NULL;
    size_t best_d = 4;
    for (size_t i = 0; i < NKEYS; i++) {
        size_t d = edit_distance(full, keys[i].path);
        if (d < best_d) { best_d = d; best = keys[i].path; }
    }
    if (best) return best;
    const char *leaf = strrchr(full, '.');
    leaf = leaf ? leaf + 1 : full;
    for (size_t i = 0; i < NKEYS; i++) {
        const char *kl = strrchr(keys[i].path, '.');
        if (kl && !strcmp(kl + 1, leaf)) return keys[i].path;
    }
    return NULL;
}

static bool is_section(const char *full, size_t n) {
    for (size_t i = 0; i < NKEYS; i++)
        if (!strncmp(keys[i].path, full, n) && keys[i].path[n] == '.') return true;
    return false;
}

#define MAX_KEY 256

static int walk_mapping(struct loader *ld, const yaml_node_t *map, const char *prefix) {
    const yaml_node_pair_t *pairs = map->data.mapping.pairs.start;
    size_t npairs = (size_t)(map->data.mapping.pairs.top - pairs);
    for (size_t p = 0; p < npairs; p++) {
        const yaml_node_t *kn = yaml_document_get_node(ld->doc, pairs[p].key);
        const yaml_node_t *vn = yaml_document_get_node(ld->doc, pairs[p].value);
        if (!kn || !vn) return fail(ld, line_of(map), "malformed mapping");
        if (kn->type != YAML_SCALAR_NODE || kn->data.scalar.length == 0 ||
            memchr(kn->data.scalar.value, '\0', kn->data.scalar.length)) {
            char got[64];
            describe(kn, got, sizeof got);
            return fail(ld, line_of(kn), "keys must be names, got %s%s%s", got,
                        *prefix ? " in " : "", prefix);
        }
        const char *name = (const char *)kn->data.scalar.value;
        for (size_t q = 0; q < p; q++) {
            const yaml_node_t *other = yaml_document_get_node(ld->doc, pairs[q].key);
            if (other && other->type == YAML_SCALAR_NODE &&
                !strcmp((const char *)other->data.scalar.value, name))
                return fail(ld, line_of(kn), "duplicate key '%s%s%s' (first on line %zu)",
                            prefix, *prefix ? "." : "", name, line_of(other));
        }
        char full[MAX_KEY];
        int fn = snprintf(full, sizeof full, "%s%s%s", prefix, *prefix ? "." : "", name);
        if (fn < 0 || (size_t)fn >= sizeof full)
            return fail(ld, line_of(kn), "unknown key '%.*s...'", 64, full);

        size_t i = 0;
        while (i < NKEYS && strcmp(keys[i].path, full) != 0) i++;
        if (i < NKEYS) {
            if (set_value(ld, i, vn) < 0) return -1;
        } else if (is_section(full, (size_t)fn)) {
            if (vn->type == YAML_MAPPING_NODE) {
                if (walk_mapping(ld, vn, full) < 0) return -1;
            } else if (!is_null(vn)) { /* "detectors:" alone is an empty section */
                char got[64];
                describe(vn, got, sizeof got);
                return fail(ld, line_of(vn), "wrong type for '%s': expected a mapping of "
                            "keys, got %s", full, got);
            }
        } else {
            const char *s = suggest(full);
            if (s) return fail(ld, line_of(kn), "unknown key '%s' (did you mean '%s'?)", full, s);
            return fail(ld, line_of(kn), "unknown key '%s'", full);
        }
    }
    return 0;
}

static int syntax_error(struct loader *ld, const yaml_parser_t *ps) {
    const char *what = ps->problem ? ps->problem : "malformed YAML";
    switch (ps->error) {
    case YAML_MEMORY_ERROR:
        return fail(ld, 0, "out of memory while parsing");
    case YAML_READER_ERROR:
        if (ps->problem_value != -1)
            return fail(ld, 0, "cannot read: %s (byte 0x%02x at offset %zu)", what,
                        (unsigned)ps->problem_value, ps->problem_offset);
        return fail(ld, 0, "cannot read: %s at offset %zu", what, ps->problem_offset);
    default:
        if (ps->context)
            return fail(ld, ps->problem_mark.line + 1, "YAML syntax error: %s (%s, line %zu)",
                        what, ps->context, ps->context_mark.line + 1);
        return fail(ld, ps->problem_mark.line + 1, "YAML syntax error: %s", what);
    }
}

static int load_document(struct loader *ld, yaml_parser_t *ps) {
    yaml_document_t doc;
    if (!yaml_parser_load(ps, &doc)) return syntax_error(ld, ps);
    ld->doc = &doc;
    int rc = 0;
    const yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root) {
        if (root->type == YAML_MAPPING_NODE) {
            rc = walk_mapping(ld, root, "");
        } else if (!is_null(root)) {
            char got[64];
            describe(root, got, sizeof got);
            rc = fail(ld, line_of(root), "the top level must be a mapping of keys, got %s", got);
        }
        if (rc == 0) {
            /* A second document would be silently ignored by some tools and
             * merged by others: refuse it so the file means one thing. */
            yaml_document_t next;
            if (!yaml_parser_load(ps, &next)) {
                rc = syntax_error(ld, ps);
            } else {
                const yaml_node_t *r2 = yaml_document_get_root_node(&next);
                if (r2) rc = fail(ld, line_of(r2), "more than one YAML document");
                yaml_document_delete(&next);
            }
        }
    }
    yaml_document_delete(&doc);
    ld->doc = NULL;
    return rc;
}

int config_load(struct vigil_config *cfg, const char *path, char *err, size_t errlen) {
    struct loader *ld = calloc(1, sizeof *ld);
    if (!ld) { fputs("vigil: out of memory\n", stderr); abort(); }
    ld->path = path;
    ld->err = err;
    ld->errlen = errlen;
    if (err && errlen) err[0] = '\0';
    ld->tmp = *cfg;

    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        fail(ld, 0, "cannot open: %s", strerror(e));
        free(ld);
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fail(ld, 0, "cannot open: is a directory");
        fclose(f);
        free(ld);
        return -1;
    }
    yaml_parser_t ps;
    if (!yaml_parser_initialize(&ps)) { fputs("vigil: out of memory\n", stderr); abort(); }
    yaml_parser_set_input_file(&ps, f);
    int rc = load_document(ld, &ps);
    yaml_parser_delete(&ps);
    fclose(f);

    for (size_t i = 0; i < NKEYS; i++) {
        if (!ld->set_line[i]) continue;
        /* The winner's list or string stays; the loser's is freed: the old
         * one on success, the new one on failure, so cfg is all-or-nothing. */
        if (keys[i].type == K_LIST)
            strlist_free(rc == 0 ? AT(cfg, &keys[i], struct strlist)
                                 : AT(&ld->tmp, &keys[i], struct strlist));
        else if (keys[i].type == K_STRING)
            free(rc == 0 ? *AT(cfg, &keys[i], char *) : *AT(&ld->tmp, &keys[i], char *));
    }
    if (rc == 0) *cfg = ld->tmp;
    free(ld);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Dump and docs. */

/* Plain only where every YAML reader takes it as the same string: no
 * indicator first, nothing that resolves to a bool, null or number. */
static bool plain_ok(const char *s) {
    static const char *const special[] = { "true", "false", "yes", "no", "on", "off", "y", "n", "null" };
    if (!*s) return false;
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_' || *s == '/'))
        return false;
    for (const char *p = s; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  strchr("_./+@=*-", c) != NULL || (c == ':' && p[1] != '\0');
        if (!ok) return false;
    }
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        if (!strcasecmp(s, special[i])) return false;
    return true;
}

static void put_scalar(FILE *out, const char *s) {
    if (plain_ok(s)) { fputs(s, out); return; }
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(out, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f) fprintf(out, "\\x%02x", *p);
        else fputc(*p, out);
    }
    fputc('"', out);
}

static void put_flow_list(FILE *out, const char *const *l) {
    fputc('[', out);
    for (size_t i = 0; l[i]; i++) {
        if (i) fputs(", ", out);
        put_scalar(out, l[i]);
    }
    fputc(']', out);
}

static size_t list_len(const char *const *l) {
    size_t n = 0;
    while (l[n]) n++;
    return n;
}

/* Short defaults inline; long ones would drown the comment, so they are
 * only counted (false returned). */
static bool default_text(const struct key *k, char *out, size_t cap) {
    switch (k->type) {
    case K_BOOL: snprintf(out, cap, "%s", k->def ? "true" : "false"); return true;
    case K_UINT: snprintf(out, cap, "%" PRId64, k->def); return true;
    case K_DURATION: duration_format(k->def, out, cap); return true;
    case K_STRING: snprintf(out, cap, "%s", k->def_str ? k->def_str : "null"); return true;
    case K_LIST: break;
    }
    size_t n = list_len(k->def_list), len = 2;
    for (size_t i = 0; i < n; i++) len += strlen(k->def_list[i]) + 4;
    char *buf = NULL;
    size_t bn = 0;
    FILE *m = len <= 40 ? open_memstream(&buf, &bn) : NULL;
    if (!m) { snprintf(out, cap, "%zu entries", n); return false; }
    put_flow_list(m, k->def_list);
    fclose(m);
    snprintf(out, cap, "%s", buf);
    free(buf);
    return true;
}

/* Marks a space the wrapping must not break at. */
#define NBSP '\x01'

static void comment(FILE *out, int indent, const char *text) {
    const int width = 79;
    const char *p = text;
    while (*p) {
        int room = width - indent - 2;
        size_t len = strlen(p);
        size_t take = len;
        if ((int)len > room) {
            take = (size_t)room;
            while (take > 0 && p[take] != ' ') take--;
            if (take == 0) { /* one long word: let it overflow */
                take = (size_t)room;
                while (p[take] && p[take] != ' ') take++;
            }
        }
        fprintf(out, "%*s# ", indent, "");
        for (size_t i = 0; i < take; i++) fputc(p[i] == NBSP ? ' ' : p[i], out);
        fputc('\n', out);
        p += take;
        while (*p == ' ') p++;
    }
}

/* Number of leading dotted components that two paths' sections share. */
static size_t shared_depth(const char *a, const char *b) {
    size_t depth = 0;
    for (size_t i = 0;; i++) {
        if (a[i] != b[i]) return depth;
        if (a[i] == '\0') return depth;
        if (a[i] == '.') depth++;
    }
}

static size_t depth_of(const char *path) {
    size_t d = 0;
    for (; *path; path++) d += *path == '.';
    return d;
}

void config_dump(const struct vigil_config *cfg, FILE *out) {
    fputs("# vigil configuration: the effective values. Every key is optional: a key\n"
          "# left out keeps its default; a list given here replaces the default list.\n", out);
    const char *prev = "";
    for (size_t i = 0; i < NKEYS; i++) {
        const struct key *k = &keys[i];
        size_t depth = depth_of(k->path);
        size_t open = i ? shared_depth(prev, k->path) : 0;
        if (open > depth) open = depth;
        /* Open the sections this key needs beyond those already open. */
        const char *seg = k->path;
        for (size_t d = 0; d < open; d++) seg = strchr(seg, '.') + 1;
        for (size_t d = open; d < depth; d++) {
            const char *dot = strchr(seg, '.');
            const char *doc = section_doc(k->path, (size_t)(dot - k->path));
            if (d == 0) fputc('\n', out);
            if (doc) comment(out, (int)(2 * d), doc);
            fprintf(out, "%*s%.*s:\n", (int)(2 * d), "", (int)(dot - seg), seg);
            seg = dot + 1;
        }
        char def[160], buf[64];
        default_text(k, def, sizeof def);
        char note[256], text[2048];
        if (k->unit) snprintf(note, sizeof note, "(default: %s, unit: %s)", def, k->unit);
        else snprintf(note, sizeof note, "(default: %s)", def);
        /* The note stays on one line, so grep finds "default: 20m". */
        for (char *q = note; *q; q++)
            if (*q == ' ') *q = NBSP;
        snprintf(text, sizeof text, "%s %s", k->doc, note);
        int ind = (int)(2 * depth);
        comment(out, ind, text);
        fprintf(out, "%*s%s:", ind, "", seg);
        switch (k->type) {
        case K_BOOL: fprintf(out, " %s\n", *CAT(cfg, k, bool) ? "true" : "false"); break;
        case K_UINT: fprintf(out, " %" PRIu32 "\n", *CAT(cfg, k, uint32_t)); break;
        case K_DURATION:
            duration_format(*CAT(cfg, k, int64_t), buf, sizeof buf);
            fprintf(out, " %s\n", buf);
            break;
        case K_STRING: {
            const char *v = *CAT(cfg, k, char *);
            if (!v) { fputs(" null\n", out); break; }
            fputc(' ', out);
            put_scalar(out, v);
            fputc('\n', out);
            break;
        }
        case K_LIST: {
            const struct strlist *l = CAT(cfg, k, struct strlist);
            if (l->n == 0) { fputs(" []\n", out); break; }
            fputc('\n', out);
            for (size_t j = 0; j < l->n; j++) {
                fprintf(out, "%*s  - ", ind, "");
                put_scalar(out, l->v[j]);
                fputc('\n', out);
            }
            break;
        }
        }
        prev = k->path;
    }
}

static const char *type_name(enum ktype t) {
    switch (t) {
    case K_BOOL: return "bool";
    case K_UINT: return "integer";
    case K_DURATION: return "duration";
    case K_LIST: return "list";
    case K_STRING: return "string";
    }
    return "?";
}

/* Doc text inside a table cell: '*' would start emphasis, '|' a cell. */
static void put_md(FILE *out, const char *s) {
    for (; *s; s++) {
        if (*s == '*' || *s == '|' || *s == '\\') fputc('\\', out);
        fputc(*s, out);
    }
}

void config_doc_markdown(FILE *out) {
    const char *prev_section = NULL;
    size_t prev_len = 0;
    for (size_t i = 0; i < NKEYS; i++) {
        const struct key *k = &keys[i];
        size_t slen = (size_t)(strrchr(k->path, '.') - k->path);
        if (!prev_section || slen != prev_len || strncmp(prev_section, k->path, slen) != 0) {
            fprintf(out, "\n### `%.*s`\n\n", (int)slen, k->path);
            const char *doc = section_doc(k->path, slen);
            if (doc) { put_md(out, doc); fputs("\n\n", out); }
            fputs("| key | type | default | unit | meaning |\n|---|---|---|---|---|\n", out);
            prev_section = k->path;
            prev_len = slen;
        }
        char def[160];
        bool inl = default_text(k, def, sizeof def);
        fprintf(out, "| `%s` | %s | ", k->path + slen + 1, type_name(k->type));
        if (!inl)
            fprintf(out, "%s, [listed below](#default-lists) | ", def);
        else
            fprintf(out, "`%s` | ", def);
        fprintf(out, "%s | ", k->unit ? k->unit : "");
        put_md(out, k->doc);
        bool narrowed = (k->type == K_UINT && (k->min > 0 || k->max < UINT32_MAX)) ||
                        (k->type == K_DURATION && (k->min > 0 || k->max < DUR_MAX));
        if (narrowed) {
            char lo[32], hi[32];
            fmt_value(k, k->min, lo, sizeof lo);
            fmt_value(k, k->max, hi, sizeof hi);
            fprintf(out, " Range: %s to %s.", lo, hi);
        }
        fputs(" |\n", out);
    }
    fputs("\n### Default lists\n", out);
    for (size_t i = 0; i < NKEYS; i++) {
        const struct key *k = &keys[i];
        if (k->type != K_LIST || list_len(k->def_list) == 0) continue;
        fprintf(out, "\n`%s`:\n", k->path);
        for (size_t j = 0; k->def_list[j]; j++)
            fprintf(out, "%s`%s`", j ? ", " : "", k->def_list[j]);
        fputs("\n", out);
    }
}

/* ------------------------------------------------------------------ */
/* List matching. */

bool strlist_has(const struct strlist *l, const char *s, size_t n) {
    for (size_t i = 0; i < l->n; i++)
        if (strlen(l->v[i]) == n && memcmp(l->v[i], s, n) == 0) return true;
    return false;
}

static bool starts(const char *s, size_t n, const char *pre) {
    size_t pn = strlen(pre);
    return n >= pn && memcmp(s, pre, pn) == 0;
}

void image_repository(const char *image, size_t n, const char **repo, size_t *repo_n) {
    if (!n) {                           /* an absent image is an empty slice, perhaps NULL */
        *repo = "";
        *repo_n = 0;
        return;
    }
    const char *at = memchr(image, '@', n);
    if (at) n = (size_t)(at - image);
    size_t slash = 0;
    for (size_t i = 0; i < n; i++)
        if (image[i] == '/') slash = i + 1;
    /* A colon after the last slash is the tag; before it, a registry port. */
    const char *colon = memchr(image + slash, ':', n - slash);
    if (colon) n = (size_t)(colon - image);
    static const char *const hub[] = { "docker.io/", "index.docker.io/", "registry-1.docker.io/" };
    for (size_t i = 0; i < sizeof hub / sizeof hub[0]; i++) {
        if (starts(image, n, hub[i])) {
            size_t h = strlen(hub[i]);
            image += h;
            n -= h;
            break;
        }
    }
    if (starts(image, n, "library/")) { image += 8; n -= 8; }
    *repo = image;
    *repo_n = n;
}

const char *strlist_match_image(const struct strlist *l, const char *image, size_t n) {
    const char *repo;
    size_t rn;
    image_repository(image, n, &repo, &rn);
    const char *best = NULL;
    size_t best_n = 0;
    for (size_t i = 0; i < l->n; i++) {
        const char *e = l->v[i];
        size_t en = strlen(e);
        if (en == 0 || en > rn || memcmp(repo, e, en) != 0) continue;
        bool ok = en == rn || e[en - 1] == '/' || e[en - 1] == '.' || repo[en] == '/';
        if (ok && (!best || en > best_n)) { best = e; best_n = en; }
    }
    return best;
}

/* Normalised into out ("/a/b", or "/" for the root); false when too long. */
static bool norm_path(const char *p, size_t n, char *out, size_t cap) {
    size_t o = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && p[i] == '/') i++;
        size_t s = i;
        while (i < n && p[i] != '/') i++;
        size_t len = i - s;
        if (len == 0 || (len == 1 && p[s] == '.')) continue;
        if (len == 2 && p[s] == '.' && p[s + 1] == '.') {
            while (o > 0 && out[o - 1] != '/') o--;
            if (o > 0) o--;
            continue;
        }
        if (o + 1 + len + 1 > cap) return false;
        out[o++] = '/';
        memcpy(out + o, p + s, len);
        o += len;
    }
    if (o == 0) out[o++] = '/';
    out[o] = '\0';
    return true;
}

const char *strlist_match_path(const struct strlist *l, const char *path, size_t n) {
    char p[4096], e[4096];
    if (!norm_path(path, n, p, sizeof p)) return NULL;
    size_t pn = strlen(p);
    const char *best = NULL;
    size_t best_n = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (!norm_path(l->v[i], strlen(l->v[i]), e, sizeof e)) continue;
        size_t en = strlen(e);
        bool m;
        if (en == 1) m = pn == 1; /* "/" as a prefix would make every hostPath sensitive */
        else if (pn == 1) m = true; /* the root contains every entry */
        else m = (pn == en && !memcmp(p, e, en)) ||
                 (pn > en && !memcmp(p, e, en) && p[en] == '/') || /* under the entry */
                 (en > pn && !memcmp(p, e, pn) && e[pn] == '/');   /* above the entry */
        /* Most specific: the longest entry that is a prefix of the path,
         * else (path above entries) the shortest entry below it. */
        if (!m) continue;
        size_t score = en <= pn ? en + 4096 : 4096 - en;
        if (!best || score > best_n) { best = l->v[i]; best_n = score; }
    }
    return best;
}

static int lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

static bool eq_ci(const char *a, const char *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i])) return false;
    return true;
}

static bool word_sep(char c) { return c == '/' || c == '.' || c == '-' || c == '_' || c == ':' || c == '@'; }

const char *strlist_match_word(const struct strlist *l, const char *s, size_t n) {
    for (size_t i = 0; i < l->n; i++) {
        const char *w = l->v[i];
        size_t wn = strlen(w);
        if (wn == 0 || wn > n) continue;
        for (size_t at = 0; at + wn <= n; at++) {
            if (at > 0 && !word_sep(s[at - 1])) continue;
            if (at + wn < n && !word_sep(s[at + wn])) continue;
            if (eq_ci(s + at, w, wn)) return w;
        }
    }
    return NULL;
}

const char *strlist_match_substring(const struct strlist *l, const char *s, size_t n) {
    for (size_t i = 0; i < l->n; i++) {
        const char *w = l->v[i];
        size_t wn = strlen(w);
        if (wn == 0 || wn > n) continue;
        for (size_t at = 0; at + wn <= n; at++)
            if (eq_ci(s + at, w, wn)) return w;
    }
    return NULL;
}
