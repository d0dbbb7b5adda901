"""The put/get argument forms of the command-line contract."""

import os

from helpers import make_file, sha256_file


def test_put_into_folder_and_rename(server, local):
    a, b = local / "a.txt", local / "b.txt"
    da, db = make_file(a, 100), make_file(b, 200)
    server.ok("mkdir", "reports")
    server.ok("put", a, b, "reports")          # existing remote folder
    assert sha256_file(server.remote("reports/a.txt")) == da
    assert sha256_file(server.remote("reports/b.txt")) == db
    server.ok("mkdir", "newdir")
    server.ok("put", a, "newdir/")             # ends in '/': inside it
    assert sha256_file(server.remote("newdir/a.txt")) == da
    r = server.ftpc("put", a, "nodir/")        # never a file named "nodir"
    assert not server.remote("nodir").is_file()
    if r.returncode == 0:
        assert sha256_file(server.remote("nodir/a.txt")) == da
    else:
        assert r.returncode == 1 and not server.remote("nodir").exists()
    server.ok("put", a, "renamed.txt")         # single LOCAL: new name
    assert sha256_file(server.remote("renamed.txt")) == da
    server.ok("put", b, "/abs.txt")            # leading '/' stripped
    assert sha256_file(server.remote("abs.txt")) == db


def test_get_into_folder_and_default_cwd(server, local):
    da = make_file(server.remote("g1.bin"), 1234)
    db = make_file(server.remote("g2.bin"), 4321)
    out = local / "out"
    out.mkdir()
    server.ok("get", "g1.bin", "g2.bin", out)
    assert sha256_file(out / "g1.bin") == da
    assert sha256_file(out / "g2.bin") == db
    cwd = local / "cwd"
    cwd.mkdir()
    server.ok("get", "g1.bin", cwd=cwd)        # default: current folder
    assert sha256_file(cwd / "g1.bin") == da
    server.ok("get", "g2.bin", local / "mine.bin")
    assert sha256_file(local / "mine.bin") == db
    assert sorted(os.listdir(cwd)) == ["g1.bin"]


def test_missing_local_file_is_local_error(server, local):
    r = server.ftpc("put", local / "does-not-exist")
    assert r.returncode == 5, r
    assert not os.listdir(server.files)
