"""The USGS ERS login (``https://ers.cr.usgs.gov/login``) as an auth strategy of HttpClient.

:class:`ErsAuth` logs in once, on the first request that needs it: GET the form,
take its hidden ``csrf``, POST ``username``, ``password`` and ``csrf``; an answer
still on ``/login`` is a refusal, reported once as an :class:`AuthError` (no second
try with a wrong password). The session cookie is then sent to the ERS and
LandsatLook hosts only. Credentials: the arguments, else ``USGS_USERNAME`` /
``USGS_PASSWORD``, else ``~/.netrc`` ``machine ers.cr.usgs.gov`` (the seed's)::

    auth = ErsAuth.resolve(asset_hosts=["landsatlook.usgs.gov"])
    with HttpClient(auth=auth) as http:
        http.request("GET", inwam_href, stream=True)

An HTML page answered where a GeoTIFF was expected (LandsatLook's login page when
the cookie is missing or expired) raises :class:`AuthError` saying what to do.
"""

from __future__ import annotations

import html.parser
import logging
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.auth import AuthBase

from swathkit.archives.credentials import Credentials, resolve
from swathkit.archives.http import ca_bundle_path, network_error
from swathkit.config import settings
from swathkit.errors import AuthError

__all__ = ["ENV_PREFIX", "NETRC_HOST", "ErsAuth", "check_not_login_page"]

log = logging.getLogger(__name__)

ENV_PREFIX = "USGS"
NETRC_HOST = "ers.cr.usgs.gov"


class _CsrfFinder(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.csrf: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("name") == "csrf" and self.csrf is None:
            self.csrf = found.get("value") or ""


def check_not_login_page(answer: requests.Response, **_: Any) -> requests.Response:
    """Refuse an HTML answer to a request for a ``.TIF`` (a response hook).

    Raises:
        AuthError: the server sent a web page (its login form) instead of the file.
    """
    url = answer.url or ""
    kind = answer.headers.get("Content-Type", "")
    if urlsplit(url).path.upper().endswith((".TIF", ".TIFF")) and "html" in kind.lower():
        answer.close()
        raise AuthError(
            f"{url}: the server answered a web page (its login form), not the GeoTIFF: the "
            "ERS login is missing or expired. Give USGS_USERNAME/USGS_PASSWORD (or "
            f"'machine {NETRC_HOST}' in ~/.netrc) and use swathkit's ERS login")
    return answer


class ErsAuth(AuthBase):
    """Log in to ERS once; send its session cookie to its own hosts only.

    Args:
        credentials: The ERS username and password; None: anonymous (no login, but an
            HTML page answered for a GeoTIFF is still recognised).
        login_url: The ERS login form.
        asset_hosts: Other hosts (``host`` or ``host:port``) that get the cookie:
            LandsatLook's.
        ca_bundle: PEM file of the CAs to trust for the login (default: the settings').
        timeout: Seconds per connection or read of the login.
    """

    def __init__(self, credentials: Credentials | None, *, login_url: str | None = None,
                 asset_hosts: Iterable[str] = (), ca_bundle: str | os.PathLike[str] | None = None,
                 timeout: float | None = None) -> None:
        self.credentials = credentials
        self.login_url = login_url or settings().endpoint("ers").rstrip("/") + "/login"
        self.hosts = frozenset([urlsplit(self.login_url).netloc, *asset_hosts])
        bundle = ca_bundle_path(ca_bundle)
        self._verify: str | bool = str(bundle) if bundle else True
        self._timeout = settings().http_timeout if timeout is None else timeout
        self._cookie: str | None = None
        self._refused: AuthError | None = None
        self._lock = threading.Lock()

    @classmethod
    def resolve(cls, *, username: str | None = None, password: str | None = None,
                netrc_path: Path | None = None, **options: Any) -> ErsAuth:
        """ERS auth with credentials from the arguments, ``USGS_*`` or netrc.

        Raises:
            AuthError: none found (the message says the three ways to give them).
        """
        found = resolve(username=username, password=password, env_prefix=ENV_PREFIX,
                        host=NETRC_HOST, netrc_path=netrc_path)
        return cls(found, **options)

    @classmethod
    def configured(cls, *, asset_hosts: Iterable[str] = (), **options: Any) -> ErsAuth:
        """ERS auth with the configured credentials, or anonymous when none are given.

        Anonymous access still recognises an HTML page answered for a GeoTIFF.
        """
        try:
            return cls.resolve(asset_hosts=asset_hosts, **options)
        except AuthError:
            return cls(None, asset_hosts=asset_hosts, **options)

    def applies_to(self, url: str) -> bool:
        """Whether a request to ``url`` may carry the session cookie."""
        return urlsplit(url).netloc in self.hosts

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.register_hook("response", check_not_login_page)  # type: ignore[no-untyped-call]
        if self.credentials is not None and request.url and self.applies_to(request.url):
            cookie = self.session_cookie()
            present = request.headers.get("Cookie")
            request.headers["Cookie"] = f"{present}; {cookie}" if present else cookie
        return request

    def session_cookie(self) -> str:
        """``name=value`` of the ERS session (logging in first if needed).

        Raises:
            AuthError: ERS refused the credentials (also on later calls: one attempt).
            FetchError: the login form could not be reached.
        """
        with self._lock:
            if self._refused is not None:
                raise self._refused
            if self._cookie is None:
                self._cookie = self._log_in()
            return self._cookie

    def _log_in(self) -> str:
        if self.credentials is None:
            raise AuthError("no ERS credentials: give USGS_USERNAME/USGS_PASSWORD")
        with requests.Session() as session:
            session.trust_env = False
            try:
                form = session.get(self.login_url, verify=self._verify, timeout=self._timeout)
                form.raise_for_status()
                finder = _CsrfFinder()
                finder.feed(form.text)
                if finder.csrf is None:
                    raise AuthError(f"{self.login_url}: no csrf field in the login form")
                answer = session.post(self.login_url, verify=self._verify,
                                      timeout=self._timeout,
                                      data={"username": self.credentials.username,
                                            "password": self.credentials.password,
                                            "csrf": finder.csrf})
                answer.raise_for_status()  # a 503/429 is the server's trouble, not a refusal
            except requests.RequestException as exc:
                raise network_error(exc, self.login_url) from exc
            if urlsplit(answer.url).path.rstrip("/").endswith("/login") or not session.cookies:
                self._refused = AuthError(
                    f"ERS ({self.login_url}) refused the username/password of "
                    f"{self.credentials.username!r} ({self.credentials.source}): check "
                    f"USGS_USERNAME/USGS_PASSWORD or 'machine {NETRC_HOST}' in ~/.netrc; "
                    "not retried")
                raise self._refused
            log.info("logged in to ERS as %s", self.credentials.username)
            return "; ".join(f"{c.name}={c.value}" for c in session.cookies)

    def __repr__(self) -> str:
        return f"ErsAuth(login_url={self.login_url!r}, credentials={self.credentials!r})"
