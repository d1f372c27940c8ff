"""process.gridding: one day of swaths onto a Grid, deterministic whatever the chunking."""

import hashlib

import dask
import numpy as np
import pytest

from swathkit.process.gridding import Swath, grid_day, variable_names
from swathkit.products.grids import Grid

NORTH = Grid("t-north", 6931, (30, 30), (-375000.0, 25000.0, 0.0, 375000.0, 0.0, -25000.0))
SOUTH_UP = Grid("t-south-up", 6931, (30, 30), (-375000.0, 25000.0, 0.0, -375000.0, 0.0, 25000.0))


def _swaths(n=3, scans=50, pixels=60, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        lat = rng.uniform(85.5, 90.0, (scans, pixels))
        lon = rng.uniform(-180, 180, (scans, pixels))
        tb = rng.uniform(150, 280, (scans, pixels))
        tb[rng.random(tb.shape) < 0.1] = np.nan
        lat[0, :3] = np.nan
        seconds = 1.6e9 + 3600.0 * i + 1.5 * np.arange(scans)
        out.append(Swath(lat, lon, {"ch": tb}, seconds, "AD"[i % 2], label=f"g{i}"))
    return out


def _digest(fields):
    h = hashlib.sha256()
    for name in sorted(fields):
        h.update(name.encode() + np.ascontiguousarray(fields[name]).tobytes())
    return h.hexdigest()


def test_same_bytes_whatever_the_dask_chunking_and_thread_count():
    swaths = _swaths()
    digests = set()
    for chunk, workers in ((1 << 20, 1), (997, 2), (4096, 2)):
        with dask.config.set(scheduler="threads", num_workers=workers):
            digests.add(_digest(grid_day(swaths, NORTH, channels=["ch"], chunk=chunk)))
    assert len(digests) == 1


def test_returns_every_named_field_with_counts_matching_the_valid_points():
    swaths = _swaths()
    fields = grid_day(swaths, NORTH, channels=["ch"])
    assert sorted(fields) == sorted(variable_names(["ch"]))
    total = fields["count_ch_asc"].sum() + fields["count_ch_des"].sum()
    inside = sum(int((np.isfinite(s.values["ch"]) & np.isfinite(s.lat)).sum()) for s in swaths)
    assert 0 < total <= inside
    observed = fields["count_ch_asc"] > 0
    assert np.isfinite(fields["tb_ch_asc"][observed]).all()
    assert np.isnan(fields["tb_ch_asc"][~observed]).all()


def test_a_south_up_grid_gets_its_rows_in_its_own_order():
    swaths = _swaths()
    north = grid_day(swaths, NORTH, channels=["ch"])
    south_up = grid_day(swaths, SOUTH_UP, channels=["ch"])
    for name in north:
        np.testing.assert_array_equal(south_up[name], north[name][::-1])


def test_swaths_of_the_wrong_shape_or_direction_are_refused():
    lat = np.zeros((4, 5))
    with pytest.raises(ValueError, match="orbit direction"):
        Swath(lat, lat, {"ch": lat}, np.zeros(4), "X")
    with pytest.raises(ValueError, match="scan times"):
        Swath(lat, lat, {"ch": lat}, np.zeros(3), "A")
    with pytest.raises(ValueError, match="method"):
        grid_day([], NORTH, channels=["ch"], method="bilinear")
