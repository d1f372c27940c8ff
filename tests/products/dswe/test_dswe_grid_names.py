import pytest

from swathkit.errors import FileNameError, InputError
from swathkit.products.dswe.grid import REGIONS, ArdTile, region, tiles_covering
from swathkit.products.dswe.names import TileId, asset_href, parse_href


def test_conus_tile_corner_and_transform_follow_the_ard_grid():
    tile = ArdTile("CU", 3, 8)
    assert tile.upper_left == (-2565585 + 3 * 150000, 3314805 - 8 * 150000)
    assert tile.transform() == (-2115585.0, 30.0, 0.0, 2114805.0, 0.0, -30.0)
    assert tile.transform(500)[1] == 300.0


def test_tile_crs_is_its_own_albers_not_epsg_5070():
    crs = REGIONS["CU"].crs
    assert crs.to_epsg() is None
    assert crs.ellipsoid.semi_major_metre == 6378140.0
    assert crs.ellipsoid.inverse_flattening == pytest.approx(298.256999999996)
    assert "6378140" in REGIONS["CU"].wkt2


def test_tiles_covering_a_point_in_arkansas_is_one_tile_that_contains_it():
    tiles = tiles_covering({"type": "Point", "coordinates": [-90.0, 35.0]})
    assert len(tiles) == 1
    x, y = REGIONS["CU"].project(-90.0, 35.0)
    x0, y0, x1, y1 = tiles[0].bounds
    assert x0 <= x < x1 and y0 <= y < y1


def test_alaska_and_hawaii_grids_have_their_own_origins():
    assert region("ak").origin == (-851715.0, 2474325.0)
    assert tiles_covering({"type": "Point", "coordinates": [-155.5, 19.6]}, "HI")
    assert not tiles_covering({"type": "Point", "coordinates": [-155.5, 19.6]}, "CU")


def test_tile_outside_the_grid_is_an_input_error():
    with pytest.raises(InputError, match="outside the CU grid"):
        ArdTile("CU", 33, 0)


def test_tile_id_round_trips_through_text_and_href():
    tid = TileId.parse("LE07_CU_003008_20080101_20210101_02")
    assert tid.platform == "LANDSAT_7" and tid.tile == ArdTile("CU", 3, 8)
    href = asset_href("https://landsatlook.usgs.gov", tid)
    assert href == ("https://landsatlook.usgs.gov/level-3/collection02/DSWE/2008/CU/003/008/"
                    "LE07_CU_003008_20080101_20210101_02_DSWE/"
                    "LE07_CU_003008_20080101_20210101_02_INWAM.TIF")
    assert parse_href(href) == (tid, "inwam")
    assert TileId.parse(tid.item_id) == tid


@pytest.mark.parametrize("text", ["LE07_CU_003008_20080101_20210101_01", "LX07_CU_003008_2008",
                                  "LE07_CU_003008_20081301_20210101_02"])
def test_bad_tile_ids_are_file_name_errors(text):
    with pytest.raises(FileNameError):
        TileId.parse(text)


def test_href_whose_folders_disagree_with_the_id_is_refused():
    href = ("https://x/level-3/collection02/DSWE/2009/CU/003/008/"
            "LE07_CU_003008_20080101_20210101_02_DSWE/LE07_CU_003008_20080101_20210101_02_INWAM.TIF")
    with pytest.raises(FileNameError):
        parse_href(href)
