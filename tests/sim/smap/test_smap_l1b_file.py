"""Synthetic L1B_TB half orbits: a conical-scan swath from the SMAP orbit, read as (scan, pixel)."""

import h5py
import numpy as np
import pytest

from smap_files import HALF_ORBIT, smap_file
from swathkit import smap

FACT_VARS = ["tb_h", "tb_v", "tb_3", "tb_4", "tb_h_surface_corrected", "tb_v_surface_corrected",
             "tb_lat", "tb_lon", "tb_time_seconds", "tb_qual_flag_h", "tb_qual_flag_v",
             "tb_qual_flag_3", "tb_qual_flag_4", "nedt_h", "nedt_v",
             "earth_boresight_incidence"]
R_KM = 6371.0


@pytest.fixture(scope="module")
def l1b(tmp_path_factory):
    return smap_file(tmp_path_factory, "SPL1BTB", HALF_ORBIT)


def _distance_km(lat1, lon1, lat2, lon2):
    p1, p2 = np.deg2rad(lat1), np.deg2rad(lat2)
    dlon = np.deg2rad(lon2 - lon1)
    cos_angle = np.sin(p1) * np.sin(p2) + np.cos(p1) * np.cos(p2) * np.cos(dlon)
    return R_KM * np.arccos(np.clip(cos_angle, -1, 1))


@pytest.mark.timeout(60)
def test_the_groups_hold_the_facts_variables(l1b):
    with h5py.File(l1b) as f:
        tb = f["Brightness_Temperature"]
        assert set(FACT_VARS) <= set(tb)
        shape = tb["tb_h"].shape
        assert all(tb[v].shape == shape for v in FACT_VARS) and shape[0] > 500
        assert tb["tb_h"].attrs["_FillValue"] == -9999.0
        sc = f["Spacecraft_Data"]
        assert {"antenna_scan_time", "footprints_per_scan", "sc_nadir_lat",
                "sc_nadir_lon"} <= set(sc)
        assert sc["sc_nadir_lat"].shape == (shape[0],)
        assert (sc["footprints_per_scan"][()] == shape[1]).all()


@pytest.mark.timeout(60)
def test_the_swath_is_1000_km_wide_around_the_nadir_track(l1b):
    ds = smap.open(l1b)
    nadir = smap.open(l1b, group="Spacecraft_Data")
    assert ds.tb_h.dims == ("scan", "pixel") and set(ds.coords) >= {"tb_lat", "tb_lon"}
    ahead = _distance_km(ds.tb_lat.values[:, 0], ds.tb_lon.values[:, 0],
                         nadir.sc_nadir_lat.values, nadir.sc_nadir_lon.values)
    assert np.abs(ahead - 500).max() < 10  # footprint 0 looks ahead from the scan's start
    half = ds.sizes["pixel"] // 4  # a quarter turn later: the side of the cone
    across = _distance_km(ds.tb_lat.values[:, half], ds.tb_lon.values[:, half],
                          ds.tb_lat.values[:, 3 * half], ds.tb_lon.values[:, 3 * half])
    assert np.median(across) == pytest.approx(1000, abs=25)


@pytest.mark.timeout(60)
def test_an_ascending_half_orbit_runs_south_to_north_at_6_pm(l1b):
    nadir = smap.open(l1b, group="Spacecraft_Data")
    lat = nadir.sc_nadir_lat.values
    assert lat[0] < -80 and lat[-1] > 80 and (np.diff(lat[:300]) > 0).all()
    ds = smap.open(l1b)
    crossing = int(np.argmin(np.abs(lat)))
    when = ds.tb_time.values[crossing, 0]
    hours = (when - when.astype("datetime64[D]")) / np.timedelta64(1, "h")
    local = (hours + float(nadir.sc_nadir_lon.values[crossing]) / 15.0) % 24
    assert local == pytest.approx(18.0, abs=0.1)


@pytest.mark.timeout(60)
def test_sea_is_cold_and_land_warm_in_the_swath(l1b):
    tb_v = smap.open(l1b).tb_v.values
    assert 100 < np.percentile(tb_v, 5) < 130 and np.percentile(tb_v, 99) > 200
