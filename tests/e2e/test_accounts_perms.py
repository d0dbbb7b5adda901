"""Accounts (issue 9): a user sees their home as "/" and can do only what
their permissions allow; each refusal has code 10 (doc/PROTOCOL.md 4.4)."""

import os

import pytest

import refclient
from accounts import fresh, login, user

ALL_OPS = {
    "l": [{"op": "list", "path": "."}, {"op": "stat", "path": "f.txt"}],
    "r": [{"op": "get", "path": "f.txt"}],
    "w": [{"op": "put", "path": "new.txt", "size": 1, "mode": 0o644,
           "mtime": 0}],
    "d": [{"op": "delete", "path": "f.txt"}],
    "m": [{"op": "mkdir", "path": "sub"}, {"op": "rmdir", "path": "d"},
          {"op": "rename", "from": "f.txt", "to": "g.txt"}],
}


@pytest.fixture
def srv(make_server):
    s = fresh(make_server)
    user(s, "add", "carol", "home=homes/carol", password="pw")
    for letter in "lrwdm":
        user(s, "add", f"only{letter}", f"perms={letter}", "home=homes/carol",
             password="pw")
    (s.files / "homes" / "carol" / "d").mkdir(parents=True)
    (s.files / "homes" / "carol" / "f.txt").write_bytes(b"carol's")
    (s.files / "secret.txt").write_bytes(b"outside the home")
    s.own()
    s.start()
    return s


def test_home_is_root(srv):
    s = login(srv, "carol", "pw")
    names = sorted(e["name"] for e in s.list(".")["entries"])
    assert names == ["d", "f.txt"]
    r, data, done = s.get("f.txt")
    assert data == b"carol's"
    for p in ("../../secret.txt", "../secret.txt", "/secret.txt"):
        assert s.stat(p)["code"] == 3, p
    os.symlink("../../secret.txt", srv.files / "homes" / "carol" / "ln")
    r, data, _ = s.get("ln")
    assert not r["ok"] and data == b"", r
    s.bye()


@pytest.mark.parametrize("letter", "lrwdm")
def test_each_permission(srv, letter):
    s = login(srv, f"only{letter}", "pw")
    for granted, ops in ALL_OPS.items():
        for q in ops:
            r = s.request(q)
            if granted == letter:
                assert r.get("code") != 10, (letter, q, r)
                if q["op"] == "put":
                    s.put_data(b"x")
                    assert s.put_done(refclient.blake2b256(b"x"))["ok"]
                if q["op"] == "get" and r.get("ok"):
                    s.recv()
                    s.recv_msg()
            else:
                assert r == {"ok": False, "code": 10, "err": "permission",
                             "msg": "permission denied"}, (letter, q, r)
    s.bye()
