"""Whole-file digests (doc/PROTOCOL.md 4.10): a request may name "alg"
(xxh3-128 or blake2b-256); without one a server uses blake2b-256 as the
first version did.  The digests are recomputed here with python3-xxhash
and hashlib, independently of common/digest.c."""

import hashlib
import os

import xxhash

import refclient
from helpers import make_file


def xxh3(data):
    return xxhash.xxh3_128(data).digest()


def b2(data):
    return hashlib.blake2b(data, digest_size=32).digest()


def session(server):
    return refclient.connect("127.0.0.1", server.port,
                             refclient.read_key(server.key))


def get_with(s, path, alg):
    r = s.request({"op": "get", "path": path, "alg": alg})
    assert r.get("ok"), r
    buf = bytearray()
    while True:
        t, body, _ = s.recv()
        if t == refclient.TYPE_MSG:
            return r, bytes(buf), refclient.unpack(body)
        buf += body


def test_put_and_get_with_each_alg(server):
    data = os.urandom(3 * 1024 * 1024 + 17)
    with session(server) as s:
        for alg, fn in (("xxh3-128", xxh3), ("blake2b-256", b2)):
            name = alg + ".bin"
            r = s.put_begin(name, len(data), alg=alg)
            assert r == {"ok": True, "offset": 0, "alg": alg}, r
            s.put_data(data)
            r = s.put_done(fn(data))
            assert r == {"ok": True, "size": len(data), "alg": alg,
                         "digest": fn(data)}, r
            r, got, done = get_with(s, name, alg)
            assert r["alg"] == alg and got == data
            assert done == {"op": "done", "digest": fn(data)}
            st = s.request({"op": "stat", "path": name, "alg": alg})
            assert st["alg"] == alg and st["digest"] == fn(data), st
        s.bye()


def test_bad_digests(server):
    data = b"x" * 1000
    with session(server) as s:
        # The wrong digest of the right length: code 13, nothing stored.
        assert s.put_begin("a", len(data), alg="xxh3-128")["ok"]
        s.put_data(data)
        r = s.put_done(b2(data)[:16])
        assert r["code"] == 13, r
        # A blake2b-256 digest after announcing xxh3-128: code 1.
        assert s.put_begin("a", len(data), alg="xxh3-128")["ok"]
        s.put_data(data)
        r = s.put_done(b2(data))
        assert r["code"] == 1 and "digest" in r["msg"], r
        # An unknown algorithm, for put, get and stat: code 1.
        assert s.put_begin("a", len(data), alg="md5")["code"] == 1
        assert s.request({"op": "get", "path": "a", "alg": "md5"})["code"] == 1
        assert s.request({"op": "stat", "path": ".", "alg": "md5"})["code"] == 1
        # A folder has no content digest.
        assert s.request({"op": "stat", "path": ".", "alg": "xxh3-128"}
                         )["code"] == 8
        assert s.stat(".")["ok"]                     # the session goes on
        s.bye()
    assert not (server.files / "a").exists()


def test_server_digests_setting(make_server, local):
    srv = make_server(digests="blake2b-256")
    srv.start()
    src = local / "f.bin"
    make_file(src, 200000)
    with session(srv) as s:
        assert s.put_begin("x", 1, alg="xxh3-128")["code"] == 1
        s.bye()
    # ftpc reads the server's "digests" and falls back to blake2b-256.
    srv.ok("put", src)
    assert (srv.files / "f.bin").read_bytes() == src.read_bytes()
    # Asked for by name, an algorithm the server does not offer is refused.
    r = srv.ftpc("--digest", "xxh3-128", "put", src)
    assert r.returncode == 3, r
    assert "digest algorithm not offered" in r.stderr, r.stderr


def test_hello_names_digests(server):
    """A client that offers suites learns the digests; a first-version
    client's view of the server hello is unchanged."""
    import msgpack
    s = refclient.connect("127.0.0.1", server.port,
                          refclient.read_key(server.key), do_auth=False)
    s.close()
    assert "digests" not in msgpack.unpackb(s.server_hello, raw=False)


def test_ftpc_default_and_stat(server, local):
    src = local / "f.bin"
    make_file(src, 1234567)
    server.ok("put", src)
    out = server.ok("--digest", "xxh3-128", "stat", "f.bin")
    assert f"digest: xxh3-128:{xxh3(src.read_bytes()).hex()}" in out, out
    out = server.ok("--digest", "blake2b-256", "stat", "f.bin")
    assert f"digest: blake2b-256:{b2(src.read_bytes()).hex()}" in out, out
    assert "digest" not in server.ok("stat", "f.bin")
    (local / "back").mkdir()
    server.ok("get", "f.bin", str(local / "back"))
    assert (local / "back" / "f.bin").read_bytes() == src.read_bytes()
    r = server.ftpc("--digest", "sha1", "ls")
    assert r.returncode == 2
