"""What ftpc acts on (issue 10 item 3): remote globs expanded by the client
from "list", ls -l, -h, -1, --json and ls FILE, --no-clobber, the refusal
to replace a local file unless -f, and error messages that name the path
that is wrong."""

import json
import os

from helpers import make_file, sha256_file


def test_remote_glob_get(server, local):
    da = make_file(server.remote("f1.txt"), 100)
    db = make_file(server.remote("f2.txt"), 200)
    make_file(server.remote("g.txt"), 5)
    make_file(server.remote(".f3.txt"), 5)    # FNM_PERIOD: not matched
    out = local / "out"
    out.mkdir()
    server.ok("get", "f*.txt", out)
    assert sorted(os.listdir(out)) == ["f1.txt", "f2.txt"]
    assert sha256_file(out / "f1.txt") == da
    assert sha256_file(out / "f2.txt") == db
    cwd = local / "cwd"
    cwd.mkdir()
    server.ok("get", "f?.txt", cwd=cwd)       # no target: the cwd
    assert sorted(os.listdir(cwd)) == ["f1.txt", "f2.txt"]
    r = server.ftpc("get", "nothing*", out)
    assert r.returncode == 1 and "no match" in r.stderr, r
    server.ok("rm", "f[12].txt")
    assert sorted(os.listdir(server.files)) == [".f3.txt", "g.txt"]


def test_glob_in_a_subfolder_and_escaped(server, local):
    os.mkdir(server.remote("d"))
    make_file(server.remote("d/a.bin"), 1)
    make_file(server.remote("d/b.bin"), 1)
    make_file(server.remote("star*"), 1)
    out = server.ok("ls", "-1", "d/*.bin")
    assert out.split() == ["d/a.bin", "d/b.bin"], out
    server.ok("rm", "star\\*")                # a literal '*'
    assert not server.remote("star*").exists()


def test_ls_forms(server):
    make_file(server.remote("big.bin"), 3 * 1024 * 1024)
    make_file(server.remote("small.txt"), 10)
    os.mkdir(server.remote("sub"))
    names = server.ok("ls", "-1")
    assert names.split() == ["big.bin", "small.txt", "sub"], names
    long_ = server.ok("ls", "-l")
    assert "3145728" in long_ and long_.startswith("-rw"), long_
    human = server.ok("ls", "-lh")
    assert "3.1M" in human or "3.0M" in human, human
    assert "3145728" not in human
    one = server.ok("ls", "small.txt")         # a file: its own entry
    assert one.split()[-1] == "small.txt" and "10" in one.split(), one
    doc = json.loads(server.ok("ls", "--json"))
    byname = {e["name"]: e for e in doc}
    assert byname["big.bin"]["size"] == 3145728
    assert byname["sub"]["type"] == "dir"
    assert byname["small.txt"]["type"] == "file"
    assert isinstance(byname["small.txt"]["mtime"], int)
    assert json.loads(server.ok("ls", "--json", "sub")) == []
    r = server.ftpc("ls", "nope")
    assert r.returncode == 1 and r.stderr.startswith("ftpc: ls nope: "), r


def test_get_refuses_to_replace_a_local_file(server, local):
    """`get f1 f2` silently replaced local f2; now it is refused (exit 1)
    unless -f, and -n skips it quietly."""
    make_file(server.remote("f1"), 100)
    old = make_file(local / "f2", 50)
    r = server.ftpc("get", "f1", local / "f2")
    assert r.returncode == 1, r
    assert "local file exists" in r.stderr, r.stderr
    assert sha256_file(local / "f2") == old
    assert sorted(os.listdir(local)) == ["f2"]     # no temporary left
    server.ok("get", "-n", "f1", local / "f2")
    assert sha256_file(local / "f2") == old
    server.ok("get", "f1", local / "f2", "-f")
    assert sha256_file(local / "f2") == sha256_file(server.remote("f1"))


def test_put_no_clobber(server, local):
    old = make_file(server.remote("r.txt"), 10)
    make_file(local / "r.txt", 20)
    make_file(local / "new.txt", 20)
    server.ok("put", "--no-clobber", local / "r.txt", local / "new.txt",
              ".")
    assert sha256_file(server.remote("r.txt")) == old
    assert server.remote("new.txt").is_file()
    server.ok("put", local / "r.txt")         # the default replaces
    assert sha256_file(server.remote("r.txt")) != old


def test_errors_name_the_wrong_path(server, local):
    make_file(local / "f1.txt", 10)
    r = server.ftpc("put", local / "f1.txt", "newdir/")
    assert r.returncode == 1, r
    assert "newdir/: no such remote folder" in r.stderr, r.stderr
    assert str(local / "f1.txt") not in r.stderr, r.stderr
    make_file(server.remote("f3.txt"), 10)
    server.ok("mkdir", "a")
    server.ok("mv", "f3.txt", "a/")           # into the folder
    assert server.remote("a/f3.txt").is_file()
    make_file(server.remote("f4.txt"), 10)
    server.ok("mv", "f4.txt", "a")            # an existing folder too
    assert server.remote("a/f4.txt").is_file()
    make_file(server.remote("f3.txt"), 10)
    r = server.ftpc("mv", "f3.txt", "a")
    assert r.returncode == 1 and "a/f3.txt" in r.stderr, r
