"""Paths that try to leave the served root get an error, never a file
outside it: via ftpc (exit 1) and via raw protocol requests (code 3 or 4)."""

import os

import refclient
from helpers import make_file

BAD_PATH, NAME_TOO_LONG = 3, 4


def _outside_snapshot(server):
    """Everything beside the served root that a leak could touch."""
    top = server.dir.parent
    out = set()
    for dirpath, dirnames, filenames in os.walk(top):
        a = os.path.abspath(dirpath)
        if a.startswith(str(server.files)) or a.startswith(str(server.home)):
            continue
        for n in filenames + dirnames:
            out.add(os.path.join(dirpath, n))
    return out


def _setup_links(server, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.txt").write_text("outside secret\n")
    os.symlink("/etc", server.remote("etc_link"))
    os.symlink(str(outside), server.remote("out_link"))
    os.symlink("../..", server.remote("up_link"))
    os.mkdir(server.remote("a"))
    server.own()
    return outside


def test_escape_via_ftpc(server, local, tmp_path):
    outside = _setup_links(server, tmp_path)
    src = local / "payload.txt"
    make_file(src, 100)
    before = _outside_snapshot(server)
    tag = f"ftpd-e2e-{os.getpid()}"
    cases = [
        ("put", src, "../x"),
        ("put", src, "a/../../x"),
        ("put", src, f"etc_link/{tag}"),
        ("put", src, "out_link/new.txt"),
        ("put", src, "up_link/new.txt"),
        ("mkdir", "../evil"),
        ("mkdir", "out_link/evil"),
        ("get", "etc_link/passwd", local),
        ("get", "out_link/secret.txt", local),
        ("get", "../srv/secret.key", local),
        ("ls", "etc_link"),
        ("ls", "../"),
        ("stat", "out_link/secret.txt"),
        ("rm", "out_link/secret.txt"),
        ("mv", "a", "../moved"),
        ("mv", "a", "out_link/moved"),
        ("put", src, "n" * 300),
    ]
    for args in cases:
        r = server.ftpc(*args)
        assert r.returncode == 1, (args, r.returncode, r.stderr)
        assert r.stderr.strip(), args
    assert _outside_snapshot(server) == before
    assert (outside / "secret.txt").read_text() == "outside secret\n"
    assert not os.path.exists(f"/etc/{tag}")
    assert sorted(os.listdir(local)) == ["payload.txt"]
    # "/etc/passwd" is "etc/passwd" beneath the root (leading '/' stripped):
    r = server.ftpc("get", "/etc/passwd", local)
    assert r.returncode == 1
    assert sorted(os.listdir(local)) == ["payload.txt"]
    assert server.remote("a").is_dir()          # mv attempts left it alone


def test_escape_via_raw_requests(server, tmp_path):
    outside = _setup_links(server, tmp_path)
    before = _outside_snapshot(server)
    s = refclient.connect("127.0.0.1", server.port,
                          refclient.read_key(server.key))
    cases = {
        "../x": BAD_PATH,
        "/etc/passwd": BAD_PATH,
        "/": BAD_PATH,
        "": BAD_PATH,
        "a/../../x": BAD_PATH,
        "a/../../../../../../etc/passwd": BAD_PATH,
        "etc_link/passwd": BAD_PATH,
        "out_link/secret.txt": BAD_PATH,
        "up_link/srv/secret.key": BAD_PATH,
        "x\x00y": BAD_PATH,
        "a\x00/../../x": BAD_PATH,
        "n" * 300: NAME_TOO_LONG,
        "a/" + "n" * 256: NAME_TOO_LONG,
        "/".join(["d" * 200] * 21): NAME_TOO_LONG,   # 4220 bytes
    }
    try:
        for path, code in cases.items():
            for req in ({"op": "stat", "path": path},
                        {"op": "get", "path": path},
                        {"op": "list", "path": path},
                        {"op": "mkdir", "path": path},
                        {"op": "delete", "path": path},
                        {"op": "put", "path": path, "size": 5, "mode": 0o644,
                         "mtime": 0},
                        {"op": "rename", "from": "a", "to": path}):
                r = s.request(req)
                assert r.get("ok") is False, (req, r)
                assert r.get("code") == code, (req, r)
                assert isinstance(r.get("err"), str) and r.get("msg"), r
        # The session is still usable; the link itself can be stat'ed.
        r = s.stat("etc_link")
        assert r.get("ok") and r.get("type") == "link", r
        r = s.stat(".")
        assert r.get("ok") and r.get("type") == "dir", r
        s.bye()
    finally:
        s.close()
    assert _outside_snapshot(server) == before
    assert (outside / "secret.txt").read_text() == "outside secret\n"
    assert server.remote("a").is_dir()
    assert sorted(os.listdir(server.files)) == \
        ["a", "etc_link", "out_link", "up_link"]
