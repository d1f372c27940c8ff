"""Credentials: tried in order (arguments, environment, ~/.netrc), never shown."""

from __future__ import annotations

import netrc
import os
from dataclasses import dataclass, field
from pathlib import Path

from swathkit.errors import AuthError


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
