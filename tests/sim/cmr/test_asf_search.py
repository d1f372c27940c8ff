"""asf_search 14, unchanged, against the simulated ASF: search, count, login and download.

What asf_search needs to be pointed at the simulator: ``ASFSearchOptions(host="127.0.0.1:PORT")``
for CMR, an ``ASFSession(edl_host=…, asf_auth_host=…)`` for Earthdata Login, and the CA
through ``REQUESTS_CA_BUNDLE`` (requests lets that variable override ``session.verify``).
"""

import hashlib
import warnings

import asf_search as asf
import pytest

USER, PASSWORD = "alice", "correct horse"  # as conftest
WKT = "POLYGON((-104 36,-92 36,-97 45,-104 36))"
HOURS = {"start": "2008-06-01T00:00:00Z", "end": "2008-06-01T05:00:00Z"}  # a few scenes
# asf_search 14.1's own WKT repair calls the deprecated shapely.ops.transform
pytestmark = pytest.mark.filterwarnings("ignore:The 'shapely.ops.transform:DeprecationWarning")
SEED_QUERY = dict(platform=asf.PLATFORM.ALOS, instrument=asf.INSTRUMENT.PALSAR,
                  processingLevel=asf.PRODUCT_TYPE.RTC_HIGH_RES,
                  polarization=asf.POLARIZATION.HH_HV, beamMode=asf.BEAMMODE.FBD)


def _session(sim):
    return asf.ASFSession(edl_host=sim.urs_url.split("/")[2],
                          asf_auth_host=sim.datapool_url.split("/")[2])


@pytest.mark.slow  # a zip per record
def test_the_seeds_search_works_unchanged(asf_ca):
    opts = asf.ASFSearchOptions(host=asf_ca.cmr_host, session=_session(asf_ca))
    results = asf.search(**SEED_QUERY, intersectsWith=WKT, start="2008-06-01",
                         end="2008-06-10", maxResults=2000, opts=opts)
    count = asf.search_count(**SEED_QUERY, intersectsWith=WKT, start="2008-06-01",
                             end="2008-06-10", opts=opts)
    product = results[0]
    assert len(results) == count > 0
    assert type(product).__name__ == "ALOSProduct"
    assert product.properties["fileName"].startswith("AP_")
    assert product.properties["bytes"] > 0 and len(product.properties["md5sum"]) == 32
    assert product.umm["SpatialExtent"]["HorizontalSpatialDomain"]["Geometry"]["GPolygons"]


@pytest.mark.slow  # a zip per record of the page
def test_max_results_stops_paging(asf_ca):
    opts = asf.ASFSearchOptions(host=asf_ca.cmr_host, session=_session(asf_ca))
    results = asf.search(**SEED_QUERY, **HOURS, maxResults=3,
                         opts=opts)
    assert len(results) == 3


@pytest.mark.slow  # a login and a download
def test_auth_with_creds_then_download_gives_the_published_bytes(asf_ca, tmp_path):
    session = _session(asf_ca).auth_with_creds(USER, PASSWORD)
    opts = asf.ASFSearchOptions(host=asf_ca.cmr_host, session=session)
    product = asf.search(**SEED_QUERY, **HOURS, maxResults=1,
                         opts=opts)[0]
    before = asf_ca.stats().authorization_rejected
    product.download(str(tmp_path), session=session)
    data = (tmp_path / product.properties["fileName"]).read_bytes()
    assert hashlib.md5(data).hexdigest() == product.properties["md5sum"]
    assert len(data) == product.properties["bytes"]
    assert asf_ca.stats().authorization_rejected == before  # the bearer never reached S3


def test_a_wrong_password_is_refused_by_earthdata_login(asf_ca):
    with pytest.raises(asf.ASFAuthenticationError):
        _session(asf_ca).auth_with_creds(USER, "wrong")


def test_download_skips_an_existing_file_without_checking_it(asf_ca, tmp_path):
    """The seed's hazard: a truncated zip survives a re-run (MD5SUM/BYTES would catch it)."""
    session = _session(asf_ca).auth_with_creds(USER, PASSWORD)
    opts = asf.ASFSearchOptions(host=asf_ca.cmr_host, session=session)
    product = asf.search(**SEED_QUERY, **HOURS, maxResults=1,
                         opts=opts)[0]
    (tmp_path / product.properties["fileName"]).write_bytes(b"PK truncated")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        product.download(str(tmp_path), session=session)
    assert (tmp_path / product.properties["fileName"]).read_bytes() == b"PK truncated"
