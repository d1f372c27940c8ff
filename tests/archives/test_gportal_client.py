"""The G-Portal client against the simulated portal's real HTTP catalogue."""

import pytest

from swathkit.archives.gportal import GPortalCatalog, remote_path
from swathkit.errors import PermanentFetchError, ThrottledError
from swathkit.sim.faults import FaultPlan
from swathkit.sim.gportal.server import SimulatedGPortal
from swathkit.transfer.retry import RetryPolicy, retrying
from swathkit.types import Query

DAY = Query("amsr2-l1b", "2022-02-16T00:00", "2022-02-17T00:00")


@pytest.fixture(scope="module")
def portal():
    with SimulatedGPortal(scans=20) as sim:
        yield sim


def test_matched_count_and_paging_agree(portal):
    catalog = GPortalCatalog(portal.catalog_url)
    everything = [g.id for g in catalog.search(DAY)]
    assert catalog.matched(DAY) == len(everything) >= 28
    assert [g.id for g in catalog.search(DAY, page_size=7)] == everything
    assert len(everything) == len(set(everything))


def test_granules_carry_paths_times_and_versions(portal):
    granule = next(GPortalCatalog(portal.catalog_url).search(DAY))
    assert granule.remote_path.startswith("standard/GCOM-W/GCOM-W.AMSR2/L1B/2/2022/02/")
    assert granule.file_name == granule.id + ".h5"
    assert granule.start < granule.end
    assert granule.properties["orbitDirection"] in ("A", "D")
    assert granule.properties["processingDate"] and granule.properties["algorithmVersion"]


def test_orbit_filter(portal):
    catalog = GPortalCatalog(portal.catalog_url)
    query = Query("amsr2-l1b", DAY.start, DAY.end, orbit="D")
    directions = {g.properties["orbitDirection"] for g in catalog.search(query)}
    assert directions == {"D"}


def test_throttled_catalogue_is_retried_through():
    plan = FaultPlan(http_503=0.3, http_429=0.3, retry_after=0)
    with SimulatedGPortal(faults=plan, scans=20) as sim:
        bare = GPortalCatalog(sim.catalog_url)
        with pytest.raises(ThrottledError):
            for _ in range(20):
                bare.matched(DAY)
        patient = GPortalCatalog(sim.catalog_url, retry=retrying(
            RetryPolicy(base_delay=0.01, max_delay=0.05, max_attempts=10, seed=1)))
        assert len(list(patient.search(DAY, page_size=5))) >= 28


def test_remote_path_of_a_download_url():
    url = ("https://gportal.jaxa.jp/download/standard/GCOM-W/GCOM-W.AMSR2/L1B/2/2022/02/"
           "GW1AM2_202202160040_188D_L1SGBTBR_2220220.h5")
    assert remote_path(url).startswith("standard/GCOM-W/")
    with pytest.raises(PermanentFetchError):
        remote_path("https://example.org/x.h5")
