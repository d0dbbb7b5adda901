"""A worker forked on demand (pool growth) must not keep a copy of the
connection being admitted: its client sees end of file as soon as its
session ends."""

import socket
import time

import refclient


def test_on_demand_worker_client_sees_eof(make_server):
    server = make_server(workers=1, max_workers=4)
    server.start()
    held = refclient.connect("127.0.0.1", server.port,
                             refclient.read_key(server.key))
    try:
        # The only pre-forked worker is busy: this connection makes the
        # master fork another one for it.
        raw = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        try:
            raw.sendall(b"\x00\x00\x00\x05garbage!")  # not a hello
            t0 = time.monotonic()
            raw.settimeout(5)
            data = b"x"
            try:
                while data:  # the server's hello, then end of file
                    data = raw.recv(4096)
            except ConnectionResetError:
                pass  # closed with our garbage unread: also an end
            assert time.monotonic() - t0 < 2.0
        finally:
            raw.close()
        held.bye()
    finally:
        held.close()
