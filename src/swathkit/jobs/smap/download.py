"""``smap download``: the newest file of every SMAP granule of a period, verified, into a folder.

1. :func:`~swathkit.archives.smap.find_smap` searches CMR (NSIDC's collections for the
   radiometer and L2–L4, ASF's for radar) and keeps, per granule, the highest counter of
   a CRID and of several CRIDs the newest;
2. each file comes over HTTPS with Earthdata Login (credentials from the environment or
   ``~/.netrc``, sent to the login host only) through the transfer engine: ``.part``
   resumed by Range, size and MD5 checked against the CMR record (a wrong MD5 is fetched
   once more, then the file fails with it), an HDF5 signature required, then renamed
   into place under its real name in ``out_dir``.

Every outcome is in ``out_dir/.smap-download.ledger.sqlite`` before the next: running
the same command again fetches only what is missing (present files are checked offline
against the record's size and MD5). A refused password stops the job once, before any
worker tries it. Credentials are never written to the ledger or the log.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from swathkit.archives.cmr import CmrCatalog, cmr_product
from swathkit.archives.earthdata import EarthdataFiles, datapool_files
from swathkit.archives.smap import find_smap
from swathkit.config import settings
from swathkit.errors import VerificationError
from swathkit.jobs._fetch import (
    FetchTally,
    check_workers,
    fetch_into_ledger,
    folder_lock,
    log_in_once,
    outcome_progress,
)
from swathkit.jobs.report import JobReport
from swathkit.ledger import Ledger
from swathkit.products.formats import HDF5_MAGIC
from swathkit.products.smap.table import smap_product
from swathkit.transfer.engine import TransferEngine
from swathkit.transfer.retry import RetryPolicy
from swathkit.transfer.session import SessionFactory
from swathkit.transfer.tasks import FetchTask
from swathkit.types import BBox, Granule, Progress

__all__ = ["LEDGER_NAME", "DownloadExtras", "download_smap"]

log = logging.getLogger(__name__)

LEDGER_NAME = ".smap-download.ledger.sqlite"


@dataclass(frozen=True)
class DownloadExtras:
    """What ``smap download`` found and moved.

    Attributes:
        product: The short name.
        files: The newest file of every granule of the period (in time order).
        downloaded: Files fetched by this run.
        skipped: Files already present that verified (nothing fetched).
        bytes_resumed: Bytes of ``.part`` files from an earlier run that were kept.
    """

    product: str
    files: tuple[str, ...] = ()
    downloaded: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    bytes_resumed: int = 0


def download_smap(short_name: str, start: date, end: date, out_dir: str | os.PathLike[str], *,
                  bbox: BBox | None = None, workers: int = 4, retry: RetryPolicy | None = None,
                  catalog: CmrCatalog | None = None, files: SessionFactory | None = None,
                  progress: Progress | None = None) -> JobReport[DownloadExtras]:
    """Download the newest file of every granule of ``short_name`` on days ``start..end``.

    Args:
        short_name: A SMAP short name (``SPL3SMP``, ``SPL3SMP_E``, ``SPL2SMP``, …).
        start: First day.
        end: Last day (included).
        out_dir: The folder receiving the files (created if needed) and the ledger.
        bbox: ``(west, south, east, north)`` degrees; None: the globe.
        workers: Parallel transfers.
        retry: The retry policy of every request (default :class:`RetryPolicy`'s).
        catalog: Where to search (default: CMR at ``SWATHKIT_CMR_URL`` or the real one).
        files: Sessions to the product's datapool (default: its endpoint with Earthdata
            Login from the environment or netrc, opened only if a file is missing).
        progress: ``progress(done, total, file_name)`` after each file.

    Returns:
        Files found, downloaded now, already present, failed (with their reasons).

    Raises:
        InputError: an unknown product, ``end`` before ``start``, fewer than one worker.
        AuthError: no credentials, or Earthdata Login refused them (the job stops at once).
        ArchiveUnavailableError: the archive looks down.
    """
    begun = time.monotonic()
    product = smap_product(short_name)
    check_workers(workers)
    policy = retry or RetryPolicy()
    granules = find_smap(product.short_name, start, end, bbox=bbox, catalog=catalog)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tasks = [_task(g, out) for g in granules]
    with folder_lock(out, "smap download"), Ledger(out / LEDGER_NAME) as ledger, \
            ledger.run(f"smap download {product.short_name} {start}..{end}") as run:
        ledger.record_found(granules)
        missing = [t for t in tasks if not t.dest.exists()]
        sessions = files or _datapool(product.short_name, credentials=bool(missing))
        if missing:
            log_in_once(sessions, missing[0])
        with TransferEngine(sessions, workers=workers, retry=policy, verify=_hdf5) as engine:
            tally = fetch_into_ledger(engine, tasks, ledger,
                                      on_outcome=outcome_progress(progress, len(tasks)))
        run.outcome = "interrupted" if tally.interrupted else "finished"
    return _report(product.short_name, out, tasks, tally, time.monotonic() - begun)


def _task(g: Granule, out: Path) -> FetchTask:
    return FetchTask(g.id, g.remote_path, out / g.file_name, checksum=g.checksum,
                     expected_size=g.size)


def _datapool(short_name: str, *, credentials: bool) -> SessionFactory:
    """The product's datapool; with Earthdata Login only when a file is to be fetched."""
    if credentials:
        return datapool_files(settings().endpoint(cmr_product(short_name).datapool))
    return EarthdataFiles(settings().endpoint(cmr_product(short_name).datapool))


def _hdf5(path: Path) -> None:
    """A SMAP file is HDF5 (not a login page saved under its name)."""
    with Path(path).open("rb") as f:
        head = f.read(len(HDF5_MAGIC))
    if head != HDF5_MAGIC:
        raise VerificationError(f"{Path(path).name} is not an HDF5 file (it starts with "
                                f"{head!r})")


def _report(short_name: str, out: Path, tasks: list[FetchTask], tally: FetchTally,
            seconds: float) -> JobReport[DownloadExtras]:
    names = {t.key: t.dest.name for t in tasks}
    counts = {"found": len(tasks), "downloaded": len(tally.downloaded),
              "skipped": len(tally.skipped), "not_published": len(tally.not_published),
              "failed": len(tally.failures)}
    notes = {"downloaded": f"{tally.bytes_received / 1e6:,.1f} MB"}
    if tally.bytes_resumed:
        notes["downloaded"] += f" (+{tally.bytes_resumed / 1e6:,.1f} MB resumed)"
    failures = tuple(sorted(tally.failures, key=lambda f: (f.kind, f.item)))
    extras = DownloadExtras(short_name, tuple(t.dest.name for t in tasks),
                            tuple(names[k] for k in tally.downloaded),
                            tuple(names[k] for k in tally.skipped), tally.bytes_resumed)
    return JobReport(job="smap download", target=str(out), unit="files", counts=counts,
                     notes=notes, failures=failures, bytes=tally.bytes_received,
                     seconds=seconds, interrupted=tally.interrupted,
                     unfinished=len(tasks) - tally.done, extras=extras)
