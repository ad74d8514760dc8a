#!/usr/bin/env python3
"""The `vigil flows` command line: exit statuses, --out, stdin, gzip, a
pcap capture, the summary, and flow inputs in `vigil scan`. Inputs are
written by the test itself (a small IPFIX message, a capture of it)."""
import gzip
import json
import os
import struct
import subprocess
import sys
import tempfile

EXPORT = 1700000000
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL", what)


def ipfix_message():
    fields = [(8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (2, 4), (1, 4), (152, 8), (153, 8)]
    tpl = struct.pack(">HH", 256, len(fields)) + b"".join(struct.pack(">HH", *f) for f in fields)
    tset = struct.pack(">HH", 2, 4 + len(tpl)) + tpl
    recs = b""
    for i in range(3):
        recs += bytes([10, 0, 0, i + 1]) + bytes([192, 0, 2, 22]) + struct.pack(
            ">HHBIIQQ", 40000 + i, 22, 6, 3, 180, EXPORT * 1000 - 4000, EXPORT * 1000 - 1000)
    dset = struct.pack(">HH", 256, 4 + len(recs)) + recs
    body = tset + dset
    return struct.pack(">HHIII", 10, 16 + len(body), EXPORT, 0, 1) + body


def capture(payload):
    udp = struct.pack(">HHHH", 50123, 4739, 8 + len(payload), 0) + payload
    ip4 = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, bytes([192, 0, 2, 1]),
                      bytes([192, 0, 2, 2])) + udp
    frame = bytes(12) + b"\x08\x00" + ip4
    return struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1) + \
        struct.pack("<IIII", EXPORT, 0, len(frame), len(frame)) + frame


def run(vigil, *args, stdin=None):
    return subprocess.run([vigil, *args], input=stdin, capture_output=True)


def main():
    vigil = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="vigil-flows-") as d:
        msg = ipfix_message()
        ipfix = os.path.join(d, "export.ipfix")
        open(ipfix, "wb").write(msg)
        pcap = os.path.join(d, "export.pcap.gz")
        with gzip.open(pcap, "wb") as g:
            g.write(capture(msg))
        text = os.path.join(d, "audit.json")
        open(text, "w").write('{"kind":"Event","auditID":"1","stage":"ResponseComplete","verb":"get"}\n')

        p = run(vigil, "flows")
        check(p.returncode == 2 and b"no input" in p.stderr, f"no input: {p.returncode} {p.stderr}")
        p = run(vigil, "flows", "--format", "k8s-audit", ipfix)
        check(p.returncode == 2 and b"unknown flow format" in p.stderr, f"--format k8s-audit: {p.stderr}")
        p = run(vigil, "flows", os.path.join(d, "missing"))
        check(p.returncode == 2 and b"cannot open" in p.stderr, f"missing file: {p.stderr}")
        p = run(vigil, "flows", text)
        check(p.returncode == 2 and b"not a flow export" in p.stderr, f"a JSON input: {p.stderr}")
        p = run(vigil, "flows", "--bogus", ipfix)
        check(p.returncode == 2, "unknown option")

        p = run(vigil, "flows", ipfix)
        lines = [json.loads(x) for x in p.stdout.splitlines()]
        check(p.returncode == 0 and len(lines) == 3, f"flows of a file: {p.returncode} {len(lines)}")
        check(b"3 flows" in p.stderr and b"no records rejected" in p.stderr, f"summary: {p.stderr}")
        if lines:
            f = lines[0]
            check((f["src"], f["dst"], f["dst_port"], f["packets"], f["octets"], f["start"], f["exporter"]) ==
                  ("10.0.0.1", "192.0.2.22", 22, 3, 180, "2023-11-14T22:13:16.000Z", None), f"first flow: {f}")

        out = os.path.join(d, "flows.jsonl")
        p = run(vigil, "flows", "--out", out, ipfix)
        check(p.returncode == 0 and p.stdout == b"" and len(open(out).readlines()) == 3, "--out")

        p = run(vigil, "flows", "-", stdin=msg)
        check(p.returncode == 0 and len(p.stdout.splitlines()) == 3, f"stdin: {p.stderr}")

        p = run(vigil, "flows", pcap)
        lines = [json.loads(x) for x in p.stdout.splitlines()]
        check(p.returncode == 0 and len(lines) == 3, f"gzip'd capture: {p.stderr}")
        check(lines and lines[0]["exporter"] == "192.0.2.1:50123", "the exporter is the datagram's sender")
        check(b"1 packets, 1 UDP datagrams" in p.stderr, f"capture summary: {p.stderr}")

        # two inputs, template in the first, data in the second
        tpl_len = struct.unpack(">H", msg[18:20])[0]
        head = msg[:16]
        tpl_only = struct.pack(">HH", 10, 16 + tpl_len) + head[4:] + msg[16:16 + tpl_len]
        data = msg[16 + tpl_len:]
        data_only = struct.pack(">HH", 10, 16 + len(data)) + head[4:] + data
        a, b = os.path.join(d, "tpl.dat"), os.path.join(d, "data.dat")
        open(a, "wb").write(tpl_only)
        open(b, "wb").write(data_only)
        p = run(vigil, "flows", a, b)
        check(p.returncode == 0 and len(p.stdout.splitlines()) == 3, f"template and data in two files: {p.stderr}")
        p = run(vigil, "scan", a, b)
        check(p.returncode == 0 and b"vigil scan: 3 events" in p.stderr, f"vigil scan of flow files: {p.stderr}")
        p = run(vigil, "scan", pcap)
        check(p.returncode == 0 and b"pcap" in p.stderr and b"3 events" in p.stderr, f"vigil scan of a capture: {p.stderr}")
        p = run(vigil, "formats")
        check(b"ipfix" in p.stdout and b"pcap" in p.stdout, "formats lists ipfix and pcap")

    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
