"""Whole trees (issue 10 item 2): put -r, get -r, rm -r, mkdir -p; local
symbolic links not followed unless -L; one failing file is reported and
counted, the rest goes on, and the exit status says some failed;
--parallel N gives the same result on N connections."""

import os

import pytest

from helpers import make_file, sha256_file


def _tree(root):
    """A small tree: nested folders, an empty folder, files of sizes."""
    (root / "a/b/c").mkdir(parents=True)
    (root / "empty").mkdir()
    sums = {}
    for rel, size in (("top.bin", 70000), ("a/one.txt", 10),
                      ("a/b/two.bin", 300000), ("a/b/c/three", 0)):
        sums[rel] = make_file(root / rel, size)
    return sums


def _files(root):
    out = {}
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            out[os.path.relpath(p, root)] = sha256_file(p)
    return out


def _dirs(root):
    return sorted(os.path.relpath(d, root) for d, _, _ in os.walk(root))


@pytest.mark.parametrize("parallel", [1, 4])
def test_put_r_and_get_r_round_trip(server, local, parallel):
    src = local / "src"
    sums = _tree(src)
    server.ok("mkdir", "dest")
    server.ok("put", "-r", src, "dest", "--parallel", str(parallel))
    assert _files(server.remote("dest/src")) == sums
    assert _dirs(server.remote("dest/src")) == _dirs(src)
    back = local / "back"
    back.mkdir()
    server.ok("get", "dest/src", back, "-r", "--parallel", str(parallel))
    assert _files(back / "src") == sums
    assert _dirs(back / "src") == _dirs(src)


def test_put_r_to_a_new_name(server, local):
    src = local / "src"
    sums = _tree(src)
    server.ok("put", "-r", src, "copy")       # "copy" does not exist
    assert _files(server.remote("copy")) == sums


def test_put_without_r_names_the_fix(server, local):
    (local / "d").mkdir()
    r = server.ftpc("put", local / "d")
    assert r.returncode == 5 and "is a directory (use -r)" in r.stderr, r


def test_symlinks_not_followed_unless_asked(server, local):
    src = local / "src"
    src.mkdir()
    make_file(src / "real.txt", 10)
    outside = local / "outside"
    outside.mkdir()
    make_file(outside / "secret.txt", 10)
    os.symlink(outside, src / "link_dir")
    os.symlink(src / "real.txt", src / "link_file")
    r = server.ftpc("put", "-r", src)
    assert r.returncode == 0, r
    assert "symbolic link, skipped" in r.stderr, r.stderr
    assert sorted(os.listdir(server.remote("src"))) == ["real.txt"]
    server.ok("rm", "-r", "src")
    server.ok("put", "-r", "-L", src)
    assert sorted(os.listdir(server.remote("src"))) == [
        "link_dir", "link_file", "real.txt"]
    assert server.remote("src/link_dir/secret.txt").is_file()


def test_one_failure_is_counted_and_the_rest_goes_on(server, local):
    """A remote folder where the tree has the file top.bin: that put fails
    (is_dir), is reported and counted; every other file arrives."""
    src = local / "src"
    sums = _tree(src)
    server.ok("mkdir", "-p", "src/top.bin")
    r = server.ftpc("put", "-r", src)
    assert r.returncode == 1, r
    assert "top.bin" in r.stderr, r.stderr
    assert "1 of" in r.stderr and "failed" in r.stderr, r.stderr
    del sums["top.bin"]
    got = _files(server.remote("src"))
    assert got == sums, got


def test_get_r_counts_a_local_failure(server, local):
    server.ok("mkdir", "-p", "t/sub")
    make_file(server.remote("t/ok.bin"), 100)
    make_file(server.remote("t/sub/x.bin"), 100)
    back = local / "back"
    (back / "t").mkdir(parents=True)
    make_file(back / "t/ok.bin", 5)            # exists: refused without -f
    r = server.ftpc("get", "-r", "t", back)
    assert r.returncode == 1, r
    assert "local file exists" in r.stderr and "failed" in r.stderr, r
    assert (back / "t/sub/x.bin").is_file()    # the rest went on
    server.ok("get", "-r", "-f", "t", back)
    assert sha256_file(back / "t/ok.bin") == sha256_file(
        server.remote("t/ok.bin"))


def test_rm_r_and_mkdir_p(server, local):
    server.ok("mkdir", "-p", "x/y/z")
    assert server.remote("x/y/z").is_dir()
    server.ok("mkdir", "-p", "x/y/z")          # existing: fine with -p
    r = server.ftpc("mkdir", "x")
    assert r.returncode == 1, r                # without -p: exists
    make_file(local / "f", 10)
    server.ok("put", local / "f", "x/y/z/")
    server.ok("put", local / "f", "x/")
    r = server.ftpc("rm", "x")
    assert r.returncode == 1, r
    server.ok("rm", "-r", "x")
    assert not server.remote("x").exists()
    server.ok("rm", "-f", "nothing-here")
    assert server.ftpc("rm", "nothing-here").returncode == 1
