"""Gridding one day of AMSR2 36.5H onto EASE2 N25: swathkit against a bare pyresample call.

The day's half orbits come from the simulator (``synthetic_granule``: the true 36G
footprints, the counts a file would hold, decoded to K with 0 and 65535 missing).
Three ways to the daily bucket mean per orbit direction, on the same swaths:

- swathkit: :func:`swathkit.process.gridding.grid_day` (pyresample's bucket
  indices, then float64 ``bincount`` sums swath by swath: deterministic), which also
  gives the counts and the mean time;
- baseline: one bare ``pyresample.bucket.BucketResampler(...).get_average(...)``
  per direction over the concatenated swaths (dask, its default chunking);
- reference: a plain numpy bucket average written here (pyproj to x/y, floor to
  the cell, ``np.add.at`` sums and counts).

Prints the wall times, the ratio to the baseline (target ≤ 1.5×) and the largest
|difference| of the cell values against the numpy reference (target ≤ 1e-6 K).

    .venv/bin/python benchmarks/bench_grid.py            # a whole day (~29 half orbits)
    .venv/bin/python benchmarks/bench_grid.py --quick    # 4 half orbits
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timedelta

import dask.array as da
import numpy as np
import pyproj
from pyresample.bucket import BucketResampler

from common import print_table
from swathkit.process.gridding import Swath, grid_day
from swathkit.products.grids import grid
from swathkit.sim.gportal.amsr2_l1b import granules_between, synthetic_granule

DAY = datetime(2022, 2, 16)
EPOCH = np.datetime64("1970-01-01", "ns")


def day_swaths(n: int | None, scans: int | None) -> list[Swath]:
    slots = granules_between(DAY, DAY + timedelta(days=1))[:n]
    out = []
    for slot in slots:
        g = synthetic_granule(slot.start + np.timedelta64(60, "s"), scans=scans, seed=1)
        lat, lon = g.band_geolocation["36G"]
        counts = g.counts["36.5H"]
        tb = np.where((counts == 0) | (counts == 65535), np.nan, counts * 0.01)
        seconds = (g.scan_time.astype("datetime64[ns]") - EPOCH).astype(np.int64) / 1e9
        out.append(Swath(np.asarray(lat, np.float64), np.asarray(lon, np.float64),
                         {"36_5h": tb}, seconds, g.orbit_direction[0]))
    return out


def north_only(s: Swath) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What swathkit grids on a north polar grid: northern-hemisphere points."""
    south = s.lat < 0
    return (np.where(south, np.nan, s.lat), np.where(south, np.nan, s.lon),
            s.values["36_5h"])


def bare_pyresample(swaths: list[Swath], direction: str, area: object) -> np.ndarray:
    parts = [north_only(s) for s in swaths if s.direction == direction]
    lat, lon, tb = (np.concatenate([p[k].ravel() for p in parts]) for k in range(3))
    ok = np.isfinite(lat)
    resampler = BucketResampler(area, da.from_array(lon[ok]), da.from_array(lat[ok]))
    return np.asarray(resampler.get_average(da.from_array(tb[ok])).compute())


def numpy_bucket(swaths: list[Swath], direction: str) -> np.ndarray:
    g = grid("ease2-n25")
    to_xy = pyproj.Transformer.from_crs(4326, g.crs, always_xy=True)
    x0, dx, _, y0, _, dy = g.transform
    sums = np.zeros(g.shape)
    n = np.zeros(g.shape, np.int64)
    for s in swaths:
        if s.direction != direction:
            continue
        lat, lon, tb = north_only(s)
        keep = np.isfinite(lat) & np.isfinite(tb)
        x, y = to_xy.transform(lon[keep], lat[keep])
        col = np.floor((x - x0) / dx).astype(np.int64)
        row = np.floor((y - y0) / dy).astype(np.int64)
        inside = (col >= 0) & (col < g.cols) & (row >= 0) & (row < g.rows)
        np.add.at(sums, (row[inside], col[inside]), tb[keep][inside])
        np.add.at(n, (row[inside], col[inside]), 1)
    with np.errstate(invalid="ignore"):
        return sums / n


def timed(fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4 half orbits")
    args = parser.parse_args()
    n, scans = (4, None) if args.quick else (None, None)
    swaths = day_swaths(n, scans)
    g = grid("ease2-n25")
    area = g.area_definition()
    points = sum(s.lat.size for s in swaths)
    grid_day(swaths[:1], g, channels=["36_5h"])  # warm-up: imports, pyproj set-up
    ours, t_ours = timed(lambda: grid_day(swaths, g, channels=["36_5h"]))
    base, t_base = {}, 0.0
    for d in "AD":
        base[d], t = timed(lambda d=d: bare_pyresample(swaths, d, area))
        t_base += t
    rows = []
    for d, suffix in (("A", "asc"), ("D", "des")):
        ref = numpy_bucket(swaths, d)
        mine = ours[f"tb_36_5h_{suffix}"]
        same_cells = np.array_equal(np.isnan(mine), np.isnan(ref))
        rows.append((d, f"{np.isfinite(ref).sum():,}", same_cells,
                     f"{np.nanmax(np.abs(mine - ref)):.2e}",
                     f"{np.nanmax(np.abs(base[d] - ref)):.2e}"))
    print_table(f"one day of 36.5H onto ease2-n25: {len(swaths)} half orbits, "
                f"{points / 1e6:.1f} M observations",
                ("", "seconds", "ratio to bare pyresample"),
                [("swathkit grid_day (TB + count + mean time, both directions)",
                  f"{t_ours:.2f}", f"{t_ours / t_base:.2f}x (target <= 1.5x)"),
                 ("bare pyresample BucketResampler.get_average, both directions",
                  f"{t_base:.2f}", "1.00x")])
    print_table("cell values against a plain numpy bucket average (target <= 1e-6 K)",
                ("direction", "cells", "same cells", "swathkit max |diff| K",
                 "pyresample max |diff| K"), rows)


if __name__ == "__main__":
    main()
