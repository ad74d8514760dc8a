#include "alert/catalog.h"

#include <string.h>

/* One entry per row of CATALOG.md, in its order. Severities and tactics are
 * Defender for Cloud's published values for the same detections
 * (research/detections.md section 2.3), so users moving over see familiar ratings;
 * where Defender publishes none, the choice is ours and noted. All prose is
 * our own.
 *
 * Readers stop at the first NULL of each array, so every array keeps one
 * free slot: at most 3 tactics, 3 techniques, 11 vars and 5 steps.
 *
 * Within a layer the same thing has the same var name in every entry (vm,
 * peer_ip, principal, vault, identity, site, client_ip, host, container...),
 * so detectors can share the code that sets them. The k8s names are the
 * contract with the k8s detector: actor source_ip user_agent verb object
 * namespace cluster, plus the per-type names used below. */
static const struct catalog_entry catalog[] = {

    /* ---- network layer ------------------------------------------------ */
    {
        .type = "net.rdp.outbound", .layer = "network",
        .title = "Suspicious outgoing RDP network activity",
        .severity = SEV_HIGH,
        .tactics = { "LateralMovement" },
        .techniques = { "T1021.001", "T1110" },
        .description =
            "In the hour starting {hour}, the flow records show VM {vm} ({vm_ip}) opening {connections} "
            "RDP connections to {peer_ip} on port {port}{?sampling_note}. That is abnormal for this VM: "
            "{baseline}; the alert threshold is {threshold}.{?other_peers} "
            "A burst of outgoing RDP sessions to one host is the shape of a password-guessing attack, so "
            "the VM may be compromised and used against others, which can also get its address put on "
            "blocklists.",
        .vars = { "hour", "vm", "vm_ip", "connections", "peer_ip", "port", "sampling_note", "baseline",
                  "threshold", "other_peers" },
        .remediation = {
            "Find the process on the VM that opened the RDP connections (for example with netstat, "
            "Sysmon network events or the EDR agent) and who or what started it.",
            "If nobody intended these connections, isolate the VM, keep a disk and memory image for "
            "investigation, and rebuild it from a trusted image.",
            "Reset the passwords and keys of every account that was used on the VM.",
            "Block outgoing TCP and UDP 3389 from VMs that have no need for it with a network "
            "security group or firewall rule.",
            "If the destination is a host the VM is meant to manage, allowlist that VM and "
            "destination pair.",
        },
    },
    {
        .type = "net.rdp.outbound.multi", .layer = "network",
        .title = "Suspicious outgoing RDP network activity to multiple destinations",
        .severity = SEV_HIGH,
        .tactics = { "Discovery" },
        .techniques = { "T1046", "T1110", "T1021.001" },
        .description =
            "In the hour starting {hour}, VM {vm} ({vm_ip}) made RDP connections to {peers} distinct "
            "remote addresses on port {port}{?sampling_note}. That is abnormal for this VM: {baseline}; "
            "the alert threshold is {threshold}. Most contacted: {top_peers}. "
            "Reaching out to many RDP endpoints at once is what a compromised machine does when it scans "
            "for or brute-forces other networks.",
        .vars = { "hour", "vm", "vm_ip", "peers", "port", "sampling_note", "baseline", "threshold",
                  "top_peers" },
        .remediation = {
            "Find the process on the VM that opened the RDP connections and who or what started it.",
            "If the VM is not an approved scanner or jump host, isolate it, keep a disk and memory "
            "image, and rebuild it from a trusted image.",
            "Reset the passwords and keys of every account that was used on the VM.",
            "Block outgoing TCP and UDP 3389 from VMs that have no need for it.",
        },
    },
    {
        .type = "net.ssh.outbound", .layer = "network",
        .title = "Suspicious outgoing SSH network activity",
        .severity = SEV_MEDIUM,
        .tactics = { "LateralMovement" },
        .techniques = { "T1021.004", "T1110" },
        .description =
            "In the hour starting {hour}, the flow records show VM {vm} ({vm_ip}) opening {connections} "
            "SSH connections to {peer_ip} on port {port}{?sampling_note}. That is abnormal for this VM: "
            "{baseline}; the alert threshold is {threshold}.{?other_peers} "
            "Many short SSH sessions to one host usually mean password guessing, so the VM may be "
            "compromised and used to attack others, which can also get its address put on blocklists.",
        .vars = { "hour", "vm", "vm_ip", "connections", "peer_ip", "port", "sampling_note", "baseline",
                  "threshold", "other_peers" },
        .remediation = {
            "Find the process on the VM that opened the SSH connections (ss -tnp, auditd or the EDR "
            "agent) and who or what started it; look for unknown binaries and cron jobs.",
            "If nobody intended these connections, isolate the VM, keep a disk image, and rebuild it "
            "from a trusted image.",
            "Rotate the SSH keys and passwords that were present on the VM.",
            "Restrict outgoing TCP 22 to the destinations the VM needs, and allowlist legitimate "
            "targets such as backup servers or Git hosts.",
        },
    },
    {
        .type = "net.ssh.outbound.multi", .layer = "network",
        .title = "Suspicious outgoing SSH network activity to multiple destinations",
        .severity = SEV_MEDIUM,
        .tactics = { "Discovery" },
        .techniques = { "T1046", "T1110", "T1021.004" },
        .description =
            "In the hour starting {hour}, VM {vm} ({vm_ip}) made SSH connections to {peers} distinct "
            "remote addresses on port {port}{?sampling_note}. That is abnormal for this VM: {baseline}; "
            "the alert threshold is {threshold}. Most contacted: {top_peers}. "
            "Sweeping many SSH servers at once is typical of malware that spreads by guessing passwords "
            "from a machine it has taken over.",
        .vars = { "hour", "vm", "vm_ip", "peers", "port", "sampling_note", "baseline", "threshold",
                  "top_peers" },
        .remediation = {
            "Find the process on the VM that opened the SSH connections and who or what started it; "
            "look for unknown binaries, cron jobs and added authorized_keys entries.",
            "If the VM is not an approved scanner or automation host, isolate it and rebuild it from "
            "a trusted image.",
            "Rotate the SSH keys and passwords that were present on the VM.",
            "Restrict outgoing TCP 22 to the destinations the VM needs.",
        },
    },
    {
        .type = "net.ssh.inbound", .layer = "network",
        .title = "Suspicious incoming SSH network activity",
        .severity = SEV_MEDIUM,
        .tactics = { "PreAttack" },
        .techniques = { "T1110", "T1021.004" },
        .description =
            "In the hour starting {hour}, the flow records show {peer_ip} opening {connections} SSH "
            "connections to VM {vm} ({vm_ip}) on port {port}{?sampling_note}. That is abnormal for this "
            "VM: {baseline}; the alert threshold is {threshold}.{?other_peers} "
            "That many connections from one source usually mean someone is guessing passwords on the "
            "VM's SSH service; one success gives them a shell.",
        .vars = { "hour", "vm", "vm_ip", "connections", "peer_ip", "port", "sampling_note", "baseline",
                  "threshold", "other_peers" },
        .remediation = {
            "Check the VM's authentication log for successful logins from the source address and "
            "investigate any you find.",
            "Allow SSH only from known addresses (network security group, firewall or a bastion "
            "service) instead of the whole internet.",
            "Disable password authentication and use keys; keep fail2ban or a similar rate limit on "
            "the service.",
            "Block the source address if it has no business reaching the VM.",
        },
    },
    {
        .type = "net.ssh.inbound.multi", .layer = "network",
        .title = "Suspicious incoming SSH network activity from multiple sources",
        .severity = SEV_MEDIUM,
        .tactics = { "PreAttack" },
        .techniques = { "T1110", "T1021.004" },
        .description =
            "In the hour starting {hour}, {peers} distinct remote addresses opened SSH connections to "
            "VM {vm} ({vm_ip}) on port {port}{?sampling_note}. That is abnormal for this VM: {baseline}; "
            "the alert threshold is {threshold}. Most active sources: {top_peers}. "
            "Many sources hitting one SSH service together is how botnets spread password guessing to "
            "stay under per-address limits.",
        .vars = { "hour", "vm", "vm_ip", "peers", "port", "sampling_note", "baseline", "threshold",
                  "top_peers" },
        .remediation = {
            "Check the VM's authentication log for successful logins during the hour and "
            "investigate any from unknown addresses.",
            "Allow SSH only from known addresses (network security group, firewall or a bastion "
            "service) instead of the whole internet.",
            "Disable password authentication and use keys; per-address rate limits alone do not "
            "stop a distributed attack.",
        },
    },
    {
        .type = "net.rdp.inbound", .layer = "network",
        .title = "Suspicious incoming RDP network activity",
        .severity = SEV_MEDIUM,
        .tactics = { "PreAttack" },
        .techniques = { "T1110", "T1021.001" },
        .description =
            "In the hour starting {hour}, the flow records show {peer_ip} opening {connections} RDP "
            "connections to VM {vm} ({vm_ip}) on port {port}{?sampling_note}. That is abnormal for this "
            "VM: {baseline}; the alert threshold is {threshold}.{?other_peers} "
            "That many connections from one source usually mean someone is guessing passwords on the "
            "VM's Remote Desktop service.",
        .vars = { "hour", "vm", "vm_ip", "connections", "peer_ip", "port", "sampling_note", "baseline",
                  "threshold", "other_peers" },
        .remediation = {
            "Check the VM's Security event log (events 4624 and 4625, logon type 10) for successful "
            "logons from the source address.",
            "Do not expose RDP to the internet: use a VPN, a bastion service or just-in-time access, "
            "and allow port 3389 only from known addresses.",
            "Enforce an account lockout policy and strong passwords, and require Network Level "
            "Authentication.",
            "Block the source address if it has no business reaching the VM.",
        },
    },
    {
        .type = "net.rdp.inbound.multi", .layer = "network",
        .title = "Suspicious incoming RDP network activity from multiple sources",
        .severity = SEV_MEDIUM,
        .tactics = { "PreAttack" },
        .techniques = { "T1110", "T1021.001" },
        .description =
            "In the hour starting {hour}, {peers} distinct remote addresses opened RDP connections to "
            "VM {vm} ({vm_ip}) on port {port}{?sampling_note}. That is abnormal for this VM: {baseline}; "
            "the alert threshold is {threshold}. Most active sources: {top_peers}. "
            "Many sources hitting one Remote Desktop service together is a distributed password-guessing "
            "attack.",
        .vars = { "hour", "vm", "vm_ip", "peers", "port", "sampling_note", "baseline", "threshold",
                  "top_peers" },
        .remediation = {
            "Check the VM's Security event log for successful remote logons during the hour.",
            "Do not expose RDP to the internet: use a VPN, a bastion service or just-in-time access, "
            "and allow port 3389 only from known addresses.",
            "Enforce an account lockout policy and strong passwords, and require Network Level "
            "Authentication.",
        },
    },
    {
        .type = "net.malicious.peer", .layer = "network",
        .title = "Network communication with a malicious address",
        .severity = SEV_MEDIUM,
        .tactics = { "CommandAndControl" },
        .techniques = { "T1071", "T1095" },
        .description =
            "VM {vm} ({vm_ip}) exchanged {records} flow records ({bytes} bytes) with {peer_ip} between "
            "{first_seen} and {last_seen}{?sampling_note}; {initiator}. Threat intelligence lists that "
            "address as malicious: {indicator}.{?other_indicators} A machine in contact with a known "
            "command-and-control address is probably running malware that takes orders from, or sends "
            "data to, an attacker.",
        .vars = { "vm", "vm_ip", "records", "bytes", "peer_ip", "first_seen", "last_seen", "sampling_note",
                  "initiator", "indicator", "other_indicators" },
        .remediation = {
            "Find the process on the VM that talks to the address (netstat or ss, DNS logs, EDR "
            "network events) and check how it got there.",
            "If the connection is not explained, isolate the VM, keep a disk and memory image, and "
            "rebuild it from a trusted image.",
            "Block the address at the firewall and look for other VMs that contacted it.",
            "Rotate credentials that were stored on or used from the VM.",
        },
    },

    /* ---- management layer (Azure Resource Manager) --------------------- */
    /* Defender splits MicroBurst into variants from Low (enumeration) to
     * High; vigil raises one type whose footprint in the activity log is the
     * credential-revealing and run-command variants, all High. */
    {
        .type = "arm.toolkit.microburst", .layer = "management",
        .title = "MicroBurst toolkit run",
        .severity = SEV_HIGH,
        .tactics = { "CredentialAccess", "Execution", "Collection" },
        .techniques = { "T1555.006", "T1552", "T1651" },
        .description =
            "Within {window}, {principal} (from {ip}, using {client}) performed operations in "
            "subscription {subscription} that match the MicroBurst attack toolkit ({variant}): "
            "{operations}, on {resources} resources. MicroBurst is used to pull keys, secrets and "
            "passwords out of an Azure subscription and to run commands on its VMs, so this "
            "principal's access may be in an attacker's hands.",
        .vars = { "window", "principal", "ip", "client", "subscription", "variant", "operations",
                  "resources" },
        .remediation = {
            "Ask the owner of the principal whether this was an authorised security test; if not, "
            "disable the principal or revoke its sessions and credentials at once.",
            "Rotate every key, secret and password the listed operations could have revealed: "
            "storage account keys, Key Vault secrets, web app publishing profiles, registry and "
            "automation credentials.",
            "Review run-command and automation job history for commands run on VMs in the window, "
            "and investigate those VMs.",
            "Remove any access policy, role assignment or runbook the principal added, and narrow "
            "who may list keys by giving least-privilege roles.",
        },
    },
    {
        .type = "arm.toolkit.azurite", .layer = "management",
        .title = "Azurite toolkit run",
        .severity = SEV_HIGH,
        .tactics = { "Collection" },
        .techniques = { "T1580", "T1526" },
        .description =
            "Within {window}, {principal} (from {ip}, using {client}) read the configuration of "
            "{resource_types} kinds of resources in subscription {subscription}, including "
            "{operations}: the sweep the Azurite exploration toolkit performs. Azurite maps a "
            "subscription's VMs, networks, web apps, databases and key vaults so that an attacker can "
            "pick the weakest, which makes this a likely first step of an attack.",
        .vars = { "window", "principal", "ip", "client", "resource_types", "subscription",
                  "operations" },
        .remediation = {
            "Ask the owner of the principal whether this was an authorised review; if not, revoke "
            "its sessions and reset its credentials.",
            "Check what else the principal did after the sweep, especially writes and key listings.",
            "Fix the weaknesses such a map exposes: internet-facing management ports, open network "
            "security groups, databases without auditing, vaults with broad access.",
            "Give reader roles only to people and tools that need a full view of the subscription.",
        },
    },
    {
        .type = "arm.session.inactive_account", .layer = "management",
        .title = "Suspicious management session using an inactive account",
        .severity = SEV_MEDIUM,
        .tactics = { "Persistence" },
        .techniques = { "T1078.004", "T1098" },
        .description =
            "{principal} had been inactive for {days_inactive} days (last seen {last_seen}) and has "
            "now, from {ip}, performed operations that can keep access in place: {operations}. "
            "Dormant accounts are rarely watched, which makes them attractive to anyone holding old "
            "credentials.",
        .vars = { "principal", "days_inactive", "last_seen", "ip", "operations" },
        .remediation = {
            "Confirm with the account's owner that the session was theirs; if not, disable the "
            "account and revoke its sessions.",
            "Undo the listed changes that were not intended (role assignments, VM extensions, "
            "run commands, automation runbooks, access policies).",
            "Remove or disable accounts that are no longer needed, and review stale access "
            "regularly.",
        },
    },
    {
        .type = "arm.session.powershell", .layer = "management",
        .title = "Suspicious management session using PowerShell",
        .severity = SEV_MEDIUM,
        .tactics = { "Persistence" },
        .techniques = { "T1059.001", "T1078.004", "T1098" },
        .description =
            "{principal} used Azure PowerShell from {ip}, which it had not done in the previous "
            "{lookback_days} days, and performed operations that can keep access in place: "
            "{operations}. A sudden switch to scripted management together with persistence-type "
            "changes can mean the credentials are being used by someone other than their owner.",
        .vars = { "principal", "ip", "lookback_days", "operations" },
        .remediation = {
            "Confirm with the principal's owner that they ran these PowerShell commands; if not, "
            "revoke its sessions and reset its credentials.",
            "Undo the listed changes that were not intended.",
            "Require multi-factor authentication and conditional access for management sign-ins.",
        },
    },
    {
        .type = "arm.persistence.custom_role", .layer = "management",
        .title = "Use of advanced Azure persistence techniques",
        .severity = SEV_MEDIUM,
        .tactics = { "Persistence" },
        .techniques = { "T1098.003", "T1078.004" },
        .description =
            "{principal} (from {ip}) assigned the custom role {role} to {assignee_type} {assignee} "
            "at scope {scope}. Handing a custom role to an identity that already looks legitimate is "
            "a quiet way to keep privileged access, because it blends in with ordinary automation "
            "and is easy to miss in reviews.",
        .vars = { "principal", "ip", "role", "assignee_type", "assignee", "scope" },
        .remediation = {
            "Check that the assignment was requested and approved; if not, remove it and "
            "investigate the principal that made it.",
            "Review the custom role's permissions and drop wildcards and authorization, key listing "
            "or run-command rights that the assignee does not need.",
            "Review what the assignee has done since the assignment.",
            "Limit who may create role definitions and assignments, and use just-in-time elevation "
            "for privileged roles.",
        },
    },
    /* Defender publishes no tactic for the three location analytics (they
     * come from Defender for Cloud Apps); an unfamiliar location and
     * impossible travel point at stolen credentials in use, hence
     * InitialAccess; an anonymizer hides the origin, hence DefenseEvasion as
     * in Defender's successor alert. */
    {
        .type = "arm.location.infrequent_country", .layer = "management",
        .title = "Activity from infrequent country",
        .severity = SEV_MEDIUM,
        .tactics = { "InitialAccess" },
        .techniques = { "T1078.004" },
        .description =
            "{principal} performed management operations from {ip} in {country}, a country this "
            "account has not worked from in the last {lookback_days} days: {operations}. Activity "
            "from an unfamiliar country can mean the account's credentials are in someone else's "
            "hands.",
        .vars = { "principal", "ip", "country", "lookback_days", "operations" },
        .remediation = {
            "Ask the user whether they were travelling or using a new VPN or network.",
            "If not, revoke the account's sessions, reset its credentials and review the listed "
            "operations.",
            "Require multi-factor authentication, and consider conditional access that limits "
            "management to expected countries.",
        },
    },
    {
        .type = "arm.location.anonymous_ip", .layer = "management",
        .title = "Activity from anonymous IP addresses",
        .severity = SEV_MEDIUM,
        .tactics = { "DefenseEvasion" },
        .techniques = { "T1090.003", "T1078.004" },
        .description =
            "{principal} performed management operations from {ip}, an address identified as "
            "{anonymizer}: {operations}. Attackers route their traffic through anonymizing networks "
            "to hide where they are, so management activity from one needs checking unless the "
            "account's owner is known to use it.",
        .vars = { "principal", "ip", "anonymizer", "operations" },
        .remediation = {
            "Ask the account's owner whether they used a VPN, proxy or TOR for this session.",
            "If not, revoke the account's sessions, reset its credentials and review the listed "
            "operations.",
            "If the address is your organisation's own egress or VPN, add it to the trusted "
            "ranges so it is not flagged again.",
        },
    },
    {
        .type = "arm.location.impossible_travel", .layer = "management",
        .title = "Impossible travel detected",
        .severity = SEV_MEDIUM,
        .tactics = { "InitialAccess" },
        .techniques = { "T1078.004" },
        .description =
            "{principal} acted from {prev_ip} in {prev_country} at {prev_time} and from {ip} in "
            "{country} at {time}, {distance_km} km apart: covering that distance would take "
            "{speed_kmh} km/h. One of the two sessions is probably not the account's owner, which "
            "points to stolen credentials or a hijacked session.",
        .vars = { "principal", "prev_ip", "prev_country", "prev_time", "ip", "country", "time",
                  "distance_km", "speed_kmh" },
        .remediation = {
            "Ask the user which of the two locations was theirs, and whether a VPN could explain "
            "the other.",
            "If either session was not theirs, revoke all sessions, reset the credentials and "
            "review what was done from the unexplained address.",
            "Require multi-factor authentication for management access.",
        },
    },

    /* ---- Key Vault ------------------------------------------------------ */
    {
        .type = "kv.access.tor", .layer = "keyvault",
        .title = "Access from a TOR exit node to a Key Vault",
        .severity = SEV_MEDIUM,
        .tactics = { "CredentialAccess" },
        .techniques = { "T1555.006", "T1090.003" },
        .description =
            "Key Vault {vault} was accessed from {ip}, a known TOR exit node, by {identity} through "
            "application {app}: {count} operations ({operations}). Reaching a secret store through "
            "TOR hides the caller's real location, which a legitimate application has no reason to "
            "do.",
        .vars = { "vault", "ip", "identity", "app", "count", "operations" },
        .remediation = {
            "Treat the identity as compromised: revoke its sessions and reset its credentials or "
            "application secret.",
            "Rotate every secret, key and certificate it read.",
            "Enable the vault's firewall so that only your networks can reach it, or use a private "
            "endpoint.",
        },
    },
    {
        .type = "kv.policy_change.secret_query", .layer = "keyvault",
        .title = "Suspicious policy change and secret query in a Key Vault",
        .severity = SEV_MEDIUM,
        .tactics = { "CredentialAccess" },
        .techniques = { "T1555.006", "T1098" },
        .description =
            "{identity} (from {ip}) changed the access policy of Key Vault {vault} ({policy_change}) "
            "and within {window} read {count} secrets, a sequence it has not performed on this vault "
            "before. Granting oneself access and then reading secrets is a common way to dump a "
            "vault, and the policy is often restored afterwards to hide it.",
        .vars = { "identity", "ip", "vault", "policy_change", "window", "count" },
        .remediation = {
            "Confirm with the identity's owner that the policy change and the reads were planned; "
            "if not, revoke its sessions and reset its credentials.",
            "Restore the access policy to its intended state and rotate the secrets that were read.",
            "Move the vault to Azure RBAC and restrict who may change its access configuration.",
        },
    },
    {
        .type = "kv.secret_list.secret_gets", .layer = "keyvault",
        .title = "Suspicious secret listing and query in a Key Vault",
        .severity = SEV_MEDIUM,
        .tactics = { "CredentialAccess" },
        .techniques = { "T1555.006" },
        .description =
            "{identity} (using {app} from {ip}) listed the secrets of Key Vault {vault} and then "
            "read {count} different secrets within {window}; the most it had read from this vault "
            "in such a window before is {baseline}. Listing a vault and then fetching its secrets "
            "one after another is what secret-dumping tools do.",
        .vars = { "identity", "app", "ip", "vault", "count", "window", "baseline" },
        .remediation = {
            "Confirm with the identity's owner that it needed all of these secrets; if not, revoke "
            "its sessions and reset its credentials.",
            "Rotate the secrets that were read.",
            "Give each identity access only to the secrets it needs, and split unrelated secrets "
            "into separate vaults.",
        },
    },
    {
        .type = "kv.unusual.user_app_pair", .layer = "keyvault",
        .title = "Unusual user-application pair accessed a Key Vault",
        .severity = SEV_MEDIUM,
        .tactics = { "CredentialAccess" },
        .techniques = { "T1555.006", "T1078.004" },
        .description =
            "Key Vault {vault} was accessed by user {identity} through application {app} from {ip}, "
            "a combination not seen on this vault in the last {lookback_days} days: {operations}. "
            "Each is known to the vault, but not together; this can be a new way of working, or a "
            "stolen token used through a different tool.",
        .vars = { "vault", "identity", "app", "ip", "lookback_days", "operations" },
        .remediation = {
            "Ask the user whether they accessed the vault with this application.",
            "If not, revoke the user's sessions, reset the credentials and rotate the secrets that "
            "were read.",
            "If it is legitimate, no action is needed: the pair is now part of the vault's baseline.",
        },
    },
    {
        .type = "kv.unusual.app", .layer = "keyvault",
        .title = "Unusual application accessed a Key Vault",
        .severity = SEV_MEDIUM,
        .tactics = { "CredentialAccess" },
        .techniques = { "T1555.006", "T1078.004" },
        .description =
            "Application {app} accessed Key Vault {vault} (as {identity}, from {ip}) for the first "
            "time in at least {lookback_days} days: {operations}. An application that starts "
            "reading a vault it never used may be a new deployment, or an attacker using stolen "
            "application credentials.",
        .vars = { "app", "vault", "identity", "ip", "lookback_days", "operations" },
        .remediation = {
            "Check with the application's owner whether a new release or deployment explains the "
            "access.",
            "If not, reset the application's credentials, remove its access to the vault and rotate "
            "the secrets it read.",
            "Grant vault access per application and per secret, not to whole groups of "
            "applications.",
        },
    },
    {
        .type = "kv.unusual.user", .layer = "keyvault",
        .title = "Unusual user accessed a Key Vault",
        .severity = SEV_MEDIUM,
        .tactics = { "CredentialAccess" },
        .techniques = { "T1555.006", "T1078.004" },
        .description =
            "User {identity} accessed Key Vault {vault} through {app} from {ip} for the first time "
            "in at least {lookback_days} days: {operations}. A new user reading a vault can be a new "
            "team member, or someone using a compromised account to look for secrets.",
        .vars = { "identity", "vault", "app", "ip", "lookback_days", "operations" },
        .remediation = {
            "Check with the vault's owner whether the user should have access.",
            "If not, revoke the user's sessions, reset the credentials, remove the access and "
            "rotate the secrets that were read.",
            "Review who holds access to the vault and remove what is not needed.",
        },
    },
    {
        .type = "kv.unusual.operation_pattern", .layer = "keyvault",
        .title = "Unusual operation pattern in a Key Vault",
        .severity = SEV_MEDIUM,
        .tactics = { "CredentialAccess" },
        .techniques = { "T1555.006" },
        .description =
            "Key Vault {vault} saw operations that are unusual for it compared with the last "
            "{lookback_days} days: {operations}, mostly by {identity} from {ip}. Operations such as "
            "backing up, purging or recovering secrets and keys can be used to steal or destroy "
            "them, so an unexpected mix needs explaining.",
        .vars = { "vault", "lookback_days", "operations", "identity", "ip" },
        .remediation = {
            "Ask the identity's owner what the operations were for, for example a scheduled backup "
            "or a migration.",
            "If they are not explained, revoke the identity's sessions, reset its credentials and "
            "rotate the affected secrets and keys.",
            "Enable soft delete and purge protection so that deleted secrets and keys can be "
            "recovered.",
        },
    },
    {
        .type = "kv.volume.high", .layer = "keyvault",
        .title = "High volume of operations in a Key Vault",
        .severity = SEV_MEDIUM,
        .tactics = { "CredentialAccess" },
        .techniques = { "T1555.006" },
        .description =
            "{identity} performed {count} operations on Key Vault {vault} within {window}, against "
            "a usual {baseline} (alert threshold {threshold}). A sudden jump in activity on a vault "
            "can mean its secrets are being harvested in bulk.",
        .vars = { "identity", "count", "vault", "window", "baseline", "threshold" },
        .remediation = {
            "Check whether a deployment, restart loop or new application explains the volume.",
            "If not, revoke the identity's sessions, reset its credentials and rotate the secrets "
            "it read.",
            "Have applications cache secrets instead of reading them on every request, so that "
            "bursts stand out.",
        },
    },
    {
        .type = "kv.user.many_vaults", .layer = "keyvault",
        .title = "User accessed high volume of Key Vaults",
        .severity = SEV_MEDIUM,
        .tactics = { "CredentialAccess" },
        .techniques = { "T1555.006", "T1078.004" },
        .description =
            "{identity} accessed {count} different Key Vaults within {window}, against a usual "
            "{baseline} (alert threshold {threshold}): {vaults}. One identity suddenly touching many "
            "vaults looks like an attacker sweeping the organisation's secret stores with a stolen "
            "credential.",
        .vars = { "identity", "count", "window", "baseline", "threshold", "vaults" },
        .remediation = {
            "Ask the identity's owner why it needed these vaults.",
            "If it is not explained, revoke its sessions, reset its credentials and rotate the "
            "secrets it read in each vault.",
            "Reduce the identity's vault access to what its job requires.",
        },
    },

    /* ---- App Service ---------------------------------------------------- */
    {
        .type = "app.wordpress.theme_invocation", .layer = "appservice",
        .title = "Suspicious WordPress theme invocation detected",
        .severity = SEV_HIGH,
        .tactics = { "Execution" },
        .techniques = { "T1505.003", "T1190" },
        .description =
            "{client_ip} requested the WordPress theme file {path} on {site} directly (HTTP "
            "{status}), {context}. WordPress only includes theme templates from its own code, so a "
            "direct call to one, above all right after the theme was edited, suggests that code "
            "was planted in the theme to run commands on the server.",
        .vars = { "client_ip", "path", "site", "status", "context" },
        .remediation = {
            "Compare the theme's files with a clean copy of the theme and remove injected code.",
            "Review who used the theme editor and reset the passwords of WordPress administrators.",
            "Disable file editing from the dashboard (DISALLOW_FILE_EDIT in wp-config.php) and keep "
            "WordPress, themes and plugins up to date.",
            "If the site does not run WordPress, the requests were probes and the alert can be "
            "suppressed for it.",
        },
    },
    {
        .type = "app.sensitive_page.anomalous_ip", .layer = "appservice",
        .title = "Connection to web page from anomalous IP address detected",
        .severity = SEV_LOW,
        .tactics = { "InitialAccess" },
        .techniques = { "T1110", "T1078" },
        .description =
            "{client_ip}, an address not seen before on the administration pages of {site}, "
            "requested {path} {count} times (user agent {user_agent}). Unfamiliar sources on login "
            "and admin pages are often guessing passwords; if the address belongs to a legitimate "
            "administrator, suppress the alert for it.",
        .vars = { "client_ip", "site", "path", "count", "user_agent" },
        .remediation = {
            "Check the application's own logs for successful logins from the address.",
            "Restrict administration pages to known addresses, or put them behind authentication "
            "at the front door.",
            "Require strong passwords and multi-factor authentication for administrators, and "
            "rate-limit the login page.",
        },
    },
    {
        .type = "app.ftp.threat_intel_ip", .layer = "appservice",
        .title = "Connection to App Service FTP from an address in threat intelligence",
        .severity = SEV_MEDIUM,
        .tactics = { "InitialAccess" },
        .techniques = { "T1078", "T1105" },
        .description =
            "{client_ip}, an address listed in threat intelligence ({indicator}), connected to the "
            "FTP interface of {site} as user {ftp_user}; the login {login}, and the session touched "
            "these files: {files}. FTP gives direct read and write access to a site's files, so a "
            "known-bad source on it may be stealing content or planting a web shell.",
        .vars = { "client_ip", "indicator", "site", "ftp_user", "login", "files" },
        .remediation = {
            "If the login succeeded, reset the site's deployment credentials and check the listed "
            "files for changes.",
            "Look for files uploaded during the session and remove any that are not yours.",
            "Disable FTP, or allow only FTPS, if deployments do not need it.",
        },
    },
    {
        .type = "app.web.fingerprinting", .layer = "appservice",
        .title = "Web fingerprinting detected",
        .severity = SEV_MEDIUM,
        .tactics = { "PreAttack" },
        .techniques = { "T1595", "T1592.002" },
        .description =
            "{client_ip} sent {count} requests to {site} that carry the marks of the BlindElephant "
            "web fingerprinting tool ({signals}). The tool works out which web application and "
            "version a site runs, which an attacker then uses to choose a matching exploit.",
        .vars = { "client_ip", "count", "site", "signals" },
        .remediation = {
            "Make sure the site's application, themes and plugins are on current, patched versions.",
            "Hide version details: remove readme, changelog and version files from the web root "
            "and turn off version headers.",
            "Block the address if it keeps probing.",
        },
    },
    /* Defender gives no tactic; the alert fires when a scanner-like client
     * was actually served a sensitive page, the step before exploiting a
     * public-facing application, hence InitialAccess. */
    {
        .type = "app.web.vulnerable_page_scan", .layer = "appservice",
        .title = "Suspicious access to possibly vulnerable web page detected",
        .severity = SEV_LOW,
        .tactics = { "InitialAccess" },
        .techniques = { "T1595.003", "T1190" },
        .description =
            "{client_ip} behaved like an automated scanner on {site} ({count} requests, {not_found} "
            "of them answered 404) and got HTTP {status} for the sensitive page {path} (user agent "
            "{user_agent}). Scanners look for configuration files, backups and admin tools left "
            "exposed; a page that was actually served may leak secrets or give a foothold.",
        .vars = { "client_ip", "site", "count", "not_found", "status", "path", "user_agent" },
        .remediation = {
            "Check what the page returned; if it exposes configuration, source code or credentials, "
            "remove it and rotate any secret it contained.",
            "Keep deployment leftovers (.git, .env, backups, phpinfo pages) out of the web root.",
            "Block the address if it keeps scanning.",
        },
    },
    {
        .type = "app.upload.php_file", .layer = "appservice",
        .title = "PHP file in upload folder",
        .severity = SEV_MEDIUM,
        .tactics = { "Execution" },
        .techniques = { "T1505.003", "T1190" },
        .description =
            "{client_ip} requested the PHP file {path} in an upload folder of {site} (HTTP "
            "{status}, user agent {user_agent}). Upload folders hold images and documents, not "
            "code, so a PHP file there is most likely a web shell uploaded through a weak upload "
            "form.",
        .vars = { "client_ip", "path", "site", "status", "user_agent" },
        .remediation = {
            "Inspect the file; if it is not part of the application, remove it and look for other "
            "files uploaded at the same time.",
            "Find out how it was uploaded (upload form, plugin, FTP) and fix that path.",
            "Stop the web server from executing scripts in upload folders.",
        },
    },
    /* Defender gives no tactic; running a command is Execution. */
    {
        .type = "app.process.linux_on_windows", .layer = "appservice",
        .title = "An attempt to run Linux commands on a Windows App Service",
        .severity = SEV_MEDIUM,
        .tactics = { "Execution" },
        .techniques = { "T1059.004", "T1190" },
        .description =
            "On the Windows site {site}, the web application process {parent} started {process} "
            "to run the Linux command {command_line}. Such commands cannot work on Windows; they "
            "come from exploit campaigns that fire one payload at every server, so the application "
            "may have a flaw that lets attackers run commands.",
        .vars = { "site", "parent", "process", "command_line" },
        .remediation = {
            "Find the request that triggered the command in the HTTP logs of the same minute, and "
            "the application component that handled it.",
            "Patch or remove the vulnerable component.",
            "Check the site for files and processes the attacker may have left behind.",
        },
    },
    {
        .type = "app.process.suspicious_php", .layer = "appservice",
        .title = "Suspicious PHP execution detected",
        .severity = SEV_MEDIUM,
        .tactics = { "Execution" },
        .techniques = { "T1059", "T1505.003" },
        .description =
            "On {site}, {parent} started the PHP process {process} with the command line "
            "{command_line}. Running code given on the command line, or calling the operating "
            "system from PHP in this way, is typical of web shells and of exploits that have gained "
            "code execution.",
        .vars = { "site", "parent", "process", "command_line" },
        .remediation = {
            "Find which script or request started the process and check it for injected code.",
            "Look for web shells in the site's files, starting with recently changed PHP files.",
            "Disable PHP functions the application does not use (disable_functions), such as "
            "system, exec and shell_exec.",
        },
    },
    /* Defender retired this alert without publishing a rating; its
     * suggested Execution / Medium from detections.md section 2.3 is used. */
    {
        .type = "app.process.temp_folder", .layer = "appservice",
        .title = "Process execution from temporary folder",
        .severity = SEV_MEDIUM,
        .tactics = { "Execution" },
        .techniques = { "T1105", "T1059" },
        .description =
            "On {site}, {parent} started {process} from a temporary folder, with the command line "
            "{command_line}. Attackers who get code execution usually drop their tools in temporary "
            "folders because they are writable, so a program running from there needs to be "
            "accounted for.",
        .vars = { "site", "parent", "process", "command_line" },
        .remediation = {
            "Identify the file (hash, signer, creation time) and how it got into the temporary "
            "folder.",
            "If it is not part of the application or its build, stop it, remove it and look for "
            "the request that dropped it.",
            "If it is a known runtime extractor, add its path and hash to the allowlist.",
        },
    },
    /* Defender gives no tactic; trying admin-only commands from a web worker
     * is an attempt to raise privileges. */
    {
        .type = "app.process.high_privilege", .layer = "appservice",
        .title = "Attempt to run high privilege command detected",
        .severity = SEV_MEDIUM,
        .tactics = { "PrivilegeEscalation" },
        .techniques = { "T1548", "T1136", "T1098" },
        .description =
            "On {site}, {parent} running as {user} started {process} with the command line "
            "{command_line}, which needs administrative rights. A web application has no reason to create accounts, "
            "change system settings or raise its privileges, so this is probably an attacker who "
            "controls the application trying to take over the host.",
        .vars = { "site", "parent", "user", "process", "command_line" },
        .remediation = {
            "Find the request that led to the command and the component that handled it, and patch "
            "or remove that component.",
            "Check whether the command succeeded: new accounts, changed services, scheduled tasks "
            "or sudoers entries.",
            "Run the application with the least privileges it needs.",
        },
    },
    /* No Defender alert exists for this seed narrative; the suggested
     * PreAttack / Low from detections.md section 2.3 is used. */
    {
        .type = "app.scan.cross_host", .layer = "appservice",
        .title = "Scan of similar endpoints across many sites",
        .severity = SEV_LOW,
        .tactics = { "PreAttack" },
        .techniques = { "T1595.002", "T1595.003" },
        .description =
            "Within {window}, {clients} source addresses ({client_ips}) requested similar paths on "
            "{sites} different sites, among them {paths}. Sweeping one list of paths across many "
            "sites is how attackers find vulnerable pages and plugins at scale, and no single site "
            "can see it; sites that answered successfully: {answered_sites}.",
        .vars = { "window", "clients", "client_ips", "sites", "paths", "answered_sites" },
        .remediation = {
            "Check the sites that answered successfully: make sure the requested pages or plugins "
            "are patched, or remove them.",
            "Block the source addresses at the front door or web application firewall.",
            "Allowlist your own vulnerability scanner and monitoring services if they caused it.",
        },
    },

    /* ---- Kubernetes (API server audit log) ------------------------------ */
    {
        .type = "k8s.rolebinding.cluster_admin", .layer = "k8s",
        .title = "Role binding to the cluster-admin role detected",
        .severity = SEV_INFORMATIONAL,
        .tactics = { "Persistence" },
        .techniques = { "T1098.006", "T1078" },
        .description =
            "{actor} (from {source_ip}, user agent {user_agent}) sent a {verb} request for "
            "{object}{?in_cluster} that binds the cluster-admin role to {subjects}. "
            "cluster-admin can do anything in the cluster, so a new binding to it gives lasting "
            "full control to whoever holds those subjects' credentials.",
        .vars = { "in_cluster", "actor", "source_ip", "user_agent", "verb", "object", "subjects" },
        .remediation = {
            "Confirm with the actor that the binding is needed; if not, delete it and investigate "
            "the actor's other requests.",
            "Prefer narrower roles bound in a namespace over cluster-admin.",
            "Review all bindings to cluster-admin regularly (kubectl get clusterrolebindings -o wide).",
        },
    },
    {
        .type = "k8s.dashboard.exposed", .layer = "k8s",
        .title = "Exposed Kubernetes dashboard detected",
        .severity = SEV_HIGH,
        .tactics = { "InitialAccess" },
        .techniques = { "T1133", "T1190" },
        .description =
            "{actor} (from {source_ip}, user agent {user_agent}) sent a {verb} request for "
            "{object}{?in_cluster} that {exposure}. A dashboard reachable from "
            "outside the cluster lets anyone who finds it try to log in or exploit it, and with a "
            "privileged service account it can hand over the whole cluster.",
        .vars = { "in_cluster", "actor", "source_ip", "user_agent", "verb", "object", "exposure" },
        .remediation = {
            "Change the service back to ClusterIP, or restrict loadBalancerSourceRanges to your "
            "administrators' addresses.",
            "Reach the dashboard through kubectl proxy or port-forward instead of a public address.",
            "Make sure the dashboard's service account has no more than read access, and check "
            "what was done through it while exposed.",
        },
    },
    {
        .type = "k8s.role.high_privilege", .layer = "k8s",
        .title = "New high privileges role detected",
        .severity = SEV_INFORMATIONAL,
        .tactics = { "Persistence" },
        .techniques = { "T1098", "T1078" },
        .description =
            "{actor} (from {source_ip}, user agent {user_agent}) sent a {verb} request for "
            "{object}{?in_cluster}, a role that grants {powers}. Anyone later bound to this "
            "role gets those powers, so a new high-privilege role can be a prepared backdoor.",
        .vars = { "in_cluster", "actor", "source_ip", "user_agent", "verb", "object", "powers" },
        .remediation = {
            "Confirm with the actor that the role is needed with these permissions.",
            "Replace wildcards and powerful verbs (escalate, bind, impersonate, secrets access, "
            "pods/exec) with the specific permissions required.",
            "Check which subjects are bound to the role, and remove bindings that are not needed.",
        },
    },
    {
        .type = "k8s.kube_system.new_container", .layer = "k8s",
        .title = "New container in the kube-system namespace detected",
        .severity = SEV_INFORMATIONAL,
        .tactics = { "Persistence" },
        .techniques = { "T1610", "T1036" },
        .description =
            "{actor} (from {source_ip}, user agent {user_agent}) sent a {verb} request for "
            "{object}{?in_cluster} with containers {containers}, which are not among the "
            "containers that normally run in kube-system (baseline: {baseline}).{?origin} Attackers "
            "hide workloads in kube-system because few people look there and its pods often run "
            "with broad rights.",
        .vars = { "in_cluster", "origin", "actor", "source_ip", "user_agent", "verb", "object", "containers",
                  "baseline" },
        .remediation = {
            "Check whether a cluster add-on or upgrade explains the new container; if so, add its "
            "image to the kube-system allowlist.",
            "If not, delete the workload and investigate how the actor got permission to create it.",
            "Restrict who may create workloads in kube-system.",
        },
    },
    {
        .type = "k8s.container.miner", .layer = "k8s",
        .title = "Digital currency mining container detected",
        .severity = SEV_HIGH,
        .tactics = { "Execution" },
        .techniques = { "T1496", "T1610" },
        .description =
            "{actor} (from {source_ip}, user agent {user_agent}) sent a {verb} request for "
            "{object}{?in_cluster} with containers {containers} that match a "
            "cryptocurrency-mining indicator ({indicator}).{?origin} Miners are the most common "
            "payload on hijacked clusters: they burn the cluster's compute at the owner's expense "
            "and show that someone unwanted can deploy workloads.",
        .vars = { "in_cluster", "origin", "actor", "source_ip", "user_agent", "verb", "object", "containers",
                  "indicator" },
        .remediation = {
            "Delete the workload and any controller (Deployment, DaemonSet, CronJob) that recreates "
            "it.",
            "Find how the actor got in: leaked kubeconfig, exposed dashboard, over-privileged "
            "service account; revoke those credentials.",
            "Allow only images from trusted registries with an admission policy.",
        },
    },
    {
        .type = "k8s.container.privileged", .layer = "k8s",
        .title = "Privileged container detected",
        .severity = SEV_INFORMATIONAL,
        .tactics = { "PrivilegeEscalation" },
        .techniques = { "T1610", "T1611" },
        .description =
            "{actor} (from {source_ip}, user agent {user_agent}) sent a {verb} request for "
            "{object}{?in_cluster} with privileged containers {containers}.{?origin} A privileged "
            "container has nearly full access to its node, so whoever controls it can escape to the "
            "host and reach the other workloads there.",
        .vars = { "in_cluster", "origin", "actor", "source_ip", "user_agent", "verb", "object", "containers" },
        .remediation = {
            "Confirm the workload really needs privileged mode; most need only specific "
            "capabilities.",
            "Remove privileged: true, or grant only the capabilities required.",
            "Enforce the Pod Security Standards (baseline or restricted) on namespaces that do not "
            "run node agents, and allowlist the agents that do.",
        },
    },
    {
        .type = "k8s.container.sensitive_mount", .layer = "k8s",
        .title = "Container with a sensitive volume mount detected",
        .severity = SEV_INFORMATIONAL,
        .tactics = { "PrivilegeEscalation" },
        .techniques = { "T1611", "T1610" },
        .description =
            "{actor} (from {source_ip}, user agent {user_agent}) sent a {verb} request for "
            "{object}{?in_cluster} whose containers {containers} mount sensitive host paths: "
            "{mounts}.{?origin} A container that can see host folders such as /etc, the container "
            "runtime socket or the kubelet's files has a direct path to taking over the node.",
        .vars = { "in_cluster", "origin", "actor", "source_ip", "user_agent", "verb", "object", "containers",
                  "mounts" },
        .remediation = {
            "Confirm the workload needs these host paths; if not, remove the hostPath volumes.",
            "Mount what must stay read-only, and narrow each mount to the smallest path needed.",
            "Enforce the Pod Security Standards to block hostPath volumes outside namespaces that "
            "run node agents.",
        },
    },

    /* ---- container hosts ------------------------------------------------ */
    /* Defender rates the two privileged-container host alerts Low in the
     * seed era and Informational today; Low is kept because on a plain
     * Docker host no admission control stands in front of them. */
    {
        .type = "host.container.privileged", .layer = "host",
        .title = "Privileged container started on a host",
        .severity = SEV_LOW,
        .tactics = { "PrivilegeEscalation", "Execution" },
        .techniques = { "T1610", "T1611" },
        .description =
            "On host {host}, {user} started container {container} from image {image} with {privileges} "
            "(command: {command_line}). Such a container can reach the host's devices, kernel and "
            "processes, which removes most of the isolation a container normally provides.",
        .vars = { "host", "user", "container", "image", "command_line", "privileges" },
        .remediation = {
            "Confirm the container needs these privileges; if it does not, recreate it without "
            "--privileged, adding only the capabilities it needs.",
            "Check who started it and whether the image comes from a trusted source.",
            "Allowlist images that legitimately run privileged, such as monitoring or network "
            "agents (detectors.k8s.privileged_image_allowlist).",
        },
    },
    {
        .type = "host.container.privileged_command", .layer = "host",
        .title = "Privileged command run in container",
        .severity = SEV_LOW,
        .tactics = { "PrivilegeEscalation" },
        .techniques = { "T1611", "T1059" },
        .description =
            "On host {host}, {user} ran {command_line} in container {container} (image {image}): "
            "{reason}. Commands such as mount, nsenter or chroot in a privileged context are the usual "
            "way to break out of a container onto the host.",
        .vars = { "host", "user", "command_line", "container", "image", "reason" },
        .remediation = {
            "Find out who ran the command and why; if it is not explained, stop the container and "
            "inspect the host for changes.",
            "Do not run containers privileged unless required, and avoid docker exec --privileged.",
            "Allowlist storage or network agents that legitimately run such commands "
            "(detectors.host.escape_image_allowlist).",
        },
    },
    {
        .type = "host.docker.exposed_daemon", .layer = "host",
        .title = "Exposed Docker daemon detected",
        .severity = SEV_MEDIUM,
        .tactics = { "InitialAccess", "Execution" },
        .techniques = { "T1133", "T1610" },
        .description =
            "On host {host}, the Docker daemon listens on {listen} ({tls}), as seen in {seen_in}. "
            "Anyone who can reach an unauthenticated Docker API can start containers with the "
            "host's file system mounted and so take over the machine; exposed daemons are found by "
            "internet scanners within hours.",
        .vars = { "host", "listen", "tls", "seen_in" },
        .remediation = {
            "Bind the daemon to the local socket only, or to a private address, and remove tcp:// "
            "entries from the daemon's configuration.",
            "If remote access is needed, require TLS with client certificates (--tlsverify) or use "
            "SSH (DOCKER_HOST=ssh://).",
            "Block ports 2375 and 2376 from untrusted networks, and check the host for containers "
            "you did not start.",
        },
    },
    {
        .type = "host.container.ssh_server", .layer = "host",
        .title = "SSH server is running inside a container",
        .severity = SEV_MEDIUM,
        .tactics = { "Execution" },
        .techniques = { "T1021.004", "T1133" },
        .description =
            "On host {host}, container {container} (image {image}) is running an SSH server: "
            "{process} started with {command_line}. Containers are normally managed through their "
            "runtime or orchestrator, not SSH, so a running sshd suggests a misconfigured image or "
            "an attacker who installed a way back in.",
        .vars = { "host", "container", "image", "process", "command_line" },
        .remediation = {
            "Check whether the image is meant to run SSH (a bastion, Git or SFTP server); if so, "
            "allowlist it.",
            "If not, stop the container, find how sshd got there, and rebuild the image without it.",
            "Use docker exec or kubectl exec for maintenance instead of SSH inside containers.",
        },
    },
    {
        .type = "host.container.miner_image", .layer = "host",
        .title = "Container with a miner image detected",
        .severity = SEV_HIGH,
        .tactics = { "Execution" },
        .techniques = { "T1496", "T1610" },
        .description =
            "On host {host}, container {container} (image {image}) matches the cryptocurrency-mining "
            "indicator {indicator} in {matched_in}. Mining containers use up the host's resources at "
            "the owner's expense and usually mean someone has gained the ability to run containers "
            "on it.",
        .vars = { "host", "container", "image", "indicator", "matched_in" },
        .remediation = {
            "Stop and remove the container and its image.",
            "Find how it was started: an exposed Docker API, stolen credentials or a compromised "
            "orchestrator; close that path.",
            "Allow only images from trusted registries.",
        },
    },
    {
        .type = "host.k8s_api.suspicious_request", .layer = "host",
        .title = "Suspicious request to Kubernetes API",
        .severity = SEV_MEDIUM,
        .tactics = { "LateralMovement" },
        .techniques = { "T1552.007", "T1613" },
        .description =
            "On host {host}, process {process} in container {container} (image {image}) sent a "
            "request to the Kubernetes API at {target}: {command_line}. Workloads rarely call the "
            "API by hand; an attacker inside a container does so with the pod's service-account "
            "token to explore the cluster and move to other workloads.",
        .vars = { "host", "process", "container", "image", "target", "command_line" },
        .remediation = {
            "Check whether the container is an operator or tool that legitimately calls the API; if "
            "so, allowlist its image.",
            "If not, stop the container and review what its service account did in the audit log.",
            "Disable automountServiceAccountToken for pods that do not need the API, and keep "
            "service-account permissions minimal.",
        },
    },
    {
        .type = "host.k8s_dashboard.suspicious_request", .layer = "host",
        .title = "Suspicious request to the Kubernetes Dashboard",
        .severity = SEV_MEDIUM,
        .tactics = { "LateralMovement" },
        .techniques = { "T1552.007", "T1613" },
        .description =
            "On host {host}, process {process} in container {container} (image {image}) sent a "
            "request to the Kubernetes dashboard at {target}: {command_line}. Other workloads have "
            "no reason to talk to the dashboard; an attacker inside a container may use it to read "
            "secrets or start workloads elsewhere in the cluster.",
        .vars = { "host", "process", "container", "image", "target", "command_line" },
        .remediation = {
            "Check whether the container is the dashboard's own metrics scraper or an ingress "
            "controller; if so, allowlist it.",
            "If not, stop the container and review what the dashboard's service account did in the "
            "audit log.",
            "Restrict traffic to the dashboard with a network policy, and remove the dashboard if "
            "it is not used.",
        },
    },
};

#define CATALOG_N (sizeof catalog / sizeof catalog[0])

const struct catalog_entry *catalog_find(vstr type) {
    for (size_t i = 0; i < CATALOG_N; i++)
        if (vstr_eqc(type, catalog[i].type)) return &catalog[i];
    return NULL;
}

const struct catalog_entry *catalog_entries(size_t *count) {
    if (count) *count = CATALOG_N;
    return catalog;
}

const char *severity_name(enum severity s) {
    switch (s) {
    case SEV_INFORMATIONAL: return "informational";
    case SEV_LOW: return "low";
    case SEV_MEDIUM: return "medium";
    case SEV_HIGH: return "high";
    }
    return "unknown";
}

static bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* The last matching var wins, so a value set again overrides the earlier one. */
static const vstr *find_var(const struct template_var *vars, size_t n_vars, const char *name,
                            size_t len) {
    for (size_t i = n_vars; i-- > 0;) {
        const char *v = vars[i].name;
        if (v && strlen(v) == len && memcmp(v, name, len) == 0) return &vars[i].value;
    }
    return NULL;
}

/* Appends to out. A placeholder is '{', one or more name characters, '}'.
 * Anything else starting with '{' (an unclosed brace, "{}", "{ x }") is
 * copied as it stands rather than swallowed, so a malformed template still
 * reads sensibly. Values come from log fields; they are copied verbatim and
 * never rescanned, so a value containing "{x}" cannot expand further. An
 * empty value prints "(none)", so the sentence still reads, except in the
 * "{?name}" form: a clause the detector adds only when it applies
 * (" in cluster X"), which renders as nothing when empty. */
void catalog_render(const char *tmpl, const struct template_var *vars, size_t n_vars, buf *out) {
    if (!tmpl) return;
    const char *p = tmpl;
    for (;;) {
        const char *brace = strchr(p, '{');
        if (!brace) { buf_puts(out, p); return; }
        buf_put(out, p, (size_t)(brace - p));
        if (brace[1] == '{') { buf_putc(out, '{'); p = brace + 2; continue; }
        bool optional = brace[1] == '?';
        const char *name = brace + 1 + optional, *q = name;
        while (is_name_char(*q)) q++;
        if (*q != '}' || q == name) { buf_putc(out, '{'); p = brace + 1; continue; }
        const vstr *v = vars ? find_var(vars, n_vars, name, (size_t)(q - name)) : NULL;
        if (!v) buf_puts(out, "(unknown)");
        else if (v->n == 0) buf_puts(out, optional ? "" : "(none)");
        else buf_putv(out, *v);
        p = q + 1;
    }
}
