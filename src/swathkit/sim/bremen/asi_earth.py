"""The synthetic sea-ice day behind the simulated Bremen ASI files.

A day's field, deterministic from ``(grid, day, seed)``:

- **ice**: :func:`swathkit.sim.earth.sea_ice_concentration` (seasonal edge) with the
  edge pattern swinging a few km a day, modulated by a smooth random texture of
  floes and leads (scales ~25 km and ~150 km) that drifts ~5 km a day and
  re-forms over ~a month, so consecutive days differ but stay correlated;
- **land**: land fraction above 0.5 (:func:`swathkit.geodata.land_fraction`);
- **pole hole**: north grids only, a disk around the pole;
- **swath gaps**: the wedges between adjacent orbits' swaths at low latitudes,
  ascending and descending passes at offsets that change daily, and on some days
  a larger block of missing orbit segment.

The static parts of a grid (lon/lat, land, the texture) are computed once per
process and kept in memory.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from swathkit.geodata import land_fraction
from swathkit.products.grids import Grid
from swathkit.sim.earth import sea_ice_concentration

POLE_HOLE_RADIUS_M = {"n3125": 70_000.0, "n6250": 70_000.0, "s3125": 0.0, "s6250": 0.0}

_ORBIT_SPACING_DEG = 24.8  # longitude between successive AMSR2 orbits at the equator
_SWATH_KM = 1450.0
_KM_PER_DEG = 111.32
_GAP_LAT_MAX = 60.0  # swaths of one day overlap poleward of here
_DRIFT_KM_PER_DAY = 5.0
_TEXTURE_PERIOD_DAYS = 30.0  # leads open and close over about a month
_EDGE_SWING_DEG, _EDGE_SWING_DAYS = 1.5, 60.0
_BLOCK_CHANCE = 0.15  # share of days with a larger missing block
_SCALES_KM = ((25.0, 0.8), (150.0, 0.6))  # texture: (length scale, weight)
_EPOCH = date(2012, 1, 1).toordinal()


@dataclass(frozen=True)
class Static:
    """What never changes on a grid: positions, land, pole hole, low-latitude pixels."""

    lon: np.ndarray  # (rows, cols) float32 degrees
    lat: np.ndarray
    land: np.ndarray  # (rows, cols) bool
    pole_hole: np.ndarray  # (rows, cols) bool
    low: np.ndarray  # flat indices of pixels equatorward of _GAP_LAT_MAX, int64
    low_lon: np.ndarray  # their longitudes, float32
    low_cover: np.ndarray  # longitude share (0–1) one pass's swath covers there, float32


@functools.cache
def static(grid: Grid) -> Static:
    """The static fields of ``grid``, cached for the process (read-only arrays)."""
    lon, lat = grid.lonlat()
    land = land_fraction(lat, lon) > 0.5
    short = grid.name.removeprefix("asi-")  # the ASI grids' own names key the table
    radius = POLE_HOLE_RADIUS_M.get(short, 0.0) if grid.hemisphere == "n" else 0.0
    x, y = grid.x(), grid.y()
    pole_hole = (x[None, :] ** 2 + y[:, None] ** 2) < radius**2
    low = np.flatnonzero(np.abs(lat) < _GAP_LAT_MAX)
    low_lat = np.abs(lat.ravel()[low]).astype(np.float64)
    cover = _SWATH_KM / (_KM_PER_DEG * np.cos(np.deg2rad(low_lat)) * _ORBIT_SPACING_DEG)
    out = Static(lon, lat, land, pole_hole, low, lon.ravel()[low].copy(),
                 np.minimum(cover, 1.0).astype(np.float32))
    for arr in (out.land, out.pole_hole, out.low, out.low_lon, out.low_cover):
        arr.flags.writeable = False
    return out


@functools.cache
def texture(grid: Grid, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two independent periodic smooth random fields (unit variance, float32) for ``grid``.

    Periodic in both axes, so shifting them by any offset (drift) is seamless.
    """
    rng = np.random.default_rng([seed, 0xA51, grid.rows, grid.cols])
    noise = np.empty(grid.shape, np.complex64)
    noise.real = rng.standard_normal(grid.shape, dtype=np.float32)
    noise.imag = rng.standard_normal(grid.shape, dtype=np.float32)
    ky = 2 * np.pi * np.fft.fftfreq(grid.rows, d=grid.resolution / 1000.0)  # rad per km
    kx = 2 * np.pi * np.fft.fftfreq(grid.cols, d=grid.resolution / 1000.0)
    spectrum = np.zeros(grid.shape, np.float32)
    for scale, weight in _SCALES_KM:  # a Gaussian filter is separable in kx and ky
        along_y = (weight * scale * np.exp(-(ky * scale) ** 2 / 2)).astype(np.float32)
        along_x = np.exp(-(kx * scale) ** 2 / 2).astype(np.float32)
        spectrum += along_y[:, None] * along_x[None, :]
    field = np.fft.fft2(noise)
    field *= spectrum
    field = np.fft.ifft2(field)
    a, b = field.real, field.imag
    out = (a / np.float32(a.std(dtype=np.float64)), b / np.float32(b.std(dtype=np.float64)))
    for arr in out:
        arr.flags.writeable = False
    return out


def day_number(day: date) -> int:
    """Days since 2012-01-01 (the clock of the drift and texture)."""
    return day.toordinal() - _EPOCH


def ice_percent(grid: Grid, day: date, *, seed: int = 0) -> np.ndarray:
    """Gap-free sea-ice concentration (float32 percent, 0–100) everywhere, land included."""
    st = static(grid)
    t = day_number(day)
    swing = np.float32(_EDGE_SWING_DEG * math.sin(2 * math.pi * t / _EDGE_SWING_DAYS))
    when = np.datetime64(day, "D") + np.timedelta64(12, "h")
    base = sea_ice_concentration(st.lat, st.lon + swing, when)
    tex = _drifted_texture(grid, t, seed)
    leads = np.subtract(tex, np.float32(1.0))
    np.clip(leads, np.float32(0.0), np.float32(1.0), out=leads)  # the top ~16 % of texture
    # base · (1 + 0.06·tex − 0.45·leads): floes vary a little, leads cut deep.
    tex *= np.float32(0.06)
    leads *= np.float32(0.45)
    tex -= leads
    tex += np.float32(1.0)
    tex *= base
    np.clip(tex, np.float32(0.0), np.float32(1.0), out=tex)
    tex *= np.float32(100.0)
    return tex


def swath_gaps(grid: Grid, day: date, *, seed: int = 0) -> np.ndarray:
    """Where the day has no retrieval between swaths (bool (rows, cols))."""
    st = static(grid)
    rng = np.random.default_rng([seed, 0x6A9, day.toordinal(), ord(grid.hemisphere)])
    first = rng.uniform(0.0, _ORBIT_SPACING_DEG)
    # The other pass direction's swaths land near the same longitudes: gaps remain.
    offsets = (first, first + rng.uniform(-0.2, 0.2) * _ORBIT_SPACING_DEG)
    spacing = np.float32(_ORBIT_SPACING_DEG)
    missing = np.ones(st.low.size, bool)
    for offset in offsets:  # a pixel is missed only if both passes miss it
        phase = st.low_lon - np.float32(offset)
        np.remainder(phase, spacing, out=phase)
        phase *= np.float32(1.0 / _ORBIT_SPACING_DEG)
        missing &= phase > st.low_cover
    gap = np.zeros(grid.shape, bool)
    gap.ravel()[st.low[missing]] = True
    if rng.random() < _BLOCK_CHANCE:
        gap |= _missing_block(grid, rng)
    return gap


def _missing_block(grid: Grid, rng: np.random.Generator) -> np.ndarray:
    """A lost stretch of orbit: a straight swath segment passing near the pole."""
    angle = rng.uniform(0.0, 2 * np.pi)
    distance = rng.uniform(600e3, 1800e3)  # of the swath centre line from the pole, m
    half_width = rng.uniform(150e3, 400e3)
    start = rng.uniform(-2500e3, 1500e3)
    length = rng.uniform(800e3, 2500e3)
    cos, sin = math.cos(angle), math.sin(angle)
    x = grid.x().astype(np.float32)[None, :]
    y = grid.y().astype(np.float32)[:, None]
    across = np.abs(np.float32(cos) * x + np.float32(sin) * y - np.float32(distance))
    along = np.float32(-sin) * x + np.float32(cos) * y - np.float32(start)
    return (across < half_width) & (along >= 0) & (along < length)


def _drifted_texture(grid: Grid, t: int, seed: int) -> np.ndarray:
    """The texture of day ``t``: blended between its two fields and shifted by the drift."""
    a, b = texture(grid, seed)
    phase = 2 * math.pi * t / _TEXTURE_PERIOD_DAYS
    blend = np.float32(math.cos(phase)) * a
    blend += np.float32(math.sin(phase)) * b
    # The drift velocity (~5 km a day) turns once a year: the texture loops around a
    # circle of ~290 km radius, the integral of that velocity.
    heading = 2 * math.pi * t / 365.0
    radius_px = _DRIFT_KM_PER_DAY * 365.0 / (2 * math.pi) * 1000.0 / grid.resolution
    shift_x = radius_px * math.sin(heading)
    shift_y = -radius_px * math.cos(heading)
    return _periodic_shift(blend, shift_y, shift_x)


def _periodic_shift(field: np.ndarray, dy: float, dx: float) -> np.ndarray:
    """``field`` moved by (dy, dx) pixels with wrap-around, bilinear between pixels."""
    iy, ix = math.floor(dy), math.floor(dx)
    fy, fx = np.float32(dy - iy), np.float32(dx - ix)
    rows = np.roll(field, iy, axis=0)
    rows *= np.float32(1.0) - fy
    rows += fy * np.roll(field, iy + 1, axis=0)
    out = np.roll(rows, ix, axis=1)
    out *= np.float32(1.0) - fx
    out += fx * np.roll(rows, ix + 1, axis=1)
    return out
