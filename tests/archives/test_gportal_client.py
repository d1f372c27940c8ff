"""The G-Portal client against the simulated portal's real HTTPS catalogue."""

import pytest

from swathkit.archives.gportal import GPortalCatalog, remote_path
from swathkit.errors import InputError, PermanentFetchError, ThrottledError
from swathkit.sim.faults import FaultPlan
from swathkit.sim.gportal.server import SimulatedGPortal
from swathkit.transfer.retry import RetryPolicy
from swathkit.types import Query

DAY = Query("amsr2-l1b", "2022-02-16T00:00", "2022-02-17T00:00")


@pytest.fixture(scope="module")
def portal():
    with SimulatedGPortal(scans=20) as sim:
        yield sim


def test_matched_count_and_paging_agree(portal):
    catalog = GPortalCatalog(portal.catalog_url, ca_bundle=portal.ca_file)
    everything = [g.id for g in catalog.search(DAY)]
    assert catalog.matched(DAY) == len(everything) >= 28
    assert [g.id for g in catalog.search(DAY, page_size=7)] == everything
    assert len(everything) == len(set(everything))


def test_granules_carry_paths_times_and_versions(portal):
    granule = next(GPortalCatalog(portal.catalog_url, ca_bundle=portal.ca_file).search(DAY))
    assert granule.remote_path.startswith("standard/GCOM-W/GCOM-W.AMSR2/L1B/2/2022/02/")
    assert granule.file_name == granule.id + ".h5"
    assert granule.start < granule.end
    assert granule.properties["orbitDirection"] in ("A", "D")
    assert granule.properties["processingDate"] and granule.properties["algorithmVersion"]


def test_orbit_filter(portal):
    catalog = GPortalCatalog(portal.catalog_url, ca_bundle=portal.ca_file)
    query = Query("amsr2-l1b", DAY.start, DAY.end, orbit="D")
    directions = {g.properties["orbitDirection"] for g in catalog.search(query)}
    assert directions == {"D"}


def test_throttled_catalogue_is_retried_through():
    plan = FaultPlan(http_503=0.3, http_429=0.3, retry_after=0)
    with SimulatedGPortal(faults=plan, scans=20) as sim:
        bare = GPortalCatalog(sim.catalog_url, ca_bundle=sim.ca_file)
        with pytest.raises(ThrottledError):
            for _ in range(20):
                bare.matched(DAY)
        patient = GPortalCatalog(sim.catalog_url, ca_bundle=sim.ca_file, retry=RetryPolicy(
            base_delay=0.01, max_delay=0.05, max_attempts=10, seed=1))
        assert len(list(patient.search(DAY, page_size=5))) >= 28


def test_remote_path_of_a_download_url():
    url = ("https://gportal.jaxa.jp/download/standard/GCOM-W/GCOM-W.AMSR2/L1B/2/2022/02/"
           "GW1AM2_202202160040_188D_L1SGBTBR_2220220.h5")
    assert remote_path(url).startswith("standard/GCOM-W/")
    with pytest.raises(PermanentFetchError):
        remote_path("https://example.org/x.h5")


def test_a_bad_request_is_permanent_and_quotes_the_server(portal):
    catalog = GPortalCatalog(portal.catalog_url.replace("/csw/csw", "/nothing"),
                             ca_bundle=portal.ca_file)
    with pytest.raises(PermanentFetchError, match=r"404 Not Found: .*no such path"):
        catalog.matched(DAY)


def test_an_unknown_product_is_an_input_error(portal):
    with pytest.raises(InputError, match="amsr2-l1b"):
        GPortalCatalog(portal.catalog_url, ca_bundle=portal.ca_file).matched(
            Query("smap-l3", DAY.start, DAY.end))


def test_the_catalogue_is_refused_without_its_ca(portal):
    before = portal.stats().requests_served
    with pytest.raises(PermanentFetchError, match="certificate does not verify"):
        GPortalCatalog(portal.catalog_url).matched(DAY)
    assert portal.stats().requests_served == before
