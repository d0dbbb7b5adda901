"""The worker sandbox (issue 8, "Sandbox the workers"): `ftpd sandbox-test`
confines a child per forbidden call exactly as a worker is confined and
reports each call blocked; running workers are under seccomp filter mode
with no_new_privs; and a whole session works inside the sandbox."""

import pytest
import ctypes

from helpers import make_file, proc_status_field, sha256_file

SYS_landlock_create_ruleset = 444  # x86_64 and the generic table alike


def landlock_abi():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    abi = libc.syscall(SYS_landlock_create_ruleset, None, ctypes.c_size_t(0),
                       ctypes.c_uint32(1))
    return max(abi, 0)


SANITIZER = "sandbox: not applied in a sanitizer build"


def skip_if_sanitizer(server):
    """make asan runs the suite on ASan builds, where the sandbox is off."""
    r = server.ftpd("sandbox-test")
    if r.stdout.strip() == SANITIZER:
        pytest.skip("sanitizer build: the sandbox is off (worker/sandbox.h)")
    return r


def test_sandbox_selftest(make_server):
    server = make_server()
    r = skip_if_sanitizer(server)
    lines = r.stdout.splitlines()
    assert len(lines) == 5, (r.stdout, r.stderr)
    has_landlock = landlock_abi() >= 2
    for ln in lines:
        if ln.startswith("open ") and not has_landlock:
            assert ln.endswith("NOT blocked"), ln  # no Landlock: said so
            continue
        assert ": blocked (" in ln, ln
    by_seccomp = [ln for ln in lines if "killed by SIGSYS" in ln]
    assert [ln.split(":")[0] for ln in by_seccomp] == [
        "execve /bin/sh", "socket AF_INET",
        "ptrace PTRACE_ATTACH of the parent"], lines
    if has_landlock:
        assert r.returncode == 0, (r.stdout, r.stderr)
        assert sum("EACCES by Landlock" in ln for ln in lines) == 2, lines


def test_workers_run_sandboxed(server, local):
    skip_if_sanitizer(server)
    for w in server.workers():
        assert proc_status_field(w, "Seccomp") == "2", w
        assert proc_status_field(w, "NoNewPrivs") == "1", w
    # A whole session inside the sandbox: every operation of the protocol.
    src = local / "a.bin"
    want = make_file(src, (3 << 20) + 5)
    server.ok("mkdir", "d")
    server.ok("put", src, "d/a.bin")
    server.ok("put", src, "d/a.bin")  # replaces: O_TMPFILE link + rename
    server.ok("ls", "d")
    server.ok("mv", "d/a.bin", "b.bin")  # across folders (REFER)
    server.ok("get", "b.bin", local / "b.bin")
    assert sha256_file(local / "b.bin") == want
    server.ok("rm", "b.bin")
    server.ok("rmdir", "d")
    assert "SIGSYS" not in server.log_text(), server.log_text()
