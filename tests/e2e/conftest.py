"""pytest fixtures for the end-to-end tests.

What it is for: give each test a fresh daemon (``server``) or a factory of
not-yet-started daemons (``make_server``) in the test's tmp_path, and stop
them all in teardown, failing the test if a process is left.  What it must
not do: kill anything but the PIDs its daemons wrote or spawned.
"""

import os
import sys

import pytest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import helpers  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _binaries(tmp_path_factory):
    """Run the whole session on copies of ./ftpd and ./ftpc."""
    d = tmp_path_factory.mktemp("bin")
    helpers.copy_binaries(d)
    yield


@pytest.fixture
def make_server(tmp_path):
    """Factory: make_server(**conf) -> helpers.Server (not started)."""
    made = []

    def factory(**conf):
        s = helpers.Server(tmp_path / f"s{len(made)}", **conf)
        made.append(s)
        return s
    yield factory
    problems = []
    for s in made:
        problems += s.teardown()
    assert not problems, "; ".join(problems)


@pytest.fixture
def server(make_server):
    """A started daemon with the default test config."""
    s = make_server()
    s.start()
    return s


@pytest.fixture
def local(tmp_path):
    """A folder for the client's local files."""
    d = tmp_path / "local"
    d.mkdir()
    return d
