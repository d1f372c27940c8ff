"""An in-memory archive speaking the ``Session``/``SessionFactory`` protocol, with faults.

This is a test double of the protocol (what SFTP or HTTPS sessions promise),
not of swathkit's code: the engine under test is the real one.
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

from swathkit.errors import (
    AuthError,
    NotPublishedError,
    ThrottledError,
    TransientFetchError,
)
from swathkit.transfer.engine import FetchTask

HOST = "sftp.fake.example"
PASSWORD = "hunter2-not-for-logs"


def payload(remote: str, size: int) -> bytes:
    """Deterministic bytes of a file."""
    return random.Random(remote).randbytes(size)


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class FakeArchive:
    """Files in memory, faults to inject, and a record of what clients did."""

    def __init__(self, files: dict[str, bytes], *, block: int = 64) -> None:
        self.files = files
        self.block = block
        self.generate_missing = False  # serve any "gen/<n>" name (huge lazy jobs)
        self.lock = threading.Lock()
        # faults, consumed in order
        self.open_faults: list[Exception] = []
        self.refuse_auth = False
        self.session_cap: int | None = None
        self.size_faults: dict[str, list[Exception]] = defaultdict(list)
        self.read_faults: dict[str, list[Exception]] = defaultdict(list)
        self.drops: dict[str, list[int]] = defaultdict(list)  # raise after k bytes of a read
        self.truncations: dict[str, list[int]] = defaultdict(list)  # end silently after k bytes
        self.corruptions: Counter[str] = Counter()  # deliveries with a flipped byte
        self.extra: Counter[str] = Counter()  # deliveries with bytes beyond the end
        self.block_delay: dict[str, float] = {}
        self.fail_everything: Exception | None = None
        # records
        self.opens = 0
        self.open_now = 0
        self.max_open = 0
        self.reads: list[tuple[str, int]] = []
        self.served: Counter[str] = Counter()
        self.active = 0
        self.max_active = 0

    def content(self, remote: str) -> bytes:
        if remote in self.files:
            return self.files[remote]
        if self.generate_missing and remote.startswith("gen/"):
            return payload(remote, 100)
        raise NotPublishedError(f"{HOST}:{remote} does not exist")

    def open(self) -> FakeSession:
        with self.lock:
            self.opens += 1
            if self.refuse_auth:
                raise AuthError(f"{HOST}: authentication failed")
            if self.open_faults:
                raise self.open_faults.pop(0)
            if self.session_cap is not None and self.open_now >= self.session_cap:
                raise ThrottledError(f"{HOST}: too many sessions", retry_after=0.01)
            self.open_now += 1
            self.max_open = max(self.max_open, self.open_now)
        return FakeSession(self)

    def pop(self, faults: dict[str, list], remote: str):
        with self.lock:
            return faults[remote].pop(0) if faults[remote] else None

    def take(self, counter: Counter[str], remote: str) -> bool:
        with self.lock:
            if counter[remote] > 0:
                counter[remote] -= 1
                return True
            return False


class FakeSession:
    """One connection; asserts it is neither used after close nor by two threads at once."""

    def __init__(self, archive: FakeArchive) -> None:
        self.archive = archive
        self.closed = False
        self.busy = threading.Lock()

    def size(self, remote: str) -> int:
        self._check()
        if self.archive.fail_everything is not None:
            raise self.archive.fail_everything
        fault = self.archive.pop(self.archive.size_faults, remote)
        if fault is not None:
            raise fault
        return len(self.archive.content(remote))

    def read(self, remote: str, offset: int = 0) -> Iterator[bytes]:
        self._check()
        archive = self.archive
        data = archive.content(remote)
        with archive.lock:
            archive.reads.append((remote, offset))
        fault = archive.pop(archive.read_faults, remote)
        if fault is not None:
            raise fault
        if archive.take(archive.corruptions, remote):
            data = data[:offset] + bytes([data[offset] ^ 0xFF]) + data[offset + 1:]
        if archive.take(archive.extra, remote):
            data = data + b"surplus"
        return self._blocks(remote, data, offset)

    def _blocks(self, remote: str, data: bytes, offset: int) -> Iterator[bytes]:
        archive = self.archive
        drop = archive.pop(archive.drops, remote)
        cut = archive.pop(archive.truncations, remote)
        end = len(data) if cut is None else min(len(data), offset + cut)
        stop_at = None if drop is None else offset + drop
        if not self.busy.acquire(blocking=False):
            raise AssertionError("a session was used by two threads at once")
        with archive.lock:
            archive.active += 1
            archive.max_active = max(archive.max_active, archive.active)
        try:
            pos = offset
            while pos < end:
                assert not self.closed, "read from a closed session"
                if stop_at is not None and pos >= stop_at:
                    raise TransientFetchError(f"{HOST}:{remote}: connection reset")
                limit = end if stop_at is None else min(end, stop_at)
                chunk = data[pos:min(pos + archive.block, limit)]
                time.sleep(archive.block_delay.get(remote, 0))
                with archive.lock:
                    archive.served[remote] += len(chunk)
                pos += len(chunk)
                yield chunk
        finally:
            with archive.lock:
                archive.active -= 1
            self.busy.release()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            with self.archive.lock:
                self.archive.open_now -= 1

    def _check(self) -> None:
        assert not self.closed, "used a closed session"


class FakeFactory:
    """Holds a password, as a real factory would, to check it never reaches the logs."""

    host = HOST

    def __init__(self, archive: FakeArchive) -> None:
        self.archive = archive
        self._password = PASSWORD

    def __repr__(self) -> str:
        return f"FakeFactory(host={self.host!r}, password={self._password!r})"  # a careless one

    def open(self) -> FakeSession:
        return self.archive.open()


class FakeSleep:
    """Records the delays asked for and returns at once."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.lock = threading.Lock()

    def __call__(self, seconds: float) -> None:
        with self.lock:
            self.calls.append(seconds)
        time.sleep(0.001)  # let other threads run, as a real sleep would


class Events:
    """An ``on_event`` callback keeping every event."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, dict]] = []
        self.lock = threading.Lock()

    def __call__(self, kind: str, task: FetchTask, info: dict) -> None:
        with self.lock:
            self.items.append((kind, task.key, dict(info)))

    def kinds(self, key: str | None = None) -> list[str]:
        return [k for k, t, _ in self.items if key is None or t == key]

    def of(self, kind: str) -> list[dict]:
        return [info for k, _, info in self.items if k == kind]


def tasks_for(archive: FakeArchive, out: Path, *, checksums: bool = True) -> list[FetchTask]:
    """One task per file of the archive, into ``out``, with checksums unless told not to."""
    return [FetchTask(remote.rsplit("/", 1)[-1].removesuffix(".h5"), remote,
                      out / remote.rsplit("/", 1)[-1],
                      checksum=sha256(data) if checksums else None)
            for remote, data in archive.files.items()]
