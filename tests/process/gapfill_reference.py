"""A naive pure-Python/numpy gap filling written straight from the definitions (tests only)."""

from __future__ import annotations

import itertools
import math

import numpy as np

from swathkit.process.gapfill import (
    FLAG_CONSTANT,
    FLAG_LAND,
    FLAG_OBSERVED,
    FLAG_SPACETIME,
    FLAG_TIME,
    FLAG_UNFILLED,
    FillOptions,
)


def reference_fill(sic: np.ndarray, land: np.ndarray | None,
                   o: FillOptions) -> tuple[np.ndarray, np.ndarray]:
    land = np.zeros(sic.shape[1:], bool) if land is None else land
    out = sic.astype(np.float32).copy()
    flag = np.where(np.isnan(sic), FLAG_UNFILLED, FLAG_OBSERVED).astype(np.uint8)
    out[:, land] = np.nan
    flag[:, land] = FLAG_LAND
    _stage1(sic, land, o, out, flag)
    passes = o.max_passes if o.unfilled == "repeat" else 1
    for _ in range(passes):
        if _stage2_pass(out.copy(), land, o, out, flag) == 0:
            break
    if not isinstance(o.unfilled, str):
        left = flag == FLAG_UNFILLED
        out[left] = o.unfilled
        flag[left] = FLAG_CONSTANT
    return out, flag


def _stage1(sic, land, o, out, flag) -> None:
    for y, x in zip(*np.nonzero(~land), strict=True):
        valid = [t for t in range(sic.shape[0]) if not math.isnan(sic[t, y, x])]
        for a, b in itertools.pairwise(valid):
            if 1 <= b - a - 1 <= o.max_gap:
                va, vb = float(sic[a, y, x]), float(sic[b, y, x])
                for t in range(a + 1, b):
                    out[t, y, x] = va + (vb - va) * ((t - a) / (b - a))
                    flag[t, y, x] = FLAG_TIME


def _stage2_pass(frozen, land, o, out, flag) -> int:
    filled = 0
    for t, y, x in zip(*np.nonzero(np.isnan(frozen) & ~land[None]), strict=True):
        num, den = _window_sums(frozen, t, y, x, o)
        if den > 0:
            out[t, y, x] = num / den
            flag[t, y, x] = FLAG_SPACETIME
            filled += 1
    return filled


def _window_sums(frozen, t, y, x, o) -> tuple[float, float]:
    nt, ny, nx = frozen.shape
    num = den = 0.0
    tw, sw = o.time_window, o.space_window
    for dt, dy, dx in itertools.product(range(-tw, tw + 1), range(-sw, sw + 1),
                                        range(-sw, sw + 1)):
        tt, yy, xx = t + dt, y + dy, x + dx
        if not (0 <= tt < nt and 0 <= yy < ny and 0 <= xx < nx):
            continue
        v = float(frozen[tt, yy, xx])
        if not math.isnan(v):
            w = math.exp(-(dy * dy + dx * dx + o.alpha * dt * dt) / (2 * o.sigma * o.sigma))
            num += w * v
            den += w
    return num, den
