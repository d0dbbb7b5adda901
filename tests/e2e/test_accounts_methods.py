"""Accounts (issue 9): each auth method of doc/PROTOCOL.md 4.4 against the
real daemon, the uniform failure, three attempts per connection, replayed
signatures, per-source penalties, and the user name in the logs and in
status."""

import re
import socket
import time

import pytest

import refclient
from accounts import fresh, login, seed_key, user

ALICE_SEED = bytes(range(32))
OTHER_SEED = bytes(range(1, 33))
FAILED = {"ok": False, "code": 16, "err": "auth_failed",
          "msg": "authentication failed"}


@pytest.fixture
def srv(make_server):
    s = fresh(make_server, anonymous="yes")
    user(s, "add", "alice", password="pw-alice")
    user(s, "key", "add", "alice", seed_key(ALICE_SEED))
    user(s, "add", "bob", "enabled=no", password="pw-bob")
    s.start()
    return s


def v2(srv, secret=None):
    return refclient.connect_v2("127.0.0.1", srv.port, secret=secret)


def test_host_key_signed_and_fingerprint(srv):
    s = v2(srv)
    assert s.hk is not None and len(s.hk) == 32
    fp = srv.ftpd("fingerprint").stdout.strip()
    import base64
    import hashlib
    want = "SHA256:" + base64.b64encode(
        hashlib.sha256(s.hk).digest()).decode().rstrip("=")
    assert fp == want
    assert f"host key {fp}" in srv.ftpd("status").stdout
    s.close()


def test_password(srv):
    s = login(srv, "alice", "pw-alice")
    assert s.stat(".")["ok"]
    s.bye()


def test_password_over_secret_session(srv):
    s = login(srv, "alice", "pw-alice",
              secret=refclient.read_key(srv.key))
    s.bye()


def test_wrong_password_unknown_user_disabled_same_reply(srv):
    s = v2(srv)
    assert s.auth_password("alice", "nope") == FAILED
    assert s.auth_password("nosuch", "pw-alice") == FAILED
    assert not s.peer_final
    s = v2(srv)
    assert s.auth_password("bob", "pw-bob") == FAILED     # disabled
    assert s.auth_password("Bad Name", "x") == FAILED     # not a name


def test_three_attempts(srv):
    s = v2(srv)
    assert s.auth_password("alice", "1") == FAILED and not s.peer_final
    assert s.auth_password("alice", "2") == FAILED and not s.peer_final
    assert s.auth_password("alice", "3") == FAILED and s.peer_final
    assert refclient.wait_closed(s.sock, 3)


def test_second_try_may_succeed(srv):
    s = v2(srv)
    assert s.auth_password("alice", "1") == FAILED
    r = s.auth_password("alice", "pw-alice")
    assert r == {"ok": True, "server": "ftpd/1.0", "user": "alice"}
    assert s.auth_password("alice", "pw-alice") == r   # again: the same
    assert s.request({"op": "auth", "method": "anonymous"})["code"] == 16
    s.bye()


def test_publickey(srv):
    s = v2(srv)
    r = s.auth_publickey("alice", ALICE_SEED)
    assert r == {"ok": True, "server": "ftpd/1.0", "user": "alice"}
    s.bye()


def test_key_not_authorized(srv):
    s = v2(srv)
    assert s.auth_publickey("alice", OTHER_SEED) == FAILED
    assert s.auth_publickey("nosuch", ALICE_SEED) == FAILED


def test_replayed_signature_fails(srv):
    first = v2(srv)
    old_t = first.t
    first.close()
    s = v2(srv)
    assert s.auth_publickey("alice", ALICE_SEED, t=old_t) == FAILED


def test_secret_method(srv):
    secret = refclient.read_key(srv.key)
    s = v2(srv, secret=secret)
    assert s.auth() == {"ok": True, "server": "ftpd/1.0"}
    s.bye()
    s = v2(srv)                                   # nosecret: refused
    assert s.auth() == FAILED


def test_anonymous_off(make_server):
    s = fresh(make_server)
    s.start()
    c = refclient.connect_v2("127.0.0.1", s.port)
    assert c.auth("anonymous") == FAILED


def test_anonymous_drop_box(srv):
    s = v2(srv)
    assert s.auth("anonymous") == {"ok": True, "server": "ftpd/1.0",
                                   "user": "anonymous"}
    assert s.put("drop.bin", b"x" * 100)["ok"]
    assert (srv.files / "incoming" / "drop.bin").stat().st_size == 100
    r = s.put("drop.bin", b"y", overwrite=True)
    assert r["code"] == 6, r                      # a taken name
    for q in ({"op": "list", "path": "."}, {"op": "stat", "path": "drop.bin"},
              {"op": "get", "path": "drop.bin"},
              {"op": "delete", "path": "drop.bin"},
              {"op": "mkdir", "path": "d"},
              {"op": "rename", "from": "drop.bin", "to": "x"}):
        r = s.request(q)
        assert r["code"] == 10, (q, r)
    s.bye()
    assert (srv.files / "incoming" / "drop.bin").read_bytes() == b"x" * 100


def test_user_in_logs_and_status(srv):
    s = login(srv, "alice", "pw-alice")
    assert s.put("f.bin", b"z" * 10)["ok"]
    # A worker reports its state within a second (worker/session.c).
    end = time.monotonic() + 5
    while True:
        st = srv.ftpd("status").stdout
        if re.search(r"\balice\b", st) or time.monotonic() > end:
            break
        time.sleep(0.1)
    assert re.search(r"\balice\b", st), st
    s.bye()
    line = srv.wait_xfer(1)[-1]
    assert " alice " in line, line
    assert srv.wait_log(r"alice logged in from 127\.0\.0\.1 \(password\)")


def test_failures_count_toward_penalties(make_server):
    s = fresh(make_server, penalty_max=600)
    user(s, "add", "alice", password="pw-alice")
    s.start()
    for _ in range(2):
        c = refclient.connect_v2("127.0.0.1", s.port)
        for _ in range(3):
            r = c.auth_password("alice", "wrong")
            if c.peer_final:
                break
        c.close()
    assert s.wait_log(r"127\.0\.0\.1 refused for \d+ s after a failed login")
    with pytest.raises((refclient.Refused, refclient.ProtocolError,
                        socket.error)):
        refclient.connect_v2("127.0.0.1", s.port)
