"""refclient: an independent client of protocol v1, written only from
doc/PROTOCOL.md with PyNaCl (libsodium) and msgpack.

What it is for: prove that the protocol document is enough to talk to the real
daemon, and send what ftpc never sends (raw paths, unknown operations,
malformed requests, truncated transfers).  What it must not do: share any code
or constant with the C implementation; every number here comes from the doc.

Use:
    s = connect("127.0.0.1", port)         # a Session, handshake done
    s.auth()                               # {"ok": True, ...}
    s.put("a.bin", data) ; s.get("a.bin") ; s.list(".") ; s.stat("a.bin")
    s.request({"op": ...})                 # any map, returns the reply map
    s.bye()

Test vectors (section 6): Session(sock).handshake(secret, sk=..., header=...)
uses a fixed ephemeral secret key and a fixed stream header instead of
random ones; push_state(key, header) is the note of section 6.1.
"""

import hashlib
import os
import socket
import struct
import time

import msgpack
from nacl import bindings as nb
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

FRAME_MAX = 1048640            # section 1: 1 MiB + 64
HANDSHAKE_MAX = 256            # section 1
HEADER_BYTES = nb.crypto_secretstream_xchacha20poly1305_HEADERBYTES  # 24
ABYTES = nb.crypto_secretstream_xchacha20poly1305_ABYTES            # 17
TAG_MESSAGE = nb.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE  # 0
TAG_FINAL = nb.crypto_secretstream_xchacha20poly1305_TAG_FINAL      # 3
TYPE_MSG, TYPE_DATA = 1, 2     # section 3
DATA_CHUNK = 256 * 1024        # section 3: senders use at most 1 MiB


class ProtocolError(Exception):
    """The peer broke the protocol, closed, or a frame failed to decrypt."""


class Refused(Exception):
    """The server sent an error map instead of its hello (section 2)."""

    def __init__(self, reply):
        super().__init__(f"refused: {reply}")
        self.reply = reply


def blake2b256(data, key=b""):
    """BLAKE2b-256, keyed when key is given (doc's notation)."""
    return hashlib.blake2b(data, digest_size=32, key=key).digest()


def read_key(path):
    """The key file: 64 lowercase hex digits and a newline (section 4.3)."""
    with open(path) as f:
        text = f.read()
    return bytes.fromhex(text.strip())


def push_state(key, header):
    """A secretstream push state for a given 24-byte header (section 6.1):
    init_pull derives the same state init_push would have derived from that
    header (k = HChaCha20(key, header[0..16]), counter 1, nonce
    header[16..24]), and push works on it."""
    st = nb.crypto_secretstream_xchacha20poly1305_state()
    nb.crypto_secretstream_xchacha20poly1305_init_pull(st, header, key)
    return st


def hello(pk, lim=None):
    """A hello payload (section 2): proto, v, pk, then lim when given."""
    m = {"proto": "ftpd", "v": 1, "pk": pk}
    if lim is not None:
        m["lim"] = lim
    return pack(m)


def session_keys(secret, t, kx_c2s, kx_s2c):
    """key_c2s, key_s2c from S, the crypto_kx keys and T (section 2.2)."""
    return (blake2b256(b"ftpd v1 c2s" + kx_c2s + t, key=secret),
            blake2b256(b"ftpd v1 s2c" + kx_s2c + t, key=secret))


def pack(obj):
    return msgpack.packb(obj, use_bin_type=True)


def unpack(b):
    return msgpack.unpackb(b, raw=False, unicode_errors="surrogateescape",
                           strict_map_key=False)


class Session:
    """One connection: frames, handshake, secure messages."""

    def __init__(self, sock):
        self.sock = sock
        self.tx = None
        self.rx = None
        self.peer_final = False
        self.server_hello = None
        self.limits = {}

    # -- section 1: frames ---------------------------------------------
    def _recv_exact(self, n):
        buf = bytearray()
        while len(buf) < n:
            b = self.sock.recv(n - len(buf))
            if not b:
                raise ProtocolError(f"end of file after {len(buf)}/{n} bytes")
            buf += b
        return bytes(buf)

    def send_frame(self, payload):
        self.sock.sendall(struct.pack(">I", len(payload)) + payload)

    def recv_frame(self, maximum=FRAME_MAX):
        hdr = self._recv_exact(4)
        (n,) = struct.unpack(">I", hdr)
        if n == 0 or n > maximum:
            raise ProtocolError(f"frame length {n} (max {maximum})")
        return hdr, self._recv_exact(n)

    # -- section 2: handshake ------------------------------------------
    def handshake(self, secret, sk=None, header=None):
        """Section 2.  sk and header fix the ephemeral secret key and our
        stream header (test vectors); by default both are random."""
        if sk is None:
            pk, sk = nb.crypto_kx_keypair()
        else:
            pk = nb.crypto_scalarmult_base(sk)
        mine = hello(pk)
        chello = struct.pack(">I", len(mine)) + mine
        self.sock.sendall(chello)
        hdr, payload = self.recv_frame(HANDSHAKE_MAX)
        m = self._server_hello(payload)
        t = blake2b256(chello + hdr + payload)
        rx, tx = nb.crypto_kx_client_session_keys(pk, sk, m["pk"])
        key_c2s, key_s2c = session_keys(secret, t, tx, rx)
        self._headers(key_c2s, key_s2c, header)
        return self

    def _headers(self, key_c2s, key_s2c, header=None):
        """Section 2.3: the stream headers, ours (random, or header)
        first, then the server's."""
        if header is None:
            self.tx = nb.crypto_secretstream_xchacha20poly1305_state()
            header = nb.crypto_secretstream_xchacha20poly1305_init_push(
                self.tx, key_c2s)
        else:
            self.tx = push_state(key_c2s, header)
        # Section 2.3: our header goes out before we wait for the server's.
        self.send_frame(header)
        _, sheader = self.recv_frame(HANDSHAKE_MAX)
        if len(sheader) != HEADER_BYTES:
            raise ProtocolError(f"stream header of {len(sheader)} bytes")
        self.rx = nb.crypto_secretstream_xchacha20poly1305_state()
        nb.crypto_secretstream_xchacha20poly1305_init_pull(
            self.rx, sheader, key_s2c)

    def handshake_v2(self, secret=None, suites=("xchacha20poly1305",)):
        """Sections 2, 2.2 and 2.6 with "suites": with secret None a
        "nosecret" session (keys without S).  Only xchacha20poly1305 is
        spoken here.  When the server names a host key ("hk") its
        "hostsig" frame is read and checked before anything else is sent;
        self.hk and self.t keep the key and T (for publickey)."""
        pk, sk = nb.crypto_kx_keypair()
        m = {"proto": "ftpd", "v": 1, "pk": pk, "suites": list(suites)}
        if secret is None:
            m["nosecret"] = True
        mine = pack(m)
        chello = struct.pack(">I", len(mine)) + mine
        self.sock.sendall(chello)
        hdr, payload = self.recv_frame(HANDSHAKE_MAX)
        sm = self._server_hello(payload)
        if sm.get("suite") != "xchacha20poly1305":
            raise ProtocolError(f"suite {sm.get('suite')!r}")
        self.t = blake2b256(chello + hdr + payload)
        rx, tx = nb.crypto_kx_client_session_keys(pk, sk, sm["pk"])
        if secret is None:
            key_c2s = blake2b256(b"ftpd v1 c2s" + tx + self.t)
            key_s2c = blake2b256(b"ftpd v1 s2c" + rx + self.t)
        else:
            key_c2s, key_s2c = session_keys(secret, self.t, tx, rx)
        self._headers(key_c2s, key_s2c)
        self.hk = sm.get("hk")
        if self.hk is None:
            if secret is None:
                raise ProtocolError("nosecret session without a host key")
            return self
        sig = self.recv_msg()
        if sig.get("op") != "hostsig":
            raise ProtocolError(f"first frame is not hostsig: {sig}")
        try:
            VerifyKey(self.hk).verify(b"ftpd v1 host signature" + self.t,
                                      sig["sig"])
        except BadSignatureError as e:
            raise ProtocolError("host signature does not verify") from e
        return self

    def _server_hello(self, payload):
        """Check the server hello (or refusal); keeps it and its limits."""
        try:
            m = unpack(payload)
        except Exception as e:
            raise ProtocolError(f"server hello is not msgpack: {e}") from e
        if not isinstance(m, dict):
            raise ProtocolError("server hello is not a map")
        if m.get("ok") is False:
            raise Refused(m)
        if m.get("proto") != "ftpd" or m.get("v") != 1:
            raise ProtocolError(f"bad server hello {m}")
        spk = m.get("pk")
        if not isinstance(spk, bytes) or len(spk) != 32:
            raise ProtocolError("bad server pk")
        self.server_hello = payload
        # Section 2: lim is optional; unknown keys in it are ignored.
        lim = m.get("lim")
        self.limits = lim if isinstance(lim, dict) else {}
        return m

    # -- section 3: secure frames --------------------------------------
    def send(self, ftype, body, final=False):
        c = nb.crypto_secretstream_xchacha20poly1305_push(
            self.tx, bytes([ftype]) + body, None,
            TAG_FINAL if final else TAG_MESSAGE)
        self.send_frame(c)

    def send_msg(self, m, final=False):
        self.send(TYPE_MSG, pack(m), final)

    def send_data(self, data):
        self.send(TYPE_DATA, data)

    def recv(self):
        """One secure frame: (type, body, tag)."""
        if self.peer_final:
            raise ProtocolError("read after the peer's FINAL frame")
        _, c = self.recv_frame()
        try:
            p, tag = nb.crypto_secretstream_xchacha20poly1305_pull(self.rx, c)
        except Exception as e:
            raise ProtocolError(f"decryption failed: {e}") from e
        if not p or p[0] not in (TYPE_MSG, TYPE_DATA):
            raise ProtocolError("empty plaintext or unknown frame type")
        if tag == TAG_FINAL:
            self.peer_final = True
        return p[0], p[1:], tag

    def recv_msg(self):
        t, body, _ = self.recv()
        if t != TYPE_MSG:
            raise ProtocolError("data frame where a message was expected")
        m = unpack(body)
        if not isinstance(m, dict) or not isinstance(m.get("ok", True), bool):
            raise ProtocolError(f"bad message {m!r}")
        return m

    # -- section 4: requests -------------------------------------------
    def request(self, m, final=False):
        self.send_msg(m, final)
        return self.recv_msg()

    def request_raw(self, body):
        """Send arbitrary bytes as a message frame body; returns the reply."""
        self.send(TYPE_MSG, body)
        return self.recv_msg()

    def auth(self, method="secret"):
        return self.request({"op": "auth", "method": method})

    def auth_password(self, user, password):
        """Section 4.4, method password (after handshake_v2)."""
        return self.request({"op": "auth", "method": "password",
                             "user": user, "password": password})

    def auth_publickey(self, user, seed, t=None):
        """Section 4.4, method publickey: seed is the 32-byte Ed25519
        seed; the signature covers T (or t, to try a replay)."""
        key = SigningKey(seed)
        msg = b"ftpd v1 user signature" + (t or self.t) + user.encode()
        return self.request({"op": "auth", "method": "publickey",
                             "user": user,
                             "pk": bytes(key.verify_key),
                             "sig": key.sign(msg).signature})

    def noop(self):
        return self.request({"op": "noop"})

    def stat(self, path):
        return self.request({"op": "stat", "path": path})

    def list(self, path="."):
        """All entries, reading parts until more is false; or an error map."""
        self.send_msg({"op": "list", "path": path})
        entries = []
        while True:
            r = self.recv_msg()
            if not r.get("ok"):
                return r
            entries += r["entries"]
            if not r.get("more"):
                return {"ok": True, "entries": entries}

    def put_begin(self, path, size, mode=0o644, mtime=None, **extra):
        m = {"op": "put", "path": path, "size": size, "mode": mode,
             "mtime": int(time.time() if mtime is None else mtime)}
        m.update(extra)
        return self.request(m)

    def put_data(self, data):
        for i in range(0, len(data), DATA_CHUNK):
            self.send_data(data[i:i + DATA_CHUNK])

    def put_done(self, digest):
        return self.request({"op": "done", "digest": digest})

    def put(self, path, data, mode=0o644, mtime=None, **extra):
        """Whole upload; returns the final reply (or the refusal)."""
        r = self.put_begin(path, len(data), mode, mtime, **extra)
        if not r.get("ok"):
            return r
        if r.get("offset") != 0:
            raise ProtocolError(f"v1 server answered offset {r.get('offset')}")
        self.put_data(data)
        return self.put_done(blake2b256(data))

    def get(self, path, offset=0):
        """Returns (reply, data, done) where done is the closing message (or
        an error map if the server failed midway); data holds the bytes."""
        m = {"op": "get", "path": path}
        if offset:
            m["offset"] = offset
        r = self.request(m)
        if not r.get("ok"):
            return r, b"", None
        want = r["size"] - r["offset"]
        buf = bytearray()
        while len(buf) < want:
            t, body, _ = self.recv()
            if t == TYPE_MSG:
                return r, bytes(buf), unpack(body)
            buf += body
            if len(buf) > want:
                raise ProtocolError("more data than announced")
        done = self.recv_msg()
        return r, bytes(buf), done

    def bye(self):
        """Orderly close: our FINAL, the server's FINAL reply, then EOF."""
        r = self.request({"op": "bye"}, final=True)
        if not self.peer_final:
            raise ProtocolError("bye reply without FINAL tag")
        return r

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def connect(host, port, secret=None, timeout=30, do_auth=True):
    """TCP connect, handshake (when secret is given) and auth."""
    sock = socket.create_connection((host, port), timeout=timeout)
    # Small frames back to back (stream header, then auth): without
    # TCP_NODELAY, Nagle holds the second until the peer's delayed ACK.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s = Session(sock)
    if secret is None:
        return s
    try:
        s.handshake(secret)
        if do_auth:
            r = s.auth()
            if not r.get("ok"):
                raise ProtocolError(f"auth refused: {r}")
    except BaseException:
        s.close()
        raise
    return s


def connect_v2(host, port, secret=None, timeout=30):
    """TCP connect and handshake_v2 (a nosecret session without secret);
    no auth."""
    sock = socket.create_connection((host, port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s = Session(sock)
    try:
        s.handshake_v2(secret)
    except BaseException:
        s.close()
        raise
    return s


def wait_closed(sock, timeout):
    """Read until the peer closes; True if it did within timeout seconds."""
    end = time.monotonic() + timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return False
        sock.settimeout(left)
        try:
            b = sock.recv(65536)
        except socket.timeout:
            return False
        except (ConnectionResetError, BrokenPipeError):
            return True
        if not b:
            return True


def random_bytes(n):
    return os.urandom(n)
