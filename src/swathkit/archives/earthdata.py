"""NASA Earthdata Login as an auth strategy, and file sessions for the ASF datapool.

Credentials, tried in order: arguments (username and password, or a token),
``EARTHDATA_USERNAME``/``EARTHDATA_PASSWORD``, ``EARTHDATA_TOKEN``, then
``~/.netrc`` (``machine urs.earthdata.nasa.gov``). :class:`EarthdataAuth` sends
Basic credentials to the Earthdata Login host only and a bearer token to the
distribution (datapool) hosts only; every other host, the signed S3 URL a
download ends at included, gets no ``Authorization`` header (S3 refuses one).
Hosts are ``host[:port]``.

The datapool's login is a chain of redirects (datapool → URS ``/oauth/authorize``
→ datapool ``/login`` sets a cookie → S3) that
:class:`~swathkit.archives.http.HttpClient` follows with its cookie jar; a
refused password ends it once, as :class:`~swathkit.errors.AuthError` naming
where the credentials came from and how to fix them (never retried, which
would lock the account).

::

    files = datapool_files(ca_bundle="ca.pem")  # credentials from env or netrc
    # a SessionFactory for the transfer engine, resuming with Range
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from requests import PreparedRequest

from swathkit.archives.credentials import Credentials, HostAuth, resolve
from swathkit.archives.http_files import HttpFiles, HttpFileSession
from swathkit.config import settings
from swathkit.errors import AuthError

__all__ = ["EarthdataAuth", "EarthdataFiles", "datapool_files", "earthdata_auth"]

ENV_PREFIX = "EARTHDATA"


def host_of(url: str) -> str:
    """``host[:port]`` of a URL (no user information)."""
    parts = urlsplit(url if "//" in url else f"//{url}")
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


class EarthdataAuth(HostAuth):
    """Basic credentials for the URS host, a bearer token for the datapool hosts, nothing else.

    Args:
        urs_host: The Earthdata Login host (``host[:port]``).
        credentials: Username and password (for URS), or None.
        token: A bearer token (for the datapool hosts), or None.
        datapool_hosts: The distribution hosts that may see the token.
    """

    def __init__(self, *, urs_host: str, credentials: Credentials | None = None,
                 token: str | None = None, datapool_hosts: tuple[str, ...] = ()) -> None:
        super().__init__(urs_host)
        if credentials is None and token is None:
            raise ValueError("EarthdataAuth needs credentials or a token")
        self.credentials = credentials
        self._token = token
        self._datapools = tuple(HostAuth(h) for h in datapool_hosts)

    @property
    def source(self) -> str:
        """Where the secret came from, for messages."""
        if self.credentials is not None:
            return f"user {self.credentials.username!r} from {self.credentials.source}"
        return "the EARTHDATA_TOKEN bearer token"

    def _header_for(self, url: str) -> str | None:
        if self.applies_to(url) and self.credentials is not None:
            pair = f"{self.credentials.username}:{self.credentials.password}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        if self._token and any(d.applies_to(url) for d in self._datapools):
            return f"Bearer {self._token}"
        return None

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        header = self._header_for(request.url or "")
        if header is None:
            request.headers.pop("Authorization", None)
        else:
            request.headers["Authorization"] = header
        return request

    def header(self) -> str:
        raise NotImplementedError("EarthdataAuth chooses its header per host")

    def __repr__(self) -> str:
        return f"EarthdataAuth(urs={self.host!r}, {self.source}, secret=***)"


def earthdata_auth(*, urs_url: str | None = None, datapool_urls: tuple[str, ...] | None = None,
                   username: str | None = None, password: str | None = None,
                   token: str | None = None, netrc_path: Path | None = None) -> EarthdataAuth:
    """Earthdata Login credentials found in the documented order, bound to their hosts.

    Raises:
        AuthError: none found (the message lists the ways to give them).
    """
    urs = host_of(urs_url or settings().endpoint("urs"))
    pools = tuple(host_of(u) for u in (datapool_urls or (settings().endpoint("asf_datapool"),)))
    env = os.environ
    env_pair = env.get(f"{ENV_PREFIX}_USERNAME") and env.get(f"{ENV_PREFIX}_PASSWORD")
    chosen = token if not (username or password) else None
    if chosen is None and not (username or password or env_pair):
        chosen = env.get(f"{ENV_PREFIX}_TOKEN")
    if chosen:
        return EarthdataAuth(urs_host=urs, token=chosen, datapool_hosts=pools)
    try:
        found = resolve(username=username, password=password, env_prefix=ENV_PREFIX,
                        host=urs.split(":")[0], netrc_path=netrc_path)
    except AuthError as exc:
        raise AuthError(f"{exc}, or set EARTHDATA_TOKEN (an Earthdata Login bearer "
                        "token)") from None
    return EarthdataAuth(urs_host=urs, credentials=found, datapool_hosts=pools)


class _EarthdataSession(HttpFileSession):
    """A datapool session whose refusals say what to fix."""

    def __init__(self, files: EarthdataFiles) -> None:
        super().__init__(files)
        self._auth = files.auth

    def size(self, remote: str) -> int:
        try:
            return super().size(remote)
        except AuthError as exc:
            raise self._refused(exc) from exc

    def read(self, remote: str, offset: int = 0) -> Iterator[bytes]:
        try:
            yield from super().read(remote, offset)
        except AuthError as exc:
            raise self._refused(exc) from exc

    def _refused(self, exc: AuthError) -> AuthError:
        auth = self._auth
        if not isinstance(auth, EarthdataAuth):
            return AuthError(f"{exc}: the datapool needs Earthdata Login: set "
                             "EARTHDATA_USERNAME/EARTHDATA_PASSWORD or EARTHDATA_TOKEN")
        return AuthError(f"Earthdata Login refused {auth.source} ({exc}); fix the password "
                         "(EARTHDATA_PASSWORD, --password or the 'machine "
                         f"{auth.host.split(':')[0]}' line of ~/.netrc), or give a valid "
                         "EARTHDATA_TOKEN; not retried, so the account is not locked")


@dataclass(frozen=True)
class EarthdataFiles(HttpFiles):
    """:class:`~swathkit.archives.http_files.HttpFiles` whose auth refusals are explained."""

    def open(self) -> HttpFileSession:
        return _EarthdataSession(self)


def datapool_files(base_url: str | None = None, *, auth: EarthdataAuth | None = None,
                   timeout: float | None = None,
                   ca_bundle: str | os.PathLike[str] | None = None) -> EarthdataFiles:
    """A session factory for the ASF datapool (the real one by default).

    Args:
        base_url: The datapool root (remote paths such as ``RTC_HI_RES/A3/AP_….zip``).
        auth: Earthdata Login; default :func:`earthdata_auth` for this datapool.
        timeout: Seconds to wait for a connection or the next bytes.
        ca_bundle: PEM file of the CAs to trust.

    Raises:
        AuthError: no credentials found.
    """
    url = base_url or settings().endpoint("asf_datapool")
    if auth is None:
        auth = earthdata_auth(datapool_urls=(url,))
    return EarthdataFiles(url, timeout=timeout, ca_bundle=ca_bundle, auth=auth)
