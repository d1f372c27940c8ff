"""pairs score on the simulated LandsatLook: every pair ends scored or failed, by Range reads."""

import shutil

import pytest

from pairs_sims import AOI, PERIOD, point_at, simulators
from swathkit.jobs.pairs.score import score_pairs
from swathkit.jobs.pairs.search import search_pairs
from swathkit.jobs.pairs.status import pairs_status
from swathkit.process.overlap import ScoreRules
from swathkit.stores.pair_table import PairTable
from swathkit.transfer.retry import RetryPolicy

pytestmark = pytest.mark.slow  # the simulators build their catalogues and files

FAST_RETRY = RetryPolicy(max_attempts=12, base_delay=0.01, max_delay=0.05, seed=0)


@pytest.fixture
def searched(env, tmp_path):
    table = tmp_path / "pairs.parquet"
    search_pairs(table, [AOI], *PERIOD, cache_dir=tmp_path / "cache")
    return table


def test_every_candidate_is_scored_reading_a_part_of_the_tiles(searched):
    report = score_pairs(searched, block_size=1024, head=1024)
    rows = PairTable(searched).rows()
    assert report.counts["to_score"] == len(rows) > 0
    assert {r.state for r in rows} == {"scored"} and not report.failures
    for r in rows:
        assert r.score is not None and r.score.within == "footprint"
        assert r.score.n > 0 and r.score.decision in ("keep", "reject")
    e = report.extras
    # a pair whose tiles an earlier pair read gets them from the opener's cache
    assert len(e.pairs) == len(rows) and all(p.fetched < p.file_bytes for p in e.pairs)
    assert 0 < report.bytes == sum(p.fetched for p in e.pairs) < e.file_bytes


def test_the_table_is_the_same_whatever_the_block_size_and_cache(searched, tmp_path):
    other = tmp_path / "other.parquet"
    shutil.copy(searched, other)  # the same candidates, zip columns and all
    small = score_pairs(searched, block_size=512)
    large = score_pairs(other, block_size=256 * 1024)
    assert small.counts == large.counts and not small.failures
    assert searched.read_bytes() == other.read_bytes()


def test_the_table_is_the_same_whatever_the_number_of_workers(searched, tmp_path):
    other = tmp_path / "other.parquet"
    shutil.copy(searched, other)
    one = score_pairs(searched, workers=1, batch=1)
    many = score_pairs(other, workers=4, batch=1)  # pairs finish in any order
    assert one.counts == many.counts and not one.failures
    assert [p.sar_id for p in one.extras.pairs] == [p.sar_id for p in many.extras.pairs]
    assert one.bytes == many.bytes and one.extras.requests == many.extras.requests
    assert searched.read_bytes() == other.read_bytes()


def test_rerun_scores_nothing_and_leaves_the_table_as_it_was(searched):
    score_pairs(searched)
    data = searched.read_bytes()
    again = score_pairs(searched)
    assert again.counts["to_score"] == 0 and again.bytes == 0
    assert searched.read_bytes() == data


def test_bbox_rule_counts_more_pixels(searched, tmp_path):
    score_pairs(searched)
    inside = {r.key: r.score.n for r in PairTable(searched).rows()}
    boxed = tmp_path / "boxed.parquet"
    PairTable(boxed).add_candidates(r.candidate for r in PairTable(searched).rows())
    score_pairs(boxed, rules=ScoreRules(within="bbox"))
    for r in PairTable(boxed).rows():
        assert r.score.within == "bbox" and r.score.n >= inside[r.key]


def test_without_the_login_each_pair_fails_with_its_reason_then_a_rerun_scores_them(
        searched, env, monkeypatch):
    point_at(monkeypatch, *env, login=False)
    report = score_pairs(searched)
    rows = PairTable(searched).rows()
    assert {r.state for r in rows} == {"failed"} and len(report.failures) == len(rows)
    assert all("login form" in r.failure for r in rows)
    assert {f.kind.value for f in report.failures} == {"auth"}
    funnel = pairs_status(searched)
    assert [s.items for s in funnel.stages][1:] == [len(rows), 0, 0]
    assert {f.kind.value for f in funnel.failures} == {"auth"}
    assert sorted(f.item for f in funnel.failures) == sorted(f.item for f in report.failures)
    point_at(monkeypatch, *env, login=True)
    again = score_pairs(searched)
    assert again.counts["scored"] == len(rows)
    assert {r.state for r in PairTable(searched).rows()} == {"scored"}


def test_a_faulty_archive_gives_the_same_table_as_a_clean_one(searched, tmp_path, monkeypatch):
    score_pairs(searched)
    clean = searched.read_bytes()
    with simulators(tmp_path / "faulty", faults="flaky") as sims:
        point_at(monkeypatch, *sims)
        table = tmp_path / "faulty.parquet"
        search_pairs(table, [AOI], *PERIOD, cache_dir=tmp_path / "cache2", retry=FAST_RETRY)
        report = score_pairs(table, retry=FAST_RETRY)
        assert sum(sims[1].stats().faults.values()) > 0  # faults were played
    assert not report.failures
    assert table.read_bytes() == clean


@pytest.mark.parametrize("workers", [1, 4])
def test_ctrl_c_keeps_what_was_scored_and_a_rerun_scores_the_rest(searched, workers):
    total = len(PairTable(searched).rows())

    def stop_after_one(done, _total, _item):
        if done == 1:
            raise KeyboardInterrupt

    first = score_pairs(searched, batch=5, workers=workers, progress=stop_after_one)
    kept = len(PairTable(searched).rows("scored"))
    # the workers stop at their next pair: what they finished meanwhile is kept too
    assert 1 <= kept <= total
    assert first.interrupted and first.exit_code == 130 and first.unfinished == total - kept
    rest = score_pairs(searched)
    assert rest.counts["to_score"] == total - kept and rest.counts["scored"] == total - kept
