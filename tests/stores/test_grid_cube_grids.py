"""The grid cube on any Grid: EASE-Grid 2.0, the ASI grids' dated CRS, cubes written before."""

import json
from datetime import date, timedelta

import numpy as np
import pyproj
import pytest
import xarray as xr
from grid_cube_helpers import TINY, field, fields, to_schema2

from swathkit.errors import InputError
from swathkit.products.grids import Grid, grid
from swathkit.stores.cube_schema import grid_from_json, grid_to_json
from swathkit.stores.grid_cube import GridCube, open_cube
from swathkit.stores.grid_cube_writer import cube_writer

D0 = date(2024, 3, 5)


def test_a_cube_on_an_ease2_grid_is_cf_on_that_grid(tmp_path):
    g = grid("ease2-n36")  # north-up: row 0 is the top, y descending
    path = tmp_path / "ease.zarr"
    days = fields(D0, 2, shape=g.shape)
    with cube_writer(path, grid="ease2-n36") as w:
        w.upsert_days(days)
    cube = GridCube.open(path)
    assert cube.grid is g and cube.index.days[D0].crs == "EPSG:6931"
    assert cube.read_days([D0])[0].tobytes() == days[D0].tobytes()
    ds = xr.open_zarr(path, consolidated=True)
    mapping = ds["lambert_azimuthal_equal_area"].attrs
    assert ds["sic"].attrs["grid_mapping"] == "lambert_azimuthal_equal_area"
    assert pyproj.CRS.from_wkt(mapping["crs_wkt"]) == pyproj.CRS.from_epsg(6931)
    assert pyproj.CRS.from_cf(mapping).to_epsg() == 6931
    assert np.array_equal(ds["y"].values, g.y()) and ds["y"].values[0] > ds["y"].values[-1]
    assert "lambert azimuthal equal area" in ds["x"].attrs["long_name"]
    assert "lambert_azimuthal_equal_area" in open_cube(path, variables=["sic"])


def test_each_day_of_an_asi_cube_records_the_crs_in_force(tmp_path):
    path = tmp_path / "asi.zarr"
    first, second = date(2018, 11, 1), date(2018, 11, 2)
    shape = grid("asi-n6250").shape
    with cube_writer(path, grid="n6250", space_chunk=1024) as w:  # the ASI short name
        w.upsert_days({first: field(first, shape=shape), second: field(second, shape=shape)})
    cube = GridCube.open(path)
    assert cube.grid is grid("asi-n6250")
    assert [cube.index.days[d].crs for d in (first, second)] == ["EPSG:3411", "EPSG:3413"]
    mapping = xr.open_zarr(path, consolidated=True)["polar_stereographic"].attrs
    assert mapping["epsg_code"] == "EPSG:3411" and mapping["semi_major_axis"] == 6378273.0


def test_a_cube_written_before_the_grid_registry_opens_and_grows(tmp_path):
    path = tmp_path / "old.zarr"
    with cube_writer(path, grid=TINY, space_chunk=16) as w:
        w.upsert_days(fields(D0, 2))
    to_schema2(path)
    root = json.loads((path / "zarr.json").read_text())
    info = root["attributes"]["swathkit"]
    info["schema"] = 1  # the record schema 1 kept (what swathkit wrote before)
    info["grid"] = {"name": "t40", "hemisphere": "n", "resolution": 6250.0, "rows": 40,
                    "cols": 30, "x_edges": [-93750.0, 93750.0], "y_edges": [-125000.0, 125000.0]}
    (path / "zarr.json").write_text(json.dumps(root))
    cube = GridCube.open(path)
    assert (cube.grid.shape, cube.grid.transform, cube.grid.epsg) == (TINY.shape, TINY.transform,
                                                                      3413)
    assert cube.read_days([D0])[0].tobytes() == field(D0).tobytes()
    later = D0 + timedelta(days=2)
    with cube_writer(path, grid=TINY) as w:
        assert w.upsert_days({later: field(later)}).added == (later,)
    assert GridCube.open(path).index.to_attrs()["swathkit"]["schema"] == 3


@pytest.mark.parametrize("name", ["n3125", "n6250", "s3125", "s6250"])
def test_the_stored_name_of_an_asi_grid_maps_to_the_registered_grid(name):
    g = grid(f"asi-{name}")
    (x0, y0, x1, y1), cell = g.bounds, g.resolution
    legacy = {"name": name, "hemisphere": name[0], "resolution": cell, "rows": g.rows,
              "cols": g.cols, "x_edges": [x0, x1], "y_edges": [y0, y1]}
    assert grid_from_json(legacy) is g
    assert grid_from_json(grid_to_json(g)) is g


def test_an_ad_hoc_grid_round_trips_through_its_record():
    odd = Grid("ease2-n36", 6931, (10, 10), (0.0, 5.0, 0.0, 0.0, 0.0, -5.0))  # a name reused
    back = grid_from_json(json.loads(json.dumps(grid_to_json(odd))))
    assert back == odd and back.grid_mapping_attrs() == odd.grid_mapping_attrs()
    assert grid_from_json(grid_to_json(TINY)) == TINY


def test_an_unknown_grid_name_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="unknown grid 'n1250'"), \
            cube_writer(tmp_path / "c.zarr", grid="n1250"):
        pass
