"""The SMAP orbit model and the soil-moisture truth of the synthetic Earth."""

import numpy as np
import pytest

from swathkit.sim.smap import h5out
from swathkit.sim.smap.earth import SM_RANGE, scene, soil_moisture_truth
from swathkit.sim.smap.orbit import (
    HALF_ORBIT_S,
    PERIOD_S,
    HalfOrbit,
    half_orbit,
    to_latlon,
    track,
)

APRIL, OCTOBER = np.datetime64("2015-04-15T12:00"), np.datetime64("2015-10-15T12:00")


@pytest.mark.timeout(30)
def test_the_ground_track_repeats_after_117_orbits_in_8_days():
    assert pytest.approx(8 * 86400) == PERIOD_S * 117
    t = np.linspace(0, HALF_ORBIT_S, 50)
    here = to_latlon(track(HalfOrbit(10), t)[0])
    later = to_latlon(track(HalfOrbit(10 + 2 * 117), t)[0])
    np.testing.assert_allclose(here, later, atol=1e-6)
    shifted = to_latlon(track(HalfOrbit(10 + 2 * 116), t)[0])
    assert np.abs(here[1] - shifted[1]).max() > 1.0  # one orbit short: another track


@pytest.mark.timeout(30)
def test_the_track_reaches_the_latitude_the_inclination_allows():
    lat, _ = to_latlon(track(HalfOrbit(0), np.linspace(0, HALF_ORBIT_S, 2001))[0])
    assert lat[0] == pytest.approx(-81.9, abs=0.01) and lat[-1] == pytest.approx(81.9, abs=0.01)
    assert half_orbit(HalfOrbit(7).start + np.timedelta64(1, "s")) == HalfOrbit(7)


@pytest.mark.timeout(30)
def test_soil_moisture_has_wet_and_dry_regions_within_the_products_range():
    lat = np.array([0.0, 25.0, 60.0])
    sm = soil_moisture_truth(lat, np.full(3, 20.0), APRIL)
    assert sm[1] < sm[0] and sm[1] < sm[2]  # the subtropical dry belt
    grid_lat, grid_lon = np.meshgrid(np.linspace(-80, 80, 81), np.linspace(-180, 180, 91))
    everywhere = soil_moisture_truth(grid_lat, grid_lon, APRIL)
    assert everywhere.min() >= SM_RANGE[0] and everywhere.max() <= SM_RANGE[1]


@pytest.mark.timeout(30)
def test_soil_moisture_follows_the_seasons_of_each_hemisphere():
    lat, lon = np.array([45.0, -45.0]), np.array([10.0, 10.0])
    april, october = soil_moisture_truth(lat, lon, APRIL), soil_moisture_truth(lat, lon, OCTOBER)
    assert april[0] > october[0] and april[1] < october[1]


@pytest.mark.timeout(60)
def test_ground_freezes_in_a_northern_winter_morning_not_in_the_tropics():
    lat, lon = np.array([65.0, 0.5]), np.array([100.0, 20.0])  # Siberia, the Congo
    winter = scene(lat, lon, np.datetime64("2015-01-15T06:00"), "am")
    assert winter.land.all() and winter.frozen.tolist() == [True, False]


@pytest.mark.timeout(30)
def test_a_failed_write_leaves_no_part_file(tmp_path):
    path = tmp_path / "SMAP_L3_SM_P_20150401_R19240_001.h5"
    with pytest.raises(RuntimeError), h5out.new_file(path) as f:
        f["x"] = [1]
        raise RuntimeError("interrupted")
    assert not list(tmp_path.iterdir())
