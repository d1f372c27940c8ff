"""The simulated ASF as one object: CMR, Earthdata Login, the datapool and its S3 bucket.

::

    with SimulatedAsf(pixels=64, users={"alice": "secret"}) as asf:
        asf.cmr_url        # https://127.0.0.1:P1/   (search/granules.umm_json under it)
        asf.urs_url        # https://127.0.0.1:P2/
        asf.datapool_url   # https://127.0.0.1:P3/   (RTC_HI_RES/A3/AP_….zip)
        asf.ca_file        # one PEM trusting all four servers

Four servers on loopback, each its own host (host:port), all HTTPS. The
catalogue (:mod:`swathkit.sim.cmr.alos`) is built once per seed; zips are
written on first need (a CMR record needs the zip's size and MD5) into
``cache_dir``.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from swathkit.errors import FileNameError
from swathkit.products.alos_rtc.names import parse_zip
from swathkit.sim._server import serve_until
from swathkit.sim.cmr.alos import Catalogue, Scene, catalogue
from swathkit.sim.cmr.datapool import DatapoolServer, S3Server
from swathkit.sim.cmr.query import GranuleQuery, run
from swathkit.sim.cmr.rtc_zip import ZipStore
from swathkit.sim.cmr.server import I64, CmrServer
from swathkit.sim.cmr.umm import umm_item
from swathkit.sim.cmr.urs import UrsServer
from swathkit.sim.faults import FaultPlan, fault_plan

__all__ = ["AlosRecords", "AsfStats", "SimulatedAsf", "serve_forever"]

log = logging.getLogger(__name__)

PREFIX = "/RTC_HI_RES/A3/"


@dataclass(frozen=True)
class AlosRecords:
    """The ALOS RTC scenes as CMR records (:class:`~swathkit.sim.cmr.server.CmrRecords`)."""

    catalogue: Catalogue
    zips: ZipStore
    datapool_url: str

    def search(self, query: GranuleQuery) -> tuple[I64, list[I64]]:
        return run(self.catalogue, query)

    def item(self, row: int) -> dict[str, Any]:
        scene = self.catalogue.scene(row)
        return umm_item(scene, self.zips.digest(scene), datapool_url=self.datapool_url)

    def scene_of(self, path: str) -> Scene | None:
        """The scene whose zip the datapool path ``path`` names (None if none)."""
        if not path.startswith(PREFIX) or "/" in path[len(PREFIX):] \
                or not path.endswith(".zip"):
            return None
        try:
            name = parse_zip(path[len(PREFIX):])
        except FileNameError:
            return None
        row = self.catalogue.find(name)
        return None if row is None else self.catalogue.scene(row)

    def key_of(self, path: str) -> str | None:
        """The S3 key of the zip at datapool ``path`` (None if no such zip)."""
        scene = self.scene_of(path)
        return None if scene is None else f"{PREFIX.strip('/')}/{scene.name.zip_name}"


@dataclass(frozen=True)
class AsfStats:
    """What the simulated ASF has done so far (a snapshot)."""

    cmr_requests: int
    datapool_requests: int
    s3_requests: int
    logins: int
    login_failures: int
    login_redirects: int
    expired_cookies: int
    authorization_rejected: int  # S3 requests refused for carrying an Authorization header
    zips_generated: int
    bytes_sent: int
    faults: dict[str, int]


class SimulatedAsf:
    """The simulated ASF on loopback, as a context manager.

    Args:
        faults: A preset name or a fault plan (played by every server).
        seed: Seeds the acquisition plan, the zips' speckle, a preset's faults.
        pixels: Columns of each raster in the zips (None: full size, 12.5 m, ~6000).
        users: Earthdata Login accounts, username → password (default ``sim``/``sim``).
        cookie_ttl: Seconds a datapool ``asf-urs`` cookie is valid.
        cache_dir: Where zips are kept (a temporary folder, removed on close, by default).
        hostile: Zip names published as hostile zips (``../`` or absolute members, a
            symlink, a lying size), with their kind: :mod:`swathkit.sim.cmr.hostile_zip`.
        latency: Round-trip seconds added to every exchange with each server, as if far
            away (:mod:`swathkit.sim.wan`; 0: loopback).
    """

    def __init__(self, *, faults: str | FaultPlan = "none", seed: int = 0,
                 pixels: int | None = None, users: dict[str, str] | None = None,
                 cookie_ttl: float = 3600.0,
                 cache_dir: str | os.PathLike[str] | None = None,
                 hostile: dict[str, str] | None = None, latency: float = 0.0) -> None:
        self.fault_plan = fault_plan(faults, seed=seed) if isinstance(faults, str) else faults
        self._tmp = tempfile.TemporaryDirectory(prefix="swathkit-asf-")
        self.zips = ZipStore(Path(cache_dir or self._tmp.name), pixels=pixels, seed=seed,
                             hostile=hostile)
        self.catalogue: Catalogue = catalogue(seed)
        plan = self.fault_plan
        self.urs = UrsServer(users or {"sim": "sim"}, plan=plan, latency=latency)
        self.s3 = S3Server(self._local, plan=plan, latency=latency)
        self.datapool = DatapoolServer(self._key_of, self.urs, self.s3, plan=plan,
                                       cookie_ttl=cookie_ttl, latency=latency)
        self.records = AlosRecords(self.catalogue, self.zips, self.datapool_url)
        self.cmr = CmrServer(self.records, plan=plan, latency=latency)
        self._servers = (self.urs, self.s3, self.datapool, self.cmr)
        self.ca_file = Path(self._tmp.name) / "ca-bundle.pem"
        self.ca_file.write_text("".join(s.ca_file.read_text() for s in self._servers
                                        if s.ca_file is not None))
        self._closed = False

    @property
    def cmr_url(self) -> str:
        return self.cmr.base_url

    @property
    def cmr_host(self) -> str:
        """``127.0.0.1:PORT``: what asf_search takes as ``host``."""
        return f"127.0.0.1:{self.cmr.port}"

    @property
    def urs_url(self) -> str:
        return self.urs.base_url

    @property
    def datapool_url(self) -> str:
        return self.datapool.base_url

    def _key_of(self, path: str) -> str | None:
        return self.records.key_of(path)

    def _local(self, zip_name: str) -> Path | None:
        try:
            row = self.catalogue.find(parse_zip(zip_name))
        except FileNameError:
            return None
        return None if row is None else self.zips.local(self.catalogue.scene(row))

    def tamper(self, zip_name: str, gets: int | None = None) -> None:
        """Serve ``zip_name`` with a changed byte (its MD5 no longer the CMR record's) for
        the next ``gets`` downloads (None: until :meth:`untamper`)."""
        self.s3.tamper(zip_name, gets)

    def untamper(self, zip_name: str) -> None:
        """Serve ``zip_name`` as published again."""
        self.s3.untamper(zip_name)

    def expire_cookies(self) -> None:
        """End every datapool cookie issued so far."""
        self.datapool.expire_cookies()

    def start(self) -> SimulatedAsf:
        if not self._closed:
            for server in self._servers:
                server.start()
            log.info("simulated ASF: CMR %s, URS %s, datapool %s", self.cmr_url, self.urs_url,
                     self.datapool_url)
        return self

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for server in self._servers:
            server.close()
        self._tmp.cleanup()

    def stats(self) -> AsfStats:
        faults: dict[str, int] = {}
        for server in self._servers:
            for kind, n in server.faults.snapshot().items():
                faults[kind] = faults.get(kind, 0) + n
        return AsfStats(
            cmr_requests=self.cmr.counts.get("requests"),
            datapool_requests=self.datapool.counts.get("requests"),
            s3_requests=self.s3.counts.get("requests"),
            logins=self.urs.counts.get("logins"),
            login_failures=self.urs.counts.get("login_failures"),
            login_redirects=self.datapool.counts.get("login_redirects"),
            expired_cookies=self.datapool.counts.get("expired_cookies"),
            authorization_rejected=self.s3.counts.get("authorization_rejected"),
            zips_generated=self.zips.generated, bytes_sent=self.s3.counts.get("bytes_sent"),
            faults=faults)

    def __enter__(self) -> SimulatedAsf:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def serve_forever(*, on_ready: Callable[[SimulatedAsf], None],
                  stop: threading.Event | None = None, **options: Any) -> AsfStats:
    """Run a :class:`SimulatedAsf` until ``stop`` is set (or the process is interrupted)."""
    return serve_until(SimulatedAsf(**options), on_ready, stop)  # type: ignore[no-any-return]
