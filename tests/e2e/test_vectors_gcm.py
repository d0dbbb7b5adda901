"""The aes256gcm vectors of doc/PROTOCOL.md section 6.6, recomputed from the
spec alone with PyNaCl (X25519, crypto_kx, BLAKE2b through hashlib) and
Python's cryptography package (AES-GCM): a second implementation of the
suite, independent of common/gcm.c (tests/unit/test_vectors_gcm.c checks
the C side against the same bytes)."""

import hashlib
import struct

import msgpack
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from nacl.bindings import crypto_kx_client_session_keys, crypto_scalarmult_base

CLIENT_HELLO = ("84a570726f746fa466747064a17601a2706bc420"
                "07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c"
                "a673756974657392a961657332353667636db1786368616368613230706f6c"
                "7931333035")
SERVER_HELLO = ("84a570726f746fa466747064a17601a2706bc420"
                "64b101b1d0be5a8704bd078f9895001fc03e8e9f9522f188dd128d9846d48466"
                "a57375697465a961657332353667636d")
T = "2873d70130c94ac2650e71abe93164989394731c0ba86b65d1c3099da7959f03"
KEY_C2S = "15d3d399e8a06b49f15bbce10f46f0fb63be5553b46049c3c2bc9a2f1a197742"
KEY_S2C = "e96a3117205afc8ba68788b37dfbf6bf0cc6038d8e807928cfdf0162ee1938f8"
# (direction, counter, flag, plaintext, payload)
FRAMES = [
    ("c2s", 0, 0, "01" "82a26f70a461757468a66d6574686f64a6736563726574",
     "00c4abb9d71c66d5858826a63a1ae76130539dd25ca67ea1a9a6200df62ed75bc4f2"
     "121f2e8d48b086"),
    ("s2c", 0, 0, "01" "81a26f6bc3",
     "0017e7a2ca89e65ef971378367fbd09f3e9a5574009671"),
    ("c2s", 1, 0, "02" "68656c6c6f",
     "0020fa70b4b58092ae52ec18ee37825268e9fdb927fd58"),
    ("c2s", 2, 3, "01" "81a26f70a3627965",
     "031cefc3a058953c80eb87f41324e61da8718554223103b6066a"),
    ("s2c", 1, 3, "01" "81a26f6bc3",
     "039d09c565cb85ce6433f55c689182687016704433abd8"),
]
REKEYED_C2S = "114d1defe07d86775db1cec832079499f5fc959238947d44539dc01aea30c832"


def frame(payload):
    return struct.pack(">I", len(payload)) + payload


def test_gcm_vectors():
    csk, ssk = bytes(range(1, 33)), bytes(range(0x41, 0x61))
    secret = bytes(range(0x80, 0xa0))
    cpk, spk = crypto_scalarmult_base(csk), crypto_scalarmult_base(ssk)
    ch = msgpack.packb({"proto": "ftpd", "v": 1, "pk": cpk,
                        "suites": ["aes256gcm", "xchacha20poly1305"]},
                       use_bin_type=True)
    sh = msgpack.packb({"proto": "ftpd", "v": 1, "pk": spk,
                        "suite": "aes256gcm"}, use_bin_type=True)
    assert ch.hex() == CLIENT_HELLO and sh.hex() == SERVER_HELLO
    t = hashlib.blake2b(frame(ch) + frame(sh), digest_size=32).digest()
    assert t.hex() == T
    rx, tx = crypto_kx_client_session_keys(cpk, csk, spk)
    keys = {
        "c2s": hashlib.blake2b(b"ftpd v1 c2s" + tx + t, digest_size=32,
                               key=secret).digest(),
        "s2c": hashlib.blake2b(b"ftpd v1 s2c" + rx + t, digest_size=32,
                               key=secret).digest(),
    }
    assert keys["c2s"].hex() == KEY_C2S and keys["s2c"].hex() == KEY_S2C
    for d, ctr, flag, pt, payload in FRAMES:
        nonce = bytes(4) + struct.pack(">Q", ctr)
        sealed = AESGCM(keys[d]).encrypt(nonce, bytes.fromhex(pt),
                                         bytes([flag]))
        assert (bytes([flag]) + sealed).hex() == payload
    rekeyed = hashlib.blake2b(b"ftpd v1 rekey", digest_size=32,
                              key=keys["c2s"]).digest()
    assert rekeyed.hex() == REKEYED_C2S
