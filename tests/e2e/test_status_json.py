"""ftpd status --json during an upload: one JSON object that json.loads
parses, with the busy worker's peer, user, operation, path (quotes,
backslash and UTF-8 in it), bytes and rate; after the upload every worker
is idle again; a stopped daemon gives {"running": false} and exit 3."""

import datetime
import json
import os
import re
import time

import refclient
from helpers import wait_for

NAME = 'q"uote\\back sl\u00e9.bin'   # escaped in JSON, decoded back
CHUNK = 1 << 20


def status_json(server):
    r = server.ftpd("status", "--json")
    assert r.returncode == 0, r
    return json.loads(r.stdout)


def _busy_put(server):
    doc = status_json(server)
    for w in doc["workers"]:
        if w["state"] == "busy" and w["op"] == "put" and w["bytes"] > 0:
            return doc, w
    return None


def test_status_json_during_upload(server):
    data = os.urandom(6 * CHUNK)
    sess = refclient.connect("127.0.0.1", server.port,
                             refclient.read_key(server.key))
    try:
        assert sess.put_begin(NAME, len(data)).get("ok")
        # A trickle: the worker reports progress at most every 250 ms.
        for i in range(3):
            sess.put_data(data[i * CHUNK:(i + 1) * CHUNK])
            time.sleep(0.3)
        found = wait_for(lambda: _busy_put(server), 5, 0.1)
        assert found, status_json(server)
        doc, w = found
        assert doc["running"] is True
        assert doc["pid"] == server.master_pid()
        assert doc["generation"] == 1
        assert f"127.0.0.1:{server.port}" in doc["listen"]
        assert doc["busy"] == 1 and doc["idle"] == 1, doc
        assert doc["config"] == str(server.conf_path)
        assert w["peer"] == "127.0.0.1", w
        assert w["port"] == sess.sock.getsockname()[1], w
        assert w["user"] == "secret", w
        assert w["path"] == NAME, w
        assert 0 < w["bytes"] <= 3 * CHUNK, w
        assert w["total"] == len(data), w
        assert w["rate"] > 0, w
        assert w["generation"] == 1 and w["pid"] in server.workers(), w
        since = datetime.datetime.fromisoformat(w["since"])
        age = time.time() - since.timestamp()
        assert -2 < age < 30, (w["since"], age)

        # The text form shows the same row, one line, path escaped.
        text = server.ftpd("status").stdout
        row = [ln for ln in text.splitlines()
               if ln.startswith(str(w["pid"]) + " ")]
        assert len(row) == 1 and " busy " in row[0], text
        assert re.search(r" secret +put ", row[0]), row
        assert "127.0.0.1:" in row[0], row

        sess.put_data(data[3 * CHUNK:])
        assert sess.put_done(refclient.blake2b256(data)).get("ok")
        sess.bye()
    finally:
        sess.close()
    assert server.remote(NAME).read_bytes() == data

    def all_idle():
        doc = status_json(server)
        ws = doc["workers"]
        return (doc["busy"] == 0 and len(ws) == 2 and
                all(w["state"] == "idle" and w["op"] is None and
                    w["peer"] is None and w["user"] is None for w in ws))
    assert wait_for(all_idle, 5, 0.1), status_json(server)


def test_status_json_stopped(make_server):
    s = make_server()
    r = s.ftpd("status", "--json")
    assert r.returncode == 3, r
    assert json.loads(r.stdout)["running"] is False
    s.start()
    assert status_json(s)["running"] is True
    assert s.ftpd("stop").returncode == 0
    r = s.ftpd("status", "--json")
    assert r.returncode == 3 and json.loads(r.stdout) == {
        "running": False, "pidfile": str(s.pidfile)}, r
