"""Cipher suites (doc/PROTOCOL.md section 2): ftpc and ftpd agree on
aes256gcm where the CPU has AES instructions, a first-version client still
gets xchacha20poly1305, and a man in the middle who strips aes256gcm from
the client's offer to force the other suite breaks the session: both hellos
are in the transcript, so the keys differ and nothing gets through."""

import socket
import struct
import threading

import msgpack
import pytest

import refclient
from helpers import make_file, wait_for


def aes_available():
    with open("/proc/cpuinfo") as f:
        flags = f.read()
    return " aes " in flags and " pclmulqdq " in flags


def read_frame(sock):
    hdr = b""
    while len(hdr) < 4:
        chunk = sock.recv(4 - len(hdr))
        if not chunk:
            return None
        hdr += chunk
    n = struct.unpack(">I", hdr)[0]
    body = b""
    while len(body) < n:
        chunk = sock.recv(n - len(body))
        if not chunk:
            return None
        body += chunk
    return body


def pipe(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class Downgrader:
    """Accepts one connection on 127.0.0.1, rewrites the client hello to
    offer only xchacha20poly1305 (unless rewrite is False), records both
    hellos, forwards the rest."""

    def __init__(self, target_port, rewrite=True):
        self.rewrite = rewrite
        self.lsock = socket.socket()
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(1)
        self.port = self.lsock.getsockname()[1]
        self.target = target_port
        self.seen = {}
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        self.lsock.settimeout(20)
        c, _ = self.lsock.accept()
        s = socket.create_connection(("127.0.0.1", self.target), timeout=20)
        hello = msgpack.unpackb(read_frame(c), raw=False)
        self.seen["offer"] = list(hello.get("suites", []))
        if self.rewrite:
            hello["suites"] = ["xchacha20poly1305"]
        p = msgpack.packb(hello, use_bin_type=True)
        s.sendall(struct.pack(">I", len(p)) + p)
        shello = read_frame(s)
        sh = msgpack.unpackb(shello, raw=False)
        self.seen["suite"] = sh.get("suite")
        self.seen["digests"] = sh.get("digests")
        c.sendall(struct.pack(">I", len(shello)) + shello)
        t = threading.Thread(target=pipe, args=(s, c), daemon=True)
        t.start()
        pipe(c, s)
        t.join(20)
        c.close()
        s.close()

    def close(self):
        self.thread.join(20)
        self.lsock.close()


def test_client_and_server_pick_aes(server):
    s = refclient.connect("127.0.0.1", server.port,
                          refclient.read_key(server.key), do_auth=False)
    s.close()
    # refclient is a first-version client: no "suites", so no "suite".
    assert "suite" not in msgpack.unpackb(s.server_hello, raw=False)
    if not aes_available():
        pytest.skip("no AES instructions: ftpc offers xchacha20poly1305 only")
    # ftpc offers aes256gcm first and gets it: watch the hellos pass by.
    watch = Downgrader(server.port, rewrite=False)
    r = server.ftpc("ls", port=watch.port, timeout=30)
    watch.close()
    assert r.returncode == 0, r.stderr
    assert watch.seen["offer"] == ["aes256gcm", "xchacha20poly1305"]
    assert watch.seen["suite"] == "aes256gcm"
    # A client that offers suites also learns the server's digests.
    assert watch.seen["digests"] == ["blake2b-256", "xxh3-128"]


def test_downgrade_fails(server, local):
    if not aes_available():
        pytest.skip("no AES instructions: nothing to downgrade from")
    src = local / "x.bin"
    make_file(src, 5000)
    log_before = server.log_text()
    mitm = Downgrader(server.port)
    r = server.ftpc("put", src, port=mitm.port, timeout=30)
    mitm.close()
    assert mitm.seen["offer"] == ["aes256gcm", "xchacha20poly1305"]
    assert mitm.seen["suite"] == "xchacha20poly1305"  # the server was fooled
    assert r.returncode == 4, (r.returncode, r.stderr)  # but nothing passed
    assert not (server.files / "x.bin").exists()

    def failure():
        new = server.log_text()[len(log_before):]
        return [ln for ln in new.splitlines() if "wrong key" in ln]
    assert wait_for(failure, 5), server.log_text()
    server.ok("put", src)                     # without the proxy: fine
    assert (server.files / "x.bin").stat().st_size == 5000
