"""Credentials: tried in order (arguments, environment, ~/.netrc), never shown.

HTTP auth strategies sit next to them: :class:`BasicAuth` and :class:`BearerAuth`
add an ``Authorization`` header to requests for the host the credentials belong
to and to no other, so a redirect to another host never carries them (the
:class:`~swathkit.archives.http.HttpClient` re-applies the strategy after each
redirect).
"""

from __future__ import annotations

import base64
import netrc
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from requests import PreparedRequest
from requests.auth import AuthBase

from swathkit.errors import AuthError

__all__ = ["BasicAuth", "BearerAuth", "Credentials", "HostAuth", "resolve"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Credentials:
    """A username and password whose repr and str never reveal the password."""

    username: str
    password: str = field(repr=False)
    source: str = "arguments"  # where they came from: arguments, environment, netrc

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, password=***, source={self.source!r})"

    __str__ = __repr__


def resolve(*, username: str | None, password: str | None, env_prefix: str, host: str,
            netrc_path: Path | None = None) -> Credentials:
    """Find credentials: arguments, then ``<PREFIX>_USERNAME``/``_PASSWORD``, then netrc.

    Each half is looked up on its own, so ``--username`` with a password in the
    environment works; netrc fills what is still missing when its login matches.

    Raises:
        AuthError: none found; the message says the three ways to give them.
    """
    user = username or os.environ.get(f"{env_prefix}_USERNAME")
    secret = password or os.environ.get(f"{env_prefix}_PASSWORD")
    sources = {"arguments" if password else "environment"} if secret else set()
    if not (user and secret):
        found = _from_netrc(host, netrc_path)
        if found and (user is None or user == found.username):
            user, secret = user or found.username, secret or found.password
            sources.add("netrc")
    if user and secret:
        return Credentials(user, secret, "+".join(sorted(sources)) or "arguments")
    raise AuthError(
        f"no credentials for {host}: pass --username/--password, set {env_prefix}_USERNAME and "
        f"{env_prefix}_PASSWORD, or add 'machine {host} login … password …' to ~/.netrc")


def _from_netrc(host: str, path: Path | None) -> Credentials | None:
    file = path or Path(os.environ.get("NETRC", Path.home() / ".netrc"))
    if not file.exists():
        return None
    try:
        entry = netrc.netrc(str(file)).authenticators(host)
    except (netrc.NetrcParseError, OSError):
        return None
    if not entry or not entry[0] or not entry[2]:
        return None
    return Credentials(entry[0], entry[2], "netrc")


class HostAuth(AuthBase):
    """An ``Authorization`` header for one host only (a ``requests`` auth strategy).

    Args:
        host: The host name the secret belongs to, optionally with ``:port`` (then
            only that port gets it).
    """

    def __init__(self, host: str) -> None:
        parts = urlsplit(f"//{host}")
        if not parts.hostname:
            raise ValueError(f"{host!r} is not a host name")
        self.host = host
        self._name, self._port = parts.hostname, parts.port

    def applies_to(self, url: str) -> bool:
        """Whether a request to ``url`` may carry the header."""
        parts = urlsplit(url)
        if parts.hostname != self._name:
            return False
        return self._port is None or self._port == (parts.port or _DEFAULT_PORTS.get(parts.scheme))

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        if request.url and self.applies_to(request.url):
            request.headers["Authorization"] = self.header()
        else:
            request.headers.pop("Authorization", None)
        return request

    def header(self) -> str:
        """The ``Authorization`` header's value."""
        raise NotImplementedError


class BasicAuth(HostAuth):
    """HTTP Basic authentication with :class:`Credentials`, for their host only.

    ::

        auth = BasicAuth.resolve("urs.earthdata.nasa.gov", env_prefix="EARTHDATA")
    """

    def __init__(self, credentials: Credentials, *, host: str) -> None:
        super().__init__(host)
        self.credentials = credentials

    @classmethod
    def resolve(cls, host: str, *, env_prefix: str, username: str | None = None,
                password: str | None = None, netrc_path: Path | None = None) -> BasicAuth:
        """Basic auth for ``host`` with credentials found as :func:`resolve` finds them.

        Raises:
            AuthError: none found.
        """
        name = urlsplit(f"//{host}").hostname or host
        found = resolve(username=username, password=password, env_prefix=env_prefix,
                        host=name, netrc_path=netrc_path)
        return cls(found, host=host)

    def header(self) -> str:
        pair = f"{self.credentials.username}:{self.credentials.password}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")

    def __repr__(self) -> str:
        return f"BasicAuth(host={self.host!r}, credentials={self.credentials!r})"


class BearerAuth(HostAuth):
    """A bearer token (``Authorization: Bearer …``) for its host only; repr hides it."""

    def __init__(self, token: str, *, host: str) -> None:
        super().__init__(host)
        self._token = token

    def header(self) -> str:
        return f"Bearer {self._token}"

    def __repr__(self) -> str:
        return f"BearerAuth(host={self.host!r}, token=***)"
