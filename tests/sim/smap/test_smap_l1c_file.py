"""Synthetic L1C_TB half orbits: the facts' cell lists on M36, N36 and S36, read on their grid."""

import h5py
import numpy as np
import pyproj
import pytest

from smap_files import HALF_ORBIT, smap_file
from swathkit import smap

GROUPS = {"Global_Projection": (406, 964, 6933), "North_Polar_Projection": (500, 500, 6931),
          "South_Polar_Projection": (500, 500, 6932)}
FACT_VARS = [f"cell_tb_{p}_{look}" for p in "vh" for look in ("fore", "aft")] + [
    "cell_tb_qual_flag_v_fore", "cell_tb_error_h_aft", "cell_tb_time_seconds_fore",
    "cell_tb_time_seconds_aft", "cell_lat", "cell_lon", "cell_row", "cell_column"]


@pytest.fixture(scope="module")
def l1c(tmp_path_factory):
    return smap_file(tmp_path_factory, "SPL1CTB", HALF_ORBIT)


@pytest.mark.timeout(60)
def test_each_projection_lists_cells_with_the_facts_variables(l1c):
    with h5py.File(l1c) as f:
        assert set(GROUPS) <= set(f)
        for name, (rows, cols, _) in GROUPS.items():
            g = f[name]
            assert set(FACT_VARS) <= set(g), name
            n = g["cell_row"].shape[0]
            assert n > 1000 and all(g[v].shape == (n,) for v in FACT_VARS)
            assert g["cell_row"][()].max() < rows and g["cell_column"][()].max() < cols
            assert g["cell_tb_v_fore"].dtype == np.float32
            assert g["cell_tb_time_seconds_fore"].dtype == np.float64
            assert "_FillValue" not in g["cell_lat"].attrs  # the lat/lon trap


@pytest.mark.timeout(60)
@pytest.mark.parametrize("group", sorted(GROUPS))
def test_the_reader_places_each_projection_on_its_grid(l1c, group):
    rows, cols, epsg = GROUPS[group]
    ds = smap.open(l1c, group=group)
    assert ds.cell_tb_v_fore.shape == (rows, cols)
    mapping = ds[ds.cell_tb_v_fore.attrs["grid_mapping"]]
    assert pyproj.CRS.from_wkt(mapping.attrs["crs_wkt"]).to_epsg() == epsg
    with h5py.File(l1c) as f:
        r, c = f[group]["cell_row"][()], f[group]["cell_column"][()]
        listed_lat = f[group]["cell_lat"][()]
        tb = f[group]["cell_tb_h_aft"][()]
    np.testing.assert_allclose(ds.lat.values[r, c], listed_lat, atol=1e-4)  # the right cells
    np.testing.assert_array_equal(ds.cell_tb_h_aft.values[r, c], tb)
    assert np.isnan(ds.cell_tb_h_aft.values).sum() == rows * cols - r.size


@pytest.mark.timeout(60)
def test_fore_and_aft_looks_are_90_seconds_apart_and_decoded(l1c):
    ds = smap.open(l1c)
    gap = (ds.cell_tb_time_aft - ds.cell_tb_time_fore).values
    seen = ~np.isnat(gap)
    assert seen.sum() > 1000
    assert (gap[seen] == np.timedelta64(90, "s")).all()


@pytest.mark.timeout(60)
def test_open_sea_is_cold_at_l_band_and_land_warm(l1c):
    ds = smap.open(l1c)
    tb_h = ds.cell_tb_h_fore.values
    seen = ~np.isnan(tb_h)
    assert np.nanmin(tb_h) < 90 and np.nanmax(tb_h) > 200  # sea ~75 K, land ~250 K
    assert (tb_h[seen] > 0).all()
