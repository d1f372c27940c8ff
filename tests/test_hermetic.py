"""The suite runs hermetically: a temporary home and cache, no secrets, loopback only."""

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_socket import SocketConnectBlockedError

from swathkit.archives.sftp import known_hosts_file
from swathkit.config import settings

SHOW_ENV = ("import json, os, pathlib, sys; from swathkit.config import settings; "
            "from swathkit.geodata import land_count_grid; land_count_grid(); "
            "print(json.dumps({'home': str(pathlib.Path.home()), 'env': dict(os.environ), "
            "'cache': str(settings().cache_dir), "
            "'derived': 'global_land_mask' in sys.modules}))")


def _private(env) -> list[str]:
    prefixes = ("GPORTAL_", "EARTHDATA_", "AWS_")
    names = {"NETRC", "SWATHKIT_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"}
    return sorted(n for n in env if n.startswith(prefixes) or n in names
                  or n.upper().endswith("_PROXY"))


def test_home_cache_and_config_are_the_sessions(hermetic):
    root = hermetic.root
    assert Path.home() == root / "home" and Path("~").expanduser() == root / "home"
    assert settings().cache_dir == root / "cache" / "swathkit"
    assert known_hosts_file().is_relative_to(root)
    assert not any(root.is_relative_to(real) for real in hermetic.real)


def test_no_credentials_trust_or_proxy_reach_a_test():
    assert _private(os.environ) == []


def test_a_subprocess_sees_the_same_environment_and_reuses_the_land_grid(hermetic):
    out = subprocess.run([sys.executable, "-c", SHOW_ENV], capture_output=True, text=True,
                         check=True)
    seen = json.loads(out.stdout)
    assert seen["home"] == str(hermetic.root / "home") and _private(seen["env"]) == []
    assert seen["cache"] == str(hermetic.root / "cache" / "swathkit")
    assert not seen["derived"]  # loaded from the session cache: derived once, at start-up
    assert (hermetic.root / "cache" / "swathkit" / "landcount_0p05_v2.npy").is_file()


def test_a_write_under_the_real_home_is_refused(hermetic):
    # in a folder that does not exist: if the guard failed, nothing could be written either
    probe = Path(hermetic.real[0]) / ".cache" / "swathkit-hermetic-probe" / "sub"
    with pytest.raises(PermissionError, match="never write under the real home"):
        (probe / "file").write_bytes(b"x")
    with pytest.raises(PermissionError):
        os.mkdir(probe)
    assert hermetic.refused == [f"open {probe / 'file'}", f"os.mkdir {probe}"]
    hermetic.refused.clear()  # refused as expected: this test must not fail at teardown


def test_writes_elsewhere_are_not_guarded(hermetic, tmp_path):
    (tmp_path / "f").write_bytes(b"x")
    assert not hermetic.guards(str(tmp_path / "f")) and hermetic.refused == []


def test_a_connection_beyond_loopback_is_refused_without_a_packet():
    outside = "192.0.2.1"  # TEST-NET-1: never routed
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, \
            pytest.warns(UserWarning, match=re.escape(outside)), \
            pytest.raises(SocketConnectBlockedError, match=re.escape(outside)):
        sock.connect((outside, 443))


def test_loopback_connections_are_allowed():
    with socket.create_server(("127.0.0.1", 0)) as server, \
            socket.create_connection(server.getsockname(), timeout=5) as client:
        peer, _ = server.accept()
        with peer:
            client.sendall(b"ping")
            assert peer.recv(4) == b"ping"
