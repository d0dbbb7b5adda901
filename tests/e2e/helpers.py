"""Helpers for the end-to-end tests: one daemon per test in a temporary folder.

What it is for: start and stop the real ``ftpd`` in ``ftpd -d DIR`` mode, run
``ftpc`` against it, find the daemon's processes through /proc, make and
compare test files.  What it must not do: touch any process it did not start
(never kill by name), bind anything but 127.0.0.1, or wait without a bound.
"""

import hashlib
import os
import pwd
import grp
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
IS_ROOT = os.geteuid() == 0

# Binaries: the repo's (or those in $FTPD_BIN_DIR, e.g. make asan's), or
# copies made once per session (conftest) so that a rebuild during a run does
# not swap them under a running test.
BIN_DIR = Path(os.environ.get("FTPD_BIN_DIR") or REPO).resolve()
BIN = {"ftpd": BIN_DIR / "ftpd", "ftpc": BIN_DIR / "ftpc"}

LOG_LINE_RE = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:?\d\d|Z) "
    r"ftpd\[(\d+)\]: ([a-z][a-z0-9_-]*) "
    r"(debug|info|notice|warn|warning|error|fatal): \S.*$")

XFER_LINE_RE = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"[ 123]\d \d\d:\d\d:\d\d \d{4} "
    r"(\d+) (\S+) (\d+) (/\S*) b _ ([io]) [agr] (\S+) ftp [01] \S+ ([ci])$")

TMP_PREFIX = ".ftpd-"


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def wait_for(pred, timeout, interval=0.05):
    """Call pred until it returns a true value or timeout seconds pass."""
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() >= end:
            return v
        time.sleep(interval)


def proc_state(pid):
    """The one-letter state of pid, or None if there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read().decode("ascii", "replace")
    except (FileNotFoundError, ProcessLookupError):
        return None
    return data[data.rindex(")") + 2:].split()[0]


def pid_alive(pid):
    """True if pid exists and is not a zombie."""
    st = proc_state(pid)
    return st is not None and st not in ("Z", "X")


def ppid_of(pid):
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read().decode("ascii", "replace")
    except OSError:
        return None
    return int(data[data.rindex(")") + 2:].split()[1])


def children(pid):
    """Live (non-zombie) children of pid, by scanning /proc."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        c = int(name)
        if ppid_of(c) == pid and pid_alive(c):
            out.append(c)
    return sorted(out)


def descendants(pid):
    out, todo = [], [pid]
    while todo:
        for c in children(todo.pop()):
            out.append(c)
            todo.append(c)
    return out


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def proc_status_field(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _tcp_established_inodes(port):
    """Inodes of ESTABLISHED TCP sockets whose local port is port."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    p = line.split()
                    lport = int(p[1].rsplit(":", 1)[1], 16)
                    if lport == port and p[3] == "01":
                        inodes.add(p[9])
        except OSError:
            continue
    return inodes


def socket_inodes(pid):
    out = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return out
    for fd in fds:
        try:
            t = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if t.startswith("socket:["):
            out.add(t[8:-1])
    return out


def busy_workers(master, port):
    """Children of master holding an established client connection."""
    inodes = _tcp_established_inodes(port)
    return [w for w in children(master) if socket_inodes(w) & inodes]


def make_file(path, size, block=None):
    """Write size bytes of random data (a 4 MiB random block with a varying
    prefix per block, so no two blocks are equal); returns the sha256."""
    h = hashlib.sha256()
    base = os.urandom(min(size, 4 << 20))
    n = 0
    with open(path, "wb") as f:
        i = 0
        while n < size:
            chunk = base[: min(len(base), size - n)]
            tag = i.to_bytes(8, "big")
            if len(chunk) >= 8:
                chunk = tag + chunk[8:]
            f.write(chunk)
            h.update(chunk)
            n += len(chunk)
            i += 1
    return h.hexdigest()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def temp_files(folder):
    """Names starting with .ftpd- anywhere beneath folder."""
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        for n in dirnames + filenames:
            if n.startswith(TMP_PREFIX):
                out.append(os.path.join(dirpath, n))
    return out


def nobody_ids():
    return pwd.getpwnam("nobody").pw_uid, grp.getgrnam("nogroup").gr_gid


def give_to_nobody(path):
    """chown path (and everything beneath a folder) to nobody when root."""
    if not IS_ROOT:
        return
    uid, gid = nobody_ids()
    p = Path(path)
    os.lchown(p, uid, gid)
    if p.is_dir() and not p.is_symlink():
        for dirpath, dirnames, filenames in os.walk(p):
            for n in dirnames + filenames:
                os.lchown(os.path.join(dirpath, n), uid, gid)


class Server:
    """One daemon in its own folder: DIR/ftpd.conf, DIR/files, DIR/secret.key."""

    def __init__(self, base, **conf):
        self.dir = Path(base) / "srv"
        self.dir.mkdir(parents=True)
        os.chmod(self.dir, 0o755)
        self.home = Path(base) / "home"
        (self.home / ".config").mkdir(parents=True)
        self.port = free_port()
        self.files = self.dir / "files"
        self.files.mkdir()
        os.chmod(self.files, 0o755)
        give_to_nobody(self.files)
        self.key = self.dir / "secret.key"
        self.conf_path = self.dir / "ftpd.conf"
        self.log = self.dir / "ftpd.log"
        self.xferlog = self.dir / "xferlog"
        self.pidfile = self.dir / "ftpd.pid"
        self.sock = self.dir / "ftpd.sock"
        self.known = set()  # every daemon pid seen, checked at teardown
        self.conf = {"listen": f"127.0.0.1:{self.port}", "workers": 2,
                     "max_workers": 8, "shutdown_timeout": 5}
        if IS_ROOT:
            self.conf["user"] = "nobody"
        self.conf.update(conf)
        r = self.ftpd("keygen")
        assert r.returncode == 0, f"keygen failed: {r.stderr}"
        assert self.key.exists()
        self.write_conf()

    # -- running the binaries ------------------------------------------
    def env(self):
        e = {k: v for k, v in os.environ.items() if not k.startswith("FTPC_")}
        e["HOME"] = str(self.home)
        e["XDG_CONFIG_HOME"] = str(self.home / ".config")
        e["XDG_DATA_HOME"] = str(self.home / ".local/share")
        e["XDG_STATE_HOME"] = str(self.home / ".local/state")
        e["LC_ALL"] = "C"
        return e

    def ftpd(self, *args, timeout=60):
        """Run ftpd -d DIR ARGS; output through files (a daemon may keep
        inherited pipes open).  Returns a CompletedProcess with text."""
        out = self.dir.parent / "ftpd.out"
        err = self.dir.parent / "ftpd.err"
        with open(out, "wb") as o, open(err, "wb") as e:
            p = subprocess.run([str(BIN["ftpd"]), "-d", str(self.dir), *args],
                               stdin=subprocess.DEVNULL, stdout=o, stderr=e,
                               env=self.env(), timeout=timeout)
        r = subprocess.CompletedProcess(p.args, p.returncode,
                                        out.read_text(errors="replace"),
                                        err.read_text(errors="replace"))
        out.unlink()
        err.unlink()
        return r

    def ftpc_argv(self, *args, key=None, port=None):
        return [str(BIN["ftpc"]), "-q", "-H", "127.0.0.1", "-p",
                str(port or self.port), "-k", str(key or self.key),
                *[str(a) for a in args]]

    def ftpc(self, *args, key=None, timeout=120, cwd=None, port=None):
        return subprocess.run(self.ftpc_argv(*args, key=key, port=port),
                              stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, errors="replace", env=self.env(),
                              timeout=timeout, cwd=cwd or self.dir.parent)

    def ftpc_popen(self, *args, cwd=None):
        return subprocess.Popen(self.ftpc_argv(*args), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=self.env(), cwd=cwd or self.dir.parent)

    def ok(self, *args, **kw):
        """ftpc that must succeed; returns its stdout."""
        r = self.ftpc(*args, **kw)
        assert r.returncode == 0, (
            f"ftpc {' '.join(map(str, args))}: exit {r.returncode}\n"
            f"stdout: {r.stdout}\nstderr: {r.stderr}")
        return r.stdout

    # -- config and life cycle -----------------------------------------
    def write_conf(self, extra_lines=()):
        lines = [f"{k} = {v}" for k, v in self.conf.items()]
        lines += list(extra_lines)
        self.conf_path.write_text("\n".join(lines) + "\n")

    def start(self):
        r = self.ftpd("start")
        assert r.returncode == 0, f"ftpd start: exit {r.returncode}: {r.stderr}"
        pid = self.master_pid()
        assert pid and pid_alive(pid), "ftpd start returned but no live pid"
        self.known.add(pid)
        self.wait_workers(self.conf.get("workers", 1))
        return pid

    def master_pid(self):
        try:
            t = self.pidfile.read_text().strip()
        except FileNotFoundError:
            return None
        return int(t) if t.isdigit() else None

    def workers(self):
        pid = self.master_pid()
        if not pid:
            return []
        w = children(pid)
        self.known.update(w)
        return w

    def wait_workers(self, n, timeout=10):
        """Wait until the master has exactly n live children."""
        wait_for(lambda: len(self.workers()) == n, timeout)
        return self.workers()

    def stop(self):
        r = self.ftpd("stop", timeout=60)
        return r

    def teardown(self):
        """Stop the daemon and make sure none of its processes is left.
        Returns a list of problems (empty when clean)."""
        problems = []
        pid = self.master_pid()
        if pid:
            self.known.add(pid)
            self.known.update(descendants(pid))
        if pid and pid_alive(pid):
            try:
                r = self.stop()
                if r.returncode != 0:
                    problems.append(f"ftpd stop: exit {r.returncode}: {r.stderr}")
            except subprocess.TimeoutExpired:
                problems.append("ftpd stop: timed out")
        mine = [p for p in self.known if self._is_ftpd(p)]
        wait_for(lambda: not any(pid_alive(p) for p in mine), 15)
        left = [p for p in mine if pid_alive(p)]
        if left:
            problems.append(f"processes left after stop: {left}")
            for p in left:  # last resort, only PIDs this test started
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            wait_for(lambda: not any(pid_alive(p) for p in left), 5)
        return problems

    def _is_ftpd(self, pid):
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            return False
        return exe.startswith(str(BIN["ftpd"]))

    # -- logs ------------------------------------------------------------
    def log_text(self, path=None):
        try:
            return Path(path or self.log).read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def xfer_lines(self, path=None):
        return [ln for ln in self.log_text(path or self.xferlog).splitlines()
                if ln]

    def wait_log(self, regex, timeout=5, path=None):
        """Wait until a line of the log matches regex; returns the match."""
        rx = re.compile(regex)

        def look():
            for ln in self.log_text(path).splitlines():
                m = rx.search(ln)
                if m:
                    return m
            return None
        return wait_for(look, timeout)

    def wait_xfer(self, n, timeout=5, path=None):
        wait_for(lambda: len(self.xfer_lines(path)) >= n, timeout)
        return self.xfer_lines(path)

    def remote(self, name):
        return self.files / name

    def own(self):
        """Give what the test put in the served root to the workers' user,
        as an administrator would; otherwise a root-owned folder is simply
        not writable for them."""
        give_to_nobody(self.files)


def copy_binaries(dest):
    """Copy ftpd and ftpc into dest and point BIN at the copies."""
    for name in ("ftpd", "ftpc"):
        src = BIN_DIR / name
        if not src.exists():
            raise RuntimeError(f"{src} not built: run 'make ftpd ftpc'")
        dst = Path(dest) / name
        shutil.copy2(src, dst)
        os.chmod(dst, 0o755)
        BIN[name] = dst


def run_all(procs, timeout):
    """Wait for Popen objects together; returns [(rc, stdout, stderr)].
    A process still running at the deadline is killed (it is ours)."""
    deadline = time.monotonic() + timeout
    out = []
    for p in procs:
        try:
            o, e = p.communicate(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            o, e = p.communicate()
        out.append((p.returncode, o.decode(errors="replace"),
                    e.decode(errors="replace")))
    return out
