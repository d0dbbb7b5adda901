"""login_grace (doc/PROTOCOL.md 4.2, 5): once the channel is up and no auth
came in time, the client gets code 20 as a FINAL frame, as for the idle and
stall timeouts; before the handshake completes the server just closes."""

import socket
import time

import refclient

TIMEOUT = 20


def test_login_grace_after_handshake_replies_timeout(make_server):
    server = make_server(login_grace=1)
    server.start()
    s = refclient.connect("127.0.0.1", server.port,
                          refclient.read_key(server.key), timeout=10,
                          do_auth=False)
    try:
        started = time.monotonic()
        r = s.recv_msg()
        assert r.get("ok") is False and r.get("code") == TIMEOUT, r
        assert r.get("err") == "timeout"
        assert s.peer_final
        assert time.monotonic() - started < 5
        assert refclient.wait_closed(s.sock, 3)
    finally:
        s.close()
    assert server.wait_log(r"login grace time over", timeout=5)


def test_login_grace_before_handshake_closes(make_server):
    server = make_server(login_grace=1)
    server.start()
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        assert refclient.wait_closed(sock, 5)
    finally:
        sock.close()
    # The next client is served as usual.
    s = refclient.connect("127.0.0.1", server.port,
                          refclient.read_key(server.key))
    try:
        assert s.stat(".")["ok"]
        s.bye()
    finally:
        s.close()
