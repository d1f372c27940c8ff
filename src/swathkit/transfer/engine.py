"""The transfer engine: many files from one archive to local disk, none lost.

::

    tasks (lazy) ──► bounded queue ──► worker threads ──► results, as they complete
                                       one session each, reused across files;
                                       retries, adaptive cap, circuit breaker

``run`` pulls tasks only as workers free up, so memory stays bounded whatever
the number of files. Failures of single files are yielded as ``FetchFailure``;
what concerns the whole job is raised: ``AuthError`` (at once, never retried,
so a wrong password does not lock the account), ``ArchiveUnavailableError``
(the breaker gave up). Stopping (Ctrl-C, ``close``, leaving the loop) keeps the
``.part`` files, so running the same tasks again resumes them.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterable, Iterator
from types import TracebackType

from swathkit.errors import AuthError
from swathkit.transfer.download import Verify
from swathkit.transfer.limits import AdaptiveLimit, CircuitBreaker, Sleep
from swathkit.transfer.pool import SessionPool
from swathkit.transfer.retry import RetryPolicy
from swathkit.transfer.session import SessionFactory
from swathkit.transfer.tasks import FetchFailure, FetchResult, FetchTask
from swathkit.transfer.worker import Emit, Job, Outcome, Worker

__all__ = ["FetchFailure", "FetchResult", "FetchTask", "TransferEngine"]

log = logging.getLogger(__name__)

_POLL = 0.05  # seconds between checks for a job-stopping error while waiting
_JOIN_TIMEOUT = 10.0  # a worker stuck in a blocking read is abandoned (daemon) after this


class TransferEngine:
    """Fetches files through a ``SessionFactory`` with a pool of worker threads.

    Args:
        factory: Opens sessions to the archive's host.
        workers: Worker threads, each holding one persistent session.
        retry: When and how long to wait before trying a file again.
        breaker: Pauses and finally stops a job whose archive looks down
            (default: 10 failures, 30 s pauses, 3 pauses, sleeping with ``sleep``).
        limit: Per-host concurrency cap; pass the same one to engines sharing a host
            (default: starts at ``workers``).
        verify: Called with each downloaded file before it is renamed into place;
            raises ``VerificationError`` or a ``ProductError`` if the file is bad.
        force: Fetch files again even if ``dest`` exists and verifies.
        sleep: Waits out backoffs (and the default breaker's pauses). Default: a wait
            that ``close()`` or Ctrl-C interrupts at once. Inject a fake in tests.
        on_event: ``on_event(kind, task, info)`` with kind one of "start", "retry",
            "done", "failed", "throttled", "paused". Called from worker threads.

    Example:
        >>> with TransferEngine(factory, workers=4, verify=verify_l1b) as engine:  # doctest: +SKIP
        ...     for outcome in engine.run(tasks):
        ...         ledger.record(outcome)
    """

    def __init__(self, factory: SessionFactory, *, workers: int = 4,
                 retry: RetryPolicy | None = None, breaker: CircuitBreaker | None = None,
                 limit: AdaptiveLimit | None = None, verify: Verify | None = None,
                 force: bool = False, sleep: Sleep | None = None,
                 on_event: Emit | None = None) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        self.host = factory.host
        self.workers = workers
        self.retry = retry or RetryPolicy()
        self.limit = limit or AdaptiveLimit(workers)
        self._stop = threading.Event()  # replaced by a fresh one for every run
        self._sleep: Sleep = sleep if sleep is not None else self._interruptible_sleep
        self.breaker = breaker or CircuitBreaker(host=self.host, sleep=self._sleep)
        self.verify = verify
        self.force = force
        self.on_event = on_event
        self._pool = SessionPool(factory)
        self._threads: list[threading.Thread] = []
        self._running = False
        self._closed = False

    @property
    def sessions_opened(self) -> int:
        """Sessions opened so far by this engine."""
        return self._pool.opened

    def run(self, tasks: Iterable[FetchTask]) -> Iterator[FetchResult | FetchFailure]:
        """Fetch every task, yielding each outcome as soon as it is known (in any order).

        Tasks are pulled lazily: at most ``2 * workers`` are taken ahead of the
        outcomes already yielded.

        Raises:
            AuthError: The archive refused the credentials (no retries were made).
            ArchiveUnavailableError: The circuit breaker gave up on the archive.
            RuntimeError: The engine is closed (before or during the run) or already running.
        """
        if self._closed or self._running:
            raise RuntimeError("TransferEngine is closed" if self._closed
                               else "TransferEngine.run is already in progress")
        job = self._start()
        try:
            yield from self._drive(job, iter(tasks))
        finally:
            self._stop_workers()

    def close(self) -> None:
        """Stop a run in progress (keeping ``.part`` files) and close every session."""
        self._stop_workers()
        self._closed = True
        self._pool.close()

    def __enter__(self) -> TransferEngine:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _start(self) -> Job:
        self._stop = threading.Event()
        self._running = True
        job = Job(self._pool, self.retry, self.limit, self.breaker, self._stop, self._sleep,
                  verify=self.verify, force=self.force, emit=self._emit)
        self._threads = [threading.Thread(target=Worker(job, f"fetch-{i}").run,
                                          name=f"swathkit-fetch-{i}", daemon=True)
                         for i in range(self.workers)]
        for thread in self._threads:
            thread.start()
        return job

    def _drive(self, job: Job, tasks: Iterator[FetchTask]) -> Iterator[Outcome]:
        pending = 0
        exhausted = False
        while True:
            while not exhausted and pending < 2 * self.workers:
                task = next(tasks, None)
                if task is None:
                    exhausted = True
                else:
                    job.tasks.put(task)
                    pending += 1
            if pending == 0:
                return
            outcome = self._next_outcome(job)
            if outcome is None:  # a job-stopping error: let in-flight work stop, then raise
                self._stop_workers()
                yield from _drain(job.results)
                raise self._job_error(job)
            pending -= 1
            yield outcome

    def _next_outcome(self, job: Job) -> Outcome | None:
        while job.fatal is None:
            try:
                return job.results.get(timeout=_POLL)
            except queue.Empty:
                if job.stop.is_set() and job.fatal is None:  # close() from another thread
                    raise RuntimeError("TransferEngine was closed during run(); the tasks "
                                       "not yielded yet were not fetched") from None
        return None

    def _job_error(self, job: Job) -> BaseException:
        error = job.fatal
        assert error is not None
        if isinstance(error, AuthError):
            new = AuthError(f"{self.host} refused the credentials ({error}); the job stopped "
                            "at once, without retrying, so the account is not locked out. "
                            "Check the username and password.")
            new.__cause__ = error
            return new
        return error

    def _stop_workers(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(_JOIN_TIMEOUT)
            if thread.is_alive():
                log.warning("%s is still blocked in a transfer; leaving it behind", thread.name)
        self._threads = []
        self._running = False

    def _interruptible_sleep(self, seconds: float) -> None:
        self._stop.wait(seconds)

    def _emit(self, kind: str, task: FetchTask, info: dict[str, object]) -> None:
        if self.on_event is not None:
            self.on_event(kind, task, info)


def _drain(results: queue.Queue[Outcome]) -> Iterator[Outcome]:
    while True:
        try:
            yield results.get_nowait()
        except queue.Empty:
            return
