from datetime import date

import numpy as np
import pyproj
import pytest

from swathkit.errors import InputError
from swathkit.products.asi import ASI_GRIDS, RECORD_START, asi_grid, asi_grid_name
from swathkit.products.grids import Grid, grid, grid_on

SHAPES = {"n3125": (3584, 2432), "n6250": (1792, 1216), "s3125": (2656, 2528),
          "s6250": (1328, 1264)}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_grid_shape_and_cell_centres(name):
    g = asi_grid(name)
    assert (g.rows, g.cols) == g.shape == SHAPES[name]
    x, y = g.x(), g.y()
    assert x.dtype == y.dtype == np.float64
    assert x.shape == (g.cols,) and y.shape == (g.rows,)
    assert np.all(np.diff(x) == g.resolution) and np.all(np.diff(y) == g.resolution)
    x0, y0, x1, y1 = g.bounds
    assert x[0] - g.resolution / 2 == x0 and x[-1] + g.resolution / 2 == x1
    assert y[0] - g.resolution / 2 == y0 and y[-1] + g.resolution / 2 == y1
    assert not g.north_up and g.transform == (x0, g.resolution, 0.0, y0, 0.0, g.resolution)


def test_edges_of_the_hemispheres():
    assert ASI_GRIDS["n3125"].bounds == (-3_850_000, -5_350_000, 3_750_000, 5_850_000)
    assert ASI_GRIDS["s6250"].bounds == (-3_950_000, -3_950_000, 3_950_000, 4_350_000)
    assert date(2012, 7, 2) == RECORD_START


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_the_asi_grids_are_registered_grids_under_both_names(name):
    g = asi_grid(name)
    assert isinstance(g, Grid) and g.name == f"asi-{name}"
    assert g is grid(f"asi-{name}") is grid(name) is asi_grid(g) is ASI_GRIDS[name]
    assert asi_grid_name(g) == asi_grid_name(f"asi-{name}") == name
    assert g.hemisphere == name[0]


@pytest.mark.parametrize(("name", "before", "after"), [("n6250", 3411, 3413),
                                                       ("s6250", 3412, 3976)])
def test_crs_switches_to_wgs84_on_2018_11_02(name, before, after):
    old, new = asi_grid(name, date(2018, 11, 1)), asi_grid(name, date(2018, 11, 2))
    assert old.crs == pyproj.CRS.from_epsg(before) and old.epsg == before
    assert new.crs == pyproj.CRS.from_epsg(after) and new is asi_grid(name)
    assert (old.shape, old.transform, old.name) == (new.shape, new.transform, new.name)
    old_cf, new_cf = old.grid_mapping_attrs(wkt=False), new.grid_mapping_attrs(wkt=False)
    assert old_cf["semi_major_axis"] == 6378273.0 and new_cf["semi_major_axis"] == 6378137.0
    assert old_cf["inverse_flattening"] == pytest.approx(298.279411123064)
    assert new_cf["inverse_flattening"] == pytest.approx(298.257223563)
    assert "crs_wkt" not in old_cf and old.grid_mapping_attrs()["epsg_code"] == f"EPSG:{before}"


def test_the_registry_asks_the_asi_product_for_the_grid_of_a_day():
    g = grid("asi-n6250")
    assert g.epsg == 3413  # the registry holds the grid as published since 2018-11-02
    assert grid_on(g, date(2015, 1, 1)) == asi_grid("n6250", date(2015, 1, 1))
    assert grid_on(g, date(2015, 1, 1)).epsg == 3411
    assert grid_on(g, date(2020, 1, 1)) is g


@pytest.mark.parametrize(("name", "sign", "meridian"), [("n3125", 1, -45.0), ("s3125", -1, 0.0)])
def test_grid_mapping_attributes_are_cf_polar_stereographic(name, sign, meridian):
    attrs = asi_grid(name, date(2020, 1, 1)).grid_mapping_attrs()
    assert attrs["grid_mapping_name"] == "polar_stereographic"
    assert attrs["latitude_of_projection_origin"] == 90.0 * sign
    assert attrs["standard_parallel"] == 70.0 * sign
    assert attrs["straight_vertical_longitude_from_pole"] == meridian
    assert attrs["false_easting"] == attrs["false_northing"] == 0.0
    assert attrs["epsg_code"] == ("EPSG:3413" if sign > 0 else "EPSG:3976")
    # The CF attributes alone describe the same projection as the EPSG code.
    cf = {k: v for k, v in attrs.items() if k not in ("crs_wkt", "epsg_code")}
    from_cf = pyproj.Transformer.from_crs(pyproj.CRS.from_cf(cf), "EPSG:4326", always_xy=True)
    from_epsg = pyproj.Transformer.from_crs(attrs["epsg_code"], "EPSG:4326", always_xy=True)
    assert np.allclose(from_cf.transform(1e6, -2e6), from_epsg.transform(1e6, -2e6), atol=1e-9)
    assert pyproj.CRS.from_wkt(attrs["crs_wkt"]) == pyproj.CRS(attrs["epsg_code"])


def test_unknown_grid_raises_an_input_error_listing_choices():
    with pytest.raises(InputError, match="n3125, n6250, s3125, s6250"):
        asi_grid("n1250")
    with pytest.raises(InputError, match="n3125, n6250"):
        asi_grid(grid("ease2-n25"))  # a registered grid, but not one of the product's


def test_lonlat_pole_corner_and_crop():
    g = asi_grid("n6250")
    lon, lat = g.lonlat()
    assert lon.dtype == lat.dtype == np.float32 and lat.shape == g.shape
    row, col = np.argmin(np.abs(g.y())), np.argmin(np.abs(g.x()))
    assert lat[row, col] > 89.9 and lat.max() == lat[row, col]
    assert 30.0 < lat.min() < 32.0
    assert np.isclose(lon[row - 200, col], -45.0, atol=0.2)  # down the grid: the -45° meridian
    assert np.isclose(lon[row + 200, col], 135.0, atol=0.2)
    crop_lon, crop_lat = g.lonlat(rows=slice(10, 20), cols=slice(100, 130))
    assert np.array_equal(crop_lat, lat[10:20, 100:130])
    assert np.array_equal(crop_lon, lon[10:20, 100:130])


def test_lonlat_of_a_crop_projects_back_to_the_cell_centres():
    g = asi_grid("s3125")
    lon, lat = g.lonlat(rows=slice(0, 50, 7), cols=slice(2000, 2100, 9))
    to_xy = pyproj.Transformer.from_crs("EPSG:4326", g.crs, always_xy=True)
    x, y = to_xy.transform(lon.astype(np.float64), lat.astype(np.float64))
    assert np.abs(x - g.x()[2000:2100:9][None, :]).max() < 5.0
    assert np.abs(y - g.y()[0:50:7][:, None]).max() < 5.0
    assert lat.max() < -30.0
