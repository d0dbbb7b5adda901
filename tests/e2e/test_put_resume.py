"""ftpc put -C: verified upload resume (doc/PROTOCOL.md 4.10, "resume").

A put with -C writes to a hidden ".ftpd-put.part.*" file in the target's
folder, kept when the upload breaks (client killed, worker killed); the
next "put -C" gets its length and digest, checks them against the local
file and sends only the rest, or starts over when they differ.  A part
older than partial_ttl is not used and is swept.  Every wait is bounded;
only processes this test started are killed, by PID.
"""

import os
import re
import signal
import subprocess
import time

import pytest

from helpers import busy_workers, make_file, pid_alive, sha256_file, wait_for

MIB = 1 << 20
PART = ".ftpd-put.part."


def _parts(folder):
    return [n for n in os.listdir(folder) if n.startswith(PART)]


def _part_size(folder):
    names = _parts(folder)
    try:
        return os.path.getsize(folder / names[0]) if names else 0
    except FileNotFoundError:
        return 0


def _stop(p):
    try:
        p.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()


def _resumed(server, n):
    """Offsets of the first n resumes in the server log."""
    rx = re.compile(r"resuming at (\d+) of (\d+) bytes")

    def look():
        found = [int(m.group(1)) for m in map(rx.search,
                 server.log_text().splitlines()) if m]
        return found if len(found) >= n else None
    return wait_for(look, 5) or []


def _interrupt(server, src, at, victim="client"):
    """Start "put -C src" at 1 MiB/s, wait until the server's part holds
    at least at bytes, SIGKILL the client (or the worker); returns the
    part's length once the worker let it go."""
    p = server.ftpc_popen("--limit-rate", "1M", "put", "-C", src)
    try:
        assert wait_for(lambda: _part_size(server.files) >= at, 30, 0.01), \
            server.log_text()
        assert p.poll() is None, "the upload ended before the kill"
        if victim == "client":
            os.kill(p.pid, signal.SIGKILL)
        else:
            busy = wait_for(lambda: busy_workers(server.master_pid(),
                                                 server.port), 5)
            assert busy and len(busy) == 1, busy
            os.kill(busy[0], signal.SIGKILL)
            assert wait_for(lambda: not pid_alive(busy[0]), 5)
    finally:
        _stop(p)
    # The worker notices the lost client and keeps the part.
    assert wait_for(lambda: "incomplete" in server.log_text()
                    or victim != "client", 10)
    time.sleep(0.3)
    assert _parts(server.files), os.listdir(server.files)
    return _part_size(server.files)


@pytest.mark.parametrize("at", [1, MIB // 2, 5 * MIB // 2])
def test_interrupt_then_resume(server, local, at):
    """Killed at several offsets; the resume sends only the rest, the
    target appears only at the end, complete, and no part is left."""
    src = local / "big.bin"
    digest = make_file(src, 4 * MIB + 123)
    kept = _interrupt(server, src, at)
    assert kept >= at
    assert not server.remote("big.bin").exists()
    r = server.ftpc("put", "-C", src)
    assert r.returncode == 0, r.stderr
    assert sha256_file(server.remote("big.bin")) == digest
    assert _resumed(server, 1) == [kept]
    assert _parts(server.files) == []


def test_changed_local_file_starts_over(server, local):
    """The local file changed since the part was written: the digests
    differ, the client aborts and sends it all; the result is the new
    file."""
    src = local / "f.bin"
    make_file(src, 3 * MIB)
    _interrupt(server, src, MIB)
    with open(src, "r+b") as f:
        f.write(os.urandom(4096))
    r = server.ftpc("put", "-C", src)
    assert r.returncode == 0, r.stderr
    assert sha256_file(server.remote("f.bin")) == sha256_file(src)
    assert len(_resumed(server, 1)) == 1
    assert server.wait_log(r"put \S*f\.bin aborted by the client", 5)
    assert _parts(server.files) == []


def test_plain_put_keeps_nothing(server, local):
    """Without -C the upload is all or nothing, as before."""
    src = local / "g.bin"
    make_file(src, 6 * MIB)
    p = server.ftpc_popen("--limit-rate", "1M", "put", src)
    try:
        assert server.wait_log(r"session \d+: .* logged in", 10)
        time.sleep(1)
        assert p.poll() is None, "the upload ended before the kill"
        os.kill(p.pid, signal.SIGKILL)
    finally:
        _stop(p)
    assert wait_for(lambda: "incomplete" in server.log_text(), 10), \
        server.log_text()
    assert _parts(server.files) == []
    assert not server.remote("g.bin").exists()


def test_expired_part_is_not_used_and_is_swept(make_server, local):
    """partial_ttl 1: a part two seconds old is started over, and an
    expired part of another file is swept by the next worker start."""
    server = make_server(partial_ttl=1)
    server.start()
    src = local / "e.bin"
    digest = make_file(src, 3 * MIB)
    _interrupt(server, src, MIB)
    time.sleep(2.2)
    r = server.ftpc("put", "-C", src)
    assert r.returncode == 0, r.stderr
    assert sha256_file(server.remote("e.bin")) == digest
    assert "resuming at" not in server.log_text()
    # An expired part nobody resumes is swept (sweep at worker start).
    other = local / "o.bin"
    make_file(other, 3 * MIB)
    _interrupt(server, other, MIB)
    time.sleep(2.2)
    server.stop()
    server.start()
    assert wait_for(lambda: _parts(server.files) == [], 10), \
        os.listdir(server.files)
    assert server.wait_log(r"removed leftover upload temporary", 5)


def test_worker_killed_mid_resume(server, local):
    """kill -9 of the worker while a resume runs: the target is not
    created, and a later resume still completes it."""
    src = local / "w.bin"
    digest = make_file(src, 5 * MIB)
    first = _interrupt(server, src, MIB)
    second = _interrupt(server, src, first + MIB, victim="worker")
    assert second > first
    assert not server.remote("w.bin").exists()
    r = server.ftpc("put", "-C", src)
    assert r.returncode == 0, r.stderr
    assert sha256_file(server.remote("w.bin")) == digest
    offs = _resumed(server, 2)
    assert offs[0] == first and offs[1] == second, offs
    assert _parts(server.files) == []


def test_protocol_vector(server):
    """The worked example of doc/PROTOCOL.md 4.10 "Resume", with the
    reference client: the part's name, the reply and the final digest."""
    import hashlib
    import struct

    import refclient
    key = refclient.read_key(server.key)
    s = refclient.connect("127.0.0.1", server.port, key)
    try:
        r = s.put_begin("hello.txt", 12, resume=True)
        assert r.get("ok") and r.get("offset") == 0, r
        s.put_data(b"hello")
        want = ".ftpd-put.part." + hashlib.blake2b(
            b"secret\0hello.txt\0" + struct.pack("<Q", 12), digest_size=8).hexdigest()
        assert wait_for(lambda: _part_size(server.files) == 5, 5)
        assert _parts(server.files) == [want]
    finally:
        s.close()
    assert wait_for(lambda: "incomplete" in server.log_text(), 10)
    s = refclient.connect("127.0.0.1", server.port, key)
    try:
        r = s.put_begin("hello.txt", 12, resume=True)
        assert r.get("ok") and r.get("offset") == 5, r
        assert r.get("alg") == "blake2b-256", r
        assert bytes(r.get("digest")).hex() == (
            "324dcf027dd4a30a932c441f365a25e86b173defa4b8e58948253471b81b72cf")
        s.put_data(b" world\n")
        r = s.put_done(bytes.fromhex(
            "c71b05fd1d1c7bf7e928ff18e58db5193e9316416cc26ba9cc9094da80d7011e"))
        assert r.get("ok") and r.get("size") == 12, r
    finally:
        s.close()
    assert server.remote("hello.txt").read_bytes() == b"hello world\n"
    assert _parts(server.files) == []
