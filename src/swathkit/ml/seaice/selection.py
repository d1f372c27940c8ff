"""Which days a sea-ice dataset serves: its calendar, the days it lacks, the samples it keeps.

A sample is kept when every day it uses is in the cube (published, consolidated and, for
the gap-filled variables, filled), the extra cube has its input days, and its share of
filled ocean pixels stays under the limit; :class:`SampleSummary` says why the others
were skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from swathkit.ml.seaice.extra import ABSENT_EXTRA
from swathkit.ml.seaice.windows import DateLike, SampleWindow, as_date
from swathkit.stores.grid_cube import GridCube
from swathkit.types import DayRange, Region

__all__ = ["SampleSummary", "calendar", "missing_days", "read_days", "select_samples"]

FILLED_FLAGS = (1, 2, 5)  # filled in time, filled in space-time, set to the constant
LAND_FLAG = 4
BLOCK_DAYS = 8  # days read at once (one time chunk)


@dataclass(frozen=True)
class SampleSummary:
    """Which candidate samples a dataset kept, and why it skipped the others.

    Attributes:
        candidates: Samples that fit in the date range.
        kept: Samples the dataset serves.
        skipped_missing: Samples that use a day the cube lacks.
        skipped_filled: Samples whose share of filled pixels exceeds ``max_filled_share``.
        missing_days: ``(day, reason)`` for each day of the range the cube lacks
            (``"not published"`` upstream, ``"absent"`` from the cube, ``"not filled"``).
        skipped: ``(first day of the sample, reason)`` for each skipped sample.
    """

    candidates: int
    kept: int
    skipped_missing: int
    skipped_filled: int
    missing_days: tuple[tuple[date, str], ...]
    skipped: tuple[tuple[date, str], ...]

    def __str__(self) -> str:
        return (f"{self.kept} of {self.candidates} samples kept; skipped {self.skipped_missing} "
                f"with a missing day ({len(self.missing_days)} days missing from the cube) and "
                f"{self.skipped_filled} above the filled-pixel share")


def calendar(cube: GridCube, start: DateLike | None, end: DateLike | None) -> tuple[date, date]:
    """First and last day of the dataset: those given, else the cube's known days.

    Raises:
        ValueError: an empty cube and no dates; InputError: ``end`` before ``start``.
    """
    known = [*cube.days, *cube.not_published]
    if not known and (start is None or end is None):
        raise ValueError("the cube holds no days; give start and end")
    first = as_date(start) if start is not None else min(known)
    last = as_date(end) if end is not None else max(known)
    days = DayRange(first, last)  # InputError if end is before start
    return days.start, days.end


def select_samples(cube: GridCube, window: SampleWindow, first: date, last: date,
                   region: Region, missing: dict[date, str], max_filled_share: float | None,
                   extra_days: set[date] | None = None) -> tuple[list[date], SampleSummary]:
    """The first days of the samples kept in ``[first, last]``, and the summary."""
    offsets = np.concatenate([window.input_offsets(), window.target_offsets()])
    n_days = (last - first).days + 1
    candidates = [first + timedelta(days=int(s)) for s in window.starts(n_days)]
    shares = (_filled_counts(cube, sorted(set(DayRange(first, last)) - set(missing)), region)
              if max_filled_share is not None else {})
    kept, skipped, n_missing, n_filled = [], [], 0, 0
    for t0 in candidates:
        days = [t0 + timedelta(days=int(k)) for k in offsets]
        lacking = [(d, missing[d]) for d in days if d in missing]
        if extra_days is not None:  # the extra channels are inputs only
            inputs = days[: len(window.input_offsets())]
            lacking += [(d, ABSENT_EXTRA) for d in inputs if d not in extra_days]
        if lacking:
            n_missing += 1
            skipped.append((t0, "; ".join(f"{d} {why}" for d, why in lacking)))
            continue
        if max_filled_share is not None:
            filled = sum(shares[d][0] for d in days)
            ocean = sum(shares[d][1] for d in days)
            share = filled / ocean if ocean else 0.0
            if share > max_filled_share:
                n_filled += 1
                skipped.append((t0, f"filled share {share:.3f} > {max_filled_share}"))
                continue
        kept.append(t0)
    summary = SampleSummary(len(candidates), len(kept), n_missing, n_filled,
                            tuple(sorted(missing.items())), tuple(skipped))
    return kept, summary


def read_days(cube: GridCube, days: Sequence[date], variable: str,
               region: Region) -> np.ndarray:
    """``(len(days), H, W)`` of ``variable``: one block read when the days are consecutive."""
    first = cube.time_index(days[0])
    if all((d - days[0]).days == k for k, d in enumerate(days)):
        return cube.read_block(first, first + len(days), variable=variable,
                               region=region.slices())
    return cube.read_days(list(days), variable=variable, region=region.slices())


def missing_days(cube: GridCube, first: date, last: date, *,
                  filled: bool) -> dict[date, str]:
    """Days of ``[first, last]`` the cube cannot serve, with the reason.

    With ``filled``, days the gap filling has not reached count as missing too.
    """
    present = set(cube.days)
    not_published = set(cube.not_published)
    done = _filled_days(cube) if filled else None
    missing = {}
    for day in DayRange(first, last):
        if day in not_published:
            missing[day] = "not published"
        elif day not in present:
            missing[day] = "absent"
        elif done is not None and day not in done:
            missing[day] = "not filled"
    return missing


def _filled_days(cube: GridCube) -> set[date]:
    """Days whose ``sic_filled`` and ``fill_flag`` the cube's ``fill`` has written."""
    return {cube.origin + timedelta(days=int(i)) for i in np.flatnonzero(cube.filled_days())}


def _filled_counts(cube: GridCube, days: Sequence[date],
                   region: Region) -> dict[date, tuple[int, int]]:
    """Per day: (filled pixels, ocean pixels) of the region, from ``fill_flag``."""
    counts = {}
    for k in range(0, len(days), BLOCK_DAYS):
        chunk = list(days[k: k + BLOCK_DAYS])
        flags = read_days(cube, chunk, "fill_flag", region)
        for day, frame in zip(chunk, flags, strict=True):
            hist = np.bincount(np.asarray(frame, np.uint8).ravel(), minlength=256)
            counts[day] = (int(hist[list(FILLED_FLAGS)].sum()),
                           int(hist.sum() - hist[LAND_FLAG]))
    return counts
