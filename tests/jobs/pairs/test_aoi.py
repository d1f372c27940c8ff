"""--aoi: usa as three parts, WKT and GeoJSON files, one-line errors."""

import json

import pytest
from shapely import from_wkt
from shapely.geometry import Point

from swathkit.errors import InputError
from swathkit.geodata.usa import USA_PARTS
from swathkit.jobs.pairs.aoi import parse_aoi


def test_usa_is_three_outlines_never_one_hull_across_the_pacific():
    parts = parse_aoi("USA")
    assert len(parts) == 3 and parts == list(USA_PARTS.values())
    assert all(p.is_valid and p.exterior.is_ccw for p in parts)
    chicago, toronto, tijuana = Point(-87.6, 41.9), Point(-79.4, 43.7), Point(-117.0, 32.4)
    assert parts[0].contains(chicago) and not any(p.contains(toronto) for p in parts)
    assert not any(p.contains(tijuana) for p in parts)
    assert not any(p.intersects(q) for i, p in enumerate(parts) for q in parts[i + 1:])


def test_a_multipolygon_file_gives_its_parts(tmp_path):
    wkt = ("MULTIPOLYGON(((-91 34, -90 34, -90 35, -91 35, -91 34)),"
           "((-150 60, -149 60, -149 61, -150 61, -150 60)))")
    path = tmp_path / "aoi.geojson"
    path.write_text(json.dumps(from_wkt(wkt).__geo_interface__))
    parts = parse_aoi(str(path))
    assert [p.bounds for p in parts] == [(-91, 34, -90, 35), (-150, 60, -149, 61)]


def test_a_bad_aoi_is_one_line_naming_the_option():
    with pytest.raises(InputError, match=r"^--aoi: .*not WKT") as caught:
        parse_aoi("POLYGON((1 2, 3")
    assert "\n" not in str(caught.value)
