"""ftpd reload with a new limit while an upload is in flight: the upload
(held open across the reload) completes intact on its old-generation
worker; idle workers are replaced at once by generation 2, the busy one
after its session; new sessions see max_file_size = 1M (a 2 MiB put is
refused with too_big, exit 1; a small one works)."""

import hashlib
import json
import os

import refclient
from helpers import make_file, pid_alive, wait_for

CHUNK = 1 << 20
SIZE = 24 * CHUNK


def status_json(server):
    r = server.ftpd("status", "--json")
    assert r.returncode == 0, r
    return json.loads(r.stdout)


def _gens(doc, state):
    return sorted(w["generation"] for w in doc["workers"]
                  if w["state"] == state)


def test_reload_limit_during_upload(make_server, local):
    server = make_server(workers=3)
    server.start()
    assert status_json(server)["generation"] == 1
    data = os.urandom(SIZE)
    sess = refclient.connect("127.0.0.1", server.port,
                             refclient.read_key(server.key))
    try:
        assert sess.put_begin("big.bin", SIZE).get("ok")
        sess.put_data(data[:4 * CHUNK])
        server.conf["max_file_size"] = "1M"
        server.write_conf()
        r = server.ftpd("reload")
        assert r.returncode == 0, r
        assert r.stdout.strip() == "reloaded (generation 2)", r

        doc = status_json(server)
        assert doc["generation"] == 2
        busy = [w for w in doc["workers"] if w["state"] == "busy"]
        assert len(busy) == 1 and busy[0]["generation"] == 1, doc
        old_pid = busy[0]["pid"]
        # Idle workers of generation 1 go at once: the pool keeps three,
        # the busy one of generation 1 and two new idle ones.
        assert wait_for(lambda: _gens(status_json(server), "idle") == [2, 2],
                        5, 0.1), status_json(server)

        sess.put_data(data[4 * CHUNK:])
        reply = sess.put_done(refclient.blake2b256(data))
        assert reply.get("ok"), reply
        sess.bye()
    finally:
        sess.close()
    got = hashlib.sha256(server.remote("big.bin").read_bytes()).hexdigest()
    assert got == hashlib.sha256(data).hexdigest(), "upload not intact"

    # After its session the old worker is told to go and is replaced.
    assert wait_for(lambda: not pid_alive(old_pid), 5), "old worker stays"
    assert wait_for(lambda: _gens(status_json(server), "idle") == [2, 2, 2],
                    5, 0.1), status_json(server)

    # New sessions have the new limit.
    make_file(local / "two.bin", 2 << 20)
    r = server.ftpc("put", local / "two.bin")
    assert r.returncode == 1 and "too_big" in r.stderr, r
    assert not server.remote("two.bin").exists()
    make_file(local / "small.bin", 100_000)
    server.ok("put", local / "small.bin")
    assert server.remote("small.bin").stat().st_size == 100_000
    assert server.wait_log(r"reloaded configuration \(generation 2\)", 2), \
        server.log_text()
