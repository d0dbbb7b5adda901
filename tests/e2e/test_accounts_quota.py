"""Accounts (issue 9): quotas hold across concurrent sessions of one
account in different workers, an upload that would pass the quota is
refused before data flows (code 11 "quota exceeded"), a delete gives the
space back, `ftpd user show` prints the usage and `ftpd user recount`
repairs it."""

import re

import pytest

import refclient
from accounts import fresh, login, user

QUOTA = {"ok": False, "code": 11, "err": "no_space", "msg": "quota exceeded"}


@pytest.fixture
def srv(make_server):
    s = fresh(make_server, workers=2)
    user(s, "add", "dave", "quota=1000/3", password="pw")
    s.start()
    return s


def used(srv, name="dave"):
    out = user(srv, "show", name).stdout
    b = int(re.search(r"^used bytes (\d+)$", out, re.M).group(1))
    f = int(re.search(r"^used files (\d+)$", out, re.M).group(1))
    return b, f


def test_quota_edge_bytes(srv):
    s = login(srv, "dave", "pw")
    assert s.put("a.bin", b"a" * 1000)["ok"]            # exactly the quota
    assert used(srv) == (1000, 1)
    assert s.put_begin("b.bin", 1) == QUOTA             # one byte more
    assert not (srv.files / "dave" / "b.bin").exists()
    assert s.request({"op": "delete", "path": "a.bin"})["ok"]
    assert used(srv) == (0, 0)                          # given back
    assert s.put("b.bin", b"b" * 1000)["ok"]
    s.bye()


def test_quota_files(srv):
    s = login(srv, "dave", "pw")
    for i in range(3):
        assert s.put(f"{i}.bin", b"x")["ok"]
    assert s.put_begin("3.bin", 0) == QUOTA
    assert s.put("0.bin", b"yy", overwrite=True)["ok"]  # replacing: no file
    assert used(srv) == (4, 3)
    s.bye()


def test_two_concurrent_uploads_in_two_workers(srv):
    a = login(srv, "dave", "pw")
    b = login(srv, "dave", "pw")
    pids = srv.workers()
    assert len(pids) == 2
    # Both announce 600 bytes before either sends data: the second one
    # passes the 1000-byte quota and is refused at once.
    assert a.put_begin("a.bin", 600)["ok"]
    assert b.put_begin("b.bin", 600) == QUOTA
    a.put_data(b"a" * 600)
    assert a.put_done(refclient.blake2b256(b"a" * 600))["ok"]
    assert used(srv) == (600, 1)
    # An upload that fails gives its space back.
    assert b.put_begin("c.bin", 400)["ok"]
    b.put_data(b"c" * 10)
    assert b.request({"op": "abort"})["code"] == 18
    assert used(srv) == (600, 1)
    a.bye()
    b.bye()


def test_recount_repairs(srv):
    s = login(srv, "dave", "pw")
    assert s.put("a.bin", b"a" * 100)["ok"]
    s.bye()
    (srv.files / "dave" / "sub").mkdir()
    (srv.files / "dave" / "sub" / "b.bin").write_bytes(b"b" * 50)
    srv.own()
    assert used(srv) == (100, 1)
    r = user(srv, "recount", "dave")
    assert "dave: 150 bytes in 2 files" in r.stdout
    assert used(srv) == (150, 2)
    s = login(srv, "dave", "pw")                         # the worker agrees
    assert s.put_begin("c.bin", 851) == QUOTA
    assert s.put("c.bin", b"c" * 850)["ok"]
    s.bye()


def test_usage_not_visible(srv):
    user(srv, "add", "root_user", "home=.", password="pw")
    srv.ftpd("reload")
    s = login(srv, "root_user", "pw")
    names = [e["name"] for e in s.list(".")["entries"]]
    assert not any(n.startswith(".ftpd") for n in names), names
    assert s.stat(".ftpd-put.usage/dave")["code"] == 3
    s.bye()
