"""The simulated NSIDC as one object: CMR, Earthdata Login, the distributions and their S3 bucket.

::

    with SimulatedNsidc(pixels=8, users={"alice": "secret"}) as nsidc:
        nsidc.cmr_url            # https://127.0.0.1:P1/  (search/granules.umm_json)
        nsidc.urs_url            # https://127.0.0.1:P2/
        nsidc.datapool_url       # https://127.0.0.1:P3/  (DP1/SMAP/SPL3SMP.009/2015.04.01/…)
        nsidc.asf_datapool_url   # https://127.0.0.1:P4/  (L1C_S0_HIRES/SP/…: the radar)
        nsidc.ca_file            # one PEM trusting every server

The servers are the simulated CMR's (:mod:`swathkit.sim.cmr`): the CMR search over
:class:`~swathkit.sim.nsidc.records.NsidcRecords`, URS, and TEA-style distributions
sending logged-in users to signed URLs of an S3 bucket, which serves files with ranges
and the fault plan's stream faults. As in the real CMR, the SMAP radar collection is
ASF's: its records name provider ``ASF`` and its files are on a second distribution
host, so a client must take each product's datapool from its collection.
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

from swathkit.sim._server import serve_until
from swathkit.sim.cmr.datapool import DatapoolServer, S3Server
from swathkit.sim.cmr.server import CmrServer
from swathkit.sim.cmr.urs import UrsServer
from swathkit.sim.faults import FaultPlan, fault_plan
from swathkit.sim.nsidc.files import SmapFiles
from swathkit.sim.nsidc.granules import SmapGranule
from swathkit.sim.nsidc.records import NsidcRecords

__all__ = ["BUCKET", "NsidcStats", "SimulatedNsidc", "serve_forever"]

log = logging.getLogger(__name__)

BUCKET = "nsidc-cumulus-prod-protected"


@dataclass(frozen=True)
class NsidcStats:
    """What the simulated NSIDC has done so far (a snapshot)."""

    cmr_requests: int
    datapool_requests: int
    s3_requests: int
    logins: int
    login_failures: int
    files_generated: int
    bytes_sent: int
    faults: dict[str, int]


class SimulatedNsidc:
    """The simulated NSIDC on loopback, as a context manager.

    Args:
        faults: A preset name or a fault plan (played by every server).
        seed: Seeds the files and a preset's faults.
        pixels: Side of the one array of small test files; None: full-size files.
        users: Earthdata Login accounts, username → password (default ``sim``/``sim``).
        cache_dir: Where files are kept (a temporary folder, removed on close, by default).
        latency: Round-trip seconds added to every exchange with each server.
    """

    def __init__(self, *, faults: str | FaultPlan = "none", seed: int = 0,
                 pixels: int | None = None, users: dict[str, str] | None = None,
                 cache_dir: str | os.PathLike[str] | None = None, latency: float = 0.0) -> None:
        self.fault_plan = fault_plan(faults, seed=seed) if isinstance(faults, str) else faults
        self._tmp = tempfile.TemporaryDirectory(prefix="swathkit-nsidc-")
        self.files = SmapFiles(Path(cache_dir or self._tmp.name), pixels=pixels, seed=seed)
        plan = self.fault_plan
        self.urs = UrsServer(users or {"sim": "sim"}, plan=plan, latency=latency)
        self.s3 = S3Server(self._local, plan=plan, latency=latency, bucket=BUCKET,
                           content_type="application/x-hdf5")
        self.datapool = DatapoolServer(self._key_of("NSIDC_ECS"), self.urs, self.s3, plan=plan,
                                       latency=latency, name="sim-nsidc-datapool")
        self.asf_datapool = DatapoolServer(self._key_of("ASF"), self.urs, self.s3, plan=plan,
                                           latency=latency, name="sim-asf-datapool")
        self.records = NsidcRecords(self.files, {"NSIDC_ECS": self.datapool_url,
                                                 "ASF": self.asf_datapool_url})
        self.cmr = CmrServer(self.records, plan=plan, latency=latency)
        self._servers = (self.urs, self.s3, self.datapool, self.asf_datapool, self.cmr)
        self._published: dict[str, SmapGranule] = {}  # file name → granule, once asked for
        self._lock = threading.Lock()
        self.ca_file = Path(self._tmp.name) / "ca-bundle.pem"
        self.ca_file.write_text("".join(s.ca_file.read_text() for s in self._servers
                                        if s.ca_file is not None))
        self._closed = False

    @property
    def cmr_url(self) -> str:
        return self.cmr.base_url

    @property
    def urs_url(self) -> str:
        return self.urs.base_url

    @property
    def datapool_url(self) -> str:
        return self.datapool.base_url

    @property
    def asf_datapool_url(self) -> str:
        """ASF's distribution (the radar product, ``SPL1CS0``)."""
        return self.asf_datapool.base_url

    def environment(self, user: str | None = None,
                    password: str | None = None) -> dict[str, str]:
        """``SWATHKIT_*_URL`` and ``SWATHKIT_CA_BUNDLE`` pointing swathkit here, and the
        Earthdata account if given."""
        env = {"SWATHKIT_CMR_URL": self.cmr_url, "SWATHKIT_URS_URL": self.urs_url,
               "SWATHKIT_NSIDC_DATAPOOL_URL": self.datapool_url,
               "SWATHKIT_ASF_DATAPOOL_URL": self.asf_datapool_url,
               "SWATHKIT_CA_BUNDLE": str(self.ca_file)}
        if user is not None and password is not None:
            env |= {"EARTHDATA_USERNAME": user, "EARTHDATA_PASSWORD": password}
        return env

    def _key_of(self, provider: str) -> Callable[[str], str | None]:
        """The S3 key of a file on ``provider``'s datapool (None if it holds no such file)."""
        def key_of(path: str) -> str | None:
            granule = self.records.granule_at(path, provider)
            if granule is None:
                return None
            with self._lock:
                self._published[granule.name.file_name] = granule
            return granule.path.removeprefix("DP1/")
        return key_of

    def _local(self, file_name: str) -> Path | None:
        with self._lock:
            granule = self._published.get(file_name)
        return None if granule is None else self.files.local(granule)

    def tamper(self, file_name: str, gets: int | None = None) -> None:
        """Serve ``file_name`` with a changed byte (its MD5 no longer the CMR record's) for
        the next ``gets`` downloads (None: until :meth:`untamper`)."""
        self.s3.tamper(file_name, gets)

    def untamper(self, file_name: str) -> None:
        self.s3.untamper(file_name)

    def start(self) -> SimulatedNsidc:
        if not self._closed:
            for server in self._servers:
                server.start()
            log.info("simulated NSIDC: CMR %s, URS %s, datapool %s, ASF datapool %s",
                     self.cmr_url, self.urs_url, self.datapool_url, self.asf_datapool_url)
        return self

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for server in self._servers:
            server.close()
        self._tmp.cleanup()

    def stats(self) -> NsidcStats:
        faults: dict[str, int] = {}
        for server in self._servers:
            for kind, n in server.faults.snapshot().items():
                faults[kind] = faults.get(kind, 0) + n
        return NsidcStats(
            cmr_requests=self.cmr.counts.get("requests"),
            datapool_requests=self.datapool.counts.get("requests")
            + self.asf_datapool.counts.get("requests"),
            s3_requests=self.s3.counts.get("requests"), logins=self.urs.counts.get("logins"),
            login_failures=self.urs.counts.get("login_failures"),
            files_generated=self.files.generated, bytes_sent=self.s3.counts.get("bytes_sent"),
            faults=faults)

    def __enter__(self) -> SimulatedNsidc:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def serve_forever(*, on_ready: Callable[[SimulatedNsidc], None],
                  stop: threading.Event | None = None, **options: Any) -> NsidcStats:
    """Run a :class:`SimulatedNsidc` until ``stop`` is set (or the process is interrupted)."""
    return serve_until(SimulatedNsidc(**options), on_ready, stop)  # type: ignore[no-any-return]
