"""Which grid cells the SMAP radiometer sees, and when: half orbits and daily overpasses.

A daily L3 overpass (``am``: descending half orbits, ``pm``: ascending) keeps for each
cell the pass of the UTC day whose local solar time is nearest 6 AM (6 PM), as the L3
compositing does. 9 km grids nest exactly in their 36 km grid (same corner, 4 × 4 cells),
so their coverage is computed on the 36 km cells and spread to the 9 km ones.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

from swathkit.products.grids import Grid, grid
from swathkit.products.timescales import utc_to_j2000
from swathkit.sim.smap.orbit import (
    HALF_ORBIT_S,
    HalfOrbit,
    half_orbits_between,
    overpass,
    overpass_points,
    unit_vectors,
)

__all__ = ["daily_coverage", "half_orbit_coverage"]

_NESTED = {"ease2-m09": "ease2-m36", "ease2-n09": "ease2-n36", "ease2-s09": "ease2-s36"}
_LOCAL_HOUR = {"am": 6.0, "pm": 18.0}
_DIRECTION = {"am": "D", "pm": "A"}

Coverage = tuple[NDArray[np.bool_], NDArray[np.float64]]
"""``(seen, seconds)`` over the grid's (rows, cols): seen cells and J2000 pass seconds."""


def half_orbit_coverage(g: Grid, slot: HalfOrbit) -> Coverage:
    """The cells of ``g`` the half orbit sees and the J2000 seconds it passes each."""
    def one(coarse: Grid) -> Coverage:
        lon, lat = coarse.lonlat(dtype=np.float64)
        seen, t = overpass(slot, lat, lon)
        return seen, _j2000(slot.start) + t
    return _nest(g, one)


def daily_coverage(g: Grid, day: date, overpass_name: str) -> Coverage:
    """The cells of ``g`` seen on ``day``'s ``am`` or ``pm`` overpass, and when."""
    def one(coarse: Grid) -> Coverage:
        lon64, lat = coarse.lonlat(dtype=np.float64)
        lon = lon64.ravel()
        points = unit_vectors(lat, lon64)
        begin = np.datetime64(day.isoformat(), "ns")
        end = np.datetime64((day + timedelta(days=1)).isoformat(), "ns")
        seen = np.zeros(lon.shape, bool)
        seconds = np.full(lon.shape, np.nan)
        best = np.full(lon.shape, np.inf)
        first = begin - np.timedelta64(round(HALF_ORBIT_S * 1e9), "ns")
        for slot in half_orbits_between(first, end):
            if slot.direction != _DIRECTION[overpass_name]:
                continue
            hit, t = overpass_points(slot, points)
            idx = np.flatnonzero(hit)
            when = _j2000(slot.start) + t[idx]
            keep = (when >= _j2000(begin)) & (when < _j2000(end))
            idx, when = idx[keep], when[keep]
            distance = _hours_from(when, lon[idx], _LOCAL_HOUR[overpass_name])
            better = distance < best[idx]
            idx, when, distance = idx[better], when[better], distance[better]
            seen[idx], seconds[idx], best[idx] = True, when, distance
        return seen.reshape(lat.shape), seconds.reshape(lat.shape)
    return _nest(g, one)


def _nest(g: Grid, compute: Callable[[Grid], Coverage]) -> Coverage:
    coarse_name = _NESTED.get(g.name)
    coarse = grid(coarse_name) if coarse_name else g
    seen, seconds = compute(coarse)
    if coarse is g:
        return seen, seconds
    k = g.rows // coarse.rows
    return (np.repeat(np.repeat(seen, k, 0), k, 1), np.repeat(np.repeat(seconds, k, 0), k, 1))


def _j2000(t: np.datetime64) -> float:
    return float(utc_to_j2000(np.array([t]))[0])


def _hours_from(seconds: NDArray[np.float64], lon: NDArray[np.float64],
                hour: float) -> NDArray[np.float64]:
    """Hours between each pass's local solar time and ``hour`` (wrapped to ±12)."""
    local = (seconds / 3600.0 + 12.0 + lon / 15.0) % 24.0  # J2000 starts near noon
    return np.abs((local - hour + 12.0) % 24.0 - 12.0)
