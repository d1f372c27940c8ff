"""HTTP(S) file sessions for the transfer engine: keep-alive, HEAD for the size, Range resume.

A session is one persistent connection (:mod:`http.client`) to the host of a
base URL; remote paths are relative to that URL. ``size`` asks ``HEAD`` for the
``Content-Length``; ``read`` sends ``GET`` with ``Range: bytes=N-`` to resume
(a server that ignores the range and answers 200 is read past the first N
bytes). A reused connection that the server closed while idle is reopened
once, silently; everything else is sorted into the error tree:

- 404, 410: ``NotPublishedError``; 401, 403: ``AuthError``; other 4xx: ``PermanentFetchError``;
- 429, 503: ``ThrottledError`` with the server's ``Retry-After``; other 5xx, resets,
  timeouts, cut transfers: ``TransientFetchError``;
- a certificate that does not verify: ``PermanentFetchError`` (TLS is always verified
  for ``https`` URLs, with the system's trust store via :func:`ssl.create_default_context`).
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from swathkit.archives.http import USER_AGENT, retry_after, status_error
from swathkit.errors import (
    FetchError,
    PermanentFetchError,
    TransientFetchError,
)

__all__ = ["HttpFileSession", "HttpFiles"]

log = logging.getLogger(__name__)

BLOCK = 1 << 20
_ERROR_BODY = 64 * 1024  # read at most this much of an error answer to keep the connection
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError,
          ConnectionAbortedError)




class HttpFileSession:
    """One keep-alive connection to a file server.

    Args:
        files: The factory (base URL, timeout) this session belongs to.
    """

    def __init__(self, files: HttpFiles) -> None:
        self._files = files
        self._conn: http.client.HTTPConnection | None = None
        self._used = False  # the connection has carried a request (so may have gone stale)

    def connect(self) -> None:
        """Open the connection now (the first request would otherwise)."""
        conn = self._connection()
        try:
            conn.connect()
        except (OSError, http.client.HTTPException) as exc:
            self._reset()
            raise _network_error(exc, self._files.host) from exc

    def size(self, remote: str) -> int:
        """Size in bytes of ``remote`` from ``HEAD``'s ``Content-Length``."""
        response = self._request("HEAD", remote, {})
        response.read()
        length = response.getheader("Content-Length")
        if length is None or not length.isdigit():
            raise TransientFetchError(f"{self._url(remote)}: HEAD gave no Content-Length")
        return int(length)

    def read(self, remote: str, offset: int = 0) -> Iterator[bytes]:
        """Stream ``remote`` from ``offset`` to its end in blocks of at most 1 MiB."""
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        response = self._request("GET", remote, headers)
        try:
            skip = self._start(response, remote, offset)
            announced, received = response.getheader("Content-Length"), 0
            while block := response.read(BLOCK):
                received += len(block)
                if skip:  # the server ignored the range: drop the bytes we already have
                    cut = min(skip, len(block))
                    block, skip = block[cut:], skip - cut
                    if not block:
                        continue
                yield block
            if announced is not None and announced.isdigit() and received < int(announced):
                # http.client ends a body cut by the server as if complete: say it broke off
                self._reset()
                raise ConnectionResetError(f"{received} of {announced} bytes received")
        except (OSError, http.client.HTTPException) as exc:
            self._reset()
            raise TransientFetchError(f"{self._url(remote)}: transfer broke off "
                                      f"({type(exc).__name__}: {exc})") from exc
        finally:
            if not response.isclosed():  # not read to the end: the connection is unusable
                self._reset()

    def close(self) -> None:
        """Close the connection."""
        self._reset()

    def _start(self, response: http.client.HTTPResponse, remote: str, offset: int) -> int:
        """Bytes to skip at the start of the body (0 unless a range was ignored)."""
        if response.status == 206:
            content_range = response.getheader("Content-Range", "")
            if not content_range.startswith(f"bytes {offset}-"):
                raise TransientFetchError(f"{self._url(remote)}: asked for bytes from {offset}, "
                                          f"got {content_range!r}")
            return 0
        if offset:
            log.debug("%s ignored the range; skipping %d bytes", self._files.host, offset)
        return offset

    def _request(self, method: str, remote: str, headers: dict[str, str]) -> (
            http.client.HTTPResponse):
        url = self._url(remote)
        path = self._files.path_of(remote)
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **headers}
        for second_try in (False, True):
            reused = self._used
            conn = self._connection()
            try:
                conn.request(method, path, headers=headers)
                response = conn.getresponse()
            except _STALE as exc:
                self._reset()
                if reused and not second_try:  # closed by the server while idle: reopen once
                    log.debug("%s closed an idle connection; reconnecting", self._files.host)
                    continue
                raise _network_error(exc, url) from exc
            except (OSError, http.client.HTTPException) as exc:
                self._reset()
                raise _network_error(exc, url) from exc
            self._used = True
            if response.status in (200, 206):
                return response
            raise self._refusal(response, url)
        raise AssertionError("unreachable")  # pragma: no cover

    def _refusal(self, response: http.client.HTTPResponse, url: str) -> FetchError:
        with contextlib.suppress(OSError, http.client.HTTPException):  # the status says enough
            response.read(_ERROR_BODY)
        if not response.isclosed() or response.getheader("Connection", "") == "close":
            self._reset()
        return status_error(response.status, response.reason, url,
                            retry_after(response.getheader("Retry-After")))

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            self._conn = self._files.connection()
            self._used = False
        return self._conn

    def _reset(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
            self._used = False

    def _url(self, remote: str) -> str:
        return self._files.url_of(remote)


def _network_error(exc: BaseException, where: str) -> FetchError:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return PermanentFetchError(f"{where}: the server's TLS certificate does not verify "
                                   f"({exc.verify_message}); not downloading from it")
    return TransientFetchError(f"{where}: {type(exc).__name__}: {exc}")


@dataclass(frozen=True)
class HttpFiles:
    """Opens :class:`HttpFileSession` s to the host of ``base_url`` (a ``SessionFactory``).

    Args:
        base_url: ``http://`` or ``https://`` URL that remote paths are relative to.
        timeout: Seconds to wait for a connection or for the next bytes.
        context: TLS settings for ``https``; the default verifies certificates and host names.

    Raises:
        ValueError: not an http(s) URL.
    """

    base_url: str
    timeout: float = 60.0
    context: ssl.SSLContext | None = None

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{self.base_url!r} is not an http:// or https:// URL")

    @property
    def host(self) -> str:
        """``host[:port]`` of the base URL (never any user information)."""
        parts = urlsplit(self.base_url)
        return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)

    def open(self) -> HttpFileSession:
        """A new session, connected."""
        session = HttpFileSession(self)
        session.connect()
        return session

    def connection(self) -> http.client.HTTPConnection:
        """A new, not yet connected, connection to the host."""
        parts = urlsplit(self.base_url)
        if parts.scheme == "https":
            context = self.context or ssl.create_default_context()
            return http.client.HTTPSConnection(str(parts.hostname), parts.port,
                                               timeout=self.timeout, context=context)
        return http.client.HTTPConnection(str(parts.hostname), parts.port, timeout=self.timeout)

    def path_of(self, remote: str) -> str:
        """The request path of ``remote``: the base URL's path joined with it, quoted."""
        prefix = urlsplit(self.base_url).path.rstrip("/")
        return quote(f"{prefix}/{remote.lstrip('/')}", safe="/-._~")

    def url_of(self, remote: str) -> str:
        """The full URL of ``remote`` (for messages)."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{self.host}{self.path_of(remote)}"
