"""When to try a fetch again, and how long to wait first.

Only what may succeed on a second try is retried: ``TransientFetchError``
(including ``ThrottledError``) up to ``max_attempts``, and ``VerificationError``
(bytes corrupted in transit) at most ``verify_retries`` times. Permanent
failures (``PermanentFetchError``, ``AuthError``, ``NotPublishedError``) never.

:meth:`RetryPolicy.call` is the one retry loop outside the transfer engine (the
engine's workers judge each attempt with the same ``should_retry`` and ``delay``).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from swathkit.errors import FetchError, TransientFetchError, VerificationError

__all__ = ["RetryPolicy"]

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, honouring the server's Retry-After.

    The n-th retry waits ``base_delay * 2**(n-1)`` seconds, capped at
    ``max_delay``, scaled by a random factor in ``[1 - jitter, 1 + jitter]``;
    if the error carries a larger ``retry_after`` that is waited instead.

    Args:
        max_attempts: Attempts per file, the first one included.
        base_delay: Seconds before the first retry.
        max_delay: Upper bound of the computed backoff (a Retry-After may exceed it).
        jitter: Fraction of the delay drawn at random, so workers do not retry in step.
        verify_retries: Re-fetches allowed after a verification failure.
        seed: Seed of the jitter's random generator (for reproducible tests).
    """

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 60.0
    jitter: float = 0.2
    verify_retries: int = 1
    seed: int | None = None
    _rng: random.Random = field(init=False, repr=False, compare=False)
    _lock: threading.Lock = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {self.max_attempts}")
        if self.base_delay < 0 or self.max_delay < self.base_delay:
            raise ValueError(f"need 0 <= base_delay <= max_delay, got {self.base_delay} "
                             f"and {self.max_delay}")
        if not 0 <= self.jitter <= 1:
            raise ValueError(f"jitter is a fraction in [0, 1], not {self.jitter}")
        if self.verify_retries < 0:
            raise ValueError(f"verify_retries must be >= 0, not {self.verify_retries}")
        object.__setattr__(self, "_rng", random.Random(self.seed))
        object.__setattr__(self, "_lock", threading.Lock())

    def should_retry(self, error: BaseException, *, attempts: int,
                     verify_failures: int = 0) -> bool:
        """Whether a failed fetch deserves another attempt.

        Args:
            error: What the last attempt raised.
            attempts: Attempts made so far for this file, the failed one included.
            verify_failures: Verification failures so far, the last one included.
        """
        if attempts >= self.max_attempts:
            return False
        if isinstance(error, VerificationError):
            return verify_failures <= self.verify_retries
        return isinstance(error, TransientFetchError)

    def delay(self, attempts: int, error: BaseException | None = None) -> float:
        """Seconds to wait after ``attempts`` failed attempts, before the next one."""
        backoff = min(self.max_delay, self.base_delay * 2 ** max(attempts - 1, 0))
        with self._lock:  # random.Random is not meant to be shared unguarded
            factor = 1 + self._rng.uniform(-self.jitter, self.jitter)
        wait = float(backoff * factor)
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None and retry_after > wait:
            return float(retry_after)
        return wait

    def call(self, fn: Callable[[], T], *, sleep: Callable[[float], None] = time.sleep) -> T:
        """``fn()``, called again after each failure this policy deems worth retrying.

        Only a :class:`~swathkit.errors.FetchError` is judged (anything else is a bug
        and propagates at once); the last failure is raised when the policy gives up.

        Args:
            fn: The call to make, without arguments (``functools.partial`` for some).
            sleep: Waits between attempts (a fake one in tests).
        """
        attempts = verify_failures = 0
        while True:
            try:
                return fn()
            except FetchError as exc:
                attempts += 1
                verify_failures += isinstance(exc, VerificationError)
                if not self.should_retry(exc, attempts=attempts,
                                         verify_failures=verify_failures):
                    raise
                sleep(self.delay(attempts, exc))
