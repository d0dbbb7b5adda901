"""Files of 0 B, 1 B, 1 MiB + 1 and 200 MiB travel byte-identical both ways."""

import os

import pytest

from helpers import make_file, sha256_file, temp_files

SIZES = [0, 1, (1 << 20) + 1, 200 << 20]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s}B")
def test_put_get_identical(server, local, size):
    src = local / f"f{size}.bin"
    digest = make_file(src, size)
    os.utime(src, (1_600_000_000, 1_600_000_000))

    server.ok("put", src)
    remote = server.remote(src.name)
    assert remote.is_file()
    assert remote.stat().st_size == size
    assert sha256_file(remote) == digest

    back = local / "back"
    back.mkdir()
    server.ok("get", src.name, back)
    got = back / src.name
    assert got.stat().st_size == size
    assert sha256_file(got) == digest
    assert not temp_files(server.files)
    assert not [n for n in os.listdir(back) if n != src.name]
    for p in (src, remote, got):      # pytest keeps old tmp folders: no
        p.unlink()                    # need to keep 600 MB in each


def test_overwrite_changes_content(server, local):
    """A second put of the same name replaces the old content entirely."""
    a = local / "a.bin"
    make_file(a, 3 << 20)
    server.ok("put", a, "same.bin")
    b = local / "b.bin"
    db = make_file(b, 1000)
    server.ok("put", b, "same.bin")
    assert sha256_file(server.remote("same.bin")) == db
    assert server.remote("same.bin").stat().st_size == 1000


def test_get_of_file_made_on_server(server, local):
    """A download does not depend on an upload by ftpc: a file placed in the
    root by other means comes back identical, under the requested name."""
    p = server.remote("placed.bin")
    d = make_file(p, (5 << 20) + 7)
    server.ok("get", "placed.bin", local / "renamed.bin")
    assert sha256_file(local / "renamed.bin") == d
