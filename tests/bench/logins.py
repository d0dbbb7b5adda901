#!/usr/bin/python3
"""logins.py (make bench-logins): logins per second for each method of
doc/PROTOCOL.md 4.4 against the real daemon, driven by the real ftpc:
secret (the shared secret), password (argon2id at the default cost,
pwhash_ops 2 and pwhash_mem 64M unless BENCH_PWHASH_MEM says otherwise)
and publickey (Ed25519).  Each login is a whole ftpc run: connect,
handshake, authenticate, list the home, goodbye.  Not a test: make check
does not run it.  It starts one daemon in a temporary folder on
127.0.0.1, runs BENCH_LOGINS (default 50) logins per method, interleaved
in rounds, prints medians per second and milliseconds per login, and
leaves nothing behind.
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "e2e"))

import helpers  # noqa: E402
from helpers import BIN, Server  # noqa: E402

N = int(os.environ.get("BENCH_LOGINS", "50"))
MEM = os.environ.get("BENCH_PWHASH_MEM", "64M")


def ftpd_user(srv, *args, password=None):
    argv = [str(BIN["ftpd"]), "-d", str(srv.dir)]
    argv += ["--stdin"] if password is not None else []
    argv += ["user", *args]
    subprocess.run(argv, input=(password + "\n") if password else None,
                   capture_output=True, text=True, env=srv.env(),
                   timeout=60, check=True,
                   stdin=None if password else subprocess.DEVNULL)


def setup(base):
    srv = Server(base, pwhash_mem=MEM, penalty_max=0)
    srv.start()
    pw = Path(base) / "pw"
    pw.write_text("correct horse\n")
    os.chmod(pw, 0o600)
    ftpd_user(srv, "add", "alice", password="correct horse")
    key = Path(base) / "id"
    r = subprocess.run([str(BIN["ftpc"]), "keygen", str(key)],
                       capture_output=True, text=True, env=srv.env(),
                       check=True)
    ftpd_user(srv, "add", "bob", "nopassword")
    ftpd_user(srv, "key", "add", "bob", r.stdout.strip())
    subprocess.run([str(BIN["ftpd"]), "-d", str(srv.dir), "reload"],
                   capture_output=True, env=srv.env(), timeout=60)
    head = ["-q", "-H", "127.0.0.1", "-p", str(srv.port)]
    return srv, {
        "secret": ["-k", str(srv.key), "ls"],
        "password": ["-u", "alice", "--password-file", str(pw),
                     "--accept-new", "ls"],
        "publickey": ["-u", "bob", "-i", str(key), "--accept-new", "ls"],
    }, head


def one(srv, head, args):
    t = time.monotonic()
    r = subprocess.run([str(BIN["ftpc"]), *head, *args], env=srv.env(),
                       capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        raise SystemExit(f"login failed: {args}: {r.stderr}")
    return time.monotonic() - t


def main():
    base = tempfile.mkdtemp(prefix="ftpd-logins.")
    os.chmod(base, 0o755)
    srv = None
    try:
        srv, methods, head = setup(base)
        times = {m: [] for m in methods}
        for _ in range(N):
            for m, args in methods.items():
                times[m].append(one(srv, head, args))
        print(f"logins per method: {N}, argon2id memory {MEM}")
        print(f"{'method':<10} {'logins/s':>9} {'ms/login':>9} "
              f"{'min-max ms':>13}")
        for m, v in times.items():
            med = statistics.median(v)
            print(f"{m:<10} {1 / med:9.1f} {med * 1000:9.1f} "
                  f"{min(v) * 1000:6.1f}-{max(v) * 1000:.1f}")
    finally:
        if srv is not None:
            srv.teardown()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
