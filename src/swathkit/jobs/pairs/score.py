"""``pairs score``: score every pair not scored yet, reading only the DSWE windows it needs.

For each row of the pair table in state ``candidate`` or ``failed``, the INWAM COGs of its
DSWE tiles are opened over HTTP (:class:`~swathkit.archives.http_range.RangeOpener`: Range
reads through :class:`~swathkit.archives.http.HttpClient`, with the ERS login when
credentials are configured, anonymous otherwise; a login page answered instead of a TIFF
is an ``AuthError``); the COG tiles under the SAR footprint's box are fetched in a few
merged Range requests (:mod:`.cog_tiles`), then the windows are merged and scored
(:func:`swathkit.jobs.pairs.score_files.score_files`). ``workers`` pairs are scored at a
time (threads: the reads wait on the network, GDAL decodes without the GIL), so a distant
archive's round trips overlap; they share one opener, whose block cache is kept across
pairs and which fetches a block once however many threads want it, so adjacent frames of
a pass sharing a tile read its blocks once. What is recorded does not depend on the order
the pairs finish: the table is kept sorted by pair key. The row becomes
``scored`` or ``failed`` with its reason; rows are recorded every ``batch`` pairs (a
journal segment of the table, folded in at the end), so an interrupted run loses at most
one batch and a re-run scores only what is left. Scored rows are never
read again.

Asset URLs follow LandsatLook's layout from the tile id, under
``settings().endpoint("landsatlook")`` (``SWATHKIT_LANDSATLOOK_URL``).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from swathkit.archives.ers import ErsAuth
from swathkit.archives.http import HttpClient
from swathkit.archives.http_range import RangeOpener
from swathkit.config import settings
from swathkit.errors import FetchError, FormatError, InputError
from swathkit.jobs.pairs.cog_tiles import prefetch_tiles
from swathkit.jobs.pairs.score_files import score_files
from swathkit.jobs.pairs.status import pair_item
from swathkit.jobs.report import JobReport
from swathkit.process.overlap import ScoreRules
from swathkit.products.dswe.names import TileId, asset_href
from swathkit.stores.pair_table import PairRow, PairTable
from swathkit.transfer.retry import RetryPolicy
from swathkit.types import Failure, Progress

__all__ = ["CACHE_BYTES", "SCORE_BLOCK_SIZE", "SCORE_GAP", "SCORE_HEAD", "SCORE_WORKERS",
           "PairBytes", "ScoreExtras", "asset_urls", "score_pairs"]

SCORE_BLOCK_SIZE = 1024
"""Bytes per Range block: a COG's internal tiles are small (a few KB deflated), and the
runs of them a pair needs are fetched in one request each (:mod:`.cog_tiles`), so a small
block wastes little at the ends of a run."""
SCORE_GAP = 2 * 1024
"""Runs of tiles at most this far apart are fetched in one request (the bytes between
them too). Measured on the Gulf-coast benchmark (15 pairs, 5000 px COGs): 1 KB blocks
with 2 KB gaps read 486 KB in 50 requests; 8 KB blocks merging rows (as before) 602 KB
in 29; 512 B blocks with 2 KB gaps 419 KB in 73."""
CACHE_BYTES = 32 * 1024 * 1024
"""Blocks kept across pairs (the tiles of one date serve the adjacent frames of a path)."""
SCORE_HEAD = 8 * 1024
"""Bytes of a COG's first request: its header (IFDs and tile offsets) in one round trip."""
SCORE_WORKERS = 8
"""Pairs scored at a time: each waits on its own round trips (measured on the Gulf-coast
benchmark at 80 ms, 15 pairs: 2.0–2.4 s for the score step with 8, 2.4–2.5 s with 4,
2.3–2.9 s with 12: on 2 cores the decoding and counting then compete)."""


@dataclass(frozen=True)
class PairBytes:
    """What scoring one pair read: bytes fetched over HTTP of the tiles' total size."""

    sar_id: str
    dswe_date: str
    fetched: int
    file_bytes: int


@dataclass(frozen=True)
class ScoreExtras:
    """Per pair, the bytes read; and the HTTP requests of the run."""

    pairs: tuple[PairBytes, ...]
    requests: int
    file_bytes: int


def asset_urls(dswe_ids: Sequence[str], base_url: str | None = None) -> list[str]:
    """The INWAM asset URLs of DSWE item ids (``…_DSWE``)."""
    base = base_url or settings().endpoint("landsatlook")
    return [asset_href(base, TileId.parse(i)) for i in dswe_ids]


def score_pairs(table: str | Path, *, rules: ScoreRules | None = None, batch: int = 25,
                block_size: int = SCORE_BLOCK_SIZE, head: int = SCORE_HEAD,
                workers: int = SCORE_WORKERS,
                retry: RetryPolicy | None = None,
                progress: Progress | None = None) -> JobReport[ScoreExtras]:
    """Score the pairs of ``table`` not scored yet; record each as scored or failed.

    Raises:
        InputError: a bad batch size or worker count; StoreError: the table is unreadable.
    """
    if batch < 1:
        raise InputError(f"batch {batch}: give 1 or more pairs per write")
    if workers < 1:
        raise InputError(f"workers {workers}: give 1 or more")
    begun, store = time.monotonic(), PairTable(table)
    todo = store.rows("candidate") + store.rows("failed")
    todo.sort(key=lambda r: r.key)
    failures: list[Failure] = []
    used: list[PairBytes] = []
    base = settings().endpoint("landsatlook")
    workers = min(workers, max(1, len(todo)))
    interrupted = False
    with _opener(workers, _auth(base), block_size, head, retry) as opener:
        try:
            _run(todo, store, batch, base, rules, opener, workers, used, failures, progress)
        except KeyboardInterrupt:
            interrupted = True  # the batches recorded stay; a re-run scores the rest
    used.sort(key=lambda p: (p.sar_id, p.dswe_date))
    failures.sort(key=lambda f: f.item)
    scored = len(used) - len(failures)
    return JobReport(job="pairs score", target=str(table), unit="pairs",
                     counts={"to_score": len(todo), "scored": scored, "failed": len(failures)},
                     failures=tuple(failures), bytes=sum(p.fetched for p in used),
                     seconds=time.monotonic() - begun, interrupted=interrupted,
                     unfinished=len(todo) - len(used),
                     extras=ScoreExtras(tuple(used), opener.requests,
                                        sum(p.file_bytes for p in used)))


@contextmanager
def _opener(workers: int, auth: ErsAuth, block_size: int, head: int,
            retry: RetryPolicy | None) -> Iterator[RangeOpener]:
    """One opener for the workers, with a client each (a client serves one thread)."""
    clients = [HttpClient(auth=auth) for _ in range(workers)]  # one ERS login, shared
    try:
        yield RangeOpener(clients, block_size=block_size,
                          cache_blocks=max(1, CACHE_BYTES // block_size), retry=retry,
                          head=head)
    finally:
        for http in clients:
            http.close()


_Scored = tuple[PairRow, PairBytes, Failure | None]


def _run(todo: Sequence[PairRow], store: PairTable, batch: int, base: str,
         rules: ScoreRules | None, opener: RangeOpener, workers: int, used: list[PairBytes],
         failures: list[Failure], progress: Progress | None) -> None:
    """Score ``todo`` on the workers, recording every ``batch`` rows as they come (and
    what is done on Ctrl-C)."""
    results: queue.Queue[_Scored | BaseException] = queue.Queue()
    stop = threading.Event()

    def work(row: PairRow) -> None:
        if stop.is_set():
            return
        try:
            results.put(_score_one(row, base, rules, opener))
        except BaseException as exc:  # handed to the waiting thread, which raises it
            results.put(exc)

    done: list[PairRow] = []
    pool = ThreadPoolExecutor(workers, thread_name_prefix="pairs-score")
    total = len(todo)
    try:
        for row in todo:
            pool.submit(work, row)
        for n in range(1, total + 1):
            got = results.get()
            if isinstance(got, BaseException):
                raise got
            out, spent, failure = got
            done.append(out)
            used.append(spent)
            if failure is not None:
                failures.append(failure)
            if len(done) >= batch:
                store.record(done)
                done = []
            if progress is not None:
                progress(n, total, out.candidate.sar_name)
    finally:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        _drain(results, done, used, failures)
        store.record(done)
        store.compact()


def _drain(results: queue.Queue[_Scored | BaseException], done: list[PairRow],
           used: list[PairBytes], failures: list[Failure]) -> None:
    """Keep what the workers finished after the main thread stopped waiting."""
    while True:
        try:
            got = results.get_nowait()
        except queue.Empty:
            return
        if not isinstance(got, BaseException):
            done.append(got[0])
            used.append(got[1])
            if got[2] is not None:
                failures.append(got[2])


def _score_one(row: PairRow, base: str, rules: ScoreRules | None,
               opener: RangeOpener) -> _Scored:
    before = opener.thread_bytes()
    out, size, error = _score(row, base, rules, opener)
    spent = PairBytes(row.candidate.sar_id, row.candidate.dswe_date.isoformat(),
                      opener.thread_bytes() - before, size)
    return out, spent, None if error is None else Failure.from_error(pair_item(row), error)


def _score(row: PairRow, base: str, rules: ScoreRules | None,
           opener: RangeOpener) -> tuple[PairRow, int, Exception | None]:
    import rasterio

    c = row.candidate
    opener.last_error = None
    try:
        urls = asset_urls(c.dswe_ids, base)
        with rasterio.Env(GDAL_DISABLE_READDIR_ON_OPEN="EMPTY_DIR"):  # no sidecar probes
            prefetch_tiles(urls, c.sar_polygon, opener, gap=max(1, SCORE_GAP // opener.block_size),
                           within=(rules or ScoreRules()).within)
            result = score_files(urls, c.sar_polygon, rules=rules, opener=opener)
    except (FetchError, InputError, FormatError) as raised:
        exc = opener.last_error or raised  # what GDAL's error hides
        return row.failed(f"{type(exc).__name__}: {exc}"), 0, exc
    return row.scored(result.score), result.file_bytes or 0, None


def _auth(base: str) -> ErsAuth:
    return ErsAuth.configured(asset_hosts=[urlsplit(base).netloc])  # or anonymous
