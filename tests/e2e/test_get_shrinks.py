"""A file truncated on the server while a get sends it: the worker reads it
through a mapping (common/mapread.c), where the lost pages fault with
SIGBUS.  The get must end with the "file shrank" error reply and the
session go on; the worker must not die."""

import os

import refclient
from helpers import make_file

MIB = 1 << 20


def test_get_of_a_file_truncated_while_sent(server):
    path = server.files / "big.bin"
    make_file(path, 64 * MIB)
    server.own()
    c = refclient.connect("127.0.0.1", server.port,
                          refclient.read_key(server.key))
    try:
        r = c.request({"op": "get", "path": "big.bin"})
        assert r["ok"], r
        t, body, _ = c.recv()  # the first frame: the worker is sending
        assert t == refclient.TYPE_DATA and len(body) > 0
        os.truncate(path, MIB)
        got = len(body)
        for _ in range(64 * 4 + 8):  # bounded: more frames than the file
            t, body, _ = c.recv()
            if t == refclient.TYPE_MSG:
                break
            got += len(body)
        else:
            raise AssertionError("no reply after the data")
        end = refclient.unpack(body)
        assert end.get("ok") is False, end
        assert end.get("code") == 14, end  # io: "file shrank"
        assert got < 64 * MIB
        assert c.stat("big.bin")["size"] == MIB  # the session goes on
        c.bye()
    finally:
        c.close()
    assert "signal" not in server.log_text(), server.log_text()[-2000:]
