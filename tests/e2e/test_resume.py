"""ftpc -C (--continue): resumable downloads.

A get with -C writes to ".NAME.ftpc-part" beside the target and keeps it on
a failure or a signal; the next "ftpc -C get" asks the server for the bytes
after it ("offset", doc/PROTOCOL.md 4.8) and checks the whole-file digest.
A stale prefix fails with exit 6 and removes the partial file.  Without -C
an interrupted get leaves nothing behind.  Every wait is bounded, and a
client still running at the end is killed by its PID.
"""

import os
import re
import signal
import subprocess
import time

from helpers import make_file, sha256_file, wait_for

MIB = 1 << 20


def _setup(server, local, name, size):
    """Put a random file of size bytes as name; returns (sha256, source,
    download folder)."""
    src = local / "src"
    src.mkdir(exist_ok=True)
    digest = make_file(src / name, size)
    server.ok("put", src / name, name)
    dl = local / "dl"
    dl.mkdir(exist_ok=True)
    return digest, src / name, dl


def _part(dl, name):
    return dl / f".{name}.ftpc-part"


def _leftovers(dl, name):
    """Temporary or partial names of name's download in dl."""
    return [n for n in os.listdir(dl) if n.startswith(f".{name}.ftpc-")]


def _get_bytes(server, name, n):
    """Bytes out of the n-th (1-based) completed get of name, from the
    worker's session log line "get NAME: B bytes in T ms"."""
    rx = re.compile(rf"get {re.escape(name)}: (\d+) bytes in \d+ ms$")

    def look():
        found = [rx.search(ln) for ln in server.log_text().splitlines()]
        found = [m for m in found if m]
        return found if len(found) >= n else None
    found = wait_for(look, 5)
    assert found, f"no log line for get {name}:\n{server.log_text()}"
    return int(found[n - 1].group(1))


def _stop(p):
    """Make sure the client p is gone (it is ours); returns its stderr."""
    try:
        _, err = p.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
    return err.decode(errors="replace")


def _interrupt(server, dl, name, resume, early):
    """Start a get of name into dl and SIGTERM it about 0.3 s in, once its
    file in dl holds bytes (sooner if it already holds early bytes, so a
    fast machine cannot finish first); returns (exit code, stderr)."""
    args = (["-C"] if resume else []) + ["get", name, f"{dl}/"]
    t0 = time.monotonic()
    p = server.ftpc_popen(*args)
    try:
        def ready():
            for n in _leftovers(dl, name):
                try:
                    size = os.path.getsize(dl / n)
                except FileNotFoundError:
                    continue
                if size > 0 and (size >= early or
                                 time.monotonic() - t0 >= 0.3):
                    return True
            return False
        assert wait_for(ready, 20, 0.01), "the download did not start"
        assert p.poll() is None, "the download ended before the signal"
        os.kill(p.pid, signal.SIGTERM)
    finally:
        err = _stop(p)
    return p.returncode, err


def test_resume_from_good_prefix(server, local):
    """A partial file holding the first 7 MiB: only the rest is sent, the
    result is identical, the partial file is gone."""
    digest, src, dl = _setup(server, local, "big.bin", 20 * MIB)
    with open(src, "rb") as f, open(_part(dl, "big.bin"), "wb") as o:
        o.write(f.read(7 * MIB))
    r = server.ftpc("-C", "get", "big.bin", f"{dl}/")
    assert r.returncode == 0, r.stderr
    assert sha256_file(dl / "big.bin") == digest
    assert _leftovers(dl, "big.bin") == []
    assert _get_bytes(server, "big.bin", 1) == 13 * MIB
    lines = server.wait_xfer(2)
    assert any(" /big.bin b _ o " in ln for ln in lines), lines


def test_continue_without_partial(server, local):
    """-C with nothing to resume is an ordinary get; a missing remote file
    leaves no empty partial file behind."""
    digest, _, dl = _setup(server, local, "small.bin", 300 * 1024)
    r = server.ftpc("--continue", "get", "small.bin", f"{dl}/")
    assert r.returncode == 0, r.stderr
    assert sha256_file(dl / "small.bin") == digest
    r = server.ftpc("-C", "get", "absent.bin", f"{dl}/")
    assert r.returncode == 1, r.stderr
    assert _leftovers(dl, "absent.bin") == []
    assert sorted(os.listdir(dl)) == ["small.bin"]


def test_stale_prefix_is_integrity_error(server, local):
    """7 MiB of zeros as the partial file: exit 6, partial removed, no
    target created."""
    _, _, dl = _setup(server, local, "big.bin", 20 * MIB)
    _part(dl, "big.bin").write_bytes(bytes(7 * MIB))
    r = server.ftpc("-C", "get", "big.bin", f"{dl}/")
    assert r.returncode == 6, (r.returncode, r.stderr)
    assert "digest mismatch" in r.stderr
    assert "run the get again" in r.stderr
    assert os.listdir(dl) == []


def test_partial_larger_than_remote_starts_over(server, local):
    """A partial file larger than the remote file is cut and refilled."""
    digest, _, dl = _setup(server, local, "f.bin", 2 * MIB)
    _part(dl, "f.bin").write_bytes(os.urandom(3 * MIB))
    r = server.ftpc("-C", "get", "f.bin", f"{dl}/")
    assert r.returncode == 0, r.stderr
    assert sha256_file(dl / "f.bin") == digest
    assert os.listdir(dl) == ["f.bin"]


def test_sigterm_keeps_partial_and_resume_completes(server, local):
    """SIGTERM during a -C get keeps a partial file; -C again finishes."""
    size = 200 * MIB
    digest, _, dl = _setup(server, local, "huge.bin", size)
    rc, err = _interrupt(server, dl, "huge.bin", True, 50 * MIB)
    assert rc == 128 + signal.SIGTERM, (rc, err)
    assert "partial download kept in" in err, err
    part = _part(dl, "huge.bin")
    assert 0 < part.stat().st_size < size
    assert not (dl / "huge.bin").exists()
    r = server.ftpc("-C", "get", "huge.bin", f"{dl}/", timeout=300)
    assert r.returncode == 0, r.stderr
    assert sha256_file(dl / "huge.bin") == digest
    assert os.listdir(dl) == ["huge.bin"]
    assert _get_bytes(server, "huge.bin", 1) < size


def test_sigterm_without_continue_leaves_nothing(server, local):
    """Without -C an interrupted get removes its temporary file."""
    _, _, dl = _setup(server, local, "huge.bin", 200 * MIB)
    rc, err = _interrupt(server, dl, "huge.bin", False, 50 * MIB)
    assert rc == 128 + signal.SIGTERM, (rc, err)
    assert "partial download kept" not in err
    assert os.listdir(dl) == []
