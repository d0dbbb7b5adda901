"""Soak benchmark: many concurrent ftpc clients against one daemon for minutes.

What it is for: `make soak` (SOAK_MINUTES, default 10; SOAK_CLIENTS, default
200).  It starts ./ftpd (or $FTPD_BIN_DIR/ftpd, as the e2e suite does) in a
temporary folder on 127.0.0.1 and runs that many client loops at once, each
doing a random mix of put, get, ls and mv on files of random sizes in its own
remote folder and checking every result against
what it knows it stored: ftpc verifies each get's whole-file digest, and the
soak compares the downloaded bytes, the listings and, at the end, every file
in the served root.  Every few seconds it samples the resident memory (VmRSS
in /proc) of the master and its workers and prints one line per minute, so a
leak shows as a curve that climbs.  It is a benchmark, not a test: `make
check` does not run it.  It prints "errors: N" and exits 1 if N > 0.

What it must not do: bind anything but 127.0.0.1, wait without a bound,
signal any process but the daemon it started (its pidfile's master and that
master's children) and its own ftpc children, or leave a file behind.
"""

import argparse
import hashlib
import os
import pwd
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.dont_write_bytecode = True
sys.path.insert(0, str(REPO / "tests/e2e"))
import helpers  # noqa: E402  free_port, children, BIN ($FTPD_BIN_DIR)

OP_TIMEOUT = 120  # seconds one ftpc run may take
FILES_PER_CLIENT = 6
SAMPLE_EVERY = 5  # seconds between RSS samples


def rss_kib(pid):
    """VmRSS of pid in KiB, or None if it is gone."""
    v = helpers.proc_status_field(pid, "VmRSS")
    return int(v.split()[0]) if v else None


def size_choice(rng):
    """Mostly small files, some medium, a few of a few MiB."""
    r = rng.random()
    if r < 0.70:
        return rng.randrange(0, 16 << 10)
    if r < 0.95:
        return rng.randrange(16 << 10, 256 << 10)
    return rng.randrange(1 << 20, 3 << 20)


class Daemon:
    """./ftpd -d DIR in a folder of the soak's temporary folder."""

    def __init__(self, base, clients):
        self.dir = base / "srv"
        self.dir.mkdir()
        self.files = self.dir / "files"
        self.files.mkdir()
        self.port = helpers.free_port()
        self.key = self.dir / "secret.key"
        self.pidfile = self.dir / "ftpd.pid"
        self.master = None
        self.seen = set()  # every pid of ours, for the final check
        self.env = dict(os.environ, HOME=str(base), LC_ALL="C",
                        XDG_CONFIG_HOME=str(base / "cfg"),
                        XDG_DATA_HOME=str(base / "data"),
                        XDG_STATE_HOME=str(base / "state"))
        for k in [k for k in self.env if k.startswith("FTPC_")]:
            del self.env[k]
        conf = [f"listen = 127.0.0.1:{self.port}", "workers = 16",
                f"max_workers = {min(1024, clients + 16)}",
                "queue_len = 256", "queue_wait_ms = 10000",
                "shutdown_timeout = 10"]
        if os.geteuid() == 0:
            conf.append("user = nobody")
            nobody = pwd.getpwnam("nobody")
            os.chown(self.files, nobody.pw_uid, nobody.pw_gid)
            os.chmod(base, 0o755)
        (self.dir / "ftpd.conf").write_text("\n".join(conf) + "\n")
        self.run("keygen")

    def run(self, *args, timeout=60):
        r = subprocess.run([str(helpers.BIN["ftpd"]), "-d", str(self.dir), *args],
                           stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, env=self.env, timeout=timeout)
        if r.returncode != 0:
            raise RuntimeError(f"ftpd {' '.join(args)}: exit {r.returncode}:"
                               f" {r.stderr.strip()}")
        return r

    def start(self):
        self.run("start")
        self.master = int(self.pidfile.read_text().split()[0])
        self.seen.add(self.master)

    def workers(self):
        w = helpers.children(self.master) if self.master else []
        self.seen.update(w)
        return w

    def stop(self):
        """ftpd stop, then SIGKILL for any pid of ours still alive."""
        if self.master is None:
            return
        self.workers()
        try:
            self.run("stop", timeout=60)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            print(f"soak: {e}", file=sys.stderr)
        end = time.monotonic() + 15
        while time.monotonic() < end and any(map(self.ours, self.seen)):
            time.sleep(0.1)
        for p in self.seen:
            if self.ours(p):
                os.kill(p, signal.SIGKILL)
        self.master = None

    @staticmethod
    def ours(pid):
        """pid is alive and still runs our ./ftpd (not a reused pid)."""
        try:
            return os.readlink(f"/proc/{pid}/exe") == str(helpers.BIN["ftpd"]) \
                and rss_kib(pid) is not None
        except OSError:
            return False


class Client:
    """One loop of ftpc runs in the remote folder cN, with its own model."""

    def __init__(self, soak, n):
        self.soak = soak
        self.n = n
        self.rng = random.Random(n)
        self.local = soak.base / "local" / f"c{n}"
        self.local.mkdir(parents=True)
        self.remote = f"c{n}"
        self.model = {}  # remote name -> sha256 hex
        self.seq = 0

    def ftpc(self, *args):
        d = self.soak.daemon
        argv = [str(helpers.BIN["ftpc"]), "-q", "-H", "127.0.0.1", "-p",
                str(d.port), "-k", str(d.key), *map(str, args)]
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=d.env, cwd=self.local)
        try:
            out, err = p.communicate(timeout=OP_TIMEOUT)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            return 124, "", "timed out"
        return p.returncode, out.decode(errors="replace"), \
            err.decode(errors="replace")

    def check(self, what, ok, detail=""):
        self.soak.count(what, ok, f"c{self.n} {what}: {detail}")

    def put(self):
        if len(self.model) >= FILES_PER_CLIENT:
            name = self.rng.choice(sorted(self.model))  # replaced
        else:
            self.seq += 1
            name = f"f{self.seq}"
        data = self.rng.randbytes(size_choice(self.rng))
        src = self.local / name
        src.write_bytes(data)
        rc, _, err = self.ftpc("put", src, f"{self.remote}/{name}")
        src.unlink()
        if rc == 0:
            self.model[name] = hashlib.sha256(data).hexdigest()
        self.check("put", rc == 0, f"exit {rc}: {err.strip()}")

    def get(self):
        if not self.model:
            return self.put()
        name = self.rng.choice(sorted(self.model))
        dst = self.local / name
        rc, _, err = self.ftpc("get", f"{self.remote}/{name}", self.local)
        good = rc == 0 and dst.exists() and \
            hashlib.sha256(dst.read_bytes()).hexdigest() == self.model[name]
        if dst.exists():
            dst.unlink()
        self.check("get", good, f"exit {rc}: {err.strip()}" if rc
                   else "content differs from what was put")

    def ls(self):
        rc, out, err = self.ftpc("ls", self.remote)
        names = {line.split()[-1] for line in out.splitlines() if line.split()}
        self.check("ls", rc == 0 and names == set(self.model),
                   f"exit {rc}: {err.strip()}" if rc else
                   f"listed {sorted(names)}, expected {sorted(self.model)}")

    def mv(self):
        if not self.model:
            return self.put()
        old = self.rng.choice(sorted(self.model))
        self.seq += 1
        new = f"f{self.seq}"
        rc, _, err = self.ftpc("mv", f"{self.remote}/{old}",
                               f"{self.remote}/{new}")
        if rc == 0:
            self.model[new] = self.model.pop(old)
        self.check("mv", rc == 0, f"exit {rc}: {err.strip()}")

    def loop(self):
        rc, _, err = self.ftpc("mkdir", self.remote)
        self.check("mkdir", rc == 0, f"exit {rc}: {err.strip()}")
        ops = [self.put] * 3 + [self.get] * 3 + [self.ls, self.mv]
        while not self.soak.stopping.is_set():
            self.rng.choice(ops)()


class Soak:
    def __init__(self, args):
        self.args = args
        self.base = Path(tempfile.mkdtemp(prefix="ftpd-soak."))
        self.daemon = None
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.ops = {}
        self.errors = 0
        self.first_errors = []
        self.samples = []  # (seconds, master KiB, [worker KiB], ops, errors)

    def count(self, what, ok, detail):
        with self.lock:
            self.ops[what] = self.ops.get(what, 0) + 1
            if not ok:
                self.errors += 1
                if len(self.first_errors) < 10:
                    self.first_errors.append(detail)

    def sample(self, t0):
        w = self.daemon.workers()
        rss = [r for r in map(rss_kib, w) if r is not None]
        with self.lock:
            ops = sum(self.ops.values())
            self.samples.append((time.monotonic() - t0,
                                 rss_kib(self.daemon.master), rss, ops,
                                 self.errors))

    def run(self):
        self.daemon = Daemon(self.base, self.args.clients)
        self.daemon.start()
        clients = [Client(self, i) for i in range(self.args.clients)]
        threads = [threading.Thread(target=c.loop, daemon=True)
                   for c in clients]
        t0 = time.monotonic()
        self.sample(t0)
        for t in threads:
            t.start()
        end = t0 + self.args.minutes * 60
        while time.monotonic() < end:
            time.sleep(min(SAMPLE_EVERY, max(0.0, end - time.monotonic())))
            self.sample(t0)
        self.stopping.set()
        for t in threads:
            t.join(OP_TIMEOUT + 10)
        self.final_check(clients)
        return clients

    def final_check(self, clients):
        """The served root holds exactly what the clients' models say."""
        for c in clients:
            d = self.daemon.files / c.remote
            names = {p.name for p in d.iterdir()} if d.is_dir() else set()
            good = names == set(c.model) and all(
                hashlib.sha256((d / n).read_bytes()).hexdigest() == h
                for n, h in c.model.items())
            self.count("final", good, f"{c.remote}: served root differs")

    def report(self):
        print(f"soak: {self.args.clients} clients, {self.args.minutes} min,"
              f" 127.0.0.1:{self.daemon.port}")
        print("minute  master_rss_kib  workers  worker_rss_kib_mean"
              "  worker_rss_kib_max  ops  errors")
        shown = set()
        for t, m, w, ops, errs in self.samples:
            minute = int(t // 60 + 0.5)
            if abs(t - minute * 60) > SAMPLE_EVERY or minute in shown:
                continue
            shown.add(minute)
            mean = sum(w) // len(w) if w else 0
            print(f"{minute:6d}  {m or 0:14d}  {len(w):7d}  {mean:19d}"
                  f"  {max(w, default=0):18d}  {ops:3d}  {errs:6d}")
        ms = [s[1] for s in self.samples if s[1] and s[0] >= 60] or \
            [s[1] for s in self.samples if s[1]]
        if ms:
            print(f"master RSS after the first minute: min {min(ms)} KiB,"
                  f" max {max(ms)} KiB, last {ms[-1]} KiB")
        for k in sorted(self.ops):
            print(f"  {k}: {self.ops[k]}")
        for e in self.first_errors:
            print(f"  error: {e}")
        print(f"errors: {self.errors}")

    def cleanup(self):
        self.stopping.set()
        if self.daemon is not None:
            self.daemon.stop()
        shutil.rmtree(self.base, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float,
                    default=float(os.environ.get("SOAK_MINUTES") or 10))
    ap.add_argument("--clients", type=int,
                    default=int(os.environ.get("SOAK_CLIENTS") or 200))
    args = ap.parse_args()
    for b in helpers.BIN.values():
        if not b.exists():
            sys.exit(f"soak: {b} not built: run 'make all'")

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    soak = Soak(args)
    try:
        soak.run()
    except KeyboardInterrupt:
        print("soak: interrupted", file=sys.stderr)
        soak.errors += 1
    finally:
        soak.cleanup()
    if soak.daemon is not None:
        soak.report()
    return 1 if soak.errors else 0


if __name__ == "__main__":
    sys.exit(main())
