import pytest

from swathkit.archives.credentials import Credentials, resolve
from swathkit.errors import AuthError


def test_repr_never_shows_the_password():
    c = Credentials("alice", "s3cret")
    assert "s3cret" not in repr(c) and "s3cret" not in str(c) and "alice" in repr(c)


def test_order_arguments_environment_netrc(tmp_path, monkeypatch):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine ftp.example login nina password fromnetrc\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.delenv("X_USERNAME", raising=False)
    monkeypatch.delenv("X_PASSWORD", raising=False)
    assert resolve(username=None, password=None, env_prefix="X",
                   host="ftp.example").source == "netrc"
    monkeypatch.setenv("X_USERNAME", "eve")
    monkeypatch.setenv("X_PASSWORD", "fromenv")
    assert resolve(username=None, password=None, env_prefix="X",
                   host="ftp.example").password == "fromenv"
    assert resolve(username="a", password="b", env_prefix="X",
                   host="ftp.example").source == "arguments"


def test_missing_credentials_say_how_to_give_them(tmp_path, monkeypatch):
    monkeypatch.setenv("NETRC", str(tmp_path / "none"))
    monkeypatch.delenv("X_USERNAME", raising=False)
    with pytest.raises(AuthError, match="X_USERNAME"):
        resolve(username=None, password=None, env_prefix="X", host="h")
