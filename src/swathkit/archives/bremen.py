"""The University of Bremen sea-ice archive: ASI AMSR2 daily grids over HTTPS.

There is no catalogue to search: a grid and a day name the file
(:mod:`swathkit.products.asi.names`), so a date range becomes granules
directly, and a day the archive does not have answers 404, which the session
raises as ``NotPublishedError``. :class:`BremenCatalog` answers a
:class:`~swathkit.types.Query` that way, without the network, so Bremen is an
:class:`~swathkit.archives.base.Archive` like any other (:func:`bremen_archive`,
the ``bremen`` entry of :mod:`swathkit.archives.registry`). Files are fetched
with keep-alive HTTP sessions (:class:`~swathkit.archives.http_files.HttpFiles`),
TLS verified.

::

    granules = asi_granules("n3125", date(2024, 4, 1), date(2024, 4, 30))
    tasks = fetch_tasks(granules, Path("data"))
    with TransferEngine(bremen_sessions(), workers=4) as engine:
        for outcome in engine.run(tasks): ...
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from swathkit.archives.base import Archive
from swathkit.archives.http_files import HttpFiles
from swathkit.config import settings
from swathkit.errors import InputError
from swathkit.products.asi.grids import RECORD_START, asi_grid_name
from swathkit.products.asi.names import BREMEN_URL, asi_file_name, asi_remote_path
from swathkit.transfer.retry import RetryPolicy
from swathkit.transfer.tasks import FetchTask
from swathkit.types import DayRange, Granule, Query, as_day

__all__ = ["BREMEN_URL", "PRODUCT", "BremenCatalog", "asi_granule", "asi_granules",
           "bremen_archive", "bremen_sessions", "fetch_tasks"]

PRODUCT = "asi-amsr2"


def asi_granule(grid: str, day: date) -> Granule:
    """The granule of one grid and day: id = the file name without ``.nc``."""
    name = asi_grid_name(grid)
    day = as_day(day)
    begin = datetime.combine(day, time(0), tzinfo=UTC)
    return Granule(id=asi_file_name(name, day).removesuffix(".nc"), product=PRODUCT,
                   start=begin, end=begin + timedelta(days=1),
                   remote_path=asi_remote_path(name, day),
                   properties={"grid": name, "day": day.isoformat()})


def asi_granules(grid: str, start: date, end: date) -> list[Granule]:
    """The granules of ``grid`` for every day from ``start`` to ``end`` (both included).

    Raises:
        InputError: an unknown grid, ``end`` before ``start``, ``start`` before the record
            (2012-07-02).
    """
    asi_grid_name(grid)  # the unknown-grid message first
    days = DayRange(start, end)
    if days.start < RECORD_START:
        raise InputError(f"start {days.start} is before the ASI AMSR2 record, which begins "
                         f"on {RECORD_START}; start on or after it")
    return [asi_granule(grid, day) for day in days]


def fetch_tasks(granules: Iterable[Granule], directory: Path) -> list[FetchTask]:
    """Tasks fetching each granule into ``directory`` under its real file name (flat)."""
    return [FetchTask.for_granule(g, Path(directory)) for g in granules]


def bremen_sessions(base_url: str | None = None, *, timeout: float | None = None,
                    ca_bundle: str | os.PathLike[str] | None = None) -> HttpFiles:
    """A session factory for the archive at ``base_url`` (the real one by default).

    Args:
        base_url: The archive, a mirror, or the simulator's ``base_url``.
        timeout: Seconds to wait for a connection or the next bytes (default: settings).
        ca_bundle: PEM file of the CAs to trust (default: settings, else certifi's).

    Raises:
        InputError: the CA bundle does not exist.
    """
    return HttpFiles(base_url or settings().endpoint("bremen"), timeout=timeout,
                     ca_bundle=ca_bundle)


@dataclass(frozen=True)
class BremenCatalog:
    """The day granules of a :class:`~swathkit.types.Query`, named by their dates.

    A query asks for product ``asi-amsr2`` on its ``grid`` (else this catalogue's);
    every day whose 24 hours meet ``[start, end)`` is a granule. The grid covers a
    hemisphere and the files merge both orbit directions, so ``bbox`` and ``orbit``
    select nothing. Whether the archive has a day is only known when fetching it
    (404: ``NotPublishedError``).

    Args:
        grid: The grid of queries that name none.
    """

    grid: str | None = None

    def matched(self, query: Query) -> int:
        """How many days the query spans."""
        return len(self._granules(query))

    def pages(self, query: Query) -> Iterator[list[Granule]]:
        """All the granules as one page (there is nothing to page through)."""
        yield self._granules(query)

    def search(self, query: Query) -> Iterator[Granule]:
        """The granules day by day, oldest first."""
        yield from self._granules(query)

    def _granules(self, query: Query) -> list[Granule]:
        if query.product != PRODUCT:
            raise InputError(f"the Bremen archive has product {PRODUCT!r}, not "
                             f"{query.product!r}")
        grid = query.grid or self.grid
        if grid is None:
            raise InputError("a Bremen query needs a grid: n3125, n6250, s3125 or s6250 "
                             "(Query(grid=...) or bremen_archive(grid=...))")
        last = (query.end - timedelta(microseconds=1)).date()  # end is exclusive
        return asi_granules(grid, query.start.date(), last)


def bremen_archive(*, base_url: str | None = None, grid: str | None = None,
                   retry: RetryPolicy | None = None, name: str | None = None,
                   ca_bundle: str | os.PathLike[str] | None = None) -> Archive:
    """The University of Bremen archive at ``base_url`` (the real one by default).

    Args:
        base_url: The archive, a mirror or any Bremen-compatible server.
        grid: The grid of queries that name none.
        retry: Retry policy of the fetches (default: ``RetryPolicy()``).
        name: How reports name the archive (default: "Bremen" and the URL).
        ca_bundle: PEM file of the CAs to trust (default: settings, else certifi's).
    """
    if grid is not None:
        asi_grid_name(grid)  # an unknown grid is refused now, not at the first search
    base_url = base_url or settings().endpoint("bremen")
    return Archive(BremenCatalog(grid), bremen_sessions(base_url, ca_bundle=ca_bundle),
                   name or f"Bremen {base_url}",
                   retry or RetryPolicy())
