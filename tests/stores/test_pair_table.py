"""The GeoParquet pair table: upserts by (SAR id, DSWE date), same rows → same bytes."""

from datetime import UTC, date, datetime, timedelta

import pytest
import shapely

from swathkit.errors import StoreError
from swathkit.process.coincidence import Candidate
from swathkit.process.overlap import CLASS_CODES, OverlapScore
from swathkit.stores.pair_table import PairRow, PairTable, SceneFile

T0 = datetime(2008, 2, 24, 4, 13, 21, tzinfo=UTC)


def candidate(i: int, day: int = 0) -> Candidate:
    when = T0 + timedelta(days=i)
    tile = f"LT05_CU_019013_{(when + timedelta(days=day)):%Y%m%d}_20200101_02_DSWE"  # item id
    return Candidate(
        sar_id=f"ALPSRP{i:05d}0580-RTC_HI_RES", sar_name=f"AP_{i:05d}_FBD_F0580_RT1",
        sar_time=when, sar_polygon=shapely.box(-90.4 + i, 30.1, -89.7 + i, 30.7),
        dswe_date=(when + timedelta(days=day)).date(), region="CU", dswe_ids=(tile,),
        dswe_times=(when + timedelta(days=day, hours=13),), tiles=((19, 13),),
        dt_seconds=13 * 3600.0)


def a_score(water: int, decision: str = "keep") -> OverlapScore:
    counts = tuple((c, water if c == 1 else 10) for c in CLASS_CODES)
    n = sum(k for _, k in counts)
    return OverlapScore(counts, 0, n, 1 - 20 / n, water / n, "footprint", decision,
                        () if decision == "keep" else ("water 0.010 < 0.05",))


def test_rows_round_trip(tmp_path):
    table = PairTable(tmp_path / "pairs.parquet")
    table.add_candidates([candidate(1)])
    table.record([PairRow(candidate(1)).scored(a_score(40))])
    [row] = table.rows()
    assert row == PairRow(candidate(1)).scored(a_score(40))


def test_recording_the_same_scores_again_leaves_the_same_bytes(tmp_path):
    path = tmp_path / "pairs.parquet"
    table = PairTable(path)
    table.add_candidates([candidate(2), candidate(1)])
    table.record([PairRow(candidate(1)).scored(a_score(40)),
                  PairRow(candidate(2)).failed("tile unreadable")])
    table.compact()
    first = path.read_bytes()
    table.add_candidates([candidate(1), candidate(2)])
    table.record([PairRow(candidate(1)).scored(a_score(40))])
    table.record(table.rows())
    table.compact()
    assert path.read_bytes() == first and not table.journal.exists()


def test_a_batch_goes_to_the_journal_not_into_a_rewrite_of_the_table(tmp_path):
    path = tmp_path / "pairs.parquet"
    table = PairTable(path)
    table.add_candidates([candidate(i) for i in range(4)])
    before = path.read_bytes()
    table.record([PairRow(candidate(3)).scored(a_score(40))])
    table.record([PairRow(candidate(0)).failed("timeout")])
    assert path.read_bytes() == before and len(list(table.journal.iterdir())) == 2
    assert [r.state for r in table.rows()] == ["failed", "candidate", "candidate", "scored"]
    assert [r.state for r in PairTable(path).rows()] == [r.state for r in table.rows()]


def test_a_crash_after_the_fold_before_the_journal_is_removed_changes_nothing(tmp_path):
    path = tmp_path / "pairs.parquet"
    table = PairTable(path)
    table.add_candidates([candidate(i) for i in range(3)])
    table.record([PairRow(candidate(1)).scored(a_score(40))])
    table.record([PairRow(candidate(1)).scored(a_score(1, "reject"))])  # the later one wins
    segments = {p.name: p.read_bytes() for p in table.journal.iterdir()}
    table.compact()
    folded = path.read_bytes()
    table.journal.mkdir()  # as if the process died between the fold and the removal
    for name, data in segments.items():
        (table.journal / name).write_bytes(data)
    assert table.rows()[1].score == a_score(1, "reject")
    table.compact()
    assert path.read_bytes() == folded and not table.journal.exists()


@pytest.mark.slow  # a table rewritten four times: over a second on a busy machine
def test_insertion_order_does_not_change_the_file(tmp_path):
    one, two = PairTable(tmp_path / "a.parquet"), PairTable(tmp_path / "b.parquet")
    one.add_candidates([candidate(i) for i in range(3)])
    for i in reversed(range(3)):
        two.add_candidates([candidate(i)])
    assert one.path.read_bytes() == two.path.read_bytes()
    assert [r.candidate.sar_id for r in one.rows()] == sorted(
        candidate(i).sar_id for i in range(3))


def test_a_record_replaces_its_row_and_candidates_do_not_overwrite_scores(tmp_path):
    table = PairTable(tmp_path / "pairs.parquet")
    table.add_candidates([candidate(1), candidate(1, day=1)])
    table.record([PairRow(candidate(1)).failed("timeout")])
    table.record([PairRow(candidate(1)).scored(a_score(1, "reject"))])
    assert table.add_candidates([candidate(1)]) == 0
    rows = table.rows()
    assert [(r.candidate.dswe_date, r.state) for r in rows] == [
        (date(2008, 2, 25), "scored"), (date(2008, 2, 26), "candidate")]
    assert rows[0].failure == "" and rows[0].score == a_score(1, "reject")
    assert [r.candidate.dswe_date for r in table.rows("candidate")] == [date(2008, 2, 26)]


def test_export_csv_writes_the_seeds_database_of_kept_pairs(tmp_path):
    table = PairTable(tmp_path / "pairs.parquet")
    table.record([PairRow(candidate(2)).scored(a_score(40)),
                  PairRow(candidate(1)).scored(a_score(1, "reject")),
                  PairRow(candidate(3))])
    assert table.export_csv(tmp_path / "alos_dswe_database.csv") == 1
    assert (tmp_path / "alos_dswe_database.csv").read_text() == (
        "ALOS_scene,DSWE_tiles\n"
        "AP_00002_FBD_F0580_RT1,LT05_CU_019013_20080226_20200101_02_INWAM.TIF\n")


def test_a_file_that_is_not_a_pair_table_is_a_store_error(tmp_path):
    path = tmp_path / "pairs.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(StoreError, match="not a readable pair table"):
        PairTable(path).rows()


def test_a_plain_parquet_or_one_not_in_lon_lat_is_refused_as_a_pair_table(tmp_path):
    import geopandas as gpd
    import pandas as pd

    plain = tmp_path / "plain.parquet"
    pd.DataFrame({"sar_id": ["x"]}).to_parquet(plain)
    with pytest.raises(StoreError,
                       match=r"not a pair table \(no GeoParquet metadata\); move it away"):
        PairTable(plain).rows()
    utm = tmp_path / "utm.parquet"
    gpd.GeoDataFrame({"sar_id": ["x"]}, geometry=[shapely.box(0, 0, 1, 1)],
                     crs="EPSG:32615").to_parquet(utm)
    with pytest.raises(StoreError, match="column geometry is not lon/lat WKB"):
        PairTable(utm).rows()


def test_the_geometry_reads_back_as_written(tmp_path):
    table = PairTable(tmp_path / "pairs.parquet")
    table.record([PairRow(candidate(1)), PairRow(candidate(2))])
    assert [r.candidate.sar_polygon.equals(candidate(i).sar_polygon)
            for r, i in zip(table.rows(), (1, 2), strict=True)] == [True, True]


def a_file(i: int) -> SceneFile:
    return SceneFile(f"RTC_HI_RES/A3/AP_{i:05d}_FBD_F0580_RT1.zip", 1000 + i, f"{i:032x}")


def test_the_scene_zip_round_trips_and_scoring_keeps_it(tmp_path):
    table = PairTable(tmp_path / "pairs.parquet")
    table.add_candidates([candidate(1)], {candidate(1).sar_id: a_file(1)})
    [row] = table.rows()
    assert row.file == a_file(1)
    table.record([row.scored(a_score(40))])
    assert table.rows()[0].file == a_file(1)


def test_rows_without_their_zip_get_it_from_a_later_search_and_only_once(tmp_path):
    path = tmp_path / "pairs.parquet"
    table = PairTable(path)
    table.add_candidates([candidate(1), candidate(2)])
    table.record([PairRow(candidate(1)).scored(a_score(40))])
    assert all(r.file is None for r in table.rows())
    files = {candidate(i).sar_id: a_file(i) for i in (1, 2)}
    assert table.add_candidates([candidate(1), candidate(2)], files) == 0
    rows = table.rows()
    assert [r.file for r in rows] == [a_file(1), a_file(2)] and rows[0].state == "scored"
    data = path.read_bytes()
    table.add_candidates([candidate(1), candidate(2)], files)
    assert path.read_bytes() == data


def test_a_table_written_before_the_zip_columns_reads_without_them(tmp_path):
    import geopandas as gpd

    path = tmp_path / "pairs.parquet"
    PairTable(path).add_candidates([candidate(1)], {candidate(1).sar_id: a_file(1)})
    old = tmp_path / "old.parquet"
    gpd.read_parquet(path).drop(columns=["sar_zip", "sar_bytes", "sar_md5"]).to_parquet(old)
    [row] = PairTable(old).rows()
    assert row.file is None and row.candidate == candidate(1)
