"""HTTP(S) file sessions for the transfer engine, on :class:`~swathkit.archives.http.HttpClient`.

A session is one client (one keep-alive connection) to the host of a base URL;
remote paths are relative to that URL. ``size`` asks ``HEAD`` for the
``Content-Length``; ``read`` sends ``GET`` with ``Range: bytes=N-`` to resume
(a server that ignores the range and answers 200 is read past the first N
bytes). A body shorter than its ``Content-Length`` (the server broke off) is a
``TransientFetchError``; a connection the server closed while idle is replaced
by the pool before the next request. Statuses, TLS and timeouts are sorted into
the error tree by the client (see :mod:`swathkit.archives.http`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import requests
from requests.auth import AuthBase

from swathkit.archives.http import HttpClient, ca_bundle_path
from swathkit.config import settings
from swathkit.errors import TransientFetchError

__all__ = ["HttpFileSession", "HttpFiles"]

log = logging.getLogger(__name__)

BLOCK = 1 << 20
# Byte offsets are offsets of the file: no compression in transit.
_FILE_HEADERS = {"Accept-Encoding": "identity"}


class HttpFileSession:
    """One client (keep-alive connection) to a file server; a transfer-engine ``Session``.

    Args:
        files: The factory (base URL, timeout, CA bundle, auth) this session belongs to.
    """

    def __init__(self, files: HttpFiles) -> None:
        self._files = files
        self._client = files.client()

    def size(self, remote: str) -> int:
        """Size in bytes of ``remote`` from ``HEAD``'s ``Content-Length``."""
        url = self._files.url_of(remote)
        with self._client.request("HEAD", url) as answer:
            length = answer.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise TransientFetchError(f"{url}: HEAD gave no Content-Length")
        return int(length)

    def read(self, remote: str, offset: int = 0) -> Iterator[bytes]:
        """Stream ``remote`` from ``offset`` to its end in blocks of at most 1 MiB."""
        url = self._files.url_of(remote)
        headers = {"Range": f"bytes={offset}-"} if offset else None
        with self._client.request("GET", url, headers=headers, stream=True) as answer:
            skip = self._start(answer, url, offset)
            try:
                for block in answer.iter_content(BLOCK):
                    if skip:  # the server ignored the range: drop the bytes we already have
                        cut = min(skip, len(block))
                        block, skip = block[cut:], skip - cut
                    if block:
                        yield block
            except requests.RequestException as exc:  # urllib3 checks the Content-Length
                raise TransientFetchError(f"{url}: transfer broke off "
                                          f"({type(exc).__name__}: {exc})") from exc

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self._client.close()

    def _start(self, answer: requests.Response, url: str, offset: int) -> int:
        """Bytes to skip at the start of the body (0 unless a range was ignored)."""
        if answer.status_code == 206:
            content_range = answer.headers.get("Content-Range", "")
            if not content_range.startswith(f"bytes {offset}-"):
                raise TransientFetchError(f"{url}: asked for bytes from {offset}, "
                                          f"got {content_range!r}")
            return 0
        if offset:
            log.debug("%s ignored the range; skipping %d bytes", self._files.host, offset)
        return offset


@dataclass(frozen=True)
class HttpFiles:
    """Opens :class:`HttpFileSession` s to the host of ``base_url`` (a ``SessionFactory``).

    Args:
        base_url: ``http://`` or ``https://`` URL that remote paths are relative to.
        timeout: Seconds to wait for a connection or for the next bytes; default
            ``settings().http_timeout``.
        ca_bundle: PEM file of the CAs to trust; default ``settings().ca_bundle``, else
            certifi's. Certificates are always verified.
        auth: An auth strategy bound to the server's host (none for open archives), e.g. a
            :class:`~swathkit.archives.credentials.HostAuth` or the ERS login.

    Raises:
        ValueError: not an http(s) URL, or one holding credentials.
        InputError: the CA bundle does not exist.
    """

    base_url: str
    timeout: float | None = None
    ca_bundle: str | os.PathLike[str] | None = None
    auth: AuthBase | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{self.base_url!r} is not an http:// or https:// URL")
        if parts.username or parts.password:
            raise ValueError("the base URL must not hold credentials: give them as an auth "
                             "strategy (swathkit.archives.credentials)")
        bundle: Path | None = ca_bundle_path(self.ca_bundle)
        object.__setattr__(self, "ca_bundle", bundle)
        if self.timeout is None:
            object.__setattr__(self, "timeout", settings().http_timeout)

    @property
    def host(self) -> str:
        """``host[:port]`` of the base URL (never any user information)."""
        parts = urlsplit(self.base_url)
        return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)

    def open(self) -> HttpFileSession:
        """A new session (it connects on its first request)."""
        return HttpFileSession(self)

    def client(self) -> HttpClient:
        """A new client with this factory's timeout, CA bundle and auth."""
        return HttpClient(ca_bundle=self.ca_bundle, timeout=self.timeout, auth=self.auth,
                          headers=_FILE_HEADERS)

    def path_of(self, remote: str) -> str:
        """The request path of ``remote``: the base URL's path joined with it, quoted."""
        prefix = urlsplit(self.base_url).path.rstrip("/")
        return quote(f"{prefix}/{remote.lstrip('/')}", safe="/-._~")

    def url_of(self, remote: str) -> str:
        """The full URL of ``remote``."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{self.host}{self.path_of(remote)}"
