#!/usr/bin/env python3
"""A Key Vault audit corpus for bench/README.md ("Key Vault"): N records of the
diagnostic export as JSON lines (tests/tools/kvaudit.py), spread over 50 vaults
and 300 identities across three days: mostly SecretGet, with lists, sets, key
operations and a few access-policy patches. Seeded.

usage: gen_keyvault.py N OUT [--seed S]
"""
import os
import sys
from datetime import timedelta

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "tools"))
import kvaudit as K  # noqa: E402

OPS = ["SecretGet"] * 14 + ["SecretList", "SecretSet", "KeyGet", "KeySign", "CertificateGet", "VaultGet"]


def main(argv):
    n, out = int(argv[1]), argv[2]
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 1
    log = K.KeyVaultLog(seed)
    rng = log.rng
    who = [log.user("user%03d@contoso.com" % i, "203.0.113.%d" % (i % 250 + 1)) if i % 3 else
           log.app("10.1.%d.%d" % (i // 250, i % 250 + 1)) for i in range(300)]
    start = K.at(2026, 3, 2)
    step = 3 * 86400.0 / n
    with open(out, "w") as f:
        for i in range(n):
            log.records = []
            w = who[rng.randrange(len(who))]
            op = rng.choice(OPS)
            vault = "kv-bench-%02d" % rng.randrange(50)
            obj = None
            if op.startswith("Secret") and op != "SecretList":
                obj = ("secrets", "secret-%02d" % rng.randrange(40))
            elif op.startswith("Key"):
                obj = ("keys", "key-%02d" % rng.randrange(10))
            elif op.startswith("Certificate"):
                obj = ("certificates", "cert-%02d" % rng.randrange(5))
            log.op(start + timedelta(seconds=i * step), w, vault, op, obj,
                   status=403 if rng.random() < 0.02 else 200)
            f.write(log.lines())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
