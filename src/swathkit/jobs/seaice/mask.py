"""Build a grid cube's land mask from the NaN frequency of a period, streamed in time blocks.

A pixel missing on more than ``threshold`` of the present days of the period is land,
except inside the pole hole (missing every day, but ocean). The binary mask, the
frequency map and their parameters are stored in the cube; the report gives the
agreement with the coastline of the land-mask package (``swathkit.geodata``).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from swathkit.errors import StoreError
from swathkit.process.landmask import (
    NanCounter,
    coastline_agreement,
    land_mask_from_frequency,
    pole_disk,
)
from swathkit.products.grids import Grid
from swathkit.stores.cube_schema import PRESENT
from swathkit.stores.grid_cube import GridCube, StoreLike
from swathkit.stores.grid_cube_writer import cube_writer
from swathkit.types import DayRange, Progress

log = logging.getLogger(__name__)

POLE_EXCLUSION_M = 150_000.0  # > any AMSR2 pole hole; the nearest land is ~700 km away
REFERENCE_LAND = 0.5  # a cell is reference land when at least half of it is land


@dataclass(frozen=True)
class MaskReport:
    """What ``build_mask`` stored and how it compares with the reference coastline."""

    start: date
    end: date
    days: int
    threshold: float
    land_pixels: int
    pole_excluded: int
    agreement: dict[str, float]
    rebuilt: bool = True


def build_mask(cube: StoreLike, *, start: date, end: date, threshold: float = 0.85,
               pole_exclusion_m: float | None = None, block_days: int = 8,
               storage_options: dict[str, Any] | None = None,
               progress: Progress | None = None) -> MaskReport:
    """Count NaN over the present days of ``start..end`` and store the land mask.

    Re-running with the same parameters on an unchanged period does nothing more.

    Args:
        cube: Cube path or URL.
        start: First day of the period.
        end: Last day of the period.
        threshold: A pixel missing on more than this share of days is land.
        pole_exclusion_m: Radius around the pole never called land (default 150 km on
            northern grids, none on southern ones).
        block_days: Days read at a time.
        storage_options: fsspec options for a remote cube.
        progress: Called as ``progress(days_done, days_total, day)``.

    Raises:
        InputError: ``end`` before ``start``.
        StoreError: no present day in the period.
    """
    period = DayRange(start, end)
    with cube_writer(cube, storage_options=storage_options) as writer:
        reader = writer.cube
        grid = reader.grid
        radius = _radius(grid, pole_exclusion_m)
        days = [d for d in reader.days if d in period]
        if not days:
            raise StoreError(f"{reader.location}: no day with data between {start} and {end}")
        params = {"start": start.isoformat(), "end": end.isoformat(), "threshold": threshold,
                  "pole_exclusion_m": radius, "days": len(days),
                  "sic_digest": _period_digest(reader, days)}
        old, stored = reader.mask_info, reader.land_mask()
        if old is not None and stored is not None and all(
                old.get(k) == v for k, v in params.items()):
            return _report(params, stored, grid, start, end, rebuilt=False)
        freq = _frequency(reader, days, block_days, progress)
        exclude = pole_disk(grid.x(), grid.y(), radius) if radius > 0 else None
        land = land_mask_from_frequency(freq, threshold, exclude=exclude)
        report = _report(params, land, grid, start, end, rebuilt=True)
        writer.write_mask(land, freq, info={**params, "agreement": report.agreement,
                                            "pole_excluded": report.pole_excluded})
    return report


def _radius(grid: Grid, pole_exclusion_m: float | None) -> float:
    if pole_exclusion_m is not None:
        return float(pole_exclusion_m)
    return POLE_EXCLUSION_M if grid.hemisphere == "n" else 0.0


def _period_digest(cube: GridCube, days: list[date]) -> str:
    """Changes when any day of the period is added or replaced."""
    h = hashlib.sha256()
    for d in days:
        rec = cube.index.days[d]
        if rec.state == PRESENT:
            h.update(f"{d}:{rec.digest};".encode())
    return h.hexdigest()


def _frequency(cube: GridCube, days: list[date], block_days: int,
               progress: Progress | None) -> np.ndarray:
    counter = NanCounter(cube.grid.shape)
    positions = np.array([cube.time_index(d) for d in days])
    done = 0
    for lo in range(positions[0], positions[-1] + 1, block_days):
        hi = min(lo + block_days, positions[-1] + 1)
        wanted = positions[(positions >= lo) & (positions < hi)]
        if wanted.size == 0:
            continue
        block = cube.read_block(lo, hi)
        counter.add(block[wanted - lo])
        done += wanted.size
        if progress:
            progress(done, len(days), str(cube.index.day_at(int(wanted[-1]))))
    return counter.frequency()


def reference_land(grid: Grid) -> np.ndarray:
    """Land of the land-mask package at the grid's cell centres (bool (y, x))."""
    from swathkit.geodata import land_fraction

    lon, lat = grid.lonlat()
    return np.asarray(land_fraction(lat, lon) >= REFERENCE_LAND)


def _report(params: dict[str, Any], land: np.ndarray, grid: Grid, start: date, end: date,
            *, rebuilt: bool) -> MaskReport:
    radius = float(params["pole_exclusion_m"])
    excluded = int(pole_disk(grid.x(), grid.y(), radius).sum()) if radius > 0 else 0
    agreement = coastline_agreement(land, reference_land(grid))
    return MaskReport(start, end, int(params["days"]), float(params["threshold"]),
                      int(land.sum()), excluded, agreement, rebuilt)
