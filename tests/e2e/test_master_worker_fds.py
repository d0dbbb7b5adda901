"""A worker starts from a clean slate: it holds only the descriptors it was
handed (standard input, output and error, its end of the socketpair, the
client socket of its session) and the ones it opens itself (its signal
pipe, the served root).  Nothing of the master's: no log file, pidfile,
signalfd, listener, control socket, other worker's socketpair or other
worker's client; also for workers forked on demand while connections wait.
"""

import os

import refclient
from helpers import cmdline, socket_inodes, wait_for


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


def _worker_problems(server, pid, master_socks, others):
    """(problems, socket inodes) of one worker."""
    fds = _fds(pid)
    if not fds or "worker" not in cmdline(pid):
        return [], set()  # just forked (not yet a worker) or exiting
    problems = []
    for fd in (0, 1, 2):
        if fds.get(fd) != "/dev/null":
            problems.append(f"{pid}: fd {fd} is {fds.get(fd)}")
    socks = socket_inodes(pid)
    # Its socketpair end, and its client while busy: nothing more.
    if not 1 <= len(socks) <= 2 or socks & master_socks or socks & others:
        problems.append(f"{pid}: sockets {sorted(socks)}: {fds}")
    for fd, target in fds.items():
        if fd <= 2 or target.startswith(("socket:[", "pipe:[")):
            continue
        if target != str(server.files):
            problems.append(f"{pid}: fd {fd} is {target}")
    return problems, socks


def _problems(server):
    """What is wrong now; [] when every settled worker is clean."""
    master = server.master_pid()
    master_socks = socket_inodes(master)
    seen, problems, checked = set(), [], 0
    for w in server.workers():
        p, socks = _worker_problems(server, w, master_socks, seen)
        problems += p
        seen |= socks
        checked += bool(socks)
    return problems if checked else ["no worker to look at"]


def _check_all(server):
    # A process caught between fork and its clean slate, or exiting, may
    # look wrong for an instant; a leak stays.
    if wait_for(lambda: not _problems(server), 5):
        return
    problems = _problems(server)
    assert not problems, problems


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
