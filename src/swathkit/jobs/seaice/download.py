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
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from swathkit.archives.bremen import BREMEN_URL, asi_granules, bremen_sessions, fetch_tasks
from swathkit.archives.http_files import HttpFiles
from swathkit.errors import FetchError, NotPublishedError, VerificationError
from swathkit.jobs.swaths.archive import retrying
from swathkit.ledger import Ledger
from swathkit.products.asi.grids import asi_grid_name
from swathkit.products.asi.verify import verify_asi_file
from swathkit.transfer.engine import FetchFailure, FetchResult, FetchTask, TransferEngine
from swathkit.transfer.retry import RetryPolicy

if TYPE_CHECKING:
    from swathkit.sim.bremen.server import SimulatedBremen
    from swathkit.sim.faults import FaultPlan

__all__ = ["LEDGER_NAME", "DownloadFailure", "DownloadReport", "day_states", "download_asi",
           "simulated_bremen", "verify_asi_file"]

log = logging.getLogger(__name__)

LEDGER_NAME = ".seaice-download.ledger.sqlite"

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class DownloadFailure:
    """A day that could not be downloaded."""

    file_name: str
    error_class: str
    reason: str
    attempts: int


@dataclass(frozen=True)
class DownloadReport:
    """What one ``download_asi`` run did.

    Attributes:
        grid: The grid.
        days: Days asked for.
        downloaded: Files fetched by this run.
        skipped: Files already present that verified (nothing fetched).
        not_published: Days the archive does not have (404).
        failures: Days that failed, with the reason.
        bytes_received: Bytes fetched over the network by this run.
        bytes_resumed: Bytes of ``.part`` files left by an earlier run and kept.
        seconds: Wall time.
        interrupted: The run was stopped (Ctrl-C) before the end.
    """

    grid: str
    days: int
    downloaded: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    not_published: tuple[date, ...] = ()
    failures: tuple[DownloadFailure, ...] = ()
    bytes_received: int = 0
    bytes_resumed: int = 0
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        """Every day is on disk (verified) or not published upstream."""
        present = len(self.downloaded) + len(self.skipped) + len(self.not_published)
        return not self.interrupted and not self.failures and present == self.days


@dataclass
class _Tally:
    downloaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    not_published: list[date] = field(default_factory=list)
    failures: list[DownloadFailure] = field(default_factory=list)
    received: int = 0
    resumed: int = 0


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


def _present(tasks: list[FetchTask], ledger: Ledger, sessions: HttpFiles,
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
        sizes |= _head_sizes(unknown, sessions, retry)
    return _SizeAndContent(sizes, trusted)


def _head_sizes(tasks: list[FetchTask], sessions: HttpFiles,
                retry: RetryPolicy) -> dict[Path, int]:
    """Sizes by ``HEAD`` over one session; -1 (fetch again) for what cannot be sized.

    A 404 concerns one file (the engine asks again and records it as not
    published); any other failure stops the sizing, so an archive that is down
    is left to the engine's circuit breaker rather than retried file by file here.
    """
    call = retrying(retry)
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


def _record(outcome: FetchResult | FetchFailure, ledger: Ledger, tally: _Tally,
            days: dict[str, date]) -> None:
    key, name = outcome.task.key, outcome.task.dest.name
    if isinstance(outcome, FetchResult):
        ledger.set_state(key, "fetched", bytes=outcome.bytes, reason=None, error_class=None,
                         permanent=0, **({} if outcome.skipped else
                                         {"seconds_fetch": outcome.seconds}))
        ledger.add_attempts(key, outcome.attempts)
        (tally.skipped if outcome.skipped else tally.downloaded).append(name)
        if not outcome.skipped:
            tally.received += outcome.bytes - outcome.resumed_from
            tally.resumed += outcome.resumed_from
        return
    ledger.fail(key, reason=outcome.message, error_class=outcome.error_class,
                attempts=outcome.attempts, permanent=outcome.permanent)
    if outcome.error_class == NotPublishedError.__name__:
        tally.not_published.append(days[key])
    else:
        tally.failures.append(DownloadFailure(name, outcome.error_class, outcome.message,
                                              outcome.attempts))


def download_asi(grid: str, start: date, end: date, out_dir: str | os.PathLike[str], *,
                 base_url: str = BREMEN_URL, workers: int = 4, force: bool = False,
                 progress: Progress | None = None,
                 retry: RetryPolicy | None = None) -> DownloadReport:
    """Download the ASI files of ``grid`` for every day from ``start`` to ``end`` (included).

    Re-running the same call resumes: verified files are kept, ``.part`` files
    continue from their size, failed and not-published days are asked again.

    Args:
        grid: ``n3125``, ``n6250``, ``s3125`` or ``s6250``.
        start: First day.
        end: Last day (included).
        out_dir: Folder receiving the files (created if needed) and the ledger.
        base_url: The archive (the real one by default; a mirror or the simulator).
        workers: Parallel transfers, each on one keep-alive connection.
        force: Fetch every day again, even files that verify.
        progress: ``progress(done, total, file_name)`` after each day.
        retry: Retry policy (default: :class:`~swathkit.transfer.retry.RetryPolicy`).

    Returns:
        What was downloaded, skipped, not published and failed.

    Raises:
        ValueError: an unknown grid, ``end`` before ``start``, days before the record.
        AuthError: the archive refused access (the job stops at once).
        ArchiveUnavailableError: the archive looks down (the job stopped).
    """
    t0 = time.perf_counter()
    granules = asi_granules(grid, start, end)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    retry = retry or RetryPolicy()
    sessions = bremen_sessions(base_url)
    tasks = fetch_tasks(granules, out)
    days = {g.id: date.fromisoformat(g.properties["day"]) for g in granules}
    tally, interrupted = _Tally(), False
    with Ledger(out / LEDGER_NAME) as ledger:
        run_id = ledger.start_run(f"seaice download {grid} {start}..{end} from {base_url}")
        ledger.record_found(granules)
        check = _SizeAndContent({}, set()) if force else _present(tasks, ledger, sessions,
                                                                     retry)
        try:
            interrupted = _run(tasks, ledger, tally, days, sessions, check,
                               workers=workers, force=force, retry=retry, progress=progress)
        except FetchError:
            ledger.end_run(run_id, "stopped")
            raise
        ledger.end_run(run_id, "interrupted" if interrupted else "finished")
    return DownloadReport(asi_grid_name(grid), len(granules), tuple(tally.downloaded),
                          tuple(tally.skipped), tuple(sorted(tally.not_published)),
                          tuple(tally.failures), tally.received, tally.resumed,
                          time.perf_counter() - t0, interrupted)


def _run(tasks: list[FetchTask], ledger: Ledger, tally: _Tally, days: dict[str, date],
         sessions: HttpFiles, check: _SizeAndContent, *, workers: int, force: bool,
         retry: RetryPolicy, progress: Progress | None) -> bool:
    """Fetch the tasks, recording each outcome; True if interrupted (Ctrl-C)."""
    done = 0
    try:
        with TransferEngine(sessions, workers=workers, retry=retry, force=force,
                            verify=check) as engine:
            for outcome in engine.run(tasks):
                _record(outcome, ledger, tally, days)
                done += 1
                if progress:
                    progress(done, len(tasks), outcome.task.dest.name)
    except KeyboardInterrupt:
        return True
    return False


def day_states(out_dir: str | os.PathLike[str], grid: str) -> dict[date, str]:
    """Each day's state in ``out_dir``'s download ledger, for ``grid``.

    States: ``fetched`` (on disk, verified when fetched), ``not_published`` (404
    upstream), ``failed``, ``found`` (asked for, not finished). Days never asked
    for are absent. An empty dict if nothing was downloaded into ``out_dir``.
    """
    path = Path(out_dir) / LEDGER_NAME
    if not path.is_file():
        return {}
    pattern = f"asi-AMSR2-{asi_grid_name(grid)}-%"
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        rows = db.execute("SELECT start_time, state FROM granules WHERE granule_id LIKE ?",
                          (pattern,)).fetchall()
    return {date.fromisoformat(start[:10]): state for start, state in rows}


@contextmanager
def simulated_bremen(*, faults: str | FaultPlan = "none", seed: int = 0,
                     missing_days: list[date] | None = None,
                     cache_dir: str | os.PathLike[str] | None = None,
                     bandwidth: float | None = None) -> Iterator[SimulatedBremen]:
    """Start the simulated Bremen archive in this process; pass its ``base_url`` to the job.

    ::

        with simulated_bremen(faults="flaky") as sim:
            download_asi("n6250", date(2024, 4, 1), date(2024, 4, 7), "data",
                         base_url=sim.base_url)
    """
    from swathkit.sim.bremen.server import SimulatedBremen

    with SimulatedBremen(faults=faults, seed=seed, missing_days=missing_days,
                         cache_dir=cache_dir, bandwidth=bandwidth) as sim:
        yield sim
