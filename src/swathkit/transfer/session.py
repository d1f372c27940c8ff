"""What the transfer engine needs from a protocol: a persistent session per worker.

Implementations: :class:`~swathkit.archives.sftp.SftpFactory` (SFTP) and
:class:`~swathkit.archives.http_files.HttpFiles` (HTTP(S), on the one HTTP
stack). ``tests/transfer/test_session_conformance.py`` holds every one of them
to this contract.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol


class Session(Protocol):
    """One connection to a file server (an SFTP session, an HTTP client).

    Methods raise ``TransientFetchError`` (incl. ``ThrottledError``) for what a
    retry may fix, ``PermanentFetchError`` (incl. ``AuthError``,
    ``NotPublishedError``) for what it cannot.
    """

    def size(self, remote: str) -> int:
        """Size in bytes of a remote file."""
        ...

    def read(self, remote: str, offset: int = 0) -> Iterator[bytes]:
        """Stream a remote file from ``offset`` to its end, in blocks."""
        ...

    def close(self) -> None:
        """Release the connection (closing twice is harmless)."""
        ...


class SessionFactory(Protocol):
    """Opens sessions to one host; the engine keeps one per worker and reopens on failure."""

    @property
    def host(self) -> str:
        """Host name used for the per-host concurrency cap (never includes credentials)."""
        ...

    def open(self) -> Session:
        """A new session.

        Raises ``AuthError`` for refused credentials, here (SFTP logs in when it
        opens) or at the session's first request (HTTP connects lazily).
        """
        ...
