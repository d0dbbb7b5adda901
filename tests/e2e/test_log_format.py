"""ftpd.log lines: ISO-8601 time with zone, ftpd[pid], role, level, message."""

from helpers import LOG_LINE_RE, make_file, wait_for


def test_log_line_format(server, local):
    src = local / "l.bin"
    make_file(src, 100)
    server.ok("put", src)
    server.ok("ls")
    master = server.master_pid()

    wait_for(lambda: "worker" in server.log_text(), 5)
    text = server.log_text()
    assert text.endswith("\n")
    lines = text.splitlines()
    assert lines
    roles = {}
    for ln in lines:
        m = LOG_LINE_RE.match(ln)
        assert m, f"bad log line: {ln!r}"
        roles.setdefault(m.group(2), set()).add(int(m.group(1)))
    assert master in roles.get("master", set()), roles
    assert "worker" in roles, roles
    # Worker lines carry the worker's own pid, not the master's.
    assert roles["worker"] - {master}, roles
    assert any("start" in ln for ln in lines if " master " in ln)
