"""Which server, and how patiently (issue 10 item 6): Host blocks in
~/.config/ftpc/config, HOST:PORT and ftpc:// URLs, --connect-timeout
(default 10 s) against a port that accepts but never answers, --retry
with backoff, --limit-rate."""

import os
import socket
import subprocess
import time

from helpers import BIN, make_file, sha256_file


def _run(server, *args, timeout=60):
    """ftpc with no -H, -p or -k of the helpers: only what args say."""
    return subprocess.run([str(BIN["ftpc"]), "-q", *map(str, args)],
                          stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, env=server.env(), timeout=timeout,
                          cwd=server.dir.parent)


def _config(server, text):
    d = server.home / ".config/ftpc"
    d.mkdir(parents=True, exist_ok=True)
    (d / "config").write_text(text)


def test_host_block_alias(server):
    make_file(server.remote("a.txt"), 10)
    _config(server, "# defaults for every server\n"
                    "port = 1\n"
                    "Host other\n    HostName 192.0.2.1\n"
                    f"Host mine backup\n    HostName 127.0.0.1\n"
                    f"    Port {server.port}\n    Key {server.key}\n")
    r = _run(server, "-H", "mine", "ls", "-1")
    assert r.returncode == 0 and r.stdout.split() == ["a.txt"], r
    r = _run(server, "-H", "backup", "ls", "-1")
    assert r.returncode == 0, r
    r = _run(server, "-H", "127.0.0.1", "-k", server.key, "ls")
    assert r.returncode == 3, r                # the top-level port 1
    assert "127.0.0.1:1:" in r.stderr, r.stderr
    _config(server, "Host x\n    Frobnicate yes\n")
    r = _run(server, "-H", "x", "ls")
    assert r.returncode == 2 and "unknown keyword" in r.stderr, r


def test_host_port_and_urls(server, local):
    d = make_file(server.remote("f.bin"), 1000)
    server.ok("mkdir", "sub")
    make_file(server.remote("sub/s.txt"), 5)
    r = _run(server, "-H", f"127.0.0.1:{server.port}", "-k", server.key,
             "ls", "-1")
    assert r.returncode == 0 and "f.bin" in r.stdout.split(), r
    r = _run(server, "-k", server.key, "get",
             f"ftpc://127.0.0.1:{server.port}/f.bin", local / "g.bin")
    assert r.returncode == 0, r
    assert sha256_file(local / "g.bin") == d
    r = _run(server, "-k", server.key, "-H",
             f"ftpc://127.0.0.1:{server.port}/sub", "ls", "-1")
    assert r.returncode == 0 and r.stdout.split() == ["s.txt"], r
    r = _run(server, "-H", f"[::1]:{server.port}", "-k", server.key,
             "--connect-timeout", "2", "ls")
    assert r.returncode in (0, 3), r           # no IPv6 listener: refused
    assert "cannot connect to [::1]" in r.stderr or r.returncode == 0


def test_url_user_names_the_key(server):
    d = server.home / ".config/ftpc"
    d.mkdir(parents=True, exist_ok=True)
    (d / "alice.key").write_bytes(server.key.read_bytes())
    os.chmod(d / "alice.key", 0o600)
    r = _run(server, "ls", f"ftpc://alice@127.0.0.1:{server.port}/")
    assert r.returncode == 0, r


def test_connect_timeout_on_a_silent_port(make_server):
    """A port that accepts (the kernel's backlog) but never answers."""
    s = make_server()
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(8)
    port = lsock.getsockname()[1]
    try:
        t0 = time.monotonic()
        r = _run(s, "-H", f"127.0.0.1:{port}", "-k", s.key,
                 "--connect-timeout", "1", "ls")
        took = time.monotonic() - t0
        assert r.returncode == 3, r
        assert "timed out" in r.stderr, r.stderr
        assert took < 5, took
        t0 = time.monotonic()
        r = _run(s, "-H", f"127.0.0.1:{port}", "-k", s.key, "ls")
        took = time.monotonic() - t0
        assert r.returncode == 3 and 9 <= took < 20, (took, r)
    finally:
        lsock.close()


def test_retry_with_backoff(make_server):
    s = make_server()                          # not started yet
    t0 = time.monotonic()
    r = _run(s, "-H", f"127.0.0.1:{s.port}", "-k", s.key, "--retry", "2",
             "ls")
    took = time.monotonic() - t0
    assert r.returncode == 3, r
    assert r.stderr.count("retrying in") == 2, r.stderr
    assert 2.5 <= took < 10, took              # waits of 1 and 2 s
    p = subprocess.Popen([str(BIN["ftpc"]), "-q", "-H",
                          f"127.0.0.1:{s.port}", "-k", str(s.key),
                          "--retry", "5", "ls"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=s.env())
    try:
        time.sleep(0.5)
        s.start()
        _, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    assert p.returncode == 0, err


def test_limit_rate(server, local):
    make_file(local / "f.bin", 2 << 20)
    t0 = time.monotonic()
    server.ok("put", "--limit-rate", "512K", local / "f.bin")
    took = time.monotonic() - t0
    assert took >= 3.0, took
    r = server.ftpc("put", "--limit-rate", "12x", local / "f.bin")
    assert r.returncode == 2, r
