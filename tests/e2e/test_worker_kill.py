"""kill -9 of the worker in the middle of an upload: the old version stays,
no temporary file is left, the worker is replaced and the next upload works."""

import os
import signal

import refclient
from helpers import (busy_workers, make_file, pid_alive, sha256_file,
                     temp_files, wait_for)


def _partial_upload(server, name, size, sent):
    s = refclient.connect("127.0.0.1", server.port,
                          refclient.read_key(server.key))
    r = s.put_begin(name, size)
    assert r.get("ok") and r.get("offset") == 0, r
    s.put_data(os.urandom(sent))
    return s


def test_kill_worker_mid_upload(server, local):
    old = make_file(server.remote("target.bin"), 3 << 20)
    before = server.wait_workers(2)
    master = server.master_pid()
    sess = _partial_upload(server, "target.bin", 64 << 20, 8 << 20)
    try:
        busy = wait_for(lambda: busy_workers(master, server.port), 5)
        assert len(busy) == 1, busy
        victim = busy[0]
        os.kill(victim, signal.SIGKILL)
        assert wait_for(lambda: not pid_alive(victim), 5)
        # The client sees the connection end.
        assert refclient.wait_closed(sess.sock, 5)
    finally:
        sess.close()
    # No temporary file (named or O_TMPFILE) is left; the old version stays.
    assert wait_for(lambda: not temp_files(server.files), 5), \
        temp_files(server.files)
    assert sha256_file(server.remote("target.bin")) == old
    assert sorted(os.listdir(server.files)) == ["target.bin"]
    # The master replaced the worker and logged its death by signal.
    after = wait_for(lambda: (len(server.workers()) == len(before)
                              and victim not in server.workers()
                              and server.workers()), 10)
    assert after and victim not in after, (before, after)
    assert server.master_pid() == master and pid_alive(master)
    assert server.wait_log(rf"\b{victim}\b.*(signal|SIGKILL|killed)|"
                           rf"(signal|SIGKILL|killed).*\b{victim}\b", 5), \
        server.log_text()
    # The next upload works and replaces the file.
    src = local / "new.bin"
    new = make_file(src, (2 << 20) + 3)
    server.ok("put", src, "target.bin")
    assert sha256_file(server.remote("target.bin")) == new


def test_client_disconnect_mid_upload(server):
    """A client that just goes away (no FINAL) leaves the old version too."""
    old = make_file(server.remote("t2.bin"), 1 << 20)
    sess = _partial_upload(server, "t2.bin", 32 << 20, 4 << 20)
    sess.close()
    assert wait_for(lambda: not temp_files(server.files), 10), \
        temp_files(server.files)
    assert sha256_file(server.remote("t2.bin")) == old
    assert sorted(os.listdir(server.files)) == ["t2.bin"]
    # The worker survived the bad session and serves the next one.
    server.ok("ls")
