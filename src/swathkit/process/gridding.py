"""Daily swath → grid composites: one day of swaths onto a :class:`Grid`, through pyresample.

:func:`grid_day` takes the swaths of one day (:class:`Swath`: lat/lon, one or more
channels sharing that geolocation, scan times, orbit direction) and returns, per
channel and orbit direction (``asc``/``des``), three (rows, cols) fields named
:func:`variable_names` gives:

- ``tb_<channel>_<dir>``: the composite brightness temperature (K, float64, NaN
  where no observation) by ``bucket`` (mean of the observations whose centre falls
  in the cell: pyresample's ``BucketResampler`` indices), ``nearest`` (pyresample's
  kd-tree, the observation nearest each cell centre within one cell) or ``ewa``
  (pyresample's elliptical weighted averaging, per orbit direction);
- ``count_<channel>_<dir>``: observations whose centre falls in the cell (int32);
- ``time_<channel>_<dir>``: their mean time, seconds since 1970-01-01 (float64).

Count and mean time are bucket statistics whatever the method, so they mean the
same thing on every cube. On a polar grid (EASE2 North/South, the ASI grids) only
observations of the grid's own hemisphere count.

Determinism: the projection (pyproj inside pyresample, per dask chunk) is
elementwise, so the cell index of an observation does not depend on the chunking;
the sums are then taken with ``numpy.bincount`` in float64 over the direction's
points in the order given (the caller's time order), which adds them in that
order. Same swaths in the same order → same bytes, whatever the dask chunks or
thread count. ``BucketResampler.get_average``
itself sums per dask chunk and then across chunks, so its last bits follow the
chunking; it is the benchmark's baseline, not our code path.

Memory: one orbit direction's points of one band (a day of 36G: ~7 M points, ~60 MB
per float64 array) and the grid's accumulators; never more than one day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from swathkit.products.grids import Grid

METHODS = ("bucket", "nearest", "ewa")
DIRECTIONS = {"A": "asc", "D": "des"}
DEFAULT_CHUNK = 1 << 20  # points per dask chunk of the projection

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Fields = dict[str, npt.NDArray[Any]]


@dataclass(frozen=True)
class Swath:
    """One granule's observations on one geolocation (a band), ready to grid.

    Attributes:
        lat, lon: (scan, pixel) degrees, NaN where not located.
        values: Channel key (e.g. ``"36_5h"``) → (scan, pixel) K, NaN where missing.
        seconds: (scan,) observation time of each scan, seconds since 1970-01-01.
        direction: ``"A"`` ascending or ``"D"`` descending.
    """

    lat: F64
    lon: F64
    values: Mapping[str, F64]
    seconds: F64
    direction: str
    label: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"{self.label}: orbit direction {self.direction!r} is not A or D")
        for name, v in self.values.items():
            if v.shape != self.lat.shape or self.lon.shape != self.lat.shape:
                raise ValueError(f"{self.label}: {name} {v.shape} and lat/lon "
                                 f"{self.lat.shape}/{self.lon.shape} differ")
        if self.seconds.shape != self.lat.shape[:1]:
            raise ValueError(f"{self.label}: {self.seconds.size} scan times for "
                             f"{self.lat.shape[0]} scans")


def variable_names(channels: Iterable[str]) -> list[str]:
    """The fields :func:`grid_day` returns for these channel keys, in a fixed order."""
    return [f"{kind}_{ch}_{d}" for ch in channels for d in DIRECTIONS.values()
            for kind in ("tb", "count", "time")]


def grid_day(swaths: Sequence[Swath], grid: Grid, *, channels: Sequence[str],
             method: str = "bucket", chunk: int = DEFAULT_CHUNK) -> Fields:
    """Grid one day of swaths: per channel and direction, the composite, count and mean time.

    Args:
        swaths: The day's swaths, in the order their sums are taken (time order).
        grid: Target grid (row order as the grid's: south-up grids stay south-up).
        channels: Channel keys to grid (each must be in the ``values`` of some swaths).
        method: ``bucket``, ``nearest`` or ``ewa``.
        chunk: Points per dask chunk when projecting (does not change the result).

    Returns:
        ``{name: (rows, cols) array}`` for every name of :func:`variable_names`.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    area = grid.area_definition()
    out: Fields = {}
    swaths = [_hemisphere(s, grid.hemisphere) for s in swaths]
    cache: dict[tuple[int, ...], I64] = {}
    for ch in channels:
        for code, suffix in DIRECTIONS.items():
            mine = [s for s in swaths if s.direction == code and ch in s.values]
            tb, count, mean_time = _bucket(mine, ch, area, chunk, cache)
            if method == "nearest":
                tb = _nearest(mine, ch, area, grid.resolution)
            elif method == "ewa":
                tb = _ewa(mine, ch, area)
            flip = slice(None) if grid.north_up else slice(None, None, -1)
            out[f"tb_{ch}_{suffix}"] = tb[flip]
            out[f"count_{ch}_{suffix}"] = count[flip]
            out[f"time_{ch}_{suffix}"] = mean_time[flip]
    return out


def grid_swath(lat: F64, lon: F64, values: F64, grid: Grid, *,
               method: str = "nearest") -> F64:
    """One field of one swath onto ``grid`` (the grid's row order), NaN where nothing fell.

    The same path as :func:`grid_day` (one swath, one channel): ``nearest`` takes the
    observation nearest each cell centre within one cell, ``bucket`` the mean of the
    observations in the cell, ``ewa`` elliptical weighted averaging.
    """
    lat64 = np.asarray(lat, np.float64)
    swath = Swath(lat64, np.asarray(lon, np.float64), {"v": np.asarray(values, np.float64)},
                  np.zeros(lat64.shape[:1]), "A")
    return grid_day([swath], grid, channels=["v"], method=method)["tb_v_asc"]


def _hemisphere(swath: Swath, hemisphere: str) -> Swath:
    """A polar grid's own hemisphere only: its projection folds the other one into its corners.

    (The EASE-Grid 2.0 North corners reach 9000 km · √2 from the pole, where the
    azimuthal projection puts points of the far southern hemisphere.)
    """
    if not hemisphere:
        return swath
    other = swath.lat < 0 if hemisphere == "n" else swath.lat > 0
    if not other.any():
        return swath
    return replace(swath, lat=np.where(other, np.nan, swath.lat),
                   lon=np.where(other, np.nan, swath.lon))


def bucket_indices(lat: F64, lon: F64, area: Any, chunk: int = DEFAULT_CHUNK) -> I64:
    """Flat cell index (row-major, pyresample's top-row-first) of each point; -1 outside.

    pyresample's ``BucketResampler`` projects the points (dask, ``chunk`` per block)
    and floors them onto the area's cells; its indices are the bucket of each point.
    """
    import dask.array as da
    from pyresample.bucket import BucketResampler

    lat = np.asarray(lat, np.float64).ravel()
    lon = np.asarray(lon, np.float64).ravel()
    located = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))  # NaN cannot be floored
    idx = np.full(lat.size, -1, np.int64)
    if located.size == 0:
        return idx
    lons = da.from_array(lon[located], chunks=chunk)
    lats = da.from_array(lat[located], chunks=chunk)
    resampler: Any = BucketResampler(area, lons, lats)
    found = np.asarray(resampler.idxs.compute(), dtype=np.int64)
    found[(found < 0) | (found >= area.size)] = -1
    idx[located] = found
    return idx


def _bucket(swaths: Sequence[Swath], ch: str, area: Any, chunk: int,
            cache: dict[tuple[int, ...], I64]) -> tuple[F64, npt.NDArray[np.int32], F64]:
    size = int(area.size)
    key = tuple(id(s) for s in swaths)  # channels of one band share their swaths' indices
    if key not in cache:
        lat = np.concatenate([s.lat.ravel() for s in swaths]) if swaths else np.empty(0)
        lon = np.concatenate([s.lon.ravel() for s in swaths]) if swaths else np.empty(0)
        cache[key] = bucket_indices(lat, lon, area, chunk)
    idx = cache[key]
    values = (np.concatenate([np.asarray(s.values[ch], np.float64).ravel() for s in swaths])
              if swaths else np.empty(0))
    seconds = (np.concatenate([np.broadcast_to(s.seconds[:, None], s.lat.shape).ravel()
                               for s in swaths]) if swaths else np.empty(0))
    ok = (idx >= 0) & np.isfinite(values)
    cells = idx[ok]
    # bincount adds in array order (the swaths' order): the same sums whatever the chunks
    sums = np.bincount(cells, weights=values[ok], minlength=size)
    times = np.bincount(cells, weights=seconds[ok], minlength=size)
    counts = np.bincount(cells, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        tb = np.where(counts > 0, sums / counts, np.nan)
        mean_time = np.where(counts > 0, times / counts, np.nan)
    shape = area.shape
    return tb.reshape(shape), counts.astype(np.int32).reshape(shape), mean_time.reshape(shape)


def _points(swaths: Sequence[Swath], ch: str) -> tuple[F64, F64, F64]:
    """The located, valid points of one channel, concatenated in swath order."""
    lats, lons, vals = [], [], []
    for s in swaths:
        v = np.asarray(s.values[ch], np.float64)
        ok = np.isfinite(v) & np.isfinite(s.lat) & np.isfinite(s.lon)
        lats.append(s.lat[ok])
        lons.append(s.lon[ok])
        vals.append(v[ok])
    if not vals:
        return np.empty(0), np.empty(0), np.empty(0)
    return np.concatenate(lats), np.concatenate(lons), np.concatenate(vals)


def _nearest(swaths: Sequence[Swath], ch: str, area: Any, radius: float) -> F64:
    from pyresample.geometry import SwathDefinition
    from pyresample.kd_tree import resample_nearest

    lat, lon, values = _points(swaths, ch)
    if values.size == 0:
        return np.full(area.shape, np.nan)
    source = SwathDefinition(lons=lon, lats=lat)
    out = resample_nearest(source, values, area, radius_of_influence=radius,
                           fill_value=np.nan, nprocs=1)
    return np.asarray(out, np.float64)


def _ewa(swaths: Sequence[Swath], ch: str, area: Any) -> F64:
    """EWA over the direction's swaths stacked along scans (pairs of scans: rows_per_scan 2).

    Each swath is padded to an even scan count with invalid rows, so no scan pair
    spans two swaths; fornav accumulates every observation's weights once.
    """
    from pyresample.ewa.ewa import fornav, ll2cr  # what pyresample.ewa re-exports
    from pyresample.geometry import SwathDefinition

    if not swaths:
        return np.full(area.shape, np.nan)
    parts = [_even_rows(np.stack([s.lon, s.lat, np.asarray(s.values[ch], np.float64)]))
             for s in swaths]
    lon, lat, values = np.concatenate(parts, axis=1)
    swath = SwathDefinition(lons=np.ascontiguousarray(lon), lats=np.ascontiguousarray(lat))
    _, cols, rows = ll2cr(swath, area)
    _, out = fornav(cols, rows, area, np.ascontiguousarray(values), rows_per_scan=2,
                    fill=np.nan)
    return np.asarray(out, np.float64)


def _even_rows(stack: F64) -> F64:
    if stack.shape[1] % 2 == 0:
        return stack
    return np.concatenate([stack, np.full((3, 1, stack.shape[2]), np.nan)], axis=1)
