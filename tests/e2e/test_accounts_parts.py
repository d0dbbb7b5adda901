"""Accounts and resumable uploads (issue 10, item 8): the kept part of a
broken upload counts in its account's quota while it exists.

The part of an account's upload is named ".ftpd-put.part.<16 hex>.<name>"
(doc/PROTOCOL.md 4.10, "Resume") and charged (its bytes, 1 file) to the
account's usage record: a break keeps it charged, so parts cannot hold
bytes past the quota; a resume that completes counts the file once; a
resume refused by the quota keeps the part and its charge; the sweep of an
expired part gives the charge back; `ftpd user recount` counts parts as
the workers do.  Every wait is bounded; sessions are closed by the test.
"""

import hashlib
import os
import struct
import time

import pytest

import refclient
from accounts import fresh, login, user
from helpers import wait_for
from test_accounts_quota import QUOTA, used

PART = ".ftpd-put.part."
SIZE = 800
DATA = bytes(range(256)) * 3 + b"0123456789abcdef" * 2  # SIZE bytes


@pytest.fixture
def srv(make_server):
    s = fresh(make_server)
    user(s, "add", "dave", "quota=1000/3", password="pw")
    s.start()
    return s


def _parts(srv):
    home = srv.files / "dave"
    return sorted(n for n in os.listdir(home) if n.startswith(PART))


def _break(srv, n):
    """Start a resumable put of p.bin (SIZE bytes), send n bytes, drop the
    connection; wait until the worker kept (and charged) the part."""
    s = login(srv, "dave", "pw")
    r = s.put_begin("p.bin", SIZE, resume=True)
    assert r.get("ok") and r.get("offset") == 0, r
    s.put_data(DATA[:n])
    time.sleep(0.2)
    s.close()
    assert wait_for(lambda: used(srv) == (n, 1), 10), (used(srv),
                                                      srv.log_text())


def test_break_charges_the_part(srv):
    """(a) The kept part is charged; an upload that would fit only without
    it is refused; the part's name carries the account."""
    _break(srv, 300)
    want = PART + hashlib.blake2b(
        b"dave\0p.bin\0" + struct.pack("<Q", SIZE),
        digest_size=8).hexdigest() + ".dave"
    assert _parts(srv) == [want]
    assert os.path.getsize(srv.files / "dave" / want) == 300
    s = login(srv, "dave", "pw")
    assert s.put_begin("q.bin", 701) == QUOTA        # 300 + 701 > 1000
    assert s.put("q.bin", b"q" * 700)["ok"]           # 300 + 700 = 1000
    assert used(srv) == (1000, 2)
    s.bye()


def test_resume_counts_the_file_once(srv):
    """(b) The resume completes: the file is counted, the part no more."""
    _break(srv, 300)
    s = login(srv, "dave", "pw")
    r = s.put_begin("p.bin", SIZE, resume=True)
    assert r.get("ok") and r.get("offset") == 300, r
    assert bytes(r["digest"]) == refclient.blake2b256(DATA[:300])
    s.put_data(DATA[300:])
    assert s.put_done(refclient.blake2b256(DATA))["ok"]
    s.bye()
    assert (srv.files / "dave" / "p.bin").read_bytes() == DATA
    assert _parts(srv) == []
    assert used(srv) == (SIZE, 1)


def test_resume_refused_by_quota_keeps_the_part(srv):
    """A resume the quota refuses (the other file grew meanwhile) keeps
    the part, still charged; after a delete the resume completes."""
    _break(srv, 300)
    s = login(srv, "dave", "pw")
    assert s.put("o.bin", b"o" * 500)["ok"]           # 300 + 500
    assert used(srv) == (800, 2)
    assert s.put_begin("p.bin", SIZE, resume=True) == QUOTA
    assert len(_parts(srv)) == 1
    assert used(srv) == (800, 2)
    assert s.request({"op": "delete", "path": "o.bin"})["ok"]
    assert used(srv) == (300, 1)
    r = s.put_begin("p.bin", SIZE, resume=True)
    assert r.get("ok") and r.get("offset") == 300, r
    s.put_data(DATA[300:])
    assert s.put_done(refclient.blake2b256(DATA))["ok"]
    s.bye()
    assert used(srv) == (SIZE, 1)


def test_abort_removes_the_charge(srv):
    """A resume the client aborts (its prefix differs) removes the part
    and its charge."""
    _break(srv, 300)
    s = login(srv, "dave", "pw")
    r = s.put_begin("p.bin", SIZE, resume=True)
    assert r.get("ok") and r.get("offset") == 300, r
    assert s.request({"op": "abort"})["code"] == 18
    s.bye()                                 # the part goes before bye's reply
    assert _parts(srv) == []
    assert used(srv) == (0, 0)


def test_expired_part_swept_gives_back(srv):
    """(c) An expired part removed by the sweep leaves the usage."""
    _break(srv, 300)
    part = srv.files / "dave" / _parts(srv)[0]
    old = time.time() - 3 * 86400                     # partial_ttl: a day
    os.utime(part, (old, old))
    srv.stop()
    srv.start()                                       # the start-up sweep
    assert wait_for(lambda: _parts(srv) == [], 10), _parts(srv)
    assert srv.wait_log(r"gave 300 bytes and 1 file back to the usage "
                        r"of dave", 5), srv.log_text()
    assert used(srv) == (0, 0)


def test_recount_counts_parts(srv):
    """(d) A recount with a part present agrees with the live record."""
    _break(srv, 300)
    s = login(srv, "dave", "pw")
    assert s.put("a.bin", b"a" * 100)["ok"]
    s.bye()
    assert used(srv) == (400, 2)
    r = user(srv, "recount", "dave")
    assert "dave: 400 bytes in 2 files" in r.stdout, r.stdout
    assert used(srv) == (400, 2)
