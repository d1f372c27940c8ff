"""Earthdata Login for the datapool: credentials order, host-bound headers, the URS flow, resume."""

import hashlib
from pathlib import Path

import pytest
import requests

from swathkit.archives.cmr import CmrCatalog
from swathkit.archives.earthdata import EarthdataAuth, datapool_files, earthdata_auth
from swathkit.errors import AuthError, TransientFetchError
from swathkit.sim.cmr.asf import SimulatedAsf
from swathkit.sim.faults import FaultPlan
from swathkit.transfer.download import fetch_file
from swathkit.types import Query

USER, PASSWORD = "bob", "s3cret"
HOURS = Query("alos-rtc-fbd", "2008-06-01T04:00", "2008-06-01T05:00")


@pytest.fixture(scope="module")
def sim():
    with SimulatedAsf(pixels=16, users={USER: PASSWORD}) as asf:
        yield asf


@pytest.fixture(scope="module")
def granule(sim):
    catalog = CmrCatalog(url=sim.cmr_url, datapool_url=sim.datapool_url, ca_bundle=sim.ca_file)
    return next(catalog.search(HOURS))


def _files(sim, **credentials):
    auth = earthdata_auth(urs_url=sim.urs_url, datapool_urls=(sim.datapool_url,), **credentials)
    return datapool_files(sim.datapool_url, auth=auth, ca_bundle=sim.ca_file)


def _fetch(sim, granule, dest, **credentials):
    session = _files(sim, **credentials).open()
    try:
        return fetch_file(session, granule.remote_path, dest, checksum=granule.checksum,
                          expected_size=granule.size)
    finally:
        session.close()


def test_credentials_come_from_arguments_then_environment_then_netrc(monkeypatch, tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine urs.earthdata.nasa.gov login nina password n1\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    assert earthdata_auth().credentials.username == "nina"
    monkeypatch.setenv("EARTHDATA_TOKEN", "tok")
    assert earthdata_auth().credentials is None  # the token before netrc
    monkeypatch.setenv("EARTHDATA_USERNAME", "erin")
    monkeypatch.setenv("EARTHDATA_PASSWORD", "e1")
    assert earthdata_auth().credentials.username == "erin"
    assert earthdata_auth(username="arg", password="a1").credentials.source == "arguments"


def test_no_credentials_says_the_four_ways_to_give_them(monkeypatch, tmp_path):
    monkeypatch.setenv("NETRC", str(tmp_path / "none"))
    with pytest.raises(AuthError, match="EARTHDATA_TOKEN") as caught:
        earthdata_auth()
    assert "EARTHDATA_USERNAME" in str(caught.value) and ".netrc" in str(caught.value)


def test_the_password_goes_to_urs_only_and_the_token_to_the_datapool_only():
    auth = EarthdataAuth(urs_host="urs.example:8443", datapool_hosts=("pool.example",),
                         credentials=earthdata_auth(username="u", password="pw-9f3").credentials,
                         token="tok")

    def header(url):
        return auth(requests.Request("GET", url).prepare()).headers.get("Authorization")

    assert header("https://urs.example:8443/oauth/authorize").startswith("Basic ")
    assert header("https://pool.example/RTC_HI_RES/x.zip") == "Bearer tok"
    assert header("https://bucket.s3.amazonaws.com/x.zip?X-Amz-Signature=1") is None
    assert header("https://urs.example/oauth/authorize") is None  # another port
    assert "pw-9f3" not in repr(auth) and "tok" not in repr(auth)


def test_a_fetch_logs_in_follows_to_s3_and_verifies_the_md5(sim, granule, tmp_path):
    before = sim.stats()
    done = _fetch(sim, granule, tmp_path / granule.file_name, username=USER, password=PASSWORD)
    after = sim.stats()
    data = (tmp_path / granule.file_name).read_bytes()
    assert done.size == granule.size == len(data)
    assert "md5:" + hashlib.md5(data).hexdigest() == granule.checksum
    assert after.logins > before.logins and after.login_redirects > before.login_redirects
    assert after.authorization_rejected == before.authorization_rejected == 0


def test_a_wrong_password_fails_once_and_says_what_to_fix(sim, granule, tmp_path):
    before = sim.stats().login_failures
    with pytest.raises(AuthError) as caught:
        _fetch(sim, granule, tmp_path / "x.zip", username=USER, password="wrong")
    message = str(caught.value)
    assert sim.stats().login_failures == before + 1
    assert "'bob'" in message and "EARTHDATA_PASSWORD" in message and "wrong" not in message


def test_a_bearer_token_downloads_without_the_login_redirects(sim, granule, tmp_path):
    token = requests.post(f"{sim.urs_url}api/users/find_or_create_token",
                          auth=(USER, PASSWORD), verify=str(sim.ca_file),
                          timeout=30).json()["access_token"]
    before = sim.stats()
    _fetch(sim, granule, tmp_path / granule.file_name, token=token)
    after = sim.stats()
    assert after.login_redirects == before.login_redirects and after.logins == before.logins
    assert after.authorization_rejected == 0


def test_an_expired_cookie_logs_in_again(sim, granule, tmp_path):
    session = _files(sim, username=USER, password=PASSWORD).open()
    try:
        fetch_file(session, granule.remote_path, tmp_path / "a.zip", checksum=granule.checksum)
        logins = sim.stats().logins
        sim.expire_cookies()
        fetch_file(session, granule.remote_path, tmp_path / "b.zip", checksum=granule.checksum)
    finally:
        session.close()
    stats = sim.stats()
    assert stats.expired_cookies >= 1 and stats.logins > logins
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


@pytest.mark.slow  # a 2 MB zip: the client keeps whole 1 MiB blocks
def test_a_dropped_transfer_resumes_with_a_range_through_the_login(tmp_path):
    plan = FaultPlan(sftp_drop=1.0, streak_limit=1, seed=1)  # cut past the first MiB
    with SimulatedAsf(pixels=512, users={USER: PASSWORD}, faults=plan) as asf:
        catalog = CmrCatalog(url=asf.cmr_url, datapool_url=asf.datapool_url,
                             ca_bundle=asf.ca_file)
        granule = next(catalog.search(Query("alos-rtc-fbd", "2008-06-01T04:00",
                                            "2008-06-01T05:00")))
        dest = tmp_path / granule.file_name
        with pytest.raises(TransientFetchError, match=r"broke off|short"):
            _fetch(asf, granule, dest, username=USER, password=PASSWORD)
        part = Path(str(dest) + ".part")
        kept = part.stat().st_size
        done = _fetch(asf, granule, dest, username=USER, password=PASSWORD)
        assert asf.stats().faults.get("drop", 0) == 1
    assert 0 < kept < granule.size and done.resumed_from == kept
    assert "md5:" + hashlib.md5(dest.read_bytes()).hexdigest() == granule.checksum
