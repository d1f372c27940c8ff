"""The values the transfer engine takes and yields: a task, and its result or failure."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from swathkit.transfer.download import parse_checksum
from swathkit.types import Failure, FailureKind, Granule

__all__ = ["FetchFailure", "FetchResult", "FetchTask"]


@dataclass(frozen=True)
class FetchTask:
    """One file to fetch.

    Attributes:
        key: What the caller knows the file by (the granule id); unique within a job.
        remote: Path of the file on the server.
        dest: Final local path (distinct for every task of a job).
        checksum: ``"sha256:<hex>"`` if the archive publishes one.
        expected_size: Exact size in bytes if known. Not a catalogue size that may be
            rounded: a mismatch with the server is a verification failure.
    """

    key: str
    remote: str
    dest: Path
    checksum: str | None = None
    expected_size: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "dest", Path(self.dest))
        if self.checksum is not None:
            parse_checksum(self.checksum)
        if self.expected_size is not None and self.expected_size < 0:
            raise ValueError(f"expected_size must be >= 0, not {self.expected_size}")

    @classmethod
    def for_granule(cls, granule: Granule, directory: Path) -> FetchTask:
        """The task fetching ``granule`` into ``directory`` under its own file name."""
        return cls(granule.id, granule.remote_path, Path(directory) / granule.file_name,
                   checksum=granule.checksum)


@dataclass(frozen=True)
class FetchResult:
    """A file now on disk, verified.

    Attributes:
        task: The task.
        path: The final file (``task.dest``).
        bytes: Its size.
        attempts: Attempts made (0 if skipped).
        seconds: Wall time from the first attempt to the rename.
        resumed_from: Bytes already on disk when the successful attempt began.
        skipped: True if ``dest`` already existed and verified, so nothing was fetched.
    """

    task: FetchTask
    path: Path
    bytes: int
    attempts: int
    seconds: float
    resumed_from: int = 0
    skipped: bool = False

    @property
    def ok(self) -> bool:
        """Always True (lets callers tell results from failures without isinstance)."""
        return True


@dataclass(frozen=True)
class FetchFailure:
    """A file that could not be fetched, and why.

    Attributes:
        task: The task.
        failure: What failed (``item`` is ``task.key``), its kind and attempts. A
            ``transient`` kind means retries ran out, so a later run may succeed;
            ``not_published`` means the archive has no such file.
    """

    task: FetchTask
    failure: Failure

    @classmethod
    def of(cls, task: FetchTask, error: BaseException, attempts: int) -> FetchFailure:
        """The failure of ``task`` that ``error`` ended after ``attempts`` attempts."""
        return cls(task, Failure.from_error(task.key, error, attempts=attempts))

    @property
    def kind(self) -> FailureKind:
        return self.failure.kind

    @property
    def attempts(self) -> int:
        return self.failure.attempts

    @property
    def ok(self) -> bool:
        """Always False."""
        return False
