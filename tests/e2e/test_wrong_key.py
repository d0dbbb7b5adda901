"""A client with another key: ftpc exits 4, the server logs the failure,
nothing is changed, and the right key still works."""

import os
import re

import pytest

import refclient
from helpers import make_file, wait_for

AUTH_RX = re.compile(r"(?i)(auth\w*.{0,40}(fail|denied|refused|wrong|bad|invalid)|"
                     r"(fail|denied|refused|wrong|bad|invalid)\w*.{0,40}auth|"
                     r"decrypt)")


def test_wrong_key(server, local):
    other = local / "other.key"
    assert server.ftpd("keygen", str(other)).returncode == 0
    src = local / "x.bin"
    make_file(src, 1000)
    log_before = server.log_text()
    for args in (("ls",), ("put", src), ("mkdir", "d")):
        r = server.ftpc(*args, key=other)
        assert r.returncode == 4, (args, r.returncode, r.stderr)
        assert r.stderr.strip()
    assert os.listdir(server.files) == []

    def new_auth_lines():
        new = server.log_text()[len(log_before):]
        return [ln for ln in new.splitlines() if AUTH_RX.search(ln)]
    lines = wait_for(new_auth_lines, 5)
    assert lines, "no authentication failure in the log:\n" + server.log_text()
    assert "127.0.0.1" in "\n".join(lines)
    server.ok("put", src)
    assert (server.files / "x.bin").stat().st_size == 1000


def test_wrong_secret_raw(server):
    """With the wrong secret the server cannot decrypt our first frame: it
    closes without a reply; the worker serves the next session."""
    s = refclient.connect("127.0.0.1", server.port, os.urandom(32),
                          do_auth=False)
    try:
        with pytest.raises(refclient.ProtocolError):
            s.auth()
    finally:
        s.close()
    s = refclient.connect("127.0.0.1", server.port,
                          refclient.read_key(server.key))
    assert s.stat(".").get("ok")
    s.bye()
    s.close()


def test_bad_key_file_refused(server, local):
    """ftpc refuses a key file readable by others before connecting."""
    k = local / "loose.key"
    k.write_bytes(server.key.read_bytes())
    os.chmod(k, 0o644)
    r = server.ftpc("ls", key=k)
    assert r.returncode != 0 and r.stderr.strip()
