"""One worker thread: a persistent session, and the attempts at each file it is given.

A worker keeps its session across files. A slot of the host's concurrency cap
is the licence to hold a session: taken before opening one, given back with
it. So a transient failure (the connection may be broken) closes the session
and frees the slot; under a lowered cap, workers beyond it close theirs after
their current file; and an idle worker hands its slot to one that waits. The
host therefore sees at most ``limit`` connections, never idle ones on top.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from swathkit.errors import (
    AuthError,
    PermanentFetchError,
    ThrottledError,
    TransientFetchError,
    VerificationError,
)
from swathkit.transfer.download import Downloaded, Interrupted, Verify, fetch_file, verified_size
from swathkit.transfer.limits import AdaptiveLimit, CircuitBreaker, Sleep
from swathkit.transfer.pool import SessionPool, discard
from swathkit.transfer.retry import RetryPolicy
from swathkit.transfer.session import Session
from swathkit.transfer.tasks import FetchFailure, FetchResult, FetchTask

__all__ = ["Emit", "Job", "Worker"]

log = logging.getLogger(__name__)
# Errors are logged as text, never as objects: a handler keeping records (pytest's, a
# queue's) would keep each error's traceback alive, and with it the frames holding a
# session's response and connection pool.

Emit = Callable[[str, FetchTask, dict[str, Any]], object]
Outcome = FetchResult | FetchFailure
_POLL = 0.05  # seconds between checks of the stop event while idle


def _no_event(kind: str, task: FetchTask, info: dict[str, Any]) -> None:
    return None


@dataclass
class Job:
    """What the workers of one run share."""

    pool: SessionPool
    retry: RetryPolicy
    limit: AdaptiveLimit
    breaker: CircuitBreaker
    stop: threading.Event
    sleep: Sleep
    verify: Verify | None = None
    force: bool = False
    emit: Emit = _no_event
    tasks: queue.Queue[FetchTask] = field(default_factory=queue.Queue)
    results: queue.Queue[Outcome] = field(default_factory=queue.Queue)
    fatal: BaseException | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, error: BaseException) -> None:
        """Stop every worker; the first error is what the run raises."""
        with self._lock:
            if self.fatal is None:
                self.fatal = error
        self.stop.set()


@dataclass
class _Attempts:
    task: FetchTask
    started: float = field(default_factory=time.monotonic)
    count: int = 0
    verify_failures: int = 0


class Worker:
    """Takes tasks from ``job.tasks`` and puts outcomes in ``job.results`` until stopped."""

    def __init__(self, job: Job, name: str) -> None:
        self.job = job
        self.name = name
        self.session: Session | None = None
        self.slot = False

    def run(self) -> None:
        """Thread body. Any unexpected error stops the whole run and is re-raised there."""
        try:
            while not self.job.stop.is_set():
                try:
                    task = self.job.tasks.get(timeout=_POLL)
                except queue.Empty:
                    if self.slot and self.job.limit.waiting:  # idle: let a waiting worker in
                        self._let_go()
                    continue
                self.job.results.put(self.fetch(task))
                if self.slot and self.job.limit.release_if_over():
                    self.slot = False
                    self._drop_session()
        except Interrupted:
            log.debug("%s stopped", self.name)
        except BaseException as exc:  # forwarded to the caller's thread by the engine, not lost
            self._drop_session()  # in an unknown state: not worth keeping
            self.job.fail(exc)
        finally:
            if self.session is not None:
                self.job.pool.give_back(self.session)
                self.session = None
            if self.slot:
                self.job.limit.release()
                self.slot = False

    def fetch(self, task: FetchTask) -> Outcome:
        """Fetch one file with retries; a failure is returned, not raised.

        Every attempt counts towards ``retry.max_attempts``, including one refused
        by a throttling host before a byte moved.

        Raises:
            AuthError: Credentials refused (the job must stop).
            ArchiveUnavailableError: The circuit breaker tripped.
            Interrupted: The job is stopping.
        """
        self.job.emit("start", task, {"worker": self.name})
        state = _Attempts(task)
        skipped = self._skip(state)
        if skipped is not None:
            return skipped
        while True:
            self.job.breaker.wait(self.job.stop)
            if self.job.stop.is_set():
                raise Interrupted("stopping")
            state.count += 1
            try:
                done = self._attempt(task)
            except AuthError:
                raise
            except (TransientFetchError, VerificationError, PermanentFetchError) as exc:
                if not self._may_retry(state, exc):
                    return self._failure(state, exc)
                continue
            return self._success(state, done)

    def _skip(self, state: _Attempts) -> FetchResult | None:
        task = state.task
        if self.job.force:
            return None
        size = verified_size(task.dest, checksum=task.checksum, expected_size=task.expected_size,
                             verify=self.job.verify)
        if size is None:
            return None
        result = FetchResult(task, task.dest, size, 0, time.monotonic() - state.started,
                             skipped=True)
        self.job.emit("done", task, {"bytes": size, "attempts": 0, "skipped": True,
                                     "seconds": result.seconds, "resumed_from": 0})
        return result

    def _attempt(self, task: FetchTask) -> Downloaded:
        self._take_slot()
        generation = self.job.limit.generation  # a throttle of this request halves the cap
        try:
            if self.session is None:
                self.session = self.job.pool.get()
            return fetch_file(self.session, task.remote, task.dest, checksum=task.checksum,
                              expected_size=task.expected_size, verify=self.job.verify,
                              stop=self.job.stop)
        except TransientFetchError as exc:
            self._let_go()  # the connection may be broken: the next attempt reopens
            if isinstance(exc, ThrottledError):
                self._throttled(task, exc, generation)
            raise

    def _take_slot(self) -> None:
        while not self.slot:
            if self.job.stop.is_set():
                raise Interrupted("stopped while waiting for a slot")
            self.slot = self.job.limit.acquire(timeout=_POLL)

    def _let_go(self) -> None:
        """Close the session and give its slot back."""
        self._drop_session()
        if self.slot:
            self.job.limit.release()
            self.slot = False

    def _drop_session(self) -> None:
        if self.session is not None:
            discard(self.session)
            self.session = None

    def _throttled(self, task: FetchTask, exc: ThrottledError, generation: int) -> None:
        limit = self.job.limit.throttled(generation)
        log.info("%s throttled %s (%s); concurrency cap %d", self.job.pool.factory.host,
                 task.remote, str(exc), limit)
        self.job.emit("throttled", task, {"limit": limit, "retry_after": exc.retry_after})

    def _may_retry(self, state: _Attempts, exc: Exception) -> bool:
        if isinstance(exc, VerificationError):
            state.verify_failures += 1
        if not isinstance(exc, PermanentFetchError):  # a 404 says the server is alive
            self.job.breaker.record_failure(exc, on_pause=self._on_pause(state.task))
        if not self.job.retry.should_retry(exc, attempts=state.count,
                                           verify_failures=state.verify_failures):
            return False
        delay = self.job.retry.delay(state.count, exc)
        log.info("retrying %s in %.2f s after attempt %d: %s: %s", state.task.remote, delay,
                 state.count, type(exc).__name__, str(exc))
        self.job.emit("retry", state.task, {"attempt": state.count, "delay": delay,
                                            "error_class": type(exc).__name__,
                                            "message": str(exc)})
        self.job.sleep(delay)
        return True

    def _on_pause(self, task: FetchTask) -> Callable[[float, int], None]:
        def on_pause(seconds: float, failures: int) -> None:
            self.job.emit("paused", task, {"seconds": seconds, "failures": failures})
        return on_pause

    def _failure(self, state: _Attempts, exc: Exception) -> FetchFailure:
        outcome = FetchFailure.of(state.task, exc, state.count)
        log.warning("failed %s after %d attempt(s): %s: %s", state.task.remote, state.count,
                    type(exc).__name__, outcome.failure.reason)
        self.job.emit("failed", state.task, {"kind": outcome.kind.value, "message": str(exc),
                                             "attempts": outcome.attempts})
        return outcome

    def _success(self, state: _Attempts, done: Downloaded) -> FetchResult:
        self.job.limit.succeeded()
        self.job.breaker.record_success()
        result = FetchResult(state.task, done.path, done.size, state.count,
                             time.monotonic() - state.started, resumed_from=done.resumed_from)
        self.job.emit("done", state.task, {"bytes": done.size, "attempts": state.count,
                                           "skipped": False, "seconds": result.seconds,
                                           "resumed_from": done.resumed_from})
        return result
