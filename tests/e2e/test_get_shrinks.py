"""A file truncated on the server while a get sends it: the worker reads it
through a mapping (common/mapread.c), where the lost pages fault with
SIGBUS.  The get must end with the "file shrank" error reply and the
session go on; the worker must not die."""

import os

import refclient
from helpers import make_file

MIB = 1 << 20


def get_while_cut(server, size, cut):
    """Start a get of a size-byte file, read one frame, truncate the file to
    cut bytes, read on; returns (the reply that ended the data, bytes)."""
    path = server.files / "big.bin"
    make_file(path, size)
    server.own()
    c = refclient.connect("127.0.0.1", server.port,
                          refclient.read_key(server.key))
    try:
        r = c.request({"op": "get", "path": "big.bin"})
        assert r["ok"], r
        t, body, _ = c.recv()  # the first frame: the worker is sending
        assert t == refclient.TYPE_DATA and len(body) > 0
        os.truncate(path, cut)
        got = len(body)
        for _ in range(size // MIB + 8):  # bounded: more than the frames
            t, body, _ = c.recv()
            if t == refclient.TYPE_MSG:
                break
            got += len(body)
        else:
            raise AssertionError("no reply after the data")
        end = refclient.unpack(body)
        assert c.stat("big.bin")["size"] == cut  # the session goes on
        c.bye()
    finally:
        c.close()
    assert "signal" not in server.log_text(), server.log_text()[-2000:]
    return end, got


def test_get_of_a_file_truncated_while_sent(server):
    end, got = get_while_cut(server, 64 * MIB, MIB)
    assert end.get("ok") is False, end
    assert end.get("code") == 14, end  # io: "file shrank"
    assert got < 64 * MIB


def test_get_of_a_file_cut_inside_its_last_page(server):
    """Cut inside the last page: the mapping reads zeros there, no SIGBUS;
    the get must still end with "file shrank", never with "done"."""
    end, _ = get_while_cut(server, 64 * MIB + 100, 64 * MIB + 50)
    assert end.get("ok") is False, end
    assert end.get("code") == 14, end
