"""The LSB init script of a DESTDIR install drives the installed ftpd
through start-stop-daemon, with an /etc/default-style file (FTPD_DEFAULTS)
naming a test configuration: start, status 0, reload (a broken config is
refused and the daemon keeps running), stop, status 3; then a master and
workers killed with SIGKILL leave a stale pidfile (status 1) that stop
cleans up (status 3)."""

import os
import shutil
import signal
import subprocess

import pytest

from helpers import children, wait_for
from staging import make_ok

pytestmark = pytest.mark.skipif(
    not os.path.exists("/lib/lsb/init-functions")
    or shutil.which("start-stop-daemon",
                    path="/sbin:/usr/sbin:/bin:/usr/bin") is None,
    reason="needs /lib/lsb/init-functions and start-stop-daemon (Debian)")


class InitScript:
    def __init__(self, dest, defaults, base):
        self.script = dest / "etc/init.d/ftpd"
        self.bin = dest / "usr/sbin/ftpd"
        self.defaults = defaults
        self.base = base

    def __call__(self, action):
        """Run the script; output through files, as the daemon it starts
        must not hold our pipes."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("FTPD_")}
        env.update(FTPD_DEFAULTS=str(self.defaults), FTPD_BIN=str(self.bin),
                   LC_ALL="C")
        out = self.base / "init.out"
        with open(out, "wb") as o:
            p = subprocess.run([str(self.script), action],
                               stdin=subprocess.DEVNULL, stdout=o,
                               stderr=subprocess.STDOUT, env=env, timeout=90)
        text = out.read_text(errors="replace")
        out.unlink()
        return p.returncode, text

    def ours(self):
        """Live processes running the staged binary (only this test's)."""
        found = []
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                exe = os.readlink(f"/proc/{name}/exe")
            except OSError:
                continue
            if exe.startswith(str(self.bin)):
                found.append(int(name))
        return found


def _gone(pid):
    """True once pid is reaped (not even a zombie): status_of_proc's kill -0
    still sees a zombie that init has not collected yet."""
    return not os.path.exists(f"/proc/{pid}")


def test_init_script(make_server, tmp_path):
    dest = tmp_path / "dest"
    make_ok("install-files", f"DESTDIR={dest}", "PREFIX=/usr")
    # A self-contained configuration: without -d, paths must be explicit
    # (relative ones are taken from the configuration's folder).
    s = make_server()
    s.conf.update(root="files", key_file="secret.key", log_file="ftpd.log",
                  xferlog="xferlog", pidfile=str(s.pidfile))
    s.write_conf()
    defaults = tmp_path / "default-ftpd"
    defaults.write_text(f'FTPD_CONFIG={s.conf_path}\nFTPD_OPTS=""\n'
                        f"FTPD_PIDFILE={s.pidfile}\n")
    init = InitScript(dest, defaults, tmp_path)
    try:
        _run(init, s)
    finally:
        init("stop")
        for pid in init.ours():  # last resort: processes this test started
            os.kill(pid, signal.SIGKILL)
    assert wait_for(lambda: not init.ours(), 10), init.ours()


def _run(init, s):
    rc, out = init("start")
    assert rc == 0, out
    master = s.master_pid()
    assert master and os.readlink(f"/proc/{master}/exe") == str(init.bin)
    s.wait_workers(s.conf["workers"])
    rc, out = init("start")                      # already running: success
    assert rc == 0 and s.master_pid() == master, out
    rc, out = init("status")
    assert rc == 0, out
    s.ok("ls")

    rc, out = init("reload")
    assert rc == 0, out
    assert s.wait_log(r"reloaded configuration \(generation 2\)"), s.log_text()
    good = s.conf_path.read_text()
    s.conf_path.write_text(good + "workers = many\n")
    rc, out = init("reload")
    assert rc == 1 and "workers" in out, out     # ftpd -t said why
    s.conf_path.write_text(good)
    assert init("status")[0] == 0 and s.master_pid() == master
    s.ok("ls")

    rc, out = init("stop")
    assert rc == 0, out
    assert wait_for(lambda: _gone(master), 10)
    assert not s.pidfile.exists()
    rc, out = init("status")
    assert rc == 3, out
    rc, out = init("reload")
    assert rc == 7, out                          # LSB: not running

    # Stale pidfile: the whole daemon killed without a chance to clean up.
    rc, out = init("start")
    assert rc == 0, out
    master = s.master_pid()
    workers = s.wait_workers(s.conf["workers"])
    assert workers
    os.kill(master, signal.SIGKILL)
    for w in workers:
        os.kill(w, signal.SIGKILL)
    assert wait_for(lambda: all(_gone(p) for p in [master, *workers]), 15), \
        "killed daemon not reaped"
    assert s.pidfile.exists() and s.master_pid() == master
    rc, out = init("status")
    assert rc == 1, out                          # dead, pidfile remains
    rc, out = init("stop")
    assert rc == 0, out
    assert not s.pidfile.exists()
    rc, out = init("status")
    assert rc == 3, out
    assert not children(master)
