"""Dates and sample windows for the sea-ice dataset.

Pure bookkeeping (no torch, no I/O): which days a forecasting sample uses, and the
date ranges of splits that must never share a day.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

DateLike = date | datetime | str | int | np.datetime64


def as_date(value: DateLike) -> date:
    """Normalise a day given as ``date``, ``datetime``, ``"YYYY-MM-DD"``, ``"YYYYMMDD"``,
    the seed's integer ``YYYYMMDD`` or a ``numpy.datetime64``.

    Raises:
        ValueError: The value is not a recognisable day.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, np.datetime64):
        return date.fromisoformat(str(value.astype("datetime64[D]")))
    text = str(value).strip()
    try:
        if len(text) == 8 and text.isdigit():
            return datetime.strptime(text, "%Y%m%d").date()
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"not a day: {value!r} (use YYYY-MM-DD, YYYYMMDD or a date)") from None


@dataclass(frozen=True)
class SampleWindow:
    """Which days one (inputs → targets) sample uses, with the seed's meanings.

    Input frames are ``t0 + k·input_gap`` for ``k < input_length``; the first target is
    ``pred_shift`` days after the last input, then every ``pred_gap`` days for
    ``pred_length`` frames; consecutive samples start ``samples_gap`` days apart.
    """

    input_length: int = 5
    input_gap: int = 1
    pred_shift: int = 1
    pred_gap: int = 1
    pred_length: int = 3
    samples_gap: int = 1

    def __post_init__(self) -> None:
        for name in ("input_length", "input_gap", "pred_shift", "pred_gap", "pred_length",
                     "samples_gap"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)!r}")

    def input_offsets(self) -> np.ndarray:
        """Day offsets of the input frames from the first day of the sample."""
        return np.arange(self.input_length) * self.input_gap

    def target_offsets(self) -> np.ndarray:
        """Day offsets of the target frames from the first day of the sample."""
        last_input = (self.input_length - 1) * self.input_gap
        return last_input + self.pred_shift + np.arange(self.pred_length) * self.pred_gap

    @property
    def span(self) -> int:
        """Days from the first input to the last target, both included."""
        return int(self.target_offsets()[-1]) + 1

    def starts(self, n_days: int) -> np.ndarray:
        """Offsets of every sample start that fits in ``n_days`` consecutive days."""
        return np.arange(0, max(n_days - self.span + 1, 0), self.samples_gap)


@dataclass(frozen=True)
class DateRange:
    """Days from ``start`` to ``end``, both included."""

    start: date
    end: date

    @classmethod
    def of(cls, value: tuple[DateLike, DateLike]) -> DateRange:
        start, end = (as_date(v) for v in value)
        if end < start:
            raise ValueError(f"date range ends before it starts: {start} .. {end}")
        return cls(start, end)

    def __str__(self) -> str:
        return f"{self.start}..{self.end}"


def check_ranges(ranges: dict[str, DateRange], *, buffer_days: int = 0) -> None:
    """Raise ValueError if two ranges overlap or are closer than ``buffer_days``.

    ``buffer_days`` is the number of whole days that must lie between the end of one
    range and the start of the next (no sample uses them).
    """
    ordered = sorted(ranges.items(), key=lambda item: item[1].start)
    for (name_a, a), (name_b, b) in itertools.pairwise(ordered):
        gap = (b.start - a.end).days - 1
        if gap < 0:
            raise ValueError(f"splits {name_a} ({a}) and {name_b} ({b}) overlap; "
                             "give each split its own dates")
        if gap < buffer_days:
            raise ValueError(f"splits {name_a} ({a}) and {name_b} ({b}) are {gap} days apart; "
                             f"buffer_days asks for at least {buffer_days}")
