"""Missing pixels in a region of interest, day by day (replaces the seed's ROI script).

The region is a rectangle of grid indices (a :class:`swathkit.types.Region`: rows
and columns of the (y, x) grid, row 0 at the southern edge of the ASI grids),
written ``R0:R1,C0:C1`` on the command line (ends excluded, like Python slices).
For every day of the period the report counts the NaN pixels in the region, and
those not on land when a land mask is known (a cube after ``mask``); days without
data are listed with their state (``not_published`` upstream, ``absent``) instead of
counts.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from swathkit.errors import InputError
from swathkit.products.grids import Grid
from swathkit.stores.grid_source import (
    PRESENT,
    Source,
    blocks,
    open_source,
)
from swathkit.types import DayRange, Progress, Region, RegionLike, as_region

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoiDay:
    """One day of the report.

    Attributes:
        day: The day.
        state: ``present``, ``not_published``, ``pending`` or ``absent``.
        pixels: Pixels in the region.
        missing: NaN pixels in the region (0 when the day has no data).
        sea: Pixels in the region not on land (``pixels`` without a land mask).
        sea_missing: NaN pixels not on land (``missing`` without a land mask).
    """

    day: date
    state: str
    pixels: int
    missing: int = 0
    sea: int = 0
    sea_missing: int = 0

    @property
    def has_data(self) -> bool:
        """Whether the day was observed (counts are meaningful)."""
        return self.state == PRESENT

    @property
    def percent(self) -> float | None:
        """Missing share of the region, percent; None for a day without data."""
        return 100.0 * self.missing / self.pixels if self.has_data and self.pixels else None

    @property
    def sea_percent(self) -> float | None:
        """Missing share of the region's sea pixels, percent; None without data or sea."""
        return 100.0 * self.sea_missing / self.sea if self.has_data and self.sea else None


@dataclass(frozen=True)
class RoiReport:
    """Missing pixels in a region, day by day, and where they came from."""

    source: str
    kind: str  # "cube" | "files"
    grid: Grid
    region: Region
    days: tuple[RoiDay, ...]
    land_known: bool

    def counted(self, day: RoiDay) -> int:
        """The missing pixels that matter: over sea when the land mask is known."""
        return day.sea_missing if self.land_known else day.missing

    @property
    def with_missing(self) -> list[RoiDay]:
        """Observed days with a missing pixel in the region (over sea if land is known)."""
        return [d for d in self.days if d.has_data and self.counted(d)]

    @property
    def without_data(self) -> list[RoiDay]:
        """Days of the period with no data at all."""
        return [d for d in self.days if not d.has_data]

    def worst_day(self) -> date | None:
        """The observed day with the most missing pixels (as counted; the first of equals)."""
        observed = [d for d in self.days if d.has_data]
        return max(observed, key=self.counted).day if observed else None

    def region_text(self) -> str:
        """The region as ``R0:R1,C0:C1``."""
        return str(self.region)


def roi_report(
    source: str | os.PathLike[str] | Source,
    *,
    region: RegionLike,
    start: date | None = None,
    end: date | None = None,
    grid: str | None = None,
    progress: Progress | None = None,
) -> RoiReport:
    """Count missing pixels in a region for every day of a period.

    Args:
        source: A grid cube, a folder of ASI files or one file (or an opened source).
        region: A :class:`~swathkit.types.Region`, ``(rows, cols)`` slices or
            ``"R0:R1,C0:C1"``.
        start: First day; the source's first day if None.
        end: Last day (included); the source's last day if None.
        grid: Grid to use when a folder holds several.
        progress: Called as ``progress(done, total, day)`` after each block of days.

    Returns:
        One :class:`RoiDay` per day of the period, in order.

    Raises:
        InputError: a region that is not one, or outside the grid.
    """
    src = source if not isinstance(source, str | os.PathLike) else open_source(source, grid=grid)
    box = as_region(region, src.grid.shape, grid=src.grid.name)
    land_full = src.land()
    land = None if land_full is None else land_full[box.slices()]
    pixels = box.size
    sea = pixels if land is None else int((~land).sum())
    span = src.span()
    days = list(DayRange(start or span[0], end or span[1])) if span else []
    states = {d: src.state(d) for d in days}
    present = [d for d in days if states[d] == PRESENT]
    counts: dict[date, tuple[int, int]] = {}
    for block in blocks(present, pixels):
        values = np.isnan(src.read(block, box))
        missing = values.sum(axis=(1, 2))
        sea_missing = missing if land is None else (values & ~land).sum(axis=(1, 2))
        counts.update(zip(block, zip(missing.tolist(), np.asarray(sea_missing).tolist(),
                                     strict=True), strict=True))
        if progress:
            progress(len(counts), len(present), block[-1].isoformat())
    out = []
    for d in days:
        missing_d, sea_missing_d = counts.get(d, (0, 0))
        out.append(RoiDay(d, states[d], pixels, missing=missing_d, sea=sea,
                          sea_missing=sea_missing_d))
    return RoiReport(str(src.name), src.kind, src.grid, box, tuple(out), land is not None)


def roi_map(
    report: RoiReport,
    out_path: str | os.PathLike[str],
    *,
    day: date | None = None,
    source: Source | None = None,
    dpi: float = 110,
) -> Path:
    """Draw the report's region as a red box on a day's map, with the per-day chart.

    Args:
        report: From :func:`roi_report`.
        out_path: PNG to write.
        day: Day shown on the map; the day with most missing pixels if None.
        source: The opened source of the report (re-opened from ``report.source``
            if None).
        dpi: Resolution of the PNG.

    Raises:
        InputError: No observed day to draw.
    """
    from swathkit.plot.seaice import plot_roi

    src = source or open_source(report.source, grid=report.grid.name)
    shown = day or report.worst_day()
    if shown is None:
        raise InputError(f"no observed day in the period to draw the region on "
                         f"({report.source}); choose another period")
    data = src.day(shown)
    if report.land_known:
        missing = [(d.day, d.sea_percent if d.sea else d.percent) for d in report.days]
        label = "missing sea pixels in region (%)"
    else:
        missing = [(d.day, d.percent) for d in report.days]
        label = "missing pixels in region (%)"
    return plot_roi(data, out_path, region=report.region, day=shown, missing=missing,
                    missing_label=label, dpi=dpi)

