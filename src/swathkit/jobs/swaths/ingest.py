"""Ingest local product files into a swath store: parallel extraction, one ordered writer."""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from swathkit.jobs.swaths.extract import Extraction, extract
from swathkit.products.registry import require_file
from swathkit.stores.location import StoreLocation
from swathkit.stores.records import BATCH_BYTES, SwathRecord
from swathkit.stores.schema import DEFAULT_SCAN_LENGTH, Layout
from swathkit.stores.swath_store import swath_writer

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
DEFAULT_BATCH = 16


@dataclass
class IngestReport:
    """What an ingest did, granule by granule."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    seconds_decode: float = 0.0
    seconds_extract: float = 0.0

    @property
    def committed(self) -> int:
        return len(self.added) + len(self.replaced) + len(self.unchanged)

    @property
    def ok(self) -> bool:
        return not self.failed


def _extractions(paths: list[Path], layout: Layout, geolocation: str,
                 workers: int) -> Iterator[Extraction]:
    """Extract in file order with at most ``2 × workers`` files in flight (bounded memory)."""
    if workers <= 1:
        for path in paths:
            yield extract(path, layout, geolocation)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future[Extraction]] = deque()
        queue = iter(paths)
        for path in queue:
            pending.append(pool.submit(extract, path, layout, geolocation))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def ingest(files: Iterable[str | os.PathLike[str]], store: str | StoreLocation, *,
           channels: str | list[str] | tuple[str, ...] = "36.5H", coords: bool = False,
           geolocation: str = "auto", workers: int = 2, batch_size: int = DEFAULT_BATCH,
           scan_length: int = DEFAULT_SCAN_LENGTH, storage_options: dict[str, Any] | None = None,
           progress: Progress | None = None) -> IngestReport:
    """Ingest AMSR2 L1B files into a swath store.

    Files are taken in name order and committed in batches, so the store's bytes
    do not depend on ``workers``. A bad file is reported in ``failed`` with its
    reason; the others are stored.

    Args:
        files: Product files.
        store: Store path or fsspec URL (created if absent).
        channels: Channels to keep, e.g. ``"36.5H,89.0AH"``.
        coords: Keep lat/lon per band.
        geolocation: ``auto``, ``coregister`` or ``subsample``.
        workers: Extraction processes.
        batch_size: Granules per atomic commit.
        scan_length: Padded scan axis of a new store.
        storage_options: fsspec options for a remote store.
        progress: Called as ``progress(done, total, granule_or_file)``.

    Raises:
        InputError: a path that is no file (before anything is written).
    """
    paths = sorted((require_file(f) for f in files), key=lambda p: (p.name, str(p)))
    layout = Layout.of(channels, coords=coords, scan_length=scan_length)
    report = IngestReport()
    with swath_writer(store, layout, storage_options) as writer:
        batch: list[SwathRecord] = []

        def flush() -> None:
            summary = writer.write(batch)
            report.added.extend(summary.added)
            report.replaced.extend(summary.replaced)
            report.unchanged.extend(summary.unchanged)
            batch.clear()

        for done, result in enumerate(_extractions(paths, layout, geolocation, workers), 1):
            report.seconds_decode += result.seconds_decode
            report.seconds_extract += result.seconds_total
            if result.record is None:
                log.warning("failed: %s", result.error)
                report.failed.append((result.path, result.error))
            else:
                batch.append(result.record)
                if len(batch) >= batch_size or sum(r.nbytes for r in batch) >= BATCH_BYTES:
                    flush()
            if progress:
                progress(done, len(paths), Path(result.path).name)
        if batch:
            flush()
    return report
