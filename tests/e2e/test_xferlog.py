"""xferlog lines follow the wu-ftpd layout (xferlog(5)) after a put and a get."""

import time

from helpers import XFER_LINE_RE, make_file


def test_xferlog_put_get(server, local):
    src = local / "xl.bin"
    make_file(src, 1048577)
    t0 = time.time()
    server.ok("put", src, "xl.bin")
    server.ok("get", "xl.bin", local / "back.bin")
    lines = server.wait_xfer(2)
    assert len(lines) == 2, lines
    put, get = (XFER_LINE_RE.match(ln) for ln in lines)
    assert put and get, lines
    # groups: secs, host, bytes, path, direction, user, completion
    assert put.group(4) == "127.0.0.1" and get.group(4) == "127.0.0.1"
    assert put.group(5) == get.group(5) == "1048577"
    assert put.group(6) == get.group(6) == "/xl.bin"
    assert put.group(7) == "i" and get.group(7) == "o"
    assert put.group(9) == get.group(9) == "c"
    assert int(put.group(3)) >= 1
    # The time stamp is the local time of the end of the transfer.
    stamp = time.mktime(time.strptime(lines[0][:24].replace("  ", " 0"),
                                      "%a %b %d %H:%M:%S %Y"))
    assert t0 - 2 <= stamp <= time.time() + 2


def test_xferlog_nested_path_and_spaces(server, local):
    src = local / "a b.txt"
    make_file(src, 10)
    server.ok("mkdir", "sub")
    server.ok("put", src, "sub/")
    lines = server.wait_xfer(1)
    m = XFER_LINE_RE.match(lines[0])
    assert m, lines
    assert m.group(6) == "/sub/a_b.txt"      # white space becomes '_'
