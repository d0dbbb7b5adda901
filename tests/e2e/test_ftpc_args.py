"""ftpc's arguments (issue 10 item 1): getopt_long everywhere, options
before and after operands (GNU permutation), "--" honoured, unknown options
rejected with usage (exit 2) before anything is connected."""

import os

from helpers import make_file, sha256_file


def test_option_after_operand_is_an_option(server, local):
    """`put f1.txt -q` once created a remote file named "-q"."""
    d = make_file(local / "f1.txt", 1000)
    server.ok("put", local / "f1.txt", "-q")
    assert sorted(os.listdir(server.files)) == ["f1.txt"]
    assert sha256_file(server.remote("f1.txt")) == d
    server.ok("mkdir", "x/y", "-p")
    assert server.remote("x/y").is_dir()
    assert not server.remote("-p").exists()


def test_double_dash_ends_options(server, local):
    """`put -- f` looks for the local file f, not "--"; after "--" a name
    beginning with '-' is an operand."""
    d = make_file(local / "-odd", 10)
    make_file(local / "f", 10)
    server.ok("put", "--", local / "f")
    assert server.remote("f").is_file()
    server.ok("put", "--", "-odd", cwd=local)
    assert sha256_file(server.remote("-odd")) == d
    server.ok("rm", "--", "-odd")
    assert not server.remote("-odd").exists()


def test_global_options_after_the_command(server, local):
    make_file(local / "g.txt", 10)
    server.ok("put", local / "g.txt", "--verbose", "--digest", "blake2b-256")
    r = server.ftpc("stat", "g.txt", "--digest=blake2b-256")
    assert r.returncode == 0 and "digest: blake2b-256:" in r.stdout, r


def test_unknown_options_are_usage_errors_before_connecting(make_server):
    s = make_server()                     # never started: nothing listens
    for args in (("put", "f", "-Z"), ("ls", "--frob"), ("get", "-x", "a"),
                 ("mkdir", "-r", "d"), ("--bogus", "ls"),
                 ("ls", "--connect-timeout")):
        r = s.ftpc(*args)
        assert r.returncode == 2, (args, r)
        assert "usage: ftpc" in r.stderr, (args, r.stderr)
        assert "cannot connect" not in r.stderr, (args, r.stderr)


def test_put_continue_is_accepted(server, local):
    """put -C resumes uploads now (test_put_resume.py); with nothing to
    resume it is an ordinary put."""
    make_file(local / "f", 10)
    r = server.ftpc("put", "-C", local / "f")
    assert r.returncode == 0, r
    assert server.remote("f").read_bytes() == (local / "f").read_bytes()
