"""``swathkit pairs score-files``: scores on small DSWE tiles, JSON, and one-line mistakes."""

import json

import numpy as np
import pytest

from dswe_tiles import lonlat, pixel_box, rotated, write_tile
from swathkit.cli.main import main


@pytest.fixture
def tiles(tmp_path):
    """Two adjacent 60 × 60 tiles: west all water (1), east half cloud (9), half land (0)."""
    east = np.zeros((60, 60), np.uint8)
    east[:30] = 9
    return [str(write_tile(tmp_path / "w_INWAM.TIF", np.ones((60, 60), np.uint8))),
            str(write_tile(tmp_path / "e_INWAM.TIF", east, col=60))]


def _json(argv, capsys) -> tuple[int, dict]:
    code = main([*argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_a_footprint_across_two_tiles_is_scored(tiles, capsys):
    # rows 20..39, columns 50..69: 10 water columns west; east 10 rows cloud, 10 rows land
    wkt = lonlat(pixel_box(20, 50, 40, 70)).wkt
    code, out = _json(["pairs", "score-files", *tiles, "--footprint", wkt], capsys)
    assert code == 0 and out["decision"] == "keep"
    assert out["n"] == 400
    assert out["counts"]["1"] == 200 and out["counts"]["9"] == 100 and out["counts"]["0"] == 100
    assert out["valid_fraction"] == pytest.approx(0.75)
    assert out["water_fraction"] == pytest.approx(0.5)
    assert out["tiles"] == tiles


def test_bbox_counts_more_pixels_than_the_rotated_footprint(tiles, capsys):
    wkt = lonlat(rotated(10, 30, 50, 90, 15.0)).wkt
    _, inside = _json(["pairs", "score-files", *tiles, "--footprint", wkt], capsys)
    _, boxed = _json(["pairs", "score-files", *tiles, "--footprint", wkt, "--within", "bbox"],
                     capsys)
    assert boxed["within"] == "bbox" and boxed["n"] > inside["n"]
    assert sum(inside["counts"].values()) + inside["other"] == inside["n"]


def test_thresholds_decide_and_a_reject_exits_1(tiles, capsys):
    wkt = lonlat(pixel_box(20, 50, 40, 70)).wkt
    code, out = _json(["pairs", "score-files", *tiles, "--footprint", wkt,
                       "--min-water", "0.6", "--water-classes", "1,2"], capsys)
    assert code == 1 and out["decision"] == "reject"
    assert out["reasons"] == ["water 0.500 < 0.6"]


def test_a_geojson_file_footprint_and_the_table_output(tiles, tmp_path, capsys):
    feature = {"type": "Feature", "properties": {},
               "geometry": lonlat(pixel_box(20, 50, 40, 70)).__geo_interface__}
    path = tmp_path / "scene.geojson"
    path.write_text(json.dumps(feature))
    assert main(["pairs", "score-files", *tiles, "--footprint", str(path)]) == 0
    out = capsys.readouterr().out
    assert "valid fraction" in out and "0.7500" in out and "keep" in out


def _one_line_error(argv, capsys) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


def test_bad_wkt_is_one_line(tiles, capsys):
    line = _one_line_error(["pairs", "score-files", *tiles, "--footprint", "POLYGON((1 2,"],
                           capsys)
    assert "not WKT" in line


def test_a_footprint_away_from_the_tiles_is_one_line(tiles, capsys):
    wkt = lonlat(pixel_box(500, 500, 520, 520)).wkt
    line = _one_line_error(["pairs", "score-files", *tiles, "--footprint", wkt], capsys)
    assert "meets none of the tiles" in line


def test_a_file_that_is_not_a_geotiff_is_one_line(tiles, tmp_path, capsys):
    bad = tmp_path / "x_INWAM.TIF"
    bad.write_bytes(b"<html>login</html>")
    wkt = lonlat(pixel_box(20, 50, 40, 70)).wkt
    line = _one_line_error(["pairs", "score-files", str(bad), "--footprint", wkt], capsys)
    assert "x_INWAM.TIF" in line and "not a readable GeoTIFF" in line


def test_tiles_of_different_crs_are_one_line(tiles, tmp_path, capsys):
    other = write_tile(tmp_path / "o_INWAM.TIF", np.ones((60, 60), np.uint8), crs="EPSG:5070")
    wkt = lonlat(pixel_box(20, 50, 40, 70)).wkt
    line = _one_line_error(["pairs", "score-files", tiles[0], str(other), "--footprint", wkt],
                           capsys)
    assert "CRS differs" in line


def test_a_projected_footprint_is_one_line(tiles, capsys):
    wkt = pixel_box(20, 50, 40, 70).wkt  # metres, not degrees
    line = _one_line_error(["pairs", "score-files", *tiles, "--footprint", wkt], capsys)
    assert "not lon/lat" in line
