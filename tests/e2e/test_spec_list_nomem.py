"""A listing that runs out of memory while its reply is built gets an error
reply (code 19 internal), never a malformed reply or a dead worker (issue 6,
section 5).  The daemon runs with a small LD_PRELOAD library whose malloc and
realloc fail for a size between FTPD_TEST_REALLOC_MAX bytes and 1 MB: the
reply for 1000 entries with 240-byte names needs a buffer of about 512 KB,
while everything else the daemon does here asks for far less than the
200 000 bytes allowed, or for its fixed 1 MiB frame buffers."""

import os
import shutil
import subprocess

import pytest

import refclient

INTERNAL = 19

SHIM = r"""
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_malloc(size_t n);
static size_t limit;

#define CEILING 1000000 /* the 1 MiB frame and I/O buffers stay allowed */

__attribute__((constructor)) static void
shim_init(void)
{
	const char *e = getenv("FTPD_TEST_REALLOC_MAX");

	if (e != NULL)
		limit = strtoul(e, NULL, 10);
}

static int
refused(size_t n)
{
	if (limit != 0 && n > limit && n < CEILING) {
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

void *
malloc(size_t n)
{
	return refused(n) ? NULL : __libc_malloc(n);
}

void *
realloc(void *p, size_t n)
{
	return refused(n) ? NULL : __libc_realloc(p, n);
}
"""


def build_shim(tmp_path):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler for the realloc shim")
    src = tmp_path / "realloc_shim.c"
    so = tmp_path / "realloc_shim.so"
    src.write_text(SHIM)
    subprocess.run([cc, "-shared", "-fPIC", "-O1", "-o", str(so), str(src)],
                   check=True, timeout=60)
    return so


def test_list_out_of_memory_replies_internal(make_server, tmp_path):
    so = build_shim(tmp_path)
    server = make_server()
    base_env = server.env
    server.env = lambda: {**base_env(), "LD_PRELOAD": str(so),
                          "FTPD_TEST_REALLOC_MAX": "200000"}
    server.start()
    big = server.files / "big"
    big.mkdir()
    for i in range(1000):
        (big / f"{i:04d}{'n' * 236}").write_bytes(b"")
    (server.files / "small").mkdir()
    (server.files / "small" / "one.txt").write_bytes(b"1")
    server.own()
    s = refclient.connect("127.0.0.1", server.port,
                          refclient.read_key(server.key), timeout=10)
    try:
        r = s.list("big")
        assert r.get("ok") is False and r.get("code") == INTERNAL, r
        assert r.get("err") == "internal"
        # The session goes on; a small listing still works.
        r = s.list("small")
        assert r.get("ok") and [e["name"] for e in r["entries"]] == \
            ["one.txt"], r
        s.bye()
    finally:
        s.close()
    assert server.wait_log(r"worker warn: session \d+: list big: internal",
                           timeout=5)
    assert os.path.isdir(big)
