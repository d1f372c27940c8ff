"""Plausibility checks of a decoded swath: pure functions, no I/O."""

from __future__ import annotations

import numpy as np

TB_RANGE_K = (0.0, 350.0)


def latlon_problems(name: str, lat: np.ndarray, lon: np.ndarray) -> list[str]:
    """Problems with one band's geolocation (NaN is allowed, out-of-range is not)."""
    problems = []
    finite = np.isfinite(lat) & np.isfinite(lon)
    if not finite.any():
        problems.append(f"{name}: no valid geolocation")
    bad_lat = finite & ((lat < -90) | (lat > 90))
    bad_lon = finite & ((lon < -180) | (lon > 360))
    if bad_lat.any():
        problems.append(f"{name}: {int(bad_lat.sum())} latitudes outside [-90, 90]")
    if bad_lon.any():
        problems.append(f"{name}: {int(bad_lon.sum())} longitudes outside [-180, 360]")
    return problems


def counts_problems(name: str, counts: np.ndarray, *, fill: int, scale: float) -> list[str]:
    """Problems with one channel's counts: all missing, or values outside 0–350 K."""
    valid = counts != fill
    if not valid.any():
        return [f"{name}: every pixel is missing"]
    kelvin = counts[valid].astype(np.float64) * scale
    out = (kelvin < TB_RANGE_K[0]) | (kelvin > TB_RANGE_K[1])
    if out.any():
        return [f"{name}: {int(out.sum())} values outside {TB_RANGE_K[0]}–{TB_RANGE_K[1]} K"]
    return []
