"""CmrCatalog against the simulated CMR: records to Granules, paging, counts, multi-part AOIs."""

import pytest
import shapely
from shapely.geometry import box, shape

from swathkit.archives.cmr import CmrCatalog, granule_of
from swathkit.errors import InputError, ThrottledError
from swathkit.geodata.usa import USA_PARTS
from swathkit.sim.cmr.asf import SimulatedAsf
from swathkit.sim.faults import FaultPlan
from swathkit.transfer.retry import RetryPolicy
from swathkit.types import Query

HOURS = Query("alos-rtc-fbd", "2008-06-01T00:00", "2008-06-01T06:00")


@pytest.fixture(scope="module")
def sim():
    with SimulatedAsf(pixels=16) as asf:
        yield asf


def _catalog(sim, **options):
    return CmrCatalog(url=sim.cmr_url, datapool_url=sim.datapool_url, ca_bundle=sim.ca_file,
                      **options)


@pytest.mark.slow  # the first to build the catalogue and some zips
def test_granules_carry_size_md5_footprint_and_a_datapool_path(sim):
    granule = next(_catalog(sim).search(HOURS))
    assert granule.id.endswith("-RTC_HI_RES") and granule.size and granule.size > 0
    assert granule.checksum.startswith("md5:") and len(granule.checksum) == 36
    assert granule.remote_path.startswith("RTC_HI_RES/A3/AP_")
    assert granule.file_name.endswith("_RT1.zip")
    assert shape(granule.footprint).is_valid
    assert HOURS.start <= granule.start < HOURS.end


def test_small_pages_give_the_same_granules_as_one_big_page(sim):
    small = _catalog(sim, page_size=4)
    pages = list(small.pages(HOURS))
    flat = [g.id for page in pages for g in page]
    assert len(pages) > 2 and all(len(p) <= 4 for p in pages)
    assert flat == [g.id for g in _catalog(sim).search(HOURS)]
    assert len(flat) == len(set(flat)) == small.matched(HOURS)


def test_a_multi_part_aoi_is_searched_part_by_part_on_its_true_geometry(sim):
    parts = list(USA_PARTS.values())
    catalog = _catalog(sim, aoi=parts)
    found = list(catalog.search(HOURS))
    assert found and all(any(p.intersects(shape(g.footprint)) for p in parts) for g in found)
    assert len({g.id for g in found}) == len(found)
    # one hull of all parts would cross the Pacific and the Canadian interior
    hull = shapely.MultiPolygon(parts).convex_hull
    everything = list(_catalog(sim, aoi=[hull]).search(HOURS))
    assert {g.id for g in found} <= {g.id for g in everything}


def test_count_is_hits_at_page_size_zero(sim):
    catalog = _catalog(sim, aoi=[box(-125, 24, -66, 50)])
    assert catalog.matched(HOURS) == len(list(catalog.search(HOURS)))


def test_an_unknown_product_is_an_input_error(sim):
    with pytest.raises(InputError, match="alos-rtc-fbd"):
        _catalog(sim).matched(Query("sentinel", "2008-06-01", "2008-06-02"))


def test_throttled_pages_are_retried_and_give_up_when_the_policy_does():
    plan = FaultPlan(http_429=1.0, retry_after=0, streak_limit=2)
    with SimulatedAsf(pixels=16, faults=plan) as asf:
        patient = _catalog(asf, retry=RetryPolicy(max_attempts=4, base_delay=0.0))
        assert patient.matched(HOURS) > 0
        assert asf.stats().faults.get("http_429", 0) == 2
        impatient = _catalog(asf, retry=RetryPolicy(max_attempts=1))
        with pytest.raises(ThrottledError):
            impatient.matched(Query("alos-rtc-fbd", "2008-06-02", "2008-06-03"))


def test_a_record_without_times_is_a_broken_answer():
    from swathkit.errors import TransientFetchError

    with pytest.raises(TransientFetchError):
        granule_of({"umm": {"GranuleUR": "x"}}, product="alos-rtc-fbd", datapool_url="https://d")


NSIDC_ITEM = {
    "meta": {"concept-id": "G2938353645-NSIDC_ECS"},
    "umm": {
        "GranuleUR": "SC:SPL3SMP.009:288432141",
        "TemporalExtent": {"RangeDateTime": {"BeginningDateTime": "2023-01-01T00:00:00.000Z",
                                             "EndingDateTime": "2023-01-01T23:59:59.999Z"}},
        "SpatialExtent": {"HorizontalSpatialDomain": {"Geometry": {"BoundingRectangles": [
            {"WestBoundingCoordinate": -180.0, "SouthBoundingCoordinate": -85.044,
             "EastBoundingCoordinate": 180.0, "NorthBoundingCoordinate": 85.044}]}}},
        "RelatedUrls": [{"Type": "GET DATA", "URL": "https://n5eil01u.ecs.nsidc.org/DP4/SMAP/"
                         "SPL3SMP.009/2023.01.01/SMAP_L3_SM_P_20230101_R19240_001.h5"}],
        "DataGranule": {"ArchiveAndDistributionInformation": [
            {"Name": "SMAP_L3_SM_P_20230101_R19240_001.h5.iso.xml", "SizeInBytes": 10,
             "Checksum": {"Value": "0" * 32, "Algorithm": "MD5"}},
            {"Name": "SMAP_L3_SM_P_20230101_R19240_001.h5", "SizeInBytes": 38467211,
             "Checksum": {"Value": "3c2f5e0d4f1b8e6a9a0c1d2e3f405162", "Algorithm": "MD5"}}]},
    },
}


@pytest.mark.timeout(10)
def test_an_nsidc_record_gives_the_data_file_size_md5_and_its_rectangle():
    g = granule_of(NSIDC_ITEM, product="smap-spl3smp",
                   datapool_url="https://n5eil01u.ecs.nsidc.org")
    assert g.remote_path == "DP4/SMAP/SPL3SMP.009/2023.01.01/SMAP_L3_SM_P_20230101_R19240_001.h5"
    assert g.size == 38467211  # the .h5's entry, not the sidecar's
    assert g.checksum == "md5:3c2f5e0d4f1b8e6a9a0c1d2e3f405162"
    assert g.footprint is not None and g.footprint["coordinates"][0][2] == [180.0, 85.044]
