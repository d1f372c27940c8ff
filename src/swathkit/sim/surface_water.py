"""Where the synthetic Earth has surface water, at any resolution: one truth for every sensor.

A pure, deterministic function of longitude and latitude, so the simulated SAR
scenes (water dark) and the simulated DSWE water maps (water classes) of one
place agree, and a test can recover the truth at any pixel. Ocean comes from
the land fraction of :mod:`swathkit.geodata` interpolated bilinearly (a smooth
coast at the 0.05° cell scale); lakes are discs placed by a hash of 0.1° cells;
rivers are meandering north–south lines in segments; wetlands ring the lakes.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from swathkit.geodata import CELL_DEG, land_count_grid

__all__ = ["LAND", "WATER", "WETLAND", "surface_water"]

LAND, WATER, WETLAND = 0, 1, 2
_LAKE_CELL_DEG = 0.1
_LAKE_SHARE = 0.15  # of 0.1° cells holding a lake
_LAKE_RADIUS_KM = (0.3, 3.0)
_WETLAND_RING = 1.4  # wetland out to this multiple of a lake's radius
_RIVERS_PER_DEG = 2.0
_RIVER_WIDTH_KM = 0.15
_RIVER_SEGMENT_SHARE = 0.3
_KM_PER_DEG = 111.32


def _hash(*keys: NDArray[np.int64] | int) -> NDArray[np.float64]:
    """A uniform [0, 1) value per integer key tuple (splitmix64)."""
    arrays = [np.asarray(key, dtype=np.int64) for key in keys]
    h = np.full(np.broadcast(*arrays).shape, 0x9E3779B97F4A7C15, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for key in arrays:
            h ^= key.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
            h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            h ^= h >> np.uint64(31)
    return (h >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def _land_share(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.float64]:
    """The land fraction interpolated bilinearly between 0.05° cell centres."""
    grid = land_count_grid()
    rows, cols = grid.shape
    fr = (90.0 - lat) / CELL_DEG - 0.5
    fc = (lon + 180.0) / CELL_DEG - 0.5
    r0 = np.clip(np.floor(fr).astype(np.int64), 0, rows - 2)
    c0 = np.floor(fc).astype(np.int64)
    wr = np.clip(fr - r0, 0.0, 1.0)
    wc = fc - c0
    c0, c1 = c0 % cols, (c0 + 1) % cols
    top = grid[r0, c0] * (1 - wc) + grid[r0, c1] * wc
    bottom = grid[r0 + 1, c0] * (1 - wc) + grid[r0 + 1, c1] * wc
    return np.asarray((top * (1 - wr) + bottom * wr) / 36.0, dtype=np.float64)


def _lake_distance(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.float64]:
    """Distance to the nearest lake centre in lake radii (< 1 inside a lake)."""
    row0 = np.floor(lat / _LAKE_CELL_DEG).astype(np.int64)
    col0 = np.floor(lon / _LAKE_CELL_DEG).astype(np.int64)
    if row0.size == 0:
        return np.full(lon.shape, np.inf)
    # the lakes of every cell in reach, hashed once per cell rather than once per point
    r_lo, c_lo = int(row0.min()) - 1, int(col0.min()) - 1
    rows = np.arange(r_lo, int(row0.max()) + 2, dtype=np.int64)[:, None]
    cols = np.arange(c_lo, int(col0.max()) + 2, dtype=np.int64)[None, :]
    present = _hash(rows, cols, 1) < _LAKE_SHARE
    centre_lat = (rows + _hash(rows, cols, 2)) * _LAKE_CELL_DEG
    centre_lon = (cols + _hash(rows, cols, 3)) * _LAKE_CELL_DEG
    lo, hi = _LAKE_RADIUS_KM
    radius = np.where(present, lo * (hi / lo) ** _hash(rows, cols, 4), np.nan)
    km_lon = _KM_PER_DEG * np.cos(np.radians(lat))
    best = np.full(lon.shape, np.inf)
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            r, c = row0 + dr - r_lo, col0 + dc - c_lo
            dist = np.hypot((lon - centre_lon[r, c]) * km_lon,
                            (lat - centre_lat[r, c]) * _KM_PER_DEG) / radius[r, c]
            np.fmin(best, dist, out=best)  # fmin: a cell without a lake (NaN) never wins
    return best


def _river(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
    """On a river: meandering north–south lines, present in some half-degree segments."""
    x = lon * _RIVERS_PER_DEG + 0.6 * np.sin(lat * 5.0) + 0.3 * np.sin(lat * 13.0)
    offset_km = np.abs(x - np.round(x)) / _RIVERS_PER_DEG * _KM_PER_DEG * np.cos(np.radians(lat))
    key = np.round(x).astype(np.int64), np.floor(lat * 2).astype(np.int64)
    segment = _hash(*key, 5) < _RIVER_SEGMENT_SHARE
    return np.asarray((offset_km < _RIVER_WIDTH_KM / 2) & segment)


def surface_water(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.uint8]:
    """The surface class at each point: :data:`LAND`, :data:`WATER` or :data:`WETLAND`."""
    lon64 = np.asarray(lon, dtype=np.float64)
    lat64 = np.asarray(lat, dtype=np.float64)
    lon64, lat64 = np.broadcast_arrays(lon64, lat64)
    ocean = _land_share(lon64, lat64) < 0.5
    lake = _lake_distance(lon64, lat64)
    water = ocean | (lake < 1.0) | _river(lon64, lat64)
    wetland = ~water & (lake < _WETLAND_RING)
    out = np.full(lon64.shape, LAND, dtype=np.uint8)
    out[wetland] = WETLAND
    out[water] = WATER
    return out
