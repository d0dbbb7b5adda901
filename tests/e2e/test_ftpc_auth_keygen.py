"""ftpc keygen (issue 9, "ftpc"): the identity file (64 hex digits of an
Ed25519 seed and a newline, mode 0600, never overwritten), the public line
"ftpd-ed25519 BASE64 USER@HOST" on stdout and in FILE.pub; and -u against
the real daemon while it has no host key: a session without the shared
secret is refused (exit 4), the shared secret still works."""

import base64
import os
import re
import stat
import subprocess

from nacl.signing import SigningKey

from helpers import BIN

LINE = re.compile(r"^ftpd-ed25519 ([A-Za-z0-9+/]{43}=) (\S+@\S+)$")


def _run(env, *args, cwd=None):
    return subprocess.run([str(BIN["ftpc"]), *map(str, args)],
                          stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, env=env, timeout=30, cwd=cwd)


def _env(home):
    e = {k: v for k, v in os.environ.items() if not k.startswith("FTPC_")}
    e.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "cfg"), LC_ALL="C")
    return e


def test_keygen_default_path_mode_and_line(tmp_path):
    env = _env(tmp_path)
    r = _run(env, "keygen", cwd=tmp_path)
    assert r.returncode == 0, r
    key = tmp_path / "cfg/ftpc/id_ed25519"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(key.parent).st_mode) == 0o700
    text = key.read_text()
    assert re.fullmatch(r"[0-9a-f]{64}\n", text), text
    m = LINE.match(r.stdout.strip())
    assert m, r.stdout
    pk = bytes(SigningKey(bytes.fromhex(text.strip())).verify_key)
    assert base64.b64decode(m.group(1)) == pk
    assert (tmp_path / "cfg/ftpc/id_ed25519.pub").read_text() == r.stdout
    assert "SHA256:" in r.stderr
    # Never overwritten.
    r2 = _run(env, "keygen", cwd=tmp_path)
    assert r2.returncode == 5, r2
    assert key.read_text() == text


def test_keygen_file_and_usage(tmp_path):
    env = _env(tmp_path)
    r = _run(env, "keygen", tmp_path / "k", cwd=tmp_path)
    assert r.returncode == 0, r
    assert LINE.match(r.stdout.strip()), r.stdout
    assert stat.S_IMODE(os.stat(tmp_path / "k").st_mode) == 0o600
    r = _run(env, "keygen", "a", "b", cwd=tmp_path)
    assert r.returncode == 2, r
    r = _run(env, "keygen", "-x", cwd=tmp_path)
    assert r.returncode == 2, r


def test_user_login_against_server_without_host_key(make_server):
    server = make_server()
    (server.dir / "host.key").unlink()       # ftpd keygen made one
    server.start()
    pw = server.dir.parent / "pw"
    pw.write_text("x\n")
    os.chmod(pw, 0o600)
    r = _run(server.env(), "-q", "-H", "127.0.0.1", "-p", server.port,
             "-u", "alice", "--password-file", pw, "ls",
             cwd=server.dir.parent)
    assert r.returncode == 4, r
    r = server.ftpc("ls")                     # the shared secret as before
    assert r.returncode == 0, r


def test_user_login_unknown_account(server):
    """With a host key: an unknown host off a terminal is exit 8; accepted,
    an account the server does not have is exit 4."""
    pw = server.dir.parent / "pw"
    pw.write_text("x\n")
    os.chmod(pw, 0o600)
    args = ("-q", "-H", "127.0.0.1", "-p", server.port, "-u", "alice",
            "--password-file", pw)
    r = _run(server.env(), *args, "ls", cwd=server.dir.parent)
    assert r.returncode == 8, r
    r = _run(server.env(), *args, "--accept-new", "ls",
             cwd=server.dir.parent)
    assert r.returncode == 4, r
