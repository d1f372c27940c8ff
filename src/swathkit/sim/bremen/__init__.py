"""The simulated University of Bremen sea-ice archive: ASI daily grids over HTTPS.

:func:`simulated_bremen` is the ``bremen-sim`` entry of
:mod:`swathkit.archives.registry`: it starts the simulator in this process and
yields an :class:`~swathkit.archives.base.Archive` pointing at it.
:func:`bremen_client` is the one place that builds a client for a running
simulator::

    with simulated_bremen(faults="flaky") as archive:
        download_asi("n6250", date(2024, 4, 1), date(2024, 4, 7), "data", archive=archive)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the server is imported when used
    from swathkit.archives.base import Archive
    from swathkit.sim.bremen.server import SimulatedBremen
    from swathkit.sim.faults import FaultPlan
    from swathkit.transfer.retry import RetryPolicy

__all__ = ["bremen_client", "simulated_bremen"]


def bremen_client(sim: SimulatedBremen, *, grid: str | None = None,
                  retry: RetryPolicy | None = None, name: str | None = None) -> Archive:
    """An archive pointing at the running simulator ``sim``.

    Args:
        sim: A started :class:`~swathkit.sim.bremen.server.SimulatedBremen`.
        grid: The grid of queries that name none.
        retry: Retry policy of the fetches.
        name: How reports name the archive (default: "simulated Bremen").
    """
    from swathkit.archives.bremen import bremen_archive

    return bremen_archive(base_url=sim.base_url, grid=grid, retry=retry,
                          name=name or "simulated Bremen", ca_bundle=sim.ca_file)


@contextmanager
def simulated_bremen(*, faults: str | FaultPlan = "none", seed: int = 0,
                     missing_days: list[date] | None = None,
                     cache_dir: str | os.PathLike[str] | None = None,
                     bandwidth: float | None = None, grid: str | None = None,
                     retry: RetryPolicy | None = None,
                     latency: float = 0.0) -> Iterator[Archive]:
    """Start the simulated Bremen archive in this process and yield an archive pointing at it.

    Args:
        faults: A preset (``none``, ``flaky``, ``hostile``) or a fault plan.
        seed: Seed of the files and of a preset's faults.
        missing_days: Days missing upstream (default: 2013-05-11..13).
        cache_dir: Where generated files are kept across runs (default: a temporary folder).
        bandwidth: Bytes per second per connection (default: as fast as possible).
        grid: The grid of queries that name none.
        retry: Retry policy of the client.
        latency: Round-trip seconds added to every exchange, as if far away.
    """
    from swathkit.sim.bremen.server import SimulatedBremen

    with SimulatedBremen(faults=faults, seed=seed, missing_days=missing_days,
                         cache_dir=cache_dir, bandwidth=bandwidth, latency=latency) as sim:
        label = faults if isinstance(faults, str) else "custom"
        yield bremen_client(sim, grid=grid, retry=retry,
                            name=f"simulated Bremen ({label} faults)")
