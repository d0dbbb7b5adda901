"""Accounts (issue 9): an unknown user and a wrong password get the same
reply after the same work (the server verifies against a dummy hash of
the same cost).  50 tries of each, interleaved; the two distributions of
reply times are printed (pytest -s) and their medians must agree within
25%.  FTPD_TIMING_DEFAULT=1 runs at the default cost (argon2id
INTERACTIVE: 2 passes, 64 MiB) instead of the suite's cheap one."""

import os
import statistics
import time

from accounts import fresh, user

import refclient

TRIES = 50


def stats(xs):
    xs = sorted(xs)
    return {"min": xs[0], "median": statistics.median(xs),
            "mean": statistics.mean(xs), "p90": xs[int(len(xs) * 0.9)],
            "max": xs[-1], "stdev": statistics.stdev(xs)}


def shown(name, st):
    return name + ": " + ", ".join(f"{k} {v * 1000:.1f} ms"
                                   for k, v in st.items())


def test_unknown_user_same_time_as_wrong_password(make_server):
    conf = {"penalty_max": 0}
    if os.environ.get("FTPD_TIMING_DEFAULT") != "1":
        conf.update(pwhash_ops=1, pwhash_mem="8M")
    s = make_server(**conf)
    user(s, "add", "ivy", password="right")
    s.start()
    times = {"wrong": [], "unknown": []}
    c = None
    for i in range(2 * TRIES):
        if c is None or c.peer_final:
            if c is not None:
                c.close()
            c = refclient.connect_v2("127.0.0.1", s.port)
        kind = "wrong" if i % 2 == 0 else "unknown"
        name = "ivy" if kind == "wrong" else f"nosuch{i}"
        t0 = time.perf_counter()
        r = c.auth_password(name, "wrong")
        times[kind].append(time.perf_counter() - t0)
        assert r == {"ok": False, "code": 16, "err": "auth_failed",
                     "msg": "authentication failed"}
    c.close()
    w, u = stats(times["wrong"]), stats(times["unknown"])
    print()
    print(shown(f"wrong password ({TRIES})", w))
    print(shown(f"unknown user   ({TRIES})", u))
    assert abs(w["median"] - u["median"]) <= 0.25 * w["median"], (w, u)
