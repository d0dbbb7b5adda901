"""stop when nothing runs: "ftpd: not running", exit 1; stop when running: 0."""

from helpers import pid_alive, wait_for


def test_stop_never_started(make_server):
    s = make_server()
    r = s.ftpd("stop")
    assert r.returncode == 1, r
    assert "not running" in r.stderr


def test_stop_then_stop_again(make_server):
    s = make_server()
    pid = s.start()
    workers = s.workers()
    r = s.ftpd("stop")
    assert r.returncode == 0, r
    # stop returns after the daemon is gone: no wait needed, but allow the
    # kernel a moment to reap the orphaned workers.
    assert not pid_alive(pid)
    assert wait_for(lambda: not any(pid_alive(w) for w in workers), 5)
    assert not s.pidfile.exists()
    r = s.ftpd("stop")
    assert r.returncode == 1, r
    assert "not running" in r.stderr
