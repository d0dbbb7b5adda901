"""Write the seed corpora of the libFuzzer targets: tests/fuzz/corpus/<target>/.

What it is for: give each target valid inputs to start from (messages of
doc/PROTOCOL.md encoded as the peers send them, sample configs, client paths,
worker datagrams), so a short run reaches past the first checks.  Run it with
/usr/bin/python3 after a protocol or struct change and commit what it writes.
What it must not do: write anywhere but the corpus folder, or need more than
the standard library and python3-msgpack.
"""

import hashlib
import os
import shutil
import struct
import sys
from pathlib import Path

import msgpack

HERE = Path(__file__).resolve().parent
OUT = HERE / "corpus"
ROOT = HERE.parents[1]

REQUESTS = [
    {"op": "auth", "method": "secret"},
    {"op": "noop"},
    {"op": "stat", "path": "a.txt"},
    {"op": "stat", "path": "d/f", "alg": "xxh3-128"},
    {"op": "list", "path": "."},
    {"op": "delete", "path": "x"},
    {"op": "mkdir", "path": "d", "mode": 0o755},
    {"op": "rmdir", "path": "d"},
    {"op": "rename", "from": "a", "to": "b", "overwrite": True},
    {"op": "put", "path": "f", "size": 5, "mode": 0o644, "mtime": -1,
     "overwrite": False, "alg": "blake2b-256"},
    {"op": "get", "path": "f", "offset": 2, "alg": "xxh3-128"},
    {"op": "done", "digest": bytes(32)},
    {"op": "abort"},
    {"op": "bye"},
]

REPLIES = [
    {"ok": True},
    {"ok": True, "server": "ftpd/1.0"},
    {"ok": True, "type": "file", "size": 5, "mode": 420, "mtime": 1700000000},
    {"ok": True, "entries": [{"name": "a", "type": "dir", "size": 0,
                              "mode": 493, "mtime": 0}], "more": False},
    {"ok": True, "offset": 0, "alg": "xxh3-128"},
    {"ok": True, "size": 5, "digest": bytes(16)},
    {"ok": False, "code": 15, "err": "server_busy", "msg": "try later"},
]

HELLOS = [
    {"proto": "ftpd", "v": 1, "pk": bytes(range(32))},
    {"proto": "ftpd", "v": 1, "pk": bytes(range(32)),
     "suites": ["aes256gcm", "xchacha20poly1305"]},
    {"proto": "ftpd", "v": 1, "pk": bytes(32), "suite": "xchacha20poly1305",
     "digests": ["xxh3-128", "blake2b-256"],
     "lim": {"frame": 1048640, "list": 1000, "path": 4095}},
]

PATHS = [b"a", b"a/b", b"f", b"a/b/", b"./a//b", b"up/x", b"../x",
         b"a/back/outside", b"out/secret", b"abs/etc/passwd",
         b"a/loop/loop/b", b"a/b/deep", b".ftpd-put.x", b"a/.ftpd-put.y",
         b"\xc3\xa9t\xc3\xa9", b"x" * 255 + b"/y", b"a/" * 200 + b"f"]

CONFIGS = [
    b"listen = 127.0.0.1:2121\nworkers = 2\nmax_workers = 8\n",
    b"listen = [::1]:2121\nlisten = *:2122\nroot = files\n"
    b"key_file = secret.key\nuser = nobody\n",
    b"memory_limit = 64M\nmax_file_size = 1G\nopen_files = 64\n"
    b"overwrite = no\ndebug = yes\ndigests = xxh3-128, blake2b-256\n",
    b"; comment\n  login_grace = 5\nidle_timeout = 300\n"
    b"stall_timeout = 60\ncpu_seconds = 600\nqueue_len = 16\n"
    b"queue_wait_ms = 2000\nmax_per_ip = 3\nmax_sessions = 100\n",
    b"[section]\nworkers = 1\n",
    b"workers = 9\nmax_workers = 8\n",
]

UTF8 = [b"plain", "\u00e9\u4e2d\U0001f600".encode(), b"\xc0\xaf",
        b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x1b[31m\xc2\x85x\x7f"]


def frame(payload):
    return struct.pack(">I", len(payload)) + payload


def ipc(kind, body):
    """A worker's datagram (common/ipc.h: type, pad, union member), behind
    the target's first byte (bit 0: a descriptor rides along)."""
    return bytes([0]) + struct.pack("<II", kind, 0) + body


def ipc_seeds():
    log = struct.pack("<iI", 0, 12) + b"info: hello\n".ljust(1024, b"\0")
    state = (b"put".ljust(16, b"\0") + b"dir/file".ljust(256, b"\0")
             + b"secret".ljust(32, b"\0") + struct.pack("<QQq", 5, 10, 1))
    idle = struct.pack("<QQQqi", 1, 100, 200, 30, 0) + b"\0" * 4
    return [ipc(2, struct.pack("<Q", 1)), ipc(3, idle), ipc(4, log),
            ipc(5, state), bytes([1]) + struct.pack("<II", 2, 0)]


def seeds():
    msgs = [msgpack.packb(m) for m in REQUESTS + REPLIES + HELLOS]
    frames = [bytes([0]) + b"".join(frame(m) for m in msgs[:4]),
              bytes([0]) + frame(b"\x01") + struct.pack(">I", 1 << 30),
              bytes([2, 0, 0, len(msgs[1])]) + msgs[1],
              bytes([3]) + frame(msgpack.packb(HELLOS[2])),
              bytes([4]) + frame(msgpack.packb(HELLOS[1]))]
    conf = (ROOT / "etc/ftpd.conf").read_bytes()
    return {
        "fuzz_schema": msgs, "fuzz_msg": msgs, "fuzz_frame": frames,
        "fuzz_ipc": ipc_seeds(), "fuzz_path": PATHS,
        "fuzz_config": CONFIGS + [conf], "fuzz_utf8": UTF8 + PATHS[-4:],
    }


def main():
    for target, items in seeds().items():
        d = OUT / target
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
        for item in items:
            name = hashlib.sha1(item).hexdigest()
            (d / name).write_bytes(item)
        print(f"{d.relative_to(ROOT)}: {len(items)} seeds")
    return 0


if __name__ == "__main__":
    os.umask(0o022)
    sys.exit(main())
