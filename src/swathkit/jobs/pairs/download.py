"""``pairs download``: every kept pair's RTC zip (verified, extracted) and its DSWE tiles.

For each pair of the table whose decision is ``keep`` (layout: :mod:`.pair_files`):

1. the scene's zip from the ASF datapool with Earthdata Login
   (:func:`~swathkit.archives.earthdata.datapool_files`), through the transfer engine:
   ``.part`` resumed by Range, size and MD5 checked against the CMR record the search
   stored in the table (a wrong MD5 is fetched once more, then the item fails with it);
2. the zip extracted safely (:func:`~swathkit.transfer.extract.extract_zip`: members
   checked against the RTC layout, no links, no absolute or parent paths, size caps,
   streamed into a staging folder and renamed into place), recorded ``extracted`` in the
   ledger, and only then deleted: a crash in between leaves the zip, which the next run
   finds complete and deletes;
3. the pair's DSWE INWAM tiles, whole, into ``<scene>/usgs_dswe/`` (kept by every later
   extraction), with the ERS login when configured, anonymous otherwise; an HTML page
   answered instead of a TIFF stops the job with an :class:`~swathkit.errors.AuthError`.

Every outcome is in ``<out>/pairs.ledger.sqlite`` before the next step, so re-running
the same command does only what is left, and nothing already complete is fetched or
extracted again. One run at a time per folder (a lock file); staging folders left by a
killed run are removed at the start. Credentials go to their own hosts only and are
never written to the ledger, the table or the log.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from swathkit.archives.earthdata import EarthdataFiles, datapool_files
from swathkit.archives.ers import ErsAuth
from swathkit.archives.http_files import HttpFiles
from swathkit.config import settings
from swathkit.errors import (
    CorruptArchiveError,
    InputError,
    UnsafeArchiveError,
    VerificationError,
)
from swathkit.jobs._fetch import (
    FetchOutcome,
    FetchTally,
    check_workers,
    fetch_into_ledger,
    folder_lock,
    log_in_once,
)
from swathkit.jobs.pairs.pair_files import (
    DSWE_FOLDER,
    LEDGER_NAME,
    PairFiles,
    granules,
    kept_rows,
    pair_files,
    pair_outcome,
)
from swathkit.jobs.pairs.status import record_download_dir
from swathkit.jobs.report import JobReport
from swathkit.ledger import Ledger
from swathkit.products.alos_rtc.layout import members
from swathkit.products.formats import is_tiff
from swathkit.stores.pair_table import PairTable
from swathkit.transfer.engine import TransferEngine
from swathkit.transfer.extract import STAGING_PREFIX, extract_zip
from swathkit.transfer.retry import RetryPolicy
from swathkit.transfer.session import SessionFactory
from swathkit.transfer.tasks import FetchResult, FetchTask
from swathkit.types import Failure, Progress

__all__ = ["MAX_MEMBER_BYTES", "MAX_ZIP_BYTES", "DownloadExtras", "download_pairs"]

log = logging.getLogger(__name__)

MAX_MEMBER_BYTES = 4 << 30
"""Cap on one extracted member (a full scene's γ⁰ raster is ~150 MB)."""
MAX_ZIP_BYTES = 16 << 30
"""Cap on a zip's extracted bytes in all."""


@dataclass(frozen=True)
class DownloadExtras:
    """What ``pairs download`` moved, beside the pair counts.

    Attributes:
        zips_fetched: Zips downloaded by this run.
        zips_extracted: Zips extracted by this run.
        tiles_fetched: DSWE tiles downloaded by this run.
        bytes_resumed: Bytes of ``.part`` files from an earlier run that were kept.
        pairs: The downloaded pairs' scene folders.
    """

    zips_fetched: int
    zips_extracted: int
    tiles_fetched: int
    bytes_resumed: int
    pairs: tuple[str, ...]


def download_pairs(table: str | os.PathLike[str], out_dir: str | os.PathLike[str], *,
                   workers: int = 4, retry: RetryPolicy | None = None,
                   datapool: SessionFactory | None = None, dswe: SessionFactory | None = None,
                   progress: Progress | None = None) -> JobReport[DownloadExtras]:
    """Download, verify and extract every kept pair of ``table`` into ``out_dir``.

    Args:
        table: The pair table (scored by ``pairs score``).
        out_dir: The download folder (created if needed; holds the ledger).
        workers: Parallel transfers per archive.
        retry: The retry policy of every file (default :class:`RetryPolicy`'s).
        datapool: Sessions to the ASF datapool (default: ``datapool_files()`` with
            Earthdata Login from the environment or netrc), opened only if a zip is due.
        dswe: Sessions to LandsatLook (default: its endpoint with the ERS login when
            configured, anonymous otherwise).
        progress: ``progress(done, total, item)`` after each file.

    Returns:
        Pairs kept, downloaded now, already downloaded, failed (with their reasons).

    Raises:
        InputError: no such table, fewer than one worker, the folder in use by another run.
        AuthError: Earthdata Login or ERS refused the credentials, or a login page came
            instead of a TIFF (the job stops at once, without retrying).
        ArchiveUnavailableError: an archive looks down.
    """
    begun = time.monotonic()
    check_workers(workers)
    if not Path(table).is_file():
        raise InputError(f"{table}: no such pair table; run 'swathkit pairs search' and "
                         "'swathkit pairs score' first, or give the right path")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pairs = pair_files(kept_rows(PairTable(table).rows()), out)
    with folder_lock(out, "pairs download"), Ledger(out / LEDGER_NAME) as ledger, \
            ledger.run(f"pairs download {Path(table).name}") as run:
        _clear_staging(out)
        before = {p.item: pair_outcome(p, ledger)[0] for p in pairs}
        ledger.record_found(granules(pairs))
        step = _Steps(ledger, out, workers, retry or RetryPolicy(), progress)
        step.zips(pairs, datapool)
        if not step.tally.interrupted:
            step.tiles(pairs, dswe)
        run.outcome = "interrupted" if step.tally.interrupted else "finished"
        outcomes = {p.item: pair_outcome(p, ledger) for p in pairs}
    record_download_dir(Path(table), out)
    return _report(table, pairs, before, outcomes, step, time.monotonic() - begun)


class _Steps:
    """The two fetch steps of one run, and what they did."""

    def __init__(self, ledger: Ledger, out: Path, workers: int, retry: RetryPolicy,
                 progress: Progress | None) -> None:
        self.ledger, self.out, self.workers, self.retry = ledger, out, workers, retry
        self.progress = progress
        self.tally = FetchTally()
        self.extracted = self.zips_fetched = self.tiles_fetched = 0
        self._done = self._total = 0

    def zips(self, pairs: Sequence[PairFiles], factory: SessionFactory | None) -> None:
        """Fetch and extract the zips not extracted yet."""
        tasks = self._zip_tasks(pairs)
        if not tasks:
            return
        names = {p.zip_task.key: p for p in pairs if p.zip_task is not None}
        remote = [t for t in tasks if not t.dest.exists()]  # present zips verify offline
        # credentials are needed only for zips not on disk yet
        sessions = factory or (datapool_files() if remote else
                               EarthdataFiles(settings().endpoint("asf_datapool")))
        if remote:
            log_in_once(sessions, remote[0])
        tally = self._fetch(sessions, tasks, lambda o: self._extract(o, names))
        self.zips_fetched = len(tally.downloaded)

    def tiles(self, pairs: Sequence[PairFiles], factory: SessionFactory | None) -> None:
        """Fetch the DSWE tiles of the pairs whose scene is extracted."""
        ready = [p for p in pairs if p.zip_task is not None and not p.problem
                 and self._state(p.zip_task.key) == "extracted"]
        tasks = list({t.key: t for p in ready for t in p.tiles}.values())
        if not tasks:
            return
        tally = self._fetch(factory or _landsatlook(), tasks, None)
        self.tiles_fetched = len(tally.downloaded)

    def _zip_tasks(self, pairs: Sequence[PairFiles]) -> list[FetchTask]:
        tasks: dict[str, FetchTask] = {}
        for p in pairs:
            task = p.zip_task
            if task is None or task.key in tasks:
                continue
            if self._state(task.key) == "extracted" and p.folder.is_dir():
                if task.dest.exists():  # the run that extracted it stopped before deleting
                    task.dest.unlink()
                continue
            tasks[task.key] = task
        return list(tasks.values())

    def _fetch(self, sessions: SessionFactory, tasks: list[FetchTask],
               then: Callable[[FetchOutcome], None] | None) -> FetchTally:
        self._total += len(tasks)
        verify = _tiff if then is None else None
        with TransferEngine(sessions, workers=self.workers, retry=self.retry,
                            verify=verify) as engine:
            tally = fetch_into_ledger(engine, tasks, self.ledger,
                                      on_outcome=self._after(then))
        self.tally.failures += tally.failures
        self.tally.bytes_received += tally.bytes_received
        self.tally.bytes_resumed += tally.bytes_resumed
        self.tally.interrupted |= tally.interrupted
        return tally

    def _after(self, then: Callable[[FetchOutcome], None] | None,
               ) -> Callable[[FetchOutcome], None]:
        def after(outcome: FetchOutcome) -> None:
            if then is not None:
                then(outcome)
            self._done += 1
            if self.progress is not None:
                self.progress(self._done, self._total, outcome.task.dest.name)
        return after

    def _extract(self, outcome: FetchOutcome, pairs: dict[str, PairFiles]) -> None:
        """Extract a verified zip, record it, then delete it (a refused zip is deleted too)."""
        if not isinstance(outcome, FetchResult):
            return
        key, path = outcome.task.key, outcome.path
        scene = pairs[key].scene
        assert scene is not None  # a zip task exists only for a parsed name
        layout = members(scene)
        try:
            extract_zip(path, self.out, expected=set(layout), max_member_bytes=MAX_MEMBER_BYTES,
                        max_total_bytes=MAX_ZIP_BYTES, keep=(DSWE_FOLDER,),
                        required=[n for n, layer in layout.items() if layer.required])
        except (UnsafeArchiveError, CorruptArchiveError) as exc:
            failure = Failure.from_error(key, exc)
            self.ledger.record_failure(failure)
            self.tally.failures.append(failure)
            log.warning("%s refused: %s", path.name, exc)
        else:
            self.ledger.set_state(key, "extracted")
            self.extracted += 1
        path.unlink(missing_ok=True)

    def _state(self, key: str) -> str:
        row = self.ledger.row(key)
        return str(row["state"]) if row is not None else ""


def _tiff(path: Path) -> None:
    """A DSWE tile must be a TIFF (not a web page saved under its name)."""
    with Path(path).open("rb") as f:
        head = f.read(8)
    if not is_tiff(head):
        raise VerificationError(f"{Path(path).name} is not a GeoTIFF (it starts with "
                                f"{head!r})")


def _landsatlook() -> HttpFiles:
    base = settings().endpoint("landsatlook")
    return HttpFiles(base, auth=ErsAuth.configured(asset_hosts=[urlsplit(base).netloc]))


def _clear_staging(out: Path) -> None:
    """Remove staging folders a killed run left (this run holds the folder's lock)."""
    for entry in out.glob(f"{STAGING_PREFIX}*"):
        if entry.is_dir() and not entry.is_symlink():
            log.info("removing %s, left by an interrupted extraction", entry.name)
            shutil.rmtree(entry)


def _report(table: str | os.PathLike[str], pairs: Sequence[PairFiles], before: dict[str, str],
            outcomes: dict[str, tuple[str, Failure | None]], step: _Steps,
            seconds: float) -> JobReport[DownloadExtras]:
    states = {item: state for item, (state, _) in outcomes.items()}
    failures = tuple(sorted((f for _, f in outcomes.values() if f is not None),
                            key=lambda f: (f.kind, f.item)))
    present = sum(1 for i, s in states.items() if s == "downloaded" and before[i] == s)
    counts = {"kept": len(pairs),
              "downloaded": sum(1 for s in states.values() if s == "downloaded") - present,
              "already_present": present, "failed": len(failures)}
    tally = step.tally
    folders = tuple(sorted(str(p.folder) for p in pairs if states[p.item] == "downloaded"))
    extras = DownloadExtras(step.zips_fetched, step.extracted, step.tiles_fetched,
                            tally.bytes_resumed, folders)
    unfinished = sum(1 for s in states.values() if s == "pending")
    return JobReport(job="pairs download", target=str(table), unit="pairs", counts=counts,
                     notes={"downloaded": f"{tally.bytes_received / 1e6:,.1f} MB"},
                     failures=failures, bytes=tally.bytes_received, seconds=seconds,
                     interrupted=tally.interrupted, unfinished=unfinished, extras=extras)
