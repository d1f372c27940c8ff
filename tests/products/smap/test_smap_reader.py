"""``swathkit.smap.open``: SMAP files on their EASE-Grid 2.0 grid, CF-decoded, AM and PM as one.

The grid is checked against the facts' table and pyproj, the values against the raw HDF5
bytes and the synthetic Earth's truth.
"""

import h5py
import numpy as np
import pyproj
import pytest
import xarray as xr

from smap_files import HALF_ORBIT, copy_of, smap_file
from swathkit import smap
from swathkit.errors import FormatError, InputError
from swathkit.sim.smap.earth import soil_moisture_truth
from swathkit.sim.smap.orbit import half_orbit

AM, PM = "Soil_Moisture_Retrieval_Data_AM", "Soil_Moisture_Retrieval_Data_PM"
M36 = (964, 406, 36032.220840584, -17367530.4451615, 7314540.8306386)  # the facts' table


@pytest.fixture(scope="module")
def l3(tmp_path_factory):
    return smap_file(tmp_path_factory, "SPL3SMP")


@pytest.fixture(scope="module")
def l2(tmp_path_factory):
    return smap_file(tmp_path_factory, "SPL2SMP", HALF_ORBIT)


def _raw(path, group, name):
    with h5py.File(path) as f:
        return f[group][name][()]


@pytest.mark.timeout(60)
def test_the_grid_is_the_facts_m36_with_its_epsg(l3):
    cols, rows, cell, x0, y0 = M36
    ds = smap.open(l3)
    np.testing.assert_allclose(ds.x, x0 + cell * (np.arange(cols) + 0.5), rtol=0, atol=1e-6)
    np.testing.assert_allclose(ds.y, y0 - cell * (np.arange(rows) + 0.5), rtol=0, atol=1e-6)
    mapping = ds[ds.soil_moisture.attrs["grid_mapping"]]
    assert pyproj.CRS.from_wkt(mapping.attrs["crs_wkt"]).to_epsg() == 6933
    assert mapping.attrs["grid_mapping_name"] == "lambert_cylindrical_equal_area"


@pytest.mark.timeout(60)
def test_cell_centre_lat_lon_are_pyprojs_to_a_billionth_of_a_degree(l3):
    ds = smap.open(l3)
    to_lonlat = pyproj.Transformer.from_crs(6933, 4326, always_xy=True)
    xx, yy = np.meshgrid(ds.x.values, ds.y.values)
    lon, lat = to_lonlat.transform(xx, yy)
    np.testing.assert_allclose(ds.lat.values, lat, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ds.lon.values, lon, rtol=0, atol=1e-9)


@pytest.mark.timeout(60)
def test_am_and_pm_share_one_naming_along_overpass(l3):
    ds = smap.open(l3)
    assert list(ds.overpass.values) == ["am", "pm"]
    assert list(ds.orbit_direction.values) == ["D", "A"]
    assert not [n for n in ds.data_vars if str(n).endswith("_pm")]
    raw_pm = _raw(l3, PM, "soil_moisture_pm")
    pm = ds.soil_moisture.sel(overpass="pm").values
    np.testing.assert_array_equal(np.isnan(pm), raw_pm == -9999.0)
    np.testing.assert_array_equal(pm[~np.isnan(pm)], raw_pm[raw_pm != -9999.0])
    alone = smap.open(l3, group="pm")
    np.testing.assert_array_equal(alone.soil_moisture.values, pm)
    assert alone.soil_moisture.dims == ("y", "x") and alone.landcover_class.dims == (
        "y", "x", "landcover_rank")


@pytest.mark.timeout(60)
def test_a_variable_of_one_overpass_only_is_kept_under_its_overpass(l3, tmp_path):
    damaged = copy_of(l3, tmp_path)
    with h5py.File(damaged, "r+") as f:
        f[PM]["grid_surface_status_pm"] = np.ones((406, 964), np.uint8)
    ds = smap.open(damaged)
    assert ds.grid_surface_status_pm.dims == ("y", "x")
    assert "grid_surface_status" not in ds and ds.soil_moisture.dims[0] == "overpass"


@pytest.mark.timeout(60)
def test_fills_are_masked_and_flags_keep_their_dtype(l3):
    ds = smap.open(l3, group=AM)
    for name, var in ds.data_vars.items():
        if var.dtype.kind == "f":
            assert not (var.values == -9999.0).any(), name
    raw_lat = _raw(l3, AM, "latitude")  # -9999 without a _FillValue: the trap
    np.testing.assert_array_equal(np.isnan(ds.latitude.values), raw_lat == -9999.0)
    flags = ds.retrieval_qual_flag
    assert flags.dtype == np.uint16 and flags.attrs["_FillValue"] == 65534
    assert list(flags.attrs["flag_masks"][:2]) == [1, 2]


@pytest.mark.timeout(60)
def test_lat_lon_fill_is_masked_even_without_valid_range(l3, tmp_path):
    damaged = copy_of(l3, tmp_path)
    with h5py.File(damaged, "r+") as f:
        for key in ("valid_min", "valid_max"):
            del f[AM]["latitude"].attrs[key]
    ds = smap.open(damaged, group="am")
    assert np.isnan(ds.latitude.values).any() and np.nanmin(ds.latitude.values) > -90


@pytest.mark.timeout(60)
def test_values_outside_the_valid_range_are_masked(l3, tmp_path):
    damaged = copy_of(l3, tmp_path)
    with h5py.File(damaged, "r+") as f:
        sm = f[AM]["soil_moisture"]
        r, c = np.argwhere(sm[()] != -9999.0)[0]
        sm[r, c] = 0.7  # above valid_max 0.5
    ds = smap.open(damaged, group="am")
    assert np.isnan(ds.soil_moisture.values[r, c])


@pytest.mark.timeout(60)
def test_times_are_j2000_with_leap_seconds_and_match_tb_time_utc(l3):
    ds = smap.open(l3, group="am")
    texts = _raw(l3, AM, "tb_time_utc")
    have = np.char.str_len(texts) > 0
    spelled = np.char.rstrip(np.char.decode(texts[have], "ascii"), "Z").astype("datetime64[ns]")
    decoded = ds.tb_time.values[have]
    assert np.abs((decoded - spelled) / np.timedelta64(1, "ms")).max() <= 1.0
    assert np.isnat(ds.tb_time.values[~have]).all()


@pytest.mark.timeout(60)
def test_times_off_by_the_leap_seconds_are_refused(l3, tmp_path):
    damaged = copy_of(l3, tmp_path)
    with h5py.File(damaged, "r+") as f:
        seconds = f[AM]["tb_time_seconds"]
        values = seconds[()]
        values[values > 0] -= 3.0  # a J2000 that forgot the leap seconds since 2000
        seconds[...] = values
    with pytest.raises(FormatError, match=f"{damaged.name}.*leap seconds"):
        smap.open(damaged, group="am")


@pytest.mark.timeout(60)
def test_l2_cells_land_on_their_grid_cells_and_recover_the_truth(l2):
    ds = smap.open(l2)
    rows = _raw(l2, "Soil_Moisture_Retrieval_Data", "EASE_row_index").astype(int)
    cols = _raw(l2, "Soil_Moisture_Retrieval_Data", "EASE_column_index").astype(int)
    listed = _raw(l2, "Soil_Moisture_Retrieval_Data", "soil_moisture")
    placed = ds.soil_moisture.values
    assert placed.shape == (406, 964)
    np.testing.assert_array_equal(placed[rows, cols], np.where(listed == -9999, np.nan, listed))
    assert np.isnan(placed).sum() == placed.size - np.count_nonzero(listed != -9999)
    # the cell's grid lat/lon (pyproj) is where the simulated Earth was sampled
    slot = half_orbit(np.datetime64(HALF_ORBIT, "ns"))
    middle = slot.start + (slot.end - slot.start) // 2
    ok = ~np.isnan(placed)
    truth = soil_moisture_truth(ds.lat.values[ok], ds.lon.values[ok], middle)
    np.testing.assert_array_equal(placed[ok], truth)
    listed_lat = _raw(l2, "Soil_Moisture_Retrieval_Data", "latitude")
    np.testing.assert_allclose(ds.lat.values[rows, cols], listed_lat, atol=1e-4)


@pytest.mark.timeout(60)
def test_l2_cells_can_stay_a_list(l2):
    ds = smap.open(l2, gridded=False)
    assert ds.soil_moisture.dims == ("cell",) and ds.landcover_class.dims == (
        "cell", "landcover_rank")
    assert ds.row.max() < 406 and ds.attrs["grid"] == "ease2-m36"


@pytest.mark.timeout(60)
def test_global_attributes_name_the_product_and_the_half_orbit(l2):
    attrs = smap.open(l2).attrs
    assert (attrs["product"], attrs["platform"], attrs["orbit_direction"]) == (
        "SPL2SMP", "SMAP", "A")
    assert attrs["start_time"].startswith("2015-04-01T05:")


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.timeout(30)
def test_a_file_that_is_not_hdf5_is_a_format_error_naming_it(tmp_path):
    path = tmp_path / "SMAP_L3_SM_P_20150401_R19240_001.h5"
    path.write_text("<html>login required</html>")
    with pytest.raises(FormatError, match=f"{path}.*not an HDF5 file"):
        smap.open(path)


@pytest.mark.timeout(30)
def test_a_truncated_file_is_a_format_error_naming_it(l3, tmp_path):
    path = tmp_path / l3.name
    path.write_bytes(l3.read_bytes()[: l3.stat().st_size // 3])
    with pytest.raises(FormatError, match=f"{path}.*truncated"):
        smap.open(path)


@pytest.mark.timeout(30)
def test_an_unknown_group_is_an_input_error_listing_the_groups(l3):
    with pytest.raises(InputError, match=f"{l3.name}: SPL3SMP has no group 'Soil_Moisture'.*"
                       f"{AM}, {PM}"):
        smap.open(l3, group="Soil_Moisture")


@pytest.mark.timeout(30)
def test_a_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        smap.open(tmp_path / "SMAP_L3_SM_P_20150401_R19240_001.h5")


@pytest.mark.timeout(30)
def test_an_hdf5_file_of_no_smap_product_says_so(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f["x"] = [1.0]
    with pytest.raises(FormatError, match=f"{path}: not a SMAP product file"):
        smap.open(path)


@pytest.mark.timeout(30)
def test_an_array_off_the_products_grid_is_a_format_error(l3, tmp_path):
    damaged = copy_of(l3, tmp_path)
    with h5py.File(damaged, "r+") as f:
        del f[AM]["soil_moisture"]
        f[AM]["soil_moisture"] = np.zeros((10, 10), np.float32)
    with pytest.raises(FormatError, match=r"soil_moisture has shape \(10, 10\), not grid "
                       r"ease2-m36's \(406, 964\)"):
        smap.open(damaged, group="am")


@pytest.mark.timeout(30)
def test_the_reader_and_xarray_agree_on_the_values(l3):
    ds = smap.open(l3, group="am")
    xr.testing.assert_identical(ds.soil_moisture, smap.open_smap(l3, group=AM).soil_moisture)


@pytest.mark.timeout(60)
def test_the_dataset_round_trips_through_netcdf_with_its_grid_mapping(l3, tmp_path):
    ds = smap.open(l3)
    ds.to_netcdf(tmp_path / "sm.nc")
    with xr.open_dataset(tmp_path / "sm.nc") as back:
        np.testing.assert_array_equal(back.soil_moisture.values, ds.soil_moisture.values)
        mapping = back[back.soil_moisture.attrs["grid_mapping"]]
        assert pyproj.CRS.from_wkt(mapping.attrs["crs_wkt"]).to_epsg() == 6933
    with xr.open_dataset(tmp_path / "sm.nc", mask_and_scale=False) as raw:
        flags = raw.retrieval_qual_flag  # stored as the archive does: uint16, fill 65534
        assert flags.dtype == np.uint16 and flags.attrs["_FillValue"] == 65534
