"""The ``convert`` job: every raster of the inputs written as GeoTIFF / COG, resumably.

Each input gives its items (:func:`swathkit.jobs.raster_sources.items_of`); each item
is one output file. An output already there is complete (files are written under a
temporary name and renamed into place) and is skipped unless ``overwrite``. An item
that fails is recorded with its reason and the run goes on; with a single item its
error is the command's error (an :class:`~swathkit.errors.InputError` is exit 2).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from swathkit.errors import InputError, ProductError, StoreError
from swathkit.jobs.raster_sources import Options, RasterItem, items_of
from swathkit.jobs.report import JobReport
from swathkit.stores.raster import write_raster
from swathkit.types import Failure

__all__ = ["ConvertExtras", "Written", "convert"]

Progress = Callable[[int, int, str], None]
_ITEM_ERRORS = (InputError, ProductError, StoreError, OSError)


@dataclass(frozen=True)
class Written:
    """One output: the item, its file, grid, EPSG code and band count (0: skipped)."""

    item: str
    output: str
    grid: str
    epsg: int
    bands: int


@dataclass(frozen=True)
class ConvertExtras:
    """The outputs written (and those skipped, already there), in input order."""

    written: tuple[Written, ...] = ()
    skipped: tuple[str, ...] = ()


def convert(sources: Sequence[str], opts: Options, *, out: str | None = None,
            cog: bool = True, overwrite: bool = False,
            progress: Progress | None = None) -> JobReport[ConvertExtras]:
    """Write the rasters of ``sources`` beside them, or into ``out`` (file or folder).

    Raises:
        InputError: with one input giving one item, whatever went wrong with it.
    """
    started = time.monotonic()
    failures: list[Failure] = []
    planned: list[tuple[str, RasterItem]] = []
    for source in sources:
        try:
            planned += [(source, item) for item in items_of(source, opts)]
        except _ITEM_ERRORS as exc:
            if len(sources) == 1:
                raise
            failures.append(Failure.from_error(source, exc))
    if out is not None and len(planned) > 1 and not _is_folder(out):
        out += os.sep  # several outputs: --out is their folder
    written: list[Written] = []
    skipped: list[str] = []
    for done, (source, item) in enumerate(planned, start=1):
        target = _target(source, item.name, out)
        if target.exists() and not overwrite:
            skipped.append(str(target))
        else:
            try:
                raster = item.load()
                write_raster(raster, target, cog=cog)
            except _ITEM_ERRORS as exc:
                if len(planned) == 1 and not failures:
                    raise
                failures.append(Failure.from_error(item.label, exc))
            else:
                written.append(Written(item.label, str(target), raster.grid.name,
                                       raster.grid.epsg, len(raster.descriptions)))
        if progress is not None:
            progress(done, len(planned), item.label)
    counts = {"found": len(planned), "converted": len(written), "already_there": len(skipped),
              "failed": len(failures)}
    return JobReport(job="convert", target=out or "beside the inputs", unit="rasters",
                     counts=counts, failures=tuple(failures),
                     seconds=time.monotonic() - started,
                     extras=ConvertExtras(tuple(written), tuple(skipped)))


def _is_folder(out: str) -> bool:
    return Path(out).is_dir() or out.endswith(("/", os.sep))


def _target(source: str, name: str, out: str | None) -> Path:
    """Where an item goes: ``out`` (a file), ``out/name`` (a folder), or beside the input."""
    if out is None:
        return Path(source.rstrip("/")).with_name(name)
    if _is_folder(out):
        Path(out).mkdir(parents=True, exist_ok=True)
        return Path(out) / name
    return Path(out)
