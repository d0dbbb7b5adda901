"""make install DESTDIR=... PREFIX=/usr puts exactly the expected files in
place with the right modes and paths; a second install keeps an operator's
changed ftpd.conf; make uninstall removes everything but that file."""

import os
import stat

from helpers import REPO
from staging import INSTALLED, make_ok, tree


def _mode(p):
    return stat.S_IMODE(os.stat(p).st_mode)


def test_install_files(tmp_path):
    dest = tmp_path / "dest"
    make_ok("install", f"DESTDIR={dest}", "PREFIX=/usr")
    assert tree(dest) == INSTALLED

    for rel in ("usr/sbin/ftpd", "usr/bin/ftpc", "etc/init.d/ftpd"):
        assert _mode(dest / rel) == 0o755, rel
    for rel in INSTALLED - {"usr/sbin/ftpd", "usr/bin/ftpc",
                            "etc/init.d/ftpd"}:
        assert _mode(dest / rel) == 0o644, rel
    # The installed files name the installed binary, not the default one
    # of another PREFIX.
    init = (dest / "etc/init.d/ftpd").read_text()
    unit = (dest / "lib/systemd/system/ftpd.service").read_text()
    assert "DAEMON=${FTPD_BIN:-/usr/sbin/ftpd}" in init
    assert "ExecStart=/usr/sbin/ftpd -c /etc/ftpd/ftpd.conf start" in unit
    assert (dest / "usr/sbin/ftpd").read_bytes() == \
        (REPO / "ftpd").read_bytes()

    # An operator changes the configuration; a second install keeps it.
    conf = dest / "etc/ftpd/ftpd.conf"
    changed = conf.read_text() + "workers = 7\n"
    conf.write_text(changed)
    r = make_ok("install", f"DESTDIR={dest}", "PREFIX=/usr")
    assert conf.read_text() == changed
    assert f"keeping {conf}" in r.stdout
    assert tree(dest) == INSTALLED

    make_ok("uninstall", f"DESTDIR={dest}", "PREFIX=/usr")
    assert tree(dest) == {"etc/ftpd/ftpd.conf"}
    assert conf.read_text() == changed


def test_install_other_prefix(tmp_path):
    """The default PREFIX is /usr/local; init script and unit follow it."""
    dest = tmp_path / "dest"
    make_ok("install", f"DESTDIR={dest}")
    files = tree(dest)
    assert "usr/local/sbin/ftpd" in files and "usr/local/bin/ftpc" in files
    assert "usr/local/share/man/man8/ftpd.8" in files
    assert "etc/ftpd/ftpd.conf" in files
    assert "lib/systemd/system/ftpd.service" in files
    assert "/usr/local/sbin/ftpd" in (dest / "etc/init.d/ftpd").read_text()
    unit = (dest / "lib/systemd/system/ftpd.service").read_text()
    assert "/usr/sbin/ftpd" not in unit.replace("/usr/local/sbin/ftpd", "")
    make_ok("uninstall", f"DESTDIR={dest}")
    assert tree(dest) == set()
