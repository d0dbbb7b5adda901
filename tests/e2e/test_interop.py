"""Interop: refclient (written from doc/PROTOCOL.md only) against the real
daemon, results checked with ftpc and on disk; error codes of section 4."""

import hashlib
import os
import time

import pytest

import refclient
from helpers import make_file, sha256_file, temp_files


@pytest.fixture
def sess(server):
    s = refclient.connect("127.0.0.1", server.port,
                          refclient.read_key(server.key), do_auth=False)
    yield s
    s.close()


def test_hello_and_auth(server, sess):
    # Section 2: the server hello is a map with proto, v and a 32-byte pk.
    m = refclient.unpack(sess.server_hello)
    assert m["proto"] == "ftpd" and m["v"] == 1 and len(m["pk"]) == 32
    r = sess.auth()
    assert r == {"ok": True, "server": r["server"]}
    assert r["server"].startswith("ftpd/")
    r = sess.bye()
    assert r.get("ok") is True and sess.peer_final
    assert refclient.wait_closed(sess.sock, 3)


def test_request_before_auth(server, sess):
    r = sess.request({"op": "stat", "path": "."})
    assert r.get("ok") is False and r.get("code") == 16, r
    assert refclient.wait_closed(sess.sock, 3)


def test_other_auth_methods_refused(server, sess):
    r = sess.auth("password")
    assert r.get("ok") is False and r.get("code") == 16, r


def test_put_by_refclient_get_by_ftpc(server, sess, local):
    sess.auth()
    data = os.urandom((3 << 20) + 5)
    mtime = 1_500_000_000
    r = sess.put("ref.bin", data, mode=0o640, mtime=mtime)
    assert r == {"ok": True, "size": len(data)}, r
    st = server.remote("ref.bin").stat()
    assert st.st_mode & 0o777 == 0o640 and int(st.st_mtime) == mtime
    server.ok("get", "ref.bin", local / "x.bin")
    assert sha256_file(local / "x.bin") == hashlib.sha256(data).hexdigest()
    # Empty file too (no data frames at all).
    r = sess.put("empty.bin", b"")
    assert r.get("ok") and server.remote("empty.bin").stat().st_size == 0
    sess.bye()


def test_put_by_ftpc_get_by_refclient(server, sess, local):
    src = local / "c.bin"
    d = make_file(src, (2 << 20) + 11)
    server.ok("put", src)
    sess.auth()
    r, data, done = sess.get("c.bin")
    assert r.get("ok") and r["size"] == len(data) == src.stat().st_size, r
    assert r["offset"] == 0
    assert hashlib.sha256(data).hexdigest() == d
    assert done == {"op": "done", "digest": refclient.blake2b256(data)}
    # Resume from an offset: the digest still covers the whole file.
    r, tail, done = sess.get("c.bin", offset=1000)
    assert r["offset"] == 1000 and tail == data[1000:]
    assert done["digest"] == refclient.blake2b256(data)
    r = sess.request({"op": "get", "path": "c.bin", "offset": len(data) + 1})
    assert r.get("ok") is False and r.get("code") == 1, r
    # Data frames are at most 1 MiB each (section 3).
    sess.bye()


def test_list_and_stat(server, sess, local):
    make_file(server.remote("b.bin"), 10)
    make_file(server.remote("a.bin"), 20)
    os.mkdir(server.remote("dir"))
    os.symlink("a.bin", server.remote("ln"))
    os.utime(server.remote("a.bin"), (1_400_000_000, 1_400_000_000))
    sess.auth()
    r = sess.list(".")
    assert r.get("ok"), r
    names = [e["name"] for e in r["entries"]]
    assert names == sorted(names, key=lambda n: n.encode())
    assert set(names) == {"a.bin", "b.bin", "dir", "ln"}
    by = {e["name"]: e for e in r["entries"]}
    assert by["a.bin"]["type"] == "file" and by["a.bin"]["size"] == 20
    assert by["a.bin"]["mtime"] == 1_400_000_000
    assert by["dir"]["type"] == "dir" and by["ln"]["type"] == "link"
    s = sess.stat("a.bin")
    assert s["ok"] and s["type"] == "file" and s["size"] == 20
    assert s["mode"] == os.stat(server.remote("a.bin")).st_mode & 0o7777
    assert sess.stat("ln")["type"] == "link"          # final link not followed
    r = sess.stat("nope")
    assert r.get("ok") is False and r["code"] == 5 and r["err"] == "not_found"
    r = sess.list("a.bin")
    assert r.get("ok") is False and r["code"] == 7, r
    # ftpc agrees.
    out = server.ok("ls")
    for n in ("a.bin", "b.bin", "dir", "ln"):
        assert n in out
    sess.bye()


def test_list_in_parts(server, sess):
    for i in range(2345):
        (server.files / f"f{i:05d}").write_bytes(b"")
    sess.auth()
    sess.send_msg({"op": "list", "path": "."})
    parts = []
    while True:
        r = sess.recv_msg()
        assert r.get("ok"), r
        assert len(r["entries"]) <= 1000
        parts.append(r["entries"])
        if not r["more"]:
            break
    assert len(parts) >= 3
    names = [e["name"] for p in parts for e in p]
    assert sorted(names) == [f"f{i:05d}" for i in range(2345)]
    assert sess.stat(".")["ok"]


def test_file_ops(server, sess):
    sess.auth()
    assert sess.request({"op": "mkdir", "path": "d", "mode": 0o700}) == {"ok": True}
    assert server.remote("d").is_dir()
    assert os.stat(server.remote("d")).st_mode & 0o777 == 0o700
    r = sess.request({"op": "mkdir", "path": "d"})
    assert r["code"] == 6, r
    assert sess.put("d/f", b"hello")["ok"]
    r = sess.request({"op": "rmdir", "path": "d"})
    assert r["code"] == 9, r
    r = sess.request({"op": "delete", "path": "d"})
    assert r["code"] == 8, r
    assert sess.put("g", b"x")["ok"]
    r = sess.request({"op": "rename", "from": "g", "to": "d/f"})
    assert r["code"] == 6, r
    assert sess.request({"op": "rename", "from": "g", "to": "d/f",
                         "overwrite": True}) == {"ok": True}
    assert server.remote("d/f").read_bytes() == b"x"
    r = sess.put("d/f", b"new", overwrite=False)
    assert r.get("ok") is False and r["code"] == 6, r
    r = sess.put("d", b"new")
    assert r.get("ok") is False and r["code"] == 8, r
    r = sess.put("d/f/x", b"new")
    assert r.get("ok") is False and r["code"] == 7, r
    assert sess.request({"op": "delete", "path": "d/f"}) == {"ok": True}
    assert sess.request({"op": "rmdir", "path": "d"}) == {"ok": True}
    assert os.listdir(server.files) == []
    sess.bye()


def test_digest_mismatch_and_abort(server, sess):
    make_file(server.remote("keep.bin"), 1000)
    old = sha256_file(server.remote("keep.bin"))
    sess.auth()
    data = os.urandom(300_000)
    r = sess.put_begin("keep.bin", len(data))
    assert r["ok"]
    sess.put_data(data)
    r = sess.put_done(b"\0" * 32)
    assert r.get("ok") is False and r["code"] == 13, r
    assert sha256_file(server.remote("keep.bin")) == old
    r = sess.put_begin("keep.bin", len(data))
    sess.put_data(data[:1000])
    sess.send_msg({"op": "abort"})
    sess.sock.settimeout(5)       # the doc does not say what abort gets back
    r = sess.recv_msg()
    sess.sock.settimeout(30)
    assert r.get("ok") is False and r["code"] == 18, r
    assert sha256_file(server.remote("keep.bin")) == old
    assert not temp_files(server.files)
    # The session is still usable.
    assert sess.put("keep.bin", data)["ok"]
    assert server.remote("keep.bin").read_bytes() == data
    sess.bye()


def test_more_data_than_announced(server, sess):
    sess.auth()
    r = sess.put_begin("over.bin", 10)
    assert r["ok"]
    sess.send_data(b"x" * 11)
    # A protocol error that ends the session: an error reply or a close.
    try:
        r = sess.recv_msg()
        assert r.get("ok") is False and r["code"] == 1, r
    except refclient.ProtocolError:
        pass
    assert refclient.wait_closed(sess.sock, 3)
    time.sleep(0.2)
    assert not server.remote("over.bin").exists()
    assert not temp_files(server.files)


def test_unknown_op(server, sess):
    sess.auth()
    r = sess.request({"op": "frobnicate", "path": "."})
    assert r == {"ok": False, "code": 2, "err": "unknown_op", "msg": r["msg"]}
    assert sess.stat(".")["ok"]
    sess.bye()


@pytest.mark.parametrize("body", [
    refclient.pack({"op": "stat"}),                      # missing field
    refclient.pack({"op": "stat", "path": 42}),          # wrong type
    refclient.pack({"op": 7}),                           # op not a str
    refclient.pack({"path": "."}),                       # no op
    refclient.pack({"op": "put", "path": "p", "size": "big", "mode": 0,
                    "mtime": 0}),
    refclient.pack({"op": "mkdir", "path": "m", "mode": -1}),
    refclient.pack([1, 2, 3]),                           # not a map
    b"\xc1",                                             # never-used byte
    b"\x81\xa2op",                                       # truncated map
    b"\xdf\xff\xff\xff\xff",                             # huge map count
    refclient.pack({"op": "stat", "path": "."}) + b"\x00",   # trailing bytes
], ids=["missing", "wrongtype", "opint", "noop", "sizestr", "modeneg",
        "array", "c1", "truncated", "hugemap", "trailing"])
def test_malformed_request(server, sess, body):
    sess.auth()
    r = sess.request_raw(body)
    assert r.get("ok") is False and r.get("code") == 1, r
    assert r.get("err") == "protocol"
    assert sess.stat(".")["ok"]
    assert not server.remote("p").exists() and not server.remote("m").exists()
    sess.bye()


def test_unknown_keys_ignored(server, sess):
    sess.auth()
    r = sess.request({"op": "stat", "path": ".", "zz": [1, {"q": b"x"}]})
    assert r["ok"] and r["type"] == "dir"
    sess.bye()


# -- section 4.3: what the server does on each error ---------------------

def closed_without_reply(sess):
    """True when the server closes and sends no frame (section 4.3)."""
    sess.sock.settimeout(5)
    try:
        sess.recv()
    except refclient.ProtocolError:
        return True
    return False


@pytest.mark.parametrize("what", ["type3", "empty", "zerolen", "garbled"])
def test_bad_frames_close_without_reply(server, sess, what):
    sess.auth()
    if what == "type3":
        sess.send(3, b"x")
    elif what == "empty":
        sess.send_frame(refclient.nb.crypto_secretstream_xchacha20poly1305_push(
            sess.tx, b"", None, refclient.TAG_MESSAGE))
    elif what == "zerolen":
        sess.sock.sendall(b"\0\0\0\0")
    else:
        sess.send_frame(os.urandom(40))
    assert closed_without_reply(sess)


def test_oversized_frame_after_auth(server, sess):
    sess.auth()
    sess.sock.sendall((refclient.FRAME_MAX + 1).to_bytes(4, "big"))
    r = sess.recv_msg()
    assert r["code"] == 1 and sess.peer_final, r


def test_first_frame_not_auth(server, sess):
    r = sess.request({"op": "auth"})                    # no method
    assert r.get("code") == 16 and sess.peer_final, r


def test_second_auth(server, sess):
    first = sess.auth()
    assert sess.auth() == first
    r = sess.request({"op": "auth"})                   # malformed: code 1
    assert r.get("code") == 1 and not sess.peer_final, r
    r = sess.request({"op": "auth", "method": "password"})
    assert r.get("code") == 16 and not sess.peer_final, r
    assert sess.stat(".")["ok"]                        # still authenticated
    sess.bye()


def test_requests_out_of_place(server, sess):
    sess.auth()
    sess.send_data(b"x")
    assert sess.recv_msg()["code"] == 1
    r = sess.request({"op": "done", "digest": b"\0" * 32})
    assert r["code"] == 1 and not sess.peer_final, r
    r = sess.request({"op": "stat", "path": "."}, final=True)
    assert r["code"] == 1 and sess.peer_final, r


def test_bye_without_final_tag(server, sess):
    sess.auth()
    assert sess.request({"op": "bye"}) == {"ok": True} and sess.peer_final
    assert refclient.wait_closed(sess.sock, 3)


def test_upload_short_or_bad_digest_continues(server, sess):
    sess.auth()
    assert sess.put_begin("s.bin", 10)["ok"]
    sess.send_data(b"abc")
    r = sess.put_done(refclient.blake2b256(b"abc"))
    assert r["code"] == 1 and not sess.peer_final, r
    assert sess.put_begin("s.bin", 3)["ok"]
    sess.send_data(b"abc")
    r = sess.put_done(b"\0" * 31)
    assert r["code"] == 1 and not sess.peer_final, r
    assert not server.remote("s.bin").exists()
    assert not temp_files(server.files)
    assert sess.put("s.bin", b"abc")["ok"]
    sess.bye()


def test_get_file_shrinks_midway(server, sess):
    p = server.remote("big.bin")
    make_file(p, 5 << 20)
    sess.auth()
    r = sess.request({"op": "get", "path": "big.bin"})
    assert r["ok"] and r["size"] == 5 << 20
    t, body, _ = sess.recv()
    assert t == refclient.TYPE_DATA
    os.truncate(p, 1 << 20)
    while True:
        t, body, _ = sess.recv()
        if t == refclient.TYPE_MSG:
            break
    m = refclient.unpack(body)
    assert m.get("ok") is False and m["code"] == 14, m
    assert sess.stat(".")["ok"]                        # the session goes on
    sess.bye()


def test_server_header_not_waiting_for_ours(server):
    """Section 2.5: the server writes its stream header before it reads
    the client's."""
    s = refclient.connect("127.0.0.1", server.port)
    try:
        s.send_frame(refclient.hello(refclient.nb.crypto_kx_keypair()[0]))
        s.recv_frame(refclient.HANDSHAKE_MAX)
        s.sock.settimeout(5)
        _, header = s.recv_frame(refclient.HANDSHAKE_MAX)
        assert len(header) == refclient.HEADER_BYTES
    finally:
        s.close()


# -- section 4.1: paths ------------------------------------------------------

PATH_CASES = [
    # (op, path, expected: "ok", a type for stat, or a code)
    ("stat", "d//f", "file"), ("stat", "d/", "dir"), ("stat", "t/", 7),
    ("stat", "d/../t", "file"), ("stat", "x/../t", 5), ("stat", "..", 3),
    ("stat", "d/../..", 3), ("stat", "abs", "link"), ("stat", "out", "link"),
    ("stat", "absdir/x", 3), ("list", "t", 7), ("list", "dl", "ok"),
    ("list", "abs", 3), ("list", "out", 3), ("list", "dang", 5),
    ("get", ".", 8), ("get", "abs", 3), ("get", "out", 3), ("get", "rel", "ok"),
    ("get", "dang", 5), ("delete", "d/", 3), ("delete", ".", 3),
    ("delete", "d/..", 3), ("delete", "abs", "ok"), ("delete", "x/nope/", 3),
    ("mkdir", ".", 3), ("mkdir", "d/f/", 3), ("mkdir", "dang", 6),
    ("rmdir", "dl", 7), ("rmdir", "d/.", 3), ("put", ".", 3),
    ("put", "d/", 3), ("put", "abs", "ok"),
]


@pytest.mark.parametrize("op,path,want", PATH_CASES)
def test_path_rules(server, sess, op, path, want):
    f = server.files
    os.mkdir(f / "d")
    (f / "d/f").write_bytes(b"hi")
    (f / "t").write_bytes(b"top")
    os.symlink(str(f / "t"), f / "abs")       # absolute, inside the root
    os.symlink("t", f / "rel")
    os.symlink("../../x", f / "out")
    os.symlink("/", f / "absdir")
    os.symlink("d", f / "dl")
    os.symlink("nope", f / "dang")
    server.own()
    sess.auth()
    if op == "list":
        r = sess.list(path)
    elif op == "get":
        r, _, _ = sess.get(path)
    elif op == "put":
        r = sess.put(path, b"new")
    else:
        r = sess.request({"op": op, "path": path})
    if isinstance(want, int):
        assert r.get("ok") is False and r["code"] == want, r
    else:
        assert r.get("ok"), r
        if op == "stat":
            assert r["type"] == want
    if (op, path) == ("put", "abs"):          # the link is replaced
        assert not os.path.islink(f / "abs") and (f / "t").read_bytes() == b"top"
    sess.bye()


RENAME_CASES = [
    ("nope", "x", False, 5), ("t", "nope/x", False, 5), ("t", "d/f", False, 6),
    ("t", "t", False, 6), ("t", "t", True, "ok"), ("d", "t", True, 7),
    ("t", "d", True, 8), ("e", "d", True, 9), ("d", "e", True, "ok"),
    (".", "x", False, 3), ("t", "d/", False, 3), ("t", "../x", False, 3),
    ("t", ".ftpd-put.x", False, 3), ("t", "a" * 256, False, 4),
    ("/t", "a" * 256, False, 3),
]


@pytest.mark.parametrize("src,dst,overwrite,want", RENAME_CASES)
def test_rename_codes(server, sess, src, dst, overwrite, want):
    f = server.files
    os.mkdir(f / "d")
    os.mkdir(f / "e")
    (f / "d/f").write_bytes(b"hi")
    (f / "t").write_bytes(b"top")
    server.own()
    sess.auth()
    r = sess.request({"op": "rename", "from": src, "to": dst,
                      "overwrite": overwrite})
    if want == "ok":
        assert r == {"ok": True}
    else:
        assert r.get("ok") is False and r["code"] == want, r
    sess.bye()
