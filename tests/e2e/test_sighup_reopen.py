"""SIGHUP after logrotate-style renames: new ftpd.log and xferlog are
created, the old files keep the old lines, and no line is lost: every
transfer appears in exactly one of the two xferlogs, and the old files stop
growing once the signal is handled."""

import os
import re
import signal
import threading
import time

from helpers import LOG_LINE_RE, make_file, wait_for


def _xfer_names(lines):
    return [ln.split()[8] for ln in lines]


def test_sighup_reopen(server, local):
    src = local / "p.bin"
    make_file(src, 50_000)
    for i in range(3):
        server.ok("put", src, f"before{i}.bin")
    assert len(server.wait_xfer(3)) == 3
    old_log, old_xfer = server.dir / "ftpd.log.1", server.dir / "xferlog.1"
    master = server.master_pid()

    # Transfers keep running in the background across the rotation.
    stop = threading.Event()
    done_names, errors = [], []

    def loop():
        i = 0
        while not stop.is_set() and i < 200:
            name = f"during{i}.bin"
            r = server.ftpc("put", src, name, timeout=30)
            (done_names if r.returncode == 0 else errors).append(
                (name, r.returncode, r.stderr))
            i += 1
    t = threading.Thread(target=loop, daemon=True)
    t.start()
    time.sleep(0.5)
    os.rename(server.log, old_log)
    os.rename(server.xferlog, old_xfer)
    os.kill(master, signal.SIGHUP)
    assert wait_for(lambda: server.log.exists() and server.xferlog.exists(), 5), \
        "ftpd.log/xferlog not recreated after SIGHUP"
    time.sleep(0.7)
    stop.set()
    t.join(60)
    assert not t.is_alive() and not errors, errors
    assert done_names, "no transfer ran during the rotation"

    # Old files are final now: more transfers only reach the new files.
    snap_log, snap_xfer = old_log.read_bytes(), old_xfer.read_bytes()
    for i in range(3):
        server.ok("put", src, f"after{i}.bin")
        server.ok("get", f"after{i}.bin", local / f"back{i}.bin")
    total = 3 + len(done_names) + 6
    wait_for(lambda: len(server.xfer_lines()) +
             len(server.xfer_lines(old_xfer)) >= total, 5)
    assert old_log.read_bytes() == snap_log, "old ftpd.log still written"
    assert old_xfer.read_bytes() == snap_xfer, "old xferlog still written"

    old_lines = server.xfer_lines(old_xfer)
    new_lines = server.xfer_lines()
    names_old, names_new = _xfer_names(old_lines), _xfer_names(new_lines)
    for i in range(3):
        assert names_old.count(f"/before{i}.bin") == 1
        assert f"/before{i}.bin" not in names_new
        assert names_new.count(f"/after{i}.bin") == 2     # put + get
        assert f"/after{i}.bin" not in names_old
    for name, _, _ in done_names:
        n = names_old.count("/" + name) + names_new.count("/" + name)
        assert n == 1, f"{name}: {n} xferlog lines over both files"
    assert len(old_lines) + len(new_lines) == total

    # ftpd.log: each session (one per ftpc run) has its "connection from"
    # and its "closed" line exactly once over both files (the messages of
    # the worker's session log: "session N: connection from ...",
    # "session N: HOST closed: ...").
    def sessions(rx):
        found = []
        for text in (old_log.read_text(), server.log_text()):
            found += re.findall(rx, text, re.M)
        return found
    wait_for(lambda: len(sessions(r"session (\d+): .*closed")) >= total, 5)
    opened = sessions(r"session (\d+): connection from")
    closed = sessions(r"session (\d+): .*closed")
    assert len(opened) == len(set(opened)) == total, (total, opened)
    assert sorted(closed) == sorted(opened), (opened, closed)

    # The old file has the old lines, the new one has new lines,
    # and every line is whole (no line split across the rename).
    for text in (snap_log.decode(), server.log_text()):
        assert text.endswith("\n")
        for ln in text.splitlines():
            assert LOG_LINE_RE.match(ln), ln
    assert len(server.log_text().splitlines()) >= 1, "new ftpd.log is empty"
    both = snap_log.decode() + server.log_text()
    assert re.search(r"(?i)(reload|reopen|hup)", both), \
        "no reload line in either ftpd.log"


def test_usr1_reopen(server, local):
    src = local / "q.bin"
    make_file(src, 1000)
    server.ok("put", src, "one.bin")
    server.wait_xfer(1)
    os.rename(server.xferlog, server.dir / "xferlog.old")
    os.rename(server.log, server.dir / "ftpd.log.old")
    os.kill(server.master_pid(), signal.SIGUSR1)
    assert wait_for(lambda: server.xferlog.exists() and server.log.exists(), 5)
    server.ok("put", src, "two.bin")
    lines = server.wait_xfer(1)
    assert len(lines) == 1 and "/two.bin" in lines[0]
    old = server.xfer_lines(server.dir / "xferlog.old")
    assert len(old) == 1 and "/one.bin" in old[0]
