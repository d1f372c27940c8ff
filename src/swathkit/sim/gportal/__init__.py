"""The simulated JAXA G-Portal: a CSW catalogue over HTTP and AMSR2 L1B files over SFTP.

:func:`simulated_gportal` is the ``gportal-sim`` entry of
:mod:`swathkit.archives.registry`: it starts the simulator in this process and
yields an :class:`~swathkit.archives.base.Archive` pointing at it.
:func:`gportal_client` is the one place that builds a client for a running
simulator (its endpoints and credentials)::

    with simulated_gportal(faults="flaky", scans=40) as archive:
        collect(query, "swaths.zarr", archive)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the server and the SFTP client are imported when used
    from swathkit.archives.base import Archive
    from swathkit.sim.faults import FaultPlan
    from swathkit.sim.gportal.server import SimulatedGPortal
    from swathkit.transfer.retry import RetryPolicy

__all__ = ["gportal_client", "simulated_gportal"]


def gportal_client(sim: SimulatedGPortal, *, retry: RetryPolicy | None = None,
                   password: str | None = None, name: str | None = None) -> Archive:
    """An archive pointing at the running simulator ``sim``.

    Args:
        sim: A started :class:`~swathkit.sim.gportal.server.SimulatedGPortal`.
        retry: Retry policy of the catalogue and the fetches.
        password: Sent instead of the simulator's (to try a wrong one).
        name: How reports name the archive (default: "simulated G-Portal").
    """
    from swathkit.archives.credentials import Credentials
    from swathkit.archives.gportal import gportal_at

    credentials = Credentials(sim.username, password or sim.password, "simulator")
    return gportal_at(sim.catalog_url, sim.sftp_host, sim.sftp_port, credentials, retry,
                      name or "simulated G-Portal", ca_bundle=sim.ca_file)


@contextmanager
def simulated_gportal(*, faults: str | FaultPlan = "none", seed: int = 0,
                      scans: int | None = None, retry: RetryPolicy | None = None,
                      password: str | None = None, reprocessed: int = 0,
                      latency: float = 0.0, bandwidth: float | None = None) -> Iterator[Archive]:
    """Start the simulated G-Portal in this process and yield an archive pointing at it.

    Args:
        faults: A preset (``none``, ``flaky``, ``hostile``) or a fault plan.
        seed: Seed of the files and of a preset's faults.
        scans: Scans per granule (default: full size); fewer for fast tests.
        retry: Retry policy of the client.
        password: Sent instead of the simulator's (to try a wrong one).
        reprocessed: Shifts the catalogue's processing dates (a new version).
        latency: Round-trip seconds added to every exchange, as if far away.
        bandwidth: Bytes per second per connection (SFTP session); ``None``: no cap.
    """
    from swathkit.sim.gportal.server import SimulatedGPortal

    with SimulatedGPortal(faults=faults, seed=seed, scans=scans,
                          reprocessed=reprocessed, latency=latency,
                          bandwidth=bandwidth) as sim:
        label = faults if isinstance(faults, str) else "custom"
        yield gportal_client(sim, retry=retry, password=password,
                             name=f"simulated G-Portal ({label} faults)")
