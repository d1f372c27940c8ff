"""Fetch tasks through the transfer engine into the ledger: the loop every download runs.

::

    tasks (lazy) ──► TransferEngine ──► outcome ──► ledger ──► on_outcome(outcome)
                                        fetched      record_fetched (bytes, seconds, attempts)
                                        not published record_not_published (not a failure)
                                        failed       record_failure (its kind, reason, attempts)

Each outcome is in the ledger before the caller's ``on_outcome`` sees it, so a
caller may hand the file on (extraction, a progress bar) and a crash at any
point leaves the ledger telling the truth. Ctrl-C ends the loop: the tally says
``interrupted`` and the ``.part`` files stay for the next run to resume. What
concerns the whole job (credentials refused, the archive down) is raised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from swathkit.errors import AuthError, FetchError, InputError, StoreLockedError
from swathkit.ledger import Ledger
from swathkit.stores.location import as_location, writer_lock
from swathkit.transfer.engine import TransferEngine
from swathkit.transfer.session import SessionFactory
from swathkit.transfer.tasks import FetchFailure, FetchResult, FetchTask
from swathkit.types import Failure, FailureKind, Progress

__all__ = ["FetchOutcome", "FetchTally", "NotPublished", "check_workers", "fetch_into_ledger",
           "log_in_once"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NotPublished:
    """The archive has no such file (HTTP 404, no such path): an answer, not a failure."""

    task: FetchTask
    attempts: int
    reason: str


FetchOutcome = FetchResult | NotPublished | FetchFailure
"""What ``on_outcome`` receives: a verified file, a file not published, or a failure."""


@dataclass
class FetchTally:
    """What one :func:`fetch_into_ledger` run did (task keys in completion order).

    Attributes:
        downloaded: Keys of files fetched now.
        skipped: Keys of files already present that verified (nothing fetched).
        not_published: Keys the archive does not have.
        failures: What failed, with its kind.
        bytes_received: Bytes moved over the network by this run.
        bytes_resumed: Bytes of ``.part`` files left by an earlier run and kept.
        interrupted: Ctrl-C stopped the run before every task was done.
    """

    downloaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    not_published: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    bytes_received: int = 0
    bytes_resumed: int = 0
    interrupted: bool = False

    @property
    def done(self) -> int:
        """Tasks finished, whatever their outcome."""
        return (len(self.downloaded) + len(self.skipped) + len(self.not_published)
                + len(self.failures))


def check_workers(workers: int, what: str = "workers") -> int:
    """``workers`` if at least 1.

    Raises:
        InputError: fewer than one worker.
    """
    if workers < 1:
        raise InputError(f"{what} must be at least 1, not {workers}")
    return workers


def fetch_into_ledger(engine: TransferEngine, tasks: Iterable[FetchTask], ledger: Ledger, *,
                      on_outcome: Callable[[FetchOutcome], None] | None = None) -> FetchTally:
    """Run ``tasks`` through ``engine``, record every outcome in ``ledger``, then tell the caller.

    Tasks are pulled lazily (the engine takes at most ``2 × workers`` ahead), so a
    caller may generate them from the ledger as it goes.

    Args:
        engine: The transfer engine (the caller owns and closes it).
        tasks: What to fetch; each ``key`` must be an item of ``ledger``.
        ledger: Where each outcome is recorded before ``on_outcome`` runs.
        on_outcome: Called with each outcome, in completion order, from this thread.

    Returns:
        The tally; ``interrupted`` if Ctrl-C stopped it.

    Raises:
        AuthError: The archive refused the credentials (no retries were made).
        ArchiveUnavailableError: The circuit breaker gave up on the archive.
    """
    tally = FetchTally()
    try:
        for outcome in engine.run(tasks):
            recorded = _record(outcome, ledger, tally)
            if on_outcome is not None:
                on_outcome(recorded)
    except KeyboardInterrupt:
        tally.interrupted = True
    return tally


def _record(outcome: FetchResult | FetchFailure, ledger: Ledger,
            tally: FetchTally) -> FetchOutcome:
    key = outcome.task.key
    if isinstance(outcome, FetchResult):
        ledger.record_fetched(key, size=outcome.bytes, attempts=outcome.attempts,
                              seconds=None if outcome.skipped else outcome.seconds)
        (tally.skipped if outcome.skipped else tally.downloaded).append(key)
        if not outcome.skipped:
            tally.bytes_received += outcome.bytes - outcome.resumed_from
            tally.bytes_resumed += outcome.resumed_from
        return outcome
    failure = outcome.failure
    if failure.kind is FailureKind.NOT_PUBLISHED:
        ledger.record_not_published(key, attempts=failure.attempts, reason=failure.reason)
        tally.not_published.append(key)
        return NotPublished(outcome.task, failure.attempts, failure.reason)
    ledger.record_failure(failure)
    tally.failures.append(failure)
    return outcome


def log_in_once(sessions: SessionFactory, task: FetchTask) -> None:
    """Ask for one file's size on one session, so a refused password is met once, not
    by every worker at the same time (which could lock the account).

    Raises:
        AuthError: the login was refused. Other errors are left to the engine's retries.
    """
    session = sessions.open()
    try:
        session.size(task.remote)
    except AuthError:
        raise
    except FetchError as exc:
        log.info("first request to %s failed (%s); the transfers will retry", sessions.host,
                 exc)
    finally:
        session.close()


@contextmanager
def folder_lock(out: Path, job: str) -> Iterator[None]:
    """Hold the writer lock of the download folder ``out`` for one run of ``job``: a second
    run on the same folder is refused at once (an ``InputError``), and the kernel releases
    the lock of a run that dies."""
    stack = ExitStack()
    try:
        stack.enter_context(writer_lock(as_location(out)))
    except StoreLockedError:
        raise InputError(f"{out}: another '{job}' is writing there; wait for it to end or "
                         "pick another --out") from None
    with stack:
        yield


def outcome_progress(progress: Progress | None,
                     total: int) -> Callable[[FetchOutcome], None] | None:
    """An ``on_outcome`` for :func:`fetch_into_ledger` that reports each file to
    ``progress`` as ``(done, total, file name)``; None without ``progress``."""
    if progress is None:
        return None
    done = 0

    def after(outcome: FetchOutcome) -> None:
        nonlocal done
        done += 1
        progress(done, total, outcome.task.dest.name)

    return after
