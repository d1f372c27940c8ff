"""Train / validation / test splits of a grid cube by date range."""

from __future__ import annotations

from typing import Any

from swathkit.ml.seaice.dataset import CubeLike, SeaIceSequenceDataset, _open
from swathkit.ml.seaice.windows import DateLike, DateRange, check_ranges
from swathkit.stores.grid_cube import GridCube
from swathkit.stores.location import as_location

RangeLike = tuple[DateLike, DateLike]


def time_splits(cube: CubeLike, *, train: RangeLike, val: RangeLike | None = None,
                test: RangeLike | None = None, buffer_days: int = 0,
                **dataset_kwargs: Any) -> dict[str, SeaIceSequenceDataset]:
    """One :class:`SeaIceSequenceDataset` per split, such that no day serves two splits.

    Every sample of a split lies entirely inside the split's range (its first input and
    its last target included), and the ranges may not overlap, so a day belongs to at
    most one split. The days between two ranges are the buffer: no sample uses them.
    Because sea ice changes slowly, a buffer of a few days to weeks (``buffer_days``
    enforces a minimum) keeps a validation sample from being nearly a copy of the last
    training targets.

    Args:
        cube: A :class:`GridCube` or the path/URL of one (opened once, shared).
        train, val, test: ``(first day, last day)`` of each split, both included;
            ``val`` and ``test`` may be omitted.
        buffer_days: Least number of whole days between two ranges.
        **dataset_kwargs: Passed to every dataset (window, variable, mask, region, ...).

    Returns:
        ``{"train": ..., "val": ..., "test": ...}`` for the splits given.

    Raises:
        ValueError: Ranges that overlap, end before they start, or lie closer than
            ``buffer_days``; ``start``/``end`` among ``dataset_kwargs``.
    """
    if {"start", "end"} & dataset_kwargs.keys():
        raise ValueError("time_splits sets start and end from the split ranges")
    given = {"train": train, "val": val, "test": test}
    ranges = {name: DateRange.of(value) for name, value in given.items() if value is not None}
    check_ranges(ranges, buffer_days=buffer_days)
    handle = cube if isinstance(cube, GridCube) else _open(as_location(cube))
    return {name: SeaIceSequenceDataset(handle, start=r.start, end=r.end, **dataset_kwargs)
            for name, r in ranges.items()}
