from datetime import date

import numpy as np
import pyproj
import pytest

from swathkit.products.asi import GRIDS, RECORD_START, asi_grid

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
    assert x[0] - g.resolution / 2 == g.x_edges[0] and x[-1] + g.resolution / 2 == g.x_edges[1]
    assert y[0] - g.resolution / 2 == g.y_edges[0] and y[-1] + g.resolution / 2 == g.y_edges[1]


def test_edges_of_the_hemispheres():
    assert GRIDS["n3125"].x_edges == (-3_850_000, 3_750_000)
    assert GRIDS["n3125"].y_edges == (-5_350_000, 5_850_000)
    assert GRIDS["s6250"].x_edges == (-3_950_000, 3_950_000)
    assert GRIDS["s6250"].y_edges == (-3_950_000, 4_350_000)
    assert date(2012, 7, 2) == RECORD_START


@pytest.mark.parametrize(("name", "before", "after"), [("n6250", 3411, 3413),
                                                       ("s6250", 3412, 3976)])
def test_crs_switches_to_wgs84_on_2018_11_02(name, before, after):
    g = asi_grid(name)
    assert g.crs(date(2018, 11, 1)) == pyproj.CRS.from_epsg(before)
    assert g.crs(date(2018, 11, 2)) == pyproj.CRS.from_epsg(after)
    old, new = g.grid_mapping_attrs(date(2018, 11, 1)), g.grid_mapping_attrs(date(2018, 11, 2))
    assert old["semi_major_axis"] == 6378273.0 and new["semi_major_axis"] == 6378137.0
    assert old["inverse_flattening"] == pytest.approx(298.279411123064)
    assert new["inverse_flattening"] == pytest.approx(298.257223563)


@pytest.mark.parametrize(("name", "sign", "meridian"), [("n3125", 1, -45.0), ("s3125", -1, 0.0)])
def test_grid_mapping_attributes_are_cf_polar_stereographic(name, sign, meridian):
    attrs = asi_grid(name).grid_mapping_attrs(date(2020, 1, 1), wkt=True)
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


def test_unknown_grid_raises_value_error_listing_choices():
    with pytest.raises(ValueError, match="n3125, n6250, s3125, s6250"):
        asi_grid("n1250")


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
    to_xy = pyproj.Transformer.from_crs("EPSG:4326", g.crs(date(2020, 1, 1)), always_xy=True)
    x, y = to_xy.transform(lon.astype(np.float64), lat.astype(np.float64))
    assert np.abs(x - g.x()[2000:2100:9][None, :]).max() < 5.0
    assert np.abs(y - g.y()[0:50:7][:, None]).max() < 5.0
    assert lat.max() < -30.0
