"""Sessions kept open between files and runs, and the one-at-a-time credential probe."""

from __future__ import annotations

import logging
import threading

from swathkit.errors import AuthError, FetchError
from swathkit.transfer.session import Session, SessionFactory

__all__ = ["SessionPool"]

log = logging.getLogger(__name__)


class SessionPool:
    """Idle sessions of one factory, and the rule that a wrong password is tried once.

    Until a first session has opened, opens are made one at a time; if the
    server refuses the credentials, every later ``open`` raises the same
    ``AuthError`` without asking the server again.
    """

    def __init__(self, factory: SessionFactory) -> None:
        self.factory = factory
        self.opened = 0  # sessions opened so far (for logs and tests)
        self._idle: list[Session] = []
        self._lock = threading.Lock()
        self._probe = threading.Lock()
        self._proven = False
        self._refused: AuthError | None = None
        self._closed = False

    def get(self) -> Session:
        """An idle session if there is one, else a new one.

        Raises:
            AuthError: The server refused the credentials (now or before).
            TransientFetchError: Opening failed but may work later.
        """
        with self._lock:
            if self._idle:
                return self._idle.pop()
        if self._proven:
            return self._open()
        with self._probe:  # until credentials are proven, one open at a time
            if not self._proven:
                return self._open()
        return self._open()  # proven while this one waited: open alongside the others

    def give_back(self, session: Session) -> None:
        """Keep a healthy session for the next file or run (closed if the pool is closed)."""
        with self._lock:
            if not self._closed:
                self._idle.append(session)
                return
        discard(session)

    def close(self) -> None:
        """Close every idle session; sessions given back later are closed at once."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for session in idle:
            discard(session)

    def _open(self) -> Session:
        if self._refused is not None:
            raise self._refused
        try:
            session = self.factory.open()
        except AuthError as exc:
            self._refused = exc
            raise
        with self._lock:
            self.opened += 1
        self._proven = True
        log.debug("opened session %d to %s", self.opened, self.factory.host)
        return session


def discard(session: Session) -> None:
    """Close a session, ignoring the errors of one that is already broken."""
    try:
        session.close()
    except (OSError, EOFError, FetchError) as exc:
        log.debug("closing a broken session: %s: %s", type(exc).__name__, exc)
