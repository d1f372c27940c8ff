"""Repair of a counter or time tag that should rise linearly: pure functions, no I/O.

The model is an integer counter read from a linear clock, ``v[i] = floor(a + i·s)``
(rounding is the same model with ``a`` shifted by ½), with discontinuities where
samples were lost. :func:`repair_series` follows ASF's cleaning of Seasat's MSEC:

0. whole-series rejection: too short, a constant sentinel (2²⁴, 2²⁷−1), constant, random;
   the slope is estimated and compared with the expected one (a mismatch is reported,
   and the estimate is used: forcing a wrong slope creates discontinuities);
1. a robust windowed trend (100-sample windows refit every 20): a sample more than
   513 off the trend before it and after it is fixed: a single-bit error flips back,
   a one-sample glitch takes its neighbour's value plus one step, otherwise the trend;
2. stair steps (runs of equal values longer than the clock allows: a sticking clock);
3. start-of-series repair: the first 5,000 samples from the line of the next 10,000;
4. a fine linear check (tolerance 2): a consistent offset over more than 5 samples is a
   discontinuity (kept, reported with its size in samples; one above ``max_gap`` rejects
   the series), shorter ones are fixed; every repaired sample then takes the exact value
   of the line fitted to the trusted samples of its 400-sample block.

Each sample keeps a :class:`Reason`; the original stays in :attr:`SeriesRepair.original`.
Running the repair on its own output changes nothing. :func:`rolling_mode` repairs
fields that should be constant (or change rarely).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

import numpy as np
import numpy.typing as npt

from swathkit.process import timeseries_kernels as k

__all__ = ["Discontinuity", "Reason", "Rejection", "SeriesRepair", "TrendParams",
           "estimate_slope", "repair_series", "rolling_mode"]

Ints = npt.NDArray[np.int64]
Codes = npt.NDArray[np.uint8]


class Reason(IntEnum):
    """Why a sample has the value it has (0: as observed)."""

    OK = k.OK
    BIT_FLIP = k.BIT_FLIP  # one bit was wrong: flipped back
    GLITCH = k.GLITCH  # one wrong sample between good ones: from its neighbour
    TREND = k.TREND  # a run of wrong samples: from the trend
    STAIR = k.STAIR  # a sticking clock: continued at the slope
    START = k.START  # the bad start of a series: from the line of what follows
    FINE = k.FINE  # a few samples slightly off the line: from the line
    MODE = k.MODE  # a field that should be constant: its rolling mode


class Rejection(StrEnum):
    """Why a whole series cannot be repaired."""

    TOO_SHORT = "too_short"
    SENTINEL = "sentinel"
    CONSTANT = "constant"
    RANDOM = "random"
    GAP = "gap"


@dataclass(frozen=True, kw_only=True)
class TrendParams:
    """The repair's settings; the defaults are ASF's for Seasat MSEC (ms, range lines).

    ``threshold``, ``fine_threshold`` and ``max_gap`` are in the counter's units.
    """

    window: int = 100
    step: int = 20
    threshold: float = 513.0
    fine_window: int = 400
    fine_threshold: float = 2.0
    discontinuity_samples: int = 5
    max_gap: float = 4000.0
    start_samples: int = 5000
    start_fit_samples: int = 10_000
    min_length: int = 10_000
    bits: int = 27
    sentinels: tuple[int, ...] = (2**24, 2**27 - 1)
    slope_tolerance: float = 1e-3
    """Relative difference of the estimated slope from the expected one that is a mismatch."""

    def for_length(self, n: int) -> TrendParams:
        """The start-repair spans scaled down for a short series (≤ 3/5 of it)."""
        total = self.start_samples + self.start_fit_samples
        if 5 * total <= 3 * n:
            return self
        start = self.start_samples * 3 * n // (5 * total)
        return dataclasses.replace(self, start_samples=start,
                                   start_fit_samples=3 * n // 5 - start)


@dataclass(frozen=True)
class Discontinuity:
    """A consistent offset from sample ``index`` on: ``offset`` in the counter's units,
    ``samples`` the same in samples (positive: samples were lost)."""

    index: int
    offset: float
    samples: float


@dataclass(frozen=True, kw_only=True)
class SeriesRepair:
    """The repaired series, why each sample has its value, and what was found."""

    original: Ints
    values: Ints
    reasons: Codes
    slope: float
    """The estimated slope (NaN when rejected before it could be estimated)."""
    expected_slope: float | None = None
    slope_used: float = float("nan")
    discontinuities: tuple[Discontinuity, ...] = ()
    rejected: Rejection | None = None
    detail: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    stages: tuple[tuple[str, Ints], ...] = ()
    """With ``keep_stages``: the values after each stage, by stage name, in order."""

    @property
    def slope_mismatch(self) -> bool:
        """The slope differs from the expected one (the estimate was used)."""
        return (self.expected_slope is not None and not np.isnan(self.slope_used)
                and self.slope_used != self.expected_slope)

    @property
    def repaired(self) -> int:
        """Samples whose value changed."""
        return int(np.count_nonzero(self.values != self.original))


def estimate_slope(values: Ints, *, lag: int = 1000) -> float:
    """A robust slope: the median of ``(v[i+L] − v[i]) / L`` (about 200,000 pairs)."""
    v = np.asarray(values, np.int64)
    lag = max(1, min(lag, v.size // 8))
    if v.size <= lag:
        return float("nan")
    at = np.arange(0, v.size - lag, max(1, (v.size - lag) // 200_000))
    return float(np.median((v[at + lag] - v[at]).astype(np.float64) / lag))


def repair_series(values: npt.ArrayLike, *, expected_slope: float | None = None,
                  params: TrendParams | None = None, keep_stages: bool = False) -> SeriesRepair:
    """Repair a counter that should rise linearly (see the module's docstring).

    Args:
        values: The observed series (integers).
        expected_slope: Counter units per sample it should rise by; the estimate is
            compared with it and used instead when they differ by more than
            ``params.slope_tolerance`` (relative).
        params: Windows and thresholds (default: ASF's for Seasat MSEC).
        keep_stages: Keep a copy of the values after each stage (for plots).

    Returns:
        A :class:`SeriesRepair`; a rejected series keeps its values, ``rejected`` says why.
    """
    original = np.ascontiguousarray(values, dtype=np.int64).ravel()
    p = (params or TrendParams()).for_length(original.size)
    slope0 = estimate_slope(original, lag=1000)
    why, detail = _verdict(original, slope0, p)
    if why is not None:
        return _rejected(original, expected_slope, slope0, why, detail)
    v, reasons = original.copy(), np.zeros(original.size, np.uint8)
    per_window = max(1, p.window // p.step)
    levels = k.window_levels(k.block_medians(v, slope0, p.step), per_window)
    k.stage1(v, reasons, levels, slope0, p.step, per_window, p.threshold, p.bits)
    stages = [("stage 1: trend", v.copy())] if keep_stages else []
    k.stage2(v, reasons, slope0)
    if keep_stages:
        stages.append(("stage 2: stairs", v.copy()))
    slope = _refined_slope(v, reasons, slope0)
    used = slope
    if expected_slope is not None and abs(slope - expected_slope) <= (
            p.slope_tolerance * abs(expected_slope)):
        used = expected_slope
    _fix_start(v, reasons, used, p)
    if keep_stages:
        stages.append(("start of take", v.copy()))
    found, flagged = _stage3(v, reasons, used, p)
    gap = next((d for d in found if abs(d.offset) > p.max_gap), None)
    if gap is not None:
        return _rejected(original, expected_slope, slope, Rejection.GAP,
                         f"a jump of {gap.offset:.0f} at sample {gap.index} exceeds the "
                         f"largest gap allowed, {p.max_gap:g}", used=used, found=found)
    bounds = np.array([0, *(d.index for d in found), v.size], np.int64)
    k.settle(v, reasons, flagged, used, bounds, p.fine_window)
    reasons[(v == original) & (reasons != k.OK)] = k.OK  # fixes that changed nothing
    if keep_stages:
        stages.append(("stage 3: fine fit", v.copy()))
    return SeriesRepair(original=original, values=v, reasons=reasons, slope=slope,
                        expected_slope=expected_slope, slope_used=used, discontinuities=found,
                        counts=_counts(reasons), stages=tuple(stages))


def _rejected(original: Ints, expected: float | None, slope: float, why: Rejection,
              detail: str, *, used: float = float("nan"),
              found: tuple[Discontinuity, ...] = ()) -> SeriesRepair:
    return SeriesRepair(original=original, values=original.copy(),
                        reasons=np.zeros(original.size, np.uint8), slope=slope,
                        expected_slope=expected, slope_used=used, discontinuities=found,
                        rejected=why, detail=detail)


def _verdict(v: Ints, slope: float, p: TrendParams) -> tuple[Rejection | None, str]:
    n = v.size
    if n < max(p.min_length, 2 * p.window):
        return Rejection.TOO_SHORT, f"{n} samples, fewer than {max(p.min_length, 2 * p.window)}"
    for sentinel in p.sentinels:
        share = float(np.count_nonzero(v == sentinel)) / n
        if share > 0.5:
            return Rejection.SENTINEL, f"{share:.0%} of the samples are {sentinel}"
    if slope == 0:
        return Rejection.CONSTANT, "the series does not rise (slope 0)"
    share = k.sane_steps(v, np.floor(slope) - 1, np.ceil(slope) + 1) / (n - 1)
    if share < 0.5:
        return Rejection.RANDOM, f"only {share:.0%} of the steps follow a slope of {slope:.4g}"
    return None, ""


def _refined_slope(v: Ints, reasons: Codes, slope0: float) -> float:
    """Least squares with one intercept per stretch between jumps (trusted samples only)."""
    correction = k.pooled_slope(v, reasons == k.OK, slope0, 2.0, 10)
    return slope0 if np.isnan(correction) else slope0 + correction


def _fix_start(v: Ints, reasons: Codes, slope: float, p: TrendParams) -> None:
    start, end = p.start_samples, p.start_samples + p.start_fit_samples
    if start <= 0:
        return
    offset = k.phase(v, reasons == k.OK, slope, start, min(end, v.size))
    if np.isnan(offset):
        return
    line = np.floor(offset + slope * np.arange(start)).astype(np.int64)
    off = np.abs(v[:start] - line) > p.fine_threshold
    off |= (reasons[:start] != k.OK) & (reasons[:start] != k.BIT_FLIP)
    v[:start][off] = line[off]
    reasons[:start][off] = k.START


def _stage3(v: Ints, reasons: Codes, slope: float,
            p: TrendParams) -> tuple[tuple[Discontinuity, ...], npt.NDArray[np.bool_]]:
    level = k.phase(v, reasons == k.OK, slope, 0, min(v.size, p.fine_window))
    if np.isnan(level):
        head = min(v.size, p.fine_window)
        level = float(np.median(v[:head] - slope * np.arange(head))) + 0.5
    capacity = v.size // (p.discontinuity_samples + 1) + 1
    starts, offsets = np.zeros(capacity, np.int64), np.zeros(capacity, np.float64)
    flagged = np.zeros(v.size, np.bool_)
    found = k.stage3(v, reasons, slope, level, p.fine_threshold, p.discontinuity_samples,
                     flagged, starts, offsets)
    return tuple(Discontinuity(int(s), float(o), float(o / slope))
                 for s, o in zip(starts[:found], offsets[:found], strict=True)), flagged


def rolling_mode(values: npt.ArrayLike, *, window: int = 64,
                 reasons: Codes | None = None) -> tuple[Ints, Codes]:
    """A field that should be constant, or change rarely: samples that differ from the
    mode of their ``window``-sample block and of both neighbouring blocks take their
    block's mode (:attr:`Reason.MODE`). Returns the values and the reasons."""
    v = np.ascontiguousarray(values, dtype=np.int64).ravel().copy()
    out = np.zeros(v.size, np.uint8) if reasons is None else reasons.copy()
    if v.size:
        k.apply_modes(v, out, k.block_modes(v, window), window)
    return v, out


def _counts(reasons: Codes) -> dict[str, int]:
    counts = k.count_codes(reasons, len(Reason))
    return {r.name.lower(): int(counts[r]) for r in Reason if r != Reason.OK and counts[r]}
