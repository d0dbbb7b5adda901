"""accounts: shared steps of the test_accounts_*.py scenarios (issue 9).

What it is for: make a daemon whose accounts are set up through the real
`ftpd user` commands (passwords on standard input), and open sessions
without the shared secret with refclient.  What it must not do: write the
users file itself; every account goes through the command under test.
"""

import os
import subprocess

import refclient
from helpers import BIN

# A cheap argon2id cost keeps the suite quick; the cost does not change
# what is tested (same work for unknown and known names).
FAST = {"pwhash_ops": 1, "pwhash_mem": "8M", "penalty_max": 0}


def user(server, *args, password=None, check=True):
    """ftpd -d DIR [--stdin] user ARGS; password goes to standard input."""
    argv = [str(BIN["ftpd"]), "-d", str(server.dir)]
    if password is not None:
        argv.append("--stdin")
    argv += ["user", *args]
    r = subprocess.run(argv, input=(password + "\n") if password is not None
                       else None, capture_output=True, text=True,
                       env=server.env(), timeout=60,
                       stdin=None if password is not None
                       else subprocess.DEVNULL)
    if check:
        assert r.returncode == 0, f"ftpd user {args}: {r.returncode} {r.stderr}"
    return r


def seed_key(seed):
    """The base64 public key of a 32-byte Ed25519 seed, as users hold it."""
    import base64
    from nacl.signing import SigningKey
    return base64.b64encode(bytes(SigningKey(seed).verify_key)).decode()


def login(server, name, password, secret=None):
    """A nosecret session logged in with the password method."""
    s = refclient.connect_v2("127.0.0.1", server.port, secret=secret)
    r = s.auth_password(name, password)
    assert r.get("ok") is True, r
    return s


def fresh(make_server, **conf):
    """A daemon (not started) with the fast hash cost and conf."""
    c = dict(FAST)
    c.update(conf)
    return make_server(**c)


def random_bytes(n):
    return os.urandom(n)
