"""Ingest local product files into a swath store: parallel extraction, one ordered writer."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from swathkit.errors import InputError
from swathkit.jobs._fetch import check_workers
from swathkit.jobs.cluster import Executor, check_scheduler, open_executor
from swathkit.jobs.report import JobReport
from swathkit.jobs.swaths.extract import Extraction, extract
from swathkit.stores.location import StoreLocation
from swathkit.stores.records import BATCH_BYTES, SwathRecord
from swathkit.stores.schema import DEFAULT_SCAN_LENGTH, Layout
from swathkit.stores.swath_store import swath_writer
from swathkit.types import Failure, Progress

log = logging.getLogger(__name__)

DEFAULT_BATCH = 16


@dataclass
class IngestExtras:
    """Ingest's own details: the granules by what the store did with them, and timings."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    seconds_decode: float = 0.0
    seconds_extract: float = 0.0


IngestReport = JobReport[IngestExtras]
"""The report of :func:`ingest`; ``failures`` are the files that failed (item: the path)."""


def _extractions(paths: list[Path], layout: Layout, geolocation: str,
                 executor: Executor, repair_times: bool = False) -> Iterator[Extraction]:
    """Extract in file order with at most ``2 × workers`` files in flight (bounded memory)."""
    items = ((path, layout, geolocation, repair_times) for path in paths)
    yield from executor.ordered(extract, items)


def _input_files(files: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The files in name order; a missing one is the user's mistake, found before any work."""
    paths = sorted((Path(f) for f in files), key=lambda p: (p.name, str(p)))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise InputError(f"{missing[0]}: no such file{more}; check the path")
    return paths


def ingest(files: Iterable[str | os.PathLike[str]], store: str | StoreLocation, *,
           channels: str | list[str] | tuple[str, ...] = "36.5H", coords: bool = False,
           geolocation: str = "auto", workers: int = 2, batch_size: int = DEFAULT_BATCH,
           scan_length: int = DEFAULT_SCAN_LENGTH, storage_options: dict[str, Any] | None = None,
           repair_scan_times: bool = False, scheduler: str | None = None,
           progress: Progress | None = None) -> IngestReport:
    """Ingest AMSR2 L1B files into a swath store.

    Files are taken in name order and committed in batches, each batch's new
    granules in start-time order, so the store's bytes do not depend on
    ``workers`` or ``scheduler``. A bad file is reported in ``failures`` with its reason; the
    others are stored.

    Args:
        files: Product files.
        store: Store path or fsspec URL (created if absent).
        channels: Channels to keep, e.g. ``"36.5H,89.0AH"``.
        coords: Keep lat/lon per band.
        geolocation: ``auto``, ``coregister`` or ``subsample``.
        workers: Extraction processes (without ``scheduler``).
        batch_size: Granules per atomic commit.
        scan_length: Padded scan axis of a new store.
        storage_options: fsspec options for a remote store.
        repair_scan_times: Replace scan times off the line of their neighbours (they are
            flagged per scan in ``scan_time_flag`` either way).
        scheduler: Extract on dask.distributed: ``local:N`` or ``tcp://host:port`` (its
            workers must see ``files``); the store is written here, in the same order.
        progress: Called as ``progress(done, total, granule_or_file)``.

    Raises:
        InputError: a file that does not exist, an unknown channel, fewer than one worker,
            a malformed or unreachable scheduler.
    """
    t0 = time.perf_counter()
    check_workers(workers)
    check_scheduler(scheduler)
    if batch_size < 1:
        raise InputError(f"batch_size must be at least 1, not {batch_size}")
    paths = _input_files(files)
    layout = Layout.of(channels, coords=coords, scan_length=scan_length)
    extras = IngestExtras()
    failures: list[Failure] = []
    with open_executor(scheduler, workers=workers) as executor, \
            swath_writer(store, layout, storage_options) as writer:
        batch: list[SwathRecord] = []

        def flush() -> None:
            summary = writer.write(batch)
            extras.added.extend(summary.added)
            extras.replaced.extend(summary.replaced)
            extras.unchanged.extend(summary.unchanged)
            batch.clear()

        for done, result in enumerate(_extractions(paths, layout, geolocation, executor,
                                                   repair_scan_times), 1):
            extras.seconds_decode += result.seconds_decode
            extras.seconds_extract += result.seconds_total
            if result.failure is not None:
                log.warning("failed: %s", result.failure.reason)
                failures.append(result.failure)
            elif result.record is not None:
                batch.append(result.record)
                if len(batch) >= batch_size or sum(r.nbytes for r in batch) >= BATCH_BYTES:
                    flush()
            if progress:
                progress(done, len(paths), Path(result.path).name)
        if batch:
            flush()
    target = store.url if isinstance(store, StoreLocation) else str(store)
    return _report(target, paths, extras, failures, time.perf_counter() - t0)


def _report(store: str, paths: list[Path], extras: IngestExtras, failures: list[Failure],
            seconds: float) -> IngestReport:
    counts = {"files": len(paths), "added": len(extras.added),
              "replaced": len(extras.replaced), "unchanged": len(extras.unchanged),
              "failed": len(failures)}
    return JobReport(job="ingest", target=store, unit="files", counts=counts,
                     notes={"replaced": "content changed"}, failures=tuple(failures),
                     bytes=sum(p.stat().st_size for p in paths), seconds=seconds,
                     extras=extras)
