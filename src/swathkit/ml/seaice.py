"""``SeaIceSequenceDataset``: (input days → target days) samples from a grid cube.

Each item is ``(inputs, targets)``, float32 tensors shaped ``(T, C, H, W)`` so that a
``DataLoader`` batch is ``(B, T, C, H, W)`` as in the seed's ``ConsolidatedSICDataset``.
Values are concentration times ``scale`` (fractions 0–1 by default). Pixels without a
value (land, pole hole, anything the gap filling left unfilled) become 0: a network
needs finite numbers, and 0 ("no ice") is what the seed's models saw after masking;
use ``mask="channel"`` to tell the model which zeros are land.

The dataset reads the cube through :class:`~swathkit.stores.grid_cube.GridCube`, exactly
the days and region it needs, straight from zarr. It carries no open handle into
``DataLoader`` workers: each process opens the store on first use.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from swathkit.ml.windows import DateLike, SampleWindow, as_date, day_range
from swathkit.products.asi.grids import AsiGrid
from swathkit.stores.grid_cube import GridCube
from swathkit.stores.location import StoreLocation, as_location

log = logging.getLogger(__name__)

FILLED_FLAGS = (1, 2, 5)  # filled in time, filled in space-time, set to the constant
LAND_FLAG = 4
MASK_MODES = ("apply", "channel", "both")
PRELOAD_BLOCK_DAYS = 8

# Named boxes, (x_min, x_max, y_min, y_max) in metres of the grid's polar stereographic
# projection (the NSIDC EPSG:3411/3413 and 3412/3976 planes agree to well under a cell).
NAMED_REGIONS: dict[str, dict[str, tuple[float, float, float, float]]] = {
    "n": {
        "central_arctic": (-900_000, 900_000, -900_000, 900_000),
        "beaufort": (-2_300_000, -1_200_000, -600_000, 1_000_000),
        "chukchi": (-2_400_000, -1_200_000, 600_000, 1_900_000),
        "barents": (800_000, 2_400_000, -1_200_000, 600_000),
        "kara": (600_000, 2_100_000, 300_000, 1_800_000),
        "laptev": (-200_000, 1_300_000, 800_000, 2_200_000),
        "hudson": (-3_400_000, -1_400_000, -3_800_000, -1_800_000),
    },
    "s": {
        "weddell": (-2_700_000, -200_000, 700_000, 3_000_000),
        "ross": (-1_200_000, 800_000, -2_400_000, -1_100_000),
    },
}

CubeLike = GridCube | StoreLocation | str | os.PathLike[str]
RegionLike = tuple[int, int, int, int] | str | None


@dataclass(frozen=True)
class Region:
    """Half-open row/column window ``[y0, y1) × [x0, x1)`` of the grid (row 0 = south)."""

    y0: int
    y1: int
    x0: int
    x1: int

    @property
    def shape(self) -> tuple[int, int]:
        return self.y1 - self.y0, self.x1 - self.x0

    def as_tuple(self) -> tuple[int, int, int, int]:
        return self.y0, self.y1, self.x0, self.x1

    def slices(self) -> tuple[slice, slice]:
        """``(rows, cols)`` as the cube's readers take them."""
        return slice(self.y0, self.y1), slice(self.x0, self.x1)


def resolve_region(grid: AsiGrid, region: RegionLike) -> Region:
    """The window of ``grid`` that ``region`` names.

    Args:
        grid: The cube's grid.
        region: ``None`` (the whole grid), ``(y0, y1, x0, x1)`` row/column indices
            (half-open), or a name from :data:`NAMED_REGIONS` for the grid's hemisphere.

    Raises:
        ValueError: Unknown name, or a window outside the grid or empty.
    """
    if region is None:
        return Region(0, grid.rows, 0, grid.cols)
    if isinstance(region, str):
        boxes = NAMED_REGIONS[grid.hemisphere]
        if region not in boxes:
            raise ValueError(f"unknown region {region!r} for grid {grid.name}; "
                             f"choose one of {', '.join(sorted(boxes))} or (y0, y1, x0, x1)")
        x_min, x_max, y_min, y_max = boxes[region]
        x, y = grid.x(), grid.y()
        return Region(int(np.searchsorted(y, y_min)), int(np.searchsorted(y, y_max)),
                      int(np.searchsorted(x, x_min)), int(np.searchsorted(x, x_max)))
    y0, y1, x0, x1 = (int(v) for v in region)
    if not (0 <= y0 < y1 <= grid.rows and 0 <= x0 < x1 <= grid.cols):
        raise ValueError(f"region {region} is empty or outside the {grid.rows} x {grid.cols} "
                         f"grid {grid.name}; give (y0, y1, x0, x1) with y0 < y1, x0 < x1")
    return Region(y0, y1, x0, x1)


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
                f"with a missing day ({len(self.missing_days)} days missing) and "
                f"{self.skipped_filled} above the filled-pixel share")


def _open(location: StoreLocation) -> GridCube:
    return GridCube.open(location)


class SeaIceSequenceDataset(Dataset[tuple[torch.Tensor, torch.Tensor]]):
    """Forecasting samples (input days → target days) from a grid cube.

    Args:
        cube: A :class:`GridCube`, or the path/URL of one.
        start, end: First and last day any sample may use (default: the cube's calendar).
        input_length, input_gap, pred_shift, pred_gap, pred_length, samples_gap: The
            seed's sample geometry, see :class:`~swathkit.ml.windows.SampleWindow`.
        variable: Cube variable to serve (``"sic_filled"`` or ``"sic"``).
        max_filled_share: Skip samples in which more than this share of the ocean
            pixels (fill flag not land) was filled (flags 1, 2, 5), over all frames.
        mask: ``"apply"``: land pixels → 0; ``"channel"``: the land mask (1 = land)
            becomes a second input channel; ``"both"``; ``None``: the mask is not used.
        region: ``(y0, y1, x0, x1)`` or a name from :data:`NAMED_REGIONS`.
        preload: Read every day the samples need once, into memory.
        scale: Factor applied to the stored percent values (0.01 → fractions).

    Raises:
        ValueError: Bad options, or a mask requested from a cube without one.
    """

    def __init__(self, cube: CubeLike, *, start: DateLike | None = None,
                 end: DateLike | None = None, input_length: int = 5, input_gap: int = 1,
                 pred_shift: int = 1, pred_gap: int = 1, pred_length: int = 3,
                 samples_gap: int = 1, variable: str = "sic_filled",
                 max_filled_share: float | None = None, mask: str | None = "apply",
                 region: RegionLike = None, preload: bool = False, scale: float = 0.01) -> None:
        if mask not in (*MASK_MODES, None):
            raise ValueError(f"mask must be one of {MASK_MODES} or None, not {mask!r}")
        handle = cube if isinstance(cube, GridCube) else _open(as_location(cube))
        self._cube: GridCube | None = handle
        self._pid = os.getpid()
        self._location = handle.location
        self.window = SampleWindow(input_length, input_gap, pred_shift, pred_gap, pred_length,
                                   samples_gap)
        self.variable, self.scale, self.mask = variable, float(scale), mask
        self.region = resolve_region(handle.grid, region)
        self._land = self._land_mask(handle) if mask else None
        first, last = self._calendar(handle, start, end)
        self.start, self.end = first, last
        missing = _missing_days(handle, variable, first, last)
        self._starts, self.summary = self._select(handle, missing, max_filled_share)
        self._preloaded: np.ndarray | None = None
        self._preload_rows: dict[date, int] = {}
        if preload:
            self._preload(handle)
        log.info("sea-ice dataset %s..%s: %s", first, last, self.summary)

    # -- public description -------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._starts)

    @property
    def channels(self) -> int:
        """Input channels: 2 when the land mask is a channel, else 1 (targets: always 1)."""
        return 2 if self.mask in ("channel", "both") else 1

    def sample_days(self, index: int) -> tuple[list[date], list[date]]:
        """The input days and target days of sample ``index``."""
        t0 = self._starts[index]
        return ([t0 + timedelta(days=int(k)) for k in self.window.input_offsets()],
                [t0 + timedelta(days=int(k)) for k in self.window.target_offsets()])

    def days(self) -> set[date]:
        """Every day used by any sample."""
        used: set[date] = set()
        for i in range(len(self)):
            inputs, targets = self.sample_days(i)
            used.update(inputs, targets)
        return used

    # -- items --------------------------------------------------------------------------

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        if not -len(self) <= index < len(self):
            raise IndexError(f"sample {index} of {len(self)}")
        inputs, targets = self.sample_days(index % len(self))
        block = self._frames(inputs + targets)
        return self._pack(block[: len(inputs)], block[len(inputs):])

    def __getitems__(self, indices: Sequence[int]) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """A batch of samples; days shared by several samples are read once.

        The DataLoader calls this with the indices of one batch. Consecutive samples
        overlap (5-in/3-out with ``samples_gap=1`` shares 7 of 8 days), so reading the
        union of their days cuts the reads by up to the sample length.
        """
        per_sample = [self.sample_days(int(i)) for i in indices]
        union = sorted({d for ins, outs in per_sample for d in (*ins, *outs)})
        block = self._frames(union)
        row = {d: k for k, d in enumerate(union)}
        return [self._pack(block[_rows(ins, row)], block[_rows(outs, row)])
                for ins, outs in per_sample]

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_cube"] = None  # never carry an open store into another process
        return state

    # -- reading ------------------------------------------------------------------------

    def _handle(self) -> GridCube:
        if self._cube is None or self._pid != os.getpid():
            self._cube, self._pid = _open(self._location), os.getpid()
        return self._cube

    def _frames(self, days: Sequence[date]) -> np.ndarray:
        """Clean float32 frames ``(len(days), H, W)`` for ``days`` (ascending)."""
        if self._preloaded is not None:
            return self._preloaded[[self._preload_rows[d] for d in days]]
        return self._read(self._handle(), days)

    def _read(self, cube: GridCube, days: Sequence[date]) -> np.ndarray:
        frames = _read_days(cube, days, self.variable, self.region)
        frames = np.ascontiguousarray(frames, dtype=np.float32)
        if not frames.flags.writeable:
            frames = frames.copy()
        return _clean(frames, self._land if self.mask in ("apply", "both") else None,
                      self.scale)

    def _pack(self, inputs: np.ndarray, targets: np.ndarray
              ) -> tuple[torch.Tensor, torch.Tensor]:
        if self.channels == 2:
            assert self._land is not None
            stacked = np.empty((len(inputs), 2, *inputs.shape[1:]), np.float32)
            stacked[:, 0] = inputs
            stacked[:, 1] = self._land
            x = stacked
        else:
            x = inputs[:, np.newaxis]
        return torch.from_numpy(x), torch.from_numpy(targets[:, np.newaxis])

    def _preload(self, cube: GridCube) -> None:
        needed = sorted(self.days())
        h, w = self.region.shape
        data = np.empty((len(needed), h, w), np.float32)
        for k in range(0, len(needed), PRELOAD_BLOCK_DAYS):
            data[k: k + PRELOAD_BLOCK_DAYS] = self._read(cube, needed[k: k + PRELOAD_BLOCK_DAYS])
        self._preloaded = data
        self._preload_rows = {d: k for k, d in enumerate(needed)}

    # -- set-up -------------------------------------------------------------------------

    def _land_mask(self, cube: GridCube) -> np.ndarray:
        land = cube.land_mask()
        if land is None:
            raise ValueError(f"{self._location}: the cube has no land mask; run "
                             "`swathkit seaice mask` first or pass mask=None")
        r = self.region
        return np.ascontiguousarray(np.asarray(land)[r.y0:r.y1, r.x0:r.x1] != 0)

    @staticmethod
    def _calendar(cube: GridCube, start: DateLike | None,
                  end: DateLike | None) -> tuple[date, date]:
        known = [*cube.days, *cube.not_published]
        if not known and (start is None or end is None):
            raise ValueError("the cube holds no days; give start and end")
        first = as_date(start) if start is not None else min(known)
        last = as_date(end) if end is not None else max(known)
        if last < first:
            raise ValueError(f"end {last} is before start {first}")
        return first, last

    def _select(self, cube: GridCube, missing: dict[date, str],
                max_filled_share: float | None) -> tuple[list[date], SampleSummary]:
        offsets = np.concatenate([self.window.input_offsets(), self.window.target_offsets()])
        n_days = (self.end - self.start).days + 1
        candidates = [self.start + timedelta(days=int(s)) for s in self.window.starts(n_days)]
        shares = (_filled_counts(cube, sorted(set(day_range(self.start, self.end)) - set(missing)),
                                 self.region) if max_filled_share is not None else {})
        kept, skipped, n_missing, n_filled = [], [], 0, 0
        for t0 in candidates:
            days = [t0 + timedelta(days=int(k)) for k in offsets]
            lacking = [d for d in days if d in missing]
            if lacking:
                n_missing += 1
                skipped.append((t0, "; ".join(f"{d} {missing[d]}" for d in lacking)))
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


def _rows(days: Sequence[date], row: dict[date, int]) -> slice | list[int]:
    """Rows of ``days`` in a block: a slice (a view, no copy) when evenly spaced."""
    idx = [row[d] for d in days]
    step = idx[1] - idx[0] if len(idx) > 1 else 1
    if step > 0 and all(b - a == step for a, b in itertools.pairwise(idx)):
        return slice(idx[0], idx[-1] + 1, step)
    return idx


def _clean(frames: np.ndarray, land: np.ndarray | None, scale: float) -> np.ndarray:
    """In place: NaN → 0, times ``scale``, land → 0."""
    np.nan_to_num(frames, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    if scale != 1.0:
        np.multiply(frames, np.float32(scale), out=frames)
    if land is not None:
        frames[:, land] = 0.0
    return frames


def _read_days(cube: GridCube, days: Sequence[date], variable: str,
               region: Region) -> np.ndarray:
    """``(len(days), H, W)`` of ``variable``: one block read when the days are consecutive."""
    first = cube.time_index(days[0])
    if all((d - days[0]).days == k for k, d in enumerate(days)):
        return cube.read_block(first, first + len(days), variable=variable,
                               region=region.slices())
    return cube.read_days(list(days), variable=variable, region=region.slices())


def _missing_days(cube: GridCube, variable: str, first: date,
                  last: date) -> dict[date, str]:
    """Days of ``[first, last]`` the cube cannot serve for ``variable``, with the reason."""
    present = set(cube.days)
    not_published = set(cube.not_published)
    filled = _filled_days(cube) if variable in ("sic_filled", "fill_flag") else None
    missing = {}
    for day in day_range(first, last):
        if day in not_published:
            missing[day] = "not published"
        elif day not in present:
            missing[day] = "absent"
        elif filled is not None and day not in filled:
            missing[day] = "not filled"
    return missing


def _filled_days(cube: GridCube) -> set[date]:
    """Days whose ``sic_filled`` and ``fill_flag`` the cube's ``fill`` has written."""
    return {cube.origin + timedelta(days=int(i)) for i in np.flatnonzero(cube.filled_days())}


def _filled_counts(cube: GridCube, days: Sequence[date],
                   region: Region) -> dict[date, tuple[int, int]]:
    """Per day: (filled pixels, ocean pixels) of the region, from ``fill_flag``."""
    counts = {}
    for k in range(0, len(days), PRELOAD_BLOCK_DAYS):
        chunk = list(days[k: k + PRELOAD_BLOCK_DAYS])
        flags = _read_days(cube, chunk, "fill_flag", region)
        for day, frame in zip(chunk, flags, strict=True):
            hist = np.bincount(np.asarray(frame, np.uint8).ravel(), minlength=256)
            counts[day] = (int(hist[list(FILLED_FLAGS)].sum()),
                           int(hist.sum() - hist[LAND_FLAG]))
    return counts
