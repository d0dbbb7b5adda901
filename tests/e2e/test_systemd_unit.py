"""etc/ftpd.service passes `systemd-analyze verify` once installed: the
Makefile's install puts the real binary's path in ExecStart= (here a
PREFIX in the test's folder, which verify needs to exist) and the man pages
named in Documentation= where man(1) finds them.  No line of the output
may be about ftpd.service itself."""

import os
import shutil
import subprocess

import pytest

from staging import make_ok

pytestmark = pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                                reason="systemd-analyze not installed")


def test_systemd_unit(tmp_path):
    root = tmp_path / "root"
    prefix = root / "usr"
    unitdir = root / "lib/systemd/system"
    # No DESTDIR: PREFIX, SYSCONFDIR and UNITDIR all point into tmp_path,
    # so the unit names a binary that exists at that very path.
    make_ok("install-files", f"PREFIX={prefix}", f"SYSCONFDIR={root}/etc",
            f"UNITDIR={unitdir}")
    unit = unitdir / "ftpd.service"
    text = unit.read_text()
    assert f"ExecStart={prefix}/sbin/ftpd -c /etc/ftpd/ftpd.conf start" in text
    assert os.access(prefix / "sbin/ftpd", os.X_OK)

    args = ["systemd-analyze", "verify"]
    env = dict(os.environ, MANPATH=str(prefix / "share/man"), LC_ALL="C",
               SYSTEMD_LOG_COLOR="0", SYSTEMD_PAGER="")
    if shutil.which("man") is None:
        args.append("--man=no")        # nothing to look the pages up with
    r = subprocess.run([*args, str(unit)], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, env=env, timeout=120)
    out = r.stdout + r.stderr
    about_us = [ln for ln in out.splitlines() if "ftpd" in ln]
    assert not about_us, out
    assert r.returncode == 0, out

    # The settings the issue asks for are there.
    for line in ("Type=forking", "PIDFile=/run/ftpd/ftpd.pid",
                 f"ExecReload={prefix}/sbin/ftpd -c /etc/ftpd/ftpd.conf reload",
                 "KillMode=mixed",
                 "NoNewPrivileges=yes", "ProtectSystem=strict",
                 "PrivateTmp=yes", "PrivateDevices=yes",
                 "SystemCallFilter=@system-service"):
        assert line + "\n" in text, line
