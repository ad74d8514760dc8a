#!/usr/bin/env python3
"""A real exporter through the decoders: softflowd reads a capture the test
writes, exports to nfcapd and to a UDP receiver in this test that saves
every datagram into a pcap (as a tap on the wire would); `vigil flows`
decodes that capture and must find nfdump's flows exactly (5-tuple,
packets, bytes), in IPFIX with absolute (-A milli) and uptime times, NetFlow
v9 and v5, with no loss counted (softflowd numbers IPFIX messages its own
way) and nothing rejected (softflowd's v9 FlowSets are unpadded).

Times: the capture is dated one hour ago, so softflowd's uptimes (relative
to its own start, hence "negative") resolve to the capture's time modulo
2^32 ms; vigil must give the capture's times (nfdump puts them 49.7 days
ahead). Skips (77) when softflowd, nfcapd or nfdump is not installed.
The daemon (vigil run) has its own end-to-end test."""
import collections
import glob
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vigiltest import FAILS as failures, check_quiet as check, free_udp_port  # noqa: E402


def write_capture(path, t0):
    """TCP sessions to 22/3389/443, DNS over UDP, refused connections."""
    out = open(path, "wb")
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    state = {"t": float(t0)}

    def pkt(src, dst, proto, l4):
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0, 0x4000, 64, proto, 0, bytes(src), bytes(dst))
        frame = bytes(6) + bytes([0, 1, 2, 3, 4, 5]) + b"\x08\x00" + ip + l4
        t = state["t"]
        out.write(struct.pack("<IIII", int(t), int(t % 1 * 1e6), len(frame), len(frame)) + frame)

    def tcp(sp, dp, flags, payload=b""):
        return struct.pack(">HHIIBBHHH", sp, dp, 1, 1, 0x50, flags, 65535, 0, 0) + payload

    def udp(sp, dp, payload):
        return struct.pack(">HHHH", sp, dp, 8 + len(payload), 0) + payload

    for i in range(60):
        c, s = [10, 0, 0, i + 1], [192, 0, 2, 10 + i % 5]
        sp, dp = 40000 + i, [22, 3389, 443][i % 3]
        for flags, back, pl in [(0x02, 0, b""), (0x12, 1, b""), (0x10, 0, b""), (0x18, 0, b"x" * 100),
                                (0x18, 1, b"y" * 300), (0x11, 0, b""), (0x11, 1, b""), (0x10, 0, b"")]:
            state["t"] += 0.01
            pkt(s, c, 6, tcp(dp, sp, flags, pl)) if back else pkt(c, s, 6, tcp(sp, dp, flags, pl))
    for i in range(30):
        state["t"] += 0.02
        pkt([10, 1, 0, i + 1], [192, 0, 2, 53], 17, udp(50000 + i, 53, b"q" * 30))
        pkt([192, 0, 2, 53], [10, 1, 0, i + 1], 17, udp(53, 50000 + i, b"a" * 80))
    for i in range(20):
        state["t"] += 0.01
        pkt([10, 2, 0, 1], [192, 0, 2, 99], 6, tcp(45000 + i, 2222 + i % 4, 0x02))
        pkt([192, 0, 2, 99], [10, 2, 0, 1], 6, tcp(2222 + i % 4, 45000 + i, 0x14))
    out.close()


def receive(sock, path, stop):
    """Every datagram into a pcap, with its sender's address and port."""
    port = sock.getsockname()[1]
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                data, (addr, sport) = sock.recvfrom(65535)
            except socket.timeout:
                continue
            u = struct.pack(">HHHH", sport, port, 8 + len(data), 0) + data
            ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(u), 0, 0, 64, 17, 0, socket.inet_aton(addr),
                             socket.inet_aton("127.0.0.1")) + u
            frame = bytes(12) + b"\x08\x00" + ip
            t = time.time()
            out.write(struct.pack("<IIII", int(t), int(t % 1 * 1e6), len(frame), len(frame)) + frame)


def nfdump_flows(nfdir):
    files = glob.glob(os.path.join(nfdir, "nfcapd.*"))
    if not files:
        return None
    csv = subprocess.run(["nfdump", "-r", files[0], "-o", "csv", "-q"], capture_output=True, text=True,
                         env={"TZ": "UTC", "PATH": os.environ.get("PATH", "")}).stdout
    flows = collections.Counter()
    for line in csv.splitlines():
        c = line.split(",")
        if len(c) < 13 or c[7] not in ("TCP", "UDP"):
            continue
        flows[(c[3], c[4], int(c[5]), int(c[6]), {"TCP": 6, "UDP": 17}[c[7]], int(c[11]), int(c[12]))] += 1
    return flows


def run_mode(vigil, d, name, args, capture, t0):
    nfdir = os.path.join(d, "nfc-" + name)
    os.makedirs(nfdir)
    tap = os.path.join(d, name + ".pcap")
    p_nf = free_udp_port()
    nfcapd = subprocess.Popen(["nfcapd", "-b", "127.0.0.1", "-p", str(p_nf), "-w", nfdir, "-t", "3600"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    sock.bind(("127.0.0.1", 0))
    stop = threading.Event()
    th = threading.Thread(target=receive, args=(sock, tap, stop))
    th.start()
    time.sleep(0.5)            # nfcapd binds
    try:
        # no -c with -r: it hangs (bench.md §2.1)
        subprocess.run(["softflowd", "-r", capture, *args, "-n",
                        f"127.0.0.1:{p_nf},127.0.0.1:{sock.getsockname()[1]}"],
                       capture_output=True, timeout=60)
        time.sleep(1.0)
    finally:
        stop.set()
        th.join()
        sock.close()
        nfcapd.terminate()
        nfcapd.wait(timeout=30)
    theirs = nfdump_flows(nfdir)
    p = subprocess.run([vigil, "flows", tap], capture_output=True, text=True)
    ours, starts = collections.Counter(), []
    for line in p.stdout.splitlines():
        f = json.loads(line)
        ours[(f["src"], f["dst"], f.get("src_port", 0), f.get("dst_port", 0), f["proto"], f["packets"],
              f["octets"])] += 1
        starts.append(f["start"])
    check(p.returncode == 0 and "no records rejected" in p.stderr, f"{name}: {p.stderr}")
    check("lost by sequence gaps" not in p.stderr, f"{name}: loss counted: {p.stderr}")
    check(theirs is not None and sum(theirs.values()) == 220, f"{name}: nfdump has {theirs and sum(theirs.values())} flows")
    check(ours == theirs, f"{name}: flows differ from nfdump's: ours-only {list((ours - (theirs or {})).items())[:3]}"
                          f" theirs-only {list(((theirs or collections.Counter()) - ours).items())[:3]}")
    # every start within the capture's time (v9 and v5 headers give whole seconds)
    lo = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t0 - 1))
    hi = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t0 + 15))
    check(starts and all(lo <= s <= hi for s in starts), f"{name}: starts outside {lo}..{hi}: {sorted(starts)[:2]}")
    print(f"{name}: {len(starts)} flows, as nfdump")


def main():
    vigil = sys.argv[1]
    for tool in ("softflowd", "nfcapd", "nfdump"):
        if not shutil.which(tool):
            print(f"skip: {tool} not installed")
            return 77
    with tempfile.TemporaryDirectory(prefix="vigil-softflowd-") as d:
        t0 = int(time.time()) - 3600
        capture = os.path.join(d, "traffic.pcap")
        write_capture(capture, t0)
        for name, args in [("ipfix-milli", ["-v", "10", "-A", "milli"]), ("ipfix-uptime", ["-v", "10"]),
                           ("v9", ["-v", "9"]), ("v5", ["-v", "5"])]:
            run_mode(vigil, d, name, args, capture, t0)
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
