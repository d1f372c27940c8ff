"""Seeded fault injection for the simulated archive servers.

A :class:`FaultPlan` says how often each kind of failure happens; its methods
decide, for one request, whether it fails and how. Every decision is a pure
function of ``(seed, kind, identity, attempt)`` hashed to a number in [0, 1),
where ``identity`` names the request (a catalogue query, a remote path) and
``attempt`` counts earlier requests with the same identity (0 for the first,
see :class:`AttemptCounter`). The same plan therefore injects the same faults
into the same sequence of requests whatever the thread timing.

A client that retries is never starved: after ``streak_limit`` faulty attempts
in a row the next attempt of that identity is clean. Corruption is a property
of a file, not of an attempt: a chosen share of files is served corrupt, some
for the first few opens only ("fixed on retry"), some forever.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from dataclasses import dataclass, replace
from typing import Literal

StreamFaultKind = Literal["drop", "truncate"]

_HASH_SCALE = float(1 << 64)


@dataclass(frozen=True)
class HttpFault:
    """An HTTP answer to send instead of the real one."""

    status: int  # 503 or 429
    retry_after: int  # seconds, sent as the Retry-After header


@dataclass(frozen=True)
class StreamFault:
    """How one opened file's byte stream fails.

    ``drop``: the server closes the connection when a read reaches ``cut``.
    ``truncate``: reads at or past ``cut`` see end of file.
    """

    kind: StreamFaultKind
    cut: int  # byte offset where the stream stops


@dataclass(frozen=True)
class FaultPlan:
    """How often the simulated servers misbehave; frozen, seeded, deterministic.

    Attributes:
        seed: Seeds every decision.
        http_503: Share of catalogue requests answered 503 Service Unavailable.
        http_429: Share answered 429 Too Many Requests.
        retry_after: Seconds sent in the ``Retry-After`` header of 503/429 answers.
        slow_share: Share of catalogue requests answered only after ``slow_delay`` s.
        slow_delay: Delay in seconds of a slow answer.
        sftp_drop: Share of file opens whose connection is dropped mid-file.
        sftp_truncate: Share of file opens whose stream ends early.
        corrupt_share: Share of files served with flipped bytes.
        corrupt_permanent_share: Of the corrupt files, the share never fixed.
        corrupt_attempts: Opens of a transiently corrupt file served corrupt
            before it is "fixed on retry".
        max_sessions: Parallel SFTP sessions allowed per user; ``None``: no cap.
        streak_limit: After this many faulty attempts in a row at one identity,
            the next is clean; ``None``: no limit.
    """

    seed: int = 0
    http_503: float = 0.0
    http_429: float = 0.0
    retry_after: int = 1
    slow_share: float = 0.0
    slow_delay: float = 0.0
    sftp_drop: float = 0.0
    sftp_truncate: float = 0.0
    corrupt_share: float = 0.0
    corrupt_permanent_share: float = 0.5
    corrupt_attempts: int = 1
    max_sessions: int | None = None
    streak_limit: int | None = 3

    def __post_init__(self) -> None:
        shares = {"http_503 + http_429": self.http_503 + self.http_429,
                  "slow_share": self.slow_share,
                  "sftp_drop + sftp_truncate": self.sftp_drop + self.sftp_truncate,
                  "corrupt_share": self.corrupt_share,
                  "corrupt_permanent_share": self.corrupt_permanent_share}
        for name, value in shares.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        if self.max_sessions is not None and self.max_sessions < 1:
            raise ValueError(f"max_sessions must be at least 1, got {self.max_sessions}")
        if min(self.retry_after, self.slow_delay, self.corrupt_attempts,
               self.streak_limit or 0) < 0:
            raise ValueError("retry_after, slow_delay, corrupt_attempts and streak_limit "
                             "must not be negative")

    def http_fault(self, identity: str, attempt: int) -> HttpFault | None:
        """The error answer for this catalogue request, or ``None`` to answer normally."""
        if not self._streak_fault("http", identity, attempt, self.http_503 + self.http_429):
            return None
        status = 503 if self._draw("http", identity, attempt) < self.http_503 else 429
        return HttpFault(status, self.retry_after)

    def http_delay(self, identity: str, attempt: int) -> float:
        """Seconds to wait before answering this catalogue request (0 for most)."""
        return self.slow_delay if self._draw("slow", identity, attempt) < self.slow_share else 0.0

    def stream_fault(self, path: str, attempt: int, size: int) -> StreamFault | None:
        """How this open of a file of ``size`` bytes fails, or ``None`` if it does not."""
        if size < 2 or not self._streak_fault(
            "stream", path, attempt, self.sftp_drop + self.sftp_truncate
        ):
            return None
        kind: StreamFaultKind = (
            "drop" if self._draw("stream", path, attempt) < self.sftp_drop else "truncate"
        )
        share = 0.05 + 0.9 * self._draw("cut", path, attempt)  # never at the very ends
        return StreamFault(kind, min(size - 1, max(1, int(share * size))))

    def is_corrupt(self, path: str, attempt: int) -> bool:
        """Whether this open of ``path`` is served with flipped bytes."""
        if self._draw("corrupt", path, 0) >= self.corrupt_share:
            return False
        return self.is_permanently_corrupt(path) or attempt < self.corrupt_attempts

    def is_permanently_corrupt(self, path: str) -> bool:
        """Whether ``path`` is corrupt on every open (never fixed by a retry)."""
        return (self._draw("corrupt", path, 0) < self.corrupt_share
                and self._draw("permanent", path, 0) < self.corrupt_permanent_share)

    def corrupt_offsets(self, path: str, size: int, *, count: int = 8) -> frozenset[int]:
        """Byte offsets flipped in a corrupt copy of ``path``.

        Offset 0 (the HDF5 signature) is always among them, so a format check
        notices; the others are spread over the file.
        """
        offsets = {0} | {int(self._draw("flip", path, k) * size) for k in range(count - 1)}
        return frozenset(o for o in offsets if o < size)

    def _streak_fault(self, kind: str, identity: str, attempt: int, share: float) -> bool:
        """Faulty with probability ``share``, but never ``streak_limit`` + 1 times in a row."""
        if self._draw(kind, identity, attempt) >= share:
            return False
        if self.streak_limit is None:
            return True
        earlier = range(attempt - self.streak_limit, attempt)
        # Clean if the previous streak_limit attempts all drew a fault: at most that many in a row.
        return attempt < self.streak_limit or not all(
            self._draw(kind, identity, k) < share for k in earlier
        )

    def _draw(self, kind: str, identity: str, attempt: int) -> float:
        """A uniform number in [0, 1) fixed by ``(seed, kind, identity, attempt)``."""
        key = f"{self.seed}\x1f{kind}\x1f{identity}\x1f{attempt}".encode()
        digest = hashlib.blake2b(key, digest_size=8).digest()
        return int.from_bytes(digest, "big") / _HASH_SCALE


PRESETS: dict[str, FaultPlan] = {
    "none": FaultPlan(),
    "flaky": FaultPlan(
        http_503=0.1, http_429=0.1, retry_after=1, slow_share=0.1, slow_delay=0.5,
        sftp_drop=0.03, sftp_truncate=0.05, corrupt_share=0.02, max_sessions=4,
    ),
    "hostile": FaultPlan(
        http_503=0.2, http_429=0.15, retry_after=2, slow_share=0.25, slow_delay=1.5,
        sftp_drop=0.1, sftp_truncate=0.15, corrupt_share=0.08, corrupt_attempts=2,
        max_sessions=2,
    ),
}


def fault_plan(faults: str | FaultPlan, *, seed: int | None = None) -> FaultPlan:
    """A plan by preset name (``none``, ``flaky``, ``hostile``) or as given.

    Args:
        faults: A preset name or a :class:`FaultPlan`.
        seed: If given, replaces the plan's seed.

    Raises:
        ValueError: unknown preset name.
    """
    if isinstance(faults, str):
        try:
            plan = PRESETS[faults]
        except KeyError:
            raise ValueError(
                f"unknown fault preset {faults!r}; choose one of {', '.join(PRESETS)}"
            ) from None
    else:
        plan = faults
    return plan if seed is None else replace(plan, seed=seed)


class AttemptCounter:
    """Thread-safe count of the requests seen per identity."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def next(self, identity: str) -> int:
        """The attempt number of a new request with this identity (0 for the first)."""
        with self._lock:
            attempt = self._counts[identity]
            self._counts[identity] += 1
            return attempt


def flip_bytes(data: bytes, offset: int, flips: frozenset[int]) -> bytes:
    """``data`` (read at byte ``offset`` of a file) with the bytes at ``flips`` inverted."""
    hits = [o - offset for o in flips if offset <= o < offset + len(data)]
    if not hits:
        return data
    buffer = bytearray(data)
    for i in hits:
        buffer[i] ^= 0xFF
    return bytes(buffer)


def http_fault_now(plan: FaultPlan, attempts: AttemptCounter, tally: Tally,
                   stopping: threading.Event, identity: str) -> HttpFault | None:
    """Play a plan's slow answer for one HTTP request, then return its 503/429 (tallied).

    Waits on ``stopping`` so a server shutting down is not held up by a slow answer.
    """
    attempt = attempts.next(identity)
    delay = plan.http_delay(identity, attempt)
    if delay > 0:
        tally.add("slow")
        stopping.wait(delay)
    fault = plan.http_fault(identity, attempt)
    if fault is not None:
        tally.add(f"http_{fault.status}")
    return fault


class Tally:
    """Thread-safe counts by name: faults injected by kind, requests, bytes sent."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, kind: str, n: int = 1) -> None:
        with self._lock:
            self._counts[kind] += n

    def get(self, kind: str) -> int:
        with self._lock:
            return self._counts[kind]

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)
