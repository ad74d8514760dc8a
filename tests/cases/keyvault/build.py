#!/usr/bin/env python3
"""Write the kv.* regression cases (tests/cases/keyvault/*/): Key Vault
audit records (tests/tools/kvaudit.py), intel lists, args, expected.jsonl
and a README per case.

usage: build.py [CASES_DIR]     (default: the directory of this script)

Contoso's payments vault kv-pay is watched from Monday 2 March 2026 (day 0).
Its usual life: the payments web app (an application, no user) reads each
of its three secrets once an hour from 08:00 to 18:00 from 10.1.0.4, and
Alice rotates a secret through the portal at 11:00. A vault's first seven
days are its learning period (detectors.keyvault.learning_period), so the
cases that judge "unusual" hold eight or more days, and those that learn
across runs put them in step 1/ and detect in step 2/ with the same --state.
Files over 64 KiB are gzip'd. Seeded: the output depends only on this file
and keyvault.py, and is committed.
"""
import gzip
import json
import os
import shutil
import sys
from datetime import timedelta

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import kvaudit as K  # noqa: E402

DAY0 = K.at(2026, 3, 2)
GZIP_ABOVE = 64 * 1024
TOR_EXIT = "198.18.1.23"
SECRETS = ["db-password", "api-key", "storage-conn"]


def day(n, hh=0, mm=0, ss=0):
    return DAY0 + timedelta(days=n, hours=hh, minutes=mm, seconds=ss)


class Case:
    def __init__(self, name, story, seed, form="lines"):
        self.name, self.story, self.form = name, story, form
        self.log = K.KeyVaultLog(seed)
        self.steps = []
        self.expected = []
        self.files = {}
        self.args = []
        self.webapp = self.log.app("10.1.0.4")
        self.alice = self.log.user("alice@contoso.com", "203.0.113.10")

    def usual(self, days, vault="kv-pay"):
        for d in days:
            for h in range(8, 18):
                for i, s in enumerate(SECRETS):
                    self.log.op(day(d, h, 10 * i + 2), self.webapp, vault, "SecretGet", ("secrets", s))
            self.log.op(day(d, 11, 30), self.alice, vault, "SecretSet", ("secrets", "api-key"))

    def expect(self, type_, entity):
        self.expected.append({"type": type_, "compromised_entity": entity})

    def step(self):
        """Close a step of a multi-step case (1/, 2/ ...)."""
        self.steps.append((self.log.records, self.expected))
        self.log.records, self.expected = [], []

    def _write_dir(self, d, records, expected):
        os.makedirs(d, exist_ok=True)
        self.log.records = records
        text = self.log.batches() if self.form == "batches" else self.log.lines()
        name = "keyvault-audit.json" if self.form == "batches" else "keyvault-audit.jsonl"
        data = text.encode()
        if len(data) > GZIP_ABOVE:
            with gzip.GzipFile(os.path.join(d, name + ".gz"), "wb", mtime=0) as f:
                f.write(data)
        else:
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        with open(os.path.join(d, "expected.jsonl"), "w") as f:
            for e in expected:
                f.write(json.dumps(e) + "\n")

    def write(self, root):
        d = os.path.join(root, self.name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        with open(os.path.join(d, "README.md"), "w") as f:
            f.write("# %s\n%s" % (self.name, self.story))
        for fname, text in self.files.items():
            with open(os.path.join(d, fname), "w") as f:
                f.write(text)
        if self.args:
            with open(os.path.join(d, "args"), "w") as f:
                f.write("\n".join(self.args) + "\n")
        if self.steps:
            if self.log.records or self.expected:
                self.step()
            for i, (records, expected) in enumerate(self.steps, 1):
                self._write_dir(os.path.join(d, str(i)), records, expected)
        else:
            self._write_dir(d, self.log.records, self.expected)


def tor(c):
    c.files["tor-exits.txt"] = "# TOR exit addresses (test)\n%s\n198.18.1.24\n" % TOR_EXIT
    c.args = ["--intel", "tor=tor-exits.txt"]


# ---- kv.access.tor -----------------------------------------------------------------------

def tor_fires():
    c = Case("tor-fires", """
Two days of the vault's usual life, then Eve's account reads the database password from
198.18.1.23, an address of the case's TOR exit list (--intel tor=...): kv.access.tor on
kv-pay, whatever the learning period.
""", 501)
    tor(c)
    c.usual(range(2))
    eve = c.log.user("eve@contoso.com", TOR_EXIT)
    c.log.op(day(2, 3, 14), eve, "kv-pay", "SecretGet", ("secrets", "db-password"))
    c.expect("kv.access.tor", "kv-pay")
    return c


def tor_quiet():
    c = Case("tor-quiet", """
Near miss. The same TOR list; Eve's read from the exit is refused (HTTP 403, although Key
Vault writes resultType Success), and her successful read comes from an ordinary address.
Only successful operations count: quiet.
""", 502)
    tor(c)
    c.usual(range(2))
    eve_tor = c.log.user("eve@contoso.com", TOR_EXIT)
    c.log.op(day(2, 3, 14), eve_tor, "kv-pay", "SecretGet", ("secrets", "db-password"), status=403)
    eve = K.Who(eve_tor.oid, eve_tor.appid, "203.0.113.77", eve_tor.upn)
    c.log.op(day(2, 3, 20), eve, "kv-pay", "SecretGet", ("secrets", "db-password"))
    return c


# ---- kv.policy_change.secret_query ----------------------------------------------------------

def policy_change_fires():
    c = Case("policy-change-fires", """
Eight days of the usual, then at 20:00 Alice's account (through ARM) patches kv-pay's
access policy to add itself with secret get/list, and three minutes later reads the
database password through the portal application she always uses. Alice never changed a
policy and then read on this vault: kv.policy_change.secret_query (a self-grant). She is a
known user with a known application, so nothing "unusual" fires. Diagnostic export in
{"records": [...]} batches.
""", 503, form="batches")
    c.usual(range(8))
    c.log.op(day(8, 20, 0), c.alice, "kv-pay", "VaultPatch", added=c.alice.oid)
    c.log.op(day(8, 20, 3), c.alice, "kv-pay", "SecretGet", ("secrets", "db-password"))
    c.expect("kv.policy_change.secret_query", "kv-pay")
    return c


def policy_change_quiet():
    c = Case("policy-change-quiet", """
Near miss: the release pipeline's service principal rewrites kv-pay's access policy and
reads the database password every night at 02:00 from day 0. The sequence is learned in
the vault's first week and is that identity's normal afterwards: quiet through day 9.
""", 504)
    c.usual(range(10))
    pipe = c.log.app("203.0.113.50")
    for d in range(10):
        c.log.op(day(d, 2, 0), pipe, "kv-pay", "VaultPatch", added=pipe.oid)
        c.log.op(day(d, 2, 1), pipe, "kv-pay", "SecretGet", ("secrets", "db-password"))
    return c


# ---- kv.secret_list.secret_gets -------------------------------------------------------------

def twenty(c, vault="kv-pay"):
    return ["secret-%02d" % i for i in range(20)]


def list_gets_fires():
    c = Case("list-gets-fires", """
Eight days of the usual, then at 19:00 Alice lists the vault's secrets and reads fifteen
different ones within two minutes: more than ten, and more than she ever read after a
list: kv.secret_list.secret_gets.
""", 505)
    c.usual(range(8))
    c.log.op(day(8, 19, 0), c.alice, "kv-pay", "SecretList")
    for i, s in enumerate(twenty(c)[:15]):
        c.log.op(day(8, 19, 0, 5 + 6 * i), c.alice, "kv-pay", "SecretGet", ("secrets", s))
    c.expect("kv.secret_list.secret_gets", "kv-pay")
    return c


def list_gets_quiet_backup():
    c = Case("list-gets-quiet-backup", """
Near miss (the issue's): a nightly backup job lists kv-pay's secrets and reads all twenty
of them at 02:00 every night from day 0. Its burst is learned in the vault's first week;
the same burst afterwards is its normal, and twenty-one operations at night are well
inside the vault's hourly volume and operation mix: quiet for every kv.* type.
""", 506)
    c.usual(range(12))
    backup = c.log.app("10.1.0.9")
    for d in range(12):
        c.log.op(day(d, 2, 0), backup, "kv-pay", "SecretList")
        for i, s in enumerate(twenty(c)):
            c.log.op(day(d, 2, 0, 3 + 3 * i), backup, "kv-pay", "SecretGet", ("secrets", s))
    return c


# ---- kv.unusual.* ----------------------------------------------------------------------------

def unusual_user_fires():
    c = Case("unusual-user-fires", """
Learning across runs. Step 1: eight days of the usual. Step 2, the same --state: Bob, a
user kv-pay has never seen, reads the database password through the portal:
kv.unusual.user.
""", 507)
    c.usual(range(8))
    c.step()
    c.usual([8])
    bob = c.log.user("bob@contoso.com", "203.0.113.11")
    c.log.op(day(8, 14, 5), bob, "kv-pay", "SecretGet", ("secrets", "db-password"))
    c.expect("kv.unusual.user", "kv-pay")
    return c


def unusual_app_fires():
    c = Case("unusual-app-fires", """
Eight days of the usual, then Alice (a known user) reads a secret through Azure
PowerShell, an application kv-pay has never seen: kv.unusual.app.
""", 508)
    c.usual(range(8))
    c.log.op(day(8, 15, 0), c.alice, "kv-pay", "SecretGet", ("secrets", "db-password"), appid=K.POWERSHELL)
    c.expect("kv.unusual.app", "kv-pay")
    return c


def unusual_pair_fires():
    c = Case("unusual-pair-fires", """
Eight days of the usual, then Alice signs in through the payments web app's own client
(its application id): both are known to kv-pay, never together: kv.unusual.user_app_pair.
""", 509)
    c.usual(range(8))
    c.log.op(day(8, 15, 0), c.alice, "kv-pay", "SecretGet", ("secrets", "api-key"), appid=c.webapp.appid)
    c.expect("kv.unusual.user_app_pair", "kv-pay")
    return c


def unusual_quiet():
    c = Case("usual-users-quiet", """
Near miss (the issue's): a vault whose usual users keep their usual pattern for twelve
days; on day 10 Carol, a stranger, only reads the vault's metadata through ARM (VaultGet):
not an operation on its secrets, keys or certificates. Quiet for every kv.* type.
""", 510)
    c.usual(range(12))
    carol = c.log.user("carol@contoso.com", "203.0.113.12")
    c.log.op(day(10, 9, 0), carol, "kv-pay", "VaultGet")
    return c


# ---- kv.unusual.operation_pattern ----------------------------------------------------------------

def pattern_fires():
    c = Case("pattern-fires", """
Eight days of the usual, then Alice's account backs up the database password
(SecretBackup), an operation kv-pay has never seen, and reads the deleted secrets list:
kv.unusual.operation_pattern (one alert: the second new operation joins it).
""", 511)
    c.usual(range(8))
    c.log.op(day(8, 21, 0), c.alice, "kv-pay", "SecretBackup", ("secrets", "db-password"))
    c.log.op(day(8, 21, 1), c.alice, "kv-pay", "SecretListDeleted")
    c.expect("kv.unusual.operation_pattern", "kv-pay")
    return c


def pattern_quiet():
    c = Case("pattern-quiet", """
Near miss: a weekly backup of the database password (SecretBackup) on days 0 and 7, the
first during the vault's learning period: by day 7 it is part of the vault's history.
Quiet.
""", 512)
    c.usual(range(9))
    for d in (0, 7):
        c.log.op(day(d, 21, 0), c.alice, "kv-pay", "SecretBackup", ("secrets", "db-password"))
    return c


# ---- kv.volume.high ----------------------------------------------------------------------------------

def volume_fires():
    c = Case("volume-fires", """
Learning across runs. Step 1: eight days of the usual (three reads an hour in working
hours). Step 2, the same --state: in the 14:00 hour of day 8 the web app reads its
secrets four hundred times: kv.volume.high against a median of 0, a busy hour of 3 and
a threshold of 50 (the floor).
""", 513)
    c.usual(range(8))
    c.step()
    c.usual([8])
    for i in range(400):
        c.log.op(day(8, 14, 0, 9 * i), c.webapp, "kv-pay", "SecretGet", ("secrets", SECRETS[i % 3]))
    c.expect("kv.volume.high", "kv-pay")
    return c


def volume_quiet():
    c = Case("volume-quiet", """
Near miss: on day 9 the web app has a busy hour of 45 reads (a deploy restarting
instances), far above its usual three but under the floor of 50
(detectors.keyvault.volume_min_ops): quiet. With the floor at 40 it fires.
""", 514)
    c.usual(range(10))
    for i in range(42):
        c.log.op(day(9, 16, 1, 30 + 5 * i), c.webapp, "kv-pay", "SecretGet", ("secrets", SECRETS[i % 3]))
    return c


# ---- kv.user.many_vaults -------------------------------------------------------------------------------

def many_vaults_fires():
    c = Case("many-vaults-fires", """
Eve reads the two team vaults every day for eight days; on day 8 she lists seven
production vaults she never touched (two operations each): more than twice her busiest
day and at least five: kv.user.many_vaults, whose entity is Eve. The new vaults are in
their own learning period, so nothing "unusual" fires about them.
""", 515)
    eve = c.log.user("eve@contoso.com", "203.0.113.13")
    for d in range(8):
        for v in ("kv-team-a", "kv-team-b"):
            c.log.op(day(d, 10, 0), eve, v, "SecretGet", ("secrets", "build-token"))
            c.log.op(day(d, 10, 1), eve, v, "SecretGet", ("secrets", "build-token"))
    for i in range(7):
        v = "kv-prod-%02d" % i
        c.log.op(day(8, 3, 2 * i), eve, v, "SecretList")
        c.log.op(day(8, 3, 2 * i + 1), eve, v, "SecretList")
    c.expect("kv.user.many_vaults", "eve@contoso.com")
    return c


def many_vaults_quiet():
    c = Case("many-vaults-quiet", """
Near miss: the platform team's Eve reads six vaults every day from day 0: six vaults on
day 9 is her normal (at most twice her busiest day). Quiet.
""", 516)
    eve = c.log.user("eve@contoso.com", "203.0.113.13")
    for d in range(10):
        for i in range(6):
            v = "kv-platform-%d" % i
            c.log.op(day(d, 10, i), eve, v, "SecretGet", ("secrets", "tls-cert"))
            c.log.op(day(d, 10, i, 30), eve, v, "SecretGet", ("secrets", "tls-cert"))
    return c


CASES = [tor_fires, tor_quiet, policy_change_fires, policy_change_quiet, list_gets_fires, list_gets_quiet_backup,
         unusual_user_fires, unusual_app_fires, unusual_pair_fires, unusual_quiet, pattern_fires, pattern_quiet,
         volume_fires, volume_quiet, many_vaults_fires, many_vaults_quiet]


def main(argv):
    root = argv[1] if len(argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for make in CASES:
        make().write(root)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
