"""Defects found in review: a FINAL request other than bye, rename past
overwrite = no, and named upload temporaries reachable by clients."""

import os

import refclient
from helpers import give_to_nobody


def session(server):
    return refclient.connect("127.0.0.1", server.port,
                             refclient.read_key(server.key))


def test_final_get_is_refused_not_cut(server):
    # PROTOCOL.md 4.9: only bye is sent as the client's FINAL frame; a FINAL
    # get could never be answered in full, so it gets a protocol error.
    (server.files / "a.txt").write_bytes(b"hello\n" * 1000)
    s = session(server)
    try:
        r = s.request({"op": "get", "path": "a.txt"}, final=True)
        assert r.get("ok") is False and r.get("code") == 1, r
        assert s.peer_final
        assert refclient.wait_closed(s.sock, 3)
    finally:
        s.close()


def test_rename_honours_overwrite_no(make_server):
    server = make_server(overwrite="no")
    server.start()
    (server.files / "keep.txt").write_bytes(b"original")
    (server.files / "new.txt").write_bytes(b"replacement")
    give_to_nobody(server.files)
    s = session(server)
    try:
        r = s.request({"op": "rename", "from": "new.txt", "to": "keep.txt",
                       "overwrite": True})
        assert r.get("ok") is False and r.get("code") == 6, r
        assert (server.files / "keep.txt").read_bytes() == b"original"
        s.bye()
    finally:
        s.close()


def test_upload_temporaries_not_addressable(server):
    # A named temporary (used where O_TMPFILE is missing) can be neither
    # listed, fetched, renamed nor deleted by a client.
    tmp = server.files / ".ftpd-put.ABCDEFGHIJKL"
    tmp.write_bytes(b"half an upload")
    (server.files / "sub").mkdir()
    give_to_nobody(server.files)
    s = session(server)
    try:
        names = [e["name"] for e in s.list(".")["entries"]]
        assert "sub" in names and tmp.name not in names, names
        for req in ({"op": "get", "path": tmp.name},
                    {"op": "stat", "path": tmp.name},
                    {"op": "delete", "path": tmp.name},
                    {"op": "rename", "from": tmp.name, "to": "pub.txt"},
                    {"op": "rename", "from": "sub", "to": tmp.name},
                    {"op": "stat", "path": "sub/../" + tmp.name}):
            r = s.request(req)
            assert r.get("ok") is False and r.get("code") == 3, (req, r)
        assert tmp.read_bytes() == b"half an upload"
        assert not (server.files / "pub.txt").exists()
        s.bye()
    finally:
        s.close()
    os.unlink(tmp)
