"""A worker starts from a clean slate: it holds only the descriptors it was
handed (standard input, output and error, its end of the socketpair, the
client socket of its session) and the ones it opens itself (its signal
pipe, the served root).  Nothing of the master's: no log file, pidfile,
signalfd, listener, control socket, other worker's socketpair or other
worker's client; also for workers forked on demand while connections wait.
"""

import os

import refclient
from helpers import socket_inodes, wait_for


def _fds(pid):
    """{fd number: link target} of pid (empty if it is gone)."""
    out = {}
    try:
        names = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return out
    for name in names:
        try:
            out[int(name)] = os.readlink(f"/proc/{pid}/fd/{name}")
        except OSError:
            continue
    return out


def _check_worker(server, pid, master_socks, others):
    fds = _fds(pid)
    assert fds, f"worker {pid} gone"
    for fd in (0, 1, 2):
        assert fds.get(fd) == "/dev/null", (pid, fds)
    socks = socket_inodes(pid)
    # Its socketpair end, and its client while busy: nothing more.
    assert 1 <= len(socks) <= 2, (pid, fds)
    assert not socks & master_socks, (pid, fds, master_socks)
    assert not socks & others, (pid, fds)
    for fd, target in fds.items():
        if fd <= 2 or target.startswith(("socket:[", "pipe:[")):
            continue
        assert target == str(server.files), (pid, fd, target, fds)
    return socks


def _check_all(server):
    master = server.master_pid()
    master_socks = socket_inodes(master)
    assert master_socks, _fds(master)
    seen = set()
    workers = server.workers()
    assert workers
    for w in workers:
        seen |= _check_worker(server, w, master_socks, seen)


def test_workers_hold_only_their_descriptors(make_server):
    server = make_server(workers=1, max_workers=4)
    server.start()
    _check_all(server)
    key = refclient.read_key(server.key)
    sessions = []
    try:
        # Each session past the first makes the master fork a worker on
        # demand while the new client's socket is open in the master.
        for _ in range(3):
            sessions.append(refclient.connect("127.0.0.1", server.port, key))
        assert wait_for(lambda: len(server.workers()) >= 3, 10), \
            server.workers()
        _check_all(server)
        r = server.ftpd("reload")
        assert r.returncode == 0, r.stderr
        # Idle workers of the old generation are replaced now.
        assert wait_for(lambda: server.wait_log(r"generation 2", 1), 10)
        _check_all(server)
    finally:
        for s in sessions:
            s.close()
    _check_all(server)
