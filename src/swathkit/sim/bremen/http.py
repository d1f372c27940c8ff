"""The HTTP side of the simulated Bremen archive: listings, files with ranges, injected faults.

See :mod:`swathkit.sim.bremen.server` for what is served; this module answers requests.
"""

from __future__ import annotations

import contextlib
import html
import logging
import socket
import threading
from collections import Counter
from datetime import datetime
from email.utils import format_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from swathkit.sim.faults import (
    AttemptCounter,
    FaultPlan,
    FaultTally,
    flip_bytes,
    http_fault_now,
)

if TYPE_CHECKING:
    from swathkit.sim.bremen.server import AsiFiles, Entry

log = logging.getLogger(__name__)

_CHUNK = 256 * 1024
_THROTTLED_CHUNK = 32 * 1024  # smaller writes keep a bandwidth cap smooth
_IDLE_TIMEOUT = 60.0  # seconds an idle keep-alive connection is kept


class Connections:
    """Concurrent connections, with an optional cap, and their statistics."""

    def __init__(self, cap: int | None) -> None:
        self.cap = cap
        self.active = 0
        self.opened = 0
        self.max_concurrent = 0
        self._lock = threading.Lock()

    def acquire(self) -> bool:
        """Admit a new connection; False if the cap is reached."""
        with self._lock:
            if self.cap is not None and self.active >= self.cap:
                return False
            self.active += 1
            self.opened += 1
            self.max_concurrent = max(self.max_concurrent, self.active)
            return True

    def release(self) -> None:
        with self._lock:
            self.active -= 1


class Counts:
    """Thread-safe named counters."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, key: str, n: int = 1) -> None:
        with self._lock:
            self._counts[key] += n

    def get(self, key: str) -> int:
        with self._lock:
            return self._counts[key]


class BremenServer(ThreadingHTTPServer):
    """A threaded HTTP/1.1 server (keep-alive) over :class:`~swathkit.sim.bremen.server.AsiFiles`.

    Args:
        address: ``(host, port)``; port 0 picks a free one.
        files: The archive's tree.
        plan: Faults to inject.
        connections: Admission of connections (the plan's ``max_sessions`` cap).
        bandwidth: Bytes per second per connection, or ``None``.
    """

    daemon_threads = True

    def __init__(self, address: tuple[str, int], files: AsiFiles, plan: FaultPlan,
                 connections: Connections, *, bandwidth: float | None = None) -> None:
        super().__init__(address, _Handler)
        self.files, self.plan, self.connections = files, plan, connections
        self.bandwidth = bandwidth
        self.attempts = AttemptCounter()  # requests per identity: 503/429 and slow answers
        self.opens = AttemptCounter()  # GETs per file: stream faults and corruption
        self.faults = FaultTally()
        self.counts = Counts()
        self.stopping = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()

    def track(self, sock: socket.socket, *, open_: bool) -> None:
        with self._lock:
            (self._sockets.add if open_ else self._sockets.discard)(sock)

    def close_connections(self) -> None:
        """End every open connection (idle keep-alive ones included)."""
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):  # already closed by the client
                sock.shutdown(socket.SHUT_RDWR)

    def shutdown(self) -> None:
        self.stopping.set()  # wakes handlers sleeping on a slow answer or a bandwidth cap
        super().shutdown()


class _Handler(BaseHTTPRequestHandler):
    server: BremenServer
    protocol_version = "HTTP/1.1"
    server_version = "Apache/2.4 (swathkit simulated)"
    sys_version = ""
    timeout = _IDLE_TIMEOUT
    refused = False

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, open_=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, open_=False)

    def handle(self) -> None:
        if not self.server.connections.acquire():
            self.refused = True  # answer one request with a 503, then close
            self.server.faults.add("connection_refused")
            self.close_connection = True
            self.handle_one_request()
            return
        try:
            super().handle()
        finally:
            self.server.connections.release()

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _serve(self, *, head: bool) -> None:
        self.server.counts.add("requests")
        if self.refused:
            self._refuse(head)
            return
        path = urlsplit(self.path).path
        parts = tuple(p for p in unquote(path).split("/") if p)
        if self._inject_fault(f"{self.command} {path}", head):
            return
        entries = self.server.files.listing(parts)
        if entries is not None:
            if path.endswith("/"):
                self._send_text(HTTPStatus.OK, _listing_html(path, entries), head)
            else:
                self._send_text(HTTPStatus.MOVED_PERMANENTLY, _moved_html(path + "/"), head,
                                headers={"Location": path + "/"})
            return
        found = None if {".", ".."} & set(parts) else self.server.files.resolve(parts)
        if found is None or not self.server.files.published(found[1]):
            self.server.counts.add("not_found")
            self._send_text(HTTPStatus.NOT_FOUND, _not_found_html(path), head)
            return
        local = self.server.files.local(*found)
        _FileAnswer(self, local, "/".join(parts), self.server.files.modified(found[1])).send(head)

    def _refuse(self, head: bool) -> None:
        wait = str(self.server.plan.retry_after)
        self._send_text(HTTPStatus.SERVICE_UNAVAILABLE,
                        _page("503 Service Unavailable", "<p>Too many connections.</p>"), head,
                        headers={"Retry-After": wait, "Connection": "close"})

    def _inject_fault(self, identity: str, head: bool) -> bool:
        """Sleep and/or answer 503/429 as the plan says; True if the answer was sent."""
        server = self.server
        fault = http_fault_now(server.plan, server.attempts, server.faults, server.stopping,
                               identity)
        if fault is None:
            return False
        status = HTTPStatus(fault.status)
        self._send_text(status, _page(f"{status.value} {status.phrase}",
                                      f"<p>Retry after {fault.retry_after} s.</p>"), head,
                        headers={"Retry-After": str(fault.retry_after)})
        return True

    def _send_text(self, status: HTTPStatus, body: str, head: bool,
                   headers: dict[str, str] | None = None) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html;charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)


class _FileAnswer:
    """One file answer: ranges, and the plan's truncation, drops and flipped bytes."""

    def __init__(self, handler: _Handler, local: Path, key: str, modified: datetime) -> None:
        self.handler, self.local, self.key, self.modified = handler, local, key, modified
        self.server = handler.server
        self.size = local.stat().st_size

    def send(self, head: bool) -> None:
        h, size = self.handler, self.size
        begin = 0 if head else self._range_start()
        if begin is not None and begin >= size:
            h.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            h.send_header("Content-Range", f"bytes */{size}")
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        if head:
            self._headers(HTTPStatus.OK, 0, size)
            return
        plan, attempt = self.server.plan, self.server.opens.next(self.key)
        flips = frozenset[int]()
        if plan.is_corrupt(self.key, attempt):
            flips = plan.corrupt_offsets(self.key, size)
            self.server.faults.add("corrupt")
        fault = plan.stream_fault(self.key, attempt, size)
        start = begin or 0
        end, drop_at = size, None
        if fault is not None and fault.cut > start:
            if fault.kind == "truncate":
                end = fault.cut
                self.server.faults.add("truncate")
            else:
                drop_at = fault.cut
        self._headers(HTTPStatus.PARTIAL_CONTENT if begin is not None else HTTPStatus.OK,
                      start, end)
        self._copy(start, end, drop_at, flips)

    def _range_start(self) -> int | None:
        """The first byte of a ``Range: bytes=N-`` (or ``N-M``) request; None to send all."""
        text = self.handler.headers.get("Range", "")
        unit, _, spec = text.partition("=")
        first, dash, _ = spec.partition("-")
        if unit.strip() != "bytes" or not dash or not first.strip().isdigit() or "," in spec:
            return None  # absent or a form we do not serve: the whole file (RFC 9110 allows)
        return int(first)

    def _headers(self, status: HTTPStatus, start: int, end: int) -> None:
        h = self.handler
        h.send_response(status)
        h.send_header("Content-Type", "application/x-netcdf")
        h.send_header("Content-Length", str(end - start))
        h.send_header("Accept-Ranges", "bytes")
        h.send_header("Last-Modified", format_datetime(self.modified, usegmt=True))
        if status == HTTPStatus.PARTIAL_CONTENT:
            h.send_header("Content-Range", f"bytes {start}-{end - 1}/{self.size}")
        h.end_headers()

    def _copy(self, start: int, end: int, drop_at: int | None, flips: frozenset[int]) -> None:
        chunk = _CHUNK if self.server.bandwidth is None else _THROTTLED_CHUNK
        stop_at = end if drop_at is None else drop_at
        offset = start
        try:
            with self.local.open("rb") as f:
                f.seek(start)
                while offset < stop_at and not self.server.stopping.is_set():
                    data = f.read(min(chunk, stop_at - offset))
                    if not data:
                        break
                    if flips:
                        data = flip_bytes(data, offset, flips)
                    self.handler.wfile.write(data)
                    offset += len(data)
                    self.server.counts.add("bytes_sent", len(data))
                    if self.server.bandwidth is not None:
                        self.server.stopping.wait(len(data) / self.server.bandwidth)
            if drop_at is not None:
                self._drop()
        except (BrokenPipeError, ConnectionResetError):
            self.handler.close_connection = True  # the client went away: fine
        if offset < end:
            self.handler.close_connection = True  # a short body breaks the connection

    def _drop(self) -> None:
        self.server.faults.add("drop")
        log.info("dropping the connection mid-file (%s)", self.local.name)
        self.handler.wfile.flush()
        self.handler.connection.shutdown(socket.SHUT_RDWR)
        self.handler.close_connection = True



def _human(size: int | None) -> str:
    """A size as Apache's autoindex writes it: ``-``, ``512``, ``3.4K``, ``12M``."""
    if size is None:
        return "-"
    value = float(size)
    for unit in ("", "K", "M", "G"):
        if value < 1024 or unit == "G":
            if not unit:
                return str(size)
            return f"{value:.1f}{unit}" if value < 10 else f"{value:.0f}{unit}"
        value /= 1024
    return str(size)  # pragma: no cover


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n'
            f"<title>{html.escape(title)}</title>\n</head><body>\n<h1>{html.escape(title)}</h1>\n"
            f"{body}\n</body></html>\n")


def _not_found_html(path: str) -> str:
    return _page("404 Not Found", f"<p>The requested URL {html.escape(path)} was not found "
                 "on this server.</p>")


def _moved_html(location: str) -> str:
    return _page("301 Moved Permanently",
                 f'<p>The document has moved <a href="{html.escape(location)}">here</a>.</p>')


def _listing_html(path: str, entries: list[Entry]) -> str:
    """An Apache ``mod_autoindex`` page: name, last modified, size."""
    title = f"Index of {path.rstrip('/') or '/'}"
    parent = path.rstrip("/").rsplit("/", 1)[0] + "/"
    lines = ['<pre>      Name                                 Last modified      Size  '
             "Description<hr>"]
    if path != "/":
        lines.append(f'      <a href="{html.escape(parent)}">Parent Directory</a>'
                     f"{' ' * 30}-   ")
    for e in entries:
        name = html.escape(e.name)
        pad = " " * max(1, 37 - len(e.name))
        lines.append(f'      <a href="{name}">{name}</a>{pad}{e.modified:%Y-%m-%d %H:%M}  '
                     f"{_human(e.size):>4}  ")
    lines.append("<hr></pre>")
    return (f'<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<html>\n <head>\n'
            f"  <title>{html.escape(title)}</title>\n </head>\n <body>\n"
            f"<h1>{html.escape(title)}</h1>\n" + "\n".join(lines) + "\n</body></html>\n")
