"""pystac-client, unchanged, against the simulated stac-server."""

import pytest
import requests
from pystac_client import Client

pytestmark = pytest.mark.slow

AOI = {"type": "Polygon", "coordinates": [[[-91, 34], [-89, 34], [-89, 36], [-91, 36], [-91, 34]]]}


@pytest.fixture
def client(landsatlook, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(landsatlook.ca_file))
    return Client.open(landsatlook.stac_url)


def test_seed_search_returns_dswe_items_below_30_percent_cloud(client):
    search = client.search(collections=["landsat-c2l3-dswe"], intersects=AOI,
                           datetime="2008-06-01/2008-06-30", query=["eo:cloud_cover<30"],
                           max_items=100)
    items = list(search.items())
    assert items and len(items) == search.matched()
    for item in items:
        assert item.properties["eo:cloud_cover"] < 30
        assert "2008-06-01" <= item.datetime.strftime("%Y-%m-%d") <= "2008-06-30"
        assert len(item.properties["landsat:grid_horizontal"]) == 2
        assert item.assets["inwam"].href.endswith("_INWAM.TIF")
    raw = next(search.items_as_dicts())["properties"]
    assert raw["proj:epsg"] is None and raw["proj:shape"] == [5000, 5000]


def test_paging_through_next_links_gives_every_item_once_newest_first(client):
    search = client.search(collections=["landsat-c2l3-dswe"], intersects=AOI,
                           datetime="2008-06-01/2008-07-31", limit=7)
    pages = list(search.pages_as_dicts())
    ids = [f["id"] for p in pages for f in p["features"]]
    assert len(pages) > 2 and len(ids) == len(set(ids)) == search.matched()
    times = [f["properties"]["datetime"] for p in pages for f in p["features"]]
    assert times == sorted(times, reverse=True)


def test_max_items_alone_sends_no_limit_and_gets_pages_of_ten(client, landsatlook):
    search = client.search(collections=["landsat-c2l3-dswe"], intersects=AOI,
                           datetime="2008-06-01/2008-12-31", max_items=25)
    assert [len(p["features"]) for p in search.pages_as_dicts()] == [10, 10, 5]


def _post(sim, body):
    return requests.post(f"{sim.stac_url}/search", json=body, verify=str(sim.ca_file),
                         timeout=60)


def test_bbox_and_intersects_together_are_a_400(landsatlook):
    answer = _post(landsatlook, {"bbox": [-91, 34, -89, 36], "intersects": AOI})
    assert answer.status_code == 400
    assert "bbox OR intersects" in answer.json()["description"]


def test_paging_past_10000_results_is_refused_as_the_real_server_does(landsatlook):
    body = {"collections": ["landsat-c2l3-dswe"], "datetime": "2008-01-01/2008-02-29",
            "limit": 5000, "fields": {"include": ["id"]}}
    first = _post(landsatlook, body).json()
    assert first["numberMatched"] > 10_000
    second = _post(landsatlook, next(ln for ln in first["links"] if ln["rel"] == "next")["body"])
    assert second.status_code == 200 and len(second.json()["features"]) == 5000
    third = next(ln for ln in second.json()["links"] if ln["rel"] == "next")["body"]
    refused = _post(landsatlook, third)
    assert refused.status_code == 400
    assert "Result window is too large" in refused.json()["description"]


def test_query_numbers_sent_as_strings_compare_numerically(landsatlook):
    body = {"intersects": AOI, "datetime": "2008-01-01/2008-12-31", "limit": 200,
            "query": {"eo:cloud_cover": {"lt": "9.5"}}}
    features = _post(landsatlook, body).json()["features"]
    covers = [f["properties"]["eo:cloud_cover"] for f in features]
    assert covers and all(c < 9.5 for c in covers)
    assert any(c >= 1 for c in covers)  # "10" < "9.5" as text: a text comparison would fail


def test_get_search_and_landing_page_conformance(landsatlook):
    landing = requests.get(landsatlook.stac_url, verify=str(landsatlook.ca_file), timeout=60).json()
    assert any(c.endswith("item-search#query") for c in landing["conformsTo"])
    answer = requests.get(f"{landsatlook.stac_url}/search", verify=str(landsatlook.ca_file),
                          params={"bbox": "-91,34,-89,36", "datetime": "2008-06-01/2008-06-30",
                                  "sortby": "+properties.datetime", "limit": 3}, timeout=60).json()
    times = [f["properties"]["datetime"] for f in answer["features"]]
    assert len(times) == 3 and times == sorted(times)
