"""All workers busy at max_workers: a new connection waits in the short
queue, then gets an explicit "server busy" refusal (code 15), never a silent
drop; ftpc reports it with exit 3.  Once the worker is free, sessions work."""

import time

import pytest

import refclient


def test_server_busy(make_server):
    s = make_server(workers=1, max_workers=1, queue_len=1, queue_wait_ms=500)
    s.start()
    key = refclient.read_key(s.key)
    hold = refclient.connect("127.0.0.1", s.port, key)
    try:
        assert hold.stat(".")["ok"]
        t0 = time.monotonic()
        c = refclient.connect("127.0.0.1", s.port)
        with pytest.raises(refclient.Refused) as e:
            c.handshake(key)
        c.close()
        waited = time.monotonic() - t0
        assert e.value.reply.get("code") == 15, e.value.reply
        assert e.value.reply.get("err") == "server_busy"
        assert 0.3 <= waited < 5, waited
        r = s.ftpc("ls", timeout=30)
        assert r.returncode == 3, r
        assert "busy" in r.stderr.lower(), r.stderr
    finally:
        hold.bye()
        hold.close()
    s.ok("ls")


def test_queued_connection_is_served(make_server):
    """A connection held in the queue gets the worker when it frees up."""
    s = make_server(workers=1, max_workers=1, queue_len=4, queue_wait_ms=5000)
    s.start()
    key = refclient.read_key(s.key)
    hold = refclient.connect("127.0.0.1", s.port, key)
    p = s.ftpc_popen("ls")
    time.sleep(0.5)
    assert p.poll() is None, "queued client did not wait"
    hold.bye()
    hold.close()
    out, err = p.communicate(timeout=10)
    assert p.returncode == 0, err
