#!/usr/bin/env python3
"""A real exporter end to end: softflowd reads a synthetic capture and
exports its flows to `vigil run` and to nfcapd at once (every datagram to
both); vigil's flow log must then hold exactly the flows nfdump reads from
nfcapd's file, with the counts and times of the capture itself.

Modes (research/bench.md section 2):
  -v 10 -A milli   IPFIX, absolute flowStart/EndMilliseconds
  -v 9  -A milli   NetFlow v9, the same
  -v 10            IPFIX with sysUpTime times, resolved through the
                   systemInitTimeMilliseconds of softflowd's options record
                   (exact to 1 ms: softflowd rounds uptimes; nfdump 1.7.1
                   shows these flows with start and end swapped)
  -v 9             NetFlow v9 sysUpTime, resolved through the header's
                   sysUptime and Unix seconds (so exact only to the second)
  -v 10, an old capture: softflowd's uptimes go "negative" and wrap (its
                   init time is its own start, after the packets). No time
                   in the export is right; vigil must take the latest time
                   congruent modulo 2^32 ms that is not after the export
                   (never a future time, which would drag the watermark
                   ahead of every real flow), where nfdump shows them up
                   to 49.7 days in the future.

The alert path (alert_path): one capture with a scenario per net.* type,
each on its own VM, and near misses (SSH under the bars, a sweep by a VM
whose address changed holder mid-hour, contacts with revoked and expired
STIX indicators), exported with -v 10 and -v 9 (-A milli): the same nine
alerts, one per type, about the right VMs, nothing about the near misses.

The uptime modes that must be exact use a capture dated two minutes after
now: its packets come after softflowd's start, so the uptimes need no
wrap. Exit 77 (skip) only when softflowd, nfcapd or nfdump is missing.

Usage: softflowd_e2e.py VIGIL
"""
import datetime
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flowpcap  # noqa: E402
from vigiltest import VigilRun, check, free_udp_port, keep_if_failed, result, wait_for  # noqa: E402

VIGIL = sys.argv[1]
WRAP_MS = 1 << 32
SKEW_MS = 10 * 60 * 1000
POLL_S = 0.05
NFCAPD_BUFFER = 8 << 20
TOOLS = {}


def find_tools():
    path = os.environ.get("PATH", "") + ":/usr/sbin:/sbin:/usr/local/sbin"
    for t in ("softflowd", "nfcapd", "nfdump"):
        TOOLS[t] = shutil.which(t, path=path)
    return all(TOOLS.values())


def udp_port_taken(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("127.0.0.1", port))
        return False
    except OSError:
        return True
    finally:
        s.close()


def ms_of_iso(text):
    """2026-03-01T10:00:01.070Z -> milliseconds since the epoch."""
    dt = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return round(dt.timestamp() * 1000)


def ms_of_nfdump(text):
    """nfdump's "2026-03-01 10:00:01.070" (TZ=UTC) -> milliseconds."""
    dt = datetime.datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc)
    return round(dt.timestamp() * 1000)


def Vigil(tmp, name, **extra):
    """vigil run listening on an IPFIX UDP port, with a flow log and an
    alerts file in its directory."""
    d = os.path.join(tmp, name)
    keys = {"ipfix_udp": '"127.0.0.1:0"', "netflow_udp": "null", "ipfix_tcp": "null",
            "flow_log": os.path.join(d, "flows.jsonl"), "alerts": os.path.join(d, "alerts.jsonl"),
            "stats_interval": "0s", **extra}
    return VigilRun(VIGIL, tmp, name, keys, interval=POLL_S)


class Nfcapd:
    def __init__(self, tmp, name):
        self.dir = os.path.join(tmp, name + "-nfcapd")
        os.makedirs(self.dir)
        self.port = free_udp_port()
        self.log = open(os.path.join(self.dir, "..", name + "-nfcapd.log"), "w")
        # -B: with the default receive buffer (208 KiB) nfcapd lost ~400 of
        # the alert path's 2946 flows (a burst of 108 datagrams); the kernel
        # caps the ask at net.core.rmem_max and doubles it (416 KiB on a
        # stock Debian, enough: tried with -B 212992 under CPU load)
        self.proc = subprocess.Popen([TOOLS["nfcapd"], "-b", "127.0.0.1", "-p", str(self.port), "-w", self.dir,
                                      "-t", "3600", "-B", str(NFCAPD_BUFFER)], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        if not wait_for(lambda: udp_port_taken(self.port) or self.proc.poll() is not None, interval=POLL_S):
            raise RuntimeError("nfcapd did not start")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        self.log.close()

    def flows(self):
        """(src, dst, sport, dport, proto, packets, bytes, start_ms, end_ms) per flow."""
        fmt = "fmt:%ts|%te|%sa|%da|%sp|%dp|%pr|%pkt|%byt"
        p = subprocess.run([TOOLS["nfdump"], "-q", "-R", self.dir, "-o", fmt], capture_output=True, text=True,
                           env=dict(os.environ, TZ="UTC"))
        out = []
        for line in p.stdout.splitlines():
            f = [x.strip() for x in line.split("|")]
            if len(f) != 9:
                continue
            proto = {"TCP": 6, "UDP": 17, "ICMP": 1}.get(f[6], f[6])
            out.append((f[2], f[3], int(f[4]), int(f[5]), int(proto), int(f[7]), int(f[8]),
                        ms_of_nfdump(f[0]), ms_of_nfdump(f[1])))
        return out


def softflowd(pcap, args, ports):
    targets = ",".join(f"127.0.0.1:{p}" for p in ports)
    # no -c: with -r it re-enables the control socket and softflowd hangs (bench.md 2.1)
    p = subprocess.run([TOOLS["softflowd"], "-r", pcap, *args, "-n", targets], capture_output=True, text=True,
                       timeout=120)
    m = re.search(r"Flows exported: \d+ \((\d+) records\) in (\d+) packets", p.stdout + p.stderr)
    if p.returncode != 0 or not m:
        raise RuntimeError("softflowd failed: " + p.stdout + p.stderr)
    return int(m.group(1)), int(m.group(2))


def key(f):
    return (f["src"], f["dst"], f.get("src_port", 0), f.get("dst_port", 0), f["proto"], f["packets"], f["octets"])


def run_mode(tmp, name, pcap, cap, args, time_check, **extra):
    """Export the capture to vigil and nfcapd with softflowd args; compare."""
    print(f"# {name}: softflowd {' '.join(args)}")
    v = Vigil(tmp, name, **extra)
    n = Nfcapd(tmp, name)
    t_before = time.time()
    try:
        records, datagrams = softflowd(pcap, args, [v.ports["run.ipfix_udp"], n.port])
    finally:
        t_after = time.time()
        rc = v.stop()
        n.stop()
    err = v.stderr()
    vf, nf = v.flows(), n.flows()
    expected = cap.flows()
    check(f"{name}: vigil exited 0 on SIGTERM", rc == 0, err)
    check(f"{name}: every datagram arrived ({datagrams})", f": {datagrams} datagrams" in err and
          "0 dropped by the kernel" in err, err)
    check(f"{name}: no record rejected, no sequence loss counted", "no records rejected" in err and
          "lost by sequence gaps" not in err, err)
    check(f"{name}: flow counts agree (capture {len(expected)}, softflowd {records}, nfdump {len(nf)}, vigil "
          f"{len(vf)})", len(vf) == len(nf) == records == len(expected))
    vk = Counter(key(f) for f in vf)
    nk = Counter(x[:7] for x in nf)
    ek = Counter(k + tuple(v[:2]) for k, v in expected.items())
    check(f"{name}: same (src, dst, ports, proto, packets, bytes) multiset as nfdump", vk == nk,
          f"only vigil: {list((vk - nk).items())[:5]}\nonly nfdump: {list((nk - vk).items())[:5]}")
    check(f"{name}: and as the capture itself", vk == ek, f"only vigil: {list((vk - ek).items())[:5]}")
    time_check(name, vf, nf, expected, t_before, t_after)
    return v


def exact_times(tolerance_ms=0):
    """Start and end of every flow are those of its conversation's first
    and last packet (to the millisecond the export carries, give or take
    the exporter's rounding), and nfdump saw the same two times."""
    def check_times(name, vf, nf, expected, t_before, t_after):
        bad, off = [], []
        nt = {x[:5]: sorted(x[7:9]) for x in nf}
        for f in vf:
            k = key(f)[:5]
            want = (expected[k][2] // 1000, expected[k][3] // 1000)
            got = (ms_of_iso(f["start"]), ms_of_iso(f["end"]))
            if abs(got[0] - want[0]) > tolerance_ms or abs(got[1] - want[1]) > tolerance_ms:
                bad.append((k, f["start"], f["end"], want))
            # sorted: nfdump 1.7.1 swaps start and end of IPFIX sysUpTime flows
            if k not in nt or any(abs(a - b) > tolerance_ms for a, b in zip(sorted(got), nt[k])):
                off.append((k, got, nt.get(k)))
        within = f" (within {tolerance_ms} ms)" if tolerance_ms else ""
        check(f"{name}: flow times are the capture's{within}", not bad and vf, bad[:5])
        check(f"{name}: nfdump read the same times{within}", not off, off[:5])
    return check_times


def wrapped_times(name, vf, nf, expected, t_before, t_after):
    """The old capture in uptime mode: no right answer is in the export."""
    latest = int(t_after * 1000) + SKEW_MS
    bad, future, nfdump_diff = [], [], []
    nt = {x[:5]: min(x[7:9]) for x in nf}

    def whole_wraps(d):                 # give or take softflowd's 1 ms rounding
        return min(d % WRAP_MS, WRAP_MS - d % WRAP_MS) <= 1

    for f in vf:
        k = key(f)[:5]
        start = ms_of_iso(f["start"])
        if not whole_wraps(start - expected[k][2] // 1000):
            bad.append((k, f["start"]))
        if start > latest or start <= latest - WRAP_MS:
            future.append((k, f["start"]))
        if k not in nt or not whole_wraps(nt[k] - start):
            nfdump_diff.append((k, f["start"], nt.get(k)))
    check(f"{name}: each time is the capture's plus whole 2^32 ms wraps", not bad and vf, bad[:5])
    check(f"{name}: the latest such time not after the export (none in the future)", not future, future[:5])
    check(f"{name}: nfdump's times differ from vigil's only by whole wraps", not nfdump_diff, nfdump_diff[:5])
    ahead = sum(1 for x in nf if x[7] > latest)
    print(f"     (nfdump puts {ahead} of {len(nf)} of these flows in the future)")


# The scenarios of the alert path: one clock hour of event time, 10:00 to
# 11:00 on 2026-03-01, one VM each. The daemon starts with no history, so the
# bar is the cold-start one (floor x cold_start_factor: 20 x 3 = 60 outbound,
# 30 x 3 = 90 inbound, docs/NETWORK.md "Baselines"); the attacks are twice it,
# the near misses half of it.
HOUR_US = 1_772_359_200_000_000                 # 2026-03-01T10:00:00Z
MIN_US = 60_000_000
OUT_N, IN_N = 120, 180                          # 2 x the cold-start bars
VMS = {                                         # VM -> its address
    "vm-ssh-out": "10.20.0.11", "vm-ssh-out-multi": "10.20.0.12",
    "vm-rdp-out": "10.20.0.13", "vm-rdp-out-multi": "10.20.0.14",
    "vm-ssh-in": "10.20.0.15", "vm-ssh-in-multi": "10.20.0.16",
    "vm-rdp-in": "10.20.0.17", "vm-rdp-in-multi": "10.20.0.18",
    "vm-c2": "10.20.0.19",
    # near misses
    "vm-ssh-quiet": "10.20.0.21",               # SSH both ways, half the bars
    "vm-sweep-old": "10.20.0.30",               # held .30 until 10:30 (swept SSH before)
    "vm-sweep-new": "10.20.0.30",               # holds .30 from 10:30
    "vm-stale-intel": "10.20.0.40",             # talks to a revoked and an expired indicator
}
EXPECTED = {
    "net.ssh.outbound": "vm-ssh-out", "net.ssh.outbound.multi": "vm-ssh-out-multi",
    "net.rdp.outbound": "vm-rdp-out", "net.rdp.outbound.multi": "vm-rdp-out-multi",
    "net.ssh.inbound": "vm-ssh-in", "net.ssh.inbound.multi": "vm-ssh-in-multi",
    "net.rdp.inbound": "vm-rdp-in", "net.rdp.inbound.multi": "vm-rdp-in-multi",
    "net.malicious.peer": "vm-c2",
}
NEAR_MISSES = ("vm-ssh-quiet", "vm-sweep-old", "vm-sweep-new", "vm-stale-intel")
# external peers: documentation (192.0.2/24, 198.51.100/24, 203.0.113/24) and
# benchmark (198.18/15) space, none of it private (src/util/ip.c ip_is_private)
ONE_PEER = {"net.ssh.outbound": "203.0.113.11", "net.rdp.outbound": "203.0.113.13",
            "net.ssh.inbound": "203.0.113.15", "net.rdp.inbound": "203.0.113.17"}
C2, REVOKED, EXPIRED = "192.0.2.66", "192.0.2.77", "192.0.2.78"


def bench(block, i):
    """The i-th address (0-based) of a /24 of the benchmark range 198.18/15."""
    return f"198.18.{block}.{1 + i}"


def scenario_capture(path):
    """Write the alert path's capture: every connection attempt is a SYN
    answered by a RST (two packets, one softflowd conversation, two flow
    records, the client's counted), each from a client port of its own; the
    threat-intel contacts are whole sessions."""
    rng = random.Random(23)
    cap = flowpcap.Capture()

    def attempts(t0_us, spacing_us, pairs):
        for i, (client, server, cport, sport) in enumerate(pairs):
            flowpcap.refused(cap, rng, t0_us + i * spacing_us, client, server, cport, sport)

    vm = VMS
    at = lambda minute: HOUR_US + minute * MIN_US
    # outbound: many connections to one server; one connection to each of many servers
    attempts(at(2), 900_000, [(vm["vm-ssh-out"], ONE_PEER["net.ssh.outbound"], 40000 + i, 22) for i in range(OUT_N)])
    attempts(at(6), 900_000, [(vm["vm-ssh-out-multi"], bench(1, i), 41000 + i, 22) for i in range(OUT_N)])
    attempts(at(10), 900_000, [(vm["vm-rdp-out"], ONE_PEER["net.rdp.outbound"], 42000 + i, 3389) for i in range(OUT_N)])
    attempts(at(14), 900_000, [(vm["vm-rdp-out-multi"], bench(2, i), 43000 + i, 3389) for i in range(OUT_N)])
    # inbound: one source, many connections; many sources, one each
    attempts(at(18), 600_000, [(ONE_PEER["net.ssh.inbound"], vm["vm-ssh-in"], 44000 + i, 22) for i in range(IN_N)])
    attempts(at(22), 600_000, [(bench(3, i), vm["vm-ssh-in-multi"], 45000 + i, 22) for i in range(IN_N)])
    attempts(at(26), 600_000, [(ONE_PEER["net.rdp.inbound"], vm["vm-rdp-in"], 46000 + i, 3389) for i in range(IN_N)])
    attempts(at(30), 600_000, [(bench(4, i), vm["vm-rdp-in-multi"], 47000 + i, 3389) for i in range(IN_N)])
    # a VM talks to a listed command-and-control address
    for i in range(3):
        flowpcap.session(cap, rng, at(35) + i * 20_000_000, vm["vm-c2"], C2, 48000 + i, 443, bytes(120), bytes(800))
    # near miss: SSH both ways, above the floors but half the cold-start bars
    # (30 connections to one server and 30 servers; 45 from one source and 45 sources)
    quiet = vm["vm-ssh-quiet"]
    attempts(at(38), 1_000_000, [(quiet, "203.0.113.21", 49000 + i, 22) for i in range(OUT_N // 4)] +
             [(quiet, bench(5, i), 49100 + i, 22) for i in range(OUT_N // 4 - 1)])
    attempts(at(40), 1_000_000, [("203.0.113.22", quiet, 49200 + i, 22) for i in range(IN_N // 4)] +
             [(bench(6, i), quiet, 49300 + i, 22) for i in range(IN_N // 4 - 1)])
    # near miss: an SSH sweep of 120 servers by the VM that held 10.20.0.30
    # until 10:30, when another VM took the address over (the seed's hour rule)
    attempts(at(5), 900_000, [(vm["vm-sweep-old"], bench(7, i), 50000 + i, 22) for i in range(OUT_N)])
    # near miss: contacts with addresses whose indicators were revoked or had expired
    flowpcap.session(cap, rng, at(44), vm["vm-stale-intel"], REVOKED, 51000, 443, bytes(120), bytes(800))
    flowpcap.session(cap, rng, at(45), vm["vm-stale-intel"], EXPIRED, 51001, 443, bytes(120), bytes(800))
    cap.write(path)
    return cap


def scenario_files(tmp):
    """The inventory (every scenario VM holds its address all day; the
    sweeping VM hands its address over at 10:30) and the threat intel: a
    plain list naming the C2 address, a STIX bundle whose other two
    indicators were revoked or had expired before the flows."""
    inv = os.path.join(tmp, "inventory.jsonl")
    with open(inv, "w") as f:
        for name, ip in VMS.items():
            span = {"vm-sweep-old": ("2026-02-01T00:00:00Z", "2026-03-01T10:30:00Z"),
                    "vm-sweep-new": ("2026-03-01T10:30:00Z", None)}.get(name, ("2026-02-01T00:00:00Z", None))
            f.write(json.dumps({"vm": name, "ip": ip, "from": span[0], "to": span[1]}) + "\n")
    c2 = os.path.join(tmp, "c2.txt")
    with open(c2, "w") as f:
        f.write(f"# command-and-control addresses\n{C2}\n")
    stix = os.path.join(tmp, "indicators.json")

    def indicator(n, ip, name, **extra):
        return {"type": "indicator", "spec_version": "2.1", "id": f"indicator--00000000-0000-4000-8000-00000000000{n}",
                "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "name": name,
                "indicator_types": ["malicious-activity"], "pattern": f"[ipv4-addr:value = '{ip}']",
                "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z", **extra}
    with open(stix, "w") as f:
        json.dump({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000", "objects": [
            indicator(1, REVOKED, "Sinkholed C2", revoked=True),
            indicator(2, EXPIRED, "Old C2", valid_until="2026-02-28T00:00:00Z")]}, f)
    return inv, f"[{c2}, malicious={stix}]"


def alert_path(tmp):
    """Every net.* type through a real exporter: softflowd exports the
    scenario capture live to vigil run (no history: the cold-start bar),
    which must raise each type exactly once, about its scenario's VM, and
    nothing about the near misses; NetFlow v9 must give the same alerts."""
    pcap = os.path.join(tmp, "scenarios.pcap")
    cap = scenario_capture(pcap)
    inv, intel = scenario_files(tmp)
    print(f"# alert scenarios: {len(cap.packets)} packets, {len(cap.flows())} flows")
    sets = {}
    for name, args in (("alerts", ["-v", "10", "-A", "milli"]), ("alerts-v9", ["-v", "9", "-A", "milli"])):
        v = run_mode(tmp, name, pcap, cap, args, exact_times(), inventory=inv, intel=intel,
                     state=os.path.join(tmp, name, "state"))
        alerts, err = v.alerts(), v.stderr()
        got = sorted((a["type"], a["compromised_entity"]) for a in alerts)
        sets[name] = got
        check(f"{name}: one alert per net.* type, each about its scenario's VM", got == sorted(EXPECTED.items()),
              f"missing: {sorted(set(EXPECTED.items()) - set(got))}\nextra: {sorted(set(got) - set(EXPECTED.items()))}"
              f"\n{err}")
        quiet = [a for a in alerts if a["compromised_entity"] in NEAR_MISSES or
                 any(n in json.dumps(a.get("entities", {})) for n in NEAR_MISSES)]
        check(f"{name}: nothing about the near misses ({', '.join(NEAR_MISSES)})", not quiet,
              [(a["type"], a["compromised_entity"]) for a in quiet])
        by_type = {a["type"]: a for a in alerts}
        unnamed = [t for t, ip in ONE_PEER.items() if ip not in json.dumps(by_type.get(t, {}).get("entities", {}))]
        check(f"{name}: the one-peer alerts name their peer", not unnamed, unnamed)
        c2 = by_type.get("net.malicious.peer", {})
        check(f"{name}: net.malicious.peer names {C2} and no stale indicator",
              C2 in json.dumps(c2) and REVOKED not in json.dumps(alerts) and EXPIRED not in json.dumps(alerts), c2)
        def judged(t):
            p = by_type[t].get("properties", {})
            return (p.get("baseline", {}).get("basis"), p.get("threshold"),
                    p.get("distinct_peers" if t.endswith(".multi") else "connections_sampled"))
        want = {t: ("none", 90 if "inbound" in t else 60, IN_N if "inbound" in t else OUT_N)
                for t in EXPECTED if t != "net.malicious.peer"}
        cold = {t: judged(t) for t in want if t in by_type and judged(t) != want[t]}
        check(f"{name}: no baseline, the cold-start bars (60 out, 90 in), every connection or peer counted",
              not cold, cold)
        check(f"{name}: the sweep by the VM re-addressed mid-hour is withheld, and counted",
              "network: 1 alerts withheld" in err, err)
    check("alerts-v9: NetFlow v9 raised the same alerts as IPFIX", sets["alerts"] == sets["alerts-v9"],
          f"{sets['alerts']}\n{sets['alerts-v9']}")


def main():
    if not find_tools():
        print("SKIP: softflowd, nfcapd or nfdump not installed (scripts/install-deps.sh installs them)")
        return 77
    tmp = tempfile.mkdtemp(prefix="vigil-softflowd-")
    try:
        old_pcap = os.path.join(tmp, "old.pcap")
        old = flowpcap.build(old_pcap)         # 2026-03-01T10:00:00Z
        soon_pcap = os.path.join(tmp, "soon.pcap")
        soon = flowpcap.build(soon_pcap, start_us=(int(time.time()) + 120) * 1_000_000)

        run_mode(tmp, "ipfix-milli", old_pcap, old, ["-v", "10", "-A", "milli"], exact_times())
        run_mode(tmp, "v9-milli", old_pcap, old, ["-v", "9", "-A", "milli"], exact_times())
        run_mode(tmp, "ipfix-uptime", soon_pcap, soon, ["-v", "10"], exact_times(tolerance_ms=1))
        run_mode(tmp, "v9-uptime", soon_pcap, soon, ["-v", "9"], exact_times(tolerance_ms=1000))
        run_mode(tmp, "ipfix-uptime-wrap", old_pcap, old, ["-v", "10"], wrapped_times)
        alert_path(tmp)
    finally:
        keep_if_failed(tmp)
    return result("all softflowd end-to-end checks passed")


if __name__ == "__main__":
    sys.exit(main())
