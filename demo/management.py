"""The demo estate's management part: Fabrikam's Azure Activity Log (tests/tools/activity.py),
a log of ARM reads, and the GeoIP and TOR data the location analytics use.
demo/generate.py calls it; demo/README.md tells the story and the alerts it must raise.

History starts 19 January, seven weeks before today (the activity log keeps 90 days), so
that an account unused since January can come back today. It holds a few dozen people in
London, Frankfurt and Stockholm, an evening VPN most of them use, a deployment account
that always works through Azure PowerShell, a backup service principal that lists the keys
of every storage account each night, and an administrator who assigns built-in roles every
Monday. Today (10 March) holds one occurrence of each arm.* alert type and look-alikes.

Python 3 standard library only; seeded, so the same bytes every run.
"""
import gzip
import json
import os
import shutil
import subprocess
import sys
from datetime import timedelta

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "tools"))
import activity as A  # noqa: E402

FIRST_DAY = A.at(2026, 1, 19)           # a Monday: the activity log export starts here
TODAY = A.at(2026, 3, 10)
DAYS = (TODAY - FIRST_DAY).days         # 50 history days
WRITE_MMDB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "tools", "write_mmdb.pl")

# Where Fabrikam's addresses are (our own GeoIP City spec; documentation and benchmark ranges).
WORLD = [
    ("203.0.113.0/26", "GB", "United Kingdom", "London", 51.5142, -0.0931, 10),
    ("203.0.113.128/26", "DE", "Germany", "Frankfurt am Main", 50.1109, 8.6821, 20),
    ("203.0.113.192/26", "SE", "Sweden", "Stockholm", 59.3293, 18.0686, 20),
    ("198.51.100.128/25", "JP", "Japan", "Tokyo", 35.6895, 139.6917, 20),
    ("198.18.2.0/24", "US", "United States", "Ashburn", 39.0437, -77.4875, 100),
]
ANONYMOUS = [
    {"network": "198.18.2.0/24", "is_anonymous": True, "is_anonymous_vpn": True, "is_hosting_provider": True},
    {"network": "198.18.1.0/24", "is_anonymous": True, "is_tor_exit_node": True},
]
VPN_EXIT = "198.18.2.10"                # the VPN service Fabrikam's staff use from home
TOR_EXIT = "198.18.1.23"
TOKYO = "198.51.100.140"

ORDINARY = [
    ("Microsoft.Compute/virtualMachines/start/action", "Microsoft.Compute/virtualMachines", "rg-shop", "vm-web-0"),
    ("Microsoft.Compute/virtualMachines/restart/action", "Microsoft.Compute/virtualMachines", "rg-shop",
     "vm-web-0"),
    ("Microsoft.Compute/virtualMachines/deallocate/action", "Microsoft.Compute/virtualMachines", "rg-test",
     "vm-test-0"),
    ("Microsoft.Storage/storageAccounts/write", "Microsoft.Storage/storageAccounts", "rg-data", "stfabrikam0"),
    ("Microsoft.Resources/deployments/write", "Microsoft.Resources/deployments", "rg-shop", "shop-release-"),
    ("Microsoft.Web/sites/restart/action", "Microsoft.Web/sites", "rg-shop", "app-storefront-0"),
    ("Microsoft.Network/publicIPAddresses/write", "Microsoft.Network/publicIPAddresses", "rg-net", "pip-0"),
    ("Microsoft.Compute/snapshots/write", "Microsoft.Compute/snapshots", "rg-backup", "snap-db-0"),
]
STORAGE = ["stfabrikam0%d" % i for i in range(1, 8)] + ["stbackupweu", "stlogsweu", "stexports", "stfuncshop",
                                                         "stcdnassets"]

LONDON = ["sofia.reyes", "ahmed.khan", "tom.hart", "grace.obi", "dan.frost", "eve.mills", "liam.ward", "zoe.park",
          "lena.berg", "raj.patel", "mia.wong", "omar.haddad", "nina.kaur", "ulla.berg", "pavel.novak", "wei.zhang",
          "hana.ito", "kim.lee"]
FRANKFURT = ["jonas.weber", "lea.koch", "max.braun", "ute.vogel", "finn.ek", "gus.moe"]
STOCKHOLM = ["kai.lund", "sara.lind"]
ROLE_OPERATOR = "5e0c7a1b-3f2d-4c8e-9a6b-d1e4f7a2c903"


def day(n, hour=0, minute=0, second=0):
    """Day n of the history (0 = 19 January); n = DAYS is today."""
    return FIRST_DAY + timedelta(days=n, hours=hour, minutes=minute, seconds=second)


class Management:
    def __init__(self, seed):
        self.log = A.ActivityLog(seed, subscription="3b8f6e2a-1c4d-4f7e-a5b9-0d2c6e8f1a47",
                                 tenant="9c4e2a7b-5d1f-4e3c-8b6a-2f0d9e7c1b54")
        self.reads = A.ActivityLog(seed + 1, self.log.subscription, self.log.tenant)
        self.rng = self.log.rng
        self.people = {}
        for names, cc in ((LONDON, "GB"), (FRANKFURT, "DE"), (STOCKHOLM, "SE")):
            for i, login in enumerate(names):
                self.people[login] = self._person(login, cc, 2 + i)
        self.olaf = self._person("olaf.nilsen", "GB", 40)          # the contractor who left in January
        self.deploy = self._person("svc-deploy", "GB", 45, "Deployment Pipeline")
        self.deploy.appid = A.POWERSHELL
        self.backup = A.service_principal("sp-backup-nightly", self.log.guid(), self.log.guid())
        self.backup.ip = "20.50.2.17"                             # an Azure service address
        self.helpdesk = A.service_principal("sp-helpdesk-automation", self.log.guid(), self.log.guid())

    def _person(self, login, cc, host, name=None):
        p = A.user(login + "@fabrikam.com", name or login.replace(".", " ").title(), self.log.guid())
        p.appid = A.PORTAL
        base = {"GB": "203.0.113.%d", "DE": "203.0.113.%d", "SE": "203.0.113.%d"}[cc]
        p.ip = base % ({"GB": 0, "DE": 128, "SE": 192}[cc] + host)
        return p

    def _ordinary(self, t, who, ip=None, appid=None):
        op, rtype, rg, prefix = self.rng.choice(ORDINARY)
        rid = self.log.resource(rg, rtype, prefix + str(self.rng.randrange(1, 4)))
        self.log.op(t, who, op, rid, ip=ip or who.ip, appid=appid or who.appid)

    def _storage(self, name):
        return self.log.resource("rg-data", "Microsoft.Storage/storageAccounts", name)

    def _extension(self, t, who, vm, appid):
        rid = self.log.resource("rg-shop", "Microsoft.Compute/virtualMachines", vm, "extensions",
                                "CustomScriptExtension")
        body = {"location": "westeurope",
                "properties": {"publisher": "Microsoft.Compute", "type": "CustomScriptExtension",
                               "typeHandlerVersion": "1.10",
                               "settings": {"fileUris": ["https://stexports.blob.core.windows.net/s/setup.ps1"]}}}
        self.log.op(t, who, "Microsoft.Compute/virtualMachines/extensions/write", rid, ip=who.ip, appid=appid,
                    request=body, duration_ms=self.rng.randint(30000, 90000))

    # ---- ordinary life ------------------------------------------------------------------

    def history_day(self, d):
        rng = self.rng
        weekday = d % 7 < 5
        # the backup job, every night: the same twelve accounts in four minutes
        t = day(d, 1, 0, rng.randrange(30))
        for i, name in enumerate(STORAGE):
            self.log.op(t + timedelta(seconds=20 * i), self.backup, "Microsoft.Storage/storageAccounts/listKeys/action",
                        self._storage(name), ip=self.backup.ip, duration_ms=rng.randint(90, 300))
        # the deployment pipeline, every night, through Azure PowerShell
        self._extension(day(d, 2, 15), self.deploy, "vm-web-0%d" % (d % 3 + 1), A.POWERSHELL)
        if not weekday:
            return
        if d < 5:                                   # Olaf's last week
            for _ in range(rng.randint(2, 3)):
                self._ordinary(day(d, rng.randrange(9, 17), rng.randrange(60)), self.olaf)
        for login, p in self.people.items():
            for _ in range(rng.randint(1, 2)):
                self._ordinary(day(d, rng.randrange(8, 17), rng.randrange(60), rng.randrange(60)), p)
        # evenings through the VPN: a different handful of Londoners each day
        for login in rng.sample(LONDON, 6):
            if login in ("sofia.reyes", "ahmed.khan"):
                continue
            self._ordinary(day(d, rng.randrange(19, 22), rng.randrange(60)), self.people[login], ip=VPN_EXIT)
        # Wei assigns built-in roles every Monday
        if d % 7 == 0:
            wei = self.people["wei.zhang"]
            self.log.role_assignment(day(d, 9, 30), wei, rng.choice([A.READER, A.CONTRIBUTOR]), self.log.guid(),
                                     "User", ip=wei.ip)
        # Nina works through the portal and the CLI
        nina = self.people["nina.kaur"]
        self._ordinary(day(d, 15, rng.randrange(60)), nina, appid=A.CLI)

    # ---- today -------------------------------------------------------------------------------

    def today(self):
        d, rng, P = DAYS, self.rng, self.people
        self.history_day(d)                         # ordinary life goes on (and its look-alikes)
        ps = A.POWERSHELL
        # 08:30 Ahmed in London; 09:40 his account works from Tokyo
        self._ordinary(day(d, 8, 30), P["ahmed.khan"])
        self._ordinary(day(d, 9, 40), P["ahmed.khan"], ip=TOKYO)
        # 10:05 MicroBurst's Get-AzPasswords with Lena's account
        lena = P["lena.berg"]
        t = day(d, 10, 5, 12)
        for i, name in enumerate(STORAGE[:7]):
            self.log.op(t + timedelta(seconds=21 * i), lena, "Microsoft.Storage/storageAccounts/listKeys/action",
                        self._storage(name), ip=lena.ip, appid=ps)
        for i, site in enumerate(["app-storefront-01", "app-storefront-02"]):
            self.log.op(t + timedelta(minutes=3, seconds=15 * i), lena, "Microsoft.Web/sites/publishxml/action",
                        self.log.resource("rg-shop", "Microsoft.Web/sites", site), ip=lena.ip, appid=ps)
        self.log.op(t + timedelta(minutes=4), lena, "Microsoft.Web/sites/config/list/action",
                    self.log.resource("rg-shop", "Microsoft.Web/sites", "app-storefront-01", "config", "appsettings"),
                    ip=lena.ip, appid=ps)
        # 10:40 Azurite Explorer with Pavel's account (the ARM read log)
        pavel = P["pavel.novak"]
        for i, (rtype, rid) in enumerate(self._azurite_targets()):
            self.reads.read(day(d, 10, 40, 3) + timedelta(seconds=17 * i), pavel, rtype, rid, ip=pavel.ip, appid=ps)
        # 11:00 look-alike: Hana reads five resource types through the portal
        hana = P["hana.ito"]
        for i, (rtype, rid) in enumerate(self._azurite_targets()[:5]):
            self.reads.read(day(d, 11, 0, 40) + timedelta(seconds=40 * i), hana, rtype, rid, ip=hana.ip)
        # 11:20 Olaf's account, unused since January, makes a guest Owner
        guest = self.log.guid()
        self.log.role_assignment(day(d, 11, 20), self.olaf, A.OWNER, guest, "User", ip=self.olaf.ip)
        # 13:10 Nina's account installs a script extension through Azure PowerShell
        self._extension(day(d, 13, 10), P["nina.kaur"], "vm-web-02", ps)
        # 14:20 Ulla defines a custom role and gives it to the helpdesk automation principal
        ulla = P["ulla.berg"]
        self.log.role_definition(day(d, 14, 20), ulla, ROLE_OPERATOR, "Storefront Operator",
                                 ["Microsoft.Compute/virtualMachines/*", "Microsoft.Storage/storageAccounts/listKeys/action",
                                  "Microsoft.Resources/subscriptions/resourceGroups/read"], ip=ulla.ip)
        self.log.role_assignment(day(d, 14, 24), ulla, ROLE_OPERATOR, self.helpdesk.oid, "ServicePrincipal",
                                 ip=ulla.ip)
        # 21:05 Dan's account through a TOR exit
        self._ordinary(day(d, 21, 5), P["dan.frost"], ip=TOR_EXIT)
        # look-alikes: Tom visits the Frankfurt office; Liam goes home and on through the VPN
        self._ordinary(day(d, 10, 12), P["tom.hart"], ip="203.0.113.170")
        self._ordinary(day(d, 17, 30), P["liam.ward"])
        self._ordinary(day(d, 17, 50), P["liam.ward"], ip=VPN_EXIT)

    def _azurite_targets(self):
        r = self.log.resource
        return [("Microsoft.Resources/subscriptions/resourceGroups", self.log.subscription_scope() + "/resourceGroups/rg-shop"),
                ("Microsoft.Compute/virtualMachines", r("rg-shop", "Microsoft.Compute/virtualMachines", "vm-web-01")),
                ("Microsoft.Network/networkInterfaces", r("rg-shop", "Microsoft.Network/networkInterfaces", "nic-web-01")),
                ("Microsoft.Network/networkSecurityGroups", r("rg-net", "Microsoft.Network/networkSecurityGroups", "nsg-web")),
                ("Microsoft.Network/virtualNetworks", r("rg-net", "Microsoft.Network/virtualNetworks", "vnet-weu")),
                ("Microsoft.Network/publicIPAddresses", r("rg-net", "Microsoft.Network/publicIPAddresses", "pip-01")),
                ("Microsoft.Network/routeTables", r("rg-net", "Microsoft.Network/routeTables", "rt-weu")),
                ("Microsoft.Web/sites", r("rg-shop", "Microsoft.Web/sites", "app-storefront-01")),
                ("Microsoft.Sql/servers", r("rg-data", "Microsoft.Sql/servers", "sql-fabrikam")),
                ("Microsoft.Sql/servers/databases", r("rg-data", "Microsoft.Sql/servers", "sql-fabrikam", "databases", "orders")),
                ("Microsoft.KeyVault/vaults", r("rg-data", "Microsoft.KeyVault/vaults", "kv-fabrikam")),
                ("Microsoft.Authorization/roleAssignments", self.log.subscription_scope() +
                 "/providers/Microsoft.Authorization/roleAssignments")]


def _gz(path, data):
    with open(path, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=6) as g:
            g.write(data)


def write(outdir, seed):
    """Write the management files under outdir; return (options, manifest) as generate.py
    wants them: [("@geoip", rel), ("@intel", "tor=rel")] and [(phase, rel)]."""
    m = Management(seed)
    os.makedirs(os.path.join(outdir, "history", "management"), exist_ok=True)
    os.makedirs(os.path.join(outdir, "today", "management"), exist_ok=True)
    os.makedirs(os.path.join(outdir, "management"), exist_ok=True)
    manifest = []
    # one Event Hubs capture file a week: {"records": [...]} batches, gzip'd
    for week in range(0, DAYS, 7):
        m.log.ops = []
        for d in range(week, min(week + 7, DAYS)):
            m.history_day(d)
        rel = "history/management/activity-%s.json.gz" % day(week).strftime("%Y-%m-%d")
        tmp = os.path.join(outdir, rel[:-3])
        m.log.write_batches(tmp, per_batch=50)
        with open(tmp, "rb") as f:
            _gz(os.path.join(outdir, rel), f.read())
        os.unlink(tmp)
        manifest.append(("history", rel))
    # today: the portal's export (REST form) and the ARM read log (diagnostic shape)
    m.log.ops = []
    m.today()
    m.log.write_rest(os.path.join(outdir, "today/management/activity-log-2026-03-10.json"))
    m.reads.write_lines(os.path.join(outdir, "today/management/arm-reads-2026-03-10.jsonl"))
    manifest += [("today", "today/management/activity-log-2026-03-10.json"),
                 ("today", "today/management/arm-reads-2026-03-10.jsonl")]
    with open(os.path.join(outdir, "management/tor-exits.txt"), "w") as f:
        f.write("# TOR exit addresses (bulk exit list)\n%s\n198.18.1.41\n" % TOR_EXIT)
    options = [("@intel", "tor=management/tor-exits.txt")]
    options += geoip(outdir)
    return options, manifest


def geoip(outdir):
    """The City and Anonymous-IP specs, and their .mmdb files written by
    tests/tools/write_mmdb.pl (perl); without it the demo runs without
    GeoIP and its location alerts, and says so."""
    specs = {
        "management/geoip-city.json": {"database_type": "GeoIP2-City", "networks": [
            {"network": n, "country": cc, "country_name": cn, "city": city, "latitude": lat, "longitude": lon,
             "accuracy_radius": acc} for n, cc, cn, city, lat, lon, acc in WORLD]},
        "management/geoip-anonymous.json": {"database_type": "GeoIP2-Anonymous-IP", "networks": ANONYMOUS},
    }
    options = []
    perl = shutil.which("perl")
    for rel, spec in specs.items():
        path = os.path.join(outdir, rel)
        with open(path, "w") as f:
            json.dump(spec, f, indent=1, ensure_ascii=False)
        out = path[:-5] + ".mmdb"
        p = subprocess.run([perl, WRITE_MMDB, path, out], capture_output=True, text=True) if perl else None
        if not p or p.returncode != 0:
            sys.stderr.write("demo: cannot write %s (%s): the location alerts will be missing; run "
                             "scripts/install-deps.sh\n" % (out, p.stderr.strip() if p else "no perl"))
            continue
        options.append(("@geoip", rel[:-5] + ".mmdb"))
    return options
