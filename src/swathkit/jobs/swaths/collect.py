"""Collect: search an archive, fetch, extract, commit; resumable through the ledger.

The pipeline is streamed and bounded: catalogue pages are recorded in the
ledger as they arrive; the transfer engine pulls tasks lazily; extraction runs
in a small process pool (or on dask.distributed workers, ``scheduler``) with a
bounded queue; swaths are committed in batches, by this process. Downloads stay on
this process's transfer engine, so the per-host session caps hold for the whole job.
The store is committed before the ledger says so, and a restart reconciles the
two, so a crash at any point loses nothing and duplicates nothing.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from swathkit.archives.base import Archive
from swathkit.errors import InputError
from swathkit.jobs._fetch import FetchOutcome, FetchTally, check_workers, fetch_into_ledger
from swathkit.jobs.cluster import (
    Executor,
    ProcessPool,
    TaskFuture,
    check_scheduler,
    open_executor,
)
from swathkit.jobs.report import Funnel, FunnelStage, JobReport
from swathkit.jobs.swaths.extract import Extraction, extract
from swathkit.ledger import Ledger, version_of
from swathkit.products.amsr2.verify import verify_l1b
from swathkit.stores.location import StoreLocation, as_location
from swathkit.stores.records import BATCH_BYTES, SwathRecord
from swathkit.stores.schema import Layout
from swathkit.stores.swath_store import SwathWriter, swath_writer
from swathkit.transfer.engine import FetchResult, FetchTask, TransferEngine
from swathkit.types import Granule, Progress, Query

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CollectExtras:
    """Collect's own details.

    Attributes:
        changed_versions: Committed granules whose catalogue version is newer than the
            stored one (re-fetched with ``update=True``).
        bytes_committed: Bytes of the source files of the committed granules.
    """

    changed_versions: tuple[str, ...] = ()
    bytes_committed: int = 0


CollectReport = JobReport[CollectExtras]
"""The report of :func:`collect` (and ``swathkit status``): the ledger's funnel."""

STAGES = ("found", "fetched", "verified", "extracted", "committed", "failed", "not_published")


def catalogue_version(granule: Granule) -> str | None:
    """The version G-Portal gives a granule: its processing date and algorithm version."""
    props = granule.properties
    return version_of(props.get("processingDate", ""), props.get("algorithmVersion", ""))


def ledger_report(ledger: Ledger, *, job: str, target: str, seconds: float = 0.0,
                  interrupted: bool = False, changed: tuple[str, ...] = ()) -> CollectReport:
    """The report of a ledger's state: granules per stage, bytes, failures by kind."""
    f = ledger.funnel()
    counts = {name: getattr(f, name) for name in STAGES}
    notes = {"fetched": f"{f.bytes_fetched / 1e6:,.1f} MB",
             "committed": f"{f.bytes_committed / 1e6:,.1f} MB"}
    if seconds > 0:
        notes["committed"] += f", {f.committed / seconds:.2f} granules/s"
    return JobReport(job=job, target=target, unit="granules", counts=counts, notes=notes,
                     failures=tuple(ledger.failures()), bytes=f.bytes_fetched, seconds=seconds,
                     interrupted=interrupted,
                     unfinished=f.found - f.committed - f.failed - f.not_published,
                     extras=CollectExtras(changed, f.bytes_committed))


def ledger_funnel(ledger: Ledger) -> Funnel:
    """The ledger's granules as a processing funnel (found → committed), failures with it."""
    f = ledger.funnel()
    stages = (FunnelStage("found", f.found), FunnelStage("fetched", f.fetched, f.bytes_fetched),
              FunnelStage("verified", f.verified), FunnelStage("extracted", f.extracted),
              FunnelStage("committed", f.committed, f.bytes_committed))
    return Funnel(unit="granules", stages=stages, failures=tuple(ledger.failures()))


def default_ledger(store: StoreLocation) -> Path:
    """The ledger (SQLite, always on local disk) next to a local store; for a remote store
    ``./<store name>-<hash of its URL>.ledger.sqlite`` in the current directory
    (:meth:`~swathkit.stores.location.StoreLocation.companion`), unless ``--ledger`` says."""
    return store.companion(".ledger.sqlite")


class _Committer:
    """Extraction on an executor, ordered batches into the store, ledger, file clean-up."""

    def __init__(self, writer: SwathWriter, ledger: Ledger, layout: Layout, geolocation: str,
                 *, executor: Executor, batch_size: int, keep_files: bool,
                 repair_times: bool = False) -> None:
        self.writer, self.ledger = writer, ledger
        self.repair_times = repair_times
        self.layout, self.geolocation = layout, geolocation
        self.batch: list[tuple[SwathRecord, Path]] = []
        self.batch_size, self.keep_files = batch_size, keep_files
        self.limit = 4 * executor.workers  # paths in flight; records come back one by one
        self.executor = executor
        self.pending: deque[tuple[str, TaskFuture[Extraction]]] = deque()
        self.done = 0

    def submit(self, granule_id: str, path: Path) -> None:
        self.pending.append((granule_id, self.executor.submit(
            extract, path, self.layout, self.geolocation, self.repair_times)))
        while len(self.pending) >= self.limit:
            self._take(*self.pending.popleft())

    def drain_ready(self) -> None:
        while self.pending and self.pending[0][1].done():
            self._take(*self.pending.popleft())

    def _take(self, granule_id: str, future: TaskFuture[Extraction]) -> None:
        result = future.result()
        log.debug("extracted %s in %.2f s", granule_id, result.seconds_total)
        if result.failure is not None:
            self.ledger.record_failure(dataclasses.replace(result.failure, item=granule_id))
            self.done += 1
            return
        assert result.record is not None
        self.ledger.set_state(granule_id, "extracted", seconds_extract=result.seconds_total)
        self.batch.append((result.record, Path(result.path)))
        held = sum(record.nbytes for record, _ in self.batch)
        if len(self.batch) >= self.batch_size or held >= BATCH_BYTES:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        t0 = time.perf_counter()
        records = [record for record, _ in self.batch]
        rows = self.ledger.store_rows(r.granule_id for r in records)
        self.writer.write(records, rows=rows)
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


def _prepare_worker() -> None:
    # Ctrl-C reaches the whole process group: the main process decides, workers finish.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import swathkit.jobs.swaths.extract  # noqa: F401 - import the stack while the search runs


def _record_search(archive: Archive, query: Query, ledger: Ledger, update: bool) -> tuple[
        list[str], list[str]]:
    ids: list[str] = []
    changed: list[str] = []
    for page in archive.catalog.pages(query):
        changed += ledger.record_found(page, update=update, version=catalogue_version)
        ids += [g.id for g in page]
    return ids, changed


def _reconcile(ledger: Ledger, writer: SwathWriter, ids: list[str]) -> None:
    """Extracted granules the store already holds: a crash came between the two commits."""
    extracted = [row["granule_id"] for row in ledger.pending(ids) if row["state"] == "extracted"]
    for gid in writer.lookup(extracted):
        ledger.set_state(gid, "committed")


def _reserve_rows(ledger: Ledger, writer: SwathWriter, ids: list[str]) -> None:
    """Store rows for the granules found, in time order, before any is fetched.

    So where a granule lands does not depend on the worker count or on the order
    downloads finish: the same job gives the same store bytes.
    """
    end = ledger.reserve_rows(ids, writer.next_row)
    writer.reserve(end - writer.next_row)


def _tasks(ledger: Ledger, ids: list[str], workdir: Path, retry_failed: bool) -> Iterator[
        FetchTask]:
    for row in ledger.pending(ids, retry_failed=retry_failed):
        name = row["remote_path"].rsplit("/", 1)[-1]
        yield FetchTask(key=row["granule_id"], remote=row["remote_path"], dest=workdir / name)


def _check_options(workers: int, extract_workers: int, batch_size: int,
                   scheduler: str | None) -> None:
    check_scheduler(scheduler)
    check_workers(workers)
    check_workers(extract_workers, "extract_workers")
    if batch_size < 1:
        raise InputError(f"batch_size must be at least 1, not {batch_size}")


def collect(query: Query, store: str | os.PathLike[str] | StoreLocation, archive: Archive, *,
            channels: str | list[str] | tuple[str, ...] = "36.5H", coords: bool = False,
            geolocation: str = "auto", workers: int = 4, extract_workers: int = 1,
            batch_size: int = 16, workdir: str | os.PathLike[str] | None = None,
            keep_files: bool = False, retry_failed: bool = False, update: bool = False,
            ledger_path: str | os.PathLike[str] | None = None,
            storage_options: dict[str, Any] | None = None, repair_scan_times: bool = False,
            scheduler: str | None = None, progress: Progress | None = None) -> CollectReport:
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
        workdir: Download folder (default: next to the store; for a remote store in the
            current directory, see :meth:`StoreLocation.companion`).
        keep_files: Keep source files after their swath is committed.
        retry_failed: Try failed granules again.
        update: Re-fetch granules whose catalogue version changed since stored.
        ledger_path: Ledger file (default: :func:`default_ledger`).
        storage_options: fsspec options for a remote store.
        repair_scan_times: Replace scan times off the line of their neighbours (flagged per
            scan in ``scan_time_flag`` either way).
        scheduler: Extract on dask.distributed instead of ``extract_workers`` local
            processes: ``local:N`` or ``tcp://host:port`` (its workers must see ``workdir``).
            Fetching, the ledger and the commits stay here; the store bytes are the same.
        progress: ``progress(done, total, granule_id)``.

    Returns:
        The ledger's funnel after the run (counts of every granule it holds), failures
        by kind, and the granules whose catalogue version changed.

    Raises:
        InputError: an unknown channel, fewer than one worker, a batch size below 1, a
            malformed or unreachable scheduler.
        AuthError: the archive refused the credentials (the job stops at once).
        ArchiveUnavailableError: the archive looks down (what is done is kept).
    """
    t0 = time.perf_counter()
    _check_options(workers, extract_workers, batch_size, scheduler)
    location = as_location(store, storage_options)
    layout = Layout.of(channels, coords=coords)
    workdir = Path(workdir) if workdir else location.companion(".downloads")
    ledger_file = Path(ledger_path) if ledger_path else default_ledger(location)
    executor = (ProcessPool(extract_workers, _prepare_worker) if scheduler is None
                else open_executor(scheduler))  # started now: their imports run during the search
    with (executor, Ledger(ledger_file) as ledger, swath_writer(location, layout) as writer,
          ledger.run(f"collect {query}") as run):
        workdir.mkdir(parents=True, exist_ok=True)
        ids, changed = _record_search(archive, query, ledger, update)
        _reconcile(ledger, writer, ids)
        _reserve_rows(ledger, writer, ids)
        todo = len(ledger.pending(ids, retry_failed=retry_failed))
        committer = _Committer(writer, ledger, layout, geolocation, executor=executor,
                               batch_size=batch_size, keep_files=keep_files,
                               repair_times=repair_scan_times)
        try:
            with TransferEngine(archive.sessions, workers=workers, verify=verify_l1b,
                                retry=archive.retry) as engine:
                tally = _fetch_and_commit(engine, _tasks(ledger, ids, workdir, retry_failed),
                                          ledger, committer, todo, progress)
        finally:
            if progress:
                progress(committer.done, todo, "")
        run.outcome = "interrupted" if tally.interrupted else "finished"
        return ledger_report(ledger, job="collect", target=location.url,
                             seconds=time.perf_counter() - t0, interrupted=tally.interrupted,
                             changed=tuple(changed))


def _fetch_and_commit(engine: TransferEngine, tasks: Iterator[FetchTask], ledger: Ledger,
                      committer: _Committer, todo: int,
                      progress: Progress | None) -> FetchTally:
    """Fetch into the ledger, handing each file to extraction; commit what is left at the end.

    What is extracted is committed even when the fetch stops (Ctrl-C, the archive down).
    """
    def on_outcome(outcome: FetchOutcome) -> None:
        if isinstance(outcome, FetchResult):
            committer.submit(outcome.task.key, outcome.path)
        else:  # not published or failed: recorded, nothing to extract
            committer.done += 1
        committer.drain_ready()
        if progress:
            progress(committer.done, todo, outcome.task.key)

    try:
        return fetch_into_ledger(engine, tasks, ledger, on_outcome=on_outcome)
    finally:
        committer.finish()
