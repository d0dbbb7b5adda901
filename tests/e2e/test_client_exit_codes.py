"""ftpc's messages (warnx: "ftpc: ...") and exit codes, one mapping.

Every client function returns 0 or a negative ERR_* code; ftpc_exit()
alone turns the first one into the status of ftpc(1).  These pin the
texts users see and the status of each class of failure.
"""

import subprocess

import helpers
from helpers import make_file


def _run(server, *args, port=None):
    return server.ftpc(*args, port=port, timeout=60)


def test_remote_refusal_is_1_with_prefix(server):
    r = _run(server, "stat", "nope")
    assert r.returncode == 1, r
    assert r.stderr.startswith("ftpc: stat nope: "), r.stderr
    assert "(not_found)" in r.stderr


def test_put_many_into_a_non_folder_is_1(server, local):
    a, b = local / "a", local / "b"
    make_file(a, 10)
    make_file(b, 10)
    r = _run(server, "put", a, b, "missing")
    assert r.returncode == 1, r
    assert r.stderr == "ftpc: put: missing: not a remote folder\n", r.stderr


def test_cannot_connect_is_3(make_server):
    s = make_server()                       # never started: nothing listens
    r = _run(s, "ls")
    assert r.returncode == 3, r
    assert r.stderr.startswith(
        f"ftpc: cannot connect to 127.0.0.1:{s.port}: "), r.stderr


def test_get_many_into_a_non_folder_is_5(server, local):
    make_file(server.remote("x"), 5)
    make_file(server.remote("y"), 5)
    target = local / "plain"
    target.write_bytes(b"")
    r = _run(server, "get", "x", "y", target)
    assert r.returncode == 5, r
    assert r.stderr == f"ftpc: get: {target}: not a folder\n", r.stderr


def test_over_long_argument_is_a_usage_error_before_connecting(make_server):
    """A path of PATH_MAX bytes or more is refused before any connection
    (exit 2), not after connecting as before (exit 3 with no server)."""
    s = make_server()                       # never started: nothing listens
    for cmd in ("stat", "rm", "get"):
        r = _run(s, cmd, "a" * 5000)
        assert r.returncode == 2, (cmd, r.returncode, r.stderr)
        assert r.stderr.startswith("ftpc: argument too long\n"), r.stderr


def test_prefix_follows_the_program_name(server, tmp_path):
    """warnx prefixes the name ftpc runs under, like every err(3) user."""
    other = tmp_path / "myftp"
    other.write_bytes(helpers.BIN["ftpc"].read_bytes())
    other.chmod(0o755)
    argv = [str(other)] + server.ftpc_argv("stat", "nope")[1:]
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, env=server.env(), timeout=60)
    assert r.returncode == 1 and r.stderr.startswith("myftp: stat nope: "), r
