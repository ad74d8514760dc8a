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

The uptime modes that must be exact use a capture dated two minutes after
now: its packets come after softflowd's start, so the uptimes need no
wrap. Exit 77 (skip) only when softflowd, nfcapd or nfdump is missing.

Usage: softflowd_e2e.py VIGIL
"""
import datetime
import json
import os
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
        self.proc = subprocess.Popen([TOOLS["nfcapd"], "-b", "127.0.0.1", "-p", str(self.port), "-w", self.dir,
                                      "-t", "3600"], stdout=self.log, stderr=subprocess.STDOUT)
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


def alert_path(tmp):
    """An SSH brute force against a VM of the inventory, exported live by
    softflowd: vigil run must raise net.ssh.inbound about that VM, and
    nothing else (the other sessions come from private addresses)."""
    pcap = os.path.join(tmp, "bruteforce.pcap")
    cap = flowpcap.build(pcap, seed=11, brute_force=("203.0.113.66", "10.2.0.22", 150, 60))
    inv = os.path.join(tmp, "inventory.jsonl")
    with open(inv, "w") as f:
        f.write('{"vm": "vm-ssh-01", "ip": "10.2.0.22", "from": "2026-02-01T00:00:00Z", "to": null}\n')
    v = run_mode(tmp, "alerts", pcap, cap, ["-v", "10", "-A", "milli"], exact_times(), inventory=inv)
    got = sorted((a["type"], a["compromised_entity"]) for a in v.alerts())
    check("alerts: the brute force raises net.ssh.inbound about vm-ssh-01, and only that",
          got == [("net.ssh.inbound", "vm-ssh-01")], f"{got}\n{v.stderr()}")
    a = v.alerts()[0] if got else {}
    check("alerts: the attacker is named", "203.0.113.66" in json.dumps(a), a)


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
