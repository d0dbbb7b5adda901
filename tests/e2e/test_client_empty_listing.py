"""ftpc ls of an empty folder never calls qsort with a NULL array.

C11 7.22.5p1 wants valid pointers for qsort even when nmemb is 0, and
glibc declares the array argument nonnull: UBSan reported
"null pointer passed as argument 1" for `ftpc ls` of an empty folder.
Instead of a sanitizer build, the test preloads a small qsort shim into the
real ftpc that fails the process on a NULL array and logs every call, so a
listing that does sort proves the shim is in place.
"""

import os
import shutil
import subprocess

import pytest

import helpers

SHIM = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

typedef int (*cmp_fn)(const void *, const void *);

void
qsort(void *base, size_t n, size_t size, cmp_fn cmp)
{
	void (*real)(void *, size_t, size_t, cmp_fn);
	const char *log = getenv("QSORT_SHIM_LOG");
	int fd;

	if (log != NULL && (fd = open(log, O_WRONLY | O_CREAT | O_APPEND,
	    0600)) != -1) {
		(void)write(fd, base == NULL ? "null\n" : "call\n", 5);
		close(fd);
	}
	if (base == NULL) {
		(void)write(2, "qsort shim: NULL array\n", 23);
		_exit(99);
	}
	*(void **)&real = dlsym(RTLD_NEXT, "qsort");
	real(base, n, size, cmp);
}
"""


@pytest.fixture
def shim(tmp_path):
    cc = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler for the qsort shim")
    src, so = tmp_path / "qsort_shim.c", tmp_path / "qsort_shim.so"
    src.write_text(SHIM)
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(so), str(src), "-ldl"],
                   check=True, timeout=60)
    return so


def _ls(server, shim, log, *args):
    env = server.env()
    env["LD_PRELOAD"] = str(shim)
    env["QSORT_SHIM_LOG"] = str(log)
    return subprocess.run(server.ftpc_argv("ls", *args),
                          stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, errors="replace", env=env, timeout=60)


def test_ls_empty_folder_sorts_nothing(server, shim, tmp_path):
    log = tmp_path / "qsort.log"
    r = _ls(server, shim, log)                   # the empty served root
    assert r.returncode == 0 and r.stdout == "" and r.stderr == "", r
    os.mkdir(server.remote("empty"))
    helpers.give_to_nobody(server.files)
    r = _ls(server, shim, log, "empty")          # an empty subfolder
    assert r.returncode == 0 and r.stdout == "" and r.stderr == "", r
    assert "null" not in (log.read_text() if log.exists() else "")
    # The shim is really in place: a listing of entries goes through it.
    os.rmdir(server.remote("empty"))
    (server.files / "a").write_bytes(b"a")
    (server.files / "b").write_bytes(b"b")
    r = _ls(server, shim, log)
    assert r.returncode == 0 and r.stdout.split()[-1] == "b", r
    assert log.read_text().split() == ["call"], log.read_text()
