"""Drip-feeding must not hold a worker (issue 8, item 3): stall_timeout
bounds one read(), so a request or upload fed a few bytes at a time, or a
download read that slowly, was never cut.  A request frame must now arrive
whole within frame_timeout, and a transfer keep min_rate bytes/s over every
min_rate_window seconds; else code 20 and close.  An honest slow transfer,
whose frames take longer than the window, is not cut."""

import socket
import struct
import time

import refclient
from refclient import nb, TAG_MESSAGE, TYPE_DATA, TYPE_MSG
from helpers import make_file, wait_for

SLOW = {"stall_timeout": 30, "frame_timeout": 2, "min_rate": 1000,
        "min_rate_window": 2, "idle_timeout": 60}


def _connect(server, rcvbuf=None):
    if rcvbuf is None:
        return refclient.connect("127.0.0.1", server.port,
                                 refclient.read_key(server.key))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(30)
    sock.connect(("127.0.0.1", server.port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s = refclient.Session(sock)
    s.handshake(refclient.read_key(server.key))
    assert s.auth().get("ok")
    return s


def _frame(s, ftype, body):
    """One encrypted frame, length prefix included, not yet sent."""
    c = nb.crypto_secretstream_xchacha20poly1305_push(
        s.tx, bytes([ftype]) + body, None, TAG_MESSAGE)
    return struct.pack(">I", len(c)) + c


def _drip(s, data, piece, pause, limit):
    """Send data piece bytes at a time, pause seconds apart, until the
    server closes or limit seconds pass; returns the seconds it took."""
    t0 = time.monotonic()
    for i in range(0, len(data), piece):
        if time.monotonic() - t0 > limit:
            break
        try:
            s.sock.sendall(data[i:i + piece])
        except OSError:
            break
        time.sleep(pause)
    return time.monotonic() - t0


def _final_error(s):
    """The server's FINAL error reply, read after it cut us."""
    r = s.recv_msg()
    assert s.peer_final, r
    return r


def test_request_dripped_is_cut(make_server):
    server = make_server(**SLOW)
    server.start()
    with _connect(server) as s:
        f = _frame(s, TYPE_MSG, refclient.pack({"op": "noop", "pad": "x" * 200}))
        took = _drip(s, f, 2, 0.3, 15)
        assert took < 8, f"a dripped request held the worker {took:.1f} s"
        r = _final_error(s)
        assert r.get("code") == 20, r
    assert server.wait_log(r"did not arrive whole within 2 s", 5)


def test_upload_dripped_is_cut(make_server):
    server = make_server(**SLOW)
    server.start()
    with _connect(server) as s:
        assert s.put_begin("drip.bin", 1 << 20).get("ok")
        f = _frame(s, TYPE_DATA, b"d" * (64 << 10))
        took = _drip(s, f, 100, 0.5, 20)  # 200 bytes/s
        assert took < 10, f"a dripped upload held the worker {took:.1f} s"
        r = _final_error(s)
        assert r.get("code") == 20, r
    assert server.wait_log(r"put drip\.bin below 1000 bytes/s over 2 s", 5)
    assert not server.remote("drip.bin").exists()


def test_download_read_slowly_is_cut(make_server):
    """The worker lets go within a few windows (what the kernel already
    buffered may still trickle to the client after it closed)."""
    server = make_server(**{**SLOW, "min_rate": 200000})
    server.start()
    make_file(server.remote("big.bin"), 32 << 20)
    server.own()
    s = _connect(server, rcvbuf=4096)
    try:
        s.send_msg({"op": "get", "path": "big.bin"})
        t0 = time.monotonic()
        done = None
        while time.monotonic() - t0 < 20 and not done:
            try:
                if not s.sock.recv(1024):
                    break
            except (ConnectionResetError, socket.timeout):
                break
            time.sleep(0.1)  # about 10 KiB/s
            done = server.wait_log(r"closed: timeout", 0)
        took = time.monotonic() - t0
        assert done and took < 15, f"slow reader held the worker {took:.1f} s"
    finally:
        s.close()
    assert server.wait_log(r"get big\.bin below 200000 bytes/s over 2 s", 5)
    assert "SIGSEGV" not in server.log_text()


def test_slow_but_steady_upload_completes(make_server):
    """One 24 KiB frame at about 4 KB/s takes 6 s, three windows: counted
    as it arrives, it keeps min_rate and the upload is committed."""
    server = make_server(**SLOW)
    server.start()
    data = bytes(range(256)) * 96
    with _connect(server) as s:
        assert s.put_begin("steady.bin", len(data)).get("ok")
        _drip(s, _frame(s, TYPE_DATA, data), 400, 0.1, 30)
        r = s.put_done(refclient.blake2b256(data))
        assert r.get("ok"), r
        s.bye()
    assert wait_for(lambda: server.remote("steady.bin").exists(), 5)
    assert server.remote("steady.bin").read_bytes() == data
