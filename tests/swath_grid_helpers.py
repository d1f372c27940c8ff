"""Small swath stores for the gridding tests: polar swaths with known counts, times and passes."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pyproj

from swathkit.process import footprint
from swathkit.products.grids import Grid
from swathkit.stores.records import SwathRecord
from swathkit.stores.schema import Layout
from swathkit.stores.swath_store import swath_writer

# 40 × 40 EASE2-North cells of 25 km around the pole (a crop of ease2-n25's cells)
SMALL = Grid("test-ease2-n25-crop", 6931, (40, 40),
             (-500000.0, 25000.0, 0.0, 500000.0, 0.0, -25000.0))
LAYOUT = Layout.of("36.5H,89.0AH", coords=True, scan_length=64)


def polar_record(i: int, start: datetime, direction: str, *, n_scans: int = 60,
                 seed: int = 0) -> SwathRecord:
    """A granule over the pole: lat 84..89.8, lon sweeping, counts random (NaN holes)."""
    rng = np.random.default_rng([seed, i])
    k = np.arange(n_scans)[:, None]
    records = {}
    latlon = {}
    for band, pixels, var in (("36G", 243, "tb_36_5h"), ("89A", 486, "tb_89_0ah")):
        j = np.arange(pixels)[None, :]
        lat = 84.0 + 5.8 * (k + 0.37 * (j % 7)) / n_scans + 0 * j
        lon = -180.0 + 360.0 * j / pixels + 23.0 * i + 0.5 * k
        lon = (lon + 180.0) % 360.0 - 180.0
        latlon[band] = (lat.astype(np.float32), lon.astype(np.float32))
        counts = rng.integers(15000, 28000, (n_scans, pixels)).astype(np.uint16)
        counts[rng.random((n_scans, pixels)) < 0.05] = 65535
        records[var] = counts
    t0 = np.datetime64(start.replace(tzinfo=None), "ns")
    times = t0 + (np.arange(n_scans) * 1500).astype("timedelta64[ms]")
    lat, lon = latlon["89A"]
    meta = {"start_time": str(times[0]), "end_time": str(times[-1]),
            "orbit_direction": direction, "orbit_number": 1000 + i, "path_number": i,
            "product_version": "2", "algorithm_version": "220", "source_size": 1,
            "source_sha256": "ab" * 32, "geolocation": "coregister",
            "bbox": footprint.bbox(lat, lon), "coverage": footprint.coverage(lat, lon)}
    return SwathRecord(f"G{i:04d}", records, latlon, times.astype("datetime64[ns]"), meta)


def make_store(path, records: list[SwathRecord], layout: Layout = LAYOUT):
    with swath_writer(path, layout) as writer:
        writer.write(records)
    return path


def day_records(day: datetime, n: int = 4, *, seed: int = 0) -> list[SwathRecord]:
    """``n`` granules on ``day``, alternating A/D, 3 h apart."""
    return [polar_record(i + 100 * day.toordinal() % 1000, day + timedelta(hours=3 * i + 1),
                         "AD"[i % 2], seed=seed) for i in range(n)]


def numpy_bucket(records: list[SwathRecord], grid: Grid, direction: str, var: str = "tb_36_5h",
                 band: str = "36G", lo: np.datetime64 | None = None,
                 hi: np.datetime64 | None = None):
    """Plain numpy: project with pyproj, floor onto the cells, average per cell (np.add.at)."""
    to_grid = pyproj.Transformer.from_crs(4326, grid.crs, always_xy=True)
    x0, dx, _, y0, _, dy = grid.transform
    sums = np.zeros(grid.shape)
    n = np.zeros(grid.shape, np.int64)
    tsum = np.zeros(grid.shape)
    for rec in records:
        if rec.meta["orbit_direction"] != direction:
            continue
        lat, lon = (a.astype(np.float64) for a in rec.latlon[band])
        tb = np.where(rec.counts[var] == 65535, np.nan, rec.counts[var] * 0.01)
        secs = (rec.scan_time - np.datetime64("1970-01-01", "ns")).astype(np.int64) / 1e9
        secs = np.broadcast_to(secs[:, None], lat.shape)
        keep = np.isfinite(tb)
        if lo is not None:
            t = np.broadcast_to(rec.scan_time[:, None], lat.shape)
            keep &= (t >= lo) & (t < hi)
        x, y = to_grid.transform(lon, lat)
        col = np.floor((x - x0) / dx).astype(int)
        row = np.floor((y - y0) / dy).astype(int)
        keep &= (col >= 0) & (col < grid.cols) & (row >= 0) & (row < grid.rows)
        np.add.at(sums, (row[keep], col[keep]), tb[keep])
        np.add.at(tsum, (row[keep], col[keep]), secs[keep])
        np.add.at(n, (row[keep], col[keep]), 1)
    with np.errstate(invalid="ignore"):
        return sums / n, n, tsum / n
