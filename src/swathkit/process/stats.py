"""Fill-aware statistics accumulated block by block: moments of values, counts of flag bits.

A dataset too big for memory is summarised by feeding its blocks (HDF5 chunks, row
blocks) one after another to a :class:`ValueStats` or a :class:`FlagStats`; only the
running totals are kept. What counts as valid is decided once per variable by a
:class:`Validity` (the ``_FillValue``, ``missing_value`` and ``valid_min..valid_max`` of
CF and of the SMAP files): fills and out-of-range values are excluded from every figure,
and the valid share says how many were left.

Determinism: blocks are merged with Chan's pairwise update in the order they are fed,
in float64, so the same blocks in the same order give the same figures bit for bit.

Speed and memory: :meth:`ValueStats.add` tests validity and sums a block in two
passes of a numba kernel (count, min, max and sum; then the squared deviations from the
block's mean), with no temporary array: numpy's way (a mask, the valid values gathered,
widened to float64, scaled, deviations squared) makes five arrays of the block's size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numba
import numpy as np

__all__ = ["FlagStats", "Validity", "ValueStats"]


@dataclass(frozen=True)
class Validity:
    """Which stored values are data.

    Attributes:
        fills: Stored values that mean "no data" (``_FillValue``, ``missing_value``).
        lo: Smallest valid stored value (``-inf`` when unbounded).
        hi: Largest valid stored value (``inf`` when unbounded).
    """

    fills: tuple[float, ...] = ()
    lo: float = -math.inf
    hi: float = math.inf

    def mask(self, values: np.ndarray) -> np.ndarray:
        """True where ``values`` hold data: finite, no fill, inside ``lo..hi``."""
        with np.errstate(invalid="ignore"):
            ok = np.ones(values.shape, bool) if values.dtype.kind in "iub" else np.isfinite(values)
            for fill in self.fills:
                ok &= values != fill
            if self.lo > -math.inf:
                ok &= values >= self.lo
            if self.hi < math.inf:
                ok &= values <= self.hi
        return np.asarray(ok)


@dataclass
class ValueStats:
    """Running count, min, max, mean and standard deviation of the valid values.

    Attributes:
        total: Values seen (valid or not).
        count: Valid values seen.
        scale: Multiplies stored values before the figures (CF ``scale_factor``).
        offset: Added after scaling (CF ``add_offset``).
    """

    scale: float = 1.0
    offset: float = 0.0
    total: int = 0
    count: int = 0
    minimum: float = math.inf
    maximum: float = -math.inf
    _mean: float = 0.0
    _m2: float = 0.0  # sum of squared deviations from the mean

    def add(self, values: np.ndarray, validity: Validity) -> None:
        """Take one block of stored values, valid where ``validity`` says so."""
        self.total += int(values.size)
        flat = np.ascontiguousarray(values).reshape(-1)
        # limits in the values' own float type, as numpy compares a float32 array with a
        # Python float (NEP 50): a valid_max of 0.1 is float32(0.1) for float32 values
        kind = flat.dtype if flat.dtype.kind == "f" else np.dtype(np.float64)
        with np.errstate(over="ignore"):
            fills, lo, hi = (np.asarray(x, np.float64).astype(kind).astype(np.float64)
                             for x in (validity.fills, validity.lo, validity.hi))
        n, low, high, mean, m2 = _moments(flat, fills.reshape(-1), float(lo), float(hi),
                                          self.scale, self.offset)
        self._merge(int(n), float(low), float(high), float(mean), float(m2))

    def _merge(self, n: int, low: float, high: float, mean: float, m2: float) -> None:
        if not n:
            return
        self.minimum, self.maximum = min(self.minimum, low), max(self.maximum, high)
        both = self.count + n
        delta = mean - self._mean
        self._mean += delta * n / both
        self._m2 += m2 + delta * delta * self.count * n / both
        self.count = both

    @property
    def mean(self) -> float:
        """Mean of the valid values (NaN if none)."""
        return self._mean if self.count else math.nan

    @property
    def std(self) -> float:
        """Population standard deviation of the valid values (NaN if none)."""
        return math.sqrt(self._m2 / self.count) if self.count else math.nan

    @property
    def valid_share(self) -> float:
        """Valid values as a share of all values (NaN for an empty dataset)."""
        return self.count / self.total if self.total else math.nan


@numba.njit(cache=True, nogil=True)
def _moments(values: np.ndarray, fills: np.ndarray, lo: float, hi: float, scale: float,
             offset: float) -> tuple[int, float, float, float, float]:
    """Count, min, max, mean and sum of squared deviations of the valid ``values``
    (finite, no fill, inside ``lo..hi``; compared as stored), scaled and offset."""
    n, total = 0, 0.0
    low, high = np.inf, -np.inf
    for i in range(values.size):
        v = float(values[i])
        if _valid(v, fills, lo, hi):
            x = v * scale + offset
            n += 1
            total += x
            low, high = min(low, x), max(high, x)
    if n == 0:
        return 0, np.inf, -np.inf, 0.0, 0.0
    mean = total / n
    m2 = 0.0
    for i in range(values.size):
        v = float(values[i])
        if _valid(v, fills, lo, hi):
            d = v * scale + offset - mean
            m2 += d * d
    return n, low, high, mean, m2


@numba.njit(cache=True, nogil=True, inline="always")
def _valid(v: float, fills: np.ndarray, lo: float, hi: float) -> bool:
    if not np.isfinite(v) or v < lo or v > hi:
        return False
    for fill in fills:  # noqa: SIM110 (numba compiles no generator)
        if v == fill:
            return False
    return True


@dataclass
class FlagStats:
    """How often each bit of a flag variable is set among its valid (non-fill) values.

    Attributes:
        masks: The CF ``flag_masks`` (one bit each, usually).
        meanings: The CF ``flag_meanings``, one per mask (``bit<k>`` where absent).
        total: Values seen.
        count: Valid values seen.
        set_counts: For each mask, the valid values in which it is set.
    """

    masks: tuple[int, ...]
    meanings: tuple[str, ...]
    total: int = 0
    count: int = 0
    set_counts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if len(self.meanings) != len(self.masks):
            self.meanings = tuple(f"bit{int(m).bit_length() - 1}" for m in self.masks)
        self.set_counts = [0] * len(self.masks)

    def add(self, values: np.ndarray, validity: Validity) -> None:
        """Take one block of stored integers, valid where ``validity`` says so."""
        self.total += int(values.size)
        picked = np.asarray(values[validity.mask(values)])  # its own type: no widened copy
        self.count += int(picked.size)
        for i, mask in enumerate(self.masks):
            bits = np.asarray(int(mask) & ((1 << 8 * picked.dtype.itemsize) - 1),
                              np.uint64).astype(picked.dtype)  # the mask's bits, same width
            self.set_counts[i] += int(np.count_nonzero(picked & bits))

    def shares(self) -> list[tuple[str, int, float]]:
        """``(meaning, mask, share of valid values with the bit set)`` per mask."""
        return [(name, int(mask), n / self.count if self.count else math.nan)
                for name, mask, n in zip(self.meanings, self.masks, self.set_counts,
                                         strict=True)]

    @property
    def valid_share(self) -> float:
        """Valid values as a share of all values (NaN for an empty dataset)."""
        return self.count / self.total if self.total else math.nan
