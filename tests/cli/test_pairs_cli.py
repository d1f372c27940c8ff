"""``swathkit pairs search|score|status|export`` on the two simulators: JSON, tables, the CSV."""

import csv
import json

import pytest

from pairs_sims import AOI, PERIOD, point_at, simulators
from swathkit.cli.main import main

pytestmark = pytest.mark.slow  # the simulators build their catalogues and files


@pytest.fixture(scope="module")
def sims(tmp_path_factory):
    with simulators(tmp_path_factory.mktemp("pairs-cli")) as running:
        yield running


@pytest.fixture
def table(sims, monkeypatch, tmp_path):
    point_at(monkeypatch, *sims)
    monkeypatch.setenv("SWATHKIT_CACHE", str(tmp_path / "cache"))
    return str(tmp_path / "pairs.parquet")


def _json(argv, capsys):
    code = main([*argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_search_score_status_export_end_to_end(table, tmp_path, capsys):
    code, found = _json(["pairs", "search", "--aoi", AOI.wkt, "--start", PERIOD[0],
                         "--end", PERIOD[1], "--table", table], capsys)
    assert code == 0 and found["counts"]["candidates"] > 0
    assert found["extras"]["stac_requests"] > 0 and found["extras"]["per_scene_stac_requests"]
    code, scored = _json(["pairs", "score", "--table", table], capsys)
    assert code == 0 and scored["counts"]["scored"] == found["counts"]["candidates"]
    code, status = _json(["pairs", "status", "--table", table], capsys)
    stages = status["stages"]
    assert code == 0 and stages["scenes found"] == found["counts"]["scenes"]
    assert stages["candidates"] == stages["scored"] + status["failed"]
    assert stages["scored"] >= stages["kept"]
    out = tmp_path / "pairs.csv"
    code, exported = _json(["pairs", "export", "--table", table, "--csv", str(out)], capsys)
    with out.open(newline="") as f:
        lines = list(csv.reader(f))
    assert code == 0 and lines[0] == ["ALOS_scene", "DSWE_tiles"]
    assert len(lines) - 1 == exported["rows"] == stages["kept"]
    for scene, tiles in lines[1:]:
        assert scene.startswith("AP_") and scene.endswith("_RT1")
        assert all(t.endswith("_INWAM.TIF") for t in tiles.split(" "))


def test_tables_are_printed_without_json(table, capsys):
    assert main(["pairs", "search", "--aoi", AOI.wkt, "--start", PERIOD[0], "--end",
                 PERIOD[1], "--table", table]) == 0
    assert "one search per scene" in capsys.readouterr().out
    assert main(["pairs", "score", "--table", table]) == 0
    assert "bytes read of the tiles' size" in capsys.readouterr().out
    assert main(["pairs", "status", "--table", table]) == 0
    out = capsys.readouterr().out
    assert "scenes found" in out and "kept" in out


def test_bad_input_is_one_line_and_exit_2(table, tmp_path, capsys):
    assert main(["pairs", "search", "--aoi", "nowhere.geojson", "--start", PERIOD[0],
                 "--end", PERIOD[1], "--table", table]) == 2
    assert "nowhere.geojson" in capsys.readouterr().err
    assert main(["pairs", "export", "--table", str(tmp_path / "none.parquet"), "--csv",
                 str(tmp_path / "x.csv")]) == 2
    assert "no such pair table" in capsys.readouterr().err
