"""pairs search against the simulated ASF and LandsatLook: candidates, requests, the cache."""

import pytest

from pairs_sims import AOI, PERIOD
from swathkit.archives.stac import StacCatalog
from swathkit.jobs.pairs.harvest import harvest
from swathkit.stores.pair_table import PairTable
from swathkit.types import utc

pytestmark = pytest.mark.slow  # the simulators build their catalogues and files


def test_search_finds_candidates_and_counts_its_requests(env, tmp_path):
    _, ll, _ = env
    table = tmp_path / "pairs.parquet"
    before = ll.stats().searches
    report = search(table, tmp_path / "cache")
    c, e = report.counts, report.extras
    assert c["scenes"] >= c["candidates"] > 0 and c["added"] == c["candidates"]
    assert e.stac_requests == ll.stats().searches - before  # counted as the server saw them
    assert e.per_scene_stac_requests >= c["scenes"] and e.cmr_requests >= 1
    rows = PairTable(table).rows()
    assert len(rows) == c["candidates"] and {r.state for r in rows} == {"candidate"}
    for r in rows:
        assert r.candidate.region == "CU" and r.candidate.dswe_ids
        assert abs(r.candidate.dt_seconds) <= 86_400


def test_rerun_reuses_the_harvest_and_adds_nothing(env, tmp_path):
    _, ll, _ = env
    table = tmp_path / "pairs.parquet"
    first = search(table, tmp_path / "cache")
    data = table.read_bytes()
    searches = ll.stats().searches
    again = search(table, tmp_path / "cache")
    assert ll.stats().searches == searches  # no STAC request at all
    assert again.extras.stac_requests == 0
    assert again.extras.cached_chunks == again.extras.harvest_chunks
    assert again.counts["candidates"] == first.counts["candidates"]
    assert again.counts["added"] == 0 and table.read_bytes() == data


def test_a_window_over_the_cap_is_split_and_gives_the_same_footprints(env, tmp_path):
    catalog = StacCatalog(max_cloud=30, page_size=500)
    start, end = PERIOD
    whole = harvest(catalog, [AOI], utc(start), utc(end), tmp_path / "a", chunk_days=61)
    split = harvest(catalog, [AOI], utc(start), utc(end), tmp_path / "b", chunk_days=61,
                    cap=4)
    assert whole.splits == 0 and split.splits > 0 and split.windows > whole.windows
    assert [f.id for f in split.footprints] == [f.id for f in whole.footprints]
    assert all(AOI.intersects(f.polygon) for f in whole.footprints)


def search(table, cache, **options):
    from swathkit.jobs.pairs.search import search_pairs

    return search_pairs(table, [AOI], *PERIOD, cache_dir=cache, **options)
