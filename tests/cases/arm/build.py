#!/usr/bin/env python3
"""Write the arm.* regression cases (tests/cases/arm/*/): Azure Activity Log
inputs in both serialisations (tests/tools/activity.py), GeoIP specs that
run_case.py turns into MaxMind DBs, intel lists, args, expected.jsonl and a
README per case.

usage: build.py [CASES_DIR]     (default: the directory of this script)

Contoso's subscription is watched from Monday 2 March 2026 (day 0). Each
case is a small organisation going about its work, then the moment under
test. The habits the detectors judge by take history: the organisation's
first week (detectors.arm.min_history, location_learning_period) raises no
session, fan-out or location alert, so most cases hold 8 or more days, and
the cases that learn across runs put them in step 1/ and detect in step 2/
with the same --state. Files of more than 64 KiB are gzip'd.

Addresses: the documentation ranges and 198.18.0.0/15, which vigil treats
as public; where they are in the world is our own GeoIP spec (WORLD).
Seeded: the output depends only on this file and activity.py, and is
committed.
"""
import gzip
import json
import os
import shutil
import sys
from datetime import timedelta

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import activity as A  # noqa: E402

DAY0 = A.at(2026, 3, 2)                 # a Monday
GZIP_ABOVE = 64 * 1024

# Where our addresses are: (network, ISO code, country, city, latitude, longitude, accuracy km).
WORLD = [
    ("203.0.113.0/26", "GB", "United Kingdom", "London", 51.5142, -0.0931, 10),
    ("203.0.113.64/26", "FR", "France", "Paris", 48.8566, 2.3522, 10),
    ("203.0.113.128/26", "DE", "Germany", "Frankfurt am Main", 50.1109, 8.6821, 20),
    ("203.0.113.192/26", "SE", "Sweden", "Stockholm", 59.3293, 18.0686, 20),
    ("198.51.100.0/25", "US", "United States", "New York", 40.7128, -74.0060, 20),
    ("198.51.100.128/25", "JP", "Japan", "Tokyo", 35.6895, 139.6917, 20),
    ("192.0.2.0/25", "BR", "Brazil", "São Paulo", -23.5475, -46.6361, 50),
    ("198.18.2.0/24", "US", "United States", "Ashburn", 39.0437, -77.4875, 100),   # a commercial VPN's exit
]
# What MaxMind's Anonymous-IP database would say of some of them.
ANONYMOUS = [
    {"network": "198.18.2.0/24", "is_anonymous": True, "is_anonymous_vpn": True, "is_hosting_provider": True},
    {"network": "198.18.3.0/24", "is_anonymous": True, "is_public_proxy": True},
]
TOR_EXIT = "198.18.1.23"                # listed in a case's tor-exits.txt
PROXY = "198.18.3.40"                   # a public proxy (ANONYMOUS)
VPN_EXIT = "198.18.2.10"                # a commercial VPN exit (ANONYMOUS, located in Ashburn, US)


def ip_in(country, host):
    """Host number host of the first range of country in WORLD."""
    for net, cc, *_ in WORLD:
        if cc == country:
            base, plen = net.split("/")
            a = [int(x) for x in base.split(".")]
            size = 1 << (32 - int(plen))
            assert 1 <= host < size - 1, (country, host)
            return "%d.%d.%d.%d" % (a[0], a[1], a[2], a[3] + host)
    raise KeyError(country)


def day(n, hour=0, minute=0, second=0):
    return DAY0 + timedelta(days=n, hours=hour, minutes=minute, seconds=second)


# Ordinary work: neither persistence (detectors.arm.persistence_operations)
# nor credential operations; (operation, resource type, resource group, name prefix).
ORDINARY = [
    ("Microsoft.Compute/virtualMachines/start/action", "Microsoft.Compute/virtualMachines", "rg-app", "vm-app-"),
    ("Microsoft.Compute/virtualMachines/restart/action", "Microsoft.Compute/virtualMachines", "rg-app", "vm-app-"),
    ("Microsoft.Compute/virtualMachines/deallocate/action", "Microsoft.Compute/virtualMachines", "rg-test",
     "vm-test-"),
    ("Microsoft.Storage/storageAccounts/write", "Microsoft.Storage/storageAccounts", "rg-data", "stdata"),
    ("Microsoft.Resources/deployments/write", "Microsoft.Resources/deployments", "rg-app", "deploy-"),
    ("Microsoft.Web/sites/restart/action", "Microsoft.Web/sites", "rg-web", "app-shop-"),
    ("Microsoft.Network/publicIPAddresses/write", "Microsoft.Network/publicIPAddresses", "rg-net", "pip-"),
    ("Microsoft.Sql/servers/databases/write", "Microsoft.Sql/servers", "rg-data", "sql-contoso-"),
    ("Microsoft.Compute/snapshots/write", "Microsoft.Compute/snapshots", "rg-backup", "snap-"),
    ("Microsoft.Insights/diagnosticSettings/write", "Microsoft.Insights/diagnosticSettings", "rg-ops", "diag-"),
]


class Case:
    def __init__(self, name, story, seed, form="lines"):
        self.name, self.story, self.form = name, story, form
        self.log = A.ActivityLog(seed)
        self.rng = self.log.rng
        self.steps = []                 # [(ops, expected)] of a multi-step case
        self.expected = []
        self.args = []
        self.files = {}                 # extra file name -> text
        self.geoip = False
        self.anonymous = False

    # ---- who ------------------------------------------------------------------------

    def person(self, login, name, country=None, host=None, appid=A.PORTAL):
        p = A.user(login + "@contoso.com", name, self.log.guid())
        p.appid = appid
        p.ip = ip_in(country, host) if country else "203.0.113.%d" % self.rng.randrange(2, 60)
        return p

    def app(self, name, appid=None, ip=None):
        p = A.service_principal(name, self.log.guid(), appid or self.log.guid())
        p.ip = ip
        return p

    def team(self, logins, country, first_host):
        """People of one office: login names, all in one country."""
        return [self.person(login, login.replace(".", " ").title(), country, 2 + (first_host + i) % 60)
                for i, login in enumerate(logins)]

    # ---- what they do -------------------------------------------------------------------

    def ordinary(self, t, who, ip=None, appid=None):
        op, rtype, rg, prefix = self.rng.choice(ORDINARY)
        name = prefix + "%02d" % self.rng.randrange(1, 9)
        if rtype == "Microsoft.Sql/servers":
            rid = self.log.resource(rg, rtype, name, "databases", "db-orders")
        elif rtype == "Microsoft.Insights/diagnosticSettings":
            rid = self.log.resource(rg, "Microsoft.KeyVault/vaults", "kv-contoso-ops") + \
                "/providers/Microsoft.Insights/diagnosticSettings/" + name
        else:
            rid = self.log.resource(rg, rtype, name)
        return self.log.op(t, who, op, rid, ip=ip or who.ip, appid=appid or who.appid)

    def workdays(self, people, days, per_day=(1, 2), hours=(8, 18), weekends=False):
        """Each person's ordinary operations on each (week)day of days."""
        for d in days:
            if not weekends and (d % 7) in (5, 6):
                continue
            for p in people:
                for _ in range(self.rng.randint(*per_day)):
                    self.ordinary(day(d, self.rng.randrange(*hours), self.rng.randrange(60), self.rng.randrange(60)),
                                  p)

    def expect(self, type_, who):
        self.expected.append({"type": type_, "compromised_entity": who if isinstance(who, str) else who.entity})

    def step(self):
        """Close a step of a multi-step case: its operations and expected alerts."""
        self.steps.append((self.log.ops, self.expected))
        self.log.ops, self.expected = [], []

    def use_geoip(self, anonymous=False):
        self.geoip, self.anonymous = True, anonymous

    def listed(self, name, label, text):
        self.files[name] = text
        self.args += ["--intel", "%s=%s" % (label, name)]

    # ---- output ---------------------------------------------------------------------------

    def _write_ops(self, d, ops, expected):
        self.log.ops = ops
        base = {"lines": "activity.jsonl", "batches": "PT1H.json", "rest": "activity-log.json"}[self.form]
        path = os.path.join(d, base)
        self.log.write(path, self.form)
        if os.path.getsize(path) > GZIP_ABOVE:
            with open(path, "rb") as f:
                data = f.read()
            os.unlink(path)
            with open(path + ".gz", "wb") as f:
                with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as g:
                    g.write(data)
        with open(os.path.join(d, "expected.jsonl"), "w") as f:
            for e in expected:
                f.write(json.dumps(e) + "\n")

    def _write_geoip(self, d):
        city = {"database_type": "GeoIP2-City", "networks": [
            {"network": net, "country": cc, "country_name": cn, "city": city, "latitude": lat, "longitude": lon,
             "accuracy_radius": acc} for net, cc, cn, city, lat, lon, acc in WORLD]}
        with open(os.path.join(d, "geoip-city.json"), "w") as f:
            json.dump(city, f, indent=1, ensure_ascii=False)
            f.write("\n")
        if self.anonymous:
            with open(os.path.join(d, "geoip-anonymous.json"), "w") as f:
                json.dump({"database_type": "GeoIP2-Anonymous-IP", "networks": ANONYMOUS}, f, indent=1)
                f.write("\n")

    def write(self, root):
        d = os.path.join(root, self.name)
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)
        with open(os.path.join(d, "README.md"), "w") as f:
            f.write("# arm/%s\n\n%s\n\nGenerated by tests/cases/arm/build.py; edit that, not this.\n"
                    % (self.name, self.story.strip()))
        for name, text in self.files.items():
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        if self.args:
            with open(os.path.join(d, "args"), "w") as f:
                f.write("\n".join(self.args) + "\n")
        if self.geoip:
            self._write_geoip(d)
        if self.steps:
            for i, (ops, expected) in enumerate(self.steps, 1):
                sd = os.path.join(d, str(i))
                os.makedirs(sd)
                self._write_ops(sd, ops, expected)
        else:
            self._write_ops(d, self.log.ops, self.expected)


# ---- arm.toolkit.microburst ---------------------------------------------------------------

def storage(c, name):
    return c.log.resource("rg-data", "Microsoft.Storage/storageAccounts", name)


def microburst_fires():
    c = Case("microburst-fires", """
Eight days of ordinary work by five people (portal and CLI). Raj, a storage admin, lists
the keys of one or two storage accounts now and then. On day 8, 14:02-14:09, Lena's
account, through Azure PowerShell (MicroBurst's Get-AzPasswords), lists the keys of six
storage accounts, the publishing profiles of two web apps, one app's settings
(config/list) and a container registry's credentials: ten resources and four kinds of
credential operation in seven minutes, where she never did any before:
arm.toolkit.microburst for lena.berg@contoso.com. Raj's own listings stay under the bar.
Diagnostic export, JSON lines.
""", 201)
    people = c.team(["lena.berg", "raj.patel", "mia.wong", "omar.haddad", "ines.silva"], "GB", 2)
    lena, raj = people[0], people[1]
    c.workdays(people, range(0, 9))
    for d in (1, 3, 6, 8):
        for i in range(c.rng.randint(1, 2)):
            c.log.op(day(d, 10, 5 + 7 * i), raj, "Microsoft.Storage/storageAccounts/listKeys/action",
                     storage(c, "stdata%02d" % (d + i)), ip=raj.ip, appid=A.CLI)
    t = day(8, 14, 2)
    ps = dict(ip=lena.ip, appid=A.POWERSHELL)
    for i, name in enumerate(["stdata01", "stdata02", "stbackup01", "stlogs01", "stfuncshop", "stexport"]):
        c.log.op(t + timedelta(seconds=25 * i), lena, "Microsoft.Storage/storageAccounts/listKeys/action",
                 storage(c, name), **ps)
    for i, site in enumerate(["app-shop-01", "app-shop-02"]):
        c.log.op(t + timedelta(minutes=3, seconds=20 * i), lena, "Microsoft.Web/sites/publishxml/action",
                 c.log.resource("rg-web", "Microsoft.Web/sites", site), **ps)
    c.log.op(t + timedelta(minutes=4), lena, "Microsoft.Web/sites/config/list/action",
             c.log.resource("rg-web", "Microsoft.Web/sites", "app-shop-01", "config", "appsettings"), **ps)
    c.log.op(t + timedelta(minutes=6), lena, "Microsoft.ContainerRegistry/registries/listCredentials/action",
             c.log.resource("rg-app", "Microsoft.ContainerRegistry/registries", "acrcontoso"), **ps)
    c.expect("arm.toolkit.microburst", lena)
    return c


def microburst_runbook_fires():
    c = Case("microburst-runbook-fires", """
MicroBurst's automation credential dump. On day 1 at 10:00 Marco's account, through Azure
PowerShell, imports a runbook named with 15 random letters (hKqWzRtYbNmLpXc) into the
automation account aa-ops (runbooks/write, then draft/write), starts a test job of its
draft (draft/testJob/write), and deletes the runbook four minutes later:
arm.toolkit.microburst for marco.rossi@contoso.com. The same afternoon Anna writes,
test-runs and deletes a runbook of her own, Restart-ShopApps: quiet, its name is not 15
random letters. Nobody has a week of history, so no session alert can fire. REST form.
""", 202, form="rest")
    people = c.team(["marco.rossi", "anna.berg", "jon.kim"], "GB", 10)
    marco, anna = people[0], people[1]
    c.workdays(people, range(0, 2))
    aa = c.log.resource("rg-ops", "Microsoft.Automation/automationAccounts", "aa-ops")

    def runbook_cycle(who, name, t, appid):
        kw = dict(ip=who.ip, appid=appid)
        body = {"properties": {"runbookType": "PowerShell", "logProgress": False, "logVerbose": False,
                               "description": ""}, "location": "westeurope", "name": name}
        c.log.op(t, who, "Microsoft.Automation/automationAccounts/runbooks/write", aa + "/runbooks/" + name,
                 request=body, **kw)
        c.log.op(t + timedelta(seconds=20), who, "Microsoft.Automation/automationAccounts/runbooks/draft/write",
                 aa + "/runbooks/%s/draft" % name, **kw)
        c.log.op(t + timedelta(seconds=45), who,
                 "Microsoft.Automation/automationAccounts/runbooks/draft/testJob/write",
                 aa + "/runbooks/%s/draft/testJob" % name, request={"parameters": {}, "runOn": ""}, **kw)
        c.log.op(t + timedelta(minutes=4), who, "Microsoft.Automation/automationAccounts/runbooks/delete",
                 aa + "/runbooks/" + name, **kw)

    runbook_cycle(marco, "hKqWzRtYbNmLpXc", day(1, 10, 0, 12), A.POWERSHELL)
    runbook_cycle(anna, "Restart-ShopApps", day(1, 15, 30), A.PORTAL)
    c.expect("arm.toolkit.microburst", marco)
    return c


def microburst_vmbulk_fires():
    c = Case("microburst-vmbulk-fires", """
Sven runs the VM fleet with Azure PowerShell: most weekdays he runs a command on one or two
VMs (runCommand/action). On day 8, 13:00-13:06, his account runs a command on seven VMs in
six minutes (MicroBurst's Invoke-AzVMBulkCMD): more than the five of
detectors.arm.microburst_min_vms and than his own largest fan-out (two):
arm.toolkit.microburst for sven.larsen@contoso.com, once. He always uses PowerShell, so
arm.session.powershell stays quiet although runCommand is a persistence operation.
Diagnostic export in {"records": [...]} batches, as Event Hubs delivers them.
""", 203, form="batches")
    people = c.team(["sven.larsen", "kate.moss", "luis.ortega", "aiko.sato"], "GB", 20)
    sven = people[0]
    sven.appid = A.POWERSHELL
    c.workdays(people, range(0, 9))
    vm = lambda n: c.log.resource("rg-app", "Microsoft.Compute/virtualMachines", "vm-app-%02d" % n)  # noqa: E731
    body = {"commandId": "RunPowerShellScript", "script": ["Get-Service W3SVC"]}
    for d in range(0, 8):
        if d % 7 in (5, 6):
            continue
        for i in range(c.rng.randint(1, 2)):
            c.log.op(day(d, 11, 10 + 20 * i), sven, "Microsoft.Compute/virtualMachines/runCommand/action",
                     vm(c.rng.randrange(1, 12)), ip=sven.ip, request=body)
    bulk = {"commandId": "RunPowerShellScript", "script": ["whoami; Get-LocalUser"]}
    for i, n in enumerate([1, 2, 3, 5, 7, 8, 11]):
        c.log.op(day(8, 13, 0, 10) + timedelta(seconds=50 * i), sven,
                 "Microsoft.Compute/virtualMachines/runCommand/action", vm(n), ip=sven.ip, request=bulk,
                 duration_ms=c.rng.randint(25000, 40000))
    c.expect("arm.toolkit.microburst", sven)
    return c


def microburst_quiet_backup():
    c = Case("microburst-quiet-backup", """
Near miss. A backup service principal (sp-backup-nightly, its own application id) lists the
keys of the same ten storage accounts every night at 01:00 for fifteen nights, in four
minutes. The first week is the organisation's learning week; from the eighth night on,
ten resources in the window is more than detectors.arm.microburst_min_resources (5) but not
more than the principal's own largest fan-out of the last two weeks (10): quiet. On day 10
Raj lists the keys of four accounts in ten minutes: under the bar. Diagnostic export, JSON
lines.
""", 204)
    people = c.team(["raj.patel", "mia.wong", "omar.haddad"], "GB", 30)
    raj = people[0]
    backup = c.app("sp-backup-nightly", ip="20.50.2.17")
    accounts = ["stdata%02d" % i for i in range(1, 8)] + ["stbackup01", "stlogs01", "stexport"]
    for d in range(0, 15):
        t = day(d, 1, 0, c.rng.randrange(5))
        for i, name in enumerate(accounts):
            c.log.op(t + timedelta(seconds=22 * i + c.rng.randrange(3)), backup,
                     "Microsoft.Storage/storageAccounts/listKeys/action", storage(c, name), ip=backup.ip,
                     duration_ms=c.rng.randint(90, 300))
    c.workdays(people, range(0, 15), per_day=(1, 1))
    for i, name in enumerate(["stdata01", "stdata03", "stlogs01", "stexport"]):
        c.log.op(day(10, 15, 2 + 2 * i), raj, "Microsoft.Storage/storageAccounts/listKeys/action", storage(c, name),
                 ip=raj.ip, appid=A.CLI)
    return c


# ---- arm.toolkit.azurite -------------------------------------------------------------------

AZURITE_READS = [
    ("Microsoft.Resources/subscriptions/resourceGroups", None),
    ("Microsoft.Compute/virtualMachines", ("rg-app", "vm-app-01")),
    ("Microsoft.Compute/virtualMachines/extensions", ("rg-app", "vm-app-01", "extensions", "MDE.Windows")),
    ("Microsoft.Network/networkInterfaces", ("rg-app", "nic-vm-app-01")),
    ("Microsoft.Network/publicIPAddresses", ("rg-net", "pip-01")),
    ("Microsoft.Network/networkSecurityGroups", ("rg-net", "nsg-app")),
    ("Microsoft.Network/virtualNetworks", ("rg-net", "vnet-hub")),
    ("Microsoft.Network/routeTables", ("rg-net", "rt-hub")),
    ("Microsoft.Network/virtualNetworkGateways", ("rg-net", "vgw-hub")),
    ("Microsoft.Network/connections", ("rg-net", "cn-onprem")),
    ("Microsoft.Network/connections/sharedKey", ("rg-net", "cn-onprem", "sharedKey", "default")),
    ("Microsoft.Web/sites", ("rg-web", "app-shop-01")),
    ("Microsoft.Sql/servers", ("rg-data", "sql-contoso-01")),
    ("Microsoft.Sql/servers/databases", ("rg-data", "sql-contoso-01", "databases", "db-orders")),
    ("Microsoft.Sql/servers/databases/transparentDataEncryption",
     ("rg-data", "sql-contoso-01", "databases", "db-orders", "transparentDataEncryption", "current")),
    ("Microsoft.KeyVault/vaults", ("rg-ops", "kv-contoso-ops")),
]


def read_rid(c, rtype, where):
    if where is None:
        return c.log.subscription_scope() + "/resourceGroups/rg-app"
    rg, name, *children = where
    top = "/".join(rtype.split("/")[:2])
    return c.log.resource(rg, top, name, *children)


def azurite_fires():
    c = Case("azurite-fires", """
A source that logs ARM reads (written in the activity log's shape, one succeeded record per
GET). On day 0 at 11:00 Pavel's account, through Azure PowerShell, reads twelve of the
resource types of detectors.arm.azurite_resource_types in four minutes: resource groups,
VMs and their extensions, NICs, public IPs, NSGs, VNets, route tables, VPN gateways, their
connections and shared keys, web apps (Azurite Explorer's sweep): arm.toolkit.azurite for
pavel.novak@contoso.com. Diagnostic export, JSON lines.
""", 205)
    people = c.team(["pavel.novak", "sara.lind", "tim.cole"], "GB", 40)
    pavel = people[0]
    c.workdays(people, [0])
    t = day(0, 11, 0, 5)
    for i, (rtype, where) in enumerate(AZURITE_READS[:12]):
        c.log.read(t + timedelta(seconds=19 * i), pavel, rtype, read_rid(c, rtype, where), ip=pavel.ip,
                   appid=A.POWERSHELL)
    c.expect("arm.toolkit.azurite", pavel)
    return c


def azurite_quiet():
    c = Case("azurite-quiet", """
Near miss. Jo, an administrator, reads through the portal: at 09:00 seven of the listed
resource types and three unlisted ones (storage accounts, disks, Log Analytics workspaces)
in eight minutes; at 11:00 four other listed types; at 15:00 the first seven again. Never
eight listed types within ten minutes (detectors.arm.azurite_min_types, azurite_window):
quiet. Diagnostic export, JSON lines.
""", 206)
    people = c.team(["jo.meyer", "sara.lind"], "GB", 44)
    jo = people[0]
    c.workdays(people, [1])
    first, later = AZURITE_READS[:7], AZURITE_READS[7:11]
    unlisted = [("Microsoft.Storage/storageAccounts", ("rg-data", "stdata01")),
                ("Microsoft.Compute/disks", ("rg-app", "disk-vm-app-01")),
                ("Microsoft.OperationalInsights/workspaces", ("rg-ops", "law-contoso"))]
    for start, batch in ((day(1, 9, 0), first + unlisted), (day(1, 11, 0), later), (day(1, 15, 0), first)):
        for i, (rtype, where) in enumerate(batch):
            c.log.read(start + timedelta(seconds=48 * i), jo, rtype, read_rid(c, rtype, where), ip=jo.ip)
    return c


# ---- arm.session.inactive_account ---------------------------------------------------------

def inactive_account_fires():
    c = Case("inactive-account-fires", """
Learning across runs. Step 1: ten days of ordinary work; Olaf, a contractor, works on days
0-2 and then leaves. Step 2, a separate run with the same --state, two months later (days
60-62): on day 62 Olaf's account assigns the built-in Reader role to a guest
(roleAssignments/write, a persistence operation), 60 days after its last operation:
arm.session.inactive_account for olaf.nilsen@contoso.com. Without the saved profile his
account would be new, not inactive. REST form.
""", 207, form="rest")
    people = c.team(["olaf.nilsen", "beth.young", "carl.hahn", "dina.roy", "emil.falk"], "GB", 50)
    olaf = people[0]
    c.workdays([olaf], range(0, 3), per_day=(2, 3))
    c.workdays(people[1:], range(0, 10))
    c.step()
    c.workdays(people[1:], range(60, 63))
    guest = c.log.guid()
    c.log.role_assignment(day(62, 10, 14), olaf, A.READER, guest, "User",
                          c.log.subscription_scope() + "/resourceGroups/rg-data", ip=olaf.ip)
    c.expect("arm.session.inactive_account", olaf)
    c.step()
    return c


def inactive_account_quiet():
    c = Case("inactive-account-quiet", """
Near misses. Wei assigns a built-in role every Monday for nine weeks (a week between
operations). Nora works on day 0 and next on day 44, when she assigns a role: 44 days
and 6 hours, under detectors.arm.dormancy (45 days). The service principal sp-legacy-sync
was last used on day 1; on day 55 it tries a role assignment that fails (Forbidden): a
failed request proves nothing and counts for no alert. Quiet. Diagnostic export, JSON
lines.
""", 208)
    people = c.team(["wei.zhang", "nora.quinn", "pete.ash"], "GB", 60)
    wei, nora, pete = people
    legacy = c.app("sp-legacy-sync", ip="20.50.9.4")
    for w in range(0, 9):
        c.log.role_assignment(day(7 * w, 9, 30 + w), wei, c.rng.choice([A.READER, A.CONTRIBUTOR]), c.log.guid(),
                              "User", ip=wei.ip)
    c.workdays([pete], range(0, 64), per_day=(1, 1))
    c.ordinary(day(0, 10, 5), nora)
    c.log.role_assignment(day(44, 16, 5), nora, A.READER, c.log.guid(), "Group", ip=nora.ip)
    c.ordinary(day(1, 3, 0), legacy)
    c.log.role_assignment(day(55, 3, 0), legacy, A.OWNER, legacy.oid, "ServicePrincipal", ip=legacy.ip,
                          failed=True)
    return c


# ---- arm.session.powershell ----------------------------------------------------------------

def extension_write(c, t, who, vm_name, appid):
    rid = c.log.resource("rg-app", "Microsoft.Compute/virtualMachines", vm_name, "extensions",
                         "CustomScriptExtension")
    body = {"location": "westeurope",
            "properties": {"publisher": "Microsoft.Compute", "type": "CustomScriptExtension",
                           "typeHandlerVersion": "1.10", "autoUpgradeMinorVersion": True,
                           "settings": {"fileUris": ["https://stdata01.blob.core.windows.net/scripts/setup.ps1"]}}}
    return c.log.op(t, who, "Microsoft.Compute/virtualMachines/extensions/write", rid, ip=who.ip, appid=appid,
                    request=body, duration_ms=c.rng.randint(30000, 90000))


def powershell_fires():
    c = Case("powershell-fires", """
Learning across runs. Step 1: nine days in which Nina works through the portal and the
Azure CLI, two to three operations a day (more than detectors.arm.powershell_min_ops over
more than min_history). Step 2, the same --state: on day 9 her account installs a custom
script extension on a VM (virtualMachines/extensions/write, a persistence operation)
through Azure PowerShell, which it has never used: arm.session.powershell for
nina.kaur@contoso.com. Diagnostic export in {"records": [...]} batches.
""", 209, form="batches")
    people = c.team(["nina.kaur", "hugo.lamb", "ivy.chen", "jack.dunn"], "GB", 70)
    nina = people[0]
    for d in range(0, 9):
        for _ in range(c.rng.randint(2, 3)):
            c.ordinary(day(d, c.rng.randrange(8, 18), c.rng.randrange(60)), nina,
                       appid=c.rng.choice([A.PORTAL, A.CLI]))
    c.workdays(people[1:], range(0, 9))
    c.step()
    c.workdays(people[1:], [9])
    extension_write(c, day(9, 16, 41), nina, "vm-app-03", A.POWERSHELL)
    c.expect("arm.session.powershell", nina)
    c.step()
    return c


def powershell_quiet():
    c = Case("powershell-quiet-automation", """
Near misses. svc-deploy@contoso.com, an automation account, runs everything through Azure
PowerShell every day for a month, persistence operations included (extensions, built-in
role assignments): its own habit. Hana works through the portal, but ran one PowerShell
command on day 2; on day 30 she installs an extension through PowerShell: 28 days after
her last PowerShell use, inside detectors.arm.powershell_lookback (45 days). Ivan is new
on day 29 and starts with PowerShell: no history to judge. Quiet. Diagnostic export, JSON
lines.
""", 210)
    people = c.team(["hana.ito", "ivan.petrov", "kim.lee"], "GB", 80)
    hana, ivan, kim = people
    deploy = c.person("svc-deploy", "Deployment Automation", "GB", 50, appid=A.POWERSHELL)
    for d in range(0, 31):
        extension_write(c, day(d, 2, 15), deploy, "vm-app-%02d" % (d % 6 + 1), A.POWERSHELL)
        if d % 5 == 0:
            c.log.role_assignment(day(d, 2, 20), deploy, A.CONTRIBUTOR, c.log.guid(), "ServicePrincipal",
                                  ip=deploy.ip, appid=A.POWERSHELL)
    c.workdays([hana, kim], range(0, 31))
    c.ordinary(day(2, 14, 12), hana, appid=A.POWERSHELL)
    extension_write(c, day(30, 11, 3), hana, "vm-app-02", A.POWERSHELL)
    c.ordinary(day(29, 9, 40), ivan, appid=A.POWERSHELL)
    extension_write(c, day(29, 9, 55), ivan, "vm-test-01", A.POWERSHELL)
    return c


# ---- arm.persistence.custom_role -------------------------------------------------------------

ROLE_VM_OPERATOR = "3f9b2c7e-5d41-4a8e-9c06-1b7e2d4f8a53"
ROLE_HELPDESK = "d41c8e2a-7b3f-4e59-a1d6-92c0f5b7e314"
ROLE_COST_READER = "6a0e5d93-2c4b-4f7a-8e15-c3b9d0a7f862"
VM_OPERATOR_ACTIONS = ["Microsoft.Compute/virtualMachines/*", "Microsoft.Compute/virtualMachines/runCommand/action",
                       "Microsoft.Storage/storageAccounts/listKeys/action", "Microsoft.Resources/subscriptions/read"]


def custom_role_fires():
    c = Case("custom-role-fires", """
Ulla defines a custom role, "VM Operator Plus" (Microsoft.Compute/virtualMachines/*, run
command, storage listKeys: privileged), through the portal, and four minutes later assigns
it to the service principal sp-helpdesk-automation. vigil saw the role defined (the GUID
is the last segment of the roleDefinitions/write resourceId, upper-cased in this export),
and Ulla never assigned it before: arm.persistence.custom_role whose compromised entity is
the assignee's principalId. Diagnostic export in {"records": [...]} batches.
""", 211, form="batches")
    people = c.team(["ulla.berg", "finn.ek"], "GB", 100)
    ulla = people[0]
    helpdesk = c.app("sp-helpdesk-automation")
    c.workdays(people, [0, 1])
    c.log.role_definition(day(1, 14, 20), ulla, ROLE_VM_OPERATOR, "VM Operator Plus", VM_OPERATOR_ACTIONS,
                          ip=ulla.ip, description="Operate VMs and their storage")
    c.log.role_assignment(day(1, 14, 24), ulla, ROLE_VM_OPERATOR, helpdesk.oid, "ServicePrincipal",
                          ip=ulla.ip)
    c.expect("arm.persistence.custom_role", helpdesk.oid)
    return c


def custom_role_across_runs():
    c = Case("custom-role-across-runs", """
Learning across runs. Step 1: Ulla defines the custom role "Helpdesk Reset" (VM reads,
restarts and extensions: extensions/write resets passwords, so the role is privileged)
through the Azure CLI (camelCase request body): no alert. Step 2, the same --state, three days later:
she assigns it to the user Gus (the CLI's camelCase roleDefinitionId): vigil remembers the
definition, so arm.persistence.custom_role for Gus's object id. REST form.
""", 212, form="rest")
    people = c.team(["ulla.berg", "gus.moe"], "GB", 110)
    ulla, gus = people
    c.workdays(people, [0])
    c.log.role_definition(day(0, 16, 2), ulla, ROLE_HELPDESK, "Helpdesk Reset",
                          ["Microsoft.Compute/virtualMachines/read", "Microsoft.Compute/virtualMachines/restart/action",
                           "Microsoft.Compute/virtualMachines/extensions/write"],
                          [c.log.subscription_scope() + "/resourceGroups/rg-app"], ip=ulla.ip, appid=A.CLI)
    c.step()
    c.workdays(people, [3])
    c.log.role_assignment(day(3, 9, 12), ulla, ROLE_HELPDESK, gus.oid, "User",
                          c.log.subscription_scope() + "/resourceGroups/rg-app", ip=ulla.ip, appid=A.CLI)
    c.expect("arm.persistence.custom_role", gus.oid)
    c.step()
    return c


def custom_role_repeat():
    c = Case("custom-role-repeat", """
The first assignment of a custom role by an assigner alerts, a repeat does not. Step 1: Ulla
defines "VM Operator Plus" and assigns it to Finn: arm.persistence.custom_role for Finn's
object id. Step 2, the same --state, a day later: she assigns the same role to Gus: she has
assigned it before, quiet. Diagnostic export, JSON lines.
""", 213)
    people = c.team(["ulla.berg", "finn.ek", "gus.moe"], "GB", 120)
    ulla, finn, gus = people
    c.workdays(people, [0])
    c.log.role_definition(day(0, 11, 0), ulla, ROLE_VM_OPERATOR, "VM Operator Plus", VM_OPERATOR_ACTIONS, ip=ulla.ip)
    c.log.role_assignment(day(0, 11, 6), ulla, ROLE_VM_OPERATOR, finn.oid, "User", ip=ulla.ip)
    c.expect("arm.persistence.custom_role", finn.oid)
    c.step()
    c.workdays(people, [1])
    c.log.role_assignment(day(1, 10, 30), ulla, ROLE_VM_OPERATOR, gus.oid, "User", ip=ulla.ip)
    c.step()
    return c


def custom_role_quiet():
    c = Case("custom-role-quiet-builtin", """
Near misses. Ulla assigns the built-in Owner, Contributor, Reader, User Access
Administrator and Virtual Machine Contributor roles (some at resource-group scope). Finn
assigns a role whose GUID is neither built in nor seen defined (vigil cannot tell it is
custom). Ulla defines the custom role "VM Operator Plus" and tries to assign it, but the
assignment fails (Forbidden): failed operations count for no alert. Quiet. Diagnostic
export, JSON lines.
""", 214)
    people = c.team(["ulla.berg", "finn.ek", "gus.moe"], "GB", 130)
    ulla, finn, gus = people
    c.workdays(people, [0, 1])
    rg = c.log.subscription_scope() + "/resourceGroups/rg-app"
    for i, role in enumerate([A.OWNER, A.CONTRIBUTOR, A.READER, A.USER_ACCESS_ADMIN, A.VM_CONTRIBUTOR]):
        c.log.role_assignment(day(1, 9, 10 * i), ulla, role, c.log.guid(), c.rng.choice(["User", "Group"]),
                              rg if i % 2 else None, ip=ulla.ip)
    c.log.role_assignment(day(1, 10, 15), finn, "0b5fe924-9a61-425c-96af-cfe6e287ca2d", gus.oid, "User",
                          ip=finn.ip)
    c.log.role_definition(day(1, 13, 0), ulla, ROLE_VM_OPERATOR, "VM Operator Plus", VM_OPERATOR_ACTIONS, ip=ulla.ip)
    c.log.role_assignment(day(1, 13, 5), ulla, ROLE_VM_OPERATOR, gus.oid, "User", ip=ulla.ip, failed=True)
    return c


def custom_role_quiet_readonly():
    c = Case("custom-role-quiet-readonly", """
Near miss. Ulla defines the custom role "Cost Reader" (every read, cost management, VM
restarts: nothing that grants access, reveals a key or runs code) and assigns it to the
finance team's reporting principal. A custom role given to an identity, but not one that
can keep an attacker in: quiet (custom_role_only_privileged, the default); the summary
counts the assignment. Diagnostic export, JSON lines.
""", 215)
    people = c.team(["ulla.berg", "finn.ek"], "GB", 140)
    ulla = people[0]
    reporting = c.app("sp-finance-reporting")
    c.workdays(people, [0, 1])
    c.log.role_definition(day(1, 10, 0), ulla, ROLE_COST_READER, "Cost Reader",
                          ["*/read", "Microsoft.Consumption/*", "Microsoft.CostManagement/*",
                           "Microsoft.Compute/virtualMachines/restart/action"], ip=ulla.ip)
    c.log.role_assignment(day(1, 10, 6), ulla, ROLE_COST_READER, reporting.oid, "ServicePrincipal", ip=ulla.ip)
    return c


# ---- arm.location.* ---------------------------------------------------------------------------

def located(c, t, who, ip, n=1):
    for i in range(n):
        c.ordinary(t + timedelta(minutes=7 * i), who, ip=ip)


def office(c):
    """Contoso's people: eight in London, four in Frankfurt, one in Stockholm."""
    gb = c.team(["sofia.reyes", "ahmed.khan", "tom.hart", "grace.obi", "dan.frost", "eve.mills", "liam.ward",
                 "zoe.park"], "GB", 2)
    de = c.team(["jonas.weber", "lea.koch", "max.braun", "ute.vogel"], "DE", 2)
    se = c.team(["kai.lund"], "SE", 2)
    return gb, de, se


def infrequent_country_fires():
    c = Case("infrequent-country-fires", """
Learning across runs, with a GeoIP City database (geoip-city.json). Step 1: nine days of
work by eight people in London, four in Frankfurt and one in Stockholm: no alert. Step 2,
the same --state: on day 10 at 10:00 Sofia works from São Paulo (BR), a country she has not
used and nobody in the organisation has: arm.location.infrequent_country for
sofia.reyes@contoso.com. Her last London operation was 17 hours earlier (9,500 km at 560
km/h): no impossible travel. Diagnostic export, JSON lines.
""", 215)
    c.use_geoip()
    gb, de, se = office(c)
    sofia = gb[0]
    c.workdays(gb + de + se, range(0, 9), weekends=True)
    c.step()
    c.workdays(gb[1:] + de + se, [9, 10], weekends=True)
    located(c, day(9, 16, 40), sofia, sofia.ip, 2)
    located(c, day(10, 10, 0), sofia, ip_in("BR", 17), 2)
    c.expect("arm.location.infrequent_country", sofia)
    c.step()
    return c


def infrequent_country_quiet():
    c = Case("infrequent-country-quiet", """
Near misses (GeoIP City). Ten days of work in London, Frankfurt and Stockholm. On day 9 Tom,
always in London before, works from Frankfurt: new to him, but four other people of the
organisation work there (detectors.arm.org_common_principals: 3). Kai works from Stockholm
every day, a country only he uses: his own usual. Priya's first operation ever, on day 9
from London, falls in her own learning week. Quiet. Diagnostic export in {"records":
[...]} batches.
""", 216, form="batches")
    c.use_geoip()
    gb, de, se = office(c)
    tom = gb[2]
    priya = c.person("priya.nair", "Priya Nair", "GB", 40)
    c.workdays([p for p in gb if p is not tom] + de + se, range(0, 10), weekends=True)
    c.workdays([tom], range(0, 9), weekends=True)
    located(c, day(9, 9, 10), tom, ip_in("DE", 30), 2)
    located(c, day(9, 11, 0), priya, priya.ip)
    return c


def impossible_travel_fires():
    c = Case("impossible-travel-fires", """
Learning across runs (GeoIP City). Step 1: nine days of work in London, Frankfurt and
Stockholm. Step 2, the same --state: on day 9 Ahmed works from London at 08:30 and, 70
minutes later, from Tokyo: 9,560 km (less both accuracy radii) at about 8,000 km/h, between
non-bordering countries, through no anonymous address: arm.location.impossible_travel for
ahmed.khan@contoso.com. Japan is also new to him and to the organisation:
arm.location.infrequent_country too. REST form.
""", 217, form="rest")
    c.use_geoip()
    gb, de, se = office(c)
    ahmed = gb[1]
    c.workdays(gb + de + se, range(0, 9), weekends=True)
    c.step()
    c.workdays([p for p in gb if p is not ahmed] + de + se, [9], weekends=True)
    located(c, day(9, 8, 30), ahmed, ahmed.ip)
    located(c, day(9, 9, 40), ahmed, ip_in("JP", 41), 2)
    c.expect("arm.location.impossible_travel", ahmed)
    c.expect("arm.location.infrequent_country", ahmed)
    c.step()
    return c


def impossible_travel_quiet_paris():
    c = Case("impossible-travel-quiet-london-paris", """
Near miss (GeoIP City). After eight days in London, on day 8 Grace works from London at
08:00 and from Paris at 14:00: 340 km in six hours, under detectors.arm.travel_min_distance_km
(500) and travel_min_speed_kmh (800): no impossible travel. France is new to her and to the
organisation, so arm.location.infrequent_country does fire: that alert, and no other, is
expected. Diagnostic export, JSON lines.
""", 218)
    c.use_geoip()
    gb, de, se = office(c)
    grace = gb[3]
    c.workdays([p for p in gb if p is not grace] + de + se, range(0, 9), weekends=True)
    c.workdays([grace], range(0, 8), weekends=True)
    located(c, day(8, 8, 0), grace, grace.ip)
    located(c, day(8, 14, 0), grace, ip_in("FR", 12), 2)
    c.expect("arm.location.infrequent_country", grace)
    return c


def anonymous_ip_fires():
    c = Case("anonymous-ip-fires", """
GeoIP City and Anonymous-IP databases (geoip-city.json, geoip-anonymous.json) and a TOR
exit list (tor-exits.txt, --intel tor=). After eight days of work from the offices, on day
8 Dan's account works from 198.18.1.23, a TOR exit of the list, and Eve's from 198.18.3.40,
which the Anonymous-IP database flags as a public proxy. Nobody else ever used these
addresses or their /24s: arm.location.anonymous_ip for dan.frost@contoso.com and for
eve.mills@contoso.com. Neither address has a City record, so no country alert. REST form.
""", 219, form="rest")
    c.use_geoip(anonymous=True)
    c.listed("tor-exits.txt", "tor", "# TOR exit addresses, as a bulk exit list gives them\n%s\n198.18.1.41\n"
             % TOR_EXIT)
    gb, de, se = office(c)
    dan, eve = gb[4], gb[5]
    c.workdays(gb + de + se, range(0, 8), weekends=True)
    located(c, day(8, 21, 5), dan, TOR_EXIT, 2)
    located(c, day(8, 22, 40), eve, PROXY)
    c.expect("arm.location.anonymous_ip", dan)
    c.expect("arm.location.anonymous_ip", eve)
    return c


def anonymous_ip_quiet_vpn():
    c = Case("anonymous-ip-quiet-org-vpn", """
Near miss for arm.location.anonymous_ip and arm.location.impossible_travel (GeoIP City and
Anonymous-IP). Contoso's people work from the London office by day and through a commercial
VPN from home in the evening; its exit, 198.18.2.10, is flagged is_anonymous_vpn and
located in Ashburn, US. Every day five or more of them use it. On day 9 Liam works from
London at 09:00 and through the VPN at 09:20 (5,900 km in 20 minutes): an address and a
country that at least three other principals used in the last 30 days are the
organisation's own, and travel through an anonymous address is not travel. Quiet.
Diagnostic export in {"records": [...]} batches.
""", 220, form="batches")
    c.use_geoip(anonymous=True)
    gb, de, se = office(c)
    liam = gb[6]
    c.workdays(gb, range(0, 10), weekends=False)
    for d in range(0, 10):
        for p in c.rng.sample(gb, 5):
            located(c, day(d, 20, c.rng.randrange(60)), p, VPN_EXIT)
    located(c, day(9, 9, 0), liam, liam.ip)
    located(c, day(9, 9, 20), liam, VPN_EXIT, 2)
    return c


CASES = [microburst_fires, microburst_runbook_fires, microburst_vmbulk_fires, microburst_quiet_backup,
         azurite_fires, azurite_quiet, inactive_account_fires, inactive_account_quiet, powershell_fires,
         powershell_quiet, custom_role_fires, custom_role_across_runs, custom_role_repeat, custom_role_quiet,
         custom_role_quiet_readonly,
         infrequent_country_fires, infrequent_country_quiet, impossible_travel_fires, impossible_travel_quiet_paris,
         anonymous_ip_fires, anonymous_ip_quiet_vpn]


def main(argv):
    root = argv[1] if len(argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for make in CASES:
        make().write(root)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
