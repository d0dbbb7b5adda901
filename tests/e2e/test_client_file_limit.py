"""ftpc refuses an upload larger than the limit the server advertised in
its hello ("lim.file", doc/PROTOCOL.md section 2) before it sends the put,
with the words and exit status of the server's own too_big answer; a file
of exactly the limit goes up, and the next file of the command still does.
"""

import refclient
from helpers import make_file

LIMIT = 1 << 20   # max_file_size = 1M


def server_too_big(server, size):
    """The server's own answer to a put of size bytes (refclient)."""
    sess = refclient.connect("127.0.0.1", server.port,
                             refclient.read_key(server.key))
    try:
        reply = sess.put_begin("probe.bin", size)
        sess.bye()
    finally:
        sess.close()
    assert reply.get("ok") is False and reply["err"] == "too_big", reply
    return reply


def test_too_big_refused_like_the_server(make_server, local):
    server = make_server(max_file_size="1M")
    server.start()
    big = local / "big.bin"
    make_file(big, LIMIT + 1)
    reply = server_too_big(server, LIMIT + 1)
    r = server.ftpc("put", big)
    assert r.returncode == 1, r
    assert r.stderr == f"ftpc: put {big}: {reply['msg']} (too_big)\n", r
    assert not server.remote("big.bin").exists()


def test_refused_before_the_request(make_server, local):
    """Proof that no put left ftpc: the server checks a path's shape
    before the size, so a put it saw to a name of 256 bytes would be
    answered name_too_long."""
    server = make_server(max_file_size="1M")
    server.start()
    big, small, name = local / "big.bin", local / "small.bin", "n" * 256
    make_file(big, LIMIT + 1)
    make_file(small, 10)
    r = server.ftpc("put", small, name)
    assert r.returncode == 1 and "(name_too_long)" in r.stderr, r
    r = server.ftpc("put", big, name)
    assert r.returncode == 1, r
    assert r.stderr == f"ftpc: put {big}: file larger than the server " \
        "accepts (too_big)\n", r


def test_at_the_limit_and_the_next_file(make_server, local):
    server = make_server(max_file_size="1M")
    server.start()
    exact, big, after = local / "exact.bin", local / "big.bin", local / "z"
    make_file(exact, LIMIT)
    make_file(big, LIMIT + 1)
    make_file(after, 10)
    r = server.ftpc("put", exact, big, after, "/")
    assert r.returncode == 1, r
    assert r.stderr == (f"ftpc: put {big}: file larger than the server "
                        "accepts (too_big)\n"), r
    assert server.remote("exact.bin").stat().st_size == LIMIT
    assert server.remote("z").stat().st_size == 10
    assert not server.remote("big.bin").exists()
