"""Accounts (issue 9): `ftpd user` with bad input (unknown user, duplicate,
bad name, bad settings, bad key) gives clear errors and leaves the users
file intact; keygen makes the host key; a reload picks up changes; a users
file others may write is refused."""

import os

from accounts import fresh, login, seed_key, user

import refclient


def test_keygen_makes_host_key(make_server):
    s = fresh(make_server)
    hk = s.dir / "host.key"
    assert hk.exists() and hk.stat().st_mode & 0o777 == 0o600
    before = hk.read_bytes()
    hk.unlink()                                   # an older install
    r = s.ftpd("keygen")
    assert r.returncode == 0 and str(hk) in r.stdout, r
    assert hk.read_bytes() != before
    r = s.ftpd("keygen")                          # both exist: refused
    assert r.returncode == 1 and "exists" in r.stderr.lower(), r


def test_bad_input_leaves_file_intact(make_server):
    s = fresh(make_server)
    user(s, "add", "erin", password="pw")
    users = s.dir / "users"
    before = users.read_bytes()
    cases = [
        (("add", "erin"), "pw", "exists"),
        (("add", "Erin"), "pw", "bad user name"),
        (("add", "_x"), "pw", "bad user name"),
        (("add", "a:b"), "pw", "bad user name"),
        (("add", "a" * 33), "pw", "bad user name"),
        (("add", "frank", "perms=xyz"), "pw", "bad setting"),
        (("add", "frank", "home=../up"), "pw", "bad setting"),
        (("add", "frank", "quota=lots"), "pw", "bad setting"),
        (("add", "frank"), "", "empty password"),
        (("del", "nosuch"), None, "no user 'nosuch'"),
        (("passwd", "nosuch"), "pw", "no user 'nosuch'"),
        (("show", "nosuch"), None, "no user 'nosuch'"),
        (("key", "add", "erin", "notakey"), None, "not an Ed25519"),
        (("key", "del", "erin", seed_key(bytes(32))), None, "no such key"),
        (("set", "erin", "enabled=maybe"), None, "bad setting"),
    ]
    for args, pw, why in cases:
        r = user(s, *args, password=pw, check=False)
        assert r.returncode != 0, (args, r)
        assert why in r.stderr, (args, r.stderr)
        assert users.read_bytes() == before, args
    r = user(s, "frobnicate", check=False)
    assert r.returncode == 2 and "usage" in r.stderr


def test_passwd_key_del_and_reload(make_server):
    s = fresh(make_server)
    user(s, "add", "gina", password="old")
    s.start()
    login(s, "gina", "old").bye()
    user(s, "passwd", "gina", password="new")
    user(s, "key", "add", "gina", "ed25519", seed_key(bytes(32)), "laptop")
    out = user(s, "list").stdout
    assert out == "gina enabled lrwdm /gina\n", out
    assert "key " + seed_key(bytes(32)) in user(s, "show", "gina").stdout
    assert "password set" in user(s, "show", "gina").stdout
    assert "$argon2id" not in user(s, "show", "gina").stdout
    login(s, "gina", "old").bye()                 # not reloaded yet
    assert s.ftpd("reload").returncode == 0
    c = refclient.connect_v2("127.0.0.1", s.port)
    assert c.auth_password("gina", "old")["code"] == 16
    assert c.auth_password("gina", "new")["ok"]
    c.bye()
    c = refclient.connect_v2("127.0.0.1", s.port)
    assert c.auth_publickey("gina", bytes(32))["ok"]
    c.bye()
    user(s, "key", "del", "gina", seed_key(bytes(32)))
    user(s, "del", "gina")
    assert user(s, "list").stdout == ""
    assert s.ftpd("reload").returncode == 0
    c = refclient.connect_v2("127.0.0.1", s.port)
    assert c.auth_password("gina", "new")["code"] == 16


def test_users_file_writable_by_others_refused(make_server):
    s = fresh(make_server)
    user(s, "add", "hal", password="pw")
    os.chmod(s.dir / "users", 0o666)
    r = s.ftpd("start")
    assert r.returncode != 0 and "writable by group or others" in r.stderr


def test_memory_limit_must_hold_a_verify(make_server):
    s = make_server(memory_limit="100M")           # 64M + 64M needed
    r = s.ftpd("-t")
    assert r.returncode == 1 and "pwhash_mem" in r.stderr, r
    s.conf.update(memory_limit="256M", pwhash_mem="8M")
    s.write_conf()
    user(s, "add", "ivan", password="pw")           # a cheap hash
    s.conf.update(memory_limit="80M")               # 8M + 64M fits
    s.write_conf()
    assert s.ftpd("-t").returncode == 0
    line = (s.dir / "users").read_text().replace("m=8192", "m=65536")
    (s.dir / "users").write_text(line)              # now a 64M hash
    r = s.ftpd("start")
    assert r.returncode != 0 and "needs 64M" in r.stderr, r
