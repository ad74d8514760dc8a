"""Azure Activity Log records for vigil's tests and demo, in both of the
serialisations vigil reads (Python 3 standard library only):

- the diagnostic-settings export (storage account, Event Hubs): one record
  per line, or {"records": [...]} batches as Event Hubs delivers them, with
  time, an upper-cased resourceId and operationName, resultType, identity
  {authorization {action, scope, evidence}, claims}, callerIpAddress and
  properties (requestbody as a JSON *string*);
- the REST / portal form (az monitor activity-log list, the portal's JSON):
  caller, claims, eventName BeginRequest / EndRequest, operationName {value},
  status {value}, eventTimestamp, httpRequest {clientIpAddress, method},
  subscriptionId, resourceGroupName and the rest.

Field names, value shapes and casing follow the public samples (Microsoft's
activity-log schema examples, the OpenTelemetry and Elastic fixtures). A
Write, Delete or Action is logged twice, a start and its outcome sharing one
correlationId; the start carries the request body, the outcome the response.
Reads are not in the real activity log: read() writes them in the same shape
for a source that does log them (one record, already succeeded).

    log = ActivityLog(seed=7)
    alice = user("alice@contoso.com", "Alice Smith", log.guid())
    log.op(at(2026, 3, 2, 9, 15), alice, "Microsoft.Compute/virtualMachines/write",
           log.resource("rg-web", "Microsoft.Compute/virtualMachines", "vm-web-01"), ip="203.0.113.7")
    log.write_lines("activity.jsonl")          # or write_batches, write_rest

Seeded: the same calls give the same bytes.
"""
import json
import random
from datetime import datetime, timedelta, timezone

POWERSHELL = "1950a258-227b-4e31-a9cf-717495945fc2"     # Azure PowerShell
CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"            # Azure CLI
PORTAL = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"         # Azure portal

TENANT = "72f988bf-0000-4a1b-9c3d-5e6f70819203"
SUBSCRIPTION = "6d2c1f4e-8a9b-4c3d-b2e1-0f9a8b7c6d5e"

# Built-in role definition GUIDs (the same in every tenant).
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
USER_ACCESS_ADMIN = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
VM_CONTRIBUTOR = "9980e02c-c2be-4d73-94e8-173b1dc7cf3c"

_TICKS_AT_EPOCH = 621355968000000000      # .NET ticks (100 ns since year 1) at 1970-01-01
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_URI = "http://schemas.microsoft.com/identity/claims/"
_XML = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"


def at(year, month, day, hour=0, minute=0, second=0, micro=0):
    """A UTC time."""
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=timezone.utc)


def stamp(t):
    """Azure's timestamps: seven fractional digits and Z."""
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%06d0Z" % t.microsecond


def ticks(t):
    return _TICKS_AT_EPOCH + (t - _EPOCH) // timedelta(microseconds=1) * 10


class Principal:
    """Who calls: a user (upn, display name) or a service principal /
    managed identity (display name only for our own bookkeeping: app tokens
    carry no name claim). oid is the Entra object id."""

    def __init__(self, oid, upn=None, name=None, app=False, appid=None, given=None, surname=None):
        self.oid, self.upn, self.name, self.app = oid, upn, name, app
        self.appid = appid
        self.given, self.surname = given, surname

    @property
    def entity(self):
        """What vigil reports as compromised_entity: upn, else the object id
        (a service principal's records carry neither caller nor name in the
        diagnostic form; the REST form's caller is the object id too)."""
        return self.upn or self.oid


def user(upn, name, oid):
    given, _, surname = name.partition(" ")
    return Principal(oid, upn=upn, name=name, given=given, surname=surname or None)


def service_principal(name, oid, appid):
    """A service principal or managed identity signing in as itself (app-only token)."""
    return Principal(oid, name=name, app=True, appid=appid)


def resource_type_of(resource_id):
    """'/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/extensions/x'
    -> ('Microsoft.Compute', 'Microsoft.Compute/virtualMachines/extensions')."""
    parts = resource_id.strip("/").split("/")
    low = [p.lower() for p in parts]
    if "providers" in low:
        i = len(low) - 1 - low[::-1].index("providers")
        ns = parts[i + 1]
        rest = parts[i + 2:]
        return ns, "/".join([ns] + rest[0::2])
    if "resourcegroups" in low:
        return "Microsoft.Resources", "Microsoft.Resources/subscriptions/resourceGroups"
    return "Microsoft.Resources", "Microsoft.Resources/subscriptions"


def resource_group_of(resource_id):
    parts = resource_id.strip("/").split("/")
    low = [p.lower() for p in parts]
    return parts[low.index("resourcegroups") + 1] if "resourcegroups" in low else ""


class _Op:
    """One operation as both serialisations need it."""
    __slots__ = ("t", "who", "operation", "resource_id", "outcome", "ip", "appid", "request", "response",
                 "duration_ms", "paired", "correlation", "operation_id", "event_ids", "request_ids", "role",
                 "assignment_id", "method", "status_code", "claims_extra", "seq")


class ActivityLog:
    """Operations in the order they are added; written sorted by time."""

    def __init__(self, seed, subscription=SUBSCRIPTION, tenant=TENANT):
        self.rng = random.Random(seed)
        self.subscription, self.tenant = subscription, tenant
        self.ops = []

    # ---- names ----------------------------------------------------------------

    def guid(self):
        """A random (version 4) GUID from the log's seed."""
        n = self.rng.getrandbits(128)
        n = (n & ~(0xc000 << 48) | (0x8000 << 48)) & ~(0xf000 << 64) | (4 << 76)
        h = "%032x" % n
        return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])

    def resource(self, rg, rtype, name, *children):
        """/subscriptions/SUB/resourceGroups/RG/providers/RTYPE/NAME[/CHILD-TYPE/CHILD-NAME...]."""
        rid = "/subscriptions/%s/resourceGroups/%s/providers/%s/%s" % (self.subscription, rg, rtype, name)
        return rid + "".join("/" + c for c in children)

    def subscription_scope(self):
        return "/subscriptions/" + self.subscription

    def role_definition_id(self, role_guid):
        return "/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s" % (self.subscription,
                                                                                            role_guid)

    # ---- operations -------------------------------------------------------------

    def op(self, t, who, operation, resource_id, *, ip=None, appid=None, failed=False, request=None,
           response=None, paired=True, duration_ms=None, role="Contributor", method=None, status_code=None):
        """One Write / Delete / Action: its start and outcome records (paired),
        or only the outcome (paired=False, as a source that logs one record
        per request does). request and response are dicts, written as JSON
        strings in properties.requestbody / responseBody."""
        o = _Op()
        o.t, o.who, o.operation, o.resource_id = t, who, operation, resource_id
        o.outcome = "Failed" if failed else "Succeeded"
        o.ip = ip
        o.appid = appid or who.appid or PORTAL
        o.request, o.response = request, response
        o.duration_ms = duration_ms if duration_ms is not None else self.rng.randint(180, 4200)
        o.paired = paired
        o.correlation = self.guid()
        o.operation_id = self.guid()
        o.event_ids = (self.guid(), self.guid())
        o.request_ids = (self.guid(), self.guid())
        o.role = role
        o.assignment_id = self.guid().replace("-", "")
        verb = operation.rsplit("/", 1)[-1].lower()
        o.method = method or {"write": "PUT", "delete": "DELETE", "read": "GET"}.get(verb, "POST")
        o.status_code = status_code or ("Forbidden" if failed else
                                        {"PUT": "Created", "DELETE": "OK", "GET": "OK"}.get(o.method, "OK"))
        o.claims_extra = {}
        o.seq = len(self.ops)
        self.ops.append(o)
        return o

    def read(self, t, who, resource_type, resource_id, *, ip=None, appid=None):
        """A GET, as a source that logs reads writes it: one succeeded record."""
        return self.op(t, who, resource_type + "/read", resource_id, ip=ip, appid=appid, paired=False,
                       duration_ms=self.rng.randint(20, 400), role="Reader", method="GET", status_code="OK")

    def role_definition(self, t, who, role_guid, role_name, actions, scopes=None, *, ip=None, appid=None,
                        description="", failed=False, not_actions=()):
        """Microsoft.Authorization/roleDefinitions/write of a custom role; the
        role's GUID is the last segment of the resourceId."""
        scopes = scopes or [self.subscription_scope()]
        body = {"name": role_guid,
                "properties": {"roleName": role_name, "description": description, "type": "CustomRole",
                               "permissions": [{"actions": list(actions), "notActions": list(not_actions),
                                                "dataActions": [], "notDataActions": []}],
                               "assignableScopes": list(scopes)}}
        response = {"properties": dict(body["properties"], createdOn=stamp(t), updatedOn=stamp(t),
                                       createdBy=who.oid, updatedBy=who.oid),
                    "id": self.role_definition_id(role_guid), "type": "Microsoft.Authorization/roleDefinitions",
                    "name": role_guid}
        return self.op(t, who, "Microsoft.Authorization/roleDefinitions/write", self.role_definition_id(role_guid),
                       ip=ip, appid=appid, request=body, response=response, failed=failed, role="Owner")

    def role_assignment(self, t, who, role_guid, assignee_oid, assignee_type="User", scope=None, *, ip=None,
                        appid=None, failed=False, pascal=None):
        """Microsoft.Authorization/roleAssignments/write. The request body's
        keys are PascalCase as the portal and Azure PowerShell send them, or
        camelCase as the CLI does (pascal=None picks by client)."""
        appid = appid or who.appid or PORTAL
        scope = scope or self.subscription_scope()
        name = self.guid()
        rid = scope + "/providers/Microsoft.Authorization/roleAssignments/" + name
        props = (("RoleDefinitionId", self.role_definition_id(role_guid)), ("PrincipalId", assignee_oid),
                 ("PrincipalType", assignee_type), ("Scope", scope))
        if pascal is None:
            pascal = appid != CLI
        if pascal:
            body = {"Id": name, "Properties": dict(props, Condition=None, ConditionVersion=None)}
        else:
            body = {"properties": {k[0].lower() + k[1:]: v for k, v in props}}
        response = {"properties": {"roleDefinitionId": self.role_definition_id(role_guid),
                                   "principalId": assignee_oid, "principalType": assignee_type, "scope": scope,
                                   "createdOn": stamp(t), "updatedOn": stamp(t), "createdBy": None,
                                   "updatedBy": who.oid},
                    "id": rid, "type": "Microsoft.Authorization/roleAssignments", "name": name}
        return self.op(t, who, "Microsoft.Authorization/roleAssignments/write", rid, ip=ip, appid=appid,
                       request=body, response=response, failed=failed, role="Owner")

    # ---- claims ---------------------------------------------------------------------

    def _claims(self, o):
        who, t = o.who, o.t
        iat = int((t - _EPOCH).total_seconds()) - self.rng.randint(300, 3000)
        c = {"aud": "https://management.core.windows.net/",
             "iss": "https://sts.windows.net/%s/" % self.tenant,
             "iat": str(iat), "nbf": str(iat), "exp": str(iat + 3600 + self.rng.randint(600, 1800))}
        if who.app:
            c.update({"aio": "k2BgYNDsbH5wr8rv1lQxrQ8LAA==", "appid": o.appid, "appidacr": "2",
                      _URI + "identityprovider": "https://sts.windows.net/%s/" % self.tenant,
                      "idtyp": "app",
                      _URI + "objectidentifier": who.oid,
                      _XML + "nameidentifier": who.oid,
                      _URI + "tenantid": self.tenant,
                      "uti": "%x" % self.rng.getrandbits(64), "ver": "1.0"})
            return c
        c.update({"http://schemas.microsoft.com/claims/authnclassreference": "1",
                  "http://schemas.microsoft.com/claims/authnmethodsreferences": "pwd,mfa",
                  "appid": o.appid, "appidacr": "0"})
        if who.surname:
            c[_XML + "surname"] = who.surname
        if who.given:
            c[_XML + "givenname"] = who.given
        c.update({"idtyp": "user"})
        if o.ip:
            c["ipaddr"] = o.ip
        c.update({"name": who.name or who.upn,
                  _URI + "objectidentifier": who.oid,
                  "puid": "1003%012X" % (hash_text(who.oid) & 0xffffffffffff),
                  _URI + "scope": "user_impersonation",
                  _XML + "nameidentifier": "%x" % hash_text(who.oid + "/nameid"),
                  _URI + "tenantid": self.tenant,
                  _XML + "name": who.upn,
                  _XML + "upn": who.upn,
                  "uti": "%x" % self.rng.getrandbits(64), "ver": "1.0"})
        return c

    def _evidence(self, o):
        return {"role": o.role, "roleAssignmentScope": self.subscription_scope(),
                "roleAssignmentId": o.assignment_id,
                "roleDefinitionId": {"Owner": OWNER, "Reader": READER}.get(o.role, CONTRIBUTOR).replace("-", ""),
                "principalId": o.who.oid.replace("-", ""),
                "principalType": "ServicePrincipal" if o.who.app else "User"}

    # ---- the diagnostic-settings export ----------------------------------------------

    def _diagnostic(self, o, phase, t, claims):
        start = phase == "start"
        r = {"time": stamp(t),
             "resourceId": o.resource_id.upper(),
             "operationName": o.operation.upper(),
             "category": "Administrative"}
        if start:
            r.update(resultType="Start", resultSignature="Started.", durationMs="0")
        elif o.outcome == "Succeeded":
            r.update(resultType="Success", resultSignature="Succeeded." + o.status_code,
                     durationMs=str(o.duration_ms))
        else:
            r.update(resultType="Failure", resultSignature="Failed." + o.status_code, durationMs=str(o.duration_ms))
        if o.ip:
            r["callerIpAddress"] = o.ip
        r["correlationId"] = o.correlation
        r["identity"] = {"authorization": {"scope": o.resource_id, "action": o.operation,
                                           "evidence": self._evidence(o)},
                         "claims": claims}
        r["level"] = "Error" if not start and o.outcome == "Failed" else "Informational"
        r["location"] = "global"
        props = {"eventCategory": "Administrative", "entity": o.resource_id, "message": o.operation,
                 "hierarchy": "%s/%s" % (self.tenant, self.subscription)}
        if start and o.request is not None:
            props["requestbody"] = json.dumps(o.request, separators=(",", ":"))
        if not start:
            props["statusCode"] = o.status_code
            props["serviceRequestId"] = o.request_ids[1]
            if o.response is not None and o.outcome == "Succeeded":
                props["responseBody"] = json.dumps(o.response, separators=(",", ":"))
        r["properties"] = props
        r["tenantId"] = self.tenant
        return r

    def _phases(self, o):
        end = o.t + timedelta(milliseconds=o.duration_ms)
        return ([("start", o.t)] if o.paired else []) + [("end", end)]

    def records(self):
        """Every record of the diagnostic export, by time."""
        out = []
        for o in self.ops:
            claims = self._claims(o)
            for phase, t in self._phases(o):
                out.append((t, o.seq, phase == "end", self._diagnostic(o, phase, t, claims)))
        out.sort(key=lambda x: x[:3])
        return [r for _, _, _, r in out]

    # ---- the REST / portal form ---------------------------------------------------------

    def _rest(self, o, phase, t, claims):
        start = phase == "start"
        ns, rtype = resource_type_of(o.resource_id)
        status = "Started" if start else o.outcome
        event_id = o.event_ids[0 if start else 1]
        e = {"authorization": {"action": o.operation, "scope": o.resource_id},
             "caller": o.who.upn or o.who.oid,
             "channels": "Operation",
             "claims": claims,
             "correlationId": o.correlation,
             "description": "",
             "eventDataId": event_id,
             "eventName": {"value": "BeginRequest" if start else "EndRequest",
                           "localizedValue": "Begin request" if start else "End request"},
             "category": {"value": "Administrative", "localizedValue": "Administrative"},
             "eventTimestamp": stamp(t),
             "id": "%s/events/%s/ticks/%d" % (o.resource_id, event_id, ticks(t)),
             "level": "Error" if status == "Failed" else "Informational",
             "operationId": o.operation_id,
             "operationName": {"value": o.operation, "localizedValue": o.operation},
             "resourceGroupName": resource_group_of(o.resource_id),
             "resourceProviderName": {"value": ns, "localizedValue": ns},
             "resourceType": {"value": rtype, "localizedValue": rtype},
             "resourceId": o.resource_id,
             "status": {"value": status, "localizedValue": status},
             "subStatus": {"value": "" if start else o.status_code, "localizedValue": ""},
             "submissionTimestamp": stamp(t + timedelta(seconds=12, microseconds=self.rng.randrange(10 ** 6))),
             "subscriptionId": self.subscription,
             "tenantId": self.tenant}
        props = {"eventCategory": "Administrative", "entity": o.resource_id, "message": o.operation,
                 "hierarchy": "%s/%s" % (self.tenant, self.subscription)}
        if start:
            props["requestbody"] = json.dumps(o.request, separators=(",", ":")) if o.request is not None else ""
        else:
            props["statusCode"] = o.status_code
            props["serviceRequestId"] = o.request_ids[1]
            props["responseBody"] = (json.dumps(o.response, separators=(",", ":"))
                                     if o.response is not None and o.outcome == "Succeeded" else "")
        e["properties"] = props
        e["relatedEvents"] = []
        http = {"clientRequestId": o.request_ids[0], "method": o.method}
        if o.ip:
            http["clientIpAddress"] = o.ip
        e["httpRequest"] = http
        return e

    def events(self):
        """Every event of the REST / portal form, by time."""
        out = []
        for o in self.ops:
            claims = self._claims(o)
            for phase, t in self._phases(o):
                out.append((t, o.seq, phase == "end", self._rest(o, phase, t, claims)))
        out.sort(key=lambda x: x[:3])
        return [e for _, _, _, e in out]

    # ---- files ----------------------------------------------------------------------------

    def write_lines(self, path):
        """The diagnostic export as JSON lines (a storage account's PT1H.json since November 2018)."""
        _write(path, [_dumps(r) for r in self.records()])

    def write_batches(self, path, per_batch=25):
        """The diagnostic export as Event Hubs delivers it: {"records": [...]} per line."""
        recs = self.records()
        _write(path, [_dumps({"records": recs[i:i + per_batch]}) for i in range(0, len(recs), per_batch)])

    def write_rest(self, path):
        """The REST / portal form, one event per line."""
        _write(path, [_dumps(e) for e in self.events()])

    def write(self, path, form):
        {"lines": self.write_lines, "batches": self.write_batches, "rest": self.write_rest}[form](path)


def hash_text(s):
    """A stable 64-bit hash (Python's own hash() is salted per process)."""
    h = 0xcbf29ce484222325
    for ch in s.encode():
        h = ((h ^ ch) * 0x100000001b3) & 0xffffffffffffffff
    return h


def _dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def _write(path, lines):
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + ("\n" if lines else ""))
