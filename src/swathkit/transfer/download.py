"""Fetch one file with an open session: resume, verify, rename into place.

Bytes go to a sibling ``<dest>.part`` in the destination directory, so the
final rename is atomic and ``dest`` only ever holds complete, verified bytes.
An existing ``.part`` is resumed from its size. Verification order: size
against the server, checksum (if known), then the caller's ``verify(path)``
(e.g. opening the HDF5 product). Bytes that fail verification are deleted so
the next attempt starts from zero; a merely short transfer is kept for resume.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from swathkit.errors import ProductError, TransientFetchError, VerificationError
from swathkit.transfer.session import Session

__all__ = ["Downloaded", "Interrupted", "Verify", "fetch_file", "parse_checksum", "part_path",
           "verified_size"]

log = logging.getLogger(__name__)

Verify = Callable[[Path], object]
"""Checks a downloaded file; raises ``VerificationError`` or a ``ProductError`` if bad."""

PART_SUFFIX = ".part"


class Interrupted(Exception):  # control flow, deliberately outside the error tree
    """The job is stopping; the ``.part`` file was kept so a re-run resumes it."""


@dataclass(frozen=True)
class Downloaded:
    """What ``fetch_file`` did.

    Attributes:
        path: The final file.
        size: Its size in bytes.
        received: Bytes received over the network by this call.
        resumed_from: Bytes already in the ``.part`` file when this call began.
    """

    path: Path
    size: int
    received: int
    resumed_from: int


def part_path(dest: Path) -> Path:
    """The temporary sibling a download of ``dest`` writes to."""
    return dest.with_name(dest.name + PART_SUFFIX)


def parse_checksum(text: str) -> tuple[str, str]:
    """Split ``"<algorithm>:<hex>"`` (e.g. ``"sha256:9f86…"``) into its parts.

    Raises:
        ValueError: Malformed, or an algorithm ``hashlib`` does not guarantee.
    """
    algorithm, sep, digest = text.partition(":")
    algorithm = algorithm.lower()
    if not sep or algorithm not in hashlib.algorithms_guaranteed:
        raise ValueError(f"checksum must look like 'sha256:<hex>', not {text!r}")
    try:
        bytes.fromhex(digest)
    except ValueError:
        raise ValueError(f"checksum digest is not hexadecimal: {text!r}") from None
    return algorithm, digest.lower()


def verified_size(dest: Path, *, checksum: str | None = None, expected_size: int | None = None,
                  verify: Verify | None = None) -> int | None:
    """Size of an existing ``dest`` that passes verification, else None (fetch it again).

    Needs no session: a file renamed into place was complete when renamed, so
    only the checks the caller can make offline are repeated.
    """
    if not dest.is_file():
        return None
    size = dest.stat().st_size
    if expected_size is not None and size != expected_size:
        log.warning("%s has %d bytes, expected %d; fetching it again", dest, size, expected_size)
        return None
    try:
        _check_content(dest, checksum, verify)
    except (VerificationError, ProductError) as exc:
        log.warning("%s fails verification (%s); fetching it again", dest, exc)
        return None
    return size


def fetch_file(session: Session, remote: str, dest: Path, *, checksum: str | None = None,
               expected_size: int | None = None, verify: Verify | None = None,
               stop: threading.Event | None = None) -> Downloaded:
    """Download ``remote`` to ``dest`` through ``session``, resuming a ``.part`` file.

    Args:
        session: An open session to the archive.
        remote: Path of the file on the server.
        dest: Final local path; its directory is created if needed.
        checksum: ``"sha256:<hex>"`` if the archive publishes one.
        expected_size: Exact size in bytes if known (not a rounded catalogue size).
        verify: Called with the temporary path before the rename.
        stop: Checked between blocks; when set, raises ``Interrupted``.

    Raises:
        TransientFetchError: The transfer failed or ended short; the ``.part`` is kept.
        VerificationError: Wrong size, checksum or content; the ``.part`` is deleted.
        PermanentFetchError: From the session (no such file, refused credentials).
        Interrupted: ``stop`` was set; the ``.part`` is kept.
    """
    part = part_path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    total = session.size(remote)
    if expected_size is not None and total != expected_size:
        raise VerificationError(f"{remote}: the server has {total} bytes, "
                                f"expected {expected_size}")
    offset = _resume_offset(part, total)
    received = _stream(session, remote, part, offset, total, stop)
    size = _check_size(part, total, remote)
    try:
        _check_content(part, checksum, verify, label=remote)
    except (VerificationError, ProductError) as exc:
        part.unlink(missing_ok=True)
        if isinstance(exc, VerificationError):
            raise
        raise VerificationError(f"{remote} is not a valid product: {exc}") from exc
    _commit(part, dest)
    return Downloaded(dest, size, received, offset)


def _resume_offset(part: Path, total: int) -> int:
    if not part.exists():
        return 0
    size = part.stat().st_size
    if size > total:  # not a prefix of this file: start again
        log.warning("%s is longer than the remote file (%d > %d); restarting", part, size, total)
        part.unlink()
        return 0
    if size:
        log.debug("resuming %s from byte %d", part, size)
    return size


def _stream(session: Session, remote: str, part: Path, offset: int, total: int,
            stop: threading.Event | None) -> int:
    with part.open("ab") as out:
        received = 0
        if offset < total:  # some servers refuse a range starting at the end
            received = _copy(session.read(remote, offset), out, total - offset, stop)
        # No fsync: a file cut short by a power loss fails verification on the next
        # run and is fetched again, so durability here would only cost throughput.
    return received


def _copy(blocks: Iterator[bytes], out: BinaryIO, wanted: int,
          stop: threading.Event | None) -> int:
    received = 0
    try:
        for block in blocks:
            out.write(block)
            received += len(block)
            if received > wanted:  # longer than advertised; _check_size rejects it
                break
            if stop is not None and stop.is_set():
                raise Interrupted(f"stopped after {received} bytes")
    finally:
        close = getattr(blocks, "close", None)
        if close is not None:  # release the server-side handle now, not at garbage collection
            close()
    return received


def _check_size(part: Path, total: int, remote: str) -> int:
    size = part.stat().st_size
    if size < total:
        raise TransientFetchError(f"{remote}: transfer ended short, {size} of {total} bytes")
    if size > total:
        part.unlink()
        raise VerificationError(f"{remote}: received {size} bytes, the server said {total}")
    return size


def _check_content(path: Path, checksum: str | None, verify: Verify | None, *,
                   label: str | None = None) -> None:
    if checksum is not None:
        algorithm, expected = parse_checksum(checksum)
        with path.open("rb") as f:
            actual = hashlib.file_digest(f, algorithm).hexdigest()
        if actual != expected:
            raise VerificationError(f"{label or path.name}: checksum mismatch, expected "
                                    f"{algorithm}:{expected}, got {algorithm}:{actual}")
    if verify is not None:
        verify(path)


def _commit(part: Path, dest: Path) -> None:
    part.replace(dest)  # os.replace: atomic within one directory
