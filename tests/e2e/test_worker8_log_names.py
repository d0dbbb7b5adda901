"""Hostile bytes in client-supplied names (issue 8, item 7): C1 controls and
invalid UTF-8 in a path must reach neither ftpd.log nor xferlog raw; they are
encoded as \\xHH, and every xferlog line keeps its fields."""

import struct

import refclient
from helpers import XFER_LINE_RE


class RawStr(bytes):
    """Bytes that go on the wire as a msgpack str (not bin), unchecked."""


def _pack(v):
    """A tiny msgpack encoder for maps of str, RawStr, bytes and ints, so a
    test can send a str that is not valid UTF-8 (msgpack-python refuses)."""
    if isinstance(v, dict):
        out = bytes([0x80 | len(v)])
        for k, x in v.items():
            out += _pack(k) + _pack(x)
        return out
    if isinstance(v, bool):
        return b"\xc3" if v else b"\xc2"
    if isinstance(v, int):
        return b"\xcf" + struct.pack(">Q", v)
    if isinstance(v, RawStr) or isinstance(v, str):
        b = bytes(v) if isinstance(v, RawStr) else v.encode()
        return b"\xda" + struct.pack(">H", len(b)) + b
    if isinstance(v, bytes):
        return b"\xc4" + bytes([len(v)]) + v
    raise TypeError(type(v))


# CSI as a raw C1 byte and UTF-8 encoded, an invalid byte, a newline.
NAME = b"evil\x9b31m\xc2\x9b2J\xff\nend.txt"
ENCODED = b"evil\\x9b31m\\xc2\\x9b2J\\xff\\x0aend.txt"


def test_hostile_name_encoded_in_logs(server):
    data = b"x" * 100
    with refclient.connect("127.0.0.1", server.port,
                           refclient.read_key(server.key)) as s:
        r = s.request_raw(_pack({"op": "put", "path": RawStr(NAME),
                                 "size": len(data), "mode": 0o644,
                                 "mtime": 1700000000}))
        assert r.get("ok"), r
        s.put_data(data)
        r = s.put_done(refclient.blake2b256(data))
        assert r.get("ok"), r
        r = s.request_raw(_pack({"op": "get", "path": RawStr(NAME)}))
        assert r.get("ok"), r
        while True:
            t, body, _ = s.recv()
            if t == refclient.TYPE_MSG:
                break
        r = s.request_raw(_pack({"op": "delete", "path": RawStr(NAME)}))
        assert r.get("ok"), r
        s.bye()
    lines = server.wait_xfer(2)
    raw = server.xferlog.read_bytes()
    for bad in (b"\x9b", b"\xff", b"\x0aend"):
        assert bad not in raw, raw
    assert raw.count(b"/" + ENCODED) == 2, raw
    for ln in lines:
        assert XFER_LINE_RE.match(ln), ln
    assert server.wait_log(r"delete evil")
    log = server.log.read_bytes()
    for bad in (b"\x9b", b"\xff"):
        assert bad not in log, log[-2000:]
    # put, get and delete lines all show the encoded name.
    assert log.count(ENCODED) >= 3, log[-2000:]
