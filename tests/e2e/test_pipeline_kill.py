"""kill -9 of the worker in the middle of pipelined, group-committed
uploads (doc/PROTOCOL.md section 4, "Durability and group commit"): every
file whose success reply the client got is there with its content; no
temporary file is left; the worker is replaced."""

import os
import signal
import threading
import time

import refclient
from helpers import busy_workers, pid_alive, temp_files, wait_for

N = 60


def _send_all(s, files, errors):
    try:
        for name, data in files:
            s.send_msg({"op": "put", "path": name, "size": len(data),
                        "mode": 0o644, "mtime": int(time.time())})
            s.put_data(data)
            s.send_msg({"op": "done",
                        "digest": refclient.blake2b256(data)})
    except OSError as e:                 # the worker died under us
        errors.append(e)


def _read_until_dead(s, files, killer):
    stored = []
    try:
        for name, _ in files:
            r = s.recv_msg()
            if not r.get("ok"):
                continue
            r = s.recv_msg()
            if r.get("ok"):
                stored.append(name)
                killer(len(stored))
    except (refclient.ProtocolError, OSError):
        pass
    return stored


def test_kill_worker_mid_batch(server):
    master = server.master_pid()
    s = refclient.connect("127.0.0.1", server.port,
                          refclient.read_key(server.key), timeout=10)
    files = [(f"k{i:03d}.bin", os.urandom(64 * 1024 + i)) for i in range(N)]
    victim = []

    def killer(n):
        if n == 10 and not victim:
            busy = busy_workers(master, server.port)
            assert len(busy) == 1, busy
            victim.append(busy[0])
            os.kill(busy[0], signal.SIGKILL)

    errors = []
    t = threading.Thread(target=_send_all, args=(s, files, errors))
    t.start()
    try:
        stored = _read_until_dead(s, files, killer)
    finally:
        s.close()
        t.join(20)
    assert not t.is_alive()
    assert victim and wait_for(lambda: not pid_alive(victim[0]), 5)
    assert len(stored) >= 10
    data = dict(files)
    for name in stored:
        assert server.remote(name).read_bytes() == data[name], name
    # Files without a success reply may be there (committed, reply lost)
    # or not, but never torn.
    for name, content in files:
        p = server.remote(name)
        if p.exists():
            assert p.read_bytes() == content, name
    assert wait_for(lambda: not temp_files(server.files), 5), \
        temp_files(server.files)
    assert wait_for(lambda: victim[0] not in server.workers()
                    and len(server.workers()) >= 1, 10)
