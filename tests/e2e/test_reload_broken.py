"""A reload that must not happen: a broken config file is refused by
`ftpd reload` itself (FILE:LINE on stderr, exit 1, the daemon never asked);
the same file sent with SIGHUP is refused by the master (the reason in
ftpd.log); a config the master cannot apply (a port in use) is refused with
the master's reason.  Each time the old config and generation stay and
transfers keep working."""

import json
import os
import re
import signal
import socket

from helpers import free_port, make_file, pid_alive, wait_for


def _generation(server):
    r = server.ftpd("status", "--json")
    assert r.returncode == 0, r
    return json.loads(r.stdout)["generation"]


def _transfer_works(server, local, name):
    make_file(local / name, 70_000)
    server.ok("put", local / name)
    server.ok("get", name, local / (name + ".back"))
    assert (local / name).read_bytes() == (local / (name + ".back")).read_bytes()


def test_reload_broken_config(server, local):
    master = server.master_pid()
    good = server.conf_path.read_text()
    server.conf_path.write_text(good + "max_file_size = lots\n")
    lines = len(good.splitlines()) + 1
    before = server.log_text()

    r = server.ftpd("reload")
    assert r.returncode == 1, r
    assert re.search(rf"{re.escape(str(server.conf_path))}:{lines}: ",
                     r.stderr), r.stderr
    assert "reloaded" not in r.stdout, r
    assert server.log_text() == before, "the daemon heard of the reload"
    assert pid_alive(master) and _generation(server) == 1
    _transfer_works(server, local, "a.bin")

    # SIGHUP skips the command's check: the master refuses, says why.
    os.kill(master, signal.SIGHUP)
    m = server.wait_log(rf"SIGHUP: reload refused: .*ftpd\.conf:{lines}: "
                        r".*keeping the old configuration", 5)
    assert m, server.log_text()
    assert pid_alive(master) and _generation(server) == 1
    _transfer_works(server, local, "b.bin")

    # Fixed: the reload goes through.
    server.conf_path.write_text(good)
    r = server.ftpd("reload")
    assert r.returncode == 0 and "generation 2" in r.stdout, r
    _transfer_works(server, local, "c.bin")


def test_reload_refused_by_master(server, local):
    """The file is fine but cannot be applied: the master's reason."""
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    taken = blocker.getsockname()[1]
    try:
        server.write_conf([f"listen = 127.0.0.1:{taken}"])
        r = server.ftpd("reload")
        assert r.returncode == 1, r
        assert re.search(rf"reload refused: cannot listen on "
                         rf"127\.0\.0\.1:{taken}: Address already in use",
                         r.stderr), r.stderr
        assert server.wait_log(r"control socket: reload refused: cannot "
                               r"listen", 2), server.log_text()
    finally:
        blocker.close()
    assert _generation(server) == 1
    _transfer_works(server, local, "d.bin")
    # A new, free address: the old one is dropped, the new one serves.
    port = free_port()
    server.conf["listen"] = f"127.0.0.1:{port}"
    server.write_conf()
    r = server.ftpd("reload")
    assert r.returncode == 0, r
    old_port, server.port = server.port, port
    assert wait_for(lambda: _generation(server) == 2, 2)
    _transfer_works(server, local, "e.bin")
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", old_port)) != 0, "old port open"
