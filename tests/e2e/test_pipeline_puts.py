"""Pipelined puts from the reference client (doc/PROTOCOL.md section 4,
"Pipelining", and 4.10): requests, data and done sent back to back without
waiting, replies read afterwards in order; a refused put in the middle has
its data and done discarded without a reply; a get and a list after
pipelined puts answer in order; group commit batches the uploads (seen in
ftpd.log)."""

import os
import time

import refclient
from helpers import temp_files


def send_put(s, path, data, **extra):
    """put, its data frames and done, without reading any reply."""
    m = {"op": "put", "path": path, "size": len(data), "mode": 0o644,
         "mtime": int(time.time())}
    m.update(extra)
    s.send_msg(m)
    s.put_data(data)
    s.send_msg({"op": "done", "digest": refclient.blake2b256(data)})


def read_put(s):
    """The replies of one pipelined put: (accepted, final reply)."""
    r = s.recv_msg()
    if not r.get("ok"):
        return False, r                  # refused: its only reply
    assert r.get("offset") == 0, r
    return True, s.recv_msg()


def test_twenty_pipelined_puts(server):
    s = refclient.connect("127.0.0.1", server.port,
                          refclient.read_key(server.key))
    files = {f"p{i:02d}.bin": os.urandom(4096 + i) for i in range(20)}
    for name, data in files.items():
        send_put(s, name, data)
    for name, data in files.items():
        accepted, r = read_put(s)
        assert accepted and r == {"ok": True, "size": len(data)}, (name, r)
    assert s.bye() == {"ok": True}
    s.close()
    for name, data in files.items():
        assert server.remote(name).read_bytes() == data, name
    assert not temp_files(server.files)
    # The uploads shared durable points: some log line tells a batch.
    assert server.wait_log(r"put p\d\d\.bin: \d+ bytes .*group commit of "
                           r"([2-9]|\d\d)", 5), server.log_text()


def test_refused_put_in_the_middle(server):
    server.remote("taken.bin").write_bytes(b"old content")
    s = refclient.connect("127.0.0.1", server.port,
                          refclient.read_key(server.key))
    plan = [("a.bin", os.urandom(5000), {}),
            ("taken.bin", os.urandom(300000), {"overwrite": False}),
            ("b.bin", os.urandom(7000), {}),
            ("../out.bin", b"x" * 10, {}),
            ("c.bin", b"", {})]
    for name, data, extra in plan:
        send_put(s, name, data, **extra)
    s.send_msg({"op": "stat", "path": "b.bin"})
    got = [read_put(s) for _ in plan]
    assert got[0] == (True, {"ok": True, "size": 5000})
    assert not got[1][0] and got[1][1]["code"] == 6, got[1]
    assert got[2] == (True, {"ok": True, "size": 7000})
    assert not got[3][0] and got[3][1]["code"] == 3, got[3]
    assert got[4] == (True, {"ok": True, "size": 0})
    st = s.recv_msg()                     # nothing left of the refused ones
    assert st.get("ok") and st["size"] == 7000, st
    assert s.bye() == {"ok": True}
    s.close()
    assert server.remote("taken.bin").read_bytes() == b"old content"
    for name, data, _ in (plan[0], plan[2], plan[4]):
        assert server.remote(name).read_bytes() == data, name
    assert not temp_files(server.files)


def test_refused_put_then_abort(server):
    """A refused put whose client gives up sends abort: dropped too."""
    server.remote("t.bin").write_bytes(b"keep")
    s = refclient.connect("127.0.0.1", server.port,
                          refclient.read_key(server.key))
    s.send_msg({"op": "put", "path": "t.bin", "size": 3, "mode": 0o644,
                "mtime": 0, "overwrite": False})
    s.send_data(b"ab")
    s.send_msg({"op": "abort"})
    send_put(s, "u.bin", b"fresh")
    r = s.recv_msg()
    assert r.get("code") == 6, r
    assert read_put(s) == (True, {"ok": True, "size": 5})
    assert s.noop() == {"ok": True}
    s.bye()
    s.close()
    assert server.remote("t.bin").read_bytes() == b"keep"


def test_get_and_list_after_pipelined_puts(server):
    s = refclient.connect("127.0.0.1", server.port,
                          refclient.read_key(server.key))
    one = os.urandom(300000)
    send_put(s, "g.bin", one)
    send_put(s, "h.bin", b"hello")
    s.send_msg({"op": "get", "path": "g.bin"})
    s.send_msg({"op": "list", "path": "."})
    assert read_put(s) == (True, {"ok": True, "size": len(one)})
    assert read_put(s) == (True, {"ok": True, "size": 5})
    r = s.recv_msg()
    assert r.get("ok") and r["size"] == len(one), r
    buf = bytearray()
    while True:
        t, body, _ = s.recv()
        if t == refclient.TYPE_MSG:
            break
        buf += body
    assert bytes(buf) == one
    assert refclient.unpack(body)["op"] == "done"
    r = s.recv_msg()
    assert [e["name"] for e in r["entries"]] == ["g.bin", "h.bin"], r
    s.bye()
    s.close()


def test_data_outside_a_put_still_refused(server):
    """Only a refused put's data are dropped silently: elsewhere they are
    answered with code 1 as before."""
    s = refclient.connect("127.0.0.1", server.port,
                          refclient.read_key(server.key))
    assert s.noop() == {"ok": True}
    s.send_data(b"stray")
    assert s.recv_msg()["code"] == 1
    r = s.request({"op": "done", "digest": b"\0" * 32})
    assert r["code"] == 1, r
    s.bye()
    s.close()
