"""The simulated USGS ERS login (``ers.cr.usgs.gov/login``) and its session cookies.

``GET /login`` is an HTML form with a hidden ``csrf`` input; ``POST /login`` with
``username``, ``password`` and that ``csrf`` sets a session cookie and redirects
away from ``/login``; a refusal answers the form again (200, still ``/login``), as
the real site does. Each csrf value is good once.
"""

from __future__ import annotations

import hashlib
import html
import secrets
import threading
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

__all__ = ["COOKIE", "Accounts", "login_page"]

COOKIE = "EROS_SSO_production_secure"


@dataclass
class Accounts:
    """Who may log in, the csrf values handed out and the live sessions."""

    users: dict[str, str] = field(repr=False)  # username → password
    _csrf: set[str] = field(default_factory=set, repr=False)
    _sessions: dict[str, str] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    logins: int = 0  # successful
    refusals: int = 0

    def new_csrf(self) -> str:
        token = secrets.token_hex(16)
        with self._lock:
            self._csrf.add(token)
        return token

    def log_in(self, username: str, password: str, csrf: str) -> str | None:
        """A new session token, or None if the csrf or the password is wrong."""
        with self._lock:
            fresh = csrf in self._csrf
            self._csrf.discard(csrf)
            known = self.users.get(username)
            good = known is not None and secrets.compare_digest(
                hashlib.sha256(known.encode()).digest(), hashlib.sha256(password.encode()).digest())
            if not (fresh and good):
                self.refusals += 1
                return None
            token = secrets.token_urlsafe(24)
            self._sessions[token] = username
            self.logins += 1
            return token

    def session_user(self, cookie_header: str | None) -> str | None:
        """The user of the session cookie in a ``Cookie`` header, if it is live."""
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(cookie_header or "")
        except Exception:
            return None
        morsel = jar.get(COOKIE)
        with self._lock:
            return self._sessions.get(morsel.value) if morsel is not None else None


def login_page(csrf: str, *, error: str | None = None) -> bytes:
    """The ERS login form (what the real site shows, trimmed)."""
    problem = (f'<div class="alert alert-danger">{html.escape(error)}</div>' if error else "")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>Login - EROS Registration System</title></head><body>\n"
        f"<h1>EROS Registration System</h1>{problem}\n"
        '<form id="loginForm" method="post" action="/login">\n'
        f'<input type="hidden" name="csrf" value="{html.escape(csrf)}">\n'
        '<label for="username">Username</label><input type="text" name="username" '
        'id="username">\n<label for="password">Password</label><input type="password" '
        'name="password" id="password">\n<input type="submit" value="Sign In" id="loginButton">\n'
        "</form></body></html>\n").encode()
