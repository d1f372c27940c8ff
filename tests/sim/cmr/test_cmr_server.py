"""The simulated CMR speaks granules.umm_json: forms, counts, paging, sorting, errors, faults."""

import json

import pytest
import requests
import shapely
from shapely.geometry import shape

from swathkit.sim.cmr.asf import SimulatedAsf
from swathkit.sim.cmr.server import UMM_JSON
from swathkit.sim.cmr.umm import COLLECTION_IDS
from swathkit.sim.faults import FaultPlan

DAY = ("2008-06-01T00:00:00Z", "2008-06-01T12:00:00Z")  # as conftest.DAY

SEED_FORM = [("attribute[]", "string,BEAM_MODE,FBD"), ("attribute[]", "string,POLARIZATION,HH+HV"),
             ("instrument[]", "PALSAR"), ("shortName", "ALOS_PSR_RTC_HIGH"),
             ("temporal", f"{DAY[0]},{DAY[1]},"), ("options[temporal][and]", "true"),
             ("sort_key[]", "-end_date"), ("sort_key[]", "granule_ur"),
             ("options[platform][ignore_case]", "true"), ("provider", "ASF")]


def _post(sim, form, *, after=None, page_size=250):
    headers = {"CMR-Search-After": after} if after else {}
    return requests.post(f"{sim.cmr_url}search/granules.umm_json",
                         data=[*form, ("page_size", str(page_size))], headers=headers,
                         verify=str(sim.ca_file), timeout=30)


def test_a_count_has_hits_and_no_items(asf_sim):
    answer = _post(asf_sim, SEED_FORM, page_size=0)
    body = answer.json()
    assert answer.status_code == 200 and answer.headers["Content-Type"] == UMM_JSON
    assert body["items"] == [] and body["hits"] > 10
    assert answer.headers["CMR-Hits"] == str(body["hits"])


def test_both_collection_forms_and_get_find_the_same_scenes(asf_sim):
    by_name = _post(asf_sim, SEED_FORM, page_size=0).json()["hits"]
    old = [p for p in SEED_FORM if p[0] != "shortName"]
    old += [("echo_collection_id[]", c) for c in COLLECTION_IDS]
    by_id = _post(asf_sim, old, page_size=0).json()["hits"]
    got = requests.get(f"{asf_sim.cmr_url}search/granules.umm_json",
                       params=[*SEED_FORM, ("page_size", "0")], verify=str(asf_sim.ca_file),
                       timeout=30).json()["hits"]
    other = [*old[:-2], ("echo_collection_id[]", "C0000000-ASF")]
    assert by_name == by_id == got > 0
    assert _post(asf_sim, other, page_size=0).json()["hits"] == 0


@pytest.mark.slow  # a zip per record: ~35 records
def test_search_after_pages_give_every_scene_once_in_the_asked_order(asf_sim):
    hits = _post(asf_sim, SEED_FORM, page_size=0).json()["hits"]
    names, after = [], None
    while True:
        answer = _post(asf_sim, SEED_FORM, after=after, page_size=7)
        items = answer.json()["items"]
        if not items:
            break
        names += [(i["umm"]["TemporalExtent"]["RangeDateTime"]["EndingDateTime"],
                   i["umm"]["GranuleUR"]) for i in items]
        after = answer.headers["CMR-Search-After"]
        json.loads(after)  # a JSON list, as CMR sends
    assert len(names) == hits == len(set(names))
    ends = [n[0] for n in names]
    assert ends == sorted(ends, reverse=True)  # sort_key[]=-end_date


def test_a_record_has_what_asf_publishes(asf_sim):
    item = _post(asf_sim, SEED_FORM, page_size=1).json()["items"][0]
    umm = item["umm"]
    points = umm["SpatialExtent"]["HorizontalSpatialDomain"]["Geometry"]["GPolygons"][0][
        "Boundary"]["Points"]
    attrs = {a["Name"]: a["Values"][0] for a in umm["AdditionalAttributes"]}
    url = next(u["URL"] for u in umm["RelatedUrls"] if u["Type"] == "GET DATA")
    assert points[0] == points[-1] and len(points) == 5
    assert shape({"type": "Polygon", "coordinates": [[[p["Longitude"], p["Latitude"]]
                                                       for p in points]]}).exterior.is_ccw
    assert umm["GranuleUR"].startswith("ALPSRP") and umm["GranuleUR"].endswith("-RTC_HI_RES")
    assert url.startswith(asf_sim.datapool_url + "RTC_HI_RES/A3/AP_") and "_FBD_F" in url
    assert len(attrs["MD5SUM"]) == 32 and float(attrs["BYTES"]) > 0
    assert attrs["BYTES"].endswith(".0") and attrs["BEAM_MODE"] == "FBD"
    size_mb = umm["DataGranule"]["ArchiveAndDistributionInformation"][0]["Size"]
    assert abs(size_mb * 2**20 - float(attrs["BYTES"])) < 1
    assert umm["Platforms"][0]["Instruments"][0]["ShortName"] == "PALSAR"


@pytest.mark.slow  # a zip per record
def test_a_polygon_keeps_only_scenes_that_meet_it(asf_sim):
    ring = [(-104, 36), (-92, 36), (-97, 45), (-104, 36)]
    form = [*SEED_FORM[:4], ("temporal", "2008-06-01T00:00:00Z,2008-06-08T00:00:00Z,"),
            ("polygon", ",".join(f"{x},{y}" for x, y in ring))]
    items = _post(asf_sim, form, page_size=100).json()["items"]
    polygon = shapely.Polygon(ring)
    assert items and all(polygon.intersects(shape({"type": "Polygon", "coordinates": [[
        [p["Longitude"], p["Latitude"]] for p in i["umm"]["SpatialExtent"][
            "HorizontalSpatialDomain"]["Geometry"]["GPolygons"][0]["Boundary"]["Points"]]]}))
        for i in items)


@pytest.mark.parametrize(("form", "message"), [
    ([("page_size", "2001")], "page_size"),
    ([("colour", "red")], "Parameter [colour] was not recognized"),
    ([("polygon", "-100,40,-97,45,-95,40,-100,40")], "clockwise"),
    ([("polygon", "-100,40,-95,40,-97,45")], "polygon"),
    ([("temporal", "yesterday,")], "temporal"),
    ([("sort_key[]", "colour")], "sort key"),
])
def test_a_bad_request_is_a_400_with_cmr_errors(asf_sim, form, message):
    answer = requests.post(f"{asf_sim.cmr_url}search/granules.umm_json", data=form,
                           verify=str(asf_sim.ca_file), timeout=30)
    assert answer.status_code == 400
    assert message in answer.json()["errors"][0]


def test_a_forged_search_after_is_refused(asf_sim):
    answer = _post(asf_sim, SEED_FORM, after="[1, 2, 3, 4]", page_size=5)
    assert answer.status_code == 400 and "CMR-Search-After" in answer.json()["errors"][0]


def test_throttling_answers_429_with_retry_after_in_cmr_errors():
    plan = FaultPlan(http_429=1.0, retry_after=7, streak_limit=1)
    with SimulatedAsf(pixels=16, faults=plan) as sim:
        first = _post(sim, SEED_FORM, page_size=0)
        second = _post(sim, SEED_FORM, page_size=0)
    assert first.status_code == 429 and first.headers["Retry-After"] == "7"
    assert first.json()["errors"]
    assert second.status_code == 200  # the streak limit lets a retry through
