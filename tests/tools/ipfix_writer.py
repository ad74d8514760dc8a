"""A small IPFIX (RFC 7011) writer for vigil's regression cases and demo.

It writes what a collector stores when it keeps the messages as they came:
IPFIX messages back to back, each with its own header and Length field
(the layout of ipfixcol2's example_flows.ipfix). The first message carries
the templates; data sets follow, a bounded number of records per message,
export time and sequence numbers as an exporter would set them.

Counters use the reduced-size encoding of RFC 7011 section 6.2 (4 bytes),
as ipfixcol2's sample does. Sampling, when given, is announced one of two ways:
  "options": an Options Template record scoped to the observation domain
             with samplingPacketInterval (305) = 1 and samplingPacketSpace
             (306) = N - 1 (RFC 5476: select 1, skip N - 1), as PSAMP
             exporters send it;
  "record":  samplingInterval (34) = N in every data record, as older
             NetFlow-style exporters do.

Python 3 standard library only; the output depends only on the flows added,
so generated files are byte-for-byte reproducible.
"""
import ipaddress
import struct

# Information Element ids (IANA "IPFIX Information Elements")
OCTET_DELTA = 1
PACKET_DELTA = 2
PROTOCOL = 4
TCP_FLAGS = 6
SRC_PORT = 7
SRC_V4 = 8
DST_PORT = 11
DST_V4 = 12
SRC_V6 = 27
DST_V6 = 28
SAMPLING_INTERVAL = 34
OBSERVATION_DOMAIN = 149
START_MS = 152
END_MS = 153
PKT_INTERVAL = 305
PKT_SPACE = 306

TPL_V4, TPL_V6, TPL_OPTIONS = 256, 257, 258

# TCP flag bits
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

_MAX_RECORDS = 120              # per message: about what fits a jumbo-free UDP datagram ten times over


class IpfixFile:
    def __init__(self, odid=1, sampling=None, style="options"):
        if style not in ("options", "record"):
            raise ValueError("style is 'options' or 'record'")
        self.odid = odid
        self.sampling = sampling
        self.style = style
        self.flows = []

    def add(self, start_ms, src, dst, sport, dport, proto=6, packets=3, octets=180, flags=SYN | ACK | FIN,
            duration_ms=800):
        """One flow record: addresses as text, times in ms since the epoch."""
        s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
        if s.version != d.version:
            raise ValueError("source and destination of one flow must be the same family")
        self.flows.append((s, d, sport, dport, proto, flags, packets, octets, start_ms, start_ms + duration_ms))

    # ---- encoding --------------------------------------------------------

    def _per_record_sampling(self):
        return self.sampling is not None and self.style == "record"

    def _fields(self, v6):
        f = [(SRC_V6 if v6 else SRC_V4, 16 if v6 else 4), (DST_V6 if v6 else DST_V4, 16 if v6 else 4),
             (SRC_PORT, 2), (DST_PORT, 2), (PROTOCOL, 1), (TCP_FLAGS, 1),
             (PACKET_DELTA, 4), (OCTET_DELTA, 4), (START_MS, 8), (END_MS, 8)]
        if self._per_record_sampling():
            f.append((SAMPLING_INTERVAL, 4))
        return f

    def _template_set(self):
        body = b""
        for tid, v6 in ((TPL_V4, False), (TPL_V6, True)):
            fields = self._fields(v6)
            body += struct.pack("!HH", tid, len(fields))
            body += b"".join(struct.pack("!HH", ie, ln) for ie, ln in fields)
        return struct.pack("!HH", 2, 4 + len(body)) + body

    def _options_sets(self):
        if self.sampling is None or self.style != "options":
            return b""
        fields = [(OBSERVATION_DOMAIN, 4), (PKT_INTERVAL, 4), (PKT_SPACE, 4)]
        body = struct.pack("!HHH", TPL_OPTIONS, len(fields), 1)
        body += b"".join(struct.pack("!HH", ie, ln) for ie, ln in fields)
        tpl = struct.pack("!HH", 3, 4 + len(body)) + body
        rec = struct.pack("!III", self.odid, 1, self.sampling - 1)
        data = struct.pack("!HH", TPL_OPTIONS, 4 + len(rec)) + rec
        return tpl + data

    def _record(self, f):
        s, d, sport, dport, proto, flags, packets, octets, start, end = f
        rec = s.packed + d.packed + struct.pack("!HHBBIIQQ", sport, dport, proto, flags, packets, octets, start, end)
        if self._per_record_sampling():
            rec += struct.pack("!I", self.sampling)
        return rec

    def _message(self, sets, export_s, seq):
        return struct.pack("!HHIII", 10, 16 + len(sets), export_s, seq, self.odid) + sets

    def to_bytes(self):
        out, seq = [], 0
        head = self._template_set() + self._options_sets()
        first_time = min((f[8] for f in self.flows), default=0)
        if not self.flows:
            return self._message(head, first_time // 1000, 0)
        for i in range(0, len(self.flows), _MAX_RECORDS):
            chunk = self.flows[i:i + _MAX_RECORDS]
            sets = head
            head = b""
            for tid, v6 in ((TPL_V4, False), (TPL_V6, True)):
                recs = b"".join(self._record(f) for f in chunk if (f[0].version == 6) == v6)
                if recs:
                    sets += struct.pack("!HH", tid, 4 + len(recs)) + recs
            export_s = (max(f[9] for f in chunk) + 999) // 1000
            out.append(self._message(sets, export_s, seq))
            seq += len(chunk)
        return b"".join(out)

    def write(self, path):
        with open(path, "wb") as fh:
            fh.write(self.to_bytes())


def parse(data):
    """Read back what IpfixFile writes (templates, options, data): a check
    for the writer itself, not a general decoder. Returns (sampling, flows)
    with flows as dicts."""
    templates, flows, sampling, pos = {}, [], None, 0
    while pos < len(data):
        version, length, _export, _seq, _odid = struct.unpack_from("!HHIII", data, pos)
        if version != 10 or length < 16:
            raise ValueError("bad message header at %d" % pos)
        end, p = pos + length, pos + 16
        while p < end:
            sid, slen = struct.unpack_from("!HH", data, p)
            body, p = data[p + 4:p + slen], p + slen
            if sid in (2, 3):
                q = 0
                while q + 4 <= len(body):
                    tid, n = struct.unpack_from("!HH", body, q)
                    q += 6 if sid == 3 else 4
                    fields = [struct.unpack_from("!HH", body, q + 4 * i) for i in range(n)]
                    q += 4 * n
                    templates[tid] = fields
            else:
                fields = templates[sid]
                size = sum(ln for _, ln in fields)
                for r in range(0, len(body) - size + 1, size):
                    rec, off = {}, r
                    for ie, ln in fields:
                        raw = body[off:off + ln]
                        off += ln
                        if ie in (SRC_V4, DST_V4, SRC_V6, DST_V6):
                            rec[ie] = str(ipaddress.ip_address(raw))
                        else:
                            rec[ie] = int.from_bytes(raw, "big")
                    if PKT_INTERVAL in rec:
                        sampling = (rec[PKT_INTERVAL] + rec[PKT_SPACE]) // rec[PKT_INTERVAL]
                    else:
                        flows.append(rec)
        pos = end
    return sampling, flows
