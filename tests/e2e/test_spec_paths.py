"""Path answers of doc/PROTOCOL.md 4.1 and 4.6 (issue 6, section 3): a
folder moved beneath itself is a client error (code 3, no server warning);
an absolute symbolic link is refused with code 3 for every operation even
when its target lies inside the served root (like rsync --safe-links)."""

import os

import refclient

BAD_PATH = 3


def session(server):
    return refclient.connect("127.0.0.1", server.port,
                             refclient.read_key(server.key))


def test_rename_folder_beneath_itself(server):
    (server.files / "a" / "b").mkdir(parents=True)
    server.own()
    s = session(server)
    try:
        for to in ("a/b/a", "a/a"):
            r = s.request({"op": "rename", "from": "a", "to": to})
            assert r.get("ok") is False and r.get("code") == BAD_PATH, r
            assert r.get("err") == "bad_path"
            assert r.get("msg") == "cannot move a folder beneath itself", r
        assert s.stat("a/b")["ok"]
        s.bye()
    finally:
        s.close()
    assert (server.files / "a" / "b").is_dir()
    server.wait_log(r"session \d+: .*closed", timeout=5)
    warns = [ln for ln in server.log_text().splitlines()
             if " warn" in ln and "rename" in ln]
    assert not warns, warns


def test_absolute_link_inside_root_is_refused(server):
    files = server.files
    (files / "sub").mkdir()
    (files / "sub" / "f.txt").write_bytes(b"inside\n")
    os.symlink(str(files / "sub"), files / "dlink")          # a folder
    os.symlink(str(files / "sub" / "f.txt"), files / "flink")  # a file
    server.own()
    s = session(server)
    try:
        cases = [
            {"op": "stat", "path": "dlink/f.txt"},
            {"op": "get", "path": "flink"},
            {"op": "get", "path": "dlink/f.txt"},
            {"op": "list", "path": "dlink"},
            {"op": "put", "path": "dlink/new.txt", "size": 3,
             "mode": 0o644, "mtime": 0},
        ]
        for req in cases:
            r = s.list(req["path"]) if req["op"] == "list" else s.request(req)
            assert r.get("ok") is False and r.get("code") == BAD_PATH, \
                (req, r)
        # The links themselves are entries: stat does not follow them.
        for name in ("dlink", "flink"):
            r = s.stat(name)
            assert r.get("ok") and r.get("type") == "link", (name, r)
        names = [e["name"] for e in s.list(".")["entries"]]
        assert names == ["dlink", "flink", "sub"], names
        # The same targets through relative links are served.
        os.symlink("sub", files / "rlink")
        r = s.stat("rlink/f.txt")
        assert r.get("ok") and r.get("type") == "file", r
        s.bye()
    finally:
        s.close()
    assert not (files / "sub" / "new.txt").exists()
