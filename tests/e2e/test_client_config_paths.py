"""ftpc finds its configuration by the one XDG rule it shares with ftpd.

$XDG_CONFIG_HOME/ftpc/config when XDG_CONFIG_HOME is absolute, else
$HOME/.config/ftpc/config; a relative XDG_CONFIG_HOME is ignored (XDG Base
Directory spec), and so is an empty or relative $HOME (the password
database's home is used, as ftpd does).
"""

import os
import pwd
import subprocess

import pytest

import helpers


def _env(server, **kv):
    env = {k: v for k, v in server.env().items()
           if not k.startswith("XDG_") and k != "HOME"}
    env.update(kv)
    return env


def _ftpc(server, env, cwd, *args):
    return subprocess.run([str(helpers.BIN["ftpc"]), "-q", *args, "ls"],
                          stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, errors="replace", env=env, cwd=cwd,
                          timeout=60)


def _good(server, conf_home):
    """A config under conf_home/ftpc naming the server and its key."""
    d = conf_home / "ftpc"
    d.mkdir(parents=True, exist_ok=True)
    (d / "config").write_text(f"host = 127.0.0.1\nport = {server.port}\n"
                              f"key = {server.key}\n")


def _bad(conf_home):
    """A config ftpc refuses (exit 2) if it ever reads it."""
    d = conf_home / "ftpc"
    d.mkdir(parents=True, exist_ok=True)
    (d / "config").write_text("no_such_key = 1\n")


def test_config_under_xdg_config_home(server, tmp_path):
    _good(server, tmp_path / "xdg")
    _bad(tmp_path / "home" / ".config")
    env = _env(server, XDG_CONFIG_HOME=str(tmp_path / "xdg"),
               HOME=str(tmp_path / "home"))
    r = _ftpc(server, env, tmp_path)
    assert r.returncode == 0, r


def test_config_under_home_dot_config(server, tmp_path):
    _good(server, tmp_path / "home" / ".config")
    r = _ftpc(server, _env(server, HOME=str(tmp_path / "home")), tmp_path)
    assert r.returncode == 0, r


def test_relative_xdg_config_home_is_ignored(server, tmp_path):
    _bad(tmp_path / "rel")
    _good(server, tmp_path / "home" / ".config")
    env = _env(server, XDG_CONFIG_HOME="rel", HOME=str(tmp_path / "home"))
    r = _ftpc(server, env, tmp_path)
    assert r.returncode == 0, r


def test_relative_home_is_ignored(server, tmp_path):
    """A relative $HOME is not taken from the current folder."""
    pwdir = pwd.getpwuid(os.getuid()).pw_dir
    if os.path.exists(os.path.join(pwdir, ".config/ftpc/config")):
        pytest.skip("the user's own ftpc config would be read")
    _bad(tmp_path / "relhome" / ".config")
    flags = ("-H", "127.0.0.1", "-p", str(server.port), "-k", str(server.key))
    r = _ftpc(server, _env(server, HOME="relhome"), tmp_path, *flags)
    assert r.returncode == 0, r
