"""A simulated DAAC distribution (TEA-style, as ASF's and NSIDC's) and the S3 bucket it signs for.

``GET``/``HEAD /<path of a published file>`` on the datapool (ASF:
``/RTC_HI_RES/A3/<zip>``; which paths exist, and their S3 keys, is the ``key_of``
function it is given):

- with a valid ``Authorization: Bearer`` token, or a valid ``asf-urs`` cookie →
  307 to a signed S3 URL (``X-Amz-*`` query, an hour's validity);
- otherwise → 302 to the URS ``/oauth/authorize?…&redirect_uri=<datapool>/login&
  state=<path>&app_type=401``.

``GET /login?code=…&state=…`` redeems the code with URS, sets the ``asf-urs``
cookie (``cookie_ttl`` seconds) and sends a 302 to the signed URL of ``state``.
:meth:`DatapoolServer.expire_cookies` ends every cookie issued so far (the
"expired cookie" fault). The S3 server refuses a request that carries an
``Authorization`` header (400, as S3 does with two auth mechanisms), a bad or
expired signature (403), and serves the zip with ranges and the plan's stream
faults; :meth:`S3Server.tamper` makes it serve a zip whose bytes differ from the
published MD5. Its URLs use the host name ``localhost`` (the datapool and URS use
127.0.0.1): another host, as a real S3 bucket is another domain.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from http import HTTPStatus
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from swathkit.sim._server import SimHandler, SimServer, send_file
from swathkit.sim.cmr.urs import UrsServer
from swathkit.sim.faults import FaultPlan

__all__ = ["COOKIE", "DatapoolServer", "S3Server"]

COOKIE = "asf-urs"
CLIENT_ID = "BO_n7nTIlMljdvU6kRRB3g"
BUCKET = "asf-ngap2w-p-s1-rtc"
S3_HOST = "localhost"
URL_TTL_S = 3600


class S3Server(SimServer):
    """A bucket answering presigned GETs only.

    Args:
        local: An object's file on disk, by file name (None: no such object).
        plan: Faults to inject (stream faults, corruption).
        bucket: The bucket's name (the first part of its URLs' paths).
        content_type: The ``Content-Type`` of the objects.
    """

    def __init__(self, local: Callable[[str], Path | None], *, plan: FaultPlan,
                 latency: float = 0.0, bucket: str = BUCKET,
                 content_type: str = "application/zip") -> None:
        super().__init__(_S3Handler, plan=plan, connection_cap=plan.max_sessions,
                         latency=latency, name="sim-s3")
        self.local = local
        self.bucket, self.content_type = bucket, content_type
        self.secret = secrets.token_bytes(16)
        self._tampered: dict[str, int | None] = {}  # zip name → GETs left (None: all)
        self._tamper_lock = threading.Lock()

    def tamper(self, zip_name: str, gets: int | None = None) -> None:
        """Serve ``zip_name`` with one byte changed (same size, another MD5) for the next
        ``gets`` GETs (None: until :meth:`untamper`)."""
        with self._tamper_lock:
            self._tampered[zip_name] = gets

    def untamper(self, zip_name: str) -> None:
        """Serve ``zip_name`` as published again."""
        with self._tamper_lock:
            self._tampered.pop(zip_name, None)

    def served(self, zip_name: str, local: Path, *, get: bool) -> Path:
        """The file to answer with: ``local``, or its tampered copy."""
        with self._tamper_lock:
            if zip_name not in self._tampered:
                return local
            left = self._tampered[zip_name]
            if get and left is not None:
                if left <= 0:
                    del self._tampered[zip_name]
                    return local
                self._tampered[zip_name] = left - 1
        copy = local.with_name(f"tampered-{local.name}")
        if not copy.exists():
            data = bytearray(local.read_bytes())
            data[len(data) // 2] ^= 0xFF
            tmp = copy.with_name(f".{copy.name}.tmp")
            tmp.write_bytes(bytes(data))
            tmp.replace(copy)
        self.counts.add("tampered")
        return copy

    def signed_url(self, key: str) -> str:
        """A presigned URL of ``key`` valid for an hour."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        query = {"X-Amz-Algorithm": "AWS4-HMAC-SHA256",
                 "X-Amz-Credential": "ASIASIMULATED/us-west-2/s3/aws4_request",
                 "X-Amz-Date": stamp, "X-Amz-Expires": str(URL_TTL_S),
                 "X-Amz-SignedHeaders": "host"}
        query["X-Amz-Signature"] = self._signature(key, stamp, str(URL_TTL_S))
        return f"https://{S3_HOST}:{self.port}/{self.bucket}/{key}?{urlencode(query)}"

    def _signature(self, key: str, stamp: str, ttl: str) -> str:
        return hmac.new(self.secret, f"{key}\n{stamp}\n{ttl}".encode(), hashlib.sha256).hexdigest()

    def verify(self, key: str, query: dict[str, str]) -> str | None:
        """Why a presigned request is refused (None if it is good)."""
        stamp, ttl = query.get("X-Amz-Date", ""), query.get("X-Amz-Expires", "0")
        good = self._signature(key, stamp, ttl)
        if not hmac.compare_digest(good, query.get("X-Amz-Signature", "")):
            return "The request signature we calculated does not match the signature you provided."
        try:
            signed = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            return "X-Amz-Date must be in the ISO8601 Long Format"
        if (datetime.now(UTC) - signed).total_seconds() > int(ttl):
            return "Request has expired"
        return None


class _S3Handler(SimHandler):
    server: S3Server
    server_version = "AmazonS3"

    def do_HEAD(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def _serve(self) -> None:
        split = urlsplit(self.path)
        if not self.begin(f"{self.command} {split.path}"):
            return
        if self.headers.get("Authorization"):
            self.server.counts.add("authorization_rejected")
            self._error(HTTPStatus.BAD_REQUEST, "InvalidArgument", "Only one auth mechanism "
                        "allowed; only the X-Amz-Algorithm query parameter, Signature query "
                        "string parameter or the Authorization header should be specified")
            return
        key = split.path.removeprefix(f"/{self.server.bucket}/")
        refused = self.server.verify(key, {k: v[0] for k, v in parse_qs(split.query).items()})
        if refused:
            self._error(HTTPStatus.FORBIDDEN, "AccessDenied", refused)
            return
        name = key.rsplit("/", 1)[-1]
        local = self.server.local(name)
        if local is None:
            self._error(HTTPStatus.NOT_FOUND, "NoSuchKey", "The specified key does not exist.")
            return
        served = self.server.served(name, local, get=self.command == "GET")
        send_file(self, served, key, content_type=self.server.content_type)

    def _error(self, status: HTTPStatus, code: str, message: str) -> None:
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
                f"<Message>{message}</Message></Error>")
        self.send_bytes(status, body.encode(), "application/xml")

    def send_error_page(self, status: HTTPStatus, message: str,
                        headers: dict[str, str] | None = None) -> None:
        body = f"<Error><Code>SlowDown</Code><Message>{message}</Message></Error>"
        self.send_bytes(status, body.encode(), "application/xml", headers)


class DatapoolServer(SimServer):
    """The distribution endpoint: Earthdata Login in front of the S3 bucket.

    Args:
        key_of: The S3 key of the file a request path names (None: no such file).
        urs: The Earthdata Login server (its URL, its codes and tokens).
        s3: The bucket it signs URLs for.
        plan: Faults to inject (503/429 on any request).
        cookie_ttl: Seconds an ``asf-urs`` cookie is valid.
        name: Name of the serving thread.
    """

    def __init__(self, key_of: Callable[[str], str | None], urs: UrsServer, s3: S3Server, *,
                 plan: FaultPlan, cookie_ttl: float = 3600.0, latency: float = 0.0,
                 name: str = "sim-datapool") -> None:
        super().__init__(_DatapoolHandler, plan=plan, connection_cap=plan.max_sessions,
                         latency=latency, name=name)
        self.key_of, self.urs, self.s3, self.cookie_ttl = key_of, urs, s3, cookie_ttl
        self._cookies: dict[str, float] = {}  # value → expiry (monotonic seconds)
        self._lock = threading.Lock()

    def new_cookie(self) -> str:
        value = secrets.token_urlsafe(24)
        with self._lock:
            self._cookies[value] = time.monotonic() + self.cookie_ttl
        return value

    def cookie_valid(self, value: str | None) -> bool:
        with self._lock:
            expiry = self._cookies.get(value or "")
        return expiry is not None and time.monotonic() < expiry

    def expire_cookies(self) -> None:
        """End every ``asf-urs`` cookie issued so far (their holders must log in again)."""
        with self._lock:
            self._cookies.clear()


class _DatapoolHandler(SimHandler):
    server: DatapoolServer
    server_version = "swathkit-sim-datapool"

    def do_HEAD(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def _serve(self) -> None:
        split = urlsplit(self.path)
        if not self.begin(f"{self.command} {split.path}"):
            return
        if split.path == "/login":
            self._login(parse_qs(split.query))
            return
        key = self.server.key_of(split.path)
        if key is None:
            self.server.counts.add("not_found")
            self.send_bytes(HTTPStatus.NOT_FOUND, b"Not Found\n", "text/plain")
            return
        if self._authorized():
            self._to_s3(key, HTTPStatus.TEMPORARY_REDIRECT)
            return
        self.server.counts.add("login_redirects")
        urs = self.server.urs
        query = urlencode({"client_id": CLIENT_ID, "response_type": "code",
                           "redirect_uri": f"{self.server.base_url}login", "state": split.path,
                           "app_type": "401"})
        self.send_bytes(HTTPStatus.FOUND, b"", "text/plain",
                        {"Location": f"{urs.base_url}oauth/authorize?{query}"})

    def _authorized(self) -> bool:
        header = self.headers.get("Authorization") or ""
        if header.startswith("Bearer ") and self.server.urs.token_user(header[7:]):
            return True
        cookie = SimpleCookie(self.headers.get("Cookie") or "").get(COOKIE)
        if cookie is not None and not self.server.cookie_valid(cookie.value):
            self.server.counts.add("expired_cookies")
            return False
        return cookie is not None

    def _login(self, params: dict[str, list[str]]) -> None:
        code, state = params.get("code", [""])[0], params.get("state", [""])[0]
        if self.server.urs.redeem(code) is None:
            self.send_bytes(HTTPStatus.UNAUTHORIZED, b"Could not log in: bad or used code\n",
                            "text/plain")
            return
        cookie = (f"{COOKIE}={self.server.new_cookie()}; Path=/; Secure; HttpOnly; "
                  f"Max-Age={int(self.server.cookie_ttl)}")
        key = self.server.key_of(state)
        if key is None:  # a login without a file to go to (asf_search's cookie step)
            self.send_bytes(HTTPStatus.OK, b"Logged in.\n", "text/plain", {"Set-Cookie": cookie})
            return
        self._to_s3(key, HTTPStatus.FOUND, {"Set-Cookie": cookie})

    def _to_s3(self, key: str, status: HTTPStatus,
               headers: dict[str, str] | None = None) -> None:
        url = self.server.s3.signed_url(key)
        self.send_bytes(status, b"", "text/plain", {"Location": url, **(headers or {})})
