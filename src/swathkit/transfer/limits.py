"""How hard to push a host: an adaptive concurrency cap and a circuit breaker.

``AdaptiveLimit`` is additive-increase / multiplicative-decrease: it halves
when the host says "slow down" and creeps back one slot at a time after a run
of successes. ``CircuitBreaker`` watches consecutive failures across the whole
job: it pauses everybody for a while, and after a few pauses without a single
success it gives up with ``ArchiveUnavailableError`` instead of hammering a
server that is down.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from types import TracebackType

from swathkit.errors import ArchiveUnavailableError

__all__ = ["AdaptiveLimit", "CircuitBreaker", "Sleep"]

log = logging.getLogger(__name__)

Sleep = Callable[[float], object]
"""Something that waits a number of seconds (``time.sleep``, ``Event.wait``, a test fake)."""


class AdaptiveLimit:
    """A thread-safe concurrency cap for one host that backs off when throttled.

    Use as a context manager (``with limit: ...``) or with ``acquire``/``release``.
    Lowering the cap never revokes slots already held; it makes new holders wait,
    and holders can give theirs back with ``release_if_over``.

    Args:
        workers: The starting and largest cap.
        recover_after: Consecutive successes that earn one more slot.
    """

    def __init__(self, workers: int, *, recover_after: int = 10) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        if recover_after < 1:
            raise ValueError(f"recover_after must be at least 1, not {recover_after}")
        self.maximum = workers
        self.recover_after = recover_after
        self._limit = workers
        self._in_use = 0
        self._waiting = 0
        self._streak = 0
        self._generation = 0
        self._cond = threading.Condition()

    @property
    def limit(self) -> int:
        """The current cap."""
        return self._limit

    @property
    def in_use(self) -> int:
        """Slots held right now."""
        return self._in_use

    @property
    def waiting(self) -> int:
        """Threads blocked in ``acquire`` right now."""
        return self._waiting

    @property
    def generation(self) -> int:
        """Counts decreases; pass it to ``throttled`` to react once per decrease."""
        return self._generation

    def acquire(self, timeout: float | None = None) -> bool:
        """Take a slot, waiting up to ``timeout`` seconds (forever if None); True if taken."""
        with self._cond:
            self._waiting += 1
            try:
                if not self._cond.wait_for(lambda: self._in_use < self._limit, timeout):
                    return False
            finally:
                self._waiting -= 1
            self._in_use += 1
            return True

    def release(self) -> None:
        """Give a slot back."""
        with self._cond:
            if self._in_use <= 0:
                raise RuntimeError("release() without a matching acquire()")
            self._in_use -= 1
            self._cond.notify()

    def release_if_over(self) -> bool:
        """Give a slot back if more are held than the (lowered) cap allows; True if given."""
        with self._cond:
            if self._in_use <= self._limit:
                return False
            self._in_use -= 1
            self._cond.notify()
            return True

    def __enter__(self) -> AdaptiveLimit:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()

    def throttled(self, generation: int | None = None) -> int:
        """Halve the cap (never below 1) after a ``ThrottledError``; returns the new cap.

        Args:
            generation: ``self.generation`` when the throttled request started. Requests
                that started before the latest decrease were already reacted to, so
                they do not halve the cap again (one halving per burst of 429s).
        """
        with self._cond:
            self._streak = 0
            if generation is not None and generation != self._generation:
                return self._limit
            self._limit = max(1, (self._limit + 1) // 2)
            self._generation += 1
            log.info("throttled: concurrency cap now %d", self._limit)
            return self._limit

    def succeeded(self) -> int:
        """Count a success; every ``recover_after`` in a row add a slot. Returns the cap."""
        with self._cond:
            self._streak += 1
            if self._streak >= self.recover_after and self._limit < self.maximum:
                self._limit += 1
                self._streak = 0
                self._cond.notify()
            return self._limit


class CircuitBreaker:
    """Stops a job whose archive looks down, after pausing a few times first.

    Every ``threshold`` consecutive failures (of any file) pause all workers for
    ``cooldown`` seconds; a success resets the count. Reaching the threshold again
    after ``max_pauses`` pauses without a success trips the breaker for good.

    Args:
        threshold: Consecutive failures that trigger a pause.
        cooldown: Seconds of each pause.
        max_pauses: Pauses without a success before the breaker trips.
        sleep: How to wait out a pause (injectable so tests run fast).
        host: Named in the error message.
    """

    def __init__(self, *, threshold: int = 10, cooldown: float = 30.0, max_pauses: int = 3,
                 sleep: Sleep = time.sleep, host: str = "the archive") -> None:
        if threshold < 1 or max_pauses < 0 or cooldown < 0:
            raise ValueError("need threshold >= 1, max_pauses >= 0 and cooldown >= 0")
        self.threshold = threshold
        self.cooldown = cooldown
        self.max_pauses = max_pauses
        self.host = host
        self._sleep = sleep
        self._consecutive = 0  # since the last pause
        self._failures = 0  # since the last success
        self._pauses = 0
        self._paused = False
        self._tripped: str | None = None
        self._cond = threading.Condition()

    @property
    def paused(self) -> bool:
        """Whether workers are being held right now."""
        return self._paused

    @property
    def tripped(self) -> bool:
        """Whether the breaker gave up; every later call raises."""
        return self._tripped is not None

    def record_success(self) -> None:
        """A fetch worked: the archive is alive, start counting afresh."""
        with self._cond:
            self._consecutive = self._failures = self._pauses = 0

    def record_failure(self, error: BaseException, *,
                       on_pause: Callable[[float, int], object] | None = None) -> None:
        """Count a failure; may pause the calling thread (and hold all others) or trip.

        Args:
            error: The failure, named in the message if the breaker trips.
            on_pause: Called with (seconds, consecutive failures) when a pause starts.

        Raises:
            ArchiveUnavailableError: The breaker tripped (now or earlier).
        """
        with self._cond:
            self._raise_if_tripped()
            self._consecutive += 1
            self._failures += 1
            if self._consecutive < self.threshold or self._paused:
                return
            if self._pauses >= self.max_pauses:
                self._trip(error)
            self._pauses += 1
            self._consecutive = 0
            self._paused = True
            failures = self._failures
        self._pause(failures, on_pause)

    def wait(self, stop: threading.Event | None = None, *, poll: float = 0.05) -> None:
        """Block while a pause lasts (or until ``stop`` is set).

        Raises:
            ArchiveUnavailableError: The breaker has tripped.
        """
        with self._cond:
            while self._paused and not (stop is not None and stop.is_set()):
                self._cond.wait(poll)
            self._raise_if_tripped()

    def _pause(self, failures: int, on_pause: Callable[[float, int], object] | None) -> None:
        log.warning("%s: %d consecutive failures, pausing all workers for %.1f s",
                    self.host, failures, self.cooldown)
        try:
            if on_pause is not None:
                on_pause(self.cooldown, failures)
            self._sleep(self.cooldown)
        finally:
            with self._cond:
                self._paused = False
                self._cond.notify_all()

    def _trip(self, error: BaseException) -> None:
        self._tripped = (f"{self.host} looks down: {self._failures} consecutive failures, "
                         f"last: {type(error).__name__}: {error}; try again later")
        self._cond.notify_all()
        log.error("%s", self._tripped)
        self._raise_if_tripped()

    def _raise_if_tripped(self) -> None:
        if self._tripped is not None:
            raise ArchiveUnavailableError(self._tripped)
