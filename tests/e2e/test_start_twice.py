"""A second start while running says "already running (pid N)" and exits 1."""

from helpers import pid_alive


def test_start_twice(server):
    pid = server.master_pid()
    r = server.ftpd("start")
    assert r.returncode == 1, r
    assert f"already running (pid {pid})" in r.stderr, r.stderr
    # The first daemon is untouched and still serves.
    assert pid_alive(pid) and server.master_pid() == pid
    server.ok("ls")
