"""The demo estate's network part: Fabrikam's Azure VMs as a sampling router
sees them (IPFIX, 1-in-4 packet sampling announced in an options template),
the VM inventory, and two threat-intel lists. demo/generate.py calls it;
demo/README.md tells the story and the alerts it must raise.

Every connection is drawn with its real packet count, and a record exists
only if the sampler picked at least one of its packets, with the packets
it picked: the files hold what a 1-in-4 sampler would export. Only the
client-to-server direction of each connection is exported, except for the
command-and-control traffic, whose replies are there too.

Python 3 standard library only; seeded, so the same bytes every run.
"""
import json
import os
import random
import sys
from datetime import datetime, timezone

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "tools"))
import ipfix_writer as ipfix  # noqa: E402

MS_HOUR = 3600 * 1000
MS_DAY = 24 * MS_HOUR
SAMPLING = 4

VMS = {
    "vm-bastion-01": "10.20.0.4",       # SSH jump host for the admins
    "vm-web-01": "10.20.1.4",           # storefront web servers
    "vm-web-02": "10.20.1.5",
    "vm-ci-01": "10.20.2.4",            # build runner: Git over SSH
    "vm-sftp-01": "10.20.3.4",          # partners upload over SFTP, exposed to the internet
    "vm-rdgw-01": "10.20.4.4",          # Remote Desktop gateway for the staff
    "vm-winapp-01": "10.20.5.4",        # Windows line-of-business server
    "vm-db-01": "10.20.6.4",            # database server
}

SERVICES = ["192.0.2.%d" % i for i in range(10, 40)]         # update servers, APIs, storage
GIT_HOST = "203.0.113.40"
ADMINS = ["203.0.113.%d" % i for i in range(10, 15)]         # the admins' home and office addresses
STAFF = ["203.0.113.%d" % i for i in range(100, 140)]        # staff working from home
PARTNERS = ["198.51.100.%d" % i for i in (60, 61, 62)]       # SFTP uploaders
C2 = "203.0.113.250"                                          # listed in c2-feed.txt
EXPIRED_C2 = "203.0.113.251"                                  # its STIX indicator expired on 1 March


def internet(rng, block=0):
    """An address of 198.18.0.0/15 (RFC 2544, benchmarking: never a real host),
    which vigil treats as the internet."""
    return "198.%d.%d.%d" % (18 + block, rng.randrange(0, 256), rng.randrange(1, 255))


def iso(ms):
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def working_hour(ms):
    """Weekdays 07:00-17:00 UTC (08:00-18:00 in Western Europe)."""
    d = datetime.fromtimestamp(ms / 1000, timezone.utc)
    return d.weekday() < 5 and 7 <= d.hour < 17


class Network:
    def __init__(self, seed, start_ms):
        self.rng = random.Random(seed)
        self.start = start_ms
        self.port = 32768
        self.flows = []
        self.busier = {}                # (what, hour) -> count replacing the ordinary draw

    # ---- records ----------------------------------------------------------

    def _client_port(self):
        self.port = 32768 + (self.port - 32768 + 7) % 28000
        return self.port

    def connection(self, ms, client, server, port, proto=6, packets=None, size=120, replies=False):
        """One connection; a record only if the sampler picked one of its packets."""
        rng = self.rng
        packets = packets or rng.randrange(8, 30)
        picked = sum(rng.random() < 1 / SAMPLING for _ in range(packets))
        if not picked:
            return
        flags = ipfix.SYN | ipfix.ACK | ipfix.PSH | ipfix.FIN if proto == 6 else 0
        sport = self._client_port()
        dur = rng.randrange(200, 30000)
        self.flows.append((ms, dict(src=client, dst=server, sport=sport, dport=port, proto=proto, packets=picked,
                                    octets=picked * size, flags=flags, duration_ms=dur)))
        if replies:
            back = sum(rng.random() < 1 / SAMPLING for _ in range(packets))
            if back:
                self.flows.append((ms + 20, dict(src=server, dst=client, sport=port, dport=sport, proto=proto,
                                                 packets=back, octets=back * size * 3, flags=flags, duration_ms=dur)))

    def at(self, hour_ms, lo=0, hi=60):
        return hour_ms + self.rng.randrange(lo * 60000, hi * 60000)

    # ---- ordinary life, one hour --------------------------------------------

    def ordinary_hour(self, h):
        rng, work = self.rng, working_hour(h)
        for vm, ip in VMS.items():
            for _ in range(rng.randint(3, 8)):                       # updates, APIs, storage
                self.connection(self.at(h), ip, rng.choice(SERVICES), 443)
        for ip in (VMS["vm-web-01"], VMS["vm-web-02"]):               # shoppers
            for _ in range(rng.randint(15, 30) if work else rng.randint(4, 10)):
                self.connection(self.at(h), internet(rng), ip, 443)
        # the admins reach the bastion; internet scanners knock on its SSH
        if work:
            for a in rng.sample(ADMINS, rng.randint(1, 4)):
                for _ in range(rng.randint(1, 3)):
                    self.connection(self.at(h), a, VMS["vm-bastion-01"], 22, packets=rng.randrange(40, 400))
        for _ in range(rng.randint(1, 4)):
            src = internet(rng, 1)
            for _ in range(rng.randint(1, 2)):
                self.connection(self.at(h), src, VMS["vm-bastion-01"], 22, packets=rng.randrange(6, 14))
        # the build runner fetches over SSH: busy in working hours, nightly jobs otherwise
        n = rng.randint(15, 45) if work else rng.randint(0, 4)
        for _ in range(self.busier.get(("ci", h), n)):
            self.connection(self.at(h), VMS["vm-ci-01"], GIT_HOST, 22, packets=rng.randrange(12, 60))
        # partners upload every hour; scanners find the SFTP server too
        for p in PARTNERS:
            self.connection(self.at(h), p, VMS["vm-sftp-01"], 22, packets=rng.randrange(30, 200))
        for _ in range(rng.randint(2, 8)):
            src = internet(rng, 1)
            for _ in range(rng.randint(1, 3)):
                self.connection(self.at(h), src, VMS["vm-sftp-01"], 22, packets=rng.randrange(6, 14))
        # the staff work through the Remote Desktop gateway (TCP, then UDP)
        n = rng.randint(10, 25) if work else rng.randint(0, 2)
        for s in rng.sample(STAFF, self.busier.get(("staff", h), n)):
            for _ in range(rng.randint(1, 2)):
                t = self.at(h)
                self.connection(t, s, VMS["vm-rdgw-01"], 3389, packets=rng.randrange(60, 400))
                self.connection(t + 900, s, VMS["vm-rdgw-01"], 3389, proto=17, packets=rng.randrange(60, 400))
        for _ in range(rng.randint(1, 5)):
            self.connection(self.at(h), internet(rng, 1), VMS["vm-rdgw-01"], 3389, packets=rng.randrange(4, 10))

    def day(self, day_ms):
        for i in range(24):
            self.ordinary_hour(day_ms + i * MS_HOUR)

    # ---- today ------------------------------------------------------------

    def attack(self, day_ms):
        rng, H = self.rng, lambda hour: day_ms + hour * MS_HOUR
        # 03:00 a botnet spreads SSH guesses over the SFTP server
        for _ in range(260):
            src = internet(rng)
            for _ in range(rng.randint(1, 3)):
                self.connection(self.at(H(3)), src, VMS["vm-sftp-01"], 22, packets=rng.randrange(14, 24))
        # 09:12 vm-web-02, taken over through the storefront, guesses SSH passwords on one host...
        for _ in range(240):
            self.connection(self.at(H(9), 12, 58), VMS["vm-web-02"], "198.51.100.45", 22,
                            packets=rng.randrange(14, 24))
        # 10:05 ...then sweeps the internet for SSH servers
        for _ in range(150):
            dst = internet(rng)
            for _ in range(rng.randint(1, 2)):
                self.connection(self.at(H(10), 5, 55), VMS["vm-web-02"], dst, 22, packets=rng.randrange(6, 16))
        # 11:00 vm-winapp-01 runs an RDP scanner, and hammers one of its finds
        for _ in range(80):
            self.connection(self.at(H(11)), VMS["vm-winapp-01"], internet(rng, 1), 3389, packets=rng.randrange(8, 16))
        for _ in range(120):
            self.connection(self.at(H(11), 20, 60), VMS["vm-winapp-01"], "203.0.113.140", 3389,
                            packets=rng.randrange(14, 24))
        # 12:00-18:00 vm-db-01 beacons to a command-and-control server every ten minutes
        for m in range(12 * 60, 18 * 60, 10):
            self.connection(day_ms + m * 60000 + rng.randrange(0, 20000), VMS["vm-db-01"], C2, 443,
                            packets=rng.randrange(10, 30), replies=True)
        # 14:00 one address guesses passwords on the Remote Desktop gateway...
        for _ in range(220):
            self.connection(self.at(H(14)), "198.51.100.23", VMS["vm-rdgw-01"], 3389, packets=rng.randrange(14, 24))
        # 15:00 ...and a botnet follows
        for _ in range(200):
            src = internet(rng)
            self.connection(self.at(H(15)), src, VMS["vm-rdgw-01"], 3389, packets=rng.randrange(14, 24))
        # 16:20 one address guesses passwords on the bastion
        for _ in range(150):
            self.connection(self.at(H(16), 20, 50), "192.0.2.99", VMS["vm-bastion-01"], 22,
                            packets=rng.randrange(14, 24))

    def today(self, day_ms):
        """Ordinary life with two busier hours, the attacks, and a look-alike."""
        H = lambda hour: day_ms + hour * MS_HOUR  # noqa: E731
        # 13:00 release day: the build runner fetches 55 times (its busy hours: about 40)
        self.busier[("ci", H(13))] = 55
        # 09:00 a morning peak: 32 staff on the gateway (its busy hours: about 25)
        self.busier[("staff", H(9))] = 32
        self.day(day_ms)
        self.attack(day_ms)
        # 10:40 vm-web-01 reaches an address whose indicator expired on 1 March
        for m in (40, 45, 50):
            self.connection(H(10) + m * 60000, VMS["vm-web-01"], EXPIRED_C2, 443, packets=20, replies=True)

    # ---- output -----------------------------------------------------------

    def take(self):
        """The records so far, as an IPFIX file's bytes, oldest first."""
        f = ipfix.IpfixFile(odid=3, sampling=SAMPLING, style="options")
        for ms, kw in sorted(self.flows, key=lambda x: (x[0], x[1]["src"], x[1]["sport"])):
            f.add(ms, **kw)
        self.flows = []
        return f.to_bytes()


def inventory(start_ms):
    since = iso(start_ms - 30 * MS_DAY)
    return "".join(json.dumps({"vm": vm, "ip": ip, "from": since, "to": None}) + "\n" for vm, ip in VMS.items())


def c2_feed():
    return ("# Fabrikam SOC: command-and-control addresses (demo)\n"
            "%s\n203.0.113.244/30\n198.51.100.200\n" % C2)


def stix_bundle():
    def indicator(uid, ip, name, valid_from, valid_until=None):
        o = {"type": "indicator", "spec_version": "2.1", "id": "indicator--" + uid,
             "created": "2026-01-15T00:00:00.000Z", "modified": "2026-01-15T00:00:00.000Z", "name": name,
             "indicator_types": ["malicious-activity"], "pattern": "[ipv4-addr:value = '%s']" % ip,
             "pattern_type": "stix", "valid_from": valid_from}
        if valid_until:
            o["valid_until"] = valid_until
        return o
    objs = [indicator("6f1d1a52-0c53-4b8e-9a3e-2f8a1c7d9e01", EXPIRED_C2, "Retired loader C2",
                      "2026-01-15T00:00:00Z", "2026-03-01T00:00:00Z"),
            indicator("a93c5e2d-7b41-4f0e-8d6c-5e4b3a2f1c90", "198.51.100.201", "Phishing kit host",
                      "2026-02-20T00:00:00Z")]
    return json.dumps({"type": "bundle", "id": "bundle--2b8f7c1e-9d3a-4e5f-8a7b-6c5d4e3f2a1b", "objects": objs},
                      indent=1) + "\n"
