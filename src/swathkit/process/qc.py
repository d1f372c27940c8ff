"""Plausibility checks of a decoded swath: pure functions, no I/O."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

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


# --- scan times -----------------------------------------------------------------------------

SCAN_PERIOD_MS = 1500.0  # AMSR2 scans every 1.5 s
SCAN_OFF_LINE = 1  # the scan's time is off the line of its neighbours (non-monotonic, a glitch)
SCAN_JUMP = 2  # time jumps (forward or back) before this scan, and stays: scans lost, a reset
SCAN_REPAIRED = 4  # the scan's time was replaced by the line's (repair asked for)
SCAN_FLAG_MEANINGS = "off_line jump repaired"


def scan_time_flags(scan_time: npt.NDArray[np.datetime64], *, period_ms: float = SCAN_PERIOD_MS,
                    repair: bool = False) -> tuple[npt.NDArray[np.uint8],
                                                   npt.NDArray[np.datetime64], list[str]]:
    """Per-scan flags of a swath's scan times (the counter repair of
    :mod:`swathkit.process.timeseries`, on microsecond ticks, with a 1.5 s period).

    Returns the flags (:data:`SCAN_OFF_LINE`, :data:`SCAN_JUMP`, :data:`SCAN_REPAIRED`
    bits), the times (repaired where off the line if ``repair``, else as given) and one
    line per kind of problem. Swaths of fewer than 20 scans, or with missing times, are
    only checked for order.
    """
    from swathkit.process.timeseries import TrendParams, repair_series

    times = np.asarray(scan_time).astype("datetime64[us]")
    flags = np.zeros(times.size, np.uint8)
    ticks = times.astype(np.int64)
    valid = ~np.isnat(times)
    period = period_ms * 1000.0
    params = TrendParams(window=10, step=5, threshold=period / 2, fine_window=100,
                         fine_threshold=period / 100, discontinuity_samples=3,
                         max_gap=float("inf"), start_samples=0, min_length=20, bits=62,
                         sentinels=(), slope_tolerance=0.01)
    result = repair_series(ticks, expected_slope=period, params=params) if valid.all() else None
    if result is None or result.rejected is not None:
        back = np.concatenate(([False], np.diff(ticks[valid]) <= 0))
        flags[np.flatnonzero(valid)[back]] = SCAN_OFF_LINE
        return flags, np.asarray(scan_time), time_problems(flags)
    flags[result.reasons != 0] |= SCAN_OFF_LINE
    for jump in result.discontinuities:
        flags[jump.index] |= SCAN_JUMP
    if not repair:
        return flags, np.asarray(scan_time), time_problems(flags)
    fixed = result.values != result.original
    flags[fixed] |= SCAN_REPAIRED
    out = np.asarray(scan_time).copy()
    out[fixed] = result.values[fixed].astype("datetime64[us]").astype(out.dtype)
    return flags, out, time_problems(flags)


def time_problems(flags: npt.NDArray[np.uint8]) -> list[str]:
    """One line per kind of scan-time problem the flags record (none: empty)."""
    problems = []
    off = int(np.count_nonzero(flags & SCAN_OFF_LINE))
    jumps = int(np.count_nonzero(flags & SCAN_JUMP))
    fixed = int(np.count_nonzero(flags & SCAN_REPAIRED))
    if off:
        problems.append(f"{off} scan times off the line of their neighbours" +
                        (f" ({fixed} repaired)" if fixed else " (not repaired)"))
    if jumps:
        problems.append(f"{jumps} jumps in scan time")
    return problems
