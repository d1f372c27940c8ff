"""Consolidate a folder of daily SMAP L3 files into a grid cube on their EASE-Grid 2.0 grid.

SPL3SMP goes onto ``ease2-m36`` (406 × 964), SPL3SMP_E onto ``ease2-m09``; the north
polar groups of SPL3SMP_E (``…_Polar_AM``/``_PM`` on ``ease2-n09``) go into a cube of
their own with ``polar=True`` (``--polar``), never into the global one. Each chosen
layer becomes two day variables, ``<layer>_am`` and ``<layer>_pm``
(:mod:`swathkit.jobs.smap.l3_layers`), read through :func:`swathkit.smap.open`.

Of several releases of one day the highest ``(CRID, counter)`` is kept and the others
are reported (:mod:`swathkit.jobs.smap.l3_files`). Re-running does only what is left:
a day stored from the same file (name, size, mtime) is skipped without reading it, a
new release replaces its day, days of the range with no file are reported as absent.
One time chunk of days is held at a time; the cube's bytes do not depend on the order
the files are listed in.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from swathkit.errors import FileNameError, FormatError, InputError, StoreError
from swathkit.jobs.day_upserts import upsert_files
from swathkit.jobs.report import JobReport, days_text
from swathkit.jobs.smap.l3_files import DayFile, l3_files
from swathkit.jobs.smap.l3_layers import (
    OVERPASSES,
    cube_variables,
    day_fields,
    parse_layers,
    variable_name,
)
from swathkit.products.grids import grid as registered_grid
from swathkit.products.smap.table import SmapGroup, SmapProduct
from swathkit.stores.cube_schema import PRESENT, CubeVariable
from swathkit.stores.grid_cube import GridCube, StoreLike
from swathkit.stores.grid_cube_writer import cube_writer
from swathkit.types import DayRange, Failure, FailureKind, Progress, failure_kind

log = logging.getLogger(__name__)

__all__ = ["SmapConsolidateDays", "SmapConsolidateReport", "consolidate"]

_READ_ERRORS = (FormatError, FileNameError, InputError, ValueError, OSError)


@dataclass
class SmapConsolidateDays:
    """The job's own details: grid, variables, the days by outcome, the releases kept."""

    product: str = ""
    grid: str = ""
    variables: tuple[str, ...] = ()
    added: list[date] = field(default_factory=list)
    replaced: list[date] = field(default_factory=list)
    unchanged: list[date] = field(default_factory=list)
    skipped: list[date] = field(default_factory=list)  # same file as stored: not read
    absent: list[date] = field(default_factory=list)
    superseded: list[DayFile] = field(default_factory=list)  # days with older releases too
    note: str = ""


SmapConsolidateReport = JobReport[SmapConsolidateDays]
"""The report of :func:`consolidate`; ``failures`` are the files that could not be read."""


def consolidate(source_dir: str | os.PathLike[str], cube: StoreLike, *,
                layers: tuple[str, ...] | str | None = None, product: str | None = None,
                polar: bool = False, start: date | None = None, end: date | None = None,
                storage_options: dict[str, Any] | None = None,
                progress: Progress | None = None) -> SmapConsolidateReport:
    """Upsert the daily L3 files of a folder into a grid cube, AM and PM apart.

    Args:
        source_dir: Folder of ``SMAP_L3_SM_P[_E]_<YYYYMMDD>_<CRID>_<NNN>.h5`` files
            (sub-folders too; hidden files and ``.part`` downloads not).
        cube: Cube path or fsspec URL (created if absent).
        layers: Layers to keep (names or ``"a,b"``; default ``soil_moisture,
            retrieval_qual_flag``); each gives ``<layer>_am`` and ``<layer>_pm``.
        product: ``SPL3SMP`` or ``SPL3SMP_E`` (inferred from the files if None).
        polar: Take SPL3SMP_E's north polar groups (``ease2-n09``) instead of the
            global ones: a separate cube.
        start: First day (default: the first file's).
        end: Last day (default: the last file's).
        storage_options: fsspec options for a remote cube.
        progress: Called as ``progress(done, total, file_name)``.

    Raises:
        InputError: no such folder, no L3 file, files of both products and none chosen,
            ``polar`` on SPL3SMP, a layer the files lack, another set of layers than
            the cube holds, ``end`` before ``start``.
        StoreError: the cube is on another grid, or a day lies before its origin.
        StoreLockedError: another writer holds the cube.
    """
    t0 = time.perf_counter()
    source = Path(source_dir)
    if not source.is_dir():
        raise InputError(f"{source}: no such folder; give the folder `swathkit smap download "
                         "--out` wrote")
    chosen_layers = parse_layers(layers) if isinstance(layers, str | None) else tuple(layers)
    found = l3_files(source, product)
    groups = _groups(found.product, polar)
    target = registered_grid(groups["am"].grid)
    failures = list(found.rejected)
    if not found.days and (start is None or end is None):
        raise InputError(f"{source}: no {found.product.short_name} files to consolidate; "
                         "give start and end to record a range with none")
    days = DayRange(start or min(found.days), end or max(found.days))
    files = {d: f.path for d, f in sorted(found.days.items()) if d in days}
    report = SmapConsolidateDays(found.product.short_name, target.name, superseded=[
        f for d, f in sorted(found.days.items()) if f.passed_over and d in days])
    if found.product.short_name == "SPL3SMP_E" and not polar:
        report.note = "north polar groups (ease2-n09) not taken: --polar puts them in a cube"
    prefix = _prefix(groups["am"])
    variables = _declare(cube, storage_options, files, chosen_layers, groups, prefix, failures)
    report.variables = tuple(variable_name(la, o) for la in chosen_layers for o in OVERPASSES)
    if variables is not None or _exists(cube, storage_options):
        product_id = found.product.product_id + ("-polar" if polar else "")
        with cube_writer(cube, grid=target, storage_options=storage_options,
                         variables=variables, product=product_id) as writer:
            writer.prepare(days.start)
            read = partial(_read_day, layers=chosen_layers, group=prefix, failures=failures)
            upsert_files(writer, files, read, report, progress)
            states = writer.index.days if writer.index else {}
    else:  # not one readable file and no cube: nothing to create
        states = {}
    report.absent = [d for d in days if d not in files and (
        d not in states or states[d].state != PRESENT)]
    return _report(str(cube), report, failures, time.perf_counter() - t0)


def _groups(product: SmapProduct, polar: bool) -> dict[str, SmapGroup]:
    """The AM and PM groups taken: the global pair, or SPL3SMP_E's polar pair."""
    pairs = [g for g in product.groups if g.overpass and ("_Polar" in g.name) == polar]
    if not pairs:
        raise InputError(f"{product.short_name} has no polar groups; --polar is for "
                         "SPL3SMP_E (its ease2-n09 groups)")
    return {g.overpass: g for g in pairs}


def _prefix(g: SmapGroup) -> str:
    return g.name.removesuffix("_AM")


def _exists(cube: StoreLike, storage_options: dict[str, Any] | None) -> bool:
    try:
        GridCube.open(cube, storage_options)
    except StoreError:
        return False
    return True


def _declare(cube: StoreLike, storage_options: dict[str, Any] | None, files: dict[date, Path],
             layers: tuple[str, ...], groups: dict[str, SmapGroup], prefix: str,
             failures: list[Failure]) -> list[CubeVariable] | None:
    """The day variables of a new cube, from its first readable file (None: the cube
    exists, after checking it holds these layers; or no file opens)."""
    wanted = tuple(variable_name(la, o) for la in layers for o in OVERPASSES)
    try:
        held = GridCube.open(cube, storage_options).variables
    except StoreError:
        held = None
    if held is not None:
        if held != wanted:
            raise InputError(f"{cube} holds {', '.join(held)}; these layers give "
                             f"{', '.join(wanted)}. Give --layers to match, or another --cube")
        return None
    from swathkit.products.smap.reader import open_smap  # h5py/dask: only when reading

    for path in files.values():
        try:
            with open_smap(path, group=prefix) as ds:
                return cube_variables(ds, layers, groups, path)  # InputError: a bad layer
        except (FormatError, FileNameError, OSError) as exc:
            log.debug("%s cannot declare the cube (%s); trying the next file", path, exc)
    return None


def _read_day(path: Path, *, layers: tuple[str, ...], group: str,
              failures: list[Failure]) -> dict[str, np.ndarray] | None:
    """One day's fields, or None with the failure recorded (named file, one line)."""
    from swathkit.products.smap.names import parse_smap_name
    from swathkit.products.smap.reader import open_smap

    try:
        day = parse_smap_name(path).day
        with open_smap(path, group=group) as ds:
            said = str(ds.attrs.get("start_time", ""))[:10]
            if day is not None and said and said != day.isoformat():
                raise FormatError(f"{path}: its name says {day}, its metadata "
                                  f"(rangeBeginningDateTime) says {said}")
            return day_fields(ds, layers, path)
    except _READ_ERRORS as exc:
        reason = str(exc) if str(path) in str(exc) or path.name in str(exc) else (
            f"{path}: {exc}")
        reason = reason.splitlines()[0]
        log.warning("failed: %s", reason)
        failures.append(Failure(failure_kind(exc, default=FailureKind.BAD_PRODUCT), str(path),
                                reason))
        return None


def _report(cube: str, days: SmapConsolidateDays, failures: list[Failure],
            seconds: float) -> SmapConsolidateReport:
    counts = {"added": len(days.added), "replaced": len(days.replaced),
              "unchanged": len(days.unchanged) + len(days.skipped),
              "superseded": sum(len(f.passed_over) for f in days.superseded),
              "absent": len(days.absent), "failed": len(failures)}
    kept = "; ".join(f"{f.day}: {f.path.name} over "
                     f"{', '.join(p.name for p in f.passed_over)}" for f in days.superseded[:3])
    notes = {"replaced": "newer release or changed file", "absent": days_text(days.absent),
             "superseded": kept + (" …" if len(days.superseded) > 3 else "")}
    return JobReport(job="smap consolidate", target=cube, unit="days", counts=counts,
                     notes=notes, failures=tuple(failures), seconds=seconds, extras=days)
