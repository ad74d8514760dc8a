"""Azure Key Vault audit records (diagnostic category AuditEvent) for tests
and the demo, in the shape Key Vault writes them (see the samples under
../shared/data/keyvault): time, upper-cased resourceId, operationName,
operationVersion, category, resultType "Success" even when the call was
refused (the status is in properties.httpStatusCode), identity.claim with
the short JWT names for data-plane calls and the URI names for calls that
come through ARM (VaultGet, VaultPatch), properties.id naming the object,
isAccessPolicyMatch or isRbacAuthorized by the vault's permission model, and
addedAccessPolicy / removedAccessPolicy {ObjectId, TenantId, ApplicationId,
Permissions} on a policy change. lines() writes JSON lines, batches() the
{"records": [...]} batches of an Event Hubs capture.

Deterministic: every id and version comes from the seeded generator.
"""
import json
import random
from datetime import datetime, timedelta, timezone

SUB = "5f1c2a7e-3b9d-4c61-8e2f-a0b4c6d8e1f3"
TENANT = "72f988bf-0000-4a1b-9c3d-5e6f70819203"
URI_OID = "http://schemas.microsoft.com/identity/claims/objectidentifier"
URI_UPN = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"
URI_NAME = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"
PORTAL = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"
POWERSHELL = "1950a258-227b-4e31-a9cf-717495945fc2"
CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"

API = {"Secret": "7.4", "Key": "7.4", "Certificate": "7.4", "Vault": "2023-07-01"}


def at(y, m, d, hh=0, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=timezone.utc)


def stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%07dZ" % (t.microsecond * 10)


class Who:
    """An identity: a user (upn) or an application (no upn)."""

    def __init__(self, oid, appid, ip, upn=None):
        self.oid, self.appid, self.ip, self.upn = oid, appid, ip, upn


class KeyVaultLog:
    def __init__(self, seed, rg="rg-prod", rbac_vaults=()):
        """rbac_vaults: names of vaults on the Azure RBAC permission model
        (their records carry isRbacAuthorized); the others use access
        policies (isAccessPolicyMatch)."""
        self.rng = random.Random(seed)
        self.rg = rg
        self.rbac_vaults = {v.lower() for v in rbac_vaults}
        self.records = []

    def guid(self):
        return "%08x-%04x-4%03x-%04x-%012x" % (self.rng.getrandbits(32), self.rng.getrandbits(16),
                                              self.rng.getrandbits(12), 0x8000 | self.rng.getrandbits(14),
                                              self.rng.getrandbits(48))

    def user(self, login, ip, appid=PORTAL):
        return Who(self.guid(), appid, ip, login)

    def app(self, ip, appid=None):
        return Who(self.guid(), appid or self.guid(), ip)

    def op(self, t, who, vault, operation, obj=None, status=200, appid=None, added=None, removed=None,
           rbac_off=False):
        """One audit record. obj: ("secrets", name) or None; status the HTTP
        status (Key Vault still writes resultType Success for a 403); added /
        removed: the object id an access-policy change grants or takes
        secret get/list; rbac_off: the change switches the vault from Azure
        RBAC to access policies (properties.enableRbacAuthorization false)."""
        klass = next((k for k in API if operation.startswith(k)), "Vault")
        via_arm = klass == "Vault"
        host = "https://%s.vault.azure.net" % vault.lower()
        props = {"clientInfo": "azure-resource-manager/2.0" if via_arm else "python/3.11 azsdk-python-keyvault/4.8",
                 "httpStatusCode": status}
        allowed = status < 400
        if vault.lower() in self.rbac_vaults:
            props["isRbacAuthorized"] = allowed
        else:
            props["isAccessPolicyMatch"] = allowed
        props["tlsVersion"] = "TLS1_3"
        if obj:
            version = "%032x" % self.rng.getrandbits(128)
            props["id"] = "%s/%s/%s/%s" % (host, obj[0], obj[1], version)
            props["requestUri"] = "%s/%s/%s?api-version=%s" % (host, obj[0], obj[1], API[klass])
        elif via_arm:
            props["id"] = host + "/"
            props["requestUri"] = ("https://control-prod-weu.vaultcore.azure.net/subscriptions/%s/resourcegroups/%s/"
                                   "providers/Microsoft.KeyVault/vaults/%s?api-version=%s"
                                   % (SUB, self.rg, vault.lower(), API["Vault"]))
        else:
            props["requestUri"] = "%s/%s?api-version=%s" % (host, klass.lower() + "s", API[klass])
        if added:
            props["addedAccessPolicy"] = {"ObjectId": added, "TenantId": TENANT, "ApplicationId": None,
                                          "Permissions": {"keys": [], "secrets": ["get", "list"], "certificates": []}}
        if removed:
            props["removedAccessPolicy"] = {"ObjectId": removed, "TenantId": TENANT, "ApplicationId": None,
                                            "Permissions": {"keys": [], "secrets": ["get", "list"],
                                                            "certificates": []}}
        if rbac_off:
            props["properties"] = {"enableRbacAuthorization": False, "enableSoftDelete": True}
        if via_arm:
            claim = {URI_OID: who.oid, "appid": appid or who.appid}
            if who.upn:
                claim[URI_UPN] = who.upn
                claim[URI_NAME] = who.upn
        else:
            claim = {"oid": who.oid, "appid": appid or who.appid, "appidacr": "0" if who.upn else "1"}
            if who.upn:
                claim["upn"] = who.upn
                claim["unique_name"] = who.upn
        self.records.append({
            "time": stamp(t),
            "resourceId": ("/SUBSCRIPTIONS/%s/RESOURCEGROUPS/%s/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/%s"
                           % (SUB, self.rg, vault)).upper(),
            "operationName": operation,
            "operationVersion": API[klass],
            "category": "AuditEvent",
            "resultType": "Success",
            "resultSignature": {200: "OK", 202: "Accepted", 403: "Forbidden", 404: "Not Found"}.get(status, "OK"),
            "durationMs": str(self.rng.randrange(5, 90)),
            "callerIpAddress": who.ip,
            "correlationId": self.guid(),
            "identity": {"claim": claim},
            "properties": props,
        })

    def lines(self):
        recs = sorted(self.records, key=lambda r: r["time"])
        return "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in recs)

    def batches(self, size=50):
        recs = sorted(self.records, key=lambda r: r["time"])
        return "".join(json.dumps({"records": recs[i:i + size]}, separators=(",", ":")) + "\n"
                       for i in range(0, len(recs), size))


def hours(start, n):
    return [start + timedelta(hours=i) for i in range(n)]
