"""IPFIX messages (RFC 7011) built by hand for the daemon's tests.

Only what the tests need: a message header, template sets and data sets
with fixed-length fields.
"""
import socket
import struct

# information elements: (id, length)
SRC4, DST4 = (8, 4), (12, 4)
SPORT, DPORT, PROTO = (7, 2), (11, 2), (4, 1)
OCTETS4, PACKETS4 = (1, 4), (2, 4)
OCTETS8, PACKETS8 = (1, 8), (2, 8)
START_MS, END_MS = (152, 8), (153, 8)
TCP_FLAGS = (6, 1)


def message(export_s, seq, odid, *sets):
    body = b"".join(sets)
    return struct.pack("!HHIII", 10, 16 + len(body), export_s, seq, odid) + body


def template_set(template_id, fields):
    rec = struct.pack("!HH", template_id, len(fields)) + b"".join(struct.pack("!HH", i, n) for i, n in fields)
    return struct.pack("!HH", 2, 4 + len(rec)) + rec


def data_set(template_id, fields, records):
    """records: one tuple of values per record, in the order of fields;
    addresses as dotted strings, everything else as integers."""
    out = b""
    for values in records:
        for (ie, n), v in zip(fields, values):
            if n == 4 and ie in (8, 12):
                out += socket.inet_aton(v)
            else:
                out += v.to_bytes(n, "big")
    return struct.pack("!HH", template_id, 4 + len(out)) + out
