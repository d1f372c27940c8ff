"""Land mask from the frequency of missing values, and its agreement with a coastline.

A pixel missing on more than ``threshold`` of the days of a period is land (the seed's
rule, default 0.85). Counts accumulate block by block, so a decade of grids never needs
to be in memory at once. Pure numpy, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

__all__ = ["NanCounter", "coastline_agreement", "land_mask_from_frequency", "nan_frequency",
           "pole_disk"]


class NanCounter:
    """Counts, per pixel, the days on which a value is missing.

    Args:
        shape: ``(y, x)`` of the grid.

    Example::

        counter = NanCounter((ny, nx))
        for block in blocks:          # (time, y, x) or (y, x) arrays, NaN missing
            counter.add(block)
        freq = counter.frequency()
    """

    def __init__(self, shape: tuple[int, int]) -> None:
        self.nan_count = np.zeros(shape, np.int64)
        self.days = 0

    def add(self, block: np.ndarray) -> None:
        """Count the NaN of one day ``(y, x)`` or of a block of days ``(time, y, x)``."""
        block = np.asarray(block)
        if block.ndim == 2:
            block = block[None]
        if block.shape[1:] != self.nan_count.shape:
            raise ValueError(f"block of shape {block.shape} does not match the grid "
                             f"{self.nan_count.shape}")
        self.nan_count += np.isnan(block).sum(axis=0, dtype=np.int64)
        self.days += block.shape[0]

    def merge(self, other: NanCounter) -> None:
        """Add the counts of another counter (e.g. from a parallel worker)."""
        if other.nan_count.shape != self.nan_count.shape:
            raise ValueError("counters of different grids")
        self.nan_count += other.nan_count
        self.days += other.days

    def frequency(self) -> np.ndarray:
        """The share of days missing per pixel, float32 in [0, 1]."""
        if self.days == 0:
            raise ValueError("no days counted")
        return (self.nan_count / self.days).astype(np.float32)


def nan_frequency(blocks: Iterable[np.ndarray]) -> np.ndarray:
    """The share of days missing per pixel over blocks ``(time, y, x)`` or days ``(y, x)``."""
    counter: NanCounter | None = None
    for block in blocks:
        if counter is None:
            counter = NanCounter(np.shape(block)[-2:])
        counter.add(block)
    if counter is None:
        raise ValueError("no days counted")
    return counter.frequency()


def land_mask_from_frequency(freq: np.ndarray, threshold: float = 0.85, *,
                             exclude: np.ndarray | None = None) -> np.ndarray:
    """Land where the NaN frequency exceeds the threshold.

    Args:
        freq: ``(y, x)`` NaN frequency in [0, 1].
        threshold: A pixel missing on more than this share of days is land.
        exclude: ``(y, x)`` bool, pixels never called land (e.g. the pole-hole disk,
            missing every day but ocean).

    Returns:
        ``(y, x)`` bool, True on land.
    """
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be in [0, 1], not {threshold}")
    land = np.asarray(freq) > threshold
    if exclude is not None:
        land &= ~np.asarray(exclude, dtype=bool)
    return land


def pole_disk(x: np.ndarray, y: np.ndarray, radius: float) -> np.ndarray:
    """``(y, x)`` bool: grid cells whose centre lies within ``radius`` of the pole (0, 0).

    Args:
        x: Cell centres along x (projection metres).
        y: Cell centres along y.
        radius: Disk radius in the same unit.
    """
    xx = np.asarray(x, np.float64)[None, :]
    yy = np.asarray(y, np.float64)[:, None]
    return np.asarray(xx * xx + yy * yy <= radius * radius)


def coastline_agreement(mask: np.ndarray, reference_land: np.ndarray) -> dict[str, float]:
    """How well a land mask agrees with a reference (e.g. a coastline package).

    Args:
        mask: ``(y, x)`` bool, True on land (the derived mask).
        reference_land: ``(y, x)`` bool, True on land (the reference).

    Returns:
        ``agreement`` (share of pixels on which both agree), ``land_precision`` (share of
        mask land that is reference land), ``land_recall`` (share of reference land found),
        ``iou`` (intersection over union of the land), ``land_fraction`` and
        ``reference_land_fraction``. A ratio with an empty denominator is NaN.
    """
    m = np.asarray(mask, dtype=bool)
    r = np.asarray(reference_land, dtype=bool)
    if m.shape != r.shape:
        raise ValueError(f"mask {m.shape} and reference {r.shape} differ in shape")
    both = int(np.count_nonzero(m & r))
    mask_n, ref_n = int(np.count_nonzero(m)), int(np.count_nonzero(r))
    union = mask_n + ref_n - both
    return {"agreement": float(np.count_nonzero(m == r) / m.size),
            "land_precision": _ratio(both, mask_n),
            "land_recall": _ratio(both, ref_n),
            "iou": _ratio(both, union),
            "land_fraction": mask_n / m.size,
            "reference_land_fraction": ref_n / m.size}


def _ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")
