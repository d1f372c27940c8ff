"""The simulated NSIDC: CMR paging and filters over SMAP granules, releases, served bytes."""

import hashlib
from datetime import date

import pytest
import requests

from smap_sim import PASSWORD, USER, nsidc
from swathkit.archives.cmr import CmrCatalog
from swathkit.archives.earthdata import datapool_files, earthdata_auth
from swathkit.sim.nsidc.granules import granules_of_slot, releases
from swathkit.types import Query


@pytest.fixture
def sim(monkeypatch):
    with nsidc(monkeypatch) as s:
        yield s


def catalog(sim, page_size=2000):
    return CmrCatalog(url=sim.cmr_url, datapool_url=sim.datapool_url, ca_bundle=sim.ca_file,
                      page_size=page_size)


def test_pages_of_three_give_every_record_once_in_time_order(sim):
    query = Query("SPL3SMP", "2015-04-01", "2015-04-05T00:00:00")
    pages = list(catalog(sim, page_size=3).pages(query))
    names = [g.file_name for page in pages for g in page]
    assert catalog(sim).matched(query) == len(names) == len(set(names))
    assert len(pages) >= 3 and all(len(p) <= 3 for p in pages)
    assert names == sorted(names, key=lambda n: n.split("_")[4])
    assert "SMAP_L3_SM_P_20150401_R19240_002.h5" in names  # two counters of one CRID
    assert "SMAP_L3_SM_P_20150402_R18290_001.h5" in names  # and an older CRID


def test_a_record_carries_the_size_and_md5_of_the_served_file(sim):
    (g, *_) = catalog(sim).search(Query("SPL3SMP", "2015-04-03", "2015-04-03T12:00:00"))
    assert g.remote_path == "DP1/SMAP/SPL3SMP.009/2015.04.03/SMAP_L3_SM_P_20150403_R19240_001.h5"
    auth = earthdata_auth(urs_url=sim.urs_url, datapool_urls=(sim.datapool_url,),
                          username=USER, password=PASSWORD)
    session = datapool_files(sim.datapool_url, auth=auth, ca_bundle=sim.ca_file).open()
    try:
        data = b"".join(session.read(g.remote_path))
    finally:
        session.close()
    assert data.startswith(b"\x89HDF") and len(data) == g.size
    assert g.checksum == "md5:" + hashlib.md5(data).hexdigest()


def test_temporal_bbox_and_version_filters(sim):
    day = Query("SPL2SMP", "2015-04-01", "2015-04-02")
    europe = Query("SPL2SMP", "2015-04-01", "2015-04-02", bbox=(0, 40, 10, 50))
    c = catalog(sim)
    everything, some = c.matched(day), list(c.search(europe))
    assert everything > len(some) > 0
    assert all(g.start.date() <= date(2015, 4, 2) and g.end.date() >= date(2015, 4, 1)
               for g in some)
    assert c.matched(Query("SPL3SMP", "2014-01-01", "2014-02-01")) == 0  # before the mission
    form = [("shortName", "SPL3SMP"), ("version", "008"), ("page_size", "0")]
    answer = requests.post(sim.cmr_url + "search/granules.umm_json", data=form,
                           verify=sim.ca_file, timeout=10)
    assert answer.json()["hits"] == 0


def test_the_release_plan_has_regenerated_and_older_files():
    plans = [releases(slot) for slot in range(12)]
    assert any(("R19240", 2) in p for p in plans) and any(("R18290", 1) in p for p in plans)
    assert all(("R19240", 1) in p for p in plans)
    rows = [g.row for s in range(3) for g in granules_of_slot("SPL3SMP", s)]
    assert rows == sorted(set(rows))


def test_an_unknown_path_is_not_found_and_no_file_is_made(sim):
    answer = requests.get(sim.datapool_url + "DP1/SMAP/SPL3SMP.009/2015.04.03/nope.h5",
                          verify=sim.ca_file, timeout=10)
    assert answer.status_code == 404 and sim.stats().files_generated == 0


def test_the_radar_is_asf_s_on_its_own_datapool_and_only_in_the_radar_s_life(sim):
    radar = CmrCatalog(url=sim.cmr_url, datapool_url=sim.asf_datapool_url, ca_bundle=sim.ca_file)
    found = list(radar.search(Query("SPL1CS0", "2015-07-06", "2015-07-06T06:00:00")))
    assert found and all(g.remote_path.startswith("L1C_S0_HIRES/SP/SMAP_L1C_S0_HIRES_")
                         for g in found)
    assert radar.matched(Query("SPL1CS0", "2015-07-08", "2015-08-01")) == 0  # radar failed
    form = [("shortName", "SPL1CS0"), ("provider", "NSIDC_ECS"), ("page_size", "0")]
    answer = requests.post(sim.cmr_url + "search/granules.umm_json", data=form,
                           verify=sim.ca_file, timeout=10)
    assert answer.json()["hits"] == 0  # not NSIDC's
    made = sim.stats().files_generated  # the records' MD5s made the files found
    on_nsidc = requests.get(sim.datapool_url + found[0].remote_path, verify=sim.ca_file,
                            timeout=10, allow_redirects=False)
    assert on_nsidc.status_code == 404 and sim.stats().files_generated == made
