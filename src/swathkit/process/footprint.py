"""Where a swath lies: bounding box and a coarse coverage bitmap, for selection by area."""

from __future__ import annotations

import numpy as np

CELL_DEG = 2.0
ROWS, COLS = 90, 180


def bbox(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """``[west, south, east, north]``; ``west > east`` when the swath crosses 180°."""
    ok = np.isfinite(lat) & np.isfinite(lon)
    if not ok.any():
        return np.full(4, np.nan, np.float32)
    la, lo = lat[ok], ((lon[ok] + 180.0) % 360.0) - 180.0
    south, north = float(la.min()), float(la.max())
    edges = np.flatnonzero(np.bincount(np.floor(lo * 10).astype(np.int64) + 1800,
                                       minlength=3601)) / 10.0 - 180.0
    gaps = np.diff(np.concatenate([edges, [edges[0] + 360.0]]))
    widest = int(np.argmax(gaps))
    if gaps[widest] < 1.0:  # circles the pole: every longitude
        return np.array([-180.0, south, 180.0, north], np.float32)
    west = edges[(widest + 1) % len(edges)]
    east = edges[widest] + 0.1  # the top of the last occupied 0.1° bin
    return np.array([west, south, east, north], np.float32)


def _cells(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    rows = np.clip(((90.0 - lat) / CELL_DEG).astype(np.int64), 0, ROWS - 1)
    cols = (np.floor((lon + 180.0) / CELL_DEG).astype(np.int64)) % COLS
    return rows * COLS + cols


def coverage(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Bit-packed (2025 bytes) flags of the 2° cells holding any valid point."""
    ok = np.isfinite(lat) & np.isfinite(lon)
    flags = np.zeros(ROWS * COLS, bool)
    flags[_cells(lat[ok].astype(np.float64), lon[ok].astype(np.float64))] = True
    return np.packbits(flags)


def bbox_coverage(west: float, south: float, east: float, north: float) -> np.ndarray:
    """Bit-packed flags of the 2° cells a lon/lat box touches (``west > east`` wraps 180°)."""
    lats = np.arange(90.0 - CELL_DEG / 2, -90.0, -CELL_DEG)
    lons = np.arange(-180.0 + CELL_DEG / 2, 180.0, CELL_DEG)
    half = CELL_DEG / 2
    in_lat = (lats + half > south) & (lats - half < north)
    if west <= east:
        in_lon = (lons + half > west) & (lons - half < east)
    else:
        in_lon = (lons + half > west) | (lons - half < east)
    return np.asarray(np.packbits(np.outer(in_lat, in_lon).ravel()))


def intersects(packed_rows: np.ndarray, packed_query: np.ndarray) -> np.ndarray:
    """Which rows of bit-packed coverage share a cell with the query."""
    return np.asarray(np.any(np.bitwise_and(packed_rows, packed_query[None, :]) != 0, axis=-1))
