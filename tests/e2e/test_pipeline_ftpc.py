"""ftpc pipelines the files of one session (doc/PROTOCOL.md section 4,
"Pipelining"): put with 200 operands and put -r of 200 files store every
file right; a refused file in the middle is reported and counted while the
rest go on; the server shares durable points between them."""

import os

from helpers import temp_files


def _files(folder, n):
    folder.mkdir(parents=True, exist_ok=True)
    want = {}
    for i in range(n):
        data = os.urandom((i * 97) % 9000)
        (folder / f"f{i:03d}.bin").write_bytes(data)
        want[f"f{i:03d}.bin"] = data
    return want


def test_put_200_operands(server, local):
    want = _files(local / "src", 200)
    (server.files / "up").mkdir()
    server.own()
    names = sorted(want)
    server.ok("put", *[local / "src" / n for n in names], "up/")
    for n, data in want.items():
        assert (server.files / "up" / n).read_bytes() == data, n
    assert not temp_files(server.files)
    assert server.wait_log(r"group commit of ([2-9]|\d\d)", 5), \
        server.log_text()[-2000:]


def test_put_tree_200_files(server, local):
    want = _files(local / "tree" / "a", 120)
    want_b = _files(local / "tree" / "b", 80)
    server.ok("put", "-r", local / "tree", "tree")
    for n, data in want.items():
        assert (server.files / "tree" / "a" / n).read_bytes() == data, n
    for n, data in want_b.items():
        assert (server.files / "tree" / "b" / n).read_bytes() == data, n
    assert not temp_files(server.files)


def test_refused_file_in_the_middle(server, local):
    want = _files(local / "src", 30)
    (server.files / "up").mkdir()
    (server.files / "up" / "f010.bin").mkdir()   # put onto a folder: code 8
    server.own()
    names = sorted(want)
    r = server.ftpc("put", *[local / "src" / n for n in names], "up/")
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert "f010.bin" in r.stderr and r.stderr.count("put ") == 1, r.stderr
    for n, data in want.items():
        if n != "f010.bin":
            assert (server.files / "up" / n).read_bytes() == data, n
    assert (server.files / "up" / "f010.bin").is_dir()
    assert not temp_files(server.files)


def test_refused_file_in_a_tree(server, local):
    want = _files(local / "tree", 40)
    (server.files / "t" / "tree" / "f020.bin").mkdir(parents=True)
    server.own()
    r = server.ftpc("put", "-r", local / "tree", "t")    # into t/tree
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert "1 of 41 files or folders failed" in r.stderr, r.stderr
    for n, data in want.items():
        if n != "f020.bin":
            assert (server.files / "t" / "tree" / n).read_bytes() == data, n
