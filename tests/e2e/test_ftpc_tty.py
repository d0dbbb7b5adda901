"""ftpc on a terminal (issue 10 items 2, 5 and 7), through a pseudo-
terminal (os.openpty): the interactive shell (libedit: history file,
completion, cd/pwd/lcd/lpwd, !cmd, help), batch mode (-b FILE), the tree
progress lines, and Ctrl-C: the progress line is ended, the partial
download kept for -C, exit 130.  Every read is bounded; a client still
running at the end is killed by its PID."""

import os
import select
import signal
import subprocess
import time

from helpers import BIN, make_file, sha256_file

MIB = 1 << 20


class Tty:
    """ftpc ARGS with stdin, stdout and stderr on a new pseudo-terminal."""

    def __init__(self, server, *args, cwd=None):
        self.master, slave = os.openpty()
        env = dict(server.env(), TERM="dumb")
        argv = [str(BIN["ftpc"]), "-H", "127.0.0.1", "-p", str(server.port),
                "-k", str(server.key), *map(str, args)]
        self.p = subprocess.Popen(argv, stdin=slave, stdout=slave,
                                  stderr=slave, env=env, cwd=cwd,
                                  start_new_session=True)
        os.close(slave)
        self.out = b""

    def read_until(self, want, timeout=10):
        """Read until the bytes want arrive (or timeout); all read so far."""
        end = time.monotonic() + timeout
        while want not in self.out and time.monotonic() < end:
            r, _, _ = select.select([self.master], [], [], 0.1)
            if r:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                self.out += chunk
        return self.out

    def cmd(self, line, prompt=b"> "):
        """Type line; returns what came back up to the next prompt."""
        start = len(self.out)
        os.write(self.master, line.encode() + b"\r")
        self.read_until_after(start, prompt)
        return self.out[start:].decode(errors="replace")

    def read_until_after(self, start, want, timeout=10):
        end = time.monotonic() + timeout
        while want not in self.out[start + 1:] and time.monotonic() < end:
            self.read_until(b"\0never\0", 0.1)

    def close(self):
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        os.close(self.master)
        return self.p.returncode


def test_shell_session(server, local):
    make_file(local / "up.txt", 100)
    t = Tty(server, cwd=local)
    try:
        t.read_until(b"ftpc:/> ")
        assert b"ftpc:/> " in t.out, t.out
        t.cmd("mkdir -p docs/old")
        t.cmd("cd docs")
        assert "/docs" in t.cmd("pwd")
        t.cmd("put up.txt")                    # relative to the cwd
        assert "up.txt" in t.cmd("ls -1")
        assert str(local) in t.cmd("lpwd")
        t.cmd("lcd /")
        assert "/\r\n" in t.cmd("lpwd")
        t.cmd(f"lcd {local}")
        assert "hello-from-sh" in t.cmd("!echo hello-from-sh")
        assert "commands" in t.cmd("help")
        assert "unknown command" in t.cmd("frobnicate")
        t.cmd("cd ..")
        assert "ftpc:/> " in t.cmd("pwd")
        os.write(t.master, b"ls do\t")          # completes "docs/"
        t.read_until(b"docs/", 5)
        assert b"docs/" in t.out, t.out
        os.write(t.master, b"\x15")            # kill the line
        t.cmd("exit")
    finally:
        rc = t.close()
    assert rc == 0, t.out
    assert server.remote("docs/up.txt").is_file()
    hist = server.home / ".local/state/ftpc/history"
    assert hist.is_file()
    assert "put\\040up.txt" in hist.read_text() or \
        "put up.txt" in hist.read_text()


def test_shell_needs_a_terminal_or_a_batch(server):
    r = server.ftpc()                         # stdin is /dev/null
    assert r.returncode == 2 and "no command given" in r.stderr, r
    r = subprocess.run(server.ftpc_argv("shell"), input="mkdir viastdin\n",
                       capture_output=True, text=True, env=server.env(),
                       timeout=60)
    assert r.returncode == 0, r
    assert server.remote("viastdin").is_dir()


def test_batch_stops_at_the_first_failure(server, local):
    b = local / "batch"
    b.write_text("mkdir one\n"
                 "-rmdir not-there\n"          # '-': a failure is ignored
                 "mkdir two\n"
                 "rmdir not-there-either\n"
                 "mkdir three\n")
    r = server.ftpc("-b", b)
    assert r.returncode == 1, r
    assert server.remote("one").is_dir() and server.remote("two").is_dir()
    assert not server.remote("three").exists()
    b.write_text("mkdir 'with space'\n# a comment\n\nls\n")
    r = server.ftpc("-b", b)
    assert r.returncode == 0 and "with space" in r.stdout, r


def test_tree_progress_lines(server, local):
    src = local / "src"
    (src / "d").mkdir(parents=True)
    for i in range(3):
        make_file(src / "d" / f"f{i}.bin", 200000)
    t = Tty(server, "put", "-r", src)
    try:
        t.read_until(b"\0never\0", 5)
    finally:
        rc = t.close()
    text = t.out.decode(errors="replace")
    assert rc == 0, text
    assert "[3/3 files]" in text, text
    for i in range(3):
        assert f"f{i}.bin" in text, text


def test_ctrl_c_ends_the_line_keeps_the_partial_and_exits_130(server,
                                                               local):
    digest = make_file(server.remote("big.bin"), 8 * MIB)
    dl = local / "dl"
    dl.mkdir()
    t = Tty(server, "--limit-rate", "2M", "get", "big.bin", dl)
    try:
        t.read_until(b"ETA", 10)
        time.sleep(1.0)
        assert t.p.poll() is None, t.out
        os.killpg(t.p.pid, signal.SIGINT)     # what Ctrl-C does
        t.read_until(b"-C to resume", 5)
    finally:
        rc = t.close()
    text = t.out.decode(errors="replace")
    assert rc == 130, (rc, text)
    assert "ETA" in text
    # The bar's line was ended before the message.
    at = text.index("ftpc: partial download kept in")
    assert text[at - 1] == "\n", text
    part = dl / ".big.bin.ftpc-part"
    assert 0 < part.stat().st_size < 8 * MIB
    server.ok("-C", "get", "big.bin", dl)
    assert sha256_file(dl / "big.bin") == digest
    assert os.listdir(dl) == ["big.bin"]
