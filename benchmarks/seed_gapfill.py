"""Baseline gap filling written from the seed's description (consolidate_data.py), race-free.

The seed fills each missing pixel with a Numba-parallel brute-force loop over its
±time_window × ±space_window × ±space_window window, computing every weight inline with
``math.exp(-(dy² + dx² + alpha·dt²) / (2σ²))``. The seed writes into the array it reads
(its answer depends on the thread count); this baseline reads a frozen copy of the
stage-1 values, so it computes the definition of the issue. Stage 1 is the same linear
interpolation in time over gaps of at most max_gap days with valid values on both sides.
A pixel with no valid neighbour stays NaN. Land (if given) stays NaN and is not filled.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import prange


@numba.njit(parallel=True, cache=True)
def _stage1(sic, land, max_gap):
    nt, ny, nx = sic.shape
    out = sic.copy()
    for y in prange(ny):
        for x in range(nx):
            if land[y, x]:
                for t in range(nt):
                    out[t, y, x] = np.nan
                continue
            last = -1
            for t in range(nt):
                v = sic[t, y, x]
                if v != v:
                    continue
                if last >= 0 and 1 <= t - last - 1 <= max_gap:
                    va = np.float64(sic[last, y, x])
                    for k in range(last + 1, t):
                        frac = (k - last) / (t - last)
                        out[k, y, x] = np.float32(va + (np.float64(v) - va) * frac)
                last = t
    return out


@numba.njit(parallel=True, cache=True)
def _stage2(frozen, land, time_window, space_window, alpha, sigma):
    nt, ny, nx = frozen.shape
    out = frozen.copy()
    two_s2 = 2.0 * sigma * sigma
    for ty in prange(nt * ny):
        t = ty // ny
        y = ty % ny
        for x in range(nx):
            if frozen[t, y, x] == frozen[t, y, x] or land[y, x]:
                continue
            num = 0.0
            den = 0.0
            for dt in range(-time_window, time_window + 1):
                tt = t + dt
                if tt < 0 or tt >= nt:
                    continue
                for dy in range(-space_window, space_window + 1):
                    yy = y + dy
                    if yy < 0 or yy >= ny:
                        continue
                    for dx in range(-space_window, space_window + 1):
                        xx = x + dx
                        if xx < 0 or xx >= nx:
                            continue
                        v = frozen[tt, yy, xx]
                        if v == v:
                            w = math.exp(-(dy * dy + dx * dx + alpha * dt * dt) / two_s2)
                            num += w * v
                            den += w
            if den > 0.0:
                out[t, y, x] = np.float32(num / den)
    return out


def seed_fill(sic: np.ndarray, land: np.ndarray | None = None, *, max_gap: int = 5,
              time_window: int = 3, space_window: int = 10, alpha: float = 25.0,
              sigma: float = 5.0) -> np.ndarray:
    """The baseline fill of a ``(time, y, x)`` float32 stack (NaN missing)."""
    sic = np.ascontiguousarray(sic, dtype=np.float32)
    land = np.zeros(sic.shape[1:], np.bool_) if land is None else land.astype(np.bool_)
    stage1 = _stage1(sic, land, max_gap)
    return _stage2(stage1, land, time_window, space_window, float(alpha), float(sigma))
