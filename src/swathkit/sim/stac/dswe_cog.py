"""Synthetic DSWE INWAM tiles: the classes of the synthetic Earth, written as real COGs.

A tile is uint8, one band, in the tile's own CRS and transform, 256 × 256
internal tiles, deflate, nodata 255, with overviews (GDAL's COG driver).
Classes, from the one truth of :func:`swathkit.sim.surface_water.surface_water`:

- water → 1 (high confidence), 2 where it touches a non-water pixel (edges);
- wetland → 3, 4 where it touches land;
- land → 0;
- 9 on the acquisition's cloudy 1.5 km blocks (:mod:`swathkit.sim.stac.landsat`);
- 255 outside the 185 km swath (decided per 1.5 km block, so that ``eo:cloud_cover``,
  the share of imaged blocks that are cloudy, is the raster's) and, for Landsat 7,
  on the SLC-off stripes (per pixel).

Full size is 5000 × 5000 (30 m); ``pixels`` gives a coarser tile over the same
extent (``pixels=500``: 300 m), for tests. The same acquisition and size give
the same bytes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from swathkit.products.dswe.classes import (
    CLOUD,
    FILL,
    LOW_CONFIDENCE_WATER,
    NOT_WATER,
    POTENTIAL_WETLAND,
    WATER_HIGH,
    WATER_MODERATE,
)
from swathkit.products.dswe.grid import TILE_METRES, TILE_PIXELS, ArdTile
from swathkit.sim.stac.landsat import (
    BLOCKS,
    HALF_SWATH_M,
    SLC_CENTRE_M,
    SLC_PERIOD_M,
    Acquisition,
    TileTrack,
)
from swathkit.sim.surface_water import LAND, WATER, WETLAND, _hash, surface_water

__all__ = ["cloud_mask", "render_inwam", "slc_gaps", "surface_truth", "write_inwam"]

_STRIP = 250  # rows per strip: bounds the float64 temporaries (~20 MB at full width)
_COARSE = 3  # first pass of the truth: every third pixel
_NOISE_STEP = 8  # blocks between the cloud noise's lattice points (12 km)


def render_inwam(acq: Acquisition, pixels: int = TILE_PIXELS) -> npt.NDArray[np.uint8]:
    """The INWAM classes of ``acq`` at ``pixels`` × ``pixels`` (row 0 north).

    Raises:
        ValueError: ``pixels`` is not a positive multiple of 100 (the cloud blocks).
    """
    if pixels <= 0 or pixels % BLOCKS:
        raise ValueError(f"pixels must be a positive multiple of {BLOCKS}, got {pixels}")
    out = _classes(surface_truth(acq.tile, pixels))
    per_block = pixels // BLOCKS
    out[_upsample(cloud_mask(acq), per_block)] = CLOUD
    out[_upsample(~acq.track.block_mask(), per_block)] = FILL  # the swath edge, per block
    if acq.platform.slc_off:
        x0, y0 = acq.tile.upper_left
        step = TILE_METRES / pixels
        x = x0 + (np.arange(pixels) + 0.5) * step
        for r0 in range(0, pixels, _STRIP):
            y = y0 - (np.arange(r0, min(r0 + _STRIP, pixels)) + 0.5) * step
            xx, yy = np.meshgrid(x, y)
            out[r0:r0 + y.size][slc_gaps(acq.track, xx, yy)] = FILL
    return out


def surface_truth(tile: ArdTile, pixels: int) -> npt.NDArray[np.uint8]:
    """:func:`surface_water` at every pixel centre of ``tile`` at ``pixels`` × ``pixels``.

    At 30 m and finer the truth is evaluated on every third pixel first, and again
    pixel by pixel only in 3 × 3 blocks next to a change of class: the synthetic
    features (rivers 150 m wide, lakes of 300 m radius or more, wetland rings of at
    least 120 m) cannot hide between samples 90 m apart.
    """
    lonlat = _LonLat(tile, pixels)
    if TILE_METRES / pixels * _COARSE > 90.0:
        rows, cols = np.meshgrid(np.arange(pixels), np.arange(pixels), indexing="ij")
        return surface_water(*lonlat(rows, cols))
    centres = np.minimum(np.arange(1, pixels + _COARSE, _COARSE), pixels - 1)
    rows, cols = np.meshgrid(centres, centres, indexing="ij")
    coarse = surface_water(*lonlat(rows, cols))
    mixed = _touches_other(coarse)
    out = _upsample(coarse, _COARSE)[:pixels, :pixels]
    redo = np.nonzero(_upsample(mixed, _COARSE)[:pixels, :pixels])
    out[redo] = surface_water(*lonlat(redo[0], redo[1]))
    return out


class _LonLat:
    """Longitude/latitude of pixel centres, interpolated from exact ones 50 pixels apart."""

    def __init__(self, tile: ArdTile, pixels: int) -> None:
        self.knots = np.unique(np.append(np.arange(0, pixels, 50), pixels - 1)).astype(float)
        x0, y0 = tile.upper_left
        step = TILE_METRES / pixels
        xx, yy = np.meshgrid(x0 + (self.knots + 0.5) * step, y0 - (self.knots + 0.5) * step)
        self.lon, self.lat = tile.grid.lonlat(xx, yy)  # [row knot, col knot]

    def __call__(self, rows: npt.NDArray[np.int64],
                 cols: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.float64],
                                                       npt.NDArray[np.float64]]:
        i, wi = self._cell(rows)
        j, wj = self._cell(cols)
        out = []
        for grid in (self.lon, self.lat):
            top = grid[i, j] * (1 - wj) + grid[i, j + 1] * wj
            bottom = grid[i + 1, j] * (1 - wj) + grid[i + 1, j + 1] * wj
            out.append(top * (1 - wi) + bottom * wi)
        return out[0], out[1]

    def _cell(self, index: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64],
                                                           npt.NDArray[np.float64]]:
        k = np.clip(np.searchsorted(self.knots, index, side="right") - 1, 0,
                    self.knots.size - 2)
        weight = (index - self.knots[k]) / (self.knots[k + 1] - self.knots[k])
        return k, weight


def _upsample(blocks: npt.NDArray[np.generic], factor: int) -> npt.NDArray[Any]:
    return np.repeat(np.repeat(blocks, factor, 0), factor, 1)


def _touches_other(classes: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """Cells with an 8-neighbour of another class."""
    padded = np.pad(classes, 1, mode="edge")
    rows, cols = classes.shape
    other = np.zeros(classes.shape, bool)
    for dr in (0, 1, 2):
        for dc in (0, 1, 2):
            other |= padded[dr:dr + rows, dc:dc + cols] != classes
    return other


def _classes(truth: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """INWAM water classes of the surface truth (confidence lower at edges)."""
    water, land = truth == WATER, truth == LAND
    out = np.full(truth.shape, NOT_WATER, np.uint8)
    out[water] = WATER_HIGH
    out[water & _touches(~water)] = WATER_MODERATE
    wetland = truth == WETLAND
    out[wetland] = POTENTIAL_WETLAND
    out[wetland & _touches(land)] = LOW_CONFIDENCE_WATER
    return out


def _touches(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Pixels with a 4-neighbour in ``mask``."""
    near = np.zeros_like(mask)
    near[1:] |= mask[:-1]
    near[:-1] |= mask[1:]
    near[:, 1:] |= mask[:, :-1]
    near[:, :-1] |= mask[:, 1:]
    return near


def slc_gaps(track: TileTrack, x: npt.NDArray[np.float64],
             y: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """Landsat 7 SLC-off gaps at ``x``, ``y``: none near the track, half a scan at the edges."""
    s, c = track.frame(x, y)
    gap = np.clip(0.5 * (np.abs(c) - SLC_CENTRE_M) / (HALF_SWATH_M - SLC_CENTRE_M), 0.0, 0.5)
    return np.asarray(np.mod(s, SLC_PERIOD_M) < gap * SLC_PERIOD_M)


def cloud_mask(acq: Acquisition) -> npt.NDArray[np.bool_]:
    """(BLOCKS, BLOCKS) cloudy blocks: the ``acq.cloud_blocks`` imaged ones ranked first."""
    imaged = acq.track.block_mask().ravel()
    score = _noise(acq).ravel()
    candidates = np.flatnonzero(imaged)
    order = np.argsort(score[candidates], kind="stable")
    cloudy = np.zeros(BLOCKS * BLOCKS, bool)
    cloudy[candidates[order[:acq.cloud_blocks]]] = True
    return cloudy.reshape(BLOCKS, BLOCKS)


def _noise(acq: Acquisition) -> npt.NDArray[np.float64]:
    """Smooth value noise over the blocks (12 km lattice) plus a little jitter."""
    day, t = acq.datetime.date().toordinal(), acq.tile
    n = BLOCKS // _NOISE_STEP + 2
    lattice = _hash(np.arange(n)[:, None], np.arange(n)[None, :], t.h * 100 + t.v, day)
    f = (np.arange(BLOCKS) + 0.5) / _NOISE_STEP
    i = np.floor(f).astype(np.int64)
    w = f - i
    rows = lattice[i] * (1 - w)[:, None] + lattice[i + 1] * w[:, None]
    smooth = rows[:, i] * (1 - w)[None, :] + rows[:, i + 1] * w[None, :]
    jitter = _hash(np.arange(BLOCKS)[:, None], np.arange(BLOCKS)[None, :], day, 31)
    return np.asarray(smooth + 1e-3 * jitter, dtype=np.float64)


def write_inwam(acq: Acquisition, target: str | os.PathLike[str], *,
                pixels: int = TILE_PIXELS) -> Path:
    """Write the INWAM COG of ``acq`` to ``target`` (whole or not at all); returns the path."""
    from rasterio.crs import CRS
    from rasterio.io import MemoryFile
    from rasterio.shutil import copy as copy_dataset
    from rasterio.transform import Affine

    data = render_inwam(acq, pixels)
    x0, dx, _, y0, _, dy = acq.tile.transform(pixels)
    profile = {"driver": "GTiff", "width": pixels, "height": pixels, "count": 1,
               "dtype": "uint8", "nodata": FILL, "crs": CRS.from_wkt(acq.tile.grid.wkt),
               "transform": Affine(dx, 0.0, x0, 0.0, dy, y0)}
    target = Path(target)
    partial = target.with_name(f".{target.name}.partial")
    with MemoryFile() as memory, memory.open(**profile) as staged:
        staged.write(data, 1)
        copy_dataset(staged, str(partial), driver="COG", COMPRESS="DEFLATE", BLOCKSIZE=256,
                     OVERVIEW_RESAMPLING="NEAREST", NUM_THREADS=1)
    partial.replace(target)
    return target
