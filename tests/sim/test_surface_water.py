import numpy as np
import pytest

from swathkit.sim.surface_water import LAND, WATER, WETLAND, surface_water

pytestmark = pytest.mark.timeout(60)


def test_the_same_place_gives_the_same_class_at_any_sampling():
    lon, lat = np.meshgrid(np.linspace(-90, -89, 401), np.linspace(45, 44, 401))
    fine = surface_water(lon, lat)
    coarse = surface_water(lon[::4, ::4], lat[::4, ::4])
    assert np.array_equal(fine[::4, ::4], coarse)
    assert set(np.unique(fine)) == {LAND, WATER, WETLAND}


def test_ocean_is_water_and_an_inland_region_is_mostly_land():
    assert surface_water(-70.0, 40.0) == WATER  # the Atlantic
    lon, lat = np.meshgrid(np.linspace(-100, -99, 200), np.linspace(40, 39, 200))
    share = np.mean(surface_water(lon, lat) == WATER)
    assert 0.001 < share < 0.2
