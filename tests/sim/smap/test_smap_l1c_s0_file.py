"""Synthetic L1C_S0_HiRes: the 1 km radar swath grid, its nadir gap, water dark."""

import h5py
import numpy as np
import pytest

from smap_files import HALF_ORBIT, smap_file
from swathkit import smap
from swathkit.sim.surface_water import WATER, surface_water

SIGMA0 = [f"cell_sigma0_{p}_{look}" for p in ("hh", "vv", "xpol") for look in ("fore", "aft")]


@pytest.fixture(scope="module")
def hires(tmp_path_factory):
    return smap_file(tmp_path_factory, "SPL1CS0", HALF_ORBIT)


@pytest.mark.timeout(60)
def test_the_file_holds_the_facts_sigma0_arrays(hires):
    assert hires.name.startswith("SMAP_L1C_S0_HIRES_00873_A_20150401T053725_")
    with h5py.File(hires) as f:
        g = f["Sigma0_Data"]
        assert set(SIGMA0) | {"cell_lat", "cell_lon"} <= set(g)
        shape = g["cell_sigma0_vv_fore"].shape
        assert shape[1] == 1000 and all(g[v].shape == shape for v in SIGMA0)
        assert all(g[f"cell_sigma0_qual_flag_{p}"].shape == shape for p in ("hh", "vv", "xpol"))
        assert g["cell_sigma0_vv_fore"].attrs["_FillValue"] == -9999.0
        assert "_FillValue" not in g["cell_lat"].attrs
        assert f["Metadata/DatasetIdentification"].attrs["shortName"] == b"SPL1CS0"


@pytest.mark.timeout(60)
def test_cells_are_1_km_apart_across_and_along_the_track(hires):
    ds = smap.open(hires)
    assert ds.cell_sigma0_vv_fore.dims == ("scan", "pixel")
    lat = np.deg2rad(ds.cell_lat.values.astype(np.float64))
    lon = np.deg2rad(ds.cell_lon.values.astype(np.float64))
    assert np.isfinite(lat).all() and np.isfinite(lon).all()

    def step_km(a, b):  # haversine: exact for short steps
        la1, lo1, la2, lo2 = lat[a], lon[a], lat[b], lon[b]
        h = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
        return 2 * 6371.0 * np.arcsin(np.sqrt(h))

    across = step_km((slice(None), slice(0, -1)), (slice(None), slice(1, None)))
    along = step_km((slice(0, -1), slice(None)), (slice(1, None), slice(None)))
    assert np.median(across) == pytest.approx(1.0, abs=0.01)
    assert np.median(along[:, 500]) == pytest.approx(1.0, abs=0.05)  # on the track


@pytest.mark.timeout(60)
def test_the_nadir_gap_is_fill_and_water_is_darker_than_land(hires):
    ds = smap.open(hires)
    vv = ds.cell_sigma0_vv_fore.values
    assert np.isnan(vv[:, 450:550]).all() and np.isfinite(vv[:, :300]).all()
    water = surface_water(ds.cell_lon.values, ds.cell_lat.values) == WATER
    seen = np.isfinite(vv)
    assert (water & seen).any() and (~water & seen).any()
    assert np.median(vv[water & seen]) < np.median(vv[~water & seen]) / 10  # > 10 dB darker
