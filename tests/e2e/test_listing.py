"""ls, stat, mkdir, rmdir, rm and mv behave; errors exit 1 with a message."""

import os

from helpers import make_file


def _line_for(out, name):
    lines = [ln for ln in out.splitlines() if ln.split() and ln.split()[-1] == name]
    assert len(lines) == 1, f"{name!r} not listed once in:\n{out}"
    return lines[0]


def test_ls_shows_names_and_sizes(server, local):
    make_file(server.remote("alpha.bin"), 12345)
    make_file(server.remote("beta.txt"), 0)
    os.mkdir(server.remote("sub"))
    make_file(server.remote("sub/inner.bin"), 777)
    out = server.ok("ls")
    assert "12345" in _line_for(out, "alpha.bin").split()
    assert "0" in _line_for(out, "beta.txt").split()
    _line_for(out, "sub")
    assert "inner.bin" not in out
    sub = server.ok("ls", "sub")
    assert "777" in _line_for(sub, "inner.bin").split()
    assert "alpha.bin" not in sub
    # A leading '/' is stripped by the client: "/sub" is "sub", "/" is the root.
    assert server.ok("ls", "/sub") == sub
    assert server.ok("ls", "/") == out


def test_ls_many_entries(server):
    """More than one list part (the server sends at most 1000 per part)."""
    for i in range(1500):
        (server.files / f"n{i:05d}").write_bytes(b"")
    out = server.ok("ls")
    names = {ln.split()[-1] for ln in out.splitlines() if ln.split()}
    assert {f"n{i:05d}" for i in range(1500)} <= names


def test_stat(server):
    make_file(server.remote("s.bin"), 4242)
    os.chmod(server.remote("s.bin"), 0o640)
    out = server.ok("stat", "s.bin")
    assert "4242" in out.split()
    assert "file" in out.lower()
    assert "640" in out
    os.mkdir(server.remote("d"))
    assert "dir" in server.ok("stat", "d").lower()


def test_mkdir_rmdir(server):
    server.ok("mkdir", "one", "two")
    assert server.remote("one").is_dir() and server.remote("two").is_dir()
    server.ok("mkdir", "one/nested")
    assert server.remote("one/nested").is_dir()
    r = server.ftpc("mkdir", "one")
    assert r.returncode == 1 and r.stderr.strip()
    r = server.ftpc("mkdir", "missing/child")
    assert r.returncode == 1 and r.stderr.strip()
    assert not server.remote("missing").exists()
    r = server.ftpc("rmdir", "one")
    assert r.returncode == 1 and r.stderr.strip()
    assert server.remote("one").is_dir()
    server.ok("rmdir", "one/nested", "one", "two")
    assert not server.remote("one").exists() and not server.remote("two").exists()


def test_rm(server):
    make_file(server.remote("x1"), 10)
    make_file(server.remote("x2"), 10)
    server.ok("rm", "x1", "x2")
    assert not server.remote("x1").exists() and not server.remote("x2").exists()
    r = server.ftpc("rm", "x1")
    assert r.returncode == 1 and r.stderr.strip()
    os.mkdir(server.remote("adir"))
    r = server.ftpc("rm", "adir")
    assert r.returncode == 1 and r.stderr.strip()
    assert server.remote("adir").is_dir()


def test_mv(server):
    make_file(server.remote("from.bin"), 999)
    server.ok("mv", "from.bin", "to.bin")
    assert not server.remote("from.bin").exists()
    assert server.remote("to.bin").stat().st_size == 999
    make_file(server.remote("other.bin"), 5)
    r = server.ftpc("mv", "other.bin", "to.bin")
    assert r.returncode == 1 and r.stderr.strip()
    assert server.remote("to.bin").stat().st_size == 999  # not replaced
    assert server.remote("other.bin").exists()
    os.mkdir(server.remote("dest"))
    server.own()
    server.ok("mv", "to.bin", "dest/moved.bin")
    assert server.remote("dest/moved.bin").stat().st_size == 999
    r = server.ftpc("mv", "nope", "whatever")
    assert r.returncode == 1 and r.stderr.strip()


def test_errors_exit_1_with_message(server, local):
    for args in (("ls", "nope"), ("stat", "nope"), ("get", "nope", local),
                 ("rmdir", "nope")):
        r = server.ftpc(*args)
        assert r.returncode == 1, (args, r)
        assert r.stderr.strip(), args
    assert not os.listdir(local)


def test_usage_errors_exit_2(server):
    for args in ((), ("frobnicate",), ("mv", "onlyone"), ("stat",)):
        r = server.ftpc(*args)
        assert r.returncode == 2, (args, r)
