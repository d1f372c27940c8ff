"""--aoi: usa as three parts, WKT and GeoJSON files, one-line errors."""

import json

import pytest
from shapely import from_wkt

from swathkit.errors import InputError
from swathkit.jobs.pairs.aoi import USA_BOXES, parse_aoi


def test_usa_is_three_parts_never_one_box_across_the_pacific():
    parts = parse_aoi("USA")
    assert len(parts) == 3 and parts == list(USA_BOXES.values())
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
