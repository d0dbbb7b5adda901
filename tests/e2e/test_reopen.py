"""ftpd reopen after logrotate-style renames, with transfers running: the
command confirms once new ftpd.log and xferlog exist; the old files keep
the older lines and stop growing, the new ones get the newer lines, and no
line is lost or split.  Not running: exit 1."""

import os
import re
import threading

from helpers import LOG_LINE_RE, XFER_LINE_RE, make_file, wait_for


def _names(lines):
    return [ln.split()[8] for ln in lines]


def _background_puts(server, src, stop, done, errors):
    i = 0
    while not stop.is_set() and i < 200:
        name = f"during{i}.bin"
        r = server.ftpc("put", src, name, timeout=30)
        (done if r.returncode == 0 else errors).append((name, r.stderr))
        i += 1


def test_reopen_after_rename(server, local):
    src = local / "p.bin"
    make_file(src, 40_000)
    for i in range(3):
        server.ok("put", src, f"before{i}.bin")
    assert len(server.wait_xfer(3)) == 3
    old_log, old_xfer = server.dir / "ftpd.log.1", server.dir / "xferlog.1"

    stop, done, errors = threading.Event(), [], []
    t = threading.Thread(target=_background_puts,
                         args=(server, src, stop, done, errors), daemon=True)
    t.start()
    assert wait_for(lambda: done, 10), errors
    os.rename(server.log, old_log)
    os.rename(server.xferlog, old_xfer)
    r = server.ftpd("reopen")
    assert r.returncode == 0 and "reopened" in r.stdout, r
    # The answer comes after the reopen: the files are there now.
    assert server.log.exists() and server.xferlog.exists()
    n = len(done)
    assert wait_for(lambda: len(done) >= n + 2, 10), errors
    stop.set()
    t.join(60)
    assert not t.is_alive() and not errors, errors

    snap_log, snap_xfer = old_log.read_bytes(), old_xfer.read_bytes()
    for i in range(3):
        server.ok("put", src, f"after{i}.bin")
    total = 3 + len(done) + 3
    wait_for(lambda: len(server.xfer_lines()) +
             len(server.xfer_lines(old_xfer)) >= total, 5)
    assert old_log.read_bytes() == snap_log, "old ftpd.log still written"
    assert old_xfer.read_bytes() == snap_xfer, "old xferlog still written"

    old_lines, new_lines = server.xfer_lines(old_xfer), server.xfer_lines()
    assert len(old_lines) + len(new_lines) == total
    for ln in old_lines + new_lines:
        assert XFER_LINE_RE.match(ln), ln
    names_old, names_new = _names(old_lines), _names(new_lines)
    for i in range(3):
        assert names_old.count(f"/before{i}.bin") == 1
        assert names_new.count(f"/after{i}.bin") == 1
    for name, _ in done:
        assert names_old.count("/" + name) + names_new.count("/" + name) == 1

    # ftpd.log: whole lines only; each session opened and closed once.
    texts = (snap_log.decode(), server.log_text())
    for text in texts:
        assert text.endswith("\n")
        for ln in text.splitlines():
            assert LOG_LINE_RE.match(ln), ln
    assert re.search(r"control socket: log files reopened", texts[1])
    wait_for(lambda: len(re.findall(r"session \d+: .*closed",
                                    texts[0] + server.log_text())) >= total, 5)
    both = texts[0] + server.log_text()
    opened = re.findall(r"session (\d+): connection from", both)
    closed = re.findall(r"session (\d+): .*closed", both)
    assert len(opened) == len(set(opened)) == total, (total, opened)
    assert sorted(closed) == sorted(opened)


def test_reopen_not_running(make_server):
    s = make_server()
    r = s.ftpd("reopen")
    assert r.returncode == 1 and "not running" in r.stderr, r
