"""A client that connects and never finishes the handshake must not hold
'ftpd stop' for the whole shutdown_timeout."""

import socket
import time


def test_stop_not_held_by_silent_clients(make_server):
    server = make_server(shutdown_timeout=20, login_grace=60)
    server.start()
    silent = [socket.create_connection(("127.0.0.1", server.port), timeout=5)
              for _ in range(2)]
    try:
        time.sleep(0.3)  # both handed to workers
        t0 = time.monotonic()
        r = server.ftpd("stop", timeout=60)
        assert r.returncode == 0, r.stderr
        assert time.monotonic() - t0 < 5, "stop waited for silent clients"
    finally:
        for s in silent:
            s.close()
