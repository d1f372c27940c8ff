"""Upsert daily files into a grid cube one time chunk at a time (the consolidate jobs' loop).

Shared by ``seaice consolidate`` and ``smap consolidate``: days are taken in date order,
a day already stored from the same file (name, size, mtime) is skipped without reading
it, the others are read and upserted in batches of one time chunk (one commit each), so
memory holds at most one chunk of days whatever the period, and the cube's bytes do not
depend on the order the files were listed in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Protocol

from swathkit.stores.cube_schema import PRESENT, Source
from swathkit.stores.grid_cube_writer import DayFields, GridCubeWriter
from swathkit.types import Progress

__all__ = ["DayOutcomes", "file_source", "upsert_files"]


class DayOutcomes(Protocol):
    """Where :func:`upsert_files` records what happened to each day."""

    added: list[date]
    replaced: list[date]
    unchanged: list[date]
    skipped: list[date]


def file_source(path: Path) -> Source:
    """The source record of a file: name, size and mtime (cheap change detection)."""
    st = path.stat()
    return Source(path.name, st.st_size, st.st_mtime)


def upsert_files(writer: GridCubeWriter, files: Mapping[date, Path],
                 read: Callable[[Path], DayFields | None], outcomes: DayOutcomes,
                 progress: Progress | None = None) -> None:
    """Read and upsert ``files`` (one per day) in day order, one time chunk per commit.

    Args:
        writer: The cube's writer (prepared: its index exists).
        files: The file of each day.
        read: The day's fields from a file, or None when it cannot be read (the
            callable records the failure itself).
        outcomes: Gets each day appended to ``added``, ``replaced``, ``unchanged`` or
            ``skipped`` (same file as stored: not read).
        progress: Called as ``progress(done, total, file_name)``.
    """
    batch: dict[date, DayFields] = {}
    sources: dict[date, Source] = {}
    current = None
    for done, day in enumerate(sorted(files), 1):
        path = files[day]
        src = file_source(path)
        index = writer.index
        rec = index.days.get(day) if index else None
        if rec is not None and rec.state == PRESENT and rec.source == src:
            outcomes.skipped.append(day)
        else:
            chunk = None if index is None else index.index_of(day) // index.time_chunk
            if batch and chunk != current:
                _flush(writer, batch, sources, outcomes)
            current = chunk
            values = read(path)
            if values is not None:
                batch[day], sources[day] = values, src
        if progress:
            progress(done, len(files), path.name)
    if batch:
        _flush(writer, batch, sources, outcomes)


def _flush(writer: GridCubeWriter, batch: dict[date, DayFields], sources: dict[date, Source],
           outcomes: DayOutcomes) -> None:
    summary = writer.upsert_days(batch, sources=sources)
    outcomes.added.extend(summary.added)
    outcomes.replaced.extend(summary.replaced)
    outcomes.unchanged.extend(summary.unchanged)
    batch.clear()
    sources.clear()
