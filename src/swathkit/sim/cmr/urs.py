"""Simulated NASA Earthdata Login (URS): OAuth authorize with Basic, tokens, one-use codes.

- ``GET /oauth/authorize?client_id=…&response_type=code&redirect_uri=…&state=…``
  with valid Basic credentials (or the URS session cookie it set) → 302 to
  ``redirect_uri?code=…&state=…``; without → 401 with ``WWW-Authenticate: Basic``
  (``app_type=401`` asks for that instead of the HTML login page); wrong → 401.
- ``POST /api/users/find_or_create_token`` with Basic → ``{"access_token", "token_type":
  "Bearer", "expiration_date"}``.
- ``POST /oauth/tokens/user?client_id=…`` with ``token=…`` → 200 if the token is valid.

The datapool redeems a code in-process (:meth:`UrsServer.redeem`), standing in
for the server-to-server ``POST /oauth/token`` of the real flow.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import threading
from http import HTTPStatus
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlencode, urlsplit

from swathkit.sim._server import SimHandler, SimServer
from swathkit.sim.faults import FaultPlan

__all__ = ["SESSION_COOKIE", "UrsServer"]

SESSION_COOKIE = "_urs-gui_session"


class UrsServer(SimServer):
    """Earthdata Login for a set of users.

    Args:
        users: Username → password.
        plan: Faults to inject.
    """

    def __init__(self, users: dict[str, str], *, plan: FaultPlan,
                 latency: float = 0.0) -> None:
        super().__init__(_Handler, plan=plan, latency=latency, name="sim-urs")
        self.users = dict(users)
        self.tokens: dict[str, str] = {}  # token → user
        self._codes: dict[str, str] = {}  # code → user, used once
        self._sessions: dict[str, str] = {}  # URS session cookie → user
        self._lock = threading.Lock()

    def check(self, header: str | None) -> str | None:
        """The user of a valid ``Authorization: Basic`` header (a failure is counted)."""
        if not header or not header.startswith("Basic "):
            return None
        try:
            user, _, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            user, password = "", ""
        if user in self.users and secrets.compare_digest(self.users[user], password):
            self.counts.add("logins")
            return user
        self.counts.add("login_failures")
        return None

    def token_user(self, token: str) -> str | None:
        with self._lock:
            return self.tokens.get(token)

    def issue(self, kind: str, user: str) -> str:
        """A new token, code or session id for ``user``."""
        value = secrets.token_urlsafe(24)
        with self._lock:
            store = {"token": self.tokens, "code": self._codes, "session": self._sessions}[kind]
            store[value] = user
        return value

    def session_user(self, value: str | None) -> str | None:
        with self._lock:
            return self._sessions.get(value or "")

    def redeem(self, code: str) -> str | None:
        """The user an authorization code was issued to (None if unknown or used)."""
        with self._lock:
            return self._codes.pop(code, None)


class _Handler(SimHandler):
    server: UrsServer
    server_version = "swathkit-sim-urs"

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        split = urlsplit(self.path)
        if not self.begin(f"GET {split.path}"):
            return
        if split.path != "/oauth/authorize":
            self._json(HTTPStatus.NOT_FOUND, {"error": "not_found"})
            return
        params = {k: v[0] for k, v in parse_qs(split.query).items()}
        redirect = params.get("redirect_uri")
        if params.get("response_type") != "code" or not redirect or not params.get("client_id"):
            self._json(HTTPStatus.BAD_REQUEST, {"error": "invalid_request",
                                                "error_description": "client_id, response_type"
                                                "=code and redirect_uri are required"})
            return
        cookie = SimpleCookie(self.headers.get("Cookie") or "").get(SESSION_COOKIE)
        user = self.server.check(self.headers.get("Authorization"))
        user = user or self.server.session_user(cookie.value if cookie else None)
        if user is None:
            self._unauthorized()
            return
        code = self.server.issue("code", user)
        target = f"{redirect}?{urlencode({'code': code, 'state': params.get('state', '')})}"
        self.send_bytes(HTTPStatus.FOUND, b"", "text/html; charset=utf-8", {
            "Location": target,
            "Set-Cookie": f"{SESSION_COOKIE}={self.server.issue('session', user)}; Path=/; "
                          "Secure; HttpOnly"})

    def do_POST(self) -> None:
        split = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not self.begin(f"POST {split.path}"):
            return
        if split.path == "/api/users/find_or_create_token":
            user = self.server.check(self.headers.get("Authorization"))
            if user is None:
                self._unauthorized()
                return
            self._json(HTTPStatus.OK, {"access_token": self.server.issue("token", user),
                                       "token_type": "Bearer",
                                       "expiration_date": "12/31/2099"})
        elif split.path == "/oauth/tokens/user":
            token = parse_qs(body.decode()).get("token", [""])[0]
            user = self.server.token_user(token)
            status = HTTPStatus.OK if user else HTTPStatus.UNAUTHORIZED
            self._json(status, {"uid": user} if user else {"error": "invalid_token"})
        else:
            self._json(HTTPStatus.NOT_FOUND, {"error": "not_found"})

    def _unauthorized(self) -> None:
        self._json(HTTPStatus.UNAUTHORIZED, {"error": "invalid_credentials",
                                             "error_description": "Invalid user credentials"},
                   {"WWW-Authenticate": 'Basic realm="Please enter your Earthdata Login '
                                       'credentials"'})

    def _json(self, status: HTTPStatus, body: object,
              headers: dict[str, str] | None = None) -> None:
        self.send_bytes(status, json.dumps(body).encode(), "application/json; charset=utf-8",
                        headers)

    def send_error_page(self, status: HTTPStatus, message: str,
                        headers: dict[str, str] | None = None) -> None:
        self._json(status, {"error": message}, headers)
