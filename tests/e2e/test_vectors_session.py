"""Test vectors of doc/PROTOCOL.md section 6, reproduced by refclient.py
(PyNaCl and msgpack, written from the doc alone), byte for byte: the
handshake values, one data frame, one FINAL frame, a whole short session
from the client's side against a scripted server and from the server's side,
the encoding of a server hello with "lim"; then the real daemon's auth, stat
and bye replies, whose msgpack bodies must equal the vector's bodies.
tests/unit/test_vectors.c checks the same values through common/channel.h.
"""

import os
import socket
import struct

from nacl import bindings as nb

import refclient as rc

H = bytes.fromhex
SEQ = lambda start, n=32: bytes((start + i) & 0xff for i in range(n))  # noqa

CLIENT_SK, SERVER_SK, SECRET = SEQ(0x01), SEQ(0x41), SEQ(0x80)
CLIENT_HEADER, SERVER_HEADER = SEQ(0xa0, 24), SEQ(0xc0, 24)
CLIENT_PK = H("07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c")
SERVER_PK = H("64b101b1d0be5a8704bd078f9895001fc03e8e9f9522f188dd128d9846d48466")
PREFIX = H("83a570726f746fa466747064a17601a2706bc420")
T = H("c2b6a30548392118a299314e2057426be2e53572fd2d3f8aae5e2db8228293f4")
KX_C2S = H("229fa5a19c7e27f6cb1564fb8a650150d237cc1eac962cf42344b5428138ee3f")
KX_S2C = H("15dc283d949cc8b8ff3c5281f78f0480e4308815bfd070b8e733dd3277dcd5c1")
KEY_C2S = H("704ec9df9530d054eaeb38002bf04e2cb5cce19b8a9b2f0ea04b0dbd8257ba5e")
KEY_S2C = H("175c65d80dfeec799a90c9692c84992a0b81a43426abb705470b2a729a822c71")
DATA_FRAME = H("38e4c30b705522ddd9ed116ada353c3874d492745f1d24ca")
BYE_FINAL = H("3be72acc7349eeb5b3d8bfbd0590065694cd0c726dbe5f039177")
LIM_HELLO = b"\x84" + PREFIX[1:] + SERVER_PK + H(
    "a36c696d87a56672616d65ce00100040a466696c6500a567726163651ea469646c65"
    "cd012ca57374616c6c3ca3637075cd0258a46c697374cd03e8")
LIM = {"frame": 1048640, "file": 0, "grace": 30, "idle": 300, "stall": 60,
       "cpu": 600, "list": 1000}

# Section 6.4: (sender, FINAL, msgpack body, frame payload), in order.
SESSION = [
    ("c", False, H("82a26f70a461757468a66d6574686f64a6736563726574"),
     H("38e729cc7349e9b6bfc9ff6f2dacf8444d6299b7e05f640126ce2a019a24cacd55"
       "4e58b46381c89d02")),
    ("s", False, H("82a26f6bc3a6736572766572a8667470642f312e30"),
     H("51cc792808b7f8ed9fa0c282666599cd5565306519c5b934f51f8fb0a1c37265"
       "79c4b17adb634f")),
    ("c", False, H("82a26f70a473746174a470617468a5612e747874"),
     H("1104242db76fb40f062e6b5e22d3b28cb3954a19a884d379cf66aa4dac63d911"
       "9fd5240f5972")),
    ("s", False, H("85a26f6bc3a474797065a466696c65a473697a6505a46d6f6465cd01"
                   "a4a56d74696d65ce6553f100"),
     H("0e37940c091eabb005ac369b36b19fe29d126c5cbf2d2f089dbe5cfc71c52318"
       "b7298c49c2bdc1529c01a5c43ecb617e3907f246c627d4492488")),
    ("c", True, H("81a26f70a3627965"),
     H("3ad0d6edf0374d0a37f05b25216a1a3553ab7a4c12bfd8bd2171")),
    ("s", True, H("81a26f6bc3"),
     H("6bd9692a783f22541dbe35edef766721dfaed974c10605")),
]
MESSAGES = [{"op": "auth", "method": "secret"},
            {"ok": True, "server": "ftpd/1.0"},
            {"op": "stat", "path": "a.txt"},
            {"ok": True, "type": "file", "size": 5, "mode": 0o644,
             "mtime": 1700000000},
            {"op": "bye"}, {"ok": True}]


def frame(payload):
    return struct.pack(">I", len(payload)) + payload


def push(state, ftype, body, final=False):
    tag = rc.TAG_FINAL if final else rc.TAG_MESSAGE
    return nb.crypto_secretstream_xchacha20poly1305_push(
        state, bytes([ftype]) + body, None, tag)


def read_exact(sock, n):
    buf = b""
    while len(buf) < n:
        b = sock.recv(n - len(buf))
        assert b, "end of file"
        buf += b
    return buf


def test_handshake_values():
    assert nb.crypto_scalarmult_base(CLIENT_SK) == CLIENT_PK
    assert nb.crypto_scalarmult_base(SERVER_SK) == SERVER_PK
    assert rc.hello(CLIENT_PK) == PREFIX + CLIENT_PK
    assert rc.hello(SERVER_PK) == PREFIX + SERVER_PK
    t = rc.blake2b256(frame(rc.hello(CLIENT_PK)) + frame(rc.hello(SERVER_PK)))
    assert t == T
    rx, tx = nb.crypto_kx_client_session_keys(CLIENT_PK, CLIENT_SK, SERVER_PK)
    srx, stx = nb.crypto_kx_server_session_keys(SERVER_PK, SERVER_SK,
                                                CLIENT_PK)
    assert tx == srx == KX_C2S and rx == stx == KX_S2C
    assert rc.session_keys(SECRET, T, KX_C2S, KX_S2C) == (KEY_C2S, KEY_S2C)


def test_bodies_are_shortest_msgpack():
    for (_, _, body, _), m in zip(SESSION, MESSAGES):
        assert rc.pack(m) == body


def test_data_and_final_frames():
    assert push(rc.push_state(KEY_C2S, CLIENT_HEADER), rc.TYPE_DATA,
                b"hello\n") == DATA_FRAME
    assert push(rc.push_state(KEY_C2S, CLIENT_HEADER), rc.TYPE_MSG,
                rc.pack({"op": "bye"}), final=True) == BYE_FINAL
    # A pull state from the same header opens them.
    st = nb.crypto_secretstream_xchacha20poly1305_state()
    nb.crypto_secretstream_xchacha20poly1305_init_pull(st, CLIENT_HEADER,
                                                       KEY_C2S)
    p, tag = nb.crypto_secretstream_xchacha20poly1305_pull(st, DATA_FRAME)
    assert p == b"\x02hello\n" and tag == rc.TAG_MESSAGE


def test_session_server_side():
    """The server's frames from its push state; the client's opened."""
    tx = rc.push_state(KEY_S2C, SERVER_HEADER)
    rx = nb.crypto_secretstream_xchacha20poly1305_state()
    nb.crypto_secretstream_xchacha20poly1305_init_pull(rx, CLIENT_HEADER,
                                                       KEY_C2S)
    for who, final, body, payload in SESSION:
        if who == "s":
            assert push(tx, rc.TYPE_MSG, body, final) == payload
        else:
            p, tag = nb.crypto_secretstream_xchacha20poly1305_pull(rx,
                                                                   payload)
            assert p == b"\x01" + body
            assert tag == (rc.TAG_FINAL if final else rc.TAG_MESSAGE)


def test_session_client_side():
    """refclient itself, with the fixed key and header, against a scripted
    server: every byte it writes is the vector's."""
    a, b = socket.socketpair()
    a.settimeout(5)
    b.settimeout(5)
    try:
        b.sendall(frame(PREFIX + SERVER_PK) + frame(SERVER_HEADER))
        s = rc.Session(a).handshake(SECRET, sk=CLIENT_SK, header=CLIENT_HEADER)
        assert read_exact(b, 56) == frame(PREFIX + CLIENT_PK)
        assert read_exact(b, 28) == frame(CLIENT_HEADER)
        for (who, final, body, payload), m in zip(SESSION, MESSAGES):
            if who == "c":
                s.send_msg(m, final)
                assert read_exact(b, 4 + len(payload)) == frame(payload)
            else:
                b.sendall(frame(payload))
                assert s.recv_msg() == m
                assert s.peer_final == final
        b.shutdown(socket.SHUT_WR)
        assert a.recv(1) == b""                    # end of file after FINAL
    finally:
        a.close()
        b.close()


def test_lim_hello_encoding():
    h = rc.hello(SERVER_PK, LIM)
    assert h == LIM_HELLO and len(h) == 111 <= rc.HANDSHAKE_MAX
    s = rc.Session(None)
    assert s._server_hello(h)["pk"] == SERVER_PK
    assert s.limits == LIM
    s._server_hello(PREFIX + SERVER_PK)     # a hello without lim stays valid
    assert s.limits == {}


def test_daemon_bodies_match(server):
    """The real daemon's auth, stat and bye replies are the vector bodies."""
    p = server.remote("a.txt")
    p.write_bytes(b"hello")
    os.chmod(p, 0o644)
    os.utime(p, (1700000000, 1700000000))
    s = rc.connect("127.0.0.1", server.port, rc.read_key(server.key),
                   do_auth=False)
    try:
        for (who, final, body, _), m in zip(SESSION, MESSAGES):
            if who == "c":
                s.send_msg(m, final)
                continue
            t, got, tag = s.recv()
            assert t == rc.TYPE_MSG and got == body, rc.unpack(got)
            assert tag == (rc.TAG_FINAL if final else rc.TAG_MESSAGE)
        assert rc.wait_closed(s.sock, 3)
    finally:
        s.close()
