"""A pidfile left by a killed daemon does not block the next start."""

import os
import signal

from helpers import children, pid_alive, wait_for


def test_stale_pidfile(make_server):
    s = make_server()
    pid = s.start()
    workers = children(pid)
    assert workers
    os.kill(pid, signal.SIGKILL)
    for w in workers:
        try:
            os.kill(w, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert wait_for(lambda: not pid_alive(pid)
                    and not any(pid_alive(w) for w in workers), 5)
    assert s.pidfile.exists() and s.master_pid() == pid
    r = s.ftpd("status")
    assert r.returncode == 1, r          # LSB: dead but pidfile exists
    pid2 = s.start()
    assert pid2 != pid
    r = s.ftpd("status")
    assert r.returncode == 0 and f"pid {pid2}" in r.stdout, r
    s.ok("ls")
