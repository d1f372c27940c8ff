"""Offline reference geography from the installed ``global-land-mask`` package.

The package ships a 30-arc-second (~1 km) land mask built from GLOBE. Loading it
takes seconds and ~1 GB, so the first use derives a land-fraction grid of
0.05° (3600 × 7200 cells, values 0–36 for the share of 1 km cells that are
land) and caches it under the user's cache directory. Nothing is downloaded.
"""

from __future__ import annotations

import functools
import logging
import tempfile
from pathlib import Path

import numpy as np

from swathkit.config import settings

log = logging.getLogger(__name__)

CELL_DEG = 0.05
_BLOCK = 6  # 0.05° / (1/120°)
_ROWS, _COLS = 3600, 7200


def cache_dir() -> Path:
    """Where derived reference files live (:func:`swathkit.config.settings`)."""
    return settings().cache_dir


@functools.cache
def land_count_grid() -> np.ndarray:
    """Land 1 km cells per 0.05° cell, uint8 (3600, 7200); row 0 at 90°N, column 0 at 180°W."""
    path = cache_dir() / "landcount_0p05_v2.npy"
    if path.exists():
        grid = np.load(path, allow_pickle=False)
        if grid.shape == (_ROWS, _COLS) and grid.dtype == np.uint8:
            return np.asarray(grid, dtype=np.uint8)
        log.warning("ignoring malformed land cache %s", path)
    grid = _derive_from_package()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npy", delete=False) as tmp:
        np.save(tmp, grid, allow_pickle=False)
    Path(tmp.name).replace(path)
    log.info("cached 0.05° land grid at %s", path)
    return grid


def _derive_from_package() -> np.ndarray:
    from global_land_mask import globe  # ~1 GB, seconds: only here, once per cache

    ocean = globe._mask  # (21600, 43200) bool, True over ocean, row 0 at 90°N
    grid = np.empty((_ROWS, _COLS), np.uint8)
    for r0 in range(0, _ROWS, 300):  # strips keep the temporary small
        strip = ocean[r0 * _BLOCK:(r0 + 300) * _BLOCK].reshape(300, _BLOCK, _COLS, _BLOCK)
        grid[r0:r0 + 300] = _BLOCK * _BLOCK - strip.sum(axis=(1, 3), dtype=np.uint8)
    return grid


def land_fraction(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Land fraction (0–1, float32) of the 0.05° cell holding each point."""
    grid = land_count_grid()
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    rows = np.clip(((90.0 - lat) / CELL_DEG).astype(np.int64), 0, _ROWS - 1)
    cols = (np.floor((lon + 180.0) / CELL_DEG).astype(np.int64)) % _COLS
    return grid[rows, cols].astype(np.float32) / np.float32(_BLOCK * _BLOCK)


def land_fraction_grid(step: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The land fraction on a regular grid, coarsened ``step`` times.

    Returns:
        ``(fraction, lat_centres, lon_centres)``; rows run north to south.
    """
    grid = land_count_grid()
    if step > 1:
        rows, cols = _ROWS // step, _COLS // step
        grid = grid[: rows * step, : cols * step].reshape(rows, step, cols, step).mean(axis=(1, 3))
    frac = (grid / float(_BLOCK * _BLOCK)).astype(np.float32)
    cell = CELL_DEG * step
    lats = 90.0 - cell * (np.arange(frac.shape[0]) + 0.5)
    lons = -180.0 + cell * (np.arange(frac.shape[1]) + 0.5)
    return frac, lats, lons
