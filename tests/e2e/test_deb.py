"""make deb builds build/deb/ftpd_VERSION_ARCH.deb with Debian's tools (here
with BUILD in the test's folder): dpkg-deb -c lists the files (binaries in
/usr/sbin and /usr/bin, gzipped man pages, /etc files, the unit), and
dpkg-deb -I shows the control fields, the conffiles and the maintainer
scripts.  The package is never installed: that would change the machine."""

import re
import shutil
import subprocess

import pytest

from staging import make_ok

pytestmark = pytest.mark.skipif(
    shutil.which("dpkg-deb") is None or shutil.which("dpkg-shlibdeps") is None,
    reason="needs dpkg-deb and dpkg-shlibdeps (dpkg-dev)")

FILES = {
    "usr/sbin/ftpd": "-rwxr-xr-x", "usr/bin/ftpc": "-rwxr-xr-x",
    "usr/share/man/man8/ftpd.8.gz": "-rw-r--r--",
    "usr/share/man/man5/ftpd.conf.5.gz": "-rw-r--r--",
    "usr/share/man/man1/ftpc.1.gz": "-rw-r--r--",
    "usr/share/doc/ftpd/README.md": "-rw-r--r--",
    "usr/share/doc/ftpd/PROTOCOL.md": "-rw-r--r--",
    "usr/share/doc/ftpd/SECURITY.md": "-rw-r--r--",
    "etc/ftpd/ftpd.conf": "-rw-r--r--", "etc/default/ftpd": "-rw-r--r--",
    "etc/init.d/ftpd": "-rwxr-xr-x", "etc/logrotate.d/ftpd": "-rw-r--r--",
    "lib/systemd/system/ftpd.service": "-rw-r--r--",
}
CONFFILES = ["/etc/default/ftpd", "/etc/ftpd/ftpd.conf", "/etc/init.d/ftpd",
             "/etc/logrotate.d/ftpd"]


def _dpkg_deb(*args):
    r = subprocess.run(["dpkg-deb", *map(str, args)], capture_output=True,
                       text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_deb(tmp_path):
    build = tmp_path / "build"
    make_ok("deb", f"BUILD={build}", timeout=300)
    debs = list((build / "deb").glob("*.deb"))
    assert len(debs) == 1, debs
    deb = debs[0]
    arch = subprocess.run(["dpkg", "--print-architecture"],
                          capture_output=True, text=True).stdout.strip()
    m = re.fullmatch(r"ftpd_([0-9][0-9A-Za-z.+~-]*)_" + re.escape(arch) +
                     r"\.deb", deb.name)
    assert m, deb.name
    version = m.group(1)

    # Contents: exactly FILES (plus folders), owned by root, right modes.
    files = {}
    for ln in _dpkg_deb("-c", deb).splitlines():
        f = ln.split()
        assert f[1] == "root/root", ln
        if not f[0].startswith("d"):
            files[f[5].removeprefix("./")] = f[0]
    assert files == FILES

    # Control: fields, library dependencies from dpkg-shlibdeps, scripts.
    info = _dpkg_deb("-I", deb)
    field = dict(re.findall(r"^ ([A-Z][A-Za-z-]+): (.*)$", info, re.M))
    assert field["Package"] == "ftpd"
    assert field["Version"] == version
    assert field["Architecture"] == arch
    assert field["Maintainer"]
    for lib in ("libsodium", "libbsd", "libc6", "adduser"):
        assert lib in field["Depends"], field["Depends"]
    for name in ("conffiles", "postinst", "prerm", "postrm", "md5sums"):
        assert re.search(rf"\s{name}\s", info), (name, info)
    for name in ("postinst", "prerm", "postrm"):
        assert re.search(rf"\*\s+{name}\s+#!/bin/sh", info), (name, info)
    assert _dpkg_deb("-I", deb, "conffiles").split() == CONFFILES

    postinst = _dpkg_deb("-I", deb, "postinst")
    for word in ("adduser --quiet --system --group", "/srv/ftpd",
                 "/var/log/ftpd", "keygen", "deb-systemd-helper",
                 "invoke-rc.d", "update-rc.d"):
        assert word in postinst, word
    assert "stop" in _dpkg_deb("-I", deb, "prerm")
    assert "purge)" in _dpkg_deb("-I", deb, "postrm")

    # The md5sums cover every shipped file but the conffiles.
    sums = _dpkg_deb("-I", deb, "md5sums").splitlines()
    assert sorted(ln.split()[1] for ln in sums) == \
        sorted(p for p in FILES if not p.startswith("etc/"))
