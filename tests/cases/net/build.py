#!/usr/bin/env python3
"""Write the net.* regression cases (tests/cases/net/*/): IPFIX flow files,
an inventory, intel lists, the args that pass them, expected.jsonl and a
README per case.

usage: build.py [CASES_DIR]     (default: the directory of this script)

Every case is a small estate of VMs with 26 hours of ordinary traffic, so
that each VM has its own baseline (detectors.network.min_history is 24
hours), followed by the hour under test (2026-03-03, 02:00 UTC). Seeded:
the output depends only on this file, and is committed.
"""
import json
import os
import random
import shutil
import sys
from datetime import datetime, timezone

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import ipfix_writer as ipfix  # noqa: E402

MS_HOUR = 3600 * 1000
BASE = 1772409600000                    # 2026-03-02T00:00:00Z, a Monday
TEST_HOUR = 26                          # 2026-03-03T02:00Z
HISTORY = range(0, TEST_HOUR)           # every hour before it
EPOCH_INVENTORY = "2026-03-01T00:00:00Z"

# Addresses on the internet side come from the documentation ranges, which
# vigil treats as public, so no real host is ever named.
WEB = ["192.0.2.%d" % i for i in range(1, 40)]
POOL = (["203.0.113.%d" % i for i in range(1, 255)] + ["198.51.100.%d" % i for i in range(1, 255)]
        + ["192.0.2.%d" % i for i in range(100, 255)])


def iso(ms):
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def at(hour, minute=0, second=0):
    return BASE + hour * MS_HOUR + (minute * 60 + second) * 1000


class Case:
    def __init__(self, name, story, seed, sampling=None, style="options"):
        self.name, self.story = name, story
        self.rng = random.Random(seed)
        self.sampling, self.style = sampling, style
        self.flows = []                         # (ms, kwargs) of the current step
        self.steps = []                         # [(flows, expected)] when multi-step
        self.inventory = []
        self.intel = {}                         # file name -> text
        self.args = []
        self.expected = []
        self.port = 40000

    # ---- the estate -----------------------------------------------------

    def vm(self, vm, ip, start=EPOCH_INVENTORY, end=None):
        self.inventory.append({"vm": vm, "ip": ip, "from": start, "to": end})

    def listed(self, name, label, text):
        self.intel[name] = text
        self.args.append("--intel")
        self.args.append("%s=%s" % (label, name) if label else name)

    def expect(self, type_, vm):
        self.expected.append({"type": type_, "compromised_entity": vm})

    # ---- traffic --------------------------------------------------------

    def _client_port(self):
        self.port = 32768 + (self.port - 32768 + 1) % 28000
        return self.port

    def flow(self, ms, src, dst, sport, dport, proto=6, packets=12, octets=2600, flags=None, duration_ms=1500):
        if flags is None:
            flags = ipfix.SYN | ipfix.ACK | ipfix.PSH | ipfix.FIN if proto == 6 else 0
        self.flows.append((ms, dict(src=src, dst=dst, sport=sport, dport=dport, proto=proto, packets=packets,
                                    octets=octets, flags=flags, duration_ms=duration_ms)))

    def connect(self, ms, client, server, port, proto=6, **kw):
        """One connection: a new client port."""
        self.flow(ms, client, server, self._client_port(), port, proto, **kw)

    def background(self, ip, hours, per_hour=4):
        """Ordinary outgoing HTTPS: it keeps the VM observed every hour."""
        for h in hours:
            for _ in range(per_hour):
                self.connect(at(h, self.rng.randrange(60), self.rng.randrange(60)), ip, self.rng.choice(WEB), 443,
                             packets=self.rng.randrange(8, 40), octets=self.rng.randrange(2000, 60000))

    def burst(self, hour, client, server, port, n, proto=6, minutes=(0, 60)):
        """n short connections spread over part of an hour: password guessing."""
        for _ in range(n):
            ms = at(hour, self.rng.randrange(*minutes), self.rng.randrange(60))
            self.connect(ms, client, server, port, proto, packets=self.rng.randrange(10, 22),
                         octets=self.rng.randrange(1800, 4200), duration_ms=self.rng.randrange(300, 4000))

    def sweep(self, hour, client, servers, port, proto=6, per=(1, 3), minutes=(0, 60), inbound=False):
        """Connections between one address and many (client first unless inbound)."""
        for s in servers:
            for _ in range(self.rng.randint(*per)):
                ms = at(hour, self.rng.randrange(*minutes), self.rng.randrange(60))
                if inbound:
                    self.connect(ms, s, client, port, proto, packets=self.rng.randrange(6, 20))
                else:
                    self.connect(ms, client, s, port, proto, packets=self.rng.randrange(6, 20))

    def step(self, expected):
        """Close a step of a multi-step case."""
        self.steps.append((self.flows, expected))
        self.flows = []

    # ---- output ---------------------------------------------------------

    def _write_flows(self, d, flows):
        f = ipfix.IpfixFile(odid=7, sampling=self.sampling, style=self.style)
        for ms, kw in sorted(flows, key=lambda x: x[0]):
            f.add(ms, **kw)
        f.write(os.path.join(d, "flows.ipfix"))

    def _write_expected(self, d, expected):
        with open(os.path.join(d, "expected.jsonl"), "w") as fh:
            for e in expected:
                fh.write(json.dumps(e) + "\n")

    def write(self, root):
        d = os.path.join(root, self.name)
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)
        with open(os.path.join(d, "README.md"), "w") as fh:
            fh.write("# net/%s\n\n%s\n\nGenerated by tests/cases/net/build.py; edit that, not this.\n"
                     % (self.name, self.story.strip()))
        with open(os.path.join(d, "inventory.jsonl"), "w") as fh:
            for line in self.inventory:
                fh.write(json.dumps(line) + "\n")
        for name, text in self.intel.items():
            with open(os.path.join(d, name), "w") as fh:
                fh.write(text)
        with open(os.path.join(d, "args"), "w") as fh:
            fh.write("\n".join(["--inventory", "inventory.jsonl"] + self.args) + "\n")
        if self.steps:
            for i, (flows, expected) in enumerate(self.steps, 1):
                sd = os.path.join(d, str(i))
                os.makedirs(sd)
                self._write_flows(sd, flows)
                self._write_expected(sd, expected)
        else:
            self._write_flows(d, self.flows)
            self._write_expected(d, self.expected)


# ---- the cases ---------------------------------------------------------------

def ssh_outbound_fires():
    c = Case("ssh-outbound-fires", """
VM vm-web-01 (10.1.0.4) browses and now and then copies a backup to 198.51.100.10 over SSH
(zero to two connections an hour). In the hour under test it opens 70 short SSH connections
to 203.0.113.50: net.ssh.outbound (its baseline is about zero, so the floor of 20 decides).
""", 101)
    c.vm("vm-web-01", "10.1.0.4")
    c.background("10.1.0.4", range(0, TEST_HOUR + 1))
    for h in HISTORY:
        c.burst(h, "10.1.0.4", "198.51.100.10", 22, c.rng.randint(0, 2))
    c.burst(TEST_HOUR, "10.1.0.4", "203.0.113.50", 22, 70)
    c.expect("net.ssh.outbound", "vm-web-01")
    return c


def ssh_outbound_quiet():
    c = Case("ssh-outbound-quiet", """
Near miss. The CI runner vm-ci-01 (10.1.0.5) fetches from a Git host, 192.0.2.40, over SSH all
day: 45 to 55 connections an hour. In the hour under test it makes 70, more than the floor
(20) and than the cold-start bar (60) that a run without history would apply, but inside its
own learned normal (threshold 85): quiet.
""", 102)
    c.vm("vm-ci-01", "10.1.0.5")
    c.background("10.1.0.5", range(0, TEST_HOUR + 1))
    for h in HISTORY:
        c.burst(h, "10.1.0.5", "192.0.2.40", 22, c.rng.randint(45, 55))
    c.burst(TEST_HOUR, "10.1.0.5", "192.0.2.40", 22, 70)
    return c


def ssh_outbound_multi_fires():
    c = Case("ssh-outbound-multi-fires", """
VM vm-app-02 (10.1.0.6) has no SSH traffic of its own. In the hour under test it opens one to
three SSH connections to each of 60 internet addresses: net.ssh.outbound.multi (threshold: the
floor of 20 distinct destinations). No single destination gets enough for net.ssh.outbound.
""", 103)
    c.vm("vm-app-02", "10.1.0.6")
    c.background("10.1.0.6", range(0, TEST_HOUR + 1))
    c.sweep(TEST_HOUR, "10.1.0.6", c.rng.sample(POOL, 60), 22)
    c.expect("net.ssh.outbound.multi", "vm-app-02")
    return c


def jump_host_steps():
    c = Case("ssh-outbound-multi-quiet", """
Near miss, across two runs sharing --state. The jump host vm-jump-01 (10.1.0.7) reaches 30 to
50 external SSH servers every hour. Step 1 (26 hours) is learned and raises nothing: its first
hours stay under the cold-start bar (floor 20 x 3 = 60), later hours are judged against its own
history. Step 2, a separate run, is an ordinary busy hour with 65 destinations: above the
cold-start bar, so a run without the saved baseline would alert, but inside the jump host's
learned normal (threshold 96): quiet. This is the persistence that keeps bastions quiet.
""", 104)
    c.vm("vm-jump-01", "10.1.0.7")
    c.background("10.1.0.7", HISTORY)
    for h in HISTORY:
        c.sweep(h, "10.1.0.7", c.rng.sample(POOL, c.rng.randint(30, 50)), 22, per=(1, 2))
    c.step([])
    c.background("10.1.0.7", [TEST_HOUR])
    c.sweep(TEST_HOUR, "10.1.0.7", c.rng.sample(POOL, 65), 22, per=(1, 2))
    c.step([])
    return c


def ssh_inbound_fires():
    c = Case("ssh-inbound-fires", """
The SFTP server vm-sftp-01 (10.1.0.8) is exposed on port 22 and sees the internet's background
scanning: zero to three sources an hour, one connection each. In the hour under test
203.0.113.66 opens 90 connections: net.ssh.inbound (floor 30).
""", 105)
    c.vm("vm-sftp-01", "10.1.0.8")
    c.background("10.1.0.8", range(0, TEST_HOUR + 1))
    for h in range(0, TEST_HOUR + 1):
        c.sweep(h, "10.1.0.8", c.rng.sample(POOL, c.rng.randint(0, 3)), 22, per=(1, 1), inbound=True)
    c.burst(TEST_HOUR, "203.0.113.66", "10.1.0.8", 22, 90)
    c.expect("net.ssh.inbound", "vm-sftp-01")
    return c


def ssh_inbound_quiet():
    c = Case("ssh-inbound-quiet", """
Near miss with 1-in-10 packet sampling (announced in an options template). A partner's
monitoring host, 198.51.100.77, checks vm-mon-01 (10.1.0.9) over SSH all day; the sampled flow
records show 60 to 80 connections an hour. In the hour under test they show 100, above the floor
(30) and the cold-start bar (90), but inside the VM's sampled normal (threshold 121):
quiet. Counts are compared in sampled units; the estimate (x10) is only reported.
""", 106, sampling=10)
    c.vm("vm-mon-01", "10.1.0.9")
    c.background("10.1.0.9", range(0, TEST_HOUR + 1))
    for h in HISTORY:
        c.burst(h, "198.51.100.77", "10.1.0.9", 22, c.rng.randint(60, 80))
    c.burst(TEST_HOUR, "198.51.100.77", "10.1.0.9", 22, 100)
    return c


def ssh_inbound_multi_fires():
    c = Case("ssh-inbound-multi-fires", """
The exposed VM vm-edge-01 (10.1.0.10) sees two to six scanning sources an hour on SSH. In the
hour under test 150 distinct addresses each open one to four connections, a botnet spreading
its guesses: net.ssh.inbound.multi. No single source reaches the per-source floor (30).
""", 107)
    c.vm("vm-edge-01", "10.1.0.10")
    c.background("10.1.0.10", range(0, TEST_HOUR + 1))
    for h in HISTORY:
        c.sweep(h, "10.1.0.10", c.rng.sample(POOL, c.rng.randint(2, 6)), 22, per=(1, 1), inbound=True)
    c.sweep(TEST_HOUR, "10.1.0.10", c.rng.sample(POOL, 150), 22, per=(1, 4), inbound=True)
    c.expect("net.ssh.inbound.multi", "vm-edge-01")
    return c


def ssh_inbound_multi_ip_changed():
    c = Case("ssh-inbound-multi-ip-changed", """
Near miss for the seed's hour rule. vm-edge-02 held 10.1.0.20 until 02:30 in the hour under test,
then 10.1.0.21. A botnet of 150 sources hits 10.1.0.20 between 02:00 and 02:29, which would
raise net.ssh.inbound.multi, but the VM did not hold the same address for the whole hour:
quiet (the summary counts the withheld alert).
""", 108)
    change = iso(at(TEST_HOUR, 30))
    c.vm("vm-edge-02", "10.1.0.20", EPOCH_INVENTORY, change)
    c.vm("vm-edge-02", "10.1.0.21", change)
    c.background("10.1.0.20", range(0, TEST_HOUR))
    for h in HISTORY:
        c.sweep(h, "10.1.0.20", c.rng.sample(POOL, c.rng.randint(2, 6)), 22, per=(1, 1), inbound=True)
    c.sweep(TEST_HOUR, "10.1.0.20", c.rng.sample(POOL, 150), 22, per=(1, 4), minutes=(0, 30), inbound=True)
    c.background("10.1.0.21", [TEST_HOUR], per_hour=2)
    for ms in (at(TEST_HOUR, 40), at(TEST_HOUR, 50)):
        c.connect(ms, "10.1.0.21", "192.0.2.7", 443)
    return c


def rdp_outbound_fires():
    c = Case("rdp-outbound-fires", """
The Windows VM vm-win-01 (10.1.0.11) never uses RDP itself. In the hour under test it opens 60
short RDP connections to 203.0.113.90: net.rdp.outbound.
""", 109)
    c.vm("vm-win-01", "10.1.0.11")
    c.background("10.1.0.11", range(0, TEST_HOUR + 1))
    c.burst(TEST_HOUR, "10.1.0.11", "203.0.113.90", 3389, 60)
    c.expect("net.rdp.outbound", "vm-win-01")
    return c


def rdp_outbound_quiet():
    c = Case("rdp-outbound-quiet", """
Near miss. An administrator on vm-win-02 (10.1.0.12) keeps one Remote Desktop session open to
198.51.100.30 for the whole hour under test. The exporter's one-minute active timeout turns it
into 60 flow records, all from the same client port: one connection, not 60, so quiet. (Counting
records would cross the floor of 20.)
""", 110)
    c.vm("vm-win-02", "10.1.0.12")
    c.background("10.1.0.12", range(0, TEST_HOUR + 1))
    port = 51515
    for m in range(60):
        c.flow(at(TEST_HOUR, m), "10.1.0.12", "198.51.100.30", port, 3389, packets=400, octets=90000,
               flags=ipfix.ACK | ipfix.PSH, duration_ms=59000)
    return c


def rdp_outbound_multi_fires():
    c = Case("rdp-outbound-multi-fires", """
vm-win-03 (10.1.0.13) opens RDP connections to 45 internet addresses in the hour under test, after
a history without RDP: net.rdp.outbound.multi.
""", 111)
    c.vm("vm-win-03", "10.1.0.13")
    c.background("10.1.0.13", range(0, TEST_HOUR + 1))
    c.sweep(TEST_HOUR, "10.1.0.13", c.rng.sample(POOL, 45), 3389)
    c.expect("net.rdp.outbound.multi", "vm-win-03")
    return c


def rdp_outbound_multi_quiet():
    c = Case("rdp-outbound-multi-quiet", """
Near miss. The admin workstation vm-admin-01 (10.1.0.14) connects over RDP to 40 servers in the
hour under test, but they are private addresses (10.2.0.0/24) and other inventory VMs
(10.1.0.30-39): lateral management inside the estate is not what these alerts are about
(count_internal_peers is off), so nothing is counted: quiet.
""", 112)
    c.vm("vm-admin-01", "10.1.0.14")
    for i in range(10):
        c.vm("vm-srv-%02d" % i, "10.1.0.%d" % (30 + i))
    c.background("10.1.0.14", range(0, TEST_HOUR + 1))
    servers = ["10.2.0.%d" % i for i in range(1, 31)] + ["10.1.0.%d" % (30 + i) for i in range(10)]
    c.sweep(TEST_HOUR, "10.1.0.14", servers, 3389)
    return c


def rdp_inbound_fires():
    c = Case("rdp-inbound-fires", """
vm-rds-01 (10.1.0.15) exposes Remote Desktop. In the hour under test 198.51.100.99 opens 70
connections, over TCP and UDP 3389: net.rdp.inbound (floor 30).
""", 113)
    c.vm("vm-rds-01", "10.1.0.15")
    c.background("10.1.0.15", range(0, TEST_HOUR + 1))
    c.burst(TEST_HOUR, "198.51.100.99", "10.1.0.15", 3389, 50)
    c.burst(TEST_HOUR, "198.51.100.99", "10.1.0.15", 3389, 20, proto=17)
    c.expect("net.rdp.inbound", "vm-rds-01")
    return c


def rdp_inbound_quiet():
    c = Case("rdp-inbound-quiet", """
Near miss for the floor. vm-rds-03 (10.1.0.16) has never had an RDP connection, so its baseline
is zero. In the hour under test 198.51.100.98 opens 12 RDP connections: far above a baseline of
zero, but under the floor of 30 connections from one source, so quiet.
""", 114)
    c.vm("vm-rds-03", "10.1.0.16")
    c.background("10.1.0.16", range(0, TEST_HOUR + 1))
    c.burst(TEST_HOUR, "198.51.100.98", "10.1.0.16", 3389, 12)
    return c


def rdp_inbound_multi_fires():
    c = Case("rdp-inbound-multi-fires", """
vm-rds-02 has an IPv4 (10.1.0.17) and an IPv6 address (2001:db8:1::17). In the hour under test 90
distinct sources, 60 over IPv4 and 30 over IPv6, connect to its Remote Desktop over TCP and UDP:
net.rdp.inbound.multi. Both addresses were held for the whole hour.
""", 115)
    c.vm("vm-rds-02", "10.1.0.17")
    c.vm("vm-rds-02", "2001:db8:1::17")
    c.background("10.1.0.17", range(0, TEST_HOUR + 1))
    c.sweep(TEST_HOUR, "10.1.0.17", c.rng.sample(POOL, 60), 3389, per=(1, 2), inbound=True)
    v6 = ["2001:db8:%x::%x" % (0xbad, i) for i in range(1, 31)]
    c.sweep(TEST_HOUR, "2001:db8:1::17", v6, 3389, proto=17, per=(1, 2), inbound=True)
    c.expect("net.rdp.inbound.multi", "vm-rds-02")
    return c


def rdp_inbound_multi_quiet():
    c = Case("rdp-inbound-multi-quiet", """
Near miss. vm-rdgw-01 (10.1.0.18) is a Remote Desktop gateway: 60 to 80 distinct sources connect
every hour. In the hour under test 100 do: above the floor (30) and the cold-start bar (90), but
inside its learned normal (threshold 119): quiet.
""", 116)
    c.vm("vm-rdgw-01", "10.1.0.18")
    c.background("10.1.0.18", range(0, TEST_HOUR + 1))
    for h in HISTORY:
        c.sweep(h, "10.1.0.18", c.rng.sample(POOL, c.rng.randint(60, 80)), 3389, per=(1, 1), inbound=True)
    c.sweep(TEST_HOUR, "10.1.0.18", c.rng.sample(POOL, 100), 3389, per=(1, 1), inbound=True)
    return c


STIX_HEAD = '{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":['


def stix_indicator(uid, ip, name, valid_from, valid_until=None, revoked=False):
    o = {"type": "indicator", "spec_version": "2.1", "id": "indicator--%s" % uid,
         "created": "2026-02-01T00:00:00.000Z", "modified": "2026-02-01T00:00:00.000Z",
         "name": name, "indicator_types": ["malicious-activity"],
         "pattern": "[ipv4-addr:value = '%s']" % ip, "pattern_type": "stix", "valid_from": valid_from}
    if valid_until:
        o["valid_until"] = valid_until
    if revoked:
        o["revoked"] = True
    return json.dumps(o, sort_keys=True)


def malicious_fires():
    c = Case("malicious-peer-fires", """
vm-db-01 (10.1.0.19) calls out to 203.0.113.200 on TCP 443 six times in the hour under test; a
plain blocklist (c2-ips.txt, label malicious) lists that address. In the same hour it also
reaches 198.51.100.201, which a STIX indicator valid since February lists: one
net.malicious.peer alert naming both, with records, bytes, first and last seen and the
indicators' sources.
""", 117)
    c.vm("vm-db-01", "10.1.0.19")
    c.listed("c2-ips.txt", "malicious", "# command-and-control addresses\n203.0.113.200\n192.0.2.250/31\n")
    bundle = STIX_HEAD + stix_indicator("8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "198.51.100.201",
                                        "Loader C2", "2026-02-01T00:00:00Z") + "]}\n"
    c.listed("indicators.json", None, bundle)
    c.background("10.1.0.19", range(0, TEST_HOUR + 1))
    for m in (3, 13, 23, 33, 43, 53):
        c.connect(at(TEST_HOUR, m), "10.1.0.19", "203.0.113.200", 443, packets=9, octets=1500)
    c.connect(at(TEST_HOUR, 20), "10.1.0.19", "198.51.100.201", 8080, packets=5, octets=700)
    c.expect("net.malicious.peer", "vm-db-01")
    return c


def malicious_quiet():
    c = Case("malicious-peer-quiet", """
Near miss. vm-db-02 (10.1.0.22) reaches three addresses that threat intelligence once listed:
203.0.113.210, whose STIX indicator expired (valid_until) on 1 March; 203.0.113.211, whose
indicator was revoked; and 203.0.113.212, whose indicator only becomes valid on 4 March, after
the traffic. None is listed at the time of the flows: quiet. A listed address, 203.0.113.213,
also talks to 10.9.9.9, which is no inventory VM: not ours to alert on.
""", 118)
    c.vm("vm-db-02", "10.1.0.22")
    objs = [
        stix_indicator("0b0f1d80-6f45-4e3c-9d0e-3c2b3a8d5a10", "203.0.113.210", "Old C2",
                       "2026-01-01T00:00:00Z", valid_until="2026-03-01T00:00:00Z"),
        stix_indicator("3a4a4f5e-2f0e-45ef-8c59-0e6a8a2f9b21", "203.0.113.211", "Sinkholed",
                       "2026-01-01T00:00:00Z", revoked=True),
        stix_indicator("c1b2e3d4-5f60-4718-a9b0-c1d2e3f4a5b6", "203.0.113.212", "Future C2",
                       "2026-03-04T00:00:00Z"),
        stix_indicator("d7e6f5a4-b3c2-4d1e-8f0a-1b2c3d4e5f60", "203.0.113.213", "Active C2",
                       "2026-02-01T00:00:00Z"),
    ]
    c.listed("indicators.json", "malicious", STIX_HEAD + ",".join(objs) + "]}\n")
    c.background("10.1.0.22", range(0, TEST_HOUR + 1))
    for ip in ("203.0.113.210", "203.0.113.211", "203.0.113.212"):
        for m in (5, 25, 45):
            c.connect(at(TEST_HOUR, m), "10.1.0.22", ip, 443)
    c.connect(at(TEST_HOUR, 15), "10.9.9.9", "203.0.113.213", 443)
    return c


def baseline_persists():
    c = Case("baseline-persists", """
Learning across runs sharing --state. Step 1: 26 hours in which vm-app-09 (10.1.0.23) makes at
most two outgoing SSH connections an hour: nothing to report. Step 2, a separate run: it reaches
25 external SSH servers in one hour. Against its saved history (distinct destinations: median
0), 25 crosses the floor of 20: net.ssh.outbound.multi. Without the saved history a run has no
baseline at all and applies the cold-start bar (60), so this alert proves the baseline
persisted.
""", 119)
    c.vm("vm-app-09", "10.1.0.23")
    c.background("10.1.0.23", HISTORY)
    for h in HISTORY:
        c.sweep(h, "10.1.0.23", c.rng.sample(POOL, c.rng.randint(0, 2)), 22, per=(1, 1))
    c.step([])
    c.background("10.1.0.23", [TEST_HOUR])
    c.sweep(TEST_HOUR, "10.1.0.23", c.rng.sample(POOL, 25), 22)
    c.step([{"type": "net.ssh.outbound.multi", "compromised_entity": "vm-app-09"}])
    return c


CASES = [ssh_outbound_fires, ssh_outbound_quiet, ssh_outbound_multi_fires, jump_host_steps, ssh_inbound_fires,
         ssh_inbound_quiet, ssh_inbound_multi_fires, ssh_inbound_multi_ip_changed, rdp_outbound_fires,
         rdp_outbound_quiet, rdp_outbound_multi_fires, rdp_outbound_multi_quiet, rdp_inbound_fires,
         rdp_inbound_quiet, rdp_inbound_multi_fires, rdp_inbound_multi_quiet, malicious_fires, malicious_quiet,
         baseline_persists]


def main(argv):
    root = argv[1] if len(argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for make in CASES:
        make().write(root)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
