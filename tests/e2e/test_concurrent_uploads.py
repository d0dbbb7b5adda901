"""Eight clients upload at once: all succeed and every file is intact."""

from helpers import make_file, run_all, sha256_file, temp_files

N = 8


def test_eight_parallel_uploads(server, local):
    digests = {}
    for i in range(N):
        p = local / f"c{i}.bin"
        digests[p.name] = make_file(p, (6 << 20) + i * 4099)
    res = run_all([server.ftpc_popen("put", local / n) for n in digests], 120)
    assert [r[0] for r in res] == [0] * N, res
    for name, d in digests.items():
        assert sha256_file(server.remote(name)) == d, name
    assert not temp_files(server.files)
    # More sessions than preforked workers: the pool grew, within its cap.
    assert 2 <= len(server.workers()) <= 8


def test_eight_parallel_downloads(server, local):
    digests = {}
    for i in range(N):
        name = f"d{i}.bin"
        digests[name] = make_file(server.remote(name), (6 << 20) + i * 17)
    outs, procs = [], []
    for i, name in enumerate(digests):
        d = local / f"out{i}"
        d.mkdir()
        outs.append(d / name)
        procs.append(server.ftpc_popen("get", name, d))
    res = run_all(procs, 120)
    assert [r[0] for r in res] == [0] * N, res
    for o in outs:
        assert sha256_file(o) == digests[o.name]
