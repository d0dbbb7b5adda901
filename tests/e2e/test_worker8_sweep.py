"""Leftover upload temporaries (issue 8, item 5): .ftpd-put.* files whose
writer died are removed when the daemon starts and in a folder before a put
into it, and logged; one a live writer holds (flock) is left alone."""

import fcntl
import os

from helpers import give_to_nobody, make_file, wait_for

PREFIX = ".ftpd-put."


def _leftover(path, size=1000):
    path.write_bytes(b"x" * size)
    give_to_nobody(path)


def test_sweep_at_start_and_before_put(make_server, local):
    server = make_server()
    (server.files / "sub" / "deep").mkdir(parents=True)
    server.own()
    _leftover(server.files / (PREFIX + "deadroot0001"))
    _leftover(server.files / "sub" / "deep" / (PREFIX + "deaddeep0001"))
    live = server.files / "sub" / (PREFIX + "liveowner001")
    _leftover(live)
    holder = os.open(live, os.O_RDONLY)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        server.start()
        assert server.wait_log(r"removed leftover upload temporary "
                               r"sub/deep/\.ftpd-put\.deaddeep0001", 10), \
            server.log_text()
        assert server.wait_log(r"removed leftover upload temporary "
                               r"\.ftpd-put\.deadroot0001", 5)
        assert not (server.files / (PREFIX + "deadroot0001")).exists()
        assert live.exists(), "a live writer's temporary was removed"
        # A leftover appearing later goes before the next put into its
        # folder; the live one still stays.
        _leftover(server.files / "sub" / (PREFIX + "deadlater001"))
        src = local / "a.bin"
        make_file(src, 5000)
        server.ok("put", src, "sub/a.bin")
        assert not (server.files / "sub" / (PREFIX + "deadlater001")).exists()
        assert server.wait_log(r"removed leftover upload temporary "
                               r"sub/\.ftpd-put\.deadlater001", 5)
        assert live.exists()
    finally:
        os.close(holder)
    # Its writer gone, the next sweep of that folder takes it (a new put
    # into the folder from another worker, or after the interval).
    server.conf["workers"] = 1
    server.conf["max_workers"] = 1
    server.conf["max_sessions"] = 1
    server.write_conf()
    r = server.ftpd("reload")
    assert r.returncode == 0, r.stderr
    assert wait_for(lambda: (server.ok("put", src, "sub/b.bin") is not None
                             and not live.exists()), 15), server.log_text()
