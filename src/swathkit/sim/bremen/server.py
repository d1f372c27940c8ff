"""A simulated University of Bremen sea-ice archive on 127.0.0.1: ASI daily grids over HTTPS.

::

    with SimulatedBremen(faults="flaky", seed=1) as archive:
        archive.base_url    # https://127.0.0.1:PORT/
        archive.ca_file     # the PEM of the CA to trust (made at start-up)
        archive.stats()     # requests, connections, files generated, bytes sent, faults…

    bremen_sessions(archive.base_url, ca_bundle=archive.ca_file)  # a client for it

The URL tree is the real one,
``/amsr2/asi_daygrid_swath/{n3125,n6250,s3125,s6250}/netcdf/YYYY/asi-AMSR2-<grid>-YYYYMMDD-v5.4.nc``,
served over HTTPS with a certificate for ``127.0.0.1`` and ``localhost`` (plain
HTTP with ``tls=False``), with Apache-style HTML listings at every level (a directory without its
trailing slash is redirected, as Apache does). Files answer ``HEAD`` and
``GET``, with ``Range: bytes=N-`` (206) for resume and a ``Content-Length``
always. Days before the record (2012-07-02), after ``last_day`` and in
``missing_days`` answer 404. A file is generated on its first request by
:func:`swathkit.sim.bremen.asi.write_asi_day` (deterministic bytes for a seed), once
even when several connections ask together, and renamed into the cache
directory whole. A year's listing gives the exact size of the files generated
so far and ``-`` for the others (sizing a file means generating it).

A :class:`~swathkit.sim.faults.FaultPlan` adds 503/429 answers with
``Retry-After`` and slow answers (any request), connections dropped mid-file,
truncated answers (a 200/206 whose ``Content-Length`` stops early), files
served with flipped bytes (transiently or for good), and a cap on concurrent
connections: a connection beyond ``max_sessions`` gets a 503 and is closed.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType

from swathkit.sim.bremen.http import BremenServer
from swathkit.sim.faults import FaultPlan, fault_plan

log = logging.getLogger(__name__)

ROOT = ("amsr2", "asi_daygrid_swath")
GRIDS = ("n3125", "n6250", "s3125", "s6250")
RECORD_START = date(2012, 7, 2)

Writer = Callable[..., Path]
"""``writer(directory, grid, day, *, seed=...) -> Path`` (as ``sim.asi.write_asi_day``)."""


@dataclass(frozen=True)
class Entry:
    """One line of a directory listing."""

    name: str  # with a trailing "/" for a directory
    modified: datetime
    size: int | None  # bytes; None for directories and files not generated yet


@dataclass(frozen=True)
class BremenStats:
    """What the simulated archive has done so far (a snapshot)."""

    requests_served: int  # every request, faults and 404s included
    not_found: int  # 404 answers
    connections_opened: int
    max_concurrent_connections: int
    files_generated: int
    bytes_sent: int  # file bytes sent in GET answers
    faults: dict[str, int]  # injected, by kind: http_503, http_429, slow, drop, truncate, …


def file_name(grid: str, day: date) -> str:
    """``asi-AMSR2-<grid>-YYYYMMDD-v5.4.nc``."""
    return f"asi-AMSR2-{grid}-{day:%Y%m%d}-v5.4.nc"


def published_at(day: date) -> datetime:
    """When the simulated archive published a day: the next morning, 05:12 UTC."""
    return datetime(day.year, day.month, day.day, 5, 12, tzinfo=UTC) + timedelta(days=1)


class AsiFiles:
    """The archive's tree: which days exist, their files (generated once) and the listings.

    Args:
        directory: Cache root; files go to ``directory/seed<S>/<grid>/``.
        seed: Seed of the synthetic files.
        missing_days: Days that answer 404 although inside the record.
        last_day: The last published day; ``None``: today (UTC).
        writer: Writes one day's file; :func:`swathkit.sim.bremen.asi.write_asi_day` by default.
    """

    def __init__(self, directory: Path, *, seed: int, missing_days: Collection[date],
                 last_day: date | None, writer: Writer | None = None) -> None:
        self.directory = Path(directory) / f"seed{seed}"
        self.seed = seed
        self.missing_days = frozenset(missing_days)
        self._last_day = last_day
        self._writer = writer
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self._generate = threading.Lock()  # one file at a time: the NetCDF library is not
        self.generated = 0  # known to be thread-safe, and generation is CPU-bound anyway

    @property
    def last_day(self) -> date:
        return self._last_day or datetime.now(UTC).date()

    def published(self, day: date) -> bool:
        """Whether the archive has a file for ``day``."""
        return RECORD_START <= day <= self.last_day and day not in self.missing_days

    def modified(self, day: date) -> datetime:
        """The ``Last-Modified`` time of a day's file."""
        return published_at(day)

    def resolve(self, parts: tuple[str, ...]) -> tuple[str, date] | None:
        """``(grid, day)`` if ``parts`` is the path of a day's file (published or not)."""
        if len(parts) != 6 or parts[:2] != ROOT or parts[2] not in GRIDS or parts[3] != "netcdf":
            return None
        return self._day_of(parts[2], parts[4], parts[5])

    def local(self, grid: str, day: date) -> Path:
        """The cached file of ``(grid, day)``, generated first if needed (once across threads)."""
        target = self.directory / grid / file_name(grid, day)
        with self._lock:
            lock = self._locks.setdefault(target.name, threading.Lock())
        with lock:
            if not target.exists():
                self._write(grid, day, target)
        return target

    def listing(self, parts: tuple[str, ...]) -> list[Entry] | None:
        """The entries of a directory, or ``None`` if ``parts`` is not a directory."""
        depth = len(parts)
        epoch = published_at(RECORD_START)
        if depth <= len(ROOT):
            if parts != ROOT[:depth]:
                return None
            names = [ROOT[depth]] if depth < len(ROOT) else list(GRIDS)
            return [Entry(f"{n}/", epoch, None) for n in names]
        if parts[:2] != ROOT or parts[2] not in GRIDS:
            return None
        if depth == 3:
            return [Entry("netcdf/", epoch, None)]
        if parts[3] != "netcdf" or depth > 5:
            return None
        years = range(RECORD_START.year, self.last_day.year + 1)
        if depth == 4:
            return [Entry(f"{y}/", published_at(date(y, 1, 1)), None) for y in years]
        if not parts[4].isdigit() or int(parts[4]) not in years:
            return None
        return self._year(parts[2], int(parts[4]))

    def _day_of(self, grid: str, year: str, name: str) -> tuple[str, date] | None:
        prefix, suffix = f"asi-AMSR2-{grid}-", "-v5.4.nc"
        stamp = name[len(prefix):-len(suffix)]
        if not (name.startswith(prefix) and name.endswith(suffix) and stamp.isdigit()
                and len(stamp) == 8 and stamp[:4] == year):
            return None
        try:
            return grid, datetime.strptime(stamp, "%Y%m%d").date()
        except ValueError:
            return None

    def _year(self, grid: str, year: int) -> list[Entry]:
        day = max(date(year, 1, 1), RECORD_START)
        last = min(date(year, 12, 31), self.last_day)
        entries = []
        while day <= last:
            if self.published(day):
                cached = self.directory / grid / file_name(grid, day)
                size = cached.stat().st_size if cached.exists() else None
                entries.append(Entry(file_name(grid, day), published_at(day), size))
            day += timedelta(days=1)
        return entries

    def _write(self, grid: str, day: date, target: Path) -> None:
        writer = self._writer or _default_writer()
        target.parent.mkdir(parents=True, exist_ok=True)
        with self._generate, tempfile.TemporaryDirectory(dir=target.parent,
                                                         prefix=".writing-") as tmp:
            written = Path(writer(Path(tmp), grid, day, seed=self.seed))
            written.replace(target)  # whole or not at all, even if this process dies
        with self._lock:
            self.generated += 1
        log.debug("generated %s", target.name)


def _default_writer() -> Writer:
    from swathkit.sim.bremen.asi import write_asi_day

    return write_asi_day


class SimulatedBremen:
    """The simulated Bremen archive on a loopback port, as a context manager.

    Args:
        faults: A preset name (``"none"``, ``"flaky"``, ``"hostile"``) or a
            :class:`~swathkit.sim.faults.FaultPlan`.
        seed: Seeds the files' bytes, and the faults of a preset (a plan keeps its own seed).
        missing_days: Days missing upstream (404); by default
            :data:`swathkit.sim.bremen.asi.missing_upstream_default` (2013-05-11..13).
        last_day: Last published day (404 after it); today (UTC) by default.
        cache_dir: Where generated files are kept (reused across servers with the same
            seed); a temporary directory, removed on close, by default.
        bandwidth: Bytes per second sent on each connection; ``None``: as fast as possible.
        latency: Round-trip seconds added to every exchange, as if far away (0: loopback).
        writer: Writes one day's file (for tests); ``write_asi_day`` by default.
        tls: Serve HTTPS with a CA made at start-up (:attr:`ca_file`); plain HTTP if False.

    Raises:
        ValueError: a negative seed, latency or bandwidth, an unknown preset.
    """

    def __init__(self, *, faults: str | FaultPlan = "none", seed: int = 0,
                 missing_days: Collection[date] | None = None, last_day: date | None = None,
                 cache_dir: str | os.PathLike[str] | None = None,
                 bandwidth: float | None = None, writer: Writer | None = None,
                 tls: bool = True, latency: float = 0.0) -> None:
        if seed < 0:
            raise ValueError(f"seed must be non-negative, got {seed}")
        if bandwidth is not None and bandwidth <= 0:
            raise ValueError(f"bandwidth must be positive, got {bandwidth}")
        if missing_days is None:
            from swathkit.sim.bremen.asi import missing_upstream_default
            missing_days = missing_upstream_default
        self.fault_plan = fault_plan(faults, seed=seed) if isinstance(faults, str) else faults
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if cache_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="swathkit-bremen-")
            cache_dir = self._tmp.name
        self.files = AsiFiles(Path(cache_dir), seed=seed, missing_days=missing_days,
                              last_day=last_day, writer=writer)
        self._server = BremenServer(self.files, self.fault_plan, tls=tls, bandwidth=bandwidth,
                                    latency=latency)
        self._closed = False

    def __repr__(self) -> str:
        return f"SimulatedBremen(base_url={self.base_url!r}, faults={self.fault_plan})"

    @property
    def base_url(self) -> str:
        """``https://127.0.0.1:PORT/`` (``http://`` without TLS)."""
        return self._server.base_url

    @property
    def ca_file(self) -> Path | None:
        """PEM file of the CA to trust for :attr:`base_url` (None without TLS)."""
        return self._server.ca_file

    @property
    def cache_dir(self) -> Path:
        """The directory holding the generated files."""
        return self.files.directory

    def start(self) -> SimulatedBremen:
        """Start serving (done by ``with``); returns self."""
        if not self._closed:
            self._server.start()
            log.info("simulated Bremen archive at %s, faults %s", self.base_url, self.fault_plan)
        return self

    def close(self) -> None:
        """Stop the server, close open connections, remove the temporary cache and CA."""
        if self._closed:
            return
        self._closed = True
        self._server.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    def stats(self) -> BremenStats:
        """A snapshot of the counters."""
        s = self._server
        return BremenStats(requests_served=s.counts.get("requests"),
                           not_found=s.counts.get("not_found"),
                           connections_opened=s.connections.opened,
                           max_concurrent_connections=s.connections.max_concurrent,
                           files_generated=self.files.generated,
                           bytes_sent=s.counts.get("bytes_sent"),
                           faults=s.faults.snapshot())

    def __enter__(self) -> SimulatedBremen:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def serve_forever(*, on_ready: Callable[[str, Path | None], None],
                  stop: threading.Event | None = None, **options: object) -> BremenStats:
    """Run a :class:`SimulatedBremen` until ``stop`` is set (or the process is interrupted).

    Args:
        on_ready: Called once with the base URL and the CA file when the server listens.
        stop: Set it to stop; without one, runs until KeyboardInterrupt.
        options: As for :class:`SimulatedBremen`.

    Returns:
        The final counters.
    """
    stop = stop or threading.Event()
    with SimulatedBremen(**options) as archive:  # type: ignore[arg-type]
        on_ready(archive.base_url, archive.ca_file)
        while not stop.wait(0.5):  # short waits keep Ctrl-C responsive
            pass
        return archive.stats()

