"""Exit statuses that tell the truth (issue 10 items 4 and 7, issue 8 item
6): a transfer whose "done" was acknowledged is a success whatever the
server says afterwards; a file that changes while it is uploaded is
aborted (nothing committed) and ftpc says so and fails; execute bits
survive an upload, and -p keeps mtimes and modes both ways."""

import os
import signal
import time

from helpers import make_file, sha256_file, temp_files, wait_for

MIB = 1 << 20


def test_done_acknowledged_is_success_even_if_the_server_stops(
        make_server, local):
    """The master is told to stop during the upload: the worker finishes
    it (its reply to "done" is ok), then ends the session ("server shutting
    down") instead of answering "bye".  That is no failure of the put."""
    server = make_server(shutdown_timeout=30)
    server.start()
    digest = make_file(local / "f.bin", 3 * MIB)
    master = server.master_pid()
    p = server.ftpc_popen("--limit-rate", "1M", "put", local / "f.bin")
    try:
        time.sleep(1.0)
        assert p.poll() is None, "the upload ended before the signal"
        os.kill(master, signal.SIGTERM)
        out, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    assert p.returncode == 0, (p.returncode, err)
    assert sha256_file(server.remote("f.bin")) == digest
    assert err == b"", err


def put_while_changed(server, local, change):
    """Start a slow put of a 3 MiB file, change the file after a second,
    and check the put was aborted: exit 5, said so, nothing committed."""
    f = local / "f.bin"
    make_file(f, 3 * MIB)
    p = server.ftpc_popen("--limit-rate", "1M", "put", f)
    try:
        time.sleep(1.0)
        assert p.poll() is None, "the upload ended before the change"
        change(f)
        _, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    assert p.returncode == 5, (p.returncode, err)
    assert b"changed while being read" in err, err
    assert not server.remote("f.bin").exists()
    assert wait_for(lambda: not temp_files(server.files), 5)


def test_file_changed_during_put_is_aborted(server, local):
    """Rewritten in place (same size) mid-upload: ftpc sends "abort",
    nothing is committed, it says so and exits 5."""
    def rewrite(f):
        with open(f, "r+b") as o:
            o.write(os.urandom(4096))
    put_while_changed(server, local, rewrite)


def test_execute_bits_survive_an_upload(server, local):
    f = local / "run.sh"
    make_file(f, 10)
    f.chmod(0o755)
    server.ok("put", f)
    mode = os.stat(server.remote("run.sh")).st_mode & 0o777
    assert mode & 0o100, oct(mode)             # 0755 within umask 027
    assert mode == 0o755 & ~0o027, oct(mode)


def test_preserve_keeps_mtime_and_mode_both_ways(server, local):
    f = local / "old.txt"
    make_file(f, 10)
    f.chmod(0o750)
    os.utime(f, (1000000000, 1000000000))
    server.ok("put", f, "plain.txt")           # without -p: now
    assert abs(os.stat(server.remote("plain.txt")).st_mtime -
               time.time()) < 60
    server.ok("put", "-p", f, "kept.txt")
    st = os.stat(server.remote("kept.txt"))
    assert int(st.st_mtime) == 1000000000
    assert st.st_mode & 0o777 == 0o750
    os.utime(server.remote("kept.txt"), (1100000000, 1100000000))
    back = local / "back"
    back.mkdir()
    server.ok("get", "-p", "kept.txt", back)
    st = os.stat(back / "kept.txt")
    assert int(st.st_mtime) == 1100000000
    assert st.st_mode & 0o777 == 0o750
    server.ok("get", "kept.txt", back / "now.txt")
    assert abs(os.stat(back / "now.txt").st_mtime - time.time()) < 60


def test_file_truncated_during_put_is_aborted(server, local):
    """Truncated mid-upload: ftpc reads the file through a mapping
    (common/mapread.c), where the lost pages fault with SIGBUS; it must
    catch that, abort the put and exit 5, not die of the signal."""
    put_while_changed(server, local, lambda f: os.truncate(f, 100 * 1024))
