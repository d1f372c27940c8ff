"""The one HTTP stack of swathkit: a ``requests`` session with the error tree on top.

:class:`HttpClient` wraps :class:`requests.Session`: pooled keep-alive
connections, redirects, cookies (sent back only to the host that set them),
a host-bound auth strategy (:mod:`swathkit.archives.credentials`), TLS always
verified against a CA bundle (``SWATHKIT_CA_BUNDLE`` via
:func:`swathkit.config.settings`, else certifi's), and a timeout on every
connection and read. ``trust_env`` is off: requests reads no netrc, proxy or CA
variable behind our back; credentials come from ``credentials.resolve`` only.

::

    with HttpClient(ca_bundle="ca.pem") as http:
        records = http.get_json("https://gportal.jaxa.jp/csw/csw", {"count": 10})
        with http.request("GET", url, headers={"Range": "bytes=100-"}, stream=True) as answer:
            ...

Every failure is one of the error tree (:mod:`swathkit.errors`):

- 429, 503: ``ThrottledError`` with the server's ``Retry-After``; other 5xx, timeouts,
  refused or reset connections, bodies cut short: ``TransientFetchError``;
- 404, 410: ``NotPublishedError``; 401, 403: ``AuthError``; other 4xx, too many
  redirects, a bad URL: ``PermanentFetchError``;
- a certificate that does not verify: ``PermanentFetchError`` saying so (no request is sent).

Retrying is not done here: that is :meth:`swathkit.transfer.retry.RetryPolicy.call`'s job.
"""

from __future__ import annotations

import os
import ssl
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from urllib3 import PoolManager

from swathkit.config import settings
from swathkit.errors import (
    AuthError,
    FetchError,
    InputError,
    NotPublishedError,
    PermanentFetchError,
    ThrottledError,
    TransientFetchError,
)

__all__ = ["USER_AGENT", "HttpClient", "network_error", "retry_after", "status_error"]

USER_AGENT = "swathkit (+https://github.com/swathkit)"
MAX_REDIRECTS = 10
_ERROR_BODY = 64 * 1024  # read at most this much of an error answer (the status says enough)
_DETAIL = 300  # characters of a text or JSON error answer quoted in the message
_PERMANENT = (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
              requests.exceptions.InvalidSchema, requests.exceptions.InvalidHeader,
              requests.exceptions.TooManyRedirects)


def retry_after(value: str | None) -> float | None:
    """Seconds of a ``Retry-After`` header (None if absent or an HTTP date: backoff decides)."""
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def status_error(status: int, reason: str, where: str, retry_after: float | None) -> FetchError:
    """The error for an HTTP status that is not a success, sorted as the error tree says."""
    message = f"{where}: HTTP {status} {reason}".rstrip()
    if status in (429, 503):
        return ThrottledError(message, retry_after=retry_after)
    if status >= 500:
        return TransientFetchError(message, retry_after=retry_after)
    if status in (404, 410):
        return NotPublishedError(message)
    if status in (401, 403):
        return AuthError(message)
    return PermanentFetchError(message)


def network_error(exc: requests.RequestException, where: str) -> FetchError:
    """The error for a request that got no HTTP answer (or whose body broke off)."""
    refused = _certificate_failure(exc)
    if refused is not None:
        return PermanentFetchError(
            f"{where}: the server's TLS certificate does not verify ({refused.verify_message}); "
            "nothing was sent to it. If it is a private server, name its CA's PEM file with "
            "SWATHKIT_CA_BUNDLE")
    if isinstance(exc, _PERMANENT):
        return PermanentFetchError(f"{where}: {exc}")
    return TransientFetchError(f"{where}: {type(exc).__name__}: {exc}")


def ca_bundle_path(value: str | os.PathLike[str] | None) -> Path | None:
    """The CA bundle to verify with: ``value``, else the settings' (None: certifi's).

    Raises:
        InputError: the file does not exist.
    """
    bundle = Path(value) if value is not None else settings().ca_bundle
    if bundle is not None and not bundle.is_file():
        raise InputError(f"CA bundle {bundle} does not exist: give the PEM file of the "
                         "certificate authorities to trust (SWATHKIT_CA_BUNDLE), or unset it")
    return bundle


class HttpClient:
    """One HTTP(S) client: a pool of keep-alive connections with cookies and auth.

    Not shared between threads (one per worker, as ``requests.Session`` wants).

    Args:
        ca_bundle: PEM file of the CAs to trust; default ``settings().ca_bundle``, else
            certifi's bundle. Certificates and host names are always verified.
        timeout: Seconds to wait for a connection or for the next bytes; default
            ``settings().http_timeout``.
        auth: Adds the ``Authorization`` header, for its own host only (also after redirects).
        headers: Sent with every request, after ``User-Agent``.

    Raises:
        InputError: the CA bundle does not exist.
    """

    def __init__(self, *, ca_bundle: str | os.PathLike[str] | None = None,
                 timeout: float | None = None, auth: AuthBase | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.ca_bundle = ca_bundle_path(ca_bundle)
        self.timeout = settings().http_timeout if timeout is None else timeout
        self._session = _Session()
        self._session.trust_env = False  # no netrc, proxies or CA variables read behind us
        self._session.verify = str(self.ca_bundle) if self.ca_bundle else True
        self._session.auth = auth
        self._session.max_redirects = MAX_REDIRECTS
        self._session.headers.update({"User-Agent": USER_AGENT, **(headers or {})})

    def request(self, method: str, url: str, *, params: dict[str, Any] | None = None,
                headers: dict[str, str] | None = None, stream: bool = False,
                data: list[tuple[str, str]] | None = None) -> requests.Response:
        """Send a request (following redirects); its successful (2xx) answer.

        With ``stream=True`` the body is left to read (close the answer, or use ``with``).
        ``data`` is sent form-encoded, keys repeated as given (CMR's ``attribute[]``).

        Raises:
            FetchError: as the module's docstring sorts statuses and network failures.
        """
        try:
            answer = self._session.request(method, url, params=params, headers=headers,
                                           stream=stream, timeout=self.timeout, data=data)
        except requests.RequestException as exc:
            raise network_error(exc, url) from exc
        except OSError as exc:  # requests checks the CA bundle only now: it may have gone
            raise PermanentFetchError(f"{url}: {exc}") from exc
        if 200 <= answer.status_code < 300:
            return answer
        raise _refusal(answer, url)

    def get_json(self, url: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``url?params`` and decode its JSON.

        Raises:
            TransientFetchError: also when the answer is not JSON (a proxy's error page).
            FetchError: as :meth:`request`.
        """
        answer = self.request("GET", url, params=params)
        try:
            return answer.json()
        except requests.exceptions.JSONDecodeError as exc:
            raise TransientFetchError(f"{url}: answer is not JSON ({exc})") from exc

    @property
    def cookies(self) -> requests.cookies.RequestsCookieJar:
        """The cookies servers have set (each sent back to its own domain only)."""
        return self._session.cookies

    def close(self) -> None:
        """Close the pooled connections now (idempotent).

        ``requests.Session.close`` only drops urllib3's pools, whose connections urllib3 2
        closes when a pool is garbage-collected; anything still referring to a pool (a
        response in a logged error's traceback) would keep its connection open, and a
        server capping connections would count it. So each pool is closed here.
        """
        for adapter in self._session.adapters.values():
            if isinstance(adapter, HTTPAdapter):
                _close_pools(adapter.poolmanager)
        self._session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class _Session(requests.Session):
    """A session whose redirects decide the ``Authorization`` header afresh.

    requests keeps the header on a redirect to the same host name with another
    scheme or port in some cases and drops it in others; here it is always
    dropped, then the auth strategy (bound to its host) adds it back where it
    belongs, except on a downgrade from https to http.
    """

    def rebuild_auth(self, prepared_request: requests.PreparedRequest,
                     response: requests.Response) -> None:
        prepared_request.headers.pop("Authorization", None)
        before = urlsplit(response.request.url or "").scheme
        after = urlsplit(prepared_request.url or "").scheme
        if self.auth is not None and not (before == "https" and after != "https"):
            prepared_request.prepare_auth(self.auth)


def _close_pools(manager: PoolManager) -> None:
    """Close every connection pool of ``manager`` (a connection in use closes when released)."""
    for key in manager.pools.keys():  # noqa: SIM118 (a locked copy; it has no __iter__)
        pool = manager.pools.get(key)
        if pool is not None:
            pool.close()


def _refusal(answer: requests.Response, url: str) -> FetchError:
    """The error of a non-2xx answer; its body is read (a little) and the answer closed."""
    detail = ""
    kind = answer.headers.get("Content-Type", "")
    try:
        if kind.startswith(("application/json", "text/plain")):
            text = next(answer.iter_content(_ERROR_BODY), b"").decode("utf-8", "replace")
            detail = " ".join(text.split())[:_DETAIL]
    except requests.RequestException:
        pass  # the status says enough
    finally:
        answer.close()
    reason = f"{answer.reason}: {detail}" if detail else str(answer.reason or "")
    return status_error(answer.status_code, reason, url,
                        retry_after(answer.headers.get("Retry-After")))


def _certificate_failure(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate verification error somewhere inside ``exc`` (requests nests urllib3's)."""
    todo: list[BaseException] = [exc]
    seen: set[int] = set()
    while todo:
        error = todo.pop()
        if id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, ssl.SSLCertVerificationError):
            return error
        inner = [*error.args, error.__cause__, error.__context__, getattr(error, "reason", None)]
        todo += [e for e in inner if isinstance(e, BaseException)]
    return None
