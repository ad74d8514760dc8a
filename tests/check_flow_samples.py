#!/usr/bin/env python3
"""The public flow samples in ../shared/data/ipfix/ through `vigil flows`.

- Every file decodes with zero rejected records, all in one run in the
  order SOURCES.md lists them (templates sit in other files than their
  data: one template cache must serve them all), except
  netflow9_test_invalid01.dat, which must be rejected with a reason.
- Values known from elsewhere: ipfix.dat's first flow and count (Elastic's
  golden file, quoted in SOURCES.md), example_flows.ipfix's count and its
  SSH scan (data-notes.md), and for the pmacct captures the packet and
  byte totals per 5-tuple of nfacctd's expected output (whose aggregation
  keys include the 5-tuple, so summing both sides by it compares exactly;
  nfacctd scales by the sampling rate, so ours are scaled too), with the
  1:256 sampling of test 104 found through its options template.

Skips (77) when the shared data is absent, as on a user's clone."""
import collections
import json
import os
import re
import subprocess
import sys

INVALID = "netflow9_test_invalid01.dat"
PROTO = {"tcp": 6, "udp": 17, "icmp": 1, "ipv6-icmp": 58, "vrrp": 112}
NOT_INPUT = re.compile(r"\.(md|json)$")

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL", what)


def flows(vigil, paths, extra=()):
    p = subprocess.run([vigil, "flows", *extra, *paths], capture_output=True, text=True)
    out = [json.loads(line) for line in p.stdout.splitlines()]
    rejected = sum(int(x) for x in re.findall(r"rejected (\d+) record", p.stderr))
    return p, out, rejected


def sample_order(root):
    """Files under ipfix/ in the order of SOURCES.md, then any it misses."""
    listed = []
    src = os.path.join(root, "SOURCES.md")
    if os.path.exists(src):
        for m in re.finditer(r"^\| (ipfix/[^ |]+) \|", open(src, encoding="utf-8").read(), re.M):
            listed.append(m.group(1))
    on_disk = []
    for dirpath, _, names in os.walk(os.path.join(root, "ipfix")):
        for n in names:
            on_disk.append(os.path.relpath(os.path.join(dirpath, n), root))
    order = [p for p in listed if p in on_disk]
    order += sorted(p for p in on_disk if p not in order)
    return [p for p in order if not NOT_INPUT.search(p)]


def golden_totals(path):
    packets, octets = collections.Counter(), collections.Counter()
    for line in open(path, encoding="utf-8"):
        g = json.loads(line)
        k = (g["ip_src"], g["ip_dst"], g["port_src"], g["port_dst"], PROTO[g["ip_proto"]])
        packets[k] += g["packets"]
        octets[k] += g["bytes"]
    return packets, octets


def our_totals(fl):
    packets, octets = collections.Counter(), collections.Counter()
    for f in fl:
        k = (f["src"], f["dst"], f.get("src_port", 0), f.get("dst_port", 0), f["proto"])
        n = f["sampling"] or 1
        packets[k] += f["packets"] * n
        octets[k] += f["octets"] * n
    return packets, octets


def main():
    vigil, root = sys.argv[1:3]
    base = os.path.join(root, "ipfix")
    if not os.path.isdir(base):
        print(f"skip: {base} absent")
        return 77
    files = sample_order(root)
    valid = [os.path.join(root, p) for p in files if os.path.basename(p) != INVALID]

    # all of them, one run, formats detected
    p, out, rejected = flows(vigil, valid)
    check(p.returncode == 0, f"exit {p.returncode} on the samples: {p.stderr[-2000:]}")
    check(rejected == 0, f"{rejected} records rejected in the samples:\n{p.stderr[-3000:]}")
    check(len(out) > 4000, f"only {len(out)} flows from all samples")
    check(re.search(r"data sets? skipped", p.stderr) is not None, "NetScaler's data set without its template is reported")
    print(f"{len(valid)} sample files, {len(out)} flows")

    # the deliberately broken packet
    bad = [os.path.join(root, p) for p in files if os.path.basename(p) == INVALID]
    if bad:
        p, out, rejected = flows(vigil, bad)
        check(p.returncode == 0, f"{INVALID}: exit {p.returncode}")
        check(rejected >= 1 and "FlowSet" in p.stderr, f"{INVALID}: not rejected with a reason: {p.stderr}")

    # ipfix.dat: 1 options record + 12 flows, the first an SSH flow
    p, out, _ = flows(vigil, [os.path.join(base, "logstash-codec-netflow", "ipfix.dat")])
    check(len(out) == 12, f"ipfix.dat: {len(out)} flows, want 12")
    check("1 options records" in p.stderr, "ipfix.dat: its options record")
    if out:
        f = out[0]
        got = (f["src"], f["src_port"], f["dst"], f["dst_port"], f["proto"], f["packets"], f["octets"], f["tcp_flags"])
        check(got == ("192.168.253.1", 60560, "192.168.253.128", 22, 6, 5, 260, 0x10), f"ipfix.dat first flow: {got}")
        # sysUpTime resolved through systemInitTimeMilliseconds: the export was at 11:20:26
        check(f["start"].startswith("2015-05-13T11:20:") and f["end"] <= "2015-05-13T11:20:27",
              f"ipfix.dat times {f['start']} {f['end']}")

    # ipfixcol2: 3979 flows; 215.25.53.107 scans 110 hosts on tcp/22
    p, out, _ = flows(vigil, [os.path.join(base, "ipfixcol2", "example_flows.ipfix")])
    check(len(out) == 3979, f"example_flows.ipfix: {len(out)} flows, want 3979")
    ssh = collections.defaultdict(set)
    for f in out:
        if f["proto"] == 6 and f.get("dst_port") == 22:
            ssh[f["src"]].add(f["dst"])
    check(len(ssh["215.25.53.107"]) == 110, f"215.25.53.107 reaches {len(ssh['215.25.53.107'])} hosts on tcp/22")
    check(all(f["sampling"] == 1 for f in out), "example_flows.ipfix: samplingInterval 0 reads as 1:1")
    check(all("2015-08-03T12:08" <= f["start"] < "2015-08-03T12:12" for f in out), "example_flows.ipfix times")

    # pmacct captures against nfacctd's expected totals
    pm = os.path.join(base, "pmacct-test-automation")
    for test in sorted(os.listdir(pm)) if os.path.isdir(pm) else []:
        d = os.path.join(pm, test)
        pcaps = sorted(os.path.join(d, n) for n in os.listdir(d) if n.endswith(".pcap"))
        golden = os.path.join(d, "output-flow-00.json")
        if not pcaps or not os.path.exists(golden):
            continue
        p, out, rejected = flows(vigil, pcaps)
        check(rejected == 0 and p.returncode == 0, f"{test}: {rejected} rejected")
        gp, go = golden_totals(golden)
        op, oo = our_totals(out)
        check(gp == op, f"{test}: packets per 5-tuple differ from nfacctd's: ours {dict(op)} theirs {dict(gp)}")
        check(go == oo, f"{test}: bytes per 5-tuple differ from nfacctd's")
        if test.startswith("104"):
            check(out and all(f["sampling"] == 256 for f in out), f"{test}: sampling 1:256 from the options template")
        print(f"{test}: {len(out)} flows, {len(gp)} 5-tuples agree with nfacctd")

    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
