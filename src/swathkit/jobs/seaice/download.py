"""Download Bremen ASI daily grids for a date range into one folder; resumable.

Files land flat in ``out_dir`` under their real names, through ``<name>.part``
and an atomic rename (:mod:`swathkit.transfer.download`). A ledger,
``out_dir/.seaice-download.ledger.sqlite``, keeps every day's state: ``fetched``
(downloaded and verified, with its size), ``not_published`` (the archive
answered 404: not a failure) or ``failed`` (with the reason). Every run asks
again for what is not on disk yet (a day not published yesterday may be today),
resumes ``.part`` files, and keeps a present file only if it verifies:

- its size is the server's: the size the ledger recorded when it was fetched, or
  for a file the ledger does not know, the size ``HEAD`` reports now;
- it opens as an ASI grid of its grid's shape (:mod:`swathkit.products.asi.verify`),
  and ``z`` inflates whole, unless the ledger verified it and the file was not
  written since (then opening is enough: a decade re-checks in seconds).

``force=True`` fetches every day again.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from swathkit.archives.base import Archive
from swathkit.archives.bremen import asi_granules, bremen_archive, fetch_tasks
from swathkit.errors import FetchError, NotPublishedError, VerificationError
from swathkit.jobs._fetch import (
    FetchTally,
    check_workers,
    fetch_into_ledger,
    outcome_progress,
)
from swathkit.jobs.report import JobReport, days_text
from swathkit.ledger import Ledger
from swathkit.products.asi.grids import asi_grid_name
from swathkit.products.asi.verify import verify_asi_file
from swathkit.transfer.engine import FetchTask, TransferEngine
from swathkit.transfer.retry import RetryPolicy
from swathkit.transfer.session import SessionFactory
from swathkit.types import DayRange, Progress

__all__ = ["LEDGER_NAME", "DownloadExtras", "DownloadReport", "day_states", "download_asi",
           "verify_asi_file"]

log = logging.getLogger(__name__)

LEDGER_NAME = ".seaice-download.ledger.sqlite"


@dataclass(frozen=True)
class DownloadExtras:
    """The download's own details.

    Attributes:
        grid: The grid.
        downloaded: Files fetched by this run.
        skipped: Files already present that verified (nothing fetched).
        not_published: Days the archive does not have (404).
        bytes_resumed: Bytes of ``.part`` files left by an earlier run and kept.
    """

    grid: str
    downloaded: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    not_published: tuple[date, ...] = ()
    bytes_resumed: int = 0


DownloadReport = JobReport[DownloadExtras]
"""The report of :func:`download_asi`: days asked, downloaded, present, not published, failed."""


class _SizeAndContent:
    """``verify`` for the engine: a known size for present files, then the content check.

    The engine calls it on ``dest`` before skipping a present file (the size is
    checked against ``sizes``; a file in ``trusted`` verified before and was not
    written since, so opening it is enough), and on ``dest.part`` after a
    download, whose size the engine has already compared with the server's.
    """

    def __init__(self, sizes: dict[Path, int], trusted: set[Path]) -> None:
        self.sizes, self.trusted = sizes, trusted

    def __call__(self, path: Path) -> None:
        path = Path(path)
        expected = self.sizes.get(path)
        if expected is not None and path.stat().st_size != expected:
            raise VerificationError(f"{path.name} has {path.stat().st_size} bytes, "
                                    f"the archive's file has {expected}")
        verify_asi_file(path, decode=path not in self.trusted)


def _present(tasks: list[FetchTask], ledger: Ledger, sessions: SessionFactory,
             retry: RetryPolicy) -> _SizeAndContent:
    """The check of the files already present: sizes from the ledger, else from HEAD.

    A file the ledger recorded as fetched, of that size, and last written before it
    was verified is trusted. (On a file system with coarse timestamps, a change in
    the same tick as the verification could pass unseen; ``force`` re-fetches all.)
    """
    sizes: dict[Path, int] = {}
    trusted: set[Path] = set()
    unknown: list[FetchTask] = []
    for task in tasks:
        if not task.dest.is_file():
            continue
        row = ledger.row(task.key)
        if row is not None and row["state"] == "fetched" and row["bytes"] is not None:
            sizes[task.dest] = int(row["bytes"])
            if task.dest.stat().st_mtime < (row["verified_at"] or 0):
                trusted.add(task.dest)
        else:
            unknown.append(task)
    if unknown:
        # ASI grids are served over HTTP; _head_sizes needs only open() and size()
        sizes |= _head_sizes(unknown, sessions, retry)
    return _SizeAndContent(sizes, trusted)


def _head_sizes(tasks: list[FetchTask], sessions: SessionFactory,
                retry: RetryPolicy) -> dict[Path, int]:
    """Sizes by ``HEAD`` over one session; -1 (fetch again) for what cannot be sized.

    A 404 concerns one file (the engine asks again and records it as not
    published); any other failure stops the sizing, so an archive that is down
    is left to the engine's circuit breaker rather than retried file by file here.
    """
    call = retry.call
    sizes = {task.dest: -1 for task in tasks}
    try:
        session = call(sessions.open)
    except FetchError as exc:
        log.info("cannot size the present files (%s); they will be fetched again", exc)
        return sizes
    try:
        for task in tasks:
            try:
                sizes[task.dest] = call(partial(session.size, task.remote))
            except NotPublishedError:
                continue
            except FetchError as exc:
                log.info("cannot size %s (%s); present files will be fetched again",
                         task.remote, exc)
                break
    finally:
        session.close()
    return sizes


def download_asi(grid: str, start: date, end: date, out_dir: str | os.PathLike[str], *,
                 archive: Archive | None = None, base_url: str | None = None, workers: int = 4,
                 force: bool = False, progress: Progress | None = None,
                 retry: RetryPolicy | None = None,
                 ca_bundle: str | os.PathLike[str] | None = None) -> DownloadReport:
    """Download the ASI files of ``grid`` for every day from ``start`` to ``end`` (included).

    Re-running the same call resumes: verified files are kept, ``.part`` files
    continue from their size, failed and not-published days are asked again.

    Args:
        grid: ``n3125``, ``n6250``, ``s3125`` or ``s6250``.
        start: First day.
        end: Last day (included).
        out_dir: Folder receiving the files (created if needed) and the ledger.
        archive: The archive to fetch from (its sessions and retry policy); default: the
            Bremen archive at ``base_url``.
        base_url: The Bremen archive when ``archive`` is None (the real one by default;
            a mirror or the simulator).
        workers: Parallel transfers, each on one keep-alive connection.
        force: Fetch every day again, even files that verify.
        progress: ``progress(done, total, file_name)`` after each day.
        retry: Retry policy (default: the archive's, else
            :class:`~swathkit.transfer.retry.RetryPolicy`).
        ca_bundle: PEM file of the CAs to trust when ``archive`` is None (default: the
            settings'; a simulator's ``ca_file`` for it).

    Returns:
        Days downloaded, already present, not published and failed (by kind).

    Raises:
        InputError: an unknown grid, ``end`` before ``start``, days before the record,
            fewer than one worker.
        AuthError: the archive refused access (the job stops at once).
        ArchiveUnavailableError: the archive looks down (the job stopped).
    """
    t0 = time.perf_counter()
    days = DayRange(start, end)
    granules = asi_granules(grid, days.start, days.end)
    check_workers(workers)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    archive = archive or bremen_archive(base_url=base_url, ca_bundle=ca_bundle)
    sessions = archive.sessions
    retry = retry or archive.retry or RetryPolicy()
    source = archive.name
    tasks = fetch_tasks(granules, out)
    with Ledger(out / LEDGER_NAME) as ledger, \
            ledger.run(f"seaice download {grid} {days} from {source}") as run:
        ledger.record_found(granules)
        check = _SizeAndContent({}, set()) if force else _present(tasks, ledger, sessions,
                                                                     retry)
        with TransferEngine(sessions, workers=workers, retry=retry, force=force,
                            verify=check) as engine:
            tally = fetch_into_ledger(engine, tasks, ledger,
                                      on_outcome=outcome_progress(progress, len(tasks)))
        run.outcome = "interrupted" if tally.interrupted else "finished"
    day_of = {g.id: date.fromisoformat(g.properties["day"]) for g in granules}
    return _report(asi_grid_name(grid), out, tasks, day_of, tally, time.perf_counter() - t0)


def _report(grid: str, out: Path, tasks: list[FetchTask], day_of: dict[str, date],
            tally: FetchTally, seconds: float) -> DownloadReport:
    names = {t.key: t.dest.name for t in tasks}
    missing = tuple(sorted(day_of[k] for k in tally.not_published))
    counts = {"asked": len(tasks), "downloaded": len(tally.downloaded),
              "skipped": len(tally.skipped), "not_published": len(missing),
              "failed": len(tally.failures)}
    notes = {"downloaded": f"{tally.bytes_received / 1e6:,.1f} MB", "not_published":
             days_text(missing)}
    if tally.bytes_resumed:
        notes["downloaded"] += f" (+{tally.bytes_resumed / 1e6:,.1f} MB resumed)"
    failures = tuple(sorted(tally.failures, key=lambda f: (f.kind, f.item)))
    extras = DownloadExtras(grid, tuple(names[k] for k in tally.downloaded),
                            tuple(names[k] for k in tally.skipped), missing,
                            tally.bytes_resumed)
    return JobReport(job="seaice download", target=str(out), unit="days", counts=counts,
                     notes=notes, failures=failures, bytes=tally.bytes_received,
                     seconds=seconds, interrupted=tally.interrupted,
                     unfinished=len(tasks) - tally.done, extras=extras)


def day_states(out_dir: str | os.PathLike[str], grid: str) -> dict[date, str]:
    """Each day's state in ``out_dir``'s download ledger, for ``grid``.

    States: ``fetched`` (on disk, verified when fetched), ``not_published`` (404
    upstream), ``failed``, ``found`` (asked for, not finished). Days never asked
    for are absent. An empty dict if nothing was downloaded into ``out_dir``.
    """
    path = Path(out_dir) / LEDGER_NAME
    if not path.is_file():
        return {}
    with Ledger(path) as ledger:
        states = ledger.states_by_start(id_prefix=f"asi-AMSR2-{asi_grid_name(grid)}-")
    return {start.date(): state for start, state in states.items()}
