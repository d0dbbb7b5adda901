"""Random bytes after connect: the server closes, the next session works and
no worker crashes (no crash storm)."""

import os
import re
import socket
import struct

import refclient
from helpers import pid_alive, wait_for

CRASH_RX = (r"(?i)(signal|core dump|segfault|abort|crash|throttl)")


def test_random_garbage(make_server):
    # Dozens of broken-off handshakes from one address would earn it a
    # penalty (penalty_noauth, issue 8): here the next client must get in.
    server = make_server(penalty_noauth=0)
    server.start()
    master = server.master_pid()
    workers = server.wait_workers(2)
    log_before = len(server.log_text())
    payloads = [os.urandom(n) for n in (1, 3, 4, 5, 45, 300, 4096, 70000)]
    payloads += [struct.pack(">I", 45) + os.urandom(45),      # bad hello
                 struct.pack(">I", 24) + os.urandom(24),
                 b"GET / HTTP/1.0\r\n\r\n", b"USER anonymous\r\n"]
    for i in range(12):                                        # fuzz-ish
        payloads.append(struct.pack(">I", 20 + i) + os.urandom(20 + i))
    for p in payloads:
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        try:
            try:
                sock.sendall(p)
                sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass                      # the server may already have closed
            assert refclient.wait_closed(sock, 5), p[:16]
        finally:
            sock.close()
    key = refclient.read_key(server.key)
    s = refclient.connect("127.0.0.1", server.port, key)
    assert s.stat(".").get("ok")
    s.bye()
    s.close()
    assert pid_alive(master) and server.master_pid() == master
    assert wait_for(lambda: server.workers() == workers, 5), \
        (workers, server.workers())
    new = server.log_text()[log_before:]
    bad = [ln for ln in new.splitlines() if re.search(CRASH_RX, ln)]
    assert not bad, bad


def test_garbage_after_auth(server):
    """Inside the secure channel: a frame that fails to decrypt ends the
    session; the daemon keeps serving."""
    key = refclient.read_key(server.key)
    s = refclient.connect("127.0.0.1", server.port, key)
    try:
        s.send_frame(os.urandom(200))          # not a secretstream message
        assert refclient.wait_closed(s.sock, 3)
    finally:
        s.close()
    s = refclient.connect("127.0.0.1", server.port, key)
    assert s.stat(".").get("ok")
    s.bye()
    s.close()
