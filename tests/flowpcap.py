"""Deterministic synthetic packet captures for the flow-export tests.

Writes classic pcap files (microsecond timestamps, Ethernet) by hand: TCP
sessions with a handshake, data both ways and a FIN close; connection
attempts refused with RST; UDP request/response pairs; and, optionally, an
SSH brute-force burst from one outside address. Everything is derived from
a seed, so the same arguments always give the same bytes.

The file is only ever read by softflowd (-r), never replayed to a network,
so the addresses are documentation and private ranges.
"""
import random
import struct

ETH_IPV4 = 0x0800
TCP, UDP = 6, 17
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(text):
    return bytes(int(x) for x in text.split("."))


class Capture:
    """Packets collected with their times, written out in time order."""

    def __init__(self):
        self.packets = []       # (time_us, seq, frame)
        self._ip_id = 0

    def flows(self):
        """What softflowd should report: one flow per direction of each
        5-tuple (src, dst, sport, dport, proto) -> [packets, bytes (IP
        total length), first time, last time] in microseconds. softflowd
        tracks a conversation as one flow and gives both of its records the
        conversation's first and last packet times, so the times here are
        those of both directions together."""
        out, conv = {}, {}
        for t_us, _, frame in self.packets:
            ip = frame[14:]
            total, proto = struct.unpack("!H", ip[2:4])[0], ip[9]
            src, dst = ".".join(map(str, ip[12:16])), ".".join(map(str, ip[16:20]))
            sport, dport = struct.unpack("!HH", ip[20:24])
            f = out.setdefault((src, dst, sport, dport, proto), [0, 0])
            f[0] += 1
            f[1] += total
            c = conv.setdefault((frozenset(((src, sport), (dst, dport))), proto), [t_us, t_us])
            c[0], c[1] = min(c[0], t_us), max(c[1], t_us)
        for (src, dst, sport, dport, proto), f in out.items():
            f += conv[(frozenset(((src, sport), (dst, dport))), proto)]
        return out

    def _frame(self, src, dst, proto, l4):
        self._ip_id = (self._ip_id + 1) & 0xFFFF
        total = 20 + len(l4)
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, self._ip_id, 0x4000, 64, proto, 0,
                          ip4(src), ip4(dst))
        hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
        eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + struct.pack("!H", ETH_IPV4)
        return eth + hdr + l4

    def _pseudo(self, src, dst, proto, l4):
        return ip4(src) + ip4(dst) + struct.pack("!BBH", 0, proto, len(l4))

    def tcp(self, t_us, src, dst, sport, dport, flags, seq=0, ack=0, payload=b""):
        seg = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags,
                          65535, 0, 0) + payload
        csum = checksum(self._pseudo(src, dst, TCP, seg) + seg)
        seg = seg[:16] + struct.pack("!H", csum) + seg[18:]
        self.packets.append((t_us, len(self.packets), self._frame(src, dst, TCP, seg)))

    def udp(self, t_us, src, dst, sport, dport, payload):
        dgram = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
        csum = checksum(self._pseudo(src, dst, UDP, dgram) + dgram) or 0xFFFF
        dgram = dgram[:6] + struct.pack("!H", csum) + dgram[8:]
        self.packets.append((t_us, len(self.packets), self._frame(src, dst, UDP, dgram)))

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for t_us, _, frame in sorted(self.packets):
                f.write(struct.pack("<IIII", t_us // 1_000_000, t_us % 1_000_000, len(frame), len(frame)))
                f.write(frame)


def session(cap, rng, t_us, client, server, cport, sport, req, resp):
    """A whole TCP session: handshake, request, response, FIN both ways."""
    c, s = rng.randrange(1 << 32), rng.randrange(1 << 32)
    step = lambda: rng.randrange(200, 5000)
    t = t_us
    cap.tcp(t, client, server, cport, sport, SYN, c)
    t += step(); cap.tcp(t, server, client, sport, cport, SYN | ACK, s, c + 1)
    t += step(); cap.tcp(t, client, server, cport, sport, ACK, c + 1, s + 1)
    t += step(); cap.tcp(t, client, server, cport, sport, PSH | ACK, c + 1, s + 1, req)
    t += step(); cap.tcp(t, server, client, sport, cport, PSH | ACK, s + 1, c + 1 + len(req), resp)
    t += step(); cap.tcp(t, client, server, cport, sport, FIN | ACK, c + 1 + len(req), s + 1 + len(resp))
    t += step(); cap.tcp(t, server, client, sport, cport, FIN | ACK, s + 1 + len(resp), c + 2 + len(req))
    t += step(); cap.tcp(t, client, server, cport, sport, ACK, c + 2 + len(req), s + 2 + len(resp))


def refused(cap, rng, t_us, client, server, cport, sport):
    """A connection attempt to a closed port: SYN, then RST from the server."""
    c = rng.randrange(1 << 32)
    cap.tcp(t_us, client, server, cport, sport, SYN, c)
    cap.tcp(t_us + rng.randrange(100, 900), server, client, sport, cport, RST | ACK, 0, c + 1)


def build(path, seed=7, start_us=1_772_359_200_000_000, sessions=60, refusals=12, udp_pairs=20,
          brute_force=None):
    """Write the capture and return it (Capture.flows() tells what it holds).

    start_us defaults to 2026-03-01T10:00:00Z. brute_force, when given, is
    (attacker, victim, attempts, seconds): that many short SSH sessions from
    one address within that many seconds, each a failed login (a small
    exchange, then the server closes).
    """
    rng = random.Random(seed)
    cap = Capture()
    clients = [f"10.1.0.{i}" for i in range(10, 20)]
    servers = {22: "10.2.0.22", 3389: "10.2.0.33", 443: "10.2.0.44", 80: "10.2.0.80"}
    t = start_us
    for i in range(sessions):
        port = [22, 3389, 443, 80][i % 4]
        size = rng.randrange(40, 900)
        session(cap, rng, t, rng.choice(clients), servers[port], 1024 + (38976 + i) % 64000, port,
                bytes(rng.randrange(256) for _ in range(rng.randrange(20, 300))), bytes(size))
        t += rng.randrange(50_000, 400_000)
    for i in range(refusals):
        refused(cap, rng, start_us + 1_000_000 + i * 70_000, rng.choice(clients), "10.2.0.99", 1024 + (43976 + i) % 64000,
                2223 + i % 8)
    for i in range(udp_pairs):
        q = start_us + 500_000 + i * 90_000
        client = rng.choice(clients)
        cport = 1024 + (48976 + i) % 64000
        cap.udp(q, client, "10.2.0.53", cport, 53, bytes(rng.randrange(256) for _ in range(32)))
        cap.udp(q + rng.randrange(300, 3000), "10.2.0.53", client, 53, cport, bytes(96))
    if brute_force:
        attacker, victim, attempts, seconds = brute_force
        for i in range(attempts):
            at = start_us + 2_000_000 + i * seconds * 1_000_000 // attempts
            session(cap, rng, at, attacker, victim, 1024 + (28976 + i) % 64000, 22, b"SSH-2.0-libssh_0.9.6\r\n" + bytes(40),
                    b"SSH-2.0-OpenSSH_9.2\r\n" + bytes(300))
    cap.write(path)
    return cap
