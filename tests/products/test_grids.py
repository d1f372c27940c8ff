"""The Grid type and the registry: EASE-Grid 2.0 exactly as NSIDC defines it."""

from datetime import date

import numpy as np
import pyproj
import pytest

from swathkit.errors import InputError
from swathkit.products.grids import GRIDS, Grid, grid, grid_on
from swathkit.types import Region

# docs/formats/smap.md, EASE-Grid 2.0 (from the NSIDC .gpd files): cols, rows, cell, corner.
GLOBAL_CORNER = (-17367530.4451615, 7314540.8306386)
POLAR_CORNER = (-9000000.0, 9000000.0)
FACTS = {
    "ease2-m36": (6933, 964, 406, 36032.220840584, GLOBAL_CORNER),
    "ease2-m09": (6933, 3856, 1624, 9008.055210146, GLOBAL_CORNER),
    "ease2-m03": (6933, 11568, 4872, 3002.6850700487, GLOBAL_CORNER),
    "ease2-m01": (6933, 34704, 14616, 1000.89502334956, GLOBAL_CORNER),
    **{f"ease2-{pole}{name}": (epsg, n, n, cell, POLAR_CORNER)
       for pole, epsg in (("n", 6931), ("s", 6932))
       for name, n, cell in (("36", 500, 36000.0), ("25", 720, 25000.0),
                             ("12.5", 1440, 12500.0), ("09", 2000, 9000.0),
                             ("03", 6000, 3000.0), ("01", 18000, 1000.0))},
}
TO_LONLAT = {epsg: pyproj.Transformer.from_crs(epsg, 4326, always_xy=True)
             for epsg in (6931, 6932, 6933)}


def test_the_registry_lists_every_ease2_and_asi_grid():
    assert set(FACTS) <= set(GRIDS)
    assert {"asi-n3125", "asi-n6250", "asi-s3125", "asi-s6250"} <= set(GRIDS)
    assert len(GRIDS) == len(FACTS) + 4


@pytest.mark.parametrize("name", sorted(FACTS))
def test_ease2_grids_have_the_nsidc_definition(name):
    epsg, cols, rows, cell, (x0, y0) = FACTS[name]
    g = grid(name)
    assert (g.epsg, g.shape, g.transform) == (epsg, (rows, cols), (x0, cell, 0.0, y0, 0.0, -cell))
    assert g.north_up and g.resolution == cell and g.cell_size == (cell, cell)
    assert g.crs == pyproj.CRS.from_epsg(epsg)
    assert g.bounds == pytest.approx((x0, -y0, -x0, y0), abs=1e-6)


def test_m36_geotransform_and_cell_centres_are_those_of_the_facts():
    g = grid("ease2-m36")
    assert g.transform == (-17367530.4451615, 36032.220840584, 0, 7314540.8306386, 0,
                           -36032.220840584)
    lon, lat = g.lonlat(rows=slice(0, 1), cols=slice(0, 1), dtype=np.float64)
    assert abs(lat[0, 0] - 83.63197527895065) < 1e-9
    assert abs(lon[0, 0] - -179.81327800829868) < 1e-9
    _, corner = g.lonlat(rows=slice(405, 406), cols=slice(963, 964), dtype=np.float64)
    bottom_edge = TO_LONLAT[6933].transform(g.bounds[2], g.bounds[1])[1]
    assert abs(bottom_edge - -85.0445664) < 1e-7 and corner[0, 0] > bottom_edge


@pytest.mark.parametrize("name", ["ease2-m09", "ease2-n25", "ease2-s12.5", "ease2-n01"])
def test_cell_centres_project_as_pyproj_does(name):
    epsg, _, _, cell, (x0, y0) = FACTS[name]
    g = grid(name)
    rows, cols = slice(3, None, 397), slice(5, None, 331)
    lon, lat = g.lonlat(rows=rows, cols=cols, dtype=np.float64)
    i = np.arange(g.cols)[cols]
    j = np.arange(g.rows)[rows]
    xx, yy = np.meshgrid(x0 + (i + 0.5) * cell, y0 - (j + 0.5) * cell)  # corner + (i + 0.5)·cell
    want_lon, want_lat = TO_LONLAT[epsg].transform(xx, yy)
    assert lat.dtype == np.float64 and lat.shape == (j.size, i.size)
    assert np.abs(lat - want_lat).max() < 1e-9 and np.abs(lon - want_lon).max() < 1e-9


def test_north_grids_point_longitude_zero_down_and_south_grids_up():
    for name, down in (("ease2-n36", 0.0), ("ease2-s36", 180.0)):
        g = grid(name)
        lon, lat = g.lonlat(cols=slice(250, 251), dtype=np.float64)  # x = +18 km
        pole = abs(lat[:, 0]).argmax()
        assert g.y()[pole + 1] < 0 < g.y()[pole - 1]  # row order runs from +y to -y
        below = lon[pole + 50:, 0]  # image bottom (-y)
        assert np.allclose(np.abs(below), down, atol=1.0), name
        assert np.allclose(np.abs(lon[:pole - 50, 0]), 180.0 - down, atol=1.0), name
    assert grid("ease2-n36").hemisphere == "n" and grid("ease2-s36").hemisphere == "s"
    assert grid("ease2-m36").hemisphere == ""


@pytest.mark.parametrize("name", ["ease2-m36", "ease2-n09", "ease2-s25"])
def test_cf_attributes_describe_the_epsg_projection(name):
    g = grid(name)
    attrs = g.grid_mapping_attrs()
    cf = {k: v for k, v in attrs.items() if k not in ("crs_wkt", "epsg_code")}
    assert cf == g.grid_mapping_attrs(wkt=False) and attrs["epsg_code"] == f"EPSG:{g.epsg}"
    assert pyproj.CRS.from_wkt(attrs["crs_wkt"]) == g.crs
    from_cf = pyproj.Transformer.from_crs(pyproj.CRS.from_cf(cf), 4326, always_xy=True)
    x, y = g.x()[::97], g.y()[::89]
    xx, yy = np.meshgrid(x, y)
    assert np.allclose(from_cf.transform(xx, yy), TO_LONLAT[g.epsg].transform(xx, yy),
                       atol=1e-9)
    expected = "lambert_cylindrical_equal_area" if "-m" in name else \
        "lambert_azimuthal_equal_area"
    assert g.grid_mapping_name == expected


def test_unknown_names_are_an_input_error_listing_the_known_ones():
    with pytest.raises(InputError, match=r"ease2-m36, ease2-m09.*asi-s6250"):
        grid("ease2-m18")
    assert grid("EASE2-N25") is grid("ease2-n25")
    g = grid("ease2-n25")
    assert grid(g) is g and grid_on(g, date(2015, 1, 1)) is g  # no dated CRS change


def test_window_gives_the_cells_whose_centres_lie_in_a_box():
    g = grid("ease2-n25")  # north-up: rows run from +y to -y
    region = g.window(x=(0.0, 100_000.0), y=(-50_000.0, 0.0))
    rows, cols = region.slices()
    assert region == Region((360, 362), (360, 364))
    assert np.all((g.y()[rows] >= -50_000) & (g.y()[rows] < 0))
    assert np.all((g.x()[cols] >= 0) & (g.x()[cols] < 100_000))
    with pytest.raises(InputError, match="holds no cell of grid ease2-n25"):
        g.window(x=(9.1e6, 9.2e6), y=(0.0, 1.0))


def test_an_ad_hoc_grid_takes_its_cf_attributes_from_pyproj():
    g = Grid("t4", 3413, (4, 3), (0.0, 10.0, 0.0, 0.0, 0.0, 10.0))
    attrs = g.grid_mapping_attrs(wkt=False)
    assert attrs["grid_mapping_name"] == "polar_stereographic" and g.hemisphere == "n"
    cf = pyproj.CRS.from_epsg(3413).to_cf()
    assert attrs == {k: v for k, v in cf.items() if k != "crs_wkt"}
    assert np.array_equal(g.x(), [5.0, 15.0, 25.0]) and np.array_equal(g.y(), [5.0, 15, 25, 35])
    assert g.lonlat()[0].dtype == np.float32
    assert hash(g) == hash(Grid("t4", 3413, (4, 3), (0, 10, 0, 0, 0, 10)))


@pytest.mark.parametrize("transform", [(0, 10, 1, 0, 0, 10), (0, -10, 0, 0, 0, 10),
                                       (0, 10, 0, 0, 0, 0)])
def test_a_rotated_or_degenerate_grid_is_refused(transform):
    with pytest.raises(ValueError, match="regular, unrotated"):
        Grid("bad", 3413, (4, 3), transform)
