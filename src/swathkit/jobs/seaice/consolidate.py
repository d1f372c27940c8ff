"""Consolidate a directory of Bremen ASI daily files into a grid cube, resumably.

Re-running does only what is left: a day already in the cube from a file of the
same size and mtime is skipped without reading it; a file that changed is read and
its day replaced only if its values differ. Days missing inside the range are
recorded as not published when the download ledger of the directory says the
archive answered 404, and reported as absent otherwise.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, cast

import numpy as np

from swathkit.errors import FileNameError, FormatError, InputError, StoreError
from swathkit.jobs.day_upserts import upsert_files
from swathkit.jobs.report import JobReport, days_text
from swathkit.products.asi.grids import asi_grid, asi_grid_name
from swathkit.products.asi.names import AsiName, parse_asi_name
from swathkit.products.grids import Grid
from swathkit.products.registry import find_products
from swathkit.stores.cube_schema import NOT_PUBLISHED, PRESENT
from swathkit.stores.grid_cube import GridCube, StoreLike
from swathkit.stores.grid_cube_writer import cube_writer
from swathkit.types import DayRange, Failure, FailureKind, Progress, failure_kind

log = logging.getLogger(__name__)


@dataclass
class ConsolidateDays:
    """Consolidate's own details: the days by what happened to them."""

    grid: str = ""
    added: list[date] = field(default_factory=list)
    replaced: list[date] = field(default_factory=list)
    unchanged: list[date] = field(default_factory=list)
    skipped: list[date] = field(default_factory=list)  # same file as stored: not read
    not_published: list[date] = field(default_factory=list)
    absent: list[date] = field(default_factory=list)

    @property
    def stored(self) -> int:
        return len(self.added) + len(self.replaced) + len(self.unchanged) + len(self.skipped)


ConsolidateReport = JobReport[ConsolidateDays]
"""The report of :func:`consolidate`; ``failures`` are files that could not be read."""


def _asi_files(source_dir: Path, grid: str | None) -> tuple[dict[str, dict[date, Path]],
                                                             tuple[tuple[Path, str], ...]]:
    """ASI files under a directory (the registry's finder) by grid and day, and the files
    named like ASI files that are not (a bad name, other bytes) with the reason."""
    scan = find_products(source_dir, "asi-amsr2")
    found: dict[str, dict[date, Path]] = {}
    for file in scan.files:
        name = cast(AsiName, file.name)
        if grid is None or name.grid == grid:
            found.setdefault(name.grid, {})[name.day] = file.path
    return found, scan.rejected


def _of_grid(path: Path, short: str) -> bool:
    """Whether a rejected file names a day of grid ``short`` (or no grid one can tell)."""
    try:
        return parse_asi_name(path).grid == short
    except FileNameError:
        return True


def _choose_grid(found: dict[str, dict[date, Path]], grid: str | None,
                 cube_grid: Grid | None, source_dir: Path) -> Grid:
    if grid is not None:
        return asi_grid(grid)
    if cube_grid is not None:
        return cube_grid
    if len(found) > 1:
        raise InputError(f"{source_dir} holds files of several grids "
                         f"({', '.join(sorted(found))}); choose one with grid= (--grid)")
    if not found:
        raise InputError(f"{source_dir}: no ASI files (asi-AMSR2-*.nc) and no grid given; "
                         "download some with `swathkit seaice download` first")
    return asi_grid(next(iter(found)))


def _existing_grid(cube: StoreLike, storage_options: dict[str, Any] | None) -> Grid | None:
    try:
        return GridCube.open(cube, storage_options).grid
    except StoreError:
        return None


def consolidate(source_dir: str | os.PathLike[str], cube: StoreLike, *,
                grid: str | None = None, start: date | None = None, end: date | None = None,
                storage_options: dict[str, Any] | None = None,
                progress: Progress | None = None) -> ConsolidateReport:
    """Upsert the ASI daily files of a directory into a grid cube.

    Args:
        source_dir: Directory holding ``asi-AMSR2-<grid>-YYYYMMDD-v5.4.nc`` files (found by
            :func:`swathkit.products.registry.find_products`: sub-folders too, hidden files
            and ``.part`` downloads not) and possibly the download ledger
            ``.seaice-download.ledger.sqlite``.
        cube: Cube path or fsspec URL (created if absent).
        grid: The grid to take; inferred from the file names (or the cube) if None.
        start: First day (default: the first file's or ledger's day).
        end: Last day (default: the last one).
        storage_options: fsspec options for a remote cube.
        progress: Called as ``progress(done, total, file_name)``.

    Returns:
        The report; ``failures`` lists files that could not be read, with the reason.

    Raises:
        InputError: no such folder, several grids and none chosen, nothing to consolidate,
            ``end`` before ``start``.
        StoreError: the cube holds another grid, or a day lies before its origin.
        StoreLockedError: another writer holds the cube.
    """
    t0 = time.perf_counter()
    source = Path(source_dir)
    if not source.is_dir():
        raise InputError(f"{source}: no such folder; give the folder `swathkit seaice "
                         "download --out` wrote")
    short = asi_grid_name(grid) if grid is not None else None
    found, rejected = _asi_files(source, short)
    chosen = _choose_grid(found, short, _existing_grid(cube, storage_options), source)
    name = asi_grid_name(chosen)
    failures = [Failure(FailureKind.BAD_PRODUCT, str(path), why) for path, why in rejected
                if _of_grid(path, name)]
    files = found.get(name, {})
    if not files and (start is None or end is None):
        raise InputError(f"{source}: no {name} files to consolidate; give start and "
                         "end to record a range with none")
    days = DayRange(start or min(files), end or max(files))
    files = {d: p for d, p in files.items() if d in days}
    report = ConsolidateDays(name)
    with cube_writer(cube, grid=chosen, storage_options=storage_options) as writer:
        writer.prepare(days.start)
        upsert_files(writer, files, partial(_read_day, failures=failures), report, progress)
        missing = [d for d in days if d not in files]
        writer.mark_not_published(_ledger_not_published(source, chosen, missing))
        states = writer.index.days if writer.index else {}
        for day in missing:
            rec = states.get(day)
            if rec is not None and rec.state == NOT_PUBLISHED:
                report.not_published.append(day)
            elif rec is None or rec.state != PRESENT:
                report.absent.append(day)
    return _report(str(cube), report, failures, time.perf_counter() - t0)


def _report(cube: str, days: ConsolidateDays, failures: list[Failure],
            seconds: float) -> ConsolidateReport:
    counts = {"added": len(days.added), "replaced": len(days.replaced),
              "unchanged": len(days.unchanged) + len(days.skipped),
              "not_published": len(days.not_published), "absent": len(days.absent),
              "failed": len(failures)}
    notes = {"replaced": "file changed", "not_published": days_text(days.not_published),
             "absent": days_text(days.absent)}
    return JobReport(job="seaice consolidate", target=cube, unit="days", counts=counts,
                     notes=notes, failures=tuple(failures), seconds=seconds, extras=days)


def _read_day(path: Path, *, failures: list[Failure]) -> np.ndarray | None:
    from swathkit.products.asi.reader import open_asi  # h5py/dask: only when reading

    try:
        with open_asi(path) as ds:
            return np.asarray(ds["sic"].values[0], dtype=np.float32)
    except (FormatError, FileNameError, ValueError, OSError) as exc:
        reason = str(exc) if str(path) in str(exc) or path.name in str(exc) else (
            f"{path}: {exc}")
        log.warning("failed: %s", reason)
        failures.append(Failure(failure_kind(exc, default=FailureKind.BAD_PRODUCT), str(path),
                                reason))
        return None


def _ledger_not_published(source: Path, grid: Grid, days: list[date]) -> list[date]:
    """Those of ``days`` the download ledger of ``source`` recorded as not published (404)."""
    from swathkit.jobs.seaice.download import day_states

    states = day_states(source, asi_grid_name(grid)) if days else {}
    return [d for d in days if states.get(d) == NOT_PUBLISHED]


__all__ = ["ConsolidateDays", "ConsolidateReport", "consolidate"]
