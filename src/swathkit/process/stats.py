"""Fill-aware statistics accumulated block by block: moments of values, counts of flag bits.

A dataset too big for memory is summarised by feeding its blocks (HDF5 chunks, row
blocks) one after another to a :class:`ValueStats` or a :class:`FlagStats`; only the
running totals are kept. What counts as valid is decided once per variable by a
:class:`Validity` (the ``_FillValue``, ``missing_value`` and ``valid_min..valid_max`` of
CF and of the SMAP files): fills and out-of-range values are excluded from every figure,
and the valid share says how many were left.

Determinism: blocks are merged with Chan's pairwise update in the order they are fed,
in float64, so the same blocks in the same order give the same figures bit for bit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

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

    def add(self, values: np.ndarray, valid: np.ndarray) -> None:
        """Take one block: its values and where they are valid (same shape)."""
        self.total += int(values.size)
        picked = np.asarray(values[valid], np.float64) * self.scale + self.offset
        n = int(picked.size)
        if not n:
            return
        mean = float(picked.mean())
        m2 = float(((picked - mean) ** 2).sum())
        self.minimum = min(self.minimum, float(picked.min()))
        self.maximum = max(self.maximum, float(picked.max()))
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

    def add(self, values: np.ndarray, valid: np.ndarray) -> None:
        """Take one block: its stored integers and where they are valid."""
        self.total += int(values.size)
        picked = np.asarray(values[valid]).astype(np.int64)
        self.count += int(picked.size)
        for i, mask in enumerate(self.masks):
            self.set_counts[i] += int(np.count_nonzero(picked & int(mask)))

    def shares(self) -> list[tuple[str, int, float]]:
        """``(meaning, mask, share of valid values with the bit set)`` per mask."""
        return [(name, int(mask), n / self.count if self.count else math.nan)
                for name, mask, n in zip(self.meanings, self.masks, self.set_counts,
                                         strict=True)]

    @property
    def valid_share(self) -> float:
        """Valid values as a share of all values (NaN for an empty dataset)."""
        return self.count / self.total if self.total else math.nan
