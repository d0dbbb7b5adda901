"""Disk is reserved as data arrives (issue 8, item 4): a client that announces
a large upload and sends one byte must not make another client's upload fail
with no_space.  As root the served root is a small tmpfs; otherwise the file
system's free space shows how much the held upload reserved."""

import os
import subprocess
import time

import pytest

import refclient
from helpers import IS_ROOT, make_file, nobody_ids, sha256_file, wait_for

MIB = 1 << 20


def _hold_upload(server, name, size):
    """A session that announced size bytes, sent one and waits."""
    s = refclient.connect("127.0.0.1", server.port,
                          refclient.read_key(server.key))
    r = s.put_begin(name, size)
    assert r.get("ok") and r.get("offset") == 0, r
    s.put_data(b"x")
    return s


def _mount_tmpfs(path, size):
    uid, gid = nobody_ids()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o",
                        f"size={size},mode=0755,uid={uid},gid={gid}",
                        "tmpfs", str(path)], capture_output=True)
    return r.returncode == 0


def test_announced_size_not_reserved_at_once_tmpfs(make_server, local):
    if not IS_ROOT:
        pytest.skip("mounting a tmpfs needs root")
    server = make_server()
    if not _mount_tmpfs(server.files, "24m"):
        pytest.skip("cannot mount a tmpfs here")
    try:
        server.start()
        held = _hold_upload(server, "big.bin", 20 * MIB)
        try:
            src = local / "other.bin"
            want = make_file(src, 8 * MIB)
            r = server.ftpc("put", src, "other.bin")
            assert r.returncode == 0, (r.stdout, r.stderr)
            assert sha256_file(server.remote("other.bin")) == want
        finally:
            held.close()
    finally:
        server.stop()
        wait_for(lambda: subprocess.run(["umount", str(server.files)],
                                        capture_output=True).returncode == 0,
                 10, 0.2)


def test_announced_size_not_reserved_at_once_blocks(server):
    """Free blocks of the served root's file system before and during a
    held upload that announced 2 GiB: at most a step (8 MiB) is taken, not
    the announced size (noise from other writers stays far below 1 GiB)."""
    st = os.statvfs(server.files)
    if st.f_bavail * st.f_frsize < 4 << 30:
        pytest.skip("less than 4 GiB free")
    before = st.f_bfree * st.f_frsize
    held = _hold_upload(server, "huge.bin", 2 << 30)
    try:
        time.sleep(0.5)  # the byte is written; the reservation is made
        st = os.statvfs(server.files)
        taken = before - st.f_bfree * st.f_frsize
        assert taken < 1 << 30, f"{taken} bytes reserved for 1 byte sent"
    finally:
        held.close()
