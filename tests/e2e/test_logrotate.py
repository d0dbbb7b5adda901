"""Real logrotate(8) with etc/logrotate.d/ftpd, its paths pointed at the
test daemon's files: rename, create, postrotate SIGUSR1.  Transfers run
across the rotation; every transfer is logged exactly once over xferlog.1
and xferlog, the lines from before are in the rotated files, those from
after the reopen in the new ones, and the rotated files stop growing."""

import os
import shutil
import subprocess
import threading
import time

import pytest

from helpers import IS_ROOT, REPO, XFER_LINE_RE, make_file, wait_for

pytestmark = pytest.mark.skipif(shutil.which("logrotate") is None,
                                reason="logrotate not installed")


def _config(server, dest):
    """etc/logrotate.d/ftpd with the test daemon's paths."""
    text = (REPO / "etc/logrotate.d/ftpd").read_text()
    for old, new in (("/var/log/ftpd/ftpd.log", server.log),
                     ("/var/log/ftpd/xferlog", server.xferlog),
                     ("/run/ftpd/ftpd.pid", server.pidfile)):
        assert old in text, old
        text = text.replace(old, str(new))
    if not IS_ROOT:
        text = text.replace("create 0640 root adm", "create 0640")
    dest.write_text(text)
    os.chmod(dest, 0o644)   # logrotate ignores a writable configuration


def _names(path):
    return [ln.split()[8] for ln in path.read_text().splitlines() if ln]


def test_logrotate(server, local, tmp_path):
    src = local / "r.bin"
    make_file(src, 20_000)
    for i in range(3):
        server.ok("put", src, f"before{i}.bin")
    server.wait_xfer(3)
    conf, state = tmp_path / "ftpd.logrotate", tmp_path / "logrotate.state"
    inodes = (os.stat(server.xferlog).st_ino, os.stat(server.log).st_ino)
    _config(server, conf)

    stop, done, errors = threading.Event(), [], []

    def loop():
        i = 0
        while not stop.is_set() and i < 300:
            name = f"during{i}.bin"
            r = server.ftpc("put", src, name, timeout=30)
            (done if r.returncode == 0 else errors).append((name, r.stderr))
            i += 1
    t = threading.Thread(target=loop, daemon=True)
    t.start()
    time.sleep(0.3)
    r = subprocess.run(["logrotate", "-f", "-s", str(state), str(conf)],
                       stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    old_log = server.dir / "ftpd.log.1"
    old_xfer = server.dir / "xferlog.1"
    assert old_log.exists() and old_xfer.exists(), os.listdir(server.dir)
    # The reopen is the first line the daemon writes to the new ftpd.log.
    assert server.wait_log(r"SIGUSR1: log files reopened"), server.log_text()
    time.sleep(0.3)
    stop.set()
    t.join(60)
    assert not t.is_alive() and not errors, errors
    assert done, "no transfer ran during the rotation"

    snap_log, snap_xfer = old_log.read_bytes(), old_xfer.read_bytes()
    for i in range(3):
        server.ok("put", src, f"after{i}.bin")
    total = 3 + len(done) + 3
    wait_for(lambda: len(server.xfer_lines()) +
             len(server.xfer_lines(old_xfer)) >= total, 5)
    assert old_log.read_bytes() == snap_log, "ftpd.log.1 still written"
    assert old_xfer.read_bytes() == snap_xfer, "xferlog.1 still written"

    before, after = _names(old_xfer), _names(server.xferlog)
    for i in range(3):
        assert before.count(f"/before{i}.bin") == 1 and \
            f"/before{i}.bin" not in after
        assert after.count(f"/after{i}.bin") == 1 and \
            f"/after{i}.bin" not in before
    for name, _ in done:
        assert before.count("/" + name) + after.count("/" + name) == 1, name
    assert len(before) + len(after) == total
    for path in (old_xfer, server.xferlog):
        for ln in path.read_text().splitlines():
            assert XFER_LINE_RE.match(ln), ln
    # Rotated by renaming, never copytruncate: the rotated files are the
    # daemon's old files themselves.
    assert os.stat(old_xfer).st_ino == inodes[0]
    assert os.stat(old_log).st_ino == inodes[1]
    assert os.stat(server.xferlog).st_ino != inodes[0]
