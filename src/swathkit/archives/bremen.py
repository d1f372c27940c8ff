"""The University of Bremen sea-ice archive: ASI AMSR2 daily grids over HTTPS.

There is no catalogue to search: a grid and a day name the file
(:mod:`swathkit.products.asi.names`), so a date range becomes granules
directly, and a day the archive does not have answers 404, which the session
raises as ``NotPublishedError``. Files are fetched with keep-alive HTTP
sessions (:class:`~swathkit.archives.http_files.HttpFiles`), TLS verified.

::

    granules = asi_granules("n3125", date(2024, 4, 1), date(2024, 4, 30))
    tasks = fetch_tasks(granules, Path("data"))
    with TransferEngine(bremen_sessions(), workers=4) as engine:
        for outcome in engine.run(tasks): ...
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from swathkit.archives.http_files import HttpFiles
from swathkit.products.asi.grids import RECORD_START, asi_grid_name
from swathkit.products.asi.names import BREMEN_URL, asi_file_name, asi_remote_path
from swathkit.transfer.tasks import FetchTask
from swathkit.types import Granule

__all__ = ["BREMEN_URL", "PRODUCT", "asi_days", "asi_granule", "asi_granules",
           "bremen_sessions", "fetch_tasks"]

PRODUCT = "asi-amsr2"


def asi_days(start: date, end: date) -> list[date]:
    """Every day from ``start`` to ``end``, both included.

    Raises:
        ValueError: ``end`` is before ``start``, or ``start`` before the record
            (2012-07-02).
    """
    start, end = _day(start), _day(end)
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    if start < RECORD_START:
        raise ValueError(f"start {start} is before the ASI AMSR2 record, which begins on "
                         f"{RECORD_START}")
    return [start + timedelta(days=k) for k in range((end - start).days + 1)]


def asi_granule(grid: str, day: date) -> Granule:
    """The granule of one grid and day: id = the file name without ``.nc``."""
    name = asi_grid_name(grid)
    day = _day(day)
    begin = datetime.combine(day, time(0), tzinfo=UTC)
    return Granule(id=asi_file_name(name, day).removesuffix(".nc"), product=PRODUCT,
                   start=begin, end=begin + timedelta(days=1),
                   remote_path=asi_remote_path(name, day),
                   properties={"grid": name, "day": day.isoformat()})


def asi_granules(grid: str, start: date, end: date) -> list[Granule]:
    """The granules of ``grid`` for every day from ``start`` to ``end`` (both included).

    Raises:
        ValueError: an unknown grid, ``end`` before ``start``, ``start`` before the record.
    """
    asi_grid_name(grid)  # the unknown-grid message first
    return [asi_granule(grid, day) for day in asi_days(start, end)]


def fetch_tasks(granules: Iterable[Granule], directory: Path) -> list[FetchTask]:
    """Tasks fetching each granule into ``directory`` under its real file name (flat)."""
    return [FetchTask.for_granule(g, Path(directory)) for g in granules]


def bremen_sessions(base_url: str = BREMEN_URL, *, timeout: float = 60.0) -> HttpFiles:
    """A session factory for the archive at ``base_url`` (the real one by default)."""
    return HttpFiles(base_url, timeout=timeout)


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value
