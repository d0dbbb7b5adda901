#!/usr/bin/python3
"""tests/bench/compare.py (make bench-compare): ftpd side by side with the
tools its users would pick instead, on this machine over loopback.

What it is for: one run that starts ftpd, vsftpd (plain FTP; curl and lftp
as clients), OpenSSH's sshd (sftp and scp -O, both with -c
aes128-gcm@openssh.com) and an rsync daemon, each on 127.0.0.1 on a free
port with its own configuration in one temporary folder, and measures them
interleaved round by round (every tool does one workload, then the next
workload, then the next round):

  - a BENCH_SIZE_MB MiB upload and download of random data (default 1024),
    and the upload again fsynced before the client ends where the tool can
    (sftp put -f, rsync --fsync; ftpd always does),
  - BENCH_FILES x 4 KiB files in one session (default 2000),
  - BENCH_CONC concurrent BENCH_CONC_MB MiB uploads (default 50 x 20),
  - BENCH_SESSIONS sessions one after the other, each connect, authenticate,
    put 1 KiB, quit (default 200),
  - the Pss (/proc/PID/smaps_rollup) of the server processes that hold
    BENCH_IDLE idle, authenticated sessions, per session (default 10), and
    of the whole server at rest,

for BENCH_ROUNDS rounds (default 3).  It prints per row the median with
min-max over the rounds, and ftpd's ratio to the best other tool of the row.
CPU is counted on both ends: the client's from getrusage(RUSAGE_CHILDREN)
of the client processes this script starts and waits for, the server's from
/proc/PID/stat (utime + stime + cutime + cstime) summed over the server's
process tree before and after.  MB = 10^6 bytes; CPU per GiB = 2^30 bytes.
BENCH_TOOLS (comma-separated: ftpd,vsftpd,sftp,scp,rsync) limits the tools,
BENCH_WORK (big,conc,small,sess,idle) the workloads, for short trial runs.

What it must not do: install anything (make deps-bench does), be run by make
check, signal a process it did not start, or leave a process or a file
behind: every server is stopped and the temporary folder removed on every
exit path, including SIGINT, SIGTERM and SIGHUP.  It uses only the standard
library; the idle ftpd sessions are held by tests/e2e/refclient.py (PyNaCl
and msgpack, from make deps) in a child process.
"""

import ftplib
import os
import pwd
import resource
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
KIB, MIB, GIB = 1024, 1024 * 1024, 1024 ** 3
TICK = os.sysconf("SC_CLK_TCK")
IS_ROOT = os.geteuid() == 0
AES = "aes128-gcm@openssh.com"


def env_int(name, default):
    v = os.environ.get(name, "")
    if not v:
        return default
    if not v.isdigit() or int(v) < 1:
        sys.exit(f"bench-compare: {name}={v!r}: want a positive integer")
    return int(v)


CFG = {
    "size_mb": env_int("BENCH_SIZE_MB", 1024),
    "rounds": env_int("BENCH_ROUNDS", 3),
    "files": env_int("BENCH_FILES", 2000),
    "conc": env_int("BENCH_CONC", 50),
    "conc_mb": env_int("BENCH_CONC_MB", 20),
    "sessions": env_int("BENCH_SESSIONS", 200),
    "idle": env_int("BENCH_IDLE", 10),
}
ALL_TOOLS = ["ftpd", "vsftpd", "sftp", "scp", "rsync"]
PACKAGES = ["vsftpd", "curl", "lftp", "openssh-server", "openssh-client",
            "rsync"]


class BenchError(Exception):
    """A server did not start or a client command failed."""


# -- processes ---------------------------------------------------------------

def proc_table():
    """{pid: (ppid, cpu_ticks)} of every process, cpu = utime + stime +
    cutime + cstime (the last two: children already waited for)."""
    t = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
        except OSError:
            continue
        f = s[s.rindex(")") + 2:].split()
        t[int(d)] = (int(f[1]), sum(int(x) for x in f[11:15]))
    return t


def tree(root, table=None):
    """root and every descendant of it that is alive now."""
    table = table or proc_table()
    kids = {}
    for pid, (ppid, _) in table.items():
        kids.setdefault(ppid, []).append(pid)
    out, todo = [], [root] if root in table else []
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def tree_cpu(root):
    """CPU seconds of a process tree, dead and waited-for members included."""
    table = proc_table()
    return sum(table[p][1] for p in tree(root, table)) / TICK


def pss(pids):
    """Sum of Pss in kB over some processes; None if one of them cannot be
    read (not dumpable, and we are not root)."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except PermissionError:
            return None
        except OSError:  # gone since the listing
            pass
    return total


def conn_inodes(port):
    """Socket inodes of the established TCP connections to local port."""
    out = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            c = row.split()
            if c[3] == "01" and int(c[1].rsplit(":", 1)[1], 16) == port:
                out.add(c[9])
    return out


def session_procs(root, port):
    """The processes of root's tree (root itself excepted) that hold a
    connection to port, with their descendants: the ones that serve
    sessions, as opposed to a listener or a pool of spare workers."""
    inodes = conn_inodes(port)
    table = proc_table()
    out = set()
    for p in tree(root, table):
        if p == root or p in out:
            continue
        try:
            fds = os.listdir(f"/proc/{p}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                link = os.readlink(f"/proc/{p}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:[") and link[8:-1] in inodes:
                out.update(tree(p, table))
                break
    return out


def become_subreaper():
    """Adopt the orphans of our descendants (prctl PR_SET_CHILD_SUBREAPER):
    vsftpd's session process may exit before its unprivileged child, whose
    CPU would otherwise go to init unseen."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(36, 1, 0, 0, 0) != 0:
        raise BenchError("prctl(PR_SET_CHILD_SUBREAPER) failed")


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, proc=None, timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise BenchError(f"server exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise BenchError(f"nothing listens on port {port} after {timeout} s")


class Runner:
    """Client commands: (argv, stdin text or None), run with the bench's
    environment; a failure raises BenchError with the command's stderr."""

    def __init__(self, env, cwd):
        self.env, self.cwd = env, cwd

    def run(self, cmd, timeout=900):
        argv, text = cmd
        r = subprocess.run(argv, input=text, text=True, env=self.env,
                           cwd=self.cwd, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=timeout,
                           stdin=None if text is not None
                           else subprocess.DEVNULL)
        if r.returncode != 0:
            raise BenchError(f"{' '.join(argv[:6])}...: exit {r.returncode}:"
                             f" {r.stderr.strip()[-500:]}")

    def popen(self, cmd, stdout=subprocess.DEVNULL):
        argv, text = cmd
        p = subprocess.Popen(argv, env=self.env, cwd=self.cwd,
                             stdin=subprocess.PIPE, stdout=stdout,
                             stderr=subprocess.PIPE, text=True)
        if text is not None:
            p.stdin.write(text)
            p.stdin.flush()
        return p

    def run_all(self, cmds, timeout=900):
        procs, bad = [], []
        try:
            for a, t in cmds:
                p = self.popen((a, t))
                p.stdin.close()
                p.stdin = None
                procs.append(p)
            for p in procs:
                err = p.communicate(timeout=timeout)[1]
                if p.returncode != 0:
                    bad.append(f"exit {p.returncode}: {err.strip()[-300:]}")
        except BaseException:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                    p.wait()
            raise
        if bad:
            raise BenchError(f"{len(bad)} of {len(procs)} failed: {bad[0]}")


# -- servers -----------------------------------------------------------------

class Server:
    """One daemon in its own folder under the bench's temporary folder.
    files is the folder clients write into; root() the pid whose process
    tree serves them (CPU and Pss are summed over that tree)."""

    name = ""

    def __init__(self, bench):
        self.b = bench
        self.dir = bench.tmp / self.name
        self.dir.mkdir(mode=0o755)
        self.files = self.dir / "files"
        self.port = free_port()
        self.proc = None
        self.log = self.dir / "server.log"
        self.owner = bench.nobody  # None: the current user

    def own(self, path):
        """Give a server-side path to the user the server writes as."""
        if self.owner:
            os.chown(path, *self.owner)

    def mkdir(self, sub):
        p = self.files / sub
        p.mkdir(mode=0o755)
        self.own(p)
        return p

    def root(self):
        return self.proc.pid

    def spawn(self, argv):
        """Start a server that stays in the foreground as our child."""
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=log,
                                         env=self.b.env, cwd=self.dir)
        self.b.note([self.proc.pid])
        self.b.own.add(self.proc.pid)
        try:
            wait_port(self.port, self.proc)
        except BenchError as e:
            raise BenchError(f"{self.name}: {e}: "
                             f"{self.log.read_text(errors='replace')[-500:]}")

    def stop(self):
        if self.proc is None:
            return
        pids = tree(self.proc.pid)
        self.b.note(pids)
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None


class Ftpd(Server):
    name = "ftpd"

    def start(self):
        self.srv = self.dir / "srv"
        self.srv.mkdir(mode=0o755)
        self.files = self.srv / "files"
        self.files.mkdir(mode=0o755)
        self.own(self.files)
        self.key = self.srv / "secret.key"
        most = max(64, CFG["conc"] + CFG["idle"] + 8)
        lines = [f"listen = 127.0.0.1:{self.port}", "workers = 4",
                 f"max_workers = {most}", f"queue_len = {most}",
                 "shutdown_timeout = 5"]
        if IS_ROOT:
            lines.append("user = nobody")
        (self.srv / "ftpd.conf").write_text("\n".join(lines) + "\n")
        self.ctl("keygen")
        self.ctl("start")
        self.pid = int((self.srv / "ftpd.pid").read_text().strip())
        self.b.note([self.pid])
        self.b.own.add(self.pid)  # adopted by us when ftpd start returned
        wait_port(self.port)

    def ctl(self, *args):
        self.b.runner.run(([str(REPO / "ftpd"), "-d", str(self.srv), *args],
                           None), timeout=60)

    def root(self):
        return self.pid

    def stop(self):
        if getattr(self, "pid", None) is None:
            return
        self.b.note(tree(self.pid))
        try:
            self.ctl("stop")
        finally:
            self.pid = None


class Vsftpd(Server):
    name = "vsftpd"

    def start(self):
        # The anonymous root may not be writable by the session's user:
        # uploads go to its folder "up".
        anon = self.dir / "root"
        anon.mkdir(mode=0o755)
        self.files = anon / "up"
        self.files.mkdir(mode=0o755)
        if IS_ROOT:
            try:
                pw = pwd.getpwnam("ftp")
            except KeyError:
                raise BenchError("vsftpd: no user ftp (make deps-bench)")
            self.owner = (pw.pw_uid, pw.pw_gid)
        self.own(self.files)
        empty = self.dir / "empty"
        empty.mkdir(mode=0o755)
        conf = self.dir / "vsftpd.conf"
        lines = ["listen=YES", "listen_ipv6=NO", "listen_address=127.0.0.1",
                 f"listen_port={self.port}", "background=NO",
                 "anonymous_enable=YES", "local_enable=NO", "write_enable=YES",
                 "anon_upload_enable=YES", "anon_mkdir_write_enable=YES",
                 "anon_other_write_enable=YES", "no_anon_password=YES",
                 f"anon_root={anon}", "anon_umask=022",
                 f"secure_chroot_dir={empty}",
                 "xferlog_enable=NO", "syslog_enable=NO",
                 f"vsftpd_log_file={self.log}", "dirmessage_enable=NO",
                 "pasv_enable=YES", "max_clients=0", "max_per_ip=0"]
        # As root: the usual two-process model, sessions as user ftp.  As an
        # ordinary user vsftpd can only serve as that user, in one process.
        lines.append("ftp_username=ftp" if IS_ROOT
                     else "run_as_launching_user=YES")
        conf.write_text("\n".join(lines) + "\n")
        os.chmod(conf, 0o600)
        os.chmod(anon, 0o555)
        self.spawn(["/usr/sbin/vsftpd", str(conf)])


class Sshd(Server):
    name = "sshd"

    def start(self):
        self.owner = None  # sessions log in as the current user
        self.files.mkdir(mode=0o755)
        d = self.dir
        for k in ("host", "id"):
            self.b.runner.run((["ssh-keygen", "-q", "-t", "ed25519", "-N", "",
                                "-C", "bench", "-f", str(d / k)], None))
        shutil.copy(d / "id.pub", d / "authorized_keys")
        host_pub = (d / "host.pub").read_text().split()
        (d / "known_hosts").write_text(
            f"[127.0.0.1]:{self.port} {host_pub[0]} {host_pub[1]}\n")
        (d / "sshd_config").write_text("\n".join([
            f"Port {self.port}", "ListenAddress 127.0.0.1",
            f"HostKey {d / 'host'}", f"PidFile {d / 'sshd.pid'}",
            f"AuthorizedKeysFile {d / 'authorized_keys'}",
            "PubkeyAuthentication yes", "PasswordAuthentication no",
            "KbdInteractiveAuthentication no", "UsePAM no",
            "StrictModes no", "PermitRootLogin prohibit-password",
            "MaxStartups 200", "MaxSessions 10", "UseDNS no",
            "PrintMotd no", "PrintLastLog no", "X11Forwarding no",
            "LogLevel ERROR",
            "Subsystem sftp /usr/lib/openssh/sftp-server"]) + "\n")
        self.cfg = d / "ssh_config"
        self.cfg.write_text("\n".join([
            "Host bench", "  HostName 127.0.0.1", f"  Port {self.port}",
            f"  User {pwd.getpwuid(os.geteuid()).pw_name}",
            f"  IdentityFile {d / 'id'}", "  IdentitiesOnly yes",
            f"  UserKnownHostsFile {d / 'known_hosts'}",
            "  GlobalKnownHostsFile /dev/null",
            "  StrictHostKeyChecking yes", "  BatchMode yes",
            "  UpdateHostKeys no", "  ControlMaster no", "  ControlPath none",
            "  LogLevel ERROR"]) + "\n")
        # sshd started by root wants its privilege separation folder.
        if IS_ROOT and not os.path.exists("/run/sshd"):
            os.mkdir("/run/sshd", 0o755)
            self.b.made.append(Path("/run/sshd"))
        self.spawn(["/usr/sbin/sshd", "-D", "-e", "-f",
                    str(d / "sshd_config")])


class Rsyncd(Server):
    name = "rsyncd"

    def start(self):
        d = self.dir
        self.files.mkdir(mode=0o755)
        self.own(self.files)
        (d / "empty").mkdir()
        secrets, self.pw = d / "secrets", d / "password"
        for p, text in ((secrets, "bench:bench-secret\n"),
                        (self.pw, "bench-secret\n")):
            p.write_text(text)
            os.chmod(p, 0o600)
        lines = [f"pid file = {d / 'rsyncd.pid'}", f"log file = {self.log}",
                 "use chroot = no", "max connections = 0",
                 "transfer logging = no", "[files]", f"path = {self.files}",
                 "read only = false", "auth users = bench",
                 f"secrets file = {secrets}"]
        if IS_ROOT:
            lines += ["uid = nobody", f"gid = {self.b.nogroup}"]
        (d / "rsyncd.conf").write_text("\n".join(lines) + "\n")
        self.spawn(["rsync", "--daemon", "--no-detach",
                    f"--config={d / 'rsyncd.conf'}", "--address=127.0.0.1",
                    f"--port={self.port}"])


# -- clients -----------------------------------------------------------------
# A client command is (argv, stdin text or None).  many() uploads the files
# NAMES of folder SRC into the existing remote folder SUB in one session; it
# returns None when the tool has no such mode (durable: fsync each file).
# up_durable() is an upload whose file is on disk (fsynced) when the client
# ends, None when the tool has no such mode.

class Tool:
    name = label = ""
    durable_default = False  # its plain many() and up() already fsync

    def __init__(self, server):
        self.s = server

    def many(self, src, names, sub, durable):
        return None

    def up_durable(self, local, name):
        return None

    def session(self, local, name):
        return self.up(local, name)

    def idle_open(self, n):
        return None

    def idle_close(self, handle):
        for p in handle:
            p.stdin.close()
            p.stdin = None
        bad = []
        for p in handle:
            err = p.communicate(timeout=30)[1]
            if p.returncode != 0:
                bad.append(f"exit {p.returncode}: {err.strip()[-300:]}")
        if bad:
            raise BenchError(f"{self.name}: idle session: {bad[0]}")

    def wait_sessions(self, n, timeout=20):
        """Wait until the server's tree has grown by n processes."""
        end = time.monotonic() + timeout
        while len(tree(self.s.root())) < self.base_procs + n:
            if time.monotonic() > end:
                raise BenchError(f"{self.name}: {n} idle sessions not up")
            time.sleep(0.05)


class FtpdTool(Tool):
    name, label = "ftpd", "ftpd"
    durable_default = True

    def c(self, *args):
        return ([str(REPO / "ftpc"), "-q", "-H", "127.0.0.1", "-p",
                 str(self.s.port), "-k", str(self.s.key),
                 *[str(a) for a in args]], None)

    def up(self, local, name):
        return self.c("put", local, name)

    def down(self, name, dest):
        return self.c("get", name, dest)

    def many(self, src, names, sub, durable):
        return self.c("put", *[src / n for n in names], sub + "/")

    IDLE = """
import sys
sys.path.insert(0, sys.argv[1])
import refclient
key = refclient.read_key(sys.argv[2])
ss = [refclient.connect("127.0.0.1", int(sys.argv[3]), key)
      for _ in range(int(sys.argv[4]))]
print("ready", flush=True)
sys.stdin.read()
for s in ss:
    s.bye()
    s.close()
"""

    def idle_open(self, n):
        p = self.s.b.runner.popen((["/usr/bin/python3", "-c", self.IDLE,
                                    str(REPO / "tests/e2e"), str(self.s.key),
                                    str(self.s.port), str(n)], None),
                                  stdout=subprocess.PIPE)
        ready, _, _ = select.select([p.stdout], [], [], 30)
        if not ready or p.stdout.readline().strip() != "ready":
            p.kill()
            err = p.communicate()[1]
            raise BenchError(f"ftpd idle sessions: {err.strip()[-300:]}")
        return [p]


class CurlTool(Tool):
    name, label = "vsftpd", "vsftpd + curl"

    def url(self, name):
        return f"ftp://127.0.0.1:{self.s.port}/up/{name}"

    def up(self, local, name):
        return (["curl", "-sS", "-T", str(local), self.url(name)], None)

    def down(self, name, dest):
        return (["curl", "-sS", "-o", str(dest), self.url(name)], None)

    def many(self, src, names, sub, durable):
        if durable:
            return None
        script = ("set ftp:ssl-allow no; set cmd:fail-exit yes; "
                  "set net:max-retries 1; set xfer:clobber on; "
                  f"open -u anonymous,bench ftp://127.0.0.1:{self.s.port}; "
                  f"cd up/{sub}; lcd {src}; mput {' '.join(names)}")
        return (["lftp", "-c", script], None)

    def idle_open(self, n):
        out = []
        for _ in range(n):
            f = ftplib.FTP()
            f.connect("127.0.0.1", self.s.port, timeout=10)
            f.login()
            out.append(f)
        return out

    def idle_close(self, handle):
        for f in handle:
            f.quit()


class SftpTool(Tool):
    name, label = "sftp", f"sftp {AES.split('@')[0]}"

    def argv(self):
        return ["sftp", "-q", "-F", str(self.s.cfg), "-c", AES]

    def batch(self, text):
        return (self.argv() + ["-b", "-", "bench"], text + "\n")

    def up(self, local, name):
        return self.batch(f"put {local} {self.s.files / name}")

    def up_durable(self, local, name):  # fsync@openssh.com
        return self.batch(f"put -f {local} {self.s.files / name}")

    def down(self, name, dest):
        return self.batch(f"get {self.s.files / name} {dest}")

    def many(self, src, names, sub, durable):
        flag = "-f " if durable else ""
        return self.batch(f"put {flag}{src}/* {self.s.files / sub}/")

    def idle_open(self, n):
        r = self.s.b.runner
        ps = [r.popen((self.argv() + ["bench"], None)) for _ in range(n)]
        try:
            self.wait_sessions(2 * n)  # per session: sshd and sftp-server
        except BenchError:
            self.idle_close(ps)
            raise
        return ps


class ScpTool(Tool):
    name, label = "scp", f"scp -O {AES.split('@')[0]}"

    def argv(self, *args):
        return (["scp", "-O", "-q", "-F", str(self.s.cfg), "-c", AES,
                 *[str(a) for a in args]], None)

    def up(self, local, name):
        return self.argv(local, f"bench:{self.s.files / name}")

    def down(self, name, dest):
        return self.argv(f"bench:{self.s.files / name}", dest)

    def many(self, src, names, sub, durable):
        if durable:
            return None
        return self.argv(*[src / n for n in names],
                         f"bench:{self.s.files / sub}/")


class RsyncTool(Tool):
    name, label = "rsync", "rsync daemon"

    def argv(self, *args):
        return (["rsync", "-q", f"--password-file={self.s.pw}",
                 *[str(a) for a in args]], None)

    def url(self, name):
        return f"rsync://bench@127.0.0.1:{self.s.port}/files/{name}"

    def up(self, local, name):
        return self.argv(local, self.url(name))

    def up_durable(self, local, name):
        return self.argv("--fsync", local, self.url(name))

    def down(self, name, dest):
        return self.argv(self.url(name), dest)

    def many(self, src, names, sub, durable):
        extra = ["--fsync"] if durable else []
        return self.argv("-r", *extra, f"{src}/", self.url(sub + "/"))

    def idle_open(self, n):
        # --files-from=- reads the file list from our pipe after the
        # session is authenticated: the session waits there, idle.
        r = self.s.b.runner
        ps = [r.popen(self.argv("-r", "--files-from=-",
                                f"{self.s.dir / 'empty'}/", self.url("")))
              for _ in range(n)]
        try:
            self.wait_sessions(n)
        except BenchError:
            self.idle_close(ps)
            raise
        return ps


# -- the run -----------------------------------------------------------------
# Rows: key, label, +1 when higher is better (-1 lower), format.
ROWS = [
    ("up", "{size} upload, MB/s", 1),
    ("up_d", "{size} upload, fsynced before the client ends, MB/s", 1),
    ("down", "{size} download, MB/s", 1),
    ("up_c", "upload CPU s/GiB, client", -1),
    ("up_s", "upload CPU s/GiB, server", -1),
    ("down_c", "download CPU s/GiB, client", -1),
    ("down_s", "download CPU s/GiB, server", -1),
    ("conc", "{conc} concurrent {conc_mb} MiB uploads, MB/s", 1),
    ("conc_c", "concurrent CPU s/GiB, client", -1),
    ("conc_s", "concurrent CPU s/GiB, server", -1),
    ("small", "{files} x 4 KiB in one session, files/s", 1),
    ("small_d", "{files} x 4 KiB, fsync each file, files/s", 1),
    ("small_c", "4 KiB files CPU ms/file, client", -1),
    ("small_s", "4 KiB files CPU ms/file, server", -1),
    ("sess", "sessions/s (connect, auth, 1 KiB put, quit)", 1),
    ("sess_c", "CPU ms/session, client", -1),
    ("sess_s", "CPU ms/session, server", -1),
    ("idle", "Pss kB per idle session ({idle} open)", -1),
    ("rest", "server Pss kB at rest (no session)", -1),
]
TOOL_CLASSES = {"ftpd": FtpdTool, "vsftpd": CurlTool, "sftp": SftpTool,
                "scp": ScpTool, "rsync": RsyncTool}
SERVER_OF = {"ftpd": Ftpd, "vsftpd": Vsftpd, "sftp": Sshd, "scp": Sshd,
             "rsync": Rsyncd}


def say(text):
    print(text, file=sys.stderr, flush=True)


class Bench:
    def __init__(self, names):
        self.tmp = Path(tempfile.mkdtemp(prefix="ftpd-bench-compare."))
        os.chmod(self.tmp, 0o755)
        self.pids, self.made, self.handles = {}, [], []
        self.own = set()  # our children that are not orphans: servers
        self.servers, self.tools = {}, []
        self.res = {k: {} for k, _, _ in ROWS}
        home = self.tmp / "home"
        home.mkdir()
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("FTPC_", "SSH_", "RSYNC_"))}
        self.env.update(HOME=str(home), LC_ALL="C",
                        XDG_CONFIG_HOME=str(home / ".config"),
                        XDG_DATA_HOME=str(home / ".local/share"),
                        XDG_STATE_HOME=str(home / ".local/state"),
                        XDG_CACHE_HOME=str(home / ".cache"))
        self.runner = Runner(self.env, self.tmp)
        self.nobody = self.nogroup = None
        if IS_ROOT:
            import grp
            pw = pwd.getpwnam("nobody")
            self.nobody = (pw.pw_uid, pw.pw_gid)
            self.nogroup = grp.getgrgid(pw.pw_gid).gr_name
        self.names = names

    # -- set-up and clean-up ---------------------------------------------
    def start(self):
        for n in self.names:
            cls = SERVER_OF[n]
            if cls.name not in self.servers:
                say(f"bench-compare: starting {cls.name}")
                srv = cls(self)
                self.servers[cls.name] = srv
                srv.start()
            self.tools.append(TOOL_CLASSES[n](self.servers[cls.name]))
        say("bench-compare: making test data")
        self.big = self.tmp / "big.bin"
        self.mid = self.tmp / "mid.bin"
        self.one = self.tmp / "one.bin"
        self.small = self.tmp / "small"
        self.down = self.tmp / "down"
        self.down.mkdir()
        self.small.mkdir()
        for path, mib in ((self.big, CFG["size_mb"]),
                          (self.mid, CFG["conc_mb"])):
            with open(path, "wb") as f:
                for _ in range(mib):
                    f.write(os.urandom(MIB))
        self.one.write_bytes(os.urandom(KIB))
        self.small_names = [f"f{i:05d}.bin" for i in range(CFG["files"])]
        for n in self.small_names:
            (self.small / n).write_bytes(os.urandom(4 * KIB))

    def cleanup(self):
        for tool, h in self.handles:
            try:
                tool.idle_close(h)
            except Exception:
                pass
        self.handles = []
        for srv in self.servers.values():
            try:
                srv.stop()
            except Exception as e:
                say(f"bench-compare: stopping {srv.name}: {e}")
        # Last resort, only for pids this run started or saw in the trees
        # of the servers it started.
        end = time.monotonic() + 10
        while time.monotonic() < end and any(alive(p) for p in self.pids):
            time.sleep(0.05)
        for p, exe in self.pids.items():
            if alive(p) and exe_of(p) == exe:
                say(f"bench-compare: killing leftover pid {p}")
                os.kill(p, signal.SIGKILL)
        self.own = set()
        self.reap_orphans()
        for d, _, _ in os.walk(self.tmp):
            os.chmod(d, 0o755)  # vsftpd's anonymous root is read-only
        shutil.rmtree(self.tmp, ignore_errors=True)
        for p in self.made:
            shutil.rmtree(p, ignore_errors=True)

    def note(self, pids):
        """Remember server pids (with their program) for the last resort."""
        for p in pids:
            self.pids.setdefault(p, exe_of(p))

    # -- measuring ---------------------------------------------------------
    def reap_orphans(self, timeout=5):
        """Wait for the processes we adopted to exit and reap them; returns
        their CPU seconds (which getrusage counts among our children's)."""
        me, cpu = os.getpid(), 0.0
        end = time.monotonic() + timeout
        while True:
            left = [p for p, (pp, _) in proc_table().items()
                    if pp == me and p not in self.own]
            for p in left:
                try:
                    pid, _, ru = os.wait4(p, os.WNOHANG)
                except ChildProcessError:
                    continue
                if pid:
                    cpu += ru.ru_utime + ru.ru_stime
            if not left or time.monotonic() > end:
                return cpu
            time.sleep(0.02)

    def measure(self, tool, fn):
        """Run fn(); returns (wall s, client CPU s, server CPU s).  The
        server's orphans this step left are reaped and counted as its."""
        self.reap_orphans()
        root = tool.s.root()
        c0, s0, t0 = children_cpu(), tree_cpu(root), time.monotonic()
        fn()
        t1 = time.monotonic()
        adopted = self.reap_orphans()
        return (t1 - t0, children_cpu() - c0 - adopted,
                tree_cpu(root) - s0 + adopted)

    def put(self, key, tool, value):
        self.res[key].setdefault(tool.name, []).append(value)

    def put_rate(self, tool, keys, wall, cpu_c, cpu_s, nbytes):
        self.put(keys[0], tool, nbytes / wall / 1e6)
        self.put(keys[1], tool, cpu_c * GIB / nbytes)
        self.put(keys[2], tool, cpu_s * GIB / nbytes)

    def expect(self, path, size):
        got = path.stat().st_size if path.exists() else None
        if got != size:
            raise BenchError(f"{path}: {got} bytes, want {size}")

    def clear(self, tool):
        """Empty the server's folder between steps (not measured)."""
        for p in tool.s.files.iterdir():
            if p.is_dir():
                shutil.rmtree(p)
            else:
                p.unlink()

    # -- workloads -----------------------------------------------------------
    def w_big(self, tool, r):
        name, size = f"big-{r}.bin", CFG["size_mb"] * MIB
        cost = self.measure(tool, lambda: self.runner.run(
            tool.up(self.big, name)))
        self.expect(tool.s.files / name, size)
        self.put_rate(tool, ("up", "up_c", "up_s"), *cost, size)
        if tool.durable_default:
            self.put("up_d", tool, size / cost[0] / 1e6)
        elif (cmd := tool.up_durable(self.big, name + ".d")) is not None:
            wall = self.measure(tool, lambda: self.runner.run(cmd))[0]
            self.expect(tool.s.files / (name + ".d"), size)
            self.put("up_d", tool, size / wall / 1e6)
        dest = self.down / name
        cost = self.measure(tool, lambda: self.runner.run(
            tool.down(name, dest)))
        self.expect(dest, size)
        self.put_rate(tool, ("down", "down_c", "down_s"), *cost, size)
        dest.unlink()
        self.clear(tool)

    def w_conc(self, tool, r):
        n, size = CFG["conc"], CFG["conc_mb"] * MIB
        names = [f"conc-{r}-{i}.bin" for i in range(n)]
        cost = self.measure(tool, lambda: self.runner.run_all(
            [tool.up(self.mid, x) for x in names]))
        for x in names:
            self.expect(tool.s.files / x, size)
        self.put_rate(tool, ("conc", "conc_c", "conc_s"), *cost, n * size)
        self.clear(tool)

    def w_small(self, tool, r):
        n = len(self.small_names)
        for durable in (False, True):
            cmd = tool.many(self.small, self.small_names, f"small-{r}",
                            durable)
            if cmd is None or (durable and tool.durable_default):
                continue
            sub = tool.s.mkdir(f"small-{r}")
            wall, cpu_c, cpu_s = self.measure(
                tool, lambda: self.runner.run(cmd))
            got = len(list(sub.iterdir()))
            if got != n:
                raise BenchError(f"{tool.name}: {got} of {n} small files")
            self.clear(tool)
            self.put("small_d" if durable else "small", tool, n / wall)
            if durable:
                continue
            if tool.durable_default:
                self.put("small_d", tool, n / wall)
            self.put("small_c", tool, cpu_c * 1000 / n)
            self.put("small_s", tool, cpu_s * 1000 / n)

    def w_sess(self, tool, r):
        n = CFG["sessions"]

        def go():
            for i in range(n):
                self.runner.run(tool.session(self.one, f"s-{r}-{i}.bin"))
        wall, cpu_c, cpu_s = self.measure(tool, go)
        self.expect(tool.s.files / f"s-{r}-{n - 1}.bin", KIB)
        self.put("sess", tool, n / wall)
        self.put("sess_c", tool, cpu_c * 1000 / n)
        self.put("sess_s", tool, cpu_s * 1000 / n)
        self.clear(tool)

    def w_idle(self, tool, r):
        n, root = CFG["idle"], tool.s.root()
        tool.base_procs = len(tree(root))
        rest = pss(tree(root))
        if rest is not None:
            self.put("rest", tool, rest)
        h = tool.idle_open(n)
        if h is None:
            return
        self.handles.append((tool, h))
        time.sleep(1)
        serving = session_procs(root, tool.s.port)
        used = pss(serving)
        self.handles.remove((tool, h))
        tool.idle_close(h)
        if len(serving) < n or used is None:  # not dumpable, not root
            say(f"bench-compare: {tool.name}: only {len(serving)} processes"
                f" seen serving {n} idle sessions; no Pss figure")
            return
        self.put("idle", tool, used / n)
        # Let the server finish with the closed sessions before the next.
        end = time.monotonic() + 10
        while (len(tree(root)) > tool.base_procs
               and time.monotonic() < end):
            time.sleep(0.05)

    def run(self):
        work = [("big", self.w_big), ("conc", self.w_conc),
                ("small", self.w_small), ("sess", self.w_sess),
                ("idle", self.w_idle)]
        want = os.environ.get("BENCH_WORK", "")
        if want:
            pick = want.split(",")
            work = [w for w in work if w[0] in pick]
            if not work:
                raise BenchError(f"BENCH_WORK={want}: choose from "
                                 "big,conc,small,sess,idle")
        for r in range(1, CFG["rounds"] + 1):
            for label, fn in work:
                for tool in self.tools:
                    say(f"bench-compare: round {r}/{CFG['rounds']}: "
                        f"{label}: {tool.name}")
                    fn(tool, r)


def exe_of(pid):
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return None


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


# -- the report --------------------------------------------------------------

def fmt(v):
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def cell(vals):
    if not vals:
        return ""
    m = fmt(statistics.median(vals))
    if len(vals) == 1:
        return m
    return f"{m} ({fmt(min(vals))}-{fmt(max(vals))})"


def ratio(row, better):
    """ftpd's median over the best other tool's median, and that tool."""
    meds = {t: statistics.median(v) for t, v in row.items() if v}
    if "ftpd" not in meds:
        return ""
    others = {t: m for t, m in meds.items() if t != "ftpd"}
    if not others:
        return ""
    pick = max if better > 0 else min
    best = pick(others, key=others.get)
    if others[best] == 0:
        return f"- ({best} 0)"
    return f"{meds['ftpd'] / others[best]:.2f}x {best}"


def version(argv):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=10,
                           stdin=subprocess.DEVNULL)
    except OSError:
        return "?"
    return r.stdout.strip() or "?"


def report(bench):
    sub = {"size": f"{CFG['size_mb']} MiB", "conc": CFG["conc"],
           "conc_mb": CFG["conc_mb"], "files": f"{CFG['files']:,}",
           "idle": CFG["idle"]}
    tools = bench.tools
    head = ["work"] + [t.label for t in tools] + ["ftpd / best other"]
    print()
    print(f"bench-compare: {CFG['rounds']} rounds, interleaved; median "
          f"(min-max); MB = 10^6 B; loopback, {os.cpu_count()} CPUs")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for key, label, better in ROWS:
        row = bench.res[key]
        if not row:
            continue
        arrow = "higher" if better > 0 else "lower"
        cells = [cell(row.get(t.name, [])) for t in tools]
        print(f"| {label.format(**sub)} ({arrow} is better) | "
              + " | ".join(cells) + f" | {ratio(row, better)} |")
    print()
    print("notes:")
    print("- ftpd: ftpc put takes many files in one invocation and sends them"
          " in one session; every ftpd upload is fsynced before its reply,"
          " so its upload and small-files figures fill the fsync rows too"
          " (each transfer then waits for the disk; the others' plain rows"
          " do not).")
    print("- vsftpd: curl for single transfers and sessions, lftp mput for"
          " the small files (one control connection, one data connection"
          " per file); FTP without TLS, nothing fsynced.")
    print("- sftp: small files with put (no fsync) and put -f (fsync@openssh"
          ".com each file), the fsynced upload with put -f; scp -O: one scp"
          " for all the small files, no fsync mode; scp has no idle session"
          " of its own (same sshd).")
    print("- rsync: daemon with auth users; small files with rsync -r, and"
          " with --fsync for the fsync rows.")
    print("- CPU: client from getrusage of the client processes, server from"
          " /proc/PID/stat of the server's process tree (dead children"
          " included).  Pss (smaps_rollup) per idle session: the"
          " processes holding a session's connection, with their children,"
          " over the sessions (not the listener or spare workers, which"
          " the at-rest row shows).  ftpd's workers serve many sessions"
          " in turn (max_sessions), so theirs carries what earlier"
          " sessions left.")
    print("- orphans: the bench adopts its servers' orphans (child"
          " subreaper), e.g. vsftpd's unprivileged session process, and"
          " counts their CPU as the server's.")
    print("- ssh: OpenSSH's default key exchange and ed25519 keys; the"
          " cipher forced with -c.")
    print("- versions: " + "; ".join(
        [version([str(REPO / "ftpc"), "-V"])] + version(
            ["dpkg-query", "-W", "-f", "${Package} ${Version}\\n"]
            + list(PACKAGES)).splitlines()))


def main():
    names = [n.strip() for n in
             os.environ.get("BENCH_TOOLS", ",".join(ALL_TOOLS)).split(",")
             if n.strip()]
    bad = [n for n in names if n not in ALL_TOOLS]
    if bad or not names:
        sys.exit(f"bench-compare: BENCH_TOOLS: unknown {bad}; "
                 f"choose from {','.join(ALL_TOOLS)}")
    need = {"ftpd": [str(REPO / "ftpd"), str(REPO / "ftpc")],
            "vsftpd": ["/usr/sbin/vsftpd", "curl", "lftp"],
            "sftp": ["/usr/sbin/sshd", "sftp", "ssh-keygen"],
            "scp": ["/usr/sbin/sshd", "scp", "ssh-keygen"],
            "rsync": ["rsync"]}
    missing = sorted({b for n in names for b in need[n]
                      if shutil.which(b) is None})
    if missing:
        sys.exit(f"bench-compare: missing {' '.join(missing)} "
                 "(make all deps-bench)")

    def stop(signum, frame):
        raise SystemExit(128 + signum)
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, stop)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if ignored
    bench = Bench(names)
    try:
        become_subreaper()
        bench.start()
        bench.run()
        report(bench)
    except BenchError as e:
        say(f"bench-compare: {e}")
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        bench.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
