"""A distant link on loopback: a TCP proxy that delays and paces what crosses it.

A simulated server far away is the real server behind a :class:`WanProxy`::

    with WanProxy(server.address, Link(latency=0.2, bandwidth=4e6)) as wan:
        paramiko.Transport(wan.address)  # every byte each way waits 100 ms, 4 MB/s a connection

The proxy forwards each accepted connection to the target. In each direction
every chunk read is held until ``latency / 2`` after it arrived, and queued
behind the chunks before it at ``bandwidth`` bytes per second: a request and
its answer cost one round trip, whatever the protocol (the TCP connect, the SSH
handshake and login, each SFTP request, each HTTP exchange, TLS included).
Bytes queued per direction are bounded, so a fast sender is held back by TCP as
on a real path. The proxy records the delay each chunk actually had
(:meth:`WanProxy.stats`), so tests check the link against its own clock.
"""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from types import TracebackType

from swathkit.errors import InputError

__all__ = ["LOOPBACK", "Link", "LinkStats", "WanProxy", "parse_bandwidth", "parse_latency"]

log = logging.getLogger(__name__)

_HOST = "127.0.0.1"
_ACCEPT_POLL = 0.1  # seconds between checks for shutdown
_RECV = 64 * 1024  # a chunk: 16 ms at 4 MB/s, smooth enough pacing with few wake-ups
_BUFFER = 256 * 1024  # a router's queue at the bottleneck: bytes waiting to go on the wire
_UNCAPPED_QUEUE = 16 << 20  # without a cap: enough not to be the bottleneck

_TIME_UNITS = {"": 1.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6}
_RATE_UNITS = {"b": 1.0, "kb": 1e3, "mb": 1e6, "gb": 1e9, "kib": 1024.0, "mib": 1024.0**2,
               "gib": 1024.0**3, "kbit": 1e3 / 8, "mbit": 1e6 / 8, "gbit": 1e9 / 8}
_NUMBER = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-zµ]*)\s*(/s)?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Link:
    """How far away a server is.

    Attributes:
        latency: Round-trip time in seconds, half of it each way.
        bandwidth: Bytes per second per connection and direction; ``None``: no cap.
    """

    latency: float = 0.0
    bandwidth: float | None = None

    def __post_init__(self) -> None:
        if not self.latency >= 0.0:
            raise ValueError(f"latency must be a non-negative number of seconds, "
                             f"got {self.latency}")
        if self.bandwidth is not None and not self.bandwidth > 0.0:
            raise ValueError(f"bandwidth must be positive, got {self.bandwidth}")

    @property
    def distant(self) -> bool:
        """Whether the link changes anything (else no proxy is needed)."""
        return self.latency > 0.0 or self.bandwidth is not None

    @property
    def queue_bytes(self) -> int:
        """Bytes held per direction: those on the wire (rate × one-way delay) plus a buffer."""
        if self.bandwidth is None:
            return _UNCAPPED_QUEUE
        return _BUFFER + int(self.bandwidth * self.latency / 2)


LOOPBACK = Link()
"""No latency, no bandwidth cap: a server next door."""


def parse_latency(text: str) -> float:
    """Seconds from ``"200ms"``, ``"0.2s"`` or ``"0.2"`` (seconds).

    Raises:
        InputError: Not a duration.
    """
    value, unit = _number(text, "latency", "200ms")
    factor = _TIME_UNITS.get(unit.lower())
    if factor is None:
        raise InputError(f"latency {text!r}: unknown unit {unit!r}; write it like 200ms or 0.2s")
    return value * factor


def parse_bandwidth(text: str) -> float:
    """Bytes per second from ``"4MB/s"``, ``"500kB/s"``, ``"2MiB/s"`` or ``"32Mbit/s"``.

    Raises:
        InputError: Not a rate, or zero.
    """
    value, unit = _number(text, "bandwidth", "4MB/s")
    factor = _RATE_UNITS.get(unit.lower() or "b")
    if factor is None:
        raise InputError(f"bandwidth {text!r}: unknown unit {unit!r}; write it like 4MB/s, "
                         "500kB/s, 2MiB/s or 32Mbit/s")
    if value <= 0:
        raise InputError(f"bandwidth {text!r} must be more than zero; leave it out for no cap")
    return value * factor


def _number(text: str, what: str, example: str) -> tuple[float, str]:
    match = _NUMBER.fullmatch(text)
    if match is None:
        raise InputError(f"{what} {text!r} is not a number with a unit; write it like {example}")
    return float(match.group(1)), match.group(2)


@dataclass(frozen=True)
class LinkStats:
    """What a proxy has forwarded (a snapshot).

    Attributes:
        connections: Connections accepted.
        chunks: Chunks forwarded, both directions.
        bytes: Bytes forwarded, both directions.
        min_delay: Shortest time a chunk spent in the proxy, by the proxy's clock
            (``None`` before the first).
    """

    connections: int
    chunks: int
    bytes: int
    min_delay: float | None


class _Meter:
    """Thread-safe counts of one proxy."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.connections = self.chunks = self.bytes = 0
        self.min_delay: float | None = None

    def connection(self) -> None:
        with self._lock:
            self.connections += 1

    def forwarded(self, n: int, delay: float) -> None:
        with self._lock:
            self.chunks += 1
            self.bytes += n
            self.min_delay = delay if self.min_delay is None else min(self.min_delay, delay)

    def snapshot(self) -> LinkStats:
        with self._lock:
            return LinkStats(self.connections, self.chunks, self.bytes, self.min_delay)


class _Direction:
    """One direction of one connection: read, hold for the link, then write.

    The reader stamps each chunk with the time it may leave (arrival + half the
    round trip, behind earlier chunks at the link's rate); the writer sends it
    then. ``b""`` in the queue is the sender's end of stream.
    """

    def __init__(self, src: socket.socket, dst: socket.socket, link: Link, meter: _Meter,
                 stop: threading.Event, on_broken: threading.Event) -> None:
        self.src, self.dst, self.link, self.meter = src, dst, link, meter
        self.stop, self.broken = stop, on_broken
        self._queue: deque[tuple[float, float, bytes]] = deque()  # (arrival, due, data)
        self._queued = 0
        self._cond = threading.Condition()
        self._free_at = 0.0  # when the link finishes sending what is queued

    def run_reader(self) -> None:
        while True:
            try:
                data = self.src.recv(_RECV)
            except OSError:
                data = b""
            self._put(data)
            if not data:
                return

    def _put(self, data: bytes) -> None:
        arrival = time.monotonic()
        with self._cond:
            while self._queued >= self.link.queue_bytes and not self._done():
                self._cond.wait(_ACCEPT_POLL)
            start = max(arrival, self._free_at)
            if self.link.bandwidth is not None:
                start += len(data) / self.link.bandwidth
            self._free_at = start
            self._queue.append((arrival, start + self.link.latency / 2, data))
            self._queued += len(data)
            self._cond.notify_all()

    def run_writer(self) -> None:
        while True:
            item = self._next()
            if item is None:
                return
            arrival, due, data = item
            if not self._wait_until(due):
                return
            if not data:
                with contextlib.suppress(OSError):
                    self.dst.shutdown(socket.SHUT_WR)
                return
            self.meter.forwarded(len(data), time.monotonic() - arrival)  # before the peer sees it
            try:
                self.dst.sendall(data)
            except OSError:
                self.broken.set()
                return

    def _next(self) -> tuple[float, float, bytes] | None:
        with self._cond:
            while not self._queue:
                if self._done():
                    return None
                self._cond.wait(_ACCEPT_POLL)
            item = self._queue.popleft()
            self._queued -= len(item[2])
            self._cond.notify_all()
            return item

    def _wait_until(self, due: float) -> bool:
        """Hold until ``due`` by the monotonic clock; False if the proxy stops first."""
        while (left := due - time.monotonic()) > 0:
            if self.stop.wait(left) or self.broken.is_set():
                return False
        return not self.broken.is_set()

    def _done(self) -> bool:
        return self.stop.is_set() or self.broken.is_set()


class WanProxy:
    """A loopback port that forwards to ``target`` across a :class:`Link`; a context manager.

    Args:
        target: ``(host, port)`` of the real server.
        link: The latency and bandwidth to add.
        name: Prefix of its threads' names.
    """

    def __init__(self, target: tuple[str, int], link: Link, *, name: str = "sim-wan") -> None:
        self.target, self.link, self.name = target, link, name
        self._listener = socket.create_server((_HOST, 0))
        self._listener.settimeout(_ACCEPT_POLL)
        self._stop = threading.Event()
        self._meter = _Meter()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._acceptor = threading.Thread(target=self._accept_loop, name=f"{name}-accept",
                                          daemon=True)

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._listener.getsockname()[:2]
        return str(host), int(port)

    @property
    def port(self) -> int:
        return self.address[1]

    def stats(self) -> LinkStats:
        """A snapshot of what has been forwarded."""
        return self._meter.snapshot()

    def start(self) -> WanProxy:
        """Start accepting (done by ``with``); returns self."""
        if not self._acceptor.is_alive() and not self._stop.is_set():
            self._acceptor.start()
            log.info("%s: %s:%d -> %s:%d, round trip %.0f ms, bandwidth %s", self.name,
                     *self.address, *self.target, 1e3 * self.link.latency,
                     "uncapped" if self.link.bandwidth is None
                     else f"{self.link.bandwidth / 1e6:.3g} MB/s")
        return self

    def close(self) -> None:
        """Stop accepting and end every connection now (idempotent)."""
        self._stop.set()
        if self._acceptor.is_alive():
            self._acceptor.join()
        self._listener.close()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            _hang_up(sock)

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, peer = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._connect, args=(client,),
                             name=f"{self.name}-{peer[1]}", daemon=True).start()

    def _connect(self, client: socket.socket) -> None:
        client.settimeout(None)
        if self._stop.wait(self.link.latency / 2):  # the connection request's trip out
            client.close()
            return
        try:
            upstream = socket.create_connection(self.target)
        except OSError as exc:  # the server is gone: the client sees its connection end
            log.debug("%s: cannot reach %s:%d: %s", self.name, *self.target, exc)
            client.close()
            return
        self._meter.connection()
        self._forward(client, upstream)

    def _forward(self, client: socket.socket, upstream: socket.socket) -> None:
        """Run both directions of one connection until each has ended, then close it."""
        for sock in (client, upstream):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self._sockets.update((client, upstream))
        broken = threading.Event()
        threads = []
        for src, dst in ((client, upstream), (upstream, client)):
            way = _Direction(src, dst, self.link, self._meter, self._stop, broken)
            threads += [threading.Thread(target=way.run_reader, daemon=True),
                        threading.Thread(target=way.run_writer, daemon=True)]
        for thread in threads:
            thread.start()
        for thread in threads[1::2]:  # the writers: done when both ends have been told
            thread.join()
        for sock in (client, upstream):
            _hang_up(sock)  # wakes the readers
        for thread in threads[::2]:
            thread.join()
        with self._lock:
            self._sockets.difference_update((client, upstream))
        client.close()
        upstream.close()

    def __enter__(self) -> WanProxy:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _hang_up(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)
