"""Helpers for the installation tests: run the repo's Makefile on the
binaries already built and list a staged (DESTDIR) tree.

What it is for: test_install_files, test_init_script, test_systemd_unit and
test_deb stage an installation in their tmp_path with ``make install-files``
or ``make deb``.  What it must not do: rebuild ./ftpd or ./ftpc (``-o``
keeps make from remaking them), write outside the test's folder, or install
anything on the machine.
"""

import os
import subprocess

from helpers import REPO

# The files `make install` puts under DESTDIR with PREFIX=/usr.
INSTALLED = {
    "usr/sbin/ftpd", "usr/bin/ftpc",
    "usr/share/man/man8/ftpd.8", "usr/share/man/man5/ftpd.conf.5",
    "usr/share/man/man1/ftpc.1",
    "etc/ftpd/ftpd.conf", "etc/default/ftpd", "etc/init.d/ftpd",
    "etc/logrotate.d/ftpd", "lib/systemd/system/ftpd.service",
}


def make_env():
    """The environment without a parent make's settings (make check runs
    the tests): no jobserver, no inherited variables or options."""
    drop = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "DESTDIR",
            "PREFIX", "BUILD"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def make(*args, timeout=120):
    """make -C REPO ARGS without remaking the binaries; returns the
    CompletedProcess (text)."""
    for name in ("ftpd", "ftpc"):
        if not (REPO / name).exists():
            raise RuntimeError(f"{REPO / name} not built: run 'make ftpd ftpc'")
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO), "-o", "ftpd",
         "-o", "ftpc", *[str(a) for a in args]],
        stdin=subprocess.DEVNULL, capture_output=True, text=True,
        env=make_env(), timeout=timeout)


def make_ok(*args, **kw):
    r = make(*args, **kw)
    assert r.returncode == 0, (
        f"make {' '.join(map(str, args))}: exit {r.returncode}\n"
        f"stdout: {r.stdout}\nstderr: {r.stderr}")
    return r


def tree(root):
    """Files and symlinks beneath root, as relative paths."""
    out = set()
    for dirpath, _, filenames in os.walk(root):
        for n in filenames:
            out.add(os.path.relpath(os.path.join(dirpath, n), root))
    return out
