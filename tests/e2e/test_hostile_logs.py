"""Hostile bytes in ftpd.log (issue 8 item 7, the master's part).

Every line the master writes that carries client-supplied bytes (here a
worker's forwarded line naming a path the client chose) must show C1
controls and invalid UTF-8 encoded, never raw; and a worker replaced after
max_sessions is ordinary recycling: logged at info, never at warn.
"""

import re

import msgpack

import refclient


def _hostile_mkdir(server, raw_name):
    """mkdir raw_name (bytes packed as a msgpack str, valid UTF-8 or not)."""
    body = msgpack.Packer(use_bin_type=False).pack(
        {"op": "mkdir", "path": raw_name})
    s = refclient.connect("127.0.0.1", server.port,
                          refclient.read_key(server.key))
    try:
        r = s.request_raw(body)
        s.bye()
    finally:
        s.close()
    return r


def test_c1_and_invalid_utf8_are_encoded(make_server):
    server = make_server(debug="yes")
    server.start()
    # U+009B (CSI as UTF-8), a raw 0x9b (CSI in 8-bit terminals, invalid
    # UTF-8) and an overlong '/'.
    names = [b"c1-\xc2\x9b[2J-end", b"raw-\x9b[2J-end", b"ovl-\xc0\xaf-end"]
    for n in names:
        _hostile_mkdir(server, n)
    assert server.wait_log(r"session \d+: .*-end", timeout=5)
    data = server.log.read_bytes()
    for bad in (b"\xc2\x9b", b"\x9b[", b"\xc0\xaf"):
        assert bad not in data, f"raw {bad!r} in ftpd.log"
    # Every line is valid UTF-8 without C0/C1 controls but tab.
    text = data.decode("utf-8")
    assert not re.search("[\x00-\x08\x0a-\x1f\x7f-\x9f]", text.replace(
        "\n", "")), "control character in ftpd.log"


def test_max_sessions_recycling_is_not_a_warning(make_server, local):
    server = make_server(workers=1, max_workers=2, max_sessions=1)
    server.start()
    for _ in range(3):
        server.ok("ls")
    assert server.wait_log(r"worker \d+ exited: status 0", timeout=5)
    # The replacement is up before we look for warnings.
    server.wait_workers(1)
    warns = [ln for ln in server.log_text().splitlines()
             if " master warn: " in ln]
    assert not warns, "warnings for normal recycling:\n" + "\n".join(warns)
