#!/usr/bin/env python3
"""vigil run, the streaming daemon, from the outside: configuration and
start-up errors, UDP and TCP intake (partial messages, garbage), two
exporters whose templates share an id, SIGUSR1 and SIGTERM, state kept
across a restart, the idle watermark.

Usage: run_daemon.py VIGIL
"""
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ipfixmsg as ipx  # noqa: E402
from vigiltest import VigilRun, check, keep_if_failed, result, wait_for, write  # noqa: E402

VIGIL = sys.argv[1]
HOUR_MS = 3600 * 1000


def run_once(args, timeout=10):
    return subprocess.run([VIGIL] + args, capture_output=True, text=True, timeout=timeout)


def Daemon(tmp, name, run_keys, top=""):
    """vigil run with its own config; the listeners' ports are read back
    from its start-up lines (the config asks for port 0)."""
    return VigilRun(VIGIL, tmp, name, run_keys, top)


def quiet_keys(**over):
    keys = {"ipfix_udp": '"127.0.0.1:0"', "netflow_udp": "null", "ipfix_tcp": "null", "stats_interval": "0s",
            "idle_advance": "0s"}
    keys.update(over)
    return keys


def udp_socket(family=socket.AF_INET, host="127.0.0.1"):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind((host, 0))
    return s


# A template of the usual layout, and one with the same id but its fields
# in another order and other sizes, as two different exporters may send.
LAYOUT_A = [ipx.SRC4, ipx.DST4, ipx.SPORT, ipx.DPORT, ipx.PROTO, ipx.PACKETS4, ipx.OCTETS4, ipx.START_MS,
            ipx.END_MS]
LAYOUT_B = [ipx.OCTETS8, ipx.PACKETS8, ipx.START_MS, ipx.END_MS, ipx.DST4, ipx.SRC4, ipx.DPORT, ipx.SPORT,
            ipx.PROTO]


def flow_a(src, dst, sport, dport, packets, octets, start_ms):
    return (src, dst, sport, dport, 6, packets, octets, start_ms, start_ms + 500)


def flow_b(src, dst, sport, dport, packets, octets, start_ms):
    return (octets, packets, start_ms, start_ms + 500, dst, src, dport, sport, 6)


def summary_of(f):
    return (f["src"], f["dst"], f["src_port"], f["dst_port"], f["packets"], f["octets"])


# ---- the checks -------------------------------------------------------------


def config_errors(tmp):
    p = run_once(["run", "--config", os.path.join(tmp, "missing.yaml")])
    check("unreadable config: exit 2, one line", p.returncode == 2 and "missing.yaml" in p.stderr and
          p.stderr.count("\n") == 1, p.stderr)
    cases = [
        ("unknown key: exit 2 naming it", "run:\n  ipfix_upd: '127.0.0.1:0'\n", "ipfix_upd"),
        ("bad listen address: exit 2 naming key and value", "run:\n  ipfix_udp: 'localhost:4739'\n",
         "run.ipfix_udp: udp listener: 'localhost:4739' is not an address and port"),
        ("port out of range", "run:\n  netflow_udp: '0.0.0.0:70000'\n", "'0.0.0.0:70000'"),
        ("nothing to listen on", "run:\n  ipfix_udp: null\n  netflow_udp: null\n  ipfix_tcp: null\n",
         "nothing to listen on"),
        ("unreadable threat-intel file", "run:\n  ipfix_udp: '127.0.0.1:0'\n  netflow_udp: null\n"
         "  ipfix_tcp: null\n  intel: [tor=/nonexistent/tor.txt]\n", "/nonexistent/tor.txt"),
        ("unreadable GeoIP database", "run:\n  ipfix_udp: '127.0.0.1:0'\n  netflow_udp: null\n"
         "  ipfix_tcp: null\n  geoip: [/nonexistent/City.mmdb]\n",
         "cannot read GeoIP database /nonexistent/City.mmdb"),
        ("unwritable flow log", "run:\n  ipfix_udp: '127.0.0.1:0'\n  netflow_udp: null\n  ipfix_tcp: null\n"
         "  flow_log: /nonexistent/dir/flows.jsonl\n", "run.flow_log: cannot write /nonexistent/dir/flows.jsonl"),
        ("state directory on a file", "run:\n  ipfix_udp: '127.0.0.1:0'\n  netflow_udp: null\n  ipfix_tcp: null\n"
         f"  state: {os.path.abspath(__file__)}\n", "vigil run:"),
    ]
    for i, (name, text, needle) in enumerate(cases):
        p = run_once(["run", "--config", write(os.path.join(tmp, f"bad{i}.yaml"), text)])
        check(name, p.returncode == 2 and needle in p.stderr and p.stderr.count("\n") == 1, p.stderr)


def port_in_use(tmp):
    busy = udp_socket()
    port = busy.getsockname()[1]
    p = run_once(["run", "--config", write(os.path.join(tmp, "busy.yaml"),
                                           f"run:\n  ipfix_udp: '127.0.0.1:{port}'\n  ipfix_tcp: null\n")])
    check("UDP port in use: exit 2, one line naming key, address and cause",
          p.returncode == 2 and p.stderr.count("\n") == 1 and "run.ipfix_udp" in p.stderr and
          f"127.0.0.1:{port}" in p.stderr and "Address already in use" in p.stderr, p.stderr)
    busy.close()
    lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lst.bind(("127.0.0.1", 0))
    lst.listen(1)
    port = lst.getsockname()[1]
    p = run_once(["run", "--config", write(os.path.join(tmp, "busy2.yaml"),
                                           f"run:\n  ipfix_udp: null\n  netflow_udp: null\n"
                                           f"  ipfix_tcp: '127.0.0.1:{port}'\n")])
    check("TCP port in use: exit 2", p.returncode == 2 and "run.ipfix_tcp" in p.stderr and
          "Address already in use" in p.stderr, p.stderr)
    lst.close()


def two_exporters(tmp):
    """Two exporters define template 256 differently; each one's data must
    be read with its own template, wherever the datagrams interleave."""
    d = Daemon(tmp, "two-exporters", quiet_keys(flow_log=os.path.join(tmp, "two-exporters", "flows.jsonl")))
    a, b = udp_socket(), udp_socket()
    to = ("127.0.0.1", d.ports["run.ipfix_udp"])
    t0 = int(time.time() * 1000) - HOUR_MS
    a.sendto(ipx.message(t0 // 1000, 0, 1, ipx.template_set(256, LAYOUT_A)), to)
    b.sendto(ipx.message(t0 // 1000, 0, 1, ipx.template_set(256, LAYOUT_B)), to)
    a.sendto(ipx.message(t0 // 1000, 0, 1, ipx.data_set(256, LAYOUT_A, [
        flow_a("192.0.2.1", "198.51.100.1", 40001, 22, 5, 500, t0)])), to)
    b.sendto(ipx.message(t0 // 1000, 0, 1, ipx.data_set(256, LAYOUT_B, [
        flow_b("192.0.2.2", "198.51.100.2", 40002, 3389, 7, 700, t0 + 1000),
        flow_b("192.0.2.3", "198.51.100.3", 40003, 443, 9, 900, t0 + 2000)])), to)
    a.sendto(ipx.message(t0 // 1000, 1, 1, ipx.data_set(256, LAYOUT_A, [
        flow_a("192.0.2.4", "198.51.100.4", 40004, 80, 11, 1100, t0 + 3000)])), to)
    wait_for(lambda: len(d.flows()) >= 4 or d.proc.poll() is not None, 5)
    rc = d.stop()
    got = sorted(summary_of(f) + (f["exporter"].rsplit(":", 1)[1],) for f in d.flows())
    want = sorted([("192.0.2.1", "198.51.100.1", 40001, 22, 5, 500, str(a.getsockname()[1])),
                   ("192.0.2.2", "198.51.100.2", 40002, 3389, 7, 700, str(b.getsockname()[1])),
                   ("192.0.2.3", "198.51.100.3", 40003, 443, 9, 900, str(b.getsockname()[1])),
                   ("192.0.2.4", "198.51.100.4", 40004, 80, 11, 1100, str(a.getsockname()[1]))])
    check("two exporters, same template id: each decoded with its own", rc == 0 and got == want,
          f"{got}\n{d.stderr()}")
    a.close()
    b.close()


def tcp_intake(tmp):
    d = Daemon(tmp, "tcp", quiet_keys(ipfix_udp="null", ipfix_tcp='"127.0.0.1:0"',
                                      flow_log=os.path.join(tmp, "tcp", "flows.jsonl")))
    port = d.ports["run.ipfix_tcp"]
    t0 = int(time.time() * 1000) - HOUR_MS
    msgs = ipx.message(t0 // 1000, 0, 7, ipx.template_set(300, LAYOUT_A)) + \
        ipx.message(t0 // 1000, 0, 7, ipx.data_set(300, LAYOUT_A, [
            flow_a("192.0.2.10", "198.51.100.10", 50000 + i, 22, i + 1, 100 * (i + 1), t0 + i) for i in range(3)])) + \
        ipx.message(t0 // 1000, 3, 7, ipx.data_set(300, LAYOUT_A, [
            flow_a("192.0.2.11", "198.51.100.11", 51000, 3389, 2, 222, t0 + 10)]))
    c = socket.create_connection(("127.0.0.1", port))
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for i in range(0, len(msgs), 7):          # in pieces that cut headers and records
        c.sendall(msgs[i:i + 7])
        time.sleep(0.002)
    g = socket.create_connection(("127.0.0.1", port))
    g.sendall(b"GET / HTTP/1.1\r\nHost: vigil\r\n\r\n")
    closed = g.recv(100) == b""
    wait_for(lambda: len(d.flows()) >= 4, 5)
    d.signal(signal.SIGUSR1)
    wait_for(lambda: "vigil run: stats" in d.stderr(), 5)
    c.close()
    rc = d.stop()
    err = d.stderr()
    flows = sorted(summary_of(f) for f in d.flows())
    check("TCP: messages in small pieces are framed and decoded", rc == 0 and len(flows) == 4 and
          flows[0] == ("192.0.2.10", "198.51.100.10", 50000, 22, 1, 100) and
          ("192.0.2.11", "198.51.100.11", 51000, 3389, 2, 222) in flows, f"{flows}\n{err}")
    check("TCP: a connection that is not IPFIX is closed, counted and reported",
          closed and "1 closed as not IPFIX" in err and "not an IPFIX message on TCP" in err and
          "(from 127.0.0.1:" in err, err)
    check("SIGUSR1 prints the counters while running", "vigil run: stats after" in err and
          "2 accepted" in err, err)


def state_across_restart(tmp):
    state = os.path.join(tmp, "state")
    alerts = os.path.join(tmp, "alerts.jsonl")
    keys = quiet_keys(state=state, alerts=alerts)
    d = Daemon(tmp, "state1", keys)
    t0 = int(time.time() * 1000) - 2 * HOUR_MS
    s = udp_socket()
    to = ("127.0.0.1", d.ports["run.ipfix_udp"])
    s.sendto(ipx.message(t0 // 1000, 0, 1, ipx.template_set(256, LAYOUT_A),
                         ipx.data_set(256, LAYOUT_A, [flow_a("192.0.2.7", "198.51.100.7", 40000, 22, 3, 300, t0),
                                                      flow_a("192.0.2.7", "198.51.100.8", 40001, 22, 3, 300,
                                                             t0 + 4321)])), to)
    wait_for(lambda: False, 0.5)
    rc = d.stop()
    err = d.stderr()
    db = os.path.join(state, "vigil.db")
    wm = None
    if os.path.exists(db):
        row = sqlite3.connect(db).execute("select value from meta where key = 'watermark'").fetchone()
        wm = row[0] if row else None
    want = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime((t0 + 4321) // 1000))
    check("SIGTERM: exit 0, final counters, state saved with the watermark",
          rc == 0 and "stopped by SIGTERM" in err and "flows: 2" in err and wm is not None and
          wm.startswith(want), f"watermark {wm}, want {want}...\n{err}")
    d2 = Daemon(tmp, "state2", keys)
    d2.signal(signal.SIGUSR1)
    wait_for(lambda: "vigil run: stats" in d2.stderr(), 5)
    rc2 = d2.stop()
    err2 = d2.stderr()
    check("a second run resumes from the saved state", rc2 == 0 and "resumed at watermark " + want in err2 and
          f"state: {state}" in err2, err2)


def checkpoint_survives_a_crash(tmp):
    """State is saved every run.checkpoint_interval while the daemon runs,
    so a crash (SIGKILL: no clean stop) loses at most that much."""
    state = os.path.join(tmp, "crash-state")
    d = Daemon(tmp, "crash", quiet_keys(state=state, checkpoint_interval="1s"))
    t0 = int(time.time() * 1000) - 3 * HOUR_MS
    s = udp_socket()
    s.sendto(ipx.message(t0 // 1000, 0, 1, ipx.template_set(256, LAYOUT_A),
                         ipx.data_set(256, LAYOUT_A, [flow_a("192.0.2.8", "198.51.100.8", 1, 22, 1, 60, t0)])),
             ("127.0.0.1", d.ports["run.ipfix_udp"]))
    want = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t0 // 1000))
    db = os.path.join(state, "vigil.db")

    def saved():
        try:
            row = sqlite3.connect(db, timeout=1).execute("select value from meta where key = 'watermark'").fetchone()
            return row is not None and row[0].startswith(want)
        except sqlite3.Error:
            return False
    seen_while_running = wait_for(saved, 5)
    d.signal(signal.SIGKILL)
    d.stop()
    check("checkpoint: state saved while running, and still there after SIGKILL", seen_while_running and saved(),
          d.stderr())
    s.close()


def ipv6_listener(tmp):
    try:
        s = udp_socket(socket.AF_INET6, "::1")
    except OSError:
        print("skip IPv6 listener: no ::1 here")
        return
    d = Daemon(tmp, "v6", quiet_keys(ipfix_udp='"[::1]:0"', flow_log=os.path.join(tmp, "v6", "flows.jsonl")))
    t0 = int(time.time() * 1000) - HOUR_MS
    s.sendto(ipx.message(t0 // 1000, 0, 0, ipx.template_set(256, LAYOUT_A),
                         ipx.data_set(256, LAYOUT_A, [flow_a("192.0.2.9", "198.51.100.9", 1234, 22, 1, 60, t0)])),
             ("::1", d.ports["run.ipfix_udp"]))
    wait_for(lambda: len(d.flows()) == 1, 5)
    rc = d.stop()
    f = d.flows()
    check("IPv6 listener: [::1]:PORT receives, the exporter is named by its IPv6 address",
          rc == 0 and len(f) == 1 and f[0]["exporter"].startswith("[::1]:"), f"{f}\n{d.stderr()}")
    s.close()


def watermark_of(err, after):
    """The watermark of the last stats block that began after position `after`."""
    found = re.findall(r"watermark (\S+)\n", err[after:])
    return found[-1] if found else None


def idle_watermark(tmp):
    """With no flow for run.idle_advance, the watermark moves on with the
    wall clock from where the flows left it, and never past the wall clock."""
    d = Daemon(tmp, "idle", quiet_keys(idle_advance="1s"))
    s = udp_socket()
    to = ("127.0.0.1", d.ports["run.ipfix_udp"])
    t0 = (int(time.time()) - 3600) * 1000
    s.sendto(ipx.message(t0 // 1000, 0, 1, ipx.template_set(256, LAYOUT_A),
                         ipx.data_set(256, LAYOUT_A, [flow_a("192.0.2.5", "198.51.100.5", 1, 22, 1, 60, t0)])), to)
    time.sleep(2.6)
    mark = len(d.stderr())
    d.signal(signal.SIGUSR1)
    wait_for(lambda: "vigil run: stats" in d.stderr()[mark:], 5)
    wm = watermark_of(d.stderr(), mark)
    start = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t0 // 1000))
    later = [time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t0 // 1000 + k)) for k in (1, 2, 3)]
    check("idle: the watermark moved on by the quiet time", wm is not None and any(wm.startswith(x) for x in later),
          f"flow at {start}, watermark {wm}")
    # a flow from the future: idle time must not carry the watermark past the wall clock
    future = (int(time.time()) + 3600) * 1000
    s.sendto(ipx.message(t0 // 1000, 1, 1,
                         ipx.data_set(256, LAYOUT_A, [flow_a("192.0.2.5", "198.51.100.5", 2, 22, 1, 60, future)])), to)
    time.sleep(2.6)
    mark = len(d.stderr())
    d.signal(signal.SIGUSR1)
    wait_for(lambda: "vigil run: stats" in d.stderr()[mark:], 5)
    wm2 = watermark_of(d.stderr(), mark)
    fut = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(future // 1000))
    check("idle: a watermark ahead of the wall clock stays where the flows put it", wm2 == fut,
          f"watermark {wm2}, want {fut}")
    d.stop()
    s.close()


def main():
    tmp = tempfile.mkdtemp(prefix="vigil-run-")
    try:
        config_errors(tmp)
        port_in_use(tmp)
        two_exporters(tmp)
        tcp_intake(tmp)
        state_across_restart(tmp)
        checkpoint_survives_a_crash(tmp)
        ipv6_listener(tmp)
        idle_watermark(tmp)
    finally:
        keep_if_failed(tmp)
    return result("all vigil run checks passed")


if __name__ == "__main__":
    sys.exit(main())
