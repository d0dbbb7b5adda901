"""start that cannot start: exit 1 with the reason, nothing left running."""

import socket

from helpers import pid_alive, wait_for


def test_missing_key(make_server):
    s = make_server()
    s.key.unlink()
    r = s.ftpd("start")
    assert r.returncode == 1, r
    assert "no key file at" in r.stderr and "ftpd keygen" in r.stderr, r.stderr
    pid = s.master_pid()
    assert pid is None or not pid_alive(pid)


def test_port_in_use(make_server):
    s = make_server()
    blocker = socket.socket()
    blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    blocker.bind(("127.0.0.1", s.port))
    blocker.listen(1)
    try:
        r = s.ftpd("start")
        assert r.returncode == 1, r
        assert r.stderr.strip()
        # The failed daemon may take a moment to exit after reporting.
        assert wait_for(lambda: not (s.master_pid() and
                                     pid_alive(s.master_pid())), 2)
        assert not s.pidfile.exists()
    finally:
        blocker.close()
    s.start()                              # the port is free again
    s.ok("ls")


def test_keygen_refuses_overwrite(make_server):
    s = make_server()
    before = s.key.read_bytes()
    r = s.ftpd("keygen")
    assert r.returncode != 0
    assert s.key.read_bytes() == before
    other = s.dir.parent / "k2.key"
    assert s.ftpd("keygen", str(other)).returncode == 0
    text = other.read_text()
    assert len(text) == 65 and text.endswith("\n")
    int(text[:64], 16)
    assert text[:64] == text[:64].lower()
    assert other.stat().st_mode & 0o777 == 0o600
