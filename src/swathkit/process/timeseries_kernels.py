"""Numba kernels of the counter repair (see ``swathkit.process.timeseries`` for the stages).

Every kernel is sequential over the samples and reads only the original values or
values it has already settled, so the result does not depend on threads or chunking.
Everything numba compiles for the repair lives in this one module: numba's cache does
not notice when a function called from another module changes.

The model: an integer counter sampled from a linear clock, ``v[i] = floor(a + i·s)``;
``r[i] = v[i] − i·s`` then lies in ``(a − 1, a]`` for every true sample.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt

F = TypeVar("F", bound=Callable[..., object])

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Codes = npt.NDArray[np.uint8]

# Reason codes, as swathkit.process.timeseries.Reason numbers them (numba sees plain ints)
OK, BIT_FLIP, GLITCH, TREND, STAIR, START, FINE, MODE = range(8)


def _jit(fn: F) -> F:
    return cast(F, numba.njit(cache=True, nogil=True)(fn))


@_jit
def _small_median(buf: Floats, count: int) -> float:
    """Median of ``buf[:count]`` by insertion sort (count is 20 or fewer, or 5)."""
    for i in range(1, count):
        x = buf[i]
        j = i - 1
        while j >= 0 and buf[j] > x:
            buf[j + 1] = buf[j]
            j -= 1
        buf[j + 1] = x
    half = count // 2
    return float(buf[half]) if count % 2 else float(0.5 * (buf[half - 1] + buf[half]))


@_jit
def block_medians(values: Ints, slope: float, step: int) -> Floats:
    """Median of ``r`` over each block of ``step`` samples."""
    n = values.size
    nb = (n + step - 1) // step
    out = np.empty(nb, np.float64)
    buf = np.empty(step, np.float64)
    for b in range(nb):
        a = b * step
        count = min(step, n - a)
        for k in range(count):
            buf[k] = values[a + k] - slope * (a + k)
        out[b] = _small_median(buf, count)
    return out


@_jit
def window_levels(blocks: Floats, per_window: int) -> Floats:
    """Level of the window of ``per_window`` blocks starting at each block: the median
    of their block medians (a robust 100-line fit refit every 20 lines, in ASF's terms)."""
    nb = blocks.size
    out = np.empty(nb, np.float64)
    buf = np.empty(per_window, np.float64)
    for b in range(nb):
        count = min(per_window, nb - b)
        for k in range(count):
            buf[k] = blocks[b + k]
        out[b] = _small_median(buf, count)
    return out


@_jit
def _level(values: Ints, levels: Floats, slope: float, step: int, per_window: int,
           i: int) -> tuple[float, float]:
    """The trend level nearest sample ``i`` (the window before its block, or after) and
    the sample's distance to it."""
    nb = levels.size
    b = i // step
    left, right = b - per_window, b + 1
    r = values[i] - slope * i
    if left < 0 and right >= nb:
        return levels[b], abs(r - levels[b])
    best, level = np.inf, levels[b]
    if left >= 0 and abs(r - levels[left]) < best:
        best, level = abs(r - levels[left]), levels[left]
    if right < nb and abs(r - levels[right]) < best:
        best, level = abs(r - levels[right]), levels[right]
    return level, best


@_jit
def stage1(values: Ints, reasons: Codes, levels: Floats, slope: float, step: int,
           per_window: int, threshold: float, bits: int) -> None:
    """Fix samples more than ``threshold`` from both the trend before and after them.

    Only bad samples change, and a glitch needs good neighbours, so the decisions read
    the observed values without a copy."""
    n = values.size
    bad = np.zeros(n, np.bool_)
    for i in range(n):
        bad[i] = _level(values, levels, slope, step, per_window, i)[1] > threshold
    for i in range(n):
        if not bad[i]:
            continue
        level = _level(values, levels, slope, step, per_window, i)[0]
        p = np.int64(np.floor(level + slope * i + 0.5))
        x = values[i] ^ p
        hb = np.int64(0)
        while (x >> (hb + 1)) > 0:
            hb += 1
        flipped = values[i] ^ (np.int64(1) << hb)
        isolated = 0 < i < n - 1 and not bad[i - 1] and not bad[i + 1]
        if x > 0 and hb < bits and abs(flipped - p) <= threshold:
            values[i], reasons[i] = flipped, BIT_FLIP
        elif isolated:
            step_up = p - np.int64(np.floor(level + slope * (i - 1) + 0.5))
            values[i], reasons[i] = values[i - 1] + step_up, GLITCH
        else:
            values[i], reasons[i] = p, TREND


@_jit
def sane_steps(values: Ints, lo: float, hi: float) -> int:
    """How many steps ``values[i+1] − values[i]`` lie in ``[lo, hi]``."""
    count = 0
    for i in range(values.size - 1):
        d = values[i + 1] - values[i]
        count += lo <= d <= hi
    return count


@_jit
def stage2(values: Ints, reasons: Codes, slope: float) -> None:
    """Stair steps: a run of equal values longer than the clock allows is a stuck clock;
    sample ``k + n`` of the run gets ``value_k + n·slope``."""
    if slope <= 0:
        return
    longest = int(np.ceil(1.0 / slope))
    n = values.size
    i = 0
    while i < n:
        j = i
        while j + 1 < n and values[j + 1] == values[i]:
            j += 1
        if j - i + 1 > longest:
            for k in range(1, j - i + 1):
                values[i + k] = values[i] + np.int64(np.floor(k * slope + 0.5))
                if reasons[i + k] == OK:
                    reasons[i + k] = STAIR
        i = j + 1


@_jit
def pooled_slope(values: Ints, trusted: npt.NDArray[np.bool_], slope: float, jump: float,
                 min_count: int) -> float:
    """The slope correction of a least-squares line with one intercept per stretch between
    jumps (a step more than ``jump`` off ``slope``), over trusted samples; NaN if none."""
    n = values.size
    sxx, sxy = 0.0, 0.0
    a = 0
    for b in range(1, n + 1):
        if b < n and abs(values[b] - values[b - 1] - slope) <= jump:
            continue
        s0 = si = sy = sii = siy = 0.0
        for i in range(a, b):
            if trusted[i]:
                x = float(i - a)
                y = values[i] - values[a] - slope * x
                s0 += 1.0
                si += x
                sy += y
                sii += x * x
                siy += x * y
        if s0 >= min_count:
            sxx += sii - si * si / s0
            sxy += siy - si * sy / s0
        a = b
    return sxy / sxx if sxx > 0 else np.nan


@_jit
def phase(values: Ints, trusted: npt.NDArray[np.bool_], slope: float, a: int, b: int) -> float:
    """The offset ``a`` of ``floor(a + i·s)`` agreeing with the most trusted samples of
    ``[a, b)`` (the middle of the best interval); NaN when none is trusted."""
    count = 0
    for i in range(a, b):
        count += trusted[i]
    if count == 0:
        return np.nan
    r = np.empty(count, np.float64)
    k = 0
    for i in range(a, b):
        if trusted[i]:
            r[k] = values[i] - slope * i
            k += 1
    r.sort()
    best, best_mid, lo = 0, 0.0, 0
    for j in range(count):
        while r[lo] <= r[j] - 1.0:
            lo += 1
        if j + 1 < count and r[j + 1] == r[j]:
            continue
        if j - lo + 1 > best:
            best, best_mid = j - lo + 1, 0.5 * (r[j] + r[lo] + 1.0)
    return best_mid


@_jit
def stage3(values: Ints, reasons: Codes, slope: float, level: float, tol: float,
           min_run: int, flagged: npt.NDArray[np.bool_], starts: Ints, offsets: Floats) -> int:
    """Walk the samples: one more than ``tol`` off the current level is an outlier, unless
    more than ``min_run`` consecutive ones agree on a new level (a discontinuity, kept).
    Returns the number of discontinuities written into ``starts``/``offsets``."""
    n = values.size
    found = 0
    run_start, run_ref = -1, 0.0
    for i in range(n):
        r = values[i] - slope * i
        if abs(r - level) <= tol:
            if run_start >= 0:
                flagged[run_start:i] = True
                run_start = -1
            level += (r + 0.5 - level) / 64.0
            continue
        if run_start >= 0 and abs(r - run_ref) > tol:
            flagged[run_start:i] = True
            run_start = -1
        if run_start < 0:
            run_start, run_ref = i, r
        if i - run_start + 1 > min_run:
            starts[found], offsets[found] = run_start, run_ref + 0.5 - level
            found += 1
            level, run_start = run_ref + 0.5, -1
    if run_start >= 0:
        flagged[run_start:n] = True
    for i in range(n):
        if flagged[i] and reasons[i] == OK:
            reasons[i] = FINE
    return found


@_jit
def settle(values: Ints, reasons: Codes, flagged: npt.NDArray[np.bool_], slope: float,
           bounds: Ints, block: int) -> None:
    """Give every repaired sample the exact value of its block's line (blocks of ``block``
    samples inside each segment ``bounds[k]:bounds[k+1]``); bit flips and start fixes keep
    theirs unless stage 3 found them off."""
    trusted = reasons == OK
    for k in range(bounds.size - 1):
        a0, b0 = bounds[k], bounds[k + 1]
        whole = np.nan
        last = np.nan
        for a in range(a0, b0, block):
            b = min(b0, a + block)
            need = False
            for i in range(a, b):
                if _needs_value(reasons[i], flagged[i]):
                    need = True
                    break
            if not need:
                continue
            t = phase(values, trusted, slope, a, b) if _count(trusted, a, b) >= 8 else np.nan
            if np.isnan(t):
                t = last
            if np.isnan(t):
                if np.isnan(whole):
                    whole = phase(values, trusted, slope, a0, b0)
                t = whole
            if np.isnan(t):
                continue
            last = t
            for i in range(a, b):
                if _needs_value(reasons[i], flagged[i]):
                    values[i] = np.int64(np.floor(t + slope * i))


@_jit
def _count(flags: npt.NDArray[np.bool_], a: int, b: int) -> int:
    total = 0
    for i in range(a, b):
        total += flags[i]
    return total


@_jit
def count_codes(codes: Codes, size: int) -> Ints:
    """How many samples have each code (codes below ``size``)."""
    out = np.zeros(size, np.int64)
    for c in codes:
        out[c] += 1
    return out


@_jit
def _needs_value(reason: int, flagged: bool) -> bool:
    if reason in (OK, MODE):
        return False
    if reason in (BIT_FLIP, START):
        return flagged
    return True


@_jit
def block_modes(values: Ints, block: int) -> Ints:
    """The most frequent value of each block of ``block`` samples (the smallest on a tie)."""
    n = values.size
    nb = (n + block - 1) // block
    out = np.empty(nb, np.int64)
    for b in range(nb):
        part = np.sort(values[b * block:min(n, (b + 1) * block)])
        best, best_value, run = 0, part[0], 0
        for k in range(part.size):
            run = run + 1 if k > 0 and part[k] == part[k - 1] else 1
            if run > best:
                best, best_value = run, part[k]
        out[b] = best_value
    return out


@_jit
def apply_modes(values: Ints, reasons: Codes, modes: Ints, block: int) -> None:
    """A sample equal to the mode of its block or of a neighbouring block stays (so a
    field that changes keeps its change); any other takes its block's mode."""
    nb = modes.size
    for i in range(values.size):
        b = i // block
        v = values[i]
        if v == modes[b] or (b > 0 and v == modes[b - 1]) or (b + 1 < nb and v == modes[b + 1]):
            continue
        values[i] = modes[b]
        reasons[i] = MODE
