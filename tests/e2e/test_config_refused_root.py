"""A config no worker can run is refused (issue 8 item 1).

`root` naming a regular file, or `user = root`: `ftpd -t` fails, `start`
exits 1 with the reason, `reload` is refused and the old generation keeps
serving.  A daemon whose workers can no longer start (its root replaced by
a file behind its back) says "degraded" in `status`, text and JSON, and
exits 150.
"""

import json
import os
import shutil
import signal

import pytest

from helpers import IS_ROOT, wait_for


def _set(server, **kv):
    server.conf.update(kv)
    server.write_conf()


def test_root_a_regular_file_is_refused_by_t_and_start(make_server):
    server = make_server()
    f = server.dir / "plain"
    f.write_text("not a folder\n")
    _set(server, root=str(f))
    r = server.ftpd("-t")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "not a folder" in r.stderr
    r = server.ftpd("start")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "not a folder" in r.stderr
    assert server.master_pid() is None or not os.path.exists(server.pidfile)


@pytest.mark.skipif(not IS_ROOT, reason="user matters only as root")
def test_user_root_is_refused(make_server):
    server = make_server()
    _set(server, user="root")
    r = server.ftpd("-t")
    assert r.returncode == 1 and "uid 0" in r.stderr, r.stderr
    r = server.ftpd("start")
    assert r.returncode == 1 and "uid 0" in r.stderr, r.stderr


@pytest.mark.skipif(not IS_ROOT, reason="needs another user to lock out")
def test_root_the_user_cannot_open_is_refused(make_server):
    server = make_server()
    os.chmod(server.files, 0o700)
    os.chown(server.files, 0, 0)
    r = server.ftpd("-t")
    assert r.returncode == 1 and "cannot open it" in r.stderr, r.stderr


def test_reload_refused_old_generation_keeps_serving(make_server):
    server = make_server()
    server.start()
    f = server.dir / "plain"
    f.write_text("x\n")
    _set(server, root=str(f))
    r = server.ftpd("reload")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "not a folder" in r.stderr
    server.ok("ls")
    st = server.ftpd("status")
    assert "generation 1" in st.stdout and st.returncode == 0, st.stdout


def test_status_degraded_when_no_worker_can_start(make_server):
    server = make_server(workers=1, max_workers=2)
    server.start()
    # The served root becomes a file: respawned workers die at start.
    shutil.rmtree(server.files)
    server.files.write_text("gone\n")
    for pid in server.workers():
        os.kill(pid, signal.SIGKILL)

    def degraded():
        r = server.ftpd("status")
        return r if r.returncode == 150 else None
    r = wait_for(degraded, 10, interval=0.2)
    assert r, "status never said degraded"
    assert "degraded: no worker is ready" in r.stdout
    js = server.ftpd("status", "--json")
    assert js.returncode == 150
    doc = json.loads(js.stdout)
    assert doc["degraded"] is True and doc["ready"] == 0
    # Put it right: the daemon recovers on its own.
    server.files.unlink()
    server.files.mkdir()
    server.own()
    assert wait_for(lambda: server.ftpd("status").returncode == 0, 10)
