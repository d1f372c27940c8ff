"""build_mask: NaN frequency over a period, pole hole kept as ocean, parameters stored."""

from datetime import date, timedelta

import numpy as np
import pytest

from swathkit.errors import StoreError
from swathkit.jobs.seaice.mask import build_mask
from swathkit.sim.bremen.asi import asi_truth, synthetic_asi_day
from swathkit.stores.grid_cube import GridCube
from swathkit.stores.grid_cube_writer import cube_writer

GRID = "n6250"
D0 = date(2024, 3, 4)


@pytest.fixture(scope="module")
def cube(tmp_path_factory):
    path = tmp_path_factory.mktemp("mask") / "c.zarr"
    with cube_writer(path, grid=GRID) as w:
        w.upsert_days({D0 + timedelta(days=i): synthetic_asi_day(GRID, D0 + timedelta(days=i))
                       for i in range(10)})
    return path


@pytest.mark.slow
def test_the_mask_finds_the_land_and_not_the_pole_hole(cube):
    report = build_mask(cube, start=D0, end=D0 + timedelta(days=9))
    truth = asi_truth(GRID, D0)
    land = GridCube.open(cube).land_mask()
    assert land is not None and land.sum() == report.land_pixels
    assert not (land & truth["pole_hole"]).any()
    assert (land == truth["land"]).mean() > 0.99
    assert land[truth["land"]].mean() > 0.99
    assert report.pole_excluded > truth["pole_hole"].sum()
    assert report.agreement["agreement"] > 0.95 and report.agreement["iou"] > 0.8


def test_parameters_and_frequency_are_stored(cube):
    build_mask(cube, start=D0, end=D0 + timedelta(days=9), threshold=0.9)
    c = GridCube.open(cube)
    info = c.mask_info
    assert info["threshold"] == 0.9 and info["days"] == 10
    assert info["start"] == D0.isoformat() and "agreement" in info
    freq = c.nan_frequency()
    assert freq is not None and np.array_equal(c.land_mask(), (freq > 0.9) & c.land_mask())
    assert c.dataset()["land_mask"].dims == ("y", "x")


@pytest.mark.slow
def test_the_same_mask_is_not_rebuilt(cube):
    build_mask(cube, start=D0, end=D0 + timedelta(days=4))
    again = build_mask(cube, start=D0, end=D0 + timedelta(days=4))
    assert not again.rebuilt
    other = build_mask(cube, start=D0, end=D0 + timedelta(days=4), threshold=0.5)
    assert other.rebuilt


def test_a_period_without_days_is_an_error(cube):
    with pytest.raises(StoreError, match="no day with data"):
        build_mask(cube, start=date(2030, 1, 1), end=date(2030, 2, 1))
