"""A simulated JAXA G-Portal on 127.0.0.1: the CSW catalogue over HTTPS and the files over SFTP.

::

    with SimulatedGPortal(faults="flaky", seed=1, scans=40) as portal:
        portal.catalog_url      # https://127.0.0.1:PORT/csw/csw
        portal.ca_file          # the PEM of the catalogue's CA (made at start-up)
        portal.sftp_host, portal.sftp_port, portal.username, portal.password
        portal.stats()          # requests served, sessions, files generated, faults…

    GPortalCatalog(portal.catalog_url, ca_bundle=portal.ca_file)  # a client for it

Both servers run in threads of this process. The catalogue's records and the
SFTP server's files describe the same granules: a record's ``product.fileName``
without ``https://gportal.jaxa.jp/download/`` is the file's SFTP path. The seed
fixes the files' bytes and every injected fault.

A portal far away (``latency=0.2, bandwidth=4e6``) puts a
:class:`~swathkit.sim.wan.WanProxy` in front of each server: the advertised
ports are the proxies', so every exchange (TCP connect, TLS and SSH handshakes,
login, each SFTP request, each HTTP request) costs a round trip, and each
connection (an SFTP session) is capped at ``bandwidth`` bytes per second.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from swathkit.sim._server import HOST
from swathkit.sim.faults import FaultPlan, fault_plan
from swathkit.sim.gportal.catalog import CatalogServer, GranuleCatalog
from swathkit.sim.gportal.sftp import GranuleFiles, SftpServer
from swathkit.sim.orbit import SCANS_PER_GRANULE
from swathkit.sim.wan import Link, LinkStats, WanProxy

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GPortalStats:
    """What the simulated portal has done so far (a snapshot)."""

    requests_served: int  # catalogue requests, faults included
    sessions_opened: int  # SFTP sessions granted
    max_concurrent_sessions: int
    files_generated: int
    bytes_sent: int  # file bytes read over SFTP
    faults: dict[str, int]  # injected, by kind: http_503, http_429, slow, drop, truncate, …


@dataclass(frozen=True)
class Endpoints:
    """Where a running simulated portal listens, and its account (repr hides the password)."""

    catalog_url: str
    sftp_host: str
    sftp_port: int
    username: str
    password: str = field(repr=False)
    ca_file: Path | None = None  # the catalogue's CA (None if served over plain HTTP)


class SimulatedGPortal:
    """Both G-Portal servers on loopback ports, as a context manager.

    Args:
        faults: A preset name (``"none"``, ``"flaky"``, ``"hostile"``) or a
            :class:`~swathkit.sim.faults.FaultPlan`.
        seed: Seeds the files' bytes and the faults (it replaces a plan's seed).
        username: The SFTP account's user name.
        password: Its password; a random one by default.
        scans: Scans per served granule (1–1978); full granules by default.
        reprocessed: Days added to every catalogue ``processingDate`` (a new
            catalogue version of the same files, to exercise ``--update``).
        cache_dir: Where generated files are kept; a temporary directory,
            removed on close, by default.
        tls: Serve the catalogue over HTTPS with a CA made at start-up (:attr:`ca_file`);
            plain HTTP if False.
        latency: Round-trip seconds added to every exchange with either server.
        bandwidth: Bytes per second per connection (per SFTP session); ``None``: no cap.

    Raises:
        ValueError: a negative seed or latency, ``scans`` out of range, an unknown preset.
    """

    def __init__(
        self,
        *,
        faults: str | FaultPlan = "none",
        seed: int = 0,
        username: str = "sim",
        password: str | None = None,
        scans: int | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        reprocessed: int = 0,
        tls: bool = True,
        latency: float = 0.0,
        bandwidth: float | None = None,
    ) -> None:
        if seed < 0:
            raise ValueError(f"seed must be non-negative, got {seed}")
        if scans is not None and not 1 <= scans <= SCANS_PER_GRANULE:
            raise ValueError(f"scans must be 1–{SCANS_PER_GRANULE}, got {scans}")
        self.fault_plan = fault_plan(faults, seed=seed)
        self.username = username
        self.password = password if password is not None else secrets.token_urlsafe(12)
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if cache_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="swathkit-gportal-")
            cache_dir = self._tmp.name
        self._files = GranuleFiles(Path(cache_dir), scans=scans, seed=seed)
        catalog = GranuleCatalog(scans=scans, reprocessed=reprocessed)
        self.link = Link(latency, bandwidth)
        self._catalog = CatalogServer(catalog, self.fault_plan, tls=tls, link=self.link)
        self._sftp = SftpServer(self._files, self.fault_plan, username=username,
                                password=self.password, host=HOST)
        self._sftp_wan = WanProxy(self._sftp.address, self.link, name="sim-gportal-sftp-wan") \
            if self.link.distant else None
        self._started = self._closed = False

    def __repr__(self) -> str:
        return (f"SimulatedGPortal(catalog_url={self.catalog_url!r}, sftp={self.sftp_host}:"
                f"{self.sftp_port}, username={self.username!r}, password=***)")

    @property
    def catalog_url(self) -> str:
        """``https://127.0.0.1:PORT/csw/csw`` (``http://`` without TLS)."""
        return self._catalog.catalog_url

    @property
    def ca_file(self) -> Path | None:
        """PEM file of the CA to trust for :attr:`catalog_url` (None without TLS)."""
        return self._catalog.ca_file

    @property
    def sftp_host(self) -> str:
        return self._sftp.address[0]

    @property
    def sftp_port(self) -> int:
        """The port SFTP clients connect to (the link's, for a portal far away)."""
        return self._sftp_wan.port if self._sftp_wan else self._sftp.address[1]

    def link_stats(self) -> LinkStats | None:
        """What crossed the SFTP server's link, by its own clock (None on plain loopback)."""
        return self._sftp_wan.stats() if self._sftp_wan else None

    @property
    def cache_dir(self) -> Path:
        """The directory holding the generated files."""
        return self._files.directory

    @property
    def endpoints(self) -> Endpoints:
        return Endpoints(self.catalog_url, self.sftp_host, self.sftp_port, self.username,
                         self.password, self.ca_file)

    def start(self) -> SimulatedGPortal:
        """Start both servers (done by ``with``); returns self."""
        if not self._started:
            self._started = True
            self._catalog.start()
            self._sftp.start()
            if self._sftp_wan is not None:
                self._sftp_wan.start()
            log.info("simulated G-Portal: catalogue %s, SFTP %s:%d, faults %s",
                     self.catalog_url, self.sftp_host, self.sftp_port, self.fault_plan)
        return self

    def close(self) -> None:
        """Stop both servers, close their connections, remove the temporary cache."""
        if self._closed:
            return
        self._closed = True
        self._catalog.close()
        if self._sftp_wan is not None:
            self._sftp_wan.close()
        self._sftp.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    def stats(self) -> GPortalStats:
        """A snapshot of the counters."""
        sessions = self._sftp.sessions
        return GPortalStats(
            requests_served=self._catalog.requests_served,
            sessions_opened=sessions.opened,
            max_concurrent_sessions=sessions.max_concurrent,
            files_generated=self._files.generated,
            bytes_sent=self._sftp.bytes_sent,
            faults=self._catalog.faults.snapshot() | self._sftp.faults.snapshot(),
        )

    def __enter__(self) -> SimulatedGPortal:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def serve_forever(
    *,
    on_ready: Callable[[Endpoints], None],
    stop: threading.Event | None = None,
    faults: str | FaultPlan = "none",
    seed: int = 0,
    username: str = "sim",
    password: str | None = None,
    scans: int | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    latency: float = 0.0,
    bandwidth: float | None = None,
) -> GPortalStats:
    """Run a :class:`SimulatedGPortal` until ``stop`` is set (or the process is interrupted).

    Args:
        on_ready: Called once with the endpoints and account when both servers listen.
        stop: Set it to stop; without one, runs until KeyboardInterrupt.
        faults, seed, username, password, scans, cache_dir, latency, bandwidth: As for
            :class:`SimulatedGPortal`.

    Returns:
        The final counters.
    """
    stop = stop or threading.Event()
    with SimulatedGPortal(faults=faults, seed=seed, username=username, password=password,
                          scans=scans, cache_dir=cache_dir, latency=latency,
                          bandwidth=bandwidth) as portal:
        on_ready(portal.endpoints)
        while not stop.wait(0.5):  # short waits keep Ctrl-C responsive
            pass
        return portal.stats()
