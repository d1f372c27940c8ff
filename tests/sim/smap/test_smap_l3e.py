"""The synthetic L3_SM_P_E day: AM/PM on M09 (1624 × 3856) and the polar pair on N09 (2000²)."""

import h5py
import numpy as np
import pyproj
import pytest

from smap_files import DAY, smap_file
from swathkit import smap
from swathkit.sim.smap.earth import soil_moisture_truth

pytestmark = pytest.mark.slow  # a 9 km day is ~140 MB and ~20 s to simulate

SHAPES = {"Soil_Moisture_Retrieval_Data_AM": (1624, 3856),
          "Soil_Moisture_Retrieval_Data_PM": (1624, 3856),
          "Soil_Moisture_Retrieval_Data_Polar_AM": (2000, 2000),
          "Soil_Moisture_Retrieval_Data_Polar_PM": (2000, 2000)}


@pytest.fixture(scope="module")
def l3e(tmp_path_factory):
    return smap_file(tmp_path_factory, "SPL3SMP_E")


@pytest.mark.timeout(300)
def test_the_four_groups_have_the_facts_shapes(l3e):
    assert l3e.name == "SMAP_L3_SM_P_E_20150401_R19240_001.h5"
    with h5py.File(l3e) as f:
        assert f["Metadata/DatasetIdentification"].attrs["shortName"] == b"SPL3SMP_E"
        for group, shape in SHAPES.items():
            suffix = "_pm" if group.endswith("PM") else ""
            assert f[group][f"soil_moisture{suffix}"].shape == shape
            assert f[group][f"landcover_class{suffix}"].shape == (*shape, 3)


@pytest.mark.timeout(300)
def test_the_global_pair_reads_on_m09_and_recovers_the_truth(l3e):
    ds = smap.open(l3e)
    assert ds.soil_moisture.dims == ("overpass", "y", "x") and ds.sizes["x"] == 3856
    np.testing.assert_allclose(ds.x.values[0], -17367530.4451615 + 9008.055210146 / 2,
                               rtol=0, atol=1e-6)
    am = ds.soil_moisture.sel(overpass="am").values
    ok = ~np.isnan(am)
    noon = np.datetime64(DAY, "ns") + np.timedelta64(12, "h")
    lat, lon = ds.lat.values[ok], ds.lon.values[ok]
    np.testing.assert_array_equal(am[ok], soil_moisture_truth(lat, lon, noon))


@pytest.mark.timeout(300)
def test_the_polar_pair_reads_on_n09(l3e):
    ds = smap.open(l3e, group="Soil_Moisture_Retrieval_Data_Polar")
    assert list(ds.overpass.values) == ["am", "pm"] and ds.soil_moisture.shape == (2, 2000, 2000)
    mapping = ds[ds.soil_moisture.attrs["grid_mapping"]]
    assert pyproj.CRS.from_wkt(mapping.attrs["crs_wkt"]).to_epsg() == 6931
    np.testing.assert_allclose(ds.y.values[[0, -1]], [9000000.0 - 4500.0, -9000000.0 + 4500.0],
                               rtol=0, atol=1e-6)
    assert np.isfinite(ds.soil_moisture.values).any()
