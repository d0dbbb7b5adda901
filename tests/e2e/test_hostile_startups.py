"""Admission control (issue 8 item 2): unauthenticated connections must not
lock everyone out.

An attacker opens a few hundred TCP connections from 127.0.0.2..127.0.0.4
(Linux routes all of 127/8 to lo) against a daemon on 127.0.0.1 with the
shipped admission defaults: most send nothing (TCP_DEFER_ACCEPT keeps them
in the kernel), some send one byte of a hello and then stall (they reach
the master, which admits only max_startups_per_ip of them per address).
While all of that is open, ftpc from 127.0.0.1 must still get in within a
few seconds.  Then: a source whose logins fail is refused for a while and
shows in `ftpd status` and --json; the refusals are logged as summaries.
"""

import json
import re
import socket
import time

from helpers import wait_for

ATTACKERS = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
PER_ADDRESS = 170           # 510 connections in all
TALKERS = 40                # of which send one byte, per address


def _open_from(src, port, n, talkers):
    socks = []
    for i in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(5)
        s.bind((src, 0))
        try:
            s.connect(("127.0.0.1", port))
        except OSError:
            s.close()
            continue
        if i < talkers:
            try:
                s.send(b"\x00")   # one byte of a frame length, then stall
            except OSError:
                pass
        socks.append(s)
    return socks


def _still_open(socks):
    """Connections the server has neither refused nor closed yet."""
    n = 0
    for s in socks:
        try:
            s.setblocking(False)
            if s.recv(1, socket.MSG_PEEK) == b"":
                continue      # closed by the server
            continue          # a refusal frame waiting: refused
        except BlockingIOError:
            n += 1
        except OSError:
            pass
    return n


def test_legitimate_client_gets_in_under_startup_flood(make_server):
    server = make_server(max_workers=32, workers=4)
    server.start()
    socks = []
    try:
        t0 = time.monotonic()
        for a in ATTACKERS:
            socks += _open_from(a, server.port, PER_ADDRESS, TALKERS)
        opened = time.monotonic() - t0
        time.sleep(0.5)  # let the master see the talkers
        t1 = time.monotonic()
        r = server.ftpc("ls", timeout=15)
        took = time.monotonic() - t1
        held = _still_open(socks)
        print(f"\nattacker: {len(socks)} connections opened in "
              f"{opened:.1f} s from {len(ATTACKERS)} addresses; {held} "
              f"still held when ftpc finished; ftpc took {took:.2f} s, "
              f"exit {r.returncode}")
        assert r.returncode == 0, r.stderr
        assert took < 5, f"ftpc took {took:.1f} s"
        assert held >= 3 * (PER_ADDRESS - TALKERS), f"only {held} held"
    finally:
        for s in socks:
            s.close()
    # The talkers were refused per source, and logged as summaries: far
    # fewer lines than refusals.
    log = server.log_text()
    refusals = len(re.findall(r"refused: \d+ unauthenticated", log))
    assert refusals <= 3 * len(ATTACKERS), refusals


def test_failed_logins_are_penalised_and_shown(make_server):
    server = make_server(penalty_authfail=6, penalty_min=10)
    server.start()
    wrong = server.dir / "wrong.key"
    assert server.ftpd("keygen", str(wrong)).returncode == 0
    for _ in range(2):
        r = server.ftpc("ls", key=wrong, timeout=15)
        assert r.returncode != 0
    # 12 s of penalty > penalty_min 10: refused now, with the busy frame.
    assert server.wait_log(r"127\.0\.0\.1 refused for \d+ s after a failed "
                           r"login", timeout=5)
    r = server.ftpc("ls", timeout=15)
    assert r.returncode != 0
    assert "failed logins" in (r.stderr + r.stdout), r.stderr
    st = server.ftpd("status")
    assert st.returncode == 0, st.stdout + st.stderr
    assert re.search(r"source 127\.0\.0\.1: penalty \d+ s \(refused\), "
                     r"2 failed", st.stdout), st.stdout
    js = server.ftpd("status", "--json")
    doc = json.loads(js.stdout)
    src = [s for s in doc["sources"] if s["peer"] == "127.0.0.1"]
    assert src and src[0]["refusing"] and src[0]["failed"] == 2, doc
    assert doc["degraded"] is False and doc["ready"] >= 1
