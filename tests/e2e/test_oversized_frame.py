"""A length prefix over the maximum makes the server close the connection at
once (before reading or allocating); the next real session works."""

import socket
import struct
import time

import refclient
from helpers import wait_for


def _raw(server):
    return socket.create_connection(("127.0.0.1", server.port), timeout=5)


def _assert_next_session_works(server):
    s = refclient.connect("127.0.0.1", server.port,
                          refclient.read_key(server.key))
    assert s.stat(".").get("ok")
    s.bye()
    s.close()


def test_huge_prefix_in_handshake(server):
    workers = server.wait_workers(2)
    for prefix in (b"\xff\xff\xff\xff", struct.pack(">I", 257),
                   struct.pack(">I", 0)):
        sock = _raw(server)
        try:
            sock.sendall(prefix)
            t0 = time.monotonic()
            assert refclient.wait_closed(sock, 5), prefix
            assert time.monotonic() - t0 < 3
        finally:
            sock.close()
    _assert_next_session_works(server)
    # Bad input ends a session, never a worker.
    assert wait_for(lambda: server.workers() == workers, 5), \
        (workers, server.workers())


def test_huge_prefix_after_auth(server):
    """Past the handshake the maximum is FRAME_MAX: 0xffffffff and
    FRAME_MAX + 1 are refused without waiting for the payload."""
    key = refclient.read_key(server.key)
    for n in (0xFFFFFFFF, refclient.FRAME_MAX + 1):
        s = refclient.connect("127.0.0.1", server.port, key)
        try:
            s.sock.sendall(struct.pack(">I", n) + b"\0" * 64)
            assert refclient.wait_closed(s.sock, 3), n
        finally:
            s.close()
    _assert_next_session_works(server)
