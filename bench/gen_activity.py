#!/usr/bin/env python3
"""Seeded generator of Azure Activity Log records (the diagnostic export).

Usage: gen_activity.py N OUT.jsonl [--seed S] [--start RFC3339]

Writes N records, one per line, as a storage account receives them since
November 2018 (JSON lines, the resource-log schema): time with 7 fractional
digits, upper-cased resourceId and operationName, resultType Start then
Success/Failure/Accepted under one correlationId, identity.authorization
with its evidence, and identity.claims with the URI claim names ARM logs
(upn, name, objectidentifier, tenantid, authnmethodsreferences ...), about
1.5 KB a record. The same N and seed always give the same bytes.

The estate: one tenant, three subscriptions, a dozen people (portal, CLI,
PowerShell), CI service principals and managed identities. Most traffic is
deployments, VM and storage writes, Key Vault and network changes; a few
role assignments and custom role definitions carry their request body.

Only the Python 3 standard library is used.
"""
import argparse
import datetime as dt
import json
import random
import uuid

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
SUBS = ["6b0d8e2c-1f1e-4a55-9c2b-0d1f0e7f3a11", "a3c1f2e4-7b8d-4c9e-8f0a-1b2c3d4e5f60",
        "0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b"]
GROUPS = ["rg-prod-web", "rg-prod-data", "rg-shared-net", "rg-ci", "rg-dev-sandbox"]
APPS = {"portal": "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "cli": "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
        "powershell": "1950a258-227b-4e31-a9cf-717495945fc2"}
OPS = [  # (provider path, resource type segment, operations, weight)
    ("MICROSOFT.COMPUTE", "VIRTUALMACHINES", ["WRITE", "DELETE", "START/ACTION", "DEALLOCATE/ACTION"], 20),
    ("MICROSOFT.RESOURCES", "DEPLOYMENTS", ["WRITE", "VALIDATE/ACTION"], 18),
    ("MICROSOFT.STORAGE", "STORAGEACCOUNTS", ["WRITE", "LISTKEYS/ACTION", "BLOBSERVICES/CONTAINERS/WRITE"], 15),
    ("MICROSOFT.NETWORK", "NETWORKSECURITYGROUPS", ["WRITE", "SECURITYRULES/WRITE", "DELETE"], 12),
    ("MICROSOFT.KEYVAULT", "VAULTS", ["WRITE", "ACCESSPOLICIES/WRITE"], 8),
    ("MICROSOFT.WEB", "SITES", ["WRITE", "CONFIG/WRITE", "RESTART/ACTION"], 10),
    ("MICROSOFT.INSIGHTS", "DIAGNOSTICSETTINGS", ["WRITE"], 3),
]


def person(i):
    first = ["ana", "ben", "chen", "dara", "eli", "fatima", "goran", "hana", "ivo", "jules", "kofi", "lena"][i]
    return {"upn": f"{first}@contoso.com", "name": first.capitalize() + " Example",
            "oid": str(uuid.UUID(int=0x1000 + i)), "ip": f"81.2.{69 + i % 3}.{140 + i}"}


def identity(rng, who, action, scope, role):
    claims = {
        "aud": "https://management.core.windows.net/",
        "iss": f"https://sts.windows.net/{TENANT}/",
        "iat": "1772355600", "nbf": "1772355600", "exp": "1772359500",
        "appidacr": who["appidacr"], "appid": who["appid"],
        "http://schemas.microsoft.com/identity/claims/objectidentifier": who["oid"],
        "http://schemas.microsoft.com/identity/claims/tenantid": TENANT,
        "ver": "1.0",
    }
    if who["kind"] == "user":
        claims.update({
            "http://schemas.microsoft.com/claims/authnmethodsreferences": rng.choice(["pwd,mfa", "rsa,mfa", "pwd"]),
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": who["upn"],
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name": who["upn"],
            "name": who["name"], "idtyp": "user", "ipaddr": who["ip"],
        })
    else:
        claims["idtyp"] = "app"
    return {"authorization": {"scope": scope, "action": action, "evidence": {
        "role": role,
        "roleAssignmentId": uuid.UUID(int=rng.getrandbits(128)).hex,
        "roleDefinitionId": "8e3af657a8ff443ca75c2fe8c4bcb635" if role == "Owner" else "b24988ac618042a0ab8820f7382dd24c",
        "principalId": who["oid"].replace("-", ""), "principalType": "User" if who["kind"] == "user" else "ServicePrincipal"}},
        "claims": claims}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", default="2026-03-01T00:00:00Z")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    t = dt.datetime.fromisoformat(a.start.replace("Z", "+00:00"))
    people = []
    for i in range(12):
        p = person(i)
        p.update(kind="user", appid=APPS[rng.choice(list(APPS))], appidacr="0", sub=SUBS[i % 3])
        people.append(p)
    for i in range(6):
        people.append({"kind": "app", "oid": str(uuid.UUID(int=0x9000 + i)), "appid": str(uuid.UUID(int=0xa000 + i)),
                       "appidacr": "2", "ip": f"20.{50 + i}.{i}.{10 + i}", "sub": SUBS[i % 3]})
    weights = [o[3] for o in OPS]
    written = 0
    with open(a.out, "w") as f:
        while written < a.n:
            who = rng.choice(people)
            prov, rtype, ops, _ = rng.choices(OPS, weights)[0]
            op = rng.choice(ops)
            sub, rg = who["sub"], rng.choice(GROUPS)
            name = f"{rtype[:4].lower()}-{rng.randrange(40):02d}"
            rid = f"/SUBSCRIPTIONS/{sub.upper()}/RESOURCEGROUPS/{rg.upper()}/PROVIDERS/{prov}/{rtype}/{name.upper()}"
            opname = f"{prov}/{rtype}/{op}"
            body = None
            if rng.random() < 0.01:
                opname = "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE"
                rid = f"/SUBSCRIPTIONS/{sub.upper()}/PROVIDERS/MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/{uuid.UUID(int=rng.getrandbits(128))}"
                body = {"Id": str(uuid.UUID(int=rng.getrandbits(128))), "Properties": {
                    "PrincipalId": rng.choice(people)["oid"], "PrincipalType": "User",
                    "RoleDefinitionId": f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c",
                    "Scope": f"/subscriptions/{sub}"}}
            elif rng.random() < 0.002:
                opname = "MICROSOFT.AUTHORIZATION/ROLEDEFINITIONS/WRITE"
                body = {"name": str(uuid.UUID(int=rng.getrandbits(128))), "properties": {
                    "roleName": "ops-reader", "type": "CustomRole", "permissions": [
                        {"actions": ["Microsoft.Compute/*/read", "Microsoft.Storage/storageAccounts/listKeys/action"],
                         "notActions": [], "dataActions": []}], "assignableScopes": [f"/subscriptions/{sub}"]}}
            scope = rid.lower()
            role = "Owner" if who["kind"] == "user" and rng.random() < 0.3 else "Contributor"
            ident = identity(rng, who, opname.lower(), scope, role)
            corr = str(uuid.UUID(int=rng.getrandbits(128)))
            outcome = rng.choices(["Success", "Failure", "Accept"], [90, 6, 4])[0]
            for result, sig, dur in (("Start", "Started.", "0"), (outcome, {"Success": "Succeeded.OK", "Failure":
                                     "Failed.Forbidden", "Accept": "Accepted.Created"}[outcome], str(rng.randrange(50, 4000)))):
                t += dt.timedelta(microseconds=rng.randrange(1, 900000))
                rec = {
                    "time": t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z",
                    "resourceId": rid, "operationName": opname,
                    "category": "Administrative", "resultType": result, "resultSignature": sig,
                    "durationMs": dur, "callerIpAddress": who["ip"], "correlationId": corr,
                    "identity": ident, "level": "Informational" if result != "Failure" else "Error",
                    "properties": {"eventCategory": "Administrative", "message": opname.lower()},
                    "tenantId": TENANT,
                }
                if body is not None and result == "Start":
                    rec["properties"]["requestbody"] = json.dumps(body, separators=(",", ":"))
                f.write(json.dumps(rec, separators=(",", ":")) + "\n")
                written += 1
                if written == a.n:
                    break


if __name__ == "__main__":
    main()
