"""Contrast stretches for quicklooks: values to [0, 1] with the limits used.

The stretches of the tools people know: ``percentile`` (2–98 % cut, as QGIS's
cumulative count cut; 0.5–99.5 % is satpy's linear), ``stddev`` (mean ± k·σ, k = 2,
as QGIS), ``minmax``, ``histeq`` (histogram equalisation over the valid values),
``gamma`` (linear min–max then ``v ** (1/γ)``) and ``log`` (``log10`` between
positive limits). Statistics skip NaN, the fill and values outside the valid range;
those cells come out NaN. ``limits`` overrides the statistic (all but histeq).
Pure numpy, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["STRETCHES", "Stretched", "stretch", "valid_mask"]

STRETCHES = ("percentile", "stddev", "minmax", "histeq", "gamma", "log")


@dataclass(frozen=True)
class Stretched:
    """Normalised values (NaN where invalid), the limits ``(lo, hi)`` and a description."""

    values: np.ndarray
    limits: tuple[float, float]
    description: str


def valid_mask(values: np.ndarray, *, fill: float | None = None,
               valid_range: tuple[float | None, float | None] = (None, None)) -> np.ndarray:
    """Cells that count: finite, not ``fill``, inside ``valid_range`` (inclusive)."""
    v = np.asarray(values, dtype=np.float64)
    ok = np.isfinite(v)
    if fill is not None:
        ok &= v != fill
    lo, hi = valid_range
    if lo is not None:
        ok &= v >= lo
    if hi is not None:
        ok &= v <= hi
    return ok


def stretch(values: np.ndarray, method: str = "percentile", *, fill: float | None = None,
            valid_range: tuple[float | None, float | None] = (None, None),
            limits: tuple[float, float] | None = None,
            percentiles: tuple[float, float] = (2.0, 98.0), k: float = 2.0,
            gamma: float = 1.0) -> Stretched:
    """Stretch ``values`` by ``method`` (one of :data:`STRETCHES`).

    Raises:
        ValueError: an unknown method, no valid value, limits not increasing, log of
            non-positive limits, bad percentiles or γ.
    """
    if method not in STRETCHES:
        raise ValueError(f"unknown stretch {method!r}; one of {', '.join(STRETCHES)}")
    v = np.asarray(values, dtype=np.float64)
    ok = valid_mask(v, fill=fill, valid_range=valid_range)
    good = v[ok]
    if good.size == 0:
        raise ValueError("no valid value to stretch (all fill, NaN or out of the valid range)")
    if method == "histeq":
        return _histeq(v, ok, good)
    lo, hi, desc = _limits(good, method, limits, percentiles, k)
    if not hi > lo:
        raise ValueError(f"stretch limits must increase, got {lo:g}, {hi:g}")
    out = np.full(v.shape, np.nan)
    if method == "log":
        if lo <= 0:
            raise ValueError(f"a log stretch needs positive limits, got {lo:g}, {hi:g}; "
                             "pass --limits")
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (np.log10(np.maximum(good, lo)) - np.log10(lo)) / (np.log10(hi) - np.log10(lo))
        out[ok] = np.clip(t, 0.0, 1.0)
        return Stretched(out, (lo, hi), f"log {desc}")
    out[ok] = np.clip((good - lo) / (hi - lo), 0.0, 1.0)
    if method == "gamma":
        if not gamma > 0:
            raise ValueError(f"gamma must be positive, got {gamma:g}")
        out[ok] = out[ok] ** (1.0 / gamma)
        desc = f"gamma {gamma:g}, {desc}"
    return Stretched(out, (lo, hi), desc)


def _limits(good: np.ndarray, method: str, limits: tuple[float, float] | None,
            percentiles: tuple[float, float], k: float) -> tuple[float, float, str]:
    if limits is not None:
        return float(limits[0]), float(limits[1]), "limits set"
    if method == "percentile":
        p0, p1 = percentiles
        if not 0.0 <= p0 < p1 <= 100.0:
            raise ValueError(f"percentiles must be 0 <= low < high <= 100, got {p0:g}, {p1:g}")
        lo, hi = np.percentile(good, [p0, p1])
        return float(lo), float(hi), f"{p0:g}–{p1:g} %"
    if method == "stddev":
        m, s = float(good.mean()), float(good.std())
        return m - k * s, m + k * s, f"mean ± {k:g}σ"
    if method == "log":
        pos = good[good > 0]
        if pos.size == 0:
            raise ValueError("a log stretch needs positive values; pass --limits")
        return float(pos.min()), float(pos.max()), "min–max"
    return float(good.min()), float(good.max()), "min–max"


def _histeq(v: np.ndarray, ok: np.ndarray, good: np.ndarray) -> Stretched:
    """Each valid value to the fraction of valid values at or below it (empirical CDF)."""
    ranks = np.sort(good)
    out = np.full(v.shape, np.nan)
    out[ok] = np.searchsorted(ranks, good, side="right") / good.size
    return Stretched(out, (float(ranks[0]), float(ranks[-1])), "histogram equalised")
