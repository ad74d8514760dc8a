#!/usr/bin/env python3
"""Writes the hand-made seed inputs of fuzz_ipfix, fuzz_netflow9 and
fuzz_pcap into tests/fuzz/corpus/. Small messages that reach every part of
the decoders (templates, options, varlen, enterprise and reverse fields,
withdrawals, v9 scopes, v5, link types), so the fuzzer starts deep.
Run it again after changing it; the files are committed."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
EXPORT = 1700000000


def fs(ie, length, pen=0):
    if pen:
        return struct.pack(">HHI", ie | 0x8000, length, pen)
    return struct.pack(">HH", ie, length)


def ipfix_set(set_id, body):
    return struct.pack(">HH", set_id, 4 + len(body)) + body


def ipfix_msg(seq, odid, *sets):
    body = b"".join(sets)
    return struct.pack(">HHIII", 10, 16 + len(body), EXPORT, seq, odid) + body


def tpl(tid, *fields, scope=None):
    head = struct.pack(">HH", tid, len(fields)) if scope is None else struct.pack(">HHH", tid, len(fields), scope)
    return head + b"".join(fields)


def v4(a, b, c, d):
    return bytes([a, b, c, d])


def basic_ipfix():
    t = tpl(256, fs(8, 4), fs(12, 4), fs(7, 2), fs(11, 2), fs(4, 1), fs(6, 1), fs(1, 8), fs(2, 8), fs(152, 8), fs(153, 8))
    rec = v4(10, 0, 0, 1) + v4(192, 0, 2, 9) + struct.pack(">HHBBQQQQ", 40000, 22, 6, 0x12, 500, 5,
                                                           EXPORT * 1000 - 5000, EXPORT * 1000)
    return ipfix_msg(0, 1, ipfix_set(2, t), ipfix_set(256, rec + rec))


def sampling_ipfix():
    opt = tpl(257, fs(302, 4), fs(304, 2), fs(309, 4), fs(310, 4), fs(335, 0xFFFF), scope=1)
    orec = struct.pack(">IHII", 1, 3, 1, 256) + b"\x04smpl"
    init = tpl(258, fs(143, 4), fs(160, 8), scope=1)
    irec = struct.pack(">IQ", 1, EXPORT * 1000 - 3600000)
    data = tpl(260, fs(8, 4), fs(2, 4), fs(302, 2), fs(22, 4), fs(21, 4))
    drec = v4(10, 9, 9, 9) + struct.pack(">IHII", 3, 1, 1000, 2000)
    m1 = ipfix_msg(0, 5, ipfix_set(3, opt + init), ipfix_set(257, orec), ipfix_set(258, irec))
    m2 = ipfix_msg(2, 5, ipfix_set(2, data), ipfix_set(260, drec * 3))
    return m1 + m2


def varlen_ipfix():
    t = tpl(400, fs(27, 16), fs(82, 0xFFFF), fs(28, 16), fs(33, 2, 6871), fs(210, 3), fs(18, 0xFFFF, 6871),
            fs(85, 4), fs(85, 4, 29305), fs(86, 2, 29305), fs(311, 8))
    src = bytes(range(16))
    rec1 = src + b"\x03eth" + src + b"\x00\x07" + b"\x00" * 3 + b"\x00" + struct.pack(">IIH", 10, 20, 3) + \
        struct.pack(">d", 0.01)
    rec2 = src + b"\xff\x01\x00" + b"x" * 256 + src + b"\x00\x07" + b"\x00" * 3 + b"\x02ab" + \
        struct.pack(">IIH", 11, 22, 4) + struct.pack(">d", 0.5)
    return ipfix_msg(0, 0, ipfix_set(2, t), ipfix_set(400, rec1 + rec2))


def withdrawal_ipfix():
    t1 = tpl(256, fs(8, 4), fs(2, 4))
    t2 = tpl(256, fs(12, 4), fs(1, 2))
    rec = v4(1, 2, 3, 4) + struct.pack(">I", 7)
    return (ipfix_msg(0, 0, ipfix_set(2, t1), ipfix_set(256, rec)) +
            ipfix_msg(1, 0, ipfix_set(2, struct.pack(">HH", 256, 0))) +
            ipfix_msg(1, 0, ipfix_set(256, rec)) +
            ipfix_msg(1, 0, ipfix_set(2, t2), ipfix_set(256, v4(5, 6, 7, 8) + b"\x00\x09")) +
            ipfix_msg(2, 0, ipfix_set(2, struct.pack(">HH", 2, 0)), ipfix_set(3, struct.pack(">HH", 3, 0))))


def v5_packet(seq, n):
    head = struct.pack(">HHIIIIBBH", 5, n, 100000, EXPORT, 0, seq, 1, 2, 0x4000 | 100)
    rec = v4(10, 5, 0, 1) + v4(192, 0, 2, 80) + v4(0, 0, 0, 0) + struct.pack(
        ">HHIIIIHHBBBBHHBBH", 1, 2, 4, 400, 97000, 99000, 50000, 22, 0, 0x1B, 6, 0, 0, 0, 24, 24, 0)
    return head + rec * n


def v9_flowset(fid, body):
    while (len(body) + 4) % 4:
        body += b"\x00"
    return struct.pack(">HH", fid, 4 + len(body)) + body


def v9_packet(seq, *flowsets):
    return struct.pack(">HHIIII", 9, len(flowsets), 100000, EXPORT, seq, 3) + b"".join(flowsets)


def v9_template():
    fields = [(8, 4), (12, 4), (1, 4), (2, 4), (22, 4), (21, 4), (7, 2), (11, 2), (4, 1), (6, 1), (48, 1)]
    return v9_flowset(0, struct.pack(">HH", 256, len(fields)) + b"".join(struct.pack(">HH", *f) for f in fields))


def v9_data(n):
    rec = v4(10, 0, 0, 1) + v4(203, 0, 113, 9) + struct.pack(">IIIIHHBBB", 1500, 3, 90000, 98000, 51000, 3389, 6, 2, 5)
    return v9_flowset(256, rec * n)


def v9_options():
    body = struct.pack(">HHH", 300, 4, 12) + struct.pack(">HH", 1, 4) + \
        struct.pack(">HHHHHH", 48, 1, 49, 1, 50, 4)
    opt = v9_flowset(1, body)
    odata = v9_flowset(300, struct.pack(">IBBI", 0, 5, 2, 1000))
    s34 = v9_flowset(1, struct.pack(">HHH", 301, 4, 8) + struct.pack(">HHHHHH", 2, 4, 34, 4, 35, 1))
    d34 = v9_flowset(301, struct.pack(">IIB", 0, 64, 1))
    return opt + odata + s34 + d34


def chunks(*datagrams):
    return b"".join(struct.pack(">H", len(d)) + d for d in datagrams)


def pcap(linktype, frames):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)
    for f in frames:
        out += struct.pack("<IIII", EXPORT, 0, len(f), len(f)) + f
    return out


def udp4(payload, sport=50000, dport=4739):
    udp = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, v4(192, 0, 2, 1), v4(192, 0, 2, 2)) + udp


def udp6(payload, sport=50000, dport=2055):
    udp = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
    hop = bytes([17, 0, 0, 0, 0, 0, 0, 0])
    return struct.pack(">IHBB", 0x60000000, len(hop) + len(udp), 0, 64) + bytes(range(16)) + bytes(range(16, 32)) + hop + udp


def ether(et, payload, vlans=()):
    head = bytes(12)
    for tpid, tag in vlans:
        head += struct.pack(">HH", tpid, tag)
    return head + struct.pack(">H", et) + payload


def pcapng(frame):
    shb = struct.pack("<IIIHHqI", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1, 28)
    idb = struct.pack("<IIHHII", 1, 20, 1, 0, 65535, 20)
    pad = (4 - len(frame) % 4) % 4
    blen = 32 + len(frame) + pad
    epb = struct.pack("<IIIIIII", 6, blen, 0, 0, 0, len(frame), len(frame)) + frame + bytes(pad) + struct.pack("<I", blen)
    return shb + idb + epb


def write(corpus, name, data):
    d = os.path.join(HERE, "corpus", corpus)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    write("ipfix", "basic", basic_ipfix())
    write("ipfix", "sampling-uptime", sampling_ipfix())
    write("ipfix", "varlen-enterprise-reverse", varlen_ipfix())
    write("ipfix", "withdrawal", withdrawal_ipfix())
    write("ipfix", "v5", v5_packet(0, 2) + v5_packet(2, 1))
    write("netflow9", "template-then-data", chunks(v9_packet(0, v9_template()), v9_packet(1, v9_data(3))))
    write("netflow9", "options-samplers", chunks(v9_packet(0, v9_options() + v9_template()), v9_packet(1, v9_data(2)),
                                                 v9_packet(5, v9_data(1))))
    write("netflow9", "mixed-versions", chunks(v5_packet(0, 1), basic_ipfix(), v9_packet(0, v9_template() + v9_data(1))))
    write("pcap", "ethernet-vlan-ipfix", pcap(1, [ether(0x8100, struct.pack(">HH", 10, 0x0800) + udp4(basic_ipfix()))]))
    write("pcap", "pcapng-ipv6-v9", pcapng(ether(0x86DD, udp6(v9_packet(0, v9_template() + v9_data(1))))))
    write("pcap", "sll2-v5", pcap(276, [struct.pack(">H", 0x0800) + bytes(18) + udp4(v5_packet(0, 1), dport=2055)]))
    write("pcap", "raw-fragment", pcap(101, [udp4(b"x" * 20)[:6] + b"\x20\x00" + udp4(b"x" * 20)[8:], udp4(b"ok")]))


if __name__ == "__main__":
    main()
