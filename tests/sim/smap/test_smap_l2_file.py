"""The synthetic L2_SM_P half orbit: 1-D cell lists on M36, placed by EASE row/column."""

import h5py
import numpy as np
import pytest

from smap_files import HALF_ORBIT, smap_file
from swathkit.products.smap import parse_smap_name
from swathkit.sim.smap.orbit import INCLINATION_DEG, PERIOD_S, half_orbit

G = "Soil_Moisture_Retrieval_Data"


@pytest.fixture(scope="module")
def l2(tmp_path_factory):
    return smap_file(tmp_path_factory, "SPL2SMP", HALF_ORBIT)


@pytest.mark.timeout(60)
def test_the_name_is_the_half_orbit_flying_at_the_start(l2):
    name = parse_smap_name(l2)
    slot = half_orbit(np.datetime64(HALF_ORBIT, "ns"))
    assert (name.orbit, name.direction) == (slot.orbit, slot.direction)
    start = np.datetime64(name.start.replace(tzinfo=None), "s")
    assert start <= np.datetime64(HALF_ORBIT, "s") < start + np.timedelta64(3000, "s")


@pytest.mark.timeout(60)
def test_the_group_holds_1d_lists_and_n_by_3_landcover(l2):
    with h5py.File(l2) as f:
        g = f[G]
        n = g["soil_moisture"].shape[0]
        assert n > 1000
        for name, ds in g.items():
            assert ds.shape == ((n, 3) if name.startswith("landcover") else (n,)), name
        rows, cols = g["EASE_row_index"][()], g["EASE_column_index"][()]
        assert rows.dtype == np.uint16 and g["EASE_row_index"].attrs["_FillValue"] == 65534
        assert rows.max() < 406 and cols.max() < 964
        assert np.unique(rows.astype(int) * 964 + cols).size == n  # each cell once
        assert f["Metadata/DatasetIdentification"].attrs["shortName"] == b"SPL2SMP"


@pytest.mark.timeout(60)
def test_the_listed_cells_follow_one_ground_track(l2):
    """A half orbit is a ~1000 km band: its cells' latitudes span pole to pole."""
    with h5py.File(l2) as f:
        lat = f[G]["latitude"][()]
        seconds = f[G]["tb_time_seconds"][()]
    assert lat.max() > 60 and lat.min() < -50  # land on the track, both hemispheres
    assert np.ptp(seconds) < PERIOD_S / 2 + 60
    assert np.abs(lat).max() < (180 - INCLINATION_DEG) + 4.6  # 81.9° track + half a swath


@pytest.mark.timeout(120)
def test_the_enhanced_l2_places_its_cells_on_m09_and_its_polar_group_on_n09(tmp_path_factory):
    from swathkit import smap

    path = smap_file(tmp_path_factory, "SPL2SMP_E", HALF_ORBIT)
    assert parse_smap_name(path).level == "L2_SM_P_E"
    for group, shape in ((G, (1624, 3856)), (f"{G}_Polar", (2000, 2000))):
        ds = smap.open(path, group=group)
        with h5py.File(path) as f:
            rows = f[group]["EASE_row_index"][()]
            cols = f[group]["EASE_column_index"][()]
            listed = f[group]["surface_temperature"][()]
        assert ds.surface_temperature.shape == shape and rows.size > 1000
        np.testing.assert_array_equal(ds.surface_temperature.values[rows, cols], listed)
