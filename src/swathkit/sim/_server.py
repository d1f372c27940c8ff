"""The one HTTP/HTTPS server base of the simulators: loopback, threads, faults, ranges, a CA.

A simulator subclasses :class:`SimServer` (with the state it serves) and
:class:`SimHandler` (its URL tree)::

    class Hello(SimHandler):
        def do_GET(self) -> None:
            if self.begin(self.path):  # counted; refused over the cap; faults played
                self.send_bytes(200, b"hello", "text/plain")

    with SimServer(Hello) as server:  # HTTPS by default, with a CA made now
        requests.get(server.base_url, verify=server.ca_file)

It binds 127.0.0.1 on a free port and serves each connection in a thread
(HTTP/1.1 keep-alive). With ``tls`` (the default: the real archives are HTTPS)
a CA made by ``trustme`` at start-up, whose PEM is :attr:`SimServer.ca_file`,
signs a certificate for ``127.0.0.1`` and ``localhost``; the handshake runs in
the connection's thread, so a client refusing the certificate sends no request.

A :class:`~swathkit.sim.faults.FaultPlan` is played per request by
:meth:`SimHandler.begin` (503/429 with ``Retry-After``, slow answers, the
connection cap) and per file by :func:`send_file` (``Range`` resume, drops
mid-body, truncation, flipped bytes). A server far away (``latency``, ``bandwidth``)
listens behind a :class:`~swathkit.sim.wan.WanProxy`: :attr:`SimServer.base_url` is the
proxy's, so every exchange, the TLS handshake included, crosses the link.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import socket
import socketserver
import ssl
import tempfile
import threading
from datetime import datetime
from email.utils import format_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

import trustme

from swathkit.sim.faults import AttemptCounter, FaultPlan, Tally, flip_bytes, http_fault_now
from swathkit.sim.wan import Link, WanProxy

__all__ = ["HOST", "TLS_NAMES", "Connections", "SimHandler", "SimServer", "byte_range", "hang_up",
           "send_file"]

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
TLS_NAMES = ("127.0.0.1", "localhost")
_POLL_S = 0.1  # how soon serve_forever notices shutdown
_IDLE_TIMEOUT = 60.0  # seconds an idle keep-alive connection (or a handshake) may take
_CHUNK = 256 * 1024


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


class SimServer(ThreadingHTTPServer):
    """A threaded HTTP/1.1 server on 127.0.0.1, HTTPS by default; a context manager.

    Args:
        handler: The request handler class (a :class:`SimHandler`).
        plan: Faults to inject; none by default.
        tls: Serve HTTPS with a certificate of a CA made now (see :attr:`ca_file`).
        connection_cap: Concurrent connections admitted; ``None``: no cap.
        bandwidth: Bytes per second per connection and direction; ``None``: no cap.
        latency: Round-trip time in seconds added to every exchange (0: loopback).
        name: Name of the serving thread (for logs and stack dumps).
    """

    daemon_threads = True

    def __init__(self, handler: type[SimHandler], *, plan: FaultPlan | None = None,
                 tls: bool = True, connection_cap: int | None = None,
                 bandwidth: float | None = None, latency: float = 0.0,
                 name: str = "sim-http") -> None:
        super().__init__((HOST, 0), handler)
        self.plan = plan or FaultPlan()
        self.connections = Connections(connection_cap)
        link = Link(latency, bandwidth)
        self.wan = WanProxy((HOST, self.server_address[1]), link, name=f"{name}-wan") \
            if link.distant else None
        self.attempts = AttemptCounter()  # requests per identity: 503/429 and slow answers
        self.opens = AttemptCounter()  # file answers per key: stream faults and corruption
        self.faults = Tally()  # injected, by kind
        self.counts = Tally()  # requests, bytes_sent, not_found, tls_refused, …
        self.stopping = threading.Event()  # wakes handlers waiting out a delay
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._ca_dir = Path(tempfile.mkdtemp(prefix="swathkit-sim-ca-")) if tls else None
        self._tls = _server_context(self._ca_dir) if self._ca_dir else None
        self._thread = threading.Thread(target=self.serve_forever, args=(_POLL_S,), name=name,
                                        daemon=True)
        self._started = self._closed = False

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # not HTTPServer's: no reverse DNS lookup
        self.server_name, self.server_port = HOST, self.server_address[1]

    @property
    def port(self) -> int:
        """The port clients connect to (the link's, for a server far away)."""
        return self.wan.port if self.wan is not None else int(self.server_address[1])

    @property
    def base_url(self) -> str:
        """``https://127.0.0.1:PORT/`` (``http://`` without TLS)."""
        return f"{'https' if self._tls else 'http'}://{HOST}:{self.port}/"

    @property
    def ca_file(self) -> Path | None:
        """PEM file of the CA that signed the server's certificate (None without TLS)."""
        return self._ca_dir / "ca.pem" if self._ca_dir else None

    def start(self) -> SimServer:
        """Start serving in a thread (done by ``with``); returns self."""
        if not self._started and not self._closed:
            self._started = True
            self._thread.start()
            if self.wan is not None:
                self.wan.start()
        return self

    def close(self) -> None:
        """Stop serving, end open connections, remove the CA file (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self.stopping.set()
        if self._started:
            self.shutdown()
        if self.wan is not None:
            self.wan.close()
        self.close_connections()
        self.server_close()
        if self._ca_dir is not None:
            shutil.rmtree(self._ca_dir, ignore_errors=True)

    def close_connections(self) -> None:
        """End every open connection (idle keep-alive ones included)."""
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            hang_up(sock)

    def track(self, sock: socket.socket, *, open_: bool) -> None:
        with self._lock:
            (self._sockets.add if open_ else self._sockets.discard)(sock)

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self._tls is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(_IDLE_TIMEOUT)
        try:  # the handshake, in this connection's thread
            secure = self._tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            self.counts.add("tls_refused")
            log.debug("TLS handshake with %s failed: %s", client_address, exc)
            return
        try:
            super().finish_request(secure, client_address)
        finally:
            self.shutdown_request(secure)

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _server_context(directory: Path) -> ssl.SSLContext:
    """TLS with a certificate for ``TLS_NAMES`` from a new CA (its PEM: ``directory/ca.pem``)."""
    ca = trustme.CA(organization_name="swathkit simulated archive")
    ca.cert_pem.write_to_path(str(directory / "ca.pem"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*TLS_NAMES).configure_cert(context)
    return context


def hang_up(sock: socket.socket) -> None:
    """Shut a connection down both ways now (a TLS socket's raw socket, as a crash would)."""
    with contextlib.suppress(OSError):  # already closed by the client
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class SimHandler(BaseHTTPRequestHandler):
    """Base of the simulators' handlers: HTTP/1.1, the connection cap, faults, answers.

    A ``do_GET``/``do_HEAD`` starts with ``if self.begin(identity):`` and then
    answers with :meth:`send_bytes`, :meth:`send_error_page` or :func:`send_file`.
    """

    server: SimServer
    protocol_version = "HTTP/1.1"
    server_version = "swathkit-sim"
    sys_version = ""
    timeout = _IDLE_TIMEOUT
    disable_nagle_algorithm = True  # as real servers do: no 40 ms delayed-ACK stall between
    # an answer's headers and its body (each written on its own)
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

    def begin(self, identity: str) -> bool:
        """Count the request, then refuse it (over the cap) or play the plan's fault for it.

        Args:
            identity: Names the request for the plan (the same request, the same faults).

        Returns:
            True if the handler is to answer; False if an answer was sent already.
        """
        server = self.server
        server.counts.add("requests")
        if self.refused:
            self.send_error_page(HTTPStatus.SERVICE_UNAVAILABLE, "Too many connections.",
                                 {"Retry-After": str(server.plan.retry_after),
                                  "Connection": "close"})
            return False
        fault = http_fault_now(server.plan, server.attempts, server.faults, server.stopping,
                               identity)
        if server.stopping.is_set():  # closed while a slow answer waited: no answer at all
            self.close_connection = True
            return False
        if fault is None:
            return True
        self.send_error_page(HTTPStatus(fault.status), f"Retry after {fault.retry_after} s.",
                             {"Retry-After": str(fault.retry_after)})
        return False

    def send_error_page(self, status: HTTPStatus, message: str,
                        headers: dict[str, str] | None = None) -> None:
        """An error answer; subclasses speak their archive's dialect (JSON, HTML)."""
        self.send_bytes(status, f"{status.value} {status.phrase}: {message}\n".encode(),
                        "text/plain; charset=utf-8", headers)

    def send_bytes(self, status: HTTPStatus | int, body: bytes, content_type: str,
                   headers: dict[str, str] | None = None) -> None:
        """A whole answer with its ``Content-Length`` (no body for ``HEAD``)."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The ``[start, end)`` bytes a ``Range`` header asks of a ``size``-byte file.

    ``bytes=N-``, ``bytes=N-M`` (M inclusive, clipped to the file) and the suffix form
    ``bytes=-K`` (the last K bytes); None to send it all, also for forms not served here
    (several ranges, other units), as RFC 9110 allows. A start at or past the end gives
    ``(start, start)``: the caller answers 416.
    """
    unit, _, spec = (header or "").partition("=")
    first, dash, last = (part.strip() for part in spec.partition("-"))
    if unit.strip() != "bytes" or not dash or "," in spec:
        return None
    if not first:  # suffix: the last K bytes
        if not last.isdigit() or int(last) == 0:
            return None
        return max(size - int(last), 0), size
    if not first.isdigit() or (last and not last.isdigit()):
        return None
    start = int(first)
    end = min(int(last) + 1, size) if last else size
    if last and end <= start < size:
        return None  # N-M with M < N: not a valid range, the whole file
    return start, max(end, start)


def send_file(handler: SimHandler, local: Path, key: str, *, content_type: str,
              modified: datetime | None = None) -> None:
    """Answer ``HEAD``/``GET`` of a file, with ranges and the plan's stream faults.

    Args:
        handler: The request being answered.
        local: The file to serve.
        key: Names the file for the plan (corruption and stream faults follow it).
        content_type: Its ``Content-Type``.
        modified: Its ``Last-Modified`` time, if the archive sends one.
    """
    _FileAnswer(handler, local, key, content_type, modified).send()


class _FileAnswer:
    """One file answer: ranges, and the plan's truncation, drops and flipped bytes."""

    def __init__(self, handler: SimHandler, local: Path, key: str, content_type: str,
                 modified: datetime | None) -> None:
        self.handler, self.local, self.key = handler, local, key
        self.content_type, self.modified = content_type, modified
        self.server = handler.server
        self.size = local.stat().st_size

    def send(self) -> None:
        head = self.handler.command == "HEAD"
        wanted = None if head else byte_range(self.handler.headers.get("Range"), self.size)
        if wanted is not None and wanted[0] >= self.size:
            self.handler.send_bytes(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, b"",
                                    self.content_type, {"Content-Range": f"bytes */{self.size}"})
            return
        if head:
            self._headers(HTTPStatus.OK, 0, self.size)
            return
        plan, attempt = self.server.plan, self.server.opens.next(self.key)
        flips = frozenset[int]()
        if plan.is_corrupt(self.key, attempt):
            flips = plan.corrupt_offsets(self.key, self.size)
            self.server.faults.add("corrupt")
        start, end = wanted or (0, self.size)
        drop_at = None
        fault = plan.stream_fault(self.key, attempt, self.size)
        if fault is not None and start < fault.cut < end:
            if fault.kind == "truncate":
                end = fault.cut
                self.server.faults.add("truncate")
            else:
                drop_at = fault.cut
        self._headers(HTTPStatus.PARTIAL_CONTENT if wanted is not None else HTTPStatus.OK,
                      start, end)
        self._copy(start, end, drop_at, flips)

    def _headers(self, status: HTTPStatus, start: int, end: int) -> None:
        h = self.handler
        h.send_response(status)
        h.send_header("Content-Type", self.content_type)
        h.send_header("Content-Length", str(end - start))
        h.send_header("Accept-Ranges", "bytes")
        if self.modified is not None:
            h.send_header("Last-Modified", format_datetime(self.modified, usegmt=True))
        if status == HTTPStatus.PARTIAL_CONTENT:
            h.send_header("Content-Range", f"bytes {start}-{end - 1}/{self.size}")
        h.end_headers()

    def _copy(self, start: int, end: int, drop_at: int | None, flips: frozenset[int]) -> None:
        server = self.server
        stop_at = end if drop_at is None else drop_at
        offset = start
        try:
            with self.local.open("rb") as f:
                f.seek(start)
                while offset < stop_at and not server.stopping.is_set():
                    data = f.read(min(_CHUNK, stop_at - offset))
                    if not data:
                        break
                    self.handler.wfile.write(flip_bytes(data, offset, flips) if flips else data)
                    offset += len(data)
                    server.counts.add("bytes_sent", len(data))
            if drop_at is not None:
                self._drop()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.handler.close_connection = True  # the client went away: fine
        if offset < end:
            self.handler.close_connection = True  # a short body breaks the connection

    def _drop(self) -> None:
        self.server.faults.add("drop")
        log.info("dropping the connection mid-file (%s)", self.local.name)
        self.handler.wfile.flush()
        hang_up(self.handler.connection)
        self.handler.close_connection = True


def serve_until(simulator: Any, on_ready: Any, stop: threading.Event | None = None) -> Any:
    """Start ``simulator`` (a context manager with ``stats()``), hand it to ``on_ready``,
    serve until ``stop`` is set (or Ctrl-C), stop it and return its ``stats()``."""
    stop = stop or threading.Event()
    with simulator as running:
        on_ready(running)
        while not stop.wait(0.5):  # short waits keep Ctrl-C responsive
            pass
        return running.stats()
