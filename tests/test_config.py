"""Settings: argument, then SWATHKIT_* environment, then default; the clients use them."""

import pytest

from swathkit.archives.bremen import bremen_archive
from swathkit.archives.gportal import gportal_archive
from swathkit.config import ENDPOINTS, settings

pytestmark = pytest.mark.timeout(30)


def test_an_endpoint_comes_from_the_argument_then_the_environment_then_the_default(monkeypatch):
    assert settings().endpoint("bremen") == ENDPOINTS["bremen"]
    monkeypatch.setenv("SWATHKIT_BREMEN_URL", "https://mirror.example/")
    assert settings().endpoint("bremen") == "https://mirror.example/"
    assert settings(endpoints={"bremen": "https://other.example/"}).endpoint("bremen") == \
        "https://other.example/"


def test_the_clients_default_to_the_configured_endpoints(monkeypatch):
    monkeypatch.setenv("SWATHKIT_BREMEN_URL", "https://mirror.example/asi/")
    monkeypatch.setenv("SWATHKIT_GPORTAL_CSW_URL", "https://csw.example/csw")
    monkeypatch.setenv("SWATHKIT_GPORTAL_SFTP_URL", "sftp://sftp.example:2222")
    assert bremen_archive().sessions.base_url == "https://mirror.example/asi/"
    archive = gportal_archive(username="u", password="p")
    assert archive.catalog.url == "https://csw.example/csw"
    assert archive.sessions.host == "sftp.example:2222"


def test_the_ca_bundle_and_timeout_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SWATHKIT_CA_BUNDLE", str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SWATHKIT_HTTP_TIMEOUT", "7.5")
    current = settings()
    assert current.ca_bundle == tmp_path / "ca.pem"
    assert current.http_timeout == 7.5
