"""The server's advertised limits (doc/PROTOCOL.md sections 2 and 5: the
optional "lim" map in its hello) and the noop request (section 4.5), against
the real daemon.  These are additions made by another change to the worker:
until it lands, the tests of this file fail.
"""

import msgpack

import refclient as rc

KEYS = ["frame", "file", "grace", "idle", "stall", "cpu", "list"]


def hello_of(server):
    s = rc.connect("127.0.0.1", server.port, rc.read_key(server.key),
                   do_auth=False)
    s.close()
    return s.server_hello


def lim_pairs(payload):
    """The lim entries in wire order (a list of pairs)."""
    m = msgpack.unpackb(payload, raw=False, object_pairs_hook=list)
    assert [k for k, _ in m][:3] == ["proto", "v", "pk"]
    assert m[3][0] == "lim" and len(m) == 4, m
    return m[3][1]


def test_default_limits(server):
    payload = hello_of(server)
    assert len(payload) == 111 <= rc.HANDSHAKE_MAX
    pairs = lim_pairs(payload)
    assert [k for k, _ in pairs] == KEYS
    assert dict(pairs) == {"frame": 1048640, "file": 0, "grace": 10,
                           "idle": 300, "stall": 60, "cpu": 600,
                           "list": 1000}
    # Shortest forms: re-encoding gives the same bytes.
    m = msgpack.unpackb(payload, raw=False)
    assert rc.hello(m["pk"], m["lim"]) == payload


def test_configured_limits(make_server):
    srv = make_server(login_grace=7, idle_timeout=11, stall_timeout=13,
                      cpu_seconds=17, max_file_size="1M",
                      file_size_limit="2M")
    srv.start()
    lim = dict(lim_pairs(hello_of(srv)))
    assert lim == {"frame": 1048640, "file": 1 << 20, "grace": 7, "idle": 11,
                   "stall": 13, "cpu": 17, "list": 1000}


def test_noop(server):
    s = rc.connect("127.0.0.1", server.port, rc.read_key(server.key))
    try:
        assert s.limits.get("idle") == 300
        assert s.noop() == {"ok": True}
        assert s.noop() == {"ok": True}
        assert s.stat(".")["ok"]
        assert s.bye() == {"ok": True}
    finally:
        s.close()


def test_noop_before_auth(server):
    s = rc.connect("127.0.0.1", server.port, rc.read_key(server.key),
                   do_auth=False)
    try:
        r = s.noop()
        assert r.get("ok") is False and r["code"] == 16 and s.peer_final, r
        assert rc.wait_closed(s.sock, 3)
    finally:
        s.close()


def test_noop_as_final(server):
    s = rc.connect("127.0.0.1", server.port, rc.read_key(server.key))
    try:
        r = s.request({"op": "noop"}, final=True)
        assert r.get("ok") is False and r["code"] == 1 and s.peer_final, r
    finally:
        s.close()
