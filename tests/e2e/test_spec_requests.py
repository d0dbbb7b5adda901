"""The daemon answers requests as doc/PROTOCOL.md says (issue 6, section 3):
put's required fields, `done` or a data frame sent as FINAL during an
upload, and the `noop` request."""

import time

import pytest

import refclient
from helpers import temp_files

PROTOCOL, AUTH = 1, 16


def session(server, do_auth=True):
    return refclient.connect("127.0.0.1", server.port,
                             refclient.read_key(server.key), do_auth=do_auth)


def assert_final_protocol_error(s, started, within=3.0):
    """The next reply is code 1 as the server's FINAL frame, then EOF."""
    r = s.recv_msg()
    assert r.get("ok") is False and r.get("code") == PROTOCOL, r
    assert s.peer_final, "error reply was not the FINAL frame"
    assert time.monotonic() - started < within, "reply came late"
    assert refclient.wait_closed(s.sock, 3)


def test_put_without_mode_or_mtime_is_refused(server):
    # Section 4.7 marks only overwrite optional: mode and mtime are required.
    s = session(server)
    try:
        for missing in ("mode", "mtime"):
            req = {"op": "put", "path": "p.txt", "size": 3, "mode": 0o644,
                   "mtime": 0}
            del req[missing]
            r = s.request(req)
            assert r.get("ok") is False and r.get("code") == PROTOCOL, \
                (missing, r)
            assert r.get("err") == "protocol"
        # overwrite stays optional; the session goes on.
        r = s.put("p.txt", b"abc")
        assert r.get("ok") is True and r.get("size") == 3, r
        s.bye()
    finally:
        s.close()
    assert (server.files / "p.txt").read_bytes() == b"abc"


def final_done(s, data):
    s.put_data(data)
    s.send_msg({"op": "done", "digest": refclient.blake2b256(data)},
               final=True)


def final_data(s, data):
    s.send_data(data[:5])
    s.send(refclient.TYPE_DATA, data[5:], final=True)


@pytest.mark.parametrize("send_final", [final_done, final_data],
                         ids=["done", "data"])
def test_final_frame_during_upload_is_refused(make_server, send_final):
    # Section 4.9: only bye may be FINAL.  A FINAL done or data frame gets
    # code 1 as the server's FINAL reply at once (no wait for the 30 s
    # stall timeout), and the upload is not committed.
    server = make_server(stall_timeout=30)
    server.start()
    data = b"hello, world\n"
    s = session(server)
    try:
        assert s.put_begin("f.txt", len(data))["ok"]
        started = time.monotonic()
        send_final(s, data)
        assert_final_protocol_error(s, started)
    finally:
        s.close()
    time.sleep(0.2)
    assert not (server.files / "f.txt").exists()
    assert not temp_files(server.files)


def test_noop(server):
    s = session(server)
    try:
        for _ in range(3):
            assert s.request({"op": "noop"}) == {"ok": True}
        assert s.stat(".")["ok"]
        s.bye()
    finally:
        s.close()


def test_noop_before_auth_is_refused(server):
    # Like every request but auth, noop is valid only after auth (4.3).
    s = session(server, do_auth=False)
    try:
        r = s.request({"op": "noop"})
        assert r.get("ok") is False and r.get("code") == AUTH, r
        assert s.peer_final
        assert refclient.wait_closed(s.sock, 3)
    finally:
        s.close()
