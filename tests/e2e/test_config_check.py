"""ftpd -t: a bad line is reported as FILE:LINE: reason with exit 1; a good
file exits 0; start refuses a bad config with the same reason."""

import os
import re
import signal

from helpers import pid_alive


def _check(server, *args):
    r = server.ftpd(*args, "-t")
    return r.returncode, r.stdout + r.stderr


def test_good_config(make_server):
    s = make_server()
    rc, out = _check(s)
    assert rc == 0, out


def test_bad_lines(make_server):
    s = make_server()
    conf = s.conf_path
    good = conf.read_text().splitlines()
    cases = [
        ("bogus_key = 1", "unknown key"),
        ("workers = abc", "bad number"),
        ("workers = -3", "negative"),
        ("listen = nonsense", "bad listen"),
        ("max_file_size = 12Q", "bad size"),
        ("overwrite = perhaps", "bad boolean"),
        ("this line has no equals sign", "syntax"),
    ]
    for line, why in cases:
        lines = good[:1] + ["# a comment", line] + good[1:]
        conf.write_text("\n".join(lines) + "\n")
        rc, out = _check(s)
        assert rc == 1, (line, out)
        assert re.search(re.escape(str(conf)) + r":3: \S", out) or \
            re.search(r"ftpd\.conf:3: \S", out), (why, line, out)
    # -c FILE names another file; relative paths in it are its own.
    other = s.dir.parent / "other.conf"
    other.write_text("workers = 2\n\nnot_a_key = x\n")
    r = s.ftpd("-c", str(other), "-t")
    assert r.returncode == 1
    assert "other.conf:3: " in r.stdout + r.stderr
    # start refuses the bad file, says why, and leaves nothing running.
    conf.write_text("\n".join(good + ["bogus_key = 1"]) + "\n")
    r = s.ftpd("start")
    assert r.returncode == 1
    assert f"ftpd.conf:{len(good) + 1}:" in r.stderr, r.stderr
    pid = s.master_pid()
    assert pid is None or not pid_alive(pid)


def test_bad_config_on_hup_keeps_old(make_server):
    """SIGHUP with a broken file: the error is logged, the old config stays."""
    s = make_server()
    s.start()
    good = s.conf_path.read_text()
    s.conf_path.write_text(good + "bogus_key = 1\n")
    os.kill(s.master_pid(), signal.SIGHUP)
    assert s.wait_log(r"ftpd\.conf:\d+: ", 5), s.log_text()
    assert pid_alive(s.master_pid())
    s.ok("ls")
    s.conf_path.write_text(good)
