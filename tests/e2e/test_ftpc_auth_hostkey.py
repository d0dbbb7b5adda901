"""ftpc's side of accounts and the pinned server identity (issue 9, "ftpc"):
known_hosts on first contact (--accept-new, no terminal), a changed key and
a bad host signature (exit 7, both fingerprints, the line to remove), and
the bytes of the auth request -u and -i make.

What it is for: a small fake server (below) speaks the server's side of the
handshake of doc/PROTOCOL.md 2 and 2.6 with an Ed25519 host key, written
from the document with PyNaCl like refclient.py, and records the requests
it decrypts, so the test checks exactly what ftpc sent.  What it must not
do: stand in for ftpd beyond auth, mkdir and bye.
"""

import base64
import hashlib
import os
import socket
import struct
import subprocess
import threading

import msgpack
import pytest
from nacl import bindings as nb
from nacl.signing import SigningKey, VerifyKey

from helpers import BIN

HOST_LABEL = b"ftpd v1 host signature"
USER_LABEL = b"ftpd v1 user signature"
TAG_MESSAGE = nb.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
TAG_FINAL = nb.crypto_secretstream_xchacha20poly1305_TAG_FINAL


def b2b(data, key=b""):
    return hashlib.blake2b(data, digest_size=32, key=key).digest()


def fingerprint(pk):
    """PROTOCOL.md 2.6: SHA256: and unpadded base64 of SHA-256(pk)."""
    h = hashlib.sha256(pk).digest()
    return "SHA256:" + base64.b64encode(h).decode().rstrip("=")


class FakeServer:
    """One listening socket served by a thread, one connection at a time.
    hk: SigningKey or None; secret: the shared secret S (32 bytes);
    badsig: sign something other than T; auth_reply: the map answering
    auth.  Each connection's decoded requests land in self.sessions."""

    def __init__(self, hk=None, secret=None, badsig=False, auth_reply=None):
        self.hk, self.secret, self.badsig = hk, secret or b"", badsig
        self.auth_reply = auth_reply or {"ok": True, "server": "fake/1"}
        self.sessions = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.sock.settimeout(0.2)      # the loop sees self.stop soon
        self.port = self.sock.getsockname()[1]
        self.stop = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def close(self):
        self.stop = True
        self.thread.join(15)
        self.sock.close()

    def _loop(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.settimeout(10)
            s = {"requests": [], "t": None, "nosecret": None}
            self.sessions.append(s)
            try:
                self._serve(conn, s)
            except (OSError, ValueError, RuntimeError) as e:
                s["error"] = repr(e)
            finally:
                conn.close()

    @staticmethod
    def _recv(conn, n):
        buf = b""
        while len(buf) < n:
            b = conn.recv(n - len(buf))
            if not b:
                raise RuntimeError("end of file")
            buf += b
        return buf

    def _frame(self, conn):
        hdr = self._recv(conn, 4)
        return hdr, self._recv(conn, struct.unpack(">I", hdr)[0])

    def _hello(self, conn, s):
        chdr, cpay = self._frame(conn)
        ch = msgpack.unpackb(cpay, raw=False)
        s["nosecret"] = ch.get("nosecret", False)
        pk, sk = nb.crypto_kx_keypair()
        m = {"proto": "ftpd", "v": 1, "pk": pk,
             "suite": "xchacha20poly1305",
             "digests": ["xxh3-128", "blake2b-256"]}
        if self.hk is not None:
            m["hk"] = bytes(self.hk.verify_key)
        spay = msgpack.packb(m, use_bin_type=True)
        sframe = struct.pack(">I", len(spay)) + spay
        conn.sendall(sframe)
        t = b2b(chdr + cpay + sframe)
        rx, tx = nb.crypto_kx_server_session_keys(pk, sk, ch["pk"])
        key = b"" if s["nosecret"] else self.secret
        return t, b2b(b"ftpd v1 c2s" + rx + t, key), \
            b2b(b"ftpd v1 s2c" + tx + t, key)

    def _serve(self, conn, s):
        t, kc2s, ks2c = self._hello(conn, s)
        s["t"] = t
        txs = nb.crypto_secretstream_xchacha20poly1305_state()
        hdr = nb.crypto_secretstream_xchacha20poly1305_init_push(txs, ks2c)
        conn.sendall(struct.pack(">I", len(hdr)) + hdr)

        def send(m, final=False):
            c = nb.crypto_secretstream_xchacha20poly1305_push(
                txs, b"\x01" + msgpack.packb(m, use_bin_type=True), None,
                TAG_FINAL if final else TAG_MESSAGE)
            conn.sendall(struct.pack(">I", len(c)) + c)
        if self.hk is not None:
            signed = HOST_LABEL + (b"\0" * 32 if self.badsig else t)
            send({"op": "hostsig", "sig": self.hk.sign(signed).signature})
        _, chdr = self._frame(conn)
        rxs = nb.crypto_secretstream_xchacha20poly1305_state()
        nb.crypto_secretstream_xchacha20poly1305_init_pull(rxs, chdr, kc2s)
        while True:
            _, c = self._frame(conn)
            p, _ = nb.crypto_secretstream_xchacha20poly1305_pull(rxs, c)
            q = msgpack.unpackb(p[1:], raw=False)
            s["requests"].append(q)
            if q["op"] == "auth":
                send(self.auth_reply, final=not self.auth_reply["ok"])
                if not self.auth_reply["ok"]:
                    return
            elif q["op"] == "bye":
                send({"ok": True}, final=True)
                return
            else:
                send({"ok": True})


@pytest.fixture
def fake():
    made = []

    def factory(**kw):
        f = FakeServer(**kw)
        made.append(f)
        return f
    yield factory
    for f in made:
        f.close()


@pytest.fixture
def home(tmp_path):
    h = tmp_path / "home"
    (h / ".config").mkdir(parents=True)
    return h


def ftpc(home, port, *args, timeout=30):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FTPC_")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_STATE_HOME=str(home / ".state"), LC_ALL="C")
    return subprocess.run([str(BIN["ftpc"]), "-q", "-H", "127.0.0.1", "-p",
                           str(port), *map(str, args)],
                          stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, env=env, timeout=timeout, cwd=home)


def pwfile(home, text="s3cret pass\n"):
    p = home / "pw"
    p.write_text(text)
    os.chmod(p, 0o600)
    return p


def known(home):
    return home / ".config/ftpc/known_hosts"


def auth_of(f, i=0):
    return [q for q in f.sessions[i]["requests"] if q["op"] == "auth"]


def test_first_contact_accept_new_then_known(fake, home):
    hk = SigningKey.generate()
    f = fake(hk=hk)
    r = ftpc(home, f.port, "-u", "alice", "--password-file", pwfile(home),
             "--accept-new", "mkdir", "d")
    assert r.returncode == 0, r
    assert fingerprint(bytes(hk.verify_key)) in r.stderr
    b64 = base64.b64encode(bytes(hk.verify_key)).decode()
    assert known(home).read_text() == f"127.0.0.1 {f.port} {b64}\n"
    assert os.stat(known(home)).st_mode & 0o777 == 0o600
    # The auth request: method password, the file's first line, nosecret.
    assert f.sessions[0]["nosecret"] is True
    assert auth_of(f) == [{"op": "auth", "method": "password",
                           "user": "alice", "password": "s3cret pass"}]
    # Known now: no --accept-new needed, nothing added.
    r = ftpc(home, f.port, "-u", "alice", "--password-file", pwfile(home),
             "mkdir", "e")
    assert r.returncode == 0, r
    assert len(known(home).read_text().splitlines()) == 1


def test_unknown_key_without_terminal_is_refused(fake, home):
    f = fake(hk=SigningKey.generate())
    r = ftpc(home, f.port, "-u", "alice", "--password-file", pwfile(home),
             "mkdir", "d")
    assert r.returncode == 8, r
    assert "--accept-new" in r.stderr and "unknown host key" in r.stderr
    assert auth_of(f) == []              # no password left the client
    assert not known(home).exists()


def test_changed_key_is_a_hard_failure(fake, home):
    old, new = SigningKey.generate(), SigningKey.generate()
    f = fake(hk=new)
    known(home).parent.mkdir(parents=True)
    b64 = base64.b64encode(bytes(old.verify_key)).decode()
    line = f"127.0.0.1 {f.port} {b64}"
    known(home).write_text(f"# pinned\n{line}\n")
    for extra in ([], ["--accept-new"]):
        r = ftpc(home, f.port, "-u", "alice", "--password-file",
                 pwfile(home), *extra, "mkdir", "d")
        assert r.returncode == 7, r
        assert "CHANGED" in r.stderr
        assert fingerprint(bytes(old.verify_key)) in r.stderr
        assert fingerprint(bytes(new.verify_key)) in r.stderr
        assert f"remove line 2 of {known(home)}" in r.stderr
        assert line in r.stderr
    assert all(auth_of(f, i) == [] for i in range(len(f.sessions)))
    assert known(home).read_text() == f"# pinned\n{line}\n"


def test_fingerprint_line_pins_the_key(fake, home):
    hk = SigningKey.generate()
    f = fake(hk=hk)
    known(home).parent.mkdir(parents=True)
    known(home).write_text(
        f"127.0.0.1 {f.port} {fingerprint(bytes(hk.verify_key))}\n")
    r = ftpc(home, f.port, "-u", "alice", "--password-file", pwfile(home),
             "mkdir", "d")
    assert r.returncode == 0, r


def test_bad_host_signature(fake, home):
    hk = SigningKey.generate()
    f = fake(hk=hk, badsig=True)
    r = ftpc(home, f.port, "-u", "alice", "--password-file", pwfile(home),
             "--accept-new", "mkdir", "d")
    assert r.returncode == 7, r
    assert "signature did not verify" in r.stderr
    assert fingerprint(bytes(hk.verify_key)) in r.stderr
    assert f.sessions[0]["requests"] == []
    assert not known(home).exists()


def test_publickey_request(fake, home):
    f = fake(hk=SigningKey.generate())
    key = home / "id"
    r = ftpc(home, f.port, "keygen", key)
    assert r.returncode == 0, r
    seed = bytes.fromhex(key.read_text().strip())
    pk = bytes(SigningKey(seed).verify_key)
    r = ftpc(home, f.port, "-u", "bob", "-i", key, "--accept-new",
             "mkdir", "d")
    assert r.returncode == 0, r
    (q,) = auth_of(f)
    assert sorted(q) == ["method", "op", "pk", "sig", "user"]
    assert q["method"] == "publickey" and q["user"] == "bob"
    assert q["pk"] == pk
    t = f.sessions[0]["t"]
    VerifyKey(pk).verify(USER_LABEL + t + b"bob", q["sig"])


def test_shared_secret_records_key_without_asking(fake, home):
    """A keyed session: the server proved it holds S, so its new host key
    is recorded without a terminal or --accept-new (method secret)."""
    secret = os.urandom(32)
    kf = home / "secret.key"
    kf.write_text(secret.hex() + "\n")
    os.chmod(kf, 0o600)
    hk = SigningKey.generate()
    f = fake(hk=hk, secret=secret)
    r = ftpc(home, f.port, "-k", kf, "mkdir", "d")
    assert r.returncode == 0, r
    assert auth_of(f) == [{"op": "auth", "method": "secret"}]
    assert f.sessions[0]["nosecret"] is False
    assert known(home).read_text().split()[2] == \
        base64.b64encode(bytes(hk.verify_key)).decode()
    # -u with the secret named: keyed, method password.
    r = ftpc(home, f.port, "-k", kf, "-u", "carol", "--password-file",
             pwfile(home), "mkdir", "d")
    assert r.returncode == 0, r
    assert f.sessions[1]["nosecret"] is False
    assert auth_of(f, 1)[0]["method"] == "password"


def test_wrong_password_exits_4(fake, home):
    f = fake(hk=SigningKey.generate(),
             auth_reply={"ok": False, "code": 16, "err": "auth",
                         "msg": "authentication failed"})
    r = ftpc(home, f.port, "-u", "alice", "--password-file", pwfile(home),
             "--accept-new", "mkdir", "d")
    assert r.returncode == 4, r
    assert "authentication failed" in r.stderr


def test_nosecret_needs_a_host_key(fake, home):
    f = fake(hk=None)
    r = ftpc(home, f.port, "-u", "alice", "--password-file", pwfile(home),
             "mkdir", "d")
    assert r.returncode == 4, r
    assert "no host key" in r.stderr


def test_password_file_rules(fake, home):
    f = fake(hk=SigningKey.generate())
    p = pwfile(home)
    os.chmod(p, 0o644)
    r = ftpc(home, f.port, "-u", "alice", "--password-file", p,
             "--accept-new", "mkdir", "d")
    assert r.returncode == 5, r
    assert "chmod 600" in r.stderr
    assert auth_of(f) == []
    # No file and no terminal: a usage error, nothing sent.
    r = ftpc(home, f.port, "-u", "alice", "mkdir", "d")
    assert r.returncode == 2, r
    assert "--password-file" in r.stderr
    r = ftpc(home, f.port, "-u", "Bad User", "mkdir", "d")
    assert r.returncode == 2, r


def test_terminal_asks_for_key_and_password(fake, home):
    """On a terminal: the fingerprint and a question, then the password
    prompt with echo off; typed answers go into known_hosts and auth."""
    import fcntl
    import select
    import termios
    import time

    hk = SigningKey.generate()
    f = fake(hk=hk)
    master, slave = os.openpty()

    def ctty():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FTPC_")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               LC_ALL="C", TERM="dumb")
    p = subprocess.Popen([str(BIN["ftpc"]), "-q", "-H", "127.0.0.1", "-p",
                          str(f.port), "-u", "alice", "mkdir", "d"],
                         stdin=slave, stdout=slave, stderr=slave, env=env,
                         cwd=home, preexec_fn=ctty)
    os.close(slave)
    out = b""

    def until(want):
        nonlocal out
        end = time.monotonic() + 10
        while want not in out and time.monotonic() < end:
            if select.select([master], [], [], 0.1)[0]:
                try:
                    out += os.read(master, 4096)
                except OSError:
                    return
    try:
        until(b"(yes/no)? ")
        assert fingerprint(bytes(hk.verify_key)).encode() in out, out
        os.write(master, b"yes\n")
        until(b"password: ")
        assert b"alice@127.0.0.1:" in out, out
        os.write(master, b"typed pw\n")
        assert p.wait(10) == 0, out
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(master)
    assert b"typed pw" not in out                  # no echo
    assert auth_of(f)[0]["password"] == "typed pw"
    assert known(home).exists()
