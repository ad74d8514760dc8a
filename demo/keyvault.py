"""The demo estate's Key Vault part: Fabrikam's vault audit logs (tests/tools/kvaudit.py).
demo/generate.py calls it; demo/README.md tells the story and the alerts it must raise.

History: the two weeks before today (24 February to 9 March) on four vaults:
  kv-fabrikam-pay   the payments web app reads its three secrets every working hour;
                    Ulla and Nina rotate secrets through the portal; a backup job lists
                    and reads all twenty secrets at 02:00; the release pipeline rewrites the
                    access policy and reads the database password at 03:00
  kv-fabrikam-shop  the shop app reads its secrets every working hour; Alice maintains it
  kv-fabrikam-ops   Dan and Carl read the operations secrets from the office
  kv-team-a, -b     Eve's build reads a token from each every morning
Today (10 March) holds one occurrence of each kv.* type, each by an identity the vault
otherwise knows, so that exactly one alert of each type fires.

Python 3 standard library only; seeded, so the same bytes every run.
"""
import gzip
import os
import sys
from datetime import timedelta

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "tools"))
import kvaudit as K  # noqa: E402

FIRST_DAY = K.at(2026, 2, 24)
TODAY = K.at(2026, 3, 10)
DAYS = (TODAY - FIRST_DAY).days         # 14 history days
TOR_EXIT = "198.18.1.23"                # in demo/management.py's TOR list
PAY_SECRETS = ["db-password", "api-key", "storage-conn"]
ALL_PAY = ["pay-secret-%02d" % i for i in range(20)]


def day(n, hh=0, mm=0, ss=0):
    return FIRST_DAY + timedelta(days=n, hours=hh, minutes=mm, seconds=ss)


class Vaults:
    def __init__(self, seed):
        log = self.log = K.KeyVaultLog(seed, rg="rg-shop")
        self.payapp = log.app("10.20.1.4")
        self.shopapp = log.app("10.20.1.5")
        self.backup = log.app("10.20.9.9")
        self.pipeline = log.app("203.0.113.50")
        self.ulla = log.user("ulla.berg@fabrikam.com", "203.0.113.15")
        self.nina = log.user("nina.kaur@fabrikam.com", "203.0.113.14")
        self.alice = log.user("alice.ng@fabrikam.com", "203.0.113.17")
        self.dan = log.user("dan.frost@fabrikam.com", "203.0.113.21")
        self.carl = log.user("carl.ito@fabrikam.com", "203.0.113.22")
        self.eve = log.user("eve.mills@fabrikam.com", "203.0.113.23")

    def history_day(self, d):
        log = self.log
        for h in range(8, 18):
            for i, s in enumerate(PAY_SECRETS):
                log.op(day(d, h, 10 * i + 1), self.payapp, "kv-fabrikam-pay", "SecretGet", ("secrets", s))
                log.op(day(d, h, 10 * i + 4), self.shopapp, "kv-fabrikam-shop", "SecretGet", ("secrets", "shop-" + s))
        log.op(day(d, 2, 0), self.backup, "kv-fabrikam-pay", "SecretList")
        for i, s in enumerate(ALL_PAY):
            log.op(day(d, 2, 0, 5 + 4 * i), self.backup, "kv-fabrikam-pay", "SecretGet", ("secrets", s))
        log.op(day(d, 3, 0), self.pipeline, "kv-fabrikam-pay", "VaultPatch", added=self.pipeline.oid)
        log.op(day(d, 3, 1), self.pipeline, "kv-fabrikam-pay", "SecretGet", ("secrets", "db-password"))
        log.op(day(d, 11, 30), self.ulla, "kv-fabrikam-pay", "SecretSet", ("secrets", "api-key"))
        log.op(day(d, 15, 30), self.nina, "kv-fabrikam-pay", "SecretGet", ("secrets", "api-key"))
        log.op(day(d, 10, 45), self.alice, "kv-fabrikam-shop", "SecretGet", ("secrets", "shop-api-key"))
        log.op(day(d, 9, 5), self.dan, "kv-fabrikam-ops", "SecretGet", ("secrets", "pagerduty-key"))
        log.op(day(d, 9, 35), self.carl, "kv-fabrikam-ops", "SecretGet", ("secrets", "pagerduty-key"))
        for v in ("kv-team-a", "kv-team-b"):
            log.op(day(d, 7, 0), self.eve, v, "SecretGet", ("secrets", "build-token"))
            log.op(day(d, 7, 1), self.eve, v, "SecretGet", ("secrets", "build-token"))

    def today(self):
        log, d = self.log, DAYS
        self.history_day(d)                 # the usual goes on
        # 01:10 Dan's account reads the operations vault from a TOR exit
        dan_tor = K.Who(self.dan.oid, self.dan.appid, TOR_EXIT, self.dan.upn)
        log.op(day(d, 1, 10), dan_tor, "kv-fabrikam-ops", "SecretGet", ("secrets", "pagerduty-key"))
        # 04:20 Eve lists seven production vaults she never used
        for i in range(7):
            v = "kv-fabrikam-prod-%02d" % i
            log.op(day(d, 4, 20 + 2 * i), self.eve, v, "SecretList")
            log.op(day(d, 4, 21 + 2 * i), self.eve, v, "SecretList")
        # 09:40 Bob, whom the payments vault never saw, reads its database password
        bob = log.user("bob.lind@fabrikam.com", "203.0.113.24")
        log.op(day(d, 9, 40), bob, "kv-fabrikam-pay", "SecretGet", ("secrets", "db-password"))
        # 12:15 Ulla reads a secret through Azure PowerShell, new to the payments vault
        log.op(day(d, 12, 15), self.ulla, "kv-fabrikam-pay", "SecretGet", ("secrets", "api-key"),
               appid=K.POWERSHELL)
        # 13:05 Nina signs in through the payments app's own client
        log.op(day(d, 13, 5), self.nina, "kv-fabrikam-pay", "SecretGet", ("secrets", "storage-conn"),
               appid=self.payapp.appid)
        # 14:00-15:00 the shop app hammers its vault: four hundred reads
        for i in range(400):
            log.op(day(d, 14, 0, 9 * i), self.shopapp, "kv-fabrikam-shop", "SecretGet",
                   ("secrets", "shop-" + PAY_SECRETS[i % 3]))
        # 19:00 Ulla lists the payments vault and reads fifteen secrets
        log.op(day(d, 19, 0), self.ulla, "kv-fabrikam-pay", "SecretList")
        for i, s in enumerate(ALL_PAY[:15]):
            log.op(day(d, 19, 0, 6 + 5 * i), self.ulla, "kv-fabrikam-pay", "SecretGet", ("secrets", s))
        # 20:30 Alice grants herself access to the shop vault and reads it
        log.op(day(d, 20, 30), self.alice, "kv-fabrikam-shop", "VaultPatch", added=self.alice.oid)
        log.op(day(d, 20, 33), self.alice, "kv-fabrikam-shop", "SecretGet", ("secrets", "shop-db-password"))
        # 22:10 Carl backs up the operations secrets, which nobody ever did
        log.op(day(d, 22, 10), self.carl, "kv-fabrikam-ops", "SecretBackup", ("secrets", "pagerduty-key"))


def _gz(path, data):
    with open(path, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=6) as g:
            g.write(data)


def write(outdir, seed):
    """Write the Key Vault files under outdir; return [(phase, rel)] for the manifest.
    The TOR list is the management part's (@intel tor=...)."""
    v = Vaults(seed)
    os.makedirs(os.path.join(outdir, "history", "keyvault"), exist_ok=True)
    os.makedirs(os.path.join(outdir, "today", "keyvault"), exist_ok=True)
    files = []
    for week in range(0, DAYS, 7):
        v.log.records = []
        for d in range(week, min(week + 7, DAYS)):
            v.history_day(d)
        rel = "history/keyvault/kv-audit-%s.json.gz" % day(week).strftime("%Y-%m-%d")
        _gz(os.path.join(outdir, rel), v.log.batches().encode())
        files.append(("history", rel))
    v.log.records = []
    v.today()
    rel = "today/keyvault/kv-audit-2026-03-10.jsonl"
    with open(os.path.join(outdir, rel), "w") as f:
        f.write(v.log.lines())
    files.append(("today", rel))
    return files
