"""status: 0 running (pid, listen address, workers line), 3 stopped."""

import re

import refclient

from helpers import wait_for


def test_status_codes(make_server):
    s = make_server(workers=3)
    r = s.ftpd("status")
    assert r.returncode == 3, r
    pid = s.start()
    r = s.ftpd("status")
    assert r.returncode == 0, r
    assert f"ftpd is running (pid {pid})" in r.stdout, r.stdout
    assert f"127.0.0.1:{s.port}" in r.stdout, r.stdout
    m = re.search(r"workers: (\d+) \((\d+) busy, (\d+) idle\)", r.stdout)
    assert m, r.stdout
    n, busy, idle = map(int, m.groups())
    assert (n, busy, idle) == (3, 0, 3), r.stdout
    assert s.ftpd("stop").returncode == 0
    r = s.ftpd("status")
    assert r.returncode == 3, r


def test_status_counts_busy_worker(server):
    """A session in progress shows as one busy worker."""
    sess = refclient.connect("127.0.0.1", server.port,
                             refclient.read_key(server.key))
    try:
        def busy_line():
            r = server.ftpd("status")
            m = re.search(r"workers: (\d+) \((\d+) busy, (\d+) idle\)", r.stdout)
            return m if m and int(m.group(2)) == 1 else None
        m = wait_for(busy_line, 5, 0.2)
        assert m, server.ftpd("status").stdout
        assert int(m.group(1)) == int(m.group(2)) + int(m.group(3))
    finally:
        sess.bye()
        sess.close()
