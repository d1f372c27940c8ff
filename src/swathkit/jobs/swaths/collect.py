"""Collect: search an archive, fetch, extract, commit; resumable through the ledger.

The pipeline is streamed and bounded: catalogue pages are recorded in the
ledger as they arrive; the transfer engine pulls tasks lazily; extraction runs
in a small process pool with a bounded queue; swaths are committed in batches.
The store is committed before the ledger says so, and a restart reconciles the
two, so a crash at any point loses nothing and duplicates nothing.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from swathkit.archives.base import Archive
from swathkit.errors import FetchError
from swathkit.jobs.swaths.extract import Extraction, extract
from swathkit.ledger import Funnel, Ledger
from swathkit.products.amsr2.verify import verify_l1b
from swathkit.stores.location import StoreLocation, as_location
from swathkit.stores.records import BATCH_BYTES, SwathRecord
from swathkit.stores.schema import Layout
from swathkit.stores.swath_store import SwathWriter, swath_writer
from swathkit.transfer.engine import FetchFailure, FetchResult, FetchTask, TransferEngine
from swathkit.types import Query

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]


@dataclass
class CollectReport:
    """The end of a collect run: the ledger's funnel and what failed, by reason."""

    funnel: Funnel
    failures: list[tuple[str, str, str, int]] = field(default_factory=list)
    changed_versions: list[str] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        f = self.funnel
        return not self.interrupted and f.committed + f.not_published == f.found


def default_ledger(store: StoreLocation) -> Path:
    """The ledger sits next to a local store; remote stores keep it in the working folder."""
    if store.is_local:
        return store.sibling(".ledger.sqlite")
    return Path.cwd() / (store.url.rstrip("/").rsplit("/", 1)[-1] + ".ledger.sqlite")


class _Committer:
    """Extraction pool, ordered batches into the store, ledger updates, file clean-up."""

    def __init__(self, writer: SwathWriter, ledger: Ledger, layout: Layout, geolocation: str,
                 *, workers: int, batch_size: int, keep_files: bool) -> None:
        self.writer, self.ledger = writer, ledger
        self.layout, self.geolocation = layout, geolocation
        self.batch: list[tuple[SwathRecord, Path]] = []
        self.batch_size, self.keep_files = batch_size, keep_files
        self.limit = 4 * workers  # paths in flight; records come back one by one
        context = multiprocessing.get_context("spawn")
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                        initializer=_prepare_worker)
        for _ in range(workers):  # start the processes and their imports now, not at file 1
            self.pool.submit(int)
        self.pending: deque[tuple[str, Future[Extraction]]] = deque()
        self.done = 0

    def submit(self, granule_id: str, path: Path) -> None:
        self.pending.append((granule_id, self.pool.submit(extract, path, self.layout,
                                                          self.geolocation)))
        while len(self.pending) >= self.limit:
            self._take(*self.pending.popleft())

    def drain_ready(self) -> None:
        while self.pending and self.pending[0][1].done():
            self._take(*self.pending.popleft())

    def _take(self, granule_id: str, future: Future[Extraction]) -> None:
        result = future.result()
        log.debug("extracted %s in %.2f s", granule_id, result.seconds_total)
        if result.record is None:
            self.ledger.fail(granule_id, reason=result.error, error_class=result.error_class,
                             attempts=0, permanent=True)
            self.done += 1
            return
        self.ledger.set_state(granule_id, "extracted", seconds_extract=result.seconds_total)
        self.batch.append((result.record, Path(result.path)))
        held = sum(record.nbytes for record, _ in self.batch)
        if len(self.batch) >= self.batch_size or held >= BATCH_BYTES:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        t0 = time.perf_counter()
        self.writer.write([record for record, _ in self.batch])
        log.debug("committed %d granules in %.2f s", len(self.batch), time.perf_counter() - t0)
        for record, path in self.batch:
            self.ledger.set_state(record.granule_id, "committed")
            if not self.keep_files:
                path.unlink(missing_ok=True)
        self.done += len(self.batch)
        self.batch.clear()

    def finish(self) -> None:
        while self.pending:
            self._take(*self.pending.popleft())
        self.flush()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _prepare_worker() -> None:
    # Ctrl-C reaches the whole process group: the main process decides, workers finish.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import swathkit.jobs.swaths.extract  # noqa: F401 - import the stack while the search runs


def _record_search(archive: Archive, query: Query, ledger: Ledger, update: bool) -> tuple[
        list[str], list[str]]:
    ids: list[str] = []
    changed: list[str] = []
    for page in archive.catalog.pages(query):
        changed += ledger.record_found(page, update=update)
        ids += [g.id for g in page]
    return ids, changed


def _reconcile(ledger: Ledger, writer: SwathWriter, ids: list[str]) -> None:
    """Extracted granules the store already holds: a crash came between the two commits."""
    for row in ledger.pending(ids):
        if row["state"] == "extracted" and row["granule_id"] in writer.index.granules:
            ledger.set_state(row["granule_id"], "committed")


def _tasks(ledger: Ledger, ids: list[str], workdir: Path, retry_failed: bool) -> Iterator[
        FetchTask]:
    for row in ledger.pending(ids, retry_failed=retry_failed):
        name = row["remote_path"].rsplit("/", 1)[-1]
        yield FetchTask(key=row["granule_id"], remote=row["remote_path"], dest=workdir / name)


def collect(query: Query, store: str | os.PathLike[str] | StoreLocation, archive: Archive, *,
            channels: str | list[str] | tuple[str, ...] = "36.5H", coords: bool = False,
            geolocation: str = "auto", workers: int = 4, extract_workers: int = 1,
            batch_size: int = 16, workdir: str | os.PathLike[str] | None = None,
            keep_files: bool = False, retry_failed: bool = False, update: bool = False,
            ledger_path: str | os.PathLike[str] | None = None,
            storage_options: dict[str, Any] | None = None,
            progress: Progress | None = None) -> CollectReport:
    """Search, fetch, extract and commit every granule of ``query`` into a swath store.

    Re-running the same call resumes: committed granules are skipped, partial
    downloads continue from their offset, failed ones wait for ``retry_failed``.

    Args:
        query: Product, period, optional bbox and orbit direction.
        store: Swath store path or fsspec URL.
        archive: Catalogue and file server (see :mod:`swathkit.archives.registry`).
        channels, coords, geolocation: What to keep (as for ``ingest``).
        workers: Parallel transfers (one persistent session each).
        extract_workers: Processes decoding HDF5 (one keeps up with a G-Portal link and
            leaves the CPU to the transfers; raise it for a fast link with many channels).
        batch_size: Granules per atomic store commit.
        workdir: Download folder (default: next to the store).
        keep_files: Keep source files after their swath is committed.
        retry_failed: Try failed granules again.
        update: Re-fetch granules whose catalogue version changed since stored.
        ledger_path: Ledger file (default: next to the store).
        storage_options: fsspec options for a remote store.
        progress: ``progress(done, total, granule_id)``.
    """
    t0 = time.perf_counter()
    location = as_location(store, storage_options)
    layout = Layout.of(channels, coords=coords)
    workdir = Path(workdir) if workdir else default_ledger(location).with_suffix("").with_name(
        location.url.rstrip("/").rsplit("/", 1)[-1] + ".downloads")
    workdir.mkdir(parents=True, exist_ok=True)
    with Ledger(Path(ledger_path) if ledger_path else default_ledger(location)) as ledger, \
            swath_writer(location, layout) as writer:
        run_id = ledger.start_run(f"collect {query}")
        ids, changed = _record_search(archive, query, ledger, update)
        _reconcile(ledger, writer, ids)
        todo = len(ledger.pending(ids, retry_failed=retry_failed))
        committer = _Committer(writer, ledger, layout, geolocation, workers=extract_workers,
                               batch_size=batch_size, keep_files=keep_files)
        interrupted = False
        try:
            with TransferEngine(archive.sessions, workers=workers, verify=verify_l1b,
                                retry=archive.retry) as engine:
                for outcome in engine.run(_tasks(ledger, ids, workdir, retry_failed)):
                    _handle(outcome, ledger, committer)
                    committer.drain_ready()
                    if progress:
                        progress(committer.done, todo, outcome.task.key)
            committer.finish()
        except KeyboardInterrupt:
            interrupted = True
            committer.finish()
        except FetchError:  # auth refused or archive down: keep what is done, then report
            committer.finish()
            ledger.end_run(run_id, "stopped")
            raise
        finally:
            committer.close()
            if progress:
                progress(committer.done, todo, "")
        ledger.end_run(run_id, "interrupted" if interrupted else "finished")
        failures = [(r["granule_id"], r["error_class"] or "", r["reason"] or "", r["attempts"])
                    for r in ledger.failures()]
        return CollectReport(ledger.funnel(), failures, changed, time.perf_counter() - t0,
                             interrupted)


def _handle(outcome: FetchResult | FetchFailure, ledger: Ledger, committer: _Committer) -> None:
    key = outcome.task.key
    if isinstance(outcome, FetchFailure):
        ledger.fail(key, reason=outcome.message, error_class=outcome.error_class,
                    attempts=outcome.attempts, permanent=outcome.permanent)
        committer.done += 1
        return
    ledger.set_state(key, "fetched", bytes=outcome.bytes, seconds_fetch=outcome.seconds)
    ledger.add_attempts(key, outcome.attempts)
    committer.submit(key, outcome.path)
