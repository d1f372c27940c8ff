import shutil
from datetime import date

import netCDF4
import numpy as np
import pytest

from swathkit.errors import FileNameError, FormatError
from swathkit.products.asi import asi_file_name, asi_grid, check_asi_file, open_asi
from swathkit.products.grids import grid
from swathkit.sim.bremen.asi import synthetic_asi_day, write_asi_day

DAYS = (date(2018, 11, 1), date(2018, 11, 2), date(2018, 11, 3))


@pytest.fixture(scope="module")
def asi_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("asi")
    for day in DAYS:
        write_asi_day(out, "n6250", day, seed=5)
    write_asi_day(out, "s6250", DAYS[0], seed=5)
    return out


@pytest.fixture
def good_copy(asi_dir, tmp_path):
    name = asi_file_name("n6250", DAYS[0])
    return shutil.copy(asi_dir / name, tmp_path / name)


def _path(directory, grid, day):
    return directory / asi_file_name(grid, day)


@pytest.mark.slow
def test_sic_is_the_files_z_bit_for_bit(asi_dir):
    ds = open_asi(_path(asi_dir, "n6250", DAYS[1]))
    expected = synthetic_asi_day("n6250", DAYS[1], seed=5)
    assert ds.sic.dims == ("time", "y", "x") and ds.sic.dtype == np.float32
    assert np.array_equal(ds.sic.values[0].view(np.uint32), expected.view(np.uint32))
    with netCDF4.Dataset(_path(asi_dir, "n6250", DAYS[1])) as nc:
        nc.set_auto_mask(False)
        assert np.array_equal(ds.sic.values[0].view(np.uint32), nc["z"][:].view(np.uint32))


def test_grid_convention_attributes_and_coordinates(asi_dir):
    ds = open_asi(_path(asi_dir, "n6250", DAYS[0]))
    g = asi_grid("n6250")
    assert ds.sic.attrs["units"] == "percent"
    assert ds.sic.attrs["standard_name"] == "sea_ice_area_fraction"
    assert ds.sic.attrs["grid_mapping"] == "polar_stereographic"
    assert np.array_equal(ds.x.values, g.x()) and np.array_equal(ds.y.values, g.y())
    assert ds.time.values[0] == np.datetime64("2018-11-01T00:00", "ns")
    assert ds.attrs["product"] == "asi-amsr2" and ds.attrs["grid"] == "asi-n6250"
    assert grid(ds.attrs["grid"]) is g  # the registry's name
    assert ds.attrs["version"] == "5.4"
    assert ds.attrs["source"] == asi_file_name("n6250", DAYS[0])
    assert ds.polar_stereographic.attrs["epsg_code"] == "EPSG:3411"
    assert ds.polar_stereographic.attrs["grid_mapping_name"] == "polar_stereographic"
    assert "crs_wkt" in ds.polar_stereographic.attrs
    assert "lat" not in ds.coords


def test_several_files_stack_along_time_in_date_order(asi_dir):
    paths = [_path(asi_dir, "n6250", d) for d in reversed(DAYS)]
    ds = open_asi(paths)
    assert ds.sic.shape == (3, 1792, 1216)
    assert [str(t)[:10] for t in ds.time.values] == [str(d) for d in DAYS]
    for k, day in enumerate(DAYS):
        assert np.array_equal(ds.sic.values[k], synthetic_asi_day("n6250", day, seed=5),
                              equal_nan=True)
    assert ds.polar_stereographic.attrs["epsg_code"] == "EPSG:3413"  # the latest day's


def test_latlon_coordinates_put_the_pole_at_the_grid_origin(asi_dir):
    ds = open_asi(_path(asi_dir, "n6250", DAYS[0]), latlon=True)
    assert ds.lat.dtype == np.float32 and ds.lat.dims == ("y", "x")
    near_pole = ds.lat.sel(x=0, y=0, method="nearest")
    assert float(near_pole) > 89.9
    assert float(ds.lat.min()) > 30.0


def test_mixing_grids_or_repeating_a_day_is_refused(asi_dir):
    with pytest.raises(ValueError, match="different grids"):
        open_asi([_path(asi_dir, "n6250", DAYS[0]), _path(asi_dir, "s6250", DAYS[0])])
    with pytest.raises(ValueError, match="twice"):
        open_asi([_path(asi_dir, "n6250", DAYS[0])] * 2)


def test_not_netcdf_is_a_format_error_naming_the_file(tmp_path):
    path = tmp_path / asi_file_name("n6250", DAYS[0])
    path.write_text("<html>404 Not Found</html>")
    with pytest.raises(FormatError, match=path.name):
        open_asi(path)


def test_truncated_file_is_a_format_error(good_copy):
    data = good_copy.read_bytes()
    good_copy.write_bytes(data[: len(data) // 2])
    with pytest.raises(FormatError, match="truncated"):
        open_asi(good_copy)


def test_missing_z_is_a_format_error(tmp_path):
    g = asi_grid("n6250")
    path = tmp_path / asi_file_name(g, DAYS[0])
    with netCDF4.Dataset(path, "w") as nc:
        for axis, values in (("x", g.x()), ("y", g.y())):
            nc.createDimension(axis, values.size)
            nc.createVariable(axis, "f8", (axis,))[:] = values
    with pytest.raises(FormatError, match="'z' is missing"):
        open_asi(path)


def test_a_file_renamed_to_another_grid_is_a_format_error(asi_dir, tmp_path):
    wrong = tmp_path / asi_file_name("n6250", DAYS[0])
    shutil.copy(_path(asi_dir, "s6250", DAYS[0]), wrong)
    with pytest.raises(FormatError, match=r"'z' has shape \(1328, 1264\), grid n6250"):
        check_asi_file(wrong)


def test_coordinates_off_the_grid_are_a_format_error(good_copy):
    with netCDF4.Dataset(good_copy, "a") as nc:
        nc["x"][:] = nc["x"][:] + 3125.0
    with pytest.raises(FormatError, match="'x' is off the grid"):
        open_asi(good_copy)


def test_a_bad_name_is_a_file_name_error(good_copy):
    renamed = good_copy.rename(good_copy.with_name("sic_20181101.nc"))
    with pytest.raises(FileNameError):
        open_asi(renamed)


def test_check_asi_file_accepts_a_good_file(good_copy):
    assert check_asi_file(good_copy).day == DAYS[0]
