"""StacCatalog and the ERS login against the simulated LandsatLook."""

import pytest
import requests

from swathkit.archives.credentials import Credentials
from swathkit.archives.ers import ErsAuth
from swathkit.archives.http import HttpClient
from swathkit.archives.stac import StacCatalog
from swathkit.errors import AuthError
from swathkit.sim.stac.server import SimulatedLandsatLook
from swathkit.types import Query

pytestmark = pytest.mark.slow

USERS = {"alice": "correct horse"}
QUERY = Query("dswe", "2008-06-01", "2008-07-01", bbox=(-91, 34, -89, 36))


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    with SimulatedLandsatLook(users=USERS, pixels=500,
                              cache_dir=tmp_path_factory.mktemp("ll")) as running:
        yield running


@pytest.fixture(scope="module")
def granules(sim):
    catalog = StacCatalog(sim.stac_url, ca_bundle=sim.ca_file, max_cloud=30, page_size=5)
    return catalog, list(catalog.search(QUERY))


def _auth(sim, password="correct horse"):
    return ErsAuth(Credentials("alice", password), login_url=sim.base_url + "login",
                   ca_bundle=sim.ca_file)


def test_catalog_gives_granules_with_tile_cloud_and_href(granules):
    catalog, found = granules
    assert len(found) == catalog.matched(QUERY) > 5  # more than one page
    g = found[0]
    assert g.properties["eo:cloud_cover"] < 30 and g.properties["tile"].startswith("CU_")
    assert g.remote_path.endswith("_INWAM.TIF") and g.footprint["type"] == "Polygon"
    assert g.start == g.end and g.id.endswith("_DSWE")
    assert "proj:wkt2" not in g.properties


def test_login_then_asset_is_a_tiff_read_by_ranges(sim, granules):
    href = granules[1][0].remote_path
    with HttpClient(auth=_auth(sim), ca_bundle=sim.ca_file) as http:
        head = http.request("GET", href, headers={"Range": "bytes=0-3"})
        # the shared server base sends from the first byte to the end (Range ends ignored)
        assert head.status_code == 206 and head.content.startswith(b"II*\x00")


def test_wrong_password_is_one_attempt_and_a_clear_error(sim, granules):
    href = granules[1][0].remote_path
    before = sim.stats().login_refusals
    with HttpClient(auth=_auth(sim, "wrong"), ca_bundle=sim.ca_file) as http:
        for _ in range(2):
            with pytest.raises(AuthError, match="refused the username/password"):
                http.request("GET", href)
    assert sim.stats().login_refusals == before + 1


def test_html_login_page_instead_of_a_tiff_is_an_auth_error(sim, granules):
    href = granules[1][0].remote_path
    anonymous = ErsAuth(None, login_url=sim.base_url + "login", ca_bundle=sim.ca_file)
    with HttpClient(auth=anonymous, ca_bundle=sim.ca_file) as http, \
            pytest.raises(AuthError, match=r"web page \(its login form\)"):
        http.request("GET", href)


def test_session_cookie_is_not_sent_to_another_host(sim):
    auth = _auth(sim)
    auth.session_cookie()  # logged in
    other = requests.Request("GET", "https://example.org/x.TIF").prepare()
    own = requests.Request("GET", sim.base_url + "x.TIF").prepare()
    assert "Cookie" not in auth(other).headers
    assert "EROS_SSO" in auth(own).headers["Cookie"]
    assert "correct horse" not in repr(auth)


def test_credentials_come_from_usgs_environment(monkeypatch, sim):
    monkeypatch.setenv("USGS_USERNAME", "alice")
    monkeypatch.setenv("USGS_PASSWORD", "correct horse")
    auth = ErsAuth.resolve(login_url=sim.base_url + "login", ca_bundle=sim.ca_file)
    assert auth.credentials.source == "environment"
    assert auth.session_cookie().startswith("EROS_SSO")
