"""``swathkit pairs show``: the picture of a downloaded pair, with or without the pair table;
mistakes are one line naming the folder or file, exit 2."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from shapely.geometry import Polygon

from pairs_picture import Pair, build_pair, extract_scene
from swathkit.cli.main import main
from swathkit.jobs.pairs.score_files import score_files
from swathkit.process.coincidence import Candidate
from swathkit.products.alos_rtc.names import RtcName
from swathkit.products.alos_rtc.scene import DSWE_FOLDER
from swathkit.sim.cmr.alos import Scene
from swathkit.stores.pair_table import PairRow, PairTable


def _one_line_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


def _small_scene() -> Scene:
    ring = ((-90.3, 29.8), (-89.6, 29.9), (-89.7, 30.5), (-90.4, 30.4), (-90.3, 29.8))
    start = int(datetime(2010, 6, 1, 16, 30, tzinfo=UTC).timestamp() * 1000)
    return Scene(RtcName(23456, 600), start, "A", 160, (-90.0, 30.15), ring)


def _candidate(pair: Pair) -> Candidate:
    """The pair's row as 'pairs search' writes it (item ids ``…_DSWE``, as harvested)."""
    acq = pair.acquisitions
    return Candidate(
        sar_id=pair.scene.name.granule_ur, sar_name=pair.scene.name.stem,
        sar_time=pair.scene.start, sar_polygon=pair.footprint,
        dswe_date=acq[0].datetime.date(), region="CU",
        dswe_ids=tuple(a.tile_id.item_id for a in acq),
        dswe_times=tuple(a.datetime for a in acq), tiles=tuple((a.tile.h, a.tile.v) for a in acq),
        dt_seconds=(acq[0].datetime - pair.scene.start).total_seconds())


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Pair:
    return build_pair(tmp_path_factory.mktemp("pair") / "scenes")


def _json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.slow  # builds the ALOS catalogue (seconds)
@pytest.mark.timeout(120)
def test_with_the_table_the_facts_are_the_rows(pair: Pair, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    table = PairTable(tmp_path / "pairs.parquet")
    scored = score_files([str(t) for t in pair.tiles], pair.footprint).score
    other_day = replace(_candidate(pair), dswe_date=pair.scene.start.date() + timedelta(days=9))
    table.record([PairRow(_candidate(pair)).scored(scored), PairRow(other_day)])
    before = sorted(p.relative_to(pair.folder) for p in pair.folder.rglob("*"))
    out = _json(["pairs", "show", str(pair.folder), "--table", str(table.path)], capsys)
    png = pair.folder.parent / f"{pair.scene.name.stem}.png"
    assert out["png"] == str(png) and png.read_bytes()[:4] == b"\x89PNG"
    assert out["valid_fraction"] == scored.valid_fraction
    assert out["water_fraction"] == scored.water_fraction and out["decision"] == scored.decision
    assert out["dswe_date"] == "2008-07-29" and out["tiles"] == [t.name for t in pair.tiles]
    assert out["dt_seconds"] == pytest.approx(_candidate(pair).dt_seconds)
    assert sorted(p.relative_to(pair.folder) for p in pair.folder.rglob("*")) == before


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_without_a_table_the_fractions_are_measured(pair: Pair, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = _json(["pairs", "show", str(pair.folder), "--out", str(tmp_path / "p.png"),
                 "--no-hv"], capsys)
    scored = score_files([str(t) for t in pair.tiles], Polygon(pair.scene.ring)).score
    assert out["png"] == str(tmp_path / "p.png") and (tmp_path / "p.png").is_file()
    assert out["valid_fraction"] == pytest.approx(scored.valid_fraction, abs=1e-6)
    assert out["water_fraction"] == pytest.approx(scored.water_fraction, abs=1e-6)
    assert out["dswe_date"] == "2008-07-29" and out["dt_seconds"] is None


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_the_table_must_have_the_scenes_row(pair: Pair, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    table = PairTable(tmp_path / "pairs.parquet")
    table.record([PairRow(replace(_candidate(pair), sar_name="AP_00001_FBD_F0001_RT1"))])
    line = _one_line_error(["pairs", "show", str(pair.folder), "--table", str(table.path)],
                           capsys)
    assert str(table.path) in line and f"no row for {pair.scene.name.stem}" in line


@pytest.mark.timeout(30)
def test_a_folder_that_is_not_a_scene(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = _one_line_error(["pairs", "show", str(tmp_path)], capsys)
    assert str(tmp_path) in line and "not an extracted RTC scene" in line
    line = _one_line_error(["pairs", "show", str(tmp_path / "nope")], capsys)
    assert "no such folder" in line


@pytest.mark.timeout(30)
def test_a_scene_without_its_dswe_tiles(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    folder = extract_scene(_small_scene(), tmp_path / "scenes", pixels=32)
    line = _one_line_error(["pairs", "show", str(folder)], capsys)
    assert str(folder / DSWE_FOLDER) in line and "pairs download" in line


@pytest.mark.timeout(30)
def test_a_tile_named_unlike_landsatlooks(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    folder = extract_scene(_small_scene(), tmp_path / "scenes", pixels=32)
    (folder / DSWE_FOLDER).mkdir()
    (folder / DSWE_FOLDER / "mine_INWAM.TIF").write_bytes(b"")
    line = _one_line_error(["pairs", "show", str(folder)], capsys)
    assert "mine_INWAM.TIF" in line and "<TILEID>_INWAM.TIF" in line


@pytest.mark.timeout(30)
def test_a_table_that_does_not_exist(tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    folder = extract_scene(_small_scene(), tmp_path / "scenes", pixels=32)
    (folder / DSWE_FOLDER).mkdir()
    (folder / DSWE_FOLDER / "LT05_CU_019013_20100601_20210101_02_INWAM.TIF").write_bytes(b"")
    line = _one_line_error(["pairs", "show", str(folder), "--table",
                            str(tmp_path / "none.parquet")], capsys)
    assert "none.parquet: no such pair table" in line
