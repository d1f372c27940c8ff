"""Small HTTP GET for catalogues: JSON answers, errors sorted into transient and permanent."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from swathkit.errors import (
    AuthError,
    FetchError,
    NotPublishedError,
    PermanentFetchError,
    ThrottledError,
    TransientFetchError,
)

USER_AGENT = "swathkit (+https://github.com/swathkit)"


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


def get_json(url: str, params: dict[str, Any], *, timeout: float = 60.0) -> Any:
    """GET ``url?params`` and decode JSON (TLS certificates verified by urllib's defaults).

    Raises:
        ThrottledError: 429 or 503, with the server's Retry-After.
        TransientFetchError: other 5xx, timeouts, refused or reset connections, bad JSON.
        NotPublishedError: 404 or 410.
        AuthError: 401 or 403.
        PermanentFetchError: other 4xx; the message carries the server's words.
    """
    full = f"{url}?{urllib.parse.urlencode(params)}"
    request = urllib.request.Request(full, headers={"User-Agent": USER_AGENT})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            body = answer.read()
    except urllib.error.HTTPError as exc:
        raise _http_error(exc, url) from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise TransientFetchError(f"{url}: {getattr(exc, 'reason', exc)}") from exc
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        raise TransientFetchError(f"{url}: answer is not JSON ({exc})") from exc


def _http_error(exc: urllib.error.HTTPError, url: str) -> Exception:
    detail = exc.read(300).decode("utf-8", "replace").strip() if exc.fp else ""
    wait = retry_after(exc.headers.get("Retry-After") if exc.headers else None)
    reason = f"{exc.reason}: {detail}" if detail else str(exc.reason)
    return status_error(exc.code, reason, url, wait)
